//! The `ec_wide_verify_differential` and `ed25519_verify_differential` targets: ES384,
//! ES512 and EdDSA key import and verification in `jose-core` against the curves' own
//! crates (`p384`, `p521`, `ed25519-dalek`).

use ed25519_dalek::Signer as _;
use ed25519_dalek::Verifier as _;
use jose_core::{Algorithm, VerifyingKey};

use crate::input::Input;

const FLAG_MUTATE: u8 = 1;
const FLAG_DER: u8 = 2;
const FLAG_RESIZE: u8 = 4;
const FLAG_HIGH_S: u8 = 8;

/// The group orders, big-endian, at the curve's scalar length.
const P384_ORDER: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";
const P521_ORDER: &str = "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409";
/// Ed25519's group order L, little-endian.
const ED25519_ORDER_LE: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// Fuzz target `ec_wide_verify_differential`.
///
/// Input: a byte choosing P-384 (even) or P-521 (odd), a mode, then
/// - mode 0: a 48/66-byte private scalar, a length-prefixed message, the rest as the
///   signature;
/// - mode 1: a private scalar, flags, a message; the scalar's RFC 6979 signature, which
///   the flags may damage, DER-encode, resize or turn high-S;
/// - mode 2: raw `x` and `y` (48/66 bytes each), a message, the rest as the signature.
///
/// Oracle: jose imports exactly the points the curve's crate imports
/// (`from_sec1_bytes` of `04||x||y`) and exports them unchanged; for an imported key,
/// `verify_signature(ES384|ES512, …)` agrees with the crate's `Signature::from_slice` +
/// `verify` (which hashes with SHA-384 / SHA-512 itself); an undamaged signature, high-S
/// or not, verifies; and the key refuses every other algorithm with a key mismatch.
pub fn ec_wide_verify_differential(data: &[u8]) {
    let mut input = Input::new(data);
    let p384 = input.byte().is_multiple_of(2);
    let (alg, len) = if p384 {
        (Algorithm::ES384, 48)
    } else {
        (Algorithm::ES512, 66)
    };
    let mode = input.byte() % 3;
    if mode == 2 {
        let x = input.bytes(len).to_vec();
        let y = input.bytes(len).to_vec();
        let message = input.len_prefixed();
        let signature = input.rest();
        let sec1 = [&[4u8][..], &x, &y].concat();
        let ours = if p384 {
            VerifyingKey::from_p384_coordinates(&x, &y)
        } else {
            VerifyingKey::from_p521_coordinates(&x, &y)
        };
        let theirs_ok = x.len() == len
            && y.len() == len
            && if p384 {
                p384::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).is_ok()
            } else {
                p521::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).is_ok()
            };
        match ours {
            Ok(ours) => {
                assert!(theirs_ok, "jose imported a point its crate refuses");
                assert_eq!(ours.ec_coordinates(), Some((&x[..], &y[..])));
                compare(&ours, alg, &sec1, message, signature, false);
            }
            Err(_) => assert!(!theirs_ok, "jose refused a point its crate imports"),
        }
        return;
    }
    let scalar = input.bytes(len).to_vec();
    let flags = if mode == 1 { input.byte() } else { 0 };
    let message = input.len_prefixed();
    let (sec1, signature) = if p384 {
        let Ok(signing) = p384::ecdsa::SigningKey::from_slice(&scalar) else {
            return;
        };
        let sig: p384::ecdsa::Signature = signing.sign(message);
        let point = signing.verifying_key().to_encoded_point(false);
        (point.as_bytes().to_vec(), sig.to_bytes().to_vec())
    } else {
        let Ok(signing) = p521::ecdsa::SigningKey::from_slice(&scalar) else {
            return;
        };
        let sig: p521::ecdsa::Signature = signing.sign(message);
        let point = p521::ecdsa::VerifyingKey::from(&signing).to_encoded_point(false);
        (point.as_bytes().to_vec(), sig.to_bytes().to_vec())
    };
    let (x, y) = sec1[1..].split_at(len);
    let ours = if p384 {
        VerifyingKey::from_p384_coordinates(x, y)
    } else {
        VerifyingKey::from_p521_coordinates(x, y)
    }
    .expect("jose imports a key made from a valid scalar");
    if mode == 0 {
        compare(&ours, alg, &sec1, message, input.rest(), false);
        return;
    }
    let order = hex(if p384 { P384_ORDER } else { P521_ORDER });
    let (signature, must_verify) = tweak(signature, flags, &order, &mut input);
    compare(&ours, alg, &sec1, message, &signature, must_verify);
}

fn compare(
    ours: &VerifyingKey,
    alg: Algorithm,
    sec1: &[u8],
    message: &[u8],
    signature: &[u8],
    must_verify: bool,
) {
    use p384::ecdsa::signature::Verifier as _;
    let theirs = if alg == Algorithm::ES384 {
        let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(sec1).expect("their key");
        signature.len() == 96
            && p384::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify(message, &sig).is_ok())
    } else {
        let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(sec1).expect("their key");
        signature.len() == 132
            && p521::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify(message, &sig).is_ok())
    };
    let result = ours.verify_signature(alg, message, signature);
    assert_eq!(result.is_ok(), theirs, "{alg}: jose and its crate disagree");
    if let Err(e) = result {
        assert_eq!(e.code(), "ERR_JWS_SIGNATURE_INVALID");
    }
    if must_verify {
        assert!(theirs, "{alg}: an undamaged signature must verify");
    }
    for other in Algorithm::ALL {
        if other != alg {
            let refused = ours.verify_signature(other, message, signature);
            assert_eq!(refused.map_err(|e| e.code()), Err("ERR_JOSE_KEY_MISMATCH"));
        }
    }
}

/// Applies the signature flags; returns the bytes and whether they must still verify.
fn tweak(mut sig: Vec<u8>, flags: u8, order: &[u8], input: &mut Input<'_>) -> (Vec<u8>, bool) {
    let half = sig.len() / 2;
    let mut must_verify = true;
    if flags & FLAG_HIGH_S != 0 {
        // s -> n - s: the other valid signature (r, -s).
        let s = sig[half..].to_vec();
        let mut borrow = 0i16;
        for i in (0..half).rev() {
            let d = i16::from(order[i]) - i16::from(s[i]) - borrow;
            sig[half + i] = d.rem_euclid(256) as u8;
            borrow = i16::from(d < 0);
        }
    }
    if flags & FLAG_MUTATE != 0 {
        let pos = usize::from(input.byte()) % sig.len();
        let mask = input.byte() | 1;
        sig[pos] ^= mask;
        must_verify = false;
    }
    if flags & FLAG_DER != 0 {
        let (r, s) = sig.split_at(half);
        sig = der(r, s);
        must_verify = false;
    }
    if flags & FLAG_RESIZE != 0 {
        let n = usize::from(input.byte()) % (sig.len() + 2);
        sig.resize(n, input.byte());
        must_verify = false;
    }
    (sig, must_verify)
}

fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
    fn len(n: usize) -> Vec<u8> {
        if n < 128 {
            vec![n as u8]
        } else {
            vec![0x81, n as u8]
        }
    }
    fn int(bytes: &[u8]) -> Vec<u8> {
        let start = bytes
            .iter()
            .position(|b| *b != 0)
            .unwrap_or(bytes.len().saturating_sub(1));
        let mut v = bytes[start..].to_vec();
        if v.first().is_some_and(|b| b & 0x80 != 0) {
            v.insert(0, 0);
        }
        [vec![2], len(v.len()), v].concat()
    }
    let body = [int(r), int(s)].concat();
    [vec![0x30], len(body.len()), body].concat()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex constant"))
        .collect()
}

/// Fuzz target `ed25519_verify_differential`.
///
/// Input: a mode, then
/// - mode 0: a 32-byte seed, a length-prefixed message, the rest as the signature;
/// - mode 1: a seed, flags, a message; the seed's signature, which the flags may damage,
///   resize, or give `s + L` (the same scalar, non-canonically encoded);
/// - mode 2: a 32-byte public key, a message, the rest as the signature.
///
/// Oracle: jose imports exactly the keys `ed25519-dalek` decodes that are canonically
/// encoded (re-compressing gives the same bytes) and not of small order; for an
/// imported key, `verify_signature(EdDSA|Ed25519, …)` agrees with `verify_strict`, and
/// whatever jose accepts the lax `verify` accepts too; an undamaged signature verifies;
/// `s + L` never does; and the key refuses every ECDSA and RSA algorithm.
pub fn ed25519_verify_differential(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.byte() % 3;
    if mode == 2 {
        let key: [u8; 32] = input.array();
        let message = input.len_prefixed();
        let signature = input.rest();
        let theirs = ed25519_dalek::VerifyingKey::from_bytes(&key)
            .ok()
            .filter(|k| !k.is_weak() && k.to_edwards().compress().to_bytes() == key);
        match (VerifyingKey::from_ed25519_bytes(&key), theirs) {
            (Ok(ours), Some(theirs)) => {
                assert_eq!(ours.okp_x(), Some(&key));
                compare_ed(&ours, &theirs, message, signature, false);
            }
            (Err(_), None) => {}
            (ours, theirs) => panic!("key acceptance differs: ours {ours:?}, dalek {theirs:?}"),
        }
        return;
    }
    let signing = ed25519_dalek::SigningKey::from_bytes(&input.array());
    let flags = if mode == 1 { input.byte() } else { 0 };
    let message = input.len_prefixed();
    let theirs = signing.verifying_key();
    let ours = VerifyingKey::from_ed25519_bytes(theirs.as_bytes())
        .expect("jose imports a key made from a seed");
    if mode == 0 {
        compare_ed(&ours, &theirs, message, input.rest(), false);
        return;
    }
    let mut sig = signing.sign(message).to_bytes().to_vec();
    let mut must_verify = true;
    if flags & FLAG_HIGH_S != 0 {
        // s + L: fits in 256 bits because s < L < 2^253.
        let mut carry = 0u16;
        for i in 0..32 {
            let t = u16::from(sig[32 + i]) + u16::from(ED25519_ORDER_LE[i]) + carry;
            sig[32 + i] = t as u8;
            carry = t >> 8;
        }
        let ours = ours.verify_signature(Algorithm::EdDSA, message, &sig);
        assert!(ours.is_err(), "s + L verified");
        must_verify = false;
    }
    if flags & FLAG_MUTATE != 0 {
        let pos = usize::from(input.byte()) % sig.len();
        sig[pos] ^= input.byte() | 1;
        must_verify = false;
    }
    if flags & FLAG_RESIZE != 0 {
        let n = usize::from(input.byte()) % 66;
        sig.resize(n, input.byte());
        must_verify = false;
    }
    compare_ed(&ours, &theirs, message, &sig, must_verify);
}

fn compare_ed(
    ours: &VerifyingKey,
    theirs: &ed25519_dalek::VerifyingKey,
    message: &[u8],
    signature: &[u8],
    must_verify: bool,
) {
    let (strict, lax) = match <[u8; 64]>::try_from(signature) {
        Ok(sig) => {
            let sig = ed25519_dalek::Signature::from_bytes(&sig);
            (
                theirs.verify_strict(message, &sig).is_ok(),
                theirs.verify(message, &sig).is_ok(),
            )
        }
        Err(_) => (false, false),
    };
    for alg in [Algorithm::EdDSA, Algorithm::Ed25519] {
        let result = ours.verify_signature(alg, message, signature);
        assert_eq!(
            result.is_ok(),
            strict,
            "{alg}: jose and verify_strict disagree"
        );
        assert!(
            result.is_err() || lax,
            "jose accepted what even lax verify refuses"
        );
    }
    if must_verify {
        assert!(strict, "an undamaged signature must verify");
    }
    for other in Algorithm::ALL {
        if !matches!(other, Algorithm::EdDSA | Algorithm::Ed25519) {
            let refused = ours.verify_signature(other, message, signature);
            assert_eq!(refused.map_err(|e| e.code()), Err("ERR_JOSE_KEY_MISMATCH"));
        }
    }
}
