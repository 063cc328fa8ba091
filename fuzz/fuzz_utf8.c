/*
 * fuzz_utf8.c - libFuzzer target for the CSV reader's UTF-8 check: each
 * vector path (AVX2, AVX-512BW) must give the portable path's verdict on
 * every byte string, and stop
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
	for (int v = 1; v <= gnbv_utf8_vector(); v++) { /* AVX2, then AVX-512 where there is one */
		size_t k = gnbv_utf8_check(data, size, v);
		if ((p == size) != (k == size)) abort();
		if (k < size)
			for (size_t j = p; j < k; j++)
				if (data[j] < 0x80) abort();
	}
	return 0;
}
