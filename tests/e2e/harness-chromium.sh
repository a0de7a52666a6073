#!/bin/bash
# Harness self-test of the Chromium automation (tests/lib/cdp.py): Chromium
# in a window under Xvfb, a SoftHSM2 stand-in token in $HOME/.pki/nssdb, the
# certificate chosen by the AutoSelectCertificateForUrls policy (a uniquely
# named file in /etc/chromium/policies/managed, removed at the end), the
# "Unlock Security Device" box answered with xdotool, the sede's page read
# through the DevTools protocol over TLS 1.3 and TLS 1.2.  The real chain is
# tested by chromium.sh.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/e2e.sh"
source "$TV_SRC/tests/lib/sede.sh"
e2e_setup

e2e_standin_token
sede_start "$ca/ca.crt" "$ca/crl.pem"
check_eq "sede starts" 0 $? || bail "no sede"
e2e_xvfb
check_eq "Xvfb starts" 0 $? || bail "no X server"

db="$HOME/.pki/nssdb"
check "NSS database in \$HOME/.pki/nssdb" e2e_nssdb "$db"
check "token module registered" e2e_nss_add_module "$db" Stand-in "$E2E_SOFTHSM_LIB"
check "sede's CA trusted" e2e_nss_trust "$db" sede-ca "$SEDE_SERVER_CA" "C,,"
e2e_chromium_autoselect "Harness Citizen CA"
check_eq "AutoSelectCertificateForUrls policy" 0 $?

out="$T/chromium.out"
check "Chromium loads both pages" e2e_chromium "$out" --type-pin 4321 \
    "open:$SEDE_URL13" "open:$SEDE_URL12"
p13=$(sed -n 1p "$out")
p12=$(sed -n 2p "$out")
check_match "TLS 1.3: one Unlock Security Device box, answered" '"pin_boxes": 1' "$p13"
check_match "TLS 1.3: page names the citizen" 'Bienvenido/a: ETXEBERRIA MIREN - 12345678Z' "$p13"
check_match "TLS 1.3: page shows the DNI and TLS 1.3" 'DNI/NIE: 12345678Z.*Protocolo: TLSv1.3' "$p13"
check_match "TLS 1.2: page shows the DNI and TLS 1.2" 'DNI/NIE: 12345678Z.*Protocolo: TLSv1.2' "$p12"
check_match "TLS 1.2: no second box" '"pin_boxes": 0' "$p12"
done_testing
