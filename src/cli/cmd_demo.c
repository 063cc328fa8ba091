/*
 * cmd_demo.c - `gnbv [--db PATH] demo`: the seed's district, end to end.
 *
 * Builds a database with Hà Quảng (Cao Bằng): its 21 communes and towns and
 * a synthetic registry of 14,008 households in two review rounds. The 2021
 * round (assessed under the 2022-2026 standard, as QĐ 4310/QĐ-UBND approved
 * it "theo chuẩn nghèo đa chiều giai đoạn 2022 - 2025") shows the seed's
 * 5,546 poor households, 39.59%; the 2022 round, a year on, about the
 * 32.59% the district aims at. The classes come from the engine classifying
 * the generated members (demo_rounds.c says how the rounds are drawn),
 * never from classes set directly. Prints the summary by commune.
 */
#include "cli.h"

#include "gnbv/classify.h"
#include "gnbv/error.h"
#include "gnbv/gen.h"

#include "cmd_db.h"
#include "cmd_plan.h"
#include "cmd_review.h"
#include "demo_rounds.h"
#include "io/csv.h"
#include "io/units.h"
#include "util/numfmt.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The seed's figures (Hà Quảng's 2023 plan, section A.II): "Đầu năm 2022
 * toàn huyện có 5.546 hộ, chiếm tỷ lệ 39,59%". 5,546 / 0.3959 = 14,008. */
#define SEED_POOR 5546
#define SEED_RATE 39.59
#define DEMO_HOUSEHOLDS 14008
/* Section B of the seed: "đưa số hộ nghèo cuối năm 2023 còn 4.564 hộ,
 * chiếm tỷ lệ 32,59%". The 2022 round aims at that share. */
#define SEED_RATE_2023 32.59

typedef struct commune {
	char code[16];
	const char *name;
	uint64_t households, members, poor, near_poor, average;
	uint64_t households2, poor2; /* the 2022 round */
} commune;


static int find_or_add(commune *c, size_t *n, size_t cap, const char *code, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(c[i].code, code)) return (int)i;
	if (*n == cap || strlen(code) >= sizeof c->code) return -1;
	memset(&c[*n], 0, sizeof *c);
	snprintf(c[*n].code, sizeof c[*n].code, "%s", code);
	c[*n].name = name;
	return (int)(*n)++;
}

static uint64_t field_u64(const gnbv_csv_field *f)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < f->len && f->p[i] >= '0' && f->p[i] <= '9'; i++) v = v * 10 + (uint64_t)(f->p[i] - '0');
	return v;
}

/* Reads summary.csv back and rolls villages up into their communes. */
static int roll_up(const char *path, const gnbv_units *units, commune *c, size_t *n, size_t cap,
		   int second)
{
	gnbv_csv *csv = NULL;
	int rc = gnbv_csv_open(&csv, path);
	if (rc) return rc;
	if ((rc = gnbv_csv_next(csv)) != 1 || (rc = gnbv_csv_take_header(csv))) goto done;
	while ((rc = gnbv_csv_next(csv)) == 1) {
		const gnbv_csv_field *f = gnbv_csv_fields(csv);
		if (gnbv_csv_nfields(csv) < 7 || (f[0].len == 1 && f[0].p[0] == '*')) continue;
		gnbv_unit_info u;
		const char *code = "?", *name = "?";
		if (gnbv_units_get(units, f[0].p, f[0].len, &u) == 0) {
			code = u.code;
			name = u.name;
			gnbv_unit_info p;
			if (!strcmp(u.level, "village") &&
			    gnbv_units_get(units, u.parent_code, strlen(u.parent_code), &p) == 0) {
				code = p.code;
				name = p.name;
			}
		}
		int i = find_or_add(c, n, cap, code, name);
		if (i < 0) {
			rc = gnbv_error_set(GNBV_ETOOBIG, "too many communes in %s", path);
			goto done;
		}
		if (second) {
			c[i].households2 += field_u64(&f[1]);
			c[i].poor2 += field_u64(&f[3]);
			continue;
		}
		c[i].households += field_u64(&f[1]);
		c[i].members += field_u64(&f[2]);
		c[i].poor += field_u64(&f[3]);
		c[i].near_poor += field_u64(&f[4]);
		c[i].average += field_u64(&f[5]);
	}
done:
	gnbv_csv_free(csv);
	return rc < 0 ? rc : 0;
}

static int classify_dir(const char *dir, int32_t as_of, int english, gnbv_classify_stats *cs)
{
	char h[4096], m[4096];
	snprintf(h, sizeof h, "%s/households.csv", dir);
	snprintf(m, sizeof m, "%s/members.csv", dir);
	gnbv_classify_opts co = {0};
	co.households_path = h;
	co.members_path = m;
	co.out_dir = dir;
	co.standard = "vn-2022-2026";
	co.as_of = as_of;
	co.explain = true;
	co.english = english;
	co.warn = gnbv_cli_warn;
	return gnbv_classify(&co, cs);
}

static int import_round(gnbv_store *s, const char *dir, int year, gnbv_import_stats *st)
{
	char h[4096], m[4096];
	snprintf(h, sizeof h, "%s/households.csv", dir);
	snprintf(m, sizeof m, "%s/members.csv", dir);
	gnbv_scope all;
	gnbv_store_scope_all(&all);
	gnbv_import_opts io = GNBV_IMPORT_OPTS_INIT;
	io.households_path = h;
	io.members_path = m;
	io.round.kind = GNBV_ROUND_PERIODIC;
	io.round.year = year; /* reference date year-10-01, standard of year+1 */
	io.warn = gnbv_cli_warn;
	return gnbv_store_import(s, &all, &io, st);
}

static int count_round(gnbv_store *s, int year, uint64_t *households, uint64_t *poor)
{
	gnbv_scope all;
	gnbv_store_scope_all(&all);
	gnbv_round_ref r = {GNBV_ROUND_PERIODIC, year, 0, NULL};
	int rc = gnbv_store_household_count(s, &all, &r, -1, households);
	return rc ? rc : gnbv_store_household_count(s, &all, &r, GNBV_CLASS_POOR, poor);
}

int gnbv_cmd_demo(const gnbv_cli *g, int argc, char **argv)
{
	static const struct option opts[] = {{"households", required_argument, 0, 'n'},
					     {"out", required_argument, 0, 'o'},
					     {"seed", required_argument, 0, 's'},
					     {0, 0, 0, 0}};
	uint64_t households = DEMO_HOUSEHOLDS, seed = 1;
	const char *out = "gnbv-demo";
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 'n':
			households = strtoull(optarg, &end, 10);
			if (!end || *end || households < 100 || households > 1000000) return gnbv_cli_usage("demo");
			break;
		case 's':
			seed = strtoull(optarg, &end, 10);
			if (!end || *end) return gnbv_cli_usage("demo");
			break;
		case 'o': out = optarg; break;
		default: return gnbv_cli_usage("demo");
		}
	}
	if (optind != argc) return gnbv_cli_usage("demo");
	const int en = g->english;
	const gnbv_numstyle *st = en ? &GNBV_NUM_EN : &GNBV_NUM_VI;
	char dbpath[4096], pool[4096], d21[4096], d22[4096];
	gnbv_cli gd = *g;
	if (!g->db_given) {
		snprintf(dbpath, sizeof dbpath, "%s/demo.db", out);
		gd.db = dbpath;
	}
	if (access(gd.db, F_OK) == 0)
		return gnbv_cli_fail(gnbv_error_set(GNBV_ECONFLICT,
						    "%s exists: the demo builds a new database; remove it or give another --db",
						    gd.db));
	if (mkdir(out, 0755) != 0 && access(out, W_OK) != 0)
		return gnbv_cli_fail(gnbv_error_set(GNBV_EIO, "%s: cannot create the demo folder", out));

	/* 1. A pool a quarter larger than the district, classified. */
	snprintf(pool, sizeof pool, "%s/pool", out);
	gnbv_gen_opts go = GNBV_GEN_OPTS_INIT;
	go.households = households + households / 4;
	go.out_dir = pool;
	go.seed = seed;
	gnbv_gen_stats gs;
	gnbv_classify_stats cs;
	int rc = gnbv_gen_run(&go, &gs);
	if (!rc) rc = classify_dir(pool, 20211001, en, &cs);
	/* 2. The two rounds: exactly the seed's share of poor in 2021 and,
	 * through escapes and a few falls, about its 2023 target in 2022. */
	uint64_t poor21 = (uint64_t)((double)households * SEED_RATE / 100.0 + 0.5);
	uint64_t poor22 = (uint64_t)((double)households * SEED_RATE_2023 / 100.0 + 0.5);
	uint64_t falls = households / 175; /* about 0.6% of households: 80 of 14,008 */
	gnbv_demo_rounds_opts ro = {pool, out, households, poor21, poor21 - poor22 + falls, falls, seed};
	gnbv_demo_rounds_stats rs;
	snprintf(d21, sizeof d21, "%s/round-2021", out);
	snprintf(d22, sizeof d22, "%s/round-2022", out);
	gnbv_classify_stats cs22;
	/* A year on, members are a year older (children reach 16, adults 60),
	 * which moves a few households by itself: the engine's 2022 count is
	 * measured and the number of escapes corrected, at most three times. */
	for (int pass = 0; pass < 3 && !rc; pass++) {
		rc = gnbv_demo_rounds(&ro, &rs);
		if (!rc) rc = classify_dir(d22, 20221001, en, &cs22);
		if (rc) break;
		int64_t off = (int64_t)cs22.by_class[GNBV_CLASS_POOR] - (int64_t)poor22;
		if (off >= -(int64_t)(households / 500) && off <= (int64_t)(households / 500)) break;
		if ((int64_t)ro.escapes + off < 0 || ro.escapes + (uint64_t)off > poor21) break;
		ro.escapes = (uint64_t)((int64_t)ro.escapes + off);
	}
	if (!rc) rc = classify_dir(d21, 20211001, en, &cs);
	if (rc) return gnbv_cli_fail(rc);

	/* 3. The database: the district's units and both rounds, through the
	 * same import an officer uses. */
	gnbv_store *s = NULL;
	gnbv_units_stats us;
	gnbv_import_stats is21, is22;
	gnbv_scope all;
	gnbv_store_scope_all(&all);
	uint64_t h21 = 0, p21 = 0, h22 = 0, p22 = 0;
	char review[2048] = ""; /* the review workflow's lines (cmd_review.c) */
	if ((rc = gnbv_cli_open_store(&gd, 1, &s)) || (rc = gnbv_store_units_import_builtin(s, &all, &us)) ||
	    (rc = import_round(s, d21, 2021, &is21)) || (rc = import_round(s, d22, 2022, &is22)) ||
	    (rc = count_round(s, 2021, &h21, &p21)) || (rc = count_round(s, 2022, &h22, &p22)) ||
	    (rc = gnbv_cli_review_demo(s, en, review, sizeof review))) {
		gnbv_store_close(s);
		return gnbv_cli_fail(rc);
	}
	/* 4. The seed itself: the district's 2022 report and 2023 plan. */
	char plan[1024] = "";
	if ((rc = gnbv_cli_plan_load_demo(&gd, s, plan, sizeof plan))) {
		gnbv_store_close(s);
		return gnbv_cli_fail(rc);
	}
	gnbv_store_close(s);

	gnbv_units *units = NULL;
	if ((rc = gnbv_units_load(&units, NULL))) return gnbv_cli_fail(rc);
	commune rows[64];
	size_t n = 0;
	char spath[4200];
	snprintf(spath, sizeof spath, "%s/summary.csv", d21);
	rc = roll_up(spath, units, rows, &n, sizeof rows / sizeof rows[0], 0);
	snprintf(spath, sizeof spath, "%s/summary.csv", d22);
	if (!rc) rc = roll_up(spath, units, rows, &n, sizeof rows / sizeof rows[0], 1);
	if (rc) {
		gnbv_units_free(units);
		return gnbv_cli_fail(rc);
	}

	printf(en ? "gnbv demo: Hà Quảng district, Cao Bằng province (synthetic registry)\n"
		    "Review rounds of 2021 and 2022 under the 2022-2025 multidimensional standard (vn-2022-2026)\n\n"
		  : "gnbv demo: huyện Hà Quảng, tỉnh Cao Bằng (dữ liệu mô phỏng)\n"
		    "Rà soát năm 2021 và 2022 theo chuẩn nghèo đa chiều giai đoạn 2022 - 2025 (vn-2022-2026)\n\n");
	gnbv_cli_pad(en ? "Commune / town" : "Xã / thị trấn", 24, 0);
	gnbv_cli_pad(en ? "Households" : "Số hộ", 11, 1);
	gnbv_cli_pad(en ? "Poor 2021" : "Nghèo 2021", 12, 1);
	gnbv_cli_pad(en ? "Rate" : "Tỷ lệ", 9, 1);
	gnbv_cli_pad(en ? "Near-poor" : "Cận nghèo", 11, 1);
	gnbv_cli_pad(en ? "Poor 2022" : "Nghèo 2022", 12, 1);
	gnbv_cli_pad(en ? "Rate" : "Tỷ lệ", 9, 1);
	putchar('\n');
	uint64_t th = 0, tp = 0, tn = 0, tp2 = 0;
	for (size_t i = 0; i < n; i++) {
		gnbv_cli_pad(rows[i].name, 24, 0);
		gnbv_cli_pad_int(rows[i].households, 11, st);
		gnbv_cli_pad_int(rows[i].poor, 12, st);
		gnbv_cli_pad_pct(rows[i].poor, rows[i].households, 9, st);
		gnbv_cli_pad_int(rows[i].near_poor, 11, st);
		gnbv_cli_pad_int(rows[i].poor2, 12, st);
		gnbv_cli_pad_pct(rows[i].poor2, rows[i].households2, 9, st);
		putchar('\n');
		th += rows[i].households;
		tp += rows[i].poor;
		tn += rows[i].near_poor;
		tp2 += rows[i].poor2;
	}
	gnbv_cli_pad(en ? "Whole district" : "Toàn huyện", 24, 0);
	gnbv_cli_pad_int(th, 11, st);
	gnbv_cli_pad_int(tp, 12, st);
	gnbv_cli_pad_pct(tp, th, 9, st);
	gnbv_cli_pad_int(tn, 11, st);
	gnbv_cli_pad_int(tp2, 12, st);
	gnbv_cli_pad_pct(tp2, th, 9, st);
	char a[32], b[32], c1[32], d[32];
	gnbv_fmt_int(a, sizeof a, (int64_t)p21, st);
	gnbv_fmt_int(b, sizeof b, (int64_t)h21, st);
	gnbv_fmt_int(c1, sizeof c1, (int64_t)p22, st);
	gnbv_fmt_int(d, sizeof d, (int64_t)h22, st);
	char r21[32], r22[32], sp[32], sr[32], sr23[32];
	gnbv_fmt_pct(r21, sizeof r21, p21, h21, st);
	gnbv_fmt_pct(r22, sizeof r22, p22, h22, st);
	gnbv_fmt_int(sp, sizeof sp, SEED_POOR, st);
	gnbv_fmt_dec(sr, sizeof sr, SEED_RATE, 2, st);
	gnbv_fmt_dec(sr23, sizeof sr23, SEED_RATE_2023, 2, st);
	char shown[256]; /* a URL's password masked */
	gnbv_store_target_shown(gd.db, shown, sizeof shown);
	printf(en ? "\n\nIn the database %s: round 2021: %s poor of %s households (%s); round 2022: %s of %s (%s).\n"
		    "The district's report (the seed): %s poor households at the start of 2022, %s%%; target %s%% by the end of 2023.\n"
		    "Files: %s/round-2021 and round-2022 (households, members, assessments with reasons, summary, workers).\n"
		  : "\n\nTrong cơ sở dữ liệu %s: vòng rà soát 2021: %s hộ nghèo / %s hộ (%s); vòng 2022: %s / %s hộ (%s).\n"
		    "Báo cáo của huyện: đầu năm 2022 toàn huyện có %s hộ nghèo, chiếm tỷ lệ %s%%; mục tiêu cuối năm 2023: %s%%.\n"
		    "Tệp: %s/round-2021 và round-2022 (hộ, thành viên, kết quả phân loại kèm lý do, tổng hợp, người lao động thu nhập thấp).\n",
	       shown, a, b, r21, c1, d, r22, sp, sr, sr23, out);
	fputs(review, stdout);
	fputs(plan, stdout);
	gnbv_units_free(units);
	return EXIT_OK;
}
