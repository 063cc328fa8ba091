/*
 * gnbv/review.h - the review of poor and near-poor households as a workflow
 * (M4, Decision 24/2021/QĐ-TTg), the ad-hoc review, the transitions between
 * a commune's recognised rounds, the summary form, and the households
 * expected to escape poverty (M8).
 *
 * The periodic round of a commune and year moves through five steps
 * (domain.md §2): (1) listing: the households on the current lists plus
 * those who applied (Mẫu số 01); (2) survey and classification, through
 * gnbv_store_import and gnbv_store_household_put; (3) the village meeting:
 * a household's result stands only with at least the parameter's share of
 * the participants in favour, otherwise it goes back to step 2; (4) public
 * posting with complaints and their resolution; (5) the report for
 * recognition (submit) and the recognition decision. Once submitted, and
 * after recognition, the round's surveys, assessments and lists are locked:
 * every write through the store (import, household_put, this module's
 * functions, any delete) is refused with GNBV_ECONFLICT, until the level
 * above the commune reopens it with a reason. The user who submitted a
 * round cannot recognise it (GNBV_EDENIED). A step out of order is
 * GNBV_ECONFLICT with a message naming the round's step and what is needed.
 *
 * Who acts: every function that changes something takes a gnbv_review_actor,
 * the acting user's name and unit scope (the web layer passes its signed-in
 * user; the CLI passes --as NAME --unit CODE). The commune must lie in the
 * actor's scope (GNBV_EDENIED). Each step stores the user and the time, and
 * writes one audit record (actor "NAME" plus the store's actor) in the same
 * transaction.
 *
 * Conventions as gnbv/store.h: 0 or a negative GNBV_E* with the message in
 * the per-thread slot; strings in are borrowed; out structs own copies.
 * Dates are yyyymmdd integers in and 'YYYY-MM-DD' text out.
 */
#ifndef GNBV_REVIEW_H
#define GNBV_REVIEW_H

#include "gnbv/store.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GNBV_REVIEW_TEXT_MAX 1023 /* reasons, complaints, resolutions (bytes) */

/* ---- Parameters (data/review/review-params.json) ------------------------ */

typedef struct gnbv_review_params {
	int min_favour_pct;   /* a meeting's result stands at >= this % in favour */
	int deadline_days;    /* the ad-hoc decision is due this many days after the request */
	int deadline_working; /* 1: working days (Mon-Fri), 0: calendar days */
	int posting_min_days; /* 0: not checked */
	int validity_offset;  /* a round of year Y gives the lists of Y + this */
	int reopen_levels;    /* how many levels above the commune may reopen */
	size_t n_majority;
	char majority[8][32]; /* head ethnicities that are not ethnic-minority */
} gnbv_review_params;

/* Loads the parameters: `path` NULL for the built-in file, else a JSON
 * file of the same shape (an officer's corrected copy). */
int gnbv_review_params_load(gnbv_review_params *out, const char *path);

/* ---- Who acts ---------------------------------------------------------- */

typedef struct gnbv_review_actor {
	const char *user; /* the acting user's name (required, <= 127 bytes) */
	gnbv_scope scope; /* the user's unit scope */
} gnbv_review_actor;

/* ---- The periodic round ------------------------------------------------- */

typedef enum gnbv_review_step {
	GNBV_STEP_NONE,       /* not run as a workflow (a round imported only) */
	GNBV_STEP_LISTING,    /* 1: the list to review */
	GNBV_STEP_SURVEY,     /* 2: survey and classification */
	GNBV_STEP_MEETING,    /* 3: village meetings */
	GNBV_STEP_POSTING,    /* 4: public posting and complaints */
	GNBV_STEP_SUBMITTED,  /* 5: reported for recognition (locked) */
	GNBV_STEP_RECOGNISED, /* recognised by decision (locked) */
	GNBV_STEP_COUNT
} gnbv_review_step;

const char *gnbv_review_step_name(int step); /* "listing", ... */

typedef struct gnbv_review_status {
	int64_t round_id;
	char commune[GNBV_STORE_CODE_MAX + 1];
	char commune_name[GNBV_STORE_NAME_MAX + 1];
	int year;
	int step; /* gnbv_review_step */
	char standard[32];
	char opened_by[128], submitted_by[128], recognised_by[128];
	char post_start[11], post_end[11];
	char decision_no[128], decision_date[11], signer[GNBV_STORE_NAME_MAX + 1];
	uint64_t listed, applications, surveyed, agreed, resurvey, unvoted;
	uint64_t complaints, unresolved;
	int reopen_count;
} gnbv_review_status;

/* The round's state, with counts; GNBV_ENOTFOUND when the commune has no
 * round that year. Reading needs the commune in `scope`. */
int gnbv_review_status_get(gnbv_store *s, const gnbv_scope *scope, const char *commune, int year,
                           gnbv_review_status *out);

/* The periodic rounds of `year` of the communes in scope, by code (a
 * dashboard's view: each commune's step, decision, reopenings, and its
 * undecided ad-hoc requests). */
typedef struct gnbv_review_round_info {
	int64_t round_id;
	char commune[GNBV_STORE_CODE_MAX + 1];
	char commune_name[GNBV_STORE_NAME_MAX + 1];
	int year, step; /* GNBV_STEP_NONE: imported, not run as a workflow */
	char decision_no[128], decision_date[11], submitted_by[128];
	int reopen_count;
	uint64_t adhoc_open;
} gnbv_review_round_info;
typedef int (*gnbv_review_round_fn)(void *ctx, const gnbv_review_round_info *r);
int gnbv_review_rounds_each(gnbv_store *s, const gnbv_scope *scope, int year,
                            gnbv_review_round_fn fn, void *ctx);

/* Step 1 begins: creates the round when missing (reference date Y-10-01,
 * the standard of Y+1) and lists the households on the poor and near-poor
 * lists of the commune's last recognised round. ECONFLICT when the round
 * already runs as a workflow. */
int gnbv_review_open(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year);

/* Step 1: a household's application (Mẫu số 01) adds it to the list. */
typedef struct gnbv_review_application {
	const char *household_code;
	int32_t applied_on; /* yyyymmdd */
	const char *applicant;
	const char *note; /* may be NULL */
} gnbv_review_application;
int gnbv_review_apply(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year,
                      const gnbv_review_application *a);

/* Step 1: withdraws a household from the list (kept, marked removed). */
int gnbv_review_list_remove(gnbv_store *s, const gnbv_review_actor *who, const char *commune,
                            int year, const char *household_code, const char *reason);

typedef struct gnbv_review_entry {
	char household_code[GNBV_STORE_CODE_MAX + 1];
	char unit_code[GNBV_STORE_CODE_MAX + 1]; /* of its survey (a village), "" not surveyed */
	char source[16];     /* "current", "application" or "survey" (surveyed, not listed) */
	char prev_class[16]; /* on the current list as */
	char applied_on[11];
	char klass[16]; /* the round's current survey's class, "" not surveyed */
	char vote[16];  /* "agreed", "resurvey", "stale" (surveyed again), "" none */
	int64_t in_favour, participants;
} gnbv_review_entry;
typedef int (*gnbv_review_entry_fn)(void *ctx, const gnbv_review_entry *e);
/* The list and every surveyed household of the round, by code. */
int gnbv_review_list_each(gnbv_store *s, const gnbv_scope *scope, const char *commune, int year,
                          gnbv_review_entry_fn fn, void *ctx);

/* The round's meetings (by date) and complaints (by id), for a screen. */
typedef struct gnbv_review_meeting_info {
	int64_t meeting_id;
	char village[GNBV_STORE_CODE_MAX + 1];
	char village_name[GNBV_STORE_NAME_MAX + 1];
	char held_on[11];
	char chair[GNBV_STORE_NAME_MAX + 1];
	int64_t participants;
	uint64_t votes, agreed; /* standing votes at it, of which agreed */
	char recorded_by[128];
} gnbv_review_meeting_info;
typedef int (*gnbv_review_meeting_fn)(void *ctx, const gnbv_review_meeting_info *m);
int gnbv_review_meetings_each(gnbv_store *s, const gnbv_scope *scope, const char *commune, int year,
                              gnbv_review_meeting_fn fn, void *ctx);

typedef struct gnbv_review_complaint {
	int64_t complaint_id;
	char household_code[GNBV_STORE_CODE_MAX + 1];
	char received_on[11], resolved_on[11]; /* resolved_on "" while open */
	char complainant[GNBV_STORE_NAME_MAX + 1];
	char text[GNBV_REVIEW_TEXT_MAX + 1], resolution[GNBV_REVIEW_TEXT_MAX + 1];
} gnbv_review_complaint;
typedef int (*gnbv_review_complaint_fn)(void *ctx, const gnbv_review_complaint *c);
int gnbv_review_complaints_each(gnbv_store *s, const gnbv_scope *scope, const char *commune,
                                int year, gnbv_review_complaint_fn fn, void *ctx);

/* Step 2 begins: the list is closed; surveys go in through the store. */
int gnbv_review_survey(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year);

/* Step 3: a village meeting (or one of the commune, for households
 * registered at the commune) and, optionally, its votes. Moves the round
 * to the meeting step. *meeting_id (may be NULL) gets the meeting. */
typedef struct gnbv_review_meeting {
	const char *village; /* unit code: a village of the commune, or the commune */
	int32_t held_on;
	const char *chair; /* the village head (Decision 24/2021) */
	int64_t participants;
} gnbv_review_meeting;
typedef struct gnbv_review_vote {
	const char *household_code;
	int64_t in_favour;
	int agreed; /* out: 1 when the result stands */
} gnbv_review_vote;
int gnbv_review_meeting_add(gnbv_store *s, const gnbv_review_actor *who,
                            const gnbv_review_params *prm, const char *commune, int year,
                            const gnbv_review_meeting *m, gnbv_review_vote *votes, size_t n,
                            int64_t *meeting_id);

/* Step 3: votes at a recorded meeting, all or none in one transaction. A
 * household must have a current survey in the round, registered in the
 * meeting's unit; a new vote replaces the household's earlier one. A
 * result stands when in_favour * 100 >= min_favour_pct * participants;
 * otherwise the household goes back to step 2 (surveyed again, then voted
 * again). */
int gnbv_review_votes_add(gnbv_store *s, const gnbv_review_actor *who,
                          const gnbv_review_params *prm, const char *commune, int year,
                          int64_t meeting_id, gnbv_review_vote *votes, size_t n);

/* Step 4 begins: every surveyed household has a standing vote on its
 * current survey. start <= end. */
int gnbv_review_post(gnbv_store *s, const gnbv_review_actor *who, const gnbv_review_params *prm,
                     const char *commune, int year, int32_t start, int32_t end);

/* Step 4: a complaint, and its resolution. */
int gnbv_review_complain(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year,
                         const char *household_code, int32_t received_on, const char *complainant,
                         const char *text, int64_t *complaint_id);
int gnbv_review_resolve(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year,
                        int64_t complaint_id, int32_t resolved_on, const char *resolution);

/* Step 5: the round is reported for recognition (every complaint resolved,
 * every vote standing). Locks the round. */
int gnbv_review_submit(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year);

/* Step 5: recognition by decision (number, date on or after the posting's
 * end, signer). Another user than the submitter (GNBV_EDENIED). */
int gnbv_review_recognise(gnbv_store *s, const gnbv_review_actor *who, const char *commune,
                          int year, const char *decision_no, int32_t decision_date,
                          const char *signer);

/* Reopens a submitted or recognised round, back to step 2, with a reason:
 * only a user of a unit above the commune, within prm->reopen_levels
 * (GNBV_EDENIED otherwise). Votes on surveys that change afterwards lapse. */
int gnbv_review_reopen(gnbv_store *s, const gnbv_review_actor *who, const gnbv_review_params *prm,
                       const char *commune, int year, const char *reason);

/* ---- The ad-hoc review --------------------------------------------------- */

typedef struct gnbv_adhoc_request {
	int64_t request_id;
	char household_code[GNBV_STORE_CODE_MAX + 1];
	char commune[GNBV_STORE_CODE_MAX + 1];
	char requested_on[11], due_on[11], decided_on[11];
	char reason[GNBV_REVIEW_TEXT_MAX + 1];
	char decision_no[128], decided_class[16];
	int days_late; /* on the query date (or on the decision, if decided late); 0 on time */
} gnbv_adhoc_request;

/* A household's request (Mẫu số 04, date and reason): due on the date
 * plus the deadline (calendar or working days, prm). */
int gnbv_adhoc_request_add(gnbv_store *s, const gnbv_review_actor *who,
                           const gnbv_review_params *prm, const char *commune,
                           const char *household_code, int32_t requested_on, const char *reason,
                           int64_t *request_id);

/* The decision on a request, on the household's current survey in the
 * commune's ad-hoc round of `round_date` (survey it first through the
 * store with kind adhoc; ECONFLICT otherwise). */
int gnbv_adhoc_decide(gnbv_store *s, const gnbv_review_actor *who, int64_t request_id,
                      int32_t round_date, int32_t decided_on, const char *decision_no,
                      const char *signer);

typedef int (*gnbv_adhoc_fn)(void *ctx, const gnbv_adhoc_request *r);
/* Requests in scope still undecided on `on` and past their due date (on >
 * due), oldest first: the dashboard's overdue list. */
int gnbv_adhoc_overdue(gnbv_store *s, const gnbv_scope *scope, int32_t on, gnbv_adhoc_fn fn,
                       void *ctx);

/* ---- Households split and merged ---------------------------------------- */

/* Records that household `code` was split off `from[0]` (kind "split", n
 * == 1) or merged from `from[0..n)` (kind "merge") in `year`. The codes
 * must be known households. */
int gnbv_review_origin_add(gnbv_store *s, const gnbv_review_actor *who, const char *code,
                           const char *kind, const char *const *from, size_t n, int year);

/* ---- Transitions between recognised rounds ------------------------------ */

/* What happened to a household between rounds t-1 and t (see
 * src/core/transition.c for the rules). */
typedef enum gnbv_transition_kind {
	GNBV_TR_NONE,            /* no change of list */
	GNBV_TR_ESCAPED_TO_NEAR, /* poor -> near-poor */
	GNBV_TR_ESCAPED_OUT,     /* poor -> neither */
	GNBV_TR_NEWLY_POOR,      /* poor now, not in t-1, never before */
	GNBV_TR_RE_POOR,         /* poor now, not in t-1, poor in an earlier round */
	GNBV_TR_STAYED_POOR,
	GNBV_TR_KIND_COUNT
} gnbv_transition_kind;

typedef enum gnbv_transition_near {
	GNBV_TRN_NONE,
	GNBV_TRN_ESCAPED,    /* near-poor -> neither */
	GNBV_TRN_TO_POOR,    /* near-poor -> poor */
	GNBV_TRN_NEWLY_NEAR, /* near-poor now, not in t-1, never before */
	GNBV_TRN_RE_NEAR,    /* near-poor now, not in t-1, near-poor in an earlier round */
	GNBV_TRN_STAYED,
	GNBV_TRN_KIND_COUNT
} gnbv_transition_near;

typedef enum gnbv_transition_move {
	GNBV_MV_STAYED,      /* in both rounds */
	GNBV_MV_MOVED_IN,    /* only in t */
	GNBV_MV_MOVED_OUT,   /* only in t-1 */
	GNBV_MV_SPLIT_NEW,   /* only in t, split off a household */
	GNBV_MV_MERGED_NEW,  /* only in t, merged from households */
	GNBV_MV_MERGED_GONE, /* only in t-1, merged into a household of t */
	GNBV_MV_COUNT
} gnbv_transition_move;

const char *gnbv_transition_kind_name(int k);
const char *gnbv_transition_near_name(int k);
const char *gnbv_transition_move_name(int k);

typedef struct gnbv_transition {
	char household_code[GNBV_STORE_CODE_MAX + 1];
	char prev_class[16], cur_class[16];   /* "" when absent from that round */
	int kind, near, move;                 /* gnbv_transition_kind, _near, _move */
	int area;                             /* GNBV_AREA_* at t (t-1 when gone) */
	int minority;                         /* head of an ethnic minority (1), 0, -1 unknown */
	char origin[GNBV_STORE_CODE_MAX + 1]; /* first household it came from, "" */
} gnbv_transition;
typedef int (*gnbv_transition_fn)(void *ctx, const gnbv_transition *t);

/* The transitions of a commune into its recognised round of `year` from
 * its previous recognised periodic round (ENOTFOUND when either is
 * missing), one household at a time by code. *prev_year (may be NULL)
 * gets t-1's year. */
int gnbv_review_transitions(gnbv_store *s, const gnbv_scope *scope, const gnbv_review_params *prm,
                            const char *commune, int year, int *prev_year, gnbv_transition_fn fn,
                            void *ctx);

/* The pure rules (src/core/transition.c), for a household with class
 * `prev` in t-1 and `cur` in t (a gnbv_class, or -1 when absent from that
 * round); was_poor / was_near: on that list in a recognised round before
 * t-1 (itself, or a household it came from); origin: 0 none, 1 split off,
 * 2 merged from; merged_away: absent from t because merged into one. */
void gnbv_transition_decide(int prev, int cur, int was_poor, int was_near, int origin,
                            int merged_away, int *kind, int *near, int *move);

/* The meeting rule: a result stands when in_favour / participants >= pct %
 * (exact integer arithmetic: 5 of 10 stands at 50, 49 of 99 does not). */
int gnbv_review_vote_stands(int64_t in_favour, int64_t participants, int pct);

/* Dates as yyyymmdd: the day `days` after `from` (working: Monday to
 * Friday only), and the days from a to b (b - a, calendar). 0 when the
 * date is not a date. */
int32_t gnbv_review_add_days(int32_t from, int days, int working);
int64_t gnbv_review_days_between(int32_t a, int32_t b);

/* ---- The summary form ---------------------------------------------------- */

enum { GNBV_SUM_TOTAL, GNBV_SUM_URBAN, GNBV_SUM_RURAL, GNBV_SUM_AREAS };

/* One side of the form (poor or near-poor) for one unit and area. */
typedef struct gnbv_summary_side {
	uint64_t start;         /* on the list at the start of the year (t-1's decision) */
	uint64_t escaped;       /* left the list (poor: both kinds) */
	uint64_t escaped_near;  /* poor only: of which to near-poor */
	uint64_t to_other;      /* near-poor only: became poor */
	uint64_t newly, again;  /* newly on the list, back on it */
	uint64_t arrived, left; /* moved in / split / merged; moved out / merged away */
	uint64_t end;           /* on the list at the end (t's decision) */
	uint64_t end_minority;  /* of which ethnic-minority households */
} gnbv_summary_side;

typedef struct gnbv_summary_row {
	char unit_code[GNBV_STORE_CODE_MAX + 1];
	char unit_name[GNBV_STORE_NAME_MAX + 1];
	char level[16];
	int depth;   /* in the form: 0 the top unit */
	int area;    /* GNBV_SUM_* */
	int rounds;  /* communes with both rounds recognised */
	int missing; /* communes below without them */
	uint64_t households_start, households_end, minority_end;
	gnbv_summary_side poor, near;
} gnbv_summary_row;

typedef struct gnbv_summary {
	int year, prev_year; /* prev_year 0 when the communes' t-1 differ */
	size_t n;
	gnbv_summary_row *rows; /* tree order, each unit as total, urban, rural */
} gnbv_summary;

/* The summary form of year `year` for the unit `unit` (a commune, a
 * district, a province; consolidated up the tree from each commune's
 * transitions). Rows are the unit and every unit below down to the
 * communes. Free with gnbv_summary_free. */
int gnbv_review_summary(gnbv_store *s, const gnbv_scope *scope, const gnbv_review_params *prm,
                        const char *unit, int year, gnbv_summary *out);
void gnbv_summary_free(gnbv_summary *sm);

/* ---- Expected to escape (M8) ------------------------------------------- */

/* Marks a household of the commune as expected to escape poverty in
 * `year`; its deficits come from its survey in the commune's last
 * recognised round before `year` (which must list it as poor or
 * near-poor). */
int gnbv_escape_mark(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year,
                     const char *household_code);
/* Assigns the helper, a member of the commune board (name, position). */
int gnbv_escape_assign(gnbv_store *s, const gnbv_review_actor *who, int year,
                       const char *household_code, const char *helper, const char *position);
/* Records support given: what, when, amount (VND), component (may be ""). */
int gnbv_escape_support(gnbv_store *s, const gnbv_review_actor *who, int year,
                        const char *household_code, const char *what, int32_t given_on,
                        int64_t amount_vnd, const char *component);

#define GNBV_ESCAPE_MAX_DEFICITS 14
typedef struct gnbv_escape_item {
	char household_code[GNBV_STORE_CODE_MAX + 1];
	char head[GNBV_STORE_NAME_MAX + 1];
	char commune[GNBV_STORE_CODE_MAX + 1];
	char base_class[16];
	int base_year;
	size_t n_deficits;
	char deficits[GNBV_ESCAPE_MAX_DEFICITS][24]; /* indicator codes, and "income" */
	char helper[GNBV_STORE_NAME_MAX + 1], helper_position[128];
	uint64_t supports;
	int64_t support_vnd;
	char components[256]; /* of the support given, ';'-separated */
	char outcome[16];     /* class at the recognised round of `year`, "" not yet */
	int escaped;          /* 1 escaped poverty, 0 not, -1 not known yet */
} gnbv_escape_item;
typedef int (*gnbv_escape_fn)(void *ctx, const gnbv_escape_item *e);
/* The list of a commune (or any unit: every commune below) for `year`. */
int gnbv_escape_each(gnbv_store *s, const gnbv_scope *scope, const char *unit, int year,
                     gnbv_escape_fn fn, void *ctx);

/* What addresses a deficit (data/review/escape-map.json, or `path`). */
typedef struct gnbv_escape_target {
	char kind[16]; /* component, policy, program */
	char code[32];
	char name[256];
} gnbv_escape_target;
typedef struct gnbv_escape_map {
	size_t n;
	struct {
		char deficit[24];
		size_t n;
		gnbv_escape_target t[6];
	} e[16];
} gnbv_escape_map;
int gnbv_escape_map_load(gnbv_escape_map *out, const char *path);
/* The targets of one deficit, or NULL. *n gets their number. */
const gnbv_escape_target *gnbv_escape_map_find(const gnbv_escape_map *m, const char *deficit,
                                               size_t *n);

/* ---- Certificates --------------------------------------------------------- */

typedef struct gnbv_certificate {
	char household_code[GNBV_STORE_CODE_MAX + 1];
	char head[GNBV_STORE_NAME_MAX + 1];
	char village[GNBV_STORE_NAME_MAX + 1];
	char commune[GNBV_STORE_NAME_MAX + 1];
	char district[GNBV_STORE_NAME_MAX + 1];
	char province[GNBV_STORE_NAME_MAX + 1];
	char klass[16]; /* poor or near_poor */
	int year, valid_year;
	char decision_no[128], decision_date[11], signer[GNBV_STORE_NAME_MAX + 1];
} gnbv_certificate;
typedef int (*gnbv_certificate_fn)(void *ctx, const gnbv_certificate *c);
/* The certificates of a recognised round: its poor and near-poor
 * households, or just `household_code` (NULL: all). ECONFLICT when the
 * round is not recognised. */
int gnbv_review_certificates(gnbv_store *s, const gnbv_scope *scope, const gnbv_review_params *prm,
                             const char *commune, int year, const char *household_code,
                             gnbv_certificate_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
