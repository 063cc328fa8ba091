/*
 * classify.c - the batch path: households.csv + members.csv -> assessments,
 * low-income workers and a per-unit summary.
 *
 * Streaming mode walks both files in step, one household and its members at
 * a time, when members are grouped in household order (what gnbv gen and
 * gnbv export write, and what most survey tools export). The moment the
 * files turn out not to be in step (a member of another household, a
 * household without members, members left over, a repeated id), the run
 * starts over in indexed mode: it loads the members file into memory,
 * groups it by household, and reports exact errors (duplicate ids with both
 * lines, members of unknown households). Both modes sort each household's
 * members by member_no, so the outputs are identical.
 *
 * Before either, on a machine with several cores, parts mode (run_parts)
 * cuts both files into parts of whole households and classifies the parts
 * at once, one per thread; it gives way to the one pass at the first sign
 * that the files are not what it needs, so the one pass stays the only
 * source of answers and messages for unusual files.
 */
#include "gnbv/classify.h"

#include "gnbv/error.h"

#include "../util/grow.h"
#include "../util/hash.h"
#include "../util/numfmt.h"
#include "csv.h"
#include "dupcheck.h"
#include "exchange.h"
#include "mfeed.h"
#include "outfile.h"
#include "split.h"
#include "units.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { RESTART = 1 }; /* internal: switch to indexed mode */

typedef struct run run;
struct run {
	run *whole; /* a part's run (run_parts): the run it is part of; else NULL */
	const gnbv_classify_opts *o;
	gnbv_classify_stats *st;
	gnbv_standard std;
	gnbv_assess_ctx actx; /* std prepared for the --as-of date */
	gnbv_units *units;
	int units_loaded;
	gnbv_csv *hc, *mc;
	gnbv_xmap hmap, mmap;
	struct stat hfile; /* the households file when opened: replay_ids reads it again */
	gnbv_out *a_out, *w_out, *s_out;
	gnbv_strmap unit_ids;
	uint64_t *counts; /* per unit: 2 + GNBV_CLASS_COUNT + n_indicators */
	size_t ncounts_cap;
	gnbv_dupcheck *dups; /* streaming mode: fingerprints of the ids, checked at the end */
	int width;
	long last_unit; /* index of the previous household's unit, -1 none */
	int last_unit_quote; /* its code needs quotes in outputs */
	/* The indicators' YES counts of the unit's households since pend_unit
	 * was taken, a byte each (flushed to the unit's row before a byte can
	 * overflow, when the unit changes, and before counts are read):
	 * households come unit by unit, and adding twelve counters one by one
	 * cost 90 instructions a household. */
	uint64_t pend[GNBV_MAX_INDICATORS / 8];
	unsigned pend_n;
	long pend_unit;
	size_t std_name_len;
	char std_pad[32]; /* the standard's name, padded: copied whole into each row */
};

/* Per-unit counter row layout. */
#define C_HOUSEHOLDS 0
#define C_MEMBERS 1
#define C_CLASS 2
#define C_IND (2 + GNBV_CLASS_COUNT)

_Static_assert(GNBV_MAX_INDICATORS == 16, "the pending counts are two words of bytes");

/* The pending YES counts into their unit's row. */
static void flush_pending(run *r)
{
	if (!r->pend_n) return;
	unsigned char b[GNBV_MAX_INDICATORS];
	memcpy(b, r->pend, sizeof b); /* byte i: indicator i, whatever the byte order */
	uint64_t *row = r->counts + (size_t)r->pend_unit * (size_t)r->width + C_IND;
	for (int i = 0; i < r->std.n_indicators; i++) row[i] += b[i];
	memset(r->pend, 0, sizeof r->pend);
	r->pend_n = 0;
}

/* The units list is read the first time a household needs it, once for
 * the whole run: parts' runs on other threads share it. */
static pthread_mutex_t units_mu = PTHREAD_MUTEX_INITIALIZER;

static int load_units(run *r)
{
	run *w = r->whole ? r->whole : r;
	int rc = 0;
	if (w != r) pthread_mutex_lock(&units_mu);
	if (!w->units_loaded && !(rc = gnbv_units_load(&w->units, r->o->units_path))) w->units_loaded = 1;
	if (w != r) {
		r->units = w->units;
		r->units_loaded = w->units_loaded;
		pthread_mutex_unlock(&units_mu);
	}
	return rc;
}

static int resolve_area(run *r, gnbv_household *h, const gnbv_csv_field *unit)
{
	if (h->area != GNBV_AREA_UNKNOWN) return 0;
	int rc;
	if (!r->units_loaded && (rc = load_units(r))) return rc;
	int a = gnbv_units_area(r->units, unit->p, unit->len);
	if (a < 0) {
		size_t col = 0;
		while (col < r->hmap.ncols && r->hmap.col[col] != XF_AREA) col++;
		if (col == r->hmap.ncols) col = (size_t)r->hmap.unit_col;
		return gnbv_csv_error(r->hc, GNBV_EINVALID, col,
				      "area is empty and unit '%.*s' has no known area; fill in rural or urban, or give --units FILE",
				      (int)unit->len, unit->p);
	}
	h->area = (signed char)a;
	return 0;
}

/* Members by member_no: households are small, so insertion sort. */
static void sort_members(gnbv_member *m, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		gnbv_member v = m[i];
		size_t j = i;
		while (j > 0 && m[j - 1].member_no > v.member_no) {
			m[j] = m[j - 1];
			j--;
		}
		m[j] = v;
	}
}

/* Whether a cell needs quotes in a CSV output (a comma, quote, CR or LF):
 * eight bytes at a time, the last word overlapping the one before. */
static inline uint64_t has_byte(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (0x0101010101010101ull * c);
	return (y - 0x0101010101010101ull) & ~y & 0x8080808080808080ull;
}

/* A word holds a comma, quote, CR or LF. All four are below '-' (0x2D):
 * most words have no such byte, and one subtraction tells (bytes of 0x80
 * and up excluded by ~x). */
static inline int word_needs_quote(uint64_t x)
{
	return ((x - 0x2D2D2D2D2D2D2D2Dull) & ~x & 0x8080808080808080ull) &&
	       (has_byte(x, ',') | has_byte(x, '"') | has_byte(x, '\n') | has_byte(x, '\r'));
}

static int needs_quote_any(const gnbv_csv_field *f)
{
	const char *p = f->p;
	size_t n = f->len;
	if (n < 8) {
		for (size_t i = 0; i < n; i++)
			if (p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r') return 1;
		return 0;
	}
	for (size_t i = 0;; i += 8) {
		if (i > n - 8) i = n - 8;
		uint64_t x;
		memcpy(&x, p + i, 8);
		if (word_needs_quote(x)) return 1;
		if (i == n - 8) return 0;
	}
}

/* Inline for the household ids of 8 to 16 bytes (every household's): two
 * words, the second overlapping the first. */
static inline int needs_quote(const gnbv_csv_field *f)
{
	if (f->len < 8 || f->len > 16) return needs_quote_any(f);
	uint64_t x, y;
	memcpy(&x, f->p, 8);
	memcpy(&y, f->p + f->len - 8, 8);
	return word_needs_quote(x) || word_needs_quote(y);
}

/* The unit's counter row (households come unit by unit: the previous
 * household's unit is the usual hit), and whether its code needs quotes. */
static int unit_row(run *r, const gnbv_csv_field *unit, uint64_t **row, int *quote)
{
	long u = r->last_unit;
	if (u < 0 || r->unit_ids.lens[u] != unit->len || !gnbv_same_key(r->unit_ids.keys[u], unit->p, unit->len)) {
		int added;
		u = gnbv_strmap_get(&r->unit_ids, unit->p, unit->len, 1, &added);
		if (u < 0) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		r->last_unit = u;
		r->last_unit_quote = needs_quote(unit);
	}
	if ((size_t)u >= r->ncounts_cap) {
		size_t nc = r->ncounts_cap ? r->ncounts_cap * 2 : 256;
		uint64_t *c = realloc(r->counts, nc * (size_t)r->width * sizeof *c);
		if (!c) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		memset(c + r->ncounts_cap * (size_t)r->width, 0,
		       (nc - r->ncounts_cap) * (size_t)r->width * sizeof *c);
		r->counts = c;
		r->ncounts_cap = nc;
	}
	*row = r->counts + (size_t)u * (size_t)r->width;
	*quote = r->last_unit_quote;
	return 0;
}

/* A cell into a row buffer with 32 bytes of room past the cell: 32 bytes
 * at once when the cell is that short (what reads past it is the reader's
 * buffer, overwritten after), else memcpy. */
static inline void copy_cell(char *dst, const gnbv_csv_field *f)
{
	if (f->len <= 32) memcpy(dst, f->p, 32);
	else memcpy(dst, f->p, f->len);
}

/* One household's outputs and counts. `sum`: its members' part of the
 * assessment when the feed has worked it out, else NULL. */
static int emit(run *r, gnbv_household *h, const gnbv_csv_field *id, const gnbv_csv_field *unit,
		const gnbv_member *m, size_t n, const gnbv_member_sum *sum)
{
	int rc;
	if ((rc = resolve_area(r, h, unit))) return rc;
	/* m is sorted by member_no (streaming sorts it; the index's order is) */

	gnbv_assessment a;
	unsigned char workers[GNBV_MAX_MEMBERS];
	if (sum) gnbv_assess_summed(&r->actx, h, m, n, sum, &a, workers);
	else gnbv_assess_prepared(&r->actx, h, m, n, &a, workers);

	uint64_t *cnt = NULL;
	int unit_quote = 0;
	if ((rc = unit_row(r, unit, &cnt, &unit_quote))) return rc;

	/* The row is built in place in the output's buffer (ROW_ROOM bytes
	 * reserved: the longest row, with the whole-word copies' overshoot).
	 * Long or quoted ids and unit codes go first through gnbv_out_cell;
	 * the rest of the row is then short. */
	enum { ROW_ROOM = 256 };
	size_t k = 0;
	int simple = id->len + unit->len < 160 && !unit_quote && !needs_quote(id);
	gnbv_out *o = r->a_out;
	char *row;
	if (simple) {
		if (!(row = gnbv_out_reserve(o, ROW_ROOM))) return GNBV_EIO;
		/* Short cells copied as whole words: a cell is followed by 64
		 * readable bytes (csv.h), the row has room to spare. */
		copy_cell(row, id);
		k = id->len;
		row[k++] = ',';
		copy_cell(row + k, unit);
		k += unit->len;
	} else {
		gnbv_out_cell(o, id->p, id->len);
		gnbv_out_char(o, ',');
		gnbv_out_cell(o, unit->p, unit->len);
		if (!(row = gnbv_out_reserve(o, ROW_ROOM))) return GNBV_EIO;
	}
	row[k++] = ',';
	memcpy(row + k, r->std_pad, sizeof r->std_pad);
	k += r->std_name_len;
	row[k++] = ',';
	/* The class name from a table padded to 16 bytes: one fixed copy. */
	static const struct {
		char s[16];
		unsigned char len;
	} CLASS[GNBV_CLASS_COUNT] = {{"poor", 4}, {"near_poor", 9}, {"average", 7}, {"not_poor", 8}, {"incomplete", 10}};
	unsigned kl = (unsigned)a.klass < GNBV_CLASS_COUNT ? (unsigned)a.klass : GNBV_CLASS_INCOMPLETE;
	memcpy(row + k, CLASS[kl].s, 16);
	k += CLASS[kl].len;
	row[k++] = ',';
	if (a.deficits >= 10) row[k++] = (char)('0' + a.deficits / 10);
	row[k++] = (char)('0' + a.deficits % 10);
	/* ",1", ",0", or "," when unknown: two bytes written, one or two kept.
	 * Locals, since stores through a char pointer may alias anything. */
	int ni = r->std.n_indicators;
	char *w = row + k;
	/* Bit arithmetic on the value's byte (NO 0x00, YES 0x01, UNKNOWN 0xFF):
	 * the digit is bit 0, kept only when bit 7 is clear. Written as a
	 * choice, gcc made it a branch, which mispredicted on the values. */
	_Static_assert(GNBV_NO == 0 && GNBV_YES == 1 && GNBV_UNKNOWN == -1, "tri-state bytes");
	for (int i = 0; i < ni; i++) {
		unsigned u = (unsigned char)a.ind[i];
		w[0] = ',';
		w[1] = (char)('0' + (u & 1));
		w += 2 - (u >> 7);
	}
	k = (size_t)(w - row);
	/* YES (0x01) bytes to 1, NO and UNKNOWN (0xFF) to 0, added lane by
	 * lane: no lane carries, being flushed at 255 */
	if (r->last_unit != r->pend_unit || r->pend_n == 255) {
		flush_pending(r);
		r->pend_unit = r->last_unit;
	}
	for (int i = 0; i < GNBV_MAX_INDICATORS / 8; i++) {
		uint64_t v;
		memcpy(&v, a.ind + 8 * i, 8);
		r->pend[i] += v & ~(v >> 7) & 0x0101010101010101ull;
	}
	r->pend_n++;
	if (!r->o->explain) row[k++] = '\n';
	gnbv_out_advance(o, k);
	if (r->o->explain) {
		char reason[2048];
		size_t len = gnbv_assess_reason(&r->std, h, &a, r->o->english, reason, sizeof reason);
		gnbv_out_char(o, ',');
		gnbv_out_cell(o, reason, len);
		if ((rc = gnbv_out_char(o, '\n'))) return rc;
	}

	if (a.n_workers)
		for (size_t i = 0; i < n; i++) {
			if (!workers[i]) continue;
			gnbv_out_cell(r->w_out, id->p, id->len);
			gnbv_out_char(r->w_out, ',');
			gnbv_out_u64(r->w_out, (uint64_t)m[i].member_no);
			if ((rc = gnbv_out_char(r->w_out, '\n'))) return rc;
		}

	cnt[C_HOUSEHOLDS]++;
	cnt[C_MEMBERS] += n;
	cnt[C_CLASS + a.klass]++;

	r->st->households++;
	r->st->members += n;
	r->st->workers += (uint64_t)a.n_workers;
	r->st->by_class[a.klass]++;
	return 0;
}

/* (inlined: the part loop calls it for every member) */
static inline __attribute__((always_inline)) int same(const gnbv_csv_field *a, const gnbv_csv_field *b)
{
	return a->len == b->len && gnbv_same_key(a->p, b->p, a->len);
}

/* Opens a round's CSV file and takes its header row. */
static int open_with_header(gnbv_csv **c, const char *path)
{
	int rc = gnbv_csv_open(c, path);
	if (rc) return rc;
	rc = gnbv_csv_next(*c);
	if (rc == 0) return gnbv_error_set(GNBV_EINVALID, "%s:1: empty file: expected a header row", path);
	if (rc < 0) return rc;
	return gnbv_csv_take_header(*c);
}

/* The ids of the first n households, given to the duplicate check again:
 * they came in order, so it only counted them (gnbv_dupcheck_defer), and
 * the order has just broken. Read from the households file a second time,
 * with the cells checked as the first read checked them (so the same id
 * bytes); a file that has changed meanwhile is an error. Rare: exports
 * come in key order. */
static int replay_ids(run *r, size_t n)
{
	const char *path = r->o->households_path;
	gnbv_csv *c = NULL;
	struct stat now;
	/* the same file, unchanged (one renamed over it would give other ids);
	 * one that has since lost rows fails the size test, or ends early */
	int same = stat(path, &now) == 0 && now.st_dev == r->hfile.st_dev &&
		   now.st_ino == r->hfile.st_ino && now.st_size == r->hfile.st_size &&
		   now.st_mtim.tv_sec == r->hfile.st_mtim.tv_sec &&
		   now.st_mtim.tv_nsec == r->hfile.st_mtim.tv_nsec;
	int rc = same ? open_with_header(&c, path) : 1;
	if (rc == 0) gnbv_csv_expect(c, r->hmap.ncols);
	for (size_t i = 0; i < n && rc == 0; i++) {
		gnbv_household h;
		gnbv_csv_field id, unit;
		rc = gnbv_csv_next(c);
		if (rc == 1) rc = gnbv_x_household(&r->hmap, c, &r->std, &h, &id, &unit);
		else if (rc == 0) rc = 1;
		if (rc == 0) rc = gnbv_dupcheck_add_id(r->dups, id.p, id.len); /* 0 or < 0: out of order now */
	}
	gnbv_csv_free(c);
	return rc > 0 ? gnbv_error_set(GNBV_EIO, "%s: the file changed while it was read", path) : rc;
}

/* A household's members from the feed's group, as emit takes them: as they
 * lie in the feed's batch when they are in order and stay put through the
 * next call (nearly always), otherwise a copy in buf, sorted here, not in
 * the feed. *psum: the feed's members' part, copied to *sum to outlive the
 * next call, or NULL (emit works it out). */
static const gnbv_member *group_members(const gnbv_mgroup *g, gnbv_member *buf, gnbv_member_sum *sum,
					const gnbv_member_sum **psum)
{
	*psum = g->sum ? (*sum = *g->sum, sum) : NULL;
	if (g->sorted && g->lasting) return g->m;
	memcpy(buf, g->m, g->n * sizeof *buf);
	sort_members(buf, g->n);
	return buf;
}

/* Streaming mode. Returns 0, RESTART, or a negative error. Members come
 * from the feed, parsed and grouped by household ahead on the second core. */
static int run_streaming(run *r, gnbv_mfeed *feed)
{
	gnbv_member group[GNBV_MAX_MEMBERS];
	gnbv_mgroup g;
	int have, rc;

	if ((rc = gnbv_mfeed_group(feed, &g)) < 0) return rc;
	have = rc == 1;
	while ((rc = gnbv_csv_next(r->hc)) == 1) {
		gnbv_household h;
		gnbv_csv_field id, unit;
		if ((rc = gnbv_x_household(&r->hmap, r->hc, &r->std, &h, &id, &unit))) return rc;
		/* not in step, or a household without members */
		if (!have || !same(&g.id, &id)) return RESTART;
		if (g.cut) return gnbv_mfeed_error(feed);
		size_t n = g.n;
		gnbv_member_sum sum;
		const gnbv_member_sum *psum;
		const gnbv_member *mem = group_members(&g, group, &sum, &psum);
		/* The next group now: an error right after this household's members
		 * comes before this household's outputs, as it always has. */
		if ((rc = gnbv_mfeed_group(feed, &g)) < 0) return rc;
		have = rc == 1;
		rc = gnbv_dupcheck_add_id(r->dups, id.p, id.len);
		if (rc == GNBV_DUPCHECK_REPLAY && !(rc = replay_ids(r, gnbv_dupcheck_counted(r->dups))))
			rc = gnbv_dupcheck_add_id(r->dups, id.p, id.len);
		if (rc) return rc < 0 ? rc : gnbv_error_set(GNBV_EINVALID, "duplicate check out of step");
		if ((rc = emit(r, &h, &id, &unit, mem, n, psum))) return rc;
	}
	if (rc < 0) return rc;
	if (have) return RESTART;
	/* Duplicate ids: a repeated fingerprint (a real duplicate, or a
	 * 1-in-2^64 clash) sends the run to indexed mode, which compares the
	 * ids themselves and names both lines. The check (a sort of one
	 * fingerprint per household) runs on a thread of its own while the
	 * assessments and workers go to the disk: both waits at once. */
	gnbv_dupcheck_start(r->dups, gnbv_mfeed_threads());
	int src = gnbv_out_sync(r->a_out);
	if (!src) src = gnbv_out_sync(r->w_out);
	if (src) {
		/* the disk's error wins; keep its message past the wait */
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", gnbv_error_message());
		(void)gnbv_dupcheck_wait(r->dups);
		return gnbv_error_set(src, "%s", msg);
	}
	rc = gnbv_dupcheck_wait(r->dups);
	return rc < 0 ? rc : rc ? RESTART : 0;
}

/* Indexed mode: every member in memory, grouped by household. */
typedef struct imember {
	gnbv_member m;
	uint64_t hash;
	uint32_t id_off, id_len;
	long line;
} imember;

typedef struct index {
	imember *v;
	size_t n, cap;
	char *ids;
	size_t ids_len, ids_cap;
} index_t;

static const char *ikey(const index_t *x, const imember *m) { return x->ids + m->id_off; }

static const index_t *g_sort_index; /* qsort has no context argument in C17 */

static int cmp_imember(const void *a, const void *b)
{
	const imember *x = a, *y = b;
	if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
	if (x->id_len != y->id_len) return x->id_len < y->id_len ? -1 : 1;
	int c = memcmp(ikey(g_sort_index, x), ikey(g_sort_index, y), x->id_len);
	if (c) return c;
	if (x->m.member_no != y->m.member_no) return x->m.member_no < y->m.member_no ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

typedef struct igroup {
	size_t first, n;
	long claimed_line; /* households.csv line of the household that took it; 0 none */
} igroup;

static int load_members(run *r, index_t *x)
{
	int rc;
	while ((rc = gnbv_csv_next(r->mc)) == 1) {
		gnbv_member m;
		gnbv_csv_field hid;
		if ((rc = gnbv_x_member(&r->mmap, r->mc, &m, &hid))) return rc;
		if ((rc = gnbv_grow(&x->v, &x->cap, x->n + 1, sizeof *x->v, 4096)) ||
		    (rc = gnbv_grow(&x->ids, &x->ids_cap, x->ids_len + hid.len + 1, 1, 1 << 16)))
			return rc;
		if (x->ids_len + hid.len >= UINT32_MAX)
			return gnbv_error_set(GNBV_ETOOBIG, "%s: too many members to index", gnbv_csv_name(r->mc));
		imember *im = &x->v[x->n++];
		im->m = m;
		im->hash = gnbv_hash64(hid.p, hid.len);
		im->id_off = (uint32_t)x->ids_len;
		im->id_len = hid.len;
		im->line = gnbv_csv_line(r->mc);
		memcpy(x->ids + x->ids_len, hid.p, hid.len);
		x->ids_len += hid.len;
		x->ids[x->ids_len++] = '\0';
	}
	return rc;
}

static int member_no_col_error(run *r, const index_t *x, const imember *a, const imember *b)
{
	return gnbv_error_set(GNBV_EINVALID,
			      "%s:%ld:%d: column 'member_no': household '%s' already has a member number %d (line %ld)",
			      gnbv_csv_name(r->mc), b->line, r->mmap.member_no_col + 1, ikey(x, b),
			      b->m.member_no, a->line);
}

static int run_indexed(run *r)
{
	int rc;
	index_t x = {0};
	igroup *groups = NULL;
	size_t ngroups = 0;
	uint32_t *table = NULL; /* group index + 1, by hash */
	size_t tcap = 0;
	gnbv_member group[GNBV_MAX_MEMBERS];

	r->st->indexed = true;
	if ((rc = load_members(r, &x))) goto done;
	g_sort_index = &x;
	qsort(x.v, x.n, sizeof *x.v, cmp_imember);

	groups = malloc((x.n ? x.n : 1) * sizeof *groups);
	if (!groups) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < x.n; i++) {
		const imember *a = i ? &x.v[i - 1] : NULL, *b = &x.v[i];
		int same_id = a && a->hash == b->hash && a->id_len == b->id_len &&
			      !memcmp(ikey(&x, a), ikey(&x, b), b->id_len);
		if (same_id) {
			if (a->m.member_no == b->m.member_no) {
				/* Report the later line, as a reader of the file meets it. */
				rc = a->line < b->line ? member_no_col_error(r, &x, a, b)
						       : member_no_col_error(r, &x, b, a);
				goto done;
			}
			groups[ngroups - 1].n++;
		} else {
			groups[ngroups].first = i;
			groups[ngroups].n = 1;
			groups[ngroups].claimed_line = 0;
			ngroups++;
		}
	}
	tcap = 64;
	while (tcap < 2 * ngroups) tcap *= 2;
	table = calloc(tcap, sizeof *table);
	if (!table) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t g = 0; g < ngroups; g++) {
		size_t j = (size_t)x.v[groups[g].first].hash & (tcap - 1);
		while (table[j]) j = (j + 1) & (tcap - 1);
		table[j] = (uint32_t)g + 1;
	}

	while ((rc = gnbv_csv_next(r->hc)) == 1) {
		gnbv_household h;
		gnbv_csv_field id, unit;
		if ((rc = gnbv_x_household(&r->hmap, r->hc, &r->std, &h, &id, &unit))) goto done;
		uint64_t hv = gnbv_hash64(id.p, id.len);
		igroup *g = NULL;
		for (size_t j = (size_t)hv & (tcap - 1); table[j]; j = (j + 1) & (tcap - 1)) {
			igroup *c = &groups[table[j] - 1];
			const imember *f = &x.v[c->first];
			if (f->hash == hv && f->id_len == id.len && !memcmp(ikey(&x, f), id.p, id.len)) {
				g = c;
				break;
			}
		}
		if (!g) {
			rc = gnbv_csv_error(r->hc, GNBV_EINVALID, (size_t)r->hmap.id_col,
					    "household '%.*s' has no members in %s", (int)id.len, id.p,
					    gnbv_csv_name(r->mc));
			goto done;
		}
		if (g->claimed_line) {
			rc = gnbv_csv_error(r->hc, GNBV_ECONFLICT, (size_t)r->hmap.id_col,
					    "duplicate household_id '%.*s' (first at line %ld)", (int)id.len,
					    id.p, g->claimed_line);
			goto done;
		}
		g->claimed_line = gnbv_csv_line(r->hc);
		if (g->n > GNBV_MAX_MEMBERS) {
			rc = gnbv_csv_error(r->hc, GNBV_ETOOBIG, (size_t)r->hmap.id_col,
					    "household '%.*s' has more than %d members", (int)id.len, id.p,
					    GNBV_MAX_MEMBERS);
			goto done;
		}
		for (size_t k = 0; k < g->n; k++) group[k] = x.v[g->first + k].m;
		if ((rc = emit(r, &h, &id, &unit, group, g->n, NULL))) goto done;
	}
	if (rc < 0) goto done;
	rc = 0;
	/* Members whose household never came: report the first in the file. */
	const imember *orphan = NULL;
	for (size_t g = 0; g < ngroups; g++) {
		if (groups[g].claimed_line) continue;
		for (size_t k = 0; k < groups[g].n; k++) {
			const imember *m = &x.v[groups[g].first + k];
			if (!orphan || m->line < orphan->line) orphan = m;
		}
	}
	if (orphan)
		rc = gnbv_error_set(GNBV_EINVALID,
				    "%s:%ld:%d: column 'household_id': member of unknown household '%s' (not in %s)",
				    gnbv_csv_name(r->mc), orphan->line, r->mmap.id_col + 1, ikey(&x, orphan),
				    gnbv_csv_name(r->hc));
done:
	free(table);
	free(groups);
	free(x.v);
	free(x.ids);
	return rc;
}

static const gnbv_strmap *g_sort_units;

static int cmp_unit_order(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	size_t la = g_sort_units->lens[a], lb = g_sort_units->lens[b];
	int c = memcmp(g_sort_units->keys[a], g_sort_units->keys[b], la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

/* Writes summary.csv to its temporary file; the caller commits it with the
 * other outputs. */
static int write_summary(run *r, gnbv_out **out)
{
	flush_pending(r);
	gnbv_out *o = NULL;
	size_t nu = r->unit_ids.n;
	size_t *order = malloc((nu ? nu : 1) * sizeof *order);
	uint64_t *total = calloc((size_t)r->width, sizeof *total);
	int rc = 0;
	if (!order || !total) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = gnbv_out_open(&o, r->o->out_dir ? r->o->out_dir : ".", "summary.csv"))) goto done;
	gnbv_out_str(o, "unit_code,households,members,poor,near_poor,average,not_poor,incomplete");
	for (int i = 0; i < r->std.n_indicators; i++) {
		gnbv_out_char(o, ',');
		gnbv_out_str(o, r->std.indicators[i].code);
	}
	gnbv_out_char(o, '\n');
	/* Sorted by code in byte order (exchange-format.md). */
	for (size_t i = 0; i < nu; i++) order[i] = i;
	g_sort_units = &r->unit_ids;
	qsort(order, nu, sizeof *order, cmp_unit_order);
	for (size_t k = 0; k <= nu; k++) {
		const uint64_t *row;
		if (k < nu) {
			size_t u = order[k];
			row = r->counts + u * (size_t)r->width;
			gnbv_out_cell(o, r->unit_ids.keys[u], r->unit_ids.lens[u]);
			for (int i = 0; i < r->width; i++) total[i] += row[i];
		} else {
			row = total;
			gnbv_out_char(o, '*');
		}
		/* The numbers of a row into a local buffer, then one write: at most
		 * 21 bytes each (a comma and 20 digits). */
		char line[(2 + GNBV_CLASS_COUNT + GNBV_MAX_INDICATORS) * 21 + 1];
		size_t len = 0;
		for (int i = 0; i < r->width; i++) {
			char digits[20];
			int d = 20;
			uint64_t v = row[i];
			do digits[--d] = (char)('0' + v % 10), v /= 10;
			while (v);
			line[len++] = ',';
			memcpy(line + len, digits + d, (size_t)(20 - d));
			len += (size_t)(20 - d);
		}
		line[len++] = '\n';
		if ((rc = gnbv_out_write(o, line, len))) goto done;
	}
	*out = o;
	o = NULL;
done:
	gnbv_out_abort(o);
	free(order);
	free(total);
	return rc;
}

static int write_headers(run *r)
{
	gnbv_out *o = r->a_out;
	gnbv_out_str(o, "household_id,unit_code,standard,class,deficits");
	for (int i = 0; i < r->std.n_indicators; i++) {
		gnbv_out_char(o, ',');
		gnbv_out_str(o, r->std.indicators[i].code);
	}
	if (r->o->explain) gnbv_out_str(o, ",reason");
	gnbv_out_char(o, '\n');
	return gnbv_out_str(r->w_out, "household_id,member_no\n");
}

/* Starts the run over from the first records: counters, stats and the
 * duplicate check emptied, the outputs back to their headers, both readers
 * rewound. Before indexed mode, and before the one pass after parts mode
 * gave way. */
static int restart_run(run *r)
{
	int rc;
	memset(r->st->by_class, 0, sizeof r->st->by_class);
	r->st->households = r->st->members = r->st->workers = 0;
	gnbv_strmap_free(&r->unit_ids);
	r->last_unit = -1;
	free(r->counts);
	r->counts = NULL;
	r->ncounts_cap = 0;
	memset(r->pend, 0, sizeof r->pend);
	r->pend_n = 0;
	gnbv_dupcheck_free(r->dups);
	r->dups = NULL;
	if ((rc = gnbv_out_truncate(r->a_out)) || (rc = gnbv_out_truncate(r->w_out)) ||
	    (rc = gnbv_csv_rewind(r->hc)) || (rc = gnbv_csv_rewind(r->mc)))
		return rc;
	return write_headers(r);
}

/* Parts mode (the common case on a machine with several cores): both files
 * are cut into parts of whole households with their members
 * (split.h), and the parts are classified at once, one per thread, each
 * thread reading its parts' bytes of the two files itself. A part's rows
 * are kept in memory until the parts before it are written, then appended
 * to the outputs in file order, so the outputs are byte for byte those of
 * one pass; the per-unit counters are summed at the end.
 *
 * The plan is proved as the parts are read: every part must parse cleanly
 * to its end and pair each household with its members (as streaming mode
 * does), and the ids must rise from the first household to the last (so
 * there is no duplicate, and no household's members can straddle a cut).
 * Anything else (an error, a part out of step, ids out of order) stops
 * every thread and sends the run to one pass from the start, which gives
 * the answer and the message it always gave: this mode has no error
 * messages of its own. With every thread on both files, none waits for
 * another's reader: at 1 M households on two cores, median wall time 0.465
 * -> 0.415 s against the one pass's pair of threads, interleaved runs
 * (docs/performance.md, session 7). */
enum { MAX_PARTS = 4096 };
#define PART_BYTES (8u << 20) /* members.csv bytes per part */

/* A part's first and last household ids. */
typedef struct part_ids {
	size_t n; /* households */
	uint32_t first_len, last_len;
	char first[GNBV_SPLIT_MAX_ID], last[GNBV_SPLIT_MAX_ID];
} part_ids;

typedef struct slot {
	gnbv_out *a, *w; /* the part's assessments and workers rows */
	part_ids ids;
	int done; /* read, waiting to be appended */
} slot;

typedef struct parts {
	run *r;
	const gnbv_split_cut *cuts;
	int n, window;     /* parts; slots (parts in flight or waiting) */
	slot *slots;       /* part j in slots[j % window] */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int next, appended, appending; /* under mu */
	atomic_int stop;   /* a part failed: every thread stops, one pass follows */
	part_ids prev;     /* the last appended part's ids (the appender's) */
} parts;

/* On cache lines of its own (allocated aligned): each thread writes its
 * stats for every household, and reads its run as often; with the next
 * thread's run on the same line, each write would take the line from the
 * other core. */
typedef struct worker {
	_Alignas(64) run w;
	_Alignas(64) gnbv_classify_stats st;
	parts *p;
	pthread_t t;
	int started;
} worker;

/* Members bytes per part: $GNBV_CLASSIFY_PART (bytes; tests cut small
 * files into many parts with it), else PART_BYTES. */
static uint64_t part_bytes(void)
{
	const char *e = getenv("GNBV_CLASSIFY_PART");
	char *end;
	unsigned long long v = e ? strtoull(e, &end, 10) : 0;
	return e && *e && !*end && v > 0 ? (uint64_t)v : PART_BYTES;
}

/* The next member of a part's members reader into *m: 1, 0 at the part's
 * end, RESTART or a negative code (a bad row: one pass will say so). */
static int next_member(run *w, gnbv_member *m, gnbv_csv_field *hid)
{
	int rc = gnbv_csv_next(w->mc);
	if (rc == 1 && (rc = gnbv_x_member(&w->mmap, w->mc, m, hid)) == 0) return 1;
	return rc;
}

/* Eight bytes as a number that orders as the bytes do. */
static inline uint64_t load_be64(const char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

/* a < b in byte order (gnbv_split_cmp), inline for ids of the same length,
 * 8 to 16 bytes (most households' and their predecessor's): two big-endian
 * words, the second overlapping the first, which is equal by then. */
static inline int id_before(const char *a, size_t al, const char *b, size_t bl)
{
	if (al != bl || al < 8 || al > 16) return gnbv_split_cmp(a, al, b, bl) < 0;
	uint64_t x = load_be64(a), y = load_be64(b);
	if (x != y) return x < y;
	return load_be64(a + al - 8) < load_be64(b + al - 8);
}

/* One part, into w's outputs (its slot's). 0 when it was read whole and in
 * step; RESTART or a negative code otherwise (either way: one pass, which
 * gives the message). The members are read here, on the part's thread, a
 * household at a time: those with the household's id, taken while the id
 * holds (the checks of mfeed.c's grouping, without its batches: here any
 * problem only sends the run to one pass). */
static int part_run(run *w, const gnbv_split_cut *cut, part_ids *ids, atomic_int *stop)
{
	/* the household's members, and one more: the next household's first */
	gnbv_member group[GNBV_MAX_MEMBERS + 1];
	gnbv_csv_field mid;
	int rc, mrc;
	ids->n = 0;
	if ((rc = gnbv_csv_range(w->hc, cut[0].h, cut[1].h)) || (rc = gnbv_csv_range(w->mc, cut[0].m, cut[1].m)))
		return rc;
	if ((mrc = next_member(w, &group[0], &mid)) < 0) return mrc;
	while ((rc = gnbv_csv_next(w->hc)) == 1) {
		gnbv_household h;
		gnbv_csv_field id, unit;
		if ((rc = gnbv_x_household(&w->hmap, w->hc, &w->std, &h, &id, &unit))) return rc;
		if (mrc != 1 || !same(&mid, &id) || id.len > GNBV_SPLIT_MAX_ID) return RESTART;
		if (ids->n && !id_before(ids->last, ids->last_len, id.p, id.len)) return RESTART;
		if (!ids->n) memcpy(ids->first, id.p, ids->first_len = id.len);
		/* whole: the id (at most 64 bytes) is followed by 64 readable ones */
		memcpy(ids->last, id.p, GNBV_SPLIT_MAX_ID);
		ids->last_len = id.len;
		ids->n++;
		/* group[0] is the first member; no member_no twice (a bit per
		 * number below 64, else a comparison with every one before) */
		size_t n = 0;
		uint64_t seen = 0;
		int sorted = 1;
		do {
			int no = group[n].member_no;
			if (no < 64 && n < 64) {
				if (seen >> no & 1) return RESTART;
				seen |= 1ull << no;
			} else {
				for (size_t i = 0; i < n; i++)
					if (group[i].member_no == no) return RESTART;
			}
			sorted &= n == 0 || no > group[n - 1].member_no;
			if (++n > GNBV_MAX_MEMBERS) return RESTART;
			if ((mrc = next_member(w, &group[n], &mid)) < 0) return mrc;
		} while (mrc == 1 && same(&mid, &id));
		gnbv_member next = group[n];
		if (!sorted) sort_members(group, n);
		if ((rc = emit(w, &h, &id, &unit, group, n, NULL))) return rc;
		group[0] = next;
		if ((ids->n & 1023) == 0 && atomic_load_explicit(stop, memory_order_relaxed)) return RESTART;
	}
	if (rc < 0) return rc;
	flush_pending(w); /* merge_counts reads the rows */
	return mrc != 0 || ids->n == 0 ? RESTART : 0;
}

/* Appends part t to the outputs, after the ids' order across the cut is
 * checked. The appender alone touches the outputs and p->prev. */
static int append_part(parts *p, slot *t)
{
	if (p->prev.n && gnbv_split_cmp(p->prev.last, p->prev.last_len, t->ids.first, t->ids.first_len) >= 0)
		return RESTART;
	int rc = gnbv_out_append(p->r->a_out, t->a);
	if (!rc) rc = gnbv_out_append(p->r->w_out, t->w);
	p->prev = t->ids;
	return rc;
}

/* A thread's loop: takes the next part while there is room for it, reads
 * it, and appends every part that is ready in order, one appender at a
 * time. */
static void work(worker *k)
{
	parts *p = k->p;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!atomic_load(&p->stop) && p->next < p->n && p->next >= p->appended + p->window)
			pthread_cond_wait(&p->cv, &p->mu);
		if (atomic_load(&p->stop) || p->next >= p->n) break;
		int j = p->next++;
		pthread_mutex_unlock(&p->mu);

		slot *s = &p->slots[j % p->window];
		(void)gnbv_out_truncate(s->a);
		(void)gnbv_out_truncate(s->w);
		k->w.a_out = s->a;
		k->w.w_out = s->w;
		int rc = part_run(&k->w, &p->cuts[j], &s->ids, &p->stop);

		pthread_mutex_lock(&p->mu);
		if (rc) {
			atomic_store(&p->stop, 1);
			pthread_cond_broadcast(&p->cv);
			break;
		}
		s->done = 1;
		while (!atomic_load(&p->stop) && !p->appending && p->appended < p->n &&
		       p->slots[p->appended % p->window].done) {
			slot *t = &p->slots[p->appended % p->window];
			p->appending = 1;
			pthread_mutex_unlock(&p->mu);
			rc = append_part(p, t);
			pthread_mutex_lock(&p->mu);
			p->appending = 0;
			if (rc) atomic_store(&p->stop, 1);
			else t->done = 0, p->appended++;
			pthread_cond_broadcast(&p->cv);
		}
	}
	pthread_mutex_unlock(&p->mu);
}

static void *work_thread(void *arg)
{
	work(arg);
	return NULL;
}

/* gnbv_out_sync of both outputs, on a thread of its own. */
typedef struct syncer {
	gnbv_out *a, *w;
	int rc;
	char msg[1024]; /* the message, for the caller's thread */
} syncer;

static void *sync_thread(void *arg)
{
	syncer *s = arg;
	s->rc = gnbv_out_sync(s->a);
	if (!s->rc) s->rc = gnbv_out_sync(s->w);
	if (s->rc) snprintf(s->msg, sizeof s->msg, "%s", gnbv_error_message());
	return NULL;
}

/* A part's counters into the whole run's. */
static int merge_counts(run *r, const run *w)
{
	for (size_t u = 0; u < w->unit_ids.n; u++) {
		gnbv_csv_field f = {w->unit_ids.keys[u], (uint32_t)w->unit_ids.lens[u]};
		uint64_t *row;
		int quote, rc;
		if ((rc = unit_row(r, &f, &row, &quote))) return rc;
		const uint64_t *from = w->counts + u * (size_t)w->width;
		for (int i = 0; i < r->width; i++) row[i] += from[i];
	}
	return 0;
}

/* Parts mode. 0 when every part was classified and appended (counters,
 * stats and the summary in r); RESTART when the run must take one pass
 * instead (the outputs may hold rows: the caller empties them); a negative
 * code only for a failure after every part was read (the disk, memory). */
static int run_parts(run *r, int *tried)
{
	*tried = 0;
	int threads = gnbv_mfeed_threads();
	struct stat hs, ms;
	int hfd = gnbv_csv_fd(r->hc), mfd = gnbv_csv_fd(r->mc);
	uint64_t pb = part_bytes();
	if (threads < 2 || hfd < 0 || mfd < 0 || fstat(hfd, &hs) || fstat(mfd, &ms) || !S_ISREG(hs.st_mode) ||
	    !S_ISREG(ms.st_mode))
		return RESTART;
	gnbv_split_file hf = {hfd, gnbv_csv_offset(r->hc), (uint64_t)hs.st_size, r->hmap.id_col};
	gnbv_split_file mf = {mfd, gnbv_csv_offset(r->mc), (uint64_t)ms.st_size, r->mmap.id_col};
	if (mf.size - mf.start < 2 * pb) return RESTART; /* small: one pass is as quick */

	int rc = RESTART, nw = 0;
	parts p;
	memset(&p, 0, sizeof p);
	p.r = r;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	gnbv_split_cut *cuts = malloc((MAX_PARTS + 1) * sizeof *cuts);
	worker *ws = NULL;
	if (!cuts) goto done;
	int n = gnbv_split_plan(&hf, &mf, pb, (uint64_t)threads * pb, cuts, MAX_PARTS);
	if (n < 2) goto done;
	*tried = 1;
	p.cuts = cuts;
	p.n = n;
	if (threads > n) threads = n;
	p.window = 2 * threads;
	p.slots = calloc((size_t)p.window, sizeof *p.slots);
	ws = aligned_alloc(_Alignof(worker), (size_t)threads * sizeof *ws); /* sizeof is a multiple */
	if (!p.slots || !ws) goto done;
	memset(ws, 0, (size_t)threads * sizeof *ws);
	for (int i = 0; i < p.window; i++)
		if (gnbv_out_open_mem(&p.slots[i].a, "assessments.csv") || gnbv_out_open_mem(&p.slots[i].w, "workers.csv"))
			goto done;
	/* Each thread a run of its own: its readers of the two files, its
	 * counters and stats. */
	for (; nw < threads; nw++) {
		worker *k = &ws[nw];
		k->p = &p;
		k->w = *r;
		k->w.whole = r;
		k->w.st = &k->st;
		k->w.hc = k->w.mc = NULL;
		memset(&k->w.unit_ids, 0, sizeof k->w.unit_ids);
		k->w.counts = NULL;
		k->w.ncounts_cap = 0;
		k->w.dups = NULL;
		k->w.last_unit = -1;
		if (gnbv_csv_open_part(&k->w.hc, r->hc) || gnbv_csv_open_part(&k->w.mc, r->mc)) {
			nw++;
			goto done;
		}
		gnbv_csv_expect(k->w.hc, r->hmap.ncols);
		gnbv_csv_expect(k->w.mc, r->mmap.ncols);
	}
	for (int i = 1; i < nw; i++) ws[i].started = pthread_create(&ws[i].t, NULL, work_thread, &ws[i]) == 0;
	work(&ws[0]); /* this thread is one of them */
	for (int i = 1; i < nw; i++)
		if (ws[i].started) pthread_join(ws[i].t, NULL);
	if (atomic_load(&p.stop) || p.appended != p.n) goto done;

	/* The outputs go to the disk on a thread of their own while the
	 * counters are summed and the summary is written: both waits at once. */
	syncer sy = {r->a_out, r->w_out, 0, ""};
	pthread_t sync_t;
	int sync_started = pthread_create(&sync_t, NULL, sync_thread, &sy) == 0;
	if (!sync_started) sync_thread(&sy);
	/* the first thread's counters become the run's (it has none yet) */
	r->unit_ids = ws[0].w.unit_ids;
	r->counts = ws[0].w.counts;
	r->ncounts_cap = ws[0].w.ncounts_cap;
	r->last_unit = -1;
	memset(&ws[0].w.unit_ids, 0, sizeof ws[0].w.unit_ids);
	ws[0].w.counts = NULL;
	rc = 0;
	for (int i = 0; i < nw && !rc; i++) {
		if (i > 0) rc = merge_counts(r, &ws[i].w);
		const gnbv_classify_stats *s = &ws[i].st;
		r->st->households += s->households;
		r->st->members += s->members;
		r->st->workers += s->workers;
		for (int c = 0; c < GNBV_CLASS_COUNT; c++) r->st->by_class[c] += s->by_class[c];
	}
	r->st->parts = (uint32_t)n;
	r->st->bytes = hf.size + mf.size;
	if (!rc) rc = write_summary(r, &r->s_out);
	if (sync_started) pthread_join(sync_t, NULL);
	if (sy.rc) rc = gnbv_error_set(sy.rc, "%s", sy.msg); /* the disk's error wins */
done:
	for (int i = 0; i < nw; i++) {
		gnbv_csv_free(ws[i].w.hc);
		gnbv_csv_free(ws[i].w.mc);
		gnbv_strmap_free(&ws[i].w.unit_ids);
		free(ws[i].w.counts);
	}
	for (int i = 0; p.slots && i < p.window; i++) {
		gnbv_out_abort(p.slots[i].a);
		gnbv_out_abort(p.slots[i].w);
	}
	free(p.slots);
	free(ws);
	free(cuts);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	return rc;
}

static int open_input(run *r, gnbv_csv **c, const char *path, int kind, gnbv_xmap *map)
{
	int rc = open_with_header(c, path);
	if (rc) return rc;
	if ((rc = gnbv_xmap_build(map, *c, kind, &r->std, r->o->warn, r->o->warn_ctx))) return rc;
	gnbv_csv_expect(*c, map->ncols); /* every row should have the header's cells */
	return 0;
}

int gnbv_classify(const gnbv_classify_opts *o, gnbv_classify_stats *st)
{
	run r;
	int rc;
	memset(&r, 0, sizeof r);
	memset(st, 0, sizeof *st);
	r.o = o;
	r.st = st;
	r.last_unit = -1;
	const char *dir = o->out_dir ? o->out_dir : ".";

	rc = o->standard ? gnbv_standard_load(&r.std, o->standard)
			 : gnbv_standard_for_date(&r.std, o->as_of);
	if (rc) goto done;
	memcpy(st->standard, r.std.name, sizeof st->standard);
	gnbv_assess_prepare(&r.actx, &r.std, o->as_of);
	r.std_name_len = strlen(r.std.name);
	_Static_assert(sizeof r.std_pad == sizeof r.std.name, "the padded name holds the name");
	memcpy(r.std_pad, r.std.name, sizeof r.std_pad);
	r.width = C_IND + r.std.n_indicators;

	if ((rc = open_input(&r, &r.hc, o->households_path, 0, &r.hmap)) ||
	    (rc = open_input(&r, &r.mc, o->members_path, 1, &r.mmap)))
		goto done;
	/* The output folder is created when missing (one level, as gnbv gen). */
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		rc = gnbv_error_set(GNBV_EIO, "%s: cannot create the output folder: %s", dir, strerror(errno));
		goto done;
	}
	if ((rc = gnbv_out_open(&r.a_out, dir, "assessments.csv")) ||
	    (rc = gnbv_out_open(&r.w_out, dir, "workers.csv")) || (rc = write_headers(&r)))
		goto done;

	int tried;
	rc = run_parts(&r, &tried);
	if (rc != RESTART) goto finish;
	/* One pass from the start: what parts mode wrote goes. */
	if (tried && (rc = restart_run(&r))) goto done;

	gnbv_mfeed *feed = NULL;
	if ((rc = gnbv_dupcheck_new(&r.dups))) goto done;
	/* Only a regular file can be read again (replay_ids): from a pipe
	 * (`<(zcat ...)`) the ids are kept as they come. */
	if (stat(o->households_path, &r.hfile) == 0 && S_ISREG(r.hfile.st_mode))
		gnbv_dupcheck_defer(r.dups);
	if ((rc = gnbv_mfeed_start(&feed, r.mc, &r.mmap, gnbv_mfeed_threads() > 1, &r.actx))) goto done;
	rc = run_streaming(&r, feed);
	gnbv_mfeed_stop(feed); /* joins the producer: the members reader is ours again */
	if (rc == RESTART) {
		if ((rc = restart_run(&r))) goto done;
		rc = run_indexed(&r);
	}
	if (rc) goto done;
	st->bytes = gnbv_csv_offset(r.hc) + gnbv_csv_offset(r.mc);
finish:
	if (rc) goto done;
	if (!r.s_out && (rc = write_summary(&r, &r.s_out))) goto done; /* (parts mode wrote it) */
	/* All three written: only now do they take their names. */
	gnbv_out **outs[3] = {&r.a_out, &r.w_out, &r.s_out};
	for (int i = 0; i < 3 && !rc; i++) {
		rc = gnbv_out_commit(*outs[i]);
		*outs[i] = NULL;
	}
done:
	gnbv_out_abort(r.s_out);
	gnbv_out_abort(r.a_out);
	gnbv_out_abort(r.w_out);
	gnbv_csv_free(r.hc);
	gnbv_csv_free(r.mc);
	gnbv_units_free(r.units);
	gnbv_strmap_free(&r.unit_ids);
	gnbv_dupcheck_free(r.dups);
	free(r.counts);
	return rc;
}
