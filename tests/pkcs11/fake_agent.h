/* A stand-in for tarjeta-agent, for the module's unit tests only: threads
 * in the test process answering the real protocol (common/tv_proto) on a
 * temporary UNIX socket.  The integration tests use the real agent. */
#ifndef FAKE_AGENT_H
#define FAKE_AGENT_H

#include "tv_buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fake_agent;

struct fa_sign {
    uint8_t key_id[64];
    size_t key_id_len;
    uint32_t mech, pss_hash, pss_mgf, pss_salt, kind;
    uint8_t input[1024];
    size_t input_len;
};

/* Listen on a fresh socket and point TARJETA_AGENT_SOCKET at it.  The
 * identity has an RSA authentication credential, a P-256 signature
 * credential (unless rsa_only) and one CA certificate. */
struct fake_agent *fa_start(bool rsa_only);
void fa_stop(struct fake_agent *fa);
const char *fa_socket(const struct fake_agent *fa);

/* Agent death and return: close the listener and every connection. */
void fa_kill(struct fake_agent *fa);
void fa_revive(struct fake_agent *fa);

void fa_set_present(struct fake_agent *fa, bool present);
void fa_set_session(struct fake_agent *fa, bool active);
bool fa_session(struct fake_agent *fa);
/* End the session without a change notice (the race where a signature
 * reaches the agent before the module saw the session end). */
void fa_end_session_unseen(struct fake_agent *fa);
/* Any change: generation + 1, pending WAIT_EVENTs answer. */
void fa_bump(struct fake_agent *fa);
/* LOGIN answers err (0: success) after delay_ms. */
void fa_set_login(struct fake_agent *fa, int err, int delay_ms);
void fa_set_sign(struct fake_agent *fa, int err, int delay_ms);
/* Don't answer HELLO (a hung agent). */
void fa_set_mute(struct fake_agent *fa, bool mute);

unsigned fa_count(struct fake_agent *fa, uint32_t type);
void fa_reset_counts(struct fake_agent *fa);
struct fa_sign fa_last_sign(struct fake_agent *fa);
/* The last LOGIN: flags and PIN length (the PIN itself is compared by
 * fa_last_pin_is). */
uint32_t fa_last_login_flags(struct fake_agent *fa);
bool fa_last_pin_is(struct fake_agent *fa, const char *pin);
unsigned fa_connections(struct fake_agent *fa);
/* Most SIGN requests seen in progress at the same time. */
unsigned fa_max_parallel_signs(struct fake_agent *fa);
/* Replace the identity's credentials (a different token). */
void fa_set_rsa_only(struct fake_agent *fa, bool rsa_only);

/* A complete SNAPSHOT reply frame, as the fake agent sends it. */
int fa_snapshot_frame(tv_buf *out, bool rsa_only, bool present, uint64_t generation, bool session);

#endif
