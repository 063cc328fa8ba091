/*
 * gnbv/plan.h - program structures, plans and budgets (M6).
 *
 * A program (a data/programs file, format gnbv-program/1) is a tree of
 * components: projects (DA1 .. DA7) and their sub-projects (DA3.1, ...),
 * each with the capital types it may use. A plan document (the Kế hoạch of
 * a unit) reports on year N (section A) and proposes year N+1 (section B);
 * it is identified by its unit and N+1. Its budget lines carry integer VND.
 *
 * A gnbv_plan is one plan document in memory, as read from a gnbv-plan/1
 * file (data/demo/README.md describes the format field by field) or from
 * the store. Every string and array lives in the plan's arena: free the
 * whole with gnbv_plan_free. Fields that gnbv does not interpret (quotes
 * of the source document, notes, confidence tags) are kept as JSON text in
 * `extra` members, so that a plan goes file -> store -> file unchanged.
 *
 * Conventions (gnbv/error.h): 0 or a negative GNBV_E* code with a message.
 */
#ifndef GNBV_PLAN_H
#define GNBV_PLAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Enumerations: the codes of gnbv-program/1 ------------------------- */

/* Capital type (loại vốn): ĐTPT (development investment) or SN (recurrent).
 * NONE for money that is not state budget (mobilised). */
typedef enum gnbv_capital {
	GNBV_CAP_NONE = 0,
	GNBV_CAP_DTPT,
	GNBV_CAP_SN,
	GNBV_CAP_COUNT
} gnbv_capital;

/* Source of funds (nguồn vốn). STATE: state budget, level not stated. */
typedef enum gnbv_fund_source {
	GNBV_SRC_CENTRAL = 0,
	GNBV_SRC_STATE,
	GNBV_SRC_LOCAL,
	GNBV_SRC_MOBILISED,
	GNBV_SRC_INTEGRATED,
	GNBV_SRC_COUNT
} gnbv_fund_source;

/* Stage of an amount. */
typedef enum gnbv_stage {
	GNBV_STAGE_PROPOSED = 0,
	GNBV_STAGE_ALLOCATED,
	GNBV_STAGE_DISBURSED,
	GNBV_STAGE_EST_DISBURSED, /* ước giải ngân */
	GNBV_STAGE_COUNT
} gnbv_stage;

/* Status of a plan document. */
typedef enum gnbv_plan_status {
	GNBV_PLAN_DRAFT = 0,
	GNBV_PLAN_SUBMITTED,
	GNBV_PLAN_APPROVED,
	GNBV_PLAN_STATUS_COUNT
} gnbv_plan_status;

/* Codes as written in files ("DTPT", "central_budget", "proposed",
 * "draft"); NULL for an out-of-range value. */
const char *gnbv_capital_code(int c);
const char *gnbv_source_code(int s);
const char *gnbv_stage_code(int s);
const char *gnbv_plan_status_code(int s);
/* The reverse: the enum value, or -1 for an unknown code. "" and NULL map
 * to GNBV_CAP_NONE for the capital type. */
int gnbv_capital_parse(const char *code);
int gnbv_source_parse(const char *code);
int gnbv_stage_parse(const char *code);
int gnbv_plan_status_parse(const char *code);

/* Vietnamese labels for documents ("ĐTPT", "Ngân sách trung ương", ...) and
 * English ones. lang: "vi" or "en". */
const char *gnbv_capital_label(int c, const char *lang);
const char *gnbv_source_label(int s, const char *lang);
const char *gnbv_stage_label(int s, const char *lang);

/* ---- Program structure -------------------------------------------------- */

typedef struct gnbv_component {
	const char *code;              /* "DA1", "DA3.1" */
	const char *parent;            /* project code for a sub-project, NULL for a project */
	const char *name_vi, *name_en; /* name_vi is never NULL; name_en may be */
	int name_known;                /* 0: the official name was not read; name_vi is
	                                * then a label made from the code */
	unsigned capital_mask;         /* bit (1u << gnbv_capital) per allowed type */
	const char *lead_kind;         /* usual lead agency kind code, or NULL */
	int order;                     /* position in the program (documents list in it) */
} gnbv_component;

typedef struct gnbv_program {
	const char *code; /* "gnbv-2021-2025" */
	const char *name_vi, *name_en;
	int year_from, year_to;
	gnbv_component *components; /* projects and sub-projects, program order */
	size_t n_components;
	struct gnbv__arena *arena;
} gnbv_program;

/* Loads a program: `name` is a built-in code (data/programs/, embedded) or
 * a path to a gnbv-program/1 file. Errors name the file and the field. */
int gnbv_program_load(const char *name, gnbv_program **out);
void gnbv_program_free(gnbv_program *p);
/* The component with this code, or NULL. */
const gnbv_component *gnbv_program_component(const gnbv_program *p, const char *code);
/* 1 when `code` is `prefix` or one of its sub-projects ("DA6.1" of "DA6"),
 * never "DA10" of "DA1"; 0 when either is NULL. */
int gnbv_component_in(const char *code, const char *prefix);
/* The project a component belongs to (itself for a project), or NULL. */
const gnbv_component *gnbv_program_project(const gnbv_program *p, const char *code);

/* ---- A plan document ---------------------------------------------------- */

/* The two sections of a plan: A reports on year N, B proposes year N+1. */
#define GNBV_PLAN_SECTIONS 2

typedef struct gnbv_plan_line {
	const char *id; /* stable within the plan, e.g. "B-DA4.3-DTPT" */
	int section;    /* 0 = A, 1 = B */
	int year;
	const char *component; /* NULL when the document names none */
	int capital;           /* gnbv_capital */
	int source;            /* gnbv_fund_source */
	int stage;             /* gnbv_stage */
	int64_t amount_vnd;
	const char *item;  /* what the line pays for, or NULL */
	const char *extra; /* JSON object of the other fields, or NULL */
} gnbv_plan_line;

/* Which lines a stated total covers. Unset members match every line. */
typedef struct gnbv_plan_filter {
	int year;                     /* 0: any */
	int stage, source, capital;   /* -1: any */
	const char *component;        /* exact, or NULL */
	const char *component_prefix; /* "DA6" matches DA6, DA6.1, DA6.2; NULL: any */
	unsigned source_mask;         /* bit per gnbv_fund_source; 0: any */
	const char **line_ids;        /* exactly these lines; NULL: any */
	size_t n_line_ids;
} gnbv_plan_filter;

/* A total the document itself states. */
typedef struct gnbv_plan_total {
	const char *id;
	int section;
	const char *what; /* short description */
	gnbv_plan_filter filter;
	int64_t amount_vnd;
	const char *where; /* where the document states it ("A.III 2.5") */
	const char *extra;
} gnbv_plan_total;

/* An output (works, models, classes, loudspeaker clusters, households). */
typedef struct gnbv_plan_output {
	int section;
	const char *component;
	int capital;      /* GNBV_CAP_NONE when not split by capital */
	int has_quantity; /* 0: the document gives no number */
	double quantity;
	const char *unit_vi, *unit_en; /* NULL when not given */
	const char *extra;
} gnbv_plan_output;

/* A target (poverty rate, jobs, trained labour, insurance coverage, ...).
 * `value` holds a plain number; a compound value such as {households,
 * rate_percent} has households / rate filled and value_json kept. */
typedef struct gnbv_plan_target {
	const char *id;
	int section;
	const char *indicator;
	const char *text;
	int year; /* the year the target is for; 0: the section's */
	int has_value;
	double value;
	int has_households, has_rate;
	double households, rate_percent;
	const char *value_json; /* the value as written, JSON */
	const char *unit;
	const char *comparator; /* ">", ">=", or NULL */
	const char *extra;
} gnbv_plan_target;

/* Lead and cooperating agencies of a component in a section's year. */
typedef struct gnbv_plan_role {
	int section;
	const char *component;
	const char *lead; /* agency code */
	const char **cooperating;
	size_t n_cooperating;
	const char *extra;
} gnbv_plan_role;

/* Narrative text for a component (what was done, what is planned). */
typedef struct gnbv_plan_content {
	int section;
	const char *component;
	const char *text;
} gnbv_plan_content;

typedef struct gnbv_plan_agency {
	const char *code;
	const char *name_vi, *abbr, *name_en;
	const char *extra;
} gnbv_plan_agency;

typedef struct gnbv_plan {
	const char *program;   /* program code */
	const char *unit_code; /* the unit whose plan it is */
	const char *unit_name;
	int report_year, plan_year; /* N and N+1 */
	/* The document (Kế hoạch). */
	const char *number; /* NULL: not yet numbered */
	const char *date;   /* YYYY-MM-DD, NULL: not yet dated */
	const char *signer_name, *signer_title;
	int status; /* gnbv_plan_status */
	const char *title_vi, *issuer_vi;
	const char *unit_extra; /* JSON object: the file's "unit" minus code/name */
	const char *doc_extra;  /* JSON object: the file's "document" */
	const char *top_extra;  /* JSON object: other top-level members (notes, ...) */
	const char *section_extra[GNBV_PLAN_SECTIONS]; /* other section members */
	const char *section_title[GNBV_PLAN_SECTIONS];

	gnbv_plan_agency *agencies;
	size_t n_agencies;
	gnbv_plan_line *lines;
	size_t n_lines;
	gnbv_plan_total *totals;
	size_t n_totals;
	gnbv_plan_output *outputs;
	size_t n_outputs;
	gnbv_plan_target *targets;
	size_t n_targets;
	gnbv_plan_role *roles;
	size_t n_roles;
	gnbv_plan_content *contents;
	size_t n_contents;

	struct gnbv__arena *arena;
} gnbv_plan;

void gnbv_plan_free(gnbv_plan *p);

/* ---- Dates and years of a plan (src/core/plan_dates.c) ----------------- */

/* The years a plan may name: its report and plan years, a line's, a
 * target's or a stated total's year, and the year of its document date.
 * The program runs 2021-2025 and its successor to 2035; the bounds leave
 * room for older plans and later programs, and refuse typing slips (203,
 * 20223). */
#define GNBV_PLAN_YEAR_MIN 1990
#define GNBV_PLAN_YEAR_MAX 2200

/* Checks a document date as text: exactly YYYY-MM-DD, a day that exists
 * (2024-02-29 is one, 2023-02-29 and 2022-13-01 are not; gnbv/date.h) of a
 * year GNBV_PLAN_YEAR_MIN..MAX. 0 with *out (may be NULL) as yyyymmdd, or
 * GNBV_EINVALID with why[0..cap) (may be NULL) saying, in English, what is
 * wrong. Pure: sets no error message. The file reader, the store, the CLI
 * and the web form all check the date with it. */
int gnbv_plan_date_check(const char *s, int32_t *out, char *why, size_t cap);

/* Checks every date and year the plan carries: the report and plan years
 * (the plan year the next), the document date (gnbv_plan_date_check), and
 * the years of the lines, targets and stated totals' filters (0, "the
 * section's", is allowed for targets and filters). Outputs carry no date.
 * 0, or GNBV_EINVALID with why[0..cap) naming the first bad field as its
 * gnbv-plan/1 path ("document.date", "sections.B.lines[4].year (B-DA5)")
 * and what is wrong. Pure: sets no error message. gnbv_store_plan_put
 * refuses a plan that fails it. */
int gnbv_plan_check_dates(const gnbv_plan *p, char *why, size_t cap);

/* Reads a gnbv-plan/1 file. Every field is validated (types, codes, years
 * of the two sections, unique line ids, agencies named by roles exist);
 * errors name FILE:LINE:COLUMN and the field. */
int gnbv_plan_load_json(const char *path, gnbv_plan **out);
/* The same from memory; `name` is used in messages. */
int gnbv_plan_parse_json(const char *name, const char *text, size_t len, gnbv_plan **out);
/* Writes the plan as gnbv-plan/1 (what load_json reads back to the same
 * plan). Atomic: the file appears whole or not at all. path "-": stdout. */
int gnbv_plan_write_json(const gnbv_plan *p, const char *path);

/* The plan as gnbv-plan/1 text (malloc'd, NUL-terminated; free it). */
int gnbv_plan_to_json(const gnbv_plan *p, char **out);

/* Building a plan in code (the store, the web editor): an empty plan with
 * its arena, then arrays and strings allocated in it. */
int gnbv_plan_new(gnbv_plan **out);
void *gnbv_plan_alloc(gnbv_plan *p, size_t n);
/* A copy of s[0..n) in the plan's arena; NULL in, NULL out. */
const char *gnbv_plan_strndup(gnbv_plan *p, const char *s, size_t n);
/* Sets t's value from its JSON text (a number, an object such as
 * {households, rate_percent}, or NULL for none). */
int gnbv_plan_target_set_value(gnbv_plan *p, gnbv_plan_target *t, const char *value_json);

/* The agency with this code, or NULL. */
const gnbv_plan_agency *gnbv_plan_agency_find(const gnbv_plan *p, const char *code);
/* The lead role for a component in a section, or NULL: the component's
 * own, else its project's. */
const gnbv_plan_role *gnbv_plan_role_find(const gnbv_plan *p, int section, const char *component);

/* 1 when the line matches the filter. */
int gnbv_plan_filter_match(const gnbv_plan_filter *f, const gnbv_plan_line *l);

/* Sum of the lines of section `section` (-1: both) that match the filter. */
int64_t gnbv_plan_sum_where(const gnbv_plan *p, int section, const gnbv_plan_filter *f);

/* Sum of the lines of section `section` (-1: both) whose fields match;
 * -1 in an argument means any; component_prefix NULL means any. */
int64_t gnbv_plan_sum(const gnbv_plan *p, int section, int stage, int capital, int source,
                      const char *component_prefix);

/* ---- Consistency checks (src/core/plan_check.c) ------------------------ */

typedef enum gnbv_finding_kind {
	GNBV_FIND_STATED_TOTAL = 0,    /* a stated total differs from its lines */
	GNBV_FIND_CAPITAL_NOT_ALLOWED, /* capital type not allowed for the component */
	GNBV_FIND_UNKNOWN_COMPONENT,
	GNBV_FIND_OVER_DISBURSED,   /* disbursement above allocation */
	GNBV_FIND_TARGETS_CONFLICT, /* a rate and a count that imply different totals */
	GNBV_FIND_YEAR_MISMATCH,    /* a line's year is not its section's */
	GNBV_FIND_STAGE_MISMATCH,   /* e.g. a proposal in the report section */
	GNBV_FIND_CAPITAL_MISSING,  /* state-budget money without ĐTPT/SN */
	GNBV_FIND_KIND_COUNT
} gnbv_finding_kind;

#define GNBV_FINDING_MAX_LINES 8

typedef struct gnbv_finding {
	int kind; /* gnbv_finding_kind */
	int section;
	const char *subject;         /* the stated total, target or line the finding is about */
	int64_t stated, computed;    /* amounts (VND), where they apply */
	double stated_d, computed_d; /* other figures (households, %), where they apply */
	const char *lines[GNBV_FINDING_MAX_LINES]; /* ids of the lines involved */
	size_t n_lines;                            /* how many are listed */
	size_t n_lines_total; /* how many there are (more than listed: "...") */
	char message[512];    /* English, plain numbers: for logs and JSON */
	char message_vi[512]; /* Vietnamese, Vietnamese number format: for officers */
} gnbv_finding;

typedef int (*gnbv_finding_fn)(void *ctx, const gnbv_finding *f);

/* Runs every check over the plan against its program, in a fixed order,
 * calling fn per finding. *n_findings (may be NULL) gets the count. Pure:
 * reads only its arguments. Returns 0 (findings are not errors) or what fn
 * returned when non-zero. */
int gnbv_plan_check(const gnbv_plan *p, const gnbv_program *prog, gnbv_finding_fn fn, void *ctx,
                    size_t *n_findings);

/* The finding's message in a language ("vi" or "en"). */
const char *gnbv_finding_message(const gnbv_finding *f, const char *lang);

/* The finding kind's code ("stated_total", ...) and a localized title. */
const char *gnbv_finding_code(int kind);
const char *gnbv_finding_title(int kind, const char *lang);

/* ---- Documents (src/doc) ------------------------------------------------ */

/* The "biểu chi tiết" workbook (XLSX) and the Kế hoạch (DOCX) of the plan
 * document proposing p->plan_year, in Vietnamese (they are the documents
 * an officer signs; docs/documents.md). Both atomic. */
int gnbv_plan_write_xlsx(const gnbv_plan *p, const gnbv_program *prog, const char *path);
int gnbv_plan_write_docx(const gnbv_plan *p, const gnbv_program *prog, const char *path);

#ifdef __cplusplus
}
#endif
#endif
