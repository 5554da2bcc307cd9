//! What the fetcher reports to the `metrics` facade (feature `metrics`; the table is in
//! the crate docs). Call sites are the same with and without the feature: without it
//! [`Telemetry`] is an empty struct whose methods do nothing, so nobody pays for it.
//!
//! Every label value is either a `&'static str` from a fixed set (fetch outcomes, error
//! codes) or the fetcher's configured source, so nothing from a token or a response
//! can grow the number of series.

use std::time::Duration;

use crate::error::FetchError;
use crate::fetcher::Source;

/// How one fetch attempt (discovery included) ended: the `outcome` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FetchOutcome {
    /// A new set was parsed from a `200`.
    Ok,
    /// A `304` revalidated the held set.
    NotModified,
    /// The endpoint answered a status that is neither `200` nor `304`.
    HttpError,
    /// The whole exchange outlasted the total timeout.
    Timeout,
    /// No connection (DNS, refused, TLS handshake).
    Connect,
    /// The connection broke while reading, or another transport failure.
    Transport,
    /// An answer that is not a usable set or discovery document (malformed, too large,
    /// a redirect the policy refuses, an `issuer` mismatch).
    Invalid,
}

impl FetchOutcome {
    /// The label value.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            FetchOutcome::Ok => "ok",
            FetchOutcome::NotModified => "not_modified",
            FetchOutcome::HttpError => "http_error",
            FetchOutcome::Timeout => "timeout",
            FetchOutcome::Connect => "connect",
            FetchOutcome::Transport => "transport",
            FetchOutcome::Invalid => "invalid",
        }
    }

    /// The outcome an error stands for when its site says nothing more precise.
    pub(crate) fn of(error: &FetchError) -> FetchOutcome {
        match error {
            FetchError::Unavailable { .. } => FetchOutcome::Transport,
            _ => FetchOutcome::Invalid,
        }
    }
}

/// The `result` label of `jose_verify_total`: `ok` or the error's stable code.
#[cfg_attr(not(feature = "metrics"), allow(dead_code))]
fn result_label<T>(result: &Result<T, FetchError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

pub(crate) use imp::{Telemetry, verified};

#[cfg(feature = "metrics")]
mod imp {
    use super::*;
    use metrics::{SharedString, counter, gauge};

    /// One fetcher's handle on the facade: its `source` label, made once.
    #[derive(Debug, Clone)]
    pub(crate) struct Telemetry {
        source: SharedString,
    }

    impl Telemetry {
        /// The `source` label: the issuer the fetcher discovers keys for, or the JWKS
        /// URL it was built with (scheme, host and path: a query may carry a secret).
        /// Fixed when the fetcher is built, never taken from a token.
        pub(crate) fn new(source: &Source) -> Self {
            let label: std::sync::Arc<str> = match source {
                Source::Jwks(url) => {
                    let mut url = url.clone();
                    url.set_query(None);
                    url.set_fragment(None);
                    url.as_str().into()
                }
                Source::Issuer { issuer, .. } => issuer.as_str().into(),
            };
            Telemetry {
                source: label.into(),
            }
        }

        pub(crate) fn fetched(&self, outcome: FetchOutcome) {
            counter!("jose_jwks_fetch_total", "source" => self.source.clone(), "outcome" => outcome.as_str())
                .increment(1);
        }

        pub(crate) fn unknown_kid_refetch(&self) {
            counter!("jose_jwks_unknown_kid_refetch_total", "source" => self.source.clone())
                .increment(1);
        }

        pub(crate) fn unknown_kid_refused(&self) {
            counter!("jose_jwks_unknown_kid_refused_total", "source" => self.source.clone())
                .increment(1);
        }

        pub(crate) fn stale_served(&self) {
            counter!("jose_jwks_stale_served_total", "source" => self.source.clone()).increment(1);
        }

        pub(crate) fn key_set_age(&self, age: Duration) {
            gauge!("jose_jwks_age_seconds", "source" => self.source.clone()).set(age.as_secs_f64());
        }
    }

    /// Counts one verification verdict in `jose_verify_total`.
    pub(crate) fn verified<T>(result: &Result<T, FetchError>) {
        counter!("jose_verify_total", "result" => result_label(result)).increment(1);
    }
}

#[cfg(not(feature = "metrics"))]
mod imp {
    use super::*;

    /// Without the `metrics` feature: nothing to hold, nothing to report.
    #[derive(Debug, Clone)]
    pub(crate) struct Telemetry;

    impl Telemetry {
        pub(crate) fn new(_source: &Source) -> Self {
            Telemetry
        }
        pub(crate) fn fetched(&self, _outcome: FetchOutcome) {}
        pub(crate) fn unknown_kid_refetch(&self) {}
        pub(crate) fn unknown_kid_refused(&self) {}
        pub(crate) fn stale_served(&self) {}
        pub(crate) fn key_set_age(&self, _age: Duration) {}
    }

    pub(crate) fn verified<T>(_result: &Result<T, FetchError>) {}
}
