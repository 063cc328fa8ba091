/*
 * gnbv/date.h - calendar dates, the one place their rules are written.
 *
 * A date is held as a yyyymmdd integer (20240229) and written YYYY-MM-DD,
 * the form of every gnbv file, form and command. The calendar is the
 * Gregorian one (the day and month of a Vietnamese administrative document,
 * "ngày ... tháng ... năm", Decree 30/2020/NĐ-CP Appendix I): a year is
 * leap when divisible by 4, except centuries not divisible by 400 (2024
 * and 2000 are, 2023 and 1900 are not).
 *
 * Pure: no I/O, no allocation, no locale. Thread-safe.
 */
#ifndef GNBV_DATE_H
#define GNBV_DATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Why a text is not a date (gnbv_date_parse). */
typedef enum gnbv_date_problem {
	GNBV_DATE_OK = 0,
	GNBV_DATE_FORMAT, /* not YYYY-MM-DD with digits */
	GNBV_DATE_MONTH,  /* the month is not 01..12 */
	GNBV_DATE_DAY,    /* the day is not one of the month's (2023-02-29, 2022-04-31) */
	GNBV_DATE_RANGE   /* a date, but its year is outside the caller's range */
} gnbv_date_problem;

/* The days of month m (1..12) of year y; 0 for a month outside 1..12.
 * Inline: the exchange format's reader calls it for every birth date. */
static inline int gnbv_date_days_in_month(int y, int m)
{
	static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12) return 0;
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
	return days[m - 1];
}

/* 1 when d (yyyymmdd) is a calendar date of the years 1 to 9999, else 0. */
int gnbv_date_valid(int32_t d);

/* Parses s[0..n) as exactly YYYY-MM-DD, a calendar date whose year is in
 * [year_min, year_max]; *out (yyyymmdd) is set only on success. Returns
 * GNBV_DATE_OK or the first problem found, in the order of the enum. */
int gnbv_date_parse(const char *s, size_t n, int year_min, int year_max, int32_t *out);

/* What gnbv_date_parse found wrong with s[0..n), in English for messages
 * ("\"2023-02-29\" is not a date: February 2023 has 28 days"); "" for a
 * good date. NUL-terminated in buf[0..cap) when cap > 0. Returns the
 * problem. */
int gnbv_date_explain(const char *s, size_t n, int year_min, int year_max, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
