/*
 * assess.c - the multidimensional poverty assessment (domain.md §1.3-1.6).
 *
 * One function per rule turns a household's members and housing into a
 * tri-state deficit: certainly deficient, certainly not, or unknown. The
 * unknown-input rules of exchange-format.md are carried by three-valued
 * logic: a member condition built from AND/OR over tri-states is NO as soon
 * as one conjunct is certainly false (a 40-year-old with an empty `stunted`
 * cell is certainly not a malnourished child), and a "some member" rule is
 * YES as soon as one member certainly is. Counting rules (dependants, 2 of 3
 * structures) are decided when the certain count already settles them, or
 * when even the worst case cannot.
 *
 * Every threshold comes from the gnbv_standard; this file holds none.
 */
#include "gnbv/assess.h"

#include <string.h>

static gnbv_tri tri_and(gnbv_tri a, gnbv_tri b)
{
	if (a == GNBV_NO || b == GNBV_NO) return GNBV_NO;
	if (a == GNBV_YES && b == GNBV_YES) return GNBV_YES;
	return GNBV_UNKNOWN;
}

static gnbv_tri tri_or(gnbv_tri a, gnbv_tri b)
{
	if (a == GNBV_YES || b == GNBV_YES) return GNBV_YES;
	if (a == GNBV_NO && b == GNBV_NO) return GNBV_NO;
	return GNBV_UNKNOWN;
}

static gnbv_tri tri_of(bool b) { return b ? GNBV_YES : GNBV_NO; }

/* "value == 0" for a boolean input: the deficit side of most columns. */
static gnbv_tri is_zero(gnbv_tri v) { return v == GNBV_UNKNOWN ? v : tri_of(v == GNBV_NO); }

const char *gnbv_class_name(gnbv_class c)
{
	static const char *const names[GNBV_CLASS_COUNT] = {
		"poor", "near_poor", "average", "not_poor", "incomplete"};
	return (unsigned)c < GNBV_CLASS_COUNT ? names[c] : "?";
}

int gnbv_age(int32_t birth, int32_t on)
{
	if (birth <= 0 || birth > on) return -1;
	int age = on / 10000 - birth / 10000;
	if (on % 10000 < birth % 10000) age--;
	return age;
}

/* lo <= age <= hi, with an unknown age unknown. */
static gnbv_tri age_in(int age, int lo, int hi)
{
	if (age < 0) return GNBV_UNKNOWN;
	return tri_of(age >= lo && age <= hi);
}

/* Working age (domain.md §1.6, [H]): inclusive bounds by sex. With the sex
 * unknown, decided only when both answers agree. */
static gnbv_tri working_age(const gnbv_standard *s, const gnbv_member *m, int age)
{
	int hi_m = s->working_age_max_male, hi_f = s->working_age_max_female;
	if (m->sex == GNBV_SEX_MALE) return age_in(age, s->working_age_min, hi_m);
	if (m->sex == GNBV_SEX_FEMALE) return age_in(age, s->working_age_min, hi_f);
	gnbv_tri a = age_in(age, s->working_age_min, hi_m);
	gnbv_tri b = age_in(age, s->working_age_min, hi_f);
	return a == b ? a : GNBV_UNKNOWN;
}

static gnbv_tri dependant(const gnbv_standard *s, const gnbv_member *m, int age)
{
	gnbv_tri by_age = age < 0 ? GNBV_UNKNOWN
				  : tri_of(age < s->dependant_child_under ||
					   age >= s->dependant_elderly_from);
	return tri_or(by_age, is_zero(m->able_to_work));
}

/* The band's required level for an age, as a rank; -1 when the age is in no
 * band. */
static int band_rank(const gnbv_standard *s, const gnbv_age_band *b, int n, int age)
{
	for (int i = 0; i < n; i++)
		if (age >= b[i].age_from && age <= b[i].age_to)
			return s->level_rank[b[i].min_level];
	return -1;
}

/* Is the member's level below what the bands require at this age? With the
 * age unknown, decided when the level settles it for every band. The caller
 * ANDs this with "age in the bands", so an age outside them never matters. */
static gnbv_tri below_level(const gnbv_standard *s, const gnbv_age_band *b, int n,
			    int age, signed char level)
{
	if (level < 0) return GNBV_UNKNOWN;
	int rank = s->level_rank[level];
	if (age >= 0) {
		int need = band_rank(s, b, n, age);
		return tri_of(need >= 0 && rank < need);
	}
	int lo = 1 << 30, hi = -1;
	for (int i = 0; i < n; i++) {
		int r = s->level_rank[b[i].min_level];
		if (r < lo) lo = r;
		if (r > hi) hi = r;
	}
	if (rank < lo) return GNBV_YES;
	if (rank >= hi) return GNBV_NO;
	return GNBV_UNKNOWN;
}

static gnbv_tri in_bands(const gnbv_age_band *b, int n, int age)
{
	if (age < 0) return GNBV_UNKNOWN;
	for (int i = 0; i < n; i++)
		if (age >= b[i].age_from && age <= b[i].age_to) return GNBV_YES;
	return GNBV_NO;
}

/* One member's share of a "some member" rule. */
static gnbv_tri member_deficit(const gnbv_standard *s, gnbv_rule r, const gnbv_member *m,
			       int age)
{
	switch (r) {
	case GNBV_RULE_EMPLOYMENT: {
		gnbv_tri w = m->work == GNBV_WORK_UNKNOWN
				     ? GNBV_UNKNOWN
				     : tri_of(m->work == GNBV_WORK_UNEMPLOYED ||
					      m->work == GNBV_WORK_NO_CONTRACT);
		return tri_and(tri_and(working_age(s, m, age), m->able_to_work), w);
	}
	case GNBV_RULE_NUTRITION: {
		gnbv_tri child = age < 0 ? GNBV_UNKNOWN : tri_of(age < s->nutrition_child_under);
		return tri_and(child, tri_or(m->stunted, m->underweight));
	}
	case GNBV_RULE_HEALTH_INSURANCE: {
		gnbv_tri old = age < 0 ? GNBV_UNKNOWN : tri_of(age >= s->health_insurance_age_from);
		return tri_and(old, is_zero(m->health_insurance));
	}
	case GNBV_RULE_ADULT_EDUCATION:
		return tri_and(tri_and(in_bands(s->adult_bands, s->n_adult_bands, age),
				       is_zero(m->in_school)),
			       below_level(s, s->adult_bands, s->n_adult_bands, age, m->level));
	case GNBV_RULE_CHILD_SCHOOLING:
		/* Out of school, or attending below the level for the age. */
		return tri_and(in_bands(s->child_bands, s->n_child_bands, age),
			       tri_or(is_zero(m->in_school),
				      below_level(s, s->child_bands, s->n_child_bands, age,
						  m->level)));
	default:
		return GNBV_NO;
	}
}

/* At least `need` of the tri-state conditions: decided by the certain count
 * or by the count even the unknowns cannot lift. */
static gnbv_tri at_least(int yes, int unknown, int need)
{
	if (yes >= need) return GNBV_YES;
	if (yes + unknown < need) return GNBV_NO;
	return GNBV_UNKNOWN;
}

/* Everything the member rules need, gathered in one pass over the members
 * (each member's age is looked at once, not once per rule). */
typedef struct member_agg {
	gnbv_tri some[GNBV_RULE_COUNT]; /* "some member" rules, by rule id */
	size_t dep_yes, dep_unk;        /* certain and possible dependants */
	gnbv_tri all_offline;           /* every member certainly without internet */
} member_agg;

static const gnbv_rule SOME_MEMBER_RULES[] = {GNBV_RULE_EMPLOYMENT, GNBV_RULE_NUTRITION,
					      GNBV_RULE_HEALTH_INSURANCE, GNBV_RULE_ADULT_EDUCATION,
					      GNBV_RULE_CHILD_SCHOOLING};
#define N_SOME (sizeof SOME_MEMBER_RULES / sizeof SOME_MEMBER_RULES[0])

static void member_pass(const gnbv_standard *s, const gnbv_member *m, const int *ages, size_t n,
			member_agg *g)
{
	for (size_t k = 0; k < N_SOME; k++) g->some[SOME_MEMBER_RULES[k]] = GNBV_NO;
	g->dep_yes = g->dep_unk = 0;
	g->all_offline = GNBV_YES;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < N_SOME; k++) {
			gnbv_rule r = SOME_MEMBER_RULES[k];
			if (g->some[r] != GNBV_YES)
				g->some[r] = tri_or(g->some[r], member_deficit(s, r, &m[i], ages[i]));
		}
		gnbv_tri d = dependant(s, &m[i], ages[i]);
		g->dep_yes += d == GNBV_YES;
		g->dep_unk += d == GNBV_UNKNOWN;
		g->all_offline = tri_and(g->all_offline, is_zero(m[i].uses_internet));
	}
}

static gnbv_tri rule_eval(const gnbv_standard *s, gnbv_rule r, const gnbv_household *h,
			  const member_agg *g, size_t n)
{
	switch (r) {
	case GNBV_RULE_EMPLOYMENT:
	case GNBV_RULE_NUTRITION:
	case GNBV_RULE_HEALTH_INSURANCE:
	case GNBV_RULE_ADULT_EDUCATION:
	case GNBV_RULE_CHILD_SCHOOLING:
		return g->some[r];
	case GNBV_RULE_DEPENDANTS: {
		if (n == 0) return GNBV_UNKNOWN;
		/* "more than half": ratio > r, compared without division. */
		double lim = s->dependant_ratio_above * (double)n;
		if ((double)g->dep_yes > lim) return GNBV_YES;
		if ((double)(g->dep_yes + g->dep_unk) <= lim) return GNBV_NO;
		return GNBV_UNKNOWN;
	}
	case GNBV_RULE_HOUSING_QUALITY: {
		gnbv_tri parts[3] = {h->floor_durable, h->walls_durable, h->roof_durable};
		int yes = 0, unk = 0;
		for (int i = 0; i < 3; i++) {
			yes += parts[i] == GNBV_NO;
			unk += parts[i] == GNBV_UNKNOWN;
		}
		return at_least(yes, unk, s->housing_nondurable_min);
	}
	case GNBV_RULE_HOUSING_AREA:
		if (!h->has_living_area || n == 0) return GNBV_UNKNOWN;
		/* area / members < min, without the division's rounding. */
		return tri_of(h->living_area_m2 < s->housing_area_min_m2 * (double)n);
	case GNBV_RULE_WATER: return is_zero(h->water_safe);
	case GNBV_RULE_SANITATION: return is_zero(h->toilet_hygienic);
	case GNBV_RULE_WASTE: return is_zero(h->waste_treated);
	case GNBV_RULE_TELECOM:
		/* "No member uses the internet": deficient only when every member
		 * certainly does not. */
		return n == 0 ? GNBV_UNKNOWN : g->all_offline;
	case GNBV_RULE_INFO_DEVICES:
		/* An empty `devices` cell means no device (exchange-format.md). */
		return tri_of((h->devices & s->info_devices_mask) == 0);
	default:
		return GNBV_UNKNOWN;
	}
}

void gnbv_assess(const gnbv_standard *s, int32_t ref_date, const gnbv_household *h,
		 const gnbv_member *m, size_t n, gnbv_assessment *out,
		 unsigned char *workers)
{
	enum { AGE_STACK = 256 };
	int ages_buf[AGE_STACK];
	size_t na = n < AGE_STACK ? n : AGE_STACK; /* callers cap households below this */

	memset(out, 0, sizeof *out);
	out->area = h->area;
	for (size_t i = 0; i < na; i++) ages_buf[i] = gnbv_age(m[i].birth, ref_date);
	member_agg agg;
	member_pass(s, m, ages_buf, na, &agg);

	for (int i = 0; i < s->n_indicators; i++) {
		gnbv_rule r = s->indicators[i].rule;
		gnbv_tri v;
		if (h->recorded[r] != GNBV_UNKNOWN) {
			v = h->recorded[r];
			out->ind_recorded[i] = true;
		} else {
			v = rule_eval(s, r, h, &agg, na);
		}
		out->ind[i] = v;
		out->deficits += v == GNBV_YES;
		out->unknowns += v == GNBV_UNKNOWN;
	}

	/* Income position (domain.md §1.3-1.4): the form's score decides when it
	 * is given and the standard has a score line; the amount otherwise. */
	bool urban = h->area == GNBV_AREA_URBAN;
	if (h->has_score && s->has_score_line) {
		out->basis = GNBV_BASIS_SCORE;
		double line = urban ? s->score_line_urban : s->score_line_rural;
		out->below_line = tri_of(h->income_score <= line);
	} else if (h->has_income) {
		out->basis = GNBV_BASIS_AMOUNT;
		int64_t line = urban ? s->income_line_urban : s->income_line_rural;
		out->below_line = tri_of(h->income_month <= line);
	} else {
		out->basis = GNBV_BASIS_NONE;
		out->below_line = GNBV_UNKNOWN;
	}
	if (h->has_income && s->has_band) {
		int64_t line = urban ? s->income_line_urban : s->income_line_rural;
		int64_t top = urban ? s->band_max_urban : s->band_max_rural;
		out->in_band = h->income_month > line && h->income_month <= top;
	}

	if (out->below_line == GNBV_UNKNOWN) {
		out->klass = GNBV_CLASS_INCOMPLETE;
	} else if (out->below_line == GNBV_YES) {
		gnbv_tri poor = at_least(out->deficits, out->unknowns, s->poor_min_deficits);
		out->klass = poor == GNBV_YES  ? GNBV_CLASS_POOR
			     : poor == GNBV_NO ? GNBV_CLASS_NEAR_POOR
					       : GNBV_CLASS_INCOMPLETE;
	} else {
		/* Above the line: never poor or near-poor, whatever the deficits. */
		out->klass = out->in_band ? GNBV_CLASS_AVERAGE : GNBV_CLASS_NOT_POOR;
	}

	/* Low-income workers (Decree 30/2025): working-age members able to work
	 * in a household that is certainly neither poor nor near-poor, with a
	 * per-capita amount at or below the worker line. */
	if (workers) memset(workers, 0, n);
	if (workers && s->has_worker_line && h->has_income &&
	    (out->klass == GNBV_CLASS_AVERAGE || out->klass == GNBV_CLASS_NOT_POOR)) {
		int64_t wl = urban ? s->worker_line_urban : s->worker_line_rural;
		if (h->income_month <= wl) {
			for (size_t i = 0; i < na; i++) {
				gnbv_tri w = tri_and(working_age(s, &m[i], ages_buf[i]),
						     m[i].able_to_work);
				workers[i] = w == GNBV_YES;
				out->n_workers += w == GNBV_YES;
			}
		}
	}
}
