//! The layer in front of tonic services: a real tonic server on 127.0.0.1, wired as the
//! `grpc_api` example wires it (its `app` is used as it is), called with a real tonic
//! client. Each refusal must be a gRPC status, never an HTTP error page, and must say
//! nothing taken from the token.

mod support;

#[path = "../examples/grpc_api.rs"]
#[allow(dead_code)]
mod grpc_api;

use std::future::{pending, poll_fn, ready};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::routing::get;
use grpc_api::demo::{self, DemoClient, DemoServer};
use http_body::Body as _;
use jose_axum::{Claims, JwtAuth, KeySource, KeySourceError, Protocol, RequireScopes};
use jose_fetch::RemoteJwks;
use jose_jwk::JwkSet;
use jose_testkit::{JWKS_PATH, MockProvider, Reply, unix_now};
use serde_json::json;
use support::{claims, key, sign, validation};
use tokio::net::TcpListener;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Code, Status};
use tower::{Layer, Service};

const ISSUER: &str = "https://issuer.example/";

/// The layer over a static set holding `key(1)` as `k1`.
fn auth() -> JwtAuth {
    auth_with(Protocol::Auto)
}

fn auth_with(protocol: Protocol) -> JwtAuth {
    let set =
        JwkSet::from_json(json!({"keys": [key(1).jwk("k1")]}).to_string().as_bytes()).unwrap();
    JwtAuth::builder(set, validation(ISSUER))
        .realm("svc")
        .protocol(protocol)
        .build()
}

fn token(scope: &str) -> String {
    sign("k1", &key(1), &claims(ISSUER, json!({"scope": scope})))
}

/// Serves `app` with tonic's server (HTTP/1.1 accepted too) on a free port of 127.0.0.1.
async fn start(app: axum::Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        Server::builder()
            .accept_http1(true)
            .add_routes(tonic::service::Routes::from(app))
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
    );
    addr
}

async fn client(addr: SocketAddr) -> DemoClient {
    DemoClient::connect(addr).await.unwrap()
}

/// `status` is the refusal we expect: its code, its fixed message, and no trace of
/// `token` anywhere in what the client received (message or any header).
fn assert_refused(status: &Status, code: Code, message: &str, token: &str) {
    assert_eq!(status.code(), code, "{status:?}");
    assert_eq!(status.message(), message);
    for part in token.split('.').filter(|p| p.len() >= 8) {
        assert!(!status.message().contains(part));
        for value in status.metadata().clone().into_headers().values() {
            let value = String::from_utf8_lossy(value.as_bytes());
            assert!(!value.contains(part), "{value}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_token_reaches_the_method_with_its_claims() {
    let addr = start(grpc_api::app(auth())).await;
    let mut client = client(addr).await;
    let identity = client.who_am_i(Some(&token("read write"))).await.unwrap();
    assert_eq!(identity.subject, "alice");
    assert_eq!(identity.scopes, ["read", "write"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_is_unauthenticated() {
    let addr = start(grpc_api::app(auth())).await;
    let mut client = client(addr).await;
    let status = client.who_am_i(None).await.unwrap_err();
    assert_refused(&status, Code::Unauthenticated, "no bearer token", "");
    // The scope layer sits inside JwtAuth: without a token the answer is 16, not 7.
    let status = client.admin(None).await.unwrap_err();
    assert_refused(&status, Code::Unauthenticated, "no bearer token", "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_expired_or_malformed_token_is_unauthenticated() {
    let addr = start(grpc_api::app(auth())).await;
    let mut client = client(addr).await;

    let good = token("read");
    let mut tampered = good.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let status = client.who_am_i(Some(&tampered)).await.unwrap_err();
    assert_refused(
        &status,
        Code::Unauthenticated,
        "the token signature is invalid",
        &tampered,
    );

    let expired = sign(
        "k1",
        &key(1),
        &claims(
            ISSUER,
            json!({"exp": unix_now() - 3600, "sub": "mallory-secret-subject"}),
        ),
    );
    let status = client.who_am_i(Some(&expired)).await.unwrap_err();
    assert_refused(
        &status,
        Code::Unauthenticated,
        "the token has expired",
        &expired,
    );
    assert!(!status.message().contains("mallory"));

    let unknown_key = sign("k9", &key(9), &claims(ISSUER, json!({})));
    let status = client.who_am_i(Some(&unknown_key)).await.unwrap_err();
    assert_refused(
        &status,
        Code::Unauthenticated,
        "no key can verify the token",
        &unknown_key,
    );

    // Two tokens in one `authorization` value: malformed credentials, still 16.
    let status = client
        .who_am_i(Some(&format!("{good} {good}")))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(!status.message().contains(&good[..20]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_scope_is_permission_denied() {
    let addr = start(grpc_api::app(auth())).await;
    let mut client = client(addr).await;
    let reader = token("read");
    let status = client.admin(Some(&reader)).await.unwrap_err();
    assert_refused(
        &status,
        Code::PermissionDenied,
        "the token lacks a required scope",
        &reader,
    );
    let identity = client.admin(Some(&token("read demo:admin"))).await.unwrap();
    assert_eq!(identity.scopes, ["read", "demo:admin"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_method_needs_no_token() {
    let addr = start(grpc_api::app(auth())).await;
    let mut client = client(addr).await;
    assert_eq!(client.ping(None).await.unwrap().message, "pong");
    // Outside the layer a token is not even looked at: a bad one does not matter.
    assert_eq!(
        client.ping(Some("not.a.jwt")).await.unwrap().message,
        "pong"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_down_is_unavailable_with_a_retry_pushback() {
    let idp = MockProvider::builder()
        .keys([key(1).jwk("k1")])
        .reply(JWKS_PATH, Reply::new(503, "maintenance"))
        .start()
        .await;
    let keys = RemoteJwks::builder(idp.jwks_url()).build().unwrap();
    let auth = JwtAuth::builder(keys, validation(ISSUER)).build();
    let addr = start(grpc_api::app(auth)).await;
    let mut client = client(addr).await;
    let token = token("read");

    let status = client.who_am_i(Some(&token)).await.unwrap_err();
    assert_refused(
        &status,
        Code::Unavailable,
        "signing keys are unavailable",
        &token,
    );
    // The fetcher's own reason names the provider; the client must not learn it.
    let port = idp.addr().port().to_string();
    assert!(!status.message().contains(&port));
    assert!(idp.jwks_hits() >= 1);

    // Asked again at once, the fetcher is backing off and says for how long.
    let again = client.who_am_i(Some(&token)).await.unwrap_err();
    assert_eq!(again.code(), Code::Unavailable);
    let pushback: u64 = again
        .metadata()
        .get("grpc-retry-pushback-ms")
        .expect("a pushback while backing off")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=120_000).contains(&pushback), "{pushback}");
}

/// A service's own key source that is down, counting how often it is asked.
struct Down(AtomicUsize);

impl KeySource for Down {
    fn verify<'a>(
        &'a self,
        _: &'a jose_core::CompactJws<'a>,
        _: &'a jose_core::Validation,
    ) -> jose_axum::VerifyFuture<'a, jose_jwk::VerifiedJwt> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Box::pin(ready(Err(KeySourceError::Unavailable {
            code: "ERR_TENANT_DB_DOWN",
            message: "tenant key store db.internal:5432 unreachable".into(),
            retry_after: Some(Duration::from_millis(7250)),
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

/// One layer (`Protocol::Auto`) in front of an HTTP route and the gRPC methods on one
/// port: HTTP clients keep getting RFC 6750 answers (401 / 403 / 503), gRPC clients
/// statuses (16 / 7 / 14).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_and_grpc_side_by_side_each_get_their_own_answers() {
    fn app(auth: JwtAuth) -> axum::Router {
        axum::Router::new()
            .route(
                "/me",
                get(|Claims(user): Claims<support::User>| async move { user.sub }),
            )
            .route(
                "/admin",
                get(|| async { "admin" }).route_layer(RequireScopes::new(["demo:admin"])),
            )
            .route_service(demo::WHO_AM_I, DemoServer)
            .route_service(
                demo::ADMIN,
                RequireScopes::new(["demo:admin"]).layer(DemoServer),
            )
            .route_layer(auth)
    }
    let addr = start(app(auth())).await;
    let http = support::client();
    let base = format!("http://{addr}");
    let mut grpc = client(addr).await;
    let reader = token("read");

    let response = http.get(format!("{base}/me")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer realm="svc""#
    );
    assert!(response.headers().get("grpc-status").is_none());
    let response = http
        .get(format!("{base}/me"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "alice");
    let response = http
        .get(format!("{base}/admin"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(
        response.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .contains(r#"error="insufficient_scope""#)
    );
    assert!(response.headers().get("grpc-status").is_none());
    assert_eq!(
        grpc.who_am_i(None).await.unwrap_err().code(),
        Code::Unauthenticated
    );
    assert_eq!(
        grpc.admin(Some(&reader)).await.unwrap_err().code(),
        Code::PermissionDenied
    );
    assert_eq!(grpc.who_am_i(Some(&reader)).await.unwrap().subject, "alice");

    // Keys unavailable: 503 with Retry-After for HTTP, 14 with a pushback for gRPC.
    let source = Arc::new(Down(AtomicUsize::new(0)));
    let down = JwtAuth::builder(Arc::clone(&source), validation(ISSUER))
        .realm("svc")
        .build();
    let addr = start(app(down)).await;
    let base = format!("http://{addr}");
    let response = http
        .get(format!("{base}/me"))
        .bearer_auth(&reader)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "8");
    let status = client(addr)
        .await
        .who_am_i(Some(&reader))
        .await
        .unwrap_err();
    assert_refused(
        &status,
        Code::Unavailable,
        "signing keys are unavailable",
        &reader,
    );
    assert!(!status.message().contains("db.internal"));
    let pushback = status.metadata().get("grpc-retry-pushback-ms").unwrap();
    assert_eq!(pushback.to_str().unwrap(), "7250");
    assert_eq!(source.0.load(Ordering::Relaxed), 2);
}

/// Sends one raw HTTP/2 request through a tonic channel and returns the response.
async fn raw(
    addr: SocketAddr,
    content_type: &str,
    authorization: Option<&str>,
) -> http::Response<tonic::body::Body> {
    let mut channel: Channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut request = http::Request::post(format!("http://{addr}{}", demo::WHO_AM_I))
        .header("content-type", content_type)
        .header("te", "trailers");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    // One gRPC message frame: not compressed, length 0 (the empty message `()`).
    let frame = String::from("\0\0\0\0\0");
    let request = request.body(tonic::body::Body::new(frame)).unwrap();
    poll_fn(|cx| channel.poll_ready(cx)).await.unwrap();
    channel.call(request).await.unwrap()
}

/// The wire form: HTTP 200, `content-type: application/grpc`, the status and message in
/// the headers and the stream ended with them (trailers-only: no body, no trailers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_trailers_only_responses() {
    let addr = start(grpc_api::app(auth())).await;
    let response = raw(addr, "application/grpc", None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/grpc");
    assert_eq!(response.headers()["grpc-status"], "16");
    assert_eq!(response.headers()["grpc-message"], "no bearer token");
    assert!(response.headers().get("www-authenticate").is_none());
    assert!(response.body().is_end_stream());

    // With a valid token the layer steps aside: the method answers, with a body.
    let reader = token("read");
    let response = raw(
        addr,
        "application/grpc+proto",
        Some(&format!("Bearer {reader}")),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("grpc-status").is_none());
}

/// `Protocol` chosen on the builder overrides the content-type: `Grpc` answers even a
/// request without one in gRPC, `Http` answers a gRPC call with a 401.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_protocol_overrides_the_content_type() {
    let addr = start(grpc_api::app(auth_with(Protocol::Grpc))).await;
    let response = raw(addr, "application/octet-stream", None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["grpc-status"], "16");
    // RequireScopes follows the layer's choice.
    let mut client = client(addr).await;
    let status = client.admin(Some(&token("read"))).await.unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied);

    let addr = start(grpc_api::app(auth_with(Protocol::Http))).await;
    let response = raw(addr, "application/grpc", None).await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().get("grpc-status").is_none());
    assert_eq!(
        response.headers()["www-authenticate"],
        r#"Bearer realm="svc""#
    );
}

/// The other way to wire it: `Server::builder().layer(auth)` protects every service on
/// the server, the public method included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_wide_layer_protects_every_method() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        Server::builder()
            .layer(auth())
            .add_service(DemoServer)
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
    );
    let mut client = client(addr).await;
    let status = client.ping(None).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(client.ping(Some(&token(""))).await.unwrap().message, "pong");
    assert_eq!(
        client.who_am_i(Some(&token("a"))).await.unwrap().scopes,
        ["a"]
    );
}

/// The example's own `--check` run passes against the example's wiring and keys.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_self_check_passes() {
    let keys = grpc_api::DemoKeys::new();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(grpc_api::serve(
        listener,
        grpc_api::app(keys.auth().unwrap()),
        pending(),
    ));
    grpc_api::check(addr, &keys).await.unwrap();
}

/// A tonic method can also check scopes itself and answer with the rejection's status.
#[test]
fn a_rejection_converts_to_a_tonic_status() {
    let set =
        JwkSet::from_json(json!({"keys": [key(1).jwk("k1")]}).to_string().as_bytes()).unwrap();
    let auth = JwtAuth::new(set, validation(ISSUER));
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {}", token("read")).parse().unwrap(),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let verified = runtime
        .block_on(auth.authenticate(&headers))
        .unwrap()
        .unwrap();
    let rejection = verified.require_scopes(["write"]).unwrap_err();
    let status = Status::new(
        Code::from(rejection.grpc_status()),
        rejection.grpc_message(),
    );
    assert_eq!(status.code(), Code::PermissionDenied);
    assert_eq!(status.message(), "the token lacks a required scope");
}
