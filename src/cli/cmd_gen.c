/*
 * cmd_gen.c - `gnbv gen`: synthetic review rounds for tests, demos and
 * benchmarks (docs/gen.md). A thin front over gnbv_gen_run.
 */
#include "cli.h"

#include "gnbv/error.h"
#include "gnbv/gen.h"

#include "util/numfmt.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* A whole decimal number (no sign, no spaces), at most 2^64 - 1. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!s || !*s) return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9') return -1;
		uint64_t d = (uint64_t)(*s - '0');
		if (v > (UINT64_MAX - d) / 10) return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	puts(line);
	fflush(stdout);
}

int gnbv_cmd_gen(const gnbv_cli *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"households", required_argument, 0, 'n'}, {"out", required_argument, 0, 'o'},
		{"profile", required_argument, 0, 'p'},    {"seed", required_argument, 0, 's'},
		{"units", required_argument, 0, 'u'},      {"calibrate", no_argument, 0, 'c'},
		{"iterations", required_argument, 0, 'i'}, {0, 0, 0, 0}};
	gnbv_gen_opts o = GNBV_GEN_OPTS_INIT;
	const char *households = NULL, *seed = NULL, *iterations = NULL;
	int c, calibrate = 0;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': households = optarg; break;
		case 'o': o.out_dir = optarg; break;
		case 'p': o.profile = optarg; break;
		case 's': seed = optarg; break;
		case 'u': o.units_path = optarg; break;
		case 'c': calibrate = 1; break;
		case 'i': iterations = optarg; break;
		default:
			fprintf(stderr, gnbv_tr("gnbv: gen: unknown or incomplete option '%s'\n"),
				argv[optind - 1]);
			return gnbv_cli_usage("gen");
		}
	}
	if (optind != argc || (!calibrate && (!households || !o.out_dir)))
		return gnbv_cli_usage("gen");
	if (households && parse_u64(households, &o.households)) {
		fprintf(stderr, gnbv_tr("gnbv: error: --households '%s': expected a whole number\n"),
			households);
		return EXIT_USAGE;
	}
	if (seed && parse_u64(seed, &o.seed)) {
		fprintf(stderr, gnbv_tr("gnbv: error: --seed '%s': expected a whole number\n"), seed);
		return EXIT_USAGE;
	}
	size_t i = 0;
	while (i < gnbv_gen_profile_count() && strcmp(gnbv_gen_profile_name(i), o.profile)) i++;
	if (i == gnbv_gen_profile_count()) {
		fprintf(stderr, gnbv_tr("gnbv: error: --profile '%s': expected"), o.profile);
		for (i = 0; i < gnbv_gen_profile_count(); i++)
			fprintf(stderr, "%s %s", i ? gnbv_tr(" or") : "", gnbv_gen_profile_name(i));
		fputc('\n', stderr);
		return EXIT_USAGE;
	}

	if (calibrate) {
		uint64_t it = 6;
		if (iterations && (parse_u64(iterations, &it) || it > 100)) {
			fprintf(stderr, gnbv_tr("gnbv: error: --iterations '%s': expected 0 to 100\n"), iterations);
			return EXIT_USAGE;
		}
		int rc = gnbv_gen_calibrate(&o, (int)it, print_line, NULL);
		return rc ? gnbv_cli_fail(rc) : EXIT_OK;
	}

	gnbv_gen_stats st;
	int rc = gnbv_gen_run(&o, &st);
	if (rc) return gnbv_cli_fail(rc);
	/* On stderr, so that stdout stays free for --calibrate's rows; in the
	 * reader's language and number format (1.234,5 / 1,234.5). */
	const gnbv_numstyle *ns = g->english ? &GNBV_NUM_EN : &GNBV_NUM_VI;
	char h[32], m[32], u[32], mbh[48], mbm[48];
	gnbv_fmt_int(h, sizeof h, (int64_t)st.households, ns);
	gnbv_fmt_int(m, sizeof m, (int64_t)st.members, ns);
	gnbv_fmt_int(u, sizeof u, (int64_t)st.units, ns);
	gnbv_fmt_dec(mbh, sizeof mbh, (double)st.bytes_households / 1e6, 1, ns);
	gnbv_fmt_dec(mbm, sizeof mbm, (double)st.bytes_members / 1e6, 1, ns);
	fprintf(stderr,
		g->english ? "gnbv: gen: %s households, %s members in %s units -> %s "
			     "(households.csv %s MB, members.csv %s MB)\n"
			   : "gnbv: gen: %s hộ, %s thành viên trong %s đơn vị -> %s "
			     "(households.csv %s MB, members.csv %s MB)\n",
		h, m, u, o.out_dir, mbh, mbm);
	return EXIT_OK;
}
