//! The `metrics` feature: a scripted run against a local provider (a good fetch, an
//! unknown-`kid` refetch and one refused, an outage answered from the stale set through
//! a 503, a malformed set and a hang, recovery, a revalidation) and the exact counts it
//! must leave in a recorder. `cargo test -p jose-fetch --features metrics --test metrics`,
//! or the workspace's `cargo test`, whose jose-axum dev-dependency turns the feature on.
//!
//! The recorder is installed for this test's thread only (`set_default_local_recorder`),
//! not globally: the test runs on a current-thread runtime, so the fetches the fetcher
//! spawns run on the same thread and record into it, and no other test can interfere.
#![cfg(feature = "metrics")]

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jose_core::{Algorithm, Validation};
use jose_fetch::{FetchError, Health, ManualClock, RemoteJwks};
use jose_jwk::{KeySource, TokenCache, TokenCacheOptions};
use jose_testkit::{MockProvider, NotModified, Reply, TestKey};
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};

/// A recorder that keeps every counter and gauge under `name{label=value,...}`, labels
/// sorted. Hand-written rather than metrics-util's `DebuggingRecorder`: thirty lines
/// instead of a dependency tree, and the test reads values by one string.
#[derive(Default)]
struct Recorded {
    counters: Mutex<HashMap<String, Arc<AtomicU64>>>,
    gauges: Mutex<HashMap<String, Arc<AtomicU64>>>,
}

fn render(key: &Key) -> String {
    let labels: BTreeMap<&str, &str> = key.labels().map(|l| (l.key(), l.value())).collect();
    if labels.is_empty() {
        return key.name().to_owned();
    }
    let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

impl Recorded {
    fn counter(&self, key: &str) -> u64 {
        let counters = self.counters.lock().unwrap();
        counters.get(key).map_or(0, |c| c.load(Ordering::Relaxed))
    }

    fn gauge(&self, key: &str) -> Option<f64> {
        let gauges = self.gauges.lock().unwrap();
        gauges
            .get(key)
            .map(|g| f64::from_bits(g.load(Ordering::Relaxed)))
    }

    /// Every counter that is not zero, for comparing a whole run at once.
    fn counters(&self) -> BTreeMap<String, u64> {
        let counters = self.counters.lock().unwrap();
        counters
            .iter()
            .map(|(k, v)| (k.clone(), v.load(Ordering::Relaxed)))
            .filter(|(_, v)| *v > 0)
            .collect()
    }
}

impl Recorder for Recorded {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        let mut counters = self.counters.lock().unwrap();
        Counter::from_arc(Arc::clone(counters.entry(render(key)).or_default()))
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        let mut gauges = self.gauges.lock().unwrap();
        Gauge::from_arc(Arc::clone(gauges.entry(render(key)).or_default()))
    }

    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

const ISSUER: &str = "https://issuer.example";

fn token(key: &TestKey, kid: &str, claims: serde_json::Value) -> String {
    key.token().kid(kid).claims(claims).sign()
}

fn valid(key: &TestKey, kid: &str) -> String {
    token(
        key,
        kid,
        serde_json::json!({"iss": ISSUER, "sub": "alice", "exp": 4_000_000_000u64}),
    )
}

fn validation() -> Validation {
    Validation::builder([Algorithm::ES256])
        .issuer(ISSUER)
        .build()
}

/// Waits (real time, bounded) until `f` holds; the fetches run on spawned tasks.
async fn eventually(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_scripted_outage_leaves_exact_counts() {
    let recorded = Recorded::default();
    let _local = metrics::set_default_local_recorder(&recorded);

    let (key1, key2) = (TestKey::es256_seeded(1), TestKey::es256_seeded(2));
    let provider = MockProvider::start([key1.jwk("k1")]).await;
    let clock = Arc::new(ManualClock::new());
    let keys = RemoteJwks::builder(provider.jwks_url())
        .clock(Arc::clone(&clock))
        .retry_delay(Duration::ZERO, Duration::ZERO)
        .backoff(Duration::from_secs(1), Duration::from_secs(8))
        .timeouts(Duration::from_secs(1), Duration::from_millis(300))
        .build()
        .unwrap();
    let v = validation();
    let t1 = valid(&key1, "k1");
    let source = provider.jwks_url();
    let fetches = |outcome: &str| {
        recorded.counter(&format!(
            "jose_jwks_fetch_total{{outcome={outcome},source={source}}}"
        ))
    };
    let age = || recorded.gauge(&format!("jose_jwks_age_seconds{{source={source}}}"));

    // A good fetch, then an expired token refused with its code.
    keys.verify(&t1, &v).await.unwrap();
    assert_eq!(age(), Some(0.0));
    let expired = token(
        &key1,
        "k1",
        serde_json::json!({"iss": ISSUER, "exp": 1_000_000_000u64}),
    );
    let err = keys.verify(&expired, &v).await.unwrap_err();
    assert_eq!(err.code(), "ERR_JWT_EXPIRED");

    // A rotation: the unknown `kid` is refetched once; a second unknown `kid` right after
    // is refused by the cooldown.
    provider.add_key(key2.jwk("k2"));
    clock.advance(Duration::from_secs(31));
    keys.verify(&valid(&key2, "k2"), &v).await.unwrap();
    let err = keys.verify(&valid(&key2, "k3"), &v).await.unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::KeyNotFound {
                refreshed: false,
                ..
            }
        ),
        "{err:?}"
    );

    // The provider answers 503 past the set's freshness: the stale set answers, and the
    // refresh it starts fails twice (the attempt and its retry).
    provider.set_jwks(Reply::new(503, "down"));
    clock.advance(Duration::from_secs(601));
    keys.verify(&t1, &v).await.unwrap();
    assert_eq!(age(), Some(601.0), "the set was fetched 601 s ago");
    eventually("the 503s", || fetches("http_error") == 2).await;
    eventually("the failure recorded", || {
        keys.status().last_error.is_some()
    })
    .await;
    // Within the backoff: still answered stale, and nothing fetched.
    keys.verify(&t1, &v).await.unwrap();
    assert_eq!(provider.jwks_hits(), 4);

    // Then a malformed set, then a hang past the total timeout: each a failed refresh
    // behind a stale answer. The backoff never exceeds 8 s, so 10 s passes it.
    provider.set_jwks(Reply::malformed_json());
    clock.advance(Duration::from_secs(10));
    keys.verify(&t1, &v).await.unwrap();
    eventually("the malformed set", || fetches("invalid") == 1).await;
    provider.set_jwks(Reply::jwks().hang());
    clock.advance(Duration::from_secs(10));
    keys.verify(&t1, &v).await.unwrap();
    eventually("the timeout", || fetches("timeout") == 1).await;

    // Recovery, with an ETag this time; then past the freshness again, a revalidation.
    provider.set_jwks(Reply::jwks().etag("\"v1\"", NotModified::WithHeaders));
    clock.advance(Duration::from_secs(10));
    keys.verify(&t1, &v).await.unwrap();
    eventually("recovery", || keys.status().health == Health::Fresh).await;
    keys.verify(&t1, &v).await.unwrap();
    assert_eq!(age(), Some(0.0), "a fresh set again");
    clock.advance(Duration::from_secs(601));
    keys.verify(&t1, &v).await.unwrap();
    eventually("the 304", || fetches("not_modified") == 1).await;
    eventually("revalidated", || keys.status().health == Health::Fresh).await;

    // Answered from the stale set: behind the 503s (twice), the malformed set, the hang,
    // the recovery and the revalidation; nine verified tokens in all.
    let stale_reads = 6;
    let expected: BTreeMap<String, u64> = [
        (
            format!("jose_jwks_fetch_total{{outcome=ok,source={source}}}"),
            3,
        ),
        (
            format!("jose_jwks_fetch_total{{outcome=http_error,source={source}}}"),
            2,
        ),
        (
            format!("jose_jwks_fetch_total{{outcome=invalid,source={source}}}"),
            1,
        ),
        (
            format!("jose_jwks_fetch_total{{outcome=timeout,source={source}}}"),
            1,
        ),
        (
            format!("jose_jwks_fetch_total{{outcome=not_modified,source={source}}}"),
            1,
        ),
        (
            format!("jose_jwks_unknown_kid_refetch_total{{source={source}}}"),
            1,
        ),
        (
            format!("jose_jwks_unknown_kid_refused_total{{source={source}}}"),
            1,
        ),
        (
            format!("jose_jwks_stale_served_total{{source={source}}}"),
            stale_reads,
        ),
        ("jose_verify_total{result=ok}".to_owned(), 9),
        ("jose_verify_total{result=ERR_JWT_EXPIRED}".to_owned(), 1),
        (
            "jose_verify_total{result=ERR_JWKS_NO_MATCHING_KEY}".to_owned(),
            1,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(recorded.counters(), expected);
    // The fetcher's own counters agree.
    let counters = keys.status().counters;
    assert_eq!(counters.fetch_ok, 3);
    assert_eq!(counters.fetch_failed, 4);
    assert_eq!(counters.fetch_not_modified, 1);
    assert_eq!(counters.stale_served, stale_reads);
}

#[tokio::test(flavor = "current_thread")]
async fn the_token_cache_counts_hits_misses_inserts_and_evictions() {
    let recorded = Recorded::default();
    let _local = metrics::set_default_local_recorder(&recorded);

    let key = TestKey::es256_seeded(1);
    let provider = MockProvider::start([key.jwk("k1")]).await;
    let keys = RemoteJwks::builder(provider.jwks_url()).build().unwrap();
    let tokens: Vec<String> = (0..6)
        .map(|n| {
            let claims = serde_json::json!({"iss": ISSUER, "sub": format!("user-{n}"), "exp": 4_000_000_000u64});
            token(&key, "k1", claims)
        })
        .collect();
    // Room for about two tokens (an entry weighs twice the token plus 512 bytes), so
    // six distinct ones push some out.
    let room = 2 * (2 * tokens[0].len() as u64 + 512) + 100;
    let options = TokenCacheOptions::default().max_entries(2).max_bytes(room);
    let cache = TokenCache::new(validation(), options);
    let verify = async |token: &str| {
        let parsed = jose_core::CompactJws::parse(token, cache.validation().limits()).unwrap();
        cache
            .verify_async(
                token,
                |k| keys.trusts(k),
                |v| KeySource::verify(&keys, &parsed, v),
            )
            .await
            .map(|_| ())
    };

    verify(&tokens[0]).await.unwrap();
    verify(&tokens[0]).await.unwrap();
    for token in &tokens[1..] {
        verify(token).await.unwrap();
    }

    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (1, 6), "{stats:?}");
    assert!(stats.evictions > 0, "{stats:?}");
    assert_eq!(
        stats.evictions + stats.entries,
        6,
        "each token stored once: {stats:?}"
    );
    assert_eq!(recorded.counter("jose_token_cache_hits_total"), 1);
    assert_eq!(recorded.counter("jose_token_cache_misses_total"), 6);
    assert_eq!(recorded.counter("jose_token_cache_inserts_total"), 6);
    assert_eq!(
        recorded.counter("jose_token_cache_evictions_total"),
        stats.evictions
    );
    // The hit never reached the fetcher: six verifications, not seven.
    assert_eq!(recorded.counter("jose_verify_total{result=ok}"), 6);
}
