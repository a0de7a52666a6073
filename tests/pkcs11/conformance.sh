#!/bin/bash
# Standard conformance of the module with the real agent and bakq-server
# (tests/pkcs11/p11conform.c), GnuTLS p11tool, and a differential run against
# SoftHSM2.
#
# Differential: the service's key cannot be exported, so SoftHSM2 gets an
# equivalent credential made with OpenSSL (RSA-2048 key, certificate from a
# throwaway CA, same label) and both modules answer the same sequence of
# calls.  Only answers the standard fixes are compared (return codes, session
# states, attribute semantics, object shapes as relations like "CKA_MODULUS is
# the certificate's modulus"); where SoftHSM2 2.6 itself departs from the
# standard, p11conform keeps the call out of the transcript and says so.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/pkcs11/lib.sh"
tv_setup_test
tv_p11_stack sms rsa2048 || bail "agent stack did not start"
CONFORM="$TV_BUILD/tests/pkcs11/p11conform"
SOFTHSM=/usr/lib/softhsm/libsofthsm2.so

tap_from p11 "$CONFORM" "$TV_MODULE" "$AUTH_LABEL" --ours
check_eq "conformance: one login through the agent's dialogs" 2 "$(tv_pinentry_dialogs)"

# The agent holds a session now: a new program is logged in by it (no
# C_Login needed), C_Logout stays local, and `tarjeta logout` makes it public
# again; its next C_Login shows the agent's dialogs (2 more).
tap_from p11 "$CONFORM" "$TV_MODULE" "$AUTH_LABEL" --held --end "$TV_BUILD/tarjeta logout </dev/null >/dev/null"
check_eq "held: dialogs only for the login after \`tarjeta logout\`" 4 "$(tv_pinentry_dialogs)"

# ---- GnuTLS p11tool --------------------------------------------------------------
out=$(p11 p11tool --provider "$TV_MODULE" --list-all 2>&1)
check_match "p11tool --list-all: the certificates" 'Label: BakQ authentication' "$out"
check_match "p11tool --list-all: the CA marked as such" 'CKA_CERTIFICATE_CATEGORY=CA' "$out"
url=$(p11 p11tool --provider "$TV_MODULE" --login --list-privkeys 2>/dev/null |
      awk '/URL:/ && /BakQ%20authentication/ { print $2; exit }')
check_match "p11tool --list-privkeys: the pkcs11: URI" '^pkcs11:.*token=BakQ%2012345678Z.*type=private' "$url"
out=$(TARJETA_DEBUG="$T/p11tool.trace" p11 p11tool --provider "$TV_MODULE" --login --test-sign "$url" 2>&1)
check_match "p11tool --test-sign: signs and verifies" 'Verifying against public key in the token\.\.\. ok' "$out"
check_match "p11tool logs in again and gets CKR_USER_ALREADY_LOGGED_IN" \
    'C_Login: .* = CKR_USER_ALREADY_LOGGED_IN' "$(cat "$T/p11tool.trace")"

# ---- the same calls against SoftHSM2 ---------------------------------------------------
# From a logged-out agent, as a fresh SoftHSM2 token: sessions start public.
check "tarjeta logout before the differential run" tv_tarjeta logout
mkdir -p "$T/softhsm/tokens"
cat >"$T/softhsm/softhsm2.conf" <<CONF
directories.tokendir = $T/softhsm/tokens
objectstore.backend = file
log.level = ERROR
CONF
export SOFTHSM2_CONF="$T/softhsm/softhsm2.conf"
(
    cd "$T/softhsm" &&
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -subj "/CN=Reference CA" -days 30 -out ca.pem &&
    openssl req -newkey rsa:2048 -nodes -keyout user.key -subj "/CN=Reference citizen" -out user.csr &&
    openssl x509 -req -in user.csr -CA ca.pem -CAkey ca.key -set_serial 7 -days 30 -out user.pem &&
    openssl x509 -in user.pem -outform DER -out user.der &&
    openssl pkcs8 -topk8 -nocrypt -in user.key -out user.p8 &&
    softhsm2-util --init-token --free --label reference --pin 12345678 --so-pin 12345678 &&
    softhsm2-util --import user.p8 --token reference --label "$AUTH_LABEL" --id 01 --pin 12345678 &&
    pkcs11-tool --module "$SOFTHSM" --token-label reference --login --pin 12345678 \
        --write-object user.der --type cert --id 01 --label "$AUTH_LABEL"
) >"$T/softhsm/setup.log" 2>&1
check "SoftHSM2 token with an equivalent credential" test -s "$T/softhsm/user.der"
p11 "$CONFORM" "$TV_MODULE" "$AUTH_LABEL" --transcript >"$T/ours.transcript" 2>&1
"$CONFORM" "$SOFTHSM" "$AUTH_LABEL" --pin 12345678 --transcript >"$T/softhsm.transcript" 2>&1
lines=$(wc -l <"$T/ours.transcript")
check "the transcript covers the calls ($lines answers)" test "$lines" -gt 100
check "same answers as SoftHSM2 wherever the standard fixes them" \
    diff -u "$T/softhsm.transcript" "$T/ours.transcript"
"$CONFORM" "$SOFTHSM" "$AUTH_LABEL" --pin 12345678 >"$T/softhsm.conform" 2>&1
echo "# SoftHSM2's own departures from the standard (not ours, for the record):"
grep '^not ok' "$T/softhsm.conform" | sed 's/^/#   /'

# ---- pkcs11-tool --test on the RSA token, memory-checked ---------------------------------
# It stops at the SHA-1 DigestInfo the service refuses (see pkcs11-tool.sh);
# up to there: no memory error, no leak of ours.
if readelf -d "$TV_MODULE" | grep -q libasan; then
    out=$(ptool --login --test 2>&1)
    check_match "pkcs11-tool --test under ASan + UBSan: only the SHA-1 refusal" \
        'C_SignFinal failed: rv = CKR_DATA_INVALID' "$out"
else
    valgrind --leak-check=full --errors-for-leak-kinds=none --log-file="$T/valgrind.log" \
        pkcs11-tool --module "$TV_MODULE" --login --test >"$T/test.out" 2>&1
    check_match "valgrind memcheck of pkcs11-tool --test (RSA): no memory error" \
        'ERROR SUMMARY: 0 errors' "$(cat "$T/valgrind.log")"
    check_no_match "  ... no leak in the module" 'tarjeta-virtual-pkcs11|[ (]tv_[a-z_]+ \(' \
        "$(awk '/ lost in loss record /{on=1} on{print} /^==[0-9]+== $/{on=0}' "$T/valgrind.log")"
fi

done_testing
