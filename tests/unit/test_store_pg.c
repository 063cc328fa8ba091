/*
 * test_store_pg.c - the PostgreSQL backend's text functions, without a
 * server: placeholders rewritten only outside literals, quoted identifiers
 * and comments (`?` and `?NNN` as SQLite numbers them), the migrations'
 * portable DDL translated word by word, passwords masked in targets, and
 * the backend chosen by the target's scheme. The backend against a server
 * is tests/unit/test_store_conformance.c under unit/test_store_conformance_pg.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/error.h"
#include "gnbv/store.h"
#include "gnbv/sys/store_backend.h"
#include "store/pg_int.h"

#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_placeholders),
	    cmocka_unit_test(test_ddl),
	    cmocka_unit_test(test_mask),
	    cmocka_unit_test(test_backend_choice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
