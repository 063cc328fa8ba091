/*
 * web.h - what the files of the web layer (src/web) share: the settings,
 * the request a handler sees, the route table and permissions, the message
 * catalogue. The public entry points are gnbv_web_serve and
 * gnbv_web_routes_json (used by src/cli/cmd_serve.c).
 */
#ifndef GNBV_WEB_H
#define GNBV_WEB_H

#include "tmpl.h"

#include "gnbv/accounts.h"
#include "gnbv/dash.h"
#include "gnbv/store.h"

#include "util/arena.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

struct mg_connection;
struct mg_request_info;

/* ---- settings (config.c) ---- */

typedef struct gnbv_web_config {
	char listen[128];          /* ADDR:PORT */
	int threads;               /* worker threads: connections served at once */
	int request_timeout_ms;    /* a whole request, headers and body */
	int keep_alive_ms;         /* idle time between requests on one connection */
	int max_header_bytes;      /* request line and headers */
	int max_body_bytes;        /* form posts */
	int session_idle_min;      /* session idle timeout */
	int session_absolute_h;    /* session absolute timeout */
	int page_size;             /* rows per list page: households, accounts */
	int page_cache_mb;         /* rendered pages kept in memory (cache.c); 0: none */
	int access_log;            /* 1: a line per request on the log */
	char tls_certificate[512]; /* PEM: chain and key; "" : plain HTTP (tls.c) */
	int secure_cookies;        /* 1: behind a TLS proxy: Secure cookies, HSTS */
	char public_origin[256]; /* "https://host": the Origin a POST must carry; "" : from Host */
	char http_redirect_listen[128]; /* ADDR:PORT: plain HTTP redirected to https; "" : none */
} gnbv_web_config;

void gnbv_web_config_defaults(gnbv_web_config *c);
/* Reads an INI file over the defaults: "key = value" lines, [sections]
 * and comments (# ;) ignored. GNBV_EINVALID names FILE:LINE. */
int gnbv_web_config_load(gnbv_web_config *c, const char *path);
/* The settings table as JSON (docs, `serve --routes`). */
json_t *gnbv_web_config_json(void);

/* ---- permissions and routes (routes.c) ---- */

typedef enum gnbv_perm {
	GNBV_PERM_PUBLIC,    /* anyone, logged in or not */
	GNBV_PERM_USER,      /* any logged-in user */
	GNBV_PERM_DASH,      /* aggregate dashboards: every role */
	GNBV_PERM_PERSONAL,  /* household records (personal data): admin, office, commune */
	GNBV_PERM_EDIT,      /* changing household records: admin, office, commune */
	GNBV_PERM_PLAN,      /* reading plans (no personal data): every role */
	GNBV_PERM_PLAN_EDIT, /* changing budget lines: admin, office, finance */
	GNBV_PERM_REVIEW,    /* review steps 1-4, submission, ad-hoc requests: admin, commune */
	GNBV_PERM_RECOGNISE, /* recognition (not by the submitter: the store): admin, commune */
	GNBV_PERM_REOPEN, /* reopening a locked round (the level above: the store): admin, office */
	GNBV_PERM_USERS,  /* the accounts of the user's subtree (the store's scope): admin */
	GNBV_PERM_COUNT
} gnbv_perm;

const char *gnbv_perm_name(int perm);
/* 1 when a user of this role holds the permission. */
int gnbv_perm_allows(int perm, int role);

typedef struct gnbv_web_req gnbv_web_req;
typedef int (*gnbv_web_handler)(gnbv_web_req *r);

typedef struct gnbv_web_route {
	const char *method;  /* "GET" or "POST" */
	const char *pattern; /* "/household/STAR": STAR (an asterisk) is one path segment */
	gnbv_web_handler fn;
	int perm;         /* gnbv_perm */
	const char *what; /* one line, for docs and --routes */
	/* 1: a GET whose page depends only on the store, the session, the
	 * language, the date and the URL: kept rendered (cache.c). */
	int cached;
} gnbv_web_route;

extern const gnbv_web_route GNBV_WEB_ROUTES[];
extern const size_t GNBV_WEB_NROUTES;

/* ---- sessions and pages kept in memory (cache.c) ---- */

typedef struct gnbv_web_cache gnbv_web_cache;
typedef struct gnbv_web_page gnbv_web_page;

/* max_bytes caps the pages' total size. */
gnbv_web_cache *gnbv_web_cache_new(size_t max_bytes);
void gnbv_web_cache_free(gnbv_web_cache *c);
/* 1 and the session and scope when the token was checked in the store
 * under this change number less than a second ago; else 0. */
int gnbv_web_cache_session_get(gnbv_web_cache *c, const char *token, int64_t now, int64_t seq,
                               gnbv_session *sess, gnbv_scope *scope);
void gnbv_web_cache_session_put(gnbv_web_cache *c, const char *token, int64_t now, int64_t seq,
                                const gnbv_session *sess, const gnbv_scope *scope);
void gnbv_web_cache_session_drop(gnbv_web_cache *c, const char *token);
/* The key of a page into buf: its length, or -1 when it does not fit. */
int gnbv_web_cache_page_key(char *buf, size_t cap, const char *token, int english,
                            const char *path, const char *query);
/* The response kept under key for this change number and day (its head
 * up to the length, date and connection headers, and its body), held
 * until gnbv_web_cache_page_release; NULL when there is none. */
const gnbv_web_page *gnbv_web_cache_page_get(gnbv_web_cache *c, const char *key, size_t klen,
                                             int64_t seq, int32_t day, const char **head,
                                             size_t *hlen, const char **body, size_t *blen);
void gnbv_web_cache_page_release(const gnbv_web_page *p);
void gnbv_web_cache_page_put(gnbv_web_cache *c, const char *key, size_t klen, int64_t seq,
                             int32_t day, const char *head, size_t hlen, const char *body,
                             size_t blen);

/* ---- the request (server.c) ---- */

struct gnbv_web_req {
	struct mg_connection *conn;
	const struct mg_request_info *ri;
	const gnbv_web_config *cfg;
	gnbv__arena *arena;
	gnbv_store *s;
	struct gnbv_dash_cache *cache; /* the server's counts by unit (gnbv/dash.h) */
	int64_t now;
	int english;
	const json_t *cat; /* the message catalogue of the language */
	/* The path's '*' segments (URL-decoded by civetweb), "" when none. */
	char arg[128], arg2[128];
	const char *query; /* the query string or "" */
	const char *body;  /* the form body (POST) or "" */
	size_t body_len;
	int logged_in;
	char token[GNBV_TOKEN_CHARS + 8]; /* the session cookie as sent */
	gnbv_session sess;
	gnbv_scope scope;                    /* the user's: the store enforces it */
	int64_t seq; /* the store's change number at the start (-1 unknown) */
	char pre_csrf[GNBV_TOKEN_CHARS + 1]; /* the login form's token (cookie) */
	/* The response. */
	int status;
	const char *ctype;    /* NULL: text/html; charset=utf-8 */
	gnbv_wbuf out;        /* the body */
	char location[512];   /* a redirect */
	char cookies[4][256]; /* Set-Cookie values */
	int ncookies;
	char disposition[160]; /* Content-Disposition for downloads */
	int cacheable;         /* static files: may be cached */
	json_t *page;          /* the page's template context */
	const char *tmpl;      /* the page's template: rendered in the layout */
	const char *title_key; /* catalogue key of the page title */
};

/* A form or query variable, URL-decoded into the arena; NULL when absent
 * or longer than `max` bytes (GNBV_ETOOBIG is then set in *err if given). */
const char *gnbv_web_var(gnbv_web_req *r, const char *src, const char *name, size_t max);
const char *gnbv_web_query(gnbv_web_req *r, const char *name, size_t max);
const char *gnbv_web_form(gnbv_web_req *r, const char *name, size_t max);
/* The local date (yyyymmdd) of a time: deadlines on the pages count in
 * days, and kept pages are keyed by it (server.c). */
int32_t gnbv_web_today(int64_t now);
/* A redirect (303 See Other) to a path of this site. */
int gnbv_web_redirect(gnbv_web_req *r, const char *path);
void gnbv_web_cookie(gnbv_web_req *r, const char *name, const char *value, int max_age,
                     int http_only);
/* A message of the catalogue (the key itself when missing). */
const char *gnbv_web_msg(const gnbv_web_req *r, const char *key);
/* Numbers as the language writes them (1.234 / 39,59%), into the arena. */
const char *gnbv_web_int(gnbv_web_req *r, int64_t v);
const char *gnbv_web_pct(gnbv_web_req *r, uint64_t part, uint64_t whole);

/* ---- the catalogue (i18n.c) ---- */
int gnbv_web_i18n_load(json_t **vi, json_t **en);

/* ---- the server (server.c) ---- */
int gnbv_web_serve(const char *db, const gnbv_web_config *cfg, FILE *log);
/* The route table (and settings) as JSON on f. */
int gnbv_web_routes_json(FILE *f);

/* ---- handlers (pages_*.c) ---- */
int gnbv_page_home(gnbv_web_req *r);
int gnbv_page_login_form(gnbv_web_req *r);
int gnbv_page_login(gnbv_web_req *r);
int gnbv_page_logout(gnbv_web_req *r);
/* Accounts on the web (pages_users.c): my account and my password for
 * everyone; the administrator's user list, its CSV, the add form, one
 * account's page, disabling and resetting. The session limits of the
 * settings (pages_auth.c), for the store's session calls. */
int gnbv_page_account(gnbv_web_req *r);
int gnbv_page_account_password(gnbv_web_req *r);
int gnbv_page_users(gnbv_web_req *r);
int gnbv_page_users_csv(gnbv_web_req *r);
int gnbv_page_user_new_form(gnbv_web_req *r);
int gnbv_page_user_new(gnbv_web_req *r);
int gnbv_page_user(gnbv_web_req *r);
int gnbv_page_user_disable(gnbv_web_req *r);
int gnbv_page_user_reset(gnbv_web_req *r);
gnbv_session_limits gnbv_web_session_limits(const gnbv_web_req *r);
int gnbv_page_static(gnbv_web_req *r);
int gnbv_page_dashboard(gnbv_web_req *r);
int gnbv_page_dashboard_csv(gnbv_web_req *r);
int gnbv_page_households(gnbv_web_req *r);
int gnbv_page_households_csv(gnbv_web_req *r);
int gnbv_page_search(gnbv_web_req *r);
int gnbv_page_household(gnbv_web_req *r);
int gnbv_page_household_edit_form(gnbv_web_req *r);
int gnbv_page_household_edit(gnbv_web_req *r);
int gnbv_page_reviews(gnbv_web_req *r);
int gnbv_page_review(gnbv_web_req *r);
int gnbv_page_review_open(gnbv_web_req *r);
int gnbv_page_review_apply(gnbv_web_req *r);
int gnbv_page_review_remove(gnbv_web_req *r);
int gnbv_page_review_survey(gnbv_web_req *r);
int gnbv_page_review_meeting(gnbv_web_req *r);
int gnbv_page_review_vote(gnbv_web_req *r);
int gnbv_page_review_post(gnbv_web_req *r);
int gnbv_page_review_complain(gnbv_web_req *r);
int gnbv_page_review_resolve(gnbv_web_req *r);
int gnbv_page_review_submit(gnbv_web_req *r);
int gnbv_page_review_recognise(gnbv_web_req *r);
int gnbv_page_review_reopen(gnbv_web_req *r);
int gnbv_page_review_adhoc(gnbv_web_req *r);
int gnbv_page_review_decide(gnbv_web_req *r);
int gnbv_page_review_escape(gnbv_web_req *r);
int gnbv_page_summary(gnbv_web_req *r);
int gnbv_page_escape_mark(gnbv_web_req *r);
int gnbv_page_escape_assign(gnbv_web_req *r);
int gnbv_page_escape_support(gnbv_web_req *r);
int gnbv_page_plans(gnbv_web_req *r);
int gnbv_page_plan(gnbv_web_req *r);
int gnbv_page_plan_edit_form(gnbv_web_req *r);
int gnbv_page_plan_edit(gnbv_web_req *r);
int gnbv_page_plan_xlsx(gnbv_web_req *r);
int gnbv_page_plan_docx(gnbv_web_req *r);
/* The review and plan screens of pages_more.c, and every list as CSV. */
int gnbv_page_summary_csv(gnbv_web_req *r);
int gnbv_page_summary_xlsx(gnbv_web_req *r);
int gnbv_page_transitions(gnbv_web_req *r);
int gnbv_page_transitions_csv(gnbv_web_req *r);
int gnbv_page_certificates(gnbv_web_req *r);
int gnbv_page_certificate(gnbv_web_req *r);
int gnbv_page_reviews_csv(gnbv_web_req *r);
int gnbv_page_review_list_csv(gnbv_web_req *r);
int gnbv_page_escape_csv(gnbv_web_req *r);
int gnbv_page_plans_csv(gnbv_web_req *r);
int gnbv_page_plan_csv(gnbv_web_req *r);
int gnbv_page_plan_document(gnbv_web_req *r);

/* Shared by the pages (pages_dash.c): the round asked for (?round= or the
 * form's round; default the latest) and the one before it (0 none), with
 * the years as a JSON list for a <select>; a class's name in the
 * language; the unit asked for (?unit=, NULL for the user's own). */
int gnbv_web_round(gnbv_web_req *r, const char *given, int *year, int *prev, json_t **years);
const char *gnbv_web_class_name(gnbv_web_req *r, int klass);
const char *gnbv_web_unit_param(gnbv_web_req *r);
/* Paged lists (pages_reg.c): the page asked for (?page=, from 1; 1 when
 * absent), GNBV_EINVALID for anything but a positive number; and the
 * pager of page n of `total` rows at the setting's page_size a page, as
 * "pager" in the page's context for templates/pager.html ({{>pager}}):
 * the list's path, the page, the number of pages and the queries of the
 * pages before and after (`filters`, the list's query without the page,
 * URL-encoded, may be "", then page=N). */
int gnbv_web_page_param(gnbv_web_req *r, uint64_t *page);
void gnbv_web_pager(gnbv_web_req *r, json_t *page, const char *path, const char *filters,
                    uint64_t n, uint64_t total);
/* The unit filter of a list (pages_reg.c), the household list's and the
 * user list's: "units" in p, the choices of the select (the user's own
 * unit, its children and, when deeper, the unit asked for, `selected`),
 * and "unit", the unit shown (code and name); *target gets its row. A
 * unit outside the scope or unknown is GNBV_ENOTFOUND (the store's
 * answer). rr is the round whose counts the dashboard's cache computes
 * for the rows; the choices do not depend on it. The query of the filter,
 * unit=CODE URL-encoded, is appended to out (nothing for NULL). */
int gnbv_web_unit_choices(gnbv_web_req *r, json_t *p, const char *unit,
                          const gnbv_round_ref *rr, gnbv_dash_row *target);
/* name=v (URL-encoded) appended to a query, after '&' when it has one;
 * nothing when v is NULL or "". */
void gnbv_web_query_arg(gnbv_wbuf *q, const char *name, const char *v);
void gnbv_web_unit_query(gnbv_web_req *r, const char *unit, gnbv_wbuf *out);
/* The CSV cell of a value: quoted when needed, and a leading = + - @ made
 * inert with a quote (quality.md S6: CSV formula injection). */
void gnbv_web_csv_cell(gnbv_wbuf *b, const char *v, int first);

/* The plan document's own fields (number, date, signer, status), its
 * outputs and targets by section, and the status choices, as "doc" in a
 * plan page's context (pages_more.c; gnbv_page_plan calls it). */
struct gnbv_plan;
int gnbv_web_plan_doc(gnbv_web_req *r, const struct gnbv_plan *p, json_t *page);

/* Downloads written by a file writer (pages_more.c): a private temporary
 * file (mkstemp under TMPDIR), then its bytes as the body, the file
 * removed either way. */
int gnbv_web_tmpfile(char *path, size_t cap);
int gnbv_web_send_file(gnbv_web_req *r, const char *path);

/* An access record (quality.md S3): who saw or downloaded which personal
 * data; detail (owned, may be NULL on allocation failure) as sorted JSON.
 * (pages_reg.c) */
int gnbv_web_access(gnbv_web_req *r, const char *action, const char *object, json_t *detail);
/* The same for a round's list (pages_more.c): object "KIND:CODE:YEAR",
 * detail {round, rows, what} and, for an export, format csv. */
int gnbv_web_access_round(gnbv_web_req *r, const char *action, const char *object, int year,
                          uint64_t rows, const char *what);

/* The undecided ad-hoc requests past their deadline in the user's scope
 * (pages_review.c): "overdue_n" on the page, and "overdue" with the
 * households for the roles that see personal data. */
int gnbv_web_overdue(gnbv_web_req *r, json_t *page);

/* SVG charts (svg.c): markup built and escaped here, for {{{raw}}}. */
typedef struct gnbv_bar {
	const char *label;
	double v[3];
} gnbv_bar;
/* Horizontal stacked bars (poor, near-poor, average) as shares of 100%. */
void gnbv_svg_stacked(gnbv_wbuf *b, const gnbv_bar *bars, size_t n, const char *const legend[3]);
/* Horizontal bars of one value each, 0..max. */
void gnbv_svg_bars(gnbv_wbuf *b, const gnbv_bar *bars, size_t n, double max, const char *unit);

#endif
