/* Fuzz target: the frame decoder and every field reader over a validated
 * body.  Whatever the bytes, the decoder must not read out of bounds, and a
 * frame it accepts must re-read cleanly field by field. */
#include "tv_buf.h"
#include "tv_proto.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const char *layout, tv_reader *r)
{
    uint32_t u32;
    uint64_t u64;
    const uint8_t *p;
    size_t n;
    char s[TV_STRING_MAX + 1];

    for (; *layout && *layout != ']'; layout++) {
        switch (*layout) {
        case 'u': (void)tv_get_u32(r, &u32); break;
        case 'q': (void)tv_get_u64(r, &u64); break;
        case 'y': (void)tv_get_bytes(r, TV_FRAME_MAX, &p, &n); break;
        case 's': (void)tv_get_string(r, s, sizeof s); break;
        case '[': {
            int depth = 1;
            const char *inner = layout + 1;
            if (tv_get_u32(r, &u32) == 0)
                for (uint32_t i = 0; i < u32; i++)
                    walk(inner, r);
            while (depth > 0 && *++layout)
                depth += *layout == '[' ? 1 : *layout == ']' ? -1 : 0;
            break;
        }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t frame_len;
    uint32_t type;
    tv_reader body;

    while (size > 0 && tv_frame_peek(data, size, &frame_len) == 0 && frame_len <= size) {
        if (tv_frame_open(data, frame_len, &type, &body) == 0) {
            walk(tv_msg_layout(type), &body);
            if (tv_reader_left(&body) != 0)
                __builtin_trap();   /* a validated frame must read exactly */
        }
        data += frame_len;
        size -= frame_len;
    }
    return 0;
}
