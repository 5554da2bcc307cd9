//! EC P-256 public keys and ES256 (RFC 7518 §3.4).
//!
//! The signature is the raw 64-octet `r || s` that JWS mandates; DER is rejected.
//! `p256` rejects `r` or `s` outside `[1, n-1]` when the signature is decoded and checks
//! the point is on the curve and not the identity when the key is imported.
//! High-S signatures are valid ECDSA and are accepted (docs/DESIGN.md §4.7): a token string is
//! therefore never a unique identifier.
//!
//! A key's first verification multiplies the point itself by 4-bit windows (with `u1·G`
//! from the generator's table, built once per process by the first key verified twice;
//! until then `p256` verifies); from its second on, a table of the key's multiples makes
//! verification several times faster. Both are in `ec_table`, checked against `p256`'s
//! own verification.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::{EncodedPoint, PublicKey};

use super::ec_table::{self, KeyMultiples, P256};
use crate::algorithm::Algorithm;
use crate::error::{Error, Result};

type Affine = ec_table::Affine<P256>;
type Table = ec_table::Table<P256>;

/// Length of one P-256 coordinate and of `r` and `s`.
pub(crate) const FIELD_LEN: usize = 32;

/// A validated P-256 public key.
#[derive(Clone)]
pub(crate) struct EcKey {
    key: VerifyingKey,
    x: [u8; FIELD_LEN],
    y: [u8; FIELD_LEN],
    /// Shared by clones of the key, so a key set's copy and the caller's share one table.
    table: Arc<OnceLock<Option<Table>>>,
    used: Arc<AtomicBool>,
}

impl EcKey {
    /// Imports affine coordinates, each exactly 32 octets (RFC 7518 §6.2.1.2).
    pub(crate) fn from_coordinates(x: &[u8], y: &[u8]) -> Result<EcKey> {
        let (Ok(x), Ok(y)) = (
            <[u8; FIELD_LEN]>::try_from(x),
            <[u8; FIELD_LEN]>::try_from(y),
        ) else {
            return Err(Error::key(
                "P-256 coordinates must be exactly 32 octets each",
            ));
        };
        let point = EncodedPoint::from_affine_coordinates(&x.into(), &y.into(), false);
        Self::from_point(&point)
    }

    /// Imports a SEC1-encoded point (as found in an SPKI).
    pub(crate) fn from_sec1(bytes: &[u8]) -> Result<EcKey> {
        let point = EncodedPoint::from_bytes(bytes)
            .map_err(|_| Error::key("EC point encoding is invalid"))?;
        Self::from_point(&point)
    }

    fn from_point(point: &EncodedPoint) -> Result<EcKey> {
        let public = Option::<PublicKey>::from(PublicKey::from_encoded_point(point))
            .ok_or(Error::key("EC point is not on P-256 or is the identity"))?;
        let uncompressed = public.to_encoded_point(false);
        let (Some(x), Some(y)) = (uncompressed.x(), uncompressed.y()) else {
            return Err(Error::key("EC point is the identity"));
        };
        Ok(EcKey {
            key: VerifyingKey::from(&public),
            x: (*x).into(),
            y: (*y).into(),
            table: Arc::default(),
            used: Arc::default(),
        })
    }

    pub(crate) fn x(&self) -> &[u8; FIELD_LEN] {
        &self.x
    }

    pub(crate) fn y(&self) -> &[u8; FIELD_LEN] {
        &self.y
    }

    /// Verifies an ES256 signature over `message`.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<()> {
        if signature.len() != 2 * FIELD_LEN {
            return Err(Error::SignatureInvalid);
        }
        let signature = Signature::from_slice(signature).map_err(|_| Error::SignatureInvalid)?;
        let digest = alg.hash().digest(&[message]);
        let point;
        let multiples = match self.table() {
            Some(table) => Some(KeyMultiples::Table(table)),
            // A first verification converts the coordinates again (two field
            // conversions) rather than keep a third copy of them in every key.
            None if ec_table::generator_is_built::<P256>() => {
                point = self.point();
                point.as_ref().map(KeyMultiples::Point)
            }
            None => None,
        };
        let valid = match (multiples, <[u8; 32]>::try_from(digest.as_slice())) {
            (Some(multiples), Ok(digest)) => {
                let (r, s) = signature.split_scalars();
                ec_table::verify(multiples, &digest, &*r, &*s)
            }
            // Before any key's second verification has built the generator's table, and
            // never for other digest lengths (not reached for ES256).
            _ => self
                .key
                .verify_prehash(digest.as_slice(), &signature)
                .is_ok(),
        };
        if valid {
            Ok(())
        } else {
            Err(Error::SignatureInvalid)
        }
    }

    /// The point in `p256`'s field representation.
    fn point(&self) -> Option<Affine> {
        Affine::from_coordinates(&self.x, &self.y)
    }

    /// The key's table: none on its first use, built on its second.
    fn table(&self) -> Option<&Table> {
        if let Some(table) = self.table.get() {
            return table.as_ref();
        }
        if !self.used.swap(true, Ordering::Relaxed) {
            return None;
        }
        self.table
            .get_or_init(|| Table::new(&self.point()?, 4))
            .as_ref()
    }
}
