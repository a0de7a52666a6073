#!/usr/bin/env python3
"""A small client of the agent protocol (PROTOCOL.md) for the integration
tests: snapshot, login, sign (with signature verification), concurrency,
garbage and abandoned requests.  Prints results as JSON or plain lines.

  tvclient.py snapshot
  tvclient.py login [--pin PW]
  tvclient.py sign --usage 1|2 --mech NAME [--kind 0|1] [--count N] [--clients N]
                   [--salt N] [--program NAME] [--data-hex HEX]
                                                   signs random (or the given) data, verifies each signature
  tvclient.py status | stats | logout
  tvclient.py wait GENERATION TIMEOUT_MS
  tvclient.py garbage MODE                         MODE: bytes, huge, half-frame, no-hello, unknown
  tvclient.py raw-hello-then-close
"""
import hashlib
import json
import os
import socket
import struct
import sys
import threading

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

MECHS = {
    "RSA_PKCS": 0x1, "RSA_PKCS_PSS": 0xD, "SHA256_RSA_PKCS": 0x40, "SHA384_RSA_PKCS": 0x41,
    "SHA512_RSA_PKCS": 0x42, "SHA256_RSA_PKCS_PSS": 0x43, "SHA384_RSA_PKCS_PSS": 0x44,
    "SHA512_RSA_PKCS_PSS": 0x45, "ECDSA": 0x1041, "ECDSA_SHA256": 0x1044, "ECDSA_SHA384": 0x1045,
    "ECDSA_SHA512": 0x1046,
}
HASH_OF = {"SHA256": (hashes.SHA256, 0x250, 2, "sha256"), "SHA384": (hashes.SHA384, 0x260, 3, "sha384"),
           "SHA512": (hashes.SHA512, 0x270, 4, "sha512")}
DIGEST_INFO = {"sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
               "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
               "sha512": bytes.fromhex("3051300d060960864801650304020305000440")}


class AgentError(Exception):
    def __init__(self, code, message):
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


def u32(v):
    return struct.pack(">I", v)


def blob(b):
    return u32(len(b)) + b


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def u32(self):
        v = struct.unpack_from(">I", self.data, self.pos)[0]
        self.pos += 4
        return v

    def u64(self):
        v = struct.unpack_from(">Q", self.data, self.pos)[0]
        self.pos += 8
        return v

    def bytes(self):
        n = self.u32()
        v = self.data[self.pos:self.pos + n]
        self.pos += n
        return v

    def str(self):
        return self.bytes().decode()


def socket_path():
    if os.environ.get("TARJETA_AGENT_SOCKET"):
        return os.environ["TARJETA_AGENT_SOCKET"]
    return os.path.join(os.environ["XDG_RUNTIME_DIR"], "tarjeta-virtual", "agent.sock")


class Client:
    def __init__(self, program="tvclient", hello=True, timeout=120):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(socket_path())
        if hello:
            self.call(1, u32(1) + u32(os.getpid()) + blob(program.encode()))

    def recv_exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.s.recv(n - len(out))
            if not chunk:
                raise ConnectionError("agent closed the connection")
            out += chunk
        return out

    def call(self, mtype, body=b""):
        self.s.sendall(struct.pack(">II", 4 + len(body), mtype) + body)
        length, rtype = struct.unpack(">II", self.recv_exact(8))
        r = Reader(self.recv_exact(length - 4))
        if rtype == 0x7FFF:
            code = struct.unpack(">i", struct.pack(">I", r.u32()))[0]
            raise AgentError(code, r.str())
        if rtype != mtype | 0x8000:
            raise ConnectionError(f"reply type {rtype:#x} to {mtype}")
        return r

    def close(self):
        self.s.close()

    def snapshot(self):
        r = self.call(2)
        snap = {"generation": r.u64(), "flags": r.u32(), "dni": r.str(), "credentials": [], "cas": []}
        for _ in range(r.u32()):
            c = {"id": r.bytes(), "label": r.str(), "usage": r.u32(), "key_type": r.u32(), "bits": r.u32(),
                 "cert": r.bytes(), "subject": r.bytes(), "issuer": r.bytes(), "serial": r.bytes(),
                 "modulus": r.bytes(), "exponent": r.bytes(), "ec_params": r.bytes(), "ec_point": r.bytes(),
                 "not_before": r.u64(), "not_after": r.u64()}
            snap["credentials"].append(c)
        for _ in range(r.u32()):
            snap["cas"].append({"id": r.bytes(), "label": r.str(), "cert": r.bytes(), "subject": r.bytes(),
                                "issuer": r.bytes(), "serial": r.bytes()})
        return snap

    def login(self, pin=None):
        r = self.call(3, u32(1 if pin is not None else 0) + blob((pin or "").encode()))
        return r.u32()

    def sign(self, ckaid, mech, data, kind=0, pss=(0, 0, 0)):
        body = blob(ckaid) + u32(mech) + u32(pss[0]) + u32(pss[1]) + u32(pss[2]) + u32(kind) + blob(data)
        return self.call(5, body).bytes()


def credential(snap, usage):
    for c in snap["credentials"]:
        if c["usage"] == usage:
            return c
    raise SystemExit(f"no credential with usage {usage} in the snapshot")


def sign_input(mech, data, kind, salt):
    """What a PKCS#11 application passes for this mechanism, and how to verify."""
    name = mech
    hname = next((h for h in HASH_OF if h in name), "SHA256")
    halg, ckm_hash, mgf, hl = HASH_OF[hname]
    digest = hashlib.new(hl, data).digest()
    pss = (ckm_hash, mgf, salt) if "PSS" in name else (0, 0, 0)
    if name == "RSA_PKCS":
        return DIGEST_INFO[hl] + digest, pss, halg, True
    if name in ("RSA_PKCS_PSS", "ECDSA"):
        return digest, pss, halg, True
    return (digest if kind == 1 else data), pss, halg, False


def verify(cert_der, mech, data, sig, salt):
    key = x509.load_der_x509_certificate(cert_der).public_key()
    hname = next((h for h in HASH_OF if h in mech), "SHA256")
    halg = HASH_OF[hname][0]
    if "ECDSA" in mech:
        half = len(sig) // 2
        der = utils.encode_dss_signature(int.from_bytes(sig[:half], "big"), int.from_bytes(sig[half:], "big"))
        key.verify(der, data, ec.ECDSA(halg()))
    elif "PSS" in mech:
        key.verify(sig, data, padding.PSS(mgf=padding.MGF1(halg()), salt_length=salt), halg())
    else:
        key.verify(sig, data, padding.PKCS1v15(), halg())


def do_sign(args):
    usage, mech, count, clients, kind, salt = 1, "SHA256_RSA_PKCS", 1, 1, 0, 32
    program = "tvclient"
    fixed = None
    i = 0
    while i < len(args):
        k, v = args[i], args[i + 1]
        usage = int(v) if k == "--usage" else usage
        mech = v if k == "--mech" else mech
        count = int(v) if k == "--count" else count
        clients = int(v) if k == "--clients" else clients
        kind = int(v) if k == "--kind" else kind
        salt = int(v) if k == "--salt" else salt
        program = v if k == "--program" else program
        fixed = bytes.fromhex(v) if k == "--data-hex" else fixed
        i += 2
    first = Client(program)
    cred = credential(first.snapshot(), usage)
    first.close()
    results = {"ok": 0, "bad": 0, "errors": []}
    lock = threading.Lock()

    def worker():
        try:
            c = Client(program)
            for _ in range(count):
                data = fixed if fixed is not None else os.urandom(100)
                given, pss, _, _ = sign_input(mech, data, kind, salt)
                sig = c.sign(cred["id"], MECHS[mech], given, kind, pss)
                try:
                    verify(cred["cert"], mech, data, sig, salt)
                    with lock:
                        results["ok"] += 1
                except InvalidSignature:
                    with lock:
                        results["bad"] += 1
            c.close()
        except Exception as e:  # noqa: BLE001 - reported to the test
            with lock:
                results["errors"].append(str(e))

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    print(json.dumps(results))
    return 0 if results["ok"] == count * clients and not results["errors"] else 1


def do_garbage(mode):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(socket_path())
    if mode == "bytes":
        s.sendall(os.urandom(3000))
    elif mode == "huge":
        s.sendall(struct.pack(">II", 0x7FFFFFF0, 2) + b"x" * 100)
    elif mode == "half-frame":
        s.sendall(struct.pack(">II", 1000, 2) + b"abc")
        s.close()
        print(json.dumps({"replied": 0, "closed_mid_request": True}))
        return 0
    elif mode == "no-hello":
        s.sendall(struct.pack(">II", 4, 2))
    elif mode == "unknown":
        s.sendall(struct.pack(">II", 4, 1) + b"")
        s.sendall(struct.pack(">II", 4, 0x4242))
    try:
        data = s.recv(65536)
    except OSError:
        data = b""
    # The agent answers with an ERROR (or nothing) and closes.
    rest = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
    except OSError:
        pass
    print(json.dumps({"replied": len(data), "error_frame": len(data) >= 8 and data[4:8] == b"\0\0\x7f\xff"}))
    return 0


def main(argv):
    cmd = argv[0]
    try:
        if cmd == "snapshot":
            c = Client()
            s = c.snapshot()
            print(json.dumps({"generation": s["generation"], "flags": s["flags"], "dni": s["dni"],
                              "credentials": [{"id": x["id"].hex(), "label": x["label"], "usage": x["usage"],
                                               "key_type": x["key_type"], "bits": x["bits"],
                                               "not_after": x["not_after"]} for x in s["credentials"]],
                              "cas": len(s["cas"])}))
        elif cmd == "login":
            c = Client()
            flags = c.login(argv[2] if len(argv) > 2 and argv[1] == "--pin" else None)
            print(json.dumps({"was_active": bool(flags & 1)}))
        elif cmd == "logout":
            Client().call(4)
            print("{}")
        elif cmd == "status":
            r = Client().call(7)
            print(json.dumps({"dni": r.str(), "server": r.str(), "flags": r.u32(), "left": r.u32(),
                              "expires": r.u64()}))
        elif cmd == "stats":
            r = Client().call(10)
            print(json.dumps({r.str(): r.u64() for _ in range(r.u32())}))
        elif cmd == "wait":
            r = Client().call(6, struct.pack(">QI", int(argv[1]), int(argv[2])))
            print(r.u64())
        elif cmd == "sign":
            return do_sign(argv[1:])
        elif cmd == "garbage":
            return do_garbage(argv[1])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except AgentError as e:
        print(json.dumps({"error": e.code, "message": e.message}))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
