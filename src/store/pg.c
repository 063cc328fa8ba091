/*
 * pg.c - the PostgreSQL backend of the store (gnbv/sys/store_backend.h),
 * over libpq, loaded when the first postgresql:// store is opened.
 *
 * libpq is not linked: with it, the libraries it pulls in (Kerberos, LDAP,
 * GnuTLS and theirs, 20 of the 41 a linked binary maps) cost every process
 * 4.4 ms at start-up, a command on SQLite as much as one on PostgreSQL
 * (an empty program linked with the binary's libraries took 7.9 ms to run,
 * 3.4 ms without libpq's). So it is opened with dlopen (libpq.so.5, or the
 * file GNBV_LIBPQ names) and its functions are taken through one table
 * typed from libpq-fe.h itself, so a wrong prototype cannot compile.
 *
 * The store speaks the portable SQL subset of store_backend.h; this file
 * makes PostgreSQL (>= 12) run it unchanged. `--db` is a postgresql:// or
 * postgres:// URL (libpq's own syntax, passed to libpq as it is); the
 * tables live in the first schema of the connection's search_path, so one
 * database can hold several registries (and the tests use a schema each).
 *
 *   - open: connect, then fix what the SQL relies on: client_encoding UTF8,
 *     standard_conforming_strings (so '\' in LIKE ... ESCAPE '\' is one
 *     backslash), synchronous_commit on (a commit is durable when it
 *     returns, as with SQLite's synchronous=FULL), extra_float_digits 1
 *     (doubles come back in the shortest text that reads back equal),
 *     notices silenced (CREATE ... IF NOT EXISTS must not write on stderr),
 *     lock_timeout from busy_timeout_ms. The collation `vi` (ICU) is created
 *     once in that schema; a role that may not create it (an application
 *     role with DML only) gets a message naming what the administrator must
 *     run.
 *   - exec (migrations): the DDL's portable types are translated, as whole
 *     upper-case words outside literals and comments: INTEGER -> BIGINT,
 *     REAL -> DOUBLE PRECISION, TEXT -> TEXT COLLATE "C" (SQLite compares
 *     text byte by byte; the scope ranges on unit.path and every ORDER BY
 *     on codes rely on it, whatever the database's default collation), and
 *     the table option WITHOUT ROWID is dropped.
 *   - prepare: `?` and `?NNN` become $n outside literals, quoted identifiers
 *     and comments; each distinct SQL text is prepared once per connection
 *     (PQprepare, named statements kept until the connection closes: the
 *     store prepares the same few hundred texts over and over), beyond a cap
 *     a statement runs with PQexecParams. Parameters are sent as text with
 *     their types inferred by the server from the SQL, as SQLite's
 *     affinities would; results come back as text and are parsed, row by
 *     row in single-row mode (see unstream for statements that nest).
 *   - begin: BEGIN plus a transaction-level advisory lock keyed by the
 *     schema, which serialises the writers of one registry the way SQLite's
 *     BEGIN IMMEDIATE does (so that reads made before the id counters are
 *     locked are never stale); waiting is bounded by lock_timeout.
 *   - bulk hint (gnbv import): a plain multi-row INSERT (`INSERT INTO t
 *     (cols) VALUES (?, ...), ...` and nothing else) does not run: its bound
 *     rows are appended to t's COPY buffer, and the buffers go to the server
 *     as one `COPY t (cols) FROM STDIN` each, in the order the tables were
 *     first written (the writer's foreign-key order), when a statement needs
 *     an answer, at 4 MiB, or at commit. Other INSERTs without RETURNING are
 *     pipelined (libpq pipeline mode) until a statement needs its answer. So
 *     an import is a few dozen round trips, not one per statement; errors
 *     (a duplicate, a foreign key) are reported by the statement or commit
 *     that sends the rows, and the transaction rolls back as before.
 *   - check: invalid indexes and unvalidated constraints of the schema,
 *     then amcheck's bt_index_check on every B-tree index when the
 *     extension is installed and the role may run it; without amcheck only
 *     the first part runs.
 *
 * Errors: SQLSTATE class 23 (unique, foreign key, check), serialization
 * failures, deadlocks, lock and statement timeouts are GNBV_ECONFLICT;
 * insufficient privilege GNBV_EDENIED; syntax, undefined objects and bad
 * values GNBV_EINVALID; a broken connection, disk full and the rest
 * GNBV_EIO, with the server's message. A password in the URL never appears
 * in a message: the target is shown with it masked.
 */
#include "gnbv/sys/store_backend.h"

#include "gnbv/error.h"

#include "pg_int.h"

#include <libpq-fe.h>

#include <dlfcn.h>
#include <pthread.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- libpq, loaded on first use ---- */

#define PQ_FUNCS(X) \
	X(PQclear) \
	X(PQcmdStatus) \
	X(PQcmdTuples) \
	X(PQconnectdbParams) \
	X(PQenterPipelineMode) \
	X(PQerrorMessage) \
	X(PQexec) \
	X(PQexecParams) \
	X(PQexitPipelineMode) \
	X(PQfinish) \
	X(PQgetResult) \
	X(PQgetisnull) \
	X(PQgetlength) \
	X(PQgetvalue) \
	X(PQnfields) \
	X(PQntuples) \
	X(PQpipelineSync) \
	X(PQprepare) \
	X(PQputCopyData) \
	X(PQputCopyEnd) \
	X(PQresultErrorField) \
	X(PQresultStatus) \
	X(PQsendQueryParams) \
	X(PQsendQueryPrepared) \
	X(PQserverVersion) \
	X(PQsetNoticeProcessor) \
	X(PQsetSingleRowMode) \
	X(PQstatus) \
	X(PQtransactionStatus)

static struct {
#define PQ_FIELD(f) __typeof__(f) *f;
	PQ_FUNCS(PQ_FIELD)
#undef PQ_FIELD
} pq;
static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static int pq_ready;
static char pq_why[512];

static void pq_load_once(void)
{
	const char *lib = getenv("GNBV_LIBPQ");
	if (!lib || !*lib) lib = "libpq.so.5";
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(pq_why, sizeof pq_why, "%s", dlerror());
		return;
	}
	/* (through a void pointer: ISO C has no cast between object and
	 * function pointers; POSIX makes dlsym's answer usable this way) */
#define PQ_SYM(f) \
	if (!(*(void **)&pq.f = dlsym(h, #f))) { \
		snprintf(pq_why, sizeof pq_why, "%s has no %s", lib, #f); \
		return; \
	}
	PQ_FUNCS(PQ_SYM)
#undef PQ_SYM
	pq_ready = 1; /* the library stays loaded for the life of the process */
}

static int pq_load(void)
{
	pthread_once(&pq_once, pq_load_once);
	if (pq_ready) return 0;
	return gnbv_error_set(GNBV_EIO,
	                      "cannot load PostgreSQL's client library (%s): install the libpq5 "
	                      "package, or set GNBV_LIBPQ to the file's path",
	                      pq_why);
}

#define MAX_PARAMS     65535      /* PostgreSQL's limit per statement */
#define MAX_SQL        (1u << 24) /* 16 MiB of SQL text, script or statement */
#define MAX_TEXT       (1u << 30) /* a bound text value */
#define CACHE_SLOTS    4096       /* power of two: the statement cache's table */
#define CACHE_MAX      2048       /* statements kept prepared per connection */
#define PIPELINE_DEPTH 256        /* pipelined statements before results are read */
#define COPY_TABLES    16         /* tables with rows waiting for COPY */
#define COPY_FLUSH     (4u << 20) /* bytes of COPY rows kept before they are sent */

typedef struct pg_prep {
	char *sql;   /* the portable SQL as the store gave it: the cache key */
	char *pgsql; /* with $n placeholders */
	uint64_t hash;
	int nparams;
	int copy_cols;     /* > 0: a plain multi-row INSERT of that many columns */
	char *copy_target; /* then its "table (col, ...)" */
	char name[24];     /* server-side name; "" when run unnamed (over the cap) */
} pg_prep;

/* Rows of one table waiting for COPY, in COPY's text format. */
typedef struct pg_copy {
	char *target; /* "table (col, ...)" */
	char *data;
	size_t len, cap;
} pg_copy;

typedef struct pg_conn {
	gnbv_backend base; /* first: a gnbv_backend * is a pg_conn * */
	PGconn *pg;
	pg_prep *cache[CACHE_SLOTS];
	size_t cached;
	unsigned next_name;
	int64_t changes;
	int bulk;                  /* between the BULK_BEGIN and BULK_END hints */
	int light;                 /* between the ACCESS_TX and ACCESS_END hints */
	int pipelined;             /* in pipeline mode */
	int queued;                /* statements sent whose results were not read */
	pg_copy copy[COPY_TABLES]; /* in the order the tables were first written */
	int ncopy;
	size_t copy_bytes;
	gnbv_bstmt *streaming; /* the statement whose rows are arriving, if any */
	char shown[256];       /* the target with any password masked, for messages */
} pg_conn;

typedef struct pg_param {
	char *buf;
	size_t cap;
} pg_param;

struct gnbv_bstmt {
	pg_conn *c;
	pg_prep *p;
	int owned; /* p is not in the cache: freed with the statement */
	pg_param *params;
	const char **vals; /* vals[i]: params[i].buf, or NULL for SQL NULL */
	PGresult *res;     /* the current row's result */
	int row, nrows, ncols;
	enum { ST_IDLE, ST_ROWS, ST_DONE } state;
	int streaming;                   /* its rows are still arriving (single-row mode) */
	int lost;                        /* rows read ahead were dropped for want of memory */
	PGresult **ahead;                /* rows read ahead because another statement needed */
	size_t nahead, iahead, capahead; /* the connection (see unstream) */
};

#define CONN(b) ((pg_conn *)(b))

/* ---- messages ---- */

/* target with the password of user:password@ and of ?password= masked. */
void gnbv__pg_mask_target(const char *t, char *out, size_t cap)
{
	size_t o = 0, n = strlen(t);
	const char *scheme = strstr(t, "://");
	const char *auth = scheme ? scheme + 3 : t;
	const char *slash = strchr(auth, '/');
	const char *end = slash ? slash : auth + strlen(auth);
	const char *at = NULL, *colon = NULL;
	for (const char *q = auth; q < end; q++) /* the last '@': a password may hold one */
		if (*q == '@') at = q;
	for (const char *q = auth; at && q < at && !colon; q++)
		if (*q == ':') colon = q;
	int mask_auth = at && colon;
	for (size_t i = 0; i < n && o + 1 < cap;) {
		const char *p = t + i;
		if (mask_auth && p == colon) {
			const char *m = ":***";
			for (; *m && o + 1 < cap; m++)
				out[o++] = *m;
			i = (size_t)(at - t);
			continue;
		}
		if ((p[0] == '?' || p[0] == '&') && strncmp(p + 1, "password=", 9) == 0) {
			const char *m = p[0] == '?' ? "?password=***" : "&password=***";
			for (; *m && o + 1 < cap; m++)
				out[o++] = *m;
			i += 10;
			while (i < n && t[i] != '&')
				i++;
			continue;
		}
		out[o++] = t[i++];
	}
	out[o] = '\0';
}

static int map_state(const char *state)
{
	if (!state || !state[0]) return GNBV_EIO;                 /* no answer: the connection */
	if (!strncmp(state, "23", 2)) return GNBV_ECONFLICT;      /* integrity constraints */
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || /* serialization, deadlock */
	    !strcmp(state, "55P03") || !strcmp(state, "57014"))   /* lock timeout, cancelled */
		return GNBV_ECONFLICT;
	if (!strcmp(state, "42501")) return GNBV_EDENIED; /* insufficient privilege */
	if (!strcmp(state, "53200")) return GNBV_ENOMEM;
	if (!strcmp(state, "54000") || !strcmp(state, "54001")) return GNBV_ETOOBIG;
	if (!strcmp(state, "3D000") || !strcmp(state, "3F000")) return GNBV_ENOTFOUND;
	if (!strncmp(state, "42", 2) || !strncmp(state, "22", 2) || !strncmp(state, "0A", 2))
		return GNBV_EINVALID; /* syntax, undefined objects, bad values, unsupported */
	return GNBV_EIO;              /* connection (08), resources (53), internal (XX), ... */
}

/* Copies s without its trailing newlines. */
static void trimmed(const char *s, char *out, size_t cap)
{
	snprintf(out, cap, "%s", s ? s : "");
	size_t n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
}

static int fail_res(pg_conn *c, const PGresult *r, const char *what)
{
	char msg[768], detail[512];
	const char *state = r ? pq.PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = r ? pq.PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	trimmed(primary ? primary : pq.PQerrorMessage(c->pg), msg, sizeof msg);
	trimmed(r ? pq.PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL, detail, sizeof detail);
	if (!msg[0]) snprintf(msg, sizeof msg, "no answer from the server");
	return gnbv_error_set(map_state(state), "database: %s: %s%s%s%s", what, msg,
	                      detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
}

static int accepts(const char *target)
{
	return target &&
	       (!strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11));
}

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* ---- the pipeline ---- */

/* Rows stream in single-row mode, so that a province's export is not held
 * in memory whole; but the connection carries one statement at a time. A
 * statement that needs the connection while another's rows are arriving
 * first reads the rest of them into that statement's read-ahead list (the
 * store rarely nests statements; when it does, the inner one runs and the
 * outer one goes on from memory). */
static void unstream(pg_conn *c)
{
	gnbv_bstmt *st = c->streaming;
	if (!st) return;
	PGresult *r;
	while ((r = pq.PQgetResult(c->pg))) {
		if (st->nahead == st->capahead) {
			size_t cap = st->capahead ? 2 * st->capahead : 64;
			PGresult **a = realloc(st->ahead, cap * sizeof *a);
			if (!a) { /* rows lost: the statement fails when it gets there */
				st->lost = 1;
				pq.PQclear(r);
				continue;
			}
			st->ahead = a;
			st->capahead = cap;
		}
		st->ahead[st->nahead++] = r;
	}
	st->streaming = 0;
	c->streaming = NULL;
}

/* Reads the results of every pipelined statement and leaves pipeline mode.
 * The first error is reported; the rest of a failed pipeline is skipped by
 * the server (PGRES_PIPELINE_ABORTED) and needs no message of its own. */
static int drain(pg_conn *c)
{
	int rc = 0;
	unstream(c);
	if (!c->pipelined) return 0;
	if (pq.PQpipelineSync(c->pg) != 1) rc = fail_res(c, NULL, "pipeline");
	for (int nulls = 0;;) {
		PGresult *r = pq.PQgetResult(c->pg);
		if (!r) { /* the end of one statement's results; two in a row: no sync coming */
			if (++nulls < 2 && pq.PQstatus(c->pg) != CONNECTION_BAD) continue;
			if (!rc) rc = fail_res(c, NULL, "pipeline");
			break;
		}
		nulls = 0;
		ExecStatusType s = pq.PQresultStatus(r);
		if (s == PGRES_PIPELINE_SYNC) {
			pq.PQclear(r);
			break;
		}
		if (s == PGRES_COMMAND_OK) {
			c->changes = strtoll(pq.PQcmdTuples(r), NULL, 10);
		} else if (s != PGRES_PIPELINE_ABORTED && !rc) {
			rc = fail_res(c, r, "insert");
		}
		pq.PQclear(r);
		if (pq.PQstatus(c->pg) == CONNECTION_BAD) {
			if (!rc) rc = fail_res(c, NULL, "pipeline");
			c->queued = 0;
			c->pipelined = 0;
			return rc;
		}
	}
	c->queued = 0;
	if (pq.PQexitPipelineMode(c->pg) != 1 && !rc) rc = fail_res(c, NULL, "pipeline");
	c->pipelined = 0;
	return rc;
}

/* Forgets the rows waiting for COPY (a rollback). */
static void copy_discard(pg_conn *c)
{
	for (int i = 0; i < c->ncopy; i++)
		c->copy[i].len = 0;
	c->copy_bytes = 0;
}

/* Sends the rows waiting for COPY, one COPY per table in the order the
 * tables were first written (households, surveys, members: the foreign
 * keys' order, as the writer issues its INSERTs). */
static int copy_flush(pg_conn *c)
{
	int rc = 0;
	for (int i = 0; i < c->ncopy && !rc; i++) {
		pg_copy *k = &c->copy[i];
		if (!k->len) continue;
		char cmd[4096];
		size_t tl = strlen(k->target);
		if (tl + 32 > sizeof cmd) {
			rc = gnbv_error_set(GNBV_ETOOBIG, "database: copy: column list too long");
			break;
		}
		/* Built from the store's own constant INSERT text, never from data. */
		memcpy(cmd, "COPY ", 5);
		memcpy(cmd + 5, k->target, tl);
		memcpy(cmd + 5 + tl, " FROM STDIN", 12);
		PGresult *r = pq.PQexec(c->pg, cmd);
		if (pq.PQresultStatus(r) != PGRES_COPY_IN) {
			rc = fail_res(c, r, "copy");
			pq.PQclear(r);
			break;
		}
		pq.PQclear(r);
		if (pq.PQputCopyData(c->pg, k->data, (int)k->len) != 1 ||
		    pq.PQputCopyEnd(c->pg, NULL) != 1)
			rc = fail_res(c, NULL, "copy");
		while ((r = pq.PQgetResult(c->pg))) {
			if (pq.PQresultStatus(r) != PGRES_COMMAND_OK && !rc)
				rc = fail_res(c, r, "copy");
			pq.PQclear(r);
		}
		k->len = 0;
	}
	copy_discard(c);
	return rc;
}

/* Everything sent and answered: the pipeline's results read, the rows for
 * COPY written. Every statement that needs an answer comes through here. */
static int settle(pg_conn *c)
{
	int rc = drain(c);
	if (!c->copy_bytes) return rc;
	if (rc) {
		copy_discard(c);
		return rc;
	}
	return copy_flush(c);
}

/* ---- simple statements ---- */

/* Runs constant SQL (no parameters, possibly several statements). */
static int run(pg_conn *c, const char *sql, const char *what)
{
	int rc = settle(c);
	if (rc) return rc;
	PGresult *r = pq.PQexec(c->pg, sql);
	ExecStatusType s = pq.PQresultStatus(r);
	rc = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? 0 : fail_res(c, r, what);
	pq.PQclear(r);
	return rc;
}

/* Runs one statement with text parameters and returns its result (rows or
 * not) in *out, or an error. */
static int query(pg_conn *c, const char *sql, int n, const char *const *vals, const char *what,
                 PGresult **out)
{
	int rc = settle(c);
	*out = NULL;
	if (rc) return rc;
	PGresult *r = pq.PQexecParams(c->pg, sql, n, NULL, vals, NULL, NULL, 0);
	ExecStatusType s = pq.PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		rc = fail_res(c, r, what);
		pq.PQclear(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* ---- SQL rewriting ---- */

typedef struct sbuf {
	char *p;
	size_t len, cap;
} sbuf;

static int sb_put(sbuf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > MAX_SQL + 1024)
			return gnbv_error_set(GNBV_ETOOBIG, "database: SQL text over %u bytes",
			                      MAX_SQL);
		char *q = realloc(b->p, cap);
		if (!q) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int is_word(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

/* Length of the literal, quoted identifier or comment at p (0 if none), so
 * that rewriting never looks inside one. An unterminated one runs to the
 * end: the server reports it. */
static size_t opaque_len(const char *p)
{
	const char *q;
	if (p[0] == '\'' || p[0] == '"') {
		char quote = p[0];
		for (q = p + 1; *q; q++)
			if (*q == quote) {
				if (q[1] != quote) return (size_t)(q + 1 - p);
				q++; /* a doubled quote stays inside */
			}
		return (size_t)(q - p);
	}
	if (p[0] == '-' && p[1] == '-') {
		q = strchr(p, '\n');
		return q ? (size_t)(q - p) : strlen(p);
	}
	if (p[0] == '/' && p[1] == '*') {
		q = strstr(p + 2, "*/");
		return q ? (size_t)(q + 2 - p) : strlen(p);
	}
	return 0;
}

/* The portable DDL of a migration in PostgreSQL's words. */
static int translate_ddl(const char *sql, sbuf *out)
{
	static const struct {
		const char *from, *to;
	} words[] = {
	    {"INTEGER", "BIGINT"},
	    {"REAL", "DOUBLE PRECISION"},
	    {"TEXT", "TEXT COLLATE \"C\""},
	};
	const char *p = sql;
	int rc = 0;
	if (strlen(sql) > MAX_SQL)
		return gnbv_error_set(GNBV_ETOOBIG, "database: SQL text over %u bytes", MAX_SQL);
	while (*p && !rc) {
		size_t k = opaque_len(p);
		if (k) {
			rc = sb_put(out, p, k);
			p += k;
			continue;
		}
		if (!is_word(*p)) {
			rc = sb_put(out, p++, 1);
			continue;
		}
		const char *e = p;
		while (is_word(*e))
			e++;
		size_t n = (size_t)(e - p);
		const char *rep = NULL;
		for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
			if (strlen(words[i].from) == n && !memcmp(p, words[i].from, n))
				rep = words[i].to;
		if (n == 7 && !memcmp(p, "WITHOUT", 7)) {
			const char *q = e;
			while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
				q++;
			if (!strncmp(q, "ROWID", 5) && !is_word(q[5])) {
				p = q + 5; /* PostgreSQL tables are heaps: nothing to say */
				continue;
			}
		}
		rc = rep ? sb_put(out, rep, strlen(rep)) : sb_put(out, p, n);
		p = e;
	}
	return rc;
}

/* `?` and `?NNN` to $n; *nparams gets the highest number. A bare `?` is one
 * more than the highest so far, as in SQLite. */
static int rewrite_params(const char *sql, sbuf *out, int *nparams)
{
	const char *p = sql;
	int rc = 0, max = 0;
	if (strlen(sql) > MAX_SQL)
		return gnbv_error_set(GNBV_ETOOBIG, "database: SQL text over %u bytes", MAX_SQL);
	while (*p && !rc) {
		size_t k = opaque_len(p);
		if (k) {
			rc = sb_put(out, p, k);
			p += k;
			continue;
		}
		if (*p != '?') {
			const char *e = p + 1;
			while (*e && *e != '?' && *e != '\'' && *e != '"' && *e != '-' && *e != '/')
				e++;
			rc = sb_put(out, p, (size_t)(e - p));
			p = e;
			continue;
		}
		long v = 0;
		const char *e = p + 1;
		if (*e >= '0' && *e <= '9') {
			while (*e >= '0' && *e <= '9' && v <= MAX_PARAMS)
				v = v * 10 + (*e++ - '0');
			if (v < 1 || v > MAX_PARAMS || (*e >= '0' && *e <= '9'))
				return gnbv_error_set(
				    GNBV_EINVALID, "database: parameter number out of range 1..%d",
				    MAX_PARAMS);
		} else {
			v = max + 1;
			if (v > MAX_PARAMS)
				return gnbv_error_set(
				    GNBV_ETOOBIG, "database: more than %d parameters", MAX_PARAMS);
		}
		if (v > max) max = (int)v;
		char num[16];
		int m = snprintf(num, sizeof num, "$%ld", v);
		rc = sb_put(out, num, (size_t)m);
		p = e;
	}
	*nparams = max;
	return rc;
}

int gnbv__pg_rewrite_params(const char *sql, char **out, int *nparams)
{
	sbuf b = {0};
	int rc = rewrite_params(sql, &b, nparams);
	if (!rc && !b.p) rc = sb_put(&b, "", 0);
	if (rc) {
		free(b.p);
		b.p = NULL;
	}
	*out = b.p;
	return rc;
}

int gnbv__pg_translate_ddl(const char *sql, char **out)
{
	sbuf b = {0};
	int rc = translate_ddl(sql, &b);
	if (!rc && !b.p) rc = sb_put(&b, "", 0);
	if (rc) {
		free(b.p);
		b.p = NULL;
	}
	*out = b.p;
	return rc;
}

/* ---- COPY ---- */

/* "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)" and nothing else (no
 * literal, expression, ON CONFLICT or RETURNING): its rows can go through
 * COPY t (a, b) instead. Sets p->copy_cols and p->copy_target. */
static int copy_shape(pg_prep *p)
{
	const char *q = p->sql, *t;
	int n = 1, rows = 0;
	if (strncmp(q, "INSERT INTO ", 12)) return 0;
	t = q += 12;
	while (is_word(*q))
		q++;
	if (q == t || strncmp(q, " (", 2)) return 0;
	for (q += 2; *q && *q != ')'; q++) {
		if (*q == ',')
			n++;
		else if (!is_word(*q) && *q != ' ')
			return 0;
	}
	if (*q++ != ')' || strncmp(q, " VALUES ", 8)) return 0;
	size_t tlen = (size_t)(q - t);
	for (q += 8;; q += 2) {
		if (*q++ != '(') return 0;
		for (int i = 0; i < n; i++) {
			if (i && strncmp(q, ", ", 2)) return 0;
			q += i ? 2 : 0;
			if (*q++ != '?') return 0;
		}
		if (*q++ != ')') return 0;
		rows++;
		if (!*q) break;
		if (strncmp(q, ", ", 2)) return 0;
	}
	if (rows * n != p->nparams) return 0;
	if (!(p->copy_target = strndup(t, tlen)))
		return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	p->copy_cols = n;
	return 0;
}

static int copy_put(pg_copy *k, const char *v, size_t n)
{
	if (k->len + n + 1 > k->cap) {
		size_t cap = k->cap ? k->cap : 65536;
		while (cap < k->len + n + 1)
			cap *= 2;
		char *d = realloc(k->data, cap);
		if (!d) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		k->data = d;
		k->cap = cap;
	}
	memcpy(k->data + k->len, v, n);
	k->len += n;
	return 0;
}

/* One value in COPY's text format: \N for NULL, backslash, newline,
 * carriage return and tab escaped. */
static int copy_value(pg_copy *k, const char *v)
{
	int rc = 0;
	if (!v) return copy_put(k, "\\N", 2);
	while (*v && !rc) {
		const char *e = v;
		while (*e && *e != '\\' && *e != '\n' && *e != '\r' && *e != '\t')
			e++;
		rc = copy_put(k, v, (size_t)(e - v));
		if (rc || !*e) break;
		char esc[2] = {'\\', *e == '\\' ? '\\' : *e == '\n' ? 'n' : *e == '\r' ? 'r' : 't'};
		rc = copy_put(k, esc, 2);
		v = e + 1;
	}
	return rc;
}

/* The statement's bound rows, kept for COPY. */
static int copy_rows(gnbv_bstmt *st)
{
	pg_conn *c = st->c;
	const pg_prep *p = st->p;
	int i, rc = drain(c); /* pipelined statements came first: they go first */
	if (rc) return rc;
	for (i = 0; i < c->ncopy; i++)
		if (!strcmp(c->copy[i].target, p->copy_target)) break;
	if (i == c->ncopy) {
		if (c->ncopy == COPY_TABLES)
			return gnbv_error_set(GNBV_ETOOBIG, "database: copy: too many tables");
		if (!(c->copy[i].target = strdup(p->copy_target)))
			return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		c->ncopy++;
	}
	pg_copy *k = &c->copy[i];
	size_t before = k->len;
	for (int j = 0; j < p->nparams && !rc; j++) {
		rc = copy_value(k, st->vals[j]);
		if (!rc) rc = copy_put(k, (j + 1) % p->copy_cols ? "\t" : "\n", 1);
	}
	if (rc) return rc;
	c->copy_bytes += k->len - before;
	c->changes = p->nparams / p->copy_cols;
	return c->copy_bytes >= COPY_FLUSH ? copy_flush(c) : 0;
}

/* ---- the statement cache ---- */

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void prep_free(pg_prep *p)
{
	if (!p) return;
	free(p->sql);
	free(p->pgsql);
	free(p->copy_target);
	free(p);
}

/* The prepared form of sql: from the cache, or rewritten and prepared now
 * (cached while there is room; otherwise *owned is set and it runs
 * unnamed). */
static int prep_get(pg_conn *c, const char *sql, pg_prep **out, int *owned)
{
	uint64_t h = fnv1a(sql);
	size_t slot = (size_t)h & (CACHE_SLOTS - 1);
	*out = NULL;
	*owned = 0;
	for (size_t i = 0; i < CACHE_SLOTS; i++, slot = (slot + 1) & (CACHE_SLOTS - 1)) {
		pg_prep *p = c->cache[slot];
		if (!p) break;
		if (p->hash == h && !strcmp(p->sql, sql)) {
			*out = p;
			return 0;
		}
	}
	sbuf b = {0};
	pg_prep *p = calloc(1, sizeof *p);
	int rc = p ? 0 : gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if (!rc) rc = rewrite_params(sql, &b, &p->nparams);
	if (!rc && !(p->sql = strdup(sql))) rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if (rc) {
		free(b.p);
		prep_free(p);
		return rc;
	}
	p->pgsql = b.p;
	p->hash = h;
	if ((rc = copy_shape(p))) {
		prep_free(p);
		return rc;
	}
	if (c->cached >= CACHE_MAX) {
		*owned = 1;
		*out = p;
		return 0;
	}
	if ((rc = settle(c))) {
		prep_free(p);
		return rc;
	}
	snprintf(p->name, sizeof p->name, "gnbv_%u", ++c->next_name);
	PGresult *r = pq.PQprepare(c->pg, p->name, p->pgsql, 0, NULL);
	if (pq.PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = fail_res(c, r, "prepare");
		pq.PQclear(r);
		prep_free(p);
		return rc;
	}
	pq.PQclear(r);
	c->cache[slot] = p;
	c->cached++;
	*out = p;
	return 0;
}

/* ---- connection ---- */

static void pg_close(gnbv_backend *b)
{
	if (!b) return;
	pg_conn *c = CONN(b);
	if (c->pg) pq.PQfinish(c->pg); /* the server drops the prepared statements */
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		prep_free(c->cache[i]);
	for (int i = 0; i < c->ncopy; i++) {
		free(c->copy[i].target);
		free(c->copy[i].data);
	}
	free(c);
}

static int pg_exec(gnbv_backend *b, const char *sql)
{
	sbuf out = {0};
	int rc = translate_ddl(sql, &out);
	if (!rc) rc = run(CONN(b), out.p ? out.p : "", "exec");
	free(out.p);
	return rc;
}

/* BEGIN and the registry's write lock: an advisory lock on the schema's
 * oid, released by COMMIT or ROLLBACK. Readers never take it. */
static int pg_begin(gnbv_backend *b)
{
	pg_conn *c = CONN(b);
	int rc = run(c,
	             "BEGIN; SELECT pg_advisory_xact_lock(x'676e6276'::int, "
	             "(SELECT oid::int FROM pg_namespace WHERE nspname = current_schema()))",
	             "begin");
	/* GNBV_HINT_ACCESS_TX; SET LOCAL ends with the transaction. */
	if (!rc && c->light) rc = run(c, "SET LOCAL synchronous_commit = off", "begin");
	return rc;
}

static int pg_commit(gnbv_backend *b)
{
	pg_conn *c = CONN(b);
	int rc = settle(c);
	if (rc) return rc;
	if (pq.PQtransactionStatus(c->pg) == PQTRANS_INERROR)
		return gnbv_error_set(GNBV_EIO, "database: commit: the transaction failed earlier "
		                                "and was rolled back");
	PGresult *r = pq.PQexec(c->pg, "COMMIT");
	if (pq.PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = fail_res(c, r, "commit");
	else if (strcmp(pq.PQcmdStatus(r), "COMMIT"))
		rc = gnbv_error_set(GNBV_EIO, "database: commit: the server rolled back (%s)",
		                    pq.PQcmdStatus(r));
	pq.PQclear(r);
	return rc;
}

static int pg_rollback(gnbv_backend *b)
{
	pg_conn *c = CONN(b);
	copy_discard(c);
	(void)drain(c); /* its error is why we roll back; it was reported */
	if (pq.PQtransactionStatus(c->pg) == PQTRANS_IDLE) return 0;
	return run(c, "ROLLBACK", "rollback");
}

/* ---- statements ---- */

/* Forgets the statement's rows: the current one, those read ahead, and
 * those still arriving (read and dropped: the connection must be free). */
static void st_clear_result(gnbv_bstmt *st)
{
	if (st->res) pq.PQclear(st->res);
	st->res = NULL;
	if (st->streaming) {
		PGresult *r;
		while ((r = pq.PQgetResult(st->c->pg)))
			pq.PQclear(r);
		st->streaming = 0;
		st->c->streaming = NULL;
	}
	while (st->iahead < st->nahead)
		pq.PQclear(st->ahead[st->iahead++]);
	st->nahead = st->iahead = 0;
	st->row = st->nrows = st->ncols = 0;
	st->state = ST_IDLE;
}

/* The statement's next result: a row (GNBV_BACKEND_ROW), or its end. */
static int next_row(gnbv_bstmt *st)
{
	pg_conn *c = st->c;
	if (st->lost && st->iahead == st->nahead) {
		st_clear_result(st);
		st->lost = 0;
		return gnbv_error_set(GNBV_ENOMEM, "database: out of memory reading rows ahead");
	}
	PGresult *r = st->iahead < st->nahead ? st->ahead[st->iahead++]
	              : st->streaming         ? pq.PQgetResult(c->pg)
	                                      : NULL;
	ExecStatusType s = r ? pq.PQresultStatus(r) : PGRES_TUPLES_OK;
	int rc = GNBV_BACKEND_DONE;
	if (s == PGRES_SINGLE_TUPLE) {
		st->res = r;
		st->nrows = 1;
		st->row = 0;
		st->ncols = pq.PQnfields(r);
		st->state = ST_ROWS;
		return GNBV_BACKEND_ROW;
	}
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
		const char *tuples = r ? pq.PQcmdTuples(r) : "";
		if (tuples[0]) c->changes = strtoll(tuples, NULL, 10);
	} else {
		rc = fail_res(c, r, "step");
	}
	pq.PQclear(r);
	st_clear_result(st); /* reads the end of the results */
	st->state = ST_DONE;
	return rc;
}

static void pg_finalize(gnbv_bstmt *st)
{
	if (!st) return;
	st_clear_result(st);
	if (st->params)
		for (int i = 0; i < st->p->nparams; i++)
			free(st->params[i].buf);
	free(st->params);
	free(st->vals);
	free(st->ahead);
	if (st->owned) prep_free(st->p);
	free(st);
}

static int pg_prepare(gnbv_backend *b, const char *sql, gnbv_bstmt **out)
{
	pg_conn *c = CONN(b);
	*out = NULL;
	gnbv_bstmt *st = calloc(1, sizeof *st);
	if (!st) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	st->c = c;
	int rc = prep_get(c, sql, &st->p, &st->owned);
	if (rc) {
		free(st);
		return rc;
	}
	int n = st->p->nparams;
	if (n) {
		st->params = calloc((size_t)n, sizeof *st->params);
		st->vals = calloc((size_t)n, sizeof *st->vals);
		if (!st->params || !st->vals) {
			pg_finalize(st);
			return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		}
	}
	*out = st;
	return 0;
}

/* Room for n bytes and the NUL in parameter i (1-based). */
static int slot(gnbv_bstmt *st, int i, size_t n, char **buf)
{
	if (i < 1 || i > st->p->nparams)
		return gnbv_error_set(GNBV_EINVALID, "database: bind: no parameter %d (of %d)", i,
		                      st->p->nparams);
	pg_param *pp = &st->params[i - 1];
	if (pp->cap < n + 1) {
		size_t cap = n + 1 < 32 ? 32 : n + 1;
		char *q = realloc(pp->buf, cap);
		if (!q) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		pp->buf = q;
		pp->cap = cap;
	}
	*buf = pp->buf;
	st->vals[i - 1] = pp->buf;
	return 0;
}

static int pg_bind_null(gnbv_bstmt *st, int i)
{
	if (i < 1 || i > st->p->nparams)
		return gnbv_error_set(GNBV_EINVALID, "database: bind: no parameter %d (of %d)", i,
		                      st->p->nparams);
	st->vals[i - 1] = NULL;
	return 0;
}

static int pg_bind_int(gnbv_bstmt *st, int i, int64_t v)
{
	char *buf;
	int rc = slot(st, i, 24, &buf);
	if (!rc) snprintf(buf, 24, "%lld", (long long)v);
	return rc;
}

static int pg_bind_double(gnbv_bstmt *st, int i, double v)
{
	char *buf;
	int rc = slot(st, i, 32, &buf);
	if (rc) return rc;
	if (isnan(v))
		snprintf(buf, 32, "NaN");
	else if (isinf(v))
		snprintf(buf, 32, "%s", v < 0 ? "-Infinity" : "Infinity");
	else
		snprintf(buf, 32, "%.17g", v); /* reads back as the same double */
	return 0;
}

static int pg_bind_text(gnbv_bstmt *st, int i, const char *p, size_t n)
{
	char *buf;
	if (n > MAX_TEXT) return gnbv_error_set(GNBV_ETOOBIG, "database: text of %zu bytes", n);
	if (n && memchr(p, '\0', n))
		return gnbv_error_set(GNBV_EINVALID, "database: text with a NUL byte");
	int rc = slot(st, i, n, &buf);
	if (rc) return rc;
	if (n) memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/* A statement whose answer nobody reads: an INSERT without RETURNING. */
static int pipelinable(const pg_prep *p)
{
	return !strncmp(p->sql, "INSERT ", 7) && !strstr(p->sql, "RETURNING");
}

static int send_pipelined(gnbv_bstmt *st)
{
	pg_conn *c = st->c;
	const pg_prep *p = st->p;
	unstream(c);
	if (c->copy_bytes) { /* rows for COPY came first: they go first */
		int rc = settle(c);
		if (rc) return rc;
	}
	if (!c->pipelined) {
		if (pq.PQenterPipelineMode(c->pg) != 1) return fail_res(c, NULL, "pipeline");
		c->pipelined = 1;
	}
	int ok =
	    p->name[0]
	        ? pq.PQsendQueryPrepared(c->pg, p->name, p->nparams, st->vals, NULL, NULL, 0)
	        : pq.PQsendQueryParams(c->pg, p->pgsql, p->nparams, NULL, st->vals, NULL, NULL, 0);
	if (ok != 1) {
		int rc = fail_res(c, NULL, "insert");
		(void)drain(c);
		return rc;
	}
	/* The server answers as it goes; reading now and then keeps the
	 * socket buffers from filling up in both directions. */
	if (++c->queued >= PIPELINE_DEPTH) return drain(c);
	return 0;
}

static int pg_step(gnbv_bstmt *st)
{
	pg_conn *c = st->c;
	int rc;
	if (st->state == ST_ROWS) {
		pq.PQclear(st->res);
		st->res = NULL;
		return next_row(st);
	}
	st_clear_result(st); /* ST_DONE: run again, as SQLite does */
	const pg_prep *p = st->p;
	if (c->bulk && p->copy_cols) {
		if ((rc = copy_rows(st))) return rc;
		st->state = ST_DONE;
		return GNBV_BACKEND_DONE;
	}
	if (c->bulk && pipelinable(p)) {
		if ((rc = send_pipelined(st))) return rc;
		st->state = ST_DONE;
		return GNBV_BACKEND_DONE;
	}
	if ((rc = settle(c))) return rc;
	int sent =
	    p->name[0]
	        ? pq.PQsendQueryPrepared(c->pg, p->name, p->nparams, st->vals, NULL, NULL, 0)
	        : pq.PQsendQueryParams(c->pg, p->pgsql, p->nparams, NULL, st->vals, NULL, NULL, 0);
	if (sent != 1) return fail_res(c, NULL, "step");
	(void)pq.PQsetSingleRowMode(c->pg); /* 0 only if too late: then one result, still right */
	st->streaming = 1;
	c->streaming = st;
	return next_row(st);
}

static int in_row(const gnbv_bstmt *st, int col)
{
	return st->state == ST_ROWS && col >= 0 && col < st->ncols;
}

static int pg_column_is_null(gnbv_bstmt *st, int col)
{
	return !in_row(st, col) || pq.PQgetisnull(st->res, st->row, col);
}

static int64_t pg_column_int(gnbv_bstmt *st, int col)
{
	if (pg_column_is_null(st, col)) return 0;
	const char *v = pq.PQgetvalue(st->res, st->row, col);
	char *end;
	long long n = strtoll(v, &end, 10);
	if (*end == '.' || *end == 'e' || *end == 'E') n = (long long)strtod(v, NULL); /* numeric */
	return (int64_t)n;
}

static double pg_column_double(gnbv_bstmt *st, int col)
{
	if (pg_column_is_null(st, col)) return 0.0;
	return strtod(pq.PQgetvalue(st->res, st->row, col), NULL);
}

static const char *pg_column_text(gnbv_bstmt *st, int col, size_t *len)
{
	if (pg_column_is_null(st, col)) {
		if (len) *len = 0;
		return "";
	}
	if (len) *len = (size_t)pq.PQgetlength(st->res, st->row, col);
	return pq.PQgetvalue(st->res, st->row, col);
}

static int pg_reset(gnbv_bstmt *st)
{
	st_clear_result(st); /* bindings stay, as the interface says */
	return 0;
}

static int64_t pg_changes(gnbv_backend *b)
{
	pg_conn *c = CONN(b);
	(void)settle(c); /* a pipelined statement's count is known once read */
	return c->changes;
}

/* Invalid indexes and unvalidated constraints of the schema; then amcheck
 * on every B-tree index, when installed (in any schema) and executable by
 * this role. The DO block is constant SQL: the function and the indexes
 * are looked up in the catalogs and quoted by the server. */
static const char CHECK_CATALOG[] =
    "SELECT 'index ' || c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
    "AND NOT (i.indisvalid AND i.indisready) "
    "UNION ALL SELECT 'constraint ' || conname FROM pg_constraint "
    "WHERE connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
    "AND NOT convalidated LIMIT 1";
static const char CHECK_AMCHECK[] =
    "DO $gnbv$ DECLARE fn regprocedure; ix regclass; BEGIN "
    "SELECT p.oid::regprocedure INTO fn FROM pg_proc p WHERE p.proname = 'bt_index_check' "
    "AND p.pronargs = 2 AND has_function_privilege(p.oid, 'EXECUTE') LIMIT 1; "
    "IF fn IS NULL THEN RETURN; END IF; "
    "FOR ix IN SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'btree' AND c.relnamespace = "
    "(SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND i.indisvalid LOOP "
    "EXECUTE format('SELECT %s($1, true)', fn::regproc) USING ix; END LOOP; END $gnbv$";

static int pg_check(gnbv_backend *b)
{
	pg_conn *c = CONN(b);
	PGresult *r = NULL;
	int rc = query(c, CHECK_CATALOG, 0, NULL, "check", &r);
	if (rc) return rc;
	if (pq.PQntuples(r) > 0)
		rc = gnbv_error_set(GNBV_EIO, "database: check: %s is not valid",
		                    pq.PQgetvalue(r, 0, 0));
	pq.PQclear(r);
	if (!rc) rc = run(c, CHECK_AMCHECK, "check (amcheck)");
	return rc;
}

static int pg_hint(gnbv_backend *b, int hint)
{
	pg_conn *c = CONN(b);
	if (hint == GNBV_HINT_BULK_BEGIN) c->bulk = 1;
	if (hint == GNBV_HINT_ACCESS_TX) c->light = 1;
	if (hint == GNBV_HINT_ACCESS_END) c->light = 0;
	if (hint == GNBV_HINT_BULK_END) {
		c->bulk = 0;
		return settle(c);
	}
	return 0;
}

static int pg_open(const char *target, const gnbv_backend_config *cfg, gnbv_backend **out);

static const gnbv_backend_ops PG_OPS = {
    GNBV_BACKEND_VERSION,
    "postgresql",
    accepts,
    pg_open,
    pg_close,
    pg_exec,
    pg_begin,
    pg_commit,
    pg_rollback,
    pg_prepare,
    pg_bind_null,
    pg_bind_int,
    pg_bind_double,
    pg_bind_text,
    pg_step,
    pg_column_is_null,
    pg_column_int,
    pg_column_double,
    pg_column_text,
    pg_reset,
    pg_finalize,
    pg_changes,
    pg_check,
    pg_hint,
};

const gnbv_backend_ops *gnbv_backend_postgresql(void)
{
	return &PG_OPS;
}

/* What every session needs (see the top of the file). */
static const char SESSION[] = "SET client_encoding = 'UTF8'; "
                              "SET standard_conforming_strings = on; "
                              "SET synchronous_commit = on; "
                              "SET extra_float_digits = 1; "
                              "SET client_min_messages = warning; "
                              "SET DateStyle = 'ISO, YMD'";

/* The schema and role, for messages. */
static void who(pg_conn *c, char *schema, size_t scap, char *role, size_t rcap)
{
	PGresult *r = NULL;
	snprintf(schema, scap, "?");
	snprintf(role, rcap, "?");
	if (query(c, "SELECT coalesce(current_schema(), ''), current_user", 0, NULL, "open", &r))
		return;
	if (pq.PQntuples(r) == 1) {
		snprintf(schema, scap, "%s", pq.PQgetvalue(r, 0, 0));
		snprintf(role, rcap, "%s", pq.PQgetvalue(r, 0, 1));
	}
	pq.PQclear(r);
}

static int ensure_collation(pg_conn *c, const gnbv_backend_config *cfg)
{
	PGresult *r = NULL;
	char schema[128], role[128];
	int rc = query(c,
	               "SELECT count(*) FROM pg_collation WHERE collname = 'vi' "
	               "AND pg_collation_is_visible(oid)",
	               0, NULL, "open", &r);
	if (rc) return rc;
	int have = strcmp(pq.PQgetvalue(r, 0, 0), "0") != 0;
	pq.PQclear(r);
	if (have) return 0;
	who(c, schema, sizeof schema, role, sizeof role);
	if (!schema[0])
		return gnbv_error_set(GNBV_ENOTFOUND,
		                      "%s: no schema to work in: the search_path of role %s names "
		                      "none that exists",
		                      c->shown, role);
	if (!cfg->read_only) {
		r = pq.PQexec(c->pg,
		           "CREATE COLLATION IF NOT EXISTS vi (provider = icu, locale = 'vi')");
		ExecStatusType s = pq.PQresultStatus(r);
		const char *state = pq.PQresultErrorField(r, PG_DIAG_SQLSTATE);
		int denied = state && !strcmp(state, "42501");
		if (s == PGRES_COMMAND_OK) {
			pq.PQclear(r);
			return 0;
		}
		if (!denied) {
			rc = fail_res(c, r, "creating the collation vi (ICU)");
			pq.PQclear(r);
			return rc;
		}
		pq.PQclear(r);
	}
	return gnbv_error_set(GNBV_EDENIED,
	                      "%s: schema %s has no collation 'vi' and role %s may not create "
	                      "it: the schema's owner must run, once: CREATE COLLATION %s.vi "
	                      "(provider = icu, locale = 'vi'); (or run 'gnbv init' as the "
	                      "migration role)",
	                      c->shown, schema, role, schema);
}

/* GNBV_ENOTFOUND when the schema holds no gnbv registry and none is to be
 * created. */
static int ensure_registry(pg_conn *c, const gnbv_backend_config *cfg)
{
	PGresult *r = NULL;
	char schema[128], role[128];
	if (cfg->create) return 0;
	int rc = query(c, "SELECT to_regclass('schema_version') IS NOT NULL", 0, NULL, "open", &r);
	if (rc) return rc;
	int have = pq.PQgetvalue(r, 0, 0)[0] == 't';
	pq.PQclear(r);
	if (have) return 0;
	who(c, schema, sizeof schema, role, sizeof role);
	return gnbv_error_set(GNBV_ENOTFOUND,
	                      "%s: no gnbv database in schema '%s' (create it with 'gnbv --db "
	                      "URL init' as the migration role)",
	                      c->shown, schema);
}

static int pg_open(const char *target, const gnbv_backend_config *cfg, gnbv_backend **out)
{
	pg_conn *c = NULL;
	PGresult *r = NULL;
	int rc = 0;
	*out = NULL;
	if (!accepts(target)) return gnbv_error_set(GNBV_EINVALID, "not a postgresql:// URL");
	if ((rc = pq_load())) return rc;
	c = calloc(1, sizeof *c);
	if (!c) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	c->base.ops = &PG_OPS;
	gnbv__pg_mask_target(target, c->shown, sizeof c->shown);
	const char *const keys[] = {"dbname", "fallback_application_name", NULL};
	const char *const vals[] = {target, "gnbv", NULL};
	c->pg = pq.PQconnectdbParams(keys, vals, 1);
	if (!c->pg) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	if (pq.PQstatus(c->pg) != CONNECTION_OK) {
		char msg[768];
		trimmed(pq.PQerrorMessage(c->pg), msg, sizeof msg);
		rc = gnbv_error_set(GNBV_EIO, "%s: cannot connect: %s", c->shown, msg);
		goto done;
	}
	pq.PQsetNoticeProcessor(c->pg, ignore_notice, NULL);
	if (pq.PQserverVersion(c->pg) < 120000) {
		rc = gnbv_error_set(GNBV_EINVALID, "%s: PostgreSQL %d.%d is too old (12 or later)",
		                    c->shown, pq.PQserverVersion(c->pg) / 10000,
		                    pq.PQserverVersion(c->pg) / 100 % 100);
		goto done;
	}
	if ((rc = run(c, SESSION, "open"))) goto done;
	char ms[24];
	snprintf(ms, sizeof ms, "%d", cfg->busy_timeout_ms > 0 ? cfg->busy_timeout_ms : 5000);
	const char *const lt[] = {ms};
	if ((rc = query(c, "SELECT set_config('lock_timeout', $1, false)", 1, lt, "open", &r)))
		goto done;
	pq.PQclear(r);
	r = NULL;
	if (cfg->read_only && (rc = run(c, "SET default_transaction_read_only = on", "open")))
		goto done;
	if ((rc = ensure_registry(c, cfg)) || (rc = ensure_collation(c, cfg))) goto done;
	*out = &c->base;
	c = NULL;
done:
	if (c) pg_close(&c->base);
	return rc;
}
