//! RFC 7638 JWK thumbprints (SHA-256).

use jose_core::{VerifyingKey, base64url_encode};
use sha2::{Digest, Sha256};

/// The RFC 7638 SHA-256 thumbprint of a public key, base64url-encoded.
///
/// The hash input is the JSON object of the key's required members only, in
/// lexicographic order with no whitespace (RFC 7638 §3.2-3.3): `{"e","kty","n"}` for RSA,
/// `{"crv","kty","x","y"}` for EC (coordinates at the curve's full length, leading zeros
/// kept), `{"crv","kty","x"}` for OKP (RFC 8037 §2). The members are built here from the key itself, so
/// the thumbprint does not depend on how the JWK was spelled.
///
/// ```
/// use jose_core::VerifyingKey;
/// // RFC 7515 A.3's P-256 key.
/// let key = VerifyingKey::from_jwk_ec(
///     "P-256",
///     "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///     "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
/// )?;
/// assert_eq!(jose_jwk::thumbprint_sha256(&key).len(), 43);
/// # Ok::<(), jose_core::Error>(())
/// ```
pub fn thumbprint_sha256(key: &VerifyingKey) -> String {
    base64url_encode(&Sha256::digest(canonical_json(key).as_bytes()))
}

/// The RFC 7638 hash input. Base64url output needs no JSON escaping.
fn canonical_json(key: &VerifyingKey) -> String {
    if let Some((n, e)) = key.rsa_components() {
        format!(
            r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
            base64url_encode(e),
            base64url_encode(n)
        )
    } else if let (Some((x, y)), Some(crv)) = (key.ec_coordinates(), key.curve()) {
        format!(
            r#"{{"crv":"{crv}","kty":"EC","x":"{}","y":"{}"}}"#,
            base64url_encode(x),
            base64url_encode(y)
        )
    } else if let (Some(x), Some(crv)) = (key.okp_x(), key.curve()) {
        format!(
            r#"{{"crv":"{crv}","kty":"OKP","x":"{}"}}"#,
            base64url_encode(x)
        )
    } else {
        // VerifyingKey is non-exhaustive upstream only in spirit: every kind it can hold
        // is listed above. Hash the kind alone rather than panic if one is added.
        format!(r#"{{"kty":"{}"}}"#, key.key_type())
    }
}
