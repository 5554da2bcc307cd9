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
use jose_jwk::{JwkSet, JwkSetOptions};
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
use crate::url_policy;

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
    timer_started: AtomicBool,
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

/// A failed attempt and whether it is worth one retry.
struct Attempt {
    error: FetchError,
    retryable: bool,
}

impl From<FetchError> for Attempt {
    fn from(error: FetchError) -> Self {
        Attempt {
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
                source,
                config,
                http,
                clock,
                jitter: Jitter::new(),
                current: RwLock::new(None),
                state: Mutex::new(State::default()),
                metrics: Metrics::default(),
                timer_started: AtomicBool::new(false),
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
}

impl std::fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("source", &self.inner.source)
            .finish_non_exhaustive()
    }
}

impl Inner {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The held set if it may be used at `now`: fresh, or within the serve-stale window.
    fn usable_snapshot(&self, now: Instant) -> Option<Arc<Snapshot>> {
        self.snapshot()
            .filter(|s| now < s.fresh_until || s.stale_until.is_none_or(|limit| now < limit))
    }

    /// Parses a token for the string entry points. A malformed token is reported after
    /// the set is read, so with no usable set it is `Unavailable`, as before the parse
    /// was hoisted out of verification.
    async fn parse_token<'t>(
        self: &Arc<Self>,
        token: &'t str,
        validation: &Validation,
    ) -> Result<CompactJws<'t>, FetchError> {
        match CompactJws::parse(token, validation.limits()) {
            Ok(parsed) => Ok(parsed),
            Err(e) => {
                self.ensure_timer();
                self.read_set().await?;
                Err(FetchError::Token(e.into()))
            }
        }
    }

    async fn verify_with<T>(
        self: &Arc<Self>,
        token: &CompactJws<'_>,
        validation: &Validation,
        claim_prechecks: bool,
        verify: impl Fn(&JwkSet) -> Result<T, jose_jwk::Error>,
    ) -> Result<T, FetchError> {
        self.ensure_timer();
        let snapshot = self.read_set().await?;
        let error = match verify(&snapshot.set) {
            Ok(verified) => return Ok(verified),
            Err(e) => e,
        };
        let retry = match error.as_jose() {
            Some(jose_core::Error::NoMatchingKey) => true,
            Some(jose_core::Error::SignatureInvalid) => self.config.refetch_on_signature_failure,
            _ => false,
        };
        if !retry {
            return Err(FetchError::Token(error));
        }
        self.check_again(&snapshot, token, validation, claim_prechecks, verify)
            .await
    }

    /// After `checked` had no key for the token: checks it against a newer set, from the
    /// fetch in flight, one published since, or a refetch the budget allows.
    async fn check_again<T>(
        self: &Arc<Self>,
        checked: &Arc<Snapshot>,
        token: &CompactJws<'_>,
        validation: &Validation,
        claim_prechecks: bool,
        verify: impl Fn(&JwkSet) -> Result<T, jose_jwk::Error>,
    ) -> Result<T, FetchError> {
        let not_found = |refreshed, retry_after| FetchError::KeyNotFound {
            kid: token.header().kid().map(str::to_owned),
            refreshed,
            retry_after,
        };
        let newer = {
            let now = self.clock.now();
            let mut state = self.state();
            if let Some(rx) = &state.in_flight {
                // Join the fetch already running: it may bring the key.
                Newer::Fetch(rx.clone())
            } else if let Some(published) = self
                .snapshot()
                .filter(|current| !Arc::ptr_eq(current, checked))
            {
                // A fetch finished between our read and this lock (a rotation racing
                // this token): its set may hold the key, and the cooldown it started
                // must not refuse a token that set can verify.
                Newer::Published(published)
            } else if !worth_refetching(
                token,
                validation,
                claim_prechecks,
                self.config.issuer.as_deref(),
            ) {
                return Err(not_found(false, None));
            } else if let Some(wait) = self.refetch_blocked(&state, now) {
                Metrics::bump(&self.metrics.unknown_kid_cooldown);
                tracing::debug!(
                    retry_after_ms = wait.as_millis() as u64,
                    "unknown kid: refetch refused by cooldown"
                );
                return Err(match &state.last_error {
                    // The last fetch failed: the key may exist and we cannot know, so
                    // 503, not 401 (clients keep the token and retry).
                    Some(error) => FetchError::Unavailable {
                        reason: error.to_string(),
                        retry_after: Some(wait),
                    },
                    None => not_found(false, Some(wait)),
                });
            } else {
                Metrics::bump(&self.metrics.unknown_kid_refetch);
                tracing::info!("unknown kid: refetching the key set");
                Newer::Fetch(self.start_locked(&mut state, Trigger::UnknownKid, now))
            }
        };
        let fresh = match newer {
            Newer::Fetch(rx) => self.wait(rx, self.config.wait_timeout).await?,
            Newer::Published(snapshot) => snapshot,
        };
        match verify(&fresh.set) {
            Ok(verified) => Ok(verified),
            Err(e) if matches!(e.as_jose(), Some(jose_core::Error::NoMatchingKey)) => {
                Err(not_found(true, None))
            }
            Err(e) => Err(FetchError::Token(e)),
        }
    }

    /// How long until an unknown-`kid` refetch is allowed (cooldown and backoff), or
    /// `None` if it is now.
    fn refetch_blocked(&self, state: &State, now: Instant) -> Option<Duration> {
        let cooldown = state
            .last_counted_fetch
            .map(|t| later(t, self.config.unknown_kid_cooldown).saturating_duration_since(now))
            .unwrap_or_default();
        let backoff = state
            .retry_not_before
            .map(|t| t.saturating_duration_since(now))
            .unwrap_or_default();
        let wait = cooldown.max(backoff);
        (!wait.is_zero()).then_some(wait)
    }

    /// The set to verify with: the held one if usable (starting a background refresh when
    /// it is due), otherwise the result of a fetch this call waits for.
    async fn read_set(self: &Arc<Self>) -> Result<Arc<Snapshot>, FetchError> {
        let now = self.clock.now();
        if let Some(snapshot) = self.snapshot() {
            if now < snapshot.fresh_until {
                if now >= snapshot.refresh_at {
                    self.refresh_in_background(now);
                }
                return Ok(snapshot);
            }
            if snapshot.stale_until.is_none_or(|limit| now < limit) {
                Metrics::bump(&self.metrics.stale_served);
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

    /// Starts a background refresh unless one is running or the backoff forbids it.
    ///
    /// Readers call this on every request once the refresh point has passed, for as long
    /// as a refresh is in flight or an outage lasts, so it never waits for the state lock:
    /// whoever holds it is starting a fetch or recording one, and the next read tries
    /// again.
    fn refresh_in_background(self: &Arc<Self>, now: Instant) {
        let mut state = match self.state.try_lock() {
            Ok(state) => state,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        if state.in_flight.is_none() && state.retry_not_before.is_none_or(|at| now >= at) {
            drop(self.start_locked(&mut state, Trigger::Background, now));
        }
    }

    fn start_or_join(self: &Arc<Self>, trigger: Trigger) -> watch::Receiver<Option<Outcome>> {
        let now = self.clock.now();
        let mut state = self.state();
        match &state.in_flight {
            Some(rx) => rx.clone(),
            None => self.start_locked(&mut state, trigger, now),
        }
    }

    /// Spawns the one fetch; the caller holds the state lock, so no second can start.
    fn start_locked(
        self: &Arc<Self>,
        state: &mut State,
        trigger: Trigger,
        now: Instant,
    ) -> watch::Receiver<Option<Outcome>> {
        let (tx, rx) = watch::channel(None);
        state.in_flight = Some(rx.clone());
        if trigger != Trigger::Background {
            state.last_counted_fetch = Some(now);
        }
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            let outcome = inner.fetch_with_retry(trigger).await;
            inner.finish(&outcome);
            // Nobody waiting is fine: the outcome is already published in `current`.
            let _ = tx.send(Some(outcome));
        });
        rx
    }

    async fn wait(&self, mut rx: watch::Receiver<Option<Outcome>>, timeout: Duration) -> Outcome {
        let result = tokio::time::timeout(timeout, async {
            loop {
                if let Some(outcome) = rx.borrow_and_update().clone() {
                    return outcome;
                }
                if rx.changed().await.is_err() {
                    return Err(FetchError::unavailable(
                        "the fetch task ended without a result",
                    ));
                }
            }
        })
        .await;
        result.unwrap_or_else(|_| {
            Err(FetchError::Unavailable {
                reason: "timed out waiting for the key set".to_owned(),
                retry_after: None,
            })
        })
    }

    /// Records a finished fetch. A success replaces the snapshot and clears the backoff;
    /// a failure keeps the previous snapshot and schedules the next attempt.
    fn finish(&self, outcome: &Outcome) {
        let now = self.clock.now();
        let mut state = self.state();
        state.in_flight = None;
        match outcome {
            Ok(snapshot) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) =
                    Some(Arc::clone(snapshot));
                state.last_success = Some(now);
                state.last_error = None;
                state.failures = 0;
                state.retry_not_before = None;
            }
            Err(error) => {
                state.failures = state.failures.saturating_add(1);
                let backoff = jitter::backoff(
                    &self.jitter,
                    state.failures,
                    self.config.backoff_base,
                    self.config.backoff_max,
                );
                let delay = backoff.max(error.retry_after().unwrap_or_default());
                state.retry_not_before = Some(later(now, delay));
                state.last_error = Some(error.clone());
                tracing::warn!(error = %error, failures = state.failures, backoff_ms = delay.as_millis() as u64, "JWKS fetch failed");
            }
        }
    }

    async fn fetch_with_retry(self: &Arc<Self>, trigger: Trigger) -> Outcome {
        let previous = self.snapshot();
        let attempts = async {
            let mut retried = false;
            loop {
                match self.fetch_once(previous.as_deref()).await {
                    Ok(snapshot) => return Ok(snapshot),
                    Err(attempt) => {
                        Metrics::bump(&self.metrics.fetch_failed);
                        let (low, high) = self.config.retry_delay;
                        // A server that asks for a longer pause than the retry delay
                        // gets it: the backoff in `finish` honours its Retry-After.
                        let pause_asked = attempt.error.retry_after().is_some_and(|d| d > high);
                        if attempt.retryable && !retried && !pause_asked {
                            retried = true;
                            tokio::time::sleep(self.jitter.between(low, high)).await;
                            continue;
                        }
                        return Err(attempt.error);
                    }
                }
            }
        };
        // `instrument`, not `span.enter()`: an entered guard held across `.await` would
        // stay entered on whichever worker thread runs other tasks meanwhile.
        attempts
            .instrument(tracing::info_span!("jwks_fetch", trigger = ?trigger))
            .await
    }

    async fn fetch_once(&self, previous: Option<&Snapshot>) -> Result<Arc<Snapshot>, Attempt> {
        let url = self.jwks_url().await?;
        let mut headers = Vec::new();
        if let Some(prev) = previous {
            if let Some(etag) = &prev.etag {
                headers.push(("if-none-match".to_owned(), etag.clone()));
            }
            if let Some(modified) = &prev.last_modified {
                headers.push(("if-modified-since".to_owned(), modified.clone()));
            }
        }
        let response = self.get(url, headers).await?;
        match (response.status, previous) {
            (200, _) => self.parse(&response).map_err(Attempt::from),
            (304, Some(prev)) => {
                Metrics::bump(&self.metrics.fetch_not_modified);
                Ok(self.snapshot_from(&response, Arc::clone(&prev.set), Some(prev)))
            }
            (404 | 410, _) if matches!(self.source, Source::Issuer { .. }) => {
                // The provider moved its keys: discover again on the retry.
                self.state().discovered = None;
                Err(Attempt {
                    error: FetchError::invalid(format!(
                        "JWKS endpoint answered {}",
                        response.status
                    )),
                    retryable: true,
                })
            }
            (429 | 500..=599, _) => Err(Attempt {
                error: FetchError::Unavailable {
                    reason: format!("JWKS endpoint answered {}", response.status),
                    retry_after: cache_policy::retry_after(&response),
                },
                retryable: true,
            }),
            (status, _) => {
                Err(FetchError::invalid(format!("JWKS endpoint answered {status}")).into())
            }
        }
    }

    fn parse(&self, response: &HttpResponse) -> Result<Arc<Snapshot>, FetchError> {
        let options = JwkSetOptions::default()
            .max_keys(self.config.max_keys)
            .max_bytes(self.config.max_body);
        let set = JwkSet::from_json_with(&response.body, &options)
            .map_err(|e| FetchError::invalid(format!("{} ({})", e, e.code())))?;
        for skipped in set.skipped() {
            Metrics::bump(&self.metrics.keys_skipped);
            tracing::warn!(reason = skipped.reason_code(), "JWKS key skipped");
        }
        Metrics::bump(&self.metrics.fetch_ok);
        tracing::info!(keys = set.len(), "JWKS fetched");
        Ok(self.snapshot_from(response, Arc::new(set), None))
    }

    /// The snapshot for a 200 (`revalidated` is `None`) or for a 304 that revalidated
    /// `revalidated`: what the 304 leaves out (validators, a lifetime, `Cache-Control`'s
    /// `stale-if-error`) is kept from the
    /// stored response, as RFC 9111 §4.3.4 updates a stored response.
    fn snapshot_from(
        &self,
        response: &HttpResponse,
        set: Arc<JwkSet>,
        revalidated: Option<&Snapshot>,
    ) -> Arc<Snapshot> {
        let bounds = TtlBounds {
            default: revalidated.map_or(self.config.default_ttl, |prev| prev.lifetime),
            min: self.config.min_ttl,
            max: self.config.max_ttl,
        };
        let freshness = cache_policy::freshness(response, bounds);
        let now = self.clock.now();
        // Refresh-ahead at 80 % of the lifetime, jittered by ±10 % so replicas spread out.
        let jitter = (self.jitter.fraction() * 2.0 - 1.0) * self.config.refresh_jitter;
        let ahead = (self.config.refresh_ahead + jitter).clamp(0.0, 1.0);
        let stale_hint = match (revalidated, response.header("cache-control")) {
            (Some(prev), None) => prev.stale_hint,
            _ => freshness.stale_if_error,
        };
        // A larger server `stale-if-error` extends the window, but `Some(ZERO)` means the
        // caller never wants stale keys, whatever the server says.
        let stale_for = self.config.max_stale.map(|max| {
            if max.is_zero() {
                max
            } else {
                max.max(stale_hint.unwrap_or_default())
            }
        });
        let fresh_until = later(now, freshness.ttl);
        let kept = |name: &str, prev: Option<&String>| {
            response.header(name).map(str::to_owned).or(prev.cloned())
        };
        Arc::new(Snapshot {
            set,
            lifetime: freshness.ttl,
            stale_hint,
            fresh_until,
            refresh_at: later(now, freshness.ttl.mul_f64(ahead)),
            stale_until: stale_for.map(|d| later(fresh_until, d)),
            etag: kept("etag", revalidated.and_then(|p| p.etag.as_ref())),
            last_modified: kept(
                "last-modified",
                revalidated.and_then(|p| p.last_modified.as_ref()),
            ),
        })
    }

    /// The JWKS URL, discovering it (and caching it for a day) for issuer sources.
    async fn jwks_url(&self) -> Result<Url, Attempt> {
        let (issuer, discovery_url) = match &self.source {
            Source::Jwks(url) => return Ok(url.clone()),
            Source::Issuer {
                issuer,
                discovery_url,
            } => (issuer, discovery_url),
        };
        let now = self.clock.now();
        if let Some((url, until)) = &self.state().discovered
            && now < *until
        {
            return Ok(url.clone());
        }
        let response = self
            .get(discovery_url.clone(), Vec::new())
            .await
            .map_err(|a| Attempt {
                error: FetchError::Discovery {
                    reason: a.error.to_string(),
                },
                retryable: a.retryable,
            })?;
        if response.status != 200 {
            return Err(Attempt {
                error: FetchError::Discovery {
                    reason: format!("discovery document answered {}", response.status),
                },
                retryable: response.status == 429 || response.status >= 500,
            });
        }
        let url = discovery::jwks_uri(&response.body, issuer)?;
        self.state().discovered = Some((url.clone(), later(now, self.config.discovery_ttl)));
        Ok(url)
    }

    /// One GET with the redirect rules and the total deadline applied.
    async fn get(&self, url: Url, headers: Vec<(String, String)>) -> Result<HttpResponse, Attempt> {
        let exchange = async {
            let mut url = url;
            for _ in 0..=self.config.max_redirects {
                let request = HttpRequest {
                    url: url.to_string(),
                    headers: headers.clone(),
                    max_body: self.config.max_body,
                };
                let response = self.http.get(request).await.map_err(|e| match e {
                    HttpError::Connect(msg) => Attempt {
                        error: FetchError::unavailable(format!("connect: {msg}")),
                        retryable: true,
                    },
                    HttpError::TooLarge => {
                        FetchError::invalid("response is larger than the limit").into()
                    }
                    HttpError::Other(msg) => FetchError::unavailable(msg).into(),
                })?;
                if matches!(response.status, 301 | 302 | 303 | 307 | 308) {
                    let location = response
                        .header("location")
                        .ok_or_else(|| FetchError::invalid("redirect without Location"))?;
                    url = url_policy::follow_redirect(&url, location)?;
                    continue;
                }
                return Ok(response);
            }
            Err(FetchError::invalid("too many redirects").into())
        };
        tokio::time::timeout(self.config.total_timeout, exchange)
            .await
            .unwrap_or_else(|_| Err(FetchError::unavailable("request timed out").into()))
    }

    /// Starts the optional background timer once; it holds only a weak reference, so
    /// dropping the last `RemoteJwks` stops it.
    fn ensure_timer(self: &Arc<Self>) {
        if !self.config.background_refresh || self.timer_started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak: Weak<Inner> = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                let delay = {
                    let Some(inner) = weak.upgrade() else { return };
                    let now = inner.clock.now();
                    let due = match (inner.snapshot(), inner.state().retry_not_before) {
                        (_, Some(retry)) if retry > now => retry,
                        (Some(s), _) => s.refresh_at,
                        (None, _) => now,
                    };
                    if due <= now {
                        inner.refresh_in_background(now);
                    }
                    due.saturating_duration_since(now)
                        .max(Duration::from_millis(50))
                };
                tokio::time::sleep(delay).await;
            }
        });
    }

    fn status(&self) -> Status {
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
        }
    }
}

/// Cheap checks on the *unverified* token that decide only whether an unknown `kid` is
/// worth a refetch, never whether the token is accepted: its `alg` is allowed, and for
/// JWTs its `iss` is this fetcher's issuer (when bound) and it is not long expired.
///
/// The claims are read with the strict parser verification uses, once: a token whose
/// claims verification would refuse is not worth a fetch either.
fn worth_refetching(
    token: &CompactJws<'_>,
    validation: &Validation,
    claim_prechecks: bool,
    issuer: Option<&str>,
) -> bool {
    if validation.check_algorithm(token.alg()).is_err() {
        return false;
    }
    if !claim_prechecks {
        return true;
    }
    let Ok(claims) = token.unverified_claims() else {
        return false;
    };
    if let Some(expected) = issuer
        && claims.iss() != Some(expected)
    {
        return false;
    }
    // Generous slack: this is a fetch gate, the real check comes after verification.
    const SLACK_SECS: u64 = 300;
    match claims.exp() {
        Some(exp) => exp.saturating_add(SLACK_SECS) > validation.now(),
        None => true,
    }
}

/// What an unknown-`kid` token is checked against again.
enum Newer {
    /// The fetch in flight, joined or started.
    Fetch(watch::Receiver<Option<Outcome>>),
    /// A set published since the token was first checked.
    Published(Arc<Snapshot>),
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
