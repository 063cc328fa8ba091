/*
 * review_doc.h - the documents of the review (src/doc/review_*.c): the
 * result summary form as CSV and XLSX, its columns (shared with the CLI's
 * text view), and the printable certificates as HTML. They render what
 * the store computed (gnbv/review.h) and read nothing else (but the
 * certificates' embedded style sheet).
 */
#ifndef GNBV_DOC_REVIEW_DOC_H
#define GNBV_DOC_REVIEW_DOC_H

#include "gnbv/review.h"

#include <stdio.h>

/* A column of the summary form: a count, or a share of `denom`. */
enum { GNBV_COL_COUNT, GNBV_COL_PCT };
typedef struct gnbv_form_col {
	const char *key; /* CSV header */
	const char *vi;  /* XLSX header */
	int kind;        /* GNBV_COL_COUNT or GNBV_COL_PCT */
	uint64_t (*value)(const gnbv_summary_row *r);
	uint64_t (*denom)(const gnbv_summary_row *r); /* for GNBV_COL_PCT */
} gnbv_form_col;

/* The columns after the unit and the area, in the form's order. */
const gnbv_form_col *gnbv_review_form_cols(size_t *n);

/* "Tổng", "Thành thị", "Nông thôn" (vi) or "total", "urban", "rural". */
const char *gnbv_review_area_label(int area, int english);

/* The summary as CSV (plain numbers, shares as per cent with two
 * decimals), to `out`. */
int gnbv_review_summary_csv(const gnbv_summary *sm, FILE *out);

/* The summary as an XLSX workbook at `path`: Vietnamese headings, numbers
 * as numbers (#,##0 and 0.00%, shown with the reader's separators: 5.546
 * and 39,59% in Vietnamese). `title_unit` names the top unit. */
int gnbv_review_summary_xlsx(const gnbv_summary *sm, const char *title_unit, const char *path);

/* Certificates as one self-contained printable HTML page (one certificate
 * per printed A4 page), every string HTML-escaped; the style sheet is the
 * embedded file GNBV_CERT_CSS (web/static/certificate.css), inlined. */
#define GNBV_CERT_CSS "static/certificate.css"
typedef struct gnbv_cert_html gnbv_cert_html;
int gnbv_cert_html_begin(gnbv_cert_html **out, FILE *f);
int gnbv_cert_html_add(gnbv_cert_html *h, const gnbv_certificate *c);
int gnbv_cert_html_end(gnbv_cert_html *h); /* writes the end, frees; NULL is a no-op */
/* One certificate alone (a <section class="cert">, escaped), for a page
 * that links GNBV_CERT_CSS itself (the web's). */
int gnbv_cert_html_section(FILE *f, const gnbv_certificate *c);

/* Writes s HTML-escaped (& < > " ') to f. */
void gnbv_html_escape(FILE *f, const char *s);

#endif
