//! Fuzz target `provider_responses`: what an identity provider answers (statuses, cache
//! and retry headers, redirects, discovery documents and JWK Sets) fed to the fetcher
//! through its `HttpClient` seam, while the clock moves and tokens are verified.
//!
//! Input layout (every input is some case; past the end, reads are zeros):
//! - byte: bit 0 set → the fetcher discovers its set from an issuer, else it reads a
//!   JWKS URL;
//! - byte `n`: `n % 8` scripted responses, each:
//!   - byte `s`: the status, `STATUSES[s % 9]`, or a raw big-endian `u16` after it when
//!     `s ≥ 0xf0`;
//!   - byte `h`: `h % 6` headers, each a byte choosing the name (`HEADERS[b % 8]`) and a
//!     one-byte-length-prefixed value;
//!   - byte `k`: the body: 0 the interop key set, 1 the valid discovery document, 2 a
//!     `u16`-length-prefixed byte string, else empty;
//! - the rest: steps, two bytes each: the clock moves `b1 × 97` s, then action `b0 % 4`
//!   (verify the token of the key in the set, verify a token under an unknown `kid`,
//!   `refresh_now`, `ready`). At most 16 steps.
//!
//! Requests beyond the script fail to connect. Tokio's clock is paused, so retry delays
//! and timeouts pass at once; the fetcher's own cache clock is a `ManualClock`.
//!
//! Oracle: no panic, in the caller or in the spawned fetch (a panicked fetch surfaces as
//! "the fetch task ended without a result", which is asserted never to appear); every
//! error is a 401 or a 503 with an `ERR_` code; a successful verification leaves a
//! usable set in `current()`; `status()` always answers. Every request is https, asks
//! for at most 256 KiB, and goes to the issuer's origin or to the origin of a `jwks_uri`
//! that a discovery document naming exactly this issuer gave (so no redirect leaves its
//! origin); and from an issuer, a verification succeeds only after such a document was
//! served.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use jose_core::{Algorithm, Validation};
use jose_fetch::{
    FetchError, HttpClient, HttpError, HttpFuture, HttpRequest, HttpResponse, ManualClock,
    RemoteJwks,
};

use crate::input::Input;
use crate::keys;

const ISSUER: &str = "https://idp.example";
const STATUSES: [u16; 9] = [200, 304, 503, 429, 404, 302, 500, 410, 301];
const HEADERS: [&str; 8] = [
    "cache-control",
    "age",
    "expires",
    "date",
    "retry-after",
    "etag",
    "last-modified",
    "location",
];

/// The key set (the interop set), the discovery document and two tokens signed by its
/// P-256 key: one under the key's `kid`, one under a `kid` the set lacks.
struct Fixture {
    discovery: Vec<u8>,
    known: String,
    unknown: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let discovery = serde_json::json!({
            "issuer": ISSUER,
            "jwks_uri": format!("{ISSUER}/jwks"),
        });
        let claims = serde_json::json!({"iss": ISSUER, "exp": 4_000_000_000u64}).to_string();
        let token = |kid: &str| {
            let header = serde_json::json!({"alg": "ES256", "kid": kid}).to_string();
            keys::ec().sign_compact(header.as_bytes(), claims.as_bytes())
        };
        Fixture {
            discovery: discovery.to_string().into_bytes(),
            known: token("ec-p256"),
            unknown: token("rotated"),
        }
    })
}

/// Answers requests from the script, in order; connection errors once it runs out.
/// Checks each request against the origins allowed so far, and records the discovery
/// documents it served.
#[derive(Clone)]
struct Scripted(Arc<Mutex<Script>>);

struct Script {
    responses: VecDeque<HttpResponse>,
    /// The issuer's origin, then each `jwks_uri` origin a valid discovery answer named.
    origins: Vec<String>,
    /// Whether a 200 discovery document with exactly this issuer was served.
    discovered: bool,
}

impl Scripted {
    fn new(responses: VecDeque<HttpResponse>) -> Scripted {
        Scripted(Arc::new(Mutex::new(Script {
            responses,
            origins: vec![origin(ISSUER)],
            discovered: false,
        })))
    }

    fn script(&self) -> std::sync::MutexGuard<'_, Script> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl HttpClient for Scripted {
    fn get(&self, request: HttpRequest) -> HttpFuture<'_> {
        let mut script = self.script();
        assert!(
            request.url.starts_with("https://"),
            "requested {}",
            request.url
        );
        assert_eq!(request.max_body, 256 * 1024, "max_body for {}", request.url);
        let requested = origin(&request.url);
        assert!(
            script.origins.contains(&requested),
            "requested {} outside {:?}",
            request.url,
            script.origins
        );
        let next = script.responses.pop_front();
        // Any URL: the discovery request may have been redirected within its origin.
        if let Some(answer) = &next
            && answer.status == 200
            && let Ok(doc) = serde_json::from_slice::<serde_json::Value>(&answer.body)
            && doc.get("issuer").and_then(|i| i.as_str()) == Some(ISSUER)
        {
            script.discovered = true;
            if let Some(jwks_uri) = doc.get("jwks_uri").and_then(|u| u.as_str()) {
                let named = origin(jwks_uri);
                if !named.is_empty() && named != "null" {
                    script.origins.push(named);
                }
            }
        }
        Box::pin(async move { next.ok_or(HttpError::Connect("script ended".to_owned())) })
    }
}

/// The origin of a URL by the WHATWG URL standard, as the HTTP client sees it (so that
/// `https:/k/x` is `https://k`); an unparsable URL has none.
fn origin(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| String::new(), |u| u.origin().ascii_serialization())
}

fn response(input: &mut Input<'_>) -> HttpResponse {
    let choice = input.byte();
    let status = match choice {
        0xf0.. => input.u16(),
        _ => STATUSES[usize::from(choice) % STATUSES.len()],
    };
    let headers = (0..input.byte() % 6)
        .map(|_| {
            let name = HEADERS[usize::from(input.byte()) % HEADERS.len()];
            let value = String::from_utf8_lossy(input.len_prefixed()).into_owned();
            (name.to_owned(), value)
        })
        .collect();
    let body = match input.byte() {
        0 => keys::INTEROP_JWKS.as_bytes().to_vec(),
        1 => fixture().discovery.clone(),
        2 => {
            let n = usize::from(input.u16());
            input.bytes(n).to_vec()
        }
        _ => Vec::new(),
    };
    HttpResponse::new(status, headers, body)
}

/// Checks one outcome against the oracle.
fn check<T>(keys: &RemoteJwks, outcome: Result<T, FetchError>) {
    if let Err(error) = outcome {
        assert!(
            !error.to_string().contains("ended without a result"),
            "a fetch task panicked: {error}"
        );
        assert!(error.code().starts_with("ERR_"), "{error:?}");
        assert!(
            matches!(error.http_status(), 401 | 503),
            "{error:?} maps to {}",
            error.http_status()
        );
    }
    let _ = keys.status();
}

/// Fuzz target `provider_responses` (see the module docs for the layout and oracle).
pub fn provider_responses(data: &[u8]) {
    let fixture = fixture();
    let mut input = Input::new(data);
    let from_issuer = input.byte() & 1 == 1;
    let script: VecDeque<HttpResponse> = (0..input.byte() % 8)
        .map(|_| response(&mut input))
        .collect();
    let clock = Arc::new(ManualClock::new());
    let builder = if from_issuer {
        RemoteJwks::from_issuer(ISSUER)
    } else {
        RemoteJwks::builder(format!("{ISSUER}/jwks"))
    };
    let client = Scripted::new(script);
    let keys = builder
        .http_client(client.clone())
        .clock(Arc::clone(&clock))
        .build()
        .expect("the fixed configuration is valid");
    let validation = Validation::builder([Algorithm::ES256])
        .issuer(ISSUER)
        .now(1_767_225_600)
        .build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a current-thread runtime builds");
    runtime.block_on(async {
        for step in 0..16 {
            // At least one step, then as many as the input holds.
            if step > 0 && input.is_empty() {
                break;
            }
            let [action, advance] = input.array::<2>();
            clock.advance(Duration::from_secs(u64::from(advance) * 97));
            match action % 4 {
                0 => {
                    let outcome = keys.verify(&fixture.known, &validation).await;
                    if outcome.is_ok() {
                        assert!(keys.current().is_some(), "verified without a usable set");
                        assert!(
                            !from_issuer || client.script().discovered,
                            "verified from an issuer whose discovery never succeeded"
                        );
                    }
                    check(&keys, outcome);
                }
                1 => check(&keys, keys.verify(&fixture.unknown, &validation).await),
                2 => check(&keys, keys.refresh_now().await),
                _ => check(&keys, keys.ready(Duration::from_secs(5)).await),
            }
        }
    });
}
