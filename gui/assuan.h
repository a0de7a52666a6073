/* Assuan line framing for the prompt protocol (docs/PROMPT-PROTOCOL.md).
 *
 * Lines are at most TV_ASSUAN_LINE_MAX bytes including the LF.  Parameters
 * and data carry '%', CR and LF (and here every other control byte) as %XX.
 * Nothing in this file allocates: the reader keeps one line of bytes, the
 * escaper writes into the caller's buffer (secure memory for secrets). */
#ifndef TV_ASSUAN_H
#define TV_ASSUAN_H

#include <stdbool.h>
#include <stddef.h>

#define TV_ASSUAN_LINE_MAX 1000

/* Result codes pinentry uses: GPG_ERR_SOURCE_PINENTRY << 24 | code. */
#define TV_PINENTRY_ERR(code) (((unsigned long)5 << 24) | (unsigned long)(code))
#define TV_ASSUAN_CANCELLED        TV_PINENTRY_ERR(99)    /* GPG_ERR_CANCELED */
#define TV_ASSUAN_NOT_CONFIRMED    TV_PINENTRY_ERR(114)   /* GPG_ERR_NOT_CONFIRMED */
#define TV_ASSUAN_TIMEOUT          TV_PINENTRY_ERR(62)    /* GPG_ERR_TIMEOUT */
#define TV_ASSUAN_GENERAL          TV_PINENTRY_ERR(1)     /* GPG_ERR_GENERAL */
#define TV_ASSUAN_INV_VALUE        TV_PINENTRY_ERR(55)    /* GPG_ERR_INV_VALUE */
#define TV_ASSUAN_NO_PIN_ENTRY     TV_PINENTRY_ERR(86)    /* GPG_ERR_NO_PIN_ENTRY */
#define TV_ASSUAN_UNKNOWN_OPTION   TV_PINENTRY_ERR(174)   /* GPG_ERR_UNKNOWN_OPTION */
#define TV_ASSUAN_LINE_TOO_LONG    TV_PINENTRY_ERR(263)   /* GPG_ERR_ASS_LINE_TOO_LONG */
#define TV_ASSUAN_UNKNOWN_CMD      TV_PINENTRY_ERR(275)   /* GPG_ERR_ASS_UNKNOWN_CMD */
#define TV_ASSUAN_SYNTAX           TV_PINENTRY_ERR(276)   /* GPG_ERR_ASS_SYNTAX */
#define TV_ASSUAN_PARAMETER        TV_PINENTRY_ERR(280)   /* GPG_ERR_ASS_PARAMETER */

/* Decode %XX escapes in place.  Returns 0, or TV_ERR_PROTOCOL for a bad
 * escape or an escaped NUL (the string is then unspecified). */
int tv_assuan_unescape(char *s);

/* Escape n bytes of src into out (NUL-terminated): '%', every byte below
 * 0x20 and DEL become %XX.  Returns the length written, or TV_ERR_TOO_LARGE
 * (out then holds an empty string). */
int tv_assuan_escape(const char *src, size_t n, char *out, size_t outsz);

/* Split a line in place into its command word and its arguments (leading
 * blanks skipped; "" when there are none).  The command is upper-cased. */
void tv_assuan_split(char *line, char **cmd, char **args);

/* True when s is well-formed UTF-8 without control characters other than
 * LF and TAB (what a dialog may show). */
bool tv_text_is_printable_utf8(const char *s);

/* Splits a byte stream into lines.  Over-long lines are reported once,
 * with TV_ERR_TOO_LARGE, when their LF arrives; their bytes are dropped. */
typedef struct tv_line_reader {
    char buf[TV_ASSUAN_LINE_MAX];
    size_t len;
    bool overlong;
} tv_line_reader;

/* Called with each complete line (without LF or a trailing CR, NUL-
 * terminated, writable) and err 0, or with line NULL and err < 0.
 * Returns 0 to go on, > 0 to stop (BYE), < 0 on a fatal error. */
typedef int (*tv_line_fn)(void *ctx, char *line, int err);

void tv_line_reader_init(tv_line_reader *r);
/* Feed n bytes; returns the first non-zero value fn returned, else 0. */
int tv_line_feed(tv_line_reader *r, const char *data, size_t n, tv_line_fn fn, void *ctx);

/* write(2) everything, retrying on EINTR; TV_ERR_IO or TV_ERR_CLOSED. */
int tv_write_all(int fd, const void *p, size_t n);

#endif
