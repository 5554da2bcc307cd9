//! Strict base64url (RFC 7515 §2): URL-safe alphabet, no padding, canonical trailing bits.
//!
//! Built on `base64ct`, which re-encodes the last block to check that unused trailing
//! bits are zero, so every byte string has exactly one accepted encoding. That matters
//! for a verifier: a token must not have several spellings that all verify.

use base64ct::{Base64UrlUnpadded, Encoding};

use crate::error::{Error, Result};

/// Decodes strict base64url, reporting `what` (e.g. "header") in the error.
pub(crate) fn decode(input: &[u8], what: &'static str) -> Result<Vec<u8>> {
    let mut out = vec![0u8; decoded_len_upper_bound(input.len())];
    let len = Base64UrlUnpadded::decode(input, &mut out)
        .map_err(|_| Error::jws(invalid(what)))?
        .len();
    out.truncate(len);
    Ok(out)
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

/// The decoded length of `len` base64 characters, rounded up; never overflows.
pub(crate) const fn decoded_len_upper_bound(len: usize) -> usize {
    (len / 4) * 3 + 3
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
}
