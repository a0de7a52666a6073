/* The module's SHA-256/384/512: FIPS 180 examples, and agreement with
 * OpenSSL for every length around the block boundaries, whole and in parts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../pkcs11/hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static void check_vector(enum tv_hash_alg alg, const char *msg, size_t repeat, const char *want)
{
    tv_hash_ctx ctx;
    uint8_t out[TV_HASH_MAX];
    char text[2 * TV_HASH_MAX + 1];
    size_t n;

    tv_hash_init(&ctx, alg);
    for (size_t i = 0; i < repeat; i++)
        tv_hash_update(&ctx, msg, strlen(msg));
    n = tv_hash_final(&ctx, out);
    hex(out, n, text);
    assert_string_equal(text, want);
}

static void fips_examples(void **state)
{
    check_vector(TV_HASH_SHA256, "abc", 1,
                 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_vector(TV_HASH_SHA256, "", 1,
                 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check_vector(TV_HASH_SHA256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    check_vector(TV_HASH_SHA256, "a", 1000000,
                 "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    check_vector(TV_HASH_SHA384, "abc", 1,
                 "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                 "8086072ba1e7cc2358baeca134c825a7");
    check_vector(TV_HASH_SHA512, "abc", 1,
                 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    check_vector(TV_HASH_SHA512, "a", 1000000,
                 "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
                 "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
}

static const EVP_MD *openssl_md(enum tv_hash_alg alg)
{
    return alg == TV_HASH_SHA256 ? EVP_sha256() : alg == TV_HASH_SHA384 ? EVP_sha384() : EVP_sha512();
}

static void agrees_with_openssl(void **state)
{
    static const enum tv_hash_alg algs[] = { TV_HASH_SHA256, TV_HASH_SHA384, TV_HASH_SHA512 };
    uint8_t data[600], ours[TV_HASH_MAX], parts[TV_HASH_MAX], theirs[EVP_MAX_MD_SIZE];
    unsigned theirs_len;

    srand(1);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)rand();
    for (size_t a = 0; a < 3; a++)
        for (size_t len = 0; len <= sizeof data; len++) {
            tv_hash_ctx ctx;
            size_t n = tv_hash(algs[a], data, len, ours);
            EVP_Digest(data, len, theirs, &theirs_len, openssl_md(algs[a]), NULL);
            assert_int_equal(n, theirs_len);
            assert_memory_equal(ours, theirs, n);
            tv_hash_init(&ctx, algs[a]);
            for (size_t at = 0; at < len;) {
                size_t step = (size_t)(rand() % 70) + 1;
                step = step > len - at ? len - at : step;
                tv_hash_update(&ctx, data + at, step);
                at += step;
            }
            assert_int_equal(tv_hash_final(&ctx, parts), n);
            assert_memory_equal(parts, theirs, n);
        }
}

static void lengths(void **state)
{
    assert_int_equal(tv_hash_len(TV_HASH_SHA256), 32);
    assert_int_equal(tv_hash_len(TV_HASH_SHA384), 48);
    assert_int_equal(tv_hash_len(TV_HASH_SHA512), 64);
    assert_int_equal(tv_hash_len(TV_HASH_NONE), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fips_examples),
        cmocka_unit_test(agrees_with_openssl),
        cmocka_unit_test(lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
