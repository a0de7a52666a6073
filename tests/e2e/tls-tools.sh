#!/bin/bash
# The real chain with command-line TLS clients: our PKCS#11 module, the agent
# (scripted pinentry) and bakq-server; the sede requires a client certificate
# from the bakq-server CA.  NSS tstclnt, GnuTLS gnutls-cli with pkcs11: URIs
# and curl through the libp11 engine log in over TLS 1.2 (CKM_RSA_PKCS) and
# TLS 1.3 (CKM_RSA_PKCS_PSS, seen in the module's trace).  The first login asks
# for the password and the SMS code through the agent's prompt; later
# programs are logged in by the agent's session (NSS then calls no C_Login;
# GnuTLS's C_Login gets CKR_OK at once, no dialog).
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/e2e.sh"
source "$TV_SRC/tests/lib/sede.sh"
source "$TV_SRC/tests/lib/clients.sh"
source "$TV_SRC/tests/lib/agent.sh"
e2e_setup

e2e_real_stack
check_eq "bakq-server, agent, token and sede are up" 0 $? || bail "no stack"
export TARJETA_AUTOSTART=no
spy() { e2e_trace "$1"; }   # the module's own trace of every call
page_ok() {   # DESCRIPTION VERSION PAGE
    check_match "$1" "Bienvenido/a: $E2E_CITIZEN<.*DNI/NIE: $TV_DNI<.*Protocolo: TLSv$2.*Serie: $E2E_AUTH_SERIAL<" "$(echo $3)"
}

# NSS tstclnt
db="$T/nssdb"
check "NSS database" e2e_nssdb "$db"
check "our module registered" e2e_nss_add_module "$db" "Tarjeta virtual" "$E2E_MODULE"
check "sede's CA trusted" e2e_nss_trust "$db" sede-ca "$SEDE_SERVER_CA" "C,,"
spy tstclnt12
page=$(e2e_tstclnt "$db" "$E2E_NICK_AUTH" "$SEDE_PORT12" tls1.2:tls1.2 2>&1)
page_ok "tstclnt TLS 1.2: the sede shows the citizen" 1.2 "$page"
check_eq "tstclnt: the agent asked for the password, then the SMS code" "password sms" "$(e2e_dialogs)"
check_match "tstclnt called C_Login without a PIN (protected authentication path)" \
    'C_Login: .*pPin=NULL' "$(grep C_Login "$T/trace-tstclnt12.log")"
check_match "tstclnt TLS 1.2 signed with CKM_RSA_PKCS" '^CKM_RSA_PKCS$' "$(e2e_trace_mechanisms "tstclnt12")"
spy tstclnt13
page=$(e2e_tstclnt "$db" "$E2E_NICK_AUTH" "$SEDE_PORT13" tls1.3:tls1.3 2>&1)
page_ok "tstclnt TLS 1.3: the sede shows the citizen" 1.3 "$page"
check_match "tstclnt TLS 1.3 signed with CKM_RSA_PKCS_PSS" '^CKM_RSA_PKCS_PSS$' "$(e2e_trace_mechanisms "tstclnt13")"
check_eq "no new dialog: the agent's session is reused" "password sms" "$(e2e_dialogs)"
check_no_match "tstclnt while the agent holds a session: no C_Login (the token is logged in)" \
    'C_Login' "$(cat "$T/trace-tstclnt13.log")"

# GnuTLS gnutls-cli with pkcs11: URIs
for v in 2 3; do
    spy "gnutls1$v"
    port_var="SEDE_PORT1$v"
    page=$(e2e_gnutls "$E2E_MODULE" "$E2E_URI_AUTH;type=private" "$E2E_URI_AUTH;type=cert" \
        "${!port_var}" "NORMAL:-VERS-ALL:+VERS-TLS1.$v" 2>&1)
    page_ok "gnutls-cli TLS 1.$v: the sede shows the citizen" "1.$v" "$page"
done
check_match "gnutls-cli TLS 1.3 signed with RSA-PSS" 'CKM_RSA_PKCS_PSS' "$(e2e_trace_mechanisms "gnutls13")"
check_match "gnutls-cli's C_Login, with the agent's session held: CKR_OK" \
    'C_Login: .* = CKR_OK' "$(cat "$T/trace-gnutls12.log")"
check_eq "  ... and no dialog" "password sms" "$(e2e_dialogs)"

# curl through the libp11 engine, after `tarjeta logout`: a fresh login.
check "tarjeta logout" tv_tarjeta logout
tv_pinentry_reset
check "OpenSSL engine configuration" e2e_engine_conf "$T/openssl.cnf" "$E2E_MODULE"
for v in 2 3; do
    spy "curl1$v"
    url_var="SEDE_URL1$v"
    page=$(e2e_curl_engine "$T/openssl.cnf" "$E2E_URI_AUTH" "$E2E_URI_AUTH" "${!url_var}" 2>&1)
    page_ok "curl (libp11 engine) TLS 1.$v: the sede shows the citizen" "1.$v" "$page"
done
check_eq "curl: one login after the logout (password, SMS code)" "password sms" "$(e2e_dialogs)"
check_match "curl TLS 1.2 signed with CKM_RSA_PKCS" '^CKM_RSA_PKCS$' "$(e2e_trace_mechanisms "curl12")"
check_match "curl TLS 1.3 signed with CKM_RSA_PKCS_PSS" '^CKM_RSA_PKCS_PSS$' "$(e2e_trace_mechanisms "curl13")"

# The login cancelled in the agent's dialog: no page, and no hang.
check "tarjeta logout" tv_tarjeta logout
tv_pinentry_reset
tv_pinentry_once password cancel
page=$(e2e_tstclnt "$db" "$E2E_NICK_AUTH" "$SEDE_PORT13" tls1.3:tls1.3 2>&1)
check_no_match "tstclnt: a cancelled login does not get in" "DNI/NIE: $TV_DNI" "$page"
check_eq "only the password dialog was shown" "password" "$(e2e_dialogs)"
done_testing
