/*
 * mfeed.c - the members feed (see mfeed.h): a ring of batches between a
 * producer that parses members.csv and the classify loop that consumes it.
 *
 * Each batch holds parsed members, their household ids (copied into the
 * batch, since the reader's buffer moves on) and line numbers. A producer
 * error travels in the batch after the members that preceded it, with its
 * message, and is raised on the consumer's thread only when the consumer
 * gets there, exactly where a single-threaded read would have raised it.
 */
#include "mfeed.h"

#include "gnbv/error.h"

#include "../util/grow.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH 4096
#define NSLOTS 4

typedef struct batch {
	gnbv_member m[BATCH];
	uint32_t id_off[BATCH], id_len[BATCH];
	long line[BATCH];
	char *ids;
	size_t ids_len, ids_cap;
	size_t n;
	int rc;       /* after the n members: 0 more to come, 1 end of file, <0 error */
	char msg[2048];
} batch;

struct gnbv_mfeed {
	gnbv_csv *c;
	const gnbv_xmap *map;
	int threaded;
	batch *slots[NSLOTS];
	size_t filled, taken; /* batches produced, consumed (monotonic; under mu) */
	size_t ready;         /* the consumer's copy of `filled`, read under mu */
	size_t cur;           /* next member in the batch being consumed */
	int cancel, done;
	int started;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Parses up to BATCH members into b. */
static void fill(gnbv_mfeed *f, batch *b)
{
	b->n = 0;
	b->ids_len = 0;
	b->rc = 0;
	while (b->n < BATCH) {
		int rc = gnbv_csv_next(f->c);
		if (rc == 0) {
			b->rc = 1;
			return;
		}
		gnbv_csv_field hid = {0};
		if (rc > 0) rc = gnbv_x_member(f->map, f->c, &b->m[b->n], &hid);
		if (rc == 0) rc = gnbv_grow(&b->ids, &b->ids_cap, b->ids_len + hid.len, 1, 1 << 16);
		if (rc < 0) {
			b->rc = rc;
			/* The message lives in this thread's slot: carry it over. */
			const char *m = gnbv_error_message();
			size_t ml = strlen(m);
			if (ml >= sizeof b->msg) ml = sizeof b->msg - 1;
			memcpy(b->msg, m, ml);
			b->msg[ml] = '\0';
			return;
		}
		memcpy(b->ids + b->ids_len, hid.p, hid.len);
		b->id_off[b->n] = (uint32_t)b->ids_len;
		b->id_len[b->n] = hid.len;
		b->line[b->n] = gnbv_csv_line(f->c);
		b->ids_len += hid.len;
		b->n++;
	}
}

static void *producer(void *arg)
{
	gnbv_mfeed *f = arg;
	for (;;) {
		pthread_mutex_lock(&f->mu);
		while (!f->cancel && f->filled - f->taken == NSLOTS) pthread_cond_wait(&f->cv, &f->mu);
		if (f->cancel) {
			pthread_mutex_unlock(&f->mu);
			return NULL;
		}
		batch *b = f->slots[f->filled % NSLOTS];
		pthread_mutex_unlock(&f->mu);

		fill(f, b);

		pthread_mutex_lock(&f->mu);
		f->filled++;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		if (b->rc != 0) return NULL;
	}
}

int gnbv_mfeed_threads(void)
{
	const char *e = getenv("GNBV_THREADS");
	if (e && e[0] == '1' && e[1] == '\0') return 1;
	if (e && e[0] == '2' && e[1] == '\0') return 2;
	return sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
}

int gnbv_mfeed_start(gnbv_mfeed **out, gnbv_csv *c, const gnbv_xmap *map, int threaded)
{
	*out = NULL;
	gnbv_mfeed *f = calloc(1, sizeof *f);
	if (!f) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	f->c = c;
	f->map = map;
	f->threaded = threaded;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	for (int i = 0; i < NSLOTS; i++)
		if (!(f->slots[i] = calloc(1, sizeof(batch)))) {
			gnbv_mfeed_stop(f);
			return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		}
	if (threaded) {
		if (pthread_create(&f->thread, NULL, producer, f) != 0) f->threaded = 0; /* run inline */
		else f->started = 1;
	}
	*out = f;
	return 0;
}

int gnbv_mfeed_next(gnbv_mfeed *f, gnbv_member *m, gnbv_csv_field *hid, long *line)
{
	for (;;) {
		if (f->done) return 0;
		if (f->taken < f->ready) {
			batch *b = f->slots[f->taken % NSLOTS];
			if (f->cur < b->n) {
				size_t i = f->cur++;
				*m = b->m[i];
				hid->p = b->ids + b->id_off[i];
				hid->len = b->id_len[i];
				*line = b->line[i];
				return 1;
			}
			if (b->rc != 0) {
				f->done = 1;
				if (b->rc == 1) return 0;
				return gnbv_error_set(b->rc, "%s", b->msg);
			}
			/* Batch used up: give it back. */
			f->cur = 0;
			if (f->threaded) pthread_mutex_lock(&f->mu);
			f->taken++;
			if (f->threaded) {
				pthread_cond_broadcast(&f->cv);
				pthread_mutex_unlock(&f->mu);
			}
			continue;
		}
		if (!f->threaded) {
			fill(f, f->slots[f->filled % NSLOTS]);
			f->ready = ++f->filled;
			continue;
		}
		pthread_mutex_lock(&f->mu);
		while (f->filled == f->taken) pthread_cond_wait(&f->cv, &f->mu);
		f->ready = f->filled;
		pthread_mutex_unlock(&f->mu);
	}
}

void gnbv_mfeed_stop(gnbv_mfeed *f)
{
	if (!f) return;
	if (f->started) {
		pthread_mutex_lock(&f->mu);
		f->cancel = 1;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mu);
		pthread_join(f->thread, NULL);
	}
	for (int i = 0; i < NSLOTS; i++) {
		if (f->slots[i]) free(f->slots[i]->ids);
		free(f->slots[i]);
	}
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	free(f);
}
