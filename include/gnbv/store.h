/*
 * gnbv/store.h - the household registry: administrative units, households,
 * review rounds, surveys and their assessments, with full history, every
 * access to personal data confined to the caller's scope, and every change
 * written to a hash-chained audit log in the same transaction.
 *
 * The store is written once over a backend vtable (gnbv/sys/store_backend.h):
 * SQLite (one file) or PostgreSQL. Nothing here names a backend's
 * types or SQL; docs/store.md describes the schema and the semantics.
 *
 * Conventions (gnbv/error.h): functions return 0 or a negative GNBV_E* code
 * with a message in the per-thread slot. Out parameters are written only on
 * success unless said otherwise. Strings passed in are borrowed for the call;
 * strings returned inside structs are copies owned by the struct.
 *
 * Scope: every call that reads or writes personal data (households,
 * members, surveys, exports) takes a gnbv_scope, a subtree of the unit
 * tree, and the store confines the call to it: rows outside are invisible
 * (lookups say GNBV_ENOTFOUND, counts and searches do not count them) and
 * writes outside are refused with GNBV_EDENIED. A scope comes only from
 * gnbv_store_scope_all (the local administrator: the CLI) or
 * gnbv_store_scope_unit.
 *
 * Threads: a gnbv_store is one connection, used by one thread at a time.
 * Open one per thread; the backend serialises writers (a writer waits up to
 * busy_timeout_ms for another).
 */
#ifndef GNBV_STORE_H
#define GNBV_STORE_H

#include "gnbv/assess.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gnbv_store gnbv_store;
struct gnbv_backend_ops;

/* Caps (bytes, including no terminator unless said): longer input is
 * refused with GNBV_ETOOBIG, never truncated. */
#define GNBV_STORE_CODE_MAX    63  /* unit and household codes */
#define GNBV_STORE_NAME_MAX    255 /* unit and person names */
#define GNBV_STORE_TEXT_MAX    127 /* ethnicity, flags, other short text */
#define GNBV_STORE_MAX_MEMBERS 200 /* per household */
#define GNBV_SCOPE_PATH_MAX    256

/* ---- Opening ------------------------------------------------------------ */

#define GNBV_STORE_OPTS_VERSION 1
typedef struct gnbv_store_opts {
	unsigned version;    /* GNBV_STORE_OPTS_VERSION */
	int create;          /* 1: create the database when missing */
	int read_only;       /* 1: no writes (migrations are not applied) */
	int busy_timeout_ms; /* wait for another writer; 0: 5 s */
	const char *actor;   /* who acts, for the audit log ("os:lan"); NULL: "unknown" */
	const struct gnbv_backend_ops *backend; /* NULL: chosen from the target */
} gnbv_store_opts;
#define GNBV_STORE_OPTS_INIT                                                                       \
	{                                                                                          \
		GNBV_STORE_OPTS_VERSION, 0, 0, 0, NULL, NULL                                       \
	}

/* Opens the store at `target` (a file path for SQLite, a postgresql:// or
 * postgres:// URL for PostgreSQL: docs/store.md) and brings its
 * schema up to date: the numbered migrations compiled into the binary
 * (src/store/migrations/NNNN_name.sql) are applied in order, each in its own
 * transaction, and recorded in schema_version. A database whose schema is
 * newer than this build is refused (GNBV_ECONFLICT). A missing database is
 * GNBV_ENOTFOUND unless opts->create. `opts` may be NULL (defaults). On
 * success *out is owned by the caller: gnbv_store_close it. */
int gnbv_store_open(gnbv_store **out, const char *target, const gnbv_store_opts *opts);

/* `target` as it may be shown in messages and output: a postgresql:// URL
 * with its password masked (***), anything else as it is; truncated to
 * cap - 1 bytes. */
void gnbv_store_target_shown(const char *target, char *out, size_t cap);

/* Closes; NULL is a no-op. An open transaction is rolled back. */
void gnbv_store_close(gnbv_store *s);

/* The schema version now in the database (the highest migration applied). */
int gnbv_store_schema_version(gnbv_store *s, int *out);

/* The highest migration compiled into this build. */
int gnbv_store_schema_latest(void);

/* The backend's physical self-check (SQLite: integrity_check and
 * foreign_key_check): 0 when sound, GNBV_EIO with the problem otherwise. */
int gnbv_store_check(gnbv_store *s);

/* ---- Scopes ------------------------------------------------------------- */

/* A subtree of the unit tree. Treat as opaque: fill it only with the two
 * functions below. */
typedef struct gnbv_scope {
	int64_t unit_id;                /* the subtree's root; 0: the whole tree */
	char path[GNBV_SCOPE_PATH_MAX]; /* the root's materialised path; "" for all */
} gnbv_scope;

/* The whole tree: the local administrator (the CLI: whoever can open the
 * database file may do anything to it). */
void gnbv_store_scope_all(gnbv_scope *out);

/* The subtree under the unit with this code valid on `on` (yyyymmdd; 0:
 * the unit still valid today, or the only one with that code).
 * GNBV_ENOTFOUND when there is none. */
int gnbv_store_scope_unit(gnbv_store *s, const char *code, int32_t on, gnbv_scope *out);

/* ---- Administrative units (M1) ----------------------------------------- */

typedef struct gnbv_unit {
	int64_t unit_id; /* internal, stable: official codes get reused */
	char code[GNBV_STORE_CODE_MAX + 1];
	char name[GNBV_STORE_NAME_MAX + 1];        /* NFC */
	char level[16];                            /* province, district, commune, village */
	char parent_code[GNBV_STORE_CODE_MAX + 1]; /* "" for a root */
	char area[8];                      /* the unit's own: urban, rural or "" (inherited) */
	int area_resolved;                 /* GNBV_AREA_RURAL, _URBAN, or _UNKNOWN, inherited */
	char valid_from[11], valid_to[11]; /* YYYY-MM-DD or "" */
	char successor_code[GNBV_STORE_CODE_MAX + 1];
	char flags[GNBV_STORE_TEXT_MAX + 1]; /* ';'-separated */
	int depth;                           /* 0 for a root */
} gnbv_unit;

typedef struct gnbv_units_stats {
	uint64_t rows, added, changed, unchanged;
} gnbv_units_stats;

/* Imports a units.csv (exchange-format.md): all rows or none, in one
 * transaction with its audit record. A unit is identified by (code,
 * valid_from): a row for a known one updates it when something differs,
 * so importing the same file again changes nothing. parent_code and
 * successor_code name units of the file or of the store (the one valid at
 * the row's valid_from when a code has several). Errors name
 * FILE:LINE:COLUMN. Needs the whole-tree scope (GNBV_EDENIED otherwise).
 * `st` may be NULL. */
int gnbv_store_units_import(gnbv_store *s, const gnbv_scope *scope, const char *path,
                            gnbv_units_stats *st);

/* The same for the units built into the binary (data/units/). */
int gnbv_store_units_import_builtin(gnbv_store *s, const gnbv_scope *scope, gnbv_units_stats *st);

/* Calls fn for each unit in tree order (a unit before its children,
 * siblings by code). fn returning non-zero stops the walk and is returned. */
typedef int (*gnbv_unit_fn)(void *ctx, const gnbv_unit *u);
int gnbv_store_units_each(gnbv_store *s, gnbv_unit_fn fn, void *ctx);

/* The unit with this code valid on `on` (see gnbv_store_scope_unit). */
int gnbv_store_unit_get(gnbv_store *s, const char *code, int32_t on, gnbv_unit *out);

/* ---- Review rounds ------------------------------------------------------ */

typedef enum gnbv_round_kind { GNBV_ROUND_PERIODIC, GNBV_ROUND_ADHOC } gnbv_round_kind;

/* Which round: the periodic review of `year` (1 Sep - 14 Dec, Decision
 * 24/2021/QĐ-TTg), or an ad-hoc review on date `as_of`. Rounds exist per
 * commune (the unit that holds the review); a household goes into its
 * commune's round. `as_of` 0 means year-10-01 for a periodic round (ages
 * are counted on it); `standard` NULL means the one domain.md §1.7 gives:
 * for a periodic round of year Y the standard in force on 1 January Y+1,
 * for an ad-hoc round the one in force on as_of. An existing round keeps
 * its date and standard: asking for others is GNBV_ECONFLICT. */
typedef struct gnbv_round_ref {
	int kind; /* gnbv_round_kind */
	int year;
	int32_t as_of;        /* yyyymmdd or 0 */
	const char *standard; /* name, path to a .json, or NULL */
} gnbv_round_ref;

/* ---- Households: records ------------------------------------------------ */

typedef struct gnbv_member_rec {
	gnbv_member m;                      /* m.birth follows birth_date */
	char name[GNBV_STORE_NAME_MAX + 1]; /* NFC; "" unknown */
	char ethnicity[GNBV_STORE_TEXT_MAX + 1];
	char birth_date[11];   /* YYYY-MM-DD, YYYY, or "" */
	int low_income_worker; /* out: Decree 30/2025 */
} gnbv_member_rec;

/* One household's survey in one round, with its stored assessment. */
typedef struct gnbv_household_rec {
	char code[GNBV_STORE_CODE_MAX + 1]; /* household_id of the exchange format */
	char unit_code[GNBV_STORE_CODE_MAX + 1];
	gnbv_household h; /* h.area GNBV_AREA_UNKNOWN: from the unit */
	size_t n_members;
	gnbv_member_rec members[GNBV_STORE_MAX_MEMBERS];
	/* Out (filled by get and put): */
	char standard[32];
	int32_t ref_date;
	gnbv_assessment a; /* get fills what is stored: klass, deficits, unknowns,
	                    * ind (in the standard's order), area, n_workers */
	int64_t survey_id;
} gnbv_household_rec;

/* Reads the current survey of household `code` in the round. A household
 * outside the scope, or without a survey in that round, is GNBV_ENOTFOUND
 * (the same answer, so that a scope learns nothing of other units). */
int gnbv_store_household_get(gnbv_store *s, const gnbv_scope *scope, const gnbv_round_ref *round,
                             const char *code, gnbv_household_rec *out);

/* Writes one household's survey in the round (an edit by an officer):
 * validates it, assesses it under the round's standard, and stores it with
 * its audit record in one transaction. An earlier survey of the household
 * in the same round is kept, marked as replaced. *changed (may be NULL)
 * is 0 when the stored survey was already identical (nothing is written).
 * The unit must be in scope and so must the household's current unit, if
 * it has one (GNBV_EDENIED). rec's out fields are filled. */
int gnbv_store_household_put(gnbv_store *s, const gnbv_scope *scope, const gnbv_round_ref *round,
                             gnbv_household_rec *rec, int *changed);

/* Households with a current survey in the round (round NULL: in any round)
 * within the scope; klass -1 counts every class, else a gnbv_class. */
int gnbv_store_household_count(gnbv_store *s, const gnbv_scope *scope, const gnbv_round_ref *round,
                               int klass, uint64_t *out);

/* ---- Search ------------------------------------------------------------- */

typedef struct gnbv_member_hit {
	char household_code[GNBV_STORE_CODE_MAX + 1];
	char unit_code[GNBV_STORE_CODE_MAX + 1];
	int member_no;
	int year;
	char name[GNBV_STORE_NAME_MAX + 1];
} gnbv_member_hit;
typedef int (*gnbv_member_hit_fn)(void *ctx, const gnbv_member_hit *hit);

/* Members of current surveys in the scope (and round, unless NULL) whose
 * name contains `query`, compared without case or diacritics and with đ as
 * d ("nguyen thi hong" finds "Nguyễn Thị Hồng"), sorted in Vietnamese
 * order (ICU vi), at most `limit` (0: 100). fn returning non-zero stops. */
int gnbv_store_member_search(gnbv_store *s, const gnbv_scope *scope, const gnbv_round_ref *round,
                             const char *query, size_t limit, gnbv_member_hit_fn fn, void *ctx);

/* ---- Import and export (exchange format v1) ---------------------------- */

typedef void (*gnbv_store_warn_fn)(void *ctx, const char *msg);
/* Progress: `done` of `total` work units (bytes read, twice over). */
typedef void (*gnbv_store_progress_fn)(void *ctx, uint64_t done, uint64_t total);

#define GNBV_IMPORT_OPTS_VERSION 1
typedef struct gnbv_import_opts {
	unsigned version; /* GNBV_IMPORT_OPTS_VERSION */
	const char *households_path, *members_path;
	gnbv_round_ref round;
	gnbv_store_warn_fn warn;
	void *warn_ctx;
	gnbv_store_progress_fn progress;
	void *progress_ctx;
} gnbv_import_opts;
#define GNBV_IMPORT_OPTS_INIT                                                                      \
	{                                                                                          \
		GNBV_IMPORT_OPTS_VERSION, NULL, NULL, {0, 0, 0, NULL}, NULL, NULL, NULL, NULL      \
	}

typedef struct gnbv_import_stats {
	uint64_t households, members;        /* read */
	uint64_t added, changed, unchanged;  /* households */
	uint64_t by_class[GNBV_CLASS_COUNT]; /* of the households read */
	uint64_t rounds_created;
	char standard[32];
	int32_t ref_date;
	int64_t audit_seq; /* the audit record; 0 when nothing changed */
} gnbv_import_stats;

/* Imports a round from households.csv + members.csv. Everything is
 * validated first (the cells, the keys, every unit known to the store and
 * valid on the reference date, every unit in scope, every household with
 * members), then written in one transaction, classified as it goes; on any
 * error nothing is written and the message names FILE:LINE:COLUMN.
 * Households already surveyed in the round with identical data are left
 * alone (re-importing the same files changes nothing and writes no audit
 * record); changed ones get a new survey that replaces the old. `st` may
 * be NULL. */
int gnbv_store_import(gnbv_store *s, const gnbv_scope *scope, const gnbv_import_opts *o,
                      gnbv_import_stats *st);

#define GNBV_EXPORT_OPTS_VERSION 1
typedef struct gnbv_export_opts {
	unsigned version; /* GNBV_EXPORT_OPTS_VERSION */
	gnbv_round_ref round;
	const char *out_dir;
	const char *purpose; /* why, for the access record; NULL: "export" */
} gnbv_export_opts;
#define GNBV_EXPORT_OPTS_INIT                                                                      \
	{                                                                                          \
		GNBV_EXPORT_OPTS_VERSION, {0, 0, 0, NULL}, NULL, NULL                              \
	}

typedef struct gnbv_export_stats {
	uint64_t households, members;
} gnbv_export_stats;

/* Writes OUT_DIR/households.csv and OUT_DIR/members.csv (exchange format
 * v1; both or neither) with the current surveys of the round within the
 * scope, in import order; unknown columns kept at import come back as
 * columns. The export is an access to personal data: it is recorded in the
 * audit log. GNBV_ENOTFOUND when the round has no household in scope. */
int gnbv_store_export(gnbv_store *s, const gnbv_scope *scope, const gnbv_export_opts *o,
                      gnbv_export_stats *st);

/* ---- Audit log ---------------------------------------------------------- */

/* Re-computes the hash chain: each record's hash covers the previous
 * record's hash and its own content, so an offline edit, insertion or
 * deletion of a record shows. 0 when intact (*checked, may be NULL, gets the
 * records checked); GNBV_EINVALID naming the first bad record otherwise. */
int gnbv_store_audit_verify(gnbv_store *s, uint64_t *checked);

/* The sequence number of the last audit record: every committed change to
 * the store (households, rounds, units, plans, accounts, and exports) writes
 * one in its own transaction, so an unchanged number means nothing a page
 * shows has changed, whichever process wrote (the web's caches compare it:
 * src/web/cache.c). One indexed read. */
int gnbv_store_change_seq(gnbv_store *s, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif
