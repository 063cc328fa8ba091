/*
 * gnbv/assess.h - households, members and the assessment.
 *
 * The assessment is a pure function of (household, members, standard,
 * reference date): no I/O, no allocation, no global state, so that it can be
 * called from any thread and fuzzed alone. Inputs use tri-state values:
 * "empty means unknown" (exchange-format.md), and unknown inputs are never
 * guessed: an indicator that cannot be decided is GNBV_UNKNOWN, and the class
 * is decided only when no value of the unknowns could change it.
 */
#ifndef GNBV_ASSESS_H
#define GNBV_ASSESS_H

#include "gnbv/standard.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Tri-state: certainly not, certainly, cannot be decided. */
typedef signed char gnbv_tri;
#define GNBV_NO ((gnbv_tri)0)
#define GNBV_YES ((gnbv_tri)1)
#define GNBV_UNKNOWN ((gnbv_tri)-1)

typedef enum { GNBV_AREA_UNKNOWN = -1, GNBV_AREA_RURAL = 0, GNBV_AREA_URBAN = 1 } gnbv_area;
typedef enum { GNBV_SEX_UNKNOWN = 0, GNBV_SEX_MALE = 'M', GNBV_SEX_FEMALE = 'F' } gnbv_sex;
typedef enum {
	GNBV_WORK_UNKNOWN = -1,
	GNBV_WORK_CONTRACT,
	GNBV_WORK_NO_CONTRACT,
	GNBV_WORK_SELF,
	GNBV_WORK_UNEMPLOYED,
	GNBV_WORK_STUDENT,
	GNBV_WORK_NONE
} gnbv_work;
typedef enum {
	GNBV_REL_UNKNOWN = -1, GNBV_REL_HEAD, GNBV_REL_SPOUSE, GNBV_REL_CHILD,
	GNBV_REL_PARENT, GNBV_REL_GRANDCHILD, GNBV_REL_OTHER
} gnbv_relation;

typedef struct gnbv_member {
	int32_t member_no;
	int32_t birth;          /* yyyymmdd; 0 unknown. A year-only date is yyyy0701 */
	signed char sex;        /* gnbv_sex */
	signed char work;       /* gnbv_work */
	signed char level;      /* gnbv_level, -1 unknown */
	signed char relation;   /* gnbv_relation */
	gnbv_tri able_to_work, health_insurance, stunted, underweight, in_school,
		uses_internet, social_allowance;
} gnbv_member;

typedef struct gnbv_household {
	signed char area;            /* gnbv_area */
	bool has_income, has_score, has_living_area;
	int64_t income_month;        /* VND per person per month */
	double income_score;         /* "điểm A" of the review form */
	double living_area_m2;
	gnbv_tri floor_durable, walls_durable, roof_durable, water_safe,
		toilet_hygienic, waste_treated;
	unsigned devices;            /* GNBV_DEV_* mask; 0 = none */
	gnbv_tri recorded[GNBV_RULE_COUNT]; /* deficit_<code> ticks by rule; UNKNOWN = none */
} gnbv_household;

typedef enum gnbv_class {
	GNBV_CLASS_POOR,
	GNBV_CLASS_NEAR_POOR,
	GNBV_CLASS_AVERAGE,
	GNBV_CLASS_NOT_POOR,
	GNBV_CLASS_INCOMPLETE,
	GNBV_CLASS_COUNT
} gnbv_class;

/* How the income position was decided, for the reason. */
typedef enum {
	GNBV_BASIS_NONE,   /* no usable income information */
	GNBV_BASIS_SCORE,  /* the form's income score */
	GNBV_BASIS_AMOUNT  /* the monthly per-capita amount */
} gnbv_income_basis;

typedef struct gnbv_assessment {
	gnbv_class klass;
	int deficits;            /* indicators certainly deficient */
	int unknowns;            /* indicators that cannot be decided */
	gnbv_tri ind[GNBV_MAX_INDICATORS]; /* in the standard's order */
	bool ind_recorded[GNBV_MAX_INDICATORS]; /* taken from a deficit_ tick */
	gnbv_income_basis basis;
	gnbv_tri below_line;     /* income at or below the poverty line */
	bool in_band;            /* amount within the average band */
	signed char area;        /* the area used */
	int n_workers;           /* members flagged as low-income workers */
} gnbv_assessment;

/* The class name used in files: "poor", "near_poor", ... */
const char *gnbv_class_name(gnbv_class c);

/* Completed years between `birth` and `on` (both yyyymmdd), or -1 when the
 * birth date is unknown or after `on`. A birthday on `on` counts. */
int gnbv_age(int32_t birth, int32_t on);

/* Assesses one household. `workers`, when not NULL, receives n_members flags:
 * 1 for a member who is a low-income worker under Decree 30/2025. The
 * household's area must be known (GNBV_AREA_RURAL/URBAN): resolving it is
 * the caller's job. */
void gnbv_assess(const gnbv_standard *s, int32_t ref_date, const gnbv_household *h,
		 const gnbv_member *m, size_t n_members, gnbv_assessment *out,
		 unsigned char *workers);

#define GNBV_AGE_TABLE 200 /* ages 0..199 from the tables; older ones computed */

/* A standard prepared for one reference date, for assessing many
 * households: the member rules are looked up by age, level and field value
 * instead of worked out for each member (assess.c explains the tables).
 * Plain data (about 20 KB), no allocation; fields private; read-only once
 * prepared, so threads may share one. The standard must outlive it. */
typedef struct gnbv_assess_ctx {
	const gnbv_standard *s;
	int32_t ref_date;
	/* by age (the last row: age unknown), then sex or level + 1 */
	uint16_t x[GNBV_AGE_TABLE + 1][3];
	uint16_t q[GNBV_AGE_TABLE + 1][GNBV_LEVEL_COUNT + 1];
	uint32_t yz[GNBV_AGE_TABLE + 1][GNBV_LEVEL_COUNT + 1];
	/* by the byte value of a member's field */
	uint32_t f_able[256], f_stunted[256], f_under[256], f_insured[256], f_school[256],
		f_internet[256];
	uint16_t f_work[256];
	unsigned char f_sex[256], f_level[256];
	unsigned char rule_of[GNBV_MAX_INDICATORS]; /* each indicator's rule, in order; then GNBV_RULE_COUNT */
} gnbv_assess_ctx;

void gnbv_assess_prepare(gnbv_assess_ctx *x, const gnbv_standard *s, int32_t ref_date);

/* gnbv_assess with a prepared standard and date: the same result, faster. */
void gnbv_assess_prepared(const gnbv_assess_ctx *x, const gnbv_household *h,
			  const gnbv_member *m, size_t n_members, gnbv_assessment *out,
			  unsigned char *workers);

/* gnbv_assess_prepared in two parts, so that the members' part can run
 * where the members are read (classify's second thread): what the
 * household's rules need from its members, which does not depend on their
 * order, then the assessment from it. */
typedef struct gnbv_member_sum {
	uint16_t any, all;         /* OR and AND of the members' rule words */
	uint32_t dep_yes, dep_unk; /* certain and possible dependants */
} gnbv_member_sum;

void gnbv_assess_members(const gnbv_assess_ctx *x, const gnbv_member *m, size_t n_members,
			 gnbv_member_sum *sum);

/* `m` in member_no order, as for gnbv_assess_prepared; `sum` from the same
 * members. */
void gnbv_assess_summed(const gnbv_assess_ctx *x, const gnbv_household *h, const gnbv_member *m,
			size_t n_members, const gnbv_member_sum *sum, gnbv_assessment *out,
			unsigned char *workers);

/* Writes the readable reason into buf (NUL-terminated, truncated to cap), in
 * Vietnamese (`english` false) or English, citing the rule. Returns the
 * length written. */
size_t gnbv_assess_reason(const gnbv_standard *s, const gnbv_household *h,
			  const gnbv_assessment *a, bool english, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
