#!/bin/bash
# BakQ lifecycle over HTTPS: registration at a service point (admin token,
# DNI, age, uniqueness), activation end to end (e-mail code, SMS initial
# password, new password, terms, first authentication -> certificates),
# Bak-only accounts, holder operations (password, contact, coordinates -> SMS),
# revocation -> CRL.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/server.sh"
tv_setup_test
tv_server_start || bail "bakq-server did not start"

ADMIN="Authorization: Bearer $BAKQ_ADMIN_TOKEN"
reg() { # DNI EMAIL PHONE [EXTRA JSON]
    tv_api POST /bakq/v1/registrations "{\"dni\":\"$1\",\"given_name\":\"Ane\",\"surname\":\"Zubia\",\"birth_date\":\"${BIRTH:-1990-03-04}\",\"email\":\"$2\",\"phone\":\"$3\"${4:-}}" -H "$ADMIN"
}

# --- registration rules ---
out=$(tv_api POST /bakq/v1/registrations '{"dni":"11111111H"}' -H 'Authorization: Bearer nope')
check_eq "registration without the admin token is 403" 403 "$(tv_status "$out")"
check_match "and says forbidden" '"bakq_reason":"forbidden"' "$out"
out=$(reg 11111111A ane@example.org +34611111111)
check_match "a bad check letter is bad_dni" '"bakq_reason":"bad_dni"' "$out"
YEAR=$(date -u +%Y)
out=$(BIRTH="$((YEAR - 15))-01-01" reg 11111111H ane@example.org +34611111111)
check_match "a 15-year-old is refused (underage)" '"bakq_reason":"underage"' "$out"
out=$(BIRTH="$((YEAR - 16))-01-01" reg 11111111H ane@example.org +34611111111 ',"second_factor":"coordinates"')
check_eq "a 16-year-old registers (201)" 201 "$(tv_status "$out")"
check_match "pending activation" '"status":"pending_activation"' "$out"
out=$(reg 11111111-h other@example.org +34622222222)
check_eq "one BakQ per DNI (409)" 409 "$(tv_status "$out")"
check_match "already_registered" '"bakq_reason":"already_registered"' "$out"
out=$(reg 22222222J ANE@example.org +34622222222)
check_match "an e-mail of another holder is refused" '"bakq_reason":"email_in_use"' "$out"
out=$(reg 22222222J ane2@example.org +34611111111)
check_match "a mobile of another holder is refused" '"bakq_reason":"phone_in_use"' "$out"
out=$(reg 22222222J ane2@example.org +34611111111 ',"allow_shared_contact":true')
check_eq "allow_shared_contact models older accounts" 201 "$(tv_status "$out")"
out=$(reg 33333333P bak@example.org +34633333333 ',"level":"bak"')
check_eq "a Bak-only account registers" 201 "$(tv_status "$out")"
out=$(reg 44444444A x@example.org +34644444444 ',"second_factor":"paper"')
check_eq "an unknown second factor is 400" 400 "$(tv_status "$out")"

# --- activation end to end (coordinates card) ---
out=$(tv_api POST /testing/v1/outbox '' -G --data-urlencode to=ane@example.org)
check_eq "outbox is GET only" 405 "$(tv_status "$(tv_api POST /testing/v1/outbox '{}')")"
MAIL=$(curl -sS --cacert "$BAKQ_CA" -G --data-urlencode to=ane@example.org "$BAKQ_URL/testing/v1/outbox")
check_eq "the registration e-mail carries a 16-position card" 16 "$(jq '.messages[0].card | length' <<<"$MAIL")"
ACODE=$(tv_outbox_code ane@example.org)
out=$(tv_api POST /csc/v2/auth/login '{}' -u 11111111H:whatever)
check_eq "not active yet: login fails" 401 "$(tv_status "$out")"
out=$(tv_api POST /bakq/v1/activation/start '{"dni":"11111111H","activation_code":"0000000000"}')
check_match "a wrong activation code is refused" '"bakq_reason":"wrong_code"' "$out"
out=$(tv_api POST /bakq/v1/activation/start "{\"dni\":\"11111111H\",\"activation_code\":\"$ACODE\"}")
check_eq "activation start" 200 "$(tv_status "$out")"
AT=$(tv_body "$out" | jq -r .activation_token)
INITIAL=$(tv_outbox_code +34611111111)
check_match "an initial password of 8 characters by SMS" '^.{8}$' "$INITIAL"
out=$(tv_api POST /csc/v2/auth/login '{}' -u "11111111H:$INITIAL")
check_match "the initial password alone gives no access (not_active)" '"bakq_reason":"not_active"' "$out"
out=$(tv_api POST /bakq/v1/activation/terms "{\"activation_token\":\"$AT\",\"accept\":true}")
check_eq "terms before the new password are refused" 400 "$(tv_status "$out")"
out=$(tv_api POST /bakq/v1/activation/password "{\"activation_token\":\"$AT\",\"initial_password\":\"$INITIAL\",\"new_password\":\"seven77\"}")
check_match "a new password of 7 characters is refused" '"bakq_reason":"password_policy"' "$out"
out=$(tv_api POST /bakq/v1/activation/password "{\"activation_token\":\"$AT\",\"initial_password\":\"$INITIAL\",\"new_password\":\"nine99999\"}")
check_match "a new password of 9 characters is refused" '"bakq_reason":"password_policy"' "$out"
out=$(tv_api POST /bakq/v1/activation/password "{\"activation_token\":\"$AT\",\"initial_password\":\"$INITIAL\",\"new_password\":\"Gorka#12\"}")
check_eq "the new password is set (204)" 204 "$(tv_status "$out")"
out=$(tv_api POST /bakq/v1/activation/terms "{\"activation_token\":\"$AT\",\"accept\":false}")
check_eq "terms must be accepted" 400 "$(tv_status "$out")"
out=$(tv_api POST /bakq/v1/activation/terms "{\"activation_token\":\"$AT\",\"accept\":true}")
check_eq "accepting the terms returns the personal data" 11111111H "$(tv_body "$out" | jq -r .dni)"
out=$(tv_api POST /bakq/v1/activation/challenge "{\"activation_token\":\"$AT\"}")
POS=$(tv_body "$out" | jq -r .challenge)
check_match "first authentication asks a coordinate" '^[A-D][1-4]$' "$POS"
VALUE=$(jq -r --arg p "$POS" '.messages[0].card[$p]' <<<"$MAIL")
out=$(tv_api POST /bakq/v1/activation/complete "{\"activation_token\":\"$AT\",\"password\":\"Gorka#12\",\"otp\":\"$VALUE\"}")
check_eq "activation completes" 200 "$(tv_status "$out")"
check_eq "two credentials issued" 2 "$(tv_body "$out" | jq '.credentialIDs | length')"
TOKEN=$(tv_login 11111111H 'Gorka#12')
check "the activated BakQ logs in" test -n "$TOKEN"
AUTHZ="Authorization: Bearer $TOKEN"
SIGN_ID=$(tv_api POST /csc/v2/credentials/list '{}' -H "$AUTHZ" | head -n1 | jq -r '.credentialIDs[1]')
tv_api POST /csc/v2/credentials/info "{\"credentialID\":\"$SIGN_ID\"}" -H "$AUTHZ" | head -n1 |
    jq -r '.cert.certificates[0]' | base64 -d >"$T/sign.der"
TEXT=$(openssl x509 -inform der -in "$T/sign.der" -noout -text)
check_match "the signature certificate has keyUsage nonRepudiation" 'Non Repudiation' "$TEXT"
check_no_match "and no extended key usage" 'Extended Key Usage' "$TEXT"
check_match "it carries a CRL distribution point" "URI:$BAKQ_URL/ca/crl" "$TEXT"
check_match "the CN is SURNAME GIVEN - DNI" 'CN = ZUBIA ANE - 11111111H' "$TEXT"

# --- Bak only ---
ACODE=$(tv_outbox_code bak@example.org)
AT=$(tv_api POST /bakq/v1/activation/start "{\"dni\":\"33333333P\",\"activation_code\":\"$ACODE\"}" | head -n1 | jq -r .activation_token)
INITIAL=$(tv_outbox_code +34633333333)
tv_api POST /bakq/v1/activation/password "{\"activation_token\":\"$AT\",\"initial_password\":\"$INITIAL\",\"new_password\":\"bakonly1\"}" >/dev/null
tv_api POST /bakq/v1/activation/terms "{\"activation_token\":\"$AT\",\"accept\":true}" >/dev/null
tv_api POST /bakq/v1/activation/challenge "{\"activation_token\":\"$AT\"}" >/dev/null
out=$(tv_api POST /bakq/v1/activation/complete "{\"activation_token\":\"$AT\",\"password\":\"bakonly1\",\"otp\":\"$(tv_outbox_code +34633333333)\"}")
check_eq "a Bak-only account activates without certificates" 0 "$(tv_body "$out" | jq '.credentialIDs | length')"
out=$(tv_api POST /csc/v2/auth/login '{}' -u 33333333P:bakonly1)
check_eq "Bak-only login to the signing service is 403" 403 "$(tv_status "$out")"
check_match "and says BakQ is needed" 'request BakQ.*"bakq_reason":"bak_only"' "$out"

# --- holder operations ---
out=$(tv_api GET /bakq/v1/account '' -H "$AUTHZ")
check_eq "account status active" active "$(tv_body "$out" | jq -r .status)"
check_eq "account shows 5 attempts left" 5 "$(tv_body "$out" | jq -r .attempts_left)"
check_eq "renewal is not due" false "$(tv_body "$out" | jq -r .renewal_due)"
out=$(tv_api POST /bakq/v1/account/password '{"old_password":"wrongpw1","new_password":"Gorka#34"}' -H "$AUTHZ")
check_match "change password with a wrong old one counts" '"attempts_left":4' "$out"
out=$(tv_api POST /bakq/v1/account/password '{"old_password":"Gorka#12","new_password":"Gorka#34"}' -H "$AUTHZ")
check_eq "change password" 204 "$(tv_status "$out")"
check "the new password logs in" test -n "$(tv_login 11111111H 'Gorka#34')"

out=$(tv_api POST /bakq/v1/account/contact '{"phone":"+34633333333"}' -H "$AUTHZ")
check_match "a mobile of another holder cannot be taken" '"bakq_reason":"phone_in_use"' "$out"
out=$(tv_api POST /bakq/v1/account/contact '{"email":"ane.new@example.org","phone":"+34655555555"}' -H "$AUTHZ")
check_eq "contact change sends a code first (202)" 202 "$(tv_status "$out")"
CODE=$(tv_outbox_code +34655555555)
check_match "the code goes to the new mobile" '^[0-9]{6}$' "$CODE"
out=$(tv_api POST /bakq/v1/account/contact "{\"email\":\"other@example.org\",\"phone\":\"+34655555555\",\"code\":\"$CODE\"}" -H "$AUTHZ")
check_match "the code is bound to the requested change" '"bakq_reason":"wrong_code"' "$out"
tv_api POST /bakq/v1/account/contact '{"email":"ane.new@example.org","phone":"+34655555555"}' -H "$AUTHZ" >/dev/null
CODE=$(tv_outbox_code +34655555555)
out=$(tv_api POST /bakq/v1/account/contact "{\"email\":\"ane.new@example.org\",\"phone\":\"+34655555555\",\"code\":\"$CODE\"}" -H "$AUTHZ")
check_eq "contact changed with the code" 204 "$(tv_status "$out")"
check_eq "account shows the new mobile" +34655555555 "$(tv_api GET /bakq/v1/account '' -H "$AUTHZ" | head -n1 | jq -r .phone)"

out=$(tv_api POST /bakq/v1/account/second-factor '{"second_factor":"sms"}' -H "$AUTHZ")
check_eq "switch coordinates -> SMS sends a code" 202 "$(tv_status "$out")"
out=$(tv_api POST /bakq/v1/account/second-factor "{\"second_factor\":\"sms\",\"code\":\"$(tv_outbox_code +34655555555)\"}" -H "$AUTHZ")
check_eq "switched to SMS" 204 "$(tv_status "$out")"
out=$(tv_api POST /csc/v2/credentials/getChallenge "{\"credentialID\":\"$SIGN_ID\"}" -H "$AUTHZ")
check_eq "challenges are SMS codes now" 204 "$(tv_status "$out")"

# --- revocation -> CRL ---
SERIAL=$(openssl x509 -inform der -in "$T/sign.der" -noout -serial | cut -d= -f2)
curl -sS --cacert "$BAKQ_CA" "$BAKQ_URL/ca/crl" -o "$T/crl0.der"
check_no_match "the CRL does not list the certificate before revocation" "$SERIAL" \
    "$(openssl crl -inform der -in "$T/crl0.der" -noout -text)"
out=$(tv_api POST /bakq/v1/account/revoke '{"password":"Gorka#34"}' -H "$AUTHZ")
check_eq "revoke (anular) is 204" 204 "$(tv_status "$out")"
curl -sS --cacert "$BAKQ_CA" "$BAKQ_URL/ca/crl" -o "$T/crl1.der"
CRL=$(openssl crl -inform der -in "$T/crl1.der" -noout -text)
check_match "the CRL lists the revoked signature certificate" "Serial Number: $SERIAL" "$CRL"
check "the CRL is signed by the CA" openssl crl -inform der -in "$T/crl1.der" -CAfile "$BAKQ_CA" -noout
out=$(tv_api POST /csc/v2/auth/login '{}' -u '11111111H:Gorka#34')
check_match "a revoked BakQ cannot log in" '"bakq_reason":"revoked"' "$out"
out=$(reg 11111111H ane.again@example.org +34666666666)
check_eq "after revocation the person may register again" 201 "$(tv_status "$out")"

curl -sS --cacert "$BAKQ_CA" "$BAKQ_URL/ca/ca.crt" -o "$T/ca.pem"
check "/ca/ca.crt serves the CA" cmp "$T/ca.pem" "$BAKQ_CA"
CA=$(openssl x509 -in "$BAKQ_CA" -noout -text)
check_match "the CA is CA:TRUE, critical" 'CA:TRUE' "$(openssl x509 -in "$BAKQ_CA" -noout -ext basicConstraints)"
check_match "basicConstraints is critical" 'Basic Constraints: critical' "$CA"
check_match "the CA signs certificates and CRLs" 'Certificate Sign, CRL Sign' "$CA"
check "the TLS certificate names 127.0.0.1 and localhost" \
    sh -c "openssl x509 -in '$BAKQ_DATA/tls.crt' -noout -ext subjectAltName | grep -q 'IP Address:127.0.0.1, DNS:localhost'"
check "server still running" kill -0 "$BAKQ_PID"
tv_server_stop
done_testing
