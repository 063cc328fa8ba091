/*
 * test_review.c - the review round as a workflow (gnbv/review.h): every
 * step and every refusal, on the public API.
 *
 * Covered: the steps in order from the list to recognition; steps out of
 * order; the meeting's 50% rule at exactly 50% and just below; a vote
 * lapsing when the survey changes; complaints blocking the submission;
 * the submitter refused as approver; the lock after submission and
 * recognition through household_put, import, the list's delete and this
 * module's own functions, with the data unchanged; reopening by the
 * commune itself, by two levels up and by the district; the ad-hoc
 * deadline (day 15 on time, day 16 overdue; working days); transitions on
 * a crafted three-round history (escaped both ways, newly and re-poor,
 * near-poor changes, moved in and out, split and merged households); the
 * summary form against the store, consolidated to the district; the
 * expected-to-escape list with deficits, components, helper, support and
 * outcome; certificates; the pure rules.
 *
 * Runs on PostgreSQL too (unit/test_review_pg: GNBV_STORE_TEST_TARGET a
 * postgresql:// URL, a fresh schema per test; store_target.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/error.h"
#include "gnbv/review.h"
#include "gnbv/store.h"
#include "store_target.h"

#include "doc/review_doc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fx {
	char dir[256];
	char db[1024];
	char schema[64]; /* PostgreSQL: this test's schema */
	gnbv_store *s;
	gnbv_scope all;
	gnbv_review_actor officer, chair, district, province, commune_user;
	gnbv_review_params prm;
} fx;

#define OK(call)                                                                                   \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
		if (rc_) fail_msg("%s -> %d: %s", #call, rc_, gnbv_error_message());               \
	} while (0)

#define FAILS(code, call)                                                                          \
	do {                                                                                       \
		int rc_ = (call);                                                                  \
		if (rc_ != (code))                                                                 \
			fail_msg("%s -> %d (expected %d): %s", #call, rc_, code,                   \
			         gnbv_error_message());                                            \
	} while (0)

#define COMMUNE  "01366"
#define VILLAGE1 "01366-01"
#define VILLAGE2 "01366-02"

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) return;
	struct dirent *e;
	char p[600];
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	if (!f) return -1;
	const char *tmp = getenv("TMPDIR");
	snprintf(f->dir, sizeof f->dir, "%s/gnbv-review-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir)) return -1;
	if (store_target_fresh(f->dir, "v", f->db, sizeof f->db, f->schema, sizeof f->schema))
		return -1;
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	o.create = 1;
	o.actor = "test:review";
	if (gnbv_store_open(&f->s, f->db, &o)) return -1;
	gnbv_store_scope_all(&f->all);
	gnbv_units_stats st;
	if (gnbv_store_units_import_builtin(f->s, &f->all, &st)) return -1;
	if (gnbv_review_params_load(&f->prm, NULL)) return -1;
	f->officer.user = "officer";
	f->chair.user = "chair";
	f->commune_user.user = "commune-chair";
	f->district.user = "district-officer";
	f->province.user = "province-officer";
	if (gnbv_store_scope_unit(f->s, COMMUNE, 0, &f->officer.scope) ||
	    gnbv_store_scope_unit(f->s, COMMUNE, 0, &f->chair.scope) ||
	    gnbv_store_scope_unit(f->s, COMMUNE, 0, &f->commune_user.scope) ||
	    gnbv_store_scope_unit(f->s, "045", 0, &f->district.scope) ||
	    gnbv_store_scope_unit(f->s, "04", 0, &f->province.scope))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	gnbv_store_close(f->s);
	store_target_done(f->schema);
	rm_tree(f->dir);
	free(f);
	return 0;
}

/* ---- households of known class ---- */

static const char HH_HEADER[] =
    "household_id,unit_code,area,income_month,income_score,floor_durable,"
    "walls_durable,roof_durable,living_area_m2,water_safe,toilet_hygienic,"
    "waste_treated,devices\n";
static const char MM_HEADER[] =
    "household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,"
    "work,health_insurance,stunted,underweight,in_school,school_level,"
    "uses_internet,social_allowance\n";

typedef enum { P, N, X } cls; /* poor, near-poor, not poor */

typedef struct hh {
	const char *code, *village;
	cls c;
	const char *eth;
} hh;

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A row per household: poor = low income and three housing deficits
 * (quality, water, sanitation); near-poor = low income, nothing lacking;
 * not poor = high income. One adult member, nothing unknown. */
static void write_round(fx *f, const hh *h, size_t n, char *hp, char *mp, size_t cap)
{
	char hb[8192], mb[8192];
	size_t hl = (size_t)snprintf(hb, sizeof hb, "%s", HH_HEADER);
	size_t ml = (size_t)snprintf(mb, sizeof mb, "%s", MM_HEADER);
	for (size_t i = 0; i < n; i++) {
		int poor = h[i].c == P;
		hl += (size_t)snprintf(hb + hl, sizeof hb - hl,
		                       "%s,%s,,%s,,%d,%d,%d,30,%d,%d,1,smartphone\n", h[i].code,
		                       h[i].village, h[i].c == X ? "5000000" : "1000000", !poor,
		                       !poor, !poor, !poor, !poor);
		ml += (size_t)snprintf(mb + ml, sizeof mb - ml,
		                       "%s,1,Chủ hộ %s,F,1980-05-01,head,%s,1,self,1,,,0,"
		                       "upper_secondary,1,0\n",
		                       h[i].code, h[i].code, h[i].eth ? h[i].eth : "Tày");
	}
	snprintf(hp, cap, "%s/households.csv", f->dir);
	snprintf(mp, cap, "%s/members.csv", f->dir);
	write_text(hp, hb);
	write_text(mp, mb);
}

static int import_round(fx *f, int year, const hh *h, size_t n)
{
	char hp[400], mp[400];
	write_round(f, h, n, hp, mp, sizeof hp);
	gnbv_import_opts o = GNBV_IMPORT_OPTS_INIT;
	o.households_path = hp;
	o.members_path = mp;
	o.round.kind = GNBV_ROUND_PERIODIC;
	o.round.year = year;
	o.round.standard = "vn-2022-2026"; /* also for the crafted round of 2020 */
	gnbv_import_stats st;
	return gnbv_store_import(f->s, &f->all, &o, &st);
}

static const char *class_in(fx *f, int year, const char *code, char *buf, size_t cap)
{
	gnbv_household_rec *r = calloc(1, sizeof *r);
	gnbv_round_ref ref = {GNBV_ROUND_PERIODIC, year, 0, NULL};
	int rc = gnbv_store_household_get(f->s, &f->all, &ref, code, r);
	snprintf(buf, cap, "%s", rc ? "" : gnbv_class_name(r->a.klass));
	free(r);
	return buf;
}

typedef struct gone {
	char code[16][GNBV_STORE_CODE_MAX + 1];
	int n;
} gone;

static int find_gone(void *ctx, const gnbv_review_entry *e)
{
	gone *g = ctx;
	if (!e->klass[0] && g->n < 16)
		snprintf(g->code[g->n++], sizeof g->code[0], "%s", e->household_code);
	return 0;
}

/* Runs a round from the list to recognition, every vote unanimous; the
 * meeting is held for the whole commune. */
static void recognise_round(fx *f, int year, const hh *h, size_t n)
{
	OK(import_round(f, year, h, n));
	OK(gnbv_review_open(f->s, &f->officer, COMMUNE, year));
	/* Households of the current lists that left are withdrawn (step 1). */
	gone g;
	memset(&g, 0, sizeof g);
	OK(gnbv_review_list_each(f->s, &f->all, COMMUNE, year, find_gone, &g));
	for (int i = 0; i < g.n; i++)
		OK(gnbv_review_list_remove(f->s, &f->officer, COMMUNE, year, g.code[i],
		                           "chuyển đi"));
	OK(gnbv_review_survey(f->s, &f->officer, COMMUNE, year));
	gnbv_review_vote v[32];
	assert_true(n <= 32);
	for (size_t i = 0; i < n; i++) {
		v[i].household_code = h[i].code;
		v[i].in_favour = 20;
	}
	gnbv_review_meeting m = {COMMUNE, year * 10000 + 1020, "Trưởng xóm", 20};
	OK(gnbv_review_meeting_add(f->s, &f->officer, &f->prm, COMMUNE, year, &m, v, n, NULL));
	OK(gnbv_review_post(f->s, &f->officer, &f->prm, COMMUNE, year, year * 10000 + 1101,
	                    year * 10000 + 1110));
	OK(gnbv_review_submit(f->s, &f->officer, COMMUNE, year));
	OK(gnbv_review_recognise(f->s, &f->chair, COMMUNE, year, "123/QĐ-UBND", year * 10000 + 1215,
	                         "Nguyễn Văn Chủ tịch"));
}

static int step_of(fx *f, int year)
{
	gnbv_review_status st;
	if (gnbv_review_status_get(f->s, &f->all, COMMUNE, year, &st)) return -1;
	return st.step;
}

/* ---- the pure rules ---- */

static void test_rules(void **state)
{
	(void)state;
	/* Exactly 50% stands, just below does not. */
	assert_true(gnbv_review_vote_stands(5, 10, 50));
	assert_true(gnbv_review_vote_stands(50, 100, 50));
	assert_false(gnbv_review_vote_stands(49, 100, 50));
	assert_false(gnbv_review_vote_stands(4, 9, 50));
	assert_true(gnbv_review_vote_stands(5, 9, 50));
	assert_false(gnbv_review_vote_stands(11, 10, 50));
	/* Calendar and working days. */
	assert_int_equal(gnbv_review_add_days(20220301, 15, 0), 20220316);
	assert_int_equal(gnbv_review_add_days(20221225, 15, 0), 20230109);
	assert_int_equal(gnbv_review_add_days(20240220, 15, 0), 20240306); /* leap year */
	assert_int_equal(gnbv_review_add_days(20220304, 15, 1), 20220325); /* from a Friday */
	assert_int_equal(gnbv_review_days_between(20220316, 20220317), 1);
	assert_int_equal(gnbv_review_add_days(20220230, 1, 0), 0);
	/* Transitions. */
	int k, nr, mv;
	gnbv_transition_decide(GNBV_CLASS_POOR, GNBV_CLASS_NEAR_POOR, 1, 0, 0, 0, &k, &nr, &mv);
	assert_int_equal(k, GNBV_TR_ESCAPED_TO_NEAR);
	assert_int_equal(nr, GNBV_TRN_NEWLY_NEAR);
	gnbv_transition_decide(GNBV_CLASS_NOT_POOR, GNBV_CLASS_POOR, 1, 0, 0, 0, &k, &nr, &mv);
	assert_int_equal(k, GNBV_TR_RE_POOR);
	gnbv_transition_decide(GNBV_CLASS_AVERAGE, GNBV_CLASS_POOR, 0, 0, 0, 0, &k, &nr, &mv);
	assert_int_equal(k, GNBV_TR_NEWLY_POOR);
	gnbv_transition_decide(-1, GNBV_CLASS_POOR, 0, 0, 1, 0, &k, &nr, &mv);
	assert_int_equal(mv, GNBV_MV_SPLIT_NEW);
	assert_int_equal(k, GNBV_TR_NONE);
	gnbv_transition_decide(GNBV_CLASS_POOR, -1, 0, 0, 0, 1, &k, &nr, &mv);
	assert_int_equal(mv, GNBV_MV_MERGED_GONE);
}

static void test_params(void **state)
{
	fx *f = *state;
	assert_int_equal(f->prm.min_favour_pct, 50);
	assert_int_equal(f->prm.deadline_days, 15);
	assert_int_equal(f->prm.deadline_working, 0);
	assert_int_equal(f->prm.reopen_levels, 1);
	assert_int_equal(f->prm.validity_offset, 1);
	assert_true(f->prm.n_majority >= 1);
	assert_string_equal(f->prm.majority[0], "Kinh");
	gnbv_escape_map m;
	size_t n = 0;
	OK(gnbv_escape_map_load(&m, NULL));
	const gnbv_escape_target *t = gnbv_escape_map_find(&m, "employment", &n);
	assert_non_null(t);
	assert_int_equal(n, 4);
	assert_string_equal(t[0].code, "DA4.1");
	assert_string_equal(t[3].code, "DA2");
	t = gnbv_escape_map_find(&m, "income", &n);
	assert_int_equal(n, 2);
	assert_string_equal(t[1].code, "DA3.1");
	t = gnbv_escape_map_find(&m, "dependants", &n);
	assert_string_equal(t[0].kind, "policy");
	/* A broken copy names the file. */
	char p[400];
	snprintf(p, sizeof p, "%s/bad.json", f->dir);
	write_text(p, "{\"parameters\": {}}");
	gnbv_review_params bad;
	FAILS(GNBV_EINVALID, gnbv_review_params_load(&bad, p));
	assert_non_null(strstr(gnbv_error_message(), "bad.json"));
}

/* ---- the workflow ---- */

static const hh R1[] = {
    {"H1", VILLAGE1, P, NULL}, {"H2", VILLAGE2, N, NULL}, {"H3", VILLAGE2, X, NULL}};

static void test_classes_as_designed(void **state)
{
	fx *f = *state;
	char b[16];
	OK(import_round(f, 2021, R1, 3));
	assert_string_equal(class_in(f, 2021, "H1", b, sizeof b), "poor");
	assert_string_equal(class_in(f, 2021, "H2", b, sizeof b), "near_poor");
	assert_string_equal(class_in(f, 2021, "H3", b, sizeof b), "not_poor");
}

/* The round's meetings and complaints as the web's round page reads them. */
static int note_meeting(void *ctx, const gnbv_review_meeting_info *m)
{
	gnbv_review_meeting_info *out = ctx;
	out[out[0].meeting_id ? 1 : 0] = *m;
	return 0;
}

static int note_complaint(void *ctx, const gnbv_review_complaint *c)
{
	*(gnbv_review_complaint *)ctx = *c;
	return 0;
}

static void test_workflow(void **state)
{
	fx *f = *state;
	const char *C = COMMUNE;
	OK(import_round(f, 2021, R1, 3));
	OK(gnbv_review_open(f->s, &f->officer, C, 2021));
	assert_int_equal(step_of(f, 2021), GNBV_STEP_LISTING);
	gnbv_review_application a = {"H3", 20210905, "Lý Văn Ba", "xin rà soát"};
	OK(gnbv_review_apply(f->s, &f->officer, C, 2021, &a));
	FAILS(GNBV_ECONFLICT, gnbv_review_apply(f->s, &f->officer, C, 2021, &a)); /* twice */
	OK(gnbv_review_survey(f->s, &f->officer, C, 2021));
	/* Village 1: 5 of 10 in favour, exactly 50%: the result stands. */
	gnbv_review_vote v1[] = {{"H1", 5, 0}};
	gnbv_review_meeting m1 = {VILLAGE1, 20211020, "Nông Văn Trưởng", 10};
	int64_t mid1 = 0, mid2 = 0;
	OK(gnbv_review_meeting_add(f->s, &f->officer, &f->prm, C, 2021, &m1, v1, 1, &mid1));
	assert_int_equal(v1[0].agreed, 1);
	assert_int_equal(step_of(f, 2021), GNBV_STEP_MEETING);
	/* A household of another village is refused at this meeting. */
	gnbv_review_vote wrong[] = {{"H2", 9, 0}};
	FAILS(GNBV_EINVALID,
	      gnbv_review_votes_add(f->s, &f->officer, &f->prm, C, 2021, mid1, wrong, 1));
	/* Village 2: 49 of 100 for H2, just below: back to the survey. */
	gnbv_review_vote v2[] = {{"H2", 49, 0}, {"H3", 100, 0}};
	gnbv_review_meeting m2 = {VILLAGE2, 20211021, "Hoàng Thị Trưởng", 100};
	OK(gnbv_review_meeting_add(f->s, &f->officer, &f->prm, C, 2021, &m2, v2, 2, &mid2));
	assert_int_equal(v2[0].agreed, 0);
	assert_int_equal(v2[1].agreed, 1);
	gnbv_review_status st;
	OK(gnbv_review_status_get(f->s, &f->all, C, 2021, &st));
	assert_int_equal(st.agreed, 2);
	assert_int_equal(st.resurvey, 1);
	assert_int_equal(st.applications, 1);
	/* The posting refuses while H2 has no standing result. */
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_post(f->s, &f->officer, &f->prm, C, 2021, 20211101, 20211110));
	assert_non_null(strstr(gnbv_error_message(), "H2"));
	/* Not put to the same meeting again on the same survey. */
	gnbv_review_vote same[] = {{"H2", 60, 0}};
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_votes_add(f->s, &f->officer, &f->prm, C, 2021, mid2, same, 1));
	/* Surveyed again (a correction), then voted again: 50 of 100. */
	const hh again[] = {{"H2", VILLAGE2, N, "Nùng"}};
	OK(import_round(f, 2021, again, 1));
	gnbv_review_vote v3[] = {{"H2", 50, 0}};
	OK(gnbv_review_votes_add(f->s, &f->officer, &f->prm, C, 2021, mid2, v3, 1));
	assert_int_equal(v3[0].agreed, 1);
	/* A vote lapses when the survey changes after it. */
	const hh changed[] = {{"H3", VILLAGE2, X, "Dao"}};
	OK(import_round(f, 2021, changed, 1));
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_post(f->s, &f->officer, &f->prm, C, 2021, 20211101, 20211110));
	assert_non_null(strstr(gnbv_error_message(), "H3"));
	gnbv_review_vote v4[] = {{"H3", 70, 0}};
	OK(gnbv_review_votes_add(f->s, &f->officer, &f->prm, C, 2021, mid2, v4, 1));
	/* Posting: an end before the start is refused. */
	FAILS(GNBV_EINVALID,
	      gnbv_review_post(f->s, &f->officer, &f->prm, C, 2021, 20211110, 20211101));
	OK(gnbv_review_post(f->s, &f->officer, &f->prm, C, 2021, 20211101, 20211110));
	int64_t cid = 0;
	OK(gnbv_review_complain(f->s, &f->officer, C, 2021, "H3", 20211105, "Lý Văn Ba",
	                        "Hộ tôi thu nhập thấp hơn", &cid));
	FAILS(GNBV_ECONFLICT, gnbv_review_submit(f->s, &f->officer, C, 2021));
	OK(gnbv_review_resolve(f->s, &f->officer, C, 2021, cid, 20211108,
	                       "Đã xác minh lại, giữ nguyên"));
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_resolve(f->s, &f->officer, C, 2021, cid, 20211109, "again"));
	OK(gnbv_review_submit(f->s, &f->officer, C, 2021));
	/* The submitter cannot recognise. */
	FAILS(GNBV_EDENIED, gnbv_review_recognise(f->s, &f->officer, C, 2021, "12/QĐ-UBND",
	                                          20211215, "Chủ tịch"));
	/* A decision dated before the posting ended is refused. */
	FAILS(GNBV_EINVALID,
	      gnbv_review_recognise(f->s, &f->chair, C, 2021, "12/QĐ-UBND", 20211105, "Chủ tịch"));
	OK(gnbv_review_recognise(f->s, &f->chair, C, 2021, "12/QĐ-UBND", 20211215, "Chủ tịch"));
	OK(gnbv_review_status_get(f->s, &f->all, C, 2021, &st));
	assert_int_equal(st.step, GNBV_STEP_RECOGNISED);
	assert_string_equal(st.decision_no, "12/QĐ-UBND");
	assert_string_equal(st.decision_date, "2021-12-15");
	assert_string_equal(st.submitted_by, "officer");
	assert_string_equal(st.recognised_by, "chair");
	assert_int_equal(st.complaints, 1);
	assert_int_equal(st.unresolved, 0);
	gnbv_review_meeting_info mi[2];
	memset(mi, 0, sizeof mi);
	OK(gnbv_review_meetings_each(f->s, &f->all, C, 2021, note_meeting, mi));
	assert_int_equal(mi[0].meeting_id, mid1);
	assert_string_equal(mi[0].village, VILLAGE1);
	assert_string_equal(mi[0].held_on, "2021-10-20");
	assert_int_equal(mi[0].participants, 10);
	assert_int_equal(mi[0].votes, 1);
	assert_int_equal(mi[1].meeting_id, mid2);
	assert_int_equal(mi[1].votes, 2); /* H2 and H3, their latest votes */
	assert_int_equal(mi[1].agreed, 2);
	gnbv_review_complaint ck;
	memset(&ck, 0, sizeof ck);
	OK(gnbv_review_complaints_each(f->s, &f->all, C, 2021, note_complaint, &ck));
	assert_int_equal(ck.complaint_id, cid);
	assert_string_equal(ck.household_code, "H3");
	assert_string_equal(ck.resolved_on, "2021-11-08");
	assert_string_equal(ck.resolution, "Đã xác minh lại, giữ nguyên");
	gnbv_scope elsewhere;
	OK(gnbv_store_scope_unit(f->s, VILLAGE1, 0, &elsewhere));
	FAILS(GNBV_EDENIED, gnbv_review_meetings_each(f->s, &elsewhere, C, 2021, note_meeting, mi));
	FAILS(GNBV_EDENIED,
	      gnbv_review_complaints_each(f->s, &elsewhere, C, 2021, note_complaint, &ck));
	/* Every step is in the audit chain, with the acting user. */
	uint64_t checked = 0;
	OK(gnbv_store_audit_verify(f->s, &checked));
	assert_true(checked >= 12);
}

static void test_out_of_order(void **state)
{
	fx *f = *state;
	const char *C = COMMUNE;
	gnbv_review_vote v[] = {{"H1", 5, 0}};
	gnbv_review_meeting m = {VILLAGE1, 20211020, "Trưởng xóm", 10};
	/* Nothing before the round starts. */
	FAILS(GNBV_ECONFLICT, gnbv_review_survey(f->s, &f->officer, C, 2021));
	OK(import_round(f, 2021, R1, 3));
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_meeting_add(f->s, &f->officer, &f->prm, C, 2021, &m, v, 1, NULL));
	OK(gnbv_review_open(f->s, &f->officer, C, 2021));
	FAILS(GNBV_ECONFLICT, gnbv_review_open(f->s, &f->officer, C, 2021));
	/* Step 3 before step 2. */
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_meeting_add(f->s, &f->officer, &f->prm, C, 2021, &m, v, 1, NULL));
	assert_non_null(strstr(gnbv_error_message(), "listing"));
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_post(f->s, &f->officer, &f->prm, C, 2021, 20211101, 20211110));
	FAILS(GNBV_ECONFLICT, gnbv_review_submit(f->s, &f->officer, C, 2021));
	FAILS(GNBV_ECONFLICT, gnbv_review_recognise(f->s, &f->chair, C, 2021, "1", 20211215, "X"));
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_complain(f->s, &f->officer, C, 2021, "H1", 20211105, "", "x", NULL));
	OK(gnbv_review_survey(f->s, &f->officer, C, 2021));
	/* Applications close with the list. */
	gnbv_review_application a = {"H9", 20210905, "A", NULL};
	FAILS(GNBV_ECONFLICT, gnbv_review_apply(f->s, &f->officer, C, 2021, &a));
	FAILS(GNBV_ECONFLICT, gnbv_review_votes_add(f->s, &f->officer, &f->prm, C, 2021, 1, v, 1));
	FAILS(GNBV_ECONFLICT, gnbv_review_submit(f->s, &f->officer, C, 2021));
	/* A household without a survey cannot be voted on. */
	gnbv_review_vote none[] = {{"NOPE", 5, 0}};
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_meeting_add(f->s, &f->officer, &f->prm, C, 2021, &m, none, 1, NULL));
	/* Out of scope: a user of another commune. */
	gnbv_review_actor other = {"other", {0, ""}};
	OK(gnbv_store_scope_unit(f->s, "01367", 0, &other.scope));
	FAILS(GNBV_EDENIED,
	      gnbv_review_meeting_add(f->s, &other, &f->prm, C, 2021, &m, v, 1, NULL));
	/* Reopening a round that is not locked. */
	FAILS(GNBV_ECONFLICT, gnbv_review_reopen(f->s, &f->district, &f->prm, C, 2021, "why"));
	assert_int_equal(step_of(f, 2021), GNBV_STEP_SURVEY);
}

typedef struct rounds {
	int n, step;
	char decision[128];
} rounds;

static int keep_round(void *ctx, const gnbv_review_round_info *r)
{
	rounds *x = ctx;
	x->n++;
	x->step = r->step;
	snprintf(x->decision, sizeof x->decision, "%s", r->decision_no);
	return 0;
}

static void test_lock_and_reopen(void **state)
{
	fx *f = *state;
	const char *C = COMMUNE;
	recognise_round(f, 2021, R1, 3);
	char b[16];
	uint64_t before = 0, after = 0;
	gnbv_round_ref ref = {GNBV_ROUND_PERIODIC, 2021, 0, NULL};
	OK(gnbv_store_household_count(f->s, &f->all, &ref, -1, &before));
	/* household_put: refused, with the decision in the message. */
	gnbv_household_rec *r = calloc(1, sizeof *r);
	OK(gnbv_store_household_get(f->s, &f->all, &ref, "H1", r));
	r->h.income_month = 9000000;
	FAILS(GNBV_ECONFLICT, gnbv_store_household_put(f->s, &f->all, &ref, r, NULL));
	assert_non_null(strstr(gnbv_error_message(), "123/QĐ-UBND"));
	assert_non_null(strstr(gnbv_error_message(), "locked"));
	/* A new household into the locked round, too. */
	snprintf(r->code, sizeof r->code, "NEW1");
	FAILS(GNBV_ECONFLICT, gnbv_store_household_put(f->s, &f->all, &ref, r, NULL));
	/* import: refused, nothing written. */
	const hh edit[] = {{"H1", VILLAGE1, X, NULL}, {"NEW2", VILLAGE1, P, NULL}};
	FAILS(GNBV_ECONFLICT, import_round(f, 2021, edit, 2));
	assert_non_null(strstr(gnbv_error_message(), "households.csv"));
	OK(gnbv_store_household_count(f->s, &f->all, &ref, -1, &after));
	assert_int_equal(before, after);
	assert_string_equal(class_in(f, 2021, "H1", b, sizeof b), "poor");
	/* Deletes and this module's own writes. */
	FAILS(GNBV_ECONFLICT, gnbv_review_list_remove(f->s, &f->officer, C, 2021, "H1", "moved"));
	gnbv_review_vote v[] = {{"H1", 1, 0}};
	FAILS(GNBV_ECONFLICT, gnbv_review_votes_add(f->s, &f->officer, &f->prm, C, 2021, 1, v, 1));
	gnbv_review_meeting m = {VILLAGE1, 20211020, "X", 10};
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_meeting_add(f->s, &f->officer, &f->prm, C, 2021, &m, v, 1, NULL));
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_recognise(f->s, &f->commune_user, C, 2021, "2", 20211220, "Y"));
	/* A split recorded into the locked round would change its
	 * transitions: refused too. */
	const char *from[] = {"H1"};
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_origin_add(f->s, &f->officer, "H3", "split", from, 1, 2021));
	/* The dashboard's view of the year. */
	rounds rs;
	memset(&rs, 0, sizeof rs);
	OK(gnbv_review_rounds_each(f->s, &f->district.scope, 2021, keep_round, &rs));
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.step, GNBV_STEP_RECOGNISED);
	assert_string_equal(rs.decision, "123/QĐ-UBND");
	/* Another commune's rounds are not locked by it. */
	const hh other[] = {{"B1", "01367-01", P, NULL}};
	OK(import_round(f, 2021, other, 1));
	/* Reopen: the commune itself and two levels up are refused. */
	FAILS(GNBV_EDENIED,
	      gnbv_review_reopen(f->s, &f->commune_user, &f->prm, C, 2021, "sai sót"));
	FAILS(GNBV_EDENIED, gnbv_review_reopen(f->s, &f->province, &f->prm, C, 2021, "sai sót"));
	gnbv_review_actor admin = {"admin", {0, ""}};
	FAILS(GNBV_EDENIED, gnbv_review_reopen(f->s, &admin, &f->prm, C, 2021, "sai sót"));
	FAILS(GNBV_EINVALID, gnbv_review_reopen(f->s, &f->district, &f->prm, C, 2021, ""));
	/* With reopen_levels 2 the province may. */
	gnbv_review_params two = f->prm;
	two.reopen_levels = 2;
	OK(gnbv_review_reopen(f->s, &f->province, &two, C, 2021, "Kiểm tra lại hộ H1"));
	assert_int_equal(step_of(f, 2021), GNBV_STEP_SURVEY);
	/* Writable again: the correction goes in; the round goes up again. */
	snprintf(r->code, sizeof r->code, "H1");
	OK(gnbv_store_household_get(f->s, &f->all, &ref, "H1", r));
	r->h.income_month = 9000000;
	OK(gnbv_store_household_put(f->s, &f->all, &ref, r, NULL));
	assert_string_equal(class_in(f, 2021, "H1", b, sizeof b), "not_poor");
	gnbv_review_vote v2[] = {{"H1", 10, 0}};
	gnbv_review_meeting m2 = {VILLAGE1, 20211222, "Trưởng xóm", 10};
	OK(gnbv_review_meeting_add(f->s, &f->officer, &f->prm, C, 2021, &m2, v2, 1, NULL));
	OK(gnbv_review_post(f->s, &f->officer, &f->prm, C, 2021, 20211223, 20211226));
	OK(gnbv_review_submit(f->s, &f->officer, C, 2021));
	/* Submitted is locked too. */
	FAILS(GNBV_ECONFLICT, gnbv_store_household_put(f->s, &f->all, &ref, r, NULL));
	assert_non_null(strstr(gnbv_error_message(), "submitted"));
	OK(gnbv_review_recognise(f->s, &f->chair, C, 2021, "130/QĐ-UBND", 20211228, "Chủ tịch"));
	gnbv_review_status st;
	OK(gnbv_review_status_get(f->s, &f->all, C, 2021, &st));
	assert_int_equal(st.reopen_count, 1);
	assert_string_equal(st.decision_no, "130/QĐ-UBND");
	OK(gnbv_store_audit_verify(f->s, NULL));
	free(r);
}

/* ---- the ad-hoc review ---- */

typedef struct od {
	int n;
	int64_t id;
	int late;
} od;

static int count_overdue(void *ctx, const gnbv_adhoc_request *r)
{
	od *o = ctx;
	o->n++;
	o->id = r->request_id;
	o->late = r->days_late;
	return 0;
}

static void test_adhoc_deadline(void **state)
{
	fx *f = *state;
	int64_t id = 0;
	od o = {0, 0, 0};
	OK(gnbv_adhoc_request_add(f->s, &f->officer, &f->prm, COMMUNE, "H1", 20220301,
	                          "Hộ có người ốm nặng", &id));
	/* Day 15 (2022-03-16) is on time; day 16 is overdue. */
	OK(gnbv_adhoc_overdue(f->s, &f->all, 20220316, count_overdue, &o));
	assert_int_equal(o.n, 0);
	OK(gnbv_adhoc_overdue(f->s, &f->all, 20220317, count_overdue, &o));
	assert_int_equal(o.n, 1);
	assert_int_equal(o.id, id);
	assert_int_equal(o.late, 1);
	/* Another commune's scope does not see it. */
	gnbv_scope other;
	OK(gnbv_store_scope_unit(f->s, "01367", 0, &other));
	o.n = 0;
	OK(gnbv_adhoc_overdue(f->s, &other, 20220401, count_overdue, &o));
	assert_int_equal(o.n, 0);
	/* The decision needs the survey of the ad-hoc round. */
	FAILS(GNBV_ECONFLICT,
	      gnbv_adhoc_decide(f->s, &f->chair, id, 20220305, 20220310, "5/QĐ", "Chủ tịch"));
	char hp[400], mp[400];
	const hh one[] = {{"H1", VILLAGE1, P, NULL}};
	write_round(f, one, 1, hp, mp, sizeof hp);
	gnbv_import_opts io = GNBV_IMPORT_OPTS_INIT;
	io.households_path = hp;
	io.members_path = mp;
	io.round.kind = GNBV_ROUND_ADHOC;
	io.round.year = 2022;
	io.round.as_of = 20220305;
	OK(gnbv_store_import(f->s, &f->all, &io, NULL));
	FAILS(GNBV_EINVALID,
	      gnbv_adhoc_decide(f->s, &f->chair, id, 20220305, 20220228, "5/QĐ", "Chủ tịch"));
	OK(gnbv_adhoc_decide(f->s, &f->chair, id, 20220305, 20220317, "5/QĐ", "Chủ tịch"));
	FAILS(GNBV_ECONFLICT,
	      gnbv_adhoc_decide(f->s, &f->chair, id, 20220305, 20220318, "6/QĐ", "X"));
	o.n = 0;
	OK(gnbv_adhoc_overdue(f->s, &f->all, 20220401, count_overdue, &o));
	assert_int_equal(o.n, 0);
	/* Working days, from a Friday: due on the Friday three weeks on. */
	gnbv_review_params w = f->prm;
	w.deadline_working = 1;
	OK(gnbv_adhoc_request_add(f->s, &f->officer, &w, COMMUNE, "H2", 20220304, "lý do", &id));
	o.n = 0;
	OK(gnbv_adhoc_overdue(f->s, &f->all, 20220325, count_overdue, &o));
	assert_int_equal(o.n, 0);
	OK(gnbv_adhoc_overdue(f->s, &f->all, 20220326, count_overdue, &o));
	assert_int_equal(o.n, 1);
}

/* ---- transitions and the summary ---- */

typedef struct trs {
	gnbv_transition t[32];
	int n;
} trs;

static int keep_tr(void *ctx, const gnbv_transition *t)
{
	trs *x = ctx;
	if (x->n < 32) x->t[x->n++] = *t;
	return 0;
}

static const gnbv_transition *tr_of(const trs *x, const char *code)
{
	for (int i = 0; i < x->n; i++)
		if (!strcmp(x->t[i].household_code, code)) return &x->t[i];
	fail_msg("no transition for %s", code);
	return NULL;
}

/* A: poor 2020, near-poor 2021, poor 2022: re-poor (and near -> poor).
 * B: not poor, then poor in 2022: newly poor. C: poor -> out of both.
 * D: poor -> near-poor (newly near-poor). E: near-poor -> neither.
 * F and K: in 2021 only, merged into M in 2022. G: moved out. I: moved in.
 * S: split off C in 2022, poor. R: near-poor in 2020, not in 2021, near
 * again in 2022 (re-near-poor). Z: poor all along. Heads: Kinh for B and
 * Z (not ethnic-minority), Tày for the others. */
static const hh Y2020[] = {{"A", VILLAGE1, P, NULL},
                           {"B", VILLAGE1, X, "Kinh"},
                           {"R", VILLAGE1, N, NULL},
                           {"Z", VILLAGE1, P, "Kinh"}};
static const hh Y2021[] = {{"A", VILLAGE1, N, NULL}, {"B", VILLAGE1, X, "Kinh"},
                           {"C", VILLAGE1, P, NULL}, {"D", VILLAGE1, P, NULL},
                           {"E", VILLAGE1, N, NULL}, {"F", VILLAGE1, P, NULL},
                           {"K", VILLAGE1, N, NULL}, {"G", VILLAGE1, P, NULL},
                           {"R", VILLAGE1, X, NULL}, {"Z", VILLAGE1, P, "Kinh"}};
static const hh Y2022[] = {{"A", VILLAGE1, P, NULL}, {"B", VILLAGE1, P, "Kinh"},
                           {"C", VILLAGE1, X, NULL}, {"D", VILLAGE1, N, NULL},
                           {"E", VILLAGE1, X, NULL}, {"M", VILLAGE1, P, NULL},
                           {"I", VILLAGE1, N, NULL}, {"S", VILLAGE1, P, NULL},
                           {"R", VILLAGE1, N, NULL}, {"Z", VILLAGE1, P, "Kinh"}};

static void history(fx *f)
{
	recognise_round(f, 2020, Y2020, 4);
	recognise_round(f, 2021, Y2021, 10);
	OK(import_round(f, 2022, Y2022, 10));
	const char *fk[] = {"F", "K"}, *c[] = {"C"};
	OK(gnbv_review_origin_add(f->s, &f->officer, "M", "merge", fk, 2, 2022));
	OK(gnbv_review_origin_add(f->s, &f->officer, "S", "split", c, 1, 2022));
	FAILS(GNBV_EINVALID, gnbv_review_origin_add(f->s, &f->officer, "S", "split", fk, 2, 2022));
	FAILS(GNBV_ECONFLICT, gnbv_review_origin_add(f->s, &f->officer, "S", "split", c, 1, 2022));
	recognise_round(f, 2022, Y2022, 10);
}

static void test_transitions(void **state)
{
	fx *f = *state;
	history(f);
	trs x;
	memset(&x, 0, sizeof x);
	int py = 0;
	OK(gnbv_review_transitions(f->s, &f->all, &f->prm, COMMUNE, 2022, &py, keep_tr, &x));
	assert_int_equal(py, 2021);
	assert_int_equal(x.n, 13);
	assert_int_equal(tr_of(&x, "A")->kind, GNBV_TR_RE_POOR);
	assert_int_equal(tr_of(&x, "A")->near, GNBV_TRN_TO_POOR);
	assert_int_equal(tr_of(&x, "B")->kind, GNBV_TR_NEWLY_POOR);
	assert_int_equal(tr_of(&x, "C")->kind, GNBV_TR_ESCAPED_OUT);
	assert_int_equal(tr_of(&x, "D")->kind, GNBV_TR_ESCAPED_TO_NEAR);
	assert_int_equal(tr_of(&x, "D")->near, GNBV_TRN_NEWLY_NEAR);
	assert_int_equal(tr_of(&x, "E")->near, GNBV_TRN_ESCAPED);
	assert_int_equal(tr_of(&x, "F")->move, GNBV_MV_MERGED_GONE);
	assert_int_equal(tr_of(&x, "K")->move, GNBV_MV_MERGED_GONE);
	assert_int_equal(tr_of(&x, "G")->move, GNBV_MV_MOVED_OUT);
	assert_int_equal(tr_of(&x, "I")->move, GNBV_MV_MOVED_IN);
	assert_int_equal(tr_of(&x, "M")->move, GNBV_MV_MERGED_NEW);
	assert_string_equal(tr_of(&x, "M")->origin, "F");
	assert_int_equal(tr_of(&x, "S")->move, GNBV_MV_SPLIT_NEW);
	assert_string_equal(tr_of(&x, "S")->origin, "C");
	assert_int_equal(tr_of(&x, "R")->near, GNBV_TRN_RE_NEAR);
	assert_int_equal(tr_of(&x, "Z")->kind, GNBV_TR_STAYED_POOR);
	assert_int_equal(tr_of(&x, "Z")->minority, 0);
	assert_int_equal(tr_of(&x, "A")->minority, 1);
	/* 2021 against 2020: A escaped to near-poor; C, D, ... moved in. */
	memset(&x, 0, sizeof x);
	OK(gnbv_review_transitions(f->s, &f->all, &f->prm, COMMUNE, 2021, &py, keep_tr, &x));
	assert_int_equal(py, 2020);
	assert_int_equal(tr_of(&x, "A")->kind, GNBV_TR_ESCAPED_TO_NEAR);
	assert_int_equal(tr_of(&x, "C")->move, GNBV_MV_MOVED_IN);
	/* 2020 has nothing before it. */
	FAILS(GNBV_ENOTFOUND,
	      gnbv_review_transitions(f->s, &f->all, &f->prm, COMMUNE, 2020, &py, keep_tr, &x));
	/* Scope. */
	gnbv_scope other;
	OK(gnbv_store_scope_unit(f->s, "01367", 0, &other));
	FAILS(GNBV_EDENIED,
	      gnbv_review_transitions(f->s, &other, &f->prm, COMMUNE, 2022, &py, keep_tr, &x));
}

/* A split household later back in poverty is re-poor through the
 * history of the household it came from. */
static void test_split_history(void **state)
{
	fx *f = *state;
	const hh y20[] = {{"P0", VILLAGE1, P, NULL}};
	const hh y21[] = {{"P0", VILLAGE1, X, NULL}, {"P1", VILLAGE1, X, NULL}};
	const hh y22[] = {{"P0", VILLAGE1, X, NULL}, {"P1", VILLAGE1, P, NULL}};
	recognise_round(f, 2020, y20, 1);
	OK(import_round(f, 2021, y21, 2));
	const char *from[] = {"P0"};
	OK(gnbv_review_origin_add(f->s, &f->officer, "P1", "split", from, 1, 2021));
	OK(gnbv_review_open(f->s, &f->officer, COMMUNE, 2021));
	OK(gnbv_review_survey(f->s, &f->officer, COMMUNE, 2021));
	gnbv_review_vote v[] = {{"P0", 3, 0}, {"P1", 3, 0}};
	gnbv_review_meeting m = {VILLAGE1, 20211020, "T", 5};
	OK(gnbv_review_meeting_add(f->s, &f->officer, &f->prm, COMMUNE, 2021, &m, v, 2, NULL));
	OK(gnbv_review_post(f->s, &f->officer, &f->prm, COMMUNE, 2021, 20211101, 20211105));
	OK(gnbv_review_submit(f->s, &f->officer, COMMUNE, 2021));
	OK(gnbv_review_recognise(f->s, &f->chair, COMMUNE, 2021, "9", 20211201, "C"));
	recognise_round(f, 2022, y22, 2);
	trs x;
	memset(&x, 0, sizeof x);
	OK(gnbv_review_transitions(f->s, &f->all, &f->prm, COMMUNE, 2022, NULL, keep_tr, &x));
	assert_int_equal(tr_of(&x, "P1")->kind, GNBV_TR_RE_POOR);
}

static const gnbv_summary_row *row_of(const gnbv_summary *sm, const char *code, int area)
{
	for (size_t i = 0; i < sm->n; i++)
		if (!strcmp(sm->rows[i].unit_code, code) && sm->rows[i].area == area)
			return &sm->rows[i];
	fail_msg("no summary row %s/%d", code, area);
	return NULL;
}

static void test_summary(void **state)
{
	fx *f = *state;
	history(f);
	gnbv_summary sm;
	OK(gnbv_review_summary(f->s, &f->all, &f->prm, COMMUNE, 2022, &sm));
	assert_int_equal(sm.year, 2022);
	assert_int_equal(sm.prev_year, 2021);
	const gnbv_summary_row *r = row_of(&sm, COMMUNE, GNBV_SUM_TOTAL);
	/* Against the store. */
	uint64_t h21 = 0, h22 = 0, p21 = 0, p22 = 0, n22 = 0;
	gnbv_round_ref r21 = {GNBV_ROUND_PERIODIC, 2021, 0, NULL},
	               r22 = {GNBV_ROUND_PERIODIC, 2022, 0, NULL};
	OK(gnbv_store_household_count(f->s, &f->all, &r21, -1, &h21));
	OK(gnbv_store_household_count(f->s, &f->all, &r22, -1, &h22));
	OK(gnbv_store_household_count(f->s, &f->all, &r21, GNBV_CLASS_POOR, &p21));
	OK(gnbv_store_household_count(f->s, &f->all, &r22, GNBV_CLASS_POOR, &p22));
	OK(gnbv_store_household_count(f->s, &f->all, &r22, GNBV_CLASS_NEAR_POOR, &n22));
	assert_int_equal(r->households_start, h21);
	assert_int_equal(r->households_end, h22);
	assert_int_equal(r->poor.start, p21);
	assert_int_equal(r->poor.end, p22);
	assert_int_equal(r->near.end, n22);
	/* By kind. */
	assert_int_equal(r->poor.start, 5);   /* C D F G Z (A was near-poor) */
	assert_int_equal(r->poor.escaped, 2); /* C out, D to near-poor */
	assert_int_equal(r->poor.escaped_near, 1);
	assert_int_equal(r->poor.newly, 1);   /* B */
	assert_int_equal(r->poor.again, 1);   /* A */
	assert_int_equal(r->poor.arrived, 2); /* M, S */
	assert_int_equal(r->poor.left, 2);    /* F merged, G moved */
	assert_int_equal(r->poor.end, r->poor.start - r->poor.escaped + r->poor.newly +
	                                  r->poor.again + r->poor.arrived - r->poor.left);
	assert_int_equal(r->near.end, r->near.start - r->near.escaped - r->near.to_other +
	                                  r->near.newly + r->near.again + r->near.arrived -
	                                  r->near.left);
	/* Ethnic minority at the end: every poor head but B's and Z's. */
	assert_int_equal(r->poor.end_minority, p22 - 2);
	/* The villages' commune is rural: the urban row is empty. */
	assert_int_equal(row_of(&sm, COMMUNE, GNBV_SUM_URBAN)->households_end, 0);
	assert_int_equal(row_of(&sm, COMMUNE, GNBV_SUM_RURAL)->poor.end, p22);
	gnbv_summary_free(&sm);
	/* Consolidated: the district holds the commune's figures, and counts
	 * the communes without recognised rounds. */
	OK(gnbv_review_summary(f->s, &f->all, &f->prm, "045", 2022, &sm));
	const gnbv_summary_row *d = row_of(&sm, "045", GNBV_SUM_TOTAL);
	assert_int_equal(d->poor.end, p22);
	assert_int_equal(d->households_end, h22);
	assert_int_equal(d->rounds, 1);
	assert_int_equal(d->missing, 20);
	assert_int_equal(sm.rows[0].depth, 0);
	assert_string_equal(sm.rows[0].unit_code, "045");
	gnbv_summary_free(&sm);
	OK(gnbv_review_summary(f->s, &f->all, &f->prm, "04", 2022, &sm));
	assert_int_equal(row_of(&sm, "04", GNBV_SUM_TOTAL)->poor.end, p22);
	gnbv_summary_free(&sm);
}

/* ---- expected to escape, certificates ---- */

typedef struct esc {
	gnbv_escape_item e[8];
	int n;
} esc;

static int keep_esc(void *ctx, const gnbv_escape_item *e)
{
	esc *x = ctx;
	if (x->n < 8) x->e[x->n++] = *e;
	return 0;
}

static void test_escape(void **state)
{
	fx *f = *state;
	recognise_round(f, 2021, Y2021, 10);
	/* Not on the list: B is not poor. Not before a recognised round. */
	FAILS(GNBV_ECONFLICT, gnbv_escape_mark(f->s, &f->officer, COMMUNE, 2022, "B"));
	FAILS(GNBV_ECONFLICT, gnbv_escape_mark(f->s, &f->officer, COMMUNE, 2021, "C"));
	OK(gnbv_escape_mark(f->s, &f->officer, COMMUNE, 2022, "C"));
	OK(gnbv_escape_mark(f->s, &f->officer, COMMUNE, 2022, "Z"));
	FAILS(GNBV_ECONFLICT, gnbv_escape_mark(f->s, &f->officer, COMMUNE, 2022, "C"));
	FAILS(GNBV_ENOTFOUND, gnbv_escape_assign(f->s, &f->officer, 2022, "D", "X", "Y"));
	OK(gnbv_escape_assign(f->s, &f->officer, 2022, "C", "Hoàng Văn Cán",
	                      "Phó Chủ tịch UBND xã"));
	OK(gnbv_escape_support(f->s, &f->officer, 2022, "C", "Hỗ trợ bò giống", 20220315, 15000000,
	                       "DA3.1"));
	OK(gnbv_escape_support(f->s, &f->officer, 2022, "C", "Sửa nhà", 20220410, 40000000, "DA5"));
	FAILS(GNBV_EINVALID,
	      gnbv_escape_support(f->s, &f->officer, 2022, "C", "x", 20220410, -1, ""));
	gnbv_review_actor other = {"other", {0, ""}};
	OK(gnbv_store_scope_unit(f->s, "01367", 0, &other.scope));
	FAILS(GNBV_EDENIED, gnbv_escape_assign(f->s, &other, 2022, "C", "X", "Y"));
	esc x;
	memset(&x, 0, sizeof x);
	OK(gnbv_escape_each(f->s, &f->all, COMMUNE, 2022, keep_esc, &x));
	assert_int_equal(x.n, 2);
	gnbv_escape_item *c = &x.e[0];
	assert_string_equal(c->household_code, "C");
	assert_string_equal(c->base_class, "poor");
	assert_int_equal(c->base_year, 2021);
	assert_string_equal(c->head, "Chủ hộ C");
	/* Housing quality, water and sanitation, and income. */
	assert_int_equal(c->n_deficits, 4);
	assert_string_equal(c->deficits[0], "housing_quality");
	assert_string_equal(c->deficits[1], "water");
	assert_string_equal(c->deficits[2], "sanitation");
	assert_string_equal(c->deficits[3], "income");
	assert_string_equal(c->helper, "Hoàng Văn Cán");
	assert_int_equal(c->supports, 2);
	assert_int_equal(c->support_vnd, 55000000);
	assert_string_equal(c->components, "DA3.1;DA5");
	assert_int_equal(c->escaped, -1);
	/* The district sees its communes' lists. */
	memset(&x, 0, sizeof x);
	OK(gnbv_escape_each(f->s, &f->all, "045", 2022, keep_esc, &x));
	assert_int_equal(x.n, 2);
	/* At the next recognised round: C escaped, Z did not. */
	recognise_round(f, 2022, Y2022, 10);
	memset(&x, 0, sizeof x);
	OK(gnbv_escape_each(f->s, &f->all, COMMUNE, 2022, keep_esc, &x));
	assert_int_equal(x.e[0].escaped, 1);
	assert_string_equal(x.e[0].outcome, "not_poor");
	assert_int_equal(x.e[1].escaped, 0);
}

typedef struct certs {
	gnbv_certificate c[16];
	int n;
} certs;

static int keep_cert(void *ctx, const gnbv_certificate *c)
{
	certs *x = ctx;
	if (x->n < 16) x->c[x->n++] = *c;
	return 0;
}

static void test_certificates(void **state)
{
	fx *f = *state;
	certs x;
	memset(&x, 0, sizeof x);
	OK(import_round(f, 2021, R1, 3));
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_certificates(f->s, &f->all, &f->prm, COMMUNE, 2021, NULL, keep_cert, &x));
	FAILS(GNBV_ENOTFOUND,
	      gnbv_review_certificates(f->s, &f->all, &f->prm, COMMUNE, 2019, NULL, keep_cert, &x));
	OK(gnbv_review_open(f->s, &f->officer, COMMUNE, 2021));
	FAILS(GNBV_ECONFLICT,
	      gnbv_review_certificates(f->s, &f->all, &f->prm, COMMUNE, 2021, NULL, keep_cert, &x));
	/* Run the rest of the round. */
	OK(gnbv_review_survey(f->s, &f->officer, COMMUNE, 2021));
	gnbv_review_vote v1[] = {{"H1", 3, 0}}, v2[] = {{"H2", 3, 0}, {"H3", 3, 0}};
	gnbv_review_meeting m1 = {VILLAGE1, 20211020, "T", 5}, m2 = {VILLAGE2, 20211020, "T", 5};
	OK(gnbv_review_meeting_add(f->s, &f->officer, &f->prm, COMMUNE, 2021, &m1, v1, 1, NULL));
	OK(gnbv_review_meeting_add(f->s, &f->officer, &f->prm, COMMUNE, 2021, &m2, v2, 2, NULL));
	OK(gnbv_review_post(f->s, &f->officer, &f->prm, COMMUNE, 2021, 20211101, 20211105));
	OK(gnbv_review_submit(f->s, &f->officer, COMMUNE, 2021));
	OK(gnbv_review_recognise(f->s, &f->chair, COMMUNE, 2021, "45/QĐ-UBND", 20211210,
	                         "Lục Văn Ký"));
	OK(gnbv_review_certificates(f->s, &f->all, &f->prm, COMMUNE, 2021, NULL, keep_cert, &x));
	assert_int_equal(x.n, 2); /* H1 poor, H2 near-poor; H3 is not poor */
	assert_string_equal(x.c[0].household_code, "H1");
	assert_string_equal(x.c[0].klass, "poor");
	assert_string_equal(x.c[1].klass, "near_poor");
	assert_string_equal(x.c[0].head, "Chủ hộ H1");
	assert_string_equal(x.c[0].commune, "Xã Cần Yên");
	assert_string_equal(x.c[0].district, "Huyện Hà Quảng");
	assert_string_equal(x.c[0].province, "Tỉnh Cao Bằng");
	assert_string_equal(x.c[0].decision_no, "45/QĐ-UBND");
	assert_string_equal(x.c[0].decision_date, "2021-12-10");
	assert_int_equal(x.c[0].valid_year, 2022);
	FAILS(GNBV_ENOTFOUND,
	      gnbv_review_certificates(f->s, &f->all, &f->prm, COMMUNE, 2021, "H3", keep_cert, &x));
}

/* ---- the documents ---- */

static char *slurp(FILE *f)
{
	fflush(f);
	long n = ftell(f);
	char *b = calloc(1, (size_t)n + 1);
	rewind(f);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) b[0] = '\0';
	return b;
}

static void test_documents(void **state)
{
	fx *f = *state;
	history(f);
	gnbv_summary sm;
	OK(gnbv_review_summary(f->s, &f->all, &f->prm, "045", 2022, &sm));
	/* CSV: a header and three rows per unit; the commune's poor at the
	 * end, and its share with two decimals. */
	FILE *t = tmpfile();
	assert_non_null(t);
	OK(gnbv_review_summary_csv(&sm, t));
	char *csv = slurp(t);
	fclose(t);
	int lines = 0;
	for (char *p = csv; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 1 + (int)sm.n);
	assert_non_null(
	    strstr(csv, "01366,Xã Cần Yên,commune,1,total,2022,2021,1,0,10,10,5,50.00,"));
	free(csv);
	/* XLSX: a workbook (a zip) appears. */
	char path[400];
	snprintf(path, sizeof path, "%s/s.xlsx", f->dir);
	OK(gnbv_review_summary_xlsx(&sm, "Huyện Hà Quảng (045)", path));
	FILE *x = fopen(path, "rb");
	assert_non_null(x);
	char magic[2] = {0, 0};
	assert_int_equal(fread(magic, 1, 2, x), 2);
	fclose(x);
	assert_memory_equal(magic, "PK", 2);
	gnbv_summary_free(&sm);
	/* HTML: every string escaped. */
	gnbv_certificate c;
	memset(&c, 0, sizeof c);
	snprintf(c.household_code, sizeof c.household_code, "H<1>");
	snprintf(c.head, sizeof c.head, "Nguyễn \"A\" & 'B' <script>");
	snprintf(c.commune, sizeof c.commune, "Xã Cần Yên");
	snprintf(c.klass, sizeof c.klass, "near_poor");
	snprintf(c.decision_no, sizeof c.decision_no, "1/QĐ<b>");
	snprintf(c.decision_date, sizeof c.decision_date, "2022-12-15");
	snprintf(c.signer, sizeof c.signer, "Chủ tịch");
	c.year = 2022;
	c.valid_year = 2023;
	t = tmpfile();
	gnbv_cert_html *h = NULL;
	OK(gnbv_cert_html_begin(&h, t));
	OK(gnbv_cert_html_add(h, &c));
	OK(gnbv_cert_html_end(h));
	char *html = slurp(t);
	fclose(t);
	assert_non_null(strstr(html, "Nguyễn &quot;A&quot; &amp; &#39;B&#39; &lt;script&gt;"));
	assert_non_null(strstr(html, "H&lt;1&gt;"));
	assert_non_null(strstr(html, "1/QĐ&lt;b&gt;"));
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "hộ cận nghèo"));
	assert_non_null(strstr(html, "ngày 15 tháng 12 năm 2022"));
	assert_non_null(strstr(html, "@media print"));
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rules),
	    cmocka_unit_test_setup_teardown(test_params, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_classes_as_designed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_workflow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lock_and_reopen, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_adhoc_deadline, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transitions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_escape, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_certificates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_documents, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
