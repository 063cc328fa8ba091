/*
 * test_grow.c - array growth (src/util/grow.c): doubling from the first
 * capacity, contents kept, overflow refused without touching the array.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/error.h"
#include "util/grow.h"

#include <stdint.h>
#include <stdlib.h>

static void test_grow(void **state)
{
	(void)state;
	int *v = NULL;
	size_t cap = 0;
	assert_int_equal(gnbv_grow(&v, &cap, 1, sizeof *v, 4), 0);
	assert_int_equal(cap, 4);
	for (int i = 0; i < 4; i++) v[i] = i * 7;
	assert_int_equal(gnbv_grow(&v, &cap, 4, sizeof *v, 4), 0); /* enough already */
	assert_int_equal(cap, 4);
	assert_int_equal(gnbv_grow(&v, &cap, 9, sizeof *v, 4), 0);
	assert_int_equal(cap, 16);
	for (int i = 0; i < 4; i++) assert_int_equal(v[i], i * 7);
	int *before = v;
	assert_int_equal(gnbv_grow(&v, &cap, SIZE_MAX / 2, sizeof *v, 4), GNBV_ENOMEM);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 16);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_grow)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
