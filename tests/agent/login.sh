#!/bin/bash
# Login through the scripted pinentry against the real bakq-server: SMS with
# resend, wrong password with attempts left, PIN from the application, session
# reuse without a prompt, logout, session expiry re-prompts, cancel.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/agent.sh"
tv_setup_test
TV_AGENT_CONFIG=$'session-lifetime = 20\nprompt-timeout = 4' tv_agent_stack sms rsa2048 || bail "agent stack did not start"

client() { tv_agent_client "$@"; }

out=$(client snapshot)
check_match "before login: token absent (no cache yet), no session" '"flags": 0' "$out"

# SMS login, with one "resend" first: two SMS dialogs, the second one works.
tv_pinentry_once sms resend
out=$(client login)
check_match "login with password + SMS (after a resend) succeeds" '"was_active": false' "$out"
log=$(cat "$TV_PINENTRY_LOG")
check_match "password dialog names the DNI" 'OPTION tarjeta-dni=12345678Z' "$log"
check_match "SMS dialog names the masked phone" 'OPTION tarjeta-phone=\*+[0-9]{3}' "$log"
check_match "SMS dialog offers the resend button" 'SETNOTOK Resend code' "$log"
check_eq "three dialogs: password, SMS (resend), SMS" 3 "$(tv_pinentry_dialogs)"
check_match "after the resend the dialog says a new code was sent" 'SETERROR A new code was sent' "$log"
check_no_match "no secret in the pinentry log" "$TV_PASSWORD" "$log"

out=$(client snapshot)
check_match "after login: token present and session active" '"flags": 3' "$out"
check_match "two credentials with 2048-bit RSA keys" '"usage": 1, "key_type": 0, "bits": 2048.*"usage": 2' "$out"

# Session reuse: no dialog.
before=$(tv_pinentry_dialogs)
out=$(client login)
check_match "second LOGIN: session already valid" '"was_active": true' "$out"
check "signing during the session" client sign --usage 1 --mech SHA256_RSA_PKCS --count 3
check_eq "no dialog while the session is valid" "$before" "$(tv_pinentry_dialogs)"

# Session expiry (lifetime 20 s) re-prompts.
wait_until 40 "session expiry" sh -c "python3 '$TV_SRC/tests/agent/tvclient.py' snapshot | grep -q '\"flags\": 1'"
check "session expired after its lifetime (snapshot shows no session)" \
    sh -c "python3 '$TV_SRC/tests/agent/tvclient.py' snapshot | grep -q '\"flags\": 1'"
check "signing after expiry logs in again through the dialogs" client sign --usage 1 --mech SHA256_RSA_PKCS
check_eq "expiry re-prompted password + SMS" $((before + 2)) "$(tv_pinentry_dialogs)"

# Logout wipes the session; the next login prompts.
check "LOGOUT" client logout
out=$(client snapshot)
check_match "after logout: no session, token still present" '"flags": 1' "$out"

# Wrong password from the application (C_Login with a PIN): attempts left, no dialog.
before=$(tv_pinentry_dialogs)
out=$(client login --pin wrongpw1)
check_match "wrong PIN: TV_ERR_WRONG_PASSWORD (-23)" '"error": -23' "$out"
check_match "wrong PIN: message gives the attempts left" '4 attempts left' "$out"
check_eq "a PIN from the application shows no password dialog" "$before" "$(tv_pinentry_dialogs)"

# Right PIN from the application: only the second-factor dialog.
out=$(client login --pin "$TV_PASSWORD")
check_match "LOGIN with the right PIN succeeds" '"was_active": false' "$out"
check_eq "a PIN replaces the password dialog only (one SMS dialog)" $((before + 1)) "$(tv_pinentry_dialogs)"
check_match "that dialog was the SMS one" "== dialog $((before + 1)) kind=sms" "$(cat "$TV_PINENTRY_LOG")"
client logout >/dev/null

# Wrong password in the dialog: it is asked again with the attempts left.
tv_pinentry_once password wrong
out=$(client login)
check_match "login after one wrong password in the dialog succeeds" '"was_active": false' "$out"
check_match "the second password dialog shows the attempts left" \
    'SETERROR Wrong password: [0-9] attempts? left before your BakQ is blocked' "$(cat "$TV_PINENTRY_LOG")"
client logout >/dev/null

# Wrong SMS code: asked again; cancel: TV_ERR_CANCELLED.
tv_pinentry_once sms wrong
check "a wrong SMS code is asked again and the right one works" client login
client logout >/dev/null
tv_pinentry_once password cancel
out=$(client login)
check_match "cancelling the password dialog: TV_ERR_CANCELLED (-20)" '"error": -20' "$out"
tv_pinentry_once sms cancel
out=$(client login)
check_match "cancelling the SMS dialog: TV_ERR_CANCELLED (-20)" '"error": -20' "$out"
# A prompt that never answers is ended by the agent's timer: cancelled.
tv_pinentry_once password hang
start=$(date +%s)
client login > "$T/hang.out" &
login_pid=$!
wait_until 10 "the hanging prompt starts" grep -q -- '-> hang' "$TV_PINENTRY_LOG"
prompt_pid=$(pgrep -n -f "$TV_PINENTRY_SCRIPT")    # the newest: an earlier one may still be exiting
# The agent reads SIGHUP/SIGINT/SIGTERM from a signalfd with them blocked; the
# prompt must not inherit that block, or it could not be stopped.  (Python
# itself may block SIGINT, so look at SIGHUP and SIGTERM: mask 0x4001.)
sigblk=$(awk '/^SigBlk:/ { print $2 }' "/proc/$prompt_pid/status" 2>/dev/null)
check_eq "the prompt does not inherit the agent's blocked SIGHUP/SIGTERM" 0 \
    "$(( 0x${sigblk:-ffff} & 0x4001 ))"
wait "$login_pid"
out=$(cat "$T/hang.out")
check_match "a prompt that hangs: TV_ERR_CANCELLED (-20)" '"error": -20' "$out"
check "... within the dialog timeout (4 s + 5 s margin)" test $(( $(date +%s) - start )) -lt 15
check_eq "... and the hung prompt was killed" "" "$(pgrep -f "$TV_PINENTRY_SCRIPT" || true)"
check_no_match "the agent log holds no password" "$TV_PASSWORD" "$(cat "$TV_AGENT_LOG")"
done_testing
