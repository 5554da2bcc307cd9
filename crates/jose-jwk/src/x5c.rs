//! `x5c`, `x5t` and `x5t#S256` (RFC 7517 §4.7-4.9): the leaf certificate's public key, and
//! its agreement with the JWK's own members.
//!
//! The certificate is not validated as a chain: the JWK Set is the trust anchor (it came
//! from the caller's trusted source), and the certificate is only another spelling of the
//! key. What matters is that both spellings name the same key, otherwise two verifiers
//! could pick different keys from one JWK.

use base64ct::{Base64, Encoding};
use der::{Decode, Encode};
use jose_core::{KeyOptions, VerifyingKey, base64url_decode};
use serde_json::{Map, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;

use crate::skip::SkipReason;

/// Reads `x5c` (if present) and checks `x5t`/`x5t#S256` against its leaf. Returns the
/// leaf's key, or `None` when the JWK has no `x5c`.
pub(crate) fn leaf_key(
    jwk: &Map<String, Value>,
    rules: &KeyOptions,
) -> Result<Option<VerifyingKey>, SkipReason> {
    let Some(chain) = jwk.get("x5c") else {
        return Ok(None);
    };
    let Value::Array(chain) = chain else {
        return Err(SkipReason::Malformed("\"x5c\" is not an array"));
    };
    if !chain.iter().all(Value::is_string) {
        return Err(SkipReason::Malformed("\"x5c\" holds a non-string"));
    }
    let Some(Value::String(leaf)) = chain.first() else {
        return Err(SkipReason::Malformed("\"x5c\" is empty"));
    };
    // x5c is standard base64 with padding, not base64url (RFC 7517 §4.7).
    let der = Base64::decode_vec(leaf)
        .map_err(|_| SkipReason::CertificateMismatch("x5c leaf is not valid base64"))?;
    check_thumbprint::<Sha1>(jwk, "x5t", &der)?;
    check_thumbprint::<Sha256>(jwk, "x5t#S256", &der)?;
    let cert = Certificate::from_der(&der)
        .map_err(|_| SkipReason::CertificateMismatch("x5c leaf is not a DER certificate"))?;
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|_| SkipReason::CertificateMismatch("x5c leaf key cannot be re-encoded"))?;
    rules
        .public_key_der(&spki)
        .map(Some)
        .map_err(SkipReason::InvalidKey)
}

/// `x5t` / `x5t#S256`, when present, must be the base64url digest of the leaf's DER.
fn check_thumbprint<D: Digest>(
    jwk: &Map<String, Value>,
    member: &'static str,
    der: &[u8],
) -> Result<(), SkipReason> {
    let Some(value) = jwk.get(member) else {
        return Ok(());
    };
    let expected = value
        .as_str()
        .and_then(base64url_decode)
        .ok_or(SkipReason::Malformed(
            "x5t/x5t#S256 is not a base64url string",
        ))?;
    if expected[..] == D::digest(der)[..] {
        Ok(())
    } else {
        Err(SkipReason::CertificateMismatch(
            "x5t/x5t#S256 does not match the x5c leaf",
        ))
    }
}

/// Whether two keys are the same public key: same type and curve, same members.
pub(crate) fn same_key(a: &VerifyingKey, b: &VerifyingKey) -> bool {
    a.key_type() == b.key_type()
        && a.curve() == b.curve()
        && a.rsa_components() == b.rsa_components()
        && a.ec_coordinates() == b.ec_coordinates()
        && a.okp_x() == b.okp_x()
}
