//! The RSA public operation `s^e mod n` in Montgomery form, on 64-bit limbs.
//!
//! Why our own arithmetic: `rsa` 0.9 spends nearly all of an RS256 verification in
//! num-bigint-dig's generic, allocating `modpow` (docs/DESIGN.md §8). Verification is a
//! public operation — signature, modulus and exponent are all public — so it can be
//! variable time, and with `e = 65537` it is only 17 modular multiplications. Here the
//! per-key constants (`-n⁻¹ mod 2⁶⁴`, `R² mod n`) are computed once when the key is
//! loaded, the working values live on the stack, and squaring uses the cheaper
//! symmetric product.
//!
//! Both products scan by *column* (product scanning, Koç et al.'s FIPS): every limb
//! product of a column is added into one three-limb accumulator, so each product costs a
//! multiplication and an add/adc/adc chain, with no loads or stores of partial results.
//! On x86-64 the chain is written with `_addcarry_u64` (a safe intrinsic: ADC is baseline
//! x86-64), which keeps LLVM from turning the carries into slower flag arithmetic.
//!
//! For 2048-, 3072- and 4096-bit moduli, the squaring (16 of the 17 multiplications) is
//! [`mont_sqr`] written out in full by `build.rs`, every index a constant: the looped
//! version spends about as many instructions setting up each column's loops as
//! multiplying. Other sizes (say, 2056 bits) use the loops.
//!
//! `R² mod n` is computed with this module's own doubling and Montgomery products
//! ([`r_squared`]), so no general-purpose bignum crate is linked at run time: the one
//! `rsa` would bring, num-bigint-dig, comes with `rsa`'s advisory for private-key
//! timing (RUSTSEC-2023-0071), which every `cargo audit` of a service using jose would
//! report although jose holds no private key.
//!
//! Correctness is checked against `num-bigint-dig`'s `modpow` and `%` (the unit tests
//! below, the RSA differential fuzz target, and `montgomery_differential`, which fuzzes
//! moduli, bases and exponents directly) and against every Wycheproof RSA case.

/// The largest modulus handled, in 64-bit limbs (8192 bits, the key import maximum).
/// Keys above it are refused at import, so the fixed-size buffers below always fit.
pub(crate) const MAX_LIMBS: usize = 8192 / 64;

/// The largest modulus handled, in octets: the size of a buffer that holds any
/// [`Modulus::pow`] output.
pub(crate) const MAX_OCTETS: usize = MAX_LIMBS * 8;

/// A modulus prepared for Montgomery multiplication with `R = 2^(64·limbs)`.
#[derive(Clone)]
pub(crate) struct Modulus {
    /// `n`, little-endian limbs; the top limb is non-zero.
    n: Box<[u64]>,
    /// `-n⁻¹ mod 2⁶⁴`.
    n0_inv: u64,
    /// `R² mod n`, to bring a value into Montgomery form with one multiplication.
    r2: Box<[u64]>,
    /// `n`'s length in octets: the length of every signature and output.
    len: usize,
}

impl Modulus {
    /// Prepares an odd modulus `n > 1` (big-endian, no leading zero octets) of at most
    /// [`MAX_LIMBS`] limbs. Returns `None` otherwise.
    pub(crate) fn new(n_be: &[u8]) -> Option<Modulus> {
        let n = limbs_from_be(n_be)?;
        if n.len() > MAX_LIMBS || n.first().is_none_or(|l| l & 1 == 0) || n == [1] {
            return None;
        }
        let n0_inv = neg_inverse(n[0]);
        let r2 = r_squared(&n, n0_inv);
        Some(Modulus {
            n0_inv,
            n: n.into_boxed_slice(),
            r2: r2.into_boxed_slice(),
            len: n_be.len(),
        })
    }

    /// `base^e mod n` as `len` big-endian octets, written to the front of `out`, or
    /// `None` unless `base` (big-endian) is exactly `len` octets long and smaller than `n`
    /// (RFC 8017 §5.2.2 step 1). Callers pass a stack buffer of [`MAX_OCTETS`], so a
    /// verification allocates nothing here.
    pub(crate) fn pow<'o>(
        &self,
        base_be: &[u8],
        e: u64,
        out_be: &'o mut [u8; MAX_OCTETS],
    ) -> Option<&'o [u8]> {
        if base_be.len() != self.len || e == 0 {
            return None;
        }
        // Read the base straight into a stack buffer: no allocation per signature. It is
        // exactly `len` octets, so it fits the modulus' limb count.
        let mut s = [0u64; MAX_LIMBS];
        for (limb, chunk) in s.iter_mut().zip(base_be.rchunks(8)) {
            *limb = chunk.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        }
        // The common key sizes square with the generated, fully unrolled code, and get a
        // copy of the loop with the limb count known at compile time, so the inner loops
        // of the (two or three) multiplications are unrolled and free of bounds checks.
        let mut out = [0u64; MAX_LIMBS];
        match self.n.len() {
            32 => self.pow_slices(&s[..32], e, &mut out[..32], unrolled::mont_sqr_2048)?,
            48 => self.pow_slices(&s[..48], e, &mut out[..48], unrolled::mont_sqr_3072)?,
            64 => self.pow_slices(&s[..64], e, &mut out[..64], unrolled::mont_sqr_4096)?,
            l => self.pow_slices(&s[..l], e, &mut out[..l], mont_sqr)?,
        }
        let out_be = &mut out_be[..self.len];
        limbs_to_be(&out[..self.n.len()], out_be);
        Some(out_be)
    }

    /// Left-to-right square-and-multiply over the (public) exponent bits, in Montgomery
    /// form, squaring with `sqr` ([`mont_sqr`] or one of its unrolled forms). `s`, `out`
    /// and `self.n` have the same length.
    #[inline(always)]
    fn pow_slices(&self, s: &[u64], e: u64, out: &mut [u64], sqr: Squaring) -> Option<()> {
        let l = s.len();
        let n = &self.n[..l];
        if !less_than(s, n) {
            return None;
        }
        // Montgomery reduction's multiples of n, one per limb.
        let mut m = [0u64; MAX_LIMBS];
        let m = &mut m[..l];
        // a = s·R mod n: the base in Montgomery form.
        let mut a = [0u64; MAX_LIMBS];
        let a = &mut a[..l];
        mont_mul(s, &self.r2[..l], n, self.n0_inv, m, a);
        let mut x = [0u64; MAX_LIMBS];
        let x = &mut x[..l];
        x.copy_from_slice(a);
        let mut t = [0u64; MAX_LIMBS];
        let t = &mut t[..l];
        let top_bit = 63 - e.leading_zeros();
        for bit in (0..top_bit).rev() {
            sqr(x, n, self.n0_inv, m, t);
            if (e >> bit) & 1 == 1 {
                // The last multiplication (e's lowest bit) is by `s` itself, not its
                // Montgomery form: (y·R)·s·R⁻¹ = y·s leaves Montgomery form for free
                // and saves the conversion back (one multiplication of 17 for e = 65537).
                let by: &[u64] = if bit == 0 { s } else { a };
                mont_mul(t, by, n, self.n0_inv, m, x);
            } else {
                x.copy_from_slice(t);
            }
        }
        if e & 1 == 1 && top_bit > 0 {
            out.copy_from_slice(x);
        } else {
            // Out of Montgomery form: x·1·R⁻¹.
            let mut one = [0u64; MAX_LIMBS];
            one[0] = 1;
            mont_mul(x, &one[..l], n, self.n0_inv, m, out);
        }
        Some(())
    }
}

/// A Montgomery squaring `(a, n, n0_inv, m, out)`: see [`mont_sqr`].
type Squaring = fn(&[u64], &[u64], u64, &mut [u64], &mut [u64]);

/// [`mont_sqr`] for 2048-, 3072- and 4096-bit moduli with every loop written out,
/// generated by `build.rs`.
mod unrolled {
    // Unused where build.rs writes no unrolled code (targets without 64-bit pointers).
    #[cfg_attr(not(target_pointer_width = "64"), allow(unused_imports))]
    use super::{Acc, finish_in_place};
    #[cfg_attr(not(target_pointer_width = "64"), allow(unused_imports))]
    use core::hint::black_box;
    include!(concat!(env!("OUT_DIR"), "/mont_sqr_unrolled.rs"));
}

/// A column sum of limb products: 192 bits, far more than a column of at most
/// 2·[`MAX_LIMBS`] products of two limbs (< 2¹³⁶) can reach.
#[derive(Clone, Copy, Default)]
struct Acc {
    lo: u64,
    mid: u64,
    hi: u64,
}

impl Acc {
    /// `self += a·b`.
    #[inline(always)]
    fn mac(&mut self, a: u64, b: u64) {
        #[cfg(target_pointer_width = "64")]
        let p = u128::from(a) * u128::from(b);
        #[cfg(not(target_pointer_width = "64"))]
        let p = mul_wide(a, b);
        #[cfg(target_arch = "x86_64")]
        {
            use core::arch::x86_64::_addcarry_u64;
            let c = _addcarry_u64(0, p as u64, self.lo, &mut self.lo);
            let c = _addcarry_u64(c, (p >> 64) as u64, self.mid, &mut self.mid);
            _addcarry_u64(c, self.hi, 0, &mut self.hi);
        }
        #[cfg(not(target_arch = "x86_64"))]
        self.add_wide(p, 0);
    }

    /// `self += wide + hi·2¹²⁸`, portably.
    #[inline(always)]
    fn add_wide(&mut self, wide: u128, hi: u64) {
        let (sum, carry) = self.low128().overflowing_add(wide);
        self.lo = sum as u64;
        self.mid = (sum >> 64) as u64;
        self.hi = self.hi.wrapping_add(hi).wrapping_add(u64::from(carry));
    }

    #[inline(always)]
    fn low128(self) -> u128 {
        (u128::from(self.mid) << 64) | u128::from(self.lo)
    }

    /// `2·self`.
    #[inline(always)]
    fn doubled(self) -> Acc {
        Acc {
            lo: self.lo << 1,
            mid: (self.mid << 1) | (self.lo >> 63),
            hi: (self.hi << 1) | (self.mid >> 63),
        }
    }

    /// The accumulator between two columns, whose top limb is zero: the carry into the
    /// next column.
    #[inline(always)]
    #[cfg_attr(not(target_pointer_width = "64"), allow(dead_code))]
    fn carry(self) -> u128 {
        debug_assert_eq!(self.hi, 0, "called between columns only");
        self.low128()
    }

    /// An accumulator holding the carry into a column ([`Acc::carry`]).
    #[inline(always)]
    #[cfg_attr(not(target_pointer_width = "64"), allow(dead_code))]
    fn from_carry(carry: u128) -> Acc {
        Acc {
            lo: carry as u64,
            mid: (carry >> 64) as u64,
            hi: 0,
        }
    }

    /// Takes the finished low limb out and shifts the carry down one limb.
    #[inline(always)]
    fn pop_limb(&mut self) -> u64 {
        let limb = self.lo;
        (self.lo, self.mid, self.hi) = (self.mid, self.hi, 0);
        limb
    }
}

/// `a·b` from four 32-bit products. Where there is no 64×64→128-bit multiply (wasm32,
/// 32-bit ARM, i686), `u128` multiplication is a call to a general 128-bit routine; this
/// is inline and about twice as fast there.
#[cfg_attr(target_pointer_width = "64", allow(dead_code))]
#[inline(always)]
fn mul_wide(a: u64, b: u64) -> u128 {
    const LOW: u64 = 0xffff_ffff;
    let (a0, a1, b0, b1) = (a & LOW, a >> 32, b & LOW, b >> 32);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    // Three terms below 2³² each: no overflow.
    let mid = (p00 >> 32) + (p01 & LOW) + (p10 & LOW);
    let lo = (p00 & LOW) | (mid << 32);
    // The high half of a product below 2¹²⁸: below 2⁶⁴, so no overflow either.
    let hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
    (u128::from(hi) << 64) | u128::from(lo)
}

/// `acc += Σ x[i]·y[len−1−i]`: one column's products, `x` ascending and `y` descending,
/// four per loop turn so the loop bookkeeping is paid once per four products.
#[inline(always)]
fn column(acc: &mut Acc, x: &[u64], y: &[u64]) {
    let (x4, x_rest) = x.as_chunks::<4>();
    let (y_rest, y4) = y.as_rchunks::<4>();
    for (xs, ys) in x4.iter().zip(y4.iter().rev()) {
        acc.mac(xs[0], ys[3]);
        acc.mac(xs[1], ys[2]);
        acc.mac(xs[2], ys[1]);
        acc.mac(xs[3], ys[0]);
    }
    for (xv, yv) in x_rest.iter().zip(y_rest.iter().rev()) {
        acc.mac(*xv, *yv);
    }
}

/// `out = a·b·R⁻¹ mod n` for `a, b < n`, by product scanning with the reduction folded
/// into the same columns: column `k` sums `a[j]·b[k−j]` and `m[j]·n[k−j]`, and for
/// `k < l` picks `m[k]` so that the column's low limb becomes zero. `m` has `l` limbs.
#[inline(always)]
fn mont_mul(a: &[u64], b: &[u64], n: &[u64], n0_inv: u64, m: &mut [u64], out: &mut [u64]) {
    let l = n.len();
    let (a, b, m, out) = (&a[..l], &b[..l], &mut m[..l], &mut out[..l]);
    let mut acc = Acc::default();
    for k in 0..l {
        column(&mut acc, &a[..=k], &b[..=k]);
        column(&mut acc, &m[..k], &n[1..=k]);
        m[k] = acc.lo.wrapping_mul(n0_inv);
        acc.mac(m[k], n[0]);
        acc.pop_limb(); // zero by the choice of m[k]
    }
    for k in l..2 * l - 1 {
        column(&mut acc, &a[k + 1 - l..], &b[k + 1 - l..]);
        column(&mut acc, &m[k + 1 - l..], &n[k + 1 - l..]);
        out[k - l] = acc.pop_limb();
    }
    out[l - 1] = acc.pop_limb();
    // (a·b + m·n)/R < 2n, so what is left is 0 or 1.
    finish_in_place(out, acc.lo, n);
}

/// `out = a²·R⁻¹ mod n` for `a < n`: as [`mont_mul`], but each column's cross products
/// `a[i]·a[k−i]`, `i < k−i`, are summed once and doubled (about 1.5·l² limb products
/// instead of 2·l²). `m` has `l` limbs.
#[inline(always)]
fn mont_sqr(a: &[u64], n: &[u64], n0_inv: u64, m: &mut [u64], out: &mut [u64]) {
    let l = n.len();
    let (a, m, out) = (&a[..l], &mut m[..l], &mut out[..l]);
    let mut acc = Acc::default();
    for k in 0..2 * l - 1 {
        // Cross products of column k: i from `low` up to (not including) `half`.
        let low = (k + 1).saturating_sub(l);
        let half = k.div_ceil(2);
        let mut cross = Acc::default();
        column(&mut cross, &a[low..half], &a[k + 1 - half..=k - low]);
        let doubled = cross.doubled();
        acc.add_wide(doubled.low128(), doubled.hi);
        if k % 2 == 0 {
            acc.mac(a[k / 2], a[k / 2]);
        }
        if k < l {
            column(&mut acc, &m[..k], &n[1..=k]);
            m[k] = acc.lo.wrapping_mul(n0_inv);
            acc.mac(m[k], n[0]);
            acc.pop_limb(); // zero by the choice of m[k]
        } else {
            column(&mut acc, &m[k + 1 - l..], &n[k + 1 - l..]);
            out[k - l] = acc.pop_limb();
        }
    }
    out[l - 1] = acc.pop_limb();
    finish_in_place(out, acc.lo, n);
}

/// `out = (top·R + out) mod n` for a value below `2n`: one conditional subtraction.
#[inline(always)]
fn finish_in_place(out: &mut [u64], top: u64, n: &[u64]) {
    if top != 0 || !less_than(out, n) {
        let mut borrow = false;
        for (o, &nj) in out.iter_mut().zip(n) {
            let (d1, b1) = o.overflowing_sub(nj);
            let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
            *o = d2;
            borrow = b1 | b2;
        }
    }
}

/// `R² mod n` for `R = 2^(64·l)`, `l = n.len()`, `n` odd and greater than 1 with a
/// non-zero top limb, `n0_inv = -n⁻¹ mod 2⁶⁴`. It runs once per key import on public
/// data, so it may take variable time.
///
/// With `b` the bit length of `n`, `2^(b−1) < n` (an odd `n > 1` is no power of two).
/// Doubling that modulo `n` `64·l − b + 1` times gives `R mod n`, the Montgomery form of
/// 1, and 64 more give `2⁶⁴·R mod n`, the Montgomery form of `2⁶⁴`: at most 128 cheap
/// doublings in all. Raising it to the power `l` in Montgomery form (a squaring and at
/// most one product per bit of `l`, seven bits at most) gives the Montgomery form of
/// `2^(64·l) = R`, which is `R·R mod n`.
fn r_squared(n: &[u64], n0_inv: u64) -> Vec<u64> {
    let l = n.len();
    let bits = 64 * l - n[l - 1].leading_zeros() as usize;
    let mut x = vec![0u64; l];
    x[(bits - 1) / 64] = 1 << ((bits - 1) % 64);
    for _ in 0..(64 * l - bits + 1) + 64 {
        double_in_place(&mut x, n);
    }
    let base = x.clone();
    let (mut m, mut t) = (vec![0u64; l], vec![0u64; l]);
    for bit in (0..l.ilog2()).rev() {
        mont_sqr(&x, n, n0_inv, &mut m, &mut t);
        if (l >> bit) & 1 == 1 {
            mont_mul(&t, &base, n, n0_inv, &mut m, &mut x);
        } else {
            core::mem::swap(&mut x, &mut t);
        }
    }
    x
}

/// `x = 2x mod n` for `x < n`.
fn double_in_place(x: &mut [u64], n: &[u64]) {
    let mut carry = 0u64;
    for limb in x.iter_mut() {
        let top = *limb >> 63;
        *limb = (*limb << 1) | carry;
        carry = top;
    }
    // 2x < 2n, as `finish_in_place` needs.
    finish_in_place(x, carry, n);
}

/// `-x⁻¹ mod 2⁶⁴` for odd `x`, by Newton's iteration (each step doubles the bits).
fn neg_inverse(x: u64) -> u64 {
    let mut inv = 1u64;
    for _ in 0..6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(x.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// Whether `a < b` for equal-length little-endian limb slices.
fn less_than(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// Big-endian octets to little-endian limbs without leading zero limbs; `None` if the
/// value needs more than [`MAX_LIMBS`] limbs.
fn limbs_from_be(bytes: &[u8]) -> Option<Vec<u64>> {
    let mut limbs: Vec<u64> = bytes
        .rchunks(8)
        .map(|chunk| chunk.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
        .collect();
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
    (limbs.len() <= MAX_LIMBS).then_some(limbs)
}

/// Little-endian limbs to big-endian octets filling `out` (the value must fit).
fn limbs_to_be(limbs: &[u64], out: &mut [u8]) {
    for (i, byte) in out.iter_mut().rev().enumerate() {
        *byte = limbs
            .get(i / 8)
            .map_or(0, |limb| (limb >> (8 * (i % 8))) as u8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rsa::BigUint;

    /// `modulus.pow` copied out of its buffer, which starts out filled with junk: every
    /// output octet must be written.
    fn pow(modulus: &Modulus, base: &[u8], e: u64) -> Option<Vec<u8>> {
        modulus
            .pow(base, e, &mut [0xa5; MAX_OCTETS])
            .map(<[u8]>::to_vec)
    }

    fn reference(base: &[u8], e: u64, n: &[u8]) -> Vec<u8> {
        let m = BigUint::from_bytes_be(base)
            .modpow(&BigUint::from(e), &BigUint::from_bytes_be(n))
            .to_bytes_be();
        let mut out = vec![0u8; n.len() - m.len()];
        out.extend_from_slice(&m);
        out
    }

    proptest! {
        /// Random odd moduli of every limb count up to 8192 bits, random bases below them,
        /// the common exponents and random ones: always equal to num-bigint-dig's modpow.
        #[test]
        fn matches_num_bigint(
            mut n in proptest::collection::vec(any::<u8>(), 1..=1024),
            base_seed in proptest::collection::vec(any::<u8>(), 1024),
            e in prop_oneof![Just(3u64), Just(65537u64), Just(u64::MAX), 1u64..],
        ) {
            n[0] |= 0x80;
            *n.last_mut().unwrap() |= 1;
            prop_assume!(n != [1]);
            let modulus = Modulus::new(&n).unwrap();
            let mut base = base_seed[..n.len()].to_vec();
            base[0] &= n[0] >> 1; // below n
            prop_assert_eq!(pow(&modulus, &base, e).unwrap(), reference(&base, e, &n));
        }
    }

    /// An odd modulus of exactly `bits` bits (at least 2), big-endian, in one of six
    /// shapes (`shape % 6`): random; `2^bits − 1`; `2^(bits−1) + 1`; `2^(bits−1)` plus a
    /// random value below 2⁶⁴ (just above a power of two); `2^bits` less a random value
    /// below 2⁶⁴ (just below one); top bits `10` and the rest random. `fill` (at least
    /// 1024 octets) supplies the random octets.
    fn shaped_modulus(bits: usize, shape: u8, fill: &[u8]) -> Vec<u8> {
        let len = bits.div_ceil(8);
        let low = len.min(8);
        let mut n = match shape % 6 {
            0 | 5 => fill[..len].to_vec(),
            1 => vec![0xff; len],
            2 => vec![0; len],
            3 => {
                let mut n = vec![0; len];
                n[len - low..].copy_from_slice(&fill[..low]);
                n
            }
            _ => {
                let mut n = vec![0xff; len];
                n[len - low..].copy_from_slice(&fill[..low]);
                n
            }
        };
        let excess = 8 * len - bits;
        n[0] &= 0xff >> excess;
        n[0] |= 0x80 >> excess;
        if shape % 6 == 5 && bits >= 2 {
            // Clear the bit below the top one, which may sit in the next octet.
            let second = 8 * len - bits + 1;
            n[second / 8] &= !(0x80 >> (second % 8));
        }
        n[len - 1] |= 1;
        n
    }

    /// `R² mod n` as [`Modulus::new`] computes it and as num-bigint-dig does.
    fn r_squared_both_ways(n_be: &[u8]) -> (Vec<u64>, Vec<u64>) {
        let modulus = Modulus::new(n_be).unwrap();
        let l = modulus.n.len();
        let big = (BigUint::from(1u8) << (128 * l)) % BigUint::from_bytes_be(n_be);
        let mut reference = limbs_from_be(&big.to_bytes_be()).unwrap();
        reference.resize(l, 0);
        (modulus.r2.to_vec(), reference)
    }

    /// A deterministic stream of octets (xorshift64), for cases that proptest does not draw.
    fn octets(seed: u64, count: usize) -> Vec<u8> {
        let mut state = seed | 1;
        (0..count)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect()
    }

    #[test]
    fn r_squared_matches_num_bigint_for_every_accepted_size() {
        // Every bit length that key import accepts (2048..=8192), each limb count, in
        // turn in every shape; and every shape of the lengths around each limb boundary.
        for bits in 2048..=8192 {
            let fill = octets(bits as u64, 1024);
            let shapes = match bits % 64 {
                0 | 1 | 63 => (0..6).collect(),
                _ => vec![(bits % 6) as u8],
            };
            for shape in shapes {
                let n = shaped_modulus(bits, shape, &fill);
                assert_eq!(BigUint::from_bytes_be(&n).bits(), bits);
                let (ours, reference) = r_squared_both_ways(&n);
                assert_eq!(ours, reference, "{bits} bits, shape {shape}");
            }
        }
    }

    #[test]
    fn r_squared_matches_num_bigint_for_small_moduli() {
        // Below the key import minimum Modulus still has to be right: one limb (where
        // `l` has no bits below its top one) up to a few, every bit length and shape.
        for bits in 2..=320 {
            let fill = octets(bits as u64, 1024);
            for shape in 0..6 {
                let n = shaped_modulus(bits, shape, &fill);
                assert_eq!(BigUint::from_bytes_be(&n).bits(), bits);
                let (ours, reference) = r_squared_both_ways(&n);
                assert_eq!(ours, reference, "{bits} bits, shape {shape}");
            }
        }
        assert_eq!(r_squared_both_ways(&[3]).0, [1]);
    }

    proptest! {
        /// Random odd moduli of any size up to 8192 bits, in every shape.
        #[test]
        fn r_squared_matches_num_bigint(
            bits in 2usize..=8192,
            shape in 0u8..6,
            fill in proptest::collection::vec(any::<u8>(), 1024),
        ) {
            let n = shaped_modulus(bits, shape, &fill);
            let (ours, reference) = r_squared_both_ways(&n);
            prop_assert_eq!(ours, reference);
        }
    }

    /// The generated squarings and their limb counts.
    const UNROLLED: [(usize, Squaring); 3] = [
        (32, unrolled::mont_sqr_2048),
        (48, unrolled::mont_sqr_3072),
        (64, unrolled::mont_sqr_4096),
    ];

    /// One of [`UNROLLED`] (its index), a random odd modulus of that many limbs (its top
    /// limb non-zero, often far below 2⁶³), and a value below it.
    fn unrolled_case() -> impl Strategy<Value = (usize, Vec<u64>, Vec<u64>)> {
        (
            0..UNROLLED.len(),
            proptest::collection::vec(any::<u64>(), 64),
            proptest::collection::vec(any::<u64>(), 64),
            0u32..64,
        )
            .prop_map(|(which, mut n, mut a, shift)| {
                let l = UNROLLED[which].0;
                n.truncate(l);
                a.truncate(l);
                n[0] |= 1;
                // Any non-zero top limb: a 2047-bit modulus is 32 limbs as well.
                n[l - 1] = (n[l - 1] >> (shift / 2)).max(1);
                // Values of every size below n: a top limb shifted down, often far.
                a[l - 1] = (n[l - 1] - 1) >> shift;
                (which, n, a)
            })
    }

    /// `a²·R⁻¹ mod n` by `unrolled_sqr` and by the looped [`mont_sqr`], each as its output
    /// limbs followed by its `m` limbs, for `a < n` of the same length.
    fn squared_both_ways(unrolled_sqr: Squaring, a: &[u64], n: &[u64]) -> (Vec<u64>, Vec<u64>) {
        let l = n.len();
        let n0_inv = neg_inverse(n[0]);
        let square = |sqr: Squaring| {
            let (mut m, mut out) = (vec![0u64; l], vec![0u64; l]);
            sqr(a, n, n0_inv, &mut m, &mut out);
            out.extend_from_slice(&m);
            out
        };
        (square(unrolled_sqr), square(mont_sqr))
    }

    proptest! {
        /// Each generated squaring equals the looped one, limb for limb (including the
        /// `m` limbs), on random moduli and values.
        #[test]
        fn unrolled_squarings_match_looped((which, n, a) in unrolled_case()) {
            let (out_gen, out_loop) = squared_both_ways(UNROLLED[which].1, &a, &n);
            prop_assert_eq!(out_gen, out_loop);
        }

        /// Given slices one limb shorter than its size (no caller does this), a generated
        /// squaring does not panic or read past them: it squares with the loops, modulo
        /// the shorter modulus.
        #[test]
        fn unrolled_squarings_fall_back_on_short_slices((which, mut n, mut a) in unrolled_case()) {
            let (l, unrolled_sqr) = UNROLLED[which];
            let short = l - 1;
            n.truncate(short);
            a.truncate(short);
            n[short - 1] = n[short - 1].max(2);
            a[short - 1] = n[short - 1] - 1; // a < n
            let (out_gen, out_loop) = squared_both_ways(unrolled_sqr, &a, &n);
            prop_assert_eq!(out_gen, out_loop);
        }

        /// Moduli of 2048, 3072 and 4096 bits, give or take a limb's octets (the sizes
        /// with unrolled squaring), are rare in `matches_num_bigint`: here they are all.
        #[test]
        fn matches_num_bigint_unrolled_sizes(
            which in 0..UNROLLED.len(),
            short_by in 0usize..8,
            seed in proptest::collection::vec(any::<u8>(), 2 * 512),
            e in prop_oneof![Just(3u64), Just(65537u64), Just(u64::MAX), 1u64..],
        ) {
            let len = UNROLLED[which].0 * 8 - short_by;
            let (mut n, mut base) = (seed[..len].to_vec(), seed[512..512 + len].to_vec());
            n[0] = n[0].max(1); // any leading octet: moduli of every bit length
            n[len - 1] |= 1;
            base[0] &= n[0] >> 1; // below n
            let modulus = Modulus::new(&n).unwrap();
            prop_assert_eq!(modulus.n.len(), UNROLLED[which].0);
            prop_assert_eq!(pow(&modulus, &base, e).unwrap(), reference(&base, e, &n));
        }
    }

    proptest! {
        /// The x86-64 carry-chain accumulation and the portable one agree.
        #[test]
        fn accumulator_paths_agree(start in any::<(u64, u64, u32)>(), products in proptest::collection::vec(any::<(u64, u64)>(), 0..64)) {
            let mut chained = Acc { lo: start.0, mid: start.1, hi: u64::from(start.2) };
            let mut portable = chained;
            for (a, b) in products {
                chained.mac(a, b);
                portable.add_wide(u128::from(a) * u128::from(b), 0);
            }
            prop_assert_eq!((chained.lo, chained.mid, chained.hi), (portable.lo, portable.mid, portable.hi));
        }

        /// The 32-bit targets' limb product, checked on every target.
        #[test]
        fn mul_wide_is_the_product(a in any::<u64>(), b in any::<u64>()) {
            prop_assert_eq!(mul_wide(a, b), u128::from(a) * u128::from(b));
        }
    }

    #[test]
    fn mul_wide_edges() {
        let edges = [
            0,
            1,
            0xffff_ffff,
            1 << 32,
            (1 << 32) + 1,
            u64::MAX - 1,
            u64::MAX,
        ];
        for a in edges {
            for b in edges {
                assert_eq!(
                    mul_wide(a, b),
                    u128::from(a) * u128::from(b),
                    "{a:#x}·{b:#x}"
                );
            }
        }
    }

    #[test]
    fn edge_values() {
        // n = 2^2048 - 1 (odd, all ones): bases 0, 1, n - 1; and base = n is refused.
        let n = vec![0xffu8; 256];
        let m = Modulus::new(&n).unwrap();
        let mut n_minus_1 = n.clone();
        *n_minus_1.last_mut().unwrap() = 0xfe;
        for base in [
            vec![0u8; 256],
            {
                let mut one = vec![0u8; 256];
                one[255] = 1;
                one
            },
            n_minus_1,
        ] {
            assert_eq!(pow(&m, &base, 65537).unwrap(), reference(&base, 65537, &n));
        }
        assert!(pow(&m, &n, 65537).is_none());
        assert!(pow(&m, &n[1..], 65537).is_none(), "wrong length");
        assert!(Modulus::new(&[0x10, 0x00]).is_none(), "even");
        assert!(Modulus::new(&[1]).is_none());
        assert!(Modulus::new(&vec![0xff; 1025]).is_none(), "too large");
    }
}
