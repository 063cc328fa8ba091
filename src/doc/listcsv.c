/*
 * listcsv.c - the lists as CSV, one writer per list for both fronts (see
 * listcsv.h): the review rounds of a year, a round's list, the transitions
 * between recognised rounds, the households expected to escape poverty,
 * the plans of a scope and a plan's budget lines.
 *
 * These lists used to be printed by the CLI alone; the web's downloads
 * call the same writers, so "the list on the screen as CSV" and "the list
 * the command prints" cannot drift apart. Cells that hold text from the
 * store (names, decision numbers, free text) are quoted by the CSV rules
 * and a cell starting like a formula is made inert (quality.md S6):
 * officers open these files in a spreadsheet.
 */
#include "doc/listcsv.h"

#include "gnbv/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void gnbv_listcsv_cell(FILE *f, const char *s, int first)
{
	if (!first) fputc(',', f);
	if (!s) return;
	int formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
	              s[0] == '\r';
	if (!formula && !strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula) fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"') fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int row_end(FILE *f)
{
	fputc('\n', f);
	return ferror(f) ? gnbv_error_set(GNBV_EIO, "writing a list: output error") : 0;
}

/* ---- review rounds ---- */

void gnbv_listcsv_rounds_head(FILE *f)
{
	fputs("commune,name,year,step,decision_no,decision_date,submitted_by,reopened,adhoc_open\n",
	      f);
}

int gnbv_listcsv_round(FILE *f, const gnbv_review_round_info *r)
{
	gnbv_listcsv_cell(f, r->commune, 1);
	gnbv_listcsv_cell(f, r->commune_name, 0);
	fprintf(f, ",%d,%s", r->year, gnbv_review_step_name(r->step));
	gnbv_listcsv_cell(f, r->decision_no, 0);
	gnbv_listcsv_cell(f, r->decision_date, 0);
	gnbv_listcsv_cell(f, r->submitted_by, 0);
	fprintf(f, ",%d,%" PRIu64, r->reopen_count, r->adhoc_open);
	return row_end(f);
}

/* ---- a round's list ---- */

void gnbv_listcsv_entries_head(FILE *f)
{
	fputs("household_code,unit_code,source,prev_class,applied_on,class,vote,in_favour,"
	      "participants\n",
	      f);
}

int gnbv_listcsv_entry(FILE *f, const gnbv_review_entry *e)
{
	gnbv_listcsv_cell(f, e->household_code, 1);
	gnbv_listcsv_cell(f, e->unit_code, 0);
	gnbv_listcsv_cell(f, e->source, 0);
	gnbv_listcsv_cell(f, e->prev_class, 0);
	gnbv_listcsv_cell(f, e->applied_on, 0);
	gnbv_listcsv_cell(f, e->klass, 0);
	gnbv_listcsv_cell(f, e->vote, 0);
	/* The counts only with a vote: no vote is not "0 of 0". */
	if (e->vote[0])
		fprintf(f, ",%" PRId64 ",%" PRId64, e->in_favour, e->participants);
	else
		fputs(",,", f);
	return row_end(f);
}

/* ---- transitions ---- */

void gnbv_listcsv_transitions_head(FILE *f)
{
	fputs("household_code,prev_class,class,poverty,near_poverty,move,area,minority,origin\n",
	      f);
}

int gnbv_listcsv_transition(FILE *f, const gnbv_transition *t)
{
	gnbv_listcsv_cell(f, t->household_code, 1);
	gnbv_listcsv_cell(f, t->prev_class, 0);
	gnbv_listcsv_cell(f, t->cur_class, 0);
	fprintf(f, ",%s,%s,%s,%s,%s", gnbv_transition_kind_name(t->kind),
	        gnbv_transition_near_name(t->near), gnbv_transition_move_name(t->move),
	        t->area == GNBV_AREA_URBAN   ? "urban"
	        : t->area == GNBV_AREA_RURAL ? "rural"
	                                     : "",
	        t->minority < 0 ? ""
	        : t->minority   ? "1"
	                        : "0");
	gnbv_listcsv_cell(f, t->origin, 0);
	return row_end(f);
}

/* ---- expected to escape ---- */

void gnbv_listcsv_escape_head(FILE *f)
{
	fputs("commune,household_code,head,base_class,base_year,deficits,helper,helper_position,"
	      "supports,support_vnd,components,outcome,escaped\n",
	      f);
}

/* Appends s to b[*n..cap); 0, or -1 when it does not fit. */
static int append(char *b, size_t cap, size_t *n, const char *s)
{
	size_t k = strlen(s);
	if (*n + k >= cap) return -1;
	memcpy(b + *n, s, k + 1);
	*n += k;
	return 0;
}

int gnbv_listcsv_escape(FILE *f, const gnbv_escape_item *e, const gnbv_escape_map *map)
{
	/* "deficit=code+code;deficit=code": at most 14 deficits of 6 targets. */
	char defs[GNBV_ESCAPE_MAX_DEFICITS * (24 + 6 * 33) + 16];
	size_t n = 0;
	defs[0] = '\0';
	for (size_t i = 0; i < e->n_deficits; i++) {
		size_t nt = 0;
		const gnbv_escape_target *t =
		    map ? gnbv_escape_map_find(map, e->deficits[i], &nt) : NULL;
		if ((i && append(defs, sizeof defs, &n, ";")) ||
		    append(defs, sizeof defs, &n, e->deficits[i]) ||
		    append(defs, sizeof defs, &n, "="))
			return gnbv_error_set(GNBV_ETOOBIG, "escape list: deficits too long");
		for (size_t k = 0; t && k < nt; k++)
			if ((k && append(defs, sizeof defs, &n, "+")) ||
			    append(defs, sizeof defs, &n, t[k].code))
				return gnbv_error_set(GNBV_ETOOBIG,
				                      "escape list: deficits too long");
	}
	gnbv_listcsv_cell(f, e->commune, 1);
	gnbv_listcsv_cell(f, e->household_code, 0);
	gnbv_listcsv_cell(f, e->head, 0);
	gnbv_listcsv_cell(f, e->base_class, 0);
	fprintf(f, ",%d", e->base_year);
	gnbv_listcsv_cell(f, defs, 0);
	gnbv_listcsv_cell(f, e->helper, 0);
	gnbv_listcsv_cell(f, e->helper_position, 0);
	fprintf(f, ",%" PRIu64 ",%" PRId64, e->supports, e->support_vnd);
	gnbv_listcsv_cell(f, e->components, 0);
	gnbv_listcsv_cell(f, e->outcome, 0);
	fputs(e->escaped < 0 ? "," : e->escaped ? ",1" : ",0", f);
	return row_end(f);
}

/* ---- plans ---- */

void gnbv_listcsv_plans_head(FILE *f)
{
	fputs("unit_code,unit_name,plan_year,report_year,status,number,lines,updated_at\n", f);
}

int gnbv_listcsv_plan(FILE *f, const gnbv_plan_info *p)
{
	gnbv_listcsv_cell(f, p->unit_code, 1);
	gnbv_listcsv_cell(f, p->unit_name, 0);
	fprintf(f, ",%d,%d", p->plan_year, p->report_year);
	gnbv_listcsv_cell(f, gnbv_plan_status_code(p->status), 0);
	gnbv_listcsv_cell(f, p->number, 0);
	fprintf(f, ",%zu", p->n_lines);
	gnbv_listcsv_cell(f, p->updated_at, 0);
	return row_end(f);
}

void gnbv_listcsv_lines_head(FILE *f)
{
	fputs("line_id,year,section,component,project,capital_type,source,stage,amount_vnd,item\n",
	      f);
}

int gnbv_listcsv_line(FILE *f, const gnbv_plan_line *l, const gnbv_program *prog)
{
	const gnbv_component *pj =
	    l->component && prog ? gnbv_program_project(prog, l->component) : NULL;
	gnbv_listcsv_cell(f, l->id, 1);
	fprintf(f, ",%d,%c", l->year, 'A' + l->section);
	gnbv_listcsv_cell(f, l->component, 0);
	gnbv_listcsv_cell(f, pj ? pj->code : NULL, 0);
	gnbv_listcsv_cell(f, gnbv_capital_code(l->capital), 0);
	gnbv_listcsv_cell(f, gnbv_source_code(l->source), 0);
	gnbv_listcsv_cell(f, gnbv_stage_code(l->stage), 0);
	fprintf(f, ",%" PRId64, l->amount_vnd);
	gnbv_listcsv_cell(f, l->item, 0);
	return row_end(f);
}
