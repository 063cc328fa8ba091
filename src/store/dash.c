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
 * The cache (gnbv/dash.h) holds those per-unit counts for the whole tree
 * per round, so that a dashboard over a million households is a roll-up
 * over the unit tree instead of a scan; its version is the survey id
 * counter, read with one primary-key lookup per call.
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

#include <pthread.h>
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

/* ---- per-unit counts, cached or not ---- */

/* Households by class, and poor households deficient per rule, per unit. */
typedef struct ucount {
	int64_t unit_id;
	uint64_t n[GNBV_CLASS_COUNT];
	uint64_t pdef[GNBV_RULE_COUNT];
} ucount;

typedef struct counts {
	char period[32];
	int64_t version;
	ucount *u; /* by unit_id */
	size_t n, cap;
} counts;

#define CACHE_PERIODS 8

struct gnbv_dash_cache {
	pthread_mutex_t mu;
	counts e[CACHE_PERIODS];
	unsigned next; /* the slot to reuse next */
};

gnbv_dash_cache *gnbv_dash_cache_new(void)
{
	gnbv_dash_cache *c = calloc(1, sizeof *c);
	if (!c) {
		gnbv_error_set(GNBV_ENOMEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

void gnbv_dash_cache_free(gnbv_dash_cache *c)
{
	if (!c) return;
	for (int i = 0; i < CACHE_PERIODS; i++)
		free(c->e[i].u);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static ucount *slot_of(counts *c, int64_t unit_id)
{
	/* Rows arrive by ascending unit_id: the last one, one found by
	 * bisection (the second statement), or a new one kept in order. */
	if (c->n && c->u[c->n - 1].unit_id == unit_id) return &c->u[c->n - 1];
	size_t a = 0, b = c->n;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (c->u[m].unit_id < unit_id)
			a = m + 1;
		else
			b = m;
	}
	if (a < c->n && c->u[a].unit_id == unit_id) return &c->u[a];
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 256;
		ucount *nu = realloc(c->u, nc * sizeof *nu);
		if (!nu) return NULL;
		c->u = nu;
		c->cap = nc;
	}
	memmove(&c->u[a + 1], &c->u[a], (c->n - a) * sizeof c->u[0]);
	memset(&c->u[a], 0, sizeof c->u[0]);
	c->u[a].unit_id = unit_id;
	c->n++;
	return &c->u[a];
}

/* Fills c with the round's counts of the units in [lo, hi) (the whole
 * tree for the cache, the target's subtree without one). */
/* The SELECT columns counting, per indicator of the standard's rule
 * order, the surveys deficient in it (ind_<rule> = 1). */
static void put_deficit_sums(gnbv_sb *sb)
{
	for (int r = 0; r < GNBV_RULE_COUNT; r++) {
		gnbv_sb_put(sb, ", coalesce(sum(CASE WHEN s.ind_");
		gnbv_sb_put(sb, GNBV__RULE_CODES[r]);
		gnbv_sb_put(sb, " = 1 THEN 1 ELSE 0 END), 0)");
	}
}

/* Parameters 1 to 3 of the round's statements: the period and the
 * scope's path range. */
static int bind_range(gnbv_store *s, gnbv_bstmt *st, const char *period, const char *lo,
                      const char *hi)
{
	int rc;
	if ((rc = gnbv__bind_text(s, st, 1, period, strlen(period))) ||
	    (rc = gnbv__bind_text(s, st, 2, lo, strlen(lo))))
		return rc;
	return gnbv__bind_text(s, st, 3, hi, strlen(hi));
}

static int count_units(gnbv_store *s, const char *period, const char *lo, const char *hi, counts *c)
{
	gnbv_bstmt *st = NULL;
	char sql[2048];
	gnbv_sb sb;
	int rc;
	c->n = 0;
	/* One pass: households by unit and class, with the deficits summed
	 * per class (only the poor's are kept). */
	gnbv_sb_init(&sb, sql, sizeof sql);
	gnbv_sb_put(&sb, "SELECT s.unit_id, s.class, count(*)");
	put_deficit_sums(&sb);
	gnbv_sb_put(&sb, " FROM survey s JOIN unit u ON u.unit_id = s.unit_id WHERE "
	                 "s.replaced_by IS NULL AND s.period = ? AND u.path >= ? AND u.path < ? "
	                 "GROUP BY s.unit_id, s.class ORDER BY s.unit_id");
	if (sb.truncated) {
		rc = gnbv_error_set(GNBV_ETOOBIG, "counts: statement too long");
		goto done;
	}
	if ((rc = gnbv__prep(s, sql, &st)) ||
	    (rc = bind_range(s, st, period, lo, hi)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		size_t cn;
		const char *ct = gnbv__col_text(s, st, 1, &cn);
		int k = class_of(ct, cn);
		ucount *u = slot_of(c, gnbv__col_int(s, st, 0));
		if (!u) {
			rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
			goto done;
		}
		u->n[k] += (uint64_t)gnbv__col_int(s, st, 2);
		if (k == GNBV_CLASS_POOR)
			for (int r = 0; r < GNBV_RULE_COUNT; r++)
				u->pdef[r] = (uint64_t)gnbv__col_int(s, st, 3 + r);
	}
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	return rc;
}

/* The version the cache compares: the next survey id. */
static int survey_version(gnbv_store *s, int64_t *v)
{
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(s, "SELECT next_id FROM id_counter WHERE name = 'survey'", &st);
	if (!rc) {
		rc = gnbv__step(s, st);
		*v = rc == GNBV_BACKEND_ROW ? gnbv__col_int(s, st, 0) : 0;
		rc = rc < 0 ? rc : 0;
	}
	gnbv__fin(s, st);
	return rc;
}

/* The counts to roll up: the cache's entry for the period (call with the
 * cache locked), brought up to date, or `own` filled for [lo, hi). */
static int get_counts(gnbv_store *s, gnbv_dash_cache *cache, const char *period, const char *lo,
                      const char *hi, counts *own, counts **out)
{
	int64_t v;
	int rc;
	if (!cache) {
		*out = own;
		return count_units(s, period, lo, hi, own);
	}
	if ((rc = survey_version(s, &v))) return rc;
	counts *e = NULL;
	for (int i = 0; i < CACHE_PERIODS; i++)
		if (cache->e[i].u && !strcmp(cache->e[i].period, period)) e = &cache->e[i];
	if (e && e->version == v) {
		*out = e;
		return 0;
	}
	if (!e) {
		e = &cache->e[cache->next++ % CACHE_PERIODS];
		e->n = 0;
	}
	snprintf(e->period, sizeof e->period, "%s", period);
	e->version = -1;
	/* The whole tree ("/" to "0"): scope applies at the roll-up. */
	if ((rc = count_units(s, period, "/", "0", e))) return rc;
	if (!e->u && !(e->u = malloc(sizeof *e->u)))
		return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	e->version = v;
	*out = e;
	return 0;
}

int gnbv_dash_version(gnbv_store *s, int64_t *out)
{
	return survey_version(s, out);
}

int gnbv_dash_cache_warm(gnbv_store *s, gnbv_dash_cache *cache, int rounds)
{
	int years[64];
	size_t n = 0;
	int rc = gnbv_dash_years(s, years, 64, &n);
	for (size_t i = 0; !rc && i < n && (int)i < rounds; i++) {
		char period[32];
		counts *c;
		snprintf(period, sizeof period, "periodic:%04d", years[i]);
		pthread_mutex_lock(&cache->mu);
		rc = get_counts(s, cache, period, "/", "0", NULL, &c);
		pthread_mutex_unlock(&cache->mu);
	}
	return rc;
}

int gnbv_dash_cache_note_edit(gnbv_store *s, gnbv_dash_cache *cache, const gnbv_round_ref *round,
                              const char *unit_code, int64_t version_before, int old_class,
                              const signed char old_ind[GNBV_RULE_COUNT], int new_class,
                              const signed char new_ind[GNBV_RULE_COUNT])
{
	char period[32];
	int kind, rc;
	int32_t ref;
	int64_t v;
	gnbv_unit unit;
	if (!cache) return 0;
	if ((rc = gnbv__round_resolve(round, &kind, &ref, period))) return rc;
	if ((rc = survey_version(s, &v))) return rc;
	int have_unit = gnbv_store_unit_get(s, unit_code, ref, &unit) == 0;
	pthread_mutex_lock(&cache->mu);
	for (int i = 0; i < CACHE_PERIODS; i++) {
		counts *e = &cache->e[i];
		if (!e->u || strcmp(e->period, period)) continue;
		ucount *u = have_unit && e->version == version_before && v == version_before + 1
		                ? slot_of(e, unit.unit_id)
		                : NULL;
		if (!u || old_class < 0 || old_class >= GNBV_CLASS_COUNT || new_class < 0 ||
		    new_class >= GNBV_CLASS_COUNT || u->n[old_class] == 0) {
			e->version = -1; /* recount at the next use */
			continue;
		}
		u->n[old_class]--;
		u->n[new_class]++;
		for (int r = 0; r < GNBV_RULE_COUNT; r++) {
			if (old_class == GNBV_CLASS_POOR && old_ind[r] == 1 && u->pdef[r])
				u->pdef[r]--;
			if (new_class == GNBV_CLASS_POOR && new_ind[r] == 1) u->pdef[r]++;
		}
		e->version = v;
	}
	pthread_mutex_unlock(&cache->mu);
	return 0;
}

/* Calls add(ctx, child, counts) for every counted unit inside the target
 * (index ti, -1 for the scope's whole tree): child is the index of the
 * target's child the unit lies under, or -1 for the target itself. */
typedef void (*rollup_fn)(void *ctx, long child, const ucount *u);
static void rollup(const gnbv__utree *t, const gnbv_scope *scope, long ti, const counts *c,
                   rollup_fn add, void *ctx)
{
	for (size_t i = 0; i < c->n; i++) {
		long u = index_of_id(t, c->u[i].unit_id), v, child = -1;
		if (u < 0) continue;
		if (ti >= 0) {
			for (v = u; v >= 0 && v != ti; v = t->u[v].parent)
				child = v;
			if (v != ti) continue;
		} else {
			if (!gnbv__scope_has(scope, t->u[u].path)) continue;
			for (v = u; t->u[v].parent >= 0; v = t->u[v].parent)
				;
			child = v;
		}
		add(ctx, child, &c->u[i]);
	}
}

typedef struct by_child_ctx {
	gnbv_dash_row *self, *rows;
	const long *slot;
} by_child_ctx;

static void add_row(void *ctx, long child, const ucount *u)
{
	by_child_ctx *b = ctx;
	for (int k = 0; k < GNBV_CLASS_COUNT; k++) {
		b->self->n[k] += u->n[k];
		b->self->total += u->n[k];
		if (child >= 0 && b->slot[child] >= 0) {
			b->rows[b->slot[child]].n[k] += u->n[k];
			b->rows[b->slot[child]].total += u->n[k];
		}
	}
}

int gnbv_dash_by_child(gnbv_store *s, const gnbv_scope *scope, gnbv_dash_cache *cache,
                       const char *unit_code, const gnbv_round_ref *round, gnbv_dash_row *self,
                       gnbv_dash_row *rows, size_t cap, size_t *n, char *parent, size_t parent_cap)
{
	gnbv__utree *t = NULL;
	long *slot = NULL; /* per unit index: its row, -1 none */
	counts own = {0}, *c = NULL;
	char period[32], lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2];
	int kind, rc, locked = 0;
	int32_t ref;
	long ti;
	size_t nrows = 0;
	if (round && (rc = gnbv__round_resolve(round, &kind, &ref, period))) return rc;
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
	if (!round) { /* the units alone (a select of units): no counts read */
		qsort(rows, nrows, sizeof *rows, cmp_row);
		*n = nrows;
		goto done;
	}
	if (cache) {
		pthread_mutex_lock(&cache->mu);
		locked = 1;
	}
	if ((rc = get_counts(s, cache, period, lo, hi, &own, &c))) goto done;
	by_child_ctx b = {self, rows, slot};
	rollup(t, scope, ti, c, add_row, &b);
	qsort(rows, nrows, sizeof *rows, cmp_row);
	*n = nrows;
done:
	if (locked) pthread_mutex_unlock(&cache->mu);
	free(own.u);
	gnbv__utree_free(t);
	free(slot);
	return rc;
}

typedef struct def_ctx {
	uint64_t *def, *poor;
	int klass; /* the list count: -1 every class */
	uint64_t *total;
} def_ctx;

static void add_def(void *ctx, long child, const ucount *u)
{
	def_ctx *d = ctx;
	(void)child;
	if (d->def) {
		for (int r = 0; r < GNBV_RULE_COUNT; r++)
			d->def[r] += u->pdef[r];
		*d->poor += u->n[GNBV_CLASS_POOR];
	}
	if (d->total)
		for (int k = 0; k < GNBV_CLASS_COUNT; k++)
			if (d->klass < 0 || d->klass == k) *d->total += u->n[k];
}

int gnbv_dash_deficits(gnbv_store *s, const gnbv_scope *scope, gnbv_dash_cache *cache,
                       const char *unit_code, const gnbv_round_ref *round, int poor_only,
                       uint64_t deficient[GNBV_RULE_COUNT], uint64_t *total)
{
	gnbv__utree *t = NULL;
	gnbv_bstmt *st = NULL;
	counts own = {0}, *c = NULL;
	char period[32], lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2];
	char sql[2048];
	gnbv_sb sb;
	int kind, rc, locked = 0;
	int32_t ref;
	long ti;
	if ((rc = gnbv__round_resolve(round, &kind, &ref, period))) return rc;
	if ((rc = gnbv__utree_load(s, &t))) return rc;
	if ((rc = target(t, scope, unit_code, &ti, lo, hi, sizeof lo))) goto done;
	if (poor_only) {
		/* Poor households: from the per-unit counts (cached or not). */
		memset(deficient, 0, GNBV_RULE_COUNT * sizeof *deficient);
		*total = 0;
		if (cache) {
			pthread_mutex_lock(&cache->mu);
			locked = 1;
		}
		if ((rc = get_counts(s, cache, period, lo, hi, &own, &c))) goto done;
		def_ctx d = {deficient, total, -1, NULL};
		rollup(t, scope, ti, c, add_def, &d);
		goto done;
	}
	gnbv_sb_init(&sb, sql, sizeof sql);
	gnbv_sb_put(&sb, "SELECT count(*)");
	put_deficit_sums(&sb);
	gnbv_sb_put(&sb, " FROM survey s JOIN unit u ON u.unit_id = s.unit_id WHERE "
	                 "s.replaced_by IS NULL AND s.period = ? AND u.path >= ? AND u.path < ?");
	if (sb.truncated) {
		rc = gnbv_error_set(GNBV_ETOOBIG, "deficits: statement too long");
		goto done;
	}
	if ((rc = gnbv__prep(s, sql, &st)) ||
	    (rc = bind_range(s, st, period, lo, hi)))
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
	if (locked) pthread_mutex_unlock(&cache->mu);
	free(own.u);
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
	if ((rc = bind_range(s, st, period, lo, hi))) return rc;
	if (f->klass >= 0) {
		const char *cn = gnbv_class_name((gnbv_class)f->klass);
		if ((rc = gnbv__bind_text(s, st, 4, cn, strlen(cn)))) return rc;
	}
	return 0;
}

int gnbv_dash_households(gnbv_store *s, const gnbv_scope *scope, gnbv_dash_cache *cache,
                         const gnbv_hh_filter *f, gnbv_hh_fn fn, void *ctx, uint64_t *total)
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
	if (total && cache && f->rule < 0) {
		/* Counted by class per unit: the cache's roll-up. */
		counts *c = NULL;
		*total = 0;
		pthread_mutex_lock(&cache->mu);
		rc = get_counts(s, cache, period, lo, hi, NULL, &c);
		if (!rc) {
			def_ctx d = {NULL, NULL, f->klass, total};
			rollup(t, scope, ti, c, add_def, &d);
		}
		pthread_mutex_unlock(&cache->mu);
		if (rc) goto done;
	} else if (total) {
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
	/* Tree order, then survey order (import order, by code): both come
	 * from the indexes (unit_path, survey_unit), so a page needs no sort
	 * of the whole subtree. */
	gnbv_sb_put(&sb, " ORDER BY u.path, s.survey_id LIMIT ? OFFSET ?");
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
	/* A view's record need not wait for the disk (store_backend.h): 64
	 * officers paging through lists would otherwise queue on one fsync
	 * each. */
	if ((rc = s->ops->hint(s->b, GNBV_HINT_ACCESS_TX))) return rc;
	if ((rc = gnbv__begin(s))) {
		s->ops->hint(s->b, GNBV_HINT_ACCESS_END);
		return rc;
	}
	if ((rc = gnbv__audit_reserve(s, &seq)) ||
	    (rc = gnbv__audit_write(s, seq, action, object, detail, strlen(detail)))) {
		gnbv__rollback(s);
		s->ops->hint(s->b, GNBV_HINT_ACCESS_END);
		return rc;
	}
	rc = gnbv__commit(s);
	int e = s->ops->hint(s->b, GNBV_HINT_ACCESS_END);
	return rc ? rc : e;
}
