/*
 * mfeed.c - the members feed (see mfeed.h): a ring of batches between a
 * producer that parses members.csv and the classify loop that consumes it.
 *
 * Each batch holds parsed members grouped by household (consecutive members
 * with one household id: the producer does the grouping and the
 * per-household checks, so that the consumer takes a household's members in
 * one step) and the groups' ids (copied into the batch, since the reader's
 * buffer moves on). A producer error travels in the batch after the groups
 * that preceded it, with its message, and is raised on the consumer's thread
 * only when the consumer gets there, exactly where a single-threaded read of
 * one member at a time would have raised it.
 */
#include "mfeed.h"

#include "gnbv/error.h"

#include "../util/grow.h"
#include "../util/hash.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH 4096 /* members per batch */
#define NSLOTS 4

/* One household's members, in the batch. */
typedef struct group {
	uint32_t first, n;      /* in the batch's members */
	uint32_t id_off, id_len; /* in the batch's ids */
	uint64_t seen;           /* bit n: a member numbered n (n < 64) */
	int small;               /* every member_no so far below 64: seen is exact */
	int sorted;              /* member_no has risen from member to member */
	int32_t last_no;         /* the last member's member_no */
	gnbv_member_sum sum;     /* with a ctx: gnbv_assess_members of the group */
} group;

typedef struct batch {
	gnbv_member m[BATCH];
	group g[BATCH];
	size_t nm, ng;
	char *ids;
	size_t ids_len, ids_cap;
	int summed;   /* each group's sum is worked out (see fill) */
	int partial;  /* the last group was cut short by the error in rc */
	int rc;       /* after the groups: 0 more to come, 1 end of file, <0 error */
	char msg[2048];
} batch;

struct gnbv_mfeed {
	gnbv_csv *c;
	const gnbv_xmap *map;
	const gnbv_assess_ctx *ctx;
	int threaded;
	batch *slots[NSLOTS];
	size_t filled, taken; /* batches produced, consumed (monotonic; under mu) */
	size_t ready;         /* the consumer's copy of `filled`, read under mu */
	size_t cur;           /* next group in the batch being consumed */
	int done;
	int cancel;
	int started;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* The producer's member read but not yet placed: it starts a household
	 * that did not fit in the last batch. Its id points into the reader's
	 * buffer, which stays put until the next record is read. On cache
	 * lines of their own (the feed is allocated aligned): the producer
	 * reads have_next for every member, and when it shared a line with
	 * `cur`, which the consumer writes for every household, the line went
	 * back and forth between the cores, a miss on each side (some 45 ns a
	 * household at 1 M, sampled on the load that followed). */
	_Alignas(64) int have_next;
	gnbv_member next;
	gnbv_csv_field next_id;
};

/* Ends the batch with an error: its message lives in this thread's slot, so
 * it is carried over. `partial`: the open group is cut short by it. */
static void fail(batch *b, int rc, int partial)
{
	b->rc = rc;
	b->partial = partial;
	const char *m = gnbv_error_message();
	size_t ml = strlen(m);
	if (ml >= sizeof b->msg) ml = sizeof b->msg - 1;
	memcpy(b->msg, m, ml);
	b->msg[ml] = '\0';
}

/* Parses members into b, grouped by household: consecutive members with the
 * same household id, each group checked as the classify loop used to check
 * them (at most GNBV_MAX_MEMBERS, no member_no
 * twice), with the same messages. A group never spans two batches: one that
 * might not fit starts the next batch. An error ends the batch: the group
 * being read when it came is marked cut short, and the consumer raises the
 * error only if it takes that group (where a one-member-at-a-time reader
 * would have met it). */
static void fill_groups(gnbv_mfeed *f, batch *b)
{
	b->nm = b->ng = 0;
	b->ids_len = 0;
	b->rc = 0;
	b->partial = 0;
	group *g = NULL; /* the open group */
	for (;;) {
		/* Parsed straight into the batch's next slot (there is always one:
		 * a group starts only with room for GNBV_MAX_MEMBERS + 1). */
		gnbv_member *m = &b->m[b->nm];
		gnbv_csv_field hid;
		if (f->have_next) {
			*m = f->next, hid = f->next_id;
			f->have_next = 0;
		} else {
			int rc = gnbv_csv_next(f->c);
			if (rc == 0) {
				b->rc = 1;
				return;
			}
			if (rc > 0) rc = gnbv_x_member(f->map, f->c, m, &hid);
			if (rc < 0) return fail(b, rc, g != NULL);
		}
		if (g && g->id_len == hid.len && gnbv_same_key(b->ids + g->id_off, hid.p, hid.len)) {
			/* (only a member read just now joins a group: the one carried
			 * over from the last batch starts one, so the reader's current
			 * record is this member's) */
			if (g->n == GNBV_MAX_MEMBERS)
				return fail(b,
					    gnbv_error_set(GNBV_ETOOBIG,
							   "%s:%ld:%d: column 'member_no': household '%.*s' has more than %d members",
							   gnbv_csv_name(f->c), gnbv_csv_line(f->c),
							   f->map->member_no_col + 1, (int)hid.len, hid.p, GNBV_MAX_MEMBERS),
					    1);
			/* member_no twice? Numbers below 64 (all, nearly always) by a
			 * bit each; a group with a larger one by comparing them all */
			int no = m->member_no, twice = 0;
			if (no < 64 && g->small) {
				twice = (int)(g->seen >> no & 1);
				g->seen |= 1ull << no;
			} else {
				g->small = 0;
				const gnbv_member *gm = b->m + g->first;
				for (size_t i = 0; i < g->n && !twice; i++) twice = gm[i].member_no == no;
			}
			if (twice)
					return fail(b,
						    gnbv_error_set(GNBV_EINVALID,
								   "%s:%ld:%d: column 'member_no': household '%.*s' already has a member number %d",
								   gnbv_csv_name(f->c), gnbv_csv_line(f->c),
								   f->map->member_no_col + 1, (int)hid.len, hid.p,
								   m->member_no),
						    1);
			g->sorted &= no > g->last_no;
			g->last_no = no;
			b->nm++;
			g->n++;
			continue;
		}
		/* A new household: room for a whole group (and the member one past
		 * the cap that is refused), or the next batch. */
		if (BATCH - b->nm < GNBV_MAX_MEMBERS + 1) {
			f->have_next = 1;
			f->next = *m, f->next_id = hid;
			return;
		}
		int rc = gnbv_grow(&b->ids, &b->ids_cap, b->ids_len + hid.len, 1, 1 << 16);
		if (rc < 0) return fail(b, rc, g != NULL);
		g = &b->g[b->ng++];
		g->first = (uint32_t)b->nm;
		g->n = 1;
		g->small = m->member_no < 64;
		g->sorted = 1;
		g->last_no = m->member_no;
		g->seen = g->small ? 1ull << m->member_no : 0;
		g->id_off = (uint32_t)b->ids_len;
		g->id_len = hid.len;
		memcpy(b->ids + b->ids_len, hid.p, hid.len);
		b->ids_len += hid.len;
		b->nm++;
	}
}

/* A batch of groups, then (with a ctx, and `sum`) each group's members'
 * part of the assessment, while the batch is still in this core's cache.
 * Whether this thread or the consumer does that part is decided batch by
 * batch (producer): it goes to whichever thread has time, so that neither
 * waits for the other whatever the files' shape and the machine. */
static void fill(gnbv_mfeed *f, batch *b, int sum)
{
	fill_groups(f, b);
	b->summed = sum && f->ctx;
	if (!b->summed) return;
	for (size_t i = 0; i < b->ng; i++) {
		group *g = &b->g[i];
		gnbv_assess_members(f->ctx, b->m + g->first, g->n, &g->sum);
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
		/* Batches waiting: the consumer is the slower, so this thread
		 * takes the members' part of their assessment; none waiting (the
		 * consumer is waiting, or soon will be): it is left to the
		 * consumer, and this batch goes out sooner. At 1 M households
		 * the balance moved some 10% of the work between the threads. */
		int sum = f->filled - f->taken > 0;
		pthread_mutex_unlock(&f->mu);

		fill(f, b, sum);

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
	char *end;
	long v = e ? strtol(e, &end, 10) : 0;
	if (e && *e && !*end && v >= 1 && v <= GNBV_MAX_THREADS) return (int)v;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 16 ? 16 : (int)n;
}

int gnbv_mfeed_start(gnbv_mfeed **out, gnbv_csv *c, const gnbv_xmap *map, int threaded,
		     const gnbv_assess_ctx *ctx)
{
	*out = NULL;
	gnbv_mfeed *f = aligned_alloc(_Alignof(gnbv_mfeed), sizeof *f); /* sizeof is a multiple */
	if (!f) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	memset(f, 0, sizeof *f);
	f->c = c;
	f->map = map;
	f->ctx = ctx;
	f->threaded = threaded;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	int bad = 0;
	for (int i = 0; i < NSLOTS && !bad; i++) bad = !(f->slots[i] = calloc(1, sizeof(batch)));
	if (bad) {
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

int gnbv_mfeed_group(gnbv_mfeed *f, gnbv_mgroup *out)
{
	for (;;) {
		if (f->done) return 0;
		if (f->taken < f->ready) {
			batch *b = f->slots[f->taken % NSLOTS];
			if (f->cur < b->ng) {
				const group *g = &b->g[f->cur++];
				out->m = b->m + g->first;
				out->n = g->n;
				out->id.p = b->ids + g->id_off;
				out->id.len = g->id_len;
				out->cut = f->cur == b->ng && b->partial;
				out->sorted = g->sorted;
				out->sum = b->summed ? &g->sum : NULL;
				out->lasting = f->cur < b->ng; /* the batch is kept until its last group is passed */
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
			fill(f, f->slots[f->filled % NSLOTS], 1);
			f->ready = ++f->filled;
			continue;
		}
		pthread_mutex_lock(&f->mu);
		while (f->filled == f->taken) pthread_cond_wait(&f->cv, &f->mu);
		f->ready = f->filled;
		pthread_mutex_unlock(&f->mu);
	}
}

int gnbv_mfeed_error(gnbv_mfeed *f)
{
	const batch *b = f->slots[f->taken % NSLOTS];
	return gnbv_error_set(b->rc, "%s", b->msg);
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
