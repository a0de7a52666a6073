#!/bin/bash
# Signing against the real bakq-server: every RSA mechanism with the
# authentication credential (verified with the certificate), the signature
# credential's confirmation dialog every time with a hash-bound authorization,
# 50 concurrent clients, no new TLS handshake per signature, and transparent
# renewal of the authorization (extendTransaction) when its count runs out.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/agent.sh"
tv_setup_test
TV_AGENT_CONFIG=$'session-signatures = 7\nprompt-timeout = 8' tv_agent_stack sms rsa2048 || bail "agent stack did not start"
client() { tv_agent_client "$@"; }

check "login" client login
before=$(tv_pinentry_dialogs)
for mech in RSA_PKCS SHA256_RSA_PKCS SHA384_RSA_PKCS SHA512_RSA_PKCS RSA_PKCS_PSS \
            SHA256_RSA_PKCS_PSS SHA384_RSA_PKCS_PSS SHA512_RSA_PKCS_PSS; do
    check "authentication credential, $mech: signature verifies" client sign --usage 1 --mech "$mech"
done
check "SHA256_RSA_PKCS_PSS with salt 0" client sign --usage 1 --mech SHA256_RSA_PKCS_PSS --salt 0
check "SHA512_RSA_PKCS with a digest from the module (input kind 1)" \
    client sign --usage 1 --mech SHA512_RSA_PKCS --kind 1
out=$(client sign --usage 1 --mech ECDSA)
check_match "ECDSA on an RSA key: TV_ERR_MECHANISM (-33)" '-33' "$out"
check_eq "no dialog for authentication signatures (10 signatures, 7 per authorization)" \
    "$before" "$(tv_pinentry_dialogs)"
check_match "the authorization was renewed with extendTransaction" 'authorization renewed' "$(cat "$TV_AGENT_LOG")"

# Signature credential: a confirmation naming the program, every time.
before=$(tv_pinentry_dialogs)
check "signature credential: signs after the confirmation" \
    client sign --usage 2 --mech SHA256_RSA_PKCS --program pdfsig-test
check "signature credential again: confirmation again" \
    client sign --usage 2 --mech SHA384_RSA_PKCS_PSS --program pdfsig-test
check_eq "two signatures, two confirmation dialogs" $((before + 2)) "$(tv_pinentry_dialogs)"
log=$(cat "$TV_PINENTRY_LOG")
check_match "the confirmation names the program (from the peer's /proc)" 'OPTION tarjeta-program=python3' "$log"
check_match "the confirmation names the pid" 'OPTION tarjeta-pid=[0-9]+' "$log"
check_match "the confirmation shows the hash" 'OPTION tarjeta-hash=[0-9a-f]{64}' "$log"
check_match "the confirmation names the certificate" 'OPTION tarjeta-credential=.*12345678Z' "$log"
check_match "the description is complete for a plain pinentry" \
    'SETDESC The program "python3" \(process [0-9]+\) asks for a qualified electronic signature' "$log"
check_match "the SMS code was asked in the same dialog" 'OPTION tarjeta-second-factor=sms' "$log"
tv_pinentry_once confirm-signature cancel
out=$(client sign --usage 2 --mech SHA256_RSA_PKCS)
check_match "cancelled confirmation: TV_ERR_CANCELLED (-20)" "-20 Signature cancelled" "$out"
tv_pinentry_once confirm-signature nodisplay
out=$(client sign --usage 2 --mech SHA256_RSA_PKCS)
check_match "no display for the confirmation: TV_ERR_NO_DISPLAY (-40), not cancelled" \
    "-40 Signature: no display to show the dialog on" "$out"

# The confirmation shows the hash that is authorized (bound to the SAD: SCAL 2) and signed.
data=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')
check "signature credential over known data" client sign --usage 2 --mech SHA256_RSA_PKCS --data-hex "$data"
want=$(python3 -c 'import hashlib, sys; print(hashlib.sha256(bytes.fromhex(sys.argv[1])).hexdigest())' "$data")
check_eq "the confirmation's fingerprint is the SHA-256 of that data" "$want" \
    "$(grep -o 'tarjeta-hash=[0-9a-f]*' "$TV_PINENTRY_LOG" | tail -1 | cut -d= -f2)"

# A dialog open for one request does not hold up signatures that need none.
tv_pinentry_once confirm-signature hang
python3 "$TV_SRC/tests/agent/tvclient.py" sign --usage 2 --mech SHA256_RSA_PKCS >"$T/hung.json" 2>&1 &
hung=$!
wait_until 10 "the confirmation dialog is open" grep -q 'hang' "$TV_PINENTRY_LOG"
start=$(date +%s%N)
check "10 authentication signatures while the confirmation dialog is open" \
    client sign --usage 1 --mech SHA256_RSA_PKCS --count 10
check "... they did not wait for the dialog" kill -0 "$hung"
wait "$hung"
check_match "the unanswered confirmation ended as cancelled" '-20' "$(cat "$T/hung.json")"

# 50 concurrent clients with the authentication credential.
hs_before=$(client stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["tls_handshakes"])')
out=$(client sign --usage 1 --mech SHA256_RSA_PKCS --clients 50 --count 2)
check_match "50 concurrent clients x 2 signatures all verify" '"ok": 100, "bad": 0, "errors": \[\]' "$out"
hs_mid=$(client stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["tls_handshakes"])')
check "at most 8 (max-connections) new TLS connections for 50 clients" test $((hs_mid - hs_before)) -le 8
out=$(client sign --usage 1 --mech SHA256_RSA_PKCS --count 20)
hs_after=$(client stats | python3 -c 'import json,sys; print(json.load(sys.stdin)["tls_handshakes"])')
check_eq "20 more signatures on warm connections: zero new handshakes" "$hs_mid" "$hs_after"
check_no_match "no secret in the agent log" "$TV_PASSWORD" "$(cat "$TV_AGENT_LOG")"
done_testing
