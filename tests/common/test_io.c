/* Blocking client I/O over a real socket pair: exchanges, error replies,
 * timeouts, closed peers, oversized frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tv_err.h"
#include "tv_io.h"
#include "tv_proto.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void pair(int sv[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

static void logout_frame(tv_buf *b, uint32_t type)
{
    tv_frame_begin(b, type);
    assert_int_equal(tv_frame_end(b), 0);
}

static void call_reads_matching_reply(void **state)
{
    int sv[2];
    tv_buf req, rep, canned;
    tv_reader body;

    pair(sv);
    tv_buf_init(&req, TV_FRAME_MAX + 4);
    tv_buf_init(&rep, TV_FRAME_MAX + 4);
    tv_buf_init(&canned, TV_FRAME_MAX + 4);
    logout_frame(&req, TV_MSG_LOGOUT);
    logout_frame(&canned, TV_MSG_LOGOUT | TV_MSG_REPLY);
    assert_int_equal(tv_send_all(sv[1], canned.data, canned.len, 1000), 0);
    assert_int_equal(tv_call(sv[0], &req, &rep, 1000, &body, NULL, 0), 0);
    assert_int_equal(tv_peer_check(sv[0], getuid(), NULL), 0);
    assert_int_equal(tv_peer_check(sv[0], getuid() + 1, NULL), TV_ERR_PEER_UID);
    close(sv[0]);
    close(sv[1]);
    tv_buf_free(&req);
    tv_buf_free(&rep);
    tv_buf_free(&canned);
}

static void error_reply_becomes_its_code(void **state)
{
    int sv[2];
    tv_buf req, rep, canned;
    tv_reader body;
    char msg[64] = "";

    pair(sv);
    tv_buf_init(&req, TV_FRAME_MAX + 4);
    tv_buf_init(&rep, TV_FRAME_MAX + 4);
    tv_buf_init(&canned, TV_FRAME_MAX + 4);
    logout_frame(&req, TV_MSG_LOGOUT);
    assert_int_equal(tv_frame_error(&canned, TV_ERR_EXPIRED, "expired"), 0);
    assert_int_equal(tv_send_all(sv[1], canned.data, canned.len, 1000), 0);
    assert_int_equal(tv_call(sv[0], &req, &rep, 1000, &body, msg, sizeof msg), TV_ERR_EXPIRED);
    assert_string_equal(msg, "expired");
    close(sv[0]);
    close(sv[1]);
    tv_buf_free(&req);
    tv_buf_free(&rep);
    tv_buf_free(&canned);
}

static void silent_peer_times_out_and_closed_peer_is_reported(void **state)
{
    int sv[2];
    tv_buf rep;
    tv_reader body;
    uint32_t type;

    pair(sv);
    tv_buf_init(&rep, TV_FRAME_MAX + 4);
    assert_int_equal(tv_recv_frame(sv[0], &rep, 50, &type, &body), TV_ERR_TIMEOUT);
    close(sv[1]);
    assert_int_equal(tv_recv_frame(sv[0], &rep, 1000, &type, &body), TV_ERR_CLOSED);
    assert_int_equal(tv_send_all(sv[0], "x", 1, 1000), TV_ERR_CLOSED);   /* no SIGPIPE */
    close(sv[0]);
    tv_buf_free(&rep);
}

static void oversized_header_is_refused_before_reading_body(void **state)
{
    int sv[2];
    tv_buf rep;
    tv_reader body;
    uint32_t type;
    uint8_t header[4];

    pair(sv);
    tv_buf_init(&rep, TV_FRAME_MAX + 4);
    tv_store_u32(header, 0x7fffffff);
    assert_int_equal(tv_send_all(sv[1], header, sizeof header, 1000), 0);
    assert_int_equal(tv_recv_frame(sv[0], &rep, 1000, &type, &body), TV_ERR_TOO_LARGE);
    assert_int_equal(rep.len, 4);
    close(sv[0]);
    close(sv[1]);
    tv_buf_free(&rep);
}

static void socket_path_follows_environment(void **state)
{
    char path[108];

    setenv("TARJETA_AGENT_SOCKET", "/tmp/x/agent.sock", 1);
    assert_int_equal(tv_agent_socket_path(path, sizeof path), 0);
    assert_string_equal(path, "/tmp/x/agent.sock");
    unsetenv("TARJETA_AGENT_SOCKET");
    setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
    assert_int_equal(tv_agent_socket_path(path, sizeof path), 0);
    assert_string_equal(path, "/run/user/1000/tarjeta-virtual/agent.sock");
    unsetenv("XDG_RUNTIME_DIR");
    assert_int_equal(tv_agent_socket_path(path, sizeof path), TV_ERR_CONFIG);
}

static void connect_to_missing_socket_is_no_agent(void **state)
{
    int fd = -1;

    assert_int_equal(tv_unix_connect("/nonexistent/tarjeta/agent.sock", 100, &fd), TV_ERR_NO_AGENT);
    assert_int_equal(fd, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(call_reads_matching_reply),
        cmocka_unit_test(error_reply_becomes_its_code),
        cmocka_unit_test(silent_peer_times_out_and_closed_peer_is_reported),
        cmocka_unit_test(oversized_header_is_refused_before_reading_body),
        cmocka_unit_test(socket_path_follows_environment),
        cmocka_unit_test(connect_to_missing_socket_is_no_agent),
    };
    return cmocka_run_group_tests_name("io", tests, NULL, NULL);
}
