#!/bin/bash
# CSC flow against a real bakq-server over HTTPS with SoftHSM2: login, wrong
# passwords and lockout, SMS and coordinate challenges, single-use codes and
# SADs, SCAL 1 vs SCAL 2, token revocation.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/server.sh"
tv_setup_test

tv_server_start || bail "bakq-server did not start"
check "enroll an SMS citizen" tv_server_enroll 12345678Z sms
check "enroll a coordinates citizen" tv_server_enroll X1234567L coordinates
check "enroll sets the card in enroll output" grep -q '^A ' "$BAKQ_DATA/enroll-X1234567L.txt"

SHA256=2.16.840.1.101.3.4.2.1
RSA=1.2.840.113549.1.1.1

out=$(tv_api POST /csc/v2/info '{}')
check_eq "info answers 200" 200 "$(tv_status "$out")"
check_match "info names the methods" '"signatures/signHash"' "$out"

# --- login ---
out=$(tv_api POST /csc/v2/auth/login '{}' -u 12345678Z:abcd1234)
check_eq "login with the right password" 200 "$(tv_status "$out")"
TOKEN=$(tv_body "$out" | jq -r .access_token)
check_match "login returns expires_in" '"expires_in":3600' "$out"
out=$(tv_api POST /csc/v2/auth/login '' -u 12345678-z:abcd1234)
check_eq "login normalises the DNI (case, separator) and accepts no body" 200 "$(tv_status "$out")"
out=$(tv_api POST /csc/v2/auth/login '{}' -u 12345678Z:wrongpw1)
check_eq "wrong password is 401" 401 "$(tv_status "$out")"
check_match "wrong password says attempts left" '"bakq_reason":"wrong_password".*"attempts_left":4' "$out"
out=$(tv_api POST /csc/v2/auth/login '{}' -u 87654321X:abcd1234)
check_eq "unknown DNI is 401 like a wrong password" 401 "$(tv_status "$out")"
check_no_match "unknown DNI reveals no attempts" attempts_left "$out"
out=$(tv_api POST /csc/v2/auth/login '{}' -u 12345678A:abcd1234)
check_match "bad check letter is 400 bad_dni" '"bakq_reason":"bad_dni"' "$out"

auth() { printf 'Authorization: Bearer %s' "$TOKEN"; }
out=$(tv_api POST /csc/v2/credentials/list '{"credentialInfo":true,"certificates":"chain"}' -H "$(auth)")
check_eq "credentials/list 200" 200 "$(tv_status "$out")"
AUTH_ID=$(tv_body "$out" | jq -r '.credentialIDs[0]')
SIGN_ID=$(tv_body "$out" | jq -r '.credentialIDs[1]')
check_match "authentication credential first (scal 1)" '^1$' "$(tv_body "$out" | jq -r '.credentialInfos[0].scal')"
check_match "signature credential second (scal 2)" '^2$' "$(tv_body "$out" | jq -r '.credentialInfos[1].scal')"
check_eq "chain has end-entity and CA" 2 "$(tv_body "$out" | jq -r '.credentialInfos[0].cert.certificates | length')"
check_eq "cert status valid" valid "$(tv_body "$out" | jq -r '.credentialInfos[0].cert.status')"
check_eq "OTP generator is sms" sms "$(tv_body "$out" | jq -r '.credentialInfos[0].auth.objects[1].generator')"
check_eq "phone hint is masked" '******678' "$(tv_body "$out" | jq -r '.credentialInfos[0].auth.objects[1].phone_hint')"

out=$(tv_api POST /csc/v2/credentials/info "{\"credentialID\":\"$AUTH_ID\"}" -H "$(auth)")
check_eq "info defaults to a single certificate" 1 "$(tv_body "$out" | jq -r '.cert.certificates | length')"
check_eq "RSA key, 2048 bits" "1.2.840.113549.1.1.1 2048" "$(tv_body "$out" | jq -r '"\(.key.algo[0]) \(.key.len)"')"
tv_body "$out" | jq -r '.cert.certificates[0]' | base64 -d >"$T/auth.der"
check "auth certificate subject has serialNumber IDCES-DNI" \
    sh -c "openssl x509 -inform der -in '$T/auth.der' -noout -subject | grep -q 'serialNumber = IDCES-12345678Z'"
check "auth certificate verifies against the CA for TLS client auth" \
    sh -c "openssl x509 -inform der -in '$T/auth.der' -out '$T/auth.pem' && openssl verify -CAfile '$BAKQ_CA' -purpose sslclient '$T/auth.pem'"
out=$(tv_api POST /csc/v2/credentials/info '{"credentialID":"nope"}' -H "$(auth)")
check_match "unknown credential is 400 unknown_credential" '"bakq_reason":"unknown_credential"' "$out"
out=$(tv_api POST /csc/v2/credentials/list '{}' -H 'Authorization: Bearer 0000')
check_eq "unknown bearer token is 401" 401 "$(tv_status "$out")"
check_match "unknown bearer token is invalid_token" '"error":"invalid_token"' "$out"

# --- SCAL 1: SMS code, SAD for N signatures ---
PHONE=$(tv_server_phone 12345678Z)
authorize() { # CRED OTP [EXTRA JSON]
    tv_api POST /csc/v2/credentials/authorize \
        "{\"credentialID\":\"$1\",\"authData\":[{\"id\":\"PIN\",\"value\":\"${PW:-abcd1234}\"},{\"id\":\"OTP\",\"value\":\"$2\"}]${3:-}}" \
        -H "$(auth)"
}
out=$(authorize "$AUTH_ID" 123456 ',"numSignatures":2')
check_match "authorize without a challenge is no_challenge" '"bakq_reason":"no_challenge"' "$out"
out=$(tv_api POST /csc/v2/credentials/getChallenge "{\"credentialID\":\"$AUTH_ID\"}" -H "$(auth)")
check_eq "getChallenge for SMS is 204" 204 "$(tv_status "$out")"
CODE=$(tv_outbox_code "$PHONE")
check_match "an SMS code of 6 digits went out" '^[0-9]{6}$' "$CODE"
out=$(authorize "$AUTH_ID" "$CODE" ',"numSignatures":2')
check_eq "authorize with password + SMS code" 200 "$(tv_status "$out")"
SAD=$(tv_body "$out" | jq -r .SAD)
out=$(authorize "$AUTH_ID" "$CODE" ',"numSignatures":2')
check_match "the SMS code is single use" '"bakq_reason":"otp_expired"' "$out"

HASH=$(printf 'to be signed' | openssl dgst -sha256 -binary | base64)
sign() { # CRED SAD HASHES-JSON [EXTRA]
    tv_api POST /csc/v2/signatures/signHash \
        "{\"credentialID\":\"$1\",\"SAD\":\"$2\",\"hashes\":$3,\"hashAlgorithmOID\":\"$SHA256\",\"signAlgo\":\"$RSA\"${4:-}}" \
        -H "$(auth)"
}
out=$(sign "$AUTH_ID" "$SAD" "[\"$HASH\"]")
check_eq "signHash with the SAD" 200 "$(tv_status "$out")"
tv_body "$out" | jq -r '.signatures[0]' | base64 -d >"$T/sig1"
openssl x509 -inform der -in "$T/auth.der" -noout -pubkey >"$T/auth.pub"
check "the signature verifies with the certificate's key" \
    sh -c "printf 'to be signed' | openssl dgst -sha256 -verify '$T/auth.pub' -signature '$T/sig1'"
out=$(sign "$AUTH_ID" "$SAD" "[\"$HASH\"]")
check_eq "a SCAL 1 SAD covers numSignatures signatures" 200 "$(tv_status "$out")"
out=$(sign "$AUTH_ID" "$SAD" "[\"$HASH\"]")
check_match "and no more" '"bakq_reason":"invalid_sad"' "$out"
out=$(tv_api POST /csc/v2/credentials/extendTransaction "{\"credentialID\":\"$AUTH_ID\",\"SAD\":\"$SAD\"}" -H "$(auth)")
check_eq "extendTransaction renews a used-up SCAL 1 SAD" 200 "$(tv_status "$out")"
SAD2=$(tv_body "$out" | jq -r .SAD)
out=$(sign "$AUTH_ID" "$SAD2" "[\"$HASH\",\"$HASH\"]")
check_eq "the extended SAD signs again" 200 "$(tv_status "$out")"
out=$(sign "$AUTH_ID" "$SAD" "[\"$HASH\"]")
check_match "the old SAD is dead after extendTransaction" '"bakq_reason":"invalid_sad"' "$out"
out=$(sign "$SIGN_ID" "$SAD2" "[\"$HASH\"]")
check_match "a SAD is bound to its credential" '"bakq_reason":"invalid_sad"' "$out"

# --- SCAL 2: hashes bound, single use, fresh second factor ---
tv_api POST /csc/v2/credentials/getChallenge "{\"credentialID\":\"$SIGN_ID\"}" -H "$(auth)" >/dev/null
CODE=$(tv_outbox_code "$PHONE")
out=$(authorize "$SIGN_ID" "$CODE")
check_match "SCAL 2 authorize needs hashes" 'hashes' "$out"
tv_api POST /csc/v2/credentials/getChallenge "{\"credentialID\":\"$SIGN_ID\"}" -H "$(auth)" >/dev/null
OLD=$CODE
CODE=$(tv_outbox_code "$PHONE")
check "getChallenge again sends a new code" test "$OLD" != "$CODE"
OTHER=$(printf 'something else' | openssl dgst -sha256 -binary | base64)
out=$(authorize "$SIGN_ID" "$CODE" ",\"hashes\":[\"$HASH\"],\"hashAlgorithmOID\":\"$SHA256\"")
check_eq "SCAL 2 authorize with the hash" 200 "$(tv_status "$out")"
check_eq "SCAL 2 SAD lives 300 s" 300 "$(tv_body "$out" | jq -r .expiresIn)"
SAD=$(tv_body "$out" | jq -r .SAD)
out=$(sign "$SIGN_ID" "$SAD" "[\"$OTHER\"]")
check_match "a hash not bound to the SAD is refused" '"bakq_reason":"hash_not_authorized"' "$out"
out=$(sign "$SIGN_ID" "$SAD" "[\"$HASH\"]")
check_eq "the bound hash is signed" 200 "$(tv_status "$out")"
out=$(sign "$SIGN_ID" "$SAD" "[\"$HASH\"]")
check_match "a SCAL 2 SAD is single use" '"bakq_reason":"invalid_sad"' "$out"
out=$(tv_api POST /csc/v2/credentials/extendTransaction "{\"credentialID\":\"$SIGN_ID\",\"SAD\":\"$SAD\"}" -H "$(auth)")
check_eq "extendTransaction refuses SCAL 2" 400 "$(tv_status "$out")"

# --- coordinate card ---
TOKEN=$(tv_login X1234567L)
check "coordinates citizen logs in" test -n "$TOKEN"
CRED=$(tv_api POST /csc/v2/credentials/list '{}' -H "$(auth)" | head -n1 | jq -r '.credentialIDs[0]')
out=$(tv_api POST /csc/v2/credentials/getChallenge "{\"credentialID\":\"$CRED\"}" -H "$(auth)")
check_eq "getChallenge for coordinates is 200" 200 "$(tv_status "$out")"
POS=$(tv_body "$out" | jq -r .challenge)
check_match "it asks a position A1..D4" '^[A-D][1-4]$' "$POS"
out=$(tv_api POST /csc/v2/credentials/sendOTP "{\"credentialID\":\"$CRED\"}" -H "$(auth)")
check_eq "sendOTP is refused for coordinate cards" 400 "$(tv_status "$out")"
VALUE=$(tv_server_card X1234567L "$POS")
check_match "the card e-mail carries the value" '^[0-9]{3}$' "$VALUE"
WRONG=$(printf '%03d' $(( (10#$VALUE + 1) % 1000 )))
out=$(authorize "$CRED" "$WRONG" ',"numSignatures":1')
check_match "a wrong coordinate is invalid_otp" '"error":"invalid_otp".*"attempts_left":4' "$out"
out=$(authorize "$CRED" "$VALUE" ',"numSignatures":1')
check_eq "the right coordinate authorizes" 200 "$(tv_status "$out")"

# --- lockout at 5 and unblock by reset ---
for i in 1 2 3 4; do out=$(tv_api POST /csc/v2/auth/login '{}' -u 12345678Z:badpass$i); done
check_match "a successful authorize reset the counter: 4 failures leave 1" '"attempts_left":1' "$out"
out=$(tv_api POST /csc/v2/auth/login '{}' -u 12345678Z:badpass5)
check_eq "the fifth failure blocks at once" 403 "$(tv_status "$out")"
out=$(tv_api POST /csc/v2/auth/login '{}' -u 12345678Z:abcd1234)
check_eq "a blocked account refuses even the right password" 403 "$(tv_status "$out")"
check_match "blocked says so" '"bakq_reason":"blocked"' "$out"
out=$(tv_api POST /bakq/v1/password-reset/start '{"dni":"12345678Z"}')
check_eq "password reset start is 204" 204 "$(tv_status "$out")"
RESET=$(tv_outbox_code "$PHONE")
out=$(tv_api POST /bakq/v1/password-reset/complete "{\"dni\":\"12345678Z\",\"code\":\"000000x\",\"new_password\":\"newpass1\"}")
check_match "a wrong reset code is refused" '"bakq_reason":"wrong_code"' "$out"
out=$(tv_api POST /bakq/v1/password-reset/complete "{\"dni\":\"12345678Z\",\"code\":\"$RESET\",\"new_password\":\"short\"}")
check_match "reset enforces the password policy" '"bakq_reason":"password_policy"' "$out"
out=$(tv_api POST /bakq/v1/password-reset/complete "{\"dni\":\"12345678Z\",\"code\":\"$RESET\",\"new_password\":\"newpass1\"}")
check_eq "reset with the SMS code unblocks" 204 "$(tv_status "$out")"
check "login works with the new password" test -n "$(tv_login 12345678Z newpass1)"
out=$(tv_api POST /bakq/v1/password-reset/start '{"dni":"00000000T"}')
check_eq "reset start answers the same for unknown DNIs" 204 "$(tv_status "$out")"

# a wrong second factor counts too
TOKEN=$(tv_login 12345678Z newpass1)
for i in 1 2 3 4; do
    tv_api POST /csc/v2/credentials/getChallenge "{\"credentialID\":\"$AUTH_ID\"}" -H "$(auth)" >/dev/null
    out=$(PW=newpass1 authorize "$AUTH_ID" 000000 ',"numSignatures":1')
done
check_match "4 wrong SMS codes leave 1 attempt" '"attempts_left":1' "$out"
out=$(PW=wrongpw9 authorize "$AUTH_ID" 000000 ',"numSignatures":1')
check_eq "the fifth failure (a password) blocks" 403 "$(tv_status "$out")"
check_match "and says blocked" '"bakq_reason":"blocked"' "$out"

# --- token revocation ---
TOKEN=$(tv_login X1234567L)
out=$(tv_api POST /csc/v2/auth/revoke '{}' -H "$(auth)")
check_eq "auth/revoke is 204" 204 "$(tv_status "$out")"
out=$(tv_api POST /csc/v2/credentials/list '{}' -H "$(auth)")
check_eq "a revoked token is refused" 401 "$(tv_status "$out")"

check "server still running" kill -0 "$BAKQ_PID"
tv_server_stop
done_testing
