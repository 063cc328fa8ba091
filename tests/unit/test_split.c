/*
 * test_split.c - classify in parts (src/io/split.c, classify.c run_parts):
 * the plan's cuts pair a household's row with its first member's row, in
 * files with quoted newlines, CRLF and large households; and gnbv_classify
 * in parts writes exactly what one pass writes, takes parts when it can,
 * and falls back to one pass, with one pass's answer or message, for ids
 * out of order, bad cells, repeated households, households without members
 * and a quoted cell made to look like a cut; and the memory outputs that
 * hold a part's rows (src/io/outfile.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/classify.h"
#include "gnbv/error.h"
#include "io/outfile.h"
#include "io/split.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/gnbv-test-split-XXXXXX";

#define HH_HEADER                                                                                  \
	"household_id,unit_code,area,income_month,income_score,floor_durable,walls_durable,roof_"  \
	"durable,"                                                                                 \
	"living_area_m2,water_safe,toilet_hygienic,waste_treated,devices"
#define MM_HEADER                                                                                  \
	"household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,work,"         \
	"health_insurance,stunted,underweight,in_school,school_level,uses_internet,social_"        \
	"allowance"

typedef struct buf {
	char *p;
	size_t n, cap;
} buf;

static void put(buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if ((size_t)k < b->cap - b->n) {
			b->n += (size_t)k;
			return;
		}
		b->cap = b->cap ? b->cap * 2 + (size_t)k : 1 << 16;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
}

/* A round of n households in id order (order 0), or with the ids of the
 * second half first (order 1: members alike, still in step). `eol` ends
 * every line. Every fifth household has a member whose name holds a
 * quoted comma and newline; one household in 97 has 40 members. */
static void make_round(buf *h, buf *m, int n, int order, const char *eol)
{
	put(h, "%s%s", HH_HEADER, eol);
	put(m, "%s%s", MM_HEADER, eol);
	for (int k = 0; k < n; k++) {
		int i = order ? (k + n / 2) % n : k;
		put(h, "HH-%06d,%05d-01,%s,%d,,1,%d,1,%d,1,%d,1,tv;smartphone%s", i, 100 + i / 50,
		    i % 3 ? "rural" : "urban", 500000 + (i * 7919) % 3000000, i % 4 != 0,
		    10 + i % 60, i % 5 != 0, eol);
		int size = i % 97 == 5 ? 40 : 1 + i % 7;
		for (int j = 1; j <= size; j++)
			put(m, "HH-%06d,%d,%s,%s,%d-0%d-1%d,child,Tày,%d,%s,%d,,,%d,primary,%d,0%s",
			    i, j, j == 2 && i % 5 == 0 ? "\"Lục, Thị\nBa\"" : "Nông Văn An",
			    j % 2 ? "M" : "F", 1940 + (i * 13 + j * 17) % 80, 1 + j % 9, j % 10,
			    (i + j) % 3 != 0, (i + j) % 4 ? "self" : "unemployed", (i * j) % 5 != 0,
			    (i + j) % 2, j % 3 != 0, eol);
	}
}

static char *path_of(const char *name)
{
	size_t n = strlen(tmpdir) + strlen(name) + 2;
	char *p = malloc(n);
	assert_non_null(p);
	snprintf(p, n, "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *name, const buf *b)
{
	char *p = path_of(name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b->p, 1, b->n, f), b->n);
	assert_int_equal(fclose(f), 0);
	free(p);
}

static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f) return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *p = malloc((size_t)len + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	p[len] = '\0';
	*n = (size_t)len;
	return p;
}

/* The id at the line starting at off (the first cell). */
static size_t id_at(const buf *b, size_t off, const char **id)
{
	*id = b->p + off;
	const char *c = memchr(*id, ',', b->n - off);
	assert_non_null(c);
	return (size_t)(c - *id);
}

static size_t header_end(const buf *b)
{
	const char *nl = memchr(b->p, '\n', b->n);
	assert_non_null(nl);
	return (size_t)(nl - b->p) + 1;
}

/* Plans the files h and m (written as households.csv and members.csv) and
 * checks every cut: both offsets line starts, rising, the same id at
 * both, the member line before it another household's. Returns the parts. */
static int plan_and_check(const buf *h, const buf *m, uint64_t part_bytes, uint64_t tail_bytes)
{
	write_file("households.csv", h);
	write_file("members.csv", m);
	char *hp = path_of("households.csv"), *mp = path_of("members.csv");
	int hfd = open(hp, O_RDONLY), mfd = open(mp, O_RDONLY);
	assert_true(hfd >= 0 && mfd >= 0);
	gnbv_split_file hf = {hfd, header_end(h), h->n, 0}, mf = {mfd, header_end(m), m->n, 0};
	gnbv_split_cut cuts[257];
	int n = gnbv_split_plan(&hf, &mf, part_bytes, tail_bytes, cuts, 256);
	assert_true(n >= 1);
	assert_true(cuts[0].h == hf.start && cuts[0].m == mf.start);
	assert_true(cuts[n].h == h->n && cuts[n].m == m->n);
	for (int k = 1; k < n; k++) {
		assert_true(cuts[k].h > cuts[k - 1].h && cuts[k].m > cuts[k - 1].m);
		assert_true(h->p[cuts[k].h - 1] == '\n' && m->p[cuts[k].m - 1] == '\n');
		const char *a, *b;
		size_t al = id_at(h, cuts[k].h, &a), bl = id_at(m, cuts[k].m, &b);
		assert_true(al == bl && memcmp(a, b, al) == 0);
		/* the member line before: another household */
		size_t s = cuts[k].m - 1;
		while (s > 0 && m->p[s - 1] != '\n')
			s--;
		const char *c;
		size_t cl = id_at(m, s, &c);
		assert_false(cl == bl && memcmp(c, b, cl) == 0);
	}
	close(hfd);
	close(mfd);
	free(hp);
	free(mp);
	return n;
}

static void test_plan_cuts(void **state)
{
	(void)state;
	const char *eols[] = {"\n", "\r\n"};
	for (int e = 0; e < 2; e++) {
		buf h = {0}, m = {0};
		make_round(&h, &m, 4000, 0, eols[e]);
		int n = plan_and_check(&h, &m, 8192, 0);
		/* every target found a cut, or nearly (some land in a 40-member household) */
		assert_true((uint64_t)n > (m.n / 8192) * 9 / 10);
		assert_true(n <= 256);
		/* a tail of 64 KiB in parts of 1 KiB: some 60 parts more */
		int t = plan_and_check(&h, &m, 8192, 65536);
		assert_true(t > n + 40 && t <= n + 66);
		/* one part when the members are smaller than a part */
		assert_int_equal(plan_and_check(&h, &m, m.n * 2, 0), 1);
		/* the cap holds, tail or not */
		assert_true(plan_and_check(&h, &m, 512, 65536) <= 256);
		free(h.p);
		free(m.p);
	}
}

/* Ids out of order: the binary search mostly misses; whatever cut it does
 * find must still pair a household with its first member. */
static void test_plan_unsorted(void **state)
{
	(void)state;
	buf h = {0}, m = {0};
	make_round(&h, &m, 4000, 1, "\n");
	(void)plan_and_check(&h, &m, 4096, 16384);
	free(h.p);
	free(m.p);
}

typedef struct outcome {
	int rc;
	char msg[1024];
	gnbv_classify_stats st;
	char *out[3];
	size_t len[3];
} outcome;

static const char *const OUTS[3] = {"assessments.csv", "summary.csv", "workers.csv"};
static int explain; /* classify with --explain (the reason column) */

/* gnbv_classify over households.csv and members.csv in tmpdir, with
 * `threads` and `part` (GNBV_CLASSIFY_PART), into a fresh folder. */
static void classify(const char *threads, const char *part, outcome *o)
{
	static int seq;
	char dir[64];
	snprintf(dir, sizeof dir, "out-%d", seq++);
	char *out = path_of(dir), *hp = path_of("households.csv"), *mp = path_of("members.csv");
	setenv("GNBV_THREADS", threads, 1);
	setenv("GNBV_CLASSIFY_PART", part, 1);
	gnbv_classify_opts opts;
	memset(&opts, 0, sizeof opts);
	opts.households_path = hp;
	opts.members_path = mp;
	opts.out_dir = out;
	opts.standard = "vn-2022-2026";
	opts.as_of = 20251001;
	opts.explain = explain;
	memset(o, 0, sizeof *o);
	o->rc = gnbv_classify(&opts, &o->st);
	snprintf(o->msg, sizeof o->msg, "%s", o->rc ? gnbv_error_message() : "");
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(out) + 32;
		char *p = malloc(n);
		assert_non_null(p);
		snprintf(p, n, "%s/%s", out, OUTS[i]);
		o->out[i] = read_file(p, &o->len[i]);
		free(p);
	}
	unsetenv("GNBV_THREADS");
	unsetenv("GNBV_CLASSIFY_PART");
	free(out);
	free(hp);
	free(mp);
}

static void outcome_free(outcome *o)
{
	for (int i = 0; i < 3; i++)
		free(o->out[i]);
}

/* Same return, message, counts and files. */
static void assert_same(const outcome *a, const outcome *b)
{
	assert_int_equal(a->rc, b->rc);
	assert_string_equal(a->msg, b->msg);
	assert_true(a->st.households == b->st.households && a->st.members == b->st.members &&
	            a->st.workers == b->st.workers && a->st.bytes == b->st.bytes);
	assert_memory_equal(a->st.by_class, b->st.by_class, sizeof a->st.by_class);
	for (int i = 0; i < 3; i++) {
		assert_true((a->out[i] == NULL) == (b->out[i] == NULL));
		if (a->out[i]) {
			assert_int_equal(a->len[i], b->len[i]);
			assert_memory_equal(a->out[i], b->out[i], a->len[i]);
		}
	}
}

/* The files as given, classified in one pass and in parts with 2 and 3
 * threads; `parts_expected`: whether parts mode must have been taken. */
static void compare_modes(const buf *h, const buf *m, int parts_expected, int rc_expected)
{
	write_file("households.csv", h);
	write_file("members.csv", m);
	outcome one, two, three;
	classify("1", "4096", &one);
	assert_int_equal(one.rc, rc_expected);
	assert_int_equal(one.st.parts, 0);
	classify("2", "4096", &two);
	classify("3", "4096", &three);
	assert_same(&one, &two);
	assert_same(&one, &three);
	if (parts_expected) {
		assert_true(two.st.parts > 10);
		assert_true(three.st.parts >
		            10); /* (more: the tail of small parts grows with the threads) */
	} else {
		assert_int_equal(two.st.parts, 0);
		assert_int_equal(three.st.parts, 0);
	}
	if (rc_expected) /* nothing written on an error */
		for (int i = 0; i < 3; i++)
			assert_null(two.out[i]);
	outcome_free(&one);
	outcome_free(&two);
	outcome_free(&three);
}

static void test_classify_parts(void **state)
{
	(void)state;
	const char *eols[] = {"\n", "\r\n"};
	for (int e = 0; e < 4; e++) {
		buf h = {0}, m = {0};
		if (e == 3) { /* files saved by Excel: a UTF-8 BOM before the header */
			put(&h, "\xEF\xBB\xBF");
			put(&m, "\xEF\xBB\xBF");
		}
		make_round(&h, &m, 4000, 0, eols[e % 2]);
		explain = e == 2; /* and the reasons, in parts */
		compare_modes(&h, &m, 1, 0);
		explain = 0;
		free(h.p);
		free(m.p);
	}
}

/* Swaps the first two cells of every record (lines outside quotes): the
 * ids then lie in the second column of both files. The first two cells
 * are never quoted here. */
static void swap_first_cells(buf *b)
{
	buf nb = {0};
	int inq = 0;
	size_t i = 0;
	while (i < b->n) {
		size_t e = i;
		while (e < b->n && (inq || b->p[e] != '\n'))
			inq ^= b->p[e++] == '"';
		if (e < b->n) e++; /* the newline */
		const char *c1 = memchr(b->p + i, ',', e - i);
		const char *c2 = c1 ? memchr(c1 + 1, ',', (size_t)(b->p + e - c1 - 1)) : NULL;
		assert_non_null(c2);
		put(&nb, "%.*s,%.*s%.*s", (int)(c2 - c1 - 1), c1 + 1, (int)(c1 - (b->p + i)),
		    b->p + i, (int)(b->p + e - c2), c2);
		i = e;
	}
	free(b->p);
	*b = nb;
}

/* The id in another column than the first (the plan reads the mapped
 * one): parts, and one pass's outputs. */
static void test_classify_id_column(void **state)
{
	(void)state;
	buf h = {0}, m = {0};
	make_round(&h, &m, 4000, 0, "\n");
	swap_first_cells(&h);
	swap_first_cells(&m);
	assert_true(strncmp(h.p, "unit_code,household_id,", 23) == 0);
	assert_true(strncmp(m.p, "member_no,household_id,", 23) == 0);
	compare_modes(&h, &m, 1, 0);
	free(h.p);
	free(m.p);
}

/* Ids out of order (in step): no parts; one pass's answer. */
static void test_classify_unsorted(void **state)
{
	(void)state;
	buf h = {0}, m = {0};
	make_round(&h, &m, 4000, 1, "\n");
	compare_modes(&h, &m, 0, 0);
	free(h.p);
	free(m.p);
}

/* Replaces the first occurrence of `from` after offset `after` with `to`
 * (every one, with `all`). */
static void edit(buf *b, size_t after, const char *from, const char *to, int all)
{
	size_t fl = strlen(from), tl = strlen(to);
	char *at;
	while ((at = strstr(b->p + after, from))) {
		size_t off = (size_t)(at - b->p);
		buf nb = {0};
		put(&nb, "%.*s%s%s", (int)off, b->p, to, b->p + off + fl);
		free(b->p);
		*b = nb;
		after = off + tl;
		if (!all) return;
	}
	assert_true(all);
}

/* The offset of s in b, which must be there. */
static size_t find(const buf *b, const char *s)
{
	const char *at = strstr(b->p, s);
	assert_non_null(at);
	return (size_t)(at - b->p);
}

/* Problems in a middle part: one pass's message, no outputs. */
static void test_classify_errors(void **state)
{
	(void)state;
	for (int c = 0; c < 3; c++) {
		buf h = {0}, m = {0};
		make_round(&h, &m, 4000, 0, "\n");
		switch (c) {
		case 0: /* a bad cell */ edit(&m, m.n / 2, ",M,", ",X,", 0); break;
		case 1: /* a household twice, its members too (in step) */
			edit(&h, 0, "\nHH-002001,", "\nHH-002000,", 1);
			edit(&m, 0, "\nHH-002001,", "\nHH-002000,", 1);
			break;
		case 2: /* an early id again in the middle, with a member, in step */
			edit(&h, 0, "\nHH-002500,",
			     "\nHH-000007,00100-01,rural,600000,,1,1,1,30,1,1,1,tv\nHH-002500,", 0);
			edit(&m, 0, "\nHH-002500,",
			     "\nHH-000007,1,Lò Văn "
			     "Hai,M,1990-01-01,head,Tày,1,self,1,,,0,primary,1,0\nHH-002500,",
			     0);
			break;
		}
		write_file("households.csv", &h);
		write_file("members.csv", &m);
		outcome one;
		classify("1", "4096", &one);
		assert_int_not_equal(one.rc, 0);
		compare_modes(&h, &m, 0, one.rc);
		outcome_free(&one);
		free(h.p);
		free(m.p);
	}
}

/* A quoted name holding a newline and, after it, what looks like the first
 * member of another household: the plan is made to cut there (a part size
 * that puts a target just before it), the part before it then ends inside
 * the quote, and the run falls back to one pass, which reads a name. */
static void test_classify_fake_cut(void **state)
{
	(void)state;
	buf h = {0}, m = {0};
	make_round(&h, &m, 4000, 0, "\n");
	/* HH-002042 has 40 members (2042 % 97 == 5) */
	edit(&m, find(&m, "\nHH-002042,30,"), "Nông Văn An", "\"Nông\nHH-003000,1,An\"", 0);
	size_t fake = find(&m, "\nHH-003000,1,An\"") + 1, second = find(&m, "\nHH-002042,2,") + 1;
	size_t start = header_end(&m), body = m.n - start;
	uint64_t part = 0;
	for (uint64_t p = 2; p <= 256 && !part; p++)
		for (uint64_t k = 1; k < p && !part; k++) {
			uint64_t t = start + body / p * k;
			if (t >= second && t <= fake &&
			    (body + (body + p - 1) / p - 1) / ((body + p - 1) / p) == p)
				part = (body + p - 1) / p;
		}
	assert_true(part > 0);
	/* the plan takes the bait */
	write_file("households.csv", &h);
	write_file("members.csv", &m);
	char *mp = path_of("members.csv"), *hp = path_of("households.csv");
	int hfd = open(hp, O_RDONLY), mfd = open(mp, O_RDONLY);
	gnbv_split_file hf = {hfd, header_end(&h), h.n, 0}, mf = {mfd, start, m.n, 0};
	gnbv_split_cut cuts[257];
	int n = gnbv_split_plan(&hf, &mf, part, 0, cuts, 256), baited = 0;
	for (int k = 1; k < n; k++)
		baited |= cuts[k].m == fake;
	assert_true(baited);
	close(hfd);
	close(mfd);
	free(mp);
	free(hp);

	char ps[32];
	snprintf(ps, sizeof ps, "%llu", (unsigned long long)part);
	outcome one, two;
	classify("1", ps, &one);
	classify("2", ps, &two);
	assert_int_equal(one.rc, 0);
	assert_same(&one, &two);
	assert_int_equal(two.st.parts, 0);
	outcome_free(&one);
	outcome_free(&two);
	free(h.p);
	free(m.p);
}

/* A household whose row comes last while its members stay in place: one
 * pass restarts in indexed mode; parts mode gives way to it. */
static void test_classify_indexed(void **state)
{
	(void)state;
	buf h = {0}, m = {0};
	make_round(&h, &m, 4000, 0, "\n");
	size_t at = find(&h, "\nHH-002500,") + 1;
	const char *nl = memchr(h.p + at, '\n', h.n - at);
	size_t len = (size_t)(nl - (h.p + at)) + 1;
	buf nh = {0};
	put(&nh, "%.*s%s%.*s", (int)at, h.p, h.p + at + len, (int)len, h.p + at);
	write_file("households.csv", &nh);
	write_file("members.csv", &m);
	outcome one;
	classify("1", "4096", &one);
	assert_int_equal(one.rc, 0);
	assert_true(one.st.indexed);
	outcome_free(&one);
	compare_modes(&nh, &m, 0, 0);
	free(nh.p);
	free(h.p);
	free(m.p);
}

/* Memory outputs (a part's rows): they grow past their first buffer and
 * past the file output's, are appended whole and in order, are emptied by
 * the append and by truncate. */
static void test_memory_outputs(void **state)
{
	(void)state;
	gnbv_out *a = NULL, *b = NULL, *o = NULL;
	assert_int_equal(gnbv_out_open_mem(&a, "a"), 0);
	assert_int_equal(gnbv_out_open_mem(&b, "b"), 0);
	assert_int_equal(gnbv_out_open(&o, tmpdir, "joined.csv"), 0);
	buf want = {0};
	for (int i = 0; i < 200000; i++) { /* some 2.5 MB: several doublings, past 1 MiB */
		char *row = gnbv_out_reserve(a, 64);
		assert_non_null(row);
		int n = snprintf(row, 64, "a%d,%d\n", i, i * 3);
		gnbv_out_advance(a, (size_t)n);
	}
	assert_int_equal(gnbv_out_str(b, "b-one\n"), 0);
	assert_int_equal(gnbv_out_cell(b, "x,y", 3), 0);
	assert_int_equal(gnbv_out_char(b, '\n'), 0);
	assert_int_equal(gnbv_out_u64(b, 18446744073709551615ull), 0);
	for (int i = 0; i < 200000; i++)
		put(&want, "a%d,%d\n", i, i * 3);
	put(&want, "b-one\n\"x,y\"\n18446744073709551615");
	assert_int_equal(gnbv_out_append(o, a), 0);
	assert_int_equal(gnbv_out_append(o, b), 0);
	/* emptied: appending again adds nothing; truncate empties a refilled one */
	assert_int_equal(gnbv_out_append(o, a), 0);
	assert_int_equal(gnbv_out_str(b, "gone"), 0);
	assert_int_equal(gnbv_out_truncate(b), 0);
	assert_int_equal(gnbv_out_append(o, b), 0);
	assert_int_equal(gnbv_out_sync(a), 0); /* a no-op for memory */
	assert_int_equal(gnbv_out_commit(o), 0);
	gnbv_out_abort(a);
	gnbv_out_abort(b);
	char *path = path_of("joined.csv");
	size_t n;
	char *got = read_file(path, &n);
	assert_non_null(got);
	assert_int_equal(n, want.n);
	assert_memory_equal(got, want.p, n);
	free(got);
	free(path);
	free(want.p);
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	if (!mkdtemp(tmpdir)) return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memory_outputs),     cmocka_unit_test(test_plan_cuts),
	    cmocka_unit_test(test_plan_unsorted),      cmocka_unit_test(test_classify_parts),
	    cmocka_unit_test(test_classify_id_column), cmocka_unit_test(test_classify_unsorted),
	    cmocka_unit_test(test_classify_errors),    cmocka_unit_test(test_classify_fake_cut),
	    cmocka_unit_test(test_classify_indexed),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	teardown(NULL);
	return rc;
}
