#!/bin/bash
# Every tarjeta command against the real agent and bakq-server: --help,
# usage errors, setup (and its checks), status, login (dialogs and
# --terminal through a pty), logout, activate, password, reset-password (in
# errors.sh), second-factor sms, contact, revoke, renew.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/agent.sh"
tv_setup_test
tv_agent_stack sms rsa2048 || bail "agent stack did not start"
tarjeta() { tv_tarjeta "$@"; }
switch_to() {   # DNI: the CLI's setup, the pinentry's phone and e-mail
    TV_DNI=$1 TV_PHONE=$(tv_server_phone "$1") TV_EMAIL=$(tv_server_email "$1")
    _tv_pinentry_wrapper
    tarjeta setup --server "$BAKQ_URL" --ca "$BAKQ_CA" --user "$1" --prompt-program "$TV_PINENTRY"
}

for cmd in setup status login logout activate password reset-password second-factor contact revoke renew; do
    out=$("$TV_BUILD/tarjeta" $cmd --help); rc=$?
    check_match "tarjeta $cmd --help (exit $rc)" "^Usage: tarjeta $cmd" "$out"
done
check_match "tarjeta --help lists the commands" 'reset-password' "$("$TV_BUILD/tarjeta" --help)"
"$TV_BUILD/tarjeta" frobnicate 2>/dev/null; check_eq "unknown command: exit 2" 2 $?
"$TV_BUILD/tarjeta" login --bogus 2>/dev/null; check_eq "unknown option: exit 2" 2 $?

# setup and its checks
out=$(tarjeta setup --server "$BAKQ_URL" --ca "$BAKQ_CA" --user 12345678A 2>&1); rc=$?
check_eq "setup with a wrong check letter: exit 2" 2 "$rc"
check_match "... says what is wrong" 'not a valid DNI/NIE' "$out"
out=$(tarjeta setup --server "http://127.0.0.1:1" --ca "$BAKQ_CA" --user "$TV_DNI" 2>&1); rc=$?
check_eq "setup with http://: exit 2" 2 "$rc"
check_match "... says https is required" 'must start with https://' "$out"
out=$(tarjeta setup --server "$BAKQ_URL" --ca /etc/hostname --user "$TV_DNI" 2>&1); rc=$?
check_eq "setup with a file that is not a certificate: exit 1" 1 "$rc"
out=$(switch_to "$TV_DNI" 2>&1)
check_match "setup writes the configuration and the agent reloads it" 'The agent uses it now' "$out"
check_eq "the pinned CA copy is in the config folder" "$XDG_CONFIG_HOME/tarjeta-virtual/ca.pem" \
    "$(sed -n 's/^ca = //p' "$TV_AGENT_CONF")"
check_eq "the configuration file is 0600" 600 "$(stat -c %a "$TV_AGENT_CONF")"
echo "bogus-key = 1" >>"$TV_AGENT_CONF"
out=$(tarjeta status 2>&1)
kill -HUP "$TV_AGENT_PID"
sleep 0.3
out=$(tarjeta status 2>&1)
check_match "a bad configuration is reported with file, line and key" 'agent.conf:[0-9]+: bogus-key: unknown key' "$out"
sed -i '/bogus-key/d' "$TV_AGENT_CONF"
kill -HUP "$TV_AGENT_PID"

# status, login, logout
out=$(tarjeta status)
check_match "status before login: no session" 'Session: +none' "$out"
out=$(tarjeta login); rc=$?
check_eq "tarjeta login: exit 0" 0 "$rc"
check_match "tarjeta login: says so" 'Logged in' "$out"
out=$(tarjeta status)
check_match "status: identity" 'Identity: +12345678Z' "$out"
check_match "status: active session with signatures left" 'Session: +active, [0-9]+ signatures left' "$out"
check_match "status: both certificates with days left" \
    'BakQ authentication +valid, until [0-9-]+ [0-9:]+ \([0-9]+ days left\)' "$out"
check_match "tarjeta login again: already logged in" 'Already logged in' "$(tarjeta login)"
check_match "tarjeta logout" 'Logged out' "$(tarjeta logout)"
tv_pinentry_once password cancel
out=$(tarjeta login 2>&1); rc=$?
check_eq "cancelled login: exit 1" 1 "$rc"
check_match "... with a message" 'login failed: Login cancelled' "$out"
tv_pinentry_once password nodisplay
out=$(tarjeta login 2>&1); rc=$?
check_eq "no display for the dialog: exit 1" 1 "$rc"
check_match "... says so and what to do (not 'cancelled')" \
    'login failed: Login: no display to show the dialog on.*import-environment DISPLAY.*tarjeta login --terminal' "$out"

# login --terminal: the password typed at a terminal with echo off.
out=$(python3 - "$TV_BUILD/tarjeta" "$TV_PASSWORD" <<'PY'
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "login", "--terminal"])
seen = b""
def read_until(token, limit=20):
    global seen
    end = time.time() + limit
    while token not in seen and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            try:
                seen += os.read(fd, 1024)
            except OSError:
                break
read_until(b"Password:")
os.write(fd, sys.argv[2].encode() + b"\n")
read_until(b"Logged in", 60)
status = None
for _ in range(300):
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    status = None
    time.sleep(0.1)
if status is None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
print(seen.decode(errors="replace"))
print("EXIT", os.waitstatus_to_exitcode(status) if status is not None else "timeout")
PY
)
check_match "login --terminal: asks on the terminal and logs in" 'Password:.*Logged in' "$(echo $out)"
check_no_match "login --terminal: the password is not echoed" "$TV_PASSWORD" "$out"
check_match "login --terminal: exit 0" 'EXIT 0' "$out"
tarjeta logout >/dev/null

# password change
tv_pinentry_once password value "$TV_PASSWORD"
tv_pinentry_once password value newpass1
tv_pinentry_once password value newpass1
out=$(tarjeta password 2>&1); rc=$?
check_match "tarjeta password: changed (exit $rc)" 'Password changed' "$out"
tv_pinentry_once password value "$TV_PASSWORD"
tv_pinentry_once password value abc
tv_pinentry_once password value abc
out=$(tarjeta password 2>&1); rc=$?
check_eq "a new password that is not 8 characters: exit 1" 1 "$rc"
check_match "... says why" 'exactly 8 characters' "$out"
TV_PASSWORD=newpass1
tv_pinentry_reset
check_match "login with the new password" 'Logged in' "$(tarjeta login)"

# contact (needs the session; a code goes to the mobile)
out=$(tarjeta contact --email ane.new@example.org 2>&1)
check_match "tarjeta contact --email: changed after the SMS code" 'Contact details changed' "$out"
check_match "the code dialog was shown" 'SETDESC A confirmation code was sent by SMS' "$(cat "$TV_PINENTRY_LOG")"
"$TV_BUILD/tarjeta" contact </dev/null 2>/dev/null; check_eq "tarjeta contact without options: exit 2" 2 $?

# second-factor sms, for a coordinate-card citizen (the CLI logs in first)
tv_server_enroll 22222222J coordinates rsa2048
TV_PASSWORD=$TV_SERVER_PASSWORD
tv_pinentry_reset
switch_to 22222222J >/dev/null
out=$(tarjeta second-factor sms 2>&1); rc=$?
check_match "tarjeta second-factor sms: switched (exit $rc)" 'now a code sent by SMS' "$out"
check_match "it logged in with the coordinate card first" 'kind=coordinate' "$(cat "$TV_PINENTRY_LOG")"
tarjeta logout >/dev/null
: >"$TV_PINENTRY_LOG"
tarjeta login >/dev/null
check_match "the next login asks an SMS code" 'kind=sms' "$(cat "$TV_PINENTRY_LOG")"
check_no_match "... and no coordinate" 'kind=coordinate' "$(cat "$TV_PINENTRY_LOG")"
tarjeta logout >/dev/null

# activate a newly registered BakQ
dni=33333333P
tv_api POST /bakq/v1/registrations "{\"dni\": \"$dni\", \"given_name\": \"Jon\", \"surname\": \"Berria\",
    \"birth_date\": \"1985-02-03\", \"email\": \"$(tv_server_email $dni)\", \"phone\": \"$(tv_server_phone $dni)\",
    \"second_factor\": \"sms\", \"key\": \"rsa2048\", \"level\": \"bakq\"}" \
    -H "Authorization: Bearer $BAKQ_ADMIN_TOKEN" >/dev/null
switch_to $dni >/dev/null
tv_pinentry_once password outbox "$(tv_server_email $dni)"
tv_pinentry_once password outbox "$(tv_server_phone $dni)"
tv_pinentry_once password value jonpass1
tv_pinentry_once password value jonpass1
out=$(tarjeta activate --accept-terms 2>&1); rc=$?
check_eq "tarjeta activate: exit 0" 0 "$rc"
check_match "tarjeta activate: shows the personal data" 'Your data: Jon Berria, DNI/NIE 33333333P' "$out"
check_match "tarjeta activate: active, with the validity" 'Your BakQ is active; certificates valid until' "$out"
TV_PASSWORD=jonpass1
tv_pinentry_reset
check_match "the activated BakQ logs in" 'Logged in' "$(tarjeta login)"
check "... and signs" tv_agent_client sign --usage 1 --mech SHA256_RSA_PKCS
tarjeta logout >/dev/null

# revoke
out=$(tarjeta revoke --yes 2>&1); rc=$?
check_match "tarjeta revoke --yes: revoked (exit $rc)" 'Your BakQ is revoked' "$out"
out=$(tarjeta status)
check_match "status shows the certificates revoked" 'BakQ authentication +REVOKED' "$out"
check_match "status: token absent after revocation" 'Token: +absent' "$out"
out=$(tarjeta login 2>&1); rc=$?
check_eq "login after revocation: exit 1" 1 "$rc"
check_match "... revoked: register again" 'revoked' "$out"

# renew, within 30 days of expiry
switch_to 12345678Z >/dev/null
TV_PASSWORD=newpass1
tv_pinentry_reset
tarjeta login >/dev/null
out=$(tarjeta renew 2>&1); rc=$?
check_eq "renew more than 30 days before expiry: exit 1" 1 "$rc"
check_match "... the service's reason" '30 days|not due' "$out"
tv_server_clock $(( (1825 - 10) * 86400 ))
tarjeta logout >/dev/null
tarjeta login >/dev/null
old=$(tv_agent_client snapshot | python3 -c 'import json,sys; print(json.load(sys.stdin)["credentials"][0]["id"])')
out=$(tarjeta renew 2>&1); rc=$?
check_eq "tarjeta renew 10 days before expiry: exit 0" 0 "$rc"
check_match "... renewed" 'Certificates renewed' "$out"
new=$(tv_agent_client snapshot | python3 -c 'import json,sys; print(json.load(sys.stdin)["credentials"][0]["id"])')
check "the token now serves the new certificates (new key, new CKA_ID)" test "$old" != "$new"
check_match "login and signing with the renewed certificate" 'Logged in' "$(tarjeta login)"
check "signing with the renewed certificate verifies" tv_agent_client sign --usage 1 --mech SHA256_RSA_PKCS
done_testing
