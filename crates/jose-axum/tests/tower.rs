//! The layers on a plain tower service (no axum, a `String` body), as any tower-based
//! server would use them, and `JwtAuth::authenticate` for code outside tower.

mod support;

use std::convert::Infallible;
use std::future::{Ready, poll_fn, ready};
use std::task::{Context, Poll};

use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderMap, Request, Response, StatusCode};
use jose_axum::{AuthRejection, JwtAuth, RequireScopes, VerifiedToken};
use jose_jwk::JwkSet;
use serde_json::json;
use support::{claims, key, sign, validation};
use tower::{Layer, Service};

const ISSUER: &str = "https://issuer.example/";

/// Answers with the verified subject, read through `VerifiedToken::from_extensions`.
#[derive(Clone)]
struct WhoAmI;

impl Service<Request<()>> for WhoAmI {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<()>) -> Self::Future {
        let sub = VerifiedToken::from_extensions(request.extensions())
            .and_then(|t| t.claims().sub())
            .unwrap_or("nobody")
            .to_owned();
        ready(Ok(Response::new(sub)))
    }
}

fn auth() -> JwtAuth {
    let set =
        JwkSet::from_json(json!({"keys": [key(1).jwk("k1")]}).to_string().as_bytes()).unwrap();
    JwtAuth::builder(set, validation(ISSUER))
        .realm("svc")
        .build()
}

fn request(token: Option<&str>) -> Request<()> {
    let mut builder = Request::get("/");
    if let Some(token) = token {
        builder = builder.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(()).unwrap()
}

async fn call<S>(service: &mut S, request: Request<()>) -> Response<String>
where
    S: Service<Request<()>, Response = Response<String>, Error = Infallible>,
{
    poll_fn(|cx| service.poll_ready(cx)).await.unwrap();
    service.call(request).await.unwrap()
}

#[tokio::test]
async fn a_plain_tower_service_behind_both_layers() {
    let mut service = auth().layer(RequireScopes::new(["read"]).layer(WhoAmI));
    let reader = sign(
        "k1",
        &key(1),
        &claims(ISSUER, json!({"scope": "read", "sub": "bob"})),
    );
    let ok = call(&mut service, request(Some(&reader))).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.body(), "bob");

    let missing = call(&mut service, request(None)).await;
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(missing.headers()[WWW_AUTHENTICATE], r#"Bearer realm="svc""#);
    assert!(missing.body().is_empty());
    let rejection = missing.extensions().get::<AuthRejection>().unwrap();
    assert_eq!(rejection.code(), "ERR_BEARER_MISSING");

    let writer = sign("k1", &key(1), &claims(ISSUER, json!({"scope": "write"})));
    let forbidden = call(&mut service, request(Some(&writer))).await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        forbidden
            .extensions()
            .get::<AuthRejection>()
            .unwrap()
            .code(),
        "ERR_INSUFFICIENT_SCOPE"
    );

    let expired = sign(
        "k1",
        &key(1),
        &claims(ISSUER, json!({"exp": jose_testkit::unix_now() - 3600})),
    );
    let refused = call(&mut service, request(Some(&expired))).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let rejection = refused.extensions().get::<AuthRejection>().unwrap();
    assert_eq!(rejection.code(), "ERR_JWT_EXPIRED");
    assert!(!rejection.to_string().contains(&expired[..20]));
}

#[tokio::test]
async fn require_scopes_without_jwt_auth_fails_closed() {
    let mut service = RequireScopes::new(["read"]).layer(WhoAmI);
    let response = call(&mut service, request(None)).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn authenticate_works_on_bare_headers() {
    let auth = auth();
    let token = sign("k1", &key(1), &claims(ISSUER, json!({})));
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    let verified = auth.authenticate(&headers).await.unwrap().unwrap();
    assert_eq!(verified.claims().sub(), Some("alice"));
    assert_eq!(verified.key().kid(), Some("k1"));

    let rejection = auth.authenticate(&HeaderMap::new()).await.unwrap_err();
    assert_eq!(rejection.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(rejection.code(), "ERR_BEARER_MISSING");
    assert_eq!(rejection.challenge().unwrap(), r#"Bearer realm="svc""#);
}

/// A service's own key source, down: it counts how often it is asked.
struct Down(std::sync::atomic::AtomicUsize);

impl jose_axum::KeySource for Down {
    fn verify<'a>(
        &'a self,
        _: &'a jose_core::CompactJws<'a>,
        _: &'a jose_core::Validation,
    ) -> jose_axum::VerifyFuture<'a, jose_jwk::VerifiedJwt> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Box::pin(ready(Err(jose_axum::KeySourceError::Unavailable {
            code: "ERR_TENANT_DB_DOWN",
            message: "tenant key store unreachable".into(),
            retry_after: Some(std::time::Duration::from_secs(7)),
        })))
    }

    fn verify_jws<'a>(
        &'a self,
        _: &'a jose_core::CompactJws<'a>,
        _: &'a jose_core::Validation,
    ) -> jose_axum::VerifyFuture<'a, jose_jwk::VerifiedJws> {
        unreachable!("the layer verifies JWTs")
    }
}

/// The layer parses the token once, before the key source: a malformed token is a 401
/// without asking the source, and only a well-formed one meets the outage (503).
#[tokio::test]
async fn a_malformed_token_is_refused_before_the_key_source_is_asked() {
    let source = std::sync::Arc::new(Down(Default::default()));
    let auth = JwtAuth::new(std::sync::Arc::clone(&source), validation(ISSUER));
    let mut service = auth.layer(WhoAmI);

    let malformed = call(&mut service, request(Some("abc.def"))).await;
    assert_eq!(malformed.status(), StatusCode::UNAUTHORIZED);
    let rejection = malformed.extensions().get::<AuthRejection>().unwrap();
    assert_eq!(rejection.code(), "ERR_JWS_INVALID");
    assert_eq!(source.0.load(std::sync::atomic::Ordering::Relaxed), 0);

    let token = sign("k1", &key(1), &claims(ISSUER, json!({})));
    let down = call(&mut service, request(Some(&token))).await;
    assert_eq!(down.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(down.headers()["retry-after"], "7");
    let rejection = down.extensions().get::<AuthRejection>().unwrap();
    assert_eq!(rejection.code(), "ERR_TENANT_DB_DOWN");
    assert_eq!(source.0.load(std::sync::atomic::Ordering::Relaxed), 1);
}

/// A key set behind a switch: it counts verifications and can drop its key.
struct Counted {
    set: std::sync::RwLock<std::sync::Arc<JwkSet>>,
    verifications: std::sync::atomic::AtomicUsize,
}

impl jose_axum::KeySource for Counted {
    fn verify<'a>(
        &'a self,
        token: &'a jose_core::CompactJws<'a>,
        validation: &'a jose_core::Validation,
    ) -> jose_axum::VerifyFuture<'a, jose_jwk::VerifiedJwt> {
        self.verifications
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let set = std::sync::Arc::clone(&self.set.read().unwrap());
        Box::pin(async move { jose_axum::KeySource::verify(&set, token, validation).await })
    }

    fn verify_jws<'a>(
        &'a self,
        _: &'a jose_core::CompactJws<'a>,
        _: &'a jose_core::Validation,
    ) -> jose_axum::VerifyFuture<'a, jose_jwk::VerifiedJws> {
        unreachable!("the layer verifies JWTs")
    }

    fn trusts(&self, key: &jose_jwk::KeyId) -> bool {
        self.set.read().unwrap().contains(key)
    }
}

/// The layer's verified-token cache: a repeated token is verified once; a tampered copy
/// is verified (and refused); a key that leaves the source ends its tokens' hits; with
/// the cache off every request is verified.
#[tokio::test]
async fn the_layer_reuses_verdicts_only_while_the_source_trusts_the_key() {
    use std::sync::atomic::Ordering::SeqCst;
    let with_k1 =
        JwkSet::from_json(json!({"keys": [key(1).jwk("k1")]}).to_string().as_bytes()).unwrap();
    let with_k2 =
        JwkSet::from_json(json!({"keys": [key(2).jwk("k2")]}).to_string().as_bytes()).unwrap();
    let source = std::sync::Arc::new(Counted {
        set: std::sync::RwLock::new(std::sync::Arc::new(with_k1)),
        verifications: Default::default(),
    });
    let auth = JwtAuth::new(std::sync::Arc::clone(&source), validation(ISSUER));
    let mut service = auth.clone().layer(WhoAmI);
    let token = sign("k1", &key(1), &claims(ISSUER, json!({})));
    for _ in 0..3 {
        let response = call(&mut service, request(Some(&token))).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.body(), "alice");
    }
    assert_eq!(source.verifications.load(SeqCst), 1);
    let stats = auth.token_cache_stats().unwrap();
    assert_eq!((stats.hits, stats.misses), (2, 1));

    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let response = call(&mut service, request(Some(&tampered))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(source.verifications.load(SeqCst), 2);

    *source.set.write().unwrap() = std::sync::Arc::new(with_k2);
    let response = call(&mut service, request(Some(&token))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        source.verifications.load(SeqCst),
        3,
        "no hit after the key left"
    );

    let uncached = JwtAuth::builder(std::sync::Arc::clone(&source), validation(ISSUER))
        .token_cache(None)
        .build();
    assert!(uncached.token_cache_stats().is_none());
}
