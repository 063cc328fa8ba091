/*
 * cmd_standards.c - `gnbv standards [NAME]`: lists the built-in standards,
 * or prints one's data file, which is the starting point for a corrected
 * standard given to `--standard FILE` (docs/standards.md).
 */
#include "cli.h"

#include "gnbv/error.h"
#include "gnbv/standard.h"

#include "io/embed.h"

#include <stdio.h>

int gnbv_cmd_standards(const gnbv_cli *g, int argc, char **argv)
{
	gnbv_standard s;
	int rc;
	if (argc > 2) return gnbv_cli_usage("standards");
	if (argc == 2) {
		if ((rc = gnbv_standard_load(&s, argv[1]))) return gnbv_cli_fail(rc);
		char key[96];
		snprintf(key, sizeof key, "standards/%s.json", s.name);
		const gnbv_embedded_file *f = gnbv_embedded_find(key);
		if (!f) return gnbv_cli_fail(gnbv_error_set(GNBV_ENOTFOUND, "%s is not built in", argv[1]));
		fwrite(f->data, 1, f->len, stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < gnbv_standard_builtin_count(); i++) {
		if ((rc = gnbv_standard_load(&s, gnbv_standard_builtin_name(i)))) return gnbv_cli_fail(rc);
		printf(g->english ? "%-14s %04d-%02d-%02d..%04d-%02d-%02d  %d indicators  %s\n"
		                  : "%-14s %04d-%02d-%02d..%04d-%02d-%02d  %d chỉ số  %s\n",
		       s.name,
		       s.valid_from / 10000, s.valid_from / 100 % 100, s.valid_from % 100,
		       s.valid_to / 10000, s.valid_to / 100 % 100, s.valid_to % 100, s.n_indicators,
		       g->english ? s.title_en : s.title_vi);
	}
	return EXIT_OK;
}
