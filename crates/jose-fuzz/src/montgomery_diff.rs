//! The `montgomery_differential` target: jose-core's Montgomery exponentiation (the RSA
//! public operation) against num-bigint-dig's `modpow` (the `rsa` crate's `BigUint`),
//! directly on the arithmetic: no key import, padding or signing, so it runs thousands
//! of times faster than `rsa_verify_differential` and reaches moduli, bases and
//! exponents no test key has.

use jose_core::internal::RsaModulus;
use rsa::BigUint;

use crate::input::Input;

/// Fuzz target `montgomery_differential`.
///
/// Input:
/// - a big-endian `u16`: the modulus' bit length, `2048 + value % 6145` (2048 to 8192,
///   every length, so odd ones like 2049, 2056 or 3071 and every limb count);
/// - a shape byte (`% 4`): the modulus' octets are 0: random; 1: all ones, its low 8
///   octets from the input (just below a power of two); 2: zero, its low 8 octets from
///   the input (just above `2^(bits−1)`); 3: random with the second-highest bit
///   clear. The top bit is then set and the modulus made odd;
/// - a base byte: `% 8` picks the base 0, 1, `n − 1`, `n − x` for a 16-bit `x` read
///   next (just under `n`), `n` itself, `n + x` (at or above `n`, if still as long as
///   `n`), random below `n`, or random of `n`'s length (either side of `n`); bit `0x80`
///   adds an octet to the base's length and bit `0x40` removes one (wrong lengths);
/// - an exponent byte (`% 8`): 65537, 3, a small odd one, a small one (0, 1 and even
///   ones included), a random odd `u32`, a random `u64`, `u64::MAX` or `2^j + 1`;
/// - random octets come from the input, continued past its end by a xorshift stream
///   seeded from the first eight.
///
/// Oracle: `RsaModulus::new` accepts the modulus; `pow` returns `None` exactly when the
/// base's length is not the modulus' length, the base is not below `n` or `e = 0`, and
/// otherwise `base^e mod n` as num-bigint-dig computes it (its `modpow`, or its `*` and
/// `%` for small exponents), left-padded to `n`'s length.
pub fn montgomery_differential(data: &[u8]) {
    let mut octets = Octets::new(data);
    let bits = 2048 + usize::from(octets.input.u16()) % 6145;
    let shape = octets.input.byte();
    let base_choice = octets.input.byte();
    let exponent_choice = octets.input.byte();

    let n = modulus(bits, shape, &mut octets);
    let len = n.len();
    let n_big = BigUint::from_bytes_be(&n);
    let base = base(&n, &n_big, base_choice, &mut octets);
    let e = exponent(exponent_choice, &mut octets);

    let ours = RsaModulus::new(&n).unwrap_or_else(|| panic!("a {bits}-bit odd modulus refused"));
    let got = ours.pow(&base, e);

    let base_big = BigUint::from_bytes_be(&base);
    if base.len() != len || base_big >= n_big || e == 0 {
        assert_eq!(
            got,
            None,
            "accepted a base of {} octets or e = {e}",
            base.len()
        );
        return;
    }
    let expected = reference_pow(&base_big, e, &n_big).to_bytes_be();
    let mut padded = vec![0u8; len - expected.len()];
    padded.extend_from_slice(&expected);
    assert_eq!(
        got.as_deref(),
        Some(&padded[..]),
        "base^{e} mod a {bits}-bit modulus (shape {})",
        shape % 4
    );
}

/// `base^e mod n` by num-bigint-dig. `modpow` always runs 4-bit windows over a whole
/// 64-bit word (about 95 Montgomery products), so an exponent below 2²⁰ (65537, 3) on a
/// modulus of up to 4160 bits (65 limbs: the unrolled sizes and their neighbours) is
/// raised by square-and-multiply with its `*` and `%` instead, several times faster.
/// Above 4160 bits that churns more heap than the corpus replay allows an input.
fn reference_pow(base: &BigUint, e: u64, n: &BigUint) -> BigUint {
    if e >= 1 << 20 || n.bits() > 4160 {
        return base.modpow(&BigUint::from(e), n);
    }
    let mut x = base % n;
    for bit in (0..63 - e.leading_zeros()).rev() {
        x = &x * &x % n;
        if (e >> bit) & 1 == 1 {
            x = x * base % n;
        }
    }
    x
}

/// The input's octets, then a xorshift stream seeded from them.
struct Octets<'a> {
    input: Input<'a>,
    state: u64,
}

impl<'a> Octets<'a> {
    fn new(data: &'a [u8]) -> Self {
        let mut seed = [0u8; 8];
        let head = &data[..data.len().min(8)];
        seed[..head.len()].copy_from_slice(head);
        Octets {
            input: Input::new(data),
            state: u64::from_le_bytes(seed) | 1,
        }
    }

    fn fill(&mut self, out: &mut [u8]) {
        let from_input = self.input.bytes(out.len());
        out[..from_input.len()].copy_from_slice(from_input);
        for byte in &mut out[from_input.len()..] {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            *byte = (self.state >> 32) as u8;
        }
    }

    fn u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.fill(&mut bytes);
        u64::from_be_bytes(bytes)
    }
}

/// An odd modulus of exactly `bits` bits, big-endian, in the shape `shape % 4`.
fn modulus(bits: usize, shape: u8, octets: &mut Octets<'_>) -> Vec<u8> {
    let len = bits.div_ceil(8);
    let mut n = match shape % 4 {
        1 => vec![0xff; len],
        2 => vec![0; len],
        _ => vec![0; len],
    };
    match shape % 4 {
        1 | 2 => octets.fill(&mut n[len - 8..]),
        _ => octets.fill(&mut n),
    }
    let top = (bits - 1) % 8; // the top bit's position in n[0]
    n[0] &= (0xffu16 >> (7 - top)) as u8;
    n[0] |= 1 << top;
    if shape % 4 == 3 {
        // Clear the bit below the top one (in n[0], or n[1]'s top bit).
        if top > 0 {
            n[0] &= !(1 << (top - 1));
        } else {
            n[1] &= 0x7f;
        }
    }
    n[len - 1] |= 1;
    n
}

/// The base `choice` selects for the modulus `n` (see the target's input layout).
fn base(n: &[u8], n_big: &BigUint, choice: u8, octets: &mut Octets<'_>) -> Vec<u8> {
    let len = n.len();
    let from_big = |value: BigUint| {
        let bytes = value.to_bytes_be();
        let mut out = vec![0u8; len.saturating_sub(bytes.len())];
        out.extend_from_slice(&bytes);
        out
    };
    let small = |octets: &mut Octets<'_>| BigUint::from(u32::from(octets.input.u16()) + 1);
    let mut base = match choice % 8 {
        0 => vec![0; len],
        1 => from_big(BigUint::from(1u8)),
        2 => from_big(n_big - 1u8),
        3 => from_big(n_big - small(octets)),
        4 => n.to_vec(),
        5 => from_big(n_big + small(octets)), // longer than n when it carries out
        6 => {
            let mut base = vec![0u8; len];
            octets.fill(&mut base);
            base[0] &= n[0] >> 1; // below n's top octet: below n
            base
        }
        _ => {
            let mut base = vec![0u8; len];
            octets.fill(&mut base);
            base
        }
    };
    if choice & 0x80 != 0 {
        base.insert(0, 0);
    }
    if choice & 0x40 != 0 {
        base.remove(0);
    }
    base
}

/// The exponent `choice` selects (see the target's input layout).
fn exponent(choice: u8, octets: &mut Octets<'_>) -> u64 {
    match choice % 8 {
        0 => 65537,
        1 => 3,
        2 => u64::from(octets.input.byte()) | 1,
        3 => u64::from(octets.input.byte()),
        4 => (octets.u64() as u32 | 1).into(),
        5 => octets.u64(),
        6 => u64::MAX,
        _ => (1 << (octets.input.byte() % 64)) + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moduli_have_the_chosen_length_and_are_odd() {
        for bits in [2048, 2049, 2055, 2056, 2057, 3071, 4096, 8191, 8192] {
            for shape in 0..4 {
                let mut octets = Octets::new(&[0x5a; 3]);
                let n = modulus(bits, shape, &mut octets);
                let big = BigUint::from_bytes_be(&n);
                assert_eq!(big.bits(), bits, "{bits} bits, shape {shape}");
                assert_eq!(n[n.len() - 1] & 1, 1);
                if shape == 3 {
                    let second = (big >> (bits - 2)) & BigUint::from(1u8);
                    assert_eq!(second, BigUint::from(0u8), "second bit of shape 3");
                }
            }
        }
    }

    #[test]
    fn every_choice_runs() {
        // Every base, length flag, exponent and shape on 2049 bits; then each shape on
        // 3071 and 8192 bits.
        for base in 0..8u8 {
            for flags in [0, 0x40, 0x80, 0xc0] {
                for exponent in 0..8u8 {
                    let shape = base.wrapping_add(exponent);
                    montgomery_differential(&[0, 1, shape, base | flags, exponent, 0, 7, 0x21]);
                }
            }
        }
        for shape in 0..4u8 {
            for size in [[0x03, 0xff], [0x18, 0x00]] {
                montgomery_differential(&[size[0], size[1], shape, 3, 0, 0, 9]);
            }
        }
    }
}
