/*
 * jsonpos.c - the path-following scan of jsonpos.h. It knows just enough
 * JSON to skip a value (strings with escapes, nesting) and to compare an
 * object key with a segment; the text has already been parsed by jansson,
 * so it is valid by the time this runs, and the scan stops safely at the
 * end of the buffer when it is not.
 */
#include "jsonpos.h"

#include <stdio.h>
#include <string.h>

void gnbv_jpath_key(gnbv_jpath *p, const char *key)
{
	if (p->n < GNBV_JPATH_MAX) {
		p->seg[p->n].key = key;
		p->seg[p->n].index = 0;
	}
	p->n++;
}

void gnbv_jpath_index(gnbv_jpath *p, size_t i)
{
	if (p->n < GNBV_JPATH_MAX) {
		p->seg[p->n].key = NULL;
		p->seg[p->n].index = i;
	}
	p->n++;
}

void gnbv_jpath_pop(gnbv_jpath *p)
{
	if (p->n > 0) p->n--;
}

void gnbv_jpath_format(const gnbv_jpath *p, char *dst, size_t cap)
{
	size_t o = 0;
	dst[0] = '\0';
	int n = p->n < GNBV_JPATH_MAX ? p->n : GNBV_JPATH_MAX;
	for (int i = 0; i < n && o < cap; i++) {
		int w = p->seg[i].key
		            ? snprintf(dst + o, cap - o, "%s%s", i ? "." : "", p->seg[i].key)
		            : snprintf(dst + o, cap - o, "[%zu]", p->seg[i].index);
		if (w < 0) break;
		o += (size_t)w;
	}
	if (o >= cap && cap) dst[cap - 1] = '\0';
}

typedef struct scan {
	const char *s;
	size_t i, n;
} scan;

static void ws(scan *c)
{
	while (c->i < c->n && strchr(" \t\r\n", c->s[c->i]) && c->s[c->i])
		c->i++;
}

/* Skips a string starting at its quote; [*b, *e) gets its raw contents. */
static void skip_string(scan *c, size_t *b, size_t *e)
{
	c->i++;
	*b = c->i;
	while (c->i < c->n && c->s[c->i] != '"')
		c->i += c->s[c->i] == '\\' ? 2 : 1;
	*e = c->i < c->n ? c->i : c->n;
	if (c->i < c->n) c->i++;
}

static void skip_value(scan *c)
{
	ws(c);
	if (c->i >= c->n) return;
	char ch = c->s[c->i];
	size_t b, e;
	if (ch == '"') {
		skip_string(c, &b, &e);
		return;
	}
	if (ch == '{' || ch == '[') {
		int depth = 0;
		while (c->i < c->n) {
			ch = c->s[c->i];
			if (ch == '"') {
				skip_string(c, &b, &e);
				continue;
			}
			if (ch == '{' || ch == '[') depth++;
			if (ch == '}' || ch == ']') depth--;
			c->i++;
			if (depth == 0) return;
		}
		return;
	}
	while (c->i < c->n && !strchr(",}] \t\r\n", c->s[c->i]))
		c->i++;
}

/* Moves into the member or element `seg` of the container at c->i; 0 when
 * found (c->i at its value), -1 otherwise (c->i unchanged). */
static int enter(scan *c, const char *key, size_t index)
{
	size_t start = c->i;
	ws(c);
	if (c->i >= c->n) goto miss;
	if (key && c->s[c->i] == '{') {
		c->i++;
		for (;;) {
			ws(c);
			if (c->i >= c->n || c->s[c->i] != '"') goto miss;
			size_t b, e;
			skip_string(c, &b, &e);
			ws(c);
			if (c->i < c->n && c->s[c->i] == ':') c->i++;
			ws(c);
			if (e - b == strlen(key) && memcmp(c->s + b, key, e - b) == 0) return 0;
			skip_value(c);
			ws(c);
			if (c->i < c->n && c->s[c->i] == ',') {
				c->i++;
				continue;
			}
			goto miss;
		}
	}
	if (!key && c->s[c->i] == '[') {
		c->i++;
		for (size_t k = 0;; k++) {
			ws(c);
			if (c->i >= c->n || c->s[c->i] == ']') goto miss;
			if (k == index) return 0;
			skip_value(c);
			ws(c);
			if (c->i < c->n && c->s[c->i] == ',') {
				c->i++;
				continue;
			}
			goto miss;
		}
	}
miss:
	c->i = start;
	return -1;
}

void gnbv_json_locate(const char *text, size_t len, const gnbv_jpath *p, int *line, int *col)
{
	scan c = {text, 0, len};
	ws(&c);
	int n = p->n < GNBV_JPATH_MAX ? p->n : GNBV_JPATH_MAX;
	for (int k = 0; k < n; k++)
		if (enter(&c, p->seg[k].key, p->seg[k].index)) break;
	int l = 1, cl = 1;
	for (size_t i = 0; i < c.i && i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		if (ch == '\n') {
			l++;
			cl = 1;
		} else if ((ch & 0xC0) != 0x80) {
			cl++;
		}
	}
	*line = l;
	*col = cl;
}
