//! Verification against the held set, and the unknown-`kid` path: join the fetch in
//! flight, check a set published since, or refetch when the budget and the pre-checks on
//! the unverified token allow (docs/DESIGN.md §7).

use super::*;

impl Inner {
    /// Parses a token for the string entry points. A malformed token is reported after
    /// the set is read, so with no usable set it is `Unavailable` (503): a caller of
    /// the string API cannot tell a bad token from missing keys until keys exist.
    pub(super) async fn parse_token<'t>(
        self: &Arc<Self>,
        token: &'t str,
        validation: &Validation,
    ) -> Result<CompactJws<'t>, FetchError> {
        match CompactJws::parse(token, validation.limits()) {
            Ok(parsed) => Ok(parsed),
            Err(e) => {
                self.ensure_timer();
                let refused = match self.read_set().await {
                    Ok(_) => Err(FetchError::Token(e.into())),
                    Err(unavailable) => Err(unavailable),
                };
                telemetry::verified(&refused);
                refused
            }
        }
    }

    /// Verifies with the held set or a newer one, and counts the verdict.
    pub(super) async fn verify_with<T>(
        self: &Arc<Self>,
        token: &CompactJws<'_>,
        validation: &Validation,
        claim_prechecks: bool,
        verify: impl Fn(&JwkSet) -> Result<T, jose_jwk::Error>,
    ) -> Result<T, FetchError> {
        let result = self
            .verify_uncounted(token, validation, claim_prechecks, verify)
            .await;
        telemetry::verified(&result);
        result
    }

    async fn verify_uncounted<T>(
        self: &Arc<Self>,
        token: &CompactJws<'_>,
        validation: &Validation,
        claim_prechecks: bool,
        verify: impl Fn(&JwkSet) -> Result<T, jose_jwk::Error>,
    ) -> Result<T, FetchError> {
        self.ensure_timer();
        let snapshot = self.read_set().await?;
        let error = match verify(&snapshot.set) {
            Ok(verified) => return Ok(verified),
            Err(e) => e,
        };
        let retry = match error.as_jose() {
            Some(jose_core::Error::NoMatchingKey) => true,
            Some(jose_core::Error::SignatureInvalid) => self.config.refetch_on_signature_failure,
            _ => false,
        };
        if !retry {
            return Err(FetchError::Token(error));
        }
        self.check_again(&snapshot, token, validation, claim_prechecks, verify)
            .await
    }

    /// After `checked` had no key for the token: checks it against a newer set, from the
    /// fetch in flight, one published since, or a refetch the budget allows.
    pub(super) async fn check_again<T>(
        self: &Arc<Self>,
        checked: &Arc<Snapshot>,
        token: &CompactJws<'_>,
        validation: &Validation,
        claim_prechecks: bool,
        verify: impl Fn(&JwkSet) -> Result<T, jose_jwk::Error>,
    ) -> Result<T, FetchError> {
        let not_found = |refreshed, retry_after| FetchError::KeyNotFound {
            kid: token.header().kid().map(str::to_owned),
            refreshed,
            retry_after,
        };
        let newer = {
            let now = self.clock.now();
            let mut state = self.state();
            if let Some(rx) = &state.in_flight {
                // Join the fetch already running: it may bring the key.
                Newer::Fetch(rx.clone())
            } else if let Some(published) = self
                .snapshot()
                .filter(|current| !Arc::ptr_eq(current, checked))
            {
                // A fetch finished between our read and this lock (a rotation racing
                // this token): its set may hold the key, and the cooldown it started
                // must not refuse a token that set can verify.
                Newer::Published(published)
            } else if !worth_refetching(
                token,
                validation,
                claim_prechecks,
                self.config.issuer.as_deref(),
            ) {
                return Err(not_found(false, None));
            } else if let Some(wait) = self.refetch_blocked(&state, now) {
                Metrics::bump(&self.metrics.unknown_kid_cooldown);
                self.telemetry.unknown_kid_refused();
                tracing::debug!(
                    retry_after_ms = wait.as_millis() as u64,
                    "unknown kid: refetch refused by cooldown"
                );
                return Err(match &state.last_error {
                    // The last fetch failed: the key may exist and we cannot know, so
                    // 503, not 401 (clients keep the token and retry).
                    Some(error) => FetchError::Unavailable {
                        reason: error.to_string(),
                        retry_after: Some(wait),
                    },
                    None => not_found(false, Some(wait)),
                });
            } else {
                Metrics::bump(&self.metrics.unknown_kid_refetch);
                self.telemetry.unknown_kid_refetch();
                tracing::info!("unknown kid: refetching the key set");
                Newer::Fetch(self.start_locked(&mut state, Trigger::UnknownKid, now))
            }
        };
        let fresh = match newer {
            Newer::Fetch(rx) => self.wait(rx, self.config.wait_timeout).await?,
            Newer::Published(snapshot) => snapshot,
        };
        match verify(&fresh.set) {
            Ok(verified) => Ok(verified),
            Err(e) if matches!(e.as_jose(), Some(jose_core::Error::NoMatchingKey)) => {
                Err(not_found(true, None))
            }
            Err(e) => Err(FetchError::Token(e)),
        }
    }

    /// How long until an unknown-`kid` refetch is allowed (cooldown and backoff), or
    /// `None` if it is now.
    pub(super) fn refetch_blocked(&self, state: &State, now: Instant) -> Option<Duration> {
        let cooldown = state
            .last_counted_fetch
            .map(|t| later(t, self.config.unknown_kid_cooldown).saturating_duration_since(now))
            .unwrap_or_default();
        let backoff = state
            .retry_not_before
            .map(|t| t.saturating_duration_since(now))
            .unwrap_or_default();
        let wait = cooldown.max(backoff);
        (!wait.is_zero()).then_some(wait)
    }
}

/// Cheap checks on the *unverified* token that decide only whether an unknown `kid` is
/// worth a refetch, never whether the token is accepted: its `alg` is allowed, and for
/// JWTs its `iss` is this fetcher's issuer (when bound) and it is not long expired.
///
/// The claims are read with the strict parser verification uses, once: a token whose
/// claims verification would refuse is not worth a fetch either.
fn worth_refetching(
    token: &CompactJws<'_>,
    validation: &Validation,
    claim_prechecks: bool,
    issuer: Option<&str>,
) -> bool {
    if validation.check_algorithm(token.alg()).is_err() {
        return false;
    }
    if !claim_prechecks {
        return true;
    }
    let Ok(claims) = token.unverified_claims() else {
        return false;
    };
    if let Some(expected) = issuer
        && claims.iss() != Some(expected)
    {
        return false;
    }
    // Generous slack: this is a fetch gate, the real check comes after verification.
    const SLACK_SECS: u64 = 300;
    match claims.exp() {
        Some(exp) => exp.saturating_add(SLACK_SECS) > validation.now(),
        None => true,
    }
}

/// What an unknown-`kid` token is checked against again.
enum Newer {
    /// The fetch in flight, joined or started.
    Fetch(watch::Receiver<Option<Outcome>>),
    /// A set published since the token was first checked.
    Published(Arc<Snapshot>),
}
