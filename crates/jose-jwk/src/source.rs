//! Where verifying keys come from, as one trait: a static [`JwkSet`], a single [`Jwk`] or
//! [`VerifyingKey`], the remote fetcher and issuer registry of `jose-fetch`, and any
//! lookup a service writes itself (a database of tenant keys).
//!
//! The trait verifies a token that was parsed once, with [`CompactJws::parse`] under the
//! caller's [`Limits`](jose_core::Limits): whoever holds the request parses the token,
//! refuses a malformed one before any key source is asked, and hands the parse down, so
//! routing (which issuer, whether a refetch could help) and verification read the same
//! header and claims. Its error says which of the two answers a service gives: the token
//! is bad (401) or the keys cannot be had (503).
//!
//! The trait needs no async runtime: a source answers with a boxed future, which a static
//! source makes ready at once.

use core::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use jose_core::{CompactJws, Validation, VerifyingKey};

use crate::cache::TokenCache;
use crate::error::Error;
use crate::jwk::Jwk;
use crate::set::JwkSet;
use crate::verified::{KeyId, VerifiedJws, VerifiedJwt};

/// The future a [`KeySource`] returns.
pub type VerifyFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, KeySourceError>> + Send + 'a>>;

/// Verifies a parsed token with keys from a trusted source.
///
/// Implemented here for [`JwkSet`] (keys known at startup), [`Jwk`] and [`VerifyingKey`]
/// (one key, used whatever the token's `kid`; a JWK's own `alg`, `use` and key type still
/// apply), and `Arc` of any source; `jose-fetch` implements it for `RemoteJwks` and
/// `IssuerRegistry`. Your own source answers [`KeySourceError::Token`] for a bad token
/// (401) and [`KeySourceError::Unavailable`] when keys cannot be had right now (503).
///
/// ```
/// use jose_core::{CompactJws, Validation};
/// use jose_jwk::{JwkSet, KeySource, VerifiedJws, VerifiedJwt, VerifyFuture};
///
/// /// Keys that rotate by a deploy, read from a shared snapshot.
/// struct Rotating(std::sync::RwLock<std::sync::Arc<JwkSet>>);
///
/// impl Rotating {
///     fn set(&self) -> std::sync::Arc<JwkSet> {
///         self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
///     }
/// }
///
/// impl KeySource for Rotating {
///     fn verify<'a>(
///         &'a self,
///         token: &'a CompactJws<'a>,
///         validation: &'a Validation,
///     ) -> VerifyFuture<'a, VerifiedJwt> {
///         let result = self.set().verify_parsed_jwt(token, validation);
///         Box::pin(async move { Ok(result?) })
///     }
///
///     fn verify_jws<'a>(
///         &'a self,
///         token: &'a CompactJws<'a>,
///         validation: &'a Validation,
///     ) -> VerifyFuture<'a, VerifiedJws> {
///         let result = self.set().verify_parsed_jws(token, validation);
///         Box::pin(async move { Ok(result?) })
///     }
/// }
/// ```
pub trait KeySource: Send + Sync {
    /// Verifies a JWT: signature, then claims against `validation`.
    fn verify<'a>(
        &'a self,
        token: &'a CompactJws<'a>,
        validation: &'a Validation,
    ) -> VerifyFuture<'a, VerifiedJwt>;

    /// Verifies a plain JWS: signature only, the payload any bytes, no claim checks.
    fn verify_jws<'a>(
        &'a self,
        token: &'a CompactJws<'a>,
        validation: &'a Validation,
    ) -> VerifyFuture<'a, VerifiedJws>;

    /// Whether `key` (the key that verified a token earlier) is still in this source's
    /// current set. A [`TokenCache`](crate::TokenCache) reuses a verdict only while this
    /// holds, so a rotation that removes a key ends its tokens' cache hits.
    ///
    /// The default, `false`, is the safe answer for a source that cannot tell: its
    /// tokens are then verified every time.
    fn trusts(&self, key: &KeyId) -> bool {
        let _ = key;
        false
    }

    /// Tells the source that `cache` keeps verdicts of tokens it verifies (jose-axum's
    /// layer calls this for its cache), so that the source can report the cache's counts
    /// beside its own: `jose-fetch` shows them in its `Status`. A source should hold the
    /// cache weakly, so dropping the cache's owner frees it. The default ignores it.
    fn token_cache_attached(&self, cache: &Arc<TokenCache>) {
        let _ = cache;
    }
}

/// Why a [`KeySource`] did not verify a token: the token is bad ([`http_status`] 401), or
/// the keys are unavailable (503).
///
/// [`http_status`]: KeySourceError::http_status
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeySourceError {
    /// The token was refused: malformed, an algorithm not allowed, no key fits it, a bad
    /// signature, claims that fail validation. [`KeySourceError::as_jose`] gives the
    /// typed reason.
    Token(Error),
    /// No key has the token's `kid`, and fetching the keys again either ran and did not
    /// find it (`refreshed`) or is not allowed before `retry_after`.
    KeyNotFound {
        /// The token's `kid`, if it had one (at most the `kid` length limit).
        kid: Option<String>,
        /// Whether the keys were fetched again for this token (so a retry would not help
        /// until the provider publishes the key).
        refreshed: bool,
        /// When fetching again would next be allowed, if the cooldown refused it.
        retry_after: Option<Duration>,
    },
    /// The token's unverified `iss` names no issuer this source serves; nothing was
    /// fetched for it.
    IssuerNotAllowed,
    /// The keys cannot be had right now: never fetched, stale beyond the serve-stale
    /// limit, the provider down or answering badly.
    Unavailable {
        /// The stable code of the cause, e.g. `ERR_JWKS_UNAVAILABLE`.
        code: &'static str,
        /// The whole message, for operators (it never contains the token).
        message: String,
        /// When the source will try again, if known (for `Retry-After`).
        retry_after: Option<Duration>,
    },
}

impl KeySourceError {
    /// The stable code: the token error's own (`ERR_JWS_SIGNATURE_INVALID`, ...),
    /// `ERR_JWKS_NO_MATCHING_KEY`, `ERR_JWT_ISSUER_NOT_ALLOWED`, or the cause of
    /// unavailable keys.
    pub fn code(&self) -> &'static str {
        match self {
            KeySourceError::Token(e) => e.code(),
            KeySourceError::KeyNotFound { .. } => "ERR_JWKS_NO_MATCHING_KEY",
            KeySourceError::IssuerNotAllowed => "ERR_JWT_ISSUER_NOT_ALLOWED",
            KeySourceError::Unavailable { code, .. } => code,
        }
    }

    /// Whether keys could not be had (503), as opposed to a bad token (401).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, KeySourceError::Unavailable { .. })
    }

    /// The HTTP status a resource server answers with: 401 or 503.
    pub fn http_status(&self) -> u16 {
        if self.is_unavailable() { 503 } else { 401 }
    }

    /// When the caller may retry, for `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            KeySourceError::KeyNotFound { retry_after, .. }
            | KeySourceError::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The `jose-core` reason a token was refused, when it was one: match on it rather
    /// than on [`KeySourceError::code`].
    pub fn as_jose(&self) -> Option<&jose_core::Error> {
        match self {
            KeySourceError::Token(e) => e.as_jose(),
            _ => None,
        }
    }
}

impl fmt::Display for KeySourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySourceError::Token(e) => e.fmt(f),
            KeySourceError::KeyNotFound {
                kid: Some(kid),
                refreshed,
                ..
            } => {
                // The kid is the token's: shown, but never with control characters.
                let kid: String = kid
                    .chars()
                    .map(|c| if c.is_control() { '?' } else { c })
                    .collect();
                write!(f, "no key with kid \"{kid}\" (refetched: {refreshed})")
            }
            KeySourceError::KeyNotFound {
                kid: None,
                refreshed,
                ..
            } => write!(f, "no key matches the token (refetched: {refreshed})"),
            KeySourceError::IssuerNotAllowed => {
                f.write_str("the token's issuer is not on the allowlist")
            }
            KeySourceError::Unavailable { message, .. } => f.write_str(message),
        }
    }
}

impl core::error::Error for KeySourceError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            KeySourceError::Token(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Error> for KeySourceError {
    fn from(e: Error) -> Self {
        KeySourceError::Token(e)
    }
}

impl From<jose_core::Error> for KeySourceError {
    fn from(e: jose_core::Error) -> Self {
        KeySourceError::Token(Error::Jose(e))
    }
}

/// An answer known without waiting.
fn ready<'a, T: Send + 'a>(result: Result<T, Error>) -> VerifyFuture<'a, T> {
    Box::pin(std::future::ready(result.map_err(KeySourceError::Token)))
}

impl KeySource for JwkSet {
    fn verify<'a>(
        &'a self,
        token: &'a CompactJws<'a>,
        validation: &'a Validation,
    ) -> VerifyFuture<'a, VerifiedJwt> {
        ready(self.verify_parsed_jwt(token, validation))
    }

    fn verify_jws<'a>(
        &'a self,
        token: &'a CompactJws<'a>,
        validation: &'a Validation,
    ) -> VerifyFuture<'a, VerifiedJws> {
        ready(self.verify_parsed_jws(token, validation))
    }

    fn trusts(&self, key: &KeyId) -> bool {
        self.contains(key)
    }
}

impl Jwk {
    /// The key as the only candidate for `token`'s header, if it fits the `alg`.
    fn candidate(&self, header: &jose_core::Header) -> Result<Option<&Jwk>, Error> {
        Ok(self.fits(header.alg()).then_some(self))
    }
}

impl KeySource for Jwk {
    fn verify<'a>(
        &'a self,
        token: &'a CompactJws<'a>,
        validation: &'a Validation,
    ) -> VerifyFuture<'a, VerifiedJwt> {
        let result = token.verify_jwt_with(validation, |header| self.candidate(header));
        ready(result.map(|(verified, jwk)| VerifiedJwt::new(verified, jwk)))
    }

    fn verify_jws<'a>(
        &'a self,
        token: &'a CompactJws<'a>,
        validation: &'a Validation,
    ) -> VerifyFuture<'a, VerifiedJws> {
        let result = token.verify_jws_with(validation, |header| self.candidate(header));
        ready(result.map(|(verified, jwk)| VerifiedJws::new(verified, jwk)))
    }

    fn trusts(&self, key: &KeyId) -> bool {
        KeyId::of(self) == *key
    }
}

/// A bare key (from PEM, say) has no `kid`; its thumbprint, which identifies it in the
/// result, is computed per verification. A service that verifies many tokens with one
/// key gives it as a [`Jwk`] or a [`JwkSet`], which compute it once.
impl KeySource for VerifyingKey {
    fn verify<'a>(
        &'a self,
        token: &'a CompactJws<'a>,
        validation: &'a Validation,
    ) -> VerifyFuture<'a, VerifiedJwt> {
        let result = token.verify_jwt_with(validation, |_| Ok::<_, Error>([self]));
        ready(result.map(|(verified, key)| VerifiedJwt::with_key(verified, KeyId::of_key(key))))
    }

    fn verify_jws<'a>(
        &'a self,
        token: &'a CompactJws<'a>,
        validation: &'a Validation,
    ) -> VerifyFuture<'a, VerifiedJws> {
        let result = token.verify_jws_with(validation, |_| Ok::<_, Error>([self]));
        ready(result.map(|(verified, key)| VerifiedJws::with_key(verified, KeyId::of_key(key))))
    }
}

/// A shared or boxed source is the source it points to.
macro_rules! delegate_key_source {
    ($($pointer:ident),+) => {$(
        impl<K: KeySource + ?Sized> KeySource for $pointer<K> {
            fn verify<'a>(
                &'a self,
                token: &'a CompactJws<'a>,
                validation: &'a Validation,
            ) -> VerifyFuture<'a, VerifiedJwt> {
                K::verify(self, token, validation)
            }

            fn verify_jws<'a>(
                &'a self,
                token: &'a CompactJws<'a>,
                validation: &'a Validation,
            ) -> VerifyFuture<'a, VerifiedJws> {
                K::verify_jws(self, token, validation)
            }

            fn trusts(&self, key: &KeyId) -> bool {
                K::trusts(self, key)
            }

            fn token_cache_attached(&self, cache: &Arc<TokenCache>) {
                K::token_cache_attached(self, cache)
            }
        }
    )+};
}

delegate_key_source!(Arc, Box);
