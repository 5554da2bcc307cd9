#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The public interface is:
pub use crate::extract::{Claims, VerifiedToken};
pub use crate::grpc::Protocol;
pub use crate::layer::{JwtAuth, JwtAuthBuilder, JwtAuthService};
pub use crate::rejection::AuthRejection;
pub use crate::scope::{RequireScopes, RequireScopesService};
/// Where the keys come from: `jose_jwk`'s one key-source trait, implemented by a static
/// `JwkSet`, a single key, `jose_fetch`'s `RemoteJwks` and `IssuerRegistry` (the
/// default `remote` feature), and any source a service writes.
pub use jose_jwk::{KeySource, KeySourceError, VerifyFuture};

mod bearer;
mod extract;
mod grpc;
mod layer;
mod rejection;
mod scope;
