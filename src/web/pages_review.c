/*
 * pages_review.c - the review rounds' progress (issue 6 step 9, over
 * gnbv/review.h): for a year, every commune of the user's units with its
 * round's step (listing, survey, meeting, posting, submitted, recognised),
 * the recognition decision, how often it was reopened and its undecided
 * ad-hoc requests. Counts and states only, no personal data: every role
 * reads it. The steps themselves are taken with `gnbv review` for now;
 * the store confines the list to the user's scope.
 */
#include "web.h"

#include "gnbv/error.h"
#include "gnbv/review.h"

#include <stdio.h>
#include <string.h>

typedef struct rounds_ctx {
	gnbv_web_req *r;
	json_t *a;
	int locked, open;
} rounds_ctx;

static int add_round(void *ctx, const gnbv_review_round_info *ri)
{
	rounds_ctx *c = ctx;
	char key[48];
	snprintf(key, sizeof key, "step.%s",
	         ri->step == GNBV_STEP_NONE ? "none" : gnbv_review_step_name(ri->step));
	int locked = ri->step == GNBV_STEP_SUBMITTED || ri->step == GNBV_STEP_RECOGNISED;
	c->locked += locked;
	c->open += !locked;
	json_array_append_new(
	    c->a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:i,s:I}", "code", ri->commune, "name",
	                    ri->commune_name, "step", gnbv_web_msg(c->r, key), "decision",
	                    ri->decision_no, "date", ri->decision_date, "locked", locked,
	                    "reopened", ri->reopen_count, "adhoc", (json_int_t)ri->adhoc_open));
	return 0;
}

int gnbv_page_reviews(gnbv_web_req *r)
{
	int year, prev, rc;
	json_t *years = NULL;
	if ((rc = gnbv_web_round(r, gnbv_web_query(r, "round", 8), &year, &prev, &years)))
		return rc;
	json_t *a = json_array();
	rounds_ctx c = {r, a, 0, 0};
	if (year && (rc = gnbv_review_rounds_each(r->s, &r->scope, year, add_round, &c))) {
		json_decref(a);
		json_decref(years);
		return rc;
	}
	r->page =
	    json_pack("{s:i,s:o,s:b,s:o,s:i,s:i}", "round", year, "years", years, "has_rounds",
	              json_array_size(a) > 0, "rounds", a, "locked", c.locked, "open", c.open);
	if (!r->page) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	r->tmpl = "reviews";
	r->title_key = "rev.title";
	return 0;
}
