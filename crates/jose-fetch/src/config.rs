//! Every fetcher setting, its default, and the builder that sets them.

use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, MonotonicClock};
use crate::error::FetchError;
use crate::fetcher::{RemoteJwks, Source};
use crate::http::{HttpClient, ReqwestClient};
use crate::url_policy;

/// The settings (see the crate docs for the table with reasons).
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) default_ttl: Duration,
    pub(crate) min_ttl: Duration,
    pub(crate) max_ttl: Duration,
    pub(crate) refresh_ahead: f64,
    pub(crate) refresh_jitter: f64,
    pub(crate) unknown_kid_cooldown: Duration,
    pub(crate) wait_timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) total_timeout: Duration,
    pub(crate) retry_delay: (Duration, Duration),
    pub(crate) backoff_base: Duration,
    pub(crate) backoff_max: Duration,
    pub(crate) max_stale: Option<Duration>,
    pub(crate) max_body: usize,
    pub(crate) max_keys: usize,
    pub(crate) max_redirects: usize,
    pub(crate) refetch_on_signature_failure: bool,
    pub(crate) background_refresh: bool,
    pub(crate) discovery_ttl: Duration,
    pub(crate) issuer: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            default_ttl: Duration::from_secs(600),
            min_ttl: Duration::from_secs(60),
            max_ttl: Duration::from_secs(24 * 3600),
            refresh_ahead: 0.8,
            refresh_jitter: 0.1,
            unknown_kid_cooldown: Duration::from_secs(30),
            wait_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(2),
            total_timeout: Duration::from_secs(5),
            retry_delay: (Duration::from_millis(200), Duration::from_millis(400)),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(120),
            max_stale: Some(Duration::from_secs(6 * 3600)),
            max_body: 256 * 1024,
            max_keys: 100,
            max_redirects: 3,
            refetch_on_signature_failure: false,
            background_refresh: false,
            discovery_ttl: Duration::from_secs(24 * 3600),
            issuer: None,
        }
    }
}

/// Builds a [`RemoteJwks`]. Building does no I/O.
#[must_use]
pub struct RemoteJwksBuilder {
    source: SourceSpec,
    config: Config,
    http: Option<Arc<dyn HttpClient>>,
    clock: Arc<dyn Clock>,
}

enum SourceSpec {
    Jwks(String),
    Issuer(String),
}

impl RemoteJwksBuilder {
    pub(crate) fn jwks(url: impl Into<String>) -> Self {
        Self::new(SourceSpec::Jwks(url.into()))
    }

    pub(crate) fn issuer(issuer: impl Into<String>) -> Self {
        let issuer = issuer.into();
        let mut builder = Self::new(SourceSpec::Issuer(issuer.clone()));
        builder.config.issuer = Some(issuer);
        builder
    }

    fn new(source: SourceSpec) -> Self {
        RemoteJwksBuilder {
            source,
            config: Config::default(),
            http: None,
            clock: Arc::new(MonotonicClock),
        }
    }

    /// Freshness when the response has no cache headers (default 10 min).
    pub fn default_ttl(mut self, ttl: Duration) -> Self {
        self.config.default_ttl = ttl;
        self
    }

    /// Bounds applied to server cache hints (default 60 s to 24 h). A provider cannot
    /// make us refetch every request, nor trust a set for a week.
    pub fn ttl_bounds(mut self, min: Duration, max: Duration) -> Self {
        self.config.min_ttl = min;
        self.config.max_ttl = max;
        self
    }

    /// Minimum time between refetches triggered by unknown `kid`s (default 30 s).
    pub fn unknown_kid_cooldown(mut self, cooldown: Duration) -> Self {
        self.config.unknown_kid_cooldown = cooldown;
        self
    }

    /// When a read starts a background refresh: at `at` of the set's lifetime, moved by
    /// up to `± jitter` per fetch so that replicas spread out (default 0.8 ± 0.1). Both
    /// are fractions of the lifetime; `at` of 1 with no jitter refreshes only once the
    /// set has expired. [`build`](Self::build) refuses values outside `[0, 1]`.
    pub fn refresh_ahead(mut self, at: f64, jitter: f64) -> Self {
        self.config.refresh_ahead = at;
        self.config.refresh_jitter = jitter;
        self
    }

    /// How long a verification waits for an in-flight fetch (default 5 s).
    pub fn wait_timeout(mut self, timeout: Duration) -> Self {
        self.config.wait_timeout = timeout;
        self
    }

    /// Connect and total timeouts of one fetch (default 2 s / 5 s).
    pub fn timeouts(mut self, connect: Duration, total: Duration) -> Self {
        self.config.connect_timeout = connect;
        self.config.total_timeout = total;
        self
    }

    /// The pause before the one retry within a fetch (after a connect error, a 5xx or a
    /// 429), uniform between `min` and `max` (default 200–400 ms).
    pub fn retry_delay(mut self, min: Duration, max: Duration) -> Self {
        self.config.retry_delay = (min, max);
        self
    }

    /// Backoff between failed fetches (default 1 s doubling to 2 min, jittered). A longer
    /// server `Retry-After` is honoured, up to an hour.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.config.backoff_base = base;
        self.config.backoff_max = max;
        self
    }

    /// How long past its freshness a set is still served while the provider fails
    /// (default 6 h; a larger server `stale-if-error` is honoured, up to 7 days).
    /// `Some(ZERO)` never serves stale keys, whatever the server says; `None` serves them
    /// without limit.
    pub fn max_stale(mut self, max_stale: Option<Duration>) -> Self {
        self.config.max_stale = max_stale;
        self
    }

    /// Largest JWKS or discovery response accepted, enforced while streaming (default 256 KiB).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.config.max_body = bytes;
        self
    }

    /// Most redirects followed by one request (default 3; 0 follows none). Every hop
    /// must stay on the same origin and on https, whatever this says.
    pub fn max_redirects(mut self, redirects: usize) -> Self {
        self.config.max_redirects = redirects;
        self
    }

    /// How long a discovery document is used before it is fetched again (default 24 h).
    /// A 404 or 410 from the `jwks_uri` re-discovers sooner.
    pub fn discovery_ttl(mut self, ttl: Duration) -> Self {
        self.config.discovery_ttl = ttl;
        self
    }

    /// Most keys accepted in one set (default 100).
    pub fn max_keys(mut self, keys: usize) -> Self {
        self.config.max_keys = keys;
        self
    }

    /// Refetch (under the unknown-`kid` budget) when a known `kid` fails its signature
    /// check, for providers that rotate keys under the same `kid` (default off).
    pub fn refetch_on_signature_failure(mut self, on: bool) -> Self {
        self.config.refetch_on_signature_failure = on;
        self
    }

    /// Refresh on a background timer instead of lazily on reads (default off). For
    /// services that must never block on a cold or expired set.
    pub fn background_refresh(mut self, on: bool) -> Self {
        self.config.background_refresh = on;
        self
    }

    /// Binds the fetcher to an issuer: unknown-`kid` refetches are only made for tokens
    /// whose (unverified) `iss` is this one. Set automatically by discovery.
    pub fn expected_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.config.issuer = Some(issuer.into());
        self
    }

    /// Uses your HTTP client for discovery and JWKS requests.
    pub fn http_client(mut self, client: impl HttpClient) -> Self {
        self.http = Some(Arc::new(client));
        self
    }

    /// Uses your monotonic clock (tests).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Validates the configuration and builds the fetcher. No network traffic happens
    /// until the first verification, [`RemoteJwks::prefetch`] or [`RemoteJwks::ready`].
    pub fn build(self) -> Result<RemoteJwks, FetchError> {
        let config_err = |reason: String| FetchError::Config { reason };
        let fraction = |x: f64| (0.0..=1.0).contains(&x);
        if !fraction(self.config.refresh_ahead) || !fraction(self.config.refresh_jitter) {
            return Err(config_err(
                "refresh_ahead: the point and its jitter must be fractions in [0, 1]".into(),
            ));
        }
        let source = match self.source {
            SourceSpec::Jwks(url) => {
                Source::Jwks(url_policy::parse_endpoint(&url).map_err(config_err)?)
            }
            SourceSpec::Issuer(issuer) => {
                let url = crate::discovery::discovery_url(&issuer).map_err(config_err)?;
                Source::Issuer {
                    issuer,
                    discovery_url: url,
                }
            }
        };
        let http = match self.http {
            Some(http) => http,
            None => Arc::new(
                ReqwestClient::new(self.config.connect_timeout).map_err(|e| {
                    FetchError::Config {
                        reason: format!("cannot build the HTTP client: {e:?}"),
                    }
                })?,
            ),
        };
        Ok(RemoteJwks::new(source, self.config, http, self.clock))
    }
}
