/*
 * date.c - calendar dates (gnbv/date.h): is a yyyymmdd a day that exists,
 * and is a text exactly YYYY-MM-DD naming one. Every reader of a date
 * (the plan file, the store's plan and round writes, the review steps, the
 * web forms, the CLI options) asks here, so the calendar's rules are
 * written once; the exchange format's birth dates, parsed on classify's
 * hot path, use the inline gnbv_date_days_in_month of the header.
 */
#include "gnbv/date.h"

#include "../util/numfmt.h"

static const char *const MONTH_EN[12] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};

int gnbv_date_valid(int32_t d)
{
	int32_t y = d / 10000, m = d / 100 % 100, dd = d % 100;
	return y >= 1 && y <= 9999 && dd >= 1 && dd <= gnbv_date_days_in_month(y, m);
}

/* The digits of YYYY-MM-DD into y, m, d; -1 when the shape is not that. */
static int split(const char *s, size_t n, int *y, int *m, int *d)
{
	if (!s || n != 10 || s[4] != '-' || s[7] != '-') return -1;
	int v[3] = {0, 0, 0}, k = 0;
	for (size_t i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			k++;
			continue;
		}
		if (s[i] < '0' || s[i] > '9') return -1;
		v[k] = v[k] * 10 + (s[i] - '0');
	}
	*y = v[0];
	*m = v[1];
	*d = v[2];
	return 0;
}

int gnbv_date_parse(const char *s, size_t n, int year_min, int year_max, int32_t *out)
{
	int y, m, d;
	if (split(s, n, &y, &m, &d)) return GNBV_DATE_FORMAT;
	if (m < 1 || m > 12) return GNBV_DATE_MONTH;
	if (d < 1 || d > gnbv_date_days_in_month(y, m) || y < 1) return GNBV_DATE_DAY;
	if (y < year_min || y > year_max) return GNBV_DATE_RANGE;
	*out = (int32_t)(y * 10000 + m * 100 + d);
	return GNBV_DATE_OK;
}

int gnbv_date_explain(const char *s, size_t n, int year_min, int year_max, char *buf, size_t cap)
{
	int32_t v;
	int rc = gnbv_date_parse(s, n, year_min, year_max, &v);
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, cap);
	if (rc == GNBV_DATE_OK) return rc;
	/* The text as given, cut short (it may be anything a file held) at a
	 * character boundary, so that the message stays UTF-8. */
	size_t k = s ? n : 0;
	if (k > 24)
		for (k = 24; k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80; k--)
			;
	gnbv_sb_put(&sb, "\"");
	gnbv_sb_putn(&sb, s ? s : "", k);
	gnbv_sb_put(&sb, k < n ? "...\"" : "\"");
	if (rc == GNBV_DATE_FORMAT) {
		gnbv_sb_put(&sb, " is not a date (expected YYYY-MM-DD)");
		return rc;
	}
	int y, m, d;
	split(s, n, &y, &m, &d);
	if (rc == GNBV_DATE_MONTH) {
		gnbv_sb_put(&sb, " is not a date: there is no month ");
		gnbv_sb_int(&sb, m, &GNBV_NUM_PLAIN);
	} else if (rc == GNBV_DATE_DAY && y < 1) {
		gnbv_sb_put(&sb, " is not a date: there is no year 0");
	} else if (rc == GNBV_DATE_DAY) {
		gnbv_sb_put(&sb, " is not a date: ");
		gnbv_sb_put(&sb, MONTH_EN[m - 1]);
		gnbv_sb_put(&sb, " ");
		gnbv_sb_int(&sb, y, &GNBV_NUM_PLAIN);
		gnbv_sb_put(&sb, " has ");
		gnbv_sb_int(&sb, gnbv_date_days_in_month(y, m), &GNBV_NUM_PLAIN);
		gnbv_sb_put(&sb, " days");
	} else {
		gnbv_sb_put(&sb, " is outside the years ");
		gnbv_sb_int(&sb, year_min, &GNBV_NUM_PLAIN);
		gnbv_sb_put(&sb, " to ");
		gnbv_sb_int(&sb, year_max, &GNBV_NUM_PLAIN);
	}
	return rc;
}
