/*
 * plan_dates.c - the dates and years a plan may carry (gnbv/plan.h). A
 * plan reaches the store from a gnbv-plan/1 file, `gnbv plan set`, the
 * web form or any caller of the library; the store runs these checks on
 * every put, so that a plan dated 2022-02-30, or with a line for the year
 * 20223, cannot be stored whichever way it came. The file reader runs
 * the same checks field by field, to say FILE:LINE:COLUMN.
 *
 * The calendar is gnbv/date.h's. The messages name the field as its path
 * in a gnbv-plan/1 file (data/demo/README.md), which is what an officer
 * correcting the file or the form looks for.
 */
#include "gnbv/date.h"
#include "gnbv/error.h"
#include "gnbv/plan.h"

#include "../util/numfmt.h"

#include <string.h>

static const char *const SECTION_KEY[GNBV_PLAN_SECTIONS] = {"A", "B"};

int gnbv_plan_date_check(const char *s, int32_t *out, char *why, size_t cap)
{
	int32_t d = 0;
	size_t n = s ? strlen(s) : 0;
	if (gnbv_date_parse(s, n, GNBV_PLAN_YEAR_MIN, GNBV_PLAN_YEAR_MAX, &d) == GNBV_DATE_OK) {
		if (out) *out = d;
		if (why && cap) why[0] = '\0';
		return 0;
	}
	if (why && cap) gnbv_date_explain(s, n, GNBV_PLAN_YEAR_MIN, GNBV_PLAN_YEAR_MAX, why, cap);
	return GNBV_EINVALID;
}

static int plan_year_ok(int y)
{
	return y >= GNBV_PLAN_YEAR_MIN && y <= GNBV_PLAN_YEAR_MAX;
}

/* "sections.B.lines[4].year (B-DA5)": k counts the items of the section
 * before this one, which is the item's index in the file. A section that
 * is neither A nor B has no path in a file: the item is then named by its
 * index among all (the caller passes that as k). */
static void put_path(gnbv_sb *sb, int section, const char *array, size_t k, const char *key,
                     const char *id)
{
	if (section >= 0 && section < GNBV_PLAN_SECTIONS) {
		gnbv_sb_put(sb, "sections.");
		gnbv_sb_put(sb, SECTION_KEY[section]);
		gnbv_sb_put(sb, ".");
	}
	gnbv_sb_put(sb, array);
	gnbv_sb_put(sb, "[");
	gnbv_sb_int(sb, (int64_t)k, &GNBV_NUM_PLAIN);
	gnbv_sb_put(sb, "].");
	gnbv_sb_put(sb, key);
	if (id) {
		gnbv_sb_put(sb, " (");
		gnbv_sb_put(sb, id);
		gnbv_sb_put(sb, ")");
	}
}

/* ": 13 is not a plan year (1990 to 2200)" after the field's path. */
static int not_a_year(gnbv_sb *sb, int year, int lo, int hi)
{
	gnbv_sb_put(sb, ": ");
	gnbv_sb_int(sb, year, &GNBV_NUM_PLAIN);
	gnbv_sb_put(sb, " is not a plan year (");
	gnbv_sb_int(sb, lo, &GNBV_NUM_PLAIN);
	gnbv_sb_put(sb, " to ");
	gnbv_sb_int(sb, hi, &GNBV_NUM_PLAIN);
	gnbv_sb_put(sb, ")");
	return GNBV_EINVALID;
}

/* The item's index in the file (see put_path), counting it as seen. */
static size_t file_index(size_t seen[GNBV_PLAN_SECTIONS], int section, size_t i)
{
	return section >= 0 && section < GNBV_PLAN_SECTIONS ? seen[section]++ : i;
}

int gnbv_plan_check_dates(const gnbv_plan *p, char *why, size_t cap)
{
	char scratch[1], date_why[96];
	gnbv_sb sb;
	size_t seen[GNBV_PLAN_SECTIONS];
	gnbv_sb_init(&sb, why && cap ? why : scratch, why && cap ? cap : sizeof scratch);
	/* A plan reports on year N and proposes N + 1 (gnbv/plan.h). */
	if (p->report_year < GNBV_PLAN_YEAR_MIN || p->report_year >= GNBV_PLAN_YEAR_MAX) {
		gnbv_sb_put(&sb, "report_year");
		return not_a_year(&sb, p->report_year, GNBV_PLAN_YEAR_MIN, GNBV_PLAN_YEAR_MAX - 1);
	}
	if (p->plan_year != p->report_year + 1) {
		gnbv_sb_put(&sb, "plan_year: ");
		gnbv_sb_int(&sb, p->plan_year, &GNBV_NUM_PLAIN);
		gnbv_sb_put(&sb, " is not the year after report_year ");
		gnbv_sb_int(&sb, p->report_year, &GNBV_NUM_PLAIN);
		return GNBV_EINVALID;
	}
	if (p->date && gnbv_plan_date_check(p->date, NULL, date_why, sizeof date_why)) {
		gnbv_sb_put(&sb, "document.date: ");
		gnbv_sb_put(&sb, date_why);
		return GNBV_EINVALID;
	}
	memset(seen, 0, sizeof seen);
	for (size_t i = 0; i < p->n_lines; i++) {
		const gnbv_plan_line *l = &p->lines[i];
		size_t k = file_index(seen, l->section, i);
		if (plan_year_ok(l->year)) continue;
		put_path(&sb, l->section, "lines", k, "year", l->id);
		return not_a_year(&sb, l->year, GNBV_PLAN_YEAR_MIN, GNBV_PLAN_YEAR_MAX);
	}
	/* 0 in a filter or a target: any year, or the section's. */
	memset(seen, 0, sizeof seen);
	for (size_t i = 0; i < p->n_totals; i++) {
		const gnbv_plan_total *t = &p->totals[i];
		size_t k = file_index(seen, t->section, i);
		if (!t->filter.year || plan_year_ok(t->filter.year)) continue;
		put_path(&sb, t->section, "stated_totals", k, "filter.year", t->id);
		return not_a_year(&sb, t->filter.year, GNBV_PLAN_YEAR_MIN, GNBV_PLAN_YEAR_MAX);
	}
	memset(seen, 0, sizeof seen);
	for (size_t i = 0; i < p->n_targets; i++) {
		const gnbv_plan_target *t = &p->targets[i];
		size_t k = file_index(seen, t->section, i);
		if (!t->year || plan_year_ok(t->year)) continue;
		put_path(&sb, t->section, "targets", k, "year", t->id);
		return not_a_year(&sb, t->year, GNBV_PLAN_YEAR_MIN, GNBV_PLAN_YEAR_MAX);
	}
	return 0;
}
