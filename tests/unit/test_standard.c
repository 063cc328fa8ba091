/*
 * test_standard.c - the standards loader (src/io/standard_json.c): the
 * built-in files load with the legal values of domain.md §1.2-1.4, unknown
 * values stay unknown, and a damaged file is refused with a message naming
 * the parameter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/error.h"
#include "gnbv/standard.h"

#include "io/embed.h"

#include <stdlib.h>
#include <string.h>

static void test_builtin_values(void **state)
{
	(void)state;
	gnbv_standard s;
	assert_int_equal(gnbv_standard_load(&s, "vn-2022-2026"), 0);
	assert_int_equal(s.income_line_rural, 1500000);
	assert_int_equal(s.income_line_urban, 2000000);
	assert_true(s.has_band);
	assert_int_equal(s.band_max_rural, 2250000);
	assert_true(s.has_score_line);
	assert_true(s.score_line_rural == 140 && s.score_line_urban == 175);
	assert_int_equal(s.n_indicators, 12);
	assert_string_equal(s.indicators[11].code, "info_devices");
	assert_int_equal(s.level_rank[GNBV_LEVEL_VOCATIONAL], s.level_rank[GNBV_LEVEL_UPPER_SECONDARY]);

	assert_int_equal(gnbv_standard_load(&s, "vn-2027-2030"), 0);
	assert_int_equal(s.income_line_rural, 2200000);
	assert_int_equal(s.income_line_urban, 2800000);
	assert_false(s.has_band);
	assert_false(s.has_score_line);
	assert_false(s.has_worker_line);
	assert_int_equal(gnbv_standard_indicator(&s, "info_devices"), -1);
	assert_true(gnbv_standard_indicator(&s, "waste") >= 0);
}

static void test_by_date(void **state)
{
	(void)state;
	gnbv_standard s;
	assert_int_equal(gnbv_standard_for_date(&s, 20261231), 0);
	assert_string_equal(s.name, "vn-2022-2026");
	assert_int_equal(gnbv_standard_for_date(&s, 20270101), 0);
	assert_string_equal(s.name, "vn-2027-2030");
	assert_int_equal(gnbv_standard_for_date(&s, 20211001), GNBV_ENOTFOUND);
	/* The 2021 review is assessed under the standard of 2022 (domain.md 1.7). */
	assert_non_null(strstr(gnbv_error_message(), "add --standard vn-2022-2026"));
	assert_int_equal(gnbv_standard_for_date(&s, 20191001), GNBV_ENOTFOUND);
	assert_null(strstr(gnbv_error_message(), "add --standard"));
	assert_int_equal(gnbv_standard_load(&s, "vn-1999"), GNBV_ENOTFOUND);
}

/* The built-in 2022 file with one substring replaced. */
static int parse_edited(const char *from, const char *to)
{
	const gnbv_embedded_file *f = gnbv_embedded_find("standards/vn-2022-2026.json");
	assert_non_null(f);
	const char *hit = strstr((const char *)f->data, from);
	assert_non_null(hit);
	size_t pre = (size_t)(hit - (const char *)f->data);
	size_t len = f->len - strlen(from) + strlen(to);
	char *buf = malloc(len + 1);
	memcpy(buf, f->data, pre);
	memcpy(buf + pre, to, strlen(to));
	memcpy(buf + pre + strlen(to), hit + strlen(from), f->len - pre - strlen(from));
	gnbv_standard s;
	int rc = gnbv_standard_parse(&s, buf, len, "edited.json");
	free(buf);
	return rc;
}

static void expect(const char *from, const char *to, const char *needle)
{
	assert_int_equal(parse_edited(from, to), GNBV_EINVALID);
	if (!strstr(gnbv_error_message(), needle))
		fail_msg("'%s' lacks '%s'", gnbv_error_message(), needle);
}

static void test_damaged_files(void **state)
{
	(void)state;
	expect("\"income_line_rural\"", "\"income_line_rurl\"", "income_line_rurl: unknown parameter");
	expect("\"income_line_rural\": {\"value\": 1500000", "\"income_line_rural\": {\"value\": null",
	       "income_line_rural: may not be null");
	expect("\"average_band_max_rural\": {\"value\": 2250000", "\"average_band_max_rural\": {\"value\": null",
	       "rural/urban pair");
	expect("\"confidence\": \"V\"}", "\"confidence\": \"X\"}", "confidence must be");
	expect("\"rule\": \"water\"", "\"rule\": \"wter\"", "unknown rule");
	expect("\"min_level\": \"primary\"", "\"min_level\": \"grade1\"", "child_schooling_bands");
	expect("{", "[", "not valid JSON");
	/* A null value where the law is unknown is accepted as unknown. */
	assert_int_equal(parse_edited("\"score_line_rural\": {\"value\": 140", "\"score_line_rural\": {\"value\": null"),
			 GNBV_EINVALID); /* half a pair */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_values),
		cmocka_unit_test(test_by_date),
		cmocka_unit_test(test_damaged_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
