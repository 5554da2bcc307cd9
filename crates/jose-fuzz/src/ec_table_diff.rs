//! The `ec_table_differential` target: jose-core's ES256 point arithmetic (the generator's
//! table, a key's table and the key's point by windows) against `p256`'s
//! `ProjectivePoint`, on fuzzer-chosen scalars `u1`, `u2` and keys `Q`, including the
//! relations between them that meet the incomplete formulas' exceptional cases, which
//! signatures from honest signers essentially never do.

use std::cell::RefCell;
use std::rc::Rc;

use jose_core::internal::Es256Key;
use p256::ecdsa::Signature;
use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use p256::elliptic_curve::point::AffineCoordinates as _;
use p256::elliptic_curve::sec1::{FromEncodedPoint as _, ToEncodedPoint as _};
use p256::elliptic_curve::{Field as _, PrimeField as _, ops::Reduce};
use p256::{AffinePoint, EncodedPoint, FieldBytes, ProjectivePoint, Scalar, U256};

use crate::input::Input;

/// Fuzz target `ec_table_differential`.
///
/// Input:
/// - a key byte (`% 4`): `Q = k·G` for a scalar `k` read next (32 octets, reduced
///   modulo `n`; 0 becomes 1), `Q = G`, `Q = −G`, or `Q` with a fuzzer-chosen
///   x-coordinate (32 octets; bit `0x80` of the key byte adds them to `n − 1`, so `x`
///   may lie in `[n, p)`, where `r = x − n`; bit `0x40` picks the odd `y`), whose
///   discrete logarithm `k` is unknown;
/// - a relation byte (`% 8`) and the scalars `u1`, `u2` (32 octets each, reduced), of
///   which the relation replaces one: 0: both as read; 1: `u2 = 0`; 2: `u1 = 0`;
///   3: `u1 = u2·k` (the point path's final addition doubles); 4: `u1 = −u2·k` (it
///   meets the opposite point: infinity); 5 and 6: `u1 = k·(±d·16^i − low)` for the
///   window `i` = the next byte `% 64`, `d` and `low` being `u2`'s digit at window `i` and
///   its digits below, so that the key table's addition of window `i` meets the
///   accumulator itself (5) or its negation (6); 7: `u1 = 0`, `u2 = 1` (`R = Q`). With
///   an unknown `k`, relations 3–6 become 7;
/// - a tamper byte (`% 4`) for the signature: none, `r + 1`, `s + 1`, or the digest's
///   last bit flipped.
///
/// Oracle: the key is accepted; `u1·G + u2·Q` by the key's table and by its point both
/// equal `p256`'s `ProjectivePoint` sum (affine `x || y`, or both infinity); and when
/// `u2 ≠ 0`, the signature whose verification computes that sum (`r = x(R) mod n`,
/// `s = r/u2`, digest `e = u1·s`; an arbitrary `r` when `R` is infinity or `x(R) ≡ 0`)
/// verifies on both paths exactly when `R` is not infinity and `x(R) ≢ 0`, as `p256`'s
/// sum says; tampered as chosen, exactly when `p256`'s `verify_prehash` accepts it.
pub fn ec_table_differential(data: &[u8]) {
    let mut input = Input::new(data);
    let key_choice = input.byte();
    let (q, k) = match key_choice % 4 {
        0 => {
            let k = scalar(&mut input);
            let k = if bool::from(k.is_zero()) {
                Scalar::ONE
            } else {
                k
            };
            (ProjectivePoint::GENERATOR * k, Some(k))
        }
        1 => (ProjectivePoint::GENERATOR, Some(Scalar::ONE)),
        2 => (-ProjectivePoint::GENERATOR, Some(-Scalar::ONE)),
        _ => match point_from_x(key_choice, input.array::<32>()) {
            Some(q) => (q.into(), None),
            None => return,
        },
    };
    let relation = input.byte() % 8;
    let mut u1 = scalar(&mut input);
    let mut u2 = scalar(&mut input);
    match (relation, k) {
        (0, _) => {}
        (1, _) => u2 = Scalar::ZERO,
        (2, _) => u1 = Scalar::ZERO,
        (3, Some(k)) => u1 = u2 * k,
        (4, Some(k)) => u1 = -(u2 * k),
        (5 | 6, Some(k)) => {
            let (low, at) = split_at_window(&u2, usize::from(input.byte() % 64));
            u1 = if relation == 5 {
                k * (at - low)
            } else {
                -(k * (at + low))
            };
        }
        _ => (u1, u2) = (Scalar::ZERO, Scalar::ONE),
    }
    let tamper = input.byte() % 4;

    let q_affine = q.to_affine();
    let encoded = q_affine.to_encoded_point(false);
    let (Some(x), Some(y)) = (encoded.x(), encoded.y()) else {
        panic!("the key is the identity");
    };
    let ours = key_multiples(&(*x).into(), &(*y).into());

    let sum = (ProjectivePoint::GENERATOR * u1 + q * u2).to_affine();
    let expected = affine_bytes(&sum);
    let (u1_bytes, u2_bytes) = (u1.to_repr().into(), u2.to_repr().into());
    for by_table in [true, false] {
        assert_eq!(
            ours.u1g_plus_u2q(&u1_bytes, &u2_bytes, by_table),
            expected,
            "u1·G + u2·Q differs (relation {relation}, by table {by_table})"
        );
    }

    if bool::from(u2.is_zero()) {
        return; // no signature has u2 = r/s = 0
    }
    let x_mod_n = <Scalar as Reduce<U256>>::reduce_bytes(&sum.x());
    let (mut r, valid) = match expected {
        Some(_) if !bool::from(x_mod_n.is_zero()) => (x_mod_n, true),
        _ => (Scalar::from(0x5eed_u64), false),
    };
    let mut s = r * u2.invert().expect("u2 is not zero");
    let mut digest: [u8; 32] = (u1 * s).to_repr().into();
    match tamper {
        1 => r += Scalar::ONE,
        2 => s += Scalar::ONE,
        3 => digest[31] ^= 1,
        _ => {}
    }
    // Untampered, verification recomputes exactly u1 and u2, so p256's answer is its
    // sum's (`valid`), compared above; tampered, p256 verifies afresh.
    let theirs = if tamper == 0 {
        valid
    } else {
        !bool::from(r.is_zero() | s.is_zero())
            && p256::ecdsa::VerifyingKey::from_affine(q_affine)
                .expect("the key is valid")
                .verify_prehash(
                    &digest,
                    &Signature::from_scalars(r, s).expect("r, s in range"),
                )
                .is_ok()
    };
    let (r_bytes, s_bytes) = (r.to_repr().into(), s.to_repr().into());
    for by_table in [true, false] {
        assert_eq!(
            ours.verify_prehash(&digest, &r_bytes, &s_bytes, by_table),
            theirs,
            "verification differs (relation {relation}, tamper {tamper}, by table {by_table})"
        );
    }
}

/// jose's multiples of the key `(x, y)`. Building a key's table costs more than the rest
/// of an input, and the fuzzer's mutations often keep the key, so the last one is kept.
fn key_multiples(x: &[u8; 32], y: &[u8; 32]) -> Rc<Es256Key> {
    type Last = Option<([u8; 32], [u8; 32], Rc<Es256Key>)>;
    thread_local! {
        static LAST: RefCell<Last> = const { RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((lx, ly, key)) = last.as_ref()
            && (lx, ly) == (x, y)
        {
            return Rc::clone(key);
        }
        let key = Rc::new(Es256Key::new(x, y).expect("a point on the curve refused"));
        *last = Some((*x, *y, Rc::clone(&key)));
        key
    })
}

/// 32 octets of input as a scalar, reduced modulo `n`.
fn scalar(input: &mut Input<'_>) -> Scalar {
    <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(input.array::<32>()))
}

/// The point with x-coordinate `x` (or `n − 1 + x`, for bit `0x80` of `choice`), its
/// `y` odd for bit `0x40`; `None` if there is none.
fn point_from_x(choice: u8, mut x: [u8; 32]) -> Option<AffinePoint> {
    if choice & 0x80 != 0 {
        let n_minus_1 = (-Scalar::ONE).to_repr();
        let mut carry = 0u16;
        for (digit, n) in x.iter_mut().zip(n_minus_1.iter()).rev() {
            let sum = u16::from(*digit) + u16::from(*n) + carry;
            *digit = sum as u8;
            carry = sum >> 8;
        }
        if carry != 0 {
            return None;
        }
    }
    let mut compressed = [0u8; 33];
    compressed[0] = if choice & 0x40 != 0 { 0x03 } else { 0x02 };
    compressed[1..].copy_from_slice(&x);
    let encoded = EncodedPoint::from_bytes(compressed).ok()?;
    Option::from(AffinePoint::from_encoded_point(&encoded))
}

/// Affine `x || y` of a point, `None` for the identity.
fn affine_bytes(point: &AffinePoint) -> Option<[u8; 64]> {
    let encoded = point.to_encoded_point(false);
    let (x, y) = (encoded.x()?, encoded.y()?);
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(x);
    out[32..].copy_from_slice(y);
    Some(out)
}

/// The value of `u`'s 4-bit digits below `window`, and its digit at `window` times
/// `16^window`.
fn split_at_window(u: &Scalar, window: usize) -> (Scalar, Scalar) {
    let bytes = u.to_repr();
    let (mut low, mut at) = ([0u8; 32], [0u8; 32]);
    for w in 0..=window {
        let (byte, shift) = (31 - w / 2, 4 * (w % 2));
        let digit = (bytes[byte] >> shift) & 0x0f;
        let into = if w == window { &mut at } else { &mut low };
        into[byte] |= digit << shift;
    }
    // Both are at most u, so below n.
    let scalar = |b: [u8; 32]| Option::from(Scalar::from_repr(b.into())).unwrap_or(Scalar::ZERO);
    (scalar(low), scalar(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_relation_runs() {
        for key in [0u8, 1, 2, 3, 0x83, 0xc3] {
            for relation in 0..8u8 {
                for tamper in 0..4u8 {
                    let mut data = vec![key];
                    if key % 4 == 0 || key % 4 == 3 {
                        data.extend_from_slice(&[0x3c; 32]);
                    }
                    data.push(relation);
                    data.extend_from_slice(&[0xa7; 32]);
                    data.extend_from_slice(&[0x59; 32]);
                    data.extend_from_slice(&[17, tamper]);
                    ec_table_differential(&data);
                }
            }
        }
    }

    #[test]
    fn x_above_n_reaches_r_plus_n() {
        // About half of the values n − 1 + i are x-coordinates of points; for those,
        // relation 7 signs with R = Q, so r = x − n = i − 1.
        let mut found = 0;
        for i in 2u8..40 {
            let mut x = [0u8; 32];
            x[31] = i;
            if point_from_x(0x83, x).is_some() {
                let mut data = vec![0x83];
                data.extend_from_slice(&x);
                data.push(7);
                ec_table_differential(&data);
                found += 1;
            }
        }
        assert!(found > 5);
    }
}
