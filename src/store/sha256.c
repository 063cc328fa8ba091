/*
 * sha256.c - SHA-256 for the audit log's hash chain, by libsodium (the
 * project's crypto library: Argon2id and tokens come from it too). The FIPS
 * 180-4 test vectors in tests/unit/test_store.c check the wiring.
 */
#include "store_int.h"

void gnbv__sha256_init(gnbv__sha256 *c) { crypto_hash_sha256_init(&c->st); }

void gnbv__sha256_update(gnbv__sha256 *c, const void *p, size_t n)
{
	crypto_hash_sha256_update(&c->st, (const unsigned char *)p, (unsigned long long)n);
}

void gnbv__sha256_final(gnbv__sha256 *c, unsigned char out[32])
{
	crypto_hash_sha256_final(&c->st, out);
}
