"""Independent re-computation of Stube's frozen construction-version-2 vectors.

Reads the inputs and expected values from `mod stube_v2` in crypto/src/vectors.rs, recomputes
every derived value with other implementations (argon2-cffi for Argon2id, pyca/cryptography for
AES-256-GCM, Python's hashlib/hmac for SHA-256, HMAC and HKDF, written out here from RFC 5869) and
fails unless all agree. `cargo xtask test` runs it in a virtual environment under .tools/.

Run by hand: pip install argon2-cffi cryptography; python3 crypto/tests/vectors/stube_v2_crosscheck.py
(`--print` prints the recomputed values instead of comparing, for a new construction version).
"""

import hashlib
import hmac
import json
import pathlib
import re
import struct
import sys
import unicodedata

from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VECTORS_RS = pathlib.Path(__file__).resolve().parents[2] / "src" / "vectors.rs"


def read_constants():
    """The `pub const`s of `mod stube_v2`: strings, byte strings, integers, (usize, usize) lists."""
    source = VECTORS_RS.read_text(encoding="utf-8")
    start = source.index("mod stube_v2 {")
    body = source[start : source.index("\n}\n", start) + 1]
    constants = {}
    pattern = re.compile(r"pub const (\w+): ([^=]+?) =\s*(.*?);\n", re.S)
    for name, ty, value in pattern.findall(body):
        ty, value = ty.strip(), value.strip()
        if ty == "&str":
            constants[name] = re.fullmatch(r'"([^"\\]*)"', value).group(1)
        elif ty == "&[u8]":
            raw = re.fullmatch(r'br#"(.*)"#', value, re.S) or re.fullmatch(r'b"([^"\\]*)"', value)
            constants[name] = raw.group(1).encode("utf-8")
        elif ty in ("u8", "u64", "usize"):
            constants[name] = int(value.replace("_", ""))
        elif ty.startswith("[(usize, usize)"):
            constants[name] = [tuple(map(int, pair)) for pair in re.findall(r"\((\d+),\s*(\d+)\)", value)]
        else:
            raise SystemExit(f"stube_v2_crosscheck: cannot read {name}: {ty}")
    return constants


def hkdf(salt, ikm, info, length=32):
    """HKDF-SHA256, RFC 5869 section 2."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    block, okm, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


def sha256(*parts):
    return hashlib.sha256(b"".join(parts)).digest()


def normalise_room(typed):
    return unicodedata.normalize("NFC", " ".join(typed.split()).lower())


def normalise_fingerprint(fingerprint):
    text = fingerprint.strip()
    if text.startswith("a=fingerprint:"):
        text = text[len("a=fingerprint:") :]
    algorithm, value = text.split()
    return f"{algorithm.lower()} {value.upper()}".encode()


def padded_len(length, minimum):
    needed = max(length + 1, minimum)
    for bucket in (256, 512, 1024, 2048, 4096):
        if bucket >= needed:
            return bucket
    return -(-needed // 4096) * 4096


def pad(plaintext, minimum):
    return plaintext + b"\x80" + b"\x00" * (padded_len(len(plaintext), minimum) - len(plaintext) - 1)


def compute(c):
    room = normalise_room(c["ROOM_TYPED"])
    out = {"ROOM_NAME": room}
    room = room.encode()
    password = unicodedata.normalize("NFC", c["PASSPHRASE"].strip()).encode()
    salt = sha256(b"stube/v2/argon2-salt", struct.pack(">I", len(room)), room)
    out["ARGON2_SALT"] = salt.hex()
    root = hash_secret_raw(
        password, salt, time_cost=3, memory_cost=32 * 1024, parallelism=1, hash_len=32,
        type=Type.ID, version=19,
    )
    schedule = b"stube/v2/key-schedule"
    keys = {
        name: hkdf(schedule, root, b"stube/v2/" + label)
        for name, label in [
            ("SIGNAL_KEY", b"signal-key"),
            ("CHAT_KEY", b"chat-key"),
            ("MEDIA_KEY", b"media-key"),
            ("SAFETY_KEY", b"safety-number-key"),
            ("ADMISSION_TOKEN", b"admission"),
        ]
    }
    out.update({name: key.hex() for name, key in keys.items()})
    room_id = sha256(b"stube/v2/room-id", room).hex()
    out["ROOM_ID"] = room_id
    room_id = room_id.encode()

    fingerprints = {side: normalise_fingerprint(c[f"FINGERPRINT_{side}"]) for side in "AB"}
    for side in "AB":
        out[f"COMMITMENT_{side}"] = sha256(b"stube/v2/dtls-commitment", fingerprints[side]).hex()
        hello = json.loads(c[f"HELLO_{side}"])
        if hello["commitment"] != out[f"COMMITMENT_{side}"]:
            raise SystemExit(f"stube_v2_crosscheck: HELLO_{side} does not carry COMMITMENT_{side}")

    alice, bob = struct.pack(">Q", c["ALICE"]), struct.pack(">Q", c["BOB"])
    signal = keys["SIGNAL_KEY"]
    nonce = bytes.fromhex(c["HELLO_NONCE"])
    aad = b"stube/v2/hello" + b"\x02" + room_id + alice + bob + b"\x01"
    sealed = AESGCM(signal).encrypt(nonce, pad(c["HELLO_A"], 512), aad)
    out["HELLO_ENVELOPE"] = (b"\x02\x01" + struct.pack(">Q", 0) + nonce + sealed).hex()

    hello_a, hello_b = sha256(c["HELLO_A"]), sha256(c["HELLO_B"])
    a_to_b = hkdf(b"stube/v2/pair-key", signal, hello_a + hello_b)
    b_to_a = hkdf(b"stube/v2/pair-key", signal, hello_b + hello_a)
    out["PAIR_KEY_A_TO_B"], out["PAIR_KEY_B_TO_A"] = a_to_b.hex(), b_to_a.hex()
    kind = bytes([c["PAIR_KIND"]])
    nonce = bytes.fromhex(c["PAIR_NONCE"])
    aad = b"stube/v2/pair" + b"\x02" + room_id + alice + bob + kind + struct.pack(">Q", 1)
    sealed = AESGCM(a_to_b).encrypt(nonce, pad(c["PAIR_PLAINTEXT"], 256), aad)
    out["PAIR_ENVELOPE"] = (b"\x02" + kind + struct.pack(">Q", 1) + nonce + sealed).hex()

    out["PADDED_LENGTHS"] = [(n, padded_len(n, 0)) for n, _ in c["PADDED_LENGTHS"]]

    stream_id = b"\x5a" * 16
    stream_key = hkdf(stream_id, keys["CHAT_KEY"], b"stube/v2/stream-key")
    aad = b"stube/v2/stream" + b"\x02" + room_id + stream_id + b"\x01" + struct.pack(">Q", 0)
    sealed = AESGCM(stream_key).encrypt(bytes(12), c["STREAM_PLAINTEXT"], aad)
    out["STREAM_FRAME"] = (b"\x02\x01" + struct.pack(">Q", 0) + sealed).hex()

    low, high = sorted(fingerprints.values())
    mac = hmac.new(
        keys["SAFETY_KEY"],
        b"stube/v2/safety-number" + struct.pack(">I", len(low)) + low + struct.pack(">I", len(high)) + high,
        hashlib.sha256,
    ).digest()
    digits = "%015d" % (int.from_bytes(mac[:16], "big") % 10**15)
    out["SAFETY_NUMBER"] = f"{digits[0:5]} {digits[5:10]} {digits[10:15]}"
    return out


def main():
    constants = read_constants()
    computed = compute(constants)
    if "--print" in sys.argv:
        for name, value in computed.items():
            print(f"{name} = {value}")
        return 0
    failed = [name for name, value in computed.items() if constants.get(name) != value]
    for name in failed:
        print(f"stube_v2_crosscheck: {name}: vectors.rs has {constants.get(name)!r}, recomputed {computed[name]!r}")
    if failed:
        print(f"stube_v2_crosscheck: {len(failed)} of {len(computed)} values differ")
        return 1
    print(f"stube_v2_crosscheck: all {len(computed)} values agree with vectors.rs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
