//! One fetch over HTTP: redirects under the URL policy, the total deadline, conditional
//! revalidation (a 304 renews the stored set) and the snapshot a response makes.

use super::*;

impl Inner {
    pub(super) async fn fetch_once(
        &self,
        previous: Option<&Snapshot>,
    ) -> Result<Arc<Snapshot>, Attempt> {
        let url = self.jwks_url().await?;
        let mut headers = Vec::new();
        if let Some(prev) = previous {
            if let Some(etag) = &prev.etag {
                headers.push(("if-none-match".to_owned(), etag.clone()));
            }
            if let Some(modified) = &prev.last_modified {
                headers.push(("if-modified-since".to_owned(), modified.clone()));
            }
        }
        let response = self.get(url, headers).await?;
        match (response.status, previous) {
            (200, _) => self.parse(&response).map_err(Attempt::from),
            (304, Some(prev)) => {
                Metrics::bump(&self.metrics.fetch_not_modified);
                self.telemetry.fetched(FetchOutcome::NotModified);
                Ok(self.snapshot_from(&response, Arc::clone(&prev.set), Some(prev)))
            }
            (404 | 410, _) if matches!(self.source, Source::Issuer { .. }) => {
                // The provider moved its keys: discover again on the retry.
                self.state().discovered = None;
                Err(Attempt {
                    error: FetchError::invalid(format!(
                        "JWKS endpoint answered {}",
                        response.status
                    )),
                    retryable: true,
                    outcome: FetchOutcome::HttpError,
                })
            }
            (429 | 500..=599, _) => Err(Attempt {
                error: FetchError::Unavailable {
                    reason: format!("JWKS endpoint answered {}", response.status),
                    retry_after: cache_policy::retry_after(&response),
                },
                retryable: true,
                outcome: FetchOutcome::HttpError,
            }),
            (status, _) => Err(Attempt {
                error: FetchError::invalid(format!("JWKS endpoint answered {status}")),
                retryable: false,
                outcome: FetchOutcome::HttpError,
            }),
        }
    }

    pub(super) fn parse(&self, response: &HttpResponse) -> Result<Arc<Snapshot>, FetchError> {
        let options = JwkSetOptions::default()
            .max_keys(self.config.max_keys)
            .max_bytes(self.config.max_body);
        let set = JwkSet::from_json_with(&response.body, &options)
            .map_err(|e| FetchError::invalid(format!("{} ({})", e, e.code())))?;
        for skipped in set.skipped() {
            Metrics::bump(&self.metrics.keys_skipped);
            tracing::warn!(reason = skipped.reason_code(), "JWKS key skipped");
        }
        Metrics::bump(&self.metrics.fetch_ok);
        self.telemetry.fetched(FetchOutcome::Ok);
        tracing::info!(keys = set.len(), "JWKS fetched");
        Ok(self.snapshot_from(response, Arc::new(set), None))
    }

    /// The snapshot for a 200 (`revalidated` is `None`) or for a 304 that revalidated
    /// `revalidated`: what the 304 leaves out (validators, a lifetime, `Cache-Control`'s
    /// `stale-if-error`) is kept from the
    /// stored response, as RFC 9111 §4.3.4 updates a stored response.
    pub(super) fn snapshot_from(
        &self,
        response: &HttpResponse,
        set: Arc<JwkSet>,
        revalidated: Option<&Snapshot>,
    ) -> Arc<Snapshot> {
        let bounds = TtlBounds {
            default: revalidated.map_or(self.config.default_ttl, |prev| prev.lifetime),
            min: self.config.min_ttl,
            max: self.config.max_ttl,
        };
        let freshness = cache_policy::freshness(response, bounds);
        let now = self.clock.now();
        // Refresh-ahead at 80 % of the lifetime, jittered by ±10 % so replicas spread out.
        let jitter = (self.jitter.fraction() * 2.0 - 1.0) * self.config.refresh_jitter;
        let ahead = (self.config.refresh_ahead + jitter).clamp(0.0, 1.0);
        let stale_hint = match (revalidated, response.header("cache-control")) {
            (Some(prev), None) => prev.stale_hint,
            _ => freshness.stale_if_error,
        };
        // A larger server `stale-if-error` extends the window, but `Some(ZERO)` means the
        // caller never wants stale keys, whatever the server says.
        let stale_for = self.config.max_stale.map(|max| {
            if max.is_zero() {
                max
            } else {
                max.max(stale_hint.unwrap_or_default())
            }
        });
        let fresh_until = later(now, freshness.ttl);
        let kept = |name: &str, prev: Option<&String>| {
            response.header(name).map(str::to_owned).or(prev.cloned())
        };
        Arc::new(Snapshot {
            set,
            lifetime: freshness.ttl,
            stale_hint,
            fresh_until,
            refresh_at: later(now, freshness.ttl.mul_f64(ahead)),
            stale_until: stale_for.map(|d| later(fresh_until, d)),
            etag: kept("etag", revalidated.and_then(|p| p.etag.as_ref())),
            last_modified: kept(
                "last-modified",
                revalidated.and_then(|p| p.last_modified.as_ref()),
            ),
        })
    }

    /// One GET with the redirect rules and the total deadline applied.
    pub(super) async fn get(
        &self,
        url: Url,
        headers: Vec<(String, String)>,
    ) -> Result<HttpResponse, Attempt> {
        let exchange = async {
            let mut url = url;
            for _ in 0..=self.config.max_redirects {
                let request = HttpRequest {
                    url: url.to_string(),
                    headers: headers.clone(),
                    max_body: self.config.max_body,
                };
                let response = self.http.get(request).await.map_err(|e| match e {
                    HttpError::Connect(msg) => Attempt {
                        error: FetchError::unavailable(format!("connect: {msg}")),
                        retryable: true,
                        outcome: FetchOutcome::Connect,
                    },
                    HttpError::TooLarge => {
                        FetchError::invalid("response is larger than the limit").into()
                    }
                    HttpError::Other(msg) => FetchError::unavailable(msg).into(),
                })?;
                if matches!(response.status, 301 | 302 | 303 | 307 | 308) {
                    let location = response
                        .header("location")
                        .ok_or_else(|| FetchError::invalid("redirect without Location"))?;
                    url = url_policy::follow_redirect(&url, location)?;
                    continue;
                }
                return Ok(response);
            }
            Err(FetchError::invalid("too many redirects").into())
        };
        tokio::time::timeout(self.config.total_timeout, exchange)
            .await
            .unwrap_or_else(|_| {
                Err(Attempt {
                    error: FetchError::unavailable("request timed out"),
                    retryable: false,
                    outcome: FetchOutcome::Timeout,
                })
            })
    }
}
