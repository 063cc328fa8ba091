/*
 * svg.c - the dashboard's charts as inline SVG, drawn on the server so
 * they print and need no JavaScript (issue 6). Hand-written rather than
 * through cairo's SVG surface: cairo would turn the labels into glyph
 * outlines (kilobytes per Vietnamese label, and not selectable text),
 * while a few <rect> and <text> elements stay small on a slow connection
 * (quality.md U1) and let the browser's own fonts shape Vietnamese.
 *
 * Every label passes through the HTML escaper here, so the markup is
 * trusted by construction and may be placed with {{{raw}}}. Colours are
 * attributes, not style: the CSP allows no inline style.
 */
#include "web.h"

#include <stdio.h>
#include <string.h>

static const char *const COLOURS[3] = {"#b3261e", "#e08a00", "#2e7d32"};

#define W          640
#define LABEL_W    180
#define ROW_H      22
#define LABEL_WIDE 250 /* indicator names are longer than unit names */

static void num(gnbv_wbuf *b, double v)
{
	char t[32];
	int k = snprintf(t, sizeof t, "%.1f", v);
	gnbv_wbuf_put(b, t, (size_t)k);
}

static void open_svg(gnbv_wbuf *b, int h)
{
	gnbv_wbuf_str(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
	gnbv_wbuf_int(b, W);
	gnbv_wbuf_str(b, " ");
	gnbv_wbuf_int(b, h);
	gnbv_wbuf_str(b, "\" role=\"img\" font-family=\"Arial, sans-serif\" font-size=\"12\">");
}

static void label(gnbv_wbuf *b, int lw, int y, const char *text)
{
	gnbv_wbuf_str(b, "<text x=\"");
	gnbv_wbuf_int(b, lw - 6);
	gnbv_wbuf_str(b, "\" y=\"");
	gnbv_wbuf_int(b, y + 15);
	gnbv_wbuf_str(b, "\" text-anchor=\"end\" fill=\"#1d2733\">");
	gnbv_wbuf_html(b, text, strlen(text));
	gnbv_wbuf_str(b, "</text>");
}

static void rect(gnbv_wbuf *b, double x, int y, double w, const char *fill, const char *tip)
{
	gnbv_wbuf_str(b, "<rect x=\"");
	num(b, x);
	gnbv_wbuf_str(b, "\" y=\"");
	gnbv_wbuf_int(b, y + 3);
	gnbv_wbuf_str(b, "\" width=\"");
	num(b, w < 0 ? 0 : w);
	gnbv_wbuf_str(b, "\" height=\"");
	gnbv_wbuf_int(b, ROW_H - 6);
	gnbv_wbuf_str(b, "\" fill=\"");
	gnbv_wbuf_str(b, fill);
	gnbv_wbuf_str(b, "\">");
	if (tip) {
		gnbv_wbuf_str(b, "<title>");
		gnbv_wbuf_html(b, tip, strlen(tip));
		gnbv_wbuf_str(b, "</title>");
	}
	gnbv_wbuf_str(b, "</rect>");
}

void gnbv_svg_stacked(gnbv_wbuf *b, const gnbv_bar *bars, size_t n, const char *const legend[3])
{
	int h = (int)n * ROW_H + 30, bar_w = W - LABEL_W - 50;
	open_svg(b, h);
	for (size_t i = 0; i < n; i++) {
		int y = (int)i * ROW_H;
		double x = LABEL_W;
		label(b, LABEL_W, y, bars[i].label);
		rect(b, LABEL_W, y, bar_w, "#e9edf1", NULL);
		for (int k = 0; k < 3; k++) {
			double w = bars[i].v[k] / 100.0 * bar_w;
			char tip[64];
			snprintf(tip, sizeof tip, "%.2f%%", bars[i].v[k]);
			rect(b, x, y, w, COLOURS[k], tip);
			x += w;
		}
	}
	/* The legend under the bars. */
	int y = (int)n * ROW_H + 8;
	for (int k = 0; k < 3; k++) {
		int x = 10 + k * 200;
		gnbv_wbuf_str(b, "<rect x=\"");
		gnbv_wbuf_int(b, x);
		gnbv_wbuf_str(b, "\" y=\"");
		gnbv_wbuf_int(b, y);
		gnbv_wbuf_str(b, "\" width=\"12\" height=\"12\" fill=\"");
		gnbv_wbuf_str(b, COLOURS[k]);
		gnbv_wbuf_str(b, "\"/><text x=\"");
		gnbv_wbuf_int(b, x + 16);
		gnbv_wbuf_str(b, "\" y=\"");
		gnbv_wbuf_int(b, y + 11);
		gnbv_wbuf_str(b, "\">");
		gnbv_wbuf_html(b, legend[k], strlen(legend[k]));
		gnbv_wbuf_str(b, "</text>");
	}
	gnbv_wbuf_str(b, "</svg>");
}

void gnbv_svg_bars(gnbv_wbuf *b, const gnbv_bar *bars, size_t n, double max, const char *unit)
{
	int h = (int)n * ROW_H + 6, bar_w = W - LABEL_WIDE - 50;
	open_svg(b, h);
	for (size_t i = 0; i < n; i++) {
		int y = (int)i * ROW_H;
		double w = max > 0 ? bars[i].v[0] / max * bar_w : 0;
		label(b, LABEL_WIDE, y, bars[i].label);
		rect(b, LABEL_WIDE, y, w, COLOURS[0], NULL);
		gnbv_wbuf_str(b, "<text x=\"");
		num(b, LABEL_WIDE + w + 4);
		gnbv_wbuf_str(b, "\" y=\"");
		gnbv_wbuf_int(b, y + 15);
		gnbv_wbuf_str(b, "\" fill=\"#1d2733\">");
		char t[48];
		snprintf(t, sizeof t, "%.0f%s", bars[i].v[0], unit ? unit : "");
		gnbv_wbuf_html(b, t, strlen(t));
		gnbv_wbuf_str(b, "</text>");
	}
	gnbv_wbuf_str(b, "</svg>");
}
