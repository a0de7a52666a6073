# The relying party of the end-to-end tests: a "sede electrónica" served by
# nginx on 127.0.0.1 (sourced, bash; needs tap.sh and e2e.sh first).
#
#   sede_start CLIENT_CA CRL     # nginx under $T/sede, as the current user
#   curl --cacert "$SEDE_SERVER_CA" "$SEDE_URL12"   # TLS 1.2 server
#   "$SEDE_URL13"                                   # TLS 1.3 server
#   sede_set_crl NEW_CRL         # e.g. after a revocation; reloads nginx
#
# Both servers require a client certificate issued by CLIENT_CA (PEM) and
# check it against CRL (DER or PEM).  The sede's own TLS certificate comes from
# a separate CA ($SEDE_SERVER_CA), as for a real third-party site; clients
# must trust it.  The page (/) shows the citizen's name and DNI/NIE from the
# certificate subject, the TLS version and the verification result; a refused
# certificate gets 403 "Acceso denegado" with the reason.

SEDE_DIR=
SEDE_PID=
SEDE_PORT12=
SEDE_PORT13=
SEDE_URL12=
SEDE_URL13=
SEDE_SERVER_CA=

# _sede_server_cert DIR: a CA and a certificate for 127.0.0.1 signed by it.
_sede_server_cert() {
    local d=$1
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$d/server-ca.key" -out "$d/server-ca.crt" -days 30 \
        -subj "/C=ES/O=Sede de prueba/CN=Sede Test Server CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || return 1
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$d/server.key" -out "$d/server.csr" \
        -subj "/C=ES/O=Sede de prueba/CN=127.0.0.1" 2>/dev/null || return 1
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
        "basicConstraints=critical,CA:FALSE" >"$d/server.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/server-ca.crt" -CAkey "$d/server-ca.key" \
        -CAcreateserial -days 30 -extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null
}

# _sede_crl_pem IN OUT: a CRL in DER or PEM, written as PEM.
_sede_crl_pem() {
    openssl crl -in "$1" -inform DER -out "$2" 2>/dev/null ||
        openssl crl -in "$1" -inform PEM -out "$2" 2>/dev/null
}

_sede_write_conf() {
    local user_line=""
    [ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
    sed -e "s|@DIR@|$SEDE_DIR|g" -e "s|@CLIENT_CA@|$SEDE_DIR/client-ca.pem|g" \
        -e "s|@PORT12@|$SEDE_PORT12|g" -e "s|@PORT13@|$SEDE_PORT13|g" \
        -e "s|@USER_LINE@|$user_line|" \
        "$TV_SRC/tests/e2e/sede/nginx.conf.in" >"$SEDE_DIR/nginx.conf"
    cp "$TV_SRC/tests/e2e/sede/site.conf" "$SEDE_DIR/site.conf"
}

_sede_listening() {
    (exec 3<>"/dev/tcp/127.0.0.1/$SEDE_PORT12") 2>/dev/null &&
        (exec 3<>"/dev/tcp/127.0.0.1/$SEDE_PORT13") 2>/dev/null
}

# Listening, or gone (then there is no point in waiting).
_sede_settled() { _sede_listening || ! kill -0 "$SEDE_PID" 2>/dev/null; }

# sede_start CLIENT_CA CRL: start nginx; sets SEDE_URL12, SEDE_URL13, ...
sede_start() {
    local client_ca=$1 crl=$2 try
    SEDE_DIR="$T/sede"
    mkdir -p "$SEDE_DIR/tmp"
    SEDE_SERVER_CA="$SEDE_DIR/server-ca.crt"
    _sede_server_cert "$SEDE_DIR" || { echo "# sede: cannot make its TLS certificate"; return 1; }
    cp "$client_ca" "$SEDE_DIR/client-ca.pem"
    _sede_crl_pem "$crl" "$SEDE_DIR/crl.pem" || { echo "# sede: unreadable CRL $crl"; return 1; }
    for try in 1 2 3; do      # a free port can be taken by a parallel test meanwhile
        SEDE_PORT12=$(tv_free_port) && SEDE_PORT13=$(tv_free_port) || return 1
        _sede_write_conf
        nginx -e "$SEDE_DIR/error.log" -p "$SEDE_DIR" -c "$SEDE_DIR/nginx.conf" \
            >>"$SEDE_DIR/nginx.out" 2>&1 &
        SEDE_PID=$!
        tv_track "$SEDE_PID"
        wait_until 10 "nginx listening" _sede_settled
        if kill -0 "$SEDE_PID" 2>/dev/null && _sede_listening; then
            SEDE_URL12="https://127.0.0.1:$SEDE_PORT12/"
            SEDE_URL13="https://127.0.0.1:$SEDE_PORT13/"
            return 0
        fi
        kill "$SEDE_PID" 2>/dev/null
        wait "$SEDE_PID" 2>/dev/null
    done
    echo "# sede: nginx did not start:"
    sed 's/^/#   /' "$SEDE_DIR/nginx.out" "$SEDE_DIR/error.log" 2>/dev/null | tail -n 20
    return 1
}

_sede_workers() { pgrep -P "$SEDE_PID" | sort; }

# _sede_reloaded OLD_WORKERS: the old workers are gone and a new one runs.
_sede_reloaded() {
    local now
    now=$(_sede_workers)
    [ -n "$now" ] && [ -z "$(comm -12 <(printf '%s\n' "$1") <(printf '%s\n' "$now"))" ]
}

# sede_set_crl CRL: install a new CRL and reload nginx (bounded).
sede_set_crl() {
    local old
    _sede_crl_pem "$1" "$SEDE_DIR/crl.pem" || { echo "# sede: unreadable CRL $1"; return 1; }
    old=$(_sede_workers)
    kill -HUP "$SEDE_PID" || return 1
    wait_until 15 "nginx reloaded its configuration" _sede_reloaded "$old"
}

# sede_stop: stop nginx now (tv_cleanup does it otherwise).
sede_stop() {
    [ -n "$SEDE_PID" ] || return 0
    kill "$SEDE_PID" 2>/dev/null
    wait_until 10 "nginx stopped" bash -c "! kill -0 $SEDE_PID"
}
