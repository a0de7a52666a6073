/* Fuzz target: what the PKCS#11 module reads from the agent and from
 * applications, without an agent: a SNAPSHOT reply (frame validation,
 * snapshot parsing, objects and every attribute read), and the same bytes as
 * a DigestInfo (CKM_RSA_PKCS input) and as a certificate. */
#include "../../pkcs11/der.h"
#include "../../pkcs11/object.h"
#include "../../pkcs11/snapshot.h"
#include "tv_buf.h"
#include "tv_proto.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_every_attribute(const struct tv_token *t)
{
    static const CK_ATTRIBUTE_TYPE types[] = {
        CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_VALUE, CKA_ID, CKA_SUBJECT, CKA_ISSUER,
        CKA_SERIAL_NUMBER, CKA_KEY_TYPE, CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_EC_PARAMS, CKA_EC_POINT,
        CKA_PUBLIC_KEY_INFO, CKA_START_DATE, CKA_END_DATE, CKA_ALLOWED_MECHANISMS, CKA_PRIVATE_EXPONENT,
        CKA_PROFILE_ID, CKA_VALUE_LEN,
    };
    uint8_t buf[64];

    for (size_t i = 0; i < t->nobjects; i++)
        for (size_t a = 0; a < sizeof types / sizeof types[0]; a++) {
            CK_ATTRIBUTE sized = { types[a], NULL, 0 }, small = { types[a], buf, sizeof buf };
            uint8_t *full;
            tv_object_get_attributes(&t->objects[i], &sized, 1);
            tv_object_get_attributes(&t->objects[i], &small, 1);
            if (sized.ulValueLen == CK_UNAVAILABLE_INFORMATION || sized.ulValueLen > (1u << 20))
                continue;
            full = malloc(sized.ulValueLen + 1);
            sized.pValue = full;
            tv_object_get_attributes(&t->objects[i], &sized, 1);
            tv_object_matches(&t->objects[i], &sized, 1);
            free(full);
        }
}

static void as_snapshot(const uint8_t *data, size_t size)
{
    tv_buf frame;
    tv_reader body;
    uint32_t type;
    struct tv_snapshot *snap = NULL;
    struct tv_token *token = NULL;

    tv_buf_init(&frame, TV_FRAME_MAX + TV_FRAME_HEADER);
    tv_buf_put_u32(&frame, (uint32_t)size + 4);
    tv_buf_put_u32(&frame, TV_MSG_SNAPSHOT | TV_MSG_REPLY);
    tv_buf_put_raw(&frame, data, size);
    if (tv_buf_ok(&frame) && tv_frame_open(frame.data, frame.len, &type, &body) == 0 &&
        tv_snapshot_parse(&frame, body, &snap) == 0) {
        (void)tv_snapshot_has_token(snap);
        if (tv_token_build(snap, &token) == 0) {
            read_every_attribute(token);
            tv_token_free(token);
        }
    }
    tv_buf_free(&frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    CK_MECHANISM_TYPE hash;
    const uint8_t *digest;
    size_t digest_len;
    tv_cert_info info;

    as_snapshot(data, size);
    (void)tv_digestinfo_parse(data, size, &hash, &digest, &digest_len);
    (void)tv_cert_parse(data, size, &info);
    return 0;
}
