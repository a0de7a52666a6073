#!/bin/bash
# Signing programs through the real chain, with the qualified signature
# credential ("BakQ signature"): every signature shows the agent's
# confirmation naming the program, with a fresh SMS code.
#   - poppler's pdfsig signs a PDF; pdfsig reports the signature valid and
#     the signer; NSS vfychain chains the signer to the bakq-server CA;
#   - Java's SunPKCS11: keytool -list shows both credentials with their
#     chains, jarsigner signs a jar that jarsigner -verify accepts;
#   - openssl cms -sign through the libp11 engine, verified against the CA;
#   - a cancelled confirmation fails the signature cleanly.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/e2e.sh"
source "$TV_SRC/tests/lib/sede.sh"
source "$TV_SRC/tests/lib/clients.sh"
source "$TV_SRC/tests/lib/agent.sh"
e2e_setup

e2e_real_stack
check_eq "bakq-server, agent and token are up" 0 $? || bail "no stack"
export TARJETA_AUTOSTART=no
vdb="$T/verify-db"
check "verification database trusts the bakq-server CA (no token)" e2e_verify_db "$vdb" "$BAKQ_CA"
confirmations() { grep -c '^== dialog [0-9]* kind=confirm-signature' "$TV_PINENTRY_LOG"; }
asked_by() { sed -n 's/^OPTION tarjeta-program=//p' "$TV_PINENTRY_LOG" | tail -n1; }

# --- PDF: poppler's pdfsig --------------------------------------------------------
db="$T/nssdb"
check "NSS database" e2e_nssdb "$db"
check "our module registered" e2e_nss_add_module "$db" "Tarjeta virtual" "$E2E_MODULE"
check "a PDF to sign" "$E2E_PY" "$TV_SRC/tests/lib/mkpdf.py" "$T/doc.pdf"
e2e_trace pdfsig
check "pdfsig -add-signature with the signature credential (exits cleanly)" \
    e2e_pdfsig_sign "$db" "$E2E_NICK_SIGN" "$T/doc.pdf" "$T/signed.pdf"
# poppler 22.12 signs twice: a first signature only to size the placeholder in
# the PDF, then the real one; each is a qualified signature with its own
# confirmation (the authorization is bound to the hash).
check_match "pdfsig: login (password, SMS), then confirmations with fresh SMS codes" \
    '^password sms confirm-signature( confirm-signature)?$' "$(e2e_dialogs)"
check_match "the confirmation named the program" '^pdfsig' "$(asked_by)"
report=$(e2e_pdfsig_verify "$vdb" "$T/signed.pdf" 2>&1)
check_match "pdfsig: the signature is valid" 'Signature Validation: Signature is Valid' "$report"
check_match "pdfsig: the signer is the citizen" "Signer Certificate Common Name: $E2E_CITIZEN" "$report"
check_match "pdfsig: the whole document is signed" 'Total document signed' "$report"
check "the signer's certificate from the PDF" e2e_pdf_signer "$vdb" "$T/signed.pdf" "$T/signer.der"
check "vfychain: the signer chains to the bakq-server CA" vfychain -d "sql:$vdb" -pp -u 4 "$T/signer.der"
check_match "it is the qualified signature certificate (nonRepudiation only)" \
    'Non Repudiation$' "$(openssl x509 -inform DER -in "$T/signer.der" -noout -ext keyUsage 2>&1)"
check_match "signed with a hash-and-sign mechanism of the module" 'CKM_(SHA256_)?RSA_PKCS' \
    "$(e2e_trace_mechanisms pdfsig)"

# --- Java: SunPKCS11 -----------------------------------------------------------------
check "SunPKCS11 configuration" e2e_java_cfg "$T/java.cfg" "$E2E_MODULE"
tv_pinentry_reset
out=$(e2e_keytool_list "$T/java.cfg" 2>&1)
check_match "keytool lists the authentication credential" 'Alias name: BakQ authentication' "$out"
check_match "keytool lists the signature credential" 'Alias name: BakQ signature' "$out"
check_eq "both as private key entries with a chain of 2 (citizen, CA)" 2 \
    "$(printf '%s\n' "$out" | grep -A2 'Entry type: PrivateKeyEntry' | grep -c 'Certificate chain length: 2')"
check_match "the chain ends at the bakq-server CA" 'Issuer: CN=BakQ Test CA' "$out"
echo "Kaixo" >"$T/hello.txt"
check "a jar to sign" bash -c "cd '$T' && jar cf app.jar hello.txt"
tv_pinentry_reset
check "jarsigner signs with the signature credential (-protected)" \
    e2e_jarsign "$T/java.cfg" "$T/app.jar" "$T/app-signed.jar" "BakQ signature"
check_eq "one confirmation with a fresh SMS code" 1 "$(confirmations)"
check_match "the confirmation named the program" '^(java|jarsigner)' "$(asked_by)"
check "truststore with the bakq-server CA" keytool -importcert -noprompt -alias bakq-ca \
    -file "$BAKQ_CA" -keystore "$T/trust.p12" -storetype PKCS12 -storepass trustpw
out=$(jarsigner -verify -verbose -certs -keystore "$T/trust.p12" -storetype PKCS12 \
    -storepass trustpw "$T/app-signed.jar" 2>&1)
check_match "jarsigner -verify: jar verified" '^jar verified\.' "$out"
check_match "signed by the citizen" "CN=$E2E_CITIZEN" "$out"
check_match "the chain ends at the bakq-server CA, trusted" 'CN=BakQ Test CA.*\(bakq-ca\).*\[trusted certificate\]' "$(echo $out)"
check_no_match "the chain builds (no unknown issuer)" 'unable to find valid certification path|unsigned' "$out"
# The qualified certificate has keyUsage nonRepudiation only (a document
# signing profile), which Java's code-signing checks flag as a warning.
check_no_match "no complaint but the key usage of a qualified certificate" \
    'chain is invalid|Invalid certificate chain' \
    "$(printf '%s' "$out" | grep -v 'KeyUsage does not allow digital signatures')"

# --- OpenSSL CMS through the libp11 engine --------------------------------------------
check "OpenSSL engine configuration" e2e_engine_conf "$T/openssl.cnf" "$E2E_MODULE"
sign_cert() { e2e_token_cert "BakQ signature" >"$T/sign.pem" && test -s "$T/sign.pem"; }
check "the signature certificate read from the token" sign_cert
echo "Documento de prueba" >"$T/doc.txt"
tv_pinentry_reset
check "openssl cms -sign through the engine" \
    e2e_cms_sign "$T/openssl.cnf" "$E2E_URI_SIGN" "$T/sign.pem" "$T/doc.txt" "$T/doc.p7s"
check_eq "one confirmation with a fresh SMS code" 1 "$(confirmations)"
check "openssl cms -verify against the bakq-server CA" openssl cms -verify -inform DER \
    -in "$T/doc.p7s" -content "$T/doc.txt" -binary -CAfile "$BAKQ_CA" -out /dev/null
echo "Documento cambiado" >"$T/other.txt"
check_fails "openssl cms -verify refuses another document" openssl cms -verify -inform DER \
    -in "$T/doc.p7s" -content "$T/other.txt" -binary -CAfile "$BAKQ_CA" -out /dev/null

# --- a cancelled confirmation -------------------------------------------------------------
tv_pinentry_reset
tv_pinentry_once confirm-signature cancel
rm -f "$T/cancelled.pdf"
started=$(date +%s)
e2e_pdfsig_sign "$db" "$E2E_NICK_SIGN" "$T/doc.pdf" "$T/cancelled.pdf" >"$T/cancel.out" 2>&1
check_match "pdfsig reports the failure" 'rror|ailed|annot|ancel' "$(cat "$T/cancel.out")"
check_no_match "no valid signature comes out" 'Signature is Valid' \
    "$(e2e_pdfsig_verify "$vdb" "$T/cancelled.pdf" 2>&1)"
check "and pdfsig returned at once (no hang)" test $(($(date +%s) - started)) -lt 30
done_testing
