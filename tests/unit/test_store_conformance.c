/*
 * test_store_conformance.c - the store's contract, written against the
 * public API only (gnbv/store.h), so that it runs unchanged on every
 * backend: SQLite here, PostgreSQL when its backend lands (point
 * GNBV_STORE_TEST_TARGET at an empty database; each test then needs a fresh
 * one, which the PostgreSQL harness will provide).
 *
 * On PostgreSQL (GNBV_STORE_TEST_TARGET a postgresql:// URL, as
 * tests/pg/pg-test-server exec sets it), each test gets a fresh schema,
 * migrated by the migration role and used by the application role
 * (store_target.h); test_pg_roles checks what that role may not do.
 *
 * Covered: opening and migrations; units (idempotent import, tree order,
 * reused codes resolved by date, successors, bad input with FILE:LINE:COL);
 * the registry (import/export round trip, re-import a no-op, a new round
 * never overwrites an old one, corrections keep the old survey, edits);
 * rounds keeping their date and standard, and refusing a reference date
 * that does not exist; plans refusing an impossible date or year (naming
 * the field, writing nothing); scope (a commune's scope never sees or
 * changes another's households, through gets, counts, searches, imports,
 * edits and exports); Vietnamese search and order; the audit chain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/error.h"
#include "gnbv/plan_store.h"
#include "gnbv/store.h"
#include "store_target.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- fixture ---- */

typedef struct fx {
	char dir[256];
	char db[1024];
	char schema[64]; /* PostgreSQL: this test's schema */
	gnbv_store *s;
	gnbv_scope all;
} fx;

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) return;
	struct dirent *e;
	char p[600];
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		struct stat sb;
		if (!lstat(p, &sb) && S_ISDIR(sb.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	if (!f) return -1;
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof f->dir, "%s/gnbv-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir)) return -1;
	if (store_target_fresh(f->dir, "t", f->db, sizeof f->db, f->schema, sizeof f->schema))
		return -1;
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	o.create = 1;
	o.actor = "test:conformance";
	if (gnbv_store_open(&f->s, f->db, &o)) {
		fprintf(stderr, "open: %s\n", gnbv_error_message());
		return -1;
	}
	gnbv_store_scope_all(&f->all);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	gnbv_store_close(f->s);
	store_target_done(f->schema);
	rm_tree(f->dir);
	free(f);
	return 0;
}

static void write_file(const fx *f, const char *name, const char *text, char *path, size_t cap)
{
	snprintf(path, cap, "%s/%s", f->dir, name);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) return NULL;
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, fp) != (size_t)n) n = 0;
	if (b) b[n] = '\0';
	fclose(fp);
	return b;
}

#define OK(call)                                                                                   \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
		if (rc_) fail_msg("%s -> %d: %s", #call, rc_, gnbv_error_message());               \
	} while (0)

static void load_units(fx *f)
{
	gnbv_units_stats st;
	OK(gnbv_store_units_import_builtin(f->s, &f->all, &st));
}

static const char HH_HEADER[] =
    "household_id,unit_code,area,income_month,income_score,floor_durable,"
    "walls_durable,roof_durable,living_area_m2,water_safe,toilet_hygienic,"
    "waste_treated,devices\n";
static const char MM_HEADER[] =
    "household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,"
    "work,health_insurance,stunted,underweight,in_school,school_level,"
    "uses_internet,social_allowance\n";

/* Two communes of Hà Quảng: A = 01366 Cần Yên (villages 01366-01..), B =
 * 01367 Cần Nông. */
static const char HH_AB[] = "A1,01366-01,,1200000,,0,0,1,20,0,1,1,\n"
                            "A2,01366-02,,5000000,,1,1,1,80,1,1,1,tv\n"
                            "B1,01367-01,,1000000,,0,0,0,15,0,0,0,\n"
                            "B2,01367,rural,900000,,1,1,1,60,1,1,1,smartphone\n";
static const char MM_AB[] =
    "A1,1,Nguyễn Thị Hồng,F,1980-05-01,head,Tày,1,no_contract,0,,,0,primary,0,0\n"
    "A1,2,Nông Văn Đức,M,2012,child,Tày,0,student,1,0,0,1,primary,0,0\n"
    "A2,1,Hoàng Văn Anh,M,1975-01-01,head,Nùng,1,self,1,,,0,upper_secondary,1,0\n"
    "B1,1,Nguyễn Thị Hồng Nhung,F,1990-02-02,head,Kinh,1,unemployed,0,,,0,primary,0,0\n"
    "B1,2,Đặng Văn Đào,M,1988-03-03,spouse,Kinh,1,no_contract,0,,,0,none,0,0\n"
    "B2,1,Lý Thị Bình,F,1960-06-06,head,Dao,1,self,1,,,0,primary,1,1\n";

static void import_round(fx *f, const gnbv_scope *scope, const gnbv_round_ref *round,
                         const char *hh_rows, const char *mm_rows, gnbv_import_stats *st,
                         int expect)
{
	char hh[400], mm[400];
	size_t a = strlen(HH_HEADER) + strlen(hh_rows) + 1,
	       b = strlen(MM_HEADER) + strlen(mm_rows) + 1;
	char *ht = malloc(a), *mt = malloc(b);
	snprintf(ht, a, "%s%s", HH_HEADER, hh_rows);
	snprintf(mt, b, "%s%s", MM_HEADER, mm_rows);
	write_file(f, "households.csv", ht, hh, sizeof hh);
	write_file(f, "members.csv", mt, mm, sizeof mm);
	free(ht);
	free(mt);
	gnbv_import_opts o = GNBV_IMPORT_OPTS_INIT;
	o.households_path = hh;
	o.members_path = mm;
	o.round = *round;
	gnbv_import_stats local;
	int rc = gnbv_store_import(f->s, scope, &o, st ? st : &local);
	if (rc != expect)
		fail_msg("import: %d (expected %d): %s", rc, expect, gnbv_error_message());
}

static void import_text(fx *f, const gnbv_scope *scope, int year, const char *hh_rows,
                        const char *mm_rows, gnbv_import_stats *st, int expect)
{
	gnbv_round_ref r = {GNBV_ROUND_PERIODIC, year, 0, NULL};
	import_round(f, scope, &r, hh_rows, mm_rows, st, expect);
}

static gnbv_round_ref round_of(int year)
{
	gnbv_round_ref r = {GNBV_ROUND_PERIODIC, year, 0, NULL};
	return r;
}

static uint64_t count(fx *f, const gnbv_scope *sc, int year, int klass)
{
	uint64_t n = 0;
	gnbv_round_ref r = round_of(year);
	OK(gnbv_store_household_count(f->s, sc, year ? &r : NULL, klass, &n));
	return n;
}

/* ---- opening ---- */

/* PostgreSQL: what the application role may not do, and what messages
 * never show. */
static void test_pg_roles(fx *f)
{
	const char *target = getenv("GNBV_STORE_TEST_TARGET");
	char url[1024], other[80];
	gnbv_store *s2 = NULL;
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	/* A schema without a registry is not one, unless asked to create. */
	snprintf(other, sizeof other, "%s_x", f->schema);
	assert_int_equal(store_target_admin("SELECT public.gnbv_test_fresh($1)", other), 0);
	store_target_url(target, other, url, sizeof url);
	assert_int_equal(gnbv_store_open(&s2, url, &o), GNBV_ENOTFOUND);
	assert_null(s2);
	/* Creating it takes the migration role: the application role may not
	 * create the collation (nor tables), and is told who must. */
	o.create = 1;
	assert_int_equal(gnbv_store_open(&s2, url, &o), GNBV_EDENIED);
	assert_non_null(strstr(gnbv_error_message(), "CREATE COLLATION"));
	assert_int_equal(store_target_admin("SELECT public.gnbv_test_drop($1)", other), 0);
	/* The application role cannot rewrite history. */
	PGconn *app = PQconnectdb(f->db);
	assert_int_equal(PQstatus(app), CONNECTION_OK);
	PGresult *r = PQexec(app, "UPDATE audit_log SET actor = 'forger'");
	assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42501");
	PQclear(r);
	r = PQexec(app, "DELETE FROM audit_log");
	assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42501");
	PQclear(r);
	PQfinish(app);
	/* A wrong password: GNBV_EIO with the server's message, never the
	 * password. */
	const char *tcp = getenv("GNBV_PG_TCP_URL");
	const char *colon = tcp ? strchr(tcp + 13, ':') : NULL;
	const char *at = tcp ? strchr(tcp, '@') : NULL;
	if (colon && at && colon < at) {
		snprintf(url, sizeof url, "%.*s:WrongSecret42%s", (int)(colon - tcp), tcp, at);
		o.create = 0;
		assert_int_equal(gnbv_store_open(&s2, url, &o), GNBV_EIO);
		assert_non_null(strstr(gnbv_error_message(), "password authentication failed"));
		assert_null(strstr(gnbv_error_message(), "WrongSecret42"));
		assert_null(strstr(gnbv_error_message(), at - 8 > colon ? colon + 1 : "@@"));
	}
}

static void test_open_and_migrations(void **state)
{
	fx *f = *state;
	int v = 0;
	OK(gnbv_store_schema_version(f->s, &v));
	assert_true(v >= 1);
	assert_int_equal(v, gnbv_store_schema_latest());
	OK(gnbv_store_check(f->s));
	/* Reopening applies nothing and keeps the version. */
	gnbv_store_close(f->s);
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	OK(gnbv_store_open(&f->s, f->db, &o));
	OK(gnbv_store_schema_version(f->s, &v));
	assert_int_equal(v, gnbv_store_schema_latest());
	/* A missing database is not created unless asked. */
	char missing[400];
	snprintf(missing, sizeof missing, "%s/missing.db", f->dir);
	gnbv_store *s2 = NULL;
	if (!getenv("GNBV_STORE_TEST_TARGET")) {
		assert_int_equal(gnbv_store_open(&s2, missing, &o), GNBV_ENOTFOUND);
		assert_null(s2);
		assert_int_equal(access(missing, F_OK), -1);
	}
	if (f->schema[0]) test_pg_roles(f);
}

/* ---- units ---- */

typedef struct walk {
	int n;
	char seen[200][64];
	int order_ok;
	char first_name[256];
} walk;

static int on_unit(void *ctx, const gnbv_unit *u)
{
	walk *w = ctx;
	if (u->parent_code[0]) { /* its parent came before it */
		int found = 0;
		for (int i = 0; i < w->n; i++)
			found |= !strcmp(w->seen[i], u->parent_code);
		if (!found) w->order_ok = 0;
	}
	if (w->n < 200) snprintf(w->seen[w->n], sizeof w->seen[0], "%s", u->code);
	if (!w->n) snprintf(w->first_name, sizeof w->first_name, "%s", u->name);
	w->n++;
	return 0;
}

static void test_units_builtin_idempotent(void **state)
{
	fx *f = *state;
	gnbv_units_stats st;
	OK(gnbv_store_units_import_builtin(f->s, &f->all, &st));
	assert_true(st.added >= 23); /* province, district, 21 communes and towns, villages */
	assert_int_equal(st.changed, 0);
	OK(gnbv_store_units_import_builtin(f->s, &f->all, &st));
	assert_int_equal(st.added, 0);
	assert_int_equal(st.changed, 0);
	assert_int_equal(st.unchanged, st.rows);
	walk w = {0, {{0}}, 1, ""};
	OK(gnbv_store_units_each(f->s, on_unit, &w));
	assert_int_equal((uint64_t)w.n, st.rows);
	assert_true(w.order_ok);
	assert_string_equal(w.first_name, "Tỉnh Cao Bằng");
	gnbv_unit u;
	OK(gnbv_store_unit_get(f->s, "045", 20220101, &u));
	assert_string_equal(u.name, "Huyện Hà Quảng");
	assert_string_equal(u.flags, "poor_district");
	OK(gnbv_store_unit_get(f->s, "01363-01", 0, &u));
	assert_string_equal(u.level, "village");
	assert_int_equal(u.area_resolved, GNBV_AREA_URBAN); /* inherited from Thị trấn Thông Nông */
	assert_int_equal(u.depth, 3);
	assert_int_equal(gnbv_store_unit_get(f->s, "99999", 0, &u), GNBV_ENOTFOUND);
	/* Only the whole tree may import units. */
	gnbv_scope a;
	OK(gnbv_store_scope_unit(f->s, "01366", 0, &a));
	assert_int_equal(gnbv_store_units_import_builtin(f->s, &a, &st), GNBV_EDENIED);
}

static void test_units_reused_code_and_successor(void **state)
{
	fx *f = *state;
	load_units(f);
	char path[400];
	/* The July 2025 reform: Xuân Hòa (01392) and Trường Hà (01399) merge
	 * into the commune Trường Hà under the seat's code 01392. */
	write_file(f, "reform.csv",
	           "code,name,level,parent_code,area,valid_from,valid_to,successor_code,flags\n"
	           "01392,Thị trấn Xuân Hòa,commune,045,urban,2020-02-01,2025-06-30,01392,\n"
	           "01399,Xã Trường Hà,commune,045,rural,2020-02-01,2025-06-30,01392,\n"
	           "01392,Xã Trường Hà,commune,04,rural,2025-07-01,,,\n",
	           path, sizeof path);
	gnbv_units_stats st;
	OK(gnbv_store_units_import(f->s, &f->all, path, &st));
	assert_int_equal(st.added, 1);
	assert_int_equal(st.changed, 2);
	gnbv_unit u;
	OK(gnbv_store_unit_get(f->s, "01392", 20250101, &u));
	assert_string_equal(u.name, "Thị trấn Xuân Hòa");
	assert_string_equal(u.successor_code, "01392");
	int64_t old_id = u.unit_id;
	OK(gnbv_store_unit_get(f->s, "01392", 20251001, &u));
	assert_string_equal(u.name, "Xã Trường Hà");
	assert_string_equal(u.parent_code, "04");
	assert_true(u.unit_id != old_id);
	OK(gnbv_store_unit_get(f->s, "01392", 0, &u)); /* the open one */
	assert_string_equal(u.name, "Xã Trường Hà");
	OK(gnbv_store_units_import(f->s, &f->all, path, &st));
	assert_int_equal(st.added + st.changed, 0);
	/* A household of the 2021 round still lands in the old town. */
	import_text(f, &f->all, 2021, "X1,01392,,1000000,,1,1,1,50,1,1,1,tv\n",
	            "X1,1,Mã Văn Tài,M,1970,head,Tày,1,self,1,,,0,primary,1,0\n", NULL, 0);
	gnbv_scope town;
	OK(gnbv_store_scope_unit(f->s, "01392", 20211001, &town));
	assert_int_equal(count(f, &town, 2021, -1), 1);
	OK(gnbv_store_scope_unit(f->s, "01392", 20251001, &town));
	assert_int_equal(count(f, &town, 2021, -1), 0);
}

static void test_units_bad_input(void **state)
{
	fx *f = *state;
	load_units(f);
	char path[400];
	gnbv_units_stats st;
	write_file(f, "bad.csv",
	           "code,name,level,parent_code\n"
	           "01999,Xã Mới,commune,045\n"
	           "01999-01,Xóm 1,village,01998\n",
	           path, sizeof path);
	assert_int_equal(gnbv_store_units_import(f->s, &f->all, path, &st), GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), "bad.csv:3:4: column 'parent_code'"));
	gnbv_unit u;
	assert_int_equal(gnbv_store_unit_get(f->s, "01999", 0, &u),
	                 GNBV_ENOTFOUND); /* nothing written */
	write_file(f, "bad2.csv", "code,name,level\n01999,Xã Mới,hamlet\n", path, sizeof path);
	assert_int_equal(gnbv_store_units_import(f->s, &f->all, path, &st), GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), "bad2.csv:2:3: column 'level'"));
	/* Reusing a code while the old unit is still valid. */
	write_file(f, "overlap.csv",
	           "code,name,level,parent_code,area,valid_from\n"
	           "01392,Xã Trường Hà,commune,04,rural,2025-07-01\n",
	           path, sizeof path);
	assert_int_equal(gnbv_store_units_import(f->s, &f->all, path, &st), GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), "overlap.csv:2:6: column 'valid_from'"));
	write_file(f, "cycle.csv",
	           "code,name,level,parent_code\n"
	           "X1,Một,commune,X2\n"
	           "X2,Hai,commune,X1\n",
	           path, sizeof path);
	assert_int_equal(gnbv_store_units_import(f->s, &f->all, path, &st), GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), "cycle"));
}

/* ---- registry ---- */

static void test_import_export_round_trip(void **state)
{
	fx *f = *state;
	load_units(f);
	gnbv_import_stats st;
	import_text(f, &f->all, 2021, HH_AB, MM_AB, &st, 0);
	assert_int_equal(st.households, 4);
	assert_int_equal(st.members, 6);
	assert_int_equal(st.added, 4);
	assert_string_equal(st.standard,
	                    "vn-2022-2026"); /* the 2021 round decides 2022 (domain.md §1.7) */
	assert_int_equal(st.ref_date, 20211001);
	assert_true(st.audit_seq > 0);
	char out[400];
	snprintf(out, sizeof out, "%s/out", f->dir);
	gnbv_export_opts eo = GNBV_EXPORT_OPTS_INIT;
	eo.round = round_of(2021);
	eo.out_dir = out;
	gnbv_export_stats es;
	OK(gnbv_store_export(f->s, &f->all, &eo, &es));
	assert_int_equal(es.households, 4);
	assert_int_equal(es.members, 6);
	char p[500];
	snprintf(p, sizeof p, "%s/households.csv", out);
	char *h = read_file(p);
	snprintf(p, sizeof p, "%s/members.csv", out);
	char *m = read_file(p);
	assert_non_null(h);
	assert_non_null(m);
	/* Same rows (this input is already in the canonical spelling). */
	char want[2048];
	snprintf(want, sizeof want, "%s%s", HH_HEADER, HH_AB);
	assert_string_equal(h, want);
	snprintf(want, sizeof want, "%s%s", MM_HEADER, MM_AB);
	assert_string_equal(m, want);
	free(h);
	free(m);
	/* Re-importing changes nothing. */
	import_text(f, &f->all, 2021, HH_AB, MM_AB, &st, 0);
	assert_int_equal(st.added + st.changed, 0);
	assert_int_equal(st.unchanged, 4);
	assert_int_equal(st.audit_seq, 0);
	uint64_t n;
	OK(gnbv_store_audit_verify(f->s, &n));
}

static void test_new_round_keeps_old_and_corrections(void **state)
{
	fx *f = *state;
	load_units(f);
	gnbv_import_stats st;
	import_text(f, &f->all, 2021, HH_AB, MM_AB, &st, 0);
	gnbv_household_rec *r = calloc(1, sizeof *r);
	gnbv_round_ref r21 = round_of(2021), r22 = round_of(2022);
	OK(gnbv_store_household_get(f->s, &f->all, &r21, "A1", r));
	assert_int_equal(r->h.income_month, 1200000);
	int64_t first_survey = r->survey_id;
	/* The 2022 round: A1's income rose. */
	const char *hh22 = "A1,01366-01,,2500000,,0,0,1,20,0,1,1,\n";
	const char *mm22 =
	    "A1,1,Nguyễn Thị Hồng,F,1980-05-01,head,Tày,1,no_contract,0,,,0,primary,0,0\n";
	import_text(f, &f->all, 2022, hh22, mm22, &st, 0);
	assert_int_equal(st.added, 1);
	OK(gnbv_store_household_get(f->s, &f->all, &r22, "A1", r));
	assert_int_equal(r->h.income_month, 2500000);
	assert_int_equal(r->n_members, 1);
	OK(gnbv_store_household_get(f->s, &f->all, &r21, "A1", r)); /* 2021 untouched */
	assert_int_equal(r->h.income_month, 1200000);
	assert_int_equal(r->n_members, 2);
	assert_int_equal(r->survey_id, first_survey);
	assert_int_equal(count(f, &f->all, 2021, -1), 4);
	assert_int_equal(count(f, &f->all, 2022, -1), 1);
	assert_int_equal(count(f, &f->all, 0, -1), 4); /* households, not surveys */
	/* A correction of 2021: one changed household, a new survey. */
	char hh_fix[1024];
	snprintf(hh_fix, sizeof hh_fix, "%s", HH_AB);
	char *p = strstr(hh_fix, "A2,01366-02,,5000000");
	memcpy(p, "A2,01366-02,,4000000", 20);
	import_text(f, &f->all, 2021, hh_fix, MM_AB, &st, 0);
	assert_int_equal(st.changed, 1);
	assert_int_equal(st.unchanged, 3);
	OK(gnbv_store_household_get(f->s, &f->all, &r21, "A2", r));
	assert_int_equal(r->h.income_month, 4000000);
	assert_int_equal(count(f, &f->all, 2021, -1), 4);
	/* The round keeps its date and standard. */
	gnbv_import_opts o = GNBV_IMPORT_OPTS_INIT;
	char hh[400], mm[400];
	snprintf(hh, sizeof hh, "%s/households.csv", f->dir);
	snprintf(mm, sizeof mm, "%s/members.csv", f->dir);
	o.households_path = hh;
	o.members_path = mm;
	o.round = r21;
	o.round.standard = "vn-2027-2030";
	assert_int_equal(gnbv_store_import(f->s, &f->all, &o, &st), GNBV_ECONFLICT);
	o.round.standard = NULL;
	o.round.as_of = 20211115;
	assert_int_equal(gnbv_store_import(f->s, &f->all, &o, &st), GNBV_ECONFLICT);
	uint64_t n;
	OK(gnbv_store_audit_verify(f->s, &n));
	assert_int_equal(n, 4); /* units, 2021, 2022, the correction */
	free(r);
}

static void test_put_and_get(void **state)
{
	fx *f = *state;
	load_units(f);
	gnbv_household_rec *r = calloc(1, sizeof *r);
	snprintf(r->code, sizeof r->code, "E1");
	snprintf(r->unit_code, sizeof r->unit_code, "01375-01");
	gnbv_household *h = &r->h;
	h->area = GNBV_AREA_UNKNOWN;
	h->has_income = true;
	h->income_month = 900000;
	h->floor_durable = h->walls_durable = GNBV_NO;
	h->roof_durable = GNBV_YES;
	h->has_living_area = true;
	h->living_area_m2 = 12.5;
	h->water_safe = GNBV_NO;
	h->toilet_hygienic = GNBV_NO;
	h->waste_treated = GNBV_UNKNOWN;
	h->devices = 0;
	for (int k = 0; k < GNBV_RULE_COUNT; k++)
		h->recorded[k] = GNBV_UNKNOWN;
	r->n_members = 2;
	for (int i = 0; i < 2; i++) {
		gnbv_member *m = &r->members[i].m;
		memset(m, 0, sizeof *m);
		m->member_no = 2 - i; /* given out of order */
		m->sex = i ? GNBV_SEX_FEMALE : GNBV_SEX_MALE;
		m->work = GNBV_WORK_NO_CONTRACT;
		m->level = GNBV_LEVEL_PRIMARY;
		m->relation = i ? GNBV_REL_HEAD : GNBV_REL_SPOUSE;
		m->able_to_work = GNBV_YES;
		m->health_insurance = GNBV_NO;
		m->stunted = m->underweight = GNBV_UNKNOWN;
		m->in_school = GNBV_NO;
		m->uses_internet = GNBV_NO;
		m->social_allowance = GNBV_NO;
	}
	snprintf(r->members[0].name, sizeof r->members[0].name, "Lục Văn Sơn");
	snprintf(r->members[0].birth_date, sizeof r->members[0].birth_date, "1979");
	/* NFD on the way in: "Hà" as H + a + combining grave. */
	snprintf(r->members[1].name, sizeof r->members[1].name, "Ha\xcc\x80 Thi\xcc\xa3 Lan");
	snprintf(r->members[1].birth_date, sizeof r->members[1].birth_date, "1982-12-31");
	snprintf(r->members[1].ethnicity, sizeof r->members[1].ethnicity, "Tày");
	gnbv_round_ref r21 = round_of(2021);
	int changed = -1;
	OK(gnbv_store_household_put(f->s, &f->all, &r21, r, &changed));
	assert_int_equal(changed, 1);
	assert_int_equal(r->a.klass, GNBV_CLASS_POOR);
	assert_string_equal(r->standard, "vn-2022-2026");
	OK(gnbv_store_household_put(f->s, &f->all, &r21, r, &changed));
	assert_int_equal(changed, 0);
	gnbv_household_rec *g = calloc(1, sizeof *g);
	OK(gnbv_store_household_get(f->s, &f->all, &r21, "E1", g));
	assert_string_equal(g->unit_code, "01375-01");
	assert_int_equal(g->h.area, GNBV_AREA_UNKNOWN);
	assert_int_equal(g->h.income_month, 900000);
	assert_true(g->h.living_area_m2 == 12.5);
	assert_int_equal(g->n_members, 2);
	assert_int_equal(g->members[0].m.member_no, 1);
	assert_string_equal(g->members[0].name, "H\xc3\xa0 Th\xe1\xbb\x8b Lan"); /* NFC */
	assert_string_equal(g->members[0].ethnicity, "Tày");
	assert_string_equal(g->members[1].birth_date, "1979");
	assert_int_equal(g->members[1].m.birth, 19790701);
	assert_int_equal(g->a.klass, GNBV_CLASS_POOR);
	assert_int_equal(g->a.deficits, r->a.deficits);
	/* An edit: income above the line. */
	r->h.income_month = 3000000;
	OK(gnbv_store_household_put(f->s, &f->all, &r21, r, &changed));
	assert_int_equal(changed, 1);
	assert_int_equal(r->a.klass, GNBV_CLASS_NOT_POOR);
	OK(gnbv_store_household_get(f->s, &f->all, &r21, "E1", g));
	assert_int_equal(g->a.klass, GNBV_CLASS_NOT_POOR);
	assert_int_equal(count(f, &f->all, 2021, GNBV_CLASS_POOR), 0);
	assert_int_equal(count(f, &f->all, 2021, GNBV_CLASS_NOT_POOR), 1);
	/* Bad edits are refused. */
	r->members[1].m.member_no = 2; /* the same as members[0] */
	assert_int_equal(gnbv_store_household_put(f->s, &f->all, &r21, r, &changed), GNBV_EINVALID);
	r->members[1].m.member_no = 1;
	snprintf(r->unit_code, sizeof r->unit_code, "nowhere");
	assert_int_equal(gnbv_store_household_put(f->s, &f->all, &r21, r, &changed), GNBV_EINVALID);
	uint64_t n;
	OK(gnbv_store_audit_verify(f->s, &n));
	assert_int_equal(n, 3); /* units, add, change */
	free(r);
	free(g);
}

/* ---- scope ---- */

typedef struct hits {
	int n;
	char codes[16][64];
	char names[16][256];
} hits;

static int on_hit(void *ctx, const gnbv_member_hit *h)
{
	hits *x = ctx;
	if (x->n < 16) {
		snprintf(x->codes[x->n], 64, "%s", h->household_code);
		snprintf(x->names[x->n], 256, "%s", h->name);
	}
	x->n++;
	return 0;
}

static void test_scope_isolation(void **state)
{
	fx *f = *state;
	load_units(f);
	import_text(f, &f->all, 2021, HH_AB, MM_AB, NULL, 0);
	gnbv_scope a, b, district;
	OK(gnbv_store_scope_unit(f->s, "01366", 0, &a));
	OK(gnbv_store_scope_unit(f->s, "01367", 0, &b));
	OK(gnbv_store_scope_unit(f->s, "045", 0, &district));
	gnbv_round_ref r21 = round_of(2021);
	/* counts */
	assert_int_equal(count(f, &a, 2021, -1), 2);
	assert_int_equal(count(f, &b, 2021, -1), 2);
	assert_int_equal(count(f, &district, 2021, -1), 4);
	assert_int_equal(count(f, &a, 0, -1), 2);
	uint64_t pa = count(f, &a, 2021, GNBV_CLASS_POOR), pb = count(f, &b, 2021, GNBV_CLASS_POOR),
	         pd = count(f, &district, 2021, GNBV_CLASS_POOR);
	assert_int_equal(pa + pb, pd);
	/* gets: another commune's household does not exist for this scope */
	gnbv_household_rec *r = calloc(1, sizeof *r);
	OK(gnbv_store_household_get(f->s, &a, &r21, "A1", r));
	assert_int_equal(gnbv_store_household_get(f->s, &a, &r21, "B1", r), GNBV_ENOTFOUND);
	assert_int_equal(gnbv_store_household_get(f->s, &b, &r21, "A1", r), GNBV_ENOTFOUND);
	/* searches: "Nguyễn Thị Hồng" lives in A, "Nguyễn Thị Hồng Nhung" in B */
	hits h = {0, {{0}}, {{0}}};
	OK(gnbv_store_member_search(f->s, &a, &r21, "nguyen thi hong", 0, on_hit, &h));
	assert_int_equal(h.n, 1);
	assert_string_equal(h.codes[0], "A1");
	memset(&h, 0, sizeof h);
	OK(gnbv_store_member_search(f->s, &b, NULL, "NGUYỄN THỊ HỒNG", 0, on_hit, &h));
	assert_int_equal(h.n, 1);
	assert_string_equal(h.codes[0], "B1");
	memset(&h, 0, sizeof h);
	OK(gnbv_store_member_search(f->s, &district, &r21, "nguyen thi hong", 0, on_hit, &h));
	assert_int_equal(h.n, 2);
	memset(&h, 0, sizeof h);
	OK(gnbv_store_member_search(f->s, &a, &r21, "dao", 0, on_hit, &h)); /* Đào is in B */
	assert_int_equal(h.n, 0);
	/* writes: an edit of B's household from A's scope, into either unit */
	OK(gnbv_store_household_get(f->s, &b, &r21, "B1", r));
	int changed;
	assert_int_equal(gnbv_store_household_put(f->s, &a, &r21, r, &changed), GNBV_EDENIED);
	snprintf(r->unit_code, sizeof r->unit_code, "01366-01");
	assert_int_equal(gnbv_store_household_put(f->s, &a, &r21, r, &changed), GNBV_EDENIED);
	snprintf(r->code, sizeof r->code, "A9"); /* a new household into B's unit */
	snprintf(r->unit_code, sizeof r->unit_code, "01367-01");
	assert_int_equal(gnbv_store_household_put(f->s, &a, &r21, r, &changed), GNBV_EDENIED);
	/* an import into A's scope that names a household of B: nothing at all */
	uint64_t before = count(f, &f->all, 2021, -1);
	import_text(f, &a, 2021,
	            "A3,01366-01,,100,,1,1,1,50,1,1,1,tv\nB3,01367-01,,100,,1,1,1,50,1,1,1,tv\n",
	            "A3,1,Vi Văn Một,M,1970,head,Tày,1,self,1,,,0,primary,1,0\n"
	            "B3,1,Vi Văn Hai,M,1970,head,Tày,1,self,1,,,0,primary,1,0\n",
	            NULL, GNBV_EDENIED);
	assert_non_null(strstr(gnbv_error_message(), "households.csv:3:2: column 'unit_code'"));
	assert_int_equal(count(f, &f->all, 2021, -1), before);
	/* B's household re-surveyed into A's unit by an A import: refused */
	import_text(f, &a, 2021, "B1,01366-01,,100,,1,1,1,50,1,1,1,tv\n",
	            "B1,1,Vi Văn Ba,M,1970,head,Tày,1,self,1,,,0,primary,1,0\n", NULL,
	            GNBV_EDENIED);
	OK(gnbv_store_household_get(f->s, &b, &r21, "B1", r));
	assert_string_equal(r->unit_code, "01367-01");
	/* exports */
	char out[400], p[500];
	snprintf(out, sizeof out, "%s/out-a", f->dir);
	gnbv_export_opts eo = GNBV_EXPORT_OPTS_INIT;
	eo.round = r21;
	eo.out_dir = out;
	gnbv_export_stats es;
	OK(gnbv_store_export(f->s, &a, &eo, &es));
	assert_int_equal(es.households, 2);
	assert_int_equal(es.members, 3);
	snprintf(p, sizeof p, "%s/members.csv", out);
	char *m = read_file(p);
	assert_non_null(m);
	assert_null(strstr(m, "B1"));
	assert_null(strstr(m, "Nhung"));
	free(m);
	/* a village's scope is narrower still */
	gnbv_scope v;
	OK(gnbv_store_scope_unit(f->s, "01366-02", 0, &v));
	assert_int_equal(count(f, &v, 2021, -1), 1);
	/* units are not personal data, but only the whole tree imports them */
	gnbv_units_stats us;
	assert_int_equal(gnbv_store_units_import_builtin(f->s, &a, &us), GNBV_EDENIED);
	OK(gnbv_store_audit_verify(f->s, NULL));
	free(r);
}

/* Text every backend must carry byte for byte: backslashes, a tab, quotes,
 * a "\\N" that is not NULL, a '?' and "--" that are not SQL, in ids, names
 * and kept unknown columns (PostgreSQL's COPY and placeholder rewriting). */
static void test_special_text_round_trip(void **state)
{
	fx *f = *state;
	load_units(f);
	static const char hh[] =
	    "household_id,unit_code,area,income_month,income_score,floor_durable,walls_durable,"
	    "roof_durable,living_area_m2,water_safe,toilet_hygienic,waste_treated,devices,note\n"
	    "A\\1?,01366-01,,1200000,,0,0,1,20.5,0,1,1,tv,\"back\\slash\ttab \"\"q\"\" \\N -- "
	    "?1\"\n";
	static const char mm[] =
	    "household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,work,"
	    "health_insurance,stunted,underweight,in_school,school_level,uses_internet,"
	    "social_allowance,memo\n"
	    "A\\1?,1,Nguyễn \\N 'Văn',M,1970,head,Kinh,1,self,1,,,0,primary,1,0,x\\y\n";
	char hp[400], mp[400], out[400], p[500];
	write_file(f, "households.csv", hh, hp, sizeof hp);
	write_file(f, "members.csv", mm, mp, sizeof mp);
	gnbv_import_opts o = GNBV_IMPORT_OPTS_INIT;
	o.households_path = hp;
	o.members_path = mp;
	o.round = round_of(2021);
	gnbv_import_stats st;
	OK(gnbv_store_import(f->s, &f->all, &o, &st));
	assert_int_equal(st.added, 1);
	snprintf(out, sizeof out, "%s/out", f->dir);
	gnbv_export_opts eo = GNBV_EXPORT_OPTS_INIT;
	eo.round = round_of(2021);
	eo.out_dir = out;
	gnbv_export_stats es;
	OK(gnbv_store_export(f->s, &f->all, &eo, &es));
	snprintf(p, sizeof p, "%s/households.csv", out);
	char *h = read_file(p);
	snprintf(p, sizeof p, "%s/members.csv", out);
	char *m = read_file(p);
	assert_non_null(h);
	assert_non_null(m);
	assert_string_equal(h, hh);
	assert_string_equal(m, mm);
	free(h);
	free(m);
	OK(gnbv_store_import(f->s, &f->all, &o, &st));
	assert_int_equal(st.unchanged, 1);
}

/* ---- Vietnamese order ---- */

static void test_vietnamese_order_and_search(void **state)
{
	fx *f = *state;
	load_units(f);
	/* Vietnamese alphabet: a ă â b c d đ e ê ... o ô ơ ... u ư; tones
	 * second (Anh before Ánh). Byte order would put Đ and Ư after Z. */
	import_text(f, &f->all, 2021, "V1,01366-01,,100,,1,1,1,50,1,1,1,tv\n",
	            "V1,1,Đào,M,1970,head,Kinh,1,self,1,,,0,primary,1,0\n"
	            "V1,2,Dung,F,1971,spouse,Kinh,1,self,1,,,0,primary,1,0\n"
	            "V1,3,Ánh,F,2001,child,Kinh,1,self,1,,,0,primary,1,0\n"
	            "V1,4,Anh,M,2002,child,Kinh,1,self,1,,,0,primary,1,0\n"
	            "V1,5,Ưng,M,2003,child,Kinh,1,self,1,,,0,primary,1,0\n"
	            "V1,6,Uyên,F,2004,child,Kinh,1,self,1,,,0,primary,1,0\n"
	            "V1,7,Zơ,F,2005,child,Kinh,1,self,1,,,0,primary,1,0\n"
	            "V1,8,Ân,F,2006,child,Kinh,1,self,1,,,0,primary,1,0\n"
	            "V1,9,Ăn,F,2007,child,Kinh,1,self,1,,,0,primary,1,0\n",
	            NULL, 0);
	hits h = {0, {{0}}, {{0}}};
	OK(gnbv_store_member_search(f->s, &f->all, NULL, "", 0, on_hit, &h));
	assert_int_equal(h.n, 9);
	const char *want[] = {"Anh", "Ánh", "Ăn", "Ân", "Dung", "Đào", "Uyên", "Ưng", "Zơ"};
	for (int i = 0; i < 9; i++)
		assert_string_equal(h.names[i], want[i]);
	memset(&h, 0, sizeof h);
	OK(gnbv_store_member_search(f->s, &f->all, NULL, "dao", 0, on_hit, &h));
	assert_int_equal(h.n, 1);
	assert_string_equal(h.names[0], "Đào");
	memset(&h, 0, sizeof h);
	OK(gnbv_store_member_search(f->s, &f->all, NULL, "an", 2, on_hit, &h)); /* limit */
	assert_int_equal(h.n, 2);
	memset(&h, 0, sizeof h);
	OK(gnbv_store_member_search(f->s, &f->all, NULL, "%", 0, on_hit,
	                            &h)); /* LIKE's own characters */
	assert_int_equal(h.n, 0);
}

/* ---- bad households ---- */

static void test_import_refusals(void **state)
{
	fx *f = *state;
	load_units(f);
	import_text(f, &f->all, 2021, "U1,09999,,100,,1,1,1,50,1,1,1,tv\n",
	            "U1,1,Một,M,1970,head,Tày,1,self,1,,,0,primary,1,0\n", NULL, GNBV_EINVALID);
	assert_non_null(
	    strstr(gnbv_error_message(),
	           "households.csv:2:2: column 'unit_code': unit '09999' is not in the store"));
	import_text(f, &f->all, 2021,
	            "U1,01366-01,,100,,1,1,1,50,1,1,1,tv\nU1,01366-01,,100,,1,1,1,50,1,1,1,tv\n",
	            "U1,1,Một,M,1970,head,Tày,1,self,1,,,0,primary,1,0\n", NULL, GNBV_ECONFLICT);
	assert_non_null(strstr(gnbv_error_message(), "households.csv:3:1: column 'household_id'"));
	import_text(f, &f->all, 2021,
	            "U1,01366-01,,100,,1,1,1,50,1,1,1,tv\nU2,01366-01,,100,,1,1,1,50,1,1,1,tv\n",
	            "U1,1,Một,M,1970,head,Tày,1,self,1,,,0,primary,1,0\n", NULL, GNBV_EINVALID);
	assert_non_null(
	    strstr(gnbv_error_message(),
	           "households.csv:3:1: column 'household_id': household 'U2' has no members"));
	import_text(f, &f->all, 2021, "U1,01366-01,,100,,1,1,1,50,1,1,1,tv\n",
	            "U1,1,Một,M,1970,head,Tày,1,self,1,,,0,primary,1,0\nU1,1,Hai,M,1970,head,Tày,1,"
	            "self,1,,,0,primary,1,0\n",
	            NULL, GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), "members.csv:3:2: column 'member_no'"));
	assert_int_equal(count(f, &f->all, 0, -1), 0);
	uint64_t n;
	OK(gnbv_store_audit_verify(f->s, &n));
	assert_int_equal(n, 1); /* only the units */
}

/* ---- impossible dates ---- */

/* A small plan of Hà Quảng (045) built in code, as a library caller (the
 * web form, `plan set`) builds one, without the file reader's checks: a
 * line in each section, a stated total with a year filter, a target for
 * a year. */
static gnbv_plan *small_plan(const char *date)
{
	gnbv_plan *p = NULL;
	OK(gnbv_plan_new(&p));
	p->program = "gnbv-2021-2025";
	p->unit_code = "045";
	p->unit_name = "Huyện Hà Quảng";
	p->report_year = 2022;
	p->plan_year = 2023;
	p->date = date;
	p->status = GNBV_PLAN_DRAFT;
	p->lines = gnbv_plan_alloc(p, 2 * sizeof *p->lines);
	p->n_lines = 2;
	for (int k = 0; k < 2; k++) {
		gnbv_plan_line *l = &p->lines[k];
		l->id = k ? "B-L1" : "A-L1";
		l->section = k;
		l->year = 2022 + k;
		l->component = "DA1";
		l->capital = GNBV_CAP_DTPT;
		l->source = GNBV_SRC_CENTRAL;
		l->stage = k ? GNBV_STAGE_PROPOSED : GNBV_STAGE_ALLOCATED;
		l->amount_vnd = 1000000 * (k + 1);
	}
	p->totals = gnbv_plan_alloc(p, sizeof *p->totals);
	p->n_totals = 1;
	p->totals[0].id = "B-TOT";
	p->totals[0].section = 1;
	p->totals[0].filter = (gnbv_plan_filter){2023, -1, -1, -1, NULL, NULL, 0, NULL, 0};
	p->totals[0].amount_vnd = 2000000;
	p->targets = gnbv_plan_alloc(p, sizeof *p->targets);
	p->n_targets = 1;
	p->targets[0].id = "A-T1";
	p->targets[0].section = 0;
	p->targets[0].indicator = "poverty_rate";
	p->targets[0].year = 2023;
	OK(gnbv_plan_target_set_value(p, &p->targets[0], "7"));
	return p;
}

static int count_plan(void *ctx, const gnbv_plan_info *in)
{
	(void)in;
	++*(int *)ctx;
	return 0;
}

/* The plan stored for 045 proposing 2023 is still `date` with its rows,
 * the store holds one plan, and the audit chain has `records`. */
static void plan_unchanged(fx *f, const char *date, uint64_t records)
{
	gnbv_plan *got = NULL;
	int n = 0;
	uint64_t audited;
	OK(gnbv_store_plan_get(f->s, &f->all, "045", 2023, &got));
	assert_string_equal(got->date, date);
	assert_int_equal(got->n_lines, 2);
	assert_int_equal(got->lines[1].year, 2023);
	assert_int_equal(got->totals[0].filter.year, 2023);
	assert_int_equal(got->targets[0].year, 2023);
	gnbv_plan_free(got);
	OK(gnbv_store_plan_list(f->s, &f->all, count_plan, &n));
	assert_int_equal(n, 1);
	OK(gnbv_store_audit_verify(f->s, &audited));
	assert_int_equal(audited, records);
}

/* A put with an impossible date or year is GNBV_EINVALID naming the field,
 * and writes nothing: the stored plan, the list and the audit chain stay
 * as they were (and a plan not yet stored stays absent). */
static void test_plan_impossible_dates(void **state)
{
	fx *f = *state;
	load_units(f);
	int changed = -1;
	uint64_t records;
	gnbv_plan *p = small_plan("2023-02-29"), *got = NULL;
	/* Refused before there is any plan: still none. */
	assert_int_equal(gnbv_store_plan_put(f->s, &f->all, p, &changed), GNBV_EINVALID);
	assert_string_equal(gnbv_error_message(),
	                    "plan 045 2023: document.date: \"2023-02-29\" is not a date: February "
	                    "2023 has 28 days");
	assert_int_equal(changed, 0);
	assert_int_equal(gnbv_store_plan_get(f->s, &f->all, "045", 2023, &got), GNBV_ENOTFOUND);
	/* 2024 is a leap year: its 29 February is stored. */
	p->date = "2024-02-29";
	OK(gnbv_store_plan_put(f->s, &f->all, p, &changed));
	assert_int_equal(changed, 1);
	OK(gnbv_store_audit_verify(f->s, &records));
	plan_unchanged(f, "2024-02-29", records);

	static const struct {
		const char *date;
		int line_year, filter_year, target_year, report_year;
		const char *message; /* after "plan 045 2023: " */
	} bad[] = {
	    {"2022-02-30", 2023, 2023, 2023, 2022,
	     "document.date: \"2022-02-30\" is not a date: February 2022 has 28 days"},
	    {"2022-13-01", 2023, 2023, 2023, 2022,
	     "document.date: \"2022-13-01\" is not a date: there is no month 13"},
	    {"2022-04-31", 2023, 2023, 2023, 2022,
	     "document.date: \"2022-04-31\" is not a date: April 2022 has 30 days"},
	    {"2100-02-29", 2023, 2023, 2023, 2022,
	     "document.date: \"2100-02-29\" is not a date: February 2100 has 28 days"},
	    {"25/08/2022", 2023, 2023, 2023, 2022,
	     "document.date: \"25/08/2022\" is not a date (expected YYYY-MM-DD)"},
	    {"1899-08-25", 2023, 2023, 2023, 2022,
	     "document.date: \"1899-08-25\" is outside the years 1990 to 2200"},
	    {"2022-08-25", 13, 2023, 2023, 2022,
	     "sections.B.lines[0].year (B-L1): 13 is not a plan year (1990 to 2200)"},
	    {"2022-08-25", 2023, 20223, 2023, 2022,
	     "sections.B.stated_totals[0].filter.year (B-TOT): 20223 is not a plan year (1990 to "
	     "2200)"},
	    {"2022-08-25", 2023, 2023, -1, 2022,
	     "sections.A.targets[0].year (A-T1): -1 is not a plan year (1990 to 2200)"},
	    {"2022-08-25", 2023, 2023, 2023, 2021,
	     "plan_year: 2023 is not the year after report_year 2021"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p->date = bad[i].date;
		p->lines[1].year = bad[i].line_year;
		p->totals[0].filter.year = bad[i].filter_year;
		p->targets[0].year = bad[i].target_year;
		p->report_year = bad[i].report_year;
		changed = -1;
		assert_int_equal(gnbv_store_plan_put(f->s, &f->all, p, &changed), GNBV_EINVALID);
		char want[200];
		snprintf(want, sizeof want, "plan 045 2023: %s", bad[i].message);
		assert_string_equal(gnbv_error_message(), want);
		assert_int_equal(changed, 0);
		plan_unchanged(f, "2024-02-29", records);
	}
	/* The same plan with real dates is stored over it. */
	p->date = "2022-08-25";
	p->lines[1].year = p->totals[0].filter.year = p->targets[0].year = 2023;
	p->report_year = 2022;
	OK(gnbv_store_plan_put(f->s, &f->all, p, &changed));
	assert_int_equal(changed, 1);
	plan_unchanged(f, "2022-08-25", records + 1);
	gnbv_plan_free(p);
}

/* A round's reference date from the caller is a day that exists: an
 * import into 2022-02-30 is refused and writes nothing; an ad-hoc round
 * on 29 February of a leap year is a round. */
static void test_round_impossible_dates(void **state)
{
	fx *f = *state;
	load_units(f);
	static const char hh[] = "D1,01366-01,,1200000,,0,0,1,20,0,1,1,\n";
	static const char mm[] =
	    "D1,1,Nguyễn Thị Hồng,F,1980-05-01,head,Tày,1,no_contract,0,,,0,primary,0,0\n";
	gnbv_round_ref r = {GNBV_ROUND_PERIODIC, 2022, 20220230, NULL};
	import_round(f, &f->all, &r, hh, mm, NULL, GNBV_EINVALID);
	assert_string_equal(gnbv_error_message(), "round: the reference date \"2022-02-30\" is not "
	                                          "a date: February 2022 has 28 days");
	r = (gnbv_round_ref){GNBV_ROUND_ADHOC, 0, 20230229, NULL};
	import_round(f, &f->all, &r, hh, mm, NULL, GNBV_EINVALID);
	r.as_of = 20221301;
	import_round(f, &f->all, &r, hh, mm, NULL, GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), "there is no month 13"));
	r.as_of = 202202301;
	import_round(f, &f->all, &r, hh, mm, NULL, GNBV_EINVALID);
	assert_string_equal(gnbv_error_message(),
	                    "round: the reference date 202202301 is not a date (yyyymmdd)");
	assert_int_equal(count(f, &f->all, 0, -1), 0);
	uint64_t n;
	OK(gnbv_store_audit_verify(f->s, &n));
	assert_int_equal(n, 1); /* only the units */
	gnbv_import_stats st;
	r.as_of = 20240229;
	import_round(f, &f->all, &r, hh, mm, &st, 0);
	assert_int_equal(st.ref_date, 20240229);
	assert_int_equal(st.added, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_and_migrations, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_units_builtin_idempotent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_units_reused_code_and_successor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_units_bad_input, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_import_export_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_new_round_keeps_old_and_corrections, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_put_and_get, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scope_isolation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_special_text_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vietnamese_order_and_search, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_import_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plan_impossible_dates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_round_impossible_dates, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
