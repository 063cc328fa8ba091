/*
 * household.c - one synthetic household, drawn from a latent deprivation.
 *
 * The household gets a latent deprivation z = region mean + unit effect +
 * ethnic offset + N(0,1). Everything the review form records follows from
 * z and chance, never from a class:
 *
 *   income    ln(income / line) = -sigma y, with y = rho z + sqrt(1-rho^2) e;
 *             written as an amount, a form score, both, or (rarely) neither;
 *   deficits  each indicator k is "drawn towards" with probability
 *             sigmoid(def_logit[k] + slope z + dshift), and the draw is then
 *             realised in the data: a working-age member without a labour
 *             contract, a child out of school, a house of non-durable
 *             materials... When the household has nobody the indicator can
 *             apply to (no child for nutrition), nothing happens;
 *   dependants  come from the household's composition and from adults
 *             without working capacity (commoner as z rises).
 *
 * The members form a coherent family: a head and usually a spouse, their
 * children (born when the mother was 18 to 30, then every 1 to 4 years),
 * elders living with a married child, grandchildren, the odd sibling. Ages
 * are counted at the profile's reference date, with the standard's bands.
 * Then a small share of cells is emptied (unknown), as real survey data
 * has them. The engine, not this file, decides what class all of it makes.
 */
#include "gen_internal.h"

#include <string.h>

typedef struct person {
	int age;
	char sex;
	signed char rel, eth;
	int fam;
} person;

typedef struct build {
	person p[GEN_MAX_MEMBERS];
	int n;
} build;

static void add(build *b, int age, char sex, int rel, int eth, int fam)
{
	if (b->n >= GEN_MAX_MEMBERS) return;
	if (age < 0) age = 0;
	if (age > 99) age = 99;
	b->p[b->n++] = (person){age, sex, (signed char)rel, (signed char)eth, fam};
}

static int draw_eth(gen_rng *r, const gen_unit *u)
{
	double x = gen_unif(r);
	for (int k = 0; k < ETH_COUNT; k++)
		if (x < u->eth_cum[k]) return k;
	return ETH_COUNT - 1;
}

/* A spouse from outside the line: mostly of the same group. */
static int partner_eth(gen_rng *r, const gen_unit *u, int eth)
{
	return gen_chance(r, 0.92) ? eth : draw_eth(r, u);
}

/* The spouse's family name. H'Mông clans are exogamous: a spouse of the
 * group never shares the line's family name. */
static int partner_fam(gen_rng *r, int peth, int eth, int fam)
{
	int f = gen_family_draw(r, peth);
	for (int i = 0; i < 4 && peth == ETH_HMONG && eth == ETH_HMONG && f == fam; i++)
		f = gen_family_draw(r, peth);
	return f;
}

static char kid_sex(gen_rng *r) { return gen_chance(r, 0.52) ? 'M' : 'F'; }

/* Ages of k children, eldest first; the youngest at most `young_max` when
 * given (grandchildren). Returns the eldest's age. */
static int kid_ages(gen_rng *r, int k, int *ages, int young_max)
{
	double u = gen_unif(r);
	int y = young_max       ? gen_range(r, 0, young_max)
		: u < 0.55      ? gen_range(r, 0, 10)
		: u < 0.85      ? gen_range(r, 11, 20)
				: gen_range(r, 21, 30);
	ages[k - 1] = y;
	for (int i = k - 2; i >= 0; i--) ages[i] = ages[i + 1] + gen_range(r, 1, 4);
	if (ages[0] > 40) {
		int d = ages[0] - 40;
		if (d > ages[k - 1]) d = ages[k - 1];
		for (int i = 0; i < k; i++) ages[i] -= d;
	}
	return ages[0];
}

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Head, spouse and k children (k may be 0: a couple); children beyond 7
 * become siblings of the head (relation other). */
static void nuclear(gen_rng *r, const gen_profile *p, const gen_unit *u, int eth, int fam, int k,
		    build *b)
{
	int ages[GEN_MAX_MEMBERS];
	int others = k > 7 ? k - 7 : 0;
	k -= others;
	int mother;
	if (k > 0) mother = kid_ages(r, k, ages, 0) + gen_range(r, 18, 30);
	else mother = gen_chance(r, 0.5) ? gen_range(r, 19, 32) : gen_range(r, 48, 82);
	int father = mother + gen_range(r, -2, 7);
	if (k > 0 && father < ages[0] + 18) father = ages[0] + 18;
	if (father < 18) father = 18;
	bool matri = gen_eth_matrilineal(eth);
	int peth = partner_eth(r, u, eth), pfam = partner_fam(r, peth, eth, fam);
	int m_eth = matri ? peth : eth, m_fam = matri ? pfam : fam;
	int w_eth = matri ? eth : peth, w_fam = matri ? fam : pfam;
	bool wife_head = gen_chance(r, p->female_head);
	if (wife_head) {
		add(b, mother, 'F', GNBV_REL_HEAD, w_eth, w_fam);
		add(b, father, 'M', GNBV_REL_SPOUSE, m_eth, m_fam);
	} else {
		add(b, father, 'M', GNBV_REL_HEAD, m_eth, m_fam);
		add(b, mother, 'F', GNBV_REL_SPOUSE, w_eth, w_fam);
	}
	for (int i = 0; i < k; i++) add(b, ages[i], kid_sex(r), GNBV_REL_CHILD, eth, fam);
	const person *h = &b->p[0];
	for (int i = 0; i < others; i++)
		add(b, clamp(h->age + gen_range(r, -12, 12), 15, 85), kid_sex(r), GNBV_REL_OTHER,
		    h->eth, h->fam);
}

/* One parent (a mother, mostly) and k children. */
static void single_parent(gen_rng *r, const gen_unit *u, int eth, int fam, int k, build *b)
{
	int ages[GEN_MAX_MEMBERS];
	(void)u;
	int others = k > 7 ? k - 7 : 0;
	k -= others;
	int eldest = kid_ages(r, k, ages, 0);
	bool matri = gen_eth_matrilineal(eth);
	if (gen_chance(r, 0.8)) {
		int own = matri ? fam : gen_family_draw(r, eth);
		add(b, eldest + gen_range(r, 18, 32), 'F', GNBV_REL_HEAD, eth, own);
	} else {
		int own = matri ? gen_family_draw(r, eth) : fam;
		add(b, eldest + gen_range(r, 20, 36), 'M', GNBV_REL_HEAD, eth, own);
	}
	for (int i = 0; i < k; i++) add(b, ages[i], kid_sex(r), GNBV_REL_CHILD, eth, fam);
	for (int i = 0; i < others; i++)
		add(b, clamp(b->p[0].age + gen_range(r, -12, 12), 15, 85), kid_sex(r),
		    GNBV_REL_OTHER, eth, b->p[0].fam);
}

/* Elders (1 or 2), a married child with a spouse, and their k children.
 * The head is an elder or the middle generation. */
static void three_gen(gen_rng *r, const gen_profile *p, const gen_unit *u, int eth, int fam, int n,
		      build *b)
{
	int ages[GEN_MAX_MEMBERS];
	int e = n >= 4 && gen_chance(r, 0.6) ? 2 : 1;
	int k = n - e - 2;
	if (k < 0) {
		e = 1;
		k = n - 3;
	}
	int others = k > 6 ? k - 6 : 0;
	k -= others;
	int wife = k > 0 ? kid_ages(r, k, ages, 14) + gen_range(r, 18, 30) : gen_range(r, 20, 38);
	int husband = wife + gen_range(r, -2, 6);
	if (k > 0 && husband < ages[0] + 18) husband = ages[0] + 18;
	bool matri = gen_eth_matrilineal(eth);
	bool via_daughter = matri || gen_chance(r, 0.12);
	int blood_age = via_daughter ? wife : husband;
	int elder_m = clamp(blood_age + gen_range(r, 22, 36), 40, 99);
	int elder_f = clamp(elder_m - gen_range(r, 0, 6), blood_age + 17, 99);
	bool one_female = e == 1 && gen_chance(r, 0.65);
	/* Unmarried siblings of the blood child: younger than both elders by
	 * 17 years at least. */
	int sib_max = (elder_f < elder_m ? elder_f : elder_m) - 17;
	if (sib_max < 15) sib_max = 15;

	/* Family names and groups along the line. */
	/* op: the elder's partner; in: the child-in-law; em/ef: elder man and
	 * woman. */
	int op_eth = partner_eth(r, u, eth), op_fam = partner_fam(r, op_eth, eth, fam);
	int in_eth = partner_eth(r, u, eth), in_fam = partner_fam(r, in_eth, eth, fam);
	int em_eth = matri ? op_eth : eth, em_fam = matri ? op_fam : fam;
	int ef_eth = matri ? eth : op_eth, ef_fam = matri ? fam : op_fam;
	int kid_eth = via_daughter && !matri ? in_eth : eth;
	int kid_fam = via_daughter && !matri ? in_fam : fam;
	/* The middle couple: the blood child and the in-law. */
	int mid_m_age = via_daughter ? husband : blood_age;
	int mid_f_age = via_daughter ? blood_age : wife;
	int mm_eth = via_daughter ? in_eth : eth, mm_fam = via_daughter ? in_fam : fam;
	int mf_eth = via_daughter ? eth : in_eth, mf_fam = via_daughter ? fam : in_fam;

	if (gen_chance(r, 0.5)) {
		/* An elder heads: the man when there is one. */
		if (e == 2 || !one_female) add(b, elder_m, 'M', GNBV_REL_HEAD, em_eth, em_fam);
		if (e == 2) add(b, elder_f, 'F', GNBV_REL_SPOUSE, ef_eth, ef_fam);
		else if (one_female) add(b, elder_f, 'F', GNBV_REL_HEAD, ef_eth, ef_fam);
		if (via_daughter) {
			add(b, mid_f_age, 'F', GNBV_REL_CHILD, mf_eth, mf_fam);
			add(b, mid_m_age, 'M', GNBV_REL_OTHER, mm_eth, mm_fam);
		} else {
			add(b, mid_m_age, 'M', GNBV_REL_CHILD, mm_eth, mm_fam);
			add(b, mid_f_age, 'F', GNBV_REL_OTHER, mf_eth, mf_fam);
		}
		for (int i = 0; i < k; i++)
			add(b, ages[i], kid_sex(r), GNBV_REL_GRANDCHILD, kid_eth, kid_fam);
		for (int i = 0; i < others; i++)
			add(b, clamp(blood_age + gen_range(r, -10, 4), 15, sib_max), kid_sex(r),
			    GNBV_REL_CHILD, eth, fam);
	} else {
		/* The middle generation heads; the elders are the head's parents
		 * or parents-in-law. */
		bool wife_head = gen_chance(r, p->female_head);
		bool head_blood = wife_head == via_daughter;
		int elder_rel = head_blood ? GNBV_REL_PARENT : GNBV_REL_OTHER;
		if (wife_head) {
			add(b, mid_f_age, 'F', GNBV_REL_HEAD, mf_eth, mf_fam);
			add(b, mid_m_age, 'M', GNBV_REL_SPOUSE, mm_eth, mm_fam);
		} else {
			add(b, mid_m_age, 'M', GNBV_REL_HEAD, mm_eth, mm_fam);
			add(b, mid_f_age, 'F', GNBV_REL_SPOUSE, mf_eth, mf_fam);
		}
		if (e == 2 || !one_female) add(b, elder_m, 'M', elder_rel, em_eth, em_fam);
		if (e == 2 || one_female) add(b, elder_f, 'F', elder_rel, ef_eth, ef_fam);
		for (int i = 0; i < k; i++)
			add(b, ages[i], kid_sex(r), GNBV_REL_CHILD, kid_eth, kid_fam);
		for (int i = 0; i < others; i++)
			add(b, clamp(blood_age + gen_range(r, -10, 4), 15, sib_max), kid_sex(r),
			    GNBV_REL_OTHER, eth, fam);
	}
}

/* Grandparents raising grandchildren (the parents work away). */
static void skip_gen(gen_rng *r, const gen_unit *u, int eth, int fam, int n, build *b)
{
	int ages[GEN_MAX_MEMBERS];
	int e = n >= 3 && gen_chance(r, 0.5) ? 2 : 1;
	int k = n - e;
	if (k > 8) k = 8;
	int eldest = kid_ages(r, k, ages, 12);
	if (eldest > 17) {
		int d = eldest - 17;
		for (int i = 0; i < k; i++) ages[i] = ages[i] - d < 0 ? 0 : ages[i] - d;
		eldest = 17;
	}
	int elder_m = clamp(eldest + gen_range(r, 40, 55), 45, 95);
	int elder_f = clamp(elder_m - gen_range(r, 0, 6), 42, 95);
	int op_eth = partner_eth(r, u, eth), op_fam = partner_fam(r, op_eth, eth, fam);
	bool matri = gen_eth_matrilineal(eth);
	if (e == 2) {
		add(b, elder_m, 'M', GNBV_REL_HEAD, matri ? op_eth : eth, matri ? op_fam : fam);
		add(b, elder_f, 'F', GNBV_REL_SPOUSE, matri ? eth : op_eth, matri ? fam : op_fam);
	} else if (gen_chance(r, 0.65)) {
		add(b, elder_f, 'F', GNBV_REL_HEAD, matri ? eth : op_eth, matri ? fam : op_fam);
	} else {
		add(b, elder_m, 'M', GNBV_REL_HEAD, matri ? op_eth : eth, matri ? op_fam : fam);
	}
	for (int i = 0; i < k; i++) add(b, ages[i], kid_sex(r), GNBV_REL_GRANDCHILD, eth, fam);
	while (b->n < n) /* more than 8 grandchildren: an adult child visiting home */
		add(b, gen_range(r, 18, 40), kid_sex(r), GNBV_REL_CHILD, eth, fam);
}

/* An elderly parent and one adult child. */
static void elder_child(gen_rng *r, int eth, int fam, build *b)
{
	int child = gen_range(r, 18, 50);
	int elder = clamp(child + gen_range(r, 22, 38), 45, 99);
	bool elder_f = gen_chance(r, 0.65);
	bool matri = gen_eth_matrilineal(eth);
	int elder_fam = elder_f != matri ? gen_family_draw(r, eth) : fam;
	char csex = kid_sex(r);
	if (gen_chance(r, 0.6)) {
		add(b, elder, elder_f ? 'F' : 'M', GNBV_REL_HEAD, eth, elder_fam);
		add(b, child, csex, GNBV_REL_CHILD, eth, fam);
	} else {
		add(b, child, csex, GNBV_REL_HEAD, eth, fam);
		add(b, elder, elder_f ? 'F' : 'M', GNBV_REL_PARENT, eth, elder_fam);
	}
}

static int draw_size(gen_rng *r, const gen_profile *p)
{
	double x = gen_unif(r) * 100.0, acc = 0;
	for (int i = 0; i < GEN_MAX_SIZE; i++) {
		acc += p->size_pct[i];
		if (x < acc) return i + 1;
	}
	return 4;
}

static void compose(gen_rng *r, const gen_profile *p, const gen_unit *u, int eth, int n, build *b)
{
	int fam = gen_family_draw(r, eth);
	b->n = 0;
	if (n == 1) {
		bool old = gen_chance(r, 0.55);
		int age = old ? gen_range(r, 60, 92) : gen_range(r, 20, 59);
		add(b, age, gen_chance(r, old ? 0.68 : 0.42) ? 'F' : 'M', GNBV_REL_HEAD, eth, fam);
		return;
	}
	double t = gen_unif(r);
	if (n == 2) {
		if (t < 0.55) nuclear(r, p, u, eth, fam, 0, b);
		else if (t < 0.77) single_parent(r, u, eth, fam, 1, b);
		else if (t < 0.90) elder_child(r, eth, fam, b);
		else skip_gen(r, u, eth, fam, 2, b);
	} else if (n == 3) {
		if (t < 0.10) three_gen(r, p, u, eth, fam, n, b);
		else if (t < 0.22) single_parent(r, u, eth, fam, 2, b);
		else if (t < 0.26) skip_gen(r, u, eth, fam, n, b);
		else nuclear(r, p, u, eth, fam, 1, b);
	} else if (n >= 9) {
		if (t < 0.6) three_gen(r, p, u, eth, fam, n, b);
		else nuclear(r, p, u, eth, fam, n - 2, b);
	} else {
		if (t < 0.30) three_gen(r, p, u, eth, fam, n, b);
		else if (t < 0.36) single_parent(r, u, eth, fam, n - 1, b);
		else if (t < 0.39) skip_gen(r, u, eth, fam, n, b);
		else nuclear(r, p, u, eth, fam, n - 2, b);
	}
}

/* ---- Dates -------------------------------------------------------------- */

static const int MDAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* A birth date (yyyymmdd) giving exactly `age` completed years on `ref`. */
static int32_t birth_for_age(gen_rng *r, int age, int32_t ref)
{
	int d = (int)gen_below(r, 365), m = 0;
	while (d >= MDAYS[m]) d -= MDAYS[m++];
	int mmdd = (m + 1) * 100 + d + 1;
	int year = ref / 10000 - age - (mmdd > ref % 10000 ? 1 : 0);
	return (int32_t)(year * 10000 + mmdd);
}

/* ---- Members' attributes ---------------------------------------------- */

static bool working_age(const gnbv_standard *s, int age, char sex)
{
	return age >= s->working_age_min &&
	       age <= (sex == 'M' ? s->working_age_max_male : s->working_age_max_female);
}

/* The minimum level of the band holding `age`, or -1 when none does. */
static int band_level(const gnbv_age_band *b, int n, int age)
{
	for (int i = 0; i < n; i++)
		if (age >= b[i].age_from && age <= b[i].age_to) return (int)b[i].min_level;
	return -1;
}

/* The level just below `lvl` in the standard's ranking. */
static int level_below(const gnbv_standard *s, int lvl)
{
	int best = GNBV_LEVEL_NONE;
	for (int l = 0; l < GNBV_LEVEL_COUNT; l++) {
		int rank = s->level_rank[l];
		if (rank < s->level_rank[lvl] && rank >= s->level_rank[best]) best = l;
	}
	return best;
}

/* Adult's schooling, from the generation and the household's deprivation. */
static int adult_level(gen_rng *r, const gen_profile *p, int age, double z)
{
	double x = p->edu_mu - 0.035 * (age - 31) - 0.3 * z + gen_normal(r);
	if (x < -1.6) return GNBV_LEVEL_NONE;
	if (x < -0.6) return GNBV_LEVEL_PRIMARY;
	if (x < 0.3) return GNBV_LEVEL_LOWER_SECONDARY;
	if (x < 1.0) return GNBV_LEVEL_UPPER_SECONDARY;
	if (x < 1.3) return GNBV_LEVEL_VOCATIONAL;
	if (x < 1.6) return GNBV_LEVEL_COLLEGE;
	return GNBV_LEVEL_UNIVERSITY;
}

/* A level meeting the 18-30 requirement (upper secondary or better). */
static int qualified_level(gen_rng *r, const gen_profile *p)
{
	double x = gen_unif(r), hi = p->edu_mu > 0 ? 0.35 : 0.2;
	if (x < 0.8 - hi) return GNBV_LEVEL_UPPER_SECONDARY;
	if (x < 1.0 - hi) return GNBV_LEVEL_VOCATIONAL;
	if (x < 1.0 - hi / 2) return GNBV_LEVEL_COLLEGE;
	return GNBV_LEVEL_UNIVERSITY;
}

static signed char adult_work(gen_rng *r, const gen_profile *p)
{
	double x = gen_unif(r);
	if (x < p->work_self) return GNBV_WORK_SELF;
	if (x < p->work_self + p->work_contract) return GNBV_WORK_CONTRACT;
	return GNBV_WORK_NONE;
}

static void fill_member(gen_rng *r, const gen_profile *p, const gnbv_standard *s, double z,
			const person *pp, gnbv_member *m)
{
	int a = pp->age;
	m->sex = pp->sex;
	m->relation = pp->rel;
	m->stunted = m->underweight = GNBV_UNKNOWN;
	if (a < s->nutrition_child_under) m->stunted = m->underweight = GNBV_NO;

	/* Working capacity. */
	if (a < s->working_age_min) m->able_to_work = GNBV_NO;
	else if (a < s->dependant_elderly_from)
		m->able_to_work = gen_chance(r, gen_sigmoid(p->unable_logit + p->unable_slope * z))
					  ? GNBV_NO
					  : GNBV_YES;
	else m->able_to_work = gen_chance(r, a < 70 ? 0.55 : 0.15) ? GNBV_YES : GNBV_NO;

	/* Schooling: children in school at their age's level. */
	int child_need = band_level(s->child_bands, s->n_child_bands, a);
	int adult_need = band_level(s->adult_bands, s->n_adult_bands, a);
	if (child_need >= 0) {
		m->in_school = GNBV_YES;
		m->level = (signed char)child_need;
	} else if (a < 3) {
		m->in_school = GNBV_NO;
		m->level = GNBV_LEVEL_NONE;
	} else if (a < 18) {
		double x = gen_unif(r), out = p->edu_mu > 0 ? 0.12 : 0.25;
		m->in_school = x < out ? GNBV_NO : GNBV_YES;
		int done_level = adult_need >= 0 ? adult_need : GNBV_LEVEL_LOWER_SECONDARY;
		m->level = (signed char)(x < out   ? done_level
					 : x < 0.9 ? GNBV_LEVEL_UPPER_SECONDARY
						   : GNBV_LEVEL_VOCATIONAL);
	} else if (adult_need >= 0) {
		double study = a <= 22 ? (p->edu_mu > 0 ? 0.3 : 0.12) : 0.03;
		if (gen_chance(r, study)) {
			m->in_school = GNBV_YES;
			double x = gen_unif(r);
			m->level = x < 0.3 ? GNBV_LEVEL_VOCATIONAL : x < 0.5 ? GNBV_LEVEL_COLLEGE
									    : GNBV_LEVEL_UNIVERSITY;
		} else {
			m->in_school = GNBV_NO;
			m->level = (signed char)qualified_level(r, p);
		}
	} else {
		m->in_school = GNBV_NO;
		m->level = (signed char)adult_level(r, p, a, z);
	}

	/* Work. */
	if (a < 6) m->work = GNBV_WORK_NONE;
	else if (m->in_school == GNBV_YES) m->work = GNBV_WORK_STUDENT;
	else if (a < s->working_age_min) m->work = GNBV_WORK_NONE;
	else if (working_age(s, a, pp->sex))
		m->work = m->able_to_work == GNBV_YES ? adult_work(r, p) : GNBV_WORK_NONE;
	else if (m->able_to_work == GNBV_YES && gen_chance(r, 0.5)) m->work = GNBV_WORK_SELF;
	else m->work = GNBV_WORK_NONE;

	m->health_insurance = GNBV_YES;
	double net = a < 10 ? 0 : a < 15 ? 0.6 : a <= 50 ? 1.0 : a <= 60 ? 0.6 : a <= 70 ? 0.3 : 0;
	m->uses_internet = gen_chance(r, p->internet * net) ? GNBV_YES : GNBV_NO;
	if (a >= 80) m->social_allowance = gen_chance(r, 0.85) ? GNBV_YES : GNBV_NO;
	else if (m->able_to_work == GNBV_NO && a >= s->working_age_min &&
		 a < s->dependant_elderly_from)
		m->social_allowance = gen_chance(r, 0.4) ? GNBV_YES : GNBV_NO;
	else m->social_allowance = GNBV_NO;
}

/* Index of a random member satisfying `ok`, or -1. */
typedef bool (*member_pred)(const gnbv_standard *s, const person *pp, const gnbv_member *m);

static int pick(gen_rng *r, const gnbv_standard *s, const build *b, const gnbv_member *m,
		member_pred ok)
{
	int idx[GEN_MAX_MEMBERS], k = 0;
	for (int i = 0; i < b->n; i++)
		if (ok(s, &b->p[i], &m[i])) idx[k++] = i;
	return k ? idx[gen_below(r, (uint32_t)k)] : -1;
}

static bool is_worker(const gnbv_standard *s, const person *pp, const gnbv_member *m)
{
	return working_age(s, pp->age, pp->sex) && m->able_to_work == GNBV_YES &&
	       m->work != GNBV_WORK_STUDENT && m->work != GNBV_WORK_NO_CONTRACT &&
	       m->work != GNBV_WORK_UNEMPLOYED;
}

static bool is_young_adult(const gnbv_standard *s, const person *pp, const gnbv_member *m)
{
	(void)m;
	return band_level(s->adult_bands, s->n_adult_bands, pp->age) >= 0;
}

static bool is_pupil(const gnbv_standard *s, const person *pp, const gnbv_member *m)
{
	return band_level(s->child_bands, s->n_child_bands, pp->age) >= 0 &&
	       m->in_school == GNBV_YES;
}

static bool is_insured(const gnbv_standard *s, const person *pp, const gnbv_member *m)
{
	return pp->age >= s->health_insurance_age_from && m->health_insurance == GNBV_YES;
}

static bool is_child(const gnbv_standard *s, const person *pp, const gnbv_member *m)
{
	return pp->age < s->nutrition_child_under && m->stunted == GNBV_NO &&
	       m->underweight == GNBV_NO;
}

static bool is_infant(const gnbv_standard *s, const person *pp, const gnbv_member *m)
{
	return pp->age < 5 && is_child(s, pp, m);
}

static bool can_surf(const gnbv_standard *s, const person *pp, const gnbv_member *m)
{
	(void)s;
	(void)m;
	return pp->age >= 12 && pp->age <= 70;
}

/* Out of school without the qualification for the age. */
static void drop_out_adult(gen_rng *r, const gnbv_standard *s, const person *pp, gnbv_member *m)
{
	int need = band_level(s->adult_bands, s->n_adult_bands, pp->age);
	int lvl = level_below(s, need);
	double x = gen_unif(r);
	if (x < 0.3) lvl = level_below(s, lvl);
	else if (x < 0.35) lvl = GNBV_LEVEL_NONE;
	m->in_school = GNBV_NO;
	m->level = (signed char)lvl;
	if (m->work == GNBV_WORK_STUDENT)
		m->work = working_age(s, pp->age, pp->sex) && m->able_to_work == GNBV_YES &&
					  gen_chance(r, 0.6)
				  ? GNBV_WORK_SELF
				  : GNBV_WORK_NONE;
}

/* A child out of school, or attending below the level for the age. */
static void drop_out_child(gen_rng *r, const gnbv_standard *s, const person *pp, gnbv_member *m)
{
	int need = band_level(s->child_bands, s->n_child_bands, pp->age);
	int below = level_below(s, need);
	if (below != GNBV_LEVEL_NONE && gen_chance(r, 0.25)) {
		m->level = (signed char)below; /* held back */
		return;
	}
	m->in_school = GNBV_NO;
	m->level = (signed char)below;
	if (m->work == GNBV_WORK_STUDENT)
		m->work = working_age(s, pp->age, pp->sex) && gen_chance(r, 0.5) ? GNBV_WORK_SELF
										   : GNBV_WORK_NONE;
}

/* ---- The household ----------------------------------------------------- */

static gnbv_tri tri(bool b) { return b ? GNBV_YES : GNBV_NO; }

/* Empty cells: rather than a draw per cell, the number of cells until the
 * next empty one is geometric (one draw per empty cell). */
typedef struct blanker {
	gen_rng *r;
	double log1mq;
	long left;
} blanker;

static void blank_next(blanker *b)
{
	double u = ((double)(gen_next(b->r) >> 11) + 1.0) * 0x1.0p-53;
	double k = b->log1mq < 0 ? floor(log(u) / b->log1mq) : 1e18;
	b->left = k > 1e15 ? (long)1e15 : (long)k;
}

/* Does this cell become empty? */
static bool blank(blanker *b)
{
	if (b->left-- > 0) return false;
	blank_next(b);
	return true;
}

static void blank_tri(blanker *b, gnbv_tri *t)
{
	if (*t != GNBV_UNKNOWN && blank(b)) *t = GNBV_UNKNOWN;
}

void gen_household(gen_rng *r, const gen_profile *p, const gen_region *rg, const gen_unit *u,
		   const gnbv_standard *s, gen_hh *o)
{
	build b;
	int eth = draw_eth(r, u);
	double z = rg->mu + u->effect + gen_eth_offset(eth) + gen_normal(r);
	compose(r, p, u, eth, draw_size(r, p), &b);

	memset(&o->h, 0, sizeof o->h);
	o->n = (size_t)b.n;
	o->z = z;
	gnbv_member *m = o->m;
	memset(m, 0, sizeof *m * o->n);
	for (int i = 0; i < b.n; i++) {
		const person *pp = &b.p[i];
		m[i].member_no = i + 1;
		m[i].birth = birth_for_age(r, pp->age, p->ref_date);
		fill_member(r, p, s, z, pp, &m[i]);
		gen_text *t = &o->t[i];
		t->eth = pp->eth;
		t->year_only = false;
		t->name_len = (uint32_t)gen_name(r, pp->eth, pp->fam, pp->sex == 'M',
						 m[i].birth / 10000, t->name);
		if (pp->age >= 62 && gen_chance(r, 0.04)) {
			/* Only the year is known: taken as born on 1 July. */
			t->year_only = true;
			m[i].birth = m[i].birth / 10000 * 10000 + 701;
		}
	}

	/* The indicators the household is drawn towards. */
	double base = p->slope * z + rg->dshift;
	bool want[DEF_COUNT];
	for (int k = 0; k < DEF_COUNT; k++)
		want[k] = gen_chance(r, gen_sigmoid(p->def_logit[k] + base));

	int i;
	if (want[DEF_ADULT_EDU] && (i = pick(r, s, &b, m, is_young_adult)) >= 0)
		drop_out_adult(r, s, &b.p[i], &m[i]);
	if (want[DEF_CHILD_SCHOOL] && (i = pick(r, s, &b, m, is_pupil)) >= 0)
		drop_out_child(r, s, &b.p[i], &m[i]);
	if (want[DEF_EMPLOYMENT]) {
		int times = gen_chance(r, 0.3) ? 2 : 1;
		while (times-- && (i = pick(r, s, &b, m, is_worker)) >= 0)
			m[i].work = gen_chance(r, 0.75) ? GNBV_WORK_NO_CONTRACT
							: GNBV_WORK_UNEMPLOYED;
	}
	if (want[DEF_INSURANCE]) {
		int times = gen_chance(r, 0.3) ? 2 : 1;
		while (times-- && (i = pick(r, s, &b, m, is_insured)) >= 0)
			m[i].health_insurance = GNBV_NO;
	}
	if (want[DEF_NUTRITION]) {
		i = gen_chance(r, 0.7) ? pick(r, s, &b, m, is_infant) : -1;
		if (i < 0) i = pick(r, s, &b, m, is_child);
		if (i >= 0) {
			double x = gen_unif(r);
			m[i].stunted = tri(x < 0.75);
			m[i].underweight = tri(x >= 0.6);
		}
	}
	/* Internet: nobody when drawn towards the telecom deficit, else at
	 * least one member of an age to use it. */
	bool any = false;
	for (int k = 0; k < b.n; k++) {
		if (want[DEF_TELECOM]) m[k].uses_internet = GNBV_NO;
		any |= m[k].uses_internet == GNBV_YES;
	}
	if (!want[DEF_TELECOM] && !any && (i = pick(r, s, &b, m, can_surf)) >= 0)
		m[i].uses_internet = GNBV_YES;

	/* Housing, water, sanitation, devices. */
	gnbv_household *h = &o->h;
	int bad = 0;
	if (want[DEF_HOUSING]) bad = gen_chance(r, 0.3) ? 3 : 2;
	else bad = gen_chance(r, 0.3) ? 1 : 0;
	gnbv_tri parts[3] = {GNBV_YES, GNBV_YES, GNBV_YES};
	if (bad == 3) parts[0] = parts[1] = parts[2] = GNBV_NO;
	else if (bad) {
		int skip = (int)gen_below(r, 3);
		for (int k = 0, left = bad; k < 3 && left; k++)
			if (bad == 1 ? k == skip : k != skip) parts[k] = GNBV_NO, left--;
	}
	h->floor_durable = parts[0];
	h->walls_durable = parts[1];
	h->roof_durable = parts[2];
	/* Living area in half square metres, on the right side of the line. */
	double need = s->housing_area_min_m2 * (double)b.n;
	double per = want[DEF_AREA] ? 3.5 + 4.0 * gen_unif(r) : 8.5 + 14.0 * pow(gen_unif(r), 1.5);
	double halves = floor(per * (double)b.n * 2.0);
	if (want[DEF_AREA]) {
		while (halves / 2.0 >= need && halves > 1) halves--;
		if (halves < 7) halves = 7; /* 3.5 m², below the line for anyone */
	} else {
		while (halves / 2.0 < need) halves++;
	}
	h->living_area_m2 = halves / 2.0;
	h->has_living_area = true;
	h->water_safe = tri(!want[DEF_WATER]);
	h->toilet_hygienic = tri(!want[DEF_SANITATION]);
	h->waste_treated = tri(!want[DEF_WASTE]);
	unsigned dev = 0;
	if (want[DEF_DEVICES]) {
		dev = gen_chance(r, 0.45) ? GNBV_DEV_PHONE : 0;
	} else {
		if (gen_chance(r, p->dev_tv)) dev |= GNBV_DEV_TV;
		if (gen_chance(r, p->dev_radio)) dev |= GNBV_DEV_RADIO;
		if (gen_chance(r, p->dev_computer)) dev |= GNBV_DEV_COMPUTER;
		if (gen_chance(r, p->dev_phone)) dev |= GNBV_DEV_PHONE;
		if (gen_chance(r, p->dev_smartphone)) dev |= GNBV_DEV_SMARTPHONE;
		if (!(dev & s->info_devices_mask))
			dev |= gen_chance(r, 0.6) ? GNBV_DEV_SMARTPHONE : GNBV_DEV_TV;
	}
	h->devices = dev;
	for (int k = 0; k < GNBV_RULE_COUNT; k++) h->recorded[k] = GNBV_UNKNOWN;

	/* Income: an amount (VND, rounded to thousands), the form's score (to
	 * half points), both, or neither. */
	h->area = u->area;
	o->write_area = !u->area_known || gen_chance(r, p->explicit_area);
	double y = p->income_rho * z + sqrt(1.0 - p->income_rho * p->income_rho) * gen_normal(r);
	double ratio = exp(-p->income_sigma * y);
	if (ratio < 0.08) ratio = 0.08;
	if (ratio > 60) ratio = 60;
	int urban = u->area == 1;
	int64_t line = urban ? s->income_line_urban : s->income_line_rural;
	double sline = urban ? s->score_line_urban : s->score_line_rural;
	double x = gen_unif(r);
	bool amount = x >= p->no_income + p->score_only;
	bool score = x >= p->no_income && x < p->no_income + p->score_only + p->score_and_amount;
	if (amount) {
		h->has_income = true;
		h->income_month = (int64_t)floor((double)line * ratio / 1000.0 + 0.5) * 1000;
		if (h->income_month < 100000) h->income_month = 100000;
	}
	if (score) {
		double sc = floor(sline * ratio * exp(0.05 * gen_normal(r)) * 2.0 + 0.5) / 2.0;
		h->has_score = true;
		h->income_score = sc < 10 ? 10 : sc > 600 ? 600 : sc;
	}

	/* Unknowns: a small share of cells left empty. */
	blanker bl = {r, log1p(-p->empty_cell), 0};
	blank_next(&bl);
	blank_tri(&bl, &h->floor_durable);
	blank_tri(&bl, &h->walls_durable);
	blank_tri(&bl, &h->roof_durable);
	blank_tri(&bl, &h->water_safe);
	blank_tri(&bl, &h->toilet_hygienic);
	blank_tri(&bl, &h->waste_treated);
	if (blank(&bl)) h->has_living_area = false;
	for (size_t k = 0; k < o->n; k++) {
		gnbv_member *mk = &m[k];
		gen_text *t = &o->t[k];
		if (blank(&bl)) mk->sex = GNBV_SEX_UNKNOWN;
		if (blank(&bl)) mk->birth = 0, t->year_only = false;
		if (blank(&bl)) mk->relation = GNBV_REL_UNKNOWN;
		if (blank(&bl)) t->eth = -1;
		if (blank(&bl) && gen_chance(r, 1.0 / 3)) t->name_len = 0;
		if (blank(&bl)) mk->work = GNBV_WORK_UNKNOWN;
		if (blank(&bl)) mk->level = -1;
		blank_tri(&bl, &mk->able_to_work);
		blank_tri(&bl, &mk->health_insurance);
		blank_tri(&bl, &mk->stunted);
		blank_tri(&bl, &mk->underweight);
		blank_tri(&bl, &mk->in_school);
		blank_tri(&bl, &mk->uses_internet);
		blank_tri(&bl, &mk->social_allowance);
	}
}
