/*
 * review.c - the review round as a workflow (M4), the ad-hoc review, split
 * and merged households, the expected-to-escape list (M8) and the
 * certificates, over the store's tables (migration 0004_review.sql).
 *
 * The periodic round of a commune follows Decision 24/2021/QĐ-TTg as
 * domain.md §2 summarises it: (1) the commune's steering committee lists
 * the households to review, those on the current lists and those who
 * applied (Mẫu số 01); (2) reviewers survey and score each household (the
 * store's import and household_put); (3) the village meeting chaired by the
 * village head, where a result needs at least 50% of the participants in
 * favour, otherwise the household is surveyed again; (4) the public posting
 * and its complaints; (5) the report for recognition, then the commune
 * chair's recognition decision. A round reported (submitted) or recognised
 * is locked (gnbv__round_writable, called by every write path); only the
 * level above reopens it, with a reason, and the user who submitted it
 * cannot recognise it (quality.md S2).
 *
 * Every function here is one transaction with one audit record whose actor
 * is the acting user (and the store's own actor, "os:NAME" for the CLI).
 * Parameters that the legal texts found do not fix (the 50% share, the
 * 15-day deadline, calendar or working days, the lists' validity year, who
 * may reopen) come from data/review/review-params.json with their source
 * and confidence.
 */
#include "review_int.h"

#include "gnbv/date.h"
#include "gnbv/error.h"

#include "io/jsonutil.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- small helpers shared with transition.c ---- */

static int bind_va(gnbv_store *s, gnbv_bstmt *st, const char *fmt, va_list ap)
{
	int rc = 0;
	for (int i = 0; fmt[i] && !rc; i++) {
		switch (fmt[i]) {
		case 'i': rc = gnbv__bind_int(s, st, i + 1, va_arg(ap, int64_t)); break;
		case 'd': rc = gnbv__bind_int(s, st, i + 1, va_arg(ap, int)); break;
		case 't': {
			const char *t = va_arg(ap, const char *);
			rc = t ? gnbv__bind_text(s, st, i + 1, t, strlen(t))
			       : gnbv__bind_null(s, st, i + 1);
			break;
		}
		default: rc = gnbv_error_set(GNBV_EINVALID, "bind: bad format '%c'", fmt[i]);
		}
	}
	return rc;
}

int gnbv__q(gnbv_store *s, gnbv_bstmt **st, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int rc = gnbv__prep(s, sql, st);
	if (rc) return rc;
	va_start(ap, fmt);
	rc = bind_va(s, *st, fmt, ap);
	va_end(ap);
	return rc;
}

int gnbv__x(gnbv_store *s, const char *sql, const char *fmt, ...)
{
	va_list ap;
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(s, sql, &st);
	if (!rc) {
		va_start(ap, fmt);
		rc = bind_va(s, st, fmt, ap);
		va_end(ap);
	}
	if (!rc) rc = gnbv__run(s, st);
	gnbv__fin(s, st);
	return rc;
}

void gnbv__now_text(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *const STEP[GNBV_STEP_COUNT] = {"none",    "listing",   "survey",    "meeting",
                                                  "posting", "submitted", "recognised"};

const char *gnbv_review_step_name(int step)
{
	return step >= 0 && step < GNBV_STEP_COUNT ? STEP[step] : "?";
}

static int step_of(const char *t)
{
	for (int i = 1; i < GNBV_STEP_COUNT; i++)
		if (!strcmp(t, STEP[i])) return i;
	return GNBV_STEP_NONE;
}

/* What the round needs next, for the messages of refused steps. */
static const char *const NEXT[GNBV_STEP_COUNT] = {
    "start it with 'review open' (step 1)",
    "close the list with 'review survey' (step 2) first",
    "record the village meetings with 'review meeting' (step 3) first",
    "post the results with 'review post' (step 4) first",
    "submit it for recognition with 'review submit' (step 5) first",
    "it awaits recognition ('review recognise') or a reopening by the level above",
    "it is recognised and locked: only the level above can reopen it ('review reopen')"};

static void date_text(int32_t d, char out[11])
{
	gnbv__date_text(d, out);
}

/* A stored date's text as yyyymmdd; 0 for none. */
static int32_t parse_date_text(const char *t)
{
	int32_t v = 0;
	return gnbv_date_parse(t, strlen(t), 1, 9999, &v) ? 0 : v;
}

/* Text from the caller: NFC, capped, required or not. */
static int text_arg(const char *what, const char *p, char *dst, size_t cap, int required)
{
	size_t len;
	dst[0] = '\0';
	if (!p || !*p) {
		if (required) return gnbv_error_set(GNBV_EINVALID, "%s is required", gnbv_tr(what));
		return 0;
	}
	int rc = gnbv__nfc(p, strlen(p), dst, cap, &len);
	if (rc) return gnbv_error_set(rc, "%s: %s", gnbv_tr(what), gnbv_error_message());
	return 0;
}

/* ---- parameters ---- */

static int param_int(json_t *params, const char *name, int *out, const char *path)
{
	json_t *v = json_object_get(json_object_get(params, name), "value");
	if (!json_is_integer(v))
		return gnbv_error_set(GNBV_EINVALID, "%s: parameter '%s' needs an integer value",
		                      path, name);
	*out = (int)json_integer_value(v);
	return 0;
}

int gnbv_review_params_load(gnbv_review_params *out, const char *path)
{
	const char *name = path ? path : "review/review-params.json";
	json_t *root = NULL;
	int rc = gnbv_json_load_data(path, "review/review-params.json", &root);
	if (rc) return rc;
	gnbv_review_params p;
	memset(&p, 0, sizeof p);
	json_t *params = json_object_get(root, "parameters");
	const char *kind = json_string_value(
	    json_object_get(json_object_get(params, "adhoc_deadline_kind"), "value"));
	json_t *maj = json_object_get(json_object_get(params, "majority_ethnicities"), "value");
	if ((rc = param_int(params, "meeting_min_favour_pct", &p.min_favour_pct, name)) ||
	    (rc = param_int(params, "adhoc_deadline_days", &p.deadline_days, name)) ||
	    (rc = param_int(params, "posting_min_days", &p.posting_min_days, name)) ||
	    (rc = param_int(params, "list_validity_offset_years", &p.validity_offset, name)) ||
	    (rc = param_int(params, "reopen_levels_above", &p.reopen_levels, name)))
		goto done;
	if (!kind || (strcmp(kind, "calendar") && strcmp(kind, "working"))) {
		rc = gnbv_error_set(GNBV_EINVALID,
		                    "%s: adhoc_deadline_kind must be \"calendar\" or \"working\"",
		                    name);
		goto done;
	}
	p.deadline_working = !strcmp(kind, "working");
	if (p.min_favour_pct < 1 || p.min_favour_pct > 100 || p.deadline_days < 1 ||
	    p.deadline_days > 366 || p.reopen_levels < 1 || p.reopen_levels > 4 ||
	    p.posting_min_days < 0 || p.validity_offset < 0 || p.validity_offset > 2) {
		rc = gnbv_error_set(GNBV_EINVALID, "%s: a parameter is out of its range", name);
		goto done;
	}
	if (!json_is_array(maj) || json_array_size(maj) > 8) {
		rc = gnbv_error_set(GNBV_EINVALID,
		                    "%s: majority_ethnicities must be a list of at most 8", name);
		goto done;
	}
	for (size_t i = 0; i < json_array_size(maj); i++) {
		const char *e = json_string_value(json_array_get(maj, i));
		if (!e || strlen(e) >= sizeof p.majority[0]) {
			rc = gnbv_error_set(GNBV_EINVALID, "%s: bad majority ethnicity", name);
			goto done;
		}
		snprintf(p.majority[p.n_majority++], sizeof p.majority[0], "%s", e);
	}
	*out = p;
done:
	json_decref(root);
	return rc;
}

static int params_or_builtin(const gnbv_review_params *prm, gnbv_review_params *buf,
                             const gnbv_review_params **out)
{
	if (prm) {
		*out = prm;
		return 0;
	}
	int rc = gnbv_review_params_load(buf, NULL);
	if (!rc) *out = buf;
	return rc;
}

/* ---- communes and rounds ---- */

int gnbv__commune_get(gnbv_store *s, const char *code, int32_t on, gnbv__commune *out)
{
	gnbv_unit u;
	gnbv_bstmt *st = NULL;
	int rc;
	if (!code || !*code) return gnbv_error_set(GNBV_EINVALID, "a unit code is required");
	if ((rc = gnbv_store_unit_get(s, code, on, &u))) return rc;
	memset(out, 0, sizeof *out);
	out->unit_id = u.unit_id;
	snprintf(out->code, sizeof out->code, "%s", u.code);
	snprintf(out->name, sizeof out->name, "%s", u.name);
	snprintf(out->level, sizeof out->level, "%s", u.level);
	if ((rc = gnbv__q(s, &st, "SELECT path FROM unit WHERE unit_id = ?", "i", u.unit_id)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc == GNBV_BACKEND_ROW) {
		gnbv__col_copy(s, st, 0, out->path, sizeof out->path);
		rc = 0;
	} else if (rc >= 0) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "no unit '%s'", code);
	}
done:
	gnbv__fin(s, st);
	return rc;
}

int gnbv__round_find(gnbv_store *s, int64_t unit_id, int year, int64_t *round_id, int *step)
{
	gnbv_bstmt *st = NULL;
	char period[32];
	snprintf(period, sizeof period, "periodic:%d", year);
	*round_id = 0;
	*step = GNBV_STEP_NONE;
	int rc = gnbv__q(s, &st,
	                 "SELECT r.round_id, w.step FROM review_round r LEFT JOIN review_state w "
	                 "ON w.round_id = r.round_id WHERE r.unit_id = ? AND r.period = ?",
	                 "it", unit_id, period);
	if (!rc) {
		rc = gnbv__step(s, st);
		if (rc == GNBV_BACKEND_ROW) {
			*round_id = gnbv__col_int(s, st, 0);
			if (!gnbv__col_null(s, st, 1)) {
				char t[16];
				gnbv__col_copy(s, st, 1, t, sizeof t);
				*step = step_of(t);
			}
		}
		if (rc > 0) rc = 0;
	}
	gnbv__fin(s, st);
	return rc;
}

int gnbv__round_prev(gnbv_store *s, int64_t unit_id, int year, int64_t *round_id, int *prev_year)
{
	gnbv_bstmt *st = NULL;
	*round_id = 0;
	if (prev_year) *prev_year = 0;
	int rc = gnbv__q(s, &st,
	                 "SELECT r.round_id, r.year FROM review_round r JOIN review_state w ON "
	                 "w.round_id = r.round_id WHERE r.unit_id = ? AND r.kind = 'periodic' AND "
	                 "r.year < ? AND w.step = 'recognised' ORDER BY r.year DESC LIMIT 1",
	                 "id", unit_id, year);
	if (!rc) {
		rc = gnbv__step(s, st);
		if (rc == GNBV_BACKEND_ROW) {
			*round_id = gnbv__col_int(s, st, 0);
			if (prev_year) *prev_year = (int)gnbv__col_int(s, st, 1);
		}
		if (rc > 0) rc = 0;
	}
	gnbv__fin(s, st);
	return rc;
}

void gnbv__round_keys(const char *commune_path, int year, gnbv__rkeys *k)
{
	gnbv_scope sc;
	memset(&sc, 0, sizeof sc);
	sc.unit_id = 1;
	snprintf(sc.path, sizeof sc.path, "%s", commune_path);
	gnbv__scope_range(&sc, k->lo, k->hi, sizeof k->lo);
	snprintf(k->period, sizeof k->period, "periodic:%d", year);
}

int gnbv__round_writable(gnbv_store *s, int64_t round_id)
{
	gnbv_bstmt *st = NULL;
	int rc = gnbv__q(s, &st,
	                 "SELECT w.step, w.decision_no, w.decision_date, r.year, u.code, u.name "
	                 "FROM review_state w JOIN review_round r ON r.round_id = w.round_id "
	                 "JOIN unit u ON u.unit_id = r.unit_id WHERE w.round_id = ?",
	                 "i", round_id);
	if (rc) goto done;
	rc = gnbv__step(s, st);
	if (rc == GNBV_BACKEND_ROW) {
		char step[16], no[128], date[16], code[64], name[256];
		gnbv__col_copy(s, st, 0, step, sizeof step);
		gnbv__col_copy(s, st, 1, no, sizeof no);
		gnbv__col_copy(s, st, 2, date, sizeof date);
		gnbv__col_copy(s, st, 4, code, sizeof code);
		gnbv__col_copy(s, st, 5, name, sizeof name);
		int year = (int)gnbv__col_int(s, st, 3);
		int k = step_of(step);
		rc = 0;
		if (k == GNBV_STEP_RECOGNISED)
			rc = gnbv_error_set(
			    GNBV_ECONFLICT,
			    "the %d review round of %s (%s) was recognised by decision %s of %s: "
			    "its "
			    "surveys, assessments and lists are locked; only the level above can "
			    "reopen it, with a reason",
			    year, name, code, no, date);
		else if (k == GNBV_STEP_SUBMITTED)
			rc = gnbv_error_set(
			    GNBV_ECONFLICT,
			    "the %d review round of %s (%s) is submitted for recognition: its "
			    "surveys, "
			    "assessments and lists are locked; only the level above can reopen it, "
			    "with a reason",
			    year, name, code);
	} else if (rc >= 0) {
		rc = 0;
	}
done:
	gnbv__fin(s, st);
	return rc;
}

/* ---- one operation: check, transaction, audit ---- */

typedef struct op {
	gnbv_store *s;
	const gnbv_review_actor *who;
	gnbv__commune c;
	int year;
	int64_t round_id;
	int step;
	int64_t seq;
	char at[32];
	gnbv__buf detail;
} op;

static int who_ok(const gnbv_review_actor *who)
{
	if (!who || !who->user || !who->user[0])
		return gnbv_error_set(GNBV_EINVALID, "the acting user is required (--as NAME)");
	if (strlen(who->user) > 127)
		return gnbv_error_set(GNBV_ETOOBIG,
		                      "the acting user's name is longer than 127 bytes");
	return 0;
}

/* Checks the actor and the commune, opens the write transaction, reserves
 * the audit record and finds the round (its step as it is inside the
 * transaction). */
static int op_begin(op *o, gnbv_store *s, const gnbv_review_actor *who, const char *commune,
                    int year)
{
	int rc;
	memset(o, 0, sizeof *o);
	o->s = s;
	o->who = who;
	o->year = year;
	if ((rc = who_ok(who))) return rc;
	if (year < 2000 || year > 2100)
		return gnbv_error_set(GNBV_EINVALID, "the year %d is not a review year", year);
	if ((rc = gnbv__commune_get(s, commune, year * 10000 + 1001, &o->c))) return rc;
	if (strcmp(o->c.level, "commune"))
		return gnbv_error_set(GNBV_EINVALID,
		                      "%s is a %s: review rounds are held by communes", o->c.code,
		                      gnbv_tr(o->c.level));
	if (!gnbv__scope_has(&who->scope, o->c.path))
		return gnbv_error_set(GNBV_EDENIED, "%s (%s) is outside the scope of user %s",
		                      o->c.name, o->c.code, who->user);
	gnbv__now_text(o->at);
	if ((rc = gnbv__begin(s))) return rc;
	if ((rc = gnbv__audit_reserve(s, &o->seq)) ||
	    (rc = gnbv__round_find(s, o->c.unit_id, year, &o->round_id, &o->step)))
		return rc;
	return 0;
}

/* Refuses unless the round is at one of the steps in `mask` (bits of
 * gnbv_review_step). */
static int op_need(op *o, unsigned mask, const char *what)
{
	if (mask & (1u << o->step)) return 0;
	if (!o->round_id || o->step == GNBV_STEP_NONE)
		return gnbv_error_set(GNBV_ECONFLICT,
		                      "%s: the %d review round of %s (%s) has not started: %s",
		                      gnbv_tr(what), o->year, o->c.name, o->c.code, gnbv_tr(NEXT[GNBV_STEP_NONE]));
	return gnbv_error_set(GNBV_ECONFLICT,
	                      "%s: the %d review round of %s (%s) is at step '%s': %s", gnbv_tr(what),
	                      o->year, o->c.name, o->c.code, gnbv_tr(STEP[o->step]), gnbv_tr(NEXT[o->step]));
}

/* Moves the round to `step`; `who` names the step's who/when columns
 * ("surveyed", "posted", "submitted", "recognised") or is NULL. The SQL is
 * fixed text per column pair, never built from input. */
static int set_step(op *o, int step, const char *who)
{
	static const struct {
		const char *name, *sql;
	} COLS[] = {
	    {"surveyed", "UPDATE review_state SET step = ?, surveyed_by = ?, surveyed_at = ?, "
	                 "change_seq = ? WHERE round_id = ?"},
	    {"posted", "UPDATE review_state SET step = ?, posted_by = ?, posted_at = ?, "
	               "change_seq = ? WHERE round_id = ?"},
	    {"submitted", "UPDATE review_state SET step = ?, submitted_by = ?, submitted_at = ?, "
	                  "change_seq = ? WHERE round_id = ?"},
	    {"recognised",
	     "UPDATE review_state SET step = ?, recognised_by = ?, recognised_at = ?, "
	     "change_seq = ? WHERE round_id = ?"},
	};
	int rc;
	if (!who) {
		rc = gnbv__x(o->s,
		             "UPDATE review_state SET step = ?, change_seq = ? WHERE round_id = ?",
		             "tii", STEP[step], o->seq, o->round_id);
	} else {
		const char *sql = NULL;
		for (size_t i = 0; i < sizeof COLS / sizeof COLS[0]; i++)
			if (!strcmp(COLS[i].name, who)) sql = COLS[i].sql;
		if (!sql) return gnbv_error_set(GNBV_EINVALID, "set_step: unknown '%s'", who);
		rc = gnbv__x(o->s, sql, "tttii", STEP[step], o->who->user, o->at, o->seq,
		             o->round_id);
	}
	if (!rc) o->step = step;
	return rc;
}

/* Writes the audit record (the acting user as actor, the store's actor
 * after it) and commits; on rc != 0 rolls back. Returns rc or the
 * commit's error. */
static int op_end(op *o, int rc, const char *action)
{
	gnbv_store *s = o->s;
	if (!s) { /* refused before the transaction */
		gnbv__buf_free(&o->detail);
		return rc ? rc : gnbv_error_set(GNBV_EINVALID, "%s: nothing to do", action);
	}
	if (!rc) {
		char object[128], saved[sizeof s->actor];
		snprintf(object, sizeof object, "review:%s:%d", o->c.code, o->year);
		memcpy(saved, s->actor, sizeof saved);
		snprintf(s->actor, sizeof s->actor, "%s", o->who->user);
		size_t n = strlen(s->actor), m = strnlen(saved, sizeof saved);
		if (n + m + 4 <= sizeof s->actor) { /* "USER (STORE-ACTOR)" when it fits */
			memcpy(s->actor + n, " (", 2);
			memcpy(s->actor + n + 2, saved, m);
			memcpy(s->actor + n + 2 + m, ")", 2);
		}
		if (!o->detail.len) rc = gnbv__buf_str(&o->detail, "{}");
		if (!rc)
			rc = gnbv__audit_write(s, o->seq, action, object, o->detail.p,
			                       o->detail.len);
		memcpy(s->actor, saved, sizeof saved);
		if (!rc) rc = gnbv__commit(s);
	}
	if (rc) gnbv__rollback(s);
	gnbv__buf_free(&o->detail);
	return rc;
}

/* Detail JSON helpers: {"k":"v",...} */
static int det_str(op *o, const char *k, const char *v)
{
	int rc = gnbv__buf_str(&o->detail, o->detail.len ? "," : "{");
	if (!rc) rc = gnbv__buf_json(&o->detail, k, strlen(k));
	if (!rc) rc = gnbv__buf_str(&o->detail, ":");
	if (!rc) rc = gnbv__buf_json(&o->detail, v, strlen(v));
	return rc;
}

static int det_int(op *o, const char *k, int64_t v)
{
	int rc = gnbv__buf_str(&o->detail, o->detail.len ? "," : "{");
	if (!rc) rc = gnbv__buf_json(&o->detail, k, strlen(k));
	if (!rc) rc = gnbv__buf_str(&o->detail, ":");
	if (!rc) rc = gnbv__buf_i64(&o->detail, v);
	return rc;
}

static int det_close(op *o)
{
	return gnbv__buf_str(&o->detail, o->detail.len ? "}" : "{}");
}

static int next_id(gnbv_store *s, int64_t *id)
{
	int64_t next;
	int rc = gnbv__ids_lock(s, "review", &next);
	if (!rc) rc = gnbv__ids_set(s, "review", next + 1);
	if (!rc) *id = next;
	return rc;
}

/* ---- step 1: the list ---- */

int gnbv_review_open(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year)
{
	op o;
	gnbv_bstmt *st = NULL;
	int rc = op_begin(&o, s, who, commune, year);
	if (rc) goto done;
	if (o.step != GNBV_STEP_NONE) {
		rc = gnbv_error_set(GNBV_ECONFLICT,
		                    "the %d review round of %s (%s) already runs (step '%s')", year,
		                    o.c.name, o.c.code, STEP[o.step]);
		goto done;
	}
	if (!o.round_id) {
		/* The round as the registry's writer would create it: reference
		 * date Y-10-01, the standard in force on 1 January Y+1
		 * (domain.md §1.7). */
		gnbv_standard std;
		int64_t rid;
		char period[32], ref[11];
		snprintf(period, sizeof period, "periodic:%d", year);
		date_text(year * 10000 + 1001, ref);
		if ((rc = gnbv_standard_for_date(&std, (year + 1) * 10000 + 101)) ||
		    (rc = gnbv__ids_lock(s, "round", &rid)) ||
		    (rc = gnbv__ids_set(s, "round", rid + 1)) ||
		    (rc = gnbv__x(
		         s,
		         "INSERT INTO review_round (round_id, unit_id, kind, year, period, "
		         "ref_date, standard, status, change_seq) VALUES (?, ?, 'periodic', "
		         "?, ?, ?, ?, 'open', ?)",
		         "iidttti", rid, o.c.unit_id, year, period, ref, std.name, o.seq)))
			goto done;
		o.round_id = rid;
	}
	if ((rc = gnbv__x(s,
	                  "INSERT INTO review_state (round_id, step, opened_by, opened_at, "
	                  "change_seq) VALUES (?, 'listing', ?, ?, ?)",
	                  "itti", o.round_id, who->user, o.at, o.seq)))
		goto done;
	o.step = GNBV_STEP_LISTING;
	/* The households on the current lists: the poor and near-poor of the
	 * commune's last recognised round, in one statement. */
	int64_t prev = 0, first = 0, n = 0;
	int prev_year = 0;
	if ((rc = gnbv__round_prev(s, o.c.unit_id, year, &prev, &prev_year))) goto done;
	if (prev) {
		gnbv__rkeys k;
		gnbv__round_keys(o.c.path, prev_year, &k);
		if ((rc = gnbv__q(
		         s, &st,
		         "SELECT count(*) FROM unit u JOIN survey s ON s.unit_id = u.unit_id "
		         "WHERE u.path >= ? AND u.path < ? AND s.period = ? AND s.round_id = ? "
		         "AND s.replaced_by IS NULL AND s.class IN ('poor', 'near_poor')",
		         "ttti", k.lo, k.hi, k.period, prev)))
			goto done;
		if ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) n = gnbv__col_int(s, st, 0);
		if (rc < 0) goto done;
		gnbv__fin(s, st);
		st = NULL;
		if ((rc = gnbv__ids_lock(s, "review", &first)) ||
		    (rc = gnbv__ids_set(s, "review", first + n)) ||
		    (rc = gnbv__x(
		         s,
		         "INSERT INTO review_list (entry_id, round_id, household_code, "
		         "source, prev_class, added_by, change_seq) SELECT ? - 1 + "
		         "ROW_NUMBER() OVER (ORDER BY h.code), ?, h.code, 'current', "
		         "s.class, ?, ? FROM unit u JOIN survey s ON s.unit_id = u.unit_id JOIN "
		         "household h ON h.household_id = s.household_id WHERE u.path >= ? AND "
		         "u.path < ? AND s.period = ? AND s.round_id = ? AND s.replaced_by IS NULL "
		         "AND s.class IN ('poor', 'near_poor')",
		         "iitittti", first, o.round_id, who->user, o.seq, k.lo, k.hi, k.period,
		         prev)))
			goto done;
	}
	if ((rc = det_str(&o, "step", "listing")) || (rc = det_int(&o, "listed", n)) ||
	    (rc = det_int(&o, "from_round_year", prev_year)) || (rc = det_close(&o)))
		goto done;
done:
	gnbv__fin(s, st);
	return op_end(&o, rc, "review.open");
}

#define BIT(k) (1u << (k))
#define OPEN_STEPS                                                                                 \
	(BIT(GNBV_STEP_LISTING) | BIT(GNBV_STEP_SURVEY) | BIT(GNBV_STEP_MEETING) |                 \
	 BIT(GNBV_STEP_POSTING))

int gnbv_review_apply(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year,
                      const gnbv_review_application *a)
{
	op o;
	gnbv_bstmt *st = NULL;
	char code[GNBV_STORE_CODE_MAX + 1], applicant[GNBV_STORE_NAME_MAX + 1],
	    note[GNBV_REVIEW_TEXT_MAX + 1], day[11];
	int64_t id;
	int rc = op_begin(&o, s, who, commune, year);
	if (rc) goto done;
	/* Mẫu số 01: applications are part of step 1, the list. */
	if ((rc = op_need(&o, BIT(GNBV_STEP_LISTING), "an application"))) goto done;
	if ((rc = text_arg("household code", a->household_code, code, sizeof code, 1)) ||
	    (rc = text_arg("applicant", a->applicant, applicant, sizeof applicant, 1)) ||
	    (rc = text_arg("note", a->note, note, sizeof note, 0)))
		goto done;
	if (!gnbv_date_valid(a->applied_on) || a->applied_on / 10000 != year) {
		rc = gnbv_error_set(
		    GNBV_EINVALID, "the application's date must be a date of %d (the round's year)",
		    year);
		goto done;
	}
	date_text(a->applied_on, day);
	if ((rc = gnbv__q(s, &st,
	                  "SELECT source, removed_by FROM review_list WHERE round_id = ? AND "
	                  "household_code = ?",
	                  "it", o.round_id, code)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc == GNBV_BACKEND_ROW) {
		char src[16], removed[128];
		gnbv__col_copy(s, st, 0, src, sizeof src);
		gnbv__col_copy(s, st, 1, removed, sizeof removed);
		if (!removed[0]) {
			rc = gnbv_error_set(
			    GNBV_ECONFLICT, "household %s is already on the list (%s)", code,
			    !strcmp(src, "current") ? gnbv_tr("on the current lists") : gnbv_tr("it applied"));
			goto done;
		}
		rc = gnbv__x(
		    s,
		    "UPDATE review_list SET source = 'application', applied_on = ?, "
		    "applicant = ?, note = ?, added_by = ?, removed_by = '', change_seq = ? "
		    "WHERE round_id = ? AND household_code = ?",
		    "ttttiit", day, applicant, note, who->user, o.seq, o.round_id, code);
	} else {
		if ((rc = next_id(s, &id))) goto done;
		rc = gnbv__x(s,
		             "INSERT INTO review_list (entry_id, round_id, household_code, source, "
		             "applied_on, applicant, note, added_by, change_seq) VALUES (?, ?, ?, "
		             "'application', ?, ?, ?, ?, ?)",
		             "iittttti", id, o.round_id, code, day, applicant, note, who->user,
		             o.seq);
	}
	if (rc) goto done;
	if ((rc = det_str(&o, "household", code)) || (rc = det_str(&o, "applied_on", day)) ||
	    (rc = det_str(&o, "applicant", applicant)) || (rc = det_close(&o)))
		goto done;
done:
	gnbv__fin(s, st);
	return op_end(&o, rc, "review.apply");
}

int gnbv_review_list_remove(gnbv_store *s, const gnbv_review_actor *who, const char *commune,
                            int year, const char *household_code, const char *reason)
{
	op o;
	char code[GNBV_STORE_CODE_MAX + 1], why[GNBV_REVIEW_TEXT_MAX + 1];
	int rc = op_begin(&o, s, who, commune, year);
	if (rc) goto done;
	/* A removal is a delete from the round's list: refused once locked. */
	if (o.round_id && (rc = gnbv__round_writable(s, o.round_id))) goto done;
	if ((rc = op_need(&o, BIT(GNBV_STEP_LISTING), "removing a household from the list")))
		goto done;
	if ((rc = text_arg("household code", household_code, code, sizeof code, 1)) ||
	    (rc = text_arg("reason", reason, why, sizeof why, 1)))
		goto done;
	if ((rc = gnbv__x(s,
	                  "UPDATE review_list SET removed_by = ?, note = ?, change_seq = ? WHERE "
	                  "round_id = ? AND household_code = ? AND removed_by = ''",
	                  "ttiit", who->user, why, o.seq, o.round_id, code)))
		goto done;
	if (s->ops->changes(s->b) == 0) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "household %s is not on the list", code);
		goto done;
	}
	if ((rc = det_str(&o, "household", code)) || (rc = det_str(&o, "reason", why)) ||
	    (rc = det_close(&o)))
		goto done;
done:
	return op_end(&o, rc, "review.list_remove");
}

/* A read of a commune's round: the commune in scope, the round found. */
static int read_round(gnbv_store *s, const gnbv_scope *scope, const char *commune, int year,
                      gnbv__commune *c, int64_t *round_id, int *step)
{
	int rc = gnbv__commune_get(s, commune, year * 10000 + 1001, c);
	if (rc) return rc;
	if (!scope || !gnbv__scope_has(scope, c->path))
		return gnbv_error_set(GNBV_EDENIED, "%s (%s) is outside your scope", c->name,
		                      c->code);
	if ((rc = gnbv__round_find(s, c->unit_id, year, round_id, step))) return rc;
	if (!*round_id)
		return gnbv_error_set(GNBV_ENOTFOUND, "%s (%s) has no review round of %d", c->name,
		                      c->code, year);
	return 0;
}

/* Every listed or surveyed household of a round with its survey and its
 * standing vote, in one statement. */
static const char LIST_SQL[] =
    "WITH sv AS MATERIALIZED (SELECT s.survey_id, s.household_id, h.code, s.class, u.code AS "
    "unit_code "
    "FROM unit u JOIN survey s ON s.unit_id = u.unit_id JOIN household h ON h.household_id = "
    "s.household_id WHERE u.path >= ? AND u.path < ? AND s.period = ? AND s.round_id = ? AND "
    "s.replaced_by IS NULL), "
    "codes AS (SELECT household_code AS code FROM review_list WHERE round_id = ? AND "
    "removed_by = '' UNION SELECT code FROM sv) "
    "SELECT c.code, l.source, l.prev_class, l.applied_on, sv.class, v.agreed, "
    "CASE WHEN v.survey_id = sv.survey_id THEN 1 ELSE 0 END, v.in_favour, m.participants, "
    "sv.unit_code "
    "FROM codes c LEFT JOIN review_list l ON l.round_id = ? AND l.household_code = c.code AND "
    "l.removed_by = '' LEFT JOIN sv ON sv.code = c.code "
    "LEFT JOIN review_vote v ON v.round_id = ? AND v.household_id = sv.household_id AND "
    "v.replaced_by IS NULL LEFT JOIN review_meeting m ON m.meeting_id = v.meeting_id "
    "ORDER BY c.code";

static int list_rows(gnbv_store *s, const gnbv__commune *c, int year, int64_t round_id,
                     gnbv_review_entry_fn fn, void *ctx)
{
	gnbv_bstmt *st = NULL;
	gnbv__rkeys k;
	gnbv__round_keys(c->path, year, &k);
	int rc = gnbv__q(s, &st, LIST_SQL, "tttiiii", k.lo, k.hi, k.period, round_id, round_id,
	                 round_id, round_id);
	if (rc) goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_review_entry e;
		memset(&e, 0, sizeof e);
		gnbv__col_copy(s, st, 0, e.household_code, sizeof e.household_code);
		if (gnbv__col_null(s, st, 1))
			snprintf(e.source, sizeof e.source, "survey");
		else
			gnbv__col_copy(s, st, 1, e.source, sizeof e.source);
		if (!gnbv__col_null(s, st, 2))
			gnbv__col_copy(s, st, 2, e.prev_class, sizeof e.prev_class);
		if (!gnbv__col_null(s, st, 3))
			gnbv__col_copy(s, st, 3, e.applied_on, sizeof e.applied_on);
		if (!gnbv__col_null(s, st, 4)) gnbv__col_copy(s, st, 4, e.klass, sizeof e.klass);
		if (!gnbv__col_null(s, st, 5)) {
			int fresh = (int)gnbv__col_int(s, st, 6);
			snprintf(e.vote, sizeof e.vote, "%s",
			         !fresh                    ? "stale"
			         : gnbv__col_int(s, st, 5) ? "agreed"
			                                   : "resurvey");
			e.in_favour = gnbv__col_int(s, st, 7);
			e.participants = gnbv__col_int(s, st, 8);
		}
		if (!gnbv__col_null(s, st, 9))
			gnbv__col_copy(s, st, 9, e.unit_code, sizeof e.unit_code);
		if ((rc = fn(ctx, &e))) goto done;
	}
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	return rc;
}

int gnbv_review_list_each(gnbv_store *s, const gnbv_scope *scope, const char *commune, int year,
                          gnbv_review_entry_fn fn, void *ctx)
{
	gnbv__commune c;
	int64_t rid;
	int step;
	int rc = read_round(s, scope, commune, year, &c, &rid, &step);
	return rc ? rc : list_rows(s, &c, year, rid, fn, ctx);
}

int gnbv_review_meetings_each(gnbv_store *s, const gnbv_scope *scope, const char *commune, int year,
                              gnbv_review_meeting_fn fn, void *ctx)
{
	gnbv__commune c;
	gnbv_bstmt *st = NULL;
	int64_t rid;
	int step;
	int rc = read_round(s, scope, commune, year, &c, &rid, &step);
	if (rc) return rc;
	if ((rc =
	         gnbv__q(s, &st,
	                 "SELECT m.meeting_id, u.code, u.name, m.held_on, m.chair, m.participants, "
	                 "m.recorded_by, (SELECT count(*) FROM review_vote v WHERE v.meeting_id = "
	                 "m.meeting_id AND v.replaced_by IS NULL), (SELECT count(*) FROM "
	                 "review_vote v WHERE v.meeting_id = m.meeting_id AND v.replaced_by IS "
	                 "NULL AND v.agreed = 1) FROM review_meeting m JOIN unit u ON u.unit_id = "
	                 "m.unit_id WHERE m.round_id = ? ORDER BY m.held_on, m.meeting_id",
	                 "i", rid)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_review_meeting_info m;
		memset(&m, 0, sizeof m);
		m.meeting_id = gnbv__col_int(s, st, 0);
		gnbv__col_copy(s, st, 1, m.village, sizeof m.village);
		gnbv__col_copy(s, st, 2, m.village_name, sizeof m.village_name);
		gnbv__col_copy(s, st, 3, m.held_on, sizeof m.held_on);
		gnbv__col_copy(s, st, 4, m.chair, sizeof m.chair);
		m.participants = gnbv__col_int(s, st, 5);
		gnbv__col_copy(s, st, 6, m.recorded_by, sizeof m.recorded_by);
		m.votes = (uint64_t)gnbv__col_int(s, st, 7);
		m.agreed = (uint64_t)gnbv__col_int(s, st, 8);
		if ((rc = fn(ctx, &m))) goto done;
	}
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	return rc;
}

int gnbv_review_complaints_each(gnbv_store *s, const gnbv_scope *scope, const char *commune,
                                int year, gnbv_review_complaint_fn fn, void *ctx)
{
	gnbv__commune c;
	gnbv_bstmt *st = NULL;
	int64_t rid;
	int step;
	int rc = read_round(s, scope, commune, year, &c, &rid, &step);
	if (rc) return rc;
	if ((rc = gnbv__q(s, &st,
	                  "SELECT complaint_id, household_code, received_on, resolved_on, "
	                  "complainant, text, resolution FROM review_complaint WHERE round_id = ? "
	                  "ORDER BY complaint_id",
	                  "i", rid)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_review_complaint k;
		memset(&k, 0, sizeof k);
		k.complaint_id = gnbv__col_int(s, st, 0);
		gnbv__col_copy(s, st, 1, k.household_code, sizeof k.household_code);
		gnbv__col_copy(s, st, 2, k.received_on, sizeof k.received_on);
		gnbv__col_copy(s, st, 3, k.resolved_on, sizeof k.resolved_on);
		gnbv__col_copy(s, st, 4, k.complainant, sizeof k.complainant);
		gnbv__col_copy(s, st, 5, k.text, sizeof k.text);
		gnbv__col_copy(s, st, 6, k.resolution, sizeof k.resolution);
		if ((rc = fn(ctx, &k))) goto done;
	}
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	return rc;
}

typedef struct counts {
	uint64_t listed, applications, surveyed, agreed, resurvey, unvoted, unsurveyed;
	char first_bad[GNBV_STORE_CODE_MAX + 1];
	const char *first_bad_why; /* a message below (it was copied into 32 bytes, cutting the longest) */
	char first_unsurveyed[GNBV_STORE_CODE_MAX + 1];
} counts;

static int count_one(void *ctx, const gnbv_review_entry *e)
{
	counts *k = ctx;
	if (strcmp(e->source, "survey")) k->listed++;
	if (!strcmp(e->source, "application")) k->applications++;
	if (!e->klass[0]) {
		if (!k->unsurveyed++)
			snprintf(k->first_unsurveyed, sizeof k->first_unsurveyed, "%s",
			         e->household_code);
		return 0;
	}
	k->surveyed++;
	const char *why = NULL;
	if (!strcmp(e->vote, "agreed"))
		k->agreed++;
	else if (!strcmp(e->vote, "resurvey")) {
		k->resurvey++;
		why = gnbv_tr("not agreed: survey it again, then vote again");
	} else {
		k->unvoted++;
		why = e->vote[0] ? gnbv_tr("surveyed again after its vote: vote again") : gnbv_tr("no vote");
	}
	if (why && !k->first_bad[0]) {
		snprintf(k->first_bad, sizeof k->first_bad, "%s", e->household_code);
		k->first_bad_why = why;
	}
	return 0;
}

int gnbv_review_status_get(gnbv_store *s, const gnbv_scope *scope, const char *commune, int year,
                           gnbv_review_status *out)
{
	gnbv__commune c;
	gnbv_bstmt *st = NULL;
	gnbv_review_status r;
	counts k;
	memset(&r, 0, sizeof r);
	memset(&k, 0, sizeof k);
	int rc = read_round(s, scope, commune, year, &c, &r.round_id, &r.step);
	if (rc) return rc;
	snprintf(r.commune, sizeof r.commune, "%s", c.code);
	snprintf(r.commune_name, sizeof r.commune_name, "%s", c.name);
	r.year = year;
	if ((rc = gnbv__q(s, &st,
	                  "SELECT r.standard, w.opened_by, w.submitted_by, w.recognised_by, "
	                  "w.post_start, w.post_end, w.decision_no, w.decision_date, w.signer, "
	                  "w.reopen_count FROM review_round r LEFT JOIN review_state w ON "
	                  "w.round_id = r.round_id WHERE r.round_id = ?",
	                  "i", r.round_id)))
		goto done;
	if ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv__col_copy(s, st, 0, r.standard, sizeof r.standard);
		if (!gnbv__col_null(s, st, 1)) {
			gnbv__col_copy(s, st, 1, r.opened_by, sizeof r.opened_by);
			gnbv__col_copy(s, st, 2, r.submitted_by, sizeof r.submitted_by);
			gnbv__col_copy(s, st, 3, r.recognised_by, sizeof r.recognised_by);
			gnbv__col_copy(s, st, 4, r.post_start, sizeof r.post_start);
			gnbv__col_copy(s, st, 5, r.post_end, sizeof r.post_end);
			gnbv__col_copy(s, st, 6, r.decision_no, sizeof r.decision_no);
			gnbv__col_copy(s, st, 7, r.decision_date, sizeof r.decision_date);
			gnbv__col_copy(s, st, 8, r.signer, sizeof r.signer);
			r.reopen_count = (int)gnbv__col_int(s, st, 9);
		}
	}
	if (rc < 0) goto done;
	gnbv__fin(s, st);
	st = NULL;
	if ((rc = list_rows(s, &c, year, r.round_id, count_one, &k))) goto done;
	r.listed = k.listed;
	r.applications = k.applications;
	r.surveyed = k.surveyed;
	r.agreed = k.agreed;
	r.resurvey = k.resurvey;
	r.unvoted = k.unvoted;
	if ((rc = gnbv__q(s, &st,
	                  "SELECT count(*), sum(CASE WHEN resolved_on = '' THEN 1 ELSE 0 END) "
	                  "FROM review_complaint WHERE round_id = ?",
	                  "i", r.round_id)))
		goto done;
	if ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		r.complaints = (uint64_t)gnbv__col_int(s, st, 0);
		r.unresolved = gnbv__col_null(s, st, 1) ? 0 : (uint64_t)gnbv__col_int(s, st, 1);
	}
	if (rc < 0) goto done;
	rc = 0;
	*out = r;
done:
	gnbv__fin(s, st);
	return rc;
}

/* ---- step 2 ---- */

int gnbv_review_survey(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year)
{
	op o;
	int rc = op_begin(&o, s, who, commune, year);
	if (rc) goto done;
	if ((rc = op_need(&o, BIT(GNBV_STEP_LISTING), "closing the list"))) goto done;
	if ((rc = set_step(&o, GNBV_STEP_SURVEY, "surveyed")) ||
	    (rc = det_str(&o, "step", "survey")) || (rc = det_close(&o)))
		goto done;
done:
	return op_end(&o, rc, "review.survey");
}

/* ---- step 3: meetings and votes ---- */

static int put_votes(op *o, const gnbv_review_params *p, int64_t meeting_id, const char *mpath,
                     int64_t participants, gnbv_review_vote *votes, size_t n, uint64_t *agreed)
{
	gnbv_store *s = o->s;
	gnbv_bstmt *find = NULL, *old = NULL, *ins = NULL, *prior = NULL;
	int rc;
	*agreed = 0;
	if ((rc = gnbv__prep(s,
	                     "SELECT s.household_id, s.survey_id, u.path FROM household h JOIN "
	                     "survey s ON s.household_id = h.household_id AND s.round_id = ? AND "
	                     "s.replaced_by IS NULL JOIN unit u ON u.unit_id = s.unit_id WHERE "
	                     "h.code = ?",
	                     &find)) ||
	    (rc = gnbv__prep(s,
	                     "UPDATE review_vote SET replaced_by = ? WHERE round_id = ? AND "
	                     "household_id = ? AND replaced_by IS NULL",
	                     &old)) ||
	    (rc = gnbv__prep(
	         s,
	         "SELECT meeting_id, survey_id, agreed FROM review_vote WHERE round_id = "
	         "? AND household_id = ? AND replaced_by IS NULL",
	         &prior)) ||
	    (rc = gnbv__prep(
	         s,
	         "INSERT INTO review_vote (vote_id, meeting_id, round_id, household_id, "
	         "survey_id, in_favour, agreed, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, "
	         "?)",
	         &ins)))
		goto done;
	int64_t first = 0;
	if ((rc = gnbv__ids_lock(s, "review", &first)) ||
	    (rc = gnbv__ids_set(s, "review", first + (int64_t)n)))
		goto done;
	for (size_t i = 0; i < n; i++) {
		gnbv_review_vote *v = &votes[i];
		char code[GNBV_STORE_CODE_MAX + 1];
		if ((rc = text_arg("household code", v->household_code, code, sizeof code, 1)))
			goto done;
		if (v->in_favour < 0 || v->in_favour > participants) {
			rc = gnbv_error_set(GNBV_EINVALID,
			                    "household %s: %lld in favour of %lld participants",
			                    code, (long long)v->in_favour, (long long)participants);
			goto done;
		}
		if ((rc = gnbv__bind_int(s, find, 1, o->round_id)) ||
		    (rc = gnbv__bind_text(s, find, 2, code, strlen(code))))
			goto done;
		rc = gnbv__step(s, find);
		if (rc < 0) goto done;
		if (rc != GNBV_BACKEND_ROW) {
			gnbv__reset(s, find);
			rc = gnbv_error_set(
			    GNBV_ECONFLICT,
			    "household %s has no survey in the %d round of %s: survey "
			    "and classify it first (step 2)",
			    code, o->year, o->c.code);
			goto done;
		}
		int64_t hid = gnbv__col_int(s, find, 0), sid = gnbv__col_int(s, find, 1);
		char path[GNBV_SCOPE_PATH_MAX];
		gnbv__col_copy(s, find, 2, path, sizeof path);
		gnbv__reset(s, find);
		if (strncmp(path, mpath, strlen(mpath))) {
			rc = gnbv_error_set(GNBV_EINVALID,
			                    "household %s is not registered in the meeting's unit",
			                    code);
			goto done;
		}
		/* A result the meeting did not agree goes back to step 2: the
		 * same survey is not put to the same meeting again. */
		if ((rc = gnbv__bind_int(s, prior, 1, o->round_id)) ||
		    (rc = gnbv__bind_int(s, prior, 2, hid)))
			goto done;
		rc = gnbv__step(s, prior);
		if (rc < 0) goto done;
		int again = rc == GNBV_BACKEND_ROW && gnbv__col_int(s, prior, 0) == meeting_id &&
		            gnbv__col_int(s, prior, 1) == sid && !gnbv__col_int(s, prior, 2);
		gnbv__reset(s, prior);
		rc = 0;
		if (again) {
			rc = gnbv_error_set(
			    GNBV_ECONFLICT,
			    "household %s was not agreed at this meeting: survey it again "
			    "(step 2), or put it to a later meeting",
			    code);
			goto done;
		}
		/* Decision 24/2021/QĐ-TTg, village meeting: the result stands
		 * with at least min_favour_pct % of the participants. */
		v->agreed = gnbv_review_vote_stands(v->in_favour, participants, p->min_favour_pct);
		int64_t vid = first + (int64_t)i;
		if ((rc = gnbv__bind_int(s, old, 1, vid)) ||
		    (rc = gnbv__bind_int(s, old, 2, o->round_id)) ||
		    (rc = gnbv__bind_int(s, old, 3, hid)) || (rc = gnbv__run(s, old)))
			goto done;
		int64_t vals[8] = {vid, meeting_id,   o->round_id, hid,
		                   sid, v->in_favour, v->agreed,   o->seq};
		for (int k = 0; k < 8 && !rc; k++)
			rc = gnbv__bind_int(s, ins, k + 1, vals[k]);
		if (rc || (rc = gnbv__run(s, ins))) goto done;
		*agreed += (uint64_t)v->agreed;
	}
done:
	gnbv__fin(s, find);
	gnbv__fin(s, old);
	gnbv__fin(s, ins);
	gnbv__fin(s, prior);
	return rc;
}

/* The meeting's unit: a village of the commune, or the commune itself. */
static int meeting_unit(op *o, const char *code, int32_t on, gnbv__commune *u)
{
	int rc = gnbv__commune_get(o->s, code, on, u);
	if (rc) return rc;
	if (strncmp(u->path, o->c.path, strlen(o->c.path)))
		return gnbv_error_set(GNBV_EINVALID, "%s (%s) is not a village of %s (%s)", u->name,
		                      u->code, o->c.name, o->c.code);
	return 0;
}

int gnbv_review_meeting_add(gnbv_store *s, const gnbv_review_actor *who,
                            const gnbv_review_params *prm, const char *commune, int year,
                            const gnbv_review_meeting *m, gnbv_review_vote *votes, size_t n,
                            int64_t *meeting_id)
{
	op o;
	gnbv_review_params pbuf;
	const gnbv_review_params *p = NULL;
	gnbv__commune u;
	char chair[GNBV_STORE_NAME_MAX + 1], day[11];
	int64_t id = 0;
	uint64_t agreed = 0;
	int rc = params_or_builtin(prm, &pbuf, &p);
	if (rc) return rc;
	if ((rc = op_begin(&o, s, who, commune, year))) goto done;
	/* Step 3 follows the survey; a further meeting during the posting
	 * (a complaint re-examined) is allowed and keeps the round there. */
	if ((rc = op_need(&o,
	                  BIT(GNBV_STEP_SURVEY) | BIT(GNBV_STEP_MEETING) | BIT(GNBV_STEP_POSTING),
	                  "a village meeting")))
		goto done;
	if ((rc = text_arg("the meeting's chair", m->chair, chair, sizeof chair, 1))) goto done;
	if (!gnbv_date_valid(m->held_on)) {
		rc = gnbv_error_set(GNBV_EINVALID, "the meeting's date is not a date");
		goto done;
	}
	if (m->participants < 1 || m->participants > 100000) {
		rc = gnbv_error_set(GNBV_EINVALID, "a meeting has 1 to 100000 participants");
		goto done;
	}
	if ((rc = meeting_unit(&o, m->village, m->held_on, &u))) goto done;
	date_text(m->held_on, day);
	if ((rc = next_id(s, &id)) ||
	    (rc = gnbv__x(s,
	                  "INSERT INTO review_meeting (meeting_id, round_id, unit_id, held_on, "
	                  "chair, participants, recorded_by, change_seq) VALUES (?, ?, ?, ?, ?, ?, "
	                  "?, ?)",
	                  "iiittiti", id, o.round_id, u.unit_id, day, chair, m->participants,
	                  who->user, o.seq)))
		goto done;
	if (n && (rc = put_votes(&o, p, id, u.path, m->participants, votes, n, &agreed))) goto done;
	if (o.step == GNBV_STEP_SURVEY && (rc = set_step(&o, GNBV_STEP_MEETING, NULL))) goto done;
	if ((rc = det_int(&o, "meeting", id)) || (rc = det_str(&o, "unit", u.code)) ||
	    (rc = det_str(&o, "held_on", day)) || (rc = det_str(&o, "chair", chair)) ||
	    (rc = det_int(&o, "participants", m->participants)) ||
	    (rc = det_int(&o, "votes", (int64_t)n)) ||
	    (rc = det_int(&o, "agreed", (int64_t)agreed)) || (rc = det_close(&o)))
		goto done;
done:
	rc = op_end(&o, rc, "review.meeting");
	if (!rc && meeting_id) *meeting_id = id;
	return rc;
}

int gnbv_review_votes_add(gnbv_store *s, const gnbv_review_actor *who,
                          const gnbv_review_params *prm, const char *commune, int year,
                          int64_t meeting_id, gnbv_review_vote *votes, size_t n)
{
	op o;
	gnbv_review_params pbuf;
	const gnbv_review_params *p = NULL;
	gnbv_bstmt *st = NULL;
	char path[GNBV_SCOPE_PATH_MAX];
	int64_t participants = 0;
	uint64_t agreed = 0;
	int rc = params_or_builtin(prm, &pbuf, &p);
	if (rc) return rc;
	if ((rc = op_begin(&o, s, who, commune, year))) goto done;
	if ((rc = op_need(&o, BIT(GNBV_STEP_MEETING) | BIT(GNBV_STEP_POSTING),
	                  "a vote (record the village meeting first)")))
		goto done;
	if (!n) {
		rc = gnbv_error_set(GNBV_EINVALID, "no vote given");
		goto done;
	}
	if ((rc = gnbv__q(s, &st,
	                  "SELECT m.participants, u.path FROM review_meeting m JOIN unit u ON "
	                  "u.unit_id = m.unit_id WHERE m.meeting_id = ? AND m.round_id = ?",
	                  "ii", meeting_id, o.round_id)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc != GNBV_BACKEND_ROW) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "no meeting %lld in the %d round of %s",
		                    (long long)meeting_id, year, o.c.code);
		goto done;
	}
	participants = gnbv__col_int(s, st, 0);
	gnbv__col_copy(s, st, 1, path, sizeof path);
	gnbv__fin(s, st);
	st = NULL;
	if ((rc = put_votes(&o, p, meeting_id, path, participants, votes, n, &agreed)) ||
	    (rc = det_int(&o, "meeting", meeting_id)) || (rc = det_int(&o, "votes", (int64_t)n)) ||
	    (rc = det_int(&o, "agreed", (int64_t)agreed)))
		goto done;
	if (n == 1 && ((rc = det_str(&o, "household", votes[0].household_code)) ||
	               (rc = det_int(&o, "in_favour", votes[0].in_favour))))
		goto done;
	rc = det_close(&o);
done:
	gnbv__fin(s, st);
	return op_end(&o, rc, "review.vote");
}

/* ---- step 4: posting and complaints ---- */

int gnbv_review_post(gnbv_store *s, const gnbv_review_actor *who, const gnbv_review_params *prm,
                     const char *commune, int year, int32_t start, int32_t end)
{
	op o;
	gnbv_review_params pbuf;
	const gnbv_review_params *p = NULL;
	counts k;
	char a[11], b[11];
	memset(&k, 0, sizeof k);
	int rc = params_or_builtin(prm, &pbuf, &p);
	if (rc) return rc;
	if ((rc = op_begin(&o, s, who, commune, year))) goto done;
	if ((rc = op_need(&o, BIT(GNBV_STEP_MEETING), "the public posting"))) goto done;
	if (!gnbv_date_valid(start) || !gnbv_date_valid(end) || end < start) {
		rc = gnbv_error_set(GNBV_EINVALID,
		                    "the posting needs a start and an end date, the end not before "
		                    "the start");
		goto done;
	}
	if (p->posting_min_days > 0 && gnbv_review_days_between(start, end) < p->posting_min_days) {
		rc = gnbv_error_set(GNBV_EINVALID, "the posting lasts at least %d days",
		                    p->posting_min_days);
		goto done;
	}
	if ((rc = list_rows(s, &o.c, o.year, o.round_id, count_one, &k))) goto done;
	if (k.unsurveyed) {
		rc = gnbv_error_set(GNBV_ECONFLICT,
		                    "the public posting: %llu listed households have no survey "
		                    "(first: %s): survey them first (step 2)",
		                    (unsigned long long)k.unsurveyed, k.first_unsurveyed);
		goto done;
	}
	if (!k.surveyed) {
		rc = gnbv_error_set(GNBV_ECONFLICT, "the public posting: no household is surveyed");
		goto done;
	}
	if (k.resurvey || k.unvoted) {
		rc = gnbv_error_set(
		    GNBV_ECONFLICT,
		    "the public posting: %llu households have no standing result of "
		    "the village meeting (first: %s: %s)",
		    (unsigned long long)(k.resurvey + k.unvoted), k.first_bad, k.first_bad_why);
		goto done;
	}
	date_text(start, a);
	date_text(end, b);
	if ((rc = gnbv__x(s,
	                  "UPDATE review_state SET post_start = ?, post_end = ? WHERE round_id = ?",
	                  "tti", a, b, o.round_id)) ||
	    (rc = set_step(&o, GNBV_STEP_POSTING, "posted")) || (rc = det_str(&o, "start", a)) ||
	    (rc = det_str(&o, "end", b)) || (rc = det_int(&o, "households", (int64_t)k.surveyed)) ||
	    (rc = det_close(&o)))
		goto done;
done:
	return op_end(&o, rc, "review.post");
}

int gnbv_review_complain(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year,
                         const char *household_code, int32_t received_on, const char *complainant,
                         const char *text, int64_t *complaint_id)
{
	op o;
	char code[GNBV_STORE_CODE_MAX + 1], by[GNBV_STORE_NAME_MAX + 1],
	    body[GNBV_REVIEW_TEXT_MAX + 1], day[11];
	int64_t id = 0;
	int rc = op_begin(&o, s, who, commune, year);
	if (rc) goto done;
	if ((rc = op_need(&o, BIT(GNBV_STEP_POSTING), "a complaint"))) goto done;
	if ((rc = text_arg("household code", household_code, code, sizeof code, 1)) ||
	    (rc = text_arg("complainant", complainant, by, sizeof by, 0)) ||
	    (rc = text_arg("the complaint", text, body, sizeof body, 1)))
		goto done;
	if (!gnbv_date_valid(received_on)) {
		rc = gnbv_error_set(GNBV_EINVALID, "the complaint's date is not a date");
		goto done;
	}
	date_text(received_on, day);
	if ((rc = next_id(s, &id)) ||
	    (rc = gnbv__x(s,
	                  "INSERT INTO review_complaint (complaint_id, round_id, household_code, "
	                  "received_on, complainant, text, recorded_by, change_seq) VALUES (?, ?, "
	                  "?, ?, ?, ?, ?, ?)",
	                  "iittttti", id, o.round_id, code, day, by, body, who->user, o.seq)))
		goto done;
	if ((rc = det_int(&o, "complaint", id)) || (rc = det_str(&o, "household", code)) ||
	    (rc = det_str(&o, "received_on", day)) || (rc = det_str(&o, "text", body)) ||
	    (rc = det_close(&o)))
		goto done;
done:
	rc = op_end(&o, rc, "review.complaint");
	if (!rc && complaint_id) *complaint_id = id;
	return rc;
}

int gnbv_review_resolve(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year,
                        int64_t complaint_id, int32_t resolved_on, const char *resolution)
{
	op o;
	gnbv_bstmt *st = NULL;
	char body[GNBV_REVIEW_TEXT_MAX + 1], day[11], received[16], done_on[16];
	int rc = op_begin(&o, s, who, commune, year);
	if (rc) goto done;
	if ((rc = op_need(&o, BIT(GNBV_STEP_POSTING), "resolving a complaint"))) goto done;
	if ((rc = text_arg("the resolution", resolution, body, sizeof body, 1))) goto done;
	if ((rc = gnbv__q(s, &st,
	                  "SELECT received_on, resolved_on FROM review_complaint WHERE "
	                  "complaint_id = ? AND round_id = ?",
	                  "ii", complaint_id, o.round_id)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc != GNBV_BACKEND_ROW) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "no complaint %lld in the %d round of %s",
		                    (long long)complaint_id, year, o.c.code);
		goto done;
	}
	gnbv__col_copy(s, st, 0, received, sizeof received);
	gnbv__col_copy(s, st, 1, done_on, sizeof done_on);
	gnbv__fin(s, st);
	st = NULL;
	if (done_on[0]) {
		rc = gnbv_error_set(GNBV_ECONFLICT, "complaint %lld was resolved on %s",
		                    (long long)complaint_id, done_on);
		goto done;
	}
	if (!gnbv_date_valid(resolved_on) || resolved_on < parse_date_text(received)) {
		rc = gnbv_error_set(GNBV_EINVALID,
		                    "the resolution's date must be a date on or after the "
		                    "complaint's (%s)",
		                    received);
		goto done;
	}
	date_text(resolved_on, day);
	if ((rc = gnbv__x(s,
	                  "UPDATE review_complaint SET resolved_on = ?, resolution = ?, "
	                  "resolved_by = ?, change_seq = ? WHERE complaint_id = ?",
	                  "tttii", day, body, who->user, o.seq, complaint_id)) ||
	    (rc = det_int(&o, "complaint", complaint_id)) ||
	    (rc = det_str(&o, "resolved_on", day)) || (rc = det_str(&o, "resolution", body)) ||
	    (rc = det_close(&o)))
		goto done;
done:
	gnbv__fin(s, st);
	return op_end(&o, rc, "review.resolve");
}

/* ---- step 5: submission, recognition, reopening ---- */

int gnbv_review_submit(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year)
{
	op o;
	gnbv_bstmt *st = NULL;
	counts k;
	memset(&k, 0, sizeof k);
	int rc = op_begin(&o, s, who, commune, year);
	if (rc) goto done;
	if ((rc = op_need(&o, BIT(GNBV_STEP_POSTING), "the submission for recognition"))) goto done;
	if ((rc = gnbv__q(s, &st,
	                  "SELECT count(*) FROM review_complaint WHERE round_id = ? AND "
	                  "resolved_on = ''",
	                  "i", o.round_id)))
		goto done;
	int64_t open_n = 0;
	if ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) open_n = gnbv__col_int(s, st, 0);
	if (rc < 0) goto done;
	gnbv__fin(s, st);
	st = NULL;
	if (open_n) {
		rc = gnbv_error_set(
		    GNBV_ECONFLICT,
		    "the submission for recognition: %lld complaints are not resolved",
		    (long long)open_n);
		goto done;
	}
	/* A survey changed during the posting (a complaint upheld) needs the
	 * village's vote again before the round goes up. */
	if ((rc = list_rows(s, &o.c, o.year, o.round_id, count_one, &k))) goto done;
	if (k.resurvey || k.unvoted || k.unsurveyed) {
		rc = gnbv_error_set(GNBV_ECONFLICT,
		                    "the submission for recognition: %llu households have no "
		                    "standing result of the village meeting (first: %s: %s)",
		                    (unsigned long long)(k.resurvey + k.unvoted + k.unsurveyed),
		                    k.first_bad[0] ? k.first_bad : k.first_unsurveyed,
		                    k.first_bad[0] ? k.first_bad_why : gnbv_tr("no survey"));
		goto done;
	}
	if ((rc = set_step(&o, GNBV_STEP_SUBMITTED, "submitted")) ||
	    (rc = gnbv__x(s,
	                  "UPDATE review_round SET status = 'submitted', change_seq = ? WHERE "
	                  "round_id = ?",
	                  "ii", o.seq, o.round_id)) ||
	    (rc = det_str(&o, "step", "submitted")) ||
	    (rc = det_int(&o, "households", (int64_t)k.surveyed)) || (rc = det_close(&o)))
		goto done;
done:
	gnbv__fin(s, st);
	return op_end(&o, rc, "review.submit");
}

int gnbv_review_recognise(gnbv_store *s, const gnbv_review_actor *who, const char *commune,
                          int year, const char *decision_no, int32_t decision_date,
                          const char *signer)
{
	op o;
	gnbv_bstmt *st = NULL;
	char no[128], sig[GNBV_STORE_NAME_MAX + 1], day[11], submitter[128], post_end[16];
	int rc = op_begin(&o, s, who, commune, year);
	if (rc) goto done;
	if ((rc = op_need(&o, BIT(GNBV_STEP_SUBMITTED), "the recognition"))) goto done;
	if ((rc = text_arg("the decision number", decision_no, no, sizeof no, 1)) ||
	    (rc = text_arg("the signer", signer, sig, sizeof sig, 1)))
		goto done;
	if ((rc = gnbv__q(s, &st,
	                  "SELECT submitted_by, post_end FROM review_state WHERE round_id = ?", "i",
	                  o.round_id)))
		goto done;
	if ((rc = gnbv__step(s, st)) != GNBV_BACKEND_ROW) {
		if (rc >= 0) rc = gnbv_error_set(GNBV_EIO, "review state missing");
		goto done;
	}
	gnbv__col_copy(s, st, 0, submitter, sizeof submitter);
	gnbv__col_copy(s, st, 1, post_end, sizeof post_end);
	gnbv__fin(s, st);
	st = NULL;
	/* quality.md S2: the approver is not the submitter. */
	if (!strcmp(submitter, who->user)) {
		rc = gnbv_error_set(
		    GNBV_EDENIED,
		    "%s submitted the %d round of %s for recognition and cannot also "
		    "recognise it: another user must",
		    who->user, year, o.c.code);
		goto done;
	}
	if (!gnbv_date_valid(decision_date) || decision_date < parse_date_text(post_end)) {
		rc = gnbv_error_set(
		    GNBV_EINVALID,
		    "the decision's date must be a date on or after the posting's end "
		    "(%s)",
		    post_end);
		goto done;
	}
	date_text(decision_date, day);
	if ((rc = gnbv__x(s,
	                  "UPDATE review_state SET decision_no = ?, decision_date = ?, signer = ? "
	                  "WHERE round_id = ?",
	                  "ttti", no, day, sig, o.round_id)) ||
	    (rc = set_step(&o, GNBV_STEP_RECOGNISED, "recognised")) ||
	    (rc = gnbv__x(
	         s,
	         "UPDATE review_round SET status = 'approved', change_seq = ? WHERE round_id = ?",
	         "ii", o.seq, o.round_id)) ||
	    (rc = det_str(&o, "decision", no)) || (rc = det_str(&o, "date", day)) ||
	    (rc = det_str(&o, "signer", sig)) || (rc = det_close(&o)))
		goto done;
done:
	gnbv__fin(s, st);
	return op_end(&o, rc, "review.recognise");
}

static int path_depth(const char *p)
{
	int n = 0;
	for (; *p; p++)
		n += *p == '/';
	return n - 1; /* '/1/' is depth 0 */
}

int gnbv_review_reopen(gnbv_store *s, const gnbv_review_actor *who, const gnbv_review_params *prm,
                       const char *commune, int year, const char *reason)
{
	op o;
	gnbv_review_params pbuf;
	const gnbv_review_params *p = NULL;
	gnbv_bstmt *st = NULL;
	char why[GNBV_REVIEW_TEXT_MAX + 1], no[128] = "";
	int64_t id = 0;
	int rc = params_or_builtin(prm, &pbuf, &p);
	if (rc) return rc;
	if ((rc = op_begin(&o, s, who, commune, year))) goto done;
	if ((rc = op_need(&o, BIT(GNBV_STEP_SUBMITTED) | BIT(GNBV_STEP_RECOGNISED),
	                  "reopening (only a submitted or recognised round is reopened)")))
		goto done;
	/* quality.md S2: only the level above unlocks. The actor's unit must
	 * be a strict ancestor of the commune, at most reopen_levels up. */
	int up = who->scope.unit_id ? path_depth(o.c.path) - path_depth(who->scope.path) : -1;
	if (!who->scope.unit_id || up < 1 || up > p->reopen_levels ||
	    strncmp(o.c.path, who->scope.path, strlen(who->scope.path))) {
		rc = gnbv_error_set(GNBV_EDENIED,
		                    "only a user of the level above %s (%s) can reopen its round "
		                    "(the district; %s acts for %s)",
		                    o.c.name, o.c.code, who->user,
		                    who->scope.unit_id
		                        ? gnbv_tr(up == 0 ? "the commune itself" : "another level")
		                        : gnbv_tr("no unit (give --unit)"));
		goto done;
	}
	if ((rc = text_arg("the reason", reason, why, sizeof why, 1))) goto done;
	if ((rc = gnbv__q(s, &st, "SELECT decision_no FROM review_state WHERE round_id = ?", "i",
	                  o.round_id)))
		goto done;
	if ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) gnbv__col_copy(s, st, 0, no, sizeof no);
	if (rc < 0) goto done;
	gnbv__fin(s, st);
	st = NULL;
	if ((rc = next_id(s, &id)) ||
	    (rc = gnbv__x(s,
	                  "INSERT INTO review_reopen (reopen_id, round_id, from_step, reason, "
	                  "by_user, by_unit, at, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                  "iitttiti", id, o.round_id, STEP[o.step], why, who->user,
	                  who->scope.unit_id, o.at, o.seq)) ||
	    (rc = det_str(&o, "from", STEP[o.step])) || (rc = det_str(&o, "reason", why)) ||
	    (rc = det_str(&o, "decision", no)))
		goto done;
	/* Back to step 2: the surveys may change; votes on changed surveys
	 * lapse, so the village votes again before a new posting. */
	if ((rc = gnbv__x(s,
	                  "UPDATE review_state SET submitted_by = '', submitted_at = '', "
	                  "decision_no = '', decision_date = '', signer = '', recognised_by = '', "
	                  "recognised_at = '', reopen_count = reopen_count + 1 WHERE round_id = ?",
	                  "i", o.round_id)) ||
	    (rc = gnbv__x(
	         s, "UPDATE review_round SET status = 'open', change_seq = ? WHERE round_id = ?",
	         "ii", o.seq, o.round_id)) ||
	    (rc = set_step(&o, GNBV_STEP_SURVEY, NULL)) || (rc = det_close(&o)))
		goto done;
done:
	gnbv__fin(s, st);
	return op_end(&o, rc, "review.reopen");
}

/* ---- the ad-hoc review ---- */

/* An operation on a commune outside a periodic round (ad-hoc requests,
 * origins, the expected-to-escape list): the same checks and audit. */
static int op_begin_unit(op *o, gnbv_store *s, const gnbv_review_actor *who, const char *commune,
                         int32_t on)
{
	int rc;
	memset(o, 0, sizeof *o);
	o->s = s;
	o->who = who;
	o->year = on / 10000;
	if ((rc = who_ok(who))) return rc;
	if ((rc = gnbv__commune_get(s, commune, on, &o->c))) return rc;
	if (strcmp(o->c.level, "commune"))
		return gnbv_error_set(GNBV_EINVALID, "%s is a %s, not a commune", o->c.code,
		                      gnbv_tr(o->c.level));
	if (!gnbv__scope_has(&who->scope, o->c.path))
		return gnbv_error_set(GNBV_EDENIED, "%s (%s) is outside the scope of user %s",
		                      o->c.name, o->c.code, who->user);
	gnbv__now_text(o->at);
	if ((rc = gnbv__begin(s))) return rc;
	return gnbv__audit_reserve(s, &o->seq);
}

int gnbv_adhoc_request_add(gnbv_store *s, const gnbv_review_actor *who,
                           const gnbv_review_params *prm, const char *commune,
                           const char *household_code, int32_t requested_on, const char *reason,
                           int64_t *request_id)
{
	op o;
	gnbv_review_params pbuf;
	const gnbv_review_params *p = NULL;
	char code[GNBV_STORE_CODE_MAX + 1], why[GNBV_REVIEW_TEXT_MAX + 1], day[11], due[11];
	int64_t id = 0;
	int rc = params_or_builtin(prm, &pbuf, &p);
	if (rc) return rc;
	if (!gnbv_date_valid(requested_on)) {
		rc = gnbv_error_set(GNBV_EINVALID, "the request's date is not a date");
		memset(&o, 0, sizeof o);
		goto done;
	}
	if ((rc = op_begin_unit(&o, s, who, commune, requested_on))) goto done;
	if ((rc = text_arg("household code", household_code, code, sizeof code, 1)) ||
	    (rc = text_arg("the reason", reason, why, sizeof why, 1)))
		goto done;
	/* Decision 24/2021/QĐ-TTg, ad-hoc review (Mẫu số 04): decided within
	 * the deadline of the parameters (15 days by default). */
	date_text(requested_on, day);
	date_text(gnbv_review_add_days(requested_on, p->deadline_days, p->deadline_working), due);
	if ((rc = next_id(s, &id)) ||
	    (rc = gnbv__x(s,
	                  "INSERT INTO adhoc_request (request_id, unit_id, household_code, "
	                  "requested_on, reason, due_on, recorded_by, change_seq) VALUES (?, ?, ?, "
	                  "?, ?, ?, ?, ?)",
	                  "iittttti", id, o.c.unit_id, code, day, why, due, who->user, o.seq)) ||
	    (rc = det_int(&o, "request", id)) || (rc = det_str(&o, "household", code)) ||
	    (rc = det_str(&o, "requested_on", day)) || (rc = det_str(&o, "due_on", due)) ||
	    (rc = det_str(&o, "reason", why)) || (rc = det_close(&o)))
		goto done;
done:
	rc = op_end(&o, rc, "adhoc.request");
	if (!rc && request_id) *request_id = id;
	return rc;
}

int gnbv_adhoc_decide(gnbv_store *s, const gnbv_review_actor *who, int64_t request_id,
                      int32_t round_date, int32_t decided_on, const char *decision_no,
                      const char *signer)
{
	op o;
	gnbv_bstmt *st = NULL;
	char commune[GNBV_STORE_CODE_MAX + 1], code[GNBV_STORE_CODE_MAX + 1], requested[16],
	    decided[16], no[128], sig[GNBV_STORE_NAME_MAX + 1], day[11], period[32], klass[16];
	int64_t unit_id = 0, survey_id = 0;
	int rc;
	memset(&o, 0, sizeof o);
	if ((rc =
	         gnbv__q(s, &st,
	                 "SELECT u.code, a.household_code, a.requested_on, a.decided_on, a.unit_id "
	                 "FROM adhoc_request a JOIN unit u ON u.unit_id = a.unit_id WHERE "
	                 "a.request_id = ?",
	                 "i", request_id)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc != GNBV_BACKEND_ROW) {
		rc =
		    gnbv_error_set(GNBV_ENOTFOUND, "no ad-hoc request %lld", (long long)request_id);
		goto done;
	}
	gnbv__col_copy(s, st, 0, commune, sizeof commune);
	gnbv__col_copy(s, st, 1, code, sizeof code);
	gnbv__col_copy(s, st, 2, requested, sizeof requested);
	gnbv__col_copy(s, st, 3, decided, sizeof decided);
	unit_id = gnbv__col_int(s, st, 4);
	gnbv__fin(s, st);
	st = NULL;
	int32_t req = parse_date_text(requested);
	if ((rc = op_begin_unit(&o, s, who, commune, req))) goto done;
	if (o.c.unit_id != unit_id) {
		rc = gnbv_error_set(GNBV_EIO, "ad-hoc request %lld: its commune changed",
		                    (long long)request_id);
		goto done;
	}
	if (decided[0]) {
		rc = gnbv_error_set(GNBV_ECONFLICT, "ad-hoc request %lld was decided on %s",
		                    (long long)request_id, decided);
		goto done;
	}
	if ((rc = text_arg("the decision number", decision_no, no, sizeof no, 1)) ||
	    (rc = text_arg("the signer", signer, sig, sizeof sig, 1)))
		goto done;
	if (!round_date) round_date = req;
	if (!gnbv_date_valid(round_date) || !gnbv_date_valid(decided_on) || decided_on < req ||
	    round_date < req || round_date > decided_on) {
		rc = gnbv_error_set(GNBV_EINVALID,
		                    "the survey's and the decision's dates must fall between the "
		                    "request (%s) and the decision, in that order",
		                    requested);
		goto done;
	}
	char rd[11];
	date_text(round_date, rd);
	snprintf(period, sizeof period, "adhoc:%s", rd);
	if ((rc = gnbv__q(s, &st,
	                  "SELECT s.survey_id, s.class FROM survey s JOIN household h ON "
	                  "h.household_id = s.household_id JOIN review_round r ON r.round_id = "
	                  "s.round_id WHERE h.code = ? AND r.unit_id = ? AND r.period = ? AND "
	                  "s.replaced_by IS NULL",
	                  "tit", code, unit_id, period)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc != GNBV_BACKEND_ROW) {
		rc = gnbv_error_set(GNBV_ECONFLICT,
		                    "household %s has no survey in the ad-hoc round of %s in %s: "
		                    "survey it first (import --kind adhoc --as-of %s)",
		                    code, rd, commune, rd);
		goto done;
	}
	survey_id = gnbv__col_int(s, st, 0);
	gnbv__col_copy(s, st, 1, klass, sizeof klass);
	gnbv__fin(s, st);
	st = NULL;
	date_text(decided_on, day);
	if ((rc = gnbv__x(s,
	                  "UPDATE adhoc_request SET decided_on = ?, decision_no = ?, signer = ?, "
	                  "decided_class = ?, survey_id = ?, decided_by = ?, change_seq = ? WHERE "
	                  "request_id = ?",
	                  "ttttitii", day, no, sig, klass, survey_id, who->user, o.seq,
	                  request_id)) ||
	    (rc = det_int(&o, "request", request_id)) || (rc = det_str(&o, "household", code)) ||
	    (rc = det_str(&o, "decided_on", day)) || (rc = det_str(&o, "decision", no)) ||
	    (rc = det_str(&o, "class", klass)) || (rc = det_close(&o)))
		goto done;
done:
	gnbv__fin(s, st);
	return op_end(&o, rc, "adhoc.decide");
}

int gnbv_adhoc_overdue(gnbv_store *s, const gnbv_scope *scope, int32_t on, gnbv_adhoc_fn fn,
                       void *ctx)
{
	gnbv_bstmt *st = NULL;
	char lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2], day[11];
	if (!gnbv_date_valid(on))
		return gnbv_error_set(GNBV_EINVALID, "the query date is not a date");
	date_text(on, day);
	gnbv__scope_range(scope, lo, hi, sizeof lo);
	/* Overdue: no decision yet and the due date passed (the due day
	 * itself is still on time). */
	int rc = gnbv__q(s, &st,
	                 "SELECT a.request_id, a.household_code, u.code, a.requested_on, a.due_on, "
	                 "a.reason FROM adhoc_request a JOIN unit u ON u.unit_id = a.unit_id WHERE "
	                 "a.decided_on = '' AND a.due_on < ? AND u.path >= ? AND u.path < ? "
	                 "ORDER BY a.due_on, a.request_id",
	                 "ttt", day, lo, hi);
	if (rc) goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_adhoc_request r;
		memset(&r, 0, sizeof r);
		r.request_id = gnbv__col_int(s, st, 0);
		gnbv__col_copy(s, st, 1, r.household_code, sizeof r.household_code);
		gnbv__col_copy(s, st, 2, r.commune, sizeof r.commune);
		gnbv__col_copy(s, st, 3, r.requested_on, sizeof r.requested_on);
		gnbv__col_copy(s, st, 4, r.due_on, sizeof r.due_on);
		gnbv__col_copy(s, st, 5, r.reason, sizeof r.reason);
		r.days_late = (int)gnbv_review_days_between(parse_date_text(r.due_on), on);
		if ((rc = fn(ctx, &r))) goto done;
	}
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	return rc;
}

/* ---- split and merged households ---- */

static int household_id_of(gnbv_store *s, const char *code, int64_t *id, char *path, size_t cap)
{
	gnbv_bstmt *st = NULL;
	int rc = gnbv__q(s, &st,
	                 "SELECT h.household_id, u.path FROM household h JOIN unit u ON u.unit_id "
	                 "= h.unit_id WHERE h.code = ?",
	                 "t", code);
	if (!rc) {
		rc = gnbv__step(s, st);
		if (rc == GNBV_BACKEND_ROW) {
			*id = gnbv__col_int(s, st, 0);
			gnbv__col_copy(s, st, 1, path, cap);
			rc = 0;
		} else if (rc >= 0) {
			rc = gnbv_error_set(GNBV_ENOTFOUND, "no household '%s'", code);
		}
	}
	gnbv__fin(s, st);
	return rc;
}

int gnbv_review_origin_add(gnbv_store *s, const gnbv_review_actor *who, const char *code,
                           const char *kind, const char *const *from, size_t n, int year)
{
	op o;
	char path[GNBV_SCOPE_PATH_MAX], fpath[GNBV_SCOPE_PATH_MAX];
	int64_t hid = 0;
	int rc;
	memset(&o, 0, sizeof o);
	o.s = s;
	o.who = who;
	o.year = year;
	if ((rc = who_ok(who))) goto done;
	int split = kind && !strcmp(kind, "split"), merge = kind && !strcmp(kind, "merge");
	if (!split && !merge) {
		rc = gnbv_error_set(GNBV_EINVALID, "the kind is split or merge");
		goto done;
	}
	if ((split && n != 1) || (merge && (n < 2 || n > 16))) {
		rc = gnbv_error_set(GNBV_EINVALID,
		                    "a split comes from one household, a merge from 2 to 16");
		goto done;
	}
	if (year < 2000 || year > 2100) {
		rc = gnbv_error_set(GNBV_EINVALID, "the year %d is not a review year", year);
		goto done;
	}
	gnbv__now_text(o.at);
	if ((rc = gnbv__begin(s)) || (rc = gnbv__audit_reserve(s, &o.seq))) goto done;
	if ((rc = household_id_of(s, code, &hid, path, sizeof path))) goto done;
	if (!gnbv__scope_has(&who->scope, path)) {
		rc = gnbv_error_set(GNBV_EDENIED, "household %s is outside the scope of user %s",
		                    code, who->user);
		goto done;
	}
	/* An origin changes the transitions of the household's round of that
	 * year: refused once that round is locked. */
	{
		gnbv_bstmt *st = NULL;
		char period[32];
		snprintf(period, sizeof period, "periodic:%d", year);
		if ((rc = gnbv__q(
		         s, &st,
		         "SELECT round_id FROM survey WHERE household_id = ? AND period = ? "
		         "AND replaced_by IS NULL",
		         "it", hid, period)))
			goto done;
		rc = gnbv__step(s, st);
		int64_t rid = rc == GNBV_BACKEND_ROW ? gnbv__col_int(s, st, 0) : 0;
		gnbv__fin(s, st);
		if (rc < 0) goto done;
		rc = 0;
		if (rid && (rc = gnbv__round_writable(s, rid))) goto done;
	}
	snprintf(o.c.code, sizeof o.c.code, "household:%s", code);
	if ((rc = det_str(&o, "household", code)) || (rc = det_str(&o, "kind", kind)) ||
	    (rc = gnbv__buf_str(&o.detail, ",\"from\":[")))
		goto done;
	for (size_t i = 0; i < n; i++) {
		int64_t fid = 0;
		if ((rc = household_id_of(s, from[i], &fid, fpath, sizeof fpath))) goto done;
		if (fid == hid) {
			rc = gnbv_error_set(GNBV_EINVALID, "household %s cannot come from itself",
			                    code);
			goto done;
		}
		if ((rc = gnbv__x(s,
		                  "INSERT INTO household_origin (household_id, from_household_id, "
		                  "kind, year, change_seq) VALUES (?, ?, ?, ?, ?)",
		                  "iitdi", hid, fid, kind, year, o.seq)) ||
		    (rc = gnbv__buf_str(&o.detail, i ? "," : "")) ||
		    (rc = gnbv__buf_json(&o.detail, from[i], strlen(from[i]))))
			goto done;
	}
	rc = gnbv__buf_str(&o.detail, "]}");
done:
	if (rc && rc != GNBV_EDENIED && strstr(gnbv_error_message(), "UNIQUE"))
		rc = gnbv_error_set(GNBV_ECONFLICT, "household %s already records that origin",
		                    code);
	return op_end(&o, rc, "household.origin");
}

/* ---- expected to escape (M8) ---- */

int gnbv_escape_mark(gnbv_store *s, const gnbv_review_actor *who, const char *commune, int year,
                     const char *household_code)
{
	op o;
	gnbv_bstmt *st = NULL;
	char code[GNBV_STORE_CODE_MAX + 1], klass[16];
	int64_t base = 0, sid = 0, hid = 0, id = 0;
	int base_year = 0;
	int rc;
	memset(&o, 0, sizeof o);
	if (year < 2000 || year > 2100) {
		rc = gnbv_error_set(GNBV_EINVALID, "the year %d is not a plan year", year);
		goto done;
	}
	if ((rc = op_begin_unit(&o, s, who, commune, year * 10000 + 101))) goto done;
	o.year = year;
	if ((rc = text_arg("household code", household_code, code, sizeof code, 1))) goto done;
	/* The deficits are those of the last recognised round before the
	 * year: the list the year starts with. */
	if ((rc = gnbv__round_prev(s, o.c.unit_id, year, &base, &base_year))) goto done;
	if (!base) {
		rc = gnbv_error_set(GNBV_ECONFLICT,
		                    "%s (%s) has no recognised review round before %d: the list "
		                    "expected to escape starts from one",
		                    o.c.name, o.c.code, year);
		goto done;
	}
	if ((rc =
	         gnbv__q(s, &st,
	                 "SELECT s.survey_id, s.household_id, s.class FROM survey s JOIN household "
	                 "h ON h.household_id = s.household_id WHERE h.code = ? AND s.round_id = ? "
	                 "AND s.replaced_by IS NULL",
	                 "ti", code, base)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc != GNBV_BACKEND_ROW) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "household %s is not in the %d round of %s",
		                    code, base_year, o.c.code);
		goto done;
	}
	sid = gnbv__col_int(s, st, 0);
	hid = gnbv__col_int(s, st, 1);
	gnbv__col_copy(s, st, 2, klass, sizeof klass);
	gnbv__fin(s, st);
	st = NULL;
	if (strcmp(klass, "poor") && strcmp(klass, "near_poor")) {
		rc = gnbv_error_set(GNBV_ECONFLICT,
		                    "household %s is %s in the %d round, not on the poor or "
		                    "near-poor list",
		                    code, gnbv_tr(klass), base_year);
		goto done;
	}
	if ((rc = gnbv__q(s, &st,
	                  "SELECT plan_id FROM escape_plan WHERE year = ? AND household_id = ?",
	                  "di", year, hid)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc == GNBV_BACKEND_ROW) {
		rc = gnbv_error_set(GNBV_ECONFLICT,
		                    "household %s is already expected to escape in %d", code, year);
		goto done;
	}
	gnbv__fin(s, st);
	st = NULL;
	if ((rc = next_id(s, &id)) ||
	    (rc = gnbv__x(s,
	                  "INSERT INTO escape_plan (plan_id, unit_id, year, household_id, "
	                  "base_survey, marked_by, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                  "iidiiti", id, o.c.unit_id, year, hid, sid, who->user, o.seq)) ||
	    (rc = det_str(&o, "household", code)) ||
	    (rc = det_int(&o, "base_round_year", base_year)) ||
	    (rc = det_str(&o, "class", klass)) || (rc = det_close(&o)))
		goto done;
done:
	gnbv__fin(s, st);
	return op_end(&o, rc, "escape.mark");
}

/* The plan of (year, household) in the actor's scope; opens the
 * operation on its commune. */
static int plan_begin(op *o, gnbv_store *s, const gnbv_review_actor *who, int year,
                      const char *household_code, int64_t *plan_id)
{
	gnbv_bstmt *st = NULL;
	char commune[GNBV_STORE_CODE_MAX + 1];
	int rc;
	memset(o, 0, sizeof *o);
	if ((rc = gnbv__q(s, &st,
	                  "SELECT p.plan_id, u.code FROM escape_plan p JOIN household h ON "
	                  "h.household_id = p.household_id JOIN unit u ON u.unit_id = p.unit_id "
	                  "WHERE p.year = ? AND h.code = ?",
	                  "dt", year, household_code ? household_code : "")))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc != GNBV_BACKEND_ROW) {
		rc =
		    gnbv_error_set(GNBV_ENOTFOUND,
		                   "household %s is not on the list expected to escape in %d (mark "
		                   "it first)",
		                   household_code ? household_code : "", year);
		goto done;
	}
	*plan_id = gnbv__col_int(s, st, 0);
	gnbv__col_copy(s, st, 1, commune, sizeof commune);
	gnbv__fin(s, st);
	st = NULL;
	rc = op_begin_unit(o, s, who, commune, year * 10000 + 101);
	o->year = year;
done:
	gnbv__fin(s, st);
	return rc;
}

int gnbv_escape_assign(gnbv_store *s, const gnbv_review_actor *who, int year,
                       const char *household_code, const char *helper, const char *position)
{
	op o;
	char name[GNBV_STORE_NAME_MAX + 1], pos[128];
	int64_t plan = 0;
	int rc = plan_begin(&o, s, who, year, household_code, &plan);
	if (rc) goto done;
	/* The helper is a member of the commune board (issue 7; the seed's
	 * plan assigns one to each household). */
	if ((rc = text_arg("the helper", helper, name, sizeof name, 1)) ||
	    (rc = text_arg("the helper's position", position, pos, sizeof pos, 0)))
		goto done;
	if ((rc = gnbv__x(s,
	                  "UPDATE escape_plan SET helper = ?, helper_position = ?, change_seq = ? "
	                  "WHERE plan_id = ?",
	                  "ttii", name, pos, o.seq, plan)) ||
	    (rc = det_str(&o, "household", household_code)) || (rc = det_str(&o, "helper", name)) ||
	    (rc = det_str(&o, "position", pos)) || (rc = det_close(&o)))
		goto done;
done:
	return op_end(&o, rc, "escape.assign");
}

int gnbv_escape_support(gnbv_store *s, const gnbv_review_actor *who, int year,
                        const char *household_code, const char *what, int32_t given_on,
                        int64_t amount_vnd, const char *component)
{
	op o;
	char body[GNBV_REVIEW_TEXT_MAX + 1], comp[32], day[11];
	int64_t plan = 0, id = 0;
	int rc = plan_begin(&o, s, who, year, household_code, &plan);
	if (rc) goto done;
	if ((rc = text_arg("what was given", what, body, sizeof body, 1)) ||
	    (rc = text_arg("the component", component, comp, sizeof comp, 0)))
		goto done;
	if (!gnbv_date_valid(given_on)) {
		rc = gnbv_error_set(GNBV_EINVALID, "the support's date is not a date");
		goto done;
	}
	if (amount_vnd < 0 || amount_vnd > (int64_t)1000000000000) {
		rc = gnbv_error_set(GNBV_EINVALID, "the amount is 0 to 10^12 VND");
		goto done;
	}
	date_text(given_on, day);
	if ((rc = next_id(s, &id)) ||
	    (rc = gnbv__x(s,
	                  "INSERT INTO escape_support (support_id, plan_id, what, given_on, "
	                  "amount_vnd, component, recorded_by, change_seq) VALUES (?, ?, ?, ?, ?, "
	                  "?, ?, ?)",
	                  "iittitti", id, plan, body, day, amount_vnd, comp, who->user, o.seq)) ||
	    (rc = det_str(&o, "household", household_code)) || (rc = det_str(&o, "what", body)) ||
	    (rc = det_str(&o, "given_on", day)) || (rc = det_int(&o, "amount_vnd", amount_vnd)) ||
	    (rc = det_str(&o, "component", comp)) || (rc = det_close(&o)))
		goto done;
done:
	return op_end(&o, rc, "escape.support");
}

static const char ESCAPE_SQL[] =
    "SELECT p.plan_id, h.code, u.code, b.class, r.year, p.helper, p.helper_position, "
    "b.ind_employment, b.ind_dependants, b.ind_nutrition, b.ind_health_insurance, "
    "b.ind_adult_education, b.ind_child_schooling, b.ind_housing_quality, b.ind_housing_area, "
    "b.ind_water, b.ind_sanitation, b.ind_telecom, b.ind_info_devices, b.ind_waste, "
    "(SELECT m.name FROM member m WHERE m.survey_id = b.survey_id ORDER BY CASE WHEN "
    "m.relation = 'head' THEN 0 ELSE 1 END, m.member_no LIMIT 1), "
    "(SELECT count(*) FROM escape_support x WHERE x.plan_id = p.plan_id), "
    "(SELECT coalesce(sum(x.amount_vnd), 0) FROM escape_support x WHERE x.plan_id = "
    "p.plan_id), "
    "(SELECT s2.class FROM survey s2 JOIN review_round r2 ON r2.round_id = s2.round_id JOIN "
    "review_state w2 ON w2.round_id = r2.round_id WHERE w2.step = 'recognised' AND "
    "s2.household_id = p.household_id AND s2.replaced_by IS NULL AND r2.kind = 'periodic' AND "
    "r2.year = p.year LIMIT 1), "
    "(SELECT count(*) FROM review_round r3 JOIN review_state w3 ON w3.round_id = r3.round_id "
    "WHERE w3.step = 'recognised' AND r3.unit_id = p.unit_id AND r3.kind = 'periodic' AND "
    "r3.year = p.year) "
    "FROM escape_plan p JOIN household h ON h.household_id = p.household_id JOIN unit u ON "
    "u.unit_id = p.unit_id JOIN survey b ON b.survey_id = p.base_survey JOIN review_round r ON "
    "r.round_id = b.round_id WHERE p.year = ? AND u.path >= ? AND u.path < ? "
    "ORDER BY u.code, h.code";

extern const char *const GNBV__RULE_CODES[];

int gnbv_escape_each(gnbv_store *s, const gnbv_scope *scope, const char *unit, int year,
                     gnbv_escape_fn fn, void *ctx)
{
	gnbv__commune u;
	gnbv_bstmt *st = NULL, *sup = NULL;
	char lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2];
	gnbv_scope us;
	int rc = gnbv__commune_get(s, unit, year * 10000 + 101, &u);
	if (rc) return rc;
	if (!scope || !gnbv__scope_has(scope, u.path))
		return gnbv_error_set(GNBV_EDENIED, "%s (%s) is outside your scope", u.name,
		                      u.code);
	memset(&us, 0, sizeof us);
	us.unit_id = u.unit_id;
	snprintf(us.path, sizeof us.path, "%s", u.path);
	gnbv__scope_range(&us, lo, hi, sizeof lo);
	if ((rc = gnbv__q(s, &st, ESCAPE_SQL, "dtt", year, lo, hi)) ||
	    (rc = gnbv__prep(s,
	                     "SELECT component FROM escape_support WHERE plan_id = ? AND component "
	                     "<> '' ORDER BY support_id",
	                     &sup)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_escape_item e;
		memset(&e, 0, sizeof e);
		int64_t plan = gnbv__col_int(s, st, 0);
		gnbv__col_copy(s, st, 1, e.household_code, sizeof e.household_code);
		gnbv__col_copy(s, st, 2, e.commune, sizeof e.commune);
		gnbv__col_copy(s, st, 3, e.base_class, sizeof e.base_class);
		e.base_year = (int)gnbv__col_int(s, st, 4);
		gnbv__col_copy(s, st, 5, e.helper, sizeof e.helper);
		gnbv__col_copy(s, st, 6, e.helper_position, sizeof e.helper_position);
		for (int i = 0; i < GNBV_RULE_COUNT && i < 13; i++)
			if (!gnbv__col_null(s, st, 7 + i) && gnbv__col_int(s, st, 7 + i) == 1 &&
			    e.n_deficits < GNBV_ESCAPE_MAX_DEFICITS)
				snprintf(e.deficits[e.n_deficits++], sizeof e.deficits[0], "%s",
				         GNBV__RULE_CODES[i]);
		/* Decree 07/2021/NĐ-CP Art. 3(2): poor and near-poor both have
		 * income at or below the line, so the list's households all
		 * lack income too. */
		if (e.n_deficits < GNBV_ESCAPE_MAX_DEFICITS)
			snprintf(e.deficits[e.n_deficits++], sizeof e.deficits[0], "income");
		if (!gnbv__col_null(s, st, 20)) gnbv__col_copy(s, st, 20, e.head, sizeof e.head);
		e.supports = (uint64_t)gnbv__col_int(s, st, 21);
		e.support_vnd = gnbv__col_int(s, st, 22);
		int recognised = gnbv__col_int(s, st, 24) > 0;
		e.escaped = -1;
		if (!gnbv__col_null(s, st, 23)) {
			gnbv__col_copy(s, st, 23, e.outcome, sizeof e.outcome);
			int was_poor = !strcmp(e.base_class, "poor");
			int is_poor = !strcmp(e.outcome, "poor");
			int is_near = !strcmp(e.outcome, "near_poor");
			e.escaped = was_poor ? !is_poor : !is_poor && !is_near;
		} else if (recognised) {
			snprintf(e.outcome, sizeof e.outcome, "absent");
		}
		if ((rc = gnbv__bind_int(s, sup, 1, plan))) goto done;
		size_t w = 0;
		while ((rc = gnbv__step(s, sup)) == GNBV_BACKEND_ROW) {
			char c[32];
			gnbv__col_copy(s, sup, 0, c, sizeof c);
			if (strstr(e.components, c)) continue;
			size_t k = strlen(c);
			if (w + k + 2 > sizeof e.components) break;
			if (w) e.components[w++] = ';';
			memcpy(e.components + w, c, k + 1);
			w += k;
		}
		gnbv__reset(s, sup);
		if (rc < 0) goto done;
		if ((rc = fn(ctx, &e))) goto done;
	}
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	gnbv__fin(s, sup);
	return rc;
}

int gnbv_escape_map_load(gnbv_escape_map *out, const char *path)
{
	const char *name = path ? path : "review/escape-map.json";
	json_t *root = NULL;
	int rc = gnbv_json_load_data(path, "review/escape-map.json", &root);
	if (rc) return rc;
	gnbv_escape_map *m = calloc(1, sizeof *m);
	if (!m) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	json_t *defs = json_object_get(root, "deficits");
	const char *key;
	json_t *list;
	if (!json_is_object(defs)) {
		rc = gnbv_error_set(GNBV_EINVALID, "%s: no \"deficits\" object", name);
		goto done;
	}
	json_object_foreach(defs, key, list)
	{
		if (m->n == sizeof m->e / sizeof m->e[0] || strlen(key) >= sizeof m->e[0].deficit ||
		    !json_is_array(list) || json_array_size(list) > 6) {
			rc = gnbv_error_set(
			    GNBV_EINVALID,
			    "%s: deficit '%s': at most 16 deficits of 6 targets each", name, key);
			goto done;
		}
		snprintf(m->e[m->n].deficit, sizeof m->e[0].deficit, "%s", key);
		for (size_t i = 0; i < json_array_size(list); i++) {
			json_t *t = json_array_get(list, i);
			const char *k = json_string_value(json_object_get(t, "kind"));
			const char *c = json_string_value(json_object_get(t, "code"));
			const char *v = json_string_value(json_object_get(t, "vi"));
			gnbv_escape_target *x = &m->e[m->n].t[i];
			if (!k || !c || !v || strlen(k) >= sizeof x->kind ||
			    strlen(c) >= sizeof x->code || strlen(v) >= sizeof x->name) {
				rc = gnbv_error_set(
				    GNBV_EINVALID,
				    "%s: deficit '%s', target %zu: needs kind, code and "
				    "vi (short)",
				    name, key, i + 1);
				goto done;
			}
			snprintf(x->kind, sizeof x->kind, "%s", k);
			snprintf(x->code, sizeof x->code, "%s", c);
			snprintf(x->name, sizeof x->name, "%s", v);
		}
		m->e[m->n].n = json_array_size(list);
		m->n++;
	}
	*out = *m;
done:
	free(m);
	json_decref(root);
	return rc;
}

const gnbv_escape_target *gnbv_escape_map_find(const gnbv_escape_map *m, const char *deficit,
                                               size_t *n)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].deficit, deficit)) {
			*n = m->e[i].n;
			return m->e[i].t;
		}
	*n = 0;
	return NULL;
}

/* ---- certificates ---- */

int gnbv_review_certificates(gnbv_store *s, const gnbv_scope *scope, const gnbv_review_params *prm,
                             const char *commune, int year, const char *household_code,
                             gnbv_certificate_fn fn, void *ctx)
{
	gnbv_review_params pbuf;
	const gnbv_review_params *p = NULL;
	gnbv__commune c;
	gnbv__utree *t = NULL;
	gnbv_bstmt *st = NULL;
	int64_t rid;
	int step;
	char no[128], date[11], signer[GNBV_STORE_NAME_MAX + 1];
	int rc = params_or_builtin(prm, &pbuf, &p);
	if (rc) return rc;
	if ((rc = read_round(s, scope, commune, year, &c, &rid, &step))) return rc;
	if (step != GNBV_STEP_RECOGNISED)
		return gnbv_error_set(
		    GNBV_ECONFLICT,
		    "the %d round of %s (%s) is not recognised: certificates follow "
		    "the recognition decision",
		    year, c.name, c.code);
	if ((rc = gnbv__q(s, &st,
	                  "SELECT decision_no, decision_date, signer FROM review_state WHERE "
	                  "round_id = ?",
	                  "i", rid)))
		goto done;
	if ((rc = gnbv__step(s, st)) != GNBV_BACKEND_ROW) {
		if (rc >= 0) rc = gnbv_error_set(GNBV_EIO, "review state missing");
		goto done;
	}
	gnbv__col_copy(s, st, 0, no, sizeof no);
	gnbv__col_copy(s, st, 1, date, sizeof date);
	gnbv__col_copy(s, st, 2, signer, sizeof signer);
	gnbv__fin(s, st);
	st = NULL;
	if ((rc = gnbv__utree_load(s, &t))) goto done;
	gnbv__rkeys k;
	gnbv__round_keys(c.path, year, &k);
	if ((rc = gnbv__q(s, &st,
	                  "SELECT h.code, s.class, s.unit_id, (SELECT m.name FROM member m WHERE "
	                  "m.survey_id = s.survey_id ORDER BY CASE WHEN m.relation = 'head' THEN 0 "
	                  "ELSE 1 END, m.member_no LIMIT 1) FROM unit u JOIN survey s ON "
	                  "s.unit_id = u.unit_id JOIN household h ON h.household_id = "
	                  "s.household_id WHERE u.path >= ? AND u.path < ? AND s.period = ? AND "
	                  "s.round_id = ? AND s.replaced_by IS NULL AND s.class IN ('poor', "
	                  "'near_poor') AND (CAST(? AS TEXT) IS NULL OR h.code = ?) "
	                  "ORDER BY h.code",
	                  "tttitt", k.lo, k.hi, k.period, rid, household_code, household_code)))
		goto done;
	int found = 0;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_certificate cert;
		memset(&cert, 0, sizeof cert);
		gnbv__col_copy(s, st, 0, cert.household_code, sizeof cert.household_code);
		gnbv__col_copy(s, st, 1, cert.klass, sizeof cert.klass);
		int64_t uid = gnbv__col_int(s, st, 2);
		if (!gnbv__col_null(s, st, 3))
			gnbv__col_copy(s, st, 3, cert.head, sizeof cert.head);
		/* The household's village and the units above it. */
		for (size_t i = 0; i < t->n; i++) {
			if (t->u[i].id != uid) continue;
			for (long a = (long)i; a >= 0; a = t->u[a].parent) {
				const gnbv__unit *x = &t->u[a];
				char *dst = !strcmp(x->level, "village")    ? cert.village
				            : !strcmp(x->level, "commune")  ? cert.commune
				            : !strcmp(x->level, "district") ? cert.district
				                                            : cert.province;
				snprintf(dst, GNBV_STORE_NAME_MAX + 1, "%s", x->name);
			}
			break;
		}
		cert.year = year;
		cert.valid_year = year + p->validity_offset;
		snprintf(cert.decision_no, sizeof cert.decision_no, "%s", no);
		snprintf(cert.decision_date, sizeof cert.decision_date, "%s", date);
		snprintf(cert.signer, sizeof cert.signer, "%s", signer);
		found++;
		if ((rc = fn(ctx, &cert))) goto done;
	}
	if (rc < 0) goto done;
	rc = 0;
	if (household_code && !found)
		rc = gnbv_error_set(GNBV_ENOTFOUND,
		                    "household %s is not on the poor or near-poor list of the %d "
		                    "round of %s",
		                    household_code, year, c.code);
done:
	gnbv__fin(s, st);
	gnbv__utree_free(t);
	return rc;
}

/* ---- the rounds of a year, for dashboards ---- */

int gnbv_review_rounds_each(gnbv_store *s, const gnbv_scope *scope, int year,
                            gnbv_review_round_fn fn, void *ctx)
{
	gnbv_bstmt *st = NULL;
	char lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2], period[32];
	if (!scope) return gnbv_error_set(GNBV_EDENIED, "no scope");
	gnbv__scope_range(scope, lo, hi, sizeof lo);
	snprintf(period, sizeof period, "periodic:%d", year);
	int rc =
	    gnbv__q(s, &st,
	            "SELECT r.round_id, u.code, u.name, w.step, w.decision_no, w.decision_date, "
	            "w.submitted_by, w.reopen_count, (SELECT count(*) FROM adhoc_request a "
	            "WHERE a.unit_id = r.unit_id AND a.decided_on = '') FROM review_round r "
	            "JOIN unit u ON u.unit_id = r.unit_id LEFT JOIN review_state w ON "
	            "w.round_id = r.round_id WHERE r.period = ? AND u.path >= ? AND u.path < ? "
	            "ORDER BY u.code",
	            "ttt", period, lo, hi);
	if (rc) goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_review_round_info r;
		memset(&r, 0, sizeof r);
		r.round_id = gnbv__col_int(s, st, 0);
		r.year = year;
		gnbv__col_copy(s, st, 1, r.commune, sizeof r.commune);
		gnbv__col_copy(s, st, 2, r.commune_name, sizeof r.commune_name);
		if (!gnbv__col_null(s, st, 3)) {
			char t[16];
			gnbv__col_copy(s, st, 3, t, sizeof t);
			r.step = step_of(t);
			gnbv__col_copy(s, st, 4, r.decision_no, sizeof r.decision_no);
			gnbv__col_copy(s, st, 5, r.decision_date, sizeof r.decision_date);
			gnbv__col_copy(s, st, 6, r.submitted_by, sizeof r.submitted_by);
			r.reopen_count = (int)gnbv__col_int(s, st, 7);
		}
		r.adhoc_open = (uint64_t)gnbv__col_int(s, st, 8);
		if ((rc = fn(ctx, &r))) goto done;
	}
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	return rc;
}
