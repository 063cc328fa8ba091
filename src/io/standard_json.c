/*
 * standard_json.c - loads a poverty standard from its JSON data file.
 *
 * The parameter table below is the contract between the files in data/standards/
 * and the engine: each entry names a parameter, its type, whether the law may
 * leave it unknown (null), and where it lands in gnbv_standard. A file must
 * give every parameter, each with a source and a confidence tag (V, S, H of
 * domain.md), and nothing else: a misspelt or missing parameter is an error,
 * never a silent default, so that an officer correcting a threshold without
 * a release cannot get it half right.
 */
#include "gnbv/date.h"
#include "gnbv/error.h"
#include "gnbv/standard.h"

#include "embed.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { P_MONEY, P_NUMBER, P_INT, P_BANDS, P_RANKS, P_DEVICES } ptype;

typedef struct param {
	const char *name;
	ptype type;
	int nullable;
	size_t off;       /* offset of the value in gnbv_standard */
	size_t has_off;   /* offset of the bool "known" flag, for nullable ones */
	int pair;         /* nullable parameters come in rural/urban pairs */
} param;

#define OFF(f) offsetof(gnbv_standard, f)
static const param PARAMS[] = {
	{"income_line_rural", P_MONEY, 0, OFF(income_line_rural), 0, 0},
	{"income_line_urban", P_MONEY, 0, OFF(income_line_urban), 0, 0},
	{"average_band_max_rural", P_MONEY, 1, OFF(band_max_rural), OFF(has_band), 1},
	{"average_band_max_urban", P_MONEY, 1, OFF(band_max_urban), OFF(has_band), 1},
	{"score_line_rural", P_NUMBER, 1, OFF(score_line_rural), OFF(has_score_line), 2},
	{"score_line_urban", P_NUMBER, 1, OFF(score_line_urban), OFF(has_score_line), 2},
	{"poor_min_deficits", P_INT, 0, OFF(poor_min_deficits), 0, 0},
	{"low_income_worker_line_rural", P_MONEY, 1, OFF(worker_line_rural), OFF(has_worker_line), 3},
	{"low_income_worker_line_urban", P_MONEY, 1, OFF(worker_line_urban), OFF(has_worker_line), 3},
	{"working_age_min", P_INT, 0, OFF(working_age_min), 0, 0},
	{"working_age_max_male", P_INT, 0, OFF(working_age_max_male), 0, 0},
	{"working_age_max_female", P_INT, 0, OFF(working_age_max_female), 0, 0},
	{"dependant_child_under", P_INT, 0, OFF(dependant_child_under), 0, 0},
	{"dependant_elderly_from", P_INT, 0, OFF(dependant_elderly_from), 0, 0},
	{"dependant_ratio_above", P_NUMBER, 0, OFF(dependant_ratio_above), 0, 0},
	{"nutrition_child_under", P_INT, 0, OFF(nutrition_child_under), 0, 0},
	{"health_insurance_age_from", P_INT, 0, OFF(health_insurance_age_from), 0, 0},
	{"adult_education_bands", P_BANDS, 0, OFF(adult_bands), OFF(n_adult_bands), 0},
	{"child_schooling_bands", P_BANDS, 0, OFF(child_bands), OFF(n_child_bands), 0},
	{"school_level_rank", P_RANKS, 0, OFF(level_rank), 0, 0},
	{"housing_nondurable_min", P_INT, 0, OFF(housing_nondurable_min), 0, 0},
	{"housing_area_min_m2", P_NUMBER, 0, OFF(housing_area_min_m2), 0, 0},
	{"info_devices", P_DEVICES, 0, OFF(info_devices_mask), 0, 0},
};
#define NPARAMS (sizeof PARAMS / sizeof PARAMS[0])

static const char *const RULES[GNBV_RULE_COUNT] = {
	"employment", "dependants", "nutrition", "health_insurance", "adult_education",
	"child_schooling", "housing_quality", "housing_area", "water", "sanitation",
	"telecom", "info_devices", "waste"};

static const char *const LEVELS[GNBV_LEVEL_COUNT] = {
	"none", "preschool", "primary", "lower_secondary", "upper_secondary",
	"vocational", "college", "university"};

static const char *const DEVICES[] = {"tv", "radio", "computer", "phone", "smartphone"};

static int level_of(const char *s)
{
	for (int i = 0; i < GNBV_LEVEL_COUNT; i++)
		if (strcmp(s, LEVELS[i]) == 0) return i;
	return -1;
}

static int bad(const char *origin, const char *what, const char *detail)
{
	return gnbv_error_set(GNBV_EINVALID, "%s: %s: %s", origin, what, detail);
}

static int copy_text(char *dst, size_t cap, json_t *obj, const char *key, const char *origin,
		     const char *what)
{
	const char *v = json_string_value(json_object_get(obj, key));
	if (!v) return bad(origin, what, "missing text");
	if (strlen(v) >= cap) return bad(origin, what, "text too long");
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* A standard's validity date: a day that exists (gnbv/date.h). */
static int parse_date(const char *s, int32_t *out)
{
	return gnbv_date_parse(s, s ? strlen(s) : 0, 1, 9999, out) == GNBV_DATE_OK ? 0 : -1;
}

static int load_param(gnbv_standard *s, const param *p, json_t *entry, const char *origin,
		      int *seen_null)
{
	char *base = (char *)s;
	if (!json_is_object(entry)) return bad(origin, p->name, "must be an object with value, source, confidence");
	const char *conf = json_string_value(json_object_get(entry, "confidence"));
	if (!conf || (strcmp(conf, "V") && strcmp(conf, "S") && strcmp(conf, "H")))
		return bad(origin, p->name, "confidence must be \"V\", \"S\" or \"H\"");
	if (!json_string_value(json_object_get(entry, "source")))
		return bad(origin, p->name, "missing source");
	json_t *v = json_object_get(entry, "value");
	if (!v) return bad(origin, p->name, "missing value (write null when the law is not known)");
	if (json_is_null(v)) {
		if (!p->nullable) return bad(origin, p->name, "may not be null: the engine cannot work without it");
		*seen_null = 1;
		return 0;
	}
	switch (p->type) {
	case P_MONEY:
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return bad(origin, p->name, "must be a whole, non-negative number of VND");
		*(int64_t *)(base + p->off) = json_integer_value(v);
		break;
	case P_NUMBER:
		if (!json_is_number(v) || json_number_value(v) < 0)
			return bad(origin, p->name, "must be a non-negative number");
		*(double *)(base + p->off) = json_number_value(v);
		break;
	case P_INT:
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 200)
			return bad(origin, p->name, "must be a whole number from 0 to 200");
		*(int *)(base + p->off) = (int)json_integer_value(v);
		break;
	case P_BANDS: {
		gnbv_age_band *bands = (gnbv_age_band *)(base + p->off);
		if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > GNBV_MAX_BANDS)
			return bad(origin, p->name, "must be a list of 1 to 8 bands");
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *b = json_array_get(v, i);
			json_t *f = json_object_get(b, "age_from"), *t = json_object_get(b, "age_to");
			const char *lv = json_string_value(json_object_get(b, "min_level"));
			if (!json_is_integer(f) || !json_is_integer(t) || !lv || level_of(lv) < 0 ||
			    json_integer_value(f) > json_integer_value(t))
				return bad(origin, p->name, "each band needs age_from <= age_to and a known min_level");
			bands[i].age_from = (int)json_integer_value(f);
			bands[i].age_to = (int)json_integer_value(t);
			bands[i].min_level = (gnbv_level)level_of(lv);
		}
		*(int *)(base + p->has_off) = (int)json_array_size(v);
		return 0;
	}
	case P_RANKS: {
		int *rank = (int *)(base + p->off);
		if (!json_is_object(v) || json_object_size(v) != GNBV_LEVEL_COUNT)
			return bad(origin, p->name, "must give a rank for each of the 8 school levels");
		for (int i = 0; i < GNBV_LEVEL_COUNT; i++) {
			json_t *r = json_object_get(v, LEVELS[i]);
			if (!json_is_integer(r)) return bad(origin, p->name, "a school level has no integer rank");
			rank[i] = (int)json_integer_value(r);
		}
		break;
	}
	case P_DEVICES: {
		unsigned mask = 0;
		if (!json_is_array(v)) return bad(origin, p->name, "must be a list of device names");
		for (size_t i = 0; i < json_array_size(v); i++) {
			const char *d = json_string_value(json_array_get(v, i));
			size_t k = 0;
			while (k < sizeof DEVICES / sizeof DEVICES[0] && (!d || strcmp(d, DEVICES[k]))) k++;
			if (k == sizeof DEVICES / sizeof DEVICES[0])
				return bad(origin, p->name, "unknown device (tv, radio, computer, phone, smartphone)");
			mask |= 1u << k;
		}
		*(unsigned *)(base + p->off) = mask;
		break;
	}
	}
	if (p->nullable) *(bool *)(base + p->has_off) = true;
	return 0;
}

int gnbv_standard_parse(gnbv_standard *s, const char *text, size_t len, const char *origin)
{
	int rc = 0;
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	memset(s, 0, sizeof *s);
	if (!root) {
		return gnbv_error_set(GNBV_EINVALID, "%s:%d:%d: not valid JSON: %s", origin,
				      jerr.line, jerr.column, jerr.text);
	}
	const char *fmt = json_string_value(json_object_get(root, "format"));
	if (!fmt || strcmp(fmt, "gnbv-standard/1")) {
		rc = bad(origin, "format", "expected \"gnbv-standard/1\"");
		goto done;
	}
	if ((rc = copy_text(s->name, sizeof s->name, root, "name", origin, "name"))) goto done;
	json_t *t = json_object_get(root, "title"), *b = json_object_get(root, "basis");
	if ((rc = copy_text(s->title_vi, sizeof s->title_vi, t, "vi", origin, "title.vi")) ||
	    (rc = copy_text(s->title_en, sizeof s->title_en, t, "en", origin, "title.en")) ||
	    (rc = copy_text(s->basis_vi, sizeof s->basis_vi, b, "vi", origin, "basis.vi")) ||
	    (rc = copy_text(s->basis_en, sizeof s->basis_en, b, "en", origin, "basis.en")))
		goto done;
	json_t *ap = json_object_get(root, "applies");
	if (parse_date(json_string_value(json_object_get(ap, "from")), &s->valid_from) ||
	    parse_date(json_string_value(json_object_get(ap, "to")), &s->valid_to) ||
	    s->valid_from > s->valid_to) {
		rc = bad(origin, "applies", "needs from and to as YYYY-MM-DD, from <= to");
		goto done;
	}

	json_t *params = json_object_get(root, "parameters");
	if (!json_is_object(params)) {
		rc = bad(origin, "parameters", "missing");
		goto done;
	}
	const char *key;
	json_t *val;
	json_object_foreach(params, key, val) {
		size_t i = 0;
		while (i < NPARAMS && strcmp(PARAMS[i].name, key)) i++;
		if (i == NPARAMS) {
			rc = bad(origin, key, "unknown parameter (misspelt?)");
			goto done;
		}
	}
	int nulls[4] = {0}, given[4] = {0};
	for (size_t i = 0; i < NPARAMS; i++) {
		json_t *e = json_object_get(params, PARAMS[i].name);
		if (!e) {
			rc = bad(origin, PARAMS[i].name, "missing parameter (give it, with value null if unknown)");
			goto done;
		}
		int was_null = 0;
		if ((rc = load_param(s, &PARAMS[i], e, origin, &was_null))) goto done;
		nulls[PARAMS[i].pair] += was_null;
		given[PARAMS[i].pair] += !was_null;
	}
	for (int p = 1; p < 4; p++)
		if (nulls[p] && given[p]) {
			rc = bad(origin, "parameters", "a rural/urban pair must be both known or both null");
			goto done;
		}

	json_t *inds = json_object_get(root, "indicators");
	if (!json_is_array(inds) || json_array_size(inds) == 0 ||
	    json_array_size(inds) > GNBV_MAX_INDICATORS) {
		rc = bad(origin, "indicators", "must be a list of 1 to 16 indicators");
		goto done;
	}
	s->n_indicators = (int)json_array_size(inds);
	for (int i = 0; i < s->n_indicators; i++) {
		json_t *e = json_array_get(inds, (size_t)i);
		gnbv_indicator_def *d = &s->indicators[i];
		const char *rule = json_string_value(json_object_get(e, "rule"));
		int r = 0;
		while (r < GNBV_RULE_COUNT && (!rule || strcmp(rule, RULES[r]))) r++;
		if (r == GNBV_RULE_COUNT) {
			rc = bad(origin, "indicators", "unknown rule (see docs/standards.md for the list)");
			goto done;
		}
		d->rule = (gnbv_rule)r;
		json_t *nm = json_object_get(e, "name"), *dm = json_object_get(e, "dimension");
		if ((rc = copy_text(d->code, sizeof d->code, e, "code", origin, "indicators.code")) ||
		    (rc = copy_text(d->name_vi, sizeof d->name_vi, nm, "vi", origin, "indicators.name.vi")) ||
		    (rc = copy_text(d->name_en, sizeof d->name_en, nm, "en", origin, "indicators.name.en")) ||
		    (rc = copy_text(d->dimension_vi, sizeof d->dimension_vi, dm, "vi", origin, "indicators.dimension.vi")) ||
		    (rc = copy_text(d->dimension_en, sizeof d->dimension_en, dm, "en", origin, "indicators.dimension.en")))
			goto done;
		for (int j = 0; j < i; j++)
			if (s->indicators[j].rule == d->rule || !strcmp(s->indicators[j].code, d->code)) {
				rc = bad(origin, d->code, "indicator or rule listed twice");
				goto done;
			}
		const char *conf = json_string_value(json_object_get(e, "confidence"));
		if (!json_string_value(json_object_get(e, "source")) || !conf ||
		    (strcmp(conf, "V") && strcmp(conf, "S") && strcmp(conf, "H"))) {
			rc = bad(origin, d->code, "each indicator needs a source and a confidence V, S or H");
			goto done;
		}
	}
done:
	json_decref(root);
	return rc;
}

const gnbv_embedded_file *gnbv_embedded_find(const char *name)
{
	for (const gnbv_embedded_file *f = gnbv_embedded; f->name; f++)
		if (strcmp(f->name, name) == 0) return f;
	return NULL;
}

/* The built-in standards are the embedded files under standards/: adding a
 * file to data/standards/ and rebuilding adds a standard, with no code. */
static const gnbv_embedded_file *builtin(size_t i)
{
	for (const gnbv_embedded_file *f = gnbv_embedded; f->name; f++)
		if (strncmp(f->name, "standards/", 10) == 0 && i-- == 0) return f;
	return NULL;
}

size_t gnbv_standard_builtin_count(void)
{
	size_t n = 0;
	while (builtin(n)) n++;
	return n;
}

const char *gnbv_standard_builtin_name(size_t i)
{
	static _Thread_local char name[64];
	const gnbv_embedded_file *f = builtin(i);
	if (!f) return NULL;
	const char *base = f->name + 10;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0) n -= 5;
	if (n >= sizeof name) n = sizeof name - 1;
	memcpy(name, base, n);
	name[n] = '\0';
	return name;
}

static int load_path(gnbv_standard *out, const char *path)
{
	enum { CAP = 1 << 20 }; /* a standard is a few KB; 1 MiB is a generous cap */
	int rc = 0;
	char *buf = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) return gnbv_error_set(GNBV_ENOTFOUND, "%s: cannot open standard file", path);
	buf = malloc(CAP);
	if (!buf) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	size_t n = fread(buf, 1, CAP, f);
	if (n == CAP) {
		rc = gnbv_error_set(GNBV_ETOOBIG, "%s: standard file larger than 1 MiB", path);
		goto done;
	}
	rc = gnbv_standard_parse(out, buf, n, path);
done:
	free(buf);
	fclose(f);
	return rc;
}

int gnbv_standard_load(gnbv_standard *out, const char *name)
{
	size_t n = strlen(name);
	if (strchr(name, '/') || (n > 5 && strcmp(name + n - 5, ".json") == 0))
		return load_path(out, name);
	char key[96];
	snprintf(key, sizeof key, "standards/%s.json", name);
	const gnbv_embedded_file *f = gnbv_embedded_find(key);
	if (!f)
		return gnbv_error_set(GNBV_ENOTFOUND,
				      "unknown standard '%s' (built in: vn-2022-2026, vn-2027-2030; or give a path to a .json file)",
				      name);
	return gnbv_standard_parse(out, (const char *)f->data, f->len, key);
}

/* The built-in standard in force on `date`: 0, GNBV_ENOTFOUND without a
 * message when none is, or a loader error with its message. */
static int find_for_date(gnbv_standard *out, int32_t date)
{
	for (size_t i = 0; i < gnbv_standard_builtin_count(); i++) {
		int rc = gnbv_standard_load(out, gnbv_standard_builtin_name(i));
		if (rc) return rc == GNBV_ENOTFOUND ? GNBV_EINVALID : rc;
		if (date >= out->valid_from && date <= out->valid_to) return 0;
	}
	return GNBV_ENOTFOUND;
}

int gnbv_standard_for_date(gnbv_standard *out, int32_t date)
{
	int rc = find_for_date(out, date);
	if (rc != GNBV_ENOTFOUND) return rc;
	/* A periodic review held in year Y decides the lists of Y+1 and is
	 * assessed under the standard of Y+1 (domain.md 1.7): say which one
	 * that is, since a review date in late Y is the usual --as-of. */
	int year = date / 10000;
	gnbv_standard next;
	if (find_for_date(&next, (year + 1) * 10000 + 101) == 0)
		return gnbv_error_set(GNBV_ENOTFOUND,
				      "no built-in standard is in force on %04d-%02d-%02d; a review round of %d decides the lists of %d and is assessed under %s: add --standard %s",
				      year, date / 100 % 100, date % 100, year, year + 1, next.name, next.name);
	return gnbv_error_set(GNBV_ENOTFOUND,
			      "no built-in standard is in force on %04d-%02d-%02d (vn-2022-2026 covers 2022-2026, vn-2027-2030 covers 2027-2030); name one with --standard",
			      year, date / 100 % 100, date % 100);
}
