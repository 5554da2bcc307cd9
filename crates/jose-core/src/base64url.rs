//! Strict base64url (RFC 7515 §2): URL-safe alphabet, no padding, canonical trailing bits.
//!
//! Exactly one encoding is accepted per byte string: the unused bits of a final partial
//! quantum must be zero and a length of 1 mod 4 (which no byte string encodes to) is
//! refused. That matters for a verifier: a token must not have several spellings that all
//! verify.
//!
//! Decoding is ours, table-driven and variable-time: everything a verifier decodes with it
//! (token segments, public key members) is public, so there is no secret to leak through
//! timing, and a constant-time decoder costs several times more on every token.
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

/// Set in every [`QUANTUM`] entry of a byte outside the alphabet, above the three
/// octets a quantum decodes to.
const INVALID_BIT: u32 = 1 << 24;

/// For each position in a four-character quantum, what each character contributes to
/// the quantum's three octets, little-endian (the first octet in the low byte), or
/// [`INVALID_BIT`]. A quantum decodes with four lookups and three ORs, instead of
/// looking up 6-bit values and shifting them into place one by one.
const QUANTUM: [[u32; 256]; 4] = {
    let mut tables = [[INVALID_BIT; 256]; 4];
    let mut c = 0;
    while c < 256 {
        let v = DECODE[c] as u32;
        if v < 64 {
            // Octet 0 = v0·4 + v1/16, octet 1 = (v1 mod 16)·16 + v2/4,
            // octet 2 = (v2 mod 4)·64 + v3.
            tables[0][c] = v << 2;
            tables[1][c] = v >> 4 | (v & 0x0f) << 12;
            tables[2][c] = (v >> 2) << 8 | (v & 0x03) << 22;
            tables[3][c] = v << 16;
        }
        c += 1;
    }
    tables
};

/// The octets of up to four characters (a quantum, or the 2 or 3 of a final partial
/// one) as [`QUANTUM`] lays them out, with [`INVALID_BIT`] set if any is invalid.
#[inline(always)]
fn quantum(chars: &[u8]) -> u32 {
    chars
        .iter()
        .zip(&QUANTUM)
        .fold(0, |q, (&c, table)| q | table[usize::from(c)])
}

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

    // Eight characters to six bytes at a time: two quanta from [`QUANTUM`], joined in
    // one 64-bit store. Invalid characters are collected in `bad` and checked once at
    // the end, which keeps the loops free of branches.
    let mut bad = 0u32;
    let mut blocks = input.chunks_exact(8);
    let mut out_blocks = full.chunks_exact_mut(6);
    for (chars, bytes) in (&mut blocks).zip(&mut out_blocks) {
        let first = quantum(&chars[..4]);
        let second = quantum(&chars[4..]);
        bad |= first | second;
        let joined = u64::from(first & 0x00ff_ffff) | u64::from(second) << 24;
        bytes.copy_from_slice(&joined.to_le_bytes()[..6]);
    }
    // Fewer than eight characters are left, and exactly the room for what they encode:
    // at most one whole quantum of three bytes, then a partial one of 2 or 3 characters
    // carrying 1 or 2 bytes, its first octets (`decoded_len` refused 1 character).
    let (input, out) = (blocks.remainder(), out_blocks.into_remainder());
    for (chars, bytes) in input.chunks(4).zip(out.chunks_mut(3)) {
        let q = quantum(chars);
        bad |= q;
        // Byte by byte: a copy of a length known only at run time is a `memcpy` call.
        for (byte, octet) in bytes.iter_mut().zip(q.to_le_bytes()) {
            *byte = octet;
        }
    }
    if bad & INVALID_BIT != 0 || tail_bits_set(input.chunks_exact(4).remainder()) {
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
/// non-canonical (another string decodes to the same bytes). In [`QUANTUM`]'s layout
/// those bits land in the octet just past the 1 or 2 the partial quantum carries.
fn tail_bits_set(tail: &[u8]) -> bool {
    match tail.len() {
        2 | 3 => quantum(tail).to_le_bytes()[tail.len() - 1] != 0,
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
            assert_eq!(in_alphabet(c), DECODE[usize::from(c)] < 64, "{c}");
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
