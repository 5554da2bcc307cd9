//! EC P-384 and P-521 public keys, ES384 and ES512 (RFC 7518 §3.4).
//!
//! As for ES256 (`ec`): the signature is the raw `r || s` that JWS mandates, 96 octets
//! for P-384 and 132 for P-521 (`r` and `s` each as long as the curve's order); DER is
//! rejected by length before anything is decoded. `p384`/`p521` refuse `r` or `s` outside
//! `[1, n-1]` when the signature is decoded, and a point off the curve or the identity
//! when the key is imported. High-S signatures are valid ECDSA and are accepted.
//!
//! Verification is the crates' own (`verify_prehash` over the digest of the table's
//! hash): SHA-384 for P-384, SHA-512 for P-521, whose 64-octet digest is shorter than
//! the 66-octet order and so is used whole (SEC 1 §4.1.4 step 5).

use p384::ecdsa::signature::hazmat::PrehashVerifier;

use crate::algorithm::Algorithm;
use crate::error::{Error, Result};

/// The curves of this module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WideCurve {
    P384,
    P521,
}

impl WideCurve {
    /// Octets in one coordinate, and in each of `r` and `s`.
    pub(crate) const fn field_len(self) -> usize {
        match self {
            WideCurve::P384 => 48,
            WideCurve::P521 => 66,
        }
    }

    /// The JWK `crv` name.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            WideCurve::P384 => "P-384",
            WideCurve::P521 => "P-521",
        }
    }
}

#[derive(Clone)]
enum Inner {
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
}

/// A validated P-384 or P-521 public key with its affine coordinates.
#[derive(Clone)]
pub(crate) struct WideEcKey {
    key: Inner,
    /// `x || y`, each `field_len` octets.
    xy: Box<[u8]>,
}

impl WideEcKey {
    /// Imports affine coordinates, each exactly `field_len` octets (RFC 7518 §6.2.1.2:
    /// 48 for P-384, 66 for P-521).
    pub(crate) fn from_coordinates(curve: WideCurve, x: &[u8], y: &[u8]) -> Result<WideEcKey> {
        let len = curve.field_len();
        if x.len() != len || y.len() != len {
            return Err(Error::key(match curve {
                WideCurve::P384 => "P-384 coordinates must be exactly 48 octets each",
                WideCurve::P521 => "P-521 coordinates must be exactly 66 octets each",
            }));
        }
        let mut sec1 = Vec::with_capacity(1 + 2 * len);
        sec1.push(0x04);
        sec1.extend_from_slice(x);
        sec1.extend_from_slice(y);
        Self::from_sec1(curve, &sec1)
    }

    /// Imports a SEC1-encoded point (as found in an SPKI), compressed or not.
    pub(crate) fn from_sec1(curve: WideCurve, bytes: &[u8]) -> Result<WideEcKey> {
        // `from_sec1_bytes` decodes the point, checks it is on the curve and refuses the
        // identity (an encoded identity is a single 0x00 octet).
        let (key, point) = match curve {
            WideCurve::P384 => {
                let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                    .map_err(|_| Error::key("EC point is not on P-384 or is the identity"))?;
                let point = key.to_encoded_point(false).as_bytes().to_vec();
                (Inner::P384(key), point)
            }
            WideCurve::P521 => {
                let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(bytes)
                    .map_err(|_| Error::key("EC point is not on P-521 or is the identity"))?;
                let point = key.to_encoded_point(false).as_bytes().to_vec();
                (Inner::P521(key), point)
            }
        };
        // An uncompressed point is 0x04 || x || y.
        match point.split_first() {
            Some((0x04, xy)) if xy.len() == 2 * curve.field_len() => {
                Ok(WideEcKey { key, xy: xy.into() })
            }
            _ => Err(Error::key("EC point is the identity")),
        }
    }

    pub(crate) fn curve(&self) -> WideCurve {
        match self.key {
            Inner::P384(_) => WideCurve::P384,
            Inner::P521(_) => WideCurve::P521,
        }
    }

    /// The affine coordinates, `field_len` octets each.
    pub(crate) fn coordinates(&self) -> (&[u8], &[u8]) {
        self.xy.split_at(self.xy.len() / 2)
    }

    /// Verifies an ES384 or ES512 signature over `message`; the caller has checked that
    /// `alg` belongs to this key's curve.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<()> {
        if signature.len() != 2 * self.curve().field_len() {
            return Err(Error::SignatureInvalid);
        }
        let digest = alg.hash().digest(&[message]);
        let valid = match &self.key {
            Inner::P384(key) => p384::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify_prehash(digest.as_slice(), &sig).is_ok()),
            Inner::P521(key) => p521::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify_prehash(digest.as_slice(), &sig).is_ok()),
        };
        if valid {
            Ok(())
        } else {
            Err(Error::SignatureInvalid)
        }
    }
}
