//! Ed25519 public keys and EdDSA (RFC 8037, RFC 8032 §5.1), verified strictly.
//!
//! The rule set is `ed25519-dalek`'s `verify_strict` plus a canonical-encoding check on
//! the key, so that exactly one signature encoding and one key encoding verify a message:
//! - `s` must be canonical (`s < L`, RFC 8032 §5.1.7 step 1), else the signature is
//!   malleable;
//! - `R` must decode, must not be of small order, and must be canonically encoded (the
//!   recomputed `R` is compared by its canonical encoding);
//! - `A` must decode with `y < p` (RFC 8032 §5.1.3 step 1) and must not be of small
//!   order: a small-order key "verifies" signatures that no private key made, for many
//!   messages at once.
//!
//! The check is cofactorless (`[s]B = R + [k]A`), as RFC 8032 permits and as most JOSE
//! libraries do; with small-order points refused, the cofactored and cofactorless
//! equations agree on everything accepted here. Zcash's ZIP-215 rules are deliberately
//! not used: they accept non-canonical encodings, which suits consensus, not a verifier
//! that prefers refusing to accepting.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::error::{Error, Result};

/// Octets in a public key (the encoded `A`).
pub(crate) const KEY_LEN: usize = 32;
/// Octets in a signature (`R || s`).
const SIGNATURE_LEN: usize = 64;

/// A validated Ed25519 public key.
#[derive(Clone)]
pub(crate) struct Ed25519Key {
    key: VerifyingKey,
}

impl Ed25519Key {
    /// Imports the 32-octet encoded point (the JWK `x`, RFC 8037 §2).
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Ed25519Key> {
        let bytes = <&[u8; KEY_LEN]>::try_from(bytes)
            .map_err(|_| Error::key("Ed25519 public key must be exactly 32 octets"))?;
        if !y_is_canonical(bytes) {
            return Err(Error::key("Ed25519 public key is not canonically encoded"));
        }
        let key = VerifyingKey::from_bytes(bytes)
            .map_err(|_| Error::key("Ed25519 public key is not a point on the curve"))?;
        if key.is_weak() {
            return Err(Error::key("Ed25519 public key is of small order"));
        }
        Ok(Ed25519Key { key })
    }

    /// The encoded public key.
    pub(crate) fn x(&self) -> &[u8; KEY_LEN] {
        self.key.as_bytes()
    }

    /// Verifies a 64-octet Ed25519 signature over `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        let Ok(signature) = <&[u8; SIGNATURE_LEN]>::try_from(signature) else {
            return Err(Error::SignatureInvalid);
        };
        // `Signature::from_bytes` keeps the bytes; `verify_strict` refuses `s >= L`,
        // a small-order `R` or `A`, and any `R` but the canonical encoding.
        self.key
            .verify_strict(message, &Signature::from_bytes(signature))
            .map_err(|_| Error::SignatureInvalid)
    }
}

/// Whether the little-endian `y` (bit 255 is the sign of `x`) is below
/// `p = 2^255 - 19`. The only non-canonical values are `p..2^255`: every octet `0xff`
/// except the lowest (at least `0xed`) and the highest (`0x7f` once the sign is masked).
fn y_is_canonical(bytes: &[u8; KEY_LEN]) -> bool {
    let top = bytes[KEY_LEN - 1] & 0x7f;
    !(top == 0x7f && bytes[1..KEY_LEN - 1].iter().all(|b| *b == 0xff) && bytes[0] >= 0xed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_canonical_y_is_detected() {
        let mut p = [0xffu8; 32];
        p[31] = 0x7f;
        p[0] = 0xed; // exactly p
        assert!(!y_is_canonical(&p));
        p[31] = 0xff; // sign bit set, same y
        assert!(!y_is_canonical(&p));
        p[0] = 0xec; // p - 1
        assert!(y_is_canonical(&p));
        let mut small = [0u8; 32];
        small[0] = 1;
        assert!(y_is_canonical(&small));
    }

    #[test]
    fn small_order_and_non_canonical_keys_are_refused() {
        // y = 1: the identity, small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert!(Ed25519Key::from_bytes(&identity).is_err());
        // y = p + 1 encodes the identity non-canonically.
        let mut p_plus_1 = [0xffu8; 32];
        p_plus_1[31] = 0x7f;
        p_plus_1[0] = 0xee;
        assert!(Ed25519Key::from_bytes(&p_plus_1).is_err());
        // y = -1 (order 2).
        let mut minus_one = [0xffu8; 32];
        minus_one[31] = 0x7f;
        minus_one[0] = 0xec;
        assert!(Ed25519Key::from_bytes(&minus_one).is_err());
        assert!(Ed25519Key::from_bytes(&[9u8; 31]).is_err());
    }
}
