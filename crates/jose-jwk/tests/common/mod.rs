//! Shared helpers for jose-jwk's tests: fixture paths and a token signer using the test
//! keys in `test-vectors/keys/` (tokens must be validly signed so a rejection is proven
//! to come from key selection, not from a bad signature).
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::path::PathBuf;

use jose_testkit::{Alg, RsaSize, TestKey};

pub const NOW: u64 = 1_767_225_660;

pub fn read_json(relative: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-vectors")
        .join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Signs `header.payload` (raw JSON) with a test key: `rsa-2048`/`rsa-3072` (RS256) or
/// `ec-p256` (ES256).
pub fn sign(key: &str, header_json: &str, payload_json: &str) -> String {
    let key = match key {
        "rsa-2048" => TestKey::rsa(RsaSize::Bits2048, Alg::RS256),
        "rsa-3072" => TestKey::rsa(RsaSize::Bits3072, Alg::RS256),
        "ec-p256" => TestKey::es256(),
        other => panic!("no test key {other}"),
    };
    key.token()
        .header_json(header_json)
        .payload(payload_json)
        .sign()
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
