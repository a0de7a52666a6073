#!/bin/bash
# Time-dependent rules with the testing clock: code, token and SAD lifetimes,
# the renewal window and notice, renewal (new certificates, coordinates ->
# SMS, a mobile shared with another holder), expiry and registering again.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/server.sh"
tv_setup_test
tv_server_start || bail "bakq-server did not start"
DAY=86400

check "enroll a coordinates citizen" tv_server_enroll 12345678Z coordinates
check "enroll a citizen who will expire" tv_server_enroll 00000023T sms
enroll_phone() { # DNI EMAIL PHONE
    "$TV_BUILD/bakq-server" enroll --data-dir "$BAKQ_DATA" --dni "$1" --given-name Itziar --surname Lasa \
        --birth-date 1970-01-01 --email "$2" --phone "$3" --second-factor sms --password abcd1234 \
        --activate --allow-shared-contact
}
check "two holders share a mobile (keep case)" enroll_phone 11111111H c@example.org +34677777777
check "  the other holder" enroll_phone 22222222J d@example.org +34677777777
check "two holders share a mobile (change case)" enroll_phone 33333333P e@example.org +34688888888
check "  the other holder" enroll_phone 44444444A f@example.org +34688888888

# --- lifetimes ---
TOKEN=$(tv_login 00000023T)
AUTHZ="Authorization: Bearer $TOKEN"
CRED=$(tv_api POST /csc/v2/credentials/list '{}' -H "$AUTHZ" | head -n1 | jq -r '.credentialIDs[0]')
tv_api POST /csc/v2/credentials/getChallenge "{\"credentialID\":\"$CRED\"}" -H "$AUTHZ" >/dev/null
CODE=$(tv_outbox_code "$(tv_server_phone 00000023T)")
tv_server_clock 301
out=$(tv_api POST /csc/v2/credentials/authorize "{\"credentialID\":\"$CRED\",\"numSignatures\":1,\"authData\":[{\"id\":\"PIN\",\"value\":\"abcd1234\"},{\"id\":\"OTP\",\"value\":\"$CODE\"}]}" -H "$AUTHZ")
check_match "an SMS code older than 5 minutes is refused" '"bakq_reason":"otp_expired"' "$out"
tv_server_clock 3601
out=$(tv_api POST /csc/v2/credentials/list '{}' -H "$AUTHZ")
check_eq "a bearer token expires after an hour" 401 "$(tv_status "$out")"
check_match "expired_token" '"error":"expired_token"' "$out"
out=$(tv_api GET /testing/v1/clock)
check_eq "the clock reports its offset" 3601 "$(tv_body "$out" | jq -r .offset_seconds)"

# --- renewal window and notice ---
TOKEN=$(tv_login 12345678Z)
AUTHZ="Authorization: Bearer $TOKEN"
out=$(tv_api POST /bakq/v1/account/renew '{}' -H "$AUTHZ")
check_match "renewal long before expiry is refused" '"bakq_reason":"renewal_not_due"' "$out"
tv_server_clock $((1825 * DAY - 31 * DAY))
check_eq "no notice at 31 days" 0 "$(curl -sS --cacert "$BAKQ_CA" -G --data-urlencode to=12345678z@example.org "$BAKQ_URL/testing/v1/outbox" | jq '[.messages[] | select(.subject | test("renovacion"))] | length')"
tv_server_clock $((1825 * DAY - 20 * DAY))
check_eq "a renewal notice is e-mailed within 30 days" 1 "$(curl -sS --cacert "$BAKQ_CA" -G --data-urlencode to=12345678z@example.org "$BAKQ_URL/testing/v1/outbox" | jq '[.messages[] | select(.subject | test("renovacion"))] | length')"
tv_server_clock $((1825 * DAY - 19 * DAY))
check_eq "only once" 1 "$(curl -sS --cacert "$BAKQ_CA" -G --data-urlencode to=12345678z@example.org "$BAKQ_URL/testing/v1/outbox" | jq '[.messages[] | select(.subject | test("renovacion"))] | length')"
TOKEN=$(tv_login 12345678Z)
AUTHZ="Authorization: Bearer $TOKEN"
out=$(tv_api GET /bakq/v1/account '' -H "$AUTHZ")
check_eq "account says renewal_due" true "$(tv_body "$out" | jq -r .renewal_due)"
check_match "days_to_expiry is 19 or less" '^(1[0-9]|[0-9])$' "$(tv_body "$out" | jq -r .days_to_expiry)"
OLD=$(tv_api POST /csc/v2/credentials/list '{}' -H "$AUTHZ" | head -n1 | jq -r '.credentialIDs[0]')
out=$(tv_api POST /bakq/v1/account/renew '{}' -H "$AUTHZ")
check_eq "renewal within 30 days" 200 "$(tv_status "$out")"
out=$(tv_api GET /bakq/v1/account '' -H "$AUTHZ")
check_eq "renewal replaces coordinates by SMS" sms "$(tv_body "$out" | jq -r .second_factor)"
check_eq "renewal_due is over" false "$(tv_body "$out" | jq -r .renewal_due)"
NEW=$(tv_api POST /csc/v2/credentials/list '{}' -H "$AUTHZ" | head -n1 | jq -r '.credentialIDs[0]')
check "renewal issues new credentials" test "$OLD" != "$NEW"
curl -sS --cacert "$BAKQ_CA" "$BAKQ_URL/ca/crl" -o "$T/crl.der"
check_eq "the old certificates are revoked in the CRL" 2 \
    "$(openssl crl -inform der -in "$T/crl.der" -noout -text | grep -c 'Serial Number')"

# --- a mobile shared with another holder ---
TOKEN=$(tv_login 11111111H)
AUTHZ="Authorization: Bearer $TOKEN"
out=$(tv_api POST /bakq/v1/account/renew '{}' -H "$AUTHZ")
check_match "a shared mobile must be resolved (409 phone_in_use)" '"bakq_reason":"phone_in_use"' "$out"
out=$(tv_api POST /bakq/v1/account/renew '{"phone_conflict":"keep"}' -H "$AUTHZ")
check_eq "keep: a code is sent to the mobile (202)" 202 "$(tv_status "$out")"
out=$(tv_api POST /bakq/v1/account/renew "{\"phone_conflict\":\"keep\",\"code\":\"$(tv_outbox_code +34677777777)\"}" -H "$AUTHZ")
check_eq "keep with the code renews" 200 "$(tv_status "$out")"
out=$(tv_api POST /csc/v2/auth/login '{}' -u 22222222J:abcd1234)
check_match "the other holder's BakQ is revoked" '"bakq_reason":"revoked"' "$out"
check_match "and they are e-mailed" 'revocada' "$(curl -sS --cacert "$BAKQ_CA" -G --data-urlencode to=d@example.org "$BAKQ_URL/testing/v1/outbox")"

TOKEN=$(tv_login 33333333P)
AUTHZ="Authorization: Bearer $TOKEN"
out=$(tv_api POST /bakq/v1/account/renew '{"phone_conflict":"change","phone":"+34688888888"}' -H "$AUTHZ")
check_match "change to a number still shared is refused" '"bakq_reason":"phone_in_use"' "$out"
out=$(tv_api POST /bakq/v1/account/renew '{"phone_conflict":"change","phone":"+34699999999"}' -H "$AUTHZ")
check_eq "change: a code goes to the new mobile (202)" 202 "$(tv_status "$out")"
out=$(tv_api POST /bakq/v1/account/renew "{\"phone_conflict\":\"change\",\"phone\":\"+34699999999\",\"code\":\"$(tv_outbox_code +34699999999)\"}" -H "$AUTHZ")
check_eq "change with the code renews" 200 "$(tv_status "$out")"
check_eq "the mobile changed" +34699999999 "$(tv_api GET /bakq/v1/account '' -H "$AUTHZ" | head -n1 | jq -r .phone)"
check "the other holder keeps their BakQ" test -n "$(tv_login 44444444A)"

# --- expiry ---
tv_server_clock $((1825 * DAY + DAY))
out=$(tv_api POST /csc/v2/auth/login '{}' -u 00000023T:abcd1234)
check_eq "an expired BakQ cannot log in (403)" 403 "$(tv_status "$out")"
check_match "and says expired" '"bakq_reason":"expired"' "$out"
check "a renewed BakQ still logs in" test -n "$(tv_login 12345678Z)"
out=$(tv_api POST /bakq/v1/registrations "{\"dni\":\"00000023T\",\"given_name\":\"Jon\",\"surname\":\"Ruiz\",\"birth_date\":\"1980-01-01\",\"email\":\"$(tv_server_email 00000023T)\",\"phone\":\"$(tv_server_phone 00000023T)\"}" -H "Authorization: Bearer $BAKQ_ADMIN_TOKEN")
check_eq "an expired holder registers again (201)" 201 "$(tv_status "$out")"
check "server still running" kill -0 "$BAKQ_PID"
tv_server_stop
done_testing
