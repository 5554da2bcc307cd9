//! The edge example's Rust half, natively and (under `node:wasi`) on wasm32-wasip1: the
//! same results and codes as `jose verify` for the PyJWT interop tokens.

use std::path::PathBuf;

use serde_json::Value;

fn vectors() -> (Value, String) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/interop");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("test vectors");
    let tokens = serde_json::from_str(&read("pyjwt-tokens.json")).expect("JSON");
    (tokens, read("jwks.json"))
}

fn token<'v>(vectors: &'v Value, name: &str) -> &'v str {
    vectors["tokens"]
        .as_array()
        .and_then(|tokens| tokens.iter().find(|t| t["name"] == name))
        .and_then(|t| t["token"].as_str())
        .expect("token in the interop set")
}

fn options(vectors: &Value, alg: &str) -> String {
    let v = &vectors["validation"];
    format!(
        r#"{{"alg":["{alg}"],"iss":{},"aud":{},"now":{},"leeway":{}}}"#,
        v["iss"], v["aud"], v["now"], v["leeway"]
    )
}

fn result(json: &str) -> Value {
    serde_json::from_str(json).expect("the result is JSON")
}

#[test]
fn valid_tokens_verify_and_tampered_ones_do_not() {
    let (vectors, jwks) = vectors();
    for (name, alg) in [
        ("rs256-2048", "RS256"),
        ("ps256-4096", "PS256"),
        ("es256", "ES256"),
    ] {
        let token = token(&vectors, name);
        let ok = result(&jose_edge::verify(token, &jwks, &options(&vectors, alg)));
        assert_eq!(ok["valid"], true, "{name}: {ok}");
        assert_eq!(ok["header"]["alg"], alg);
        assert_eq!(ok["claims"]["sub"], "alice");

        let i = token.rfind('.').expect("three segments") + 10;
        let swap = if &token[i..=i] == "A" { "B" } else { "A" };
        let tampered = format!("{}{swap}{}", &token[..i], &token[i + 1..]);
        let bad = result(&jose_edge::verify(
            &tampered,
            &jwks,
            &options(&vectors, alg),
        ));
        assert_eq!(bad["valid"], false);
        assert_eq!(bad["error"]["code"], "ERR_JWS_SIGNATURE_INVALID", "{name}");
    }
}

#[test]
fn the_request_envelope_reaches_the_same_verdicts() {
    let (vectors, jwks) = vectors();
    let request = |token: &str, jwks: &str, options: &str| {
        result(&jose_edge::verify_request(
            format!(
                r#"{{"token":{},"jwks":{jwks},"options":{options}}}"#,
                Value::from(token)
            )
            .as_bytes(),
        ))
    };
    let opts = options(&vectors, "RS256");
    let ok = request(token(&vectors, "rs256-2048"), &jwks, &opts);
    assert_eq!(ok["valid"], true, "{ok}");
    // The set as a JSON string instead of an object.
    let as_string = Value::from(jwks.as_str()).to_string();
    assert_eq!(
        request(token(&vectors, "rs256-2048"), &as_string, &opts)["valid"],
        true
    );
    let expired = request(token(&vectors, "expired"), &jwks, &opts);
    assert_eq!(expired["error"]["code"], "ERR_JWT_EXPIRED");
    let wrong_kid = request(token(&vectors, "wrong-kid-key"), &jwks, &opts);
    assert_eq!(wrong_kid["valid"], false);
}

#[test]
fn malformed_requests_have_their_own_code() {
    let (vectors, jwks) = vectors();
    let token = token(&vectors, "rs256-2048");
    for options in [
        "{}",
        r#"{"alg":"RS256","audience":"x"}"#,
        r#"{"alg":["XS256"]}"#,
        r#"{"alg":"RS256","now":"soon"}"#,
        r#"{"alg":"RS256","alg":"ES256"}"#,
        "[]",
    ] {
        let out = result(&jose_edge::verify(token, &jwks, options));
        assert_eq!(
            out["error"]["code"],
            jose_edge::REQUEST_INVALID,
            "{options}"
        );
    }
    for request in [
        &b"not json"[..],
        br#"{"token":1,"jwks":{}}"#,
        br#"{"token":"a","jwks":[]}"#,
    ] {
        let out = result(&jose_edge::verify_request(request));
        assert_eq!(out["error"]["code"], jose_edge::REQUEST_INVALID);
    }
    // A JWK Set problem is reported with jose-jwk's code.
    let out = result(&jose_edge::verify(token, "{}", r#"{"alg":"RS256"}"#));
    assert_eq!(out["error"]["code"], "ERR_JWKS_INVALID");
}
