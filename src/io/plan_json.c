/*
 * plan_json.c - reads and writes a plan document as gnbv-plan/1
 * (data/demo/README.md). Reading validates every field gnbv interprets
 * (codes of capital type, source and stage; integer VND; the two
 * sections' years and every year within the plan's bounds; a document
 * date that exists; unique line ids; agencies that roles name) and keeps
 * everything else as JSON text, so that writing gives back the same
 * document. Errors name FILE:LINE:COLUMN and the path of the value.
 */
#include "gnbv/error.h"
#include "gnbv/plan.h"

#include "jsonutil.h"
#include "outfile.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLAN_MAX_BYTES (16u << 20)
#define PLAN_MAX_ITEMS 100000
/* Amounts are integer VND; 10^15 VND is far above any program's envelope
 * (75,000 billion = 7.5 x 10^13) and keeps every sum inside int64. */
#define PLAN_MAX_VND 1000000000000000LL

static const char *const SECTION_KEYS[GNBV_PLAN_SECTIONS] = {"A", "B"};

/* Allocates a counted array for a JSON list. */
static int alloc_items(gnbv_jctx *c, json_t *arr, size_t elem, void **out, size_t *n)
{
	size_t k = arr ? json_array_size(arr) : 0;
	if (k > PLAN_MAX_ITEMS) return gnbv_jerr(c, "more than %d entries", PLAN_MAX_ITEMS);
	*out = gnbv_arena_array(c->a, k ? k : 1, elem);
	*n = 0;
	return *out ? 0 : GNBV_ENOMEM;
}

static int grow_items(gnbv_jctx *c, void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap) return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	if (ncap > PLAN_MAX_ITEMS) return gnbv_jerr(c, "more than %d entries", PLAN_MAX_ITEMS);
	void *n = gnbv_arena_array(c->a, ncap, elem);
	if (!n) return GNBV_ENOMEM;
	if (*cap) memcpy(n, *arr, *cap * elem);
	*arr = n;
	*cap = ncap;
	return 0;
}

static int code_field(gnbv_jctx *c, json_t *obj, const char *key, int (*parse)(const char *),
                      int nullable, int dflt, int *out, const char *expected)
{
	const char *s;
	int rc = gnbv_jstr(c, obj, key, !nullable, &s);
	if (rc) return rc;
	if (!s) {
		*out = dflt;
		return 0;
	}
	int v = parse(s);
	if (v < 0 || (nullable && !*s)) {
		gnbv_jpath_key(&c->path, key);
		return gnbv_jerr(c, "unknown code \"%s\" (expected %s)", s, expected);
	}
	*out = v;
	return 0;
}

static int parse_filter(gnbv_jctx *c, json_t *obj, gnbv_plan_filter *f)
{
	static const char *const known[] = {"year",         "stage",     "source",
	                                    "capital_type", "component", "component_prefix",
	                                    "source_in",    "line_ids",  NULL};
	int64_t y;
	int rc;
	memset(f, 0, sizeof *f);
	f->stage = f->source = f->capital = -1;
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		int ok = 0;
		for (const char *const *q = known; *q; q++)
			ok |= strcmp(*q, k) == 0;
		if (!ok) {
			gnbv_jpath_key(&c->path, k);
			return gnbv_jerr(c,
			                 "unknown filter key (expected year, stage, source, "
			                 "capital_type, component, component_prefix, source_in or "
			                 "line_ids)");
		}
	}
	if ((rc = gnbv_jint(c, obj, "year", 0, GNBV_PLAN_YEAR_MIN, GNBV_PLAN_YEAR_MAX, 0, &y)))
		return rc;
	f->year = (int)y;
	if (json_object_get(obj, "stage") &&
	    (rc = code_field(c, obj, "stage", gnbv_stage_parse, 0, -1, &f->stage,
	                     "proposed, allocated, disbursed or estimated_disbursement")))
		return rc;
	if (json_object_get(obj, "source") &&
	    (rc = code_field(c, obj, "source", gnbv_source_parse, 0, -1, &f->source,
	                     "a fund source code")))
		return rc;
	if (json_object_get(obj, "capital_type")) {
		json_t *cv = json_object_get(obj, "capital_type");
		if (json_is_null(cv))
			f->capital = GNBV_CAP_NONE;
		else if ((rc = code_field(c, obj, "capital_type", gnbv_capital_parse, 0, -1,
		                          &f->capital, "DTPT or SN")))
			return rc;
	}
	if ((rc = gnbv_jstr(c, obj, "component", 0, &f->component)) ||
	    (rc = gnbv_jstr(c, obj, "component_prefix", 0, &f->component_prefix)))
		return rc;
	json_t *arr;
	size_t i;
	if ((rc = gnbv_jarr(c, obj, "source_in", 0, &arr))) return rc;
	if (arr) {
		gnbv_jpath_key(&c->path, "source_in");
		json_array_foreach(arr, i, v)
		{
			gnbv_jpath_index(&c->path, i);
			int s = json_is_string(v) ? gnbv_source_parse(json_string_value(v)) : -1;
			if (s < 0) return gnbv_jerr(c, "unknown fund source");
			f->source_mask |= 1u << s;
			gnbv_jpath_pop(&c->path);
		}
		gnbv_jpath_pop(&c->path);
		if (!f->source_mask) return gnbv_jerr(c, "source_in is empty");
	}
	if ((rc = gnbv_jarr(c, obj, "line_ids", 0, &arr))) return rc;
	if (arr) {
		gnbv_jpath_key(&c->path, "line_ids");
		f->n_line_ids = json_array_size(arr);
		if (!f->n_line_ids) return gnbv_jerr(c, "line_ids is empty");
		if (f->n_line_ids > PLAN_MAX_ITEMS) return gnbv_jerr(c, "too many line ids");
		f->line_ids = gnbv_arena_array(c->a, f->n_line_ids, sizeof *f->line_ids);
		if (!f->line_ids) return GNBV_ENOMEM;
		json_array_foreach(arr, i, v)
		{
			gnbv_jpath_index(&c->path, i);
			if (!json_is_string(v)) return gnbv_jerr(c, "must be a line id");
			if (!(f->line_ids[i] = gnbv_arena_strdup(c->a, json_string_value(v))))
				return GNBV_ENOMEM;
			gnbv_jpath_pop(&c->path);
		}
		gnbv_jpath_pop(&c->path);
	}
	return 0;
}

static int parse_line(gnbv_jctx *c, json_t *o, int section, gnbv_plan_line *l)
{
	static const char *const keys[] = {"id",           "year",   "component",
	                                   "capital_type", "source", "stage",
	                                   "amount_vnd",   "item",   NULL};
	int64_t v;
	int rc;
	if (!json_is_object(o)) return gnbv_jerr(c, "a budget line must be an object");
	l->section = section;
	if ((rc = gnbv_jstr(c, o, "id", 1, &l->id))) return rc;
	if ((rc = gnbv_jint(c, o, "year", 1, GNBV_PLAN_YEAR_MIN, GNBV_PLAN_YEAR_MAX, 0, &v)))
		return rc;
	l->year = (int)v;
	if ((rc = gnbv_jstr(c, o, "component", 0, &l->component))) return rc;
	if ((rc = code_field(c, o, "capital_type", gnbv_capital_parse, 1, GNBV_CAP_NONE,
	                     &l->capital, "DTPT, SN or null")))
		return rc;
	if ((rc =
	         code_field(c, o, "source", gnbv_source_parse, 0, 0, &l->source,
	                    "central_budget, state_budget, local_budget, mobilised or integrated")))
		return rc;
	if ((rc = code_field(c, o, "stage", gnbv_stage_parse, 0, 0, &l->stage,
	                     "proposed, allocated, disbursed or estimated_disbursement")))
		return rc;
	if ((rc = gnbv_jint(c, o, "amount_vnd", 1, 0, PLAN_MAX_VND, 0, &l->amount_vnd))) return rc;
	if ((rc = gnbv_jstr(c, o, "item", 0, &l->item))) return rc;
	return gnbv_jextra(c, o, keys, &l->extra);
}

static int parse_total(gnbv_jctx *c, json_t *o, int section, gnbv_plan_total *t)
{
	static const char *const keys[] = {"id", "what", "filter", "amount_vnd", "where", NULL};
	json_t *f;
	int rc;
	if (!json_is_object(o)) return gnbv_jerr(c, "a stated total must be an object");
	t->section = section;
	if ((rc = gnbv_jstr(c, o, "id", 1, &t->id)) ||
	    (rc = gnbv_jstr(c, o, "what", 0, &t->what)) || (rc = gnbv_jobj(c, o, "filter", 1, &f)))
		return rc;
	gnbv_jpath_key(&c->path, "filter");
	if ((rc = parse_filter(c, f, &t->filter))) return rc;
	gnbv_jpath_pop(&c->path);
	if ((rc = gnbv_jint(c, o, "amount_vnd", 1, 0, PLAN_MAX_VND, 0, &t->amount_vnd)) ||
	    (rc = gnbv_jstr(c, o, "where", 0, &t->where)))
		return rc;
	return gnbv_jextra(c, o, keys, &t->extra);
}

static int parse_output(gnbv_jctx *c, json_t *o, int section, gnbv_plan_output *u)
{
	static const char *const keys[] = {"component", "capital_type", "quantity",
	                                   "unit",      "en",           NULL};
	int rc;
	if (!json_is_object(o)) return gnbv_jerr(c, "an output must be an object");
	u->section = section;
	if ((rc = gnbv_jstr(c, o, "component", 0, &u->component)) ||
	    (rc = code_field(c, o, "capital_type", gnbv_capital_parse, 1, GNBV_CAP_NONE,
	                     &u->capital, "DTPT, SN or null")) ||
	    (rc = gnbv_jnum(c, o, "quantity", &u->quantity, &u->has_quantity)) ||
	    (rc = gnbv_jstr(c, o, "unit", 0, &u->unit_vi)) ||
	    (rc = gnbv_jstr(c, o, "en", 0, &u->unit_en)))
		return rc;
	return gnbv_jextra(c, o, keys, &u->extra);
}

/* A target's value: a number, or an object with households, rate_percent
 * or number; the JSON text is kept as written. */
static int target_value(gnbv_jctx *c, json_t *v, gnbv_plan_target *t)
{
	int rc;
	t->has_value = t->has_households = t->has_rate = 0;
	t->value_json = NULL;
	if (v && !json_is_null(v)) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		t->value_json = s ? gnbv_arena_strdup(c->a, s) : NULL;
		free(s);
		if (!t->value_json) return GNBV_ENOMEM;
	}
	if (json_is_number(v)) {
		t->has_value = 1;
		t->value = json_number_value(v);
	} else if (json_is_object(v)) {
		double num;
		int has_num;
		if ((rc = gnbv_jnum(c, v, "households", &t->households, &t->has_households)) ||
		    (rc = gnbv_jnum(c, v, "rate_percent", &t->rate_percent, &t->has_rate)) ||
		    (rc = gnbv_jnum(c, v, "number", &num, &has_num)))
			return rc;
		if (has_num) {
			t->has_value = 1;
			t->value = num;
		}
	} else if (v && !json_is_null(v)) {
		return gnbv_jerr(c, "must be a number, an object or null");
	}
	return 0;
}

static int parse_target(gnbv_jctx *c, json_t *o, int section, gnbv_plan_target *t)
{
	static const char *const keys[] = {"id",   "indicator",  "text", "value",
	                                   "unit", "comparator", "year", NULL};
	int rc;
	int64_t y;
	if (!json_is_object(o)) return gnbv_jerr(c, "a target must be an object");
	t->section = section;
	if ((rc = gnbv_jstr(c, o, "id", 1, &t->id)) ||
	    (rc = gnbv_jstr(c, o, "indicator", 1, &t->indicator)) ||
	    (rc = gnbv_jstr(c, o, "text", 0, &t->text)) ||
	    (rc = gnbv_jstr(c, o, "unit", 0, &t->unit)) ||
	    (rc = gnbv_jstr(c, o, "comparator", 0, &t->comparator)) ||
	    (rc = gnbv_jint(c, o, "year", 0, GNBV_PLAN_YEAR_MIN, GNBV_PLAN_YEAR_MAX, 0, &y)))
		return rc;
	t->year = (int)y;
	if (t->comparator && strcmp(t->comparator, ">") && strcmp(t->comparator, ">=") &&
	    strcmp(t->comparator, "<") && strcmp(t->comparator, "<=")) {
		gnbv_jpath_key(&c->path, "comparator");
		return gnbv_jerr(c, "expected >, >=, < or <=");
	}
	gnbv_jpath_key(&c->path, "value");
	if ((rc = target_value(c, json_object_get(o, "value"), t))) return rc;
	gnbv_jpath_pop(&c->path);
	return gnbv_jextra(c, o, keys, &t->extra);
}

static int parse_role(gnbv_jctx *c, json_t *o, int section, gnbv_plan_role *r)
{
	static const char *const keys[] = {"component", "lead", "cooperating", NULL};
	int rc;
	json_t *arr;
	if (!json_is_object(o)) return gnbv_jerr(c, "an agency role must be an object");
	r->section = section;
	if ((rc = gnbv_jstr(c, o, "component", 1, &r->component)) ||
	    (rc = gnbv_jstr(c, o, "lead", 1, &r->lead)) ||
	    (rc = gnbv_jarr(c, o, "cooperating", 0, &arr)))
		return rc;
	if (arr) {
		r->n_cooperating = json_array_size(arr);
		if (r->n_cooperating > 64) return gnbv_jerr(c, "more than 64 cooperating agencies");
		r->cooperating = gnbv_arena_array(c->a, r->n_cooperating ? r->n_cooperating : 1,
		                                  sizeof *r->cooperating);
		if (!r->cooperating) return GNBV_ENOMEM;
		gnbv_jpath_key(&c->path, "cooperating");
		size_t i;
		json_t *v;
		json_array_foreach(arr, i, v)
		{
			gnbv_jpath_index(&c->path, i);
			if (!json_is_string(v)) return gnbv_jerr(c, "must be an agency code");
			if (!(r->cooperating[i] = gnbv_arena_strdup(c->a, json_string_value(v))))
				return GNBV_ENOMEM;
			gnbv_jpath_pop(&c->path);
		}
		gnbv_jpath_pop(&c->path);
	}
	return gnbv_jextra(c, o, keys, &r->extra);
}

static int parse_content(gnbv_jctx *c, json_t *o, int section, gnbv_plan_content *t)
{
	int rc;
	if (!json_is_object(o)) return gnbv_jerr(c, "a content entry must be an object");
	t->section = section;
	if ((rc = gnbv_jstr(c, o, "component", 0, &t->component)) ||
	    (rc = gnbv_jstr(c, o, "text", 1, &t->text)))
		return rc;
	if (json_object_size(o) != (size_t)(1 + (json_object_get(o, "component") != NULL)))
		return gnbv_jerr(c, "a content entry has only component and text");
	return 0;
}

/* Parses list `key` of a section into the plan's growing array. */
#define SECTION_LIST(KEY, ARR, N, CAP, FN)                                                         \
	do {                                                                                       \
		json_t *arr_;                                                                      \
		if ((rc = gnbv_jarr(c, sec, KEY, 0, &arr_))) return rc;                            \
		if (!arr_) break;                                                                  \
		gnbv_jpath_key(&c->path, KEY);                                                     \
		size_t i_;                                                                         \
		json_t *v_;                                                                        \
		json_array_foreach(arr_, i_, v_)                                                   \
		{                                                                                  \
			gnbv_jpath_index(&c->path, i_);                                            \
			if ((rc =                                                                  \
			         grow_items(c, (void **)&p->ARR, &CAP, p->N + 1, sizeof *p->ARR))) \
				return rc;                                                         \
			if ((rc = FN(c, v_, s, &p->ARR[p->N]))) return rc;                         \
			p->N++;                                                                    \
			gnbv_jpath_pop(&c->path);                                                  \
		}                                                                                  \
		gnbv_jpath_pop(&c->path);                                                          \
	} while (0)

typedef struct caps {
	size_t lines, totals, outputs, targets, roles, contents;
} caps;

static int parse_section(gnbv_jctx *c, json_t *sec, int s, gnbv_plan *p, caps *k)
{
	/* "title" stays in the extra members (text, or {vi, en}); section_title
	 * is its Vietnamese text, for display. */
	static const char *const keys[] = {"year",    "lines",    "stated_totals", "outputs",
	                                   "targets", "agencies", "content",       NULL};
	int rc;
	int64_t y;
	if ((rc = gnbv_jint(c, sec, "year", 1, GNBV_PLAN_YEAR_MIN, GNBV_PLAN_YEAR_MAX, 0, &y)))
		return rc;
	int want = s == 0 ? p->report_year : p->plan_year;
	if (y != want) {
		gnbv_jpath_key(&c->path, "year");
		return gnbv_jerr(c,
		                 "section %s is year %d (the plan reports on %d and proposes %d)",
		                 SECTION_KEYS[s], want, p->report_year, p->plan_year);
	}
	json_t *title = json_object_get(sec, "title");
	if (json_is_object(title)) {
		gnbv_jpath_key(&c->path, "title");
		rc = gnbv_jstr(c, title, "vi", 0, &p->section_title[s]);
		gnbv_jpath_pop(&c->path);
	} else {
		rc = gnbv_jstr(c, sec, "title", 0, &p->section_title[s]);
	}
	if (rc) return rc;
	SECTION_LIST("lines", lines, n_lines, k->lines, parse_line);
	SECTION_LIST("stated_totals", totals, n_totals, k->totals, parse_total);
	SECTION_LIST("outputs", outputs, n_outputs, k->outputs, parse_output);
	SECTION_LIST("targets", targets, n_targets, k->targets, parse_target);
	SECTION_LIST("agencies", roles, n_roles, k->roles, parse_role);
	SECTION_LIST("content", contents, n_contents, k->contents, parse_content);
	return gnbv_jextra(c, sec, keys, &p->section_extra[s]);
}

static int parse_agency(gnbv_jctx *c, json_t *o, gnbv_plan_agency *g)
{
	static const char *const keys[] = {"code", "vi", "abbr", "en", NULL};
	int rc;
	if (!json_is_object(o)) return gnbv_jerr(c, "an agency must be an object");
	if ((rc = gnbv_jstr(c, o, "code", 1, &g->code)) ||
	    (rc = gnbv_jstr(c, o, "vi", 1, &g->name_vi)) ||
	    (rc = gnbv_jstr(c, o, "abbr", 0, &g->abbr)) ||
	    (rc = gnbv_jstr(c, o, "en", 0, &g->name_en)))
		return rc;
	return gnbv_jextra(c, o, keys, &g->extra);
}

/* Cross-field rules: unique ids, known agencies, ids in line_ids. */
static int cross_check(gnbv_jctx *c, gnbv_plan *p)
{
	for (size_t i = 0; i < p->n_lines; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->lines[i].id, p->lines[j].id) == 0) {
				c->path.n = 0;
				gnbv_jpath_key(&c->path, "sections");
				gnbv_jpath_key(&c->path, SECTION_KEYS[p->lines[i].section]);
				gnbv_jpath_key(&c->path, "lines");
				return gnbv_jerr(c, "line id %s appears twice", p->lines[i].id);
			}
	for (size_t i = 0; i < p->n_agencies; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(p->agencies[i].code, p->agencies[j].code) == 0) {
				c->path.n = 0;
				gnbv_jpath_key(&c->path, "agencies");
				gnbv_jpath_index(&c->path, i);
				return gnbv_jerr(c, "agency %s appears twice", p->agencies[i].code);
			}
	for (size_t i = 0; i < p->n_roles; i++) {
		const gnbv_plan_role *r = &p->roles[i];
		const char *bad = gnbv_plan_agency_find(p, r->lead) ? NULL : r->lead;
		for (size_t k = 0; !bad && k < r->n_cooperating; k++)
			if (!gnbv_plan_agency_find(p, r->cooperating[k])) bad = r->cooperating[k];
		if (bad) {
			c->path.n = 0;
			gnbv_jpath_key(&c->path, "sections");
			gnbv_jpath_key(&c->path, SECTION_KEYS[r->section]);
			gnbv_jpath_key(&c->path, "agencies");
			return gnbv_jerr(c, "agency %s is not in the plan's agencies", bad);
		}
	}
	for (size_t i = 0; i < p->n_totals; i++) {
		const gnbv_plan_filter *f = &p->totals[i].filter;
		for (size_t k = 0; k < f->n_line_ids; k++) {
			size_t j;
			for (j = 0; j < p->n_lines; j++)
				if (strcmp(p->lines[j].id, f->line_ids[k]) == 0) break;
			if (j == p->n_lines) {
				c->path.n = 0;
				gnbv_jpath_key(&c->path, "sections");
				gnbv_jpath_key(&c->path, SECTION_KEYS[p->totals[i].section]);
				gnbv_jpath_key(&c->path, "stated_totals");
				return gnbv_jerr(
				    c, "stated total %s names line %s, which does not exist",
				    p->totals[i].id, f->line_ids[k]);
			}
		}
	}
	return 0;
}

int gnbv_plan_parse_json(const char *origin, const char *text, size_t len, gnbv_plan **out)
{
	static const char *const top_keys[] = {"format",      "program",   "unit",
	                                       "report_year", "plan_year", "document",
	                                       "agencies",    "sections",  NULL};
	static const char *const unit_keys[] = {"code", "name", NULL};
	json_t *root;
	gnbv_jctx cx, *c = &cx;
	int rc = gnbv_jopen(c, origin, text, len, 64u << 20, &root);
	if (rc) return rc;
	gnbv__arena *a = c->a;
	gnbv_plan *p = gnbv_arena_alloc(a, sizeof *p);
	caps k = {0};
	if (!p) {
		rc = GNBV_ENOMEM;
		goto done;
	}
	p->arena = a;
	if (!json_is_object(root)) {
		rc = gnbv_jerr(c, "a plan must be a JSON object");
		goto done;
	}
	const char *fmt, *status = NULL;
	json_t *unit, *doc, *signer, *title, *issuer, *agencies, *sections, *sec;
	int64_t y;
	if ((rc = gnbv_jstr(c, root, "format", 1, &fmt))) goto done;
	if (strcmp(fmt, "gnbv-plan/1")) {
		gnbv_jpath_key(&c->path, "format");
		rc = gnbv_jerr(c, "expected \"gnbv-plan/1\"");
		goto done;
	}
	if ((rc = gnbv_jstr(c, root, "program", 1, &p->program)) ||
	    (rc = gnbv_jobj(c, root, "unit", 1, &unit)))
		goto done;
	gnbv_jpath_key(&c->path, "unit");
	if ((rc = gnbv_jstr(c, unit, "code", 1, &p->unit_code)) ||
	    (rc = gnbv_jstr(c, unit, "name", 0, &p->unit_name)) ||
	    (rc = gnbv_jextra(c, unit, unit_keys, &p->unit_extra)))
		goto done;
	gnbv_jpath_pop(&c->path);
	if ((rc = gnbv_jint(c, root, "report_year", 1, GNBV_PLAN_YEAR_MIN, GNBV_PLAN_YEAR_MAX - 1,
	                    0, &y)))
		goto done;
	p->report_year = (int)y;
	if ((rc = gnbv_jint(c, root, "plan_year", 1, GNBV_PLAN_YEAR_MIN + 1, GNBV_PLAN_YEAR_MAX, 0,
	                    &y)))
		goto done;
	p->plan_year = (int)y;
	if (p->plan_year != p->report_year + 1) {
		gnbv_jpath_key(&c->path, "plan_year");
		rc = gnbv_jerr(c, "a plan proposes the year after the one it reports on (%d)",
		               p->report_year + 1);
		goto done;
	}
	/* The document: interpreted fields are read, the whole object is kept. */
	if ((rc = gnbv_jobj(c, root, "document", 1, &doc))) goto done;
	gnbv_jpath_key(&c->path, "document");
	if ((rc = gnbv_jstr(c, doc, "number", 0, &p->number)) ||
	    (rc = gnbv_jstr(c, doc, "date", 0, &p->date)) ||
	    (rc = gnbv_jstr(c, doc, "status", 0, &status)) ||
	    (rc = gnbv_jobj(c, doc, "signer", 0, &signer)) ||
	    (rc = gnbv_jobj(c, doc, "title", 0, &title)) ||
	    (rc = gnbv_jobj(c, doc, "issuer", 0, &issuer)))
		goto done;
	if (p->date) {
		/* A day that exists (2024-02-29, not 2023-02-29): the check the
		 * store makes again on every put. */
		char why[96];
		if (gnbv_plan_date_check(p->date, NULL, why, sizeof why)) {
			gnbv_jpath_key(&c->path, "date");
			rc = gnbv_jerr(c, "%s", why);
			goto done;
		}
	}
	p->status = GNBV_PLAN_DRAFT;
	if (status && (p->status = gnbv_plan_status_parse(status)) < 0) {
		gnbv_jpath_key(&c->path, "status");
		rc = gnbv_jerr(c, "expected draft, submitted or approved");
		goto done;
	}
	if (signer) {
		json_t *st;
		gnbv_jpath_key(&c->path, "signer");
		if ((rc = gnbv_jstr(c, signer, "name", 0, &p->signer_name))) goto done;
		st = json_object_get(signer, "title");
		if (json_is_object(st))
			rc = gnbv_jstr(c, st, "vi", 0, &p->signer_title);
		else
			rc = gnbv_jstr(c, signer, "title", 0, &p->signer_title);
		if (rc) goto done;
		gnbv_jpath_pop(&c->path);
	}
	if (title && (rc = gnbv_jstr(c, title, "vi", 0, &p->title_vi))) goto done;
	if (issuer && (rc = gnbv_jstr(c, issuer, "vi", 0, &p->issuer_vi))) goto done;
	{
		static const char *const none[] = {"number", "date", "status", NULL};
		if ((rc = gnbv_jextra(c, doc, none, &p->doc_extra))) goto done;
	}
	gnbv_jpath_pop(&c->path);

	if ((rc = gnbv_jarr(c, root, "agencies", 0, &agencies))) goto done;
	if ((rc = alloc_items(c, agencies, sizeof *p->agencies, (void **)&p->agencies,
	                      &p->n_agencies)))
		goto done;
	if (agencies) {
		gnbv_jpath_key(&c->path, "agencies");
		size_t i;
		json_t *v;
		json_array_foreach(agencies, i, v)
		{
			gnbv_jpath_index(&c->path, i);
			if ((rc = parse_agency(c, v, &p->agencies[p->n_agencies]))) goto done;
			p->n_agencies++;
			gnbv_jpath_pop(&c->path);
		}
		gnbv_jpath_pop(&c->path);
	}
	if ((rc = gnbv_jobj(c, root, "sections", 1, &sections))) goto done;
	gnbv_jpath_key(&c->path, "sections");
	for (int s = 0; s < GNBV_PLAN_SECTIONS; s++) {
		if ((rc = gnbv_jobj(c, sections, SECTION_KEYS[s], 1, &sec))) goto done;
		gnbv_jpath_key(&c->path, SECTION_KEYS[s]);
		if ((rc = parse_section(c, sec, s, p, &k))) goto done;
		gnbv_jpath_pop(&c->path);
	}
	if (json_object_size(sections) != GNBV_PLAN_SECTIONS) {
		rc = gnbv_jerr(c, "a plan has exactly the sections A and B");
		goto done;
	}
	gnbv_jpath_pop(&c->path);
	if ((rc = gnbv_jextra(c, root, top_keys, &p->top_extra))) goto done;
	if ((rc = cross_check(c, p))) goto done;
	*out = p;
	a = NULL;
done:
	json_decref(root);
	gnbv_arena_free(a);
	return rc;
}

int gnbv_plan_load_json(const char *path, gnbv_plan **out)
{
	char *text;
	size_t len;
	int rc = gnbv_read_file(path, PLAN_MAX_BYTES, &text, &len);
	if (rc) return rc;
	rc = gnbv_plan_parse_json(path, text, len, out);
	free(text);
	return rc;
}

/* ---- writing ---- */

static json_t *jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Sets key only when the value exists. */
static void set_opt(json_t *o, const char *key, const char *s)
{
	if (s) json_object_set_new(o, key, json_string(s));
}

static json_t *capital_json(int c)
{
	return c == GNBV_CAP_NONE ? json_null() : json_string(gnbv_capital_code(c));
}

static json_t *filter_json(const gnbv_plan_filter *f)
{
	json_t *o = json_object();
	if (f->year) json_object_set_new(o, "year", json_integer(f->year));
	if (f->stage >= 0) json_object_set_new(o, "stage", json_string(gnbv_stage_code(f->stage)));
	if (f->source >= 0)
		json_object_set_new(o, "source", json_string(gnbv_source_code(f->source)));
	if (f->capital >= 0) json_object_set_new(o, "capital_type", capital_json(f->capital));
	set_opt(o, "component", f->component);
	set_opt(o, "component_prefix", f->component_prefix);
	if (f->source_mask) {
		json_t *a = json_array();
		for (int s = 0; s < GNBV_SRC_COUNT; s++)
			if (f->source_mask & (1u << s))
				json_array_append_new(a, json_string(gnbv_source_code(s)));
		json_object_set_new(o, "source_in", a);
	}
	if (f->line_ids) {
		json_t *a = json_array();
		for (size_t i = 0; i < f->n_line_ids; i++)
			json_array_append_new(a, json_string(f->line_ids[i]));
		json_object_set_new(o, "line_ids", a);
	}
	return o;
}

static int section_json(const gnbv_plan *p, int s, json_t *sec)
{
	int rc = 0;
	json_t *lines = json_array(), *totals = json_array(), *outputs = json_array(),
	       *targets = json_array(), *roles = json_array(), *content = json_array();
	json_object_set_new(sec, "year", json_integer(s ? p->plan_year : p->report_year));
	for (size_t i = 0; i < p->n_lines; i++) {
		const gnbv_plan_line *l = &p->lines[i];
		if (l->section != s) continue;
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(l->id));
		json_object_set_new(o, "year", json_integer(l->year));
		json_object_set_new(o, "component", jstr_or_null(l->component));
		json_object_set_new(o, "capital_type", capital_json(l->capital));
		json_object_set_new(o, "source", json_string(gnbv_source_code(l->source)));
		json_object_set_new(o, "stage", json_string(gnbv_stage_code(l->stage)));
		json_object_set_new(o, "amount_vnd", json_integer(l->amount_vnd));
		set_opt(o, "item", l->item);
		rc |= gnbv_jmerge(o, l->extra);
		json_array_append_new(lines, o);
	}
	for (size_t i = 0; i < p->n_totals; i++) {
		const gnbv_plan_total *t = &p->totals[i];
		if (t->section != s) continue;
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(t->id));
		set_opt(o, "what", t->what);
		json_object_set_new(o, "filter", filter_json(&t->filter));
		json_object_set_new(o, "amount_vnd", json_integer(t->amount_vnd));
		set_opt(o, "where", t->where);
		rc |= gnbv_jmerge(o, t->extra);
		json_array_append_new(totals, o);
	}
	for (size_t i = 0; i < p->n_outputs; i++) {
		const gnbv_plan_output *u = &p->outputs[i];
		if (u->section != s) continue;
		json_t *o = json_object();
		json_object_set_new(o, "component", jstr_or_null(u->component));
		if (u->capital != GNBV_CAP_NONE)
			json_object_set_new(o, "capital_type", capital_json(u->capital));
		json_t *q = json_null();
		if (u->has_quantity)
			q = u->quantity == (double)(int64_t)u->quantity
			        ? json_integer((int64_t)u->quantity)
			        : json_real(u->quantity);
		json_object_set_new(o, "quantity", q);
		json_object_set_new(o, "unit", jstr_or_null(u->unit_vi));
		set_opt(o, "en", u->unit_en);
		rc |= gnbv_jmerge(o, u->extra);
		json_array_append_new(outputs, o);
	}
	for (size_t i = 0; i < p->n_targets; i++) {
		const gnbv_plan_target *t = &p->targets[i];
		if (t->section != s) continue;
		json_t *o = json_object();
		json_object_set_new(o, "id", json_string(t->id));
		json_object_set_new(o, "indicator", json_string(t->indicator));
		set_opt(o, "text", t->text);
		json_t *v = t->value_json ? json_loads(t->value_json, JSON_DECODE_ANY, NULL) : NULL;
		json_object_set_new(o, "value", v ? v : json_null());
		json_object_set_new(o, "unit", jstr_or_null(t->unit));
		set_opt(o, "comparator", t->comparator);
		if (t->year) json_object_set_new(o, "year", json_integer(t->year));
		rc |= gnbv_jmerge(o, t->extra);
		json_array_append_new(targets, o);
	}
	for (size_t i = 0; i < p->n_roles; i++) {
		const gnbv_plan_role *r = &p->roles[i];
		if (r->section != s) continue;
		json_t *o = json_object();
		json_object_set_new(o, "component", json_string(r->component));
		json_object_set_new(o, "lead", json_string(r->lead));
		if (r->cooperating) {
			json_t *a = json_array();
			for (size_t k = 0; k < r->n_cooperating; k++)
				json_array_append_new(a, json_string(r->cooperating[k]));
			json_object_set_new(o, "cooperating", a);
		}
		rc |= gnbv_jmerge(o, r->extra);
		json_array_append_new(roles, o);
	}
	for (size_t i = 0; i < p->n_contents; i++) {
		const gnbv_plan_content *t = &p->contents[i];
		if (t->section != s) continue;
		json_t *o = json_object();
		if (t->component) json_object_set_new(o, "component", json_string(t->component));
		json_object_set_new(o, "text", json_string(t->text));
		json_array_append_new(content, o);
	}
	json_object_set_new(sec, "lines", lines);
	json_object_set_new(sec, "stated_totals", totals);
	json_object_set_new(sec, "outputs", outputs);
	json_object_set_new(sec, "targets", targets);
	json_object_set_new(sec, "agencies", roles);
	if (json_array_size(content))
		json_object_set_new(sec, "content", content);
	else
		json_decref(content);
	rc |= gnbv_jmerge(sec, p->section_extra[s]);
	return rc ? GNBV_EINVALID : 0;
}

static json_t *plan_json(const gnbv_plan *p)
{
	json_t *root = json_object(), *unit = json_object(), *doc = json_object(),
	       *agencies = json_array(), *sections = json_object();
	int rc = 0;
	json_object_set_new(root, "format", json_string("gnbv-plan/1"));
	json_object_set_new(root, "program", json_string(p->program));
	json_object_set_new(unit, "code", json_string(p->unit_code));
	set_opt(unit, "name", p->unit_name);
	rc |= gnbv_jmerge(unit, p->unit_extra);
	json_object_set_new(root, "unit", unit);
	json_object_set_new(root, "report_year", json_integer(p->report_year));
	json_object_set_new(root, "plan_year", json_integer(p->plan_year));
	json_object_set_new(doc, "number", jstr_or_null(p->number));
	json_object_set_new(doc, "date", jstr_or_null(p->date));
	if (p->status != GNBV_PLAN_DRAFT)
		json_object_set_new(doc, "status", json_string(gnbv_plan_status_code(p->status)));
	rc |= gnbv_jmerge(doc, p->doc_extra);
	/* The signer may have been changed after loading: the struct wins. */
	json_t *signer = json_object_get(doc, "signer");
	if (p->signer_name) {
		if (!json_is_object(signer)) {
			signer = json_object();
			json_object_set_new(doc, "signer", signer);
		}
		json_object_set_new(signer, "name", json_string(p->signer_name));
	}
	json_object_set_new(root, "document", doc);
	for (size_t i = 0; i < p->n_agencies; i++) {
		const gnbv_plan_agency *g = &p->agencies[i];
		json_t *o = json_object();
		json_object_set_new(o, "code", json_string(g->code));
		json_object_set_new(o, "vi", json_string(g->name_vi));
		json_object_set_new(o, "abbr", jstr_or_null(g->abbr));
		set_opt(o, "en", g->name_en);
		rc |= gnbv_jmerge(o, g->extra);
		json_array_append_new(agencies, o);
	}
	json_object_set_new(root, "agencies", agencies);
	for (int s = 0; s < GNBV_PLAN_SECTIONS; s++) {
		json_t *sec = json_object();
		rc |= section_json(p, s, sec);
		json_object_set_new(sections, SECTION_KEYS[s], sec);
	}
	json_object_set_new(root, "sections", sections);
	rc |= gnbv_jmerge(root, p->top_extra);
	if (rc) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int gnbv_plan_to_json(const gnbv_plan *p, char **out)
{
	json_t *root = plan_json(p);
	if (!root) return GNBV_EINVALID;
	*out = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	return *out ? 0 : gnbv_error_set(GNBV_ENOMEM, "out of memory");
}

int gnbv_plan_new(gnbv_plan **out)
{
	gnbv__arena *a = gnbv_arena_new(64u << 20);
	gnbv_plan *p = a ? gnbv_arena_alloc(a, sizeof *p) : NULL;
	if (!p) {
		gnbv_arena_free(a);
		return GNBV_ENOMEM;
	}
	p->arena = a;
	*out = p;
	return 0;
}

void *gnbv_plan_alloc(gnbv_plan *p, size_t n)
{
	return gnbv_arena_alloc(p->arena, n ? n : 1);
}

const char *gnbv_plan_strndup(gnbv_plan *p, const char *s, size_t n)
{
	return gnbv_arena_strndup(p->arena, s, n);
}

int gnbv_plan_target_set_value(gnbv_plan *p, gnbv_plan_target *t, const char *value_json)
{
	gnbv_jctx c = {"stored target",
	               value_json ? value_json : "",
	               value_json ? strlen(value_json) : 0,
	               {.n = 0},
	               p->arena};
	json_t *v = NULL;
	if (value_json) {
		json_error_t e;
		if (!(v = json_loads(value_json, JSON_DECODE_ANY, &e)))
			return gnbv_error_set(GNBV_EINVALID,
			                      "target %s: stored value is not JSON: %s",
			                      t->id ? t->id : "?", e.text);
	}
	int rc = target_value(&c, v, t);
	json_decref(v);
	return rc;
}

int gnbv_plan_write_json(const gnbv_plan *p, const char *path)
{
	char *text;
	int rc = gnbv_plan_to_json(p, &text);
	if (rc) return rc;
	if (strcmp(path, "-") == 0) {
		if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF)
			rc = gnbv_error_set(GNBV_EIO, "cannot write to standard output");
		free(text);
		return rc;
	}
	char *d1 = strdup(path), *d2 = strdup(path);
	gnbv_out *o = NULL;
	if (!d1 || !d2) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = gnbv_out_open(&o, dirname(d1), basename(d2))) || (rc = gnbv_out_str(o, text)) ||
	    (rc = gnbv_out_char(o, '\n')))
		goto done;
	rc = gnbv_out_commit(o);
	o = NULL;
done:
	gnbv_out_abort(o);
	free(d1);
	free(d2);
	free(text);
	return rc;
}
