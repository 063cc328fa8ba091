/*
 * test_plan_docs.c - the plan's documents (src/doc): the XLSX "biểu chi
 * tiết" and the DOCX Kế hoạch of a small plan filled by hand, read back
 * with libzip. The workbook must hold SUM formulas with the sums as cached
 * values, a frozen header, A4 landscape; the document must escape every
 * string and state totals computed from the lines in Vietnamese format.
 * Also the helpers: million VND, Vietnamese capitals, XML escaping, the
 * Decree 30 date line, and atomic output (nothing left after a failure).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "doc/doc_common.h"
#include "gnbv/error.h"
#include "gnbv/plan.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#define M(x) ((int64_t)(x)*1000000)

static gnbv_component comps[] = {
    {"DA1", NULL, "Hỗ trợ đầu tư phát triển hạ tầng kinh tế - xã hội", NULL, 1, 3, NULL, 0},
    {"DA1.1", "DA1", NULL, NULL, 0, 3, NULL, 1},
    {"DA2", NULL, "Đa dạng hóa sinh kế", NULL, 1, 2, NULL, 2},
    {"DA3", NULL, "Hỗ trợ phát triển sản xuất, cải thiện dinh dưỡng", NULL, 1, 2, NULL, 3},
    {"DA3.1", "DA3", "Hỗ trợ phát triển sản xuất trong lĩnh vực nông nghiệp", NULL, 1, 2, NULL, 4},
    {"DA3.2", "DA3", "Cải thiện dinh dưỡng", NULL, 1, 2, NULL, 5},
};
static gnbv_program prog = {
    "test", "Chương trình thử", NULL, 2021, 2025, comps, sizeof comps / sizeof comps[0], NULL};

static gnbv_plan_line lines[] = {
    {"A-DA1-DTPT", 0, 2022, "DA1", GNBV_CAP_DTPT, GNBV_SRC_CENTRAL, GNBV_STAGE_ALLOCATED, M(71283),
     "55 hạng mục", NULL},
    {"A-DA1-SN", 0, 2022, "DA1", GNBV_CAP_SN, GNBV_SRC_CENTRAL, GNBV_STAGE_ALLOCATED, M(2076), NULL,
     NULL},
    {"A-DA3.1", 0, 2022, "DA3.1", GNBV_CAP_SN, GNBV_SRC_CENTRAL, GNBV_STAGE_ALLOCATED, M(2100),
     NULL, NULL},
    {"A-MOB", 0, 2022, NULL, GNBV_CAP_NONE, GNBV_SRC_MOBILISED, GNBV_STAGE_ALLOCATED, M(1000), NULL,
     NULL},
    {"A-EST-DA1", 0, 2022, "DA1", GNBV_CAP_DTPT, GNBV_SRC_CENTRAL, GNBV_STAGE_EST_DISBURSED,
     67718850000LL, NULL, NULL},
    {"B-DA1", 1, 2023, "DA1", GNBV_CAP_DTPT, GNBV_SRC_STATE, GNBV_STAGE_PROPOSED, M(73488),
     "Công trình <A&B>", NULL},
    {"B-DA1-MOB", 1, 2023, "DA1", GNBV_CAP_NONE, GNBV_SRC_MOBILISED, GNBV_STAGE_PROPOSED, M(375),
     NULL, NULL},
    {"B-DA3.2", 1, 2023, "DA3.2", GNBV_CAP_SN, GNBV_SRC_CENTRAL, GNBV_STAGE_PROPOSED, M(2080), NULL,
     NULL},
};

static gnbv_plan_agency agencies[] = {
    {"labour", "Phòng Lao động - Thương binh và Xã hội", "LĐTBXH", NULL, NULL},
    {"infra", "Phòng Kinh tế và Hạ tầng", "KT-HT", NULL, NULL},
};
static gnbv_plan_role roles[] = {
    {1, "DA1", "infra", NULL, 0, NULL},
    {1, "DA3", "labour", NULL, 0, NULL},
};
static gnbv_plan_target targets[] = {
    {.id = "B-T1", .section = 1, .text = "giảm tỷ lệ hộ nghèo trên 7%"},
};

static gnbv_plan_content contents[] = {
    {1, "DA3.2", "- Nội dung:\n+ Hỗ trợ <a> trẻ em\n+ Bữa ăn học đường"},
};

static gnbv_plan make_plan(void)
{
	gnbv_plan p = {0};
	p.program = "test";
	p.unit_code = "045";
	p.unit_name = "Huyện Hà Quảng";
	p.report_year = 2022;
	p.plan_year = 2023;
	p.title_vi = "Đề xuất kinh phí năm 2023 <thử> & kiểm tra";
	p.issuer_vi = "Ủy ban nhân dân huyện Hà Quảng";
	p.signer_name = "Phạm Xuân Tùng";
	p.signer_title = "Chủ tịch";
	p.doc_extra = "{\"place\": \"Hà Quảng\", \"year\": 2022, \"month\": 8, \"signer\": "
	              "{\"on_behalf\": \"TM. ỦY BAN NHÂN DÂN\"}, \"recipients\": [\"Sở LĐ-TB&XH "
	              "tỉnh\", \"Lưu: VT\"], \"basis\": [{\"number\": \"1344/SLĐTBXH\", \"date\": "
	              "\"2022-08-22\", \"issuer\": \"Sở Lao động - Thương binh và Xã hội\"}]}";
	p.section_title[0] = "Kết quả thực hiện năm 2022";
	p.section_title[1] = "Kế hoạch năm 2023";
	p.lines = lines;
	p.n_lines = sizeof lines / sizeof lines[0];
	p.agencies = agencies;
	p.n_agencies = sizeof agencies / sizeof agencies[0];
	p.roles = roles;
	p.n_roles = sizeof roles / sizeof roles[0];
	p.targets = targets;
	p.n_targets = 1;
	p.contents = contents;
	p.n_contents = 1;
	return p;
}

/* The entry `name` of the zip at `path`, NUL-terminated (free it). */
static char *zip_entry(const char *path, const char *name)
{
	int err = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY, &err);
	if (!z) return NULL;
	zip_stat_t st;
	char *buf = NULL;
	if (zip_stat(z, name, 0, &st) == 0) {
		zip_file_t *f = zip_fopen(z, name, 0);
		buf = calloc(1, (size_t)st.size + 1);
		if (f && buf) zip_fread(f, buf, st.size);
		if (f) zip_fclose(f);
	}
	zip_close(z);
	return buf;
}

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/gnbv-test-plan-docs-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))) {
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			unlink(p);
		}
	if (d) closedir(d);
	rmdir(dir);
	return 0;
}

/* 1 when the folder holds a temporary file of ours. */
static int has_tmp(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;
	while (d && (e = readdir(d)))
		if (strstr(e->d_name, ".tmp-")) found = 1;
	if (d) closedir(d);
	return found;
}

static void test_xlsx(void **state)
{
	(void)state;
	gnbv_plan p = make_plan();
	char path[512];
	snprintf(path, sizeof path, "%s/bieu.xlsx", dir);
	int rc = gnbv_plan_write_xlsx(&p, &prog, path);
	if (rc) fprintf(stderr, "%s\n", gnbv_error_message());
	assert_int_equal(rc, 0);
	assert_false(has_tmp());
	char *sheet = zip_entry(path, "xl/worksheets/sheet1.xml");
	assert_non_null(sheet);
	/* Rows: 10 DA1 (its lines sit on the project: DA1.1 not shown), 11
	 * DA2 (empty, still listed), 12 DA3 = 13 DA3.1 + 14 DA3.2, 15 the
	 * mobilised money without a component; 9 the total. */
	assert_non_null(strstr(sheet, "<f>SUM(D10,D11,D12,D15)</f><v>75459</v>"));
	assert_non_null(strstr(sheet, "<f>SUM(D13:D14)</f><v>2100</v>"));
	assert_non_null(strstr(sheet, "<f>SUM(G10,G11,G12,G15)</f><v>1000</v>"));
	assert_non_null(strstr(sheet, "<f>SUM(J10,J11,J12,J15)</f><v>75568</v>"));
	assert_non_null(strstr(sheet, "<f>SUM(P10,P11,P12,P15)</f><v>375</v>"));
	/* A leaf's total is ĐTPT + SN; the rate is a formula of two cells. */
	assert_non_null(strstr(sheet, "<f>E10+F10</f><v>73359</v>"));
	assert_non_null(strstr(sheet, "<f>IF(D10=0,\"\",H10/D10)</f>"));
	assert_non_null(strstr(sheet, "<v>67718.85")); /* %.16G of the nearest double */
	assert_non_null(strstr(sheet, "xSplit=\"2\" ySplit=\"8\""));
	assert_non_null(strstr(sheet, "paperSize=\"9\""));
	assert_non_null(strstr(sheet, "orientation=\"landscape\""));
	assert_non_null(strstr(sheet, "fitToHeight=\"0\""));
	free(sheet);
	char *styles = zip_entry(path, "xl/styles.xml");
	assert_non_null(styles);
	assert_non_null(strstr(styles, "[$-42A]#,##0"));
	assert_non_null(strstr(styles, "Times New Roman"));
	free(styles);
	char *strings = zip_entry(path, "xl/sharedStrings.xml");
	assert_non_null(strings);
	assert_non_null(strstr(strings, "TỔNG CỘNG"));
	assert_non_null(strstr(strings, "Vốn huy động"));
	assert_non_null(strstr(strings, "Công trình &lt;A&amp;B&gt;"));
	free(strings);
}

static void test_docx(void **state)
{
	(void)state;
	gnbv_plan p = make_plan();
	char path[512];
	snprintf(path, sizeof path, "%s/ke-hoach.docx", dir);
	int rc = gnbv_plan_write_docx(&p, &prog, path);
	if (rc) fprintf(stderr, "%s\n", gnbv_error_message());
	assert_int_equal(rc, 0);
	assert_false(has_tmp());
	char *doc = zip_entry(path, "word/document.xml");
	assert_non_null(doc);
	assert_non_null(strstr(doc, "KẾ HOẠCH"));
	assert_non_null(strstr(doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
	assert_non_null(strstr(doc, "Độc lập - Tự do - Hạnh phúc"));
	assert_non_null(strstr(doc, ">ỦY BAN NHÂN DÂN<"));
	assert_non_null(strstr(doc, ">HUYỆN HÀ QUẢNG<"));
	assert_non_null(strstr(doc, "Hà Quảng, ngày      tháng 8 năm 2022"));
	assert_non_null(strstr(doc, "Đề xuất kinh phí năm 2023 &lt;thử&gt; &amp; kiểm tra"));
	assert_null(strstr(doc, "<thử>"));
	assert_non_null(strstr(doc, "Sở LĐ-TB&amp;XH tỉnh;"));
	/* Totals from the lines: 2022 state budget 75.459 (the 1.000
	 * mobilised apart), 2023 75.568 plus 375 mobilised. */
	assert_non_null(strstr(doc, "75.459 triệu đồng"));
	assert_non_null(strstr(doc, "75.568 triệu đồng"));
	assert_non_null(strstr(doc, "67.718,85 triệu đồng"));
	assert_non_null(strstr(doc, "375 triệu đồng"));
	assert_non_null(strstr(doc, "Giảm tỷ lệ hộ nghèo trên 7%"));
	assert_non_null(strstr(doc, "TM. ỦY BAN NHÂN DÂN"));
	assert_non_null(strstr(doc, "CHỦ TỊCH"));
	assert_non_null(strstr(doc, "Chủ trì thực hiện Dự án 1"));
	/* A content text: one paragraph per line, escaped. */
	assert_non_null(strstr(doc, ">- Nội dung:</w:t>"));
	assert_non_null(strstr(doc, ">+ Hỗ trợ &lt;a&gt; trẻ em</w:t>"));
	assert_null(strstr(doc, "\n+")); /* no newline left inside a w:t */
	assert_non_null(strstr(doc, "w:w=\"11906\" w:h=\"16838\""));
	free(doc);
	char *types = zip_entry(path, "[Content_Types].xml");
	assert_non_null(types);
	assert_non_null(strstr(types, "wordprocessingml.document.main+xml"));
	free(types);
	char *styles = zip_entry(path, "word/styles.xml");
	assert_non_null(styles);
	assert_non_null(strstr(styles, "Times New Roman"));
	free(styles);
}

static void test_atomic_failure(void **state)
{
	(void)state;
	gnbv_plan p = make_plan();
	char path[512];
	snprintf(path, sizeof path, "%s/no-such-folder/ke-hoach.docx", dir);
	assert_int_equal(gnbv_plan_write_docx(&p, &prog, path), GNBV_EIO);
	snprintf(path, sizeof path, "%s/no-such-folder/bieu.xlsx", dir);
	assert_int_not_equal(gnbv_plan_write_xlsx(&p, &prog, path), 0);
	assert_false(has_tmp());
	assert_int_equal(gnbv_plan_write_docx(&p, &prog, dir), GNBV_EIO); /* a folder */
	assert_false(has_tmp());
}

static void test_helpers(void **state)
{
	(void)state;
	char b[256];
	gnbv_doc_million(b, sizeof b, M(133086));
	assert_string_equal(b, "133.086");
	gnbv_doc_million(b, sizeof b, 67718850000LL);
	assert_string_equal(b, "67.718,85");
	gnbv_doc_million(b, sizeof b, -1500000);
	assert_string_equal(b, "-1,5");
	gnbv_doc_million(b, sizeof b, 1220000);
	assert_string_equal(b, "1,22");
	gnbv_doc_million(b, sizeof b, 499);
	assert_string_equal(b, "0");
	gnbv_doc_pct(b, sizeof b, 80420350000LL, M(84249));
	assert_string_equal(b, "95,46%");
	gnbv_doc_pct(b, sizeof b, 1, 0);
	assert_string_equal(b, "");

	gnbv_doc_case(b, sizeof b, "Ủy ban nhân dân huyện Hà Quảng, đường ưu tiên ơi", 0, 0);
	assert_string_equal(b, "ỦY BAN NHÂN DÂN HUYỆN HÀ QUẢNG, ĐƯỜNG ƯU TIÊN ƠI");
	gnbv_doc_case(b, sizeof b, "Đề xuất", 1, 1);
	assert_string_equal(b, "đề xuất");

	gnbv_doc_buf x;
	gnbv_doc_buf_init(&x, 0);
	gnbv_doc_esc(&x, "a<b>&\"'\x01\t\xff"
	                 "đ");
	assert_int_equal(gnbv_doc_buf_status(&x, "t"), 0);
	assert_string_equal(x.p, "a&lt;b&gt;&amp;&quot;&apos;\t\xef\xbf\xbd"
	                         "đ");
	gnbv_doc_buf_free(&x);
	gnbv_doc_buf_init(&x, 8);
	gnbv_doc_esc(&x, "more than eight bytes");
	assert_int_equal(gnbv_doc_buf_status(&x, "t"), GNBV_ETOOBIG);
	gnbv_doc_buf_free(&x);

	assert_true(gnbv_component_in("DA1.2", "DA1"));
	assert_true(gnbv_component_in("DA1", "DA1"));
	assert_false(gnbv_component_in("DA10", "DA1"));
	assert_false(gnbv_component_in(NULL, "DA1"));

	gnbv_plan p = make_plan();
	p.date = "2022-08-05";
	gnbv_doc_date(&p, b, sizeof b);
	assert_string_equal(b, "ngày 05 tháng 8 năm 2022");
	p.date = "2023-02-15";
	gnbv_doc_date(&p, b, sizeof b);
	assert_string_equal(b, "ngày 15 tháng 02 năm 2023");
	p.number = "15";
	gnbv_doc_number(&p, b, sizeof b);
	assert_string_equal(b, "15/KH-UBND");
	gnbv_doc_place(&p, b, sizeof b);
	assert_string_equal(b, "Hà Quảng");
}

/* The documents' sums agree with the library's (core/plan.c) wherever both
 * can express the selection. */
static void test_sums_agree(void **state)
{
	(void)state;
	gnbv_plan p = make_plan();
	static const char *prefixes[] = {NULL, "DA1", "DA3", "DA3.2"};
	for (int sec = -1; sec < 2; sec++)
		for (int stage = -1; stage < GNBV_STAGE_COUNT; stage++)
			for (int cap = -1; cap < GNBV_CAP_COUNT; cap++)
				for (int src = -1; src < GNBV_SRC_COUNT; src++)
					for (size_t k = 0; k < 4; k++) {
						gnbv_doc_sel sel = {sec,
						                    stage,
						                    cap,
						                    src < 0 ? GNBV_DOC_SRC_ANY
						                            : 1u << src,
						                    prefixes[k] ? GNBV_DOC_COMP_TREE
						                                : GNBV_DOC_COMP_ANY,
						                    prefixes[k]};
						assert_int_equal(gnbv_doc_sum(&p, &prog, &sel),
						                 gnbv_plan_sum(&p, sec, stage, cap,
						                               src, prefixes[k]));
					}
	gnbv_doc_sel unplaced = {-1, -1, -1, GNBV_DOC_SRC_ANY, GNBV_DOC_COMP_UNPLACED, NULL};
	assert_int_equal(gnbv_doc_sum(&p, &prog, &unplaced), M(1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_helpers),
	    cmocka_unit_test(test_sums_agree),
	    cmocka_unit_test_setup_teardown(test_xlsx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_docx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_atomic_failure, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
