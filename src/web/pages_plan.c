/*
 * pages_plan.c - the plan screens (issue 6, "plans"): the plans of the
 * user's units, one plan's tables by project and sub-project, capital
 * type, source and stage (the layout of the biểu chi tiết, in triệu đồng),
 * its consistency checks (gnbv_plan_check) shown with it, the edit form of
 * its budget lines, and the XLSX and DOCX documents as downloads.
 *
 * Plans hold no personal data (gnbv/plan_store.h), so every role reads
 * them and no access record is written; changing a line is audited by the
 * store with the old and new amounts. The store confines reads and writes
 * to the user's scope: a commune officer does not see the district's plan.
 * Amounts are typed in đồng (integer VND, with '.' or ' ' as grouping):
 * a decimal comma in triệu would be ambiguous with the Vietnamese
 * thousands dot, and VND has no smaller unit.
 */
#include "web.h"

#include "gnbv/error.h"
#include "gnbv/plan.h"
#include "gnbv/plan_store.h"

#include "util/numfmt.h"

#include <civetweb.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the list ---- */

typedef struct list_ctx {
	gnbv_web_req *r;
	json_t *a;
} list_ctx;

static int add_plan(void *ctx, const gnbv_plan_info *in)
{
	list_ctx *c = ctx;
	char st[32];
	snprintf(st, sizeof st, "plan.status.%s", gnbv_plan_status_code(in->status));
	json_array_append_new(c->a, json_pack("{s:s,s:s,s:i,s:i,s:s,s:s,s:I}", "unit",
	                                      in->unit_code, "unit_name", in->unit_name, "year",
	                                      in->plan_year, "report_year", in->report_year,
	                                      "status", gnbv_web_msg(c->r, st), "number",
	                                      in->number, "lines", (json_int_t)in->n_lines));
	return 0;
}

int gnbv_page_plans(gnbv_web_req *r)
{
	json_t *a = json_array();
	list_ctx c = {r, a};
	int rc = gnbv_store_plan_list(r->s, &r->scope, add_plan, &c);
	if (rc) {
		json_decref(a);
		return rc;
	}
	r->page = json_pack("{s:b,s:o}", "has_plans", json_array_size(a) > 0, "plans", a);
	r->tmpl = "plans";
	r->title_key = "plan.list";
	return 0;
}

/* ---- one plan ---- */

static int plan_year(gnbv_web_req *r, int *year)
{
	char *end;
	errno = 0;
	long v = strtol(r->arg2, &end, 10);
	if (!r->arg2[0] || *end || errno || v < 1900 || v > 9999)
		return gnbv_error_set(GNBV_ENOTFOUND, "no such plan");
	*year = (int)v;
	return 0;
}

static int load(gnbv_web_req *r, gnbv_plan **p, gnbv_program **prog)
{
	int year = 0, rc;
	*p = NULL;
	*prog = NULL;
	if ((rc = plan_year(r, &year))) return rc;
	if ((rc = gnbv_store_plan_get(r->s, &r->scope, r->arg, year, p))) return rc;
	if ((rc = gnbv_program_load((*p)->program, prog))) {
		gnbv_plan_free(*p);
		*p = NULL;
	}
	return rc;
}

/* Million VND as documents write them: "73.359", "2.076,5". */
static const char *mil(gnbv_web_req *r, int64_t vnd)
{
	char *b = gnbv_arena_alloc(r->arena, 40);
	if (!b) return "";
	if (vnd == 0) return "-";
	gnbv_fmt_dec(b, 40, (double)vnd / 1e6, 3, r->english ? &GNBV_NUM_EN : &GNBV_NUM_VI);
	return b;
}

static int64_t state_sum(const gnbv_plan *p, int sec, int stage, int cap, const char *prefix)
{
	return gnbv_plan_sum(p, sec, stage, cap, -1, prefix) -
	       (cap < 0 ? gnbv_plan_sum(p, sec, stage, cap, GNBV_SRC_MOBILISED, prefix) : 0);
}

static const char *lead_of(gnbv_web_req *r, const gnbv_plan *p, const char *code)
{
	const gnbv_plan_role *role = gnbv_plan_role_find(p, 1, code);
	if (!role) role = gnbv_plan_role_find(p, 0, code);
	if (!role || !role->lead) return "";
	const gnbv_plan_agency *a = gnbv_plan_agency_find(p, role->lead);
	(void)r;
	return a ? (a->abbr && *a->abbr ? a->abbr : a->name_vi) : role->lead;
}

/* One row of the table: a component (prefix) or the total (NULL). */
static json_t *row(gnbv_web_req *r, const gnbv_plan *p, const char *prefix, const char *label,
                   const char *code, int sub)
{
	int64_t alloc = state_sum(p, 0, GNBV_STAGE_ALLOCATED, -1, prefix);
	int64_t est = state_sum(p, 0, GNBV_STAGE_EST_DISBURSED, -1, prefix);
	int64_t prop = state_sum(p, 1, GNBV_STAGE_PROPOSED, -1, prefix);
	/* Under the proposal's year: its mobilised funds (year N's are in the table by source). */
	int64_t mob = gnbv_plan_sum(p, 1, GNBV_STAGE_PROPOSED, -1, GNBV_SRC_MOBILISED, prefix);
	return json_pack(
	    "{s:s,s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "code", code, "name",
	    label, "lead", prefix ? lead_of(r, p, prefix) : "", "sub", sub, "alloc", mil(r, alloc),
	    "alloc_dtpt",
	    mil(r, gnbv_plan_sum(p, 0, GNBV_STAGE_ALLOCATED, GNBV_CAP_DTPT, -1, prefix)),
	    "alloc_sn", mil(r, gnbv_plan_sum(p, 0, GNBV_STAGE_ALLOCATED, GNBV_CAP_SN, -1, prefix)),
	    "est", mil(r, est), "est_pct",
	    alloc ? gnbv_web_pct(r, (uint64_t)est, (uint64_t)alloc) : "", "prop", mil(r, prop),
	    "prop_dtpt",
	    mil(r, gnbv_plan_sum(p, 1, GNBV_STAGE_PROPOSED, GNBV_CAP_DTPT, -1, prefix)), "prop_sn",
	    mil(r, gnbv_plan_sum(p, 1, GNBV_STAGE_PROPOSED, GNBV_CAP_SN, -1, prefix)), "mob",
	    mil(r, mob), "total", prefix == NULL);
}

typedef struct find_ctx {
	gnbv_web_req *r;
	json_t *a;
} find_ctx;

static int add_finding(void *ctx, const gnbv_finding *f)
{
	find_ctx *c = ctx;
	json_t *lines = json_array();
	for (size_t i = 0; i < f->n_lines; i++)
		json_array_append_new(lines, json_string(f->lines[i]));
	json_t *o = json_pack("{s:s,s:s,s:s,s:o}", "title",
	                      gnbv_finding_title(f->kind, c->r->english ? "en" : "vi"), "subject",
	                      f->subject ? f->subject : "", "message",
	                      gnbv_finding_message(f, c->r->english ? "en" : "vi"), "lines", lines);
	if (f->stated || f->computed) {
		json_object_set_new(o, "stated", json_string(mil(c->r, f->stated)));
		json_object_set_new(o, "computed", json_string(mil(c->r, f->computed)));
	}
	json_array_append_new(c->a, o);
	return 0;
}

/* The page context both the plan page and its edit form use. */
static json_t *plan_json(gnbv_web_req *r, const gnbv_plan *p, const gnbv_program *prog)
{
	char st[32];
	snprintf(st, sizeof st, "plan.status.%s", gnbv_plan_status_code(p->status));
	json_t *rows = json_array();
	for (size_t i = 0; i < prog->n_components; i++) {
		const gnbv_component *c = &prog->components[i];
		if (!gnbv_plan_sum(p, -1, -1, -1, -1, c->code)) continue; /* no money at all */
		const char *name = r->english && c->name_en ? c->name_en : c->name_vi;
		json_array_append_new(rows, row(r, p, c->code, name, c->code, c->parent != NULL));
	}
	json_array_append_new(rows, row(r, p, NULL, gnbv_web_msg(r, "dash.total"), "", 0));
	/* By source and stage, per section. */
	json_t *sources = json_array();
	for (int sec = 0; sec < GNBV_PLAN_SECTIONS; sec++)
		for (int stg = 0; stg < GNBV_STAGE_COUNT; stg++) {
			int64_t all = gnbv_plan_sum(p, sec, stg, -1, -1, NULL);
			if (!all) continue;
			json_t *cells = json_array();
			for (int src = 0; src < GNBV_SRC_COUNT; src++)
				json_array_append_new(
				    cells,
				    json_string(mil(r, gnbv_plan_sum(p, sec, stg, -1, src, NULL))));
			json_array_append_new(
			    sources,
			    json_pack("{s:i,s:s,s:s,s:s,s:s,s:o}", "year",
			              sec ? p->plan_year : p->report_year, "stage",
			              gnbv_stage_label(stg, r->english ? "en" : "vi"), "dtpt",
			              mil(r, gnbv_plan_sum(p, sec, stg, GNBV_CAP_DTPT, -1, NULL)),
			              "sn",
			              mil(r, gnbv_plan_sum(p, sec, stg, GNBV_CAP_SN, -1, NULL)),
			              "all", mil(r, all), "cells", cells));
		}
	json_t *heads = json_array();
	for (int src = 0; src < GNBV_SRC_COUNT; src++)
		json_array_append_new(
		    heads, json_string(gnbv_source_label(src, r->english ? "en" : "vi")));
	json_t *findings = json_array();
	find_ctx fc = {r, findings};
	gnbv_plan_check(p, prog, add_finding, &fc, NULL);
	return json_pack("{s:s,s:s,s:i,s:i,s:s,s:s,s:o,s:o,s:o,s:b,s:o,s:b}", "unit", p->unit_code,
	                 "unit_name", p->unit_name ? p->unit_name : "", "year", p->plan_year,
	                 "report_year", p->report_year, "status", gnbv_web_msg(r, st), "number",
	                 p->number ? p->number : "", "rows", rows, "sources", sources,
	                 "source_heads", heads, "has_findings", json_array_size(findings) > 0,
	                 "findings", findings, "can_edit",
	                 gnbv_perm_allows(GNBV_PERM_PLAN_EDIT, r->sess.user.role));
}

int gnbv_page_plan(gnbv_web_req *r)
{
	gnbv_plan *p;
	gnbv_program *prog;
	int rc = load(r, &p, &prog);
	if (rc) return rc;
	r->page = plan_json(r, p, prog);
	const char *saved = gnbv_web_query(r, "saved", 4);
	if (saved && *saved) json_object_set_new(r->page, "saved", json_string(saved));
	/* The document's own fields, outputs and targets (pages_more.c). */
	if (r->page) rc = gnbv_web_plan_doc(r, p, r->page);
	gnbv_plan_free(p);
	gnbv_program_free(prog);
	if (rc) return rc;
	if (!r->page) return gnbv_error_set(GNBV_EINVALID, "plan: bad text");
	r->tmpl = "plan";
	r->title_key = "plan.title";
	return 0;
}

static json_t *lines_json(gnbv_web_req *r, const gnbv_plan *p, json_t *bad)
{
	json_t *a = json_array();
	const char *lang = r->english ? "en" : "vi";
	for (size_t i = 0; i < p->n_lines; i++) {
		const gnbv_plan_line *l = &p->lines[i];
		char v[32]; /* grouped with dots whatever the language: parse_vnd reads it back */
		gnbv_fmt_int(v, sizeof v, l->amount_vnd, &GNBV_NUM_VI);
		json_array_append_new(
		    a, json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "id", l->id, "year",
		                 l->year, "component", l->component ? l->component : "", "capital",
		                 l->capital ? gnbv_capital_label(l->capital, lang) : "-", "source",
		                 gnbv_source_label(l->source, lang), "stage",
		                 gnbv_stage_label(l->stage, lang), "item", l->item ? l->item : "",
		                 "amount", v, "mil", mil(r, l->amount_vnd), "bad",
		                 bad && json_object_get(bad, l->id)));
	}
	return a;
}

int gnbv_page_plan_edit_form(gnbv_web_req *r)
{
	gnbv_plan *p;
	gnbv_program *prog;
	int rc = load(r, &p, &prog);
	if (rc) return rc;
	r->page = plan_json(r, p, prog);
	if (r->page) json_object_set_new(r->page, "lines", lines_json(r, p, NULL));
	gnbv_plan_free(p);
	gnbv_program_free(prog);
	if (!r->page) return gnbv_error_set(GNBV_EINVALID, "plan: bad text");
	r->tmpl = "plan_edit";
	r->title_key = "plan.edit";
	return 0;
}

/* Digits with '.' or ' ' as grouping: integer VND; -1 when not. */
static int64_t parse_vnd(const char *s)
{
	int64_t v = 0;
	int digits = 0;
	for (; *s; s++) {
		if (*s == '.' || *s == ' ') continue;
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10) return -1;
		v = v * 10 + (*s - '0');
		digits++;
	}
	return digits ? v : -1;
}

int gnbv_page_plan_edit(gnbv_web_req *r)
{
	gnbv_plan *p;
	gnbv_program *prog;
	json_t *bad = json_object();
	int year = 0, rc = load(r, &p, &prog), n = 0;
	if (rc) goto done;
	year = p->plan_year;
	/* Validate every field first: nothing is saved when one is bad. */
	for (size_t i = 0; i < p->n_lines; i++) {
		char k[160];
		snprintf(k, sizeof k, "a_%s", p->lines[i].id);
		const char *v = gnbv_web_form(r, k, 24);
		if (v && parse_vnd(v) < 0) json_object_set_new(bad, p->lines[i].id, json_true());
	}
	if (json_object_size(bad)) {
		r->page = plan_json(r, p, prog);
		if (r->page) {
			json_object_set_new(r->page, "lines", lines_json(r, p, bad));
			json_object_set_new(r->page, "errors", json_true());
		}
		r->tmpl = "plan_edit";
		r->title_key = "plan.edit";
		r->status = 400;
		goto done;
	}
	for (size_t i = 0; i < p->n_lines; i++) {
		char k[160];
		snprintf(k, sizeof k, "a_%s", p->lines[i].id);
		const char *v = gnbv_web_form(r, k, 24);
		int64_t amount = v ? parse_vnd(v) : -1;
		if (amount < 0 || amount == p->lines[i].amount_vnd) continue;
		if ((rc = gnbv_store_plan_line_set(r->s, &r->scope, p->unit_code, year,
		                                   p->lines[i].id, amount)))
			goto done;
		n++;
	}
	char loc[256], enc[128];
	mg_url_encode(p->unit_code, enc, sizeof enc);
	snprintf(loc, sizeof loc, "/plan/%s/%d?saved=%d", enc, year, n);
	rc = gnbv_web_redirect(r, loc);
done:
	json_decref(bad);
	gnbv_plan_free(p);
	gnbv_program_free(prog);
	return rc;
}

/* ---- documents ---- */

static int document(gnbv_web_req *r, int docx)
{
	gnbv_plan *p;
	gnbv_program *prog;
	char path[256];
	int rc = load(r, &p, &prog);
	if (rc) return rc;
	/* The writers are atomic file writers: write to a private temporary
	 * file, send it, remove it. */
	if ((rc = gnbv_web_tmpfile(path, sizeof path))) goto done;
	rc = docx ? gnbv_plan_write_docx(p, prog, path) : gnbv_plan_write_xlsx(p, prog, path);
	if (rc) {
		unlink(path);
		goto done;
	}
	if ((rc = gnbv_web_send_file(r, path))) goto done;
	r->ctype = docx ? "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	                : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	snprintf(r->disposition, sizeof r->disposition,
	         "attachment; filename=\"ke-hoach-%s-%d.%s\"", p->unit_code, p->plan_year,
	         docx ? "docx" : "xlsx");
done:
	gnbv_plan_free(p);
	gnbv_program_free(prog);
	return rc;
}

int gnbv_page_plan_xlsx(gnbv_web_req *r)
{
	return document(r, 0);
}

int gnbv_page_plan_docx(gnbv_web_req *r)
{
	return document(r, 1);
}
