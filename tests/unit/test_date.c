/*
 * test_date.c - calendar dates (src/core/date.c) and the dates and years
 * of a plan (src/core/plan_dates.c): leap years (2024-02-29 and 2000-02-29
 * are days, 2023-02-29, 1900-02-29 and 2100-02-29 are not), months and
 * days out of range, the exact YYYY-MM-DD shape, the caller's year range,
 * the English explanations, and a plan's fields named by their
 * gnbv-plan/1 path. The store's refusal of such a plan is in
 * test_store_conformance.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/date.h"
#include "gnbv/error.h"
#include "gnbv/plan.h"

#include <string.h>

static void test_days_in_month(void **state)
{
	(void)state;
	int y2023 = 0, y2024 = 0;
	for (int m = 1; m <= 12; m++) {
		y2023 += gnbv_date_days_in_month(2023, m);
		y2024 += gnbv_date_days_in_month(2024, m);
	}
	assert_int_equal(y2023, 365);
	assert_int_equal(y2024, 366);
	assert_int_equal(gnbv_date_days_in_month(2000, 2), 29); /* divisible by 400 */
	assert_int_equal(gnbv_date_days_in_month(1900, 2), 28); /* a century */
	assert_int_equal(gnbv_date_days_in_month(2100, 2), 28);
	assert_int_equal(gnbv_date_days_in_month(2022, 4), 30);
	assert_int_equal(gnbv_date_days_in_month(2022, 0), 0);
	assert_int_equal(gnbv_date_days_in_month(2022, 13), 0);
}

static void test_valid(void **state)
{
	(void)state;
	static const struct {
		int32_t d;
		int valid;
	} cases[] = {{20240229, 1}, {20230229, 0},  {20000229, 1}, {19000229, 0},
	             {20221231, 1}, {20221301, 0},  {20220001, 0}, {20220100, 0},
	             {20220431, 0}, {20220430, 1},  {101, 0},      {10101, 1},
	             {99991231, 1}, {100000101, 0}, {0, 0},        {-20220101, 0}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (gnbv_date_valid(cases[i].d) != cases[i].valid)
			fail_msg("gnbv_date_valid(%d) != %d", cases[i].d, cases[i].valid);
}

static void test_parse(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int problem;
		int32_t value;
	} cases[] = {
	    {"2024-02-29", GNBV_DATE_OK, 20240229},
	    {"2023-02-29", GNBV_DATE_DAY, 0},
	    {"2000-02-29", GNBV_DATE_OK, 20000229},
	    {"2100-02-29", GNBV_DATE_DAY, 0},
	    {"2022-02-30", GNBV_DATE_DAY, 0},
	    {"2022-04-31", GNBV_DATE_DAY, 0},
	    {"2022-01-00", GNBV_DATE_DAY, 0},
	    {"2022-12-31", GNBV_DATE_OK, 20221231},
	    {"2022-13-01", GNBV_DATE_MONTH, 0},
	    {"2022-00-10", GNBV_DATE_MONTH, 0},
	    {"2022-1-01", GNBV_DATE_FORMAT, 0},
	    {"2022/01/01", GNBV_DATE_FORMAT, 0},
	    {"20220101", GNBV_DATE_FORMAT, 0},
	    {"2022-01-01 ", GNBV_DATE_FORMAT, 0},
	    {" 2022-01-01", GNBV_DATE_FORMAT, 0},
	    {"+022-01-01", GNBV_DATE_FORMAT, 0},
	    {"", GNBV_DATE_FORMAT, 0},
	    {"1989-12-31", GNBV_DATE_RANGE, 0},
	    {"2201-01-01", GNBV_DATE_RANGE, 0},
	    {"1990-01-01", GNBV_DATE_OK, 19900101},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int32_t v = -7;
		int rc = gnbv_date_parse(cases[i].s, strlen(cases[i].s), 1990, 2200, &v);
		if (rc != cases[i].problem)
			fail_msg("%s: problem %d, expected %d", cases[i].s, rc, cases[i].problem);
		/* *out is set on success only. */
		assert_int_equal(v, rc == GNBV_DATE_OK ? cases[i].value : -7);
	}
	int32_t v = 0;
	assert_int_equal(gnbv_date_parse(NULL, 0, 1, 9999, &v), GNBV_DATE_FORMAT);
	/* n, not the NUL, ends the text. */
	assert_int_equal(gnbv_date_parse("2024-02-29T00:00", 10, 1, 9999, &v), GNBV_DATE_OK);
	assert_int_equal(v, 20240229);
	assert_int_equal(gnbv_date_parse("0000-01-01", 10, 0, 9999, &v), GNBV_DATE_DAY);
}

static void test_explain(void **state)
{
	(void)state;
	char b[128];
	static const struct {
		const char *s, *why;
	} cases[] = {
	    {"2023-02-29", "\"2023-02-29\" is not a date: February 2023 has 28 days"},
	    {"2022-04-31", "\"2022-04-31\" is not a date: April 2022 has 30 days"},
	    {"2022-13-01", "\"2022-13-01\" is not a date: there is no month 13"},
	    {"0000-01-01", "\"0000-01-01\" is not a date: there is no year 0"},
	    {"22/08/2022", "\"22/08/2022\" is not a date (expected YYYY-MM-DD)"},
	    {"1989-12-31", "\"1989-12-31\" is outside the years 1990 to 2200"},
	    {"2024-02-29", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		gnbv_date_explain(cases[i].s, strlen(cases[i].s), 1990, 2200, b, sizeof b);
		assert_string_equal(b, cases[i].why);
	}
	/* A long text is cut before a whole character, never inside one
	 * ("ộ" is three bytes, starting at byte 23). */
	const char *long_text = "ngày 25 tháng 8 năm ộộộ 2022";
	gnbv_date_explain(long_text, strlen(long_text), 1990, 2200, b, sizeof b);
	assert_string_equal(b, "\"ngày 25 tháng 8 năm ...\" is not a date (expected YYYY-MM-DD)");
	/* Bounded: a short buffer is cut and still a string. */
	assert_int_equal(gnbv_date_explain("2023-02-29", 10, 1, 9999, b, 8), GNBV_DATE_DAY);
	assert_string_equal(b, "\"2023-0");
}

static void test_plan_date_check(void **state)
{
	(void)state;
	char why[96];
	int32_t d = 0;
	assert_int_equal(gnbv_plan_date_check("2024-02-29", &d, why, sizeof why), 0);
	assert_int_equal(d, 20240229);
	assert_string_equal(why, "");
	assert_int_equal(gnbv_plan_date_check("2023-02-29", &d, why, sizeof why), GNBV_EINVALID);
	assert_string_equal(why, "\"2023-02-29\" is not a date: February 2023 has 28 days");
	assert_int_equal(d, 20240229);
	/* Outside the plan years; no out, no message wanted. */
	assert_int_equal(gnbv_plan_date_check("1900-01-01", NULL, NULL, 0), GNBV_EINVALID);
	assert_int_equal(gnbv_plan_date_check(NULL, NULL, NULL, 0), GNBV_EINVALID);
	assert_int_equal(gnbv_plan_date_check("2200-12-31", NULL, NULL, 0), 0);
}

static void test_plan_check_dates(void **state)
{
	(void)state;
	gnbv_plan_line lines[3] = {{.id = "A-1", .section = 0, .year = 2022},
	                           {.id = "B-1", .section = 1, .year = 2023},
	                           {.id = "B-2", .section = 1, .year = 2023}};
	gnbv_plan_target targets[2] = {{.id = "A-T", .section = 0, .year = 2023},
	                               {.id = "B-T", .section = 1, .year = 0}};
	gnbv_plan_total totals[1] = {{.id = "A-TOT", .section = 0, .filter = {.year = 0}}};
	gnbv_plan p = {.unit_code = "045",
	               .report_year = 2022,
	               .plan_year = 2023,
	               .date = "2022-08-25",
	               .lines = lines,
	               .n_lines = 3,
	               .targets = targets,
	               .n_targets = 2,
	               .totals = totals,
	               .n_totals = 1};
	char why[160];
	assert_int_equal(gnbv_plan_check_dates(&p, why, sizeof why), 0);
	p.date = NULL; /* not yet dated */
	assert_int_equal(gnbv_plan_check_dates(&p, why, sizeof why), 0);
	p.date = "2023-02-29";
	assert_int_equal(gnbv_plan_check_dates(&p, why, sizeof why), GNBV_EINVALID);
	assert_string_equal(
	    why, "document.date: \"2023-02-29\" is not a date: February 2023 has 28 days");
	p.date = "2024-02-29";
	/* The index is the line's within its section, as in the file. */
	lines[2].year = 20233;
	assert_int_equal(gnbv_plan_check_dates(&p, why, sizeof why), GNBV_EINVALID);
	assert_string_equal(why, "sections.B.lines[1].year (B-2): 20233 is not a plan year (1990 "
	                         "to 2200)");
	/* A section that is neither A nor B: the index among all lines. */
	lines[2].section = 7;
	assert_int_equal(gnbv_plan_check_dates(&p, why, sizeof why), GNBV_EINVALID);
	assert_string_equal(why, "lines[2].year (B-2): 20233 is not a plan year (1990 to 2200)");
	lines[2].section = 1;
	lines[2].year = 2023;
	totals[0].filter.year = 1989;
	assert_int_equal(gnbv_plan_check_dates(&p, why, sizeof why), GNBV_EINVALID);
	assert_string_equal(why, "sections.A.stated_totals[0].filter.year (A-TOT): 1989 is not a "
	                         "plan year (1990 to 2200)");
	totals[0].filter.year = 0;
	targets[1].year = 2201;
	assert_int_equal(gnbv_plan_check_dates(&p, why, sizeof why), GNBV_EINVALID);
	assert_string_equal(why, "sections.B.targets[0].year (B-T): 2201 is not a plan year (1990 "
	                         "to 2200)");
	/* No buffer: still refused. A short one: cut, NUL-terminated. */
	assert_int_equal(gnbv_plan_check_dates(&p, NULL, 0), GNBV_EINVALID);
	assert_int_equal(gnbv_plan_check_dates(&p, why, 9), GNBV_EINVALID);
	assert_string_equal(why, "sections");
	targets[1].year = 0;
	p.report_year = 2200;
	p.plan_year = 2201;
	assert_int_equal(gnbv_plan_check_dates(&p, why, sizeof why), GNBV_EINVALID);
	assert_string_equal(why, "report_year: 2200 is not a plan year (1990 to 2199)");
	p.report_year = 2022;
	p.plan_year = 2024;
	assert_int_equal(gnbv_plan_check_dates(&p, why, sizeof why), GNBV_EINVALID);
	assert_string_equal(why, "plan_year: 2024 is not the year after report_year 2022");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_days_in_month),   cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_parse),           cmocka_unit_test(test_explain),
	    cmocka_unit_test(test_plan_date_check), cmocka_unit_test(test_plan_check_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
