/*
 * dupcheck.c - bounded-memory duplicate detection (see dupcheck.h).
 *
 * classify must refuse a repeated household_id, which needs some memory of
 * every id seen. Keeping 8 bytes per household in RAM would grow with the
 * country (215 MB at 26.9 M households); instead, sorted runs of 1 Mi
 * fingerprints go to a temporary file and a k-way merge compares
 * neighbours, so memory stays at about 16 MB whatever N is.
 */
#include "dupcheck.h"

#include "gnbv/error.h"

#include "../util/hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1u << 20)
#define MAX_RUNS 4096
#define READ_BUF 4096 /* fingerprints per run during the merge */

typedef struct run_reader {
	long start, len, pos; /* in fingerprints, within the file */
	uint64_t *buf;
	size_t n, i;
} run_reader;

struct gnbv_dupcheck {
	uint64_t *chunk;
	size_t n;
	FILE *spill;
	long runs[MAX_RUNS + 1]; /* start of each run, in fingerprints */
	int nruns;
	int found; /* a duplicate already seen: later adds are no-ops */
};

int gnbv_dupcheck_new(gnbv_dupcheck **out)
{
	*out = NULL;
	gnbv_dupcheck *d = calloc(1, sizeof *d);
	if (!d) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	*out = d;
	return 0;
}

/* Sorts fingerprints: by their top 16 bits into 65,536 buckets (one pass to
 * count, one to move), then each bucket on its own, by insertion while it
 * is small. Fingerprints are hashes, so a bucket holds about n / 65,536 of
 * them (16 in a full chunk); a bucket that is large anyway (ids made to
 * collide) is radix-sorted, so the time stays linear. About a fifth of the
 * cost of the 8-pass radix sort on a full chunk. */
#define FP_BUCKETS 65536u

static int sort_fps(uint64_t *v, size_t n)
{
	if (n < 4096) return gnbv_sort_u64(v, n);
	uint32_t *start = calloc(FP_BUCKETS + 1, sizeof *start);
	uint32_t *cur = malloc(FP_BUCKETS * sizeof *cur);
	uint64_t *tmp = malloc(n * sizeof *tmp);
	int rc = 0;
	if (!start || !cur || !tmp) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory sorting %zu values", n);
		goto done;
	}
	for (size_t i = 0; i < n; i++) start[(v[i] >> 48) + 1]++;
	for (size_t b = 1; b <= FP_BUCKETS; b++) start[b] += start[b - 1];
	memcpy(cur, start, FP_BUCKETS * sizeof *cur);
	for (size_t i = 0; i < n; i++) tmp[cur[v[i] >> 48]++] = v[i];
	for (size_t b = 0; b < FP_BUCKETS && !rc; b++) {
		uint64_t *x = tmp + start[b];
		size_t k = start[b + 1] - start[b];
		if (k > 64) {
			rc = gnbv_sort_u64(x, k);
			continue;
		}
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
	if (!rc) memcpy(v, tmp, n * sizeof *v);
done:
	free(start);
	free(cur);
	free(tmp);
	return rc;
}

static int has_adjacent_dup(const uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (v[i] == v[i - 1]) return 1;
	return 0;
}

static int spill(gnbv_dupcheck *d)
{
	int rc = sort_fps(d->chunk, d->n);
	if (rc) return rc;
	if (has_adjacent_dup(d->chunk, d->n)) return 1;
	if (d->nruns == MAX_RUNS) return gnbv_error_set(GNBV_ETOOBIG, "too many households to check for duplicates");
	if (!d->spill && !(d->spill = tmpfile()))
		return gnbv_error_set(GNBV_EIO, "cannot create a temporary file: %s", strerror(errno));
	d->runs[d->nruns + 1] = d->runs[d->nruns] + (long)d->n;
	if (fwrite(d->chunk, sizeof *d->chunk, d->n, d->spill) != d->n)
		return gnbv_error_set(GNBV_EIO, "cannot write a temporary file: %s", strerror(errno));
	d->nruns++;
	d->n = 0;
	return 0;
}

int gnbv_dupcheck_add(gnbv_dupcheck *d, uint64_t fp)
{
	if (!d->chunk && !(d->chunk = malloc(CHUNK * sizeof *d->chunk)))
		return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if (d->found) return 0;
	if (d->n == CHUNK) {
		int rc = spill(d);
		if (rc < 0) return rc;
		if (rc) {
			d->found = 1; /* finish() reports it */
			return 0;
		}
	}
	d->chunk[d->n++] = fp;
	return 0;
}

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

int gnbv_dupcheck_finish(gnbv_dupcheck *d)
{
	int rc;
	if (d->found) return 1;
	if (!d->nruns) {
		if ((rc = sort_fps(d->chunk, d->n))) return rc;
		return has_adjacent_dup(d->chunk, d->n);
	}
	if (d->n && (rc = spill(d))) return rc;
	/* k-way merge with a linear scan for the minimum: k is at most a few
	 * dozen even for the nation. */
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

void gnbv_dupcheck_free(gnbv_dupcheck *d)
{
	if (!d) return;
	if (d->spill) fclose(d->spill);
	free(d->chunk);
	free(d);
}
