/*
 * mfeed.h - members.csv parsed ahead, on a second thread when there is one.
 *
 * The classify batch path spends most of its time reading and parsing the
 * members file, which is several times larger than the households file. The
 * feed parses it in batches on a producer thread while the caller reads
 * households, assesses and writes, and hands members back, grouped by
 * household, strictly in file order, so that the results (and the first
 * error reported) are the same as with one thread.
 */
#ifndef GNBV_IO_MFEED_H
#define GNBV_IO_MFEED_H

#include "csv.h"
#include "exchange.h"

typedef struct gnbv_mfeed gnbv_mfeed;

/* Starts reading `c` (whose header is taken) with `map`. `threaded` 0 reads
 * on the caller's thread. With `ctx`, a group may also come with its
 * members' part of the assessment (gnbv_assess_members), worked out where
 * the members are read when that thread has the time (else `sum` is NULL
 * and the caller works it out). The reader, map and ctx must outlive the feed, and
 * the caller must not touch the reader until gnbv_mfeed_stop. */
int gnbv_mfeed_start(gnbv_mfeed **out, gnbv_csv *c, const gnbv_xmap *map, int threaded,
		     const gnbv_assess_ctx *ctx);

/* One household's members as the feed hands them over: consecutive
 * members of members.csv with one household id, in file order, at most
 * GNBV_MAX_MEMBERS and no member_no twice. */
typedef struct gnbv_mgroup {
	const gnbv_member *m; /* valid until the next call */
	size_t n;
	gnbv_csv_field id;    /* valid until the next call */
	int cut;              /* an error came before the group's end: see below */
	int sorted;           /* the members come by rising member_no */
	const gnbv_member_sum *sum; /* the members' part (valid as m), or NULL: the
				       feed left it to the caller */
	int lasting;          /* m and id stay valid through the next call too
				 (the group is not the last of its batch) */
} gnbv_mgroup;

/* The next group: 1 with *g; 0 at end of file; negative on an error met
 * before any group, with the message set on the calling thread. A group
 * with `cut` set is followed by an error (a bad row, too many members, a
 * member_no twice) that a reader taking one member at a time would meet
 * after its members: a caller that takes the group raises it with
 * gnbv_mfeed_error; one that does not (another household came) never
 * sees it. */
int gnbv_mfeed_group(gnbv_mfeed *f, gnbv_mgroup *g);

/* The error after a cut group: sets the message, returns the code. */
int gnbv_mfeed_error(gnbv_mfeed *f);

/* Stops the producer (if still running), joins it and frees the feed. NULL
 * is a no-op. */
void gnbv_mfeed_stop(gnbv_mfeed *f);

/* Threads for a classify run: $GNBV_THREADS when set (1 to
 * GNBV_MAX_THREADS), else the processors online, at most 16. Parts mode
 * uses them all; the one pass reads members on a second thread when there
 * are more than one. */
#define GNBV_MAX_THREADS 64
int gnbv_mfeed_threads(void);

#endif
