/* The tarjeta CLI: shared pieces of its commands. */
#ifndef TV_CLI_H
#define TV_CLI_H

#include "agent_config.h"
#include "secret.h"
#include "tv_buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes (README "tarjeta"): */
#define CLI_OK 0
#define CLI_FAILED 1          /* the operation failed; the message says why */
#define CLI_USAGE 2           /* wrong command line */
#define CLI_NO_AGENT 3        /* not set up, or the agent cannot be reached */

typedef struct cli {
    tv_config cfg;
    bool cfg_loaded;
    int fd;                   /* agent connection, -1 until connected */
    tv_buf req, rep;
    char errmsg[1024];
} cli;

/* Connection (cli_client.c) */
int cli_connect(cli *c);                     /* autostarts the agent; CLI_* */
void cli_close(cli *c);
/* Send the request built in c->req (after tv_frame_begin + puts) and read the
 * reply.  0 or the TV_ERR_* (message in c->errmsg). */
int cli_call(cli *c, int timeout_ms, tv_reader *body);
int cli_load_config(cli *c);                 /* CLI_* ; prints the problem */
int cli_fail(cli *c, int rc, const char *what);   /* print, map to an exit code */

/* Asking the person (cli_ask.c): from the terminal with echo off, else through
 * the prompt program.  kind is a tarjeta-dialog value. */
int cli_ask_secret(cli *c, const char *kind, const char *desc, const char *prompt, tv_secret **out);
/* Ask twice, check equal and exactly 8 characters. */
int cli_ask_new_password(cli *c, tv_secret **out);
/* Yes/no; `assume_yes` skips the question. */
bool cli_confirm(cli *c, const char *question, bool assume_yes);

/* ACCOUNT operations (cli_account.c) */
#define CLI_RESULTS_MAX 32
typedef struct cli_result {
    uint32_t status;
    size_t n;
    char key[CLI_RESULTS_MAX][64];
    char value[CLI_RESULTS_MAX][512];
} cli_result;

typedef struct cli_param {
    const char *key;
    const char *value;
} cli_param;

int cli_account(cli *c, const char *op, const cli_param *params, size_t n, cli_result *res);
const char *cli_result_get(const cli_result *res, const char *key);

int cmd_setup(cli *c, int argc, char **argv);
int cmd_status(cli *c, int argc, char **argv);
int cmd_login(cli *c, int argc, char **argv);
int cmd_logout(cli *c, int argc, char **argv);
int cmd_activate(cli *c, int argc, char **argv);
int cmd_password(cli *c, int argc, char **argv);
int cmd_reset_password(cli *c, int argc, char **argv);
int cmd_second_factor(cli *c, int argc, char **argv);
int cmd_contact(cli *c, int argc, char **argv);
int cmd_revoke(cli *c, int argc, char **argv);
int cmd_renew(cli *c, int argc, char **argv);
/* cli_browsers.c */
int cmd_browsers(cli *c, int argc, char **argv);
/* After setup: how to register the module in the browsers, unless it is. */
void cli_browsers_hint(void);

/* --help handling shared by the commands: true when argv asks for help. */
bool cli_wants_help(int argc, char **argv);

#endif
