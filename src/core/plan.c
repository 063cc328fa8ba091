/*
 * plan.c - the pure parts of the plan model (gnbv/plan.h): the codes of
 * gnbv-program/1 and their labels, matching budget lines against a
 * filter, sums, and lookups. The codes are the file format's; the
 * Vietnamese labels are those the seed's tables use ("ĐTPT", "SN",
 * "Ngân sách trung ương").
 */
#include "gnbv/plan.h"

#include "../util/arena.h"

#include <string.h>

static const char *const CAP_CODES[GNBV_CAP_COUNT] = {"", "DTPT", "SN"};
static const char *const CAP_VI[GNBV_CAP_COUNT] = {"", "ĐTPT", "SN"};
static const char *const CAP_EN[GNBV_CAP_COUNT] = {"", "investment", "recurrent"};

static const char *const SRC_CODES[GNBV_SRC_COUNT] = {"central_budget", "state_budget",
                                                      "local_budget", "mobilised", "integrated"};
static const char *const SRC_VI[GNBV_SRC_COUNT] = {"Ngân sách trung ương", "Ngân sách nhà nước",
                                                   "Ngân sách địa phương", "Vốn huy động",
                                                   "Lồng ghép từ chương trình khác"};
static const char *const SRC_EN[GNBV_SRC_COUNT] = {"central budget", "state budget", "local budget",
                                                   "mobilised", "integrated from other programs"};

static const char *const STAGE_CODES[GNBV_STAGE_COUNT] = {"proposed", "allocated", "disbursed",
                                                          "estimated_disbursement"};
static const char *const STAGE_VI[GNBV_STAGE_COUNT] = {"Đề xuất", "Kế hoạch giao", "Giải ngân",
                                                       "Ước giải ngân"};
static const char *const STAGE_EN[GNBV_STAGE_COUNT] = {"proposed", "allocated", "disbursed",
                                                       "estimated disbursement"};

static const char *const STATUS_CODES[GNBV_PLAN_STATUS_COUNT] = {"draft", "submitted", "approved"};

static int is_en(const char *lang)
{
	return lang && strcmp(lang, "en") == 0;
}

static int find_code(const char *const *codes, int n, const char *code)
{
	if (!code) return -1;
	for (int i = 0; i < n; i++)
		if (strcmp(codes[i], code) == 0) return i;
	return -1;
}

const char *gnbv_capital_code(int c)
{
	return c >= 0 && c < GNBV_CAP_COUNT ? CAP_CODES[c] : NULL;
}
const char *gnbv_source_code(int s)
{
	return s >= 0 && s < GNBV_SRC_COUNT ? SRC_CODES[s] : NULL;
}
const char *gnbv_stage_code(int s)
{
	return s >= 0 && s < GNBV_STAGE_COUNT ? STAGE_CODES[s] : NULL;
}
const char *gnbv_plan_status_code(int s)
{
	return s >= 0 && s < GNBV_PLAN_STATUS_COUNT ? STATUS_CODES[s] : NULL;
}

int gnbv_capital_parse(const char *code)
{
	if (!code || !*code) return GNBV_CAP_NONE;
	return find_code(CAP_CODES, GNBV_CAP_COUNT, code);
}
int gnbv_source_parse(const char *code)
{
	return find_code(SRC_CODES, GNBV_SRC_COUNT, code);
}
int gnbv_stage_parse(const char *code)
{
	return find_code(STAGE_CODES, GNBV_STAGE_COUNT, code);
}
int gnbv_plan_status_parse(const char *code)
{
	return find_code(STATUS_CODES, GNBV_PLAN_STATUS_COUNT, code);
}

const char *gnbv_capital_label(int c, const char *lang)
{
	if (c < 0 || c >= GNBV_CAP_COUNT) return "";
	return is_en(lang) ? CAP_EN[c] : CAP_VI[c];
}
const char *gnbv_source_label(int s, const char *lang)
{
	if (s < 0 || s >= GNBV_SRC_COUNT) return "";
	return is_en(lang) ? SRC_EN[s] : SRC_VI[s];
}
const char *gnbv_stage_label(int s, const char *lang)
{
	if (s < 0 || s >= GNBV_STAGE_COUNT) return "";
	return is_en(lang) ? STAGE_EN[s] : STAGE_VI[s];
}

void gnbv_plan_free(gnbv_plan *p)
{
	if (p) gnbv_arena_free(p->arena); /* p itself lives in its arena */
}

void gnbv_program_free(gnbv_program *p)
{
	if (p) gnbv_arena_free(p->arena);
}

const gnbv_component *gnbv_program_component(const gnbv_program *p, const char *code)
{
	if (!p || !code) return NULL;
	for (size_t i = 0; i < p->n_components; i++)
		if (strcmp(p->components[i].code, code) == 0) return &p->components[i];
	return NULL;
}

const gnbv_component *gnbv_program_project(const gnbv_program *p, const char *code)
{
	const gnbv_component *c = gnbv_program_component(p, code);
	if (c && c->parent) c = gnbv_program_component(p, c->parent);
	return c;
}

const gnbv_plan_agency *gnbv_plan_agency_find(const gnbv_plan *p, const char *code)
{
	if (!code) return NULL;
	for (size_t i = 0; i < p->n_agencies; i++)
		if (strcmp(p->agencies[i].code, code) == 0) return &p->agencies[i];
	return NULL;
}

/* "DA3.1" belongs to "DA3": the project code is the part before the dot. */
int gnbv_component_in(const char *code, const char *prefix)
{
	if (!code || !prefix) return 0;
	size_t n = strlen(prefix);
	return strncmp(prefix, code, n) == 0 && (code[n] == '\0' || code[n] == '.');
}

const gnbv_plan_role *gnbv_plan_role_find(const gnbv_plan *p, int section, const char *component)
{
	if (!component) return NULL;
	const gnbv_plan_role *project = NULL;
	for (size_t i = 0; i < p->n_roles; i++) {
		const gnbv_plan_role *r = &p->roles[i];
		if (r->section != section || !r->component) continue;
		if (strcmp(r->component, component) == 0) return r;
		if (!project && strchr(r->component, '.') == NULL &&
		    gnbv_component_in(component, r->component))
			project = r;
	}
	return project;
}

int gnbv_plan_filter_match(const gnbv_plan_filter *f, const gnbv_plan_line *l)
{
	if (f->year && l->year != f->year) return 0;
	if (f->stage >= 0 && l->stage != f->stage) return 0;
	if (f->source >= 0 && l->source != f->source) return 0;
	if (f->capital >= 0 && l->capital != f->capital) return 0;
	if (f->source_mask && !(f->source_mask & (1u << l->source))) return 0;
	if (f->component && (!l->component || strcmp(f->component, l->component))) return 0;
	if (f->component_prefix &&
	    (!l->component || !gnbv_component_in(l->component, f->component_prefix)))
		return 0;
	if (f->line_ids) {
		size_t i;
		for (i = 0; i < f->n_line_ids; i++)
			if (strcmp(f->line_ids[i], l->id) == 0) break;
		if (i == f->n_line_ids) return 0;
	}
	return 1;
}

int64_t gnbv_plan_sum(const gnbv_plan *p, int section, int stage, int capital, int source,
                      const char *component_prefix)
{
	gnbv_plan_filter f = {0, stage, source, capital, NULL, component_prefix, 0, NULL, 0};
	return gnbv_plan_sum_where(p, section, &f);
}

int64_t gnbv_plan_sum_where(const gnbv_plan *p, int section, const gnbv_plan_filter *f)
{
	int64_t sum = 0;
	for (size_t i = 0; i < p->n_lines; i++) {
		const gnbv_plan_line *l = &p->lines[i];
		if (section >= 0 && l->section != section) continue;
		if (gnbv_plan_filter_match(f, l)) sum += l->amount_vnd;
	}
	return sum;
}
