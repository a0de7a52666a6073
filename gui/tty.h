/* The terminal front end: the same dialogs on the terminal named by
 * OPTION ttyname (else /dev/tty), for sessions without a display, like
 * pinentry-tty.  Secrets are read with echo off into secure memory. */
#ifndef TV_TTY_H
#define TV_TTY_H

#include "prompt.h"

/* TV_ERR_PROMPT (with tv_prompt_set_failure) when there is no terminal. */
int tv_tty_show(tv_prompt *p, tv_prompt_ask ask, tv_prompt_outcome *outcome);

#endif
