/* The citizens' keys live in a PKCS#11 token (SoftHSM2 by default, any HSM
 * works): the module is dlopen()ed, one user login is shared by a small pool
 * of sessions so concurrent signatures run in parallel, and key handles are
 * cached by CKA_ID.  Keys are generated inside the token, sensitive and not
 * extractable; signing is C_Sign in the token. */
#ifndef TV_SRV_HSM_H
#define TV_SRV_HSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tv_hsm;

/* dlopen the module and C_Initialize it (OS locking). */
int tv_hsm_load(const char *module, struct tv_hsm **out);
/* Call C_Finalize and release everything; NULL is fine. */
void tv_hsm_free(struct tv_hsm *h);

/* Make sure a token labelled label exists: when none does, initialise the
 * first uninitialised token with so_pin and set the user PIN. */
int tv_hsm_prepare_token(struct tv_hsm *h, const char *label, const char *so_pin, const char *user_pin);
/* Log in to the token labelled label and open nsessions sessions. */
int tv_hsm_login(struct tv_hsm *h, const char *label, const char *pin, int nsessions);

enum tv_key_type { TV_KEY_RSA2048 = 0, TV_KEY_P256 = 1 };

/* Public half of a key, as read from the token. */
struct tv_hsm_pub {
    enum tv_key_type type;
    uint8_t n[512];       /* RSA modulus, or the EC point (uncompressed, no DER) */
    size_t n_len;
    uint8_t e[8];         /* RSA public exponent */
    size_t e_len;
};

/* Generate a persistent key pair whose CKA_ID and CKA_LABEL are id. */
int tv_hsm_generate(struct tv_hsm *h, const char *id, enum tv_key_type type, struct tv_hsm_pub *pub);

/* Mechanisms tv_hsm_sign accepts (the PKCS#11 numbers). */
#define TV_HSM_RSA_PKCS 0x1ul
#define TV_HSM_RSA_PSS  0xDul
#define TV_HSM_ECDSA    0x1041ul

struct tv_pss {
    unsigned long hash_mech;   /* CKM_SHA256 ... */
    unsigned long mgf;         /* CKG_MGF1_SHA256 ... */
    unsigned long salt_len;
};

/* Sign in with the private key of CKA_ID id. sig holds *sig_len bytes and
 * receives the signature (raw r||s for ECDSA). pss is used for RSA_PSS only. */
int tv_hsm_sign(struct tv_hsm *h, const char *id, unsigned long mech, const struct tv_pss *pss,
                const uint8_t *in, size_t in_len, uint8_t *sig, size_t *sig_len);

#endif
