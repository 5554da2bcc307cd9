//! The error type of `jose-jwk`: set-level failures, single-key failures, and every
//! `jose-core` error passed through with its own stable code.

use core::fmt;

use crate::skip::{SkipReason, SkippedKey};

/// What went wrong while reading a key set or verifying a token against it.
///
/// [`Error::code`] is stable; errors from token verification keep the code `jose-core`
/// gave them (`ERR_JWS_SIGNATURE_INVALID`, `ERR_JWKS_NO_MATCHING_KEY`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Token parsing, signature or claims validation failed.
    Jose(jose_core::Error),
    /// The document is not a JWK Set: not JSON, not an object, no `keys` array.
    JwksInvalid {
        /// What was wrong, in a few words.
        reason: &'static str,
    },
    /// The document exceeds a limit of [`JwkSetOptions`](crate::JwkSetOptions).
    LimitExceeded {
        /// Which limit: `"JWKS size"` or `"number of keys"`.
        limit: &'static str,
        /// The configured maximum.
        max: usize,
    },
    /// The set parsed, but not one of its keys can verify signatures. A fetcher treats
    /// this as a failed fetch and keeps its previous set.
    NoUsableKeys {
        /// Every key of the set, each with the reason it was skipped.
        skipped: Vec<SkippedKey>,
    },
    /// A single JWK (not a set) was refused.
    JwkInvalid(SkipReason),
}

impl Error {
    /// A stable, machine-readable code, e.g. `ERR_JWKS_NO_USABLE_KEYS`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Jose(e) => e.code(),
            Error::JwksInvalid { .. } => "ERR_JWKS_INVALID",
            Error::LimitExceeded { .. } => "ERR_JWKS_LIMIT_EXCEEDED",
            Error::NoUsableKeys { .. } => "ERR_JWKS_NO_USABLE_KEYS",
            Error::JwkInvalid(reason) => reason.code(),
        }
    }

    /// The `jose-core` error, when this is a token verification failure.
    pub fn as_jose(&self) -> Option<&jose_core::Error> {
        match self {
            Error::Jose(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Jose(e) => e.fmt(f),
            Error::JwksInvalid { reason } => write!(f, "not a JWK Set: {reason}"),
            Error::LimitExceeded { limit, max } => {
                write!(f, "{limit} exceeds the limit of {max}")
            }
            Error::NoUsableKeys { skipped } => write!(
                f,
                "the JWK Set has no usable signing key ({} skipped)",
                skipped.len()
            ),
            Error::JwkInvalid(reason) => write!(f, "JWK refused: {reason}"),
        }
    }
}

impl core::error::Error for Error {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Error::Jose(e) => Some(e),
            _ => None,
        }
    }
}

impl From<jose_core::Error> for Error {
    fn from(e: jose_core::Error) -> Self {
        Error::Jose(e)
    }
}
