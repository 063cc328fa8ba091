/*
 * test_gen.c - the synthetic generator (src/gen): its random numbers, units,
 * households' coherence, that the rows it writes read back as exactly the
 * households it drew, and that a run is reproducible. Calibration against
 * the profiles' targets is tests/cli/gen_calibration.py's job; here a
 * small sample only has to show every class and every indicator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gen/gen_internal.h"
#include "gnbv/error.h"
#include "gnbv/standard.h"
#include "io/csv.h"
#include "io/exchange.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_rng(void **state)
{
	(void)state;
	gen_rng a, b;
	gen_rng_seed(&a, 42);
	gen_rng_seed(&b, 42);
	for (int i = 0; i < 1000; i++) assert_true(gen_next(&a) == gen_next(&b));
	gen_rng_seed(&b, 43);
	assert_true(gen_next(&a) != gen_next(&b));
	double sum = 0, sq = 0;
	int lo = 0, hi = 0;
	for (int i = 0; i < 200000; i++) {
		double u = gen_unif(&a);
		assert_true(u >= 0 && u < 1);
		int k = gen_range(&a, 3, 7);
		assert_true(k >= 3 && k <= 7);
		lo += k == 3;
		hi += k == 7;
		double z = gen_normal(&a);
		sum += z;
		sq += z * z;
	}
	assert_true(fabs(sum / 200000) < 0.01);
	assert_true(fabs(sq / 200000 - 1) < 0.02);
	assert_true(lo > 35000 && hi > 35000); /* both ends reachable, ~40000 each */
	/* Unit properties hash the code: the same in every run. */
	assert_true(gen_hash_normal("01363-01", 8, 7) == gen_hash_normal("01363-01", 8, 7));
	assert_true(gen_hash_normal("01363-01", 8, 7) != gen_hash_normal("01363-02", 8, 7));
}

static bool valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80	    ? 1
			   : (c >> 5) == 6  ? 2
			   : (c >> 4) == 14 ? 3
			   : (c >> 3) == 30 ? 4
					    : 0;
		if (!k || i + k > n) return false;
		for (size_t j = 1; j < k; j++)
			if (((unsigned char)s[i + j] >> 6) != 2) return false;
		i += k;
	}
	return true;
}

static void test_names(void **state)
{
	(void)state;
	gen_rng r;
	gen_rng_seed(&r, 1);
	char buf[GEN_NAME_CAP];
	for (int e = 0; e < ETH_COUNT; e++) {
		assert_true(strlen(gen_eth_name(e)) > 0);
		for (int i = 0; i < 200; i++) {
			int fam = gen_family_draw(&r, e);
			size_t n = gen_name(&r, e, fam, i & 1, 1950 + i % 70, buf);
			assert_true(n > 2 && n < GEN_NAME_CAP);
			assert_true(valid_utf8(buf, n));
			assert_null(memchr(buf, ',', n));
			assert_null(memchr(buf, '"', n));
			assert_true(buf[0] != ' ' && buf[n - 1] != ' ');
		}
	}
	assert_string_equal(gen_eth_name(ETH_HMONG), "H'Mông");
	assert_true(gen_eth_matrilineal(ETH_EDE) && !gen_eth_matrilineal(ETH_KINH));
}

static void test_profiles(void **state)
{
	(void)state;
	assert_int_equal(gnbv_gen_profile_count(), 2);
	assert_string_equal(gnbv_gen_profile_name(0), "poor-district");
	assert_string_equal(gnbv_gen_profile_name(1), "nation");
	assert_null(gen_profile_find("atlantis"));
	for (size_t i = 0; i < gen_profile_n(); i++) {
		const gen_profile *p = gen_profile_at(i);
		double sum = 0, mean = 0;
		for (int k = 0; k < GEN_MAX_SIZE; k++) {
			sum += p->size_pct[k];
			mean += (k + 1) * p->size_pct[k] / 100.0;
		}
		assert_true(fabs(sum - 100) < 1e-9);
		assert_true(fabs(mean - p->size) < 0.05);
		for (int r = 0; r < p->n_regions; r++) {
			double e = 0;
			for (int k = 0; k < ETH_COUNT; k++) e += p->regions[r].eth[k];
			assert_true(fabs(e - 100) < 0.01);
		}
	}
	/* The nation's regions weigh to its national targets. */
	const gen_profile *n = gen_profile_find("nation");
	double poor = 0, near = 0, share = 0;
	for (int r = 0; r < n->n_regions; r++) {
		poor += n->regions[r].share * n->regions[r].poor / 100;
		near += n->regions[r].share * n->regions[r].near_poor / 100;
		share += n->regions[r].share;
	}
	assert_true(fabs(share - 100) < 1e-9);
	assert_true(fabs(poor - n->poor) < 0.02);
	assert_true(fabs(near - n->near_poor) < 0.05);
	assert_int_equal(gen_province_n(), 63);
	assert_int_equal(gen_province_region("04", 2), 1);
	assert_int_equal(gen_province_region("99", 2), -1);
}

static void test_units(void **state)
{
	(void)state;
	gen_units t;
	const gen_profile *p = gen_profile_find("poor-district");
	assert_int_equal(gen_units_build(&t, p, NULL), 0);
	assert_int_equal(t.n, 120);        /* the villages of data/units/ha-quang.csv */
	assert_int_equal(t.ncommunes, 21); /* Hà Quảng's communes and towns */
	int urban = 0;
	double w = 0;
	for (size_t i = 0; i < t.n; i++) {
		urban += t.u[i].area == 1;
		assert_true(t.u[i].area_known);
		w += t.u[i].weight;
		if (i) assert_true(strcmp(t.u[i - 1].code, t.u[i].code) < 0);
		assert_true(fabs(t.u[i].eth_cum[ETH_COUNT - 1] - 1) < 1e-12);
	}
	assert_true(urban >= 2 && urban < 30); /* the villages of Xuân Hòa and Thông Nông */
	assert_true(fabs(w - 1) < 1e-9);
	gen_units_allocate(&t, 14008);
	uint64_t total = 0;
	for (size_t i = 0; i < t.n; i++) total += t.u[i].households;
	assert_true(total == 14008);
	gen_units_allocate(&t, 7);
	total = 0;
	for (size_t i = 0; i < t.n; i++) total += t.u[i].households;
	assert_true(total == 7);
	assert_null(t.units_csv);
	gen_units_free(&t);

	p = gen_profile_find("nation");
	assert_int_equal(gen_units_build(&t, p, NULL), 0);
	assert_true(t.n > 3000);
	assert_non_null(t.units_csv);
	assert_true(!strncmp(t.units_csv, "code,name,level,parent_code,area,", 33));
	int regions[8] = {0};
	for (size_t i = 0; i < t.n; i++) regions[t.u[i].region]++;
	for (int r = 0; r < 6; r++) assert_true(regions[r] > 0);
	assert_int_equal(regions[6], 0);
	gen_units_free(&t);
}

static void test_units_file_errors(void **state)
{
	(void)state;
	char path[] = "/tmp/gnbv-test-gen-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char bad[] = "code,name,level,parent_code,area\n"
			   "01,A,province,,\n"
			   "01001,\"B, C\",commune,01,mixed\n";
	assert_int_equal(write(fd, bad, sizeof bad - 1), (ssize_t)(sizeof bad - 1));
	close(fd);
	gen_units t;
	assert_int_equal(gen_units_build(&t, gen_profile_find("nation"), path), GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), ":3:"));
	assert_non_null(strstr(gnbv_error_message(), "area"));
	FILE *f = fopen(path, "w");
	fputs("code,name,level,parent_code\n01,A,province,\n", f);
	fclose(f);
	assert_int_equal(gen_units_build(&t, gen_profile_find("nation"), path), GNBV_ENOTFOUND);
	unlink(path);
}

/* Draws households and checks that each is a coherent family. */
static void test_households(void **state)
{
	(void)state;
	gnbv_standard s;
	assert_int_equal(gnbv_standard_load(&s, "vn-2022-2026"), 0);
	const gen_profile *p = gen_profile_find("poor-district");
	gen_units t;
	assert_int_equal(gen_units_build(&t, p, NULL), 0);
	gen_rng r;
	gen_rng_seed(&r, 5);
	gen_hh *h = malloc(sizeof *h);
	uint64_t classes[GNBV_CLASS_COUNT] = {0}, ind[GNBV_MAX_INDICATORS] = {0};
	size_t members = 0;
	for (int i = 0; i < 4000; i++) {
		const gen_unit *u = &t.u[i % t.n];
		gen_household(&r, p, &p->regions[0], u, &s, h);
		assert_true(h->n >= 1 && h->n <= GEN_MAX_MEMBERS);
		members += h->n;
		int heads = 0, head_age = -1;
		for (size_t k = 0; k < h->n; k++) {
			const gnbv_member *m = &h->m[k];
			assert_int_equal(m->member_no, (int)k + 1);
			if (m->relation == GNBV_REL_HEAD) {
				heads++;
				head_age = gnbv_age(m->birth, p->ref_date);
				assert_int_equal(k, 0);
			}
		}
		assert_true(heads <= 1);
		for (size_t k = 1; k < h->n && head_age >= 0; k++) {
			int a = gnbv_age(h->m[k].birth, p->ref_date);
			if (a < 0) continue;
			if (h->m[k].relation == GNBV_REL_CHILD) assert_true(head_age - a >= 15);
			if (h->m[k].relation == GNBV_REL_PARENT) assert_true(a - head_age >= 15);
			if (h->m[k].relation == GNBV_REL_GRANDCHILD)
				assert_true(head_age - a >= 30);
		}
		gnbv_assessment a;
		gnbv_assess(&s, p->ref_date, &h->h, h->m, h->n, &a, NULL);
		classes[a.klass]++;
		for (int k = 0; k < s.n_indicators; k++) ind[k] += a.ind[k] == GNBV_YES;
	}
	for (int c = 0; c < GNBV_CLASS_COUNT; c++) assert_true(classes[c] > 0);
	for (int k = 0; k < s.n_indicators; k++) assert_true(ind[k] > 0);
	double size = (double)members / 4000;
	assert_true(size > 3.9 && size < 4.5);
	free(h);
	gen_units_free(&t);
}

typedef struct collect {
	char *hbuf, *mbuf;
	size_t hlen, mlen;
	gen_hh *saved;
	size_t n, cap;
} collect;

static int keep(void *ctx, const gen_unit *u, const char *id, size_t id_len, const gen_hh *h)
{
	collect *c = ctx;
	if (c->n == c->cap) return 1;
	c->hlen += gen_fmt_household(c->hbuf + c->hlen, id, id_len, u, h);
	c->mlen += gen_fmt_members(c->mbuf + c->mlen, id, id_len, h);
	c->saved[c->n++] = *h;
	return 0;
}

static bool tri_same_member(const gnbv_member *a, const gnbv_member *b)
{
	return a->member_no == b->member_no && a->birth == b->birth && a->sex == b->sex &&
	       a->work == b->work && a->level == b->level && a->relation == b->relation &&
	       a->able_to_work == b->able_to_work && a->health_insurance == b->health_insurance &&
	       a->stunted == b->stunted && a->underweight == b->underweight &&
	       a->in_school == b->in_school && a->uses_internet == b->uses_internet &&
	       a->social_allowance == b->social_allowance;
}

/* The rows read back through the exchange-format parser as the very
 * households the generator drew: the in-memory model is the file. */
static void test_rows_read_back(void **state)
{
	(void)state;
	enum { N = 1500 };
	gnbv_standard s;
	assert_int_equal(gnbv_standard_load(&s, "vn-2022-2026"), 0);
	const gen_profile *p = gen_profile_find("nation");
	gen_units t;
	assert_int_equal(gen_units_build(&t, p, NULL), 0);
	gen_units_allocate(&t, N);
	collect c = {0};
	c.cap = N;
	c.hbuf = malloc(strlen(GEN_HOUSEHOLDS_HEADER) + (size_t)N * GEN_HH_ROW_CAP);
	c.mbuf = malloc(strlen(GEN_MEMBERS_HEADER) + (size_t)N * GEN_MEMBERS_CAP);
	c.saved = malloc(N * sizeof *c.saved);
	memcpy(c.hbuf, GEN_HOUSEHOLDS_HEADER, strlen(GEN_HOUSEHOLDS_HEADER));
	c.hlen = strlen(GEN_HOUSEHOLDS_HEADER);
	memcpy(c.mbuf, GEN_MEMBERS_HEADER, strlen(GEN_MEMBERS_HEADER));
	c.mlen = strlen(GEN_MEMBERS_HEADER);
	assert_int_equal(gen_generate(p, &t, 9, &s, keep, &c), 0);
	assert_int_equal(c.n, N);

	gnbv_csv *hc, *mc;
	gnbv_xmap hm, mm;
	assert_int_equal(gnbv_csv_open_mem(&hc, "households.csv", c.hbuf, c.hlen), 0);
	assert_int_equal(gnbv_csv_open_mem(&mc, "members.csv", c.mbuf, c.mlen), 0);
	assert_int_equal(gnbv_csv_next(hc), 1);
	assert_int_equal(gnbv_csv_take_header(hc), 0);
	assert_int_equal(gnbv_xmap_build(&hm, hc, 0, &s, NULL, NULL), 0);
	assert_int_equal(gnbv_csv_next(mc), 1);
	assert_int_equal(gnbv_csv_take_header(mc), 0);
	assert_int_equal(gnbv_xmap_build(&mm, mc, 1, &s, NULL, NULL), 0);
	for (size_t i = 0; i < N; i++) {
		const gen_hh *g = &c.saved[i];
		gnbv_household h;
		gnbv_csv_field id, unit;
		assert_int_equal(gnbv_csv_next(hc), 1);
		assert_int_equal(gnbv_x_household(&hm, hc, &s, &h, &id, &unit), 0);
		assert_true(h.area == (g->write_area ? g->h.area : GNBV_AREA_UNKNOWN));
		assert_true(h.has_income == g->h.has_income && h.has_score == g->h.has_score);
		if (h.has_income) assert_true(h.income_month == g->h.income_month);
		if (h.has_score) assert_true(h.income_score == g->h.income_score);
		assert_true(h.has_living_area == g->h.has_living_area);
		if (h.has_living_area) assert_true(h.living_area_m2 == g->h.living_area_m2);
		assert_true(h.floor_durable == g->h.floor_durable);
		assert_true(h.walls_durable == g->h.walls_durable);
		assert_true(h.roof_durable == g->h.roof_durable);
		assert_true(h.water_safe == g->h.water_safe);
		assert_true(h.toilet_hygienic == g->h.toilet_hygienic);
		assert_true(h.waste_treated == g->h.waste_treated);
		assert_true(h.devices == g->h.devices);
		for (size_t k = 0; k < g->n; k++) {
			gnbv_member m;
			gnbv_csv_field hid;
			assert_int_equal(gnbv_csv_next(mc), 1);
			assert_int_equal(gnbv_x_member(&mm, mc, &m, &hid), 0);
			assert_true(hid.len == id.len && !memcmp(hid.p, id.p, id.len));
			assert_true(tri_same_member(&m, &g->m[k]));
		}
	}
	assert_int_equal(gnbv_csv_next(hc), 0);
	assert_int_equal(gnbv_csv_next(mc), 0);
	gnbv_csv_free(hc);
	gnbv_csv_free(mc);
	free(c.hbuf);
	free(c.mbuf);
	free(c.saved);
	gen_units_free(&t);
}

static void test_ids(void **state)
{
	(void)state;
	char b[GEN_ID_CAP];
	size_t n = gen_fmt_id(b, "HQ", "01363", 42);
	assert_int_equal(n, 15);
	assert_memory_equal(b, "HQ-01363-000042", 15);
	n = gen_fmt_id(b, "VN", "00001", 1234567);
	assert_memory_equal(b, "VN-00001-1234567", n);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void test_run_reproducible(void **state)
{
	(void)state;
	char dir[] = "/tmp/gnbv-test-gen-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char out[3][600];
	for (int i = 0; i < 3; i++) snprintf(out[i], sizeof out[i], "%s/run%d", dir, i);
	gnbv_gen_opts o = GNBV_GEN_OPTS_INIT;
	gnbv_gen_stats st;
	o.households = 300;
	for (int i = 0; i < 3; i++) {
		o.out_dir = out[i];
		o.seed = i == 2 ? 2 : 1;
		assert_int_equal(gnbv_gen_run(&o, &st), 0);
		assert_true(st.households == 300 && st.members > 900);
	}
	const char *files[] = {"households.csv", "members.csv"};
	for (int f = 0; f < 2; f++) {
		char pa[700], pb[700], pc[700];
		size_t la, lb, lc;
		snprintf(pa, sizeof pa, "%s/%s", out[0], files[f]);
		snprintf(pb, sizeof pb, "%s/%s", out[1], files[f]);
		snprintf(pc, sizeof pc, "%s/%s", out[2], files[f]);
		char *a = slurp(pa, &la), *b = slurp(pb, &lb), *c = slurp(pc, &lc);
		assert_non_null(a);
		assert_non_null(b);
		assert_non_null(c);
		assert_true(la == lb && !memcmp(a, b, la));
		assert_true(la != lc || memcmp(a, c, la));
		free(a);
		free(b);
		free(c);
		unlink(pa);
		unlink(pb);
		unlink(pc);
	}
	for (int i = 0; i < 3; i++) rmdir(out[i]);
	rmdir(dir);

	o.profile = "atlantis";
	o.out_dir = "/tmp";
	assert_int_equal(gnbv_gen_run(&o, NULL), GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), "atlantis"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_units_file_errors),
		cmocka_unit_test(test_households),
		cmocka_unit_test(test_rows_read_back),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_run_reproducible),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
