#include "enroll.h"

#include "account.h"
#include "api.h"
#include "credential.h"
#include "lifecycle.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct enroll_args {
    struct tv_registration reg;
    const char *data_dir;
    const char *password;
    const char *password_file;
    bool activate;
};

static int parse_args(int argc, char **argv, struct enroll_args *e)
{
    static const struct option opts[] = {
        { "data-dir", required_argument, NULL, 'd' }, { "dni", required_argument, NULL, 'n' },
        { "given-name", required_argument, NULL, 'g' }, { "surname", required_argument, NULL, 's' },
        { "birth-date", required_argument, NULL, 'b' }, { "email", required_argument, NULL, 'e' },
        { "phone", required_argument, NULL, 'p' }, { "second-factor", required_argument, NULL, 'f' },
        { "key", required_argument, NULL, 'k' }, { "level", required_argument, NULL, 'L' },
        { "allow-shared-contact", no_argument, NULL, 'S' }, { "password", required_argument, NULL, 'P' },
        { "password-file", required_argument, NULL, 'F' }, { "activate", no_argument, NULL, 'a' },
        { NULL, 0, NULL, 0 } };
    int c;

    memset(e, 0, sizeof *e);
    e->reg.key = "rsa2048";
    e->reg.level = "bakq";
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': e->data_dir = optarg; break;
        case 'n': e->reg.dni = optarg; break;
        case 'g': e->reg.given_name = optarg; break;
        case 's': e->reg.surname = optarg; break;
        case 'b': e->reg.birth_date = optarg; break;
        case 'e': e->reg.email = optarg; break;
        case 'p': e->reg.phone = optarg; break;
        case 'f': e->reg.second_factor = optarg; break;
        case 'k': e->reg.key = optarg; break;
        case 'L': e->reg.level = optarg; break;
        case 'S': e->reg.allow_shared_contact = true; break;
        case 'P': e->password = optarg; break;
        case 'F': e->password_file = optarg; break;
        case 'a': e->activate = true; break;
        default: return 2;
        }
    }
    if (!e->data_dir || !e->reg.dni || !e->reg.given_name || !e->reg.surname || !e->reg.birth_date ||
        !e->reg.email || !e->reg.phone || !e->reg.second_factor) {
        fprintf(stderr, "bakq-server enroll: --data-dir, --dni, --given-name, --surname, --birth-date, "
                        "--email, --phone and --second-factor are required\n");
        return 2;
    }
    if (e->activate && !e->password && !e->password_file) {
        fprintf(stderr, "bakq-server enroll: --activate needs --password or --password-file\n");
        return 2;
    }
    return 0;
}

static char *read_password(const struct enroll_args *e)
{
    char buf[80];
    char *pw;
    ssize_t n;
    int fd;

    if (e->password)
        return tv_secure_strndup(e->password, 64);
    fd = open(e->password_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    pw = tv_secure_strndup(buf, 64);
    tv_wipe(buf, sizeof buf);
    return pw;
}

static void print_card(const struct tv_account *a)
{
    if (!a->card[0])
        return;
    printf("coordinate card:\n     1   2   3   4\n");
    for (int row = 0; row < 4; row++)
        printf("%c  %.3s %.3s %.3s %.3s\n", 'A' + row, a->card + row * 12, a->card + row * 12 + 3,
               a->card + row * 12 + 6, a->card + row * 12 + 9);
}

static void print_result(struct bakq *b, const struct tv_account *a, bool activated)
{
    struct tv_credential creds[2];
    char date[16] = "";
    time_t t = (time_t)a->valid_to;
    struct tm tm;
    int n = 0;

    if (!activated) {
        printf("enrolled %s: pending_activation (activation e-mail sent to %s)\n", a->dni, a->email);
        print_card(a);
        return;
    }
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    printf("enrolled %s: active, valid to %s", a->dni, date);
    tv_credential_current(b, a->id, creds, &n);
    for (int i = 0; i < n; i++) {
        printf("%s %s", i == 0 ? ", credentials" : "", creds[i].id);
        tv_credential_clear(&creds[i]);
    }
    printf("\n");
    print_card(a);
}

static int activate(struct bakq *b, struct tv_account *a, const struct enroll_args *e)
{
    char *pw = read_password(e);
    int rc = TV_ERR_INVALID;

    if (pw == NULL || !tv_password_policy_ok(pw)) {
        fprintf(stderr, "bakq-server enroll: the password must have exactly 8 characters\n");
        goto wipe;
    }
    a->terms_accepted = true;
    rc = tv_account_set_password(b, a, pw, 2);
    if (rc == 0)
        rc = tv_activate(b, a);
wipe:
    tv_secure_free(pw);
    return rc;
}

static const char *const reg_messages[] = {
    [TV_REG_ALREADY] = "already registered", [TV_REG_EMAIL_IN_USE] = "e-mail in use",
    [TV_REG_PHONE_IN_USE] = "mobile in use", [TV_REG_UNDERAGE] = "under 16",
    [TV_REG_BAD_DNI] = "bad DNI/NIE",
};

int tv_cmd_enroll(int argc, char **argv)
{
    static struct bakq b;
    struct enroll_args e;
    struct tv_account a = { 0 };
    char msg[200];
    enum tv_reg_error err;
    int rc = parse_args(argc, argv, &e);

    if (rc != 0)
        return rc;
    snprintf(b.data_dir, sizeof b.data_dir, "%s", e.data_dir);
    tv_api_global_init();
    if (tv_bakq_open(&b, e.activate) < 0) {
        tv_bakq_close(&b);
        return 1;
    }
    err = tv_register(&b, &e.reg, &a, msg, sizeof msg);
    if (err != TV_REG_OK) {
        fprintf(stderr, "bakq-server enroll: %s%s%s%s\n", msg, reg_messages[err] ? " (" : "",
                reg_messages[err] ? reg_messages[err] : "", reg_messages[err] ? ")" : "");
        rc = 1;
    } else if (e.activate && activate(&b, &a, &e) < 0) {
        fprintf(stderr, "bakq-server enroll: %s registered but not activated\n", a.dni);
        rc = 1;
    } else {
        print_result(&b, &a, e.activate);
    }
    tv_account_wipe(&a);
    tv_bakq_close(&b);
    return rc;
}
