/*
 * exchange.c - reading the household exchange format v1.
 *
 * Column names are looked up once, when the header is read, into a role per
 * column; each row then costs one switch per cell and no allocation (no
 * switch at all for files in the column order gnbv gen writes: their rows
 * are parsed by straight-line code). Cell parsers accept what officers type
 * (spaces around values, "có"/"không", a decimal comma) and reject
 * everything else with a message that says what was expected; what files
 * nearly always hold is tried first, as it is. Empty means unknown, never
 * zero.
 */
#include "exchange.h"

#include "gnbv/date.h"
#include "gnbv/error.h"

#include "../util/hash.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct colname {
	const char *name;
	int role;
	int kind; /* 0 households, 1 members */
	int key;
} colname;

static const colname COLUMNS[] = {
	{"household_id", XF_HOUSEHOLD_ID, 0, 1}, {"unit_code", XF_UNIT_CODE, 0, 1},
	{"area", XF_AREA, 0, 0}, {"income_month", XF_INCOME_MONTH, 0, 0},
	{"income_score", XF_INCOME_SCORE, 0, 0}, {"floor_durable", XF_FLOOR, 0, 0},
	{"walls_durable", XF_WALLS, 0, 0}, {"roof_durable", XF_ROOF, 0, 0},
	{"living_area_m2", XF_LIVING_AREA, 0, 0}, {"water_safe", XF_WATER, 0, 0},
	{"toilet_hygienic", XF_TOILET, 0, 0}, {"waste_treated", XF_WASTE, 0, 0},
	{"devices", XF_DEVICES, 0, 0},
	{"household_id", XF_HOUSEHOLD_ID, 1, 1}, {"member_no", XF_MEMBER_NO, 1, 1},
	{"name", XF_NAME, 1, 0}, {"sex", XF_SEX, 1, 0}, {"birth_date", XF_BIRTH, 1, 0},
	{"relation", XF_RELATION, 1, 0}, {"ethnicity", XF_ETHNICITY, 1, 0},
	{"able_to_work", XF_ABLE, 1, 0}, {"work", XF_WORK, 1, 0},
	{"health_insurance", XF_INSURANCE, 1, 0}, {"stunted", XF_STUNTED, 1, 0},
	{"underweight", XF_UNDERWEIGHT, 1, 0}, {"in_school", XF_IN_SCHOOL, 1, 0},
	{"school_level", XF_LEVEL, 1, 0}, {"uses_internet", XF_INTERNET, 1, 0},
	{"social_allowance", XF_ALLOWANCE, 1, 0},
};
#define NCOLUMNS (sizeof COLUMNS / sizeof COLUMNS[0])

static const char *const FILE_KIND[2] = {"households", "members"};

static int layout_of(const gnbv_xmap *m);
static pthread_once_t RUNS_ONCE;
static void runs_init(void);
static void devices_init(void);

int gnbv_xmap_build(gnbv_xmap *m, const gnbv_csv *c, int kind, const gnbv_standard *s,
		    gnbv_warn_fn warn, void *warn_ctx)
{
	char msg[512];
	memset(m, 0, sizeof *m);
	m->kind = kind;
	m->ncols = gnbv_csv_nfields(c);
	m->id_col = m->unit_col = m->member_no_col = -1;
	unsigned char present[NCOLUMNS] = {0};
	for (size_t i = 0; i < m->ncols; i++) {
		const char *h = gnbv_csv_column(c, i);
		int role = XF_IGNORE;
		for (size_t k = 0; k < NCOLUMNS; k++)
			if (COLUMNS[k].kind == kind && strcmp(COLUMNS[k].name, h) == 0) {
				role = COLUMNS[k].role;
				present[k] = 1;
			}
		if (role == XF_IGNORE && kind == 0 && strncmp(h, "deficit_", 8) == 0) {
			int ind = gnbv_standard_indicator(s, h + 8);
			if (ind >= 0) role = XF_DEFICIT_BASE + (int)s->indicators[ind].rule;
		}
		if (role == XF_IGNORE && warn) {
			snprintf(msg, sizeof msg, gnbv_tr("%s: unknown column '%s' is ignored (misspelt?)"),
				 gnbv_csv_name(c), h);
			warn(warn_ctx, msg);
		}
		if (role == XF_HOUSEHOLD_ID) m->id_col = (int)i;
		if (role == XF_UNIT_CODE) m->unit_col = (int)i;
		if (role == XF_MEMBER_NO) m->member_no_col = (int)i;
		m->col[i] = role;
		if (role != XF_IGNORE && role != XF_NAME && role != XF_ETHNICITY)
			m->active[m->nactive++] = (unsigned short)i;
	}
	for (size_t k = 0; k < NCOLUMNS; k++) {
		if (COLUMNS[k].kind != kind || present[k]) continue;
		if (COLUMNS[k].key)
			return gnbv_error_set(GNBV_EINVALID,
					      "%s:1: column '%s': missing: the %s file must have a '%s' column",
					      gnbv_csv_name(c), COLUMNS[k].name, gnbv_tr(FILE_KIND[kind]),
					      COLUMNS[k].name);
		if (COLUMNS[k].role == XF_WASTE && gnbv_standard_indicator(s, "waste") < 0)
			continue; /* only used from 2027: no noise under older standards */
		if (warn) {
			snprintf(msg, sizeof msg, gnbv_tr("%s: no column '%s': it counts as empty in every row"),
				 gnbv_csv_name(c), COLUMNS[k].name);
			warn(warn_ctx, msg);
		}
	}
	m->layout = layout_of(m);
	pthread_once(&RUNS_ONCE, runs_init); /* the tables of the straight-line rows */
	return 0;
}

/* Bytes that trim() removes: space and tab. */
static const unsigned char BLANK[256] = {[' '] = 1, ['\t'] = 1};

/* Trims spaces and tabs around a cell. The common cell has none: one table
 * lookup for each end and out (this runs for every cell of a national
 * round, some 100 million times). */
static inline void trim(const char **p, size_t *n)
{
	if (*n == 0 ||
	    !(BLANK[(unsigned char)(*p)[0]] | BLANK[(unsigned char)(*p)[*n - 1]]))
		return;
	while (*n && (**p == ' ' || **p == '\t')) (*p)++, (*n)--;
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t')) (*n)--;
}

void gnbv_x_trim(const char **p, size_t *n) { trim(p, n); }

/* Case-insensitive (ASCII) match of a cell against a word: exact bytes
 * first, which is what files nearly always hold. */
static inline int eq(const char *p, size_t n, const char *w)
{
	size_t k = strlen(w);
	if (n != k) return 0;
	if (memcmp(p, w, n) == 0) return 1;
	return strncasecmp(p, w, n) == 0;
}

static inline int parse_bool(const char *p, size_t n, gnbv_tri *out)
{
	if (n == 1) {
		if (*p == '1') return *out = GNBV_YES, 0;
		if (*p == '0') return *out = GNBV_NO, 0;
		return -1;
	}
	if (n == 0) return *out = GNBV_UNKNOWN, 0;
	if (eq(p, n, "yes") || eq(p, n, "có") || eq(p, n, "Có") || eq(p, n, "CÓ"))
		return *out = GNBV_YES, 0;
	if (eq(p, n, "no") || eq(p, n, "không") || eq(p, n, "Không") || eq(p, n, "KHÔNG"))
		return *out = GNBV_NO, 0;
	return -1;
}

static int parse_i64(const char *p, size_t n, int64_t *out)
{
	if (n == 0 || n > 18) return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9') return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

/* A whole part and one decimal digit: the one place that adds them, so that
 * the fast path of a cell and parse_dec give the same double (a compiler
 * that fuses the multiply and the add does so in both). */
static inline double one_decimal(double ip, int d) { return ip + d * (1.0 / 10); }

/* A non-negative decimal with '.' or ',' as the mark. */
static int parse_dec(const char *p, size_t n, double *out)
{
	if (n == 0 || n > 30) return -1;
	double ip = 0, fp = 0, scale = 1;
	size_t i = 0;
	int digits = 0;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, digits++) ip = ip * 10 + (p[i] - '0');
	size_t frac = 0;
	if (i < n && (p[i] == '.' || p[i] == ',')) {
		i++;
		frac = i;
		for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, digits++) {
			scale /= 10;
			fp += (p[i] - '0') * scale;
		}
	}
	if (i != n || digits == 0) return -1;
	*out = frac && n - frac == 1 ? one_decimal(ip, p[frac] - '0') : ip + fp;
	return 0;
}

/* 1 when every byte of t that mask m keeps is a digit (t holds no byte
 * outside m), each byte's class checked at once: digits 0x30..0x39 have
 * high nibble 3 before and after adding 6, and no byte carries into the
 * next when the first test held. */
static inline int all_digits(uint64_t t, uint64_t m)
{
	const uint64_t nib = 0xF0F0F0F0F0F0F0F0ull & m, threes = 0x3030303030303030ull & m;
	return (t & nib) == threes && ((t + (0x0606060606060606ull & m)) & nib) == threes;
}

/* YYYY-MM-DD: the eight bytes before the day as one word. */
static inline __attribute__((always_inline)) int parse_date10(const char *p, int32_t *out)
{
	const uint64_t digits = 0x00FFFF00FFFFFFFFull, dashes = 0x2D00002D00000000ull;
	const uint64_t threes = 0x3030303030303030ull & digits;
	uint64_t x;
	memcpy(&x, p, 8);
	unsigned d8 = (unsigned char)p[8] - '0', d9 = (unsigned char)p[9] - '0';
	uint64_t t = x & digits;
	if ((x & ~digits) != dashes || !all_digits(t, digits) || d8 > 9 || d9 > 9) return -1;
	uint64_t v = t - threes; /* the digit values, one per byte */
	/* each byte times ten plus the next: the pairs' values in bytes 0, 2
	 * and 5 (at most 99: no byte carries into the next) */
	uint64_t pairs = v * 10 + (v >> 8);
	int y = (int)(pairs & 0xFF) * 100 + (int)(pairs >> 16 & 0xFF);
	int m = (int)(pairs >> 40 & 0xFF);
	int d = (int)(d8 * 10 + d9);
	/* a day 1..28 of a month 1..12 is in every month: one test for most
	 * dates, the month's length only for the others */
	if (((unsigned)m - 1u > 11u) | ((unsigned)d - 1u > 27u) | (y < 1850))
		if (y < 1850 || d < 1 || d > gnbv_date_days_in_month(y, m)) return -1;
	*out = (int32_t)(y * 10000 + m * 100 + d);
	return 0;
}

int gnbv_x_parse_date(const char *p, size_t n, int32_t *out)
{
	int64_t y;
	if (n == 4) {
		if (parse_i64(p, 4, &y) || y < 1850) return -1;
		*out = (int32_t)(y * 10000 + 701); /* year only: born 1 July (exchange-format.md) */
		return 0;
	}
	if (n != 10) return -1;
	return parse_date10(p, out);
}

/* A word of the format's lists, zero-padded to 16 bytes (the longest,
 * "lower_secondary", has 15) for the masked compare in word_exact. */
typedef struct word {
	char w[16];
	size_t len;
} word;
#define W(s) {s, sizeof(s) - 1}

/* a[0..n) == b[0..n) for the short words of the format (n <= 16), with
 * overlapping fixed-size loads instead of a call: every load stays inside
 * both strings. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y, u, v;
	if (n >= 8) {
		if (n > 16) return memcmp(a, b, n) == 0;
		memcpy(&x, a, 8), memcpy(&y, b, 8);
		memcpy(&u, a + n - 8, 8), memcpy(&v, b + n - 8, 8);
		return x == y && u == v;
	}
	if (n >= 4) {
		uint32_t x4, y4, u4, v4;
		memcpy(&x4, a, 4), memcpy(&y4, b, 4);
		memcpy(&u4, a + n - 4, 4), memcpy(&v4, b + n - 4, 4);
		return x4 == y4 && u4 == v4;
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i]) return 0;
	return 1;
}

/* The case-insensitive pass, for what people type ("Self", "NONE"): out of
 * line, so that the exact pass below stays small enough to inline. */
__attribute__((noinline)) static int word_index_fold(const char *p, size_t n, const word *words,
                                                     int count)
{
	for (int i = 0; i < count; i++)
		if (words[i].len == n && strncasecmp(words[i].w, p, n) == 0) return i;
	return -1;
}

/* Each table's words by a slot from the length and the first letter, so that
 * an exact match costs one lookup and one compare. No two words of a table
 * share a slot: a clash would not compile (-Woverride-init). Slots hold the
 * word's index + 1 (0: no word). */
#define WSLOT(len, c0) ((((unsigned)(len)) + ((unsigned)(c0) & 31u)) & 31u)

static const word WORK[] = {W("contract"), W("no_contract"), W("self"),
			    W("unemployed"), W("student"), W("none")};
static const signed char WORK_SLOT[32] = {[WSLOT(8, 'c')] = 1, [WSLOT(11, 'n')] = 2, [WSLOT(4, 's')] = 3,
					  [WSLOT(10, 'u')] = 4, [WSLOT(7, 's')] = 5, [WSLOT(4, 'n')] = 6};
static const word REL[] = {W("head"),   W("spouse"),     W("child"),
			   W("parent"), W("grandchild"), W("other")};
static const signed char REL_SLOT[32] = {[WSLOT(4, 'h')] = 1, [WSLOT(6, 's')] = 2, [WSLOT(5, 'c')] = 3,
					 [WSLOT(6, 'p')] = 4, [WSLOT(10, 'g')] = 5, [WSLOT(5, 'o')] = 6};
static const word LEVEL[] = {W("none"),		   W("preschool"),	 W("primary"),
			     W("lower_secondary"), W("upper_secondary"), W("vocational"),
			     W("college"),	   W("university")};
static const signed char LEVEL_SLOT[32] = {[WSLOT(4, 'n')] = 1,	 [WSLOT(9, 'p')] = 2,  [WSLOT(7, 'p')] = 3,
					   [WSLOT(15, 'l')] = 4, [WSLOT(15, 'u')] = 5, [WSLOT(10, 'v')] = 6,
					   [WSLOT(7, 'c')] = 7,	 [WSLOT(10, 'u')] = 8};
static const word DEVICE[] = {W("tv"), W("radio"), W("computer"), W("phone"), W("smartphone")};
static const signed char DEVICE_SLOT[32] = {[WSLOT(2, 't')] = 1, [WSLOT(5, 'r')] = 2, [WSLOT(8, 'c')] = 3,
					    [WSLOT(5, 'p')] = 4, [WSLOT(10, 's')] = 5};

/* Index of the cell among `words` by exact bytes, -1 when none (n > 0). */
/* The first n bytes of 16, as byte masks, for n = 0..16. */
static const unsigned char PREFIX_MASK[17][16] = {
#define PM(n) {[0 ... (n) - 1] = 0xFF}
	{0},   PM(1),  PM(2),  PM(3),  PM(4),  PM(5),  PM(6),  PM(7), PM(8),
	PM(9), PM(10), PM(11), PM(12), PM(13), PM(14), PM(15), PM(16),
#undef PM
};

/* The cell p[0..n) as the word of its slot, compared as two masked 8-byte
 * words whatever its length: the cell is followed by 64 readable bytes
 * (csv.h) and the word padded to 16. A compare that picked its loads by
 * the length (same_bytes) mispredicted on most members, their relation,
 * work and school level having words of several lengths (simulated: 0.8 a
 * member). The byte masks come from memory, so the compare is the same on
 * either byte order. */
static inline __attribute__((always_inline)) int word_exact(const char *p, size_t n, const word *words, const signed char *slot)
{
	int i = slot[WSLOT(n, (unsigned char)p[0])] - 1;
	const word *e = &words[i < 0 ? 0 : i];
	size_t len = e->len; /* <= 15 */
	uint64_t a0, a1, b0, b1, m0, m1;
	memcpy(&a0, p, 8), memcpy(&a1, p + 8, 8);
	memcpy(&b0, e->w, 8), memcpy(&b1, e->w + 8, 8);
	memcpy(&m0, PREFIX_MASK[len], 8), memcpy(&m1, PREFIX_MASK[len] + 8, 8);
	uint64_t diff = ((a0 ^ b0) & m0) | ((a1 ^ b1) & m1);
	return ((i >= 0) & (len == n) & (diff == 0)) ? i : -1;
}

/* Index of the cell among `words`: an exact match, then a case-insensitive
 * one (n > 0). */
static inline int word_index(const char *p, size_t n, const word *words, const signed char *slot,
			     int count)
{
	int i = word_exact(p, n, words, slot);
	return i >= 0 ? i : word_index_fold(p, n, words, count);
}

/* Devices by their first letter (index + 1): the five start differently. */
static const signed char DEVICE_BY_FIRST[256] = {['t'] = 1, ['r'] = 2, ['c'] = 3, ['p'] = 4, ['s'] = 5};

static int parse_devices(const char *p, size_t n, unsigned *mask)
{
	/* The form files hold, words of the list joined by ';', word by word
	 * from each first letter; anything else (spaces, other cases, an empty
	 * item) by splitting, trimming and looking up each item. */
	const char *q = p, *end = p + n;
	unsigned m = 0;
	while (q < end) {
		int d = DEVICE_BY_FIRST[(unsigned char)*q] - 1;
		if (d < 0) break;
		size_t l = DEVICE[d].len;
		if ((size_t)(end - q) < l || !same_bytes(q, DEVICE[d].w, l)) break;
		q += l;
		if (q < end && (*q != ';' || q + 1 == end)) break;
		q += q < end;
		m |= 1u << d;
	}
	if (q == end) {
		*mask = m;
		return 0;
	}
	*mask = 0;
	while (n) {
		const char *semi = memchr(p, ';', n);
		size_t k = semi ? (size_t)(semi - p) : n;
		const char *t = p;
		size_t tn = k;
		trim(&t, &tn);
		if (tn) {
			int d = word_index(t, tn, DEVICE, DEVICE_SLOT, 5);
			if (d < 0) return -1;
			*mask |= 1u << d;
		}
		if (!semi) break;
		p = semi + 1;
		n -= k + 1;
	}
	return 0;
}

/* Runs of boolean cells, each "0", "1" or empty, decoded in one step: a
 * member row has two (health_insurance .. in_school, and uses_internet,
 * social_allowance), a household row two of three (floor, walls, roof and
 * water, toilet, waste), and cell by cell they were a fifth of the row's
 * instructions, with a branch on each cell's emptiness that mispredicted
 * on the children's cells. A run's bytes (at most 7, commas included) are
 * one word; a table holds every valid run's word with its values, at a
 * slot from a multiply (a perfect hash: the multiplier is searched for once
 * until no two runs share a slot). A word not in the table (a "yes", a
 * space, a bad cell) goes cell by cell, with the cell's own message. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define GNBV_X_LE64(w) __builtin_bswap64(w)
#else
#define GNBV_X_LE64(w) (w)
#endif
enum { RUN4_BITS = 9, RUN3_BITS = 8, RUN2_BITS = 6, RUN4_KEYS = 81, RUN3_KEYS = 27, RUN2_KEYS = 9 };
enum { HASH_BITS_MAX = RUN4_BITS }; /* the largest table of a perfect hash below */
typedef struct run_table {
	uint64_t mul;
	unsigned bits;
	uint64_t t[1u << HASH_BITS_MAX]; /* the run's word | its index << 56; 0 empty (1 << bits used) */
	uint32_t v[RUN4_KEYS];           /* the values as the row's bytes, in field order */
} run_table;
static struct {
	int ready;
	run_table r4, r3, r2; /* runs of four, three and two cells */
} RUNS;
static pthread_once_t RUNS_ONCE = PTHREAD_ONCE_INIT;

/* A multiplier m under which the slots (key[k] * m) >> (64 - bits) of the
 * n keys all differ, searched for from a fixed start, so that the tables
 * are the same in every run: 1 with *mul, 0 when none was found. */
static int perfect_mul(const uint64_t *key, unsigned n, unsigned bits, uint64_t *mul)
{
	unsigned char used[1u << HASH_BITS_MAX];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int tries = 0; tries < 1000000; tries++) {
		x = gnbv_mix64(x + 0x9e3779b97f4a7c15ull);
		uint64_t m = x | 1;
		memset(used, 0, (size_t)1 << bits);
		unsigned k;
		for (k = 0; k < n; k++) {
			unsigned char *u = &used[(key[k] * m) >> (64 - bits)];
			if (*u) break;
			*u = 1;
		}
		if (k == n) {
			*mul = m;
			return 1;
		}
	}
	return 0;
}

/* Run number k of `cells` cells (base 3: empty, "0", "1" per cell): its word
 * and its values, one byte per cell. */
static uint64_t run_word(unsigned k, int cells, unsigned char *vals)
{
	char b[8] = {0};
	size_t n = 0;
	for (int i = 0; i < cells; i++, k /= 3) {
		if (i) b[n++] = ',';
		unsigned d = k % 3;
		vals[i] = d == 0 ? (unsigned char)GNBV_UNKNOWN : (unsigned char)(d - 1);
		if (d) b[n++] = (char)('0' + d - 1);
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++) w |= (uint64_t)(unsigned char)b[i] << (8 * i); /* memory order */
	return w;
}

/* The table of the runs of `cells` cells (1 << bits slots): 1 when filled. */
static int fill_runs(run_table *rt, unsigned bits, int cells, unsigned nkeys)
{
	uint64_t w[RUN4_KEYS];
	for (unsigned k = 0; k < nkeys; k++) {
		unsigned char v[4] = {0};
		w[k] = run_word(k, cells, v);
		memcpy(&rt->v[k], v, sizeof v);
	}
	if (!perfect_mul(w, nkeys, bits, &rt->mul)) return 0;
	rt->bits = bits;
	for (unsigned k = 0; k < nkeys; k++) rt->t[(w[k] * rt->mul) >> (64 - bits)] = w[k] | (uint64_t)k << 56;
	return 1;
}

static void runs_init(void)
{
	RUNS.ready = fill_runs(&RUNS.r4, RUN4_BITS, 4, RUN4_KEYS) && fill_runs(&RUNS.r3, RUN3_BITS, 3, RUN3_KEYS) &&
		     fill_runs(&RUNS.r2, RUN2_BITS, 2, RUN2_KEYS);
	devices_init();
}

/* The lists of devices as the form files hold them (a subset of the five, in
 * the list's order, joined by ';': 31 lists), looked up whole: parsing a
 * list word by word branched on its length and words, and mispredicted on
 * most households. A list's first 16 bytes and its length pick a slot (a
 * perfect hash, searched for once); the entry's bytes, up to 40, are then
 * compared as masked words. Anything else goes to parse_devices. */
enum { DEV_BITS = 7, DEV_LISTS = 31, DEV_WORDS = 5 };
_Static_assert((int)DEV_BITS <= (int)HASH_BITS_MAX, "perfect_mul's table");
typedef struct dev_entry {
	uint64_t w[DEV_WORDS]; /* the list, zero-padded, in memory order */
	uint32_t len;
	unsigned mask;
} dev_entry;
static struct {
	int ready;
	uint64_t mul;
	unsigned char slot[1u << DEV_BITS]; /* entry + 1; 0 none */
	dev_entry e[DEV_LISTS];
} DEVS;

/* KEEP[k]: the first k bytes of a word (memory order). */
static const uint64_t KEEP[9] = {0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFF, 0xFFFFFFFFFFFF,
				 0xFFFFFFFFFFFFFF, ~0ull};

/* Bytes 8i .. 8i+7 of p[0..n), those past n zeroed (memory order). p is a
 * cell: 64 bytes past it are readable (csv.h). */
static inline __attribute__((always_inline)) uint64_t cell_word(const char *p, size_t n, size_t i)
{
	size_t k = n > 8 * i ? n - 8 * i : 0;
	uint64_t w;
	memcpy(&w, p + 8 * i, 8);
	return GNBV_X_LE64(w) & KEEP[k < 8 ? k : 8];
}

/* p[0..n), 1 <= n <= 8 digits, as a number: 0, or -1 when a byte is not a
 * digit. One word for all the bytes (cell_word), each byte checked at once
 * (all_digits), the digits moved to the top so that the bytes below stand
 * for leading zeros, then paired, the pairs paired and those paired: three
 * multiplies. A loop took 6-7 instructions a digit. */
static inline __attribute__((always_inline)) int digits8(const char *p, size_t n, int64_t *out)
{
	uint64_t t = cell_word(p, n, 0), m = KEEP[n];
	if (!all_digits(t, m)) return -1;
	uint64_t v = (t - (0x3030303030303030ull & m)) << (8 * (8 - n)); /* n >= 1: a shift below 64 */
	v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFull;   /* 4 pairs, first the highest */
	v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFull; /* 2 groups of 4 digits */
	*out = (int64_t)((v * 10000 + (v >> 32)) & 0xFFFFFFFFull);
	return 0;
}

/* A list's key for the perfect hash: its first 16 bytes and its length. */
static inline __attribute__((always_inline)) uint64_t dev_key(uint64_t w0, uint64_t w1, size_t n)
{
	return w0 ^ (w1 * 0x9e3779b97f4a7c15ull) ^ n;
}

static void devices_init(void)
{
	char text[DEV_WORDS * 8 + 8];
	for (unsigned k = 1; k <= DEV_LISTS; k++) {
		dev_entry *e = &DEVS.e[k - 1];
		size_t n = 0;
		for (int d = 0; d < 5; d++) {
			if (!(k >> d & 1)) continue;
			if (n) text[n++] = ';';
			memcpy(text + n, DEVICE[d].w, DEVICE[d].len);
			n += DEVICE[d].len;
		}
		memset(text + n, 0, sizeof text - n);
		for (size_t i = 0; i < DEV_WORDS; i++) e->w[i] = cell_word(text, n, i);
		e->len = (uint32_t)n;
		e->mask = k;
	}
	uint64_t key[DEV_LISTS];
	for (unsigned k = 0; k < DEV_LISTS; k++) key[k] = dev_key(DEVS.e[k].w[0], DEVS.e[k].w[1], DEVS.e[k].len);
	if (!perfect_mul(key, DEV_LISTS, DEV_BITS, &DEVS.mul)) return;
	for (unsigned k = 0; k < DEV_LISTS; k++) DEVS.slot[(key[k] * DEVS.mul) >> (64 - DEV_BITS)] = (unsigned char)(k + 1);
	DEVS.ready = 1;
}

/* The run's values into dst (`cells` bytes) from the bytes p[0..n): 1 when
 * it is a valid run. p is a cell of the reader's buffer: 8 bytes are
 * readable from it (csv.h). */
static inline __attribute__((always_inline)) int run_take(const run_table *rt, size_t cells, const char *p,
							  size_t n, void *dst)
{
	if (n - 1 > 6) return 0; /* 1..7 bytes (n == 0: one cell, not a run) */
	uint64_t w = cell_word(p, n, 0);
	uint64_t e = rt->t[(w * rt->mul) >> (64 - rt->bits)];
	if ((e & 0x00FFFFFFFFFFFFFFull) != w) return 0;
	memcpy(dst, &rt->v[e >> 56], cells);
	return 1;
}

/* 1 with *mask when p[0..n) is one of the lists, else 0. */
static inline __attribute__((always_inline)) int devices_take(const char *p, size_t n, unsigned *mask)
{
	if (!DEVS.ready || n - 1 >= DEV_WORDS * 8) return 0;
	uint64_t w0 = cell_word(p, n, 0), w1 = cell_word(p, n, 1);
	unsigned sl = DEVS.slot[(dev_key(w0, w1, n) * DEVS.mul) >> (64 - DEV_BITS)];
	const dev_entry *e = &DEVS.e[sl ? sl - 1 : 0];
	uint64_t diff = (w0 ^ e->w[0]) | (w1 ^ e->w[1]) | (cell_word(p, n, 2) ^ e->w[2]) |
			(cell_word(p, n, 3) ^ e->w[3]) | (cell_word(p, n, 4) ^ e->w[4]);
	if (!sl || diff || e->len != n) return 0;
	*mask = e->mask;
	return 1;
}

#define BAD(what) return gnbv_csv_error(c, GNBV_EINVALID, i, what " '%.*s'", (int)(n > 60 ? 60 : n), p)

static int check_count(const gnbv_xmap *m, const gnbv_csv *c)
{
	size_t nf = gnbv_csv_nfields(c);
	if (nf != m->ncols)
		return gnbv_csv_error_line(c, GNBV_EINVALID,
					   "%zu fields, but the header has %zu columns (a stray comma, or a cell with a comma that is not quoted?)",
					   nf, m->ncols);
	return 0;
}

/* Each cell: the form files nearly always hold ("1", "2021-04-05",
 * "self") is tried on the cell as it is; only when that fails is the cell
 * trimmed and parsed in full, so that spaces around a value cost nothing
 * when there are none. A value that the quick test takes has no space or
 * tab at either end, so trimming would not have changed it. */
#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE int quick_bool(const char *p, size_t n, gnbv_tri *t)
{
	if (n == 1 && (*p == '0' || *p == '1')) return *t = (gnbv_tri)(*p - '0'), 1;
	if (n == 0) return *t = GNBV_UNKNOWN, 1;
	return 0;
}

static ALWAYS_INLINE int h_cell(const gnbv_csv *c, size_t i, int role, const char *p, size_t n,
				gnbv_household *h, gnbv_csv_field *id, gnbv_csv_field *unit)
{
	gnbv_tri *t = NULL;
	switch (role) {
	case XF_HOUSEHOLD_ID:
		trim(&p, &n);
		if (!n) return gnbv_csv_error(c, GNBV_EINVALID, i, "empty: every household needs its code");
		id->p = p, id->len = (uint32_t)n;
		return 0;
	case XF_UNIT_CODE:
		trim(&p, &n);
		if (!n) return gnbv_csv_error(c, GNBV_EINVALID, i, "empty: every household needs the code of its unit");
		unit->p = p, unit->len = (uint32_t)n;
		return 0;
	case XF_AREA:
		if (n == 5 && same_bytes(p, "rural", 5)) return h->area = GNBV_AREA_RURAL, 0;
		if (n == 5 && same_bytes(p, "urban", 5)) return h->area = GNBV_AREA_URBAN, 0;
		trim(&p, &n);
		if (!n) return 0;
		if (eq(p, n, "rural") || eq(p, n, "nông thôn")) h->area = GNBV_AREA_RURAL;
		else if (eq(p, n, "urban") || eq(p, n, "thành thị")) h->area = GNBV_AREA_URBAN;
		else BAD("expected rural or urban, found");
		return 0;
	case XF_INCOME_MONTH:
		if (n - 1 < 8 && digits8(p, n, &h->income_month) == 0) return h->has_income = true, 0;
		trim(&p, &n);
		if (!n) return 0;
		if (parse_i64(p, n, &h->income_month))
			BAD("expected a whole number of VND per person per month (digits only), found");
		h->has_income = true;
		return 0;
	case XF_INCOME_SCORE:
		if (!n) return 0;
		trim(&p, &n);
		if (!n) return 0;
		if (parse_dec(p, n, &h->income_score) || h->income_score > 10000)
			BAD("expected an income score (a number such as 140 or 152.5), found");
		h->has_score = true;
		return 0;
	case XF_LIVING_AREA: {
		/* The form's usual cells, whole square metres or one decimal
		 * ("43.5"), of at most six digits before the mark (so below the
		 * 1e6 refused): the values parse_dec gives them. */
		int64_t ip, tenth;
		if (n - 1 < 6 && digits8(p, n, &ip) == 0)
			return h->living_area_m2 = (double)ip, h->has_living_area = true, 0;
		if (n - 3 < 6 && (p[n - 2] == '.' || p[n - 2] == ',') && digits8(p, n - 2, &ip) == 0 &&
		    digits8(p + n - 1, 1, &tenth) == 0)
			return h->living_area_m2 = one_decimal((double)ip, (int)tenth), h->has_living_area = true, 0;
	}
		trim(&p, &n);
		if (!n) return 0;
		if (parse_dec(p, n, &h->living_area_m2) || h->living_area_m2 > 1e6)
			BAD("expected the living area in m² (such as 25.5), found");
		h->has_living_area = true;
		return 0;
	case XF_DEVICES:
		if (devices_take(p, n, &h->devices)) return 0;
		trim(&p, &n);
		if (parse_devices(p, n, &h->devices))
			BAD("expected devices separated by ';' from tv, radio, computer, phone, smartphone; found");
		return 0;
	case XF_FLOOR: t = &h->floor_durable; break;
	case XF_WALLS: t = &h->walls_durable; break;
	case XF_ROOF: t = &h->roof_durable; break;
	case XF_WATER: t = &h->water_safe; break;
	case XF_TOILET: t = &h->toilet_hygienic; break;
	case XF_WASTE: t = &h->waste_treated; break;
	default:
		if (role >= XF_DEFICIT_BASE) t = &h->recorded[role - XF_DEFICIT_BASE];
		break;
	}
	if (!t || quick_bool(p, n, t)) return 0;
	trim(&p, &n);
	if (parse_bool(p, n, t)) BAD("expected 1 or 0 (or yes/no, có/không), found");
	return 0;
}

/* A row's starting values (every cell empty: unknown), copied in one go. */
static const gnbv_household HOUSEHOLD_EMPTY = {
	.area = GNBV_AREA_UNKNOWN,
	.floor_durable = GNBV_UNKNOWN, .walls_durable = GNBV_UNKNOWN, .roof_durable = GNBV_UNKNOWN,
	.water_safe = GNBV_UNKNOWN, .toilet_hygienic = GNBV_UNKNOWN, .waste_treated = GNBV_UNKNOWN,
	.recorded = {[0 ... GNBV_RULE_COUNT - 1] = GNBV_UNKNOWN},
};
static const gnbv_member MEMBER_EMPTY = {
	.work = GNBV_WORK_UNKNOWN, .level = -1, .relation = GNBV_REL_UNKNOWN,
	.able_to_work = GNBV_UNKNOWN, .health_insurance = GNBV_UNKNOWN, .stunted = GNBV_UNKNOWN,
	.underweight = GNBV_UNKNOWN, .in_school = GNBV_UNKNOWN, .uses_internet = GNBV_UNKNOWN,
	.social_allowance = GNBV_UNKNOWN,
};

static void household_init(gnbv_household *h) { *h = HOUSEHOLD_EMPTY; }

/* The columns as gnbv gen and gnbv export write them, in their order: a row
 * of that layout is parsed by straight-line code (each cell's parser inlined
 * with its role known), any other layout by the loop over the mapped
 * columns. Both go through the same cell parsers, in column order. */
static const int H_LAYOUT[] = {XF_HOUSEHOLD_ID, XF_UNIT_CODE, XF_AREA,	 XF_INCOME_MONTH, XF_INCOME_SCORE,
			       XF_FLOOR,	XF_WALLS,     XF_ROOF,	 XF_LIVING_AREA,  XF_WATER,
			       XF_TOILET,	XF_WASTE,     XF_DEVICES};
static const int M_LAYOUT[] = {XF_HOUSEHOLD_ID, XF_MEMBER_NO, XF_NAME,	    XF_SEX,	    XF_BIRTH,
			       XF_RELATION,	XF_ETHNICITY, XF_ABLE,	    XF_WORK,	    XF_INSURANCE,
			       XF_STUNTED,	XF_UNDERWEIGHT, XF_IN_SCHOOL, XF_LEVEL, XF_INTERNET,
			       XF_ALLOWANCE};

/* The end of cell i of a record cut by the separator index, `last` the
 * index of its last cell (a constant: no branch). */
#define SEP_END(r, s, i, last) ((i) == (last) ? (r)->last_end : (s)[(i) + 1] - 1)

/* The cells the straight-line rows parse, by column of H_LAYOUT and
 * M_LAYOUT, listed once for both ways a record comes cut (index or
 * fields): name (2) and ethnicity (6) of a member are kept as they are. */
#define H_CELLS(CELL) \
	CELL(0); CELL(1); CELL(2); CELL(3); CELL(4); CELL(5); CELL(6); CELL(7); CELL(8); CELL(9); \
	CELL(10); CELL(11); CELL(12)
#define M_CELLS(CELL) \
	CELL(0); CELL(1); CELL(3); CELL(4); CELL(5); CELL(7); CELL(8); CELL(9); CELL(10); CELL(11); \
	CELL(12); CELL(13); CELL(14); CELL(15)

static int is_layout(const gnbv_xmap *m, const int *roles, size_t n)
{
	if (m->ncols != n) return 0;
	for (size_t i = 0; i < n; i++)
		if (m->col[i] != roles[i]) return 0;
	return 1;
}

static int layout_of(const gnbv_xmap *m)
{
	if (m->kind == 0) return is_layout(m, H_LAYOUT, sizeof H_LAYOUT / sizeof H_LAYOUT[0]);
	return is_layout(m, M_LAYOUT, sizeof M_LAYOUT / sizeof M_LAYOUT[0]);
}

int gnbv_x_household(const gnbv_xmap *m, const gnbv_csv *c, const gnbv_standard *s,
		     gnbv_household *h, gnbv_csv_field *id, gnbv_csv_field *unit)
{
	(void)s;
	int rc = check_count(m, c);
	if (rc) return rc;
	const gnbv_csv_record *r = gnbv_csv_rec(c);
	household_init(h);
	if (m->layout && r->seps) {
		/* cut by the reader's separator index: cell i from b + s[i] */
		const uint32_t *sp = r->seps;
		const char *b = r->base;
		_Static_assert(offsetof(gnbv_household, roof_durable) == offsetof(gnbv_household, floor_durable) + 2 &&
				       offsetof(gnbv_household, waste_treated) == offsetof(gnbv_household, water_safe) + 2,
			       "the runs' fields lie side by side, in column order");
#define H(i) \
	if ((rc = h_cell(c, i, H_LAYOUT[i], b + sp[i], SEP_END(r, sp, i, 12) - sp[i], h, id, unit))) return rc
		H(0); H(1); H(2); H(3); H(4);
		if (!RUNS.ready || !run_take(&RUNS.r3, 3, b + sp[5], sp[8] - 1 - sp[5], &h->floor_durable)) {
			H(5); H(6); H(7);
		}
		H(8);
		if (!RUNS.ready || !run_take(&RUNS.r3, 3, b + sp[9], sp[12] - 1 - sp[9], &h->water_safe)) {
			H(9); H(10); H(11);
		}
		H(12);
#undef H
		return 0;
	}
	if (m->layout) {
		const gnbv_csv_field *f = r->fields;
#define H(i) \
	if ((rc = h_cell(c, i, H_LAYOUT[i], f[i].p, f[i].len, h, id, unit))) return rc
		H_CELLS(H);
#undef H
		return 0;
	}
	for (size_t k = 0; k < m->nactive; k++) {
		size_t i = m->active[k];
		gnbv_csv_field f = gnbv_csv_cell(c, i);
		if ((rc = h_cell(c, i, m->col[i], f.p, f.len, h, id, unit))) return rc;
	}
	return 0;
}

static ALWAYS_INLINE int m_cell(const gnbv_csv *c, size_t i, int role, const char *p, size_t n,
				gnbv_member *mb, gnbv_csv_field *hid)
{
	gnbv_tri *t = NULL;
	int64_t v;
	int w;
	switch (role) {
	case XF_HOUSEHOLD_ID:
		trim(&p, &n);
		if (!n) return gnbv_csv_error(c, GNBV_EINVALID, i, "empty: every member needs the code of its household");
		hid->p = p, hid->len = (uint32_t)n;
		return 0;
	case XF_MEMBER_NO:
		if (n == 1 && *p >= '1' && *p <= '9') return mb->member_no = *p - '0', 0;
		trim(&p, &n);
		if (parse_i64(p, n, &v) || v < 1 || v > 100000)
			BAD("expected the member's number (1, 2, ...), found");
		mb->member_no = (int32_t)v;
		return 0;
	case XF_SEX:
		if (n == 1 && (*p == 'M' || *p == 'F')) return mb->sex = *p, 0;
		trim(&p, &n);
		if (!n) return 0;
		if (eq(p, n, "M") || eq(p, n, "nam")) mb->sex = GNBV_SEX_MALE;
		else if (eq(p, n, "F") || eq(p, n, "nữ") || eq(p, n, "Nữ")) mb->sex = GNBV_SEX_FEMALE;
		else BAD("expected M or F, found");
		return 0;
	case XF_BIRTH:
		if (n == 10 && parse_date10(p, &mb->birth) == 0) return 0;
		trim(&p, &n);
		if (!n) return 0;
		if (gnbv_x_parse_date(p, n, &mb->birth))
			BAD("expected a date YYYY-MM-DD (or the year YYYY), found");
		return 0;
	case XF_RELATION:
		if (n && (w = word_exact(p, n, REL, REL_SLOT)) >= 0) return mb->relation = (signed char)w, 0;
		trim(&p, &n);
		if (!n) return 0;
		if ((w = word_index(p, n, REL, REL_SLOT, 6)) < 0)
			BAD("expected head, spouse, child, parent, grandchild or other; found");
		mb->relation = (signed char)w;
		return 0;
	case XF_WORK:
		if (n && (w = word_exact(p, n, WORK, WORK_SLOT)) >= 0) return mb->work = (signed char)w, 0;
		trim(&p, &n);
		if (!n) return 0;
		if ((w = word_index(p, n, WORK, WORK_SLOT, 6)) < 0)
			BAD("expected contract, no_contract, self, unemployed, student or none; found");
		mb->work = (signed char)w;
		return 0;
	case XF_LEVEL:
		if (n && (w = word_exact(p, n, LEVEL, LEVEL_SLOT)) >= 0) return mb->level = (signed char)w, 0;
		trim(&p, &n);
		if (!n) return 0;
		if ((w = word_index(p, n, LEVEL, LEVEL_SLOT, 8)) < 0)
			BAD("expected none, preschool, primary, lower_secondary, upper_secondary, vocational, college or university; found");
		mb->level = (signed char)w;
		return 0;
	case XF_ABLE: t = &mb->able_to_work; break;
	case XF_INSURANCE: t = &mb->health_insurance; break;
	case XF_STUNTED: t = &mb->stunted; break;
	case XF_UNDERWEIGHT: t = &mb->underweight; break;
	case XF_IN_SCHOOL: t = &mb->in_school; break;
	case XF_INTERNET: t = &mb->uses_internet; break;
	case XF_ALLOWANCE: t = &mb->social_allowance; break;
	default: break;
	}
	if (!t || quick_bool(p, n, t)) return 0;
	trim(&p, &n);
	if (parse_bool(p, n, t)) BAD("expected 1 or 0 (or yes/no, có/không), found");
	return 0;
}

/* The member row's last nine cells (able_to_work to social_allowance: a
 * few answers each) take few values together: 2,328 in `gnbv gen`'s
 * national round of 1 M households (3.6 M members), the 64 commonest in
 * 90% of the rows (a real round's cells have the same few answers each;
 * a round whose tails are all different only misses). So their values are
 * kept by their bytes, per thread, in a direct-mapped table: a row whose
 * bytes are in it takes them with one compare of six words instead of
 * nine cells read. Only what read cleanly is kept, keyed by the bytes
 * alone, which are all the values depend on (the fixed layout, csv.h: no
 * quotes), so a kept entry is right for any file. 32 KB a thread; -3%
 * of classify's instructions at 100 k (513.9 -> 498.6 M). */
enum { TAIL_BITS = 9, TAIL_MIN = 16, TAIL_MAX = 48 };
typedef struct tail_entry {
	uint64_t key[6]; /* words of the bytes, as tail_key reads them */
	uint32_t len;    /* 0: empty */
	signed char vals[10]; /* the member's bytes from `work` to `social_allowance` */
} tail_entry;
static _Thread_local tail_entry TAILS[1u << TAIL_BITS];
_Static_assert(offsetof(gnbv_member, social_allowance) - offsetof(gnbv_member, work) == 9 &&
		       offsetof(gnbv_member, level) == offsetof(gnbv_member, work) + 1 &&
		       offsetof(gnbv_member, relation) == offsetof(gnbv_member, work) + 2 &&
		       offsetof(gnbv_member, able_to_work) == offsetof(gnbv_member, work) + 3 &&
		       offsetof(gnbv_member, uses_internet) == offsetof(gnbv_member, work) + 8,
	       "the tail's values and the relation lie side by side");

/* The key of the n bytes at p (TAIL_MIN <= n <= TAIL_MAX): words at 0, 8,
 * 16 and 24, 16, 8 from the end, each inside the bytes, so together they
 * cover every byte; equal keys and lengths mean equal bytes. Its slot. */
static inline __attribute__((always_inline)) unsigned tail_key(const char *p, size_t n, uint64_t w[6])
{
	size_t o2 = n - 8 < 16 ? n - 8 : 16, o3 = n > 24 ? n - 24 : 0;
	memcpy(&w[0], p, 8), memcpy(&w[1], p + 8, 8), memcpy(&w[2], p + o2, 8);
	memcpy(&w[3], p + o3, 8), memcpy(&w[4], p + n - 16, 8), memcpy(&w[5], p + n - 8, 8);
	uint64_t h = ((w[0] * 0x9e3779b97f4a7c15ull) ^ (w[2] * 0xc2b2ae3d27d4eb4full) ^ w[5] ^ n) *
		     0xd6e8feb86659fd93ull;
	return (unsigned)(h >> (64 - TAIL_BITS));
}

int gnbv_x_member(const gnbv_xmap *m, const gnbv_csv *c, gnbv_member *mb, gnbv_csv_field *hid)
{
	int rc = check_count(m, c);
	if (rc) return rc;
	const gnbv_csv_record *r = gnbv_csv_rec(c);
	*mb = MEMBER_EMPTY;
	if (m->layout && r->seps) {
		/* (RUNS is filled when the layout is recognised, before any row) */
		const uint32_t *s = r->seps;
		const char *b = r->base;
		_Static_assert(offsetof(gnbv_member, in_school) == offsetof(gnbv_member, health_insurance) + 3 &&
				       offsetof(gnbv_member, social_allowance) == offsetof(gnbv_member, uses_internet) + 1,
			       "the runs' fields lie side by side, in column order");
#define M(i) \
	if ((rc = m_cell(c, i, M_LAYOUT[i], b + s[i], SEP_END(r, s, i, 15) - s[i], mb, hid))) return rc
		M(0); M(1); M(3); M(4);
		/* the tail's bytes: cell 7 to the end of the row */
		const char *tp = b + s[7];
		size_t tn = r->last_end - s[7];
		tail_entry *te = NULL;
		uint64_t key[6];
		if (tn - TAIL_MIN <= TAIL_MAX - TAIL_MIN) {
			te = &TAILS[tail_key(tp, tn, key)];
			uint64_t diff = te->len ^ tn;
			for (int k = 0; k < 6; k++) diff |= te->key[k] ^ key[k];
			if (!diff) {
				memcpy(&mb->work, te->vals, sizeof te->vals);
				mb->relation = MEMBER_EMPTY.relation; /* (copied too) an empty cell leaves it */
				M(5);
				return 0;
			}
		}
		M(5); M(7); M(8);
		if (!RUNS.ready || !run_take(&RUNS.r4, 4, b + s[9], s[13] - 1 - s[9], &mb->health_insurance)) {
			M(9); M(10); M(11); M(12);
		}
		M(13);
		if (!RUNS.ready || !run_take(&RUNS.r2, 2, b + s[14], r->last_end - s[14], &mb->uses_internet)) {
			M(14); M(15);
		}
		if (te) { /* read cleanly: kept, in place of what the slot held */
			memcpy(te->key, key, sizeof key);
			memcpy(te->vals, &mb->work, sizeof te->vals);
			te->len = (uint32_t)tn;
		}
#undef M
		return 0;
	}
	if (m->layout) {
		const gnbv_csv_field *f = r->fields;
#define M(i) \
	if ((rc = m_cell(c, i, M_LAYOUT[i], f[i].p, f[i].len, mb, hid))) return rc
		M_CELLS(M);
#undef M
		return 0;
	}
	for (size_t k = 0; k < m->nactive; k++) {
		size_t i = m->active[k];
		gnbv_csv_field f = gnbv_csv_cell(c, i);
		if ((rc = m_cell(c, i, m->col[i], f.p, f.len, mb, hid))) return rc;
	}
	return 0;
}
