/*
 * test_listcsv.c - the lists' CSV writers (src/doc/listcsv.c) that the CLI
 * prints with and the web sends: cells quoted by the CSV rules, a cell
 * that starts like a formula made inert (quality.md S6), empty cells for
 * NULL and for a vote's counts when there is no vote, the deficits of the
 * expected-to-escape list with what addresses them, and each list's
 * header and columns in order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "doc/listcsv.h"
#include "gnbv/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a writer wrote into a temporary stream. */
static char *text_of(FILE *f)
{
	long n = ftell(f);
	char *b = calloc(1, (size_t)n + 1);
	rewind(f);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) b[0] = '\0';
	fclose(f);
	return b;
}

static void test_cells(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	assert_non_null(f);
	gnbv_listcsv_cell(f, "Nguyễn Văn A", 1);
	gnbv_listcsv_cell(f, "=HYPERLINK(\"http://x\",\"y\")", 0);
	gnbv_listcsv_cell(f, "a,b", 0);
	gnbv_listcsv_cell(f, "-1", 0);
	gnbv_listcsv_cell(f, "+84", 0);
	gnbv_listcsv_cell(f, "@SUM(A1)", 0);
	gnbv_listcsv_cell(f, NULL, 0);
	gnbv_listcsv_cell(f, "hai\ndòng", 0);
	gnbv_listcsv_cell(f, "", 0);
	char *t = text_of(f);
	assert_string_equal(t, "Nguyễn Văn A,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\"a,b\","
	                       "\"'-1\",\"'+84\",\"'@SUM(A1)\",,\"hai\ndòng\",");
	free(t);
}

static void test_review_rows(void **state)
{
	(void)state;
	FILE *f = tmpfile();
	assert_non_null(f);
	gnbv_review_entry e;
	memset(&e, 0, sizeof e);
	snprintf(e.household_code, sizeof e.household_code, "H1");
	snprintf(e.unit_code, sizeof e.unit_code, "01366-01");
	snprintf(e.source, sizeof e.source, "current");
	snprintf(e.prev_class, sizeof e.prev_class, "poor");
	snprintf(e.klass, sizeof e.klass, "near_poor");
	gnbv_listcsv_entries_head(f);
	assert_int_equal(gnbv_listcsv_entry(f, &e), 0);
	snprintf(e.vote, sizeof e.vote, "agreed");
	e.in_favour = 5;
	e.participants = 10;
	assert_int_equal(gnbv_listcsv_entry(f, &e), 0);
	char *t = text_of(f);
	assert_string_equal(t, "household_code,unit_code,source,prev_class,applied_on,class,vote,"
	                       "in_favour,participants\n"
	                       "H1,01366-01,current,poor,,near_poor,,,\n"
	                       "H1,01366-01,current,poor,,near_poor,agreed,5,10\n");
	free(t);

	f = tmpfile();
	assert_non_null(f);
	gnbv_transition tr;
	memset(&tr, 0, sizeof tr);
	snprintf(tr.household_code, sizeof tr.household_code, "H2");
	snprintf(tr.prev_class, sizeof tr.prev_class, "poor");
	snprintf(tr.cur_class, sizeof tr.cur_class, "near_poor");
	tr.kind = GNBV_TR_ESCAPED_TO_NEAR;
	tr.near = GNBV_TRN_NEWLY_NEAR;
	tr.move = GNBV_MV_SPLIT_NEW;
	tr.area = GNBV_AREA_URBAN;
	tr.minority = -1;
	snprintf(tr.origin, sizeof tr.origin, "H0");
	gnbv_listcsv_transitions_head(f);
	assert_int_equal(gnbv_listcsv_transition(f, &tr), 0);
	t = text_of(f);
	assert_string_equal(t, "household_code,prev_class,class,poverty,near_poverty,move,area,"
	                       "minority,origin\n"
	                       "H2,poor,near_poor,escaped_to_near_poor,newly_near_poor,split_new,"
	                       "urban,,H0\n");
	free(t);

	f = tmpfile();
	assert_non_null(f);
	gnbv_review_round_info ri;
	memset(&ri, 0, sizeof ri);
	snprintf(ri.commune, sizeof ri.commune, "01366");
	snprintf(ri.commune_name, sizeof ri.commune_name, "Xã \"Cần\" Yên");
	ri.year = 2022;
	ri.step = GNBV_STEP_RECOGNISED;
	snprintf(ri.decision_no, sizeof ri.decision_no, "455/QĐ-UBND");
	ri.adhoc_open = 2;
	assert_int_equal(gnbv_listcsv_round(f, &ri), 0);
	t = text_of(f);
	assert_string_equal(t, "01366,\"Xã \"\"Cần\"\" Yên\",2022,recognised,455/QĐ-UBND,,,0,2\n");
	free(t);
}

static void test_escape_row(void **state)
{
	(void)state;
	gnbv_escape_map *map = calloc(1, sizeof *map);
	assert_non_null(map);
	map->n = 1;
	snprintf(map->e[0].deficit, sizeof map->e[0].deficit, "water");
	map->e[0].n = 2;
	snprintf(map->e[0].t[0].code, sizeof map->e[0].t[0].code, "DA1");
	snprintf(map->e[0].t[1].code, sizeof map->e[0].t[1].code, "nong_thon_moi");
	gnbv_escape_item e;
	memset(&e, 0, sizeof e);
	snprintf(e.commune, sizeof e.commune, "01366");
	snprintf(e.household_code, sizeof e.household_code, "H3");
	snprintf(e.head, sizeof e.head, "=cmd|' /C calc'!A0");
	snprintf(e.base_class, sizeof e.base_class, "poor");
	e.base_year = 2022;
	e.n_deficits = 2;
	snprintf(e.deficits[0], sizeof e.deficits[0], "water");
	snprintf(e.deficits[1], sizeof e.deficits[1], "income");
	snprintf(e.helper, sizeof e.helper, "Hoàng Thị Mai");
	snprintf(e.helper_position, sizeof e.helper_position, "Chủ tịch Hội Phụ nữ, xã");
	e.supports = 1;
	e.support_vnd = 5000000;
	snprintf(e.components, sizeof e.components, "DA3.1");
	e.escaped = -1;
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_int_equal(gnbv_listcsv_escape(f, &e, map), 0);
	e.escaped = 1;
	snprintf(e.outcome, sizeof e.outcome, "average");
	assert_int_equal(gnbv_listcsv_escape(f, &e, map), 0);
	char *t = text_of(f);
	assert_string_equal(t,
	                    "01366,H3,\"'=cmd|' /C calc'!A0\",poor,2022,water=DA1+nong_thon_moi;"
	                    "income=,Hoàng Thị Mai,\"Chủ tịch Hội Phụ nữ, xã\",1,5000000,DA3.1,,\n"
	                    "01366,H3,\"'=cmd|' /C calc'!A0\",poor,2022,water=DA1+nong_thon_moi;"
	                    "income=,Hoàng Thị Mai,\"Chủ tịch Hội Phụ nữ, xã\",1,5000000,DA3.1,"
	                    "average,1\n");
	free(t);
	free(map);
}

static void test_plan_rows(void **state)
{
	(void)state;
	gnbv_component comps[] = {{"DA3", NULL, "Dự án 3", NULL, 1, 6, NULL, 0},
	                          {"DA3.1", "DA3", "Tiểu dự án 1", NULL, 1, 6, NULL, 1}};
	gnbv_program prog = {"t", "t", NULL, 2021, 2025, comps, 2, NULL};
	gnbv_plan_line l = {"B-DA3.1-SN",
	                    1,
	                    2023,
	                    "DA3.1",
	                    GNBV_CAP_SN,
	                    GNBV_SRC_CENTRAL,
	                    GNBV_STAGE_PROPOSED,
	                    6150000000LL,
	                    "Hỗ trợ, sản xuất",
	                    NULL};
	gnbv_plan_line m = {
	    "B-MOB",     1,    2023, NULL, GNBV_CAP_NONE, GNBV_SRC_MOBILISED, GNBV_STAGE_PROPOSED,
	    375000000LL, NULL, NULL};
	FILE *f = tmpfile();
	assert_non_null(f);
	gnbv_listcsv_lines_head(f);
	assert_int_equal(gnbv_listcsv_line(f, &l, &prog), 0);
	assert_int_equal(gnbv_listcsv_line(f, &m, &prog), 0);
	gnbv_plan_info pi;
	memset(&pi, 0, sizeof pi);
	snprintf(pi.unit_code, sizeof pi.unit_code, "045");
	snprintf(pi.unit_name, sizeof pi.unit_name, "Huyện Hà Quảng");
	pi.plan_year = 2023;
	pi.report_year = 2022;
	pi.status = GNBV_PLAN_SUBMITTED;
	pi.n_lines = 38;
	gnbv_listcsv_plans_head(f);
	assert_int_equal(gnbv_listcsv_plan(f, &pi), 0);
	char *t = text_of(f);
	assert_string_equal(t, "line_id,year,section,component,project,capital_type,source,stage,"
	                       "amount_vnd,item\n"
	                       "B-DA3.1-SN,2023,B,DA3.1,DA3,SN,central_budget,proposed,6150000000,"
	                       "\"Hỗ trợ, sản xuất\"\n"
	                       "B-MOB,2023,B,,,,mobilised,proposed,375000000,\n"
	                       "unit_code,unit_name,plan_year,report_year,status,number,lines,"
	                       "updated_at\n"
	                       "045,Huyện Hà Quảng,2023,2022,submitted,,38,\n");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cells),
	    cmocka_unit_test(test_review_rows),
	    cmocka_unit_test(test_escape_row),
	    cmocka_unit_test(test_plan_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
