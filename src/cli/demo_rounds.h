/*
 * demo_rounds.h - the demo district's 2021 and 2022 review rounds, drawn
 * from a classified pool of generated households (demo_rounds.c).
 */
#ifndef GNBV_CLI_DEMO_ROUNDS_H
#define GNBV_CLI_DEMO_ROUNDS_H

#include <stdint.h>

typedef struct gnbv_demo_rounds_opts {
	const char *pool_dir; /* households.csv, members.csv, assessments.csv of the pool */
	const char *out_dir;  /* receives round-2021/ and round-2022/ */
	uint64_t households;  /* households in the district */
	uint64_t poor_2021;   /* of which poor in the 2021 round */
	uint64_t escapes;     /* poor households whose income rises above the line by 2022 */
	uint64_t falls;       /* non-poor households with >= 3 deficits that fall below it */
	uint64_t seed;
} gnbv_demo_rounds_opts;

typedef struct gnbv_demo_rounds_stats {
	uint64_t households, escapes, falls;
} gnbv_demo_rounds_stats;

int gnbv_demo_rounds(const gnbv_demo_rounds_opts *o, gnbv_demo_rounds_stats *st);

#endif
