# Helpers for tests that need a running bakq-server (bash; source tap.sh first).
#
#   tv_server_start            (call it directly, not inside check/$(...): it exports variables)
#                              init a data directory under $T/server (idempotent) and start
#                              `bakq-server serve --testing --listen 127.0.0.1:0` in the background
#                              (tracked by tv_track); waits (bounded) for its "listening on" line.
#                              Exports BAKQ_URL (https://127.0.0.1:PORT), BAKQ_CA (the CA PEM),
#                              BAKQ_DATA (the data directory), BAKQ_ADMIN_TOKEN, BAKQ_PID.
#                              Lines in $TV_SERVER_CONFIG (if set) are appended to the server's
#                              configuration before it starts (e.g. "connection_timeout = 3").
#                              Calling it again after tv_server_stop restarts on the same data.
#   tv_server_enroll DNI [sms|coordinates] [rsa2048|p256]
#                              an active citizen (certificates issued) with password
#                              $TV_SERVER_PASSWORD (default "abcd1234"), given name "Miren",
#                              surname "Etxeberria <DNI>", born 1980-05-17, e-mail
#                              `tv_server_email DNI` (<dni in lower case>@example.org) and mobile
#                              `tv_server_phone DNI` (+346 and the 8 digits of the DNI/NIE, X/Y/Z
#                              read as 0/1/2).  Defaults: sms, rsa2048.  $TV_SERVER_SURNAME, when
#                              set, replaces the surname (e.g. one with a letter outside ASCII).
#                              The enroll output
#                              (credential ids, coordinate card) is saved in $BAKQ_DATA/enroll-DNI.txt.
#   tv_server_card DNI POS     the value at a coordinate position ("B3") of that citizen's card
#                              (from the card e-mail in the outbox).
#   tv_outbox_code TO          the code of the latest message to a phone or e-mail (SMS code,
#                              activation code, initial password, reset/confirmation code).
#   tv_server_clock OFFSET     set the server's testing clock OFFSET seconds ahead of real time
#                              (also runs the renewal-notice sweep).
#   tv_server_stop             stop the server (SIGTERM, bounded wait, then SIGKILL).
#   tv_api METHOD PATH [JSON] [CURL ARGS...]
#                              an HTTPS request to the server; prints the body, a newline and the
#                              HTTP status on the last line (tv_status / tv_body split them).
#                              JSON is sent as application/json; give "" for no body.
#   tv_login DNI [PASSWORD]    prints a bearer token from /csc/v2/auth/login.
#
# These names and behaviours are stable: other components' tests rely on them.

: "${TV_SERVER_PASSWORD:=abcd1234}"

tv_server_email() { printf '%s@example.org' "$(printf '%s' "$1" | tr 'A-Z' 'a-z')"; }

tv_server_phone() {
    local d=$1
    case $d in [XxYyZz]*) d="$(printf '%s' "${d:0:1}" | tr 'XYZxyz' '012012')${d:1}" ;; esac
    d=$(printf '%s' "$d" | tr -cd '0-9')
    printf '+346%s' "${d:0:8}"
}

tv_server_start() {
    local out line
    BAKQ_DATA="$T/server"
    export BAKQ_DATA
    "$TV_BUILD/bakq-server" init --data-dir "$BAKQ_DATA" >"$T/server-init.log" 2>&1 ||
        { cat "$T/server-init.log" >&2; return 1; }
    if [ -n "${TV_SERVER_CONFIG:-}" ]; then
        printf '%s\n' "$TV_SERVER_CONFIG" >>"$BAKQ_DATA/bakq-server.conf"
    fi
    out="$BAKQ_DATA/serve.out"
    : >"$out"
    "$TV_BUILD/bakq-server" serve --data-dir "$BAKQ_DATA" --listen 127.0.0.1:0 --testing \
        >"$out" 2>>"$BAKQ_DATA/serve.log" &
    BAKQ_PID=$!
    tv_track "$BAKQ_PID"
    if ! wait_until 30 "bakq-server listening" grep -q '^listening on ' "$out"; then
        tail -n 20 "$BAKQ_DATA/serve.log" >&2
        return 1
    fi
    line=$(grep -m1 '^listening on ' "$out")
    BAKQ_URL=${line#listening on }
    BAKQ_CA="$BAKQ_DATA/ca.crt"
    BAKQ_ADMIN_TOKEN=$(cat "$BAKQ_DATA/admin.token")
    export BAKQ_URL BAKQ_CA BAKQ_PID BAKQ_ADMIN_TOKEN
}

tv_server_stop() {
    [ -n "${BAKQ_PID:-}" ] || return 0
    kill "$BAKQ_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$BAKQ_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$BAKQ_PID" 2>/dev/null
    wait "$BAKQ_PID" 2>/dev/null
    BAKQ_PID=
    return 0
}

tv_server_enroll() {
    local dni=$1 factor=${2:-sms} key=${3:-rsa2048}
    "$TV_BUILD/bakq-server" enroll --data-dir "$BAKQ_DATA" --dni "$dni" --given-name Miren \
        --surname "${TV_SERVER_SURNAME:-Etxeberria $dni}" --birth-date 1980-05-17 --email "$(tv_server_email "$dni")" \
        --phone "$(tv_server_phone "$dni")" --second-factor "$factor" --key "$key" \
        --password "$TV_SERVER_PASSWORD" --activate >"$BAKQ_DATA/enroll-$dni.txt" 2>>"$BAKQ_DATA/enroll.log"
}

tv_api() {
    local method=$1 path=$2 json=${3:-}
    shift 2
    [ $# -gt 0 ] && shift
    if [ -n "$json" ]; then
        curl -sS --max-time 30 --cacert "$BAKQ_CA" -X "$method" -H 'Content-Type: application/json' \
            --data-binary "$json" -w '\n%{http_code}' "$@" "$BAKQ_URL$path"
    else
        curl -sS --max-time 30 --cacert "$BAKQ_CA" -X "$method" -w '\n%{http_code}' "$@" "$BAKQ_URL$path"
    fi
}

tv_status() { printf '%s' "${1##*$'\n'}"; }
tv_body() { printf '%s' "${1%$'\n'*}"; }

tv_outbox_code() {
    curl -sS --max-time 30 --cacert "$BAKQ_CA" -G --data-urlencode "to=$1" "$BAKQ_URL/testing/v1/outbox" |
        jq -r '[.messages[] | select(.code != null)] | last | .code // empty'
}

tv_server_card() {
    curl -sS --max-time 30 --cacert "$BAKQ_CA" -G --data-urlencode "to=$(tv_server_email "$1")" \
        "$BAKQ_URL/testing/v1/outbox" |
        jq -r --arg p "$2" '[.messages[] | select(.card != null)] | last | .card[$p] // empty'
}

tv_server_clock() {
    curl -sS --max-time 30 --cacert "$BAKQ_CA" -H 'Content-Type: application/json' \
        --data-binary "{\"offset_seconds\": $1}" "$BAKQ_URL/testing/v1/clock" >/dev/null
}

tv_login() {
    curl -sS --max-time 30 --cacert "$BAKQ_CA" -X POST -u "$1:${2:-$TV_SERVER_PASSWORD}" \
        "$BAKQ_URL/csc/v2/auth/login" | jq -r '.access_token // empty'
}
