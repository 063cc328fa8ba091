/*
 * review_form.c - the result summary form of the review: its columns, one
 * table that drives the CSV, the XLSX and the CLI's text, and the CSV
 * writer (its text cells through gnbv_listcsv_cell, as every list's).
 *
 * The columns follow the summary forms as domain.md §2 describes them
 * ([S]: the official form of Circular 07/2021/TT-BLĐTBXH was not found):
 * per unit and urban/rural, the households; poor (then near-poor)
 * households at the start of the year per the recognition decision of the
 * previous round; the changes in the year by kind, count and % (of the
 * households at the start); at the end of the year, the count and % (of
 * the households at the end) and the ethnic-minority households on the
 * list, count and % (of the ethnic-minority households of the unit).
 */
#include "review_doc.h"

#include "doc/listcsv.h"

#include "gnbv/error.h"

#include <stdio.h>
#include <string.h>

#define GET(name, expr)                                                                            \
	static uint64_t name(const gnbv_summary_row *r)                                            \
	{                                                                                          \
		return (expr);                                                                     \
	}

GET(hh_start, r->households_start)
GET(hh_end, r->households_end)
GET(em_end, r->minority_end)
GET(p_start, r->poor.start)
GET(p_escaped, r->poor.escaped)
GET(p_esc_near, r->poor.escaped_near)
GET(p_esc_out, r->poor.escaped - r->poor.escaped_near)
GET(p_newly, r->poor.newly)
GET(p_again, r->poor.again)
GET(p_arrived, r->poor.arrived)
GET(p_left, r->poor.left)
GET(p_end, r->poor.end)
GET(p_end_em, r->poor.end_minority)
GET(n_start, r->near.start)
GET(n_escaped, r->near.escaped)
GET(n_to_poor, r->near.to_other)
GET(n_newly, r->near.newly)
GET(n_again, r->near.again)
GET(n_arrived, r->near.arrived)
GET(n_left, r->near.left)
GET(n_end, r->near.end)
GET(n_end_em, r->near.end_minority)

static const gnbv_form_col COLS[] = {
    {"households_start", "Tổng số hộ đầu năm", GNBV_COL_COUNT, hh_start, NULL},
    {"households_end", "Tổng số hộ cuối năm", GNBV_COL_COUNT, hh_end, NULL},
    {"poor_start", "Hộ nghèo đầu năm (theo quyết định công nhận)", GNBV_COL_COUNT, p_start, NULL},
    {"poor_start_pct", "Tỷ lệ hộ nghèo đầu năm", GNBV_COL_PCT, p_start, hh_start},
    {"poor_escaped", "Số hộ thoát nghèo", GNBV_COL_COUNT, p_escaped, NULL},
    {"poor_escaped_pct", "Tỷ lệ hộ thoát nghèo", GNBV_COL_PCT, p_escaped, hh_start},
    {"poor_escaped_to_near", "Trong đó: thoát nghèo thành hộ cận nghèo", GNBV_COL_COUNT, p_esc_near,
     NULL},
    {"poor_escaped_out", "Trong đó: thoát nghèo, không là hộ cận nghèo", GNBV_COL_COUNT, p_esc_out,
     NULL},
    {"poor_newly", "Số hộ nghèo phát sinh mới", GNBV_COL_COUNT, p_newly, NULL},
    {"poor_newly_pct", "Tỷ lệ hộ nghèo phát sinh mới", GNBV_COL_PCT, p_newly, hh_start},
    {"poor_again", "Số hộ tái nghèo", GNBV_COL_COUNT, p_again, NULL},
    {"poor_again_pct", "Tỷ lệ hộ tái nghèo", GNBV_COL_PCT, p_again, hh_start},
    {"poor_arrived", "Hộ nghèo chuyển đến, tách, nhập hộ", GNBV_COL_COUNT, p_arrived, NULL},
    {"poor_left", "Hộ nghèo chuyển đi, nhập vào hộ khác", GNBV_COL_COUNT, p_left, NULL},
    {"poor_end", "Hộ nghèo cuối năm", GNBV_COL_COUNT, p_end, NULL},
    {"poor_end_pct", "Tỷ lệ hộ nghèo cuối năm", GNBV_COL_PCT, p_end, hh_end},
    {"poor_end_minority", "Hộ nghèo dân tộc thiểu số cuối năm", GNBV_COL_COUNT, p_end_em, NULL},
    {"poor_end_minority_pct", "Tỷ lệ hộ nghèo DTTS (so với số hộ DTTS)", GNBV_COL_PCT, p_end_em,
     em_end},
    {"near_start", "Hộ cận nghèo đầu năm (theo quyết định công nhận)", GNBV_COL_COUNT, n_start,
     NULL},
    {"near_start_pct", "Tỷ lệ hộ cận nghèo đầu năm", GNBV_COL_PCT, n_start, hh_start},
    {"near_escaped", "Số hộ thoát cận nghèo", GNBV_COL_COUNT, n_escaped, NULL},
    {"near_escaped_pct", "Tỷ lệ hộ thoát cận nghèo", GNBV_COL_PCT, n_escaped, hh_start},
    {"near_to_poor", "Hộ cận nghèo trở thành hộ nghèo", GNBV_COL_COUNT, n_to_poor, NULL},
    {"near_newly", "Số hộ cận nghèo phát sinh mới", GNBV_COL_COUNT, n_newly, NULL},
    {"near_newly_pct", "Tỷ lệ hộ cận nghèo phát sinh mới", GNBV_COL_PCT, n_newly, hh_start},
    {"near_again", "Số hộ tái cận nghèo", GNBV_COL_COUNT, n_again, NULL},
    {"near_again_pct", "Tỷ lệ hộ tái cận nghèo", GNBV_COL_PCT, n_again, hh_start},
    {"near_arrived", "Hộ cận nghèo chuyển đến, tách, nhập hộ", GNBV_COL_COUNT, n_arrived, NULL},
    {"near_left", "Hộ cận nghèo chuyển đi, nhập vào hộ khác", GNBV_COL_COUNT, n_left, NULL},
    {"near_end", "Hộ cận nghèo cuối năm", GNBV_COL_COUNT, n_end, NULL},
    {"near_end_pct", "Tỷ lệ hộ cận nghèo cuối năm", GNBV_COL_PCT, n_end, hh_end},
    {"near_end_minority", "Hộ cận nghèo dân tộc thiểu số cuối năm", GNBV_COL_COUNT, n_end_em, NULL},
    {"near_end_minority_pct", "Tỷ lệ hộ cận nghèo DTTS (so với số hộ DTTS)", GNBV_COL_PCT, n_end_em,
     em_end},
    {"minority_households_end", "Tổng số hộ DTTS cuối năm", GNBV_COL_COUNT, em_end, NULL},
};

const gnbv_form_col *gnbv_review_form_cols(size_t *n)
{
	*n = sizeof COLS / sizeof COLS[0];
	return COLS;
}

const char *gnbv_review_area_label(int area, int english)
{
	static const char *const VI[] = {"Tổng", "Thành thị", "Nông thôn"};
	static const char *const EN[] = {"total", "urban", "rural"};
	if (area < 0 || area >= GNBV_SUM_AREAS) return "?";
	return english ? EN[area] : VI[area];
}

int gnbv_review_summary_csv(const gnbv_summary *sm, FILE *out)
{
	size_t n;
	const gnbv_form_col *c = gnbv_review_form_cols(&n);
	fputs("unit_code,unit_name,level,depth,area,year,prev_year,communes_recognised,"
	      "communes_missing",
	      out);
	for (size_t k = 0; k < n; k++)
		fprintf(out, ",%s", c[k].key);
	fputc('\n', out);
	for (size_t i = 0; i < sm->n; i++) {
		const gnbv_summary_row *r = &sm->rows[i];
		gnbv_listcsv_cell(out, r->unit_code, 1);
		gnbv_listcsv_cell(out, r->unit_name, 0);
		fprintf(out, ",%s,%d,%s,%d,%d,%d,%d", r->level, r->depth,
		        gnbv_review_area_label(r->area, 1), sm->year, sm->prev_year, r->rounds,
		        r->missing);
		for (size_t k = 0; k < n; k++) {
			uint64_t v = c[k].value(r);
			if (c[k].kind == GNBV_COL_COUNT) {
				fprintf(out, ",%llu", (unsigned long long)v);
			} else {
				/* Hundredths of a per cent, rounded half up in integers
				 * (as gnbv_fmt_pct). */
				uint64_t d = c[k].denom(r);
				uint64_t h = d ? (v * 10000 + d / 2) / d : 0;
				fprintf(out, ",%llu.%02llu", (unsigned long long)(h / 100),
				        (unsigned long long)(h % 100));
			}
		}
		fputc('\n', out);
	}
	if (fflush(out) || ferror(out))
		return gnbv_error_set(GNBV_EIO, "writing the summary: output error");
	return 0;
}
