/* tarjeta-prompt: the dialogs of Tarjeta virtual, one process per dialog,
 * speaking the pinentry (Assuan) protocol on stdin/stdout with the agent
 * (docs/PROMPT-PROTOCOL.md).  GTK3 when there is a display, the terminal
 * otherwise, a clear ERR when there is neither. */
#include "gtk_front.h"
#include "i18n.h"
#include "prompt.h"
#include "tty.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TV_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(TV_ASAN)
/* fontconfig (under GTK) keeps its caches until exit: not ours to report. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
#endif

enum front { FRONT_UNDECIDED, FRONT_GTK, FRONT_TTY };

static enum front front = FRONT_UNDECIDED;

static int show(void *ctx, tv_prompt *p, tv_prompt_ask ask, tv_prompt_outcome *outcome)
{
    tv_i18n_apply(tv_prompt_get(p, TV_F_LC_MESSAGES), tv_prompt_get(p, TV_F_LC_CTYPE));
    if (front == FRONT_UNDECIDED)
        front = tv_gtk_start(p) ? FRONT_GTK : FRONT_TTY;
    if (front == FRONT_GTK)
        return tv_gtk_show(p, ask, outcome);
    return tv_tty_show(p, ask, outcome);
}

static const char *flavor(void *ctx)
{
    return front == FRONT_GTK ? "gtk" : front == FRONT_TTY ? "tty" : "tarjeta";
}

static int write_stdout(void *ctx, const char *p, size_t n)
{
    return tv_write_all(STDOUT_FILENO, p, n);
}

static int serve(tv_prompt *p)
{
    tv_line_reader reader;
    char chunk[4096];
    int rc = tv_prompt_greet(p);

    tv_line_reader_init(&reader);
    while (rc == 0) {
        ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;                            /* the agent went away */
        rc = tv_line_feed(&reader, chunk, (size_t)n, tv_prompt_handle_line, p);
    }
    return rc < 0 ? 1 : 0;
}

static void setup_logging(void)
{
    const char *debug = getenv("TARJETA_DEBUG");

    (void)tv_log_open("tarjeta-prompt", debug && debug[0] ? TV_LOG_DEBUG : TV_LOG_WARN, "stderr");
}

int main(void)
{
    tv_prompt_frontend fe = { .show = show, .flavor = flavor, .ctx = NULL };
    tv_prompt *p = NULL;
    int status;

    setup_logging();
    if (tv_harden_process() < 0)
        tv_warn("cannot disable core dumps; continuing");
    signal(SIGPIPE, SIG_IGN);
    tv_i18n_init(NULL);
    p = tv_prompt_new(&fe, write_stdout, NULL);
    if (p == NULL) {
        tv_error("out of memory");
        return 1;
    }
    status = serve(p);
    tv_prompt_free(p);
    return status;
}
