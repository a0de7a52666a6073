#!/bin/bash
# Harness self-test of the relying party (tests/lib/sede.sh): with a
# throwaway CA and file keys, the sede shows the citizen over TLS 1.2 and
# TLS 1.3, refuses a missing, foreign or revoked certificate, and picks up a
# new CRL on reload.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/e2e.sh"
source "$TV_SRC/tests/lib/sede.sh"
e2e_setup

ca="$T/ca"
check "throwaway citizen CA" e2e_test_ca "$ca"
check "citizen certificate" e2e_test_citizen "$ca" miren 12345678Z MIREN ETXEBERRIA
check "second citizen certificate" e2e_test_citizen "$ca" jon X1234567L JON AGIRRE
check "revoke the second one" e2e_test_revoke "$ca" "$ca/jon.crt"
check "citizen certificate with a letter outside ASCII" e2e_test_citizen "$ca" goni 87654321X MIREN "GOÑI"
sede_start "$ca/ca.crt" "$ca/crl.pem"
check_eq "sede starts" 0 $? || bail "no sede"

get() {   # URL NAME [curl options]: page body (any status)
    local url=$1 n=$2
    shift 2
    curl -sS --max-time 20 --cacert "$SEDE_SERVER_CA" \
        ${n:+--cert "$ca/$n.crt" --key "$ca/$n.key"} "$@" "$url" 2>&1
}

page=$(get "$SEDE_URL12" miren)
check_match "TLS 1.2: the page names the citizen" 'Bienvenido/a: ETXEBERRIA MIREN - 12345678Z' "$page"
check_match "TLS 1.2: the page shows the DNI" 'DNI/NIE: 12345678Z<' "$page"
check_match "TLS 1.2 server speaks TLS 1.2" 'Protocolo: TLSv1.2' "$page"
page=$(get "$SEDE_URL13" miren)
check_match "TLS 1.3: the page shows the citizen" 'DNI/NIE: 12345678Z<' "$page"
check_match "TLS 1.3 server speaks TLS 1.3" 'Protocolo: TLSv1.3' "$page"
check_fails "TLS 1.3 server refuses TLS 1.2" \
    curl -sS --max-time 20 --cacert "$SEDE_SERVER_CA" --tls-max 1.2 \
    --cert "$ca/miren.crt" --key "$ca/miren.key" "$SEDE_URL13"

# nginx gives the subject in RFC 2253 form, "Ñ" as \C3\91: command-line
# clients get that raw value, browsers run the script that decodes it
# (firefox.sh and chromium.sh check the decoded name).
page=$(get "$SEDE_URL13" goni)
check_match "a letter outside ASCII: the raw RFC 2253 escapes" 'Bienvenido/a: GO\\C3\\91I MIREN - 87654321X<' "$page"
check_match "  ... and the script that decodes them for browsers" 'function rfc2253Text.*querySelectorAll' "$(echo $page)"

page=$(get "$SEDE_URL13" "" -w 'status=%{http_code}')
check_match "no certificate: refused" 'Acceso denegado.*Motivo: NONE.*status=403' "$(echo $page)"
page=$(get "$SEDE_URL12" jon -w 'status=%{http_code}')
check_match "revoked certificate: refused" 'Acceso denegado.*revoked.*status=403' "$(echo $page)"

other="$T/other"
check "a CA the sede does not know" e2e_test_ca "$other"
check "citizen certificate from it" e2e_test_citizen "$other" miren 12345678Z MIREN ETXEBERRIA
page=$(curl -sS --max-time 20 --cacert "$SEDE_SERVER_CA" --cert "$other/miren.crt" \
    --key "$other/miren.key" -w 'status=%{http_code}' "$SEDE_URL13" 2>&1)
check_match "foreign certificate: refused" 'Acceso denegado.*status=403' "$(echo $page)"

check "revoke the first citizen" e2e_test_revoke "$ca" "$ca/miren.crt"
check "sede reloads the new CRL" sede_set_crl "$ca/crl.pem"
page=$(get "$SEDE_URL13" miren -w 'status=%{http_code}')
check_match "newly revoked certificate: refused" 'Acceso denegado.*revoked.*status=403' "$(echo $page)"
check "sede stops" sede_stop
done_testing
