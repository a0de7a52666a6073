/* Fuzz target: the prompt's line reader and command dispatcher (gui/), fed
 * arbitrary bytes as if they came from the agent, with a front end that
 * answers every dialog in turn (OK with a secret, cancel, resend, timeout,
 * failure).  Invariants: no crash, every reply is whole lines of at most
 * TV_ASSUAN_LINE_MAX bytes, each starting with OK, ERR, D or #. */
#include "assuan.h"
#include "prompt.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned turn;

static int answer(void *ctx, tv_prompt *p, tv_prompt_ask ask, tv_prompt_outcome *outcome)
{
    static const char secret[] = "Ab%\n\r\x01\x7f" "1234";

    switch (turn++ % 5) {
    case 0:
        *outcome = TV_OUTCOME_OK;
        return ask == TV_ASK_PIN ? tv_prompt_send_secret(p, secret, sizeof secret - 1) : 0;
    case 1: *outcome = TV_OUTCOME_CANCELLED; return 0;
    case 2: *outcome = TV_OUTCOME_NOTOK; return 0;
    case 3: *outcome = TV_OUTCOME_TIMEOUT; return 0;
    default:
        tv_prompt_set_failure(p, tv_prompt_get(p, TV_F_DESC));
        return -38;
    }
}

static int check_reply(void *ctx, const char *p, size_t n)
{
    const char *end = p + n;

    if (n == 0 || p[n - 1] != '\n')
        __builtin_trap();
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)(nl - p) + 1;
        if (len > TV_ASSUAN_LINE_MAX)
            __builtin_trap();
        if (strncmp(p, "OK", 2) != 0 && strncmp(p, "ERR ", 4) != 0 && strncmp(p, "D ", 2) != 0)
            __builtin_trap();
        p = nl + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tv_prompt_frontend fe = { .show = answer };
    tv_prompt *p = tv_prompt_new(&fe, check_reply, NULL);
    tv_line_reader reader;
    size_t half = size / 2;

    if (p == NULL)
        return 0;
    turn = 0;
    tv_line_reader_init(&reader);
    /* two chunks, so lines also cross a read boundary */
    if (tv_line_feed(&reader, (const char *)data, half, tv_prompt_handle_line, p) == 0)
        (void)tv_line_feed(&reader, (const char *)data + half, size - half, tv_prompt_handle_line, p);
    tv_prompt_free(p);
    return 0;
}
