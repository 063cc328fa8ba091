/*
 * plan_check.c - the consistency checks of a plan document (issue M6):
 * what an officer adding up the Kế hoạch by hand gets wrong. Each check
 * reports findings that name the lines involved and both figures; nothing
 * is corrected. Pure: it reads the plan and the program only.
 *
 * The checks, in the order they run:
 *  1. every line's year is its section's, and its stage fits the section
 *     (section A reports: no proposals; section B proposes: no
 *     disbursement yet);
 *  2. every component is in the program, and every state-budget line has a
 *     capital type the component may use (Decision 90/QĐ-TTg as encoded in
 *     data/programs/); mobilised and integrated money has none;
 *  3. every total the document states equals the sum of the lines its
 *     filter covers;
 *  4. disbursement (or estimated disbursement) of a component, capital type
 *     and source is not above its allocation;
 *  5. targets agree: one indicator for one year has one value, and targets
 *     that give a count with its rate imply the same number of households
 *     (within the rounding of the rate as written).
 */
#include "gnbv/plan.h"

#include "../util/numfmt.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

static const char *const KIND_CODES[GNBV_FIND_KIND_COUNT] = {
    "stated_total",     "capital_not_allowed", "unknown_component", "over_disbursed",
    "targets_conflict", "year_mismatch",       "stage_mismatch",    "capital_missing"};

static const char *const KIND_VI[GNBV_FIND_KIND_COUNT] = {
    "Tổng số ghi trong văn bản khác tổng các dòng",
    "Loại vốn không được phép cho dự án",
    "Dự án, tiểu dự án không có trong Chương trình",
    "Giải ngân vượt kế hoạch giao",
    "Các chỉ tiêu mâu thuẫn nhau",
    "Năm của dòng khác năm của phần",
    "Giai đoạn của dòng không hợp với phần",
    "Vốn ngân sách thiếu loại vốn (ĐTPT/SN)"};

static const char *const KIND_EN[GNBV_FIND_KIND_COUNT] = {
    "A stated total differs from the sum of its lines",
    "Capital type not allowed for the component",
    "Component not in the program",
    "Disbursement above allocation",
    "Targets contradict each other",
    "Line year differs from its section's year",
    "Line stage does not fit its section",
    "State-budget money without a capital type (ĐTPT/SN)"};

const char *gnbv_finding_code(int kind)
{
	return kind >= 0 && kind < GNBV_FIND_KIND_COUNT ? KIND_CODES[kind] : "";
}

const char *gnbv_finding_title(int kind, const char *lang)
{
	if (kind < 0 || kind >= GNBV_FIND_KIND_COUNT) return "";
	return lang && strcmp(lang, "en") == 0 ? KIND_EN[kind] : KIND_VI[kind];
}

const char *gnbv_finding_message(const gnbv_finding *f, const char *lang)
{
	return lang && strcmp(lang, "en") == 0 ? f->message : f->message_vi;
}

typedef struct run {
	gnbv_finding_fn fn;
	void *ctx;
	size_t n;
} run;

/* The finding's message from a small format: %s text, %d int, %D int64_t,
 * %z size_t, %c char, %g a number with up to 2 decimals, %0 one rounded
 * to a whole, %% a percent sign; amounts and counts in the given style.
 * Core code does no stdio. */
static void vmsg(char *dst, size_t cap, const gnbv_numstyle *st, const char *fmt, va_list ap)
{
	gnbv_sb sb;
	gnbv_sb_init(&sb, dst, cap);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%' || !p[1]) {
			gnbv_sb_putn(&sb, p, 1);
			continue;
		}
		char ch;
		switch (*++p) {
		case 's': gnbv_sb_put(&sb, va_arg(ap, const char *)); break;
		case 'd':
			gnbv_sb_int(&sb, va_arg(ap, int), &GNBV_NUM_PLAIN);
			break; /* years, ids */
		case 'D': gnbv_sb_int(&sb, va_arg(ap, int64_t), st); break;
		case 'z': gnbv_sb_int(&sb, (int64_t)va_arg(ap, size_t), st); break;
		case 'c':
			ch = (char)va_arg(ap, int);
			gnbv_sb_putn(&sb, &ch, 1);
			break;
		case 'g': gnbv_sb_dec(&sb, va_arg(ap, double), 2, st); break;
		case '0': gnbv_sb_dec(&sb, va_arg(ap, double), 0, st); break;
		default: gnbv_sb_putn(&sb, p, 1); break;
		}
	}
}

/* The English message (plain numbers, for logs and JSON). */
static void msg(gnbv_finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(f->message, sizeof f->message, &GNBV_NUM_PLAIN, fmt, ap);
	va_end(ap);
}

/* The Vietnamese message (Vietnamese number format), for officers. */
static void msg_vi(gnbv_finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(f->message_vi, sizeof f->message_vi, &GNBV_NUM_VI, fmt, ap);
	va_end(ap);
}

static void add_line(gnbv_finding *f, const char *id)
{
	if (f->n_lines < GNBV_FINDING_MAX_LINES) f->lines[f->n_lines++] = id;
	f->n_lines_total++;
}

static int emit(run *r, gnbv_finding *f)
{
	r->n++;
	return r->fn ? r->fn(r->ctx, f) : 0;
}

static void start(gnbv_finding *f, int kind, int section, const char *subject)
{
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->section = section;
	f->subject = subject;
}

static int is_state_budget(int source)
{
	return source == GNBV_SRC_CENTRAL || source == GNBV_SRC_STATE || source == GNBV_SRC_LOCAL;
}

static int check_lines(const gnbv_plan *p, const gnbv_program *prog, run *r)
{
	gnbv_finding f;
	int rc;
	for (size_t i = 0; i < p->n_lines; i++) {
		const gnbv_plan_line *l = &p->lines[i];
		int want = l->section ? p->plan_year : p->report_year;
		if (l->year != want) {
			start(&f, GNBV_FIND_YEAR_MISMATCH, l->section, l->id);
			add_line(&f, l->id);
			f.stated_d = l->year;
			f.computed_d = want;
			msg(&f, "line %s is for %d but sits in section %c, which is year %d", l->id,
			    l->year, 'A' + l->section, want);
			msg_vi(&f, "dòng %s ghi năm %d nhưng nằm ở phần %c, là phần của năm %d",
			       l->id, l->year, 'A' + l->section, want);
			if ((rc = emit(r, &f))) return rc;
		}
		int bad_stage = l->section == 0 ? l->stage == GNBV_STAGE_PROPOSED
		                                : (l->stage == GNBV_STAGE_DISBURSED ||
		                                   l->stage == GNBV_STAGE_EST_DISBURSED);
		if (bad_stage) {
			start(&f, GNBV_FIND_STAGE_MISMATCH, l->section, l->id);
			add_line(&f, l->id);
			msg(&f, "line %s is %s, which section %c (%s) cannot hold", l->id,
			    gnbv_stage_code(l->stage), 'A' + l->section,
			    l->section ? "the proposal" : "the report");
			msg_vi(&f, "dòng %s có giai đoạn \"%s\", phần %c (%s) không thể có", l->id,
			       gnbv_stage_label(l->stage, "vi"), 'A' + l->section,
			       l->section ? "phần đề xuất" : "phần báo cáo");
			if ((rc = emit(r, &f))) return rc;
		}
		if (!prog) continue;
		const gnbv_component *c =
		    l->component ? gnbv_program_component(prog, l->component) : NULL;
		if (l->component && !c) {
			start(&f, GNBV_FIND_UNKNOWN_COMPONENT, l->section, l->id);
			add_line(&f, l->id);
			msg(&f, "line %s names component %s, which program %s does not have", l->id,
			    l->component, prog->code);
			msg_vi(&f, "dòng %s ghi dự án %s, không có trong Chương trình %s", l->id,
			       l->component, prog->code);
			if ((rc = emit(r, &f))) return rc;
			continue;
		}
		if (is_state_budget(l->source) && l->capital == GNBV_CAP_NONE) {
			start(&f, GNBV_FIND_CAPITAL_MISSING, l->section, l->id);
			add_line(&f, l->id);
			msg(&f, "line %s is state-budget money (%s) without a capital type", l->id,
			    gnbv_source_code(l->source));
			msg_vi(&f,
			       "dòng %s là vốn ngân sách (%s) nhưng không ghi loại vốn ĐTPT hay SN",
			       l->id, gnbv_source_label(l->source, "vi"));
			if ((rc = emit(r, &f))) return rc;
		} else if (c && l->capital != GNBV_CAP_NONE &&
		           !(c->capital_mask & (1u << l->capital))) {
			start(&f, GNBV_FIND_CAPITAL_NOT_ALLOWED, l->section, l->id);
			add_line(&f, l->id);
			msg(&f, "line %s is %s capital, which %s may not use (it may use %s%s%s)",
			    l->id, gnbv_capital_code(l->capital), c->code,
			    c->capital_mask & (1u << GNBV_CAP_DTPT) ? "DTPT" : "",
			    (c->capital_mask & 6u) == 6u ? " and " : "",
			    c->capital_mask & (1u << GNBV_CAP_SN) ? "SN" : "");
			msg_vi(&f,
			       "dòng %s là vốn %s, %s không được dùng loại vốn này (chỉ được dùng "
			       "%s%s%s)",
			       l->id, gnbv_capital_label(l->capital, "vi"), c->code,
			       c->capital_mask & (1u << GNBV_CAP_DTPT) ? "ĐTPT" : "",
			       (c->capital_mask & 6u) == 6u ? " và " : "",
			       c->capital_mask & (1u << GNBV_CAP_SN) ? "SN" : "");
			if ((rc = emit(r, &f))) return rc;
		}
	}
	return 0;
}

static int check_totals(const gnbv_plan *p, run *r)
{
	gnbv_finding f;
	for (size_t i = 0; i < p->n_totals; i++) {
		const gnbv_plan_total *t = &p->totals[i];
		start(&f, GNBV_FIND_STATED_TOTAL, t->section, t->id);
		int64_t sum = 0;
		for (size_t k = 0; k < p->n_lines; k++) {
			const gnbv_plan_line *l = &p->lines[k];
			if (!gnbv_plan_filter_match(&t->filter, l)) continue;
			sum += l->amount_vnd;
			add_line(&f, l->id);
		}
		if (sum == t->amount_vnd) continue;
		f.stated = t->amount_vnd;
		f.computed = sum;
		msg(&f,
		    "stated total %s (%s%s%s) is %D VND but its %z lines add up to %D VND "
		    "(difference %D)",
		    t->id, t->what ? t->what : "", t->where ? ", " : "", t->where ? t->where : "",
		    (int64_t)t->amount_vnd, f.n_lines_total, (int64_t)sum,
		    (int64_t)(sum - t->amount_vnd));
		msg_vi(
		    &f,
		    "tổng %s%s%s ghi %D đồng nhưng %z dòng tương ứng cộng lại %D đồng (chênh %D)",
		    t->id, t->where ? " tại " : "", t->where ? t->where : "",
		    (int64_t)t->amount_vnd, f.n_lines_total, (int64_t)sum,
		    (int64_t)(sum - t->amount_vnd));
		int rc = emit(r, &f);
		if (rc) return rc;
	}
	return 0;
}

/* Disbursement per (section, year, component, capital, source) against the
 * allocation of the same key. Lines without a component are grouped as
 * one "no component" key. */
static int same_key(const gnbv_plan_line *a, const gnbv_plan_line *b)
{
	return a->section == b->section && a->year == b->year && a->capital == b->capital &&
	       a->source == b->source &&
	       (a->component == b->component ||
	        (a->component && b->component && strcmp(a->component, b->component) == 0));
}

static int check_disbursement(const gnbv_plan *p, run *r)
{
	gnbv_finding f;
	for (int stage = GNBV_STAGE_DISBURSED; stage <= GNBV_STAGE_EST_DISBURSED; stage++) {
		for (size_t i = 0; i < p->n_lines; i++) {
			const gnbv_plan_line *l = &p->lines[i];
			if (l->stage != stage) continue;
			/* Report each key once: at its first line of this stage. */
			size_t first;
			for (first = 0; first < i; first++)
				if (p->lines[first].stage == stage && same_key(&p->lines[first], l))
					break;
			if (first < i) continue;
			start(&f, GNBV_FIND_OVER_DISBURSED, l->section, l->id);
			int64_t paid = 0, alloc = 0;
			for (size_t k = 0; k < p->n_lines; k++) {
				const gnbv_plan_line *m = &p->lines[k];
				if (!same_key(m, l)) continue;
				if (m->stage == stage) {
					paid += m->amount_vnd;
					add_line(&f, m->id);
				} else if (m->stage == GNBV_STAGE_ALLOCATED) {
					alloc += m->amount_vnd;
					add_line(&f, m->id);
				}
			}
			if (paid <= alloc) continue;
			f.stated = alloc;
			f.computed = paid;
			msg(&f, "%s %s %s: %s %D VND is above the %D VND allocated",
			    l->component ? l->component : "(no component)",
			    l->capital ? gnbv_capital_code(l->capital) : "-",
			    gnbv_source_code(l->source), gnbv_stage_code(stage), (int64_t)paid,
			    (int64_t)alloc);
			msg_vi(&f, "%s %s %s: %s %D đồng, vượt kế hoạch giao %D đồng",
			       l->component ? l->component : "(không ghi dự án)",
			       l->capital ? gnbv_capital_label(l->capital, "vi") : "-",
			       gnbv_source_label(l->source, "vi"), gnbv_stage_label(stage, "vi"),
			       (int64_t)paid, (int64_t)alloc);
			int rc = emit(r, &f);
			if (rc) return rc;
		}
	}
	return 0;
}

static int target_year(const gnbv_plan *p, const gnbv_plan_target *t)
{
	return t->year ? t->year : (t->section ? p->plan_year : p->report_year);
}

/* The households a count-with-rate target implies, as the interval the
 * rate's written precision allows (a rate written with two decimals is
 * within 0.005 points of the true one). */
static void implied_total(const gnbv_plan_target *t, double *lo, double *hi)
{
	double half = 0.005;
	*lo = t->households / ((t->rate_percent + half) / 100.0);
	*hi = t->households / ((t->rate_percent - half) / 100.0);
}

static int check_targets(const gnbv_plan *p, run *r)
{
	gnbv_finding f;
	int rc;
	for (size_t i = 0; i < p->n_targets; i++) {
		const gnbv_plan_target *a = &p->targets[i];
		for (size_t j = i + 1; j < p->n_targets; j++) {
			const gnbv_plan_target *b = &p->targets[j];
			if (strcmp(a->indicator, b->indicator) ||
			    target_year(p, a) != target_year(p, b))
				continue;
			/* One indicator, one year: the values must agree. */
			double va = a->has_value        ? a->value
			            : a->has_households ? a->households
			                                : NAN;
			double vb = b->has_value        ? b->value
			            : b->has_households ? b->households
			                                : NAN;
			const char *ca = a->comparator ? a->comparator : "=";
			const char *cb = b->comparator ? b->comparator : "=";
			int differ = (isnan(va) != isnan(vb)) ||
			             (!isnan(va) && fabs(va - vb) > 1e-9) || strcmp(ca, cb) != 0;
			if (isnan(va) && isnan(vb)) differ = 0;
			if (!differ) continue;
			start(&f, GNBV_FIND_TARGETS_CONFLICT, a->section, a->id);
			add_line(&f, a->id);
			add_line(&f, b->id);
			f.stated_d = va;
			f.computed_d = vb;
			msg(&f, "targets %s and %s set %s for %d twice: %s %g%s%s and %s %g%s%s",
			    a->id, b->id, a->indicator, target_year(p, a), ca, va,
			    a->unit ? " " : "", a->unit ? a->unit : "", cb, vb, b->unit ? " " : "",
			    b->unit ? b->unit : "");
			msg_vi(&f,
			       "chỉ tiêu %s và %s cùng đặt %s cho năm %d nhưng khác nhau: %s %g và "
			       "%s %g",
			       a->id, b->id, a->indicator, target_year(p, a), ca, va, cb, vb);
			if ((rc = emit(r, &f))) return rc;
		}
	}
	/* Counts with rates: the households they imply must overlap. */
	for (size_t i = 0; i < p->n_targets; i++) {
		const gnbv_plan_target *a = &p->targets[i];
		if (!a->has_households || !a->has_rate || a->rate_percent <= 0.005) continue;
		for (size_t j = i + 1; j < p->n_targets; j++) {
			const gnbv_plan_target *b = &p->targets[j];
			if (!b->has_households || !b->has_rate || b->rate_percent <= 0.005)
				continue;
			double alo, ahi, blo, bhi;
			implied_total(a, &alo, &ahi);
			implied_total(b, &blo, &bhi);
			if (alo <= bhi && blo <= ahi) continue;
			start(&f, GNBV_FIND_TARGETS_CONFLICT, a->section, a->id);
			add_line(&f, a->id);
			add_line(&f, b->id);
			f.stated_d = a->households / (a->rate_percent / 100.0);
			f.computed_d = b->households / (b->rate_percent / 100.0);
			msg(&f,
			    "targets %s (%g households = %g%%) and %s (%g households = %g%%) imply "
			    "different totals: %0 and %0 households",
			    a->id, a->households, a->rate_percent, b->id, b->households,
			    b->rate_percent, f.stated_d, f.computed_d);
			msg_vi(&f,
			       "chỉ tiêu %s (%g hộ, chiếm %g%%) và %s (%g hộ, chiếm %g%%) suy ra "
			       "tổng số "
			       "hộ khác nhau: %0 và %0 hộ",
			       a->id, a->households, a->rate_percent, b->id, b->households,
			       b->rate_percent, f.stated_d, f.computed_d);
			if ((rc = emit(r, &f))) return rc;
		}
	}
	return 0;
}

int gnbv_plan_check(const gnbv_plan *p, const gnbv_program *prog, gnbv_finding_fn fn, void *ctx,
                    size_t *n_findings)
{
	run r = {fn, ctx, 0};
	int rc;
	if ((rc = check_lines(p, prog, &r)) || (rc = check_totals(p, &r)) ||
	    (rc = check_disbursement(p, &r)) || (rc = check_targets(p, &r)))
		goto done;
done:
	if (n_findings) *n_findings = r.n;
	return rc;
}
