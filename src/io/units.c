/*
 * units.c - a sorted table of units with inherited areas (see units.h).
 * Areas are resolved once at load time by walking parent links, with a
 * depth cap so that a cycle in a hand-edited file is an error, not a hang.
 */
#include "units.h"

#include "gnbv/error.h"

#include "../util/grow.h"
#include "csv.h"
#include "embed.h"

#include <stdlib.h>
#include <string.h>

typedef struct unit {
	char *code, *parent, *name, *level;
	int area;
} unit;

struct gnbv_units {
	unit *u;
	size_t n, cap;
};

static int cmp_unit(const void *a, const void *b)
{
	return strcmp(((const unit *)a)->code, ((const unit *)b)->code);
}

static unit *find(const gnbv_units *t, const char *code, size_t len)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(t->u[mid].code, code, len);
		if (c == 0 && t->u[mid].code[len] != '\0') c = 1;
		if (c == 0) return &t->u[mid];
		if (c < 0) lo = mid + 1;
		else hi = mid;
	}
	return NULL;
}

static int load_one(gnbv_units *t, gnbv_csv *c)
{
	int rc = gnbv_csv_next(c);
	if (rc <= 0) return rc ? rc : gnbv_error_set(GNBV_EINVALID, "%s: empty units file", gnbv_csv_name(c));
	if ((rc = gnbv_csv_take_header(c))) return rc;
	int code_col = -1, parent_col = -1, area_col = -1, name_col = -1, level_col = -1;
	size_t ncols = gnbv_csv_nfields(c);
	for (size_t i = 0; i < ncols; i++) {
		const char *h = gnbv_csv_column(c, i);
		if (!strcmp(h, "code")) code_col = (int)i;
		if (!strcmp(h, "parent_code")) parent_col = (int)i;
		if (!strcmp(h, "area")) area_col = (int)i;
		if (!strcmp(h, "name")) name_col = (int)i;
		if (!strcmp(h, "level")) level_col = (int)i;
	}
	if (code_col < 0)
		return gnbv_error_set(GNBV_EINVALID, "%s:1: column 'code': missing", gnbv_csv_name(c));
	while ((rc = gnbv_csv_next(c)) == 1) {
		const gnbv_csv_field *f = gnbv_csv_fields(c);
		if (gnbv_csv_nfields(c) != ncols)
			return gnbv_csv_error_line(c, GNBV_EINVALID, "%zu fields, but the header has %zu",
						   gnbv_csv_nfields(c), ncols);
		if ((rc = gnbv_grow(&t->u, &t->cap, t->n + 1, sizeof *t->u, 256))) return rc;
		unit *u = &t->u[t->n];
		memset(u, 0, sizeof *u);
		u->area = -1;
		if (f[code_col].len == 0)
			return gnbv_csv_error(c, GNBV_EINVALID, (size_t)code_col, "empty unit code");
		u->code = strndup(f[code_col].p, f[code_col].len);
		u->parent = parent_col >= 0 ? strndup(f[parent_col].p, f[parent_col].len) : strdup("");
		u->name = name_col >= 0 ? strndup(f[name_col].p, f[name_col].len) : strdup("");
		u->level = level_col >= 0 ? strndup(f[level_col].p, f[level_col].len) : strdup("");
		t->n++;
		if (!u->code || !u->parent || !u->name || !u->level) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		if (area_col >= 0 && f[area_col].len) {
			const gnbv_csv_field *a = &f[area_col];
			if (a->len == 5 && !memcmp(a->p, "rural", 5)) u->area = 0;
			else if (a->len == 5 && !memcmp(a->p, "urban", 5)) u->area = 1;
			else return gnbv_csv_error(c, GNBV_EINVALID, (size_t)area_col, "expected rural or urban");
		}
	}
	return rc;
}

static int finish(gnbv_units *t)
{
	qsort(t->u, t->n, sizeof *t->u, cmp_unit);
	for (size_t i = 0; i + 1 < t->n; i++)
		if (!strcmp(t->u[i].code, t->u[i + 1].code))
			return gnbv_error_set(GNBV_EINVALID, "units: code '%s' appears twice", t->u[i].code);
	/* Inherit areas down the tree: a village takes its commune's. */
	for (size_t i = 0; i < t->n; i++) {
		unit *u = &t->u[i];
		const unit *p = u;
		for (int depth = 0; p && p->area < 0 && p->parent[0]; depth++) {
			if (depth > 32)
				return gnbv_error_set(GNBV_EINVALID, "units: a cycle of parent codes at '%s'", u->code);
			p = find(t, p->parent, strlen(p->parent));
		}
		if (p && p->area >= 0) u->area = p->area;
	}
	return 0;
}

int gnbv_units_load(gnbv_units **out, const char *path)
{
	int rc = 0;
	gnbv_csv *c = NULL;
	gnbv_units *t = calloc(1, sizeof *t);
	*out = NULL;
	if (!t) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if (path) {
		if ((rc = gnbv_csv_open(&c, path)) || (rc = load_one(t, c))) goto done;
	} else {
		for (const gnbv_embedded_file *f = gnbv_embedded; f->name; f++) {
			if (strncmp(f->name, "units/", 6)) continue;
			if ((rc = gnbv_csv_open_mem(&c, f->name, (const char *)f->data, f->len)) ||
			    (rc = load_one(t, c)))
				goto done;
			gnbv_csv_free(c);
			c = NULL;
		}
	}
	rc = finish(t);
done:
	gnbv_csv_free(c);
	if (rc) gnbv_units_free(t);
	else *out = t;
	return rc;
}

void gnbv_units_free(gnbv_units *t)
{
	if (!t) return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->u[i].code);
		free(t->u[i].parent);
		free(t->u[i].name);
		free(t->u[i].level);
	}
	free(t->u);
	free(t);
}

int gnbv_units_area(const gnbv_units *t, const char *code, size_t len)
{
	const unit *u = t ? find(t, code, len) : NULL;
	return u ? u->area : -1;
}

int gnbv_units_get(const gnbv_units *t, const char *code, size_t len, gnbv_unit_info *out)
{
	const unit *u = t ? find(t, code, len) : NULL;
	if (!u) return GNBV_ENOTFOUND;
	out->code = u->code;
	out->name = u->name;
	out->level = u->level;
	out->parent_code = u->parent;
	out->area = u->area;
	return 0;
}
