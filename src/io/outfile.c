/*
 * outfile.c - buffered, atomic output files (see outfile.h).
 *
 * The commit's fsync waits for every byte still dirty in the page cache:
 * for a national round's assessments.csv (tens to hundreds of MB) that wait
 * came after all the work, alone. So the file's pages are handed to
 * writeback every few MB as they are written (sync_file_range, Linux: it
 * only starts the writes and returns), and the disk works while the
 * classify loop does; the fsync at commit still decides durability.
 *
 * Replacing a file has a second wait: the rename drops the old file's last
 * link, and the kernel frees its pages and blocks there and then. On a disk
 * mounted with `discard` (as the one measured, docs/performance.md) ext4
 * discards the freed blocks in that call: 16-20 ms of waiting for a 1 M
 * round's 72 MB assessments.csv, 6% of the whole run. So a batch command can ask for the old files to be
 * kept open (pinned) across the rename and let go by a short-lived child
 * process after the new files are in place (gnbv_out_release_retired).
 */
#include "outfile.h"

#include "gnbv/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_BUF (1u << 20)
#define OUT_WRITEBACK (2u << 20) /* bytes written between writeback starts */

/* On cache lines of its own (allocated aligned): outputs written on two
 * threads at once (memory outputs, parts mode) must not share one. */
struct gnbv_out {
	_Alignas(64) int fd; /* -1 for a memory output */
	char *tmp, *final;   /* final: the name messages use */
	char *buf;
	size_t len, cap;     /* cap: OUT_BUF, or a memory output's current size */
	int mem;             /* gnbv_out_open_mem: the buffer grows, nothing is written */
	int failed;
	uint64_t written, started; /* bytes written to the file; handed to writeback */
};

/* Replaced files still open, to be let go at the end (deferral on). */
enum { RETIRED_MAX = 32 };
static struct {
	pthread_mutex_t mu;
	int defer;
	int n;
	int fd[RETIRED_MAX];
} RETIRED = {PTHREAD_MUTEX_INITIALIZER, 0, 0, {0}};

void gnbv_out_defer_release(int on)
{
	pthread_mutex_lock(&RETIRED.mu);
	RETIRED.defer = on;
	pthread_mutex_unlock(&RETIRED.mu);
}

int gnbv_out_retired(void)
{
	pthread_mutex_lock(&RETIRED.mu);
	int n = RETIRED.n;
	pthread_mutex_unlock(&RETIRED.mu);
	return n;
}

/* The file now at `path`, pinned before it is replaced: -1 when deferral is
 * off or there is none. O_PATH opens without reading, whatever the mode. */
static int pin_old(const char *path)
{
	pthread_mutex_lock(&RETIRED.mu);
	int fd = RETIRED.defer && RETIRED.n < RETIRED_MAX ? open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (fd >= 0) RETIRED.fd[RETIRED.n++] = fd;
	pthread_mutex_unlock(&RETIRED.mu);
	return fd;
}

/* Un-pins fd (the rename failed: the file was not replaced after all). */
static void unpin_old(int fd)
{
	if (fd < 0) return;
	pthread_mutex_lock(&RETIRED.mu);
	for (int i = 0; i < RETIRED.n; i++)
		if (RETIRED.fd[i] == fd) {
			RETIRED.fd[i] = RETIRED.fd[--RETIRED.n];
			break;
		}
	pthread_mutex_unlock(&RETIRED.mu);
	close(fd);
}

/* Closes every descriptor of this process but the pinned ones. */
static void close_all_but(const int *keep, int n)
{
	unsigned from = 0;
	for (;;) {
		unsigned next = ~0u; /* the lowest pinned descriptor >= from */
		for (int i = 0; i < n; i++)
			if ((unsigned)keep[i] >= from && (unsigned)keep[i] < next) next = (unsigned)keep[i];
		if (next > from) (void)close_range(from, next == ~0u ? ~0u : next - 1, 0);
		if (next == ~0u) return;
		from = next + 1;
	}
}

pid_t gnbv_out_release_retired(void)
{
	pthread_mutex_lock(&RETIRED.mu);
	int n = RETIRED.n;
	int fd[RETIRED_MAX];
	memcpy(fd, RETIRED.fd, sizeof fd);
	RETIRED.n = 0;
	pthread_mutex_unlock(&RETIRED.mu);
	if (!n) return 0;
	/* The child holds the last references: it lets go of the descriptors
	 * of the caller first (so that a pipe reading our output sees its end
	 * when we exit, not when the disk is done), then of the old files, and
	 * exits. Only async-signal-safe calls, as in any child of a threaded
	 * process. When fork fails, the caller waits as it always did. */
	pid_t pid = fork();
	if (pid == 0) {
		close_all_but(fd, n);
		for (int i = 0; i < n; i++) close(fd[i]);
		_exit(0);
	}
	for (int i = 0; i < n; i++) close(fd[i]);
	return pid;
}

static gnbv_out *alloc_out(void)
{
	gnbv_out *o = aligned_alloc(_Alignof(gnbv_out), sizeof *o); /* sizeof is a multiple */
	if (o) memset(o, 0, sizeof *o);
	return o;
}

int gnbv_out_open(gnbv_out **out, const char *dir, const char *name)
{
	*out = NULL;
	gnbv_out *o = alloc_out();
	if (!o) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	o->fd = -1;
	size_t n = strlen(dir) + strlen(name) + 64;
	o->tmp = malloc(n);
	o->final = malloc(n);
	o->buf = malloc(OUT_BUF);
	o->cap = OUT_BUF;
	if (!o->tmp || !o->final || !o->buf) {
		free(o->tmp); /* nothing created yet: nothing to unlink */
		free(o->final);
		free(o->buf);
		free(o);
		return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	}
	snprintf(o->final, n, "%s/%s", dir, name);
	snprintf(o->tmp, n, "%s/.%s.tmp-%ld", dir, name, (long)getpid());
	o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o->fd < 0) {
		int rc = gnbv_error_set(GNBV_EIO, "%s: cannot create: %s", o->final, strerror(errno));
		free(o->tmp);
		free(o->final);
		free(o->buf);
		free(o);
		return rc;
	}
	*out = o;
	return 0;
}

int gnbv_out_open_mem(gnbv_out **out, const char *name)
{
	*out = NULL;
	gnbv_out *o = alloc_out();
	if (!o) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	o->fd = -1;
	o->mem = 1;
	o->final = strdup(name);
	o->cap = 64u << 10;
	o->buf = malloc(o->cap);
	if (!o->final || !o->buf) {
		gnbv_out_abort(o);
		return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	}
	*out = o;
	return 0;
}

/* A memory output's room for n more bytes: the buffer doubles. */
static int grow(gnbv_out *o, size_t n)
{
	size_t cap = o->cap;
	while (cap - o->len < n) cap *= 2;
	if (cap == o->cap) return 0;
	char *b = realloc(o->buf, cap);
	if (!b) {
		o->failed = 1;
		return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	}
	o->buf = b;
	o->cap = cap;
	return 0;
}

static int flush(gnbv_out *o)
{
	if (o->mem) return 0; /* kept until gnbv_out_append */
	size_t off = 0;
	while (off < o->len) {
		ssize_t w = write(o->fd, o->buf + off, o->len - off);
		if (w < 0 && errno == EINTR) continue;
		if (w < 0) {
			o->failed = 1;
			return gnbv_error_set(GNBV_EIO, "%s: write failed: %s", o->final, strerror(errno));
		}
		off += (size_t)w;
	}
	o->written += o->len;
	o->len = 0;
#ifdef SYNC_FILE_RANGE_WRITE
	if (o->written - o->started >= OUT_WRITEBACK) {
		/* a hint: an error here shows again, and is reported, at the fsync */
		(void)sync_file_range(o->fd, (off_t)o->started, (off_t)(o->written - o->started),
				      SYNC_FILE_RANGE_WRITE);
		o->started = o->written;
	}
#endif
	return 0;
}

int gnbv_out_write(gnbv_out *o, const void *p, size_t n)
{
	if (o->failed) return GNBV_EIO;
	if (o->mem && o->len + n > o->cap && grow(o, n)) return GNBV_ENOMEM;
	if (o->len + n > o->cap) {
		int rc = flush(o);
		if (rc) return rc;
		if (n > OUT_BUF) {
			/* Larger than the buffer: write through. */
			ssize_t w;
			const char *q = p;
			while (n) {
				w = write(o->fd, q, n);
				if (w < 0 && errno == EINTR) continue;
				if (w < 0) {
					o->failed = 1;
					return gnbv_error_set(GNBV_EIO, "%s: write failed: %s", o->final, strerror(errno));
				}
				q += w;
				n -= (size_t)w;
				o->written += (uint64_t)w;
			}
			return 0;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	return 0;
}

char *gnbv_out_reserve(gnbv_out *o, size_t n)
{
	if (o->failed || n > OUT_BUF) {
		if (!o->failed) gnbv_error_set(GNBV_EINVALID, "%s: %zu bytes reserved at once", o->final, n);
		else gnbv_error_set(GNBV_EIO, "%s: write failed earlier", o->final);
		return NULL;
	}
	if (o->len + n > o->cap && (o->mem ? grow(o, n) : flush(o))) return NULL;
	return o->buf + o->len;
}

void gnbv_out_advance(gnbv_out *o, size_t n) { o->len += n; }

int gnbv_out_str(gnbv_out *o, const char *s) { return gnbv_out_write(o, s, strlen(s)); }

int gnbv_out_char(gnbv_out *o, char ch)
{
	if (o->len < o->cap) {
		o->buf[o->len++] = ch;
		return 0;
	}
	return gnbv_out_write(o, &ch, 1);
}

int gnbv_out_u64(gnbv_out *o, uint64_t v)
{
	char tmp[24];
	int i = 24;
	do tmp[--i] = (char)('0' + v % 10), v /= 10;
	while (v);
	return gnbv_out_write(o, tmp + i, (size_t)(24 - i));
}

int gnbv_out_cell(gnbv_out *o, const char *p, size_t n)
{
	int need = 0;
	for (size_t i = 0; i < n && !need; i++)
		need = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
	if (!need) return gnbv_out_write(o, p, n);
	int rc = gnbv_out_char(o, '"');
	for (size_t i = 0; i < n && !rc; i++) {
		if (p[i] == '"') rc = gnbv_out_char(o, '"');
		if (!rc) rc = gnbv_out_char(o, p[i]);
	}
	return rc ? rc : gnbv_out_char(o, '"');
}

int gnbv_out_append(gnbv_out *o, gnbv_out *from)
{
	if (from->failed) return from->mem ? GNBV_ENOMEM : GNBV_EIO;
	int rc = gnbv_out_write(o, from->buf, from->len);
	from->len = 0;
	return rc;
}

int gnbv_out_truncate(gnbv_out *o)
{
	o->len = 0;
	if (o->mem) {
		o->failed = 0;
		return 0;
	}
	o->written = o->started = 0;
	if (ftruncate(o->fd, 0) || lseek(o->fd, 0, SEEK_SET) < 0)
		return gnbv_error_set(GNBV_EIO, "%s: cannot truncate: %s", o->final, strerror(errno));
	return 0;
}

int gnbv_out_sync(gnbv_out *o)
{
	if (o->mem) return 0;
	if (o->failed) return GNBV_EIO;
	int rc = flush(o);
	if (!rc && fsync(o->fd)) rc = gnbv_error_set(GNBV_EIO, "%s: fsync failed: %s", o->final, strerror(errno));
	return rc;
}

int gnbv_out_commit(gnbv_out *o)
{
	int rc = flush(o);
	if (!rc && fsync(o->fd)) rc = gnbv_error_set(GNBV_EIO, "%s: fsync failed: %s", o->final, strerror(errno));
	if (!rc && close(o->fd)) rc = gnbv_error_set(GNBV_EIO, "%s: close failed: %s", o->final, strerror(errno));
	o->fd = -1;
	int old = rc ? -1 : pin_old(o->final);
	if (!rc && rename(o->tmp, o->final)) {
		rc = gnbv_error_set(GNBV_EIO, "%s: cannot rename into place: %s", o->final, strerror(errno));
		unpin_old(old);
	}
	if (rc) {
		gnbv_out_abort(o);
		return rc;
	}
	free(o->tmp);
	free(o->final);
	free(o->buf);
	free(o);
	return 0;
}

void gnbv_out_abort(gnbv_out *o)
{
	if (!o) return;
	if (o->fd >= 0) close(o->fd);
	if (o->tmp) unlink(o->tmp);
	free(o->tmp);
	free(o->final);
	free(o->buf);
	free(o);
}
