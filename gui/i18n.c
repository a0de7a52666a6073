#include "i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TV_LOCALEDIR
#define TV_LOCALEDIR "/usr/share/locale"
#endif

static char localedir[PATH_MAX] = TV_LOCALEDIR;
/* LANGUAGE as the process received it: tv_i18n_apply changes it. */
static char original_language[256];
static bool original_language_set;

static bool has_catalog(const char *dir)
{
    char path[PATH_MAX + 64];

    int n = snprintf(path, sizeof path, "%s/es/LC_MESSAGES/" TV_TEXTDOMAIN ".mo", dir);

    return n > 0 && n < (int)sizeof path && access(path, R_OK) == 0;
}

static void find_localedir(void)
{
    char exe[PATH_MAX];
    char dir[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;

    if (n <= 0)
        return;
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    if (snprintf(dir, sizeof dir, "%s/locale", exe) >= (int)sizeof dir)
        return;
    if (!has_catalog(dir) && snprintf(dir, sizeof dir, "%s/../share/locale", exe) >= (int)sizeof dir)
        return;
    if (has_catalog(dir) && realpath(dir, localedir) == NULL)
        snprintf(localedir, sizeof localedir, "%s", TV_LOCALEDIR);
}

void tv_i18n_init(const char *dir)
{
    const char *language = getenv("LANGUAGE");

    original_language_set = language != NULL;
    snprintf(original_language, sizeof original_language, "%s", language ? language : "");
    if (dir != NULL && dir[0] != '\0')
        snprintf(localedir, sizeof localedir, "%s", dir);
    else
        find_localedir();
    bindtextdomain(TV_TEXTDOMAIN, localedir);
    bind_textdomain_codeset(TV_TEXTDOMAIN, "UTF-8");
}

const char *tv_i18n_localedir(void)
{
    return localedir;
}

void tv_i18n_language_list(const char *locale, char *out, size_t outsz)
{
    size_t lang, full;

    out[0] = '\0';
    if (locale == NULL || locale[0] == '\0' || strcmp(locale, "C") == 0 ||
        strcmp(locale, "POSIX") == 0 || strncmp(locale, "C.", 2) == 0)
        return;
    full = strcspn(locale, ".@");
    lang = strcspn(locale, "_.@");
    if (lang == 0 || full > 32)
        return;
    if (full > lang)
        snprintf(out, outsz, "%.*s:%.*s", (int)full, locale, (int)lang, locale);
    else
        snprintf(out, outsz, "%.*s", (int)lang, locale);
}

/* The first of LC_ALL, LC_MESSAGES, LANG that is set. */
static const char *environment_locale(void)
{
    static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v != NULL && v[0] != '\0')
            return v;
    }
    return NULL;
}

static bool is_c_locale(const char *name)
{
    return name == NULL || strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0 ||
           strncmp(name, "C.", 2) == 0;
}

/* LC_MESSAGES for `wanted`; when that locale is not installed, C.UTF-8 with
 * LANGUAGE naming the language still selects the right catalog. */
static void use_language(const char *wanted)
{
    char list[80];

    tv_i18n_language_list(wanted, list, sizeof list);
    if (list[0] != '\0')
        setenv("LANGUAGE", list, 1);
    else
        unsetenv("LANGUAGE");
    if (setlocale(LC_MESSAGES, wanted) == NULL || is_c_locale(setlocale(LC_MESSAGES, NULL)))
        setlocale(LC_MESSAGES, "C.UTF-8");   /* also drops gettext's cache */
}

void tv_i18n_apply(const char *lc_messages, const char *lc_ctype)
{
    const char *env;

    if (original_language_set)
        setenv("LANGUAGE", original_language, 1);
    else
        unsetenv("LANGUAGE");
    if (setlocale(LC_ALL, "") == NULL)
        setlocale(LC_ALL, "C.UTF-8");
    if (lc_ctype != NULL && lc_ctype[0] != '\0' && setlocale(LC_CTYPE, lc_ctype) == NULL)
        setlocale(LC_CTYPE, "C.UTF-8");
    if (is_c_locale(setlocale(LC_CTYPE, NULL)))
        setlocale(LC_CTYPE, "C.UTF-8");
    if (lc_messages != NULL && lc_messages[0] != '\0') {
        use_language(lc_messages);
        return;
    }
    env = getenv("LANGUAGE");
    if (env != NULL && env[0] != '\0') {          /* the environment decides */
        if (is_c_locale(setlocale(LC_MESSAGES, NULL)))
            setlocale(LC_MESSAGES, "C.UTF-8");
        return;
    }
    env = environment_locale();
    if (env != NULL && is_c_locale(setlocale(LC_MESSAGES, NULL)))
        use_language(env);                    /* named but not installed here */
}
