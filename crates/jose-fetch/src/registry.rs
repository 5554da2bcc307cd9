//! Multi-tenant verification: one fetcher per allowed issuer, chosen by the token's `iss`.
//! Only issuers on the allowlist are ever contacted; a URL is never taken from a token.

use std::collections::HashMap;
use std::sync::Arc;

use jose_core::{Claims, CompactJws, Validation};

use crate::config::RemoteJwksBuilder;
use crate::error::FetchError;
use crate::fetcher::RemoteJwks;
use crate::telemetry;

/// Verifies tokens from several issuers, each with its own discovered, cached key set.
#[derive(Clone, Debug)]
pub struct IssuerRegistry {
    fetchers: Arc<HashMap<String, RemoteJwks>>,
}

/// Builds an [`IssuerRegistry`]; no I/O happens until tokens arrive.
#[must_use]
pub struct IssuerRegistryBuilder {
    issuers: Vec<String>,
    configure: Option<Box<dyn Fn(RemoteJwksBuilder) -> RemoteJwksBuilder>>,
}

impl IssuerRegistry {
    /// Starts an empty allowlist.
    pub fn builder() -> IssuerRegistryBuilder {
        IssuerRegistryBuilder {
            issuers: Vec::new(),
            configure: None,
        }
    }

    /// The fetcher for `issuer`, if it is on the allowlist.
    pub fn get(&self, issuer: &str) -> Option<&RemoteJwks> {
        self.fetchers.get(issuer)
    }

    /// Every issuer's fetcher.
    pub(crate) fn fetchers(&self) -> impl Iterator<Item = &RemoteJwks> {
        self.fetchers.values()
    }

    /// Verifies a JWT with the key set of the issuer it names. The `iss` read before
    /// verification only chooses the fetcher; after verification it is the verified claim,
    /// so a token cannot borrow another tenant's keys.
    pub async fn verify(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<jose_jwk::VerifiedJwt, FetchError> {
        match CompactJws::parse(token, validation.limits()) {
            Ok(token) => self.verify_parsed_jwt(&token, validation).await,
            Err(_) => refuse(),
        }
    }

    /// [`IssuerRegistry::verify`] on a token parsed once with [`CompactJws::parse`]: the
    /// issuer is read from that parse, and the chosen fetcher verifies the same parse.
    pub async fn verify_parsed_jwt(
        &self,
        token: &CompactJws<'_>,
        validation: &Validation,
    ) -> Result<jose_jwk::VerifiedJwt, FetchError> {
        self.fetcher_for(token)?
            .verify_parsed_jwt(token, validation)
            .await
    }

    /// A plain JWS whose payload is JSON claims naming an allowed `iss`, verified with
    /// that issuer's keys (signature only, no claim checks).
    pub async fn verify_parsed_jws(
        &self,
        token: &CompactJws<'_>,
        validation: &Validation,
    ) -> Result<jose_jwk::VerifiedJws, FetchError> {
        self.fetcher_for(token)?
            .verify_parsed_jws(token, validation)
            .await
    }

    /// The fetcher of the issuer the token's unverified `iss` names, if it is allowed.
    fn fetcher_for(&self, token: &CompactJws<'_>) -> Result<&RemoteJwks, FetchError> {
        let issuer = token.unverified_claims().ok().and_then(Claims::iss);
        match issuer.and_then(|issuer| self.fetchers.get(issuer)) {
            Some(fetcher) => Ok(fetcher),
            None => refuse(),
        }
    }
}

/// A token no allowed issuer's fetcher sees, counted here as their verdicts are there.
fn refuse<T>() -> Result<T, FetchError> {
    let refused = Err(FetchError::IssuerNotAllowed);
    telemetry::verified(&refused);
    refused
}

impl IssuerRegistryBuilder {
    /// Allows `issuer` (exact string, as in the tokens' `iss` and the discovery document).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Applies settings to every issuer's fetcher (timeouts, TTLs, HTTP client, ...).
    pub fn configure(
        mut self,
        f: impl Fn(RemoteJwksBuilder) -> RemoteJwksBuilder + 'static,
    ) -> Self {
        self.configure = Some(Box::new(f));
        self
    }

    /// Builds one fetcher per issuer.
    pub fn build(self) -> Result<IssuerRegistry, FetchError> {
        let mut fetchers = HashMap::with_capacity(self.issuers.len());
        for issuer in self.issuers {
            let mut builder = RemoteJwks::from_issuer(issuer.clone());
            if let Some(configure) = &self.configure {
                builder = configure(builder);
            }
            fetchers.insert(issuer, builder.build()?);
        }
        Ok(IssuerRegistry {
            fetchers: Arc::new(fetchers),
        })
    }
}
