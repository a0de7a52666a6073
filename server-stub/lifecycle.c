#include "lifecycle.h"

#include "codes.h"
#include "credential.h"
#include "db.h"
#include "outbox.h"
#include "tv_dni.h"
#include "tv_err.h"
#include "tv_log.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ACTIVATION_LIFETIME (30 * 86400)

bool tv_valid_email(const char *s)
{
    const char *at = strchr(s, '@');
    size_t n = strlen(s);

    if (n < 3 || n > 254 || at == NULL || at == s || strchr(at + 1, '@') || at[1] == '\0' ||
        strchr(at, '.') == NULL)
        return false;
    for (; *s; s++)
        if (!isgraph((unsigned char)*s) || *s == ',' || *s == '<' || *s == '>' || *s == '"')
            return false;
    return true;
}

bool tv_valid_phone(const char *s)
{
    size_t digits = 0;

    if (*s == '+')
        s++;
    for (; *s; s++, digits++)
        if (!isdigit((unsigned char)*s))
            return false;
    return digits >= 9 && digits <= 15;
}

int tv_age_years(const char *date, int64_t now)
{
    int y, m, d, age;
    struct tm tm, check = { 0 };
    time_t t = (time_t)now;
    char tail;

    if (strlen(date) != 10 || sscanf(date, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1900 ||
        m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    check.tm_year = y - 1900;
    check.tm_mon = m - 1;
    check.tm_mday = d;
    check.tm_hour = 12;
    if (timegm(&check) == (time_t)-1 || check.tm_mday != d)
        return -1;                                  /* 2001-02-30 */
    gmtime_r(&t, &tm);
    age = tm.tm_year + 1900 - y;
    if (tm.tm_mon + 1 < m || (tm.tm_mon + 1 == m && tm.tm_mday < d))
        age--;
    return age;
}

static bool text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

static enum tv_reg_error check_fields(struct bakq *b, const struct tv_registration *reg, char *msg,
                                      size_t msgsz)
{
    int age = tv_age_years(reg->birth_date, tv_now(b));

    snprintf(msg, msgsz, "Invalid registration");
    if (!tv_dni_valid(reg->dni)) {
        snprintf(msg, msgsz, "Invalid DNI/NIE (check letter)");
        return TV_REG_BAD_DNI;
    }
    if (!text_ok(reg->given_name, 100) || !text_ok(reg->surname, 100)) {
        snprintf(msg, msgsz, "given_name and surname: 1 to 100 characters");
        return TV_REG_BAD_FIELD;
    }
    if (!tv_valid_email(reg->email) || !tv_valid_phone(reg->phone)) {
        snprintf(msg, msgsz, "Invalid e-mail address or mobile number (+34600111222)");
        return TV_REG_BAD_FIELD;
    }
    if (age < 0) {
        snprintf(msg, msgsz, "birth_date must be a date YYYY-MM-DD");
        return TV_REG_BAD_FIELD;
    }
    if (age < 16) {
        snprintf(msg, msgsz, "BakQ is for people aged 16 or over");
        return TV_REG_UNDERAGE;
    }
    if ((strcmp(reg->second_factor, "sms") && strcmp(reg->second_factor, "coordinates")) ||
        (strcmp(reg->key, "rsa2048") && strcmp(reg->key, "p256")) ||
        (strcmp(reg->level, "bakq") && strcmp(reg->level, "bak"))) {
        snprintf(msg, msgsz, "second_factor sms|coordinates, key rsa2048|p256, level bakq|bak");
        return TV_REG_BAD_FIELD;
    }
    return TV_REG_OK;
}

/* One BakQ per person; an expired or revoked one is replaced. */
static enum tv_reg_error check_unique(struct bakq *b, const struct tv_registration *reg, char dni[10],
                                      char *msg, size_t msgsz)
{
    struct tv_account old;
    enum tv_state st;

    if (tv_account_by_dni(b, dni, &old) == 0) {
        st = tv_account_state(b, &old);
        tv_account_wipe(&old);
        if (st != TV_STATE_EXPIRED && st != TV_STATE_REVOKED) {
            snprintf(msg, msgsz, "This person already has a BakQ (one per DNI/NIE)");
            return TV_REG_ALREADY;
        }
    }
    if (!reg->allow_shared_contact && tv_contact_holder(b, "email", reg->email, 0) != 0) {
        snprintf(msg, msgsz, "The e-mail address is used by another BakQ holder");
        return TV_REG_EMAIL_IN_USE;
    }
    if (!reg->allow_shared_contact && tv_contact_holder(b, "phone", reg->phone, 0) != 0) {
        snprintf(msg, msgsz, "The mobile number is used by another BakQ holder");
        return TV_REG_PHONE_IN_USE;
    }
    return TV_REG_OK;
}

static int send_activation(struct bakq *b, const struct tv_account *a)
{
    char code[12], body[1024], card[200] = "";
    int rc;

    tv_random_digits(code, 10);
    if (a->card[0]) {
        size_t off = (size_t)snprintf(card, sizeof card, "\nSu tarjeta de coordenadas:\n    1   2   3   4\n");
        for (int row = 0; row < 4 && off < sizeof card; row++)
            off += (size_t)snprintf(card + off, sizeof card - off, "%c %.3s %.3s %.3s %.3s\n", 'A' + row,
                                    a->card + row * 12, a->card + row * 12 + 3, a->card + row * 12 + 6,
                                    a->card + row * 12 + 9);
    }
    snprintf(body, sizeof body, "Kaixo %s,\n\nSu solicitud de BakQ se ha registrado. Para emitir y "
             "activar su BakQ utilice el codigo de activacion %s (DNI/NIE %s).\n%s",
             a->given_name, code, a->dni, card);
    rc = tv_code_new(b, a->id, TV_CODE_ACTIVATION, code, NULL, ACTIVATION_LIFETIME);
    if (rc == 0)
        rc = tv_send_email(b, a->email, "BakQ: emision y activacion", body, code,
                           a->card[0] ? a->card : NULL);
    memset(code, 0, sizeof code);
    return rc;
}

static void fill_account(struct tv_account *a, const struct tv_registration *reg, const char *dni)
{
    memset(a, 0, sizeof *a);
    snprintf(a->dni, sizeof a->dni, "%s", dni);
    snprintf(a->given_name, sizeof a->given_name, "%s", reg->given_name);
    snprintf(a->surname, sizeof a->surname, "%s", reg->surname);
    snprintf(a->birth_date, sizeof a->birth_date, "%s", reg->birth_date);
    snprintf(a->email, sizeof a->email, "%s", reg->email);
    snprintf(a->phone, sizeof a->phone, "%s", reg->phone);
    snprintf(a->second_factor, sizeof a->second_factor, "%s", reg->second_factor);
    snprintf(a->key_type, sizeof a->key_type, "%s", reg->key);
    snprintf(a->level, sizeof a->level, "%s", reg->level);
    snprintf(a->status, sizeof a->status, "pending_activation");
    a->allow_shared = reg->allow_shared_contact;
    if (strcmp(reg->second_factor, "coordinates") == 0)
        tv_card_generate(a->card);
}

enum tv_reg_error tv_register(struct bakq *b, const struct tv_registration *reg, struct tv_account *a,
                              char *msg, size_t msgsz)
{
    char dni[TV_DNI_LEN + 1];
    enum tv_reg_error e = check_fields(b, reg, msg, msgsz);

    if (e != TV_REG_OK)
        return e;
    tv_dni_normalize(reg->dni, dni);
    e = check_unique(b, reg, dni, msg, msgsz);
    if (e != TV_REG_OK)
        return e;
    fill_account(a, reg, dni);
    if (tv_db_begin(b->db) < 0)
        return TV_REG_INTERNAL;
    if (tv_db_exec(b->db, "UPDATE accounts SET status = 'replaced' WHERE dni = ? AND status != 'replaced'",
                   "t", dni) < 0 || tv_account_insert(b, a) < 0 || send_activation(b, a) < 0) {
        tv_db_rollback(b->db);
        return TV_REG_INTERNAL;
    }
    if (tv_db_commit(b->db) < 0)
        return TV_REG_INTERNAL;
    tv_info("account %lld registered (%s, %s)", (long long)a->id, a->second_factor, a->level);
    return TV_REG_OK;
}

int tv_activate(struct bakq *b, struct tv_account *a)
{
    int rc;

    snprintf(a->status, sizeof a->status, "active");
    if (strcmp(a->level, "bakq") != 0) {
        a->valid_from = tv_now(b);
        a->valid_to = a->valid_from + (int64_t)b->cfg.cert_validity_days * 86400;
        return tv_account_update(b, a);
    }
    if (tv_db_begin(b->db) < 0)
        return TV_ERR_INTERNAL;
    rc = tv_issue_credentials(b, a);
    if (rc < 0) {
        tv_db_rollback(b->db);
        snprintf(a->status, sizeof a->status, "pending_activation");
        return rc;
    }
    return tv_db_commit(b->db);
}
