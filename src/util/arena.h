/*
 * arena.h - a bump allocator for one request, one batch or one loaded
 * document: many small allocations, freed together. Blocks grow from 4 KiB
 * up to 1 MiB; an allocation larger than a block gets its own. A cap on the
 * whole arena (max bytes) turns runaway input into GNBV_ETOOBIG instead of
 * exhausting memory.
 */
#ifndef GNBV_UTIL_ARENA_H
#define GNBV_UTIL_ARENA_H

#include <stddef.h>

typedef struct gnbv__arena gnbv__arena;

/* A new arena holding at most `max` bytes (0: 256 MiB). NULL on ENOMEM
 * (message set). */
gnbv__arena *gnbv_arena_new(size_t max);
void gnbv_arena_free(gnbv__arena *a);

/* n bytes aligned for any type, zeroed; NULL with GNBV_ENOMEM or
 * GNBV_ETOOBIG set. */
void *gnbv_arena_alloc(gnbv__arena *a, size_t n);
/* n elements of size elem, zeroed, the product checked for overflow. */
void *gnbv_arena_array(gnbv__arena *a, size_t n, size_t elem);
/* Copies of strings (NUL-terminated); NULL in, NULL out (no error). */
char *gnbv_arena_strdup(gnbv__arena *a, const char *s);
char *gnbv_arena_strndup(gnbv__arena *a, const char *s, size_t n);
/* printf into the arena. */
char *gnbv_arena_printf(gnbv__arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes handed out so far. */
size_t gnbv_arena_used(const gnbv__arena *a);

#endif
