//! The fetcher against a real HTTP server on 127.0.0.1: the failures of docs/DESIGN.md §7,
//! plus rotation, cache headers, revalidation, discovery and transport rules.
//! Cache time is driven by a `ManualClock`; no test sleeps for a TTL.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jose_fetch::{FetchError, Health, ManualClock, RemoteJwks};
use jose_testkit::{JWKS_PATH, MockProvider, NotModified, Reply, TestKey, jwks};

const ISSUER_CLAIM: &str = "https://issuer.example";

/// A deterministic P-256 key for test number `n`.
fn ec_key(n: u8) -> TestKey {
    TestKey::es256_seeded(n)
}

/// An ES256 JWT with `kid`, issued by ISSUER_CLAIM, expiring far in the future.
fn token(kid: &str, key: &TestKey) -> String {
    token_with_claims(
        kid,
        key,
        &serde_json::json!({"iss": ISSUER_CLAIM, "sub": "alice", "exp": 4_000_000_000u64}),
    )
}

fn token_with_claims(kid: &str, key: &TestKey, claims: &serde_json::Value) -> String {
    key.token().kid(kid).claims(claims.clone()).sign()
}

fn validation() -> jose_core::Validation {
    jose_core::Validation::builder([jose_core::Algorithm::ES256, jose_core::Algorithm::RS256])
        .issuer(ISSUER_CLAIM)
        .build()
}

/// A provider publishing `k1` (key 1) whose JWKS path answers `reply`.
async fn provider(reply: Reply) -> MockProvider {
    MockProvider::builder()
        .keys([ec_key(1).jwk("k1")])
        .reply(JWKS_PATH, reply)
        .start()
        .await
}

/// A fetcher for `provider`'s JWKS on the test's clock.
fn fetcher(provider: &MockProvider, clock: &Arc<ManualClock>) -> RemoteJwks {
    RemoteJwks::builder(provider.jwks_url())
        .clock(Arc::clone(clock))
        .build()
        .unwrap()
}

/// Waits (real time, bounded) until `f` holds; background fetches run on other tasks.
async fn eventually(what: &str, f: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The published set (`k1` unless the test changed the keys).
fn one_key_set() -> Reply {
    Reply::jwks()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_lookups_on_a_cold_cache_make_one_request() {
    let provider = provider(one_key_set().delay(Duration::from_millis(200))).await;
    let keys = fetcher(&provider, &Arc::new(ManualClock::new()));
    let token = Arc::new(token("k1", &ec_key(1)));
    let v = Arc::new(validation());
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let (keys, token, v) = (keys.clone(), Arc::clone(&token), Arc::clone(&v));
        tasks.push(tokio::spawn(async move {
            keys.verify(&token, &v).await.map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(provider.jwks_hits(), 1);
}

#[tokio::test]
async fn a_flood_of_unknown_kids_costs_one_request_per_cooldown() {
    let provider = provider(one_key_set()).await;
    let clock = Arc::new(ManualClock::new());
    let keys = fetcher(&provider, &clock);
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    assert_eq!(provider.jwks_hits(), 1);

    // The cold fetch counts against the budget (docs/DESIGN.md §7, principle 2): a flood right
    // after it costs nothing.
    for i in 0..100 {
        let err = keys
            .verify(&token(&format!("early-{i}"), &ec_key(1)), &validation())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                FetchError::KeyNotFound {
                    refreshed: false,
                    retry_after: Some(_),
                    ..
                }
            ),
            "{err:?}"
        );
    }
    assert_eq!(provider.jwks_hits(), 1);

    clock.advance(Duration::from_secs(31));
    let mut refetched = 0;
    let mut refused = 0;
    for i in 0..1000 {
        match keys
            .verify(&token(&format!("random-{i}"), &ec_key(1)), &validation())
            .await
        {
            Err(FetchError::KeyNotFound {
                refreshed: true, ..
            }) => refetched += 1,
            Err(FetchError::KeyNotFound {
                refreshed: false,
                retry_after: Some(_),
                ..
            }) => refused += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(provider.jwks_hits(), 2, "one refetch for the whole flood");
    assert_eq!((refetched, refused), (1, 999));
    // Valid tokens were never affected.
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();

    // The next window allows exactly one more.
    clock.advance(Duration::from_secs(31));
    for i in 0..100 {
        let _ = keys
            .verify(&token(&format!("again-{i}"), &ec_key(1)), &validation())
            .await;
    }
    assert_eq!(provider.jwks_hits(), 3);
    assert_eq!(keys.status().counters.unknown_kid_refetch, 2);
}

#[tokio::test]
async fn a_new_kid_right_after_a_background_refresh_is_still_fetched() {
    let provider = provider(one_key_set()).await;
    let clock = Arc::new(ManualClock::new());
    let keys = fetcher(&provider, &clock);
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();

    // Refresh-ahead (80 % ± 10 % of 10 min) triggers a background refresh...
    clock.advance(Duration::from_secs(9 * 60));
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    eventually("background refresh", || {
        provider.jwks_hits() == 2 && keys.status().health == Health::Fresh
    })
    .await;

    // ...and right after it the provider publishes k2: the background refresh did not
    // use the unknown-kid budget, so k2 is fetched at once.
    provider.add_key(ec_key(2).jwk("k2"));
    keys.verify(&token("k2", &ec_key(2)), &validation())
        .await
        .unwrap();
    assert_eq!(provider.jwks_hits(), 3);
}

#[tokio::test]
async fn rotation_is_picked_up_with_one_refetch_and_retired_keys_stop_verifying() {
    let provider = provider(one_key_set()).await;
    let clock = Arc::new(ManualClock::new());
    let keys = fetcher(&provider, &clock);
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();

    // The provider rotates (later than the cooldown after the first fetch): k2 replaces k1.
    clock.advance(Duration::from_secs(60));
    provider.set_keys([ec_key(2).jwk("k2")]);
    keys.verify(&token("k2", &ec_key(2)), &validation())
        .await
        .unwrap();
    assert_eq!(provider.jwks_hits(), 2, "exactly one refetch");
    // Tokens signed with the retired key now fail as KeyNotFound (401), not as an outage.
    let err = keys
        .verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::KeyNotFound { .. }), "{err:?}");
    assert_eq!(err.http_status(), 401);
}

#[tokio::test]
async fn a_slow_refresh_adds_no_latency_while_a_set_exists() {
    let provider = provider(one_key_set()).await;
    let clock = Arc::new(ManualClock::new());
    let keys = fetcher(&provider, &clock);
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();

    provider.set_jwks(one_key_set().delay(Duration::from_secs(30)));
    for advance in [Duration::from_secs(500), Duration::from_secs(200)] {
        // First at the refresh-ahead point, then past the TTL (stale).
        clock.advance(advance);
        let started = Instant::now();
        for _ in 0..50 {
            keys.verify(&token("k1", &ec_key(1)), &validation())
                .await
                .unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "reads waited: {:?}",
            started.elapsed()
        );
    }
    // Past the TTL with the refresh still hanging: the status shows the staleness.
    assert_eq!(keys.status().health, Health::Stale);
    // The refresh runs on a spawned task, which gets to send its request once the reads
    // above have let the runtime breathe; it then hangs for 30 s and nobody waits on it.
    eventually("the background refresh reaches the provider", || {
        provider.jwks_hits() >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        provider.jwks_hits(),
        2,
        "one refresh in flight, shared by every read"
    );
}

#[tokio::test]
async fn an_outage_serves_stale_keys_until_the_limit_then_fails_closed() {
    let provider = provider(one_key_set()).await;
    let clock = Arc::new(ManualClock::new());
    let keys = fetcher(&provider, &clock);
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();

    provider.set_jwks(Reply::new(503, "down"));
    clock.advance(Duration::from_secs(11 * 60));
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    eventually("failed refresh", || keys.status().last_error.is_some()).await;
    assert_eq!(keys.status().health, Health::Stale);
    // A new kid cannot be checked while the provider fails: unavailable, not "not found",
    // whether its refetch is refused (backoff, cooldown) or made and failing.
    clock.advance(Duration::from_secs(1));
    for kid in ["rotated", "rotated-again", "rotated-once-more"] {
        let err = keys
            .verify(&token(kid, &ec_key(2)), &validation())
            .await
            .unwrap_err();
        assert_eq!(err.http_status(), 503, "{err:?}");
    }

    // Five hours into the outage: still served.
    clock.advance(Duration::from_secs(5 * 3600));
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    assert!(keys.status().counters.stale_served >= 2);

    // Past 6 h of staleness: fail closed, as "unavailable" (503), never "key not found".
    clock.advance(Duration::from_secs(3600 + 60));
    eventually("no fetch in flight", || {
        keys.status().health != Health::Refreshing
    })
    .await;
    let err = keys
        .verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Unavailable { .. }), "{err:?}");
    assert_eq!(err.http_status(), 503);
}

#[tokio::test]
async fn a_failing_provider_sees_the_backoff_not_the_traffic() {
    let provider = provider(Reply::new(500, "boom")).await;
    let clock = Arc::new(ManualClock::new());
    let keys = RemoteJwks::builder(provider.jwks_url())
        .clock(Arc::clone(&clock))
        .backoff(Duration::from_secs(1), Duration::from_secs(8))
        .build()
        .unwrap();
    let token = token("k1", &ec_key(1));

    let err = keys.verify(&token, &validation()).await.unwrap_err();
    assert!(err.is_unavailable());
    assert_eq!(
        provider.jwks_hits(),
        2,
        "one attempt plus one retry for a 5xx"
    );
    for _ in 0..200 {
        let err = keys.verify(&token, &validation()).await.unwrap_err();
        assert!(err.retry_after().is_some());
    }
    assert_eq!(
        provider.jwks_hits(),
        2,
        "traffic during the backoff does not reach the provider"
    );

    // Each window past the backoff allows one more fetch (with its retry); the ceiling
    // grows to 8 s, so 10 s always suffices.
    for round in 1..=4 {
        clock.advance(Duration::from_secs(10));
        for _ in 0..50 {
            let _ = keys.verify(&token, &validation()).await;
        }
        assert_eq!(provider.jwks_hits(), 2 + 2 * round);
    }
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let provider = provider(Reply::new(429, "slow down").retry_after("600")).await;
    let clock = Arc::new(ManualClock::new());
    let keys = fetcher(&provider, &clock);
    let token = token("k1", &ec_key(1));
    assert!(
        keys.verify(&token, &validation())
            .await
            .unwrap_err()
            .is_unavailable()
    );
    let hits = provider.jwks_hits();
    clock.advance(Duration::from_secs(300));
    let err = keys.verify(&token, &validation()).await.unwrap_err();
    assert!(
        err.retry_after().unwrap() > Duration::from_secs(200),
        "{err:?}"
    );
    assert_eq!(provider.jwks_hits(), hits);
}

/// docs/DESIGN.md §7, principle 4: an unknown `kty`, an `OKP`/`Ed448` key and a malformed
/// RSA key beside one good RSA key. The good key and the token come from `test-vectors/interop/`: signed by
/// PyJWT on pyca/cryptography, an independent implementation.
#[tokio::test]
async fn one_good_key_among_unusable_ones_still_verifies() {
    let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-vectors/interop/");
    let interop: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{vectors}jwks.json")).unwrap())
            .unwrap();
    let good = interop["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == "rsa-2048")
        .unwrap();
    let token = std::fs::read_to_string(format!("{vectors}sample-token.txt")).unwrap();
    let set = serde_json::json!({"keys": [
        {"kty": "XYZ", "kid": "weird"},
        {"kty": "OKP", "crv": "Ed448", "kid": "ed448", "x": "AAAA"},
        {"kty": "RSA", "kid": "broken", "n": "not base64!", "e": "AQAB"},
        good,
    ]});
    let provider = provider(Reply::json(set.to_string())).await;
    let keys = fetcher(&provider, &Arc::new(ManualClock::new()));
    // The validation the vectors were made for (test-vectors/interop/pyjwt-tokens.json).
    let v = jose_core::Validation::builder([jose_core::Algorithm::RS256])
        .issuer("https://issuer.example")
        .audience("jose-tests")
        .now(1_767_225_660)
        .build();
    let verified = keys.verify(token.trim(), &v).await.unwrap();
    assert_eq!(verified.key().kid(), Some("rsa-2048"));
    assert_eq!(keys.status().kids, ["rsa-2048"]);
    assert_eq!(keys.status().counters.keys_skipped, 3);
}

#[tokio::test]
async fn an_empty_set_keeps_the_previous_one() {
    let provider = provider(one_key_set()).await;
    let keys = fetcher(&provider, &Arc::new(ManualClock::new()));
    keys.refresh_now().await.unwrap();
    provider.set_jwks(Reply::empty_set());
    let err = keys.refresh_now().await.unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_INVALID_RESPONSE");
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    assert_eq!(keys.status().kids, ["k1"]);
}

mod hostile_responses {
    use super::*;

    /// Builds a cold fetcher with a 1 s total timeout and checks `ready` fails quickly.
    async fn fails_fast(provider: &MockProvider, path: &str) -> FetchError {
        let keys = RemoteJwks::builder(provider.url(path))
            .timeouts(Duration::from_secs(1), Duration::from_secs(1))
            .build()
            .unwrap();
        let started = Instant::now();
        let err = keys.ready(Duration::from_secs(10)).await.unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "took {:?}",
            started.elapsed()
        );
        assert!(err.is_unavailable(), "{err:?}");
        err
    }

    #[tokio::test]
    async fn oversized_body() {
        let provider = provider(Reply::oversized(300 * 1024)).await;
        fails_fast(&provider, "/jwks").await;
        // Without Content-Length, the limit is enforced while streaming.
        provider.set_jwks(Reply::oversized(300 * 1024).close_delimited());
        let err = fails_fast(&provider, "/jwks").await;
        assert!(err.to_string().contains("larger than the limit"), "{err}");
    }

    #[tokio::test]
    async fn slow_drip() {
        let provider = provider(one_key_set().drip(1, Duration::from_millis(50))).await;
        let err = fails_fast(&provider, "/jwks").await;
        assert!(err.to_string().contains("timed out"), "{err}");
    }

    #[tokio::test]
    async fn hanging_server() {
        let provider = provider(one_key_set().hang()).await;
        fails_fast(&provider, "/jwks").await;
    }

    #[tokio::test]
    async fn redirect_to_another_origin_or_to_http() {
        let provider = provider(Reply::redirect(302, "http://127.0.0.2:9/jwks")).await;
        // Refused by the policy, not by the failed connection that following would meet.
        let err = fails_fast(&provider, "/jwks").await;
        assert!(err.to_string().contains("another origin"), "{err}");
        provider.set_jwks(Reply::redirect(302, "https://evil.example/jwks"));
        let err = fails_fast(&provider, "/jwks").await;
        assert!(err.to_string().contains("another origin"), "{err}");
        assert_eq!(provider.jwks_hits(), 2, "neither redirect was followed");
    }

    #[tokio::test]
    async fn redirect_loop() {
        let provider = provider(Reply::redirect(302, "/jwks")).await;
        let err = fails_fast(&provider, "/jwks").await;
        assert!(err.to_string().contains("too many redirects"), "{err}");
        assert_eq!(
            provider.jwks_hits(),
            4,
            "the first request and three redirects"
        );
    }

    #[tokio::test]
    async fn html_200() {
        let provider = provider(Reply::html_login()).await;
        let err = fails_fast(&provider, "/jwks").await;
        assert_eq!(err.code(), "ERR_JWKS_INVALID_RESPONSE");
        assert!(err.to_string().contains("not a JWK Set"), "{err}");
    }

    #[tokio::test]
    async fn same_origin_redirects_are_followed() {
        let server = provider(one_key_set()).await;
        server.set("/old", Reply::redirect(301, JWKS_PATH));
        let keys = RemoteJwks::builder(server.url("/old")).build().unwrap();
        keys.verify(&token("k1", &ec_key(1)), &validation())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn cancelling_a_caller_leaves_the_fetch_running() {
    let provider = provider(one_key_set().delay(Duration::from_millis(300))).await;
    let keys = fetcher(&provider, &Arc::new(ManualClock::new()));
    let cancelled = tokio::time::timeout(
        Duration::from_millis(50),
        keys.verify(&token("k1", &ec_key(1)), &validation()),
    )
    .await;
    assert!(cancelled.is_err(), "the caller gave up");
    eventually("fetch completes anyway", || keys.current().is_some()).await;
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    assert_eq!(provider.jwks_hits(), 1);
}

#[tokio::test]
async fn dropping_every_handle_stops_background_work() {
    let provider = provider(one_key_set()).await;
    let keys = RemoteJwks::builder(provider.jwks_url())
        .background_refresh(true)
        .default_ttl(Duration::from_millis(100))
        .ttl_bounds(Duration::from_millis(100), Duration::from_millis(100))
        .build()
        .unwrap();
    keys.ready(Duration::from_secs(5)).await.unwrap();
    eventually("the timer refreshes on its own", || {
        provider.jwks_hits() >= 3
    })
    .await;
    drop(keys);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after_drop = provider.jwks_hits();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        provider.jwks_hits(),
        after_drop,
        "no requests after the last handle is dropped"
    );
}

#[tokio::test]
async fn max_age_is_honoured_within_bounds() {
    let provider = provider(one_key_set().cache_control("max-age=5")).await;
    let clock = Arc::new(ManualClock::new());
    let keys = fetcher(&provider, &clock);
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    // max-age=5 is below the 60 s minimum: the set stays fresh for 60 s.
    clock.advance(Duration::from_secs(40));
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    assert_eq!(provider.jwks_hits(), 1);
    clock.advance(Duration::from_secs(21));
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    eventually("refresh after 60 s", || provider.jwks_hits() == 2).await;

    // A long max-age is honoured too (capped at 24 h).
    provider.set_jwks(one_key_set().cache_control("max-age=7200"));
    keys.refresh_now().await.unwrap();
    let next = keys.status().next_refresh_in.unwrap();
    assert!(
        next > Duration::from_secs(3600) && next < Duration::from_secs(7200),
        "{next:?}"
    );
}

#[tokio::test]
async fn revalidation_with_etag_and_304() {
    // A matching If-None-Match gets a 304 that repeats the ETag and Cache-Control.
    let server = provider(
        one_key_set()
            .etag("\"v1\"", NotModified::WithHeaders)
            .cache_control("max-age=600"),
    )
    .await;
    let clock = Arc::new(ManualClock::new());
    let keys = fetcher(&server, &clock);
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    clock.advance(Duration::from_secs(11 * 60));
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    eventually("304 renews freshness", || {
        keys.status().health == Health::Fresh
    })
    .await;
    assert_eq!(server.jwks_hits(), 2);
    assert_eq!(keys.status().counters.fetch_not_modified, 1);
    assert_eq!(keys.status().kids, ["k1"]);
}

/// The settings of the README table that have a setter: each one changes what the
/// fetcher does, against the default in the same test.
mod settings {
    use super::*;

    #[tokio::test]
    async fn refresh_ahead_moves_the_background_refresh() {
        let provider = provider(one_key_set()).await;
        let clock = Arc::new(ManualClock::new());
        let early = RemoteJwks::builder(provider.jwks_url())
            .clock(Arc::clone(&clock))
            .refresh_ahead(0.5, 0.0)
            .build()
            .unwrap();
        let default = fetcher(&provider, &clock);
        for keys in [&early, &default] {
            keys.verify(&token("k1", &ec_key(1)), &validation())
                .await
                .unwrap();
        }
        assert_eq!(provider.jwks_hits(), 2);
        // At 60 % of the 10 min lifetime: past 0.5, before the default's 0.7-0.9.
        clock.advance(Duration::from_secs(6 * 60));
        default
            .verify(&token("k1", &ec_key(1)), &validation())
            .await
            .unwrap();
        assert_eq!(default.status().health, Health::Fresh, "no refresh started");
        early
            .verify(&token("k1", &ec_key(1)), &validation())
            .await
            .unwrap();
        eventually("the early fetcher refreshes", || provider.jwks_hits() == 3).await;
    }

    #[test]
    fn refresh_ahead_outside_zero_to_one_is_refused() {
        for (at, jitter) in [
            (f64::NAN, 0.1),
            (1.5, 0.1),
            (0.8, -0.1),
            (0.8, f64::INFINITY),
        ] {
            let err = RemoteJwks::builder("https://idp.example/jwks")
                .refresh_ahead(at, jitter)
                .build()
                .unwrap_err();
            assert_eq!(err.code(), "ERR_JWKS_CONFIG", "{at} {jitter}");
        }
    }

    #[tokio::test]
    async fn retry_delay_sets_the_pause_before_the_retry() {
        let server = provider(one_key_set()).await;
        // Each fetcher's first request meets a 503.
        server.push(JWKS_PATH, Reply::new(503, "busy"));
        server.push(JWKS_PATH, Reply::new(503, "busy"));
        let slow = RemoteJwks::builder(server.jwks_url())
            .retry_delay(Duration::from_secs(30), Duration::from_secs(30))
            .build()
            .unwrap();
        assert!(slow.ready(Duration::from_secs(1)).await.is_err());
        assert_eq!(server.jwks_hits(), 1, "the retry waits 30 s");
        let quick = RemoteJwks::builder(server.jwks_url())
            .retry_delay(Duration::ZERO, Duration::ZERO)
            .build()
            .unwrap();
        quick.ready(Duration::from_secs(1)).await.unwrap();
        assert_eq!(server.jwks_hits(), 3, "its 503, then the retry's 200");
    }

    #[tokio::test]
    async fn max_redirects_bounds_the_hops() {
        let server = provider(one_key_set()).await;
        server.set("/old", Reply::redirect(301, JWKS_PATH));
        let none = RemoteJwks::builder(server.url("/old"))
            .max_redirects(0)
            .build()
            .unwrap();
        let err = none.ready(Duration::from_secs(5)).await.unwrap_err();
        assert!(err.to_string().contains("too many redirects"), "{err}");
        assert_eq!(server.jwks_hits(), 0);
        let one = RemoteJwks::builder(server.url("/old"))
            .max_redirects(1)
            .build()
            .unwrap();
        one.ready(Duration::from_secs(5)).await.unwrap();
        assert_eq!(server.jwks_hits(), 1);
    }
}

mod discovery {
    use super::*;
    use jose_testkit::IDENTITY_SERVER_JWKS_PATH;

    /// An IdentityServer-style provider; its discovery document names `issuer`, or the
    /// provider's own URL.
    async fn idp(issuer: Option<&str>) -> MockProvider {
        let builder = MockProvider::builder()
            .keys([ec_key(1).jwk("k1")])
            .jwks_path(IDENTITY_SERVER_JWKS_PATH);
        match issuer {
            Some(issuer) => builder.issuer(issuer),
            None => builder,
        }
        .start()
        .await
    }

    #[tokio::test]
    async fn happy_path_then_cached() {
        let server = idp(None).await;
        let issuer = server.base_url().to_owned();
        let keys = RemoteJwks::from_issuer(&issuer).build().unwrap();
        let claims = serde_json::json!({"iss": issuer, "exp": 4_000_000_000u64});
        let token = token_with_claims("k1", &ec_key(1), &claims);
        let v = jose_core::Validation::builder([jose_core::Algorithm::ES256])
            .issuer(&issuer)
            .build();
        keys.verify(&token, &v).await.unwrap();
        keys.refresh_now().await.unwrap();
        assert_eq!(
            server.hits("/.well-known/openid-configuration"),
            1,
            "metadata cached"
        );
        assert_eq!(server.hits("/.well-known/openid-configuration/jwks"), 2);
    }

    #[tokio::test]
    async fn discovery_ttl_sets_when_metadata_is_fetched_again() {
        let server = idp(None).await;
        let clock = Arc::new(ManualClock::new());
        let keys = RemoteJwks::from_issuer(server.base_url())
            .clock(Arc::clone(&clock))
            .discovery_ttl(Duration::from_secs(3600))
            .build()
            .unwrap();
        keys.refresh_now().await.unwrap();
        clock.advance(Duration::from_secs(3599));
        keys.refresh_now().await.unwrap();
        assert_eq!(server.hits("/.well-known/openid-configuration"), 1);
        clock.advance(Duration::from_secs(2));
        keys.refresh_now().await.unwrap();
        assert_eq!(server.hits("/.well-known/openid-configuration"), 2);
    }

    #[tokio::test]
    async fn mismatched_issuer_is_rejected() {
        let server = idp(Some("https://someone-else.example")).await;
        let keys = RemoteJwks::from_issuer(server.base_url()).build().unwrap();
        let err = keys.ready(Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_DISCOVERY");
        assert_eq!(
            server.hits("/.well-known/openid-configuration/jwks"),
            0,
            "keys never fetched"
        );
    }

    #[tokio::test]
    async fn registry_only_serves_allowlisted_issuers() {
        let server = idp(None).await;
        let issuer = server.base_url().to_owned();
        let registry = jose_fetch::IssuerRegistry::builder()
            .issuer(&issuer)
            .build()
            .unwrap();
        let v = jose_core::Validation::builder([jose_core::Algorithm::ES256]).build();
        let good = token_with_claims(
            "k1",
            &ec_key(1),
            &serde_json::json!({"iss": issuer, "exp": 4_000_000_000u64}),
        );
        registry.verify(&good, &v).await.unwrap();
        let hits = server.total_hits();
        let evil_iss = server.url("/evil");
        let evil = token_with_claims(
            "k1",
            &ec_key(1),
            &serde_json::json!({"iss": evil_iss, "exp": 4_000_000_000u64}),
        );
        assert_eq!(
            registry.verify(&evil, &v).await.unwrap_err(),
            FetchError::IssuerNotAllowed
        );
        assert_eq!(
            server.total_hits(),
            hits,
            "nothing fetched for an unknown issuer"
        );
    }
}

#[test]
fn http_to_a_non_loopback_host_is_refused() {
    for url in [
        "http://example.com/jwks",
        "ftp://example.com/jwks",
        "http://10.0.0.1/jwks",
        "not a url",
    ] {
        let err = RemoteJwks::builder(url).build().unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_CONFIG", "{url}");
    }
    assert!(
        RemoteJwks::from_issuer("http://idp.example.com")
            .build()
            .is_err()
    );
    for ok in [
        "https://example.com/jwks",
        "http://127.0.0.1:1/jwks",
        "http://localhost:1/jwks",
        "http://[::1]:1/jwks",
    ] {
        assert!(RemoteJwks::builder(ok).build().is_ok(), "{ok}");
    }
}

#[tokio::test]
async fn a_custom_http_client_is_used_for_discovery_and_jwks() {
    use jose_fetch::{HttpClient, HttpFuture, HttpRequest, HttpResponse};
    #[derive(Clone, Default)]
    struct Recording(Arc<AtomicUsize>);
    impl HttpClient for Recording {
        fn get(&self, request: HttpRequest) -> HttpFuture<'_> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move {
                let body = if request.url.ends_with("openid-configuration") {
                    r#"{"issuer":"https://idp.example","jwks_uri":"https://idp.example/keys"}"#
                        .to_owned()
                } else {
                    jwks([ec_key(1).jwk("k1")]).to_string()
                };
                Ok(HttpResponse::new(200, vec![], body.into_bytes()))
            })
        }
    }
    let client = Recording::default();
    let keys = RemoteJwks::from_issuer("https://idp.example")
        .http_client(client.clone())
        .build()
        .unwrap();
    let claims = serde_json::json!({"iss": "https://idp.example", "exp": 4_000_000_000u64});
    let v = jose_core::Validation::builder([jose_core::Algorithm::ES256]).build();
    keys.verify(&token_with_claims("k1", &ec_key(1), &claims), &v)
        .await
        .unwrap();
    assert_eq!(client.0.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn bad_tokens_are_401_not_503() {
    let provider = provider(one_key_set()).await;
    let keys = fetcher(&provider, &Arc::new(ManualClock::new()));
    let good = token("k1", &ec_key(1));
    let tampered = format!("{}A", &good[..good.len() - 1]);
    let err = keys.verify(&tampered, &validation()).await.unwrap_err();
    assert_eq!(err.http_status(), 401, "{err:?}");
    // Signed by another key under a known kid: no refetch by default.
    let err = keys
        .verify(&token("k1", &ec_key(9)), &validation())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWS_SIGNATURE_INVALID");
    assert_eq!(provider.jwks_hits(), 1);
}

/// Server hints of absurd size: `Instant + Duration` can overflow, and a panic inside the
/// fetch task would leave the fetcher unable to fetch again.
mod huge_server_hints {
    use super::*;

    const HUGE: &str = "18446744073709551615";

    #[tokio::test]
    async fn a_huge_stale_if_error_neither_panics_nor_wedges_the_fetcher() {
        let provider =
            provider(one_key_set().cache_control(&format!("max-age=600, stale-if-error={HUGE}")))
                .await;
        let clock = Arc::new(ManualClock::new());
        let keys = fetcher(&provider, &clock);
        keys.verify(&token("k1", &ec_key(1)), &validation())
            .await
            .unwrap();
        // Later fetches still run: the set is refreshed when it expires.
        clock.advance(Duration::from_secs(601));
        keys.refresh_now().await.unwrap();
        assert_eq!(provider.jwks_hits(), 2);
        assert_eq!(keys.status().health, Health::Fresh);
    }

    #[tokio::test]
    async fn a_huge_retry_after_is_capped_and_still_backs_off() {
        let provider = provider(Reply::new(503, "down").retry_after(HUGE)).await;
        let clock = Arc::new(ManualClock::new());
        let keys = fetcher(&provider, &clock);
        let token = token("k1", &ec_key(1));
        let err = keys.verify(&token, &validation()).await.unwrap_err();
        assert!(err.is_unavailable(), "{err:?}");
        // The server asked for a pause, so no retry within the fetch either.
        assert_eq!(provider.jwks_hits(), 1);
        for _ in 0..20 {
            let err = keys.verify(&token, &validation()).await.unwrap_err();
            let wait = err.retry_after().unwrap();
            assert!(
                wait > Duration::from_secs(3500) && wait <= Duration::from_secs(3600),
                "{wait:?}"
            );
        }
        assert_eq!(provider.jwks_hits(), 1, "the backoff was recorded");
        // Capped at an hour: after it, the provider is tried again.
        clock.advance(Duration::from_secs(3601));
        provider.set_jwks(one_key_set());
        keys.verify(&token, &validation()).await.unwrap();
        assert_eq!(provider.jwks_hits(), 2);
    }
}

#[tokio::test]
async fn max_stale_zero_is_not_overridden_by_the_server() {
    let provider = provider(one_key_set().cache_control("max-age=60, stale-if-error=86400")).await;
    let clock = Arc::new(ManualClock::new());
    let keys = RemoteJwks::builder(provider.jwks_url())
        .clock(Arc::clone(&clock))
        .max_stale(Some(Duration::ZERO))
        .build()
        .unwrap();
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    provider.set_jwks(Reply::new(503, "down"));
    clock.advance(Duration::from_secs(61));
    let err = keys
        .verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Unavailable { .. }), "{err:?}");
    assert!(keys.current().is_none());
}

/// Many tokens under a new `kid` at once, on two threads: one refetch, and none refused
/// by the cooldown it starts. (The exact interleaving that once refused some, a reader
/// locking the state after the refetch finished, is pinned by a unit test in
/// `fetcher.rs`; threads hit it only now and then.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_racing_a_rotation_are_never_refused() {
    for round in 0..10 {
        let provider = provider(one_key_set()).await;
        let clock = Arc::new(ManualClock::new());
        let keys = fetcher(&provider, &clock);
        keys.ready(Duration::from_secs(5)).await.unwrap();
        clock.advance(Duration::from_secs(31));
        provider.set_jwks(one_key_set().delay(Duration::from_millis(20)));
        provider.add_key(ec_key(2).jwk("k2"));
        let (t, v) = (Arc::new(token("k2", &ec_key(2))), Arc::new(validation()));
        let mut tasks = Vec::new();
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(60) && tasks.len() < 200 {
            let (keys, t, v) = (keys.clone(), Arc::clone(&t), Arc::clone(&v));
            tasks.push(tokio::spawn(async move { keys.verify(&t, &v).await }));
            tokio::task::yield_now().await;
        }
        for task in tasks {
            if let Err(err) = task.await.unwrap() {
                panic!("round {round}: {err:?} although the set holds k2");
            }
        }
        assert_eq!(provider.jwks_hits(), 2, "round {round}: one refetch");
    }
}

#[tokio::test]
async fn a_304_without_validators_or_lifetime_keeps_the_stored_ones() {
    // A matching If-None-Match gets a bare 304: no ETag, no Cache-Control.
    let server = provider(
        one_key_set()
            .etag("\"v1\"", NotModified::Bare)
            .cache_control("max-age=3600, stale-if-error=86400"),
    )
    .await;
    let clock = Arc::new(ManualClock::new());
    let keys = fetcher(&server, &clock);
    keys.ready(Duration::from_secs(5)).await.unwrap();
    for _ in 0..2 {
        clock.advance(Duration::from_secs(3601));
        keys.refresh_now().await.unwrap();
        // The stored max-age, not the 10 min default.
        let next = keys.status().next_refresh_in.unwrap();
        assert!(next > Duration::from_secs(2000), "{next:?}");
    }
    // Both revalidations carried the stored ETag, so both were answered 304.
    assert_eq!(keys.status().counters.fetch_not_modified, 2);
    // And the stored stale-if-error (a day) still applies after them, beyond the 6 h
    // default: 7 h into an outage the set is served.
    server.set_jwks(Reply::new(503, "down"));
    clock.advance(Duration::from_secs(3600 + 7 * 3600));
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
}

mod redirects_through_a_custom_client {
    use super::*;
    use jose_fetch::{HttpClient, HttpFuture, HttpRequest, HttpResponse};

    /// Answers the JWKS URL with a redirect to `location`, and any other URL with a
    /// valid set: if the fetcher followed the redirect, the fetch would succeed.
    #[derive(Clone)]
    struct Redirecting {
        location: &'static str,
        calls: Arc<AtomicUsize>,
    }

    impl HttpClient for Redirecting {
        fn get(&self, request: HttpRequest) -> HttpFuture<'_> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let location = self.location;
            Box::pin(async move {
                Ok(if request.url == "https://idp.example/jwks" {
                    HttpResponse::new(302, vec![("location".into(), location.into())], vec![])
                } else {
                    HttpResponse::new(200, vec![], jwks([ec_key(1).jwk("k1")]).to_string().into())
                })
            })
        }
    }

    async fn refused(location: &'static str) -> FetchError {
        let client = Redirecting {
            location,
            calls: Arc::default(),
        };
        let keys = RemoteJwks::builder("https://idp.example/jwks")
            .http_client(client.clone())
            .build()
            .unwrap();
        let err = keys.ready(Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_INVALID_RESPONSE", "{err:?}");
        assert_eq!(client.calls.load(Ordering::SeqCst), 1, "never followed");
        err
    }

    #[tokio::test]
    async fn https_to_http_is_refused() {
        let err = refused("http://idp.example/jwks").await;
        assert!(err.to_string().contains("another origin"), "{err}");
    }

    #[tokio::test]
    async fn to_another_origin_is_refused() {
        let err = refused("https://evil.example/jwks").await;
        assert!(err.to_string().contains("another origin"), "{err}");
    }

    #[tokio::test]
    async fn within_the_origin_is_followed() {
        let client = Redirecting {
            location: "/keys",
            calls: Arc::default(),
        };
        let keys = RemoteJwks::builder("https://idp.example/jwks")
            .http_client(client.clone())
            .build()
            .unwrap();
        keys.ready(Duration::from_secs(5)).await.unwrap();
        assert_eq!(client.calls.load(Ordering::SeqCst), 2);
    }
}

/// The unknown-`kid` pre-checks read the claims with the strict parser verification
/// uses: a token whose claims verification would refuse (here an `exp` that is not a
/// number) is not worth a refetch, however long since the last one.
#[tokio::test]
async fn claims_verification_would_refuse_cost_no_refetch() {
    let provider = provider(one_key_set()).await;
    let clock = Arc::new(ManualClock::new());
    let keys = fetcher(&provider, &clock);
    keys.verify(&token("k1", &ec_key(1)), &validation())
        .await
        .unwrap();
    clock.advance(Duration::from_secs(31));
    let claims = serde_json::json!({"iss": ISSUER_CLAIM, "exp": "tomorrow"});
    let err = keys
        .verify(&token_with_claims("k2", &ec_key(2), &claims), &validation())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            FetchError::KeyNotFound {
                refreshed: false,
                retry_after: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(provider.jwks_hits(), 1);
    // The same token with a well-formed `exp` is worth one.
    let claims = serde_json::json!({"iss": ISSUER_CLAIM, "exp": 4_000_000_000u64});
    keys.verify(&token_with_claims("k2", &ec_key(2), &claims), &validation())
        .await
        .unwrap_err();
    assert_eq!(provider.jwks_hits(), 2);
}

/// Through `jose_jwk::KeySource`, the fetcher keeps the split of principle 6: a bad
/// token is a token error with its typed reason, no keys is `Unavailable` (503).
#[tokio::test]
async fn as_a_key_source_bad_tokens_are_401_and_no_keys_503() {
    use jose_jwk::{KeySource, KeySourceError};

    let up = provider(one_key_set()).await;
    let keys = fetcher(&up, &Arc::new(ManualClock::new()));
    let v = validation();
    let forged = token("k1", &ec_key(9));
    let parsed = jose_core::CompactJws::parse(&forged, v.limits()).unwrap();
    let err = KeySource::verify(&keys, &parsed, &v).await.unwrap_err();
    assert_eq!(err.as_jose(), Some(&jose_core::Error::SignatureInvalid));
    assert_eq!(err.http_status(), 401);

    let down = provider(Reply::new(500, "down")).await;
    let keys = fetcher(&down, &Arc::new(ManualClock::new()));
    let good = token("k1", &ec_key(1));
    let parsed = jose_core::CompactJws::parse(&good, v.limits()).unwrap();
    let err = KeySource::verify(&keys, &parsed, &v).await.unwrap_err();
    assert!(
        matches!(
            err,
            KeySourceError::Unavailable {
                code: "ERR_JWKS_UNAVAILABLE",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.http_status(), 503);
}
