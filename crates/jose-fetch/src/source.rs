//! The fetchers as `jose_jwk::KeySource`s, so a service (or the axum layer) holds any key
//! source behind one trait; their errors become `KeySourceError`s, 401 or 503 as
//! [`FetchError::is_unavailable`](crate::FetchError::is_unavailable) says.

use jose_core::{CompactJws, Validation};
use std::sync::Arc;

use jose_jwk::{KeySource, TokenCache, VerifiedJws, VerifiedJwt, VerifyFuture};

use crate::fetcher::RemoteJwks;
use crate::registry::IssuerRegistry;

/// `verify` and `verify_jws` of a fetcher type, by its own `verify_parsed_jwt` /
/// `verify_parsed_jws`, whose `FetchError`s become `KeySourceError`s.
macro_rules! parsed_verification {
    () => {
        fn verify<'a>(
            &'a self,
            token: &'a CompactJws<'a>,
            validation: &'a Validation,
        ) -> VerifyFuture<'a, VerifiedJwt> {
            Box::pin(async move { Ok(self.verify_parsed_jwt(token, validation).await?) })
        }

        fn verify_jws<'a>(
            &'a self,
            token: &'a CompactJws<'a>,
            validation: &'a Validation,
        ) -> VerifyFuture<'a, VerifiedJws> {
            Box::pin(async move { Ok(self.verify_parsed_jws(token, validation).await?) })
        }
    };
}

impl KeySource for RemoteJwks {
    parsed_verification!();

    /// A key is trusted while the set this fetcher would verify with now holds it.
    fn trusts(&self, key: &jose_jwk::KeyId) -> bool {
        self.current().is_some_and(|set| set.contains(key))
    }

    /// The cache's counts then show in [`RemoteJwks::status`].
    fn token_cache_attached(&self, cache: &Arc<TokenCache>) {
        self.attach_token_cache(cache);
    }
}

impl KeySource for IssuerRegistry {
    parsed_verification!();

    /// Every issuer's fetcher reports the cache in its status.
    fn token_cache_attached(&self, cache: &Arc<TokenCache>) {
        for fetcher in self.fetchers() {
            fetcher.attach_token_cache(cache);
        }
    }
}
