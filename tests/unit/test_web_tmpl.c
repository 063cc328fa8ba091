/*
 * test_web_tmpl.c - the template engine (src/web/tmpl.c): values are
 * HTML-escaped by default (XSS payloads, Vietnamese text, attribute
 * quotes), {{{raw}}} is not, sections iterate lists and enter objects,
 * inverted sections, dotted names, the catalogue's t.KEY, partials from
 * the embedded templates, unbalanced templates refused, the output cap;
 * also the CSV cell that defuses formulas and the settings parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/error.h"
#include "web/tmpl.h"
#include "web/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *render(const char *tmpl, json_t *ctx, const json_t *cat, int *rc)
{
	gnbv_wbuf b = {0};
	*rc = gnbv_tmpl_render_text(tmpl, strlen(tmpl), ctx, cat, &b);
	char *s = strdup(b.p ? b.p : "");
	gnbv_wbuf_free(&b);
	return s;
}

static void is(const char *tmpl, json_t *ctx, const char *want)
{
	int rc;
	char *got = render(tmpl, ctx, NULL, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	free(got);
}

static void test_escaping(void **state)
{
	(void)state;
	json_t *c = json_pack("{s:s,s:s,s:s,s:i}", "x", "<script>alert('x')</script>", "q",
	                      "\" onmouseover=\"a", "vi", "Nguyễn Thị Hồng & Đồng", "n", 42);
	is("<p>{{x}}</p>", c, "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</p>");
	is("<input value=\"{{q}}\">", c, "<input value=\"&quot; onmouseover=&quot;a\">");
	is("{{vi}}", c, "Nguyễn Thị Hồng &amp; Đồng");
	is("{{{x}}}", c, "<script>alert('x')</script>");
	is("{{ n }}|{{missing}}|", c, "42||");
	json_decref(c);
}

static void test_sections(void **state)
{
	(void)state;
	json_t *c = json_pack("{s:[{s:s},{s:s}],s:{s:s},s:b,s:[],s:s,s:i}", "rows", "a", "<1>", "a",
	                      "2", "o", "name", "in", "yes", 1, "none", "empty", "", "zero", 0);
	is("{{#rows}}[{{a}}]{{/rows}}", c, "[&lt;1&gt;][2]");
	is("{{#o}}{{name}}{{/o}}", c, "in");
	is("{{o.name}}", c, "in");
	is("{{#yes}}Y{{/yes}}{{^yes}}N{{/yes}}", c, "Y");
	is("{{#none}}X{{/none}}{{^none}}empty{{/none}}", c, "empty");
	is("{{^empty}}E{{/empty}}{{^zero}}Z{{/zero}}{{^nothing}}M{{/nothing}}", c, "EZM");
	/* Outer names are visible inside; nested same-name sections. */
	is("{{#rows}}{{#o}}{{a}}-{{name}};{{/o}}{{/rows}}", c, "&lt;1&gt;-in;2-in;");
	is("{{#o}}{{#o}}x{{/o}}{{/o}}", c, "x");
	is("a{{! a comment }}b", c, "ab");
	json_decref(c);
}

static void test_catalogue_and_partials(void **state)
{
	(void)state;
	json_t *cat = json_pack("{s:s}", "dash.title", "Tổng hợp <hộ>");
	json_t *c = json_object();
	int rc;
	char *got = render("{{t.dash.title}}|{{t.nope}}", c, cat, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "Tổng hợp &lt;hộ&gt;|");
	free(got);
	/* The embedded templates render (the error page as a partial). */
	json_object_set_new(c, "status", json_integer(404));
	json_object_set_new(c, "message", json_string("<b>"));
	got = render("{{>error}}", c, cat, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(got, "404"));
	assert_non_null(strstr(got, "&lt;b&gt;"));
	free(got);
	json_decref(cat);
	json_decref(c);
}

static void test_bad_templates(void **state)
{
	(void)state;
	json_t *c = json_pack("{s:[]}", "a");
	int rc;
	free(render("{{#a}}x", c, NULL, &rc));
	assert_int_equal(rc, GNBV_EINVALID);
	free(render("x{{/a}}", c, NULL, &rc));
	assert_int_equal(rc, GNBV_EINVALID);
	free(render("{{a", c, NULL, &rc));
	assert_int_equal(rc, GNBV_EINVALID);
	free(render("{{>no-such-partial}}", c, NULL, &rc));
	assert_int_equal(rc, GNBV_ENOTFOUND);
	/* A template including itself stops at the depth cap. */
	gnbv_wbuf b = {0};
	b.max = 100;
	json_t *big = json_pack("{s:s}", "s", "0123456789012345678901234567890123456789");
	rc = gnbv_tmpl_render_text("{{s}}{{s}}{{s}}", 15, big, NULL, &b);
	assert_int_equal(rc, GNBV_ETOOBIG);
	assert_true(b.len <= 100);
	gnbv_wbuf_free(&b);
	json_decref(big);
	json_decref(c);
}

static void test_csv_cells(void **state)
{
	(void)state;
	gnbv_wbuf b = {0};
	gnbv_web_csv_cell(&b, "Nguyễn", 1);
	gnbv_web_csv_cell(&b, "=HYPERLINK(\"http://x\")", 0);
	gnbv_web_csv_cell(&b, "a,b", 0);
	gnbv_web_csv_cell(&b, "-1", 0);
	assert_string_equal(b.p, "Nguyễn,\"'=HYPERLINK(\"\"http://x\"\")\",\"a,b\",\"'-1\"");
	gnbv_wbuf_free(&b);
}

static void test_config(void **state)
{
	(void)state;
	gnbv_web_config c;
	char path[256];
	snprintf(path, sizeof path, "%s/gnbv-test-web-%ld.ini",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	gnbv_web_config_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_int_equal(c.session_idle_min, 30);
	FILE *f = fopen(path, "w");
	fprintf(f, "# comment\n[server]\nlisten = 0.0.0.0:9000\nthreads=4\n; x\n"
	           "session_idle_minutes = 15\n");
	fclose(f);
	assert_int_equal(gnbv_web_config_load(&c, path), 0);
	assert_string_equal(c.listen, "0.0.0.0:9000");
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.session_idle_min, 15);
	f = fopen(path, "w");
	fprintf(f, "threads = 0\n");
	fclose(f);
	assert_int_equal(gnbv_web_config_load(&c, path), GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), ":1:"));
	f = fopen(path, "w");
	fprintf(f, "listen = x\nthreds = 3\n");
	fclose(f);
	assert_int_equal(gnbv_web_config_load(&c, path), GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), "threds"));
	unlink(path);
}

/* A message key missing from the catalogue comes back as itself, in the
 * request's arena: the callers build keys in their own buffers ("class.%s"),
 * and a pointer to one of those outlived it (gcc -flto saw it). */
static void clobber_stack(void)
{
	volatile char junk[256];
	for (size_t i = 0; i < sizeof junk; i++) junk[i] = 'x';
}

static void test_missing_message_key(void **state)
{
	(void)state;
	gnbv_web_req r;
	memset(&r, 0, sizeof r);
	json_t *cat = json_pack("{s:s}", "class.poor", "Hộ nghèo");
	r.cat = cat;
	r.arena = gnbv_arena_new(1 << 16);
	assert_non_null(r.arena);
	assert_string_equal(gnbv_web_class_name(&r, 0), "Hộ nghèo");
	const char *m = gnbv_web_class_name(&r, 99); /* no such class: "class.?" */
	clobber_stack();
	assert_string_equal(m, "class.?");
	char key[32];
	snprintf(key, sizeof key, "nav.%s", "none");
	const char *k = gnbv_web_msg(&r, key);
	assert_true(k != key);
	memset(key, 0, sizeof key);
	assert_string_equal(k, "nav.none");
	gnbv_arena_free(r.arena);
	json_decref(cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_sections),
	    cmocka_unit_test(test_catalogue_and_partials),
	    cmocka_unit_test(test_bad_templates),
	    cmocka_unit_test(test_csv_cells),
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_missing_message_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
