/*
 * review_cert.c - the certificate of a poor or near-poor household
 * (giấy chứng nhận hộ nghèo, hộ cận nghèo) as printable HTML, one
 * certificate per printed A4 page: a whole self-contained page for the CLI,
 * or the certificates alone for the web's pages (which link the style sheet
 * instead: its Content-Security-Policy refuses inline styles).
 *
 * After recognition the commune chair issues the certificates (Decision
 * 24/2021/QĐ-TTg, step 5, as domain.md §2 summarises it). The official
 * form was not found: the page shows what a certificate must carry (the
 * commune, the household head, the address, the class, the round and the
 * year it is valid for, the recognition decision's number and date, the
 * signer) and says that the layout is not the official one. Every string
 * from the store goes through gnbv_html_escape; the CLI's page loads
 * nothing (no script, no external style, no font). The style sheet is one
 * file, web/static/certificate.css, embedded in the binary: the CLI's page
 * carries it inline and the web serves it, so both print alike.
 */
#include "review_doc.h"

#include "gnbv/error.h"
#include "io/embed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gnbv_cert_html {
	FILE *f;
	unsigned n;
};

void gnbv_html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char HEAD[] = "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
                           "<title>Giấy chứng nhận hộ nghèo, hộ cận nghèo</title>\n<style>\n";

int gnbv_cert_html_begin(gnbv_cert_html **out, FILE *f)
{
	/* The style sheet the web serves, inlined: the page stays one file. */
	const gnbv_embedded_file *css = gnbv_embedded_find(GNBV_CERT_CSS);
	if (!css) return gnbv_error_set(GNBV_ENOTFOUND, "%s is not built in", GNBV_CERT_CSS);
	gnbv_cert_html *h = calloc(1, sizeof *h);
	if (!h) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	h->f = f;
	fputs(HEAD, f);
	fwrite(css->data, 1, css->len, f);
	fputs("</style>\n</head>\n<body>\n", f);
	*out = h;
	return 0;
}

static void put(FILE *f, const char *s)
{
	gnbv_html_escape(f, s);
}

/* 'YYYY-MM-DD' as "ngày DD tháng MM năm YYYY". */
static void put_date_vi(FILE *f, const char *d)
{
	if (strlen(d) != 10) {
		put(f, d);
		return;
	}
	fprintf(f, "ngày %.2s tháng %.2s năm %.4s", d + 8, d + 5, d);
}

int gnbv_cert_html_section(FILE *f, const gnbv_certificate *c)
{
	int poor = !strcmp(c->klass, "poor");
	const char *kind = poor ? "hộ nghèo" : "hộ cận nghèo";
	fputs("<section class=\"cert\">\n<div class=\"top\"><div><span class=\"b\">ỦY BAN NHÂN DÂN "
	      "</span><br><span class=\"b\">",
	      f);
	put(f, c->commune);
	fputs("</span></div><div><span class=\"b\">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</span><br>"
	      "<span class=\"b u\">Độc lập - Tự do - Hạnh phúc</span></div></div>\n",
	      f);
	fprintf(f, "<h1>Giấy chứng nhận %s</h1>\n<div class=\"year\">Năm %d</div>\n", kind,
	        c->valid_year);
	fputs("<div class=\"row\">Chủ tịch Ủy ban nhân dân ", f);
	put(f, c->commune);
	fputs(" chứng nhận:</div>\n<div class=\"row\">Hộ gia đình ông/bà: <span class=\"b\">", f);
	put(f, c->head[0] ? c->head : "(chưa ghi tên chủ hộ)");
	fputs("</span></div>\n<div class=\"row\">Mã hộ: ", f);
	put(f, c->household_code);
	fputs("</div>\n<div class=\"row\">Địa chỉ: ", f);
	const char *parts[] = {c->village, c->commune, c->district, c->province};
	int first = 1;
	for (int i = 0; i < 4; i++) {
		if (!parts[i][0]) continue;
		if (!first) fputs(", ", f);
		put(f, parts[i]);
		first = 0;
	}
	fprintf(f,
	        "</div>\n<div class=\"row\">Là <span class=\"b\">%s</span> theo kết quả rà soát "
	        "năm %d, được công nhận tại Quyết định số ",
	        kind, c->year);
	put(f, c->decision_no);
	fputs(" ", f);
	put_date_vi(f, c->decision_date);
	fputs(" của Chủ tịch Ủy ban nhân dân ", f);
	put(f, c->commune);
	fprintf(f, ".</div>\n<div class=\"row\">Giấy chứng nhận có giá trị trong năm %d.</div>\n",
	        c->valid_year);
	fputs("<div class=\"sign\"><div class=\"b\">CHỦ TỊCH</div><div>(Ký, ghi rõ họ tên, đóng "
	      "dấu)</div><div class=\"space\"></div><div class=\"b\">",
	      f);
	put(f, c->signer);
	fputs("</div></div>\n<div class=\"note\">Mẫu trình bày do gnbv lập; mẫu giấy chứng nhận "
	      "chính thức chưa được đối chiếu.</div>\n</section>\n",
	      f);
	return ferror(f) ? gnbv_error_set(GNBV_EIO, "writing the certificates: output error") : 0;
}

int gnbv_cert_html_add(gnbv_cert_html *h, const gnbv_certificate *c)
{
	int rc = gnbv_cert_html_section(h->f, c);
	if (!rc) h->n++;
	return rc;
}

int gnbv_cert_html_end(gnbv_cert_html *h)
{
	if (!h) return 0;
	fputs("</body>\n</html>\n", h->f);
	int bad = fflush(h->f) || ferror(h->f);
	free(h);
	return bad ? gnbv_error_set(GNBV_EIO, "writing the certificates: output error") : 0;
}
