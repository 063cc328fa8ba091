/*
 * pages_auth.c - the start page, login, logout and the static style sheet.
 *
 * Login (quality.md S4, S5): the form carries a pre-session CSRF token
 * that must equal the gnbv_pre cookie (double submit; the server checks
 * it with the Origin before this handler runs), so another site cannot
 * log a browser into an account of its choosing. A successful login gets
 * a new session token (never one the browser brought), sent as an
 * HttpOnly, SameSite=Strict cookie; a failed one says the same thing
 * whatever was wrong, with 401, or 429 while the name is throttled.
 */
#include "web.h"

#include "gnbv/error.h"

#include "io/embed.h"

#include <string.h>

int gnbv_page_home(gnbv_web_req *r)
{
	return gnbv_web_redirect(r, "/dashboard");
}

static void login_page(gnbv_web_req *r, const char *name)
{
	if (!r->pre_csrf[0] || strlen(r->pre_csrf) != GNBV_TOKEN_CHARS) {
		gnbv_token_new(r->pre_csrf);
		gnbv_web_cookie(r, "gnbv_pre", r->pre_csrf, 3600, 1);
	}
	if (!r->page) r->page = json_object();
	json_object_set_new(r->page, "csrf", json_string(r->pre_csrf));
	json_object_set_new(r->page, "name", json_string(name ? name : ""));
	r->tmpl = "login";
	r->title_key = "login.title";
}

int gnbv_page_login_form(gnbv_web_req *r)
{
	if (r->logged_in) return gnbv_web_redirect(r, "/dashboard");
	login_page(r, NULL);
	return 0;
}

gnbv_session_limits gnbv_web_session_limits(const gnbv_web_req *r)
{
	gnbv_session_limits lim = {(int64_t)r->cfg->session_idle_min * 60,
	                           (int64_t)r->cfg->session_absolute_h * 3600};
	return lim;
}

int gnbv_page_login(gnbv_web_req *r)
{
	const char *name = gnbv_web_form(r, "name", GNBV_USER_NAME_MAX);
	const char *pw = gnbv_web_form(r, "password", GNBV_PASSWORD_MAX);
	char tok[GNBV_TOKEN_CHARS + 1];
	int64_t retry = 0;
	gnbv_session_limits lim = gnbv_web_session_limits(r);
	int rc = name && pw ? gnbv_session_login(r->s, name, pw, r->now, &lim, tok, NULL, &retry)
	                    : GNBV_EDENIED;
	if (rc == GNBV_EDENIED) {
		r->page = json_object();
		if (retry > 0) {
			json_object_set_new(r->page, "retry", json_string(gnbv_web_int(r, retry)));
			r->status = 429;
		} else {
			json_object_set_new(r->page, "failed", json_true());
			r->status = 401;
		}
		login_page(r, name); /* invalid UTF-8 is left out by jansson */
		return 0;
	}
	if (rc) return rc;
	/* A session cookie (no Max-Age): it goes when the browser closes. */
	gnbv_web_cookie(r, "gnbv_session", tok, -1, 1);
	gnbv_web_cookie(r, "gnbv_pre", "", 0, 1);
	return gnbv_web_redirect(r, "/dashboard");
}

int gnbv_page_logout(gnbv_web_req *r)
{
	/* r->token is the cookie the server has just checked. */
	int rc = gnbv_session_end(r->s, r->token);
	if (rc) return rc;
	gnbv_web_cookie(r, "gnbv_session", "", 0, 1);
	return gnbv_web_redirect(r, "/login");
}

int gnbv_page_static(gnbv_web_req *r)
{
	char name[160];
	/* Only files embedded under static/: there is no file system path. */
	snprintf(name, sizeof name, "static/%s", r->arg);
	const gnbv_embedded_file *f = strstr(r->arg, "..") ? NULL : gnbv_embedded_find(name);
	if (!f) return gnbv_error_set(GNBV_ENOTFOUND, "no static file");
	size_t n = strlen(r->arg);
	r->ctype = n > 4 && !strcmp(r->arg + n - 4, ".css") ? "text/css; charset=utf-8"
	                                                    : "application/octet-stream";
	r->cacheable = 1;
	gnbv_wbuf_put(&r->out, (const char *)f->data, f->len);
	return 0;
}
