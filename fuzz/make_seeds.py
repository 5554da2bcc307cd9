#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<target>/ (stdlib only).

Seeds come from the test vectors (RFC 7515/7520 tokens, the PyJWT interop tokens) and
from one attack case per security rule: alg none / HS256, duplicate members, crit,
b64, padding and other base64url deviations, DER signatures, malformed claims. The
binary seeds of the differential targets follow the input layouts documented on
jose_fuzz::rsa_verify_differential, jose_fuzz::es256_verify_differential,
jose_fuzz::montgomery_differential and jose_fuzz::ec_table_differential.

Run from fuzz/: python3 make_seeds.py. Existing seed-* files are replaced (seeds with
identical bytes are written once); files found by the fuzzer (hash names) are left alone.
"""
import base64
import json
import os
import struct

ROOT = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(ROOT, "..", "test-vectors")


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(seg):
    return base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))


def load(rel):
    with open(os.path.join(VECTORS, rel)) as f:
        return json.load(f)


WRITTEN = {}


def write(target, name, data):
    """Writes seed-NAME for TARGET, unless an earlier seed has the same bytes. The first
    write to a target removes its old seed-* files (fuzzer-found files stay)."""
    d = os.path.join(ROOT, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if target not in WRITTEN:
        WRITTEN[target] = set()
        for old in os.listdir(d):
            if old.startswith("seed-"):
                os.remove(os.path.join(d, old))
    if isinstance(data, str):
        data = data.encode()
    if data in WRITTEN[target]:
        return
    WRITTEN[target].add(data)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# --- tokens from the vectors ---------------------------------------------------------
tokens = {}
for rel in ("jws/rfc7515.json", "jws/rfc7520.json"):
    for v in load(rel)["vectors"]:
        tokens[v["name"]] = v["token"]
for t in load("interop/pyjwt-tokens.json")["tokens"]:
    tokens["pyjwt-" + t["name"]] = t["token"]

SIG = b64(b"\x01" * 64)
PAYLOAD = json.dumps(
    {"iss": "https://issuer.example", "aud": "jose-tests", "exp": 1767229200}
)

attack_headers = {
    "alg-none": '{"alg":"none"}',
    "alg-None": '{"alg":"None"}',
    "alg-hs256": '{"alg":"HS256","typ":"JWT"}',
    "alg-missing": '{"typ":"JWT"}',
    "alg-number": '{"alg":256}',
    "alg-lowercase": '{"alg":"rs256"}',
    "alg-es512": '{"alg":"ES512"}',
    "dup-alg": '{"alg":"RS256","alg":"none"}',
    "dup-nested": '{"alg":"RS256","x":{"a":1,"a":2}}',
    "crit-unknown": '{"alg":"ES256","crit":["exp"],"exp":1}',
    "crit-empty": '{"alg":"ES256","crit":[]}',
    "crit-registered": '{"alg":"ES256","crit":["alg"]}',
    "crit-absent": '{"alg":"ES256","crit":["b64"]}',
    "crit-twice": '{"alg":"ES256","b64":false,"crit":["b64","b64"]}',
    "crit-not-array": '{"alg":"ES256","b64":false,"crit":"b64"}',
    "b64-false": '{"alg":"ES256","b64":false,"crit":["b64"]}',
    "b64-true": '{"alg":"PS256","b64":true,"crit":["b64"]}',
    "b64-no-crit": '{"alg":"ES256","b64":false}',
    "b64-string": '{"alg":"ES256","b64":"false","crit":["b64"]}',
    "jwk-header": '{"alg":"RS256","jwk":{"kty":"RSA","n":"AQAB","e":"AQAB"}}',
    "jku-x5u": '{"alg":"RS256","jku":"https://evil.example/jwks","x5u":"https://evil.example/c"}',
    "kid-number": '{"alg":"RS256","kid":7}',
    "kid-long": '{"alg":"RS256","kid":"' + "k" * 300 + '"}',
    "typ-at-jwt": '{"alg":"RS256","typ":"at+jwt","cty":"JWT","kid":"rsa-2048"}',
    "deep": '{"alg":"RS256","x":' + "[" * 20 + "]" * 20 + "}",
    "not-object": '["alg","RS256"]',
    "trailing": '{"alg":"RS256"} x',
    "bom": '\ufeff{"alg":"RS256"}',
    "escapes": '{"alg":"RS\\u0032\\u00356","kid":"\\ud83d\\ude00"}',
    "float": '{"alg":"ES256","x":1e400,"y":-0.0,"z":12345678901234567890123}',
}

for name, header in attack_headers.items():
    tokens["attack-" + name] = f"{b64(header)}.{b64(PAYLOAD)}.{SIG}"
tokens["attack-b64-false-raw-payload"] = (
    b64(attack_headers["b64-false"]) + ".$.02 not base64!." + SIG
).replace(".$.", ".$")
es = tokens["rfc7515-a3-es256"]
h, p, s = es.split(".")
tokens["attack-padding"] = f"{h}=.{p}.{s}"
tokens["attack-padding-sig"] = f"{h}.{p}.{s}=="
tokens["attack-std-alphabet"] = f"{h}.{p}.{s.replace('-', '+').replace('_', '/')}"
tokens["attack-noncanonical"] = f"{h}.{p}.{s[:-1]}{chr(ord(s[-1]) + 1)}"
tokens["attack-whitespace"] = f"{h} .{p}.{s}"
tokens["attack-two-segments"] = f"{h}.{p}"
tokens["attack-four-segments"] = f"{h}.{p}.{s}.{s}"
tokens["attack-empty-sig"] = f"{h}.{p}."
tokens["attack-empty-payload"] = f"{h}..{s}"
raw = unb64(s)
r, sv = raw[:32], raw[32:]


def der_int(x):
    x = x.lstrip(b"\x00") or b"\x00"
    if x[0] & 0x80:
        x = b"\x00" + x
    return b"\x02" + bytes([len(x)]) + x


der = der_int(r) + der_int(sv)
der = b"\x30" + bytes([len(der)]) + der
tokens["attack-der-sig"] = f"{h}.{p}.{b64(der)}"

for name, token in tokens.items():
    write("compact_parse", name, token)


def sized_token(total):
    """An ES256-shaped token of exactly TOTAL characters whose payload ('A's, zero bytes)
    has a valid base64url length at TOTAL and at TOTAL + 1."""
    for pad in range(4):
        head = b64('{"alg":"ES256","x":"%s"}' % ("a" * pad))
        k = total - len(head) - len(s) - 2
        if k % 4 in (2, 3):
            return f"{head}.{'A' * k}.{s}"
    raise AssertionError("no padding fits")


# The token limit is 16 KiB: one seed at it, one a character over (TokenTooLong).
write("compact_parse", "limit-at", sized_token(16384))
write("compact_parse", "limit-over", sized_token(16384)[:-len(s)] + "A" + s)

# --- header_json: the decoded headers ------------------------------------------------
for name, token in tokens.items():
    seg = token.split(".")[0]
    try:
        write("header_json", name, unb64(seg))
    except Exception:
        pass
for name, header in attack_headers.items():
    write("header_json", "raw-" + name, header)

# --- base64url -----------------------------------------------------------------------
b64_cases = {
    "empty": "",
    "one": "A",
    "aqab": "AQAB",
    "aq": "AQ",
    "aqe": "AQE",
    "padded": "AQ==",
    "padded-one": "AQ=",
    "trailing-bits": "AR",
    "trailing-bits-2": "AQF",
    "std-alphabet": "A+/B",
    "url-alphabet": "-_-_",
    "space": "AQ B",
    "newline": "AQAB\n",
    "non-ascii": "AQA\u00e9",
    "all": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
}
for name, text in b64_cases.items():
    write("base64url", name, text)
for name in ("rfc7515-a2-rs256", "rfc7515-a3-es256", "pyjwt-es256"):
    for i, seg in enumerate(tokens[name].split(".")):
        write("base64url", f"{name}-{i}", seg)
write("base64url", "binary", bytes(range(256)))

# --- claims: payloads ----------------------------------------------------------------
for name, token in tokens.items():
    if name.startswith("attack-"):
        continue
    write("claims", name, unb64(token.split(".")[1]))
NOW = 1767225660
good = {"iss": "https://issuer.example", "aud": "jose-tests", "exp": NOW + 3600}
claims = {
    "good": good,
    "good-aud-array": dict(good, aud=["other", "jose-tests"]),
    "good-no-aud-iat": {"iat": NOW - 10, "sub": "alice", "jti": "j1"},
    "exp-at-leeway": dict(good, exp=NOW - 60),
    "exp-in-leeway": dict(good, exp=NOW - 59),
    "exp-fraction": dict(good, exp=NOW - 59.5),
    "exp-string": dict(good, exp=str(NOW + 3600)),
    "exp-null": dict(good, exp=None),
    "exp-negative": dict(good, exp=-1),
    "exp-huge": dict(good, exp=1e300),
    "exp-bool": dict(good, exp=True),
    "exp-max": dict(good, exp=253402300799),
    "exp-over-max": dict(good, exp=253402300800),
    "nbf-string": dict(good, nbf="0"),
    "nbf-future": dict(good, nbf=NOW + 61),
    "nbf-fraction": dict(good, nbf=NOW + 60.5),
    "iat-fraction": dict(good, iat=NOW + 60.5),
    "nbf-fraction-no-leeway": {"iat": NOW - 10, "nbf": NOW + 0.5},
    "iat-future": dict(good, iat=NOW + 1000),
    "iat-array": dict(good, iat=[NOW]),
    "iss-number": dict(good, iss=1),
    "iss-wrong": dict(good, iss="https://issuer.example/"),
    "aud-number": dict(good, aud=1),
    "aud-mixed": dict(good, aud=["jose-tests", 1]),
    "aud-null": dict(good, aud=None),
    "aud-empty": dict(good, aud=[]),
    "sub-null": dict(good, sub=None),
    "jti-object": dict(good, jti={}),
    # The header's typ comes from `_typ` (see jose_fuzz::claims); the second profile
    # requires JWT.
    "typ-at-jwt": {"iat": NOW - 10, "_typ": "at+jwt"},
    "typ-application-jwt": {"iat": NOW - 10, "_typ": "application/JWT"},
    "typ-lower": {"iat": NOW - 10, "_typ": "jwt"},
    "typ-double-prefix": {"iat": NOW - 10, "_typ": "application/application/jwt"},
    "typ-trailing-space": {"iat": NOW - 10, "_typ": "JWT "},
}
for name, value in claims.items():
    write("claims", name, json.dumps(value))
write("claims", "dup-exp", '{"exp":1,"exp":%d,"iss":"https://issuer.example","aud":"jose-tests"}' % (NOW + 10))
write("claims", "not-object", "[1,2]")
write("claims", "deep", '{"exp":%d,"x":%s1%s}' % (NOW + 10, "[" * 20, "]" * 20))
write("claims", "empty", "")

# --- rsa_verify_differential ---------------------------------------------------------
# [choice: alg = c % 6, key = c / 6 % 3][mode: even raw, odd crafted][len][message] then
# raw: signature bytes; crafted: [flags] (+[salt len] with flag 1)(+salt) then mutations.
msg = b"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UifQ"
for alg in range(6):
    head = bytes([alg, 1, len(msg)]) + msg
    write("rsa_verify_differential", f"valid-{alg}", head + b"\x00")
    write("rsa_verify_differential", f"em-flip-{alg}", head + b"\x02\x01\x00\x05\x10")
    write("rsa_verify_differential", f"sig-flip-{alg}", head + b"\x10\x01\x00\xff\x01")
    write("rsa_verify_differential", f"short-{alg}", head + b"\x04")
    write("rsa_verify_differential", f"long-{alg}", head + b"\x08")
    if alg >= 3:
        for salt in (0, 20, 65):
            write("rsa_verify_differential", f"salt{salt}-{alg}", head + bytes([1, salt]) + b"\x5a" * salt)
    write("rsa_verify_differential", f"raw-zero-{alg}", bytes([alg, 0, 1, 0x61]) + b"\x00" * 256)
    write("rsa_verify_differential", f"raw-ff-{alg}", bytes([alg, 0, 1, 0x61]) + b"\xff" * 256)
    write("rsa_verify_differential", f"raw-one-{alg}", bytes([alg, 0, 1, 0x61]) + b"\x00" * 255 + b"\x01")
    # The other keys (choice byte alg + 6 * key): 3072, 4096, 2049 (e = 3) and 3070
    # (e = 2^32 + 1) bits.
    for key in (1, 2, 3, 4):
        choice = alg + 6 * key
        head = bytes([choice, 1, len(msg)]) + msg
        write("rsa_verify_differential", f"valid-k{key}-{alg}", head + b"\x00")
        write("rsa_verify_differential", f"em-flip-k{key}-{alg}", head + b"\x02\x01\x00\x05\x10")
        k = {1: 384, 2: 512, 3: 257, 4: 384}[key]
        write("rsa_verify_differential", f"raw-ff-k{key}-{alg}", bytes([choice, 0, 1, 0x61]) + b"\xff" * k)
    # 2049 bits: PSS with the octet before EM set (EM flipped at position 0 by 1).
    if alg >= 3:
        head = bytes([alg + 18, 1, len(msg)]) + msg
        write("rsa_verify_differential", f"octet-before-em-{alg}", head + b"\x02\x01\x00\x00\x01")

# --- es256_verify_differential -------------------------------------------------------
# mode 0: [0][len][msg][sig]; mode 1: [1][flags][len][msg][tweak bytes];
# mode 2: [2][key flags](x,y | scalar[+pos,mask])[len][msg](sig | sig flags + tweaks)
with open(os.path.join(VECTORS, "keys", "ec-p256.pub.pem")) as f:
    spki = base64.b64decode("".join(l for l in f.read().splitlines() if "-----" not in l))
point = spki[-65:]
assert point[0] == 4
m = msg
write("es256_verify_differential", "raw-der", bytes([0, len(m)]) + m + der)
write("es256_verify_differential", "raw-rfc7515", bytes([0, len(m)]) + m + raw)
write("es256_verify_differential", "raw-zero", bytes([0, len(m)]) + m + b"\x00" * 64)
write("es256_verify_differential", "raw-ff", bytes([0, len(m)]) + m + b"\xff" * 64)
for flags in (0, 1, 2, 3, 4, 8, 9):
    write("es256_verify_differential", f"signed-{flags}", bytes([1, flags, len(m)]) + m + b"\x02\x05\x01\x3f\x00\x03")
write("es256_verify_differential", "key-testkey", bytes([2, 0]) + point[1:] + bytes([len(m)]) + m + raw)
write("es256_verify_differential", "key-zero", bytes([2, 0]) + b"\x00" * 64 + b"\x01a" + raw)
write("es256_verify_differential", "key-lengths", bytes([2, 4, 31]) + point[1:32] + bytes([32]) + point[33:65])
scalar = bytes(range(1, 33))
for flags in (1, 3):
    write("es256_verify_differential", f"key-scalar-{flags}", bytes([2, flags]) + scalar + b"\x07\x01" + bytes([len(m)]) + m + b"\x01")
write("es256_verify_differential", "key-scalar-zero", bytes([2, 1]) + b"\x00" * 32)
write("es256_verify_differential", "key-scalar-order", bytes([2, 1]) + bytes.fromhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"))

# --- montgomery_differential ---------------------------------------------------------
# [u16: bits = 2048 + v % 6145][shape][base choice][exponent choice] then the modulus'
# octets (all of them for shapes 0 and 3, the low 8 for 1 and 2; the rest from a stream),
# then the base's and the exponent's extra input.
def mont(bits, shape, base, exp, rest=b""):
    return struct.pack(">H", bits - 2048) + bytes([shape, base, exp]) + rest


for name, data in {
    "2048-random-65537": mont(2048, 0, 6, 0),
    "2049-ones-nminus1-e3": mont(2049, 1, 2, 1),
    "2056-pow2plus-zero-small": mont(2056, 2, 0, 2, b"\x00" * 7 + b"\x01" + b"\x11"),
    "2057-one-e2": mont(2057, 0, 1, 3, b""),
    "3071-10-justunder-max": mont(3071, 3, 3, 6),
    "3072-n-refused": mont(3072, 0, 4, 0),
    "4096-nplus-refused": mont(4096, 1, 5, 0, b"\xff" * 8 + b"\x00\x02"),
    "4097-anybase-u64": mont(4097, 0, 7, 5),
    "6143-random-u32": mont(6143, 3, 6, 4),
    "8191-one-2j1": mont(8191, 2, 1, 7, b"\x00" * 8 + b"\x3f"),
    "8192-random-65537": mont(8192, 0, 7, 0),
    "2048-long-base": mont(2048, 0, 0x86, 0),
    "2048-short-base": mont(2048, 0, 0x46, 0),
    "2050-e0-refused": mont(2050, 2, 6, 3, b"\x00" * 8 + b"\x00"),
}.items():
    write("montgomery_differential", name, data)

# --- ec_table_differential -----------------------------------------------------------
# [key: k·G (+32-octet k), G, −G, or from x (+32-octet x; 0x80: n − 1 + x, 0x40: odd y)]
# [relation][u1: 32][u2: 32]([window] for relations 5, 6)[tamper]
P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
U1 = bytes(range(0x21, 0x41))
U2 = bytes((0x5A ^ (i * 0x3D)) & 0xFF | 0x11 for i in range(32))
K = bytes.fromhex("9c1f05e2773a4b108d61f42e53b807c93da26e910b58e724cf86197a42d365f0")


def ec(key, relation, tamper=0, window=None):
    data = bytes([key[0]]) + key[1:] + bytes([relation]) + U1 + U2
    if window is not None:
        data += bytes([window])
    return data + bytes([tamper])


kg = bytes([0]) + K
for relation in range(8):
    window = 17 if relation in (5, 6) else None
    write("ec_table_differential", f"kg-relation{relation}", ec(kg, relation, 0, window))
for tamper in (1, 2, 3):
    write("ec_table_differential", f"kg-tamper{tamper}", ec(kg, 0, tamper))
for window in (0, 63):
    write("ec_table_differential", f"kg-double-window{window}", ec(kg, 5, 0, window))
    write("ec_table_differential", f"kg-opposite-window{window}", ec(kg, 6, 0, window))
for name, key in (("g", bytes([1])), ("minus-g", bytes([2]))):
    for relation in (0, 3, 4):
        write("ec_table_differential", f"{name}-relation{relation}", ec(key, relation))
    write("ec_table_differential", f"{name}-double", ec(key, 5, 0, 5))
# x-coordinates just above n (r = x − n): the first few that are on the curve.
N_MINUS_1 = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632550
found = 0
for i in range(2, 64):
    x = N_MINUS_1 + i
    rhs = (x**3 - 3 * x + P256_B) % P256_P
    if pow(rhs, (P256_P - 1) // 2, P256_P) == 1:
        key = bytes([0x83]) + i.to_bytes(32, "big")
        write("ec_table_differential", f"x-above-n-{i}", ec(key, 7))
        found += 1
        if found == 3:
            break
write("ec_table_differential", "x-random", ec(bytes([3]) + bytes(range(32)), 0))

# --- jose-jwk: jwk_parse, jwks_parse, verify_jwt ---------------------------------------
interop_jwks = load("interop/jwks.json")
rfc_jwk = load("jwk/rfc7517-rfc7638.json")
rfc7520 = load("jwk/rfc7520-keys.json")
x5c_cases = load("jwk/x5c/cases.json")["cases"]

single = {}
for k in interop_jwks["keys"]:
    single["interop-" + k["kid"]] = k
for i, k in enumerate(rfc_jwk["rfc7517_a1"]["jwks"]["keys"]):
    single[f"rfc7517-a1-{i}"] = k
single["rfc7638"] = rfc_jwk["rfc7638_3_1"]["jwk"]
single["rfc7520-ec-p521"] = rfc7520["rfc7520_3_1"]["jwk"]
single["rfc7520-rsa"] = rfc7520["rfc7520_3_3"]["jwk"]
for case in x5c_cases:
    single["x5c-" + case["name"]] = case["jwk"]
rsa_key = interop_jwks["keys"][0]
ec_key = [k for k in interop_jwks["keys"] if k["kty"] == "EC"][0]
n_bytes = unb64(rsa_key["n"])
single.update({
    "attack-private-d": dict(rsa_key, d="AQAB"),
    "attack-oct": {"kty": "oct", "k": "c2VjcmV0", "alg": "HS256"},
    "attack-okp": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
    "attack-use-enc": dict(rsa_key, use="enc"),
    "attack-key-ops-encrypt": dict(rsa_key, key_ops=["encrypt"]),
    "attack-key-ops-dup": dict(rsa_key, key_ops=["verify", "verify"]),
    "attack-alg-mismatch": dict(rsa_key, alg="ES256"),
    "attack-alg-hs256": dict(rsa_key, alg="HS256"),
    "attack-rsa-1024": dict(rsa_key, n=b64(n_bytes[:128])),
    "attack-rsa-even-e": dict(rsa_key, e="AQAA"),
    "attack-rsa-e-1": dict(rsa_key, e="AQ"),
    "attack-rsa-leading-zero": dict(rsa_key, n=b64(b"\x00" + n_bytes)),
    "attack-rsa-padded-n": dict(rsa_key, n=rsa_key["n"] + "=="),
    "attack-rsa-no-e": {k: v for k, v in rsa_key.items() if k != "e"},
    "attack-ec-off-curve": dict(ec_key, y=b64(b"\x01" * 32)),
    "attack-ec-short-x": dict(ec_key, x=b64(unb64(ec_key["x"])[1:])),
    "attack-ec-p384": dict(ec_key, crv="P-384"),
    "attack-ec-no-crv": {k: v for k, v in ec_key.items() if k != "crv"},
    "attack-kid-long": dict(ec_key, kid="k" * 300),
    "attack-kid-number": dict(ec_key, kid=7),
    "attack-x5c-garbage": dict(rsa_key, x5c=["AAAA"]),
    "attack-x5c-not-array": dict(rsa_key, x5c="MIIB"),
})
for name, key in single.items():
    write("jwk_parse", name, json.dumps(key))
write("jwk_parse", "attack-dup-n", '{"kty":"RSA","n":"%s","n":"AQAB","e":"AQAB"}' % rsa_key["n"])
write("jwk_parse", "attack-not-object", "[]")

sets = {
    "interop": interop_jwks,
    "rfc7517-a1": rfc_jwk["rfc7517_a1"]["jwks"],
    "x5c-all": {"keys": [c["jwk"] for c in x5c_cases]},
    "mixed": {"keys": [single["attack-okp"], single["attack-oct"], single["attack-rsa-1024"],
                        single["attack-private-d"], "not an object", 7, rsa_key, ec_key]},
    "duplicate-kid": {"keys": [rsa_key, dict(ec_key, kid=rsa_key["kid"])]},
    "no-usable": {"keys": [single["attack-oct"], single["attack-use-enc"]]},
    "empty": {"keys": []},
    "keys-object": {"keys": {}},
    "no-keys": {"kty": "RSA"},
    "too-many": {"keys": [ec_key] * 101},
    "deep": {"keys": [ec_key], "x": [[[[[[[[[[1]]]]]]]]]]},
}
for name, s in sets.items():
    write("jwks_parse", name, json.dumps(s))
write("jwks_parse", "dup-keys", '{"keys":[],"keys":[%s]}' % json.dumps(ec_key))
# The set limit is 256 KiB: one seed at it, one byte over.
head = '{"keys":[%s],"pad":"' % json.dumps(ec_key)
at_limit = head + "x" * (256 * 1024 - len(head) - 2) + '"}'
assert len(at_limit) == 256 * 1024
write("jwks_parse", "limit-at", at_limit)
write("jwks_parse", "limit-over", at_limit[:-2] + 'x"}')

for t in load("interop/pyjwt-tokens.json")["tokens"]:
    write("verify_jwt", t["name"], t["token"])
es_tok = tokens["pyjwt-es256"]
h, p, s = es_tok.split(".")
sig = unb64(s)
N = int("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16)
high_s = (N - int.from_bytes(sig[32:], "big")).to_bytes(32, "big")
write("verify_jwt", "es256-high-s-twin", f"{h}.{p}.{b64(sig[:32] + high_s)}")
rs_tok = tokens["pyjwt-rs256-2048"]
h, p, s = rs_tok.split(".")
hdr = json.loads(unb64(h))
verify_attacks = {
    "alg-none": (dict(hdr, alg="none"), p, ""),
    "alg-none-sig": (dict(hdr, alg="none"), p, s),
    "hs256-confusion": (dict(hdr, alg="HS256"), p, s),
    "alg-ps256-on-rs-sig": (dict(hdr, alg="PS256"), p, s),
    "kid-other": (dict(hdr, kid="rsa-3072"), p, s),
    "kid-missing": ({k: v for k, v in hdr.items() if k != "kid"}, p, s),
    "jwk-injection": (dict(hdr, jwk=ec_key), p, s),
    "jku": (dict(hdr, jku="https://evil.example/jwks.json"), p, s),
    "b64-false": (dict(hdr, b64=False, crit=["b64"]), p, s),
}
for name, (header, payload, signature) in verify_attacks.items():
    write("verify_jwt", "attack-" + name, f"{b64(json.dumps(header, separators=(',', ':')))}.{payload}.{signature}")
write("verify_jwt", "attack-der-es256", f"{es_tok.rsplit('.', 1)[0]}.{b64(der)}")

# provider_responses: binary scripts in the layout documented on
# jose_fuzz::provider_responses. Statuses and header names are indexes into its tables.
STATUS = {200: 0, 304: 1, 503: 2, 429: 3, 404: 4, 302: 5, 500: 6, 410: 7, 301: 8}
HEADER = {n: i for i, n in enumerate(["cache-control", "age", "expires", "date",
                                      "retry-after", "etag", "last-modified", "location"])}
VALID_SET, DISCOVERY_DOC = 0, 1
VERIFY, VERIFY_UNKNOWN_KID, REFRESH_NOW, READY = 0, 1, 2, 3


def reply(status, headers=(), body=None):
    out = bytes([STATUS[status], len(headers)])
    for name, value in headers:
        out += bytes([HEADER[name], len(value)]) + value.encode()
    if body is None:
        return out + b"\x03"
    if isinstance(body, int):
        return out + bytes([body])
    return out + b"\x02" + struct.pack(">H", len(body)) + body


def script(issuer, replies, steps):
    out = bytes([1 if issuer else 0, len(replies)]) + b"".join(replies)
    return out + b"".join(bytes([action, advance]) for action, advance in steps)


HUGE = "18446744073709551615"
DATE = "Sun, 22 Nov 2026 10:00:00 GMT"
provider_scripts = {
    "fresh-then-refresh": script(False, [
        reply(200, [("cache-control", "max-age=600")], VALID_SET),
        reply(200, [], VALID_SET)], [(VERIFY, 0), (VERIFY, 7), (VERIFY_UNKNOWN_KID, 0)]),
    "discovery-etag-304": script(True, [
        reply(200, [], DISCOVERY_DOC),
        reply(200, [("etag", '"v1"'), ("cache-control", "max-age=60")], VALID_SET),
        reply(304, [])], [(READY, 0), (REFRESH_NOW, 1), (VERIFY, 1)]),
    "huge-stale-if-error": script(False, [
        reply(200, [("cache-control", f"max-age=600, stale-if-error={HUGE}")], VALID_SET),
        reply(200, [], VALID_SET)], [(VERIFY, 0), (REFRESH_NOW, 7), (VERIFY, 200)]),
    "huge-retry-after": script(False, [
        reply(503, [("retry-after", HUGE)]),
        reply(200, [], VALID_SET)], [(VERIFY, 0), (VERIFY, 0), (VERIFY, 40)]),
    "retry-after-date-expires-0": script(False, [
        reply(429, [("retry-after", "Sun, 22 Nov 2026 10:05:00 GMT"), ("date", DATE)]),
        reply(200, [("expires", "0"), ("date", DATE)], VALID_SET)],
        [(VERIFY, 0), (VERIFY, 4), (VERIFY_UNKNOWN_KID, 0)]),
    "redirects": script(False, [
        reply(302, [("location", "/keys")]),
        reply(200, [], VALID_SET),
        reply(301, [("location", "http://idp.example/jwks")])],
        [(VERIFY, 0), (REFRESH_NOW, 10), (VERIFY_UNKNOWN_KID, 0)]),
    "outage-stale-then-closed": script(False, [
        reply(200, [("cache-control", "max-age=60")], VALID_SET),
        reply(500, []), reply(500, [])],
        [(VERIFY, 0), (VERIFY, 1), (VERIFY_UNKNOWN_KID, 1), (VERIFY, 250)]),
    "redirect-other-origin": script(False, [
        reply(302, [("location", "https://evil.example/jwks")]),
        reply(200, [], VALID_SET)], [(VERIFY, 0)]),
    "discovery-wrong-issuer": script(True, [
        reply(200, [], b'{"issuer":"https://evil.example","jwks_uri":"https://idp.example/jwks"}'),
        reply(200, [], VALID_SET)], [(VERIFY, 0)]),
    "discovery-jwks-elsewhere": script(True, [
        reply(200, [], b'{"issuer":"https://idp.example","jwks_uri":"https://keys.example/jwks"}'),
        reply(200, [], VALID_SET)], [(VERIFY, 0)]),
    "html-200-and-discovery-404": script(True, [
        reply(200, [], DISCOVERY_DOC),
        reply(200, [], b"<html><body>Login</body></html>"),
        reply(404, [])], [(READY, 0), (VERIFY, 3)]),
}
for name, data in provider_scripts.items():
    write("provider_responses", name, data)

# bearer_request: headers in the layout documented on jose_fuzz::bearer_request.
AUTHZ, COOKIE, X_TOKEN, X_OTHER = 0, 1, 2, 3


def request(*headers):
    out = bytes([len(headers)])
    for name, value in headers:
        if isinstance(value, str):
            value = value.encode()
        out += bytes([name]) + struct.pack(">H", len(value)) + value
    return out


valid_tokens = [t["token"] for t in load("interop/pyjwt-tokens.json")["tokens"]
                if t["expected"] == "valid"]
tok = valid_tokens[0]
bearer_requests = {
    "bearer": request((AUTHZ, "Bearer " + tok)),
    "bearer-lowercase-spaces": request((AUTHZ, "bearer   " + tok + " ")),
    "bearer-es256": request((AUTHZ, "Bearer " + valid_tokens[-1])),
    "two-authorization": request((AUTHZ, "Bearer " + tok), (AUTHZ, "Bearer " + tok)),
    "two-tokens": request((AUTHZ, "Bearer " + tok + " " + tok)),
    "basic": request((AUTHZ, "Basic dXNlcjpwYXNz"), (COOKIE, "id_token=" + tok)),
    "cookie": request((COOKIE, "theme=dark; id_token=" + tok + "; lang=en")),
    "cookie-twice": request((COOKIE, "id_token=" + tok + "; id_token=" + tok)),
    "cookie-empty": request((COOKIE, "id_token=")),
    "custom-header": request((X_TOKEN, tok), (X_OTHER, "Bearer " + tok)),
    "non-token68": request((AUTHZ, "Bearer " + tok[:40] + "!" + tok[41:])),
    "bad-signature": request((AUTHZ, "Bearer " + tok[:-4] + "AAAA")),
    "empty": request(),
}
for name, data in bearer_requests.items():
    write("bearer_request", name, data)
