#!/bin/bash
# OpenSC pkcs11-tool against the real module, agent and bakq-server (RSA-2048,
# SMS second factor, scripted pinentry): the library's shape, -L, -O, --login
# through the agent's dialogs, PIN as password, the trace, a signature with
# every RSA mechanism verified by OpenSSL against the certificate, and --test.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/pkcs11/lib.sh"
tv_setup_test
tv_p11_stack sms rsa2048 || bail "agent stack did not start"

# ---- the library -------------------------------------------------------------
needed=$(readelf -d "$TV_MODULE" | awk '/NEEDED/ { gsub(/[][]/, "", $NF); print $NF }' |
         grep -v -e '^libasan' -e '^libubsan' | tr '\n' ' ')
check_eq "the module links nothing but libc" "libc.so.6 " "$needed"
exports=$(nm -D --defined-only "$TV_MODULE" | awk '$2 == "T" { print $3 }' | sort | tr '\n' ' ')
check_eq "it exports C_GetFunctionList, C_GetInterface, C_GetInterfaceList only" \
    "C_GetFunctionList C_GetInterface C_GetInterfaceList " "$exports"

# ---- slots and objects ---------------------------------------------------------
out=$(ptool -I 2>&1)
check_match "-I: Cryptoki 3.0 library" 'Cryptoki version 3\.0' "$out"
out=$(ptool -L 2>&1)
check_match "-L: our slot" 'Slot 0 \(0x0\): Tarjeta virtual BakQ' "$out"
check_match "-L: token labelled with the DNI" 'token label +: BakQ 12345678Z' "$out"
check_match "-L: protected authentication path (\"PIN pad\")" 'PIN pad present' "$out"
check_no_match "-L: no RNG" 'rng' "$out"
# Chromium ignores the protected path and shows its own password box: there the
# token does not announce it, so what the citizen types reaches the agent
cp "$(command -v pkcs11-tool)" "$T/chromium"
out=$(p11 "$T/chromium" --module "$TV_MODULE" -L 2>&1)
check_no_match "in a program called chromium: no protected authentication path" 'PIN pad' "$out"
check_match "  ... still the same token" 'token label +: BakQ 12345678Z' "$out"
out=$(TARJETA_PROTECTED_AUTH=yes p11 "$T/chromium" --module "$TV_MODULE" -L 2>&1)
check_match "  ... unless TARJETA_PROTECTED_AUTH=yes" 'PIN pad present' "$out"
out=$(ptool -M 2>&1)
check_match "-M: RSA mechanisms incl. PSS" 'SHA512-RSA-PKCS-PSS, keySize=\{2048,2048\}, hw, sign' "$out"
check_no_match "-M: never RSA-X-509" 'RSA-X-509' "$out"
out=$(ptool -O 2>&1)
check_match "-O without login: the two certificates" 'label: +BakQ authentication.*label: +BakQ signature' \
    "$(printf '%s' "$out" | tr '\n' ' ')"
check_match "-O without login: public keys" 'Public Key Object; RSA 2048 bits' "$out"
check_no_match "-O without login: no private key" 'Private Key Object' "$out"
check_match "-O: the CA certificate" 'label: +BakQ Test CA' "$out"
check_match "-O: the profile object" 'CKP_PUBLIC_CERTIFICATES_TOKEN' "$out"
check_eq "no dialog so far" 0 "$(tv_pinentry_dialogs)"

# ---- login -------------------------------------------------------------------------
out=$(ptool --login -O 2>&1)
check_match "--login -O: the private keys appear" 'Private Key Object; RSA' "$out"
check_match "private key: sensitive, never extractable" 'Access: +sensitive, always sensitive, never extractable' "$out"
check_eq "C_Login(NULL): the agent asked password and SMS code" 2 "$(tv_pinentry_dialogs)"
check_match "the dialogs were the password, then the SMS code" 'kind=password.*kind=sms' \
    "$(tr '\n' ' ' <"$TV_PINENTRY_LOG")"
out=$(ptool --login -O 2>&1)
check_match "a second program logs in without a dialog (agent session)" 'Private Key Object' "$out"
check_eq "no new dialog" 2 "$(tv_pinentry_dialogs)"

tv_tarjeta logout >/dev/null
tv_pinentry_reset
check_fails "a PIN that cannot be a password is refused" ptool --login --pin abc -O
check_eq "  ... locally: no dialog, no attempt used" 0 "$(tv_pinentry_dialogs)"
TARJETA_DEBUG="$T/trace.log" ptool --login --pin "$TV_PASSWORD" -O >"$T/pin.out" 2>&1
check_match "--pin PASSWORD: logged in" 'Private Key Object' "$(cat "$T/pin.out")"
check_eq "  ... the PIN was the password: only the SMS dialog" 1 "$(tv_pinentry_dialogs)"
check_match "  ... and that dialog was the SMS code" 'kind=sms' "$(cat "$TV_PINENTRY_LOG")"
trace=$(cat "$T/trace.log")
check_match "TARJETA_DEBUG traces calls, arguments and results" \
    'C_Login: hSession=0x[0-9a-f]+ userType=1 pPin=\(given\) ulPinLen=8 = CKR_OK' "$trace"
check_match "  ... attribute reads with their lengths" 'C_GetAttributeValue: .* -> ' "$trace"
check_no_match "  ... never the PIN" "$TV_PASSWORD" "$trace"

# ---- a signature with every mechanism, checked by OpenSSL ------------------------------
p11_cert "$AUTH_LABEL" "$T/auth.pem"
openssl x509 -in "$T/auth.pem" -pubkey -noout >"$T/auth.pub"
id=$(p11_id "$AUTH_LABEL")
head -c 3000 /dev/urandom >"$T/data"
before=$(tv_pinentry_dialogs)
for bits in 256 384 512; do
    ptool --login --sign --id "$id" -m SHA$bits-RSA-PKCS -i "$T/data" -o "$T/sig" >/dev/null 2>&1
    check "SHA$bits-RSA-PKCS verifies" openssl dgst -sha$bits -verify "$T/auth.pub" -signature "$T/sig" "$T/data"
    ptool --login --sign --id "$id" -m SHA$bits-RSA-PKCS-PSS --mgf MGF1-SHA$bits -i "$T/data" \
        -o "$T/sig" >/dev/null 2>&1
    check "SHA$bits-RSA-PKCS-PSS verifies" openssl dgst -sha$bits -sigopt rsa_padding_mode:pss \
        -sigopt rsa_pss_saltlen:$((bits / 8)) -verify "$T/auth.pub" -signature "$T/sig" "$T/data"
    openssl dgst -sha$bits -binary "$T/data" >"$T/hash"
    ptool --login --sign --id "$id" -m RSA-PKCS-PSS --hash-algorithm SHA$bits --mgf MGF1-SHA$bits \
        -i "$T/hash" -o "$T/sig" >/dev/null 2>&1
    check "RSA-PKCS-PSS over a SHA-$bits hash verifies" openssl pkeyutl -verify -pubin -inkey "$T/auth.pub" \
        -in "$T/hash" -sigfile "$T/sig" -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:$((bits / 8)) \
        -pkeyopt digest:sha$bits
done
# CKM_RSA_PKCS takes a DigestInfo (what TLS 1.2 clients send)
openssl dgst -sha256 -binary "$T/data" >"$T/hash"
{ printf '\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20'; cat "$T/hash"; } >"$T/di"
ptool --login --sign --id "$id" -m RSA-PKCS -i "$T/di" -o "$T/sig" >/dev/null 2>&1
openssl pkeyutl -verifyrecover -pubin -inkey "$T/auth.pub" -in "$T/sig" -out "$T/recovered" 2>/dev/null
check "RSA-PKCS over a DigestInfo verifies (PKCS#1 v1.5 recovers it)" cmp -s "$T/recovered" "$T/di"
check_eq "signing with the authentication key during the session: no dialog" "$before" "$(tv_pinentry_dialogs)"

# the qualified signature credential confirms every signature with a fresh SMS code
p11_cert "$SIGN_LABEL" "$T/sign.pem"
openssl x509 -in "$T/sign.pem" -pubkey -noout >"$T/sign.pub"
ptool --login --sign --id "$(p11_id "$SIGN_LABEL")" -m SHA256-RSA-PKCS -i "$T/data" -o "$T/sig" >/dev/null 2>&1
check "a qualified signature verifies" openssl dgst -sha256 -verify "$T/sign.pub" -signature "$T/sig" "$T/data"
check_match "  ... after a confirmation dialog naming the program" 'kind=confirm-signature.*pkcs11-tool' \
    "$(tr '\n' ' ' <"$TV_PINENTRY_LOG")"

# ---- --test ----------------------------------------------------------------------------
# pkcs11-tool --test signs, with CKM_RSA_PKCS, a SHA-1 DigestInfo; the BakQ service
# refuses SHA-1 (server-stub/sigalg.c), so the run ends there - after the
# multi-part, short-buffer and size-query steps it exercises first.
out=$(TARJETA_DEBUG="$T/test-trace.log" ptool --login --test 2>&1)
check_match "--test: random, digests answered" 'RNG not available' "$out"
check_match "--test: reaches the signatures with the authentication key" 'testing key 0 \(BakQ authentication\)' "$out"
check_match "--test: stops only at the SHA-1 DigestInfo the service refuses" \
    'C_SignFinal failed: rv = CKR_DATA_INVALID' "$out"
check_match "  ... the agent's answer to the SIGN, in the trace" 'agent: .*SHA-256, SHA-384 and SHA-512 hashes only.*TV_ERR_DATA_INVALID' \
    "$(cat "$T/test-trace.log")"

done_testing
