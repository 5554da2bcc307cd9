//! The verified-token cache: a hit never outlives the token's `exp` or its key, never
//! serves another validation, never matches a tampered copy, and stays in its bounds.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use common::{NOW, interop_jwk, set_of, sign};
use jose_core::{Algorithm, Clock, Validation};
use jose_jwk::{Error, JwkSet, TokenCache, TokenCacheOptions};

/// A clock the test moves.
#[derive(Debug, Clone)]
struct Manual(Arc<AtomicU64>);

impl Clock for Manual {
    fn now_unix(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl Manual {
    fn at(now: u64) -> Manual {
        Manual(Arc::new(AtomicU64::new(now)))
    }
    fn set(&self, now: u64) {
        self.0.store(now, Ordering::SeqCst);
    }
}

fn validation(clock: &Manual, audience: &str) -> Validation {
    Validation::builder([Algorithm::RS256, Algorithm::ES256])
        .issuer("https://issuer.example")
        .audience(audience)
        .leeway(0)
        .clock(clock.clone())
        .build()
}

fn set(kids: &[&str]) -> JwkSet {
    JwkSet::from_json(&set_of(kids.iter().map(|k| interop_jwk(k, &[])).collect())).unwrap()
}

fn token(kid: &str, claims: &str) -> String {
    let (key, alg) = match kid {
        "ec-p256" => ("ec-p256", "ES256"),
        other => (other, "RS256"),
    };
    sign(key, &format!(r#"{{"alg":"{alg}","kid":"{kid}"}}"#), claims)
}

fn claims(exp: u64, extra: &str) -> String {
    format!(r#"{{"iss":"https://issuer.example","aud":"api","exp":{exp}{extra}}}"#)
}

/// Verifies through the cache against `set`, counting real verifications.
fn check(
    cache: &TokenCache,
    set: &JwkSet,
    token: &str,
    verifications: &AtomicUsize,
) -> Result<String, String> {
    cache
        .verify(
            token,
            |key| set.contains(key),
            |v| {
                verifications.fetch_add(1, Ordering::SeqCst);
                set.verify_jwt(token, v)
            },
        )
        .map(|v| v.claims().sub().unwrap_or_default().to_owned())
        .map_err(|e: Error| e.code().to_owned())
}

#[test]
fn a_repeated_token_is_verified_once_and_its_claims_shared() {
    let clock = Manual::at(NOW);
    let cache = TokenCache::new(validation(&clock, "api"), TokenCacheOptions::default());
    let set = set(&["rsa-2048"]);
    let token = token("rsa-2048", &claims(NOW + 3600, r#","sub":"alice""#));
    let calls = AtomicUsize::new(0);
    for _ in 0..5 {
        assert_eq!(check(&cache, &set, &token, &calls), Ok("alice".into()));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses, stats.entries), (4, 1, 1));
    let first = cache
        .verify(&token, |k| set.contains(k), |v| set.verify_jwt(&token, v))
        .unwrap();
    let second = cache
        .verify(&token, |k| set.contains(k), |v| set.verify_jwt(&token, v))
        .unwrap();
    assert!(Arc::ptr_eq(&first, &second), "hits share one verdict");
}

#[test]
fn a_hit_never_outlives_exp() {
    let clock = Manual::at(NOW);
    let options = TokenCacheOptions::default().max_reuse(Duration::from_secs(86_400));
    let cache = TokenCache::new(validation(&clock, "api"), options);
    let set = set(&["rsa-2048"]);
    let token = token("rsa-2048", &claims(NOW + 100, ""));
    let calls = AtomicUsize::new(0);
    assert!(check(&cache, &set, &token, &calls).is_ok());
    clock.set(NOW + 99);
    assert!(check(&cache, &set, &token, &calls).is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 1, "a hit before exp");
    clock.set(NOW + 100);
    assert_eq!(
        check(&cache, &set, &token, &calls),
        Err("ERR_JWT_EXPIRED".into())
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "at exp the token is verified again"
    );
    assert_eq!(cache.stats().entries, 0);
}

#[test]
fn a_verdict_is_reused_only_for_max_reuse() {
    let clock = Manual::at(NOW);
    let options = TokenCacheOptions::default().max_reuse(Duration::from_secs(60));
    let cache = TokenCache::new(validation(&clock, "api"), options);
    let set = set(&["rsa-2048"]);
    let token = token("rsa-2048", &claims(NOW + 3600, ""));
    let calls = AtomicUsize::new(0);
    assert!(check(&cache, &set, &token, &calls).is_ok());
    clock.set(NOW + 59);
    assert!(check(&cache, &set, &token, &calls).is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    clock.set(NOW + 60);
    assert!(check(&cache, &set, &token, &calls).is_ok());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "verified again after max_reuse"
    );
}

#[test]
fn a_hit_rechecks_the_time_rules() {
    // Maximum age 30 s, reuse allowed for 60 s: at 40 s the age rule refuses the hit.
    let clock = Manual::at(NOW);
    let validation = Validation::builder([Algorithm::RS256])
        .issuer("https://issuer.example")
        .audience("api")
        .leeway(0)
        .max_age(30)
        .clock(clock.clone())
        .build();
    let cache = TokenCache::new(validation.clone(), TokenCacheOptions::default());
    let set = set(&["rsa-2048"]);
    let token = token("rsa-2048", &claims(NOW + 3600, &format!(r#","iat":{NOW}"#)));
    let calls = AtomicUsize::new(0);
    assert!(check(&cache, &set, &token, &calls).is_ok());
    clock.set(NOW + 40);
    let expected = set.verify_jwt(&token, &validation).unwrap_err().code();
    assert_eq!(check(&cache, &set, &token, &calls), Err(expected.into()));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "refused from the cache itself"
    );
}

#[test]
fn a_key_removed_by_rotation_ends_its_tokens_hits() {
    let clock = Manual::at(NOW);
    let cache = TokenCache::new(validation(&clock, "api"), TokenCacheOptions::default());
    let before = set(&["rsa-2048", "ec-p256"]);
    let after = set(&["ec-p256"]);
    let rsa = token("rsa-2048", &claims(NOW + 3600, ""));
    let ec = token("ec-p256", &claims(NOW + 3600, ""));
    let calls = AtomicUsize::new(0);
    assert!(check(&cache, &before, &rsa, &calls).is_ok());
    assert!(check(&cache, &before, &ec, &calls).is_ok());
    assert_eq!(
        check(&cache, &after, &rsa, &calls),
        Err("ERR_JWKS_NO_MATCHING_KEY".into())
    );
    assert!(check(&cache, &after, &ec, &calls).is_ok());
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "the EC token was still a hit"
    );
}

#[test]
fn two_validations_do_not_share_verdicts() {
    let clock = Manual::at(NOW);
    let for_api = TokenCache::new(validation(&clock, "api"), TokenCacheOptions::default());
    let for_web = TokenCache::new(validation(&clock, "web"), TokenCacheOptions::default());
    let set = set(&["rsa-2048"]);
    let token = token("rsa-2048", &claims(NOW + 3600, ""));
    let calls = AtomicUsize::new(0);
    assert!(check(&for_api, &set, &token, &calls).is_ok());
    assert!(check(&for_api, &set, &token, &calls).is_ok());
    assert_eq!(
        check(&for_web, &set, &token, &calls),
        Err("ERR_JWT_CLAIM_INVALID".into())
    );
    assert_eq!(
        for_web.validation().check_algorithm(Algorithm::RS256),
        Ok(())
    );
}

#[test]
fn a_tampered_copy_of_a_cached_token_is_never_a_hit() {
    let clock = Manual::at(NOW);
    let cache = TokenCache::new(validation(&clock, "api"), TokenCacheOptions::default());
    let set = set(&["ec-p256"]);
    let token = token("ec-p256", &claims(NOW + 3600, ""));
    let calls = AtomicUsize::new(0);
    assert!(check(&cache, &set, &token, &calls).is_ok());
    let bytes = token.as_bytes();
    for i in 0..bytes.len() {
        let mut copy = bytes.to_vec();
        copy[i] = if copy[i] == b'A' { b'B' } else { b'A' };
        let copy = String::from_utf8(copy).unwrap();
        let before = calls.load(Ordering::SeqCst);
        assert!(check(&cache, &set, &copy, &calls).is_err(), "byte {i}");
        assert_eq!(
            calls.load(Ordering::SeqCst),
            before + 1,
            "byte {i} was a hit"
        );
    }
    assert_eq!(cache.stats().entries, 1, "rejections are not stored");
}

#[test]
#[cfg_attr(target_family = "wasm", ignore = "wasm32-wasip1 has no threads")]
fn many_threads_hit_and_insert_at_once() {
    let clock = Manual::at(NOW);
    let cache = TokenCache::new(validation(&clock, "api"), TokenCacheOptions::default());
    let set = set(&["ec-p256"]);
    let tokens: Vec<(String, String)> = (0..32)
        .map(|i| {
            let sub = format!("user-{i}");
            let t = token(
                "ec-p256",
                &claims(NOW + 3600, &format!(r#","sub":"{sub}""#)),
            );
            (t, sub)
        })
        .collect();
    let calls = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let (cache, set, tokens, calls) = (&cache, &set, &tokens, &calls);
            scope.spawn(move || {
                for round in 0..50 {
                    let (token, sub) = &tokens[(thread * 7 + round) % tokens.len()];
                    assert_eq!(check(cache, set, token, calls).as_ref(), Ok(sub));
                }
            });
        }
    });
    let stats = cache.stats();
    assert_eq!(stats.hits + stats.misses, 400);
    assert_eq!(stats.misses as usize, calls.load(Ordering::SeqCst));
    assert!(stats.misses >= 32 && stats.hits >= 300, "{stats:?}");
}

#[test]
fn a_flood_of_distinct_tokens_stays_within_the_byte_bound() {
    let clock = Manual::at(NOW);
    let max_bytes = 64 * 1024;
    let options = TokenCacheOptions::default().max_bytes(max_bytes);
    let cache = TokenCache::new(validation(&clock, "api"), options);
    let set = set(&["ec-p256"]);
    let calls = AtomicUsize::new(0);
    for i in 0..600 {
        let token = token("ec-p256", &claims(NOW + 3600, &format!(r#","jti":"{i}""#)));
        assert!(check(&cache, &set, &token, &calls).is_ok());
        assert!(cache.stats().bytes <= max_bytes, "{:?}", cache.stats());
    }
    let stats = cache.stats();
    assert!(stats.evictions > 0 && stats.entries < 600, "{stats:?}");
}

#[test]
fn long_tokens_are_verified_every_time() {
    let clock = Manual::at(NOW);
    let options = TokenCacheOptions::default().max_token_len(200);
    let cache = TokenCache::new(validation(&clock, "api"), options);
    let set = set(&["ec-p256"]);
    let token = token(
        "ec-p256",
        &claims(NOW + 3600, &format!(r#","pad":"{}""#, "x".repeat(200))),
    );
    let calls = AtomicUsize::new(0);
    assert!(check(&cache, &set, &token, &calls).is_ok());
    assert!(check(&cache, &set, &token, &calls).is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(cache.stats().entries, 0);
}
