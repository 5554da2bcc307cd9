//! Shared helpers for jose-jwk's tests: fixture paths and a token signer using the test
//! keys in `test-vectors/keys/` (tokens must be validly signed so a rejection is proven
//! to come from key selection, not from a bad signature).
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::path::PathBuf;

use jose_core::base64url_encode;
use rsa::pkcs8::DecodePrivateKey;

pub const NOW: u64 = 1_767_225_660;

pub fn read_json(relative: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors")
        .join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn private_pem(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../test-vectors/keys/{name}.pem"));
    std::fs::read_to_string(path).unwrap()
}

/// Signs `header.payload` (raw JSON) with a test key: `rsa-2048`/`rsa-3072` (RS256) or
/// `ec-p256` (ES256).
pub fn sign(key: &str, header_json: &str, payload_json: &str) -> String {
    let input = format!(
        "{}.{}",
        base64url_encode(header_json.as_bytes()),
        base64url_encode(payload_json.as_bytes())
    );
    let sig = if key.starts_with("rsa") {
        use rsa::signature::{SignatureEncoding, Signer};
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(&private_pem(key)).unwrap();
        rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private)
            .sign(input.as_bytes())
            .to_vec()
    } else {
        use p256::ecdsa::signature::Signer;
        let private = p256::ecdsa::SigningKey::from_pkcs8_pem(&private_pem(key)).unwrap();
        let sig: p256::ecdsa::Signature = private.sign(input.as_bytes());
        sig.to_bytes().to_vec()
    };
    format!("{input}.{}", base64url_encode(&sig))
}

/// A JWK (as JSON text) of one of the interop set's public keys, with extra members.
pub fn interop_jwk(kid: &str, extra: &[(&str, serde_json::Value)]) -> serde_json::Value {
    let set = read_json("interop/jwks.json");
    let mut jwk = set["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap()
        .clone();
    for (name, value) in extra {
        jwk[*name] = value.clone();
    }
    jwk
}

pub fn set_of(keys: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({ "keys": keys })).unwrap()
}
