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
    Claims, Clock, CompactJws, FixedClock, Header, Limits, Validation, ValidationBuilder,
    VerifiedJws, VerifiedJwt, verify_jws, verify_jws_with, verify_jwt, verify_jwt_with,
};
// No system clock on wasm32-unknown-unknown: there, the caller passes the time.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use crate::token::SystemClock;

/// Strict JSON: the parser every untrusted JOSE document goes through.
///
/// `serde_json` alone keeps the last of two members with the same name, and JOSE
/// implementations disagree on which duplicate wins, so a duplicate could show one
/// component a different `alg`, `exp` or `n` than another. This parser refuses
/// duplicates at every depth (RFC 7515 §4 allows it) and caps nesting. Token headers and
/// claims are parsed with it; `jose-jwk` parses JWKs and JWK Sets with it, and so can
/// anything else that reads JOSE JSON from an untrusted source.
pub mod json {
    pub use crate::token::json::{JsonError, parse_object};
}

/// Entry points for the benches and the arithmetic fuzz targets. Not part of the stable
/// API.
#[cfg(feature = "bench-internals")]
#[doc(hidden)]
pub mod internal {
    pub use crate::crypto::internal::{Es256Key, RsaModulus};

    /// **Benches only; checks no signature.** Compiled only with the `bench-internals`
    /// feature, which the benches crate turns on, so a service cannot call it by mistake.
    /// Runs `verify_jwt_with` on exactly its own
    /// path (parse, header policy, candidate selection, each segment decoded once, claims
    /// validation) with the signature math left out, so the `parse` bench and the
    /// allocation test measure everything else. Returns nothing that came from the token:
    /// `Ok(())` says nothing about whether it is genuine.
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
