//! The bodies of the jose fuzz targets, one public function per target.
//!
//! Each function takes the fuzzer's bytes, drives one part of jose with them and
//! asserts an oracle: a property every accepted (or rejected) input must have, or the
//! agreement of two independent implementations. A panic means a genuine bug in
//! jose or in the oracle, never "this input was invalid".
//!
//! The functions live in this ordinary workspace crate, not in `fuzz/`, so that:
//! - the cargo-fuzz project (`fuzz/`, nightly, its own workspace) is a thin shell of
//!   one-line targets, and
//! - the stable integration test `tests/corpus_replay.rs` replays every committed corpus
//!   file through exactly the same code in `cargo test --workspace`.
//!
//! | target | what it feeds | oracle |
//! |---|---|---|
//! | [`compact_parse`] | bytes as a compact JWS | segments, limits, signing input, canonical base64url, header rules |
//! | [`header_json`] | bytes as the header JSON | accepted ⇒ a JSON object with a supported `alg`, valid `crit`/`b64`; refused as JSON ⇔ the strict parse refuses it |
//! | [`base64url`] | bytes as base64url | agrees with two independent strict decoders (our reference and `base64ct`); round-trips |
//! | [`claims`] | bytes as a signed JWT payload | accepted ⇒ `exp`/`nbf`/`iat`/`iss`/`aud` really valid |
//! | [`rsa_verify_differential`] | RS*/PS* signatures | agrees with the `rsa` crate |
//! | [`es256_verify_differential`] | P-256 keys and ES256 signatures | agrees with the `p256` crate |
//! | [`ec_wide_verify_differential`] | P-384/P-521 keys and ES384/ES512 signatures | agrees with the `p384`/`p521` crates |
//! | [`ed25519_verify_differential`] | Ed25519 keys and EdDSA signatures | agrees with `ed25519-dalek`'s `verify_strict` |
//! | [`jwk_parse`] | bytes as one JWK | a kept key obeys every key rule; RFC 7638 thumbprint |
//! | [`jwks_parse`] | bytes as a JWK Set | kept + skipped = entries; each entry agrees with a lone parse |
//! | [`verify_jwt`] | bytes as a token against a fixed set | accepted ⇒ one of the known valid tokens |
//! | [`key_import`] | bytes as DER, PEM or RSA `n`/`e` | accepted ⇒ the `rsa`/`p256` crates read the same key |
//! | [`provider_responses`] | an identity provider's answers (status, cache and retry headers, bodies) through `jose-fetch`'s HTTP seam, with clock steps and verifications | no panic, in the caller or the spawned fetch; errors are 401 or 503 with an `ERR_` code; requests stay on allowed origins |
//! | [`bearer_request`] | request headers (`Authorization`, a cookie, a custom header) through `jose-axum`'s `JwtAuth::authenticate` | verified ⇒ a known valid token from one header; two `Authorization` headers refused; no request bytes echoed in the challenge |
#![forbid(unsafe_code)]

mod b64ref;
mod bearer;
mod claims;
mod curves_diff;
mod es256_diff;
mod fetch;
mod input;
mod json_names;
mod jwk;
mod key_import;
mod keys;
mod parse;
mod rsa_diff;

pub use crate::bearer::bearer_request;
pub use crate::claims::claims;
pub use crate::curves_diff::{ec_wide_verify_differential, ed25519_verify_differential};
pub use crate::es256_diff::es256_verify_differential;
pub use crate::fetch::provider_responses;
pub use crate::jwk::{jwk_parse, jwks_parse, verify_jwt};
pub use crate::key_import::key_import;
pub use crate::parse::{base64url, compact_parse, header_json};
pub use crate::rsa_diff::rsa_verify_differential;

/// A fuzz target body.
pub type Target = fn(&[u8]);

/// Every target by name, in the order the campaign runs them; the corpus replay test
/// and tooling iterate over it.
pub const TARGETS: &[(&str, Target)] = &[
    ("compact_parse", compact_parse),
    ("header_json", header_json),
    ("base64url", base64url),
    ("claims", claims),
    ("rsa_verify_differential", rsa_verify_differential),
    ("es256_verify_differential", es256_verify_differential),
    ("ec_wide_verify_differential", ec_wide_verify_differential),
    ("ed25519_verify_differential", ed25519_verify_differential),
    ("jwk_parse", jwk_parse),
    ("jwks_parse", jwks_parse),
    ("verify_jwt", verify_jwt),
    ("key_import", key_import),
    ("provider_responses", provider_responses),
    ("bearer_request", bearer_request),
];
