#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The public interface is:
pub use crate::algorithm::{Algorithm, AlgorithmSet};
pub use crate::base64url::{decode_strict as base64url_decode, encode as base64url_encode};
pub use crate::crypto::{KeyOptions, VerifyingKey};
pub use crate::error::{Error, Result};
pub use crate::token::{
    Claims, Clock, CompactJws, FixedClock, Header, Limits, SystemClock, Validation,
    ValidationBuilder, VerifiedJws, VerifiedJwt, verify_jws, verify_jws_with, verify_jwt,
    verify_jwt_with,
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
        use crate::token::json::{JsonProblem, parse_object};
        parse_object(bytes, max_depth).map_err(|p| match p {
            JsonProblem::Syntax => "not valid JSON",
            JsonProblem::Duplicate => "duplicate member name",
            JsonProblem::TooDeep => "JSON nests too deeply",
            JsonProblem::NotObject => "not a JSON object",
        })
    }

    /// **Benches only; checks no signature.** Compiled only with the `bench-internals`
    /// feature, which the benches crate turns on, so a service cannot call it by mistake.
    /// Runs `verify_jwt_with` on exactly its own
    /// path (parse, header policy, candidate selection, each segment decoded once, claims
    /// validation) with the signature math left out, so the `parse` bench and the
    /// allocation test measure everything else. Returns nothing that came from the token:
    /// `Ok(())` says nothing about whether it is genuine.
    #[cfg(feature = "bench-internals")]
    pub fn bench_verify_jwt_without_signature<K, I, E>(
        token: &str,
        validation: &crate::Validation,
        candidates: impl FnOnce(&crate::Header) -> Result<I, E>,
    ) -> Result<(), E>
    where
        I: IntoIterator<Item = K>,
        K: AsRef<crate::VerifyingKey>,
        E: From<crate::Error>,
    {
        let skip_the_math = |_: &crate::VerifyingKey, _, input: &[u8], signature: &[u8]| {
            std::hint::black_box((input, signature));
            Ok(())
        };
        crate::token::verify_jwt_checked(token, validation, candidates, skip_the_math).map(drop)
    }
}

// Shared by both halves: the algorithm table, the error type, the JOSE base64url.
mod algorithm;
mod base64url;
mod error;

// The token protocol and the signature math, joined by one seam (`crypto` module docs).
mod crypto;
mod token;
