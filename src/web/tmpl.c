/*
 * tmpl.c - the template engine of the web application (tmpl.h): a mustache
 * subset that escapes by default, rendered straight from the embedded
 * template text (templates are a few KB; parsing on the fly costs less
 * than the request itself) over a jansson object built by the handler.
 *
 * Escaping is the default and the only way to print a value is through
 * the buffer's HTML escaper, unless the template asks for {{{raw}}}; the
 * code puts into raw fields only markup it produced itself (the SVG
 * charts of svg.c), never a stored or requested string (quality.md S6).
 */
#include "tmpl.h"

#include "gnbv/error.h"

#include "io/embed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WBUF_DEFAULT_MAX (16u << 20)
#define MAX_DEPTH        32 /* nested sections and partials */

void gnbv_wbuf_put(gnbv_wbuf *b, const char *p, size_t n)
{
	size_t max = b->max ? b->max : WBUF_DEFAULT_MAX;
	if (b->overflow) return;
	if (n > max - b->len) {
		b->overflow = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 4096;
		while (nc < b->len + n + 1)
			nc *= 2;
		char *np = realloc(b->p, nc);
		if (!np) {
			b->overflow = 1;
			return;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void gnbv_wbuf_str(gnbv_wbuf *b, const char *s)
{
	gnbv_wbuf_put(b, s, strlen(s));
}

void gnbv_wbuf_int(gnbv_wbuf *b, long long v)
{
	char t[32];
	int k = snprintf(t, sizeof t, "%lld", v);
	gnbv_wbuf_put(b, t, (size_t)k);
}

void gnbv_wbuf_html(gnbv_wbuf *b, const char *p, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = NULL;
		switch (p[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		gnbv_wbuf_put(b, p + run, i - run);
		gnbv_wbuf_str(b, e);
		run = i + 1;
	}
	gnbv_wbuf_put(b, p + run, n - run);
}

void gnbv_wbuf_free(gnbv_wbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

typedef struct render {
	json_t *stack[MAX_DEPTH];
	int depth;
	const json_t *cat;
	gnbv_wbuf *out;
	int partials;
} render;

/* A name inside one object: "a.b.c" descends. */
static json_t *descend(json_t *v, const char *name, size_t n)
{
	while (v && n) {
		const char *dot = memchr(name, '.', n);
		size_t k = dot ? (size_t)(dot - name) : n;
		if (!json_is_object(v)) return NULL;
		char key[128];
		if (k >= sizeof key) return NULL;
		memcpy(key, name, k);
		key[k] = '\0';
		v = json_object_get(v, key);
		if (!dot) return v;
		name += k + 1;
		n -= k + 1;
	}
	return v;
}

static json_t *lookup(render *r, const char *name, size_t n)
{
	if (n == 1 && name[0] == '.') return r->stack[r->depth - 1];
	if (n > 2 && !memcmp(name, "t.", 2)) {
		char key[128];
		if (n - 2 >= sizeof key || !r->cat) return NULL;
		memcpy(key, name + 2, n - 2);
		key[n - 2] = '\0';
		return json_object_get(r->cat, key);
	}
	const char *dot = memchr(name, '.', n);
	size_t first = dot ? (size_t)(dot - name) : n;
	for (int d = r->depth - 1; d >= 0; d--) {
		json_t *v = descend(r->stack[d], name, first);
		if (!v) continue;
		return dot ? descend(v, dot + 1, n - first - 1) : v;
	}
	return NULL;
}

static int truthy(const json_t *v)
{
	if (!v || json_is_null(v) || json_is_false(v)) return 0;
	if (json_is_array(v)) return json_array_size(v) > 0;
	if (json_is_string(v)) return json_string_length(v) > 0;
	if (json_is_integer(v)) return json_integer_value(v) != 0;
	return 1;
}

static void print_value(render *r, const json_t *v, int raw)
{
	if (json_is_string(v)) {
		if (raw)
			gnbv_wbuf_put(r->out, json_string_value(v), json_string_length(v));
		else
			gnbv_wbuf_html(r->out, json_string_value(v), json_string_length(v));
	} else if (json_is_integer(v)) {
		gnbv_wbuf_int(r->out, (long long)json_integer_value(v));
	} else if (json_is_true(v)) {
		gnbv_wbuf_str(r->out, "true");
	}
}

static void trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

/* Finds the {{/name}} closing the section opened just before `from`:
 * *body_end is where it starts, *after where it ends. */
static int find_close(const char *t, size_t from, size_t end, const char *name, size_t n,
                      size_t *body_end, size_t *after)
{
	int depth = 1;
	size_t i = from;
	*body_end = *after = 0;
	while (i + 4 <= end) {
		const char *o = memmem(t + i, end - i, "{{", 2);
		if (!o) break;
		size_t at = (size_t)(o - t);
		const char *c = memmem(t + at + 2, end - at - 2, "}}", 2);
		if (!c) break;
		const char *tag = t + at + 2;
		size_t tn = (size_t)(c - tag);
		if (tn && (tag[0] == '#' || tag[0] == '^' || tag[0] == '/')) {
			const char *nm = tag + 1;
			size_t nn = tn - 1;
			trim(&nm, &nn);
			if (nn == n && !memcmp(nm, name, n)) {
				depth += tag[0] == '/' ? -1 : 1;
				if (depth == 0) {
					*body_end = at;
					*after = (size_t)(c - t) + 2;
					return 0;
				}
			}
		}
		i = (size_t)(c - t) + 2;
	}
	return gnbv_error_set(GNBV_EINVALID, "template: section '%.*s' is not closed", (int)n,
	                      name);
}

static int run(render *r, const char *t, size_t len);

static int push_run(render *r, json_t *v, const char *t, size_t len)
{
	if (r->depth == MAX_DEPTH)
		return gnbv_error_set(GNBV_ETOOBIG, "template: sections nested too deep");
	r->stack[r->depth++] = v;
	int rc = run(r, t, len);
	r->depth--;
	return rc;
}

static int partial(render *r, const char *name, size_t n)
{
	char path[160];
	if (n > 100) return gnbv_error_set(GNBV_EINVALID, "template: partial name too long");
	snprintf(path, sizeof path, "templates/%.*s.html", (int)n, name);
	const gnbv_embedded_file *f = gnbv_embedded_find(path);
	if (!f) return gnbv_error_set(GNBV_ENOTFOUND, "template: no partial '%.*s'", (int)n, name);
	if (r->partials >= MAX_DEPTH)
		return gnbv_error_set(GNBV_ETOOBIG, "template: partials nested too deep");
	r->partials++;
	int rc = run(r, (const char *)f->data, f->len);
	r->partials--;
	return rc;
}

static int run(render *r, const char *t, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *o = memmem(t + i, len - i, "{{", 2);
		if (!o) {
			gnbv_wbuf_put(r->out, t + i, len - i);
			break;
		}
		size_t at = (size_t)(o - t);
		gnbv_wbuf_put(r->out, t + i, at - i);
		int raw = at + 2 < len && t[at + 2] == '{';
		const char *close =
		    memmem(t + at + 2, len - at - 2, raw ? "}}}" : "}}", raw ? 3 : 2);
		if (!close) return gnbv_error_set(GNBV_EINVALID, "template: unclosed tag");
		const char *tag = t + at + 2 + raw;
		size_t tn = (size_t)(close - tag);
		size_t after = (size_t)(close - t) + 2 + raw;
		trim(&tag, &tn);
		if (!tn) return gnbv_error_set(GNBV_EINVALID, "template: empty tag");
		char kind = raw ? '{' : tag[0];
		if (kind == '#' || kind == '^' || kind == '>' || kind == '!' || kind == '/') {
			tag++;
			tn--;
			trim(&tag, &tn);
		}
		if (kind == '!') {
			i = after;
			continue;
		}
		if (kind == '/')
			return gnbv_error_set(GNBV_EINVALID, "template: stray {{/%.*s}}", (int)tn,
			                      tag);
		if (kind == '>') {
			int rc = partial(r, tag, tn);
			if (rc) return rc;
			i = after;
			continue;
		}
		if (kind == '#' || kind == '^') {
			size_t body_end = 0, next = 0;
			int rc = find_close(t, after, len, tag, tn, &body_end, &next);
			if (rc) return rc;
			json_t *v = lookup(r, tag, tn);
			const char *body = t + after;
			size_t bn = body_end - after;
			if (kind == '^') {
				if (!truthy(v) && (rc = run(r, body, bn))) return rc;
			} else if (truthy(v)) {
				if (json_is_array(v)) {
					for (size_t k = 0; k < json_array_size(v); k++)
						if ((rc = push_run(r, json_array_get(v, k), body,
						                   bn)))
							return rc;
				} else if ((rc = push_run(r, v, body, bn))) {
					return rc;
				}
			}
			i = next;
			continue;
		}
		json_t *v = lookup(r, tag, tn);
		if (v) print_value(r, v, raw);
		i = after;
	}
	return r->out->overflow ? gnbv_error_set(GNBV_ETOOBIG, "template: output too large") : 0;
}

int gnbv_tmpl_render_text(const char *text, size_t len, json_t *ctx, const json_t *catalogue,
                          gnbv_wbuf *out)
{
	render r;
	memset(&r, 0, sizeof r);
	r.stack[0] = ctx;
	r.depth = 1;
	r.cat = catalogue;
	r.out = out;
	return run(&r, text, len);
}

int gnbv_tmpl_render(const char *name, json_t *ctx, const json_t *catalogue, gnbv_wbuf *out)
{
	char path[160];
	snprintf(path, sizeof path, "templates/%s.html", name);
	const gnbv_embedded_file *f = gnbv_embedded_find(path);
	if (!f) return gnbv_error_set(GNBV_ENOTFOUND, "no template '%s'", name);
	return gnbv_tmpl_render_text((const char *)f->data, f->len, ctx, catalogue, out);
}
