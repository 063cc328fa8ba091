/*
 * plan_docx.c - the plan document (Kế hoạch) as a DOCX, written with libzip
 * from WordprocessingML generated here.
 *
 * The layout is the one Decree 30/2020/NĐ-CP on clerical work sets for
 * administrative documents (Appendix I): A4 portrait, margins top and bottom
 * 20-25 mm, left 30-35 mm, right 15-20 mm; Times New Roman; a header of
 * two borderless columns, the issuing body (bold capitals, a short rule
 * under it) and "Số: .../KH-UBND" on the left, the national title and motto
 * (bold, the motto ruled as long as itself) and the italic place-and-date
 * line on the right; the document type "KẾ HOẠCH" and its subject centred
 * in bold; the body in 14 pt, justified, first lines indented 1 cm, at
 * least 6 pt between paragraphs; page numbers centred at the top from page
 * 2; "Nơi nhận:" (12 pt bold italic, entries 11 pt) on the left and the
 * signature block (authority, title, blank space, name) on the right.
 *
 * The body follows the seed's plan: A. results of year N by project (the
 * amounts allocated by capital type, the estimated disbursement, outputs
 * and content texts), B. objectives and targets of year N+1, the proposal
 * by project and its totals by capital type and source, and the tasks of
 * each agency from the plan's roles. Every amount is a sum over the lines
 * (doc_common.c); every string from the plan passes gnbv_doc_esc.
 */
#include "doc/doc_common.h"

#include "gnbv/error.h"
#include "util/numfmt.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#define PART_MAX (32u << 20) /* one XML part; a plan is a few hundred KB */

/* Run flags. */
enum { R_B = 1, R_I = 2, R_U = 4 };
/* Paragraph alignments. */
enum { P_LEFT = 0, P_CENTER, P_RIGHT, P_BOTH };

/* Sizes in half-points (WordprocessingML w:sz). */
#define SZ_BODY   28 /* 14 pt */
#define SZ_HEAD   26 /* 13 pt: issuer, national title, number */
#define SZ_RECV   22 /* 11 pt: recipients */
#define SZ_RECV_H 24 /* 12 pt: "Nơi nhận:" */

/* Page geometry in twentieths of a point (1 mm = 56.7). */
#define PAGE_W        11906 /* A4 210 mm */
#define PAGE_H        16838 /* 297 mm */
#define MARGIN_TOP    1134  /* 20 mm */
#define MARGIN_BOTTOM 1134  /* 20 mm */
#define MARGIN_LEFT   1701  /* 30 mm */
#define MARGIN_RIGHT  850   /* 15 mm */
#define INDENT_FIRST  567   /* 1 cm */
#define HEAD_LEFT     3686  /* header table: issuer column, 6.5 cm */
#define HEAD_RIGHT    5953  /* national title column, 10.5 cm */

static const char XML_DECL[] = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
#define W_NS "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
#define R_NS "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""

typedef struct dctx {
	const gnbv_plan *p;
	const gnbv_program *prog;
	gnbv_doc_buf *b;
	json_t *doc;   /* doc_extra parsed, or NULL */
	json_t *sec_b; /* section_extra[1] parsed, or NULL */
	int disb_stage;
} dctx;

/* ---- Paragraphs and runs ------------------------------------------------ */

typedef struct pstyle {
	int align;
	int first;         /* first-line indent, twips */
	int left, right;   /* indents, twips */
	int before, after; /* spacing, twips */
	int keep_next;
} pstyle;

static const pstyle PS_BODY = {P_BOTH, INDENT_FIRST, 0, 0, 0, 120, 0};
static const pstyle PS_HEADING = {P_BOTH, INDENT_FIRST, 0, 0, 60, 120, 1};
static const pstyle PS_CENTER = {P_CENTER, 0, 0, 0, 0, 0, 0};

static void p_begin(dctx *d, const pstyle *s)
{
	static const char *jc[] = {"left", "center", "right", "both"};
	gnbv_doc_raw(d->b, "<w:p><w:pPr>");
	if (s->keep_next) gnbv_doc_raw(d->b, "<w:keepNext/>");
	/* Single to 1.5 lines (Decree 30); 1.15 reads well at 14 pt. */
	gnbv_doc_rawf(
	    d->b, "<w:spacing w:before=\"%d\" w:after=\"%d\" w:line=\"276\" w:lineRule=\"auto\"/>",
	    s->before, s->after);
	if (s->first || s->left || s->right)
		gnbv_doc_rawf(d->b, "<w:ind w:left=\"%d\" w:right=\"%d\" w:firstLine=\"%d\"/>",
		              s->left, s->right, s->first);
	gnbv_doc_rawf(d->b, "<w:jc w:val=\"%s\"/></w:pPr>", jc[s->align & 3]);
}

static void p_end(dctx *d)
{
	gnbv_doc_raw(d->b, "</w:p>\n");
}

static void run(dctx *d, int flags, int size, const char *text)
{
	gnbv_doc_raw(d->b, "<w:r><w:rPr>");
	if (flags & R_B) gnbv_doc_raw(d->b, "<w:b/><w:bCs/>");
	if (flags & R_I) gnbv_doc_raw(d->b, "<w:i/><w:iCs/>");
	/* CT_RPr is a sequence: b, i, then sz, then u (Word rejects another
	 * order; LibreOffice does not care). */
	if (size) gnbv_doc_rawf(d->b, "<w:sz w:val=\"%d\"/><w:szCs w:val=\"%d\"/>", size, size);
	if (flags & R_U) gnbv_doc_raw(d->b, "<w:u w:val=\"single\"/>");
	gnbv_doc_raw(d->b, "</w:rPr><w:t xml:space=\"preserve\">");
	gnbv_doc_esc(d->b, text);
	gnbv_doc_raw(d->b, "</w:t></w:r>");
}

static void para(dctx *d, const pstyle *s, int flags, int size, const char *text)
{
	p_begin(d, s);
	run(d, flags, size, text);
	p_end(d);
}

/* A short centred rule: an empty paragraph of exact 1 pt height with a top
 * border, narrowed by indents to `len` twips inside a `width` column. */
static void rule(dctx *d, int width, int len)
{
	int ind = (width - len) / 2;
	if (ind < 0) ind = 0;
	gnbv_doc_rawf(d->b,
	              "<w:p><w:pPr><w:pBdr><w:top w:val=\"single\" w:sz=\"6\" w:space=\"0\" "
	              "w:color=\"000000\"/></w:pBdr><w:spacing w:before=\"50\" w:after=\"0\" "
	              "w:line=\"60\" w:lineRule=\"exact\"/><w:ind w:left=\"%d\" w:right=\"%d\"/>"
	              "<w:rPr><w:sz w:val=\"4\"/></w:rPr></w:pPr></w:p>\n",
	              ind, ind);
}

/* ---- Borderless layout tables ------------------------------------------- */

static void tbl_begin(dctx *d, int w1, int w2, int ind)
{
	gnbv_doc_rawf(d->b,
	              "<w:tbl><w:tblPr><w:tblW w:w=\"%d\" w:type=\"dxa\"/><w:tblInd w:w=\"%d\" "
	              "w:type=\"dxa\"/><w:tblBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/>"
	              "<w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/>"
	              "<w:insideV w:val=\"nil\"/></w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
	              "<w:tblCellMar><w:left w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" "
	              "w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\"/></w:tblPr>"
	              "<w:tblGrid><w:gridCol w:w=\"%d\"/><w:gridCol w:w=\"%d\"/></w:tblGrid>\n",
	              w1 + w2, ind, w1, w2);
}

static void tc_begin(dctx *d, int w)
{
	gnbv_doc_rawf(d->b, "<w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/></w:tcPr>", w);
}

static void tc_end(dctx *d)
{
	gnbv_doc_raw(d->b, "</w:tc>");
}

/* ---- Texts from the plan ------------------------------------------------ */

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	if (json_is_string(v)) return json_string_value(v);
	/* {"vi": ..., "en": ...} members */
	if (json_is_object(v) && json_is_string(json_object_get(v, "vi")))
		return json_string_value(json_object_get(v, "vi"));
	return NULL;
}

static const char *source_name(int src)
{
	switch (src) {
	case GNBV_SRC_CENTRAL: return "ngân sách trung ương";
	case GNBV_SRC_LOCAL: return "ngân sách địa phương";
	case GNBV_SRC_STATE: return "ngân sách nhà nước (chưa xác định cấp)";
	case GNBV_SRC_MOBILISED: return "nguồn huy động, vận động";
	case GNBV_SRC_INTEGRATED: return "nguồn lồng ghép từ các chương trình khác";
	default: return "nguồn khác";
	}
}

static void sb_million(gnbv_sb *sb, int64_t vnd)
{
	char m[48];
	gnbv_doc_million(m, sizeof m, vnd);
	gnbv_sb_put(sb, m);
	gnbv_sb_put(sb, " triệu đồng");
}

static int64_t sum(dctx *d, int section, int stage, int capital, unsigned sources, int mode,
                   const char *comp)
{
	gnbv_doc_sel s = {section, stage, capital, sources, mode, comp};
	return gnbv_doc_sum(d->p, d->prog, &s);
}

/* "84.249 triệu đồng, trong đó: vốn đầu tư phát triển 71.283 triệu đồng,
 * vốn sự nghiệp 12.966 triệu đồng" for the state-budget lines selected;
 * then their sources when `sources` and the money outside the state budget
 * when `other`. Returns the state total. */
static int64_t money_phrase(dctx *d, gnbv_sb *sb, int section, int stage, int mode,
                            const char *comp, int sources, int other)
{
	int64_t tot = sum(d, section, stage, -1, GNBV_DOC_SRC_STATE, mode, comp);
	int64_t dt = sum(d, section, stage, GNBV_CAP_DTPT, GNBV_DOC_SRC_STATE, mode, comp);
	int64_t sn = sum(d, section, stage, GNBV_CAP_SN, GNBV_DOC_SRC_STATE, mode, comp);
	sb_million(sb, tot);
	if (dt && sn) {
		gnbv_sb_put(sb, ", trong đó: vốn đầu tư phát triển ");
		sb_million(sb, dt);
		gnbv_sb_put(sb, ", vốn sự nghiệp ");
		sb_million(sb, sn);
	} else if (dt && dt == tot) {
		gnbv_sb_put(sb, " vốn đầu tư phát triển");
	} else if (sn && sn == tot) {
		gnbv_sb_put(sb, " vốn sự nghiệp");
	} else if (dt || sn) {
		gnbv_sb_put(sb, ", trong đó: ");
		gnbv_sb_put(sb, dt ? "vốn đầu tư phát triển " : "vốn sự nghiệp ");
		sb_million(sb, dt ? dt : sn);
	}
	if (sources && tot) {
		static const int state[] = {GNBV_SRC_CENTRAL, GNBV_SRC_LOCAL, GNBV_SRC_STATE};
		int64_t by[3];
		int n = 0, one = -1;
		for (int i = 0; i < 3; i++) {
			by[i] = sum(d, section, stage, -1, 1u << state[i], mode, comp);
			if (by[i]) {
				n++;
				one = i;
			}
		}
		if (n == 1) {
			gnbv_sb_put(sb, " từ ");
			gnbv_sb_put(sb, source_name(state[one]));
		} else if (n > 1) {
			gnbv_sb_put(sb, " (");
			int first = 1;
			for (int i = 0; i < 3; i++) {
				if (!by[i]) continue;
				gnbv_sb_put(sb, first ? "" : "; ");
				gnbv_sb_put(sb, source_name(state[i]));
				gnbv_sb_put(sb, " ");
				sb_million(sb, by[i]);
				first = 0;
			}
			gnbv_sb_put(sb, ")");
		}
	}
	if (other) {
		int64_t o = sum(d, section, stage, -1, GNBV_DOC_SRC_OTHER, mode, comp);
		if (o) {
			gnbv_sb_put(sb, "; ngoài ra huy động, lồng ghép khác ");
			sb_million(sb, o);
		}
	}
	return tot;
}

/* "Ước giải ngân 69.691,05 triệu đồng, đạt 95,00% kế hoạch." */
static void disb_phrase(dctx *d, gnbv_sb *sb, int mode, const char *comp)
{
	int64_t alloc = sum(d, 0, GNBV_STAGE_ALLOCATED, -1, GNBV_DOC_SRC_STATE, mode, comp);
	int64_t est = sum(d, 0, d->disb_stage, -1, GNBV_DOC_SRC_STATE, mode, comp);
	if (!est) return;
	char pct[32];
	gnbv_sb_put(sb,
	            d->disb_stage == GNBV_STAGE_DISBURSED ? " Đã giải ngân " : " Ước giải ngân ");
	sb_million(sb, est);
	if (gnbv_doc_pct(pct, sizeof pct, est, alloc)) {
		gnbv_sb_put(sb, ", đạt ");
		gnbv_sb_put(sb, pct);
		gnbv_sb_put(sb, " kế hoạch");
	}
	gnbv_sb_put(sb, ".");
}

/* Outputs of a component in a section: "55 hạng mục công trình (vốn đầu
 * tư phát triển); 3 công trình (vốn sự nghiệp)". */
static size_t outputs_phrase(dctx *d, gnbv_sb *sb, int section, const char *comp)
{
	size_t n = 0;
	for (size_t i = 0; i < d->p->n_outputs; i++) {
		const gnbv_plan_output *o = &d->p->outputs[i];
		if (o->section != section || !o->component || strcmp(o->component, comp)) continue;
		if (!o->unit_vi || !*o->unit_vi) continue;
		gnbv_sb_put(sb, n ? "; " : "");
		if (o->has_quantity) {
			gnbv_sb_dec(sb, o->quantity, 2, &GNBV_NUM_VI);
			gnbv_sb_put(sb, " ");
		}
		gnbv_sb_put(sb, o->unit_vi);
		if (o->capital == GNBV_CAP_DTPT) gnbv_sb_put(sb, " (vốn đầu tư phát triển)");
		if (o->capital == GNBV_CAP_SN) gnbv_sb_put(sb, " (vốn sự nghiệp)");
		n++;
	}
	return n;
}

/* The document's own words for a component (data/demo/README.md: as
 * written, with their own "- Nội dung:" and "+" items, one per line): one
 * paragraph per line, since a newline inside w:t is only a space. Returns
 * how many texts there were. */
static size_t contents(dctx *d, int section, const char *comp)
{
	size_t n = 0;
	for (size_t i = 0; i < d->p->n_contents; i++) {
		const gnbv_plan_content *c = &d->p->contents[i];
		if (c->section != section || !c->component || strcmp(c->component, comp)) continue;
		if (!c->text || !*c->text) continue;
		n++;
		const char *t = c->text;
		while (*t) {
			const char *nl = strchr(t, '\n');
			size_t len = nl ? (size_t)(nl - t) : strlen(t);
			char line[4096];
			if (len >= sizeof line) len = sizeof line - 1;
			while (len && ((unsigned char)t[len] & 0xC0) == 0x80)
				len--;
			memcpy(line, t, len);
			line[len] = '\0';
			if (len) para(d, &PS_BODY, 0, 0, line);
			if (!nl) break;
			t = nl + 1;
		}
	}
	return n;
}

static int has_contents(dctx *d, int section, const char *comp)
{
	for (size_t i = 0; i < d->p->n_contents; i++) {
		const gnbv_plan_content *c = &d->p->contents[i];
		if (c->section == section && c->component && !strcmp(c->component, comp) &&
		    c->text && *c->text)
			return 1;
	}
	return 0;
}

static int any_line(dctx *d, int section, int mode, const char *comp)
{
	for (size_t i = 0; i < d->p->n_lines; i++) {
		const gnbv_plan_line *l = &d->p->lines[i];
		if (l->section != section) continue;
		if (mode == GNBV_DOC_COMP_TREE && gnbv_component_in(l->component, comp)) return 1;
		if (mode == GNBV_DOC_COMP_EXACT && l->component && !strcmp(l->component, comp))
			return 1;
	}
	return 0;
}

static void heading_text(const gnbv_doc_row *r, char *buf, size_t cap)
{
	char label[128];
	gnbv_doc_comp_label(r, label, sizeof label);
	const char *name = gnbv_doc_comp_name(r->comp);
	if (!name) name = "";
	if (r->kind == GNBV_DOC_ROW_SUB)
		snprintf(buf, cap, "%d.%d. %s%s%s", r->number, r->sub_number, label,
		         *name ? ": " : "", name);
	else
		snprintf(buf, cap, "%d. %s%s%s", r->number, label, *name ? ": " : "", name);
}

/* ---- The header block --------------------------------------------------- */

static void header_block(dctx *d)
{
	const gnbv_plan *p = d->p;
	char issuer[512], l1[512], l2[512], num[96], date[128], place[128], line[1024];
	gnbv_doc_case(issuer, sizeof issuer, p->issuer_vi ? p->issuer_vi : "", 0, 0);
	/* "ỦY BAN NHÂN DÂN HUYỆN HÀ QUẢNG" goes on two lines, the body's kind
	 * over its territory, as Appendix I shows it. */
	static const char *kinds[] = {"ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN"};
	snprintf(l1, sizeof l1, "%s", issuer);
	l2[0] = '\0';
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t n = strlen(kinds[i]);
		if (strncmp(issuer, kinds[i], n) == 0 && issuer[n] == ' ') {
			snprintf(l1, sizeof l1, "%s", kinds[i]);
			snprintf(l2, sizeof l2, "%s", issuer + n + 1);
		}
	}
	gnbv_doc_number(p, num, sizeof num);
	gnbv_doc_date(p, date, sizeof date);
	gnbv_doc_place(p, place, sizeof place);

	tbl_begin(d, HEAD_LEFT, HEAD_RIGHT, -142);
	gnbv_doc_raw(d->b, "<w:tr>");
	tc_begin(d, HEAD_LEFT);
	para(d, &PS_CENTER, R_B, SZ_HEAD, l1);
	if (*l2) para(d, &PS_CENTER, R_B, SZ_HEAD, l2);
	rule(d, HEAD_LEFT, 1200);
	tc_end(d);
	tc_begin(d, HEAD_RIGHT);
	para(d, &PS_CENTER, R_B, 24, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
	para(d, &PS_CENTER, R_B, SZ_BODY, "Độc lập - Tự do - Hạnh phúc");
	rule(d, HEAD_RIGHT, 3450);
	tc_end(d);
	gnbv_doc_raw(d->b, "</w:tr>\n<w:tr>");
	tc_begin(d, HEAD_LEFT);
	pstyle s = PS_CENTER;
	s.before = 120;
	snprintf(line, sizeof line, "Số: %s", num);
	para(d, &s, 0, SZ_HEAD, line);
	tc_end(d);
	tc_begin(d, HEAD_RIGHT);
	snprintf(line, sizeof line, "%s, %s", place, date);
	para(d, &s, R_I, SZ_BODY, line);
	tc_end(d);
	gnbv_doc_raw(d->b, "</w:tr></w:tbl>\n");

	s = PS_CENTER;
	s.before = 360;
	para(d, &s, R_B, SZ_BODY, "KẾ HOẠCH");
	s.before = 0;
	p_begin(d, &s);
	run(d, R_B, SZ_BODY, p->title_vi ? p->title_vi : "");
	p_end(d);
	rule(d, PAGE_W - MARGIN_LEFT - MARGIN_RIGHT, 2400);
	s.before = 240;
	para(d, &s, 0, 4, "");
}

/* ---- The body ---------------------------------------------------------- */

static const char *doc_kind(const char *number)
{
	/* The kind of a cited document from its number's symbol (Decree 30,
	 * Appendix III: QĐ, NQ, KH, ...; a công văn has no kind letters). */
	static const struct {
		const char *sym, *kind;
	} k[] = {{"QĐ", "Quyết định"}, {"NQ", "Nghị quyết"}, {"KH", "Kế hoạch"},
	         {"NĐ", "Nghị định"},  {"TT", "Thông tư"},   {"CT", "Chỉ thị"},
	         {"BC", "Báo cáo"},    {"HD", "Hướng dẫn"},  {"TB", "Thông báo"}};
	const char *slash = number ? strchr(number, '/') : NULL;
	if (!slash) return "văn bản";
	slash++;
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		size_t n = strlen(k[i].sym);
		if (strncmp(slash, k[i].sym, n) == 0 && (slash[n] == '-' || slash[n] == '\0'))
			return k[i].kind;
	}
	return "Công văn";
}

static void basis_block(dctx *d)
{
	json_t *basis = json_is_object(d->doc) ? json_object_get(d->doc, "basis") : NULL;
	char buf[2048];
	size_t i;
	json_t *e;
	json_array_foreach(basis, i, e)
	{
		const char *num = jstr(e, "number"), *date = jstr(e, "date");
		const char *issuer = jstr(e, "issuer"), *subject = jstr(e, "subject");
		if (!num) continue;
		gnbv_sb sb;
		gnbv_sb_init(&sb, buf, sizeof buf);
		gnbv_sb_put(&sb, "Thực hiện ");
		gnbv_sb_put(&sb, doc_kind(num));
		gnbv_sb_put(&sb, " số ");
		gnbv_sb_put(&sb, num);
		int y, m, dd;
		if (date && sscanf(date, "%4d-%2d-%2d", &y, &m, &dd) == 3) {
			char t[48];
			snprintf(t, sizeof t, " ngày %d/%d/%d", dd, m, y);
			gnbv_sb_put(&sb, t);
		}
		if (issuer) {
			gnbv_sb_put(&sb, " của ");
			gnbv_sb_put(&sb, issuer);
		}
		if (subject) {
			gnbv_sb_put(&sb, " về việc ");
			gnbv_sb_put(&sb, subject);
		}
		gnbv_sb_put(&sb, ";");
		para(d, &PS_BODY, 0, 0, buf);
	}
	char title[1024];
	gnbv_doc_case(title, sizeof title, d->p->title_vi ? d->p->title_vi : "", 1, 1);
	snprintf(buf, sizeof buf,
	         "%s xây dựng Kế hoạch %s như sau:", d->p->issuer_vi ? d->p->issuer_vi : "", title);
	para(d, &PS_BODY, 0, 0, buf);
}

static void targets(dctx *d, int section)
{
	for (size_t i = 0; i < d->p->n_targets; i++) {
		const gnbv_plan_target *t = &d->p->targets[i];
		if (t->section != section || !t->text || !*t->text) continue;
		char text[1024], buf[sizeof text + 8];
		/* Targets are kept as the document words them, often mid-sentence
		 * ("giảm tỷ lệ hộ nghèo trên 7%"): a list item starts with a capital. */
		gnbv_doc_case(text, sizeof text, t->text, 0, 1);
		snprintf(buf, sizeof buf, "- %s.", text);
		para(d, &PS_BODY, 0, 0, buf);
	}
}

/* Money of the section on no known component (the seed's 2022 mobilised
 * 1.000): said once, so that the paragraphs add up to the totals. */
static void unplaced(dctx *d, int section, int stage)
{
	int64_t v = sum(d, section, stage, -1, GNBV_DOC_SRC_ANY, GNBV_DOC_COMP_UNPLACED, NULL);
	if (!v) return;
	char buf[1024];
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, sizeof buf);
	gnbv_sb_put(&sb, "- Vốn huy động, nội dung khác (không gắn dự án): ");
	sb_million(&sb, v);
	int first = 1;
	for (int src = 0; src < GNBV_SRC_COUNT; src++) {
		int64_t s = sum(d, section, stage, -1, 1u << src, GNBV_DOC_COMP_UNPLACED, NULL);
		if (!s) continue;
		gnbv_sb_put(&sb, first ? " (" : "; ");
		gnbv_sb_put(&sb, source_name(src));
		if (s != v) {
			gnbv_sb_put(&sb, " ");
			sb_million(&sb, s);
		}
		first = 0;
	}
	gnbv_sb_put(&sb, first ? "." : ").");
	para(d, &PS_BODY, 0, 0, buf);
}

/* One project or sub-project of section A. */
static void result_item(dctx *d, const gnbv_doc_row *r)
{
	char buf[4096], h[1024];
	const char *code = r->comp->code;
	int mode = r->kind == GNBV_DOC_ROW_DIRECT ? GNBV_DOC_COMP_EXACT : GNBV_DOC_COMP_TREE;
	heading_text(r, h, sizeof h);
	para(d, &PS_HEADING, R_B, 0, h);
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, sizeof buf);
	gnbv_sb_put(&sb, "Kinh phí được giao: ");
	money_phrase(d, &sb, 0, GNBV_STAGE_ALLOCATED, mode, code, 0, 1);
	gnbv_sb_put(&sb, ".");
	disb_phrase(d, &sb, mode, code);
	para(d, &PS_BODY, 0, 0, buf);
	/* The document's own account when it has one (its words name the
	 * outputs); else the outputs as data. The amounts above are always
	 * the lines' sums, whatever the text says. */
	if (contents(d, 0, code)) return;
	gnbv_sb_init(&sb, buf, sizeof buf);
	gnbv_sb_put(&sb, "Kết quả: ");
	if (outputs_phrase(d, &sb, 0, code)) {
		gnbv_sb_put(&sb, ".");
		para(d, &PS_BODY, 0, 0, buf);
	}
}

static void section_a(dctx *d, const gnbv_doc_row *rows, size_t n)
{
	char buf[4096], t[512];
	const gnbv_plan *p = d->p;
	snprintf(t, sizeof t, "A. %s",
	         p->section_title[0] ? p->section_title[0] : "Kết quả thực hiện năm trước");
	para(d, &PS_HEADING, R_B, 0, t);
	int roman = 1;
	static const char *R[] = {"I", "II", "III", "IV", "V", "VI"};
	int has_targets = 0;
	for (size_t i = 0; i < p->n_targets; i++)
		has_targets |= p->targets[i].section == 0;
	if (has_targets) {
		snprintf(t, sizeof t, "%s. Mục tiêu, chỉ tiêu năm %d", R[roman++ - 1],
		         p->report_year);
		para(d, &PS_HEADING, R_B, 0, t);
		targets(d, 0);
	}
	snprintf(t, sizeof t, "%s. Kết quả thực hiện các dự án của Chương trình năm %d",
	         R[roman++ - 1], p->report_year);
	para(d, &PS_HEADING, R_B, 0, t);
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, sizeof buf);
	gnbv_sb_put(&sb, "Tổng kinh phí được giao: ");
	money_phrase(d, &sb, 0, GNBV_STAGE_ALLOCATED, GNBV_DOC_COMP_ANY, NULL, 0, 0);
	gnbv_sb_put(&sb, ".");
	disb_phrase(d, &sb, GNBV_DOC_COMP_ANY, NULL);
	gnbv_sb_put(&sb, " Cụ thể từng dự án như sau:");
	para(d, &PS_BODY, 0, 0, buf);
	for (size_t i = 0; i < n; i++) {
		const gnbv_doc_row *r = &rows[i];
		if (!r->comp) continue;
		int mode =
		    r->kind == GNBV_DOC_ROW_DIRECT ? GNBV_DOC_COMP_EXACT : GNBV_DOC_COMP_TREE;
		if (r->kind == GNBV_DOC_ROW_DIRECT || !any_line(d, 0, mode, r->comp->code))
			continue;
		if (r->kind == GNBV_DOC_ROW_PROJECT && r->n_children > 0) {
			char h[1024];
			heading_text(r, h, sizeof h);
			para(d, &PS_HEADING, R_B, 0, h);
			gnbv_sb_init(&sb, buf, sizeof buf);
			gnbv_sb_put(&sb, "Tổng kinh phí được giao: ");
			money_phrase(d, &sb, 0, GNBV_STAGE_ALLOCATED, mode, r->comp->code, 0, 1);
			gnbv_sb_put(&sb, ".");
			disb_phrase(d, &sb, mode, r->comp->code);
			para(d, &PS_BODY, 0, 0, buf);
			if (any_line(d, 0, GNBV_DOC_COMP_EXACT, r->comp->code)) {
				gnbv_doc_row direct = *r;
				direct.kind = GNBV_DOC_ROW_DIRECT;
				result_item(d, &direct); /* with the project's contents */
			} else {
				contents(d, 0, r->comp->code);
			}
			continue;
		}
		result_item(d, r);
	}
	unplaced(d, 0, GNBV_STAGE_ALLOCATED);
	/* Sources of the year's money, mobilised included. */
	snprintf(t, sizeof t, "%s. Kết quả huy động nguồn lực thực hiện Chương trình",
	         R[roman++ - 1]);
	para(d, &PS_HEADING, R_B, 0, t);
	for (int src = 0; src < GNBV_SRC_COUNT; src++) {
		int64_t v = sum(d, 0, GNBV_STAGE_ALLOCATED, -1, 1u << src, GNBV_DOC_COMP_ANY, NULL);
		if (!v) continue;
		char name[128];
		gnbv_doc_case(name, sizeof name, source_name(src), 0, 1);
		gnbv_sb_init(&sb, buf, sizeof buf);
		gnbv_sb_put(&sb, "- ");
		gnbv_sb_put(&sb, name);
		gnbv_sb_put(&sb, ": ");
		int64_t dt = sum(d, 0, GNBV_STAGE_ALLOCATED, GNBV_CAP_DTPT, 1u << src,
		                 GNBV_DOC_COMP_ANY, NULL);
		int64_t sn = sum(d, 0, GNBV_STAGE_ALLOCATED, GNBV_CAP_SN, 1u << src,
		                 GNBV_DOC_COMP_ANY, NULL);
		sb_million(&sb, v);
		if (dt && sn) {
			gnbv_sb_put(&sb, ", trong đó: vốn đầu tư phát triển ");
			sb_million(&sb, dt);
			gnbv_sb_put(&sb, ", vốn sự nghiệp ");
			sb_million(&sb, sn);
		}
		gnbv_sb_put(&sb, ".");
		para(d, &PS_BODY, 0, 0, buf);
	}
}

/* One project or sub-project of section B. */
static void proposal_item(dctx *d, const gnbv_doc_row *r, int with_heading)
{
	char buf[4096], h[1024];
	const char *code = r->comp->code;
	int mode = r->kind == GNBV_DOC_ROW_DIRECT ? GNBV_DOC_COMP_EXACT : GNBV_DOC_COMP_TREE;
	if (with_heading) {
		heading_text(r, h, sizeof h);
		para(d, &PS_HEADING, R_B, 0, h);
	}
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, sizeof buf);
	if (!has_contents(d, 1, code) && outputs_phrase(d, &sb, 1, code)) {
		p_begin(d, &PS_BODY);
		run(d, R_I, 0, "- Nội dung: ");
		run(d, 0, 0, buf);
		run(d, 0, 0, ".");
		p_end(d);
	}
	contents(d, 1, code);
	gnbv_sb_init(&sb, buf, sizeof buf);
	gnbv_sb_put(&sb, "Dự kiến ");
	money_phrase(d, &sb, 1, GNBV_STAGE_PROPOSED, mode, code, 1, 1);
	gnbv_sb_put(&sb, ".");
	p_begin(d, &PS_BODY);
	run(d, R_I, 0, "- Kinh phí: ");
	run(d, 0, 0, buf);
	p_end(d);
}

static void section_b(dctx *d, const gnbv_doc_row *rows, size_t n)
{
	char buf[4096], t[512];
	const gnbv_plan *p = d->p;
	snprintf(t, sizeof t, "B. %s", p->section_title[1] ? p->section_title[1] : "Kế hoạch");
	para(d, &PS_HEADING, R_B, 0, t);
	snprintf(t, sizeof t, "I. Mục tiêu, chỉ tiêu năm %d", p->plan_year);
	para(d, &PS_HEADING, R_B, 0, t);
	targets(d, 1);
	snprintf(t, sizeof t,
	         "II. Nội dung hoạt động và đề xuất kinh phí thực hiện Chương trình năm %d",
	         p->plan_year);
	para(d, &PS_HEADING, R_B, 0, t);
	int last = 0;
	for (size_t i = 0; i < n; i++) {
		const gnbv_doc_row *r = &rows[i];
		if (!r->comp || r->kind == GNBV_DOC_ROW_DIRECT) continue;
		if (!any_line(d, 1, GNBV_DOC_COMP_TREE, r->comp->code)) continue;
		if (r->number > last) last = r->number;
		if (r->kind == GNBV_DOC_ROW_PROJECT && r->n_children > 0) {
			char h[1024];
			heading_text(r, h, sizeof h);
			para(d, &PS_HEADING, R_B, 0, h);
			if (any_line(d, 1, GNBV_DOC_COMP_EXACT, r->comp->code)) {
				gnbv_doc_row direct = *r;
				direct.kind = GNBV_DOC_ROW_DIRECT;
				proposal_item(d, &direct, 0);
			}
			continue;
		}
		proposal_item(d, r, 1);
	}
	unplaced(d, 1, GNBV_STAGE_PROPOSED);
	/* The totals, from the lines. */
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, sizeof buf);
	char num[16];
	snprintf(num, sizeof num, "%d. ", last + 1);
	gnbv_sb_put(&sb, "Dự kiến ");
	int64_t tot =
	    sum(d, 1, GNBV_STAGE_PROPOSED, -1, GNBV_DOC_SRC_STATE, GNBV_DOC_COMP_ANY, NULL);
	int64_t dt = sum(d, 1, GNBV_STAGE_PROPOSED, GNBV_CAP_DTPT, GNBV_DOC_SRC_STATE,
	                 GNBV_DOC_COMP_ANY, NULL);
	int64_t sn = sum(d, 1, GNBV_STAGE_PROPOSED, GNBV_CAP_SN, GNBV_DOC_SRC_STATE,
	                 GNBV_DOC_COMP_ANY, NULL);
	sb_million(&sb, tot);
	gnbv_sb_put(&sb, ". Trong đó: vốn đầu tư phát triển ");
	sb_million(&sb, dt);
	gnbv_sb_put(&sb, ", vốn sự nghiệp ");
	sb_million(&sb, sn);
	if (tot != dt + sn) {
		gnbv_sb_put(&sb, ", chưa xác định loại vốn ");
		sb_million(&sb, tot - dt - sn);
	}
	gnbv_sb_put(&sb, ".");
	p_begin(d, &PS_BODY);
	run(d, R_B, 0, num);
	run(d, R_B, 0, "Tổng nhu cầu vốn thực hiện: ");
	run(d, 0, 0, buf);
	p_end(d);
	gnbv_sb_init(&sb, buf, sizeof buf);
	gnbv_sb_put(&sb, "Theo nguồn vốn: ");
	int first = 1;
	for (int src = 0; src < GNBV_SRC_COUNT; src++) {
		int64_t v = sum(d, 1, GNBV_STAGE_PROPOSED, -1, 1u << src, GNBV_DOC_COMP_ANY, NULL);
		if (!v) continue;
		gnbv_sb_put(&sb, first ? "" : "; ");
		gnbv_sb_put(&sb, source_name(src));
		gnbv_sb_put(&sb, " ");
		sb_million(&sb, v);
		if (GNBV_DOC_SRC_OTHER & (1u << src))
			gnbv_sb_put(&sb, " (ngoài tổng nhu cầu vốn ngân sách nhà nước)");
		first = 0;
	}
	gnbv_sb_put(&sb, ".");
	if (!first) para(d, &PS_BODY, 0, 0, buf);
	pstyle s = PS_BODY;
	s.align = P_CENTER;
	s.first = 0;
	para(d, &s, R_I, 0, "(Có biểu chi tiết kèm theo)");
}

/* III. Tổ chức thực hiện: each agency with a lead or cooperating role in
 * the plan year, or a program-wide task, in the order of the plan's
 * agencies. */
static void organisation(dctx *d)
{
	const gnbv_plan *p = d->p;
	json_t *proles =
	    json_is_object(d->sec_b) ? json_object_get(d->sec_b, "program_roles") : NULL;
	para(d, &PS_HEADING, R_B, 0, "III. Tổ chức thực hiện");
	int no = 0;
	for (size_t a = 0; a < p->n_agencies; a++) {
		const gnbv_plan_agency *ag = &p->agencies[a];
		char lead[2048], coop[2048], ref[128];
		gnbv_sb sl, sc;
		gnbv_sb_init(&sl, lead, sizeof lead);
		gnbv_sb_init(&sc, coop, sizeof coop);
		for (size_t i = 0; i < p->n_roles; i++) {
			const gnbv_plan_role *r = &p->roles[i];
			if (r->section != 1 || !r->component) continue;
			const gnbv_component *c = gnbv_program_component(d->prog, r->component);
			if (!c) continue;
			gnbv_doc_comp_ref(d->prog, c, ref, sizeof ref);
			if (r->lead && strcmp(r->lead, ag->code) == 0) {
				gnbv_sb_put(&sl, sl.len ? "; " : "");
				gnbv_sb_put(&sl, ref);
				if (gnbv_doc_comp_name(c)) {
					gnbv_sb_put(&sl, ": ");
					gnbv_sb_put(&sl, c->name_vi);
				}
			}
			for (size_t k = 0; k < r->n_cooperating; k++)
				if (r->cooperating[k] && strcmp(r->cooperating[k], ag->code) == 0) {
					gnbv_sb_put(&sc, sc.len ? "; " : "");
					gnbv_sb_put(&sc, ref);
					if (gnbv_doc_comp_name(c)) {
						gnbv_sb_put(&sc, ": ");
						gnbv_sb_put(&sc, c->name_vi);
					}
				}
		}
		const char *task = NULL;
		size_t k;
		json_t *e;
		json_array_foreach(proles, k, e)
		{
			const char *code = jstr(e, "agency");
			if (code && strcmp(code, ag->code) == 0) task = jstr(e, "role");
		}
		if (!sl.len && !sc.len && !task) continue;
		char h[512];
		snprintf(h, sizeof h, "%d. %s", ++no, ag->name_vi ? ag->name_vi : ag->code);
		para(d, &PS_HEADING, R_B, 0, h);
		char buf[4096];
		if (task) {
			char t[1024];
			gnbv_doc_case(t, sizeof t, task, 0, 1);
			snprintf(buf, sizeof buf, "- %s.", t);
			para(d, &PS_BODY, 0, 0, buf);
		}
		if (sl.len) {
			snprintf(buf, sizeof buf,
			         "- Chủ trì thực hiện %s; theo dõi, giám sát, tổng hợp kết quả "
			         "thực hiện "
			         "và báo cáo %s.",
			         lead, p->issuer_vi ? p->issuer_vi : "Ủy ban nhân dân");
			para(d, &PS_BODY, 0, 0, buf);
		}
		if (sc.len) {
			snprintf(buf, sizeof buf, "- Phối hợp thực hiện %s.", coop);
			para(d, &PS_BODY, 0, 0, buf);
		}
	}
	char title[1024], buf[2048];
	gnbv_doc_case(title, sizeof title, p->title_vi ? p->title_vi : "", 1, 1);
	snprintf(buf, sizeof buf, "Trên đây là Kế hoạch %s của %s./.", title,
	         p->issuer_vi ? p->issuer_vi : "");
	para(d, &PS_BODY, 0, 0, buf);
}

static void signature_block(dctx *d)
{
	const gnbv_plan *p = d->p;
	json_t *signer = json_is_object(d->doc) ? json_object_get(d->doc, "signer") : NULL;
	json_t *recipients = json_is_object(d->doc) ? json_object_get(d->doc, "recipients") : NULL;
	const char *behalf = jstr(signer, "on_behalf");
	const char *title = p->signer_title ? p->signer_title : jstr(signer, "title");
	const char *name = p->signer_name ? p->signer_name : jstr(signer, "name");
	int wl = 4536, wr = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT - wl;

	tbl_begin(d, wl, wr, 0);
	gnbv_doc_raw(d->b, "<w:tr><w:trPr><w:cantSplit/></w:trPr>");
	tc_begin(d, wl);
	pstyle s = {P_LEFT, 0, 0, 0, 120, 0, 0};
	para(d, &s, R_B | R_I, SZ_RECV_H, "Nơi nhận:");
	size_t i, n = json_array_size(recipients);
	json_t *e;
	s.before = 0;
	json_array_foreach(recipients, i, e)
	{
		if (!json_is_string(e)) continue;
		char buf[1024];
		snprintf(buf, sizeof buf, "- %s%s", json_string_value(e), i + 1 == n ? "." : ";");
		para(d, &s, 0, SZ_RECV, buf);
	}
	if (!n) para(d, &s, 0, SZ_RECV, "- Lưu: VT.");
	tc_end(d);
	tc_begin(d, wr);
	pstyle c = PS_CENTER;
	c.before = 120;
	if (behalf && *behalf) {
		char up[256];
		gnbv_doc_case(up, sizeof up, behalf, 0, 0);
		para(d, &c, R_B, SZ_BODY, up);
		c.before = 0;
	}
	if (title && *title) {
		char up[256];
		gnbv_doc_case(up, sizeof up, title, 0, 0);
		para(d, &c, R_B, SZ_BODY, up);
	}
	c.before = 0;
	for (int k = 0; k < 5; k++)
		para(d, &c, 0, SZ_BODY, "");
	if (name && *name) para(d, &c, R_B, SZ_BODY, name);
	tc_end(d);
	gnbv_doc_raw(d->b, "</w:tr></w:tbl>\n");
}

static void document_xml(dctx *d)
{
	gnbv_doc_row rows[256];
	size_t n = gnbv_doc_rows(d->p, d->prog, rows, 256);
	gnbv_doc_raw(d->b, XML_DECL);
	gnbv_doc_raw(d->b, "<w:document " W_NS " " R_NS "><w:body>\n");
	header_block(d);
	basis_block(d);
	section_a(d, rows, n);
	section_b(d, rows, n);
	organisation(d);
	signature_block(d);
	/* Word wants a paragraph between a final table and sectPr. */
	para(d, &PS_CENTER, 0, 4, "");
	/* Page numbers: centred at the top from page 2 (titlePg leaves the
	 * first page's header empty). */
	gnbv_doc_rawf(d->b,
	              "<w:sectPr><w:headerReference w:type=\"default\" r:id=\"rId3\"/>"
	              "<w:pgSz w:w=\"%d\" w:h=\"%d\"/><w:pgMar w:top=\"%d\" w:right=\"%d\" "
	              "w:bottom=\"%d\" w:left=\"%d\" w:header=\"567\" w:footer=\"567\" "
	              "w:gutter=\"0\"/><w:titlePg/></w:sectPr>\n",
	              PAGE_W, PAGE_H, MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT);
	gnbv_doc_raw(d->b, "</w:body></w:document>\n");
}

/* ---- The fixed parts ---------------------------------------------------- */

static const char CONTENT_TYPES[] =
    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
    "<Default Extension=\"rels\" "
    "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
    "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
    "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
    "<Override PartName=\"/word/styles.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>"
    "<Override PartName=\"/word/settings.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>"
    "<Override PartName=\"/word/header1.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>"
    "<Override PartName=\"/docProps/core.xml\" "
    "ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>"
    "<Override PartName=\"/docProps/app.xml\" ContentType=\"application/"
    "vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
    "</Types>\n";

static const char ROOT_RELS[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/officeDocument\" Target=\"word/document.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/"
    "relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/extended-properties\" Target=\"docProps/app.xml\"/>"
    "</Relationships>\n";

static const char DOC_RELS[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/styles\" Target=\"styles.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/settings\" Target=\"settings.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/header\" Target=\"header1.xml\"/>"
    "</Relationships>\n";

/* Times New Roman 14 pt, Vietnamese, everywhere by default. */
static const char STYLES[] =
    "<w:styles " W_NS "><w:docDefaults><w:rPrDefault><w:rPr>"
    "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" "
    "w:eastAsia=\"Times New Roman\" w:cs=\"Times New Roman\"/>"
    "<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/><w:lang w:val=\"vi-VN\" w:eastAsia=\"en-US\" "
    "w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>"
    "<w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault>"
    "</w:docDefaults>"
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name "
    "w:val=\"Normal\"/><w:qFormat/></w:style>"
    "<w:style w:type=\"character\" w:default=\"1\" w:styleId=\"DefaultParagraphFont\">"
    "<w:name w:val=\"Default Paragraph Font\"/><w:uiPriority w:val=\"1\"/><w:semiHidden/>"
    "</w:style>"
    "<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal "
    "Table\"/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" "
    "w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" "
    "w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>"
    "<w:style w:type=\"paragraph\" w:styleId=\"Header\"><w:name w:val=\"header\"/>"
    "<w:basedOn w:val=\"Normal\"/></w:style>"
    "</w:styles>\n";

static const char SETTINGS[] =
    "<w:settings " W_NS "><w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"720\"/>"
    "<w:characterSpacingControl w:val=\"doNotCompress\"/><w:compat><w:compatSetting "
    "w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" "
    "w:val=\"15\"/></w:compat></w:settings>\n";

static const char HEADER[] =
    "<w:hdr " W_NS "><w:p><w:pPr><w:pStyle w:val=\"Header\"/><w:jc w:val=\"center\"/></w:pPr>"
    "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> "
    "PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>2"
    "</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r></w:p></w:hdr>\n";

static void core_xml(dctx *d, gnbv_doc_buf *b)
{
	gnbv_doc_raw(b, XML_DECL);
	gnbv_doc_raw(b,
	             "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/"
	             "metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
	             "xmlns:dcterms=\"http://purl.org/dc/terms/\" "
	             "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><dc:title>Kế hoạch ");
	gnbv_doc_esc(b, d->p->title_vi);
	gnbv_doc_raw(b, "</dc:title><dc:creator>");
	gnbv_doc_esc(b, d->p->issuer_vi);
	gnbv_doc_raw(b, "</dc:creator><dc:language>vi-VN</dc:language></cp:coreProperties>\n");
}

static const char APP[] =
    "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "extended-properties\"><Application>gnbv</Application></Properties>\n";

/* ---- The package -------------------------------------------------------- */

static int add_part(zip_t *z, const char *name, const char *data, size_t len, const char *path)
{
	zip_source_t *src = zip_source_buffer(z, data, len, 0);
	if (!src) return gnbv_error_set(GNBV_ENOMEM, "%s: %s", path, zip_strerror(z));
	if (zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE) < 0) {
		zip_source_free(src);
		return gnbv_error_set(GNBV_EIO, "%s: %s: %s", path, name, zip_strerror(z));
	}
	return 0;
}

static int has_stage(const gnbv_plan *p, int section, int stage)
{
	for (size_t i = 0; i < p->n_lines; i++)
		if (p->lines[i].section == section && p->lines[i].stage == stage) return 1;
	return 0;
}

int gnbv_plan_write_docx(const gnbv_plan *p, const gnbv_program *prog, const char *path)
{
	char tmp[4096];
	int rc = 0;
	zip_t *z = NULL;
	gnbv_doc_buf doc, core, fixed[6];
	if (!p || !prog || !path)
		return gnbv_error_set(GNBV_EINVALID, "plan docx: missing argument");
	if (prog->n_components > 127) /* rows[256] in document_xml */
		return gnbv_error_set(GNBV_ETOOBIG,
		                      "%s: the program has %zu components (at most 127)", path,
		                      prog->n_components);
	gnbv_doc_buf_init(&doc, PART_MAX);
	gnbv_doc_buf_init(&core, PART_MAX);
	for (int i = 0; i < 6; i++)
		gnbv_doc_buf_init(&fixed[i], PART_MAX);
	dctx d = {.p = p, .prog = prog, .b = &doc};
	d.disb_stage =
	    has_stage(p, 0, GNBV_STAGE_EST_DISBURSED) || !has_stage(p, 0, GNBV_STAGE_DISBURSED)
	        ? GNBV_STAGE_EST_DISBURSED
	        : GNBV_STAGE_DISBURSED;
	if (p->doc_extra) d.doc = json_loads(p->doc_extra, 0, NULL);
	if (p->section_extra[1]) d.sec_b = json_loads(p->section_extra[1], 0, NULL);

	document_xml(&d);
	core_xml(&d, &core);
	static const char *fixed_src[6] = {CONTENT_TYPES, ROOT_RELS, DOC_RELS,
	                                   STYLES,        SETTINGS,  HEADER};
	static const char *fixed_name[6] = {
	    "[Content_Types].xml", "_rels/.rels",       "word/_rels/document.xml.rels",
	    "word/styles.xml",     "word/settings.xml", "word/header1.xml"};
	for (int i = 0; i < 6; i++) {
		gnbv_doc_raw(&fixed[i], XML_DECL);
		gnbv_doc_raw(&fixed[i], fixed_src[i]);
	}
	gnbv_doc_buf app;
	gnbv_doc_buf_init(&app, PART_MAX);
	gnbv_doc_raw(&app, XML_DECL);
	gnbv_doc_raw(&app, APP);
	if ((rc = gnbv_doc_buf_status(&doc, "word/document.xml")) ||
	    (rc = gnbv_doc_buf_status(&core, "docProps/core.xml")) ||
	    (rc = gnbv_doc_buf_status(&app, "docProps/app.xml")))
		goto done;
	for (int i = 0; i < 6; i++)
		if ((rc = gnbv_doc_buf_status(&fixed[i], fixed_name[i]))) goto done;

	if ((rc = gnbv_doc_tmp_path(path, tmp, sizeof tmp))) goto done;
	int zerr = 0;
	z = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (!z) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		rc = gnbv_error_set(GNBV_EIO, "%s: cannot create: %s", path,
		                    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto done;
	}
	/* [Content_Types].xml first, as Office writes it. */
	for (int i = 0; i < 3 && !rc; i++)
		rc = add_part(z, fixed_name[i], fixed[i].p, fixed[i].len, path);
	if (!rc) rc = add_part(z, "word/document.xml", doc.p, doc.len, path);
	for (int i = 3; i < 6 && !rc; i++)
		rc = add_part(z, fixed_name[i], fixed[i].p, fixed[i].len, path);
	if (!rc) rc = add_part(z, "docProps/core.xml", core.p, core.len, path);
	if (!rc) rc = add_part(z, "docProps/app.xml", app.p, app.len, path);
	if (rc) {
		zip_discard(z);
		z = NULL;
		unlink(tmp);
		goto done;
	}
	if (zip_close(z) != 0) {
		rc = gnbv_error_set(GNBV_EIO, "%s: cannot write: %s", path, zip_strerror(z));
		zip_discard(z);
		z = NULL;
		unlink(tmp);
		goto done;
	}
	z = NULL; /* closed: freed by libzip */
	rc = gnbv_doc_commit(tmp, path);
done:
	json_decref(d.doc);
	json_decref(d.sec_b);
	gnbv_doc_buf_free(&doc);
	gnbv_doc_buf_free(&core);
	gnbv_doc_buf_free(&app);
	for (int i = 0; i < 6; i++)
		gnbv_doc_buf_free(&fixed[i]);
	return rc;
}
