/*
 * write.c - households.csv and members.csv rows, formatted by hand.
 *
 * Generating a million households writes about half a gigabyte, so rows
 * are built with memcpy and digit loops into a caller's buffer, never with
 * stdio per field. Nothing here needs quoting: unit codes are checked for
 * commas and quotes when the units are read, names and group names hold
 * none, and devices are `;`-separated. Empty cells are unknowns
 * (exchange-format.md); a year-only birth date is written as YYYY.
 */
#include "gen_internal.h"

#include <string.h>

const char GEN_HOUSEHOLDS_HEADER[] =
	"household_id,unit_code,area,income_month,income_score,floor_durable,walls_durable,"
	"roof_durable,living_area_m2,water_safe,toilet_hygienic,waste_treated,devices\n";
const char GEN_MEMBERS_HEADER[] =
	"household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,work,"
	"health_insurance,stunted,underweight,in_school,school_level,uses_internet,"
	"social_allowance\n";

static inline char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define PUTS(p, lit) put((p), (lit), sizeof(lit) - 1)

static inline char *put_u64(char *p, uint64_t v)
{
	char tmp[24];
	int i = 24;
	do tmp[--i] = (char)('0' + v % 10), v /= 10;
	while (v);
	return put(p, tmp + i, (size_t)(24 - i));
}

/* At least `width` digits, zero-padded. */
static inline char *put_u64_w(char *p, uint64_t v, int width)
{
	char tmp[24];
	int i = 24;
	do tmp[--i] = (char)('0' + v % 10), v /= 10;
	while (v);
	while (24 - i < width) tmp[--i] = '0';
	return put(p, tmp + i, (size_t)(24 - i));
}

/* A value in halves: "25" or "25.5". */
static inline char *put_half(char *p, double v)
{
	uint64_t halves = (uint64_t)(v * 2.0 + 0.25);
	p = put_u64(p, halves / 2);
	if (halves & 1) p = PUTS(p, ".5");
	return p;
}

static inline char *put_tri(char *p, gnbv_tri t)
{
	if (t != GNBV_UNKNOWN) *p++ = t == GNBV_YES ? '1' : '0';
	return p;
}

size_t gen_fmt_id(char *buf, const char *prefix, const char *commune, uint64_t seq)
{
	char *p = buf;
	p = put(p, prefix, strlen(prefix));
	*p++ = '-';
	p = put(p, commune, strlen(commune));
	*p++ = '-';
	p = put_u64_w(p, seq, 6);
	return (size_t)(p - buf);
}

size_t gen_fmt_household(char *buf, const char *id, size_t id_len, const gen_unit *u,
			 const gen_hh *hh)
{
	const gnbv_household *h = &hh->h;
	char *p = buf;
	p = put(p, id, id_len);
	*p++ = ',';
	p = put(p, u->code, u->code_len);
	*p++ = ',';
	if (hh->write_area) p = h->area == GNBV_AREA_URBAN ? PUTS(p, "urban") : PUTS(p, "rural");
	*p++ = ',';
	if (h->has_income) p = put_u64(p, (uint64_t)h->income_month);
	*p++ = ',';
	if (h->has_score) p = put_half(p, h->income_score);
	*p++ = ',';
	p = put_tri(p, h->floor_durable);
	*p++ = ',';
	p = put_tri(p, h->walls_durable);
	*p++ = ',';
	p = put_tri(p, h->roof_durable);
	*p++ = ',';
	if (h->has_living_area) p = put_half(p, h->living_area_m2);
	*p++ = ',';
	p = put_tri(p, h->water_safe);
	*p++ = ',';
	p = put_tri(p, h->toilet_hygienic);
	*p++ = ',';
	p = put_tri(p, h->waste_treated);
	*p++ = ',';
	static const char *const dev[] = {"tv", "radio", "computer", "phone", "smartphone"};
	static const size_t devlen[] = {2, 5, 8, 5, 10};
	bool first = true;
	for (int i = 0; i < 5; i++) {
		if (!(h->devices & (1u << i))) continue;
		if (!first) *p++ = ';';
		p = put(p, dev[i], devlen[i]);
		first = false;
	}
	*p++ = '\n';
	return (size_t)(p - buf);
}

static const char *const REL[] = {"head", "spouse", "child", "parent", "grandchild", "other"};
static const unsigned char REL_LEN[] = {4, 6, 5, 6, 10, 5};
static const char *const WORK[] = {"contract", "no_contract", "self",
				   "unemployed", "student", "none"};
static const unsigned char WORK_LEN[] = {8, 11, 4, 10, 7, 4};
static const char *const LEVEL[] = {"none", "preschool", "primary", "lower_secondary",
				    "upper_secondary", "vocational", "college", "university"};
static const unsigned char LEVEL_LEN[] = {4, 9, 7, 15, 15, 10, 7, 10};

static inline char *put_date(char *p, int32_t d, bool year_only)
{
	if (d <= 0) return p;
	int y = d / 10000, m = d / 100 % 100, dd = d % 100;
	p[0] = (char)('0' + y / 1000);
	p[1] = (char)('0' + y / 100 % 10);
	p[2] = (char)('0' + y / 10 % 10);
	p[3] = (char)('0' + y % 10);
	if (year_only) return p + 4;
	p[4] = '-';
	p[5] = (char)('0' + m / 10);
	p[6] = (char)('0' + m % 10);
	p[7] = '-';
	p[8] = (char)('0' + dd / 10);
	p[9] = (char)('0' + dd % 10);
	return p + 10;
}

size_t gen_fmt_members(char *buf, const char *id, size_t id_len, const gen_hh *hh)
{
	char *p = buf;
	for (size_t i = 0; i < hh->n; i++) {
		const gnbv_member *m = &hh->m[i];
		const gen_text *t = &hh->t[i];
		p = put(p, id, id_len);
		*p++ = ',';
		p = put_u64(p, (uint64_t)m->member_no);
		*p++ = ',';
		p = put(p, t->name, t->name_len);
		*p++ = ',';
		if (m->sex == GNBV_SEX_MALE || m->sex == GNBV_SEX_FEMALE) *p++ = (char)m->sex;
		*p++ = ',';
		p = put_date(p, m->birth, t->year_only);
		*p++ = ',';
		if (m->relation >= 0) p = put(p, REL[m->relation], REL_LEN[m->relation]);
		*p++ = ',';
		if (t->eth >= 0) {
			const char *e = gen_eth_name(t->eth);
			p = put(p, e, strlen(e));
		}
		*p++ = ',';
		p = put_tri(p, m->able_to_work);
		*p++ = ',';
		if (m->work >= 0) p = put(p, WORK[m->work], WORK_LEN[m->work]);
		*p++ = ',';
		p = put_tri(p, m->health_insurance);
		*p++ = ',';
		p = put_tri(p, m->stunted);
		*p++ = ',';
		p = put_tri(p, m->underweight);
		*p++ = ',';
		p = put_tri(p, m->in_school);
		*p++ = ',';
		if (m->level >= 0) p = put(p, LEVEL[m->level], LEVEL_LEN[m->level]);
		*p++ = ',';
		p = put_tri(p, m->uses_internet);
		*p++ = ',';
		p = put_tri(p, m->social_allowance);
		*p++ = '\n';
	}
	return (size_t)(p - buf);
}
