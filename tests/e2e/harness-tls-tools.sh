#!/bin/bash
# Harness self-test of the command-line TLS clients (tests/lib/clients.sh)
# against the sede, with a SoftHSM2 stand-in token behind OpenSC's
# pkcs11-spy (which records the mechanisms used): NSS tstclnt, GnuTLS
# gnutls-cli with pkcs11: URIs, curl through the libp11 engine.  The real
# chain is tested by tls-tools.sh.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/e2e.sh"
source "$TV_SRC/tests/lib/sede.sh"
source "$TV_SRC/tests/lib/clients.sh"
e2e_setup

e2e_standin_token
sede_start "$ca/ca.crt" "$ca/crl.pem"
check_eq "sede starts" 0 $? || bail "no sede"

spy() {   # NAME: spy on the stand-in token into $T/spy-NAME.log
    e2e_spy "$E2E_SOFTHSM_LIB" "$T/spy-$1.log"
}
uri="pkcs11:token=BakQ%2012345678Z;id=%01"

# NSS tstclnt
db="$T/nssdb"
spy setup
check "NSS database" e2e_nssdb "$db"
check "module registered (spied)" e2e_nss_add_module "$db" Stand-in "$E2E_SPY_LIB"
check "sede's CA trusted" e2e_nss_trust "$db" sede-ca "$SEDE_SERVER_CA" "C,,"
spy tstclnt12
page=$(e2e_tstclnt "$db" "BakQ 12345678Z:citizen" "$SEDE_PORT12" tls1.2:tls1.2 "$pin" 2>&1)
check_match "tstclnt TLS 1.2: the sede shows the citizen" 'DNI/NIE: 12345678Z<.*Protocolo: TLSv1.2' "$(echo $page)"
check_match "tstclnt TLS 1.2 signed with CKM_RSA_PKCS" '^CKM_RSA_PKCS$' "$(e2e_spy_mechanisms "$T/spy-tstclnt12.log")"
spy tstclnt13
page=$(e2e_tstclnt "$db" "BakQ 12345678Z:citizen" "$SEDE_PORT13" tls1.3:tls1.3 "$pin" 2>&1)
check_match "tstclnt TLS 1.3: the sede shows the citizen" 'DNI/NIE: 12345678Z<.*Protocolo: TLSv1.3' "$(echo $page)"
check_match "tstclnt TLS 1.3 signed with CKM_RSA_PKCS_PSS" '^CKM_RSA_PKCS_PSS$' "$(e2e_spy_mechanisms "$T/spy-tstclnt13.log")"

# GnuTLS gnutls-cli
for v in 2 3; do
    spy "gnutls1$v"
    port_var="SEDE_PORT1$v"
    page=$(e2e_gnutls "$E2E_SPY_LIB" "$uri;type=private;pin-value=$pin" "$uri;type=cert" \
        "${!port_var}" "NORMAL:-VERS-ALL:+VERS-TLS1.$v" 2>&1)
    check_match "gnutls-cli TLS 1.$v: the sede shows the citizen" \
        "DNI/NIE: 12345678Z<.*Protocolo: TLSv1.$v" "$(echo $page)"
done
check_match "gnutls-cli TLS 1.3 signed with RSA-PSS" 'CKM_RSA_PKCS_PSS' "$(e2e_spy_mechanisms "$T/spy-gnutls13.log")"

# curl through the libp11 engine
check "OpenSSL engine configuration" e2e_engine_conf "$T/openssl.cnf" "$E2E_SPY_LIB"
for v in 2 3; do
    spy "curl1$v"
    url_var="SEDE_URL1$v"
    page=$(e2e_curl_engine "$T/openssl.cnf" "$uri;pin-value=$pin" "$uri" "${!url_var}" 2>&1)
    check_match "curl (libp11 engine) TLS 1.$v: the sede shows the citizen" \
        "DNI/NIE: 12345678Z<.*Protocolo: TLSv1.$v" "$(echo $page)"
done
check_match "curl TLS 1.2 signed with CKM_RSA_PKCS" '^CKM_RSA_PKCS$' "$(e2e_spy_mechanisms "$T/spy-curl12.log")"
check_match "curl TLS 1.3 signed with CKM_RSA_PKCS_PSS" '^CKM_RSA_PKCS_PSS$' "$(e2e_spy_mechanisms "$T/spy-curl13.log")"

# A wrong PIN is refused, not hung.
page=$(e2e_tstclnt "$db" "BakQ 12345678Z:citizen" "$SEDE_PORT13" tls1.3:tls1.3 0000 2>&1)
check_no_match "tstclnt with a wrong PIN does not get in" 'DNI/NIE: 12345678Z' "$page"
done_testing
