/* JSON through jansson, with every allocation wiped when freed (bodies carry
 * passwords, codes, tokens and SADs), and typed accessors that treat a
 * missing or ill-typed field as "absent". */
#ifndef TV_AGENT_JSON_H
#define TV_AGENT_JSON_H

#include <jansson.h>
#include <stddef.h>

#define TV_JSON_MAX (1u << 20)

/* Install the wiping allocator; call once before any other jansson use. */
void tv_json_init(void);
/* Parse a response body (at most TV_JSON_MAX bytes, an object); NULL otherwise. */
json_t *tv_json_parse_object(const void *data, size_t len);
/* Serialize compactly into a string freed with tv_json_free_string(). */
char *tv_json_dump(const json_t *j);
void tv_json_free_string(char *s);

const char *tv_json_str(const json_t *obj, const char *key);          /* NULL if absent */
/* An integer field, or a string holding one; def when absent. */
long long tv_json_int(const json_t *obj, const char *key, long long def);
json_t *tv_json_array(const json_t *obj, const char *key);            /* NULL if absent */
json_t *tv_json_object(const json_t *obj, const char *key);           /* NULL if absent */

#endif
