//! The RSA public operation `s^e mod n` in Montgomery form, on 64-bit limbs.
//!
//! Why our own arithmetic: `rsa` 0.9 spends 93 % of an RS256 verification in
//! num-bigint-dig's generic, allocating `modpow` (DESIGN §8). Verification is a public
//! operation — signature, modulus and exponent are all public — so it can be variable
//! time, and with `e = 65537` it is only 17 modular multiplications. Here the per-key
//! constants (`-n⁻¹ mod 2⁶⁴`, `R² mod n`) are computed once when the key is loaded, the
//! working values live on the stack, and squaring uses the cheaper symmetric product.
//!
//! Correctness is checked against `num-bigint-dig`'s `modpow` (the unit tests below, the
//! RSA differential fuzz target) and against every Wycheproof RSA case.

use rsa::BigUint;

/// The largest modulus handled, in 64-bit limbs (8192 bits, the key import maximum).
/// Keys above it are refused at import, so the fixed-size buffers below always fit.
pub(crate) const MAX_LIMBS: usize = 8192 / 64;

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
        let r2_big = (BigUint::from(1u8) << (128 * n.len())) % BigUint::from_bytes_be(n_be);
        let mut r2 = limbs_from_be(&r2_big.to_bytes_be())?;
        r2.resize(n.len(), 0);
        Some(Modulus {
            n0_inv: neg_inverse(n[0]),
            n: n.into_boxed_slice(),
            r2: r2.into_boxed_slice(),
            len: n_be.len(),
        })
    }

    /// `base^e mod n` as `len` big-endian octets, or `None` unless `base` (big-endian) is
    /// exactly `len` octets long and smaller than `n` (RFC 8017 §5.2.2 step 1).
    pub(crate) fn pow(&self, base_be: &[u8], e: u64) -> Option<Vec<u8>> {
        if base_be.len() != self.len || e == 0 {
            return None;
        }
        // Read the base straight into a stack buffer: no allocation per signature. It is
        // exactly `len` octets, so it fits the modulus' limb count.
        let mut s = [0u64; MAX_LIMBS];
        for (limb, chunk) in s.iter_mut().zip(base_be.rchunks(8)) {
            *limb = chunk.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        }
        // The common key sizes get a copy of the loop with the limb count known at
        // compile time, so the inner loops are unrolled and free of bounds checks.
        let mut out = [0u64; MAX_LIMBS];
        match self.n.len() {
            32 => self.pow_limbs::<32>(&s, e, &mut out)?,
            48 => self.pow_limbs::<48>(&s, e, &mut out)?,
            64 => self.pow_limbs::<64>(&s, e, &mut out)?,
            l => self.pow_slices(&s[..l], e, &mut out[..l])?,
        }
        Some(limbs_to_be(&out[..self.n.len()], self.len))
    }

    fn pow_limbs<const L: usize>(&self, s: &[u64], e: u64, out: &mut [u64]) -> Option<()> {
        self.pow_slices(&s[..L], e, &mut out[..L])
    }

    /// Left-to-right square-and-multiply over the (public) exponent bits, in Montgomery
    /// form. `s`, `out` and `self.n` have the same length.
    #[inline(always)]
    fn pow_slices(&self, s: &[u64], e: u64, out: &mut [u64]) -> Option<()> {
        let l = s.len();
        let n = &self.n[..l];
        if !less_than(s, n) {
            return None;
        }
        let mut scratch = [0u64; 2 * MAX_LIMBS];
        let scratch = &mut scratch[..2 * l];
        // a = s·R mod n: the base in Montgomery form.
        let mut a = [0u64; MAX_LIMBS];
        let a = &mut a[..l];
        mont_mul(s, &self.r2[..l], n, self.n0_inv, scratch, a);
        let mut x = [0u64; MAX_LIMBS];
        let x = &mut x[..l];
        x.copy_from_slice(a);
        let mut t = [0u64; MAX_LIMBS];
        let t = &mut t[..l];
        for bit in (0..63 - e.leading_zeros()).rev() {
            mont_sqr(x, n, self.n0_inv, scratch, t);
            if (e >> bit) & 1 == 1 {
                mont_mul(t, a, n, self.n0_inv, scratch, x);
            } else {
                x.copy_from_slice(t);
            }
        }
        // Out of Montgomery form: x·1·R⁻¹.
        let mut one = [0u64; MAX_LIMBS];
        one[0] = 1;
        mont_mul(x, &one[..l], n, self.n0_inv, scratch, out);
        Some(())
    }
}

/// `out = a·b·R⁻¹ mod n` for `a, b < n`, by finely integrated operand scanning (FIOS):
/// each row adds `a·b[i]` and the reduction multiple `m·n` in one pass, with two carry
/// chains the processor can overlap. `t` has at least `l + 1` limbs.
#[inline(always)]
fn mont_mul(a: &[u64], b: &[u64], n: &[u64], n0_inv: u64, t: &mut [u64], out: &mut [u64]) {
    let l = n.len();
    let (a, b, t) = (&a[..l], &b[..l], &mut t[..l + 1]);
    t.fill(0);
    for &bi in b {
        let (low, mut c1) = mac(t[0], a[0], bi, 0);
        // m makes the lowest limb zero, so the row shifts down by one limb.
        let m = low.wrapping_mul(n0_inv);
        let (_, mut c2) = mac(low, m, n[0], 0);
        for j in 1..l {
            let (x, next1) = mac(t[j], a[j], bi, c1);
            let (y, next2) = mac(x, m, n[j], c2);
            t[j - 1] = y;
            (c1, c2) = (next1, next2);
        }
        let (sum, o1) = t[l].overflowing_add(c1);
        let (sum, o2) = sum.overflowing_add(c2);
        t[l - 1] = sum;
        t[l] = u64::from(o1) + u64::from(o2);
    }
    out.copy_from_slice(&t[..l]);
    finish_in_place(out, t[l], n);
}

/// `out = a²·R⁻¹ mod n` for `a < n`: the square with each cross product computed once,
/// then a separate reduction (about 1.5·l² limb products instead of 2·l²). `p` has at
/// least `2·l` limbs.
#[inline(always)]
fn mont_sqr(a: &[u64], n: &[u64], n0_inv: u64, p: &mut [u64], out: &mut [u64]) {
    let l = n.len();
    let (a, p) = (&a[..l], &mut p[..2 * l]);
    p.fill(0);
    // Cross products a[i]·a[j], i < j, at p[i + j].
    for i in 0..l {
        let mut carry = 0u64;
        for j in i + 1..l {
            (p[i + j], carry) = mac(p[i + j], a[i], a[j], carry);
        }
        p[i + l] = carry;
    }
    // Double them and add the squares a[i]² at p[2i].
    let mut top = 0u64;
    for limb in p.iter_mut() {
        let next = *limb >> 63;
        *limb = (*limb << 1) | top;
        top = next;
    }
    let mut carry = 0u64;
    for i in 0..l {
        let (lo, hi) = mac(p[2 * i], a[i], a[i], carry);
        p[2 * i] = lo;
        let (sum, overflow) = p[2 * i + 1].overflowing_add(hi);
        p[2 * i + 1] = sum;
        carry = u64::from(overflow);
    }
    // REDC: add m·n·2^(64i) for each low limb; the carry out of each row is kept aside
    // rather than rippled upwards.
    let mut spill = 0u64;
    for i in 0..l {
        let m = p[i].wrapping_mul(n0_inv);
        let mut carry = 0u64;
        for j in 0..l {
            (p[i + j], carry) = mac(p[i + j], m, n[j], carry);
        }
        let (sum, o1) = p[i + l].overflowing_add(carry);
        let (sum, o2) = sum.overflowing_add(spill);
        p[i + l] = sum;
        spill = u64::from(o1 | o2);
    }
    out.copy_from_slice(&p[l..]);
    finish_in_place(out, spill, n);
}

/// `acc + a·b + carry` as (low limb, high limb); never overflows 128 bits.
#[inline(always)]
fn mac(acc: u64, a: u64, b: u64, carry: u64) -> (u64, u64) {
    let wide = u128::from(a) * u128::from(b) + u128::from(acc) + u128::from(carry);
    (wide as u64, (wide >> 64) as u64)
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

/// Little-endian limbs to exactly `len` big-endian octets (the value must fit).
fn limbs_to_be(limbs: &[u64], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    for (i, byte) in out.iter_mut().rev().enumerate() {
        if let Some(limb) = limbs.get(i / 8) {
            *byte = (limb >> (8 * (i % 8))) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
            prop_assert_eq!(modulus.pow(&base, e).unwrap(), reference(&base, e, &n));
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
            assert_eq!(m.pow(&base, 65537).unwrap(), reference(&base, 65537, &n));
        }
        assert!(m.pow(&n, 65537).is_none());
        assert!(m.pow(&n[1..], 65537).is_none(), "wrong length");
        assert!(Modulus::new(&[0x10, 0x00]).is_none(), "even");
        assert!(Modulus::new(&[1]).is_none());
        assert!(Modulus::new(&vec![0xff; 1025]).is_none(), "too large");
    }
}
