#!/usr/bin/env python3
"""Generates the interop fixtures for ES384, ES512 and EdDSA (Ed25519): three test keys,
a JWK Set and tokens signed by an independent implementation (PyJWT on pyca/cryptography),
each valid token with a tampered twin. A separate script from generate.py so that the
existing keys and tokens stay as they are. Run once by hand; the outputs are committed
and CI never runs this script.

    pip install pyjwt cryptography
    python3 test-vectors/interop/generate_curves.py

The private keys are TEST KEYS ONLY, published here on purpose.
"""
import base64
import json
import os

import cryptography
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "..", "keys")

ISS = "https://issuer.example"
AUD = "jose-tests"
IAT = 1767225600  # 2026-01-01T00:00:00Z
EXP = IAT + 3600
NOW = IAT + 60


def b64u(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def write_private(name, key):
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with open(os.path.join(KEYS, name + ".pem"), "wb") as f:
        f.write(pem)
    pub = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with open(os.path.join(KEYS, name + ".pub.pem"), "wb") as f:
        f.write(pub)


def ec_jwk(kid, crv, size, key):
    nums = key.public_key().public_numbers()
    return {
        "kty": "EC",
        "kid": kid,
        "use": "sig",
        "crv": crv,
        "x": b64u(nums.x.to_bytes(size, "big")),
        "y": b64u(nums.y.to_bytes(size, "big")),
    }


def okp_jwk(kid, key):
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "kid": kid, "use": "sig", "crv": "Ed25519", "x": b64u(raw)}


def tamper(token):
    """Flips one bit of the signature's first octet: the same token, no longer genuine."""
    head, payload, sig = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[0] ^= 0x01
    return ".".join([head, payload, b64u(bytes(raw))])


def main():
    os.makedirs(KEYS, exist_ok=True)
    keys = {
        "ec-p384": ec.generate_private_key(ec.SECP384R1()),
        "ec-p521": ec.generate_private_key(ec.SECP521R1()),
        "ed25519": ed25519.Ed25519PrivateKey.generate(),
    }
    for name, key in keys.items():
        write_private(name, key)

    jwks = {
        "keys": [
            ec_jwk("ec-p384", "P-384", 48, keys["ec-p384"]),
            ec_jwk("ec-p521", "P-521", 66, keys["ec-p521"]),
            okp_jwk("ed25519", keys["ed25519"]),
        ]
    }
    with open(os.path.join(HERE, "jwks-curves.json"), "w") as f:
        json.dump(jwks, f, indent=2)
        f.write("\n")

    claims = {"iss": ISS, "aud": AUD, "sub": "alice", "iat": IAT, "nbf": IAT, "exp": EXP,
              "scope": "read write"}
    cases = []

    def add(name, alg, kid, token, expected, note=None):
        case = {"name": name, "alg": alg, "kid": kid, "token": token, "expected": expected}
        if note:
            case["note"] = note
        cases.append(case)

    def signed(name, alg, kid, payload=claims):
        token = jwt.encode(payload, keys[kid], algorithm=alg, headers={"kid": kid})
        add(name, alg, kid, token, "valid")
        add(name + "-tampered", alg, kid, tamper(token), "ERR_JWS_SIGNATURE_INVALID",
            "the valid token with one bit of its signature flipped")

    signed("es384", "ES384", "ec-p384")
    signed("es512", "ES512", "ec-p521")
    signed("eddsa", "EdDSA", "ed25519")

    # RFC 9864's fully-specified name. PyJWT writes "EdDSA" only, so the token is
    # assembled here and signed by pyca/cryptography's Ed25519 directly.
    header = b64u(json.dumps({"alg": "Ed25519", "kid": "ed25519", "typ": "JWT"},
                             separators=(",", ":")).encode())
    payload = b64u(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = (header + "." + payload).encode()
    token = header + "." + payload + "." + b64u(keys["ed25519"].sign(signing_input))
    add("ed25519-name", "Ed25519", "ed25519", token, "valid",
        "alg \"Ed25519\" (RFC 9864), signed by pyca/cryptography")
    add("ed25519-name-tampered", "Ed25519", "ed25519", tamper(token),
        "ERR_JWS_SIGNATURE_INVALID", "the valid token with one bit of its signature flipped")

    add("es384-wrong-aud", "ES384", "ec-p384",
        jwt.encode(dict(claims, aud="other-api"), keys["ec-p384"], algorithm="ES384",
                   headers={"kid": "ec-p384"}),
        "ERR_JWT_CLAIM_INVALID")
    add("es512-expired", "ES512", "ec-p521",
        jwt.encode(dict(claims, exp=IAT + 30), keys["ec-p521"], algorithm="ES512",
                   headers={"kid": "ec-p521"}),
        "ERR_JWT_EXPIRED", "exp is 30 s after iat; at NOW (iat + 60) it has expired")

    out = {
        "source": "Signed by PyJWT %s on pyca/cryptography %s (an independent implementation), "
        "generated by test-vectors/interop/generate_curves.py" % (jwt.__version__,
                                                                 cryptography.__version__),
        "jwks": "test-vectors/interop/jwks-curves.json",
        "validation": {"iss": ISS, "aud": AUD, "now": NOW, "leeway": 0},
        "tokens": cases,
    }
    with open(os.path.join(HERE, "pyjwt-curves-tokens.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
