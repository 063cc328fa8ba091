/*
 * gnbv/sys/store_backend.h - the interface a storage backend implements.
 *
 * This is the "sys" tier (like libgit2's git2/sys/odb_backend.h): ordinary
 * callers use gnbv/store.h, which is written once over this vtable; only
 * someone adding a backend (SQLite and PostgreSQL today) reads this file.
 *
 * The model is lwan's `struct db` and SQLite's VFS: a table of function
 * pointers with a version field, and a connection struct that each backend
 * embeds as its first member (so a `gnbv_backend *` is the backend's own
 * connection, cast). Statements are the backend's own opaque type.
 *
 * The SQL that crosses this interface is a portable subset that SQLite
 * (>= 3.35) and PostgreSQL (>= 12) both run unchanged:
 *   - placeholders are `?`, numbered from 1 in order of appearance (a
 *     PostgreSQL backend rewrites them to $1, $2, ... outside literals);
 *   - types in DDL are INTEGER (64-bit: a PostgreSQL backend maps it to
 *     BIGINT when it applies a migration), TEXT and REAL (double: mapped to
 *     DOUBLE PRECISION);
 *   - INSERT ... ON CONFLICT (cols) DO NOTHING / DO UPDATE, UPDATE ...
 *     RETURNING, partial indexes (CREATE INDEX ... WHERE), CHECK and
 *     FOREIGN KEY ... DEFERRABLE INITIALLY DEFERRED, COLLATE vi;
 *   - the table option WITHOUT ROWID, where a table is its primary key
 *     (a PostgreSQL backend drops it when it applies a migration);
 *   - no pragmas, no rowid, no AUTOINCREMENT or SERIAL (the store allocates
 *     ids itself from its id_counter table), no STRICT, no SQLite or
 *     PostgreSQL functions beyond count, min, max, sum, coalesce, length.
 * Everything backend-specific (journal mode, synchronous, foreign key
 * enforcement, defensive mode, busy timeouts, the `vi` collation, COPY)
 * happens inside the backend.
 *
 * Values: integers are int64_t, reals double, text UTF-8 bytes with an
 * explicit length (not necessarily NUL-terminated on the way in; always
 * NUL-terminated on the way out). NULL is its own bind and test.
 *
 * Errors: every function returning int returns 0 (or a documented positive
 * value) on success and a negative GNBV_E* code of gnbv/error.h on failure,
 * with the message set through gnbv_error_set. A backend maps its own
 * codes: constraint violations to GNBV_ECONFLICT, out of memory to
 * GNBV_ENOMEM, busy/locked, I/O, disk full and corruption to GNBV_EIO,
 * SQL it cannot parse to GNBV_EINVALID.
 *
 * Threads: a connection and its statements are used by one thread at a
 * time; different connections are independent.
 */
#ifndef GNBV_SYS_STORE_BACKEND_H
#define GNBV_SYS_STORE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when a member is added to gnbv_backend_ops; a backend sets
 * `version` to the value it was written for, and the store refuses one
 * newer than itself and does not call members an older one lacks. */
#define GNBV_BACKEND_VERSION 1

/* step() results. */
#define GNBV_BACKEND_DONE 0
#define GNBV_BACKEND_ROW  1

/* Hints the store gives around large batch writes (gnbv import) and
 * around the transactions that only record a read of personal data. A
 * backend may ignore them. */
typedef enum gnbv_backend_hint {
	GNBV_HINT_BULK_BEGIN, /* a large write transaction follows: grow caches */
	GNBV_HINT_BULK_END,   /* back to ordinary settings */
	/* Given before beginning a transaction that only appends access
	 * records (a view of a household list): its commit may return before
	 * the disk has it
	 * (SQLite synchronous = NORMAL in WAL mode, PostgreSQL
	 * synchronous_commit = off). A crash of the process loses nothing; a
	 * power cut may lose the last such records, never the chain's order
	 * or any data change. */
	GNBV_HINT_ACCESS_TX,
	GNBV_HINT_ACCESS_END /* after its commit or rollback: durable commits again */
} gnbv_backend_hint;

typedef struct gnbv_backend_ops gnbv_backend_ops;

/* A connection. Backends embed it as their first member. */
typedef struct gnbv_backend {
	const gnbv_backend_ops *ops;
} gnbv_backend;

/* A prepared statement: the backend's own type. */
typedef struct gnbv_bstmt gnbv_bstmt;

/* What open() is asked for. */
typedef struct gnbv_backend_config {
	int create;          /* 1: create the database when it does not exist */
	int read_only;       /* 1: open for reading only */
	int busy_timeout_ms; /* how long to wait for another writer; 0: backend default */
} gnbv_backend_config;

struct gnbv_backend_ops {
	int version;      /* GNBV_BACKEND_VERSION it implements */
	const char *name; /* "sqlite", "postgresql" */

	/* 1 when `target` (the --db argument) is for this backend: a path for
	 * SQLite, a postgresql:// URL for PostgreSQL. */
	int (*accepts)(const char *target);

	/* Opens a connection, doing every backend-specific setting-up. A
	 * missing database with cfg->create 0 is GNBV_ENOTFOUND. */
	int (*open)(const char *target, const gnbv_backend_config *cfg, gnbv_backend **out);
	/* Closes; statements must be finalized first. NULL is a no-op. */
	void (*close)(gnbv_backend *b);

	/* Runs a script of statements without parameters (migrations). The
	 * backend may translate the portable DDL types described above. */
	int (*exec)(gnbv_backend *b, const char *sql);

	/* One transaction at a time, no nesting. begin() takes the write lock
	 * at once where the backend has one (SQLite BEGIN IMMEDIATE; PostgreSQL
	 * an advisory lock on the schema), so that
	 * a transaction never fails half-way for want of it. commit() returns
	 * only once the transaction is durable. rollback() after a failed
	 * commit or none at all is harmless. */
	int (*begin)(gnbv_backend *b);
	int (*commit)(gnbv_backend *b);
	int (*rollback)(gnbv_backend *b);

	int (*prepare)(gnbv_backend *b, const char *sql, gnbv_bstmt **out);
	/* Binds parameter `i` (1-based). Text is NOT copied: it must stay
	 * valid and unchanged until the statement is stepped to completion or
	 * reset. */
	int (*bind_null)(gnbv_bstmt *st, int i);
	int (*bind_int)(gnbv_bstmt *st, int i, int64_t v);
	int (*bind_double)(gnbv_bstmt *st, int i, double v);
	int (*bind_text)(gnbv_bstmt *st, int i, const char *p, size_t n);
	/* GNBV_BACKEND_ROW, GNBV_BACKEND_DONE, or a negative code. */
	int (*step)(gnbv_bstmt *st);
	/* Columns of the current row (0-based). Text stays valid until the
	 * next step, reset or finalize. */
	int (*column_is_null)(gnbv_bstmt *st, int col);
	int64_t (*column_int)(gnbv_bstmt *st, int col);
	double (*column_double)(gnbv_bstmt *st, int col);
	const char *(*column_text)(gnbv_bstmt *st, int col, size_t *len);
	/* Makes the statement ready to run again. Bindings are kept (rebind
	 * every parameter before the next step). */
	int (*reset)(gnbv_bstmt *st);
	/* NULL is a no-op. */
	void (*finalize)(gnbv_bstmt *st);

	/* Rows changed by the last INSERT, UPDATE or DELETE. */
	int64_t (*changes)(gnbv_backend *b);

	/* Physical self-check of the database (SQLite: integrity_check and
	 * foreign_key_check). 0 when sound; GNBV_EIO with the first problems
	 * in the message otherwise. */
	int (*check)(gnbv_backend *b);

	/* A hint (gnbv_backend_hint); returns 0 whether or not it is used. */
	int (*hint)(gnbv_backend *b, int hint);
};

/* The backends built into libgnbv. */
const gnbv_backend_ops *gnbv_backend_sqlite(void);
const gnbv_backend_ops *gnbv_backend_postgresql(void);

#ifdef __cplusplus
}
#endif
#endif
