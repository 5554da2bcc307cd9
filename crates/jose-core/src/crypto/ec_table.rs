//! ES256 and ES384 verification from precomputed multiples of the public key and the
//! generator.
//!
//! ECDSA verification computes `u1·G + u2·Q` from public data only, so it may be
//! variable time. `p256` and `p384` do it with one doubling per scalar bit and about one
//! complete addition per two bits every time, then an inversion to read the
//! x-coordinate. Here:
//! - the multiples `d·2^(w·i)·P` are stored in affine form, so a scalar multiplication is
//!   one *mixed* Jacobian-affine addition (7M + 4S) per `w`-bit window and no doubling;
//!   each key `Q` gets 4-bit windows, built on the key's second verification, so a key
//!   seen once costs nothing extra and a key set's memory stays bounded by its size (at
//!   most 100 keys by default): 64 × 15 points of 64 octets, about 61 KB, for P-256, and
//!   96 × 15 points of 96 octets, about 138 KB, for P-384;
//! - the generator `G` gets wider windows, built once per process: 8 bits for P-256
//!   (32 × 255 points, about 520 KB), 7 bits for P-384 (55 × 127 points, about 670 KB).
//!   8-bit windows for P-384 would take 48 × 255 points, about 1.2 MB, and twice the
//!   time to build, to save 7 of about 150 additions per verification;
//! - the x-coordinate is compared without inverting: `X == r·Z²` (or `(r + n)·Z²` when
//!   `r + n < p`), since `x = X / Z²`.
//!
//! One implementation serves both curves through [`Curve`]: the field arithmetic is the
//! curve crate's (`expose-field`); the point formulas are the Explicit-Formulas
//! Database's `madd-2007-bl`, `add-2007-bl` and `dbl-2001-b` (a = −3 on both curves),
//! with the exceptional cases (equal or opposite points, infinity) handled explicitly.
//! Checked against `p256`'s and `p384`'s own verification by the unit tests below (which
//! reach every reachable exceptional case, see [`Case`]), every Wycheproof ECDSA P-256
//! and P-384 case, the ES256 differential fuzz target, and `ec_table_differential`, which
//! compares the point arithmetic itself with `p256`'s on chosen scalars and keys.

use std::sync::OnceLock;

use p256::elliptic_curve::ops::{Invert, Reduce};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::elliptic_curve::subtle::ConstantTimeEq;
use p256::elliptic_curve::{Field, PrimeField};

/// What the point and table code needs of a short Weierstrass curve with `a = −3` and
/// prime order: its field and scalar types (whose encodings are big-endian and equally
/// long), the generator, `p − n`, and the process's table of the generator.
pub(crate) trait Curve: Copy + 'static {
    /// The base field, with `expose-field`.
    type Fe: PrimeField;
    /// Integers modulo the group order `n`.
    type Scalar: PrimeField<Repr = <Self::Fe as PrimeField>::Repr>;
    /// Octets of a field element and of a scalar.
    const LEN: usize;
    /// Bits per window of the generator's table (at most 8).
    const G_WINDOW_BITS: usize;
    /// `p − n`, big-endian: `r + n` is a possible x-coordinate only when `r` is below it
    /// (SEC 1 §4.1.4 step 6 reduces x modulo n).
    const P_MINUS_N: &'static [u8];
    /// The generator's big-endian affine coordinates.
    fn generator() -> Option<(Bytes<Self>, Bytes<Self>)>;
    /// A digest of [`Curve::LEN`] octets as a scalar (SEC 1 §4.1.4 step 5).
    fn reduce(digest: &Bytes<Self>) -> Self::Scalar;
    /// `1/s`, `None` for 0.
    fn invert_vartime(s: &Self::Scalar) -> Option<Self::Scalar>;
    /// Where the process keeps the generator's table.
    fn generator_table() -> &'static OnceLock<Option<Table<Self>>>;
}

/// A field element's or scalar's big-endian encoding.
pub(crate) type Bytes<C> = <<C as Curve>::Fe as PrimeField>::Repr;

/// NIST P-256, for ES256.
#[derive(Clone, Copy)]
pub(crate) enum P256 {}

impl Curve for P256 {
    type Fe = p256::FieldElement;
    type Scalar = p256::Scalar;
    const LEN: usize = 32;
    const G_WINDOW_BITS: usize = 8;
    const P_MINUS_N: &'static [u8] = &[
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x43, 0x19, 0x05, 0x53, 0x58, 0xe8, 0x61,
        0x7b, 0x0c, 0x46, 0x35, 0x3d, 0x03, 0x9c, 0xda, 0xae,
    ];

    fn generator() -> Option<(Bytes<Self>, Bytes<Self>)> {
        let g = p256::AffinePoint::GENERATOR.to_encoded_point(false);
        Some((*g.x()?, *g.y()?))
    }

    fn reduce(digest: &Bytes<Self>) -> p256::Scalar {
        <p256::Scalar as Reduce<p256::U256>>::reduce_bytes(digest)
    }

    fn invert_vartime(s: &p256::Scalar) -> Option<p256::Scalar> {
        s.invert_vartime().into()
    }

    fn generator_table() -> &'static OnceLock<Option<Table<Self>>> {
        static TABLE: OnceLock<Option<Table<P256>>> = OnceLock::new();
        &TABLE
    }
}

/// NIST P-384, for ES384.
#[derive(Clone, Copy)]
pub(crate) enum P384 {}

impl Curve for P384 {
    type Fe = p384::FieldElement;
    type Scalar = p384::Scalar;
    const LEN: usize = 48;
    const G_WINDOW_BITS: usize = 7;
    const P_MINUS_N: &'static [u8] = &[
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x38, 0x9c, 0xb2,
        0x7e, 0x0b, 0xc8, 0xd2, 0x1f, 0xa7, 0xe5, 0xf2, 0x4c, 0xb7, 0x4f, 0x58, 0x85, 0x13, 0x13,
        0xe6, 0x96, 0x33, 0x3a, 0xd6, 0x8c,
    ];

    fn generator() -> Option<(Bytes<Self>, Bytes<Self>)> {
        let g = p384::AffinePoint::GENERATOR.to_encoded_point(false);
        Some((*g.x()?, *g.y()?))
    }

    fn reduce(digest: &Bytes<Self>) -> p384::Scalar {
        <p384::Scalar as Reduce<p384::U384>>::reduce_bytes(digest)
    }

    fn invert_vartime(s: &p384::Scalar) -> Option<p384::Scalar> {
        s.invert_vartime().into()
    }

    fn generator_table() -> &'static OnceLock<Option<Table<Self>>> {
        static TABLE: OnceLock<Option<Table<P384>>> = OnceLock::new();
        &TABLE
    }
}

/// `bytes` (exactly [`Curve::LEN`] octets) as an encoding of `C`.
fn to_bytes<C: Curve>(bytes: &[u8]) -> Option<Bytes<C>> {
    let mut out = Bytes::<C>::default();
    if bytes.len() != out.as_ref().len() {
        return None;
    }
    out.as_mut().copy_from_slice(bytes);
    Some(out)
}

/// The exceptional cases of the incomplete formulas, where the general formula would be
/// wrong (equal or opposite points, an operand at infinity), each handled by its own
/// branch, and the two rare outcomes of [`verify`]. Which of them each computation
/// meets, and which it cannot meet (on either curve; `N` is the scalar's bit length and
/// `w ≤ 8` a table's window):
/// - [`Table::new`]: every window's first step adds the window's base to itself
///   ([`Case::AddEqual`]); no other step is exceptional, since `d·W = ±W` would need
///   `(d ∓ 1)·2^k ≡ 0 (mod n)` for a digit `1 < d ≤ 255`.
/// - `u1·G` from the generator's table: the first addition is onto infinity
///   ([`Case::AffineOntoInfinity`]); no other is exceptional. Before window `j` the
///   accumulator is `a·G` with `a` the digits of `u1` below window `j`, `0 < a < 2^(wj)`,
///   and the table point is `t·G` with `2^(wj) ≤ t`; `a = t` is impossible, and `a + t`
///   is a prefix of `u1`'s digits, so `0 < a + t ≤ u1 < n` and `a ≢ −t (mod n)`.
/// - `u2·Q` from the key's table, added onto `u1·G`: the accumulator is
///   `(u1 + k·low)·G` for `Q = k·G` and `low` the digits of `u2` below the window, which
///   equals `±d·2^(4i)·k·G` for suitable `u1` (`u1 ≡ k·(±d·2^(4i) − low)`): any case of
///   [`Jacobian::add_affine`] is reachable, and after an opposite point the next
///   addition is onto infinity.
/// - `u2·Q` by windows over the point ([`mul_add_windowed`]): building `2·Q` adds `Q` to
///   itself ([`Case::AffineEqual`]); in the loop the running sum is doubled while it is
///   still infinity ([`Case::DoubleInfinity`]) and its first addition is onto infinity;
///   no other step of the loop is exceptional (the sum `16·S·Q` and the multiple `d·Q`,
///   `d ≤ 15 < 16·S`, have `16·S + d` a prefix of `u2`, below `n`). The final addition
///   of `u1·G` meets every case: `u2 = 0` (onto infinity, reached only through the
///   internal entry point: ECDSA's `u2 = r/s` is never 0), `u1 = 0`, and
///   `u1·G = ±u2·Q`.
/// - Doubling a point with `y = 0` is unreachable: such a point has order 2, and both
///   groups have prime order `n`.
///
/// The unit tests count the hits ([`hit`]); outside tests counting compiles to nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    /// [`Jacobian::double`] of infinity.
    DoubleInfinity,
    /// [`Jacobian::add_affine`] onto infinity.
    AffineOntoInfinity,
    /// [`Jacobian::add_affine`] of the same point: it doubles.
    AffineEqual,
    /// [`Jacobian::add_affine`] of the opposite point: infinity.
    AffineOpposite,
    /// [`Jacobian::add`] onto infinity.
    AddOntoInfinity,
    /// [`Jacobian::add`] of infinity.
    AddInfinity,
    /// [`Jacobian::add`] of the same point: it doubles.
    AddEqual,
    /// [`Jacobian::add`] of the opposite point: infinity.
    AddOpposite,
    /// [`verify`]'s `u1·G + u2·Q` is infinity: the signature is refused.
    SumInfinity,
    /// [`verify`] accepts with the x-coordinate equal to `r + n`.
    XIsRPlusN,
}

#[cfg(test)]
const CASES: usize = Case::XIsRPlusN as usize + 1;

#[cfg(test)]
thread_local! {
    /// How often this thread met each [`Case`].
    static HITS: [core::cell::Cell<u32>; CASES] =
        const { [const { core::cell::Cell::new(0) }; CASES] };
}

/// Counts `case` in tests; nothing otherwise.
#[inline(always)]
fn hit(case: Case) {
    #[cfg(test)]
    HITS.with(|hits| {
        let count = &hits[case as usize];
        count.set(count.get() + 1);
    });
    #[cfg(not(test))]
    let _ = case;
}

/// A point in affine coordinates (never the point at infinity here).
#[derive(Clone, Copy)]
pub(crate) struct Affine<C: Curve> {
    x: C::Fe,
    y: C::Fe,
}

impl<C: Curve> Affine<C> {
    /// A point from its big-endian coordinates, already known to be on the curve; `None`
    /// unless each is [`Curve::LEN`] octets and below `p`.
    pub(crate) fn from_coordinates(x: &[u8], y: &[u8]) -> Option<Affine<C>> {
        let x = Option::<C::Fe>::from(C::Fe::from_repr(to_bytes::<C>(x)?))?;
        let y = Option::<C::Fe>::from(C::Fe::from_repr(to_bytes::<C>(y)?))?;
        Some(Affine { x, y })
    }

    fn generator() -> Option<Affine<C>> {
        let (x, y) = C::generator()?;
        Affine::from_coordinates(x.as_ref(), y.as_ref())
    }
}

/// A point in Jacobian coordinates `(X, Y, Z)` for the affine `(X/Z², Y/Z³)`; `Z = 0` is
/// the point at infinity.
#[derive(Clone, Copy)]
struct Jacobian<C: Curve> {
    x: C::Fe,
    y: C::Fe,
    z: C::Fe,
}

impl<C: Curve> Jacobian<C> {
    const INFINITY: Jacobian<C> = Jacobian {
        x: C::Fe::ONE,
        y: C::Fe::ONE,
        z: C::Fe::ZERO,
    };

    fn from_affine(p: &Affine<C>) -> Jacobian<C> {
        Jacobian {
            x: p.x,
            y: p.y,
            z: C::Fe::ONE,
        }
    }

    fn is_infinity(&self) -> bool {
        bool::from(self.z.is_zero())
    }

    /// `2·self` (dbl-2001-b, a = −3).
    fn double(&self) -> Jacobian<C> {
        if self.is_infinity() {
            hit(Case::DoubleInfinity);
            return Jacobian::INFINITY;
        }
        // Never taken (no point of order 2 in a group of prime order, see [`Case`]), kept
        // so the formula is never asked to double one.
        if bool::from(self.y.is_zero()) {
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
    fn add_affine(&self, q: &Affine<C>) -> Jacobian<C> {
        if self.is_infinity() {
            hit(Case::AffineOntoInfinity);
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
                hit(Case::AffineEqual);
                self.double()
            } else {
                hit(Case::AffineOpposite);
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
    fn add(&self, q: &Jacobian<C>) -> Jacobian<C> {
        if self.is_infinity() {
            hit(Case::AddOntoInfinity);
            return *q;
        }
        if q.is_infinity() {
            hit(Case::AddInfinity);
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
                hit(Case::AddEqual);
                self.double()
            } else {
                hit(Case::AddOpposite);
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
fn normalize<C: Curve>(points: &[Jacobian<C>]) -> Option<Vec<Affine<C>>> {
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = C::Fe::ONE;
    for p in points {
        prefix.push(acc);
        acc *= p.z;
    }
    let mut inv = Option::<C::Fe>::from(acc.invert())?;
    let mut affine = vec![
        Affine {
            x: C::Fe::ZERO,
            y: C::Fe::ZERO
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

/// The `bits` bits (at most 8) of the big-endian scalar `k` from bit `at` (0 for the
/// least significant) up; bits past the top are 0.
#[inline(always)]
fn digit_at(k: &[u8], at: usize, bits: usize) -> usize {
    let (index, shift) = (at / 8, at % 8);
    let byte = |i: usize| {
        k.len()
            .checked_sub(i + 1)
            .and_then(|i| k.get(i))
            .map_or(0, |b| usize::from(*b))
    };
    ((byte(index) >> shift) | (byte(index + 1) << (8 - shift))) & ((1 << bits) - 1)
}

/// Multiples of one point for fixed-window scalar multiplication.
pub(crate) struct Table<C: Curve> {
    window_bits: usize,
    /// `points[i·digits + d - 1] = d·2^(window_bits·i)·P` for `d` in `1..=digits`.
    points: Box<[Affine<C>]>,
}

impl<C: Curve> Table<C> {
    /// Builds the table of `base` with `window_bits` (1 to 8) bits per window.
    pub(crate) fn new(base: &Affine<C>, window_bits: usize) -> Option<Table<C>> {
        let windows = (8 * C::LEN).div_ceil(window_bits);
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
        // No multiple is infinity: d·2^k < 2^(8·LEN + 1) < 2n (the top window's digits
        // reach past the scalar's bits by less than one window), and for k > 0 it is
        // even, so it is never n; for k = 0 it is below n.
        Some(Table {
            window_bits,
            points: normalize(&jacobian)?.into_boxed_slice(),
        })
    }

    /// Adds `k·P` to `acc`, for a scalar given as [`Curve::LEN`] big-endian octets.
    fn mul_add(&self, k: &[u8], mut acc: Jacobian<C>) -> Jacobian<C> {
        let digits = (1 << self.window_bits) - 1;
        for (window, multiples) in self.points.chunks_exact(digits).enumerate() {
            let digit = digit_at(k, window * self.window_bits, self.window_bits);
            if let Some(multiple) = digit.checked_sub(1).and_then(|d| multiples.get(d)) {
                acc = acc.add_affine(multiple);
            }
        }
        acc
    }

    /// The generator's table, built on first use.
    fn generator() -> Option<&'static Table<C>> {
        C::generator_table()
            .get_or_init(|| Table::new(&Affine::generator()?, C::G_WINDOW_BITS))
            .as_ref()
    }
}

/// Whether the generator's table of `C` exists. Building it (hundreds of times the
/// work of one addition per window) costs far more than a verification, so a key's first
/// verification uses [`KeyMultiples::Point`] only once some key's second verification
/// has paid for it, and the curve crate's own verification before then: the process's
/// first tokens wait no longer than they would with that crate alone.
pub(crate) fn generator_is_built<C: Curve>() -> bool {
    C::generator_table().get().is_some_and(Option::is_some)
}

/// Where `u2·Q` comes from in [`verify`].
pub(crate) enum KeyMultiples<'a, C: Curve> {
    /// The key's table (from its second verification on): one mixed addition per 4-bit
    /// window.
    Table(&'a Table<C>),
    /// The point alone (a key's first verification, which would not pay for a table):
    /// 4-bit fixed windows over 15 multiples kept on the stack.
    Point(&'a Affine<C>),
}

impl<C: Curve> Clone for KeyMultiples<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Curve> Copy for KeyMultiples<'_, C> {}

impl<C: Curve> KeyMultiples<'_, C> {
    /// `acc + k·Q`, for a scalar given as [`Curve::LEN`] big-endian octets.
    fn mul_add(self, k: &[u8], acc: Jacobian<C>) -> Jacobian<C> {
        match self {
            KeyMultiples::Table(table) => table.mul_add(k, acc),
            KeyMultiples::Point(point) => mul_add_windowed(point, k, acc),
        }
    }
}

/// `acc + k·P` by 4-bit fixed windows, most significant first: 14 additions for the
/// multiples `P … 15·P`, then a doubling per bit of `k` and an addition per non-zero
/// 4-bit digit. The curve crates compute `u1·G + u2·Q` with complete formulas
/// throughout; here `u1·G` comes from the generator's table and these incomplete
/// formulas handle their exceptional cases explicitly, which is what makes a key's first
/// verification cheaper than the crate's.
fn mul_add_windowed<C: Curve>(p: &Affine<C>, k: &[u8], acc: Jacobian<C>) -> Jacobian<C> {
    let mut multiples = [Jacobian::from_affine(p); 15];
    for d in 1..multiples.len() {
        multiples[d] = multiples[d - 1].add_affine(p);
    }
    let mut sum = Jacobian::INFINITY;
    for byte in k {
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

/// `u1·G + u2·Q` for scalars given as big-endian octets: `u1·G` from the generator's
/// table `g`, then the key's multiples added onto it.
fn lincomb<C: Curve>(
    g: &Table<C>,
    q: KeyMultiples<'_, C>,
    u1: &Bytes<C>,
    u2: &Bytes<C>,
) -> Jacobian<C> {
    q.mul_add(u2.as_ref(), g.mul_add(u1.as_ref(), Jacobian::INFINITY))
}

/// ECDSA verification (SEC 1 §4.1.4) of `(r, s)`, both already known to be in
/// `[1, n-1]`, over `digest` (exactly [`Curve::LEN`] octets, else refused), for the key
/// `q`.
pub(crate) fn verify<C: Curve>(
    q: KeyMultiples<'_, C>,
    digest: &[u8],
    r: &C::Scalar,
    s: &C::Scalar,
) -> bool {
    let (Some(g), Some(digest)) = (Table::generator(), to_bytes::<C>(digest)) else {
        return false;
    };
    let z = C::reduce(&digest);
    let Some(w) = C::invert_vartime(s) else {
        return false;
    };
    let point = lincomb(g, q, &(z * w).to_repr(), &(*r * w).to_repr());
    if point.is_infinity() {
        hit(Case::SumInfinity);
        return false;
    }
    // x = X/Z² must equal r modulo n: x is r, or r + n when that is still below p.
    let r_bytes = r.to_repr();
    let Some(r_fe) = Option::<C::Fe>::from(C::Fe::from_repr(r_bytes)) else {
        return false;
    };
    let z2 = point.z.square();
    if bool::from(point.x.ct_eq(&(r_fe * z2))) {
        return true;
    }
    if r_bytes.as_ref() >= C::P_MINUS_N {
        return false;
    }
    let Some(n_fe) = n_as_field::<C>() else {
        return false;
    };
    let x_is_r_plus_n = bool::from(point.x.ct_eq(&((r_fe + n_fe) * z2)));
    if x_is_r_plus_n {
        hit(Case::XIsRPlusN);
    }
    x_is_r_plus_n
}

/// `u1·G + u2·Q` as affine big-endian `x || y`, or `None` for the point at infinity: the
/// sum [`verify`] compares with `r`, for the differential fuzz target
/// (`crate::internal::Es256Key`).
#[cfg(any(test, feature = "bench-internals"))]
pub(crate) fn lincomb_affine<C: Curve>(
    q: KeyMultiples<'_, C>,
    u1: &C::Scalar,
    u2: &C::Scalar,
) -> Option<Vec<u8>> {
    let sum = lincomb(Table::generator()?, q, &u1.to_repr(), &u2.to_repr());
    if sum.is_infinity() {
        return None;
    }
    let affine = normalize(&[sum])?;
    let mut out = affine[0].x.to_repr().as_ref().to_vec();
    out.extend_from_slice(affine[0].y.to_repr().as_ref());
    Some(out)
}

/// The group order `n` as a field element (`n < p`).
fn n_as_field<C: Curve>() -> Option<C::Fe> {
    // n - 1 is the largest scalar; n = (n - 1) + 1.
    let n_minus_1 = (-C::Scalar::ONE).to_repr();
    Option::<C::Fe>::from(C::Fe::from_repr(n_minus_1)).map(|f| f + C::Fe::ONE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::{Scalar, U256};

    type Affine = super::Affine<P256>;
    type Jacobian = super::Jacobian<P256>;
    type Table = super::Table<P256>;
    type KeyMultiples<'a> = super::KeyMultiples<'a, P256>;
    const P_MINUS_N: &[u8] = P256::P_MINUS_N;
    use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    use p256::ecdsa::{Signature, SigningKey};

    /// The key's point and its table: the two ways `verify` can take it.
    fn multiples_of(key: &p256::ecdsa::VerifyingKey) -> (Affine, Table) {
        let point = key.to_encoded_point(false);
        let q = Affine::from_coordinates(point.x().unwrap(), point.y().unwrap()).unwrap();
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
        let p_minus_n = U256::from_be_slice(P_MINUS_N);
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

    /// The formulas' exceptional cases called directly: `G + G` (mixed and Jacobian)
    /// equals `2·G`, and `G + (−G)` is infinity. Whole computations that meet them are
    /// in the tests below.
    #[test]
    fn exceptional_additions() {
        let g = Affine::generator().unwrap();
        let gj = Jacobian::from_affine(&g);
        let expected = gj.double();
        let minus_g = Affine { x: g.x, y: -g.y };
        let (sums, hits) = counted(|| {
            [
                gj.add_affine(&g),
                gj.add(&gj),
                gj.add_affine(&minus_g),
                gj.add(&Jacobian::from_affine(&minus_g)),
            ]
        });
        for doubled in &sums[..2] {
            let [a, b] = [*doubled, expected].map(|p| normalize(&[p]).unwrap()[0]);
            assert!(a.x == b.x && a.y == b.y);
        }
        assert!(sums[2].is_infinity() && sums[3].is_infinity());
        for case in [
            Case::AffineEqual,
            Case::AddEqual,
            Case::AffineOpposite,
            Case::AddOpposite,
        ] {
            assert_eq!(count(&hits, case), 1, "{case:?}");
        }
    }

    use core::cell::Cell;
    use p256::ProjectivePoint;
    use p256::elliptic_curve::point::AffineCoordinates;

    /// Runs `f` and returns how often it met each [`Case`] on this thread.
    fn counted<T>(f: impl FnOnce() -> T) -> (T, [u32; CASES]) {
        HITS.with(|hits| hits.iter().for_each(|h| h.set(0)));
        let out = f();
        (out, HITS.with(|hits| hits.each_ref().map(Cell::get)))
    }

    fn count(hits: &[u32; CASES], case: Case) -> u32 {
        hits[case as usize]
    }

    /// The key `Q = k·G`: as `p256` holds it, and as jose's point and table.
    struct Key {
        q: ProjectivePoint,
        verifier: p256::ecdsa::VerifyingKey,
        point: Affine,
        table: Table,
    }

    fn key_from_point(q: ProjectivePoint) -> Key {
        let verifier = p256::ecdsa::VerifyingKey::from_affine(q.to_affine()).unwrap();
        let (point, table) = multiples_of(&verifier);
        Key {
            q,
            verifier,
            point,
            table,
        }
    }

    /// Keys for the relations below: `G`, `−G`, a small and a full-size multiple.
    fn keys() -> Vec<(Scalar, Key)> {
        let big = Scalar::from_repr(
            [
                0x9c, 0x1f, 0x05, 0xe2, 0x77, 0x3a, 0x4b, 0x10, 0x8d, 0x61, 0xf4, 0x2e, 0x53, 0xb8,
                0x07, 0xc9, 0x3d, 0xa2, 0x6e, 0x91, 0x0b, 0x58, 0xe7, 0x24, 0xcf, 0x86, 0x19, 0x7a,
                0x42, 0xd3, 0x65, 0xf0,
            ]
            .into(),
        )
        .unwrap();
        [
            Scalar::ONE,
            -Scalar::ONE,
            Scalar::from(0x1234_5678_u64),
            big,
        ]
        .into_iter()
        .map(|k| (k, key_from_point(ProjectivePoint::GENERATOR * k)))
        .collect()
    }

    /// `u1·G + u2·Q` as `p256` computes it (affine `x || y`), `None` for infinity.
    fn reference(u1: &Scalar, u2: &Scalar, q: &ProjectivePoint) -> Option<Vec<u8>> {
        let sum = (ProjectivePoint::GENERATOR * u1 + q * u2).to_affine();
        let encoded = sum.to_encoded_point(false);
        Some([&encoded.x()?[..], &encoded.y()?[..]].concat())
    }

    /// A signature whose verification computes exactly `u1·G + u2·Q` (`u2 ≠ 0`): with
    /// `R` that sum, `r = x(R) mod n`, `s = r/u2` and the digest `e = u1·s`, verification
    /// recomputes `e/s = u1` and `r/s = u2`. When `R` is infinity `r` is arbitrary and
    /// the signature must fail. Returns the digest, `r`, `s` and whether it is valid.
    fn signature_for(u1: &Scalar, u2: &Scalar, key: &Key) -> ([u8; 32], Scalar, Scalar, bool) {
        let sum = (ProjectivePoint::GENERATOR * u1 + key.q * u2).to_affine();
        let (r, valid) = if bool::from(sum.is_identity()) {
            (Scalar::from(0x5eed_u64), false)
        } else {
            (<Scalar as Reduce<U256>>::reduce_bytes(&sum.x()), true)
        };
        let s = r * u2.invert().unwrap();
        ((*u1 * s).to_repr().into(), r, s, valid)
    }

    /// Verifies the signature for `(u1, u2)` by the table and by the point, counting
    /// each path's cases; both must give `p256`'s answer, which must be `valid`.
    fn verify_counted(u1: &Scalar, u2: &Scalar, key: &Key) -> ([u32; CASES], [u32; CASES]) {
        let (digest, r, s, valid) = signature_for(u1, u2, key);
        let sig = Signature::from_scalars(r, s).unwrap();
        assert_eq!(key.verifier.verify_prehash(&digest, &sig).is_ok(), valid);
        let (by_table, table_hits) =
            counted(|| verify(KeyMultiples::Table(&key.table), &digest, &r, &s));
        let (by_point, point_hits) =
            counted(|| verify(KeyMultiples::Point(&key.point), &digest, &r, &s));
        assert_eq!((by_table, by_point), (valid, valid));
        if !valid {
            assert_eq!(count(&table_hits, Case::SumInfinity), 1);
            assert_eq!(count(&point_hits, Case::SumInfinity), 1);
        }
        (table_hits, point_hits)
    }

    /// `u1·G + u2·Q` by the table and by the point, each with the cases it met; both
    /// must equal `p256`'s sum.
    fn sums_counted(u1: &Scalar, u2: &Scalar, key: &Key) -> ([u32; CASES], [u32; CASES]) {
        let expected = reference(u1, u2, &key.q);
        let (by_table, table_hits) =
            counted(|| lincomb_affine(KeyMultiples::Table(&key.table), u1, u2));
        let (by_point, point_hits) =
            counted(|| lincomb_affine(KeyMultiples::Point(&key.point), u1, u2));
        assert_eq!(by_table, expected, "table path");
        assert_eq!(by_point, expected, "point path");
        (table_hits, point_hits)
    }

    /// A scalar all of whose 4-bit digits are non-zero, below `n` (top digit 7).
    fn dense_scalar(seed: u8) -> [u8; 32] {
        let mut u = [0u8; 32];
        for (i, byte) in u.iter_mut().enumerate() {
            *byte = (0x5a ^ seed ^ (i as u8).wrapping_mul(0x3d)) | 0x11;
        }
        u[0] = 0x70 | (u[0] & 0x0f);
        u
    }

    /// The value of `u`'s 4-bit digits below `window`, and `u`'s digit at `window` times
    /// `16^window`: the accumulator's and the table point's multiples of `Q` when the
    /// key's table adds window `window`.
    fn split_at_window(u: &[u8; 32], window: usize) -> (Scalar, Scalar) {
        let (mut low, mut at) = ([0u8; 32], [0u8; 32]);
        for w in 0..=window {
            let (byte, shift) = (31 - w / 2, 4 * (w % 2));
            let digit = (u[byte] >> shift) & 0x0f;
            let into = if w == window { &mut at } else { &mut low };
            into[byte] |= digit << shift;
        }
        let scalar = |b: [u8; 32]| Scalar::from_repr(b.into()).unwrap();
        (scalar(low), scalar(at))
    }

    /// The key table's mixed addition meets the accumulator itself (`u1·G + low·Q =
    /// d·16^i·Q`: it doubles) and its negation (`= −d·16^i·Q`: infinity, and the next
    /// window's addition is onto infinity), in the lowest, a middle and the top window;
    /// `u1·G` from the generator's table meets no exceptional case on the way.
    #[test]
    fn key_table_addition_meets_the_accumulator() {
        let g = Table::generator().unwrap();
        for (seed, (k, key)) in keys().into_iter().enumerate() {
            for window in [0, 1, 30, 62, 63] {
                let u2_bytes = dense_scalar(seed as u8 + window as u8);
                let u2 = Scalar::from_repr(u2_bytes.into()).unwrap();
                let (low, at) = split_at_window(&u2_bytes, window);
                let cases = [
                    (k * (at - low), Case::AffineEqual),
                    (-(k * (at + low)), Case::AffineOpposite),
                ];
                for (u1, case) in cases {
                    let (acc, g_hits) = counted(|| g.mul_add(&u1.to_repr(), Jacobian::INFINITY));
                    let mut only_the_first = [0; CASES];
                    only_the_first[Case::AffineOntoInfinity as usize] = 1;
                    assert_eq!(g_hits, only_the_first, "u1·G, window {window}");
                    let (_, q_hits) = counted(|| key.table.mul_add(&u2.to_repr(), acc));
                    assert_eq!(count(&q_hits, case), 1, "{case:?}, window {window}");
                    if case == Case::AffineOpposite && window < 63 {
                        assert_eq!(count(&q_hits, Case::AffineOntoInfinity), 1);
                    }
                    // The same through the whole computation and a signature's
                    // verification, against p256.
                    let (table_hits, _) = sums_counted(&u1, &u2, &key);
                    assert_eq!(count(&table_hits, case), 1);
                    let (table_hits, _) = verify_counted(&u1, &u2, &key);
                    assert_eq!(count(&table_hits, case), 1);
                }
            }
        }
    }

    /// The point path's final addition `u2·Q + u1·G` meets equal points (`u1 = u2·k`:
    /// it doubles, and the signature verifies) and opposite ones (`u1 = −u2·k`:
    /// infinity, refused), on both paths and as `p256` decides.
    #[test]
    fn final_addition_meets_u2_q() {
        for (seed, (k, key)) in keys().into_iter().enumerate() {
            for u2 in [
                Scalar::ONE,
                Scalar::from(0xfedc_u64),
                Scalar::from_repr(dense_scalar(seed as u8).into()).unwrap(),
                -Scalar::ONE,
            ] {
                let (_, point_hits) = verify_counted(&(u2 * k), &u2, &key);
                assert_eq!(count(&point_hits, Case::AddEqual), 1);
                let (_, point_hits) = sums_counted(&(u2 * k), &u2, &key);
                assert_eq!(count(&point_hits, Case::AddEqual), 1);

                let (table_hits, point_hits) = verify_counted(&-(u2 * k), &u2, &key);
                assert_eq!(count(&point_hits, Case::AddOpposite), 1);
                // On the table path the last non-zero window meets its negation.
                assert_eq!(count(&table_hits, Case::AffineOpposite), 1);
                sums_counted(&-(u2 * k), &u2, &key);
            }
        }
    }

    /// `u1 = 0` (a digest that is 0 modulo n): `u1·G` is infinity, so the point path
    /// adds infinity last and the key's table starts from it. `u2 = 0` (no signature has
    /// it: `u2 = r/s`; the sum only): the point path's running sum stays infinity
    /// through every doubling and the final addition is onto infinity. Both zero: the
    /// sum is infinity.
    #[test]
    fn zero_scalars() {
        for (seed, (_, key)) in keys().into_iter().enumerate() {
            let u = Scalar::from_repr(dense_scalar(seed as u8).into()).unwrap();
            let (table_hits, point_hits) = verify_counted(&Scalar::ZERO, &u, &key);
            assert_eq!(count(&point_hits, Case::AddInfinity), 1);
            assert!(count(&table_hits, Case::AffineOntoInfinity) >= 1);
            let (_, point_hits) = sums_counted(&Scalar::ZERO, &u, &key);
            assert_eq!(count(&point_hits, Case::AddInfinity), 1);

            let (table_hits, point_hits) = sums_counted(&u, &Scalar::ZERO, &key);
            assert_eq!(count(&point_hits, Case::DoubleInfinity), 256);
            assert_eq!(count(&point_hits, Case::AddOntoInfinity), 1);
            // Only the generator table's first addition: the key's table adds nothing.
            assert_eq!(count(&table_hits, Case::AffineOntoInfinity), 1);

            sums_counted(&Scalar::ZERO, &Scalar::ZERO, &key);
        }
    }

    /// `x ≡ r (mod n)` with `x = r + n`: a key whose point has an x-coordinate in
    /// `[n, p)` signs with `u1 = 0`, `u2 = 1` (`R = Q`), so `r = x − n`. Both paths and
    /// `p256` accept, through the `r + n` comparison.
    #[test]
    fn x_coordinate_above_n_verifies_as_r_plus_n() {
        use p256::elliptic_curve::bigint::Encoding;
        use p256::elliptic_curve::sec1::FromEncodedPoint;
        let n_minus_1 = U256::from_be_slice(&(-Scalar::ONE).to_repr());
        let mut found = 0;
        for i in 2u64..64 {
            let x = n_minus_1.wrapping_add(&U256::from_u64(i)).to_be_bytes();
            let mut compressed = vec![0x02];
            compressed.extend_from_slice(&x);
            let encoded = p256::EncodedPoint::from_bytes(&compressed).unwrap();
            let Some(point) =
                Option::<p256::AffinePoint>::from(p256::AffinePoint::from_encoded_point(&encoded))
            else {
                continue; // x³ − 3x + b is not a square
            };
            let key = key_from_point(point.into());
            let r = Scalar::from(i - 1);
            assert_eq!(<Scalar as Reduce<U256>>::reduce_bytes(&point.x()), r);
            let (table_hits, point_hits) = verify_counted(&Scalar::ZERO, &Scalar::ONE, &key);
            assert_eq!(count(&table_hits, Case::XIsRPlusN), 1);
            assert_eq!(count(&point_hits, Case::XIsRPlusN), 1);
            found += 1;
        }
        assert!(found > 8, "only {found} points with x just above n");
    }

    /// Building a key's table doubles each window's base once (its first step) and
    /// meets no other exceptional case.
    #[test]
    fn table_building_doubles_each_window_base() {
        for (_, key) in keys() {
            let (_, hits) = counted(|| Table::new(&key.point, 4).unwrap());
            let mut expected = [0; CASES];
            expected[Case::AddEqual as usize] = 64;
            assert_eq!(hits, expected);
        }
    }
}

/// The same computations on P-384, against `p384`'s own verification and sums.
#[cfg(test)]
mod p384_tests {
    use super::*;
    use core::cell::Cell;
    use p384::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    use p384::ecdsa::{Signature, SigningKey, VerifyingKey};
    use p384::elliptic_curve::bigint::Encoding;
    use p384::elliptic_curve::point::AffineCoordinates;
    use p384::elliptic_curve::sec1::FromEncodedPoint;
    use p384::{ProjectivePoint, Scalar, U384};

    type Affine = super::Affine<P384>;
    type Table = super::Table<P384>;
    type KeyMultiples<'a> = super::KeyMultiples<'a, P384>;

    fn counted<T>(f: impl FnOnce() -> T) -> (T, [u32; CASES]) {
        HITS.with(|hits| hits.iter().for_each(|h| h.set(0)));
        let out = f();
        (out, HITS.with(|hits| hits.each_ref().map(Cell::get)))
    }

    struct Key {
        q: ProjectivePoint,
        verifier: VerifyingKey,
        point: Affine,
        table: Table,
    }

    fn key_from_point(q: ProjectivePoint) -> Key {
        let verifier = VerifyingKey::from_affine(q.to_affine()).unwrap();
        let encoded = verifier.to_encoded_point(false);
        let point = Affine::from_coordinates(encoded.x().unwrap(), encoded.y().unwrap()).unwrap();
        let table = Table::new(&point, 4).unwrap();
        Key {
            q,
            verifier,
            point,
            table,
        }
    }

    /// `verify` through the table and through the point, each with the cases it met;
    /// both must give `p384`'s answer, which is returned.
    fn verify_both(key: &Key, digest: &[u8; 48], sig: &Signature) -> (bool, [[u32; CASES]; 2]) {
        let (r, s) = sig.split_scalars();
        let (by_table, table_hits) =
            counted(|| verify(KeyMultiples::Table(&key.table), digest, &*r, &*s));
        let (by_point, point_hits) =
            counted(|| verify(KeyMultiples::Point(&key.point), digest, &*r, &*s));
        let expected = key.verifier.verify_prehash(digest, sig).is_ok();
        assert_eq!((by_table, by_point), (expected, expected));
        (expected, [table_hits, point_hits])
    }

    /// A signature whose verification computes exactly `u1·G + u2·Q` (`u2 ≠ 0`), as in
    /// the P-256 tests; also returns the sum as `p384` computes it.
    fn signature_for(
        u1: &Scalar,
        u2: &Scalar,
        key: &Key,
    ) -> ([u8; 48], Signature, Option<Vec<u8>>) {
        let sum = (ProjectivePoint::GENERATOR * u1 + key.q * u2).to_affine();
        let encoded = sum.to_encoded_point(false);
        let xy = encoded
            .x()
            .zip(encoded.y())
            .map(|(x, y)| [&x[..], &y[..]].concat());
        let r = if xy.is_some() {
            <Scalar as Reduce<U384>>::reduce_bytes(&sum.x())
        } else {
            Scalar::from(0x5eed_u64)
        };
        let s = r * u2.invert().unwrap();
        let sig = Signature::from_scalars(r, s).unwrap();
        ((*u1 * s).to_repr().into(), sig, xy)
    }

    /// Checks the sum and the verification of `(u1, u2)` on both paths against `p384`;
    /// returns the cases each path's verification met.
    fn check(u1: &Scalar, u2: &Scalar, key: &Key) -> [[u32; CASES]; 2] {
        let (digest, sig, expected) = signature_for(u1, u2, key);
        for multiples in [
            KeyMultiples::Table(&key.table),
            KeyMultiples::Point(&key.point),
        ] {
            assert_eq!(lincomb_affine(multiples, u1, u2), expected);
        }
        let (valid, hits) = verify_both(key, &digest, &sig);
        assert_eq!(valid, expected.is_some());
        hits
    }

    fn keys() -> Vec<(Scalar, Key)> {
        let mut big = [0u8; 48];
        for (i, b) in big.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(0x9d) ^ 0x5c;
        }
        big[0] = 0x7e;
        let big = Scalar::from_repr(big.into()).unwrap();
        [
            Scalar::ONE,
            -Scalar::ONE,
            Scalar::from(0x1234_5678_u64),
            big,
        ]
        .into_iter()
        .map(|k| (k, key_from_point(ProjectivePoint::GENERATOR * k)))
        .collect()
    }

    /// Many keys and digests, valid and corrupted signatures, high-S forms: both paths
    /// always agree with `p384`'s own verification.
    #[test]
    fn agrees_with_p384() {
        let mut seed = [7u8; 48];
        for round in 0..12u8 {
            seed[0] = round.wrapping_add(1);
            let signer = SigningKey::from_bytes(&seed.into()).unwrap();
            let key = key_from_point(signer.verifying_key().as_affine().into());
            for msg in 0..4u8 {
                let digest = [msg.wrapping_mul(37).wrapping_add(round); 48];
                let sig: Signature = signer.sign_prehash(&digest).unwrap();
                let (r, s) = sig.split_scalars();
                let high_s = Signature::from_scalars(*r, -*s).unwrap();
                let mut other = digest;
                other[47] ^= 1;
                let cases = [
                    (digest, sig, true),
                    (digest, high_s, true),
                    (other, sig, false),
                ];
                for (digest, sig, valid) in cases {
                    assert_eq!(verify_both(&key, &digest, &sig).0, valid);
                }
            }
        }
    }

    /// As on P-256: `r = R.x + (p − n)` must be refused, not wrapped modulo p into `R.x`.
    #[test]
    fn r_plus_n_past_p_is_refused() {
        let d = Scalar::from(0x1234_5678_u64);
        let key = key_from_point(ProjectivePoint::GENERATOR * d);
        let digest = [0x5a; 48];
        let z = <Scalar as Reduce<U384>>::reduce_bytes(&digest.into());
        let p_minus_n = U384::from_be_slice(P384::P_MINUS_N);
        let mut tried = 0;
        for k in 1u64..24 {
            let k = Scalar::from(k);
            let x = (ProjectivePoint::GENERATOR * k).to_affine().x();
            let wrapped = U384::from_be_slice(&x)
                .wrapping_add(&p_minus_n)
                .to_be_bytes();
            let Some(r) = Option::<Scalar>::from(Scalar::from_repr(wrapped.into())) else {
                continue;
            };
            let s = k.invert().unwrap() * (z + r * d);
            assert!(!verify_both(&key, &digest, &Signature::from_scalars(r, s).unwrap()).0);
            let r = <Scalar as Reduce<U384>>::reduce_bytes(&x);
            let s = k.invert().unwrap() * (z + r * d);
            assert!(verify_both(&key, &digest, &Signature::from_scalars(r, s).unwrap()).0);
            tried += 1;
        }
        assert!(tried > 12, "only {tried} nonces gave a wrapped r below n");
    }

    /// `p − n` is about 2^190 on P-384, so `x = r + n` needs a point with a chosen
    /// x-coordinate: keys with `x` just above `n` sign with `u1 = 0`, `u2 = 1`.
    #[test]
    fn x_coordinate_above_n_verifies_as_r_plus_n() {
        let n_minus_1 = U384::from_be_slice(&(-Scalar::ONE).to_repr());
        let mut found = 0;
        for i in 2u64..48 {
            let x = n_minus_1.wrapping_add(&U384::from_u64(i)).to_be_bytes();
            let encoded = p384::EncodedPoint::from_bytes([&[0x02][..], &x].concat()).unwrap();
            let Some(point) =
                Option::<p384::AffinePoint>::from(p384::AffinePoint::from_encoded_point(&encoded))
            else {
                continue;
            };
            let key = key_from_point(point.into());
            assert_eq!(
                <Scalar as Reduce<U384>>::reduce_bytes(&point.x()),
                Scalar::from(i - 1)
            );
            let [table_hits, point_hits] = check(&Scalar::ZERO, &Scalar::ONE, &key);
            assert_eq!(table_hits[Case::XIsRPlusN as usize], 1);
            assert_eq!(point_hits[Case::XIsRPlusN as usize], 1);
            found += 1;
        }
        assert!(found > 6, "only {found} points with x just above n");
    }

    /// The key table's mixed addition meets the accumulator and its negation, and the
    /// point path's final addition meets `±u2·Q`, as on P-256.
    #[test]
    fn exceptional_cases_are_reached() {
        for (seed, (k, key)) in keys().into_iter().enumerate() {
            let mut u2_bytes = [0u8; 48];
            for (i, b) in u2_bytes.iter_mut().enumerate() {
                *b = (0x5a ^ seed as u8 ^ (i as u8).wrapping_mul(0x3d)) | 0x11;
            }
            u2_bytes[0] = 0x70 | (u2_bytes[0] & 0x0f);
            let u2 = Scalar::from_repr(u2_bytes.into()).unwrap();
            for window in [0usize, 1, 47, 95] {
                let (mut low, mut at) = ([0u8; 48], [0u8; 48]);
                for w in 0..=window {
                    let (byte, shift) = (47 - w / 2, 4 * (w % 2));
                    let into = if w == window { &mut at } else { &mut low };
                    into[byte] |= ((u2_bytes[byte] >> shift) & 0x0f) << shift;
                }
                let low = Scalar::from_repr(low.into()).unwrap();
                let at = Scalar::from_repr(at.into()).unwrap();
                let [hits, _] = check(&(k * (at - low)), &u2, &key);
                assert_eq!(hits[Case::AffineEqual as usize], 1, "window {window}");
                let [hits, _] = check(&-(k * (at + low)), &u2, &key);
                assert_eq!(hits[Case::AffineOpposite as usize], 1, "window {window}");
            }
            let [_, hits] = check(&(u2 * k), &u2, &key);
            assert_eq!(hits[Case::AddEqual as usize], 1);
            let [_, hits] = check(&-(u2 * k), &u2, &key);
            assert_eq!(hits[Case::AddOpposite as usize], 1);
            let [_, hits] = check(&Scalar::ZERO, &u2, &key);
            assert_eq!(hits[Case::AddInfinity as usize], 1);
        }
    }

    /// Building a table doubles each window's base once and meets no other exceptional
    /// case: 96 windows for a key, 55 for the generator's 7-bit table.
    #[test]
    fn table_building_doubles_each_window_base() {
        let g = Affine::generator().unwrap();
        for (base, bits, windows) in [(keys()[3].1.point, 4, 96), (g, 7, 55)] {
            let (table, hits) = counted(|| Table::new(&base, bits).unwrap());
            let mut expected = [0; CASES];
            expected[Case::AddEqual as usize] = windows;
            assert_eq!(hits, expected);
            assert_eq!(table.points.len(), windows as usize * ((1 << bits) - 1));
        }
    }
}
