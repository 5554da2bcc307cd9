//! ES256 verification from precomputed multiples of the public key and the generator.
//!
//! ECDSA verification computes `u1·G + u2·Q` from public data only, so it may be
//! variable time. `p256` does it with 256 doublings and about 128 additions every time.
//! With the multiples `d·2^(w·i)·P` stored, a scalar multiplication becomes one addition per `w`-bit window and no
//! doubling at all:
//! - `G`: 8-bit windows, 32 × 255 points (about 780 KB), built once per process;
//! - each key `Q`: 4-bit windows, 64 × 15 points (about 92 KB), built on the key's second
//!   verification, so a key seen once costs nothing extra and a key set's memory stays
//!   bounded by its size (at most 100 keys by default).
//!
//! Checked against `p256`'s own verification by the unit test below, every Wycheproof
//! ECDSA P-256 case, and the ES256 differential fuzz target.

use std::sync::OnceLock;

use p256::elliptic_curve::ops::{Invert, Reduce};
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::{Group, PrimeField};
use p256::{FieldBytes, ProjectivePoint, Scalar, U256};

/// Multiples of one point for fixed-window scalar multiplication.
pub(crate) struct Table {
    window_bits: usize,
    /// `points[i·digits + d - 1] = d·2^(window_bits·i)·P` for `d` in `1..=digits`.
    /// Projective: `p256` 0.13 has no batch inversion, and one inversion per point would
    /// cost more than the cheaper mixed addition saves.
    points: Box<[ProjectivePoint]>,
}

impl Table {
    /// Builds the table of `base` with `W` bits per window (`W` is 4 or 8 and `D` is
    /// `2^W - 1`, the digits per window).
    pub(crate) fn new<const W: usize, const D: usize>(base: &ProjectivePoint) -> Table {
        let windows = 256 / W;
        let mut points = Vec::with_capacity(windows * D);
        let mut window_base = *base;
        for _ in 0..windows {
            let mut multiples = [ProjectivePoint::IDENTITY; D];
            let mut multiple = window_base;
            for slot in multiples.iter_mut() {
                *slot = multiple;
                multiple += window_base;
            }
            points.extend_from_slice(&multiples);
            // multiple = 2^W · window_base: the next window's base.
            window_base = multiple;
        }
        Table {
            window_bits: W,
            points: points.into_boxed_slice(),
        }
    }

    /// `k·P` for a scalar given as 32 big-endian octets.
    fn mul(&self, k: &FieldBytes) -> ProjectivePoint {
        let digits = (1 << self.window_bits) - 1;
        let per_byte = 8 / self.window_bits;
        let mut acc = ProjectivePoint::IDENTITY;
        for (i, byte) in k.iter().rev().enumerate() {
            for part in 0..per_byte {
                let digit = usize::from(byte >> (part * self.window_bits)) & digits;
                if digit != 0 {
                    let window = i * per_byte + part;
                    acc += &self.points[window * digits + digit - 1];
                }
            }
        }
        acc
    }

    /// The generator's table, built on first use.
    fn generator() -> &'static Table {
        static G: OnceLock<Table> = OnceLock::new();
        G.get_or_init(|| Table::new::<8, 255>(&ProjectivePoint::GENERATOR))
    }
}

/// ECDSA P-256 verification (SEC 1 §4.1.4) of `(r, s)`, both already known to be in
/// `[1, n-1]`, over the 32-octet `digest`, for the key whose table is `q`.
pub(crate) fn verify(q: &Table, digest: &[u8; 32], r: &Scalar, s: &Scalar) -> bool {
    let z = <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(*digest));
    let Some(w) = Option::<Scalar>::from(s.invert_vartime()) else {
        return false;
    };
    let point = Table::generator().mul(&(z * w).to_repr()) + q.mul(&(*r * w).to_repr());
    if bool::from(point.is_identity()) {
        return false;
    }
    let x = point.to_affine().x();
    <Scalar as Reduce<U256>>::reduce_bytes(&x) == *r
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    use p256::ecdsa::{Signature, SigningKey};

    /// Many keys and digests, valid and corrupted signatures, high-S forms: the table
    /// path always agrees with `p256`'s own verification.
    #[test]
    fn agrees_with_p256() {
        let mut seed = [7u8; 32];
        for round in 0..24u8 {
            seed[0] = round.wrapping_add(1);
            let signer = SigningKey::from_bytes(&seed.into()).unwrap();
            let verifier = *signer.verifying_key();
            let table = Table::new::<4, 15>(&verifier.as_affine().into());
            for msg in 0..6u8 {
                let digest = [msg.wrapping_mul(37).wrapping_add(round); 32];
                let sig: Signature = signer.sign_prehash(&digest).unwrap();
                let (r, s) = sig.split_scalars();
                let high_s = Signature::from_scalars(*r, -*s).unwrap();
                let mut other = digest;
                other[31] ^= 1;
                for (digest, sig) in [(digest, sig), (digest, high_s), (other, sig)] {
                    let (r, s) = sig.split_scalars();
                    let expected = verifier.verify_prehash(&digest, &sig).is_ok();
                    assert_eq!(verify(&table, &digest, &r, &s), expected);
                }
            }
        }
    }
}
