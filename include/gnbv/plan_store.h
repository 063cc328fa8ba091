/*
 * gnbv/plan_store.h - plan documents in the store (M6): put a whole plan,
 * read it back, list a scope's plans, change one budget line.
 *
 * A plan belongs to a unit (a district for the seed) and is identified by
 * (unit, plan_year). Plans hold no personal data, but writes are still
 * confined to the caller's scope (GNBV_EDENIED outside) and audited in the
 * hash chain; reads outside the scope say GNBV_ENOTFOUND.
 */
#ifndef GNBV_PLAN_STORE_H
#define GNBV_PLAN_STORE_H

#include "gnbv/plan.h"
#include "gnbv/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stores the plan for (p->unit_code, p->plan_year), replacing the one
 * there, in one transaction with its audit record. The unit must exist
 * (the one valid today) and be in scope. *changed (may be NULL) is 0 when
 * the stored plan was already identical (nothing is written). */
int gnbv_store_plan_put(gnbv_store *s, const gnbv_scope *scope, const gnbv_plan *p, int *changed);

/* Reads the plan of the unit proposing plan_year. */
int gnbv_store_plan_get(gnbv_store *s, const gnbv_scope *scope, const char *unit_code,
                        int plan_year, gnbv_plan **out);

typedef struct gnbv_plan_info {
	char unit_code[GNBV_STORE_CODE_MAX + 1];
	char unit_name[GNBV_STORE_NAME_MAX + 1];
	int plan_year, report_year, status;
	char number[64];
	size_t n_lines;
	char updated_at[32];
} gnbv_plan_info;
typedef int (*gnbv_plan_info_fn)(void *ctx, const gnbv_plan_info *info);

/* Plans of units in the scope, by unit code then year. */
int gnbv_store_plan_list(gnbv_store *s, const gnbv_scope *scope, gnbv_plan_info_fn fn, void *ctx);

/* Sets one budget line's amount (an edit by an officer), audited with the
 * old and new amounts. GNBV_ENOTFOUND for an unknown line. */
int gnbv_store_plan_line_set(gnbv_store *s, const gnbv_scope *scope, const char *unit_code,
                             int plan_year, const char *line_id, int64_t amount_vnd);

#ifdef __cplusplus
}
#endif
#endif
