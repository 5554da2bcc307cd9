//! jose-testkit's tokens against jose's own verifier, for every algorithm the kit signs:
//! users mint their test tokens with the kit, so a token it signs must verify with
//! jose-jwk under the JWK it publishes, through the layer too, and a tampered twin must
//! not. (Here rather than in jose-testkit, which depends on no jose crate so that every
//! jose crate can take it as a dev-dependency.)

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use http::header::AUTHORIZATION;
use http::{Request, StatusCode};
use jose_axum::{JwtAuth, VerifiedToken};
use jose_core::{Algorithm, AlgorithmSet, Validation};
use jose_fetch::RemoteJwks;
use jose_jwk::JwkSet;
use jose_testkit::{Alg, MockProvider, RsaSize, TestKey, jwks};
use serde_json::json;
use tower::ServiceExt as _;

const AUDIENCE: &str = "api://kit";

fn algorithm(alg: Alg) -> Algorithm {
    Algorithm::from_name(alg.name()).unwrap()
}

/// The fixed key and a seeded one of every algorithm (RSA: two sizes instead).
fn every_key() -> Vec<TestKey> {
    let mut keys = Vec::new();
    for &alg in Alg::ALL {
        keys.push(TestKey::new(alg));
        keys.push(if alg.is_rsa() {
            TestKey::rsa(RsaSize::Bits3072, alg)
        } else {
            TestKey::seeded(alg, 5)
        });
    }
    keys
}

/// `token` with its signature's first byte flipped, and with its payload swapped for
/// one naming another subject under the original signature.
fn tampered_twins(token: &str) -> [String; 2] {
    let parts: Vec<&str> = token.split('.').collect();
    let mut signature = jose_core::base64url_decode(parts[2]).unwrap();
    signature[0] ^= 0x01;
    let bad_signature = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        jose_core::base64url_encode(&signature)
    );
    let mut claims = jose_testkit::decode_segment(parts[1]);
    claims["sub"] = "mallory".into();
    let other_payload = format!(
        "{}.{}.{}",
        parts[0],
        jose_core::base64url_encode(claims.to_string().as_bytes()),
        parts[2]
    );
    [bad_signature, other_payload]
}

#[test]
fn every_kit_token_verifies_with_jose_jwk_and_its_tampered_twins_do_not() {
    for (i, key) in every_key().iter().enumerate() {
        let alg = key.alg();
        let kid = format!("k{i}");
        let set = JwkSet::from_json(jwks([key.jwk(&kid)]).to_string().as_bytes()).unwrap();
        assert!(set.skipped().is_empty(), "{alg}: {:?}", set.skipped());
        let validation = Validation::builder([algorithm(alg)])
            .audience(AUDIENCE)
            .build();

        let token = key
            .token()
            .kid(&kid)
            .claims(json!({"sub": "alice", "aud": AUDIENCE}))
            .expires_in(Duration::from_secs(300))
            .sign();
        let verified = set
            .verify_jwt(&token, &validation)
            .unwrap_or_else(|e| panic!("{alg} #{i}: {e}"));
        assert_eq!(verified.claims().get("sub"), Some(&json!("alice")), "{alg}");

        for twin in tampered_twins(&token) {
            let error = set.verify_jwt(&twin, &validation).unwrap_err();
            assert_eq!(error.code(), "ERR_JWS_SIGNATURE_INVALID", "{alg} #{i}");
        }
        let expired = key
            .token()
            .kid(&kid)
            .claims(json!({"sub": "alice", "aud": AUDIENCE}))
            .expired()
            .sign();
        let error = set.verify_jwt(&expired, &validation).unwrap_err();
        assert_eq!(error.code(), "ERR_JWT_EXPIRED", "{alg} #{i}");
    }
}

#[test]
fn eddsa_and_ed25519_are_separate_allowlist_entries_over_one_key() {
    let key = TestKey::new(Alg::EdDSA);
    let set = JwkSet::from_json(jwks([key.public_jwk()]).to_string().as_bytes()).unwrap();
    let only = |alg| Validation::builder([alg]).audience(AUDIENCE).build();
    for (signer, allowed, accepted) in [
        (Alg::EdDSA, Algorithm::EdDSA, true),
        (Alg::Ed25519, Algorithm::Ed25519, true),
        (Alg::EdDSA, Algorithm::Ed25519, false),
        (Alg::Ed25519, Algorithm::EdDSA, false),
    ] {
        let token = key
            .with_alg(signer)
            .token()
            .claims(json!({"aud": AUDIENCE}))
            .expires_in(Duration::from_secs(60))
            .sign();
        let verdict = set.verify_jwt(&token, &only(allowed));
        assert_eq!(verdict.is_ok(), accepted, "{signer} under {allowed}");
    }
}

#[tokio::test]
async fn the_layer_accepts_provider_tokens_of_every_algorithm() {
    let keys = every_key();
    let published = keys
        .iter()
        .enumerate()
        .map(|(i, key)| key.jwk(&format!("k{i}")));
    let idp = MockProvider::start(published).await;
    let algorithms: AlgorithmSet = keys.iter().map(|key| algorithm(key.alg())).collect();
    let validation = Validation::builder(algorithms)
        .issuer(idp.issuer())
        .audience(AUDIENCE)
        .build();
    let source = RemoteJwks::from_issuer(idp.issuer()).build().unwrap();
    let app =
        Router::new()
            .route(
                "/kid",
                get(|token: VerifiedToken| async move {
                    token.key().kid().unwrap_or_default().to_owned()
                }),
            )
            .route_layer(JwtAuth::new(source, validation));
    let call = |token: String| {
        let app = app.clone();
        async move {
            let request = Request::get("/kid")
                .header(AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), 1024)
                .await
                .unwrap();
            (status, String::from_utf8(body.to_vec()).unwrap())
        }
    };

    for (i, key) in keys.iter().enumerate() {
        let token = idp
            .token(key)
            .claim("sub", "alice")
            .claim("aud", AUDIENCE)
            .sign();
        // The provider found the published kid, and that key verified the token.
        assert_eq!(
            call(token.clone()).await,
            (StatusCode::OK, format!("k{i}")),
            "{}",
            key.alg()
        );
        for twin in tampered_twins(&token) {
            assert_eq!(
                call(twin).await.0,
                StatusCode::UNAUTHORIZED,
                "{}",
                key.alg()
            );
        }
    }
    assert_eq!(idp.jwks_hits(), 1, "one fetch served every algorithm");
}
