/*
 * grow.c - array growth for the whole library (see grow.h).
 */
#include "grow.h"

#include "gnbv/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int gnbv_grow(void *pp, size_t *cap, size_t need, size_t elem, size_t first)
{
	if (need <= *cap) return 0;
	size_t nc = *cap ? *cap : first;
	while (nc < need) {
		if (nc > SIZE_MAX / 2) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		nc *= 2;
	}
	if (elem && nc > SIZE_MAX / elem) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	void *old;
	memcpy(&old, pp, sizeof old);
	void *nv = realloc(old, nc * elem);
	if (!nv) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	memcpy(pp, &nv, sizeof nv);
	*cap = nc;
	return 0;
}
