/*
 * test_csv.c - unit tests of src/io/csv.c: RFC 4180 quoting, CRLF, records
 * spanning buffer refills, line numbers of multi-line records, the
 * refusals (unterminated quote, invalid UTF-8, ZIP, UTF-16, NUL bytes), and
 * part readers (byte ranges of a file, classify's parts mode).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/date.h"
#include "gnbv/error.h"
#include "io/csv.h"
#include "io/exchange.h"
#include "io/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

static gnbv_csv *open_str(const char *s)
{
	gnbv_csv *c = NULL;
	assert_int_equal(gnbv_csv_open_mem(&c, "t.csv", s, strlen(s)), 0);
	return c;
}

static void field_is(gnbv_csv *c, size_t i, const char *want)
{
	assert_true(i < gnbv_csv_nfields(c));
	const gnbv_csv_field *f = &gnbv_csv_fields(c)[i];
	assert_int_equal(f->len, strlen(want));
	assert_memory_equal(f->p, want, f->len);
}

static void test_plain_and_quoted(void **state)
{
	(void)state;
	gnbv_csv *c = open_str("a,b,c\n1,,3\n\"x,y\",\"he said \"\"hi\"\"\",\"\"\n");
	assert_int_equal(gnbv_csv_next(c), 1);
	assert_int_equal(gnbv_csv_take_header(c), 0);
	assert_string_equal(gnbv_csv_column(c, 2), "c");
	assert_int_equal(gnbv_csv_next(c), 1);
	assert_int_equal(gnbv_csv_nfields(c), 3);
	field_is(c, 1, "");
	assert_int_equal(gnbv_csv_next(c), 1);
	field_is(c, 0, "x,y");
	field_is(c, 1, "he said \"hi\"");
	field_is(c, 2, "");
	assert_int_equal(gnbv_csv_next(c), 0);
	gnbv_csv_free(c);
}

static void test_crlf_bom_blank_lines_and_no_final_newline(void **state)
{
	(void)state;
	gnbv_csv *c = open_str("\xEF\xBB\xBFh1,h2\r\n\r\nv1,v2\r\n\n\"q\"\r\nlast,x");
	assert_int_equal(gnbv_csv_next(c), 1);
	field_is(c, 0, "h1");
	field_is(c, 1, "h2");
	assert_int_equal(gnbv_csv_next(c), 1);
	assert_int_equal(gnbv_csv_line(c), 3);
	field_is(c, 1, "v2");
	assert_int_equal(gnbv_csv_next(c), 1);
	field_is(c, 0, "q");
	assert_int_equal(gnbv_csv_next(c), 1);
	assert_int_equal(gnbv_csv_line(c), 6);
	field_is(c, 0, "last");
	field_is(c, 1, "x");
	assert_int_equal(gnbv_csv_next(c), 0);
	gnbv_csv_free(c);
}

static void test_multiline_record_lines(void **state)
{
	(void)state;
	gnbv_csv *c = open_str("a,b\n\"line1\nline2\nline3\",x\nnext,y\n");
	assert_int_equal(gnbv_csv_next(c), 1);
	assert_int_equal(gnbv_csv_next(c), 1);
	assert_int_equal(gnbv_csv_line(c), 2);
	field_is(c, 0, "line1\nline2\nline3");
	assert_int_equal(gnbv_csv_next(c), 1);
	assert_int_equal(gnbv_csv_line(c), 5);
	field_is(c, 0, "next");
	gnbv_csv_free(c);
}

static void expect_error(const char *text, const char *needle)
{
	gnbv_csv *c = open_str(text);
	int rc;
	while ((rc = gnbv_csv_next(c)) == 1) {
	}
	assert_true(rc < 0);
	if (!strstr(gnbv_error_message(), needle)) fail_msg("message '%s' lacks '%s'", gnbv_error_message(), needle);
	gnbv_csv_free(c);
}

static void test_refusals(void **state)
{
	(void)state;
	expect_error("a,b\n1,\"open\n2,3\n", "t.csv:2: unterminated quoted field");
	expect_error("a,b\n1,x\"y\n", "t.csv:2: a quote inside an unquoted field");
	expect_error("a,b\n\"q\"x,1\n", "a character after a closing quote");
	expect_error("a,b\n1,\xC3\x28\n", "t.csv:2:2: column '?': invalid UTF-8");
	expect_error("a,b\n1,\xED\xA0\x80\n", "invalid UTF-8");      /* surrogate */
	expect_error("a,b\n1,\xC0\xAF\n", "invalid UTF-8");          /* overlong */
	expect_error("PK\x03\x04rest", "ZIP archive");
	expect_error("\xFF\xFEh\0i\0", "UTF-16");
}

static void test_nul_byte(void **state)
{
	(void)state;
	static const char data[] = "a,b\n1,x\0y\n";
	gnbv_csv *c = NULL;
	assert_int_equal(gnbv_csv_open_mem(&c, "t.csv", data, sizeof data - 1), 0);
	assert_int_equal(gnbv_csv_next(c), 1);
	assert_true(gnbv_csv_next(c) < 0);
	assert_non_null(strstr(gnbv_error_message(), "NUL byte"));
	gnbv_csv_free(c);
}

static void test_header_names_errors(void **state)
{
	(void)state;
	gnbv_csv *c = open_str(" id ,name,id\n");
	assert_int_equal(gnbv_csv_next(c), 1);
	assert_true(gnbv_csv_take_header(c) < 0);
	assert_non_null(strstr(gnbv_error_message(), "column 'id': appears twice"));
	gnbv_csv_free(c);
}

/* Records that straddle the 1 MiB buffer: the reader must refill and keep
 * every record intact, quoted or not. */
static void test_refill_boundaries(void **state)
{
	(void)state;
	size_t n = 200000;
	size_t cap = n * 40 + 64;
	char *s = malloc(cap);
	size_t len = 0;
	len += (size_t)snprintf(s + len, cap - len, "id,v\n");
	for (size_t i = 0; i < n; i++) {
		if (i % 3 == 0) len += (size_t)snprintf(s + len, cap - len, "%zu,\"q,%zu\"\n", i, i);
		else len += (size_t)snprintf(s + len, cap - len, "%zu,p%zu\n", i, i);
	}
	gnbv_csv *c = NULL;
	assert_int_equal(gnbv_csv_open_mem(&c, "big.csv", s, len), 0);
	assert_int_equal(gnbv_csv_next(c), 1);
	char want[64];
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(gnbv_csv_next(c), 1);
		assert_int_equal(gnbv_csv_line(c), (long)i + 2);
		snprintf(want, sizeof want, i % 3 == 0 ? "q,%zu" : "p%zu", i);
		field_is(c, 1, want);
	}
	assert_int_equal(gnbv_csv_next(c), 0);
	gnbv_csv_free(c);
	free(s);
}

static void test_record_cap(void **state)
{
	(void)state;
	size_t len = GNBV_CSV_MAX_RECORD + 100;
	char *s = malloc(len);
	memcpy(s, "a\n\"", 3);
	memset(s + 3, 'x', len - 3);
	gnbv_csv *c = NULL;
	assert_int_equal(gnbv_csv_open_mem(&c, "huge.csv", s, len), 0);
	assert_int_equal(gnbv_csv_next(c), 1);
	assert_int_equal(gnbv_csv_next(c), GNBV_ETOOBIG);
	assert_non_null(strstr(gnbv_error_message(), "huge.csv:2: record longer than"));
	gnbv_csv_free(c);
	free(s);
}

/* Every kind of well-formed and ill-formed sequence at every offset across
 * two 16-byte blocks, so that the block-skipping validator is checked where
 * sequences straddle block edges and where text and ASCII mix. */
static void test_utf8_at_every_offset(void **state)
{
	(void)state;
	static const struct {
		const char *bytes;
		int valid;
	} seqs[] = {
	    {"\xC3\xA0", 1},         {"\xE1\xBB\x85", 1},     {"\xF0\x9F\x98\x80", 1},
	    {"\xE0\xA0\x80", 1},     {"\xED\x9F\xBF", 1},     {"\xF4\x8F\xBF\xBF", 1},
	    {"\xC0\x80", 0},         {"\xC1\xBF", 0},         {"\xE0\x80\x80", 0},
	    {"\xED\xA0\x80", 0},     {"\xF0\x80\x80\x80", 0}, {"\xF4\x90\x80\x80", 0},
	    {"\xF5\x80\x80\x80", 0}, {"\x80", 0},             {"\xC3", 0},
	    {"\xE1\xBB", 0},         {"\xC3\x28", 0},         {"\xFF", 0},
	};
	char buf[128];
	for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
		for (size_t off = 0; off < 40; off++) {
			size_t sl = strlen(seqs[k].bytes);
			memcpy(buf, "h\n", 2);
			memset(buf + 2, 'a', off);
			memcpy(buf + 2 + off, seqs[k].bytes, sl);
			/* more text after it, then the end of the record */
			static const char tail[] = "\xC6\xB0" "bcdefghijklmnopqrstuvw\n";
			memcpy(buf + 2 + off + sl, tail, sizeof tail - 1);
			size_t len = 2 + off + sl + sizeof tail - 1;
			gnbv_csv *c = NULL;
			assert_int_equal(gnbv_csv_open_mem(&c, "u.csv", buf, len), 0);
			assert_int_equal(gnbv_csv_next(c), 1);
			int rc = gnbv_csv_next(c);
			if (seqs[k].valid != (rc == 1))
				fail_msg("sequence %zu at offset %zu: got %d", k, off, rc);
			gnbv_csv_free(c);
		}
	}
}

/* The vector validator against the portable one (which finds the exact first
 * bad byte): the same verdict on every span, and its stopping point k
 * honours utf8.h's promise (no ASCII byte between the first bad byte and k).
 * Every 1- and 2-byte string and every 3-byte one with a chosen last byte,
 * at the start of a block and straddling 16-, 32- and 64-byte edges, then
 * random text. */
static void expect_same_verdict(const unsigned char *s, size_t n)
{
	static int vectors = -1;
	if (vectors < 0) vectors = gnbv_utf8_vector();
	size_t p = gnbv_utf8_prefix(s, n);
	for (int v = 1; v <= vectors; v++) { /* AVX2, and AVX-512BW where there is one */
		size_t k = gnbv_utf8_check(s, n, v);
		if ((p == n) != (k == n))
			fail_msg("vector %d: verdicts differ: prefix %zu, check %zu, n %zu", v, p, k, n);
		if (k == n) continue;
		for (size_t j = p; j < k; j++)
			if (s[j] < 0x80)
				fail_msg("vector %d: check %zu past an ASCII byte at %zu (bad byte at %zu)", v, k, j, p);
	}
}

static void test_utf8_vector_matches_portable(void **state)
{
	(void)state;
	if (!gnbv_utf8_vector()) skip();
	static const unsigned char last[] = {0x00, 0x0A, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
					     0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xF0, 0xF4, 0xFF};
	unsigned char buf[96];
	/* block starts and 32-byte edges; 128-bit lane edges (AVX-512 moves
	 * bytes across them) and the 64-byte edge */
	static const size_t offs[] = {0, 13, 14, 15, 29, 30, 31, 45, 46, 47, 61, 62, 63};
	for (size_t o = 0; o < sizeof offs / sizeof offs[0]; o++) {
		size_t off = offs[o];
		for (unsigned a = 0; a < 256; a++)
			for (unsigned b = 0; b < 256; b++) {
				memset(buf, 'x', sizeof buf);
				buf[off] = (unsigned char)a;
				buf[off + 1] = (unsigned char)b;
				expect_same_verdict(buf, off + 1);
				expect_same_verdict(buf, off + 2);
				expect_same_verdict(buf, off + 3); /* then ASCII */
				for (size_t l = 0; l < sizeof last; l++) {
					buf[off + 2] = last[l];
					expect_same_verdict(buf, off + 3);
					buf[off + 3] = 0x80;
					expect_same_verdict(buf, off + 4);
					expect_same_verdict(buf, off + 5);
					buf[off + 3] = 'x';
				}
			}
	}
	/* Random spans of Vietnamese-like text with a few errors. */
	static const char *const pieces[] = {"a", ",", "\n", "\xE1\xBB\x87", "\xC3\xB4", "\xC6\xB0",
					     "\xF0\x9F\x98\x80", "\x80", "\xC3", "\xE1\xBB", "\xED\xA0\x80",
					     "\xF4\x90\x80\x80", "\xC0\xAF", "\xE0\x80\xAF", "", "\0"};
	unsigned seed = 12345;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 0;
		int count = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 60;
		for (int i = 0; i < count; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = (seed >> 16) % 100;
			/* mostly good pieces, sometimes a bad one */
			size_t k = r < 94 ? r % 7 : 7 + r % 9;
			const char *pc = pieces[k];
			size_t pl = k == 15 ? 1 : strlen(pc);
			memcpy(buf + n, pc, pl);
			n += pl;
			if (n > sizeof buf - 8) break;
		}
		expect_same_verdict(buf, n);
	}
}

/* The vector paths take 1 KiB runs without a branch and go over a run with
 * an error again step by step: sequences of the bytes at the edges of each
 * class, at run edges (the 1024- and 2048-byte ones, the open sequence
 * carried from one run to the next) and inside a run, in an ASCII run (the
 * shortcut) and in one of Vietnamese text (the tables), with the span
 * going on past the next run; then long random spans with rare errors. */
static void test_utf8_runs_match_portable(void **state)
{
	(void)state;
	if (!gnbv_utf8_vector()) skip();
	static const unsigned char edge[] = {0x00, 0x41, 0x80, 0x8F, 0x90, 0xA0, 0xBF, 0xC1,
					     0xC2, 0xDF, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF};
	static const size_t offs[] = {5, 1021, 1022, 1023, 1500, 2047};
	enum { SPAN = 2048 + 1024 + 64 + 7 };
	static unsigned char bg[2][SPAN], buf[SPAN];
	static const char viet[] = "Nguy\xE1\xBB\x85n V\xC4\x83n \xC4\x90\xE1\xBB\xA9" "c,";
	for (size_t i = 0; i < SPAN; i++) {
		bg[0][i] = (unsigned char)(i % 37 == 36 ? '\n' : 'a' + i % 26);
		bg[1][i] = (unsigned char)viet[i % (sizeof viet - 1)];
	}
	/* the third byte from fewer: ASCII, continuations, leads */
	static const unsigned char third[] = {0x0A, 0x80, 0x9F, 0xBF, 0xC3, 0xE1, 0xF0, 0xFF};
	size_t nk = sizeof edge, nt = sizeof third;
	for (int g = 0; g < 2; g++)
		for (size_t o = 0; o < sizeof offs / sizeof offs[0]; o++)
			for (size_t a = 0; a < nk; a++)
				for (size_t b = 0; b < nk; b++)
					for (size_t c = 0; c <= nt; c++) {
						memcpy(buf, bg[g], SPAN);
						size_t off = offs[o];
						/* start the sequence after the background's own
						 * character, with ASCII around it */
						buf[off - 1] = 'x';
						buf[off] = edge[a];
						buf[off + 1] = edge[b];
						buf[off + 2] = c < nt ? third[c] : 0x80;
						buf[off + 3] = c < nt ? 'x' : 0x80;
						buf[off + 4] = 'x';
						buf[off + 5] = 'x';
						expect_same_verdict(buf, off + 3);  /* the span ends at it */
						/* the background resumes at one of its own
						 * character starts: every member is 'a'..'z', 'N', ',' or a lead */
						size_t r = off + 6;
						while (r < SPAN && (buf[r] & 0xC0) == 0x80) buf[r++] = 'y';
						/* on past the start of the next run */
						size_t end = (off / 1024 + 1) * 1024 + 70;
						while (end < SPAN && (buf[end] & 0xC0) == 0x80) end++;
						expect_same_verdict(buf, end);
					}
	/* long random spans of Vietnamese-like text with rare errors */
	static const char *const pieces[] = {"a", ",", "\n", "\xE1\xBB\x87", "\xC3\xB4", "\xC6\xB0",
					     "\xF0\x9F\x98\x80", "\x80", "\xC3", "\xE1\xBB", "\xED\xA0\x80",
					     "\xF4\x90\x80\x80", "\xC0\xAF", "\xE0\x80\xAF", "", "\0"};
	unsigned seed = 777;
	for (int iter = 0; iter < 3000; iter++) {
		size_t n = 0, want = 1000 + (size_t)((seed = seed * 1103515245u + 12345u) >> 16) % 2100;
		int ascii = iter % 3 == 0; /* a third all ASCII but for the error */
		while (n < want) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = (seed >> 16) % 3000;
			size_t k = r < 2999 ? (ascii ? r % 3 : r % 7) : 7 + r % 9;
			const char *pc = pieces[k];
			size_t pl = k == 15 ? 1 : strlen(pc);
			memcpy(buf + n, pc, pl);
			n += pl;
		}
		expect_same_verdict(buf, n);
	}
}

/* Every word of the members file's word columns, and of devices, exactly and
 * in other cases: each parses to its own value (the exact lookup goes by a
 * slot from length and first letter, the fallback ignores case). */
static void test_member_and_device_words(void **state)
{
	(void)state;
	static const char *const work[] = {"contract", "no_contract", "self", "unemployed", "student", "none"};
	static const char *const rel[] = {"head", "spouse", "child", "parent", "grandchild", "other"};
	static const char *const level[] = {"none", "preschool", "primary", "lower_secondary",
					    "upper_secondary", "vocational", "college", "university"};
	gnbv_standard std;
	assert_int_equal(gnbv_standard_load(&std, "vn-2022-2026"), 0);
	for (int upper = 0; upper < 2; upper++)
		for (int k = 0; k < 8; k++) {
			char text[512], w[3][32];
			const char *src[3] = {work[k % 6], rel[k % 6], level[k]};
			for (int j = 0; j < 3; j++) {
				snprintf(w[j], sizeof w[j], "%s", src[j]);
				if (upper) w[j][0] = (char)(w[j][0] - 'a' + 'A');
			}
			snprintf(text, sizeof text,
				 "household_id,member_no,relation,work,school_level\nH1,1,%s,%s,%s\n", w[1], w[0], w[2]);
			gnbv_csv *c = open_str(text);
			gnbv_xmap map;
			assert_int_equal(gnbv_csv_next(c), 1);
			assert_int_equal(gnbv_csv_take_header(c), 0);
			assert_int_equal(gnbv_xmap_build(&map, c, 1, &std, NULL, NULL), 0);
			assert_int_equal(gnbv_csv_next(c), 1);
			gnbv_member m;
			gnbv_csv_field hid;
			assert_int_equal(gnbv_x_member(&map, c, &m, &hid), 0);
			assert_int_equal(m.work, k % 6);
			assert_int_equal(m.relation, k % 6);
			assert_int_equal(m.level, k);
			gnbv_csv_free(c);
		}
	static const char *const devices[] = {"tv", "radio", "computer", "phone", "smartphone"};
	for (int k = 0; k < 5; k++) {
		char text[512];
		snprintf(text, sizeof text, "household_id,unit_code,devices\nH1,U1,%s; %s\n", devices[k],
			 devices[(k + 2) % 5]);
		gnbv_csv *c = open_str(text);
		gnbv_xmap map;
		assert_int_equal(gnbv_csv_next(c), 1);
		assert_int_equal(gnbv_csv_take_header(c), 0);
		assert_int_equal(gnbv_xmap_build(&map, c, 0, &std, NULL, NULL), 0);
		assert_int_equal(gnbv_csv_next(c), 1);
		gnbv_household h;
		gnbv_csv_field id, unit;
		assert_int_equal(gnbv_x_household(&map, c, &std, &h, &id, &unit), 0);
		assert_int_equal(h.devices, (1u << k) | (1u << ((k + 2) % 5)));
		gnbv_csv_free(c);
	}
}

/* The members file in gnbv gen's layout, read with the separator index
 * (where the boolean runs are decoded by table, exchange.c) and without it
 * (cell by cell): rows and errors must agree, and the values must be the
 * cells'. */
#define M_HEADER "household_id,member_no,name,sex,birth_date,relation,ethnicity,able_to_work,work," \
		 "health_insurance,stunted,underweight,in_school,school_level,uses_internet,social_allowance\n"

typedef struct member_read {
	gnbv_member m[1024];
	int n, rc;
	char msg[512];
} member_read;

/* A reader of text in gnbv gen's layout of `kind` (0 households, 1
 * members), past its header, with the separator index when `indexed`. */
static gnbv_csv *open_layout(const char *text, int kind, int indexed, const gnbv_standard *std, gnbv_xmap *map)
{
	gnbv_csv *c = open_str(text);
	assert_int_equal(gnbv_csv_next(c), 1);
	assert_int_equal(gnbv_csv_take_header(c), 0);
	assert_int_equal(gnbv_xmap_build(map, c, kind, std, NULL, NULL), 0);
	assert_int_equal(map->layout, 1);
	if (indexed) gnbv_csv_expect(c, map->ncols);
	return c;
}

static void read_members(const char *text, int indexed, member_read *out)
{
	gnbv_standard std;
	assert_int_equal(gnbv_standard_load(&std, "vn-2022-2026"), 0);
	gnbv_xmap map;
	gnbv_csv *c = open_layout(text, 1, indexed, &std, &map);
	out->n = 0;
	out->rc = 0;
	out->msg[0] = '\0';
	int rc;
	while ((rc = gnbv_csv_next(c)) == 1) {
		gnbv_csv_field hid;
		assert_true(out->n < 1024);
		memset(&out->m[out->n], 0, sizeof out->m[0]);
		if ((rc = gnbv_x_member(&map, c, &out->m[out->n], &hid))) break;
		out->n++;
	}
	out->rc = rc;
	if (rc < 0) snprintf(out->msg, sizeof out->msg, "%s", gnbv_error_message());
	gnbv_csv_free(c);
}

static void expect_same_reads(const char *text)
{
	static member_read a, b;
	read_members(text, 0, &a);
	read_members(text, 1, &b);
	assert_int_equal(a.n, b.n);
	assert_int_equal(a.rc, b.rc);
	assert_string_equal(a.msg, b.msg);
	for (int i = 0; i < a.n; i++)
		if (memcmp(&a.m[i], &b.m[i], sizeof a.m[i]))
			fail_msg("row %d: the indexed read differs from the cell-by-cell one", i + 1);
}

static const char *const BOOL_CELL[3] = {"", "0", "1"};
static const gnbv_tri BOOL_VALUE[3] = {GNBV_UNKNOWN, GNBV_NO, GNBV_YES};

static void test_member_bool_runs(void **state)
{
	(void)state;
	/* every run of four (insurance .. in_school) with every run of two
	 * (internet, allowance): 81 x 9 rows */
	static char text[1 << 17];
	size_t n = (size_t)snprintf(text, sizeof text, "%s", M_HEADER);
	for (int k4 = 0; k4 < 81; k4++)
		for (int k2 = 0; k2 < 9; k2 += (k4 % 9 == 0 ? 1 : 4)) {
			int d[6] = {k4 % 3, k4 / 3 % 3, k4 / 9 % 3, k4 / 27, k2 % 3, k2 / 3};
			n += (size_t)snprintf(text + n, sizeof text - n,
					      "H%d,%d,Tên,F,2015-06-01,child,Tày,0,student,%s,%s,%s,%s,primary,%s,%s\n",
					      k4, k2 + 1, BOOL_CELL[d[0]], BOOL_CELL[d[1]], BOOL_CELL[d[2]],
					      BOOL_CELL[d[3]], BOOL_CELL[d[4]], BOOL_CELL[d[5]]);
		}
	assert_true(n < sizeof text);
	static member_read r;
	read_members(text, 1, &r);
	assert_int_equal(r.rc, 0);
	int row = 0;
	for (int k4 = 0; k4 < 81; k4++)
		for (int k2 = 0; k2 < 9; k2 += (k4 % 9 == 0 ? 1 : 4), row++) {
			int d[6] = {k4 % 3, k4 / 3 % 3, k4 / 9 % 3, k4 / 27, k2 % 3, k2 / 3};
			const gnbv_member *m = &r.m[row];
			gnbv_tri got[6] = {m->health_insurance, m->stunted, m->underweight,
					   m->in_school, m->uses_internet, m->social_allowance};
			for (int j = 0; j < 6; j++)
				if (got[j] != BOOL_VALUE[d[j]]) fail_msg("row %d cell %d: %d", row + 1, j, got[j]);
			assert_int_equal(m->level, 2);
			assert_int_equal(m->able_to_work, GNBV_NO);
		}
	assert_int_equal(r.n, row);
	expect_same_reads(text);

	/* what the table does not hold goes cell by cell: spelled-out values,
	 * spaces, and bad cells (with the message naming the column), in each
	 * position of both runs, CRLF line ends too */
	static const char *const odd[] = {"yes", "có", " 1", "0 ", "2", "10", "x", "1,1"};
	for (int pos = 0; pos < 6; pos++)
		for (size_t v = 0; v < sizeof odd / sizeof odd[0]; v++)
			for (int crlf = 0; crlf < 2; crlf++) {
				const char *cell[6] = {"1", "", "0", "1", "0", ""};
				cell[pos] = odd[v];
				n = (size_t)snprintf(text, sizeof text,
						     "%sH1,1,A,M,1980-01-01,head,Kinh,1,self,1,,,0,none,1,0%s"
						     "H1,2,B,F,2015-02-03,child,Kinh,0,student,%s,%s,%s,%s,primary,%s,%s%s"
						     "H1,3,C,F,2016-02-03,child,Kinh,0,student,1,0,0,1,primary,1,1%s",
						     M_HEADER, crlf ? "\r\n" : "\n", cell[0], cell[1], cell[2], cell[3],
						     cell[4], cell[5], crlf ? "\r\n" : "\n", crlf ? "\r\n" : "\n");
				expect_same_reads(text);
				read_members(text, 1, &r);
				int bad = v >= 4;
				if (bad != (r.rc < 0)) fail_msg("position %d, '%s': rc %d (%s)", pos, odd[v], r.rc, r.msg);
				if (!bad) assert_int_equal(r.n, 3);
				else if (strcmp(odd[v], "1,1") != 0 && !strstr(r.msg, "t.csv:3:"))
					fail_msg("position %d, '%s': %s", pos, odd[v], r.msg);
			}
}

/* The member rows' last nine cells are kept by their bytes once read
 * (exchange.c, TAILS): rows whose tails share a length and most of their
 * bytes, each seen several times, read as the cell-by-cell read gives them;
 * and a tail whose row fails is not kept. */
static void test_member_tails(void **state)
{
	(void)state;
	static const char *const work[] = {"self", "none", "contract", "student", "no_contract", "unemployed", ""};
	static const char *const level[] = {"lower_secondary", "upper_secondary", "primary", "college",
					    "vocational", "university", "none", ""};
	static const char *const b[] = {"0", "1", "", "1", "0"};
	static char text[1 << 17];
	static member_read r;
	unsigned seed = 12345;
	for (int batch = 0; batch < 24; batch++) {
		size_t n = (size_t)snprintf(text, sizeof text, "%s", M_HEADER);
		for (int row = 0; row < 1000; row++) {
			unsigned c[9];
			for (int j = 0; j < 9; j++) {
				seed = seed * 1103515245u + 12345u;
				c[j] = seed >> 16;
			}
			/* few choices in a batch, so that tails come again */
			n += (size_t)snprintf(text + n, sizeof text - n,
					      "H%d,%d,Tên,F,1990-06-01,%s,Tày,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", row, row % 9 + 1,
					      (const char *const[]){"spouse", "", "head", "child"}[row % 4], b[c[0] % 3], work[(c[1] + (unsigned)batch) % 7 % (batch % 6 + 2)], b[c[2] % 5],
					      b[c[3] % 2], b[c[4] % 5], b[c[5] % 3], level[c[6] % 8 % (batch % 7 + 2)],
					      b[c[7] % 5], b[c[8] % 2]);
		}
		assert_true(n < sizeof text);
		expect_same_reads(text);
		read_members(text, 1, &r);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.n, 1000);
	}
	/* a tail read once cleanly, then in a row that fails at its sex: the
	 * error; then again, still the values of the first */
	snprintf(text, sizeof text,
		 "%sH1,1,A,M,1980-01-01,head,Kinh,1,contract,1,,,0,upper_secondary,1,0\n"
		 "H1,2,B,X,1980-01-01,head,Kinh,1,contract,1,,,0,upper_secondary,1,0\n",
		 M_HEADER);
	read_members(text, 1, &r);
	assert_int_equal(r.n, 1);
	assert_true(r.rc < 0 && strstr(r.msg, "t.csv:3:"));
	/* ... and a tail that fails is not kept: the next row with it fails too */
	snprintf(text, sizeof text,
		 "%sH1,1,A,M,1980-01-01,head,Kinh,1,contract,1,,,0,upper_secundary,1,0\n"
		 "H1,2,B,M,1980-01-01,head,Kinh,1,contract,1,,,0,upper_secundary,1,0\n",
		 M_HEADER);
	for (int twice = 0; twice < 2; twice++) {
		read_members(text, 1, &r);
		assert_int_equal(r.n, 0);
		assert_true(r.rc < 0 && strstr(r.msg, "t.csv:2:") && strstr(r.msg, "upper_secundary"));
	}
	snprintf(text, sizeof text, "%sH1,1,A,M,1980-01-01,head,Kinh,1,contract,1,,,0,upper_secondary,1,0\n", M_HEADER);
	read_members(text, 1, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.m[0].work, GNBV_WORK_CONTRACT);
	assert_int_equal(r.m[0].level, GNBV_LEVEL_UPPER_SECONDARY);
	assert_int_equal(r.m[0].relation, GNBV_REL_HEAD);
	assert_int_equal(r.m[0].stunted, GNBV_UNKNOWN);
	assert_int_equal(r.m[0].uses_internet, GNBV_YES);
}

/* The households file in gnbv gen's layout, the same way: the runs of three
 * boolean cells and the device lists looked up whole (exchange.c) must give
 * what the cell-by-cell read gives. */
#define H_HEADER "household_id,unit_code,area,income_month,income_score,floor_durable,walls_durable," \
		 "roof_durable,living_area_m2,water_safe,toilet_hygienic,waste_treated,devices\n"

typedef struct household_read {
	gnbv_household h[1024];
	int n, rc;
	char msg[512];
} household_read;

static void read_households(const char *text, int indexed, household_read *out)
{
	gnbv_standard std;
	assert_int_equal(gnbv_standard_load(&std, "vn-2022-2026"), 0);
	gnbv_xmap map;
	gnbv_csv *c = open_layout(text, 0, indexed, &std, &map);
	out->n = 0;
	out->msg[0] = '\0';
	int rc;
	while ((rc = gnbv_csv_next(c)) == 1) {
		gnbv_csv_field id, unit;
		assert_true(out->n < 1024);
		memset(&out->h[out->n], 0, sizeof out->h[0]);
		if ((rc = gnbv_x_household(&map, c, &std, &out->h[out->n], &id, &unit))) break;
		out->n++;
	}
	out->rc = rc;
	if (rc < 0) snprintf(out->msg, sizeof out->msg, "%s", gnbv_error_message());
	gnbv_csv_free(c);
}

static void expect_same_households(const char *text, household_read *b)
{
	static household_read a;
	read_households(text, 0, &a);
	read_households(text, 1, b);
	assert_int_equal(a.n, b->n);
	assert_int_equal(a.rc, b->rc);
	assert_string_equal(a.msg, b->msg);
	for (int i = 0; i < a.n; i++)
		if (memcmp(&a.h[i], &b->h[i], sizeof a.h[i]))
			fail_msg("row %d: the indexed read differs from the cell-by-cell one", i + 1);
}

/* Living area and income score: a decimal with '.' or ',' reads as the
 * nearest double (strtod's answer), for every value with one or two
 * decimals up to 1000 and for long and odd ones; bad ones are refused. */
static void test_household_decimals(void **state)
{
	(void)state;
	static char text[1 << 16];
	static household_read r;
	static const char *const odd[] = {"0", "7", "0.1", "0,25", "8.000", "999999.99", "0000000000000012.5",
					  "999999.999999999", "0.000000000000001", "5.",
					  "0.0000000000000000000001", "12.25000000000000000000",
					  "3.14159265358979323846"};
	static const char *const bad[] = {".", ",", "1.2.3", "1,2.3", "1e3", "-4", "12a", "1 2"};
	for (int pass = 0; pass < 3; pass++) {
		size_t n = (size_t)snprintf(text, sizeof text, "%s", H_HEADER);
		int rows = 0;
		static char cells[1024][32];
		for (int k = 0; k < 1000 && rows < 1000; k++, rows++) {
			const char *mark = k % 2 ? "." : ",";
			if (pass == 0) snprintf(cells[rows], 32, "%d%s%d", k, mark, k % 10);
			else if (pass == 1) snprintf(cells[rows], 32, "%d%s%02d", k / 3, mark, k % 100);
			else if (k < (int)(sizeof odd / sizeof odd[0])) snprintf(cells[rows], 32, "%s", odd[k]);
			else break;
			/* a decimal comma is quoted, as a spreadsheet writes it */
			char q[40];
			snprintf(q, sizeof q, strchr(cells[rows], ',') ? "\"%.31s\"" : "%.31s", cells[rows]);
			n += (size_t)snprintf(text + n, sizeof text - n, "H%d,U1,rural,900000,%s,1,1,1,%s,1,1,1,tv\n", rows,
					      pass == 2 && k < 10 ? "" : q, q);
		}
		assert_true(n < sizeof text);
		expect_same_households(text, &r);
		if (r.rc != 0) fail_msg("pass %d: %s", pass, r.msg);
		assert_int_equal(r.n, rows);
		for (int k = 0; k < rows; k++) {
			char c[32];
			memcpy(c, cells[k], sizeof c);
			for (char *q = c; *q; q++)
				if (*q == ',') *q = '.';
			double want = strtod(c, NULL);
			/* the last two: more digits than a double holds, near enough */
			if (pass == 2 && k >= 11) {
				if (fabs(r.h[k].living_area_m2 - want) > 4e-16 * want)
					fail_msg("'%s': %.17g, not near %.17g", cells[k], r.h[k].living_area_m2, want);
				continue;
			}
			if (r.h[k].living_area_m2 != want)
				fail_msg("'%s': %.17g, not %.17g", cells[k], r.h[k].living_area_m2, want);
			if (!(pass == 2 && k < 10) && r.h[k].has_score && r.h[k].income_score != want && want <= 10000)
				fail_msg("score '%s': %.17g, not %.17g", cells[k], r.h[k].income_score, want);
		}
	}
	for (size_t v = 0; v < sizeof bad / sizeof bad[0]; v++) {
		snprintf(text, sizeof text, "%sH1,U1,rural,900000,,1,1,1,\"%s\",1,1,1,tv\n", H_HEADER, bad[v]);
		expect_same_households(text, &r);
		if (r.rc >= 0 || !strstr(r.msg, "t.csv:2:9:")) fail_msg("'%s': rc %d, %s", bad[v], r.rc, r.msg);
	}
}

/* The monthly income: whole numbers of 1 to 18 digits (one word for up to
 * 8, exchange.c digits8; a loop for more), with leading zeros and spaces,
 * each digit in each place; anything else refused at its cell. */
static void test_household_income(void **state)
{
	(void)state;
	static char text[1 << 16];
	static household_read r;
	static int64_t want[1024];
	size_t n = (size_t)snprintf(text, sizeof text, "%s", H_HEADER);
	int rows = 0;
	for (int len = 1; len <= 18; len++)
		for (int d = 0; d <= 9; d++) {
			char cell[24];
			int64_t v = 0;
			for (int i = 0; i < len; i++) {
				/* digit d in place i, the others counting down from 9 */
				int digit = i == len / 2 ? d : 9 - (i + len) % 10;
				cell[i] = (char)('0' + digit);
				v = v * 10 + digit;
			}
			cell[len] = '\0';
			want[rows] = v;
			n += (size_t)snprintf(text + n, sizeof text - n, "H%d,U1,rural,%s%s%s,,1,1,1,30,1,1,1,tv\n", rows,
					      d == 3 ? " " : "", cell, d == 4 ? " " : "");
			rows++;
		}
	static const char *const more[] = {"00000001", "0", "00", "12345678", "99999999", "100000000"};
	static const int64_t more_v[] = {1, 0, 0, 12345678, 99999999, 100000000};
	for (size_t k = 0; k < sizeof more / sizeof more[0]; k++, rows++) {
		want[rows] = more_v[k];
		n += (size_t)snprintf(text + n, sizeof text - n, "H%d,U1,rural,%s,,1,1,1,30,1,1,1,tv\n", rows, more[k]);
	}
	assert_true(n < sizeof text);
	expect_same_households(text, &r);
	if (r.rc != 0) fail_msg("%s", r.msg);
	assert_int_equal(r.n, rows);
	for (int k = 0; k < rows; k++) {
		assert_true(r.h[k].has_income);
		if (r.h[k].income_month != want[k])
			fail_msg("row %d: %lld, not %lld", k + 2, (long long)r.h[k].income_month, (long long)want[k]);
	}
	static const char *const bad[] = {"12a4", "/", ":", "1234567:", "0x10", "-5", "1.5", "1 2",
					  "12345678901234567890", "1234/678"};
	for (size_t v = 0; v < sizeof bad / sizeof bad[0]; v++) {
		snprintf(text, sizeof text, "%sH1,U1,rural,%s,,1,1,1,30,1,1,1,tv\n", H_HEADER, bad[v]);
		expect_same_households(text, &r);
		if (r.rc >= 0 || !strstr(r.msg, "t.csv:2:4:")) fail_msg("'%s': rc %d, %s", bad[v], r.rc, r.msg);
	}
}

static void test_household_runs_and_devices(void **state)
{
	(void)state;
	static const char *const dev[] = {"tv", "radio", "computer", "phone", "smartphone"};
	static char text[1 << 17];
	static household_read r;
	/* every run of three in both places; every list of devices in the
	 * form's order (and none) */
	size_t n = (size_t)snprintf(text, sizeof text, "%s", H_HEADER);
	for (int k = 0; k < 27 * 27; k++) {
		int d[6] = {k % 3, k / 3 % 3, k / 9 % 3, k / 27 % 3, k / 81 % 3, k / 243};
		char list[64] = "";
		size_t ln = 0;
		for (int j = 0; j < 5; j++)
			if ((k % 32) >> j & 1) ln += (size_t)snprintf(list + ln, sizeof list - ln, "%s%s", ln ? ";" : "", dev[j]);
		n += (size_t)snprintf(text + n, sizeof text - n, "H%d,U1,rural,900000,,%s,%s,%s,30,%s,%s,%s,%s\n", k,
				      BOOL_CELL[d[0]], BOOL_CELL[d[1]], BOOL_CELL[d[2]], BOOL_CELL[d[3]],
				      BOOL_CELL[d[4]], BOOL_CELL[d[5]], list);
	}
	assert_true(n < sizeof text);
	expect_same_households(text, &r);
	assert_int_equal(r.rc, 0);
	for (int k = 0; k < 27 * 27; k++) {
		int d[6] = {k % 3, k / 3 % 3, k / 9 % 3, k / 27 % 3, k / 81 % 3, k / 243};
		const gnbv_household *h = &r.h[k];
		gnbv_tri got[6] = {h->floor_durable, h->walls_durable, h->roof_durable,
				   h->water_safe, h->toilet_hygienic, h->waste_treated};
		for (int j = 0; j < 6; j++)
			if (got[j] != BOOL_VALUE[d[j]]) fail_msg("row %d cell %d: %d", k + 1, j, got[j]);
		assert_int_equal(h->devices, (unsigned)(k % 32));
		assert_true(h->has_living_area);
	}
	/* what the tables do not hold: other orders, spaces, other cases, an
	 * empty item, unknown words and bad booleans */
	static const char *const odd_dev[] = {"smartphone;tv", "tv; phone", "TV", "tv;", ";tv", "tv;;phone",
					      "tv;radio;computer;phone;smartphone;tv", "tvx", "tv;fax", " tv"};
	static const char *const odd_bool[] = {"yes", " 1", "2", "10"};
	for (size_t v = 0; v < sizeof odd_dev / sizeof odd_dev[0]; v++) {
		snprintf(text, sizeof text, "%sH1,U1,rural,900000,,1,1,1,30,1,1,1,tv\nH2,U1,urban,1,,1,,0,9,0,,1,%s\n",
			 H_HEADER, odd_dev[v]);
		expect_same_households(text, &r);
	}
	for (int pos = 0; pos < 6; pos++)
		for (size_t v = 0; v < sizeof odd_bool / sizeof odd_bool[0]; v++) {
			const char *cell[6] = {"1", "", "0", "0", "1", ""};
			cell[pos] = odd_bool[v];
			snprintf(text, sizeof text, "%sH1,U1,rural,900000,,%s,%s,%s,30,%s,%s,%s,tv;phone\r\n", H_HEADER,
				 cell[0], cell[1], cell[2], cell[3], cell[4], cell[5]);
			expect_same_households(text, &r);
			if ((v >= 2) != (r.rc < 0)) fail_msg("position %d, '%s': rc %d", pos, odd_bool[v], r.rc);
		}
}

/* Everything a reader gives, cell by cell, into buf: records, lines, cells. */
static size_t dump_records(const char *text, int indexed, size_t width, char *buf, size_t cap)
{
	gnbv_csv *c = open_str(text);
	if (indexed) gnbv_csv_expect(c, width);
	size_t n = 0;
	int rc;
	while ((rc = gnbv_csv_next(c)) == 1) {
		n += (size_t)snprintf(buf + n, cap - n, "%ld:", gnbv_csv_line(c));
		for (size_t i = 0; i < gnbv_csv_nfields(c); i++) {
			gnbv_csv_field f = gnbv_csv_cell(c, i);
			assert_true(f.len < 128); /* these cells are short: a wrapped length is a bug */
			n += (size_t)snprintf(buf + n, cap - n, "[%.*s]", (int)f.len, f.p);
		}
		n += (size_t)snprintf(buf + n, cap - n, "\n");
		assert_true(n < cap);
	}
	n += (size_t)snprintf(buf + n, cap - n, "rc %d", rc);
	gnbv_csv_free(c);
	return n;
}

/* Blank lines after the last record, and between records, at every place
 * in a 64-byte block, for files of 2 to 5 columns: the separator index
 * gives what the ordinary read gives. (The index once took a blank last
 * line of a two-column file for a record whose second cell had length -1:
 * the slot it compared held what its flattening wrote past the count.) */
static void test_index_blank_lines(void **state)
{
	(void)state;
	static char text[4096], a[8192], b[8192];
	for (size_t w = 2; w <= 5; w++)
		for (size_t pad = 0; pad < 70; pad++)
			for (int crlf = 0; crlf < 2; crlf++) {
				const char *nl = crlf ? "\r\n" : "\n";
				size_t n = 0;
				for (size_t i = 0; i < w; i++) n += (size_t)snprintf(text + n, sizeof text - n, "%sh%zu", i ? "," : "", i);
				n += (size_t)snprintf(text + n, sizeof text - n, "%s", nl);
				/* a first record whose cell pads the blank line to the place */
				n += (size_t)snprintf(text + n, sizeof text - n, "%.*s", (int)pad,
						      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
				for (size_t i = 1; i < w; i++) n += (size_t)snprintf(text + n, sizeof text - n, ",%zu", i);
				n += (size_t)snprintf(text + n, sizeof text - n, "%s%s", nl, nl);
				if (pad % 3 == 0) {
					for (size_t i = 0; i < w; i++)
						n += (size_t)snprintf(text + n, sizeof text - n, "%sz", i ? "," : "");
					n += (size_t)snprintf(text + n, sizeof text - n, "%s%s%s", nl, nl, nl);
				}
				assert_true(n < sizeof text);
				size_t la = dump_records(text, 0, w, a, sizeof a);
				size_t lb = dump_records(text, 1, w, b, sizeof b);
				if (la != lb || memcmp(a, b, la))
					fail_msg("%zu columns, pad %zu, crlf %d:\n%s\nindexed:\n%s", w, pad, crlf, a, b);
			}
	/* the fuzzer's find itself: a header and one blank line */
	size_t la = dump_records("household_id,member_no\n\n", 0, 2, a, sizeof a);
	size_t lb = dump_records("household_id,member_no\n\n", 1, 2, b, sizeof b);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	assert_string_equal(b, "1:[household_id][member_no]\nrc 0");
}

/* Birth dates of the exchange format: YYYY-MM-DD with real days, or YYYY
 * (born 1 July); every malformed form is refused. */
static void test_parse_date(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int32_t want; /* -1: refused */
	} cases[] = {
	    {"1959-03-25", 19590325}, {"2000-02-29", 20000229}, {"1900-02-29", -1},
	    {"2024-02-29", 20240229}, {"2023-02-29", -1},       {"2021-12-31", 20211231},
	    {"2021-13-01", -1},       {"2021-00-10", -1},       {"2021-04-31", -1},
	    {"2021-04-00", -1},       {"1849-12-31", -1},       {"1850-01-01", 18500101},
	    {"1975", 19750701},       {"197a", -1},             {"1975-1-01", -1},
	    {"1975/01/01", -1},       {"19750101", -1},         {"1975-01-0a", -1},
	    {"1975-0:-01", -1},       {"/975-01-01", -1},       {"", -1},
	    {"1975-01-011", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int32_t got = -1;
		int rc = gnbv_x_parse_date(cases[i].s, strlen(cases[i].s), &got);
		if (rc) got = -1;
		if (got != cases[i].want) fail_msg("%s: got %d, want %d", cases[i].s, got, cases[i].want);
	}
	/* Every month 00..13 and day 00..39 of some years, against the
	 * calendar: the reader takes days 1..28 of months 1..12 in one test
	 * and looks up the month's length only for the rest. */
	static const int years[] = {1849, 1850, 1900, 1999, 2000, 2023, 2024, 2100, 9999};
	for (size_t k = 0; k < sizeof years / sizeof years[0]; k++)
		for (int m = 0; m <= 13; m++)
			for (int d = 0; d <= 39; d++) {
				char s[16];
				snprintf(s, sizeof s, "%04d-%02d-%02d", years[k], m, d);
				int32_t got = -1;
				int ok = gnbv_x_parse_date(s, 10, &got) == 0;
				int want = years[k] >= 1850 && d >= 1 && d <= gnbv_date_days_in_month(years[k], m);
				if (ok != want || (ok && got != years[k] * 10000 + m * 100 + d))
					fail_msg("%s: got %d (%d), want %d", s, ok, got, want);
			}
}

/* A part reader (classify's parts mode): a byte range of the file read as a
 * whole input, records and cells as the whole file's reader gives them
 * there, with or without the separator index, across its buffer's refills;
 * a range that ends inside a quoted cell is the usual error; an empty range
 * is at its end at once; a memory reader has no parts. */
static void test_part_reader(void **state)
{
	(void)state;
	char path[] = "/tmp/gnbv-test-csv-part-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	assert_non_null(f);
	fputs("a,b,c\n", f);
	for (int i = 0; i < 60000; i++) /* 1.4 MB: past the 1 MiB buffer */
		fprintf(f, i % 97 == 3 ? "r%d,\"x,\ny\",%d\r\n" : "r%d,Đàm Tư,%d\n", i, i * 7);
	fclose(f);

	for (int indexed = 0; indexed < 2; indexed++) {
		gnbv_csv *whole = NULL, *part = NULL;
		assert_int_equal(gnbv_csv_open(&whole, path), 0);
		assert_int_equal(gnbv_csv_next(whole), 1);
		assert_int_equal(gnbv_csv_take_header(whole), 0);
		if (indexed) gnbv_csv_expect(whole, 3);
		assert_int_equal(gnbv_csv_open_part(&part, whole), 0);
		if (indexed) gnbv_csv_expect(part, 3);
		/* the whole file's record starts, to cut at */
		uint64_t start = gnbv_csv_offset(whole), cut = 0;
		long n = 0;
		int rc;
		while ((rc = gnbv_csv_next(whole)) == 1)
			if (++n == 30001) cut = gnbv_csv_offset(whole); /* the end of record 30001 */
		assert_int_equal(rc, 0);
		uint64_t end = gnbv_csv_offset(whole);
		assert_int_equal(gnbv_csv_rewind(whole), 0);
		/* [start, cut) then [cut, end): every record, each as the whole
		 * file's reader gives it */
		uint64_t ranges[3] = {start, cut, end};
		long k = 0;
		for (int r = 0; r < 2; r++) {
			assert_int_equal(gnbv_csv_range(part, ranges[r], ranges[r + 1]), 0);
			while ((rc = gnbv_csv_next(part)) == 1) {
				assert_int_equal(gnbv_csv_next(whole), 1);
				assert_int_equal(gnbv_csv_nfields(part), gnbv_csv_nfields(whole));
				for (size_t i = 0; i < gnbv_csv_nfields(part); i++) {
					gnbv_csv_field x = gnbv_csv_cell(part, i), y = gnbv_csv_cell(whole, i);
					assert_int_equal(x.len, y.len);
					assert_memory_equal(x.p, y.p, x.len);
				}
				k++;
			}
			assert_int_equal(rc, 0);
		}
		assert_int_equal(k, 60000);
		assert_int_equal(gnbv_csv_next(whole), 0);
		/* a range that ends inside a quoted cell (record 4's "x,\ny") */
		assert_int_equal(gnbv_csv_rewind(whole), 0);
		for (int i = 0; i < 4; i++) assert_int_equal(gnbv_csv_next(whole), 1);
		uint64_t mid = gnbv_csv_offset(whole) - 6; /* r3,"x,\ny|",21\r\n */
		assert_int_equal(gnbv_csv_range(part, start, mid), 0);
		while ((rc = gnbv_csv_next(part)) == 1) {}
		assert_int_equal(rc, GNBV_EINVALID);
		assert_non_null(strstr(gnbv_error_message(), "unterminated quoted field"));
		/* empty */
		assert_int_equal(gnbv_csv_range(part, cut, cut), 0);
		assert_int_equal(gnbv_csv_next(part), 0);
		assert_int_not_equal(gnbv_csv_range(whole, start, end), 0); /* not a part reader */
		gnbv_csv_free(part);
		gnbv_csv_free(whole);
	}
	gnbv_csv *m = open_str("a,b\n1,2\n"), *p = NULL;
	assert_int_not_equal(gnbv_csv_open_part(&p, m), 0);
	assert_null(p);
	gnbv_csv_free(m);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_quoted),
		cmocka_unit_test(test_crlf_bom_blank_lines_and_no_final_newline),
		cmocka_unit_test(test_multiline_record_lines),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_header_names_errors),
		cmocka_unit_test(test_refill_boundaries),
		cmocka_unit_test(test_record_cap),
		cmocka_unit_test(test_utf8_at_every_offset),
		cmocka_unit_test(test_utf8_vector_matches_portable),
		cmocka_unit_test(test_utf8_runs_match_portable),
		cmocka_unit_test(test_index_blank_lines),
		cmocka_unit_test(test_parse_date),
		cmocka_unit_test(test_member_and_device_words),
		cmocka_unit_test(test_member_bool_runs),
		cmocka_unit_test(test_member_tails),
		cmocka_unit_test(test_household_runs_and_devices),
		cmocka_unit_test(test_household_decimals),
		cmocka_unit_test(test_household_income),
		cmocka_unit_test(test_part_reader),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
