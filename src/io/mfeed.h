/*
 * mfeed.h - members.csv parsed ahead, on a second thread when there is one.
 *
 * The classify batch path spends most of its time reading and parsing the
 * members file, which is several times larger than the households file. The
 * feed parses it in batches on a producer thread while the caller reads
 * households, assesses and writes, and hands members back strictly in file
 * order, so that the results (and the first error reported) are the same as
 * with one thread.
 */
#ifndef GNBV_IO_MFEED_H
#define GNBV_IO_MFEED_H

#include "csv.h"
#include "exchange.h"

typedef struct gnbv_mfeed gnbv_mfeed;

/* Starts reading `c` (whose header is taken) with `map`. `threaded` 0 reads
 * on the caller's thread. The reader and map must outlive the feed, and the
 * caller must not touch the reader until gnbv_mfeed_stop. */
int gnbv_mfeed_start(gnbv_mfeed **out, gnbv_csv *c, const gnbv_xmap *map, int threaded);

/* The next member: 1 with *m, its household id (valid until the next call)
 * and its line; 0 at end of file; negative on error, with the message set on
 * the calling thread. */
int gnbv_mfeed_next(gnbv_mfeed *f, gnbv_member *m, gnbv_csv_field *hid, long *line);

/* Stops the producer (if still running), joins it and frees the feed. NULL
 * is a no-op. */
void gnbv_mfeed_stop(gnbv_mfeed *f);

/* Threads to use: $GNBV_THREADS when set (1 or 2), else 2 when the machine
 * has more than one processor. */
int gnbv_mfeed_threads(void);

#endif
