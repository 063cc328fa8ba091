/*
 * doc_common.h - what the plan documents share (src/doc, internal).
 *
 * The XLSX workbook and the DOCX plan show the same figures, so they take
 * them from the same place: sums over the plan's lines (never the totals a
 * document states), the program's projects in program order with the
 * sub-projects a table shows, the lead agency of a component, amounts in
 * million VND written the Vietnamese way (133.086; 67.718,85), and the
 * temporary-file-then-rename step that makes both writers atomic.
 *
 * Also a growable text buffer with a cap and one XML escaper, used for
 * every string that goes into a WordprocessingML part.
 */
#ifndef GNBV_DOC_COMMON_H
#define GNBV_DOC_COMMON_H

#include "gnbv/plan.h"

#include <stddef.h>
#include <stdint.h>

/* ---- Which lines: state budget vs the rest ----------------------------- */

/* State budget (ngân sách nhà nước): central, local, or level not stated.
 * Mobilised money and money integrated from other programs stay outside
 * the state-budget totals, as the seed keeps its 375 outside 133.086. */
#define GNBV_DOC_SRC_STATE                                                                         \
	((1u << GNBV_SRC_CENTRAL) | (1u << GNBV_SRC_STATE) | (1u << GNBV_SRC_LOCAL))
#define GNBV_DOC_SRC_OTHER ((1u << GNBV_SRC_MOBILISED) | (1u << GNBV_SRC_INTEGRATED))
#define GNBV_DOC_SRC_ANY   (GNBV_DOC_SRC_STATE | GNBV_DOC_SRC_OTHER)

/* How a sum picks components. */
enum {
	GNBV_DOC_COMP_ANY = 0, /* every line */
	GNBV_DOC_COMP_EXACT,   /* the component itself only */
	GNBV_DOC_COMP_TREE,    /* the component and its sub-projects ("DA6" -> DA6.1) */
	GNBV_DOC_COMP_UNPLACED /* no component, or one the program does not know */
};

typedef struct gnbv_doc_sel {
	int section;      /* 0 = A, 1 = B, -1 both */
	int stage;        /* gnbv_stage, -1 any */
	int capital;      /* gnbv_capital, -1 any */
	unsigned sources; /* bit per gnbv_fund_source */
	int comp_mode;    /* GNBV_DOC_COMP_* */
	const char *component;
} gnbv_doc_sel;

/* Sum in VND of the lines selected. prog is needed for UNPLACED. */
int64_t gnbv_doc_sum(const gnbv_plan *p, const gnbv_program *prog, const gnbv_doc_sel *s);
/* The component's official name, or NULL when the program has none (its
 * name_vi is then only a label made from the code, which the documents
 * write themselves). */
const char *gnbv_doc_comp_name(const gnbv_component *c);

/* ---- The rows a table shows -------------------------------------------- */

enum {
	GNBV_DOC_ROW_PROJECT = 0,
	GNBV_DOC_ROW_SUB,     /* a sub-project */
	GNBV_DOC_ROW_DIRECT,  /* the lines on a project that also has sub-project lines */
	GNBV_DOC_ROW_UNPLACED /* lines without a known component */
};

typedef struct gnbv_doc_row {
	int kind;
	const gnbv_component *comp; /* NULL for UNPLACED */
	int n_children;             /* rows that follow and add up to a PROJECT row */
	int number, sub_number;     /* 1 and 0 for "1", 3 and 1 for "3.1" */
} gnbv_doc_row;

/* The rows in program order. Every project is listed, with or without
 * lines (the province adds the districts' tables up project by project, so
 * an empty project row says "nothing asked", not "forgotten"). A project's
 * sub-projects are listed unless every line of the project sits on the
 * project itself (DA1 in the seed); when both kinds exist, a DIRECT row
 * holds the project's own lines. An UNPLACED row comes last when some line
 * has no known component. Returns the count; rows has room for cap. */
size_t gnbv_doc_rows(const gnbv_plan *p, const gnbv_program *prog, gnbv_doc_row *rows, size_t cap);

/* "Dự án 3", "Tiểu dự án 1" (into buf), from the component's code. */
void gnbv_doc_comp_label(const gnbv_doc_row *r, char *buf, size_t cap);
/* "Tiểu dự án 1, Dự án 3" or "Dự án 2", as the seed names assignments. */
void gnbv_doc_comp_ref(const gnbv_program *prog, const gnbv_component *c, char *buf, size_t cap);

/* ---- Agencies ------------------------------------------------------------ */

const gnbv_plan_agency *gnbv_doc_agency(const gnbv_plan *p, const char *code);
/* The lead role of a component in a section: its own, else its project's. */
const gnbv_plan_role *gnbv_doc_role(const gnbv_plan *p, const gnbv_program *prog, int section,
                                    const char *component);

/* ---- Numbers ----------------------------------------------------------- */

/* VND as million VND, Vietnamese style, at most 3 decimals rounded half
 * up in integer arithmetic: 133086000000 -> "133.086", 67718850000 ->
 * "67.718,85". Returns the length. */
size_t gnbv_doc_million(char *buf, size_t cap, int64_t vnd);
/* part / whole as "95,45%" (two decimals); "" when whole is 0. */
size_t gnbv_doc_pct(char *buf, size_t cap, int64_t part, int64_t whole);

/* ---- Text ------------------------------------------------------------- */

/* Upper-cases the Vietnamese letters (ASCII, Latin-1, Ă Đ Ĩ Ũ Ơ Ư and the
 * Latin Extended Additional block) of UTF-8 `s` into buf; other code points
 * are copied. lower != 0 lower-cases instead. first_only: only the first
 * letter. Returns the length (truncated to cap - 1). */
size_t gnbv_doc_case(char *buf, size_t cap, const char *s, int lower, int first_only);

/* A growable buffer with a cap: appends never fail loudly; the first
 * failure is remembered and reported by gnbv_doc_buf_status. */
typedef struct gnbv_doc_buf {
	char *p;
	size_t len, cap, max;
	int err; /* 0 or GNBV_ENOMEM / GNBV_ETOOBIG */
} gnbv_doc_buf;

void gnbv_doc_buf_init(gnbv_doc_buf *b, size_t max);
void gnbv_doc_buf_free(gnbv_doc_buf *b);
/* Markup, copied as is: only for literals and numbers gnbv writes. */
void gnbv_doc_raw(gnbv_doc_buf *b, const char *s);
void gnbv_doc_rawf(gnbv_doc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text: XML-escaped (& < > " '), control characters other than tab and
 * newline dropped (XML 1.0 forbids them), invalid UTF-8 bytes replaced by
 * U+FFFD. The one way data reaches a DOCX part. */
void gnbv_doc_esc(gnbv_doc_buf *b, const char *s);
/* 0, or the error with a message naming `what`. */
int gnbv_doc_buf_status(const gnbv_doc_buf *b, const char *what);

/* ---- JSON extras -------------------------------------------------------- */

/* The string member `key` of the JSON object text `json` (an `extra`
 * member of the plan), copied into buf; "" when absent or not a string.
 * A dotted key descends objects ("signer.on_behalf"). */
size_t gnbv_doc_json_str(const char *json, const char *key, char *buf, size_t cap);

/* The integer member `key` (dotted as above); `def` when absent. */
long gnbv_doc_json_int(const char *json, const char *key, long def);

/* ---- The document's number and date (Decree 30/2020/NĐ-CP, Appendix I) -- */

/* "15/KH-UBND", or "      /KH-UBND" while the plan is not numbered (the
 * clerk writes the number in when the document is issued). The suffix is
 * the document's number_suffix, else "KH-UBND". */
void gnbv_doc_number(const gnbv_plan *p, char *buf, size_t cap);
/* "ngày 05 tháng 8 năm 2022": a day below 10 and the months 1 and 2 take a
 * leading zero (Appendix I, II.5). Undated: "ngày      tháng 8 năm 2022"
 * with the month and year the document gives, else blanks and the report
 * year. */
void gnbv_doc_date(const gnbv_plan *p, char *buf, size_t cap);
/* The place name of the date line: the document's place, else the unit's
 * name. */
void gnbv_doc_place(const gnbv_plan *p, char *buf, size_t cap);

/* ---- Atomic output ------------------------------------------------------ */

/* A temporary name beside `path` (same folder, so rename is atomic). */
int gnbv_doc_tmp_path(const char *path, char *buf, size_t cap);
/* fsync the temporary file and rename it onto path; on failure it is
 * removed. */
int gnbv_doc_commit(const char *tmp, const char *path);

#endif
