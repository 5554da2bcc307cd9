//! Verifying keys: our own type, so the RustCrypto types behind it can change without
//! breaking anyone.

use core::fmt;

use super::ec::EcKey;
use super::rsa::RsaKey;
use super::spki::{self, PemKind, PublicKeyBytes};
use crate::algorithm::{Algorithm, Scheme};
use crate::base64url;
use crate::error::{Error, Result};

/// A public key ready to verify signatures: RSA (2048 to 8192 bits by default) or EC
/// P-256. Every constructor validates the key; a `VerifyingKey` that exists is usable.
///
/// Build it once and reuse it: construction does the expensive checks.
///
/// ```
/// use jose_core::VerifyingKey;
/// // RFC 7515 A.3's P-256 key, from its JWK members.
/// let key = VerifyingKey::from_jwk_ec(
///     "P-256",
///     "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///     "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
/// )?;
/// assert_eq!(key.key_type(), "EC");
/// # Ok::<(), jose_core::Error>(())
/// ```
#[derive(Clone)]
pub struct VerifyingKey(Inner);

#[derive(Clone)]
enum Inner {
    Rsa(RsaKey),
    P256(EcKey),
}

/// Import rules for keys, with safe defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct KeyOptions {
    min_rsa_bits: usize,
    max_rsa_bits: usize,
}

impl Default for KeyOptions {
    fn default() -> Self {
        KeyOptions {
            min_rsa_bits: 2048,
            max_rsa_bits: 8192,
        }
    }
}

impl KeyOptions {
    /// Smallest RSA modulus accepted, in bits (default 2048, the RFC 7518 minimum).
    pub fn min_rsa_bits(mut self, bits: usize) -> Self {
        self.min_rsa_bits = bits;
        self
    }

    /// Largest RSA modulus accepted, in bits (default 8192): verification cost grows with
    /// the square of the size, so a hostile key set must not bring huge keys. Values
    /// above 8192 act as 8192, the largest size the verifier handles.
    pub fn max_rsa_bits(mut self, bits: usize) -> Self {
        self.max_rsa_bits = bits;
        self
    }

    /// Imports an RSA key from big-endian `n` and `e`.
    pub fn rsa_components(&self, n: &[u8], e: &[u8]) -> Result<VerifyingKey> {
        RsaKey::new(n, e, self.min_rsa_bits, self.max_rsa_bits).map(|k| VerifyingKey(Inner::Rsa(k)))
    }

    /// Imports a DER SubjectPublicKeyInfo holding an RSA or P-256 key.
    pub fn public_key_der(&self, der: &[u8]) -> Result<VerifyingKey> {
        self.import(spki::parse_spki(der)?)
    }

    /// Imports a PEM `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1) document.
    pub fn public_key_pem(&self, pem: &str) -> Result<VerifyingKey> {
        let (kind, der) = spki::decode_pem(pem)?;
        let bytes = match kind {
            PemKind::Spki => spki::parse_spki(&der)?,
            PemKind::Pkcs1 => spki::parse_pkcs1(&der)?,
        };
        self.import(bytes)
    }

    fn import(&self, bytes: PublicKeyBytes<'_>) -> Result<VerifyingKey> {
        match bytes {
            PublicKeyBytes::Rsa { n, e } => self.rsa_components(n, e),
            PublicKeyBytes::P256 { point } => {
                EcKey::from_sec1(point).map(|k| VerifyingKey(Inner::P256(k)))
            }
        }
    }
}

impl VerifyingKey {
    /// Imports an RSA key from big-endian `n` and `e` with the default [`KeyOptions`].
    pub fn from_rsa_components(n: &[u8], e: &[u8]) -> Result<VerifyingKey> {
        KeyOptions::default().rsa_components(n, e)
    }

    /// Imports an RSA key from the base64url `n` and `e` members of a JWK.
    pub fn from_jwk_rsa(n: &str, e: &str) -> Result<VerifyingKey> {
        let n = base64url::decode_strict(n).ok_or(Error::key("\"n\" is not strict base64url"))?;
        let e = base64url::decode_strict(e).ok_or(Error::key("\"e\" is not strict base64url"))?;
        Self::from_rsa_components(&n, &e)
    }

    /// Imports a P-256 key from its affine coordinates, exactly 32 octets each.
    pub fn from_p256_coordinates(x: &[u8], y: &[u8]) -> Result<VerifyingKey> {
        EcKey::from_coordinates(x, y).map(|k| VerifyingKey(Inner::P256(k)))
    }

    /// Imports an EC key from the `crv`, `x` and `y` members of a JWK (`crv` must be
    /// `P-256`).
    pub fn from_jwk_ec(crv: &str, x: &str, y: &str) -> Result<VerifyingKey> {
        if crv != "P-256" {
            return Err(Error::key("EC curve is not supported (only P-256)"));
        }
        let x = base64url::decode_strict(x).ok_or(Error::key("\"x\" is not strict base64url"))?;
        let y = base64url::decode_strict(y).ok_or(Error::key("\"y\" is not strict base64url"))?;
        Self::from_p256_coordinates(&x, &y)
    }

    /// Imports a DER SubjectPublicKeyInfo with the default [`KeyOptions`].
    pub fn from_public_key_der(der: &[u8]) -> Result<VerifyingKey> {
        KeyOptions::default().public_key_der(der)
    }

    /// Imports a PEM public key (`PUBLIC KEY` or `RSA PUBLIC KEY`) with the default
    /// [`KeyOptions`].
    pub fn from_public_key_pem(pem: &str) -> Result<VerifyingKey> {
        KeyOptions::default().public_key_pem(pem)
    }

    /// The JWK key type: `"RSA"` or `"EC"`.
    pub fn key_type(&self) -> &'static str {
        match &self.0 {
            Inner::Rsa(_) => "RSA",
            Inner::P256(_) => "EC",
        }
    }

    /// The JWK curve name for EC keys (`"P-256"`), `None` for RSA.
    pub fn curve(&self) -> Option<&'static str> {
        match &self.0 {
            Inner::Rsa(_) => None,
            Inner::P256(_) => Some("P-256"),
        }
    }

    /// The RSA modulus size in bits, `None` for EC keys.
    pub fn rsa_bits(&self) -> Option<usize> {
        match &self.0 {
            Inner::Rsa(k) => Some(k.bits()),
            Inner::P256(_) => None,
        }
    }

    /// The RSA modulus and public exponent, big-endian without leading zeros.
    pub fn rsa_components(&self) -> Option<(&[u8], &[u8])> {
        match &self.0 {
            Inner::Rsa(k) => Some((k.modulus(), k.exponent())),
            Inner::P256(_) => None,
        }
    }

    /// The P-256 affine coordinates, 32 octets each.
    pub fn p256_coordinates(&self) -> Option<(&[u8; 32], &[u8; 32])> {
        match &self.0 {
            Inner::Rsa(_) => None,
            Inner::P256(k) => Some((k.x(), k.y())),
        }
    }

    /// Whether `alg` can be used with this key: RSA algorithms with RSA keys, ES256 with
    /// P-256 keys. Fails with [`Error::KeyMismatch`] otherwise.
    pub fn check_algorithm(&self, alg: Algorithm) -> Result<()> {
        match (alg.scheme(), &self.0) {
            (Scheme::RsaPkcs1v15 | Scheme::RsaPss, Inner::Rsa(_))
            | (Scheme::EcdsaP256, Inner::P256(_)) => Ok(()),
            (_, Inner::Rsa(_)) => Err(Error::KeyMismatch {
                alg,
                key: "an RSA key",
            }),
            (_, Inner::P256(_)) => Err(Error::KeyMismatch {
                alg,
                key: "a P-256 key",
            }),
        }
    }

    /// Verifies `signature` over `signing_input` with `alg`.
    ///
    /// This is the raw signature check: it does not consult an allowlist. Prefer
    /// [`verify_jwt`](crate::verify_jwt) or [`verify_jws`](crate::verify_jws), which do.
    pub fn verify_signature(
        &self,
        alg: Algorithm,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        self.check_algorithm(alg)?;
        match &self.0 {
            Inner::Rsa(k) => k.verify(alg, signing_input, signature),
            Inner::P256(k) => k.verify(alg, signing_input, signature),
        }
    }
}

impl AsRef<VerifyingKey> for VerifyingKey {
    fn as_ref(&self) -> &VerifyingKey {
        self
    }
}

/// Shows the kind and size only; key bytes are never printed.
impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Inner::Rsa(k) => write!(f, "VerifyingKey(RSA {} bits)", k.bits()),
            Inner::P256(_) => f.write_str("VerifyingKey(EC P-256)"),
        }
    }
}
