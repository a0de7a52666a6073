#!/usr/bin/env python3
"""Write the seed corpus for fuzz_agent: a HELLO flag byte, then frames of
every request type (valid and malformed).  Run from the repository root;
output is committed under tests/fuzz/corpus/agent/."""
import os
import struct

OUT = "tests/fuzz/corpus/agent"


def frame(mtype, body=b""):
    return struct.pack(">II", 4 + len(body), mtype) + body


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def blob(b):
    return u32(len(b)) + b


hello = frame(1, u32(1) + u32(1234) + blob(b"firefox-esr"))
sign_ecdsa = frame(5, blob(b"\x00" * 20) + u32(0x1041) + u32(0) * 4 + blob(b"\x11" * 32))
sign_pss = frame(5, blob(b"\x01" * 20) + u32(0x0D) + u32(0x250) + u32(2) + u32(32) + u32(0) + blob(b"\x22" * 32))
sign_digest = frame(5, blob(b"\x02" * 20) + u32(0x40) + u32(0) * 3 + u32(1) + blob(b"\x33" * 32))
seeds = {
    "hello-only": b"\x00" + hello,
    "snapshot": b"\x00" + hello + frame(2),
    "no-hello-snapshot": b"\x00" + frame(2),
    "status": b"\x01" + frame(7),
    "stats": b"\x01" + frame(10),
    "wait": b"\x01" + frame(6, u64(0) + u32(0)),
    "login-pin": b"\x01" + frame(3, u32(1) + blob(b"abcdefgh")),
    "login-dialog": b"\x01" + frame(3, u32(0) + blob(b"")),
    "sign-ecdsa": b"\x01" + sign_ecdsa,
    "sign-pss": b"\x01" + sign_pss,
    "sign-digest": b"\x01" + sign_digest,
    "account": b"\x01" + frame(9, blob(b"renew") + u32(1) + blob(b"phone") + blob(b"+34600")),
    "account-unknown": b"\x01" + frame(9, blob(b"format-disk") + u32(0)),
    "many": b"\x00" + hello + frame(2) + frame(7) + frame(10) + frame(6, u64(1) + u32(0)),
    "unknown-type": b"\x01" + frame(0x1234),
    "reply-type": b"\x01" + frame(0x8002),
    "error-type": b"\x01" + frame(0x7fff, u32(1) + blob(b"x")),
    "truncated": b"\x01" + frame(5, blob(b"\x00" * 20))[:-2],
    "huge-length": b"\x01" + struct.pack(">II", 0x7fffffff, 5),
    "bad-array": b"\x01" + frame(9, blob(b"renew") + u32(0xffffffff)),
    "nul-string": b"\x01" + frame(1, u32(1) + u32(1) + blob(b"a\x00b")),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
