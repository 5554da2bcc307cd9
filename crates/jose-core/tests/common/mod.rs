//! Shared helpers for jose-core's integration tests: fixture paths, test keys, and a
//! small token signer for attack cases (which must be signed validly to prove the
//! rejection comes from the rule under test, not from a bad signature).
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::path::PathBuf;

use jose_core::{VerifyingKey, base64url_encode};
use jose_testkit::TestKey;

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

/// Joins already-encoded segments.
pub fn join(header_b64: &str, payload_b64: &str, sig: &[u8]) -> String {
    format!("{header_b64}.{payload_b64}.{}", base64url_encode(sig))
}

/// Signs `header.payload` (raw JSON strings, encoded here) with RS256 and rsa-2048.
pub fn sign_rs256(header_json: &str, payload_json: &str) -> String {
    TestKey::rs256()
        .token()
        .header_json(header_json)
        .payload(payload_json)
        .sign()
}

pub fn rs256_signature(message: &[u8]) -> Vec<u8> {
    TestKey::rs256().sign(message)
}

/// Signs with ES256 and ec-p256; returns the token and the raw `r || s`.
pub fn sign_es256(header_json: &str, payload_json: &str) -> (String, Vec<u8>) {
    let token = TestKey::es256()
        .token()
        .header_json(header_json)
        .payload(payload_json)
        .sign();
    let signature = token.rsplit_once('.').map(|(_, s)| s).unwrap_or_default();
    let raw = jose_core::base64url_decode(signature).unwrap();
    (token, raw)
}
