//! Test support: a real HTTP server and token/key helpers.
#![allow(dead_code, missing_docs, unreachable_pub)]

pub mod server;

use jose_core::base64url_encode;
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer;

/// A deterministic P-256 key for test number `n` (scalar `n+1` repeated).
pub fn ec_key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n.wrapping_add(1); 32].into()).unwrap()
}

/// The public JWK of `key` with `kid`.
pub fn ec_jwk(kid: &str, key: &SigningKey) -> serde_json::Value {
    let point = key.verifying_key().to_encoded_point(false);
    serde_json::json!({
        "kty": "EC", "crv": "P-256", "use": "sig", "kid": kid,
        "x": base64url_encode(point.x().unwrap()), "y": base64url_encode(point.y().unwrap()),
    })
}

pub fn jwks(keys: &[serde_json::Value]) -> String {
    serde_json::json!({ "keys": keys }).to_string()
}

pub const ISSUER_CLAIM: &str = "https://issuer.example";

/// An ES256 JWT with `kid`, issued by ISSUER_CLAIM, expiring far in the future.
pub fn token(kid: &str, key: &SigningKey) -> String {
    token_with_claims(
        kid,
        key,
        &serde_json::json!({"iss": ISSUER_CLAIM, "sub": "alice", "exp": 4_000_000_000u64}),
    )
}

pub fn token_with_claims(kid: &str, key: &SigningKey, claims: &serde_json::Value) -> String {
    let header = serde_json::json!({"alg": "ES256", "kid": kid}).to_string();
    let input = format!(
        "{}.{}",
        base64url_encode(header.as_bytes()),
        base64url_encode(claims.to_string().as_bytes())
    );
    let sig: p256::ecdsa::Signature = key.sign(input.as_bytes());
    format!("{input}.{}", base64url_encode(&sig.to_bytes()))
}

pub fn validation() -> jose_core::Validation {
    jose_core::Validation::builder([jose_core::Algorithm::ES256, jose_core::Algorithm::RS256])
        .issuer(ISSUER_CLAIM)
        .build()
}
