/*
 * pages_dash.c - the dashboard (issue 6, "Screens"): for the user's unit or
 * any unit below it, households by class and child unit with their rates,
 * the change in poverty since the round before, households deficient per
 * indicator, the two charts next to their tables, and the table as CSV.
 * Also the helpers the other pages share (round, class names, CSV cells).
 *
 * Only counts are shown here: no personal data, so every role may see it
 * and no access record is written (quality.md S3 records views of
 * personal data). The numbers come from the store at each request
 * (gnbv/dash.h): an edit shows on the next load (P3).
 */
#include "web.h"

#include "gnbv/dash.h"
#include "gnbv/error.h"

#include "util/numfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_YEARS 64

int gnbv_web_round(gnbv_web_req *r, const char *given, int *year, int *prev, json_t **years)
{
	int ys[MAX_YEARS];
	size_t n = 0;
	int rc = gnbv_dash_years(r->s, ys, MAX_YEARS, &n);
	if (rc) return rc;
	*year = n ? ys[0] : 0;
	*prev = 0;
	if (given && *given) {
		char *end;
		long v = strtol(given, &end, 10);
		if (*end || v < 1900 || v > 9999)
			return gnbv_error_set(GNBV_EINVALID, "round: not a year");
		*year = (int)v;
	}
	for (size_t i = 0; i < n; i++)
		if (ys[i] < *year && (!*prev || ys[i] > *prev)) *prev = ys[i];
	if (years) {
		*years = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(*years, json_pack("{s:i,s:b}", "year", ys[i],
			                                        "selected", ys[i] == *year));
	}
	return 0;
}

const char *gnbv_web_class_name(gnbv_web_req *r, int klass)
{
	char key[40];
	snprintf(key, sizeof key, "class.%s", gnbv_class_name((gnbv_class)klass));
	return gnbv_web_msg(r, key);
}

const char *gnbv_web_unit_param(gnbv_web_req *r)
{
	const char *u = gnbv_web_query(r, "unit", GNBV_STORE_CODE_MAX);
	return u && *u ? u : NULL;
}

void gnbv_web_csv_cell(gnbv_wbuf *b, const char *v, int first)
{
	if (!first) gnbv_wbuf_put(b, ",", 1);
	int formula = v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' ||
	              v[0] == '\r';
	if (!formula && !strpbrk(v, ",\"\r\n")) {
		gnbv_wbuf_str(b, v);
		return;
	}
	gnbv_wbuf_put(b, "\"", 1);
	if (formula) gnbv_wbuf_put(b, "'", 1);
	for (const char *p = v; *p; p++) {
		if (*p == '"') gnbv_wbuf_put(b, "\"", 1);
		gnbv_wbuf_put(b, p, 1);
	}
	gnbv_wbuf_put(b, "\"", 1);
}

/* Basis points of part/whole, rounded half up. */
static int64_t bp(uint64_t part, uint64_t whole)
{
	return whole ? (int64_t)((part * 20000 / whole + 1) / 2) : 0;
}

/* "+12", "−3,25" (U+2212: a real minus sign), "0". */
static const char *signed_text(gnbv_web_req *r, double v, int decimals)
{
	char t[32];
	char *out = gnbv_arena_alloc(r->arena, 40);
	if (!out) return "";
	gnbv_fmt_dec(t, sizeof t, v < 0 ? -v : v, decimals,
	             r->english ? &GNBV_NUM_EN : &GNBV_NUM_VI);
	snprintf(out, 40, "%s%s", v > 0 ? "+" : v < 0 ? "\xe2\x88\x92" : "", t);
	return out;
}

/* Percentage points from basis points, always two decimals: "−3,20". */
static const char *points(gnbv_web_req *r, double bpd)
{
	long long v = (long long)bpd, a = v < 0 ? -v : v;
	char *out = gnbv_arena_alloc(r->arena, 40);
	if (!out) return "";
	snprintf(out, 40, "%s%lld%c%02lld",
	         v > 0   ? "+"
	         : v < 0 ? "\xe2\x88\x92"
	                 : "",
	         a / 100, r->english ? '.' : ',', a % 100);
	return out;
}

static json_t *row_json(gnbv_web_req *r, const gnbv_dash_row *d, const gnbv_dash_row *p)
{
	json_t *o =
	    json_pack("{s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "code", d->code, "name", d->name,
	              "link", d->has_children, "households", gnbv_web_int(r, (int64_t)d->total),
	              "poor", gnbv_web_int(r, (int64_t)d->n[GNBV_CLASS_POOR]), "poor_rate",
	              gnbv_web_pct(r, d->n[GNBV_CLASS_POOR], d->total), "near",
	              gnbv_web_int(r, (int64_t)d->n[GNBV_CLASS_NEAR_POOR]), "near_rate",
	              gnbv_web_pct(r, d->n[GNBV_CLASS_NEAR_POOR], d->total), "avg",
	              gnbv_web_int(r, (int64_t)d->n[GNBV_CLASS_AVERAGE]), "avg_rate",
	              gnbv_web_pct(r, d->n[GNBV_CLASS_AVERAGE], d->total));
	if (p) {
		double dn = (double)d->n[GNBV_CLASS_POOR] - (double)p->n[GNBV_CLASS_POOR];
		double dr = (double)(bp(d->n[GNBV_CLASS_POOR], d->total) -
		                     bp(p->n[GNBV_CLASS_POOR], p->total));
		json_object_set_new(o, "poor_change", json_string(signed_text(r, dn, 0)));
		json_object_set_new(o, "rate_change", json_string(points(r, dr)));
		json_object_set_new(o, "change", json_string(points(r, dr)));
	}
	return o;
}

typedef struct dash {
	gnbv_dash_row self, pself;
	gnbv_dash_row *rows, *prows;
	size_t n, pn;
	char parent[GNBV_STORE_CODE_MAX + 1];
	int year, prev;
	json_t *years;
} dash;

static int load(gnbv_web_req *r, dash *d)
{
	const char *unit = gnbv_web_unit_param(r);
	int rc = gnbv_web_round(r, gnbv_web_query(r, "round", 8), &d->year, &d->prev, &d->years);
	if (rc) return rc;
	d->rows = gnbv_arena_array(r->arena, GNBV_DASH_MAX_ROWS, sizeof *d->rows);
	if (!d->rows) return GNBV_ENOMEM;
	gnbv_round_ref rr = {GNBV_ROUND_PERIODIC, d->year ? d->year : 2000, 0, NULL};
	if ((rc = gnbv_dash_by_child(r->s, &r->scope, r->cache, unit, &rr, &d->self, d->rows,
	                             GNBV_DASH_MAX_ROWS, &d->n, d->parent, sizeof d->parent)))
		return rc;
	if (d->prev) {
		d->prows = gnbv_arena_array(r->arena, GNBV_DASH_MAX_ROWS, sizeof *d->prows);
		if (!d->prows) return GNBV_ENOMEM;
		gnbv_round_ref pr = {GNBV_ROUND_PERIODIC, d->prev, 0, NULL};
		char dummy[GNBV_STORE_CODE_MAX + 1];
		if ((rc = gnbv_dash_by_child(r->s, &r->scope, r->cache, unit, &pr, &d->pself,
		                             d->prows, GNBV_DASH_MAX_ROWS, &d->pn, dummy,
		                             sizeof dummy)))
			return rc;
	}
	return 0;
}

static const gnbv_dash_row *find_prev(const dash *d, const char *code)
{
	for (size_t i = 0; i < d->pn; i++)
		if (!strcmp(d->prows[i].code, code)) return &d->prows[i];
	return NULL;
}

int gnbv_page_dashboard(gnbv_web_req *r)
{
	dash d;
	uint64_t def[GNBV_RULE_COUNT], poor = 0;
	gnbv_wbuf chart = {0};
	memset(&d, 0, sizeof d);
	int rc = load(r, &d);
	if (rc) {
		json_decref(d.years);
		return rc;
	}
	json_t *p = r->page = json_object();
	int show_prev = d.prev && d.pself.total > 0;
	json_object_set_new(p, "years", d.years);
	json_object_set_new(p, "round", json_integer(d.year));
	json_object_set_new(p, "unit",
	                    json_pack("{s:s,s:s}", "code", d.self.code, "name",
	                              d.self.name[0] ? d.self.name : gnbv_web_msg(r, "unit.all")));
	if (d.parent[0]) json_object_set_new(p, "parent", json_string(d.parent));
	json_object_set_new(p, "has_data", json_boolean(d.self.total > 0));
	json_object_set_new(p, "nav_personal",
	                    json_boolean(gnbv_perm_allows(GNBV_PERM_PERSONAL, r->sess.user.role)));
	if (show_prev) {
		json_object_set_new(p, "prev", json_integer(d.prev));
		json_object_set_new(p, "show_prev", json_true());
	}
	json_object_set_new(p, "total", row_json(r, &d.self, show_prev ? &d.pself : NULL));
	json_t *rows = json_array();
	gnbv_bar *bars = gnbv_arena_array(r->arena, d.n ? d.n : 1, sizeof *bars);
	size_t nb = 0;
	for (size_t i = 0; i < d.n; i++) {
		const gnbv_dash_row *pr = show_prev ? find_prev(&d, d.rows[i].code) : NULL;
		json_array_append_new(rows, row_json(r, &d.rows[i], pr && pr->total ? pr : NULL));
		if (bars && d.rows[i].total) {
			bars[nb].label = d.rows[i].name;
			for (int k = 0; k < 3; k++)
				bars[nb].v[k] = (double)bp(d.rows[i].n[k], d.rows[i].total) / 100.0;
			nb++;
		}
	}
	json_object_set_new(p, "rows", rows);
	const char *legend[3] = {gnbv_web_msg(r, "dash.poor"), gnbv_web_msg(r, "dash.near_poor"),
	                         gnbv_web_msg(r, "dash.average")};
	if (bars) gnbv_svg_stacked(&chart, bars, nb, legend);
	json_object_set_new(p, "chart_classes", json_stringn(chart.p ? chart.p : "", chart.len));
	gnbv_wbuf_free(&chart);

	if (d.self.total) {
		gnbv_round_ref rr = {GNBV_ROUND_PERIODIC, d.year, 0, NULL};
		if ((rc = gnbv_dash_deficits(r->s, &r->scope, r->cache,
		                             d.self.code[0] ? d.self.code : NULL, &rr, 1, def,
		                             &poor)))
			return rc;
		/* Only the indicators of the round's standard (domain.md 1.7: a
		 * periodic round of year Y is assessed under the standard of Y+1). */
		gnbv_standard std;
		int used[GNBV_RULE_COUNT] = {0};
		if (gnbv_standard_for_date(&std, (d.year + 1) * 10000 + 101) == 0) {
			for (int k = 0; k < std.n_indicators; k++)
				used[std.indicators[k].rule] = 1;
		} else {
			for (int k = 0; k < GNBV_RULE_COUNT; k++)
				used[k] = 1;
		}
		json_t *defs = json_array();
		gnbv_bar dbars[GNBV_RULE_COUNT];
		size_t nd = 0;
		double max = 0;
		for (int k = 0; k < GNBV_RULE_COUNT; k++) {
			if (!used[k]) continue;
			char key[48];
			const char *code = gnbv_dash_rule_code(k);
			snprintf(key, sizeof key, "ind.%s", code);
			json_array_append_new(defs,
			                      json_pack("{s:s,s:s,s:s,s:s}", "code", code, "name",
			                                gnbv_web_msg(r, key), "n",
			                                gnbv_web_int(r, (int64_t)def[k]), "rate",
			                                gnbv_web_pct(r, def[k], poor)));
			dbars[nd].label = gnbv_web_msg(r, key);
			dbars[nd++].v[0] = (double)def[k];
			if ((double)def[k] > max) max = (double)def[k];
		}
		json_object_set_new(p, "deficits", defs);
		gnbv_svg_bars(&chart, dbars, nd, max, NULL);
		json_object_set_new(p, "chart_deficits",
		                    json_stringn(chart.p ? chart.p : "", chart.len));
		gnbv_wbuf_free(&chart);
	}
	int orc = gnbv_web_overdue(r, p);
	if (orc) return orc;
	r->tmpl = "dashboard";
	r->title_key = "dash.title";
	return 0;
}

static void csv_row(gnbv_wbuf *b, const gnbv_dash_row *d)
{
	char rate[32];
	gnbv_web_csv_cell(b, d->code, 1);
	gnbv_web_csv_cell(b, d->name, 0);
	gnbv_wbuf_put(b, ",", 1);
	gnbv_wbuf_int(b, (long long)d->total);
	for (int k = 0; k < GNBV_CLASS_COUNT; k++) {
		gnbv_wbuf_put(b, ",", 1);
		gnbv_wbuf_int(b, (long long)d->n[k]);
	}
	gnbv_fmt_pct(rate, sizeof rate, d->n[GNBV_CLASS_POOR], d->total, &GNBV_NUM_PLAIN);
	size_t n = strlen(rate);
	if (n && rate[n - 1] == '%') rate[n - 1] = '\0';
	gnbv_wbuf_put(b, ",", 1);
	gnbv_wbuf_str(b, rate);
	gnbv_wbuf_put(b, "\r\n", 2);
}

int gnbv_page_dashboard_csv(gnbv_web_req *r)
{
	dash d;
	memset(&d, 0, sizeof d);
	int rc = load(r, &d);
	json_decref(d.years);
	if (rc) return rc;
	gnbv_wbuf *b = &r->out;
	gnbv_wbuf_str(b, "\xef\xbb\xbf"); /* UTF-8 BOM: Excel then reads Vietnamese right */
	gnbv_wbuf_str(b,
	              "unit_code,unit_name,households,poor,near_poor,average,not_poor,incomplete,"
	              "poor_rate\r\n");
	for (size_t i = 0; i < d.n; i++)
		csv_row(b, &d.rows[i]);
	csv_row(b, &d.self);
	r->ctype = "text/csv; charset=utf-8";
	snprintf(r->disposition, sizeof r->disposition,
	         "attachment; filename=\"dashboard-%s-%d.csv\"",
	         d.self.code[0] ? d.self.code : "all", d.year);
	return 0;
}
