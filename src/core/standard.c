/*
 * standard.c - pure helpers over a loaded gnbv_standard. Loading from JSON
 * lives in src/io/standard_json.c, so that the core stays free of I/O.
 */
#include "gnbv/standard.h"

#include <string.h>

int gnbv_standard_indicator(const gnbv_standard *s, const char *code)
{
	for (int i = 0; i < s->n_indicators; i++)
		if (strcmp(s->indicators[i].code, code) == 0) return i;
	return -1;
}
