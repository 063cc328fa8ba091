/*
 * split.c - cuts a round's two files into parts that can be classified
 * independently (see split.h).
 *
 * A cut is a pair of offsets: the start of a household's row in
 * households.csv and the start of its first member's row in members.csv.
 * The members file (the larger, and most of the work) is cut at even
 * intervals: from each target offset, the first line whose household id
 * differs from the line before it starts a household's members. That
 * household's row is then found in the households file by binary search
 * over the ids, which exports keep in key order. Both searches read a few
 * kilobytes at a time with pread, so a plan for a national round costs
 * some ten reads per part and touches nothing else.
 *
 * The search reads lines naively: a line is what lies between two
 * newlines, its id the cell at the id column, and a line with a quote
 * before or in that cell is passed over. A newline inside a quoted cell
 * can fool it, and unsorted ids make the binary search miss; neither can
 * make a wrong answer, because the classify side proves every cut as it
 * reads (classify.c, run_parts): each part must parse cleanly to its end
 * and pair every household with its members, and the ids must rise from
 * the first household to the last. A plan that fails the proof only costs
 * the time until the failure shows.
 */
#include "split.h"

#include "gnbv/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROBE (8u << 10)  /* bytes read per probe of the households file */
#define MWIN  (64u << 10) /* bytes read to find a household's first member */

/* Reads up to n bytes at off; returns how many (short at end of file) or a
 * negative code. */
static long read_at(int fd, uint64_t off, char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR) continue;
		if (r < 0) return gnbv_error_set(GNBV_EIO, "read error: %s", strerror(errno));
		if (r == 0) break;
		got += (size_t)r;
	}
	return (long)got;
}

/* The id cell of the line at b[i..], which must end with a newline within
 * b[..n): 1 with the cell (without a CR when it is the line's last), 0
 * when the line has no usable id (a quote up to the cell, too few cells, an
 * empty cell), -1 when the line does not end within the window. *next is
 * the next line's start. */
static int line_id(const char *b, size_t i, size_t n, int col, const char **id, size_t *len,
                   size_t *next)
{
	const char *nl = memchr(b + i, '\n', n - i);
	if (!nl) return -1;
	size_t e = (size_t)(nl - b), f = i;
	*next = e + 1;
	int k = 0;
	for (size_t j = i;; j++) {
		if (j == e || b[j] == ',') {
			if (k == col) {
				size_t fe = j;
				if (j == e && fe > f && b[fe - 1] == '\r') fe--;
				*id = b + f;
				*len = fe - f;
				return fe > f;
			}
			if (j == e) return 0;
			k++;
			f = j + 1;
		} else if (b[j] == '"') {
			return 0;
		}
	}
}

/* The first line start at or after `at` (> f->start) whose household's
 * members start there: its id differs from the line before it. 1 with *off
 * and the id copied to id/idlen, 0 when none is found near `at`. */
static int member_cut(const gnbv_split_file *f, uint64_t at, char *buf, uint64_t *off, char *id,
                      size_t *idlen)
{
	long n = read_at(f->fd, at - 1, buf, MWIN);
	if (n < 0) return (int)n;
	const char *q = memchr(buf, '\n', (size_t)n);
	if (!q) return 0;
	size_t i = (size_t)(q - buf) + 1, next;
	const char *prev = NULL, *cur;
	size_t prev_len = 0, cur_len;
	for (;;) {
		int u = line_id(buf, i, (size_t)n, f->id_col, &cur, &cur_len, &next);
		if (u < 0) return 0;
		if (u && prev && gnbv_split_cmp(prev, prev_len, cur, cur_len) != 0) {
			if (cur_len > GNBV_SPLIT_MAX_ID) return 0;
			*off = at - 1 + i;
			memcpy(id, cur, cur_len);
			*idlen = cur_len;
			return 1;
		}
		prev = u ? cur : NULL;
		prev_len = cur_len;
		i = next;
	}
}

/* The line start of id's row in the households file, by binary search over
 * line starts in [lo, hi): 1 with *off, 0 when not found. */
static int household_cut(const gnbv_split_file *f, const char *id, size_t idlen, char *buf,
                         uint64_t *off)
{
	uint64_t lo = f->start, hi = f->size;
	while (hi - lo > PROBE / 2) {
		uint64_t mid = lo + (hi - lo) / 2;
		long n = read_at(f->fd, mid - 1, buf, PROBE);
		if (n < 0) return (int)n;
		const char *q = memchr(buf, '\n', (size_t)n);
		size_t i = q ? (size_t)(q - buf) + 1 : (size_t)n, next;
		int u = 0;
		const char *cur = NULL;
		size_t cur_len = 0;
		/* the first line with a usable id in the probe */
		while (q && (u = line_id(buf, i, (size_t)n, f->id_col, &cur, &cur_len, &next)) == 0)
			i = next;
		uint64_t p = mid - 1 + i;
		if (u <= 0 || p >= hi) {
			hi = mid; /* nothing to compare in [mid, hi) */
			continue;
		}
		int c = gnbv_split_cmp(cur, cur_len, id, idlen);
		if (c == 0) {
			*off = p;
			return 1;
		}
		if (c < 0)
			lo = p + 1;
		else
			hi = p;
	}
	/* the last stretch, line by line: lines starting in [lo, hi) */
	long n = read_at(f->fd, lo - 1, buf, PROBE);
	if (n < 0) return (int)n;
	const char *q = memchr(buf, '\n', (size_t)n);
	if (!q) return 0;
	size_t i = (size_t)(q - buf) + 1, next;
	while (lo - 1 + i < hi) {
		const char *cur;
		size_t cur_len;
		int u = line_id(buf, i, (size_t)n, f->id_col, &cur, &cur_len, &next);
		if (u < 0) return 0;
		if (u && gnbv_split_cmp(cur, cur_len, id, idlen) == 0) {
			*off = lo - 1 + i;
			return 1;
		}
		i = next;
	}
	return 0;
}

/* Where the k-th cut is aimed (0 < k < parts): the head in even parts of
 * about part_bytes, then the tail in parts an eighth that size. */
typedef struct aims {
	uint64_t start, head, tail;
	int head_parts, parts;
} aims;

static uint64_t aim(const aims *a, int k)
{
	if (k <= a->head_parts) return a->start + a->head / (uint64_t)a->head_parts * (uint64_t)k;
	int tail_parts = a->parts - a->head_parts;
	return a->start + a->head + a->tail / (uint64_t)tail_parts * (uint64_t)(k - a->head_parts);
}

int gnbv_split_plan(const gnbv_split_file *h, const gnbv_split_file *m, uint64_t part_bytes,
                    uint64_t tail_bytes, gnbv_split_cut *cuts, int max_parts)
{
	if (max_parts < 1 || part_bytes == 0)
		return gnbv_error_set(GNBV_EINVALID, "split: no parts");
	if (h->start < 1 || m->start < 1 || h->start > h->size || m->start > m->size)
		return gnbv_error_set(GNBV_EINVALID, "split: a file without a header");
	char *buf = malloc(MWIN > PROBE ? MWIN : PROBE);
	if (!buf) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	int n = 0;
	cuts[0].h = h->start;
	cuts[0].m = m->start;
	aims a = {m->start, m->size - m->start, 0, 0, 0};
	uint64_t small = part_bytes / 8 ? part_bytes / 8 : 1;
	a.tail = tail_bytes < a.head / 4 ? tail_bytes : a.head / 4;
	a.head -= a.tail;
	uint64_t hp = (a.head + part_bytes - 1) / part_bytes, tp = (a.tail + small - 1) / small;
	if (hp < 1) hp = 1;
	if (hp > (uint64_t)max_parts) hp = (uint64_t)max_parts;
	if (tp > (uint64_t)max_parts - hp) tp = (uint64_t)max_parts - hp;
	if (tp == 0) a.head += a.tail, a.tail = 0; /* no room for a tail: one even split */
	a.head_parts = (int)hp;
	a.parts = (int)(hp + tp);
	int parts = a.parts;
	int rc = 0;
	for (int k = 1; k < parts; k++) {
		uint64_t at = aim(&a, k);
		char id[GNBV_SPLIT_MAX_ID];
		size_t idlen = 0;
		uint64_t mo = 0, ho = 0;
		if (at <= cuts[n].m) continue;
		if ((rc = member_cut(m, at, buf, &mo, id, &idlen)) < 0) break;
		if (!rc) continue;
		if ((rc = household_cut(h, id, idlen, buf, &ho)) < 0) break;
		/* a part must hold something of both files */
		if (!rc || ho <= cuts[n].h || mo <= cuts[n].m || ho >= h->size || mo >= m->size)
			continue;
		n++;
		cuts[n].h = ho;
		cuts[n].m = mo;
	}
	free(buf);
	if (rc < 0) return rc;
	n++;
	cuts[n].h = h->size;
	cuts[n].m = m->size;
	return n;
}
