/* The BakQ holder commands: activate, password, reset-password,
 * second-factor, contact, revoke, renew.  Each one is a short conversation:
 * ask what is needed (secrets from the terminal or the prompt program), send
 * ACCOUNT requests to the agent, print what happened. */
#include "cli.h"

#include "tv_dni.h"
#include "tv_err.h"
#include "tv_proto.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *cli_result_get(const cli_result *res, const char *key)
{
    for (size_t i = 0; i < res->n; i++)
        if (strcmp(res->key[i], key) == 0)
            return res->value[i];
    return NULL;
}

static int read_result(tv_reader *body, cli_result *res)
{
    uint32_t n;
    char key[TV_STRING_MAX + 1], value[TV_STRING_MAX + 1];

    memset(res, 0, sizeof *res);
    if (tv_get_u32(body, &res->status) < 0 || tv_get_u32(body, &n) < 0)
        return TV_ERR_PROTOCOL;
    for (uint32_t i = 0; i < n; i++) {
        if (tv_get_string(body, key, sizeof key) < 0 || tv_get_string(body, value, sizeof value) < 0)
            return TV_ERR_PROTOCOL;
        if (res->n < CLI_RESULTS_MAX) {
            snprintf(res->key[res->n], sizeof res->key[0], "%s", key);
            snprintf(res->value[res->n], sizeof res->value[0], "%s", value);
            res->n++;
        }
    }
    return 0;
}

static int account_once(cli *c, const char *op, const cli_param *params, size_t n, cli_result *res)
{
    tv_reader body;
    int rc;

    tv_frame_begin(&c->req, TV_MSG_ACCOUNT);
    tv_buf_put_string(&c->req, op);
    tv_buf_put_u32(&c->req, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        tv_buf_put_string(&c->req, params[i].key);
        tv_buf_put_string(&c->req, params[i].value);
    }
    if ((rc = cli_call(c, 120000, &body)) < 0)
        return rc;
    return read_result(&body, res);
}

static int login_dialogs(cli *c)
{
    tv_reader body;

    fprintf(stderr, "Log in to your BakQ first (password, then SMS code or coordinate)...\n");
    tv_frame_begin(&c->req, TV_MSG_LOGIN);
    tv_buf_put_u32(&c->req, 0);
    tv_buf_put_bytes(&c->req, NULL, 0);
    return cli_call(c, 15 * 60 * 1000, &body);
}

int cli_account(cli *c, const char *op, const cli_param *params, size_t n, cli_result *res)
{
    int rc = cli_connect(c);

    if (rc != CLI_OK) {
        snprintf(c->errmsg, sizeof c->errmsg, "the agent cannot be reached");
        return TV_ERR_NO_AGENT;
    }
    rc = account_once(c, op, params, n, res);
    if (rc == TV_ERR_NOT_LOGGED_IN) {
        if ((rc = login_dialogs(c)) < 0)
            return rc;
        rc = account_once(c, op, params, n, res);
    }
    return rc;
}

static int dni_of(cli *c, const char *given, char dni[TV_DNI_LEN + 1])
{
    if (given == NULL && cli_load_config(c) == CLI_OK && c->cfg.user[0]) {
        snprintf(dni, TV_DNI_LEN + 1, "%s", c->cfg.user);
        return 0;
    }
    if (given == NULL || tv_dni_normalize(given, dni) < 0) {
        fprintf(stderr, "tarjeta: %s: give a valid DNI/NIE with --dni (or run `tarjeta setup`)\n",
                given ? given : "no DNI/NIE");
        return -1;
    }
    return 0;
}

/* Ask the SMS code that an operation answered 202 for, and repeat it with the code. */
static int with_sms_code(cli *c, const char *op, cli_param *params, size_t n, cli_result *res)
{
    tv_secret *code = NULL;
    int rc = cli_account(c, op, params, n, res);

    if (rc < 0 || res->status != 202)
        return rc;
    if ((rc = cli_ask_secret(c, "sms", "A confirmation code was sent by SMS to your mobile.",
                             "SMS code:", &code)) < 0) {
        snprintf(c->errmsg, sizeof c->errmsg, "no code entered: nothing was changed");
        return rc;
    }
    params[n] = (cli_param){ "code", tv_secret_str(code) };
    rc = cli_account(c, op, params, n + 1, res);
    tv_secret_unref(code);
    return rc;
}

static const char *opt_value(int argc, char **argv, const char *name, int *used)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0) {
            *used += 2;
            return argv[i + 1];
        }
    return NULL;
}

static bool has_flag(int argc, char **argv, const char *name, int *used)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0) {
            *used += 1;
            return true;
        }
    return false;
}

static int usage_error(const char *cmd_usage)
{
    fprintf(stderr, "Usage: tarjeta %s\n", cmd_usage);
    return CLI_USAGE;
}

/* ---- activate ---- */

static int activation_second_factor(cli *c, const char *token, const tv_secret *password)
{
    cli_param p[3] = { { "activation_token", token } };
    cli_result res;
    tv_secret *otp = NULL;
    const char *position;
    char desc[256];
    int rc = cli_account(c, "activate-challenge", p, 1, &res);

    if (rc < 0)
        return rc;
    position = cli_result_get(&res, "challenge");
    if (position != NULL)
        snprintf(desc, sizeof desc, "First authentication: the value at position %s of your "
                 "coordinate card.", position);
    else
        snprintf(desc, sizeof desc, "First authentication: the code sent by SMS to your mobile.");
    if ((rc = cli_ask_secret(c, position ? "coordinate" : "sms", desc, position ? "Value:" : "SMS code:",
                             &otp)) < 0)
        return rc;
    p[1] = (cli_param){ "password", tv_secret_str(password) };
    p[2] = (cli_param){ "otp", tv_secret_str(otp) };
    rc = cli_account(c, "activate-complete", p, 3, &res);
    tv_secret_unref(otp);
    if (rc == 0) {
        const char *valid_to = cli_result_get(&res, "valid_to");
        time_t t = valid_to ? (time_t)atoll(valid_to) : 0;
        printf("Your BakQ is active%s", t ? "; certificates valid until " : ".\n");
        if (t)
            printf("%s", asctime(localtime(&t)));
        printf("Log in with `tarjeta login`.\n");
    }
    return rc;
}

static int activation_terms(cli *c, const char *token, bool accept)
{
    cli_param p[2] = { { "activation_token", token }, { "accept", "true" } };
    cli_result res;
    int rc;

    if (!cli_confirm(c, "Do you accept the BakQ terms of use (personal data processed by the issuer to "
                     "provide the service)?", accept)) {
        snprintf(c->errmsg, sizeof c->errmsg, "the terms were not accepted: activation stopped");
        return TV_ERR_CANCELLED;
    }
    if ((rc = cli_account(c, "activate-terms", p, 2, &res)) < 0)
        return rc;
    printf("Your data: %s %s, DNI/NIE %s, born %s, e-mail %s, mobile %s\n",
           cli_result_get(&res, "given_name") ?: "?", cli_result_get(&res, "surname") ?: "?",
           cli_result_get(&res, "dni") ?: "?", cli_result_get(&res, "birth_date") ?: "?",
           cli_result_get(&res, "email") ?: "?", cli_result_get(&res, "phone") ?: "?");
    return 0;
}

static int activation_steps(cli *c, const char *dni, bool accept)
{
    tv_secret *code = NULL, *initial = NULL, *fresh = NULL;
    cli_param p[3] = { { "dni", dni } };
    cli_result res;
    char token[512] = "";
    int rc = cli_ask_secret(c, "password", "Activation code from the BakQ e-mail.", "Activation code:", &code);

    if (rc == 0) {
        p[1] = (cli_param){ "activation_code", tv_secret_str(code) };
        if ((rc = cli_account(c, "activate-start", p, 2, &res)) == 0)
            snprintf(token, sizeof token, "%s", cli_result_get(&res, "activation_token") ?: "");
    }
    if (rc == 0)
        rc = cli_ask_secret(c, "password", "Initial password sent by SMS to your mobile.",
                            "Initial password:", &initial);
    if (rc == 0)
        rc = cli_ask_new_password(c, &fresh);
    if (rc == 0) {
        p[0] = (cli_param){ "activation_token", token };
        p[1] = (cli_param){ "initial_password", tv_secret_str(initial) };
        p[2] = (cli_param){ "new_password", tv_secret_str(fresh) };
        rc = cli_account(c, "activate-password", p, 3, &res);
    }
    if (rc == 0)
        rc = activation_terms(c, token, accept);
    if (rc == 0)
        rc = activation_second_factor(c, token, fresh);
    tv_secret_unref(code);
    tv_secret_unref(initial);
    tv_secret_unref(fresh);
    return rc;
}

int cmd_activate(cli *c, int argc, char **argv)
{
    int used = 1;
    const char *given = opt_value(argc, argv, "--dni", &used);
    bool accept = has_flag(argc, argv, "--accept-terms", &used);
    char dni[TV_DNI_LEN + 1];
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (used != argc)
        return usage_error("activate [--dni DNI] [--accept-terms]");
    if (dni_of(c, given, dni) < 0)
        return CLI_USAGE;
    if ((rc = activation_steps(c, dni, accept)) < 0)
        return cli_fail(c, rc, "activation failed");
    return CLI_OK;
}

/* ---- password, reset-password ---- */

int cmd_password(cli *c, int argc, char **argv)
{
    tv_secret *old = NULL, *fresh = NULL;
    cli_param p[2];
    cli_result res;
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (argc != 1)
        return usage_error("password");
    rc = cli_ask_secret(c, "password", "Your current BakQ password.", "Current password:", &old);
    if (rc == 0)
        rc = cli_ask_new_password(c, &fresh);
    if (rc == 0) {
        p[0] = (cli_param){ "old_password", tv_secret_str(old) };
        p[1] = (cli_param){ "new_password", tv_secret_str(fresh) };
        rc = cli_account(c, "password", p, 2, &res);
    }
    tv_secret_unref(old);
    tv_secret_unref(fresh);
    if (rc < 0)
        return cli_fail(c, rc, "the password was not changed");
    printf("Password changed. The session ended: log in again with `tarjeta login`.\n");
    return CLI_OK;
}

int cmd_reset_password(cli *c, int argc, char **argv)
{
    int used = 1;
    const char *given = opt_value(argc, argv, "--dni", &used);
    char dni[TV_DNI_LEN + 1];
    tv_secret *code = NULL, *fresh = NULL;
    cli_param p[3] = { { "dni", dni } };
    cli_result res;
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (used != argc)
        return usage_error("reset-password [--dni DNI]");
    if (dni_of(c, given, dni) < 0)
        return CLI_USAGE;
    rc = cli_account(c, "reset-start", p, 1, &res);
    if (rc == 0)
        rc = cli_ask_secret(c, "sms", "A password reset code was sent by SMS to the mobile of your "
                            "BakQ.", "Reset code:", &code);
    if (rc == 0)
        rc = cli_ask_new_password(c, &fresh);
    if (rc == 0) {
        p[1] = (cli_param){ "code", tv_secret_str(code) };
        p[2] = (cli_param){ "new_password", tv_secret_str(fresh) };
        rc = cli_account(c, "reset-complete", p, 3, &res);
    }
    tv_secret_unref(code);
    tv_secret_unref(fresh);
    if (rc < 0)
        return cli_fail(c, rc, "the password was not reset");
    printf("Password reset: your BakQ is unblocked. Log in with `tarjeta login`.\n");
    return CLI_OK;
}

/* ---- second-factor, contact ---- */

int cmd_second_factor(cli *c, int argc, char **argv)
{
    cli_param p[2] = { { "second_factor", "sms" } };
    cli_result res;
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (argc != 2 || strcmp(argv[1], "sms") != 0)
        return usage_error("second-factor sms");
    if ((rc = with_sms_code(c, "second-factor", p, 1, &res)) < 0)
        return cli_fail(c, rc, "the second factor was not changed");
    printf("Your second factor is now a code sent by SMS; the coordinate card no longer works.\n");
    return CLI_OK;
}

int cmd_contact(cli *c, int argc, char **argv)
{
    int used = 1;
    const char *email = opt_value(argc, argv, "--email", &used);
    const char *phone = opt_value(argc, argv, "--phone", &used);
    cli_param p[3];
    size_t n = 0;
    cli_result res;
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (used != argc || (email == NULL && phone == NULL))
        return usage_error("contact [--email ADDRESS] [--phone NUMBER]");
    if (email != NULL)
        p[n++] = (cli_param){ "email", email };
    if (phone != NULL)
        p[n++] = (cli_param){ "phone", phone };
    if ((rc = with_sms_code(c, "contact", p, n, &res)) < 0)
        return cli_fail(c, rc, "the contact details were not changed");
    printf("Contact details changed.\n");
    return CLI_OK;
}

/* ---- revoke, renew ---- */

int cmd_revoke(cli *c, int argc, char **argv)
{
    int used = 1;
    bool yes = has_flag(argc, argv, "--yes", &used);
    tv_secret *pw = NULL;
    cli_param p[1];
    cli_result res;
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (used != argc)
        return usage_error("revoke [--yes]");
    if (!cli_confirm(c, "Revoke your BakQ for good? Both certificates stop working and you will have "
                     "to register again.", yes)) {
        fprintf(stderr, "tarjeta: nothing was revoked\n");
        return CLI_FAILED;
    }
    if ((rc = cli_ask_secret(c, "password", "Your BakQ password, to confirm the revocation.",
                             "Password:", &pw)) < 0) {
        snprintf(c->errmsg, sizeof c->errmsg, "no password entered");
        return cli_fail(c, rc, "nothing was revoked");
    }
    p[0] = (cli_param){ "password", tv_secret_str(pw) };
    rc = cli_account(c, "revoke", p, 1, &res);
    tv_secret_unref(pw);
    if (rc < 0)
        return cli_fail(c, rc, "nothing was revoked");
    printf("Your BakQ is revoked: its certificates no longer work.\n");
    return CLI_OK;
}

int cmd_renew(cli *c, int argc, char **argv)
{
    int used = 1;
    const char *conflict = opt_value(argc, argv, "--phone-conflict", &used);
    const char *phone = opt_value(argc, argv, "--phone", &used);
    cli_param p[4];
    size_t n = 0;
    cli_result res;
    int rc;

    if (cli_wants_help(argc, argv))
        return CLI_OK;
    if (used != argc || (conflict && strcmp(conflict, "keep") != 0 && strcmp(conflict, "change") != 0))
        return usage_error("renew [--phone-conflict keep|change] [--phone NUMBER]");
    if (conflict != NULL)
        p[n++] = (cli_param){ "phone_conflict", conflict };
    if (phone != NULL)
        p[n++] = (cli_param){ "phone", phone };
    rc = with_sms_code(c, "renew", p, n, &res);
    if (rc < 0 && strstr(c->errmsg, "phone") != NULL && conflict == NULL)
        fprintf(stderr, "tarjeta: your mobile number is shared with another BakQ holder: run "
                "`tarjeta renew --phone-conflict change --phone NEW` or `--phone-conflict keep`\n");
    if (rc < 0)
        return cli_fail(c, rc, "the certificates were not renewed");
    printf("Certificates renewed. Log in again with `tarjeta login`.\n");
    return CLI_OK;
}
