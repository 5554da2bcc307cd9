//! The token protocol: compact JWS parsing, the protected header, strict JSON, JWT
//! claims and their validation, and the verification entry points that tie them to a
//! key through the signature seam of `crate::crypto`.
//!
//! Nothing here does signature math: [`verify`] hands the algorithm, the key, the
//! signing input and the signature to [`VerifyingKey::verify_signature`](crate::VerifyingKey::verify_signature)
//! and takes back a yes or no.

mod claims;
mod clock;
mod compact;
mod header;
pub(crate) mod json;
mod limits;
mod validation;
mod verify;

pub use claims::Claims;
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use clock::SystemClock;
pub use clock::{Clock, FixedClock};
pub use compact::CompactJws;
pub use header::Header;
pub use limits::Limits;
pub use validation::{Validation, ValidationBuilder};
pub use verify::{
    VerifiedJws, VerifiedJwt, verify_jws, verify_jws_with, verify_jwt, verify_jwt_with,
};

#[cfg(feature = "bench-internals")]
pub(crate) use verify::verify_jwt_checked;
