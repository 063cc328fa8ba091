/*
 * units.c - administrative units (M1): the unit tree in memory, units.csv
 * import, listing and lookup.
 *
 * Units are few (a district has ~150 with its villages, the nation ~100,000),
 * so every operation loads the whole tree: resolving a code on a date,
 * inheriting the urban/rural area down the tree, finding a household's
 * commune, and recomputing materialised paths after an import all happen in
 * memory, and an import writes only the rows that differ.
 *
 * History: official codes are reused (01392 was Thị trấn Xuân Hòa until the
 * July 2025 reform and is Xã Trường Hà after it), so a unit is its internal
 * id, and a file names it by (code, valid_from). A code is resolved on a
 * date: the unit whose [valid_from, valid_to] holds that date.
 */
#include "store_int.h"

#include "gnbv/error.h"

#include "io/csv.h"
#include "io/embed.h"
#include "io/exchange.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const LEVELS[] = {"province", "district", "commune", "village"};
static const char *const FLAGS[] = {"poor_district", "extremely_difficult",
                                    "coastal_extremely_difficult"};

/* ---- the tree ---- */

static void unit_free_strings(gnbv__unit *u)
{
	free(u->code);
	free(u->name);
	free(u->level);
	free(u->valid_from);
	free(u->valid_to);
	free(u->successor_code);
	free(u->flags);
	free(u->path);
}

/* The last tree loaded outside a transaction: one per process. */
static pthread_mutex_t g_tree_mu = PTHREAD_MUTEX_INITIALIZER;
static gnbv__utree *g_tree;

static void utree_destroy(gnbv__utree *t)
{
	for (size_t i = 0; i < t->n; i++)
		unit_free_strings(&t->u[i]);
	free(t->u);
	free(t->by_code);
	free(t->target);
	free(t);
}

void gnbv__utree_free(gnbv__utree *t)
{
	if (!t) return;
	if (t->refs) {
		pthread_mutex_lock(&g_tree_mu);
		int left = --t->refs;
		pthread_mutex_unlock(&g_tree_mu);
		if (left) return;
	}
	utree_destroy(t);
}

static int32_t parse_day(const char *s)
{
	int32_t d = 0;
	if (s && strlen(s) == 10 && gnbv_x_parse_date(s, 10, &d) == 0) return d;
	return 0;
}

/* qsort has no context argument in C11: the tree being sorted, per thread. */
static _Thread_local const gnbv__utree *g_sort_tree;

static int cmp_code(const void *a, const void *b)
{
	const gnbv__unit *x = &g_sort_tree->u[*(const size_t *)a],
	                 *y = &g_sort_tree->u[*(const size_t *)b];
	int c = strcmp(x->code, y->code);
	return c ? c : strcmp(x->valid_from, y->valid_from);
}

static int index_codes(gnbv__utree *t)
{
	free(t->by_code);
	t->by_code = malloc((t->n ? t->n : 1) * sizeof *t->by_code);
	if (!t->by_code) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	for (size_t i = 0; i < t->n; i++)
		t->by_code[i] = i;
	g_sort_tree = t;
	qsort(t->by_code, t->n, sizeof *t->by_code, cmp_code);
	return 0;
}

/* Areas inherited down the tree and each unit's commune. */
static void resolve_derived(gnbv__utree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		gnbv__unit *u = &t->u[i];
		int p = (int)i, area = -1, depth = 0;
		while (p >= 0 && depth++ < 200) {
			if (t->u[p].area_own >= 0) {
				area = t->u[p].area_own;
				break;
			}
			p = t->u[p].parent;
		}
		u->area = area;
		u->commune = (int)i;
		p = (int)i;
		depth = 0;
		while (p >= 0 && depth++ < 200) {
			if (!strcmp(t->u[p].level, "commune")) {
				u->commune = p;
				break;
			}
			p = t->u[p].parent;
		}
	}
}

static char *dup_col(gnbv_store *s, gnbv_bstmt *st, int c)
{
	size_t n;
	const char *p = gnbv__col_text(s, st, c, &n);
	return strndup(p, n);
}

static int utree_read(gnbv_store *s, gnbv__utree **out);

int gnbv__utree_load(gnbv_store *s, gnbv__utree **out)
{
	int64_t seq = -1;
	gnbv__utree *t = NULL, *old = NULL;
	*out = NULL;
	if (!s->in_tx && gnbv_store_change_seq(s, &seq)) seq = -1;
	if (seq >= 0) {
		pthread_mutex_lock(&g_tree_mu);
		if (g_tree && g_tree->seq == seq && !strcmp(g_tree->target, s->target)) {
			g_tree->refs++;
			*out = g_tree;
		}
		pthread_mutex_unlock(&g_tree_mu);
		if (*out) return 0;
	}
	int rc = utree_read(s, &t);
	if (rc || seq < 0) {
		*out = t;
		return rc;
	}
	/* Read after the number: never older than it says. Shared from now on. */
	if ((t->target = strdup(s->target))) {
		t->seq = seq;
		t->refs = 2; /* the slot's and the caller's */
		pthread_mutex_lock(&g_tree_mu);
		old = g_tree;
		g_tree = t;
		pthread_mutex_unlock(&g_tree_mu);
		gnbv__utree_free(old);
	}
	*out = t;
	return 0;
}

static int utree_read(gnbv_store *s, gnbv__utree **out)
{
	gnbv__utree *t = calloc(1, sizeof *t);
	gnbv_bstmt *st = NULL;
	size_t cap = 0;
	int rc;
	*out = NULL;
	if (!t) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if ((rc = gnbv__prep(
	         s,
	         "SELECT unit_id, code, name, level, parent_id, area, valid_from, valid_to, "
	         "successor_code, successor_id, flags, path, depth, change_seq FROM unit ORDER BY "
	         "unit_id",
	         &st)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		if (t->n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			gnbv__unit *nu = realloc(t->u, nc * sizeof *nu);
			if (!nu) {
				rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
				goto done;
			}
			t->u = nu;
			cap = nc;
		}
		gnbv__unit *u = &t->u[t->n];
		memset(u, 0, sizeof *u);
		t->n++;
		u->id = gnbv__col_int(s, st, 0);
		u->code = dup_col(s, st, 1);
		u->name = dup_col(s, st, 2);
		u->level = dup_col(s, st, 3);
		u->parent_id = gnbv__col_null(s, st, 4) ? 0 : gnbv__col_int(s, st, 4);
		size_t an;
		const char *a = gnbv__col_text(s, st, 5, &an);
		u->area_own = gnbv__col_null(s, st, 5)              ? -1
		              : (an == 5 && !memcmp(a, "urban", 5)) ? 1
		                                                    : 0;
		u->valid_from = dup_col(s, st, 6);
		u->valid_to = dup_col(s, st, 7);
		u->successor_code = dup_col(s, st, 8);
		u->successor_id = gnbv__col_null(s, st, 9) ? 0 : gnbv__col_int(s, st, 9);
		u->flags = dup_col(s, st, 10);
		u->path = dup_col(s, st, 11);
		u->depth = (int)gnbv__col_int(s, st, 12);
		u->change_seq = gnbv__col_int(s, st, 13);
		u->from = parse_day(u->valid_from);
		u->to = parse_day(u->valid_to);
		if (!u->code || !u->name || !u->level || !u->valid_from || !u->valid_to ||
		    !u->successor_code || !u->flags || !u->path) {
			rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
			goto done;
		}
	}
	if (rc < 0) goto done;
	rc = 0;
	/* Parents by id: the rows are in id order. */
	for (size_t i = 0; i < t->n; i++) {
		gnbv__unit *u = &t->u[i];
		u->parent = -1;
		if (!u->parent_id) continue;
		size_t lo = 0, hi = t->n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (t->u[mid].id < u->parent_id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < t->n && t->u[lo].id == u->parent_id) u->parent = (int)lo;
	}
	if ((rc = index_codes(t))) goto done;
	resolve_derived(t);
	*out = t;
	t = NULL;
done:
	gnbv__fin(s, st);
	gnbv__utree_free(t);
	return rc;
}

/* Which of the units with one code is meant on `on` (see store_int.h). */
static long pick_valid(const gnbv__utree *t, size_t lo, size_t hi, int32_t on)
{
	if (on) {
		for (size_t k = lo; k < hi; k++) {
			const gnbv__unit *u = &t->u[t->by_code[k]];
			if ((!u->from || u->from <= on) && (!u->to || on <= u->to))
				return (long)t->by_code[k];
		}
		return -2;
	}
	if (hi - lo == 1) return (long)t->by_code[lo];
	long open = -2;
	for (size_t k = lo; k < hi; k++)
		if (!t->u[t->by_code[k]].to) {
			if (open >= 0) return -2; /* two open units with one code: ambiguous */
			open = (long)t->by_code[k];
		}
	return open;
}

long gnbv__utree_find(const gnbv__utree *t, const char *code, size_t len, int32_t on, long *any)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *c = t->u[t->by_code[mid]].code;
		int r = strncmp(c, code, len);
		if (r == 0 && c[len]) r = 1;
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t first = lo;
	while (hi < t->n) {
		const char *c = t->u[t->by_code[hi]].code;
		if (strncmp(c, code, len) || c[len]) break;
		hi++;
	}
	if (hi == first) return -1;
	if (any) *any = (long)t->by_code[first];
	return pick_valid(t, first, hi, on);
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap) n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void gnbv__unit_to_public(const gnbv__utree *t, size_t i, gnbv_unit *out)
{
	const gnbv__unit *u = &t->u[i];
	memset(out, 0, sizeof *out);
	out->unit_id = u->id;
	copy_str(out->code, sizeof out->code, u->code);
	copy_str(out->name, sizeof out->name, u->name);
	copy_str(out->level, sizeof out->level, u->level);
	copy_str(out->parent_code, sizeof out->parent_code,
	         u->parent >= 0 ? t->u[u->parent].code : "");
	copy_str(out->area, sizeof out->area,
	         u->area_own < 0 ? ""
	         : u->area_own   ? "urban"
	                         : "rural");
	out->area_resolved = u->area < 0 ? GNBV_AREA_UNKNOWN
	                     : u->area   ? GNBV_AREA_URBAN
	                                 : GNBV_AREA_RURAL;
	copy_str(out->valid_from, sizeof out->valid_from, u->valid_from);
	copy_str(out->valid_to, sizeof out->valid_to, u->valid_to);
	copy_str(out->successor_code, sizeof out->successor_code, u->successor_code);
	copy_str(out->flags, sizeof out->flags, u->flags);
	out->depth = u->depth;
}

int gnbv_store_unit_get(gnbv_store *s, const char *code, int32_t on, gnbv_unit *out)
{
	gnbv__utree *t = NULL;
	int rc = gnbv__utree_load(s, &t);
	if (rc) return rc;
	long any = -1;
	long i = gnbv__utree_find(t, code, strlen(code), on, &any);
	if (i >= 0) {
		gnbv__unit_to_public(t, (size_t)i, out);
	} else if (i == -1) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "no unit '%s'", code);
	} else {
		char d[11];
		gnbv__date_text(on, d);
		rc = on ? gnbv_error_set(GNBV_ENOTFOUND, "no unit '%s' valid on %s", code, d)
		        : gnbv_error_set(GNBV_ENOTFOUND,
		                         "code '%s' names several units: give a date", code);
	}
	gnbv__utree_free(t);
	return rc;
}

/* ---- listing in tree order ---- */

typedef struct walk {
	const gnbv__utree *t;
	size_t *kids;  /* indices sorted by (parent, code, valid_from) */
	size_t *first; /* per unit + 1 (roots at n): first position in kids */
	size_t *count;
	gnbv_unit_fn fn;
	void *ctx;
} walk;

static int cmp_kid(const void *a, const void *b)
{
	const gnbv__unit *x = &g_sort_tree->u[*(const size_t *)a],
	                 *y = &g_sort_tree->u[*(const size_t *)b];
	if (x->parent != y->parent) return x->parent < y->parent ? -1 : 1;
	int c = strcmp(x->code, y->code);
	return c ? c : strcmp(x->valid_from, y->valid_from);
}

static int walk_from(walk *w, size_t slot, int depth)
{
	if (depth > 200) return gnbv_error_set(GNBV_EINVALID, "units: the tree is too deep");
	for (size_t k = 0; k < w->count[slot]; k++) {
		size_t i = w->kids[w->first[slot] + k];
		gnbv_unit u;
		gnbv__unit_to_public(w->t, i, &u);
		int rc = w->fn(w->ctx, &u);
		if (rc) return rc;
		if ((rc = walk_from(w, i, depth + 1))) return rc;
	}
	return 0;
}

int gnbv_store_units_each(gnbv_store *s, gnbv_unit_fn fn, void *ctx)
{
	gnbv__utree *t = NULL;
	walk w = {0};
	int rc = gnbv__utree_load(s, &t);
	if (rc) return rc;
	size_t n = t->n;
	w.t = t;
	w.fn = fn;
	w.ctx = ctx;
	w.kids = malloc((n ? n : 1) * sizeof *w.kids);
	w.first = calloc(n + 1, sizeof *w.first);
	w.count = calloc(n + 1, sizeof *w.count);
	if (!w.kids || !w.first || !w.count) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		w.kids[i] = i;
	g_sort_tree = t;
	qsort(w.kids, n, sizeof *w.kids, cmp_kid);
	/* Slot of a unit's children: its index; of the roots: n. */
	for (size_t k = n; k-- > 0;) {
		int p = t->u[w.kids[k]].parent;
		size_t slot = p < 0 ? n : (size_t)p;
		w.first[slot] = k;
		w.count[slot]++;
	}
	rc = walk_from(&w, n, 0);
done:
	free(w.kids);
	free(w.first);
	free(w.count);
	gnbv__utree_free(t);
	return rc;
}

/* ---- import ---- */

enum {
	UC_CODE,
	UC_NAME,
	UC_LEVEL,
	UC_PARENT,
	UC_AREA,
	UC_FROM,
	UC_TO,
	UC_SUCC,
	UC_FLAGS,
	UC_COUNT
};
static const char *const UCOL[UC_COUNT] = {"code",        "name",           "level",
                                           "parent_code", "area",           "valid_from",
                                           "valid_to",    "successor_code", "flags"};

typedef struct urow {
	long line;
	char *v[UC_COUNT];
	int32_t from, to;
	long idx;
} urow;

typedef struct uimport {
	const char *file;
	int col[UC_COUNT]; /* 0-based column, -1 absent */
	urow *rows;
	size_t n, cap;
} uimport;

static int row_error(const uimport *im, const urow *r, int field, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int row_error(const uimport *im, const urow *r, int field, int code, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (im->col[field] >= 0)
		return gnbv_error_set(code, "%s:%ld:%d: column '%s': %s", im->file, r->line,
		                      im->col[field] + 1, UCOL[field], msg);
	return gnbv_error_set(code, "%s:%ld: %s", im->file, r->line, msg);
}

/* Canonical flags: each one known, trimmed, ';'-separated, no repeats. */
static int parse_flags(const char *p, size_t n, char *out, size_t cap)
{
	size_t w = 0;
	out[0] = '\0';
	while (n) {
		const char *semi = memchr(p, ';', n);
		size_t k = semi ? (size_t)(semi - p) : n;
		const char *t = p;
		size_t tn = k;
		gnbv_x_trim(&t, &tn);
		if (tn) {
			int known = 0;
			for (size_t f = 0; f < sizeof FLAGS / sizeof FLAGS[0]; f++)
				if (strlen(FLAGS[f]) == tn && !memcmp(FLAGS[f], t, tn)) known = 1;
			if (!known) return -1;
			int dup = 0;
			for (const char *q = out; *q;) { /* already listed? */
				const char *e = strchr(q, ';');
				size_t ql = e ? (size_t)(e - q) : strlen(q);
				if (ql == tn && !memcmp(q, t, tn)) dup = 1;
				q += ql + (e ? 1 : 0);
			}
			if (!dup) {
				if (w + tn + 2 > cap) return -1;
				if (w) out[w++] = ';';
				memcpy(out + w, t, tn);
				w += tn;
				out[w] = '\0';
			}
		}
		if (!semi) break;
		p = semi + 1;
		n -= k + 1;
	}
	return 0;
}

static int parse_rows(uimport *im, gnbv_csv *c)
{
	int rc = gnbv_csv_next(c);
	if (rc == 0)
		return gnbv_error_set(GNBV_EINVALID, "%s:1: empty file: expected a header row",
		                      im->file);
	if (rc < 0) return rc;
	if ((rc = gnbv_csv_take_header(c))) return rc;
	size_t ncols = gnbv_csv_nfields(c);
	for (int k = 0; k < UC_COUNT; k++)
		im->col[k] = -1;
	for (size_t i = 0; i < ncols; i++)
		for (int k = 0; k < UC_COUNT; k++)
			if (!strcmp(gnbv_csv_column(c, i), UCOL[k])) im->col[k] = (int)i;
	for (int k = UC_CODE; k <= UC_LEVEL; k++)
		if (im->col[k] < 0)
			return gnbv_error_set(
			    GNBV_EINVALID,
			    "%s:1: column '%s': missing: a units file must have '%s'", im->file,
			    UCOL[k], UCOL[k]);
	while ((rc = gnbv_csv_next(c)) == 1) {
		if (gnbv_csv_nfields(c) != ncols)
			return gnbv_csv_error_line(c, GNBV_EINVALID,
			                           "%zu fields, but the header has %zu columns",
			                           gnbv_csv_nfields(c), ncols);
		if (im->n == im->cap) {
			size_t nc = im->cap ? im->cap * 2 : 256;
			urow *nr = realloc(im->rows, nc * sizeof *nr);
			if (!nr) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
			im->rows = nr;
			im->cap = nc;
		}
		urow *r = &im->rows[im->n++];
		memset(r, 0, sizeof *r);
		r->line = gnbv_csv_line(c);
		r->idx = -1;
		const gnbv_csv_field *f = gnbv_csv_fields(c);
		for (int k = 0; k < UC_COUNT; k++) {
			const char *p = "";
			size_t n = 0;
			if (im->col[k] >= 0) {
				p = f[im->col[k]].p;
				n = f[im->col[k]].len;
				gnbv_x_trim(&p, &n);
			}
			size_t col = (size_t)(im->col[k] >= 0 ? im->col[k] : 0);
			char buf[GNBV_STORE_NAME_MAX + 1];
			size_t len = 0;
			size_t cap = k == UC_NAME    ? GNBV_STORE_NAME_MAX + 1
			             : k == UC_FLAGS ? GNBV_STORE_TEXT_MAX + 1
			                             : GNBV_STORE_CODE_MAX + 1;
			int nrc = gnbv__nfc(p, n, buf, cap, &len);
			if (nrc == GNBV_ETOOBIG)
				return gnbv_csv_error(c, nrc, col, "longer than %zu bytes",
				                      cap - 1);
			if (nrc) return gnbv_csv_error(c, nrc, col, "%s", gnbv_error_message());
			if (k == UC_LEVEL) {
				int ok = 0;
				for (int l = 0; l < 4; l++)
					ok |= !strcmp(buf, LEVELS[l]);
				if (!ok)
					return gnbv_csv_error(c, GNBV_EINVALID, col,
					                      "expected province, district, "
					                      "commune or village; found '%s'",
					                      buf);
			} else if (k == UC_CODE || k == UC_NAME) {
				if (!len)
					return gnbv_csv_error(c, GNBV_EINVALID, col,
					                      "empty: every unit needs its %s",
					                      UCOL[k]);
			} else if (k == UC_AREA) {
				if (len && strcmp(buf, "urban") && strcmp(buf, "rural"))
					return gnbv_csv_error(c, GNBV_EINVALID, col,
					                      "expected urban or rural; found '%s'",
					                      buf);
			} else if (k == UC_FROM || k == UC_TO) {
				int32_t d = 0;
				if (len && (len != 10 || gnbv_x_parse_date(buf, 10, &d)))
					return gnbv_csv_error(
					    c, GNBV_EINVALID, col,
					    "expected a date YYYY-MM-DD; found '%s'", buf);
				if (k == UC_FROM)
					r->from = d;
				else
					r->to = d;
			} else if (k == UC_FLAGS) {
				char canon[GNBV_STORE_TEXT_MAX + 1];
				if (parse_flags(buf, len, canon, sizeof canon))
					return gnbv_csv_error(
					    c, GNBV_EINVALID, col,
					    "expected flags separated by ';' from poor_district, "
					    "extremely_difficult, coastal_extremely_difficult; "
					    "found '%s'",
					    buf);
				len = strlen(canon);
				memcpy(buf, canon, len + 1);
			}
			if (!(r->v[k] = strndup(buf, len)))
				return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		}
		if (r->from && r->to && r->to < r->from)
			return gnbv_csv_error(c, GNBV_EINVALID, (size_t)im->col[UC_TO],
			                      "valid_to %s is before valid_from %s", r->v[UC_TO],
			                      r->v[UC_FROM]);
		if (r->v[UC_SUCC][0] && !r->to)
			return gnbv_csv_error(c, GNBV_EINVALID, (size_t)im->col[UC_SUCC],
			                      "a unit with a successor must have a valid_to");
	}
	return rc;
}

static int32_t next_day(int32_t d)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = d / 10000, m = d / 100 % 100, day = d % 100;
	int last = dm[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0));
	if (++day > last) {
		day = 1;
		if (++m > 12) m = 1, y++;
	}
	return y * 10000 + m * 100 + day;
}

static int set_str(char **dst, const char *src)
{
	char *n = strdup(src);
	if (!n) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	free(*dst);
	*dst = n;
	return 0;
}

/* Computes path and depth of unit i (memoised in state: 0 new, 1 on the
 * stack, 2 done). */
static int compute_path(gnbv__utree *t, size_t i, unsigned char *state, int depth)
{
	gnbv__unit *u = &t->u[i];
	if (state[i] == 2) return 0;
	if (state[i] == 1 || depth > 100)
		return gnbv_error_set(
		    GNBV_EINVALID, "units: unit '%s' is its own ancestor (a cycle of parent_code)",
		    u->code);
	state[i] = 1;
	char buf[GNBV_SCOPE_PATH_MAX + 32];
	const char *pp = "/";
	int pd = -1;
	if (u->parent >= 0) {
		int rc = compute_path(t, (size_t)u->parent, state, depth + 1);
		if (rc) return rc;
		pp = t->u[u->parent].path;
		pd = t->u[u->parent].depth;
	}
	int k = snprintf(buf, sizeof buf, "%s%lld/", pp, (long long)u->id);
	if (k < 0 || (size_t)k >= GNBV_SCOPE_PATH_MAX)
		return gnbv_error_set(GNBV_ETOOBIG, "units: unit '%s' is too deep in the tree",
		                      u->code);
	int rc = set_str(&u->path, buf);
	if (rc) return rc;
	u->depth = pd + 1;
	state[i] = 2;
	return 0;
}

static int bind_unit(gnbv_store *s, gnbv_bstmt *st, const gnbv__utree *t, const gnbv__unit *u,
                     int64_t seq)
{
	int rc;
	const char *area = u->area_own < 0 ? "" : u->area_own ? "urban" : "rural";
	if ((rc = gnbv__bind_int(s, st, 1, u->id)) ||
	    (rc = gnbv__bind_text(s, st, 2, u->code, strlen(u->code))) ||
	    (rc = gnbv__bind_text(s, st, 3, u->name, strlen(u->name))) ||
	    (rc = gnbv__bind_text(s, st, 4, u->level, strlen(u->level))) ||
	    (rc = u->parent >= 0 ? gnbv__bind_int(s, st, 5, t->u[u->parent].id)
	                         : gnbv__bind_null(s, st, 5)) ||
	    (rc = gnbv__bind_opt(s, st, 6, area, strlen(area))) ||
	    (rc = gnbv__bind_text(s, st, 7, u->valid_from, strlen(u->valid_from))) ||
	    (rc = gnbv__bind_text(s, st, 8, u->valid_to, strlen(u->valid_to))) ||
	    (rc = gnbv__bind_text(s, st, 9, u->successor_code, strlen(u->successor_code))) ||
	    (rc = u->successor_id ? gnbv__bind_int(s, st, 10, u->successor_id)
	                          : gnbv__bind_null(s, st, 10)) ||
	    (rc = gnbv__bind_text(s, st, 11, u->flags, strlen(u->flags))) ||
	    (rc = gnbv__bind_text(s, st, 12, u->path, strlen(u->path))) ||
	    (rc = gnbv__bind_int(s, st, 13, u->depth)) || (rc = gnbv__bind_int(s, st, 14, seq)))
		return rc;
	return 0;
}

static int same_unit(const gnbv__utree *a, const gnbv__unit *x, const gnbv__utree *b,
                     const gnbv__unit *y)
{
	int64_t px = x->parent >= 0 ? a->u[x->parent].id : 0,
	        py = y->parent >= 0 ? b->u[y->parent].id : 0;
	return px == py && x->area_own == y->area_own && x->successor_id == y->successor_id &&
	       x->depth == y->depth && !strcmp(x->name, y->name) && !strcmp(x->level, y->level) &&
	       !strcmp(x->valid_to, y->valid_to) && !strcmp(x->successor_code, y->successor_code) &&
	       !strcmp(x->flags, y->flags) && !strcmp(x->path, y->path);
}

static int units_import_csv(gnbv_store *s, const gnbv_scope *scope, gnbv_csv *c,
                            gnbv_units_stats *stats)
{
	uimport im;
	gnbv__utree *orig = NULL, *t = NULL;
	unsigned char *state = NULL;
	long *row_of = NULL;
	gnbv_bstmt *ins = NULL, *upd = NULL;
	gnbv__buf detail = {0};
	gnbv_units_stats st = {0};
	int rc;
	size_t n0 = 0;
	memset(&im, 0, sizeof im);
	im.file = gnbv_csv_name(c);

	if ((rc = gnbv__scope_need_all(scope, "importing units"))) return rc;
	if ((rc = parse_rows(&im, c))) goto done;
	if ((rc = gnbv__begin(s))) goto done;
	if ((rc = gnbv__utree_load(s, &orig)) || (rc = gnbv__utree_load(s, &t))) goto done;
	n0 = t->n;
	int64_t next_id;
	if ((rc = gnbv__ids_lock(s, "unit", &next_id))) goto done;

	/* Rows to units: a known (code, valid_from) or a new unit. */
	size_t cap = t->n + im.n;
	gnbv__unit *nu = realloc(t->u, (cap ? cap : 1) * sizeof *nu);
	if (!nu) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	t->u = nu;
	for (size_t r = 0; r < im.n; r++) {
		urow *row = &im.rows[r];
		long found = -1;
		/* Binary search on (code, valid_from) over the loaded units. */
		size_t lo = 0, hi = n0;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			const gnbv__unit *u = &t->u[t->by_code[mid]];
			int cmp = strcmp(u->code, row->v[UC_CODE]);
			if (!cmp) cmp = strcmp(u->valid_from, row->v[UC_FROM]);
			if (!cmp) {
				found = (long)t->by_code[mid];
				break;
			}
			if (cmp < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (found < 0) {
			gnbv__unit *u = &t->u[t->n];
			memset(u, 0, sizeof *u);
			u->id = next_id++;
			u->parent = -1;
			if (!(u->code = strdup(row->v[UC_CODE])) ||
			    !(u->valid_from = strdup(row->v[UC_FROM])) || !(u->path = strdup(""))) {
				t->n++;
				rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
				goto done;
			}
			u->from = row->from;
			found = (long)t->n++;
		}
		row->idx = found;
	}
	if ((rc = index_codes(t))) goto done;
	row_of = malloc((t->n ? t->n : 1) * sizeof *row_of);
	if (!row_of) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < t->n; i++)
		row_of[i] = -1;
	for (size_t r = 0; r < im.n; r++) {
		urow *row = &im.rows[r];
		if (row_of[row->idx] >= 0) {
			rc = row_error(
			    &im, row, UC_CODE, GNBV_ECONFLICT,
			    "unit '%s' (valid from '%s') appears twice (first at line %ld)",
			    row->v[UC_CODE], row->v[UC_FROM], im.rows[row_of[row->idx]].line);
			goto done;
		}
		row_of[row->idx] = (long)r;
		/* The row's values; validity first, since parents are resolved on it. */
		gnbv__unit *u = &t->u[row->idx];
		if ((rc = set_str(&u->name, row->v[UC_NAME])) ||
		    (rc = set_str(&u->level, row->v[UC_LEVEL])) ||
		    (rc = set_str(&u->valid_to, row->v[UC_TO])) ||
		    (rc = set_str(&u->successor_code, row->v[UC_SUCC])) ||
		    (rc = set_str(&u->flags, row->v[UC_FLAGS])))
			goto done;
		u->to = row->to;
		u->area_own = !row->v[UC_AREA][0] ? -1 : !strcmp(row->v[UC_AREA], "urban") ? 1 : 0;
	}
	/* Units sharing a code must not overlap in time, or a date could not
	 * tell them apart. */
	for (size_t k = 1; k < t->n; k++) {
		const gnbv__unit *a = &t->u[t->by_code[k - 1]], *b = &t->u[t->by_code[k]];
		if (strcmp(a->code, b->code)) continue;
		if (a->to && a->to < b->from) continue;
		long r = row_of[t->by_code[k]] >= 0 ? row_of[t->by_code[k]] : row_of[t->by_code[k - 1]];
		if (r < 0) continue; /* already so in the store: not this file's doing */
		rc = row_error(&im, &im.rows[r], UC_FROM, GNBV_EINVALID,
			       "two units with code '%s' are valid at the same time (from '%s' to '%s', and from '%s')",
			       a->code, a->valid_from, a->valid_to, b->valid_from);
		goto done;
	}
	/* Parents and successors, by code on the row's dates. */
	for (size_t r = 0; r < im.n; r++) {
		urow *row = &im.rows[r];
		gnbv__unit *u = &t->u[row->idx];
		const char *pc = row->v[UC_PARENT];
		u->parent = -1;
		if (pc[0]) {
			long any = -1;
			long p = gnbv__utree_find(t, pc, strlen(pc), row->from, &any);
			if (p == -2 && row->from) p = gnbv__utree_find(t, pc, strlen(pc), 0, &any);
			if (p < 0) {
				rc = row_error(&im, row, UC_PARENT, GNBV_EINVALID,
				               p == -1 ? "no unit '%s' in this file or in the store"
				                       : "no unit '%s' valid when this one starts",
				               pc);
				goto done;
			}
			if (p == row->idx) {
				rc = row_error(&im, row, UC_PARENT, GNBV_EINVALID,
				               "unit '%s' cannot be its own parent", pc);
				goto done;
			}
			u->parent = (int)p;
		}
		const char *sc = row->v[UC_SUCC];
		u->successor_id = 0;
		if (sc[0]) {
			long any = -1;
			long p = gnbv__utree_find(t, sc, strlen(sc), next_day(row->to), &any);
			if (p < 0) {
				rc = row_error(
				    &im, row, UC_SUCC, GNBV_EINVALID,
				    p == -1 ? "no unit '%s' in this file or in the store"
				            : "no unit '%s' valid the day after this one ends",
				    sc);
				goto done;
			}
			u->successor_id = t->u[p].id;
		}
	}
	state = calloc(t->n ? t->n : 1, 1);
	if (!state) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < t->n; i++) {
		if ((rc = compute_path(t, i, state, 0))) {
			long r = row_of[i];
			if (r >= 0) {
				char msg[512];
				snprintf(msg, sizeof msg, "%s", gnbv_error_message());
				rc = row_error(&im, &im.rows[r], UC_PARENT, rc, "%s", msg);
			}
			goto done;
		}
	}

	/* What differs from the store. */
	size_t writes = 0;
	for (size_t r = 0; r < im.n; r++) {
		long i = im.rows[r].idx;
		if ((size_t)i >= n0)
			st.added++;
		else if (!same_unit(t, &t->u[i], orig, &orig->u[i]))
			st.changed++;
		else
			st.unchanged++;
	}
	st.rows = im.n;
	for (size_t i = 0; i < t->n; i++)
		if (i >= n0 || !same_unit(t, &t->u[i], orig, &orig->u[i])) writes++;
	if (!writes) {
		gnbv__rollback(s);
		goto out;
	}
	int64_t seq;
	if ((rc = gnbv__audit_reserve(s, &seq))) goto done;
	if ((rc = gnbv__prep(s,
	                     "INSERT INTO unit (unit_id, code, name, level, parent_id, area, "
	                     "valid_from, valid_to, "
	                     "successor_code, successor_id, flags, path, depth, change_seq) "
	                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                     &ins)) ||
	    (rc = gnbv__prep(
	         s,
	         "UPDATE unit SET unit_id = ?, code = ?, name = ?, level = ?, parent_id = ?, area "
	         "= ?, "
	         "valid_from = ?, valid_to = ?, successor_code = ?, successor_id = ?, flags = ?, "
	         "path = ?, depth = ?, change_seq = ? WHERE unit_id = ?",
	         &upd)))
		goto done;
	/* Parents before children, for the immediate foreign key. */
	for (int depth = 0; depth <= 100; depth++) {
		int any = 0;
		for (size_t i = 0; i < t->n; i++) {
			gnbv__unit *u = &t->u[i];
			if (u->depth != depth) continue;
			any = 1;
			if (i >= n0) {
				if ((rc = bind_unit(s, ins, t, u, seq)) || (rc = gnbv__run(s, ins)))
					goto done;
			} else if (!same_unit(t, u, orig, &orig->u[i])) {
				if ((rc = bind_unit(s, upd, t, u, seq)) ||
				    (rc = gnbv__bind_int(s, upd, 15, u->id)) ||
				    (rc = gnbv__run(s, upd)))
					goto done;
			}
		}
		if (!any && depth > 0) break;
	}
	if ((rc = gnbv__ids_set(s, "unit", next_id))) goto done;
	if ((rc = gnbv__buf_str(&detail, "{\"file\":")) ||
	    (rc = gnbv__buf_json(&detail, im.file, strlen(im.file))) ||
	    (rc = gnbv__buf_str(&detail, ",\"rows\":")) ||
	    (rc = gnbv__buf_i64(&detail, (int64_t)st.rows)) ||
	    (rc = gnbv__buf_str(&detail, ",\"added\":")) ||
	    (rc = gnbv__buf_i64(&detail, (int64_t)st.added)) ||
	    (rc = gnbv__buf_str(&detail, ",\"changed\":")) ||
	    (rc = gnbv__buf_i64(&detail, (int64_t)st.changed)) ||
	    (rc = gnbv__buf_str(&detail, ",\"units_written\":")) ||
	    (rc = gnbv__buf_i64(&detail, (int64_t)writes)) || (rc = gnbv__buf_str(&detail, "}")))
		goto done;
	if ((rc = gnbv__audit_write(s, seq, "units.import", "units", detail.p, detail.len)))
		goto done;
	gnbv__fin(s, ins);
	gnbv__fin(s, upd);
	ins = upd = NULL;
	if ((rc = gnbv__commit(s))) goto done;
out:
	if (stats) *stats = st;
done:
	gnbv__fin(s, ins);
	gnbv__fin(s, upd);
	if (rc) gnbv__rollback(s);
	gnbv__buf_free(&detail);
	free(state);
	free(row_of);
	gnbv__utree_free(orig);
	gnbv__utree_free(t);
	for (size_t r = 0; r < im.n; r++)
		for (int k = 0; k < UC_COUNT; k++)
			free(im.rows[r].v[k]);
	free(im.rows);
	return rc;
}

int gnbv_store_units_import(gnbv_store *s, const gnbv_scope *scope, const char *path,
                            gnbv_units_stats *st)
{
	gnbv_csv *c = NULL;
	int rc = gnbv_csv_open(&c, path);
	if (!rc) rc = units_import_csv(s, scope, c, st);
	gnbv_csv_free(c);
	return rc;
}

int gnbv_store_units_import_builtin(gnbv_store *s, const gnbv_scope *scope, gnbv_units_stats *st)
{
	gnbv_units_stats total = {0};
	int rc = 0;
	for (const gnbv_embedded_file *f = gnbv_embedded; f->name; f++) {
		if (strncmp(f->name, "units/", 6)) continue;
		size_t n = strlen(f->name);
		if (n < 4 || strcmp(f->name + n - 4, ".csv")) continue;
		gnbv_csv *c = NULL;
		gnbv_units_stats one;
		if ((rc = gnbv_csv_open_mem(&c, f->name, (const char *)f->data, f->len))) return rc;
		rc = units_import_csv(s, scope, c, &one);
		gnbv_csv_free(c);
		if (rc) return rc;
		total.rows += one.rows;
		total.added += one.added;
		total.changed += one.changed;
		total.unchanged += one.unchanged;
	}
	if (st) *st = total;
	return 0;
}
