/*
 * exchange.h - the household exchange format v1 (docs: exchange-format.md):
 * header mapping and row parsing into the core's household and member
 * structs, with errors that name the file, line and column.
 */
#ifndef GNBV_IO_EXCHANGE_H
#define GNBV_IO_EXCHANGE_H

#include "gnbv/assess.h"

#include "csv.h"

#include <stdint.h>

#define GNBV_MAX_MEMBERS 200 /* per household: a cap, not a legal fact */

/* Column roles. Households and members share one enum. */
enum {
	XF_IGNORE = -1,
	XF_HOUSEHOLD_ID, XF_UNIT_CODE, XF_AREA, XF_INCOME_MONTH, XF_INCOME_SCORE,
	XF_FLOOR, XF_WALLS, XF_ROOF, XF_LIVING_AREA, XF_WATER, XF_TOILET, XF_WASTE,
	XF_DEVICES,
	XF_MEMBER_NO, XF_NAME, XF_SEX, XF_BIRTH, XF_RELATION, XF_ETHNICITY, XF_ABLE,
	XF_WORK, XF_INSURANCE, XF_STUNTED, XF_UNDERWEIGHT, XF_IN_SCHOOL, XF_LEVEL,
	XF_INTERNET, XF_ALLOWANCE,
	XF_DEFICIT_BASE /* XF_DEFICIT_BASE + rule: deficit_<code> */
};

typedef struct gnbv_xmap {
	int kind;              /* 0 households, 1 members */
	size_t ncols;
	int col[GNBV_CSV_MAX_FIELDS]; /* role of each column */
	int id_col, unit_col, member_no_col; /* indices of the key columns */
	/* The columns the row parsers read, in order: those with a role, less
	 * the member texts kept as they are (name, ethnicity). */
	size_t nactive;
	unsigned short active[GNBV_CSV_MAX_FIELDS];
	int layout; /* 1: the columns gnbv gen writes, in its order (a faster path) */
} gnbv_xmap;

typedef void (*gnbv_warn_fn)(void *ctx, const char *msg);

/* Maps the header just taken by `c` (households when kind 0, members when
 * 1). Missing key columns are errors; a missing listed column or an unknown
 * one is a warning through `warn`. The standard decides which deficit_<code>
 * columns exist. */
int gnbv_xmap_build(gnbv_xmap *m, const gnbv_csv *c, int kind, const gnbv_standard *s,
		    gnbv_warn_fn warn, void *warn_ctx);

/* Parses the current record of `c` into *h. The id and unit code are
 * returned as spans into the record. */
int gnbv_x_household(const gnbv_xmap *m, const gnbv_csv *c, const gnbv_standard *s,
		     gnbv_household *h, gnbv_csv_field *id, gnbv_csv_field *unit);

/* Parses the current record of `c` into *mb; the household id as a span. */
int gnbv_x_member(const gnbv_xmap *m, const gnbv_csv *c, gnbv_member *mb,
		  gnbv_csv_field *hid);

/* Parses a date cell (YYYY-MM-DD, or YYYY meaning 1 July) to yyyymmdd.
 * Returns 0, or -1 when malformed. */
int gnbv_x_parse_date(const char *p, size_t n, int32_t *out);

/* Trims the spaces and tabs around a cell, as every reader of the exchange
 * format does ("  1 " is 1). */
void gnbv_x_trim(const char **p, size_t *n);

#endif
