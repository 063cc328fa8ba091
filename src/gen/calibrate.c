/*
 * calibrate.c - refits the profile table's `mu` and `dshift` (profiles.c).
 *
 * Every region row has two fitted parameters and two targets (poor and
 * near-poor shares). This file generates a large sample in memory with the
 * row values, classifies each household with the engine (gnbv_assess under
 * the profile's standard, on its reference date, exactly as `gnbv classify`
 * would read the files back: tests/unit/test_gen.c checks that the rows
 * round-trip), and takes damped Newton steps with a finite-difference
 * Jacobian, all regions at once (they do not interact). It reports each
 * iteration and the fitted rows, to be pasted into profiles.c; it writes
 * no file. Run it after changing the household model or the standard:
 * `gnbv gen --calibrate --profile nation` (docs/gen.md).
 */
#include "gen_internal.h"

#include "gnbv/error.h"
#include "gnbv/standard.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REGIONS 16

typedef struct tally {
	const gnbv_standard *std;
	int32_t ref;
	double n[MAX_REGIONS], poor[MAX_REGIONS], near_poor[MAX_REGIONS];
	double total, total_poor, total_near;
} tally;

static int count(void *ctx, const gen_unit *u, const char *id, size_t id_len, const gen_hh *h)
{
	tally *t = ctx;
	gnbv_assessment a;
	(void)id;
	(void)id_len;
	gnbv_assess(t->std, t->ref, &h->h, h->m, h->n, &a, NULL);
	int r = u->region;
	t->n[r]++;
	t->poor[r] += a.klass == GNBV_CLASS_POOR;
	t->near_poor[r] += a.klass == GNBV_CLASS_NEAR_POOR;
	t->total++;
	t->total_poor += a.klass == GNBV_CLASS_POOR;
	t->total_near += a.klass == GNBV_CLASS_NEAR_POOR;
	return 0;
}

static int measure(const gen_profile *p, const gen_units *t, uint64_t seed,
		   const gnbv_standard *std, tally *out)
{
	memset(out, 0, sizeof *out);
	out->std = std;
	out->ref = p->ref_date;
	return gen_generate(p, t, seed, std, count, out);
}

static double pct(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0; }

static void say(gnbv_gen_report_fn report, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(gnbv_gen_report_fn report, void *ctx, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	report(ctx, line);
}

static void report_rates(const gen_profile *p, const tally *t, int it, gnbv_gen_report_fn report,
			 void *ctx)
{
	say(report, ctx, "iteration %d: poor %.2f%% (target %.2f), near-poor %.2f%% (target %.2f)", it,
	    pct(t->total_poor, t->total), p->poor, pct(t->total_near, t->total), p->near_poor);
	for (int r = 0; r < p->n_regions; r++) {
		if (t->n[r] == 0) continue;
		const gen_region *g = &p->regions[r];
		say(report, ctx, "  %-5s %8.0f households: poor %6.2f%% (%.2f) near-poor %5.2f%% (%.2f)  mu %.4f dshift %.4f",
		    g->code, t->n[r], pct(t->poor[r], t->n[r]), g->poor, pct(t->near_poor[r], t->n[r]),
		    g->near_poor, g->mu, g->dshift);
	}
}

int gnbv_gen_calibrate(const gnbv_gen_opts *o, int iterations, gnbv_gen_report_fn report,
		       void *ctx)
{
	int rc;
	gen_units t = {0};
	gnbv_standard *std = NULL;
	tally *tl = NULL;
	const char *name = o->profile ? o->profile : "poor-district";
	const gen_profile *base = gen_profile_find(name);
	if (!base) return gnbv_error_set(GNBV_EINVALID, "unknown profile '%s'", name);
	if (base->n_regions > MAX_REGIONS)
		return gnbv_error_set(GNBV_ETOOBIG, "profile '%s' has too many regions", name);
	gen_profile p = *base;
	gen_region rows[MAX_REGIONS];
	memcpy(rows, base->regions, (size_t)base->n_regions * sizeof rows[0]);
	p.regions = rows;
	uint64_t n = o->households ? o->households : 400000;
	uint64_t seed = o->seed;

	std = malloc(sizeof *std);
	tl = malloc(3 * sizeof *tl);
	if (!std || !tl) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = gnbv_standard_load(std, p.standard)) || (rc = gen_units_build(&t, &p, o->units_path)))
		goto done;
	gen_units_allocate(&t, n);
	say(report, ctx, "calibrating %s on %llu households (seed %llu) against %s as of %04d-%02d-%02d",
	    p.name, (unsigned long long)n, (unsigned long long)seed, p.standard, p.ref_date / 10000,
	    p.ref_date / 100 % 100, p.ref_date % 100);

	const double h = 0.1; /* finite-difference step, in units of z and of logit */
	for (int it = 0;; it++) {
		tally *t0 = &tl[0], *tm = &tl[1], *td = &tl[2];
		if ((rc = measure(&p, &t, seed, std, t0))) goto done;
		report_rates(&p, t0, it, report, ctx);
		if (it == iterations) break;
		for (int r = 0; r < p.n_regions; r++) rows[r].mu += h;
		if ((rc = measure(&p, &t, seed, std, tm))) goto done;
		for (int r = 0; r < p.n_regions; r++) {
			rows[r].mu -= h;
			rows[r].dshift += h;
		}
		if ((rc = measure(&p, &t, seed, std, td))) goto done;
		for (int r = 0; r < p.n_regions; r++) rows[r].dshift -= h;
		double damp = it < 3 ? 1.0 : 0.6;
		for (int r = 0; r < p.n_regions; r++) {
			if (t0->n[r] == 0) continue;
			double p0 = pct(t0->poor[r], t0->n[r]), q0 = pct(t0->near_poor[r], t0->n[r]);
			double f1 = p0 - rows[r].poor, f2 = q0 - rows[r].near_poor;
			double a = (pct(tm->poor[r], tm->n[r]) - p0) / h;
			double b = (pct(td->poor[r], td->n[r]) - p0) / h;
			double c = (pct(tm->near_poor[r], tm->n[r]) - q0) / h;
			double d = (pct(td->near_poor[r], td->n[r]) - q0) / h;
			double det = a * d - b * c;
			if (det == 0) continue;
			double dm = (d * f1 - b * f2) / det, dd = (-c * f1 + a * f2) / det;
			dm = dm > 0.5 ? 0.5 : dm < -0.5 ? -0.5 : dm;
			dd = dd > 0.5 ? 0.5 : dd < -0.5 ? -0.5 : dd;
			rows[r].mu -= damp * dm;
			rows[r].dshift -= damp * dd;
		}
	}
	say(report, ctx, "fitted rows (mu, dshift) for src/gen/profiles.c:");
	for (int r = 0; r < p.n_regions; r++)
		say(report, ctx, "  %-5s %.4f, %.4f%s", rows[r].code, rows[r].mu, rows[r].dshift,
		    tl[0].n[r] > 0 ? "" : "  (no unit of this region: unchanged)");
done:
	gen_units_free(&t);
	free(std);
	free(tl);
	return rc;
}
