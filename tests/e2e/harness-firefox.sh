#!/bin/bash
# Harness self-test of the Firefox automation (tests/lib/marionette.py): a
# SoftHSM2 stand-in token registered in the profile's security-module
# database, the certificate chosen automatically, the token's password box
# answered by typing into the window (Xvfb + xdotool), the sede's page read
# back over TLS 1.2 (the sede allows only RSA PKCS#1 v1.5 client signatures
# there) and TLS 1.3 (where RSA client signatures can only be RSA-PSS).  The real chain
# (our module, agent and bakq-server) is tested by firefox.sh.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/e2e.sh"
source "$TV_SRC/tests/lib/sede.sh"
e2e_setup

e2e_standin_token
sede_start "$ca/ca.crt" "$ca/crl.pem"
check_eq "sede starts" 0 $? || bail "no sede"
e2e_xvfb
check_eq "Xvfb starts" 0 $? || bail "no X server"

profile="$T/firefox"
check "Firefox profile" e2e_firefox_profile "$profile"
check "token module in the profile" e2e_nss_add_module "$profile" "Stand-in" "$E2E_SOFTHSM_LIB"
check "sede's CA trusted" e2e_nss_trust "$profile" sede-ca "$SEDE_SERVER_CA" "C,,"

out="$T/firefox.out"
check "Firefox loads both pages" e2e_firefox "$profile" "$out" --type-pin 4321 \
    "open:$SEDE_URL12" "open:$SEDE_URL13"
p12=$(sed -n 1p "$out")
p13=$(sed -n 2p "$out")
check_match "TLS 1.2: the PIN was typed into Firefox's box" '"pin_typed": [12]' "$p12"
check_match "TLS 1.2: page names the citizen" 'Bienvenido/a: ETXEBERRIA MIREN - 12345678Z' "$p12"
check_match "TLS 1.2: page shows the DNI and TLS 1.2" 'DNI/NIE: 12345678Z.*Protocolo: TLSv1.2' "$p12"
check_match "TLS 1.3: page shows the DNI and TLS 1.3" 'DNI/NIE: 12345678Z.*Protocolo: TLSv1.3' "$p13"
check_match "TLS 1.3: no second password box" '"pin_typed": 0' "$p13"
done_testing
