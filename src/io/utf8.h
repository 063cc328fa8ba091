/*
 * utf8.h - UTF-8 validation of whole buffers, for the CSV reader: a vector
 * path (AVX2, chosen at run time when the processor has it) and a portable
 * one, with the same answer.
 */
#ifndef GNBV_IO_UTF8_H
#define GNBV_IO_UTF8_H

#include <stddef.h>

/* Checks s[0..n) for UTF-8 without NUL (Unicode 15, table 3-7: no
 * overlongs, surrogates or code points above U+10FFFF; a sequence cut by
 * the end of the span is an error). Returns n when the span is clean.
 * Otherwise returns some k < n, at or before the first bad byte, such that
 * every prefix s[0..j] with j < k and s[j] ASCII is clean: the caller may
 * trust whole lines that end before k. `vector` selects the vector path; it
 * must be at most what gnbv_utf8_vector() said. */
size_t gnbv_utf8_check(const unsigned char *s, size_t n, int vector);

/* The exact length of the clean prefix of s[0..n) (n when all clean): the
 * portable path, which also locates a bad byte for the error message. */
size_t gnbv_utf8_prefix(const unsigned char *s, size_t n);

/* The vector paths that may be used: 0 none, 1 AVX2, 2 AVX-512BW as well.
 * GNBV_SIMD=0 gives 0 and GNBV_SIMD=avx2 at most 1, so that the tests can
 * run the narrower paths on any machine. */
int gnbv_utf8_vector(void);

#endif
