/*
 * test_assess.c - unit tests of src/core/assess.c: the tri-state rules, the
 * class decision under unknowns, recorded ticks, and low-income workers.
 * The golden cases (tests/golden/) cover each threshold end to end through
 * the CLI; these pin the engine's own contract.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/assess.h"

#include <string.h>

static gnbv_standard S22, S27;
#define REF 20251001

static int load(void **state)
{
	(void)state;
	if (gnbv_standard_load(&S22, "vn-2022-2026") || gnbv_standard_load(&S27, "vn-2027-2030"))
		return -1;
	return 0;
}

/* A household with every input known and no deficit. */
static void base_household(gnbv_household *h)
{
	memset(h, 0, sizeof *h);
	h->area = GNBV_AREA_RURAL;
	h->has_income = true;
	h->income_month = 1000000;
	h->has_living_area = true;
	h->living_area_m2 = 100;
	h->floor_durable = h->walls_durable = h->roof_durable = GNBV_YES;
	h->water_safe = h->toilet_hygienic = h->waste_treated = GNBV_YES;
	h->devices = GNBV_DEV_TV;
	for (int r = 0; r < GNBV_RULE_COUNT; r++) h->recorded[r] = GNBV_UNKNOWN;
}

static void adult(gnbv_member *m, int no, int32_t birth, char sex)
{
	memset(m, 0, sizeof *m);
	m->member_no = no;
	m->birth = birth;
	m->sex = sex;
	m->work = GNBV_WORK_SELF;
	m->level = GNBV_LEVEL_UPPER_SECONDARY;
	m->relation = GNBV_REL_HEAD;
	m->able_to_work = m->health_insurance = GNBV_YES;
	m->stunted = m->underweight = m->in_school = GNBV_NO;
	m->uses_internet = GNBV_YES;
	m->social_allowance = GNBV_NO;
}

static int ind(const gnbv_standard *s, const gnbv_assessment *a, const char *code)
{
	int i = gnbv_standard_indicator(s, code);
	assert_true(i >= 0);
	return a->ind[i];
}

static void test_age(void **state)
{
	(void)state;
	assert_int_equal(gnbv_age(20101001, 20251001), 15); /* birthday on the day counts */
	assert_int_equal(gnbv_age(20101002, 20251001), 14);
	assert_int_equal(gnbv_age(20100701, 20251001), 15);
	assert_int_equal(gnbv_age(0, 20251001), -1);
	assert_int_equal(gnbv_age(20260101, 20251001), -1);
	assert_int_equal(gnbv_age(20000229, 20250228), 24); /* not yet on 28 Feb */
	assert_int_equal(gnbv_age(20000229, 20250301), 25);
}

static void test_no_deficit_is_near_poor_below_line(void **state)
{
	(void)state;
	gnbv_household h;
	gnbv_member m[2];
	gnbv_assessment a;
	base_household(&h);
	adult(&m[0], 1, 19800101, 'M');
	adult(&m[1], 2, 19820101, 'F');
	gnbv_assess(&S22, REF, &h, m, 2, &a, NULL);
	assert_int_equal(a.deficits, 0);
	assert_int_equal(a.unknowns, 0);
	assert_int_equal(a.klass, GNBV_CLASS_NEAR_POOR);
}

static void test_income_line_inclusive(void **state)
{
	(void)state;
	gnbv_household h;
	gnbv_member m[1];
	gnbv_assessment a;
	base_household(&h);
	adult(&m[0], 1, 19800101, 'M');
	h.income_month = 1500000;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(a.klass, GNBV_CLASS_NEAR_POOR);
	h.income_month = 1500001;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(a.klass, GNBV_CLASS_AVERAGE);
	h.income_month = 2250001;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(a.klass, GNBV_CLASS_NOT_POOR);
	h.area = GNBV_AREA_URBAN;
	h.income_month = 2000000;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(a.klass, GNBV_CLASS_NEAR_POOR);
	/* 2027: band unknown, so never average. */
	h.area = GNBV_AREA_RURAL;
	h.income_month = 2200001;
	gnbv_assess(&S27, 20271001, &h, m, 1, &a, NULL);
	assert_int_equal(a.klass, GNBV_CLASS_NOT_POOR);
}

static void test_three_deficits_poor_and_unknowns(void **state)
{
	(void)state;
	gnbv_household h;
	gnbv_member m[1];
	gnbv_assessment a;
	base_household(&h);
	adult(&m[0], 1, 19800101, 'M');
	h.water_safe = GNBV_NO;
	h.toilet_hygienic = GNBV_NO;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(a.deficits, 2);
	assert_int_equal(a.klass, GNBV_CLASS_NEAR_POOR);
	/* A third indicator unknown: could be poor or near-poor. */
	h.has_living_area = false;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(ind(&S22, &a, "housing_area"), GNBV_UNKNOWN);
	assert_int_equal(a.klass, GNBV_CLASS_INCOMPLETE);
	/* Above the line the unknown does not matter. */
	h.income_month = 5000000;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(a.klass, GNBV_CLASS_NOT_POOR);
	/* Three certain deficits decide poor despite the unknown. */
	h.income_month = 1000000;
	h.devices = GNBV_DEV_PHONE; /* a basic phone does not count */
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(ind(&S22, &a, "info_devices"), GNBV_YES);
	assert_int_equal(a.klass, GNBV_CLASS_POOR);
}

static void test_income_score_decides(void **state)
{
	(void)state;
	gnbv_household h;
	gnbv_member m[1];
	gnbv_assessment a;
	base_household(&h);
	adult(&m[0], 1, 19800101, 'M');
	h.has_income = false;
	h.has_score = true;
	h.income_score = 140;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(a.basis, GNBV_BASIS_SCORE);
	assert_int_equal(a.klass, GNBV_CLASS_NEAR_POOR);
	h.income_score = 140.5;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(a.klass, GNBV_CLASS_NOT_POOR);
	/* Score above the line and an amount in the band: average. */
	h.has_income = true;
	h.income_month = 2000000;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(a.klass, GNBV_CLASS_AVERAGE);
	/* Score below the line wins over an amount above it. */
	h.income_score = 100;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(a.klass, GNBV_CLASS_NEAR_POOR);
	/* 2027 has no score line: score-only is incomplete. */
	h.has_income = false;
	gnbv_assess(&S27, 20271001, &h, m, 1, &a, NULL);
	assert_int_equal(a.klass, GNBV_CLASS_INCOMPLETE);
}

static void test_some_member_unknowns(void **state)
{
	(void)state;
	gnbv_household h;
	gnbv_member m[2];
	gnbv_assessment a;
	base_household(&h);
	adult(&m[0], 1, 19800101, 'M');
	adult(&m[1], 2, 0, 'F'); /* age unknown */
	m[0].stunted = m[0].underweight = GNBV_UNKNOWN; /* 45: certainly no child */
	m[1].health_insurance = GNBV_YES;
	gnbv_assess(&S22, REF, &h, m, 2, &a, NULL);
	assert_int_equal(ind(&S22, &a, "nutrition"), GNBV_NO);
	assert_int_equal(ind(&S22, &a, "health_insurance"), GNBV_NO);
	m[1].health_insurance = GNBV_NO; /* uninsured, age unknown: maybe under 6 */
	gnbv_assess(&S22, REF, &h, m, 2, &a, NULL);
	assert_int_equal(ind(&S22, &a, "health_insurance"), GNBV_UNKNOWN);
	m[0].health_insurance = GNBV_NO; /* a certain case settles it */
	gnbv_assess(&S22, REF, &h, m, 2, &a, NULL);
	assert_int_equal(ind(&S22, &a, "health_insurance"), GNBV_YES);
}

static void test_dependants_ratio(void **state)
{
	(void)state;
	gnbv_household h;
	gnbv_member m[4];
	gnbv_assessment a;
	base_household(&h);
	adult(&m[0], 1, 19800101, 'M');
	adult(&m[1], 2, 19820101, 'F');
	adult(&m[2], 3, 20150101, 'M'); /* 10: dependant */
	adult(&m[3], 4, 19600101, 'F'); /* 65: dependant */
	gnbv_assess(&S22, REF, &h, m, 4, &a, NULL);
	assert_int_equal(ind(&S22, &a, "dependants"), GNBV_NO); /* exactly 0.5 */
	m[1].able_to_work = GNBV_NO;
	gnbv_assess(&S22, REF, &h, m, 4, &a, NULL);
	assert_int_equal(ind(&S22, &a, "dependants"), GNBV_YES);
	m[1].able_to_work = GNBV_UNKNOWN;
	gnbv_assess(&S22, REF, &h, m, 4, &a, NULL);
	assert_int_equal(ind(&S22, &a, "dependants"), GNBV_UNKNOWN);
}

static void test_housing_quality_two_of_three(void **state)
{
	(void)state;
	gnbv_household h;
	gnbv_member m[1];
	gnbv_assessment a;
	base_household(&h);
	adult(&m[0], 1, 19800101, 'M');
	h.roof_durable = GNBV_NO;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(ind(&S22, &a, "housing_quality"), GNBV_NO);
	h.walls_durable = GNBV_UNKNOWN;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(ind(&S22, &a, "housing_quality"), GNBV_UNKNOWN);
	h.walls_durable = GNBV_NO;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(ind(&S22, &a, "housing_quality"), GNBV_YES);
	h.roof_durable = GNBV_YES;
	h.floor_durable = GNBV_UNKNOWN;
	h.walls_durable = GNBV_YES;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(ind(&S22, &a, "housing_quality"), GNBV_NO); /* at most one */
}

static void test_recorded_tick_wins(void **state)
{
	(void)state;
	gnbv_household h;
	gnbv_member m[1];
	gnbv_assessment a;
	base_household(&h);
	adult(&m[0], 1, 19800101, 'M');
	h.water_safe = GNBV_NO;
	h.recorded[GNBV_RULE_WATER] = GNBV_NO;
	h.recorded[GNBV_RULE_TELECOM] = GNBV_YES;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(ind(&S22, &a, "water"), GNBV_NO);
	assert_int_equal(ind(&S22, &a, "telecom"), GNBV_YES);
	assert_true(a.ind_recorded[gnbv_standard_indicator(&S22, "telecom")]);
}

static void test_workers(void **state)
{
	(void)state;
	gnbv_household h;
	gnbv_member m[3];
	unsigned char w[3];
	gnbv_assessment a;
	base_household(&h);
	adult(&m[0], 1, 19650101, 'M'); /* 60: working age for a man */
	adult(&m[1], 2, 19700101, 'F'); /* 55 (birthday passed): working age for a woman */
	adult(&m[2], 3, 19690101, 'F'); /* 56: not */
	h.income_month = 2250000;
	gnbv_assess(&S22, REF, &h, m, 3, &a, w);
	assert_int_equal(a.klass, GNBV_CLASS_AVERAGE);
	assert_int_equal(w[0], 1);
	assert_int_equal(w[1], 1);
	assert_int_equal(w[2], 0);
	assert_int_equal(a.n_workers, 2);
	h.income_month = 2250001;
	gnbv_assess(&S22, REF, &h, m, 3, &a, w);
	assert_int_equal(a.n_workers, 0);
	h.income_month = 1400000; /* near-poor: not a low-income worker */
	gnbv_assess(&S22, REF, &h, m, 3, &a, w);
	assert_int_equal(a.n_workers, 0);
	h.income_month = 2000000; /* no worker line for 2027-2030 */
	gnbv_assess(&S27, 20271001, &h, m, 3, &a, w);
	assert_int_equal(a.n_workers, 0);
}

static void test_reason_cites_rule(void **state)
{
	(void)state;
	gnbv_household h;
	gnbv_member m[1];
	gnbv_assessment a;
	char buf[1024];
	base_household(&h);
	adult(&m[0], 1, 19800101, 'M');
	h.income_month = 1200000;
	h.water_safe = h.toilet_hygienic = GNBV_NO;
	h.devices = 0;
	m[0].uses_internet = GNBV_NO;
	gnbv_assess(&S22, REF, &h, m, 1, &a, NULL);
	assert_int_equal(a.klass, GNBV_CLASS_POOR);
	gnbv_assess_reason(&S22, &h, &a, false, buf, sizeof buf);
	assert_non_null(strstr(buf, "Thu nhập 1.200.000 đ/người/tháng ≤ 1.500.000 đ (nông thôn) và thiếu hụt 4 chỉ số (≥ 3): hộ nghèo"));
	assert_non_null(strstr(buf, "Nghị định 07/2021/NĐ-CP"));
	gnbv_assess_reason(&S22, &h, &a, true, buf, sizeof buf);
	assert_non_null(strstr(buf, "Income 1,200,000 VND/person/month ≤ 1,500,000 VND (rural) and deficient in 4 indicators (≥ 3): poor household"));
	/* A tiny buffer truncates, never overflows. */
	char small[8];
	size_t n = gnbv_assess_reason(&S22, &h, &a, false, small, sizeof small);
	assert_true(n < sizeof small);
	assert_int_equal(small[n], '\0');
}

/* The prepared path (age tables, two-bit tri-states) against gnbv_assess, the
 * rules written out one by one: random households of random members, every
 * field drawn from its whole range with unknowns, ages from unborn to past
 * the table's end, under both standards and several dates. */
static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

static gnbv_tri rnd_tri(unsigned *seed) { return (gnbv_tri)((int)rnd(seed, 3) - 1); }

static void test_prepared_matches(void **state)
{
	(void)state;
	static const int32_t dates[] = {20251001, 20211001, 20280229};
	const gnbv_standard *stds[] = {&S22, &S27};
	static gnbv_assess_ctx ctx;
	unsigned seed = 7;
	for (size_t si = 0; si < 2; si++)
		for (size_t di = 0; di < sizeof dates / sizeof dates[0]; di++) {
			gnbv_assess_prepare(&ctx, stds[si], dates[di]);
			for (int iter = 0; iter < 20000; iter++) {
				gnbv_household h;
				base_household(&h);
				h.area = rnd(&seed, 2) ? GNBV_AREA_URBAN : GNBV_AREA_RURAL;
				h.has_income = rnd(&seed, 8) != 0;
				h.income_month = (int64_t)rnd(&seed, 6000) * 1000;
				h.has_living_area = rnd(&seed, 8) != 0;
				h.living_area_m2 = rnd(&seed, 120);
				h.floor_durable = rnd_tri(&seed);
				h.walls_durable = rnd_tri(&seed);
				h.water_safe = rnd_tri(&seed);
				h.devices = rnd(&seed, 32);
				if (!rnd(&seed, 10)) h.recorded[rnd(&seed, GNBV_RULE_COUNT)] = rnd_tri(&seed);
				gnbv_member m[12];
				size_t n = 1 + rnd(&seed, 12);
				for (size_t i = 0; i < n; i++) {
					gnbv_member *x = &m[i];
					memset(x, 0, sizeof *x);
					x->member_no = (int)i + 1;
					unsigned y = rnd(&seed, 10) ? 1800 + rnd(&seed, 240) : 0; /* 0: unknown */
					x->birth = y ? (int32_t)(y * 10000 + (1 + rnd(&seed, 12)) * 100 + 1 + rnd(&seed, 28)) : 0;
					static const signed char sexes[] = {GNBV_SEX_MALE, GNBV_SEX_FEMALE, 0};
					x->sex = sexes[rnd(&seed, 3)];
					x->work = (signed char)((int)rnd(&seed, 7) - 1);
					x->level = (signed char)((int)rnd(&seed, GNBV_LEVEL_COUNT + 1) - 1);
					x->able_to_work = rnd_tri(&seed);
					x->health_insurance = rnd_tri(&seed);
					x->stunted = rnd_tri(&seed);
					x->underweight = rnd_tri(&seed);
					x->in_school = rnd_tri(&seed);
					x->uses_internet = rnd_tri(&seed);
				}
				gnbv_assessment a, b;
				unsigned char wa[12], wb[12];
				gnbv_assess(stds[si], dates[di], &h, m, n, &a, wa);
				gnbv_assess_prepared(&ctx, &h, m, n, &b, wb);
				if (memcmp(&a, &b, sizeof a) || memcmp(wa, wb, n))
					fail_msg("standard %zu date %d household %d: the prepared path differs", si,
						 dates[di], iter);
			}
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_no_deficit_is_near_poor_below_line),
		cmocka_unit_test(test_income_line_inclusive),
		cmocka_unit_test(test_three_deficits_poor_and_unknowns),
		cmocka_unit_test(test_income_score_decides),
		cmocka_unit_test(test_some_member_unknowns),
		cmocka_unit_test(test_dependants_ratio),
		cmocka_unit_test(test_housing_quality_two_of_three),
		cmocka_unit_test(test_recorded_tick_wins),
		cmocka_unit_test(test_workers),
		cmocka_unit_test(test_reason_cites_rule),
		cmocka_unit_test(test_prepared_matches),
	};
	return cmocka_run_group_tests(tests, load, NULL);
}
