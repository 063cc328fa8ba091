/*
 * pages_reg.c - the registry screens (issue 6): the household list with
 * its filters, paging and CSV download, the name search, a household's
 * page (members, assessment and its reason, history across rounds), and
 * the edit form for a household and its members. The paging and the unit
 * filter are every list's (the household list and the user list of
 * pages_users.c): the unit select (templates/unit_select.html: the user's
 * unit and its children), the page number of the query, and the pager
 * (templates/pager.html) with `page_size` rows a page; the rows of a page
 * come from the store, which takes the offset and the limit.
 *
 * Personal data (Decree 13/2023/NĐ-CP; quality.md S3, S7): every view of a
 * list, a search, a household or an export writes an access record (who,
 * what, never the values); names are never in a URL, so the search is a
 * POST (a name in ?q= would sit in browser history, proxy logs and
 * Referer headers), while the list's filters (unit code, class,
 * indicator, round, page) are not personal and stay in the query so that
 * a page can be bookmarked. Household pages are addressed by the
 * household's code, an identifier, not a name.
 *
 * Edits are validated here field by field for a readable answer, then by
 * the store, which re-classifies the household under the round's standard
 * and writes the new survey and its audit record in one transaction
 * (gnbv_store_household_put). The scope check is the store's: a household
 * of another commune is "not found" whatever the URL says.
 */
#include "web.h"

#include "gnbv/dash.h"
#include "gnbv/error.h"
#include "gnbv/review.h"

#include "util/numfmt.h"

#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const WORK[6] = {"contract",   "no_contract", "self",
                                    "unemployed", "student",     "none"};
static const char *const REL[6] = {"head", "spouse", "child", "parent", "grandchild", "other"};

static const char *kmsg(gnbv_web_req *r, const char *prefix, const char *word)
{
	char key[64];
	snprintf(key, sizeof key, "%s%s", prefix, word);
	return gnbv_web_msg(r, key);
}

static const char *tri_text(gnbv_web_req *r, int t)
{
	return gnbv_web_msg(r, t == GNBV_YES ? "tri.yes" : t == GNBV_NO ? "tri.no" : "tri.unknown");
}

void gnbv_web_query_arg(gnbv_wbuf *q, const char *name, const char *v)
{
	char enc[256];
	if (!v || !*v) return;
	if (q->len) gnbv_wbuf_put(q, "&", 1);
	gnbv_wbuf_str(q, name);
	gnbv_wbuf_put(q, "=", 1);
	if (mg_url_encode(v, enc, sizeof enc) >= 0) gnbv_wbuf_str(q, enc);
}

static void url_arg(gnbv_web_req *r, gnbv_wbuf *q, const char *name, const char *v)
{
	(void)r;
	gnbv_web_query_arg(q, name, v);
}

int gnbv_web_access(gnbv_web_req *r, const char *action, const char *object, json_t *detail)
{
	char *d = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(detail);
	if (!d) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	int rc = gnbv_dash_access(r->s, action, object, d);
	free(d);
	return rc;
}

/* ---- the list ---- */

typedef struct list_q {
	const char *unit, *klass_s, *rule_s;
	int year, prev, klass, rule;
	uint64_t page;
	json_t *years;
} list_q;

static int parse_list(gnbv_web_req *r, list_q *q)
{
	memset(q, 0, sizeof *q);
	q->unit = gnbv_web_unit_param(r);
	q->klass_s = gnbv_web_query(r, "class", 16);
	q->rule_s = gnbv_web_query(r, "indicator", 32);
	int rc = gnbv_web_round(r, gnbv_web_query(r, "round", 8), &q->year, &q->prev, &q->years);
	if (rc) return rc;
	q->klass = -1;
	if (q->klass_s && *q->klass_s) {
		for (int c = 0; c < GNBV_CLASS_COUNT; c++)
			if (!strcmp(q->klass_s, gnbv_class_name((gnbv_class)c))) q->klass = c;
		if (q->klass < 0) return gnbv_error_set(GNBV_EINVALID, "class");
	}
	q->rule = -1;
	if (q->rule_s && *q->rule_s && (q->rule = gnbv_dash_rule_parse(q->rule_s)) < 0)
		return gnbv_error_set(GNBV_EINVALID, "indicator");
	return gnbv_web_page_param(r, &q->page);
}

/* The list's filters as a query string (without the page). */
static void list_query(gnbv_web_req *r, const list_q *q, gnbv_wbuf *out)
{
	char y[16];
	snprintf(y, sizeof y, "%d", q->year);
	gnbv_web_unit_query(r, q->unit, out);
	url_arg(r, out, "round", y);
	url_arg(r, out, "class", q->klass >= 0 ? q->klass_s : NULL);
	url_arg(r, out, "indicator", q->rule >= 0 ? q->rule_s : NULL);
}

/* ---- paging, shared by every paged list ---- */

int gnbv_web_page_param(gnbv_web_req *r, uint64_t *page)
{
	const char *p = gnbv_web_query(r, "page", 9);
	*page = 1;
	if (p && *p) {
		char *end;
		long long v = strtoll(p, &end, 10);
		if (*end || v < 1) return gnbv_error_set(GNBV_EINVALID, "page");
		*page = (uint64_t)v;
	}
	return 0;
}

/* The query of page n: the filters, then page=N. */
static json_t *page_query(gnbv_web_req *r, const char *filters, uint64_t n)
{
	gnbv_wbuf b = {0};
	char num[24];
	snprintf(num, sizeof num, "%llu", (unsigned long long)n);
	gnbv_wbuf_str(&b, filters);
	url_arg(r, &b, "page", num);
	json_t *q = json_stringn(b.p ? b.p : "", b.len);
	gnbv_wbuf_free(&b);
	return q;
}

void gnbv_web_pager(gnbv_web_req *r, json_t *page, const char *path, const char *filters,
                    uint64_t n, uint64_t total)
{
	uint64_t ps = (uint64_t)r->cfg->page_size;
	uint64_t pages = total ? (total + ps - 1) / ps : 1;
	json_t *p = json_pack("{s:s,s:I,s:I}", "path", path, "page", (json_int_t)n, "pages",
	                      (json_int_t)pages);
	if (!p) return;
	if (n > 1) json_object_set_new(p, "prev", page_query(r, filters, n - 1));
	if (n < pages) json_object_set_new(p, "next", page_query(r, filters, n + 1));
	json_object_set_new(page, "pager", p);
}

/* ---- the unit filter, shared by the household and the user lists ---- */

int gnbv_web_unit_choices(gnbv_web_req *r, json_t *p, const char *unit,
                          const gnbv_round_ref *rr, gnbv_dash_row *target)
{
	/* Units to choose from: the user's own and its children. */
	gnbv_dash_row self, *rows = gnbv_arena_array(r->arena, GNBV_DASH_MAX_ROWS, sizeof *rows);
	size_t n = 0;
	char parent[GNBV_STORE_CODE_MAX + 1];
	int rc;
	if (!rows) return GNBV_ENOMEM;
	if ((rc = gnbv_dash_by_child(r->s, &r->scope, r->cache, NULL, rr, &self, rows,
	                             GNBV_DASH_MAX_ROWS, &n, parent, sizeof parent)))
		return rc;
	json_t *units = json_array();
	json_object_set_new(p, "units", units); /* owned by the page; filled below */
	const char *sel = unit ? unit : self.code;
	json_array_append_new(units,
	                      json_pack("{s:s,s:s,s:b}", "code", self.code, "name",
	                                self.name[0] ? self.name : gnbv_web_msg(r, "unit.all"),
	                                "selected", !strcmp(sel, self.code)));
	int found_sel = !strcmp(sel, self.code);
	for (size_t i = 0; i < n; i++) {
		int s = !strcmp(sel, rows[i].code);
		found_sel |= s;
		json_array_append_new(units, json_pack("{s:s,s:s,s:b}", "code", rows[i].code,
		                                       "name", rows[i].name, "selected", s));
	}
	/* A deeper unit (a village): check it and show its name. */
	if ((rc = gnbv_dash_by_child(r->s, &r->scope, r->cache, unit, rr, target, rows,
	                             GNBV_DASH_MAX_ROWS, &n, parent, sizeof parent)))
		return rc;
	if (!found_sel)
		json_array_append_new(units, json_pack("{s:s,s:s,s:b}", "code", target->code, "name",
		                                       target->name, "selected", 1));
	json_object_set_new(p, "unit",
	                    json_pack("{s:s,s:s}", "code", target->code, "name",
	                              target->name[0] ? target->name : gnbv_web_msg(r, "unit.all")));
	return 0;
}

void gnbv_web_unit_query(gnbv_web_req *r, const char *unit, gnbv_wbuf *out)
{
	url_arg(r, out, "unit", unit);
}

typedef struct items_ctx {
	gnbv_web_req *r;
	json_t *a;
	int year;
} items_ctx;

static int add_item(void *ctx, const gnbv_hh_item *it)
{
	items_ctx *c = ctx;
	json_array_append_new(c->a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "code", it->code,
	                                      "head", it->head, "village", it->unit_name, "members",
	                                      gnbv_web_int(c->r, it->members), "klass",
	                                      gnbv_class_name((gnbv_class)it->klass), "class_name",
	                                      gnbv_web_class_name(c->r, it->klass), "deficits",
	                                      it->deficits, "round", c->year));
	return 0;
}

int gnbv_page_households(gnbv_web_req *r)
{
	list_q q;
	gnbv_wbuf qs = {0};
	uint64_t total = 0;
	size_t ps = (size_t)r->cfg->page_size;
	int rc = parse_list(r, &q);
	if (rc) goto done;
	json_t *p = r->page = json_object();
	json_object_set_new(p, "years", q.years);
	q.years = NULL;
	json_object_set_new(p, "round", json_integer(q.year));
	gnbv_dash_row target;
	gnbv_round_ref rr = {GNBV_ROUND_PERIODIC, q.year ? q.year : 2000, 0, NULL};
	if ((rc = gnbv_web_unit_choices(r, p, q.unit, &rr, &target))) goto done;
	json_t *classes = json_array();
	for (int c = 0; c < GNBV_CLASS_COUNT; c++)
		json_array_append_new(classes, json_pack("{s:s,s:s,s:b}", "code",
		                                         gnbv_class_name((gnbv_class)c), "name",
		                                         gnbv_web_class_name(r, c), "selected",
		                                         c == q.klass));
	json_object_set_new(p, "classes", classes);
	json_t *inds = json_array();
	for (int k = 0; k < GNBV_RULE_COUNT; k++)
		json_array_append_new(inds,
		                      json_pack("{s:s,s:s,s:b}", "code", gnbv_dash_rule_code(k),
		                                "name", kmsg(r, "ind.", gnbv_dash_rule_code(k)),
		                                "selected", k == q.rule));
	json_object_set_new(p, "indicators", inds);

	json_t *items = json_array();
	items_ctx ic = {r, items, q.year};
	gnbv_hh_filter f = {q.unit, q.klass, q.rule, rr, (q.page - 1) * ps, ps};
	if (q.year &&
	    (rc = gnbv_dash_households(r->s, &r->scope, r->cache, &f, add_item, &ic, &total))) {
		json_decref(items);
		goto done;
	}
	json_object_set_new(p, "has_items", json_boolean(json_array_size(items) > 0));
	json_object_set_new(p, "items", items);
	json_object_set_new(p, "found", json_string(gnbv_web_int(r, (int64_t)total)));
	list_query(r, &q, &qs);
	json_object_set_new(p, "query", json_stringn(qs.p ? qs.p : "", qs.len));
	gnbv_web_pager(r, p, "/households", qs.p ? qs.p : "", q.page, total);
	char object[GNBV_STORE_CODE_MAX + 16];
	snprintf(object, sizeof object, "households:%s", target.code[0] ? target.code : "all");
	if ((rc = gnbv_web_access(r, "access.view", object,
	                       json_pack("{s:i,s:I,s:I}", "round", q.year, "page",
	                                 (json_int_t)q.page, "rows",
	                                 (json_int_t)json_array_size(items)))))
		goto done;
	r->tmpl = "households";
	r->title_key = "list.title";
done:
	json_decref(q.years);
	gnbv_wbuf_free(&qs);
	return rc;
}

typedef struct csv_ctx {
	gnbv_web_req *r;
	uint64_t rows;
} csv_ctx;

static int csv_item(void *ctx, const gnbv_hh_item *it)
{
	csv_ctx *c = ctx;
	gnbv_wbuf *b = &c->r->out;
	gnbv_web_csv_cell(b, it->code, 1);
	gnbv_web_csv_cell(b, it->unit_code, 0);
	gnbv_web_csv_cell(b, it->unit_name, 0);
	gnbv_web_csv_cell(b, it->head, 0);
	gnbv_wbuf_put(b, ",", 1);
	gnbv_wbuf_int(b, it->members);
	gnbv_web_csv_cell(b, gnbv_class_name((gnbv_class)it->klass), 0);
	gnbv_wbuf_put(b, ",", 1);
	gnbv_wbuf_int(b, it->deficits);
	gnbv_wbuf_put(b, "\r\n", 2);
	c->rows++;
	return 0;
}

int gnbv_page_households_csv(gnbv_web_req *r)
{
	list_q q;
	int rc = parse_list(r, &q);
	json_decref(q.years);
	if (rc) return rc;
	csv_ctx c = {r, 0};
	gnbv_wbuf_str(&r->out, "\xef\xbb\xbf"
	                       "household_id,unit_code,unit_name,head,members,class,deficits\r\n");
	gnbv_round_ref rr = {GNBV_ROUND_PERIODIC, q.year, 0, NULL};
	uint64_t total = 0;
	/* All matching rows, a thousand at a time; the buffer's cap bounds it. */
	for (uint64_t off = 0; q.year;) {
		gnbv_hh_filter f = {q.unit, q.klass, q.rule, rr, off, 1000};
		uint64_t before = c.rows;
		if ((rc = gnbv_dash_households(r->s, &r->scope, r->cache, &f, csv_item, &c,
		                               off ? NULL : &total)))
			return rc;
		if (c.rows - before < 1000 || r->out.overflow) break;
		off += 1000;
	}
	char object[GNBV_STORE_CODE_MAX + 16];
	snprintf(object, sizeof object, "households:%s", q.unit ? q.unit : "own");
	if ((rc = gnbv_web_access(r, "access.export", object,
	                       json_pack("{s:i,s:s,s:s,s:I,s:s}", "round", q.year, "class",
	                                 q.klass >= 0 ? q.klass_s : "", "indicator",
	                                 q.rule >= 0 ? q.rule_s : "", "rows", (json_int_t)c.rows,
	                                 "format", "csv"))))
		return rc;
	r->ctype = "text/csv; charset=utf-8";
	snprintf(r->disposition, sizeof r->disposition,
	         "attachment; filename=\"households-%d.csv\"", q.year);
	return 0;
}

/* ---- search ---- */

typedef struct hits_ctx {
	gnbv_web_req *r;
	json_t *a;
} hits_ctx;

static int add_hit(void *ctx, const gnbv_member_hit *h)
{
	hits_ctx *c = ctx;
	json_array_append_new(c->a,
	                      json_pack("{s:s,s:s,s:s,s:i}", "name", h->name, "code",
	                                h->household_code, "unit", h->unit_code, "year", h->year));
	return 0;
}

/* Unit codes of the hits -> unit names, in one walk of the units. */
typedef struct names_ctx {
	json_t *hits;
} names_ctx;

static int name_units(void *ctx, const gnbv_unit *u)
{
	names_ctx *c = ctx;
	size_t i;
	json_t *h;
	json_array_foreach(c->hits, i, h)
	{
		if (!strcmp(json_string_value(json_object_get(h, "unit")), u->code))
			json_object_set_new(h, "unit", json_string(u->name));
	}
	return 0;
}

int gnbv_page_search(gnbv_web_req *r)
{
	const char *q = gnbv_web_form(r, "q", 100);
	const char *round = gnbv_web_form(r, "round", 8);
	int year, prev, rc;
	if (!q) return gnbv_error_set(GNBV_EINVALID, "search: no name");
	if ((rc = gnbv_web_round(r, round, &year, &prev, NULL))) return rc;
	json_t *hits = json_array();
	hits_ctx c = {r, hits};
	gnbv_round_ref rr = {GNBV_ROUND_PERIODIC, year, 0, NULL};
	if (*q && (rc = gnbv_store_member_search(r->s, &r->scope, year ? &rr : NULL, q, 100,
	                                         add_hit, &c))) {
		json_decref(hits);
		return rc;
	}
	names_ctx nc = {hits};
	if (json_array_size(hits) && (rc = gnbv_store_units_each(r->s, name_units, &nc))) {
		json_decref(hits);
		return rc;
	}
	if ((rc = gnbv_web_access(r, "access.search", "members",
	                       json_pack("{s:i,s:I}", "round", year, "rows",
	                                 (json_int_t)json_array_size(hits))))) {
		json_decref(hits);
		return rc;
	}
	r->page = json_pack("{s:s,s:i,s:b,s:o}", "q", q, "round", year, "has_hits",
	                    json_array_size(hits) > 0, "hits", hits);
	if (!r->page) return gnbv_error_set(GNBV_EINVALID, "search: not UTF-8");
	r->tmpl = "search";
	r->title_key = "search.results";
	return 0;
}

/* ---- the approval lock (quality.md S2) ---- */

/* 1 when the household's commune round of `year` is submitted or
 * recognised: the store refuses every write until the level above reopens
 * it (gnbv/review.h). *decision gets the recognition decision's number. */
static int round_locked(gnbv_web_req *r, const gnbv_household_rec *rec, int year, char *decision,
                        size_t cap)
{
	gnbv_unit u;
	gnbv_review_status st;
	decision[0] = '\0';
	if (gnbv_store_unit_get(r->s, rec->unit_code, rec->ref_date, &u)) return 0;
	const char *commune =
	    !strcmp(u.level, "village") && u.parent_code[0] ? u.parent_code : u.code;
	if (gnbv_review_status_get(r->s, &r->scope, commune, year, &st)) return 0;
	snprintf(decision, cap, "%s", st.decision_no);
	return st.step == GNBV_STEP_SUBMITTED || st.step == GNBV_STEP_RECOGNISED;
}

/* The answer to an edit of a locked round: 409 and why, nothing changed. */
static int locked_page(gnbv_web_req *r, const gnbv_household_rec *rec, int year,
                       const char *decision)
{
	json_decref(r->page);
	r->page =
	    json_pack("{s:s,s:i,s:s}", "code", rec->code, "round", year, "decision", decision);
	r->tmpl = "locked";
	r->title_key = "lock.title";
	r->status = 409;
	return 0;
}

/* ---- one household ---- */

typedef struct hist_ctx {
	gnbv_web_req *r;
	json_t *a;
	int latest;
} hist_ctx;

static int add_hist(void *ctx, const gnbv_hh_hist *h)
{
	hist_ctx *c = ctx;
	json_array_append_new(
	    c->a, json_pack("{s:i,s:s,s:s,s:i,s:s}", "year", h->year, "klass",
	                    gnbv_class_name((gnbv_class)h->klass), "class_name",
	                    gnbv_web_class_name(c->r, h->klass), "deficits", h->deficits, "state",
	                    gnbv_web_msg(c->r, h->replaced ? "hh.corrected" : "hh.current")));
	if (!h->replaced && h->year > c->latest) c->latest = h->year;
	return 0;
}

/* The household in the round asked for, or its latest; rec in the arena. */
static int load_household(gnbv_web_req *r, const char *round_s, gnbv_household_rec **out, int *year,
                          json_t **history, json_t **years)
{
	hist_ctx hc = {r, json_array(), 0};
	int prev, rc;
	*history = hc.a;
	*years = NULL;
	if ((rc = gnbv_dash_history(r->s, &r->scope, r->arg, add_hist, &hc))) return rc;
	if ((rc = gnbv_web_round(r, round_s && *round_s ? round_s : NULL, year, &prev, years)))
		return rc;
	if (!round_s || !*round_s) {
		*year = hc.latest;
		json_decref(*years);
		char y[16];
		snprintf(y, sizeof y, "%d", hc.latest);
		if ((rc = gnbv_web_round(r, y, year, &prev, years))) return rc;
	}
	gnbv_household_rec *rec = gnbv_arena_alloc(r->arena, sizeof *rec);
	if (!rec) return GNBV_ENOMEM;
	gnbv_round_ref rr = {GNBV_ROUND_PERIODIC, *year, 0, NULL};
	if ((rc = gnbv_store_household_get(r->s, &r->scope, &rr, r->arg, rec))) return rc;
	*out = rec;
	return 0;
}

static const char *money(gnbv_web_req *r, const gnbv_household *h)
{
	return h->has_income ? gnbv_web_int(r, h->income_month) : gnbv_web_msg(r, "tri.unknown");
}

static const char *area_text(gnbv_web_req *r, const gnbv_household *h)
{
	if (!h->has_living_area) return gnbv_web_msg(r, "tri.unknown");
	char *b = gnbv_arena_alloc(r->arena, 32);
	if (!b) return "";
	gnbv_fmt_dec(b, 32, h->living_area_m2, 1, r->english ? &GNBV_NUM_EN : &GNBV_NUM_VI);
	return b;
}

int gnbv_page_household(gnbv_web_req *r)
{
	gnbv_household_rec *rec = NULL;
	json_t *history = NULL, *years = NULL;
	gnbv_standard std;
	int year, rc;
	if ((rc = load_household(r, gnbv_web_query(r, "round", 8), &rec, &year, &history, &years)))
		goto fail;
	/* The reason: the engine again over the stored inputs (the stored
	 * assessment keeps the class and indicators, not the income basis). */
	char *reason = gnbv_arena_alloc(r->arena, 4096);
	gnbv_member *ms =
	    gnbv_arena_array(r->arena, rec->n_members ? rec->n_members : 1, sizeof *ms);
	if (!reason || !ms) {
		rc = GNBV_ENOMEM;
		goto fail;
	}
	if ((rc = gnbv_standard_load(&std, rec->standard))) goto fail;
	for (size_t i = 0; i < rec->n_members; i++)
		ms[i] = rec->members[i].m;
	gnbv_household h = rec->h;
	h.area = rec->a.area;
	gnbv_assessment a;
	gnbv_assess(&std, rec->ref_date, &h, ms, rec->n_members, &a, NULL);
	gnbv_assess_reason(&std, &h, &a, r->english, reason, 4096);

	json_t *members = json_array();
	for (size_t i = 0; i < rec->n_members; i++) {
		const gnbv_member_rec *m = &rec->members[i];
		char sx[2] = {m->m.sex == 'M' || m->m.sex == 'F' ? (char)m->m.sex : 0, 0};
		json_array_append_new(
		    members,
		    json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "no", m->m.member_no, "name",
		              m->name, "sex", sx[0] ? kmsg(r, "sex.", sx) : "", "birth",
		              m->birth_date, "relation",
		              m->m.relation >= 0 && m->m.relation < 6
		                  ? kmsg(r, "rel.", REL[m->m.relation])
		                  : "",
		              "ethnicity", m->ethnicity, "work",
		              m->m.work >= 0 && m->m.work < 6 ? kmsg(r, "work.", WORK[m->m.work])
		                                              : "",
		              "insurance", tri_text(r, m->m.health_insurance), "school",
		              tri_text(r, m->m.in_school)));
	}
	json_t *inds = json_array();
	for (int k = 0; k < std.n_indicators; k++) {
		int t = rec->a.ind[k];
		const char *state = t == GNBV_YES ? "deficient" : t == GNBV_NO ? "ok" : "unknown";
		json_array_append_new(
		    inds, json_pack("{s:s,s:s,s:s}", "name",
		                    kmsg(r, "ind.", gnbv_dash_rule_code(std.indicators[k].rule)),
		                    "state", state, "status",
		                    gnbv_web_msg(r, t == GNBV_YES  ? "hh.deficient"
		                                    : t == GNBV_NO ? "hh.ok"
		                                                   : "hh.unknown")));
	}
	const char *saved = gnbv_web_query(r, "saved", 2);
	char decision[128];
	int locked = round_locked(r, rec, year, decision, sizeof decision);
	gnbv_unit unit;
	const char *uname = gnbv_store_unit_get(r->s, rec->unit_code, rec->ref_date, &unit) == 0
	                        ? gnbv_arena_strdup(r->arena, unit.name)
	                        : rec->unit_code;
	r->page = json_pack(
	    "{s:s,s:i,s:o,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:o,s:o,s:o,s:b,s:b,s:b}", "code",
	    rec->code, "round", year, "years", years, "unit", uname ? uname : "", "standard",
	    rec->standard, "klass", gnbv_class_name(rec->a.klass), "class_name",
	    gnbv_web_class_name(r, rec->a.klass), "deficits", rec->a.deficits, "income",
	    money(r, &rec->h), "area", area_text(r, &rec->h), "reason", reason, "members", members,
	    "indicators", inds, "history", history, "can_edit",
	    gnbv_perm_allows(GNBV_PERM_EDIT, r->sess.user.role) && !locked, "saved",
	    saved && !strcmp(saved, "1"), "unchanged", saved && !strcmp(saved, "0"));
	years = history = NULL;
	if (!r->page) return gnbv_error_set(GNBV_EINVALID, "household page: bad text");
	if (locked) {
		json_object_set_new(r->page, "locked", json_true());
		json_object_set_new(r->page, "decision", json_string(decision));
		/* Recognised (a decision) and on a list: its certificate prints. */
		json_object_set_new(
		    r->page, "can_cert",
		    json_boolean(decision[0] && (rec->a.klass == GNBV_CLASS_POOR ||
		                                 rec->a.klass == GNBV_CLASS_NEAR_POOR)));
	}
	char object[GNBV_STORE_CODE_MAX + 16];
	snprintf(object, sizeof object, "household:%s", rec->code);
	if ((rc = gnbv_web_access(r, "access.view", object, json_pack("{s:i}", "round", year))))
		return rc;
	r->tmpl = "household";
	r->title_key = "hh.title";
	return 0;
fail:
	json_decref(history);
	json_decref(years);
	return rc;
}

/* ---- the edit form ---- */

static const char *const HH_TRIS[6] = {"floor_durable", "walls_durable",   "roof_durable",
                                       "water_safe",    "toilet_hygienic", "waste_treated"};
static const char *const HH_TRI_KEYS[6] = {"hh.floor", "hh.walls",  "hh.roof",
                                           "hh.water", "hh.toilet", "hh.waste_treated"};

static gnbv_tri *hh_tri(gnbv_household *h, int i)
{
	gnbv_tri *p[6] = {&h->floor_durable, &h->walls_durable,   &h->roof_durable,
	                  &h->water_safe,    &h->toilet_hygienic, &h->waste_treated};
	return p[i];
}

static json_t *tri_options(gnbv_web_req *r, int v)
{
	return json_pack("[{s:s,s:s,s:b},{s:s,s:s,s:b},{s:s,s:s,s:b}]", "v", "", "name",
	                 gnbv_web_msg(r, "tri.unknown"), "selected", v < 0, "v", "1", "name",
	                 gnbv_web_msg(r, "tri.yes"), "selected", v == 1, "v", "0", "name",
	                 gnbv_web_msg(r, "tri.no"), "selected", v == 0);
}

static json_t *select_json(gnbv_web_req *r, const char *field, int v)
{
	json_t *opts;
	if (!strcmp(field, "sex")) {
		opts = json_pack("[{s:s,s:s,s:b},{s:s,s:s,s:b},{s:s,s:s,s:b}]", "v", "", "name",
		                 gnbv_web_msg(r, "tri.unknown"), "selected", v != 'M' && v != 'F',
		                 "v", "M", "name", gnbv_web_msg(r, "sex.M"), "selected", v == 'M',
		                 "v", "F", "name", gnbv_web_msg(r, "sex.F"), "selected", v == 'F');
	} else if (!strcmp(field, "work") || !strcmp(field, "relation")) {
		int work = field[0] == 'w';
		const char *const *words = work ? WORK : REL;
		opts = json_array();
		json_array_append_new(opts,
		                      json_pack("{s:s,s:s,s:b}", "v", "", "name",
		                                gnbv_web_msg(r, "tri.unknown"), "selected", v < 0));
		for (int k = 0; k < 6; k++)
			json_array_append_new(opts,
			                      json_pack("{s:s,s:s,s:b}", "v", words[k], "name",
			                                kmsg(r, work ? "work." : "rel.", words[k]),
			                                "selected", v == k));
	} else {
		opts = tri_options(r, v);
	}
	return json_pack("{s:s,s:o}", "field", field, "options", opts);
}

static const char *num_text(gnbv_web_req *r, int has, double v, int integer)
{
	if (!has) return "";
	char *b = gnbv_arena_alloc(r->arena, 32);
	if (!b) return "";
	if (integer)
		snprintf(b, 32, "%lld", (long long)v);
	else
		gnbv_fmt_dec(b, 32, v, 2, &GNBV_NUM_PLAIN);
	return b;
}

/* The form over rec; bad (may be NULL) marks fields that failed. */
static void edit_page(gnbv_web_req *r, const gnbv_household_rec *rec, int year, json_t *bad)
{
	json_t *p = json_pack("{s:s,s:i,s:s,s:s}", "code", rec->code, "round", year, "income_month",
	                      num_text(r, rec->h.has_income, (double)rec->h.income_month, 1),
	                      "living_area_m2",
	                      num_text(r, rec->h.has_living_area, rec->h.living_area_m2, 0));
	json_t *tris = json_array();
	gnbv_household h = rec->h;
	for (int i = 0; i < 6; i++)
		json_array_append_new(tris, json_pack("{s:s,s:s,s:o}", "field", HH_TRIS[i], "label",
		                                      gnbv_web_msg(r, HH_TRI_KEYS[i]), "options",
		                                      tri_options(r, *hh_tri(&h, i))));
	json_object_set_new(p, "tris", tris);
	json_t *members = json_array();
	for (size_t i = 0; i <= rec->n_members; i++) {
		/* The row after the last: a new member, added when named. */
		gnbv_member_rec blank;
		memset(&blank, 0, sizeof blank);
		blank.m.sex = GNBV_SEX_UNKNOWN;
		blank.m.relation = blank.m.work = -1;
		blank.m.health_insurance = blank.m.in_school = blank.m.able_to_work = GNBV_UNKNOWN;
		int is_new = i == rec->n_members;
		if (is_new && rec->n_members >= GNBV_STORE_MAX_MEMBERS) break;
		const gnbv_member_rec *m = is_new ? &blank : &rec->members[i];
		json_t *sel = json_array();
		json_array_append_new(sel, select_json(r, "sex", m->m.sex));
		json_array_append_new(sel, select_json(r, "relation", m->m.relation));
		json_array_append_new(sel, select_json(r, "insurance", m->m.health_insurance));
		json_array_append_new(sel, select_json(r, "school", m->m.in_school));
		json_array_append_new(sel, select_json(r, "able", m->m.able_to_work));
		json_array_append_new(sel, select_json(r, "work", m->m.work));
		char no[16], k[32];
		snprintf(no, sizeof no, is_new ? "new" : "%d", m->m.member_no);
		json_t *mo = json_pack("{s:s,s:s,s:s,s:o,s:b}", "no", no, "name", m->name, "birth",
		                       m->birth_date, "selects", sel, "is_new", is_new);
		snprintf(k, sizeof k, "m%s_name", no);
		if (bad && json_object_get(bad, k))
			json_object_set_new(mo, "name_bad", json_true());
		snprintf(k, sizeof k, "m%s_birth", no);
		if (bad && json_object_get(bad, k))
			json_object_set_new(mo, "birth_bad", json_true());
		json_array_append_new(members, mo);
	}
	json_object_set_new(p, "members", members);
	if (bad) {
		const char *k;
		json_t *v;
		json_object_foreach(bad, k, v)
		{
			char key[48];
			snprintf(key, sizeof key, "%s_bad", k);
			json_object_set_new(p, key, json_true());
		}
		if (json_object_size(bad)) json_object_set_new(p, "errors", json_true());
	}
	json_decref(r->page);
	r->page = p;
	r->tmpl = "edit";
	r->title_key = "edit.title";
}

int gnbv_page_household_edit_form(gnbv_web_req *r)
{
	gnbv_household_rec *rec;
	json_t *history = NULL, *years = NULL;
	int year;
	int rc = load_household(r, gnbv_web_query(r, "round", 8), &rec, &year, &history, &years);
	json_decref(history);
	json_decref(years);
	if (rc) return rc;
	char decision[128];
	if (round_locked(r, rec, year, decision, sizeof decision))
		return locked_page(r, rec, year, decision);
	char object[GNBV_STORE_CODE_MAX + 16];
	snprintf(object, sizeof object, "household:%s", rec->code);
	if ((rc = gnbv_web_access(r, "access.view", object,
	                       json_pack("{s:i,s:s}", "round", year, "form", "edit"))))
		return rc;
	edit_page(r, rec, year, NULL);
	return 0;
}

/* A tri-state field: "" unknown, "1", "0"; absent keeps the old value. */
static int tri_field(gnbv_web_req *r, const char *name, gnbv_tri *v, json_t *bad)
{
	const char *s = gnbv_web_form(r, name, 8);
	if (!s) return 0;
	if (!*s)
		*v = GNBV_UNKNOWN;
	else if (!strcmp(s, "1"))
		*v = GNBV_YES;
	else if (!strcmp(s, "0"))
		*v = GNBV_NO;
	else if (bad)
		json_object_set_new(bad, name, json_true());
	return 0;
}

static int date_ok(const char *s)
{
	size_t n = strlen(s);
	if (n != 0 && n != 4 && n != 10) return 0;
	for (size_t i = 0; i < n; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return 0;
	return 1;
}

int gnbv_page_household_edit(gnbv_web_req *r)
{
	gnbv_household_rec *rec;
	json_t *history = NULL, *years = NULL, *bad = json_object();
	int year, changed = 0;
	int rc = load_household(r, gnbv_web_form(r, "round", 8), &rec, &year, &history, &years);
	json_decref(history);
	json_decref(years);
	if (rc) goto done;
	gnbv_household *h = &rec->h;
	const char *inc = gnbv_web_form(r, "income_month", 12);
	if (inc) {
		char *end;
		long long v = strtoll(inc, &end, 10);
		if (!*inc)
			h->has_income = 0;
		else if (*end || v < 0 || v > 1000000000LL)
			json_object_set_new(bad, "income_month", json_true());
		else {
			h->has_income = 1;
			h->income_month = v;
			h->has_score = 0; /* the amount typed replaces the form's score */
		}
	}
	const char *la = gnbv_web_form(r, "living_area_m2", 12);
	if (la) {
		char *end;
		double v = strtod(la, &end);
		if (!*la)
			h->has_living_area = 0;
		else if (*end || !(v >= 0 && v <= 100000))
			json_object_set_new(bad, "living_area_m2", json_true());
		else {
			h->has_living_area = 1;
			h->living_area_m2 = v;
		}
	}
	for (int i = 0; i < 6; i++)
		tri_field(r, HH_TRIS[i], hh_tri(h, i), bad);
	for (size_t i = 0; i < rec->n_members; i++) {
		gnbv_member_rec *m = &rec->members[i];
		char k[32];
		int no = m->m.member_no;
		snprintf(k, sizeof k, "m%d_name", no);
		const char *name = gnbv_web_form(r, k, GNBV_STORE_NAME_MAX);
		json_t *probe = name ? json_string(name) : NULL; /* NULL: not UTF-8 */
		if (name && !probe)
			json_object_set_new(bad, k, json_true());
		else if (name)
			snprintf(m->name, sizeof m->name, "%s", name);
		json_decref(probe);
		if (!name && gnbv_web_var(r, r->body, k, 1 << 16))
			json_object_set_new(bad, k, json_true()); /* too long */
		snprintf(k, sizeof k, "m%d_birth", no);
		const char *birth = gnbv_web_form(r, k, 10);
		if (birth && !date_ok(birth))
			json_object_set_new(bad, k, json_true());
		else if (birth)
			snprintf(m->birth_date, sizeof m->birth_date, "%s", birth);
		snprintf(k, sizeof k, "m%d_sex", no);
		const char *sx = gnbv_web_form(r, k, 1);
		if (sx)
			m->m.sex = !strcmp(sx, "M")   ? 'M'
			           : !strcmp(sx, "F") ? 'F'
			                              : GNBV_SEX_UNKNOWN;
		snprintf(k, sizeof k, "m%d_insurance", no);
		tri_field(r, k, &m->m.health_insurance, bad);
		snprintf(k, sizeof k, "m%d_school", no);
		tri_field(r, k, &m->m.in_school, bad);
		snprintf(k, sizeof k, "m%d_able", no);
		tri_field(r, k, &m->m.able_to_work, bad);
		snprintf(k, sizeof k, "m%d_relation", no);
		const char *rel = gnbv_web_form(r, k, 16);
		if (rel) {
			signed char v = -1;
			for (int q = 0; q < 6; q++)
				if (!strcmp(rel, REL[q])) v = (signed char)q;
			if (v < 0 && *rel)
				json_object_set_new(bad, k, json_true());
			else
				m->m.relation = v;
		}
		snprintf(k, sizeof k, "m%d_work", no);
		const char *w = gnbv_web_form(r, k, 16);
		if (w) {
			int found = !*w;
			signed char v = -1;
			for (int q = 0; q < 6; q++)
				if (!strcmp(w, WORK[q])) {
					v = (signed char)q;
					found = 1;
				}
			if (!found)
				json_object_set_new(bad, k, json_true());
			else
				m->m.work = v;
		}
	}
	/* Removed members (ticked), then a new one (named or dated): checked
	 * first, applied only when the whole form is valid. */
	unsigned char *removed = gnbv_arena_alloc(r->arena, rec->n_members + 1);
	size_t kept = 0;
	int max_no = 0;
	if (!removed) {
		rc = GNBV_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < rec->n_members; i++) {
		char k[32];
		snprintf(k, sizeof k, "m%d_remove", rec->members[i].m.member_no);
		const char *rm = gnbv_web_form(r, k, 2);
		if (rec->members[i].m.member_no > max_no) max_no = rec->members[i].m.member_no;
		removed[i] = rm && !strcmp(rm, "1");
		kept += !removed[i];
	}
	const char *nn = gnbv_web_form(r, "mnew_name", GNBV_STORE_NAME_MAX);
	const char *nb = gnbv_web_form(r, "mnew_birth", 10);
	int add = (nn && *nn) || (nb && *nb);
	if (add) {
		json_t *probe = json_string(nn ? nn : "");
		if (!probe) json_object_set_new(bad, "mnew_name", json_true());
		json_decref(probe);
		if (nb && !date_ok(nb)) json_object_set_new(bad, "mnew_birth", json_true());
		if (kept >= GNBV_STORE_MAX_MEMBERS)
			json_object_set_new(bad, "members", json_true());
	}
	if (kept + (size_t)add == 0) /* a household has members */
		json_object_set_new(bad, "members", json_true());
	if (json_object_size(bad)) {
		edit_page(r, rec, year, bad);
		r->status = 400;
		rc = 0;
		goto done;
	}
	kept = 0;
	for (size_t i = 0; i < rec->n_members; i++)
		if (!removed[i]) rec->members[kept++] = rec->members[i];
	if (add) {
		gnbv_member_rec *m = &rec->members[kept++];
		memset(m, 0, sizeof *m);
		m->m.member_no = max_no + 1;
		m->m.sex = GNBV_SEX_UNKNOWN;
		m->m.relation = m->m.work = m->m.level = -1;
		m->m.able_to_work = m->m.health_insurance = m->m.stunted = m->m.underweight =
		    m->m.in_school = m->m.uses_internet = m->m.social_allowance = GNBV_UNKNOWN;
		snprintf(m->name, sizeof m->name, "%s", nn ? nn : "");
		snprintf(m->birth_date, sizeof m->birth_date, "%s", nb ? nb : "");
		const char *sx = gnbv_web_form(r, "mnew_sex", 1);
		if (sx)
			m->m.sex = !strcmp(sx, "M")   ? 'M'
			           : !strcmp(sx, "F") ? 'F'
			                              : GNBV_SEX_UNKNOWN;
		const char *rel = gnbv_web_form(r, "mnew_relation", 16);
		for (int q = 0; rel && q < 6; q++)
			if (!strcmp(rel, REL[q])) m->m.relation = (signed char)q;
		const char *w = gnbv_web_form(r, "mnew_work", 16);
		for (int q = 0; w && q < 6; q++)
			if (!strcmp(w, WORK[q])) m->m.work = (signed char)q;
		tri_field(r, "mnew_insurance", &m->m.health_insurance, NULL);
		tri_field(r, "mnew_school", &m->m.in_school, NULL);
		tri_field(r, "mnew_able", &m->m.able_to_work, NULL);
	}
	rec->n_members = kept;
	gnbv_round_ref rr = {GNBV_ROUND_PERIODIC, year, 0, NULL};
	/* The class and deficits before, by rule, for the dashboard's cache. */
	signed char old_ind[GNBV_RULE_COUNT], new_ind[GNBV_RULE_COUNT];
	int old_class = rec->a.klass;
	int64_t version = 0;
	gnbv_standard std;
	memset(old_ind, -1, sizeof old_ind);
	memset(new_ind, -1, sizeof new_ind);
	int have_std = gnbv_standard_load(&std, rec->standard) == 0;
	for (int k = 0; have_std && k < std.n_indicators; k++)
		old_ind[std.indicators[k].rule] = rec->a.ind[k];
	if ((rc = gnbv_dash_version(r->s, &version))) goto done;
	rc = gnbv_store_household_put(r->s, &r->scope, &rr, rec, &changed);
	if (rc == GNBV_ECONFLICT) {
		/* Locked by the review workflow (or changed meanwhile): nothing saved. */
		char decision[128];
		round_locked(r, rec, year, decision, sizeof decision);
		rc = locked_page(r, rec, year, decision);
		goto done;
	}
	if (rc == GNBV_EINVALID) {
		/* The store's own checks: show the form again, unsaved. */
		edit_page(r, rec, year, NULL);
		json_object_set_new(r->page, "rejected", json_string(gnbv_error_message()));
		r->status = 400;
		rc = 0;
		goto done;
	}
	if (rc) goto done;
	if (changed) {
		for (int k = 0; have_std && k < std.n_indicators; k++)
			new_ind[std.indicators[k].rule] = rec->a.ind[k];
		if (!have_std) old_class = -1; /* unknown: the cache recounts */
		if ((rc =
		         gnbv_dash_cache_note_edit(r->s, r->cache, &rr, rec->unit_code, version,
		                                   old_class, old_ind, (int)rec->a.klass, new_ind)))
			goto done;
	}
	char loc[256], enc[160];
	mg_url_encode(rec->code, enc, sizeof enc);
	snprintf(loc, sizeof loc, "/household/%s?round=%d&saved=%d", enc, year, changed ? 1 : 0);
	rc = gnbv_web_redirect(r, loc);
done:
	json_decref(bad);
	return rc;
}
