#!/bin/bash
# Harness self-test of the signing programs (tests/lib/clients.sh) with a
# SoftHSM2 stand-in token: poppler's pdfsig signs a PDF and verifies it (NSS
# vfychain checks the chain), Java's SunPKCS11 lists the key and jarsigner
# signs a jar that verifies, openssl cms signs through the libp11 engine and
# verifies against the CA.  The real chain is tested by signers.sh.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/e2e.sh"
source "$TV_SRC/tests/lib/clients.sh"
e2e_setup

e2e_standin_token

# Verifiers: an NSS database with only the CA (no token), and the CA as PEM.
vdb="$T/verify-db"
check "verification database trusts the citizen CA" e2e_verify_db "$vdb" "$ca/ca.crt"

# PDF
db="$T/nssdb"
check "NSS database with the token" e2e_nssdb "$db"
check "token module registered" e2e_nss_add_module "$db" Stand-in "$E2E_SOFTHSM_LIB"
check "a PDF to sign" "$E2E_PY" "$TV_SRC/tests/lib/mkpdf.py" "$T/doc.pdf"
# SoftHSM2 itself crashes when NSS shuts it down at exit (after its own
# destructors ran): only the output is checked here.  Our module must exit
# cleanly: signers.sh checks pdfsig's exit status too.
e2e_pdfsig_sign "$db" "BakQ 12345678Z:citizen" "$T/doc.pdf" "$T/signed.pdf" "$pin" >"$T/pdfsig.out" 2>&1
check "pdfsig wrote the signed PDF" test -s "$T/signed.pdf"
report=$(e2e_pdfsig_verify "$vdb" "$T/signed.pdf" 2>&1)
check_match "pdfsig: the signature is valid" 'Signature Validation: Signature is Valid' "$report"
check_match "pdfsig: the signer is the citizen" 'Signer Certificate Common Name: ETXEBERRIA MIREN - 12345678Z' "$report"
check_match "pdfsig: the whole document is signed" 'Total document signed' "$report"
check "the signer's certificate from the PDF" e2e_pdf_signer "$vdb" "$T/signed.pdf" "$T/signer.der"
check "vfychain: the signer chains to the citizen CA" vfychain -d "sql:$vdb" -pp -u 4 "$T/signer.der"
printf 'tampered' | dd of="$T/signed.pdf" bs=1 seek=200 conv=notrunc 2>/dev/null
report=$(e2e_pdfsig_verify "$vdb" "$T/signed.pdf" 2>&1)
check_no_match "pdfsig: a modified PDF does not verify" 'Signature is Valid' "$report"

# Java
check "SunPKCS11 configuration" e2e_java_cfg "$T/java.cfg" "$E2E_SOFTHSM_LIB"
out=$(e2e_keytool_list "$T/java.cfg" "$pin" 2>&1)
check_match "keytool lists the key entry" 'Alias name: citizen.*Entry type: PrivateKeyEntry' "$(echo $out)"
check_match "keytool shows the citizen's certificate" 'Owner: CN=ETXEBERRIA MIREN - 12345678Z' "$out"
echo "Kaixo" >"$T/hello.txt"
check "a jar to sign" bash -c "cd '$T' && jar cf app.jar hello.txt"
check "jarsigner signs through SunPKCS11" e2e_jarsign "$T/java.cfg" "$T/app.jar" "$T/app-signed.jar" citizen "$pin"
check "truststore with the citizen CA" keytool -importcert -noprompt -alias citizen-ca \
    -file "$ca/ca.crt" -keystore "$T/trust.p12" -storetype PKCS12 -storepass trustpw
out=$(jarsigner -verify -keystore "$T/trust.p12" -storetype PKCS12 -storepass trustpw "$T/app-signed.jar" 2>&1)
check_match "jarsigner -verify: jar verified" '^jar verified\.' "$out"
check_no_match "jarsigner -verify: the chain to the CA is valid" 'chain is invalid|not validated|unsigned' "$out"
out=$(jarsigner -verify "$T/app-signed.jar" 2>&1)
check_match "jarsigner -verify without the CA: chain not trusted (control)" 'chain is invalid' "$out"

# OpenSSL CMS
uri="pkcs11:token=BakQ%2012345678Z;id=%01"
check "OpenSSL engine configuration" e2e_engine_conf "$T/openssl.cnf" "$E2E_SOFTHSM_LIB"
check "certificate read from the token" pkcs11-tool --module "$E2E_SOFTHSM_LIB" \
    --read-object --type cert --id 01 -o "$T/cert.der"
check "as PEM" openssl x509 -inform DER -in "$T/cert.der" -out "$T/cert.pem"
echo "Documento de prueba" >"$T/doc.txt"
check "openssl cms -sign through the engine" \
    e2e_cms_sign "$T/openssl.cnf" "$uri;pin-value=$pin" "$T/cert.pem" "$T/doc.txt" "$T/doc.p7s"
check "openssl cms -verify against the CA" openssl cms -verify -inform DER -in "$T/doc.p7s" \
    -content "$T/doc.txt" -binary -CAfile "$ca/ca.crt" -out /dev/null
echo "Documento cambiado" >"$T/other.txt"
check_fails "openssl cms -verify refuses another document" openssl cms -verify -inform DER \
    -in "$T/doc.p7s" -content "$T/other.txt" -binary -CAfile "$ca/ca.crt" -out /dev/null
done_testing
