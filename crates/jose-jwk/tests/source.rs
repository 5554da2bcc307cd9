//! The `KeySource` trait on the static sources: a set, one JWK, one bare key. Each
//! verifies a parsed token, JWT or plain JWS, and reports a bad token as a token error
//! with its typed reason, never as unavailable keys.

mod common;

use std::future::Future;
use std::path::PathBuf;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use common::{NOW, interop_jwk, read_json, sign};
use jose_core::{Algorithm, CompactJws, Limits, Validation, VerifyingKey};
use jose_jwk::{Jwk, JwkSet, KeySource, KeySourceError};

const CLAIMS: &str = r#"{"iss":"https://issuer.example","exp":1767229200,"sub":"alice"}"#;

/// Static sources answer at once; no runtime is needed to see it.
fn now<T>(future: impl Future<Output = T>) -> T {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("a static key source must answer without waiting"),
    }
}

fn validation() -> Validation {
    Validation::builder([Algorithm::RS256]).now(NOW).build()
}

fn sources() -> Vec<(&'static str, Box<dyn KeySource>)> {
    let set =
        JwkSet::from_json(&serde_json::to_vec(&read_json("interop/jwks.json")).unwrap()).unwrap();
    let jwk = Jwk::from_json(&serde_json::to_vec(&interop_jwk("rsa-2048", &[])).unwrap()).unwrap();
    let pem = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-vectors/keys/rsa-2048.pub.pem"),
    )
    .unwrap();
    let key = VerifyingKey::from_public_key_pem(&pem).unwrap();
    vec![
        ("set", Box::new(set)),
        ("jwk", Box::new(jwk)),
        ("key", Box::new(std::sync::Arc::new(key))),
    ]
}

#[test]
fn every_static_source_verifies_a_parsed_jwt_and_jws() {
    let validation = validation();
    let token = sign("rsa-2048", r#"{"alg":"RS256","kid":"rsa-2048"}"#, CLAIMS);
    let parsed = CompactJws::parse(&token, validation.limits()).unwrap();
    for (name, source) in sources() {
        let jwt = now(source.verify(&parsed, &validation)).unwrap();
        assert_eq!(jwt.claims().sub(), Some("alice"), "{name}");
        let jws = now(source.verify_jws(&parsed, &validation)).unwrap();
        assert_eq!(jws.payload(), CLAIMS.as_bytes(), "{name}");
        assert_eq!(jwt.key().thumbprint(), jws.key().thumbprint(), "{name}");
    }
}

#[test]
fn a_bad_token_is_a_token_error_with_its_typed_reason() {
    let validation = validation();
    // Signed by another key: a bad signature for every source.
    let token = sign("rsa-3072", r#"{"alg":"RS256","kid":"rsa-2048"}"#, CLAIMS);
    let parsed = CompactJws::parse(&token, validation.limits()).unwrap();
    for (name, source) in sources() {
        let err = now(source.verify(&parsed, &validation)).unwrap_err();
        assert!(!err.is_unavailable(), "{name}");
        assert_eq!(err.http_status(), 401, "{name}");
        assert_eq!(
            err.as_jose(),
            Some(&jose_core::Error::SignatureInvalid),
            "{name}"
        );
        assert_eq!(err.code(), "ERR_JWS_SIGNATURE_INVALID", "{name}");
    }
    // An ES256 token: the RSA keys do not fit, so no key is a candidate.
    let es256 = Validation::builder([Algorithm::ES256]).now(NOW).build();
    let token = sign("ec-p256", r#"{"alg":"ES256","kid":"rsa-2048"}"#, CLAIMS);
    let parsed = CompactJws::parse(&token, es256.limits()).unwrap();
    let (_, set) = sources().remove(0);
    let err = now(set.verify(&parsed, &es256)).unwrap_err();
    assert_eq!(err.as_jose(), Some(&jose_core::Error::NoMatchingKey));
}

#[test]
fn a_token_parsed_under_other_limits_is_judged_under_the_validations() {
    let token = sign("rsa-2048", r#"{"alg":"RS256","kid":"rsa-2048"}"#, CLAIMS);
    let parsed = CompactJws::parse(&token, &Limits::default()).unwrap();
    let strict = Validation::builder([Algorithm::RS256])
        .now(NOW)
        .limits(Limits::default().max_token_len(64))
        .build();
    for (name, source) in sources() {
        let err = now(source.verify(&parsed, &strict)).unwrap_err();
        assert_eq!(err.code(), "ERR_JOSE_LIMIT_EXCEEDED", "{name}");
    }
}

#[test]
fn errors_say_401_or_503() {
    let unavailable = KeySourceError::Unavailable {
        code: "ERR_JWKS_UNAVAILABLE",
        message: "keys unavailable: connection refused".into(),
        retry_after: Some(std::time::Duration::from_secs(3)),
    };
    assert_eq!(unavailable.http_status(), 503);
    assert_eq!(unavailable.code(), "ERR_JWKS_UNAVAILABLE");
    assert_eq!(
        unavailable.to_string(),
        "keys unavailable: connection refused"
    );
    let not_found = KeySourceError::KeyNotFound {
        kid: Some("k\u{7}1".into()),
        refreshed: true,
        retry_after: None,
    };
    assert_eq!(not_found.http_status(), 401);
    assert_eq!(not_found.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert_eq!(
        not_found.to_string(),
        "no key with kid \"k?1\" (refetched: true)"
    );
    assert_eq!(KeySourceError::IssuerNotAllowed.http_status(), 401);
}
