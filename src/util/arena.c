/*
 * arena.c - the bump allocator of arena.h. Each block is one malloc with
 * its header in front; allocations are 16-byte aligned so that any type
 * fits. Freeing walks the block list once.
 */
#include "arena.h"

#include "gnbv/error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN       16
#define ARENA_FIRST       4096
#define ARENA_BLOCK_MAX   (1u << 20)
#define ARENA_DEFAULT_MAX ((size_t)256 << 20)

typedef struct block {
	struct block *next;
	size_t cap, used;
	_Alignas(16) unsigned char data[];
} block;

struct gnbv__arena {
	block *head;
	size_t next_cap, total, max;
};

gnbv__arena *gnbv_arena_new(size_t max)
{
	gnbv__arena *a = calloc(1, sizeof *a);
	if (!a) {
		gnbv_error_set(GNBV_ENOMEM, "out of memory");
		return NULL;
	}
	a->next_cap = ARENA_FIRST;
	a->max = max ? max : ARENA_DEFAULT_MAX;
	return a;
}

void gnbv_arena_free(gnbv__arena *a)
{
	if (!a) return;
	for (block *b = a->head, *n; b; b = n) {
		n = b->next;
		free(b);
	}
	free(a);
}

void *gnbv_arena_alloc(gnbv__arena *a, size_t n)
{
	size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need < n || a->total + need > a->max || a->total + need < a->total) {
		gnbv_error_set(GNBV_ETOOBIG, "more than %zu bytes in one document or request",
		               a->max);
		return NULL;
	}
	block *b = a->head;
	if (!b || b->cap - b->used < need) {
		size_t cap = a->next_cap;
		while (cap < need)
			cap *= 2;
		b = malloc(sizeof *b + cap);
		if (!b) {
			gnbv_error_set(GNBV_ENOMEM, "out of memory");
			return NULL;
		}
		b->cap = cap;
		b->used = 0;
		/* A big one-off allocation goes behind the current block, so the
		 * current block's free space stays usable. */
		if (a->head && need > a->next_cap) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
			if (a->next_cap < ARENA_BLOCK_MAX) a->next_cap *= 2;
		}
	}
	void *p = b->data + b->used;
	b->used += need;
	a->total += need;
	memset(p, 0, n);
	return p;
}

void *gnbv_arena_array(gnbv__arena *a, size_t n, size_t elem)
{
	if (elem && n > SIZE_MAX / elem) {
		gnbv_error_set(GNBV_ETOOBIG, "array of %zu elements is too large", n);
		return NULL;
	}
	size_t bytes = n * elem;
	return gnbv_arena_alloc(a, bytes ? bytes : 1);
}

char *gnbv_arena_strndup(gnbv__arena *a, const char *s, size_t n)
{
	if (!s) return NULL;
	char *d = gnbv_arena_alloc(a, n + 1);
	if (d) memcpy(d, s, n);
	return d;
}

char *gnbv_arena_strdup(gnbv__arena *a, const char *s)
{
	return s ? gnbv_arena_strndup(a, s, strlen(s)) : NULL;
}

char *gnbv_arena_printf(gnbv__arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		gnbv_error_set(GNBV_EINVALID, "bad format");
		return NULL;
	}
	char *d = gnbv_arena_alloc(a, (size_t)n + 1);
	if (!d) return NULL;
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return d;
}

size_t gnbv_arena_used(const gnbv__arena *a)
{
	return a->total;
}
