/*
 * gnbv/dash.h - the reads behind the web application's screens: counts by
 * child unit and class, households deficient per indicator, paged and
 * filtered household lists, a household's history across rounds, the
 * rounds there are, and access records for views and exports of personal
 * data (quality.md S3).
 *
 * Every call takes the caller's scope and confines itself to it in the
 * store, like gnbv/store.h: a unit outside the scope is GNBV_ENOTFOUND (the
 * same answer as a unit that does not exist), and rows outside are never
 * counted or listed. Counts come from the surveys themselves with one
 * GROUP BY, so an edit shows up in the next request (quality.md P3).
 *
 * A cache (optional: NULL computes every time) keeps, per round, the
 * households of every unit by class and the poor households deficient per
 * indicator, computed once for the whole tree and checked at every call
 * against the survey id counter: every change to a survey inserts a new
 * survey (history is never overwritten), so an unchanged counter means
 * unchanged counts, and a changed one recomputes them before answering.
 * Scope is applied when the per-unit counts are rolled up, as without a
 * cache. One cache serves one database; it may be shared by threads.
 */
#ifndef GNBV_DASH_H
#define GNBV_DASH_H

#include "gnbv/store.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gnbv_dash_cache gnbv_dash_cache;
/* NULL on ENOMEM. */
gnbv_dash_cache *gnbv_dash_cache_new(void);
void gnbv_dash_cache_free(gnbv_dash_cache *c);
/* Fills the cache for the latest `rounds` periodic rounds (a server does
 * it before its first request, so that none waits for it). */
int gnbv_dash_cache_warm(gnbv_store *s, gnbv_dash_cache *c, int rounds);
/* After an edit of one household (gnbv_store_household_put), moves it from
 * its old class and deficits to its new ones in the cache instead of
 * recounting the round: `version_before` is gnbv_dash_version read before
 * the edit. When anything else was written in between (the version moved
 * by more than the edit's one survey), the round is recounted at its next
 * use instead. Indicators are given by rule (GNBV_RULE_COUNT entries). */
int gnbv_dash_cache_note_edit(gnbv_store *s, gnbv_dash_cache *c, const gnbv_round_ref *round,
                              const char *unit_code, int64_t version_before, int old_class,
                              const signed char old_ind[GNBV_RULE_COUNT], int new_class,
                              const signed char new_ind[GNBV_RULE_COUNT]);
/* The version the cache compares (the survey id counter). */
int gnbv_dash_version(gnbv_store *s, int64_t *out);

/* One unit's counts in one round: households by class. */
typedef struct gnbv_dash_row {
	char code[GNBV_STORE_CODE_MAX + 1];
	char name[GNBV_STORE_NAME_MAX + 1];
	char level[16];
	int has_children;
	uint64_t n[GNBV_CLASS_COUNT];
	uint64_t total;
} gnbv_dash_row;

#define GNBV_DASH_MAX_ROWS 4096 /* children of one unit */

/* The unit `unit_code` (NULL or "": the scope's root; for the whole tree,
 * a row for the tree with the root units as children) and its children,
 * each with the households of its subtree in the round. `self` gets the
 * unit's own totals; rows (cap GNBV_DASH_MAX_ROWS, allocated by the
 * caller) the children in code order, *n their number. `parent` (may be
 * NULL) gets the parent's code when the parent is also in scope, else "".
 * `round` NULL: the units alone, every count zero, nothing read but the
 * unit tree (the users page's select of units). */
int gnbv_dash_by_child(gnbv_store *s, const gnbv_scope *scope, gnbv_dash_cache *cache,
                       const char *unit_code, const gnbv_round_ref *round, gnbv_dash_row *self,
                       gnbv_dash_row *rows, size_t cap, size_t *n, char *parent, size_t parent_cap);

/* Households of the unit's subtree in the round deficient in each
 * indicator (by rule, GNBV_RULE_COUNT entries: certainly deficient), and
 * the households counted (*total). poor_only: only poor households. */
int gnbv_dash_deficits(gnbv_store *s, const gnbv_scope *scope, gnbv_dash_cache *cache,
                       const char *unit_code, const gnbv_round_ref *round, int poor_only,
                       uint64_t deficient[GNBV_RULE_COUNT], uint64_t *total);

/* The code of a rule ("health_insurance"), or NULL. */
const char *gnbv_dash_rule_code(int rule);
/* The rule with this code, or -1. */
int gnbv_dash_rule_parse(const char *code);

/* A household list: filters and a page. */
typedef struct gnbv_hh_filter {
	const char *unit_code; /* NULL: the scope's root */
	int klass;             /* -1: every class */
	int rule;              /* -1: any; else households deficient in this rule */
	gnbv_round_ref round;
	uint64_t offset;
	size_t limit; /* 0: 50; at most 1000 */
} gnbv_hh_filter;

typedef struct gnbv_hh_item {
	char code[GNBV_STORE_CODE_MAX + 1];
	char unit_code[GNBV_STORE_CODE_MAX + 1];
	char unit_name[GNBV_STORE_NAME_MAX + 1];
	char head[GNBV_STORE_NAME_MAX + 1]; /* the head's name, or the first member's */
	int members;
	int klass;
	int deficits;
} gnbv_hh_item;
typedef int (*gnbv_hh_fn)(void *ctx, const gnbv_hh_item *it);

/* The page of households matching f, by unit (tree order) then in the
 * order their surveys were written (import order: by code); *total (may
 * be NULL) gets how many match in all. */
int gnbv_dash_households(gnbv_store *s, const gnbv_scope *scope, gnbv_dash_cache *cache,
                         const gnbv_hh_filter *f, gnbv_hh_fn fn, void *ctx, uint64_t *total);

/* One survey of a household's history (corrections included). */
typedef struct gnbv_hh_hist {
	int year;
	char period[32];
	char unit_code[GNBV_STORE_CODE_MAX + 1];
	int klass;
	int deficits;
	int replaced; /* 1: corrected by a later survey of the same round */
	int64_t survey_id;
} gnbv_hh_hist;
typedef int (*gnbv_hist_fn)(void *ctx, const gnbv_hh_hist *h);

/* The household's surveys in every round, oldest first; GNBV_ENOTFOUND
 * when it has none in scope. */
int gnbv_dash_history(gnbv_store *s, const gnbv_scope *scope, const char *code, gnbv_hist_fn fn,
                      void *ctx);

/* The years of the periodic rounds held anywhere (not personal data),
 * newest first; *n gets how many (at most cap). */
int gnbv_dash_years(gnbv_store *s, int *years, size_t cap, size_t *n);

/* An access record in the audit chain: who (the connection's actor) saw
 * or exported which personal data (action "view" or "export", object
 * "household:CODE" or "households:UNIT", detail a JSON object). Not
 * business state: it changes no data. */
int gnbv_dash_access(gnbv_store *s, const char *action, const char *object, const char *detail);

#ifdef __cplusplus
}
#endif
#endif
