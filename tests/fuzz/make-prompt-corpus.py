#!/usr/bin/env python3
"""Write the seed corpus for fuzz_prompt: sessions the agent really sends
(one per dialog) plus malformed input.  Run from the repository root; output
is committed under tests/fuzz/corpus/prompt/."""
import hashlib
import os

OUT = "tests/fuzz/corpus/prompt"

sessions = {
    "password": ["OPTION lc-messages=es_ES.UTF-8", "OPTION tarjeta-dialog=password",
                 "OPTION tarjeta-dni=12345678Z", "OPTION tarjeta-attempts=3",
                 "SETTITLE Tarjeta virtual", "SETDESC Password for 12345678Z%0ATwo lines",
                 "SETPROMPT Password:", "SETERROR Wrong password: 3 attempts left",
                 "SETTIMEOUT 120", "GETPIN", "BYE"],
    "sms": ["OPTION tarjeta-dialog=sms", "OPTION tarjeta-phone=******789",
            "OPTION tarjeta-code-lifetime=300", "SETNOTOK Resend code", "GETPIN", "GETPIN", "BYE"],
    "coordinate": ["OPTION tarjeta-dialog=coordinate", "OPTION tarjeta-position=B3", "GETPIN"],
    "sign": ["OPTION tarjeta-dialog=confirm-signature", "OPTION tarjeta-program=evince",
             "OPTION tarjeta-pid=4242", "OPTION tarjeta-credential=CN%3DANE GARC%C3%8DA",
             "OPTION tarjeta-hash=9f86d081884c7d659a2feaa0c55ad015", "OPTION tarjeta-count=2",
             "OPTION tarjeta-second-factor=sms", "SETOK Sign", "GETPIN", "CONFIRM", "BYE"],
    "notice": ["OPTION tarjeta-dialog=notice", "OPTION tarjeta-notice=renewal",
               "OPTION tarjeta-days=12", "MESSAGE", "CONFIRM --one-button", "BYE"],
    "getinfo": ["GETINFO version", "GETINFO pid", "GETINFO flavor", "GETINFO ttyinfo",
                "GETINFO nothing", "RESET", "NOP", "# comment", "BYE"],
    "malformed": ["", "   ", "FROB", "SETDESC %zz", "SETDESC %00", "SETDESC %", "OPTION",
                  "OPTION tarjeta-dni=00000000A", "OPTION tarjeta-count=-1", "SETTIMEOUT x",
                  "CONFIRM --zero", "SETDESC \xff\xfe"],
}

blobs = {name: ("\n".join(lines) + "\n").encode("utf-8", "surrogateescape")
         for name, lines in sessions.items()}
blobs["long-line"] = b"SETDESC " + b"A" * 1500 + b"\nGETPIN\n"
blobs["exact-line"] = b"SETDESC " + b"B" * 991 + b"\nGETPIN\n"
blobs["nul-byte"] = b"GET\x00PIN\nGETPIN\n"
blobs["crlf"] = b"OPTION tarjeta-dialog=sms\r\nGETPIN\r\n"
blobs["no-final-newline"] = b"GETPIN\nSETDESC unfinished"

os.makedirs(OUT, exist_ok=True)
for name, blob in sorted(blobs.items()):
    path = os.path.join(OUT, name + "-" + hashlib.sha1(blob).hexdigest()[:12])
    with open(path, "wb") as f:
        f.write(blob)
print("wrote %d seeds to %s" % (len(blobs), OUT))
