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

void gnbv_csv_free(gnbv_csv *c);

/* Reads the next record: 1 when there is one, 0 at end of file, a negative
 * code with the message on error. Blank lines are skipped. */
int gnbv_csv_next(gnbv_csv *c);

/* The current record, at the start of every reader, so that the two
 * accessors below cost no call (row parsers use them on every record);
 * the rest of the reader is private to csv.c. */
typedef struct gnbv_csv_record {
	gnbv_csv_field *fields;
	size_t nfields;
} gnbv_csv_record;

static inline size_t gnbv_csv_nfields(const gnbv_csv *c)
{
	return ((const gnbv_csv_record *)(const void *)c)->nfields;
}

static inline const gnbv_csv_field *gnbv_csv_fields(const gnbv_csv *c)
{
	return ((const gnbv_csv_record *)(const void *)c)->fields;
}

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
