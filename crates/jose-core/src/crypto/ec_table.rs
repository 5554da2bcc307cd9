//! ES256 verification from precomputed multiples of the public key and the generator.
//!
//! ECDSA verification computes `u1·G + u2·Q` from public data only, so it may be
//! variable time. `p256` does it with 256 doublings and about 128 complete additions
//! every time, then an inversion to read the x-coordinate. Here:
//! - the multiples `d·2^(w·i)·P` are stored in affine form, so a scalar multiplication is
//!   one *mixed* Jacobian-affine addition (7M + 4S) per `w`-bit window and no doubling;
//!   `G` gets 8-bit windows (32 × 255 points, about 520 KB, built once per process) and
//!   each key `Q` 4-bit windows (64 × 15 points, about 61 KB, built on the key's second
//!   verification, so a key seen once costs nothing extra and a key set's memory stays
//!   bounded by its size, at most 100 keys by default);
//! - the x-coordinate is compared without inverting: `X == r·Z²` (or `(r + n)·Z²` when
//!   `r + n < p`), since `x = X / Z²`.
//!
//! The field arithmetic is `p256`'s (`expose-field`); the point formulas are the
//! Explicit-Formulas Database's `madd-2007-bl`, `add-2007-bl` and `dbl-2001-b` (a = −3),
//! with the exceptional cases (equal or opposite points, infinity) handled explicitly.
//! Checked against `p256`'s own verification by the unit tests below, every Wycheproof
//! ECDSA P-256 case, and the ES256 differential fuzz target.

use std::sync::OnceLock;

use p256::elliptic_curve::PrimeField;
use p256::elliptic_curve::ops::{Invert, Reduce};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::elliptic_curve::subtle::ConstantTimeEq;
use p256::{FieldBytes, FieldElement as Fe, Scalar, U256};

/// `p - n` for P-256, big-endian: `r + n` is a possible x-coordinate only when `r` is
/// below it (SEC 1 §4.1.4 step 6 reduces x modulo n).
const P_MINUS_N: [u8; 32] = [
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x43, 0x19, 0x05, 0x53, 0x58, 0xe8, 0x61, 0x7b,
    0x0c, 0x46, 0x35, 0x3d, 0x03, 0x9c, 0xda, 0xae,
];

/// A point in affine coordinates (never the point at infinity here).
#[derive(Clone, Copy)]
pub(crate) struct Affine {
    x: Fe,
    y: Fe,
}

impl Affine {
    /// A point from its big-endian coordinates, already known to be on the curve.
    pub(crate) fn from_coordinates(x: &[u8; 32], y: &[u8; 32]) -> Option<Affine> {
        let x = Option::<Fe>::from(Fe::from_bytes(&FieldBytes::from(*x)))?;
        let y = Option::<Fe>::from(Fe::from_bytes(&FieldBytes::from(*y)))?;
        Some(Affine { x, y })
    }

    fn generator() -> Option<Affine> {
        let g = p256::AffinePoint::GENERATOR.to_encoded_point(false);
        let (x, y) = (g.x()?, g.y()?);
        Affine::from_coordinates(&(*x).into(), &(*y).into())
    }
}

/// A point in Jacobian coordinates `(X, Y, Z)` for the affine `(X/Z², Y/Z³)`; `Z = 0` is
/// the point at infinity.
#[derive(Clone, Copy)]
struct Jacobian {
    x: Fe,
    y: Fe,
    z: Fe,
}

impl Jacobian {
    const INFINITY: Jacobian = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    fn from_affine(p: &Affine) -> Jacobian {
        Jacobian {
            x: p.x,
            y: p.y,
            z: Fe::ONE,
        }
    }

    fn is_infinity(&self) -> bool {
        bool::from(self.z.is_zero())
    }

    /// `2·self` (dbl-2001-b, a = −3).
    fn double(&self) -> Jacobian {
        if self.is_infinity() || bool::from(self.y.is_zero()) {
            return Jacobian::INFINITY;
        }
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let t = (self.x - delta) * (self.x + delta);
        let alpha = t.double() + t;
        let beta4 = beta.double().double();
        let x3 = alpha.square() - beta4.double();
        let z3 = (self.y + self.z).square() - gamma - delta;
        let y3 = alpha * (beta4 - x3) - gamma.square().double().double().double();
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + q` for an affine `q` (madd-2007-bl).
    fn add_affine(&self, q: &Affine) -> Jacobian {
        if self.is_infinity() {
            return Jacobian::from_affine(q);
        }
        let z1z1 = self.z.square();
        let u2 = q.x * z1z1;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - self.x;
        let r = (s2 - self.y).double();
        if bool::from(h.is_zero()) {
            // Same x: the same point (double it) or opposite points (infinity).
            return if bool::from(r.is_zero()) {
                self.double()
            } else {
                Jacobian::INFINITY
            };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h * i;
        let v = self.x * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (self.y * j).double();
        let z3 = (self.z + h).square() - z1z1 - hh;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + q` (add-2007-bl), for building tables.
    fn add(&self, q: &Jacobian) -> Jacobian {
        if self.is_infinity() {
            return *q;
        }
        if q.is_infinity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x * z2z2;
        let u2 = q.x * z1z1;
        let s1 = self.y * q.z * z2z2;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - u1;
        let r = (s2 - s1).double();
        if bool::from(h.is_zero()) {
            return if bool::from(r.is_zero()) {
                self.double()
            } else {
                Jacobian::INFINITY
            };
        }
        let i = h.double().square();
        let j = h * i;
        let v = u1 * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (s1 * j).double();
        let z3 = ((self.z + q.z).square() - z1z1 - z2z2) * h;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }
}

/// Affine forms of points none of which is infinity, with one field inversion for all
/// (Montgomery's trick). `None` if one is infinity.
fn normalize(points: &[Jacobian]) -> Option<Vec<Affine>> {
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = Fe::ONE;
    for p in points {
        prefix.push(acc);
        acc *= p.z;
    }
    let mut inv = Option::<Fe>::from(acc.invert())?;
    let mut affine = vec![
        Affine {
            x: Fe::ZERO,
            y: Fe::ZERO
        };
        points.len()
    ];
    for ((p, before), out) in points.iter().zip(&prefix).zip(&mut affine).rev() {
        let z_inv = inv * before;
        inv *= p.z;
        let z_inv2 = z_inv.square();
        *out = Affine {
            x: p.x * z_inv2,
            y: p.y * z_inv2 * z_inv,
        };
    }
    Some(affine)
}

/// Multiples of one point for fixed-window scalar multiplication.
pub(crate) struct Table {
    window_bits: usize,
    /// `points[i·digits + d - 1] = d·2^(window_bits·i)·P` for `d` in `1..=digits`.
    points: Box<[Affine]>,
}

impl Table {
    /// Builds the table of `base` with `window_bits` (4 or 8) bits per window.
    pub(crate) fn new(base: &Affine, window_bits: usize) -> Option<Table> {
        let windows = 256 / window_bits;
        let digits = (1 << window_bits) - 1;
        let mut jacobian = Vec::with_capacity(windows * digits);
        let mut window_base = Jacobian::from_affine(base);
        for _ in 0..windows {
            let mut multiple = window_base;
            for _ in 0..digits {
                jacobian.push(multiple);
                multiple = multiple.add(&window_base);
            }
            // multiple = 2^window_bits · window_base: the next window's base.
            window_base = multiple;
        }
        // No multiple is infinity: d·2^k < 2^256 < 2n, and for k > 0 it is even, so it
        // is never n; for k = 0 it is below n.
        Some(Table {
            window_bits,
            points: normalize(&jacobian)?.into_boxed_slice(),
        })
    }

    /// Adds `k·P` to `acc`, for a scalar given as 32 big-endian octets.
    fn mul_add(&self, k: &FieldBytes, mut acc: Jacobian) -> Jacobian {
        let digits = (1 << self.window_bits) - 1;
        let per_byte = 8 / self.window_bits;
        for (i, byte) in k.iter().rev().enumerate() {
            for part in 0..per_byte {
                let digit = usize::from(byte >> (part * self.window_bits)) & digits;
                if digit != 0 {
                    let window = i * per_byte + part;
                    acc = acc.add_affine(&self.points[window * digits + digit - 1]);
                }
            }
        }
        acc
    }

    /// The generator's table, built on first use.
    fn generator() -> Option<&'static Table> {
        GENERATOR
            .get_or_init(|| Table::new(&Affine::generator()?, 8))
            .as_ref()
    }
}

/// The generator's multiples (8-bit windows, ~520 KB), built once per process.
static GENERATOR: OnceLock<Option<Table>> = OnceLock::new();

/// Whether the generator's table exists. Building it (32 × 255 points) costs far more
/// than a verification, so a key's first verification uses [`KeyMultiples::Point`]
/// only once some key's second verification has paid for it, and `p256` before then:
/// the process's first tokens wait no longer than they would with `p256` alone.
pub(crate) fn generator_is_built() -> bool {
    GENERATOR.get().is_some_and(Option::is_some)
}

/// Where `u2·Q` comes from in [`verify`].
#[derive(Clone, Copy)]
pub(crate) enum KeyMultiples<'a> {
    /// The key's table (from its second verification on): one mixed addition per 4-bit
    /// window.
    Table(&'a Table),
    /// The point alone (a key's first verification, which would not pay for a table):
    /// 4-bit fixed windows over 15 multiples kept on the stack.
    Point(&'a Affine),
}

impl KeyMultiples<'_> {
    /// `acc + k·Q`, for a scalar given as 32 big-endian octets.
    fn mul_add(self, k: &FieldBytes, acc: Jacobian) -> Jacobian {
        match self {
            KeyMultiples::Table(table) => table.mul_add(k, acc),
            KeyMultiples::Point(point) => mul_add_windowed(point, k, acc),
        }
    }
}

/// `acc + k·P` by 4-bit fixed windows, most significant first: 14 additions for the
/// multiples `P … 15·P`, then 252 doublings and at most 64 additions. `p256` computes
/// `u1·G + u2·Q` with complete formulas throughout; here `u1·G` comes from the
/// generator's table and these incomplete formulas handle their exceptional cases
/// explicitly, which is what makes a key's first verification cheaper than `p256`'s.
fn mul_add_windowed(p: &Affine, k: &FieldBytes, acc: Jacobian) -> Jacobian {
    let mut multiples = [Jacobian::from_affine(p); 15];
    for d in 1..multiples.len() {
        multiples[d] = multiples[d - 1].add_affine(p);
    }
    let mut sum = Jacobian::INFINITY;
    for byte in k.iter() {
        for digit in [byte >> 4, byte & 0x0f] {
            for _ in 0..4 {
                sum = sum.double();
            }
            if let Some(multiple) = usize::from(digit).checked_sub(1) {
                sum = sum.add(&multiples[multiple]);
            }
        }
    }
    sum.add(&acc)
}

/// ECDSA P-256 verification (SEC 1 §4.1.4) of `(r, s)`, both already known to be in
/// `[1, n-1]`, over the 32-octet `digest`, for the key `q`.
pub(crate) fn verify(q: KeyMultiples<'_>, digest: &[u8; 32], r: &Scalar, s: &Scalar) -> bool {
    let Some(g) = Table::generator() else {
        return false;
    };
    let z = <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(*digest));
    let Some(w) = Option::<Scalar>::from(s.invert_vartime()) else {
        return false;
    };
    let point = q.mul_add(
        &(*r * w).to_repr(),
        g.mul_add(&(z * w).to_repr(), Jacobian::INFINITY),
    );
    if point.is_infinity() {
        return false;
    }
    // x = X/Z² must equal r modulo n: x is r, or r + n when that is still below p.
    let r_bytes = r.to_repr();
    let Some(r_fe) = Option::<Fe>::from(Fe::from_bytes(&r_bytes)) else {
        return false;
    };
    let z2 = point.z.square();
    if bool::from(point.x.ct_eq(&(r_fe * z2))) {
        return true;
    }
    if r_bytes[..] >= P_MINUS_N[..] {
        return false;
    }
    let Some(n_fe) = n_as_field() else {
        return false;
    };
    bool::from(point.x.ct_eq(&((r_fe + n_fe) * z2)))
}

/// The group order `n` as a field element (`n < p`).
fn n_as_field() -> Option<Fe> {
    // n - 1 is the largest scalar; n = (n - 1) + 1.
    let n_minus_1 = (-Scalar::ONE).to_repr();
    Option::<Fe>::from(Fe::from_bytes(&n_minus_1)).map(|f| f + Fe::ONE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    use p256::ecdsa::{Signature, SigningKey};

    /// The key's point and its table: the two ways `verify` can take it.
    fn multiples_of(key: &p256::ecdsa::VerifyingKey) -> (Affine, Table) {
        let point = key.to_encoded_point(false);
        let q =
            Affine::from_coordinates(&(*point.x().unwrap()).into(), &(*point.y().unwrap()).into())
                .unwrap();
        (q, Table::new(&q, 4).unwrap())
    }

    /// `verify` through the table and through the point; both must agree.
    fn verify_both(key: &(Affine, Table), digest: &[u8; 32], r: &Scalar, s: &Scalar) -> bool {
        let with_table = verify(KeyMultiples::Table(&key.1), digest, r, s);
        let with_point = verify(KeyMultiples::Point(&key.0), digest, r, s);
        assert_eq!(with_table, with_point, "table and point paths disagree");
        with_table
    }

    /// Many keys and digests, valid and corrupted signatures, high-S forms: both paths
    /// always agree with `p256`'s own verification.
    #[test]
    fn agrees_with_p256() {
        let mut seed = [7u8; 32];
        for round in 0..24u8 {
            seed[0] = round.wrapping_add(1);
            let signer = SigningKey::from_bytes(&seed.into()).unwrap();
            let verifier = *signer.verifying_key();
            let key = multiples_of(&verifier);
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
                    assert_eq!(verify_both(&key, &digest, &r, &s), expected);
                }
            }
        }
    }

    /// `x ≡ r (mod n)` allows `x = r + n` only while `r + n < p`. Past that bound, `r + n`
    /// in the field wraps to `r + n − p`, and without the bound check a signature whose
    /// `r` is `R.x + (p − n)` would pass here although `p256` (and ECDSA) refuse it.
    #[test]
    fn r_plus_n_past_p_is_refused() {
        use p256::elliptic_curve::bigint::Encoding;
        use p256::elliptic_curve::point::AffineCoordinates;
        let d = Scalar::from(0x1234_5678_u64);
        let signer = SigningKey::from_bytes(&d.to_repr()).unwrap();
        let verifier = *signer.verifying_key();
        let key = multiples_of(&verifier);
        let digest = [0x5a; 32];
        let z = <Scalar as Reduce<U256>>::reduce_bytes(&digest.into());
        let p_minus_n = U256::from_be_slice(&P_MINUS_N);
        let mut tried = 0;
        for k in 1u64..64 {
            let k = Scalar::from(k);
            let x = (p256::ProjectivePoint::GENERATOR * k).to_affine().x();
            let wrapped = U256::from_be_slice(&x)
                .wrapping_add(&p_minus_n)
                .to_be_bytes();
            let Some(r) = Option::<Scalar>::from(Scalar::from_repr(wrapped.into())) else {
                continue; // not below n: no signature can carry this r
            };
            let s = k.invert().unwrap() * (z + r * d);
            let sig = Signature::from_scalars(r, s).unwrap();
            assert!(verifier.verify_prehash(&digest, &sig).is_err());
            assert!(!verify_both(&key, &digest, &r, &s));
            // The same k with the honest r = x mod n verifies on both paths.
            let r = <Scalar as Reduce<U256>>::reduce_bytes(&x);
            let s = k.invert().unwrap() * (z + r * d);
            assert!(verify_both(&key, &digest, &r, &s));
            tried += 1;
        }
        assert!(tried > 32, "only {tried} nonces gave a wrapped r below n");
    }

    /// The exceptional cases of the addition formulas: P + P, P + (−P), and a table whose
    /// base is the generator itself (so `u1·G + u2·Q` can meet equal points).
    #[test]
    fn exceptional_additions() {
        let g = Affine::generator().unwrap();
        let gj = Jacobian::from_affine(&g);
        let doubled = gj.add_affine(&g);
        let expected = gj.double();
        let [a, b] = [doubled, expected].map(|p| normalize(&[p]).unwrap()[0]);
        assert!(a.x == b.x && a.y == b.y);
        let minus_g = Affine { x: g.x, y: -g.y };
        assert!(gj.add_affine(&minus_g).is_infinity());
        assert!(gj.add(&Jacobian::from_affine(&minus_g)).is_infinity());
        // Q = G: u1·G + u2·G with u1 = u2 hits P + P inside the accumulation.
        let multiples = (g, Table::new(&g, 4).unwrap());
        let key = p256::ecdsa::VerifyingKey::from_affine(p256::AffinePoint::GENERATOR).unwrap();
        let signer = SigningKey::from_bytes(&Scalar::ONE.to_repr()).unwrap();
        for msg in 0..8u8 {
            let digest = [msg; 32];
            let sig: Signature = signer.sign_prehash(&digest).unwrap();
            let (r, s) = sig.split_scalars();
            assert!(key.verify_prehash(&digest, &sig).is_ok());
            assert!(verify_both(&multiples, &digest, &r, &s));
        }
    }
}
