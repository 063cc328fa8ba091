/*
 * tmpl.h - output buffers with caps, HTML escaping, and the template
 * engine: a small mustache subset over a jansson context (architecture.md:
 * "our own small mustache subset, escaping by default").
 *
 *   {{name}}        the value, HTML-escaped (strings, integers; null/false: "")
 *   {{{name}}}      the value unescaped: only for HTML the code built and
 *                   escaped itself (the SVG charts)
 *   {{#name}}..{{/name}}  a list: once per item; an object: once, inside it;
 *                   any other true value (non-empty string, non-zero
 *                   number, true): once
 *   {{^name}}..{{/name}}  once when the value is missing, false, null, "",
 *                   0 or an empty list
 *   {{>name}}       the embedded template templates/name.html
 *   {{! comment}}
 * Names are looked up from the innermost section outwards; "a.b" descends
 * into objects; "." is the current item; "t.KEY" is the message KEY of the
 * catalogue (web/i18n/LANG.json).
 */
#ifndef GNBV_WEB_TMPL_H
#define GNBV_WEB_TMPL_H

#include <jansson.h>
#include <stddef.h>

typedef struct gnbv_wbuf {
	char *p;
	size_t len, cap, max; /* max 0: 16 MiB */
	int overflow;         /* a write hit max: the output is incomplete */
} gnbv_wbuf;

void gnbv_wbuf_put(gnbv_wbuf *b, const char *p, size_t n);
void gnbv_wbuf_str(gnbv_wbuf *b, const char *s);
void gnbv_wbuf_int(gnbv_wbuf *b, long long v);
/* HTML-escapes & < > " ' (text and attribute values alike). */
void gnbv_wbuf_html(gnbv_wbuf *b, const char *p, size_t n);
void gnbv_wbuf_free(gnbv_wbuf *b);

/* Renders the embedded template `name` ("layout" is
 * templates/layout.html). GNBV_ENOTFOUND for an unknown template or
 * partial, GNBV_EINVALID for an unbalanced section, GNBV_ETOOBIG when the
 * output passes its cap. */
int gnbv_tmpl_render(const char *name, json_t *ctx, const json_t *catalogue, gnbv_wbuf *out);

/* The same over template text (tests). */
int gnbv_tmpl_render_text(const char *text, size_t len, json_t *ctx, const json_t *catalogue,
                          gnbv_wbuf *out);

#endif
