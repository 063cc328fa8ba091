/*
 * jsonutil.c - the shared helpers of jsonutil.h. Every getter pushes its
 * key before checking, so that an error points at the offending value
 * (or, when the key is missing, at the object that lacks it).
 */
#include "jsonutil.h"

#include "gnbv/error.h"

#include "embed.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gnbv_jerr(gnbv_jctx *c, const char *fmt, ...)
{
	char msg[512], where[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int line, col;
	gnbv_json_locate(c->text, c->len, &c->path, &line, &col);
	gnbv_jpath_format(&c->path, where, sizeof where);
	return gnbv_error_set(GNBV_EINVALID, "%s:%d:%d: %s%s%s", c->origin, line, col, where,
	                      *where ? ": " : "", msg);
}

int gnbv_jstr(gnbv_jctx *c, json_t *obj, const char *key, int required, const char **out)
{
	int rc = 0;
	gnbv_jpath_key(&c->path, key);
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required) rc = gnbv_jerr(c, "missing text");
	} else if (!json_is_string(v)) {
		rc = gnbv_jerr(c, "must be text");
	} else if (!(*out =
	                 gnbv_arena_strndup(c->a, json_string_value(v), json_string_length(v)))) {
		rc = GNBV_ENOMEM;
	}
	gnbv_jpath_pop(&c->path);
	return rc;
}

int gnbv_jint(gnbv_jctx *c, json_t *obj, const char *key, int required, int64_t lo, int64_t hi,
              int64_t dflt, int64_t *out)
{
	int rc = 0;
	gnbv_jpath_key(&c->path, key);
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required) rc = gnbv_jerr(c, "missing whole number");
		*out = dflt;
	} else if (!json_is_integer(v)) {
		rc = gnbv_jerr(c, "must be a whole number");
	} else {
		json_int_t x = json_integer_value(v);
		if (x < lo || x > hi)
			rc = gnbv_jerr(c, "%lld is outside %lld..%lld", (long long)x, (long long)lo,
			               (long long)hi);
		else
			*out = x;
	}
	gnbv_jpath_pop(&c->path);
	return rc;
}

int gnbv_jnum(gnbv_jctx *c, json_t *obj, const char *key, double *out, int *has)
{
	int rc = 0;
	gnbv_jpath_key(&c->path, key);
	json_t *v = json_object_get(obj, key);
	*has = 0;
	*out = 0;
	if (v && !json_is_null(v)) {
		if (!json_is_number(v)) {
			rc = gnbv_jerr(c, "must be a number");
		} else {
			*out = json_number_value(v);
			*has = 1;
		}
	}
	gnbv_jpath_pop(&c->path);
	return rc;
}

int gnbv_jarr(gnbv_jctx *c, json_t *obj, const char *key, int required, json_t **out)
{
	int rc = 0;
	gnbv_jpath_key(&c->path, key);
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required) rc = gnbv_jerr(c, "missing list");
	} else if (!json_is_array(v)) {
		rc = gnbv_jerr(c, "must be a list");
	} else {
		*out = v;
	}
	gnbv_jpath_pop(&c->path);
	return rc;
}

int gnbv_jobj(gnbv_jctx *c, json_t *obj, const char *key, int required, json_t **out)
{
	int rc = 0;
	gnbv_jpath_key(&c->path, key);
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required) rc = gnbv_jerr(c, "missing object");
	} else if (!json_is_object(v)) {
		rc = gnbv_jerr(c, "must be an object");
	} else {
		*out = v;
	}
	gnbv_jpath_pop(&c->path);
	return rc;
}

int gnbv_jextra(gnbv_jctx *c, json_t *obj, const char *const *keys, const char **out)
{
	*out = NULL;
	json_t *copy = json_object();
	if (!copy) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		int skip = 0;
		for (const char *const *q = keys; *q; q++)
			if (strcmp(*q, k) == 0) skip = 1;
		if (!skip) json_object_set(copy, k, v);
	}
	int rc = 0;
	if (json_object_size(copy)) {
		char *s = json_dumps(copy, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!s || !(*out = gnbv_arena_strdup(c->a, s))) rc = GNBV_ENOMEM;
		free(s);
	}
	json_decref(copy);
	return rc;
}

int gnbv_jmerge(json_t *obj, const char *extra)
{
	if (!extra) return 0;
	json_error_t e;
	json_t *x = json_loads(extra, 0, &e);
	if (!x || !json_is_object(x)) {
		json_decref(x);
		return gnbv_error_set(GNBV_EINVALID,
		                      "stored extra fields are not a JSON object: %s", e.text);
	}
	json_object_update_missing(obj, x);
	json_decref(x);
	return 0;
}

int gnbv_jopen(gnbv_jctx *c, const char *origin, const char *text, size_t len, size_t arena_max,
               json_t **root)
{
	json_error_t jerr;
	memset(c, 0, sizeof *c);
	*root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*root)
		return gnbv_error_set(GNBV_EINVALID, "%s:%d:%d: not valid JSON: %s", origin,
		                      jerr.line, jerr.column, jerr.text);
	c->origin = origin;
	c->text = text;
	c->len = len;
	if (!(c->a = gnbv_arena_new(arena_max))) {
		json_decref(*root);
		*root = NULL;
		return GNBV_ENOMEM;
	}
	return 0;
}

int gnbv_json_load_data(const char *path, const char *builtin, json_t **root)
{
	json_error_t jerr;
	if (path) {
		*root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	} else {
		const gnbv_embedded_file *f = gnbv_embedded_find(builtin);
		if (!f) return gnbv_error_set(GNBV_ENOTFOUND, "%s is not built in", builtin);
		*root = json_loadb((const char *)f->data, f->len, JSON_REJECT_DUPLICATES, &jerr);
	}
	if (!*root)
		return gnbv_error_set(GNBV_EINVALID, "%s:%d:%d: %s", path ? path : builtin,
		                      jerr.line, jerr.column, jerr.text);
	return 0;
}

int gnbv_read_file(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) return gnbv_error_set(GNBV_ENOTFOUND, "%s: cannot open: %s", path, strerror(errno));
	int rc = 0;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				rc = gnbv_error_set(GNBV_ETOOBIG, "%s: larger than %zu bytes", path,
				                    max);
				goto done;
			}
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
				goto done;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0) break;
	}
	if (ferror(f)) {
		rc = gnbv_error_set(GNBV_EIO, "%s: read error", path);
		goto done;
	}
	if (n > max) {
		rc = gnbv_error_set(GNBV_ETOOBIG, "%s: larger than %zu bytes", path, max);
		goto done;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
done:
	free(buf);
	fclose(f);
	return rc;
}
