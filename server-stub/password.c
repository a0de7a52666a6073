#include "password.h"

#include "bakq.h"
#include "tv_err.h"
#include "tv_secmem.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/* Length of the UTF-8 sequence starting with c, 0 if c cannot start one. */
static int utf8_len(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

bool tv_password_policy_ok(const char *pw)
{
    size_t chars = 0;
    size_t total = strnlen(pw, TV_PW_MAX_BYTES + 1);

    if (total > TV_PW_MAX_BYTES)
        return false;
    for (const unsigned char *p = (const unsigned char *)pw; *p;) {
        int n = utf8_len(*p);

        if (n == 0 || *p < 0x20 || *p == 0x7f)
            return false;
        for (int k = 1; k < n; k++)
            if ((p[k] & 0xC0) != 0x80)
                return false;
        p += n;
        chars++;
    }
    return chars == TV_PW_LEN;
}

int tv_password_hash(const char *pw, int iterations, uint8_t salt[TV_PW_SALT], uint8_t hash[TV_PW_HASH])
{
    if (RAND_bytes(salt, TV_PW_SALT) != 1)
        return TV_ERR_INTERNAL;
    if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, TV_PW_SALT, iterations, EVP_sha256(),
                          TV_PW_HASH, hash) != 1)
        return TV_ERR_INTERNAL;
    return 0;
}

bool tv_password_verify(const char *pw, int iterations, const uint8_t *salt, size_t salt_len,
                        const uint8_t *hash, size_t hash_len)
{
    uint8_t got[TV_PW_HASH];
    bool ok;

    if (pw == NULL || salt == NULL || hash == NULL || hash_len != TV_PW_HASH || iterations < 1)
        return false;
    if (strnlen(pw, TV_PW_MAX_BYTES + 1) > TV_PW_MAX_BYTES)
        return false;
    if (PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), salt, (int)salt_len, iterations, EVP_sha256(),
                          TV_PW_HASH, got) != 1)
        return false;
    ok = CRYPTO_memcmp(got, hash, TV_PW_HASH) == 0;
    tv_wipe(got, sizeof got);
    return ok;
}

int tv_password_generate(char out[TV_PW_LEN + 1])
{
    static const char set[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    for (int i = 0; i < TV_PW_LEN; i++)
        out[i] = set[tv_random_below(sizeof set - 1)];
    out[TV_PW_LEN] = '\0';
    return 0;
}
