/*
 * commands.c - the command table and the global options.
 *
 * `gnbv [--db PATH] [--lang vi|en] COMMAND [ARGS]`. Help for every command
 * comes from the table below; adding a command is one row and one file.
 */
#include "cli.h"

#include "gnbv/assess.h"
#include "gnbv/error.h"

#include "io/exchange.h"
#include "io/outfile.h"
#include "util/numfmt.h"
#ifdef GNBV_HAVE_STORE
#include "cmd_db.h"
#include "cmd_plan.h"
#include "cmd_review.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_help(const gnbv_cli *g, int argc, char **argv);

static const gnbv_command COMMANDS[] = {
	{"classify", gnbv_cmd_classify,
	 "HOUSEHOLDS.csv MEMBERS.csv --as-of YYYY-MM-DD [--standard NAME] [--out DIR] [--explain] [--lang vi|en] [--units FILE]",
	 "classify a review round's households under a poverty standard",
	 "  --as-of DATE      reference date: ages are counted on it, and it picks the standard in force\n"
	 "  --standard NAME   vn-2022-2026, vn-2027-2030, or a path to a standard .json file\n"
	 "  --out DIR         folder for assessments.csv, summary.csv, workers.csv (default: .)\n"
	 "  --explain         add a readable reason column\n"
	 "  --lang vi|en      language of the reason (default vi)\n"
	 "  --units FILE      units.csv to resolve empty areas (default: the built-in units)\n",
	 "phân loại các hộ của một đợt rà soát theo một chuẩn nghèo",
	 "  --as-of DATE      ngày tham chiếu: tuổi tính đến ngày này, và ngày này chọn chuẩn nghèo có hiệu lực\n"
	 "  --standard NAME   vn-2022-2026, vn-2027-2030, hoặc đường dẫn tới tệp .json của một chuẩn\n"
	 "  --out DIR         thư mục ghi assessments.csv, summary.csv, workers.csv (mặc định: .)\n"
	 "  --explain         thêm một cột lý do dễ đọc\n"
	 "  --lang vi|en      ngôn ngữ của lý do (mặc định vi)\n"
	 "  --units FILE      tệp units.csv để xác định khu vực còn trống (mặc định: các đơn vị có sẵn)\n"},
	{"gen", gnbv_cmd_gen,
	 "--households N --out DIR [--profile poor-district|nation] [--seed S] [--units FILE] [--calibrate [--iterations K]]",
	 "generate a synthetic, calibrated review round in exchange format v1",
	 "  --households N    number of households\n"
	 "  --out DIR         folder for households.csv and members.csv (created if missing);\n"
	 "                    the nation profile also writes its synthetic units.csv there\n"
	 "  --profile NAME    poor-district (the seed's Hà Quảng, 39.59% poor) or nation (4.03% poor)\n"
	 "  --seed S          reproducible: the same seed gives the same files (default 1)\n"
	 "  --units FILE      draw villages from this units.csv instead of the profile's own\n"
	 "  --calibrate       refit the profile's fitted parameters against the engine and print\n"
	 "                    them for src/gen/profiles.c; writes no file (--out, --households optional)\n"
	 "  --iterations K    Newton steps for --calibrate (default 6)\n",
	 "tạo một đợt rà soát giả lập, đã hiệu chỉnh, theo định dạng trao đổi v1",
	 "  --households N    số hộ\n"
	 "  --out DIR         thư mục ghi households.csv và members.csv (tạo nếu chưa có);\n"
	 "                    hồ sơ nation còn ghi vào đó tệp units.csv giả lập của nó\n"
	 "  --profile NAME    poor-district (Hà Quảng của tài liệu gốc, 39,59% hộ nghèo) hoặc nation (4,03% hộ nghèo)\n"
	 "  --seed S          tái lập được: cùng seed cho cùng các tệp (mặc định 1)\n"
	 "  --units FILE      lấy các thôn từ tệp units.csv này thay cho của hồ sơ\n"
	 "  --calibrate       hiệu chỉnh lại các tham số của hồ sơ theo bộ máy phân loại và in ra\n"
	 "                    cho src/gen/profiles.c; không ghi tệp nào (--out, --households không bắt buộc)\n"
	 "  --iterations K    số bước Newton cho --calibrate (mặc định 6)\n"},
#ifdef GNBV_HAVE_STORE
	{"demo", gnbv_cmd_demo, "[--households N] [--seed S] [--out DIR]",
	 "build a database of the seed's district (Hà Quảng) with its 2021 and 2022 rounds and print the summary",
	 "  --households N    households in the district (default 14008, the seed's)\n"
	 "  --seed S          generator seed (default 1)\n"
	 "  --out DIR         folder for the generated files (default gnbv-demo);\n"
	 "                    the database is --db PATH, or DIR/demo.db; it must not exist\n",
	 "tạo cơ sở dữ liệu của huyện trong tài liệu gốc (Hà Quảng) với hai đợt rà soát 2021 và 2022, rồi in bảng tổng hợp",
	 "  --households N    số hộ của huyện (mặc định 14008, như tài liệu gốc)\n"
	 "  --seed S          seed của bộ tạo dữ liệu (mặc định 1)\n"
	 "  --out DIR         thư mục ghi các tệp được tạo (mặc định gnbv-demo);\n"
	 "                    cơ sở dữ liệu là --db PATH, hoặc DIR/demo.db; tệp đó phải chưa có\n"},
#endif
#ifdef GNBV_HAVE_STORE
	{"init", gnbv_cmd_init, "", "create the database (--db PATH) and load the built-in units",
	 "  uses the global --db PATH (default gnbv.db or $GNBV_DB)\n",
	 "tạo cơ sở dữ liệu (--db PATH) và nạp các đơn vị hành chính có sẵn",
	 "  dùng tuỳ chọn chung --db PATH (mặc định gnbv.db hoặc $GNBV_DB)\n"},
	{"units", gnbv_cmd_units, "import FILE | list", "import administrative units from a units.csv, or list them",
	 "  import FILE       units.csv of the exchange format; importing it again changes nothing\n"
	 "  list              the unit tree\n",
	 "nhập đơn vị hành chính từ tệp units.csv, hoặc liệt kê chúng",
	 "  import FILE       tệp units.csv theo định dạng trao đổi; nhập lại lần nữa không thay đổi gì\n"
	 "  list              cây đơn vị hành chính\n"},
	{"import", gnbv_cmd_import,
	 "--round YEAR HOUSEHOLDS.csv MEMBERS.csv [--as-of DATE] [--standard NAME] [--kind periodic|adhoc]",
	 "import a review round's households into the store, all or nothing, classifying them",
	 "  --round YEAR      the review round's year (reference date YEAR-10-01 unless --as-of)\n"
	 "  --as-of DATE      reference date (required with --kind adhoc)\n"
	 "  --standard NAME   default: the standard of year YEAR+1 (domain.md 1.7)\n"
	 "  --kind KIND       periodic (default) or adhoc\n",
	 "nhập các hộ của một đợt rà soát vào kho dữ liệu, trọn vẹn hoặc không gì cả, và phân loại chúng",
	 "  --round YEAR      năm của đợt rà soát (ngày tham chiếu YEAR-10-01 nếu không có --as-of)\n"
	 "  --as-of DATE      ngày tham chiếu (bắt buộc với --kind adhoc)\n"
	 "  --standard NAME   mặc định: chuẩn nghèo của năm YEAR+1 (domain.md 1.7)\n"
	 "  --kind KIND       periodic (định kỳ, mặc định) hoặc adhoc (đột xuất)\n"},
	{"export", gnbv_cmd_export, "--round YEAR --out DIR [--kind periodic|adhoc] [--as-of DATE]",
	 "export a round in exchange format v1",
	 "  --round YEAR      the round to export\n"
	 "  --out DIR         folder for households.csv and members.csv\n"
	 "  --kind KIND       periodic (default) or adhoc\n"
	 "  --as-of DATE      the ad-hoc round's date (with --kind adhoc)\n",
	 "xuất một đợt rà soát theo định dạng trao đổi v1",
	 "  --round YEAR      đợt rà soát cần xuất\n"
	 "  --out DIR         thư mục ghi households.csv và members.csv\n"
	 "  --kind KIND       periodic (định kỳ, mặc định) hoặc adhoc (đột xuất)\n"
	 "  --as-of DATE      ngày của đợt đột xuất (với --kind adhoc)\n"},
	{"plan", gnbv_cmd_plan,
	 "import FILE | list | show|check|export|set --unit CODE --year YEAR [options]",
	 "program plans and budgets: store, show, check and export the Kế hoạch",
	 "  import FILE       store a plan document (gnbv-plan/1 JSON; data/demo/README.md)\n"
	 "  list              the stored plans; --format text|csv\n"
	 "  show              year YEAR's budget lines and totals by component, capital type,\n"
	 "                    source and stage (the proposal for YEAR and the allocation and\n"
	 "                    disbursement reported on YEAR); --format text|csv|json\n"
	 "  check             consistency checks of the plan proposing YEAR: stated totals,\n"
	 "                    capital types, disbursement above allocation, contradicting\n"
	 "                    targets; exit 1 when anything is found; --format text|json\n"
	 "  export            the plan proposing YEAR: --xlsx FILE (biểu chi tiết), --docx FILE\n"
	 "                    (the Kế hoạch), --json FILE (gnbv-plan/1, '-' for stdout)\n"
	 "  set               --line ID --amount VND: change one budget line; --number TEXT,\n"
	 "                    --date YYYY-MM-DD, --signer NAME, --status draft|submitted|approved:\n"
	 "                    the document's own fields (each change is audited)\n"
	 "  --program NAME    the program structure (default: the plan's own)\n",
	 "kế hoạch và kinh phí của Chương trình: lưu, xem, kiểm tra và xuất Kế hoạch",
	 "  import FILE       lưu một văn bản kế hoạch (JSON gnbv-plan/1; data/demo/README.md)\n"
	 "  list              các kế hoạch đã lưu; --format text|csv\n"
	 "  show              các dòng kinh phí và tổng của năm YEAR theo dự án, loại vốn (ĐTPT/SN),\n"
	 "                    nguồn và giai đoạn (đề xuất cho năm YEAR, kế hoạch giao và giải ngân\n"
	 "                    báo cáo cho năm YEAR); --format text|csv|json\n"
	 "  check             kiểm tra tính nhất quán của kế hoạch đề xuất năm YEAR: các tổng đã ghi,\n"
	 "                    loại vốn, giải ngân vượt kế hoạch giao, chỉ tiêu mâu thuẫn;\n"
	 "                    mã thoát 1 khi có phát hiện; --format text|json\n"
	 "  export            kế hoạch đề xuất năm YEAR: --xlsx FILE (biểu chi tiết), --docx FILE\n"
	 "                    (văn bản Kế hoạch), --json FILE (gnbv-plan/1, '-' là stdout)\n"
	 "  set               --line ID --amount VND: sửa một dòng kinh phí; --number TEXT,\n"
	 "                    --date YYYY-MM-DD, --signer NAME, --status draft|submitted|approved:\n"
	 "                    các trường của văn bản (mỗi thay đổi đều được ghi nhật ký kiểm toán)\n"
	 "  --program NAME    cấu trúc chương trình (mặc định: của chính kế hoạch)\n"},
	{"audit", gnbv_cmd_audit, "verify", "verify the audit log's hash chain",
	 "  verify            recompute the chain; names the first altered, inserted or removed record\n",
	 "kiểm tra chuỗi băm của nhật ký kiểm toán",
	 "  verify            tính lại chuỗi; chỉ ra bản ghi đầu tiên bị sửa, bị chèn thêm hoặc bị xoá\n"},
	{"user", gnbv_cmd_user, "add NAME --role ROLE [--unit CODE] | disable NAME | reset NAME | list [--unit CODE] [--role ROLE] [--state enabled|disabled]",
	 "manage the web application's accounts (password from the terminal, or one line of stdin)",
	 "  add NAME          --role admin|office|commune|agency|finance|viewer, --unit CODE (its scope)\n"
	 "  disable NAME      the user cannot log in; their sessions end\n"
	 "  reset NAME        set a new password and enable the user; their sessions end\n"
	 "  list              name,role,unit,status, in the web list's order; --unit CODE (its subtree),\n"
	 "                    --role ROLE, --state enabled|disabled narrow it\n",
	 "quản lý tài khoản của ứng dụng web (mật khẩu nhập từ bàn phím, hoặc một dòng của stdin)",
	 "  add NAME          --role admin|office|commune|agency|finance|viewer, --unit CODE (phạm vi của tài khoản)\n"
	 "  disable NAME      khoá tài khoản: không đăng nhập được nữa; các phiên đăng nhập kết thúc\n"
	 "  reset NAME        đặt mật khẩu mới và mở lại tài khoản; các phiên đăng nhập kết thúc\n"
	 "  list              name,role,unit,status, theo thứ tự của danh sách trên web; lọc bằng\n"
	 "                    --unit CODE (cây con của đơn vị), --role ROLE, --state enabled|disabled\n"},
	{"review", gnbv_cmd_review, "SUBCOMMAND [OPTIONS] [--as NAME] [--unit CODE]",
	 "run the review round (list, survey, meeting, posting, recognition), ad-hoc requests, transitions, summary, escape list, certificates",
	 "  'gnbv review help' lists the subcommands and their options (docs/review.md)\n",
	 "tiến hành đợt rà soát (lập danh sách, khảo sát, họp thôn, niêm yết, công nhận), rà soát đột xuất, biến động, tổng hợp, danh sách dự kiến thoát nghèo, giấy chứng nhận",
	 "  'gnbv review help' liệt kê các lệnh con và tuỳ chọn của chúng (docs/review.md)\n"},
#endif
#ifdef GNBV_HAVE_WEB
	{"serve", gnbv_cmd_serve, "[--listen ADDR:PORT] [--config FILE] [--routes] [--demo-accounts]",
	 "serve the web application",
	 "  --listen A:P      address and port (default 127.0.0.1:8080)\n"
	 "  --config FILE     INI settings (docs/web.md)\n"
	 "  --routes          print the route table as JSON and exit\n"
	 "  --demo-accounts   (make demo) create the demo's logins, print them, then serve\n",
	 "chạy ứng dụng web",
	 "  --listen A:P      địa chỉ và cổng (mặc định 127.0.0.1:8080)\n"
	 "  --config FILE     tệp cài đặt INI (docs/web.md)\n"
	 "  --routes          in bảng định tuyến dạng JSON rồi thoát\n"
	 "  --demo-accounts   (make demo) tạo các tài khoản của bản trình diễn, in ra, rồi chạy\n"},
#endif
	{"standards", gnbv_cmd_standards, "[NAME]",
	 "list the built-in poverty standards, or show one's parameters", "",
	 "liệt kê các chuẩn nghèo có sẵn, hoặc xem các tham số của một chuẩn", ""},
	{"help", cmd_help, "[COMMAND]", "show help", "",
	 "xem hướng dẫn", ""},
};
#define NCOMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static const gnbv_command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(COMMANDS[i].name, name) == 0) return &COMMANDS[i];
	return NULL;
}

static gnbv_cmd_fn runner(const gnbv_command *c) { return c->run; }

/* The help in the user's language (--lang; Vietnamese by default): the
 * table holds both, so that a command and its help are one row. */
static void overview(FILE *f, int english)
{
	if (english)
		fprintf(f, "gnbv - the National Target Program for Sustainable Poverty Reduction\n\n"
			   "usage: gnbv [--db PATH] [--lang vi|en] COMMAND [ARGS]\n\ncommands:\n");
	else
		fprintf(f, "gnbv - Chương trình mục tiêu quốc gia giảm nghèo bền vững\n\n"
			   "cách dùng: gnbv [--db PATH] [--lang vi|en] LỆNH [THAM SỐ]\n\ncác lệnh:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (runner(&COMMANDS[i]))
			fprintf(f, "  %-10s %s\n", COMMANDS[i].name,
				english ? COMMANDS[i].summary : COMMANDS[i].summary_vi);
	fprintf(f, english ? "\n'gnbv help COMMAND' shows a command's options.\n"
			   : "\n'gnbv help LỆNH' cho xem các tuỳ chọn của một lệnh.\n");
}

static int cmd_help(const gnbv_cli *g, int argc, char **argv)
{
	if (argc < 2) {
		overview(stdout, g->english);
		return EXIT_OK;
	}
	const gnbv_command *c = find(argv[1]);
	if (!c || !runner(c)) {
		fprintf(stderr, gnbv_tr("gnbv: unknown command '%s'\n"), argv[1]);
		return EXIT_USAGE;
	}
	if (g->english) printf("usage: gnbv %s %s\n\n%s\n%s", c->name, c->args, c->summary, c->help);
	else printf("cách dùng: gnbv %s %s\n\n%s\n%s", c->name, c->args, c->summary_vi, c->help_vi);
	return EXIT_OK;
}

void gnbv_cli_pad(const char *s, int width, int right)
{
	int chars = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) chars += (*p & 0xC0) != 0x80;
	if (right)
		for (int i = chars; i < width; i++) putchar(' ');
	fputs(s, stdout);
	if (!right)
		for (int i = chars; i < width; i++) putchar(' ');
}

const char *gnbv_cli_num(char *buf, size_t cap, int64_t v, int english)
{
	gnbv_fmt_int(buf, cap, v, english ? &GNBV_NUM_EN : &GNBV_NUM_VI);
	return buf;
}

void gnbv_cli_pad_int(uint64_t v, int width, const struct gnbv_numstyle *st)
{
	char b[32];
	gnbv_fmt_int(b, sizeof b, (int64_t)v, st);
	gnbv_cli_pad(b, width, 1);
}

void gnbv_cli_pad_pct(uint64_t part, uint64_t whole, int width, const struct gnbv_numstyle *st)
{
	char b[48];
	gnbv_fmt_pct(b, sizeof b, part, whole, st);
	gnbv_cli_pad(b, width, 1);
}

void gnbv_cli_classes(struct gnbv_sb *sb, const uint64_t *by_class, uint64_t households,
                      int english)
{
	/* The names of the household lists (Decree 07/2021/NĐ-CP art. 3: hộ
	 * nghèo, hộ cận nghèo, hộ có mức sống trung bình), as officers say them. */
	static const char *const VI[GNBV_CLASS_COUNT] = {
	    "nghèo", "cận nghèo", "mức sống trung bình", "không nghèo", "chưa đủ thông tin"};
	static const char *const EN[GNBV_CLASS_COUNT] = {"poor", "near-poor", "average", "not poor",
	                                                 "incomplete"};
	const gnbv_numstyle *ns = english ? &GNBV_NUM_EN : &GNBV_NUM_VI;
	char num[48];
	for (int k = 0; k < GNBV_CLASS_COUNT; k++) {
		if (k) gnbv_sb_put(sb, ", ");
		gnbv_sb_put(sb, english ? EN[k] : VI[k]);
		gnbv_sb_put(sb, " ");
		gnbv_sb_int(sb, (int64_t)by_class[k], ns);
		gnbv_fmt_pct(num, sizeof num, by_class[k], households, ns);
		gnbv_sb_put(sb, " (");
		gnbv_sb_put(sb, num);
		gnbv_sb_put(sb, ")");
	}
}

void gnbv_cli_csv_cell(const char *s, int first)
{
	if (!first) putchar(',');
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"') putchar('"');
		putchar(*s);
	}
	putchar('"');
}

int gnbv_cli_usage(const char *name)
{
	const gnbv_command *c = find(name);
	fprintf(stderr, gnbv_tr("gnbv: usage: gnbv %s %s\n"), name, c ? c->args : "");
	return EXIT_USAGE;
}

int gnbv_cli_fail(int rc)
{
	const char *m = gnbv_error_message();
	fprintf(stderr, "gnbv: error: %s\n", m[0] ? m : gnbv_error_name(rc));
	return rc == GNBV_ENOMEM ? EXIT_INTERNAL : EXIT_USER;
}

void gnbv_cli_warn(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "gnbv: warning: %s\n", msg);
}

int gnbv_cli_date(const char *s, int32_t *out)
{
	return s && strlen(s) == 10 ? gnbv_x_parse_date(s, 10, out) : -1;
}

int gnbv_cli_main(int argc, char **argv)
{
	gnbv_cli g = {0};
	g.db = getenv("GNBV_DB");
	g.db_given = g.db && g.db[0];
	if (!g.db_given) g.db = "gnbv.db";
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc) {
			g.db = argv[++i];
			g.db_given = 1;
		}
		else if (!strcmp(argv[i], "--lang") && i + 1 < argc) {
			const char *l = argv[++i];
			if (strcmp(l, "vi") && strcmp(l, "en")) return gnbv_cli_usage("help");
			g.english = !strcmp(l, "en");
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			overview(stdout, g.english);
			return EXIT_OK;
		} else {
			fprintf(stderr, gnbv_tr("gnbv: unknown option '%s'\n"), argv[i]);
			overview(stderr, g.english);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		overview(stderr, g.english);
		return EXIT_USAGE;
	}
	/* the library's messages (errors, warnings) in the officer's language */
	gnbv_error_language(!g.english);
	const gnbv_command *c = find(argv[i]);
	gnbv_cmd_fn fn = c ? runner(c) : NULL;
	if (!fn) {
		fprintf(stderr, gnbv_tr("gnbv: unknown command '%s'\n"), argv[i]);
		overview(stderr, g.english);
		return EXIT_USAGE;
	}
	for (int k = i + 1; k < argc; k++)
		if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
			char *h[] = {"help", argv[i]};
			return cmd_help(&g, 2, h);
		}
	/* A command that exits when done leaves the files it replaced to be
	 * let go of by a child process (io/outfile.h): the officer does not wait
	 * for the disk to free the last run's outputs. The server runs on, so it
	 * lets go of each at once. */
	int batch = strcmp(c->name, "serve") != 0;
	gnbv_out_defer_release(batch);
	int rc = fn(&g, argc - i, argv + i);
	gnbv_out_release_retired();
	return rc;
}
