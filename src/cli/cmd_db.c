/*
 * cmd_db.c - the commands over the store: `gnbv init`, `gnbv units
 * import|list`, `gnbv import`, `gnbv export` and `gnbv audit verify`.
 *
 * The command line acts as the local administrator (architecture.md, "The
 * command line"): whoever can open the database file may do anything to
 * it, so every command uses the whole-tree scope, and the operating-system
 * user is recorded as the actor of every audit record ("os:NAME").
 *
 * What they print for the person at the terminal is Vietnamese, with
 * Vietnamese numbers (133.086; 39,59%), and English with `gnbv --lang en`;
 * the files they read and write stay in the exchange format.
 */
#include "cmd_db.h"

#include "gnbv/error.h"
#include "gnbv/store.h"

#include "util/numfmt.h"

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void actor_name(char *out, size_t cap)
{
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name && pw->pw_name[0])
		snprintf(out, cap, "os:%s", pw->pw_name);
	else
		snprintf(out, cap, "os:uid%ld", (long)geteuid());
}

int gnbv_cli_open_store(const gnbv_cli *g, int create, gnbv_store **out)
{
	char actor[128];
	actor_name(actor, sizeof actor);
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	o.create = create;
	o.actor = actor;
	return gnbv_store_open(out, g->db, &o);
}

/* ---- the summary lines ---- */

static const gnbv_numstyle *numstyle(int en)
{
	return en ? &GNBV_NUM_EN : &GNBV_NUM_VI;
}

/* What a (re-)import did: "thêm mới 3, thay đổi 1, không đổi 596" or
 * "3 added, 1 changed, 596 unchanged". */
static void put_changes(gnbv_sb *sb, uint64_t added, uint64_t changed, uint64_t unchanged, int en)
{
	static const char *const VI[3] = {"thêm mới ", "thay đổi ", "không đổi "};
	static const char *const EN[3] = {" added", " changed", " unchanged"};
	const uint64_t n[3] = {added, changed, unchanged};
	for (int k = 0; k < 3; k++) {
		if (k) gnbv_sb_put(sb, ", ");
		if (!en) gnbv_sb_put(sb, VI[k]);
		gnbv_sb_int(sb, (int64_t)n[k], numstyle(en));
		if (en) gnbv_sb_put(sb, EN[k]);
	}
}

/* YYYY-MM-DD, as the command line takes dates. */
static void put_date(gnbv_sb *sb, int32_t yyyymmdd)
{
	char d[16];
	snprintf(d, sizeof d, "%04d-%02d-%02d", (int)(yyyymmdd / 10000),
	         (int)(yyyymmdd / 100 % 100), (int)(yyyymmdd % 100));
	gnbv_sb_put(sb, d);
}

/* The round of Decision 24/2021/QĐ-TTg, in the words the web's review
 * screens use (web/i18n/vi.json, rv.*): "đợt rà soát định kỳ năm 2021" /
 * "periodic round 2021", "đợt rà soát đột xuất năm 2022" / "ad-hoc round
 * 2022". */
static void put_round(gnbv_sb *sb, const gnbv_round_ref *r, int en)
{
	int adhoc = r->kind == GNBV_ROUND_ADHOC;
	gnbv_sb_put(sb, en ? (adhoc ? "ad-hoc round " : "periodic round ")
	                   : (adhoc ? "đợt rà soát đột xuất năm " : "đợt rà soát định kỳ năm "));
	gnbv_sb_int(sb, r->year, &GNBV_NUM_PLAIN);
}

/* What import and export did, to whom, in which round: "Đã nhập 600 hộ,
 * 2.591 thành viên vào đợt rà soát định kỳ năm 2021" / "Imported 600
 * households, 2,591 members into periodic round 2021" (`verb` and `prep` in
 * the line's language). */
static void put_moved(gnbv_sb *sb, const char *verb, uint64_t households, uint64_t members,
                      const char *prep, const gnbv_round_ref *r, int en)
{
	gnbv_sb_put(sb, verb);
	gnbv_sb_int(sb, (int64_t)households, numstyle(en));
	gnbv_sb_put(sb, en ? " households, " : " hộ, ");
	gnbv_sb_int(sb, (int64_t)members, numstyle(en));
	gnbv_sb_put(sb, en ? " members" : " thành viên");
	gnbv_sb_put(sb, prep);
	put_round(sb, r, en);
}

int gnbv_cmd_init(const gnbv_cli *g, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) return gnbv_cli_usage("init");
	gnbv_store *s = NULL;
	gnbv_scope all;
	gnbv_units_stats st;
	int rc, ver = 0;
	gnbv_store_scope_all(&all);
	if ((rc = gnbv_cli_open_store(g, 1, &s)) ||
	    (rc = gnbv_store_units_import_builtin(s, &all, &st)) ||
	    (rc = gnbv_store_schema_version(s, &ver))) {
		gnbv_store_close(s);
		return gnbv_cli_fail(rc);
	}
	gnbv_store_close(s);
	char shown[256], buf[256];
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, sizeof buf);
	gnbv_sb_put(&sb, g->english ? "schema version " : "lược đồ phiên bản ");
	gnbv_sb_int(&sb, ver, &GNBV_NUM_PLAIN);
	gnbv_sb_put(&sb, g->english ? "; built-in units: " : "; đơn vị hành chính có sẵn: ");
	put_changes(&sb, st.added, st.changed, st.unchanged, g->english);
	gnbv_store_target_shown(g->db, shown, sizeof shown);
	printf("%s: %s\n", shown, buf);
	return EXIT_OK;
}

static int list_one(void *ctx, const gnbv_unit *u)
{
	(void)ctx;
	gnbv_cli_csv_cell(u->code, 1);
	gnbv_cli_csv_cell(u->name, 0);
	gnbv_cli_csv_cell(u->level, 0);
	gnbv_cli_csv_cell(u->parent_code, 0);
	gnbv_cli_csv_cell(u->area, 0);
	gnbv_cli_csv_cell(u->valid_from, 0);
	gnbv_cli_csv_cell(u->valid_to, 0);
	gnbv_cli_csv_cell(u->successor_code, 0);
	gnbv_cli_csv_cell(u->flags, 0);
	putchar('\n');
	return 0;
}

int gnbv_cmd_units(const gnbv_cli *g, int argc, char **argv)
{
	gnbv_store *s = NULL;
	gnbv_scope all;
	int rc;
	gnbv_store_scope_all(&all);
	if (argc == 3 && !strcmp(argv[1], "import")) {
		gnbv_units_stats st;
		if ((rc = gnbv_cli_open_store(g, 0, &s)) ||
		    (rc = gnbv_store_units_import(s, &all, argv[2], &st))) {
			gnbv_store_close(s);
			return gnbv_cli_fail(rc);
		}
		gnbv_store_close(s);
		char buf[256];
		gnbv_sb sb;
		gnbv_sb_init(&sb, buf, sizeof buf);
		if (!g->english) gnbv_sb_put(&sb, "đã đọc ");
		gnbv_sb_int(&sb, (int64_t)st.rows, numstyle(g->english));
		gnbv_sb_put(&sb, g->english ? " units read: " : " đơn vị: ");
		put_changes(&sb, st.added, st.changed, st.unchanged, g->english);
		printf("%s: %s\n", argv[2], buf);
		return EXIT_OK;
	}
	if (argc == 2 && !strcmp(argv[1], "list")) {
		if ((rc = gnbv_cli_open_store(g, 0, &s))) return gnbv_cli_fail(rc);
		printf(
		    "code,name,level,parent_code,area,valid_from,valid_to,successor_code,flags\n");
		rc = gnbv_store_units_each(s, list_one, NULL);
		gnbv_store_close(s);
		if (rc) return gnbv_cli_fail(rc);
		return fflush(stdout) ? EXIT_USER : EXIT_OK;
	}
	return gnbv_cli_usage("units");
}

/* The progress bar: stderr only, and only on a terminal. */
typedef struct bar {
	int last;
	int shown;
	int english;
} bar;

static void bar_update(void *ctx, uint64_t done, uint64_t total)
{
	bar *b = ctx;
	int pct = total ? (int)(done * 100 / total) : 100;
	if (pct == b->last) return;
	b->last = pct;
	b->shown = 1;
	char cells[41];
	int full = pct * 40 / 100;
	for (int i = 0; i < 40; i++)
		cells[i] = i < full ? '#' : '.';
	cells[40] = '\0';
	fprintf(stderr, b->english ? "\rimporting [%s] %3d%%" : "\rđang nhập [%s] %3d%%", cells,
	        pct);
	fflush(stderr);
}

static void bar_clear(bar *b)
{
	if (b->shown) fprintf(stderr, "\r%60s\r", "");
}

static int parse_round_opts(const char *name, const char *year, const char *kind, const char *as_of,
                            gnbv_round_ref *r)
{
	char *end = NULL;
	long y = year ? strtol(year, &end, 10) : 0;
	if (!year || !*year || *end || y < 1900 || y > 9999) {
		fprintf(stderr, gnbv_tr("gnbv: error: --round '%s': expected a year such as 2021\n"),
		        year ? year : "");
		return EXIT_USAGE;
	}
	r->year = (int)y;
	r->kind = GNBV_ROUND_PERIODIC;
	if (kind && !strcmp(kind, "adhoc"))
		r->kind = GNBV_ROUND_ADHOC;
	else if (kind && strcmp(kind, "periodic")) {
		fprintf(stderr, gnbv_tr("gnbv: error: --kind '%s': expected periodic or adhoc\n"), kind);
		return EXIT_USAGE;
	}
	if (as_of && gnbv_cli_date(as_of, &r->as_of)) {
		fprintf(stderr, gnbv_tr("gnbv: error: --as-of '%s': expected a date YYYY-MM-DD\n"), as_of);
		return EXIT_USAGE;
	}
	if (r->kind == GNBV_ROUND_ADHOC && !as_of) {
		fprintf(stderr,
		        gnbv_tr("gnbv: error: %s --kind adhoc needs --as-of DATE, the day of the ad-hoc "
		        "review\n"),
		        name);
		return EXIT_USAGE;
	}
	return 0;
}

int gnbv_cmd_import(const gnbv_cli *g, int argc, char **argv)
{
	static const struct option opts[] = {{"round", required_argument, 0, 'r'},
	                                     {"as-of", required_argument, 0, 'a'},
	                                     {"standard", required_argument, 0, 's'},
	                                     {"kind", required_argument, 0, 'k'},
	                                     {0, 0, 0, 0}};
	const char *year = NULL, *as_of = NULL, *kind = NULL;
	gnbv_import_opts o = GNBV_IMPORT_OPTS_INIT;
	int c, rc;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': year = optarg; break;
		case 'a': as_of = optarg; break;
		case 's': o.round.standard = optarg; break;
		case 'k': kind = optarg; break;
		default:
			fprintf(stderr, gnbv_tr("gnbv: import: unknown or incomplete option '%s'\n"),
			        argv[optind - 1]);
			return gnbv_cli_usage("import");
		}
	}
	if (argc - optind != 2 || !year) return gnbv_cli_usage("import");
	if ((rc = parse_round_opts("import", year, kind, as_of, &o.round))) return rc;
	o.households_path = argv[optind];
	o.members_path = argv[optind + 1];
	o.warn = gnbv_cli_warn;
	bar b = {-1, 0, g->english};
	if (isatty(2)) {
		o.progress = bar_update;
		o.progress_ctx = &b;
	}
	gnbv_store *s = NULL;
	gnbv_scope all;
	gnbv_import_stats st;
	gnbv_store_scope_all(&all);
	if ((rc = gnbv_cli_open_store(g, 0, &s))) return gnbv_cli_fail(rc);
	rc = gnbv_store_import(s, &all, &o, &st);
	gnbv_store_close(s);
	bar_clear(&b);
	if (rc) return gnbv_cli_fail(rc);
	/* Two lines: what was stored, then the classes as `gnbv classify`
	 * prints them. */
	const int en = g->english;
	char buf[1024];
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, sizeof buf);
	put_moved(&sb, en ? "Imported " : "Đã nhập ", st.households, st.members,
	          en ? " into " : " vào ", &o.round, en);
	gnbv_sb_put(&sb, " (");
	gnbv_sb_put(&sb, st.standard);
	gnbv_sb_put(&sb, en ? ", reference date " : ", ngày tham chiếu ");
	put_date(&sb, st.ref_date);
	gnbv_sb_put(&sb, "): ");
	put_changes(&sb, st.added, st.changed, st.unchanged, en);
	gnbv_sb_put(&sb, en ? "\nClasses: " : "\nPhân loại: ");
	gnbv_cli_classes(&sb, st.by_class, st.households, en);
	printf("%s\n", buf);
	return EXIT_OK;
}

int gnbv_cmd_export(const gnbv_cli *g, int argc, char **argv)
{
	static const struct option opts[] = {{"round", required_argument, 0, 'r'},
	                                     {"out", required_argument, 0, 'o'},
	                                     {"as-of", required_argument, 0, 'a'},
	                                     {"kind", required_argument, 0, 'k'},
	                                     {0, 0, 0, 0}};
	const char *year = NULL, *as_of = NULL, *kind = NULL;
	gnbv_export_opts o = GNBV_EXPORT_OPTS_INIT;
	int c, rc;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': year = optarg; break;
		case 'o': o.out_dir = optarg; break;
		case 'a': as_of = optarg; break;
		case 'k': kind = optarg; break;
		default:
			fprintf(stderr, gnbv_tr("gnbv: export: unknown or incomplete option '%s'\n"),
			        argv[optind - 1]);
			return gnbv_cli_usage("export");
		}
	}
	if (argc != optind || !year || !o.out_dir) return gnbv_cli_usage("export");
	if ((rc = parse_round_opts("export", year, kind, as_of, &o.round))) return rc;
	o.purpose = "gnbv export (command line)";
	gnbv_store *s = NULL;
	gnbv_scope all;
	gnbv_export_stats st;
	gnbv_store_scope_all(&all);
	if ((rc = gnbv_cli_open_store(g, 0, &s))) return gnbv_cli_fail(rc);
	rc = gnbv_store_export(s, &all, &o, &st);
	gnbv_store_close(s);
	if (rc) return gnbv_cli_fail(rc);
	const int en = g->english;
	char buf[256];
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, sizeof buf);
	put_moved(&sb, en ? "Exported " : "Đã xuất ", st.households, st.members,
	          en ? " of " : " của ", &o.round, en);
	if (o.round.kind == GNBV_ROUND_ADHOC) {
		gnbv_sb_put(&sb, en ? " of " : " ngày ");
		put_date(&sb, o.round.as_of);
	}
	printf("%s; %s %s (households.csv, members.csv)\n", buf, en ? "files in" : "tệp trong",
	       o.out_dir);
	return EXIT_OK;
}

int gnbv_cmd_audit(const gnbv_cli *g, int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "verify")) return gnbv_cli_usage("audit");
	gnbv_store *s = NULL;
	uint64_t n = 0;
	int rc;
	if ((rc = gnbv_cli_open_store(g, 0, &s)) || (rc = gnbv_store_audit_verify(s, &n))) {
		gnbv_store_close(s);
		return gnbv_cli_fail(rc);
	}
	gnbv_store_close(s);
	char shown[256], count[32];
	gnbv_store_target_shown(g->db, shown, sizeof shown);
	gnbv_fmt_int(count, sizeof count, (int64_t)n, numstyle(g->english));
	printf(g->english ? "%s: %s audit records, the hash chain is intact\n"
	                  : "%s: %s bản ghi nhật ký, chuỗi băm còn nguyên vẹn\n",
	       shown, count);
	return EXIT_OK;
}
