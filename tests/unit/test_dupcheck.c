/*
 * test_dupcheck.c - bounded-memory duplicate detection (src/io/dupcheck.c):
 * within one chunk, across spilled runs, and none at all; and the
 * fingerprint hash (util/hash.h) against its plain definition; ids given as
 * keys, in order (the shortcut) and with the order broken before or after
 * runs were spilled unsorted.
 */
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "io/dupcheck.h"
#include "util/hash.h"

static int run(uint64_t n, uint64_t dup_a, uint64_t dup_b)
{
	gnbv_dupcheck *d = NULL;
	assert_int_equal(gnbv_dupcheck_new(&d), 0);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = gnbv_mix64(i + 1);
		if (i == dup_b) v = gnbv_mix64(dup_a + 1); /* repeat an earlier one */
		assert_int_equal(gnbv_dupcheck_add(d, v), 0);
	}
	int rc;
	if (n % 2) { /* odd sizes: the check on a thread of its own */
		gnbv_dupcheck_start(d, 2);
		rc = gnbv_dupcheck_wait(d);
	} else {
		rc = gnbv_dupcheck_finish(d);
	}
	gnbv_dupcheck_free(d);
	return rc;
}

/* gnbv_hash64 reads a key's last bytes with fixed-size loads: it must give
 * what the plain definition gives (the tail as a little-endian word through
 * memcpy), for every length and every position of the key in memory. */
static uint64_t hash_plain(const unsigned char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = gnbv_mix64(h ^ w) + 0x9e3779b97f4a7c15ull;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	return gnbv_mix64(h ^ w ^ ((uint64_t)n << 56));
}

static void test_hash_tail(void **state)
{
	(void)state;
	unsigned char buf[64];
	for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 37 + 11);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; off + n <= 40; n++)
			if (gnbv_hash64(buf + off, n) != hash_plain(buf + off, n))
				fail_msg("offset %zu, length %zu: the hashes differ", off, n);
}

static void test_small(void **state)
{
	(void)state;
	assert_int_equal(run(0, ~0ull, ~0ull), 0);
	assert_int_equal(run(1000, ~0ull, ~0ull), 0);
	assert_int_equal(run(1000, 3, 999), 1);
	assert_int_equal(run(1001, ~0ull, ~0ull), 0);
	assert_int_equal(run(1001, 3, 999), 1);
	/* large and odd: the final sort split between two threads */
	assert_int_equal(run(300001, ~0ull, ~0ull), 0);
	assert_int_equal(run(300001, 5, 299999), 1);
	assert_int_equal(run(300001, 150001, 150002), 1);
}

static void test_spilled_runs(void **state)
{
	(void)state;
	/* four runs, read back at the end a few top-bit parts at a time */
	uint64_t n = (3u << 20) + 12345;
	assert_int_equal(run(n, ~0ull, ~0ull), 0);
	assert_int_equal(run(n, 10, n - 1), 1);          /* first run vs last */
	assert_int_equal(run(n, (1u << 20) + 5, (2u << 20) + 9), 1); /* second vs third */
	assert_int_equal(run(n, 7, 100), 1);             /* inside the first run */
}

/* Fingerprints that all share their top bits (as ids made to collide would):
 * one huge bucket, sorted by the fallback; and a few mid-sized buckets. */
static int run_skewed(uint64_t n, uint64_t spread, uint64_t dup_b)
{
	gnbv_dupcheck *d = NULL;
	assert_int_equal(gnbv_dupcheck_new(&d), 0);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t v = ((i % spread) << 48) | (gnbv_mix64(i + 1) >> 16);
		if (i == dup_b) v = ((3 % spread) << 48) | (gnbv_mix64(3 + 1) >> 16);
		assert_int_equal(gnbv_dupcheck_add(d, v), 0);
	}
	gnbv_dupcheck_start(d, 2);
	int rc = gnbv_dupcheck_wait(d);
	gnbv_dupcheck_free(d);
	return rc;
}

static void test_skewed(void **state)
{
	(void)state;
	assert_int_equal(run_skewed(200000, 1, ~0ull), 0);
	assert_int_equal(run_skewed(200000, 1, 150000), 1);
	assert_int_equal(run_skewed(200000, 3000, ~0ull), 0); /* buckets of about 66 */
	assert_int_equal(run_skewed(200000, 3000, 3 + 3000 * 40), 1);
	assert_int_equal(run_skewed(200000, 5000, 3 + 5000 * 20), 1); /* buckets of 40: insertion */
	/* spilled runs whose values share their top bits: the parts read back
	 * at the end do not fit the chunk, so the runs are merged */
	assert_int_equal(run_skewed(2600000, 1, ~0ull), 0);
	assert_int_equal(run_skewed(2600000, 1, 2500000), 1);
}

/* n ids "HH-%09d" in ascending order, then `tail` more given as strings
 * (NULL ends them); the result of the check. */
static int run_ids(uint64_t n, const char *const *tail)
{
	gnbv_dupcheck *d = NULL;
	char k[128] = {0};
	assert_int_equal(gnbv_dupcheck_new(&d), 0);
	for (uint64_t i = 0; i < n; i++) {
		int len = snprintf(k, sizeof k, "HH-%09llu", (unsigned long long)i);
		assert_int_equal(gnbv_dupcheck_add_id(d, k, (size_t)len), 0);
	}
	assert_int_equal(gnbv_dupcheck_in_order(d), 1);
	for (; tail && *tail; tail++) assert_int_equal(gnbv_dupcheck_add_id(d, *tail, strlen(*tail)), 0);
	gnbv_dupcheck_start(d, 2);
	int rc = gnbv_dupcheck_wait(d);
	gnbv_dupcheck_free(d);
	return rc;
}

static void test_ordered_ids(void **state)
{
	(void)state;
	assert_int_equal(run_ids(0, NULL), 0);
	assert_int_equal(run_ids(1000, NULL), 0);
	/* the last id again: not greater, so the order breaks on a duplicate */
	assert_int_equal(run_ids(1000, (const char *const[]){"HH-000000999", NULL}), 1);
	/* an early id again, and a smaller new one (no duplicate) */
	assert_int_equal(run_ids(1000, (const char *const[]){"HH-000000005", NULL}), 1);
	assert_int_equal(run_ids(1000, (const char *const[]){"AA-1", "HH-000001000", NULL}), 0);
	/* a key and its prefix: "HH-0000009990" is greater than "HH-000000999" */
	assert_int_equal(run_ids(1000, (const char *const[]){"HH-0000009990", "HH-000000999", NULL}), 1);
	assert_int_equal(run_ids(1000, (const char *const[]){"HH-0000009990", "ZZ", NULL}), 0);
	/* a key too long to watch: order given up, the sort decides */
	static const char long_key[] = "HH-999999999-a-household-code-longer-than-sixty-four-bytes-in-all";
	assert_int_equal(run_ids(1000, (const char *const[]){long_key, "HH-000000007", NULL}), 1);
	assert_int_equal(run_ids(1000, (const char *const[]){long_key, "HH-999999999-b", NULL}), 0);
	/* two runs spilled unsorted while ordered, then the break: an id of the
	 * first run, of the second, or none repeated */
	uint64_t n = (2u << 20) + 777;
	assert_int_equal(run_ids(n, NULL), 0);
	assert_int_equal(run_ids(n, (const char *const[]){"HH-000000003", NULL}), 1);
	assert_int_equal(run_ids(n, (const char *const[]){"AA", "HH-001048999", NULL}), 1);
	assert_int_equal(run_ids(n, (const char *const[]){"AA", "AB", "HH-002097900", NULL}), 1);
	assert_int_equal(run_ids(n, (const char *const[]){"AA", "AB", "HH-002097929", NULL}), 0);
	/* prefixes, bytes above 0x7F, keys longer than 32 */
	static const char *const keys[] = {"A", "A\x01", "A\x7f", "A\x80", "A\xff", "A\xff\x01",
					   "B0123456789012345678901234567890", "B01234567890123456789012345678901",
					   "B0123456789012345678901234567891", "C"};
	gnbv_dupcheck *d = NULL;
	{
		for (int dup = -1; dup < 10; dup++) {
			assert_int_equal(gnbv_dupcheck_new(&d), 0);
			for (int i = 0; i < 10; i++) {
				char buf[128] = {0};
				size_t len = strlen(keys[i]);
				memcpy(buf, keys[i], len);
				assert_int_equal(gnbv_dupcheck_add_id(d, buf, len), 0);
			}
			assert_int_equal(gnbv_dupcheck_in_order(d), 1); /* each key greater than the last */
			if (dup >= 0) { /* again at the end: the order breaks, the sort finds it */
				char buf[128] = {0};
				memcpy(buf, keys[dup], strlen(keys[dup]));
				assert_int_equal(gnbv_dupcheck_add_id(d, buf, strlen(keys[dup])), 0);
			}
			assert_int_equal(gnbv_dupcheck_in_order(d), dup < 0);
			assert_int_equal(gnbv_dupcheck_finish(d), dup >= 0);
			gnbv_dupcheck_free(d);
		}
	}
	/* a fingerprint added alone gives up the shortcut */
	assert_int_equal(gnbv_dupcheck_new(&d), 0);
	assert_int_equal(gnbv_dupcheck_add_id(d, "a", 1), 0);
	assert_int_equal(gnbv_dupcheck_add_id(d, "b", 1), 0);
	assert_int_equal(gnbv_dupcheck_add(d, gnbv_hash64("a", 1)), 0);
	assert_int_equal(gnbv_dupcheck_finish(d), 1);
	gnbv_dupcheck_free(d);
}

/* Deferred ids (gnbv_dupcheck_defer): ids in order are only counted; at
 * the first out of order, add_id adds nothing and asks for the ids counted
 * again (given here in reverse, to show any order does), then this one.
 * The key of id i: "HH-%09d" for i < n, then tail[i - n]. */
static const char *deferred_key(uint64_t i, uint64_t n, const char *const *tail, char *buf)
{
	if (i >= n) return tail[i - n];
	snprintf(buf, 32, "HH-%09llu", (unsigned long long)i);
	return buf;
}

static int run_deferred(uint64_t n, const char *const *tail, size_t *replayed)
{
	gnbv_dupcheck *d = NULL;
	char k[32];
	assert_int_equal(gnbv_dupcheck_new(&d), 0);
	gnbv_dupcheck_defer(d);
	uint64_t total = n;
	while (tail && tail[total - n]) total++;
	*replayed = SIZE_MAX;
	for (uint64_t i = 0; i < total; i++) {
		const char *key = deferred_key(i, n, tail, k);
		int rc = gnbv_dupcheck_add_id(d, key, strlen(key));
		if (rc == GNBV_DUPCHECK_REPLAY) {
			assert_int_equal(*replayed, SIZE_MAX); /* asked once */
			*replayed = gnbv_dupcheck_counted(d);
			assert_int_equal(*replayed, i); /* every id before this one */
			assert_int_equal(gnbv_dupcheck_in_order(d), 0);
			for (uint64_t j = i; j-- > 0;) {
				const char *again = deferred_key(j, n, tail, k);
				assert_int_equal(gnbv_dupcheck_add_id(d, again, strlen(again)), 0);
			}
			key = deferred_key(i, n, tail, k);
			rc = gnbv_dupcheck_add_id(d, key, strlen(key));
		}
		assert_int_equal(rc, 0);
	}
	if (*replayed == SIZE_MAX) {
		assert_int_equal(gnbv_dupcheck_counted(d), total);
		assert_int_equal(gnbv_dupcheck_in_order(d), 1);
	}
	gnbv_dupcheck_start(d, 2);
	int rc = gnbv_dupcheck_wait(d);
	gnbv_dupcheck_free(d);
	return rc;
}

static void test_deferred_ids(void **state)
{
	(void)state;
	size_t rep;
	assert_int_equal(run_deferred(0, NULL, &rep), 0);
	assert_int_equal(rep, SIZE_MAX);
	assert_int_equal(run_deferred(1000, NULL, &rep), 0);
	assert_int_equal(rep, SIZE_MAX); /* in order to the end: nothing asked */
	/* the last id again: replayed, then found */
	assert_int_equal(run_deferred(1000, (const char *const[]){"HH-000000999", NULL}, &rep), 1);
	assert_int_equal(rep, 1000);
	/* more in order first (counted too), then an early id again */
	assert_int_equal(run_deferred(1000, (const char *const[]){"HH-000001000", "HH-000000005", NULL}, &rep), 1);
	assert_int_equal(rep, 1001);
	/* out of order without a repeat, and after it a repeat of an id from
	 * before the break and one from after it */
	assert_int_equal(run_deferred(1000, (const char *const[]){"AA-1", "HH-000001000", NULL}, &rep), 0);
	assert_int_equal(rep, 1000);
	assert_int_equal(run_deferred(1000, (const char *const[]){"AA-1", "ZZ", "HH-000000000", NULL}, &rep), 1);
	assert_int_equal(run_deferred(1000, (const char *const[]){"AA-1", "ZZ", "AA-1", NULL}, &rep), 1);
	/* the first id too long to watch: asked at once, with nothing counted */
	static const char long_key[] = "HH-999999999-a-household-code-longer-than-sixty-four-bytes-in-all";
	assert_int_equal(run_deferred(0, (const char *const[]){long_key, "HH-1", long_key, NULL}, &rep), 1);
	assert_int_equal(rep, 0);
	/* replayed ids that fill more than one chunk: spilled and merged as usual */
	uint64_t n = (2u << 20) + 777;
	assert_int_equal(run_deferred(n, (const char *const[]){"AA", NULL}, &rep), 0);
	assert_int_equal(rep, n);
	assert_int_equal(run_deferred(n, (const char *const[]){"AA", "HH-001048999", NULL}, &rep), 1);
	/* defer after an id was added: refused, the ids are kept as before */
	gnbv_dupcheck *d = NULL;
	assert_int_equal(gnbv_dupcheck_new(&d), 0);
	assert_int_equal(gnbv_dupcheck_add_id(d, "b", 1), 0);
	gnbv_dupcheck_defer(d);
	assert_int_equal(gnbv_dupcheck_add_id(d, "a", 1), 0); /* out of order: no replay asked */
	assert_int_equal(gnbv_dupcheck_add_id(d, "b", 1), 0);
	assert_int_equal(gnbv_dupcheck_finish(d), 1);
	gnbv_dupcheck_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_tail),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_spilled_runs),
		cmocka_unit_test(test_skewed),
		cmocka_unit_test(test_ordered_ids),
		cmocka_unit_test(test_deferred_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
