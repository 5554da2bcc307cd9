//! A scriptable OpenID provider on 127.0.0.1.
//!
//! The server writes HTTP/1.1 itself on tokio's TCP streams rather than through hyper:
//! the faults it must script (a body ended by closing the connection, a body dripped a
//! byte at a time, a response that never comes) are exactly what an HTTP library is built
//! to normalise away. Each response closes its connection, which keeps the server small.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::key::TestKey;
use crate::token::TokenBuilder;

/// The OpenID Connect discovery path (OpenID Connect Discovery 1.0 §4).
pub const DISCOVERY_PATH: &str = "/.well-known/openid-configuration";
/// The default JWKS path.
pub const JWKS_PATH: &str = "/jwks";
/// Where IdentityServer / Duende publish their JWKS, below the discovery document.
pub const IDENTITY_SERVER_JWKS_PATH: &str = "/.well-known/openid-configuration/jwks";

/// How long the tokens of [`MockProvider::token`] live, as a short-lived access token does.
const TOKEN_LIFETIME: Duration = Duration::from_secs(600);

/// A request header block larger than this is dropped without an answer.
const MAX_HEAD: usize = 16 * 1024;
/// How many requests [`MockProvider::requests`] remembers.
const LOG_LIMIT: usize = 4096;

/// A request as the provider saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method, as sent (`GET`).
    pub method: String,
    /// The request target, query included.
    pub target: String,
    /// The target without its query: what hits are counted by.
    pub path: String,
    /// The header fields in the order sent.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a reply's body is, rendered when the request arrives.
#[derive(Debug, Clone)]
enum Body {
    /// The JWK Set the provider publishes at that moment.
    Jwks,
    /// The discovery document at that moment.
    Discovery,
    Bytes(Vec<u8>),
}

/// What happens before the response is written.
#[derive(Debug, Clone, Copy)]
enum Wait {
    Delay(Duration),
    /// Never answer; the connection stays open until the provider is dropped.
    Forever,
}

/// How a reply with an [`Reply::etag`] answers a request whose `If-None-Match` matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotModified {
    /// `304` with the `ETag` and every header the `200` would carry, as RFC 9110 §15.4.5
    /// asks.
    WithHeaders,
    /// `304` with no header at all: no validator, no lifetime.
    Bare,
}

/// One scripted response: status, headers, body, and how it is delivered.
///
/// Bodies made by [`Reply::jwks`] and [`Reply::discovery`] are rendered when the request
/// arrives, so a reply set once keeps serving the keys published later.
#[derive(Debug, Clone)]
#[must_use]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
    wait: Wait,
    drip: Option<(usize, Duration)>,
    close_delimited: bool,
    etag: Option<(String, NotModified)>,
}

impl Reply {
    fn with_body(status: u16, body: Body) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body,
            wait: Wait::Delay(Duration::ZERO),
            drip: None,
            close_delimited: false,
            etag: None,
        }
    }

    /// `status` with `body` and no header.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::with_body(status, Body::Bytes(body.into()))
    }

    /// `200` with `body` as `application/json`.
    pub fn json(body: impl Into<Vec<u8>>) -> Reply {
        Reply::new(200, body).header("content-type", "application/json")
    }

    /// `200` with the JWK Set the provider publishes when the request arrives: what the
    /// JWKS path answers unless scripted otherwise.
    pub fn jwks() -> Reply {
        Reply::with_body(200, Body::Jwks).header("content-type", "application/json")
    }

    /// `200` with the discovery document (`issuer`, `jwks_uri`) as it stands when the
    /// request arrives: what the discovery path answers unless scripted otherwise.
    pub fn discovery() -> Reply {
        Reply::with_body(200, Body::Discovery).header("content-type", "application/json")
    }

    /// `200 {"keys":[]}`: a well-formed set with nothing in it.
    pub fn empty_set() -> Reply {
        Reply::json(r#"{"keys":[]}"#)
    }

    /// `200` `application/json` whose body is cut off mid-document.
    pub fn malformed_json() -> Reply {
        Reply::json(r#"{"keys":[{"kty":"EC","#)
    }

    /// `200` with an HTML login page, as a misrouted request to an SSO proxy gets.
    pub fn html_login() -> Reply {
        Reply::new(200, "<html><body>Login</body></html>").header("content-type", "text/html")
    }

    /// `200` with an empty JWK Set padded by `pad` bytes of `x` in a `pad` member: a
    /// valid document that is too large. Combine with [`Reply::close_delimited`] to send
    /// it without `Content-Length`.
    pub fn oversized(pad: usize) -> Reply {
        Reply::json(format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(pad)))
    }

    /// A redirect (`301`, `302`, `307`, `308`) to `location`, relative or absolute. A
    /// reply on path `p` redirecting to `p` is a loop.
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::new(status, "").header("location", location)
    }

    /// `404` with an empty body.
    pub fn not_found() -> Reply {
        Reply::new(404, "")
    }

    /// Adds a header field (sent after `connection` and `content-length`, in order).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds `Retry-After` with `value` (seconds or an HTTP date).
    pub fn retry_after(self, value: &str) -> Reply {
        self.header("retry-after", value)
    }

    /// Adds `Cache-Control` with `value`.
    pub fn cache_control(self, value: &str) -> Reply {
        self.header("cache-control", value)
    }

    /// Adds `ETag: tag` (quotes included, as sent) and answers a request whose
    /// `If-None-Match` is exactly `tag` with `304`, shaped by `not_modified`.
    pub fn etag(mut self, tag: &str, not_modified: NotModified) -> Reply {
        self.etag = Some((tag.to_owned(), not_modified));
        self
    }

    /// Waits `delay` after reading the request before answering.
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.wait = Wait::Delay(delay);
        self
    }

    /// Never answers: the request is read and the connection held open until the
    /// provider is dropped.
    pub fn hang(mut self) -> Reply {
        self.wait = Wait::Forever;
        self
    }

    /// Sends the body in pieces of `chunk` bytes with `pause` after each (a slow drip).
    pub fn drip(mut self, chunk: usize, pause: Duration) -> Reply {
        self.drip = Some((chunk.max(1), pause));
        self
    }

    /// Omits `Content-Length`: the body ends when the connection closes (RFC 9112 §6.3).
    pub fn close_delimited(mut self) -> Reply {
        self.close_delimited = true;
        self
    }
}

/// Decides the reply to a request before any script: return `None` to fall through.
type Intercept = Arc<dyn Fn(&Request) -> Option<Reply> + Send + Sync>;

/// The replies scripted for one path.
#[derive(Debug, Default)]
struct Script {
    /// Used first, one per request.
    once: VecDeque<Reply>,
    /// Used when `once` is empty, until changed.
    fixed: Option<Reply>,
}

struct State {
    keys: Vec<Value>,
    issuer: Option<String>,
    jwks_path: String,
    scripts: HashMap<String, Script>,
    intercept: Option<Intercept>,
    hits: HashMap<String, usize>,
    log: VecDeque<Request>,
}

struct Shared {
    base: String,
    state: Mutex<State>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not take the provider down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts the request, picks its reply and renders the body.
    fn answer(&self, request: Request) -> Outgoing {
        let intercept = {
            let mut state = self.state();
            *state.hits.entry(request.path.clone()).or_default() += 1;
            if state.log.len() == LOG_LIMIT {
                state.log.pop_front();
            }
            state.log.push_back(request.clone());
            state.intercept.clone()
        };
        // The test's closure runs without the lock, so it may do anything, even block.
        let intercepted = intercept.and_then(|f| f(&request));
        let mut state = self.state();
        let reply = intercepted
            .or_else(|| {
                let script = state.scripts.get_mut(&request.path)?;
                script.once.pop_front().or_else(|| script.fixed.clone())
            })
            .unwrap_or_else(|| {
                if request.path == DISCOVERY_PATH {
                    Reply::discovery()
                } else if request.path == state.jwks_path {
                    Reply::jwks()
                } else {
                    Reply::not_found()
                }
            });

        let body = match &reply.body {
            Body::Jwks => json!({ "keys": state.keys }).to_string().into_bytes(),
            Body::Discovery => json!({
                "issuer": state.issuer.clone().unwrap_or_else(|| self.base.clone()),
                "jwks_uri": format!("{}{}", self.base, state.jwks_path),
            })
            .to_string()
            .into_bytes(),
            Body::Bytes(bytes) => bytes.clone(),
        };
        let mut out = Outgoing {
            status: reply.status,
            headers: reply.headers,
            body,
            wait: reply.wait,
            drip: reply.drip,
            close_delimited: reply.close_delimited,
        };
        if let Some((tag, not_modified)) = reply.etag {
            let matched = request.header("if-none-match") == Some(tag.as_str());
            if matched {
                out.status = 304;
                out.body.clear();
                out.headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
            }
            if matched && not_modified == NotModified::Bare {
                out.headers.clear();
            } else {
                out.headers.push(("etag".to_owned(), tag));
            }
        }
        out
    }
}

/// A rendered reply, ready for the wire.
struct Outgoing {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    wait: Wait,
    drip: Option<(usize, Duration)>,
    close_delimited: bool,
}

/// Configures a [`MockProvider`] before it starts; made by [`MockProvider::builder`].
#[derive(Debug)]
#[must_use]
pub struct ProviderBuilder {
    keys: Vec<Value>,
    issuer: Option<String>,
    jwks_path: String,
    scripts: HashMap<String, Script>,
}

impl ProviderBuilder {
    /// The public JWKs to publish (see [`crate::TestKey::jwk`]); any JSON values, so a
    /// set can hold keys the verifier must skip.
    pub fn keys(mut self, keys: impl IntoIterator<Item = Value>) -> Self {
        self.keys = keys.into_iter().collect();
        self
    }

    /// The `issuer` the discovery document claims, instead of the provider's own base
    /// URL (a lying or misconfigured provider).
    pub fn issuer(mut self, issuer: &str) -> Self {
        self.issuer = Some(issuer.to_owned());
        self
    }

    /// Where the JWKS is served and what `jwks_uri` names: [`JWKS_PATH`] unless set, or
    /// [`IDENTITY_SERVER_JWKS_PATH`] for IdentityServer's layout.
    pub fn jwks_path(mut self, path: &str) -> Self {
        self.jwks_path = path.to_owned();
        self
    }

    /// Answers `path` with `reply` from the first request on (see [`MockProvider::set`]).
    pub fn reply(mut self, path: &str, reply: Reply) -> Self {
        self.scripts.entry(path.to_owned()).or_default().fixed = Some(reply);
        self
    }

    /// Starts serving on an ephemeral port of 127.0.0.1, on the current tokio runtime.
    ///
    /// # Panics
    /// Outside a tokio runtime, or if no loopback port can be bound.
    pub async fn start(self) -> MockProvider {
        let (provider, listener, stop) = self.bind();
        let shared = Arc::clone(&provider.shared);
        tokio::spawn(accept_loop(listener, shared, stop));
        provider
    }

    /// Starts serving on an ephemeral port of 127.0.0.1, on a runtime of its own thread:
    /// for synchronous tests (a test that runs a binary, say).
    ///
    /// # Panics
    /// If no loopback port can be bound or the thread cannot be started.
    pub fn start_blocking(self) -> MockProvider {
        let (provider, listener, stop) = self.bind();
        let shared = Arc::clone(&provider.shared);
        std::thread::Builder::new()
            .name(format!("mock-provider {}", provider.base))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap_or_else(|e| panic!("the provider's runtime: {e}"));
                runtime.block_on(accept_loop(listener, shared, stop));
            })
            .unwrap_or_else(|e| panic!("the provider's thread: {e}"));
        provider
    }

    fn bind(self) -> (MockProvider, std::net::TcpListener, watch::Receiver<()>) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap_or_else(|e| panic!("binding 127.0.0.1:0: {e}"));
        listener
            .set_nonblocking(true)
            .unwrap_or_else(|e| panic!("a non-blocking listener: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("the listener's address: {e}"));
        let base = format!("http://{addr}");
        let shared = Arc::new(Shared {
            base: base.clone(),
            state: Mutex::new(State {
                keys: self.keys,
                issuer: self.issuer,
                jwks_path: self.jwks_path,
                scripts: self.scripts,
                intercept: None,
                hits: HashMap::new(),
                log: VecDeque::new(),
            }),
        });
        let (stop_tx, stop_rx) = watch::channel(());
        let provider = MockProvider {
            shared,
            base,
            addr,
            _stop: stop_tx,
        };
        (provider, listener, stop_rx)
    }
}

/// A local OpenID provider: discovery at [`DISCOVERY_PATH`], the JWKS at
/// [`JWKS_PATH`] (or another path), every request counted, every response scriptable.
///
/// By default the discovery document names the provider's base URL (`http://127.0.0.1:PORT`,
/// no trailing slash) as `issuer` and the JWKS path as `jwks_uri`, the JWKS path serves the
/// published keys, and any other path answers `404`. Scripts replace that per path:
/// [`MockProvider::set`] until changed, [`MockProvider::push`] for the next request only.
///
/// Dropping the provider stops it and closes the connections it holds open.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use jose_testkit::{JWKS_PATH, MockProvider, Reply, TestKey};
/// let idp = MockProvider::builder()
///     .keys([TestKey::es256_seeded(1).jwk("k1")])
///     .start()
///     .await;
/// idp.push(JWKS_PATH, Reply::new(503, "busy").retry_after("1"));
/// assert_eq!(idp.jwks_url(), format!("{}/jwks", idp.base_url()));
/// # }
/// ```
pub struct MockProvider {
    shared: Arc<Shared>,
    base: String,
    addr: SocketAddr,
    /// Dropped with the provider, which ends the accept loop and every connection.
    _stop: watch::Sender<()>,
}

impl fmt::Debug for MockProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockProvider")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl MockProvider {
    /// A builder for a provider with keys, an issuer or scripts in place before the first
    /// request.
    pub fn builder() -> ProviderBuilder {
        ProviderBuilder {
            keys: Vec::new(),
            issuer: None,
            jwks_path: JWKS_PATH.to_owned(),
            scripts: HashMap::new(),
        }
    }

    /// Starts a provider that publishes `keys`, on the current tokio runtime.
    ///
    /// # Panics
    /// As [`ProviderBuilder::start`].
    pub async fn start(keys: impl IntoIterator<Item = Value>) -> MockProvider {
        MockProvider::builder().keys(keys).start().await
    }

    /// Starts a provider that publishes `keys`, on a thread of its own.
    ///
    /// # Panics
    /// As [`ProviderBuilder::start_blocking`].
    pub fn start_blocking(keys: impl IntoIterator<Item = Value>) -> MockProvider {
        MockProvider::builder().keys(keys).start_blocking()
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash: the default issuer.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The base URL followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The URL of the JWKS path.
    pub fn jwks_url(&self) -> String {
        self.url(&self.shared.state().jwks_path)
    }

    /// The `issuer` the discovery document claims now.
    pub fn issuer(&self) -> String {
        (self.shared.state().issuer.clone()).unwrap_or_else(|| self.base.clone())
    }

    /// The loopback address the provider listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many requests reached `path` (query excluded).
    pub fn hits(&self, path: &str) -> usize {
        self.shared.state().hits.get(path).copied().unwrap_or(0)
    }

    /// How many requests reached the JWKS path.
    pub fn jwks_hits(&self) -> usize {
        let state = self.shared.state();
        state.hits.get(&state.jwks_path).copied().unwrap_or(0)
    }

    /// How many requests reached [`DISCOVERY_PATH`].
    pub fn discovery_hits(&self) -> usize {
        self.hits(DISCOVERY_PATH)
    }

    /// How many requests reached any path.
    pub fn total_hits(&self) -> usize {
        self.shared.state().hits.values().sum()
    }

    /// The requests received, oldest first (the last few thousand).
    pub fn requests(&self) -> Vec<Request> {
        self.shared.state().log.iter().cloned().collect()
    }

    /// The keys published now.
    pub fn keys(&self) -> Vec<Value> {
        self.shared.state().keys.clone()
    }

    /// Publishes `keys` instead of the current ones (a rotation, or `[]` for an empty set).
    pub fn set_keys(&self, keys: impl IntoIterator<Item = Value>) {
        self.shared.state().keys = keys.into_iter().collect();
    }

    /// Publishes `jwk` beside the current keys (the first half of a rotation).
    pub fn add_key(&self, jwk: Value) {
        self.shared.state().keys.push(jwk);
    }

    /// Stops publishing every key whose `kid` is `kid`; returns whether one was published.
    pub fn remove_key(&self, kid: &str) -> bool {
        let mut state = self.shared.state();
        let before = state.keys.len();
        state.keys.retain(|k| k["kid"] != kid);
        state.keys.len() != before
    }

    /// Makes the discovery document claim `issuer`, or the base URL again with `None`.
    pub fn set_issuer(&self, issuer: Option<&str>) {
        self.shared.state().issuer = issuer.map(str::to_owned);
    }

    /// Answers every request for `path` with `reply` until changed (requests queued with
    /// [`MockProvider::push`] still come first).
    pub fn set(&self, path: &str, reply: Reply) {
        let mut state = self.shared.state();
        state.scripts.entry(path.to_owned()).or_default().fixed = Some(reply);
    }

    /// [`MockProvider::set`] on the JWKS path.
    pub fn set_jwks(&self, reply: Reply) {
        let mut state = self.shared.state();
        let path = state.jwks_path.clone();
        state.scripts.entry(path).or_default().fixed = Some(reply);
    }

    /// Answers the next request for `path` with `reply`, once; several pushes answer the
    /// next requests in order. Afterwards the path answers as before.
    pub fn push(&self, path: &str, reply: Reply) {
        let mut state = self.shared.state();
        state
            .scripts
            .entry(path.to_owned())
            .or_default()
            .once
            .push_back(reply);
    }

    /// Forgets every script for `path`: it answers by default again.
    pub fn reset(&self, path: &str) {
        self.shared.state().scripts.remove(path);
    }

    /// Forgets every script on every path (those given to [`ProviderBuilder::reply`]
    /// included) and the [`MockProvider::intercept`] closure: the end of an outage.
    /// Published keys, the issuer and the counters stay.
    pub fn reset_all(&self) {
        let mut state = self.shared.state();
        state.scripts.clear();
        state.intercept = None;
    }

    /// Starts a token as this provider issues it, signed by `key`: `kid` from the
    /// published JWK that holds `key`'s public key, one with `key`'s `alg` (or none) if
    /// there are several (no `kid` if none holds it), `iss` the
    /// [`MockProvider::issuer`], `iat` now and `exp` ten minutes later. Add `sub`, `aud`
    /// or scopes with [`TokenBuilder::claim`] or [`TokenBuilder::merge_claims`]; any
    /// default can be changed the same way, or removed with a `null`
    /// ([`TokenBuilder::claims`] replaces them all).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use jose_testkit::{MockProvider, TestKey, decode_segment};
    /// let key = TestKey::es256_seeded(1);
    /// let idp = MockProvider::start([key.jwk("k1")]).await;
    /// let token = idp.token(&key).claim("sub", "alice").sign();
    /// let parts: Vec<&str> = token.split('.').collect();
    /// assert_eq!(decode_segment(parts[0])["kid"], "k1");
    /// assert_eq!(decode_segment(parts[1])["iss"], idp.issuer());
    /// # }
    /// ```
    pub fn token<'k>(&self, key: &'k TestKey) -> TokenBuilder<'k> {
        let kid = {
            let public = key.public_jwk();
            let state = self.shared.state();
            let holding = || state.keys.iter().filter(|jwk| holds(jwk, &public));
            // One key may be published under several `alg`s (RS256 and PS256 on one RSA
            // key): prefer the JWK a verifier would use for this token's `alg`.
            let fits = |jwk: &&Value| jwk.get("alg").is_none_or(|alg| alg == key.alg().name());
            let published = holding().find(fits).or_else(|| holding().next());
            published.and_then(|jwk| jwk["kid"].as_str().map(str::to_owned))
        };
        let now = crate::unix_now();
        let token = key
            .token()
            .claim("iss", self.issuer())
            .claim("iat", now)
            .claim("exp", now.saturating_add(TOKEN_LIFETIME.as_secs()));
        match kid {
            Some(kid) => token.kid(&kid),
            None => token,
        }
    }

    /// Lets `f` decide the reply to every request before any script; `None` falls
    /// through to the scripts and defaults. For answers that depend on the request in
    /// ways the scripts do not cover.
    pub fn intercept(&self, f: impl Fn(&Request) -> Option<Reply> + Send + Sync + 'static) {
        self.shared.state().intercept = Some(Arc::new(f));
    }
}

/// Whether published JWK `jwk` carries every member of `public` (a key type and its
/// parameters) with the same value.
fn holds(jwk: &Value, public: &Value) -> bool {
    public.as_object().is_some_and(|members| {
        members
            .iter()
            .all(|(name, value)| jwk.get(name) == Some(value))
    })
}

async fn accept_loop(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<()>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors, say: let the others finish first.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let (shared, mut stop) = (Arc::clone(&shared), stop.clone());
                tokio::spawn(async move {
                    tokio::select! {
                        _ = stop.changed() => {}
                        _ = serve(stream, &shared) => {}
                    }
                });
            }
        }
    }
}

/// Reads one request, answers it, closes the connection.
async fn serve(mut stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let Some(request) = read_request(&mut stream).await? else {
        return Ok(());
    };
    let out = shared.answer(request);
    match out.wait {
        Wait::Delay(delay) => tokio::time::sleep(delay).await,
        Wait::Forever => std::future::pending::<()>().await,
    }
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nconnection: close\r\n",
        out.status,
        reason(out.status)
    );
    if !out.close_delimited {
        head.push_str(&format!("content-length: {}\r\n", out.body.len()));
    }
    for (name, value) in &out.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    match out.drip {
        Some((chunk, pause)) => {
            for piece in out.body.chunks(chunk) {
                stream.write_all(piece).await?;
                stream.flush().await?;
                tokio::time::sleep(pause).await;
            }
        }
        None => stream.write_all(&out.body).await?,
    }
    stream.shutdown().await
}

/// The request line and headers; `None` when the peer closed early or sent too much.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    let end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 || buf.len() > MAX_HEAD {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or("").split(' ');
    let method = request_line.next().unwrap_or("").to_owned();
    let target = request_line.next().unwrap_or("/").to_owned();
    let path = target.split('?').next().unwrap_or("").to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Ok(Some(Request {
        method,
        target,
        path,
        headers,
    }))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// A URL on 127.0.0.1 where nothing listens: connections to it are refused (a provider
/// that is down). The port was free a moment ago; another process could take it, which
/// on a test machine is unlikely.
pub fn unused_local_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|e| panic!("binding 127.0.0.1:0: {e}"));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| panic!("the listener's address: {e}"));
    drop(listener);
    format!("http://{addr}")
}
