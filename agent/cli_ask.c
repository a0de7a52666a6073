/* Asking the person for secrets: from the terminal with echo off, or, when
 * there is no terminal, through the configured prompt program (the same
 * pinentry-protocol program the agent uses).  Never argv, never the
 * environment. */
#include "cli.h"

#include "pinentry.h"
#include "tv_err.h"
#include "tv_secmem.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define SECRET_MAX 256

/* Echo goes off (discarding type-ahead) before the prompt appears, so what is
 * typed after the prompt is kept. */
static int read_tty(const char *desc, const char *prompt, bool echo, tv_secret **out)
{
    char *line = tv_secure_alloc(SECRET_MAX);
    struct termios old, quiet;
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC), rc = TV_ERR_IO;
    bool restore = false;
    size_t n = 0;
    char ch;

    if (fd < 0 || line == NULL)
        goto out;
    if (!echo && tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    dprintf(fd, "%s\n%s ", desc, prompt);
    while (read(fd, &ch, 1) == 1 && ch != '\n' && ch != '\r')
        if (n + 1 < SECRET_MAX)
            line[n++] = ch;
    if (restore) {
        tcsetattr(fd, TCSANOW, &old);
        dprintf(fd, "\n");
    }
    *out = tv_secret_new(line, n);
    rc = *out ? 0 : TV_ERR_NOMEM;
    tv_wipe(&ch, sizeof ch);
out:
    tv_secure_free(line);
    if (fd >= 0)
        close(fd);
    return rc;
}

static const char *prompt_program(cli *c)
{
    if (cli_load_config(c) == CLI_OK && c->cfg.prompt_program[0] != '\0')
        return c->cfg.prompt_program;
    return "pinentry";
}

int cli_ask_secret(cli *c, const char *kind, const char *desc, const char *prompt, tv_secret **out)
{
    tv_dialog d;
    int rc;

    if (isatty(STDIN_FILENO))
        return read_tty(desc, prompt, false, out);
    tv_dialog_init(&d, TV_DIALOG_GETPIN, kind, 300);
    if (cli_load_config(c) == CLI_OK && c->cfg.user[0])
        tv_dialog_option(&d, "tarjeta-dni", "%s", c->cfg.user);
    d.title = "Tarjeta virtual";
    d.desc = desc;
    d.prompt = prompt;
    rc = tv_pinentry_run(prompt_program(c), &d, out);
    if (rc == TV_PINENTRY_NOTOK)
        rc = TV_ERR_CANCELLED;
    if (rc == TV_ERR_PROMPT)
        fprintf(stderr, "tarjeta: no terminal, and the prompt program %s failed\n", prompt_program(c));
    if (rc == TV_ERR_NO_DISPLAY)
        fprintf(stderr, "tarjeta: no terminal and no display to ask on\n");
    return rc;
}

int cli_ask_new_password(cli *c, tv_secret **out)
{
    tv_secret *a = NULL, *b = NULL;
    int rc = cli_ask_secret(c, "password", "Choose a new BakQ password: exactly 8 characters.",
                            "New password:", &a);

    if (rc == 0)
        rc = cli_ask_secret(c, "password", "Type the new BakQ password again.", "New password again:", &b);
    if (rc == 0 && (tv_secret_len(a) != tv_secret_len(b) ||
                    memcmp(tv_secret_str(a), tv_secret_str(b), tv_secret_len(a)) != 0)) {
        snprintf(c->errmsg, sizeof c->errmsg, "the two passwords differ: nothing was changed");
        rc = TV_ERR_INVALID;
    } else if (rc == 0 && tv_secret_len(a) != 8) {
        snprintf(c->errmsg, sizeof c->errmsg, "a BakQ password has exactly 8 characters: nothing "
                 "was changed");
        rc = TV_ERR_INVALID;
    }
    tv_secret_unref(b);
    if (rc == 0)
        *out = a;
    else
        tv_secret_unref(a);
    return rc;
}

bool cli_confirm(cli *c, const char *question, bool assume_yes)
{
    tv_secret *answer = NULL;
    tv_dialog d;
    bool yes = false;

    if (assume_yes)
        return true;
    if (isatty(STDIN_FILENO)) {
        FILE *tty = fopen("/dev/tty", "r+e");
        char line[16] = "";
        if (tty == NULL)
            return false;
        fprintf(tty, "%s [y/N] ", question);
        fflush(tty);
        yes = fgets(line, sizeof line, tty) != NULL && (line[0] == 'y' || line[0] == 'Y' ||
                                                        line[0] == 's' || line[0] == 'S');
        fclose(tty);
        return yes;
    }
    tv_dialog_init(&d, TV_DIALOG_CONFIRM, "notice", 300);
    d.title = "Tarjeta virtual";
    d.desc = question;
    d.ok = "Yes";
    d.cancel = "No";
    yes = tv_pinentry_run(prompt_program(c), &d, &answer) == 0;
    tv_secret_unref(answer);
    return yes;
}
