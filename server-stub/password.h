/* Passwords: the BakQ policy (exactly 8 characters) and the slow salted hash
 * (PBKDF2-HMAC-SHA256) kept in the database. */
#ifndef TV_SRV_PASSWORD_H
#define TV_SRV_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TV_PW_SALT 16
#define TV_PW_HASH 32
#define TV_PW_LEN 8
#define TV_PW_MAX_BYTES 64

/* Exactly 8 characters (UTF-8 code points), none a control character. */
bool tv_password_policy_ok(const char *pw);

int tv_password_hash(const char *pw, int iterations, uint8_t salt[TV_PW_SALT], uint8_t hash[TV_PW_HASH]);
/* Constant-time comparison with the stored hash. */
bool tv_password_verify(const char *pw, int iterations, const uint8_t *salt, size_t salt_len,
                        const uint8_t *hash, size_t hash_len);

/* A random initial password of 8 characters (letters and digits). */
int tv_password_generate(char out[TV_PW_LEN + 1]);

#endif
