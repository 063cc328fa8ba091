/*
 * jsonpos.h - where a value sits in a JSON text, for error messages.
 *
 * jansson parses without positions, so a loader that finds a semantic
 * error (an unknown code, a wrong type) names the value by its path and
 * asks here for its line and column: a second, read-only scan of the
 * text that follows the path. A path is a list of segments, each an
 * object key or an array index.
 */
#ifndef GNBV_IO_JSONPOS_H
#define GNBV_IO_JSONPOS_H

#include <stddef.h>

#define GNBV_JPATH_MAX 12

typedef struct gnbv_jpath {
	struct {
		const char *key; /* NULL: an array index */
		size_t index;
	} seg[GNBV_JPATH_MAX];
	int n;
} gnbv_jpath;

void gnbv_jpath_key(gnbv_jpath *p, const char *key);
void gnbv_jpath_index(gnbv_jpath *p, size_t i);
void gnbv_jpath_pop(gnbv_jpath *p);
/* "sections.B.lines[3].capital_type" into dst (cap bytes). */
void gnbv_jpath_format(const gnbv_jpath *p, char *dst, size_t cap);

/* Line and column (1-based; the column counts characters) of the value at
 * the path, or of the deepest enclosing value that exists when the last
 * segments are missing. Malformed text gives the position reached. */
void gnbv_json_locate(const char *text, size_t len, const gnbv_jpath *p, int *line, int *col);

#endif
