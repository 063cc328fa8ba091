/*
 * cmd_plan.c - `gnbv plan import|list|show|check|export`: plan documents
 * (the Kế hoạch and its budget lines, M6) between gnbv-plan/1 files, the
 * store, the terminal and the documents officers sign.
 *
 * `plan show --year Y` shows year Y's money wherever it sits: the proposal
 * of the plan proposing Y (its section B) and the allocation and
 * disbursement of the plan reporting on Y (section A of the plan proposing
 * Y+1). `plan check` and `plan export` take the plan proposing YEAR.
 * Amounts print in million VND in the chosen language's number format.
 */
#include "cli.h"
#include "cmd_db.h"
#include "cmd_plan.h"

#include "gnbv/error.h"
#include "gnbv/plan.h"
#include "doc/listcsv.h"
#include "gnbv/plan_store.h"
#include "io/embed.h"
#include "util/numfmt.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct plan_opts {
	const char *unit, *format, *xlsx, *docx, *json, *program;
	const char *line, *amount, *number, *date, *signer, *status;
	int year;
} plan_opts;

static int parse_opts(const char *cmd, int argc, char **argv, plan_opts *o, int need_unit)
{
	static const struct option longs[] = {
	    {"unit", required_argument, NULL, 'u'},    {"year", required_argument, NULL, 'y'},
	    {"format", required_argument, NULL, 'f'},  {"xlsx", required_argument, NULL, 'x'},
	    {"docx", required_argument, NULL, 'd'},    {"json", required_argument, NULL, 'j'},
	    {"program", required_argument, NULL, 'p'}, {"line", required_argument, NULL, 'l'},
	    {"amount", required_argument, NULL, 'a'},  {"number", required_argument, NULL, 'n'},
	    {"date", required_argument, NULL, 'D'},    {"signer", required_argument, NULL, 's'},
	    {"status", required_argument, NULL, 'S'},  {NULL, 0, NULL, 0}};
	memset(o, 0, sizeof *o);
	o->format = "text";
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'u': o->unit = optarg; break;
		case 'y':
			o->year = (int)strtol(optarg, &end, 10);
			if (*end || o->year < 1990 || o->year > 2200) {
				fprintf(
				    stderr,
				    gnbv_tr("gnbv: plan %s: --year wants a year such as 2023, not '%s'\n"),
				    cmd, optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f': o->format = optarg; break;
		case 'x': o->xlsx = optarg; break;
		case 'd': o->docx = optarg; break;
		case 'j': o->json = optarg; break;
		case 'p': o->program = optarg; break;
		case 'l': o->line = optarg; break;
		case 'a': o->amount = optarg; break;
		case 'n': o->number = optarg; break;
		case 'D': o->date = optarg; break;
		case 's': o->signer = optarg; break;
		case 'S': o->status = optarg; break;
		default: return gnbv_cli_usage("plan");
		}
	}
	if (need_unit && (!o->unit || !o->year)) {
		fprintf(stderr, gnbv_tr("gnbv: plan %s: --unit CODE and --year YEAR are required\n"), cmd);
		return EXIT_USAGE;
	}
	return 0;
}

static const gnbv_numstyle *style(const gnbv_cli *g)
{
	return g->english ? &GNBV_NUM_EN : &GNBV_NUM_VI;
}
static const char *lang(const gnbv_cli *g)
{
	return g->english ? "en" : "vi";
}

/* State-budget money: central, state (level not stated) and local. */
#define STATE_MASK ((1u << GNBV_SRC_CENTRAL) | (1u << GNBV_SRC_STATE) | (1u << GNBV_SRC_LOCAL))

/* Million VND, exact to the đồng: 67718850000 -> "67.718,85". */
static const char *million(char *buf, size_t cap, int64_t vnd, const gnbv_numstyle *st)
{
	gnbv_fmt_dec(buf, cap, (double)vnd / 1e6, 6, st);
	return buf;
}

/* Stores a plan read from a file or the binary, reporting the outcome
 * (quiet: only *findings_out, for the demo's own summary). */
static int put_plan(const gnbv_cli *g, gnbv_store *s, gnbv_plan *p, int quiet, size_t *findings_out)
{
	gnbv_program *prog = NULL;
	gnbv_scope all;
	int changed = 0, rc;
	size_t findings = 0;
	gnbv_store_scope_all(&all);
	if ((rc = gnbv_program_load(p->program, &prog))) return rc;
	if ((rc = gnbv_store_plan_put(s, &all, p, &changed))) goto done;
	gnbv_plan_check(p, prog, NULL, NULL, &findings);
	if (findings_out) *findings_out = findings;
	if (!quiet)
		printf(
		    g->english
		        ? "plan of %s proposing %d: %s (%zu budget lines); plan check: %zu "
		          "findings\n"
		        : "kế hoạch của %s đề xuất năm %d: %s (%zu dòng kinh phí); kiểm tra: %zu "
		          "phát hiện\n",
		    p->unit_code, p->plan_year,
		    changed ? (g->english ? "stored" : "đã lưu")
		            : (g->english ? "unchanged" : "không đổi"),
		    p->n_lines, findings);
done:
	gnbv_program_free(prog);
	return rc;
}

int gnbv_cli_plan_load_demo(const gnbv_cli *g, gnbv_store *s, char *report, size_t cap)
{
	const char *name = "demo/ha-quang-plan-2023.json";
	const gnbv_embedded_file *f = gnbv_embedded_find(name);
	if (!f) return gnbv_error_set(GNBV_ENOTFOUND, "%s is not built in", name);
	gnbv_plan *p = NULL;
	size_t findings = 0;
	int rc = gnbv_plan_parse_json(name, (const char *)f->data, f->len, &p);
	if (!rc) rc = put_plan(g, s, p, 1, &findings);
	if (!rc) {
		const gnbv_numstyle *st = style(g);
		char a[48], b[48], c[48], d[48];
		/* The proposal: state budget split by capital type, and mobilised money. */
		gnbv_plan_filter sf = {0,    GNBV_STAGE_PROPOSED, -1,   -1, NULL,
		                       NULL, STATE_MASK,          NULL, 0};
		int64_t all = gnbv_plan_sum_where(p, 1, &sf);
		sf.capital = GNBV_CAP_DTPT;
		int64_t dtpt = gnbv_plan_sum_where(p, 1, &sf);
		sf.capital = GNBV_CAP_SN;
		int64_t sn = gnbv_plan_sum_where(p, 1, &sf);
		int64_t mob =
		    gnbv_plan_sum(p, 1, GNBV_STAGE_PROPOSED, -1, GNBV_SRC_MOBILISED, NULL);
		snprintf(
		    report, cap,
		    g->english
		        ? "Plan proposing %d: %s million VND of state budget (ĐTPT %s, SN %s) "
		          "and %s mobilised; plan check finds %zu disagreements in the "
		          "document ('gnbv plan show --unit %s --year %d', 'plan check', "
		          "'plan export').\n"
		        : "Kế hoạch đề xuất năm %d: %s triệu đồng ngân sách nhà nước (ĐTPT %s, "
		          "SN %s) và %s triệu đồng huy động; kiểm tra thấy %zu điểm không "
		          "khớp trong văn bản ('gnbv plan show --unit %s --year %d', 'plan "
		          "check', 'plan export').\n",
		    p->plan_year, million(a, sizeof a, all, st), million(b, sizeof b, dtpt, st),
		    million(c, sizeof c, sn, st), million(d, sizeof d, mob, st), findings,
		    p->unit_code, p->plan_year);
	}
	gnbv_plan_free(p);
	return rc;
}

static int plan_import(const gnbv_cli *g, int argc, char **argv)
{
	if (argc != 2) return gnbv_cli_usage("plan");
	gnbv_plan *p = NULL;
	gnbv_store *s = NULL;
	int rc;
	if ((rc = gnbv_plan_load_json(argv[1], &p)) || (rc = gnbv_cli_open_store(g, 0, &s)) ||
	    (rc = put_plan(g, s, p, 0, NULL)))
		goto done;
done:
	gnbv_store_close(s);
	gnbv_plan_free(p);
	return rc ? gnbv_cli_fail(rc) : EXIT_OK;
}

static int list_one(void *ctx, const gnbv_plan_info *in)
{
	const gnbv_cli *g = ctx;
	printf("%-8s %-32s %d %-10s %-16s %4zu %s\n", in->unit_code, in->unit_name, in->plan_year,
	       gnbv_plan_status_code(in->status), in->number[0] ? in->number : "-", in->n_lines,
	       in->updated_at);
	(void)g;
	return 0;
}

static int csv_one(void *ctx, const gnbv_plan_info *in)
{
	(void)ctx;
	return gnbv_listcsv_plan(stdout, in);
}

static int plan_list(const gnbv_cli *g, int argc, char **argv)
{
	plan_opts o;
	int rc = parse_opts("list", argc, argv, &o, 0);
	if (rc) return rc;
	int csv = strcmp(o.format, "csv") == 0;
	if (!csv && strcmp(o.format, "text")) {
		fprintf(stderr, gnbv_tr("gnbv: plan list: --format is text or csv, not '%s'\n"), o.format);
		return EXIT_USAGE;
	}
	gnbv_store *s = NULL;
	gnbv_scope all;
	gnbv_store_scope_all(&all);
	rc = gnbv_cli_open_store(g, 0, &s);
	if (!rc && csv) {
		gnbv_listcsv_plans_head(stdout);
		rc = gnbv_store_plan_list(s, &all, csv_one, NULL);
	} else if (!rc) {
		printf(g->english ? "%-8s %-32s %s %-10s %-16s %4s %s\n"
		                  : "%-8s %-32s %s %-10s %-16s %4s %s\n",
		       g->english ? "unit" : "đơn vị", g->english ? "name" : "tên",
		       g->english ? "year" : "năm ", g->english ? "status" : "trạng thái",
		       g->english ? "number" : "số", g->english ? "lines" : "dòng",
		       g->english ? "updated" : "cập nhật");
		rc = gnbv_store_plan_list(s, &all, list_one, (void *)g);
	}
	gnbv_store_close(s);
	return rc ? gnbv_cli_fail(rc) : EXIT_OK;
}

/* ---- show ---- */

/* The lines of year Y: from the plan proposing Y (section B) and the plan
 * proposing Y+1 (section A), gathered into one array of pointers. */
typedef struct year_view {
	gnbv_plan *plans[2];
	const gnbv_plan_line **lines;
	size_t n;
	const char *unit_name;
} year_view;

static void view_free(year_view *v)
{
	gnbv_plan_free(v->plans[0]);
	gnbv_plan_free(v->plans[1]);
	free(v->lines);
}

static int view_load(gnbv_store *s, const char *unit, int year, year_view *v)
{
	gnbv_scope all;
	gnbv_store_scope_all(&all);
	memset(v, 0, sizeof *v);
	int found = 0, rc;
	for (int k = 0; k < 2; k++) {
		rc = gnbv_store_plan_get(s, &all, unit, year + k, &v->plans[k]);
		if (rc == GNBV_ENOTFOUND) {
			v->plans[k] = NULL;
			continue;
		}
		if (rc) return rc;
		found++;
	}
	if (!found)
		return gnbv_error_set(
		    GNBV_ENOTFOUND, "no plan of unit %s proposes %d or reports on it", unit, year);
	size_t cap = 0;
	for (int k = 0; k < 2; k++)
		if (v->plans[k]) cap += v->plans[k]->n_lines;
	v->lines = calloc(cap ? cap : 1, sizeof *v->lines);
	if (!v->lines) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	for (int k = 0; k < 2; k++) {
		gnbv_plan *p = v->plans[k];
		if (!p) continue;
		if (!v->unit_name) v->unit_name = p->unit_name;
		for (size_t i = 0; i < p->n_lines; i++)
			if (p->lines[i].year == year && p->lines[i].section == (k == 0 ? 1 : 0))
				v->lines[v->n++] = &p->lines[i];
	}
	return 0;
}

static int64_t view_sum(const year_view *v, int stage, unsigned src_mask, int capital,
                        const char *prefix)
{
	gnbv_plan_filter f = {0, stage, -1, capital, NULL, prefix, src_mask, NULL, 0};
	int64_t sum = 0;
	for (size_t i = 0; i < v->n; i++)
		if (gnbv_plan_filter_match(&f, v->lines[i])) sum += v->lines[i]->amount_vnd;
	return sum;
}

static void show_row(const char *comp, const char *cap, const char *src, const char *stage,
                     const char *amount, const char *id)
{
	gnbv_cli_pad(comp, 8, 0);
	gnbv_cli_pad(cap, 11, 0);
	gnbv_cli_pad(src, 32, 0);
	gnbv_cli_pad(stage, 16, 0);
	gnbv_cli_pad(amount, 12, 1);
	printf("  %s\n", id);
}

/* The outputs and targets the plans give for the year. */
static void show_outputs_targets(const gnbv_cli *g, const year_view *v, int year)
{
	const gnbv_numstyle *st = style(g);
	char a[48];
	int head = 0;
	for (int k = 0; k < 2; k++) {
		const gnbv_plan *p = v->plans[k];
		int section = k == 0 ? 1 : 0;
		for (size_t i = 0; p && i < p->n_outputs; i++) {
			const gnbv_plan_output *u = &p->outputs[i];
			if (u->section != section || (!u->has_quantity && !u->unit_vi)) continue;
			if (!head++)
				printf("\n%s\n", g->english ? "Outputs:" : "Sản phẩm, kết quả:");
			printf("  %-8s ", u->component ? u->component : "-");
			if (u->has_quantity)
				printf("%s ", (gnbv_fmt_dec(a, sizeof a, u->quantity, 2, st), a));
			printf("%s\n", g->english && u->unit_en ? u->unit_en
			               : u->unit_vi             ? u->unit_vi
			                                        : "");
		}
	}
	head = 0;
	for (int k = 0; k < 2; k++) {
		const gnbv_plan *p = v->plans[k];
		for (size_t i = 0; p && i < p->n_targets; i++) {
			const gnbv_plan_target *t = &p->targets[i];
			int ty = t->year ? t->year : (t->section ? p->plan_year : p->report_year);
			if (ty != year) continue;
			if (!head++)
				printf("\n%s\n", g->english ? "Targets:" : "Chỉ tiêu, mục tiêu:");
			printf("  %-16s %s\n", t->id, t->text ? t->text : t->indicator);
		}
	}
}

static int show_text(const gnbv_cli *g, const year_view *v, const char *unit, int year,
                     const gnbv_program *prog)
{
	const gnbv_numstyle *st = style(g);
	const char *L = lang(g);
	char a[48], b[48], c[48];
	printf(g->english ? "%s (%s), year %d; amounts in million VND\n\n"
	                  : "%s (%s), năm %d; đơn vị tính: triệu đồng\n\n",
	       v->unit_name ? v->unit_name : unit, unit, year);
	show_row(g->english ? "component" : "dự án", g->english ? "capital" : "loại vốn",
	         g->english ? "source" : "nguồn vốn", g->english ? "stage" : "giai đoạn",
	         g->english ? "amount" : "số tiền", g->english ? "line" : "dòng");
	for (int stage = 0; stage < GNBV_STAGE_COUNT; stage++)
		for (size_t i = 0; i < v->n; i++) {
			const gnbv_plan_line *l = v->lines[i];
			if (l->stage != stage) continue;
			show_row(l->component ? l->component : "-",
			         l->capital ? gnbv_capital_label(l->capital, L) : "-",
			         gnbv_source_label(l->source, L), gnbv_stage_label(l->stage, L),
			         million(a, sizeof a, l->amount_vnd, st), l->id);
		}
	printf("\n%s\n", g->english ? "Totals by stage, capital type and source:"
	                            : "Tổng theo giai đoạn, loại vốn và nguồn vốn:");
	for (int stage = 0; stage < GNBV_STAGE_COUNT; stage++) {
		int64_t all = view_sum(v, stage, 0, -1, NULL);
		int any = 0;
		for (size_t i = 0; i < v->n; i++)
			any |= v->lines[i]->stage == stage;
		if (!any) continue;
		int64_t state = view_sum(v, stage, STATE_MASK, -1, NULL);
		printf("  %s: %s\n", gnbv_stage_label(stage, L), million(a, sizeof a, all, st));
		printf(
		    g->english ? "    state budget %s = investment (ĐTPT) %s + recurrent (SN) %s\n"
		               : "    ngân sách nhà nước %s = ĐTPT %s + SN %s\n",
		    million(a, sizeof a, state, st),
		    million(b, sizeof b, view_sum(v, stage, STATE_MASK, GNBV_CAP_DTPT, NULL), st),
		    million(c, sizeof c, view_sum(v, stage, STATE_MASK, GNBV_CAP_SN, NULL), st));
		for (int src = 0; src < GNBV_SRC_COUNT; src++) {
			int64_t x = view_sum(v, stage, 1u << src, -1, NULL);
			if (x)
				printf("    %s: %s\n", gnbv_source_label(src, L),
				       million(a, sizeof a, x, st));
		}
	}
	printf("\n%s\n",
	       g->english ? "Totals by project and sub-project:" : "Tổng theo dự án, tiểu dự án:");
	for (size_t k = 0; prog && k < prog->n_components; k++) {
		const gnbv_component *cp = &prog->components[k];
		int printed = 0;
		int64_t alloc = view_sum(v, GNBV_STAGE_ALLOCATED, 0, -1, cp->code);
		for (int stage = 0; stage < GNBV_STAGE_COUNT; stage++) {
			int any = 0;
			for (size_t i = 0; i < v->n; i++) {
				const gnbv_plan_line *l = v->lines[i];
				any |=
				    l->stage == stage && l->component &&
				    (cp->parent ? strcmp(l->component, cp->code) == 0
				                : gnbv_program_project(prog, l->component) == cp);
			}
			if (!any) continue;
			if (!printed)
				printf("  %s%s %s\n", cp->parent ? "  " : "", cp->code,
				       g->english && cp->name_en ? cp->name_en : cp->name_vi);
			printed = 1;
			int64_t x = view_sum(v, stage, 0, -1, cp->code);
			printf("      %s", cp->parent ? "  " : "");
			gnbv_cli_pad(gnbv_stage_label(stage, L), 16, 0);
			gnbv_cli_pad(million(a, sizeof a, x, st), 12, 1);
			if ((stage == GNBV_STAGE_DISBURSED || stage == GNBV_STAGE_EST_DISBURSED) &&
			    alloc > 0) {
				gnbv_fmt_pct(b, sizeof b, (uint64_t)x, (uint64_t)alloc, st);
				printf(g->english ? "  (%s of allocation)" : "  (%s kế hoạch giao)",
				       b);
			}
			putchar('\n');
		}
	}
	show_outputs_targets(g, v, year);
	return 0;
}

static int show_csv(const year_view *v, const gnbv_program *prog)
{
	gnbv_listcsv_lines_head(stdout);
	for (size_t i = 0; i < v->n; i++) {
		int rc = gnbv_listcsv_line(stdout, v->lines[i], prog);
		if (rc) return rc;
	}
	return 0;
}

static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static int show_json(const year_view *v, const char *unit, int year)
{
	printf("{\"unit\":");
	json_str(unit);
	printf(",\"year\":%d,\"lines\":[", year);
	for (size_t i = 0; i < v->n; i++) {
		const gnbv_plan_line *l = v->lines[i];
		printf("%s{\"id\":", i ? "," : "");
		json_str(l->id);
		printf(",\"section\":\"%c\",\"component\":", 'A' + l->section);
		json_str(l->component);
		printf(",\"capital_type\":");
		json_str(l->capital ? gnbv_capital_code(l->capital) : NULL);
		printf(",\"source\":\"%s\",\"stage\":\"%s\",\"amount_vnd\":%lld}",
		       gnbv_source_code(l->source), gnbv_stage_code(l->stage),
		       (long long)l->amount_vnd);
	}
	printf("],\"totals\":{");
	int first = 1;
	for (int stage = 0; stage < GNBV_STAGE_COUNT; stage++) {
		int any = 0;
		for (size_t i = 0; i < v->n; i++)
			any |= v->lines[i]->stage == stage;
		if (!any) continue;
		printf(
		    "%s\"%s\":{\"all\":%lld,\"state_budget_total\":%lld,\"DTPT\":%lld,\"SN\":%lld",
		    first ? "" : ",", gnbv_stage_code(stage),
		    (long long)view_sum(v, stage, 0, -1, NULL),
		    (long long)view_sum(v, stage, STATE_MASK, -1, NULL),
		    (long long)view_sum(v, stage, STATE_MASK, GNBV_CAP_DTPT, NULL),
		    (long long)view_sum(v, stage, STATE_MASK, GNBV_CAP_SN, NULL));
		for (int src = 0; src < GNBV_SRC_COUNT; src++)
			printf(",\"%s\":%lld", gnbv_source_code(src),
			       (long long)view_sum(v, stage, 1u << src, -1, NULL));
		printf("}");
		first = 0;
	}
	printf("}}\n");
	return 0;
}

static int plan_show(const gnbv_cli *g, int argc, char **argv)
{
	plan_opts o;
	int rc = parse_opts("show", argc, argv, &o, 1);
	if (rc) return rc;
	if (strcmp(o.format, "text") && strcmp(o.format, "csv") && strcmp(o.format, "json")) {
		fprintf(stderr, gnbv_tr("gnbv: plan show: --format is text, csv or json, not '%s'\n"),
		        o.format);
		return EXIT_USAGE;
	}
	gnbv_store *s = NULL;
	gnbv_program *prog = NULL;
	year_view v;
	memset(&v, 0, sizeof v);
	if ((rc = gnbv_cli_open_store(g, 0, &s)) || (rc = view_load(s, o.unit, o.year, &v)))
		goto done;
	const gnbv_plan *any = v.plans[0] ? v.plans[0] : v.plans[1];
	if ((rc = gnbv_program_load(o.program ? o.program : any->program, &prog))) goto done;
	if (strcmp(o.format, "csv") == 0)
		rc = show_csv(&v, prog);
	else if (strcmp(o.format, "json") == 0)
		show_json(&v, o.unit, o.year);
	else
		show_text(g, &v, o.unit, o.year, prog);
done:
	view_free(&v);
	gnbv_program_free(prog);
	gnbv_store_close(s);
	return rc ? gnbv_cli_fail(rc) : EXIT_OK;
}

/* Opens the store and reads the plan proposing o->year with its program. */
static int open_plan(const gnbv_cli *g, const plan_opts *o, gnbv_store **s, gnbv_plan **p,
                     gnbv_program **prog)
{
	gnbv_scope all;
	gnbv_store_scope_all(&all);
	int rc;
	if ((rc = gnbv_cli_open_store(g, 0, s)) ||
	    (rc = gnbv_store_plan_get(*s, &all, o->unit, o->year, p)))
		return rc;
	return gnbv_program_load(o->program ? o->program : (*p)->program, prog);
}

/* ---- check ---- */

typedef struct check_out {
	const gnbv_cli *g;
	int json;
	size_t n;
} check_out;

static int print_finding(void *ctx, const gnbv_finding *f)
{
	check_out *c = ctx;
	if (c->json) {
		printf("%s{\"kind\":\"%s\",\"section\":\"%c\",\"subject\":", c->n ? "," : "",
		       gnbv_finding_code(f->kind), 'A' + f->section);
		json_str(f->subject);
		printf(",\"stated\":%lld,\"computed\":%lld,\"lines\":[", (long long)f->stated,
		       (long long)f->computed);
		for (size_t i = 0; i < f->n_lines; i++) {
			if (i) putchar(',');
			json_str(f->lines[i]);
		}
		printf("],\"n_lines\":%zu,\"message\":", f->n_lines_total);
		json_str(f->message);
		printf("}");
	} else {
		printf("%zu. [%s] %s\n   %s\n", c->n + 1, gnbv_finding_code(f->kind),
		       gnbv_finding_title(f->kind, lang(c->g)),
		       gnbv_finding_message(f, lang(c->g)));
		if (f->kind == GNBV_FIND_STATED_TOTAL || f->kind == GNBV_FIND_OVER_DISBURSED) {
			char a[48], b[48];
			printf(c->g->english
			           ? "   stated %s, computed %s (million VND)\n"
			           : "   văn bản ghi %s, tính từ các dòng %s (triệu đồng)\n",
			       million(a, sizeof a, f->stated, style(c->g)),
			       million(b, sizeof b, f->computed, style(c->g)));
		}
		int targets = f->kind == GNBV_FIND_TARGETS_CONFLICT;
		printf("   %s", targets ? (c->g->english ? "targets:" : "các chỉ tiêu:")
		                        : (c->g->english ? "lines:" : "các dòng:"));
		for (size_t i = 0; i < f->n_lines; i++)
			printf(" %s", f->lines[i]);
		if (f->n_lines_total > f->n_lines) printf(" ... (%zu)", f->n_lines_total);
		printf("\n");
	}
	c->n++;
	return 0;
}

static int plan_check(const gnbv_cli *g, int argc, char **argv)
{
	plan_opts o;
	int rc = parse_opts("check", argc, argv, &o, 1);
	if (rc) return rc;
	int json = strcmp(o.format, "json") == 0;
	if (!json && strcmp(o.format, "text")) {
		fprintf(stderr, gnbv_tr("gnbv: plan check: --format is text or json, not '%s'\n"), o.format);
		return EXIT_USAGE;
	}
	gnbv_store *s = NULL;
	gnbv_program *prog = NULL;
	gnbv_plan *p = NULL;
	check_out c = {g, json, 0};
	if ((rc = open_plan(g, &o, &s, &p, &prog))) goto done;
	if (json)
		printf("{\"unit\":\"%s\",\"plan_year\":%d,\"findings\":[", p->unit_code,
		       p->plan_year);
	rc = gnbv_plan_check(p, prog, print_finding, &c, NULL);
	if (json)
		printf("]}\n");
	else
		printf(g->english ? "%zu findings in the plan of %s proposing %d\n"
		                  : "%zu phát hiện trong kế hoạch của %s đề xuất năm %d\n",
		       c.n, p->unit_code, p->plan_year);
done:
	gnbv_plan_free(p);
	gnbv_program_free(prog);
	gnbv_store_close(s);
	if (rc) return gnbv_cli_fail(rc);
	return c.n ? EXIT_USER : EXIT_OK;
}

/* ---- export ---- */

static int plan_export(const gnbv_cli *g, int argc, char **argv)
{
	plan_opts o;
	int rc = parse_opts("export", argc, argv, &o, 1);
	if (rc) return rc;
	if (!o.xlsx && !o.docx && !o.json) {
		fprintf(stderr,
		        gnbv_tr("gnbv: plan export: give --xlsx FILE, --docx FILE and/or --json FILE\n"));
		return EXIT_USAGE;
	}
	gnbv_store *s = NULL;
	gnbv_program *prog = NULL;
	gnbv_plan *p = NULL;
	if ((rc = open_plan(g, &o, &s, &p, &prog))) goto done;
	if (o.json && (rc = gnbv_plan_write_json(p, o.json))) goto done;
#ifdef GNBV_HAVE_DOC
	if (o.xlsx && (rc = gnbv_plan_write_xlsx(p, prog, o.xlsx))) goto done;
	if (o.docx && (rc = gnbv_plan_write_docx(p, prog, o.docx))) goto done;
#else
	if (o.xlsx || o.docx) {
		rc = gnbv_error_set(GNBV_ENOTFOUND,
		                    "this gnbv was built without the document writers");
		goto done;
	}
#endif
	const char *written[] = {o.json && strcmp(o.json, "-") ? o.json : NULL, o.xlsx, o.docx};
	for (size_t i = 0; i < sizeof written / sizeof written[0]; i++)
		if (written[i])
			fprintf(stderr, g->english ? "gnbv: wrote %s\n" : "gnbv: đã ghi tệp %s\n",
			        written[i]);
done:
	gnbv_plan_free(p);
	gnbv_program_free(prog);
	gnbv_store_close(s);
	return rc ? gnbv_cli_fail(rc) : EXIT_OK;
}

/* ---- set: one line's amount, or the document's number, date, signer and
 * status (an officer's edit; every change is audited by the store) ---- */

static int plan_set(const gnbv_cli *g, int argc, char **argv)
{
	plan_opts o;
	int rc = parse_opts("set", argc, argv, &o, 1);
	if (rc) return rc;
	int doc = o.number || o.date || o.signer || o.status;
	if (!!o.line != !!o.amount || (!o.line && !doc)) {
		fprintf(stderr,
		        gnbv_tr("gnbv: plan set: give --line ID --amount VND, and/or --number, --date, "
		        "--signer, --status\n"));
		return EXIT_USAGE;
	}
	int64_t amount = 0;
	if (o.amount) {
		char *end;
		long long v = strtoll(o.amount, &end, 10);
		if (*end || v < 0 || end == o.amount) {
			fprintf(
			    stderr,
			    gnbv_tr("gnbv: plan set: --amount is whole VND (e.g. 2100000000), not '%s'\n"),
			    o.amount);
			return EXIT_USAGE;
		}
		amount = v;
	}
	char why[96];
	if (o.date && gnbv_plan_date_check(o.date, NULL, why, sizeof why)) {
		/* The store refuses it too; said here as a usage error. */
		fprintf(stderr, "gnbv: plan set: --date: %s\n", why);
		return EXIT_USAGE;
	}
	int status = o.status ? gnbv_plan_status_parse(o.status) : -1;
	if (o.status && status < 0) {
		fprintf(stderr, gnbv_tr("gnbv: plan set: --status is draft, submitted or approved\n"));
		return EXIT_USAGE;
	}
	gnbv_store *s = NULL;
	gnbv_plan *p = NULL;
	gnbv_scope all;
	gnbv_store_scope_all(&all);
	if ((rc = gnbv_cli_open_store(g, 0, &s))) goto done;
	if (o.line && (rc = gnbv_store_plan_line_set(s, &all, o.unit, o.year, o.line, amount)))
		goto done;
	if (doc) {
		int changed;
		if ((rc = gnbv_store_plan_get(s, &all, o.unit, o.year, &p))) goto done;
		if (o.number) p->number = *o.number ? o.number : NULL;
		if (o.date) p->date = o.date;
		if (o.signer) p->signer_name = o.signer;
		if (status >= 0) p->status = status;
		if ((rc = gnbv_store_plan_put(s, &all, p, &changed))) goto done;
	}
	printf(g->english ? "plan of %s proposing %d updated\n"
	                  : "đã cập nhật kế hoạch của %s đề xuất năm %d\n",
	       o.unit, o.year);
done:
	gnbv_plan_free(p);
	gnbv_store_close(s);
	return rc ? gnbv_cli_fail(rc) : EXIT_OK;
}

int gnbv_cmd_plan(const gnbv_cli *g, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(const gnbv_cli *, int, char **);
	} subs[] = {{"import", plan_import}, {"list", plan_list},     {"show", plan_show},
	            {"check", plan_check},   {"export", plan_export}, {"set", plan_set}};
	if (argc < 2) return gnbv_cli_usage("plan");
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
		if (strcmp(argv[1], subs[i].name) == 0) return subs[i].fn(g, argc - 1, argv + 1);
	fprintf(stderr,
	        gnbv_tr("gnbv: plan: unknown subcommand '%s' (import, list, show, check, export, set)\n"),
	        argv[1]);
	return EXIT_USAGE;
}
