/*
 * registry.c - the household registry (M2): the writer shared by import and
 * edits, and the scoped reads (one household, counts, name search).
 *
 * History is kept by never updating a survey in place: a household's
 * survey in a round that changes is written as a new row, and the old row
 * gets replaced_by pointing at it. Rounds of other years are untouched by
 * construction (a survey belongs to one round). A re-import of the same
 * data is recognised by a 64-bit hash of the survey's inputs (content_hash)
 * and writes nothing.
 *
 * Scope: reads join the survey's unit and keep the rows whose materialised
 * path lies in the scope's [lo, hi) range, in SQL, so that counts and
 * searches cannot see past it; writes check the target unit and, for an
 * existing household, its current unit, in C, before touching anything.
 */
#include "registry.h"
#include "review_int.h"

#include "gnbv/date.h"
#include "gnbv/error.h"

#include "io/exchange.h"
#include "util/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const GNBV__RULE_CODES[GNBV_RULE_COUNT] = {"employment",
                                                       "dependants",
                                                       "nutrition",
                                                       "health_insurance",
                                                       "adult_education",
                                                       "child_schooling",
                                                       "housing_quality",
                                                       "housing_area",
                                                       "water",
                                                       "sanitation",
                                                       "telecom",
                                                       "info_devices",
                                                       "waste"};
const char *const GNBV__WORK[6] = {"contract",   "no_contract", "self",
                                   "unemployed", "student",     "none"};
const char *const GNBV__REL[6] = {"head", "spouse", "child", "parent", "grandchild", "other"};
const char *const GNBV__LEVEL[GNBV_LEVEL_COUNT] = {
    "none",       "preschool", "primary",   "lower_secondary", "upper_secondary",
    "vocational", "college",   "university"};
const char *const GNBV__DEVICE[5] = {"tv", "radio", "computer", "phone", "smartphone"};

size_t gnbv__devices_text(unsigned mask, char *out, size_t cap)
{
	size_t w = 0;
	out[0] = '\0';
	for (int d = 0; d < 5; d++) {
		if (!(mask & (1u << d))) continue;
		size_t k = strlen(GNBV__DEVICE[d]);
		if (w + k + 2 > cap) break;
		if (w) out[w++] = ';';
		memcpy(out + w, GNBV__DEVICE[d], k);
		w += k;
		out[w] = '\0';
	}
	return w;
}

size_t gnbv__fmt_real(double v, char *out, size_t cap)
{
	int n = 0;
	for (int d = 0; d <= 17; d++) {
		n = snprintf(out, cap, "%.*f", d, v);
		if (strtod(out, NULL) == v) break;
	}
	return n < 0 ? 0 : (size_t)n;
}

static int word_of(const char *p, size_t n, const char *const *words, int count)
{
	for (int i = 0; i < count; i++)
		if (strlen(words[i]) == n && !memcmp(words[i], p, n)) return i;
	return -1;
}

/* ---- rounds ---- */

/* A round's reference date from the caller: a day of the calendar, or the
 * round (and every age counted on it) would rest on 2022-02-30. */
static int round_date_check(int32_t d)
{
	char t[11], why[96];
	if (gnbv_date_valid(d)) return 0;
	if (d < 10000101 || d > 99991231)
		return gnbv_error_set(GNBV_EINVALID,
		                      "round: the reference date %ld is not a date (yyyymmdd)",
		                      (long)d);
	gnbv__date_text(d, t);
	gnbv_date_explain(t, strlen(t), 1, 9999, why, sizeof why);
	return gnbv_error_set(GNBV_EINVALID, "round: the reference date %s", why);
}

int gnbv__round_resolve(const gnbv_round_ref *r, int *kind, int32_t *ref_date, char period[32])
{
	if (r->as_of && round_date_check(r->as_of)) return GNBV_EINVALID;
	if (r->kind == GNBV_ROUND_PERIODIC) {
		if (r->year < 1900 || r->year > 9999)
			return gnbv_error_set(GNBV_EINVALID, "round: the year %d is not a year",
			                      r->year);
		int32_t d = r->as_of ? r->as_of : r->year * 10000 + 1001;
		if (d / 10000 != r->year)
			return gnbv_error_set(
			    GNBV_EINVALID,
			    "round: the reference date of the %d round must fall in %d", r->year,
			    r->year);
		*kind = GNBV_ROUND_PERIODIC;
		*ref_date = d;
		snprintf(period, 32, "periodic:%04d", r->year);
		return 0;
	}
	if (r->kind == GNBV_ROUND_ADHOC) {
		if (!r->as_of)
			return gnbv_error_set(GNBV_EINVALID,
			                      "round: an ad-hoc round needs its date (--as-of)");
		if (r->year && r->as_of / 10000 != r->year)
			return gnbv_error_set(GNBV_EINVALID,
			                      "round: the ad-hoc round's date must fall in %d",
			                      r->year);
		char t[11];
		gnbv__date_text(r->as_of, t);
		*kind = GNBV_ROUND_ADHOC;
		*ref_date = r->as_of;
		snprintf(period, 32, "adhoc:%s", t);
		return 0;
	}
	return gnbv_error_set(GNBV_EINVALID, "round: unknown kind %d", r->kind);
}

static const char *const W_SQL[W_NSTMT] = {
    [W_SEL_HOUSEHOLD] = "SELECT household_id, unit_id FROM household WHERE code = ?",
    [W_SEL_SURVEY] = "SELECT survey_id, content_hash, unit_id FROM survey "
                     "WHERE household_id = ? AND period = ? AND replaced_by IS NULL",
    [W_UPD_HOUSEHOLD] = "UPDATE household SET unit_id = ?, change_seq = ? WHERE household_id = ?",
    [W_UPD_REPLACED] = "UPDATE survey SET replaced_by = ? WHERE survey_id = ?",
    [W_SEL_ROUND] =
        "SELECT round_id, ref_date, standard FROM review_round WHERE unit_id = ? AND period = ?",
    [W_INS_ROUND] =
        "INSERT INTO review_round (round_id, unit_id, kind, year, period, ref_date, standard, "
        "status, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)",
};

int gnbv__writer_open(gnbv__writer *w, gnbv_store *s, const gnbv_scope *scope,
                      const gnbv_round_ref *r)
{
	int rc;
	memset(w, 0, sizeof *w);
	w->s = s;
	w->scope = scope;
	w->year = r->year;
	if ((rc = gnbv__round_resolve(r, &w->kind, &w->ref_date, w->period))) return rc;
	if (w->kind == GNBV_ROUND_ADHOC && !w->year) w->year = w->ref_date / 10000;
	gnbv__date_text(w->ref_date, w->ref_text);
	w->date_given = r->as_of != 0;
	w->std_given = r->standard != NULL;
	/* domain.md §1.7: a periodic round of year Y decides the lists of Y+1. */
	rc = r->standard ? gnbv_standard_load(&w->std, r->standard)
	                 : gnbv_standard_for_date(&w->std, w->kind == GNBV_ROUND_PERIODIC
	                                                       ? (w->year + 1) * 10000 + 101
	                                                       : w->ref_date);
	if (rc) return rc;
	if ((rc = gnbv__utree_load(s, &w->ut))) return rc;
	w->round_of = calloc(w->ut->n ? w->ut->n : 1, sizeof *w->round_of);
	if (!w->round_of) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	for (int i = 0; i < W_NSTMT; i++)
		if ((rc = gnbv__prep(s, W_SQL[i], &w->st[i]))) return rc;
	return 0;
}

void gnbv__writer_close(gnbv__writer *w)
{
	for (int i = 0; i < W_NSTMT; i++)
		gnbv__fin(w->s, w->st[i]);
	memset(w->st, 0, sizeof w->st);
	for (int i = 0; i <= GNBV__ROWS_HH; i++) {
		gnbv__fin(w->s, w->ins_hh[i]);
		gnbv__fin(w->s, w->ins_sv[i]);
	}
	for (int i = 0; i <= GNBV__ROWS_M; i++)
		gnbv__fin(w->s, w->ins_m[i]);
	memset(w->ins_hh, 0, sizeof w->ins_hh);
	memset(w->ins_sv, 0, sizeof w->ins_sv);
	memset(w->ins_m, 0, sizeof w->ins_m);
	gnbv__utree_free(w->ut);
	w->ut = NULL;
	free(w->round_of);
	w->round_of = NULL;
}

long gnbv__writer_unit(gnbv__writer *w, const char *code, size_t len, char *why, size_t why_cap,
                       int *code_out)
{
	long any = -1;
	long i = gnbv__utree_find(w->ut, code, len, w->ref_date, &any);
	if (i == -1) {
		snprintf(why, why_cap,
		         "unit '%.*s' is not in the store (import it with 'gnbv units import')",
		         (int)len, code);
		*code_out = GNBV_EINVALID;
		return -1;
	}
	if (i < 0) {
		const gnbv__unit *u = &w->ut->u[any];
		snprintf(why, why_cap, "unit '%.*s' was not valid on %s (valid from %s to %s)",
		         (int)len, code, w->ref_text,
		         u->valid_from[0] ? u->valid_from : "the start",
		         u->valid_to[0] ? u->valid_to : "now");
		*code_out = GNBV_EINVALID;
		return -1;
	}
	if (!gnbv__scope_has(w->scope, w->ut->u[i].path)) {
		snprintf(why, why_cap, "unit '%.*s' is outside your scope", (int)len, code);
		*code_out = GNBV_EDENIED;
		return -1;
	}
	return i;
}

int gnbv__writer_area(const gnbv__writer *w, const gnbv__xhh *x)
{
	if (x->h.area != GNBV_AREA_UNKNOWN) return x->h.area;
	int a = w->ut->u[x->unit].area;
	return a < 0 ? GNBV_AREA_UNKNOWN : a ? GNBV_AREA_URBAN : GNBV_AREA_RURAL;
}

int gnbv__writer_check_round(gnbv__writer *w, long unit)
{
	gnbv_store *s = w->s;
	long c = w->ut->u[unit].commune;
	if (w->round_of[c]) return 0;
	gnbv_bstmt *st = w->st[W_SEL_ROUND];
	int rc;
	if ((rc = gnbv__bind_int(s, st, 1, w->ut->u[c].id)) ||
	    (rc = gnbv__bind_text(s, st, 2, w->period, strlen(w->period))))
		return rc;
	rc = gnbv__step(s, st);
	if (rc < 0) {
		gnbv__reset(s, st);
		return rc;
	}
	if (rc == GNBV_BACKEND_DONE) {
		gnbv__reset(s, st);
		w->round_of[c] = -1; /* created by gnbv__writer_start */
		w->started |= 2;     /* parameters now fixed */
		return 0;
	}
	int64_t id = gnbv__col_int(s, st, 0);
	char date[16], stdname[40];
	gnbv__col_copy(s, st, 1, date, sizeof date);
	gnbv__col_copy(s, st, 2, stdname, sizeof stdname);
	gnbv__reset(s, st);
	int same = !strcmp(date, w->ref_text) && !strcmp(stdname, w->std.name);
	if (!same && !(w->started & 2)) {
		/* The first round met decides what was not asked for. */
		if (!w->date_given && strcmp(date, w->ref_text)) {
			int32_t d;
			if (strlen(date) == 10 && !gnbv_x_parse_date(date, 10, &d)) {
				w->ref_date = d;
				gnbv__date_text(d, w->ref_text);
			}
		}
		if (!w->std_given && strcmp(stdname, w->std.name)) {
			gnbv_standard other;
			if (!gnbv_standard_load(&other, stdname)) w->std = other;
		}
		same = !strcmp(date, w->ref_text) && !strcmp(stdname, w->std.name);
	}
	w->started |= 2;
	if (!same)
		return gnbv_error_set(
		    GNBV_ECONFLICT,
		    "the %s round of %d in %s %s already has reference date %s and standard %s; "
		    "this asks for %s and %s",
		    gnbv_tr(w->kind == GNBV_ROUND_PERIODIC ? "periodic" : "ad-hoc"), w->year,
		    gnbv_tr(w->ut->u[c].level), w->ut->u[c].code, date, stdname, w->ref_text, w->std.name);
	/* A round submitted or recognised is locked (review.c). */
	if ((rc = gnbv__round_writable(s, id))) return rc;
	w->round_of[c] = id;
	return 0;
}

int gnbv__writer_start(gnbv__writer *w)
{
	gnbv_store *s = w->s;
	gnbv_bstmt *st = NULL;
	int rc;
	if ((rc = gnbv__ids_lock(s, "household", &w->next_household)) ||
	    (rc = gnbv__ids_lock(s, "survey", &w->next_survey)) ||
	    (rc = gnbv__ids_lock(s, "round", &w->next_round)) ||
	    (rc = gnbv__audit_reserve(s, &w->seq)))
		return rc;
	if ((rc = gnbv__prep(s, "SELECT household_id FROM household LIMIT 1", &st))) return rc;
	rc = gnbv__step(s, st);
	gnbv__fin(s, st);
	if (rc < 0) return rc;
	w->all_new = rc == GNBV_BACKEND_DONE;
	st = w->st[W_INS_ROUND];
	for (size_t c = 0; c < w->ut->n; c++) {
		if (w->round_of[c] != -1) continue;
		int64_t id = w->next_round++;
		const char *kind = w->kind == GNBV_ROUND_PERIODIC ? "periodic" : "adhoc";
		if ((rc = gnbv__bind_int(s, st, 1, id)) ||
		    (rc = gnbv__bind_int(s, st, 2, w->ut->u[c].id)) ||
		    (rc = gnbv__bind_text(s, st, 3, kind, strlen(kind))) ||
		    (rc = gnbv__bind_int(s, st, 4, w->year)) ||
		    (rc = gnbv__bind_text(s, st, 5, w->period, strlen(w->period))) ||
		    (rc = gnbv__bind_text(s, st, 6, w->ref_text, strlen(w->ref_text))) ||
		    (rc = gnbv__bind_text(s, st, 7, w->std.name, strlen(w->std.name))) ||
		    (rc = gnbv__bind_int(s, st, 8, w->seq)) || (rc = gnbv__run(s, st)))
			return rc;
		w->round_of[c] = id;
		w->rounds_created++;
	}
	w->started |= 1;
	return 0;
}

int gnbv__writer_finish(gnbv__writer *w)
{
	int rc;
	if ((rc = gnbv__ids_set(w->s, "household", w->next_household)) ||
	    (rc = gnbv__ids_set(w->s, "survey", w->next_survey)) ||
	    (rc = gnbv__ids_set(w->s, "round", w->next_round)))
		return rc;
	return 0;
}

static void sort_members(gnbv__xmem *m, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		gnbv__xmem v = m[i];
		size_t j = i;
		while (j > 0 && m[j - 1].m.member_no > v.m.member_no) {
			m[j] = m[j - 1];
			j--;
		}
		m[j] = v;
	}
}

/* content_hash: a 64-bit hash of a survey's inputs in a canonical,
 * length-prefixed serialisation, streamed through a small buffer. */
typedef struct hasher {
	unsigned char buf[512];
	size_t n;
	uint64_t h;
} hasher;

static void hs_flush(hasher *s)
{
	if (!s->n) return;
	s->h = gnbv_mix64(s->h ^ gnbv_hash64(s->buf, s->n)) + 0x9e3779b97f4a7c15ull;
	s->n = 0;
}

static void hs_put(hasher *s, const void *p, size_t n)
{
	if (s->n + n > sizeof s->buf) {
		hs_flush(s);
		if (n > sizeof s->buf) {
			s->h = gnbv_mix64(s->h ^ gnbv_hash64(p, n)) + 0x9e3779b97f4a7c15ull;
			return;
		}
	}
	memcpy(s->buf + s->n, p, n);
	s->n += n;
}

static void hs_i(hasher *s, int64_t v)
{
	hs_put(s, &v, sizeof v);
}

static void hs_s(hasher *s, const char *p, size_t n)
{
	uint32_t k = (uint32_t)n;
	hs_put(s, &k, sizeof k);
	hs_put(s, p, n);
}

static uint64_t canonical(const gnbv__writer *w, const gnbv__xhh *x)
{
	hasher s;
	const gnbv_household *h = &x->h;
	s.n = 0;
	s.h = 0x51ed2701a3d5c0b9ull;
	hs_i(&s, w->ut->u[x->unit].id);
	hs_i(&s, h->has_income ? h->income_month : -1);
	double d[2] = {h->has_score ? h->income_score : -1.0,
	               h->has_living_area ? h->living_area_m2 : -1.0};
	hs_put(&s, d, sizeof d);
	signed char t[12 + GNBV_RULE_COUNT] = {h->area,
	                                       h->has_income,
	                                       h->has_score,
	                                       h->has_living_area,
	                                       h->floor_durable,
	                                       h->walls_durable,
	                                       h->roof_durable,
	                                       h->water_safe,
	                                       h->toilet_hygienic,
	                                       h->waste_treated,
	                                       (signed char)(h->devices & 0x7f),
	                                       0};
	for (int r = 0; r < GNBV_RULE_COUNT; r++)
		t[12 + r] = h->recorded[r];
	hs_put(&s, t, sizeof t);
	hs_s(&s, x->extra ? x->extra : "", x->extra ? x->extra_len : 0);
	for (size_t i = 0; i < x->n; i++) {
		const gnbv__xmem *m = &x->m[i];
		const char *a = x->arena;
		signed char v[11] = {
		    m->m.sex,           m->m.relation,        m->m.work,
		    m->m.level,         m->m.able_to_work,    m->m.health_insurance,
		    m->m.stunted,       m->m.underweight,     m->m.in_school,
		    m->m.uses_internet, m->m.social_allowance};
		int32_t no = m->m.member_no;
		hs_put(&s, &no, sizeof no);
		hs_put(&s, v, sizeof v);
		hs_s(&s, a + m->birth_off, m->birth_len);
		hs_s(&s, a + m->name_off, m->name_len);
		hs_s(&s, a + m->eth_off, m->eth_len);
		hs_s(&s, a + m->extra_off, m->extra_len);
	}
	hs_flush(&s);
	return s.h;
}

/* A multi-row INSERT for `rows` rows, prepared once per size. The SQL is
 * built from constant pieces only. */
enum { T_HOUSEHOLD, T_SURVEY, T_MEMBER };
static const char *const INS_HEAD[3] = {
    "INSERT INTO household (household_id, code, unit_id, change_seq) VALUES ",
    "INSERT INTO survey (survey_id, household_id, round_id, period, unit_id, change_seq, "
    "content_hash, "
    "area, income_month, income_score, floor_durable, walls_durable, roof_durable, living_area_m2, "
    "water_safe, toilet_hygienic, waste_treated, devices, "
    "rec_employment, rec_dependants, rec_nutrition, rec_health_insurance, rec_adult_education, "
    "rec_child_schooling, rec_housing_quality, rec_housing_area, rec_water, rec_sanitation, "
    "rec_telecom, rec_info_devices, rec_waste, extra, standard, area_used, class, deficits, "
    "unknowns, "
    "workers, ind_employment, ind_dependants, ind_nutrition, ind_health_insurance, "
    "ind_adult_education, "
    "ind_child_schooling, ind_housing_quality, ind_housing_area, ind_water, ind_sanitation, "
    "ind_telecom, ind_info_devices, ind_waste) VALUES ",
    "INSERT INTO member (survey_id, member_no, name, name_key, sex, birth_date, relation, "
    "ethnicity, able_to_work, work, health_insurance, stunted, underweight, in_school, "
    "school_level, uses_internet, social_allowance, low_income_worker, extra) VALUES ",
};
static const int INS_COLS[3] = {4, 51, 19};

static int insert_stmt(gnbv__writer *w, int table, int rows, gnbv_bstmt **out)
{
	gnbv_bstmt **cache = table == T_HOUSEHOLD ? w->ins_hh
	                     : table == T_SURVEY  ? w->ins_sv
	                                          : w->ins_m;
	if (cache[rows]) {
		*out = cache[rows];
		return 0;
	}
	gnbv__buf sql = {0};
	int rc = gnbv__buf_str(&sql, INS_HEAD[table]);
	for (int r = 0; !rc && r < rows; r++) {
		rc = gnbv__buf_str(&sql, r ? ", (" : "(");
		for (int c = 0; !rc && c < INS_COLS[table]; c++)
			rc = gnbv__buf_str(&sql, c ? ", ?" : "?");
		if (!rc) rc = gnbv__buf_str(&sql, ")");
	}
	if (!rc) rc = gnbv__prep(w->s, sql.p, &cache[rows]);
	gnbv__buf_free(&sql);
	if (!rc) *out = cache[rows];
	return rc;
}

static int bind_survey(gnbv__writer *w, gnbv_bstmt *st, int i, const gnbv__xhh *x,
                       const gnbv__pend *p, char *dev)
{
	gnbv_store *s = w->s;
	const gnbv_household *h = &x->h;
	const gnbv_assessment *a = &p->a;
	const gnbv__unit *u = &w->ut->u[x->unit];
	size_t dl = gnbv__devices_text(h->devices, dev, 64);
	int rc;
#define B(call)                                                                                    \
	do {                                                                                       \
		if ((rc = (call))) return rc;                                                      \
		i++;                                                                               \
	} while (0)
	B(gnbv__bind_int(s, st, i, p->survey_id));
	B(gnbv__bind_int(s, st, i, p->household_id));
	B(gnbv__bind_int(s, st, i, w->round_of[u->commune]));
	B(gnbv__bind_text(s, st, i, w->period, strlen(w->period)));
	B(gnbv__bind_int(s, st, i, u->id));
	B(gnbv__bind_int(s, st, i, w->seq));
	B(gnbv__bind_int(s, st, i, (int64_t)p->hash));
	B(h->area == GNBV_AREA_UNKNOWN ? gnbv__bind_null(s, st, i)
	                               : gnbv__bind_text(s, st, i, h->area ? "urban" : "rural", 5));
	B(h->has_income ? gnbv__bind_int(s, st, i, h->income_month) : gnbv__bind_null(s, st, i));
	B(h->has_score ? gnbv__bind_double(s, st, i, h->income_score) : gnbv__bind_null(s, st, i));
	B(gnbv__bind_tri(s, st, i, h->floor_durable));
	B(gnbv__bind_tri(s, st, i, h->walls_durable));
	B(gnbv__bind_tri(s, st, i, h->roof_durable));
	B(h->has_living_area ? gnbv__bind_double(s, st, i, h->living_area_m2)
	                     : gnbv__bind_null(s, st, i));
	B(gnbv__bind_tri(s, st, i, h->water_safe));
	B(gnbv__bind_tri(s, st, i, h->toilet_hygienic));
	B(gnbv__bind_tri(s, st, i, h->waste_treated));
	B(gnbv__bind_text(s, st, i, dev, dl));
	for (int r = 0; r < GNBV_RULE_COUNT; r++)
		B(gnbv__bind_tri(s, st, i, h->recorded[r]));
	B(x->extra ? gnbv__bind_text(s, st, i, x->extra, x->extra_len) : gnbv__bind_null(s, st, i));
	B(gnbv__bind_text(s, st, i, w->std.name, strlen(w->std.name)));
	B(gnbv__bind_text(s, st, i, p->area == GNBV_AREA_URBAN ? "urban" : "rural", 5));
	const char *cn = gnbv_class_name(a->klass);
	B(gnbv__bind_text(s, st, i, cn, strlen(cn)));
	B(gnbv__bind_int(s, st, i, a->deficits));
	B(gnbv__bind_int(s, st, i, a->unknowns));
	B(gnbv__bind_int(s, st, i, a->n_workers));
	int ind[GNBV_RULE_COUNT];
	for (int r = 0; r < GNBV_RULE_COUNT; r++)
		ind[r] = -1;
	for (int k = 0; k < w->std.n_indicators; k++)
		ind[w->std.indicators[k].rule] = a->ind[k];
	for (int r = 0; r < GNBV_RULE_COUNT; r++)
		B(gnbv__bind_tri(s, st, i, ind[r]));
#undef B
	return 0;
}

static int bind_member(gnbv__writer *w, gnbv_bstmt *st, int i, const gnbv__xhh *x,
                       const gnbv__xmem *xm, int64_t survey_id)
{
	gnbv_store *s = w->s;
	const gnbv_member *m = &xm->m;
	const char *a = x->arena;
	int rc;
	char sex = (char)m->sex;
	const char *rel = m->relation >= 0 ? GNBV__REL[(int)m->relation] : NULL;
	const char *work = m->work >= 0 ? GNBV__WORK[(int)m->work] : NULL;
	const char *lvl = m->level >= 0 ? GNBV__LEVEL[(int)m->level] : NULL;
	if ((rc = gnbv__bind_int(s, st, i, survey_id)) ||
	    (rc = gnbv__bind_int(s, st, i + 1, m->member_no)) ||
	    (rc = gnbv__bind_text(s, st, i + 2, a + xm->name_off, xm->name_len)) ||
	    (rc = gnbv__bind_text(s, st, i + 3, a + xm->key_off, xm->key_len)) ||
	    (rc = sex ? gnbv__bind_text(s, st, i + 4, sex == 'M' ? "M" : "F", 1)
	              : gnbv__bind_null(s, st, i + 4)) ||
	    (rc = gnbv__bind_text(s, st, i + 5, a + xm->birth_off, xm->birth_len)) ||
	    (rc = rel ? gnbv__bind_text(s, st, i + 6, rel, strlen(rel))
	              : gnbv__bind_null(s, st, i + 6)) ||
	    (rc = gnbv__bind_text(s, st, i + 7, a + xm->eth_off, xm->eth_len)) ||
	    (rc = gnbv__bind_tri(s, st, i + 8, m->able_to_work)) ||
	    (rc = work ? gnbv__bind_text(s, st, i + 9, work, strlen(work))
	               : gnbv__bind_null(s, st, i + 9)) ||
	    (rc = gnbv__bind_tri(s, st, i + 10, m->health_insurance)) ||
	    (rc = gnbv__bind_tri(s, st, i + 11, m->stunted)) ||
	    (rc = gnbv__bind_tri(s, st, i + 12, m->underweight)) ||
	    (rc = gnbv__bind_tri(s, st, i + 13, m->in_school)) ||
	    (rc = lvl ? gnbv__bind_text(s, st, i + 14, lvl, strlen(lvl))
	              : gnbv__bind_null(s, st, i + 14)) ||
	    (rc = gnbv__bind_tri(s, st, i + 15, m->uses_internet)) ||
	    (rc = gnbv__bind_tri(s, st, i + 16, m->social_allowance)) ||
	    (rc = gnbv__bind_int(s, st, i + 17, xm->worker)) ||
	    (rc = xm->extra_len ? gnbv__bind_text(s, st, i + 18, a + xm->extra_off, xm->extra_len)
	                        : gnbv__bind_null(s, st, i + 18)))
		return rc;
	return 0;
}

/* The unit index of a unit id (the tree is in id order). */
static long unit_by_id(const gnbv__utree *t, int64_t id)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->u[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->u[lo].id == id ? (long)lo : -1;
}

static int in_scope_id(const gnbv__writer *w, int64_t unit_id)
{
	long i = unit_by_id(w->ut, unit_id);
	return i >= 0 && gnbv__scope_has(w->scope, w->ut->u[i].path);
}

/* Assesses one household and decides what to write; updates that must
 * precede the inserts (an old survey marked replaced, a moved household)
 * are done here. */
static int decide(gnbv__writer *w, gnbv__xhh *x, gnbv__pend *p, int *outcome)
{
	gnbv_store *s = w->s;
	gnbv_member mem[GNBV_STORE_MAX_MEMBERS];
	unsigned char workers[GNBV_STORE_MAX_MEMBERS];
	int rc;
	memset(p, 0, sizeof *p);
	if (x->n == 0 || x->n > GNBV_STORE_MAX_MEMBERS)
		return gnbv_error_set(GNBV_EINVALID,
		                      "household '%.*s' has %zu members (1 to %d allowed)",
		                      (int)x->code_len, x->code, x->n, GNBV_STORE_MAX_MEMBERS);
	sort_members(x->m, x->n);
	for (size_t i = 0; i < x->n; i++)
		mem[i] = x->m[i].m;
	p->area = gnbv__writer_area(w, x);
	if (p->area == GNBV_AREA_UNKNOWN)
		return gnbv_error_set(
		    GNBV_EINVALID, "household '%.*s': area is empty and its unit has no known area",
		    (int)x->code_len, x->code);
	gnbv_household h = x->h;
	h.area = (signed char)p->area;
	gnbv_assess(&w->std, w->ref_date, &h, mem, x->n, &p->a, workers);
	for (size_t i = 0; i < x->n; i++)
		x->m[i].worker = workers[i];
	p->hash = canonical(w, x);
	w->by_class[p->a.klass]++;
	w->last_a = p->a;

	int64_t household_unit = 0;
	if (!w->all_new) {
		gnbv_bstmt *st = w->st[W_SEL_HOUSEHOLD];
		if ((rc = gnbv__bind_text(s, st, 1, x->code, x->code_len))) return rc;
		rc = gnbv__step(s, st);
		if (rc == GNBV_BACKEND_ROW) {
			p->household_id = gnbv__col_int(s, st, 0);
			household_unit = gnbv__col_int(s, st, 1);
		}
		gnbv__reset(s, st);
		if (rc < 0) return rc;
		if (p->household_id) {
			st = w->st[W_SEL_SURVEY];
			uint64_t old_hash = 0;
			int64_t old_unit = 0;
			if ((rc = gnbv__bind_int(s, st, 1, p->household_id)) ||
			    (rc = gnbv__bind_text(s, st, 2, w->period, strlen(w->period))))
				return rc;
			rc = gnbv__step(s, st);
			if (rc == GNBV_BACKEND_ROW) {
				p->old_survey = gnbv__col_int(s, st, 0);
				old_hash = (uint64_t)gnbv__col_int(s, st, 1);
				old_unit = gnbv__col_int(s, st, 2);
			}
			gnbv__reset(s, st);
			if (rc < 0) return rc;
			if (!in_scope_id(w, p->old_survey ? old_unit : household_unit))
				return gnbv_error_set(
				    GNBV_EDENIED,
				    "household '%.*s' belongs to a unit outside your scope",
				    (int)x->code_len, x->code);
			if (p->old_survey && old_hash == p->hash) {
				w->unchanged++;
				w->last_survey = p->old_survey;
				w->last_replaced = 0;
				*outcome = GNBV__UNCHANGED;
				return 0;
			}
		}
	}
	const gnbv__unit *u = &w->ut->u[x->unit];
	p->write = 1;
	if (!p->household_id) {
		p->household_id = w->next_household++;
		p->ins_household = 1;
	} else if (household_unit != u->id) {
		gnbv_bstmt *st = w->st[W_UPD_HOUSEHOLD];
		if ((rc = gnbv__bind_int(s, st, 1, u->id)) ||
		    (rc = gnbv__bind_int(s, st, 2, w->seq)) ||
		    (rc = gnbv__bind_int(s, st, 3, p->household_id)) || (rc = gnbv__run(s, st)))
			return rc;
	}
	p->survey_id = w->next_survey++;
	if (p->old_survey) {
		gnbv_bstmt *st = w->st[W_UPD_REPLACED];
		if ((rc = gnbv__bind_int(s, st, 1, p->survey_id)) ||
		    (rc = gnbv__bind_int(s, st, 2, p->old_survey)) || (rc = gnbv__run(s, st)))
			return rc;
	}
	w->last_survey = p->survey_id;
	w->last_replaced = p->old_survey;
	if (p->old_survey) {
		w->changed++;
		*outcome = GNBV__CHANGED;
	} else {
		w->added++;
		*outcome = GNBV__ADDED;
	}
	return 0;
}

/* A member of a batch: household index, member index. */
typedef struct mref {
	size_t h, m;
} mref;

static int flush_members(gnbv__writer *w, const gnbv__xhh *xs, const mref *q, int *nq)
{
	gnbv_bstmt *st;
	int rc;
	if ((rc = insert_stmt(w, T_MEMBER, *nq, &st))) return rc;
	for (int r = 0; r < *nq; r++) {
		const gnbv__xhh *x = &xs[q[r].h];
		if ((rc = bind_member(w, st, 19 * r + 1, x, &x->m[q[r].m],
		                      w->pend[q[r].h].survey_id)))
			return rc;
	}
	*nq = 0;
	return gnbv__run(w->s, st);
}

int gnbv__writer_put_batch(gnbv__writer *w, gnbv__xhh *xs, size_t n, int *outcomes)
{
	gnbv_store *s = w->s;
	gnbv_bstmt *st;
	int rc, outcome = GNBV__UNCHANGED;
	if (n > GNBV__BATCH)
		return gnbv_error_set(GNBV_EINVALID, "writer: batch of %zu households", n);
	for (size_t i = 0; i < n; i++) {
		if ((rc = decide(w, &xs[i], &w->pend[i], &outcome))) return rc;
		if (outcomes) outcomes[i] = outcome;
	}
	/* households, then surveys, then members: the foreign keys' order */
	size_t todo[GNBV__BATCH], k = 0;
	for (size_t i = 0; i < n; i++)
		if (w->pend[i].ins_household) todo[k++] = i;
	for (size_t a = 0; a < k; a += GNBV__ROWS_HH) {
		int rows = (int)(k - a < GNBV__ROWS_HH ? k - a : GNBV__ROWS_HH);
		if ((rc = insert_stmt(w, T_HOUSEHOLD, rows, &st))) return rc;
		for (int r = 0; r < rows; r++) {
			const gnbv__xhh *x = &xs[todo[a + (size_t)r]];
			const gnbv__pend *p = &w->pend[todo[a + (size_t)r]];
			int b = 4 * r + 1;
			if ((rc = gnbv__bind_int(s, st, b, p->household_id)) ||
			    (rc = gnbv__bind_text(s, st, b + 1, x->code, x->code_len)) ||
			    (rc = gnbv__bind_int(s, st, b + 2, w->ut->u[x->unit].id)) ||
			    (rc = gnbv__bind_int(s, st, b + 3, w->seq)))
				return rc;
		}
		if ((rc = gnbv__run(s, st))) return rc;
	}
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (w->pend[i].write) todo[k++] = i;
	for (size_t a = 0; a < k; a += GNBV__ROWS_HH) {
		int rows = (int)(k - a < GNBV__ROWS_HH ? k - a : GNBV__ROWS_HH);
		if ((rc = insert_stmt(w, T_SURVEY, rows, &st))) return rc;
		for (int r = 0; r < rows; r++) {
			size_t i = todo[a + (size_t)r];
			if ((rc = bind_survey(w, st, 51 * r + 1, &xs[i], &w->pend[i],
			                      w->devices[i])))
				return rc;
		}
		if ((rc = gnbv__run(s, st))) return rc;
	}
	/* Members, 32 rows a statement across households. */
	mref q[GNBV__ROWS_M];
	int nq = 0;
	for (size_t t = 0; t < k; t++) {
		size_t i = todo[t];
		for (size_t m = 0; m < xs[i].n; m++) {
			q[nq].h = i;
			q[nq].m = m;
			if (++nq == GNBV__ROWS_M && (rc = flush_members(w, xs, q, &nq))) return rc;
		}
	}
	if (nq && (rc = flush_members(w, xs, q, &nq))) return rc;
	return 0;
}

int gnbv__writer_put(gnbv__writer *w, gnbv__xhh *x, int *outcome)
{
	return gnbv__writer_put_batch(w, x, 1, outcome);
}

/* ---- edits: one household ---- */

static int put_member_text(gnbv__buf *arena, const char *src, size_t cap, uint32_t *off,
                           uint16_t *len, const char *what, const char *hh, int member_no)
{
	char tmp[GNBV_STORE_NAME_MAX + 1];
	size_t n;
	int rc = gnbv__nfc(src, strnlen(src, cap), tmp, cap < sizeof tmp ? cap : sizeof tmp, &n);
	if (rc)
		return gnbv_error_set(rc, "household '%s', member %d: %s: %s", hh, member_no, what,
		                      gnbv_error_message());
	*off = (uint32_t)arena->len;
	*len = (uint16_t)n;
	return gnbv__buf_put(arena, tmp, n + 1);
}

int gnbv_store_household_put(gnbv_store *s, const gnbv_scope *scope, const gnbv_round_ref *round,
                             gnbv_household_rec *rec, int *changed)
{
	gnbv__writer w;
	gnbv__buf arena = {0}, detail = {0};
	gnbv__xmem *xm = NULL;
	gnbv__xhh x;
	char code[GNBV_STORE_CODE_MAX + 1];
	size_t code_len;
	int rc, outcome = 0, opened = 0;
	memset(&w, 0, sizeof w);
	memset(&x, 0, sizeof x);

	if ((rc = gnbv__nfc(rec->code, strnlen(rec->code, sizeof rec->code), code, sizeof code,
	                    &code_len)))
		return gnbv_error_set(rc, "household code: %s", gnbv_error_message());
	if (!code_len) return gnbv_error_set(GNBV_EINVALID, "household code: empty");
	if (rec->n_members == 0 || rec->n_members > GNBV_STORE_MAX_MEMBERS)
		return gnbv_error_set(GNBV_EINVALID,
		                      "household '%s' has %zu members (1 to %d allowed)", code,
		                      rec->n_members, GNBV_STORE_MAX_MEMBERS);
	xm = calloc(rec->n_members, sizeof *xm);
	if (!xm) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	for (size_t i = 0; i < rec->n_members; i++) {
		gnbv_member_rec *mr = &rec->members[i];
		gnbv__xmem *m = &xm[i];
		m->m = mr->m;
		for (size_t j = 0; j < i; j++)
			if (xm[j].m.member_no == m->m.member_no) {
				rc = gnbv_error_set(GNBV_EINVALID,
				                    "household '%s' has two members number %d",
				                    code, m->m.member_no);
				goto done;
			}
		if (m->m.member_no < 1) {
			rc = gnbv_error_set(GNBV_EINVALID,
			                    "household '%s': member numbers start at 1", code);
			goto done;
		}
		size_t bl = strnlen(mr->birth_date, sizeof mr->birth_date);
		m->m.birth = 0;
		if (bl && gnbv_x_parse_date(mr->birth_date, bl, &m->m.birth)) {
			rc = gnbv_error_set(GNBV_EINVALID,
			                    "household '%s', member %d: birth_date '%.*s' is not "
			                    "YYYY-MM-DD or YYYY",
			                    code, m->m.member_no, (int)bl, mr->birth_date);
			goto done;
		}
		if ((rc = put_member_text(&arena, mr->name, sizeof mr->name, &m->name_off,
		                          &m->name_len, "name", code, m->m.member_no)) ||
		    (rc = put_member_text(&arena, mr->ethnicity, sizeof mr->ethnicity, &m->eth_off,
		                          &m->eth_len, "ethnicity", code, m->m.member_no)) ||
		    (rc = put_member_text(&arena, mr->birth_date, sizeof mr->birth_date,
		                          &m->birth_off, &m->birth_len, "birth_date", code,
		                          m->m.member_no)))
			goto done;
		char key[GNBV_STORE_NAME_MAX + 1];
		size_t kl = gnbv__search_key(arena.p + m->name_off, m->name_len, key, sizeof key);
		m->key_off = (uint32_t)arena.len;
		m->key_len = (uint16_t)kl;
		if ((rc = gnbv__buf_put(&arena, key, kl + 1))) goto done;
		m->extra_off = (uint32_t)arena.len;
		m->extra_len = 0;
	}
	if ((rc = gnbv__begin(s))) goto done;
	if ((rc = gnbv__writer_open(&w, s, scope, round))) goto done;
	opened = 1;
	char why[256];
	int why_code = 0;
	long unit =
	    gnbv__writer_unit(&w, rec->unit_code, strnlen(rec->unit_code, sizeof rec->unit_code),
	                      why, sizeof why, &why_code);
	if (unit < 0) {
		rc = gnbv_error_set(why_code, "household '%s': %s", code, why);
		goto done;
	}
	x.code = code;
	x.code_len = code_len;
	x.unit = unit;
	x.h = rec->h;
	x.m = xm;
	x.n = rec->n_members;
	x.arena = arena.p;
	if ((rc = gnbv__writer_check_round(&w, unit)) || (rc = gnbv__writer_start(&w)) ||
	    (rc = gnbv__writer_put(&w, &x, &outcome)))
		goto done;
	if (outcome != GNBV__UNCHANGED) {
		const char *cn = gnbv_class_name(w.last_a.klass);
		char object[GNBV_STORE_CODE_MAX + 16];
		snprintf(object, sizeof object, "household:%s", code);
		if ((rc = gnbv__buf_str(&detail, "{\"period\":")) ||
		    (rc = gnbv__buf_json(&detail, w.period, strlen(w.period))) ||
		    (rc = gnbv__buf_str(&detail, ",\"survey\":")) ||
		    (rc = gnbv__buf_i64(&detail, w.last_survey)) ||
		    (rc = gnbv__buf_str(&detail, ",\"replaces\":")) ||
		    (rc = w.last_replaced ? gnbv__buf_i64(&detail, w.last_replaced)
		                          : gnbv__buf_str(&detail, "null")) ||
		    (rc = gnbv__buf_str(&detail, ",\"class\":")) ||
		    (rc = gnbv__buf_json(&detail, cn, strlen(cn))) ||
		    (rc = gnbv__buf_str(&detail, "}")))
			goto done;
		if ((rc = gnbv__writer_finish(&w)) ||
		    (rc = gnbv__audit_write(s, w.seq,
		                            outcome == GNBV__ADDED ? "survey.add" : "survey.change",
		                            object, detail.p, detail.len)))
			goto done;
		gnbv__writer_close(&w);
		opened = 0;
		if ((rc = gnbv__commit(s))) goto done;
	} else {
		gnbv__writer_close(&w);
		opened = 0;
		gnbv__rollback(s);
	}
	/* Out fields. */
	snprintf(rec->standard, sizeof rec->standard, "%s", w.std.name);
	rec->ref_date = w.ref_date;
	rec->a = w.last_a;
	rec->survey_id = w.last_survey;
	for (size_t i = 0; i < rec->n_members; i++)
		rec->members[i].low_income_worker = 0;
	/* The writer sorted xm by member_no; map the flags back by number. */
	for (size_t i = 0; i < rec->n_members; i++)
		for (size_t j = 0; j < rec->n_members; j++)
			if (rec->members[j].m.member_no == xm[i].m.member_no)
				rec->members[j].low_income_worker = xm[i].worker;
	if (changed) *changed = outcome != GNBV__UNCHANGED;
done:
	if (opened) gnbv__writer_close(&w);
	if (rc) gnbv__rollback(s);
	gnbv__buf_free(&arena);
	gnbv__buf_free(&detail);
	free(xm);
	return rc;
}

/* ---- reads ---- */

static int bind_range(gnbv_store *s, gnbv_bstmt *st, int first, const gnbv_scope *scope, char *lo,
                      char *hi)
{
	gnbv__scope_range(scope, lo, hi, GNBV_SCOPE_PATH_MAX + 2);
	int rc = gnbv__bind_text(s, st, first, lo, strlen(lo));
	return rc ? rc : gnbv__bind_text(s, st, first + 1, hi, strlen(hi));
}

int gnbv_store_household_get(gnbv_store *s, const gnbv_scope *scope, const gnbv_round_ref *round,
                             const char *code, gnbv_household_rec *out)
{
	gnbv_bstmt *st = NULL, *ms = NULL;
	char period[32], lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2];
	int kind, rc;
	int32_t ref;
	gnbv_standard std;
	if ((rc = gnbv__round_resolve(round, &kind, &ref, period))) return rc;
	memset(out, 0, sizeof *out);
	if ((rc = gnbv__prep(
	         s,
	         "SELECT s.survey_id, u.code, s.area, s.income_month, s.income_score, "
	         "s.floor_durable, s.walls_durable, s.roof_durable, s.living_area_m2, "
	         "s.water_safe, "
	         "s.toilet_hygienic, s.waste_treated, s.devices, "
	         "s.rec_employment, s.rec_dependants, s.rec_nutrition, s.rec_health_insurance, "
	         "s.rec_adult_education, s.rec_child_schooling, s.rec_housing_quality, "
	         "s.rec_housing_area, s.rec_water, s.rec_sanitation, s.rec_telecom, "
	         "s.rec_info_devices, "
	         "s.rec_waste, s.standard, s.area_used, s.class, s.deficits, s.unknowns, "
	         "s.workers, "
	         "s.ind_employment, s.ind_dependants, s.ind_nutrition, s.ind_health_insurance, "
	         "s.ind_adult_education, s.ind_child_schooling, s.ind_housing_quality, "
	         "s.ind_housing_area, s.ind_water, s.ind_sanitation, s.ind_telecom, "
	         "s.ind_info_devices, "
	         "s.ind_waste, r.ref_date, h.code "
	         "FROM household h JOIN survey s ON s.household_id = h.household_id "
	         "JOIN unit u ON u.unit_id = s.unit_id JOIN review_round r ON r.round_id = "
	         "s.round_id "
	         "WHERE h.code = ? AND s.period = ? AND s.replaced_by IS NULL AND u.path >= ? AND "
	         "u.path < ?",
	         &st)) ||
	    (rc = gnbv__bind_text(s, st, 1, code, strlen(code))) ||
	    (rc = gnbv__bind_text(s, st, 2, period, strlen(period))) ||
	    (rc = bind_range(s, st, 3, scope, lo, hi)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc == GNBV_BACKEND_DONE) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "no household '%s' in the %s round", code,
		                    period);
		goto done;
	}
	gnbv_household_rec *r = out;
	gnbv_household *h = &r->h;
	r->survey_id = gnbv__col_int(s, st, 0);
	gnbv__col_copy(s, st, 1, r->unit_code, sizeof r->unit_code);
	gnbv__col_copy(s, st, 46, r->code, sizeof r->code);
	size_t n;
	const char *t = gnbv__col_text(s, st, 2, &n);
	h->area = gnbv__col_null(s, st, 2)             ? GNBV_AREA_UNKNOWN
	          : (n == 5 && !memcmp(t, "urban", 5)) ? GNBV_AREA_URBAN
	                                               : GNBV_AREA_RURAL;
	if ((h->has_income = !gnbv__col_null(s, st, 3))) h->income_month = gnbv__col_int(s, st, 3);
	if ((h->has_score = !gnbv__col_null(s, st, 4)))
		h->income_score = gnbv__col_double(s, st, 4);
	h->floor_durable = (gnbv_tri)gnbv__col_tri(s, st, 5);
	h->walls_durable = (gnbv_tri)gnbv__col_tri(s, st, 6);
	h->roof_durable = (gnbv_tri)gnbv__col_tri(s, st, 7);
	if ((h->has_living_area = !gnbv__col_null(s, st, 8)))
		h->living_area_m2 = gnbv__col_double(s, st, 8);
	h->water_safe = (gnbv_tri)gnbv__col_tri(s, st, 9);
	h->toilet_hygienic = (gnbv_tri)gnbv__col_tri(s, st, 10);
	h->waste_treated = (gnbv_tri)gnbv__col_tri(s, st, 11);
	t = gnbv__col_text(s, st, 12, &n);
	h->devices = 0;
	for (size_t a = 0; a < n;) { /* canonical "tv;smartphone" */
		const char *e = memchr(t + a, ';', n - a);
		size_t k = e ? (size_t)(e - (t + a)) : n - a;
		int d = word_of(t + a, k, GNBV__DEVICE, 5);
		if (d >= 0) h->devices |= 1u << d;
		a += k + 1;
	}
	for (int q = 0; q < GNBV_RULE_COUNT; q++)
		h->recorded[q] = (gnbv_tri)gnbv__col_tri(s, st, 13 + q);
	gnbv__col_copy(s, st, 26, r->standard, sizeof r->standard);
	t = gnbv__col_text(s, st, 27, &n);
	r->a.area = (n == 5 && !memcmp(t, "urban", 5)) ? GNBV_AREA_URBAN : GNBV_AREA_RURAL;
	t = gnbv__col_text(s, st, 28, &n);
	for (int c = 0; c < GNBV_CLASS_COUNT; c++)
		if (strlen(gnbv_class_name((gnbv_class)c)) == n &&
		    !memcmp(gnbv_class_name((gnbv_class)c), t, n))
			r->a.klass = (gnbv_class)c;
	r->a.deficits = (int)gnbv__col_int(s, st, 29);
	r->a.unknowns = (int)gnbv__col_int(s, st, 30);
	r->a.n_workers = (int)gnbv__col_int(s, st, 31);
	int ind[GNBV_RULE_COUNT];
	for (int q = 0; q < GNBV_RULE_COUNT; q++)
		ind[q] = gnbv__col_tri(s, st, 32 + q);
	char rd[16];
	gnbv__col_copy(s, st, 45, rd, sizeof rd);
	if (strlen(rd) == 10) gnbv_x_parse_date(rd, 10, &r->ref_date);
	if (!gnbv_standard_load(&std, r->standard))
		for (int k = 0; k < std.n_indicators; k++)
			r->a.ind[k] = (gnbv_tri)ind[std.indicators[k].rule];
	gnbv__fin(s, st);
	st = NULL;

	if ((rc = gnbv__prep(
	         s,
	         "SELECT member_no, name, sex, birth_date, relation, ethnicity, able_to_work, "
	         "work, "
	         "health_insurance, stunted, underweight, in_school, school_level, uses_internet, "
	         "social_allowance, low_income_worker FROM member WHERE survey_id = ? ORDER BY "
	         "member_no",
	         &ms)) ||
	    (rc = gnbv__bind_int(s, ms, 1, r->survey_id)))
		goto done;
	while ((rc = gnbv__step(s, ms)) == GNBV_BACKEND_ROW) {
		if (r->n_members == GNBV_STORE_MAX_MEMBERS) break;
		gnbv_member_rec *mr = &r->members[r->n_members++];
		gnbv_member *m = &mr->m;
		m->member_no = (int32_t)gnbv__col_int(s, ms, 0);
		gnbv__col_copy(s, ms, 1, mr->name, sizeof mr->name);
		t = gnbv__col_text(s, ms, 2, &n);
		m->sex = n == 1 ? (signed char)t[0] : GNBV_SEX_UNKNOWN;
		gnbv__col_copy(s, ms, 3, mr->birth_date, sizeof mr->birth_date);
		m->birth = 0;
		if (mr->birth_date[0])
			gnbv_x_parse_date(mr->birth_date, strlen(mr->birth_date), &m->birth);
		t = gnbv__col_text(s, ms, 4, &n);
		m->relation =
		    (signed char)(gnbv__col_null(s, ms, 4) ? -1 : word_of(t, n, GNBV__REL, 6));
		gnbv__col_copy(s, ms, 5, mr->ethnicity, sizeof mr->ethnicity);
		m->able_to_work = (gnbv_tri)gnbv__col_tri(s, ms, 6);
		t = gnbv__col_text(s, ms, 7, &n);
		m->work =
		    (signed char)(gnbv__col_null(s, ms, 7) ? -1 : word_of(t, n, GNBV__WORK, 6));
		m->health_insurance = (gnbv_tri)gnbv__col_tri(s, ms, 8);
		m->stunted = (gnbv_tri)gnbv__col_tri(s, ms, 9);
		m->underweight = (gnbv_tri)gnbv__col_tri(s, ms, 10);
		m->in_school = (gnbv_tri)gnbv__col_tri(s, ms, 11);
		t = gnbv__col_text(s, ms, 12, &n);
		m->level = (signed char)(gnbv__col_null(s, ms, 12)
		                             ? -1
		                             : word_of(t, n, GNBV__LEVEL, GNBV_LEVEL_COUNT));
		m->uses_internet = (gnbv_tri)gnbv__col_tri(s, ms, 13);
		m->social_allowance = (gnbv_tri)gnbv__col_tri(s, ms, 14);
		mr->low_income_worker = (int)gnbv__col_int(s, ms, 15);
	}
	if (rc < 0) goto done;
	rc = 0;
done:
	gnbv__fin(s, st);
	gnbv__fin(s, ms);
	return rc;
}

int gnbv_store_household_count(gnbv_store *s, const gnbv_scope *scope, const gnbv_round_ref *round,
                               int klass, uint64_t *out)
{
	/* Four fixed statements: with or without a round, with or without a
	 * class. The class name comes from the engine's own table. */
	static const char *const SQL[4] = {
	    "SELECT count(DISTINCT s.household_id) FROM survey s JOIN unit u ON u.unit_id = "
	    "s.unit_id "
	    "WHERE s.replaced_by IS NULL AND u.path >= ? AND u.path < ?",
	    "SELECT count(DISTINCT s.household_id) FROM survey s JOIN unit u ON u.unit_id = "
	    "s.unit_id "
	    "WHERE s.replaced_by IS NULL AND u.path >= ? AND u.path < ? AND s.period = ?",
	    "SELECT count(DISTINCT s.household_id) FROM survey s JOIN unit u ON u.unit_id = "
	    "s.unit_id "
	    "WHERE s.replaced_by IS NULL AND u.path >= ? AND u.path < ? AND s.class = ?",
	    "SELECT count(DISTINCT s.household_id) FROM survey s JOIN unit u ON u.unit_id = "
	    "s.unit_id "
	    "WHERE s.replaced_by IS NULL AND u.path >= ? AND u.path < ? AND s.period = ? AND "
	    "s.class = ?",
	};
	gnbv_bstmt *st = NULL;
	char period[32], lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2];
	int rc, kind;
	int32_t ref;
	if (klass < -1 || klass >= GNBV_CLASS_COUNT)
		return gnbv_error_set(GNBV_EINVALID, "count: class %d", klass);
	if (round && (rc = gnbv__round_resolve(round, &kind, &ref, period))) return rc;
	int which = (round ? 1 : 0) + (klass >= 0 ? 2 : 0);
	if ((rc = gnbv__prep(s, SQL[which], &st)) || (rc = bind_range(s, st, 1, scope, lo, hi)))
		goto done;
	int i = 3;
	if (round && (rc = gnbv__bind_text(s, st, i++, period, strlen(period)))) goto done;
	if (klass >= 0) {
		const char *cn = gnbv_class_name((gnbv_class)klass);
		if ((rc = gnbv__bind_text(s, st, i++, cn, strlen(cn)))) goto done;
	}
	rc = gnbv__step(s, st);
	if (rc == GNBV_BACKEND_ROW) {
		*out = (uint64_t)gnbv__col_int(s, st, 0);
		rc = 0;
	} else if (rc == GNBV_BACKEND_DONE) {
		*out = 0;
		rc = 0;
	}
done:
	gnbv__fin(s, st);
	return rc;
}

int gnbv_store_member_search(gnbv_store *s, const gnbv_scope *scope, const gnbv_round_ref *round,
                             const char *query, size_t limit, gnbv_member_hit_fn fn, void *ctx)
{
	static const char *const SQL[2] = {
	    "SELECT h.code, u.code, m.member_no, r.year, m.name FROM member m "
	    "JOIN survey s ON s.survey_id = m.survey_id JOIN household h ON h.household_id = "
	    "s.household_id "
	    "JOIN unit u ON u.unit_id = s.unit_id JOIN review_round r ON r.round_id = s.round_id "
	    "WHERE s.replaced_by IS NULL AND u.path >= ? AND u.path < ? AND m.name_key LIKE ? "
	    "ESCAPE '\\' "
	    "ORDER BY m.name COLLATE vi, h.code, r.year, m.member_no LIMIT ?",
	    "SELECT h.code, u.code, m.member_no, r.year, m.name FROM member m "
	    "JOIN survey s ON s.survey_id = m.survey_id JOIN household h ON h.household_id = "
	    "s.household_id "
	    "JOIN unit u ON u.unit_id = s.unit_id JOIN review_round r ON r.round_id = s.round_id "
	    "WHERE s.replaced_by IS NULL AND u.path >= ? AND u.path < ? AND m.name_key LIKE ? "
	    "ESCAPE '\\' "
	    "AND s.period = ? ORDER BY m.name COLLATE vi, h.code, r.year, m.member_no LIMIT ?",
	};
	gnbv_bstmt *st = NULL;
	char period[32], lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2];
	char nfc[GNBV_STORE_NAME_MAX + 1], key[GNBV_STORE_NAME_MAX + 1],
	    pat[2 * GNBV_STORE_NAME_MAX + 4];
	size_t nl;
	int rc, kind;
	int32_t ref;
	if (round && (rc = gnbv__round_resolve(round, &kind, &ref, period))) return rc;
	if ((rc = gnbv__nfc(query, strlen(query), nfc, sizeof nfc, &nl))) return rc;
	size_t kl = gnbv__search_key(nfc, nl, key, sizeof key);
	/* %key% with LIKE's own characters escaped. */
	size_t w = 0;
	pat[w++] = '%';
	for (size_t i = 0; i < kl; i++) {
		if (key[i] == '%' || key[i] == '_' || key[i] == '\\') pat[w++] = '\\';
		pat[w++] = key[i];
	}
	pat[w++] = '%';
	pat[w] = '\0';
	if ((rc = gnbv__prep(s, SQL[round ? 1 : 0], &st)) ||
	    (rc = bind_range(s, st, 1, scope, lo, hi)) || (rc = gnbv__bind_text(s, st, 3, pat, w)))
		goto done;
	int i = 4;
	if (round && (rc = gnbv__bind_text(s, st, i++, period, strlen(period)))) goto done;
	if ((rc = gnbv__bind_int(s, st, i, (int64_t)(limit ? limit : 100)))) goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		gnbv_member_hit hit;
		memset(&hit, 0, sizeof hit);
		gnbv__col_copy(s, st, 0, hit.household_code, sizeof hit.household_code);
		gnbv__col_copy(s, st, 1, hit.unit_code, sizeof hit.unit_code);
		hit.member_no = (int)gnbv__col_int(s, st, 2);
		hit.year = (int)gnbv__col_int(s, st, 3);
		gnbv__col_copy(s, st, 4, hit.name, sizeof hit.name);
		if ((rc = fn(ctx, &hit))) goto done;
	}
	if (rc > 0) rc = 0;
done:
	gnbv__fin(s, st);
	return rc;
}
