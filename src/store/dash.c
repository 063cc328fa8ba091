/*
 * dash.c - the reads behind the web screens (gnbv/dash.h): counts by child
 * unit and class, deficits per indicator, paged household lists, a
 * household's history, and access records.
 *
 * Scope works as in registry.c: the target unit is looked up in the unit
 * tree and refused unless its path lies in the scope; every statement then
 * keeps only rows whose unit path lies in the target's [lo, hi) range, so
 * nothing outside the scope can be counted or listed. The counts by child
 * are one GROUP BY (unit, class) over the target's subtree, rolled up to
 * the children in C over the in-memory unit tree: no stored aggregate
 * that an edit could leave stale (architecture.md, "Analytics stay fresh").
 *
 * The optional parts of the list's WHERE clause are fixed fragments and
 * the indicator's column comes from the rule table, never from the
 * request (style.md 9: identifiers only from allow-lists).
 */
#include "gnbv/dash.h"

#include "registry.h"
#include "store_int.h"

#include "gnbv/error.h"

#include "util/numfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *gnbv_dash_rule_code(int rule)
{
	return rule >= 0 && rule < GNBV_RULE_COUNT ? GNBV__RULE_CODES[rule] : NULL;
}

int gnbv_dash_rule_parse(const char *code)
{
	for (int i = 0; code && i < GNBV_RULE_COUNT; i++)
		if (!strcmp(GNBV__RULE_CODES[i], code)) return i;
	return -1;
}

static int class_of(const char *t, size_t n)
{
	for (int c = 0; c < GNBV_CLASS_COUNT; c++) {
		const char *cn = gnbv_class_name((gnbv_class)c);
		if (strlen(cn) == n && !memcmp(cn, t, n)) return c;
	}
	return GNBV_CLASS_INCOMPLETE;
}

/* The target unit: its index in the tree (-1 for the whole tree) and the
 * path range of its subtree, refused (as not found) outside the scope. */
static int target(gnbv__utree *t, const gnbv_scope *scope, const char *code, long *idx, char *lo,
                  char *hi, size_t cap)
{
	gnbv_scope sc;
	*idx = -1;
	if (!code || !code[0]) {
		if (scope->unit_id) {
			for (size_t i = 0; i < t->n; i++)
				if (t->u[i].id == scope->unit_id) *idx = (long)i;
			if (*idx < 0)
				return gnbv_error_set(GNBV_ENOTFOUND, "the scope's unit is gone");
		}
		gnbv__scope_range(scope, lo, hi, cap);
		return 0;
	}
	long any;
	long i = gnbv__utree_find(t, code, strlen(code), 0, &any);
	if (i < 0 && i != -1) i = any;
	if (i < 0 || !gnbv__scope_has(scope, t->u[i].path))
		return gnbv_error_set(GNBV_ENOTFOUND, "no unit '%.64s'", code);
	*idx = i;
	memset(&sc, 0, sizeof sc);
	sc.unit_id = t->u[i].id;
	snprintf(sc.path, sizeof sc.path, "%s", t->u[i].path);
	gnbv__scope_range(&sc, lo, hi, cap);
	return 0;
}

static long index_of_id(const gnbv__utree *t, int64_t id)
{
	size_t a = 0, b = t->n; /* the tree is in unit_id order */
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (t->u[m].id < id)
			a = m + 1;
		else
			b = m;
	}
	return a < t->n && t->u[a].id == id ? (long)a : -1;
}

static void row_of(const gnbv__utree *t, long i, gnbv_dash_row *r)
{
	memset(r, 0, sizeof *r);
	if (i < 0) return;
	snprintf(r->code, sizeof r->code, "%s", t->u[i].code);
	snprintf(r->name, sizeof r->name, "%s", t->u[i].name);
	snprintf(r->level, sizeof r->level, "%s", t->u[i].level);
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const gnbv_dash_row *)a)->code, ((const gnbv_dash_row *)b)->code);
}

int gnbv_dash_by_child(gnbv_store *s, const gnbv_scope *scope, const char *unit_code,
                       const gnbv_round_ref *round, gnbv_dash_row *self, gnbv_dash_row *rows,
                       size_t cap, size_t *n, char *parent, size_t parent_cap)
{
	gnbv__utree *t = NULL;
	gnbv_bstmt *st = NULL;
	long *slot = NULL; /* per unit index: its row, -1 none */
	char period[32], lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2];
	int kind, rc;
	int32_t ref;
	long ti;
	size_t nrows = 0;
	if ((rc = gnbv__round_resolve(round, &kind, &ref, period))) return rc;
	if ((rc = gnbv__utree_load(s, &t))) return rc;
	if ((rc = target(t, scope, unit_code, &ti, lo, hi, sizeof lo))) goto done;
	row_of(t, ti, self);
	if (parent && parent_cap) {
		parent[0] = '\0';
		if (ti >= 0 && t->u[ti].parent >= 0 &&
		    gnbv__scope_has(scope, t->u[t->u[ti].parent].path))
			snprintf(parent, parent_cap, "%s", t->u[t->u[ti].parent].code);
	}
	slot = malloc((t->n ? t->n : 1) * sizeof *slot);
	if (!slot) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < t->n; i++) {
		slot[i] = -1;
		if (t->u[i].parent != ti) continue;
		if (ti < 0 && !gnbv__scope_has(scope, t->u[i].path)) continue;
		if (nrows == cap) {
			rc = gnbv_error_set(GNBV_ETOOBIG, "more than %zu child units", cap);
			goto done;
		}
		row_of(t, (long)i, &rows[nrows]);
		slot[i] = (long)nrows++;
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->u[i].parent >= 0 && slot[t->u[i].parent] >= 0)
			rows[slot[t->u[i].parent]].has_children = 1;
	if ((rc = gnbv__prep(s,
	                     "SELECT s.unit_id, s.class, count(*) FROM survey s JOIN unit u ON "
	                     "u.unit_id = s.unit_id WHERE s.replaced_by IS NULL AND s.period = ? "
	                     "AND u.path >= ? AND u.path < ? GROUP BY s.unit_id, s.class",
	                     &st)) ||
	    (rc = gnbv__bind_text(s, st, 1, period, strlen(period))) ||
	    (rc = gnbv__bind_text(s, st, 2, lo, strlen(lo))) ||
	    (rc = gnbv__bind_text(s, st, 3, hi, strlen(hi))))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		long u = index_of_id(t, gnbv__col_int(s, st, 0));
		size_t cn;
		const char *ct = gnbv__col_text(s, st, 1, &cn);
		int c = class_of(ct, cn);
		uint64_t k = (uint64_t)gnbv__col_int(s, st, 2);
		self->n[c] += k;
		self->total += k;
		/* Up the tree to the child of the target. */
		while (u >= 0 && slot[u] < 0)
			u = t->u[u].parent;
		if (u >= 0) {
			rows[slot[u]].n[c] += k;
			rows[slot[u]].total += k;
		}
	}
	if (rc < 0) goto done;
	rc = 0;
	qsort(rows, nrows, sizeof *rows, cmp_row);
	*n = nrows;
done:
	gnbv__fin(s, st);
	gnbv__utree_free(t);
	free(slot);
	return rc;
}

int gnbv_dash_deficits(gnbv_store *s, const gnbv_scope *scope, const char *unit_code,
                       const gnbv_round_ref *round, int poor_only,
                       uint64_t deficient[GNBV_RULE_COUNT], uint64_t *total)
{
	gnbv__utree *t = NULL;
	gnbv_bstmt *st = NULL;
	char period[32], lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2];
	char sql[2048];
	gnbv_sb sb;
	int kind, rc;
	int32_t ref;
	long ti;
	if ((rc = gnbv__round_resolve(round, &kind, &ref, period))) return rc;
	if ((rc = gnbv__utree_load(s, &t))) return rc;
	if ((rc = target(t, scope, unit_code, &ti, lo, hi, sizeof lo))) goto done;
	gnbv_sb_init(&sb, sql, sizeof sql);
	gnbv_sb_put(&sb, "SELECT count(*)");
	for (int r = 0; r < GNBV_RULE_COUNT; r++) {
		gnbv_sb_put(&sb, ", coalesce(sum(CASE WHEN s.ind_");
		gnbv_sb_put(&sb, GNBV__RULE_CODES[r]);
		gnbv_sb_put(&sb, " = 1 THEN 1 ELSE 0 END), 0)");
	}
	gnbv_sb_put(&sb, " FROM survey s JOIN unit u ON u.unit_id = s.unit_id WHERE "
	                 "s.replaced_by IS NULL AND s.period = ? AND u.path >= ? AND u.path < ?");
	if (poor_only) gnbv_sb_put(&sb, " AND s.class = 'poor'");
	if (sb.truncated) {
		rc = gnbv_error_set(GNBV_ETOOBIG, "deficits: statement too long");
		goto done;
	}
	if ((rc = gnbv__prep(s, sql, &st)) ||
	    (rc = gnbv__bind_text(s, st, 1, period, strlen(period))) ||
	    (rc = gnbv__bind_text(s, st, 2, lo, strlen(lo))) ||
	    (rc = gnbv__bind_text(s, st, 3, hi, strlen(hi))))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc == GNBV_BACKEND_ROW) {
		*total = (uint64_t)gnbv__col_int(s, st, 0);
		for (int r = 0; r < GNBV_RULE_COUNT; r++)
			deficient[r] = (uint64_t)gnbv__col_int(s, st, 1 + r);
	}
	rc = 0;
done:
	gnbv__fin(s, st);
	gnbv__utree_free(t);
	return rc;
}

/* The WHERE clause of a household list (count and page share it). */
static void list_where(gnbv_sb *sb, const gnbv_hh_filter *f)
{
	gnbv_sb_put(sb, " FROM survey s JOIN household h ON h.household_id = s.household_id "
	                "JOIN unit u ON u.unit_id = s.unit_id WHERE s.replaced_by IS NULL AND "
	                "s.period = ? AND u.path >= ? AND u.path < ?");
	if (f->klass >= 0) gnbv_sb_put(sb, " AND s.class = ?");
	if (f->rule >= 0) {
		gnbv_sb_put(sb, " AND s.ind_");
		gnbv_sb_put(sb, GNBV__RULE_CODES[f->rule]);
		gnbv_sb_put(sb, " = 1");
	}
}

static int bind_list(gnbv_store *s, gnbv_bstmt *st, const gnbv_hh_filter *f, const char *period,
                     const char *lo, const char *hi)
{
	int rc;
	if ((rc = gnbv__bind_text(s, st, 1, period, strlen(period))) ||
	    (rc = gnbv__bind_text(s, st, 2, lo, strlen(lo))) ||
	    (rc = gnbv__bind_text(s, st, 3, hi, strlen(hi))))
		return rc;
	if (f->klass >= 0) {
		const char *cn = gnbv_class_name((gnbv_class)f->klass);
		if ((rc = gnbv__bind_text(s, st, 4, cn, strlen(cn)))) return rc;
	}
	return 0;
}

int gnbv_dash_households(gnbv_store *s, const gnbv_scope *scope, const gnbv_hh_filter *f,
                         gnbv_hh_fn fn, void *ctx, uint64_t *total)
{
	gnbv__utree *t = NULL;
	gnbv_bstmt *st = NULL;
	char period[32], lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2];
	char sql[2048];
	gnbv_sb sb;
	int kind, rc;
	int32_t ref;
	long ti;
	size_t limit = f->limit ? f->limit : 50;
	if (limit > 1000) limit = 1000;
	if (f->klass < -1 || f->klass >= GNBV_CLASS_COUNT || f->rule < -1 ||
	    f->rule >= GNBV_RULE_COUNT)
		return gnbv_error_set(GNBV_EINVALID, "household list: bad class or indicator");
	if ((rc = gnbv__round_resolve(&f->round, &kind, &ref, period))) return rc;
	if ((rc = gnbv__utree_load(s, &t))) return rc;
	if ((rc = target(t, scope, f->unit_code, &ti, lo, hi, sizeof lo))) goto done;
	int nb = 4 + (f->klass >= 0);
	if (total) {
		gnbv_sb_init(&sb, sql, sizeof sql);
		gnbv_sb_put(&sb, "SELECT count(*)");
		list_where(&sb, f);
		if ((rc = gnbv__prep(s, sql, &st)) || (rc = bind_list(s, st, f, period, lo, hi)))
			goto done;
		rc = gnbv__step(s, st);
		if (rc < 0) goto done;
		*total = rc == GNBV_BACKEND_ROW ? (uint64_t)gnbv__col_int(s, st, 0) : 0;
		gnbv__fin(s, st);
		st = NULL;
	}
	gnbv_sb_init(&sb, sql, sizeof sql);
	gnbv_sb_put(&sb, "SELECT h.code, u.code, u.name, s.class, s.deficits, "
	                 "(SELECT m.name FROM member m WHERE m.survey_id = s.survey_id ORDER BY "
	                 "CASE WHEN m.relation = 'head' THEN 0 ELSE 1 END, m.member_no LIMIT 1), "
	                 "(SELECT count(*) FROM member m WHERE m.survey_id = s.survey_id)");
	list_where(&sb, f);
	gnbv_sb_put(&sb, " ORDER BY u.path, h.code LIMIT ? OFFSET ?");
	if (sb.truncated) {
		rc = gnbv_error_set(GNBV_ETOOBIG, "household list: statement too long");
		goto done;
	}
	if ((rc = gnbv__prep(s, sql, &st)) || (rc = bind_list(s, st, f, period, lo, hi)) ||
	    (rc = gnbv__bind_int(s, st, nb, (int64_t)limit)) ||
	    (rc = gnbv__bind_int(s, st, nb + 1, (int64_t)f->offset)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_hh_item it;
		size_t cn;
		memset(&it, 0, sizeof it);
		gnbv__col_copy(s, st, 0, it.code, sizeof it.code);
		gnbv__col_copy(s, st, 1, it.unit_code, sizeof it.unit_code);
		gnbv__col_copy(s, st, 2, it.unit_name, sizeof it.unit_name);
		const char *ct = gnbv__col_text(s, st, 3, &cn);
		it.klass = class_of(ct, cn);
		it.deficits = (int)gnbv__col_int(s, st, 4);
		if (!gnbv__col_null(s, st, 5)) gnbv__col_copy(s, st, 5, it.head, sizeof it.head);
		it.members = (int)gnbv__col_int(s, st, 6);
		if ((rc = fn(ctx, &it))) goto done;
	}
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	gnbv__utree_free(t);
	return rc;
}

int gnbv_dash_history(gnbv_store *s, const gnbv_scope *scope, const char *code, gnbv_hist_fn fn,
                      void *ctx)
{
	gnbv_bstmt *st = NULL;
	char lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2];
	int rc, seen = 0;
	gnbv__scope_range(scope, lo, hi, sizeof lo);
	if ((rc = gnbv__prep(s,
	                     "SELECT r.year, s.period, u.code, s.class, s.deficits, "
	                     "CASE WHEN s.replaced_by IS NULL THEN 0 ELSE 1 END, s.survey_id "
	                     "FROM household h JOIN survey s ON s.household_id = h.household_id "
	                     "JOIN unit u ON u.unit_id = s.unit_id JOIN review_round r ON "
	                     "r.round_id = s.round_id WHERE h.code = ? AND u.path >= ? AND "
	                     "u.path < ? ORDER BY r.ref_date, s.survey_id",
	                     &st)) ||
	    (rc = gnbv__bind_text(s, st, 1, code, strlen(code))) ||
	    (rc = gnbv__bind_text(s, st, 2, lo, strlen(lo))) ||
	    (rc = gnbv__bind_text(s, st, 3, hi, strlen(hi))))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_hh_hist h;
		size_t cn;
		memset(&h, 0, sizeof h);
		h.year = (int)gnbv__col_int(s, st, 0);
		gnbv__col_copy(s, st, 1, h.period, sizeof h.period);
		gnbv__col_copy(s, st, 2, h.unit_code, sizeof h.unit_code);
		const char *ct = gnbv__col_text(s, st, 3, &cn);
		h.klass = class_of(ct, cn);
		h.deficits = (int)gnbv__col_int(s, st, 4);
		h.replaced = (int)gnbv__col_int(s, st, 5);
		h.survey_id = gnbv__col_int(s, st, 6);
		seen = 1;
		if ((rc = fn(ctx, &h))) goto done;
	}
	if (rc < 0) goto done;
	rc = seen ? 0 : gnbv_error_set(GNBV_ENOTFOUND, "no household '%.64s'", code);
done:
	gnbv__fin(s, st);
	return rc;
}

int gnbv_dash_years(gnbv_store *s, int *years, size_t cap, size_t *n)
{
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(s,
	                    "SELECT DISTINCT year FROM review_round WHERE kind = 'periodic' "
	                    "ORDER BY year DESC",
	                    &st);
	*n = 0;
	if (rc) goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW)
		if (*n < cap) years[(*n)++] = (int)gnbv__col_int(s, st, 0);
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	return rc;
}

int gnbv_dash_access(gnbv_store *s, const char *action, const char *object, const char *detail)
{
	int64_t seq;
	int rc;
	if ((rc = gnbv__begin(s))) return rc;
	if ((rc = gnbv__audit_reserve(s, &seq)) ||
	    (rc = gnbv__audit_write(s, seq, action, object, detail, strlen(detail)))) {
		gnbv__rollback(s);
		return rc;
	}
	return gnbv__commit(s);
}
