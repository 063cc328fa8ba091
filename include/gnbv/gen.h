/*
 * gnbv/gen.h - the synthetic review-round generator (`gnbv gen`).
 *
 * Writes a households.csv and a members.csv in the exchange format
 * (docs/exchange-format.md) whose households, classified by the engine,
 * reproduce a profile's published poverty figures: the seed district
 * (Hà Quảng, Cao Bằng: 39.59% poor at the 2021 review) or the nation
 * (4.03% poor in 2022, with the regional spread). Nothing in the files is a
 * class: the generator draws a latent deprivation per household (by unit,
 * region and ethnic group) and then incomes, housing, members, schooling,
 * work and insurance conditional on it; the classes are whatever
 * `gnbv classify` makes of them. The calibration (profile tables with
 * their targets and sources) lives in src/gen/profiles.c and docs/gen.md.
 *
 * Output is reproducible: the same households count, profile, seed and
 * units give the same bytes (on the same platform and build: the draws go
 * through the C library's exp/log/cos). No personal data is real: the
 * names are drawn from lists of common names.
 *
 * Thread-safety: gnbv_gen_run holds no global state; runs on different
 * threads are independent.
 */
#ifndef GNBV_GEN_H
#define GNBV_GEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gnbv_gen_opts {
	uint64_t households;     /* how many households to write (0 is allowed: headers only) */
	const char *out_dir;     /* created when missing (one level) */
	const char *profile;     /* "poor-district" (NULL means it) or "nation" */
	uint64_t seed;           /* any value; the CLI's default is 1 */
	const char *units_path;  /* a units.csv to draw villages from; NULL: the profile's own */
} gnbv_gen_opts;

#define GNBV_GEN_OPTS_INIT {0, NULL, "poor-district", 1, NULL}

typedef struct gnbv_gen_stats {
	uint64_t households, members;
	uint64_t bytes_households, bytes_members; /* sizes of the two files written */
	uint64_t bytes_units;                     /* units.csv, when the units were synthesised */
	size_t units;                             /* units that received households */
} gnbv_gen_stats;

/* Generates DIR/households.csv and DIR/members.csv, both or neither (each
 * appears by an atomic rename). When the profile synthesises its units
 * (nation without units_path) it also writes DIR/units.csv, the made-up
 * tree under the 63 real province codes, for `classify --units` and for
 * analyses by province or region. Returns 0, GNBV_EINVALID (unknown profile,
 * bad units file: the message names the file and line), GNBV_ENOTFOUND (no
 * unit to put households in), GNBV_ENOMEM or GNBV_EIO. `st` may be NULL. */
int gnbv_gen_run(const gnbv_gen_opts *o, gnbv_gen_stats *st);

typedef void (*gnbv_gen_report_fn)(void *ctx, const char *line);

/* A developer's tool: refits the profile table's calibrated parameters
 * (each region's `mu` and `dshift`, src/gen/profiles.c) so that the engine
 * gives the targets, by `iterations` Newton steps on o->households
 * generated in memory (0: 400,000) with o->seed and o->units_path. Sends
 * one line per iteration and region, then the fitted rows, to `report`.
 * Writes no file (o->out_dir is ignored). Takes seconds to a minute. */
int gnbv_gen_calibrate(const gnbv_gen_opts *o, int iterations, gnbv_gen_report_fn report,
		       void *ctx);

/* The profiles, for help texts: count, name and a one-line English
 * description ("Hà Quảng district, 2021 review: 39.59% poor"). */
size_t gnbv_gen_profile_count(void);
const char *gnbv_gen_profile_name(size_t i);
const char *gnbv_gen_profile_summary(size_t i);

#ifdef __cplusplus
}
#endif
#endif
