/*
 * test_dash.c - the dashboard reads (gnbv/dash.h): counts by child unit
 * with and without the cache agree, for the whole tree, a district and a
 * commune scope; a unit outside the scope is not found; the cache follows
 * an edit noted with gnbv_dash_cache_note_edit and recounts after a write
 * it was not told of; the household list's count and order. Runs on
 * SQLite, and on PostgreSQL under tests/pg/pg-test-server (store_target.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/dash.h"
#include "gnbv/error.h"
#include "gnbv/store.h"

#include "store_target.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fx {
	char dir[256], db[1024], schema[128];
	gnbv_store *s;
	gnbv_scope all;
} fx;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	char h[300], m[300];
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof f->dir, "%s/gnbv-dash-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir)) return -1;
	if (store_target_fresh(f->dir, "dash", f->db, sizeof f->db, f->schema, sizeof f->schema))
		return -1;
	snprintf(h, sizeof h, "%s/h.csv", f->dir);
	snprintf(m, sizeof m, "%s/m.csv", f->dir);
	/* Poor (low income, many deficits), near-poor, and others, in two
	 * villages of commune A and one of its sibling. */
	write_file(h,
	           "household_id,unit_code,income_month,floor_durable,walls_durable,roof_durable,"
	           "living_area_m2,water_safe,toilet_hygienic\n"
	           "A1,01366-01,500000,0,0,0,5,0,0\n"
	           "A2,01366-01,500000,1,1,1,40,1,1\n"
	           "A3,01366-02,3000000,1,1,1,40,1,1\n"
	           "A4,01366-02,500000,0,0,0,5,0,0\n"
	           "B1,01367-01,500000,0,0,0,5,0,0\n"
	           "B2,01367-01,3000000,1,1,1,40,1,1\n");
	write_file(
	    m, "household_id,member_no,birth_date,health_insurance\n"
	       "A1,1,1980,0\nA2,1,1980,1\nA3,1,1980,1\nA4,1,1980,0\nB1,1,1980,0\nB2,1,1980,1\n");
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	o.create = 1;
	if (gnbv_store_open(&f->s, f->db, &o)) return -1;
	gnbv_store_scope_all(&f->all);
	if (gnbv_store_units_import_builtin(f->s, &f->all, NULL)) return -1;
	gnbv_import_opts io = GNBV_IMPORT_OPTS_INIT;
	io.households_path = h;
	io.members_path = m;
	io.round.kind = GNBV_ROUND_PERIODIC;
	io.round.year = 2022;
	if (gnbv_store_import(f->s, &f->all, &io, NULL)) {
		fprintf(stderr, "%s\n", gnbv_error_message());
		return -1;
	}
	unlink(h);
	unlink(m);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	char p[600];
	gnbv_store_close(f->s);
	store_target_done(f->schema);
	DIR *d = opendir(f->dir);
	struct dirent *e;
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

static const gnbv_round_ref R2022 = {GNBV_ROUND_PERIODIC, 2022, 0, NULL};
static gnbv_dash_row rows_a[GNBV_DASH_MAX_ROWS], rows_b[GNBV_DASH_MAX_ROWS];

/* The same answer with and without the cache. */
static void same(fx *f, const gnbv_scope *sc, gnbv_dash_cache *c, const char *unit, size_t *n_out,
                 gnbv_dash_row *self_out)
{
	gnbv_dash_row sa, sb;
	size_t na, nb;
	assert_int_equal(gnbv_dash_by_child(f->s, sc, NULL, unit, &R2022, &sa, rows_a,
	                                    GNBV_DASH_MAX_ROWS, &na, NULL, 0),
	                 0);
	assert_int_equal(gnbv_dash_by_child(f->s, sc, c, unit, &R2022, &sb, rows_b,
	                                    GNBV_DASH_MAX_ROWS, &nb, NULL, 0),
	                 0);
	assert_int_equal(na, nb);
	assert_memory_equal(&sa, &sb, sizeof sa);
	assert_memory_equal(rows_a, rows_b, na * sizeof rows_a[0]);
	/* without a round: the same units, in the same order, every count zero */
	gnbv_dash_row su;
	size_t nu;
	assert_int_equal(gnbv_dash_by_child(f->s, sc, c, unit, NULL, &su, rows_b, GNBV_DASH_MAX_ROWS,
	                                    &nu, NULL, 0),
	                 0);
	assert_int_equal(nu, na);
	assert_string_equal(su.code, sa.code);
	assert_int_equal(su.total, 0);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(rows_b[i].code, rows_a[i].code);
		assert_string_equal(rows_b[i].name, rows_a[i].name);
		assert_int_equal(rows_b[i].has_children, rows_a[i].has_children);
		assert_int_equal(rows_b[i].total, 0);
	}
	assert_int_equal(gnbv_dash_by_child(f->s, sc, c, unit, &R2022, &sb, rows_b,
	                                    GNBV_DASH_MAX_ROWS, &nb, NULL, 0),
	                 0);
	uint64_t da[GNBV_RULE_COUNT], db[GNBV_RULE_COUNT], pa, pb;
	assert_int_equal(gnbv_dash_deficits(f->s, sc, NULL, unit, &R2022, 1, da, &pa), 0);
	assert_int_equal(gnbv_dash_deficits(f->s, sc, c, unit, &R2022, 1, db, &pb), 0);
	assert_int_equal(pa, pb);
	assert_int_equal(pa, sa.n[GNBV_CLASS_POOR]);
	assert_memory_equal(da, db, sizeof da);
	if (n_out) *n_out = na;
	if (self_out) *self_out = sa;
}

static void test_cache_and_scope(void **state)
{
	fx *f = *state;
	gnbv_dash_cache *c = gnbv_dash_cache_new();
	gnbv_scope district, commune;
	gnbv_dash_row self;
	size_t n;
	assert_int_equal(gnbv_dash_cache_warm(f->s, c, 2), 0);
	assert_int_equal(gnbv_store_scope_unit(f->s, "045", 0, &district), 0);
	assert_int_equal(gnbv_store_scope_unit(f->s, "01366", 0, &commune), 0);
	same(f, &f->all, c, NULL, &n, &self);
	assert_int_equal(self.total, 6);
	same(f, &district, c, NULL, &n, &self);
	assert_int_equal(self.total, 6);
	assert_int_equal(n, 21); /* the district's communes and towns */
	same(f, &district, c, "01367", &n, &self);
	assert_int_equal(self.total, 2);
	same(f, &commune, c, NULL, &n, &self);
	assert_int_equal(self.total, 4);
	assert_int_equal(n, 6); /* the commune's villages */
	uint64_t villages = 0;
	for (size_t i = 0; i < n; i++)
		villages += rows_a[i].total;
	assert_int_equal(villages, 4);
	/* Outside the scope: not found, cached or not. */
	gnbv_dash_row x;
	assert_int_equal(gnbv_dash_by_child(f->s, &commune, c, "01367", &R2022, &x, rows_a,
	                                    GNBV_DASH_MAX_ROWS, &n, NULL, 0),
	                 GNBV_ENOTFOUND);
	assert_int_equal(gnbv_dash_by_child(f->s, &commune, NULL, "045", &R2022, &x, rows_a,
	                                    GNBV_DASH_MAX_ROWS, &n, NULL, 0),
	                 GNBV_ENOTFOUND);
	uint64_t d[GNBV_RULE_COUNT], p;
	assert_int_equal(gnbv_dash_deficits(f->s, &commune, c, "01367-01", &R2022, 1, d, &p),
	                 GNBV_ENOTFOUND);
	gnbv_dash_cache_free(c);
}

static int count_item(void *ctx, const gnbv_hh_item *it)
{
	char *codes = ctx; /* 256 bytes */
	size_t n = strlen(codes);
	snprintf(codes + n, 256 - n, "%s ", it->code);
	return 0;
}

static void test_edits(void **state)
{
	fx *f = *state;
	gnbv_dash_cache *c = gnbv_dash_cache_new();
	gnbv_household_rec *rec = calloc(1, sizeof *rec);
	gnbv_dash_row self;
	gnbv_scope commune;
	assert_int_equal(gnbv_store_scope_unit(f->s, "01366", 0, &commune), 0);
	same(f, &f->all, c, NULL, NULL, &self);
	uint64_t poor = self.n[GNBV_CLASS_POOR];
	assert_true(poor >= 2);

	/* An edit noted in the cache: A1 gets a high income. */
	assert_int_equal(gnbv_store_household_get(f->s, &f->all, &R2022, "A1", rec), 0);
	int old_class = rec->a.klass;
	signed char old_ind[GNBV_RULE_COUNT], new_ind[GNBV_RULE_COUNT];
	memset(old_ind, -1, sizeof old_ind);
	memset(new_ind, -1, sizeof new_ind);
	int64_t v;
	assert_int_equal(gnbv_dash_version(f->s, &v), 0);
	rec->h.income_month = 9000000;
	int changed = 0;
	assert_int_equal(gnbv_store_household_put(f->s, &f->all, &R2022, rec, &changed), 0);
	assert_true(changed);
	/* Deficits by rule do not matter to the class counts: give none. */
	assert_int_equal(gnbv_dash_cache_note_edit(f->s, c, &R2022, rec->unit_code, v, old_class,
	                                           old_ind, rec->a.klass, new_ind),
	                 0);
	gnbv_dash_row cs;
	size_t n;
	assert_int_equal(gnbv_dash_by_child(f->s, &f->all, c, NULL, &R2022, &cs, rows_b,
	                                    GNBV_DASH_MAX_ROWS, &n, NULL, 0),
	                 0);
	assert_int_equal(cs.n[GNBV_CLASS_POOR], poor - 1);

	/* A write the cache is not told of: it recounts. */
	assert_int_equal(gnbv_store_household_get(f->s, &f->all, &R2022, "A4", rec), 0);
	rec->h.income_month = 9000000;
	assert_int_equal(gnbv_store_household_put(f->s, &f->all, &R2022, rec, &changed), 0);
	same(f, &f->all, c, NULL, NULL, &self);
	assert_int_equal(self.n[GNBV_CLASS_POOR], poor - 2);

	/* The list: the count from the cache, the page in unit order. */
	char codes[256] = "";
	uint64_t total = 0;
	gnbv_hh_filter fl = {NULL, -1, -1, R2022, 0, 10};
	assert_int_equal(gnbv_dash_households(f->s, &commune, c, &fl, count_item, codes, &total),
	                 0);
	assert_int_equal(total, 4);
	assert_string_equal(codes, "A2 A1 A3 A4 ");
	fl.klass = GNBV_CLASS_POOR;
	codes[0] = '\0';
	assert_int_equal(gnbv_dash_households(f->s, &f->all, c, &fl, count_item, codes, &total), 0);
	assert_int_equal(total, poor - 2);
	free(rec);
	gnbv_dash_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_cache_and_scope, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_edits, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
