//! What a health endpoint needs to know about a fetcher.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jose_jwk::TokenCacheStats;

use crate::error::FetchError;

/// The state of the cached key set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Health {
    /// Nothing fetched yet.
    Empty,
    /// A set within its freshness lifetime.
    Fresh,
    /// A fetch is in flight while the set is still fresh; reads are served from it
    /// meanwhile. (A stale set being refreshed reports `Stale`.)
    Refreshing,
    /// Past its freshness, still served (provider failing or refresh pending).
    Stale,
    /// No usable set: stale beyond the limit, or never fetched and failing.
    Unavailable,
}

/// A point-in-time report from [`RemoteJwks::status`](crate::RemoteJwks::status).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Status {
    /// The state of the set.
    pub health: Health,
    /// How long ago the last successful fetch (or revalidation) completed.
    pub last_success_ago: Option<Duration>,
    /// The last fetch error since the last success.
    pub last_error: Option<FetchError>,
    /// When the next refresh is due (refresh-ahead point), if a set is held.
    pub next_refresh_in: Option<Duration>,
    /// The `kid`s of the usable keys in the current set.
    pub kids: Vec<String>,
    /// Counters since the fetcher was built.
    pub counters: Counters,
    /// The counts of the verified-token caches in front of this fetcher (a jose-axum
    /// layer's, attached through `KeySource::token_cache_attached`), added up; `None`
    /// when none is attached. Behind an `IssuerRegistry`, every issuer's fetcher reports
    /// the registry's caches, which hold every issuer's tokens.
    pub token_cache: Option<TokenCacheStats>,
}

/// Monotonic counters, also emitted as `tracing` events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Fetches that produced a new set.
    pub fetch_ok: u64,
    /// Revalidations answered `304 Not Modified`.
    pub fetch_not_modified: u64,
    /// Fetches that failed (each attempt, including retries).
    pub fetch_failed: u64,
    /// Reads served from a set past its freshness.
    pub stale_served: u64,
    /// Refetches triggered by an unknown `kid`.
    pub unknown_kid_refetch: u64,
    /// Unknown `kid`s refused a refetch by the cooldown or backoff.
    pub unknown_kid_cooldown: u64,
    /// Keys skipped while parsing fetched sets.
    pub keys_skipped: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Metrics {
    pub(crate) fetch_ok: AtomicU64,
    pub(crate) fetch_not_modified: AtomicU64,
    pub(crate) fetch_failed: AtomicU64,
    pub(crate) stale_served: AtomicU64,
    pub(crate) unknown_kid_refetch: AtomicU64,
    pub(crate) unknown_kid_cooldown: AtomicU64,
    pub(crate) keys_skipped: AtomicU64,
}

impl Metrics {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> Counters {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Counters {
            fetch_ok: get(&self.fetch_ok),
            fetch_not_modified: get(&self.fetch_not_modified),
            fetch_failed: get(&self.fetch_failed),
            stale_served: get(&self.stale_served),
            unknown_kid_refetch: get(&self.unknown_kid_refetch),
            unknown_kid_cooldown: get(&self.unknown_kid_cooldown),
            keys_skipped: get(&self.keys_skipped),
        }
    }
}
