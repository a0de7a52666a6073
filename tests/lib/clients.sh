# Command-line TLS clients and signers used by the end-to-end tests, each with
# a PKCS#11 module (sourced, bash, after e2e.sh).  Every call is bounded.
#
#   e2e_tstclnt DB NICK PORT VERSIONS [PIN]     # NSS; page on stdout
#   e2e_gnutls MODULE KEY_URI CERT_URI PORT PRIORITY   # GnuTLS
#   e2e_engine_conf FILE MODULE                 # OpenSSL config loading libp11
#   e2e_curl_engine CONF KEY_URI CERT_URI URL [curl options]
#
# A PIN is only needed for tokens without a protected authentication path
# (the stand-in token of the harness self-tests); our module asks through the
# agent instead.

E2E_ENGINE_LIB=/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so
E2E_CLIENT_TIMEOUT=${E2E_CLIENT_TIMEOUT:-60}

# An HTTP request in a file: tstclnt never exits when it reads stdin.
_e2e_request() {
    printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >"$T/request.txt"
    echo "$T/request.txt"
}

e2e_tstclnt() {   # DB NICK PORT VERSIONS [PIN]
    local req
    req=$(_e2e_request)
    timeout -k 5 "$E2E_CLIENT_TIMEOUT" tstclnt -h 127.0.0.1 -p "$3" -d "sql:$1" -n "$2" \
        -V "$4" ${5:+-w "$5"} -A "$req" </dev/null
}

e2e_gnutls() {    # MODULE KEY_URI CERT_URI PORT PRIORITY
    printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' |
        timeout -k 5 "$E2E_CLIENT_TIMEOUT" gnutls-cli --provider "$1" \
            --x509cafile "$SEDE_SERVER_CA" --x509keyfile "$2" --x509certfile "$3" \
            --priority "$5" -p "$4" 127.0.0.1
}

e2e_engine_conf() {   # FILE MODULE
    cat >"$1" <<CONF
openssl_conf = tv_openssl
[tv_openssl]
engines = tv_engines
[tv_engines]
pkcs11 = tv_pkcs11
[tv_pkcs11]
engine_id = pkcs11
dynamic_path = $E2E_ENGINE_LIB
MODULE_PATH = $2
CONF
}

e2e_curl_engine() {   # CONF KEY_URI CERT_URI URL [curl options]
    local conf=$1 key=$2 cert=$3 url=$4
    shift 4
    OPENSSL_CONF=$conf timeout -k 5 "$E2E_CLIENT_TIMEOUT" curl -sS --max-time "$E2E_CLIENT_TIMEOUT" \
        --cacert "$SEDE_SERVER_CA" --engine pkcs11 --key-type ENG --key "$key" \
        --cert-type ENG --cert "$cert" "$@" "$url"
}

# --- signers -------------------------------------------------------------------
#
#   e2e_pdfsig_sign DB NICK IN OUT [PIN]   # poppler pdfsig -add-signature (NSS)
#   e2e_pdfsig_verify VDB PDF              # pdfsig's report on stdout
#   e2e_pdf_signer VDB PDF OUT_DER         # the signer's certificate, DER
#   e2e_java_cfg FILE MODULE               # SunPKCS11 configuration
#   e2e_keytool_list CFG [PIN]             # keytool -list -v of the token
#   e2e_jarsign CFG JAR OUT ALIAS [PIN]    # jarsigner through SunPKCS11
#   e2e_cms_sign CONF KEY_URI CERT IN OUT  # openssl cms -sign through libp11

# pdfsig treats a missing -nss-pwd as a cancelled login; with a protected
# authentication path the value is not used, so a dummy is passed.
e2e_pdfsig_sign() {   # DB NICK IN OUT [PIN]
    timeout -k 5 "$E2E_CLIENT_TIMEOUT" pdfsig -nssdir "sql:$1" -add-signature -nick "$2" \
        -nss-pwd "${5:-dummy}" -reason "Prueba de firma (Tarjeta virtual)" "$3" "$4" </dev/null
}

e2e_pdfsig_verify() {  # VDB PDF
    timeout -k 5 "$E2E_CLIENT_TIMEOUT" pdfsig -nssdir "sql:$1" "$2" </dev/null
}

# The end-entity certificate of the first signature (the one that is not a CA).
e2e_pdf_signer() {     # VDB PDF OUT_DER
    local d="$T/pdf-signer.$$"
    rm -rf "$d" && mkdir -p "$d" || return 1
    (cd "$d" && timeout -k 5 "$E2E_CLIENT_TIMEOUT" pdfsig -nssdir "sql:$1" -dump "$2" >/dev/null) &&
    openssl pkcs7 -inform DER -in "$d/$(basename "$2").sig0" -print_certs >"$d/certs.pem" &&
    "$E2E_PY" - "$d/certs.pem" "$d" <<'PY' || return 1
import re, sys
pems = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", open(sys.argv[1]).read(), re.S)
for n, pem in enumerate(pems):
    open("%s/cert%d.pem" % (sys.argv[2], n), "w").write(pem + "\n")
PY
    local c
    for c in "$d"/cert*.pem; do
        if ! openssl x509 -in "$c" -noout -ext basicConstraints 2>/dev/null | grep -q 'CA:TRUE'; then
            openssl x509 -in "$c" -outform DER -out "$3"
            return
        fi
    done
    return 1
}

e2e_java_cfg() {       # FILE MODULE
    printf 'name = %s\nlibrary = %s\nslotListIndex = 0\n' TarjetaE2E "$2" >"$1"
}

# With a PIN: -storepass; without: -protected (the token asks by itself).
_e2e_java_auth() { if [ -n "${1:-}" ]; then echo "-storepass $1"; else echo -protected; fi; }

e2e_keytool_list() {   # CFG [PIN]
    # shellcheck disable=SC2046
    timeout -k 5 "$E2E_CLIENT_TIMEOUT" keytool -list -v -keystore NONE -storetype PKCS11 \
        -addprovider SunPKCS11 -providerArg "$1" $(_e2e_java_auth "${2:-}") </dev/null
}

e2e_jarsign() {        # CFG JAR OUT ALIAS [PIN]
    # shellcheck disable=SC2046
    timeout -k 5 "$E2E_CLIENT_TIMEOUT" jarsigner -keystore NONE -storetype PKCS11 \
        -addprovider SunPKCS11 -providerArg "$1" $(_e2e_java_auth "${5:-}") \
        -signedjar "$3" "$2" "$4" </dev/null
}

e2e_cms_sign() {       # CONF KEY_URI CERT IN OUT
    OPENSSL_CONF=$1 timeout -k 5 "$E2E_CLIENT_TIMEOUT" openssl cms -sign -engine pkcs11 \
        -keyform engine -inkey "$2" -signer "$3" -in "$4" -binary -outform DER -out "$5" </dev/null
}
