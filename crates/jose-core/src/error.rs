//! The one error type of `jose-core`, with a stable code per variant.
//!
//! Messages are short and never contain the token, a key, or a claim value taken from the
//! token (an attacker chooses those, and logs are read by people). Where a variant carries
//! context it is our own bounded data: a claim name we know, a limit we set, a time.

use core::fmt;

/// Everything that can go wrong while parsing, verifying or validating a token or key.
///
/// Match on [`Error::code`] when you need a stable identifier (for logs, metrics or an
/// API response): codes never change meaning once released. The `Display` text is for
/// people and may be reworded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The token is not a well-formed compact JWS (segments, base64url, header JSON).
    JwsInvalid {
        /// What was wrong, in a few words.
        reason: &'static str,
    },
    /// An input exceeded one of the configured [`Limits`](crate::Limits).
    LimitExceeded {
        /// Which limit: `"token length"`, `"header size"`, `"JSON nesting"`, ...
        limit: &'static str,
        /// The configured maximum.
        max: usize,
    },
    /// The header lists a critical extension (`crit`) this library does not understand,
    /// or `crit` itself is malformed.
    CritUnsupported {
        /// What was wrong, in a few words.
        reason: &'static str,
    },
    /// The token's `alg` names an algorithm that is never accepted: `none`, the HMAC
    /// family (this library verifies with public keys only), or an unknown name.
    AlgUnsupported {
        /// Why, in a few words.
        reason: &'static str,
    },
    /// The token's `alg` is a supported algorithm that the caller did not allow.
    AlgNotAllowed {
        /// The algorithm the token asked for.
        alg: crate::Algorithm,
    },
    /// The key cannot be used with the token's algorithm (wrong key type or curve). A
    /// key's size is checked once, when it is imported.
    KeyMismatch {
        /// The algorithm the token asked for.
        alg: crate::Algorithm,
        /// What the key is.
        key: &'static str,
    },
    /// A key was rejected when it was imported.
    KeyInvalid {
        /// What was wrong, in a few words.
        reason: &'static str,
    },
    /// No key from the caller's source can verify this token: none has its `kid`, or none
    /// fits its `alg`. Reported before any signature work is done.
    NoMatchingKey,
    /// The signature does not verify. Deliberately opaque: padding, encoding and range
    /// details are not reported.
    SignatureInvalid,
    /// The payload of a JWT is not a JSON object, or not valid JSON.
    JwtInvalid {
        /// What was wrong, in a few words.
        reason: &'static str,
    },
    /// The token has expired (`exp`, or the configured maximum age since `iat`).
    Expired {
        /// The claim that decided it: `"exp"` or `"iat"` (maximum age).
        claim: &'static str,
    },
    /// The token is not valid yet (`nbf` in the future beyond the leeway).
    NotYetValid,
    /// A claim the caller requires is absent.
    ClaimMissing {
        /// The claim's name.
        claim: String,
    },
    /// A registered claim is present but has the wrong JSON type or an out-of-range
    /// value (for example `exp` as a string). Malformed is never treated as absent.
    ClaimMalformed {
        /// The claim's name.
        claim: &'static str,
    },
    /// A claim is well-formed but does not satisfy the caller's rule (issuer, audience,
    /// `iat` in the future, `typ`).
    ClaimInvalid {
        /// The claim or header parameter: `"iss"`, `"aud"`, `"iat"`, `"typ"`.
        claim: &'static str,
        /// Why, in a few words (never the claim's value).
        reason: &'static str,
    },
    /// The verified claims do not deserialize into the caller's type.
    ClaimsType {
        /// serde's description, with any quoted input removed.
        reason: String,
    },
    /// The [`Validation`](crate::Validation) has no clock to check the token's times
    /// against: on a target without a system clock (wasm32-unknown-unknown) the caller
    /// must set one with `clock` or `now`. A configuration error, never the token's.
    ClockUnavailable,
}

impl Error {
    /// A stable, machine-readable code for this error, e.g. `ERR_JWS_SIGNATURE_INVALID`.
    ///
    /// Codes are part of the public API: they are never renamed or reused.
    pub fn code(&self) -> &'static str {
        match self {
            Error::JwsInvalid { .. } => "ERR_JWS_INVALID",
            Error::LimitExceeded { .. } => "ERR_JOSE_LIMIT_EXCEEDED",
            Error::CritUnsupported { .. } => "ERR_JWS_CRIT_UNSUPPORTED",
            Error::AlgUnsupported { .. } => "ERR_JOSE_ALG_UNSUPPORTED",
            Error::AlgNotAllowed { .. } => "ERR_JOSE_ALG_NOT_ALLOWED",
            Error::KeyMismatch { .. } => "ERR_JOSE_KEY_MISMATCH",
            Error::KeyInvalid { .. } => "ERR_JOSE_KEY_INVALID",
            Error::NoMatchingKey => "ERR_JWKS_NO_MATCHING_KEY",
            Error::SignatureInvalid => "ERR_JWS_SIGNATURE_INVALID",
            Error::JwtInvalid { .. } => "ERR_JWT_INVALID",
            Error::Expired { .. } => "ERR_JWT_EXPIRED",
            Error::NotYetValid => "ERR_JWT_NOT_YET_VALID",
            Error::ClaimMissing { .. } => "ERR_JWT_CLAIM_MISSING",
            Error::ClaimMalformed { .. } => "ERR_JWT_CLAIM_MALFORMED",
            Error::ClaimInvalid { .. } => "ERR_JWT_CLAIM_INVALID",
            Error::ClaimsType { .. } => "ERR_JWT_CLAIMS_TYPE",
            Error::ClockUnavailable => "ERR_JOSE_CLOCK_UNAVAILABLE",
        }
    }

    /// How informative this error is when several candidate keys fail on one token;
    /// the most specific failure is the one reported (as webpki does).
    ///
    /// A signature failure is the least specific: it says only "not this key". A claim
    /// failure means a key verified the signature, so it outranks everything.
    pub fn specificity(&self) -> u8 {
        match self {
            Error::NoMatchingKey | Error::SignatureInvalid => 0,
            Error::KeyMismatch { .. } => 1,
            Error::KeyInvalid { .. } => 2,
            Error::AlgNotAllowed { .. } | Error::AlgUnsupported { .. } => 3,
            Error::LimitExceeded { .. }
            | Error::JwsInvalid { .. }
            | Error::CritUnsupported { .. } => 4,
            Error::JwtInvalid { .. }
            | Error::Expired { .. }
            | Error::NotYetValid
            | Error::ClaimMissing { .. }
            | Error::ClaimMalformed { .. }
            | Error::ClaimInvalid { .. }
            | Error::ClaimsType { .. }
            | Error::ClockUnavailable => 5,
        }
    }

    pub(crate) const fn jws(reason: &'static str) -> Self {
        Error::JwsInvalid { reason }
    }

    pub(crate) const fn key(reason: &'static str) -> Self {
        Error::KeyInvalid { reason }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::JwsInvalid { reason } => write!(f, "malformed JWS: {reason}"),
            Error::LimitExceeded { limit, max } => {
                write!(f, "{limit} exceeds the limit of {max}")
            }
            Error::CritUnsupported { reason } => write!(f, "unsupported \"crit\": {reason}"),
            Error::AlgUnsupported { reason } => write!(f, "algorithm refused: {reason}"),
            Error::AlgNotAllowed { alg } => write!(f, "algorithm {alg} is not allowed"),
            Error::KeyMismatch { alg, key } => {
                write!(f, "algorithm {alg} cannot be used with {key}")
            }
            Error::KeyInvalid { reason } => write!(f, "key rejected: {reason}"),
            Error::NoMatchingKey => f.write_str("no key matches the token's \"kid\" and \"alg\""),
            Error::SignatureInvalid => f.write_str("signature verification failed"),
            Error::JwtInvalid { reason } => write!(f, "malformed JWT: {reason}"),
            Error::Expired { claim: "exp" } => f.write_str("token has expired (\"exp\")"),
            Error::Expired { claim } => {
                write!(f, "token is older than the maximum age (\"{claim}\")")
            }
            Error::NotYetValid => f.write_str("token is not valid yet (\"nbf\")"),
            Error::ClaimMissing { claim } => {
                write!(f, "required claim \"{}\" is missing", printable(claim))
            }
            Error::ClaimMalformed { claim } => {
                write!(f, "claim \"{claim}\" has the wrong type or is out of range")
            }
            Error::ClaimInvalid { claim, reason } => {
                write!(f, "claim \"{claim}\" rejected: {reason}")
            }
            Error::ClaimsType { reason } => {
                write!(f, "claims do not match the expected type: {reason}")
            }
            Error::ClockUnavailable => {
                f.write_str("no clock configured and this target has no system clock")
            }
        }
    }
}

/// Claim names in `ClaimMissing` come from the caller's configuration, not the token,
/// but are still shown defensively: control characters are replaced.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

impl core::error::Error for Error {}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;
