/*
 * dupcheck.h - finds a repeated 64-bit fingerprint among any number of them
 * in bounded memory: fingerprints are gathered in a fixed-size chunk, each
 * full chunk is sorted and spilled to an unlinked temporary file, and the
 * runs are merged at the end. Up to one chunk (1 Mi fingerprints) no file
 * is touched.
 */
#ifndef GNBV_IO_DUPCHECK_H
#define GNBV_IO_DUPCHECK_H

#include <stddef.h>
#include <stdint.h>

typedef struct gnbv_dupcheck gnbv_dupcheck;

int gnbv_dupcheck_new(gnbv_dupcheck **out);
int gnbv_dupcheck_add(gnbv_dupcheck *d, uint64_t fp);
/* Adds the fingerprint of an id (gnbv_hash64) and watches the ids' order:
 * when every id given was greater than the one before (bytewise; keys up to
 * GNBV_DUPCHECK_ORDER_KEY bytes), finish knows there is no duplicate
 * without sorting. Mixing in gnbv_dupcheck_add gives up the shortcut. */
#define GNBV_DUPCHECK_ORDER_KEY 64
int gnbv_dupcheck_add_id(gnbv_dupcheck *d, const char *key, size_t len);
/* Defers the ids (before the first one is added): while they come in
 * order, gnbv_dupcheck_add_id keeps none of them, only a count. At the
 * first out of order (or longer than GNBV_DUPCHECK_ORDER_KEY) it adds
 * nothing and returns GNBV_DUPCHECK_REPLAY: the caller then adds the
 * gnbv_dupcheck_counted() ids before it again, in any order, with
 * gnbv_dupcheck_add_id, and then this one. For a caller that can read its
 * ids twice: in order to the end, no fingerprint is ever stored. */
#define GNBV_DUPCHECK_REPLAY 2
void gnbv_dupcheck_defer(gnbv_dupcheck *d);
size_t gnbv_dupcheck_counted(const gnbv_dupcheck *d);
/* 1 while every id so far came in order (finish will not need to sort). */
int gnbv_dupcheck_in_order(const gnbv_dupcheck *d);
/* 1 when some fingerprint was added twice, 0 when none, negative on error. */
int gnbv_dupcheck_finish(gnbv_dupcheck *d);
/* gnbv_dupcheck_finish on a thread of its own, so that the caller can do
 * other work (wait for its files to reach the disk) meanwhile; `d` must not
 * be touched until gnbv_dupcheck_wait, which returns what finish returned
 * (with its message on the caller's thread). With `threads` > 1 the final
 * sort is also split between two threads: for when nothing else runs.
 * With `threads` 1, or without a thread to be had, start does the work
 * itself. */
void gnbv_dupcheck_start(gnbv_dupcheck *d, int threads);
int gnbv_dupcheck_wait(gnbv_dupcheck *d);
void gnbv_dupcheck_free(gnbv_dupcheck *d);

#endif
