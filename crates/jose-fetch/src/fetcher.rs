//! The fetcher: an immutable snapshot for readers, one shared fetch at a time, and the
//! refresh policy of docs/DESIGN.md §7.
//!
//! Locking: `current` (the snapshot) and `state` (fetch bookkeeping) are `std` locks held
//! only for a few field reads or writes, never across `.await`. Fetches run in spawned
//! tasks and publish through a `watch` channel, so a caller that gives up (timeout,
//! cancellation) never cancels the fetch other callers are waiting on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, TryLockError, Weak};
use std::time::{Duration, Instant};

use jose_core::{CompactJws, Validation};
use jose_jwk::{JwkSet, JwkSetOptions, TokenCache, TokenCacheStats};
use reqwest::Url;
use tokio::sync::watch;
use tracing::Instrument;

use crate::cache_policy::{self, TtlBounds};
use crate::clock::Clock;
use crate::config::{Config, RemoteJwksBuilder};
use crate::discovery;
use crate::error::FetchError;
use crate::http::{HttpClient, HttpError, HttpRequest, HttpResponse};
use crate::jitter::{self, Jitter};
use crate::status::{Health, Metrics, Status};
use crate::telemetry::{self, FetchOutcome, Telemetry};
use crate::url_policy;

// The state machine is here, top-down: the public handle, the shared state, reading a
// set. Each concern it delegates to has its own file.
mod discovery_cache;
mod fetch;
mod flight;
mod timer;
mod verify;

/// A remote JWK Set, fetched and cached by policy. Cheap to clone; clones share the cache.
///
/// Build one per `jwks_uri` (or issuer) at startup and keep it for the life of the
/// service. See the crate docs for the behaviour and every default.
#[derive(Clone)]
pub struct RemoteJwks {
    inner: Arc<Inner>,
}

/// Where the set comes from.
#[derive(Debug)]
pub(crate) enum Source {
    Jwks(Url),
    Issuer { issuer: String, discovery_url: Url },
}

struct Inner {
    source: Source,
    config: Config,
    http: Arc<dyn HttpClient>,
    clock: Arc<dyn Clock>,
    jitter: Jitter,
    current: RwLock<Option<Arc<Snapshot>>>,
    state: Mutex<State>,
    metrics: Metrics,
    telemetry: Telemetry,
    timer_started: AtomicBool,
    /// The verified-token caches in front of this fetcher, for `status()`; weak, so a
    /// dropped layer frees its cache.
    token_caches: Mutex<Vec<Weak<TokenCache>>>,
}

/// One fetched set and its timing.
#[derive(Debug)]
struct Snapshot {
    set: Arc<JwkSet>,
    /// How long this set is fresh for (clamped), kept for a 304 that names no lifetime.
    lifetime: Duration,
    /// The server's `stale-if-error`, kept for a 304 without `Cache-Control`.
    stale_hint: Option<Duration>,
    fresh_until: Instant,
    refresh_at: Instant,
    stale_until: Option<Instant>,
    etag: Option<String>,
    last_modified: Option<String>,
}

impl Snapshot {
    /// When the response this set came from (or its last revalidation) arrived: its
    /// freshness starts there.
    fn fetched_at(&self) -> Instant {
        self.fresh_until
            .checked_sub(self.lifetime)
            .unwrap_or(self.fresh_until)
    }
}

type Outcome = Result<Arc<Snapshot>, FetchError>;

#[derive(Default)]
struct State {
    in_flight: Option<watch::Receiver<Option<Outcome>>>,
    /// The last fetch that counts against the unknown-`kid` budget: every one but the
    /// background refreshes (docs/DESIGN.md §7, principle 2).
    last_counted_fetch: Option<Instant>,
    last_success: Option<Instant>,
    last_error: Option<FetchError>,
    failures: u32,
    retry_not_before: Option<Instant>,
    /// The discovered `jwks_uri` and when to discover again.
    discovered: Option<(Url, Instant)>,
}

/// Why a fetch is started; all but background refreshes consume the `kid` budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    Cold,
    Background,
    UnknownKid,
    Manual,
}

/// A failed attempt, whether it is worth one retry, and how it failed (for metrics).
struct Attempt {
    error: FetchError,
    retryable: bool,
    outcome: FetchOutcome,
}

impl From<FetchError> for Attempt {
    fn from(error: FetchError) -> Self {
        Attempt {
            outcome: FetchOutcome::of(&error),
            error,
            retryable: false,
        }
    }
}

impl RemoteJwks {
    /// A fetcher for the JWK Set at `jwks_uri`.
    pub fn builder(jwks_uri: impl Into<String>) -> RemoteJwksBuilder {
        RemoteJwksBuilder::jwks(jwks_uri)
    }

    /// A fetcher that finds the JWK Set through OpenID Connect discovery of `issuer`
    /// (`{issuer}/.well-known/openid-configuration`, whose `issuer` must equal this one
    /// exactly). Unknown-`kid` refetches are limited to tokens claiming this issuer.
    pub fn from_issuer(issuer: impl Into<String>) -> RemoteJwksBuilder {
        RemoteJwksBuilder::issuer(issuer)
    }

    pub(crate) fn new(
        source: Source,
        config: Config,
        http: Arc<dyn HttpClient>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        RemoteJwks {
            inner: Arc::new(Inner {
                telemetry: Telemetry::new(&source),
                source,
                config,
                http,
                clock,
                jitter: Jitter::new(),
                current: RwLock::new(None),
                state: Mutex::new(State::default()),
                metrics: Metrics::default(),
                timer_started: AtomicBool::new(false),
                token_caches: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Verifies a JWT: keys from the cached set, an unknown `kid` refetched under the
    /// cooldown, then signature and claims per `validation`.
    pub async fn verify(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<jose_jwk::VerifiedJwt, FetchError> {
        let token = self.inner.parse_token(token, validation).await?;
        self.verify_parsed_jwt(&token, validation).await
    }

    /// Verifies a plain JWS (signature only, payload of any bytes) with the same key
    /// selection and refetch rules as [`RemoteJwks::verify`].
    pub async fn verify_jws(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<jose_jwk::VerifiedJws, FetchError> {
        let token = self.inner.parse_token(token, validation).await?;
        self.verify_parsed_jws(&token, validation).await
    }

    /// [`RemoteJwks::verify`] on a token parsed once with [`CompactJws::parse`] (under
    /// `validation`'s limits): the unknown-`kid` pre-checks and verification read the
    /// header and claims of that one parse.
    pub async fn verify_parsed_jwt(
        &self,
        token: &CompactJws<'_>,
        validation: &Validation,
    ) -> Result<jose_jwk::VerifiedJwt, FetchError> {
        self.inner
            .verify_with(token, validation, true, |set| {
                set.verify_parsed_jwt(token, validation)
            })
            .await
    }

    /// [`RemoteJwks::verify_jws`] on a token parsed once; see
    /// [`RemoteJwks::verify_parsed_jwt`].
    pub async fn verify_parsed_jws(
        &self,
        token: &CompactJws<'_>,
        validation: &Validation,
    ) -> Result<jose_jwk::VerifiedJws, FetchError> {
        self.inner
            .verify_with(token, validation, false, |set| {
                set.verify_parsed_jws(token, validation)
            })
            .await
    }

    /// Fetches the set now (joining a fetch already in flight) and waits for it.
    pub async fn refresh_now(&self) -> Result<(), FetchError> {
        self.inner.ensure_timer();
        let rx = self.inner.start_or_join(Trigger::Manual);
        self.inner
            .wait(rx, self.inner.config.wait_timeout)
            .await
            .map(|_| ())
    }

    /// Starts fetching in the background if no usable set is held; returns at once.
    pub fn prefetch(&self) {
        self.inner.ensure_timer();
        if self.inner.usable_snapshot(self.inner.clock.now()).is_none() {
            drop(self.inner.start_or_join(Trigger::Cold));
        }
    }

    /// Waits up to `timeout` for a usable set, fetching one if needed. Use at startup.
    pub async fn ready(&self, timeout: Duration) -> Result<(), FetchError> {
        self.inner.ensure_timer();
        if self.inner.usable_snapshot(self.inner.clock.now()).is_some() {
            return Ok(());
        }
        let rx = self.inner.start_or_join(Trigger::Cold);
        self.inner.wait(rx, timeout).await.map(|_| ())
    }

    /// The current set, if one is usable (fresh or within the serve-stale window). Never
    /// touches the network.
    pub fn current(&self) -> Option<Arc<JwkSet>> {
        self.inner
            .usable_snapshot(self.inner.clock.now())
            .map(|s| s.set.clone())
    }

    /// A report for health endpoints and dashboards.
    pub fn status(&self) -> Status {
        self.inner.status()
    }

    /// Reports `cache`'s counts in [`Status::token_cache`] while it lives.
    pub(crate) fn attach_token_cache(&self, cache: &Arc<TokenCache>) {
        let mut caches = self.inner.token_caches();
        caches.retain(|cache| cache.strong_count() > 0);
        caches.push(Arc::downgrade(cache));
    }
}

impl std::fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("source", &self.inner.source)
            .finish_non_exhaustive()
    }
}

impl Inner {
    pub(super) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn token_caches(&self) -> MutexGuard<'_, Vec<Weak<TokenCache>>> {
        self.token_caches.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The attached caches' counts, added up.
    fn token_cache_stats(&self) -> Option<TokenCacheStats> {
        self.token_caches()
            .iter()
            .filter_map(Weak::upgrade)
            .map(|cache| cache.stats())
            .reduce(|a, b| a + b)
    }

    pub(super) fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The held set if it may be used at `now`: fresh, or within the serve-stale window.
    pub(super) fn usable_snapshot(&self, now: Instant) -> Option<Arc<Snapshot>> {
        self.snapshot()
            .filter(|s| now < s.fresh_until || s.stale_until.is_none_or(|limit| now < limit))
    }

    /// The set to verify with: the held one if usable (starting a background refresh when
    /// it is due), otherwise the result of a fetch this call waits for.
    pub(super) async fn read_set(self: &Arc<Self>) -> Result<Arc<Snapshot>, FetchError> {
        let now = self.clock.now();
        if let Some(snapshot) = self.snapshot() {
            if now < snapshot.fresh_until {
                if now >= snapshot.refresh_at {
                    self.refresh_in_background(now);
                }
                self.telemetry
                    .key_set_age(now.saturating_duration_since(snapshot.fetched_at()));
                return Ok(snapshot);
            }
            if snapshot.stale_until.is_none_or(|limit| now < limit) {
                Metrics::bump(&self.metrics.stale_served);
                self.telemetry.stale_served();
                self.telemetry
                    .key_set_age(now.saturating_duration_since(snapshot.fetched_at()));
                self.refresh_in_background(now);
                return Ok(snapshot);
            }
            tracing::warn!("key set is stale beyond the serve-stale limit; failing closed");
        }
        let rx = {
            let mut state = self.state();
            if let Some(rx) = &state.in_flight {
                rx.clone()
            } else if let Some(at) = state.retry_not_before.filter(|at| *at > now) {
                let reason = state
                    .last_error
                    .as_ref()
                    .map_or("backing off after a failed fetch".to_owned(), |e| {
                        e.to_string()
                    });
                return Err(FetchError::Unavailable {
                    reason,
                    retry_after: Some(at - now),
                });
            } else {
                self.start_locked(&mut state, Trigger::Cold, now)
            }
        };
        self.wait(rx, self.config.wait_timeout)
            .await
            .map_err(|e| match e {
                FetchError::Unavailable { .. } => e,
                other => FetchError::Unavailable {
                    reason: other.to_string(),
                    retry_after: None,
                },
            })
    }

    pub(super) fn status(&self) -> Status {
        let now = self.clock.now();
        let snapshot = self.snapshot();
        let state = self.state();
        let health = match &snapshot {
            None if state.last_error.is_some() => Health::Unavailable,
            None => Health::Empty,
            // A stale set being refreshed reports `Stale`: the outage is what matters.
            Some(s) if now < s.fresh_until && state.in_flight.is_some() => Health::Refreshing,
            Some(s) if now < s.fresh_until => Health::Fresh,
            Some(s) if s.stale_until.is_none_or(|limit| now < limit) => Health::Stale,
            Some(_) => Health::Unavailable,
        };
        Status {
            health,
            last_success_ago: state.last_success.map(|t| now.saturating_duration_since(t)),
            last_error: state.last_error.clone(),
            next_refresh_in: snapshot
                .as_ref()
                .map(|s| s.refresh_at.saturating_duration_since(now)),
            kids: snapshot
                .as_ref()
                .map(|s| s.set.kids().map(str::to_owned).collect())
                .unwrap_or_default(),
            counters: self.metrics.snapshot(),
            token_cache: self.token_cache_stats(),
        }
    }
}

/// `t + d`, saturating: user settings and server hints (`Retry-After`,
/// `stale-if-error`) may be centuries long, and `Instant + Duration` panics on overflow.
/// A century is past any policy, and `Instant` holds it on every platform.
fn later(t: Instant, d: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    t.checked_add(d.min(CENTURY)).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    /// An EC JWK Set with one key under `kid` (the public key of
    /// `test-vectors/keys/ec-p256.pem`).
    fn set_with(kid: &str) -> Arc<JwkSet> {
        let json = format!(
            r#"{{"keys":[{{"kty":"EC","crv":"P-256","kid":"{kid}",
            "x":"y2afkigzMa0oZo2-GdwmWZV8ZJipI9NZ0V2XB03_jaA",
            "y":"GLYpuGPBSF7be-o2bRQ2WuTYCLSrpFCpj7UBPYxoIAI"}}]}}"#
        );
        Arc::new(JwkSet::from_json(json.as_bytes()).unwrap())
    }

    /// A fetcher that never reaches the network in these tests.
    fn offline() -> RemoteJwks {
        RemoteJwks::builder("https://idp.example/jwks")
            .clock(ManualClock::new())
            .build()
            .unwrap()
    }

    fn snapshot_of(set: Arc<JwkSet>, now: Instant) -> Arc<Snapshot> {
        Arc::new(Snapshot {
            set,
            lifetime: Duration::from_secs(600),
            stale_hint: None,
            fresh_until: now + Duration::from_secs(600),
            refresh_at: now + Duration::from_secs(480),
            stale_until: None,
            etag: None,
            last_modified: None,
        })
    }

    /// The race a rotation opens: a reader checks the old set, the refetch that brings
    /// the new `kid` finishes (starting the cooldown), and only then does the reader take
    /// the state lock. It must check the published set, not be refused by the cooldown.
    #[test]
    fn a_set_published_after_the_first_check_is_checked_before_the_cooldown() {
        let keys = offline();
        let inner = &keys.inner;
        let now = inner.clock.now();
        let old = snapshot_of(set_with("k1"), now);
        *inner.current.write().unwrap() = Some(snapshot_of(set_with("k2"), now));
        inner.state().last_counted_fetch = Some(now);

        // An ES256 token under k2 whose signature does not verify: with the published
        // set it fails on the signature; refused by the cooldown it would be KeyNotFound.
        let header = jose_core::base64url_encode(br#"{"alg":"ES256","kid":"k2"}"#);
        let payload = jose_core::base64url_encode(br#"{"exp":4000000000}"#);
        let signature = jose_core::base64url_encode(&[1; 64]);
        let token = format!("{header}.{payload}.{signature}");
        let validation = Validation::builder([jose_core::Algorithm::ES256]).build();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let parsed = CompactJws::parse(&token, validation.limits()).unwrap();
        let result = runtime.block_on(inner.check_again(&old, &parsed, &validation, true, |set| {
            set.verify_parsed_jwt(&parsed, &validation)
        }));
        match result {
            Err(FetchError::Token(e)) => assert_eq!(e.code(), "ERR_JWS_SIGNATURE_INVALID"),
            other => panic!("{other:?}"),
        }
    }

    /// Readers past the refresh point call `refresh_in_background` on every request; it
    /// must return at once when the state lock is taken, not queue behind it.
    #[test]
    fn a_background_refresh_never_waits_for_the_state_lock() {
        let keys = offline();
        let inner = Arc::clone(&keys.inner);
        let held = keys.inner.state();
        let (done, returned) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            inner.refresh_in_background(inner.clock.now());
            let _ = done.send(());
        });
        assert!(
            returned.recv_timeout(Duration::from_secs(5)).is_ok(),
            "refresh_in_background waited for the lock"
        );
        assert!(held.in_flight.is_none(), "and started nothing");
    }
}
