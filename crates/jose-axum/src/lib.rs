#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The public interface is:
pub use crate::extract::{Claims, VerifiedToken};
pub use crate::layer::{JwtAuth, JwtAuthBuilder, JwtAuthService};
pub use crate::rejection::AuthRejection;
pub use crate::scope::{RequireScopes, RequireScopesService};
pub use crate::source::{KeySource, VerifyFuture};

mod bearer;
mod extract;
mod layer;
mod rejection;
mod scope;
mod source;
