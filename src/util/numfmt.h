/*
 * numfmt.h - numbers as people read them (pure: no I/O, no allocation).
 *
 * Vietnamese documents write 133.086 triệu đồng and 39,59%: '.' groups
 * thousands and ',' marks decimals. English writes 133,086 and 39.59%. The
 * files gnbv writes for machines use plain digits and a decimal point.
 */
#ifndef GNBV_UTIL_NUMFMT_H
#define GNBV_UTIL_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

typedef struct gnbv_numstyle {
	char group;   /* thousands separator, 0 for none */
	char decimal; /* decimal mark */
} gnbv_numstyle;

extern const gnbv_numstyle GNBV_NUM_VI; /* 1.234.567,5 */
extern const gnbv_numstyle GNBV_NUM_EN; /* 1,234,567.5 */
extern const gnbv_numstyle GNBV_NUM_PLAIN; /* 1234567.5 */

/* Formats v into buf (cap >= 32 recommended); returns the length. */
size_t gnbv_fmt_int(char *buf, size_t cap, int64_t v, const gnbv_numstyle *st);

/* Formats v with at most `decimals` decimals, trailing zeros dropped
 * (39.59 -> "39,59"; 140 -> "140"). */
size_t gnbv_fmt_dec(char *buf, size_t cap, double v, int decimals, const gnbv_numstyle *st);

/* A share as reports write it: part / whole in per cent, always two
 * decimals, rounded half up in exact integer arithmetic ("39,59%",
 * "40,00%"; 0 of 0 is "0,00%"). Returns the length. */
size_t gnbv_fmt_pct(char *buf, size_t cap, uint64_t part, uint64_t whole, const gnbv_numstyle *st);

/* A bounded string appender over a caller's buffer: never overflows, always
 * NUL-terminated, remembers truncation. */
typedef struct gnbv_sb {
	char *buf;
	size_t cap, len;
	int truncated;
} gnbv_sb;

void gnbv_sb_init(gnbv_sb *sb, char *buf, size_t cap);
void gnbv_sb_put(gnbv_sb *sb, const char *s);
void gnbv_sb_putn(gnbv_sb *sb, const char *s, size_t n);
void gnbv_sb_int(gnbv_sb *sb, int64_t v, const gnbv_numstyle *st);
void gnbv_sb_dec(gnbv_sb *sb, double v, int decimals, const gnbv_numstyle *st);

#endif
