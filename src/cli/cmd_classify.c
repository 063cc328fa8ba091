/*
 * cmd_classify.c - `gnbv classify`: the exchange-format batch classifier.
 */
#include "cli.h"

#include "gnbv/error.h"
#include "gnbv/classify.h"

#include "util/numfmt.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int gnbv_cmd_classify(const gnbv_cli *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"as-of", required_argument, 0, 'a'}, {"standard", required_argument, 0, 's'},
		{"out", required_argument, 0, 'o'},   {"explain", no_argument, 0, 'e'},
		{"lang", required_argument, 0, 'l'},  {"units", required_argument, 0, 'u'},
		{0, 0, 0, 0}};
	gnbv_classify_opts o = {0};
	o.english = g->english;
	o.warn = gnbv_cli_warn;
	const char *as_of = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': as_of = optarg; break;
		case 's': o.standard = optarg; break;
		case 'o': o.out_dir = optarg; break;
		case 'e': o.explain = true; break;
		case 'u': o.units_path = optarg; break;
		case 'l':
			if (strcmp(optarg, "vi") && strcmp(optarg, "en")) return gnbv_cli_usage("classify");
			o.english = !strcmp(optarg, "en");
			gnbv_error_language(!o.english); /* its messages too */
			break;
		default:
			fprintf(stderr, gnbv_tr("gnbv: classify: unknown or incomplete option '%s'\n"), argv[optind - 1]);
			return gnbv_cli_usage("classify");
		}
	}
	if (argc - optind != 2 || !as_of) return gnbv_cli_usage("classify");
	if (gnbv_cli_date(as_of, &o.as_of)) {
		fprintf(stderr, gnbv_tr("gnbv: error: --as-of '%s': expected a date YYYY-MM-DD\n"), as_of);
		return EXIT_USAGE;
	}
	o.households_path = argv[optind];
	o.members_path = argv[optind + 1];

	gnbv_classify_stats st;
	int rc = gnbv_classify(&o, &st);
	if (rc) return gnbv_cli_fail(rc);

	/* One line for the person at the terminal, in the chosen language:
	 * counts and shares in its number format (39,59% / 39.59%). */
	const gnbv_numstyle *ns = o.english ? &GNBV_NUM_EN : &GNBV_NUM_VI;
	char buf[1024];
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, sizeof buf);
	gnbv_sb_put(&sb, o.english ? "Classified " : "Đã phân loại ");
	gnbv_sb_int(&sb, (int64_t)st.households, ns);
	gnbv_sb_put(&sb, o.english ? " households (" : " hộ (");
	gnbv_sb_put(&sb, st.standard);
	gnbv_sb_put(&sb, "): ");
	gnbv_cli_classes(&sb, st.by_class, st.households, o.english);
	printf("%s; %s %s\n", buf, o.english ? "files in" : "tệp trong", o.out_dir ? o.out_dir : ".");
	return EXIT_OK;
}
