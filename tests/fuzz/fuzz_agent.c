/* Fuzz target: the agent's frame decoder and dispatcher, as a connection
 * thread runs them.  The input is a byte stream cut into frames the way the
 * socket reader cuts it; the agent has credentials (real certificates) but no
 * service, so every handler runs to its end without the network.  The first
 * input byte chooses whether the connection already said HELLO. */
#include "dispatch.h"
#include "json.h"
#include "tv_proto.h"

#include "../agent/fake_list.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tv_agent agent;
static int ready;

static void agent_once(void)
{
    json_t *list;
    tv_creds *creds = NULL;
    char err[256];

    setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
    setenv("XDG_CACHE_HOME", "/nonexistent", 1);
    setenv("HOME", "/nonexistent", 1);
    tv_json_init();
    tv_agent_init(&agent);
    snprintf(agent.cfg.user, sizeof agent.cfg.user, "12345678Z");
    list = fake_list();
    if (tv_creds_from_list("12345678Z", list, &creds, err, sizeof err) == 0)
        tv_agent_set_creds(&agent, creds);
    json_decref(list);
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tv_conn c;
    tv_buf out;
    size_t frame_len;

    if (!ready)
        agent_once();
    if (size == 0)
        return 0;
    tv_conn_init(&c, &agent, -1, 0);
    c.hello_done = data[0] & 1;
    data++;
    size--;
    tv_buf_init(&out, TV_FRAME_MAX + 4);
    while (size > 0) {
        int rc = tv_frame_peek(data, size, &frame_len);
        if (rc < 0 || frame_len > size)
            break;                                   /* the reader would close or wait */
        rc = tv_dispatch_frame(&c, data, frame_len, &out);
        uint32_t type;
        tv_reader body;
        if (tv_frame_open(out.data, out.len, &type, &body) != 0)
            __builtin_trap();                        /* every reply must be a valid frame */
        if (rc < 0)
            break;                                   /* the connection would close */
        data += frame_len;
        size -= frame_len;
    }
    tv_buf_free(&out);
    return 0;
}
