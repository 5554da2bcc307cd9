//! `http`: requests per second and latency of `GET /me` over HTTP/1.1 keep-alive, on
//! 127.0.0.1, with the route protected by different middlewares.
//!
//! Servers (axum on one current-thread tokio runtime pinned to one core):
//!
//! | server | `GET /me` |
//! |---|---|
//! | `bare axum` | no authentication: the ceiling of this harness |
//! | `jose-axum` | the `JwtAuth` layer over a `RemoteJwks` pointed at the local JWKS server |
//! | `jose-axum + TokenCache` | a small middleware here: `jose_jwk::TokenCache` in front of the same kind of `RemoteJwks` (a hit checks that the key is still in `RemoteJwks::current`) |
//! | `jwt-authorizer` | jwt-authorizer 0.15 (on axum 0.7) with its JWKS from the same local server |
//!
//! Every protected server checks `iss`, `aud` and `exp` and answers with the token's
//! `sub`. The JWKS server answers each request with `Connection: close`: jwt-authorizer
//! has been seen failing to decode a JWKS from a keep-alive server.
//!
//! The load generator (a current-thread runtime on another core) keeps a fixed number
//! of HTTP/1.1 connections open, each sending one request and reading its response at a
//! time, and times every request. Token sets, for RS256 (RSA-2048) and ES256:
//!
//! - `one token`: the same valid token in every request;
//! - `distinct`: a pool of distinct valid tokens (different `sub` and `jti`), each
//!   connection walking it from its own offset;
//! - `invalid`: the same pool with each signature altered (one base64url character in
//!   its middle), so every token parses and fails only the signature check.
//!
//! Before timing anything, each server is asked once with a valid and once with an
//! altered token and must answer 200 and 401 (the bare server 200 to both); every timed
//! response must have the expected status too.
//!
//! `cargo bench -p jose-benches --bench http` runs 5 rounds of every case (0.5 s warm-up
//! then 2 s measured each, the order reversed in every other round) and prints a
//! Markdown table: the median requests/s over the rounds, p50/p99 latency over all
//! measured requests, the cache's hit rate in the last round (when it is warm), then
//! each ratio as the median of the rounds' ratios. Under `cargo test` (CI) or `cargo
//! bench -- --test`, it runs each case once for 0.2 s with 100 distinct tokens
//! ([`jose_benches::full_measurement`]).

use std::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Extension, Router};
use jose_axum::{JwtAuth, VerifiedToken};
use jose_benches::{AUDIENCE, Case, EXPIRES, ISSUER, NOW, TokenSigner, test_keys_jwks_json};
use jose_core::{Algorithm, Validation};
use jose_fetch::{FetchError, RemoteJwks};
use jose_jwk::{TokenCache, TokenCacheOptions, TokenCacheStats, VerifiedJwt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type BoxError = Box<dyn Error + Send + Sync>;

/// Keep-alive connections of the load generator.
const CONNECTIONS: usize = 32;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Server {
    Bare,
    JoseAxum,
    JoseAxumCache,
    JwtAuthorizer,
}

impl Server {
    fn label(self) -> &'static str {
        match self {
            Server::Bare => "bare axum",
            Server::JoseAxum => "jose-axum",
            Server::JoseAxumCache => "jose-axum + TokenCache",
            Server::JwtAuthorizer => "jwt-authorizer 0.15",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tokens {
    One,
    Distinct,
    Invalid,
}

impl Tokens {
    fn label(self, distinct: usize) -> String {
        match self {
            Tokens::One => "one token".to_owned(),
            Tokens::Distinct => format!("{distinct} distinct"),
            Tokens::Invalid => format!("{distinct} invalid"),
        }
    }
}

/// Where the servers listen, and the cache to read hit counts from.
struct Servers {
    bare: SocketAddr,
    jose_axum: SocketAddr,
    jose_axum_cache: SocketAddr,
    jwt_authorizer: SocketAddr,
    cache: Arc<TokenCache>,
}

impl Servers {
    fn addr(&self, server: Server) -> SocketAddr {
        match server {
            Server::Bare => self.bare,
            Server::JoseAxum => self.jose_axum,
            Server::JoseAxumCache => self.jose_axum_cache,
            Server::JwtAuthorizer => self.jwt_authorizer,
        }
    }
}

/// The tokens of one algorithm, each already rendered as a whole request.
struct TokenSet {
    one: Arc<Vec<Vec<u8>>>,
    distinct: Arc<Vec<Vec<u8>>>,
    invalid: Arc<Vec<Vec<u8>>>,
}

impl TokenSet {
    fn new(case: Case, count: usize) -> TokenSet {
        let tokens = sign_distinct(case, count);
        let invalid: Vec<Vec<u8>> = tokens.iter().map(|t| request(&tamper(t))).collect();
        let distinct: Vec<Vec<u8>> = tokens.iter().map(|t| request(t)).collect();
        TokenSet {
            one: Arc::new(vec![distinct[0].clone()]),
            distinct: Arc::new(distinct),
            invalid: Arc::new(invalid),
        }
    }

    fn get(&self, tokens: Tokens) -> Arc<Vec<Vec<u8>>> {
        Arc::clone(match tokens {
            Tokens::One => &self.one,
            Tokens::Distinct => &self.distinct,
            Tokens::Invalid => &self.invalid,
        })
    }
}

/// `count` distinct access tokens for `case`, signed on two threads (RSA signing is slow).
fn sign_distinct(case: Case, count: usize) -> Vec<String> {
    let claims = |i: usize| {
        serde_json::json!({
            "iss": ISSUER,
            "sub": format!("user-{i:05}"),
            "aud": AUDIENCE,
            "exp": EXPIRES,
            "iat": NOW,
            "nbf": NOW,
            "jti": format!("{i:032x}"),
            "scope": "openid profile orders:read orders:write",
            "client_id": "s6BhdRkqt3",
        })
        .to_string()
    };
    let half = count / 2;
    std::thread::scope(|scope| {
        let first = scope.spawn(|| {
            let signer = TokenSigner::new(case);
            (0..half)
                .map(|i| signer.sign(&claims(i)))
                .collect::<Vec<_>>()
        });
        let signer = TokenSigner::new(case);
        let second: Vec<String> = (half..count).map(|i| signer.sign(&claims(i))).collect();
        let mut all = first.join().expect("the signing thread finished");
        all.extend(second);
        all
    })
}

/// `token` with one base64url character in the middle of its signature changed: it
/// still parses (the character stands for six whole bits), and fails the signature.
fn tamper(token: &str) -> String {
    let start = token.rfind('.').expect("a compact JWS") + 1;
    let at = start + (token.len() - start) / 2;
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("ASCII")
}

fn request(token: &str) -> Vec<u8> {
    format!("GET /me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n")
        .into_bytes()
}

// ---------------------------------------------------------------------------------------
// Servers

/// The JWK Set with all test keys, over plain HTTP/1.1, one request per connection.
async fn jwks_server(listener: TcpListener) {
    let body = test_keys_jwks_json();
    let response = Arc::new(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Cache-Control: max-age=3600\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    );
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let response = Arc::clone(&response);
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            // Read the request head, then answer whatever was asked.
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let _ = stream.write_all(&response).await;
            let _ = stream.shutdown().await;
        });
    }
}

/// The validation of both jose servers: the algorithms of the two token sets, issuer,
/// audience, and the system clock.
fn jose_validation() -> Validation {
    Validation::builder([Algorithm::RS256, Algorithm::ES256])
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .build()
}

async fn remote_jwks(jwks_uri: &str) -> Result<RemoteJwks, BoxError> {
    let keys = RemoteJwks::builder(jwks_uri).build()?;
    keys.ready(Duration::from_secs(5)).await?;
    Ok(keys)
}

async fn me_bare() -> &'static str {
    "anonymous"
}

async fn me_jose(token: VerifiedToken) -> String {
    token.jwt().claims().sub().unwrap_or_default().to_owned()
}

/// The `TokenCache` middleware: what jose-axum does, with a cache lookup first.
struct CachedAuth {
    keys: RemoteJwks,
    cache: Arc<TokenCache>,
}

/// Why the cached middleware refused a token.
enum CachedAuthError {
    /// A cached token's claims no longer pass.
    Claims,
    /// Verification failed, or no keys.
    Fetch(FetchError),
}

impl From<jose_core::Error> for CachedAuthError {
    fn from(_: jose_core::Error) -> Self {
        CachedAuthError::Claims
    }
}

async fn cached_auth(
    State(auth): State<Arc<CachedAuth>>,
    mut req: Request,
    next: Next,
) -> Response {
    let result = {
        let Some(token) = req
            .headers()
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
        else {
            return unauthorized();
        };
        let keys = &auth.keys;
        let validation = auth.cache.validation();
        auth.cache
            .verify_async(
                token,
                |key| keys.current().is_some_and(|set| set.contains(key)),
                |_| async move {
                    keys.verify(token, validation)
                        .await
                        .map_err(CachedAuthError::Fetch)
                },
            )
            .await
    };
    match result {
        Ok(verified) => {
            req.extensions_mut().insert(verified);
            next.run(req).await
        }
        Err(CachedAuthError::Fetch(error)) if error.is_unavailable() => {
            axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        Err(_) => unauthorized(),
    }
}

fn unauthorized() -> Response {
    (
        axum::http::StatusCode::UNAUTHORIZED,
        [(
            axum::http::header::WWW_AUTHENTICATE,
            "Bearer error=\"invalid_token\"",
        )],
    )
        .into_response()
}

async fn me_cached(Extension(verified): Extension<Arc<VerifiedJwt>>) -> String {
    verified.claims().sub().unwrap_or_default().to_owned()
}

/// The claims jwt-authorizer deserializes for the handler.
#[derive(Clone, serde::Deserialize)]
struct Subject {
    sub: String,
}

async fn me_jwt_authorizer(
    jwt_authorizer::JwtClaims(subject): jwt_authorizer::JwtClaims<Subject>,
) -> String {
    subject.sub
}

/// Starts the JWKS server and the four API servers on the calling runtime.
async fn start_servers() -> Result<Servers, BoxError> {
    let local = || TcpListener::bind("127.0.0.1:0");
    let jwks_listener = local().await?;
    let jwks_uri = format!("http://{}/jwks", jwks_listener.local_addr()?);
    tokio::spawn(jwks_server(jwks_listener));

    // Every server sets TCP_NODELAY, as the client does: a response written in two
    // pieces must not wait for the client's delayed ACK.
    let serve = |listener: TcpListener, app: Router| {
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
    };

    let bare = local().await?;
    let bare_addr = bare.local_addr()?;
    serve(bare, Router::new().route("/me", get(me_bare)));

    let jose = local().await?;
    let jose_addr = jose.local_addr()?;
    let auth = JwtAuth::builder(remote_jwks(&jwks_uri).await?, jose_validation()).build();
    serve(
        jose,
        Router::new().route("/me", get(me_jose)).route_layer(auth),
    );

    let cached = local().await?;
    let cached_addr = cached.local_addr()?;
    let cache = Arc::new(TokenCache::new(
        jose_validation(),
        TokenCacheOptions::default(),
    ));
    let state = Arc::new(CachedAuth {
        keys: remote_jwks(&jwks_uri).await?,
        cache: Arc::clone(&cache),
    });
    serve(
        cached,
        Router::new()
            .route("/me", get(me_cached))
            .route_layer(axum::middleware::from_fn_with_state(state, cached_auth)),
    );

    let authorizer = local().await?;
    let authorizer_addr = authorizer.local_addr()?;
    let validation = jwt_authorizer::Validation::new()
        .iss(&[ISSUER])
        .aud(&[AUDIENCE]);
    let layer = jwt_authorizer::JwtAuthorizer::<Subject>::from_jwks_url(&jwks_uri)
        .validation(validation)
        .build()
        .await?;
    let app = axum07::Router::new()
        .route("/me", axum07::routing::get(me_jwt_authorizer))
        .layer(jwt_authorizer::IntoLayer::into_layer(layer));
    tokio::spawn(async move { axum07::serve(authorizer, app).tcp_nodelay(true).await });

    Ok(Servers {
        bare: bare_addr,
        jose_axum: jose_addr,
        jose_axum_cache: cached_addr,
        jwt_authorizer: authorizer_addr,
        cache,
    })
}

// ---------------------------------------------------------------------------------------
// Load generator

/// One HTTP/1.1 connection that sends a request and reads its response at a time.
struct Connection {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> std::io::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            buf: Vec::with_capacity(4096),
        })
    }

    /// Sends `request` and returns the response's status code.
    async fn call(&mut self, request: &[u8]) -> Result<u16, BoxError> {
        self.stream.write_all(request).await?;
        self.buf.clear();
        let head_end = loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            self.read_more().await?;
        };
        let head = std::str::from_utf8(&self.buf[..head_end])?;
        let status: u16 = head.get(9..12).ok_or("short status line")?.parse()?;
        let length: usize = head
            .split("\r\n")
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .ok_or("no Content-Length")?;
        while self.buf.len() < head_end + length {
            self.read_more().await?;
        }
        if self.buf.len() != head_end + length {
            return Err("more bytes than the response".into());
        }
        Ok(status)
    }

    async fn read_more(&mut self) -> Result<(), BoxError> {
        let mut chunk = [0u8; 4096];
        match self.stream.read(&mut chunk).await? {
            0 => Err("connection closed".into()),
            n => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(())
            }
        }
    }
}

/// What one timed run measured.
struct Run {
    requests_per_second: f64,
    /// Latency of each measured request, in nanoseconds.
    latencies: Vec<u64>,
}

/// Sends `requests` (cycling) over [`CONNECTIONS`] connections for `warm_up` and then
/// `measure`; every response must have status `expect`.
async fn load(
    addr: SocketAddr,
    requests: Arc<Vec<Vec<u8>>>,
    expect: u16,
    warm_up: Duration,
    measure: Duration,
) -> Result<Run, BoxError> {
    let mut connections = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        connections.push(Connection::open(addr).await?);
    }
    let start = Instant::now() + warm_up;
    let end = start + measure;
    let tasks: Vec<_> = connections
        .into_iter()
        .enumerate()
        .map(|(index, mut connection)| {
            let requests = Arc::clone(&requests);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut next = index * requests.len() / CONNECTIONS;
                loop {
                    let sent = Instant::now();
                    if sent >= end {
                        break;
                    }
                    let status = connection.call(&requests[next]).await?;
                    let done = Instant::now();
                    if status != expect {
                        return Err(format!("status {status}, expected {expect}").into());
                    }
                    if sent >= start {
                        latencies.push((done - sent).as_nanos() as u64);
                    }
                    next = (next + 1) % requests.len();
                }
                Ok::<_, BoxError>(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    latencies.sort_unstable();
    Ok(Run {
        requests_per_second: latencies.len() as f64 / measure.as_secs_f64(),
        latencies,
    })
}

/// The statuses each server must give a valid and an altered token.
fn expected(server: Server, tokens: Tokens) -> u16 {
    match (server, tokens) {
        (Server::Bare, _) | (_, Tokens::One | Tokens::Distinct) => 200,
        (_, Tokens::Invalid) => 401,
    }
}

/// Asks `server` once with a valid and once with an altered token.
async fn check(servers: &Servers, server: Server, set: &TokenSet) -> Result<(), BoxError> {
    let mut connection = Connection::open(servers.addr(server)).await?;
    for tokens in [Tokens::One, Tokens::Invalid] {
        let status = connection.call(&set.get(tokens)[0]).await?;
        let want = expected(server, tokens);
        if status != want {
            return Err(format!(
                "{} answered {status} to {tokens:?}, not {want}",
                server.label()
            )
            .into());
        }
    }
    Ok(())
}

fn percentile_ms(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index] as f64 / 1e6
}

fn hit_ratio(before: TokenCacheStats, after: TokenCacheStats) -> f64 {
    let hits = after.hits - before.hits;
    let lookups = hits + after.misses - before.misses;
    hits as f64 / lookups.max(1) as f64
}

fn main() -> Result<(), BoxError> {
    let benching = jose_benches::full_measurement();
    let (rounds, warm_up, measure, distinct) = if benching {
        (
            5,
            Duration::from_millis(500),
            Duration::from_secs(2),
            10_000,
        )
    } else {
        (
            1,
            Duration::from_millis(50),
            Duration::from_millis(200),
            100,
        )
    };

    let cores = core_affinity::get_core_ids().unwrap_or_default();
    let (server_core, client_core) = match cores.as_slice() {
        [first, second, ..] => (Some(*first), Some(*second)),
        _ => (None, None),
    };

    eprintln!("signing {distinct} RS256 and {distinct} ES256 tokens ...");
    let algorithms = [
        ("RS256", TokenSet::new(Case::Rs256_2048, distinct)),
        ("ES256", TokenSet::new(Case::Es256, distinct)),
    ];

    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        if let Some(core) = server_core {
            core_affinity::set_for_current(core);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        runtime.block_on(async move {
            let started = start_servers().await.map_err(|e| e.to_string());
            let failed = started.is_err();
            let _ = sender.send(started);
            if !failed {
                std::future::pending::<()>().await;
            }
        });
    });
    let servers = receiver.recv()??;

    if let Some(core) = client_core {
        core_affinity::set_for_current(core);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;

    // The servers compared in one row run back to back, so a drift of the shared
    // machine's speed slower than a few seconds reaches all of them alike.
    let mut cases = vec![(Server::Bare, 0, Tokens::One)];
    for algorithm in 0..algorithms.len() {
        for tokens in [Tokens::One, Tokens::Distinct, Tokens::Invalid] {
            for server in [
                Server::JoseAxum,
                Server::JoseAxumCache,
                Server::JwtAuthorizer,
            ] {
                cases.push((server, algorithm, tokens));
            }
        }
    }

    runtime.block_on(async {
        for server in [
            Server::Bare,
            Server::JoseAxum,
            Server::JoseAxumCache,
            Server::JwtAuthorizer,
        ] {
            for (_, set) in &algorithms {
                check(&servers, server, set).await?;
            }
        }
        Ok::<_, BoxError>(())
    })?;

    // results[case] = (requests/s of each round, all latencies, the last round's cache
    // hit ratio)
    let mut results: Vec<(Vec<f64>, Vec<u64>, Option<f64>)> = cases
        .iter()
        .map(|_| (Vec::new(), Vec::new(), None))
        .collect();
    for round in 0..rounds {
        eprintln!("round {} of {rounds} ...", round + 1);
        // Odd rounds run the cases in reverse order, so no server always goes first.
        let mut order: Vec<usize> = (0..cases.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for index in order {
            let (server, algorithm, tokens) = cases[index];
            let before = servers.cache.stats();
            let run = runtime.block_on(load(
                servers.addr(server),
                algorithms[algorithm].1.get(tokens),
                expected(server, tokens),
                warm_up,
                measure,
            ))?;
            let result = &mut results[index];
            result.0.push(run.requests_per_second);
            result.1.extend(run.latencies);
            if server == Server::JoseAxumCache {
                result.2 = Some(hit_ratio(before, servers.cache.stats()));
            }
        }
    }

    let pinned = match (server_core, client_core) {
        (Some(s), Some(c)) => format!("server on core {}, load generator on core {}", s.id, c.id),
        _ => "not pinned (fewer than two cores)".to_owned(),
    };
    println!(
        "{CONNECTIONS} keep-alive connections; {pinned}; {rounds} round(s) of {:.1} s per case\n",
        measure.as_secs_f64()
    );
    println!("| server | alg | tokens | requests/s | p50 | p99 | cache hits (last round) |");
    println!("|---|---|---|---|---|---|---|");
    // Requests/s of every round, in round order, per case.
    let mut per_round = Vec::new();
    for ((server, algorithm, tokens), (rps, mut latencies, hits)) in
        cases.iter().copied().zip(results)
    {
        let mut sorted = rps.clone();
        sorted.sort_by(f64::total_cmp);
        latencies.sort_unstable();
        let median = jose_benches::quantile(&sorted, 0.5);
        assert!(median > 0.0, "{} answered no request", server.label());
        per_round.push(((server, algorithm, tokens), rps));
        let alg = if server == Server::Bare {
            "—"
        } else {
            algorithms[algorithm].0
        };
        let tokens_label = if server == Server::Bare {
            "—".to_owned()
        } else {
            tokens.label(distinct)
        };
        println!(
            "| {} | {alg} | {tokens_label} | {median:.0} | {:.2} ms | {:.2} ms | {} |",
            server.label(),
            percentile_ms(&latencies, 0.5),
            percentile_ms(&latencies, 0.99),
            hits.map_or("—".to_owned(), |h| format!("{:.0} %", h * 100.0)),
        );
    }
    // The median over the rounds of one round's ratio a ÷ b.
    let ratio = |a: (Server, usize, Tokens), b: (Server, usize, Tokens)| {
        let rounds_of = |case| {
            per_round
                .iter()
                .find(|(c, _)| *c == case)
                .map(|(_, rps)| rps.clone())
                .unwrap_or_default()
        };
        let mut ratios: Vec<f64> = rounds_of(a)
            .iter()
            .zip(rounds_of(b))
            .map(|(a, b)| a / b)
            .collect();
        ratios.sort_by(f64::total_cmp);
        jose_benches::quantile(&ratios, 0.5)
    };
    println!(
        "\nMedians over the rounds of each round's ratio of requests/s:\n\n\
         | alg | tokens | jose-axum ÷ jwt-authorizer | + TokenCache ÷ jwt-authorizer | jose-axum: time per invalid ÷ per valid token |"
    );
    println!("|---|---|---|---|---|");
    for (algorithm, (alg, _)) in algorithms.iter().enumerate() {
        for tokens in [Tokens::One, Tokens::Distinct, Tokens::Invalid] {
            let peer = (Server::JwtAuthorizer, algorithm, tokens);
            let invalid_cost = match tokens {
                Tokens::Invalid => format!(
                    "{:.2}×",
                    ratio(
                        (Server::JoseAxum, algorithm, Tokens::Distinct),
                        (Server::JoseAxum, algorithm, Tokens::Invalid),
                    )
                ),
                _ => "—".to_owned(),
            };
            println!(
                "| {alg} | {} | {:.2}× | {:.2}× | {invalid_cost} |",
                tokens.label(distinct),
                ratio((Server::JoseAxum, algorithm, tokens), peer),
                ratio((Server::JoseAxumCache, algorithm, tokens), peer),
            );
        }
    }
    Ok(())
}
