/*
 * units.h - administrative units read from a units.csv (exchange-format.md),
 * for resolving a household's empty `area` from its unit. The store keeps
 * the full unit tree with history; this is the small read-only table that
 * `gnbv classify` needs without a database.
 */
#ifndef GNBV_IO_UNITS_H
#define GNBV_IO_UNITS_H

#include <stddef.h>

typedef struct gnbv_units gnbv_units;

/* Loads a units.csv file; NULL path loads the built-in data/units files. */
int gnbv_units_load(gnbv_units **out, const char *path);
void gnbv_units_free(gnbv_units *u);

typedef struct gnbv_unit_info {
	const char *code, *name, *level, *parent_code; /* "" when absent */
	int area;                                      /* resolved: 0 rural, 1 urban, -1 unknown */
} gnbv_unit_info;

/* Looks a unit up by code: 0 and *out filled, or GNBV_ENOTFOUND. Strings
 * live as long as the table. */
int gnbv_units_get(const gnbv_units *u, const char *code, size_t len, gnbv_unit_info *out);

/* The unit's area, inherited from its parents when its own is empty:
 * 0 rural, 1 urban, -1 unknown or no such unit. */
int gnbv_units_area(const gnbv_units *u, const char *code, size_t len);

#endif
