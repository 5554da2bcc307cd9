//! Strict base64url (RFC 7515 §2): URL-safe alphabet, no padding, canonical trailing bits.
//!
//! Exactly one encoding is accepted per byte string: the unused bits of a final partial
//! quantum must be zero and a length of 1 mod 4 (which no byte string encodes to) is
//! refused. That matters for a verifier: a token must not have several spellings that all
//! verify.
//!
//! Decoding is ours, table-driven and variable-time: everything a verifier decodes with it
//! (token segments, public key members) is public, so there is no secret to leak through
//! timing, and `base64ct`'s constant-time decoder cost several times more on every token.
//! `base64ct` still encodes, and serves as a differential oracle for this decoder in the
//! `base64url` fuzz target.

use base64ct::{Base64UrlUnpadded, Encoding};

use crate::error::{Error, Result};

/// Marks a byte outside the URL-safe alphabet in [`DECODE`]; alphabet values are < 64.
const INVALID: u8 = 0x80;

/// The 6-bit value of each URL-safe alphabet character, [`INVALID`] for every other byte.
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < alphabet.len() {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Decodes strict base64url into a new vector, reporting `what` (e.g. "header") in the
/// error.
pub(crate) fn decode(input: &[u8], what: &'static str) -> Result<Vec<u8>> {
    let mut out = vec![0u8; decoded_len(input.len()).ok_or(Error::jws(invalid(what)))?];
    decode_into(input, &mut out, what)?;
    Ok(out)
}

/// Decodes strict base64url into the front of `out`, which callers usually keep on the
/// stack, and returns the decoded bytes. Fails if the input is not strict base64url or
/// `out` is shorter than [`decoded_len`]; `out` may then hold partial output.
pub(crate) fn decode_into<'o>(
    input: &[u8],
    out: &'o mut [u8],
    what: &'static str,
) -> Result<&'o [u8]> {
    let err = || Error::jws(invalid(what));
    let len = decoded_len(input.len()).ok_or_else(err)?;
    let full = out.get_mut(..len).ok_or_else(err)?;

    // Eight characters to six bytes at a time, through one 64-bit accumulator: half the
    // stores and shifts of going quantum by quantum. Invalid characters are collected in
    // `bad` and checked once at the end, which keeps the loops free of branches.
    let mut bad = 0u8;
    let mut blocks = input.chunks_exact(8);
    let mut out_blocks = full.chunks_exact_mut(6);
    for (chars, bytes) in (&mut blocks).zip(&mut out_blocks) {
        let mut acc = 0u64;
        for &c in chars {
            let v = value(c);
            bad |= v;
            acc = acc << 6 | u64::from(v);
        }
        bytes.copy_from_slice(&acc.to_be_bytes()[2..]);
    }
    // Fewer than eight characters are left, and exactly the room for what they encode.
    let (input, out) = (blocks.remainder(), out_blocks.into_remainder());
    let quanta = input.chunks_exact(4);
    let tail = quanta.remainder();
    let mut out_quanta = out.chunks_exact_mut(3);
    for (chars, bytes) in quanta.zip(&mut out_quanta) {
        let [a, b, c, d] = [chars[0], chars[1], chars[2], chars[3]].map(value);
        bad |= a | b | c | d;
        let n = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
        bytes.copy_from_slice(&n.to_be_bytes()[1..]);
    }
    let out_tail = out_quanta.into_remainder();

    // A final partial quantum of 2 or 3 characters carries 1 or 2 bytes; its unused low
    // bits must be zero.
    match (tail, out_tail) {
        ([], []) => {}
        (&[a, b], [x]) => {
            let [a, b] = [a, b].map(value);
            bad |= a | b;
            *x = a << 2 | b >> 4;
        }
        (&[a, b, c], [x, y]) => {
            let [a, b, c] = [a, b, c].map(value);
            bad |= a | b | c;
            *x = a << 2 | b >> 4;
            *y = b << 4 | c >> 2;
        }
        _ => return Err(err()),
    }
    if bad & !0x3f != 0 || tail_bits_set(tail) {
        return Err(err());
    }
    Ok(full)
}

/// Checks that `input` is strict base64url without decoding it, so a segment can be
/// validated when a token is parsed and decoded later into a buffer of the caller's.
pub(crate) fn validate(input: &[u8], what: &'static str) -> Result<()> {
    if decoded_len(input.len()).is_none() {
        return Err(Error::jws(invalid(what)));
    }
    // Range tests rather than table lookups: branch-free, and about a third fewer
    // instructions than the table on a signature segment.
    let outside = input
        .iter()
        .fold(false, |outside, &c| outside | !in_alphabet(c));
    if outside || tail_bits_set(input.chunks_exact(4).remainder()) {
        return Err(Error::jws(invalid(what)));
    }
    Ok(())
}

/// The exact decoded length of `len` characters of unpadded base64, or `None` for a
/// length of 1 mod 4, which no byte string encodes to.
pub(crate) const fn decoded_len(len: usize) -> Option<usize> {
    let tail = match len % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    Some(len / 4 * 3 + tail)
}

/// Whether the last character of a final partial quantum has a non-zero unused bit: the
/// low 4 bits after 2 characters, the low 2 bits after 3. Such an encoding is
/// non-canonical (another string decodes to the same bytes).
fn tail_bits_set(tail: &[u8]) -> bool {
    match tail {
        [_, last] => value(*last) & 0x0f != 0,
        [_, _, last] => value(*last) & 0x03 != 0,
        _ => false,
    }
}

/// Whether `c` is in the URL-safe alphabet; agrees with [`DECODE`].
#[inline(always)]
fn in_alphabet(c: u8) -> bool {
    // `|`, not `||`: no branches in the loop that uses it.
    (c.wrapping_sub(b'A') < 26)
        | (c.wrapping_sub(b'a') < 26)
        | (c.wrapping_sub(b'0') < 10)
        | (c == b'-')
        | (c == b'_')
}

/// The 6-bit value of `c`, or a value with [`INVALID`] set.
#[inline(always)]
fn value(c: u8) -> u8 {
    DECODE[usize::from(c)]
}

/// Encodes bytes as base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Decodes strict base64url as used in JWK members (`n`, `e`, `x`, `y`, `x5t`, ...).
///
/// Exposed for `jose-jwk`, which shares these rules; returns `None` on any deviation
/// (padding, standard alphabet, whitespace, non-canonical trailing bits).
pub fn decode_strict(input: &str) -> Option<Vec<u8>> {
    decode(input.as_bytes(), "value").ok()
}

const fn invalid(what: &'static str) -> &'static str {
    match what.as_bytes() {
        b"header" => "header is not strict base64url",
        b"payload" => "payload is not strict base64url",
        b"signature" => "signature is not strict base64url",
        _ => "value is not strict base64url",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            let enc = encode(&bytes);
            assert!(!enc.contains('='));
            assert_eq!(decode_strict(&enc).as_deref(), Some(&bytes[..]));
        }
    }

    #[test]
    fn rejects_padding_other_alphabets_and_whitespace() {
        assert_eq!(decode_strict("AQAB"), Some(vec![1, 0, 1]));
        assert_eq!(decode_strict("AQ"), Some(vec![1]));
        for bad in ["AQ==", "AQ=", "A+_-", "A/_-", "AQ B", "AQAB\n", "A", "AQA*"] {
            assert_eq!(decode_strict(bad), None, "{bad:?} must be rejected");
        }
    }

    #[test]
    fn rejects_non_canonical_trailing_bits() {
        // "AQ" is 0x01; "AR" decodes to the same byte with a non-zero unused bit.
        assert_eq!(decode_strict("AR"), None);
        // Two-byte tail: "AQE" is [1, 1]; "AQF" sets an unused bit.
        assert_eq!(decode_strict("AQE"), Some(vec![1, 1]));
        assert_eq!(decode_strict("AQF"), None);
    }

    #[test]
    fn agrees_with_base64ct_on_every_short_input() {
        // Every string of up to three characters from the alphabet plus a few outsiders,
        // and every one-character change of a longer string: acceptance, bytes, and
        // validate() all agree with base64ct's strict decoder.
        let chars: Vec<u8> = b"AQEFRg-_+/=. \xff".to_vec();
        let mut inputs: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..3 {
            let longer: Vec<Vec<u8>> = inputs
                .iter()
                .flat_map(|s| {
                    chars.iter().map(move |c| {
                        let mut s = s.clone();
                        s.push(*c);
                        s
                    })
                })
                .collect();
            inputs.extend(longer);
        }
        let base = encode(b"the quick brown fox");
        for i in 0..base.len() {
            for c in 0..=255u8 {
                let mut s = base.clone().into_bytes();
                s[i] = c;
                inputs.push(s);
            }
        }
        for input in inputs {
            let mut oracle_buf = vec![0u8; input.len()];
            let oracle = Base64UrlUnpadded::decode(&input, &mut oracle_buf)
                .ok()
                .map(<[u8]>::to_vec);
            let ours = decode(&input, "value").ok();
            assert_eq!(ours, oracle, "{input:?}");
            assert_eq!(validate(&input, "value").is_ok(), oracle.is_some());
        }
    }

    #[test]
    fn the_alphabet_test_agrees_with_the_table() {
        for c in 0..=255u8 {
            assert_eq!(in_alphabet(c), value(c) < 64, "{c}");
        }
    }

    #[test]
    fn decode_into_needs_room_and_uses_only_the_front() {
        let mut buf = [0xaa; 8];
        assert_eq!(decode_into(b"AQAB", &mut buf, "value").unwrap(), [1, 0, 1]);
        assert_eq!(buf[3..], [0xaa; 5]);
        let mut small = [0; 2];
        assert!(decode_into(b"AQAB", &mut small, "value").is_err());
        assert_eq!(decoded_len(4), Some(3));
        assert_eq!(decoded_len(5), None);
        assert_eq!(decoded_len(6), Some(4));
        assert_eq!(decoded_len(7), Some(5));
    }

    #[test]
    fn errors_name_the_segment() {
        let err = decode_into(b"A", &mut [0; 4], "signature").unwrap_err();
        assert_eq!(err, Error::jws("signature is not strict base64url"));
        let err = validate(b"AR", "payload").unwrap_err();
        assert_eq!(err, Error::jws("payload is not strict base64url"));
    }
}
