/* OPTION lines: the standard pinentry options and the tarjeta-* extensions
 * (docs/PROMPT-PROTOCOL.md), each value checked before it is stored. */
#ifndef TV_PROMPT_OPTIONS_H
#define TV_PROMPT_OPTIONS_H

#include "prompt.h"

/* Handles the arguments of one OPTION command ("name=value", "name value"
 * or "name").  Returns 0 or an Assuan error code with *reply_text set. */
unsigned long tv_prompt_option(tv_prompt *p, char *args, const char **reply_text);

/* Stores a checked value (prompt.c). */
void tv_prompt_set_field(tv_prompt *p, tv_prompt_field f, const char *value);

#endif
