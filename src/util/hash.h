/*
 * hash.h - a fast 64-bit hash of short byte strings (ids, unit codes), a
 * radix sort of 64-bit values, and an open-addressing map from strings to
 * dense indices.
 */
#ifndef GNBV_UTIL_HASH_H
#define GNBV_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t gnbv_mix64(uint64_t x)
{
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	x ^= x >> 32;
	return x;
}

/* Reads 8 bytes at a time; different strings of equal content always hash
 * alike, whatever their alignment. */
static inline uint64_t gnbv_hash64(const void *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t len = n;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = gnbv_mix64(h ^ w) + 0x9e3779b97f4a7c15ull;
		s += 8;
		n -= 8;
	}
	/* The last n < 8 bytes as the low bytes of a word, zero above. A
	 * memcpy of n bytes is a call, and the word loaded after it waits for
	 * its byte stores (no store forwarding): that was most of the hash of
	 * a household id. Fixed-size loads instead, inside the key: the word
	 * ending at the key's end shifted down when the key has 8 bytes, else
	 * overlapping halves. The value is the memcpy's on little-endian. */
	uint64_t w = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n && len >= 8) {
		memcpy(&w, s + n - 8, 8);
		w >>= 8 * (8 - n);
	} else if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, s, 4), memcpy(&hi, s + n - 4, 4);
		w = lo | (uint64_t)hi << (8 * (n - 4));
	} else if (n) {
		w = (uint64_t)s[0] | (uint64_t)s[n / 2] << (8 * (n / 2)) | (uint64_t)s[n - 1] << (8 * (n - 1));
	}
#else
	memcpy(&w, s, n);
#endif
	return gnbv_mix64(h ^ w ^ ((uint64_t)n << 56));
}

/* a[0..n) == b[0..n) for the short keys of the exchange format (household
 * ids, unit codes): 8 to 24 bytes as overlapping words that stay inside
 * both, other lengths by memcmp. Inline: the classify loop compares a few
 * keys per household, and a memcmp call each was a sizeable share. */
static inline int gnbv_same_key(const char *a, const char *b, size_t n)
{
	if (n < 8 || n > 24) return memcmp(a, b, n) == 0;
	uint64_t x, y, u, v;
	memcpy(&x, a, 8), memcpy(&y, b, 8);
	memcpy(&u, a + n - 8, 8), memcpy(&v, b + n - 8, 8);
	if (x != y || u != v) return 0;
	if (n <= 16) return 1;
	memcpy(&x, a + 8, 8), memcpy(&y, b + 8, 8);
	return x == y;
}

/* Sorts 64-bit values ascending (LSD radix, 8 passes of 8 bits; skips a
 * pass whose byte is the same everywhere). Returns 0 or GNBV_ENOMEM. */
int gnbv_sort_u64(uint64_t *v, size_t n);

/* String -> dense index (0, 1, 2, ... in insertion order). Keys are copied. */
typedef struct gnbv_strmap {
	uint32_t *slot;   /* index + 1; 0 empty */
	size_t cap;
	char **keys;
	uint32_t *lens;
	uint64_t *hashes;
	size_t n, kcap;
} gnbv_strmap;

/* The key's index, inserting it when `insert` (then *added is set). Returns
 * -1 when absent (and not inserted), or a negative code below -1 on
 * allocation failure (GNBV_ENOMEM - 1). */
long gnbv_strmap_get(gnbv_strmap *m, const char *key, size_t len, int insert, int *added);
void gnbv_strmap_free(gnbv_strmap *m);

#endif
