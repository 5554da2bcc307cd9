//! Test support: a tiny issuer (discovery + JWKS on 127.0.0.1, counting requests), the
//! API under test served on an ephemeral port, ES256 tokens signed here, and a client.
#![allow(dead_code, missing_docs, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::routing::get;
use axum::{Json, Router};
use jose_axum::{Claims, JwtAuth, RequireScopes, VerifiedToken};
use jose_core::{Algorithm, Validation, base64url_encode};
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer;
use serde_json::{Value, json};

pub const AUDIENCE: &str = "api://test";
pub const REALM: &str = "test";

/// A deterministic P-256 key for test number `n`.
pub fn key(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n.wrapping_add(1); 32].into()).unwrap()
}

/// The public JWK of `key` with `kid`.
pub fn jwk(kid: &str, key: &SigningKey) -> Value {
    let point = key.verifying_key().to_encoded_point(false);
    json!({
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
        "x": base64url_encode(point.x().unwrap()), "y": base64url_encode(point.y().unwrap()),
    })
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims for a good token from `issuer`; `extra` is merged over them (a `null` removes).
pub fn claims(issuer: &str, extra: Value) -> Value {
    let mut claims = json!({
        "iss": issuer, "aud": AUDIENCE, "sub": "alice",
        "iat": now(), "exp": now() + 600,
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

/// An ES256 JWT over `claims`, signed by `key`, with `kid`.
pub fn sign(kid: &str, key: &SigningKey, claims: &Value) -> String {
    let header = json!({"alg": "ES256", "typ": "JWT", "kid": kid}).to_string();
    let input = format!(
        "{}.{}",
        base64url_encode(header.as_bytes()),
        base64url_encode(claims.to_string().as_bytes())
    );
    let sig: p256::ecdsa::Signature = key.sign(input.as_bytes());
    format!("{input}.{}", base64url_encode(&sig.to_bytes()))
}

/// A local OpenID provider: discovery and JWKS, each request counted.
pub struct Issuer {
    pub url: String,
    discovery_hits: Arc<AtomicUsize>,
    jwks_hits: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Issuer {
    /// Serves `keys`; each JWKS answer waits `delay` first (so concurrent callers overlap).
    pub async fn start(keys: Vec<Value>, delay: Duration) -> Issuer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let discovery_hits = Arc::new(AtomicUsize::new(0));
        let jwks_hits = Arc::new(AtomicUsize::new(0));
        let doc = json!({ "issuer": url, "jwks_uri": format!("{url}/jwks") });
        let set = json!({ "keys": keys });
        let (d, j) = (Arc::clone(&discovery_hits), Arc::clone(&jwks_hits));
        let app = Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(move || async move {
                    d.fetch_add(1, Ordering::SeqCst);
                    Json(doc)
                }),
            )
            .route(
                "/jwks",
                get(move || async move {
                    j.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(delay).await;
                    Json(set)
                }),
            );
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Issuer {
            url,
            discovery_hits,
            jwks_hits,
            task,
        }
    }

    pub fn jwks_hits(&self) -> usize {
        self.jwks_hits.load(Ordering::SeqCst)
    }

    pub fn discovery_hits(&self) -> usize {
        self.discovery_hits.load(Ordering::SeqCst)
    }
}

impl Drop for Issuer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An issuer URL on 127.0.0.1 where nothing listens (connections are refused).
pub async fn dead_issuer_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
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
