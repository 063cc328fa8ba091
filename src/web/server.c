/*
 * server.c - the web application's edge: civetweb, one store connection
 * per worker thread, and everything every request goes through before and
 * after its handler.
 *
 * A request runs on a thread of its own with a large stack (civetweb's
 * workers have 100 KB; see begin_request) and gets an arena for its small
 * allocations (style.md 6), the
 * language (?lang= or the gnbv_lang cookie; Vietnamese by default), the
 * session (the gnbv_session cookie, checked in the store), the route
 * (GNBV_WEB_ROUTES, routes.c) and its permission, and for a POST the body
 * (capped), the Origin (or Referer) check and the CSRF token compared in
 * constant time (quality.md S4). The handler returns 0 or a GNBV_E* code;
 * only here do codes become HTTP statuses, with a generic error page that
 * says nothing of the cause (S7). Every response, errors from civetweb
 * itself included, carries the security headers (CSP, nosniff,
 * Referrer-Policy, frame-ancestors, charset) and "no-store" unless it is
 * the static style sheet.
 *
 * Cookies are HttpOnly, Secure under TLS (our TLS front, tls.c, or a
 * TLS proxy: secure_cookies), and SameSite=Strict: officers
 * open the application directly, never from links on other sites, so
 * Strict costs nothing and keeps the session off every cross-site request,
 * GET included, on top of the CSRF token and the Origin check.
 *
 * Slow and oversized clients: civetweb's request timeout cuts a request
 * that takes longer than request_timeout_ms (slowloris), max_header_bytes
 * caps the head, and max_body_bytes the body (413 without reading it).
 * SIGINT and SIGTERM stop the listener and let requests in flight finish
 * (mg_stop joins the workers) before the store connections close.
 */
#include "web.h"
#include "tls.h"

#include "gnbv/dash.h"
#include "gnbv/error.h"

#include "io/embed.h"
#include "util/numfmt.h"

#include <civetweb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct app {
	const char *db;
	const gnbv_web_config *cfg;
	json_t *cat[2]; /* vi, en */
	gnbv_session_limits lim;
	gnbv_dash_cache *cache;
	gnbv_web_cache *wc; /* sessions and pages (cache.c) */
	FILE *log;
	int tls; /* our TLS front (tls.c) is in front of civetweb */
} app;

/* A worker's store connection (a gnbv_store is one connection per thread). */
typedef struct worker {
	gnbv_store *s;
	gnbv_wbuf out; /* the fast path's response, reused */
} worker;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Whether a request counts as arriving over TLS: through our TLS front
 * (civetweb itself then sees plain HTTP from 127.0.0.1, so its is_ssl is
 * always 0), or through a TLS proxy (secure_cookies). Secure cookies, HSTS
 * and the https Origin follow from it. */
static int secure(const struct mg_connection *c)
{
	const app *a = mg_get_user_data(mg_get_context(c));
	return a->tls || a->cfg->secure_cookies;
}

/* ---- helpers for handlers ---- */

const char *gnbv_web_var(gnbv_web_req *r, const char *src, const char *name, size_t max)
{
	if (!src || !*src) return NULL;
	char *buf = gnbv_arena_alloc(r->arena, max + 1);
	if (!buf) return NULL;
	int n = mg_get_var(src, strlen(src), name, buf, max + 1);
	return n < 0 ? NULL : buf;
}

const char *gnbv_web_query(gnbv_web_req *r, const char *name, size_t max)
{
	return gnbv_web_var(r, r->query, name, max);
}

const char *gnbv_web_form(gnbv_web_req *r, const char *name, size_t max)
{
	return gnbv_web_var(r, r->body, name, max);
}

int gnbv_web_redirect(gnbv_web_req *r, const char *path)
{
	r->status = 303;
	snprintf(r->location, sizeof r->location, "%s", path[0] == '/' ? path : "/");
	return 0;
}

void gnbv_web_cookie(gnbv_web_req *r, const char *name, const char *value, int max_age,
                     int http_only)
{
	if (r->ncookies == 4) return;
	char age[32] = "";
	if (max_age >= 0) snprintf(age, sizeof age, "; Max-Age=%d", max_age);
	snprintf(r->cookies[r->ncookies++], sizeof r->cookies[0],
	         "%s=%s; Path=/%s%s; SameSite=Strict%s", name, value, age,
	         http_only ? "; HttpOnly" : "", secure(r->conn) ? "; Secure" : "");
}

/* A catalogue's text for key; the key itself when missing (i18n.c). */
static const char *i18n_text(const json_t *cat, const char *key)
{
	const char *v = json_string_value(json_object_get(cat, key));
	return v ? v : key;
}

const char *gnbv_web_msg(const gnbv_web_req *r, const char *key)
{
	const char *v = json_string_value(json_object_get(r->cat, key));
	if (v) return v;
	/* A key missing from the catalogue shows as itself (a visible slip,
	 * not a crash), copied into the request's arena: callers build keys
	 * in buffers of their own ("class.%s"), gone when they return. */
	size_t n = strlen(key);
	char *c = r->arena ? gnbv_arena_alloc(r->arena, n + 1) : NULL;
	if (!c) return "";
	memcpy(c, key, n + 1);
	return c;
}

const char *gnbv_web_int(gnbv_web_req *r, int64_t v)
{
	char *b = gnbv_arena_alloc(r->arena, 32);
	if (!b) return "";
	gnbv_fmt_int(b, 32, v, r->english ? &GNBV_NUM_EN : &GNBV_NUM_VI);
	return b;
}

const char *gnbv_web_pct(gnbv_web_req *r, uint64_t part, uint64_t whole)
{
	char *b = gnbv_arena_alloc(r->arena, 32);
	if (!b) return "";
	gnbv_fmt_pct(b, 32, part, whole, r->english ? &GNBV_NUM_EN : &GNBV_NUM_VI);
	return b;
}

/* ---- routing ---- */

/* Matches path against pattern; each '*' takes one non-empty segment,
 * the first into arg, the second into arg2 (cap bytes each). */
static int match(const char *pat, const char *path, char *arg, char *arg2, size_t cap)
{
	int stars = 0;
	arg[0] = arg2[0] = '\0';
	while (*pat) {
		if (*pat == '*') {
			size_t k = strcspn(path, "/");
			char *dst = stars++ ? arg2 : arg;
			if (k == 0 || k >= cap || stars > 2) return 0;
			memcpy(dst, path, k);
			dst[k] = '\0';
			path += k;
			pat++;
			continue;
		}
		if (*pat != *path) return 0;
		pat++;
		path++;
	}
	return *path == '\0';
}

/* The first route of the table for the method and path, its '*'
 * segments in arg and arg2; NULL when none (*path_known, may be NULL,
 * says whether another method has the path: 405 rather than 404). The
 * fast path and the full one pick the same route. */
static const gnbv_web_route *route_find(const char *method, const char *path, char *arg,
                                        char *arg2, size_t cap, int *path_known)
{
	if (path_known) *path_known = 0;
	for (size_t i = 0; i < GNBV_WEB_NROUTES; i++) {
		if (!match(GNBV_WEB_ROUTES[i].pattern, path, arg, arg2, cap)) continue;
		if (path_known) *path_known = 1;
		if (!strcmp(GNBV_WEB_ROUTES[i].method, method)) return &GNBV_WEB_ROUTES[i];
	}
	return NULL;
}

/* ---- the response ---- */


static const char HTML[] = "text/html; charset=utf-8";

/* The headers every response carries (quality.md S5), one string. */
#define SECURITY_HEADERS                                                                         \
	"Content-Security-Policy: default-src 'self'; img-src 'self' data:; style-src 'self'; "  \
	"script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; "            \
	"frame-ancestors 'none'\r\n"                                                              \
	"X-Content-Type-Options: nosniff\r\n"                                                     \
	"Referrer-Policy: same-origin\r\n"                                                        \
	"X-Frame-Options: DENY\r\n"                                                               \
	"Cross-Origin-Opener-Policy: same-origin\r\n"

/* civetweb's header calls send each header in a write of its own (13 sends
 * for a page, measured with strace -c); a response head is composed here
 * instead and goes out with its body in one write. */
static void head_begin(gnbv_wbuf *h, const struct mg_connection *c, int status, int cacheable,
                       int tls, const char *ctype)
{
	char line[64];
	snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\n", status,
	         mg_get_response_code_text(c, status));
	gnbv_wbuf_str(h, line);
	gnbv_wbuf_str(h, SECURITY_HEADERS);
	gnbv_wbuf_str(h, cacheable ? "Cache-Control: public, max-age=86400\r\n"
	                           : "Cache-Control: no-store\r\n");
	if (tls) gnbv_wbuf_str(h, "Strict-Transport-Security: max-age=31536000\r\n");
	gnbv_wbuf_str(h, "Content-Type: ");
	gnbv_wbuf_str(h, ctype ? ctype : HTML);
	gnbv_wbuf_str(h, "\r\n");
}

static void head_add(gnbv_wbuf *h, const char *name, const char *value)
{
	gnbv_wbuf_str(h, name);
	gnbv_wbuf_str(h, ": ");
	gnbv_wbuf_str(h, value);
	gnbv_wbuf_str(h, "\r\n");
}

/* Whether the client keeps the connection (RFC 9112 9.3): HTTP/1.1 unless
 * it says close, HTTP/1.0 only when it asks. civetweb decides the same way
 * after the response. */
static int keep_alive(struct mg_connection *c)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	const char *h = mg_get_header(c, "Connection");
	if (h && !mg_strcasecmp(h, "close")) return 0;
	if (ri->http_version && !strcmp(ri->http_version, "1.0"))
		return h && !mg_strcasecmp(h, "keep-alive");
	return 1;
}

/* The end of a head: the length, the date and the connection, which are
 * not kept with a cached page. */
static void head_end(gnbv_wbuf *h, struct mg_connection *c, size_t len)
{
	char v[96];
	time_t t = time(NULL);
	struct tm tm;
	snprintf(v, sizeof v, "Content-Length: %zu\r\n", len);
	gnbv_wbuf_str(h, v);
	gmtime_r(&t, &tm);
	strftime(v, sizeof v, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
	gnbv_wbuf_str(h, v);
	gnbv_wbuf_str(h, keep_alive(c) ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
}

/* The head of a handled request, up to (not including) head_end. */
static void head_of(gnbv_web_req *r, gnbv_wbuf *h)
{
	head_begin(h, r->conn, r->status, r->cacheable, secure(r->conn), r->ctype);
	if (r->location[0]) head_add(h, "Location", r->location);
	for (int i = 0; i < r->ncookies; i++)
		head_add(h, "Set-Cookie", r->cookies[i]);
	if (r->disposition[0]) head_add(h, "Content-Disposition", r->disposition);
}

static void send_response(gnbv_web_req *r, int head_only)
{
	gnbv_wbuf h = {0};
	head_of(r, &h);
	head_end(&h, r->conn, r->out.len);
	/* A page goes in the head's write; a large download after it. */
	int joined = !head_only && r->out.len && r->out.len <= (256u << 10);
	if (joined) gnbv_wbuf_put(&h, r->out.p, r->out.len);
	if (h.overflow || !h.p) {
		mg_send_http_error(r->conn, 500, "%s", "error");
	} else {
		mg_write(r->conn, h.p, h.len);
		if (!head_only && !joined && r->out.len) mg_write(r->conn, r->out.p, r->out.len);
	}
	gnbv_wbuf_free(&h);
}

/* The whole page: the handler's template inside the layout. */
static int render_page(gnbv_web_req *r)
{
	gnbv_wbuf inner = {0};
	json_t *root = r->page ? r->page : json_object();
	r->page = root;
	json_object_set_new(root, "title",
	                    json_string(gnbv_web_msg(r, r->title_key ? r->title_key : "app.name")));
	json_object_set_new(root, "lang", json_string(r->english ? "en" : "vi"));
	if (r->logged_in) {
		json_object_set_new(
		    root, "me",
		    json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", r->sess.user.name, "role",
		              gnbv_web_msg(r, gnbv_role_name(r->sess.user.role)), "unit",
		              r->sess.user.unit_name[0] ? r->sess.user.unit_name
		                                        : gnbv_web_msg(r, "unit.all"),
		              "unit_code", r->sess.user.unit_code, "csrf", r->sess.csrf));
		json_object_set_new(
		    root, "nav_personal",
		    json_boolean(gnbv_perm_allows(GNBV_PERM_PERSONAL, r->sess.user.role)));
		json_object_set_new(root, "nav_users",
		                    json_boolean(gnbv_perm_allows(GNBV_PERM_USERS, r->sess.user.role)));
	}
	int rc = gnbv_tmpl_render(r->tmpl, root, r->cat, &inner);
	if (rc) goto done;
	json_object_set_new(root, "content", json_stringn(inner.p ? inner.p : "", inner.len));
	gnbv_wbuf_free(&r->out);
	rc = gnbv_tmpl_render("layout", root, r->cat, &r->out);
done:
	gnbv_wbuf_free(&inner);
	return rc;
}

static int status_of(int rc)
{
	switch (rc) {
	case GNBV_EINVALID: return 400;
	case GNBV_EDENIED: return 403;
	case GNBV_ENOTFOUND: return 404;
	case GNBV_ECONFLICT: return 409;
	case GNBV_ETOOBIG: return 413;
	default: return 500;
	}
}

/* A generic error page: the status and a sentence, never the cause. */
static void error_page(gnbv_web_req *r, int status)
{
	char key[32];
	snprintf(key, sizeof key, "error.%d", status);
	if (!json_object_get(r->cat, key)) snprintf(key, sizeof key, "error.500");
	r->status = status;
	r->ctype = NULL;
	r->disposition[0] = '\0';
	r->location[0] = '\0';
	r->cacheable = 0;
	json_decref(r->page);
	r->page = json_pack("{s:i,s:s}", "status", status, "message", gnbv_web_msg(r, key));
	r->tmpl = "error";
	r->title_key = key;
	if (render_page(r)) {
		gnbv_wbuf_free(&r->out);
		gnbv_wbuf_str(&r->out, "<!doctype html><title>Error</title><p>Error</p>");
	}
}

/* ---- checks ---- */

static int origin_ok(gnbv_web_req *r)
{
	char want[300];
	const char *host = mg_get_header(r->conn, "Host");
	if (r->cfg->public_origin[0])
		snprintf(want, sizeof want, "%s", r->cfg->public_origin);
	else if (host)
		snprintf(want, sizeof want, "%s://%s", secure(r->conn) ? "https" : "http", host);
	else
		return 0;
	const char *o = mg_get_header(r->conn, "Origin");
	if (o) return strcmp(o, want) == 0;
	const char *ref = mg_get_header(r->conn, "Referer");
	size_t n = strlen(want);
	return ref && strncmp(ref, want, n) == 0 && ref[n] == '/';
}

static void cookie(gnbv_web_req *r, const char *name, char *buf, size_t cap)
{
	const char *h = mg_get_header(r->conn, "Cookie");
	buf[0] = '\0';
	if (!h || mg_get_cookie(h, name, buf, cap) < 0) buf[0] = '\0';
}

/* Reads the body into the arena; GNBV_ETOOBIG past max_body_bytes. */
static int read_body(gnbv_web_req *r)
{
	long long cl = r->ri->content_length;
	size_t max = (size_t)r->cfg->max_body_bytes;
	if (cl > (long long)max) return gnbv_error_set(GNBV_ETOOBIG, "body too large");
	size_t cap = cl >= 0 ? (size_t)cl : max + 1;
	char *b = gnbv_arena_alloc(r->arena, cap + 1);
	if (!b) return GNBV_ENOMEM;
	size_t got = 0;
	while (got < cap) {
		int k = mg_read(r->conn, b + got, cap - got);
		if (k <= 0) break;
		got += (size_t)k;
	}
	if (got > max) return gnbv_error_set(GNBV_ETOOBIG, "body too large");
	b[got] = '\0';
	r->body = b;
	r->body_len = got;
	return 0;
}

static int csrf_ok(gnbv_web_req *r)
{
	const char *given = gnbv_web_form(r, "csrf", GNBV_TOKEN_CHARS + 8);
	if (r->logged_in) return gnbv_session_csrf_ok(&r->sess, given);
	/* Before login: the form's token must equal the gnbv_pre cookie. */
	gnbv_session pre;
	memset(&pre, 0, sizeof pre);
	memcpy(pre.csrf, r->pre_csrf, sizeof pre.csrf);
	return gnbv_session_csrf_ok(&pre, given);
}

/* ---- the page cache (cache.c) ---- */

int32_t gnbv_web_today(int64_t now)
{
	time_t t = (time_t)now;
	struct tm tm;
	localtime_r(&t, &tm);
	return (int32_t)((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday);
}

/* Keeps the page's head (up to its length, date and connection) and body. */
static void keep_page(app *a, gnbv_web_req *r, const char *path)
{
	char key[1024];
	gnbv_wbuf h = {0};
	int n = gnbv_web_cache_page_key(key, sizeof key, r->token, r->english, path, r->query);
	head_of(r, &h);
	if (n > 0 && h.p && !h.overflow)
		gnbv_web_cache_page_put(a->wc, key, (size_t)n, r->seq, gnbv_web_today(r->now), h.p, h.len,
		                        r->out.p, r->out.len);
	gnbv_wbuf_free(&h);
}

static void log_request(app *a, const char *method, const gnbv_web_route *route, int status,
                        const struct timespec *t0, int kept)
{
	struct timespec t1;
	char line[256];
	if (!a->cfg->access_log) return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The log names the route, never the path: paths carry household codes.
	 * One write(2) of the whole line: no stdio lock for 64 workers to queue
	 * on (the log is unbuffered stderr, so nothing is reordered). */
	int n = snprintf(line, sizeof line, "%s %s %d %.1f ms%s\n", method,
	                 route ? route->pattern : "-", status,
	                 (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	                     (double)(t1.tv_nsec - t0->tv_nsec) / 1e6,
	                 kept ? " (kept)" : "");
	if (n > 0 && (size_t)n < sizeof line && write(fileno(a->log), line, (size_t)n) < 0) {
		/* a full or closed log loses the line, never the response */
	}
}

/* Whether this request's page is one the cache holds (keep_page stores it
 * when rendered, send_kept sends it instead of rendering): a cached route,
 * a session, the change number read, no cookie being set, not a HEAD, no
 * ?lang=. */
static int keepable(const gnbv_web_req *r, const gnbv_web_route *route, int head_only,
                    const char *ql)
{
	return route->cached && r->logged_in && r->seq >= 0 && !r->ncookies && !head_only && !ql;
}

/* Sends the page kept for this session, language, path and query if it
 * is still held under change number `seq` and today's date: 1 when sent
 * (and logged as kept), 0 when there is none and the caller renders. */
static int send_kept(app *a, struct mg_connection *c, worker *w, const gnbv_web_route *route,
                     const char *token, int english, const char *path, const char *q, int64_t seq,
                     int64_t now, const struct timespec *t0)
{
	char key[1024];
	const char *head, *body;
	size_t hlen, blen;
	int n = gnbv_web_cache_page_key(key, sizeof key, token, english, path, q);
	const gnbv_web_page *pg =
	    n > 0 ? gnbv_web_cache_page_get(a->wc, key, (size_t)n, seq, gnbv_web_today(now), &head,
	                                    &hlen, &body, &blen)
	          : NULL;
	if (!pg) return 0;
	/* One write: the kept head, its end, the body (the worker's buffer). */
	w->out.len = 0;
	gnbv_wbuf_put(&w->out, head, hlen);
	head_end(&w->out, c, blen);
	gnbv_wbuf_put(&w->out, body, blen);
	gnbv_web_cache_page_release(pg);
	if (w->out.overflow || !w->out.p) {
		gnbv_wbuf_free(&w->out);
		return 0;
	}
	mg_write(c, w->out.p, w->out.len);
	log_request(a, "GET", route, 200, t0, 1);
	return 1;
}

/* A GET of a cached route answered from memory on civetweb's own thread,
 * before any per-request setup: the session and the page both held under
 * the store's current change number. 1 when answered; 0 sends the request
 * down the full path, which checks everything itself and may store the
 * page. It only reads: one statement, already prepared, on the worker's
 * open connection, hash lookups, and the send. civetweb's 100 KB stack is
 * enough: measured by painting it, the path used 8.4 KB under ASan with
 * 75 KB free at its entry. */
static int fast_path(app *a, struct mg_connection *c, worker *w)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	const gnbv_web_route *route = NULL;
	char arg[128], arg2[128], token[GNBV_TOKEN_CHARS + 8], lang[8];
	struct timespec t0;
	int64_t seq;
	gnbv_session sess;
	gnbv_scope scope;
	const char *path = ri->local_uri, *q = ri->query_string ? ri->query_string : "";
	if (!w->s || !a->wc || !path || strcmp(ri->request_method, "GET") || strstr(q, "lang="))
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	route = route_find("GET", path, arg, arg2, sizeof arg, NULL);
	const char *ck = mg_get_header(c, "Cookie");
	if (!route || !route->cached || !ck || mg_get_cookie(ck, "gnbv_session", token, sizeof token) <= 0) return 0;
	if (mg_get_cookie(ck, "gnbv_lang", lang, sizeof lang) < 0) lang[0] = '\0';
	int64_t now = (int64_t)time(NULL);
	if (gnbv_store_change_seq(w->s, &seq) ||
	    !gnbv_web_cache_session_get(a->wc, token, now, seq, &sess, &scope) ||
	    !gnbv_perm_allows(route->perm, sess.user.role))
		return 0;
	return send_kept(a, c, w, route, token, !strcmp(lang, "en"), path, q, seq, now, &t0);
}

/* ---- one request ---- */

static int handle(app *a, struct mg_connection *c, worker *w)
{
	const struct mg_request_info *ri = mg_get_request_info(c);
	gnbv_web_req r;
	struct timespec t0;
	int rc = 0, head_only = 0, status;
	const gnbv_web_route *route = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&r, 0, sizeof r);
	r.conn = c;
	r.ri = ri;
	r.cfg = a->cfg;
	r.status = 200;
	r.now = (int64_t)time(NULL);
	r.query = ri->query_string ? ri->query_string : "";
	r.body = "";
	r.arena = gnbv_arena_new(8u << 20);
	r.cat = a->cat[0];
	if (!r.arena) {
		error_page(&r, 500);
		goto send;
	}
	if (!w->s) {
		gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
		o.actor = "web";
		o.busy_timeout_ms = 5000;
		if ((rc = gnbv_store_open(&w->s, a->db, &o))) {
			fprintf(a->log, "gnbv serve: cannot open the store: %s\n",
			        gnbv_error_message());
			error_page(&r, 503);
			goto send;
		}
	}
	r.s = w->s;
	r.cache = a->cache;
	/* The change number before anything is read: a page rendered now is
	 * stored under it, so a change committed meanwhile makes it a miss. */
	if (gnbv_store_change_seq(r.s, &r.seq)) r.seq = -1;

	/* Language: ?lang= sets the cookie; else the cookie; else Vietnamese. */
	char lang[8];
	const char *ql = gnbv_web_query(&r, "lang", 4);
	cookie(&r, "gnbv_lang", lang, sizeof lang);
	if (ql && (!strcmp(ql, "en") || !strcmp(ql, "vi"))) {
		snprintf(lang, sizeof lang, "%s", ql);
		gnbv_web_cookie(&r, "gnbv_lang", lang, 31536000, 1);
	}
	r.english = !strcmp(lang, "en");
	r.cat = a->cat[r.english];
	gnbv_error_thread_language(!r.english); /* the library's messages on this thread */

	/* Session. */
	cookie(&r, "gnbv_session", r.token, sizeof r.token);
	if (r.token[0] && r.seq >= 0 &&
	    gnbv_web_cache_session_get(a->wc, r.token, r.now, r.seq, &r.sess, &r.scope)) {
		r.logged_in = 1;
	} else if (r.token[0] && gnbv_session_check(r.s, r.token, r.now, &a->lim, &r.sess) == 0 &&
	           gnbv_account_scope(r.s, &r.sess.user, &r.scope) == 0) {
		r.logged_in = 1;
		if (r.seq >= 0)
			gnbv_web_cache_session_put(a->wc, r.token, r.now, r.seq, &r.sess, &r.scope);
	}
	cookie(&r, "gnbv_pre", r.pre_csrf, sizeof r.pre_csrf);
	char actor[GNBV_USER_NAME_MAX + 8];
	snprintf(actor, sizeof actor, "web:%s", r.logged_in ? r.sess.user.name : "anonymous");
	gnbv_store_set_actor(r.s, actor);

	/* Route. */
	const char *path = ri->local_uri ? ri->local_uri : "/";
	const char *method = ri->request_method;
	int path_known = 0;
	if (!strcmp(method, "HEAD")) {
		method = "GET";
		head_only = 1;
	}
	route = route_find(method, path, r.arg, r.arg2, sizeof r.arg, &path_known);
	if (!route) {
		error_page(&r, path_known ? 405 : 404);
		goto send;
	}
	if (route->perm != GNBV_PERM_PUBLIC && !r.logged_in) {
		if (!strcmp(method, "GET")) {
			gnbv_web_redirect(&r, "/login");
		} else {
			error_page(&r, 403);
		}
		goto send;
	}
	if (r.logged_in && !gnbv_perm_allows(route->perm, r.sess.user.role)) {
		error_page(&r, 403);
		goto send;
	}
	if (!strcmp(method, "POST")) {
		if ((rc = read_body(&r))) {
			error_page(&r, status_of(rc));
			goto send;
		}
		if (!origin_ok(&r) || !csrf_ok(&r)) {
			error_page(&r, 403);
			goto send;
		}
	}
	/* The fast path missed, perhaps only because the session was due for
	 * its recheck (SESSION_RECHECK_S): now that the store has passed it,
	 * a page kept under the same change number is still exact. */
	if (!strcmp(method, "GET") && a->wc && keepable(&r, route, head_only, ql) &&
	    send_kept(a, c, w, route, r.token, r.english, path, r.query, r.seq, r.now, &t0)) {
		status = 200;
		goto done;
	}
	gnbv_error_clear();
	rc = route->fn(&r);
	if (!rc && r.tmpl) rc = render_page(&r);
	if (!rc && r.out.overflow) rc = GNBV_ETOOBIG;
	/* A post may end or renew the session (logout, a password): the next
	 * request checks it in the store. */
	if (!strcmp(method, "POST")) gnbv_web_cache_session_drop(a->wc, r.token);
	if (!rc && r.status == 200 && keepable(&r, route, head_only, ql)) keep_page(a, &r, path);
	if (rc) {
		int st = status_of(rc);
		if (st == 500)
			fprintf(a->log, "gnbv serve: %s %s: %s\n", method, route->pattern,
			        gnbv_error_message());
		error_page(&r, st);
	}
send:
	send_response(&r, head_only);
	log_request(a, ri->request_method, route, r.status, &t0, 0);
	status = r.status;
done:
	json_decref(r.page);
	gnbv_wbuf_free(&r.out);
	gnbv_arena_free(r.arena);
	return status;
}

/* civetweb's workers run on small stacks (Debian builds it with
 * USE_STACK_SIZE=102400), less than SQLite, the store's writer (18 KB of
 * it is one struct) and the document writers may need under a sanitizer.
 * So each request runs on a thread of its own with an 8 MiB stack (mapped
 * lazily: only what is touched costs memory) while the worker waits; the
 * connection and the store are still used by one thread at a time. */
typedef struct job {
	app *a;
	struct mg_connection *c;
	worker *w;
	int status;
} job;

static void *job_run(void *arg)
{
	job *j = arg;
	j->status = handle(j->a, j->c, j->w);
	return NULL;
}

#define REQUEST_STACK (8u << 20)

static int begin_request(struct mg_connection *c)
{
	job j = {mg_get_request_info(c)->user_data, c, mg_get_thread_pointer(c), 500};
	if (fast_path(j.a, c, j.w)) return 200;
	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, REQUEST_STACK);
	int e = pthread_create(&t, &attr, job_run, &j);
	pthread_attr_destroy(&attr);
	if (e) {
		mg_send_http_error(c, 503, "%s", "busy");
		return 503;
	}
	pthread_join(t, NULL);
	return j.status;
}

/* Errors civetweb raises itself (a malformed request, headers too large):
 * the same headers, a body without detail. */
static int http_error(struct mg_connection *c, int status, const char *msg)
{
	(void)msg;
	char body[128], len[48];
	int n = snprintf(body, sizeof body,
	                 "<!doctype html><meta charset=utf-8><title>%d</title><h1>%d</h1>", status,
	                 status);
	gnbv_wbuf h = {0};
	(void)len;
	head_begin(&h, c, status, 0, secure(c), NULL);
	head_add(&h, "Connection", "close");
	snprintf(len, sizeof len, "Content-Length: %d\r\n\r\n", n);
	gnbv_wbuf_str(&h, len);
	gnbv_wbuf_put(&h, body, (size_t)n);
	if (h.p && !h.overflow) mg_write(c, h.p, h.len);
	gnbv_wbuf_free(&h);
	return 0;
}

static void *init_thread(const struct mg_context *ctx, int type)
{
	(void)ctx;
	return type == 1 ? calloc(1, sizeof(worker)) : NULL;
}

static void exit_thread(const struct mg_context *ctx, int type, void *p)
{
	(void)ctx;
	(void)type;
	worker *w = p;
	if (!w) return;
	gnbv_store_close(w->s);
	gnbv_wbuf_free(&w->out);
	free(w);
}

static int log_message(const struct mg_connection *c, const char *m)
{
	(void)c;
	(void)m;
	return 1; /* civetweb's own messages may quote request lines: not logged */
}

int gnbv_web_serve(const char *db, const gnbv_web_config *cfg, FILE *log)
{
	app a;
	struct mg_callbacks cb;
	struct mg_context *ctx = NULL;
	gnbv_store *s = NULL;
	char ports[160], threads[16], rto[16], kat[16], hdr[16];
	int rc;
	/* A redirect to https with no https to go to: said before anything
	 * opens, rather than a listener that sends officers nowhere. */
	if (cfg->http_redirect_listen[0] && !cfg->tls_certificate[0])
		return gnbv_error_set(GNBV_EINVALID,
		                      "http_redirect_listen %s needs HTTPS: set tls_certificate "
		                      "(or leave http_redirect_listen empty)",
		                      cfg->http_redirect_listen);
	memset(&a, 0, sizeof a);
	a.db = db;
	a.cfg = cfg;
	a.log = log;
	a.lim.idle_s = (int64_t)cfg->session_idle_min * 60;
	a.lim.absolute_s = (int64_t)cfg->session_absolute_h * 3600;
	/* Open once here: applies migrations and fails early on a bad path. */
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	o.actor = "web";
	if ((rc = gnbv_store_open(&s, db, &o))) return rc;
	if (!(a.cache = gnbv_dash_cache_new()) ||
	    (cfg->page_cache_mb && !(a.wc = gnbv_web_cache_new((size_t)cfg->page_cache_mb << 20)))) {
		gnbv_dash_cache_free(a.cache);
		gnbv_store_close(s);
		return GNBV_ENOMEM;
	}
	/* The counts of the two latest rounds (the dashboard and its change
	 * column), before the first request. */
	rc = gnbv_dash_cache_warm(s, a.cache, 2);
	gnbv_store_close(s);
	if (rc) goto done;
	if ((rc = gnbv_web_i18n_load(&a.cat[0], &a.cat[1]))) goto done;

	/* HTTPS: civetweb serves plain HTTP on a loopback port the system
	 * picks, and our TLS front (tls.c) takes the public address. Debian's
	 * civetweb 1.15 cannot do TLS itself with OpenSSL 3: it calls a 1.1
	 * symbol OpenSSL 3 no longer has (a NULL pointer) after every
	 * handshake. */
	int tls = cfg->tls_certificate[0] != '\0';
	gnbv_tls_front *front = NULL;
	a.tls = tls;
	snprintf(ports, sizeof ports, "%s", tls ? "127.0.0.1:0" : cfg->listen);
	snprintf(threads, sizeof threads, "%d", cfg->threads);
	snprintf(rto, sizeof rto, "%d", cfg->request_timeout_ms);
	snprintf(kat, sizeof kat, "%d", cfg->keep_alive_ms);
	snprintf(hdr, sizeof hdr, "%d", cfg->max_header_bytes);
	const char *opts[24];
	int k = 0;
	opts[k++] = "listening_ports";
	opts[k++] = ports;
	opts[k++] = "num_threads";
	opts[k++] = threads;
	opts[k++] = "request_timeout_ms";
	opts[k++] = rto;
	opts[k++] = "keep_alive_timeout_ms";
	opts[k++] = kat;
	opts[k++] = "enable_keep_alive";
	opts[k++] = "yes";
	opts[k++] = "max_request_size";
	opts[k++] = hdr;
	opts[k++] = "linger_timeout_ms";
	opts[k++] = "1000";
	/* Headers and body go out in two writes: without TCP_NODELAY, Nagle
	 * holds the body for the client's delayed ACK, 40 ms a request
	 * (measured: 23 requests/s on one connection, 44 ms each). */
	opts[k++] = "tcp_nodelay";
	opts[k++] = "1";
	opts[k] = NULL;

	mg_init_library(0);
	memset(&cb, 0, sizeof cb);
	cb.begin_request = begin_request;
	cb.http_error = http_error;
	cb.init_thread = init_thread;
	cb.exit_thread = exit_thread;
	cb.log_message = log_message;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	stop_flag = 0;
	ctx = mg_start(&cb, &a, opts);
	if (!ctx) {
		rc = gnbv_error_set(GNBV_EIO, "cannot listen on %s (in use, or a bad address)",
		                    ports);
		mg_exit_library();
		goto done;
	}
	char shown[256]; /* a PostgreSQL URL's password masked (the log is no place for it) */
	gnbv_store_target_shown(db, shown, sizeof shown);
	/* The address as bound: with port 0 the system picks a free one, which
	 * is how tests run servers side by side without racing for a port. */
	char where[300];
	struct mg_server_port sp[4];
	const char *colon = strrchr(cfg->listen, ':');
	int nports = mg_get_server_ports(ctx, 4, sp);
	if (tls) {
		char backend[32];
		gnbv_tls_front_opts fo = GNBV_TLS_FRONT_OPTS_INIT;
		snprintf(backend, sizeof backend, "127.0.0.1:%d", nports > 0 ? sp[0].port : 0);
		fo.listen = cfg->listen;
		fo.cert_file = cfg->tls_certificate;
		fo.backend = backend;
		/* civetweb holds a worker per connection: a few times as many
		 * may wait in its queue, beyond that they are refused. */
		fo.max_connections = 4 * cfg->threads;
		/* The bounds civetweb puts on a plain HTTP client, for the
		 * handshake and for a client that takes no byte of a response;
		 * nothing moving at all is a backstop longer than civetweb's
		 * own timeouts (which end idle connections first) and than any
		 * request's work. */
		fo.handshake_timeout_ms = cfg->request_timeout_ms;
		fo.write_timeout_ms = cfg->request_timeout_ms;
		fo.idle_timeout_ms = 2 * (cfg->request_timeout_ms + cfg->keep_alive_ms);
		if (fo.idle_timeout_ms < 60000) fo.idle_timeout_ms = 60000;
		fo.log = log;
		/* The redirect's bodies: the catalogues' sentences, Vietnamese
		 * first (a plain request says nothing of its reader's language). */
		char moved[512], bad[512];
		snprintf(moved, sizeof moved, "%s\n%s\n", i18n_text(a.cat[0], "redirect.https"),
		         i18n_text(a.cat[1], "redirect.https"));
		snprintf(bad, sizeof bad, "%s\n%s\n", i18n_text(a.cat[0], "error.400"),
		         i18n_text(a.cat[1], "error.400"));
		fo.redirect_listen = cfg->http_redirect_listen;
		fo.redirect_origin = cfg->public_origin;
		fo.redirect_text = moved;
		fo.bad_request_text = bad;
		rc = nports > 0 ? gnbv_tls_front_start(&front, &fo)
		                : gnbv_error_set(GNBV_EIO, "civetweb's loopback port is unknown");
		if (rc) {
			mg_stop(ctx);
			mg_exit_library();
			goto done;
		}
	}
	int port = tls ? gnbv_tls_front_port(front) : nports > 0 ? sp[0].port : -1;
	if (colon && port >= 0)
		snprintf(where, sizeof where, "%.*s:%d", (int)(colon - cfg->listen), cfg->listen,
		         port);
	else
		snprintf(where, sizeof where, "%s", cfg->listen);
	if (tls)
		fprintf(log,
		        "gnbv serve: TLS on %s (certificate %s), the application behind it at "
		        "http://127.0.0.1:%d (loopback only)\n",
		        where, cfg->tls_certificate, sp[0].port);
	if (tls && cfg->http_redirect_listen[0]) {
		const char *rl = cfg->http_redirect_listen, *rcolon = strrchr(rl, ':');
		fprintf(log, "gnbv serve: plain HTTP at %.*s:%d: redirects to %s (nothing else)\n",
		        rcolon ? (int)(rcolon - rl) : 0, rl, gnbv_tls_front_redirect_port(front),
		        gnbv_tls_front_redirect_origin(front));
	}
	fprintf(log, "gnbv serve: %s on %s://%s/ (Ctrl-C stops)\n", shown, tls ? "https" : "http",
	        where);
	fflush(log);
	while (!stop_flag) {
		struct timespec ts = {0, 100000000};
		nanosleep(&ts, NULL);
	}
	fprintf(log, "gnbv serve: stopping: finishing requests in flight\n");
	/* The front stops accepting first; civetweb finishes its requests and
	 * closes its connections, which the front relays; then the front
	 * ends what is left and joins its threads. */
	gnbv_tls_front_stop_accepting(front);
	mg_stop(ctx);
	gnbv_tls_front_stop(front);
	mg_exit_library();
	fprintf(log, "gnbv serve: stopped\n");
	rc = 0;
done:
	gnbv_web_cache_free(a.wc);
	gnbv_dash_cache_free(a.cache);
	json_decref(a.cat[0]);
	json_decref(a.cat[1]);
	return rc;
}

int gnbv_web_routes_json(FILE *f)
{
	json_t *routes = json_array();
	for (size_t i = 0; i < GNBV_WEB_NROUTES; i++) {
		const gnbv_web_route *rt = &GNBV_WEB_ROUTES[i];
		json_t *roles = json_array();
		for (int ro = 0; ro < GNBV_ROLE_COUNT; ro++)
			if (gnbv_perm_allows(rt->perm, ro))
				json_array_append_new(roles, json_string(gnbv_role_name(ro)));
		json_array_append_new(routes, json_pack("{s:s,s:s,s:s,s:o,s:s,s:b}", "method",
		                                        rt->method, "pattern", rt->pattern,
		                                        "permission", gnbv_perm_name(rt->perm),
		                                        "roles", roles, "what", rt->what, "cached",
		                                        rt->cached));
	}
	json_t *all = json_pack("{s:o,s:o}", "routes", routes, "settings", gnbv_web_config_json());
	int rc = json_dumpf(all, f, JSON_INDENT(1)) ? gnbv_error_set(GNBV_EIO, "write failed") : 0;
	fputc('\n', f);
	json_decref(all);
	return rc;
}
