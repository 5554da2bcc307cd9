//! The `es256_verify_differential` target: ES256 key import and verification in
//! `jose-core` against the `p256` crate.

use jose_core::{Algorithm, VerifyingKey};
use p256::ecdsa::Signature;
use p256::ecdsa::signature::{Signer as _, Verifier as _};

use crate::input::Input;
use crate::keys;

/// The order n of the P-256 group, big-endian.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

const FLAG_HIGH_S: u8 = 1;
const FLAG_MUTATE: u8 = 2;
const FLAG_DER: u8 = 4;
const FLAG_RESIZE: u8 = 8;

/// Flags of a fuzzer-chosen key (mode 2).
const KEY_FROM_SCALAR: u8 = 1;
const KEY_MUTATE: u8 = 2;
const KEY_LENGTHS: u8 = 4;

/// Fuzz target `es256_verify_differential`.
///
/// Input: a mode, then
/// - mode 0: the fixed test key, a length-prefixed message, the rest as signature;
/// - mode 1: the fixed key, flags, a message and its valid (RFC 6979) signature, which
///   the flags may turn high-S (`s` → `n − s`), damage, DER-encode or resize;
/// - mode 2: a fuzzer-chosen key: key flags, then either raw 32-byte `x` and `y`, or a
///   private scalar whose public key is used (optionally damaged), then a message and
///   either a raw signature or, for a scalar, signature flags and the signature that
///   scalar makes, tweaked as in mode 1.
///
/// Oracle: `VerifyingKey::from_p256_coordinates` accepts exactly the points
/// `p256::ecdsa::VerifyingKey::from_sec1_bytes` accepts (uncompressed `04||x||y`), only
/// with 32-byte coordinates, and exports them unchanged; for an accepted key,
/// `verify_signature(ES256, …)` agrees with `Signature::from_slice` + `verify` (64-byte
/// raw `r||s`, `r`,`s` in `[1, n−1]`; p256 0.13 accepts high-S, and so do we by design,
/// docs/DESIGN.md §4.7); a key's first verification (windows over the point) and its
/// later ones (jose-core's precomputed table) agree, and both agree with `p256`; an
/// undamaged signature verifies, high-S or not; and an EC key never verifies an RSA
/// algorithm.
pub fn es256_verify_differential(data: &[u8]) {
    let mut input = Input::new(data);
    match input.byte() % 3 {
        0 => {
            let ec = keys::ec();
            let message = input.len_prefixed();
            let signature = input.rest();
            compare(&ec.ours, &ec.theirs, message, signature, false);
        }
        1 => {
            let ec = keys::ec();
            let flags = input.byte();
            let message = input.len_prefixed();
            let signature: Signature = ec.signing.sign(message);
            let (signature, must_verify) = tweak(&signature, flags, &mut input);
            compare(&ec.ours, &ec.theirs, message, &signature, must_verify);
        }
        _ => chosen_key(&mut input),
    }
}

fn chosen_key(input: &mut Input<'_>) {
    let flags = input.byte();
    if flags & KEY_LENGTHS != 0 {
        let x = input.len_prefixed();
        let y = input.len_prefixed();
        let ours = VerifyingKey::from_p256_coordinates(x, y);
        if x.len() != 32 || y.len() != 32 {
            assert!(
                ours.is_err(),
                "accepted {}/{}-byte coordinates",
                x.len(),
                y.len()
            );
            return;
        }
    }
    let (x, y, signing) = if flags & KEY_FROM_SCALAR == 0 {
        (input.array::<32>(), input.array::<32>(), None)
    } else {
        let Ok(signing) = p256::ecdsa::SigningKey::from_slice(&input.array::<32>()) else {
            return;
        };
        let point = signing.verifying_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            panic!("a public key from a valid scalar is the identity");
        };
        let (mut x, mut y): ([u8; 32], [u8; 32]) = ((*x).into(), (*y).into());
        if flags & KEY_MUTATE != 0 {
            let pos = usize::from(input.byte()) % 64;
            let mask = input.byte();
            if pos < 32 {
                x[pos] ^= mask;
            } else {
                y[pos - 32] ^= mask;
            }
        }
        (x, y, Some(signing))
    };

    let ours = VerifyingKey::from_p256_coordinates(&x, &y);
    let mut sec1 = vec![0x04];
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    let theirs = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1);
    let (ours, theirs) = match (ours, theirs) {
        (Ok(ours), Ok(theirs)) => (ours, theirs),
        (Err(_), Err(_)) => return,
        (ours, theirs) => panic!("key acceptance differs: ours {ours:?}, p256 {theirs:?}"),
    };
    assert_eq!(
        ours.p256_coordinates(),
        Some((&x, &y)),
        "coordinates changed"
    );

    let message = input.len_prefixed();
    match signing {
        Some(signing) => {
            let signature: Signature = signing.sign(message);
            let sig_flags = input.byte();
            let (signature, must_verify) = tweak(&signature, sig_flags, input);
            let same_key = signing.verifying_key() == &theirs;
            compare(&ours, &theirs, message, &signature, must_verify && same_key);
        }
        None => compare(&ours, &theirs, message, input.rest(), false),
    }
}

/// Applies the signature flags; returns the bytes and whether they must still verify.
fn tweak(signature: &Signature, flags: u8, input: &mut Input<'_>) -> (Vec<u8>, bool) {
    let mut bytes = signature.to_bytes().to_vec();
    let mut must_verify = true;
    if flags & FLAG_HIGH_S != 0 {
        let s: [u8; 32] = bytes[32..].try_into().expect("64-byte signature");
        bytes[32..].copy_from_slice(&negate_mod_order(&s));
    }
    if flags & FLAG_MUTATE != 0 {
        let count = input.byte() % 5;
        for _ in 0..count {
            let pos = usize::from(input.byte()) % bytes.len();
            let mask = input.byte();
            bytes[pos] ^= mask;
            must_verify &= mask == 0;
        }
    }
    if flags & FLAG_DER != 0 {
        let r_s = Signature::from_slice(&bytes);
        if let Ok(sig) = r_s {
            bytes = sig.to_der().as_bytes().to_vec();
        }
        must_verify = false;
    }
    if flags & FLAG_RESIZE != 0 {
        let extra = input.byte();
        if extra == 0 {
            bytes.pop();
        } else {
            bytes.extend(core::iter::repeat_n(0, usize::from(extra % 4)));
        }
        must_verify &= extra.is_multiple_of(4) && extra != 0;
    }
    (bytes, must_verify)
}

/// `n − s` for `0 < s < n` (big-endian subtraction with borrow).
pub(crate) fn negate_mod_order(s: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(ORDER[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

fn compare(
    ours: &VerifyingKey,
    theirs: &p256::ecdsa::VerifyingKey,
    message: &[u8],
    signature: &[u8],
    must_verify: bool,
) {
    let ours_ok = ours.verify_signature(Algorithm::ES256, message, signature);
    // jose-core verifies a key's first signature with `p256` and later ones with a
    // precomputed table of the key's multiples: both paths must give the same answer.
    let again = ours.verify_signature(Algorithm::ES256, message, signature);
    assert_eq!(ours_ok, again, "first and repeated verification differ");
    let theirs_ok =
        Signature::from_slice(signature).is_ok_and(|s| theirs.verify(message, &s).is_ok());
    if must_verify {
        assert!(ours_ok.is_ok(), "a valid ES256 signature was rejected");
    }
    assert_eq!(
        ours_ok.is_ok(),
        theirs_ok,
        "ES256 verification differs: ours {ours_ok:?}, p256 {theirs_ok}"
    );
    assert!(
        ours.verify_signature(Algorithm::RS256, message, signature)
            .is_err(),
        "an EC key verified RS256"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negation_is_an_involution_and_high_s_verifies_in_both() {
        let ec = keys::ec();
        let signature: Signature = ec.signing.sign(b"msg");
        let s: [u8; 32] = signature.to_bytes()[32..].try_into().unwrap();
        assert_eq!(negate_mod_order(&negate_mod_order(&s)), s);
        let (flipped, must_verify) = tweak(&signature, FLAG_HIGH_S, &mut Input::new(&[]));
        assert!(must_verify);
        assert_ne!(flipped, signature.to_bytes().to_vec());
        compare(&ec.ours, &ec.theirs, b"msg", &flipped, true);
    }

    #[test]
    fn every_mode_runs() {
        for flags in 0..64u8 {
            es256_verify_differential(&[1, flags, 3, b'a', b'b', b'c', 2, 1, 9, 3]);
            let mut chosen = vec![2, flags];
            chosen.extend_from_slice(&[7; 32]);
            chosen.extend_from_slice(&[3, b'a', b'b', b'c', 0, 1, 2, 3]);
            es256_verify_differential(&chosen);
        }
        es256_verify_differential(&[0, 1, b'x', 1, 2, 3]);
    }
}
