#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod key;
mod provider;
mod token;

use std::time::{SystemTime, UNIX_EPOCH};

use base64ct::{Base64UrlUnpadded, Encoding};

pub use crate::key::{Alg, RsaSize, TestKey, jwks};
pub use crate::provider::{
    DISCOVERY_PATH, IDENTITY_SERVER_JWKS_PATH, JWKS_PATH, MockProvider, NotModified,
    ProviderBuilder, Reply, Request, unused_local_url,
};
pub use crate::token::TokenBuilder;

/// Base64url without padding (RFC 7515 §2), as every JWS segment is encoded.
pub fn base64url(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64url(bytes)
}

/// Decodes one JWS segment (header or JSON payload) to JSON, for assertions on what a
/// token carries.
///
/// # Panics
/// If `segment` is not unpadded base64url of a JSON document.
pub fn decode_segment(segment: &str) -> serde_json::Value {
    let bytes = Base64UrlUnpadded::decode_vec(segment)
        .unwrap_or_else(|e| panic!("{segment:?} is not base64url: {e}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{segment:?} is not JSON: {e}"))
}

/// The current time in seconds since the Unix epoch, for `iat` / `exp` / `nbf` claims.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `time` as an HTTP date (RFC 9110 §5.6.7), for `Date`, `Expires` or `Retry-After`.
pub fn http_date(time: SystemTime) -> String {
    httpdate::fmt_http_date(time)
}
