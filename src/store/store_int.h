/*
 * store_int.h - what the store's files share: the store struct, thin
 * statement helpers over the backend vtable, transactions, id counters,
 * the audit log, Vietnamese text, bounded buffers and the in-memory unit
 * tree. Internal to src/store.
 */
#ifndef GNBV_STORE_INT_H
#define GNBV_STORE_INT_H

#include "gnbv/store.h"
#include "gnbv/sys/store_backend.h"

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

struct gnbv_store {
	gnbv_backend *b;
	const gnbv_backend_ops *ops;
	char actor[128];
	int in_tx;
	char target[512]; /* as opened: the key of the process's shared unit tree */
};

/* ---- statements (store.c) ---- */
int gnbv__prep(gnbv_store *s, const char *sql, gnbv_bstmt **out);
void gnbv__fin(gnbv_store *s, gnbv_bstmt *st);
static inline int gnbv__step(gnbv_store *s, gnbv_bstmt *st)
{
	return s->ops->step(st);
}
static inline int gnbv__reset(gnbv_store *s, gnbv_bstmt *st)
{
	return s->ops->reset(st);
}
static inline int gnbv__bind_int(gnbv_store *s, gnbv_bstmt *st, int i, int64_t v)
{
	return s->ops->bind_int(st, i, v);
}
static inline int gnbv__bind_null(gnbv_store *s, gnbv_bstmt *st, int i)
{
	return s->ops->bind_null(st, i);
}
static inline int gnbv__bind_double(gnbv_store *s, gnbv_bstmt *st, int i, double v)
{
	return s->ops->bind_double(st, i, v);
}
static inline int gnbv__bind_text(gnbv_store *s, gnbv_bstmt *st, int i, const char *p, size_t n)
{
	return s->ops->bind_text(st, i, p, n);
}
/* Text, or NULL when empty. */
static inline int gnbv__bind_opt(gnbv_store *s, gnbv_bstmt *st, int i, const char *p, size_t n)
{
	return n ? s->ops->bind_text(st, i, p, n) : s->ops->bind_null(st, i);
}
/* A tri-state: 1, 0 or NULL. */
static inline int gnbv__bind_tri(gnbv_store *s, gnbv_bstmt *st, int i, int t)
{
	return t < 0 ? s->ops->bind_null(st, i) : s->ops->bind_int(st, i, t);
}
static inline int gnbv__col_null(gnbv_store *s, gnbv_bstmt *st, int c)
{
	return s->ops->column_is_null(st, c);
}
static inline int64_t gnbv__col_int(gnbv_store *s, gnbv_bstmt *st, int c)
{
	return s->ops->column_int(st, c);
}
static inline double gnbv__col_double(gnbv_store *s, gnbv_bstmt *st, int c)
{
	return s->ops->column_double(st, c);
}
static inline const char *gnbv__col_text(gnbv_store *s, gnbv_bstmt *st, int c, size_t *n)
{
	return s->ops->column_text(st, c, n);
}
/* A column as a tri-state (NULL: unknown). */
static inline int gnbv__col_tri(gnbv_store *s, gnbv_bstmt *st, int c)
{
	return s->ops->column_is_null(st, c) ? -1 : (int)s->ops->column_int(st, c);
}
/* Copies a text column into dst (cap bytes with the NUL). */
void gnbv__col_copy(gnbv_store *s, gnbv_bstmt *st, int c, char *dst, size_t cap);
/* Steps a statement expected to finish without rows, then resets it. */
int gnbv__run(gnbv_store *s, gnbv_bstmt *st);

/* ---- transactions, ids, audit (store.c) ---- */
int gnbv__begin(gnbv_store *s);
int gnbv__commit(gnbv_store *s);
void gnbv__rollback(gnbv_store *s);
/* Locks the counter row and returns its next id (no change yet). */
int gnbv__ids_lock(gnbv_store *s, const char *name, int64_t *next);
/* Sets the counter's next id. */
int gnbv__ids_set(gnbv_store *s, const char *name, int64_t next);
/* Reserves the audit record number of this transaction (call inside it). */
int gnbv__audit_reserve(gnbv_store *s, int64_t *seq);
/* Writes the reserved record, chained to the one before it. */
int gnbv__audit_write(gnbv_store *s, int64_t seq, const char *action, const char *object,
                      const char *detail, size_t detail_len);
/* Whole-tree scope check: GNBV_EDENIED unless scope is the whole tree. */
int gnbv__scope_need_all(const gnbv_scope *scope, const char *what);
/* The [lo, hi) range of paths inside the scope. */
void gnbv__scope_range(const gnbv_scope *scope, char *lo, char *hi, size_t cap);
int gnbv__scope_has(const gnbv_scope *scope, const char *path);

/* ---- bounded growable buffers (text.c) ---- */
typedef struct gnbv__buf {
	char *p;
	size_t len, cap, max; /* max 0: 64 MiB */
} gnbv__buf;
int gnbv__buf_reserve(gnbv__buf *b, size_t extra);
int gnbv__buf_put(gnbv__buf *b, const void *p, size_t n);
int gnbv__buf_str(gnbv__buf *b, const char *s);
int gnbv__buf_i64(gnbv__buf *b, int64_t v);
/* A JSON string literal with quotes. */
int gnbv__buf_json(gnbv__buf *b, const char *p, size_t n);
void gnbv__buf_free(gnbv__buf *b);

/* ---- Vietnamese text (text.c) ---- */
/* NFC of p[0..n) into dst (cap bytes, NUL-terminated): GNBV_ETOOBIG when it
 * does not fit, GNBV_EINVALID on invalid UTF-8. *len gets the length. */
int gnbv__nfc(const char *p, size_t n, char *dst, size_t cap, size_t *len);
/* The search key: lower case, no diacritics, đ as d, runs of spaces as one,
 * trimmed. Returns the length written (truncated to cap - 1). */
size_t gnbv__search_key(const char *p, size_t n, char *dst, size_t cap);

/* ---- SHA-256 (sha256.c, over libsodium) ---- */
typedef struct gnbv__sha256 {
	crypto_hash_sha256_state st;
} gnbv__sha256;
void gnbv__sha256_init(gnbv__sha256 *c);
void gnbv__sha256_update(gnbv__sha256 *c, const void *p, size_t n);
void gnbv__sha256_final(gnbv__sha256 *c, unsigned char out[32]);

/* ---- the unit tree in memory (units.c) ---- */
typedef struct gnbv__unit {
	int64_t id, parent_id, successor_id, change_seq;
	int parent;   /* index, -1 for a root */
	int area_own; /* -1 none, 0 rural, 1 urban */
	int area;     /* resolved through the parents; -1 unknown */
	int commune;  /* index of the nearest commune at or above; itself when none */
	int depth;
	int32_t from, to; /* yyyymmdd; 0 open */
	char *code, *name, *level, *valid_from, *valid_to, *successor_code, *flags, *path;
} gnbv__unit;

typedef struct gnbv__utree {
	gnbv__unit *u;
	size_t n;
	size_t *by_code; /* indices sorted by (code, valid_from) */
	/* Shared trees (units.c): holders, the process's slot included; 0 for
	 * a private tree. Read-only once loaded. */
	int refs;
	int64_t seq;  /* the store's change number it was loaded under */
	char *target; /* the database it came from */
} gnbv__utree;

/* The unit tree. Outside a transaction it is the process's shared copy
 * while the store's change number stands (a national tree is about 100 k
 * units: loaded once, not per request); inside one it is loaded afresh, as
 * the transaction may have changed units. Either way the caller releases
 * it with gnbv__utree_free and never changes it. */
int gnbv__utree_load(gnbv_store *s, gnbv__utree **out);
void gnbv__utree_free(gnbv__utree *t);
/* The unit with this code valid on `on` (0: the open one, or the only
 * one). Returns its index, -1 when no unit has the code, -2 when units
 * have it but none was valid on that date (*any gets one of them). */
long gnbv__utree_find(const gnbv__utree *t, const char *code, size_t len, int32_t on, long *any);
void gnbv__unit_to_public(const gnbv__utree *t, size_t i, gnbv_unit *out);

/* Dates: yyyymmdd <-> 'YYYY-MM-DD'. */
void gnbv__date_text(int32_t d, char out[11]);

#endif
