//! The discovered `jwks_uri`, cached for `discovery_ttl` and forgotten after a 404/410.

use super::*;

impl Inner {
    /// The JWKS URL, discovering it (and caching it for a day) for issuer sources.
    pub(super) async fn jwks_url(&self) -> Result<Url, Attempt> {
        let (issuer, discovery_url) = match &self.source {
            Source::Jwks(url) => return Ok(url.clone()),
            Source::Issuer {
                issuer,
                discovery_url,
            } => (issuer, discovery_url),
        };
        let now = self.clock.now();
        if let Some((url, until)) = &self.state().discovered
            && now < *until
        {
            return Ok(url.clone());
        }
        let response = self
            .get(discovery_url.clone(), Vec::new())
            .await
            .map_err(|a| Attempt {
                error: FetchError::Discovery {
                    reason: a.error.to_string(),
                },
                retryable: a.retryable,
                outcome: a.outcome,
            })?;
        if response.status != 200 {
            return Err(Attempt {
                error: FetchError::Discovery {
                    reason: format!("discovery document answered {}", response.status),
                },
                retryable: response.status == 429 || response.status >= 500,
                outcome: FetchOutcome::HttpError,
            });
        }
        let url = discovery::jwks_uri(&response.body, issuer)?;
        self.state().discovered = Some((url.clone(), later(now, self.config.discovery_ttl)));
        Ok(url)
    }
}
