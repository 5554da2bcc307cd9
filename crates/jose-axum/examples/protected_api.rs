//! A protected API, set up the way `express-jwt` + `jwks-rsa` services usually are:
//! keys found through the provider's discovery document, issuer and audience checked,
//! a public route, a route that returns the caller's claims, one that needs a scope.
//!
//! ```sh
//! # With a local demo issuer (discovery + JWKS on 127.0.0.1, a fresh ES256 key); it
//! # prints tokens and the curl lines to call the API:
//! cargo run -p jose-axum --example protected_api
//!
//! # Against a real provider (Auth0, Okta, Entra ID, Keycloak, Cognito, ...): the
//! # issuer exactly as in its tokens' `iss`, and the audience your API is registered as.
//! ISSUER=https://login.example.com/ AUDIENCE=api://orders \
//!     cargo run -p jose-axum --example protected_api
//! ```
//!
//! `ADDR` changes where the API listens (default `127.0.0.1:3000`).

use std::error::Error;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::routing::get;
use axum::{Json, Router};
use jose_axum::{Claims, JwtAuth, RequireScopes, VerifiedToken};
use jose_core::{Algorithm, Validation, base64url_encode};
use jose_fetch::RemoteJwks;
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer;
use serde_json::{Value, json};

/// The audience the demo issuer puts in its tokens.
const DEMO_AUDIENCE: &str = "api://jose-demo";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let provider = match (std::env::var("ISSUER"), std::env::var("AUDIENCE")) {
        (Ok(issuer), Ok(audience)) => Provider::Real { issuer, audience },
        (Err(_), Err(_)) => Provider::Demo(DemoIssuer::start().await?),
        _ => return Err("set both ISSUER and AUDIENCE, or neither for the demo issuer".into()),
    };
    let (issuer, audience) = provider.issuer_and_audience();

    // Once, at startup. Building does no I/O; `ready` warms the cache so the first
    // request does not wait, but the API starts either way: until the provider answers,
    // requests with a token get 503 and a Retry-After, not a crash.
    let keys = RemoteJwks::from_issuer(&issuer).build()?;
    if let Err(e) = keys.ready(Duration::from_secs(5)).await {
        eprintln!("warning: keys not fetched yet ({}): {e}", e.code());
    }
    let validation = Validation::builder([Algorithm::RS256, Algorithm::PS256, Algorithm::ES256])
        .issuer(&issuer)
        .audience(&audience)
        .build();
    let auth = JwtAuth::builder(keys, validation)
        .realm("jose-demo")
        .build();

    let app = Router::new()
        .route("/me", get(me))
        .route(
            "/admin",
            get(admin).route_layer(RequireScopes::new(["demo:admin"])),
        )
        .route_layer(auth) // the routes above need a valid token
        .route("/", get(|| async { "Hello" })); // added after the layer: public

    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let base = format!("http://{}", listener.local_addr()?);
    println!("API on {base}  (issuer {issuer}, audience {audience})");
    if let Provider::Demo(demo) = &provider {
        demo.print_instructions(&base)?;
    } else {
        println!("\nGet an access token for {audience} from your provider, then:");
        println!("  curl -i -H \"Authorization: Bearer $TOKEN\" {base}/me");
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// `GET /me`: the verified claims as JSON, whatever the provider put in them.
async fn me(token: VerifiedToken) -> Json<Value> {
    Json(Value::Object(token.claims().as_map().clone()))
}

/// The claims `GET /admin` cares about, typed.
#[derive(serde::Deserialize)]
struct Subject {
    sub: String,
}

/// `GET /admin`: only for tokens with the `demo:admin` scope.
async fn admin(Claims(subject): Claims<Subject>) -> String {
    format!("Welcome, administrator {}\n", subject.sub)
}

enum Provider {
    Real { issuer: String, audience: String },
    Demo(DemoIssuer),
}

impl Provider {
    fn issuer_and_audience(&self) -> (String, String) {
        match self {
            Provider::Real { issuer, audience } => (issuer.clone(), audience.clone()),
            Provider::Demo(demo) => (demo.issuer.clone(), DEMO_AUDIENCE.to_owned()),
        }
    }
}

/// A stand-in OpenID provider on 127.0.0.1: a discovery document, a JWKS with one P-256
/// key made for this run, and tokens signed with it here (we write JOSE ourselves).
struct DemoIssuer {
    issuer: String,
    key: SigningKey,
}

impl DemoIssuer {
    async fn start() -> Result<DemoIssuer, Box<dyn Error>> {
        let key = SigningKey::random(&mut rand_core::OsRng);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let issuer = format!("http://{}", listener.local_addr()?);
        let discovery = json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/jwks"),
            "id_token_signing_alg_values_supported": ["ES256"],
        });
        let point = key.verifying_key().to_encoded_point(false);
        let (Some(x), Some(y)) = (point.x(), point.y()) else {
            return Err("the demo key has no affine coordinates".into());
        };
        let jwks = json!({ "keys": [{
            "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": "demo-1",
            "x": base64url_encode(x), "y": base64url_encode(y),
        }]});
        let app = Router::new()
            .route(
                "/.well-known/openid-configuration",
                get(move || async move { Json(discovery) }),
            )
            .route("/jwks", get(move || async move { Json(jwks) }));
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("demo issuer stopped: {e}");
            }
        });
        Ok(DemoIssuer { issuer, key })
    }

    /// An ES256 access token for alice with `scope`, valid for an hour.
    fn token(&self, scope: &str) -> Result<String, Box<dyn Error>> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let header = json!({"alg": "ES256", "typ": "at+jwt", "kid": "demo-1"});
        let claims = json!({
            "iss": self.issuer, "aud": DEMO_AUDIENCE, "sub": "alice",
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

    fn print_instructions(&self, base: &str) -> Result<(), Box<dyn Error>> {
        println!(
            "Demo issuer on {} (discovery + JWKS, a key made for this run)",
            self.issuer
        );
        println!("\nTokens for alice, valid for an hour:\n");
        println!("export TOKEN={}", self.token("demo:read")?);
        println!("export ADMIN_TOKEN={}", self.token("demo:read demo:admin")?);
        println!("\nThen, in that shell:\n");
        let auth = |token: &str| format!("-H \"Authorization: Bearer ${token}\" ");
        let calls = [
            (format!("curl -i {base}/"), "200 Hello (public)"),
            (format!("curl -i {base}/me"), "401, WWW-Authenticate"),
            (
                format!("curl -i {}{base}/me", auth("TOKEN")),
                "200, the claims",
            ),
            (
                format!("curl -i {}{base}/admin", auth("TOKEN")),
                "403 insufficient_scope",
            ),
            (
                format!("curl -i {}{base}/admin", auth("ADMIN_TOKEN")),
                "200",
            ),
            (
                format!("curl -i {}{base}/me", auth("{TOKEN}x")),
                "401 invalid_token",
            ),
        ];
        let width = calls.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
        for (call, outcome) in calls {
            println!("{call:width$}  # {outcome}");
        }
        println!("\nCtrl-C to stop.");
        Ok(())
    }
}
