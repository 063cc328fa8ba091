/*
 * split.h - where a round's households.csv and members.csv can be cut into
 * parts that hold whole households with all their members, so that the
 * parts can be classified on several threads at once.
 *
 * The plan is a guess made from a few reads, not a proof: the reader of
 * each part must confirm it (split.c says how and why that is enough).
 */
#ifndef GNBV_IO_SPLIT_H
#define GNBV_IO_SPLIT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define GNBV_SPLIT_MAX_ID 64 /* longer ids are not cut at */

typedef struct gnbv_split_file {
	int fd;         /* read with pread only */
	uint64_t start; /* the first record's offset (after the header; > 0) */
	uint64_t size;  /* the file's size */
	int id_col;     /* the household_id column */
} gnbv_split_file;

/* A part's start in each file (the next cut is its end). */
typedef struct gnbv_split_cut {
	uint64_t h, m;
} gnbv_split_cut;

/* The order of ids the plan's binary search relies on: bytewise, a prefix
 * first. Inline: classify checks it for every household in parts mode. */
static inline int gnbv_split_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	return c ? c : (al > bl) - (al < bl);
}

/* Plans parts of about `part_bytes` of members.csv each, at most
 * `max_parts`, except that the last `tail_bytes` (at most a quarter of
 * the file) are cut in parts an eighth that size: taken last, they let
 * the threads finish nearly together. Fills cuts[0..n] (cuts[0] the
 * files' first records, cuts[n] their sizes; both offsets rise strictly)
 * and returns n >= 1, the number of parts; 1 when no cut was found (ids
 * not in order, say). Negative on a read error. `cuts` has room for
 * max_parts + 1. */
int gnbv_split_plan(const gnbv_split_file *h, const gnbv_split_file *m, uint64_t part_bytes,
                    uint64_t tail_bytes, gnbv_split_cut *cuts, int max_parts);

#endif
