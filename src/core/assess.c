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

/* Every rule's household-level value at once, in straight-line code, for
 * the indicators to pick from. A switch on each indicator's rule was an
 * indirect jump per indicator, with branches that went the household's
 * way: in the classify loop it was the costliest part of finishing a
 * household. "More than half" dependants and "area per member below the
 * minimum" are compared without division, so nothing is rounded. An
 * empty `devices` cell means no device (exchange-format.md); telecom is
 * deficient only when every member certainly does not use the internet. */
static void rule_values(const gnbv_standard *s, const gnbv_household *h, const member_agg *g, size_t n,
			gnbv_tri v[GNBV_RULE_COUNT])
{
	static const gnbv_rule some[] = {GNBV_RULE_EMPLOYMENT, GNBV_RULE_NUTRITION, GNBV_RULE_HEALTH_INSURANCE,
					 GNBV_RULE_ADULT_EDUCATION, GNBV_RULE_CHILD_SCHOOLING};
	for (size_t k = 0; k < sizeof some / sizeof some[0]; k++) v[some[k]] = g->some[some[k]];
	double lim = s->dependant_ratio_above * (double)n;
	gnbv_tri dep = (double)g->dep_yes > lim			  ? GNBV_YES
		       : (double)(g->dep_yes + g->dep_unk) <= lim ? GNBV_NO
								   : GNBV_UNKNOWN;
	v[GNBV_RULE_DEPENDANTS] = n == 0 ? GNBV_UNKNOWN : dep;
	int yes = (h->floor_durable == GNBV_NO) + (h->walls_durable == GNBV_NO) + (h->roof_durable == GNBV_NO);
	int unk = (h->floor_durable == GNBV_UNKNOWN) + (h->walls_durable == GNBV_UNKNOWN) +
		  (h->roof_durable == GNBV_UNKNOWN);
	v[GNBV_RULE_HOUSING_QUALITY] = at_least(yes, unk, s->housing_nondurable_min);
	gnbv_tri small = tri_of(h->living_area_m2 < s->housing_area_min_m2 * (double)n);
	v[GNBV_RULE_HOUSING_AREA] = !h->has_living_area || n == 0 ? GNBV_UNKNOWN : small;
	v[GNBV_RULE_WATER] = is_zero(h->water_safe);
	v[GNBV_RULE_SANITATION] = is_zero(h->toilet_hygienic);
	v[GNBV_RULE_WASTE] = is_zero(h->waste_treated);
	v[GNBV_RULE_TELECOM] = n == 0 ? GNBV_UNKNOWN : g->all_offline;
	v[GNBV_RULE_INFO_DEVICES] = tri_of((h->devices & s->info_devices_mask) == 0);
}

/* Everything after the member pass: indicators, income position, class,
 * workers. Shared by both entry points. */
/* No deficit_ tick on the household (the common file has no such column):
 * the AND of the ticks' bytes is UNKNOWN's 0xFF only when every one is. */
static bool none_recorded(const gnbv_household *h)
{
	unsigned all = 0xFF;
	_Pragma("GCC unroll 16") for (int r = 0; r < GNBV_RULE_COUNT; r++) all &= (unsigned char)h->recorded[r];
	return all == 0xFF;
}

/* The count of YES and of UNKNOWN among 16 value bytes held in two words
 * (NO 0x00, YES 0x01, UNKNOWN 0xFF): bit 0 and not bit 7, and bit 7, gathered one
 * per byte and summed by a multiply (the bytes are 0 or 1: the top byte of
 * the product is their sum). No branch, no popcount instruction needed. */
static void count_words(uint64_t w0, uint64_t w1, int *yes, int *unk)
{
	_Static_assert(GNBV_MAX_INDICATORS == 16, "two words of values");
	_Static_assert(GNBV_NO == 0 && GNBV_YES == 1 && GNBV_UNKNOWN == -1, "tri-state bytes");
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t y0 = w0 & ~(w0 >> 7) & ones, y1 = w1 & ~(w1 >> 7) & ones;
	uint64_t u0 = (w0 >> 7) & ones, u1 = (w1 >> 7) & ones;
	*yes = (int)((y0 * ones) >> 56) + (int)((y1 * ones) >> 56);
	*unk = (int)((u0 * ones) >> 56) + (int)((u1 * ones) >> 56);
}

/* `rule_of`: each indicator's rule (the prepared context's), or NULL to
 * read them from the standard. */
static void finish(const gnbv_standard *s, const unsigned char *rule_of, const gnbv_household *h,
		   const gnbv_member *m, const int *ages_buf, int32_t ref_date, size_t na, size_t n,
		   const member_agg *agg, gnbv_assessment *out, unsigned char *workers)
{
	memset(out, 0, sizeof *out);
	out->area = h->area;
	gnbv_tri vals[GNBV_RULE_COUNT + 1]; /* the last: NO, for rule_of past the indicators */
	rule_values(s, h, agg, na, vals);
	vals[GNBV_RULE_COUNT] = GNBV_NO;
	if (rule_of && none_recorded(h)) {
		/* each indicator its rule's value, all 16 slots without a loop
		 * test, gathered into two words in registers and stored and
		 * counted as words: stored byte by byte and read back as words,
		 * they stalled on store forwarding */
		uint64_t w[2] = {0, 0};
		_Pragma("GCC unroll 16") for (int i = 0; i < GNBV_MAX_INDICATORS; i++)
			w[i / 8] |= (uint64_t)(unsigned char)vals[rule_of[i]] << (8 * (i % 8));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		memcpy(out->ind, w, sizeof w); /* byte i at bits 8i: memory order */
#else
		for (int i = 0; i < GNBV_MAX_INDICATORS; i++)
			out->ind[i] = (gnbv_tri)(signed char)(unsigned char)(w[i / 8] >> (8 * (i % 8)));
#endif
		count_words(w[0], w[1], &out->deficits, &out->unknowns);
	} else {
		for (int i = 0; i < s->n_indicators; i++) {
			gnbv_rule r = s->indicators[i].rule;
			bool ticked = h->recorded[r] != GNBV_UNKNOWN; /* a deficit_ column decides */
			gnbv_tri v = ticked ? h->recorded[r] : vals[r];
			out->ind_recorded[i] = ticked;
			out->ind[i] = v;
			out->deficits += v == GNBV_YES;
			out->unknowns += v == GNBV_UNKNOWN;
		}
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
				int age = ages_buf ? ages_buf[i] : gnbv_age(m[i].birth, ref_date);
				gnbv_tri w = tri_and(working_age(s, &m[i], age), m[i].able_to_work);
				workers[i] = w == GNBV_YES;
				out->n_workers += w == GNBV_YES;
			}
		}
	}
}

enum { AGE_STACK = 256 };

void gnbv_assess(const gnbv_standard *s, int32_t ref_date, const gnbv_household *h,
		 const gnbv_member *m, size_t n, gnbv_assessment *out,
		 unsigned char *workers)
{
	int ages_buf[AGE_STACK];
	size_t na = n < AGE_STACK ? n : AGE_STACK; /* callers cap households below this */

	for (size_t i = 0; i < na; i++) ages_buf[i] = gnbv_age(m[i].birth, ref_date);
	member_agg agg;
	member_pass(s, m, ages_buf, na, &agg);
	finish(s, NULL, h, m, ages_buf, ref_date, na, n, &agg, out, workers);
}

/* The prepared path. A tri-state is two bits here: bit 0 "certainly yes",
 * bit 1 "possibly yes" (NO 0, UNKNOWN 2, YES 3: a value as an interval of
 * {0, 1}), so that the three-valued AND is a bitwise AND and OR a bitwise OR.
 * The member rules all have the shape X AND (Y OR Z) AND Q, so each takes
 * two bits (a lane) of one word, and one member costs a few table lookups
 * and three operations for all rules at once:
 *
 *   lane          X               Y                Z               Q
 *   employment    working age     able to work     NO              work is deficient
 *   nutrition     child's age     stunted          underweight     YES
 *   insurance     insurance age   not insured      NO              YES
 *   adult educ.   adult band      not in school    NO              below band level
 *   child school. child band      not in school    below level     YES
 *   dependant     YES             dependant's age  not able        YES
 *   offline       YES             no internet      NO              YES
 *
 * The age and level parts come from tables built once per standard and date
 * by the functions above; the member's fields from tables by value. The two
 * paths agree by construction, and tests/unit/test_assess.c checks them
 * against each other on random households. */
enum { L_EMP = 0, L_NUT = 2, L_HI = 4, L_ADULT = 6, L_CHILD = 8, L_DEP = 10, L_OFF = 12 };
#define K_NO 0u
#define K_UNK 2u
#define K_YES 3u
#define ALL_YES 0x3FFFu /* every lane YES */

static unsigned enc(gnbv_tri v) { return v == GNBV_YES ? K_YES : v == GNBV_NO ? K_NO : K_UNK; }
static unsigned enc_not(gnbv_tri v) { return enc(is_zero(v)); }
static gnbv_tri dec(unsigned k) { return k == K_YES ? GNBV_YES : k == K_NO ? GNBV_NO : GNBV_UNKNOWN; }
/* The word with `k` in lane `l` and YES in every other. */
static unsigned only(unsigned l, unsigned k) { return (ALL_YES & ~(3u << l)) | (k << l); }

/* The age rows of the tables at one age (-1: unknown). */
static void age_rows(const gnbv_standard *s, int age, uint16_t x[3], uint16_t q[GNBV_LEVEL_COUNT + 1],
		     uint32_t yz[GNBV_LEVEL_COUNT + 1])
{
	static const signed char SEXES[3] = {GNBV_SEX_UNKNOWN, GNBV_SEX_MALE, GNBV_SEX_FEMALE};
	gnbv_tri child = age < 0 ? GNBV_UNKNOWN : tri_of(age < s->nutrition_child_under);
	gnbv_tri old = age < 0 ? GNBV_UNKNOWN : tri_of(age >= s->health_insurance_age_from);
	gnbv_tri dep = age < 0 ? GNBV_UNKNOWN
			       : tri_of(age < s->dependant_child_under || age >= s->dependant_elderly_from);
	unsigned rest = enc(child) << L_NUT | enc(old) << L_HI |
			enc(in_bands(s->adult_bands, s->n_adult_bands, age)) << L_ADULT |
			enc(in_bands(s->child_bands, s->n_child_bands, age)) << L_CHILD | K_YES << L_DEP |
			K_YES << L_OFF;
	for (int k = 0; k < 3; k++) {
		gnbv_member m;
		memset(&m, 0, sizeof m);
		m.sex = SEXES[k];
		x[k] = (uint16_t)(rest | enc(working_age(s, &m, age)) << L_EMP);
	}
	for (int l = -1; l < GNBV_LEVEL_COUNT; l++) {
		signed char lv = (signed char)l;
		q[l + 1] = (uint16_t)only(L_ADULT, enc(below_level(s, s->adult_bands, s->n_adult_bands, age, lv)));
		yz[l + 1] = enc(dep) << L_DEP |
			    enc(below_level(s, s->child_bands, s->n_child_bands, age, lv)) << (16 + L_CHILD);
	}
}

void gnbv_assess_prepare(gnbv_assess_ctx *x, const gnbv_standard *s, int32_t ref_date)
{
	x->s = s;
	x->ref_date = ref_date;
	for (int i = 0; i < GNBV_MAX_INDICATORS; i++)
		x->rule_of[i] = (unsigned char)(i < s->n_indicators ? s->indicators[i].rule : GNBV_RULE_COUNT);
	for (int a = 0; a <= GNBV_AGE_TABLE; a++)
		age_rows(s, a < GNBV_AGE_TABLE ? a : -1, x->x[a], x->q[a], x->yz[a]);
	/* The member's fields, by any byte value (what enc() makes of it). */
	for (int v = 0; v < 256; v++) {
		gnbv_tri t = (gnbv_tri)(signed char)v;
		x->f_able[v] = enc(t) << L_EMP | enc_not(t) << (16 + L_DEP);
		x->f_stunted[v] = enc(t) << L_NUT;
		x->f_under[v] = enc(t) << (16 + L_NUT);
		x->f_insured[v] = enc_not(t) << L_HI;
		x->f_school[v] = enc_not(t) << L_ADULT | enc_not(t) << L_CHILD;
		x->f_internet[v] = enc_not(t) << L_OFF;
		signed char w = (signed char)v;
		x->f_work[v] = (uint16_t)only(L_EMP, w == GNBV_WORK_UNKNOWN			   ? K_UNK
						     : w == GNBV_WORK_UNEMPLOYED || w == GNBV_WORK_NO_CONTRACT ? K_YES
												       : K_NO);
		x->f_sex[v] = (unsigned char)(w == GNBV_SEX_MALE ? 1 : w == GNBV_SEX_FEMALE ? 2 : 0);
		/* a level outside the enum counts as unknown */
		x->f_level[v] = (unsigned char)(w >= 0 && w < GNBV_LEVEL_COUNT ? w + 1 : 0);
	}
}

void gnbv_assess_members(const gnbv_assess_ctx *x, const gnbv_member *m, size_t n, gnbv_member_sum *sum)
{
	const gnbv_standard *s = x->s;
	size_t na = n < AGE_STACK ? n : AGE_STACK;
	int32_t on_year = x->ref_date / 10000, on_md = x->ref_date % 10000;
	unsigned any = 0, all = ALL_YES; /* OR and AND of the members' words */
	size_t dep_yes = 0, dep_unk = 0;
	for (size_t i = 0; i < na; i++) {
		const gnbv_member *mi = &m[i];
		/* gnbv_age, with the reference date's parts worked out once */
		int age = -1;
		if (mi->birth > 0 && mi->birth <= x->ref_date) {
			age = on_year - mi->birth / 10000;
			if (on_md < mi->birth % 10000) age--;
		}
		const uint16_t *xr, *qr;
		const uint32_t *yzr;
		uint16_t tx[3], tq[GNBV_LEVEL_COUNT + 1];
		uint32_t tyz[GNBV_LEVEL_COUNT + 1];
		if ((unsigned)age < GNBV_AGE_TABLE) {
			xr = x->x[age], qr = x->q[age], yzr = x->yz[age];
		} else if (age < 0) {
			xr = x->x[GNBV_AGE_TABLE], qr = x->q[GNBV_AGE_TABLE], yzr = x->yz[GNBV_AGE_TABLE];
		} else {
			age_rows(s, age, tx, tq, tyz); /* beyond the table: built on the spot */
			xr = tx, qr = tq, yzr = tyz;
		}
		unsigned lvl = x->f_level[(unsigned char)mi->level];
		uint32_t yz = yzr[lvl] | x->f_able[(unsigned char)mi->able_to_work] |
			      x->f_stunted[(unsigned char)mi->stunted] |
			      x->f_under[(unsigned char)mi->underweight] |
			      x->f_insured[(unsigned char)mi->health_insurance] |
			      x->f_school[(unsigned char)mi->in_school] |
			      x->f_internet[(unsigned char)mi->uses_internet];
		unsigned w = xr[x->f_sex[(unsigned char)mi->sex]] & (yz | yz >> 16) & qr[lvl] &
			     x->f_work[(unsigned char)mi->work];
		any |= w;
		all &= w;
		unsigned d = (w >> L_DEP) & 3;
		dep_yes += d == K_YES;
		dep_unk += d == K_UNK;
	}
	sum->any = (uint16_t)any;
	sum->all = (uint16_t)all;
	sum->dep_yes = (uint32_t)dep_yes;
	sum->dep_unk = (uint32_t)dep_unk;
}

void gnbv_assess_summed(const gnbv_assess_ctx *x, const gnbv_household *h, const gnbv_member *m,
			size_t n, const gnbv_member_sum *sum, gnbv_assessment *out, unsigned char *workers)
{
	size_t na = n < AGE_STACK ? n : AGE_STACK;
	unsigned any = sum->any, all = sum->all;
	member_agg agg;
	for (int r = 0; r < GNBV_RULE_COUNT; r++) agg.some[r] = GNBV_NO;
	agg.some[GNBV_RULE_EMPLOYMENT] = dec((any >> L_EMP) & 3);
	agg.some[GNBV_RULE_NUTRITION] = dec((any >> L_NUT) & 3);
	agg.some[GNBV_RULE_HEALTH_INSURANCE] = dec((any >> L_HI) & 3);
	agg.some[GNBV_RULE_ADULT_EDUCATION] = dec((any >> L_ADULT) & 3);
	agg.some[GNBV_RULE_CHILD_SCHOOLING] = dec((any >> L_CHILD) & 3);
	agg.dep_yes = sum->dep_yes;
	agg.dep_unk = sum->dep_unk;
	agg.all_offline = dec((all >> L_OFF) & 3);
	finish(x->s, x->rule_of, h, m, NULL, x->ref_date, na, n, &agg, out, workers);
}

void gnbv_assess_prepared(const gnbv_assess_ctx *x, const gnbv_household *h,
			  const gnbv_member *m, size_t n, gnbv_assessment *out,
			  unsigned char *workers)
{
	gnbv_member_sum sum;
	gnbv_assess_members(x, m, n, &sum);
	gnbv_assess_summed(x, h, m, n, &sum, out, workers);
}
