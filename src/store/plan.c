/*
 * plan.c - plan documents in the store (gnbv/plan_store.h, migration
 * 0002_plans.sql). A put replaces the whole plan in one transaction: its
 * rows are deleted and written again from the plan, and the plan's
 * canonical gnbv-plan/1 text is hashed so that storing the same plan again
 * changes nothing and writes no audit record. A get rebuilds the plan
 * from its rows; what gnbv does not interpret comes back from the `extra`
 * columns, so file -> store -> file gives the same document. A put first
 * checks every date and year the plan carries (gnbv_plan_check_dates):
 * the store is where that rule holds for every caller.
 */
#include "store_int.h"

#include "gnbv/error.h"
#include "gnbv/plan_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int bind_s(gnbv_store *s, gnbv_bstmt *st, int i, const char *v)
{
	return v ? gnbv__bind_text(s, st, i, v, strlen(v)) : gnbv__bind_null(s, st, i);
}

static int bind_cap(gnbv_store *s, gnbv_bstmt *st, int i, int cap)
{
	return cap == GNBV_CAP_NONE ? gnbv__bind_null(s, st, i)
	                            : bind_s(s, st, i, gnbv_capital_code(cap));
}

/* The unit with this code valid today, in scope: its id. */
static int plan_unit(gnbv_store *s, const gnbv_scope *scope, const char *code, int write,
                     int64_t *id, char *name, size_t name_cap)
{
	gnbv__utree *t = NULL;
	int rc = gnbv__utree_load(s, &t);
	if (rc) return rc;
	long any, i = gnbv__utree_find(t, code, strlen(code), 0, &any);
	if (i < 0) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "no unit with code %s", code);
	} else if (!gnbv__scope_has(scope, t->u[i].path)) {
		rc = write ? gnbv_error_set(GNBV_EDENIED, "unit %s is outside your scope", code)
		           : gnbv_error_set(GNBV_ENOTFOUND, "no plan of unit %s", code);
	} else {
		*id = t->u[i].id;
		if (name) snprintf(name, name_cap, "%s", t->u[i].name);
	}
	gnbv__utree_free(t);
	return rc;
}

static void digest_hex(const char *text, char out[65])
{
	unsigned char h[32];
	gnbv__sha256 c;
	gnbv__sha256_init(&c);
	gnbv__sha256_update(&c, text, strlen(text));
	gnbv__sha256_final(&c, h);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static int find_plan(gnbv_store *s, int64_t unit_id, int year, int64_t *plan_id, char digest[65])
{
	gnbv_bstmt *st = NULL;
	int rc;
	*plan_id = 0;
	if ((rc = gnbv__prep(
	         s, "SELECT plan_id, digest FROM plan_doc WHERE unit_id = ? AND plan_year = ?",
	         &st)) ||
	    (rc = gnbv__bind_int(s, st, 1, unit_id)) || (rc = gnbv__bind_int(s, st, 2, year)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc == GNBV_BACKEND_ROW) {
		*plan_id = gnbv__col_int(s, st, 0);
		if (digest) gnbv__col_copy(s, st, 1, digest, 65);
		rc = 0;
	}
done:
	gnbv__fin(s, st);
	return rc < 0 ? rc : 0;
}

static int exec1(gnbv_store *s, const char *sql, int64_t a)
{
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(s, sql, &st);
	if (!rc) rc = gnbv__bind_int(s, st, 1, a);
	if (!rc) rc = gnbv__run(s, st);
	gnbv__fin(s, st);
	return rc;
}

/* Newline-joined list, in a malloc'd buffer (NULL for none). */
static char *join_lines(const char **v, size_t n)
{
	if (!v) return NULL;
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	char *out = malloc(len), *o = out;
	if (!out) return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(v[i]);
		memcpy(o, v[i], k);
		o += k;
		if (i + 1 < n) *o++ = '\n';
	}
	*o = '\0';
	return out;
}

static int write_rows(gnbv_store *s, int64_t plan_id, int64_t unit_id, const gnbv_plan *p)
{
	gnbv_bstmt *st = NULL;
	int rc;
	char *joined = NULL;
	/* Agencies belong to the unit: a plan adds or updates them. */
	if ((rc = gnbv__prep(
	         s,
	         "INSERT INTO agency (unit_id, code, seq, name_vi, abbr, name_en, extra) "
	         "VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM agency WHERE "
	         "unit_id = ?), ?, ?, ?, ?) ON CONFLICT (unit_id, code) DO UPDATE SET "
	         "name_vi = excluded.name_vi, abbr = excluded.abbr, name_en = "
	         "excluded.name_en, extra = excluded.extra",
	         &st)))
		goto done;
	for (size_t i = 0; i < p->n_agencies; i++) {
		const gnbv_plan_agency *g = &p->agencies[i];
		if ((rc = gnbv__bind_int(s, st, 1, unit_id)) || (rc = bind_s(s, st, 2, g->code)) ||
		    (rc = gnbv__bind_int(s, st, 3, unit_id)) ||
		    (rc = bind_s(s, st, 4, g->name_vi)) || (rc = bind_s(s, st, 5, g->abbr)) ||
		    (rc = bind_s(s, st, 6, g->name_en)) || (rc = bind_s(s, st, 7, g->extra)) ||
		    (rc = gnbv__run(s, st)))
			goto done;
	}
	gnbv__fin(s, st);
	st = NULL;

	if ((rc = gnbv__prep(
	         s,
	         "INSERT INTO budget_line (plan_id, seq, code, section, year, component, "
	         "capital_type, source, stage, amount_vnd, item, extra) "
	         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	         &st)))
		goto done;
	for (size_t i = 0; i < p->n_lines; i++) {
		const gnbv_plan_line *l = &p->lines[i];
		if ((rc = gnbv__bind_int(s, st, 1, plan_id)) ||
		    (rc = gnbv__bind_int(s, st, 2, (int64_t)i)) || (rc = bind_s(s, st, 3, l->id)) ||
		    (rc = gnbv__bind_int(s, st, 4, l->section)) ||
		    (rc = gnbv__bind_int(s, st, 5, l->year)) ||
		    (rc = bind_s(s, st, 6, l->component)) ||
		    (rc = bind_cap(s, st, 7, l->capital)) ||
		    (rc = bind_s(s, st, 8, gnbv_source_code(l->source))) ||
		    (rc = bind_s(s, st, 9, gnbv_stage_code(l->stage))) ||
		    (rc = gnbv__bind_int(s, st, 10, l->amount_vnd)) ||
		    (rc = bind_s(s, st, 11, l->item)) || (rc = bind_s(s, st, 12, l->extra)) ||
		    (rc = gnbv__run(s, st)))
			goto done;
	}
	gnbv__fin(s, st);
	st = NULL;

	if ((rc = gnbv__prep(s,
	                     "INSERT INTO plan_total (plan_id, seq, code, section, what, f_year, "
	                     "f_stage, f_source, f_capital, f_component, f_component_prefix, "
	                     "f_source_mask, f_line_ids, amount_vnd, where_text, extra) "
	                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                     &st)))
		goto done;
	for (size_t i = 0; i < p->n_totals; i++) {
		const gnbv_plan_total *t = &p->totals[i];
		const gnbv_plan_filter *f = &t->filter;
		free(joined);
		joined = join_lines(f->line_ids, f->n_line_ids);
		if (f->line_ids && !joined) {
			rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
			goto done;
		}
		const char *cap = f->capital < 0                ? NULL
		                  : f->capital == GNBV_CAP_NONE ? "none"
		                                                : gnbv_capital_code(f->capital);
		if ((rc = gnbv__bind_int(s, st, 1, plan_id)) ||
		    (rc = gnbv__bind_int(s, st, 2, (int64_t)i)) || (rc = bind_s(s, st, 3, t->id)) ||
		    (rc = gnbv__bind_int(s, st, 4, t->section)) ||
		    (rc = bind_s(s, st, 5, t->what)) ||
		    (rc =
		         f->year ? gnbv__bind_int(s, st, 6, f->year) : gnbv__bind_null(s, st, 6)) ||
		    (rc = bind_s(s, st, 7, f->stage >= 0 ? gnbv_stage_code(f->stage) : NULL)) ||
		    (rc = bind_s(s, st, 8, f->source >= 0 ? gnbv_source_code(f->source) : NULL)) ||
		    (rc = bind_s(s, st, 9, cap)) || (rc = bind_s(s, st, 10, f->component)) ||
		    (rc = bind_s(s, st, 11, f->component_prefix)) ||
		    (rc = gnbv__bind_int(s, st, 12, f->source_mask)) ||
		    (rc = bind_s(s, st, 13, joined)) ||
		    (rc = gnbv__bind_int(s, st, 14, t->amount_vnd)) ||
		    (rc = bind_s(s, st, 15, t->where)) || (rc = bind_s(s, st, 16, t->extra)) ||
		    (rc = gnbv__run(s, st)))
			goto done;
	}
	gnbv__fin(s, st);
	st = NULL;

	if ((rc = gnbv__prep(
	         s,
	         "INSERT INTO plan_output (plan_id, seq, section, component, capital_type, "
	         "quantity, unit_vi, unit_en, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	         &st)))
		goto done;
	for (size_t i = 0; i < p->n_outputs; i++) {
		const gnbv_plan_output *u = &p->outputs[i];
		if ((rc = gnbv__bind_int(s, st, 1, plan_id)) ||
		    (rc = gnbv__bind_int(s, st, 2, (int64_t)i)) ||
		    (rc = gnbv__bind_int(s, st, 3, u->section)) ||
		    (rc = bind_s(s, st, 4, u->component)) ||
		    (rc = bind_cap(s, st, 5, u->capital)) ||
		    (rc = u->has_quantity ? gnbv__bind_double(s, st, 6, u->quantity)
		                          : gnbv__bind_null(s, st, 6)) ||
		    (rc = bind_s(s, st, 7, u->unit_vi)) || (rc = bind_s(s, st, 8, u->unit_en)) ||
		    (rc = bind_s(s, st, 9, u->extra)) || (rc = gnbv__run(s, st)))
			goto done;
	}
	gnbv__fin(s, st);
	st = NULL;

	if ((rc = gnbv__prep(
	         s,
	         "INSERT INTO plan_target (plan_id, seq, code, section, indicator, text, "
	         "year, value_json, unit, comparator, extra) "
	         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	         &st)))
		goto done;
	for (size_t i = 0; i < p->n_targets; i++) {
		const gnbv_plan_target *t = &p->targets[i];
		if ((rc = gnbv__bind_int(s, st, 1, plan_id)) ||
		    (rc = gnbv__bind_int(s, st, 2, (int64_t)i)) || (rc = bind_s(s, st, 3, t->id)) ||
		    (rc = gnbv__bind_int(s, st, 4, t->section)) ||
		    (rc = bind_s(s, st, 5, t->indicator)) || (rc = bind_s(s, st, 6, t->text)) ||
		    (rc =
		         t->year ? gnbv__bind_int(s, st, 7, t->year) : gnbv__bind_null(s, st, 7)) ||
		    (rc = bind_s(s, st, 8, t->value_json)) || (rc = bind_s(s, st, 9, t->unit)) ||
		    (rc = bind_s(s, st, 10, t->comparator)) || (rc = bind_s(s, st, 11, t->extra)) ||
		    (rc = gnbv__run(s, st)))
			goto done;
	}
	gnbv__fin(s, st);
	st = NULL;

	if ((rc = gnbv__prep(s,
	                     "INSERT INTO plan_role (plan_id, seq, section, component, lead, "
	                     "cooperating, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                     &st)))
		goto done;
	for (size_t i = 0; i < p->n_roles; i++) {
		const gnbv_plan_role *r = &p->roles[i];
		free(joined);
		joined = join_lines(r->cooperating, r->n_cooperating);
		if (r->cooperating && !joined) {
			rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
			goto done;
		}
		if ((rc = gnbv__bind_int(s, st, 1, plan_id)) ||
		    (rc = gnbv__bind_int(s, st, 2, (int64_t)i)) ||
		    (rc = gnbv__bind_int(s, st, 3, r->section)) ||
		    (rc = bind_s(s, st, 4, r->component)) || (rc = bind_s(s, st, 5, r->lead)) ||
		    (rc = bind_s(s, st, 6, joined)) || (rc = bind_s(s, st, 7, r->extra)) ||
		    (rc = gnbv__run(s, st)))
			goto done;
	}
	gnbv__fin(s, st);
	st = NULL;

	if ((rc = gnbv__prep(s,
	                     "INSERT INTO plan_content (plan_id, seq, section, component, text) "
	                     "VALUES (?, ?, ?, ?, ?)",
	                     &st)))
		goto done;
	for (size_t i = 0; i < p->n_contents; i++) {
		const gnbv_plan_content *t = &p->contents[i];
		if ((rc = gnbv__bind_int(s, st, 1, plan_id)) ||
		    (rc = gnbv__bind_int(s, st, 2, (int64_t)i)) ||
		    (rc = gnbv__bind_int(s, st, 3, t->section)) ||
		    (rc = bind_s(s, st, 4, t->component)) || (rc = bind_s(s, st, 5, t->text)) ||
		    (rc = gnbv__run(s, st)))
			goto done;
	}
done:
	free(joined);
	gnbv__fin(s, st);
	return rc;
}

static void now_text(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The put; `edit` (may be NULL) describes a single-line edit for the audit
 * record, which then says plan.line_set instead of plan.replace. */
static int plan_put(gnbv_store *s, const gnbv_scope *scope, const gnbv_plan *p, int *changed,
                    const char *edit)
{
	static const char *const children[] = {"DELETE FROM budget_line WHERE plan_id = ?",
	                                       "DELETE FROM plan_total WHERE plan_id = ?",
	                                       "DELETE FROM plan_output WHERE plan_id = ?",
	                                       "DELETE FROM plan_target WHERE plan_id = ?",
	                                       "DELETE FROM plan_role WHERE plan_id = ?",
	                                       "DELETE FROM plan_content WHERE plan_id = ?"};
	char *text = NULL, digest[65], old[65] = "", object[160], at[32];
	gnbv__buf detail = {0};
	gnbv_bstmt *st = NULL;
	int64_t unit_id, plan_id, seq;
	int rc;
	if (changed) *changed = 0;
	/* Whoever built the plan (the file reader, `plan set`, the web form, a
	 * library caller), an impossible date or year is refused here, before
	 * anything is read or written (src/core/plan_dates.c). */
	char why[256];
	if (gnbv_plan_check_dates(p, why, sizeof why))
		return gnbv_error_set(GNBV_EINVALID, "plan %s %d: %s",
		                      p->unit_code ? p->unit_code : "?", p->plan_year, why);
	if ((rc = gnbv_plan_to_json(p, &text))) return rc;
	digest_hex(text, digest);
	if ((rc = gnbv__begin(s))) goto done;
	if ((rc = plan_unit(s, scope, p->unit_code, 1, &unit_id, NULL, 0)) ||
	    (rc = find_plan(s, unit_id, p->plan_year, &plan_id, old)))
		goto fail;
	if (plan_id && strcmp(old, digest) == 0) {
		gnbv__rollback(s);
		goto done;
	}
	int existed = plan_id != 0;
	if (existed) {
		for (size_t i = 0; i < sizeof children / sizeof children[0]; i++)
			if ((rc = exec1(s, children[i], plan_id))) goto fail;
	} else {
		if ((rc = gnbv__ids_lock(s, "plan", &plan_id)) ||
		    (rc = gnbv__ids_set(s, "plan", plan_id + 1)))
			goto fail;
	}
	now_text(at);
	if ((rc = gnbv__prep(
	         s,
	         existed ? "UPDATE plan_doc SET report_year = ?3, program = ?4, unit_name = "
	                   "?5, number = ?6, doc_date = ?7, signer_name = ?8, signer_title "
	                   "= ?9, status = ?10, title_vi = ?11, issuer_vi = ?12, a_title = "
	                   "?13, b_title = ?14, unit_extra = ?15, doc_extra = ?16, "
	                   "top_extra = ?17, a_extra = ?18, b_extra = ?19, digest = ?20, "
	                   "updated_at = ?21 WHERE plan_id = ?1 AND unit_id = ?22 AND "
	                   "plan_year = ?2"
	                 : "INSERT INTO plan_doc (plan_id, plan_year, report_year, "
	                   "program, unit_name, number, doc_date, signer_name, "
	                   "signer_title, status, title_vi, issuer_vi, a_title, b_title, "
	                   "unit_extra, doc_extra, top_extra, a_extra, b_extra, digest, "
	                   "updated_at, unit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	                   "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
	                   "?21, ?22)",
	         &st)))
		goto fail;
	if ((rc = gnbv__bind_int(s, st, 1, plan_id)) ||
	    (rc = gnbv__bind_int(s, st, 2, p->plan_year)) ||
	    (rc = gnbv__bind_int(s, st, 3, p->report_year)) ||
	    (rc = bind_s(s, st, 4, p->program)) || (rc = bind_s(s, st, 5, p->unit_name)) ||
	    (rc = bind_s(s, st, 6, p->number)) || (rc = bind_s(s, st, 7, p->date)) ||
	    (rc = bind_s(s, st, 8, p->signer_name)) || (rc = bind_s(s, st, 9, p->signer_title)) ||
	    (rc = bind_s(s, st, 10, gnbv_plan_status_code(p->status))) ||
	    (rc = bind_s(s, st, 11, p->title_vi)) || (rc = bind_s(s, st, 12, p->issuer_vi)) ||
	    (rc = bind_s(s, st, 13, p->section_title[0])) ||
	    (rc = bind_s(s, st, 14, p->section_title[1])) ||
	    (rc = bind_s(s, st, 15, p->unit_extra)) || (rc = bind_s(s, st, 16, p->doc_extra)) ||
	    (rc = bind_s(s, st, 17, p->top_extra)) ||
	    (rc = bind_s(s, st, 18, p->section_extra[0])) ||
	    (rc = bind_s(s, st, 19, p->section_extra[1])) || (rc = bind_s(s, st, 20, digest)) ||
	    (rc = bind_s(s, st, 21, at)) || (rc = gnbv__bind_int(s, st, 22, unit_id)) ||
	    (rc = gnbv__run(s, st)))
		goto fail;
	gnbv__fin(s, st);
	st = NULL;
	if ((rc = write_rows(s, plan_id, unit_id, p))) goto fail;
	snprintf(object, sizeof object, "plan:%s:%d", p->unit_code, p->plan_year);
	if ((rc = gnbv__buf_str(&detail, "{\"lines\":")) ||
	    (rc = gnbv__buf_i64(&detail, (int64_t)p->n_lines)) ||
	    (rc = gnbv__buf_str(&detail, ",\"digest\":\"")) ||
	    (rc = gnbv__buf_str(&detail, digest)) ||
	    (rc = gnbv__buf_str(&detail, existed ? "\",\"replaced\":\"" : "\"")) ||
	    (existed &&
	     ((rc = gnbv__buf_str(&detail, old)) || (rc = gnbv__buf_str(&detail, "\"")))) ||
	    (edit && ((rc = gnbv__buf_str(&detail, ",")) || (rc = gnbv__buf_str(&detail, edit)))) ||
	    (rc = gnbv__buf_str(&detail, "}")))
		goto fail;
	const char *action = edit ? "plan.line_set" : existed ? "plan.replace" : "plan.add";
	if ((rc = gnbv__audit_reserve(s, &seq)) ||
	    (rc = gnbv__audit_write(s, seq, action, object, detail.p, detail.len)) ||
	    (rc = gnbv__commit(s)))
		goto fail;
	if (changed) *changed = 1;
	goto done;
fail:
	gnbv__rollback(s);
done:
	gnbv__fin(s, st);
	gnbv__buf_free(&detail);
	free(text);
	return rc;
}

int gnbv_store_plan_put(gnbv_store *s, const gnbv_scope *scope, const gnbv_plan *p, int *changed)
{
	return plan_put(s, scope, p, changed, NULL);
}

/* ---- reading ---- */

static const char *col_s(gnbv_store *s, gnbv_bstmt *st, int c, gnbv_plan *p, int *oom)
{
	if (gnbv__col_null(s, st, c)) return NULL;
	size_t n;
	const char *v = gnbv__col_text(s, st, c, &n);
	const char *d = gnbv_plan_strndup(p, v ? v : "", v ? n : 0);
	if (!d) *oom = 1;
	return d;
}

/* Splits a newline-joined list into the plan's arena. */
static const char **split_lines(gnbv_plan *p, const char *joined, size_t *n)
{
	*n = 0;
	if (!joined) return NULL;
	size_t k = 1;
	for (const char *q = joined; *q; q++)
		k += *q == '\n';
	const char **v = gnbv_plan_alloc(p, k * sizeof *v);
	if (!v) return NULL;
	const char *b = joined;
	for (;;) {
		const char *e = strchr(b, '\n');
		size_t len = e ? (size_t)(e - b) : strlen(b);
		if (!(v[(*n)++] = gnbv_plan_strndup(p, b, len))) return NULL;
		if (!e) break;
		b = e + 1;
	}
	return v;
}

static int count_rows(gnbv_store *s, const char *table, int64_t plan_id, size_t *n)
{
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s WHERE plan_id = ?", table);
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(s, sql, &st);
	if (!rc) rc = gnbv__bind_int(s, st, 1, plan_id);
	if (!rc && (rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		*n = (size_t)gnbv__col_int(s, st, 0);
		rc = 0;
	}
	gnbv__fin(s, st);
	return rc < 0 ? rc : 0;
}

/* Prepares `sql` (one parameter: the plan or unit id), allocates `elem`
 * bytes per row of `table` and hands back the array. */
static int open_rows(gnbv_store *s, gnbv_plan *p, const char *table, const char *sql, int64_t key,
                     int64_t plan_id, size_t elem, void **arr, gnbv_bstmt **st)
{
	size_t n = 0;
	int rc;
	if (plan_id && (rc = count_rows(s, table, plan_id, &n))) return rc;
	if (!plan_id) n = 4096; /* agencies: capped below */
	if (!(*arr = gnbv_plan_alloc(p, (n ? n : 1) * elem))) return GNBV_ENOMEM;
	if ((rc = gnbv__prep(s, sql, st))) return rc;
	return gnbv__bind_int(s, *st, 1, key);
}

static int parse_cap_col(const char *v)
{
	return v ? gnbv_capital_parse(v) : GNBV_CAP_NONE;
}

static int read_rows(gnbv_store *s, gnbv_plan *p, int64_t plan_id, int64_t unit_id)
{
	gnbv_bstmt *st = NULL;
	int rc, oom = 0;
	const char *t1, *t2, *t3;

	if ((rc = open_rows(
	         s, p, "agency",
	         "SELECT code, name_vi, abbr, name_en, extra FROM agency WHERE unit_id = ? "
	         "ORDER BY seq LIMIT 4096",
	         unit_id, 0, sizeof *p->agencies, (void **)&p->agencies, &st)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_plan_agency *g = &p->agencies[p->n_agencies++];
		g->code = col_s(s, st, 0, p, &oom);
		g->name_vi = col_s(s, st, 1, p, &oom);
		g->abbr = col_s(s, st, 2, p, &oom);
		g->name_en = col_s(s, st, 3, p, &oom);
		g->extra = col_s(s, st, 4, p, &oom);
	}
	gnbv__fin(s, st);
	st = NULL;
	if (rc < 0) goto done;

	if ((rc = open_rows(
	         s, p, "budget_line",
	         "SELECT code, section, year, component, capital_type, source, stage, "
	         "amount_vnd, item, extra FROM budget_line WHERE plan_id = ? ORDER BY seq",
	         plan_id, plan_id, sizeof *p->lines, (void **)&p->lines, &st)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_plan_line *l = &p->lines[p->n_lines++];
		l->id = col_s(s, st, 0, p, &oom);
		l->section = (int)gnbv__col_int(s, st, 1);
		l->year = (int)gnbv__col_int(s, st, 2);
		l->component = col_s(s, st, 3, p, &oom);
		t1 = col_s(s, st, 4, p, &oom);
		t2 = col_s(s, st, 5, p, &oom);
		t3 = col_s(s, st, 6, p, &oom);
		l->capital = parse_cap_col(t1);
		l->source = gnbv_source_parse(t2);
		l->stage = gnbv_stage_parse(t3);
		l->amount_vnd = gnbv__col_int(s, st, 7);
		l->item = col_s(s, st, 8, p, &oom);
		l->extra = col_s(s, st, 9, p, &oom);
	}
	gnbv__fin(s, st);
	st = NULL;
	if (rc < 0) goto done;

	if ((rc = open_rows(
	         s, p, "plan_total",
	         "SELECT code, section, what, f_year, f_stage, f_source, f_capital, "
	         "f_component, f_component_prefix, f_source_mask, f_line_ids, amount_vnd, "
	         "where_text, extra FROM plan_total WHERE plan_id = ? ORDER BY seq",
	         plan_id, plan_id, sizeof *p->totals, (void **)&p->totals, &st)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_plan_total *t = &p->totals[p->n_totals++];
		gnbv_plan_filter *f = &t->filter;
		t->id = col_s(s, st, 0, p, &oom);
		t->section = (int)gnbv__col_int(s, st, 1);
		t->what = col_s(s, st, 2, p, &oom);
		f->year = gnbv__col_null(s, st, 3) ? 0 : (int)gnbv__col_int(s, st, 3);
		t1 = col_s(s, st, 4, p, &oom);
		t2 = col_s(s, st, 5, p, &oom);
		t3 = col_s(s, st, 6, p, &oom);
		f->stage = t1 ? gnbv_stage_parse(t1) : -1;
		f->source = t2 ? gnbv_source_parse(t2) : -1;
		f->capital = !t3                       ? -1
		             : strcmp(t3, "none") == 0 ? GNBV_CAP_NONE
		                                       : gnbv_capital_parse(t3);
		f->component = col_s(s, st, 7, p, &oom);
		f->component_prefix = col_s(s, st, 8, p, &oom);
		f->source_mask = (unsigned)gnbv__col_int(s, st, 9);
		f->line_ids = split_lines(p, col_s(s, st, 10, p, &oom), &f->n_line_ids);
		t->amount_vnd = gnbv__col_int(s, st, 11);
		t->where = col_s(s, st, 12, p, &oom);
		t->extra = col_s(s, st, 13, p, &oom);
	}
	gnbv__fin(s, st);
	st = NULL;
	if (rc < 0) goto done;

	if ((rc = open_rows(s, p, "plan_output",
	                    "SELECT section, component, capital_type, quantity, unit_vi, unit_en, "
	                    "extra FROM plan_output WHERE plan_id = ? ORDER BY seq",
	                    plan_id, plan_id, sizeof *p->outputs, (void **)&p->outputs, &st)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_plan_output *u = &p->outputs[p->n_outputs++];
		u->section = (int)gnbv__col_int(s, st, 0);
		u->component = col_s(s, st, 1, p, &oom);
		u->capital = parse_cap_col(col_s(s, st, 2, p, &oom));
		u->has_quantity = !gnbv__col_null(s, st, 3);
		u->quantity = u->has_quantity ? gnbv__col_double(s, st, 3) : 0;
		u->unit_vi = col_s(s, st, 4, p, &oom);
		u->unit_en = col_s(s, st, 5, p, &oom);
		u->extra = col_s(s, st, 6, p, &oom);
	}
	gnbv__fin(s, st);
	st = NULL;
	if (rc < 0) goto done;

	if ((rc = open_rows(s, p, "plan_target",
	                    "SELECT code, section, indicator, text, year, value_json, unit, "
	                    "comparator, extra FROM plan_target WHERE plan_id = ? ORDER BY seq",
	                    plan_id, plan_id, sizeof *p->targets, (void **)&p->targets, &st)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_plan_target *t = &p->targets[p->n_targets++];
		t->id = col_s(s, st, 0, p, &oom);
		t->section = (int)gnbv__col_int(s, st, 1);
		t->indicator = col_s(s, st, 2, p, &oom);
		t->text = col_s(s, st, 3, p, &oom);
		t->year = gnbv__col_null(s, st, 4) ? 0 : (int)gnbv__col_int(s, st, 4);
		t1 = col_s(s, st, 5, p, &oom);
		t->unit = col_s(s, st, 6, p, &oom);
		t->comparator = col_s(s, st, 7, p, &oom);
		t->extra = col_s(s, st, 8, p, &oom);
		if (!oom && (rc = gnbv_plan_target_set_value(p, t, t1))) goto done;
	}
	gnbv__fin(s, st);
	st = NULL;
	if (rc < 0) goto done;

	if ((rc = open_rows(
	         s, p, "plan_role",
	         "SELECT section, component, lead, cooperating, extra FROM plan_role WHERE "
	         "plan_id = ? ORDER BY seq",
	         plan_id, plan_id, sizeof *p->roles, (void **)&p->roles, &st)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_plan_role *r = &p->roles[p->n_roles++];
		r->section = (int)gnbv__col_int(s, st, 0);
		r->component = col_s(s, st, 1, p, &oom);
		r->lead = col_s(s, st, 2, p, &oom);
		r->cooperating = split_lines(p, col_s(s, st, 3, p, &oom), &r->n_cooperating);
		r->extra = col_s(s, st, 4, p, &oom);
	}
	gnbv__fin(s, st);
	st = NULL;
	if (rc < 0) goto done;

	if ((rc = open_rows(s, p, "plan_content",
	                    "SELECT section, component, text FROM plan_content WHERE plan_id = ? "
	                    "ORDER BY seq",
	                    plan_id, plan_id, sizeof *p->contents, (void **)&p->contents, &st)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_plan_content *t = &p->contents[p->n_contents++];
		t->section = (int)gnbv__col_int(s, st, 0);
		t->component = col_s(s, st, 1, p, &oom);
		t->text = col_s(s, st, 2, p, &oom);
	}
	rc = rc < 0 ? rc : 0;
done:
	gnbv__fin(s, st);
	if (!rc && oom) rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
	return rc;
}

int gnbv_store_plan_get(gnbv_store *s, const gnbv_scope *scope, const char *unit_code,
                        int plan_year, gnbv_plan **out)
{
	gnbv_plan *p = NULL;
	gnbv_bstmt *st = NULL;
	int64_t unit_id, plan_id;
	int rc, oom = 0;
	if ((rc = plan_unit(s, scope, unit_code, 0, &unit_id, NULL, 0)) ||
	    (rc = find_plan(s, unit_id, plan_year, &plan_id, NULL)))
		return rc;
	if (!plan_id)
		return gnbv_error_set(GNBV_ENOTFOUND, "no plan of unit %s proposing %d", unit_code,
		                      plan_year);
	if ((rc = gnbv_plan_new(&p))) return rc;
	if ((rc = gnbv__prep(
	         s,
	         "SELECT report_year, program, unit_name, number, doc_date, signer_name, "
	         "signer_title, status, title_vi, issuer_vi, a_title, b_title, unit_extra, "
	         "doc_extra, top_extra, a_extra, b_extra FROM plan_doc WHERE plan_id = ?",
	         &st)) ||
	    (rc = gnbv__bind_int(s, st, 1, plan_id)))
		goto done;
	if ((rc = gnbv__step(s, st)) != GNBV_BACKEND_ROW) {
		rc = rc < 0 ? rc
		            : gnbv_error_set(GNBV_EIO, "plan %lld vanished", (long long)plan_id);
		goto done;
	}
	p->unit_code = gnbv_plan_strndup(p, unit_code, strlen(unit_code));
	p->plan_year = plan_year;
	p->report_year = (int)gnbv__col_int(s, st, 0);
	p->program = col_s(s, st, 1, p, &oom);
	p->unit_name = col_s(s, st, 2, p, &oom);
	p->number = col_s(s, st, 3, p, &oom);
	p->date = col_s(s, st, 4, p, &oom);
	p->signer_name = col_s(s, st, 5, p, &oom);
	p->signer_title = col_s(s, st, 6, p, &oom);
	const char *status = col_s(s, st, 7, p, &oom);
	p->status = status ? gnbv_plan_status_parse(status) : GNBV_PLAN_DRAFT;
	p->title_vi = col_s(s, st, 8, p, &oom);
	p->issuer_vi = col_s(s, st, 9, p, &oom);
	p->section_title[0] = col_s(s, st, 10, p, &oom);
	p->section_title[1] = col_s(s, st, 11, p, &oom);
	p->unit_extra = col_s(s, st, 12, p, &oom);
	p->doc_extra = col_s(s, st, 13, p, &oom);
	p->top_extra = col_s(s, st, 14, p, &oom);
	p->section_extra[0] = col_s(s, st, 15, p, &oom);
	p->section_extra[1] = col_s(s, st, 16, p, &oom);
	gnbv__fin(s, st);
	st = NULL;
	if (oom) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	rc = read_rows(s, p, plan_id, unit_id);
done:
	gnbv__fin(s, st);
	if (rc)
		gnbv_plan_free(p);
	else
		*out = p;
	return rc;
}

int gnbv_store_plan_list(gnbv_store *s, const gnbv_scope *scope, gnbv_plan_info_fn fn, void *ctx)
{
	gnbv_bstmt *st = NULL;
	char lo[GNBV_SCOPE_PATH_MAX + 8], hi[GNBV_SCOPE_PATH_MAX + 8];
	gnbv__scope_range(scope, lo, hi, sizeof lo);
	int rc =
	    gnbv__prep(s,
	               "SELECT u.code, u.name, d.plan_year, d.report_year, d.status, d.number, "
	               "(SELECT COUNT(*) FROM budget_line b WHERE b.plan_id = d.plan_id), "
	               "d.updated_at FROM plan_doc d JOIN unit u ON u.unit_id = d.unit_id "
	               "WHERE u.path >= ? AND u.path < ? ORDER BY u.code, d.plan_year",
	               &st);
	if (rc || (rc = gnbv__bind_text(s, st, 1, lo, strlen(lo))) ||
	    (rc = gnbv__bind_text(s, st, 2, hi, strlen(hi))))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_plan_info in;
		memset(&in, 0, sizeof in);
		gnbv__col_copy(s, st, 0, in.unit_code, sizeof in.unit_code);
		gnbv__col_copy(s, st, 1, in.unit_name, sizeof in.unit_name);
		in.plan_year = (int)gnbv__col_int(s, st, 2);
		in.report_year = (int)gnbv__col_int(s, st, 3);
		char status[16];
		gnbv__col_copy(s, st, 4, status, sizeof status);
		in.status = gnbv_plan_status_parse(status);
		gnbv__col_copy(s, st, 5, in.number, sizeof in.number);
		in.n_lines = (size_t)gnbv__col_int(s, st, 6);
		gnbv__col_copy(s, st, 7, in.updated_at, sizeof in.updated_at);
		if ((rc = fn(ctx, &in))) goto done;
	}
	rc = rc < 0 ? rc : 0;
done:
	gnbv__fin(s, st);
	return rc;
}

int gnbv_store_plan_line_set(gnbv_store *s, const gnbv_scope *scope, const char *unit_code,
                             int plan_year, const char *line_id, int64_t amount_vnd)
{
	gnbv_plan *p = NULL;
	gnbv__buf edit = {0};
	int rc;
	if (amount_vnd < 0)
		return gnbv_error_set(GNBV_EINVALID, "line %s: an amount cannot be negative",
		                      line_id);
	/* The edited plan is put whole: the digest, the audit record and the
	 * row order stay in one place, and plans are small. The put checks
	 * the write scope. */
	if ((rc = gnbv_store_plan_get(s, scope, unit_code, plan_year, &p))) return rc;
	size_t i;
	for (i = 0; i < p->n_lines; i++)
		if (strcmp(p->lines[i].id, line_id) == 0) break;
	if (i == p->n_lines) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "plan %s %d has no line %s", unit_code,
		                    plan_year, line_id);
		goto done;
	}
	if ((rc = gnbv__buf_str(&edit, "\"line\":")) ||
	    (rc = gnbv__buf_json(&edit, line_id, strlen(line_id))) ||
	    (rc = gnbv__buf_str(&edit, ",\"old_vnd\":")) ||
	    (rc = gnbv__buf_i64(&edit, p->lines[i].amount_vnd)) ||
	    (rc = gnbv__buf_str(&edit, ",\"new_vnd\":")) ||
	    (rc = gnbv__buf_i64(&edit, amount_vnd)) || (rc = gnbv__buf_put(&edit, "", 1)))
		goto done;
	p->lines[i].amount_vnd = amount_vnd;
	rc = plan_put(s, scope, p, NULL, edit.p);
done:
	gnbv__buf_free(&edit);
	gnbv_plan_free(p);
	return rc;
}
