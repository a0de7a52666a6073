#!/bin/bash
# signatures/signHash for every algorithm, each signature verified with
# OpenSSL against the issued certificate; SHA-1 and mismatches refused.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/../lib/server.sh"
tv_setup_test
tv_server_start || bail "bakq-server did not start"
check "enroll an RSA-2048 citizen" tv_server_enroll 12345678Z sms rsa2048
check "enroll a P-256 citizen" tv_server_enroll X1234567L sms p256
printf 'document to sign\n' >"$T/msg"

# session DNI: sets AUTHZ, CRED (authentication credential), SAD (50 signatures), PUB
session() {
    local token out
    token=$(tv_login "$1")
    AUTHZ="Authorization: Bearer $token"
    out=$(tv_api POST /csc/v2/credentials/list '{"credentialInfo":true}' -H "$AUTHZ")
    CRED=$(tv_body "$out" | jq -r '.credentialIDs[0]')
    tv_body "$out" | jq -r '.credentialInfos[0].cert.certificates[0]' | base64 -d |
        openssl x509 -inform der -noout -pubkey >"$T/$1.pub"
    PUB="$T/$1.pub"
    tv_api POST /csc/v2/credentials/getChallenge "{\"credentialID\":\"$CRED\"}" -H "$AUTHZ" >/dev/null
    SAD=$(tv_api POST /csc/v2/credentials/authorize "{\"credentialID\":\"$CRED\",\"numSignatures\":50,\"authData\":[{\"id\":\"PIN\",\"value\":\"abcd1234\"},{\"id\":\"OTP\",\"value\":\"$(tv_outbox_code "$(tv_server_phone "$1")")\"}]}" -H "$AUTHZ" | head -n1 | jq -r .SAD)
}
# sign HASHNAME EXTRA-JSON: signs the message's hash; the signature in $T/sig
sign() {
    local hash out
    hash=$(openssl dgst -"$1" -binary "$T/msg" | base64 -w0)
    out=$(tv_api POST /csc/v2/signatures/signHash "{\"credentialID\":\"$CRED\",\"SAD\":\"$SAD\",\"hashes\":[\"$hash\"]$2}" -H "$AUTHZ")
    tv_body "$out" | jq -r '.signatures[0] // empty' | base64 -d >"$T/sig"
    printf '%s' "$out"
}
verify() { openssl dgst -"$1" -verify "$PUB" -signature "$T/sig" "${@:2}" "$T/msg"; }
oid() { case $1 in sha256) echo 2.16.840.1.101.3.4.2.1 ;; sha384) echo 2.16.840.1.101.3.4.2.2 ;; sha512) echo 2.16.840.1.101.3.4.2.3 ;; esac; }
# DER RSASSA-PSS-params with hash = MGF1 hash = h, salt = s bytes
pss_params() {
    local n=$1 s=$2
    printf "3034a00f300d06096086480165030402%02x0500a11c301a06092a864886f70d010108300d06096086480165030402%02x0500a2030201%02x" \
        "$n" "$n" "$s" | xxd -r -p | base64 -w0
}

session 12345678Z
for h in sha256 sha384 sha512; do
    sign $h ",\"hashAlgorithmOID\":\"$(oid $h)\",\"signAlgo\":\"1.2.840.113549.1.1.1\"" >/dev/null
    check "RSA PKCS#1 v1.5 (rsaEncryption + $h) verifies" verify $h
done
n=11
for h in sha256 sha384 sha512; do
    sign $h ",\"signAlgo\":\"1.2.840.113549.1.1.$n\"" >/dev/null
    check "${h}WithRSAEncryption (1.2.840.113549.1.1.$n) verifies" verify $h
    n=$((n + 1))
done
i=1
for h in sha256 sha384 sha512; do
    len=$(( ${h#sha} / 8 ))
    sign $h ",\"signAlgo\":\"1.2.840.113549.1.1.10\",\"signAlgoParams\":\"$(pss_params $i $len)\"" >/dev/null
    check "RSASSA-PSS with $h, MGF1-$h, salt $len verifies" verify $h -sigopt rsa_padding_mode:pss \
        -sigopt rsa_pss_saltlen:$len -sigopt rsa_mgf1_md:$h
    i=$((i + 1))
done
sign sha256 ",\"signAlgo\":\"1.2.840.113549.1.1.10\",\"signAlgoParams\":\"$(pss_params 1 0)\"" >/dev/null
check "RSASSA-PSS with salt 0 verifies" verify sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:0
sign sha256 ",\"signAlgo\":\"1.2.840.113549.1.1.10\",\"hashAlgorithmOID\":\"$(oid sha256)\"" >/dev/null
check "RSASSA-PSS without params uses the hash, MGF1 and salt = hash length" verify sha256 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32

out=$(sign sha1 ",\"hashAlgorithmOID\":\"1.3.14.3.2.26\",\"signAlgo\":\"1.2.840.113549.1.1.1\"")
check_match "SHA-1 as hashAlgorithmOID is refused" '"bakq_reason":"unsupported_algorithm"' "$out"
out=$(sign sha1 ",\"signAlgo\":\"1.2.840.113549.1.1.5\"")
check_match "sha1WithRSAEncryption is refused" '"bakq_reason":"unsupported_algorithm"' "$out"
out=$(sign sha256 ",\"signAlgo\":\"1.2.840.113549.1.1.10\",\"signAlgoParams\":\"MAA=\"")
check_match "PSS with default (SHA-1) params is refused" '"bakq_reason":"unsupported_algorithm"' "$out"
out=$(sign sha256 ",\"signAlgo\":\"1.2.840.113549.1.1.10\",\"signAlgoParams\":\"AAAA\"")
check_match "PSS with garbage params is refused" '"bakq_reason":"unsupported_algorithm"' "$out"
out=$(sign sha256 ",\"hashAlgorithmOID\":\"$(oid sha384)\",\"signAlgo\":\"1.2.840.113549.1.1.1\"")
check_match "a hash of the wrong length is refused" '"bakq_reason":"unsupported_algorithm"' "$out"
out=$(sign sha256 ",\"signAlgo\":\"1.2.840.113549.1.1.1\"")
check_match "rsaEncryption without hashAlgorithmOID is refused" 'hashAlgorithmOID is required' "$out"
out=$(sign sha256 ",\"signAlgo\":\"1.2.840.10045.4.3.2\"")
check_match "ECDSA on an RSA key is refused" '"bakq_reason":"unsupported_algorithm"' "$out"
out=$(sign sha256 ",\"signAlgo\":\"1.2.3.4\"")
check_match "an unknown OID is refused" '"bakq_reason":"unsupported_algorithm"' "$out"

session X1234567L
out=$(tv_api POST /csc/v2/credentials/info "{\"credentialID\":\"$CRED\"}" -H "$AUTHZ")
check_eq "P-256 key info" "1.2.840.10045.2.1 256 1.2.840.10045.3.1.7" \
    "$(tv_body "$out" | jq -r '"\(.key.algo[0]) \(.key.len) \(.key.curve)"')"
n=2
for h in sha256 sha384 sha512; do
    sign $h ",\"signAlgo\":\"1.2.840.10045.4.3.$n\"" >/dev/null
    check "ecdsa-with-$h (DER signature) verifies" verify $h
    sign $h ",\"signAlgo\":\"1.2.840.10045.2.1\",\"hashAlgorithmOID\":\"$(oid $h)\"" >/dev/null
    check "ecPublicKey + $h verifies" verify $h
    n=$((n + 1))
done
out=$(sign sha1 ",\"signAlgo\":\"1.2.840.10045.4.1\"")
check_match "ecdsa-with-SHA1 is refused" '"bakq_reason":"unsupported_algorithm"' "$out"
out=$(sign sha256 ",\"signAlgo\":\"1.2.840.113549.1.1.11\"")
check_match "RSA on a P-256 key is refused" '"bakq_reason":"unsupported_algorithm"' "$out"

# several hashes in one call, in order
h1=$(printf one | openssl dgst -sha256 -binary | base64 -w0)
h2=$(printf two | openssl dgst -sha256 -binary | base64 -w0)
out=$(tv_api POST /csc/v2/signatures/signHash "{\"credentialID\":\"$CRED\",\"SAD\":\"$SAD\",\"hashes\":[\"$h1\",\"$h2\"],\"signAlgo\":\"1.2.840.10045.4.3.2\"}" -H "$AUTHZ")
tv_body "$out" | jq -r '.signatures[1]' | base64 -d >"$T/sig"
printf two >"$T/msg"
check "signatures come back in the order of the hashes" verify sha256
check "server still running" kill -0 "$BAKQ_PID"
tv_server_stop
done_testing
