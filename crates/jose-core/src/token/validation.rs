//! What the caller accepts: algorithms, issuer, audience, time rules, `typ`, limits.

use std::sync::Arc;

use serde_json::Value;

use super::claims::{Claims, NumericDate, Registered, audiences};
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
use super::clock::SystemClock;
use super::clock::{Clock, FixedClock};
use super::header::Header;
use super::limits::Limits;
use crate::algorithm::{Algorithm, AlgorithmSet};
use crate::error::{Error, Result};

/// The rules a token must satisfy, built with [`Validation::builder`].
///
/// The algorithm allowlist is required: there is no default that accepts "whatever the
/// token says". Configuring an issuer or audience makes that claim mandatory.
///
/// ```
/// use jose_core::{Algorithm, Validation};
/// let validation = Validation::builder([Algorithm::RS256])
///     .issuer("https://login.example.com/")
///     .audience("api://orders")
///     .leeway(30)
///     .build();
/// assert!(validation.algorithms().contains(Algorithm::RS256));
/// ```
#[derive(Debug, Clone)]
pub struct Validation {
    algorithms: AlgorithmSet,
    issuers: Vec<String>,
    audience: Audience,
    leeway: u64,
    require_exp: bool,
    max_age: Option<u64>,
    required: Vec<String>,
    typ: Option<String>,
    /// `None` until the caller sets one: then the system clock, or, on a target without
    /// one, [`Error::ClockUnavailable`] for every token.
    clock: Option<Arc<dyn Clock>>,
    limits: Limits,
}

/// The clock of a [`Validation`] that was given none.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
const DEFAULT_CLOCK: Option<&dyn Clock> = Some(&SystemClock);
/// wasm32-unknown-unknown has no system clock (`SystemTime::now` panics there), so a
/// validation without an explicit clock fails with a typed error instead.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
const DEFAULT_CLOCK: Option<&dyn Clock> = None;

/// How `aud` is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Audience {
    /// Nothing configured: a token that carries `aud` is rejected, because accepting a
    /// token meant for another service is the usual way audience bugs happen.
    Unset,
    /// The caller explicitly accepts any (or no) audience.
    Any,
    /// `aud` must contain at least one of these.
    OneOf(Vec<String>),
}

/// Builds a [`Validation`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ValidationBuilder(Validation);

impl Validation {
    /// Starts a validation that accepts only `algorithms`.
    ///
    /// Defaults: `exp` required, 60 s leeway, no issuer check, tokens with an `aud`
    /// rejected until [`audience`](ValidationBuilder::audience) or
    /// [`accept_any_audience`](ValidationBuilder::accept_any_audience) is set, the system
    /// clock, default [`Limits`]. On wasm32-unknown-unknown, which has no system clock,
    /// set the time with [`clock`](ValidationBuilder::clock) or
    /// [`now`](ValidationBuilder::now): without it every token fails with
    /// [`Error::ClockUnavailable`].
    pub fn builder(algorithms: impl Into<AlgorithmSet>) -> ValidationBuilder {
        ValidationBuilder(Validation {
            algorithms: algorithms.into(),
            issuers: Vec::new(),
            audience: Audience::Unset,
            leeway: 60,
            require_exp: true,
            max_age: None,
            required: Vec::new(),
            typ: None,
            clock: None,
            limits: Limits::default(),
        })
    }

    /// The allowed algorithms.
    pub fn algorithms(&self) -> AlgorithmSet {
        self.algorithms
    }

    /// The input limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The current time according to the configured clock; `u64::MAX` (the far future,
    /// when every deadline has passed) where there is none (see [`Validation::builder`]).
    pub fn now(&self) -> u64 {
        self.now_or(DEFAULT_CLOCK).unwrap_or(u64::MAX)
    }

    /// The configured clock's time, else `default`'s, else [`Error::ClockUnavailable`].
    fn now_or(&self, default: Option<&dyn Clock>) -> Result<u64> {
        self.clock
            .as_deref()
            .or(default)
            .map(|clock| clock.now_unix())
            .ok_or(Error::ClockUnavailable)
    }

    /// Fails unless `alg` is allowed.
    pub fn check_algorithm(&self, alg: Algorithm) -> Result<()> {
        if self.algorithms.contains(alg) {
            Ok(())
        } else {
            Err(Error::AlgNotAllowed { alg })
        }
    }

    /// Header checks made before any key is looked at: algorithm allowlist and `typ`.
    pub(crate) fn check_header(&self, header: &Header) -> Result<()> {
        self.check_algorithm(header.alg())?;
        if let Some(expected) = &self.typ {
            let actual = header.typ().ok_or(Error::ClaimInvalid {
                claim: "typ",
                reason: "missing",
            })?;
            if !media_type_eq(expected, actual) {
                return Err(Error::ClaimInvalid {
                    claim: "typ",
                    reason: "not the expected type",
                });
            }
        }
        Ok(())
    }

    /// Validates the claims of a token whose signature has been verified.
    pub(crate) fn validate_claims(&self, payload: &[u8]) -> Result<Claims> {
        Claims::parse(payload, self.limits.json_depth(), |claims| {
            self.check_registered(claims)
        })
    }

    /// Checks claims against this validation at its current time: issuer, audience,
    /// required claims and every time rule (`exp`, `nbf`, `iat`, maximum age, with the
    /// leeway).
    ///
    /// Verification already does this; call it to reuse a verdict later, as a cache of
    /// verified tokens does, so that a token is never accepted past its `exp`. It checks
    /// no signature: pass it only claims that a verification with this validation
    /// returned.
    pub fn check_claims(&self, claims: &Claims) -> Result<()> {
        self.check_registered(&claims.registered()?)
    }

    fn check_registered(&self, claims: &Registered<'_>) -> Result<()> {
        for name in &self.required {
            if !claims.all.contains_key(name) {
                return Err(Error::ClaimMissing {
                    claim: name.clone(),
                });
            }
        }
        self.check_issuer(claims.iss)?;
        self.check_audience(claims.aud)?;
        self.check_times(claims)
    }

    fn check_issuer(&self, iss: Option<&str>) -> Result<()> {
        if self.issuers.is_empty() {
            return Ok(());
        }
        let iss = iss.ok_or_else(|| Error::ClaimMissing {
            claim: "iss".into(),
        })?;
        if self.issuers.iter().any(|expected| expected == iss) {
            Ok(())
        } else {
            Err(Error::ClaimInvalid {
                claim: "iss",
                reason: "not the expected issuer",
            })
        }
    }

    fn check_audience(&self, aud: Option<&Value>) -> Result<()> {
        match &self.audience {
            Audience::Any => Ok(()),
            Audience::Unset if aud.is_none() => Ok(()),
            Audience::Unset => Err(Error::ClaimInvalid {
                claim: "aud",
                reason: "token names an audience but none is configured",
            }),
            Audience::OneOf(expected) => {
                if aud.is_none() {
                    return Err(Error::ClaimMissing {
                        claim: "aud".into(),
                    });
                }
                if audiences(aud).any(|aud| expected.iter().any(|e| e == aud)) {
                    Ok(())
                } else {
                    Err(Error::ClaimInvalid {
                        claim: "aud",
                        reason: "no expected audience present",
                    })
                }
            }
        }
    }

    fn check_times(&self, claims: &Registered<'_>) -> Result<()> {
        let now = self.now_or(DEFAULT_CLOCK)?;
        // NumericDates are capped far below u64::MAX, so these additions cannot wrap;
        // saturating keeps that true for any leeway.
        let leeway = self.leeway;
        match claims.exp.map(NumericDate::floor) {
            Some(exp) if now >= exp.saturating_add(leeway) => {
                return Err(Error::Expired { claim: "exp" });
            }
            None if self.require_exp => {
                return Err(Error::ClaimMissing {
                    claim: "exp".into(),
                });
            }
            _ => {}
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf.ceil() > now.saturating_add(leeway))
        {
            return Err(Error::NotYetValid);
        }
        if claims
            .iat
            .is_some_and(|iat| iat.ceil() > now.saturating_add(leeway))
        {
            return Err(Error::ClaimInvalid {
                claim: "iat",
                reason: "issued in the future",
            });
        }
        if let Some(max_age) = self.max_age {
            let iat = claims
                .iat
                .map(NumericDate::floor)
                .ok_or_else(|| Error::ClaimMissing {
                    claim: "iat".into(),
                })?;
            if now.saturating_sub(iat) > max_age.saturating_add(leeway) {
                return Err(Error::Expired { claim: "iat" });
            }
        }
        Ok(())
    }
}

/// Compares media types as RFC 7515 §4.1.9 asks: case-insensitively, with the
/// `application/` prefix optional on either side.
fn media_type_eq(a: &str, b: &str) -> bool {
    fn strip(s: &str) -> &str {
        match s.get(..12) {
            Some(prefix) if prefix.eq_ignore_ascii_case("application/") => {
                s.get(12..).unwrap_or_default()
            }
            _ => s,
        }
    }
    strip(a).eq_ignore_ascii_case(strip(b))
}

impl ValidationBuilder {
    /// Requires `iss` to equal `issuer` exactly. Call again to accept several issuers.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.0.issuers.push(issuer.into());
        self
    }

    /// Requires `aud` (a string or an array) to contain `audience`. Call again to accept
    /// several; one match is enough.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        match &mut self.0.audience {
            Audience::OneOf(list) => list.push(audience.into()),
            other => *other = Audience::OneOf(vec![audience.into()]),
        }
        self
    }

    /// Accepts tokens for any audience, or none. Only for tools and services that check
    /// the audience some other way.
    pub fn accept_any_audience(mut self) -> Self {
        self.0.audience = Audience::Any;
        self
    }

    /// Clock skew tolerated on `exp`, `nbf`, `iat` and the maximum age (default 60 s).
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.0.leeway = seconds;
        self
    }

    /// Whether `exp` must be present (default `true`).
    pub fn require_exp(mut self, required: bool) -> Self {
        self.0.require_exp = required;
        self
    }

    /// Rejects tokens issued more than `seconds` ago; makes `iat` mandatory.
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.0.max_age = Some(seconds);
        self
    }

    /// Requires a claim to be present (any value).
    pub fn require_claim(mut self, name: impl Into<String>) -> Self {
        self.0.required.push(name.into());
        self
    }

    /// Requires the header's `typ` to match, case-insensitively and with or without the
    /// `application/` prefix (e.g. `at+jwt` for RFC 9068 access tokens).
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.0.typ = Some(typ.into());
        self
    }

    /// Reads the time from `clock` instead of the system clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.0.clock = Some(Arc::new(clock));
        self
    }

    /// Fixes the time at `unix_seconds` (tests, incident forensics).
    pub fn now(self, unix_seconds: u64) -> Self {
        self.clock(FixedClock(unix_seconds))
    }

    /// Input limits (token length, header size, nesting, `kid` length, key budget).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.0.limits = limits;
        self
    }

    /// Finishes the validation.
    pub fn build(self) -> Validation {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert!(media_type_eq("at+jwt", "at+JWT"));
        assert!(media_type_eq("at+jwt", "application/at+jwt"));
        assert!(media_type_eq("Application/AT+jwt", "at+jwt"));
        assert!(!media_type_eq("at+jwt", "jwt"));
        assert!(!media_type_eq("at+jwt", "application/"));
        assert!(!media_type_eq("at+jwt", "x-application/at+jwt"));
        // Only the exact prefix is optional, not any twelve leading bytes.
        assert!(!media_type_eq("at+jwt", "application!at+jwt"));
        assert!(!media_type_eq("123456789012jwt", "jwt"));
    }

    /// Without a system clock (wasm32-unknown-unknown) and without a configured one, the
    /// time checks fail with a typed error rather than reading a clock that panics.
    #[test]
    fn no_clock_is_a_typed_error() {
        let unset = Validation::builder([Algorithm::ES256]).build();
        assert_eq!(unset.now_or(None), Err(Error::ClockUnavailable));
        assert_eq!(Error::ClockUnavailable.code(), "ERR_JOSE_CLOCK_UNAVAILABLE");
        let fixed = Validation::builder([Algorithm::ES256])
            .now(1_700_000_000)
            .build();
        assert_eq!(fixed.now_or(None), Ok(1_700_000_000));
        assert_eq!(fixed.now(), 1_700_000_000);
        // A configured clock wins over the default one.
        assert_eq!(fixed.now_or(Some(&FixedClock(5))), Ok(1_700_000_000));
        assert_eq!(unset.now_or(Some(&FixedClock(5))), Ok(5));
    }
}
