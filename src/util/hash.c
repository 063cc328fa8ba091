/*
 * hash.c - string maps with linear probing, kept at most half full so that
 * probes stay short, and the radix sort used for duplicate checks.
 */
#include "hash.h"

#include "gnbv/error.h"

#include <stdlib.h>

static int grow(gnbv_strmap *m)
{
	size_t nc = m->cap ? m->cap * 2 : 64;
	uint32_t *ns = calloc(nc, sizeof *ns);
	if (!ns) return -1;
	for (size_t i = 0; i < m->n; i++) {
		size_t j = (size_t)m->hashes[i] & (nc - 1);
		while (ns[j]) j = (j + 1) & (nc - 1);
		ns[j] = (uint32_t)i + 1;
	}
	free(m->slot);
	m->slot = ns;
	m->cap = nc;
	return 0;
}

long gnbv_strmap_get(gnbv_strmap *m, const char *key, size_t len, int insert, int *added)
{
	uint64_t h = gnbv_hash64(key, len);
	if (added) *added = 0;
	if (m->cap) {
		size_t j = (size_t)h & (m->cap - 1);
		while (m->slot[j]) {
			size_t i = m->slot[j] - 1;
			if (m->hashes[i] == h && m->lens[i] == len && !memcmp(m->keys[i], key, len))
				return (long)i;
			j = (j + 1) & (m->cap - 1);
		}
	}
	if (!insert) return -1;
	if (m->n >= UINT32_MAX - 1) return -2;
	if (2 * (m->n + 1) > m->cap && grow(m)) return -2;
	if (m->n == m->kcap) {
		size_t nk = m->kcap ? m->kcap * 2 : 64;
		char **k = realloc(m->keys, nk * sizeof *k);
		if (!k) return -2;
		m->keys = k;
		uint32_t *l = realloc(m->lens, nk * sizeof *l);
		if (!l) return -2;
		m->lens = l;
		uint64_t *hs = realloc(m->hashes, nk * sizeof *hs);
		if (!hs) return -2;
		m->hashes = hs;
		m->kcap = nk;
	}
	char *copy = malloc(len + 1);
	if (!copy) return -2;
	memcpy(copy, key, len);
	copy[len] = '\0';
	size_t i = m->n++;
	m->keys[i] = copy;
	m->lens[i] = (uint32_t)len;
	m->hashes[i] = h;
	size_t j = (size_t)h & (m->cap - 1);
	while (m->slot[j]) j = (j + 1) & (m->cap - 1);
	m->slot[j] = (uint32_t)i + 1;
	if (added) *added = 1;
	return (long)i;
}

void gnbv_strmap_free(gnbv_strmap *m)
{
	for (size_t i = 0; i < m->n; i++) free(m->keys[i]);
	free(m->keys);
	free(m->lens);
	free(m->hashes);
	free(m->slot);
	memset(m, 0, sizeof *m);
}

int gnbv_sort_u64(uint64_t *v, size_t n)
{
	if (n < 2) return 0;
	uint64_t *tmp = malloc(n * sizeof *tmp);
	if (!tmp) return gnbv_error_set(GNBV_ENOMEM, "out of memory sorting %zu values", n);
	uint64_t *src = v, *dst = tmp;
	for (int shift = 0; shift < 64; shift += 8) {
		size_t count[256] = {0};
		for (size_t i = 0; i < n; i++) count[(src[i] >> shift) & 0xFF]++;
		if (count[(src[0] >> shift) & 0xFF] == n) continue; /* nothing to move */
		size_t pos = 0;
		for (int b = 0; b < 256; b++) {
			size_t c = count[b];
			count[b] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++) dst[count[(src[i] >> shift) & 0xFF]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != v) memcpy(v, src, n * sizeof *v);
	free(tmp);
	return 0;
}
