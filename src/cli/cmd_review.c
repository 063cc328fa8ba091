/*
 * cmd_review.c - `gnbv [--db PATH] review SUBCOMMAND [OPTIONS]`: the review
 * round as a workflow (Decision 24/2021/QĐ-TTg: list, survey, village
 * meeting, posting and complaints, submission and recognition, reopening),
 * the ad-hoc review, transitions, the summary form (text, CSV, XLSX), the
 * expected-to-escape list (M8) and certificates; and the demo's rounds.
 *
 * Who acts: --as NAME names the acting user and --unit CODE the unit whose
 * subtree is their scope (the web layer passes its signed-in user the same
 * way). Without --as the operating-system user acts ("os:NAME"); without
 * --unit the scope is the whole tree (the local administrator). The store
 * enforces the rules (steps in order, the lock, the level above to
 * reopen, the submitter not approving); this file parses and prints.
 *
 * The subcommands are a table (name, function, usage, help) that drives
 * dispatch and help alike. What a step did is said in Vietnamese, in the
 * words of the web's review screens (web/i18n/vi.json, rv.*), with
 * Vietnamese numbers; in English with `gnbv --lang en`. CSV stays CSV.
 */
#include "cmd_review.h"

#include "gnbv/error.h"
#include "gnbv/review.h"

#include "cmd_db.h"
#include "doc/listcsv.h"
#include "doc/review_doc.h"
#include "util/numfmt.h"

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- options: one table for every subcommand ---- */

enum {
	O_AS,
	O_UNIT,
	O_PARAMS,
	O_COMMUNE,
	O_YEAR,
	O_HOUSEHOLD,
	O_DATE,
	O_APPLICANT,
	O_NOTE,
	O_REASON,
	O_VILLAGE,
	O_CHAIR,
	O_PARTICIPANTS,
	O_VOTES,
	O_MEETING,
	O_IN_FAVOUR,
	O_START,
	O_END,
	O_TEXT,
	O_BY,
	O_COMPLAINT,
	O_DECISION,
	O_SIGNER,
	O_REQUEST,
	O_ROUND_DATE,
	O_ON,
	O_KIND,
	O_FROM,
	O_FORMAT,
	O_OUT,
	O_HELPER,
	O_POSITION,
	O_WHAT,
	O_AMOUNT,
	O_COMPONENT,
	O_MAP,
	O_COUNT
};

static const char *const OPT_NAMES[O_COUNT] = {
    "as",           "unit",      "params",    "commune",   "year",      "household",
    "date",         "applicant", "note",      "reason",    "village",   "chair",
    "participants", "votes",     "meeting",   "in-favour", "start",     "end",
    "text",         "by",        "complaint", "decision",  "signer",    "request",
    "round-date",   "on",        "kind",      "from",      "format",    "out",
    "helper",       "position",  "what",      "amount",    "component", "map"};

typedef struct ropt {
	const char *v[O_COUNT];
	const char *sub;
} ropt;

static int parse_opts(int argc, char **argv, ropt *o)
{
	struct option lo[O_COUNT + 1];
	for (int i = 0; i < O_COUNT; i++) {
		lo[i].name = OPT_NAMES[i];
		lo[i].has_arg = required_argument;
		lo[i].flag = NULL;
		lo[i].val = 256 + i;
	}
	memset(&lo[O_COUNT], 0, sizeof lo[O_COUNT]);
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c < 256 || c >= 256 + O_COUNT) {
			fprintf(stderr, gnbv_tr("gnbv: review %s: unknown option '%s'\n"), o->sub,
			        argv[optind - 1]);
			return -1;
		}
		o->v[c - 256] = optarg;
	}
	if (optind != argc) {
		fprintf(stderr, gnbv_tr("gnbv: review %s: unexpected argument '%s'\n"), o->sub,
		        argv[optind]);
		return -1;
	}
	return 0;
}

static int need(const ropt *o, int k)
{
	if (o->v[k] && o->v[k][0]) return 0;
	fprintf(stderr, gnbv_tr("gnbv: review %s: --%s is required\n"), o->sub, OPT_NAMES[k]);
	return -1;
}

static int int_opt(const ropt *o, int k, int64_t lo, int64_t hi, int64_t *out)
{
	if (need(o, k)) return -1;
	char *end = NULL;
	long long v = strtoll(o->v[k], &end, 10);
	if (!end || *end || v < lo || v > hi) {
		fprintf(stderr, gnbv_tr("gnbv: review %s: --%s must be a number from %lld to %lld\n"),
		        o->sub, OPT_NAMES[k], (long long)lo, (long long)hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int date_opt(const ropt *o, int k, int32_t *out)
{
	if (need(o, k)) return -1;
	if (gnbv_cli_date(o->v[k], out)) {
		fprintf(stderr, gnbv_tr("gnbv: review %s: --%s must be YYYY-MM-DD\n"), o->sub, OPT_NAMES[k]);
		return -1;
	}
	return 0;
}

static int year_opt(const ropt *o, int *year)
{
	int64_t y;
	if (int_opt(o, O_YEAR, 2000, 2100, &y)) return -1;
	*year = (int)y;
	return 0;
}

/* ---- the session: the store, the actor, the parameters ---- */

typedef struct sess {
	gnbv_store *s;
	gnbv_review_actor who;
	char user[128];
	gnbv_review_params prm;
	int english;
} sess;

static int sess_open(const gnbv_cli *g, const ropt *o, sess *x)
{
	int rc;
	memset(x, 0, sizeof *x);
	x->english = g->english;
	if (o->v[O_AS] && o->v[O_AS][0]) {
		snprintf(x->user, sizeof x->user, "%s", o->v[O_AS]);
	} else {
		struct passwd *pw = getpwuid(geteuid());
		if (pw && pw->pw_name && pw->pw_name[0])
			snprintf(x->user, sizeof x->user, "os:%s", pw->pw_name);
		else
			snprintf(x->user, sizeof x->user, "os:uid%ld", (long)geteuid());
	}
	x->who.user = x->user;
	if ((rc = gnbv_review_params_load(&x->prm, o->v[O_PARAMS]))) return rc;
	if ((rc = gnbv_cli_open_store(g, 0, &x->s))) return rc;
	if (o->v[O_UNIT] && o->v[O_UNIT][0])
		rc = gnbv_store_scope_unit(x->s, o->v[O_UNIT], 0, &x->who.scope);
	else
		gnbv_store_scope_all(&x->who.scope);
	return rc;
}

static int sess_done(sess *x, int rc)
{
	gnbv_store_close(x->s);
	x->s = NULL;
	if (rc) return gnbv_cli_fail(rc);
	return fflush(stdout) ? EXIT_USER : EXIT_OK;
}

/* ---- the steps ---- */

typedef int (*sub_fn)(const gnbv_cli *g, ropt *o);

static int sub_open(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	if (need(o, O_COMMUNE) || year_opt(o, &year)) return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc) rc = gnbv_review_open(x.s, &x.who, o->v[O_COMMUNE], year);
	gnbv_review_status st;
	char n[32];
	if (!rc && !(rc = gnbv_review_status_get(x.s, &x.who.scope, o->v[O_COMMUNE], year, &st)))
		printf(x.english
		           ? "%s %s, %d: step 1 (listing): %s households on the current lists\n"
		           : "%s %s, năm %d: bước 1 (lập danh sách): %s hộ trong danh sách "
		             "hiện hành\n",
		       st.commune, st.commune_name, year,
		       gnbv_cli_num(n, sizeof n, (int64_t)st.listed, x.english));
	return sess_done(&x, rc);
}

static int put_round(void *ctx, const gnbv_review_round_info *r)
{
	(void)ctx;
	return gnbv_listcsv_round(stdout, r);
}

static int sub_rounds(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	if (year_opt(o, &year)) return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc) {
		gnbv_listcsv_rounds_head(stdout);
		rc = gnbv_review_rounds_each(x.s, &x.who.scope, year, put_round, NULL);
	}
	return sess_done(&x, rc);
}

static int put_entry(void *ctx, const gnbv_review_entry *e)
{
	(void)ctx;
	return gnbv_listcsv_entry(stdout, e);
}

static int sub_list(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	if (need(o, O_COMMUNE) || year_opt(o, &year)) return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc) {
		gnbv_listcsv_entries_head(stdout);
		rc = gnbv_review_list_each(x.s, &x.who.scope, o->v[O_COMMUNE], year, put_entry,
		                           NULL);
	}
	return sess_done(&x, rc);
}

static int sub_status(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	gnbv_review_status st;
	if (need(o, O_COMMUNE) || year_opt(o, &year)) return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc && !(rc = gnbv_review_status_get(x.s, &x.who.scope, o->v[O_COMMUNE], year, &st))) {
		/* The steps as the web's round page names them (web/i18n/vi.json step.*). */
		static const char *const STEP_VI[GNBV_STEP_COUNT] = {
		    "Chỉ nhập số liệu", "1. Lập danh sách", "2. Điều tra, phân loại",
		    "3. Họp thôn",      "4. Niêm yết",      "5. Đã trình",
		    "Đã công nhận"};
		const int en = x.english;
		char a[32], b[32], c[32], d[32], e[32], f[32];
		printf(en ? "round: %s %s, %d (standard %s)\nstep: %s\n"
		          : "đợt rà soát: %s %s, năm %d (chuẩn %s)\nbước: %s\n",
		       st.commune, st.commune_name, year, st.standard,
		       en || st.step < 0 || st.step >= GNBV_STEP_COUNT
		           ? gnbv_review_step_name(st.step)
		           : STEP_VI[st.step]);
		printf(en ? "listed: %s (applications %s); surveyed: %s; agreed: %s; to survey "
		            "again: %s; without a standing vote: %s\n"
		          : "trong danh sách: %s (có đơn đề nghị %s); đã điều tra: %s; đã thống "
		            "nhất: %s; phải điều tra lại: %s; chưa biểu quyết: %s\n",
		       gnbv_cli_num(a, sizeof a, (int64_t)st.listed, en),
		       gnbv_cli_num(b, sizeof b, (int64_t)st.applications, en),
		       gnbv_cli_num(c, sizeof c, (int64_t)st.surveyed, en),
		       gnbv_cli_num(d, sizeof d, (int64_t)st.agreed, en),
		       gnbv_cli_num(e, sizeof e, (int64_t)st.resurvey, en),
		       gnbv_cli_num(f, sizeof f, (int64_t)st.unvoted, en));
		printf(en ? "complaints: %s (unresolved %s)\n"
		          : "khiếu nại: %s (chưa giải quyết %s)\n",
		       gnbv_cli_num(a, sizeof a, (int64_t)st.complaints, en),
		       gnbv_cli_num(b, sizeof b, (int64_t)st.unresolved, en));
		if (st.opened_by[0])
			printf(en ? "opened by: %s\n" : "người lập danh sách: %s\n", st.opened_by);
		if (st.post_start[0])
			printf(en ? "posting: %s to %s\n" : "niêm yết: từ %s đến %s\n",
			       st.post_start, st.post_end);
		if (st.submitted_by[0])
			printf(en ? "submitted by: %s\n" : "người trình: %s\n", st.submitted_by);
		if (st.decision_no[0])
			printf(
			    en ? "recognised by decision %s of %s, signed %s (recorded by %s)\n"
			       : "công nhận theo quyết định số %s ngày %s, người ký %s (ghi nhận "
			         "bởi %s)\n",
			    st.decision_no, st.decision_date, st.signer, st.recognised_by);
		if (st.reopen_count)
			printf(en ? "reopened: %d times\n" : "số lần mở lại: %d\n",
			       st.reopen_count);
	}
	return sess_done(&x, rc);
}

static int sub_apply(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	int32_t d;
	if (need(o, O_COMMUNE) || year_opt(o, &year) || need(o, O_HOUSEHOLD) ||
	    date_opt(o, O_DATE, &d) || need(o, O_APPLICANT))
		return EXIT_USAGE;
	gnbv_review_application a = {o->v[O_HOUSEHOLD], d, o->v[O_APPLICANT], o->v[O_NOTE]};
	int rc = sess_open(g, o, &x);
	if (!rc) rc = gnbv_review_apply(x.s, &x.who, o->v[O_COMMUNE], year, &a);
	if (!rc)
		printf(x.english ? "application of %s recorded (step 1)\n"
		                 : "Đã ghi đơn đề nghị của hộ %s (bước 1)\n",
		       o->v[O_HOUSEHOLD]);
	return sess_done(&x, rc);
}

static int sub_remove(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	if (need(o, O_COMMUNE) || year_opt(o, &year) || need(o, O_HOUSEHOLD) || need(o, O_REASON))
		return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc)
		rc = gnbv_review_list_remove(x.s, &x.who, o->v[O_COMMUNE], year, o->v[O_HOUSEHOLD],
		                             o->v[O_REASON]);
	if (!rc)
		printf(x.english ? "%s withdrawn from the list\n" : "Đã rút hộ %s khỏi danh sách\n",
		       o->v[O_HOUSEHOLD]);
	return sess_done(&x, rc);
}

static int sub_survey(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	if (need(o, O_COMMUNE) || year_opt(o, &year)) return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc) rc = gnbv_review_survey(x.s, &x.who, o->v[O_COMMUNE], year);
	if (!rc)
		printf(x.english ? "the list is closed: step 2, survey and classification ('gnbv "
		                   "import --round %d ...')\n"
		                 : "Đã chốt danh sách: bước 2, điều tra và phân loại ('gnbv import "
		                   "--round %d ...')\n",
		       year);
	return sess_done(&x, rc);
}

/* --votes FILE: lines "household_code,in_favour" (a header line allowed). */
static int read_votes(const char *path, gnbv_review_vote **out, char **text, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f) return gnbv_error_set(GNBV_EIO, "%s: cannot open", path);
	size_t cap = 0, len = 0, count = 0, vcap = 0;
	char *buf = NULL, line[512];
	gnbv_review_vote *v = NULL;
	int rc = 0, lineno = 0;
	size_t *offs = NULL;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t k = strcspn(line, "\r\n");
		if (line[k] == '\0' && !feof(f)) {
			rc = gnbv_error_set(GNBV_ETOOBIG, "%s:%d: line longer than 510 bytes", path,
			                    lineno);
			goto done;
		}
		line[k] = '\0';
		if (!k) continue;
		char *comma = strchr(line, ',');
		if (!comma) {
			rc = gnbv_error_set(GNBV_EINVALID,
			                    "%s:%d: expected household_code,in_favour", path,
			                    lineno);
			goto done;
		}
		*comma = '\0';
		char *end = NULL;
		long long fav = strtoll(comma + 1, &end, 10);
		if (!end || *end || fav < 0) {
			if (lineno == 1) continue; /* a header */
			rc = gnbv_error_set(GNBV_EINVALID, "%s:%d: in_favour '%s' is not a number",
			                    path, lineno, comma + 1);
			goto done;
		}
		size_t cl = strlen(line) + 1;
		if (len + cl > cap) {
			size_t nc = cap ? cap * 2 : 4096;
			while (nc < len + cl)
				nc *= 2;
			if (nc > (64u << 20)) {
				rc = gnbv_error_set(GNBV_ETOOBIG, "%s: too large", path);
				goto done;
			}
			char *nb = realloc(buf, nc);
			if (!nb) {
				rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
				goto done;
			}
			buf = nb;
			cap = nc;
		}
		if (count == vcap) {
			size_t nc = vcap ? vcap * 2 : 64;
			gnbv_review_vote *nv = realloc(v, nc * sizeof *nv);
			size_t *no = realloc(offs, nc * sizeof *no);
			if (nv) v = nv;
			if (no) offs = no;
			if (!nv || !no) {
				rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
				goto done;
			}
			vcap = nc;
		}
		memcpy(buf + len, line, cl);
		offs[count] = len;
		v[count].in_favour = fav;
		v[count].agreed = 0;
		count++;
		len += cl;
	}
	for (size_t i = 0; i < count; i++)
		v[i].household_code = buf + offs[i];
	*out = v;
	*text = buf;
	*n = count;
	v = NULL;
	buf = NULL;
done:
	fclose(f);
	free(v);
	free(buf);
	free(offs);
	return rc;
}

static int sub_meeting(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	int32_t d;
	int64_t participants, id = 0;
	gnbv_review_vote *v = NULL;
	char *text = NULL;
	size_t n = 0;
	if (need(o, O_COMMUNE) || year_opt(o, &year) || need(o, O_VILLAGE) ||
	    date_opt(o, O_DATE, &d) || need(o, O_CHAIR) ||
	    int_opt(o, O_PARTICIPANTS, 1, 100000, &participants))
		return EXIT_USAGE;
	int rc = 0;
	if (o->v[O_VOTES] && (rc = read_votes(o->v[O_VOTES], &v, &text, &n)))
		return gnbv_cli_fail(rc);
	gnbv_review_meeting m = {o->v[O_VILLAGE], d, o->v[O_CHAIR], participants};
	rc = sess_open(g, o, &x);
	if (!rc)
		rc = gnbv_review_meeting_add(x.s, &x.who, &x.prm, o->v[O_COMMUNE], year, &m, v, n,
		                             &id);
	if (!rc) {
		size_t agreed = 0;
		for (size_t i = 0; i < n; i++)
			agreed += (size_t)v[i].agreed;
		char a[32], b[32], c[32];
		printf(x.english
		           ? "meeting %lld recorded (step 3): %s votes, %s results stand, %s "
		             "to survey again\n"
		           : "Đã ghi cuộc họp số %lld (bước 3): %s hộ biểu quyết, %s hộ đạt, %s "
		             "hộ phải điều tra lại\n",
		       (long long)id, gnbv_cli_num(a, sizeof a, (int64_t)n, x.english),
		       gnbv_cli_num(b, sizeof b, (int64_t)agreed, x.english),
		       gnbv_cli_num(c, sizeof c, (int64_t)(n - agreed), x.english));
		for (size_t i = 0; i < n; i++)
			if (!v[i].agreed)
				printf(
				    x.english
				        ? "  %s: %s of %s in favour, below %d%%: survey again\n"
				        : "  %s: %s / %s người đồng ý, dưới %d%%: điều tra lại\n",
				    v[i].household_code,
				    gnbv_cli_num(a, sizeof a, v[i].in_favour, x.english),
				    gnbv_cli_num(b, sizeof b, participants, x.english),
				    x.prm.min_favour_pct);
	}
	free(v);
	free(text);
	return sess_done(&x, rc);
}

static int sub_vote(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	int64_t meeting, fav;
	if (need(o, O_COMMUNE) || year_opt(o, &year) ||
	    int_opt(o, O_MEETING, 1, INT64_MAX, &meeting) || need(o, O_HOUSEHOLD) ||
	    int_opt(o, O_IN_FAVOUR, 0, 100000, &fav))
		return EXIT_USAGE;
	gnbv_review_vote v = {o->v[O_HOUSEHOLD], fav, 0};
	int rc = sess_open(g, o, &x);
	if (!rc)
		rc = gnbv_review_votes_add(x.s, &x.who, &x.prm, o->v[O_COMMUNE], year, meeting, &v,
		                           1);
	if (!rc)
		printf("%s: %s\n", v.household_code,
		       v.agreed ? (x.english ? "the result stands" : "đạt, kết quả giữ nguyên")
		                : (x.english ? "below the share in favour: survey again"
		                             : "chưa đạt tỷ lệ đồng ý: điều tra lại"));
	return sess_done(&x, rc);
}

static int sub_post(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	int32_t a, b;
	if (need(o, O_COMMUNE) || year_opt(o, &year) || date_opt(o, O_START, &a) ||
	    date_opt(o, O_END, &b))
		return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc) rc = gnbv_review_post(x.s, &x.who, &x.prm, o->v[O_COMMUNE], year, a, b);
	if (!rc)
		printf(x.english ? "posted from %s to %s (step 4)\n"
		                 : "Đã niêm yết công khai từ %s đến %s (bước 4)\n",
		       o->v[O_START], o->v[O_END]);
	return sess_done(&x, rc);
}

static int sub_complain(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	int32_t d;
	int64_t id = 0;
	if (need(o, O_COMMUNE) || year_opt(o, &year) || need(o, O_HOUSEHOLD) ||
	    date_opt(o, O_DATE, &d) || need(o, O_TEXT))
		return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc)
		rc = gnbv_review_complain(x.s, &x.who, o->v[O_COMMUNE], year, o->v[O_HOUSEHOLD], d,
		                          o->v[O_BY], o->v[O_TEXT], &id);
	if (!rc)
		printf(x.english ? "complaint %lld recorded\n" : "Đã ghi khiếu nại số %lld\n",
		       (long long)id);
	return sess_done(&x, rc);
}

static int sub_resolve(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	int32_t d;
	int64_t id;
	if (need(o, O_COMMUNE) || year_opt(o, &year) ||
	    int_opt(o, O_COMPLAINT, 1, INT64_MAX, &id) || date_opt(o, O_DATE, &d) ||
	    need(o, O_TEXT))
		return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc) rc = gnbv_review_resolve(x.s, &x.who, o->v[O_COMMUNE], year, id, d, o->v[O_TEXT]);
	if (!rc)
		printf(x.english ? "complaint %lld resolved\n"
		                 : "Đã ghi kết quả giải quyết khiếu nại số %lld\n",
		       (long long)id);
	return sess_done(&x, rc);
}

static int sub_submit(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	if (need(o, O_COMMUNE) || year_opt(o, &year)) return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc) rc = gnbv_review_submit(x.s, &x.who, o->v[O_COMMUNE], year);
	if (!rc)
		printf(x.english
		           ? "submitted for recognition by %s (step 5); the round is locked\n"
		           : "Đã trình công nhận, người trình %s (bước 5); danh sách đã khóa\n",
		       x.user);
	return sess_done(&x, rc);
}

static int sub_recognise(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	int32_t d;
	if (need(o, O_COMMUNE) || year_opt(o, &year) || need(o, O_DECISION) ||
	    date_opt(o, O_DATE, &d) || need(o, O_SIGNER))
		return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc)
		rc = gnbv_review_recognise(x.s, &x.who, o->v[O_COMMUNE], year, o->v[O_DECISION], d,
		                           o->v[O_SIGNER]);
	if (!rc)
		printf(x.english
		           ? "recognised by decision %s of %s; the round's lists are locked\n"
		           : "Đã công nhận theo quyết định số %s ngày %s; danh sách của đợt rà "
		             "soát đã khóa\n",
		       o->v[O_DECISION], o->v[O_DATE]);
	return sess_done(&x, rc);
}

static int sub_reopen(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	if (need(o, O_COMMUNE) || year_opt(o, &year) || need(o, O_REASON)) return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc)
		rc = gnbv_review_reopen(x.s, &x.who, &x.prm, o->v[O_COMMUNE], year, o->v[O_REASON]);
	if (!rc)
		puts(x.english ? "reopened: back to step 2 (survey)"
		               : "Đã mở lại đợt rà soát: quay lại bước 2 (điều tra)");
	return sess_done(&x, rc);
}

/* ---- ad hoc ---- */

static int sub_adhoc(const gnbv_cli *g, ropt *o)
{
	sess x;
	int32_t d;
	const char *verb = o->v[O_KIND];
	int rc;
	if (verb && !strcmp(verb, "request")) {
		int64_t id = 0;
		if (need(o, O_COMMUNE) || need(o, O_HOUSEHOLD) || date_opt(o, O_DATE, &d) ||
		    need(o, O_REASON))
			return EXIT_USAGE;
		rc = sess_open(g, o, &x);
		if (!rc)
			rc = gnbv_adhoc_request_add(x.s, &x.who, &x.prm, o->v[O_COMMUNE],
			                            o->v[O_HOUSEHOLD], d, o->v[O_REASON], &id);
		if (!rc)
			printf(
			    x.english
			        ? "ad-hoc request %lld recorded: decision due within %d %s\n"
			        : "Đã ghi đề nghị rà soát đột xuất số %lld: hạn quyết định trong "
			          "%d %s\n",
			    (long long)id, x.prm.deadline_days,
			    x.prm.deadline_working
			        ? (x.english ? "working days" : "ngày làm việc")
			        : (x.english ? "calendar days" : "ngày theo lịch"));
		return sess_done(&x, rc);
	}
	if (verb && !strcmp(verb, "decide")) {
		int64_t id;
		int32_t rd = 0;
		if (int_opt(o, O_REQUEST, 1, INT64_MAX, &id) || date_opt(o, O_DATE, &d) ||
		    need(o, O_DECISION) || need(o, O_SIGNER))
			return EXIT_USAGE;
		if (o->v[O_ROUND_DATE] && date_opt(o, O_ROUND_DATE, &rd)) return EXIT_USAGE;
		rc = sess_open(g, o, &x);
		if (!rc)
			rc = gnbv_adhoc_decide(x.s, &x.who, id, rd, d, o->v[O_DECISION],
			                       o->v[O_SIGNER]);
		if (!rc)
			printf(x.english
			           ? "ad-hoc request %lld decided\n"
			           : "Đã ghi quyết định về đề nghị rà soát đột xuất số %lld\n",
			       (long long)id);
		return sess_done(&x, rc);
	}
	fprintf(stderr, gnbv_tr("gnbv: review adhoc: request or decide\n"));
	return EXIT_USAGE;
}

static int put_overdue(void *ctx, const gnbv_adhoc_request *r)
{
	(void)ctx;
	printf("%lld,%s,%s,%s,%s,%d,", (long long)r->request_id, r->commune, r->household_code,
	       r->requested_on, r->due_on, r->days_late);
	const char *s = r->reason;
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"') putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	putchar('\n');
	return 0;
}

static int sub_overdue(const gnbv_cli *g, ropt *o)
{
	sess x;
	int32_t on;
	if (o->v[O_ON]) {
		if (date_opt(o, O_ON, &on)) return EXIT_USAGE;
	} else {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		on = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
	}
	int rc = sess_open(g, o, &x);
	if (!rc) {
		printf("request_id,commune,household_code,requested_on,due_on,days_late,reason\n");
		rc = gnbv_adhoc_overdue(x.s, &x.who.scope, on, put_overdue, NULL);
	}
	return sess_done(&x, rc);
}

static int sub_origin(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	char list[1024];
	const char *from[16];
	size_t n = 0;
	if (need(o, O_HOUSEHOLD) || need(o, O_KIND) || need(o, O_FROM) || year_opt(o, &year))
		return EXIT_USAGE;
	if (strlen(o->v[O_FROM]) >= sizeof list) return EXIT_USAGE;
	snprintf(list, sizeof list, "%s", o->v[O_FROM]);
	for (char *p = list; p && *p && n < 16;) {
		from[n++] = p;
		char *c = strchr(p, ',');
		if (c) *c++ = '\0';
		p = c;
	}
	int rc = sess_open(g, o, &x);
	if (!rc)
		rc = gnbv_review_origin_add(x.s, &x.who, o->v[O_HOUSEHOLD], o->v[O_KIND], from, n,
		                            year);
	if (!rc)
		printf(x.english ? "%s: %s from %s recorded\n" : "%s: đã ghi %s từ %s\n",
		       o->v[O_HOUSEHOLD], o->v[O_KIND], o->v[O_FROM]);
	return sess_done(&x, rc);
}

/* ---- transitions and the summary ---- */

static int put_transition(void *ctx, const gnbv_transition *t)
{
	(void)ctx;
	return gnbv_listcsv_transition(stdout, t);
}

static int sub_transitions(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year, py = 0;
	if (need(o, O_COMMUNE) || year_opt(o, &year)) return EXIT_USAGE;
	int rc = sess_open(g, o, &x);
	if (!rc) {
		gnbv_listcsv_transitions_head(stdout);
		rc = gnbv_review_transitions(x.s, &x.who.scope, &x.prm, o->v[O_COMMUNE], year, &py,
		                             put_transition, NULL);
	}
	return sess_done(&x, rc);
}

/* The form on a terminal: a block for the poor, one for the near-poor. */
static void summary_text(const gnbv_summary *sm, int en)
{
	const gnbv_numstyle *st = en ? &GNBV_NUM_EN : &GNBV_NUM_VI;
	for (int side = 0; side < 2; side++) {
		const char *what =
		    side ? (en ? "near-poor" : "cận nghèo") : (en ? "poor" : "nghèo");
		char py[32];
		if (sm->prev_year)
			snprintf(py, sizeof py, "%d", sm->prev_year);
		else
			snprintf(py, sizeof py, "%s", en ? "the year before" : "trước");
		if (en)
			printf(
			    "%sSummary of the %d review, %s households (start of the year: the %s "
			    "round's decision)\n",
			    side ? "\n" : "", sm->year, what, py);
		else
			printf("%sTổng hợp kết quả rà soát năm %d, hộ %s (đầu năm: theo quyết định "
			       "công nhận kết quả rà soát năm %s)\n",
			       side ? "\n" : "", sm->year, what, py);
		gnbv_cli_pad(en ? "Unit" : "Đơn vị", 30, 0);
		gnbv_cli_pad(en ? "Area" : "Khu vực", 10, 0);
		gnbv_cli_pad(en ? "Households" : "Số hộ", 8, 1);
		gnbv_cli_pad(en ? "Start" : "Đầu năm", 9, 1);
		gnbv_cli_pad(en ? "Rate" : "Tỷ lệ", 8, 1);
		gnbv_cli_pad(en ? "Left" : "Thoát", 7, 1);
		gnbv_cli_pad(en ? "New" : "PS mới", 7, 1);
		gnbv_cli_pad(en ? "Again" : "Tái", 6, 1);
		gnbv_cli_pad(en ? "In" : "Đến", 6, 1);
		gnbv_cli_pad(en ? "Out" : "Đi", 6, 1);
		gnbv_cli_pad(en ? "End" : "Cuối năm", 9, 1);
		gnbv_cli_pad(en ? "Rate" : "Tỷ lệ", 8, 1);
		gnbv_cli_pad(en ? "Minority" : "DTTS", 7, 1);
		gnbv_cli_pad(en ? "Rate" : "Tỷ lệ", 8, 1);
		putchar('\n');
		for (size_t i = 0; i < sm->n; i++) {
			const gnbv_summary_row *r = &sm->rows[i];
			if (r->area != GNBV_SUM_TOTAL && !r->households_end && !r->households_start)
				continue;
			const gnbv_summary_side *s = side ? &r->near : &r->poor;
			char name[GNBV_STORE_NAME_MAX + 64];
			int ind = r->depth * 2 < 12 ? r->depth * 2 : 12;
			snprintf(name, sizeof name, "%*s%s%s", ind, "",
			         r->area == GNBV_SUM_TOTAL ? r->unit_name : "",
			         r->area == GNBV_SUM_TOTAL && !strcmp(r->level, "commune") &&
			                 !r->rounds
			             ? " (*)"
			             : "");
			gnbv_cli_pad(name, 30, 0);
			gnbv_cli_pad(gnbv_review_area_label(r->area, en), 10, 0);
			gnbv_cli_pad_int(r->households_end, 8, st);
			gnbv_cli_pad_int(s->start, 9, st);
			gnbv_cli_pad_pct(s->start, r->households_start, 8, st);
			gnbv_cli_pad_int(s->escaped + (side ? s->to_other : 0), 7, st);
			gnbv_cli_pad_int(s->newly, 7, st);
			gnbv_cli_pad_int(s->again, 6, st);
			gnbv_cli_pad_int(s->arrived, 6, st);
			gnbv_cli_pad_int(s->left, 6, st);
			gnbv_cli_pad_int(s->end, 9, st);
			gnbv_cli_pad_pct(s->end, r->households_end, 8, st);
			gnbv_cli_pad_int(s->end_minority, 7, st);
			gnbv_cli_pad_pct(s->end_minority, r->minority_end, 8, st);
			putchar('\n');
		}
	}
	printf(
	    en ? "\n(*) no recognised rounds of %d and before: not counted. Left: escaped (and, "
	         "for the near-poor, became poor); rates of the start and end of the year are of "
	         "the households then; the minority rate is of the unit's ethnic-minority "
	         "households.\n"
	       : "\n(*) chưa có kết quả rà soát được công nhận của năm %d và năm trước: không "
	         "tính. Thoát: thoát nghèo (với hộ cận nghèo: cả số chuyển thành hộ nghèo); tỷ "
	         "lệ đầu và cuối năm tính trên tổng số hộ tương ứng; tỷ lệ DTTS tính trên số hộ "
	         "dân tộc thiểu số.\n",
	    sm->year);
}

static int sub_summary(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	const char *fmt = o->v[O_FORMAT] ? o->v[O_FORMAT] : "text";
	if (need(o, O_COMMUNE) && need(o, O_UNIT)) return EXIT_USAGE;
	if (year_opt(o, &year)) return EXIT_USAGE;
	if (strcmp(fmt, "text") && strcmp(fmt, "csv") && strcmp(fmt, "xlsx")) {
		fprintf(stderr, gnbv_tr("gnbv: review summary: --format text, csv or xlsx\n"));
		return EXIT_USAGE;
	}
	if (!strcmp(fmt, "xlsx") && need(o, O_OUT)) return EXIT_USAGE;
	/* The form's unit: --commune, else the actor's --unit. */
	const char *unit = o->v[O_COMMUNE] ? o->v[O_COMMUNE] : o->v[O_UNIT];
	gnbv_summary sm;
	memset(&sm, 0, sizeof sm);
	int rc = sess_open(g, o, &x);
	if (!rc) rc = gnbv_review_summary(x.s, &x.who.scope, &x.prm, unit, year, &sm);
	if (!rc) {
		if (!strcmp(fmt, "text")) {
			summary_text(&sm, g->english);
		} else if (!strcmp(fmt, "csv")) {
			FILE *f = stdout;
			if (o->v[O_OUT] && !(f = fopen(o->v[O_OUT], "wb")))
				rc = gnbv_error_set(GNBV_EIO, "%s: cannot create", o->v[O_OUT]);
			if (!rc) rc = gnbv_review_summary_csv(&sm, f);
			if (f && f != stdout && fclose(f) && !rc)
				rc = gnbv_error_set(GNBV_EIO, "%s: write error", o->v[O_OUT]);
		} else {
			char title[GNBV_STORE_NAME_MAX + GNBV_STORE_CODE_MAX + 8];
			snprintf(title, sizeof title, "%s (%s)", sm.n ? sm.rows[0].unit_name : unit,
			         unit);
			rc = gnbv_review_summary_xlsx(&sm, title, o->v[O_OUT]);
			if (!rc)
				printf(x.english ? "%s: %zu rows\n" : "%s: %zu dòng\n", o->v[O_OUT],
				       sm.n);
		}
	}
	gnbv_summary_free(&sm);
	return sess_done(&x, rc);
}

/* ---- expected to escape ---- */

typedef struct prog {
	const gnbv_escape_map *map;
	int csv, english;
	char commune[GNBV_STORE_CODE_MAX + 1];
	uint64_t n, helped, supported, known, escaped;
	int64_t vnd;
	uint64_t tn, thelped, tsupported, tknown, tescaped;
	int64_t tvnd;
} prog;

static void prog_total(prog *p, const char *label)
{
	const gnbv_numstyle *st = p->english ? &GNBV_NUM_EN : &GNBV_NUM_VI;
	char a[32];
	gnbv_fmt_int(a, sizeof a, p->vnd, st);
	if (p->english)
		printf("  %s %s: %llu households, %llu with a helper, %llu supported (%s VND)",
		       label, p->commune, (unsigned long long)p->n, (unsigned long long)p->helped,
		       (unsigned long long)p->supported, a);
	else
		printf(
		    "  %s %s: %llu hộ, %llu hộ có người giúp đỡ, %llu hộ đã được hỗ trợ (%s đồng)",
		    label, p->commune, (unsigned long long)p->n, (unsigned long long)p->helped,
		    (unsigned long long)p->supported, a);
	if (p->known)
		printf(p->english ? "; escaped: %llu of %llu\n" : "; đã thoát nghèo: %llu / %llu\n",
		       (unsigned long long)p->escaped, (unsigned long long)p->known);
	else
		printf(p->english ? "; outcome: not recognised yet\n"
		                  : "; kết quả: chưa có rà soát được công nhận\n");
}

static void prog_flush(prog *p)
{
	if (!p->commune[0]) return;
	if (!p->csv) prog_total(p, p->english ? "commune" : "xã");
	p->tn += p->n;
	p->thelped += p->helped;
	p->tsupported += p->supported;
	p->tknown += p->known;
	p->tescaped += p->escaped;
	p->tvnd += p->vnd;
	p->n = p->helped = p->supported = p->known = p->escaped = 0;
	p->vnd = 0;
}

static int put_escape(void *ctx, const gnbv_escape_item *e)
{
	prog *p = ctx;
	if (strcmp(p->commune, e->commune)) {
		prog_flush(p);
		snprintf(p->commune, sizeof p->commune, "%s", e->commune);
	}
	p->n++;
	p->helped += e->helper[0] != 0;
	p->supported += e->supports > 0;
	p->vnd += e->support_vnd;
	if (e->escaped >= 0) {
		p->known++;
		p->escaped += (uint64_t)e->escaped;
	}
	if (p->csv) return gnbv_listcsv_escape(stdout, e, p->map);
	printf("%s %s (%s, %s %d)\n", e->household_code, e->head[0] ? e->head : "?", e->commune,
	       e->base_class, e->base_year);
	for (size_t i = 0; i < e->n_deficits; i++) {
		size_t nt;
		const gnbv_escape_target *t = gnbv_escape_map_find(p->map, e->deficits[i], &nt);
		printf("    %-16s ->", e->deficits[i]);
		for (size_t k = 0; k < nt; k++)
			printf("%s %s (%s)", k ? ";" : "", t[k].code, t[k].name);
		if (!nt) printf(" %s", p->english ? "(not in the map)" : "(chưa có trong bảng)");
		putchar('\n');
	}
	char vnd[32];
	gnbv_fmt_int(vnd, sizeof vnd, e->support_vnd, p->english ? &GNBV_NUM_EN : &GNBV_NUM_VI);
	printf(
	    p->english ? "    helper: %s%s%s; support: %llu, %s VND%s%s; outcome: %s\n"
	               : "    người giúp đỡ: %s%s%s; hỗ trợ: %llu lần, %s đồng%s%s; kết quả: %s\n",
	    e->helper[0] ? e->helper : "-", e->helper_position[0] ? ", " : "", e->helper_position,
	    (unsigned long long)e->supports, vnd, e->components[0] ? " " : "", e->components,
	    e->escaped < 0 ? (p->english ? "not yet known" : "chưa biết")
	    : e->escaped   ? (p->english ? "escaped" : "đã thoát nghèo")
	                   : (p->english ? "did not escape" : "chưa thoát nghèo"));
	return 0;
}

static int sub_escape(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	const char *verb = o->v[O_KIND];
	int rc;
	if (year_opt(o, &year)) return EXIT_USAGE;
	if (verb && !strcmp(verb, "mark")) {
		if (need(o, O_COMMUNE) || need(o, O_HOUSEHOLD)) return EXIT_USAGE;
		rc = sess_open(g, o, &x);
		if (!rc)
			rc =
			    gnbv_escape_mark(x.s, &x.who, o->v[O_COMMUNE], year, o->v[O_HOUSEHOLD]);
		if (!rc)
			printf(x.english ? "%s expected to escape in %d\n"
			                 : "%s: dự kiến thoát nghèo năm %d\n",
			       o->v[O_HOUSEHOLD], year);
		return sess_done(&x, rc);
	}
	if (verb && !strcmp(verb, "assign")) {
		if (need(o, O_HOUSEHOLD) || need(o, O_HELPER)) return EXIT_USAGE;
		rc = sess_open(g, o, &x);
		if (!rc)
			rc = gnbv_escape_assign(x.s, &x.who, year, o->v[O_HOUSEHOLD],
			                        o->v[O_HELPER], o->v[O_POSITION]);
		if (!rc)
			printf(x.english ? "%s: helper %s\n" : "%s: người giúp đỡ %s\n",
			       o->v[O_HOUSEHOLD], o->v[O_HELPER]);
		return sess_done(&x, rc);
	}
	if (verb && !strcmp(verb, "support")) {
		int32_t d;
		int64_t amount;
		if (need(o, O_HOUSEHOLD) || need(o, O_WHAT) || date_opt(o, O_DATE, &d) ||
		    int_opt(o, O_AMOUNT, 0, 1000000000000LL, &amount))
			return EXIT_USAGE;
		rc = sess_open(g, o, &x);
		if (!rc)
			rc = gnbv_escape_support(x.s, &x.who, year, o->v[O_HOUSEHOLD], o->v[O_WHAT],
			                         d, amount, o->v[O_COMPONENT]);
		if (!rc)
			printf(x.english ? "%s: support recorded\n" : "%s: đã ghi hỗ trợ\n",
			       o->v[O_HOUSEHOLD]);
		return sess_done(&x, rc);
	}
	if (verb && (!strcmp(verb, "progress") || !strcmp(verb, "list"))) {
		const char *unit = o->v[O_COMMUNE] ? o->v[O_COMMUNE] : o->v[O_UNIT];
		const char *fmt = o->v[O_FORMAT] ? o->v[O_FORMAT] : "text";
		if (!unit) {
			fprintf(stderr,
			        gnbv_tr("gnbv: review escape progress: --commune or --unit is required\n"));
			return EXIT_USAGE;
		}
		gnbv_escape_map *map = calloc(1, sizeof *map);
		if (!map) return gnbv_cli_fail(gnbv_error_set(GNBV_ENOMEM, "out of memory"));
		prog p;
		memset(&p, 0, sizeof p);
		p.map = map;
		p.csv = !strcmp(fmt, "csv");
		p.english = g->english;
		rc = gnbv_escape_map_load(map, o->v[O_MAP]);
		if (!rc) rc = sess_open(g, o, &x);
		if (!rc) {
			if (p.csv)
				gnbv_listcsv_escape_head(stdout);
			else
				printf(g->english ? "Households expected to escape poverty in %d\n"
				                  : "Danh sách hộ dự kiến thoát nghèo năm %d\n",
				       year);
			rc = gnbv_escape_each(x.s, &x.who.scope, unit, year, put_escape, &p);
			prog_flush(&p);
			if (!rc && !p.csv) {
				p.n = p.tn;
				p.helped = p.thelped;
				p.supported = p.tsupported;
				p.known = p.tknown;
				p.escaped = p.tescaped;
				p.vnd = p.tvnd;
				snprintf(p.commune, sizeof p.commune, "%s", unit);
				prog_total(&p, g->english ? "total" : "tổng");
			}
		}
		free(map);
		return sess_done(&x, rc);
	}
	fprintf(stderr, gnbv_tr("gnbv: review escape: mark, assign, support or progress\n"));
	return EXIT_USAGE;
}

static int cert_one(void *ctx, const gnbv_certificate *c)
{
	return gnbv_cert_html_add(ctx, c);
}

static int sub_certificate(const gnbv_cli *g, ropt *o)
{
	sess x;
	int year;
	if (need(o, O_COMMUNE) || year_opt(o, &year) || need(o, O_OUT)) return EXIT_USAGE;
	gnbv_cert_html *h = NULL;
	FILE *f = NULL;
	char tmp[4200];
	int rc = sess_open(g, o, &x);
	/* Written to a temporary name, renamed when complete. */
	snprintf(tmp, sizeof tmp, "%s.part", o->v[O_OUT]);
	if (!rc && !(f = fopen(tmp, "wb"))) rc = gnbv_error_set(GNBV_EIO, "%s: cannot create", tmp);
	if (!rc) rc = gnbv_cert_html_begin(&h, f);
	if (!rc)
		rc = gnbv_review_certificates(x.s, &x.who.scope, &x.prm, o->v[O_COMMUNE], year,
		                              o->v[O_HOUSEHOLD], cert_one, h);
	int rc2 = gnbv_cert_html_end(h);
	if (!rc) rc = rc2;
	if (f && fclose(f) && !rc) rc = gnbv_error_set(GNBV_EIO, "%s: write error", tmp);
	if (!rc && rename(tmp, o->v[O_OUT]))
		rc = gnbv_error_set(GNBV_EIO, "%s: cannot rename", tmp);
	if (rc && f) unlink(tmp);
	if (!rc) printf(x.english ? "%s written\n" : "Đã ghi tệp %s\n", o->v[O_OUT]);
	return sess_done(&x, rc);
}

/* ---- the table ---- */

typedef struct sub {
	const char *name;
	sub_fn fn;
	const char *args;
	const char *help, *help_vi;
} sub;

static const sub SUBS[] = {
    {"open", sub_open, "--commune C --year Y",
     "step 1: start the round and list the households on the current lists",
     "bước 1: mở đợt rà soát và lập danh sách các hộ đang có trong danh sách hiện hành"},
    {"list", sub_list, "--commune C --year Y",
     "the list and every surveyed household, with survey and vote (CSV)",
     "danh sách và mọi hộ đã khảo sát, với kết quả khảo sát và biểu quyết (CSV)"},
    {"rounds", sub_rounds, "--year Y",
     "every commune's round of the year in the user's scope: step, decision (CSV)",
     "đợt rà soát trong năm của mọi xã trong phạm vi của người dùng: bước, quyết định (CSV)"},
    {"status", sub_status, "--commune C --year Y", "the round's step, counts and decision",
     "bước hiện tại, số liệu và quyết định của đợt rà soát"},
    {"apply", sub_apply, "--commune C --year Y --household H --date D --applicant NAME [--note T]",
     "step 1: a household's application (Mẫu số 01)",
     "bước 1: giấy đề nghị của một hộ (Mẫu số 01)"},
    {"remove", sub_remove, "--commune C --year Y --household H --reason T",
     "step 1: withdraw a household from the list",
     "bước 1: rút một hộ khỏi danh sách"},
    {"survey", sub_survey, "--commune C --year Y",
     "step 2: close the list; surveys go in with 'gnbv import'",
     "bước 2: chốt danh sách; phiếu khảo sát nhập bằng 'gnbv import'"},
    {"meeting", sub_meeting,
     "--commune C --year Y --village V --date D --chair NAME --participants N [--votes FILE]",
     "step 3: a village meeting; FILE has lines household_code,in_favour",
     "bước 3: một cuộc họp thôn; FILE gồm các dòng household_code,in_favour"},
    {"vote", sub_vote, "--commune C --year Y --meeting ID --household H --in-favour K",
     "step 3: one household's vote at a recorded meeting",
     "bước 3: biểu quyết về một hộ tại một cuộc họp đã ghi"},
    {"post", sub_post, "--commune C --year Y --start D --end D",
     "step 4: the public posting (every result must stand)",
     "bước 4: niêm yết công khai (mọi kết quả phải còn hiệu lực)"},
    {"complain", sub_complain, "--commune C --year Y --household H --date D --text T [--by NAME]",
     "step 4: a complaint",
     "bước 4: một khiếu nại"},
    {"resolve", sub_resolve, "--commune C --year Y --complaint ID --date D --text T",
     "step 4: a complaint's resolution",
     "bước 4: kết quả giải quyết một khiếu nại"},
    {"submit", sub_submit, "--commune C --year Y",
     "step 5: submit for recognition (locks the round)",
     "bước 5: trình công nhận (khoá đợt rà soát)"},
    {"recognise", sub_recognise, "--commune C --year Y --decision NO --date D --signer NAME",
     "step 5: the recognition decision (not by the submitter)",
     "bước 5: quyết định công nhận (không do chính người trình)"},
    {"reopen", sub_reopen, "--commune C --year Y --reason T --unit DISTRICT",
     "reopen a locked round (the level above only)",
     "mở lại một đợt rà soát đã khoá (chỉ cấp trên)"},
    {"adhoc", sub_adhoc,
     "--kind request --commune C --household H --date D --reason T | --kind decide --request ID "
     "[--round-date D] --date D --decision NO --signer NAME",
     "the ad-hoc review: a request (Mẫu số 04) or its decision",
     "rà soát đột xuất: giấy đề nghị (Mẫu số 04) hoặc quyết định về đề nghị đó"},
    {"overdue", sub_overdue, "[--on D]",
     "ad-hoc requests past their deadline without a decision (CSV)",
     "các đề nghị rà soát đột xuất đã quá hạn mà chưa có quyết định (CSV)"},
    {"origin", sub_origin, "--household H --kind split|merge --from A[,B...] --year Y",
     "record a split or merged household's origin",
     "ghi nguồn gốc của một hộ tách hoặc nhập"},
    {"transitions", sub_transitions, "--commune C --year Y",
     "each household's transition from the previous recognised round (CSV)",
     "biến động của từng hộ so với đợt rà soát đã công nhận trước đó (CSV)"},
    {"summary", sub_summary, "--commune UNIT --year Y [--format text|csv|xlsx] [--out FILE]",
     "the result summary form of a commune, district or province",
     "biểu tổng hợp kết quả rà soát của một xã, huyện hoặc tỉnh"},
    {"escape", sub_escape,
     "--kind mark|assign|support|progress --year Y [--commune C] [--household H] [--helper NAME "
     "--position P] [--what T --date D --amount VND --component C] [--format text|csv] [--map "
     "FILE]",
     "the households expected to escape poverty (M8)",
     "các hộ dự kiến thoát nghèo (M8)"},
    {"certificate", sub_certificate, "--commune C --year Y --out FILE.html [--household H]",
     "printable certificates of a recognised round's poor and near-poor households",
     "giấy chứng nhận in được cho các hộ nghèo, cận nghèo của một đợt đã công nhận"},
};
#define NSUBS (sizeof SUBS / sizeof SUBS[0])

static void review_help(FILE *f, int english)
{
	fprintf(f, english ? "usage: gnbv [--db PATH] review SUBCOMMAND [OPTIONS] [--as NAME] [--unit CODE] "
	                     "[--params FILE]\n\n"
	                   : "cách dùng: gnbv [--db PATH] review LỆNH_CON [TUỲ_CHỌN] [--as NAME] [--unit CODE] "
	                     "[--params FILE]\n\n");
	for (size_t i = 0; i < NSUBS; i++)
		fprintf(f, "  %-12s %s\n  %-12s   %s\n", SUBS[i].name,
		        english ? SUBS[i].help : SUBS[i].help_vi, "", SUBS[i].args);
	if (english)
		fprintf(f, "\n  --as NAME     the acting user (default: the operating-system user)\n"
		           "  --unit CODE   the acting user's unit: their scope (default: the whole tree)\n"
		           "  --params FILE review parameters (default: the built-in "
		           "data/review/review-params.json)\n");
	else
		fprintf(f, "\n  --as NAME     người thực hiện (mặc định: người dùng của hệ điều hành)\n"
		           "  --unit CODE   đơn vị của người thực hiện: phạm vi của họ (mặc định: cả cây)\n"
		           "  --params FILE tham số rà soát (mặc định: tệp có sẵn "
		           "data/review/review-params.json)\n");
}

int gnbv_cmd_review(const gnbv_cli *g, int argc, char **argv)
{
	if (argc < 2) {
		review_help(stderr, g->english);
		return EXIT_USAGE;
	}
	const sub *s = NULL;
	for (size_t i = 0; i < NSUBS; i++)
		if (!strcmp(SUBS[i].name, argv[1])) s = &SUBS[i];
	if (!s) {
		if (strcmp(argv[1], "help"))
			fprintf(stderr, gnbv_tr("gnbv: review: unknown subcommand '%s'\n"), argv[1]);
		review_help(strcmp(argv[1], "help") ? stderr : stdout, g->english);
		return strcmp(argv[1], "help") ? EXIT_USAGE : EXIT_OK;
	}
	ropt o;
	memset(&o, 0, sizeof o);
	o.sub = s->name;
	/* "escape mark", "adhoc request": the verb after the noun. */
	int skip = 1;
	if ((!strcmp(s->name, "escape") || !strcmp(s->name, "adhoc")) && argc > 2 &&
	    argv[2][0] != '-') {
		o.v[O_KIND] = argv[2];
		skip = 2;
	}
	if (parse_opts(argc - skip, argv + skip, &o)) {
		fprintf(stderr, gnbv_tr("usage: gnbv review %s %s\n"), s->name, s->args);
		return EXIT_USAGE;
	}
	int rc = s->fn(g, &o);
	if (rc == EXIT_USAGE) fprintf(stderr, gnbv_tr("usage: gnbv review %s %s\n"), s->name, s->args);
	return rc;
}

/* ---- the demo ---- */

typedef struct demo_village {
	char code[GNBV_STORE_CODE_MAX + 1];
	size_t n, cap;
	char (*hh)[GNBV_STORE_CODE_MAX + 1];
} demo_village;

typedef struct demo_list {
	demo_village *v;
	size_t n, cap;
	char (*gone)[GNBV_STORE_CODE_MAX + 1];
	size_t ngone, capgone;
	char (*poor)[GNBV_STORE_CODE_MAX + 1];
	size_t npoor, cappoor;
	int err;
} demo_list;

static int grow_codes(char (**a)[GNBV_STORE_CODE_MAX + 1], size_t *n, size_t *cap, const char *c)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		char(*na)[GNBV_STORE_CODE_MAX + 1] = realloc(*a, nc * sizeof **a);
		if (!na) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		*a = na;
		*cap = nc;
	}
	snprintf((*a)[(*n)++], GNBV_STORE_CODE_MAX + 1, "%s", c);
	return 0;
}

static int demo_entry(void *ctx, const gnbv_review_entry *e)
{
	demo_list *l = ctx;
	if (!e->klass[0])
		return (l->err = grow_codes(&l->gone, &l->ngone, &l->capgone, e->household_code));
	if (!strcmp(e->klass, "poor") &&
	    (l->err = grow_codes(&l->poor, &l->npoor, &l->cappoor, e->household_code)))
		return l->err;
	demo_village *v = NULL;
	for (size_t i = l->n; i-- > 0;)
		if (!strcmp(l->v[i].code, e->unit_code)) {
			v = &l->v[i];
			break;
		}
	if (!v) {
		if (l->n == l->cap) {
			size_t nc = l->cap ? l->cap * 2 : 16;
			demo_village *nv = realloc(l->v, nc * sizeof *nv);
			if (!nv) return (l->err = gnbv_error_set(GNBV_ENOMEM, "out of memory"));
			l->v = nv;
			l->cap = nc;
		}
		v = &l->v[l->n++];
		memset(v, 0, sizeof *v);
		snprintf(v->code, sizeof v->code, "%s", e->unit_code);
	}
	return (l->err = grow_codes(&v->hh, &v->n, &v->cap, e->household_code));
}

static void demo_list_free(demo_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].hh);
	free(l->v);
	free(l->gone);
	free(l->poor);
	memset(l, 0, sizeof *l);
}

typedef struct demo_commune {
	char code[GNBV_STORE_CODE_MAX + 1];
	char name[GNBV_STORE_NAME_MAX + 1];
} demo_commune;

typedef struct demo_units {
	demo_commune c[64];
	size_t n;
} demo_units;

static int demo_unit(void *ctx, const gnbv_unit *u)
{
	demo_units *d = ctx;
	/* The district's communes as they were in 2021-2022. */
	int valid = (!u->valid_from[0] || strcmp(u->valid_from, "2021-10-01") <= 0) &&
	            (!u->valid_to[0] || strcmp(u->valid_to, "2022-12-31") >= 0);
	if (!strcmp(u->level, "commune") && !strcmp(u->parent_code, "045") && valid && d->n < 64) {
		snprintf(d->c[d->n].code, sizeof d->c[0].code, "%s", u->code);
		snprintf(d->c[d->n].name, sizeof d->c[0].name, "%s", u->name);
		d->n++;
	}
	return 0;
}

/* A reproducible small number from a code, for the demo's meetings. */
static unsigned demo_hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* One commune's round of `year` from the list to recognition. */
static int demo_round(gnbv_store *s, const gnbv_review_params *prm, const demo_commune *c, int year,
                      demo_list *l)
{
	gnbv_review_actor officer = {NULL, {0, ""}}, chair = {NULL, {0, ""}};
	char ou[128], cu[128], no[64];
	gnbv_scope all;
	gnbv_store_scope_all(&all);
	snprintf(ou, sizeof ou, "demo:can-bo-xa-%s", c->code);
	snprintf(cu, sizeof cu, "demo:chu-tich-xa-%s", c->code);
	officer.user = ou;
	chair.user = cu;
	int rc;
	if ((rc = gnbv_store_scope_unit(s, c->code, 0, &officer.scope)) ||
	    (rc = gnbv_store_scope_unit(s, c->code, 0, &chair.scope)) ||
	    (rc = gnbv_review_open(s, &officer, c->code, year)) ||
	    (rc = gnbv_review_list_each(s, &all, c->code, year, demo_entry, l)))
		return l->err ? l->err : rc;
	for (size_t i = 0; i < l->ngone; i++)
		if ((rc = gnbv_review_list_remove(s, &officer, c->code, year, l->gone[i],
		                                  "Không còn trong địa bàn")))
			return rc;
	if ((rc = gnbv_review_survey(s, &officer, c->code, year))) return rc;
	/* One meeting per village, chaired by the village head; most of the
	 * participants agree with each result. */
	for (size_t i = 0; i < l->n; i++) {
		demo_village *v = &l->v[i];
		gnbv_review_vote *votes = calloc(v->n ? v->n : 1, sizeof *votes);
		if (!votes) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		int64_t part = 25 + (int64_t)(demo_hash(v->code) % 30);
		for (size_t k = 0; k < v->n; k++) {
			votes[k].household_code = v->hh[k];
			votes[k].in_favour =
			    part - (int64_t)(demo_hash(v->hh[k]) % (unsigned)(part / 3));
		}
		gnbv_review_meeting m = {v->code, year * 10000 + 1015 + (int32_t)(i % 10),
		                         "Trưởng thôn", part};
		rc =
		    gnbv_review_meeting_add(s, &officer, prm, c->code, year, &m, votes, v->n, NULL);
		free(votes);
		if (rc) return rc;
	}
	snprintf(no, sizeof no, "%u/QĐ-UBND", 100 + demo_hash(c->code) % 800);
	if ((rc = gnbv_review_post(s, &officer, prm, c->code, year, year * 10000 + 1101,
	                           year * 10000 + 1115)) ||
	    (rc = gnbv_review_submit(s, &officer, c->code, year)) ||
	    (rc = gnbv_review_recognise(s, &chair, c->code, year, no, year * 10000 + 1215,
	                                "Chủ tịch UBND xã (mô phỏng)")))
		return rc;
	return 0;
}

/* The demo's board members (synthetic names), one per household in turn. */
static const char *const HELPERS[][2] = {
    {"Nông Văn Thành", "Phó Chủ tịch UBND xã"},
    {"Hoàng Thị Mai", "Chủ tịch Hội Liên hiệp Phụ nữ xã"},
    {"Lục Văn Hùng", "Công chức Lao động - Thương binh và Xã hội"},
    {"Đàm Thị Hoa", "Bí thư Đoàn Thanh niên xã"},
    {"Triệu Văn Sơn", "Chủ tịch Hội Nông dân xã"},
};

int gnbv_cli_review_demo(gnbv_store *s, int english, char *report, size_t cap)
{
	gnbv_review_params prm;
	gnbv_escape_map *map = NULL;
	demo_units *u = calloc(1, sizeof *u);
	demo_list l;
	gnbv_summary sm;
	gnbv_scope all;
	uint64_t marked = 0;
	memset(&l, 0, sizeof l);
	memset(&sm, 0, sizeof sm);
	gnbv_store_scope_all(&all);
	int rc = 0;
	if (!u || !(map = calloc(1, sizeof *map))) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = gnbv_review_params_load(&prm, NULL)) || (rc = gnbv_escape_map_load(map, NULL)) ||
	    (rc = gnbv_store_units_each(s, demo_unit, u)))
		goto done;
	for (int year = 2021; year <= 2022; year++)
		for (size_t i = 0; i < u->n; i++) {
			rc = demo_round(s, &prm, &u->c[i], year, &l);
			/* The 2022 list's poor feed the 2023 expected-to-escape list. */
			if (!rc && year == 2022) {
				gnbv_review_actor officer = {NULL, {0, ""}};
				char ou[128];
				snprintf(ou, sizeof ou, "demo:can-bo-xa-%s", u->c[i].code);
				officer.user = ou;
				if ((rc =
				         gnbv_store_scope_unit(s, u->c[i].code, 0, &officer.scope)))
					goto done;
				/* The poor households with the fewest deficits: closest
				 * to escaping. */
				gnbv_household_rec *r = calloc(1, sizeof *r);
				if (!r) {
					rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
					goto done;
				}
				gnbv_round_ref ref = {GNBV_ROUND_PERIODIC, 2022, 0, NULL};
				size_t picked = 0;
				for (int want = 3; want <= 4 && picked < 5; want++)
					for (size_t k = 0; k < l.npoor && picked < 5 && !rc; k++) {
						if ((rc = gnbv_store_household_get(s, &all, &ref,
						                                   l.poor[k], r)))
							break;
						if (r->a.deficits != want) continue;
						const char *const *h = HELPERS[picked % 5];
						char what[160];
						snprintf(what, sizeof what, "%s",
						         r->a.deficits >= 3
						             ? "Hỗ trợ giống cây trồng, vật nuôi"
						             : "Hỗ trợ sinh kế");
						if ((rc =
						         gnbv_escape_mark(s, &officer, u->c[i].code,
						                          2023, l.poor[k])) ||
						    (rc = gnbv_escape_assign(s, &officer, 2023,
						                             l.poor[k], h[0],
						                             h[1])) ||
						    (rc = gnbv_escape_support(
						         s, &officer, 2023, l.poor[k], what,
						         20230315 + (int32_t)picked,
						         5000000 + 1000000 * (int64_t)picked,
						         "DA3.1")))
							break;
						picked++;
					}
				free(r);
				marked += picked;
			}
			demo_list_free(&l);
			if (rc) goto done;
		}
	if ((rc = gnbv_review_summary(s, &all, &prm, "045", 2022, &sm))) goto done;
	const gnbv_summary_row *d = &sm.rows[0];
	const gnbv_numstyle *st = english ? &GNBV_NUM_EN : &GNBV_NUM_VI;
	char a[32], b[32], c[32], e[32], m[32];
	gnbv_fmt_int(a, sizeof a, (int64_t)d->poor.escaped, st);
	gnbv_fmt_int(b, sizeof b, (int64_t)d->poor.newly, st);
	gnbv_fmt_int(c, sizeof c, (int64_t)d->poor.again, st);
	gnbv_fmt_int(e, sizeof e, (int64_t)d->poor.end, st);
	gnbv_fmt_int(m, sizeof m, (int64_t)marked, st);
	snprintf(report, cap,
	         english
	             ? "Review workflow: the 2021 and 2022 rounds of %zu communes and towns were "
	               "run to recognition (village meetings, posting, submission, "
	               "decision).\nChanges in 2022: %s households escaped poverty, %s newly "
	               "poor, %s back in poverty; %s poor at the end of the year "
	               "('gnbv review summary --commune 045 --year 2022').\nExpected to escape "
	               "in 2023: %s households with their deficits, components and helpers "
	               "('gnbv review escape progress --unit 045 --year 2023').\n"
	             : "Quy trình rà soát: vòng 2021 và 2022 của %zu xã, thị trấn đã được "
	               "công nhận (họp thôn, niêm yết, trình, quyết định).\nBiến động năm "
	               "2022: %s hộ thoát nghèo, %s hộ nghèo phát sinh mới, %s hộ tái nghèo; "
	               "cuối năm còn %s hộ nghèo ('gnbv review summary --commune 045 --year "
	               "2022').\nDự kiến thoát nghèo năm 2023: %s hộ, kèm thiếu hụt, dự án hỗ "
	               "trợ và người giúp đỡ ('gnbv review escape progress --unit 045 --year "
	               "2023').\n",
	         u->n, a, b, c, e, m);
done:
	demo_list_free(&l);
	gnbv_summary_free(&sm);
	free(map);
	free(u);
	return rc;
}
