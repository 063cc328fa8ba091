/*
 * test_msg.c - the Vietnamese catalogue of messages (src/util/msg_vi.c):
 * every translation takes the same arguments as its English (a format whose
 * conversions differed would read the wrong arguments), and gnbv_tr and
 * gnbv_error_set follow the process's and the thread's language.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/error.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The conversions of a printf format, each as flags-free text ("s", ".*s",
 * "ld", "zu"), joined by spaces; -1 on a conversion this test does not know. */
static int conversions(const char *f, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	for (; *f; f++) {
		if (*f != '%') continue;
		if (f[1] == '%') {
			f++;
			continue;
		}
		f++;
		while (strchr("-+ #0", *f)) f++;
		char spec[16];
		size_t k = 0;
		if (*f == '*') spec[k++] = *f++;
		while (*f >= '0' && *f <= '9') f++;
		if (*f == '.') {
			spec[k++] = *f++;
			if (*f == '*') spec[k++] = *f++;
			while (*f >= '0' && *f <= '9') f++;
		}
		while (strchr("hlzjt", *f) && k < 12) spec[k++] = *f++;
		if (!*f || !strchr("sduxXcp", *f)) return -1;
		spec[k++] = *f;
		spec[k] = '\0';
		n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? " " : "", spec);
	}
	return 0;
}

static void test_same_conversions(void **state)
{
	(void)state;
	int i = 0;
	const char *vi, *en;
	for (; (en = gnbv_msg_vi_entry(i, &vi)); i++) {
		char a[256], b[256];
		if (conversions(en, a, sizeof a) || conversions(vi, b, sizeof b))
			fail_msg("entry %d: a conversion this test does not know: %s", i, en);
		if (strcmp(a, b)) fail_msg("entry %d: '%s' takes [%s], its translation [%s]", i, en, a, b);
		if (!strcmp(en, vi) && strchr(en, ' ')) fail_msg("entry %d is not translated: %s", i, en);
		for (int j = 0; j < i; j++)
			if (!strcmp(gnbv_msg_vi_entry(j, NULL), en)) fail_msg("entry %d repeats entry %d", i, j);
	}
	assert_true(i > 40);
}

static void *other_thread(void *arg)
{
	(void)arg;
	/* a new thread speaks the process's language */
	gnbv_error_set(GNBV_ENOMEM, "out of memory");
	return strcmp(gnbv_error_message(), "hết bộ nhớ") == 0 ? (void *)1 : NULL;
}

static void test_language(void **state)
{
	(void)state;
	const char *en = "expected M or F, found '%.*s'";
	assert_ptr_equal(gnbv_tr(en), en); /* English unless told */
	gnbv_error_language(1);
	assert_string_equal(gnbv_tr(en), "cần M (nam) hoặc F (nữ), gặp '%.*s'");
	assert_string_equal(gnbv_tr("no such message"), "no such message");
	gnbv_error_set(GNBV_EINVALID, "expected M or F, found '%.*s'", 1, "X");
	assert_string_equal(gnbv_error_message(), "cần M (nam) hoặc F (nữ), gặp 'X'");
	pthread_t t;
	void *ok = NULL;
	assert_int_equal(pthread_create(&t, NULL, other_thread, NULL), 0);
	pthread_join(t, &ok);
	assert_non_null(ok);
	/* a thread of its own language (a web request) */
	gnbv_error_thread_language(0);
	assert_ptr_equal(gnbv_tr(en), en);
	gnbv_error_thread_language(-1);
	assert_string_equal(gnbv_tr("out of memory"), "hết bộ nhớ");
	gnbv_error_language(0);
	assert_ptr_equal(gnbv_tr(en), en);
	gnbv_error_thread_language(1);
	assert_string_equal(gnbv_tr("out of memory"), "hết bộ nhớ");
	gnbv_error_thread_language(-1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_conversions),
		cmocka_unit_test(test_language),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
