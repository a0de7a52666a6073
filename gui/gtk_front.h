/* The GTK3 front end: one window per dialog, secrets in a secure buffer. */
#ifndef TV_GTK_FRONT_H
#define TV_GTK_FRONT_H

#include "prompt.h"

#include <stdbool.h>

/* Opens the display once (OPTION display, else DISPLAY / WAYLAND_DISPLAY).
 * False when there is none or GTK cannot start: use the terminal then. */
bool tv_gtk_start(tv_prompt *p);

int tv_gtk_show(tv_prompt *p, tv_prompt_ask ask, tv_prompt_outcome *outcome);

#endif
