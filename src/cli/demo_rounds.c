/*
 * demo_rounds.c - the two review rounds of the demo district, as files.
 *
 * The seed says Hà Quảng had 5,546 poor households, 39.59%, at the start of
 * 2022 (the 2021 review under the 2022-2026 standard) and aims at 32.59% by
 * the end of 2023. The demo must show exactly the first figure, from the
 * engine. So the 2021 round is a sample of a larger generated pool: the pool
 * is classified, then households are drawn without replacement (selection
 * sampling, Knuth's Algorithm S, seeded) so that exactly the target numbers
 * of poor and other households are taken, spread evenly over the communes.
 * Each household's class is still what the engine made of its members.
 *
 * The 2022 round is the same households a year on: most surveys are
 * unchanged (the members are a year older), a share of poor households
 * escaped through income (their per-capita income rises above the line,
 * the usual way out), and a few non-poor households with three or more
 * deficits fall below the line. The engine reclassifies every one.
 */
#include "demo_rounds.h"

#include "gnbv/error.h"

#include "io/csv.h"
#include "io/outfile.h"
#include "io/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t next_rand(uint64_t *s)
{
	/* splitmix64: reproducible, good enough for sampling */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double uniform(uint64_t *s) { return (double)(next_rand(s) >> 11) / 9007199254740992.0; }

/* What the demo needs of each pool household: its class and deficits. */
typedef struct pool_row {
	unsigned char poor, deficits;
} pool_row;

static int col_index(const gnbv_csv *c, const char *name)
{
	for (size_t i = 0; i < gnbv_csv_nfields(c); i++)
		if (!strcmp(gnbv_csv_column(c, i), name)) return (int)i;
	return -1;
}

static int read_pool(const char *path, pool_row **out, size_t *n)
{
	gnbv_csv *c = NULL;
	pool_row *v = NULL;
	size_t cap = 0;
	*n = 0;
	int rc = gnbv_csv_open(&c, path);
	if (rc) return rc;
	if ((rc = gnbv_csv_next(c)) != 1 || (rc = gnbv_csv_take_header(c))) goto done;
	int kc = col_index(c, "class"), dc = col_index(c, "deficits");
	if (kc < 0 || dc < 0) {
		rc = gnbv_error_set(GNBV_EINVALID, "%s: not an assessments.csv", path);
		goto done;
	}
	while ((rc = gnbv_csv_next(c)) == 1) {
		const gnbv_csv_field *f = gnbv_csv_fields(c);
		if (*n == cap) {
			cap = cap ? cap * 2 : 16384;
			pool_row *nv = realloc(v, cap * sizeof *nv);
			if (!nv) {
				rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
				goto done;
			}
			v = nv;
		}
		v[*n].poor = f[kc].len == 4 && !memcmp(f[kc].p, "poor", 4);
		v[*n].deficits = (unsigned char)(f[dc].len ? f[dc].p[0] - '0' : 0);
		if (f[dc].len == 2) v[*n].deficits = (unsigned char)(10 * v[*n].deficits + f[dc].p[1] - '0');
		(*n)++;
	}
done:
	gnbv_csv_free(c);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	return 0;
}

static int write_row(gnbv_out *o, const gnbv_csv *c, int replace_col, const char *replacement,
		     int replace_col2, const char *replacement2)
{
	const gnbv_csv_field *f = gnbv_csv_fields(c);
	for (size_t i = 0; i < gnbv_csv_nfields(c); i++) {
		if (i) gnbv_out_char(o, ',');
		if ((int)i == replace_col && replacement) gnbv_out_str(o, replacement);
		else if ((int)i == replace_col2 && replacement2) gnbv_out_str(o, replacement2);
		else gnbv_out_cell(o, f[i].p, f[i].len);
	}
	return gnbv_out_char(o, '\n');
}

static int write_header(gnbv_out *o, const gnbv_csv *c)
{
	for (size_t i = 0; i < gnbv_csv_nfields(c); i++) {
		if (i) gnbv_out_char(o, ',');
		gnbv_out_str(o, gnbv_csv_column(c, i));
	}
	return gnbv_out_char(o, '\n');
}

/* The change a household undergoes between the rounds. */
enum { KEEP, ESCAPE, FALL };

int gnbv_demo_rounds(const gnbv_demo_rounds_opts *o, gnbv_demo_rounds_stats *st)
{
	int rc = 0;
	pool_row *pool = NULL;
	size_t npool = 0;
	gnbv_csv *hc = NULL, *mc = NULL;
	gnbv_out *h21 = NULL, *m21 = NULL, *h22 = NULL, *m22 = NULL;
	gnbv_units *units = NULL;
	char path[4096], d21[4096], d22[4096];
	memset(st, 0, sizeof *st);

	snprintf(path, sizeof path, "%s/assessments.csv", o->pool_dir);
	if ((rc = read_pool(path, &pool, &npool))) goto done;
	uint64_t pool_poor = 0;
	for (size_t i = 0; i < npool; i++) pool_poor += pool[i].poor;
	uint64_t want_poor = o->poor_2021, want_other = o->households - o->poor_2021;
	if (pool_poor < want_poor || npool - pool_poor < want_other) {
		rc = gnbv_error_set(GNBV_EINVALID, "the pool (%zu households, %llu poor) cannot give %llu poor of %llu",
				    npool, (unsigned long long)pool_poor, (unsigned long long)want_poor,
				    (unsigned long long)o->households);
		goto done;
	}
	if ((rc = gnbv_units_load(&units, NULL))) goto done;

	snprintf(d21, sizeof d21, "%s/round-2021", o->out_dir);
	snprintf(d22, sizeof d22, "%s/round-2022", o->out_dir);
	mkdir(d21, 0755);
	mkdir(d22, 0755);
	snprintf(path, sizeof path, "%s/households.csv", o->pool_dir);
	if ((rc = gnbv_csv_open(&hc, path))) goto done;
	snprintf(path, sizeof path, "%s/members.csv", o->pool_dir);
	if ((rc = gnbv_csv_open(&mc, path))) goto done;
	if ((rc = gnbv_csv_next(hc)) != 1 || (rc = gnbv_csv_take_header(hc)) || (rc = gnbv_csv_next(mc)) != 1 ||
	    (rc = gnbv_csv_take_header(mc)))
		goto done;
	int h_id = col_index(hc, "household_id"), h_unit = col_index(hc, "unit_code");
	int h_area = col_index(hc, "area"), h_inc = col_index(hc, "income_month");
	int h_score = col_index(hc, "income_score"), m_id = col_index(mc, "household_id");
	if (h_id < 0 || h_unit < 0 || h_area < 0 || h_inc < 0 || h_score < 0 || m_id < 0) {
		rc = gnbv_error_set(GNBV_EINVALID, "%s: the generator's columns are missing", o->pool_dir);
		goto done;
	}
	if ((rc = gnbv_out_open(&h21, d21, "households.csv")) || (rc = gnbv_out_open(&m21, d21, "members.csv")) ||
	    (rc = gnbv_out_open(&h22, d22, "households.csv")) || (rc = gnbv_out_open(&m22, d22, "members.csv")) ||
	    (rc = write_header(h21, hc)) || (rc = write_header(h22, hc)) || (rc = write_header(m21, mc)) ||
	    (rc = write_header(m22, mc)))
		goto done;

	uint64_t rnd = o->seed * 0x2545F4914F6CDD1Dull + 7;
	uint64_t left_poor = pool_poor, left_other = npool - pool_poor;
	uint64_t need_poor = want_poor, need_other = want_other;
	/* Among the households taken: how many escape, how many fall. */
	uint64_t esc_left = o->escapes, esc_pool = want_poor;
	uint64_t fall_left = o->falls, fall_pool = 0;
	for (size_t i = 0; i < npool; i++)
		if (!pool[i].poor && pool[i].deficits >= 3) fall_pool++;
	/* fall_pool counts candidates in the whole pool; the share taken is
	 * want_other / (npool - pool_poor), so scale the draw to it. */
	double fall_p = fall_pool ? (double)o->falls / ((double)fall_pool * (double)want_other /
						      (double)(npool - pool_poor))
				  : 0;

	int mrc = gnbv_csv_next(mc);
	for (size_t i = 0; i < npool; i++) {
		if ((rc = gnbv_csv_next(hc)) != 1) {
			rc = rc < 0 ? rc : gnbv_error_set(GNBV_EINVALID, "%s: fewer households than assessments", o->pool_dir);
			goto done;
		}
		rc = 0;
		int take;
		if (pool[i].poor) {
			take = uniform(&rnd) * (double)left_poor < (double)need_poor;
			left_poor--;
			need_poor -= (uint64_t)take;
		} else {
			take = uniform(&rnd) * (double)left_other < (double)need_other;
			left_other--;
			need_other -= (uint64_t)take;
		}
		int change = KEEP;
		if (take && pool[i].poor) {
			if (uniform(&rnd) * (double)esc_pool < (double)esc_left) {
				change = ESCAPE;
				esc_left--;
			}
			esc_pool--;
		} else if (take && pool[i].deficits >= 3 && fall_left && uniform(&rnd) < fall_p) {
			change = FALL;
			fall_left--;
		}
		const gnbv_csv_field *f = gnbv_csv_fields(hc);
		char id[128];
		snprintf(id, sizeof id, "%.*s", (int)f[h_id].len, f[h_id].p);
		if (take) {
			char inc[32], score[32];
			const char *new_inc = NULL, *new_score = NULL;
			int urban = f[h_area].len ? f[h_area].p[0] == 'u'
						  : gnbv_units_area(units, f[h_unit].p, f[h_unit].len) == 1;
			/* 2022-2026 lines (data/standards/vn-2022-2026.json): 1.5 M / 2.0 M
			 * VND, or 140 / 175 points. */
			long line = urban ? 2000000 : 1500000, sline = urban ? 175 : 140;
			if (change == ESCAPE) {
				snprintf(inc, sizeof inc, "%ld", line + 10000 * (1 + (long)(uniform(&rnd) * 60)));
				snprintf(score, sizeof score, "%ld", sline + 1 + (long)(uniform(&rnd) * 30));
			} else if (change == FALL) {
				snprintf(inc, sizeof inc, "%ld", line - 10000 * (1 + (long)(uniform(&rnd) * 50)));
				snprintf(score, sizeof score, "%ld", sline - 1 - (long)(uniform(&rnd) * 30));
			}
			if (change != KEEP) {
				new_inc = inc;
				if (f[h_score].len) new_score = score;
				if (f[h_inc].len == 0 && f[h_score].len == 0) new_inc = NULL; /* stays incomplete */
			}
			if ((rc = write_row(h21, hc, -1, NULL, -1, NULL)) ||
			    (rc = write_row(h22, hc, h_inc, new_inc, h_score, new_score)))
				goto done;
			st->households++;
			st->escapes += change == ESCAPE;
			st->falls += change == FALL;
		}
		/* The household's members follow it (gnbv gen writes them grouped). */
		while (mrc == 1) {
			const gnbv_csv_field *mf = gnbv_csv_fields(mc);
			if (mf[m_id].len != strlen(id) || memcmp(mf[m_id].p, id, mf[m_id].len)) break;
			if (take && ((rc = write_row(m21, mc, -1, NULL, -1, NULL)) ||
				     (rc = write_row(m22, mc, -1, NULL, -1, NULL))))
				goto done;
			mrc = gnbv_csv_next(mc);
		}
		if (mrc < 0) {
			rc = mrc;
			goto done;
		}
	}
	gnbv_out **outs[4] = {&h21, &m21, &h22, &m22};
	for (int k = 0; k < 4 && !rc; k++) {
		rc = gnbv_out_commit(*outs[k]);
		*outs[k] = NULL;
	}
done:
	gnbv_out_abort(h21);
	gnbv_out_abort(m21);
	gnbv_out_abort(h22);
	gnbv_out_abort(m22);
	gnbv_csv_free(hc);
	gnbv_csv_free(mc);
	gnbv_units_free(units);
	free(pool);
	return rc < 0 ? rc : 0;
}
