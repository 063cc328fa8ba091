/*
 * review_int.h - what the review files of the store share (review.c,
 * transition.c), and the lock check the registry's writer calls. Internal
 * to src/store.
 */
#ifndef GNBV_STORE_REVIEW_INT_H
#define GNBV_STORE_REVIEW_INT_H

#include "store_int.h"

#include "gnbv/review.h"

/* 0 when the round's surveys, assessments and lists may change; otherwise
 * GNBV_ECONFLICT with a message naming the round, its step and who can
 * reopen it (a round submitted for recognition or recognised is locked,
 * Decision 24/2021/QĐ-TTg step 5; quality.md S2). Every write path into a
 * round calls it: import and household_put (through
 * gnbv__writer_check_round), and each function of review.c. */
int gnbv__round_writable(gnbv_store *s, int64_t round_id);

/* A commune, resolved for a year's round. */
typedef struct gnbv__commune {
	int64_t unit_id;
	char code[GNBV_STORE_CODE_MAX + 1];
	char name[GNBV_STORE_NAME_MAX + 1];
	char path[GNBV_SCOPE_PATH_MAX];
	char level[16];
} gnbv__commune;

/* The unit `code` valid on yyyymmdd `on`, with its path. */
int gnbv__commune_get(gnbv_store *s, const char *code, int32_t on, gnbv__commune *out);

/* The periodic round of a commune and year: *round_id 0 when none; *step
 * gets its gnbv_review_step (GNBV_STEP_NONE without a workflow). */
int gnbv__round_find(gnbv_store *s, int64_t unit_id, int year, int64_t *round_id, int *step);

/* The commune's last recognised periodic round before `year`: *round_id 0
 * when none. */
int gnbv__round_prev(gnbv_store *s, int64_t unit_id, int year, int64_t *round_id, int *prev_year);

/* Prepares `sql` and binds its parameters from `fmt`, one letter each:
 * 'i' an int64_t, 'd' an int, 't' a const char * (NULL binds NULL). */
int gnbv__q(gnbv_store *s, gnbv_bstmt **st, const char *sql, const char *fmt, ...);
/* The same, stepped to completion and finalized (a statement without rows). */
int gnbv__x(gnbv_store *s, const char *sql, const char *fmt, ...);

/* The keys that find a commune's round's surveys through the indexes
 * (unit path range, then survey (unit_id, period)): a round's surveys are
 * those of its period whose unit lies in the commune's subtree. SQL:
 * "FROM unit u JOIN survey s ON s.unit_id = u.unit_id WHERE u.path >= ?
 * AND u.path < ? AND s.period = ? AND s.round_id = ? AND s.replaced_by IS
 * NULL" (bind lo, hi, period, round_id). */
typedef struct gnbv__rkeys {
	char lo[GNBV_SCOPE_PATH_MAX + 2], hi[GNBV_SCOPE_PATH_MAX + 2], period[32];
} gnbv__rkeys;
void gnbv__round_keys(const char *commune_path, int year, gnbv__rkeys *k);

/* The current UTC time as 'YYYY-MM-DDTHH:MM:SSZ'. */
void gnbv__now_text(char out[32]);

#endif
