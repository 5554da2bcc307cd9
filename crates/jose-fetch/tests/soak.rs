//! Soak test: 64 verifiers and an unknown-`kid` attacker against a provider that fails
//! in every way it can, on a schedule, for a configurable time.
//!
//! `cargo test` runs it for 20 s; `JOSE_SOAK_SECS=600 cargo test -p jose-fetch --test soak
//! -- --nocapture` is the long run whose figures the README reports. The fault schedule
//! is a fraction of the run length, so a short run passes through every phase.
//!
//! What it asserts, each from what the verifiers saw rather than from the fetcher's
//! internals:
//! - a token whose key was in the usable set before and after its verification is
//!   accepted (the set is only usable within the stale bound);
//! - a token whose key was in neither (a retired key once the retirement is fetched, or
//!   an attacker's `kid`) is rejected;
//! - JWKS requests stay within a budget derived from the settings;
//! - verifications of cached keys never wait on the network: each phase's p99 stays near
//!   the healthy p99, and none takes as long as half a fetch timeout;
//! - resident memory does not grow beyond a bound between the first and last quarter.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use jose_core::{Algorithm, Validation};
use jose_fetch::{FetchError, RemoteJwks};
use jose_testkit::{JWKS_PATH, MockProvider, Reply, TestKey};

const ISSUER: &str = "https://issuer.example";
const OLD_KID: &str = "k-old";
const NEW_KID: &str = "k-new";

const VERIFIERS: usize = 64;
/// Each verifier's pause between tokens: 64 of them make ~1 600 verifications a second.
const VERIFIER_PERIOD: Duration = Duration::from_millis(40);
/// The attacker's rate, in unknown-`kid` tokens a second.
const ATTACK_RATE: u64 = 1_000;
/// Most attacker verifications in flight (they may wait on a fetch they joined).
const ATTACK_CONCURRENCY: usize = 512;

// The fetcher's settings: short, so that a 20 s run refreshes many times.
const TTL: Duration = Duration::from_secs(1);
const COOLDOWN: Duration = Duration::from_secs(1);
const BACKOFF_BASE: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(2);
const CONNECT_TIMEOUT: Duration = Duration::from_millis(200);
const TOTAL_TIMEOUT: Duration = Duration::from_millis(800);
/// `refresh_ahead` point and jitter (the defaults, spelled out for the budget).
const AHEAD: (f64, f64) = (0.8, 0.1);

/// Resident memory may grow this much between the first and last quarter of the run.
const RSS_BOUND: u64 = 16 * 1024 * 1024;
/// A phase's p99 may be this many times the healthy p99 ...
const P99_FACTOR: u64 = 4;
/// ... or this, whichever is larger (CPU noise on a shared machine).
const P99_FLOOR_US: u64 = 20_000;

/// The provider's schedule: equal slices of the run, in this order.
const PHASES: [&str; 9] = [
    "healthy",
    "500s",
    "hang",
    "drip",
    "empty set",
    "malformed",
    "rotate: add new",
    "rotate: retire old",
    "healthy again",
];
const PHASE_ADD_NEW: usize = 6;
const PHASE_RETIRE: usize = 7;

/// The one place the soak touches the verification API.
async fn verify(keys: &RemoteJwks, token: &str, validation: &Validation) -> Result<(), FetchError> {
    keys.verify(token, validation).await.map(|_| ())
}

/// Whether the fetcher's usable set (fresh or within the stale bound) holds `kid`. Never
/// touches the network.
fn cached(keys: &RemoteJwks, kid: &str) -> bool {
    keys.current()
        .is_some_and(|set| set.kids().any(|k| k == kid))
}

fn validation() -> Validation {
    Validation::builder([Algorithm::ES256])
        .issuer(ISSUER)
        .build()
}

fn token(key: &TestKey, kid: &str, sub: &str) -> String {
    key.token()
        .kid(kid)
        .claims(serde_json::json!({"iss": ISSUER, "sub": sub, "exp": 4_000_000_000u64}))
        .sign()
}

/// Latencies in fixed memory: 1 µs buckets below 1 ms, 1 ms buckets up to 10 s.
struct Histogram {
    buckets: Vec<AtomicU64>,
}

impl Histogram {
    const FINE: u64 = 1_000;
    const COARSE: u64 = 10_000;

    fn new() -> Self {
        Histogram {
            buckets: (0..Self::FINE + Self::COARSE)
                .map(|_| AtomicU64::new(0))
                .collect(),
        }
    }

    fn record(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let i = if us < Self::FINE {
            us
        } else {
            Self::FINE + (us / 1_000).min(Self::COARSE - 1)
        };
        self.buckets[i as usize].fetch_add(1, Ordering::Relaxed);
    }

    fn count(&self) -> u64 {
        self.buckets.iter().map(|b| b.load(Ordering::Relaxed)).sum()
    }

    fn merge(&self, other: &Histogram) {
        for (a, b) in self.buckets.iter().zip(&other.buckets) {
            a.fetch_add(b.load(Ordering::Relaxed), Ordering::Relaxed);
        }
    }

    /// The lower edge of the bucket holding quantile `q`, in µs.
    fn quantile_us(&self, q: f64) -> u64 {
        let total = self.count();
        if total == 0 {
            return 0;
        }
        let rank = ((total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, b) in self.buckets.iter().enumerate() {
            seen += b.load(Ordering::Relaxed);
            if seen >= rank {
                let i = i as u64;
                return if i < Self::FINE {
                    i
                } else {
                    (i - Self::FINE) * 1_000
                };
            }
        }
        u64::MAX
    }

    fn max_us(&self) -> u64 {
        self.quantile_us(1.0)
    }
}

#[derive(Default)]
struct Tally {
    /// Valid tokens whose key was cached before and after: accepted / rejected.
    cached_ok: AtomicU64,
    cached_rejected: AtomicU64,
    /// Tokens whose key was in neither the set before nor after: rejected / accepted.
    uncached_rejected: AtomicU64,
    uncached_accepted: AtomicU64,
    /// Of those, tokens of the retired key rejected after its retirement was fetched.
    retired_rejected: AtomicU64,
    /// Tokens whose key came or went during the verification: either answer is right.
    in_transition: AtomicU64,
    /// New-key tokens accepted (the rotation was picked up).
    new_key_ok: AtomicU64,
    attacks: AtomicU64,
    attacks_accepted: AtomicU64,
    /// Attacker tokens answered other than "no such key" or "keys unavailable".
    attacks_odd: AtomicU64,
}

fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

/// Resident set size in bytes, from `/proc/self/statm` (Linux only). The page size is
/// taken as 4 KiB, which every Linux target this runs on uses.
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Upper bound on JWKS requests over `run`: every fetch is at most two requests (one
/// retry); fetches that do not count towards the cooldown (background refreshes and
/// retries after a failure) are at least `min(refresh-ahead point, backoff base)` apart,
/// and unknown-`kid` refetches at least the cooldown apart.
fn jwks_budget(run: Duration) -> u64 {
    let earliest_refresh = TTL.mul_f64(AHEAD.0 - AHEAD.1);
    let gap = earliest_refresh.min(BACKOFF_BASE).as_secs_f64();
    let starts = run.as_secs_f64() / gap + run.as_secs_f64() / COOLDOWN.as_secs_f64() + 2.0;
    (2.0 * starts).ceil() as u64
}

async fn soak(run: Duration) {
    let old = TestKey::es256_seeded(1);
    let new = TestKey::es256_seeded(2);
    let idp = MockProvider::start([old.jwk(OLD_KID)]).await;
    let keys = RemoteJwks::builder(idp.jwks_url())
        .default_ttl(TTL)
        .ttl_bounds(TTL, TTL)
        .refresh_ahead(AHEAD.0, AHEAD.1)
        .unknown_kid_cooldown(COOLDOWN)
        .backoff(BACKOFF_BASE, BACKOFF_MAX)
        .timeouts(CONNECT_TIMEOUT, TOTAL_TIMEOUT)
        .retry_delay(Duration::from_millis(20), Duration::from_millis(40))
        // Longer than every failing stretch of the schedule: stale keys are always usable.
        .max_stale(Some(run))
        .build()
        .unwrap();
    keys.ready(Duration::from_secs(5)).await.unwrap();

    let old_tokens: Arc<Vec<String>> = Arc::new(
        (0..8)
            .map(|i| token(&old, OLD_KID, &format!("u{i}")))
            .collect(),
    );
    let new_tokens: Arc<Vec<String>> = Arc::new(
        (0..8)
            .map(|i| token(&new, NEW_KID, &format!("u{i}")))
            .collect(),
    );
    // Validly signed, right issuer, not expired: each one is worth a refetch on its face.
    let attack_key = TestKey::es256_seeded(3);
    let attack_tokens: Arc<Vec<String>> = Arc::new(
        (0..256)
            .map(|i| token(&attack_key, &format!("attacker-{i}"), "mallory"))
            .collect(),
    );

    let validation = Arc::new(validation());
    let tally = Arc::new(Tally::default());
    let latency: Arc<Vec<Histogram>> = Arc::new(PHASES.iter().map(|_| Histogram::new()).collect());
    let attack_latency = Arc::new(Histogram::new());
    let phase = Arc::new(AtomicUsize::new(0));
    let retired = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let jwks_hits_at_start = idp.jwks_hits();

    let mut tasks = Vec::new();
    for n in 0..VERIFIERS {
        let (keys, validation, tally, latency, phase, retired, stop) = (
            keys.clone(),
            Arc::clone(&validation),
            Arc::clone(&tally),
            Arc::clone(&latency),
            Arc::clone(&phase),
            Arc::clone(&retired),
            Arc::clone(&stop),
        );
        let (old_tokens, new_tokens) = (Arc::clone(&old_tokens), Arc::clone(&new_tokens));
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(VERIFIER_PERIOD);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut i = n;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                i += 1;
                let p = phase.load(Ordering::Relaxed);
                let use_new = p >= PHASE_ADD_NEW && i % 2 == 0;
                let (kid, token) = if use_new {
                    (NEW_KID, &new_tokens[i % new_tokens.len()])
                } else {
                    (OLD_KID, &old_tokens[i % old_tokens.len()])
                };
                let before = cached(&keys, kid);
                let t0 = Instant::now();
                let result = verify(&keys, token, &validation).await;
                let took = t0.elapsed();
                let after = cached(&keys, kid);
                match (before, after, &result) {
                    (true, true, Ok(())) => {
                        latency[p].record(took);
                        tally.cached_ok.fetch_add(1, Ordering::Relaxed);
                    }
                    (true, true, Err(e)) => {
                        eprintln!("valid token of cached key {kid} rejected: {e:?}");
                        tally.cached_rejected.fetch_add(1, Ordering::Relaxed);
                    }
                    (false, false, Err(_)) => {
                        tally.uncached_rejected.fetch_add(1, Ordering::Relaxed);
                        if kid == OLD_KID && retired.load(Ordering::Relaxed) {
                            tally.retired_rejected.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    (false, false, Ok(())) => {
                        eprintln!("token of uncached key {kid} accepted");
                        tally.uncached_accepted.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        tally.in_transition.fetch_add(1, Ordering::Relaxed);
                    }
                }
                if use_new && result.is_ok() {
                    tally.new_key_ok.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }

    // The attacker: unknown `kid`s at ATTACK_RATE, each verification its own task, as
    // requests to a server would be.
    {
        let (keys, validation, tally, stop) = (
            keys.clone(),
            Arc::clone(&validation),
            Arc::clone(&tally),
            Arc::clone(&stop),
        );
        let attack_latency = Arc::clone(&attack_latency);
        let attack_tokens = Arc::clone(&attack_tokens);
        tasks.push(tokio::spawn(async move {
            let slots = Arc::new(tokio::sync::Semaphore::new(ATTACK_CONCURRENCY));
            // Ten tokens every 10 ms: the timer's resolution is a millisecond.
            let mut tick = tokio::time::interval(Duration::from_millis(10));
            let mut i = 0usize;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                for _ in 0..ATTACK_RATE / 100 {
                    let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
                        break;
                    };
                    i += 1;
                    let (keys, validation, tally) =
                        (keys.clone(), Arc::clone(&validation), Arc::clone(&tally));
                    let (attack_latency, attack_tokens) =
                        (Arc::clone(&attack_latency), Arc::clone(&attack_tokens));
                    tokio::spawn(async move {
                        let token = &attack_tokens[i % attack_tokens.len()];
                        let t0 = Instant::now();
                        let result = verify(&keys, token, &validation).await;
                        attack_latency.record(t0.elapsed());
                        tally.attacks.fetch_add(1, Ordering::Relaxed);
                        match result {
                            Ok(()) => {
                                tally.attacks_accepted.fetch_add(1, Ordering::Relaxed);
                            }
                            // Rejected for its `kid`, or it joined a fetch that failed.
                            Err(e)
                                if matches!(e, FetchError::KeyNotFound { .. })
                                    || e.is_unavailable() => {}
                            Err(e) => {
                                eprintln!("attacker token: unexpected error {e:?}");
                                tally.attacks_odd.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        drop(permit);
                    });
                }
            }
        }));
    }

    // RSS, sampled every 250 ms.
    let rss_samples = {
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                if let Some(rss) = rss_bytes() {
                    samples.push((start.elapsed(), rss));
                }
            }
            samples
        })
    };

    // The provider's schedule.
    let slice = run / PHASES.len() as u32;
    for (p, name) in PHASES.iter().enumerate() {
        phase.store(p, Ordering::Relaxed);
        match *name {
            "500s" => idp.set_jwks(Reply::new(500, "internal error")),
            "hang" => idp.set_jwks(Reply::jwks().hang()),
            // About 250 bytes, 4 every 50 ms: three seconds, past the total timeout.
            "drip" => idp.set_jwks(Reply::jwks().drip(4, Duration::from_millis(50))),
            "empty set" => idp.set_jwks(Reply::empty_set()),
            "malformed" => idp.set_jwks(Reply::malformed_json()),
            "rotate: add new" => {
                idp.reset(JWKS_PATH);
                idp.add_key(new.jwk(NEW_KID));
            }
            "rotate: retire old" => {
                assert!(idp.remove_key(OLD_KID));
            }
            _ => idp.reset(JWKS_PATH),
        }
        let phase_end = start + slice * (p as u32 + 1);
        while Instant::now() < phase_end {
            if p >= PHASE_RETIRE && !retired.load(Ordering::Relaxed) && !cached(&keys, OLD_KID) {
                retired.store(true, Ordering::Relaxed);
                println!(
                    "retirement of {OLD_KID} fetched {:.2} s into its phase",
                    (Instant::now() - (start + slice * p as u32)).as_secs_f64()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = start.elapsed();
    let rss = rss_samples.await.unwrap();
    let jwks_requests = (idp.jwks_hits() - jwks_hits_at_start) as u64;
    let status = keys.status();

    // The report.
    let healthy = Histogram::new();
    healthy.merge(&latency[0]);
    healthy.merge(&latency[PHASES.len() - 1]);
    let healthy_p99 = healthy.quantile_us(0.99);
    let all = Histogram::new();
    for h in latency.iter() {
        all.merge(h);
    }
    println!(
        "soak: {:.1} s, {VERIFIERS} verifiers, attacker at {ATTACK_RATE}/s",
        elapsed.as_secs_f64()
    );
    println!(
        "valid tokens of cached keys: {} accepted, {} rejected; new-key tokens accepted: {}",
        get(&tally.cached_ok),
        get(&tally.cached_rejected),
        get(&tally.new_key_ok)
    );
    println!(
        "tokens of uncached keys: {} rejected ({} of the retired key), {} accepted; {} in transition",
        get(&tally.uncached_rejected),
        get(&tally.retired_rejected),
        get(&tally.uncached_accepted),
        get(&tally.in_transition)
    );
    println!(
        "attacker: {} sent, {} accepted, {} odd errors; latency p50 {} µs, p99 {} µs, max {} µs",
        get(&tally.attacks),
        get(&tally.attacks_accepted),
        get(&tally.attacks_odd),
        attack_latency.quantile_us(0.5),
        attack_latency.quantile_us(0.99),
        attack_latency.max_us()
    );
    let budget = jwks_budget(elapsed);
    println!(
        "JWKS requests: {jwks_requests} (budget {budget}); counters {:?}",
        status.counters
    );
    println!(
        "cached-key verification latency: p50 {} µs, p99 {} µs, max {} µs (healthy p99 {healthy_p99} µs)",
        all.quantile_us(0.5),
        all.quantile_us(0.99),
        all.max_us()
    );
    for (name, h) in PHASES.iter().zip(latency.iter()) {
        println!(
            "  {name:<20} n {:>8}  p50 {:>6} µs  p99 {:>6} µs  max {:>7} µs",
            h.count(),
            h.quantile_us(0.5),
            h.quantile_us(0.99),
            h.max_us()
        );
    }

    // The assertions.
    assert_eq!(
        get(&tally.cached_rejected),
        0,
        "valid tokens of cached keys rejected"
    );
    assert_eq!(
        get(&tally.uncached_accepted),
        0,
        "tokens of uncached keys accepted"
    );
    assert_eq!(get(&tally.attacks_accepted), 0, "attacker tokens accepted");
    assert_eq!(get(&tally.attacks_odd), 0, "attacker tokens answered oddly");
    assert!(get(&tally.attacks) > 0, "the attacker never ran");
    assert!(
        get(&tally.new_key_ok) > 0,
        "the new key was never picked up"
    );
    assert!(
        retired.load(Ordering::Relaxed) && get(&tally.retired_rejected) > 0,
        "the retirement was never fetched, or no retired-key token was tried after it"
    );
    assert!(
        jwks_requests <= budget,
        "{jwks_requests} JWKS requests, over the budget of {budget}"
    );
    let p99_bound = (P99_FACTOR * healthy_p99).max(P99_FLOOR_US);
    for (name, h) in PHASES.iter().zip(latency.iter()) {
        assert!(h.count() > 0, "no cached-key verification during {name}");
        let p99 = h.quantile_us(0.99);
        assert!(
            p99 <= p99_bound,
            "{name}: p99 {p99} µs over {p99_bound} µs: refreshes slow verification down"
        );
    }
    // A verification that waited on a fetch takes about a fetch timeout; scheduling
    // noise does not take half of one.
    let network_wait = u64::try_from((TOTAL_TIMEOUT / 2).as_micros()).unwrap();
    assert!(
        all.max_us() < network_wait,
        "a cached-key verification took {} µs: it waited on the network",
        all.max_us()
    );
    if rss.len() >= 8 {
        let quarter = elapsed / 4;
        let max_in = |from: Duration, to: Duration| {
            rss.iter()
                .filter(|(t, _)| *t >= from && *t < to)
                .map(|(_, r)| *r)
                .max()
                .unwrap_or(0)
        };
        let first = max_in(Duration::ZERO, quarter);
        let last = max_in(elapsed - quarter, elapsed + Duration::from_secs(1));
        println!(
            "RSS: first quarter max {:.1} MiB, last quarter max {:.1} MiB (bound +{} MiB)",
            first as f64 / 1048576.0,
            last as f64 / 1048576.0,
            RSS_BOUND / 1048576
        );
        assert!(
            last <= first + RSS_BOUND,
            "resident memory grew from {first} to {last} bytes"
        );
    } else {
        println!("RSS: not measured (no /proc/self/statm)");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fetcher_survives_a_soak_of_provider_faults_and_unknown_kids() {
    let secs = std::env::var("JOSE_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    soak(Duration::from_secs(secs)).await;
}
