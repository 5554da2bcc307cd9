//! A JWK Set: every key parsed on its own, usable keys indexed by `kid`, skipped keys
//! reported, and candidate selection for a token's header (docs/DESIGN.md §3).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jose_core::{Algorithm, CompactJws, Header, Validation};
use serde_json::Value;

use crate::error::Error;
use crate::jwk::Jwk;
use crate::options::JwkSetOptions;
use crate::skip::{SkipReason, SkippedKey};
use crate::verified::{KeyId, VerifiedJws, VerifiedJwt};

/// A parsed JWK Set: the usable signing keys, in set order, and a report of the keys that
/// were skipped.
///
/// Keys are converted to verifying keys once, here; looking up a token's `kid` is a hash
/// lookup. Build one per fetched document and share it (it is immutable).
#[derive(Debug, Clone)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    by_kid: HashMap<Arc<str>, Vec<usize>>,
    /// Every key's identity, so a cached verdict can ask whether its key is still here
    /// without a scan.
    ids: HashSet<KeyId>,
    skipped: Vec<SkippedKey>,
}

impl JwkSet {
    /// Reads a JWK Set document with the default [`JwkSetOptions`].
    pub fn from_json(bytes: &[u8]) -> Result<JwkSet, Error> {
        Self::from_json_with(bytes, &JwkSetOptions::default())
    }

    /// Reads a JWK Set document. Keys that cannot be used (other key types, encryption
    /// keys, private or symmetric keys, invalid material) are skipped and reported in
    /// [`JwkSet::skipped`]; a set left with no usable key is
    /// [`Error::NoUsableKeys`].
    pub fn from_json_with(bytes: &[u8], options: &JwkSetOptions) -> Result<JwkSet, Error> {
        if bytes.len() > options.bytes() {
            return Err(Error::LimitExceeded {
                limit: "JWKS size",
                max: options.bytes(),
            });
        }
        let mut document = jose_core::json::parse_object(bytes, options.json_depth())
            .map_err(|e| Error::JwksInvalid { reason: e.reason() })?;
        let Some(Value::Array(entries)) = document.remove("keys") else {
            return Err(Error::JwksInvalid {
                reason: "\"keys\" is missing or not an array",
            });
        };
        if entries.len() > options.keys() {
            return Err(Error::LimitExceeded {
                limit: "number of keys",
                max: options.keys(),
            });
        }
        let mut set = JwkSet {
            keys: Vec::with_capacity(entries.len()),
            by_kid: HashMap::new(),
            ids: HashSet::new(),
            skipped: Vec::new(),
        };
        for (index, entry) in entries.iter().enumerate() {
            let parsed = match entry {
                Value::Object(object) => Jwk::from_object(object, options),
                _ => Err(SkipReason::Malformed("not a JSON object")),
            };
            match parsed {
                Ok(jwk) => set.push(jwk),
                Err(reason) => set.skipped.push(SkippedKey {
                    index,
                    kid: reported_kid(entry, options),
                    reason,
                }),
            }
        }
        if set.keys.is_empty() {
            return Err(Error::NoUsableKeys {
                skipped: set.skipped,
            });
        }
        Ok(set)
    }

    fn push(&mut self, jwk: Jwk) {
        if let Some(kid) = jwk.kid_arc() {
            self.by_kid
                .entry(Arc::clone(kid))
                .or_default()
                .push(self.keys.len());
        }
        self.ids.insert(KeyId::of(&jwk));
        self.keys.push(jwk);
    }

    /// Whether the key that verified a token (its `kid` and RFC 7638 thumbprint) is
    /// in this set: what a cached verdict checks after a key rotation.
    pub fn contains(&self, key: &KeyId) -> bool {
        self.ids.contains(key)
    }

    /// The usable keys, in set order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The keys that were skipped, each with its index, `kid` and reason.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// The number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no usable key (never true for a set built by this crate).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The `kid`s of the usable keys, in set order (a duplicated `kid` appears twice).
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().filter_map(Jwk::kid)
    }

    /// The usable keys with exactly this `kid` (case-sensitive), in set order.
    pub fn get(&self, kid: &str) -> impl Iterator<Item = &Jwk> {
        self.by_kid
            .get(kid)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|&i| &self.keys[i])
    }

    /// The keys that may verify a token with this header, in the order to try them.
    ///
    /// With a `kid`, only keys with that exact `kid`; without one, every key. Either way
    /// a key must [fit](Jwk::fits) the header's `alg`. The algorithm allowlist is the
    /// caller's [`Validation`]; the verification entry points check it before asking.
    pub fn candidates(&self, header: &Header) -> Candidates<'_> {
        let source = match header.kid() {
            Some(kid) => Source::Kid(
                self.by_kid
                    .get(kid)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter(),
            ),
            None => Source::All(self.keys.iter()),
        };
        Candidates {
            keys: &self.keys,
            alg: header.alg(),
            source,
        }
    }

    /// Verifies a JWT against this set: allowlist, header rules, candidate keys (at most
    /// [`Limits::max_candidates`](jose_core::Limits::max_candidates) signature attempts),
    /// then claims. Returns the verified token and which key verified it.
    ///
    /// A token with no candidate at all fails with `ERR_JWKS_NO_MATCHING_KEY` before any
    /// signature work. Header parameters `jwk`, `jku`, `x5u` and `x5c` are never used:
    /// keys come from this set only.
    pub fn verify_jwt(&self, token: &str, validation: &Validation) -> Result<VerifiedJwt, Error> {
        let (verified, jwk) = jose_core::verify_jwt_with(token, validation, |header| {
            Ok::<_, Error>(self.candidates(header))
        })?;
        Ok(VerifiedJwt::new(verified, jwk))
    }

    /// Verifies a plain JWS (payload of any bytes, no claim checks) against this set,
    /// with the same key selection as [`JwkSet::verify_jwt`].
    pub fn verify_jws(&self, token: &str, validation: &Validation) -> Result<VerifiedJws, Error> {
        let (verified, jwk) = jose_core::verify_jws_with(token, validation, |header| {
            Ok::<_, Error>(self.candidates(header))
        })?;
        Ok(VerifiedJws::new(verified, jwk))
    }

    /// [`JwkSet::verify_jwt`] on a token parsed once with [`CompactJws::parse`]: its
    /// header is not parsed again, nor its claims if they were read before (to route the
    /// token). A token parsed under other limits than `validation`'s is parsed again
    /// under those.
    pub fn verify_parsed_jwt(
        &self,
        token: &CompactJws<'_>,
        validation: &Validation,
    ) -> Result<VerifiedJwt, Error> {
        let (verified, jwk) =
            token.verify_jwt_with(validation, |header| Ok::<_, Error>(self.candidates(header)))?;
        Ok(VerifiedJwt::new(verified, jwk))
    }

    /// [`JwkSet::verify_jws`] on a token parsed once; see [`JwkSet::verify_parsed_jwt`].
    pub fn verify_parsed_jws(
        &self,
        token: &CompactJws<'_>,
        validation: &Validation,
    ) -> Result<VerifiedJws, Error> {
        let (verified, jwk) =
            token.verify_jws_with(validation, |header| Ok::<_, Error>(self.candidates(header)))?;
        Ok(VerifiedJws::new(verified, jwk))
    }
}

/// The `kid` of a skipped entry, for the report, if it is a string within the limit.
fn reported_kid(entry: &Value, options: &JwkSetOptions) -> Option<String> {
    entry
        .get("kid")
        .and_then(Value::as_str)
        .filter(|kid| kid.len() <= options.kid_len())
        .map(str::to_owned)
}

/// The candidate keys for one header; see [`JwkSet::candidates`].
#[derive(Debug, Clone)]
pub struct Candidates<'a> {
    keys: &'a [Jwk],
    alg: Algorithm,
    source: Source<'a>,
}

#[derive(Debug, Clone)]
enum Source<'a> {
    Kid(core::slice::Iter<'a, usize>),
    All(core::slice::Iter<'a, Jwk>),
}

impl<'a> Iterator for Candidates<'a> {
    type Item = &'a Jwk;

    fn next(&mut self) -> Option<&'a Jwk> {
        loop {
            let jwk = match &mut self.source {
                Source::Kid(indices) => &self.keys[*indices.next()?],
                Source::All(keys) => keys.next()?,
            };
            if jwk.fits(self.alg) {
                return Some(jwk);
            }
        }
    }
}
