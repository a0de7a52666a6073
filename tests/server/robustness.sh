#!/bin/bash
# The server survives any request: a table of bad inputs (each gets the right
# 4xx and a JSON error), slow clients (connection timeout), many concurrent
# clients; it keeps serving throughout.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/server.sh"
tv_setup_test
TV_SERVER_CONFIG="connection_timeout = 2"
tv_server_start || bail "bakq-server did not start"
check "enroll a citizen" tv_server_enroll 12345678Z
TOKEN=$(tv_login 12345678Z)
AUTHZ="Authorization: Bearer $TOKEN"
CRED=$(tv_api POST /csc/v2/credentials/list '{}' -H "$AUTHZ" | head -n1 | jq -r '.credentialIDs[0]')

# expect STATUS DESCRIPTION METHOD PATH BODY [CURL ARGS]: status and a JSON error body
expect() {
    local want=$1 desc=$2 method=$3 path=$4 body=$5 out
    shift 5
    out=$(curl -sS --max-time 20 --cacert "$BAKQ_CA" -X "$method" --data-binary "$body" -w '\n%{http_code}' \
        "$@" "$BAKQ_URL$path")
    check_eq "$desc ($want)" "$want" "$(tv_status "$out")"
    if [ "$want" -ge 400 ]; then
        check "  ... with a JSON error body" sh -c "printf '%s' \"\$1\" | jq -e '.error and .error_description' >/dev/null" _ "$(tv_body "$out")"
    fi
}
J=(-H 'Content-Type: application/json')
expect 400 "malformed JSON" POST /csc/v2/info '{"lang":' "${J[@]}"
expect 400 "a JSON array instead of an object" POST /csc/v2/info '[1,2]' "${J[@]}"
expect 400 "a bare JSON string" POST /csc/v2/info '"x"' "${J[@]}"
expect 400 "duplicate keys" POST /csc/v2/info '{"lang":"a","lang":"b"}' "${J[@]}"
expect 400 "deep nesting" POST /csc/v2/info "$(printf '%.0s[' $(seq 5000))" "${J[@]}"
expect 400 "a NUL inside a string" POST /csc/v2/info '{"lang":"a\u0000b"}' "${J[@]}"
expect 400 "invalid UTF-8" POST /csc/v2/info $'{"lang":"\xff\xfe"}' "${J[@]}"
expect 200 "unknown fields are ignored" POST /csc/v2/info '{"whatever":[1,{"a":null}],"lang":"eu"}' "${J[@]}"
expect 415 "text/plain body" POST /csc/v2/info '{}' -H 'Content-Type: text/plain'
expect 415 "form body" POST /csc/v2/info 'a=b'
expect 200 "application/json with a charset" POST /csc/v2/info '{}' -H 'Content-Type: application/json; charset=utf-8'
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/big"
expect 413 "a body over 64 KiB" POST /csc/v2/info "@$T/big" "${J[@]}"
expect 413 "a chunked body over 64 KiB" POST /csc/v2/info "@$T/big" "${J[@]}" -H 'Transfer-Encoding: chunked'
expect 404 "an unknown path" POST /csc/v2/nothing '{}' "${J[@]}"
expect 404 "testing paths are not special to the router" GET /testing/v1/nothing ''
expect 405 "GET on a POST method" GET /csc/v2/info ''
expect 405 "PUT" PUT /csc/v2/auth/login '{}' "${J[@]}"
expect 401 "no bearer token" POST /csc/v2/credentials/list '{}' "${J[@]}"
expect 401 "a garbage bearer token" POST /csc/v2/credentials/list '{}' "${J[@]}" -H "Authorization: Bearer $(head -c 3000 /dev/zero | tr '\0' a)"
expect 400 "login without Basic credentials" POST /csc/v2/auth/login '{}' "${J[@]}"
expect 400 "login with bad base64" POST /csc/v2/auth/login '{}' "${J[@]}" -H 'Authorization: Basic !!!!'
expect 400 "login without a colon" POST /csc/v2/auth/login '{}' "${J[@]}" -H "Authorization: Basic $(printf 12345678Z | base64)"
expect 400 "rememberMe of the wrong type" POST /csc/v2/auth/login '{"rememberMe":"yes"}' "${J[@]}" -u 12345678Z:abcd1234
expect 400 "credentialID of the wrong type" POST /csc/v2/credentials/info '{"credentialID":7}' "${J[@]}" -H "$AUTHZ"
expect 400 "a too long credentialID" POST /csc/v2/credentials/info "{\"credentialID\":\"$(printf '%.0sx' $(seq 100))\"}" "${J[@]}" -H "$AUTHZ"
expect 400 "certificates with a bad value" POST /csc/v2/credentials/info "{\"credentialID\":\"$CRED\",\"certificates\":\"all\"}" "${J[@]}" -H "$AUTHZ"
expect 400 "numSignatures as a string" POST /csc/v2/credentials/authorize "{\"credentialID\":\"$CRED\",\"numSignatures\":\"1\",\"authData\":[]}" "${J[@]}" -H "$AUTHZ"
expect 400 "numSignatures 0" POST /csc/v2/credentials/authorize "{\"credentialID\":\"$CRED\",\"numSignatures\":0}" "${J[@]}" -H "$AUTHZ"
expect 400 "numSignatures above multisign" POST /csc/v2/credentials/authorize "{\"credentialID\":\"$CRED\",\"numSignatures\":101}" "${J[@]}" -H "$AUTHZ"
expect 400 "authData entries of the wrong shape" POST /csc/v2/credentials/authorize "{\"credentialID\":\"$CRED\",\"authData\":[1,2]}" "${J[@]}" -H "$AUTHZ"
expect 400 "hashes with bad base64" POST /csc/v2/signatures/signHash "{\"credentialID\":\"$CRED\",\"SAD\":\"x\",\"hashes\":[\"a=b=\"],\"signAlgo\":\"1.2.840.113549.1.1.11\"}" "${J[@]}" -H "$AUTHZ"
expect 400 "hashes with URL-safe base64" POST /csc/v2/signatures/signHash "{\"credentialID\":\"$CRED\",\"SAD\":\"x\",\"hashes\":[\"____\"],\"signAlgo\":\"1.2.840.113549.1.1.11\"}" "${J[@]}" -H "$AUTHZ"
expect 400 "hashes not an array" POST /csc/v2/signatures/signHash "{\"credentialID\":\"$CRED\",\"SAD\":\"x\",\"hashes\":\"AAAA\",\"signAlgo\":\"1.2.840.113549.1.1.11\"}" "${J[@]}" -H "$AUTHZ"
expect 400 "an empty hashes array" POST /csc/v2/signatures/signHash "{\"credentialID\":\"$CRED\",\"SAD\":\"x\",\"hashes\":[],\"signAlgo\":\"1.2.840.113549.1.1.11\"}" "${J[@]}" -H "$AUTHZ"
expect 400 "a bad DNI in password reset" POST /bakq/v1/password-reset/start '{"dni":"1234"}' "${J[@]}"
expect 400 "a DNI of the wrong type" POST /bakq/v1/password-reset/start '{"dni":12345678}' "${J[@]}"
expect 403 "registration with a wrong admin token" POST /bakq/v1/registrations '{}' "${J[@]}" -H 'Authorization: Bearer x'
expect 400 "registration missing fields" POST /bakq/v1/registrations '{"dni":"12345678Z"}' "${J[@]}" -H "Authorization: Bearer $BAKQ_ADMIN_TOKEN"
expect 400 "registration with an impossible date" POST /bakq/v1/registrations '{"dni":"11111111H","given_name":"a","surname":"b","birth_date":"1990-02-30","email":"a@b.es","phone":"+34600000009"}' "${J[@]}" -H "Authorization: Bearer $BAKQ_ADMIN_TOKEN"
expect 400 "registration with a bad e-mail" POST /bakq/v1/registrations '{"dni":"11111111H","given_name":"a","surname":"b","birth_date":"1990-02-03","email":"nope","phone":"+34600000009"}' "${J[@]}" -H "Authorization: Bearer $BAKQ_ADMIN_TOKEN"
expect 400 "a bad activation token" POST /bakq/v1/activation/terms '{"activation_token":"x","accept":true}' "${J[@]}"
expect 400 "clock offset of the wrong type" POST /testing/v1/clock '{"offset_seconds":1.5}' "${J[@]}"

# --- slow clients ---
PORT=${BAKQ_URL##*:}
exec 3<>/dev/tcp/127.0.0.1/"$PORT"
printf '\x16\x03\x01' >&3                  # the start of a TLS record, then silence
exec 4<>/dev/tcp/127.0.0.1/"$PORT"         # and one that says nothing at all
out=$(tv_api POST /csc/v2/info '{}')
check_eq "the service answers while slow clients hang around" 200 "$(tv_status "$out")"
start=$(date +%s)
timeout 10 cat <&3 >/dev/null; rc3=$?
timeout 10 cat <&4 >/dev/null; rc4=$?
check_eq "a stalled TLS handshake is closed by the server" 0 "$rc3"
check_eq "a silent connection is closed by the server" 0 "$rc4"
check "within the connection timeout (2 s, a few seconds of slack)" test $(( $(date +%s) - start )) -le 8
exec 3<&- 4<&-

# --- many concurrent clients ---
for i in $(seq 60); do printf 'url = "%s/csc/v2/info"\noutput = "/dev/null"\n' "$BAKQ_URL"; done >"$T/urls"
out=$(curl -sS --max-time 60 --cacert "$BAKQ_CA" --parallel --parallel-max 60 -X POST -H 'Content-Type: application/json' \
    -d "{}" -K "$T/urls" -w '%{http_code}\n' 2>&1)
check_eq "60 concurrent clients all get 200" 60 "$(grep -c '^200$' <<<"$out")"
pids=()
for i in $(seq 20); do
    curl -sS --max-time 30 --cacert "$BAKQ_CA" -u "12345678Z:wrong$i" -X POST "$BAKQ_URL/csc/v2/auth/login" -o /dev/null &
    pids+=($!)
done
wait "${pids[@]}"
out=$(tv_api GET /bakq/v1/account '' -H "$AUTHZ")
check_eq "concurrent wrong logins block the account exactly once" blocked "$(tv_body "$out" | jq -r .status)"
check_eq "attempts_left is 0" 0 "$(tv_body "$out" | jq -r .attempts_left)"

out=$(tv_api POST /csc/v2/info '{}')
check_eq "still serving after all that" 200 "$(tv_status "$out")"
check "server still running" kill -0 "$BAKQ_PID"
check_no_match "no secret in the server log" 'abcd1234|wrong1[0-9]' "$(cat "$BAKQ_DATA/serve.log")"
tv_server_stop
done_testing
