//! Public keys in SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7) and PEM (RFC 7468), and
//! PKCS#1 `RSAPublicKey`, because many users hold their provider's key as a PEM file.

use der::{Decode, asn1::ObjectIdentifier};
use spki::SubjectPublicKeyInfoRef;

use super::ec_wide::WideCurve;
use crate::error::{Error, Result};

/// rsaEncryption (RFC 8017 A.1).
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// id-ecPublicKey (RFC 5480 §2.1.1).
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 / prime256v1 (RFC 5480 §2.1.1.1).
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1 (RFC 5480 §2.1.1.1).
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// secp521r1 (RFC 5480 §2.1.1.1).
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
/// id-Ed25519 (RFC 8410 §3).
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// The key material found in an SPKI, before size and curve checks.
pub(crate) enum PublicKeyBytes<'a> {
    /// Big-endian modulus and exponent.
    Rsa { n: &'a [u8], e: &'a [u8] },
    /// A SEC1-encoded P-256 point.
    P256 { point: &'a [u8] },
    /// A SEC1-encoded P-384 or P-521 point.
    Wide { curve: WideCurve, point: &'a [u8] },
    /// The 32-octet encoded Ed25519 point.
    Ed25519 { point: &'a [u8] },
}

/// Reads an SPKI; the whole input must be one DER structure.
pub(crate) fn parse_spki(der: &[u8]) -> Result<PublicKeyBytes<'_>> {
    let spki = SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|_| Error::key("not a DER SubjectPublicKeyInfo"))?;
    let key_bits = spki.subject_public_key.as_bytes().ok_or(Error::key(
        "SubjectPublicKeyInfo key is not a whole number of octets",
    ))?;
    if spki.algorithm.oid == RSA_ENCRYPTION {
        // RFC 3279 §2.3.1: parameters MUST be NULL; some encoders omit them.
        if let Some(params) = spki.algorithm.parameters
            && !params.is_null()
        {
            return Err(Error::key("rsaEncryption parameters must be NULL"));
        }
        parse_pkcs1(key_bits)
    } else if spki.algorithm.oid == EC_PUBLIC_KEY {
        let curve = spki
            .algorithm
            .parameters_oid()
            .map_err(|_| Error::key("EC key without a named curve"))?;
        if curve == SECP256R1 {
            Ok(PublicKeyBytes::P256 { point: key_bits })
        } else if curve == SECP384R1 {
            Ok(PublicKeyBytes::Wide {
                curve: WideCurve::P384,
                point: key_bits,
            })
        } else if curve == SECP521R1 {
            Ok(PublicKeyBytes::Wide {
                curve: WideCurve::P521,
                point: key_bits,
            })
        } else {
            Err(Error::key(
                "EC curve is not supported (P-256, P-384 and P-521 only)",
            ))
        }
    } else if spki.algorithm.oid == ED25519 {
        // RFC 8410 §3: the parameters MUST be absent.
        if spki.algorithm.parameters.is_some() {
            return Err(Error::key("Ed25519 key algorithm must have no parameters"));
        }
        Ok(PublicKeyBytes::Ed25519 { point: key_bits })
    } else {
        Err(Error::key(
            "key algorithm is not supported (RSA, EC P-256/P-384/P-521 and Ed25519 only)",
        ))
    }
}

/// Reads a PKCS#1 `RSAPublicKey` (RFC 8017 A.1.1).
pub(crate) fn parse_pkcs1(der: &[u8]) -> Result<PublicKeyBytes<'_>> {
    let key =
        pkcs1::RsaPublicKey::from_der(der).map_err(|_| Error::key("not a DER RSAPublicKey"))?;
    Ok(PublicKeyBytes::Rsa {
        n: key.modulus.as_bytes(),
        e: key.public_exponent.as_bytes(),
    })
}

/// PEM labels we accept and what they contain.
pub(crate) enum PemKind {
    /// `-----BEGIN PUBLIC KEY-----`: an SPKI.
    Spki,
    /// `-----BEGIN RSA PUBLIC KEY-----`: PKCS#1.
    Pkcs1,
}

/// Decodes a PEM document holding a public key.
pub(crate) fn decode_pem(pem: &str) -> Result<(PemKind, Vec<u8>)> {
    let (label, der) = pem_rfc7468::decode_vec(pem.trim().as_bytes())
        .map_err(|_| Error::key("not a PEM document"))?;
    match label {
        "PUBLIC KEY" => Ok((PemKind::Spki, der)),
        "RSA PUBLIC KEY" => Ok((PemKind::Pkcs1, der)),
        "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
            Err(Error::key("PEM holds a private key; give the public key"))
        }
        "CERTIFICATE" => Err(Error::key("PEM holds a certificate; give its public key")),
        _ => Err(Error::key("PEM label is not PUBLIC KEY or RSA PUBLIC KEY")),
    }
}
