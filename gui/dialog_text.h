/* What a dialog says, in the dialog's language: built from the prompt state
 * (the tarjeta-* options, else the standard SET* texts) and shared by the
 * GTK and terminal front ends.  No GTK here: unit-tested without a display. */
#ifndef TV_DIALOG_TEXT_H
#define TV_DIALOG_TEXT_H

#include "prompt.h"

#include <stddef.h>

typedef enum {
    TV_DIALOG_GENERIC,        /* a plain pinentry request */
    TV_DIALOG_PASSWORD,
    TV_DIALOG_SMS,
    TV_DIALOG_COORDINATE,
    TV_DIALOG_CONFIRM_SIGNATURE,
    TV_DIALOG_NOTICE,
} tv_dialog_kind;

typedef enum { TV_ENTRY_NONE, TV_ENTRY_SECRET, TV_ENTRY_DIGITS } tv_entry_kind;
typedef enum { TV_TONE_NORMAL, TV_TONE_WARNING, TV_TONE_ERROR } tv_tone;

#define TV_TEXT_ROWS 4
#define TV_TEXT_MAX 1024

typedef struct tv_text_row {
    char caption[128];        /* "DNI/NIE" */
    char value[TV_TEXT_MAX];  /* "12345678Z" */
    int monospace;            /* fingerprints */
} tv_text_row;

typedef struct tv_dialog_text {
    tv_dialog_kind kind;
    char window_title[256];   /* "Tarjeta virtual — BakQ" */
    char heading[256];        /* "Enter your BakQ password" */
    char icon[64];            /* themed icon name */
    tv_tone tone;             /* colour of the icon (notices) */
    tv_text_row rows[TV_TEXT_ROWS];
    int n_rows;
    char big[128];            /* "Coordinate B3" in large type, or "" */
    char description[TV_TEXT_MAX];
    char error[TV_TEXT_MAX];  /* shown in red above the entry */
    char warning[512];
    char prompt[256];         /* entry label, with a '_' mnemonic */
    char entry_description[TV_TEXT_MAX];   /* accessible description of the entry */
    char hint[512];           /* under the entry ("forgot your password?") */
    char command[64];         /* a command to type in a terminal, shown on its own */
    char placeholder[128];    /* shown in the empty entry ("8 characters") */
    char ok[128], cancel[128], notok[128]; /* notok "" = no third button */
    tv_entry_kind entry;
    unsigned entry_min, entry_max;         /* characters */
    unsigned code_lifetime;                /* seconds; > 0 shows the time left */
} tv_dialog_text;

tv_dialog_kind tv_dialog_kind_of(const tv_prompt *p);

/* Fills t for this request (call after tv_i18n_apply). */
void tv_dialog_text_build(const tv_prompt *p, tv_prompt_ask ask, tv_dialog_text *t);

/* "Code valid for 4:59" or, at 0, what to do when the code expired. */
void tv_dialog_time_left(unsigned seconds, char *out, size_t outsz);

/* Hex fingerprint in groups of four, eight groups a line: "1A2B 3C4D …". */
void tv_format_fingerprint(const char *hex, char *out, size_t outsz);

/* The CN of a certificate subject, else the subject as given. */
void tv_credential_name(const char *subject, char *out, size_t outsz);

/* Label without its mnemonic underscore ("_OK" -> "OK"; "__" -> "_"). */
void tv_strip_mnemonic(const char *label, char *out, size_t outsz);

#endif
