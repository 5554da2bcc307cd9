//! The arithmetic under RS* and ES256 verification, reachable with the `bench-internals`
//! feature so that the differential fuzz targets can compare it with the `rsa` and
//! `p256` crates on inputs no signature reaches at a useful rate: any modulus, base and
//! exponent; any scalars `u1`, `u2` (including the relations that meet the formulas'
//! exceptional cases). Not part of the stable API.

use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::sec1::FromEncodedPoint;
use p256::elliptic_curve::{Field, PrimeField};
use p256::{EncodedPoint, FieldBytes, PublicKey, Scalar, U256};

use super::ec_table::{self, P256};
use super::montgomery::{MAX_OCTETS, Modulus};

/// An RSA modulus prepared for Montgomery exponentiation, as an RSA key holds it.
pub struct RsaModulus(Modulus);

impl RsaModulus {
    /// Prepares an odd modulus `n > 1` of at most 8192 bits, big-endian without leading
    /// zero octets (as RSA key import leaves it). `None` otherwise.
    pub fn new(n_be: &[u8]) -> Option<RsaModulus> {
        if n_be.first().is_none_or(|b| *b == 0) {
            return None;
        }
        Modulus::new(n_be).map(RsaModulus)
    }

    /// `base^e mod n` as big-endian octets of the modulus' length, or `None` unless
    /// `base` is exactly that long and below `n`, and `e > 0`.
    pub fn pow(&self, base_be: &[u8], e: u64) -> Option<Vec<u8>> {
        let mut out = [0u8; MAX_OCTETS];
        self.0.pow(base_be, e, &mut out).map(<[u8]>::to_vec)
    }
}

/// A P-256 public key `Q` in both forms ES256 verification uses: the point, for a key's
/// first verification, and the table of its multiples, for later ones.
pub struct Es256Key {
    point: ec_table::Affine<P256>,
    table: ec_table::Table<P256>,
}

impl Es256Key {
    /// The key with these big-endian affine coordinates, or `None` unless they are a
    /// point on P-256 (key import refuses the others).
    pub fn new(x: &[u8; 32], y: &[u8; 32]) -> Option<Es256Key> {
        let encoded = EncodedPoint::from_affine_coordinates(&(*x).into(), &(*y).into(), false);
        Option::<PublicKey>::from(PublicKey::from_encoded_point(&encoded))?;
        let point = ec_table::Affine::from_coordinates(x, y)?;
        let table = ec_table::Table::new(&point, 4)?;
        Some(Es256Key { point, table })
    }

    fn multiples(&self, by_table: bool) -> ec_table::KeyMultiples<'_, P256> {
        if by_table {
            ec_table::KeyMultiples::Table(&self.table)
        } else {
            ec_table::KeyMultiples::Point(&self.point)
        }
    }

    /// `u1·G + u2·Q` as affine big-endian `x || y`, `None` for the point at infinity,
    /// with `u2·Q` from the key's table (`by_table`) or from the point. The scalars are
    /// big-endian and reduced modulo the group order `n`.
    pub fn u1g_plus_u2q(&self, u1: &[u8; 32], u2: &[u8; 32], by_table: bool) -> Option<[u8; 64]> {
        let reduce = |u: &[u8; 32]| <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(*u));
        ec_table::lincomb_affine(self.multiples(by_table), &reduce(u1), &reduce(u2))?
            .try_into()
            .ok()
    }

    /// ECDSA verification of `(r, s)` (big-endian) over a 32-octet digest, as ES256
    /// does it after decoding the signature: `false` unless `r` and `s` are in
    /// `[1, n − 1]` and the signature holds.
    pub fn verify_prehash(
        &self,
        digest: &[u8; 32],
        r: &[u8; 32],
        s: &[u8; 32],
        by_table: bool,
    ) -> bool {
        let scalar = |v: &[u8; 32]| {
            Option::<Scalar>::from(Scalar::from_repr(FieldBytes::from(*v)))
                .filter(|v| !bool::from(v.is_zero()))
        };
        match (scalar(r), scalar(s)) {
            (Some(r), Some(s)) => ec_table::verify(self.multiples(by_table), digest, &r, &s),
            _ => false,
        }
    }
}
