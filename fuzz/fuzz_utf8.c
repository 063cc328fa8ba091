/*
 * fuzz_utf8.c - libFuzzer target for the CSV reader's UTF-8 check: the AVX2
 * path must give the portable path's verdict on every byte string, and stop
 * where utf8.h promises (no ASCII byte between the first bad byte and its
 * answer). Where the processor has no AVX2, only the portable path runs.
 */
#include "io/utf8.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t p = gnbv_utf8_prefix(data, size);
	if (p > size) abort();
	if (!gnbv_utf8_vector()) return 0;
	size_t k = gnbv_utf8_check(data, size, 1);
	if ((p == size) != (k == size)) abort();
	if (k < size)
		for (size_t j = p; j < k; j++)
			if (data[j] < 0x80) abort();
	return 0;
}
