/*
 * test_accounts.c - accounts, sessions and throttling (gnbv/accounts.h):
 * the password rules, Argon2id hashes only, the audit records, scopes from
 * units, tokens renewed at every login and stored only as hashes, sessions
 * ended by logout, disable and password change, a user's own password
 * change renewing their session, scopes confining account changes, idle and
 * absolute expiry,
 * the CSRF compare, and the throttle that stops checking passwords after
 * five failures (quality.md S4, S5). Runs on SQLite, and on PostgreSQL
 * under tests/pg/pg-test-server (store_target.h), where the checks that
 * read the tables directly are SQLite's only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/accounts.h"
#include "gnbv/error.h"
#include "gnbv/store.h"

#include "store_target.h"

#include <dirent.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char PW[] = "Mật khẩu tốt 1";
static const int64_t T0 = 1800000000;

typedef struct fx {
	char dir[256], path[1024], schema[128];
	gnbv_store *s;
	gnbv_scope all;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof f->dir, "%s/gnbv-accounts-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir)) return -1;
	if (store_target_fresh(f->dir, "acc", f->path, sizeof f->path, f->schema, sizeof f->schema))
		return -1;
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	o.create = 1;
	o.actor = "test";
	if (gnbv_store_open(&f->s, f->path, &o)) return -1;
	gnbv_store_scope_all(&f->all);
	if (gnbv_store_units_import_builtin(f->s, &f->all, NULL)) return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	gnbv_store_close(f->s);
	store_target_done(f->schema);
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char p[600];
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
		snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
		unlink(p);
	}
	if (d) closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* A count read behind the store's back: SQLite only (-2 on PostgreSQL,
 * where the callers skip the check). */
static long long count(fx *f, const char *sql)
{
	if (f->schema[0]) return -2;
	sqlite3 *db;
	sqlite3_stmt *st;
	long long n = -1;
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void test_password_rules(void **state)
{
	(void)state;
	assert_int_equal(gnbv_password_check("short"), GNBV_EINVALID);
	/* Eight characters in more than eight bytes is enough; seven is not. */
	assert_int_equal(gnbv_password_check("ĐồngĐồng"), 0);
	assert_int_equal(gnbv_password_check("ĐồngĐồn"), GNBV_EINVALID);
	assert_int_equal(gnbv_password_check("Password"), GNBV_EINVALID);
	assert_int_equal(gnbv_password_check("matkhau123"), GNBV_EINVALID);
	assert_int_equal(gnbv_password_check("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"), GNBV_EINVALID);
	char big[GNBV_PASSWORD_MAX + 2];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(gnbv_password_check(big), GNBV_EINVALID);
	big[GNBV_PASSWORD_MAX] = '\0';
	assert_int_equal(gnbv_password_check(big), 0);
}

static int collect_name(void *ctx, const gnbv_user *u)
{
	char *names = ctx;
	size_t n = strlen(names);
	snprintf(names + n, 256 - n, "%s ", u->name);
	return 0;
}

static void test_add_and_scope(void **state)
{
	fx *f = *state;
	gnbv_scope commune, district;
	assert_int_equal(gnbv_account_add(f->s, &f->all, "lan", GNBV_ROLE_COMMUNE, "01366", PW, T0),
	                 0);
	assert_int_equal(gnbv_account_add(f->s, &f->all, "lan", GNBV_ROLE_OFFICE, "045", PW, T0),
	                 GNBV_ECONFLICT);
	assert_int_equal(gnbv_account_add(f->s, &f->all, "x y", GNBV_ROLE_OFFICE, "045", PW, T0),
	                 GNBV_EINVALID);
	assert_int_equal(gnbv_account_add(f->s, &f->all, "nounit", GNBV_ROLE_OFFICE, NULL, PW, T0),
	                 GNBV_EINVALID);
	assert_int_equal(
	    gnbv_account_add(f->s, &f->all, "nowhere", GNBV_ROLE_OFFICE, "99999", PW, T0),
	    GNBV_ENOTFOUND);
	assert_int_equal(gnbv_account_add(f->s, &f->all, "root", GNBV_ROLE_ADMIN, NULL, PW, T0), 0);
	/* A scope manages the accounts of its subtree only: the district adds
	 * users of its own unit and of its communes, not of the province above
	 * (the same answer as an unknown unit) nor without a unit. */
	assert_int_equal(gnbv_store_scope_unit(f->s, "045", 0, &district), 0);
	assert_int_equal(gnbv_account_add(f->s, &district, "hoa", GNBV_ROLE_VIEWER, "045", PW, T0),
	                 0);
	assert_int_equal(gnbv_account_add(f->s, &district, "mai", GNBV_ROLE_ADMIN, "01367", PW, T0),
	                 0);
	assert_int_equal(gnbv_account_add(f->s, &district, "up", GNBV_ROLE_VIEWER, "04", PW, T0),
	                 GNBV_ENOTFOUND);
	assert_int_equal(gnbv_account_add(f->s, &district, "all", GNBV_ROLE_ADMIN, NULL, PW, T0),
	                 GNBV_EDENIED);
	assert_int_equal(gnbv_account_add(f->s, NULL, "none", GNBV_ROLE_VIEWER, "045", PW, T0),
	                 GNBV_EDENIED);
	/* A commune's scope: its own users only; the district's, the other
	 * commune's and the whole-tree admin are "no such user". */
	gnbv_scope a, b;
	assert_int_equal(gnbv_store_scope_unit(f->s, "01366", 0, &a), 0);
	assert_int_equal(gnbv_store_scope_unit(f->s, "01367", 0, &b), 0);
	assert_int_equal(gnbv_account_disable(f->s, &a, "hoa", T0), GNBV_ENOTFOUND);
	assert_int_equal(gnbv_account_disable(f->s, &a, "mai", T0), GNBV_ENOTFOUND);
	assert_int_equal(gnbv_account_disable(f->s, &district, "root", T0), GNBV_ENOTFOUND);
	assert_int_equal(gnbv_account_set_password(f->s, &b, "lan", "Một mật khẩu khác", 1, T0),
	                 GNBV_ENOTFOUND);
	assert_int_equal(
	    gnbv_account_set_password(f->s, &district, "root", "Một mật khẩu khác", 1, T0),
	    GNBV_ENOTFOUND);
	gnbv_user got;
	assert_int_equal(gnbv_account_get(f->s, "lan", &got), 0);
	assert_int_equal(gnbv_account_get_in(f->s, &a, got.user_id, &got), 0);
	assert_string_equal(got.name, "lan");
	assert_int_equal(gnbv_account_get_in(f->s, &b, got.user_id, &got), GNBV_ENOTFOUND);
	assert_int_equal(gnbv_account_get_in(f->s, &f->all, 999999, &got), GNBV_ENOTFOUND);
	assert_int_equal(gnbv_account_get(f->s, "root", &got), 0);
	assert_int_equal(gnbv_account_get_in(f->s, &district, got.user_id, &got), GNBV_ENOTFOUND);
	char names[256];
	names[0] = '\0';
	assert_int_equal(gnbv_account_each(f->s, &district, collect_name, names), 0);
	assert_string_equal(names, "hoa lan mai ");
	names[0] = '\0';
	assert_int_equal(gnbv_account_each(f->s, &b, collect_name, names), 0);
	assert_string_equal(names, "mai ");
	names[0] = '\0';
	assert_int_equal(gnbv_account_each(f->s, &f->all, collect_name, names), 0);
	assert_string_equal(names, "root hoa lan mai "); /* no unit first, then tree order */
	/* The district disables and resets in its subtree. */
	assert_int_equal(gnbv_account_disable(f->s, &district, "mai", T0 + 1), 0);
	assert_int_equal(gnbv_account_set_password(f->s, &b, "mai", "Một mật khẩu khác", 1, T0 + 2),
	                 0);
	assert_int_equal(gnbv_account_get(f->s, "mai", &got), 0);
	assert_int_equal(got.disabled, 0);
	assert_int_equal(got.pw_changed_at, T0 + 2);
	assert_int_equal(got.last_login_at, 0);

	gnbv_user u;
	assert_int_equal(gnbv_account_get(f->s, "lan", &u), 0);
	assert_string_equal(u.unit_code, "01366");
	assert_int_equal(u.role, GNBV_ROLE_COMMUNE);
	assert_int_equal(gnbv_account_scope(f->s, &u, &commune), 0);
	gnbv_scope want;
	assert_int_equal(gnbv_store_scope_unit(f->s, "01366", 0, &want), 0);
	assert_string_equal(commune.path, want.path);
	assert_int_equal(gnbv_account_get(f->s, "root", &u), 0);
	assert_int_equal(gnbv_account_scope(f->s, &u, &commune), 0);
	assert_string_equal(commune.path, "");

	/* Hashes are Argon2id strings; the password itself is nowhere. */
	if (!f->schema[0])
		assert_int_equal(
		    count(f, "SELECT count(*) FROM app_user WHERE pw_hash LIKE '$argon2id$%'"), 4);
	if (!f->schema[0])
		assert_int_equal(
		    count(f, "SELECT count(*) FROM audit_log WHERE action = 'user.add'"), 4);
	if (!f->schema[0])
		assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action IN "
		                          "('user.disable', 'user.reset') AND object = 'user:mai'"),
		                 2);
	uint64_t n;
	assert_int_equal(gnbv_store_audit_verify(f->s, &n), 0);
}

/* The names of a page of the list (of the unit's subtree when unit is
 * not NULL), or of the whole list (limit 0); the list's answer. */
static int unit_names(fx *f, const gnbv_scope *sc, const char *unit, uint64_t offset,
                      size_t limit, char *names, uint64_t *total)
{
	gnbv_user_filter flt = {offset, limit, unit, NULL, GNBV_USER_ANY};
	*total = 99;
	names[0] = '\0';
	return gnbv_account_list(f->s, sc, &flt, collect_name, names, total);
}

static uint64_t page_names(fx *f, const gnbv_scope *sc, uint64_t offset, size_t limit, char *names)
{
	uint64_t total;
	assert_int_equal(unit_names(f, sc, NULL, offset, limit, names, &total), 0);
	return total;
}

/* The administrator's list, paged by the store (docs/web.md, "The list
 * and its CSV"): by unit in the tree's order, then by name in Vietnamese
 * order (case does not come first, as it would in byte order), pages that
 * add up to the whole list, the scope's count, nothing outside it. */
static void test_list_pages(void **state)
{
	fx *f = *state;
	gnbv_scope district, a, b;
	static const struct {
		const char *name, *unit;
		int role;
	} USERS[] = {{"root", NULL, GNBV_ROLE_ADMIN},    {"tinh", "04", GNBV_ROLE_OFFICE},
	             {"Zed", "045", GNBV_ROLE_VIEWER},   {"an", "045", GNBV_ROLE_OFFICE},
	             {"Binh", "045", GNBV_ROLE_ADMIN},   {"b2", "01366", GNBV_ROLE_COMMUNE},
	             {"a1", "01366", GNBV_ROLE_COMMUNE}, {"c", "01367", GNBV_ROLE_COMMUNE}};
	for (size_t i = 0; i < sizeof USERS / sizeof USERS[0]; i++)
		assert_int_equal(gnbv_account_add(f->s, &f->all, USERS[i].name, USERS[i].role,
		                                  USERS[i].unit, PW, T0),
		                 0);
	assert_int_equal(gnbv_store_scope_unit(f->s, "045", 0, &district), 0);
	assert_int_equal(gnbv_store_scope_unit(f->s, "01366", 0, &a), 0);
	assert_int_equal(gnbv_store_scope_unit(f->s, "01367", 0, &b), 0);
	/* The two communes come in the order of their paths. */
	int a_first = strcmp(a.path, b.path) < 0;
	const char *want_all =
	    a_first ? "root tinh an Binh Zed a1 b2 c " : "root tinh an Binh Zed c a1 b2 ";
	const char *want_district = want_all + strlen("root tinh ");
	char names[256], pages[256];
	assert_int_equal(page_names(f, &f->all, 0, 0, names), 8);
	assert_string_equal(names, want_all);
	/* Pages of three, taken one after the other, are the whole list. */
	pages[0] = '\0';
	for (uint64_t off = 0; off < 9; off += 3) {
		assert_int_equal(page_names(f, &f->all, off, 3, names), 8);
		assert_true(strlen(names) > 0);
		strncat(pages, names, sizeof pages - strlen(pages) - 1);
	}
	assert_string_equal(pages, want_all);
	assert_int_equal(page_names(f, &f->all, 6, 3, names), 8);
	assert_string_equal(names, a_first ? "b2 c " : "a1 b2 "); /* the rest */
	/* The district's scope: its units only, counted as such. */
	assert_int_equal(page_names(f, &district, 0, 0, names), 6);
	assert_string_equal(names, want_district);
	assert_int_equal(page_names(f, &district, 0, 4, names), 6);
	assert_int_equal(strncmp(names, want_district, strlen(names)), 0);
	assert_int_equal(page_names(f, &district, 4, 4, pages), 6);
	strncat(names, pages, sizeof names - strlen(names) - 1);
	assert_string_equal(names, want_district);
	assert_int_equal(page_names(f, &b, 0, 10, names), 1);
	assert_string_equal(names, "c ");
	/* Past the end: no row, the same count. */
	assert_int_equal(page_names(f, &district, 6, 4, names), 6);
	assert_string_equal(names, "");
	assert_int_equal(page_names(f, &district, UINT64_MAX, 4, names), 6);
	assert_string_equal(names, "");
	/* A unit asked for narrows the scope to its subtree, counted as such;
	 * one outside the scope (another commune, the province above) is not
	 * found, as an unknown code is, and lists nothing. */
	uint64_t total;
	assert_int_equal(unit_names(f, &f->all, "045", 0, 0, names, &total), 0);
	assert_string_equal(names, want_district);
	assert_int_equal(total, 6);
	assert_int_equal(unit_names(f, &district, "01366", 0, 0, names, &total), 0);
	assert_string_equal(names, "a1 b2 ");
	assert_int_equal(total, 2);
	assert_int_equal(unit_names(f, &district, "01366", 1, 1, names, &total), 0);
	assert_string_equal(names, "b2 ");
	assert_int_equal(total, 2);
	assert_int_equal(unit_names(f, &district, "", 0, 0, names, &total), 0);
	assert_string_equal(names, want_district);
	const struct {
		const gnbv_scope *scope;
		const char *unit;
	} OUT[] = {{&a, "01367"}, {&district, "04"}, {&b, "045"}, {&district, "nope"}};
	for (size_t i = 0; i < sizeof OUT / sizeof OUT[0]; i++) {
		assert_int_equal(unit_names(f, OUT[i].scope, OUT[i].unit, 0, 0, names, &total),
		                 GNBV_ENOTFOUND);
		assert_string_equal(names, "");
	}
	/* A role and a state narrow it further, with the unit or without, the
	 * count and the pages following; an unknown role or state is refused. */
	static const struct {
		const char *unit, *role;
		int state;
		uint64_t offset;
		size_t limit;
		const char *want_a, *want_b; /* communes in path order, or not */
		uint64_t total;
	} NARROW[] = {
	    {NULL, "commune", GNBV_USER_ANY, 0, 0, "a1 b2 c ", "c a1 b2 ", 3},
	    {NULL, "commune", GNBV_USER_ANY, 1, 1, "b2 ", "a1 ", 3},
	    {NULL, "office", GNBV_USER_ANY, 0, 0, "tinh an ", "tinh an ", 2},
	    {"045", "office", GNBV_USER_ANY, 0, 0, "an ", "an ", 1},
	    {NULL, NULL, GNBV_USER_DISABLED, 0, 0, "Zed b2 ", "Zed b2 ", 2},
	    {"01366", "commune", GNBV_USER_ENABLED, 0, 0, "a1 ", "a1 ", 1},
	    {"01366", NULL, GNBV_USER_DISABLED, 0, 0, "b2 ", "b2 ", 1},
	    {"045", "viewer", GNBV_USER_ENABLED, 0, 0, "", "", 0},
	    {NULL, "admin", GNBV_USER_ENABLED, 0, 0, "root Binh ", "root Binh ", 2},
	};
	assert_int_equal(gnbv_account_disable(f->s, &f->all, "b2", T0), 0);
	assert_int_equal(gnbv_account_disable(f->s, &f->all, "Zed", T0), 0);
	for (size_t i = 0; i < sizeof NARROW / sizeof NARROW[0]; i++) {
		gnbv_user_filter nf = {NARROW[i].offset, NARROW[i].limit, NARROW[i].unit, NARROW[i].role,
				       NARROW[i].state};
		names[0] = '\0';
		total = 99;
		assert_int_equal(gnbv_account_list(f->s, &f->all, &nf, collect_name, names, &total), 0);
		const char *want = a_first ? NARROW[i].want_a : NARROW[i].want_b;
		if (strcmp(names, want) || total != NARROW[i].total)
			fail_msg("filter %zu: '%s' (%llu), expected '%s' (%llu)", i, names,
				 (unsigned long long)total, want, (unsigned long long)NARROW[i].total);
	}
	gnbv_user_filter bad = {0, 0, NULL, "mayor", GNBV_USER_ANY};
	assert_int_equal(gnbv_account_list(f->s, &f->all, &bad, collect_name, names, &total), GNBV_EINVALID);
	bad.role = NULL;
	bad.state = 7;
	assert_int_equal(gnbv_account_list(f->s, &f->all, &bad, collect_name, names, &total), GNBV_EINVALID);
	/* No count asked for; no scope refused. */
	gnbv_user_filter flt = {0, 2, NULL, NULL, GNBV_USER_ANY};
	names[0] = '\0';
	assert_int_equal(gnbv_account_list(f->s, &a, &flt, collect_name, names, NULL), 0);
	assert_string_equal(names, "a1 b2 ");
	assert_int_equal(gnbv_account_list(f->s, NULL, &flt, collect_name, names, NULL),
	                 GNBV_EDENIED);
}

static void test_sessions(void **state)
{
	fx *f = *state;
	gnbv_session se, se2;
	char tok[GNBV_TOKEN_CHARS + 1], tok2[GNBV_TOKEN_CHARS + 1];
	gnbv_session_limits lim = {600, 3600};
	int64_t retry;
	assert_int_equal(gnbv_account_add(f->s, &f->all, "lan", GNBV_ROLE_COMMUNE, "01366", PW, T0),
	                 0);
	assert_int_equal(gnbv_session_login(f->s, "lan", PW, T0, &lim, tok, &se, &retry), 0);
	assert_int_equal(strlen(tok), GNBV_TOKEN_CHARS);
	assert_int_equal(strlen(se.csrf), GNBV_TOKEN_CHARS);
	/* A new token at every login; only hashes are stored. */
	assert_int_equal(gnbv_session_login(f->s, "lan", PW, T0, &lim, tok2, &se2, &retry), 0);
	assert_string_not_equal(tok, tok2);
	if (!f->schema[0])
		assert_int_equal(
		    count(f, "SELECT count(*) FROM app_session WHERE length(token_hash) = 64"), 2);
	char q[200];
	snprintf(q, sizeof q, "SELECT count(*) FROM app_session WHERE token_hash = '%s'", tok);
	if (!f->schema[0]) assert_int_equal(count(f, q), 0);

	assert_int_equal(gnbv_session_check(f->s, tok, T0 + 10, &lim, &se2), 0);
	assert_string_equal(se2.user.name, "lan");
	assert_int_equal(se2.user.last_login_at, T0);
	assert_true(gnbv_session_csrf_ok(&se2, se.csrf));
	char wrong[GNBV_TOKEN_CHARS + 1];
	memcpy(wrong, se.csrf, sizeof wrong);
	wrong[5] = wrong[5] == 'A' ? 'B' : 'A';
	assert_false(gnbv_session_csrf_ok(&se2, wrong));
	assert_false(gnbv_session_csrf_ok(&se2, ""));
	assert_false(gnbv_session_csrf_ok(&se2, NULL));

	/* Idle: seen at +10, then quiet for the idle limit. */
	assert_int_equal(gnbv_session_check(f->s, tok, T0 + 500, &lim, &se2), 0);
	assert_int_equal(gnbv_session_check(f->s, tok, T0 + 500 + 600, &lim, &se2), GNBV_ENOTFOUND);
	assert_int_equal(gnbv_session_check(f->s, tok, T0 + 501, &lim, &se2), GNBV_ENOTFOUND);
	/* Absolute: kept busy, it still ends after an hour. */
	assert_int_equal(gnbv_session_login(f->s, "lan", PW, T0, &lim, tok, &se, &retry), 0);
	for (int64_t t = 300; t < 3600; t += 300)
		assert_int_equal(gnbv_session_check(f->s, tok, T0 + t, &lim, &se2), 0);
	assert_int_equal(gnbv_session_check(f->s, tok, T0 + 3600, &lim, &se2), GNBV_ENOTFOUND);

	/* Logout. */
	assert_int_equal(gnbv_session_login(f->s, "lan", PW, T0, &lim, tok, &se, &retry), 0);
	assert_int_equal(gnbv_session_end(f->s, tok), 0);
	assert_int_equal(gnbv_session_check(f->s, tok, T0 + 1, &lim, &se2), GNBV_ENOTFOUND);
	assert_int_equal(gnbv_session_check(f->s, "garbage", T0 + 1, &lim, &se2), GNBV_ENOTFOUND);

	/* Password change and disable end every session. */
	assert_int_equal(gnbv_session_login(f->s, "lan", PW, T0, &lim, tok, &se, &retry), 0);
	assert_int_equal(
	    gnbv_account_set_password(f->s, &f->all, "lan", "Một mật khẩu khác", 0, T0 + 2), 0);
	assert_int_equal(gnbv_session_check(f->s, tok, T0 + 3, &lim, &se2), GNBV_ENOTFOUND);
	assert_int_equal(gnbv_session_login(f->s, "lan", PW, T0 + 4, &lim, tok, &se, &retry),
	                 GNBV_EDENIED);
	assert_int_equal(
	    gnbv_session_login(f->s, "lan", "Một mật khẩu khác", T0 + 4, &lim, tok, &se, &retry),
	    0);
	assert_int_equal(gnbv_account_disable(f->s, &f->all, "lan", T0 + 5), 0);
	assert_int_equal(gnbv_session_check(f->s, tok, T0 + 6, &lim, &se2), GNBV_ENOTFOUND);
	assert_int_equal(
	    gnbv_session_login(f->s, "lan", "Một mật khẩu khác", T0 + 7, &lim, tok, &se, &retry),
	    GNBV_EDENIED);
	/* reset re-enables. */
	assert_int_equal(gnbv_account_set_password(f->s, &f->all, "lan", PW, 1, T0 + 8), 0);
	assert_int_equal(gnbv_session_login(f->s, "lan", PW, T0 + 9, &lim, tok, &se, &retry), 0);
	if (!f->schema[0])
		assert_int_equal(
		    count(f, "SELECT count(*) FROM audit_log WHERE action LIKE 'user.%'"), 4);
	assert_int_equal(gnbv_store_audit_verify(f->s, NULL), 0);
}

/* A user's own password change: the current password checked (and
 * throttled), every session ended, this one renewed with a new token. */
static void test_change_password(void **state)
{
	fx *f = *state;
	gnbv_session se, other, renewed, chk;
	char tok[GNBV_TOKEN_CHARS + 1], tok2[GNBV_TOKEN_CHARS + 1], fresh[GNBV_TOKEN_CHARS + 1];
	gnbv_session_limits lim = {600, 3600};
	int64_t retry = -1;
	const char *NEW = "Mật khẩu mới của Lan";
	assert_int_equal(gnbv_account_add(f->s, &f->all, "lan", GNBV_ROLE_COMMUNE, "01366", PW, T0),
	                 0);
	assert_int_equal(gnbv_session_login(f->s, "lan", PW, T0, &lim, tok, &se, &retry), 0);
	assert_int_equal(gnbv_session_login(f->s, "lan", PW, T0, &lim, tok2, &other, &retry), 0);
	/* Refusals change nothing: a wrong current password, a weak new one,
	 * a session that is not live. */
	assert_int_equal(gnbv_session_change_password(f->s, tok, "not my password", NEW, T0 + 1,
	                                              &lim, fresh, &renewed, &retry),
	                 GNBV_EDENIED);
	assert_int_equal(gnbv_session_change_password(f->s, tok, PW, "12345678", T0 + 1, &lim,
	                                              fresh, &renewed, &retry),
	                 GNBV_EINVALID);
	assert_int_equal(gnbv_session_change_password(f->s, "garbage", PW, NEW, T0 + 1, &lim, fresh,
	                                              &renewed, &retry),
	                 GNBV_ENOTFOUND);
	assert_int_equal(gnbv_session_check(f->s, tok, T0 + 2, &lim, &chk), 0);
	assert_int_equal(gnbv_session_check(f->s, tok2, T0 + 2, &lim, &chk), 0);
	if (!f->schema[0])
		assert_int_equal(
		    count(f, "SELECT count(*) FROM audit_log WHERE action = 'user.password'"), 0);

	assert_int_equal(
	    gnbv_session_change_password(f->s, tok, PW, NEW, T0 + 3, &lim, fresh, &renewed, &retry),
	    0);
	assert_int_equal(strlen(fresh), GNBV_TOKEN_CHARS);
	assert_string_not_equal(fresh, tok);
	assert_string_not_equal(renewed.csrf, se.csrf);
	assert_string_equal(renewed.user.name, "lan");
	/* The old token and the other session are dead, the new one lives. */
	assert_int_equal(gnbv_session_check(f->s, tok, T0 + 4, &lim, &chk), GNBV_ENOTFOUND);
	assert_int_equal(gnbv_session_check(f->s, tok2, T0 + 4, &lim, &chk), GNBV_ENOTFOUND);
	assert_int_equal(gnbv_session_check(f->s, fresh, T0 + 4, &lim, &chk), 0);
	assert_true(gnbv_session_csrf_ok(&chk, renewed.csrf));
	assert_int_equal(chk.user.pw_changed_at, T0 + 3);
	assert_int_equal(gnbv_session_login(f->s, "lan", PW, T0 + 5, &lim, tok, &se, &retry),
	                 GNBV_EDENIED);
	assert_int_equal(gnbv_session_login(f->s, "lan", NEW, T0 + 5, &lim, tok, &se, &retry), 0);
	if (!f->schema[0])
		assert_int_equal(count(f, "SELECT count(*) FROM audit_log WHERE action = "
		                          "'user.password' AND object = 'user:lan'"),
		                 1);

	/* Wrong current passwords count as failed logins: the name is then
	 * blocked, the right one unchecked, here and at the login form. */
	for (int i = 0; i < GNBV_LOGIN_FREE_FAILURES; i++)
		assert_int_equal(gnbv_session_change_password(f->s, tok, "wrong one!", PW, T0 + 10,
		                                              &lim, fresh, &renewed, &retry),
		                 GNBV_EDENIED);
	assert_int_equal(gnbv_session_change_password(f->s, tok, NEW, PW, T0 + 11, &lim, fresh,
	                                              &renewed, &retry),
	                 GNBV_EDENIED);
	assert_int_equal(retry, 29);
	assert_int_equal(gnbv_session_login(f->s, "lan", NEW, T0 + 11, &lim, tok2, &se, &retry),
	                 GNBV_EDENIED);
	assert_int_equal(gnbv_session_check(f->s, tok, T0 + 12, &lim, &chk), 0);
	assert_int_equal(gnbv_store_audit_verify(f->s, NULL), 0);
}

static void test_throttle(void **state)
{
	fx *f = *state;
	gnbv_session se;
	char tok[GNBV_TOKEN_CHARS + 1];
	int64_t retry = -1;
	assert_int_equal(gnbv_account_add(f->s, &f->all, "lan", GNBV_ROLE_COMMUNE, "01366", PW, T0),
	                 0);
	for (int i = 0; i < GNBV_LOGIN_FREE_FAILURES; i++)
		assert_int_equal(
		    gnbv_session_login(f->s, "lan", "wrong one!", T0, NULL, tok, &se, &retry),
		    GNBV_EDENIED);
	/* Blocked for 30 s: even the right password is refused, unchecked. */
	assert_int_equal(gnbv_session_login(f->s, "LAN", PW, T0 + 1, NULL, tok, &se, &retry),
	                 GNBV_EDENIED);
	assert_int_equal(retry, 29);
	assert_int_equal(gnbv_session_login(f->s, "lan", PW, T0 + 31, NULL, tok, &se, &retry), 0);
	assert_int_equal(retry, 0);
	/* Unknown names are throttled the same way, with the same message. */
	char m1[256], m2[256];
	assert_int_equal(gnbv_session_login(f->s, "ghost", PW, T0, NULL, tok, &se, &retry),
	                 GNBV_EDENIED);
	snprintf(m1, sizeof m1, "%s", gnbv_error_message());
	assert_int_equal(
	    gnbv_session_login(f->s, "lan", "wrong one!", T0 + 40, NULL, tok, &se, &retry),
	    GNBV_EDENIED);
	snprintf(m2, sizeof m2, "%s", gnbv_error_message());
	assert_string_equal(m1, m2);
	for (int i = 1; i < GNBV_LOGIN_FREE_FAILURES; i++)
		gnbv_session_login(f->s, "ghost", PW, T0, NULL, tok, &se, &retry);
	/* Attempts while blocked are not checked and do not count. */
	assert_int_equal(gnbv_session_login(f->s, "ghost", PW, T0 + 10, NULL, tok, &se, &retry),
	                 GNBV_EDENIED);
	assert_int_equal(retry, 20);
	/* The sixth failure blocks for 60 s: the block doubles. */
	assert_int_equal(gnbv_session_login(f->s, "ghost", PW, T0 + 31, NULL, tok, &se, &retry),
	                 GNBV_EDENIED);
	assert_int_equal(retry, 0);
	assert_int_equal(gnbv_session_login(f->s, "ghost", PW, T0 + 31, NULL, tok, &se, &retry),
	                 GNBV_EDENIED);
	assert_int_equal(retry, 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_password_rules),
	    cmocka_unit_test_setup_teardown(test_add_and_scope, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_pages, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_change_password, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
