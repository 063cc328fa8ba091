/*
 * dupcheck.c - bounded-memory duplicate detection (see dupcheck.h).
 *
 * classify must refuse a repeated household_id, which needs some memory of
 * every id seen. Keeping 8 bytes per household in RAM would grow with the
 * country (215 MB at 26.9 M households); instead, sorted runs of 1 Mi
 * fingerprints go to a temporary file and a k-way merge compares
 * neighbours, so memory stays at about 16 MB whatever N is.
 *
 * Ids given as keys (gnbv_dupcheck_add_id) are also watched for order:
 * while every id is greater, byte by byte, than the one before, none can
 * repeat, and when that holds to the end the sort and the merge are
 * skipped. Exports are written in key order (gnbv export, a database dump
 * by its primary key, gnbv gen), so this is the common case: the final sort
 * was some 6% of classify's wall time at 1 M households. The fingerprints
 * are gathered all the same, since the order may break at the last id; runs
 * spilled while it held go to the file unsorted and are sorted at the end
 * only if it broke.
 *
 * A caller that can give the ids again (classify: its households file is
 * read once more) defers them (gnbv_dupcheck_defer): while the order holds
 * nothing is kept but the last id and a count, and when it breaks the
 * caller replays the ids counted. In order to the end, the check then
 * never touches its 8 MB chunk: fresh memory, which the kernel zeroes in
 * 2 MB pages, from 2 to 7% of classify's samples at 1 M on this machine.
 */
#include "dupcheck.h"

#include "gnbv/error.h"

#include "../util/hash.h"

#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20)
#define MAX_RUNS 4096
#define FINE_BITS 10 /* each run's values by their top 10 bits: where each part starts */
#define FINE (1u << FINE_BITS)
#define READ_BUF 4096 /* fingerprints per run during the merge */

typedef struct run_reader {
	long start, len, pos; /* in fingerprints, within the file */
	uint64_t *buf;
	size_t n, i;
} run_reader;

struct gnbv_dupcheck {
	uint64_t *chunk;
	uint64_t *tmp; /* the sort's second buffer, CHUNK values */
	size_t n;
	FILE *spill;
	long runs[MAX_RUNS + 1]; /* start of each run, in fingerprints */
	uint32_t *bounds;        /* FINE + 1 per run: where each top-10-bit part of it starts */
	int nruns;
	int found; /* a duplicate already seen: later adds are no-ops */
	int ordered;   /* every id so far was given as a key, each greater than the last */
	int defer;     /* while ordered, ids are counted, not kept (gnbv_dupcheck_defer) */
	size_t counted; /* the ids counted so */
	int nunsorted; /* runs [0, nunsorted) were spilled while ordered: unsorted, no bounds */
	uint32_t last_len;
	char last[GNBV_DUPCHECK_ORDER_KEY]; /* the last key, while ordered */
	/* gnbv_dupcheck_start: the thread, and finish's result and message */
	pthread_t thread;
	int started, result;
	int two; /* the final sort may use two threads */
	char msg[512];
};

int gnbv_dupcheck_new(gnbv_dupcheck **out)
{
	*out = NULL;
	gnbv_dupcheck *d = calloc(1, sizeof *d);
	if (!d) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	d->ordered = 1;
	*out = d;
	return 0;
}

/* Sorts fingerprints, which are hashes, so their high bits spread evenly:
 * into 2,048 buckets by the top 11 bits (one pass to count, one to move),
 * then each bucket on its own while it is in the cache: by insertion when
 * small, else into 256 by the next 8 bits, then insertion. The buckets are
 * few enough that the moves stream through the cache (65,536 buckets took
 * fewer instructions but missed the cache on every move), and a part that
 * is large anyway (ids made to collide) is radix-sorted, so the time stays
 * linear. For 1 M fingerprints about 15 ms, against 33-50 ms for the 8-pass
 * radix sort used before (measured on the CI machine, loaded). */
/* A buffer of CHUNK fingerprints (8 MB), in 2 MB pages where the kernel
 * gives them on request (Linux, transparent huge pages in "madvise" mode):
 * 4 page faults instead of 2,048, which cost more than the sort's moves on
 * the virtual machines this runs on. */
static uint64_t *alloc_chunk(void)
{
	void *p = NULL;
	size_t bytes = CHUNK * sizeof(uint64_t);
	if (posix_memalign(&p, 2u << 20, bytes)) return NULL;
#ifdef MADV_HUGEPAGE
	(void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint: without it, small pages */
#endif
	return p;
}

#define FP_TOP 11
#define FP_SUB 8

static void insertion(uint64_t *x, size_t k)
{
	for (size_t i = 1; i < k; i++) {
		uint64_t y = x[i];
		size_t j = i;
		while (j > 0 && x[j - 1] > y) {
			x[j] = x[j - 1];
			j--;
		}
		x[j] = y;
	}
}

/* Sorts x[0..k) into out (they do not overlap): its values share their top
 * FP_TOP bits. */
static int sort_bucket(const uint64_t *x, size_t k, uint64_t *out)
{
	if (k <= 48) {
		memcpy(out, x, k * sizeof *x);
		insertion(out, k);
		return 0;
	}
	enum { SHIFT = 64 - FP_TOP - FP_SUB, NSUB = 1 << FP_SUB };
	uint32_t start[NSUB + 1] = {0}, cur[NSUB];
	for (size_t i = 0; i < k; i++) start[((x[i] >> SHIFT) & (NSUB - 1)) + 1]++;
	for (size_t b = 1; b <= NSUB; b++) start[b] += start[b - 1];
	memcpy(cur, start, sizeof cur);
	for (size_t i = 0; i < k; i++) out[cur[(x[i] >> SHIFT) & (NSUB - 1)]++] = x[i];
	for (size_t b = 0; b < NSUB; b++) {
		size_t m = start[b + 1] - start[b];
		if (m > 64) {
			int rc = gnbv_sort_u64(out + start[b], m);
			if (rc) return rc;
		} else if (m > 1) {
			insertion(out + start[b], m);
		}
	}
	return 0;
}

/* One half of the work of sort_fps: its share of the input, then of the
 * buckets. */
enum { NTOP = 1 << FP_TOP };
typedef struct sort_half {
	uint64_t *v, *tmp;
	size_t from, to;         /* its input, v[from..to) */
	uint32_t cur[NTOP];      /* its counts by bucket, then where it moves to */
	const uint32_t *start;   /* all buckets' starts (NTOP + 1) */
	size_t b_from, b_to;     /* its buckets */
	int phase, rc;
} sort_half;

static void *sort_step(void *arg)
{
	sort_half *h = arg;
	const uint64_t *v = h->v;
	if (h->phase == 0) {
		memset(h->cur, 0, sizeof h->cur);
		for (size_t i = h->from; i < h->to; i++) h->cur[v[i] >> (64 - FP_TOP)]++;
	} else if (h->phase == 1) {
		for (size_t i = h->from; i < h->to; i++) h->tmp[h->cur[v[i] >> (64 - FP_TOP)]++] = v[i];
	} else {
		for (size_t b = h->b_from; b < h->b_to && !h->rc; b++)
			h->rc = sort_bucket(h->tmp + h->start[b], h->start[b + 1] - h->start[b], h->v + h->start[b]);
	}
	return NULL;
}

/* Runs a step on both halves: the second on a thread of its own when `two`
 * (and one can be had). */
static void both(sort_half *h, int phase, int two)
{
	pthread_t t;
	h[0].phase = h[1].phase = phase;
	int started = two && pthread_create(&t, NULL, sort_step, &h[1]) == 0;
	sort_step(&h[0]);
	if (started) pthread_join(t, NULL);
	else sort_step(&h[1]);
}

/* v and tmp hold n <= CHUNK values; tmp's are scratch. `two`: the buckets'
 * counting, moving and sorting split between two threads (the final check,
 * when nothing else runs). */
static int sort_fps(uint64_t *v, uint64_t *tmp, size_t n, int two)
{
	if (n < 4096) return gnbv_sort_u64(v, n);
	uint32_t *start = malloc((NTOP + 1) * sizeof *start);
	sort_half *h = malloc(2 * sizeof *h);
	int rc = 0;
	if (!start || !h) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory sorting %zu values", n);
		goto done;
	}
	for (int k = 0; k < 2; k++) {
		h[k].v = v, h[k].tmp = tmp, h[k].start = start, h[k].rc = 0;
		h[k].from = k ? n / 2 : 0;
		h[k].to = k ? n : n / 2;
	}
	both(h, 0, two);
	/* Bucket b starts after all smaller buckets; within it the first half's
	 * values come first. */
	uint32_t at = 0;
	for (size_t b = 0; b < NTOP; b++) {
		start[b] = at;
		uint32_t c0 = h[0].cur[b], c1 = h[1].cur[b];
		h[0].cur[b] = at;
		h[1].cur[b] = at + c0;
		at += c0 + c1;
	}
	start[NTOP] = at;
	both(h, 1, two);
	size_t mid = 0;
	while (mid < NTOP && start[mid] < n / 2) mid++;
	h[0].b_from = 0, h[0].b_to = mid;
	h[1].b_from = mid, h[1].b_to = NTOP;
	both(h, 2, two);
	rc = h[0].rc ? h[0].rc : h[1].rc;
done:
	free(start);
	free(h);
	return rc;
}

static int sort_chunk(gnbv_dupcheck *d, int two)
{
	if (d->n >= 4096 && !d->tmp && !(d->tmp = alloc_chunk()))
		return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	return sort_fps(d->chunk, d->tmp, d->n, two);
}

static int has_adjacent_dup(const uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i] == v[i - 1]) return 1;
	return 0;
}

/* Run k's bounds, from the sorted chunk. */
static void set_bounds(gnbv_dupcheck *d, int k)
{
	uint32_t *bd = d->bounds + (size_t)k * (FINE + 1);
	size_t i = 0;
	for (size_t b = 0; b < FINE; b++) {
		bd[b] = (uint32_t)i;
		while (i < d->n && d->chunk[i] >> (64 - FINE_BITS) == b) i++;
	}
	bd[FINE] = (uint32_t)d->n;
}

/* The chunk to the file as the next run: sorted, with its bounds, or (while
 * the ids are ordered) as it is, to be sorted only if the order breaks. */
static int spill(gnbv_dupcheck *d, int two)
{
	int sorted = !d->ordered;
	if (sorted) {
		int rc = sort_chunk(d, two);
		if (rc) return rc;
		if (has_adjacent_dup(d->chunk, d->n)) return 1;
	}
	if (d->nruns == MAX_RUNS) return gnbv_error_set(GNBV_ETOOBIG, "too many households to check for duplicates");
	if (!d->spill && !(d->spill = tmpfile()))
		return gnbv_error_set(GNBV_EIO, "cannot create a temporary file: %s", strerror(errno));
	uint32_t *nb = realloc(d->bounds, (size_t)(d->nruns + 1) * (FINE + 1) * sizeof *nb);
	if (!nb) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	d->bounds = nb;
	if (sorted) set_bounds(d, d->nruns);
	else d->nunsorted = d->nruns + 1;
	d->runs[d->nruns + 1] = d->runs[d->nruns] + (long)d->n;
	if (fseek(d->spill, 0, SEEK_END) || fwrite(d->chunk, sizeof *d->chunk, d->n, d->spill) != d->n)
		return gnbv_error_set(GNBV_EIO, "cannot write a temporary file: %s", strerror(errno));
	d->nruns++;
	d->n = 0;
	return 0;
}

/* The runs spilled unsorted, sorted in place in the file (the chunk is
 * free: the last run is spilled). 1 when one holds a duplicate. */
static int sort_unsorted(gnbv_dupcheck *d)
{
	for (int k = 0; k < d->nunsorted; k++) {
		size_t m = (size_t)(d->runs[k + 1] - d->runs[k]);
		long at = d->runs[k] * (long)sizeof(uint64_t);
		if (fseek(d->spill, at, SEEK_SET) || fread(d->chunk, sizeof(uint64_t), m, d->spill) != m)
			return gnbv_error_set(GNBV_EIO, "cannot read a temporary file");
		d->n = m;
		int rc = sort_chunk(d, d->two);
		if (rc) return rc;
		if (has_adjacent_dup(d->chunk, m)) return 1;
		set_bounds(d, k);
		if (fseek(d->spill, at, SEEK_SET) || fwrite(d->chunk, sizeof(uint64_t), m, d->spill) != m)
			return gnbv_error_set(GNBV_EIO, "cannot write a temporary file: %s", strerror(errno));
	}
	d->n = 0;
	d->nunsorted = 0;
	return 0;
}

static int push(gnbv_dupcheck *d, uint64_t fp)
{
	if (!d->chunk && !(d->chunk = alloc_chunk()))
		return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if (d->found) return 0;
	if (d->n == CHUNK) {
		int rc = spill(d, 0);
		if (rc < 0) return rc;
		if (rc) {
			d->found = 1; /* finish() reports it */
			return 0;
		}
	}
	d->chunk[d->n++] = fp;
	return 0;
}

int gnbv_dupcheck_add(gnbv_dupcheck *d, uint64_t fp)
{
	d->ordered = 0; /* a fingerprint alone says nothing of order */
	return push(d, fp);
}

void gnbv_dupcheck_defer(gnbv_dupcheck *d)
{
	if (d->ordered && !d->n && !d->nruns) d->defer = 1;
}

size_t gnbv_dupcheck_counted(const gnbv_dupcheck *d) { return d->counted; }

int gnbv_dupcheck_add_id(gnbv_dupcheck *d, const char *key, size_t len)
{
	if (d->ordered) {
		/* greater: a larger byte at the first difference, or the last
		 * key as a proper prefix */
		size_t m = len < d->last_len ? len : d->last_len;
		int c = memcmp(key, d->last, m);
		int first = d->defer ? d->counted == 0 : d->n == 0 && d->nruns == 0;
		int greater = c > 0 || (c == 0 && len > d->last_len) || first;
		if (!greater || len > sizeof d->last) {
			d->ordered = 0;
			/* the ids counted must come first, then this one again */
			if (d->defer) return GNBV_DUPCHECK_REPLAY;
		} else {
			memcpy(d->last, key, len);
			d->last_len = (uint32_t)len;
			if (d->defer) {
				d->counted++;
				return 0;
			}
		}
	}
	return push(d, gnbv_hash64(key, len));
}

int gnbv_dupcheck_in_order(const gnbv_dupcheck *d) { return d->ordered; }

static int refill(FILE *f, run_reader *r)
{
	long left = r->len - r->pos;
	size_t want = left < READ_BUF ? (size_t)left : READ_BUF;
	r->i = 0;
	r->n = 0;
	if (!want) return 0;
	if (fseek(f, (r->start + r->pos) * (long)sizeof(uint64_t), SEEK_SET) ||
	    fread(r->buf, sizeof(uint64_t), want, f) != want)
		return gnbv_error_set(GNBV_EIO, "cannot read a temporary file");
	r->n = want;
	r->pos += (long)want;
	return 0;
}

static int merge_runs(gnbv_dupcheck *d);

int gnbv_dupcheck_finish(gnbv_dupcheck *d)
{
	int rc;
	if (d->found) return 1;
	if (d->ordered) return 0; /* each id greater than the last: all differ */
	if (!d->nruns) {
		if ((rc = sort_chunk(d, d->two))) return rc;
		return has_adjacent_dup(d->chunk, d->n);
	}
	if (d->n && (rc = spill(d, d->two))) return rc;
	if ((rc = sort_unsorted(d))) return rc;
	/* Equal values lie in the same top-10-bit part of every run: the runs'
	 * parts are taken a few at a time, as many as fill the chunk, read
	 * into it from every run, sorted and checked. (A 26-way merge took
	 * 4.3 s at 26.9 M households: a branch per run per value.) */
	uint64_t part[FINE];
	for (size_t b = 0; b < FINE; b++) {
		part[b] = 0;
		for (int k = 0; k < d->nruns; k++) {
			const uint32_t *bd = d->bounds + (size_t)k * (FINE + 1);
			part[b] += bd[b + 1] - bd[b];
		}
	}
	for (size_t b = 0, e; b < FINE; b = e) {
		size_t total = 0;
		for (e = b; e < FINE && total + part[e] <= CHUNK; e++) total += (size_t)part[e];
		if (e == b) return merge_runs(d); /* one part too large (ids made to collide) */
		size_t at = 0;
		for (int k = 0; k < d->nruns; k++) {
			const uint32_t *bd = d->bounds + (size_t)k * (FINE + 1);
			size_t m = bd[e] - bd[b];
			if (!m) continue;
			if (fseek(d->spill, (d->runs[k] + (long)bd[b]) * (long)sizeof(uint64_t), SEEK_SET) ||
			    fread(d->chunk + at, sizeof(uint64_t), m, d->spill) != m)
				return gnbv_error_set(GNBV_EIO, "cannot read a temporary file");
			at += m;
		}
		d->n = at;
		if ((rc = sort_chunk(d, d->two))) return rc;
		if (has_adjacent_dup(d->chunk, at)) return 1;
	}
	return 0;
}

/* The runs merged k ways with a linear scan for the minimum: for parts too
 * large for the chunk. */
static int merge_runs(gnbv_dupcheck *d)
{
	int rc;
	run_reader *rd = calloc((size_t)d->nruns, sizeof *rd);
	rc = rd ? 0 : gnbv_error_set(GNBV_ENOMEM, "out of memory");
	for (int k = 0; !rc && k < d->nruns; k++) {
		rd[k].start = d->runs[k];
		rd[k].len = d->runs[k + 1] - d->runs[k];
		rd[k].buf = d->chunk + (size_t)k * READ_BUF; /* the chunk is free now */
		if ((size_t)(k + 1) * READ_BUF > CHUNK) rc = gnbv_error_set(GNBV_ETOOBIG, "too many runs");
		else rc = refill(d->spill, &rd[k]);
	}
	int have_prev = 0;
	uint64_t prev = 0;
	while (!rc) {
		int best = -1;
		for (int k = 0; k < d->nruns; k++)
			if (rd[k].i < rd[k].n && (best < 0 || rd[k].buf[rd[k].i] < rd[best].buf[rd[best].i])) best = k;
		if (best < 0) break;
		uint64_t v = rd[best].buf[rd[best].i++];
		if (have_prev && v == prev) {
			rc = 1;
			break;
		}
		prev = v;
		have_prev = 1;
		if (rd[best].i == rd[best].n) rc = refill(d->spill, &rd[best]);
	}
	free(rd);
	return rc;
}

static void *finish_thread(void *arg)
{
	gnbv_dupcheck *d = arg;
	d->result = gnbv_dupcheck_finish(d);
	if (d->result < 0) {
		/* the message is in this thread's slot: keep it for wait */
		const char *m = gnbv_error_message();
		size_t ml = strlen(m);
		if (ml >= sizeof d->msg) ml = sizeof d->msg - 1;
		memcpy(d->msg, m, ml);
		d->msg[ml] = '\0';
	}
	return NULL;
}

void gnbv_dupcheck_start(gnbv_dupcheck *d, int threads)
{
	d->two = threads > 1;
	d->started = threads > 1 && pthread_create(&d->thread, NULL, finish_thread, d) == 0;
	if (!d->started) d->result = gnbv_dupcheck_finish(d); /* its message is ours already */
}

int gnbv_dupcheck_wait(gnbv_dupcheck *d)
{
	if (!d->started) return d->result;
	pthread_join(d->thread, NULL);
	d->started = 0;
	if (d->result < 0) return gnbv_error_set(d->result, "%s", d->msg);
	return d->result;
}

void gnbv_dupcheck_free(gnbv_dupcheck *d)
{
	if (!d) return;
	if (d->started) pthread_join(d->thread, NULL);
	if (d->spill) fclose(d->spill);
	free(d->chunk);
	free(d->tmp);
	free(d->bounds);
	free(d);
}
