#include "card.h"

#include "bakq.h"
#include "tv_err.h"

#include <string.h>

#include <openssl/crypto.h>

int tv_card_generate(char card[TV_CARD_TEXT + 1])
{
    for (int i = 0; i < TV_CARD_TEXT; i++)
        card[i] = (char)('0' + tv_random_below(10));
    card[TV_CARD_TEXT] = '\0';
    return 0;
}

bool tv_card_valid(const char *card)
{
    if (card == NULL || strlen(card) != TV_CARD_TEXT)
        return false;
    for (int i = 0; i < TV_CARD_TEXT; i++)
        if (card[i] < '0' || card[i] > '9')
            return false;
    return true;
}

int tv_card_index(const char *pos)
{
    if (pos == NULL || strlen(pos) != 2)
        return -1;
    if (pos[0] < 'A' || pos[0] > 'D' || pos[1] < '1' || pos[1] > '4')
        return -1;
    return (pos[0] - 'A') * 4 + (pos[1] - '1');
}

void tv_card_position(int index, char out[3])
{
    out[0] = (char)('A' + index / 4);
    out[1] = (char)('1' + index % 4);
    out[2] = '\0';
}

void tv_card_value(const char *card, int index, char out[4])
{
    memcpy(out, card + index * 3, 3);
    out[3] = '\0';
}

bool tv_card_check(const char *card, int index, const char *value)
{
    if (!tv_card_valid(card) || index < 0 || index >= TV_CARD_POSITIONS || value == NULL ||
        strlen(value) != 3)
        return false;
    return CRYPTO_memcmp(card + index * 3, value, 3) == 0;
}
