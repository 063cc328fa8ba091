/*
 * pages_review.c - the review rounds' progress (issue 6 step 9, over
 * gnbv/review.h): for a year, every commune of the user's units with its
 * round's step (listing, survey, meeting, posting, submitted, recognised),
 * the recognition decision, how often it was reopened and its undecided
 * ad-hoc requests. Counts and states only, no personal data: every role
 * reads it; the store confines the list to the user's scope.
 *
 * The round page of one commune and year (/review/CODE/YEAR) runs the
 * periodic round from the list to recognition: its state, the list, the
 * meetings with their votes, the posting with its complaints, submission,
 * recognition and reopening, and the commune's ad-hoc requests. Each step
 * is a POST form (/review/CODE/YEAR/STEP, carrying the CSRF token) that
 * checks its fields here, calls gnbv/review.h with the signed-in user as
 * the actor, and answers 303 back to the page on success; a refusal
 * re-renders the page with a sentence of the catalogue chosen by the
 * step and the error (out of order, the lock, the 50% rule, submitter
 * approving, wrong level to reopen), the API's detail beneath it, and the
 * status of the error (400, 403, 404, 409). Who may post which step is in
 * routes.c; the store then checks scope, order, lock and who.
 *
 * Also here: the commune's households expected to escape poverty (M8,
 * /review/CODE/YEAR/escape) with the forms to mark one, assign its helper
 * and record support, and the dashboard's list of overdue ad-hoc requests
 * (gnbv_web_overdue).
 */
#include "web.h"

#include "gnbv/date.h"
#include "gnbv/error.h"
#include "gnbv/review.h"

#include <civetweb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A JSON string of text that may not be UTF-8 (then ""). */
static json_t *js(const char *v)
{
	json_t *j = json_string(v ? v : "");
	return j ? j : json_string("");
}

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
	/* A commune user's own round of the year, to open it when not begun. */
	gnbv_unit u;
	if (year && gnbv_perm_allows(GNBV_PERM_PERSONAL, r->sess.user.role) &&
	    r->sess.user.unit_code[0] &&
	    !gnbv_store_unit_get(r->s, r->sess.user.unit_code, year * 10000 + 1001, &u) &&
	    !strcmp(u.level, "commune")) {
		json_object_set_new(r->page, "own", js(u.code));
		json_object_set_new(r->page, "own_name", js(u.name));
	}
	r->tmpl = "reviews";
	r->title_key = "rev.title";
	return 0;
}

/* ---- the round page of a commune and year ---- */

/* The commune and year of the path; 0 or GNBV_ENOTFOUND. */
static int round_args(gnbv_web_req *r, gnbv_unit *u, int *year)
{
	char *end;
	long y = strtol(r->arg2, &end, 10);
	if (*end || y < 2000 || y > 2100) return gnbv_error_set(GNBV_ENOTFOUND, "no such year");
	*year = (int)y;
	if (gnbv_store_unit_get(r->s, r->arg, (int32_t)(y * 10000 + 1001), u) ||
	    strcmp(u->level, "commune"))
		return gnbv_error_set(GNBV_ENOTFOUND, "no such commune");
	return 0;
}

typedef struct page_ctx {
	gnbv_web_req *r;
	json_t *entries, *villages, *meetings, *complaints, *adhoc, *votable;
	json_t *names; /* village code -> name */
	const char *commune;
} page_ctx;

static const char *class_label(gnbv_web_req *r, const char *klass)
{
	char key[40];
	if (!klass || !*klass) return "";
	snprintf(key, sizeof key, "class.%s", klass);
	return gnbv_web_msg(r, key);
}

static int add_entry(void *ctx, const gnbv_review_entry *e)
{
	page_ctx *c = ctx;
	char src[40], vote[40];
	snprintf(src, sizeof src, "rv.src.%s", e->source);
	snprintf(vote, sizeof vote, "rv.vote.%s", e->vote[0] ? e->vote : "none");
	int need_vote = e->klass[0] && strcmp(e->vote, "agreed");
	const char *vname = json_string_value(json_object_get(c->names, e->unit_code));
	json_t *o = json_pack(
	    "{s:o,s:s,s:s,s:s,s:o,s:s,s:s,s:b,s:b,s:I,s:I,s:o,s:o}", "code", js(e->household_code),
	    "source", gnbv_web_msg(c->r, src), "prev", class_label(c->r, e->prev_class), "klass",
	    class_label(c->r, e->klass), "applied", js(e->applied_on), "vote",
	    gnbv_web_msg(c->r, vote), "vote_key", e->vote[0] ? e->vote : "none", "surveyed",
	    e->klass[0] != 0, "need_vote", need_vote, "in_favour", (json_int_t)e->in_favour,
	    "participants", (json_int_t)e->participants, "unit", js(e->unit_code), "village",
	    js(vname ? vname : e->unit_code));
	if (!o) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	json_array_append_new(c->entries, o);
	if (need_vote)
		json_array_append_new(c->votable,
		                      json_pack("{s:o,s:o,s:o}", "code", js(e->household_code),
		                                "unit", js(e->unit_code), "village",
		                                js(vname ? vname : e->unit_code)));
	return 0;
}

static int add_village(void *ctx, const gnbv_unit *u)
{
	page_ctx *c = ctx;
	if (strcmp(u->parent_code, c->commune) || strcmp(u->level, "village") || u->valid_to[0])
		return 0;
	json_array_append_new(c->villages,
	                      json_pack("{s:o,s:o}", "code", js(u->code), "name", js(u->name)));
	json_object_set_new(c->names, u->code, js(u->name));
	return 0;
}

static int add_meeting(void *ctx, const gnbv_review_meeting_info *m)
{
	page_ctx *c = ctx;
	json_array_append_new(
	    c->meetings,
	    json_pack("{s:I,s:o,s:o,s:o,s:I,s:I,s:I,s:o}", "id", (json_int_t)m->meeting_id,
	              "village", js(m->village_name), "date", js(m->held_on), "chair", js(m->chair),
	              "participants", (json_int_t)m->participants, "votes", (json_int_t)m->votes,
	              "agreed", (json_int_t)m->agreed, "by", js(m->recorded_by)));
	return 0;
}

static int add_complaint(void *ctx, const gnbv_review_complaint *k)
{
	page_ctx *c = ctx;
	json_array_append_new(
	    c->complaints,
	    json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "id", (json_int_t)k->complaint_id,
	              "household", js(k->household_code), "date", js(k->received_on), "by",
	              js(k->complainant), "text", js(k->text), "resolved", js(k->resolved_on),
	              "resolution", js(k->resolution), "open", !k->resolved_on[0]));
	return 0;
}

static int add_overdue(void *ctx, const gnbv_adhoc_request *q)
{
	page_ctx *c = ctx;
	if (c->commune && strcmp(q->commune, c->commune)) return 0;
	json_array_append_new(c->adhoc, json_pack("{s:I,s:o,s:o,s:o,s:o,s:i}", "id",
	                                          (json_int_t)q->request_id, "household",
	                                          js(q->household_code), "date",
	                                          js(q->requested_on), "due", js(q->due_on),
	                                          "reason", js(q->reason), "late", q->days_late));
	return 0;
}

/* The households to vote on, by village then code: a meeting's rows together. */
static int by_village(const void *a, const void *b)
{
	const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "unit")),
	               json_string_value(json_object_get(y, "unit")));
	return c ? c
	         : strcmp(json_string_value(json_object_get(x, "code")),
	                  json_string_value(json_object_get(y, "code")));
}

static int sort_votable(gnbv_web_req *r, json_t *a)
{
	size_t n = json_array_size(a);
	if (n < 2) return 0;
	json_t **v = gnbv_arena_alloc(r->arena, n * sizeof *v);
	if (!v) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof *v, by_village);
	json_array_clear(a);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	return 0;
}

/* Today as yyyymmdd (the server's local calendar). */
static int32_t today(const gnbv_web_req *r)
{
	return gnbv_web_today(r->now);
}

/* The page: the round's state and the forms of the steps it can take now.
 * `err_key` / `detail` (may be NULL): a refusal to show above the forms. */
static int round_page(gnbv_web_req *r, const char *err_key, const char *detail)
{
	gnbv_unit u;
	gnbv_review_status st;
	int year, rc;
	if ((rc = round_args(r, &u, &year))) return rc;
	int found = 1;
	rc = gnbv_review_status_get(r->s, &r->scope, u.code, year, &st);
	if (rc == GNBV_ENOTFOUND) {
		found = 0;
		memset(&st, 0, sizeof st);
		st.step = GNBV_STEP_NONE;
	} else if (rc) {
		return rc;
	}
	page_ctx c;
	memset(&c, 0, sizeof c);
	c.r = r;
	c.commune = u.code;
	c.entries = json_array();
	c.villages = json_array();
	c.meetings = json_array();
	c.complaints = json_array();
	c.adhoc = json_array();
	c.votable = json_array();
	c.names = json_object();
	json_t *steps = json_array();
	r->page = json_object();
	json_object_set_new(r->page, "entries", c.entries);
	json_object_set_new(r->page, "villages", c.villages);
	json_object_set_new(r->page, "meetings", c.meetings);
	json_object_set_new(r->page, "complaints", c.complaints);
	json_object_set_new(r->page, "adhoc", c.adhoc);
	json_object_set_new(r->page, "votable", c.votable);
	json_object_set_new(r->page, "steps", steps);
	json_object_set_new(r->page, "village_names", c.names); /* owned by the page */
	if ((rc = gnbv_store_units_each(r->s, add_village, &c))) return rc;
	json_array_append_new(c.villages, json_pack("{s:o,s:o}", "code", js(u.code), "name",
	                                            js(gnbv_web_msg(r, "rv.at_commune"))));
	if (found && st.step != GNBV_STEP_NONE) {
		if ((rc = gnbv_review_list_each(r->s, &r->scope, u.code, year, add_entry, &c)) ||
		    (rc = gnbv_review_meetings_each(r->s, &r->scope, u.code, year, add_meeting,
		                                    &c)) ||
		    (rc = gnbv_review_complaints_each(r->s, &r->scope, u.code, year, add_complaint,
		                                      &c)) ||
		    (rc = sort_votable(r, c.votable)))
			return rc;
	}
	if ((rc = gnbv_adhoc_overdue(r->s, &r->scope, today(r), add_overdue, &c))) return rc;
	for (int k = GNBV_STEP_LISTING; k <= GNBV_STEP_RECOGNISED; k++) {
		char key[48];
		snprintf(key, sizeof key, "step.%s", gnbv_review_step_name(k));
		json_array_append_new(steps,
		                      json_pack("{s:s,s:b,s:b}", "name", gnbv_web_msg(r, key),
		                                "done", st.step > k, "current", st.step == k));
	}
	char key[48];
	snprintf(key, sizeof key, "step.%s",
	         st.step == GNBV_STEP_NONE ? "none" : gnbv_review_step_name(st.step));
	int role = r->sess.user.role, s_ = st.step;
	int run = gnbv_perm_allows(GNBV_PERM_REVIEW, role);
	int locked = s_ == GNBV_STEP_SUBMITTED || s_ == GNBV_STEP_RECOGNISED;
	json_t *o = json_pack(
	    "{s:o,s:o,s:i,s:b,s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:I,s:I,s:I,s:I,s:I,"
	    "s:I,s:I,s:i}",
	    "code", js(u.code), "name", js(u.name), "year", year, "found", found, "step",
	    gnbv_web_msg(r, key), "locked", locked, "opened_by", js(st.opened_by), "submitted_by",
	    js(st.submitted_by), "recognised_by", js(st.recognised_by), "post_start",
	    js(st.post_start), "post_end", js(st.post_end), "decision_no", js(st.decision_no),
	    "decision_date", js(st.decision_date), "signer", js(st.signer), "standard",
	    js(st.standard), "listed", (json_int_t)st.listed, "applications",
	    (json_int_t)st.applications, "surveyed", (json_int_t)st.surveyed, "agreed",
	    (json_int_t)st.agreed, "resurvey", (json_int_t)st.resurvey, "unvoted",
	    (json_int_t)st.unvoted, "complaints_n", (json_int_t)st.complaints, "unresolved",
	    (json_int_t)st.unresolved, "reopened", st.reopen_count);
	if (!o) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	json_object_update(r->page, o);
	json_decref(o);
	json_t *p = r->page;
	json_object_set_new(p, "can_open", json_boolean(run && s_ == GNBV_STEP_NONE));
	json_object_set_new(p, "can_list", json_boolean(run && s_ == GNBV_STEP_LISTING));
	json_object_set_new(
	    p, "can_meet",
	    json_boolean(run && (s_ == GNBV_STEP_SURVEY || s_ == GNBV_STEP_MEETING)));
	json_object_set_new(p, "can_post", json_boolean(run && s_ == GNBV_STEP_MEETING));
	json_object_set_new(p, "can_complain", json_boolean(run && s_ == GNBV_STEP_POSTING));
	json_object_set_new(
	    p, "can_recognise",
	    json_boolean(gnbv_perm_allows(GNBV_PERM_RECOGNISE, role) && s_ == GNBV_STEP_SUBMITTED));
	json_object_set_new(p, "can_reopen",
	                    json_boolean(gnbv_perm_allows(GNBV_PERM_REOPEN, role) && locked));
	json_object_set_new(p, "can_adhoc", json_boolean(run));
	json_object_set_new(p, "has_entries", json_boolean(json_array_size(c.entries) > 0));
	json_object_set_new(p, "entries_n", json_integer((json_int_t)json_array_size(c.entries)));
	json_object_set_new(p, "has_meetings", json_boolean(json_array_size(c.meetings) > 0));
	json_object_set_new(p, "has_votable", json_boolean(json_array_size(c.votable) > 0));
	json_object_set_new(p, "has_complaints", json_boolean(json_array_size(c.complaints) > 0));
	json_object_set_new(p, "has_adhoc", json_boolean(json_array_size(c.adhoc) > 0));
	json_object_set_new(
	    p, "today",
	    json_sprintf("%04d-%02d-%02d", today(r) / 10000, today(r) / 100 % 100, today(r) % 100));
	/* Steps are dated in the round's season: today only then, else blank. */
	int ty = today(r) / 10000;
	json_object_set_new(p, "round_today",
	                    json_string(ty == year || ty == year + 1
	                                    ? json_string_value(json_object_get(p, "today"))
	                                    : ""));
	json_object_set_new(p, "all_voted",
	                    json_boolean(found && st.surveyed > 0 && !st.resurvey && !st.unvoted));
	const char *done = gnbv_web_query(r, "done", 24);
	if (done && !err_key) {
		char dk[48];
		snprintf(dk, sizeof dk, "rv.done.%s", done);
		if (json_object_get(r->cat, dk))
			json_object_set_new(p, "done", json_string(gnbv_web_msg(r, dk)));
		const char *back = gnbv_web_query(r, "back", 8);
		if (back && strcmp(back, "0")) json_object_set_new(p, "back", js(back));
	}
	if (err_key) {
		json_object_set_new(p, "error", json_string(gnbv_web_msg(r, err_key)));
		if (detail && *detail) json_object_set_new(p, "detail", js(detail));
	}
	r->tmpl = "review";
	r->title_key = "rv.title";
	/* The page lists the round's households (and the overdue requests'):
	 * a view of personal data, recorded. */
	char object[96];
	snprintf(object, sizeof object, "review_list:%s:%d", u.code, year);
	return gnbv_web_access_round(r, "access.view", object, year, json_array_size(c.entries),
	                             "review");
}

int gnbv_page_review(gnbv_web_req *r)
{
	return round_page(r, NULL, NULL);
}

/* ---- the steps (POST) ---- */

/* A form date 'YYYY-MM-DD' as yyyymmdd; 0 when absent or not a date. */
static int32_t form_date(gnbv_web_req *r, const char *name)
{
	const char *v = gnbv_web_form(r, name, 10);
	int32_t d = 0;
	return v && gnbv_date_parse(v, strlen(v), 1, 9999, &d) == GNBV_DATE_OK ? d : 0;
}

/* A form count >= 0; -1 when absent or not a number. */
static int64_t form_count(gnbv_web_req *r, const char *name)
{
	const char *v = gnbv_web_form(r, name, 12);
	char *end;
	if (!v || !*v) return -1;
	long long n = strtoll(v, &end, 10);
	return *end || n < 0 ? -1 : (int64_t)n;
}

/* A required text field, trimmed of nothing: NULL when absent or empty. */
static const char *form_text(gnbv_web_req *r, const char *name, size_t max)
{
	const char *v = gnbv_web_form(r, name, max);
	return v && *v ? v : NULL;
}

/* The answer to a form the server refuses before the API: 400 and why. */
static int bad_form(gnbv_web_req *r, const char *key)
{
	int rc = round_page(r, key, NULL);
	if (!rc) r->status = 400;
	return rc;
}

/* The answer to the API's refusal: the page again with the catalogue's
 * sentence for this step and error, the API's detail, and the status. */
static int refused(gnbv_web_req *r, const char *step, int err)
{
	char detail[512], key[48];
	snprintf(detail, sizeof detail, "%s", gnbv_error_message());
	int status = err == GNBV_EINVALID    ? 400
	             : err == GNBV_EDENIED   ? 403
	             : err == GNBV_ENOTFOUND ? 404
	             : err == GNBV_ECONFLICT ? 409
	                                     : 0;
	if (!status) return err; /* a fault: the server's 500 */
	const char *kind = err == GNBV_EINVALID    ? "invalid"
	                   : err == GNBV_EDENIED   ? "denied"
	                   : err == GNBV_ENOTFOUND ? "notfound"
	                                           : "conflict";
	snprintf(key, sizeof key, "rv.err.%s.%s", step, kind);
	if (!json_object_get(r->cat, key)) snprintf(key, sizeof key, "rv.err.%s", kind);
	gnbv_error_clear();
	int rc = round_page(r, key, detail);
	if (rc == GNBV_EDENIED || rc == GNBV_ENOTFOUND) return rc; /* out of scope: no page */
	if (!rc) r->status = status;
	return rc;
}

/* Back to the page after a step, with what was done. */
static int done(gnbv_web_req *r, const char *step, int64_t back)
{
	char loc[256], a[96], y[16];
	mg_url_encode(r->arg, a, sizeof a);
	mg_url_encode(r->arg2, y, sizeof y);
	snprintf(loc, sizeof loc, "/review/%s/%s?done=%s&back=%lld", a, y, step, (long long)back);
	return gnbv_web_redirect(r, loc);
}

/* The round's commune, year and actor for a step; 0 or the error. */
typedef struct step_ctx {
	gnbv_unit u;
	int year;
	gnbv_review_actor who;
	gnbv_review_params prm;
} step_ctx;

static int step_begin(gnbv_web_req *r, step_ctx *x)
{
	int rc = round_args(r, &x->u, &x->year);
	if (rc) return rc;
	x->who.user = r->sess.user.name;
	x->who.scope = r->scope;
	return gnbv_review_params_load(&x->prm, NULL);
}

#define STEP(rc_, name)                                                                            \
	do {                                                                                       \
		int e_ = (rc_);                                                                    \
		if (e_) return refused(r, name, e_);                                               \
	} while (0)

int gnbv_page_review_open(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	STEP(gnbv_review_open(r->s, &x.who, x.u.code, x.year), "open");
	return done(r, "open", 0);
}

int gnbv_page_review_apply(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	gnbv_review_application a = {form_text(r, "household", GNBV_STORE_CODE_MAX),
	                             form_date(r, "date"),
	                             form_text(r, "applicant", GNBV_STORE_NAME_MAX),
	                             gnbv_web_form(r, "note", GNBV_REVIEW_TEXT_MAX)};
	if (!a.household_code || !a.applied_on || !a.applicant) return bad_form(r, "rv.bad.apply");
	STEP(gnbv_review_apply(r->s, &x.who, x.u.code, x.year, &a), "apply");
	return done(r, "apply", 0);
}

int gnbv_page_review_remove(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	const char *hh = form_text(r, "household", GNBV_STORE_CODE_MAX);
	const char *why = form_text(r, "reason", GNBV_REVIEW_TEXT_MAX);
	if (!hh || !why) return bad_form(r, "rv.bad.remove");
	STEP(gnbv_review_list_remove(r->s, &x.who, x.u.code, x.year, hh, why), "remove");
	return done(r, "remove", 0);
}

int gnbv_page_review_survey(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	STEP(gnbv_review_survey(r->s, &x.who, x.u.code, x.year), "survey");
	return done(r, "survey", 0);
}

typedef struct votes_ctx {
	gnbv_web_req *r;
	const char *village;
	gnbv_review_vote *v;
	size_t n, cap;
	int bad;
} votes_ctx;

/* The meeting form's votes: v_CODE for each household of the village
 * that needs one; a count for a household of another village is bad. */
static int pick_vote(void *ctx, const gnbv_review_entry *e)
{
	votes_ctx *c = ctx;
	char k[GNBV_STORE_CODE_MAX + 8];
	snprintf(k, sizeof k, "v_%s", e->household_code);
	const char *v = gnbv_web_form(c->r, k, 12);
	if (!v || !*v) return 0;
	int64_t n = form_count(c->r, k);
	if (n < 0 || strcmp(e->unit_code, c->village)) {
		c->bad = 1;
		return 0;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		gnbv_review_vote *p = gnbv_arena_alloc(c->r->arena, cap * sizeof *p);
		if (!p) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		if (c->n) memcpy(p, c->v, c->n * sizeof *p);
		c->v = p;
		c->cap = cap;
	}
	char *code = gnbv_arena_alloc(c->r->arena, strlen(e->household_code) + 1);
	if (!code) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	memcpy(code, e->household_code, strlen(e->household_code) + 1);
	c->v[c->n].household_code = code;
	c->v[c->n].in_favour = n;
	c->v[c->n].agreed = 0;
	c->n++;
	return 0;
}

int gnbv_page_review_meeting(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	gnbv_review_meeting m = {form_text(r, "village", GNBV_STORE_CODE_MAX), form_date(r, "date"),
	                         form_text(r, "chair", GNBV_STORE_NAME_MAX),
	                         form_count(r, "participants")};
	if (!m.village || !m.held_on || !m.chair || m.participants < 1)
		return bad_form(r, "rv.bad.meeting");
	votes_ctx c = {r, m.village, NULL, 0, 0, 0};
	if ((rc = gnbv_review_list_each(r->s, &r->scope, x.u.code, x.year, pick_vote, &c)))
		return refused(r, "meeting", rc);
	if (c.bad) return bad_form(r, "rv.bad.votes");
	for (size_t i = 0; i < c.n; i++)
		if (c.v[i].in_favour > m.participants) return bad_form(r, "rv.bad.votes");
	STEP(gnbv_review_meeting_add(r->s, &x.who, &x.prm, x.u.code, x.year, &m, c.v, c.n, NULL),
	     "meeting");
	int64_t back = 0;
	for (size_t i = 0; i < c.n; i++)
		back += !c.v[i].agreed;
	return done(r, "meeting", back);
}

int gnbv_page_review_vote(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	int64_t meeting = form_count(r, "meeting");
	gnbv_review_vote v = {form_text(r, "household", GNBV_STORE_CODE_MAX),
	                      form_count(r, "in_favour"), 0};
	if (meeting < 1 || !v.household_code || v.in_favour < 0) return bad_form(r, "rv.bad.vote");
	STEP(gnbv_review_votes_add(r->s, &x.who, &x.prm, x.u.code, x.year, meeting, &v, 1), "vote");
	return done(r, "vote", !v.agreed);
}

int gnbv_page_review_post(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	int32_t a = form_date(r, "start"), b = form_date(r, "end");
	if (!a || !b || b < a) return bad_form(r, "rv.bad.post");
	STEP(gnbv_review_post(r->s, &x.who, &x.prm, x.u.code, x.year, a, b), "post");
	return done(r, "post", 0);
}

int gnbv_page_review_complain(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	const char *hh = form_text(r, "household", GNBV_STORE_CODE_MAX);
	const char *by = gnbv_web_form(r, "by", GNBV_STORE_NAME_MAX);
	const char *text = form_text(r, "text", GNBV_REVIEW_TEXT_MAX);
	int32_t on = form_date(r, "date");
	if (!hh || !text || !on) return bad_form(r, "rv.bad.complain");
	STEP(gnbv_review_complain(r->s, &x.who, x.u.code, x.year, hh, on, by ? by : "", text, NULL),
	     "complain");
	return done(r, "complain", 0);
}

int gnbv_page_review_resolve(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	int64_t id = form_count(r, "complaint");
	const char *text = form_text(r, "resolution", GNBV_REVIEW_TEXT_MAX);
	int32_t on = form_date(r, "date");
	if (id < 1 || !text || !on) return bad_form(r, "rv.bad.resolve");
	STEP(gnbv_review_resolve(r->s, &x.who, x.u.code, x.year, id, on, text), "resolve");
	return done(r, "resolve", 0);
}

int gnbv_page_review_submit(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	STEP(gnbv_review_submit(r->s, &x.who, x.u.code, x.year), "submit");
	return done(r, "submit", 0);
}

int gnbv_page_review_recognise(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	const char *no = form_text(r, "decision", 127);
	const char *signer = form_text(r, "signer", GNBV_STORE_NAME_MAX);
	int32_t on = form_date(r, "date");
	if (!no || !signer || !on) return bad_form(r, "rv.bad.recognise");
	STEP(gnbv_review_recognise(r->s, &x.who, x.u.code, x.year, no, on, signer), "recognise");
	return done(r, "recognise", 0);
}

int gnbv_page_review_reopen(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	const char *why = form_text(r, "reason", GNBV_REVIEW_TEXT_MAX);
	if (!why) return bad_form(r, "rv.bad.reopen");
	STEP(gnbv_review_reopen(r->s, &x.who, &x.prm, x.u.code, x.year, why), "reopen");
	return done(r, "reopen", 0);
}

int gnbv_page_review_adhoc(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	const char *hh = form_text(r, "household", GNBV_STORE_CODE_MAX);
	const char *why = form_text(r, "reason", GNBV_REVIEW_TEXT_MAX);
	int32_t on = form_date(r, "date");
	if (!hh || !why || !on) return bad_form(r, "rv.bad.adhoc");
	STEP(gnbv_adhoc_request_add(r->s, &x.who, &x.prm, x.u.code, hh, on, why, NULL), "adhoc");
	return done(r, "adhoc", 0);
}

int gnbv_page_review_decide(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	int64_t id = form_count(r, "request");
	int32_t round = form_date(r, "round_date"), on = form_date(r, "date");
	const char *no = form_text(r, "decision", 127);
	const char *signer = form_text(r, "signer", GNBV_STORE_NAME_MAX);
	if (id < 1 || !round || !on || !no || !signer) return bad_form(r, "rv.bad.decide");
	STEP(gnbv_adhoc_decide(r->s, &x.who, id, round, on, no, signer), "decide");
	return done(r, "decide", 0);
}

/* ---- expected to escape (M8): the commune's progress ---- */

typedef struct escape_ctx {
	gnbv_web_req *r;
	json_t *a;
	const gnbv_escape_map *map;
	int escaped, helped;
} escape_ctx;

static int add_escape(void *ctx, const gnbv_escape_item *e)
{
	escape_ctx *c = ctx;
	json_t *defs = json_array();
	for (size_t i = 0; i < e->n_deficits; i++) {
		size_t n = 0;
		const gnbv_escape_target *t = gnbv_escape_map_find(c->map, e->deficits[i], &n);
		json_t *ts = json_array();
		for (size_t k = 0; t && k < n; k++) /* a component by its code, else by name */
			json_array_append_new(
			    ts,
			    json_pack("{s:o,s:o}", "code",
			              js(strcmp(t[k].kind, "component") ? t[k].name : t[k].code),
			              "name", js(t[k].name)));
		char key[48];
		snprintf(key, sizeof key, "%s.%s",
		         strcmp(e->deficits[i], "income") ? "ind" : "rv.esc", e->deficits[i]);
		json_array_append_new(defs, json_pack("{s:s,s:o}", "name",
		                                      json_object_get(c->r->cat, key)
		                                          ? gnbv_web_msg(c->r, key)
		                                          : e->deficits[i],
		                                      "targets", ts));
	}
	char out[48];
	snprintf(out, sizeof out, "rv.esc.%s",
	         e->escaped < 0 ? "pending"
	         : e->escaped   ? "escaped"
	                        : "stayed");
	c->escaped += e->escaped == 1;
	c->helped += e->supports > 0;
	json_t *o =
	    json_pack("{s:o,s:o,s:s,s:o,s:o,s:o,s:I,s:s,s:o,s:s}", "code", js(e->household_code),
	              "head", js(e->head), "base", class_label(c->r, e->base_class), "deficits",
	              defs, "helper", js(e->helper), "position", js(e->helper_position), "supports",
	              (json_int_t)e->supports, "vnd", gnbv_web_int(c->r, e->support_vnd),
	              "components", js(e->components), "outcome", gnbv_web_msg(c->r, out));
	if (!o) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	json_array_append_new(c->a, o);
	return 0;
}

int gnbv_page_review_escape(gnbv_web_req *r)
{
	gnbv_unit u;
	int year, rc;
	gnbv_escape_map *map = gnbv_arena_alloc(r->arena, sizeof *map);
	if (!map) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if ((rc = round_args(r, &u, &year)) || (rc = gnbv_escape_map_load(map, NULL))) return rc;
	escape_ctx c = {r, json_array(), map, 0, 0};
	r->page = json_pack("{s:o,s:o,s:i,s:o}", "code", js(u.code), "name", js(u.name), "year",
	                    year, "items", c.a);
	if (!r->page) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if ((rc = gnbv_escape_each(r->s, &r->scope, u.code, year, add_escape, &c))) return rc;
	json_object_set_new(r->page, "n", json_integer((json_int_t)json_array_size(c.a)));
	json_object_set_new(r->page, "has_items", json_boolean(json_array_size(c.a) > 0));
	json_object_set_new(r->page, "escaped", json_integer(c.escaped));
	json_object_set_new(r->page, "helped", json_integer(c.helped));
	json_object_set_new(r->page, "can_escape",
	                    json_boolean(gnbv_perm_allows(GNBV_PERM_REVIEW, r->sess.user.role)));
	json_object_set_new(
	    r->page, "today",
	    json_sprintf("%04d-%02d-%02d", today(r) / 10000, today(r) / 100 % 100, today(r) % 100));
	const char *done_q = gnbv_web_query(r, "done", 24);
	if (done_q) {
		char dk[48];
		snprintf(dk, sizeof dk, "rv.done.%s", done_q);
		if (json_object_get(r->cat, dk))
			json_object_set_new(r->page, "done", json_string(gnbv_web_msg(r, dk)));
	}
	r->tmpl = "escape";
	r->title_key = "rv.esc.title";
	char object[96];
	snprintf(object, sizeof object, "escape:%s:%d", u.code, year);
	return gnbv_web_access_round(r, "access.view", object, year, json_array_size(c.a), "escape");
}

/* ---- the summary form (issue 7 item 5): any unit, consolidated ---- */

/* One side (poor or near-poor) of a row, formatted for the page. */
static json_t *side_json(gnbv_web_req *r, const gnbv_summary_side *d, uint64_t hh_start,
                         uint64_t hh_end)
{
	return json_pack(
	    "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "start",
	    gnbv_web_int(r, (int64_t)d->start), "start_pct", gnbv_web_pct(r, d->start, hh_start),
	    "escaped", gnbv_web_int(r, (int64_t)d->escaped), "escaped_pct",
	    gnbv_web_pct(r, d->escaped, hh_start), "newly", gnbv_web_int(r, (int64_t)d->newly),
	    "again", gnbv_web_int(r, (int64_t)d->again), "arrived",
	    gnbv_web_int(r, (int64_t)d->arrived), "left", gnbv_web_int(r, (int64_t)d->left), "end",
	    gnbv_web_int(r, (int64_t)d->end), "end_pct", gnbv_web_pct(r, d->end, hh_end),
	    "minority", gnbv_web_int(r, (int64_t)d->end_minority));
}

int gnbv_page_summary(gnbv_web_req *r)
{
	static const char *const AREA_KEYS[GNBV_SUM_AREAS] = {"rv.sum.total", "rv.sum.urban",
	                                                      "rv.sum.rural"};
	char *end;
	long y = strtol(r->arg2, &end, 10);
	if (*end || y < 2000 || y > 2100) return gnbv_error_set(GNBV_ENOTFOUND, "no such year");
	gnbv_unit u;
	int rc;
	if ((rc = gnbv_store_unit_get(r->s, r->arg, (int32_t)(y * 10000 + 1001), &u))) return rc;
	gnbv_review_params prm;
	if ((rc = gnbv_review_params_load(&prm, NULL))) return rc;
	gnbv_summary sm;
	memset(&sm, 0, sizeof sm);
	rc = gnbv_review_summary(r->s, &r->scope, &prm, u.code, (int)y, &sm);
	/* Outside the user's units the form does not exist for them. */
	if (rc == GNBV_EDENIED) return gnbv_error_set(GNBV_ENOTFOUND, "no such unit");
	if (rc) return rc;
	json_t *rows = json_array();
	for (size_t i = 0; i < sm.n; i++) {
		const gnbv_summary_row *w = &sm.rows[i];
		json_t *o = json_pack(
		    "{s:s,s:s,s:i,s:b,s:s,s:s,s:o,s:o,s:i}", "code", w->unit_code, "name",
		    w->area == GNBV_SUM_TOTAL ? w->unit_name : "", "depth", w->depth, "total",
		    w->area == GNBV_SUM_TOTAL, "area",
		    gnbv_web_msg(r, AREA_KEYS[w->area < GNBV_SUM_AREAS ? w->area : 0]),
		    "households", gnbv_web_int(r, (int64_t)w->households_end), "poor",
		    side_json(r, &w->poor, w->households_start, w->households_end), "near",
		    side_json(r, &w->near, w->households_start, w->households_end), "missing",
		    w->missing);
		if (o) json_array_append_new(rows, o);
	}
	r->page =
	    json_pack("{s:s,s:s,s:i,s:i,s:o,s:b}", "code", u.code, "name", u.name, "year", sm.year,
	              "prev", sm.prev_year, "rows", rows, "has_prev", sm.prev_year != 0);
	gnbv_summary_free(&sm);
	if (!r->page) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	r->tmpl = "summary";
	r->title_key = "rv.sum.title";
	return 0;
}

/* ---- the dashboard's overdue ad-hoc requests ---- */

typedef struct overdue_ctx {
	json_t *a;
	int personal;
	json_int_t n;
} overdue_ctx;

static int add_overdue_dash(void *ctx, const gnbv_adhoc_request *q)
{
	overdue_ctx *c = ctx;
	c->n++;
	if (!c->personal || json_array_size(c->a) >= 50) return 0;
	char year[5];
	snprintf(year, sizeof year, "%.4s", q->requested_on);
	json_array_append_new(c->a, json_pack("{s:o,s:o,s:s,s:o,s:o,s:i}", "household",
	                                      js(q->household_code), "commune", js(q->commune),
	                                      "year", year, "date", js(q->requested_on), "due",
	                                      js(q->due_on), "late", q->days_late));
	return 0;
}

int gnbv_web_overdue(gnbv_web_req *r, json_t *page)
{
	overdue_ctx c = {json_array(), gnbv_perm_allows(GNBV_PERM_PERSONAL, r->sess.user.role), 0};
	int rc = gnbv_adhoc_overdue(r->s, &r->scope, today(r), add_overdue_dash, &c);
	if (rc) {
		json_decref(c.a);
		return rc;
	}
	json_object_set_new(page, "overdue_rows", json_boolean(json_array_size(c.a) > 0));
	json_object_set_new(page, "overdue", c.a);
	json_object_set_new(page, "overdue_n", json_integer(c.n));
	return 0;
}

/* The expected-to-escape forms: back to the page, or the page with why. */
static int escape_done(gnbv_web_req *r, const char *what)
{
	char loc[256], a[96], y[16];
	mg_url_encode(r->arg, a, sizeof a);
	mg_url_encode(r->arg2, y, sizeof y);
	snprintf(loc, sizeof loc, "/review/%s/%s/escape?done=%s", a, y, what);
	return gnbv_web_redirect(r, loc);
}

static int escape_refused(gnbv_web_req *r, int err, const char *key)
{
	char detail[512];
	snprintf(detail, sizeof detail, "%s", err ? gnbv_error_message() : "");
	int status = err == GNBV_EDENIED     ? 403
	             : err == GNBV_ENOTFOUND ? 404
	             : err == GNBV_ECONFLICT ? 409
	             : err == GNBV_EINVALID  ? 400
	             : err                   ? 0
	                                     : 400;
	if (!status) return err;
	gnbv_error_clear();
	int rc = gnbv_page_review_escape(r);
	if (rc) return rc;
	json_object_set_new(r->page, "error", json_string(gnbv_web_msg(r, key)));
	if (detail[0]) json_object_set_new(r->page, "detail", js(detail));
	r->status = status;
	return 0;
}

int gnbv_page_escape_mark(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	const char *hh = form_text(r, "household", GNBV_STORE_CODE_MAX);
	if (!hh) return escape_refused(r, 0, "rv.bad.escape");
	if ((rc = gnbv_escape_mark(r->s, &x.who, x.u.code, x.year, hh)))
		return escape_refused(r, rc, "rv.err.escape");
	return escape_done(r, "escape_mark");
}

int gnbv_page_escape_assign(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	const char *hh = form_text(r, "household", GNBV_STORE_CODE_MAX);
	const char *who = form_text(r, "helper", GNBV_STORE_NAME_MAX);
	const char *pos = gnbv_web_form(r, "position", 127);
	if (!hh || !who) return escape_refused(r, 0, "rv.bad.escape");
	if ((rc = gnbv_escape_assign(r->s, &x.who, x.year, hh, who, pos ? pos : "")))
		return escape_refused(r, rc, "rv.err.escape");
	return escape_done(r, "escape_assign");
}

int gnbv_page_escape_support(gnbv_web_req *r)
{
	step_ctx x;
	int rc = step_begin(r, &x);
	if (rc) return rc;
	const char *hh = form_text(r, "household", GNBV_STORE_CODE_MAX);
	const char *what = form_text(r, "what", GNBV_REVIEW_TEXT_MAX);
	const char *comp = gnbv_web_form(r, "component", 31);
	int32_t on = form_date(r, "date");
	int64_t vnd = form_count(r, "amount");
	if (!hh || !what || !on || vnd < 0) return escape_refused(r, 0, "rv.bad.escape");
	if ((rc = gnbv_escape_support(r->s, &x.who, x.year, hh, what, on, vnd, comp ? comp : "")))
		return escape_refused(r, rc, "rv.err.escape");
	return escape_done(r, "escape_support");
}
