/* Coordinate cards: 16 positions A1..D4 (rows A-D, columns 1-4), each a
 * three-digit value.  Stored as 48 digits in position order. */
#ifndef TV_SRV_CARD_H
#define TV_SRV_CARD_H

#include <stdbool.h>

#define TV_CARD_POSITIONS 16
#define TV_CARD_TEXT (TV_CARD_POSITIONS * 3)

/* A fresh random card, as 48 digits + NUL. */
int tv_card_generate(char card[TV_CARD_TEXT + 1]);
bool tv_card_valid(const char *card);
/* "B3" -> 6; -1 when pos is not a position. */
int tv_card_index(const char *pos);
/* 6 -> "B3" */
void tv_card_position(int index, char out[3]);
/* Copy the value at index into out ("123"). */
void tv_card_value(const char *card, int index, char out[4]);
/* Constant-time check of a submitted value. */
bool tv_card_check(const char *card, int index, const char *value);

#endif
