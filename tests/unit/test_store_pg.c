/*
 * test_store_pg.c - the PostgreSQL backend's text functions, without a
 * server: placeholders rewritten only outside literals, quoted identifiers
 * and comments (`?` and `?NNN` as SQLite numbers them), the migrations'
 * portable DDL translated word by word, passwords masked in targets, and
 * the backend chosen by the target's scheme. The store against a server is
 * tests/unit/test_store_conformance.c under unit/test_store_conformance_pg.
 *
 * Under tests/pg/pg-test-server exec (unit/test_store_pg_server), the
 * backend's own behaviour on a server, through its vtable, in a fresh
 * schema: a statement run while another's rows are still arriving, COPY
 * and pipelining during a bulk write (order, escaping, NULL, changes),
 * errors mapped (duplicate, syntax, NUL byte, a writer waiting past the
 * busy timeout) and transactions left clean after them. Without a server
 * those tests are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/error.h"
#include "gnbv/store.h"
#include "gnbv/sys/store_backend.h"
#include "store/pg_int.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void rewrites(const char *in, const char *want, int want_n)
{
	char *out = NULL;
	int n = -1;
	assert_int_equal(gnbv__pg_rewrite_params(in, &out, &n), 0);
	assert_string_equal(out, want);
	assert_int_equal(n, want_n);
	free(out);
}

static void test_placeholders(void **state)
{
	(void)state;
	rewrites("SELECT 1", "SELECT 1", 0);
	rewrites("", "", 0);
	rewrites("UPDATE t SET a = ? WHERE b = ?", "UPDATE t SET a = $1 WHERE b = $2", 2);
	rewrites("VALUES (?, ?), (?, ?)", "VALUES ($1, $2), ($3, $4)", 4);
	/* Numbered, repeated, and a bare ? after them (one more than the
	 * highest so far, as SQLite numbers it). */
	rewrites("SET a = ?3, b = ?1 WHERE id = ?1 AND c = ?2",
	         "SET a = $3, b = $1 WHERE id = $1 AND c = $2", 3);
	rewrites("?2, ?, ?10, ?", "$2, $3, $10, $11", 11);
	/* Never inside a literal, a quoted identifier or a comment. */
	rewrites("SELECT '?', ? FROM t WHERE x LIKE ? ESCAPE '\\'",
	         "SELECT '?', $1 FROM t WHERE x LIKE $2 ESCAPE '\\'", 2);
	rewrites("SELECT 'it''s ?', \"a?b\", ? -- why?\n, ? /* ? */",
	         "SELECT 'it''s ?', \"a?b\", $1 -- why?\n, $2 /* ? */", 2);
	rewrites("SELECT a - ?, b / ?", "SELECT a - $1, b / $2", 2);
	/* Out of range. */
	char *out = NULL;
	int n;
	assert_int_equal(gnbv__pg_rewrite_params("SELECT ?0", &out, &n), GNBV_EINVALID);
	assert_null(out);
	assert_int_equal(gnbv__pg_rewrite_params("SELECT ?65536", &out, &n), GNBV_EINVALID);
	assert_int_equal(gnbv__pg_rewrite_params("SELECT ?99999999999999999999", &out, &n),
	                 GNBV_EINVALID);
}

static void translates(const char *in, const char *want)
{
	char *out = NULL;
	assert_int_equal(gnbv__pg_translate_ddl(in, &out), 0);
	assert_string_equal(out, want);
	free(out);
}

static void test_ddl(void **state)
{
	(void)state;
	translates("CREATE TABLE t (a INTEGER PRIMARY KEY, b REAL, c TEXT NOT NULL)",
	           "CREATE TABLE t (a BIGINT PRIMARY KEY, b DOUBLE PRECISION, c TEXT COLLATE \"C\" "
	           "NOT NULL)");
	/* A column named text stays; upper-case words in literals and
	 * comments stay; words containing a type name stay. */
	translates("CREATE TABLE t (text TEXT, x INTEGERS, y TEXTUAL, z REAL_) -- INTEGER\n",
	           "CREATE TABLE t (text TEXT COLLATE \"C\", x INTEGERS, y TEXTUAL, z REAL_) -- "
	           "INTEGER\n");
	translates("CHECK (k IN ('TEXT', 'REAL')) /* INTEGER */",
	           "CHECK (k IN ('TEXT', 'REAL')) /* INTEGER */");
	translates("CREATE TABLE m (a INTEGER, PRIMARY KEY (a)) WITHOUT ROWID;\nCREATE TABLE n (b "
	           "INTEGER) WITHOUT\n\tROWID;",
	           "CREATE TABLE m (a BIGINT, PRIMARY KEY (a)) ;\nCREATE TABLE n (b BIGINT) ;");
	translates("SELECT 'WITHOUT ROWID', WITHOUT ROWIDS",
	           "SELECT 'WITHOUT ROWID', WITHOUT ROWIDS");
}

static void masks(const char *in, const char *want)
{
	char out[256];
	gnbv__pg_mask_target(in, out, sizeof out);
	assert_string_equal(out, want);
	gnbv_store_target_shown(in, out, sizeof out);
	assert_string_equal(out, want);
}

static void test_mask(void **state)
{
	(void)state;
	masks("postgresql://app:s3cret@db.example:5432/gnbv",
	      "postgresql://app:***@db.example:5432/gnbv");
	masks("postgres://app@db/gnbv?password=s3cret&sslmode=require",
	      "postgres://app@db/gnbv?password=***&sslmode=require");
	masks("postgresql://app:a%40b@/gnbv?host=/run/pg&password=x",
	      "postgresql://app:***@/gnbv?host=/run/pg&password=***");
	masks("postgresql://app@/gnbv?host=/run/pg&port=5432",
	      "postgresql://app@/gnbv?host=/run/pg&port=5432");
	masks("postgresql://db.example:5432/gnbv", "postgresql://db.example:5432/gnbv");
	masks("postgresql://app:p@ss:w@db:5432/gnbv", "postgresql://app:***@db:5432/gnbv");
	masks("postgresql://app@db:5432/gnbv", "postgresql://app@db:5432/gnbv");
	masks("postgresql:///gnbv", "postgresql:///gnbv");
	char out[16];
	gnbv__pg_mask_target("postgresql://app:s3cret@db/gnbv", out, sizeof out);
	assert_string_equal(out, "postgresql://ap"); /* truncated, never past the password */
	gnbv_store_target_shown("/tmp/a:b@c.db", out, sizeof out); /* a path: as it is */
	assert_string_equal(out, "/tmp/a:b@c.db");
}

static void test_backend_choice(void **state)
{
	(void)state;
	const gnbv_backend_ops *pg = gnbv_backend_postgresql(), *sq = gnbv_backend_sqlite();
	assert_string_equal(pg->name, "postgresql");
	assert_int_equal(pg->version, GNBV_BACKEND_VERSION);
	assert_true(pg->accepts("postgresql://x/y"));
	assert_true(pg->accepts("postgres://x/y"));
	assert_false(pg->accepts("gnbv.db"));
	assert_false(pg->accepts("postgresql:/x"));
	assert_false(sq->accepts("postgresql://x/y"));
	assert_false(sq->accepts("postgres://x/y"));
	assert_true(sq->accepts("gnbv.db"));
	/* No server there: GNBV_EIO naming the target without its password. */
	gnbv_store *s = NULL;
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	int rc = gnbv_store_open(&s, "postgresql://app:Hush1234@/gnbv?host=/nonexistent/sock", &o);
	assert_int_equal(rc, GNBV_EIO);
	assert_null(s);
	assert_non_null(strstr(gnbv_error_message(), "postgresql://app:***@/gnbv"));
	assert_null(strstr(gnbv_error_message(), "Hush1234"));
}

/* ---- on a server ---- */

typedef struct srv {
	char schema[64];
	char url[1024]; /* the migration role's URL with the schema as search_path */
	const gnbv_backend_ops *ops;
	gnbv_backend *b;
} srv;

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int admin(const char *sql, const char *name)
{
	PGconn *c = PQconnectdb(getenv("GNBV_PG_ADMIN_URL"));
	int ok = PQstatus(c) == CONNECTION_OK;
	if (ok) {
		PQsetNoticeProcessor(c, quiet, NULL);
		const char *vals[] = {name};
		PGresult *r = PQexecParams(c, sql, 1, NULL, vals, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
	}
	PQfinish(c);
	return ok ? 0 : -1;
}

static int srv_open(srv *v, gnbv_backend **out, int busy_ms)
{
	gnbv_backend_config cfg = {1, 0, busy_ms};
	return v->ops->open(v->url, &cfg, out);
}

static int srv_setup(void **state)
{
	const char *mig = getenv("GNBV_PG_MIGRATE_URL");
	if (!mig || !getenv("GNBV_PG_ADMIN_URL")) {
		*state = NULL;
		return 0;
	}
	srv *v = calloc(1, sizeof *v);
	if (!v) return -1;
	static int n;
	snprintf(v->schema, sizeof v->schema, "b_%ld_%d", (long)getpid(), ++n);
	snprintf(v->url, sizeof v->url, "%s%soptions=-csearch_path%%3D%s", mig,
	         strchr(mig, '?') ? "&" : "?", v->schema);
	v->ops = gnbv_backend_postgresql();
	if (admin("SELECT public.gnbv_test_fresh($1)", v->schema) || srv_open(v, &v->b, 0)) {
		fprintf(stderr, "setup: %s\n", gnbv_error_message());
		free(v);
		return -1;
	}
	*state = v;
	return 0;
}

static int srv_teardown(void **state)
{
	srv *v = *state;
	if (!v) return 0;
	v->ops->close(v->b);
	admin("SELECT public.gnbv_test_drop($1)", v->schema);
	free(v);
	return 0;
}

#define NEED_SERVER(v)                                                                             \
	do {                                                                                       \
		if (!(v)) skip();                                                                  \
	} while (0)

#define OKB(call)                                                                                  \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
		if (rc_ < 0) fail_msg("%s -> %d: %s", #call, rc_, gnbv_error_message());           \
	} while (0)

static int64_t count_where(srv *v, const char *sql, int64_t arg)
{
	gnbv_bstmt *st = NULL;
	OKB(v->ops->prepare(v->b, sql, &st));
	OKB(v->ops->bind_int(st, 1, arg));
	assert_int_equal(v->ops->step(st), GNBV_BACKEND_ROW);
	int64_t n = v->ops->column_int(st, 0);
	assert_int_equal(v->ops->step(st), GNBV_BACKEND_DONE);
	v->ops->finalize(st);
	return n;
}

static void fill(srv *v, int n)
{
	gnbv_bstmt *st = NULL;
	char name[32];
	OKB(v->ops->exec(v->b, "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, x REAL)"));
	OKB(v->ops->begin(v->b));
	OKB(v->ops->prepare(v->b, "INSERT INTO t (id, name, x) VALUES (?, ?, ?)", &st));
	for (int i = 1; i <= n; i++) {
		int k = snprintf(name, sizeof name, "n%d", i);
		OKB(v->ops->bind_int(st, 1, i));
		OKB(v->ops->bind_text(st, 2, name, (size_t)k));
		OKB(v->ops->bind_double(st, 3, i / 3.0));
		assert_int_equal(v->ops->step(st), GNBV_BACKEND_DONE);
		OKB(v->ops->reset(st));
	}
	v->ops->finalize(st);
	OKB(v->ops->commit(v->b));
}

static void test_server_nested_statements(void **state)
{
	srv *v = *state;
	NEED_SERVER(v);
	fill(v, 1000);
	gnbv_bstmt *outer = NULL;
	OKB(v->ops->prepare(v->b, "SELECT id, name, x FROM t ORDER BY id", &outer));
	int seen = 0;
	int rc;
	while ((rc = v->ops->step(outer)) == GNBV_BACKEND_ROW) {
		seen++;
		assert_int_equal(v->ops->column_int(outer, 0), seen);
		size_t len;
		char want[32];
		snprintf(want, sizeof want, "n%d", seen);
		assert_string_equal(v->ops->column_text(outer, 1, &len), want);
		assert_true(v->ops->column_double(outer, 2) == seen / 3.0); /* exact */
		/* Another statement while the outer one's rows arrive. */
		if (seen == 10 || seen == 500)
			assert_int_equal(
			    count_where(v, "SELECT count(*) FROM t WHERE id > ?", seen),
			    1000 - seen);
	}
	assert_int_equal(rc, GNBV_BACKEND_DONE);
	assert_int_equal(seen, 1000);
	/* Stepping after the end runs it again, as SQLite does. */
	assert_int_equal(v->ops->step(outer), GNBV_BACKEND_ROW);
	assert_int_equal(v->ops->column_int(outer, 0), 1);
	/* Finalized half-way: the connection is free at once. */
	v->ops->finalize(outer);
	assert_int_equal(count_where(v, "SELECT count(*) FROM t WHERE id <= ?", 7), 7);
	/* Out of range columns and NULLs. */
	gnbv_bstmt *st = NULL;
	OKB(v->ops->prepare(v->b, "SELECT NULL, 'a' FROM t WHERE id = ?", &st));
	OKB(v->ops->bind_int(st, 1, 3));
	assert_int_equal(v->ops->step(st), GNBV_BACKEND_ROW);
	assert_true(v->ops->column_is_null(st, 0));
	assert_true(v->ops->column_is_null(st, 9));
	assert_int_equal(v->ops->column_int(st, 0), 0);
	size_t len = 99;
	assert_string_equal(v->ops->column_text(st, 0, &len), "");
	assert_int_equal(len, 0);
	assert_string_equal(v->ops->column_text(st, 1, &len), "a");
	v->ops->finalize(st);
}

static void test_server_bulk_copy(void **state)
{
	srv *v = *state;
	NEED_SERVER(v);
	fill(v, 2);
	OKB(v->ops->exec(v->b, "CREATE TABLE c (id INTEGER PRIMARY KEY, t INTEGER NOT NULL "
	                       "REFERENCES t (id), s TEXT, k TEXT)"));
	static const char *const texts[] = {"tab\there", "back\\slash \\N", "line\nbreak\r", NULL};
	gnbv_bstmt *ins = NULL, *lit = NULL, *sel = NULL;
	OKB(v->ops->begin(v->b));
	OKB(v->ops->hint(v->b, GNBV_HINT_BULK_BEGIN));
	/* A plain multi-row INSERT (COPY), a parent row written by an INSERT
	 * with a literal (pipelined) before the rows that need it. */
	OKB(v->ops->prepare(v->b, "INSERT INTO t (id, name, x) VALUES (?, 'lit', 0.5)", &lit));
	OKB(v->ops->bind_int(lit, 1, 3));
	assert_int_equal(v->ops->step(lit), GNBV_BACKEND_DONE);
	OKB(v->ops->prepare(v->b, "INSERT INTO c (id, t, s, k) VALUES (?, ?, ?, ?), (?, ?, ?, ?)",
	                    &ins));
	for (int i = 0; i < 4; i += 2) {
		for (int j = 0; j < 2; j++) {
			int b = 4 * j + 1;
			OKB(v->ops->bind_int(ins, b, i + j + 1));
			OKB(v->ops->bind_int(ins, b + 1, 3));
			if (texts[i + j])
				OKB(v->ops->bind_text(ins, b + 2, texts[i + j],
				                      strlen(texts[i + j])));
			else
				OKB(v->ops->bind_null(ins, b + 2));
			OKB(v->ops->bind_text(ins, b + 3, "\\N", 2)); /* the text \N, not NULL */
		}
		assert_int_equal(v->ops->step(ins), GNBV_BACKEND_DONE);
		assert_int_equal(v->ops->changes(v->b), 2);
		OKB(v->ops->reset(ins));
	}
	/* A read in the middle sees every row written before it. */
	assert_int_equal(count_where(v, "SELECT count(*) FROM c WHERE t = ?", 3), 4);
	OKB(v->ops->commit(v->b));
	OKB(v->ops->hint(v->b, GNBV_HINT_BULK_END));
	OKB(v->ops->prepare(v->b, "SELECT s, k FROM c ORDER BY id", &sel));
	for (int i = 0; i < 4; i++) {
		assert_int_equal(v->ops->step(sel), GNBV_BACKEND_ROW);
		size_t len;
		if (texts[i]) {
			assert_string_equal(v->ops->column_text(sel, 0, &len), texts[i]);
			assert_int_equal(len, strlen(texts[i]));
		} else {
			assert_true(v->ops->column_is_null(sel, 0));
		}
		assert_false(v->ops->column_is_null(sel, 1));
		assert_string_equal(v->ops->column_text(sel, 1, &len), "\\N");
	}
	assert_int_equal(v->ops->step(sel), GNBV_BACKEND_DONE);
	v->ops->finalize(sel);
	/* A foreign key broken by COPY rows: reported by the commit, nothing
	 * kept, the connection usable. */
	OKB(v->ops->begin(v->b));
	OKB(v->ops->hint(v->b, GNBV_HINT_BULK_BEGIN));
	for (int j = 0; j < 8; j++)
		OKB(v->ops->bind_int(ins, j + 1, j % 4 == 1 ? 99 : 10 + j)); /* t = 99: no such */
	assert_int_equal(v->ops->step(ins), GNBV_BACKEND_DONE);
	assert_int_equal(v->ops->commit(v->b), GNBV_ECONFLICT);
	v->ops->rollback(v->b);
	OKB(v->ops->hint(v->b, GNBV_HINT_BULK_END));
	assert_int_equal(count_where(v, "SELECT count(*) FROM c WHERE id >= ?", 10), 0);
	v->ops->finalize(ins);
	v->ops->finalize(lit);
}

static void test_server_errors(void **state)
{
	srv *v = *state;
	NEED_SERVER(v);
	fill(v, 3);
	gnbv_bstmt *st = NULL;
	OKB(v->ops->prepare(v->b, "INSERT INTO t (id, name) VALUES (?, ?)", &st));
	OKB(v->ops->bind_int(st, 1, 2));
	OKB(v->ops->bind_text(st, 2, "dup", 3));
	assert_int_equal(v->ops->step(st), GNBV_ECONFLICT);
	assert_non_null(strstr(gnbv_error_message(), "duplicate key"));
	assert_int_equal(v->ops->bind_text(st, 2, "a\0b", 3), GNBV_EINVALID);
	assert_int_equal(v->ops->bind_int(st, 3, 1), GNBV_EINVALID); /* no parameter 3 */
	v->ops->finalize(st);
	assert_int_equal(v->ops->prepare(v->b, "SELEC 1", &st), GNBV_EINVALID);
	assert_null(st);
	assert_int_equal(v->ops->prepare(v->b, "SELECT * FROM no_such_table", &st), GNBV_EINVALID);
	/* An error inside a transaction: commit says so, rollback cleans up. */
	OKB(v->ops->begin(v->b));
	assert_int_equal(v->ops->exec(v->b, "INSERT INTO t (id, name) VALUES (1, 'x')"),
	                 GNBV_ECONFLICT);
	assert_true(v->ops->commit(v->b) < 0);
	OKB(v->ops->rollback(v->b));
	assert_int_equal(count_where(v, "SELECT count(*) FROM t WHERE id > ?", 0), 3);
	/* A second writer waits for the first at most the busy timeout. */
	gnbv_backend *b2 = NULL;
	OKB(srv_open(v, &b2, 300));
	OKB(v->ops->begin(v->b));
	assert_int_equal(v->ops->begin(b2), GNBV_ECONFLICT);
	assert_non_null(strstr(gnbv_error_message(), "lock timeout"));
	OKB(v->ops->rollback(b2));
	OKB(v->ops->commit(v->b));
	OKB(v->ops->begin(b2)); /* free again */
	OKB(v->ops->commit(b2));
	OKB(v->ops->check(b2));
	v->ops->close(b2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_placeholders),
	    cmocka_unit_test(test_ddl),
	    cmocka_unit_test(test_mask),
	    cmocka_unit_test(test_backend_choice),
	    cmocka_unit_test_setup_teardown(test_server_nested_statements, srv_setup, srv_teardown),
	    cmocka_unit_test_setup_teardown(test_server_bulk_copy, srv_setup, srv_teardown),
	    cmocka_unit_test_setup_teardown(test_server_errors, srv_setup, srv_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
