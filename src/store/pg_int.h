/*
 * pg_int.h - the pure text functions of the PostgreSQL backend (pg.c),
 * exported for the store and for tests/unit/test_store_pg.c. Internal to
 * src/store.
 */
#ifndef GNBV_PG_INT_H
#define GNBV_PG_INT_H

#include <stddef.h>

/* target with the password of user:password@ and of a password= query
 * parameter replaced by ***, truncated to cap - 1 bytes. */
void gnbv__pg_mask_target(const char *target, char *out, size_t cap);

/* The portable SQL with `?`/`?NNN` as $n outside literals, quoted
 * identifiers and comments; *nparams the highest number. *out is malloc'd. */
int gnbv__pg_rewrite_params(const char *sql, char **out, int *nparams);

/* A migration script in PostgreSQL's words (INTEGER, REAL, TEXT, WITHOUT
 * ROWID; see pg.c). *out is malloc'd. */
int gnbv__pg_translate_ddl(const char *sql, char **out);

#endif
