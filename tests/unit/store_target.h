/*
 * store_target.h - the database a store test runs against, for the unit
 * tests that run on every backend (test_store_conformance.c,
 * test_review.c).
 *
 * Without GNBV_STORE_TEST_TARGET, or with a path, the test's own SQLite
 * file in its folder. With a postgresql:// URL (tests/pg/pg-test-server
 * exec sets it to the application role's), a fresh schema per test: the
 * superuser (GNBV_PG_ADMIN_URL) makes it through gnbv_test_fresh(), the
 * migration role (GNBV_PG_MIGRATE_URL) applies the migrations, the audit
 * log is made append-only for the application role (gnbv_test_seal()), and
 * the test runs as the application role, which owns nothing (quality.md
 * R5). libpq is used for that set-up only; the tests use the public API.
 */
#ifndef GNBV_TESTS_STORE_TARGET_H
#define GNBV_TESTS_STORE_TARGET_H

#include "gnbv/error.h"
#include "gnbv/store.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int store_target_is_pg(const char *target)
{
	return target &&
	       (!strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11));
}

static inline void store_target_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Runs `fn_sql` (one parameter: the schema) as the superuser. */
static inline int store_target_admin(const char *fn_sql, const char *name)
{
	const char *admin = getenv("GNBV_PG_ADMIN_URL");
	if (!admin || !*admin) {
		fprintf(stderr,
		        "GNBV_PG_ADMIN_URL is not set (run under tests/pg/pg-test-server exec)\n");
		return -1;
	}
	PGconn *c = PQconnectdb(admin);
	int ok = PQstatus(c) == CONNECTION_OK;
	if (ok) {
		PQsetNoticeProcessor(c, store_target_quiet, NULL); /* "drop cascades to ..." */
		const char *vals[] = {name};
		PGresult *r = PQexecParams(c, fn_sql, 1, NULL, vals, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		if (!ok) fprintf(stderr, "%s: %s", fn_sql, PQresultErrorMessage(r));
		PQclear(r);
	} else {
		fprintf(stderr, "admin connection: %s", PQerrorMessage(c));
	}
	PQfinish(c);
	return ok ? 0 : -1;
}

/* url with the schema as its search_path. */
static inline void store_target_url(const char *url, const char *schema, char *out, size_t cap)
{
	snprintf(out, cap, "%s%soptions=-csearch_path%%3D%s", url, strchr(url, '?') ? "&" : "?",
	         schema);
}

/* The target for one test: db (cap bytes) gets it; schema (scap bytes)
 * the PostgreSQL schema, "" for SQLite. `dir` is the test's folder. */
static inline int store_target_fresh(const char *dir, const char *prefix, char *db, size_t cap,
                                     char *schema, size_t scap)
{
	static int n;
	const char *target = getenv("GNBV_STORE_TEST_TARGET");
	schema[0] = '\0';
	if (!store_target_is_pg(target)) {
		if (target && *target)
			snprintf(db, cap, "%s", target);
		else
			snprintf(db, cap, "%s/test.db", dir);
		return 0;
	}
	char mig[1024];
	const char *m = getenv("GNBV_PG_MIGRATE_URL");
	snprintf(schema, scap, "%s_%ld_%d", prefix, (long)getpid(), ++n);
	if (store_target_admin("SELECT public.gnbv_test_fresh($1)", schema)) return -1;
	store_target_url(m && *m ? m : target, schema, mig, sizeof mig);
	store_target_url(target, schema, db, cap);
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	o.create = 1;
	o.actor = "test:migrate";
	gnbv_store *s = NULL;
	if (gnbv_store_open(&s, mig, &o)) {
		fprintf(stderr, "migrate: %s\n", gnbv_error_message());
		return -1;
	}
	gnbv_store_close(s);
	return store_target_admin("SELECT public.gnbv_test_seal($1)", schema);
}

/* Drops the test's schema (PostgreSQL); nothing for SQLite. */
static inline void store_target_done(const char *schema)
{
	if (schema[0]) store_target_admin("SELECT public.gnbv_test_drop($1)", schema);
}

#endif
