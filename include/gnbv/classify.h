/*
 * gnbv/classify.h - classify a review round's households from CSV files.
 *
 * Reads households.csv and members.csv (exchange format v1) and writes
 * assessments.csv, summary.csv and workers.csv into a folder, all three
 * or none. When members come grouped in household order the run streams:
 * memory holds one household at a time plus an 8-byte fingerprint per
 * household (for duplicate ids) and one counter row per unit. Otherwise it
 * indexes the members file in memory and gives the same answer.
 */
#ifndef GNBV_CLASSIFY_H
#define GNBV_CLASSIFY_H

#include "gnbv/assess.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gnbv_classify_opts {
	const char *households_path, *members_path;
	const char *out_dir;          /* "." when NULL */
	const char *standard;         /* name or path; NULL: the one in force on as_of */
	int32_t as_of;                /* yyyymmdd: reference date for ages */
	const char *units_path;       /* units.csv for empty areas; NULL: built-in units */
	bool explain, english;        /* reason column, and its language */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
} gnbv_classify_opts;

typedef struct gnbv_classify_stats {
	uint64_t households, members, workers, bytes;
	uint64_t by_class[GNBV_CLASS_COUNT];
	bool indexed;                 /* members were not grouped: indexed mode */
	uint32_t parts;               /* parts classified at once on several threads
					 (classify.c, run_parts); 0: in one pass */
	char standard[32];
} gnbv_classify_stats;

/* Runs the classification. Returns 0, or a negative code with a message
 * naming the file, line and column of the first problem; on error no output
 * file is created or replaced. */
int gnbv_classify(const gnbv_classify_opts *o, gnbv_classify_stats *st);

#ifdef __cplusplus
}
#endif
#endif
