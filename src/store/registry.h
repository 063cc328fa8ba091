/*
 * registry.h - the household registry's writer, shared by gnbv_store_import
 * (many households in one transaction) and gnbv_store_household_put (one),
 * so that both validate, assess, detect "nothing changed" and keep history
 * the same way. Internal to src/store.
 */
#ifndef GNBV_STORE_REGISTRY_H
#define GNBV_STORE_REGISTRY_H

#include "store_int.h"

#include "gnbv/standard.h"

/* One member ready to write: strings are offsets into the household's
 * arena (NFC, validated). */
typedef struct gnbv__xmem {
	gnbv_member m;
	uint32_t name_off, key_off, eth_off, birth_off, extra_off;
	uint16_t name_len, key_len, eth_len, birth_len;
	uint32_t extra_len;
	uint32_t hidx;  /* import: the household's index in the file */
	uint32_t line;  /* import: line of the member's record */
	uint8_t worker; /* out: a low-income worker (Decree 30/2025) */
} gnbv__xmem;

/* One household ready to write. */
typedef struct gnbv__xhh {
	const char *code;
	size_t code_len;
	long unit;         /* index in the writer's unit tree */
	gnbv_household h;  /* inputs; h.area as given (GNBV_AREA_UNKNOWN: from the unit) */
	const char *extra; /* canonical JSON object of unknown columns, or NULL */
	size_t extra_len;
	gnbv__xmem *m; /* members, any order (sorted by the writer) */
	size_t n;
	const char *arena; /* what the members' offsets point into */
} gnbv__xhh;

enum { GNBV__UNCHANGED, GNBV__ADDED, GNBV__CHANGED };

enum {
	W_SEL_HOUSEHOLD,
	W_SEL_SURVEY,
	W_UPD_HOUSEHOLD,
	W_UPD_REPLACED,
	W_SEL_ROUND,
	W_INS_ROUND,
	W_NSTMT
};

/* Households per gnbv__writer_put_batch, and rows per multi-row INSERT:
 * one statement per 16 households or 32 members instead of one per row
 * (SQLite's per-statement cost is a large share of a bulk load). */
#define GNBV__BATCH   64
#define GNBV__ROWS_HH 16
#define GNBV__ROWS_M  32

/* What the writer decided for one household of a batch. */
typedef struct gnbv__pend {
	int64_t household_id, survey_id, old_survey;
	uint64_t hash;
	int area, ins_household, write;
	gnbv_assessment a;
} gnbv__pend;

typedef struct gnbv__writer {
	gnbv_store *s;
	const gnbv_scope *scope;
	gnbv__utree *ut;
	gnbv_standard std;
	int kind, year;
	int32_t ref_date;
	char ref_text[11];
	char period[32];
	int std_given, date_given;
	int64_t seq;
	int64_t next_household, next_survey, next_round;
	int started;
	int all_new;       /* the registry had no household at the start */
	int64_t *round_of; /* per unit index: the commune's round id; 0 not yet */
	gnbv_bstmt *st[W_NSTMT];
	gnbv_bstmt *ins_hh[GNBV__ROWS_HH + 1], *ins_sv[GNBV__ROWS_HH + 1], *ins_m[GNBV__ROWS_M + 1];
	gnbv__pend pend[GNBV__BATCH];
	char devices[GNBV__BATCH][64]; /* bound text must outlive the bind */
	uint64_t added, changed, unchanged, rounds_created;
	uint64_t by_class[GNBV_CLASS_COUNT];
	int64_t last_survey, last_replaced; /* of the last household put */
	gnbv_assessment last_a;
} gnbv__writer;

/* The period key of a round: "periodic:2021", "adhoc:2021-11-15". Fills
 * the writer's kind, year, ref_date, ref_text, period and standard.
 * Validates the round reference. */
int gnbv__round_resolve(const gnbv_round_ref *r, int *kind, int32_t *ref_date, char period[32]);

/* Opens a writer inside the caller's transaction: loads the unit tree and
 * the round's default standard, prepares the statements. */
int gnbv__writer_open(gnbv__writer *w, gnbv_store *s, const gnbv_scope *scope,
                      const gnbv_round_ref *r);
void gnbv__writer_close(gnbv__writer *w);

/* Checks (and adopts) an existing round of this commune: an existing round
 * keeps its date and standard; asking for others is GNBV_ECONFLICT. Call
 * for every commune before gnbv__writer_start. */
int gnbv__writer_check_round(gnbv__writer *w, long unit);

/* Reserves ids and the audit record; after every check. */
int gnbv__writer_start(gnbv__writer *w);

/* Writes one household; *outcome gets GNBV__ADDED, _CHANGED or
 * _UNCHANGED. The members' `worker` flags are set. */
int gnbv__writer_put(gnbv__writer *w, gnbv__xhh *x, int *outcome);

/* Writes n <= GNBV__BATCH households (their memory is only read during
 * the call); outcomes may be NULL. */
int gnbv__writer_put_batch(gnbv__writer *w, gnbv__xhh *x, size_t n, int *outcomes);

/* Stores the id counters. */
int gnbv__writer_finish(gnbv__writer *w);

/* Resolves a household's unit code on the writer's reference date and
 * checks it against the scope; the message names what is wrong (the caller
 * prefixes FILE:LINE:COL). Returns the unit index or a negative code. */
long gnbv__writer_unit(gnbv__writer *w, const char *code, size_t len, char *why, size_t why_cap,
                       int *code_out);

/* The area the assessment uses: the household's own, else its unit's. */
int gnbv__writer_area(const gnbv__writer *w, const gnbv__xhh *x);

extern const char *const GNBV__RULE_CODES[GNBV_RULE_COUNT];
extern const char *const GNBV__WORK[6];
extern const char *const GNBV__REL[6];
extern const char *const GNBV__LEVEL[GNBV_LEVEL_COUNT];
extern const char *const GNBV__DEVICE[5];

/* Canonical devices text of a mask ("tv;smartphone"). */
size_t gnbv__devices_text(unsigned mask, char *out, size_t cap);
/* A double in the shortest fixed-point text that reads back equal. */
size_t gnbv__fmt_real(double v, char *out, size_t cap);

#endif
