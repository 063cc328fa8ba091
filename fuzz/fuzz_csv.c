/*
 * fuzz_csv.c - libFuzzer target for the CSV reader and the exchange-format
 * row parsers: any byte string must give records or a clean error, never a
 * crash, a leak or an out-of-bounds read.
 *
 * It is also differential: the input is read twice, once the ordinary way
 * and once with the separator index (gnbv_csv_expect, what classify uses),
 * and the two reads must agree on every record's line and cells, on every
 * row parser's result and on the final code and message. A difference
 * aborts.
 */
#include "gnbv/error.h"
#include "gnbv/standard.h"

#include "io/csv.h"
#include "io/exchange.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FNV-1a over what a read produced, in order. */
typedef struct digest {
	uint64_t h;
	size_t records;
	int rc;
	char msg[512];
} digest;

static void mix(digest *d, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) d->h = (d->h ^ b[i]) * 0x100000001b3ull;
}

static void mix_rc(digest *d, int rc)
{
	mix(d, &rc, sizeof rc);
	if (rc < 0) mix(d, gnbv_error_message(), strlen(gnbv_error_message()));
}

static void read_all(digest *d, const gnbv_standard *std, int kind, int indexed, const uint8_t *data,
		     size_t size)
{
	memset(d, 0, sizeof *d);
	d->h = 0xcbf29ce484222325ull;
	gnbv_csv *c = NULL;
	if (gnbv_csv_open_mem(&c, "fuzz.csv", (const char *)data, size)) {
		d->rc = -1;
		return;
	}
	gnbv_xmap map;
	int rc = gnbv_csv_next(c);
	int mapped = rc == 1 && gnbv_csv_take_header(c) == 0 && gnbv_xmap_build(&map, c, kind, std, NULL, NULL) == 0;
	if (mapped && indexed) gnbv_csv_expect(c, map.ncols);
	while ((rc = gnbv_csv_next(c)) == 1) {
		d->records++;
		long line = gnbv_csv_line(c);
		size_t nf = gnbv_csv_nfields(c);
		mix(d, &line, sizeof line);
		mix(d, &nf, sizeof nf);
		for (size_t i = 0; i < nf; i++) {
			gnbv_csv_field f = gnbv_csv_cell(c, i);
			mix(d, &f.len, sizeof f.len);
			mix(d, f.p, f.len);
		}
		if (!mapped) continue;
		if (kind == 0) {
			gnbv_household h;
			gnbv_csv_field id = {0}, unit = {0};
			memset(&h, 0, sizeof h);
			int r = gnbv_x_household(&map, c, std, &h, &id, &unit);
			mix_rc(d, r);
			if (r == 0) {
				mix(d, &h, sizeof h);
				mix(d, id.p, id.len);
				mix(d, unit.p, unit.len);
			}
		} else {
			gnbv_member m;
			gnbv_csv_field hid = {0};
			memset(&m, 0, sizeof m);
			int r = gnbv_x_member(&map, c, &m, &hid);
			mix_rc(d, r);
			if (r == 0) {
				mix(d, &m, sizeof m);
				mix(d, hid.p, hid.len);
			}
		}
	}
	d->rc = rc;
	if (rc < 0) snprintf(d->msg, sizeof d->msg, "%s", gnbv_error_message());
	gnbv_csv_free(c);
}

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
	const uint8_t *body = data + (size > 0);
	size_t n = size - (size > 0);
	digest plain, indexed;
	read_all(&plain, &std, kind, 0, body, n);
	read_all(&indexed, &std, kind, 1, body, n);
	if (plain.h != indexed.h || plain.records != indexed.records || plain.rc != indexed.rc ||
	    strcmp(plain.msg, indexed.msg) != 0) {
		fprintf(stderr, "fuzz_csv: the indexed read differs: %zu records, rc %d, '%s' against %zu, %d, '%s'\n",
			plain.records, plain.rc, plain.msg, indexed.records, indexed.rc, indexed.msg);
		abort();
	}
	return 0;
}
