#!/usr/bin/env python3
"""Write the seed corpus for fuzz_server (bakq-server request dispatch): one
request per endpoint plus classic malformed ones.  Run from the repository
root; output is committed under tests/fuzz/corpus/server/."""
import base64
import os

OUT = "tests/fuzz/corpus/server"
J = "application/json"
H = base64.b64encode(bytes(32)).decode()
PSS = "MDSgDzANBglghkgBZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgEFAKIDAgEg"

SEEDS = {
    "info": ("POST", "/csc/v2/info", J, "", "", '{"lang":"es-ES"}'),
    "login": ("POST", "/csc/v2/auth/login", J, "Basic " + base64.b64encode(b"12345678Z:abcd1234").decode(), "", "{}"),
    "login-bad": ("POST", "/csc/v2/auth/login", J, "Basic " + base64.b64encode(b"12345678Z:wrong").decode(), "", "{}"),
    "login-bak": ("POST", "/csc/v2/auth/login", "", "Basic " + base64.b64encode(b"00000023T:abcd1234").decode(), "", ""),
    "login-baddni": ("POST", "/csc/v2/auth/login", J, "Basic " + base64.b64encode(b"1234:x").decode(), "", "{}"),
    "list": ("POST", "/csc/v2/credentials/list", J, "Bearer @", "", '{"credentialInfo":true,"certificates":"chain"}'),
    "credinfo": ("POST", "/csc/v2/credentials/info", J, "Bearer @", "", '{"credentialID":"fuzz-sign","certificates":"single"}'),
    "challenge": ("POST", "/csc/v2/credentials/getChallenge", J, "Bearer @", "", '{"credentialID":"fuzz-auth"}'),
    "sendotp": ("POST", "/csc/v2/credentials/sendOTP", J, "Bearer @", "", '{"credentialID":"fuzz-auth"}'),
    "authorize": ("POST", "/csc/v2/credentials/authorize", J, "Bearer @", "",
                  '{"credentialID":"fuzz-sign","numSignatures":1,"hashes":["%s"],"hashAlgorithmOID":"2.16.840.1.101.3.4.2.1",'
                  '"authData":[{"id":"PIN","value":"abcd1234"},{"id":"OTP","value":"123"}]}' % H),
    "extend": ("POST", "/csc/v2/credentials/extendTransaction", J, "Bearer @", "", '{"credentialID":"fuzz-auth","SAD":"00"}'),
    "signhash": ("POST", "/csc/v2/signatures/signHash", J, "Bearer @", "",
                 '{"credentialID":"fuzz-auth","SAD":"x","hashes":["%s"],"signAlgo":"1.2.840.113549.1.1.10","signAlgoParams":"%s"}' % (H, PSS)),
    "signhash-sha1": ("POST", "/csc/v2/signatures/signHash", J, "Bearer @", "",
                      '{"credentialID":"fuzz-auth","SAD":"x","hashes":["AAAAAAAAAAAAAAAAAAAAAAAAAAA="],"signAlgo":"1.2.840.113549.1.1.5"}'),
    "revoke-token": ("POST", "/csc/v2/auth/revoke", J, "Bearer 00", "", '{"token":"abc","token_type_hint":"access_token"}'),
    "register": ("POST", "/bakq/v1/registrations", J, "Bearer !", "",
                 '{"dni":"Y1234567X","given_name":"Jon","surname":"Ruiz","birth_date":"2001-02-28","email":"jon@example.org",'
                 '"phone":"+34611111111","second_factor":"sms","key":"p256","level":"bakq","allow_shared_contact":false}'),
    "register-underage": ("POST", "/bakq/v1/registrations", J, "Bearer !", "",
                          '{"dni":"Z1234567R","given_name":"A","surname":"B","birth_date":"2020-01-01","email":"a@b.c","phone":"+34622222222"}'),
    "register-noadmin": ("POST", "/bakq/v1/registrations", J, "Bearer nope", "", "{}"),
    "act-start": ("POST", "/bakq/v1/activation/start", J, "", "", '{"dni":"X1234567L","activation_code":"0000000000"}'),
    "act-password": ("POST", "/bakq/v1/activation/password", J, "", "", '{"activation_token":"x","initial_password":"a","new_password":"abcdefgh"}'),
    "act-terms": ("POST", "/bakq/v1/activation/terms", J, "", "", '{"activation_token":"x","accept":true}'),
    "act-challenge": ("POST", "/bakq/v1/activation/challenge", J, "", "", '{"activation_token":"x"}'),
    "act-complete": ("POST", "/bakq/v1/activation/complete", J, "", "", '{"activation_token":"x","password":"abcd1234","otp":"1"}'),
    "account": ("GET", "/bakq/v1/account", "", "Bearer @", "", ""),
    "password": ("POST", "/bakq/v1/account/password", J, "Bearer @", "", '{"old_password":"abcd1234","new_password":"abcd1234"}'),
    "reset-start": ("POST", "/bakq/v1/password-reset/start", J, "", "", '{"dni":"12345678Z"}'),
    "reset-complete": ("POST", "/bakq/v1/password-reset/complete", J, "", "", '{"dni":"12345678Z","code":"1","new_password":"abcd1234"}'),
    "second-factor": ("POST", "/bakq/v1/account/second-factor", J, "Bearer @", "", '{"second_factor":"sms"}'),
    "contact": ("POST", "/bakq/v1/account/contact", J, "Bearer @", "", '{"email":"new@example.org","phone":"+34633333333","code":"1"}'),
    "renew": ("POST", "/bakq/v1/account/renew", J, "Bearer @", "", '{"phone_conflict":"keep"}'),
    "account-revoke": ("POST", "/bakq/v1/account/revoke", J, "Bearer @", "", '{"password":"wrong123"}'),
    "outbox": ("GET", "/testing/v1/outbox", "", "", "+34600000001", ""),
    "clock": ("POST", "/testing/v1/clock", J, "", "", '{"offset_seconds":157680000}'),
    "clock-get": ("GET", "/testing/v1/clock", "", "", "", ""),
    "ca": ("GET", "/ca/ca.crt", "", "", "", ""),
    "crl": ("GET", "/ca/crl", "", "", "", ""),
    "notfound": ("GET", "/nope", "", "", "", ""),
    "wrong-method": ("DELETE", "/csc/v2/info", "", "", "", ""),
    "bad-json": ("POST", "/csc/v2/info", J, "", "", '{"lang":'),
    "not-object": ("POST", "/csc/v2/info", J, "", "", '[1,2,3]'),
    "wrong-type": ("POST", "/csc/v2/credentials/info", J, "Bearer @", "", '{"credentialID":12}'),
    "wrong-ctype": ("POST", "/csc/v2/info", "text/plain", "", "", "{}"),
    "dup-key": ("POST", "/csc/v2/info", J, "", "", '{"lang":"a","lang":"b"}'),
    "deep": ("POST", "/csc/v2/info", J, "", "", "[" * 3000),
    "bad-b64": ("POST", "/csc/v2/signatures/signHash", J, "Bearer @", "", '{"credentialID":"fuzz-auth","SAD":"x","hashes":["a=b="],"signAlgo":"1.2.840.113549.1.1.11"}'),
}

os.makedirs(OUT, exist_ok=True)
for name, (method, path, ctype, auth, to, body) in SEEDS.items():
    with open(os.path.join(OUT, name), "w") as f:
        f.write("\n".join([method, path, ctype, auth, to, body]))
