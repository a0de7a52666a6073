/* Translations (gettext): the catalog location and the dialog language.
 * The language comes from the agent (OPTION lc-messages / lc-ctype), else
 * from the environment; it works even when the locale itself is not
 * generated on the machine (the catalog is picked through LANGUAGE). */
#ifndef TV_I18N_H
#define TV_I18N_H

#include <libintl.h>
#include <stddef.h>

#define TV_TEXTDOMAIN "tarjeta-prompt"
#define _(s) dgettext(TV_TEXTDOMAIN, s)
#define N_(s) (s)
#define NG_(s, p, n) dngettext(TV_TEXTDOMAIN, s, p, n)

/* Binds the catalog: localedir if given, else <exe dir>/locale (build
 * tree), <exe dir>/../share/locale (install prefix), TV_LOCALEDIR. */
void tv_i18n_init(const char *localedir);
const char *tv_i18n_localedir(void);

/* Applies the agent's locale options ("" = unset) or the environment. */
void tv_i18n_apply(const char *lc_messages, const char *lc_ctype);

/* "eu_ES.UTF-8@euro" -> "eu_ES:eu"; "" for C/POSIX or an empty name. */
void tv_i18n_language_list(const char *locale, char *out, size_t outsz);

#endif
