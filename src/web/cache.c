/*
 * cache.c - what `gnbv serve` keeps in memory between requests: checked
 * sessions and rendered pages (quality.md P4: a cached dashboard page must
 * come back at half nginx's static rate; P3: an edit shows in the next
 * request).
 *
 * Both are keyed to the store's change number (gnbv_store_change_seq: the
 * last audit record's sequence). Every committed change writes an audit
 * record, whichever process commits it (the CLI's import, another server
 * on the same database, this one), so an entry stored under the number
 * read before its page was rendered is exact while the number stands, and
 * is never served after it moves. Nothing is rebuilt on a change: the
 * next request renders afresh and stores the new page.
 *
 * Sessions: a hit needs the same change number and a check in the store
 * less than SESSION_RECHECK_S ago. Disabling a user or changing a password
 * is audited and moves the number; the store's own expiry and last-seen
 * rules run at each recheck. A logout here drops the entry at once (the
 * server drops the session of every POST); a logout through another
 * server process on the same database is seen within SESSION_RECHECK_S.
 *
 * Pages: keyed by the session token (a page carries its user's name and
 * CSRF token: it is never shown to another session), the language, the
 * local date (overdue deadlines are counted in days) and the path with its
 * query. The total size is capped (page_cache_mb); the oldest entries go
 * first. Entries are reference-counted, so a page being sent survives its
 * eviction.
 */
#include "web.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define SESSION_RECHECK_S 1
#define SESSION_MAX       4096
#define NBUCKETS          4096 /* a power of two */

typedef struct sess_entry {
	struct sess_entry *next; /* bucket chain */
	char token[GNBV_TOKEN_CHARS + 1];
	int64_t seq, checked_at;
	gnbv_session sess;
	gnbv_scope scope;
} sess_entry;

struct gnbv_web_page {
	struct gnbv_web_page *next;               /* bucket chain */
	struct gnbv_web_page *older, *newer;      /* age list */
	int refs;                                 /* the table's and each sender's */
	int64_t seq;
	int32_t day;
	uint32_t hash;
	size_t klen, hlen, len; /* key, head, head + body */
	char *key;
	char data[]; /* the response's head, then its body */
};

struct gnbv_web_cache {
	pthread_mutex_t smu, pmu;
	sess_entry *sb[NBUCKETS];
	size_t nsess;
	gnbv_web_page *pb[NBUCKETS];
	gnbv_web_page *oldest, *newest;
	size_t bytes, max_bytes;
};

static uint32_t hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

gnbv_web_cache *gnbv_web_cache_new(size_t max_bytes)
{
	gnbv_web_cache *c = calloc(1, sizeof *c);
	if (!c) return NULL;
	pthread_mutex_init(&c->smu, NULL);
	pthread_mutex_init(&c->pmu, NULL);
	c->max_bytes = max_bytes;
	return c;
}

static void page_unref(gnbv_web_page *p)
{
	if (p && __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		free(p->key);
		free(p);
	}
}

static void sess_clear(gnbv_web_cache *c);

void gnbv_web_cache_free(gnbv_web_cache *c)
{
	if (!c) return;
	sess_clear(c);
	for (size_t i = 0; i < NBUCKETS; i++) {
		for (gnbv_web_page *p = c->pb[i], *n; p; p = n) {
			n = p->next;
			page_unref(p);
		}
	}
	pthread_mutex_destroy(&c->smu);
	pthread_mutex_destroy(&c->pmu);
	free(c);
}

/* ---- sessions ---- */

static sess_entry **sess_slot(gnbv_web_cache *c, const char *token)
{
	sess_entry **e = &c->sb[hash(token, GNBV_TOKEN_CHARS) & (NBUCKETS - 1)];
	while (*e && sodium_memcmp((*e)->token, token, GNBV_TOKEN_CHARS)) e = &(*e)->next;
	return e;
}

int gnbv_web_cache_session_get(gnbv_web_cache *c, const char *token, int64_t now, int64_t seq,
                               gnbv_session *sess, gnbv_scope *scope)
{
	int hit = 0;
	if (!c || strlen(token) != GNBV_TOKEN_CHARS) return 0;
	pthread_mutex_lock(&c->smu);
	sess_entry *e = *sess_slot(c, token);
	if (e && e->seq == seq && now >= e->checked_at && now - e->checked_at < SESSION_RECHECK_S) {
		*sess = e->sess;
		*scope = e->scope;
		hit = 1;
	}
	pthread_mutex_unlock(&c->smu);
	return hit;
}

/* Drops every session: the table is full (rare: SESSION_MAX live users of
 * one server within a second); each is checked in the store again. */
static void sess_clear(gnbv_web_cache *c)
{
	for (size_t i = 0; i < NBUCKETS; i++) {
		for (sess_entry *e = c->sb[i], *n; e; e = n) {
			n = e->next;
			sodium_memzero(e, sizeof *e);
			free(e);
		}
		c->sb[i] = NULL;
	}
	c->nsess = 0;
}

void gnbv_web_cache_session_put(gnbv_web_cache *c, const char *token, int64_t now, int64_t seq,
                                const gnbv_session *sess, const gnbv_scope *scope)
{
	if (!c || strlen(token) != GNBV_TOKEN_CHARS) return;
	pthread_mutex_lock(&c->smu);
	sess_entry **slot = sess_slot(c, token), *e = *slot;
	if (!e) {
		if (c->nsess >= SESSION_MAX) {
			sess_clear(c);
			slot = sess_slot(c, token);
		}
		if (!(e = calloc(1, sizeof *e))) goto done;
		memcpy(e->token, token, GNBV_TOKEN_CHARS);
		*slot = e;
		c->nsess++;
	}
	e->seq = seq;
	e->checked_at = now;
	e->sess = *sess;
	e->scope = *scope;
done:
	pthread_mutex_unlock(&c->smu);
}

void gnbv_web_cache_session_drop(gnbv_web_cache *c, const char *token)
{
	if (!c || strlen(token) != GNBV_TOKEN_CHARS) return;
	pthread_mutex_lock(&c->smu);
	sess_entry **slot = sess_slot(c, token), *e = *slot;
	if (e) {
		*slot = e->next;
		sodium_memzero(e, sizeof *e);
		free(e);
		c->nsess--;
	}
	pthread_mutex_unlock(&c->smu);
}

/* ---- pages ---- */

int gnbv_web_cache_page_key(char *buf, size_t cap, const char *token, int english,
                            const char *path, const char *query)
{
	int n = snprintf(buf, cap, "%s\n%c\n%s?%s", token, english ? 'e' : 'v', path, query);
	return n > 0 && (size_t)n < cap ? n : -1;
}

static gnbv_web_page **page_slot(gnbv_web_cache *c, const char *key, size_t klen, uint32_t h)
{
	gnbv_web_page **p = &c->pb[h & (NBUCKETS - 1)];
	while (*p && ((*p)->hash != h || (*p)->klen != klen || memcmp((*p)->key, key, klen)))
		p = &(*p)->next;
	return p;
}

/* Unlinks p from its bucket and the age list; the caller drops the
 * table's reference. */
static void page_unlink(gnbv_web_cache *c, gnbv_web_page *p)
{
	gnbv_web_page **s = page_slot(c, p->key, p->klen, p->hash);
	if (*s == p) *s = p->next;
	if (p->older) p->older->newer = p->newer;
	else c->oldest = p->newer;
	if (p->newer) p->newer->older = p->older;
	else c->newest = p->older;
	c->bytes -= p->len + p->klen;
}

const gnbv_web_page *gnbv_web_cache_page_get(gnbv_web_cache *c, const char *key, size_t klen,
                                             int64_t seq, int32_t day, const char **head,
                                             size_t *hlen, const char **body, size_t *blen)
{
	gnbv_web_page *p;
	if (!c) return NULL;
	uint32_t h = hash(key, klen);
	pthread_mutex_lock(&c->pmu);
	p = *page_slot(c, key, klen, h);
	if (p && (p->seq != seq || p->day != day)) p = NULL;
	if (p) __atomic_add_fetch(&p->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&c->pmu);
	if (p) {
		*head = p->data;
		*hlen = p->hlen;
		*body = p->data + p->hlen;
		*blen = p->len - p->hlen;
	}
	return p;
}

void gnbv_web_cache_page_release(const gnbv_web_page *p)
{
	page_unref((gnbv_web_page *)p);
}

void gnbv_web_cache_page_put(gnbv_web_cache *c, const char *key, size_t klen, int64_t seq,
                             int32_t day, const char *head, size_t hlen, const char *body,
                             size_t blen)
{
	size_t len = hlen + blen;
	if (!c || len + klen > c->max_bytes / 8) return; /* no page may take the cache over */
	gnbv_web_page *p = malloc(sizeof *p + len);
	char *k = malloc(klen);
	if (!p || !k) {
		free(p);
		free(k);
		return;
	}
	memset(p, 0, sizeof *p);
	memcpy(k, key, klen);
	memcpy(p->data, head, hlen);
	memcpy(p->data + hlen, body, blen);
	p->hlen = hlen;
	p->key = k;
	p->klen = klen;
	p->len = len;
	p->seq = seq;
	p->day = day;
	p->hash = hash(key, klen);
	p->refs = 1;
	pthread_mutex_lock(&c->pmu);
	gnbv_web_page *old = *page_slot(c, key, klen, p->hash);
	if (old) {
		page_unlink(c, old);
		page_unref(old);
	}
	while (c->oldest && c->bytes + len + klen > c->max_bytes) {
		gnbv_web_page *o = c->oldest;
		page_unlink(c, o);
		page_unref(o);
	}
	gnbv_web_page **s = page_slot(c, key, klen, p->hash);
	p->next = *s;
	*s = p;
	p->older = c->newest;
	if (c->newest) c->newest->newer = p;
	else c->oldest = p;
	c->newest = p;
	c->bytes += len + klen;
	pthread_mutex_unlock(&c->pmu);
}
