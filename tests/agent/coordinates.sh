#!/bin/bash
# A citizen with a coordinate card and a P-256 key: the coordinate dialog
# shows the position asked, a wrong value is asked again, every ECDSA
# mechanism returns raw r||s that verifies, and the signature credential asks
# the coordinate in its confirmation.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/agent.sh"
tv_setup_test
TV_DNI=X1234567L tv_agent_stack coordinates p256 || bail "agent stack did not start"
client() { tv_agent_client "$@"; }

tv_pinentry_once coordinate wrong
check "login with password + coordinate (after one wrong value)" client login
log=$(cat "$TV_PINENTRY_LOG")
check_match "the coordinate dialog names the position" 'OPTION tarjeta-position=[A-D][1-4]' "$log"
check_match "its description asks the value at that position" \
    'SETDESC .*Enter the 3-digit value at position [A-D][1-4] of your BakQ coordinate card' "$log"
check_match "after the wrong value: attempts left" \
    'SETERROR Wrong SMS code or coordinate value: [0-9] attempts? left' "$log"
check_no_match "no SMS dialog for a coordinate card" 'kind=sms' "$log"

out=$(client snapshot)
check_match "NIE identity, EC 256-bit keys" '"dni": "X1234567L".*"key_type": 1, "bits": 256' "$out"
for mech in ECDSA ECDSA_SHA256 ECDSA_SHA384 ECDSA_SHA512; do
    check "authentication credential, $mech: raw r||s verifies" client sign --usage 1 --mech "$mech"
done
check "ECDSA_SHA384 with a digest from the module" client sign --usage 1 --mech ECDSA_SHA384 --kind 1
out=$(client sign --usage 1 --mech SHA256_RSA_PKCS)
check_match "RSA mechanism on an EC key: TV_ERR_MECHANISM (-33)" '-33' "$out"
check "50 concurrent ECDSA clients" client sign --usage 1 --mech ECDSA_SHA256 --clients 50

check "signature credential with a coordinate in the confirmation" client sign --usage 2 --mech ECDSA_SHA256
check_match "the confirmation asks the coordinate" \
    'OPTION tarjeta-second-factor=coordinates' "$(cat "$TV_PINENTRY_LOG")"
done_testing
