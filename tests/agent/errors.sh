#!/bin/bash
# Every server condition gives its documented error and a message a person
# can act on: Bak-only account, TLS with a certificate from another CA,
# lockout after 5 wrong passwords and unblocking by reset, revoked, renewal
# due (notice once a day), expired, unreachable server, server that hangs.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/agent.sh"
tv_setup_test
TV_AGENT_CONFIG=$'request-timeout = 3\nconnect-timeout = 3' tv_agent_stack sms rsa2048 || bail "agent stack did not start"
client() { tv_agent_client "$@"; }
use_identity() {   # DNI [CA]: point the agent at another identity or CA
    tv_tarjeta setup --server "$BAKQ_URL" --ca "${2:-$BAKQ_CA}" --user "$1" --prompt-program "$TV_PINENTRY" >/dev/null
}

# Bak-only account.
"$TV_BUILD/bakq-server" enroll --data-dir "$BAKQ_DATA" --dni 87654321X --given-name Ane --surname Bak \
    --birth-date 1990-01-01 --email bak@example.org --phone +34611000001 --second-factor sms \
    --level bak --password "$TV_PASSWORD" --activate >/dev/null 2>&1
check "setup switches to the Bak-only identity" use_identity 87654321X
out=$(client login)
check_match "Bak-only: TV_ERR_BAK_ONLY (-28)" '"error": -28' "$out"
check_match "Bak-only: says a BakQ is needed" 'Bak \(password only\).*ask for a BakQ' "$out"
check_match "the person saw a notice (module clients get one)" 'OPTION tarjeta-notice=bak-only' "$(cat "$TV_PINENTRY_LOG")"

# A server certificate from another CA.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/other.key" -out "$T/other-ca.pem" -days 2 \
    -subj "/CN=Some Other CA" >/dev/null 2>&1
check "setup with another CA" use_identity "$TV_DNI" "$T/other-ca.pem"
out=$(client login)
check_match "another CA: TV_ERR_TLS_VERIFY (-31)" '"error": -31' "$out"
check_match "another CA: the message names the pinned CA" 'not trusted.*pinned CA' "$out"
check "setup back to the right CA" use_identity "$TV_DNI"

# Lockout at 5 and reset by SMS.
for left in 4 3 2 1; do
    out=$(client login --pin wrongpw1)
    check_match "wrong password: $left attempts left" "\"error\": -23.*$left attempts? left" "$out"
done
out=$(client login --pin wrongpw1)
check_match "fifth wrong password: TV_ERR_BLOCKED (-25)" '"error": -25' "$out"
check_match "blocked: says how to reset" 'blocked after 5 failed attempts.*tarjeta reset-password' "$out"
out=$(client login --pin "$TV_PASSWORD")
check_match "blocked even with the right password" '"error": -25' "$out"
check_match "the blocked notice was shown" 'OPTION tarjeta-notice=blocked' "$(cat "$TV_PINENTRY_LOG")"
tv_pinentry_once password value newpass9
tv_pinentry_once password value newpass9
out=$(tv_tarjeta reset-password 2>&1)
check_match "tarjeta reset-password unblocks (SMS code + new password)" 'unblocked' "$out"
TV_PASSWORD=newpass9
tv_pinentry_reset
check "login with the new password" client login
check "signing works again" client sign --usage 1 --mech SHA256_RSA_PKCS
client logout >/dev/null

# Revoked (another citizen, revoked by the admin API path the holder uses).
tv_server_enroll 11111111H sms rsa2048
check "setup switches to a second citizen" use_identity 11111111H
TV_PASSWORD=$TV_SERVER_PASSWORD
tv_pinentry_reset
sed -i "s/--phone \"[^\"]*\"/--phone \"$(tv_server_phone 11111111H)\"/" "$TV_PINENTRY"
token=$(tv_login 11111111H)
tv_api POST /bakq/v1/account/revoke "{\"password\": \"$TV_PASSWORD\"}" -H "Authorization: Bearer $token" >/dev/null
out=$(client login)
check_match "revoked: TV_ERR_REVOKED (-27)" '"error": -27' "$out"
check_match "revoked: says to register again" 'revoked \(anulada\).*register again' "$out"
sed -i "s/--phone \"[^\"]*\"/--phone \"$TV_PHONE\"/" "$TV_PINENTRY"
check "setup back to the first citizen" use_identity "$TV_DNI"
TV_PASSWORD=newpass9
tv_pinentry_reset

# Renewal due: 20 days left.  Login works, with a notice, once a day.
tv_server_clock $(( (1825 - 20) * 86400 ))
check "login with 20 days left works" client login
log=$(cat "$TV_PINENTRY_LOG")
check_match "renewal notice shown" 'OPTION tarjeta-notice=renewal' "$log"
check_match "renewal notice gives the days and the command" \
    'SETDESC Your BakQ certificates expire in (19|20) days: renew them with `tarjeta renew`' "$log"
out=$(tv_tarjeta status)
check_match "tarjeta status shows the renewal notice" 'Notice: .*renew them with `tarjeta renew`' "$out"
client logout >/dev/null
n=$(grep -c 'tarjeta-notice=renewal' "$TV_PINENTRY_LOG")
check "second login the same day" client login
check_eq "the renewal notice is shown once a day" "$n" "$(grep -c 'tarjeta-notice=renewal' "$TV_PINENTRY_LOG")"
client logout >/dev/null

# Expired.
tv_server_clock $(( 1826 * 86400 ))
out=$(client login)
check_match "expired: TV_ERR_EXPIRED (-26)" '"error": -26' "$out"
check_match "expired: says to register again" 'expired: register again' "$out"

# Unreachable, then a server that accepts but never answers.
tv_server_stop
out=$(client login)
check_match "server down: TV_ERR_UNREACHABLE (-30)" '"error": -30' "$out"
check_match "server down: a message to act on" 'Cannot reach the BakQ service at https://127.0.0.1:[0-9]+' "$out"
out=$(client snapshot)
check_match "server down: the token is still served from memory" '"flags": 1' "$out"
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True); time.sleep(30)' >"$T/hang.port" &
hang=$!
tv_track $hang
wait_until 10 "hanging listener" test -s "$T/hang.port"
check "setup pointing at a server that never answers" \
    tv_tarjeta setup --server "https://127.0.0.1:$(cat "$T/hang.port")" --ca "$BAKQ_CA" --user "$TV_DNI" \
    --prompt-program "$TV_PINENTRY"
start=$(date +%s)
out=$(client login)
check_match "hanging server: TV_ERR_UNREACHABLE (-30) after the timeout" '"error": -30.*did not answer in time' "$out"
check "the request timeout bounds the wait" test $(( $(date +%s) - start )) -lt 15
done_testing
