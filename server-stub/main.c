/* bakq-server: the BakQ / CSC signing service stand-in.
 *
 *   bakq-server init   --data-dir DIR [--hsm-module PATH] [--hsm-label LABEL]
 *   bakq-server serve  --data-dir DIR [--listen 127.0.0.1:PORT] [--testing] [--log-level L]
 *   bakq-server enroll --data-dir DIR --dni DNI --given-name N --surname S --birth-date YYYY-MM-DD
 *                      --email E --phone P --second-factor sms|coordinates [--key rsa2048|p256]
 *                      [--level bakq|bak] [--allow-shared-contact]
 *                      [--password PW | --password-file FILE] [--activate]
 */
#include "api.h"
#include "bakq.h"
#include "enroll.h"
#include "http.h"
#include "db.h"
#include "renewal.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SWEEP_INTERVAL 300

static void usage(FILE *f)
{
    fprintf(f,
        "usage: bakq-server init   --data-dir DIR [--hsm-module PATH] [--hsm-label LABEL]\n"
        "       bakq-server serve  --data-dir DIR [--listen 127.0.0.1:PORT] [--testing] [--log-level L]\n"
        "       bakq-server enroll --data-dir DIR --dni DNI --given-name N --surname S\n"
        "                          --birth-date YYYY-MM-DD --email E --phone P\n"
        "                          --second-factor sms|coordinates [--key rsa2048|p256] [--level bakq|bak]\n"
        "                          [--allow-shared-contact] [--password PW | --password-file F] [--activate]\n"
        "See README.md (section bakq-server) and docs/API.md.\n");
}

static tv_log_level parse_level(const char *s)
{
    if (s && strcmp(s, "error") == 0)
        return TV_LOG_ERROR;
    if (s && strcmp(s, "warning") == 0)
        return TV_LOG_WARN;
    if (s && strcmp(s, "debug") == 0)
        return TV_LOG_DEBUG;
    return TV_LOG_INFO;
}

static int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        { "data-dir", required_argument, NULL, 'd' }, { "hsm-module", required_argument, NULL, 'm' },
        { "hsm-label", required_argument, NULL, 'l' }, { NULL, 0, NULL, 0 } };
    const char *dir = NULL, *module = NULL, *label = NULL;
    int c;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            dir = optarg;
        else if (c == 'm')
            module = optarg;
        else if (c == 'l')
            label = optarg;
        else
            return 2;
    }
    if (dir == NULL) {
        usage(stderr);
        return 2;
    }
    if (tv_bakq_init(dir, module, label) < 0) {
        fprintf(stderr, "bakq-server: init of %s failed (see the messages above)\n", dir);
        return 1;
    }
    printf("initialised %s (CA: %s/ca.crt)\n", dir, dir);
    return 0;
}

/* Wait for SIGINT/SIGTERM, running the renewal-notice sweep meanwhile. */
static void serve_loop(struct bakq *b, const sigset_t *stop)
{
    struct timespec ts = { .tv_sec = SWEEP_INTERVAL };

    for (;;) {
        int sig = sigtimedwait(stop, NULL, &ts);

        if (sig == SIGINT || sig == SIGTERM)
            break;
        pthread_mutex_lock(&b->lock);
        (void)tv_renewal_sweep(b);
        pthread_mutex_unlock(&b->lock);
    }
}

static int serve(struct bakq *b, const char *listen_addr)
{
    struct tv_http *http = NULL;
    sigset_t stop;
    int port = 0;

    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);          /* before any thread starts */
    signal(SIGPIPE, SIG_IGN);
    if (tv_bakq_open(b, true) < 0)
        return 1;
    tv_api_global_init();
    (void)tv_renewal_sweep(b);
    if (tv_http_start(b, listen_addr ? listen_addr : b->cfg.listen, &http, &port) < 0)
        return 1;
    snprintf(b->url, sizeof b->url, "https://127.0.0.1:%d", port);
    (void)tv_meta_set_text(b->db, "last_url", b->url);
    printf("listening on %s\n", b->url);
    fflush(stdout);
    tv_info("serving %s on %s%s", b->data_dir, b->url, b->testing ? " (testing API enabled)" : "");
    serve_loop(b, &stop);
    tv_info("stopping");
    tv_http_stop(http);
    return 0;
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        { "data-dir", required_argument, NULL, 'd' }, { "listen", required_argument, NULL, 'l' },
        { "testing", no_argument, NULL, 't' }, { "log-level", required_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 } };
    static struct bakq b;
    const char *listen_addr = NULL, *level = NULL;
    int c, rc;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            snprintf(b.data_dir, sizeof b.data_dir, "%s", optarg);
        else if (c == 'l')
            listen_addr = optarg;
        else if (c == 't')
            b.testing = true;
        else if (c == 'v')
            level = optarg;
        else
            return 2;
    }
    if (b.data_dir[0] == '\0') {
        usage(stderr);
        return 2;
    }
    if (level)
        tv_log_open("bakq-server", parse_level(level), "stderr");
    rc = serve(&b, listen_addr);
    tv_bakq_close(&b);
    return rc;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";

    tv_log_open("bakq-server", TV_LOG_INFO, "stderr");
    if (tv_harden_process() < 0)
        tv_warn("could not disable core dumps");
    if (strcmp(cmd, "init") == 0)
        return cmd_init(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(cmd, "enroll") == 0)
        return tv_cmd_enroll(argc - 1, argv + 1);
    if (strcmp(cmd, "--version") == 0) {
        printf("bakq-server %s\n", TV_VERSION);
        return 0;
    }
    usage(strcmp(cmd, "--help") == 0 ? stdout : stderr);
    return strcmp(cmd, "--help") == 0 ? 0 : 2;
}
