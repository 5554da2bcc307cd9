//! Shared helpers for jose-core's integration tests: fixture paths, test keys, and a
//! small token signer for attack cases (which must be signed validly to prove the
//! rejection comes from the rule under test, not from a bad signature).
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::path::PathBuf;

use jose_core::{VerifyingKey, base64url_encode};
use p256::ecdsa::signature::Signer;
use p256::pkcs8::DecodePrivateKey;

pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors")
}

pub fn read_json(relative: &str) -> serde_json::Value {
    let path = vectors_dir().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

pub fn read_text(relative: &str) -> String {
    std::fs::read_to_string(vectors_dir().join(relative)).unwrap()
}

/// The public half of a test key from `test-vectors/keys/`.
pub fn public_key(name: &str) -> VerifyingKey {
    VerifyingKey::from_public_key_pem(&read_text(&format!("keys/{name}.pub.pem"))).unwrap()
}

pub fn rsa_private(name: &str) -> rsa::RsaPrivateKey {
    rsa::RsaPrivateKey::from_pkcs8_pem(&read_text(&format!("keys/{name}.pem"))).unwrap()
}

pub fn ec_private() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_pkcs8_pem(&read_text("keys/ec-p256.pem")).unwrap()
}

/// Joins already-encoded segments.
pub fn join(header_b64: &str, payload_b64: &str, sig: &[u8]) -> String {
    format!("{header_b64}.{payload_b64}.{}", base64url_encode(sig))
}

/// Signs `header.payload` (raw JSON strings, encoded here) with RS256 and rsa-2048.
pub fn sign_rs256(header_json: &str, payload_json: &str) -> String {
    let signing_input = format!(
        "{}.{}",
        base64url_encode(header_json.as_bytes()),
        base64url_encode(payload_json.as_bytes())
    );
    let sig = rs256_signature(signing_input.as_bytes());
    format!("{signing_input}.{}", base64url_encode(&sig))
}

pub fn rs256_signature(message: &[u8]) -> Vec<u8> {
    use rsa::signature::{SignatureEncoding, Signer as _};
    let key = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(rsa_private("rsa-2048"));
    key.sign(message).to_vec()
}

/// Signs with ES256 and ec-p256; returns the token and the raw `r || s`.
pub fn sign_es256(header_json: &str, payload_json: &str) -> (String, Vec<u8>) {
    let signing_input = format!(
        "{}.{}",
        base64url_encode(header_json.as_bytes()),
        base64url_encode(payload_json.as_bytes())
    );
    let sig: p256::ecdsa::Signature = ec_private().sign(signing_input.as_bytes());
    let raw = sig.to_bytes().to_vec();
    (format!("{signing_input}.{}", base64url_encode(&raw)), raw)
}
