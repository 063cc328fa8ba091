/*
 * cli.h - the command table of the gnbv command and what commands share.
 */
#ifndef GNBV_CLI_H
#define GNBV_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes (architecture.md "The command line"). */
enum { EXIT_OK = 0, EXIT_USER = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

typedef struct gnbv_cli {
	const char *db;   /* --db PATH, $GNBV_DB, or "gnbv.db" */
	int db_given;     /* --db or $GNBV_DB was given */
	int english;      /* --lang en */
} gnbv_cli;

typedef int (*gnbv_cmd_fn)(const gnbv_cli *g, int argc, char **argv);

typedef struct gnbv_command {
	const char *name;
	gnbv_cmd_fn run;
	const char *args;    /* usage after the name */
	const char *summary; /* one line, English */
	const char *help;    /* the options, one per line */
	const char *summary_vi, *help_vi; /* the same in Vietnamese (the default language) */
} gnbv_command;

/* Prints "gnbv: error: <library message>" and maps the code to an exit code. */
int gnbv_cli_fail(int rc);

/* Prints "gnbv: usage: gnbv NAME ARGS" and returns EXIT_USAGE. */
int gnbv_cli_usage(const char *name);

/* Parses YYYY-MM-DD into yyyymmdd; -1 when malformed. */
int gnbv_cli_date(const char *s, int32_t *out);

/* Writes s to stdout padded with spaces to `width` characters (code
 * points: NFC Vietnamese is one per letter), on the left when `right`. */
void gnbv_cli_pad(const char *s, int width, int right);
/* v in the reader's number format (133.086, or 133,086 when `english`)
 * into buf (cap >= 32); returns buf, for a printf argument. */
const char *gnbv_cli_num(char *buf, size_t cap, int64_t v, int english);
/* A count, and a share part/whole (gnbv_fmt_pct), right-aligned in `width`. */
struct gnbv_numstyle;
void gnbv_cli_pad_int(uint64_t v, int width, const struct gnbv_numstyle *st);
void gnbv_cli_pad_pct(uint64_t part, uint64_t whole, int width, const struct gnbv_numstyle *st);

/* The classes part of a summary line (classify, import), appended to sb:
 * "nghèo 5.546 (39,59%), cận nghèo 1.131 (8,07%), ..." or, `english`,
 * "poor 5,546 (39.59%), near-poor 1,131 (8.07%), ...": every class in
 * gnbv_class order, by_class[GNBV_CLASS_COUNT] with its share of
 * `households` in that language's number format. */
struct gnbv_sb;
void gnbv_cli_classes(struct gnbv_sb *sb, const uint64_t *by_class, uint64_t households,
                      int english);

/* A CSV cell on stdout, quoted when it must be; a comma first unless
 * `first`. */
void gnbv_cli_csv_cell(const char *s, int first);

/* Warning sink for library calls: "gnbv: warning: MSG" on stderr. */
void gnbv_cli_warn(void *ctx, const char *msg);

/* The commands (one file each). */
int gnbv_cmd_classify(const gnbv_cli *g, int argc, char **argv);
int gnbv_cmd_gen(const gnbv_cli *g, int argc, char **argv);
int gnbv_cmd_demo(const gnbv_cli *g, int argc, char **argv);
int gnbv_cmd_standards(const gnbv_cli *g, int argc, char **argv);

int gnbv_cli_main(int argc, char **argv);

#endif
