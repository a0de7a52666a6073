/* tarjeta: set up, inspect and manage Tarjeta virtual and the BakQ.
 * Commands talk to tarjeta-agent over its socket (starting it when needed). */
#include "cli.h"

#include "tv_dni.h"
#include "tv_err.h"
#include "tv_io.h"
#include "tv_paths.h"
#include "tv_proto.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct command {
    const char *name;
    int (*run)(cli *c, int argc, char **argv);
    const char *usage;
    const char *help;
} command;

static const command commands[] = {
    { "setup", cmd_setup, "setup --server URL --ca FILE --user DNI [--prompt-program PATH]\n"
      "              [--session-lifetime DURATION] [--session-signatures N]",
      "Configure the BakQ service, its CA certificate (pinned) and your DNI/NIE." },
    { "status", cmd_status, "status [--verbose]",
      "Show the identity, certificates and their validity, and the session." },
    { "login", cmd_login, "login [--terminal]",
      "Log in now (password, then SMS code or coordinate), so programs sign without asking.\n"
      "  --terminal  type the password here instead of in the dialog" },
    { "logout", cmd_logout, "logout", "End the session for every program and wipe its secrets." },
    { "activate", cmd_activate, "activate [--dni DNI] [--accept-terms]",
      "Activate a new BakQ: code from the e-mail, initial password from the SMS, new password,\n"
      "terms of use, first authentication." },
    { "password", cmd_password, "password", "Change your BakQ password." },
    { "reset-password", cmd_reset_password, "reset-password [--dni DNI]",
      "Set a new password with a code sent by SMS (also unblocks a blocked BakQ)." },
    { "second-factor", cmd_second_factor, "second-factor sms",
      "Switch the second factor from the coordinate card to SMS codes." },
    { "contact", cmd_contact, "contact [--email ADDRESS] [--phone NUMBER]",
      "Change the e-mail address or the mobile number of your BakQ (confirmed by SMS)." },
    { "revoke", cmd_revoke, "revoke [--yes]",
      "Revoke (anular) your BakQ: both certificates stop working for good." },
    { "renew", cmd_renew, "renew [--phone-conflict keep|change] [--phone NUMBER]",
      "Renew your certificates (within 30 days of expiry; confirmed by SMS)." },
    { "browsers", cmd_browsers, "browsers install [--module PATH] | remove | status",
      "Register the PKCS#11 module in your Firefox profiles and Chromium's NSS database.\n"
      "  install   add it where it is missing (Firefox and Chromium load it when they restart)\n"
      "  remove    take it out again\n"
      "  status    show where it is registered (exit 1 when it is missing somewhere)\n"
      "  --module PATH  register this file instead of the installed module\n"
      "Changes go through NSS's modutil (package libnss3-tools)." },
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "Usage: tarjeta COMMAND [OPTIONS]   (tarjeta COMMAND --help for details)\n\n"
               "Tarjeta virtual: your BakQ cloud certificate as a smartcard.\n\nCommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-15s %.*s\n", commands[i].name, (int)strcspn(commands[i].help, "\n"),
                commands[i].help);
    fprintf(f, "\nExit status: 0 done, 1 failed (the message says why), 2 bad command line,\n"
               "3 not set up or the agent cannot be reached.\n");
}

static const command *current;

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("Usage: tarjeta %s\n\n%s\n", current->usage, current->help);
            return true;
        }
    return false;
}

static int bad_usage(void)
{
    fprintf(stderr, "Usage: tarjeta %s\n", current->usage);
    return CLI_USAGE;
}

/* ---- setup ---- */

static int check_ca(const char *path, char *ca_copy, size_t n)
{
    char dir[4096];
    FILE *in = fopen(path, "re"), *out = NULL;
    X509 *x = in ? PEM_read_X509(in, NULL, NULL, NULL) : NULL;
    int rc = CLI_FAILED;

    if (x == NULL) {
        fprintf(stderr, "tarjeta: %s is not a readable PEM certificate (use the CA of the BakQ "
                "service, e.g. its /ca/ca.crt)\n", path);
        goto out;
    }
    if (tv_path_config_dir(dir, sizeof dir) < 0 || tv_mkdir_p(dir, 0700) < 0 ||
        tv_path_join(ca_copy, n, dir, "ca.pem") < 0 || (out = fopen(ca_copy, "we")) == NULL ||
        PEM_write_X509(out, x) != 1) {
        fprintf(stderr, "tarjeta: cannot store the CA certificate in %s\n", dir);
        goto out;
    }
    rc = CLI_OK;
out:
    if (out != NULL && fclose(out) != 0)
        rc = CLI_FAILED;
    if (in != NULL)
        fclose(in);
    X509_free(x);
    return rc;
}

typedef struct setup_args {
    const char *server, *ca, *user, *prompt, *lifetime, *signatures;
} setup_args;

static int setup_parse(int argc, char **argv, setup_args *s)
{
    static const struct option longs[] = {
        { "server", required_argument, NULL, 's' }, { "ca", required_argument, NULL, 'c' },
        { "user", required_argument, NULL, 'u' }, { "prompt-program", required_argument, NULL, 'p' },
        { "session-lifetime", required_argument, NULL, 'l' },
        { "session-signatures", required_argument, NULL, 'n' }, { 0 },
    };
    int ch;

    optind = 1;
    while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (ch) {
        case 's': s->server = optarg; break;
        case 'c': s->ca = optarg; break;
        case 'u': s->user = optarg; break;
        case 'p': s->prompt = optarg; break;
        case 'l': s->lifetime = optarg; break;
        case 'n': s->signatures = optarg; break;
        default: return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

/* Apply one "key = value" through the config file parser, for its checks. */
static int setup_set(cli *c, const char *key, const char *value)
{
    char text[4400], err[700];

    snprintf(text, sizeof text, "%s = %s\n", key, value);
    if (tv_config_apply_text(&c->cfg, text, err, sizeof err) < 0) {
        fprintf(stderr, "tarjeta: --%s: %s\n", key, strstr(err, ": ") ? strstr(err, ": ") + 2 : err);
        return -1;
    }
    return 0;
}

int cmd_setup(cli *c, int argc, char **argv)
{
    setup_args s = { 0 };
    char ca_copy[4096], err[700];
    tv_reader body;
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (setup_parse(argc, argv, &s) < 0 || s.server == NULL || s.ca == NULL || s.user == NULL)
        return bad_usage();
    if (cli_load_config(c) != CLI_OK) {            /* a broken file is rewritten from defaults */
        tv_config_defaults(&c->cfg);
        if (tv_path_user_config(c->cfg.source, sizeof c->cfg.source) < 0)
            return CLI_NO_AGENT;
    }
    if (setup_set(c, "server", s.server) < 0 || setup_set(c, "user", s.user) < 0 ||
        (s.prompt && setup_set(c, "prompt-program", s.prompt) < 0) ||
        (s.lifetime && setup_set(c, "session-lifetime", s.lifetime) < 0) ||
        (s.signatures && setup_set(c, "session-signatures", s.signatures) < 0))
        return CLI_USAGE;
    if (check_ca(s.ca, ca_copy, sizeof ca_copy) != CLI_OK)
        return CLI_FAILED;
    snprintf(c->cfg.ca, sizeof c->cfg.ca, "%s", ca_copy);
    if (tv_config_write(&c->cfg, c->cfg.source, err, sizeof err) < 0) {
        fprintf(stderr, "tarjeta: %s\n", err);
        return CLI_FAILED;
    }
    printf("Configuration written to %s\n  server: %s\n  CA (pinned): %s\n  DNI/NIE: %s\n",
           c->cfg.source, c->cfg.server, c->cfg.ca, c->cfg.user);
    if ((rc = cli_connect(c)) != CLI_OK)
        return rc;
    tv_frame_begin(&c->req, TV_MSG_RELOAD);
    if ((rc = cli_call(c, 10000, &body)) < 0)
        return cli_fail(c, rc, "the agent could not load the new configuration");
    printf("The agent uses it now. Log in with `tarjeta login`.\n");
    cli_browsers_hint();
    return CLI_OK;
}

/* ---- status ---- */

static void print_time(const char *label, uint64_t t)
{
    char buf[64];
    time_t tt = (time_t)t;
    struct tm tm;

    localtime_r(&tt, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
    printf("%s%s", label, buf);
}

static int status_credentials(tv_reader *r)
{
    static const char *const states[] = { "valid", "EXPIRED", "REVOKED" };
    uint32_t n, usage, state;
    uint64_t nb, na;
    const uint8_t *id;
    size_t id_len;
    char label[TV_STRING_MAX + 1], subject[TV_STRING_MAX + 1];

    if (tv_get_u32(r, &n) < 0)
        return -1;
    printf("Certificates:%s\n", n == 0 ? " none yet (they appear after the first login)" : "");
    for (uint32_t i = 0; i < n; i++) {
        if (tv_get_bytes(r, TV_STRING_MAX, &id, &id_len) < 0 || tv_get_string(r, label, sizeof label) < 0 ||
            tv_get_u32(r, &usage) < 0 || tv_get_u32(r, &state) < 0 || tv_get_u64(r, &nb) < 0 ||
            tv_get_u64(r, &na) < 0 || tv_get_string(r, subject, sizeof subject) < 0)
            return -1;
        long days = ((long long)na - (long long)time(NULL)) / 86400;
        printf("  %-20s %s", label, state < 3 ? states[state] : "?");
        print_time(", until ", na);
        if (state == 0)
            printf(" (%ld day%s left)", days, days == 1 ? "" : "s");
        printf("\n    %s\n", subject);
    }
    return 0;
}

static int print_stats(cli *c)
{
    tv_reader body;
    uint32_t n;
    uint64_t v;
    char name[128];
    int rc;

    tv_frame_begin(&c->req, TV_MSG_STATS);
    if ((rc = cli_call(c, 10000, &body)) < 0 || tv_get_u32(&body, &n) < 0)
        return rc < 0 ? rc : TV_ERR_PROTOCOL;
    printf("Agent counters:\n");
    for (uint32_t i = 0; i < n; i++) {
        if (tv_get_string(&body, name, sizeof name) < 0 || tv_get_u64(&body, &v) < 0)
            return TV_ERR_PROTOCOL;
        printf("  %s: %llu\n", name, (unsigned long long)v);
    }
    return 0;
}

int cmd_status(cli *c, int argc, char **argv)
{
    char dni[TV_STRING_MAX + 1], server[TV_STRING_MAX + 1], notice[TV_STRING_MAX + 1];
    uint32_t flags, left;
    uint64_t expires;
    tv_reader body;
    bool verbose = argc == 2 && strcmp(argv[1], "--verbose") == 0;
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (argc > 2 || (argc == 2 && !verbose))
        return bad_usage();
    if ((rc = cli_connect(c)) != CLI_OK)
        return rc;
    tv_frame_begin(&c->req, TV_MSG_STATUS);
    if ((rc = cli_call(c, 10000, &body)) < 0)
        return cli_fail(c, rc, "status");
    if (tv_get_string(&body, dni, sizeof dni) < 0 || tv_get_string(&body, server, sizeof server) < 0 ||
        tv_get_u32(&body, &flags) < 0 || tv_get_u32(&body, &left) < 0 || tv_get_u64(&body, &expires) < 0)
        return CLI_FAILED;
    printf("Identity:     %s\nService:      %s\nToken:        %s\n", dni[0] ? dni : "(not set up: run "
           "`tarjeta setup`)", server[0] ? server : "-", (flags & TV_SNAP_TOKEN_PRESENT) ? "present"
           : "absent");
    if (flags & TV_SNAP_SESSION_ACTIVE) {
        printf("Session:      active, %u signature%s left in this authorization", left, left == 1 ? "" : "s");
        print_time(", until ", expires);
        printf("\n");
    } else {
        printf("Session:      none (log in with `tarjeta login`)\n");
    }
    if (status_credentials(&body) < 0 || tv_get_string(&body, notice, sizeof notice) < 0)
        return CLI_FAILED;
    if (notice[0])
        printf("Notice:       %s\n", notice);
    if (verbose && (rc = print_stats(c)) < 0)
        return cli_fail(c, rc, "counters");
    return CLI_OK;
}

/* ---- login / logout ---- */

int cmd_login(cli *c, int argc, char **argv)
{
    bool terminal = argc == 2 && strcmp(argv[1], "--terminal") == 0;
    tv_secret *pw = NULL;
    tv_reader body;
    uint32_t flags = 0;
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (argc > 2 || (argc == 2 && !terminal))
        return bad_usage();
    if ((rc = cli_connect(c)) != CLI_OK)
        return rc;
    if (terminal && (rc = cli_ask_secret(c, "password", "BakQ password (8 characters).",
                                         "Password:", &pw)) < 0) {
        snprintf(c->errmsg, sizeof c->errmsg, "no password entered");
        return cli_fail(c, rc, "login");
    }
    tv_frame_begin(&c->req, TV_MSG_LOGIN);
    tv_buf_put_u32(&c->req, pw ? TV_LOGIN_PIN_GIVEN : 0);
    tv_buf_put_bytes(&c->req, tv_secret_str(pw), tv_secret_len(pw));
    tv_secret_unref(pw);
    rc = cli_call(c, 15 * 60 * 1000, &body);
    if (rc < 0)
        return cli_fail(c, rc, "login failed");
    if (tv_get_u32(&body, &flags) == 0 && (flags & TV_LOGIN_WAS_ACTIVE))
        printf("Already logged in.\n");
    else
        printf("Logged in. Programs can now use your BakQ authentication certificate.\n");
    return CLI_OK;
}

int cmd_logout(cli *c, int argc, char **argv)
{
    tv_reader body;
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (argc != 1)
        return bad_usage();
    if ((rc = cli_connect(c)) != CLI_OK)
        return rc;
    tv_frame_begin(&c->req, TV_MSG_LOGOUT);
    if ((rc = cli_call(c, 10000, &body)) < 0)
        return cli_fail(c, rc, "logout");
    printf("Logged out: the session secrets are wiped.\n");
    return CLI_OK;
}

int main(int argc, char **argv)
{
    cli c = { .fd = -1 };
    int rc;

    signal(SIGPIPE, SIG_IGN);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tarjeta %s\n", TV_VERSION);
        return CLI_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        current = &commands[i];
        tv_buf_init(&c.req, TV_FRAME_MAX + 4);
        tv_buf_init(&c.rep, TV_FRAME_MAX + 4);
        rc = commands[i].run(&c, argc - 1, argv + 1);
        cli_close(&c);
        tv_buf_free(&c.req);
        tv_buf_free(&c.rep);
        return rc;
    }
    fprintf(stderr, "tarjeta: unknown command \"%s\"\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
