/*
 * text.c - Vietnamese text on the way into the store, and bounded buffers.
 *
 * Names are stored in NFC (exchange-format.md: UTF-8, NFC), whatever the
 * keyboard produced: a Windows IME types "Nguyễn" precomposed, macOS and
 * some web forms send it decomposed (NFD), and the two must compare equal.
 * utf8proc does the normalisation; since it allocates and walks the string
 * twice, the common case is checked first: text whose code points are all
 * below U+0300 or in Latin Extended Additional (U+1E00-U+1EFF: every
 * precomposed Vietnamese letter with its tone) has no combining mark and no
 * character that normalises differently, so it is already NFC.
 *
 * The search key folds case, drops every diacritic and maps đ to d
 * ("Nguyễn Thị Hồng" -> "nguyen thi hong"), which is how people type names
 * without a Vietnamese keyboard. utf8proc's decomposition strips the tones
 * and vowel marks; đ is a letter of its own in Unicode (no decomposition)
 * and is mapped by hand. Keys of the first 0x2000 code points are computed
 * once into a table.
 */
#include "store_int.h"

#include "gnbv/error.h"

#include <utf8proc.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- buffers ---- */

#define BUF_DEFAULT_MAX ((size_t)64 << 20)

int gnbv__buf_reserve(gnbv__buf *b, size_t extra)
{
	size_t max = b->max ? b->max : BUF_DEFAULT_MAX;
	if (b->len + extra + 1 <= b->cap) return 0;
	if (b->len + extra + 1 > max)
		return gnbv_error_set(GNBV_ETOOBIG, "a value or record is larger than %zu bytes",
		                      max);
	size_t nc = b->cap ? b->cap : 256;
	while (nc < b->len + extra + 1)
		nc *= 2;
	if (nc > max) nc = max;
	char *np = realloc(b->p, nc);
	if (!np) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	b->p = np;
	b->cap = nc;
	return 0;
}

int gnbv__buf_put(gnbv__buf *b, const void *p, size_t n)
{
	int rc = gnbv__buf_reserve(b, n);
	if (rc) return rc;
	if (n) memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int gnbv__buf_str(gnbv__buf *b, const char *s)
{
	return gnbv__buf_put(b, s, strlen(s));
}

int gnbv__buf_i64(gnbv__buf *b, int64_t v)
{
	char t[24];
	int n = snprintf(t, sizeof t, "%lld", (long long)v);
	return gnbv__buf_put(b, t, (size_t)n);
}

int gnbv__buf_json(gnbv__buf *b, const char *p, size_t n)
{
	int rc = gnbv__buf_reserve(b, n + 2);
	if (rc) return rc;
	b->p[b->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch == '"' || ch == '\\') {
			char esc[2] = {'\\', (char)ch};
			if ((rc = gnbv__buf_put(b, esc, 2))) return rc;
		} else if (ch < 0x20) {
			char esc[8];
			int k = snprintf(esc, sizeof esc, "\\u%04x", ch);
			if ((rc = gnbv__buf_put(b, esc, (size_t)k))) return rc;
		} else {
			if ((rc = gnbv__buf_put(b, &p[i], 1))) return rc;
		}
	}
	return gnbv__buf_put(b, "\"", 1);
}

void gnbv__buf_free(gnbv__buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* ---- UTF-8 ---- */

/* Decodes one code point at p (n > 0 bytes left); returns its length, or 0
 * when the bytes are not valid UTF-8 (the CSV reader has checked files; this
 * guards the API). */
static size_t decode(const unsigned char *p, size_t n, int32_t *cp)
{
	unsigned char c = p[0];
	if (c < 0x80) return *cp = c, 1;
	if (c < 0xC2) return 0;
	if (c < 0xE0) {
		if (n < 2 || (p[1] & 0xC0) != 0x80) return 0;
		return *cp = ((c & 0x1F) << 6) | (p[1] & 0x3F), 2;
	}
	if (c < 0xF0) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
		int32_t v = ((c & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
		if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF)) return 0;
		return *cp = v, 3;
	}
	if (c < 0xF5) {
		if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
		    (p[3] & 0xC0) != 0x80)
			return 0;
		int32_t v = ((c & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) |
		            (p[3] & 0x3F);
		if (v < 0x10000 || v > 0x10FFFF) return 0;
		return *cp = v, 4;
	}
	return 0;
}

static int bad_utf8(void)
{
	return gnbv_error_set(GNBV_EINVALID, "not valid UTF-8 text");
}

int gnbv__nfc(const char *p, size_t n, char *dst, size_t cap, size_t *len)
{
	const unsigned char *s = (const unsigned char *)p;
	int fast = 1;
	for (size_t i = 0; i < n;) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		int32_t cp;
		size_t k = decode(s + i, n - i, &cp);
		if (!k) return bad_utf8();
		if (cp >= 0x300 && (cp < 0x1E00 || cp > 0x1EFF)) {
			fast = 0;
			break;
		}
		i += k;
	}
	if (fast) {
		if (n >= cap) return gnbv_error_set(GNBV_ETOOBIG, "longer than %zu bytes", cap - 1);
		memcpy(dst, p, n);
		dst[n] = '\0';
		*len = n;
		return 0;
	}
	utf8proc_uint8_t *out = NULL;
	utf8proc_ssize_t m =
	    utf8proc_map(s, (utf8proc_ssize_t)n, &out, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (m < 0) {
		free(out);
		return m == UTF8PROC_ERROR_NOMEM ? gnbv_error_set(GNBV_ENOMEM, "out of memory")
		                                 : bad_utf8();
	}
	if ((size_t)m >= cap) {
		free(out);
		return gnbv_error_set(GNBV_ETOOBIG, "longer than %zu bytes", cap - 1);
	}
	memcpy(dst, out, (size_t)m);
	dst[m] = '\0';
	*len = (size_t)m;
	free(out);
	return 0;
}

/* ---- search keys ---- */

#define KEY_TABLE 0x2000

typedef struct keyent {
	unsigned char len;
	char s[7];
} keyent;

static keyent key_table[KEY_TABLE];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

/* The key of one code point: its decomposition without marks, case-folded,
 * with đ as d and every kind of space as ' '. */
static size_t key_of(int32_t cp, char *out, size_t cap)
{
	if (cp == 0x0110 || cp == 0x0111) return out[0] = 'd', 1; /* Đ đ */
	if (cp == 0x00A0 || cp == '\t' || cp == '\n' || cp == '\r' ||
	    (cp >= 0x2000 && cp <= 0x200A) || cp == 0x3000)
		return out[0] = ' ', 1;
	utf8proc_uint8_t in[4], *res = NULL;
	utf8proc_ssize_t k = utf8proc_encode_char(cp, in);
	if (k <= 0) return 0;
	utf8proc_ssize_t m = utf8proc_map(in, k, &res,
	                                  UTF8PROC_STABLE | UTF8PROC_DECOMPOSE |
	                                      UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
	size_t w = 0;
	if (m > 0 && (size_t)m <= cap) {
		memcpy(out, res, (size_t)m);
		w = (size_t)m;
	}
	free(res);
	for (size_t i = 0; i + 1 < w; i++) /* a decomposition may still hold đ */
		if ((unsigned char)out[i] == 0xC4 && (unsigned char)out[i + 1] == 0x91) {
			out[i] = 'd';
			memmove(out + i + 1, out + i + 2, w - i - 2);
			w--;
		}
	return w;
}

static void key_init(void)
{
	for (int32_t cp = 0; cp < KEY_TABLE; cp++) {
		if (cp >= 'A' && cp <= 'Z') {
			key_table[cp].len = 1;
			key_table[cp].s[0] = (char)(cp + 32);
			continue;
		}
		if (cp < 0x80 && cp != '\t' && cp != '\n' && cp != '\r') {
			key_table[cp].len = 1;
			key_table[cp].s[0] = (char)cp;
			continue;
		}
		key_table[cp].len =
		    (unsigned char)key_of(cp, key_table[cp].s, sizeof key_table[cp].s);
	}
}

size_t gnbv__search_key(const char *p, size_t n, char *dst, size_t cap)
{
	pthread_once(&key_once, key_init);
	const unsigned char *s = (const unsigned char *)p;
	size_t w = 0;
	int space = 1; /* drops leading spaces and collapses runs */
	if (cap == 0) return 0;
	for (size_t i = 0; i < n;) {
		int32_t cp;
		size_t k = decode(s + i, n - i, &cp);
		if (!k) { /* not UTF-8: skip the byte */
			i++;
			continue;
		}
		i += k;
		char tmp[16];
		const char *t;
		size_t tl;
		if (cp < KEY_TABLE) {
			t = key_table[cp].s;
			tl = key_table[cp].len;
		} else {
			tl = key_of(cp, tmp, sizeof tmp);
			t = tmp;
		}
		for (size_t j = 0; j < tl; j++) {
			if (t[j] == ' ') {
				if (space) continue;
				space = 1;
			} else {
				space = 0;
			}
			if (w + 1 >= cap) goto out;
			dst[w++] = t[j];
		}
	}
out:
	while (w && dst[w - 1] == ' ')
		w--;
	dst[w] = '\0';
	return w;
}
