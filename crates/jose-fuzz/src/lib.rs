#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod b64ref;
mod bearer;
mod claims;
mod curves_diff;
mod ec_table_diff;
mod es256_diff;
mod fetch;
mod input;
mod json_names;
mod jwk;
mod key_import;
mod keys;
mod montgomery_diff;
mod parse;
mod rsa_diff;

pub use crate::bearer::bearer_request;
pub use crate::claims::claims;
pub use crate::curves_diff::{ec_wide_verify_differential, ed25519_verify_differential};
pub use crate::ec_table_diff::ec_table_differential;
pub use crate::es256_diff::es256_verify_differential;
pub use crate::fetch::provider_responses;
pub use crate::jwk::{jwk_parse, jwks_parse, verify_jwt};
pub use crate::key_import::key_import;
pub use crate::montgomery_diff::montgomery_differential;
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
    ("montgomery_differential", montgomery_differential),
    ("ec_table_differential", ec_table_differential),
    ("jwk_parse", jwk_parse),
    ("jwks_parse", jwks_parse),
    ("verify_jwt", verify_jwt),
    ("key_import", key_import),
    ("provider_responses", provider_responses),
    ("bearer_request", bearer_request),
];
