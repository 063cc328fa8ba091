/*
 * transition.c - the transitions between a commune's consecutive recognised
 * review rounds, and the result summary form built from them, consolidated
 * up the unit tree (commune -> district -> province).
 *
 * One statement per commune gives every household of either round with
 * its class in t-1 and in t, whether it was poor or near-poor in a
 * recognised round before t (itself, or a household it was split off or
 * merged from), where it came from, whether it was merged away, its area
 * and its head's ethnicity; the rules of src/core/transition.c then decide
 * each row as it streams. Nothing loops over households in SQL calls.
 *
 * The summary form follows domain.md §2 ([S]; the official form, Circular
 * 07/2021/TT-BLĐTBXH's annexes, was not found): per unit and urban/rural,
 * households; poor (and near-poor) at the start of the year per the
 * recognition decision of t-1; the changes in the year by kind; at the end
 * of the year per the decision of t, with the ethnic-minority households.
 */
#include "review_int.h"

#include "gnbv/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char TRANSITION_SQL[] =
    "WITH cur AS MATERIALIZED (SELECT s.household_id, s.survey_id, s.class, s.area_used FROM unit "
    "u JOIN "
    "survey s ON s.unit_id = u.unit_id WHERE u.path >= ? AND u.path < ? AND s.period = ? AND "
    "s.round_id = ? AND s.replaced_by IS NULL), "
    "prv AS MATERIALIZED (SELECT s.household_id, s.survey_id, s.class, s.area_used FROM unit u "
    "JOIN survey s "
    "ON s.unit_id = u.unit_id WHERE u.path >= ? AND u.path < ? AND s.period = ? AND s.round_id "
    "= ? AND s.replaced_by IS NULL), "
    "keys AS (SELECT household_id FROM cur UNION SELECT household_id FROM prv), "
    "anc AS (SELECT household_id AS hh, household_id AS src FROM keys UNION SELECT "
    "o.household_id, o.from_household_id FROM household_origin o JOIN keys k ON k.household_id "
    "= o.household_id), "
    "hist AS (SELECT a.hh, max(CASE WHEN s.class = 'poor' THEN 1 ELSE 0 END) AS wp, "
    "max(CASE WHEN s.class = 'near_poor' THEN 1 ELSE 0 END) AS wn FROM anc a JOIN survey s ON "
    "s.household_id = a.src AND s.replaced_by IS NULL JOIN review_round r ON r.round_id = "
    "s.round_id JOIN review_state w ON w.round_id = r.round_id WHERE r.kind = 'periodic' AND "
    "r.year < ? AND w.step = 'recognised' GROUP BY a.hh), "
    "org AS (SELECT o.household_id, min(o.kind) AS kind, min(f.code) AS from_code FROM "
    "household_origin o JOIN household f ON f.household_id = o.from_household_id JOIN cur c ON "
    "c.household_id = o.household_id GROUP BY o.household_id), "
    "gone AS (SELECT DISTINCT o.from_household_id AS hid FROM household_origin o JOIN cur c ON "
    "c.household_id = o.household_id WHERE o.kind = 'merge') "
    "SELECT h.code, p.class, c.class, coalesce(hi.wp, 0), coalesce(hi.wn, 0), org.kind, "
    "org.from_code, CASE WHEN g.hid IS NULL THEN 0 ELSE 1 END, c.area_used, p.area_used, "
    "(SELECT m.ethnicity FROM member m WHERE m.survey_id = coalesce(c.survey_id, p.survey_id) "
    "ORDER BY CASE WHEN m.relation = 'head' THEN 0 ELSE 1 END, m.member_no LIMIT 1) "
    "FROM keys k JOIN household h ON h.household_id = k.household_id "
    "LEFT JOIN cur c ON c.household_id = k.household_id "
    "LEFT JOIN prv p ON p.household_id = k.household_id "
    "LEFT JOIN hist hi ON hi.hh = k.household_id "
    "LEFT JOIN org ON org.household_id = k.household_id "
    "LEFT JOIN gone g ON g.hid = k.household_id ORDER BY h.code";

static int class_of(const char *t)
{
	for (int k = 0; k < GNBV_CLASS_COUNT; k++)
		if (!strcmp(t, gnbv_class_name((gnbv_class)k))) return k;
	return -1;
}

static int area_of(const char *t)
{
	return !strcmp(t, "urban")   ? GNBV_AREA_URBAN
	       : !strcmp(t, "rural") ? GNBV_AREA_RURAL
	                             : GNBV_AREA_UNKNOWN;
}

static int minority_of(const gnbv_review_params *p, const char *eth)
{
	if (!eth[0]) return -1;
	for (size_t i = 0; i < p->n_majority; i++)
		if (!strcmp(eth, p->majority[i])) return 0;
	return 1;
}

/* The transitions of one commune's round pair; `prev_area` of each row is
 * passed to fn through a second callback argument. */
typedef int (*row_fn)(void *ctx, const gnbv_transition *t, int prev_area);

static int run_pair(gnbv_store *s, const gnbv_review_params *p, const char *path, int64_t cur,
                    int year, int64_t prev, int prev_year, row_fn fn, void *ctx)
{
	gnbv_bstmt *st = NULL;
	gnbv__rkeys kc, kp;
	gnbv__round_keys(path, year, &kc);
	gnbv__round_keys(path, prev_year, &kp);
	int rc = gnbv__q(s, &st, TRANSITION_SQL, "tttitttid", kc.lo, kc.hi, kc.period, cur, kp.lo,
	                 kp.hi, kp.period, prev, year);
	if (rc) goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_transition t;
		char kind[16] = "", eth[GNBV_STORE_TEXT_MAX + 1] = "", a[16] = "", pa[16] = "";
		memset(&t, 0, sizeof t);
		gnbv__col_copy(s, st, 0, t.household_code, sizeof t.household_code);
		if (!gnbv__col_null(s, st, 1))
			gnbv__col_copy(s, st, 1, t.prev_class, sizeof t.prev_class);
		if (!gnbv__col_null(s, st, 2))
			gnbv__col_copy(s, st, 2, t.cur_class, sizeof t.cur_class);
		int wp = (int)gnbv__col_int(s, st, 3), wn = (int)gnbv__col_int(s, st, 4);
		if (!gnbv__col_null(s, st, 5)) gnbv__col_copy(s, st, 5, kind, sizeof kind);
		if (!gnbv__col_null(s, st, 6)) gnbv__col_copy(s, st, 6, t.origin, sizeof t.origin);
		int merged_away = (int)gnbv__col_int(s, st, 7);
		if (!gnbv__col_null(s, st, 8)) gnbv__col_copy(s, st, 8, a, sizeof a);
		if (!gnbv__col_null(s, st, 9)) gnbv__col_copy(s, st, 9, pa, sizeof pa);
		if (!gnbv__col_null(s, st, 10)) gnbv__col_copy(s, st, 10, eth, sizeof eth);
		int pc = t.prev_class[0] ? class_of(t.prev_class) : -1;
		int cc = t.cur_class[0] ? class_of(t.cur_class) : -1;
		int origin = !strcmp(kind, "split") ? 1 : !strcmp(kind, "merge") ? 2 : 0;
		gnbv_transition_decide(pc, cc, wp, wn, origin, merged_away, &t.kind, &t.near,
		                       &t.move);
		int prev_area = area_of(pa);
		t.area = a[0] ? area_of(a) : prev_area;
		t.minority = minority_of(p, eth);
		if ((rc = fn(ctx, &t, pa[0] ? prev_area : t.area))) goto done;
	}
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	return rc;
}

/* The recognised round of `year` and the previous recognised one. */
static int round_pair(gnbv_store *s, const gnbv__commune *c, int year, int64_t *cur, int64_t *prev,
                      int *prev_year)
{
	int step;
	int rc = gnbv__round_find(s, c->unit_id, year, cur, &step);
	if (rc) return rc;
	if (!*cur || step != GNBV_STEP_RECOGNISED)
		return gnbv_error_set(GNBV_ENOTFOUND,
		                      "%s (%s) has no recognised review round of %d", c->name,
		                      c->code, year);
	if ((rc = gnbv__round_prev(s, c->unit_id, year, prev, prev_year))) return rc;
	if (!*prev)
		return gnbv_error_set(GNBV_ENOTFOUND,
		                      "%s (%s) has no recognised review round before %d to compare "
		                      "with",
		                      c->name, c->code, year);
	return 0;
}

typedef struct fwd {
	gnbv_transition_fn fn;
	void *ctx;
} fwd;

static int forward(void *ctx, const gnbv_transition *t, int prev_area)
{
	(void)prev_area;
	fwd *f = ctx;
	return f->fn(f->ctx, t);
}

int gnbv_review_transitions(gnbv_store *s, const gnbv_scope *scope, const gnbv_review_params *prm,
                            const char *commune, int year, int *prev_year, gnbv_transition_fn fn,
                            void *ctx)
{
	gnbv_review_params pbuf;
	gnbv__commune c;
	int64_t cur = 0, prev = 0;
	int py = 0, rc;
	if (!prm) {
		if ((rc = gnbv_review_params_load(&pbuf, NULL))) return rc;
		prm = &pbuf;
	}
	if ((rc = gnbv__commune_get(s, commune, year * 10000 + 1001, &c))) return rc;
	if (!scope || !gnbv__scope_has(scope, c.path))
		return gnbv_error_set(GNBV_EDENIED, "%s (%s) is outside your scope", c.name,
		                      c.code);
	if ((rc = round_pair(s, &c, year, &cur, &prev, &py))) return rc;
	if (prev_year) *prev_year = py;
	fwd f = {fn, ctx};
	return run_pair(s, prm, c.path, cur, year, prev, py, forward, &f);
}

/* ---- the summary form ---- */

typedef struct unit_row {
	int64_t id;
	long parent; /* index in the form, -1 for the top */
	char code[GNBV_STORE_CODE_MAX + 1], name[GNBV_STORE_NAME_MAX + 1], level[16];
	int depth;
	gnbv_summary_row r[GNBV_SUM_AREAS];
} unit_row;

typedef struct sum_ctx {
	gnbv_summary_row *r[GNBV_SUM_AREAS]; /* the commune's rows */
} sum_ctx;

static void add_side_prev(gnbv_summary_side *sd, int on_list)
{
	if (on_list) sd->start++;
}

static int sum_row(void *ctx, const gnbv_transition *t, int prev_area)
{
	sum_ctx *c = ctx;
	int in_prev = t->prev_class[0] != 0, in_cur = t->cur_class[0] != 0;
	int pa = prev_area == GNBV_AREA_URBAN ? GNBV_SUM_URBAN : GNBV_SUM_RURAL;
	int ca = t->area == GNBV_AREA_URBAN ? GNBV_SUM_URBAN : GNBV_SUM_RURAL;
	int pp = !strcmp(t->prev_class, "poor"), pn = !strcmp(t->prev_class, "near_poor");
	int cp = !strcmp(t->cur_class, "poor"), cn = !strcmp(t->cur_class, "near_poor");
	for (int k = 0; k < 2; k++) {
		gnbv_summary_row *pr = c->r[k ? pa : GNBV_SUM_TOTAL];
		gnbv_summary_row *cr = c->r[k ? ca : GNBV_SUM_TOTAL];
		if (in_prev) {
			pr->households_start++;
			add_side_prev(&pr->poor, pp);
			add_side_prev(&pr->near, pn);
		}
		if (in_cur) {
			cr->households_end++;
			if (t->minority == 1) cr->minority_end++;
			if (cp) {
				cr->poor.end++;
				if (t->minority == 1) cr->poor.end_minority++;
			}
			if (cn) {
				cr->near.end++;
				if (t->minority == 1) cr->near.end_minority++;
			}
		}
		/* Changes: by the area at t, or at t-1 for those who left. */
		gnbv_summary_row *x = in_cur ? cr : pr;
		switch (t->kind) {
		case GNBV_TR_ESCAPED_TO_NEAR:
			x->poor.escaped++;
			x->poor.escaped_near++;
			break;
		case GNBV_TR_ESCAPED_OUT: x->poor.escaped++; break;
		case GNBV_TR_NEWLY_POOR: x->poor.newly++; break;
		case GNBV_TR_RE_POOR: x->poor.again++; break;
		default: break;
		}
		switch (t->near) {
		case GNBV_TRN_ESCAPED: x->near.escaped++; break;
		case GNBV_TRN_TO_POOR: x->near.to_other++; break;
		case GNBV_TRN_NEWLY_NEAR: x->near.newly++; break;
		case GNBV_TRN_RE_NEAR: x->near.again++; break;
		default: break;
		}
		if (t->move == GNBV_MV_MOVED_IN || t->move == GNBV_MV_SPLIT_NEW ||
		    t->move == GNBV_MV_MERGED_NEW) {
			if (cp) x->poor.arrived++;
			if (cn) x->near.arrived++;
		} else if (t->move == GNBV_MV_MOVED_OUT || t->move == GNBV_MV_MERGED_GONE) {
			if (pp) x->poor.left++;
			if (pn) x->near.left++;
		}
	}
	return 0;
}

static void side_add(gnbv_summary_side *a, const gnbv_summary_side *b)
{
	a->start += b->start;
	a->escaped += b->escaped;
	a->escaped_near += b->escaped_near;
	a->to_other += b->to_other;
	a->newly += b->newly;
	a->again += b->again;
	a->arrived += b->arrived;
	a->left += b->left;
	a->end += b->end;
	a->end_minority += b->end_minority;
}

static void row_add(gnbv_summary_row *a, const gnbv_summary_row *b)
{
	a->households_start += b->households_start;
	a->households_end += b->households_end;
	a->minority_end += b->minority_end;
	a->rounds += b->rounds;
	a->missing += b->missing;
	side_add(&a->poor, &b->poor);
	side_add(&a->near, &b->near);
}

typedef struct collect {
	const char *top_code;
	int32_t on;
	int in_top, top_depth;
	unit_row *u;
	size_t n, cap;
	long stack[16]; /* the form's index at each depth below the top */
	int err;
} collect;

static int valid_on(const gnbv_unit *u, const char *day)
{
	return (!u->valid_from[0] || strcmp(u->valid_from, day) <= 0) &&
	       (!u->valid_to[0] || strcmp(u->valid_to, day) >= 0);
}

/* Units in tree order: the top unit and everything below it down to the
 * communes (villages hold no round). */
static int collect_unit(void *ctx, const gnbv_unit *u)
{
	collect *c = ctx;
	char day[11];
	gnbv__date_text(c->on, day);
	if (c->in_top && u->depth <= c->top_depth) c->in_top = 0;
	if (!c->in_top) {
		if (strcmp(u->code, c->top_code) || !valid_on(u, day) || c->n) return 0;
		c->in_top = 1;
		c->top_depth = u->depth;
	}
	if (!strcmp(u->level, "village") || !valid_on(u, day)) return 0;
	int d = u->depth - c->top_depth;
	if (d < 0 || d >= 16) return 0;
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 64;
		unit_row *nu = realloc(c->u, nc * sizeof *nu);
		if (!nu) {
			c->err = gnbv_error_set(GNBV_ENOMEM, "out of memory");
			return 1;
		}
		c->u = nu;
		c->cap = nc;
	}
	unit_row *r = &c->u[c->n];
	memset(r, 0, sizeof *r);
	r->id = u->unit_id;
	r->parent = d ? c->stack[d - 1] : -1;
	snprintf(r->code, sizeof r->code, "%s", u->code);
	snprintf(r->name, sizeof r->name, "%s", u->name);
	snprintf(r->level, sizeof r->level, "%s", u->level);
	r->depth = d;
	c->stack[d] = (long)c->n;
	c->n++;
	return 0;
}

int gnbv_review_summary(gnbv_store *s, const gnbv_scope *scope, const gnbv_review_params *prm,
                        const char *unit, int year, gnbv_summary *out)
{
	gnbv_review_params pbuf;
	gnbv__commune top;
	collect c;
	int rc;
	memset(&c, 0, sizeof c);
	memset(out, 0, sizeof *out);
	if (!prm) {
		if ((rc = gnbv_review_params_load(&pbuf, NULL))) return rc;
		prm = &pbuf;
	}
	if ((rc = gnbv__commune_get(s, unit, year * 10000 + 1001, &top))) return rc;
	if (!scope || !gnbv__scope_has(scope, top.path))
		return gnbv_error_set(GNBV_EDENIED, "%s (%s) is outside your scope", top.name,
		                      top.code);
	c.top_code = top.code;
	c.on = year * 10000 + 1001;
	if ((rc = gnbv_store_units_each(s, collect_unit, &c))) {
		if (c.err) rc = c.err;
		goto done;
	}
	int prev_year_all = -1;
	for (size_t i = 0; i < c.n; i++) {
		unit_row *u = &c.u[i];
		for (int a = 0; a < GNBV_SUM_AREAS; a++)
			u->r[a].area = a;
		if (strcmp(u->level, "commune")) continue;
		gnbv__commune cm;
		int64_t cur = 0, prev = 0;
		int py = 0;
		if ((rc = gnbv__commune_get(s, u->code, c.on, &cm))) goto done;
		rc = round_pair(s, &cm, year, &cur, &prev, &py);
		if (rc == GNBV_ENOTFOUND) {
			u->r[GNBV_SUM_TOTAL].missing = 1;
			rc = 0;
			continue;
		}
		if (rc) goto done;
		u->r[GNBV_SUM_TOTAL].rounds = 1;
		prev_year_all = prev_year_all < 0 ? py : prev_year_all == py ? py : 0;
		sum_ctx sc = {{&u->r[0], &u->r[1], &u->r[2]}};
		if ((rc = run_pair(s, prm, cm.path, cur, year, prev, py, sum_row, &sc))) goto done;
	}
	/* Consolidate up the tree: children come after their parent, so a
	 * walk from the end adds each unit into its parent once complete. */
	for (size_t i = c.n; i-- > 1;) {
		long p = c.u[i].parent;
		if (p < 0) continue;
		for (int a = 0; a < GNBV_SUM_AREAS; a++)
			row_add(&c.u[p].r[a], &c.u[i].r[a]);
	}
	out->rows = calloc(c.n * GNBV_SUM_AREAS + 1, sizeof *out->rows);
	if (!out->rows) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < c.n; i++)
		for (int a = 0; a < GNBV_SUM_AREAS; a++) {
			gnbv_summary_row *r = &out->rows[out->n++];
			*r = c.u[i].r[a];
			snprintf(r->unit_code, sizeof r->unit_code, "%s", c.u[i].code);
			snprintf(r->unit_name, sizeof r->unit_name, "%s", c.u[i].name);
			snprintf(r->level, sizeof r->level, "%s", c.u[i].level);
			r->depth = c.u[i].depth;
			r->area = a;
			r->rounds = c.u[i].r[GNBV_SUM_TOTAL].rounds;
			r->missing = c.u[i].r[GNBV_SUM_TOTAL].missing;
		}
	out->year = year;
	out->prev_year = prev_year_all > 0 ? prev_year_all : 0;
	if (c.n == 0) rc = gnbv_error_set(GNBV_ENOTFOUND, "unit %s is not valid in %d", unit, year);
done:
	free(c.u);
	if (rc) gnbv_summary_free(out);
	return rc;
}

void gnbv_summary_free(gnbv_summary *sm)
{
	if (!sm) return;
	free(sm->rows);
	sm->rows = NULL;
	sm->n = 0;
}
