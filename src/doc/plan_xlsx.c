/*
 * plan_xlsx.c - the "biểu chi tiết" workbook of a plan document (XLSX,
 * libxlsxwriter).
 *
 * The seed's Kế hoạch ends with "(Có biểu chi tiết kèm theo)" but the
 * attachment is not in it, and the province's template is not known; this
 * is the table issue 5 asks for, laid out as Vietnamese budget tables are:
 * a title block, two header rows with merged group cells and a row of
 * column numbers with the column arithmetic ("1=2+3"), a TỔNG CỘNG row
 * first, then the program's projects (1, 2, ...) and sub-projects (3.1,
 * ...) in program order. docs/documents.md describes every choice.
 *
 * Officers edit these tables, so subtotals and totals are formulas
 * (=SUM(...), =E9+F9, =H9/D9) and, for viewers that do not recalculate,
 * each formula carries its value computed here from the lines in VND. Cell
 * values are million VND (the unit the seed writes). The number formats
 * carry the Vietnamese locale tag [$-42A] so that LibreOffice shows 1.234,5
 * whatever the machine's locale; Excel takes separators from the system
 * (a Vietnamese Windows shows the same).
 */
#include "doc/doc_common.h"

#include "gnbv/error.h"
#include "util/numfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* Columns. */
enum {
	C_STT = 0,
	C_NAME,
	C_LEAD,
	C_A_TOT, /* year N allocated, state budget: = ĐTPT + SN */
	C_A_DTPT,
	C_A_SN,
	C_A_MOB, /* year N mobilised / integrated, outside the state total */
	C_A_EST, /* year N estimated disbursement, state budget */
	C_A_PCT, /* = EST / TOT */
	C_B_TOT, /* year N+1 proposed, state budget: = ĐTPT + SN */
	C_B_DTPT,
	C_B_SN,
	C_B_NSTW, /* of the state total: central budget */
	C_B_NSDP, /* local budget */
	C_B_NSNN, /* state budget, level not stated (the seed's "Ngân sách nhà nước") */
	C_B_MOB,  /* mobilised / integrated, outside the state total */
	C_NOTE,
	NCOLS
};

/* Sheet rows (0-based). */
enum {
	R_ISSUER = 0,
	R_TITLE1,
	R_TITLE2,
	R_ATTACHED,
	R_UNIT,
	R_HEAD1,
	R_HEAD2,
	R_COLNO,
	R_TOTAL,
	R_FIRST /* first project row */
};

#define MAX_ROWS 256

/* Column widths in Excel's units (about one digit of the default font). */
static const double col_width[NCOLS] = {5,   34,  11, 9.5, 9.5, 9, 9, 9.5, 7.5,
                                        9.5, 9.5, 9,  9,   8,   9, 9, 24};

/* Lines a wrapped text takes in a column, by greedy word wrap over code
 * points. Neither libxlsxwriter nor LibreOffice's converter fits row
 * heights to wrapped text, so the writer sets them; Times New Roman at
 * 10 pt fits about 1.5 characters per width unit (1.4 in bold). */
static int text_lines(const char *s, double width, int bold)
{
	double cpl = width * (bold ? 1.4 : 1.5);
	int lines = 1;
	double cur = 0;
	while (s && *s) {
		while (*s == ' ')
			s++;
		double w = 0;
		while (*s && *s != ' ') {
			if (((unsigned char)*s & 0xC0) != 0x80) w += 1;
			s++;
		}
		if (w == 0) break;
		if (cur > 0 && cur + 1 + w > cpl) {
			lines++;
			cur = w;
		} else {
			cur += (cur > 0 ? 1 : 0) + w;
		}
		while (cur > cpl) { /* a word longer than the line */
			lines++;
			cur -= cpl;
		}
	}
	return lines;
}
#define NOTE_CAP 2048

typedef struct xctx {
	const gnbv_plan *p;
	const gnbv_program *prog;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_error err; /* the first libxlsxwriter error */
	int disb_stage;
	lxw_format *f_issuer, *f_title, *f_sub, *f_unit, *f_head, *f_colno;
	lxw_format *f_text[3], *f_name[3], *f_int[3], *f_dec[3], *f_pct[3];
} xctx;

/* Row styles: 0 = total, 1 = project, 2 = sub-project / leaf. */
enum { S_TOTAL = 0, S_PROJECT, S_LEAF };

static void keep(xctx *x, lxw_error e)
{
	if (e != LXW_NO_ERROR && x->err == LXW_NO_ERROR) x->err = e;
}

static lxw_format *base_format(xctx *x, double size)
{
	lxw_format *f = workbook_add_format(x->wb);
	format_set_font_name(f, "Times New Roman");
	format_set_font_size(f, size);
	format_set_text_wrap(f);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	return f;
}

static lxw_format *cell_format(xctx *x, int style, const char *num, int align)
{
	lxw_format *f = base_format(x, 10);
	format_set_border(f, LXW_BORDER_THIN);
	if (style != S_LEAF) format_set_bold(f);
	if (num) format_set_num_format(f, num);
	if (align) format_set_align(f, (uint8_t)align);
	return f;
}

static void make_formats(xctx *x)
{
	x->f_issuer = base_format(x, 11);
	format_set_bold(x->f_issuer);
	format_set_align(x->f_issuer, LXW_ALIGN_CENTER);
	x->f_title = base_format(x, 13);
	format_set_bold(x->f_title);
	format_set_align(x->f_title, LXW_ALIGN_CENTER);
	x->f_sub = base_format(x, 11);
	format_set_italic(x->f_sub);
	format_set_align(x->f_sub, LXW_ALIGN_CENTER);
	x->f_unit = base_format(x, 10);
	format_set_italic(x->f_unit);
	format_set_align(x->f_unit, LXW_ALIGN_RIGHT);
	x->f_head = base_format(x, 10);
	format_set_bold(x->f_head);
	format_set_border(x->f_head, LXW_BORDER_THIN);
	format_set_align(x->f_head, LXW_ALIGN_CENTER);
	x->f_colno = base_format(x, 9);
	format_set_italic(x->f_colno);
	format_set_border(x->f_colno, LXW_BORDER_THIN);
	format_set_align(x->f_colno, LXW_ALIGN_CENTER);
	/* [$-42A]: Vietnamese (LCID 0x042A). Zero shows as "-", the way
	 * budget tables mark an empty amount. */
	static const char *num_int = "[$-42A]#,##0;[$-42A]-#,##0;\"-\"";
	static const char *num_dec = "[$-42A]#,##0.0##;[$-42A]-#,##0.0##;\"-\"";
	static const char *num_pct = "[$-42A]0.00%";
	for (int s = 0; s < 3; s++) {
		x->f_text[s] = cell_format(x, s, NULL, LXW_ALIGN_CENTER);
		x->f_name[s] = cell_format(x, s, NULL, LXW_ALIGN_LEFT);
		x->f_int[s] = cell_format(x, s, num_int, LXW_ALIGN_RIGHT);
		x->f_dec[s] = cell_format(x, s, num_dec, LXW_ALIGN_RIGHT);
		x->f_pct[s] = cell_format(x, s, num_pct, LXW_ALIGN_RIGHT);
	}
}

/* The cell name of (row, col), "D9". */
static void cell_name(char *buf, size_t cap, int row, int col)
{
	lxw_rowcol_to_cell(buf, (lxw_row_t)row, (lxw_col_t)col);
	(void)cap;
}

static lxw_format *amount_format(xctx *x, int style, int64_t vnd)
{
	return vnd % 1000000 ? x->f_dec[style] : x->f_int[style];
}

/* The amounts of one table row, VND, by column. */
static void row_amounts(xctx *x, const gnbv_doc_row *r, int total, int64_t v[NCOLS],
                        int64_t *uncap_a, int64_t *uncap_b)
{
	gnbv_doc_sel s = {0, GNBV_STAGE_ALLOCATED, -1, GNBV_DOC_SRC_STATE, GNBV_DOC_COMP_ANY, NULL};
	if (!total) {
		s.component = r->comp ? r->comp->code : NULL;
		s.comp_mode = r->kind == GNBV_DOC_ROW_UNPLACED ? GNBV_DOC_COMP_UNPLACED
		              : r->kind == GNBV_DOC_ROW_DIRECT ? GNBV_DOC_COMP_EXACT
		                                               : GNBV_DOC_COMP_TREE;
	}
	memset(v, 0, sizeof(int64_t) * NCOLS);
	s.section = 0;
	v[C_A_TOT] = gnbv_doc_sum(x->p, x->prog, &s);
	s.capital = GNBV_CAP_DTPT;
	v[C_A_DTPT] = gnbv_doc_sum(x->p, x->prog, &s);
	s.capital = GNBV_CAP_SN;
	v[C_A_SN] = gnbv_doc_sum(x->p, x->prog, &s);
	s.capital = -1;
	s.sources = GNBV_DOC_SRC_OTHER;
	v[C_A_MOB] = gnbv_doc_sum(x->p, x->prog, &s);
	s.sources = GNBV_DOC_SRC_STATE;
	s.stage = x->disb_stage;
	v[C_A_EST] = gnbv_doc_sum(x->p, x->prog, &s);

	s.section = 1;
	s.stage = GNBV_STAGE_PROPOSED;
	v[C_B_TOT] = gnbv_doc_sum(x->p, x->prog, &s);
	s.capital = GNBV_CAP_DTPT;
	v[C_B_DTPT] = gnbv_doc_sum(x->p, x->prog, &s);
	s.capital = GNBV_CAP_SN;
	v[C_B_SN] = gnbv_doc_sum(x->p, x->prog, &s);
	s.capital = -1;
	s.sources = 1u << GNBV_SRC_CENTRAL;
	v[C_B_NSTW] = gnbv_doc_sum(x->p, x->prog, &s);
	s.sources = 1u << GNBV_SRC_LOCAL;
	v[C_B_NSDP] = gnbv_doc_sum(x->p, x->prog, &s);
	s.sources = 1u << GNBV_SRC_STATE;
	v[C_B_NSNN] = gnbv_doc_sum(x->p, x->prog, &s);
	s.sources = GNBV_DOC_SRC_OTHER;
	v[C_B_MOB] = gnbv_doc_sum(x->p, x->prog, &s);
	*uncap_a = v[C_A_TOT] - v[C_A_DTPT] - v[C_A_SN];
	*uncap_b = v[C_B_TOT] - v[C_B_DTPT] - v[C_B_SN];
}

static int is_amount_col(int c)
{
	return c >= C_A_TOT && c <= C_B_MOB && c != C_A_PCT;
}

static void put_pct(xctx *x, int row, int style, const int64_t v[NCOLS])
{
	char f[96], d[16], h[16];
	cell_name(d, sizeof d, row, C_A_TOT);
	cell_name(h, sizeof h, row, C_A_EST);
	snprintf(f, sizeof f, "=IF(%s=0,\"\",%s/%s)", d, h, d);
	if (v[C_A_TOT] == 0)
		keep(x, worksheet_write_formula_str(x->ws, (lxw_row_t)row, C_A_PCT, f,
		                                    x->f_pct[style], ""));
	else
		keep(x,
		     worksheet_write_formula_num(x->ws, (lxw_row_t)row, C_A_PCT, f, x->f_pct[style],
		                                 (double)v[C_A_EST] / (double)v[C_A_TOT]));
}

/* A row whose amounts are its own values (no children). */
static void put_leaf_amounts(xctx *x, int row, int style, const int64_t v[NCOLS], int64_t uncap_a,
                             int64_t uncap_b)
{
	for (int c = C_A_TOT; c <= C_B_MOB; c++) {
		if (!is_amount_col(c)) continue;
		int is_tot = c == C_A_TOT || c == C_B_TOT;
		int64_t uncap = c == C_A_TOT ? uncap_a : uncap_b;
		lxw_format *f = amount_format(x, style, v[c]);
		if (is_tot && uncap == 0) {
			/* = ĐTPT + SN, so that an edit of either recomputes it. */
			char a[16], b[16], fm[64];
			cell_name(a, sizeof a, row, c + 1);
			cell_name(b, sizeof b, row, c + 2);
			snprintf(fm, sizeof fm, "=%s+%s", a, b);
			keep(x, worksheet_write_formula_num(x->ws, (lxw_row_t)row, (lxw_col_t)c, fm,
			                                    f, (double)v[c] / 1e6));
		} else if (v[c]) {
			keep(x, worksheet_write_number(x->ws, (lxw_row_t)row, (lxw_col_t)c,
			                               (double)v[c] / 1e6, f));
		} else {
			keep(x, worksheet_write_blank(x->ws, (lxw_row_t)row, (lxw_col_t)c, f));
		}
	}
	put_pct(x, row, style, v);
}

/* A row that adds up other rows: `rows` are sheet rows. */
static void put_sum_amounts(xctx *x, int row, int style, const int64_t v[NCOLS], const int *rows,
                            int n)
{
	for (int c = C_A_TOT; c <= C_B_MOB; c++) {
		if (!is_amount_col(c)) continue;
		char fm[2048];
		size_t len = 0;
		int contiguous = 1;
		for (int i = 1; i < n; i++)
			if (rows[i] != rows[i - 1] + 1) contiguous = 0;
		if (n == 0) {
			snprintf(fm, sizeof fm, "=0");
		} else if (contiguous) {
			char a[16], b[16];
			cell_name(a, sizeof a, rows[0], c);
			cell_name(b, sizeof b, rows[n - 1], c);
			snprintf(fm, sizeof fm, "=SUM(%s:%s)", a, b);
		} else {
			len = (size_t)snprintf(fm, sizeof fm, "=SUM(");
			for (int i = 0; i < n && len < sizeof fm; i++) {
				char a[16];
				cell_name(a, sizeof a, rows[i], c);
				len += (size_t)snprintf(fm + len, sizeof fm - len, "%s%s",
				                        i ? "," : "", a);
			}
			if (len < sizeof fm) snprintf(fm + len, sizeof fm - len, ")");
		}
		keep(x, worksheet_write_formula_num(x->ws, (lxw_row_t)row, (lxw_col_t)c, fm,
		                                    amount_format(x, style, v[c]),
		                                    (double)v[c] / 1e6));
	}
	put_pct(x, row, style, v);
}

/* What the lines pay for ("Năm 2023: 20 hạng mục công trình; ..."), and
 * money of no stated capital type, for the Ghi chú cell. */
static void row_note(xctx *x, const gnbv_doc_row *r, int64_t uncap_a, int64_t uncap_b, char *buf,
                     size_t cap)
{
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, cap);
	for (int sec = 0; sec < GNBV_PLAN_SECTIONS; sec++) {
		int year = sec ? x->p->plan_year : x->p->report_year;
		int first = 1;
		for (size_t i = 0; i < x->p->n_lines; i++) {
			const gnbv_plan_line *l = &x->p->lines[i];
			if (l->section != sec || !l->item || !*l->item) continue;
			if (l->stage != (sec ? GNBV_STAGE_PROPOSED : GNBV_STAGE_ALLOCATED))
				continue;
			int in;
			if (r->kind == GNBV_DOC_ROW_UNPLACED)
				in =
				    !l->component || !gnbv_program_component(x->prog, l->component);
			else if (r->kind == GNBV_DOC_ROW_DIRECT)
				in = l->component && strcmp(l->component, r->comp->code) == 0;
			else
				in = gnbv_component_in(l->component, r->comp->code);
			if (!in) continue;
			if (first) {
				if (sb.len) gnbv_sb_put(&sb, ". ");
				gnbv_sb_put(&sb, "Năm ");
				gnbv_sb_int(&sb, year, &GNBV_NUM_PLAIN);
				gnbv_sb_put(&sb, ": ");
			} else {
				gnbv_sb_put(&sb, "; ");
			}
			gnbv_sb_put(&sb, l->item);
			first = 0;
		}
	}
	int64_t uncap[2] = {uncap_a, uncap_b};
	for (int sec = 0; sec < 2; sec++) {
		if (!uncap[sec]) continue;
		char m[48];
		gnbv_doc_million(m, sizeof m, uncap[sec]);
		if (sb.len) gnbv_sb_put(&sb, ". ");
		gnbv_sb_put(&sb, "Năm ");
		gnbv_sb_int(&sb, sec ? x->p->plan_year : x->p->report_year, &GNBV_NUM_PLAIN);
		gnbv_sb_put(&sb, ": ");
		gnbv_sb_put(&sb, m);
		gnbv_sb_put(&sb, " triệu đồng chưa xác định loại vốn (ĐTPT/SN)");
	}
	if (sb.truncated && cap > 4) {
		/* Cut on a character boundary and mark the cut. */
		size_t at = sb.len < cap - 4 ? sb.len : cap - 4;
		while (at && ((unsigned char)buf[at] & 0xC0) == 0x80)
			at--;
		memcpy(buf + at, "...", 4);
	}
}

static void lead_text(xctx *x, const gnbv_doc_row *r, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (!r->comp || r->kind == GNBV_DOC_ROW_DIRECT) return;
	/* The plan year's lead; the report year's when the plan names none. */
	const gnbv_plan_role *role = NULL;
	if (r->kind == GNBV_DOC_ROW_PROJECT) {
		for (size_t i = 0; i < x->p->n_roles && !role; i++)
			if (x->p->roles[i].section == 1 && x->p->roles[i].component &&
			    strcmp(x->p->roles[i].component, r->comp->code) == 0)
				role = &x->p->roles[i];
		if (!role && r->n_children == 0)
			role = gnbv_doc_role(x->p, x->prog, 0, r->comp->code);
	} else {
		role = gnbv_doc_role(x->p, x->prog, 1, r->comp->code);
		if (!role) role = gnbv_doc_role(x->p, x->prog, 0, r->comp->code);
	}
	if (!role) return;
	const gnbv_plan_agency *a = gnbv_doc_agency(x->p, role->lead);
	const char *t = a ? (a->abbr && *a->abbr ? a->abbr : a->name_vi) : role->lead;
	snprintf(buf, cap, "%s", t ? t : "");
}

static void put_title_block(xctx *x)
{
	char issuer[256], t[1024], num[64], date[96];
	gnbv_doc_case(issuer, sizeof issuer, x->p->issuer_vi ? x->p->issuer_vi : "", 0, 0);
	keep(x,
	     worksheet_merge_range(x->ws, R_ISSUER, C_STT, R_ISSUER, C_A_TOT, issuer, x->f_issuer));
	keep(x, worksheet_merge_range(x->ws, R_TITLE1, C_STT, R_TITLE1, C_NOTE, "BIỂU CHI TIẾT",
	                              x->f_title));
	snprintf(t, sizeof t, "Kết quả thực hiện năm %d và đề xuất kinh phí năm %d thực hiện %s",
	         x->p->report_year, x->p->plan_year,
	         x->prog && x->prog->name_vi ? x->prog->name_vi : "Chương trình");
	keep(x, worksheet_merge_range(x->ws, R_TITLE2, C_STT, R_TITLE2, C_NOTE, t, x->f_title));
	gnbv_doc_number(x->p, num, sizeof num);
	gnbv_doc_date(x->p, date, sizeof date);
	snprintf(t, sizeof t, "(Kèm theo Kế hoạch số %s %s của %s)", num, date,
	         x->p->issuer_vi ? x->p->issuer_vi : "");
	keep(x, worksheet_merge_range(x->ws, R_ATTACHED, C_STT, R_ATTACHED, C_NOTE, t, x->f_sub));
	keep(x, worksheet_merge_range(x->ws, R_UNIT, C_B_MOB, R_UNIT, C_NOTE,
	                              "Đơn vị tính: triệu đồng", x->f_unit));
}

static void put_header(xctx *x)
{
	char g[160];
	lxw_format *h = x->f_head;
	keep(x, worksheet_merge_range(x->ws, R_HEAD1, C_STT, R_HEAD2, C_STT, "STT", h));
	keep(x, worksheet_merge_range(x->ws, R_HEAD1, C_NAME, R_HEAD2, C_NAME, "Nội dung", h));
	keep(x,
	     worksheet_merge_range(x->ws, R_HEAD1, C_LEAD, R_HEAD2, C_LEAD, "Đơn vị chủ trì", h));
	snprintf(g, sizeof g, "Kế hoạch vốn giao năm %d", x->p->report_year);
	keep(x, worksheet_merge_range(x->ws, R_HEAD1, C_A_TOT, R_HEAD1, C_A_MOB, g, h));
	snprintf(g, sizeof g, "%s năm %d",
	         x->disb_stage == GNBV_STAGE_DISBURSED ? "Giải ngân" : "Ước giải ngân",
	         x->p->report_year);
	keep(x, worksheet_merge_range(x->ws, R_HEAD1, C_A_EST, R_HEAD1, C_A_PCT, g, h));
	snprintf(g, sizeof g, "Đề xuất năm %d", x->p->plan_year);
	keep(x, worksheet_merge_range(x->ws, R_HEAD1, C_B_TOT, R_HEAD1, C_B_SN, g, h));
	snprintf(g, sizeof g, "Trong đó, theo nguồn vốn năm %d", x->p->plan_year);
	keep(x, worksheet_merge_range(x->ws, R_HEAD1, C_B_NSTW, R_HEAD1, C_B_MOB, g, h));
	keep(x, worksheet_merge_range(x->ws, R_HEAD1, C_NOTE, R_HEAD2, C_NOTE, "Ghi chú", h));
	static const struct {
		int col;
		const char *name, *no;
	} leaf[] = {
	    {C_A_TOT, "Tổng NSNN", "1=2+3"},
	    {C_A_DTPT, "ĐTPT", "2"},
	    {C_A_SN, "SN", "3"},
	    {C_A_MOB, "Huy động, lồng ghép", "4"},
	    {C_A_EST, "Số tiền", "5"},
	    {C_A_PCT, "Tỷ lệ (%)", "6=5/1"},
	    {C_B_TOT, "Tổng NSNN", "7=8+9"},
	    {C_B_DTPT, "ĐTPT", "8"},
	    {C_B_SN, "SN", "9"},
	    {C_B_NSTW, "NSTW", "10"},
	    {C_B_NSDP, "NSĐP", "11"},
	    {C_B_NSNN, "NSNN chưa xác định cấp", "12"},
	    {C_B_MOB, "Huy động, lồng ghép", "13"},
	};
	for (size_t i = 0; i < sizeof leaf / sizeof leaf[0]; i++) {
		keep(x, worksheet_write_string(x->ws, R_HEAD2, (lxw_col_t)leaf[i].col, leaf[i].name,
		                               h));
		keep(x, worksheet_write_string(x->ws, R_COLNO, (lxw_col_t)leaf[i].col, leaf[i].no,
		                               x->f_colno));
	}
	keep(x, worksheet_write_string(x->ws, R_COLNO, C_STT, "A", x->f_colno));
	keep(x, worksheet_write_string(x->ws, R_COLNO, C_NAME, "B", x->f_colno));
	keep(x, worksheet_write_string(x->ws, R_COLNO, C_LEAD, "C", x->f_colno));
	keep(x, worksheet_write_string(x->ws, R_COLNO, C_NOTE, "D", x->f_colno));
}

static void setup_sheet(xctx *x, int last_row)
{
	for (int c = 0; c < NCOLS; c++)
		keep(x,
		     worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, col_width[c], NULL));
	keep(x, worksheet_set_row(x->ws, R_TITLE2, 33, NULL));
	keep(x, worksheet_set_row(x->ws, R_HEAD1, 30, NULL));
	keep(x, worksheet_set_row(x->ws, R_HEAD2, 42, NULL));
	worksheet_freeze_panes(x->ws, R_TOTAL, C_LEAD);
	worksheet_set_landscape(x->ws);
	worksheet_set_paper(x->ws, 9); /* A4 */
	/* Inches: left/right 0.5 (12.7 mm), top/bottom 0.6. */
	worksheet_set_margins(x->ws, 0.5, 0.5, 0.6, 0.6);
	worksheet_fit_to_pages(x->ws, 1, 0);
	worksheet_center_horizontally(x->ws);
	keep(x, worksheet_repeat_rows(x->ws, R_HEAD1, R_COLNO));
	keep(x, worksheet_print_area(x->ws, 0, 0, (lxw_row_t)last_row, C_NOTE));
	keep(x, worksheet_set_footer(x->ws, "&C&\"Times New Roman\"&9Trang &P/&N"));
}

static void put_text(xctx *x, int row, int col, const char *s, lxw_format *f)
{
	if (s && *s)
		keep(x, worksheet_write_string(x->ws, (lxw_row_t)row, (lxw_col_t)col, s, f));
	else
		keep(x, worksheet_write_blank(x->ws, (lxw_row_t)row, (lxw_col_t)col, f));
}

static int write_sheet(xctx *x)
{
	gnbv_doc_row rows[MAX_ROWS];
	size_t n = gnbv_doc_rows(x->p, x->prog, rows, MAX_ROWS);
	int sheet_row[MAX_ROWS];
	int top[MAX_ROWS], n_top = 0;
	int64_t v[NCOLS], ua, ub;
	char label[512], name[1024], lead[256];
	char *note = malloc(NOTE_CAP);
	if (!note) return gnbv_error_set(GNBV_ENOMEM, "out of memory");

	put_title_block(x);
	put_header(x);
	for (size_t i = 0; i < n; i++)
		sheet_row[i] = R_FIRST + (int)i;

	for (size_t i = 0; i < n; i++) {
		const gnbv_doc_row *r = &rows[i];
		int row = sheet_row[i];
		int style = r->kind == GNBV_DOC_ROW_PROJECT || r->kind == GNBV_DOC_ROW_UNPLACED
		                ? S_PROJECT
		                : S_LEAF;
		if (r->kind == GNBV_DOC_ROW_PROJECT || r->kind == GNBV_DOC_ROW_UNPLACED)
			top[n_top++] = row;
		/* STT: 1, 2 ... for projects, 3.1 for sub-projects, "-" for a
		 * project's own lines. */
		char stt[32] = "";
		if (r->kind == GNBV_DOC_ROW_PROJECT)
			snprintf(stt, sizeof stt, "%d", r->number);
		else if (r->kind == GNBV_DOC_ROW_SUB)
			snprintf(stt, sizeof stt, "%d.%d", r->number, r->sub_number);
		else if (r->kind == GNBV_DOC_ROW_DIRECT)
			snprintf(stt, sizeof stt, "-");
		put_text(x, row, C_STT, stt, x->f_text[style == S_LEAF ? S_PROJECT : style]);
		gnbv_doc_comp_label(r, label, sizeof label);
		const char *cname =
		    r->kind != GNBV_DOC_ROW_DIRECT ? gnbv_doc_comp_name(r->comp) : NULL;
		if (cname)
			snprintf(name, sizeof name, "%s: %s", label, cname);
		else
			snprintf(name, sizeof name, "%s", label);
		put_text(x, row, C_NAME, name, x->f_name[style]);
		lead_text(x, r, lead, sizeof lead);
		put_text(x, row, C_LEAD, lead, x->f_text[S_LEAF]);
		row_amounts(x, r, 0, v, &ua, &ub);
		if (r->kind == GNBV_DOC_ROW_PROJECT && r->n_children > 0) {
			int kids[MAX_ROWS];
			for (int k = 0; k < r->n_children; k++)
				kids[k] = row + 1 + k;
			put_sum_amounts(x, row, style, v, kids, r->n_children);
			note[0] = '\0';
		} else {
			put_leaf_amounts(x, row, style, v, ua, ub);
			row_note(x, r, ua, ub, note, NOTE_CAP);
		}
		put_text(x, row, C_NOTE, note, x->f_name[S_LEAF]);
		int nl = text_lines(name, col_width[C_NAME], style != S_LEAF);
		int t = text_lines(note, col_width[C_NOTE], 0);
		if (t > nl) nl = t;
		t = text_lines(lead, col_width[C_LEAD], 0);
		if (t > nl) nl = t;
		keep(x, worksheet_set_row(x->ws, (lxw_row_t)row, 12.5 * nl + 3, NULL));
	}

	/* TỔNG CỘNG: the projects and the unplaced row. */
	gnbv_doc_row all = {GNBV_DOC_ROW_PROJECT, NULL, 0, 0, 0};
	row_amounts(x, &all, 1, v, &ua, &ub);
	put_text(x, R_TOTAL, C_STT, "", x->f_text[S_TOTAL]);
	put_text(x, R_TOTAL, C_NAME, "TỔNG CỘNG", x->f_text[S_TOTAL]);
	put_text(x, R_TOTAL, C_LEAD, "", x->f_text[S_TOTAL]);
	put_sum_amounts(x, R_TOTAL, S_TOTAL, v, top, n_top);
	put_text(x, R_TOTAL, C_NOTE, "", x->f_name[S_TOTAL]);

	setup_sheet(x, R_FIRST + (int)n - 1);
	free(note);
	return 0;
}

static int has_stage(const gnbv_plan *p, int section, int stage)
{
	for (size_t i = 0; i < p->n_lines; i++)
		if (p->lines[i].section == section && p->lines[i].stage == stage) return 1;
	return 0;
}

int gnbv_plan_write_xlsx(const gnbv_plan *p, const gnbv_program *prog, const char *path)
{
	char tmp[4096];
	int rc = 0;
	if (!p || !prog || !path)
		return gnbv_error_set(GNBV_EINVALID, "plan xlsx: missing argument");
	/* Rows: at most a project, a "nội dung chung" row and the sub-projects
	 * per component, plus the unplaced row. */
	if (prog->n_components > (MAX_ROWS - 1) / 2)
		return gnbv_error_set(GNBV_ETOOBIG,
		                      "%s: the program has %zu components (at most %d)", path,
		                      prog->n_components, (MAX_ROWS - 1) / 2);
	rc = gnbv_doc_tmp_path(path, tmp, sizeof tmp);
	if (rc) return rc;

	xctx x = {.p = p, .prog = prog, .err = LXW_NO_ERROR};
	/* Estimated disbursement (the seed's "ước giải ngân"); actual
	 * disbursement when the plan has only that. */
	x.disb_stage =
	    has_stage(p, 0, GNBV_STAGE_EST_DISBURSED) || !has_stage(p, 0, GNBV_STAGE_DISBURSED)
	        ? GNBV_STAGE_EST_DISBURSED
	        : GNBV_STAGE_DISBURSED;
	x.wb = workbook_new(tmp);
	if (!x.wb) {
		unlink(tmp);
		return gnbv_error_set(GNBV_EIO, "%s: cannot create the workbook", path);
	}
	char sheet[32];
	snprintf(sheet, sizeof sheet, "Biểu chi tiết %d", p->plan_year);
	x.ws = workbook_add_worksheet(x.wb, sheet);
	if (!x.ws) {
		workbook_close(x.wb);
		unlink(tmp);
		return gnbv_error_set(GNBV_EIO, "%s: cannot add the sheet", path);
	}
	make_formats(&x);
	char title[512];
	snprintf(title, sizeof title, "Biểu chi tiết đề xuất kinh phí năm %d", p->plan_year);
	lxw_doc_properties props = {.title = title,
	                            .author = (char *)(p->issuer_vi ? p->issuer_vi : ""),
	                            .company = (char *)(p->issuer_vi ? p->issuer_vi : ""),
	                            .comments = "gnbv"};
	keep(&x, workbook_set_properties(x.wb, &props));
	rc = write_sheet(&x);
	lxw_error e = workbook_close(x.wb);
	if (rc) goto fail;
	if (x.err != LXW_NO_ERROR || e != LXW_NO_ERROR) {
		rc = gnbv_error_set(GNBV_EIO, "%s: %s", path,
		                    lxw_strerror(x.err != LXW_NO_ERROR ? x.err : e));
		goto fail;
	}
	return gnbv_doc_commit(tmp, path);
fail:
	unlink(tmp);
	return rc;
}
