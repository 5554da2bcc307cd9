//! Test support: the API under test served on an ephemeral port, the claims and
//! validation it expects, and a client. Keys, tokens and the issuer come from
//! jose-testkit.
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use jose_axum::{Claims, JwtAuth, RequireScopes, VerifiedToken};
use jose_core::{Algorithm, Validation};
use jose_testkit::{TestKey, unix_now};
use serde_json::{Value, json};

pub const AUDIENCE: &str = "api://test";
pub const REALM: &str = "test";

/// Claims for a good token from `issuer`; `extra` is merged over them (a `null` removes).
pub fn claims(issuer: &str, extra: Value) -> Value {
    let mut claims = json!({
        "iss": issuer, "aud": AUDIENCE, "sub": "alice",
        "iat": unix_now(), "exp": unix_now() + 600,
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            claims.as_object_mut().unwrap().remove(k);
        } else {
            claims[k] = v.clone();
        }
    }
    claims
}

/// A deterministic ES256 key for test number `n`.
pub fn key(n: u8) -> TestKey {
    TestKey::es256_seeded(n)
}

/// A JWT (`typ: JWT`) over `claims`, signed by `key`, with `kid`.
pub fn sign(kid: &str, key: &TestKey, claims: &Value) -> String {
    key.token()
        .kid(kid)
        .typ("JWT")
        .claims(claims.clone())
        .sign()
}

pub fn validation(issuer: &str) -> Validation {
    Validation::builder([Algorithm::ES256])
        .issuer(issuer)
        .audience(AUDIENCE)
        .build()
}

#[derive(serde::Deserialize, serde::Serialize)]
pub struct User {
    pub sub: String,
    pub scope: Option<String>,
}

/// The API under test: `/` public, `/me` typed claims, `/raw` untyped, `/admin` behind
/// `RequireScopes`, `/write` checking scopes in the handler, `/maybe` optional claims,
/// and `/unprotected-claims`, which uses the extractor without the layer (a wiring bug).
pub fn api(auth: JwtAuth) -> Router {
    Router::new()
        .route(
            "/me",
            get(|Claims(user): Claims<User>| async { Json(user) }),
        )
        .route(
            "/raw",
            get(|token: VerifiedToken| async move {
                Json(json!({
                    "claims": token.claims().as_map(),
                    "kid": token.key().kid(),
                    "alg": token.header().alg().to_string(),
                    "scopes": token.scopes().collect::<Vec<_>>(),
                }))
            }),
        )
        .route(
            "/admin",
            get(|| async { "admin ok" }).route_layer(RequireScopes::new(["admin"])),
        )
        .route(
            "/write",
            get(|token: VerifiedToken| async move {
                token.require_scopes(["write"]).map(|()| "write ok")
            }),
        )
        .route(
            "/maybe",
            get(|user: Option<Claims<User>>| async move {
                user.map_or("anonymous".to_owned(), |Claims(u)| u.sub)
            }),
        )
        .route_layer(auth)
        .route("/", get(|| async { "Hello" }))
        .route(
            "/unprotected-claims",
            get(|Claims(user): Claims<User>| async move { user.sub }),
        )
}

/// Serves `app` on an ephemeral port of 127.0.0.1; returns its base URL.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
}

/// A real HTTP client that never goes through a proxy and gives up in bounded time.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}
