/*
 * gen_internal.h - the pieces of the generator (src/gen), shared between its
 * files, its unit test and calibration runs. Not a public interface.
 *
 *   profiles.c   the profile tables: targets with sources, calibrated
 *                parameters, household sizes, ethnic mixes, provinces
 *   names.c      ethnic groups and their name lists (NFC UTF-8)
 *   gen_units.c  the units households go to, their weights and effects
 *   household.c  one household: latent deprivation -> members, housing,
 *                income, deficits, empty cells
 *   write.c      exchange-format rows, formatted by hand into buffers
 *   gen.c        gnbv_gen_run: the loop and the two output files
 */
#ifndef GNBV_GEN_INTERNAL_H
#define GNBV_GEN_INTERNAL_H

#include "gnbv/assess.h"
#include "gnbv/gen.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Random numbers: xoshiro256** seeded through splitmix64 ------------ */

typedef struct gen_rng {
	uint64_t s[4];
} gen_rng;

static inline uint64_t gen_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void gen_rng_seed(gen_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) r->s[i] = gen_splitmix64(&seed);
}

static inline uint64_t gen_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t gen_next(gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = gen_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = gen_rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1). */
static inline double gen_unif(gen_rng *r) { return (double)(gen_next(r) >> 11) * 0x1.0p-53; }

/* Uniform integer in [0, n). */
static inline uint32_t gen_below(gen_rng *r, uint32_t n)
{
	return (uint32_t)(((gen_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform integer in [lo, hi]. */
static inline int gen_range(gen_rng *r, int lo, int hi)
{
	return hi <= lo ? lo : lo + (int)gen_below(r, (uint32_t)(hi - lo + 1));
}

static inline bool gen_chance(gen_rng *r, double p) { return gen_unif(r) < p; }

static inline double gen_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* Standard normal (Box-Muller, one value per call). */
double gen_normal(gen_rng *r);

/* A standard normal that depends only on the string and the salt: unit
 * effects and weights are properties of the unit, the same in every run. */
double gen_hash_normal(const char *s, size_t n, uint64_t salt);

/* ---- Ethnic groups and names (names.c) --------------------------------- */

enum {
	ETH_KINH, ETH_TAY, ETH_NUNG, ETH_HMONG, ETH_DAO, ETH_THAI, ETH_MUONG,
	ETH_KHMER, ETH_HOA, ETH_GIARAI, ETH_EDE, ETH_COUNT
};

/* The group's name as written in the `ethnicity` column ("H'Mông"). */
const char *gen_eth_name(int eth);

/* Offset of the latent deprivation for the group [H: see docs/gen.md]. */
double gen_eth_offset(int eth);

/* Children take the mother's family name (Ê Đê, Gia Rai). */
bool gen_eth_matrilineal(int eth);

/* A family name of the group (an index for gen_name). */
int gen_family_draw(gen_rng *r, int eth);

#define GEN_NAME_CAP 128

/* Writes a full name (family, middle, given; or the group's own order)
 * into buf (GEN_NAME_CAP bytes, not NUL-terminated); returns its length. */
size_t gen_name(gen_rng *r, int eth, int family, bool male, int birth_year, char *buf);

/* ---- Profiles (profiles.c) --------------------------------------------- */

#define GEN_MAX_SIZE 14 /* household sizes 1..GEN_MAX_SIZE */

/* The deficits a household is drawn towards (dependants come from its
 * composition and working capacity). */
enum {
	DEF_EMPLOYMENT, DEF_NUTRITION, DEF_INSURANCE, DEF_ADULT_EDU, DEF_CHILD_SCHOOL,
	DEF_HOUSING, DEF_AREA, DEF_WATER, DEF_SANITATION, DEF_TELECOM, DEF_DEVICES,
	DEF_WASTE, DEF_COUNT
};

/* One calibration row: a region of the nation, or the whole poor district. */
typedef struct gen_region {
	const char *code;          /* "nmm" */
	const char *name;          /* Vietnamese name */
	double poor, near_poor;    /* targets, % of households */
	const char *source;        /* where the targets come from, with tags */
	double share;              /* % of the profile's households */
	double urban;              /* share of synthesised communes that are urban */
	double eth[ETH_COUNT];     /* ethnic mix of rural units, % of households */
	double mu, dshift;         /* calibrated: mean deprivation, deficit logit shift */
} gen_region;

typedef struct gen_profile {
	const char *name, *summary;
	const char *id_prefix;     /* household ids: PREFIX-COMMUNE-NNNNNN */
	const char *standard;      /* the standard it is calibrated against */
	int32_t ref_date;          /* the review's reference date (ages) */
	double poor, near_poor, size; /* targets: % poor, % near-poor, persons */
	const char *source;
	const char *units_root;    /* built-in units: this unit's subtree; NULL: synthesise */
	double size_pct[GEN_MAX_SIZE];
	/* Income: ln(income / line) = -sigma * y, y = rho z + sqrt(1-rho^2) e. */
	double income_sigma, income_rho;
	/* Deficits: P = sigmoid(def_logit[k] + slope z + dshift). */
	double slope, def_logit[DEF_COUNT];
	double unable_logit, unable_slope; /* an adult without working capacity */
	/* Unit effects on z, by level; urban units' offset. */
	double sd_province, sd_district, sd_commune, sd_village, urban_offset;
	double urban_kinh;         /* factor on the Kinh share in urban units */
	double eth_sd;             /* commune-to-commune spread of minority shares */
	double female_head;        /* share of couples headed by the wife */
	double edu_mu;             /* schooling index of a 31-year-old at z = 0 */
	double work_self, work_contract; /* of able working-age adults; the rest none */
	double internet;           /* a member 15-50 uses the internet (telecom not deficient) */
	double dev_tv, dev_radio, dev_computer, dev_phone, dev_smartphone;
	double empty_cell;         /* share of cells left empty (unknown) */
	double no_income, score_only, score_and_amount; /* income columns used */
	double explicit_area;      /* area written although the units know it */
	int n_regions;
	const gen_region *regions;
	int fallback_region;       /* for units outside the known provinces */
} gen_profile;

size_t gen_profile_n(void);
const gen_profile *gen_profile_at(size_t i);
const gen_profile *gen_profile_find(const char *name);

/* The 63 provinces (2008-2025), with their region in the nation profile. */
typedef struct gen_province {
	const char *code, *name;
	int region;
} gen_province;

size_t gen_province_n(void);
const gen_province *gen_province_at(size_t i);
/* Region of a province code, or -1. */
int gen_province_region(const char *code, size_t len);

/* ---- Units (gen_units.c) ----------------------------------------------- */

#define GEN_MAX_CODE 40

typedef struct gen_unit {
	char code[GEN_MAX_CODE];   /* written as unit_code */
	uint32_t code_len;
	uint32_t commune;          /* index into gen_units.communes (for ids) */
	signed char area;          /* 0 rural, 1 urban */
	bool area_known;           /* `gnbv classify` with the same units resolves it */
	int region;                /* row of the profile's regions */
	double effect;             /* added to the latent deprivation */
	double weight;             /* share of the households */
	double eth_cum[ETH_COUNT]; /* cumulative ethnic mix, ends at 1 */
	uint64_t households;       /* assigned by gen_units_allocate */
} gen_unit;

typedef struct gen_units {
	gen_unit *u;               /* in code order (byte order) */
	size_t n;
	char (*communes)[GEN_MAX_CODE];
	size_t ncommunes;
	char *units_csv;           /* synthesised units: their units.csv text, else NULL */
	size_t units_csv_len;
} gen_units;

/* Builds the units households go to: from `path` (a units.csv), else the
 * built-in units' subtree of p->units_root, else synthesised (nation). */
int gen_units_build(gen_units *t, const gen_profile *p, const char *path);

/* Shares `households` out by weight (largest remainder: exact total). */
void gen_units_allocate(gen_units *t, uint64_t households);

void gen_units_free(gen_units *t);

/* ---- One household (household.c) -------------------------------------- */

#define GEN_MAX_MEMBERS 16

typedef struct gen_text {
	char name[GEN_NAME_CAP];
	uint32_t name_len;         /* 0: empty cell */
	signed char eth;           /* -1: empty cell */
	bool year_only;            /* birth written as YYYY */
} gen_text;

typedef struct gen_hh {
	gnbv_household h;          /* as the engine reads it back */
	bool write_area;           /* write h.area, or leave the cell empty */
	size_t n;
	gnbv_member m[GEN_MAX_MEMBERS];
	gen_text t[GEN_MAX_MEMBERS];
	double z;                  /* the latent deprivation (tests) */
} gen_hh;

/* Draws one household of unit `u` (region `rg`). The standard is the one
 * the profile is calibrated against: its income lines price the income, and
 * its age bands and thresholds say which member can carry a deficit. */
void gen_household(gen_rng *r, const gen_profile *p, const gen_region *rg, const gen_unit *u,
		   const gnbv_standard *std, gen_hh *out);

/* ---- Rows (write.c) ---------------------------------------------------- */

extern const char GEN_HOUSEHOLDS_HEADER[];
extern const char GEN_MEMBERS_HEADER[];

#define GEN_ID_CAP (GEN_MAX_CODE + 32)
#define GEN_HH_ROW_CAP 512
#define GEN_MEMBERS_CAP (GEN_MAX_MEMBERS * 400)

/* "HQ-01363-000042" (at least 6 digits). Returns the length. */
size_t gen_fmt_id(char *buf, const char *prefix, const char *commune, uint64_t seq);
/* One households.csv row with its LF; buf holds GEN_HH_ROW_CAP. */
size_t gen_fmt_household(char *buf, const char *id, size_t id_len, const gen_unit *u,
			 const gen_hh *h);
/* The household's members.csv rows; buf holds GEN_MEMBERS_CAP. */
size_t gen_fmt_members(char *buf, const char *id, size_t id_len, const gen_hh *h);

/* ---- The loop (gen.c) -------------------------------------------------- */

typedef int (*gen_visit_fn)(void *ctx, const gen_unit *u, const char *id, size_t id_len,
			    const gen_hh *h);


/* Draws every allocated household of `t` in unit order and hands each to
 * `fn` (stopping at its first non-zero return, which is returned). */
int gen_generate(const gen_profile *p, const gen_units *t, uint64_t seed,
		 const gnbv_standard *std, gen_visit_fn fn, void *ctx);

#endif
