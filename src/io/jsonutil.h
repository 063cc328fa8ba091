/*
 * jsonutil.h - what the gnbv-program/1 and gnbv-plan/1 loaders share: a
 * parse context that turns a semantic error into FILE:LINE:COLUMN: PATH:
 * message, typed getters that push their key on the path, and "extra"
 * (a member's uninterpreted fields kept as JSON text in an arena).
 */
#ifndef GNBV_IO_JSONUTIL_H
#define GNBV_IO_JSONUTIL_H

#include "jsonpos.h"
#include "../util/arena.h"

#include <jansson.h>
#include <stdint.h>

typedef struct gnbv_jctx {
	const char *origin; /* the file name, for messages */
	const char *text;
	size_t len;
	gnbv_jpath path;
	gnbv__arena *a;
} gnbv_jctx;

/* GNBV_EINVALID with "ORIGIN:LINE:COL: PATH: message" at the current path. */
int gnbv_jerr(gnbv_jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* obj[key] as a string copied into the arena. required 0: a missing key
 * or null gives NULL. Any other type is an error. */
int gnbv_jstr(gnbv_jctx *c, json_t *obj, const char *key, int required, const char **out);
/* obj[key] as an integer within [lo, hi]; missing: `dflt` unless required. */
int gnbv_jint(gnbv_jctx *c, json_t *obj, const char *key, int required, int64_t lo, int64_t hi,
              int64_t dflt, int64_t *out);
/* obj[key] as a number (integer or real); *has 0 when missing or null. */
int gnbv_jnum(gnbv_jctx *c, json_t *obj, const char *key, double *out, int *has);
/* obj[key] as an array (missing: an empty one unless required). */
int gnbv_jarr(gnbv_jctx *c, json_t *obj, const char *key, int required, json_t **out);
/* obj[key] as an object (missing: NULL unless required). */
int gnbv_jobj(gnbv_jctx *c, json_t *obj, const char *key, int required, json_t **out);
/* The members of obj not named in `keys` (NULL-terminated) as compact JSON
 * text in the arena, or NULL when there are none. */
int gnbv_jextra(gnbv_jctx *c, json_t *obj, const char *const *keys, const char **out);
/* Merges the members of the JSON object text `extra` (may be NULL) into
 * obj, without replacing members obj already has. */
int gnbv_jmerge(json_t *obj, const char *extra);

/* Parses `text` (duplicate keys refused) into *root and sets up c with a
 * new arena of at most arena_max bytes; errors name ORIGIN:LINE:COL. On
 * failure nothing is left to free. */
int gnbv_jopen(gnbv_jctx *c, const char *origin, const char *text, size_t len, size_t arena_max,
               json_t **root);

/* A JSON data file: `path`, or when NULL the file built into the binary as
 * `builtin` (its name under data/, e.g. "review/escape-map.json").
 * Duplicate keys are refused; errors name FILE:LINE:COL. */
int gnbv_json_load_data(const char *path, const char *builtin, json_t **root);

/* Reads a whole file (at most max bytes) into a malloc'd buffer. */
int gnbv_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
