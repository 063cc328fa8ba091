/*
 * sqlite.c - the SQLite backend of the store (gnbv/sys/store_backend.h).
 *
 * One database file in WAL mode with synchronous=FULL, so that a commit is
 * durable when it returns and a kill -9 at any moment leaves the last
 * committed state (quality.md R1); foreign keys enforced; defensive mode on
 * (no writable_schema, no shadow-table writes, no journal_mode=OFF from SQL)
 * and double-quoted string literals refused, so that the SQL accepted here
 * is also SQL PostgreSQL accepts. Everything SQLite-specific the store needs
 * lives in this file: the pragmas, BEGIN IMMEDIATE, the cache size for bulk
 * loads, and the `vi` collation, an ICU collator for Vietnamese order
 * (a < ă < â, d < đ, tones after letters) registered on each connection.
 *
 * A connection embeds gnbv_backend first. A gnbv_bstmt is an sq_stmt: the
 * sqlite3_stmt and whether it belongs to the connection's statement cache.
 * The store prepares its constant SQL anew at every call; parsing and
 * planning cost more than running the small statements of a web request
 * (a session check, a count), so each connection keeps up to STMT_CACHE
 * prepared statements keyed by their text. "Finalizing" a cached one
 * resets it and clears its bindings (no read lock or caller pointer
 * outlives the call); a text already in use (a statement nested in a loop
 * over itself) or past the cap gets a statement of its own, as before.
 */
#include "gnbv/sys/store_backend.h"

#include "gnbv/error.h"

#include <sqlite3.h>
#include <unicode/ucol.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STMT_CACHE 96

typedef struct sq_stmt {
	sqlite3_stmt *st;
	char *sql;     /* the key (a cached statement's own copy), NULL: not cached */
	uint32_t hash; /* of sql */
	int busy;      /* handed out and not yet finalized */
} sq_stmt;

typedef struct sq_conn {
	gnbv_backend base; /* first: a gnbv_backend * is an sq_conn * */
	sqlite3 *db;
	char *path;
	sq_stmt cache[STMT_CACHE];
	int ncache;
} sq_conn;

#define CONN(b)  ((sq_conn *)(b))
#define STMT(st) (((sq_stmt *)(st))->st)

/* Normal page cache (16 MiB) and the one used for bulk loads (256 MiB: a
 * district's or province's indexes stay in memory while they grow). The
 * statements are constants: no SQL is ever formatted. */
static const char CACHE_NORMAL[] = "PRAGMA cache_size = -16384";
static const char CACHE_BULK[] = "PRAGMA cache_size = -262144";

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE: return 0;
	case SQLITE_NOMEM: return GNBV_ENOMEM;
	case SQLITE_CONSTRAINT: return GNBV_ECONFLICT;
	case SQLITE_TOOBIG: return GNBV_ETOOBIG;
	case SQLITE_ERROR:
	case SQLITE_MISMATCH:
	case SQLITE_RANGE: return GNBV_EINVALID;
	case SQLITE_CANTOPEN: return GNBV_ENOTFOUND;
	case SQLITE_PERM:
	case SQLITE_AUTH:
	case SQLITE_READONLY: return GNBV_EDENIED;
	default: return GNBV_EIO; /* BUSY, LOCKED, IOERR, FULL, CORRUPT, NOTADB, ... */
	}
}

static int fail(sqlite3 *db, int rc, const char *what)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
	return gnbv_error_set(map_rc(rc), "database: %s: %s", what, msg);
}

static int sq_accepts(const char *target)
{
	return target && strncmp(target, "postgresql://", 13) && strncmp(target, "postgres://", 11);
}

/* Vietnamese order through ICU. ucol_strcollUTF8 on one collator from one
 * connection's thread at a time: collators are safe for that. */
static int vi_compare(void *ctx, int na, const void *a, int nb, const void *b)
{
	UErrorCode st = U_ZERO_ERROR;
	UCollationResult r =
	    ucol_strcollUTF8((const UCollator *)ctx, (const char *)a, na, (const char *)b, nb, &st);
	if (U_FAILURE(st)) { /* invalid UTF-8 cannot enter the store; be total anyway */
		int c = memcmp(a, b, (size_t)(na < nb ? na : nb));
		return c ? c : na - nb;
	}
	return r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
}

static void vi_destroy(void *ctx)
{
	ucol_close((UCollator *)ctx);
}

static int register_vi(sqlite3 *db)
{
	UErrorCode st = U_ZERO_ERROR;
	UCollator *coll = ucol_open("vi", &st);
	if (U_FAILURE(st) || !coll)
		return gnbv_error_set(GNBV_EIO, "database: cannot open the ICU 'vi' collator: %s",
		                      u_errorName(st));
	int rc = sqlite3_create_collation_v2(db, "vi", SQLITE_UTF8, coll, vi_compare, vi_destroy);
	if (rc != SQLITE_OK) {
		ucol_close(coll);
		return fail(db, rc, "registering the vi collation");
	}
	return 0;
}

static int pragma_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) return fail(db, rc, sql);
	out[0] = '\0';
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		if (t) {
			size_t n = strlen((const char *)t);
			if (n >= cap) n = cap - 1;
			memcpy(out, t, n);
			out[n] = '\0';
		}
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : fail(db, rc, sql);
}

static int set_pragma(sqlite3 *db, const char *pragma)
{
	char out[32];
	return pragma_text(db, pragma, out, sizeof out);
}

static void sq_close(gnbv_backend *b)
{
	if (!b) return;
	sq_conn *c = CONN(b);
	for (int i = 0; i < c->ncache; i++) {
		sqlite3_finalize(c->cache[i].st);
		free(c->cache[i].sql);
	}
	if (c->db) sqlite3_close_v2(c->db);
	free(c->path);
	free(c);
}

static int sq_open(const char *target, const gnbv_backend_config *cfg, gnbv_backend **out);

static int sq_exec(gnbv_backend *b, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(CONN(b)->db, sql, NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		int code =
		    gnbv_error_set(map_rc(rc), "database: %s", err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return code;
	}
	return 0;
}

static int sq_begin(gnbv_backend *b)
{
	int rc = sqlite3_exec(CONN(b)->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : fail(CONN(b)->db, rc, "begin");
}

static int sq_commit(gnbv_backend *b)
{
	int rc = sqlite3_exec(CONN(b)->db, "COMMIT", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : fail(CONN(b)->db, rc, "commit");
}

static int sq_rollback(gnbv_backend *b)
{
	sqlite3 *db = CONN(b)->db;
	if (sqlite3_get_autocommit(db)) return 0; /* nothing open (SQLite may have rolled back) */
	int rc = sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : fail(db, rc, "rollback");
}

static uint32_t sql_hash(const char *p)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static int sq_prepare(gnbv_backend *b, const char *sql, gnbv_bstmt **out)
{
	sq_conn *c = CONN(b);
	sqlite3_stmt *st = NULL;
	uint32_t h = sql_hash(sql);
	int in_use = 0;
	*out = NULL;
	for (int i = 0; i < c->ncache; i++) {
		sq_stmt *e = &c->cache[i];
		if (e->hash != h || strcmp(e->sql, sql)) continue;
		if (e->busy) {
			in_use = 1;
			break;
		}
		e->busy = 1;
		*out = (gnbv_bstmt *)e;
		return 0;
	}
	int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) return fail(c->db, rc, "prepare");
	sq_stmt *w = NULL;
	if (!in_use && c->ncache < STMT_CACHE) {
		char *key = strdup(sql);
		if (key) {
			w = &c->cache[c->ncache++];
			w->sql = key;
			w->hash = h;
		}
	}
	if (!w && !(w = calloc(1, sizeof *w))) {
		sqlite3_finalize(st);
		return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	}
	w->st = st;
	w->busy = 1;
	*out = (gnbv_bstmt *)w;
	return 0;
}

static int bind_rc(gnbv_bstmt *st, int rc)
{
	return rc == SQLITE_OK ? 0 : fail(sqlite3_db_handle(STMT(st)), rc, "bind");
}

static int sq_bind_null(gnbv_bstmt *st, int i)
{
	return bind_rc(st, sqlite3_bind_null(STMT(st), i));
}

static int sq_bind_int(gnbv_bstmt *st, int i, int64_t v)
{
	return bind_rc(st, sqlite3_bind_int64(STMT(st), i, (sqlite3_int64)v));
}

static int sq_bind_double(gnbv_bstmt *st, int i, double v)
{
	return bind_rc(st, sqlite3_bind_double(STMT(st), i, v));
}

static int sq_bind_text(gnbv_bstmt *st, int i, const char *p, size_t n)
{
	if (n > 0x7fffffff) return gnbv_error_set(GNBV_ETOOBIG, "database: text of %zu bytes", n);
	return bind_rc(st, sqlite3_bind_text(STMT(st), i, p ? p : "", (int)n, SQLITE_STATIC));
}

static int sq_step(gnbv_bstmt *st)
{
	int rc = sqlite3_step(STMT(st));
	if (rc == SQLITE_ROW) return GNBV_BACKEND_ROW;
	if (rc == SQLITE_DONE) return GNBV_BACKEND_DONE;
	return fail(sqlite3_db_handle(STMT(st)), rc, "step");
}

static int sq_column_is_null(gnbv_bstmt *st, int col)
{
	return sqlite3_column_type(STMT(st), col) == SQLITE_NULL;
}

static int64_t sq_column_int(gnbv_bstmt *st, int col)
{
	return (int64_t)sqlite3_column_int64(STMT(st), col);
}

static double sq_column_double(gnbv_bstmt *st, int col)
{
	return sqlite3_column_double(STMT(st), col);
}

static const char *sq_column_text(gnbv_bstmt *st, int col, size_t *len)
{
	const unsigned char *t = sqlite3_column_text(STMT(st), col);
	int n = sqlite3_column_bytes(STMT(st), col);
	if (len) *len = t ? (size_t)n : 0;
	return t ? (const char *)t : "";
}

static int sq_reset(gnbv_bstmt *st)
{
	sqlite3_stmt *s = STMT(st);
	/* sqlite3_reset repeats the last step's error: that one was reported.
	 * Bindings stay (the interface says so): every caller rebinds all. */
	(void)sqlite3_reset(s);
	return 0;
}

static void sq_finalize(gnbv_bstmt *st)
{
	sq_stmt *w = (sq_stmt *)st;
	if (!w) return;
	if (w->sql) { /* cached: back to the cache, holding nothing */
		(void)sqlite3_reset(w->st);
		(void)sqlite3_clear_bindings(w->st);
		w->busy = 0;
		return;
	}
	sqlite3_finalize(w->st);
	free(w);
}

static int64_t sq_changes(gnbv_backend *b)
{
	return (int64_t)sqlite3_changes64(CONN(b)->db);
}

static int sq_check(gnbv_backend *b)
{
	sqlite3 *db = CONN(b)->db;
	char out[512];
	int rc = pragma_text(db, "PRAGMA integrity_check", out, sizeof out);
	if (rc) return rc;
	if (strcmp(out, "ok"))
		return gnbv_error_set(GNBV_EIO, "database: integrity check failed: %s", out);
	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL);
	if (rc != SQLITE_OK) return fail(db, rc, "foreign_key_check");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		int code =
		    gnbv_error_set(GNBV_EIO, "database: a row of table %s refers to a missing row",
		                   t ? (const char *)t : "?");
		sqlite3_finalize(st);
		return code;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(db, rc, "foreign_key_check");
}

static int sq_hint(gnbv_backend *b, int hint)
{
	if (hint == GNBV_HINT_BULK_BEGIN) return set_pragma(CONN(b)->db, CACHE_BULK);
	if (hint == GNBV_HINT_BULK_END) return set_pragma(CONN(b)->db, CACHE_NORMAL);
	/* In WAL mode NORMAL skips the commit's fsync and stays consistent. */
	if (hint == GNBV_HINT_ACCESS_TX) return set_pragma(CONN(b)->db, "PRAGMA synchronous = NORMAL");
	if (hint == GNBV_HINT_ACCESS_END) return set_pragma(CONN(b)->db, "PRAGMA synchronous = FULL");
	return 0;
}

static const gnbv_backend_ops SQLITE_OPS = {
    GNBV_BACKEND_VERSION,
    "sqlite",
    sq_accepts,
    sq_open,
    sq_close,
    sq_exec,
    sq_begin,
    sq_commit,
    sq_rollback,
    sq_prepare,
    sq_bind_null,
    sq_bind_int,
    sq_bind_double,
    sq_bind_text,
    sq_step,
    sq_column_is_null,
    sq_column_int,
    sq_column_double,
    sq_column_text,
    sq_reset,
    sq_finalize,
    sq_changes,
    sq_check,
    sq_hint,
};

const gnbv_backend_ops *gnbv_backend_sqlite(void)
{
	return &SQLITE_OPS;
}

static int sq_open(const char *target, const gnbv_backend_config *cfg, gnbv_backend **out)
{
	sq_conn *c = NULL;
	int rc = 0, src;
	char mode[32];
	*out = NULL;
	if (!cfg->create && access(target, F_OK) != 0)
		return gnbv_error_set(GNBV_ENOTFOUND,
		                      "%s: no such database (create it with 'gnbv --db %s init')",
		                      target, target);
	c = calloc(1, sizeof *c);
	if (!c) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	c->base.ops = &SQLITE_OPS;
	c->path = strdup(target);
	if (!c->path) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	int flags = (cfg->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
	            (cfg->create && !cfg->read_only ? SQLITE_OPEN_CREATE : 0) |
	            SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
	src = sqlite3_open_v2(target, &c->db, flags, NULL);
	if (src != SQLITE_OK) {
		rc = gnbv_error_set(map_rc(src), "%s: cannot open the database: %s", target,
		                    c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(src));
		goto done;
	}
	/* Defensive mode and no double-quoted strings: the portable subset. */
	int on = 1, off = 0, ignored = 0;
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DEFENSIVE, on, &ignored);
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_ENABLE_FKEY, on, &ignored);
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DQS_DML, off, &ignored);
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DQS_DDL, off, &ignored);
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, off, &ignored);
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, cfg->busy_timeout_ms > 0 ? cfg->busy_timeout_ms : 5000);

	/* A file that is not a database fails here, on its first read. */
	if ((rc = pragma_text(c->db, "PRAGMA schema_version", mode, sizeof mode))) goto done;
	if (!cfg->read_only) {
		if ((rc = pragma_text(c->db, "PRAGMA journal_mode = WAL", mode, sizeof mode)))
			goto done;
		if (strcmp(mode, "wal")) {
			rc = gnbv_error_set(GNBV_EIO,
			                    "%s: cannot switch the database to WAL mode (got '%s')",
			                    target, mode);
			goto done;
		}
	}
	if ((rc = pragma_text(c->db, "PRAGMA synchronous = FULL", mode, sizeof mode)) ||
	    (rc = pragma_text(c->db, "PRAGMA foreign_keys = ON", mode, sizeof mode)) ||
	    (rc = pragma_text(c->db, "PRAGMA temp_store = MEMORY", mode, sizeof mode)) ||
	    (rc = set_pragma(c->db, CACHE_NORMAL)) || (rc = register_vi(c->db)))
		goto done;
	*out = &c->base;
	c = NULL;
done:
	if (c) sq_close(&c->base);
	return rc;
}
