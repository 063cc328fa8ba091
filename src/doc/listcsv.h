/*
 * listcsv.h - the lists as CSV (src/doc/listcsv.c): one writer per list,
 * shared by the CLI (which prints them) and the web (which sends them as
 * downloads), so that a list downloaded from a screen is byte for byte
 * what the command prints.
 *
 * Each list has a header writer and a row writer over a stdio stream;
 * rows are the structs the store hands out (gnbv/review.h,
 * gnbv/plan_store.h), written as they are, never recomputed. Lines end in
 * LF; the caller adds a byte order mark where a spreadsheet needs one.
 * Every text cell goes through gnbv_listcsv_cell (quality.md S6).
 */
#ifndef GNBV_DOC_LISTCSV_H
#define GNBV_DOC_LISTCSV_H

#include "gnbv/plan.h"
#include "gnbv/plan_store.h"
#include "gnbv/review.h"

#include <stdio.h>

/* One cell; first 0 writes the comma before it. Quoted when it holds a
 * comma, a quote, CR or LF; a leading = + - @ TAB or CR is made inert with
 * a quote inside the quotes, so that no spreadsheet runs it as a formula.
 * NULL writes an empty cell. */
void gnbv_listcsv_cell(FILE *f, const char *s, int first);

/* Row writers return 0 or GNBV_EIO when the stream failed. */

/* The periodic rounds of a year (gnbv_review_rounds_each). */
void gnbv_listcsv_rounds_head(FILE *f);
int gnbv_listcsv_round(FILE *f, const gnbv_review_round_info *r);

/* A round's list and surveyed households (gnbv_review_list_each). */
void gnbv_listcsv_entries_head(FILE *f);
int gnbv_listcsv_entry(FILE *f, const gnbv_review_entry *e);

/* The transitions into a recognised round (gnbv_review_transitions). */
void gnbv_listcsv_transitions_head(FILE *f);
int gnbv_listcsv_transition(FILE *f, const gnbv_transition *t);

/* The households expected to escape poverty (gnbv_escape_each), each
 * deficit with what addresses it in `map`. */
void gnbv_listcsv_escape_head(FILE *f);
int gnbv_listcsv_escape(FILE *f, const gnbv_escape_item *e, const gnbv_escape_map *map);

/* The plans of a scope (gnbv_store_plan_list). */
void gnbv_listcsv_plans_head(FILE *f);
int gnbv_listcsv_plan(FILE *f, const gnbv_plan_info *p);

/* Budget lines, with the project each belongs to in `prog` (may be NULL). */
void gnbv_listcsv_lines_head(FILE *f);
int gnbv_listcsv_line(FILE *f, const gnbv_plan_line *l, const gnbv_program *prog);

#endif
