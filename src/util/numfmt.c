/*
 * numfmt.c - Vietnamese and English number formatting and a bounded string
 * appender. Pure (used by src/core for reasons); written without stdio so
 * that the core's purity check holds transitively.
 */
#include "numfmt.h"

#include <math.h>
#include <string.h>

const gnbv_numstyle GNBV_NUM_VI = {'.', ','};
const gnbv_numstyle GNBV_NUM_EN = {',', '.'};
const gnbv_numstyle GNBV_NUM_PLAIN = {0, '.'};

static size_t put_uint(char *tmp, uint64_t v, char group)
{
	/* Digits backwards into tmp (>= 32 bytes), returns count. */
	size_t n = 0;
	int k = 0;
	do {
		if (group && k == 3) {
			tmp[n++] = group;
			k = 0;
		}
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
		k++;
	} while (v);
	return n;
}

static size_t emit(char *buf, size_t cap, const char *rev, size_t n, int neg)
{
	size_t len = 0;
	if (cap == 0) return 0;
	if (neg && len + 1 < cap) buf[len++] = '-';
	while (n && len + 1 < cap) buf[len++] = rev[--n];
	buf[len] = '\0';
	return len;
}

size_t gnbv_fmt_int(char *buf, size_t cap, int64_t v, const gnbv_numstyle *st)
{
	char tmp[40];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	return emit(buf, cap, tmp, put_uint(tmp, u, st->group), v < 0);
}

size_t gnbv_fmt_dec(char *buf, size_t cap, double v, int decimals, const gnbv_numstyle *st)
{
	if (decimals < 0) decimals = 0;
	if (decimals > 6) decimals = 6;
	double scale = 1;
	for (int i = 0; i < decimals; i++) scale *= 10;
	int neg = v < 0;
	double a = fabs(v) * scale + 0.5;
	if (!(a < 9e18)) a = 9e18; /* NaN and huge values clamp: never UB */
	uint64_t whole = (uint64_t)a;
	uint64_t ip = whole / (uint64_t)scale, fp = whole % (uint64_t)scale;
	char tmp[40];
	size_t len = emit(buf, cap, tmp, put_uint(tmp, ip, st->group), neg && whole);
	int d = decimals;
	while (d > 0 && fp % 10 == 0) {
		fp /= 10;
		d--;
	}
	if (d > 0 && len + 2 + (size_t)d < cap) {
		buf[len++] = st->decimal;
		for (int i = d - 1; i >= 0; i--) {
			buf[len + (size_t)i] = (char)('0' + fp % 10);
			fp /= 10;
		}
		len += (size_t)d;
		buf[len] = '\0';
	}
	return len;
}

size_t gnbv_fmt_pct(char *buf, size_t cap, uint64_t part, uint64_t whole, const gnbv_numstyle *st)
{
	/* hundredths of a per cent: part * 10000 / whole, rounded half up */
	uint64_t h = whole ? (part * 10000 + whole / 2) / whole : 0;
	char tmp[40], digits[48];
	size_t n = emit(digits, sizeof digits, tmp, put_uint(tmp, h / 100, st->group), 0);
	digits[n++] = st->decimal;
	digits[n++] = (char)('0' + h / 10 % 10);
	digits[n++] = (char)('0' + h % 10);
	digits[n++] = '%';
	digits[n] = '\0';
	if (cap == 0) return 0;
	if (n >= cap) n = cap - 1;
	memcpy(buf, digits, n);
	buf[n] = '\0';
	return n;
}

void gnbv_sb_init(gnbv_sb *sb, char *buf, size_t cap)
{
	sb->buf = buf;
	sb->cap = cap;
	sb->len = 0;
	sb->truncated = 0;
	if (cap) buf[0] = '\0';
}

void gnbv_sb_putn(gnbv_sb *sb, const char *s, size_t n)
{
	if (sb->cap == 0) return;
	size_t room = sb->cap - 1 - sb->len;
	if (n > room) {
		n = room;
		sb->truncated = 1;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void gnbv_sb_put(gnbv_sb *sb, const char *s) { gnbv_sb_putn(sb, s, strlen(s)); }

void gnbv_sb_int(gnbv_sb *sb, int64_t v, const gnbv_numstyle *st)
{
	char tmp[40];
	gnbv_sb_putn(sb, tmp, gnbv_fmt_int(tmp, sizeof tmp, v, st));
}

void gnbv_sb_dec(gnbv_sb *sb, double v, int decimals, const gnbv_numstyle *st)
{
	char tmp[48];
	gnbv_sb_putn(sb, tmp, gnbv_fmt_dec(tmp, sizeof tmp, v, decimals, st));
}
