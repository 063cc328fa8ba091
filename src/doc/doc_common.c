/*
 * doc_common.c - sums, rows, agencies, numbers, text and atomic output
 * shared by the plan's XLSX and DOCX writers (see doc_common.h).
 *
 * Every figure a document shows is a sum over the plan's lines computed
 * here; the totals the source document states are for `plan check`, never
 * copied into a new document (an officer's slip would be copied with them).
 */
#include "doc/doc_common.h"

#include "gnbv/error.h"
#include "util/numfmt.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- Sums --------------------------------------------------------------- */

static int line_placed(const gnbv_program *prog, const gnbv_plan_line *l)
{
	return l->component && prog && gnbv_program_component(prog, l->component);
}

int64_t gnbv_doc_sum(const gnbv_plan *p, const gnbv_program *prog, const gnbv_doc_sel *s)
{
	if (!s->sources) return 0;
	if (s->comp_mode != GNBV_DOC_COMP_UNPLACED) {
		/* Everything but "unplaced" is a plan filter. */
		gnbv_plan_filter f = {0, s->stage, -1, s->capital, NULL, NULL, s->sources, NULL, 0};
		if (s->comp_mode == GNBV_DOC_COMP_EXACT) {
			if (!s->component) return 0;
			f.component = s->component;
		} else if (s->comp_mode == GNBV_DOC_COMP_TREE) {
			if (!s->component) return 0;
			f.component_prefix = s->component;
		}
		return gnbv_plan_sum_where(p, s->section, &f);
	}
	int64_t sum = 0;
	for (size_t i = 0; i < p->n_lines; i++) {
		const gnbv_plan_line *l = &p->lines[i];
		if (s->section >= 0 && l->section != s->section) continue;
		if (s->stage >= 0 && l->stage != s->stage) continue;
		if (s->capital >= 0 && l->capital != s->capital) continue;
		if (l->source < 0 || l->source >= GNBV_SRC_COUNT) continue;
		if (!(s->sources & (1u << l->source))) continue;
		if (line_placed(prog, l)) continue;
		sum += l->amount_vnd;
	}
	return sum;
}

const char *gnbv_doc_comp_name(const gnbv_component *c)
{
	return c && c->name_known && c->name_vi && *c->name_vi ? c->name_vi : NULL;
}

/* ---- Rows --------------------------------------------------------------- */

/* 1 when some line (any section) sits exactly on / under the component. */
static int has_lines(const gnbv_plan *p, const char *code, int exact)
{
	for (size_t i = 0; i < p->n_lines; i++) {
		const char *c = p->lines[i].component;
		if (!c) continue;
		if (exact ? strcmp(c, code) == 0 : gnbv_component_in(c, code) && strcmp(c, code))
			return 1;
	}
	return 0;
}

static int code_number(const char *code, int *sub)
{
	/* "DA3.1" -> 3 and 1; codes without digits give 0. */
	const char *s = code;
	while (*s && (*s < '0' || *s > '9'))
		s++;
	char *end = NULL;
	long n = strtol(s, &end, 10);
	*sub = 0;
	if (end && *end == '.') *sub = (int)strtol(end + 1, NULL, 10);
	return (int)n;
}

size_t gnbv_doc_rows(const gnbv_plan *p, const gnbv_program *prog, gnbv_doc_row *rows, size_t cap)
{
	size_t n = 0;
	int unplaced = 0;
	for (size_t i = 0; i < p->n_lines; i++)
		if (!line_placed(prog, &p->lines[i])) unplaced = 1;
	for (size_t i = 0; prog && i < prog->n_components && n < cap; i++) {
		const gnbv_component *c = &prog->components[i];
		if (c->parent) continue; /* sub-projects follow their project */
		size_t at = n;
		int sub;
		rows[n++] =
		    (gnbv_doc_row){GNBV_DOC_ROW_PROJECT, c, 0, code_number(c->code, &sub), 0};
		int direct = has_lines(p, c->code, 1), below = has_lines(p, c->code, 0);
		if (direct && !below) continue;
		if (direct && n < cap) {
			rows[n++] = (gnbv_doc_row){GNBV_DOC_ROW_DIRECT, c, 0, rows[at].number, 0};
			rows[at].n_children++;
		}
		for (size_t j = 0; j < prog->n_components && n < cap; j++) {
			const gnbv_component *s = &prog->components[j];
			if (!s->parent || strcmp(s->parent, c->code)) continue;
			int num = code_number(s->code, &sub);
			rows[n++] = (gnbv_doc_row){GNBV_DOC_ROW_SUB, s, 0, num, sub};
			rows[at].n_children++;
		}
	}
	if (unplaced && n < cap) rows[n++] = (gnbv_doc_row){GNBV_DOC_ROW_UNPLACED, NULL, 0, 0, 0};
	return n;
}

void gnbv_doc_comp_label(const gnbv_doc_row *r, char *buf, size_t cap)
{
	switch (r->kind) {
	case GNBV_DOC_ROW_PROJECT: snprintf(buf, cap, "Dự án %d", r->number); break;
	case GNBV_DOC_ROW_SUB: snprintf(buf, cap, "Tiểu dự án %d", r->sub_number); break;
	case GNBV_DOC_ROW_DIRECT:
		snprintf(buf, cap, "Nội dung chung của Dự án %d", r->number);
		break;
	default: snprintf(buf, cap, "Vốn huy động, nội dung khác (không gắn dự án)"); break;
	}
}

void gnbv_doc_comp_ref(const gnbv_program *prog, const gnbv_component *c, char *buf, size_t cap)
{
	(void)prog;
	int sub, num = code_number(c->code, &sub);
	if (c->parent && sub)
		snprintf(buf, cap, "Tiểu dự án %d, Dự án %d", sub, num);
	else
		snprintf(buf, cap, "Dự án %d", num);
}

/* ---- Agencies ----------------------------------------------------------- */

const gnbv_plan_agency *gnbv_doc_agency(const gnbv_plan *p, const char *code)
{
	if (!code) return NULL;
	for (size_t i = 0; i < p->n_agencies; i++)
		if (p->agencies[i].code && strcmp(p->agencies[i].code, code) == 0)
			return &p->agencies[i];
	return NULL;
}

static const gnbv_plan_role *role_exact(const gnbv_plan *p, int section, const char *component)
{
	for (size_t i = 0; i < p->n_roles; i++) {
		const gnbv_plan_role *r = &p->roles[i];
		if (r->section == section && r->component && strcmp(r->component, component) == 0)
			return r;
	}
	return NULL;
}

const gnbv_plan_role *gnbv_doc_role(const gnbv_plan *p, const gnbv_program *prog, int section,
                                    const char *component)
{
	if (!component) return NULL;
	const gnbv_plan_role *r = role_exact(p, section, component);
	if (r) return r;
	const gnbv_component *c = gnbv_program_component(prog, component);
	if (c && c->parent) return role_exact(p, section, c->parent);
	return NULL;
}

/* ---- Numbers ------------------------------------------------------------ */

size_t gnbv_doc_million(char *buf, size_t cap, int64_t vnd)
{
	/* Thousands of VND, rounded half up, then split: exact for every
	 * amount a plan can hold (|vnd| < 9.2e18). */
	int neg = vnd < 0;
	uint64_t a = neg ? (uint64_t)0 - (uint64_t)vnd : (uint64_t)vnd;
	uint64_t k = (a + 500) / 1000, ip = k / 1000, fp = k % 1000;
	char tmp[48];
	size_t n = gnbv_fmt_int(tmp, sizeof tmp, (int64_t)ip, &GNBV_NUM_VI);
	gnbv_sb sb;
	gnbv_sb_init(&sb, buf, cap);
	if (neg && k) gnbv_sb_put(&sb, "-");
	gnbv_sb_putn(&sb, tmp, n);
	if (fp) {
		char d[5] = {',', (char)('0' + fp / 100), (char)('0' + fp / 10 % 10),
		             (char)('0' + fp % 10), 0};
		size_t dn = 4;
		while (d[dn - 1] == '0')
			dn--;
		gnbv_sb_putn(&sb, d, dn);
	}
	return sb.len;
}

size_t gnbv_doc_pct(char *buf, size_t cap, int64_t part, int64_t whole)
{
	if (cap) buf[0] = '\0';
	if (whole <= 0 || part < 0) return 0;
	return gnbv_fmt_pct(buf, cap, (uint64_t)part, (uint64_t)whole, &GNBV_NUM_VI);
}

/* ---- Text --------------------------------------------------------------- */

static uint32_t utf8_next(const unsigned char **ps, int *bad)
{
	const unsigned char *s = *ps;
	uint32_t c = s[0];
	int n = c < 0x80             ? 0
	        : (c & 0xE0) == 0xC0 ? 1
	        : (c & 0xF0) == 0xE0 ? 2
	        : (c & 0xF8) == 0xF0 ? 3
	                             : -1;
	*bad = 0;
	if (n < 0) {
		*bad = 1;
		*ps = s + 1;
		return 0xFFFD;
	}
	if (n == 0) {
		*ps = s + 1;
		return c;
	}
	c &= 0x3Fu >> n;
	for (int i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*bad = 1;
			*ps = s + i;
			return 0xFFFD;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	static const uint32_t min[4] = {0, 0x80, 0x800, 0x10000};
	if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) *bad = 1;
	*ps = s + n + 1;
	return *bad ? 0xFFFD : c;
}

static size_t utf8_put(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Case pairs of the Vietnamese alphabet. In Latin Extended Additional
 * (U+1EA0..U+1EF9, ạ ả ấ ... ỹ) and the pairs of Latin Extended-A used here
 * the capital is the even code point. */
static uint32_t vi_upper(uint32_t c)
{
	if (c >= 'a' && c <= 'z') return c - 32;
	if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 0x20;
	if (c == 0x103 || c == 0x111 || c == 0x129 || c == 0x169) return c - 1;
	if (c == 0x1A1 || c == 0x1B0) return c - 1;
	if (c >= 0x1EA0 && c <= 0x1EF9 && (c & 1)) return c - 1;
	return c;
}

static uint32_t vi_lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z') return c + 32;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
	if (c == 0x102 || c == 0x110 || c == 0x128 || c == 0x168) return c + 1;
	if (c == 0x1A0 || c == 0x1AF) return c + 1;
	if (c >= 0x1EA0 && c <= 0x1EF9 && !(c & 1)) return c + 1;
	return c;
}

size_t gnbv_doc_case(char *buf, size_t cap, const char *s, int lower, int first_only)
{
	size_t len = 0;
	int done = 0;
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	if (!cap) return 0;
	while (*u) {
		int bad;
		uint32_t c = utf8_next(&u, &bad);
		if (!done) c = lower ? vi_lower(c) : vi_upper(c);
		if (first_only) done = 1;
		char tmp[4];
		size_t n = utf8_put(tmp, c);
		if (len + n >= cap) break;
		memcpy(buf + len, tmp, n);
		len += n;
	}
	buf[len] = '\0';
	return len;
}

/* ---- Buffer ------------------------------------------------------------- */

void gnbv_doc_buf_init(gnbv_doc_buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max ? max : (64u << 20);
}

void gnbv_doc_buf_free(gnbv_doc_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

static int buf_reserve(gnbv_doc_buf *b, size_t n)
{
	if (b->err) return -1;
	if (n > b->max || b->len > b->max - n) {
		b->err = GNBV_ETOOBIG;
		return -1;
	}
	if (b->len + n + 1 <= b->cap) return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n + 1)
		cap *= 2;
	if (cap > b->max + 1) cap = b->max + 1;
	char *q = realloc(b->p, cap);
	if (!q) {
		b->err = GNBV_ENOMEM;
		return -1;
	}
	b->p = q;
	b->cap = cap;
	return 0;
}

static void buf_putn(gnbv_doc_buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n)) return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void gnbv_doc_raw(gnbv_doc_buf *b, const char *s)
{
	buf_putn(b, s, strlen(s));
}

void gnbv_doc_rawf(gnbv_doc_buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		if (!b->err) b->err = GNBV_ETOOBIG;
		return;
	}
	buf_putn(b, tmp, (size_t)n);
}

void gnbv_doc_esc(gnbv_doc_buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	while (*u) {
		const unsigned char *start = u;
		if (*u < 0x80) {
			/* A run of plain ASCII goes in one copy. */
			while (*u && *u < 0x80 && *u != '&' && *u != '<' && *u != '>' &&
			       *u != '"' && *u != '\'' && (*u >= 0x20 || *u == '\t' || *u == '\n'))
				u++;
			if (u > start) {
				buf_putn(b, (const char *)start, (size_t)(u - start));
				continue;
			}
			switch (*u) {
			case '&': gnbv_doc_raw(b, "&amp;"); break;
			case '<': gnbv_doc_raw(b, "&lt;"); break;
			case '>': gnbv_doc_raw(b, "&gt;"); break;
			case '"': gnbv_doc_raw(b, "&quot;"); break;
			case '\'': gnbv_doc_raw(b, "&apos;"); break;
			default: break; /* a control character: dropped */
			}
			u++;
			continue;
		}
		int bad;
		uint32_t c = utf8_next(&u, &bad);
		if (c == 0xFFFE || c == 0xFFFF) c = 0xFFFD; /* not XML characters */
		char tmp[4];
		buf_putn(b, tmp, utf8_put(tmp, c));
	}
}

int gnbv_doc_buf_status(const gnbv_doc_buf *b, const char *what)
{
	if (!b->err) return 0;
	if (b->err == GNBV_ETOOBIG)
		return gnbv_error_set(GNBV_ETOOBIG, "%s: larger than %zu bytes", what, b->max);
	return gnbv_error_set(GNBV_ENOMEM, "%s: out of memory", what);
}

/* ---- JSON extras -------------------------------------------------------- */

static json_t *json_path(json_t *root, const char *key);

size_t gnbv_doc_json_str(const char *json, const char *key, char *buf, size_t cap)
{
	if (!cap) return 0;
	buf[0] = '\0';
	if (!json || !*json) return 0;
	json_t *root = json_loads(json, 0, NULL);
	if (!root) return 0;
	json_t *v = json_path(root, key);
	size_t len = 0;
	if (v && json_is_string(v)) {
		const char *s = json_string_value(v);
		len = strlen(s);
		if (len >= cap) {
			len = cap - 1; /* cut on a character boundary */
			while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
				len--;
		}
		memcpy(buf, s, len);
		buf[len] = '\0';
	}
	json_decref(root);
	return len;
}

/* ---- Atomic output ------------------------------------------------------ */

int gnbv_doc_tmp_path(const char *path, char *buf, size_t cap)
{
	static _Thread_local unsigned counter;
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = slash ? slash + 1 : path;
	if (!*base) return gnbv_error_set(GNBV_EINVALID, "%s: not a file name", path);
	int n = snprintf(buf, cap, "%.*s.%s.tmp-%ld-%u", (int)dirlen, path, base, (long)getpid(),
	                 counter++);
	if (n < 0 || (size_t)n >= cap)
		return gnbv_error_set(GNBV_ETOOBIG, "%s: path too long", path);
	return 0;
}

int gnbv_doc_commit(const char *tmp, const char *path)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		int rc = gnbv_error_set(GNBV_EIO, "%s: cannot sync: %s", path, strerror(errno));
		if (fd >= 0) close(fd);
		unlink(tmp);
		return rc;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		int rc = gnbv_error_set(GNBV_EIO, "%s: cannot rename into place: %s", path,
		                        strerror(errno));
		unlink(tmp);
		return rc;
	}
	return 0;
}

/* ---- Number and date ---------------------------------------------------- */

static json_t *json_path(json_t *root, const char *key)
{
	json_t *v = root;
	char part[128];
	const char *k = key;
	while (v && *k) {
		const char *dot = strchr(k, '.');
		size_t n = dot ? (size_t)(dot - k) : strlen(k);
		if (n >= sizeof part) return NULL;
		memcpy(part, k, n);
		part[n] = '\0';
		v = json_is_object(v) ? json_object_get(v, part) : NULL;
		k += n + (dot ? 1 : 0);
	}
	return v;
}

long gnbv_doc_json_int(const char *json, const char *key, long def)
{
	if (!json || !*json) return def;
	json_t *root = json_loads(json, 0, NULL);
	if (!root) return def;
	json_t *v = json_path(root, key);
	long r = v && json_is_integer(v) ? (long)json_integer_value(v) : def;
	json_decref(root);
	return r;
}

void gnbv_doc_number(const gnbv_plan *p, char *buf, size_t cap)
{
	char suffix[64];
	if (!gnbv_doc_json_str(p->doc_extra, "number_suffix", suffix, sizeof suffix))
		snprintf(suffix, sizeof suffix, "KH-UBND");
	if (p->number && *p->number) {
		/* A number written whole ("15/KH-UBND") or bare ("15"). */
		if (strchr(p->number, '/'))
			snprintf(buf, cap, "%s", p->number);
		else
			snprintf(buf, cap, "%s/%s", p->number, suffix);
	} else {
		snprintf(buf, cap, "        /%s", suffix);
	}
}

static void two_digit(char *buf, size_t cap, int v, int pad)
{
	if (pad && v < 10)
		snprintf(buf, cap, "0%d", v);
	else
		snprintf(buf, cap, "%d", v);
}

void gnbv_doc_date(const gnbv_plan *p, char *buf, size_t cap)
{
	int32_t day = 0;
	if (p->date && gnbv_plan_date_check(p->date, &day, NULL, 0) == 0) {
		int y = day / 10000, m = day / 100 % 100, d = day % 100;
		char ds[16], ms[16];
		two_digit(ds, sizeof ds, d, 1);
		two_digit(ms, sizeof ms, m, m <= 2);
		snprintf(buf, cap, "ngày %s tháng %s năm %d", ds, ms, y);
		return;
	}
	long yy = gnbv_doc_json_int(p->doc_extra, "year", p->report_year);
	long mm = gnbv_doc_json_int(p->doc_extra, "month", 0);
	if (mm >= 1 && mm <= 12) {
		char ms[16];
		two_digit(ms, sizeof ms, (int)mm, mm <= 2);
		snprintf(buf, cap, "ngày      tháng %s năm %ld", ms, yy);
	} else {
		snprintf(buf, cap, "ngày      tháng      năm %ld", yy);
	}
}

void gnbv_doc_place(const gnbv_plan *p, char *buf, size_t cap)
{
	if (gnbv_doc_json_str(p->doc_extra, "place", buf, cap)) return;
	snprintf(buf, cap, "%s", p->unit_name ? p->unit_name : "");
}
