/*
 * gnbv/standard.h - a multidimensional poverty standard as data.
 *
 * A standard (Decree 07/2021/NĐ-CP for 2022-2026, Decree 351/2025/NĐ-CP for
 * 2027-2030) is loaded from a JSON file under data/standards/ (embedded in the
 * binary, overridable by a path). Every threshold is a named parameter with
 * its legal source and a confidence tag; a parameter whose value the law does
 * not give us is "unknown" (has_* false) and the engine then refuses to decide
 * what depends on it rather than inventing it.
 *
 * The rules themselves (what "employment deficit" means over the exchange
 * format's columns) are code in src/core/assess.c, one function per rule id;
 * a standard picks which rules it uses, in which order, under which codes.
 */
#ifndef GNBV_STANDARD_H
#define GNBV_STANDARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GNBV_MAX_INDICATORS 16
#define GNBV_MAX_BANDS 8

/* The rules the engine knows. A standard's indicator names one of these. */
typedef enum gnbv_rule {
	GNBV_RULE_EMPLOYMENT,
	GNBV_RULE_DEPENDANTS,
	GNBV_RULE_NUTRITION,
	GNBV_RULE_HEALTH_INSURANCE,
	GNBV_RULE_ADULT_EDUCATION,
	GNBV_RULE_CHILD_SCHOOLING,
	GNBV_RULE_HOUSING_QUALITY,
	GNBV_RULE_HOUSING_AREA,
	GNBV_RULE_WATER,
	GNBV_RULE_SANITATION,
	GNBV_RULE_TELECOM,
	GNBV_RULE_INFO_DEVICES,
	GNBV_RULE_WASTE,
	GNBV_RULE_COUNT
} gnbv_rule;

/* School levels of the exchange format, in the order of domain.md §1.6. The
 * rank used for comparisons comes from the standard (vocational ranks with
 * upper secondary). */
typedef enum gnbv_level {
	GNBV_LEVEL_NONE,
	GNBV_LEVEL_PRESCHOOL,
	GNBV_LEVEL_PRIMARY,
	GNBV_LEVEL_LOWER_SECONDARY,
	GNBV_LEVEL_UPPER_SECONDARY,
	GNBV_LEVEL_VOCATIONAL,
	GNBV_LEVEL_COLLEGE,
	GNBV_LEVEL_UNIVERSITY,
	GNBV_LEVEL_COUNT
} gnbv_level;

/* Information devices of the exchange format's `devices` column (bit masks). */
enum {
	GNBV_DEV_TV = 1 << 0,
	GNBV_DEV_RADIO = 1 << 1,
	GNBV_DEV_COMPUTER = 1 << 2,
	GNBV_DEV_PHONE = 1 << 3,
	GNBV_DEV_SMARTPHONE = 1 << 4
};

/* An age band with the minimum school level required in it (inclusive). */
typedef struct gnbv_age_band {
	int age_from, age_to;
	gnbv_level min_level;
} gnbv_age_band;

typedef struct gnbv_indicator_def {
	char code[32];          /* column name in outputs: "employment" */
	gnbv_rule rule;
	char name_vi[96], name_en[96];
	char dimension_vi[64], dimension_en[64];
} gnbv_indicator_def;

typedef struct gnbv_standard {
	char name[32];          /* "vn-2022-2026" */
	char title_vi[192], title_en[192];
	char basis_vi[192], basis_en[192]; /* cited in reasons */
	int32_t valid_from, valid_to;      /* yyyymmdd, inclusive */

	int n_indicators;
	gnbv_indicator_def indicators[GNBV_MAX_INDICATORS];

	/* Income (VND per person per month), domain.md §1.2. */
	int64_t income_line_rural, income_line_urban;
	bool has_band;
	int64_t band_max_rural, band_max_urban;
	/* Income-proxy score lines of the review form, domain.md §1.4. */
	bool has_score_line;
	double score_line_rural, score_line_urban;
	int poor_min_deficits;
	/* Decree 30/2025 low-income worker line, domain.md §1.6. */
	bool has_worker_line;
	int64_t worker_line_rural, worker_line_urban;

	/* Operational parameters, domain.md §1.6. Ages in completed years. */
	int working_age_min, working_age_max_male, working_age_max_female;
	int dependant_child_under, dependant_elderly_from;
	double dependant_ratio_above;
	int nutrition_child_under;
	int health_insurance_age_from;
	int n_adult_bands, n_child_bands;
	gnbv_age_band adult_bands[GNBV_MAX_BANDS];
	gnbv_age_band child_bands[GNBV_MAX_BANDS];
	int housing_nondurable_min;
	double housing_area_min_m2;
	unsigned info_devices_mask;
	int level_rank[GNBV_LEVEL_COUNT];
} gnbv_standard;

/* Parses a standard file's text (JSON, format "gnbv-standard/1"). `origin`
 * names it in error messages. Every parameter must be present, with a
 * `source` and a `confidence` of V, S or H; `value` may be null only where
 * the parameter is nullable. Returns 0 or GNBV_EINVALID with the message. */
int gnbv_standard_parse(gnbv_standard *out, const char *text, size_t len,
			const char *origin);

/* The standards compiled into the binary (data/standards/). */
size_t gnbv_standard_builtin_count(void);
const char *gnbv_standard_builtin_name(size_t i);

/* Loads a built-in standard by name ("vn-2022-2026"), or, when `name`
 * contains a '/' or ends in ".json", the file at that path. */
int gnbv_standard_load(gnbv_standard *out, const char *name);

/* Picks the built-in standard in force on `date` (yyyymmdd). */
int gnbv_standard_for_date(gnbv_standard *out, int32_t date);

/* Index of the indicator with that code, or -1. */
int gnbv_standard_indicator(const gnbv_standard *s, const char *code);

#ifdef __cplusplus
}
#endif
#endif
