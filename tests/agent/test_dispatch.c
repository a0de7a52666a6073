/* The agent's dispatcher without a socket or a server: HELLO first, frames
 * checked against the table, SNAPSHOT built from real certificates, errors as
 * ERROR frames, and nothing that needs the network blocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dispatch.h"
#include "fake_list.h"
#include "json.h"
#include "tv_err.h"
#include "tv_mech.h"
#include "tv_proto.h"

#include <openssl/objects.h>
#include <string.h>

static tv_agent agent;

static int setup(void **state)
{
    json_t *list;
    tv_creds *creds = NULL;
    char err[256];

    setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
    setenv("XDG_CACHE_HOME", "/nonexistent", 1);
    tv_json_init();
    tv_agent_init(&agent);
    list = fake_list();
    snprintf(agent.cfg.user, sizeof agent.cfg.user, "12345678Z");
    if (tv_creds_from_list("12345678Z", list, &creds, err, sizeof err) < 0)
        return -1;
    tv_agent_set_creds(&agent, creds);
    json_decref(list);
    return 0;
}

static int teardown(void **state)
{
    tv_agent_destroy(&agent);
    return 0;
}

static int roundtrip(tv_conn *c, tv_buf *req, tv_buf *rep, uint32_t *type, tv_reader *body)
{
    int rc;

    assert_int_equal(tv_frame_end(req), 0);
    rc = tv_dispatch_frame(c, req->data, req->len, rep);
    assert_int_equal(tv_frame_open(rep->data, rep->len, type, body), 0);
    return rc;
}

static void hello(tv_conn *c, tv_buf *req, tv_buf *rep)
{
    uint32_t type;
    tv_reader body;

    tv_frame_begin(req, TV_MSG_HELLO);
    tv_buf_put_u32(req, TV_PROTOCOL_VERSION);
    tv_buf_put_u32(req, 1);
    tv_buf_put_string(req, "test");
    assert_int_equal(roundtrip(c, req, rep, &type, &body), 0);
    assert_int_equal(type, TV_MSG_HELLO | TV_MSG_REPLY);
}

static void expect_error(tv_reader *body, uint32_t type, int code)
{
    int got;

    assert_int_equal(type, TV_MSG_ERROR);
    assert_int_equal(tv_frame_read_error(body, &got, NULL, 0), 0);
    assert_int_equal(got, code);
}

static void hello_comes_first(void **state)
{
    tv_conn c;
    tv_buf req, rep;
    uint32_t type;
    tv_reader body;

    tv_conn_init(&c, &agent, -1, 0);
    tv_buf_init(&req, TV_FRAME_MAX + 4);
    tv_buf_init(&rep, TV_FRAME_MAX + 4);
    tv_frame_begin(&req, TV_MSG_SNAPSHOT);
    assert_int_equal(roundtrip(&c, &req, &rep, &type, &body), TV_ERR_VERSION);
    expect_error(&body, type, TV_ERR_VERSION);
    tv_frame_begin(&req, TV_MSG_HELLO);
    tv_buf_put_u32(&req, 99);
    tv_buf_put_u32(&req, 1);
    tv_buf_put_string(&req, "old");
    assert_int_equal(roundtrip(&c, &req, &rep, &type, &body), TV_ERR_VERSION);
    expect_error(&body, type, TV_ERR_VERSION);
    tv_buf_free(&req);
    tv_buf_free(&rep);
}

static void malformed_and_unknown_frames(void **state)
{
    static const uint8_t unknown[] = { 0, 0, 0, 4, 0, 0, 0x12, 0x34 };
    static const uint8_t short_login[] = { 0, 0, 0, 8, 0, 0, 0, 3, 0, 0, 0, 1 };
    static const uint8_t reply_type[] = { 0, 0, 0, 4, 0, 0, 0x80, 0x04 };
    tv_conn c;
    tv_buf req, rep;
    uint32_t type;
    tv_reader body;

    tv_conn_init(&c, &agent, -1, 0);
    tv_buf_init(&req, TV_FRAME_MAX + 4);
    tv_buf_init(&rep, TV_FRAME_MAX + 4);
    hello(&c, &req, &rep);
    assert_int_equal(tv_dispatch_frame(&c, unknown, sizeof unknown, &rep), TV_ERR_UNKNOWN_MESSAGE);
    assert_int_equal(tv_frame_open(rep.data, rep.len, &type, &body), 0);
    expect_error(&body, type, TV_ERR_UNKNOWN_MESSAGE);
    assert_int_equal(tv_dispatch_frame(&c, short_login, sizeof short_login, &rep), TV_ERR_PROTOCOL);
    assert_int_equal(tv_dispatch_frame(&c, reply_type, sizeof reply_type, &rep), TV_ERR_PROTOCOL);
    tv_buf_free(&req);
    tv_buf_free(&rep);
}

/* Walk one SNAPSHOT credential record and check it against the certificate. */
static void check_credential(tv_reader *r, uint32_t usage_want)
{
    const uint8_t *id, *cert, *subj, *iss, *serial, *n, *e, *params, *point;
    size_t id_len, cert_len, subj_len, iss_len, serial_len, n_len, e_len, params_len, point_len;
    char label[128];
    uint32_t usage, key_type, bits;
    uint64_t nb, na;

    assert_int_equal(tv_get_bytes(r, 64, &id, &id_len), 0);
    assert_int_equal(id_len, 20);
    assert_int_equal(tv_get_string(r, label, sizeof label), 0);
    assert_int_equal(tv_get_u32(r, &usage), 0);
    assert_int_equal(usage, usage_want);
    assert_int_equal(tv_get_u32(r, &key_type), 0);
    assert_int_equal(key_type, TV_KEY_EC);
    assert_int_equal(tv_get_u32(r, &bits), 0);
    assert_int_equal(bits, 256);
    assert_int_equal(tv_get_bytes(r, TV_FRAME_MAX, &cert, &cert_len), 0);
    const unsigned char *p = cert;
    X509 *x = d2i_X509(NULL, &p, (long)cert_len);
    assert_non_null(x);
    assert_int_equal(tv_get_bytes(r, TV_FRAME_MAX, &subj, &subj_len), 0);
    unsigned char *der = NULL;
    int der_len = i2d_X509_NAME(X509_get_subject_name(x), &der);
    assert_int_equal(subj_len, der_len);
    assert_memory_equal(subj, der, subj_len);
    OPENSSL_free(der);
    assert_int_equal(tv_get_bytes(r, TV_FRAME_MAX, &iss, &iss_len), 0);
    assert_int_equal(tv_get_bytes(r, TV_FRAME_MAX, &serial, &serial_len), 0);
    assert_int_equal(serial[0], 0x02);                         /* DER INTEGER */
    assert_int_equal(tv_get_bytes(r, TV_FRAME_MAX, &n, &n_len), 0);
    assert_int_equal(tv_get_bytes(r, TV_FRAME_MAX, &e, &e_len), 0);
    assert_int_equal(n_len + e_len, 0);
    assert_int_equal(tv_get_bytes(r, TV_FRAME_MAX, &params, &params_len), 0);
    static const uint8_t p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
    assert_int_equal(params_len, sizeof p256);
    assert_memory_equal(params, p256, sizeof p256);
    assert_int_equal(tv_get_bytes(r, TV_FRAME_MAX, &point, &point_len), 0);
    assert_int_equal(point_len, 67);                           /* 04 41 04 X Y */
    assert_int_equal(point[0], 0x04);
    assert_int_equal(point[1], 65);
    assert_int_equal(point[2], 0x04);
    assert_int_equal(tv_get_u64(r, &nb), 0);
    assert_int_equal(tv_get_u64(r, &na), 0);
    assert_true(na > nb);
    X509_free(x);
}

static void snapshot_from_certificates(void **state)
{
    tv_conn c;
    tv_buf req, rep;
    uint32_t type, flags, n;
    uint64_t gen;
    char dni[32];
    tv_reader body;

    tv_conn_init(&c, &agent, -1, 0);
    tv_buf_init(&req, TV_FRAME_MAX + 4);
    tv_buf_init(&rep, TV_FRAME_MAX + 4);
    hello(&c, &req, &rep);
    tv_frame_begin(&req, TV_MSG_SNAPSHOT);
    assert_int_equal(roundtrip(&c, &req, &rep, &type, &body), 0);
    assert_int_equal(type, TV_MSG_SNAPSHOT | TV_MSG_REPLY);
    assert_int_equal(tv_get_u64(&body, &gen), 0);
    assert_int_equal(tv_get_u32(&body, &flags), 0);
    assert_int_equal(flags, TV_SNAP_TOKEN_PRESENT);
    assert_int_equal(tv_get_string(&body, dni, sizeof dni), 0);
    assert_string_equal(dni, "12345678Z");
    assert_int_equal(tv_get_u32(&body, &n), 0);
    assert_int_equal(n, 2);
    check_credential(&body, 1);
    check_credential(&body, 2);
    assert_int_equal(tv_get_u32(&body, &n), 0);
    assert_int_equal(n, 1);                                    /* the CA, once */
    tv_buf_free(&req);
    tv_buf_free(&rep);
}

static void sign_without_service_fails_cleanly(void **state)
{
    tv_conn c;
    tv_buf req, rep;
    uint32_t type;
    tv_reader body;
    uint8_t hash[32] = { 0 };

    tv_conn_init(&c, &agent, -1, 0);
    tv_buf_init(&req, TV_FRAME_MAX + 4);
    tv_buf_init(&rep, TV_FRAME_MAX + 4);
    hello(&c, &req, &rep);
    /* Unknown key. */
    tv_frame_begin(&req, TV_MSG_SIGN);
    tv_buf_put_bytes(&req, "nope", 4);
    for (int i = 0; i < 5; i++)
        tv_buf_put_u32(&req, i == 0 ? TV_CKM_ECDSA : 0);
    tv_buf_put_bytes(&req, hash, sizeof hash);
    assert_int_equal(roundtrip(&c, &req, &rep, &type, &body), 0);
    expect_error(&body, type, TV_ERR_KEY);
    /* A real key, but no service configured: a login is needed and impossible. */
    tv_creds *cr = tv_agent_creds(&agent);
    tv_frame_begin(&req, TV_MSG_SIGN);
    tv_buf_put_bytes(&req, cr->cred[0].ckaid, TV_CKAID_LEN);
    for (int i = 0; i < 5; i++)
        tv_buf_put_u32(&req, i == 0 ? TV_CKM_ECDSA : 0);
    tv_buf_put_bytes(&req, hash, sizeof hash);
    assert_int_equal(roundtrip(&c, &req, &rep, &type, &body), 0);
    expect_error(&body, type, TV_ERR_NO_IDENTITY);
    /* Wrong mechanism for the key. */
    tv_frame_begin(&req, TV_MSG_SIGN);
    tv_buf_put_bytes(&req, cr->cred[0].ckaid, TV_CKAID_LEN);
    for (int i = 0; i < 5; i++)
        tv_buf_put_u32(&req, i == 0 ? TV_CKM_SHA256_RSA_PKCS : 0);
    tv_buf_put_bytes(&req, hash, sizeof hash);
    assert_int_equal(roundtrip(&c, &req, &rep, &type, &body), 0);
    expect_error(&body, type, TV_ERR_MECHANISM);
    tv_creds_unref(cr);
    tv_buf_free(&req);
    tv_buf_free(&rep);
}

static void status_stats_and_wait(void **state)
{
    tv_conn c;
    tv_buf req, rep;
    uint32_t type;
    uint64_t gen;
    tv_reader body;

    tv_conn_init(&c, &agent, -1, 0);
    tv_buf_init(&req, TV_FRAME_MAX + 4);
    tv_buf_init(&rep, TV_FRAME_MAX + 4);
    hello(&c, &req, &rep);
    tv_frame_begin(&req, TV_MSG_STATUS);
    assert_int_equal(roundtrip(&c, &req, &rep, &type, &body), 0);
    assert_int_equal(type, TV_MSG_STATUS | TV_MSG_REPLY);
    tv_frame_begin(&req, TV_MSG_STATS);
    assert_int_equal(roundtrip(&c, &req, &rep, &type, &body), 0);
    assert_int_equal(type, TV_MSG_STATS | TV_MSG_REPLY);
    tv_frame_begin(&req, TV_MSG_WAIT_EVENT);
    tv_buf_put_u64(&req, 0);
    tv_buf_put_u32(&req, 1000);
    assert_int_equal(roundtrip(&c, &req, &rep, &type, &body), 0);
    assert_int_equal(tv_get_u64(&body, &gen), 0);
    assert_int_not_equal(gen, 0);
    tv_frame_begin(&req, TV_MSG_ACCOUNT);
    tv_buf_put_string(&req, "renew");
    tv_buf_put_u32(&req, 0);
    assert_int_equal(roundtrip(&c, &req, &rep, &type, &body), 0);
    expect_error(&body, type, TV_ERR_NO_IDENTITY);
    tv_buf_free(&req);
    tv_buf_free(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hello_comes_first),
        cmocka_unit_test(malformed_and_unknown_frames),
        cmocka_unit_test(snapshot_from_certificates),
        cmocka_unit_test(sign_without_service_fails_cleanly),
        cmocka_unit_test(status_stats_and_wait),
    };
    return cmocka_run_group_tests_name("agent dispatcher", tests, setup, teardown);
}
