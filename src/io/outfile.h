/*
 * outfile.h - an output file that appears whole or not at all.
 *
 * Writes go to a hidden temporary file beside the target through a large
 * buffer; gnbv_out_commit renames it into place, gnbv_out_abort removes it.
 * A failed run therefore never leaves a half-written assessments.csv.
 */
#ifndef GNBV_IO_OUTFILE_H
#define GNBV_IO_OUTFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct gnbv_out gnbv_out;

int gnbv_out_open(gnbv_out **out, const char *dir, const char *name);
/* An output held in memory, growing as written (the caller bounds what it
 * writes): one part of a file that is written in parts on several threads
 * and appended to the real output in order (gnbv_out_append). `name` is for
 * messages. Freed with gnbv_out_abort; truncate empties it. */
int gnbv_out_open_mem(gnbv_out **out, const char *name);
/* Writes what memory output `from` holds to o and empties `from`. */
int gnbv_out_append(gnbv_out *o, gnbv_out *from);
int gnbv_out_write(gnbv_out *o, const void *p, size_t n);
/* Room for n bytes (n at most 1 MiB) in the buffer, to write into in place
 * and keep with gnbv_out_advance (at most n) before any other call: saves
 * building a row elsewhere and copying it. NULL on an error (message set). */
char *gnbv_out_reserve(gnbv_out *o, size_t n);
void gnbv_out_advance(gnbv_out *o, size_t n);
int gnbv_out_str(gnbv_out *o, const char *s);
int gnbv_out_char(gnbv_out *o, char ch);
int gnbv_out_u64(gnbv_out *o, uint64_t v);
/* A CSV cell: quoted when it holds a comma, quote, CR or LF. */
int gnbv_out_cell(gnbv_out *o, const char *p, size_t n);
/* Discards what was written so far (restarts the file empty). */
int gnbv_out_truncate(gnbv_out *o);
/* Flushes and fsyncs what was written so far (the file keeps its
 * temporary name): lets a caller overlap the disk's wait with other work
 * before gnbv_out_commit, which then has little left to wait for. */
int gnbv_out_sync(gnbv_out *o);
/* Flushes, fsyncs and renames into place; frees o. */
int gnbv_out_commit(gnbv_out *o);
/* Removes the temporary file; frees o. NULL is a no-op. */
void gnbv_out_abort(gnbv_out *o);

/* Deferred release of replaced files, for batch commands that exit soon
 * after (outfile.c explains the wait it saves). With deferral on, a commit
 * that replaces a file keeps the old one open (up to 32; more are let go at
 * once), and gnbv_out_release_retired hands them to a child process that
 * closes them and exits: the caller does not wait for the kernel to free
 * them. The child is not waited for, so only a process that exits soon
 * after should call it (its parent then reaps it). Off by default. */
void gnbv_out_defer_release(int on);
/* How many replaced files are held (for tests). */
int gnbv_out_retired(void);
/* The child's pid (a test may wait for it), 0 when nothing was held, -1
 * when fork failed (the files were let go of here, as without deferral). */
pid_t gnbv_out_release_retired(void);

#endif
