/*
 * cmd_demo.c - `gnbv demo`: the seed's district, end to end, on the command
 * line. Generates a synthetic registry of Hà Quảng (Cao Bằng) calibrated to
 * the district's own figures (5,546 poor households, 39.59%, at the start of
 * 2022), classifies it under the 2022-2026 standard as the 2021 review round
 * (QĐ 4310/QĐ-UBND approved that round "theo chuẩn nghèo đa chiều giai
 * đoạn 2022 - 2025"), and prints the summary by commune. The classes come
 * from the engine, never from the generator. Later issues replace this with
 * the store and the web application.
 */
#include "cli.h"

#include "gnbv/classify.h"
#include "gnbv/error.h"
#include "gnbv/gen.h"

#include "io/csv.h"
#include "io/units.h"
#include "util/numfmt.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The seed's figures (Hà Quảng's 2023 plan, section A.II): "Đầu năm 2022
 * toàn huyện có 5.546 hộ, chiếm tỷ lệ 39,59%". 5,546 / 0.3959 = 14,008. */
#define SEED_POOR 5546
#define SEED_RATE 39.59
#define DEMO_HOUSEHOLDS 14008

typedef struct commune {
	char code[16];
	const char *name;
	uint64_t households, members, poor, near_poor, average;
} commune;

/* Pads to `width` characters (code points, not bytes: names are UTF-8). */
static void put_padded(const char *s, int width, int right)
{
	int chars = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) chars += (*p & 0xC0) != 0x80;
	if (right)
		for (int i = chars; i < width; i++) putchar(' ');
	fputs(s, stdout);
	if (!right)
		for (int i = chars; i < width; i++) putchar(' ');
}

static void put_num(uint64_t v, int width, const gnbv_numstyle *st)
{
	char b[32];
	gnbv_fmt_int(b, sizeof b, (int64_t)v, st);
	put_padded(b, width, 1);
}

static void put_rate(uint64_t part, uint64_t whole, int width, const gnbv_numstyle *st)
{
	char b[40];
	size_t n = gnbv_fmt_dec(b, sizeof b - 2, whole ? 100.0 * (double)part / (double)whole : 0, 2, st);
	/* Always two decimals, as the reports write them: 39,59%, 40,00%. */
	char *mark = strchr(b, st->decimal);
	if (!mark) {
		b[n++] = st->decimal;
		b[n++] = '0';
		b[n++] = '0';
	} else if (b + n - mark == 2) {
		b[n++] = '0';
	}
	b[n++] = '%';
	b[n] = '\0';
	put_padded(b, width, 1);
}

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
static int roll_up(const char *path, const gnbv_units *units, commune *c, size_t *n, size_t cap)
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

int gnbv_cmd_demo(const gnbv_cli *g, int argc, char **argv)
{
	static const struct option opts[] = {{"households", required_argument, 0, 'n'},
					     {"out", required_argument, 0, 'o'},
					     {"seed", required_argument, 0, 's'},
					     {0, 0, 0, 0}};
	gnbv_gen_opts go = GNBV_GEN_OPTS_INIT;
	go.households = DEMO_HOUSEHOLDS;
	go.out_dir = "gnbv-demo";
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end = NULL;
		switch (c) {
		case 'n':
			go.households = strtoull(optarg, &end, 10);
			if (!end || *end || go.households == 0 || go.households > 10000000)
				return gnbv_cli_usage("demo");
			break;
		case 's':
			go.seed = strtoull(optarg, &end, 10);
			if (!end || *end) return gnbv_cli_usage("demo");
			break;
		case 'o': go.out_dir = optarg; break;
		default: return gnbv_cli_usage("demo");
		}
	}
	if (optind != argc) return gnbv_cli_usage("demo");
	const int en = g->english;
	const gnbv_numstyle *st = en ? &GNBV_NUM_EN : &GNBV_NUM_VI;

	gnbv_gen_stats gs;
	int rc = gnbv_gen_run(&go, &gs);
	if (rc) return gnbv_cli_fail(rc);

	char hpath[4096], mpath[4096], spath[4096];
	snprintf(hpath, sizeof hpath, "%s/households.csv", go.out_dir);
	snprintf(mpath, sizeof mpath, "%s/members.csv", go.out_dir);
	snprintf(spath, sizeof spath, "%s/summary.csv", go.out_dir);
	gnbv_classify_opts co = {0};
	co.households_path = hpath;
	co.members_path = mpath;
	co.out_dir = go.out_dir;
	co.standard = "vn-2022-2026";
	co.as_of = 20211001;
	co.explain = true;
	co.english = en;
	co.warn = gnbv_cli_warn;
	gnbv_classify_stats cs;
	if ((rc = gnbv_classify(&co, &cs))) return gnbv_cli_fail(rc);

	gnbv_units *units = NULL;
	if ((rc = gnbv_units_load(&units, NULL))) return gnbv_cli_fail(rc);
	commune rows[64];
	size_t n = 0;
	rc = roll_up(spath, units, rows, &n, sizeof rows / sizeof rows[0]);
	if (rc) {
		gnbv_units_free(units);
		return gnbv_cli_fail(rc);
	}

	printf(en ? "gnbv demo: Hà Quảng district, Cao Bằng province (synthetic registry)\n"
		    "2021 review round under the 2022-2025 multidimensional standard (vn-2022-2026), reference date 01/10/2021\n\n"
		  : "gnbv demo: huyện Hà Quảng, tỉnh Cao Bằng (dữ liệu mô phỏng)\n"
		    "Rà soát năm 2021 theo chuẩn nghèo đa chiều giai đoạn 2022 - 2025 (vn-2022-2026), ngày tham chiếu 01/10/2021\n\n");
	put_padded(en ? "Commune / town" : "Xã / thị trấn", 24, 0);
	put_padded(en ? "Households" : "Số hộ", 11, 1);
	put_padded(en ? "Poor" : "Hộ nghèo", 10, 1);
	put_padded(en ? "Rate" : "Tỷ lệ", 9, 1);
	put_padded(en ? "Near-poor" : "Cận nghèo", 11, 1);
	put_padded(en ? "Rate" : "Tỷ lệ", 9, 1);
	putchar('\n');
	uint64_t th = 0, tp = 0, tn = 0;
	for (size_t i = 0; i < n; i++) {
		put_padded(rows[i].name, 24, 0);
		put_num(rows[i].households, 11, st);
		put_num(rows[i].poor, 10, st);
		put_rate(rows[i].poor, rows[i].households, 9, st);
		put_num(rows[i].near_poor, 11, st);
		put_rate(rows[i].near_poor, rows[i].households, 9, st);
		putchar('\n');
		th += rows[i].households;
		tp += rows[i].poor;
		tn += rows[i].near_poor;
	}
	put_padded(en ? "Whole district" : "Toàn huyện", 24, 0);
	put_num(th, 11, st);
	put_num(tp, 10, st);
	put_rate(tp, th, 9, st);
	put_num(tn, 11, st);
	put_rate(tn, th, 9, st);
	char seed_poor[32], seed_rate[32];
	gnbv_fmt_int(seed_poor, sizeof seed_poor, SEED_POOR, st);
	gnbv_fmt_dec(seed_rate, sizeof seed_rate, SEED_RATE, 2, st);
	printf(en ? "\n\nThe district's report (the seed): %s poor households at the start of 2022, %s%%.\n"
		    "Files: %s/{households,members,assessments,summary,workers}.csv (the reasons are in assessments.csv)\n"
		  : "\n\nBáo cáo của huyện: đầu năm 2022 toàn huyện có %s hộ nghèo, chiếm tỷ lệ %s%%.\n"
		    "Tệp: %s/{households,members,assessments,summary,workers}.csv (lý do phân loại trong assessments.csv)\n",
	       seed_poor, seed_rate, go.out_dir);
	gnbv_units_free(units);
	return EXIT_OK;
}
