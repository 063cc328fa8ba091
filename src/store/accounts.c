/*
 * accounts.c - web accounts, sessions and login throttling over the store
 * (gnbv/accounts.h; tables in migrations/0003_accounts.sql).
 *
 * Why it is in the store: a user's scope is a unit subtree, and the store
 * is the one place that turns a unit into a scope; account changes are
 * audited in the same hash chain, in the same transaction, as every other
 * change (quality.md S3). Passwords are hashed with libsodium's
 * crypto_pwhash_str (Argon2id; S5), session tokens are 256 random bits of
 * which only a SHA-256 is stored (S4), and every comparison of a secret is
 * either done by libsodium or by sodium_memcmp (constant time).
 *
 * Login answers "denied" in the same words for an unknown name, a wrong
 * password, a disabled user and a blocked name, and an unknown name still
 * costs one Argon2id verification, so that neither the message nor the
 * time tells which names exist.
 */
#include "gnbv/accounts.h"

#include "store_int.h"

#include "gnbv/error.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char *const ROLES[GNBV_ROLE_COUNT] = {"admin",  "office",  "commune",
                                                   "agency", "finance", "viewer"};

/* A few of the passwords every list of leaked passwords starts with, and
 * their Vietnamese cousins (quality.md S5: common passwords refused). */
static const char *const COMMON[] = {
    "12345678",  "123456789", "1234567890", "password",    "password1", "qwertyui",
    "qwerty123", "11111111",  "00000000",   "abc12345",    "abcd1234",  "iloveyou",
    "matkhau",   "matkhau1",  "matkhau123", "matkhau@123", "admin123",  "admin@123",
    "12341234",  "87654321",  "88888888",   "66668888",    "vietnam1",  "anhyeuem",
    "gnbv1234",  "changeme",  "letmein1",   "welcome1",    "123123123", "1q2w3e4r"};

const char *gnbv_role_name(int role)
{
	return role >= 0 && role < GNBV_ROLE_COUNT ? ROLES[role] : NULL;
}

int gnbv_role_parse(const char *name)
{
	for (int i = 0; name && i < GNBV_ROLE_COUNT; i++)
		if (!strcmp(ROLES[i], name)) return i;
	return -1;
}

const char *gnbv_user_state_name(int state)
{
	return state == GNBV_USER_ENABLED ? "enabled" : state == GNBV_USER_DISABLED ? "disabled" : NULL;
}

int gnbv_user_state_parse(const char *name)
{
	for (int st = GNBV_USER_ENABLED; name && st <= GNBV_USER_DISABLED; st++)
		if (!strcmp(gnbv_user_state_name(st), name)) return st;
	return -1;
}

void gnbv_store_set_actor(gnbv_store *s, const char *actor)
{
	snprintf(s->actor, sizeof s->actor, "%s", actor && actor[0] ? actor : "unknown");
}

static int name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > GNBV_USER_NAME_MAX) return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int gnbv_user_name_check(const char *name)
{
	if (name_ok(name)) return 0;
	return gnbv_error_set(GNBV_EINVALID,
	                      "user name '%.64s': 1 to %d letters, digits, '.', '_' or '-'",
	                      name ? name : "", GNBV_USER_NAME_MAX);
}

/* The throttle key of a typed name: ASCII lower case, capped. */
static void name_key(const char *name, char *out, size_t cap)
{
	size_t w = 0;
	for (; name && *name && w + 1 < cap && w < GNBV_USER_NAME_MAX; name++) {
		char c = *name;
		out[w++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[w] = '\0';
}

int gnbv_password_check(const char *pw)
{
	size_t n = pw ? strlen(pw) : 0, chars = 0;
	if (n > GNBV_PASSWORD_MAX)
		return gnbv_error_set(GNBV_EINVALID, "the password is longer than %d bytes",
		                      GNBV_PASSWORD_MAX);
	char nfc[GNBV_PASSWORD_MAX * 3 + 1];
	size_t nl;
	if (n && gnbv__nfc(pw, n, nfc, sizeof nfc, &nl))
		return gnbv_error_set(GNBV_EINVALID, "the password is not valid UTF-8");
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)pw[i] & 0xC0) != 0x80) chars++;
	if (chars < GNBV_PASSWORD_MIN)
		return gnbv_error_set(GNBV_EINVALID, "the password needs at least %d characters",
		                      GNBV_PASSWORD_MIN);
	char low[GNBV_PASSWORD_MAX + 1];
	name_key(pw, low, sizeof low);
	for (size_t i = 0; i < sizeof COMMON / sizeof COMMON[0]; i++)
		if (n <= GNBV_USER_NAME_MAX && !strcmp(low, COMMON[i]))
			return gnbv_error_set(GNBV_EINVALID,
			                      "the password is one of the most common ones: choose "
			                      "another");
	return 0;
}

static int hash_password(const char *pw, char out[crypto_pwhash_STRBYTES])
{
	if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return gnbv_error_set(GNBV_ENOMEM, "out of memory hashing the password");
	return 0;
}

/* Hex SHA-256 of a token: what the session table keys on. */
static void token_hash(const char *token, char out[65])
{
	gnbv__sha256 c;
	unsigned char d[32];
	gnbv__sha256_init(&c);
	gnbv__sha256_update(&c, token, strlen(token));
	gnbv__sha256_final(&c, d);
	sodium_bin2hex(out, 65, d, sizeof d);
}

void gnbv_token_new(char *out)
{
	unsigned char r[32];
	randombytes_buf(r, sizeof r);
	sodium_bin2base64(out, GNBV_TOKEN_CHARS + 1, r, sizeof r,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(r, sizeof r);
}

/* ---- users ---- */

/* Columns 0-9 are read_user's, then the unit's path (the scope checks) and
 * the password hash. */
#define USER_FROM "FROM app_user a LEFT JOIN unit u ON u.unit_id = a.unit_id "
static const char USER_COLS[] =
    "SELECT a.user_id, a.name, a.role, coalesce(u.code, ''), coalesce(u.name, ''), "
    "coalesce(a.unit_id, 0), a.disabled, a.created_at, a.pw_changed_at, "
    "coalesce(a.last_login_at, 0), coalesce(u.path, ''), a.pw_hash " USER_FROM;
enum { COL_PATH = 10, COL_HASH = 11 };

static void read_user(gnbv_store *s, gnbv_bstmt *st, int col, gnbv_user *u)
{
	memset(u, 0, sizeof *u);
	u->user_id = gnbv__col_int(s, st, col + 0);
	gnbv__col_copy(s, st, col + 1, u->name, sizeof u->name);
	char role[16];
	gnbv__col_copy(s, st, col + 2, role, sizeof role);
	u->role = gnbv_role_parse(role);
	gnbv__col_copy(s, st, col + 3, u->unit_code, sizeof u->unit_code);
	gnbv__col_copy(s, st, col + 4, u->unit_name, sizeof u->unit_name);
	u->unit_id = gnbv__col_int(s, st, col + 5);
	u->disabled = (int)gnbv__col_int(s, st, col + 6);
	u->created_at = gnbv__col_int(s, st, col + 7);
	u->pw_changed_at = gnbv__col_int(s, st, col + 8);
	u->last_login_at = gnbv__col_int(s, st, col + 9);
}

static int whole_tree(const gnbv_scope *scope)
{
	return scope && scope->unit_id == 0 && !scope->path[0];
}

/* Whether a unit of this path ("" for none: the whole tree) is inside
 * the scope. A user without a unit is inside the whole tree only. */
static int path_in_scope(const gnbv_scope *scope, const char *path)
{
	if (!scope) return 0;
	return whole_tree(scope) || (path[0] && gnbv__scope_has(scope, path));
}

/* The user whose `where` ("a.name = ?" or "a.user_id = ?") matches the
 * text or the integer, with their unit's path (path_cap bytes, may be
 * NULL) and password hash (may be NULL). */
static int get_user_where(gnbv_store *s, const char *where, const char *text, int64_t id,
                          gnbv_user *out, char *path, size_t path_cap, char *hash, size_t cap)
{
	gnbv_bstmt *st = NULL;
	char sql[sizeof USER_COLS + 32];
	snprintf(sql, sizeof sql, "%sWHERE %s", USER_COLS, where);
	int rc = gnbv__prep(s, sql, &st);
	if (!rc)
		rc = text ? gnbv__bind_text(s, st, 1, text, strlen(text))
		          : gnbv__bind_int(s, st, 1, id);
	if (rc) goto done;
	rc = gnbv__step(s, st);
	if (rc == GNBV_BACKEND_ROW) {
		read_user(s, st, 0, out);
		if (path) gnbv__col_copy(s, st, COL_PATH, path, path_cap);
		if (hash) gnbv__col_copy(s, st, COL_HASH, hash, cap);
		rc = 0;
	} else if (rc == GNBV_BACKEND_DONE) {
		rc = text ? gnbv_error_set(GNBV_ENOTFOUND, "no user '%s'", text)
		          : gnbv_error_set(GNBV_ENOTFOUND, "no such user");
	}
done:
	gnbv__fin(s, st);
	return rc;
}

/* The user and (when hash is not NULL) their password hash. */
static int get_user(gnbv_store *s, const char *name, gnbv_user *out, char *hash, size_t cap)
{
	return get_user_where(s, "a.name = ?", name, 0, out, NULL, 0, hash, cap);
}

/* The user by name if they are inside the scope; GNBV_ENOTFOUND (the
 * same answer as an unknown name) when they are not. */
static int get_user_in(gnbv_store *s, const gnbv_scope *scope, const char *name, gnbv_user *out)
{
	char path[GNBV_SCOPE_PATH_MAX];
	int rc = get_user_where(s, "a.name = ?", name, 0, out, path, sizeof path, NULL, 0);
	if (!rc && !path_in_scope(scope, path))
		rc = gnbv_error_set(GNBV_ENOTFOUND, "no user '%s'", name);
	return rc;
}

int gnbv_account_get(gnbv_store *s, const char *name, gnbv_user *out)
{
	if (!name_ok(name)) return gnbv_error_set(GNBV_ENOTFOUND, "no such user");
	return get_user(s, name, out, NULL, 0);
}

int gnbv_account_get_in(gnbv_store *s, const gnbv_scope *scope, int64_t user_id, gnbv_user *out)
{
	char path[GNBV_SCOPE_PATH_MAX];
	int rc = get_user_where(s, "a.user_id = ?", NULL, user_id, out, path, sizeof path, NULL, 0);
	if (!rc && !path_in_scope(scope, path)) rc = gnbv_error_set(GNBV_ENOTFOUND, "no such user");
	return rc;
}

/* A statement over the scope's accounts: `sql` ends in the WHERE of a
 * path range (none for the whole tree, all), whose bounds are bound
 * first. */
static int prep_scoped(gnbv_store *s, const char *sql, int all, const char *lo, const char *hi,
                       gnbv_bstmt **st)
{
	int rc = gnbv__prep(s, sql, st);
	if (!rc && !all && !(rc = gnbv__bind_text(s, *st, 1, lo, strlen(lo))))
		rc = gnbv__bind_text(s, *st, 2, hi, strlen(hi));
	return rc;
}

/* The list's role and state parameters from k on; *next: the one after. */
static int bind_filters(gnbv_store *s, gnbv_bstmt *st, int k, const char *role, int state, int *next)
{
	int rc = 0;
	if (role && (rc = gnbv__bind_text(s, st, k++, role, strlen(role)))) return rc;
	if (state && (rc = gnbv__bind_int(s, st, k++, state == GNBV_USER_DISABLED))) return rc;
	*next = k;
	return 0;
}

int gnbv_account_list(gnbv_store *s, const gnbv_scope *scope, const gnbv_user_filter *f,
                      gnbv_user_fn fn, void *ctx, uint64_t *total)
{
	/* A scope's users: their unit's path in its range (no unit: none). */
	static const char RANGE[] = "WHERE u.path >= ? AND u.path < ? ";
	/* Tree order, then the name as the application sorts names, then the
	 * number: a total order (names are unique, but two could collate
	 * equal), which OFFSET needs so that pages do not overlap. A user
	 * without a unit has no path: '' sorts first on both backends (NULL
	 * would not: SQLite puts it first, PostgreSQL last). */
	static const char ORDER[] =
	    "ORDER BY coalesce(u.path, ''), a.name COLLATE vi, a.user_id LIMIT ? OFFSET ?";
	/* The role and the state, bound after the range's two paths. */
	static const char ROLE[] = "a.role = ? ", STATE[] = "a.disabled = ? ";
	gnbv_bstmt *st = NULL;
	char where[sizeof RANGE + sizeof ROLE + sizeof STATE + 16];
	char sql[sizeof USER_COLS + sizeof where + sizeof ORDER];
	char lo[GNBV_SCOPE_PATH_MAX], hi[GNBV_SCOPE_PATH_MAX];
	gnbv_scope unit;
	if (!scope) return gnbv_error_set(GNBV_EDENIED, "listing users needs a scope");
	const char *role = f && f->role && f->role[0] ? f->role : NULL;
	int state = f ? f->state : GNBV_USER_ANY;
	if (role && gnbv_role_parse(role) < 0) return gnbv_error_set(GNBV_EINVALID, "no role '%.32s'", role);
	if (state != GNBV_USER_ANY && !gnbv_user_state_name(state))
		return gnbv_error_set(GNBV_EINVALID, "no account state %d", state);
	/* A unit asked for narrows the scope: scopes are subtrees, so the
	 * intersection is the unit's subtree when it lies inside, else empty,
	 * which is answered as an unknown code (as the household list does). */
	if (f && f->unit_code && f->unit_code[0]) {
		int urc = gnbv_store_scope_unit(s, f->unit_code, 0, &unit);
		if (urc == GNBV_ENOTFOUND || (!urc && !path_in_scope(scope, unit.path)))
			return gnbv_error_set(GNBV_ENOTFOUND, "no unit '%.64s'", f->unit_code);
		if (urc) return urc;
		scope = &unit;
	}
	int all = whole_tree(scope), rc, k = all ? 1 : 3;
	uint64_t off = f ? f->offset : 0;
	gnbv__scope_range(scope, lo, hi, sizeof lo);
	snprintf(where, sizeof where, "%s%s%s%s%s", all ? "" : RANGE,
	         role ? (all ? "WHERE " : "AND ") : "", role ? ROLE : "",
	         state ? (all && !role ? "WHERE " : "AND ") : "", state ? STATE : "");
	int kf = k; /* the next parameter after the filters */
	if (total) {
		snprintf(sql, sizeof sql, "SELECT count(*) %s%s", USER_FROM, where);
		if ((rc = prep_scoped(s, sql, all, lo, hi, &st)) || (rc = bind_filters(s, st, k, role, state, &kf)))
			goto done;
		if ((rc = gnbv__step(s, st)) < 0) goto done;
		*total = rc == GNBV_BACKEND_ROW ? (uint64_t)gnbv__col_int(s, st, 0) : 0;
		gnbv__fin(s, st);
		st = NULL;
	}
	/* No limit is the largest one: one statement for a page and for all. */
	int64_t limit = f && f->limit && f->limit < INT64_MAX ? (int64_t)f->limit : INT64_MAX;
	int64_t offset = off < INT64_MAX ? (int64_t)off : INT64_MAX;
	snprintf(sql, sizeof sql, "%s%s%s", USER_COLS, where, ORDER);
	if ((rc = prep_scoped(s, sql, all, lo, hi, &st)) || (rc = bind_filters(s, st, k, role, state, &kf)) ||
	    (rc = gnbv__bind_int(s, st, kf, limit)) || (rc = gnbv__bind_int(s, st, kf + 1, offset)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_user u;
		read_user(s, st, 0, &u);
		if ((rc = fn(ctx, &u))) goto done;
	}
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	return rc;
}

int gnbv_account_each(gnbv_store *s, const gnbv_scope *scope, gnbv_user_fn fn, void *ctx)
{
	return gnbv_account_list(s, scope, NULL, fn, ctx, NULL);
}

int gnbv_account_scope(gnbv_store *s, const gnbv_user *u, gnbv_scope *out)
{
	gnbv_scope sc;
	memset(&sc, 0, sizeof sc);
	if (!u->unit_id) {
		if (u->role != GNBV_ROLE_ADMIN)
			return gnbv_error_set(GNBV_EDENIED, "user '%s' has no unit", u->name);
		*out = sc;
		return 0;
	}
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(s, "SELECT path FROM unit WHERE unit_id = ?", &st);
	if (!rc) rc = gnbv__bind_int(s, st, 1, u->unit_id);
	if (rc) goto done;
	rc = gnbv__step(s, st);
	if (rc == GNBV_BACKEND_ROW) {
		size_t n;
		const char *p = gnbv__col_text(s, st, 0, &n);
		if (n >= sizeof sc.path) {
			rc = gnbv_error_set(GNBV_ETOOBIG, "the user's unit is too deep");
			goto done;
		}
		memcpy(sc.path, p, n);
		sc.unit_id = u->unit_id;
		*out = sc;
		rc = 0;
	} else if (rc == GNBV_BACKEND_DONE) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "the user's unit is gone");
	}
done:
	gnbv__fin(s, st);
	return rc;
}

/* One statement with an int and text parameters, run to completion. */
static int exec1(gnbv_store *s, const char *sql, const int64_t *ints, int ni,
                 const char *const *texts, int nt)
{
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(s, sql, &st), k = 1;
	for (int i = 0; !rc && i < ni; i++)
		rc = gnbv__bind_int(s, st, k++, ints[i]);
	for (int i = 0; !rc && i < nt; i++)
		rc = texts[i] ? gnbv__bind_text(s, st, k++, texts[i], strlen(texts[i]))
		              : gnbv__bind_null(s, st, k++);
	if (!rc) rc = gnbv__run(s, st);
	gnbv__fin(s, st);
	return rc;
}

/* The audit record of an account change: object user:NAME, a JSON detail
 * built from trusted words (role names, unit codes: JSON-escaped anyway). */
static int audit_write(gnbv_store *s, int64_t seq, const char *action, const char *name,
                       const char *role, const char *unit)
{
	gnbv__buf d = {0};
	char object[GNBV_USER_NAME_MAX + 8];
	snprintf(object, sizeof object, "user:%s", name);
	int rc = gnbv__buf_str(&d, "{");
	if (!rc && role) {
		if (!rc) rc = gnbv__buf_str(&d, "\"role\":");
		if (!rc) rc = gnbv__buf_json(&d, role, strlen(role));
		if (!rc) rc = gnbv__buf_str(&d, ",\"unit\":");
		if (!rc) rc = gnbv__buf_json(&d, unit, strlen(unit));
	}
	if (!rc) rc = gnbv__buf_str(&d, "}");
	if (!rc) rc = gnbv__audit_write(s, seq, action, object, d.p, d.len);
	gnbv__buf_free(&d);
	return rc;
}

int gnbv_account_add(gnbv_store *s, const gnbv_scope *scope, const char *name, int role,
                     const char *unit_code, const char *password, int64_t now)
{
	char hash[crypto_pwhash_STRBYTES];
	gnbv_scope unit;
	gnbv_bstmt *st = NULL;
	int rc;
	if (!scope) return gnbv_error_set(GNBV_EDENIED, "adding a user needs a scope");
	if ((rc = gnbv_user_name_check(name))) return rc;
	const char *rn = gnbv_role_name(role);
	if (!rn) return gnbv_error_set(GNBV_EINVALID, "unknown role");
	int has_unit = unit_code && unit_code[0];
	if (!has_unit && role != GNBV_ROLE_ADMIN)
		return gnbv_error_set(GNBV_EINVALID, "a %s user needs a unit (--unit CODE)", rn);
	/* The new user's scope must lie inside the caller's: a unit of its
	 * subtree (one outside is "no unit", as for a code that does not
	 * exist), or the whole tree for the whole tree only. */
	if (!has_unit && (rc = gnbv__scope_need_all(scope, "a user without a unit"))) return rc;
	if (has_unit) {
		if ((rc = gnbv_store_scope_unit(s, unit_code, 0, &unit))) return rc;
		if (!path_in_scope(scope, unit.path))
			return gnbv_error_set(GNBV_ENOTFOUND, "no unit '%s'", unit_code);
	}
	if ((rc = gnbv_password_check(password)) || (rc = hash_password(password, hash))) return rc;
	if ((rc = gnbv__begin(s))) return rc;
	gnbv_user existing;
	int64_t id, seq;
	rc = get_user(s, name, &existing, NULL, 0);
	if (rc == 0) rc = gnbv_error_set(GNBV_ECONFLICT, "user '%s' exists", name);
	if (rc != GNBV_ENOTFOUND) goto done;
	if ((rc = gnbv__ids_lock(s, "user", &id)) || (rc = gnbv__ids_set(s, "user", id + 1)) ||
	    (rc = gnbv__audit_reserve(s, &seq)))
		goto done;
	if ((rc = gnbv__prep(s,
	                     "INSERT INTO app_user (user_id, name, role, unit_id, pw_hash, "
	                     "disabled, created_at, pw_changed_at, change_seq) "
	                     "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
	                     &st)) ||
	    (rc = gnbv__bind_int(s, st, 1, id)) ||
	    (rc = gnbv__bind_text(s, st, 2, name, strlen(name))) ||
	    (rc = gnbv__bind_text(s, st, 3, rn, strlen(rn))) ||
	    (rc = has_unit ? gnbv__bind_int(s, st, 4, unit.unit_id) : gnbv__bind_null(s, st, 4)) ||
	    (rc = gnbv__bind_text(s, st, 5, hash, strlen(hash))) ||
	    (rc = gnbv__bind_int(s, st, 6, now)) || (rc = gnbv__bind_int(s, st, 7, now)) ||
	    (rc = gnbv__bind_int(s, st, 8, seq)) || (rc = gnbv__run(s, st)))
		goto done;
	rc = audit_write(s, seq, "user.add", name, rn, has_unit ? unit_code : "");
done:
	gnbv__fin(s, st);
	sodium_memzero(hash, sizeof hash);
	if (rc) {
		gnbv__rollback(s);
		return rc;
	}
	return gnbv__commit(s);
}

/* Inside a transaction: disables user u (hash NULL), or sets their
 * password hash (re-enabling them when `enable`), with the audit sequence
 * `seq`, and deletes every session of theirs. */
static int change_in_tx(gnbv_store *s, const gnbv_user *u, const char *hash, int enable,
                        int64_t seq, int64_t now)
{
	int rc;
	if (hash) {
		int64_t dis = enable ? 0 : u->disabled;
		gnbv_bstmt *st = NULL;
		if (!((rc = gnbv__prep(s,
		                       "UPDATE app_user SET disabled = ?, pw_changed_at = ?, "
		                       "change_seq = ?, pw_hash = ? WHERE user_id = ?",
		                       &st)) ||
		      (rc = gnbv__bind_int(s, st, 1, dis)) ||
		      (rc = gnbv__bind_int(s, st, 2, now)) ||
		      (rc = gnbv__bind_int(s, st, 3, seq)) ||
		      (rc = gnbv__bind_text(s, st, 4, hash, strlen(hash))) ||
		      (rc = gnbv__bind_int(s, st, 5, u->user_id))))
			rc = gnbv__run(s, st);
		gnbv__fin(s, st);
	} else {
		int64_t v[] = {seq, u->user_id};
		rc = exec1(s, "UPDATE app_user SET disabled = 1, change_seq = ? WHERE user_id = ?",
		           v, 2, NULL, 0);
	}
	if (rc) return rc;
	int64_t who[] = {u->user_id};
	return exec1(s, "DELETE FROM app_session WHERE user_id = ?", who, 1, NULL, 0);
}

/* Disables, or sets a password (hash != NULL), and ends every session. */
static int account_change(gnbv_store *s, const gnbv_scope *scope, const char *name,
                          const char *hash, int enable, int64_t now)
{
	gnbv_user u;
	int64_t seq;
	int rc;
	if (!scope) return gnbv_error_set(GNBV_EDENIED, "changing a user needs a scope");
	if (!name_ok(name)) return gnbv_error_set(GNBV_ENOTFOUND, "no such user");
	if ((rc = gnbv__begin(s))) return rc;
	if ((rc = get_user_in(s, scope, name, &u)) || (rc = gnbv__audit_reserve(s, &seq)) ||
	    (rc = change_in_tx(s, &u, hash, enable, seq, now)))
		goto done;
	rc = audit_write(s, seq, hash ? (enable ? "user.reset" : "user.password") : "user.disable",
	                 name, NULL, NULL);
done:
	if (rc) {
		gnbv__rollback(s);
		return rc;
	}
	return gnbv__commit(s);
}

int gnbv_account_disable(gnbv_store *s, const gnbv_scope *scope, const char *name, int64_t now)
{
	return account_change(s, scope, name, NULL, 0, now);
}

int gnbv_account_set_password(gnbv_store *s, const gnbv_scope *scope, const char *name,
                              const char *password, int enable, int64_t now)
{
	char hash[crypto_pwhash_STRBYTES];
	int rc;
	if ((rc = gnbv_password_check(password)) || (rc = hash_password(password, hash))) return rc;
	rc = account_change(s, scope, name, hash, enable, now);
	sodium_memzero(hash, sizeof hash);
	return rc;
}

/* ---- sessions ---- */

static void limits(const gnbv_session_limits *lim, int64_t *idle, int64_t *abs)
{
	*idle = lim && lim->idle_s > 0 ? lim->idle_s : 30 * 60;
	*abs = lim && lim->absolute_s > 0 ? lim->absolute_s : 12 * 3600;
}

/* A hash to verify against when the name is unknown, so that an unknown
 * name costs the same Argon2id work as a known one. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void)
{
	char pw[GNBV_TOKEN_CHARS + 1];
	gnbv_token_new(pw);
	if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		dummy_hash[0] = '\0';
}

static const char DENIED[] = "wrong user name or password, or too many attempts: wait and retry";

/* Records a failure for the key; the block doubles from 30 s to 15 min. */
static int throttle_fail(gnbv_store *s, const char *key, int64_t now)
{
	gnbv_bstmt *st = NULL;
	int64_t failures = 0;
	int rc;
	if ((rc = gnbv__begin(s))) return rc;
	if ((rc = gnbv__prep(s, "SELECT failures FROM login_throttle WHERE name_key = ?", &st)) ||
	    (rc = gnbv__bind_text(s, st, 1, key, strlen(key))))
		goto done;
	if ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) failures = gnbv__col_int(s, st, 0);
	if (rc < 0) goto done;
	gnbv__fin(s, st);
	st = NULL;
	failures++;
	int64_t until = 0;
	if (failures >= GNBV_LOGIN_FREE_FAILURES) {
		int64_t extra = failures - GNBV_LOGIN_FREE_FAILURES;
		until = now + (extra >= 5 ? 900 : 30 << extra);
		if (until > now + 900) until = now + 900;
	}
	if ((rc = gnbv__prep(s,
	                     "INSERT INTO login_throttle (name_key, failures, last_failure, "
	                     "blocked_until) VALUES (?, ?, ?, ?) ON CONFLICT (name_key) DO UPDATE "
	                     "SET failures = excluded.failures, last_failure = "
	                     "excluded.last_failure, blocked_until = excluded.blocked_until",
	                     &st)) ||
	    (rc = gnbv__bind_text(s, st, 1, key, strlen(key))) ||
	    (rc = gnbv__bind_int(s, st, 2, failures)) || (rc = gnbv__bind_int(s, st, 3, now)) ||
	    (rc = gnbv__bind_int(s, st, 4, until)) || (rc = gnbv__run(s, st)))
		goto done;
done:
	gnbv__fin(s, st);
	if (rc) {
		gnbv__rollback(s);
		return rc;
	}
	return gnbv__commit(s);
}

/* Whether the throttle key is blocked at `now`: 1 with *retry_after (may
 * be NULL) the seconds left, 0 when not, or a negative error. */
static int throttle_blocked(gnbv_store *s, const char *key, int64_t now, int64_t *retry_after)
{
	gnbv_bstmt *st = NULL;
	int rc;
	if ((rc = gnbv__prep(s, "SELECT blocked_until FROM login_throttle WHERE name_key = ?",
	                     &st)) ||
	    (rc = gnbv__bind_text(s, st, 1, key, strlen(key))))
		goto done;
	if ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		int64_t until = gnbv__col_int(s, st, 0);
		rc = until > now;
		if (rc && retry_after) *retry_after = until - now;
	} else if (rc == GNBV_BACKEND_DONE) {
		rc = 0;
	}
done:
	gnbv__fin(s, st);
	return rc;
}

/* Inside a transaction: a new session of the user (S4: a new token at
 * every login and password change), its token into token (GNBV_TOKEN_CHARS
 * + 1) and its CSRF token into csrf; the name's throttle is cleared (the
 * password was right). */
static int session_start(gnbv_store *s, const gnbv_user *u, const char *key, int64_t now,
                         int64_t abs, char *token, char *csrf)
{
	char th[65];
	gnbv_bstmt *st = NULL;
	int rc;
	gnbv_token_new(token);
	gnbv_token_new(csrf);
	token_hash(token, th);
	const char *t[] = {key};
	if ((rc = exec1(s, "DELETE FROM login_throttle WHERE name_key = ?", NULL, 0, t, 1)))
		return rc;
	if (!(rc = gnbv__prep(s,
	                      "INSERT INTO app_session (token_hash, user_id, csrf, "
	                      "created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
	                      &st)) &&
	    !(rc = gnbv__bind_text(s, st, 1, th, 64)) &&
	    !(rc = gnbv__bind_int(s, st, 2, u->user_id)) &&
	    !(rc = gnbv__bind_text(s, st, 3, csrf, strlen(csrf))) &&
	    !(rc = gnbv__bind_int(s, st, 4, now)) && !(rc = gnbv__bind_int(s, st, 5, now)) &&
	    !(rc = gnbv__bind_int(s, st, 6, now + abs)))
		rc = gnbv__run(s, st);
	gnbv__fin(s, st);
	return rc;
}

static void session_out(gnbv_session *out, const gnbv_user *u, const char *csrf, int64_t now,
                        int64_t abs)
{
	if (!out) return;
	memset(out, 0, sizeof *out);
	out->user = *u;
	memcpy(out->csrf, csrf, GNBV_TOKEN_CHARS + 1);
	out->created_at = out->last_seen = now;
	out->expires_at = now + abs;
}

int gnbv_session_login(gnbv_store *s, const char *name, const char *password, int64_t now,
                       const gnbv_session_limits *lim, char *token_out, gnbv_session *out,
                       int64_t *retry_after)
{
	char key[GNBV_USER_NAME_MAX + 1], hash[crypto_pwhash_STRBYTES];
	char token[GNBV_TOKEN_CHARS + 1], csrf[GNBV_TOKEN_CHARS + 1];
	gnbv_user u;
	int64_t idle, abs;
	int rc, known = 0;
	limits(lim, &idle, &abs);
	if (retry_after) *retry_after = 0;
	if (!password) password = "";
	name_key(name, key, sizeof key);
	/* Blocked: no password is checked at all. */
	if ((rc = throttle_blocked(s, key, now, retry_after)) < 0) goto done;
	if (rc) {
		rc = gnbv_error_set(GNBV_EDENIED, "%s", DENIED);
		goto done;
	}

	hash[0] = '\0';
	if (name_ok(name)) {
		rc = get_user(s, name, &u, hash, sizeof hash);
		if (rc && rc != GNBV_ENOTFOUND) goto done;
		known = rc == 0;
	}
	int ok;
	if (known && strlen(password) <= GNBV_PASSWORD_MAX) {
		ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	} else {
		pthread_once(&dummy_once, make_dummy);
		if (dummy_hash[0] &&
		    crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
			ok = 0; /* the work is the point, not the answer */
		ok = 0;
	}
	if (!ok || u.disabled) {
		if ((rc = throttle_fail(s, key, now))) goto done;
		rc = gnbv_error_set(GNBV_EDENIED, "%s", DENIED);
		goto done;
	}
	if ((rc = gnbv__begin(s))) goto done;
	{
		int64_t v[] = {u.user_id, now - idle, now}, at[] = {now, u.user_id};
		if ((rc = exec1(s,
		                "DELETE FROM app_session WHERE user_id = ? AND (last_seen < ? OR "
		                "expires_at < ?)",
		                v, 3, NULL, 0)) ||
		    (rc = exec1(s, "UPDATE app_user SET last_login_at = ? WHERE user_id = ?", at, 2,
		                NULL, 0)) ||
		    (rc = session_start(s, &u, key, now, abs, token, csrf))) {
			gnbv__rollback(s);
			goto done;
		}
	}
	if ((rc = gnbv__commit(s))) goto done;
	memcpy(token_out, token, sizeof token);
	u.last_login_at = now;
	session_out(out, &u, csrf, now, abs);
done:
	sodium_memzero(token, sizeof token);
	sodium_memzero(hash, sizeof hash);
	return rc;
}

int gnbv_session_change_password(gnbv_store *s, const char *token, const char *current,
                                 const char *password, int64_t now, const gnbv_session_limits *lim,
                                 char *token_out, gnbv_session *out, int64_t *retry_after)
{
	char key[GNBV_USER_NAME_MAX + 1], hash[crypto_pwhash_STRBYTES], th[65];
	char fresh[GNBV_TOKEN_CHARS + 1], csrf[GNBV_TOKEN_CHARS + 1];
	gnbv_bstmt *st = NULL;
	gnbv_session se;
	gnbv_user u;
	int64_t idle, abs, seq;
	int rc;
	limits(lim, &idle, &abs);
	if (retry_after) *retry_after = 0;
	hash[0] = fresh[0] = '\0';
	if ((rc = gnbv_session_check(s, token, now, lim, &se))) return rc;
	name_key(se.user.name, key, sizeof key);
	/* The throttle of the login form guards this form too: a stolen
	 * session must not become a way to guess the password. */
	if ((rc = throttle_blocked(s, key, now, retry_after)) < 0) return rc;
	if (rc) return gnbv_error_set(GNBV_EDENIED, "%s", DENIED);
	if ((rc = get_user(s, se.user.name, &u, hash, sizeof hash))) goto done;
	if (!current || strlen(current) > GNBV_PASSWORD_MAX ||
	    crypto_pwhash_str_verify(hash, current, strlen(current)) != 0) {
		if ((rc = throttle_fail(s, key, now))) goto done;
		rc = gnbv_error_set(GNBV_EDENIED, "the current password is wrong");
		goto done;
	}
	if ((rc = gnbv_password_check(password)) || (rc = hash_password(password, hash))) goto done;
	if ((rc = gnbv__begin(s))) goto done;
	/* The session may have ended while the hashes were computed (logout,
	 * or an administrator's disable or reset): then nothing changes. */
	token_hash(token, th);
	if (!(rc = gnbv__prep(s, "SELECT user_id FROM app_session WHERE token_hash = ?", &st)) &&
	    !(rc = gnbv__bind_text(s, st, 1, th, 64))) {
		rc = gnbv__step(s, st);
		if (rc == GNBV_BACKEND_ROW && gnbv__col_int(s, st, 0) == u.user_id)
			rc = 0;
		else if (rc >= 0)
			rc = gnbv_error_set(GNBV_ENOTFOUND, "the session has ended");
	}
	gnbv__fin(s, st);
	if (rc || (rc = gnbv__audit_reserve(s, &seq)) ||
	    (rc = change_in_tx(s, &u, hash, 0, seq, now)) ||
	    (rc = session_start(s, &u, key, now, abs, fresh, csrf)) ||
	    (rc = audit_write(s, seq, "user.password", u.name, NULL, NULL))) {
		gnbv__rollback(s);
		goto done;
	}
	if ((rc = gnbv__commit(s))) goto done;
	memcpy(token_out, fresh, sizeof fresh);
	u.pw_changed_at = now;
	session_out(out, &u, csrf, now, abs);
done:
	sodium_memzero(fresh, sizeof fresh);
	sodium_memzero(hash, sizeof hash);
	return rc;
}

int gnbv_session_check(gnbv_store *s, const char *token, int64_t now,
                       const gnbv_session_limits *lim, gnbv_session *out)
{
	char th[65];
	gnbv_bstmt *st = NULL;
	gnbv_session se;
	int64_t idle, abs;
	int rc;
	limits(lim, &idle, &abs);
	if (!token || strlen(token) != GNBV_TOKEN_CHARS)
		return gnbv_error_set(GNBV_ENOTFOUND, "no session");
	token_hash(token, th);
	if ((rc = gnbv__prep(s,
	                     "SELECT x.csrf, x.created_at, x.last_seen, x.expires_at, a.name "
	                     "FROM app_session x JOIN app_user a ON a.user_id = x.user_id "
	                     "WHERE x.token_hash = ?",
	                     &st)) ||
	    (rc = gnbv__bind_text(s, st, 1, th, 64)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc == GNBV_BACKEND_DONE) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "no session");
		goto done;
	}
	memset(&se, 0, sizeof se);
	gnbv__col_copy(s, st, 0, se.csrf, sizeof se.csrf);
	se.created_at = gnbv__col_int(s, st, 1);
	se.last_seen = gnbv__col_int(s, st, 2);
	se.expires_at = gnbv__col_int(s, st, 3);
	char name[GNBV_USER_NAME_MAX + 1];
	gnbv__col_copy(s, st, 4, name, sizeof name);
	gnbv__fin(s, st);
	st = NULL;
	if (now >= se.expires_at || now - se.last_seen >= idle) {
		const char *t[] = {th};
		exec1(s, "DELETE FROM app_session WHERE token_hash = ?", NULL, 0, t, 1);
		rc = gnbv_error_set(GNBV_ENOTFOUND, "the session has expired");
		goto done;
	}
	if ((rc = get_user(s, name, &se.user, NULL, 0))) goto done;
	if (se.user.disabled) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "no session");
		goto done;
	}
	/* The last-seen stamp only measures idleness: when it cannot be written
	 * now (another connection holds the write lock past the busy timeout, a
	 * read-only database), the session stays valid and the next check
	 * tries again. Failing here once logged a busy officer out, or left a
	 * page without its CSRF token, under load. */
	if (now - se.last_seen >= 60) {
		const char *t[] = {th};
		int64_t v[] = {now};
		if (exec1(s, "UPDATE app_session SET last_seen = ? WHERE token_hash = ?", v, 1, t, 1))
			gnbv_error_clear();
		else
			se.last_seen = now;
	}
	*out = se;
	rc = 0;
done:
	gnbv__fin(s, st);
	return rc;
}

int gnbv_session_end(gnbv_store *s, const char *token)
{
	char th[65];
	if (!token || strlen(token) != GNBV_TOKEN_CHARS) return 0;
	token_hash(token, th);
	const char *t[] = {th};
	return exec1(s, "DELETE FROM app_session WHERE token_hash = ?", NULL, 0, t, 1);
}

int gnbv_session_csrf_ok(const gnbv_session *sess, const char *given)
{
	if (!sess || !given || strlen(given) != GNBV_TOKEN_CHARS ||
	    strlen(sess->csrf) != GNBV_TOKEN_CHARS)
		return 0;
	return sodium_memcmp(sess->csrf, given, GNBV_TOKEN_CHARS) == 0;
}
