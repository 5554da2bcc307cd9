//! Verifying keys: our own type, so the RustCrypto types behind it can change without
//! breaking anyone.

use core::fmt;

use super::ec::EcKey;
use super::ec_wide::{WideCurve, WideEcKey};
use super::ed25519::Ed25519Key;
use super::rsa::RsaKey;
use super::spki::{self, PemKind, PublicKeyBytes};
use crate::algorithm::{Algorithm, Scheme};
use crate::base64url;
use crate::error::{Error, Result};

/// A public key ready to verify signatures: RSA (2048 to 8192 bits by default), EC
/// P-256, P-384 or P-521, or Ed25519. Every constructor validates the key; a
/// `VerifyingKey` that exists is usable.
///
/// Each key verifies exactly one family: RSA keys the `RS*`/`PS*` algorithms, a P-256
/// key `ES256`, a P-384 key `ES384`, a P-521 key `ES512`, an Ed25519 key `EdDSA` and
/// `Ed25519`. Any other pairing fails with [`Error::KeyMismatch`].
///
/// Ed25519 is verified strictly: `s` must be below the group order, and neither the
/// key `A` nor the signature's `R` may be of small order or non-canonically encoded
/// (`ed25519-dalek`'s `verify_strict`, with the key's encoding checked on import). These
/// are the checks that make a signature and a key unique for a message; RFC 8032 leaves
/// some of them to the implementation, and being strict refuses only signatures that no
/// honest signer produces.
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
    /// P-384 or P-521.
    Wide(WideEcKey),
    Ed25519(Ed25519Key),
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

    /// Imports a DER SubjectPublicKeyInfo holding an RSA, EC (P-256, P-384, P-521) or
    /// Ed25519 key.
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
            PublicKeyBytes::Wide { curve, point } => {
                WideEcKey::from_sec1(curve, point).map(|k| VerifyingKey(Inner::Wide(k)))
            }
            PublicKeyBytes::Ed25519 { point } => {
                Ed25519Key::from_bytes(point).map(|k| VerifyingKey(Inner::Ed25519(k)))
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

    /// Imports a P-384 key from its affine coordinates, exactly 48 octets each.
    pub fn from_p384_coordinates(x: &[u8], y: &[u8]) -> Result<VerifyingKey> {
        WideEcKey::from_coordinates(WideCurve::P384, x, y).map(|k| VerifyingKey(Inner::Wide(k)))
    }

    /// Imports a P-521 key from its affine coordinates, exactly 66 octets each.
    pub fn from_p521_coordinates(x: &[u8], y: &[u8]) -> Result<VerifyingKey> {
        WideEcKey::from_coordinates(WideCurve::P521, x, y).map(|k| VerifyingKey(Inner::Wide(k)))
    }

    /// Imports an EC key from decoded coordinates and the JWK curve name: `"P-256"`,
    /// `"P-384"` or `"P-521"` (exactly; `"P-512"` is not a curve).
    pub fn from_ec_coordinates(crv: &str, x: &[u8], y: &[u8]) -> Result<VerifyingKey> {
        match crv {
            "P-256" => Self::from_p256_coordinates(x, y),
            "P-384" => Self::from_p384_coordinates(x, y),
            "P-521" => Self::from_p521_coordinates(x, y),
            _ => Err(Error::key(
                "EC curve is not supported (P-256, P-384 and P-521 only)",
            )),
        }
    }

    /// Imports an EC key from the `crv`, `x` and `y` members of a JWK (`crv` one of
    /// `P-256`, `P-384`, `P-521`).
    pub fn from_jwk_ec(crv: &str, x: &str, y: &str) -> Result<VerifyingKey> {
        if !matches!(crv, "P-256" | "P-384" | "P-521") {
            return Err(Error::key(
                "EC curve is not supported (P-256, P-384 and P-521 only)",
            ));
        }
        let x = base64url::decode_strict(x).ok_or(Error::key("\"x\" is not strict base64url"))?;
        let y = base64url::decode_strict(y).ok_or(Error::key("\"y\" is not strict base64url"))?;
        Self::from_ec_coordinates(crv, &x, &y)
    }

    /// Imports an Ed25519 public key from its 32-octet encoding (RFC 8032 §5.1.5). A
    /// point of small order or a non-canonical encoding is refused.
    pub fn from_ed25519_bytes(x: &[u8]) -> Result<VerifyingKey> {
        Ed25519Key::from_bytes(x).map(|k| VerifyingKey(Inner::Ed25519(k)))
    }

    /// Imports an OKP key from the `crv` and `x` members of a JWK (RFC 8037 §2). Only
    /// `"Ed25519"` is supported: `Ed448` is not, and `X25519`/`X448` are key-agreement
    /// keys, never signature keys.
    pub fn from_jwk_okp(crv: &str, x: &str) -> Result<VerifyingKey> {
        if crv != "Ed25519" {
            return Err(Error::key("OKP curve is not supported (only Ed25519)"));
        }
        let x = base64url::decode_strict(x).ok_or(Error::key("\"x\" is not strict base64url"))?;
        Self::from_ed25519_bytes(&x)
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

    /// The JWK key type: `"RSA"`, `"EC"` or `"OKP"`.
    pub fn key_type(&self) -> &'static str {
        match &self.0 {
            Inner::Rsa(_) => "RSA",
            Inner::P256(_) | Inner::Wide(_) => "EC",
            Inner::Ed25519(_) => "OKP",
        }
    }

    /// The JWK curve name: `"P-256"`, `"P-384"`, `"P-521"` or `"Ed25519"`; `None` for
    /// RSA.
    pub fn curve(&self) -> Option<&'static str> {
        match &self.0 {
            Inner::Rsa(_) => None,
            Inner::P256(_) => Some("P-256"),
            Inner::Wide(k) => Some(k.curve().name()),
            Inner::Ed25519(_) => Some("Ed25519"),
        }
    }

    /// The RSA modulus size in bits, `None` for other keys.
    pub fn rsa_bits(&self) -> Option<usize> {
        match &self.0 {
            Inner::Rsa(k) => Some(k.bits()),
            _ => None,
        }
    }

    /// The RSA modulus and public exponent, big-endian without leading zeros.
    pub fn rsa_components(&self) -> Option<(&[u8], &[u8])> {
        match &self.0 {
            Inner::Rsa(k) => Some((k.modulus(), k.exponent())),
            _ => None,
        }
    }

    /// The P-256 affine coordinates, 32 octets each.
    pub fn p256_coordinates(&self) -> Option<(&[u8; 32], &[u8; 32])> {
        match &self.0 {
            Inner::P256(k) => Some((k.x(), k.y())),
            _ => None,
        }
    }

    /// The affine coordinates of any EC key, each as long as the curve's field (32, 48
    /// or 66 octets): the JWK `x` and `y` with their leading zeros.
    pub fn ec_coordinates(&self) -> Option<(&[u8], &[u8])> {
        match &self.0 {
            Inner::P256(k) => Some((k.x(), k.y())),
            Inner::Wide(k) => Some(k.coordinates()),
            _ => None,
        }
    }

    /// The 32-octet public key of an OKP (Ed25519) key: the JWK `x`.
    pub fn okp_x(&self) -> Option<&[u8; 32]> {
        match &self.0 {
            Inner::Ed25519(k) => Some(k.x()),
            _ => None,
        }
    }

    /// The key's size in bits as `jose jwks` lists it: the modulus for RSA, the field
    /// for EC (256, 384, 521), 256 for Ed25519.
    pub fn bits(&self) -> usize {
        match &self.0 {
            Inner::Rsa(k) => k.bits(),
            Inner::P256(_) | Inner::Ed25519(_) => 256,
            Inner::Wide(k) => match k.curve() {
                WideCurve::P384 => 384,
                WideCurve::P521 => 521,
            },
        }
    }

    /// What this key is, in the words of [`Error::KeyMismatch`].
    fn description(&self) -> &'static str {
        match &self.0 {
            Inner::Rsa(_) => "an RSA key",
            Inner::P256(_) => "a P-256 key",
            Inner::Wide(k) => match k.curve() {
                WideCurve::P384 => "a P-384 key",
                WideCurve::P521 => "a P-521 key",
            },
            Inner::Ed25519(_) => "an Ed25519 key",
        }
    }

    /// Whether `alg` can be used with this key: RSA algorithms with RSA keys, ES256 with
    /// P-256, ES384 with P-384, ES512 with P-521, EdDSA and Ed25519 with Ed25519 keys.
    /// Fails with [`Error::KeyMismatch`] otherwise.
    pub fn check_algorithm(&self, alg: Algorithm) -> Result<()> {
        let fits = match (alg.scheme(), &self.0) {
            (Scheme::RsaPkcs1v15 | Scheme::RsaPss, Inner::Rsa(_))
            | (Scheme::EcdsaP256, Inner::P256(_))
            | (Scheme::Ed25519, Inner::Ed25519(_)) => true,
            (Scheme::EcdsaP384, Inner::Wide(k)) => k.curve() == WideCurve::P384,
            (Scheme::EcdsaP521, Inner::Wide(k)) => k.curve() == WideCurve::P521,
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            Err(Error::KeyMismatch {
                alg,
                key: self.description(),
            })
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
            Inner::Wide(k) => k.verify(alg, signing_input, signature),
            Inner::Ed25519(k) => k.verify(signing_input, signature),
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
            Inner::Wide(k) => write!(f, "VerifyingKey(EC {})", k.curve().name()),
            Inner::Ed25519(_) => f.write_str("VerifyingKey(OKP Ed25519)"),
        }
    }
}
