/*
 * fuzz_csv.c - libFuzzer target for the CSV reader and the exchange-format
 * row parsers: any byte string must give records or a clean error, never a
 * crash, a leak or an out-of-bounds read.
 */
#include "gnbv/standard.h"

#include "io/csv.h"
#include "io/exchange.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static gnbv_standard std;
	static int loaded;
	if (!loaded) {
		if (gnbv_standard_load(&std, "vn-2022-2026")) abort();
		loaded = 1;
	}
	/* The first byte picks households (even) or members (odd). */
	int kind = size ? data[0] & 1 : 0;
	gnbv_csv *c = NULL;
	if (gnbv_csv_open_mem(&c, "fuzz.csv", (const char *)data + (size > 0), size - (size > 0)))
		return 0;
	gnbv_xmap map;
	int rc = gnbv_csv_next(c);
	if (rc == 1 && gnbv_csv_take_header(c) == 0 && gnbv_xmap_build(&map, c, kind, &std, NULL, NULL) == 0) {
		while (gnbv_csv_next(c) == 1) {
			if (kind == 0) {
				gnbv_household h;
				gnbv_csv_field id, unit;
				gnbv_x_household(&map, c, &std, &h, &id, &unit);
			} else {
				gnbv_member m;
				gnbv_csv_field hid;
				gnbv_x_member(&map, c, &m, &hid);
			}
		}
	} else {
		while (gnbv_csv_next(c) == 1) {
		}
	}
	gnbv_csv_free(c);
	return 0;
}
