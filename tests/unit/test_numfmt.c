/*
 * test_numfmt.c - Vietnamese and English number formats (src/util/numfmt.c)
 * and the bounded appender: 133.086 triệu đồng, 39,59%, 7.515,7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/numfmt.h"

#include <string.h>

static void test_int(void **state)
{
	(void)state;
	char b[40];
	gnbv_fmt_int(b, sizeof b, 133086, &GNBV_NUM_VI);
	assert_string_equal(b, "133.086");
	gnbv_fmt_int(b, sizeof b, 1500000, &GNBV_NUM_EN);
	assert_string_equal(b, "1,500,000");
	gnbv_fmt_int(b, sizeof b, -999, &GNBV_NUM_VI);
	assert_string_equal(b, "-999");
	gnbv_fmt_int(b, sizeof b, -1000, &GNBV_NUM_VI);
	assert_string_equal(b, "-1.000");
	gnbv_fmt_int(b, sizeof b, 0, &GNBV_NUM_PLAIN);
	assert_string_equal(b, "0");
	gnbv_fmt_int(b, sizeof b, INT64_MIN, &GNBV_NUM_PLAIN);
	assert_string_equal(b, "-9223372036854775808");
}

static void test_dec(void **state)
{
	(void)state;
	char b[48];
	gnbv_fmt_dec(b, sizeof b, 39.59, 2, &GNBV_NUM_VI);
	assert_string_equal(b, "39,59");
	gnbv_fmt_dec(b, sizeof b, 7515.7, 2, &GNBV_NUM_VI);
	assert_string_equal(b, "7.515,7");
	gnbv_fmt_dec(b, sizeof b, 140, 2, &GNBV_NUM_VI);
	assert_string_equal(b, "140");
	gnbv_fmt_dec(b, sizeof b, -0.5, 1, &GNBV_NUM_EN);
	assert_string_equal(b, "-0.5");
	gnbv_fmt_dec(b, sizeof b, 0.004, 2, &GNBV_NUM_EN);
	assert_string_equal(b, "0");
	gnbv_fmt_dec(b, sizeof b, 1234567.891, 2, &GNBV_NUM_EN);
	assert_string_equal(b, "1,234,567.89");
}

static void test_pct(void **state)
{
	(void)state;
	char b[48];
	gnbv_fmt_pct(b, sizeof b, 5546, 14008, &GNBV_NUM_VI);
	assert_string_equal(b, "39,59%");
	gnbv_fmt_pct(b, sizeof b, 2, 5, &GNBV_NUM_VI);
	assert_string_equal(b, "40,00%");
	gnbv_fmt_pct(b, sizeof b, 0, 0, &GNBV_NUM_EN);
	assert_string_equal(b, "0.00%");
	gnbv_fmt_pct(b, sizeof b, 1, 3, &GNBV_NUM_EN);
	assert_string_equal(b, "33.33%");
	gnbv_fmt_pct(b, sizeof b, 2, 3, &GNBV_NUM_EN); /* 66.666... rounds up */
	assert_string_equal(b, "66.67%");
	gnbv_fmt_pct(b, sizeof b, 1234567, 100, &GNBV_NUM_VI);
	assert_string_equal(b, "1.234.567,00%");
	gnbv_fmt_pct(b, 4, 5546, 14008, &GNBV_NUM_VI); /* truncated, terminated */
	assert_string_equal(b, "39,");
}

static void test_sb_truncates(void **state)
{
	(void)state;
	char b[6];
	gnbv_sb sb;
	gnbv_sb_init(&sb, b, sizeof b);
	gnbv_sb_put(&sb, "abc");
	gnbv_sb_int(&sb, 12345, &GNBV_NUM_PLAIN);
	assert_string_equal(b, "abc12");
	assert_true(sb.truncated);
	assert_int_equal(sb.len, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_dec),
		cmocka_unit_test(test_pct),
		cmocka_unit_test(test_sb_truncates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
