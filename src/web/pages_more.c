/*
 * pages_more.c - the review and plan screens the CLI had and the web
 * lacked (issue 6, "Screens" and "every list downloadable as CSV"): the
 * summary form as CSV and XLSX, a commune's transitions between its
 * recognised rounds, the printable certificates, a CSV download of every
 * list screen, and the plan document's own fields (number, date, signer,
 * status) with its outputs and targets and the form that changes them.
 *
 * Nothing is computed here that the store or the documents compute: the
 * rows come from gnbv/review.h and gnbv/plan_store.h, the CSV and XLSX
 * bytes from the writers the CLI prints with (src/doc/listcsv.c,
 * review_form.c, review_xlsx.c), the certificates from review_cert.c. So a
 * download is what `gnbv review ...` or `gnbv plan ...` prints for the same
 * user. The writers take a stdio stream: a stream that appends to the
 * response's capped buffer (fopencookie) carries them to the browser.
 *
 * Personal data (Decree 13/2023; quality.md S3): the transitions, a
 * round's list, the expected-to-escape list and the certificates name
 * households, so their routes need GNBV_PERM_PERSONAL (routes.c) and every
 * view or download writes an access record (access.view, access.export)
 * with the object and the number of rows, never the values. The summary
 * form, the rounds' progress and the plans are counts and documents
 * without personal data: no record. Scope is the store's: a commune or a
 * plan outside the user's units is "not found", as one that does not exist.
 */
#include "web.h"

#include "doc/listcsv.h"
#include "doc/review_doc.h"
#include "gnbv/dash.h"
#include "gnbv/error.h"
#include "gnbv/plan.h"
#include "gnbv/plan_store.h"
#include "gnbv/review.h"
#include "util/numfmt.h"

#include <civetweb.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* At most this many households are listed on the transitions screen; the
 * CSV has them all. */
#define TR_SCREEN_MAX 1000

/* ---- helpers ---- */

/* A JSON string of text that may not be UTF-8 (then ""). */
static json_t *js(const char *v)
{
	json_t *j = json_string(v ? v : "");
	return j ? j : json_string("");
}

static ssize_t wbuf_write(void *cookie, const char *p, size_t n)
{
	gnbv_wbuf *b = cookie;
	gnbv_wbuf_put(b, p, n);
	return b->overflow ? -1 : (ssize_t)n;
}

/* A stdio stream appending to b (capped like every response buffer). */
static FILE *wbuf_stream(gnbv_wbuf *b)
{
	cookie_io_functions_t io = {NULL, wbuf_write, NULL, NULL};
	return fopencookie(b, "w", io);
}

/* Closes a stream of wbuf_stream: GNBV_ETOOBIG past the buffer's cap. */
static int stream_close(FILE *f, const gnbv_wbuf *b, int rc)
{
	int bad = fclose(f);
	if (rc) return rc;
	if (b->overflow) return gnbv_error_set(GNBV_ETOOBIG, "the download is too large");
	return bad ? gnbv_error_set(GNBV_EIO, "writing the download") : 0;
}

/* A CSV download: UTF-8 with a byte order mark (Excel then reads
 * Vietnamese right), named `name`. */
static FILE *csv_begin(gnbv_web_req *r, const char *name)
{
	gnbv_wbuf_str(&r->out, "\xef\xbb\xbf");
	r->ctype = "text/csv; charset=utf-8";
	snprintf(r->disposition, sizeof r->disposition, "attachment; filename=\"%s\"", name);
	return wbuf_stream(&r->out);
}

int gnbv_web_access_round(gnbv_web_req *r, const char *action, const char *object, int year,
                          uint64_t rows, const char *what)
{
	json_t *d =
	    json_pack("{s:i,s:I,s:s}", "round", year, "rows", (json_int_t)rows, "what", what);
	if (!strcmp(action, "access.export")) json_object_set_new(d, "format", json_string("csv"));
	return gnbv_web_access(r, action, object, d);
}

/* The year of a path segment; GNBV_ENOTFOUND when it is not one. */
static int path_year(const char *s, int *year)
{
	char *end;
	errno = 0;
	long y = strtol(s, &end, 10);
	if (!*s || *end || errno || y < 2000 || y > 2100)
		return gnbv_error_set(GNBV_ENOTFOUND, "no such year");
	*year = (int)y;
	return 0;
}

/* The commune and year of /review/CODE/YEAR/...; GNBV_ENOTFOUND. */
static int commune_args(gnbv_web_req *r, gnbv_unit *u, int *year)
{
	int rc = path_year(r->arg2, year);
	if (rc) return rc;
	if (gnbv_store_unit_get(r->s, r->arg, (int32_t)(*year * 10000 + 1001), u) ||
	    strcmp(u->level, "commune"))
		return gnbv_error_set(GNBV_ENOTFOUND, "no such commune");
	return 0;
}

static const char *class_label(gnbv_web_req *r, const char *klass)
{
	char key[40];
	if (!klass || !*klass) return "";
	snprintf(key, sizeof key, "class.%s", klass);
	return gnbv_web_msg(r, key);
}

/* Writes `path` (a temporary file) into the response and removes it. */
int gnbv_web_tmpfile(char *path, size_t cap)
{
	snprintf(path, cap, "%s/gnbv-web-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) return gnbv_error_set(GNBV_EIO, "temporary file: %s", strerror(errno));
	close(fd);
	return 0;
}

int gnbv_web_send_file(gnbv_web_req *r, const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[8192];
	size_t k;
	int rc = 0;
	if (!f) {
		rc = gnbv_error_set(GNBV_EIO, "temporary file: %s", strerror(errno));
	} else {
		while ((k = fread(buf, 1, sizeof buf, f)) > 0)
			gnbv_wbuf_put(&r->out, buf, k);
		if (ferror(f)) rc = gnbv_error_set(GNBV_EIO, "temporary file: read error");
		fclose(f);
	}
	unlink(path);
	return rc;
}

/* ---- the summary form: CSV and XLSX ---- */

static int summary_load(gnbv_web_req *r, gnbv_unit *u, int *year, gnbv_summary *sm)
{
	gnbv_review_params prm;
	int rc;
	memset(sm, 0, sizeof *sm);
	if ((rc = path_year(r->arg2, year)) ||
	    (rc = gnbv_store_unit_get(r->s, r->arg, (int32_t)(*year * 10000 + 1001), u)) ||
	    (rc = gnbv_review_params_load(&prm, NULL)))
		return rc;
	rc = gnbv_review_summary(r->s, &r->scope, &prm, u->code, *year, sm);
	/* Outside the user's units the form does not exist for them. */
	if (rc == GNBV_EDENIED) return gnbv_error_set(GNBV_ENOTFOUND, "no such unit");
	return rc;
}

int gnbv_page_summary_csv(gnbv_web_req *r)
{
	gnbv_unit u;
	gnbv_summary sm;
	int year, rc = summary_load(r, &u, &year, &sm);
	if (!rc) {
		char name[96];
		snprintf(name, sizeof name, "tong-hop-%s-%d.csv", u.code, year);
		FILE *f = csv_begin(r, name);
		if (!f) {
			rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		} else {
			rc = gnbv_review_summary_csv(&sm, f);
			rc = stream_close(f, &r->out, rc);
		}
	}
	gnbv_summary_free(&sm);
	return rc;
}

int gnbv_page_summary_xlsx(gnbv_web_req *r)
{
	gnbv_unit u;
	gnbv_summary sm;
	char path[256], title[GNBV_STORE_NAME_MAX + GNBV_STORE_CODE_MAX + 8];
	int year, rc = summary_load(r, &u, &year, &sm);
	if (rc) goto done;
	/* The writer writes a file: a private temporary one, sent and removed. */
	if ((rc = gnbv_web_tmpfile(path, sizeof path))) goto done;
	/* The title the CLI writes: the unit's name and code. */
	snprintf(title, sizeof title, "%s (%s)", sm.n ? sm.rows[0].unit_name : u.name, u.code);
	if ((rc = gnbv_review_summary_xlsx(&sm, title, path))) {
		unlink(path);
		goto done;
	}
	if ((rc = gnbv_web_send_file(r, path))) goto done;
	r->ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	snprintf(r->disposition, sizeof r->disposition,
	         "attachment; filename=\"tong-hop-%s-%d.xlsx\"", u.code, year);
done:
	gnbv_summary_free(&sm);
	return rc;
}

/* ---- transitions ---- */

typedef struct tr_ctx {
	gnbv_web_req *r;
	json_t *rows;
	uint64_t n, listed;
	uint64_t kind[GNBV_TR_KIND_COUNT], near[GNBV_TRN_KIND_COUNT], move[GNBV_MV_COUNT];
} tr_ctx;

static const char *tr_label(gnbv_web_req *r, const char *prefix, const char *name)
{
	char key[64];
	snprintf(key, sizeof key, "%s%s", prefix, name);
	return gnbv_web_msg(r, key);
}

/* A household a screen lists: its list or its place changed. */
static int concerned(const gnbv_transition *t)
{
	return (t->kind != GNBV_TR_NONE && t->kind != GNBV_TR_STAYED_POOR) ||
	       (t->near != GNBV_TRN_NONE && t->near != GNBV_TRN_STAYED) ||
	       t->move != GNBV_MV_STAYED;
}

static int add_transition(void *ctx, const gnbv_transition *t)
{
	tr_ctx *c = ctx;
	c->n++;
	if (t->kind >= 0 && t->kind < GNBV_TR_KIND_COUNT) c->kind[t->kind]++;
	if (t->near >= 0 && t->near < GNBV_TRN_KIND_COUNT) c->near[t->near]++;
	if (t->move >= 0 && t->move < GNBV_MV_COUNT) c->move[t->move]++;
	if (!concerned(t)) return 0;
	c->listed++;
	if (json_array_size(c->rows) >= TR_SCREEN_MAX) return 0;
	gnbv_web_req *r = c->r;
	json_t *o = json_pack(
	    "{s:o,s:s,s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:s,s:o}", "code", js(t->household_code), "prev",
	    class_label(r, t->prev_class), "klass", class_label(r, t->cur_class), "poverty",
	    t->kind == GNBV_TR_NONE ? "" : tr_label(r, "tr.k.", gnbv_transition_kind_name(t->kind)),
	    "near",
	    t->near == GNBV_TRN_NONE ? ""
	                             : tr_label(r, "tr.n.", gnbv_transition_near_name(t->near)),
	    "move",
	    t->move == GNBV_MV_STAYED ? ""
	                              : tr_label(r, "tr.m.", gnbv_transition_move_name(t->move)),
	    "present", t->cur_class[0] != 0, "bad",
	    t->kind == GNBV_TR_NEWLY_POOR || t->kind == GNBV_TR_RE_POOR ||
	        t->near == GNBV_TRN_TO_POOR,
	    "good",
	    t->kind == GNBV_TR_ESCAPED_OUT || t->kind == GNBV_TR_ESCAPED_TO_NEAR ||
	        t->near == GNBV_TRN_ESCAPED,
	    "area", gnbv_web_msg(r, t->area == GNBV_AREA_URBAN ? "rv.sum.urban" : "rv.sum.rural"),
	    "origin", js(t->origin));
	if (!o) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	json_array_append_new(c->rows, o);
	return 0;
}

/* The counts of one family of kinds, for a table. */
static json_t *counts(gnbv_web_req *r, const char *prefix, const char *(*name)(int),
                      const uint64_t *n, int count, int skip)
{
	json_t *a = json_array();
	for (int k = 0; k < count; k++) {
		if (k == skip) continue;
		json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "key", name(k), "name",
		                                   tr_label(r, prefix, name(k)), "n",
		                                   gnbv_web_int(r, (int64_t)n[k])));
	}
	return a;
}

int gnbv_page_transitions(gnbv_web_req *r)
{
	gnbv_unit u;
	gnbv_review_params prm;
	int year, prev = 0, rc;
	if ((rc = commune_args(r, &u, &year)) || (rc = gnbv_review_params_load(&prm, NULL)))
		return rc;
	tr_ctx c;
	memset(&c, 0, sizeof c);
	c.r = r;
	c.rows = json_array();
	r->page = json_pack("{s:o,s:o,s:i,s:o}", "code", js(u.code), "name", js(u.name), "year",
	                    year, "rows", c.rows);
	if (!r->page) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	rc =
	    gnbv_review_transitions(r->s, &r->scope, &prm, u.code, year, &prev, add_transition, &c);
	if (rc == GNBV_EDENIED) return gnbv_error_set(GNBV_ENOTFOUND, "no such commune");
	if (rc == GNBV_ENOTFOUND) {
		/* In scope, but not two recognised rounds: say so. */
		gnbv_error_clear();
		json_object_set_new(r->page, "missing", json_true());
		rc = 0;
	} else if (rc) {
		return rc;
	} else {
		json_t *p = r->page;
		json_object_set_new(p, "found", json_true());
		json_object_set_new(p, "prev", json_integer(prev));
		json_object_set_new(p, "households", js(gnbv_web_int(r, (int64_t)c.n)));
		json_object_set_new(p, "listed", js(gnbv_web_int(r, (int64_t)c.listed)));
		json_object_set_new(p, "has_rows", json_boolean(c.listed > 0));
		json_object_set_new(p, "cut", json_boolean(c.listed > json_array_size(c.rows)));
		json_object_set_new(p, "max", json_integer(TR_SCREEN_MAX));
		json_object_set_new(p, "kinds",
		                    counts(r, "tr.k.", gnbv_transition_kind_name, c.kind,
		                           GNBV_TR_KIND_COUNT, GNBV_TR_NONE));
		json_object_set_new(p, "nears",
		                    counts(r, "tr.n.", gnbv_transition_near_name, c.near,
		                           GNBV_TRN_KIND_COUNT, GNBV_TRN_NONE));
		json_object_set_new(
		    p, "moves",
		    counts(r, "tr.m.", gnbv_transition_move_name, c.move, GNBV_MV_COUNT, -1));
	}
	char object[GNBV_STORE_CODE_MAX + 32];
	snprintf(object, sizeof object, "transitions:%s:%d", u.code, year);
	if ((rc = gnbv_web_access_round(r, "access.view", object, year, c.n, "transitions"))) return rc;
	r->tmpl = "transitions";
	r->title_key = "tr.title";
	return 0;
}

typedef struct csv_ctx {
	FILE *f;
	uint64_t rows;
	const gnbv_escape_map *map;
	const gnbv_program *prog;
} csv_ctx;

static int csv_transition(void *ctx, const gnbv_transition *t)
{
	csv_ctx *c = ctx;
	c->rows++;
	return gnbv_listcsv_transition(c->f, t);
}

int gnbv_page_transitions_csv(gnbv_web_req *r)
{
	gnbv_unit u;
	gnbv_review_params prm;
	int year, prev = 0, rc;
	char name[96], object[GNBV_STORE_CODE_MAX + 32];
	if ((rc = commune_args(r, &u, &year)) || (rc = gnbv_review_params_load(&prm, NULL)))
		return rc;
	snprintf(name, sizeof name, "bien-dong-%s-%d.csv", u.code, year);
	csv_ctx c = {csv_begin(r, name), 0, NULL, NULL};
	if (!c.f) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	gnbv_listcsv_transitions_head(c.f);
	rc =
	    gnbv_review_transitions(r->s, &r->scope, &prm, u.code, year, &prev, csv_transition, &c);
	if (rc == GNBV_EDENIED) rc = gnbv_error_set(GNBV_ENOTFOUND, "no such commune");
	if ((rc = stream_close(c.f, &r->out, rc))) return rc;
	snprintf(object, sizeof object, "transitions:%s:%d", u.code, year);
	return gnbv_web_access_round(r, "access.export", object, year, c.rows, "transitions");
}

/* ---- certificates ---- */

typedef struct cert_ctx {
	FILE *f;
	uint64_t n;
} cert_ctx;

static int cert_one(void *ctx, const gnbv_certificate *c)
{
	cert_ctx *x = ctx;
	x->n++;
	return gnbv_cert_html_section(x->f, c);
}

/* The page of one or all of a recognised round's certificates. */
static int cert_page(gnbv_web_req *r, const gnbv_unit *commune, int year, const char *household)
{
	gnbv_review_params prm;
	gnbv_wbuf html = {0};
	cert_ctx x = {wbuf_stream(&html), 0};
	int rc;
	if (!x.f) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if ((rc = gnbv_review_params_load(&prm, NULL))) {
		fclose(x.f);
		gnbv_wbuf_free(&html);
		return rc;
	}
	rc = gnbv_review_certificates(r->s, &r->scope, &prm, commune->code, year, household,
	                              cert_one, &x);
	rc = stream_close(x.f, &html, rc);
	if (rc == GNBV_EDENIED) rc = gnbv_error_set(GNBV_ENOTFOUND, "no such commune");
	int unrecognised = rc == GNBV_ECONFLICT;
	if (rc && !unrecognised) {
		gnbv_wbuf_free(&html);
		return rc;
	}
	if (household && !unrecognised && !x.n) {
		/* Neither poor nor near-poor in that round: it has none. */
		gnbv_wbuf_free(&html);
		return gnbv_error_set(GNBV_ENOTFOUND, "no certificate");
	}
	/* The certificates' HTML is the document writer's, every string
	 * escaped there (src/doc/review_cert.c): shown raw. */
	r->page =
	    json_pack("{s:o,s:o,s:i,s:o,s:s,s:I,s:b,s:b}", "code", js(commune->code), "name",
	              js(commune->name), "year", year, "household", js(household ? household : ""),
	              "css", "certificate.css", "n", (json_int_t)x.n, "one", household != NULL,
	              "unrecognised", unrecognised);
	if (r->page)
		json_object_set_new(r->page, "certs", json_stringn(html.p ? html.p : "", html.len));
	gnbv_wbuf_free(&html);
	if (!r->page) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if (unrecognised) {
		gnbv_error_clear();
		r->status = 409;
	}
	char object[GNBV_STORE_CODE_MAX + 32];
	if (household)
		snprintf(object, sizeof object, "household:%s", household);
	else
		snprintf(object, sizeof object, "certificates:%s:%d", commune->code, year);
	if ((rc = gnbv_web_access_round(r, "access.view", object, year, x.n, "certificate"))) return rc;
	r->tmpl = "certificate";
	r->title_key = "cert.title";
	return 0;
}

int gnbv_page_certificate(gnbv_web_req *r)
{
	int year, rc;
	if ((rc = path_year(r->arg2, &year))) return rc;
	gnbv_household_rec *rec = gnbv_arena_alloc(r->arena, sizeof *rec);
	if (!rec) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	/* The store's scope: a household outside it is not found. */
	gnbv_round_ref rr = {GNBV_ROUND_PERIODIC, year, 0, NULL};
	if ((rc = gnbv_store_household_get(r->s, &r->scope, &rr, r->arg, rec))) return rc;
	gnbv_unit u;
	if ((rc = gnbv_store_unit_get(r->s, rec->unit_code, rec->ref_date, &u))) return rc;
	if (!strcmp(u.level, "village") && u.parent_code[0] &&
	    (rc = gnbv_store_unit_get(r->s, u.parent_code, rec->ref_date, &u)))
		return rc;
	return cert_page(r, &u, year, rec->code);
}

int gnbv_page_certificates(gnbv_web_req *r)
{
	gnbv_unit u;
	int year, rc;
	if ((rc = commune_args(r, &u, &year))) return rc;
	return cert_page(r, &u, year, NULL);
}

/* ---- the lists as CSV ---- */

static int csv_round(void *ctx, const gnbv_review_round_info *ri)
{
	csv_ctx *c = ctx;
	c->rows++;
	return gnbv_listcsv_round(c->f, ri);
}

int gnbv_page_reviews_csv(gnbv_web_req *r)
{
	int year, prev, rc;
	char name[64];
	if ((rc = gnbv_web_round(r, gnbv_web_query(r, "round", 8), &year, &prev, NULL))) return rc;
	snprintf(name, sizeof name, "ra-soat-%d.csv", year);
	csv_ctx c = {csv_begin(r, name), 0, NULL, NULL};
	if (!c.f) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	gnbv_listcsv_rounds_head(c.f);
	if (year) rc = gnbv_review_rounds_each(r->s, &r->scope, year, csv_round, &c);
	return stream_close(c.f, &r->out, rc);
}

static int csv_entry(void *ctx, const gnbv_review_entry *e)
{
	csv_ctx *c = ctx;
	c->rows++;
	return gnbv_listcsv_entry(c->f, e);
}

int gnbv_page_review_list_csv(gnbv_web_req *r)
{
	gnbv_unit u;
	int year, rc;
	char name[96], object[GNBV_STORE_CODE_MAX + 32];
	if ((rc = commune_args(r, &u, &year))) return rc;
	snprintf(name, sizeof name, "danh-sach-ra-soat-%s-%d.csv", u.code, year);
	csv_ctx c = {csv_begin(r, name), 0, NULL, NULL};
	if (!c.f) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	gnbv_listcsv_entries_head(c.f);
	rc = gnbv_review_list_each(r->s, &r->scope, u.code, year, csv_entry, &c);
	if (rc == GNBV_EDENIED) rc = gnbv_error_set(GNBV_ENOTFOUND, "no such commune");
	if ((rc = stream_close(c.f, &r->out, rc))) return rc;
	snprintf(object, sizeof object, "review_list:%s:%d", u.code, year);
	return gnbv_web_access_round(r, "access.export", object, year, c.rows, "review_list");
}

static int csv_escape(void *ctx, const gnbv_escape_item *e)
{
	csv_ctx *c = ctx;
	c->rows++;
	return gnbv_listcsv_escape(c->f, e, c->map);
}

int gnbv_page_escape_csv(gnbv_web_req *r)
{
	gnbv_unit u;
	int year, rc;
	char name[96], object[GNBV_STORE_CODE_MAX + 32];
	gnbv_escape_map *map = gnbv_arena_alloc(r->arena, sizeof *map);
	if (!map) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if ((rc = commune_args(r, &u, &year)) || (rc = gnbv_escape_map_load(map, NULL))) return rc;
	snprintf(name, sizeof name, "du-kien-thoat-ngheo-%s-%d.csv", u.code, year);
	csv_ctx c = {csv_begin(r, name), 0, map, NULL};
	if (!c.f) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	gnbv_listcsv_escape_head(c.f);
	rc = gnbv_escape_each(r->s, &r->scope, u.code, year, csv_escape, &c);
	if (rc == GNBV_EDENIED) rc = gnbv_error_set(GNBV_ENOTFOUND, "no such commune");
	if ((rc = stream_close(c.f, &r->out, rc))) return rc;
	snprintf(object, sizeof object, "escape:%s:%d", u.code, year);
	return gnbv_web_access_round(r, "access.export", object, year, c.rows, "escape");
}

static int csv_plan(void *ctx, const gnbv_plan_info *p)
{
	csv_ctx *c = ctx;
	c->rows++;
	return gnbv_listcsv_plan(c->f, p);
}

int gnbv_page_plans_csv(gnbv_web_req *r)
{
	csv_ctx c = {csv_begin(r, "ke-hoach.csv"), 0, NULL, NULL};
	if (!c.f) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	gnbv_listcsv_plans_head(c.f);
	int rc = gnbv_store_plan_list(r->s, &r->scope, csv_plan, &c);
	return stream_close(c.f, &r->out, rc);
}

/* The plan proposing the path's year, with its program. */
static int plan_load(gnbv_web_req *r, gnbv_plan **p, gnbv_program **prog)
{
	int year, rc;
	*p = NULL;
	*prog = NULL;
	char *end;
	errno = 0;
	long v = strtol(r->arg2, &end, 10);
	if (!r->arg2[0] || *end || errno || v < 1900 || v > 9999)
		return gnbv_error_set(GNBV_ENOTFOUND, "no such plan");
	year = (int)v;
	if ((rc = gnbv_store_plan_get(r->s, &r->scope, r->arg, year, p))) return rc;
	if ((rc = gnbv_program_load((*p)->program, prog))) {
		gnbv_plan_free(*p);
		*p = NULL;
	}
	return rc;
}

int gnbv_page_plan_csv(gnbv_web_req *r)
{
	gnbv_plan *p;
	gnbv_program *prog;
	char name[96];
	int rc = plan_load(r, &p, &prog);
	if (rc) return rc;
	snprintf(name, sizeof name, "ke-hoach-%s-%d.csv", p->unit_code, p->plan_year);
	FILE *f = csv_begin(r, name);
	if (!f) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
	} else {
		gnbv_listcsv_lines_head(f);
		for (size_t i = 0; i < p->n_lines && !rc; i++)
			rc = gnbv_listcsv_line(f, &p->lines[i], prog);
		rc = stream_close(f, &r->out, rc);
	}
	gnbv_plan_free(p);
	gnbv_program_free(prog);
	return rc;
}

/* ---- the plan document: fields, outputs, targets, and the form ---- */

static const char *num(gnbv_web_req *r, double v)
{
	char *b = gnbv_arena_alloc(r->arena, 48);
	if (!b) return "";
	gnbv_fmt_dec(b, 48, v, 2, r->english ? &GNBV_NUM_EN : &GNBV_NUM_VI);
	return b;
}

/* The year a target is for: its own, else its section's. */
static int target_year(const gnbv_plan *p, const gnbv_plan_target *t)
{
	return t->year ? t->year : t->section ? p->plan_year : p->report_year;
}

int gnbv_web_plan_doc(gnbv_web_req *r, const struct gnbv_plan *p, json_t *page)
{
	const char *lang = r->english ? "en" : "vi";
	json_t *sections = json_array();
	for (int sec = 0; sec < GNBV_PLAN_SECTIONS; sec++) {
		json_t *outs = json_array();
		for (size_t i = 0; i < p->n_outputs; i++) {
			const gnbv_plan_output *o = &p->outputs[i];
			/* As `plan show` lists them: those with a number or a unit. */
			if (o->section != sec || (!o->has_quantity && !o->unit_vi)) continue;
			const char *unit = r->english && o->unit_en ? o->unit_en
			                   : o->unit_vi             ? o->unit_vi
			                                            : "";
			json_array_append_new(
			    outs,
			    json_pack("{s:o,s:s,s:s,s:o}", "component", js(o->component), "capital",
			              o->capital ? gnbv_capital_label(o->capital, lang) : "",
			              "quantity", o->has_quantity ? num(r, o->quantity) : "",
			              "unit", js(unit)));
		}
		json_t *tgts = json_array();
		for (size_t i = 0; i < p->n_targets; i++) {
			const gnbv_plan_target *t = &p->targets[i];
			if (t->section != sec) continue;
			char v[160] = "";
			if (t->has_households && t->has_rate)
				snprintf(v, sizeof v, "%s; %s%%", num(r, t->households),
				         num(r, t->rate_percent));
			else if (t->has_households)
				snprintf(v, sizeof v, "%s", num(r, t->households));
			else if (t->has_rate)
				snprintf(v, sizeof v, "%s%%", num(r, t->rate_percent));
			else if (t->has_value)
				snprintf(v, sizeof v, "%s%s", t->comparator ? t->comparator : "",
				         num(r, t->value));
			json_array_append_new(tgts, json_pack("{s:o,s:i,s:o,s:o,s:o,s:o}", "id",
			                                      js(t->id), "year", target_year(p, t),
			                                      "indicator", js(t->indicator), "text",
			                                      js(t->text ? t->text : t->indicator),
			                                      "value", js(v), "unit", js(t->unit)));
		}
		json_array_append_new(
		    sections, json_pack("{s:s,s:i,s:b,s:o,s:b,s:o}", "id", sec ? "B" : "A", "year",
		                        sec ? p->plan_year : p->report_year, "has_outputs",
		                        json_array_size(outs) > 0, "outputs", outs, "has_targets",
		                        json_array_size(tgts) > 0, "targets", tgts));
	}
	json_t *statuses = json_array();
	for (int s = 0; s < GNBV_PLAN_STATUS_COUNT; s++) {
		char key[40];
		snprintf(key, sizeof key, "plan.status.%s", gnbv_plan_status_code(s));
		json_array_append_new(
		    statuses, json_pack("{s:s,s:s,s:b}", "code", gnbv_plan_status_code(s), "name",
		                        gnbv_web_msg(r, key), "selected", s == p->status));
	}
	json_t *doc =
	    json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "number", js(p->number), "date", js(p->date),
	              "signer", js(p->signer_name), "signer_title", js(p->signer_title), "title",
	              js(p->title_vi), "sections", sections, "statuses", statuses);
	if (!doc) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	json_object_set_new(page, "doc", doc);
	const char *saved = gnbv_web_query(r, "doc", 2);
	if (saved && (!strcmp(saved, "1") || !strcmp(saved, "0")))
		json_object_set_new(page, saved[0] == '1' ? "doc_saved" : "doc_same", json_true());
	return 0;
}

#define PLAN_NUMBER_MAX 63 /* the store's plan list keeps 63 bytes */

int gnbv_page_plan_document(gnbv_web_req *r)
{
	gnbv_plan *p;
	gnbv_program *prog;
	int rc = plan_load(r, &p, &prog);
	if (rc) return rc;
	gnbv_program_free(prog);
	const char *number = gnbv_web_form(r, "number", PLAN_NUMBER_MAX);
	const char *date = gnbv_web_form(r, "date", 10);
	const char *signer = gnbv_web_form(r, "signer", GNBV_STORE_NAME_MAX);
	const char *status_s = gnbv_web_form(r, "status", 16);
	int status = status_s ? gnbv_plan_status_parse(status_s) : -1;
	/* Every field checked first: nothing is written when one is bad. An
	 * empty number, date or signer means "not yet" (NULL), as in a
	 * gnbv-plan/1 file. The date is checked as the store checks it
	 * (gnbv_plan_date_check); the form shows its own message. */
	json_t *bad = json_object();
	if (!number) json_object_set_new(bad, "number", json_true());
	if (!date || (*date && gnbv_plan_date_check(date, NULL, NULL, 0)))
		json_object_set_new(bad, "date", json_true());
	if (!signer) json_object_set_new(bad, "signer", json_true());
	if (status < 0) json_object_set_new(bad, "status", json_true());
	if (json_object_size(bad)) {
		gnbv_plan_free(p);
		if ((rc = gnbv_page_plan(r))) {
			json_decref(bad);
			return rc;
		}
		json_object_set_new(r->page, "doc_bad", bad);
		json_object_set_new(r->page, "doc_errors", json_true());
		/* What was typed, to correct it. */
		json_t *doc = json_object_get(r->page, "doc");
		if (doc) {
			json_object_set_new(doc, "number", js(number));
			json_object_set_new(doc, "date", js(date));
			json_object_set_new(doc, "signer", js(signer));
		}
		r->status = 400;
		return 0;
	}
	json_decref(bad);
	/* As `gnbv plan set` does: the plan read, its fields set, put whole
	 * through the store (audited there, in scope or refused). */
	p->number = *number ? number : NULL;
	p->date = *date ? date : NULL;
	p->signer_name = *signer ? signer : NULL;
	p->status = status;
	int changed = 0;
	rc = gnbv_store_plan_put(r->s, &r->scope, p, &changed);
	char loc[256], enc[128];
	if (!rc) {
		mg_url_encode(p->unit_code, enc, sizeof enc);
		snprintf(loc, sizeof loc, "/plan/%s/%d?doc=%d", enc, p->plan_year, changed);
		rc = gnbv_web_redirect(r, loc);
	}
	gnbv_plan_free(p);
	return rc;
}
