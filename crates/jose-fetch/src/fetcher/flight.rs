//! Single flight: at most one fetch at a time, run in a spawned task that publishes
//! through a `watch` channel, so a caller that gives up never cancels it; each outcome is
//! recorded once (new snapshot, or backoff).

use super::*;

impl Inner {
    /// Starts a background refresh unless one is running or the backoff forbids it.
    ///
    /// Readers call this on every request once the refresh point has passed, for as long
    /// as a refresh is in flight or an outage lasts, so it never waits for the state lock:
    /// whoever holds it is starting a fetch or recording one, and the next read tries
    /// again.
    pub(super) fn refresh_in_background(self: &Arc<Self>, now: Instant) {
        let mut state = match self.state.try_lock() {
            Ok(state) => state,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        if state.in_flight.is_none() && state.retry_not_before.is_none_or(|at| now >= at) {
            drop(self.start_locked(&mut state, Trigger::Background, now));
        }
    }

    pub(super) fn start_or_join(
        self: &Arc<Self>,
        trigger: Trigger,
    ) -> watch::Receiver<Option<Outcome>> {
        let now = self.clock.now();
        let mut state = self.state();
        match &state.in_flight {
            Some(rx) => rx.clone(),
            None => self.start_locked(&mut state, trigger, now),
        }
    }

    /// Spawns the one fetch; the caller holds the state lock, so no second can start.
    pub(super) fn start_locked(
        self: &Arc<Self>,
        state: &mut State,
        trigger: Trigger,
        now: Instant,
    ) -> watch::Receiver<Option<Outcome>> {
        let (tx, rx) = watch::channel(None);
        state.in_flight = Some(rx.clone());
        if trigger != Trigger::Background {
            state.last_counted_fetch = Some(now);
        }
        let inner = Arc::clone(self);
        tokio::spawn(async move {
            let outcome = inner.fetch_with_retry(trigger).await;
            inner.finish(&outcome);
            // Nobody waiting is fine: the outcome is already published in `current`.
            let _ = tx.send(Some(outcome));
        });
        rx
    }

    pub(super) async fn wait(
        &self,
        mut rx: watch::Receiver<Option<Outcome>>,
        timeout: Duration,
    ) -> Outcome {
        let result = tokio::time::timeout(timeout, async {
            loop {
                if let Some(outcome) = rx.borrow_and_update().clone() {
                    return outcome;
                }
                if rx.changed().await.is_err() {
                    return Err(FetchError::unavailable(
                        "the fetch task ended without a result",
                    ));
                }
            }
        })
        .await;
        result.unwrap_or_else(|_| {
            Err(FetchError::Unavailable {
                reason: "timed out waiting for the key set".to_owned(),
                retry_after: None,
            })
        })
    }

    /// Records a finished fetch. A success replaces the snapshot and clears the backoff;
    /// a failure keeps the previous snapshot and schedules the next attempt.
    pub(super) fn finish(&self, outcome: &Outcome) {
        let now = self.clock.now();
        let mut state = self.state();
        state.in_flight = None;
        match outcome {
            Ok(snapshot) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) =
                    Some(Arc::clone(snapshot));
                state.last_success = Some(now);
                state.last_error = None;
                state.failures = 0;
                state.retry_not_before = None;
                self.telemetry
                    .key_set_age(now.saturating_duration_since(snapshot.fetched_at()));
            }
            Err(error) => {
                state.failures = state.failures.saturating_add(1);
                let backoff = jitter::backoff(
                    &self.jitter,
                    state.failures,
                    self.config.backoff_base,
                    self.config.backoff_max,
                );
                let delay = backoff.max(error.retry_after().unwrap_or_default());
                state.retry_not_before = Some(later(now, delay));
                state.last_error = Some(error.clone());
                tracing::warn!(error = %error, failures = state.failures, backoff_ms = delay.as_millis() as u64, "JWKS fetch failed");
            }
        }
    }

    pub(super) async fn fetch_with_retry(self: &Arc<Self>, trigger: Trigger) -> Outcome {
        let previous = self.snapshot();
        let attempts = async {
            let mut retried = false;
            loop {
                match self.fetch_once(previous.as_deref()).await {
                    Ok(snapshot) => return Ok(snapshot),
                    Err(attempt) => {
                        Metrics::bump(&self.metrics.fetch_failed);
                        self.telemetry.fetched(attempt.outcome);
                        let (low, high) = self.config.retry_delay;
                        // A server that asks for a longer pause than the retry delay
                        // gets it: the backoff in `finish` honours its Retry-After.
                        let pause_asked = attempt.error.retry_after().is_some_and(|d| d > high);
                        if attempt.retryable && !retried && !pause_asked {
                            retried = true;
                            tokio::time::sleep(self.jitter.between(low, high)).await;
                            continue;
                        }
                        return Err(attempt.error);
                    }
                }
            }
        };
        // `instrument`, not `span.enter()`: an entered guard held across `.await` would
        // stay entered on whichever worker thread runs other tasks meanwhile.
        attempts
            .instrument(tracing::info_span!("jwks_fetch", trigger = ?trigger))
            .await
    }
}
