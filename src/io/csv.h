/*
 * csv.h - a streaming RFC 4180 reader with bounded memory.
 *
 * Records are returned as spans into the reader's buffer (no allocation per
 * field), valid until the next call. Quoted fields are unescaped in place.
 * The reader validates UTF-8, refuses binary data, ZIP (XLSX) and UTF-16
 * files with a message saying what the file is, skips a UTF-8 BOM, accepts
 * LF and CRLF, and caps a record at GNBV_CSV_MAX_RECORD bytes and
 * GNBV_CSV_MAX_FIELDS fields. Errors name the file, the line where the
 * record starts and, once the header is known, the column by name.
 */
#ifndef GNBV_IO_CSV_H
#define GNBV_IO_CSV_H

#include <stddef.h>
#include <stdint.h>

#define GNBV_CSV_MAX_RECORD (4u << 20)
#define GNBV_CSV_MAX_FIELDS 1024

typedef struct gnbv_csv gnbv_csv;

/* A cell: len bytes at p, in the reader's buffer, followed there by at
 * least 64 readable bytes (the buffer's slack), so that short cells may be
 * read and copied a word or 32 bytes at a time. */
typedef struct gnbv_csv_field {
	const char *p;
	uint32_t len;
} gnbv_csv_field;

/* Opens a file (`name` is what messages call it: the path as the user gave
 * it). */
int gnbv_csv_open(gnbv_csv **out, const char *path);

/* Reads from memory (fuzzing, tests). The data is not copied: it must
 * outlive the reader. */
int gnbv_csv_open_mem(gnbv_csv **out, const char *name, const char *data, size_t len);

/* A reader of part of the file `whole` reads (its descriptor duplicated:
 * the same open file), for reading a file in parts on several threads. It
 * reads nothing until gnbv_csv_range. Its records have no header (columns
 * are "?" in messages) and its lines count from the part's start. */
int gnbv_csv_open_part(gnbv_csv **out, const gnbv_csv *whole);

/* Sets a part reader to bytes [start, end) of the file, read as a whole
 * input: end is its end of file, and a record still open there (in a
 * quote) is the reader's usual error. Keeps gnbv_csv_expect. */
int gnbv_csv_range(gnbv_csv *c, uint64_t start, uint64_t end);

/* The file descriptor of a file reader, -1 for a memory one. */
int gnbv_csv_fd(const gnbv_csv *c);

void gnbv_csv_free(gnbv_csv *c);

/* The current record and the reader's position, at the start of every
 * reader, so that the accessors below and the common case of
 * gnbv_csv_next cost no call (they run on every record of a national
 * round); the rest of the reader is private to csv.c. */
typedef struct gnbv_csv_record {
	gnbv_csv_field *fields;
	size_t nfields;
	/* A record cut by the separator index (gnbv_csv_expect) has no
	 * `fields`: cell i runs from base + seps[i] to base + seps[i + 1] - 1,
	 * the last one to base + last_end (without a CR before its newline).
	 * NULL for every other record. */
	const uint32_t *seps;
	const char *base;    /* the buffer */
	uint32_t last_end;
	/* The separator index: offsets biased by one (the separator at
	 * base[o] is stored as o + 1, the start of the cell after it);
	 * ix_sep[ix_k] is the next record's start, ix_nl[ix_r] its newline. */
	const uint32_t *ix_sep, *ix_nl;
	uint32_t ix_k, ix_r, ix_nnl;
	uint32_t width;      /* expected fields per record, 0: no index */
	uint32_t ix_cr;      /* the index's window holds a CR: a record may end in CRLF */
	size_t pos;          /* base[pos..) is not consumed yet */
	long line;           /* line of the next unconsumed byte */
	long rec_line;       /* line where the current record starts */
} gnbv_csv_record;

int gnbv_csv_next_full(gnbv_csv *c);

/* The next record of the index (ix_r < ix_nnl) as the current one, when it
 * has the expected shape: one compare (is its last expected separator its
 * newline?) and a few stores. 0 when it has another: csv.c reads it. */
static inline int gnbv_csv__take(gnbv_csv_record *r)
{
	uint32_t w = r->width, nl = r->ix_nl[r->ix_r];
	const uint32_t *s = r->ix_sep + r->ix_k;
	if (s[w] != nl) return 0;
	uint32_t end = nl - 1; /* the newline */
	/* the byte before the newline is read only in a window with a CR: a
	 * load per record that missed L1 more often than not */
	if (r->ix_cr && end > s[w - 1] && r->base[end - 1] == '\r') end--;
	r->ix_r++;
	r->ix_k += w;
	r->seps = s;
	r->last_end = end;
	r->nfields = w;
	r->rec_line = r->line++;
	r->pos = nl;
	return 1;
}

/* Reads the next record: 1 when there is one, 0 at end of file, a negative
 * code with the message on error. Blank lines are skipped. The common case
 * of an indexed reader is taken inline. */
static inline int gnbv_csv_next(gnbv_csv *c)
{
	gnbv_csv_record *r = (gnbv_csv_record *)(void *)c;
	if (r->ix_r < r->ix_nnl && gnbv_csv__take(r)) return 1;
	return gnbv_csv_next_full(c);
}

static inline size_t gnbv_csv_nfields(const gnbv_csv *c)
{
	return ((const gnbv_csv_record *)(const void *)c)->nfields;
}

/* The current record's fields as spans: only for a reader without
 * gnbv_csv_expect (or a record whose `seps` is NULL); gnbv_csv_cell works
 * for every record. */
static inline const gnbv_csv_field *gnbv_csv_fields(const gnbv_csv *c)
{
	return ((const gnbv_csv_record *)(const void *)c)->fields;
}

static inline const gnbv_csv_record *gnbv_csv_rec(const gnbv_csv *c)
{
	return (const gnbv_csv_record *)(const void *)c;
}

/* Cell i (< gnbv_csv_nfields) of the current record, whichever way it was
 * cut. */
static inline gnbv_csv_field gnbv_csv_cell(const gnbv_csv *c, size_t i)
{
	const gnbv_csv_record *r = (const gnbv_csv_record *)(const void *)c;
	if (!r->seps) return r->fields[i];
	uint32_t a = r->seps[i], b = i + 1 == r->nfields ? r->last_end : r->seps[i + 1] - 1;
	gnbv_csv_field f = {r->base + a, b - a};
	return f;
}

/* Tells the reader that every record should have `n` fields (the header's
 * count; n >= 2): from then on, records without quotes are cut from an index
 * of the separators built a window at a time, without a branch per field,
 * and handed over as `seps` (read them with gnbv_csv_cell). A record with
 * another count, a quote or a bad byte is read the ordinary way, with the
 * same messages. */
void gnbv_csv_expect(gnbv_csv *c, size_t n);

/* Line (1-based) where the current record starts. */
long gnbv_csv_line(const gnbv_csv *c);

const char *gnbv_csv_name(const gnbv_csv *c);

/* Takes the current record as the header: copies the names so that later
 * messages can name columns. Fails on an empty or duplicate name. */
int gnbv_csv_take_header(gnbv_csv *c);

/* Header name of column i (0-based), or "?". */
const char *gnbv_csv_column(const gnbv_csv *c, size_t i);

/* Stores "NAME:LINE:COL: column 'X': <msg>" for the current record and
 * column i (0-based), and returns `code`. */
int gnbv_csv_error(const gnbv_csv *c, int code, size_t col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Same without a column: "NAME:LINE: <msg>". */
int gnbv_csv_error_line(const gnbv_csv *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Rewinds a file-backed reader to its first record (after the header when
 * one was taken). */
int gnbv_csv_rewind(gnbv_csv *c);

/* Bytes consumed so far (for progress bars and MB/s). */
uint64_t gnbv_csv_offset(const gnbv_csv *c);

#endif
