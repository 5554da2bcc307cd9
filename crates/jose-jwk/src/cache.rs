//! Verdicts of tokens already verified, reused while every rule still holds
//! (docs/DESIGN.md §10).
//!
//! A client sends the same access token with every request until it expires, so an API
//! under load verifies one token many times. A [`TokenCache`] keeps the verified header
//! and claims of each token under the SHA-256 of the whole token and hands them out
//! again, shared, for a lookup instead of a signature verification.
//!
//! What keeps this safe:
//! - the key is a digest of every byte of the token, so a copy that differs anywhere is
//!   a different entry, and no token text is kept as a key;
//! - one cache serves one [`Validation`], which it owns: a token verified for audience A
//!   is never a hit for a service that expects audience B;
//! - a hit checks the claims again at the current time (`exp`, `nbf`, `iat`, maximum
//!   age, with the leeway) and asks the key source whether the key that verified the
//!   token is still trusted, so a rotation that removes a key ends its tokens' hits;
//! - a verdict is reused for at most [`TokenCacheOptions::max_reuse`] after the
//!   verification and never past the token's `exp`, which bounds how long a token keeps
//!   passing after its key leaves a set that was not refreshed;
//! - only successful verifications are stored: a rejected token is verified again each
//!   time, so a flood of garbage cannot push valid entries out;
//! - the cache is bounded in entries and in (estimated) bytes, and tokens longer than
//!   [`TokenCacheOptions::max_token_len`] are never stored.

use core::fmt;
use core::future::Future;
use core::hash::{BuildHasher, Hasher};
use core::time::Duration;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use jose_core::Validation;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};

use crate::telemetry;
use crate::verified::{KeyId, VerifiedJwt};

/// Settings of a [`TokenCache`], with safe defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct TokenCacheOptions {
    max_entries: usize,
    max_bytes: u64,
    max_reuse: Duration,
    max_token_len: usize,
}

impl Default for TokenCacheOptions {
    fn default() -> Self {
        TokenCacheOptions {
            max_entries: 10_000,
            max_bytes: 32 * 1024 * 1024,
            max_reuse: Duration::from_secs(60),
            max_token_len: 8 * 1024,
        }
    }
}

impl TokenCacheOptions {
    /// At most this many tokens are kept (default 10 000; at least 1).
    pub fn max_entries(mut self, entries: usize) -> Self {
        self.max_entries = entries.max(1);
        self
    }

    /// At most about this many bytes are kept, estimated per entry from the token's
    /// length (default 32 MiB).
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes.max(1);
        self
    }

    /// How long after its verification a verdict may be reused (default 60 s; never past
    /// the token's `exp`). This bounds how long a token keeps passing after its key left
    /// a key set that has not been refreshed yet.
    pub fn max_reuse(mut self, reuse: Duration) -> Self {
        self.max_reuse = reuse;
        self
    }

    /// Longer tokens are verified every time rather than stored (default 8 KiB).
    pub fn max_token_len(mut self, bytes: usize) -> Self {
        self.max_token_len = bytes;
        self
    }
}

/// Counts of a [`TokenCache`]'s work since it was built. Two caches' counts add up
/// field by field (`a + b`), for a report over every cache in front of one key source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenCacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that found nothing usable and verified the token.
    pub misses: u64,
    /// Entries pushed out to stay within the bounds.
    pub evictions: u64,
    /// Entries held now.
    pub entries: u64,
    /// Estimated bytes held now.
    pub bytes: u64,
}

impl core::ops::Add for TokenCacheStats {
    type Output = TokenCacheStats;

    fn add(self, other: TokenCacheStats) -> TokenCacheStats {
        TokenCacheStats {
            hits: self.hits.saturating_add(other.hits),
            misses: self.misses.saturating_add(other.misses),
            evictions: self.evictions.saturating_add(other.evictions),
            entries: self.entries.saturating_add(other.entries),
            bytes: self.bytes.saturating_add(other.bytes),
        }
    }
}

/// A cache of verified tokens for one [`Validation`]; see the module docs for the rules.
///
/// ```
/// use jose_core::{Algorithm, Validation};
/// use jose_jwk::{JwkSet, TokenCache, TokenCacheOptions};
///
/// # fn run(set: &JwkSet, token: &str) -> Result<(), jose_jwk::Error> {
/// let validation = Validation::builder([Algorithm::RS256]).issuer("https://issuer.example").build();
/// let cache = TokenCache::new(validation, TokenCacheOptions::default());
///
/// // Each request: a hit costs a SHA-256 of the token and a lookup.
/// let verified = cache.verify(token, |key| set.contains(key), |v| set.verify_jwt(token, v))?;
/// println!("hello {:?}", verified.claims().sub());
/// # Ok(()) }
/// ```
pub struct TokenCache {
    validation: Validation,
    options: TokenCacheOptions,
    entries: Cache<TokenDigest, Arc<Entry>, EntryWeight, DigestHash, CountEvictions>,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: Arc<AtomicU64>,
}

/// The SHA-256 of a whole token.
type TokenDigest = [u8; 32];

struct Entry {
    verified: Arc<VerifiedJwt>,
    /// Unix seconds: the verdict is not used at or after this time.
    reuse_until: u64,
    weight: u64,
}

/// What a lookup found.
enum Lookup {
    Hit(Arc<VerifiedJwt>),
    /// The entry's claims no longer pass (e.g. past the maximum age); the error says why.
    Refused(jose_core::Error),
    Miss,
}

impl TokenCache {
    /// An empty cache serving `validation`.
    pub fn new(validation: Validation, options: TokenCacheOptions) -> TokenCache {
        let evictions = Arc::new(AtomicU64::new(0));
        let entries = Cache::with(
            options.max_entries,
            options.max_bytes,
            EntryWeight,
            DigestHash,
            CountEvictions(Arc::clone(&evictions)),
        );
        TokenCache {
            validation,
            options,
            entries,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions,
        }
    }

    /// The validation every verdict in this cache was reached with.
    pub fn validation(&self) -> &Validation {
        &self.validation
    }

    /// The settings.
    pub fn options(&self) -> &TokenCacheOptions {
        &self.options
    }

    /// Verifies `token`, or reuses its verdict.
    ///
    /// `trusted` says whether a key (the one that verified the token) is still in the
    /// key source's current set, e.g. `|key| set.contains(key)`. On a miss, `verify`
    /// verifies the token with the cache's validation (passed to it) and a successful
    /// result is stored; errors are returned and never stored.
    pub fn verify<E>(
        &self,
        token: &str,
        trusted: impl Fn(&KeyId) -> bool,
        verify: impl FnOnce(&Validation) -> Result<VerifiedJwt, E>,
    ) -> Result<Arc<VerifiedJwt>, E>
    where
        E: From<jose_core::Error>,
    {
        let digest = digest(token);
        match self.lookup(&digest, &trusted) {
            Lookup::Hit(verified) => Ok(verified),
            Lookup::Refused(error) => Err(error.into()),
            Lookup::Miss => verify(&self.validation).map(|v| self.store(token, digest, v)),
        }
    }

    /// [`TokenCache::verify`] for a key source that verifies asynchronously (a remote
    /// key set that may have to fetch).
    pub async fn verify_async<'v, E, F>(
        &'v self,
        token: &str,
        trusted: impl Fn(&KeyId) -> bool,
        verify: impl FnOnce(&'v Validation) -> F,
    ) -> Result<Arc<VerifiedJwt>, E>
    where
        E: From<jose_core::Error>,
        F: Future<Output = Result<VerifiedJwt, E>>,
    {
        let digest = digest(token);
        match self.lookup(&digest, &trusted) {
            Lookup::Hit(verified) => Ok(verified),
            Lookup::Refused(error) => Err(error.into()),
            Lookup::Miss => {
                let verified = verify(&self.validation).await?;
                Ok(self.store(token, digest, verified))
            }
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> TokenCacheStats {
        TokenCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            entries: self.entries.len() as u64,
            bytes: self.entries.weight(),
        }
    }

    /// Drops every entry, e.g. after the service changed what it trusts.
    pub fn clear(&self) {
        self.entries.clear();
    }

    fn lookup(&self, digest: &TokenDigest, trusted: &impl Fn(&KeyId) -> bool) -> Lookup {
        let Some(entry) = self.entries.get(digest) else {
            self.misses.fetch_add(1, Ordering::Relaxed);
            telemetry::cache_miss();
            return Lookup::Miss;
        };
        let now = self.validation.now();
        if now >= entry.reuse_until || !trusted(entry.verified.key()) {
            // Reused long enough, or its key left the set: verify again, which either
            // succeeds with a current key and stores a new verdict or fails as it should.
            self.entries.remove(digest);
            self.misses.fetch_add(1, Ordering::Relaxed);
            telemetry::cache_miss();
            return Lookup::Miss;
        }
        match self.validation.check_claims(entry.verified.claims()) {
            Ok(()) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                telemetry::cache_hit();
                Lookup::Hit(Arc::clone(&entry.verified))
            }
            Err(error) => {
                self.entries.remove(digest);
                self.misses.fetch_add(1, Ordering::Relaxed);
                telemetry::cache_miss();
                Lookup::Refused(error)
            }
        }
    }

    fn store(&self, token: &str, digest: TokenDigest, verified: VerifiedJwt) -> Arc<VerifiedJwt> {
        let verified = Arc::new(verified);
        let now = self.validation.now();
        let reuse_until = now
            .saturating_add(self.options.max_reuse.as_secs())
            .min(verified.claims().exp().unwrap_or(u64::MAX));
        if token.len() <= self.options.max_token_len && reuse_until > now {
            let entry = Entry {
                verified: Arc::clone(&verified),
                reuse_until,
                weight: estimated_weight(token),
            };
            self.entries.insert(digest, Arc::new(entry));
            telemetry::cache_insert();
        }
        verified
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("options", &self.options)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

/// The bytes an entry holds, estimated from the token: its decoded header and claims
/// (three quarters of the token), the claims as a JSON map (about as much again for the
/// map's nodes and strings), and a fixed part for the entry, its key identity and the
/// cache's own bookkeeping.
fn estimated_weight(token: &str) -> u64 {
    let len = token.len() as u64;
    len.saturating_mul(2).saturating_add(512)
}

#[derive(Clone)]
struct EntryWeight;

impl Weighter<TokenDigest, Arc<Entry>> for EntryWeight {
    fn weight(&self, _key: &TokenDigest, entry: &Arc<Entry>) -> u64 {
        entry.weight
    }
}

/// Hashes a token digest by its first eight bytes: SHA-256 output is already uniform,
/// and nobody can choose tokens whose digests collide in them.
#[derive(Clone, Default)]
struct DigestHash;

impl BuildHasher for DigestHash {
    type Hasher = FirstEight;

    fn build_hasher(&self) -> FirstEight {
        FirstEight(0)
    }
}

struct FirstEight(u64);

impl Hasher for FirstEight {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // `[u8; 32]` hashes as its length (a `usize`) then its bytes; keep the bytes.
        if let Some(first) = bytes.first_chunk::<8>() {
            self.0 = u64::from_le_bytes(*first);
        }
    }

    fn write_usize(&mut self, _len: usize) {}
}

#[derive(Clone)]
struct CountEvictions(Arc<AtomicU64>);

impl quick_cache::Lifecycle<TokenDigest, Arc<Entry>> for CountEvictions {
    type RequestState = ();

    fn on_evict(&self, _state: &mut (), _key: TokenDigest, _entry: Arc<Entry>) {
        self.0.fetch_add(1, Ordering::Relaxed);
        telemetry::cache_eviction();
    }
}
