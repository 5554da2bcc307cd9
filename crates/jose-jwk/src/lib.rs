#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The public interface is:
pub use crate::cache::{TokenCache, TokenCacheOptions, TokenCacheStats};
pub use crate::error::Error;
pub use crate::jwk::Jwk;
pub use crate::options::JwkSetOptions;
pub use crate::set::{Candidates, JwkSet};
pub use crate::skip::{SkipReason, SkippedKey};
pub use crate::source::{KeySource, KeySourceError, VerifyFuture};
pub use crate::thumbprint::thumbprint_sha256;
pub use crate::verified::{KeyId, VerifiedJws, VerifiedJwt};

mod cache;
mod error;
mod jwk;
mod options;
mod set;
mod skip;
mod source;
mod telemetry;
mod thumbprint;
mod verified;
mod x5c;
