/*
 * fuzz_split.c - libFuzzer target for classify in parts (src/io/split.c and
 * classify.c's run_parts): for any pair of files, parts mode must give what
 * one pass gives (the same code, message and output bytes), and the plan's
 * cuts must keep their promises (rising offsets at line starts, the same id
 * at both ends of a cut). A difference aborts.
 *
 * The input is households.csv's body, a NUL byte, then members.csv's body;
 * the target puts the exchange format's headers in front of each, so that
 * most inputs reach the rows. The first byte also picks the part size (1 to
 * 256 bytes: many parts from a small file).
 */
#include "gnbv/classify.h"
#include "gnbv/error.h"

#include "io/split.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char HH[] = "household_id,unit_code,area,income_month,income_score,floor_durable,"
                         "walls_durable,roof_durable,living_area_m2,water_safe,toilet_hygienic,"
                         "waste_treated,devices\n";
static const char MM[] =
    "household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,"
    "work,health_insurance,stunted,underweight,in_school,school_level,uses_internet,"
    "social_allowance\n";

static char dir[64];

static void put_file(const char *name, const char *head, const uint8_t *p, size_t n)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(head, 1, strlen(head), f) != strlen(head) || fwrite(p, 1, n, f) != n ||
	    fclose(f))
		abort();
}

typedef struct outcome {
	int rc;
	char msg[1024];
	uint32_t parts;
	char *out[3];
	size_t len[3];
} outcome;

static const char *const OUTS[3] = {"assessments.csv", "summary.csv", "workers.csv"};

static void classify(const char *threads, outcome *o)
{
	char hp[128], mp[128], out[128];
	snprintf(hp, sizeof hp, "%s/households.csv", dir);
	snprintf(mp, sizeof mp, "%s/members.csv", dir);
	snprintf(out, sizeof out, "%s/out-%s", dir, threads);
	setenv("GNBV_THREADS", threads, 1);
	gnbv_classify_opts opts;
	memset(&opts, 0, sizeof opts);
	opts.households_path = hp;
	opts.members_path = mp;
	opts.out_dir = out;
	opts.standard = "vn-2022-2026";
	opts.as_of = 20251001;
	gnbv_classify_stats st;
	memset(o, 0, sizeof *o);
	o->rc = gnbv_classify(&opts, &st);
	o->parts = o->rc ? 0 : st.parts;
	snprintf(o->msg, sizeof o->msg, "%s", o->rc ? gnbv_error_message() : "");
	for (int i = 0; i < 3; i++) {
		char p[192];
		snprintf(p, sizeof p, "%s/%s", out, OUTS[i]);
		FILE *f = fopen(p, "rb");
		if (!f) continue;
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		fseek(f, 0, SEEK_SET);
		o->out[i] = malloc((size_t)n + 1);
		if (!o->out[i] || fread(o->out[i], 1, (size_t)n, f) != (size_t)n) abort();
		o->len[i] = (size_t)n;
		fclose(f);
		unlink(p);
	}
}

/* The length of the first cell of the line at p (up to a comma or the
 * newline, without a CR before the newline). */
static size_t first_cell(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n && p[i] != ',' && p[i] != '\n')
		i++;
	if (i < n && p[i] == '\n' && i > 0 && p[i - 1] == '\r') i--;
	return i;
}

/* The cuts of a plan over the files as written. */
static void check_plan(const uint8_t *h, size_t hn, const uint8_t *m, size_t mn, uint64_t part)
{
	char hp[128], mp[128];
	snprintf(hp, sizeof hp, "%s/households.csv", dir);
	snprintf(mp, sizeof mp, "%s/members.csv", dir);
	int hfd = open(hp, O_RDONLY), mfd = open(mp, O_RDONLY);
	if (hfd < 0 || mfd < 0) abort();
	size_t hs = sizeof HH - 1, ms = sizeof MM - 1;
	gnbv_split_file hf = {hfd, hs, hs + hn, 0}, mf = {mfd, ms, ms + mn, 0};
	static gnbv_split_cut cuts[4097];
	int n = gnbv_split_plan(&hf, &mf, part, part * 2, cuts, 4096);
	close(hfd);
	close(mfd);
	if (n < 0) return;
	if (n < 1 || cuts[0].h != hs || cuts[0].m != ms || cuts[n].h != hs + hn ||
	    cuts[n].m != ms + mn)
		abort();
	for (int k = 1; k < n; k++) {
		if (cuts[k].h <= cuts[k - 1].h || cuts[k].m <= cuts[k - 1].m) abort();
		size_t a = (size_t)cuts[k].h - hs, b = (size_t)cuts[k].m - ms;
		if (a == 0 || b == 0 || a >= hn || b >= mn || h[a - 1] != '\n' || m[b - 1] != '\n')
			abort();
		/* the same first cell at both ends */
		size_t hl = first_cell(h + a, hn - a), ml = first_cell(m + b, mn - b);
		if (hl != ml || memcmp(h + a, m + b, hl) != 0) abort();
	}
}

/* The working folder goes at exit. */
static void cleanup(void)
{
	static const char *const names[] = {"households.csv", "members.csv", "out-1", "out-2"};
	char p[128];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		if (unlink(p) != 0) rmdir(p);
	}
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "%s/gnbv-fuzz-split-XXXXXX",
		         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(dir)) abort();
		atexit(cleanup);
	}
	if (size < 1) return 0;
	uint64_t part = 1 + data[0];
	const uint8_t *body = data + 1, *nul = memchr(body, '\0', size - 1);
	if (!nul) return 0;
	size_t hn = (size_t)(nul - body), mn = size - 1 - hn - 1;
	put_file("households.csv", HH, body, hn);
	put_file("members.csv", MM, nul + 1, mn);
	check_plan(body, hn, nul + 1, mn, part);

	char ps[24];
	snprintf(ps, sizeof ps, "%llu", (unsigned long long)part);
	setenv("GNBV_CLASSIFY_PART", ps, 1);
	outcome one, two;
	classify("1", &one);
	classify("2", &two);
	unsetenv("GNBV_CLASSIFY_PART");
	unsetenv("GNBV_THREADS");
	if (one.rc != two.rc || strcmp(one.msg, two.msg) != 0 || one.parts != 0) abort();
	for (int i = 0; i < 3; i++) {
		if ((one.out[i] == NULL) != (two.out[i] == NULL)) abort();
		if (one.out[i] &&
		    (one.len[i] != two.len[i] || memcmp(one.out[i], two.out[i], one.len[i]) != 0))
			abort();
		free(one.out[i]);
		free(two.out[i]);
	}
	return 0;
}
