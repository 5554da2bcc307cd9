//! Fetcher errors. `Clone`, so one failed fetch answers every caller waiting on it.

use core::fmt;
use std::time::Duration;

use jose_jwk::KeySourceError;

/// What went wrong while finding keys for a token or fetching a key set.
///
/// The split that matters to a service: [`FetchError::is_unavailable`] errors mean "we
/// could not get keys" (answer 503 and retry later); every other error means "this token
/// is not acceptable" (answer 401).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FetchError {
    /// No key in the current set matches the token's `kid`, and refetching either ran and
    /// did not find it (`refreshed: true`) or is not allowed yet (`retry_after`).
    KeyNotFound {
        /// The token's `kid`, if it had one (at most the configured `kid` length).
        kid: Option<String>,
        /// Whether the set was refetched for this token.
        refreshed: bool,
        /// When a refetch would next be allowed, if it was refused by the cooldown.
        retry_after: Option<Duration>,
    },
    /// No usable key set: never fetched successfully, or stale beyond the serve-stale
    /// limit, and the provider cannot be reached or answers badly.
    Unavailable {
        /// Why, in a few words.
        reason: String,
        /// When the next fetch attempt is allowed, if known.
        retry_after: Option<Duration>,
    },
    /// The JWKS endpoint answered, but not with a usable JWK Set.
    InvalidResponse {
        /// Why, in a few words.
        reason: String,
    },
    /// OpenID Connect discovery failed (unreachable, malformed, or `issuer` mismatch).
    Discovery {
        /// Why, in a few words.
        reason: String,
    },
    /// The fetcher was configured with something it refuses (e.g. `http://` to a
    /// non-loopback host).
    Config {
        /// Why, in a few words.
        reason: String,
    },
    /// The token's (unverified) `iss` is not on the registry's allowlist; nothing was
    /// fetched for it.
    IssuerNotAllowed,
    /// The token itself was rejected by the key set (malformed, bad signature, claims).
    Token(jose_jwk::Error),
}

impl FetchError {
    /// A stable code, e.g. `ERR_JWKS_UNAVAILABLE`; token errors keep their own code.
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::KeyNotFound { .. } => "ERR_JWKS_NO_MATCHING_KEY",
            FetchError::Unavailable { .. } => "ERR_JWKS_UNAVAILABLE",
            FetchError::InvalidResponse { .. } => "ERR_JWKS_INVALID_RESPONSE",
            FetchError::Discovery { .. } => "ERR_JWKS_DISCOVERY",
            FetchError::Config { .. } => "ERR_JWKS_CONFIG",
            FetchError::IssuerNotAllowed => "ERR_JWT_ISSUER_NOT_ALLOWED",
            FetchError::Token(e) => e.code(),
        }
    }

    /// Whether keys could not be obtained (HTTP 503), as opposed to a bad token (401).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            FetchError::Unavailable { .. }
                | FetchError::InvalidResponse { .. }
                | FetchError::Discovery { .. }
                | FetchError::Config { .. }
        )
    }

    /// The HTTP status a resource server should answer with: 401 or 503.
    pub fn http_status(&self) -> u16 {
        if self.is_unavailable() { 503 } else { 401 }
    }

    /// When the caller may retry, for `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::KeyNotFound { retry_after, .. }
            | FetchError::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn unavailable(reason: impl Into<String>) -> Self {
        FetchError::Unavailable {
            reason: reason.into(),
            retry_after: None,
        }
    }

    pub(crate) fn invalid(reason: impl Into<String>) -> Self {
        FetchError::InvalidResponse {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::KeyNotFound {
                kid: Some(kid),
                refreshed,
                ..
            } => {
                let kid: String = kid
                    .chars()
                    .map(|c| if c.is_control() { '?' } else { c })
                    .collect();
                write!(f, "no key with kid \"{kid}\" (refetched: {refreshed})")
            }
            FetchError::KeyNotFound {
                kid: None,
                refreshed,
                ..
            } => {
                write!(f, "no key matches the token (refetched: {refreshed})")
            }
            FetchError::Unavailable { reason, .. } => write!(f, "keys unavailable: {reason}"),
            FetchError::InvalidResponse { reason } => write!(f, "invalid JWKS response: {reason}"),
            FetchError::Discovery { reason } => write!(f, "OIDC discovery failed: {reason}"),
            FetchError::Config { reason } => write!(f, "fetcher configuration refused: {reason}"),
            FetchError::IssuerNotAllowed => {
                f.write_str("the token's issuer is not on the allowlist")
            }
            FetchError::Token(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for FetchError {}

impl From<jose_jwk::Error> for FetchError {
    fn from(e: jose_jwk::Error) -> Self {
        FetchError::Token(e)
    }
}

/// The key-source view of a fetch error: a bad token stays a token error, everything
/// [`FetchError::is_unavailable`] becomes [`KeySourceError::Unavailable`] with its code,
/// message and `retry_after`.
impl From<FetchError> for KeySourceError {
    fn from(e: FetchError) -> Self {
        match e {
            FetchError::Token(e) => KeySourceError::Token(e),
            FetchError::KeyNotFound {
                kid,
                refreshed,
                retry_after,
            } => KeySourceError::KeyNotFound {
                kid,
                refreshed,
                retry_after,
            },
            FetchError::IssuerNotAllowed => KeySourceError::IssuerNotAllowed,
            unavailable => KeySourceError::Unavailable {
                code: unavailable.code(),
                message: unavailable.to_string(),
                retry_after: unavailable.retry_after(),
            },
        }
    }
}
