/*
 * gnbv/accounts.h - web accounts: users with a role and a unit scope,
 * Argon2id password hashes, sessions and login throttling (product.md M13;
 * quality.md S4, S5). The tables are in src/store/migrations/0003_accounts.sql
 * (and 0005_last_login.sql).
 *
 * Users: a name (1-64 bytes of [A-Za-z0-9._-]), one of the roles of
 * product.md, and a unit: the user's scope is that unit's subtree. Only an
 * admin may have no unit (the whole tree). Creating, disabling a user and
 * setting a password are changes: each is one transaction with its audit
 * record, and each is confined to the caller's scope: the new user's unit,
 * or the changed user's, must be in its subtree (a user without a unit
 * needs the whole tree: the local administrator), and a user outside it
 * is "no such user", the same answer as one that does not exist. Names
 * are one space for the whole tree (they log in), so adding a name that
 * exists elsewhere is still GNBV_ECONFLICT.
 *
 * Passwords: 8 to 256 bytes of UTF-8 counting at least 8 characters
 * (Vietnamese letters welcome), not one of a list of common passwords,
 * hashed with crypto_pwhash_str (Argon2id, libsodium's interactive limits).
 *
 * Sessions: a token of 256 random bits (randombytes_buf), given to the
 * caller once as 43 base64url characters; the store keeps only its SHA-256.
 * A session has an idle and an absolute expiry; disabling a user or setting
 * their password deletes all their sessions. A login records its time
 * (last_login_at: the administrator's list shows dormant accounts). Each session has its own CSRF
 * token (43 base64url characters), compared in constant time.
 *
 * Throttling: after GNBV_LOGIN_FREE_FAILURES failures for a name (known or
 * not), that name is blocked for 30 s, doubling with each further failure
 * up to 15 minutes; while blocked no password is checked.
 *
 * Times are Unix seconds given by the caller (tests pass their own clock).
 * Threads: as gnbv/store.h (one connection per thread).
 */
#ifndef GNBV_ACCOUNTS_H
#define GNBV_ACCOUNTS_H

#include "gnbv/store.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gnbv_role {
	GNBV_ROLE_ADMIN,
	GNBV_ROLE_OFFICE,
	GNBV_ROLE_COMMUNE,
	GNBV_ROLE_AGENCY,
	GNBV_ROLE_FINANCE,
	GNBV_ROLE_VIEWER,
	GNBV_ROLE_COUNT
} gnbv_role;

#define GNBV_USER_NAME_MAX       64
#define GNBV_PASSWORD_MIN        8   /* characters */
#define GNBV_PASSWORD_MAX        256 /* bytes */
#define GNBV_TOKEN_CHARS         43  /* base64url of 32 bytes, no padding */
#define GNBV_LOGIN_FREE_FAILURES 5

/* "admin", "office", ...; NULL for a bad value. */
const char *gnbv_role_name(int role);
/* The role named `name`, or -1. */
int gnbv_role_parse(const char *name);

typedef struct gnbv_user {
	int64_t user_id;
	char name[GNBV_USER_NAME_MAX + 1];
	int role;                                /* gnbv_role */
	char unit_code[GNBV_STORE_CODE_MAX + 1]; /* "" for the whole tree */
	char unit_name[GNBV_STORE_NAME_MAX + 1];
	int64_t unit_id; /* 0 for the whole tree */
	int disabled;
	int64_t created_at, pw_changed_at;
	int64_t last_login_at; /* 0: never logged in */
} gnbv_user;

/* Records who acts in the audit records this connection writes from now
 * on ("web:NAME"); the server sets it per request. */
void gnbv_store_set_actor(gnbv_store *s, const char *actor);

/* GNBV_EINVALID with the reason when the password breaks the rules above. */
int gnbv_password_check(const char *password);

/* GNBV_EINVALID with the reason when the user name breaks the rule above. */
int gnbv_user_name_check(const char *name);

/* Adds a user. GNBV_ECONFLICT when the name exists, GNBV_ENOTFOUND when
 * the unit does not or is outside the scope, GNBV_EDENIED for a user
 * without a unit and a scope that is not the whole tree, GNBV_EINVALID for
 * a bad name, role or password. */
int gnbv_account_add(gnbv_store *s, const gnbv_scope *scope, const char *name, int role,
                     const char *unit_code, const char *password, int64_t now);

/* Disables a user (they cannot log in) and ends their sessions.
 * GNBV_ENOTFOUND when there is no such user in the scope. */
int gnbv_account_disable(gnbv_store *s, const gnbv_scope *scope, const char *name, int64_t now);

/* Sets a new password (which also re-enables a disabled user when
 * `enable`) and ends the user's sessions. GNBV_ENOTFOUND when there is no
 * such user in the scope, GNBV_EINVALID for a password against the rules. */
int gnbv_account_set_password(gnbv_store *s, const gnbv_scope *scope, const char *name,
                              const char *password, int enable, int64_t now);

/* The user with this name; GNBV_ENOTFOUND when none. */
int gnbv_account_get(gnbv_store *s, const char *name, gnbv_user *out);

/* The user with this id in the scope (see above); GNBV_ENOTFOUND when
 * there is none or they are outside it. */
int gnbv_account_get_in(gnbv_store *s, const gnbv_scope *scope, int64_t user_id, gnbv_user *out);

typedef int (*gnbv_user_fn)(void *ctx, const gnbv_user *u);

/* Which accounts of a scope a list shows: a page of them, of one unit's
 * subtree when unit_code is given, of one role, enabled or disabled. A
 * zeroed filter selects all. */
typedef enum { GNBV_USER_ANY = 0, GNBV_USER_ENABLED = 1, GNBV_USER_DISABLED = 2 } gnbv_user_state;
/* "enabled" or "disabled", as the list's filter says them (?state=,
 * --state); NULL for GNBV_USER_ANY or a bad value. */
const char *gnbv_user_state_name(int state);
/* The state named `name` (GNBV_USER_ENABLED or GNBV_USER_DISABLED), or -1. */
int gnbv_user_state_parse(const char *name);
typedef struct gnbv_user_filter {
	uint64_t offset;       /* accounts skipped, in the order below */
	size_t limit;          /* at most this many; 0: all the rest */
	const char *unit_code; /* NULL or "": the whole scope */
	const char *role;      /* NULL or "": every role; else a role's name */
	int state;             /* gnbv_user_state */
} gnbv_user_filter;

/* The users in the scope that f (NULL: all) selects, in the list's order:
 * by unit in the tree's order (the unit's path, as the household list:
 * a unit's accounts before those of the units below it; the accounts
 * without a unit, which only the whole tree holds, first), then by name
 * in Vietnamese order (the `vi` collation), then by number, so that
 * pages taken with increasing offsets neither repeat nor skip an account
 * while nothing changes. f->unit_code narrows the scope to that unit's
 * subtree (the accounts of the unit and of the units below it; never those
 * without a unit); a code that names no unit, or a unit outside the scope,
 * is GNBV_ENOTFOUND, the same answer, so that a caller learns nothing of
 * another district's units. f->role (a name gnbv_role_parse knows, else
 * GNBV_EINVALID) and f->state narrow it further. *total (may be NULL) gets
 * how many the narrowed scope holds in all. fn returning non-zero stops the walk and
 * is returned. */
int gnbv_account_list(gnbv_store *s, const gnbv_scope *scope, const gnbv_user_filter *f,
                      gnbv_user_fn fn, void *ctx, uint64_t *total);

/* Each user in the scope, in the order of gnbv_account_list. */
int gnbv_account_each(gnbv_store *s, const gnbv_scope *scope, gnbv_user_fn fn, void *ctx);

/* The user's scope: their unit's subtree, or the whole tree. */
int gnbv_account_scope(gnbv_store *s, const gnbv_user *u, gnbv_scope *out);

/* ---- Sessions ---- */

typedef struct gnbv_session_limits {
	int64_t idle_s;     /* 0: 30 minutes */
	int64_t absolute_s; /* 0: 12 hours */
} gnbv_session_limits;

typedef struct gnbv_session {
	gnbv_user user;
	char csrf[GNBV_TOKEN_CHARS + 1];
	int64_t created_at, last_seen, expires_at;
} gnbv_session;

/* Checks name and password and starts a new session: token_out gets the
 * token (GNBV_TOKEN_CHARS + 1 bytes). A wrong name or password, a disabled
 * user or a blocked name are all GNBV_EDENIED with the same message, so
 * that a caller learns nothing of which; *retry_after (may be NULL) gets
 * the seconds left when the name is blocked, else 0. The user's expired
 * sessions are deleted on the way. */
int gnbv_session_login(gnbv_store *s, const char *name, const char *password, int64_t now,
                       const gnbv_session_limits *lim, char *token_out, gnbv_session *out,
                       int64_t *retry_after);

/* The live session of this token: GNBV_ENOTFOUND when there is none, it
 * has expired (it is then deleted) or its user is disabled. Records the
 * time seen (at most once a minute, so that reads stay reads). */
int gnbv_session_check(gnbv_store *s, const char *token, int64_t now,
                       const gnbv_session_limits *lim, gnbv_session *out);

/* Changes the password of the user of the live session `token` (their
 * own, so no scope): `current` must be their password, `password` follows
 * the rules above. Every session of the user ends, this one too, and a new
 * one starts (quality.md S4: a password change kills sessions; the page
 * that asked goes on with the new token): token_out gets its token
 * (GNBV_TOKEN_CHARS + 1 bytes), out (may be NULL) the session. The change,
 * the sessions and the audit record (user.password) are one transaction.
 * GNBV_ENOTFOUND when the session is not live; GNBV_EDENIED when `current`
 * is wrong, which counts as a failed login of the name, or while the name
 * is blocked (the throttle above: *retry_after as for login, may be NULL);
 * GNBV_EINVALID for a new password against the rules. */
int gnbv_session_change_password(gnbv_store *s, const char *token, const char *current,
                                 const char *password, int64_t now, const gnbv_session_limits *lim,
                                 char *token_out, gnbv_session *out, int64_t *retry_after);

/* Ends the session of this token (logout); no session is not an error. */
int gnbv_session_end(gnbv_store *s, const char *token);

/* 1 when `given` equals the session's CSRF token (constant time). */
int gnbv_session_csrf_ok(const gnbv_session *sess, const char *given);

/* A fresh random token (for pre-session CSRF cookies): GNBV_TOKEN_CHARS + 1. */
void gnbv_token_new(char *out);

#ifdef __cplusplus
}
#endif
#endif
