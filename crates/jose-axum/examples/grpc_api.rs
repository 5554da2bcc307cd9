//! A tonic gRPC service protected by `JwtAuth`, the same layer that protects axum routes:
//! `WhoAmI` needs a valid token, `Admin` also the `demo:admin` scope, `Ping` is public.
//! A refused call gets a gRPC status (`UNAUTHENTICATED`, `PERMISSION_DENIED`,
//! `UNAVAILABLE`), never an HTTP error page.
//!
//! ```sh
//! # Serve on 127.0.0.1:50051 (ADDR changes it) and print tokens and grpcurl lines:
//! cargo run -p jose-axum --example grpc_api
//!
//! # Serve on a free port, call every method with a tonic client, check each answer, exit:
//! cargo run -p jose-axum --example grpc_api -- --check
//! ```
//!
//! The keys are a static JWK Set with one P-256 key made for this run, and the example
//! signs its own tokens. Against a real provider, pass `RemoteJwks::from_issuer(...)` as
//! the key source instead, as `examples/protected_api.rs` does; nothing else changes.

use std::error::Error;
use std::future::Future;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use jose_axum::{JwtAuth, RequireScopes};
use jose_core::{Algorithm, Validation, base64url_encode};
use jose_jwk::JwkSet;
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer;
use serde_json::json;
use tokio::net::TcpListener;
use tonic::Code;
use tonic::service::Routes;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tower::Layer;

#[path = "grpc/demo.rs"]
pub(crate) mod demo;

use demo::{DemoClient, DemoServer};

const ISSUER: &str = "https://issuer.jose-demo.invalid/";
const AUDIENCE: &str = "api://jose-demo";

/// The routes: gRPC paths are `/<package>.<Service>/<Method>`, so axum routes each method
/// on its own and `route_layer` protects the ones added before it, as for HTTP routes.
/// (To protect every service on a tonic server, `Server::builder().layer(auth)` instead.)
pub(crate) fn app(auth: JwtAuth) -> axum::Router {
    axum::Router::new()
        .route_service(demo::WHO_AM_I, DemoServer)
        .route_service(
            demo::ADMIN,
            RequireScopes::new(["demo:admin"]).layer(DemoServer),
        )
        .route_layer(auth) // the methods above need a valid token
        .route_service(demo::PING, DemoServer) // added after the layer: public
}

/// Serves `app` with tonic's HTTP/2 server until `shutdown` completes.
pub(crate) async fn serve(
    listener: TcpListener,
    app: axum::Router,
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    Server::builder()
        .add_routes(Routes::from(app))
        .serve_with_incoming_shutdown(TcpIncoming::from(listener), shutdown)
        .await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let check_only = std::env::args().skip(1).any(|arg| arg == "--check");
    let addr = match std::env::var("ADDR") {
        Ok(addr) if !check_only => addr,
        _ if check_only => "127.0.0.1:0".to_owned(),
        _ => "127.0.0.1:50051".to_owned(),
    };
    let keys = DemoKeys::new();
    let listener = TcpListener::bind(&addr).await?;
    let addr = listener.local_addr()?;

    if check_only {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, app(keys.auth()?), async {
            let _ = stopped.await;
        }));
        let outcome = check(addr, &keys).await;
        let _ = stop.send(());
        server.await??;
        outcome?;
        println!("all checks passed");
        return Ok(());
    }

    println!("gRPC API on {addr} (service jose.demo.Demo)");
    keys.print_instructions(addr)?;
    serve(listener, app(keys.auth()?), async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// Calls every method with a tonic client and compares each outcome with the expected
/// one; prints a line per call.
pub(crate) async fn check(addr: SocketAddr, keys: &DemoKeys) -> Result<(), Box<dyn Error>> {
    let mut client = DemoClient::connect(addr).await?;
    let reader = keys.token("demo:read")?;
    let admin = keys.token("demo:read demo:admin")?;
    let tampered = format!("{reader}x");

    let calls = [
        ("Ping, no token", client.ping(None).await.map(|_| ())),
        ("WhoAmI, no token", client.who_am_i(None).await.map(|_| ())),
        (
            "WhoAmI, tampered token",
            client.who_am_i(Some(&tampered)).await.map(|_| ()),
        ),
        (
            "WhoAmI, valid token",
            client.who_am_i(Some(&reader)).await.map(|_| ()),
        ),
        (
            "Admin, without demo:admin",
            client.admin(Some(&reader)).await.map(|_| ()),
        ),
        (
            "Admin, with demo:admin",
            client.admin(Some(&admin)).await.map(|_| ()),
        ),
    ];
    let expected = [
        Code::Ok,
        Code::Unauthenticated,
        Code::Unauthenticated,
        Code::Ok,
        Code::PermissionDenied,
        Code::Ok,
    ];
    let mut failed = 0;
    for ((name, outcome), want) in calls.into_iter().zip(expected) {
        let (code, message) = match &outcome {
            Ok(()) => (Code::Ok, ""),
            Err(status) => (status.code(), status.message()),
        };
        let mark = if code == want { "ok" } else { "FAILED" };
        failed += usize::from(code != want);
        println!("{name:28} {code:?} {message:?} (expected {want:?}) {mark}");
    }

    // The claims reach the method: WhoAmI answers with the token's subject and scopes.
    let identity = client.who_am_i(Some(&admin)).await?;
    println!("WhoAmI says: {identity:?}");
    if identity.subject != "alice" || identity.scopes != ["demo:read", "demo:admin"] {
        failed += 1;
    }
    if failed > 0 {
        return Err(format!("{failed} check(s) failed").into());
    }
    Ok(())
}

/// One P-256 signing key made for this run: the static JWK Set the layer trusts, and the
/// tokens the example hands out (we write JOSE ourselves).
pub(crate) struct DemoKeys {
    key: SigningKey,
}

impl DemoKeys {
    pub(crate) fn new() -> DemoKeys {
        DemoKeys {
            key: SigningKey::random(&mut rand_core::OsRng),
        }
    }

    /// The layer: keys from the static set, issuer and audience checked.
    pub(crate) fn auth(&self) -> Result<JwtAuth, Box<dyn Error>> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err("the demo key has no affine coordinates".into());
        };
        let jwks = json!({ "keys": [{
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": "demo-1",
            "x": base64url_encode(x), "y": base64url_encode(y),
        }]});
        let keys = JwkSet::from_json(jwks.to_string().as_bytes())?;
        let validation = Validation::builder([Algorithm::ES256])
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .build();
        Ok(JwtAuth::builder(keys, validation)
            .realm("jose-demo")
            .build())
    }

    /// An ES256 access token for alice with `scope`, valid for an hour.
    pub(crate) fn token(&self, scope: &str) -> Result<String, Box<dyn Error>> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let header = json!({"alg": "ES256", "typ": "at+jwt", "kid": "demo-1"});
        let claims = json!({
            "iss": ISSUER, "aud": AUDIENCE, "sub": "alice",
            "scope": scope, "iat": now, "exp": now + 3600,
        });
        let input = format!(
            "{}.{}",
            base64url_encode(header.to_string().as_bytes()),
            base64url_encode(claims.to_string().as_bytes())
        );
        let signature: p256::ecdsa::Signature = self.key.sign(input.as_bytes());
        Ok(format!(
            "{input}.{}",
            base64url_encode(&signature.to_bytes())
        ))
    }

    fn print_instructions(&self, addr: SocketAddr) -> Result<(), Box<dyn Error>> {
        println!("\nTokens for alice, valid for an hour:\n");
        println!("export TOKEN={}", self.token("demo:read")?);
        println!("export ADMIN_TOKEN={}", self.token("demo:read demo:admin")?);
        println!("\nThen, in that shell, from the workspace root (grpcurl reads demo.proto):\n");
        let grpcurl =
            "grpcurl -plaintext -import-path crates/jose-axum/examples/grpc -proto demo.proto";
        let auth = |token: &str| format!("-H \"authorization: Bearer ${token}\" ");
        let calls = [
            (
                format!("{grpcurl} {addr} jose.demo.Demo/Ping"),
                "pong (public)",
            ),
            (
                format!("{grpcurl} {addr} jose.demo.Demo/WhoAmI"),
                "Unauthenticated",
            ),
            (
                format!("{grpcurl} {}{addr} jose.demo.Demo/WhoAmI", auth("TOKEN")),
                "alice and her scopes",
            ),
            (
                format!("{grpcurl} {}{addr} jose.demo.Demo/Admin", auth("TOKEN")),
                "PermissionDenied",
            ),
            (
                format!(
                    "{grpcurl} {}{addr} jose.demo.Demo/Admin",
                    auth("ADMIN_TOKEN")
                ),
                "alice",
            ),
        ];
        for (call, outcome) in calls {
            println!("{call}\n    # {outcome}");
        }
        println!("\nCtrl-C to stop.");
        Ok(())
    }
}
