/*
 * fuzz_plan_json.c - libFuzzer target for the gnbv-plan/1 reader: any byte
 * string must give a plan or a clean error, never a crash, a leak or an
 * out-of-bounds read; and a plan that reads must write and read back to
 * the same text (the round trip the store relies on). The error path also
 * exercises the position scan of io/jsonpos.c.
 */
#include "gnbv/plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gnbv_plan *p = NULL, *q = NULL;
	char *t1 = NULL, *t2 = NULL;
	if (gnbv_plan_parse_json("fuzz.json", (const char *)data, size, &p)) return 0;
	if (gnbv_plan_to_json(p, &t1)) abort();
	if (gnbv_plan_parse_json("again.json", t1, strlen(t1), &q)) abort();
	if (gnbv_plan_to_json(q, &t2)) abort();
	if (strcmp(t1, t2)) abort();
	free(t1);
	free(t2);
	gnbv_plan_free(p);
	gnbv_plan_free(q);
	return 0;
}
