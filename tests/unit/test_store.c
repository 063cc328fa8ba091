/*
 * test_store.c - unit tests of the store's internals and of its SQLite
 * backend: SHA-256 against the FIPS vectors, NFC (the fast path checked
 * against utf8proc over every code point it accepts), search keys, the
 * shortest real formatting, scope ranges, the SQLite settings (WAL, full
 * sync, foreign keys, defensive mode), and the audit chain catching edits,
 * deletions and a truncated tail made behind the store's back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/error.h"
#include "gnbv/store.h"
#include "store/registry.h"
#include "store/store_int.h"

#include <sqlite3.h>
#include <utf8proc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void hex(const unsigned char *d, char *out)
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void sha_is(const char *msg, size_t n, const char *want)
{
	gnbv__sha256 c;
	unsigned char d[32];
	char h[65];
	gnbv__sha256_init(&c);
	/* In uneven pieces, to cross block boundaries. */
	for (size_t i = 0; i < n;) {
		size_t k = (i % 7) + 1;
		if (k > n - i) k = n - i;
		gnbv__sha256_update(&c, msg + i, k);
		i += k;
	}
	gnbv__sha256_final(&c, d);
	hex(d, h);
	assert_string_equal(h, want);
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	sha_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha_is(two, strlen(two),
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	char *mil = malloc(1000000);
	memset(mil, 'a', 1000000);
	sha_is(mil, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(mil);
}

static void test_nfc(void **state)
{
	(void)state;
	char out[64];
	size_t n;
	/* Decomposed "Nguyễn" (e + circumflex + tilde) becomes precomposed. */
	assert_int_equal(gnbv__nfc("Nguye\xcc\x82\xcc\x83n", 10, out, sizeof out, &n), 0);
	assert_string_equal(out, "Nguy\xe1\xbb\x85n");
	assert_int_equal(gnbv__nfc("Nguy\xe1\xbb\x85n", 8, out, sizeof out, &n), 0);
	assert_string_equal(out, "Nguy\xe1\xbb\x85n");
	assert_int_equal(gnbv__nfc("abc", 3, out, 3, &n), GNBV_ETOOBIG);
	assert_int_equal(gnbv__nfc("a\xff", 2, out, sizeof out, &n), GNBV_EINVALID);
	/* The fast path (no normalisation for code points below U+0300 or in
	 * U+1E00-U+1EFF) agrees with utf8proc on every one of them, alone and
	 * after a base letter. */
	for (int32_t cp = 1; cp < 0x1F00; cp++) {
		if (cp >= 0x300 && cp < 0x1E00) continue;
		if (cp >= 0xD800 && cp <= 0xDFFF) continue;
		utf8proc_uint8_t in[8];
		in[0] = 'a';
		utf8proc_ssize_t k = utf8proc_encode_char(cp, in + 1);
		utf8proc_uint8_t *ref = NULL;
		utf8proc_ssize_t m =
		    utf8proc_map(in, k + 1, &ref, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
		assert_true(m > 0);
		assert_int_equal(gnbv__nfc((const char *)in, (size_t)k + 1, out, sizeof out, &n),
		                 0);
		if (n != (size_t)m || memcmp(out, ref, n))
			fail_msg("U+%04X normalises differently", (unsigned)cp);
		free(ref);
	}
}

static void key_is(const char *in, const char *want)
{
	char out[128];
	gnbv__search_key(in, strlen(in), out, sizeof out);
	assert_string_equal(out, want);
}

static void test_search_keys(void **state)
{
	(void)state;
	key_is("Nguyễn Thị Hồng", "nguyen thi hong");
	key_is("ĐẶNG VĂN ĐỨC", "dang van duc");
	key_is("Nguye\xcc\x82\xcc\x83n", "nguyen"); /* NFD too */
	key_is("  Lò   Thị\tƯng  ", "lo thi ung");
	key_is("Quách Ơn", "quach on");
	key_is("Hà\xc2\xa0Giang", "ha giang"); /* no-break space */
	char small[5];
	assert_int_equal(gnbv__search_key("abcdefgh", 8, small, sizeof small), 4);
	assert_string_equal(small, "abcd");
}

static void test_fmt_real_and_devices(void **state)
{
	(void)state;
	char b[64];
	gnbv__fmt_real(25.5, b, sizeof b);
	assert_string_equal(b, "25.5");
	gnbv__fmt_real(140, b, sizeof b);
	assert_string_equal(b, "140");
	gnbv__fmt_real(0.1, b, sizeof b);
	assert_string_equal(b, "0.1");
	gnbv__fmt_real(1e6, b, sizeof b);
	assert_string_equal(b, "1000000");
	gnbv__fmt_real(152.25, b, sizeof b);
	assert_string_equal(b, "152.25");
	gnbv__devices_text(GNBV_DEV_SMARTPHONE | GNBV_DEV_TV, b, sizeof b);
	assert_string_equal(b, "tv;smartphone");
	gnbv__devices_text(0, b, sizeof b);
	assert_string_equal(b, "");
}

static void test_scope_range(void **state)
{
	(void)state;
	gnbv_scope s;
	char lo[64], hi[64];
	gnbv_store_scope_all(&s);
	gnbv__scope_range(&s, lo, hi, sizeof lo);
	assert_string_equal(lo, "/");
	assert_string_equal(hi, "0");
	assert_true(gnbv__scope_has(&s, "/1/2/"));
	snprintf(s.path, sizeof s.path, "/1/2/");
	s.unit_id = 2;
	gnbv__scope_range(&s, lo, hi, sizeof lo);
	assert_string_equal(lo, "/1/2/");
	assert_string_equal(hi, "/1/20");
	/* '/1/20/' (unit 20) is not under '/1/2/' (unit 2). */
	assert_true(strcmp("/1/2/7/", lo) >= 0 && strcmp("/1/2/7/", hi) < 0);
	assert_false(strcmp("/1/20/", lo) >= 0 && strcmp("/1/20/", hi) < 0);
	assert_true(gnbv__scope_has(&s, "/1/2/7/"));
	assert_false(gnbv__scope_has(&s, "/1/20/"));
	assert_int_equal(gnbv__scope_need_all(&s, "x"), GNBV_EDENIED);
}

/* ---- the SQLite backend ---- */

static char g_dir[256], g_db[300];

static gnbv_store *fresh(void)
{
	snprintf(g_dir, sizeof g_dir, "%s/gnbv-store-unit-XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(g_dir));
	snprintf(g_db, sizeof g_db, "%s/t.db", g_dir);
	gnbv_store *s = NULL;
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	o.create = 1;
	o.actor = "test:unit";
	if (gnbv_store_open(&s, g_db, &o)) fail_msg("open: %s", gnbv_error_message());
	gnbv_scope all;
	gnbv_store_scope_all(&all);
	if (gnbv_store_units_import_builtin(s, &all, NULL))
		fail_msg("units: %s", gnbv_error_message());
	return s;
}

static void cleanup(void)
{
	char p[400];
	const char *suffix[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s%s", g_db, suffix[i]);
		unlink(p);
	}
	rmdir(g_dir);
}

static int64_t pragma_int(gnbv_store *s, const char *sql)
{
	gnbv_bstmt *st = NULL;
	assert_int_equal(gnbv__prep(s, sql, &st), 0);
	assert_int_equal(gnbv__step(s, st), GNBV_BACKEND_ROW);
	int64_t v = gnbv__col_int(s, st, 0);
	gnbv__fin(s, st);
	return v;
}

static void test_sqlite_settings(void **state)
{
	(void)state;
	gnbv_store *s = fresh();
	gnbv_bstmt *st = NULL;
	assert_int_equal(gnbv__prep(s, "PRAGMA journal_mode", &st), 0);
	assert_int_equal(gnbv__step(s, st), GNBV_BACKEND_ROW);
	size_t n;
	assert_string_equal(gnbv__col_text(s, st, 0, &n), "wal");
	gnbv__fin(s, st);
	assert_int_equal(pragma_int(s, "PRAGMA synchronous"), 2); /* FULL */
	assert_int_equal(pragma_int(s, "PRAGMA foreign_keys"), 1);
	/* Defensive mode: the schema cannot be written through SQL. */
	assert_int_equal(s->ops->exec(s->b,
	                              "PRAGMA writable_schema = ON; "
	                              "UPDATE sqlite_schema SET sql = 'x' WHERE name = 'unit'"),
	                 GNBV_EINVALID);
	/* A foreign key is enforced: a member of no survey. */
	assert_int_equal(
	    s->ops->exec(s->b, "INSERT INTO member (survey_id, member_no) VALUES (999, 1)"),
	    GNBV_ECONFLICT);
	/* Double-quoted strings are identifiers only (portable SQL). */
	assert_int_equal(s->ops->exec(s->b, "SELECT \"no such column\" FROM unit"), GNBV_EINVALID);
	/* The vi collation orders đ after d. */
	assert_int_equal(gnbv__prep(s, "SELECT 'đa' < 'dz' COLLATE vi, 'đa' > 'dz'", &st), 0);
	assert_int_equal(gnbv__step(s, st), GNBV_BACKEND_ROW);
	assert_int_equal(gnbv__col_int(s, st, 0), 0);
	assert_int_equal(gnbv__col_int(s, st, 1), 1);
	gnbv__fin(s, st);
	assert_int_equal(gnbv_store_check(s), 0);
	gnbv_store_close(s);
	/* Not a database. */
	FILE *f = fopen(g_db, "wb");
	fputs("this is not a database, it is a letter", f);
	for (int i = 0; i < 200; i++)
		fputs(" and more text", f);
	fclose(f);
	char wal[320];
	snprintf(wal, sizeof wal, "%s-wal", g_db);
	unlink(wal);
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	assert_int_equal(gnbv_store_open(&s, g_db, &o), GNBV_EIO);
	assert_null(s);
	cleanup();
}

static void test_newer_schema_refused(void **state)
{
	(void)state;
	gnbv_store *s = fresh();
	assert_int_equal(s->ops->exec(s->b,
	                              "INSERT INTO schema_version (version, name, applied_at) "
	                              "VALUES (9999, '9999_future.sql', '2099-01-01')"),
	                 0);
	gnbv_store_close(s);
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;
	assert_int_equal(gnbv_store_open(&s, g_db, &o), GNBV_ECONFLICT);
	assert_non_null(strstr(gnbv_error_message(), "newer"));
	cleanup();
}

static void raw(const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(g_db, &db), SQLITE_OK);
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) fail_msg("%s: %s", sql, err);
	sqlite3_close(db);
}

static void test_audit_chain_tampering(void **state)
{
	(void)state;
	gnbv_store *s = fresh();
	gnbv_scope all;
	gnbv_store_scope_all(&all);
	/* Three more records: the units again with a change, twice. */
	char path[400];
	snprintf(path, sizeof path, "%s/u.csv", g_dir);
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(path, "w");
		fprintf(f, "code,name,level,parent_code,flags\n04,Tỉnh Cao Bằng %d,province,,\n",
		        i);
		fclose(f);
		assert_int_equal(gnbv_store_units_import(s, &all, path, NULL), 0);
	}
	uint64_t n = 0;
	assert_int_equal(gnbv_store_audit_verify(s, &n), 0);
	assert_int_equal(n, 3);
	gnbv_store_close(s);
	gnbv_store_opts o = GNBV_STORE_OPTS_INIT;

	/* An edited detail. */
	raw("UPDATE audit_log SET detail = replace(detail, '\"rows\":1', '\"rows\":2') WHERE seq = "
	    "2");
	assert_int_equal(gnbv_store_open(&s, g_db, &o), 0);
	assert_int_equal(gnbv_store_audit_verify(s, &n), GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), "record 2 was altered"));
	gnbv_store_close(s);
	raw("UPDATE audit_log SET detail = replace(detail, '\"rows\":2', '\"rows\":1') WHERE seq = "
	    "2");
	assert_int_equal(gnbv_store_open(&s, g_db, &o), 0);
	assert_int_equal(gnbv_store_audit_verify(s, &n), 0);
	gnbv_store_close(s);

	/* An edited actor with its hash recomputed does not chain to the next. */
	raw("UPDATE audit_log SET actor = 'someone else', hash = 'f00' WHERE seq = 2");
	assert_int_equal(gnbv_store_open(&s, g_db, &o), 0);
	assert_int_equal(gnbv_store_audit_verify(s, &n), GNBV_EINVALID);
	gnbv_store_close(s);
	cleanup();

	/* A deleted middle record, and a deleted tail. */
	s = fresh();
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(path, "w");
		fprintf(f, "code,name,level\n04,Tỉnh Cao Bằng %d,province\n", i);
		fclose(f);
		assert_int_equal(gnbv_store_units_import(s, &all, path, NULL), 0);
	}
	gnbv_store_close(s);
	raw("DELETE FROM audit_log WHERE seq = 3");
	assert_int_equal(gnbv_store_open(&s, g_db, &o), 0);
	assert_int_equal(gnbv_store_audit_verify(s, &n), GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), "ends at record 2 but 3 were written"));
	gnbv_store_close(s);
	raw("DELETE FROM audit_log WHERE seq = 2");
	assert_int_equal(gnbv_store_open(&s, g_db, &o), 0);
	assert_int_equal(gnbv_store_audit_verify(s, &n), GNBV_EINVALID);
	gnbv_store_close(s);
	cleanup();
}

/* A failed write leaves nothing: a units file whose last row is bad. */
static void test_units_all_or_nothing(void **state)
{
	(void)state;
	gnbv_store *s = fresh();
	gnbv_scope all;
	gnbv_store_scope_all(&all);
	char path[400];
	snprintf(path, sizeof path, "%s/u.csv", g_dir);
	FILE *f = fopen(path, "w");
	fprintf(f, "code,name,level,parent_code,valid_from\n"
	           "04,Tỉnh Cao Bằng (sửa),province,,\n"
	           "01999,Xã Mới,commune,045,2030-13-01\n");
	fclose(f);
	int64_t before = pragma_int(s, "SELECT count(*) FROM unit");
	assert_int_equal(gnbv_store_units_import(s, &all, path, NULL), GNBV_EINVALID);
	assert_non_null(strstr(gnbv_error_message(), "u.csv:3:5: column 'valid_from'"));
	assert_int_equal(pragma_int(s, "SELECT count(*) FROM unit"), before);
	assert_int_equal(pragma_int(s, "SELECT count(*) FROM unit WHERE name = 'Tỉnh Cao Bằng'"),
	                 1);
	gnbv_store_close(s);
	cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256_vectors),
	    cmocka_unit_test(test_nfc),
	    cmocka_unit_test(test_search_keys),
	    cmocka_unit_test(test_fmt_real_and_devices),
	    cmocka_unit_test(test_scope_range),
	    cmocka_unit_test(test_sqlite_settings),
	    cmocka_unit_test(test_newer_schema_refused),
	    cmocka_unit_test(test_audit_chain_tampering),
	    cmocka_unit_test(test_units_all_or_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
