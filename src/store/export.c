/*
 * export.c - gnbv export: a round's current surveys within the caller's
 * scope back out as exchange format v1 (households.csv + members.csv).
 *
 * What comes out imports back identically: every listed column in its
 * canonical spelling (1/0, devices in a fixed order, numbers in the
 * shortest text that reads back equal), birth dates as they were given
 * (YYYY stays YYYY), a deficit_<code> column for each recorded tick that
 * any household of the export has, and the unknown columns kept at import,
 * sorted by name. Households come in the order they were written (survey
 * id), members grouped after them by member_no, so the files stream through
 * gnbv classify and gnbv import without the in-memory fallback.
 *
 * The reads and the access record (quality.md S3: every export of personal
 * data is logged) are one transaction, so the files are one snapshot; both
 * files appear whole or not at all (src/io/outfile.h), and only after that
 * transaction has committed.
 */
#include "registry.h"

#include "gnbv/error.h"

#include "io/outfile.h"

#include <jansson.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const H_COLS[] = {
    "household_id",    "unit_code",     "area",         "income_month",   "income_score",
    "floor_durable",   "walls_durable", "roof_durable", "living_area_m2", "water_safe",
    "toilet_hygienic", "waste_treated", "devices"};
static const char *const M_COLS[] = {
    "household_id", "member_no",        "name",          "sex",
    "birth_date",   "relation",         "ethnicity",     "able_to_work",
    "work",         "health_insurance", "stunted",       "underweight",
    "in_school",    "school_level",     "uses_internet", "social_allowance"};

#define FILTER "s.period = ? AND s.replaced_by IS NULL AND u.path >= ? AND u.path < ?"

typedef struct keyset {
	char **k;
	size_t n, cap;
} keyset;

static int keyset_add(keyset *ks, const char *key)
{
	for (size_t i = 0; i < ks->n; i++)
		if (!strcmp(ks->k[i], key)) return 0;
	if (ks->n == 1000)
		return gnbv_error_set(GNBV_ETOOBIG, "export: more than 1000 kept columns");
	if (ks->n == ks->cap) {
		size_t nc = ks->cap ? ks->cap * 2 : 16;
		char **nk = realloc(ks->k, nc * sizeof *nk);
		if (!nk) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		ks->k = nk;
		ks->cap = nc;
	}
	if (!(ks->k[ks->n] = strdup(key))) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	ks->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void keyset_free(keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		free(ks->k[i]);
	free(ks->k);
}

/* The values bound by FILTER: they must outlive the statements (bound
 * text is not copied). */
typedef struct filter {
	char period[32];
	char lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2];
} filter;

static int bind_filter(gnbv_store *s, gnbv_bstmt *st, const filter *f)
{
	int rc;
	if ((rc = gnbv__bind_text(s, st, 1, f->period, strlen(f->period))) ||
	    (rc = gnbv__bind_text(s, st, 2, f->lo, strlen(f->lo))) ||
	    (rc = gnbv__bind_text(s, st, 3, f->hi, strlen(f->hi))))
		return rc;
	return 0;
}

/* The keys of the kept-columns JSON in column 0 of every row of sql. */
static int collect_keys(gnbv_store *s, const char *sql, const filter *f, keyset *ks)
{
	gnbv_bstmt *st = NULL;
	int rc;
	if ((rc = gnbv__prep(s, sql, &st)) || (rc = bind_filter(s, st, f))) goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		size_t n;
		const char *t = gnbv__col_text(s, st, 0, &n);
		json_error_t err;
		json_t *j = json_loadb(t, n, 0, &err);
		if (!j || !json_is_object(j)) {
			json_decref(j);
			continue;
		}
		const char *key;
		json_t *v;
		json_object_foreach(j, key, v)
		{
			(void)v;
			if ((rc = keyset_add(ks, key))) {
				json_decref(j);
				goto done;
			}
		}
		json_decref(j);
	}
	if (rc > 0) rc = 0;
	if (ks->n) qsort(ks->k, ks->n, sizeof *ks->k, cmp_str);
done:
	gnbv__fin(s, st);
	return rc;
}

static int put_extras(gnbv_out *o, const keyset *ks, const char *json, size_t n)
{
	json_t *j = NULL;
	int rc = 0;
	if (!ks->n) return 0;
	if (n) {
		json_error_t err;
		j = json_loadb(json, n, 0, &err);
	}
	for (size_t k = 0; k < ks->n; k++) {
		gnbv_out_char(o, ',');
		json_t *v = j ? json_object_get(j, ks->k[k]) : NULL;
		if (v && json_is_string(v))
			rc = gnbv_out_cell(o, json_string_value(v), json_string_length(v));
	}
	json_decref(j);
	return rc;
}

static void put_int_col(gnbv_store *s, gnbv_bstmt *st, int c, gnbv_out *o)
{
	gnbv_out_char(o, ',');
	if (gnbv__col_null(s, st, c)) return;
	int64_t v = gnbv__col_int(s, st, c);
	if (v < 0) {
		gnbv_out_char(o, '-');
		v = -v;
	}
	gnbv_out_u64(o, (uint64_t)v);
}

static void put_real_col(gnbv_store *s, gnbv_bstmt *st, int c, gnbv_out *o)
{
	gnbv_out_char(o, ',');
	if (gnbv__col_null(s, st, c)) return;
	char buf[64];
	size_t n = gnbv__fmt_real(gnbv__col_double(s, st, c), buf, sizeof buf);
	gnbv_out_write(o, buf, n);
}

static void put_text_col(gnbv_store *s, gnbv_bstmt *st, int c, gnbv_out *o, int first)
{
	size_t n;
	const char *t = gnbv__col_text(s, st, c, &n);
	if (!first) gnbv_out_char(o, ',');
	if (!gnbv__col_null(s, st, c)) gnbv_out_cell(o, t, n);
}

int gnbv_store_export(gnbv_store *s, const gnbv_scope *scope, const gnbv_export_opts *o,
                      gnbv_export_stats *stp)
{
	gnbv_bstmt *st = NULL;
	gnbv_out *ho = NULL, *mo = NULL;
	keyset hk = {0}, mk = {0};
	gnbv__buf detail = {0};
	filter flt;
	char *period = flt.period;
	int rc, kind, recs[GNBV_RULE_COUNT] = {0};
	int32_t ref;
	gnbv_export_stats stats = {0};
	if (o->version != GNBV_EXPORT_OPTS_VERSION)
		return gnbv_error_set(GNBV_EINVALID,
		                      "gnbv_store_export: options version %u, expected %u",
		                      o->version, GNBV_EXPORT_OPTS_VERSION);
	if ((rc = gnbv__round_resolve(&o->round, &kind, &ref, period))) return rc;
	gnbv__scope_range(scope, flt.lo, flt.hi, sizeof flt.lo);
	const char *dir = o->out_dir ? o->out_dir : ".";
	if (mkdir(dir, 0755) && errno != EEXIST)
		return gnbv_error_set(GNBV_EIO, "%s: cannot create the folder: %s", dir,
		                      strerror(errno));

	/* One transaction for the reads and the access record: the two files
	 * are one snapshot, and the record is there exactly when they are. */
	if ((rc = gnbv__begin(s))) goto done;

	/* Which recorded ticks and kept columns occur. */
	if ((rc = gnbv__prep(
	         s,
	         "SELECT count(s.rec_employment), count(s.rec_dependants), count(s.rec_nutrition), "
	         "count(s.rec_health_insurance), count(s.rec_adult_education), "
	         "count(s.rec_child_schooling), count(s.rec_housing_quality), "
	         "count(s.rec_housing_area), "
	         "count(s.rec_water), count(s.rec_sanitation), count(s.rec_telecom), "
	         "count(s.rec_info_devices), count(s.rec_waste), count(*) "
	         "FROM survey s JOIN unit u ON u.unit_id = s.unit_id WHERE " FILTER,
	         &st)) ||
	    (rc = bind_filter(s, st, &flt)))
		goto done;
	if ((rc = gnbv__step(s, st)) < 0) goto done;
	for (int r = 0; r < GNBV_RULE_COUNT; r++)
		recs[r] = gnbv__col_int(s, st, r) > 0;
	int64_t total = gnbv__col_int(s, st, GNBV_RULE_COUNT);
	gnbv__fin(s, st);
	st = NULL;
	if (!total) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "no household of the %s round in your scope",
		                    period);
		goto done;
	}
	if ((rc = collect_keys(
	         s,
	         "SELECT s.extra FROM survey s JOIN unit u ON u.unit_id = s.unit_id WHERE " FILTER
	         " AND s.extra IS NOT NULL",
	         &flt, &hk)) ||
	    (rc = collect_keys(s,
	                       "SELECT m.extra FROM survey s JOIN unit u ON u.unit_id = s.unit_id "
	                       "JOIN member m ON m.survey_id = s.survey_id WHERE " FILTER
	                       " AND m.extra IS NOT NULL",
	                       &flt, &mk)))
		goto done;

	/* households.csv */
	if ((rc = gnbv_out_open(&ho, dir, "households.csv"))) goto done;
	for (size_t i = 0; i < sizeof H_COLS / sizeof H_COLS[0]; i++) {
		if (i) gnbv_out_char(ho, ',');
		gnbv_out_str(ho, H_COLS[i]);
	}
	for (int r = 0; r < GNBV_RULE_COUNT; r++)
		if (recs[r]) {
			gnbv_out_str(ho, ",deficit_");
			gnbv_out_str(ho, GNBV__RULE_CODES[r]);
		}
	for (size_t k = 0; k < hk.n; k++) {
		gnbv_out_char(ho, ',');
		gnbv_out_cell(ho, hk.k[k], strlen(hk.k[k]));
	}
	gnbv_out_char(ho, '\n');
	if ((rc = gnbv__prep(
	         s,
	         "SELECT h.code, u.code, s.area, s.income_month, s.income_score, s.floor_durable, "
	         "s.walls_durable, s.roof_durable, s.living_area_m2, s.water_safe, "
	         "s.toilet_hygienic, "
	         "s.waste_treated, s.devices, s.rec_employment, s.rec_dependants, s.rec_nutrition, "
	         "s.rec_health_insurance, s.rec_adult_education, s.rec_child_schooling, "
	         "s.rec_housing_quality, s.rec_housing_area, s.rec_water, s.rec_sanitation, "
	         "s.rec_telecom, s.rec_info_devices, s.rec_waste, s.extra "
	         "FROM survey s JOIN unit u ON u.unit_id = s.unit_id "
	         "JOIN household h ON h.household_id = s.household_id WHERE " FILTER
	         " ORDER BY s.survey_id",
	         &st)) ||
	    (rc = bind_filter(s, st, &flt)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		put_text_col(s, st, 0, ho, 1);
		put_text_col(s, st, 1, ho, 0);
		put_text_col(s, st, 2, ho, 0);
		put_int_col(s, st, 3, ho);
		put_real_col(s, st, 4, ho);
		for (int c = 5; c <= 7; c++)
			put_int_col(s, st, c, ho);
		put_real_col(s, st, 8, ho);
		for (int c = 9; c <= 11; c++)
			put_int_col(s, st, c, ho);
		put_text_col(s, st, 12, ho, 0);
		for (int r = 0; r < GNBV_RULE_COUNT; r++)
			if (recs[r]) put_int_col(s, st, 13 + r, ho);
		size_t en;
		const char *ej = gnbv__col_text(s, st, 26, &en);
		if ((rc = put_extras(ho, &hk, ej, en))) goto done;
		if ((rc = gnbv_out_char(ho, '\n'))) goto done;
		stats.households++;
	}
	if (rc < 0) goto done;
	gnbv__fin(s, st);
	st = NULL;

	/* members.csv */
	if ((rc = gnbv_out_open(&mo, dir, "members.csv"))) goto done;
	for (size_t i = 0; i < sizeof M_COLS / sizeof M_COLS[0]; i++) {
		if (i) gnbv_out_char(mo, ',');
		gnbv_out_str(mo, M_COLS[i]);
	}
	for (size_t k = 0; k < mk.n; k++) {
		gnbv_out_char(mo, ',');
		gnbv_out_cell(mo, mk.k[k], strlen(mk.k[k]));
	}
	gnbv_out_char(mo, '\n');
	if ((rc = gnbv__prep(s,
	                     "SELECT h.code, m.member_no, m.name, m.sex, m.birth_date, m.relation, "
	                     "m.ethnicity, "
	                     "m.able_to_work, m.work, m.health_insurance, m.stunted, "
	                     "m.underweight, m.in_school, "
	                     "m.school_level, m.uses_internet, m.social_allowance, m.extra "
	                     "FROM survey s JOIN unit u ON u.unit_id = s.unit_id "
	                     "JOIN household h ON h.household_id = s.household_id "
	                     "JOIN member m ON m.survey_id = s.survey_id WHERE " FILTER
	                     " ORDER BY s.survey_id, m.member_no",
	                     &st)) ||
	    (rc = bind_filter(s, st, &flt)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		put_text_col(s, st, 0, mo, 1);
		put_int_col(s, st, 1, mo);
		for (int c = 2; c <= 6; c++)
			put_text_col(s, st, c, mo, 0);
		put_int_col(s, st, 7, mo);
		put_text_col(s, st, 8, mo, 0);
		for (int c = 9; c <= 12; c++)
			put_int_col(s, st, c, mo);
		put_text_col(s, st, 13, mo, 0);
		for (int c = 14; c <= 15; c++)
			put_int_col(s, st, c, mo);
		size_t en;
		const char *ej = gnbv__col_text(s, st, 16, &en);
		if ((rc = put_extras(mo, &mk, ej, en))) goto done;
		if ((rc = gnbv_out_char(mo, '\n'))) goto done;
		stats.members++;
	}
	if (rc < 0) goto done;
	gnbv__fin(s, st);
	st = NULL;

	/* The access record, then the files take their names. */
	int64_t seq;
	char object[64];
	snprintf(object, sizeof object, "round:%s", period);
	const char *purpose = o->purpose ? o->purpose : "export";
	if ((rc = gnbv__buf_str(&detail, "{\"period\":")) ||
	    (rc = gnbv__buf_json(&detail, period, strlen(period))) ||
	    (rc = gnbv__buf_str(&detail, ",\"scope_unit\":")) ||
	    (rc = gnbv__buf_i64(&detail, scope->unit_id)) ||
	    (rc = gnbv__buf_str(&detail, ",\"out_dir\":")) ||
	    (rc = gnbv__buf_json(&detail, dir, strlen(dir))) ||
	    (rc = gnbv__buf_str(&detail, ",\"purpose\":")) ||
	    (rc = gnbv__buf_json(&detail, purpose, strlen(purpose))) ||
	    (rc = gnbv__buf_str(&detail, ",\"households\":")) ||
	    (rc = gnbv__buf_i64(&detail, (int64_t)stats.households)) ||
	    (rc = gnbv__buf_str(&detail, ",\"members\":")) ||
	    (rc = gnbv__buf_i64(&detail, (int64_t)stats.members)) ||
	    (rc = gnbv__buf_str(&detail, "}")))
		goto done;
	if ((rc = gnbv__audit_reserve(s, &seq)) ||
	    (rc = gnbv__audit_write(s, seq, "export", object, detail.p, detail.len)) ||
	    (rc = gnbv__commit(s)))
		goto done;
	rc = gnbv_out_commit(ho);
	ho = NULL;
	if (!rc) rc = gnbv_out_commit(mo);
	mo = NULL;
	if (!rc && stp) *stp = stats;
done:
	gnbv__fin(s, st);
	if (rc) gnbv__rollback(s);
	gnbv_out_abort(ho);
	gnbv_out_abort(mo);
	keyset_free(&hk);
	keyset_free(&mk);
	gnbv__buf_free(&detail);
	return rc;
}
