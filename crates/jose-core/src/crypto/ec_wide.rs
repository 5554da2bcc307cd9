//! EC P-384 and P-521 public keys, ES384 and ES512 (RFC 7518 §3.4).
//!
//! As for ES256 (`ec`): the signature is the raw `r || s` that JWS mandates, 96 octets
//! for P-384 and 132 for P-521 (`r` and `s` each as long as the curve's order); DER is
//! rejected by length before anything is decoded. `p384`/`p521` refuse `r` or `s` outside
//! `[1, n-1]` when the signature is decoded, and a point off the curve or the identity
//! when the key is imported. High-S signatures are valid ECDSA and are accepted.
//!
//! The digest is the algorithm's hash: SHA-384 for P-384, SHA-512 for P-521, whose
//! 64-octet digest is shorter than the 66-octet order and so is used whole (SEC 1 §4.1.4
//! step 5). P-521 verifies with `p521`'s own `verify_prehash`. P-384 verifies as ES256
//! does (`ec`): with `p384`'s own verification until the generator's table exists, then a
//! key's first verification multiplies the point itself by 4-bit windows, and from its
//! second on a table of the key's multiples (about 138 KB, shared by the key's clones)
//! makes it several times faster; both are in `ec_table`, checked against `p384`'s own
//! verification.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use p384::ecdsa::signature::hazmat::PrehashVerifier;

use super::ec_table::{self, KeyMultiples, P384};
use crate::algorithm::Algorithm;
use crate::error::{Error, Result};

type Affine = ec_table::Affine<P384>;
type Table = ec_table::Table<P384>;

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
    P384(P384Key),
    P521(p521::ecdsa::VerifyingKey),
}

/// A P-384 key with the table of its multiples, built on its second verification.
#[derive(Clone)]
struct P384Key {
    key: p384::ecdsa::VerifyingKey,
    /// Shared by clones of the key, so a key set's copy and the caller's share one table.
    table: Arc<OnceLock<Option<Table>>>,
    used: Arc<AtomicBool>,
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
                let key = P384Key {
                    key,
                    table: Arc::default(),
                    used: Arc::default(),
                };
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
                .is_ok_and(|sig| self.verify_p384(key, digest.as_slice(), &sig)),
            Inner::P521(key) => p521::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify_prehash(digest.as_slice(), &sig).is_ok()),
        };
        if valid {
            Ok(())
        } else {
            Err(Error::SignatureInvalid)
        }
    }

    /// ECDSA P-384 verification of `sig` over `digest`, as `ec::EcKey::verify` does it
    /// for P-256.
    fn verify_p384(&self, key: &P384Key, digest: &[u8], sig: &p384::ecdsa::Signature) -> bool {
        let point;
        let multiples = match self.p384_table(key) {
            Some(table) => Some(KeyMultiples::Table(table)),
            // A first verification converts the coordinates again rather than keep a
            // third copy of them in every key.
            None if ec_table::generator_is_built::<P384>() => {
                point = self.p384_point();
                point.as_ref().map(KeyMultiples::Point)
            }
            None => None,
        };
        match multiples {
            Some(multiples) if digest.len() == P384_LEN => {
                let (r, s) = sig.split_scalars();
                ec_table::verify(multiples, digest, &*r, &*s)
            }
            // Before any P-384 key's second verification has built the generator's
            // table, and never for other digest lengths (not reached for ES384).
            _ => key.key.verify_prehash(digest, sig).is_ok(),
        }
    }

    /// The point in `p384`'s field representation.
    fn p384_point(&self) -> Option<Affine> {
        let (x, y) = self.coordinates();
        Affine::from_coordinates(x, y)
    }

    /// The key's table: none on its first use, built on its second.
    fn p384_table<'k>(&self, key: &'k P384Key) -> Option<&'k Table> {
        if let Some(table) = key.table.get() {
            return table.as_ref();
        }
        if !key.used.swap(true, Ordering::Relaxed) {
            return None;
        }
        key.table
            .get_or_init(|| Table::new(&self.p384_point()?, 4))
            .as_ref()
    }
}

/// Octets of a P-384 coordinate, scalar and SHA-384 digest.
const P384_LEN: usize = 48;

#[cfg(test)]
mod tests {
    use super::*;
    use p384::ecdsa::signature::hazmat::PrehashSigner;

    fn key_of(signer: &p384::ecdsa::SigningKey) -> WideEcKey {
        let point = signer.verifying_key().to_encoded_point(false);
        WideEcKey::from_sec1(WideCurve::P384, point.as_bytes()).unwrap()
    }

    /// A P-384 key gives the same answers on its first verification (`p384`, or the
    /// point once the generator's table exists), its second (which builds the table) and
    /// later ones (the table, shared with the key's clones).
    #[test]
    fn p384_key_answers_the_same_before_and_after_its_table() {
        let signer = p384::ecdsa::SigningKey::from_bytes(&[0x42; 48].into()).unwrap();
        let message = b"header.payload";
        let digest = Algorithm::ES384.hash().digest(&[message]);
        let sig: p384::ecdsa::Signature = signer.sign_prehash(digest.as_slice()).unwrap();
        let good = sig.to_bytes();
        let mut bad = good;
        bad[47] ^= 1;
        let key = key_of(&signer);
        let clone = key.clone();
        let Inner::P384(inner) = &key.key else {
            panic!("a P-384 key");
        };
        for round in 0..4 {
            assert_eq!(key.verify(Algorithm::ES384, message, &good), Ok(()));
            assert_eq!(
                key.verify(Algorithm::ES384, message, &bad),
                Err(Error::SignatureInvalid)
            );
            assert_eq!(
                key.verify(Algorithm::ES384, b"header.payloae", &good),
                Err(Error::SignatureInvalid)
            );
            assert_eq!(clone.verify(Algorithm::ES384, message, &good), Ok(()));
            assert!(inner.used.load(Ordering::Relaxed), "round {round}");
            assert!(inner.table.get().is_some_and(Option::is_some));
        }
        assert!(ec_table::generator_is_built::<P384>());
        // A new key's first verification, with the generator's table built, takes the
        // point and builds no table.
        let fresh = key_of(&signer);
        assert_eq!(fresh.verify(Algorithm::ES384, message, &good), Ok(()));
        let Inner::P384(inner) = &fresh.key else {
            panic!("a P-384 key");
        };
        assert!(inner.table.get().is_none());
    }
}
