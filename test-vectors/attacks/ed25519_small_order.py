#!/usr/bin/env python3
"""Builds Ed25519 signatures that a cofactorless, non-strict verifier accepts but that
strict verification (canonical s, no small-order A or R) must refuse. Run once by hand;
the output, ed25519-small-order.json, is committed.

    python3 test-vectors/attacks/ed25519_small_order.py

Uses RFC 8037 A.1's published example key. Only hashlib: the arithmetic is the few lines
of RFC 8032 §5.1 needed here.
"""
import base64
import hashlib
import json
import os

L = 2**252 + 27742317777372353535851937790883648493


def b64u(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64u_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def main():
    seed = b64u_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
    public = b64u_decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254

    signing_input = (b64u(b'{"alg":"EdDSA"}') + "." + b64u(b"small-order R")).encode()
    # R = the identity (y = 1): of order 1, so [s]B = R + [k]A holds with s = k·a.
    identity = (1).to_bytes(32, "little")
    k = int.from_bytes(hashlib.sha512(identity + public + signing_input).digest(), "little") % L
    s = (k * a) % L
    small_r = identity + s.to_bytes(32, "little")

    # A = R = the identity and s = 0: "verifies" every message under the identity key.
    zero = (0).to_bytes(32, "little")
    identity_key_sig = identity + zero

    out = {
        "source": "Constructed by test-vectors/attacks/ed25519_small_order.py from RFC 8037 "
        "Appendix A.1's example key (RFC 8032 §5.1 arithmetic)",
        "key_x": b64u(public),
        "small_order_r": {
            "note": "R is the identity point; s = k·a. A cofactorless verifier that does not "
            "refuse small-order R accepts it.",
            "token": signing_input.decode() + "." + b64u(small_r),
        },
        "identity_key": {
            "note": "A = R = identity, s = 0: valid for any message under a non-strict verifier.",
            "key_x": b64u(identity),
            "token": signing_input.decode() + "." + b64u(identity_key_sig),
        },
        "group_order_l_le": b64u(L.to_bytes(32, "little")),
    }
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "ed25519-small-order.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
