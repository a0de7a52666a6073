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
