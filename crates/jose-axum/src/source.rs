//! Where the verifying keys come from: one small trait, implemented for the remote fetcher,
//! the issuer registry, a static key set, and anything the service writes itself.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use jose_core::Validation;
use jose_fetch::{FetchError, IssuerRegistry, RemoteJwks};
use jose_jwk::{JwkSet, VerifiedJwt};

/// The future a [`KeySource`] returns.
pub type VerifyFuture<'a> =
    Pin<Box<dyn Future<Output = Result<VerifiedJwt, FetchError>> + Send + 'a>>;

/// Verifies a token with keys from a trusted source.
///
/// Implemented for [`RemoteJwks`] (a provider's JWK Set, cached and refreshed by policy),
/// [`IssuerRegistry`] (several allowlisted issuers), [`JwkSet`] (keys known at startup,
/// e.g. from a file) and `Arc` of any of them. Your own source (a database of tenant
/// keys, a lookup through a service mesh) implements it too: answer
/// [`FetchError::Token`] for a bad token (401) and [`FetchError::Unavailable`] when the
/// keys cannot be had right now (503).
///
/// ```
/// use jose_axum::{KeySource, VerifyFuture};
/// use jose_core::Validation;
/// use jose_jwk::JwkSet;
///
/// /// Keys that rotate by a deploy, read from a shared snapshot.
/// struct Rotating(std::sync::RwLock<std::sync::Arc<JwkSet>>);
///
/// impl KeySource for Rotating {
///     fn verify<'a>(&'a self, token: &'a str, validation: &'a Validation) -> VerifyFuture<'a> {
///         let set = self.0.read().unwrap_or_else(|e| e.into_inner()).clone();
///         Box::pin(async move { Ok(set.verify_jwt(token, validation)?) })
///     }
/// }
/// ```
pub trait KeySource: Send + Sync + 'static {
    /// Verifies `token` (signature and claims) against `validation`.
    fn verify<'a>(&'a self, token: &'a str, validation: &'a Validation) -> VerifyFuture<'a>;
}

impl KeySource for RemoteJwks {
    fn verify<'a>(&'a self, token: &'a str, validation: &'a Validation) -> VerifyFuture<'a> {
        Box::pin(RemoteJwks::verify(self, token, validation))
    }
}

impl KeySource for IssuerRegistry {
    fn verify<'a>(&'a self, token: &'a str, validation: &'a Validation) -> VerifyFuture<'a> {
        Box::pin(IssuerRegistry::verify(self, token, validation))
    }
}

impl KeySource for JwkSet {
    fn verify<'a>(&'a self, token: &'a str, validation: &'a Validation) -> VerifyFuture<'a> {
        let result = self
            .verify_jwt(token, validation)
            .map_err(FetchError::Token);
        Box::pin(std::future::ready(result))
    }
}

impl<K: KeySource + ?Sized> KeySource for Arc<K> {
    fn verify<'a>(&'a self, token: &'a str, validation: &'a Validation) -> VerifyFuture<'a> {
        K::verify(self, token, validation)
    }
}
