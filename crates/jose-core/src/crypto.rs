//! Signature math: importing public keys and checking one signature with one key.
//!
//! This half of the crate knows nothing about tokens. The token half reaches it through
//! one seam, [`VerifyingKey::verify_signature`]: given an [`Algorithm`](crate::Algorithm),
//! a key, the signing input and the signature bytes, say whether the signature holds.
//! [`VerifyingKey::check_algorithm`] answers the cheaper question of whether a key can
//! take an algorithm at all, so candidate selection spends no signature work on a key
//! that cannot match.
//!
//! Adding an algorithm means a row in the algorithm table (`crate::algorithm`) and code
//! here; nothing under `token/` changes.
//!
//! Some of the arithmetic is ours rather than a RustCrypto crate's: the RSA Montgomery
//! exponentiation (`montgomery`, with squarings unrolled by `build.rs`) and the
//! precomputed-table ECDSA verification of ES256 and ES384 (`ec_table`, on `p256`'s and
//! `p384`'s field arithmetic). It is variable time on purpose: a verifier only ever
//! handles public keys, public signatures and public messages. It is checked against the
//! RustCrypto crates by the Wycheproof suites, differential unit tests and the
//! differential fuzz targets; see `docs/DESIGN.md` for the list. ES512 (`ec_wide`) and
//! EdDSA (`ed25519`) verify with the `p521` and `ed25519-dalek` crates' own code, so a
//! key's first verification costs exactly what the crate's does; they have no
//! precomputed key table.

mod digest;
mod ec;
mod ec_table;
mod ec_wide;
mod ed25519;
#[cfg(feature = "bench-internals")]
pub(crate) mod internal;
mod key;
mod montgomery;
mod rsa;
mod spki;

pub(crate) use digest::HashAlg;
pub use key::{KeyOptions, VerifyingKey};
