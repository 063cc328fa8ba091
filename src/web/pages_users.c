/*
 * pages_users.c - accounts on the web (issue 6, "Accounts"): every user's
 * own account page with the form to change their password, and the
 * administrator's screens over the accounts of their units: the list, its
 * CSV, the form to add an account, one account's page with the forms to
 * disable it and to reset its password.
 *
 * The list is paged and filtered by unit as the household list is
 * (pages_reg.c's pager and unit select, the `page_size` setting, ?unit=),
 * the store taking the page and narrowing the scope to the unit; its CSV
 * is the whole list of the same unit, in the same order.
 *
 * Who may do what is the route table's (routes.c: `user` for my account,
 * `users` for the rest, the administrator's); which accounts is the
 * store's: gnbv_account_list, _get_in, _add, _disable and _set_password
 * take the user's scope and refuse everything outside it, so a crafted
 * POST naming a unit or an account of another district is "not found"
 * there, whatever this file checks first. The store also writes the audit
 * records of every change, in the change's transaction, and ends the
 * sessions of a disabled or reset user (gnbv/accounts.h).
 *
 * Accounts are named in URLs by their number, never their name (a name is
 * often a person's); passwords travel only in POST bodies, are checked
 * here (typed twice, gnbv_password_check) so that each field gets its own
 * sentence of the catalogue, are never echoed back into a form, and are
 * never logged. Changing one's own password ends every session of the
 * user and gives this browser a new session cookie (the old token is
 * dead): that needs nothing of server.c but gnbv_web_cookie.
 */
#include "web.h"

#include "gnbv/dash.h"
#include "gnbv/error.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The unit select lists at most this many units (a district has a few
 * dozen, a province a few hundred); above it, a whole country's
 * administrator types the unit's code. */
#define UNIT_OPTIONS_MAX 2000

static json_t *js(const char *s)
{
	return json_string(s ? s : "");
}

/* A time for the page: the server's local "YYYY-MM-DD HH:MM", or the
 * catalogue's `never` when 0. */
static const char *when(gnbv_web_req *r, int64_t t, const char *never)
{
	if (!t) return gnbv_web_msg(r, never);
	char *b = gnbv_arena_alloc(r->arena, 24);
	time_t tt = (time_t)t;
	struct tm tm;
	if (!b || !localtime_r(&tt, &tm) || !strftime(b, 24, "%Y-%m-%d %H:%M", &tm)) return "";
	return b;
}

/* The same for the CSV: UTC, ISO 8601; "" when 0. */
static void utc(char out[24], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	out[0] = '\0';
	if (t && gmtime_r(&tt, &tm)) strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *user_json(gnbv_web_req *r, const gnbv_user *u)
{
	return json_pack(
	    "{s:I,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:b}", "id", (json_int_t)u->user_id,
	    "name", u->name, "role", gnbv_web_msg(r, gnbv_role_name(u->role)), "role_code",
	    gnbv_role_name(u->role) ? gnbv_role_name(u->role) : "", "unit",
	    u->unit_name[0] ? u->unit_name : gnbv_web_msg(r, "unit.all"), "unit_code", u->unit_code,
	    "disabled", u->disabled, "state",
	    gnbv_web_msg(r, u->disabled ? "users.disabled" : "users.enabled"), "created",
	    when(r, u->created_at, "users.never"), "last_login",
	    when(r, u->last_login_at, "users.never"), "pw_changed",
	    when(r, u->pw_changed_at, "users.never"), "self", u->user_id == r->sess.user.user_id);
}

/* ?done=WHAT as the catalogue's sentence PREFIX.done.WHAT, when it has one. */
static void done_note(gnbv_web_req *r, json_t *p, const char *prefix)
{
	const char *done = gnbv_web_query(r, "done", 24);
	char key[64];
	if (!done) return;
	snprintf(key, sizeof key, "%s.done.%s", prefix, done);
	if (json_object_get(r->cat, key)) json_object_set_new(p, "done", js(gnbv_web_msg(r, key)));
}

/* The catalogue key of what is wrong with a new password typed twice and
 * the field to mark, or NULL when it may be used (the store checks the
 * rules again). */
static const char *new_password_error(const char *pw, const char *again, const char **field)
{
	*field = "password2";
	if (!pw || !again || strcmp(pw, again)) return "users.err.mismatch";
	*field = "password";
	if (gnbv_password_check(pw)) {
		gnbv_error_clear();
		return "users.err.weak";
	}
	return NULL;
}

/* A refused form: its page again with the sentence, `field` marked. */
static void form_error(json_t *p, gnbv_web_req *r, const char *field, const char *key)
{
	json_t *bad = json_object_get(p, "bad");
	if (!bad) json_object_set_new(p, "bad", bad = json_object());
	if (field) json_object_set_new(bad, field, js(gnbv_web_msg(r, key)));
	if (!json_object_get(p, "error"))
		json_object_set_new(p, "error",
		                    js(gnbv_web_msg(r, field ? "users.err.form" : key)));
}

/* ---- my account ---- */

static void account_page(gnbv_web_req *r)
{
	json_t *p = r->page ? r->page : (r->page = json_object());
	json_object_set_new(p, "user", user_json(r, &r->sess.user));
	r->tmpl = "account";
	r->title_key = "account.title";
}

int gnbv_page_account(gnbv_web_req *r)
{
	r->page = json_object();
	done_note(r, r->page, "account");
	account_page(r);
	return 0;
}

int gnbv_page_account_password(gnbv_web_req *r)
{
	const char *cur = gnbv_web_form(r, "current", GNBV_PASSWORD_MAX);
	const char *pw = gnbv_web_form(r, "password", GNBV_PASSWORD_MAX);
	const char *again = gnbv_web_form(r, "password2", GNBV_PASSWORD_MAX);
	gnbv_session_limits lim = gnbv_web_session_limits(r);
	char tok[GNBV_TOKEN_CHARS + 1];
	int64_t retry = 0;
	json_t *p = r->page = json_object();
	const char *bad, *field;
	if (!cur || !*cur) {
		form_error(p, r, "current", "account.err.current");
	} else if ((bad = new_password_error(pw, again, &field))) {
		form_error(p, r, field, bad);
	} else if (!strcmp(cur, pw)) {
		form_error(p, r, "password", "account.err.same");
	}
	if (json_object_get(p, "error")) {
		r->status = 400;
		account_page(r);
		return 0;
	}
	int rc =
	    gnbv_session_change_password(r->s, r->token, cur, pw, r->now, &lim, tok, NULL, &retry);
	if (rc == GNBV_ENOTFOUND) { /* the session ended meanwhile */
		gnbv_web_cookie(r, "gnbv_session", "", 0, 1);
		return gnbv_web_redirect(r, "/login");
	}
	if (rc == GNBV_EDENIED || rc == GNBV_EINVALID) {
		gnbv_error_clear();
		if (retry > 0) {
			form_error(p, r, NULL, "account.err.throttled");
			json_object_set_new(p, "retry", js(gnbv_web_int(r, retry)));
			r->status = 429;
		} else if (rc == GNBV_EINVALID) {
			form_error(p, r, "password", "users.err.weak");
			r->status = 400;
		} else {
			form_error(p, r, "current", "account.err.current");
			r->status = 403;
		}
		account_page(r);
		return 0;
	}
	if (rc) return rc;
	/* Every session of the user has ended, this one too: the browser goes
	 * on with the new one (a session cookie, as at login). */
	gnbv_web_cookie(r, "gnbv_session", tok, -1, 1);
	sodium_memzero(tok, sizeof tok);
	return gnbv_web_redirect(r, "/account?done=password");
}

/* ---- the list and its CSV ---- */

typedef struct list_ctx {
	gnbv_web_req *r;
	json_t *a;
	uint64_t rows;
} list_ctx;

static int add_user_row(void *ctx, const gnbv_user *u)
{
	list_ctx *c = ctx;
	json_array_append_new(c->a, user_json(c->r, u));
	return 0;
}

/* The list's filters besides the unit: ?role=NAME and ?state=enabled or
 * disabled (empty: any). Anything else is a bad request, as a bad ?page=
 * is. The selects' options go into the page, the chosen one marked, and
 * the filters into the query that the pager and the CSV link keep. */
static int user_filters(gnbv_web_req *r, json_t *p, gnbv_user_filter *f, gnbv_wbuf *qs)
{
	const char *role = gnbv_web_query(r, "role", 16), *state = gnbv_web_query(r, "state", 16);
	if (role && *role && gnbv_role_parse(role) < 0) return gnbv_error_set(GNBV_EINVALID, "role");
	f->role = role && *role ? role : NULL;
	f->state = state && *state ? gnbv_user_state_parse(state) : GNBV_USER_ANY;
	if (f->state < 0) return gnbv_error_set(GNBV_EINVALID, "state");
	if (p) {
		json_t *roles = json_array();
		for (int i = 0; i < GNBV_ROLE_COUNT; i++)
			json_array_append_new(roles, json_pack("{s:s,s:s,s:b}", "code", gnbv_role_name(i), "name",
			                                       gnbv_web_msg(r, gnbv_role_name(i)), "selected",
			                                       f->role && !strcmp(f->role, gnbv_role_name(i))));
		json_object_set_new(p, "roles", roles);
		json_object_set_new(p, "state_enabled", json_boolean(f->state == GNBV_USER_ENABLED));
		json_object_set_new(p, "state_disabled", json_boolean(f->state == GNBV_USER_DISABLED));
	}
	if (qs) {
		if (f->role) gnbv_web_query_arg(qs, "role", f->role);
		if (f->state) gnbv_web_query_arg(qs, "state", gnbv_user_state_name(f->state));
	}
	return 0;
}

/* A page of the accounts, `page_size` of them, as the household list
 * pages (the same ?page= and pager): a province's administrator may have
 * thousands, so they may also ask for one unit's (?unit=, the household
 * list's filter and select). The store takes the page (gnbv_account_list:
 * by unit in the tree's order, then by name in Vietnamese order), narrows
 * the scope to the unit and counts its accounts for the pager. */
int gnbv_page_users(gnbv_web_req *r)
{
	uint64_t page, total = 0;
	size_t ps = (size_t)r->cfg->page_size;
	const char *unit = gnbv_web_unit_param(r);
	gnbv_wbuf qs = {0};
	gnbv_dash_row target;
	int rc = gnbv_web_page_param(r, &page);
	if (rc) return rc;
	json_t *p = r->page = json_object();
	/* The household list's select (its units and its answer to a unit
	 * outside the scope), without a round: no counts are read. */
	if ((rc = gnbv_web_unit_choices(r, p, unit, NULL, &target))) goto done;
	json_t *a = json_array();
	json_object_set_new(p, "users", a); /* owned by the page; filled below */
	list_ctx c = {r, a, 0};
	gnbv_user_filter f = {(page - 1) * ps, ps, unit, NULL, GNBV_USER_ANY};
	gnbv_web_unit_query(r, unit, &qs);
	if ((rc = user_filters(r, p, &f, &qs))) goto done;
	if ((rc = gnbv_account_list(r->s, &r->scope, &f, add_user_row, &c, &total))) goto done;
	json_object_set_new(p, "found", js(gnbv_web_int(r, (int64_t)total)));
	json_object_set_new(p, "has_users", json_boolean(json_array_size(a) > 0));
	json_object_set_new(p, "query", json_stringn(qs.p ? qs.p : "", qs.len));
	gnbv_web_pager(r, p, "/users", qs.p ? qs.p : "", page, total);
	json_object_set_new(p, "scope",
	                    js(target.name[0] ? target.name : gnbv_web_msg(r, "unit.all")));
	r->tmpl = "users";
	r->title_key = "users.title";
done:
	gnbv_wbuf_free(&qs);
	return rc;
}

static int csv_user(void *ctx, const gnbv_user *u)
{
	list_ctx *c = ctx;
	gnbv_wbuf *b = &c->r->out;
	char t[3][24];
	utc(t[0], u->created_at);
	utc(t[1], u->last_login_at);
	utc(t[2], u->pw_changed_at);
	gnbv_web_csv_cell(b, u->name, 1);
	gnbv_web_csv_cell(b, gnbv_role_name(u->role) ? gnbv_role_name(u->role) : "", 0);
	gnbv_web_csv_cell(b, u->unit_code, 0);
	gnbv_web_csv_cell(b, u->unit_name, 0);
	gnbv_web_csv_cell(b, u->disabled ? "disabled" : "enabled", 0);
	for (int i = 0; i < 3; i++)
		gnbv_web_csv_cell(b, t[i], 0);
	gnbv_wbuf_put(b, "\r\n", 2);
	c->rows++;
	return 0;
}

int gnbv_page_users_csv(gnbv_web_req *r)
{
	list_ctx c = {r, NULL, 0};
	gnbv_wbuf_str(&r->out, "\xef\xbb\xbf"
	                       "name,role,unit_code,unit_name,state,created_at,last_login_at,"
	                       "password_changed_at\r\n");
	/* The list's unit filter, checked by the store (a unit outside the
	 * scope is "not found", as for the household CSV); ?page= is ignored. */
	const char *unit = gnbv_web_unit_param(r);
	gnbv_user_filter f = {0, 0, unit, NULL, GNBV_USER_ANY};
	int rc = user_filters(r, NULL, &f, NULL);
	if (rc) return rc;
	if ((rc = gnbv_account_list(r->s, &r->scope, &f, csv_user, &c, NULL))) return rc;
	/* Officers' names and roles leave the application: recorded as every
	 * export is (who, when, how many; never the names), with the unit
	 * exported: the one asked for, else the administrator's. */
	char object[GNBV_STORE_CODE_MAX + 16], detail[128];
	snprintf(object, sizeof object, "users:%s",
	         unit                      ? unit
	         : r->sess.user.unit_code[0] ? r->sess.user.unit_code
	                                     : "all");
	/* the filters too, so that the record says which accounts left (the
	 * role is one of the fixed names: no escaping needed) */
	snprintf(detail, sizeof detail, "{\"format\":\"csv\",\"rows\":%llu%s%s%s%s%s%s}",
	         (unsigned long long)c.rows, f.role ? ",\"role\":\"" : "", f.role ? f.role : "",
	         f.role ? "\"" : "", f.state ? ",\"state\":\"" : "",
	         f.state ? gnbv_user_state_name(f.state) : "", f.state ? "\"" : "");
	if ((rc = gnbv_dash_access(r->s, "access.export", object, detail))) return rc;
	r->ctype = "text/csv; charset=utf-8";
	snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"users.csv\"");
	return 0;
}

/* ---- adding an account ---- */

/* The units a new account may be given: the user's unit and those below
 * it (a tree walk is in preorder: the subtree is the run of deeper units
 * after its root), still valid today, villages left out (no role works at
 * a village: product.md). The store checks the scope again at add. */
typedef struct units_ctx {
	gnbv_web_req *r;
	json_t *a;
	const char *selected, *today;
	int64_t root;
	int root_depth; /* -1 until the root is met */
	size_t n;
} units_ctx;

#define UNITS_WALK_DONE 1

static int add_unit_option(void *ctx, const gnbv_unit *u)
{
	units_ctx *c = ctx;
	if (c->root && c->root_depth < 0) {
		if (u->unit_id != c->root) return 0;
		c->root_depth = u->depth;
	} else if (c->root && u->depth <= c->root_depth) {
		return UNITS_WALK_DONE;
	}
	if (!strcmp(u->level, "village") || (u->valid_to[0] && strcmp(u->valid_to, c->today) < 0))
		return 0;
	if (++c->n > UNIT_OPTIONS_MAX) return UNITS_WALK_DONE;
	char label[GNBV_STORE_NAME_MAX + GNBV_STORE_CODE_MAX + 8];
	snprintf(label, sizeof label, "%s (%s)", u->name, u->code);
	json_array_append_new(c->a,
	                      json_pack("{s:s,s:s,s:b}", "code", u->code, "name", label, "selected",
	                                c->selected && !strcmp(c->selected, u->code)));
	return 0;
}

/* The add form, with what was typed (never the passwords) when it comes
 * back refused. */
static int new_form(gnbv_web_req *r, const char *name, int role, const char *unit)
{
	json_t *p = r->page ? r->page : (r->page = json_object());
	char today[11];
	time_t t = (time_t)r->now;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(today, sizeof today, "%Y-%m-%d", &tm);
	units_ctx c = {r, json_array(), unit, today, r->sess.user.unit_id, -1, 0};
	int rc = gnbv_store_units_each(r->s, add_unit_option, &c);
	if (rc && rc != UNITS_WALK_DONE) {
		json_decref(c.a);
		return rc;
	}
	if (c.n > UNIT_OPTIONS_MAX) {
		json_array_clear(c.a);
		json_object_set_new(p, "unit_text", json_true());
	}
	json_object_set_new(p, "units", c.a);
	json_object_set_new(p, "whole_tree", json_boolean(!r->sess.user.unit_id));
	json_object_set_new(p, "unit_none", json_boolean(!unit || !*unit));
	json_object_set_new(p, "unit_value", js(unit));
	json_t *roles = json_array();
	for (int i = 0; i < GNBV_ROLE_COUNT; i++)
		json_array_append_new(roles, json_pack("{s:s,s:s,s:b}", "code", gnbv_role_name(i),
		                                       "name", gnbv_web_msg(r, gnbv_role_name(i)),
		                                       "selected", i == role));
	json_object_set_new(p, "roles", roles);
	json_object_set_new(p, "name", js(name));
	r->tmpl = "user_new";
	r->title_key = "users.new_title";
	return 0;
}

int gnbv_page_user_new_form(gnbv_web_req *r)
{
	return new_form(r, NULL, -1, NULL);
}

int gnbv_page_user_new(gnbv_web_req *r)
{
	const char *name = gnbv_web_form(r, "name", GNBV_USER_NAME_MAX);
	const char *role_s = gnbv_web_form(r, "role", 16);
	const char *unit = gnbv_web_form(r, "unit", GNBV_STORE_CODE_MAX);
	const char *pw = gnbv_web_form(r, "password", GNBV_PASSWORD_MAX);
	const char *again = gnbv_web_form(r, "password2", GNBV_PASSWORD_MAX);
	int role = gnbv_role_parse(role_s);
	json_t *p = r->page = json_object();
	const char *bad, *field;
	if (!unit) unit = "";
	if (gnbv_user_name_check(name)) {
		gnbv_error_clear();
		form_error(p, r, "name", "users.err.name");
	}
	if (role < 0) form_error(p, r, "role", "users.err.role");
	if (role >= 0 && role != GNBV_ROLE_ADMIN && !unit[0])
		form_error(p, r, "unit", "users.err.need_unit");
	if ((bad = new_password_error(pw, again, &field))) form_error(p, r, field, bad);
	if (json_object_get(p, "error")) {
		r->status = 400;
		return new_form(r, name, role, unit);
	}
	int rc = gnbv_account_add(r->s, &r->scope, name, role, unit, pw, r->now);
	/* The store's refusals, each with its field and status. A unit out of
	 * scope is "no unit", the same as a code that does not exist. */
	static const struct {
		int rc, status;
		const char *field, *key;
	} REFUSED[] = {{GNBV_ECONFLICT, 409, "name", "users.err.exists"},
	               {GNBV_ENOTFOUND, 404, "unit", "users.err.unit"},
	               {GNBV_EDENIED, 403, "unit", "users.err.whole"},
	               {GNBV_EINVALID, 400, NULL, "users.err.invalid"}};
	for (size_t i = 0; rc && i < sizeof REFUSED / sizeof REFUSED[0]; i++) {
		if (REFUSED[i].rc != rc) continue;
		gnbv_error_clear();
		form_error(p, r, REFUSED[i].field, REFUSED[i].key);
		r->status = REFUSED[i].status;
		return new_form(r, name, role, unit);
	}
	if (rc) return rc; /* a fault: the server's 500 */
	gnbv_user u;
	if ((rc = gnbv_account_get(r->s, name, &u))) return rc;
	char loc[64];
	snprintf(loc, sizeof loc, "/user/%lld?done=added", (long long)u.user_id);
	return gnbv_web_redirect(r, loc);
}

/* ---- one account ---- */

/* The account of the path's number, inside the user's scope (the store's
 * answer, ENOTFOUND, for any other). */
static int user_arg(gnbv_web_req *r, gnbv_user *u)
{
	size_t n = strlen(r->arg);
	long long id =
	    n && n < 19 && strspn(r->arg, "0123456789") == n ? strtoll(r->arg, NULL, 10) : 0;
	if (id <= 0) return gnbv_error_set(GNBV_ENOTFOUND, "no such user");
	return gnbv_account_get_in(r->s, &r->scope, (int64_t)id, u);
}

static void user_page(gnbv_web_req *r, const gnbv_user *u)
{
	json_t *p = r->page ? r->page : (r->page = json_object());
	json_object_set_new(p, "user", user_json(r, u));
	r->tmpl = "user";
	r->title_key = "users.user_title";
}

int gnbv_page_user(gnbv_web_req *r)
{
	gnbv_user u;
	int rc = user_arg(r, &u);
	if (rc) return rc;
	r->page = json_object();
	done_note(r, r->page, "users");
	user_page(r, &u);
	return 0;
}

/* A change refused before the store: the account's page with why. */
static int user_refused(gnbv_web_req *r, const gnbv_user *u, int status, const char *field,
                        const char *key)
{
	r->page = json_object();
	form_error(r->page, r, field, key);
	r->status = status;
	user_page(r, u);
	return 0;
}

static int user_done(gnbv_web_req *r, const gnbv_user *u, const char *what)
{
	char loc[64];
	snprintf(loc, sizeof loc, "/user/%lld?done=%s", (long long)u->user_id, what);
	return gnbv_web_redirect(r, loc);
}

int gnbv_page_user_disable(gnbv_web_req *r)
{
	gnbv_user u;
	int rc = user_arg(r, &u);
	if (rc) return rc;
	/* Not oneself: an administrator would lock themselves out. */
	if (u.user_id == r->sess.user.user_id)
		return user_refused(r, &u, 409, NULL, "users.err.self");
	if (u.disabled) return user_refused(r, &u, 409, NULL, "users.err.already");
	if ((rc = gnbv_account_disable(r->s, &r->scope, u.name, r->now))) return rc;
	return user_done(r, &u, "disabled");
}

int gnbv_page_user_reset(gnbv_web_req *r)
{
	gnbv_user u;
	int rc = user_arg(r, &u);
	if (rc) return rc;
	/* One's own password changes on My account, with the current one. */
	if (u.user_id == r->sess.user.user_id)
		return user_refused(r, &u, 409, NULL, "users.err.self");
	const char *pw = gnbv_web_form(r, "password", GNBV_PASSWORD_MAX);
	const char *again = gnbv_web_form(r, "password2", GNBV_PASSWORD_MAX);
	const char *field, *bad = new_password_error(pw, again, &field);
	if (bad) return user_refused(r, &u, 400, field, bad);
	if ((rc = gnbv_account_set_password(r->s, &r->scope, u.name, pw, 1, r->now))) return rc;
	return user_done(r, &u, "reset");
}
