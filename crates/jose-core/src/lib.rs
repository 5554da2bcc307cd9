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

mod algorithm;
mod base64url;
mod claims;
mod clock;
mod compact;
mod ec;
mod error;
mod header;
mod json;
mod key;
mod limits;
mod rsa;
mod spki;
mod validation;
mod verify;
