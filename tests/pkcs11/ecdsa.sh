#!/bin/bash
# A P-256 citizen with a coordinate card, through the real agent and
# bakq-server: EC objects, every ECDSA mechanism verified by OpenSSL (raw
# r||s from the module), p11tool, and pkcs11-tool --test under valgrind.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/pkcs11/lib.sh"
tv_setup_test
tv_p11_stack coordinates p256 || bail "agent stack did not start"

out=$(ptool -M 2>&1)
check_match "-M: ECDSA mechanisms for the P-256 key" 'ECDSA-SHA256, keySize=\{256,256\}, hw, sign' "$out"
check_no_match "-M: no RSA mechanism on an EC token" 'RSA' "$out"
out=$(ptool --login -O 2>&1)
check_match "--login -O: EC public key with its curve" 'Public Key Object; EC +EC_POINT 256 bits' "$out"
check_match "  ... the private key" 'Private Key Object; EC' "$out"
check_match "C_Login(NULL): password, then a coordinate" 'kind=password.*kind=coordinate' \
    "$(tr '\n' ' ' <"$TV_PINENTRY_LOG")"

p11_cert "$AUTH_LABEL" "$T/auth.pem"
openssl x509 -in "$T/auth.pem" -pubkey -noout >"$T/auth.pub"
id=$(p11_id "$AUTH_LABEL")
head -c 2000 /dev/urandom >"$T/data"
for bits in 256 384 512; do
    ptool --login --sign --id "$id" -m ECDSA-SHA$bits -i "$T/data" -o "$T/sig" >/dev/null 2>&1
    check_eq "ECDSA-SHA$bits: raw r||s, 64 bytes" 64 "$(stat -c %s "$T/sig" 2>/dev/null)"
    ptool --login --sign --id "$id" -m ECDSA-SHA$bits --signature-format openssl -i "$T/data" \
        -o "$T/sig.der" >/dev/null 2>&1
    check "ECDSA-SHA$bits verifies" openssl dgst -sha$bits -verify "$T/auth.pub" -signature "$T/sig.der" "$T/data"
done
openssl dgst -sha256 -binary "$T/data" >"$T/hash"
ptool --login --sign --id "$id" -m ECDSA --signature-format openssl -i "$T/hash" -o "$T/sig.der" >/dev/null 2>&1
check "ECDSA over a SHA-256 hash verifies" openssl pkeyutl -verify -pubin -inkey "$T/auth.pub" \
    -in "$T/hash" -sigfile "$T/sig.der"

# GnuTLS p11tool
out=$(p11 p11tool --provider "$TV_MODULE" --list-all 2>&1)
check_match "p11tool --list-all: EC certificate" 'X.509 Certificate \(EC' "$out"
url=$(p11 p11tool --provider "$TV_MODULE" --login --list-privkeys 2>/dev/null |
      awk '/URL:/ && /BakQ%20authentication/ { print $2; exit }')
check_match "p11tool finds the private key's pkcs11: URI" '^pkcs11:.*type=private' "$url"
out=$(p11 p11tool --provider "$TV_MODULE" --login --test-sign "$url" 2>&1)
check_match "p11tool --test-sign with the EC key" 'Verifying against public key in the token\.\.\. ok' "$out"

# pkcs11-tool --test: passes on an EC token (its signature tests are RSA only);
# under valgrind memcheck, no error and no leak of ours.
if readelf -d "$TV_MODULE" | grep -q libasan; then
    out=$(ptool --login --test 2>&1)
    check_match "pkcs11-tool --test under ASan + UBSan: no errors" 'No errors' "$out"
else
    valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=none \
        --log-file="$T/valgrind.log" \
        pkcs11-tool --module "$TV_MODULE" --login --test >"$T/test.out" 2>&1
    rc=$?
    check_eq "pkcs11-tool --test under valgrind memcheck: passes, no memory error" 0 "$rc"
    check_match "  ... no errors" 'No errors' "$(cat "$T/test.out")"
    # pkcs11-tool leaks a little itself; none of the loss records may be ours
    check_no_match "  ... no leak in the module" 'tarjeta-virtual-pkcs11|[ (]tv_[a-z_]+ \(' \
        "$(awk '/ lost in loss record /{on=1} on{print} /^==[0-9]+== $/{on=0}' "$T/valgrind.log")"
    check_match "  ... (valgrind did look for leaks)" 'LEAK SUMMARY' "$(cat "$T/valgrind.log")"
fi

done_testing
