/*
 * csv.c - the streaming RFC 4180 reader: the hot path of `gnbv classify`.
 *
 * The buffer holds whole records. Each read's bytes are checked for UTF-8
 * once, as one span (utf8.c), so that records need no check of their own.
 * The common record has no quote: one pass of compares, 16 bytes a step
 * (SSE2) or 32 (AVX2, chosen at run time), finds its newline and cuts its
 * fields at the commas. A record with a quote goes through a small state
 * machine that unescapes in place (the output is never longer than the
 * input). When a record runs past the end of the buffer, the unconsumed tail
 * moves to the front, the buffer refills (growing up to the record cap) and
 * the record is parsed again from its start, so the parser never needs to
 * suspend mid-record.
 *
 * A reader told how many fields to expect (gnbv_csv_expect: the classify
 * batch path) cuts records another way. A window of the buffer at a time, it
 * writes out where every separator and every newline is, 64 bytes a step
 * and eight offsets per store group, with no branch per field; a record is
 * then one compare (is its last expected separator its newline?) and its
 * cells are read from the offsets. The per-record scan above mispredicts
 * two or three branches a record where the field counts vary from block to
 * block; the index mispredicts nearly none. The window stops before the
 * first quote and at the UTF-8-checked end, so that every record it hands
 * over is plain and checked; the others go the ordinary way.
 */
#include "csv.h"

#include "gnbv/error.h"

#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#define GNBV_X86 1
#include <immintrin.h>
#endif

#define INITIAL_BUF (1u << 20)
#define IX_WINDOW (32u << 10) /* bytes indexed at a time: the index stays in L1/L2 */
/* a separator per byte at most, the record start, the overshoot, and the
 * stops after the last record (ix_build) */
#define IX_SLOTS (IX_WINDOW + 1 + 64 + GNBV_CSV_MAX_FIELDS + 1)
#define BUF_SLACK 64 /* zeroed bytes after the data: the index reads whole 64-byte blocks */

struct gnbv_csv {
	/* First: read by csv.h's inline parts. Written for every record, so
	 * the reader starts a cache line (two readers on two threads must not
	 * share one). */
	_Alignas(64) gnbv_csv_record rec;
	char *name;
	int fd;              /* -1 for memory readers */
	int part;            /* gnbv_csv_open_part: reads [next_off, part_end) with pread */
	uint64_t next_off, part_end;
	const char *mem;     /* memory reader's data */
	size_t mem_len, mem_pos;
	char *buf;
	size_t cap, len;     /* buf[rec.pos..len) unconsumed */
	int eof;
	int started;         /* BOM and signature checked */
	uint64_t consumed;   /* bytes before buf[0] */
	char **header;
	size_t nheader;
	uint64_t data_start; /* offset of the first record after the header */
	long data_line;
	size_t clean;        /* buf[pos..clean) is known to be UTF-8 without NUL */
	int vector;          /* gnbv_utf8_vector() */
	int wide;            /* the index may use AVX-512 (BW and VBMI2): see ix_level() */
	/* The separator index (gnbv_csv_expect): its arrays and cursor are in
	 * rec, for gnbv_csv_next's inline part. */
	uint32_t *ix_sep_buf, *ix_nl_buf;
	size_t ix_tried;     /* pos the index was last built from; SIZE_MAX: none since the refill */
};

static int cerr(const gnbv_csv *c, long line, int code, const char *msg)
{
	return gnbv_error_set(code, "%s:%ld: %s", c->name, line, gnbv_tr(msg));
}

/* Whether the separator index may take 64 bytes per instruction
 * (AVX-512BW compares into masks, VBMI2 compresses the offsets): the
 * processor has both, and GNBV_SIMD is neither "0" nor "avx2" (which the
 * tests use to run the narrower copies on any machine). */
static int ix_wide(void)
{
#ifdef GNBV_X86
	const char *e = getenv("GNBV_SIMD");
	if (e && (strcmp(e, "0") == 0 || strcmp(e, "avx2") == 0)) return 0;
	return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi2");
#else
	return 0;
#endif
}

static int alloc_common(gnbv_csv **out, const char *name)
{
	gnbv_csv *c = aligned_alloc(_Alignof(gnbv_csv), sizeof *c); /* sizeof is a multiple */
	if (!c) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->rec.line = 1;
	c->name = strdup(name);
	c->rec.fields = malloc(GNBV_CSV_MAX_FIELDS * sizeof *c->rec.fields);
	c->cap = INITIAL_BUF;
	c->buf = malloc(c->cap + 1 + BUF_SLACK);
	c->rec.base = c->buf;
	c->ix_tried = SIZE_MAX;
	c->vector = gnbv_utf8_vector();
	c->wide = ix_wide();
	if (!c->name || !c->rec.fields || !c->buf) {
		gnbv_csv_free(c);
		return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	}
	*out = c;
	return 0;
}

int gnbv_csv_open(gnbv_csv **out, const char *path)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return gnbv_error_set(GNBV_EIO, "%s: cannot open: %s", path, strerror(errno));
	int rc = alloc_common(out, path);
	if (rc) {
		close(fd);
		return rc;
	}
	(*out)->fd = fd;
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	return 0;
}

/* Empties the buffer and the index for reading again from file offset
 * `at`, whose line is `line` (gnbv_csv_rewind, gnbv_csv_range). */
static void restart(gnbv_csv *c, uint64_t at, long line)
{
	c->consumed = at;
	c->rec.pos = c->len = c->clean = 0;
	c->eof = 0;
	c->rec.ix_r = c->rec.ix_nnl = 0;
	c->ix_tried = SIZE_MAX;
	c->rec.line = line;
	c->rec.nfields = 0;
	c->rec.seps = NULL;
}

int gnbv_csv_open_part(gnbv_csv **out, const gnbv_csv *whole)
{
	*out = NULL;
	if (whole->fd < 0) return gnbv_error_set(GNBV_EINVALID, "%s: not a file", whole->name);
	/* the same open file: a path opened again might be another file by now */
	int fd = fcntl(whole->fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0) return gnbv_error_set(GNBV_EIO, "%s: cannot open: %s", whole->name, strerror(errno));
	int rc = alloc_common(out, whole->name);
	if (rc) {
		close(fd);
		return rc;
	}
	(*out)->fd = fd;
	(*out)->part = 1;
	(*out)->started = 1; /* a part starts past the file's first bytes */
	return 0;
}

int gnbv_csv_range(gnbv_csv *c, uint64_t start, uint64_t end)
{
	if (!c->part || end < start) return gnbv_error_set(GNBV_EINVALID, "%s: not a part reader", c->name);
	c->next_off = start;
	c->part_end = end;
	restart(c, start, 1);
	return 0;
}

int gnbv_csv_fd(const gnbv_csv *c) { return c->fd; }

int gnbv_csv_open_mem(gnbv_csv **out, const char *name, const char *data, size_t len)
{
	*out = NULL;
	int rc = alloc_common(out, name);
	if (rc) return rc;
	(*out)->mem = data;
	(*out)->mem_len = len;
	return 0;
}

void gnbv_csv_free(gnbv_csv *c)
{
	if (!c) return;
	if (c->fd >= 0) close(c->fd);
	for (size_t i = 0; i < c->nheader; i++) free(c->header[i]);
	free(c->header);
	free(c->rec.fields);
	free(c->ix_sep_buf);
	free(c->ix_nl_buf);
	free(c->buf);
	free(c->name);
	free(c);
}

/* Checks the bytes read since the last check, up to the last newline (all of
 * them at the end of the input), as one span: records that end inside the
 * checked part skip the per-record check. UTF-8 sequences never cross a
 * newline (it is ASCII), so the span's answer is the answer for each of its
 * lines; and it is the answer for each field, since the quotes and commas
 * that splitting removes are ASCII too. A bad byte stops the span at the
 * line before it: the per-record check then finds it and names its field. */
static void extend_clean(gnbv_csv *c)
{
	size_t from = c->clean > c->rec.pos ? c->clean : c->rec.pos, to = c->len;
	if (from >= to) return;
	if (!c->eof) {
		const char *nl = memrchr(c->buf + from, '\n', to - from);
		if (!nl) return;
		to = (size_t)(nl - c->buf) + 1;
	}
	const unsigned char *s = (const unsigned char *)c->buf + from;
	size_t ok = gnbv_utf8_check(s, to - from, c->vector);
	if (ok < to - from) {
		const char *nl = ok ? memrchr(s, '\n', ok) : NULL;
		if (!nl) return;
		to = (size_t)(nl - c->buf) + 1;
	}
	c->clean = to;
}

/* Moves the unconsumed tail to the front and reads more. Returns bytes read
 * (0 at EOF) or a negative code. */
static int refill(gnbv_csv *c)
{
	c->rec.ix_r = c->rec.ix_nnl = 0; /* the offsets move */
	c->ix_tried = SIZE_MAX;
	if (c->rec.pos > 0) {
		memmove(c->buf, c->buf + c->rec.pos, c->len - c->rec.pos);
		c->clean = c->clean > c->rec.pos ? c->clean - c->rec.pos : 0;
		c->consumed += c->rec.pos;
		c->len -= c->rec.pos;
		c->rec.pos = 0;
	}
	if (c->len == c->cap) {
		if (c->cap >= GNBV_CSV_MAX_RECORD)
			return gnbv_error_set(GNBV_ETOOBIG,
					      "%s:%ld: record longer than %u MiB (an unterminated quote?)",
					      c->name, c->rec.line, GNBV_CSV_MAX_RECORD >> 20);
		size_t ncap = c->cap * 2;
		char *nb = realloc(c->buf, ncap + 1 + BUF_SLACK);
		if (!nb) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		c->buf = nb;
		c->rec.base = nb;
		c->cap = ncap;
	}
	size_t room = c->cap - c->len;
	ssize_t n;
	if (c->part) {
		size_t want = c->part_end - c->next_off < room ? (size_t)(c->part_end - c->next_off) : room;
		do n = want ? pread(c->fd, c->buf + c->len, want, (off_t)c->next_off) : 0;
		while (n < 0 && errno == EINTR);
		if (n < 0) return gnbv_error_set(GNBV_EIO, "%s: read error: %s", c->name, strerror(errno));
		c->next_off += (uint64_t)n;
	} else if (c->fd >= 0) {
		do n = read(c->fd, c->buf + c->len, room);
		while (n < 0 && errno == EINTR);
		if (n < 0) return gnbv_error_set(GNBV_EIO, "%s: read error: %s", c->name, strerror(errno));
	} else {
		n = (ssize_t)(c->mem_len - c->mem_pos < room ? c->mem_len - c->mem_pos : room);
		memcpy(c->buf + c->len, c->mem + c->mem_pos, (size_t)n);
		c->mem_pos += (size_t)n;
	}
	if (n == 0) c->eof = 1;
	c->len += (size_t)n;
	memset(c->buf + c->len, 0, BUF_SLACK);
	extend_clean(c);
	return (int)(n > 0);
}

/* First bytes of the file: what kind of file is it really? */
static int check_start(gnbv_csv *c)
{
	while (c->len - c->rec.pos < 4 && !c->eof) {
		int r = refill(c);
		if (r < 0) return r;
	}
	const unsigned char *b = (const unsigned char *)c->buf + c->rec.pos;
	size_t n = c->len - c->rec.pos;
	if (n >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4)
		return cerr(c, 1, GNBV_EINVALID,
			    "not a CSV file: this is a ZIP archive (an XLSX workbook?); save it as \"CSV UTF-8\"");
	if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
		return cerr(c, 1, GNBV_EINVALID, "not a UTF-8 CSV file: it is UTF-16; save it as \"CSV UTF-8\"");
	if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) c->rec.pos += 3;
	c->started = 1;
	return 0;
}

static int field_problem(gnbv_csv *c, size_t i, const unsigned char *bad)
{
	if (*bad == 0)
		return gnbv_csv_error(c, GNBV_EINVALID, i, "binary data (a NUL byte): not a CSV text file");
	return gnbv_csv_error(c, GNBV_EINVALID, i,
			      "invalid UTF-8 (a legacy TCVN3/VNI or Windows-1258 file?); save it as \"CSV UTF-8\"");
}

/* Every field must be UTF-8 without NUL. A plain record is checked as one
 * span (its separators are ASCII); an unescaped quoted one field by field,
 * since the bytes between its fields are left-overs of the unescaping. */
static int check_fields(gnbv_csv *c, int per_field)
{
	if (c->rec.nfields == 0) return 0;
	if (!per_field) {
		const gnbv_csv_field *z = &c->rec.fields[c->rec.nfields - 1];
		const unsigned char *s = (const unsigned char *)c->rec.fields[0].p;
		size_t n = (size_t)((const unsigned char *)z->p + z->len - s);
		size_t ok = gnbv_utf8_prefix(s, n);
		if (ok == n) return 0;
		const char *bad = (const char *)s + ok;
		size_t i = 0;
		while (i + 1 < c->rec.nfields && bad >= c->rec.fields[i + 1].p) i++;
		return field_problem(c, i, (const unsigned char *)bad);
	}
	for (size_t i = 0; i < c->rec.nfields; i++) {
		const unsigned char *s = (const unsigned char *)c->rec.fields[i].p;
		size_t n = c->rec.fields[i].len;
		size_t ok = gnbv_utf8_prefix(s, n);
		if (ok < n) return field_problem(c, i, s + ok);
	}
	return 0;
}

static int add_field(gnbv_csv *c, const char *p, size_t n)
{
	if (c->rec.nfields == GNBV_CSV_MAX_FIELDS)
		return cerr(c, c->rec.rec_line, GNBV_ETOOBIG, "more than 1024 fields in a record");
	c->rec.fields[c->rec.nfields].p = p;
	c->rec.fields[c->rec.nfields].len = (uint32_t)n;
	c->rec.nfields++;
	return 0;
}

/* Cuts fields at the commas of one block: `mc` has a bit for each comma
 * before the record's end, p is the block's start, *f the current field's.
 * The field cap is checked once per block, not once per comma: a block has
 * at most 32 commas. */
static inline int cut_fields(gnbv_csv *c, char *p, char **f, uint32_t mc)
{
	if (c->rec.nfields + 33 > GNBV_CSV_MAX_FIELDS) {
		while (mc) {
			char *comma = p + __builtin_ctz(mc);
			int rc = add_field(c, *f, (size_t)(comma - *f));
			if (rc) return rc;
			*f = comma + 1;
			mc &= mc - 1;
		}
		return 0;
	}
	gnbv_csv_field *fp = c->rec.fields + c->rec.nfields;
	char *start = *f;
	while (mc) {
		char *comma = p + __builtin_ctz(mc);
		fp->p = start;
		fp->len = (uint32_t)(comma - start);
		fp++;
		start = comma + 1;
		mc &= mc - 1;
	}
	c->rec.nfields = (size_t)(fp - c->rec.fields);
	*f = start;
	return 0;
}

/* The bytes after the last full block, one by one. */
static char *scan_tail(gnbv_csv *c, char *p, char *f, char *end, int *quoted, int *rc)
{
	for (; p < end; p++) {
		if (*p == ',') {
			if ((*rc = add_field(c, f, (size_t)(p - f)))) return NULL;
			f = p + 1;
		} else if (*p == '\n') {
			break;
		} else if (*p == '"') {
			*quoted = 1;
			return NULL;
		}
	}
	if ((*rc = add_field(c, f, (size_t)(p - f)))) return NULL;
	return p;
}

/* Fast path: scans from s for the end of a record without quotes, cutting
 * fields at commas as it goes (a block of bytes per step: one compare per
 * separator class, then the set bits are walked). Returns the '\n' that ends
 * the record, or `end` when the buffer ends first; sets *quoted and stops
 * when a quote comes before the record's end: that record takes the slow
 * path. The fields of an unfinished record are discarded by the caller.
 * Two versions: 16 bytes per step with SSE2, 32 with AVX2 (chosen at run
 * time, as the UTF-8 check). */
static inline char *scan_plain(gnbv_csv *c, char *s, char *end, int *quoted, int *rc)
{
	char *p = s, *f = s;
	*quoted = 0;
	*rc = 0;
	c->rec.nfields = 0;
#ifdef __SSE2__
	const __m128i vc = _mm_set1_epi8(','), vn = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"');
	for (; p + 16 <= end; p += 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)p);
		unsigned mc = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vc));
		unsigned mn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vn));
		unsigned mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b, vq));
		unsigned upto = mn ? (mn & (0u - mn)) - 1 : 0xFFFFu; /* bits before the newline */
		if (mq & upto) {
			*quoted = 1;
			return NULL;
		}
		if ((*rc = cut_fields(c, p, &f, mc & upto))) return NULL;
		if (mn) {
			char *nl = p + __builtin_ctz(mn);
			if ((*rc = add_field(c, f, (size_t)(nl - f)))) return NULL;
			return nl;
		}
	}
#endif
	return scan_tail(c, p, f, end, quoted, rc);
}

#ifdef GNBV_X86
__attribute__((target("avx2,bmi"))) static inline char *scan_plain_avx2(gnbv_csv *c, char *s, char *end,
								  int *quoted, int *rc)
{
	char *p = s, *f = s;
	*quoted = 0;
	*rc = 0;
	c->rec.nfields = 0;
	const __m256i vc = _mm256_set1_epi8(','), vn = _mm256_set1_epi8('\n'),
		      vq = _mm256_set1_epi8('"');
	for (; p + 32 <= end; p += 32) {
		__m256i b = _mm256_loadu_si256((const __m256i *)p);
		uint32_t mc = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, vc));
		uint32_t mn = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, vn));
		uint32_t mq = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, vq));
		uint32_t upto = _blsmsk_u32(mn); /* bits up to the newline; all without one */
		if (mq & upto) {
			*quoted = 1;
			return NULL;
		}
		if ((*rc = cut_fields(c, p, &f, mc & upto))) return NULL;
		if (mn) {
			char *nl = p + __builtin_ctz(mn);
			if ((*rc = add_field(c, f, (size_t)(nl - f)))) return NULL;
			return nl;
		}
	}
	return scan_tail(c, p, f, end, quoted, rc);
}
#endif

/* End of a record that contains quotes, from s: the first '\n' outside
 * quotes (RFC 4180: every '"' toggles the state, a doubled quote toggles it
 * twice). NULL when the record runs past e. Counts the newlines inside. */
static char *quoted_end(char *s, char *e, long *inner)
{
	int inq = 0;
	long n = 0;
	for (char *p = s; p < e; p++) {
		if (*p == '"') inq = !inq;
		else if (*p == '\n') {
			if (!inq) {
				*inner = n;
				return p;
			}
			n++;
		}
	}
	*inner = n;
	return NULL;
}

/* Parses the complete record [s, e) that holds quotes, unescaping in place
 * (the output never outgrows the input). */
static int split_quoted(gnbv_csv *c, char *s, char *e)
{
	char *p = s, *w = s;
	long line = c->rec.rec_line;
	for (;;) {
		char *f = w;
		if (p < e && *p == '"') {
			p++;
			for (;;) {
				if (p >= e)
					return cerr(c, c->rec.rec_line, GNBV_EINVALID,
						    "unterminated quoted field (a \" without its closing \")");
				if (*p == '"') {
					if (p + 1 < e && p[1] == '"') {
						*w++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				line += *p == '\n';
				*w++ = *p++;
			}
			if (p < e && *p == '\r' && p + 1 == e) p++;
			if (p < e && *p != ',')
				return cerr(c, line, GNBV_EINVALID,
					    "a character after a closing quote (write \"\" for a quote inside a quoted field)");
		} else {
			while (p < e && *p != ',') {
				if (*p == '"')
					return cerr(c, line, GNBV_EINVALID,
						    "a quote inside an unquoted field (quote the whole field and double the quote)");
				*w++ = *p++;
			}
			if (p == e && w > f && w[-1] == '\r') w--;
		}
		int rc = add_field(c, f, (size_t)(w - f));
		if (rc) return rc;
		if (p >= e) return 0;
		p++; /* the comma */
	}
}

/* The separator index. A flatten function writes the biased offsets (base +
 * bit) of m's set bits, eight at a time whatever their number, so that the
 * loop has one well-predicted branch per eight bits instead of one per bit;
 * the slots past the count are overwritten by the next call (the arrays
 * have room for the overshoot). TZ(m) must give 64 for m == 0: tzcnt does;
 * the portable copy says so with a condition (gcc turns `m ? ctz : 64`
 * into a branch per bit, so the vector copy calls tzcnt itself). Newlines,
 * one or two per block in the common file, take the short form. */
#define DEFINE_FLATTEN(name, few, attr, TZ, POPCNT) \
	static inline __attribute__((always_inline)) attr uint32_t name(uint32_t *out, uint64_t m, \
									uint32_t base) \
	{ \
		uint32_t n = (uint32_t)POPCNT(m); \
		_Pragma("GCC unroll 8") for (int j = 0; j < 8; j++) { \
			out[j] = base + (uint32_t)TZ(m); \
			m &= m - 1; \
		} \
		if (n > 8) { \
			_Pragma("GCC unroll 8") for (int j = 8; j < 16; j++) { \
				out[j] = base + (uint32_t)TZ(m); \
				m &= m - 1; \
			} \
			for (uint32_t j = 16; j < n; j++) { \
				out[j] = base + (uint32_t)TZ(m); \
				m &= m - 1; \
			} \
		} \
		return n; \
	} \
	static inline __attribute__((always_inline)) attr uint32_t few(uint32_t *out, uint64_t m, \
								       uint32_t base) \
	{ \
		uint32_t n = (uint32_t)POPCNT(m); \
		out[0] = base + (uint32_t)TZ(m); \
		m &= m - 1; \
		out[1] = base + (uint32_t)TZ(m); \
		m &= m - 1; \
		for (uint32_t j = 2; j < n; j++) { \
			out[j] = base + (uint32_t)TZ(m); \
			m &= m - 1; \
		} \
		return n; \
	}

#define TZ_PORTABLE(m) ((m) ? __builtin_ctzll(m) : 64)
DEFINE_FLATTEN(flatten_portable, flatten_few_portable, , TZ_PORTABLE, __builtin_popcountll)
#ifdef GNBV_X86
DEFINE_FLATTEN(flatten_avx2, flatten_few_avx2, __attribute__((target("avx2,bmi,popcnt"))), _tzcnt_u64,
	       _mm_popcnt_u64)
#endif

/* The masks of one 64-byte block at p: commas, newlines, quotes. */
typedef struct blockmask {
	uint64_t comma, nl, quote, cr;
} blockmask;

static inline __attribute__((always_inline)) blockmask masks_portable(const char *p)
{
	blockmask b = {0, 0, 0, 0};
	for (unsigned i = 0; i < 64; i++) {
		b.comma |= (uint64_t)(p[i] == ',') << i;
		b.nl |= (uint64_t)(p[i] == '\n') << i;
		b.quote |= (uint64_t)(p[i] == '"') << i;
		b.cr |= (uint64_t)(p[i] == '\r') << i;
	}
	return b;
}

#ifdef GNBV_X86
__attribute__((target("avx2"))) static inline blockmask masks_avx2(const char *p)
{
	const __m256i vc = _mm256_set1_epi8(','), vn = _mm256_set1_epi8('\n'), vq = _mm256_set1_epi8('"'),
		      vr = _mm256_set1_epi8('\r');
	__m256i a = _mm256_loadu_si256((const __m256i *)p), b = _mm256_loadu_si256((const __m256i *)(p + 32));
#define MASK64(v) \
	((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, v)) | \
	 (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, v)) << 32)
	blockmask m = {MASK64(vc), MASK64(vn), MASK64(vq), MASK64(vr)};
#undef MASK64
	return m;
}
#endif

/* Indexes buf[pos..) up to the window, the checked end or the first quote,
 * whichever comes first, then drops what follows the last newline: the
 * index holds whole plain records only (possibly none). One copy per
 * vector width, as the scanners. */
#define DEFINE_IX_BUILD(name, attr, MASKS, FLATTEN, FEW) \
	attr __attribute__((noinline)) static void name(gnbv_csv *c) \
	{ \
		size_t from = c->rec.pos, lim = c->clean; \
		if (lim > from + IX_WINDOW) lim = from + IX_WINDOW; \
		uint32_t ns = 1, nn = 0; \
		uint64_t cr = 0; \
		c->ix_sep_buf[0] = (uint32_t)from; \
		c->rec.ix_k = c->rec.ix_r = c->rec.ix_nnl = 0; \
		for (size_t o = from; o < lim; o += 64) { \
			blockmask b = MASKS(c->buf + o); \
			uint64_t keep = lim - o >= 64 ? ~0ull : (1ull << (lim - o)) - 1; \
			if (b.quote & keep) keep &= (b.quote & (0 - b.quote)) - 1; \
			uint32_t base = (uint32_t)o + 1; \
			ns += FLATTEN(c->ix_sep_buf + ns, (b.comma | b.nl) & keep, base); \
			nn += FEW(c->ix_nl_buf + nn, b.nl & keep, base); \
			cr |= b.cr & keep; \
			if (keep != ~0ull) break; \
		} \
		if (nn == 0) return; \
		uint32_t last = c->ix_nl_buf[nn - 1]; \
		while (c->ix_sep_buf[ns - 1] != last) ns--; \
		/* gnbv_csv__take compares the record's separator number `width` \
		 * with its newline: past the last record that slot held what the \
		 * flattening wrote beyond its count (a blank last line of a \
		 * two-column file was taken as a record with a cell of length \
		 * -1). Stops there, that no newline equals. */ \
		for (uint32_t k = 0; k <= c->rec.width; k++) c->ix_sep_buf[ns + k] = UINT32_MAX; \
		c->rec.ix_nnl = nn; \
		c->rec.ix_cr = cr != 0; \
	}

DEFINE_IX_BUILD(ix_build_portable, , masks_portable, flatten_portable, flatten_few_portable)
#ifdef GNBV_X86
DEFINE_IX_BUILD(ix_build_avx2, __attribute__((target("avx2,bmi,popcnt"))), masks_avx2, flatten_avx2,
		flatten_few_avx2)

/* AVX-512: a block's masks straight from three compares, and its separator
 * offsets without a step per separator: the byte positions 0..63 are
 * compressed by the mask (VBMI2), then widened to 32 bits and offset, 16
 * at a time. */
#define AVX512 __attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi,popcnt")))
AVX512 static inline blockmask masks_avx512(const char *p)
{
	__m512i v = _mm512_loadu_si512((const void *)p);
	blockmask m = {_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(',')),
		       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n')),
		       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')),
		       _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r'))};
	return m;
}

AVX512 static inline uint32_t flatten_avx512(uint32_t *out, uint64_t m, uint32_t base)
{
	const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48,
					     47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32,
					     31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
					     15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
	uint32_t n = (uint32_t)_mm_popcnt_u64(m);
	__m512i pos = _mm512_maskz_compress_epi8(m, iota), b = _mm512_set1_epi32((int)base);
	_mm512_storeu_si512((void *)out, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_castsi512_si128(pos)), b));
	for (uint32_t j = 16; j < n; j += 16) { /* the next 16 bytes of positions into lane 1 */
		__m512i w = _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(pos, 1));
		_mm512_storeu_si512((void *)(out + j), _mm512_add_epi32(w, b));
		pos = _mm512_alignr_epi32(pos, pos, 4);
	}
	return n;
}

DEFINE_IX_BUILD(ix_build_avx512, AVX512, masks_avx512, flatten_avx512, flatten_few_avx2)
#endif

/* The next record from the index: 1 when it had the expected shape (it is
 * the current record), 0 when it goes the ordinary way (the index has moved
 * past it; pos is still its start). */
static inline __attribute__((always_inline)) int ix_next(gnbv_csv *c)
{
	if (gnbv_csv__take(&c->rec)) return 1;
	/* more or fewer fields, or a blank line */
	uint32_t k = c->rec.ix_k, nl = c->rec.ix_nl[c->rec.ix_r++];
	while (c->rec.ix_sep[k] != nl) k++;
	c->rec.ix_k = k;
	return 0;
}

void gnbv_csv_expect(gnbv_csv *c, size_t n)
{
	if (n < 2 || n > GNBV_CSV_MAX_FIELDS) return;
	if (!c->ix_sep_buf) {
		c->ix_sep_buf = malloc(IX_SLOTS * sizeof *c->ix_sep_buf);
		c->ix_nl_buf = malloc(IX_SLOTS * sizeof *c->ix_nl_buf);
		if (!c->ix_sep_buf || !c->ix_nl_buf) { /* no index then: the ordinary way still works */
			free(c->ix_sep_buf), free(c->ix_nl_buf);
			c->ix_sep_buf = c->ix_nl_buf = NULL;
			return;
		}
	}
	c->rec.ix_sep = c->ix_sep_buf;
	c->rec.ix_nl = c->ix_nl_buf;
	c->rec.width = (uint32_t)n;
	c->rec.ix_r = c->rec.ix_nnl = 0;
	c->ix_tried = SIZE_MAX;
}

/* The record loop, once for each scanner so that each copy has its scanner
 * inlined (a record is short: the call and its out-parameters were a
 * tenth of its cost). */
static inline __attribute__((always_inline)) int next_record(gnbv_csv *c, int avx2)
{
	int rc;
	if (!c->started && (rc = check_start(c))) return rc;
	for (;;) {
		if (c->rec.width) {
			if (c->rec.ix_r < c->rec.ix_nnl) {
				if (ix_next(c)) return 1;
			} else if (c->rec.pos != c->ix_tried && c->rec.pos < c->clean) {
				c->ix_tried = c->rec.pos;
#ifdef GNBV_X86
				if (c->wide) ix_build_avx512(c);
				else if (avx2) ix_build_avx2(c);
				else
#endif
					ix_build_portable(c);
				continue;
			}
		}
		c->rec.seps = NULL;
		if (c->rec.pos >= c->len) {
			if (c->eof) return 0;
			if ((rc = refill(c)) < 0) return rc;
			continue;
		}
		char *s = c->buf + c->rec.pos, *bend = c->buf + c->len;
		int quoted;
#ifdef GNBV_X86
		char *e = avx2 ? scan_plain_avx2(c, s, bend, &quoted, &rc) : scan_plain(c, s, bend, &quoted, &rc);
#else
		(void)avx2;
		char *e = scan_plain(c, s, bend, &quoted, &rc);
#endif
		if (rc) return rc;
		long inner = 0;
		int has_nl;
		if (!quoted) {
			has_nl = e < bend;
			if (!has_nl && !c->eof) {
				if ((rc = refill(c)) < 0) return rc;
				continue;
			}
			/* CRLF: the CR belongs to no field. */
			gnbv_csv_field *last = &c->rec.fields[c->rec.nfields - 1];
			if (last->len && last->p[last->len - 1] == '\r') last->len--;
		} else {
			/* A newline may sit inside a quoted field: find the real end. */
			char *nl = quoted_end(s, bend, &inner);
			if (!nl && !c->eof) {
				if ((rc = refill(c)) < 0) return rc;
				continue;
			}
			has_nl = nl != NULL;
			e = nl ? nl : bend;
		}
		c->rec.rec_line = c->rec.line;
		c->rec.pos = (size_t)(e - c->buf) + (size_t)has_nl;
		c->rec.line += inner + has_nl;
		if (e == s || (e == s + 1 && *s == '\r')) continue; /* blank line */
		if (quoted) {
			c->rec.nfields = 0;
			if ((rc = split_quoted(c, s, e))) return rc;
		}
		/* A record inside the checked span needs no check of its own. */
		if (c->rec.pos > c->clean && (rc = check_fields(c, quoted))) return rc;
		return 1;
	}
}

#ifdef GNBV_X86
__attribute__((target("avx2,bmi"))) static int next_avx2(gnbv_csv *c) { return next_record(c, 1); }
#endif

static int next_portable(gnbv_csv *c) { return next_record(c, 0); }

int gnbv_csv_next_full(gnbv_csv *c)
{
#ifdef GNBV_X86
	if (c->vector) return next_avx2(c);
#endif
	return next_portable(c);
}

long gnbv_csv_line(const gnbv_csv *c) { return c->rec.rec_line; }
const char *gnbv_csv_name(const gnbv_csv *c) { return c->name; }
uint64_t gnbv_csv_offset(const gnbv_csv *c) { return c->consumed + c->rec.pos; }

const char *gnbv_csv_column(const gnbv_csv *c, size_t i)
{
	return i < c->nheader ? c->header[i] : "?";
}

int gnbv_csv_take_header(gnbv_csv *c)
{
	c->header = calloc(c->rec.nfields ? c->rec.nfields : 1, sizeof *c->header);
	if (!c->header) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->rec.nfields; i++) {
		const gnbv_csv_field *f = &c->rec.fields[i];
		/* Header names are matched trimmed of spaces, as Excel users type them. */
		const char *p = f->p;
		size_t n = f->len;
		while (n && (*p == ' ' || *p == '\t')) p++, n--;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
		c->header[i] = strndup(p, n);
		if (!c->header[i]) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		c->nheader = i + 1;
		if (n == 0)
			return gnbv_error_set(GNBV_EINVALID, "%s:%ld:%zu: header: column %zu has no name",
					      c->name, c->rec.rec_line, i + 1, i + 1);
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->header[j], c->header[i]) == 0)
				return gnbv_error_set(GNBV_EINVALID,
						      "%s:%ld:%zu: column '%s': appears twice in the header",
						      c->name, c->rec.rec_line, i + 1, c->header[i]);
	}
	c->data_start = c->consumed + c->rec.pos;
	c->data_line = c->rec.line;
	return 0;
}

int gnbv_csv_rewind(gnbv_csv *c)
{
	if (c->fd >= 0) {
		if (lseek(c->fd, (off_t)c->data_start, SEEK_SET) < 0)
			return gnbv_error_set(GNBV_EIO, "%s: cannot rewind: %s", c->name, strerror(errno));
	} else {
		c->mem_pos = (size_t)c->data_start;
	}
	restart(c, c->data_start, c->data_line);
	return 0;
}

__attribute__((format(printf, 5, 0))) static int verror(const gnbv_csv *c, int code, int with_col,
							 size_t col, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof msg, gnbv_tr(fmt), ap); /* in the thread's language */
	if (with_col)
		return gnbv_error_set(code, "%s:%ld:%zu: column '%s': %s", c->name, c->rec.rec_line,
				      col + 1, gnbv_csv_column(c, col), msg);
	return gnbv_error_set(code, "%s:%ld: %s", c->name, c->rec.rec_line, msg);
}

int gnbv_csv_error(const gnbv_csv *c, int code, size_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = verror(c, code, 1, col, fmt, ap);
	va_end(ap);
	return rc;
}

int gnbv_csv_error_line(const gnbv_csv *c, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = verror(c, code, 0, 0, fmt, ap);
	va_end(ap);
	return rc;
}
