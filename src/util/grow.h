/*
 * grow.h - the one way libgnbv grows an array: doubling, from a first
 * capacity, with the multiplication checked for overflow.
 */
#ifndef GNBV_UTIL_GROW_H
#define GNBV_UTIL_GROW_H

#include <stddef.h>

/* Makes room for at least `need` elements of `elem` bytes in the array at
 * *pp (capacity *cap, in elements), doubling from `first`. Returns 0, or
 * GNBV_ENOMEM (message set) leaving the array as it was. */
int gnbv_grow(void *pp, size_t *cap, size_t need, size_t elem, size_t first);

#endif
