#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The public interface is:
pub use crate::algorithm::{Algorithm, AlgorithmSet};
pub use crate::base64url::{decode_strict as base64url_decode, encode as base64url_encode};
pub use crate::claims::Claims;
pub use crate::clock::{Clock, FixedClock, SystemClock};
pub use crate::compact::CompactJws;
pub use crate::error::{Error, Result};
pub use crate::header::Header;
pub use crate::key::{KeyOptions, VerifyingKey};
pub use crate::limits::Limits;
pub use crate::validation::{Validation, ValidationBuilder};
pub use crate::verify::{
    VerifiedJws, VerifiedJwt, verify_jws, verify_jws_with, verify_jwt, verify_jwt_with,
};

/// Entry points for sibling crates and fuzz targets. Not part of the stable API.
#[doc(hidden)]
pub mod internal {
    /// Parses `bytes` as a JSON object with unique member names at every depth and at
    /// most `max_depth` levels of nesting, as token headers and claims are parsed.
    /// `jose-jwk` uses it so a key set cannot carry two different `n` members either.
    pub fn parse_strict_json_object(
        bytes: &[u8],
        max_depth: usize,
    ) -> Result<serde_json::Map<String, serde_json::Value>, &'static str> {
        use crate::json::{JsonProblem, parse_object};
        parse_object(bytes, max_depth).map_err(|p| match p {
            JsonProblem::Syntax => "not valid JSON",
            JsonProblem::Duplicate => "duplicate member name",
            JsonProblem::TooDeep => "JSON nests too deeply",
            JsonProblem::NotObject => "not a JSON object",
        })
    }

    // The three steps of `verify_jwt_with` around the signature check, one by one, for
    // the `parse` bench and the allocation test, which measure everything but the
    // signature math. None of them checks a signature and none returns a header or claims:
    // `Ok(())` says nothing about whether a token is genuine.

    /// **Benches only.** The header checks `verify_jwt_with` makes before any key is
    /// looked at (algorithm allowlist, `typ`). Checks no signature.
    pub fn bench_check_header(
        validation: &crate::Validation,
        header: &crate::Header,
    ) -> crate::Result<()> {
        validation.check_header(header)
    }

    /// **Benches only.** Decodes the signature into the stack buffer `verify_jwt_with`
    /// hands to the key, and returns its length. Checks no signature.
    pub fn bench_decode_signature(jws: &crate::CompactJws<'_>) -> usize {
        crate::compact::with_stack_buffer(jws.signature_len(), |buf| jws.signature_in(buf).len())
    }

    /// **Benches only.** Decodes the payload and validates it as claims exactly as
    /// `verify_jwt_with` does after the signature check, then drops the claims. Checks no
    /// signature.
    pub fn bench_validate_claims(
        jws: &crate::CompactJws<'_>,
        validation: &crate::Validation,
    ) -> crate::Result<()> {
        crate::verify::validate_jwt_claims(jws, validation).map(drop)
    }
}

mod algorithm;
mod base64url;
mod claims;
mod clock;
mod compact;
mod ec;
mod ec_table;
mod error;
mod header;
mod json;
mod key;
mod limits;
mod montgomery;
mod rsa;
mod spki;
mod validation;
mod verify;
