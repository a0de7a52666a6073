#!/usr/bin/env python3
"""Write the seed corpus for fuzz_proto: one valid frame of each kind plus a
few classic malformed ones.  Run from the repository root; output is
committed under tests/fuzz/corpus/proto/."""
import os
import struct

OUT = "tests/fuzz/corpus/proto"


def frame(mtype, body=b""):
    return struct.pack(">II", 4 + len(body), mtype) + body


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def blob(b):
    return u32(len(b)) + b


REPLY = 0x8000
cred = (blob(b"\x01\x02") + blob("BakQ autenticación".encode()) + u32(1) + u32(0) + u32(2048)
        + b"".join(blob(b"\x30\x03\x02\x01\x01") for _ in range(8)) + u64(1) + u64(2))
seeds = {
    "hello": frame(1, u32(1) + u32(1234) + blob(b"firefox-esr")),
    "hello-reply": frame(1 | REPLY, u32(1) + blob(b"0.1.0")),
    "snapshot": frame(2),
    "snapshot-reply": frame(2 | REPLY, u64(3) + u32(1) + blob(b"12345678Z") + u32(1) + cred
                            + u32(1) + blob(b"\x09") + blob(b"CA") + b"".join(blob(b"x") for _ in range(4))),
    "login": frame(3, u32(0) + blob(b"")),
    "login-pin": frame(3, u32(1) + blob(b"Abcd1234")),
    "sign": frame(5, blob(b"\x01\x02") + u32(0x40) + u32(0) + u32(0) + u32(0) + u32(0) + blob(b"data")),
    "wait": frame(6, u64(3) + u32(1000)),
    "error": frame(0x7FFF, u32(0xFFFFFFE7) + blob(b"blocked")),
    "two-frames": frame(4) + frame(7),
    "huge-length": u32(0xFFFFFFFF) + u32(1),
    "array-bomb": frame(2 | REPLY, u64(1) + u32(0) + blob(b"") + u32(0xFFFFFFFF)),
    "unknown-type": frame(0x1234, b"abc"),
    "nul-in-string": frame(1, u32(1) + u32(1) + blob(b"a\x00b")),
}
os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
