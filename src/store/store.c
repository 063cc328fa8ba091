/*
 * store.c - the store over the backend vtable: opening and migrations,
 * transactions, id allocation, scopes and the hash-chained audit log.
 *
 * This file and its siblings (units.c, registry.c, import.c, export.c) are
 * written once against gnbv/sys/store_backend.h and its portable SQL; a
 * PostgreSQL backend makes them run on PostgreSQL unchanged.
 *
 * Migrations are the numbered files src/store/migrations/NNNN_name.sql,
 * compiled into the binary. At open, each one newer than the database's
 * schema_version is applied in its own transaction together with its
 * schema_version row, so a crash leaves the schema at a migration boundary.
 *
 * Ids are allocated from the id_counter table inside the writing
 * transaction (the counter row is locked first: BEGIN IMMEDIATE on SQLite,
 * a row lock on PostgreSQL), so they are dense, never reused after a
 * commit, and need no SERIAL/AUTOINCREMENT dialect.
 *
 * The audit log: every change transaction writes one record, every export
 * of personal data an access record, each hashed with SHA-256 over the
 * previous record's hash and its own fields (length-prefixed, see
 * chain_hash), so editing, inserting or deleting a record offline breaks the
 * chain at that point; gnbv_store_audit_verify walks it.
 */
#include "store_int.h"

#include "gnbv/error.h"

#include "io/embed.h"
#include "pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- statements ---- */

int gnbv__prep(gnbv_store *s, const char *sql, gnbv_bstmt **out)
{
	return s->ops->prepare(s->b, sql, out);
}

void gnbv__fin(gnbv_store *s, gnbv_bstmt *st)
{
	if (st) s->ops->finalize(st);
}

void gnbv__col_copy(gnbv_store *s, gnbv_bstmt *st, int c, char *dst, size_t cap)
{
	size_t n;
	const char *t = s->ops->column_text(st, c, &n);
	if (n >= cap) n = cap - 1;
	memcpy(dst, t, n);
	dst[n] = '\0';
}

int gnbv__run(gnbv_store *s, gnbv_bstmt *st)
{
	int rc = s->ops->step(st);
	s->ops->reset(st);
	if (rc < 0) return rc;
	return 0;
}

/* One-shot: prepare, bind text parameters, step to completion. */
static int run_sql(gnbv_store *s, const char *sql, int nparams, const char *const *params)
{
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(s, sql, &st);
	for (int i = 0; !rc && i < nparams; i++)
		rc = gnbv__bind_text(s, st, i + 1, params[i], strlen(params[i]));
	if (!rc) {
		rc = gnbv__step(s, st);
		if (rc > 0) rc = 0;
	}
	gnbv__fin(s, st);
	return rc;
}

/* ---- transactions ---- */

int gnbv__begin(gnbv_store *s)
{
	int rc = s->ops->begin(s->b);
	if (!rc) s->in_tx = 1;
	return rc;
}

int gnbv__commit(gnbv_store *s)
{
	int rc = s->ops->commit(s->b);
	if (rc) {
		s->ops->rollback(s->b);
	}
	s->in_tx = 0;
	return rc;
}

void gnbv__rollback(gnbv_store *s)
{
	if (!s->in_tx) return;
	char keep[1024]; /* a rollback must not replace the message that caused it */
	snprintf(keep, sizeof keep, "%s", gnbv_error_message());
	s->ops->rollback(s->b);
	s->in_tx = 0;
	if (keep[0]) gnbv_error_set(GNBV_EIO, "%s", keep);
}

/* ---- ids ---- */

int gnbv__ids_lock(gnbv_store *s, const char *name, int64_t *next)
{
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(
	    s, "UPDATE id_counter SET next_id = next_id WHERE name = ? RETURNING next_id", &st);
	if (!rc) rc = gnbv__bind_text(s, st, 1, name, strlen(name));
	if (!rc) {
		rc = gnbv__step(s, st);
		if (rc == GNBV_BACKEND_ROW) {
			*next = gnbv__col_int(s, st, 0);
			rc = 0;
		} else if (rc == GNBV_BACKEND_DONE) {
			rc = gnbv_error_set(GNBV_EIO, "database: no id counter '%s'", name);
		}
	}
	gnbv__fin(s, st);
	return rc;
}

int gnbv__ids_set(gnbv_store *s, const char *name, int64_t next)
{
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(s, "UPDATE id_counter SET next_id = ? WHERE name = ?", &st);
	if (!rc) rc = gnbv__bind_int(s, st, 1, next);
	if (!rc) rc = gnbv__bind_text(s, st, 2, name, strlen(name));
	if (!rc) rc = gnbv__run(s, st);
	gnbv__fin(s, st);
	return rc;
}

/* ---- audit log ---- */

static void hash_field(gnbv__sha256 *c, const char *p, size_t n)
{
	char len[24];
	int k = snprintf(len, sizeof len, "%zu:", n);
	gnbv__sha256_update(c, len, (size_t)k);
	gnbv__sha256_update(c, p, n);
}

/* hash = hex SHA-256 of the length-prefixed fields "N:bytes" of prev_hash,
 * seq (decimal), at, actor, action, object and detail, in that order. */
static void chain_hash(const char *prev, int64_t seq, const char *at, const char *actor,
                       const char *action, const char *object, const char *detail,
                       size_t detail_len, char out[65])
{
	gnbv__sha256 c;
	unsigned char d[32];
	char num[24];
	gnbv__sha256_init(&c);
	hash_field(&c, prev, strlen(prev));
	int k = snprintf(num, sizeof num, "%lld", (long long)seq);
	hash_field(&c, num, (size_t)k);
	hash_field(&c, at, strlen(at));
	hash_field(&c, actor, strlen(actor));
	hash_field(&c, action, strlen(action));
	hash_field(&c, object, strlen(object));
	hash_field(&c, detail, detail_len);
	gnbv__sha256_final(&c, d);
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}

static const char GENESIS[] = "0000000000000000000000000000000000000000000000000000000000000000";

int gnbv__audit_reserve(gnbv_store *s, int64_t *seq)
{
	int64_t next;
	int rc = gnbv__ids_lock(s, "audit", &next);
	if (!rc) rc = gnbv__ids_set(s, "audit", next + 1);
	if (!rc) *seq = next;
	return rc;
}

int gnbv__audit_write(gnbv_store *s, int64_t seq, const char *action, const char *object,
                      const char *detail, size_t detail_len)
{
	gnbv_bstmt *st = NULL;
	char prev[65], hash[65], at[32];
	int rc;
	snprintf(prev, sizeof prev, "%s", GENESIS);
	if ((rc = gnbv__prep(
	         s, "SELECT hash FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT 1", &st)) ||
	    (rc = gnbv__bind_int(s, st, 1, seq)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc < 0) goto done;
	if (rc == GNBV_BACKEND_ROW) gnbv__col_copy(s, st, 0, prev, sizeof prev);
	gnbv__fin(s, st);
	st = NULL;

	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	chain_hash(prev, seq, at, s->actor, action, object, detail, detail_len, hash);

	if ((rc = gnbv__prep(
	         s,
	         "INSERT INTO audit_log (seq, at, actor, action, object, detail, prev_hash, hash) "
	         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	         &st)))
		goto done;
	const char *vals[] = {at, s->actor, action, object};
	if ((rc = gnbv__bind_int(s, st, 1, seq))) goto done;
	for (int i = 0; i < 4; i++)
		if ((rc = gnbv__bind_text(s, st, i + 2, vals[i], strlen(vals[i])))) goto done;
	if ((rc = gnbv__bind_text(s, st, 6, detail, detail_len)) ||
	    (rc = gnbv__bind_text(s, st, 7, prev, 64)) ||
	    (rc = gnbv__bind_text(s, st, 8, hash, 64)))
		goto done;
	rc = gnbv__run(s, st);
done:
	gnbv__fin(s, st);
	return rc;
}

int gnbv_store_change_seq(gnbv_store *s, int64_t *out)
{
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(s, "SELECT coalesce(max(seq), 0) FROM audit_log", &st);
	if (rc) return rc;
	rc = gnbv__step(s, st);
	if (rc == GNBV_BACKEND_ROW) {
		*out = gnbv__col_int(s, st, 0);
		rc = 0;
	} else if (rc >= 0) {
		*out = 0;
		rc = 0;
	}
	gnbv__fin(s, st);
	return rc;
}

int gnbv_store_audit_verify(gnbv_store *s, uint64_t *checked)
{
	gnbv_bstmt *st = NULL;
	char prev[65], want[65];
	int64_t expect = 1, last_counter = 0;
	uint64_t n = 0;
	int rc;
	snprintf(prev, sizeof prev, "%s", GENESIS);
	if ((rc = gnbv__prep(s,
	                     "SELECT seq, at, actor, action, object, detail, prev_hash, hash "
	                     "FROM audit_log ORDER BY seq",
	                     &st)))
		goto done;
	while ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW) {
		int64_t seq = gnbv__col_int(s, st, 0);
		char at[64], actor[256], action[64], object[512], row_prev[80], row_hash[80];
		size_t dlen;
		gnbv__col_copy(s, st, 1, at, sizeof at);
		gnbv__col_copy(s, st, 2, actor, sizeof actor);
		gnbv__col_copy(s, st, 3, action, sizeof action);
		gnbv__col_copy(s, st, 4, object, sizeof object);
		const char *detail = gnbv__col_text(s, st, 5, &dlen);
		gnbv__col_copy(s, st, 6, row_prev, sizeof row_prev);
		gnbv__col_copy(s, st, 7, row_hash, sizeof row_hash);
		if (seq != expect) {
			rc = gnbv_error_set(
			    GNBV_EINVALID,
			    "audit log: record %lld follows %lld: records are missing",
			    (long long)seq, (long long)(expect - 1));
			goto done;
		}
		if (strcmp(row_prev, prev)) {
			rc = gnbv_error_set(GNBV_EINVALID,
			                    "audit log: record %lld does not chain to record %lld "
			                    "(prev_hash differs)",
			                    (long long)seq, (long long)(seq - 1));
			goto done;
		}
		chain_hash(prev, seq, at, actor, action, object, detail, dlen, want);
		if (strcmp(want, row_hash)) {
			rc = gnbv_error_set(GNBV_EINVALID,
			                    "audit log: record %lld was altered (its hash does not "
			                    "match its content)",
			                    (long long)seq);
			goto done;
		}
		memcpy(prev, want, sizeof prev);
		expect = seq + 1;
		n++;
	}
	if (rc < 0) goto done;
	gnbv__fin(s, st);
	st = NULL;
	/* A deleted tail shows against the counter. */
	if ((rc = gnbv__prep(s, "SELECT next_id FROM id_counter WHERE name = 'audit'", &st)))
		goto done;
	if ((rc = gnbv__step(s, st)) == GNBV_BACKEND_ROW)
		last_counter = gnbv__col_int(s, st, 0) - 1;
	if (rc < 0) goto done;
	rc = 0;
	if (last_counter != expect - 1) {
		rc = gnbv_error_set(GNBV_EINVALID,
		                    "audit log: ends at record %lld but %lld were written",
		                    (long long)(expect - 1), (long long)last_counter);
		goto done;
	}
	if (checked) *checked = n;
done:
	gnbv__fin(s, st);
	return rc;
}

/* ---- scopes ---- */

void gnbv_store_scope_all(gnbv_scope *out)
{
	memset(out, 0, sizeof *out);
}

int gnbv__scope_need_all(const gnbv_scope *scope, const char *what)
{
	if (!scope || scope->unit_id != 0 || scope->path[0])
		return gnbv_error_set(GNBV_EDENIED, "%s needs the whole unit tree in scope", what);
	return 0;
}

void gnbv__scope_range(const gnbv_scope *scope, char *lo, char *hi, size_t cap)
{
	/* Paths look like '/1/7/'; '0' is the byte after '/'. */
	if (!scope->path[0]) {
		snprintf(lo, cap, "/");
		snprintf(hi, cap, "0");
		return;
	}
	snprintf(lo, cap, "%s", scope->path);
	snprintf(hi, cap, "%s", scope->path);
	size_t n = strlen(hi);
	if (n) hi[n - 1] = '0';
}

int gnbv__scope_has(const gnbv_scope *scope, const char *path)
{
	size_t n = strlen(scope->path);
	return n == 0 || strncmp(path, scope->path, n) == 0;
}

int gnbv_store_scope_unit(gnbv_store *s, const char *code, int32_t on, gnbv_scope *out)
{
	gnbv_unit u;
	int rc = gnbv_store_unit_get(s, code, on, &u);
	if (rc) return rc;
	gnbv_bstmt *st = NULL;
	gnbv_scope sc;
	memset(&sc, 0, sizeof sc);
	if ((rc = gnbv__prep(s, "SELECT path FROM unit WHERE unit_id = ?", &st)) ||
	    (rc = gnbv__bind_int(s, st, 1, u.unit_id)))
		goto done;
	rc = gnbv__step(s, st);
	if (rc == GNBV_BACKEND_ROW) {
		size_t n;
		const char *p = gnbv__col_text(s, st, 0, &n);
		if (n >= sizeof sc.path) {
			rc =
			    gnbv_error_set(GNBV_ETOOBIG, "unit '%s' is too deep in the tree", code);
			goto done;
		}
		memcpy(sc.path, p, n);
		sc.unit_id = u.unit_id;
		*out = sc;
		rc = 0;
	} else if (rc == GNBV_BACKEND_DONE) {
		rc = gnbv_error_set(GNBV_ENOTFOUND, "no unit '%s'", code);
	}
done:
	gnbv__fin(s, st);
	return rc;
}

/* ---- migrations ---- */

typedef struct migration {
	int version;
	const char *name; /* "0001_init.sql" */
	const char *sql;
} migration;

static int cmp_migration(const void *a, const void *b)
{
	return ((const migration *)a)->version - ((const migration *)b)->version;
}

/* The embedded migrations, sorted; *n gets their number. */
static int list_migrations(migration *out, size_t cap, size_t *n)
{
	*n = 0;
	for (const gnbv_embedded_file *f = gnbv_embedded; f->name; f++) {
		if (strncmp(f->name, "migrations/", 11)) continue;
		const char *base = f->name + 11;
		int v = 0, digits = 0;
		while (base[digits] >= '0' && base[digits] <= '9' && digits < 6)
			v = v * 10 + (base[digits++] - '0');
		if (digits != 4 || base[4] != '_' || v == 0)
			return gnbv_error_set(
			    GNBV_EINVALID, "migration %s: expected a name NNNN_name.sql", f->name);
		if (*n == cap) return gnbv_error_set(GNBV_ETOOBIG, "too many migrations");
		out[*n].version = v;
		out[*n].name = base;
		out[*n].sql = (const char *)f->data;
		(*n)++;
	}
	qsort(out, *n, sizeof *out, cmp_migration);
	for (size_t i = 1; i < *n; i++)
		if (out[i].version == out[i - 1].version)
			return gnbv_error_set(GNBV_EINVALID,
			                      "migrations %s and %s have the same number",
			                      out[i - 1].name, out[i].name);
	return 0;
}

int gnbv_store_schema_latest(void)
{
	migration m[256];
	size_t n;
	if (list_migrations(m, 256, &n) || n == 0) return 0;
	return m[n - 1].version;
}

static int read_version(gnbv_store *s, int *out)
{
	gnbv_bstmt *st = NULL;
	int rc = gnbv__prep(s, "SELECT max(version) FROM schema_version", &st);
	if (!rc) {
		rc = gnbv__step(s, st);
		if (rc == GNBV_BACKEND_ROW) {
			*out = gnbv__col_null(s, st, 0) ? 0 : (int)gnbv__col_int(s, st, 0);
			rc = 0;
		} else if (rc == GNBV_BACKEND_DONE) {
			*out = 0;
			rc = 0;
		}
	}
	gnbv__fin(s, st);
	return rc;
}

int gnbv_store_schema_version(gnbv_store *s, int *out)
{
	return read_version(s, out);
}

static int migrate(gnbv_store *s)
{
	migration m[256];
	size_t n;
	int rc, have;
	if ((rc = list_migrations(m, 256, &n))) return rc;
	/* The table is created only when it cannot be read: a role that may
	 * change rows but not the schema (PostgreSQL's application role, R5)
	 * opens an up-to-date database without needing CREATE. */
	if (read_version(s, &have)) {
		gnbv_error_clear();
		if ((rc = s->ops->exec(s->b, "CREATE TABLE IF NOT EXISTS schema_version ("
		                             "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
		                             "applied_at TEXT NOT NULL)")) ||
		    (rc = read_version(s, &have)))
			return rc;
	}
	int latest = n ? m[n - 1].version : 0;
	if (have > latest)
		return gnbv_error_set(GNBV_ECONFLICT,
		                      "the database's schema (version %d) is newer than this gnbv "
		                      "knows (%d): use a newer gnbv",
		                      have, latest);
	for (size_t i = 0; i < n; i++) {
		if (m[i].version <= have) continue;
		char ver[16], at[32];
		snprintf(ver, sizeof ver, "%d", m[i].version);
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
		const char *params[] = {ver, m[i].name, at};
		if ((rc = gnbv__begin(s))) return rc;
		if ((rc = s->ops->exec(s->b, m[i].sql)) ||
		    (rc = run_sql(
		         s,
		         "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
		         3, params))) {
			char msg[1024];
			snprintf(msg, sizeof msg, "%s", gnbv_error_message());
			gnbv__rollback(s);
			return gnbv_error_set(rc, "migration %s: %s", m[i].name, msg);
		}
		if ((rc = gnbv__commit(s))) return rc;
	}
	return 0;
}

/* ---- open / close ---- */

int gnbv_store_open(gnbv_store **out, const char *target, const gnbv_store_opts *opts)
{
	gnbv_store_opts def = GNBV_STORE_OPTS_INIT;
	const gnbv_store_opts *o = opts ? opts : &def;
	gnbv_store *s = NULL;
	int rc = 0;
	*out = NULL;
	if (o->version != GNBV_STORE_OPTS_VERSION)
		return gnbv_error_set(GNBV_EINVALID,
		                      "gnbv_store_open: options version %u, expected %u",
		                      o->version, GNBV_STORE_OPTS_VERSION);
	const gnbv_backend_ops *ops = o->backend;
	if (!ops) {
		/* PostgreSQL takes its URLs; SQLite everything else (a path). */
		const gnbv_backend_ops *builtin[] = {gnbv_backend_postgresql(),
		                                     gnbv_backend_sqlite()};
		for (size_t i = 0; !ops && i < sizeof builtin / sizeof builtin[0]; i++)
			if (builtin[i]->accepts(target)) ops = builtin[i];
		if (!ops)
			return gnbv_error_set(
			    GNBV_ENOTFOUND,
			    "%s: no backend for this kind of database in this build", target);
	}
	if (ops->version < 1 || ops->version > GNBV_BACKEND_VERSION)
		return gnbv_error_set(
		    GNBV_EINVALID,
		    "backend %s implements interface version %d, this build knows %d", ops->name,
		    ops->version, GNBV_BACKEND_VERSION);
	s = calloc(1, sizeof *s);
	if (!s) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	s->ops = ops;
	snprintf(s->target, sizeof s->target, "%s", target);
	snprintf(s->actor, sizeof s->actor, "%s", o->actor && o->actor[0] ? o->actor : "unknown");
	gnbv_backend_config cfg = {o->create, o->read_only, o->busy_timeout_ms};
	if ((rc = ops->open(target, &cfg, &s->b))) goto done;
	if (!o->read_only && (rc = migrate(s))) goto done;
	*out = s;
	s = NULL;
done:
	gnbv_store_close(s);
	return rc;
}

void gnbv_store_target_shown(const char *target, char *out, size_t cap)
{
	if (!cap) return;
	if (!target) target = "";
	if (gnbv_backend_postgresql()->accepts(target))
		gnbv__pg_mask_target(target, out, cap);
	else
		snprintf(out, cap, "%s", target);
}

void gnbv_store_close(gnbv_store *s)
{
	if (!s) return;
	if (s->b) {
		if (s->in_tx) s->ops->rollback(s->b);
		s->ops->close(s->b);
	}
	free(s);
}

int gnbv_store_check(gnbv_store *s)
{
	return s->ops->check(s->b);
}

void gnbv__date_text(int32_t d, char out[11])
{
	if (d <= 0) {
		out[0] = '\0';
		return;
	}
	snprintf(out, 11, "%04d-%02d-%02d", (int)(d / 10000) % 10000, (int)(d / 100 % 100),
	         (int)(d % 100));
}
