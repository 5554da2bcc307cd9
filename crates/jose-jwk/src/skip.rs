//! Why a key of a set was not kept. Every skipped key is reported with its reason; none
//! is fatal to the rest of the set.

use core::fmt;

/// Why a JWK was refused. Each reason has a stable [`code`](SkipReason::code).
///
/// Reasons never carry key material: a private key that was dropped is reported as
/// [`SkipReason::PrivateKey`] and nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// Not a JSON object, or a member has the wrong JSON type or encoding.
    Malformed(&'static str),
    /// A `kty` this library does not verify with (anything but `RSA`, `EC`, `OKP`).
    UnsupportedKeyType,
    /// An EC key on a curve other than P-256, P-384 and P-521, or an OKP key on a
    /// signature curve other than Ed25519 (`Ed448`).
    UnsupportedCurve,
    /// An `oct` (symmetric) key: never a candidate for an asymmetric algorithm, and this
    /// library verifies with public keys only.
    SymmetricKey,
    /// The JWK holds private key material (`d`, `p`, `q`, ...). A public set must not;
    /// the key is dropped and its members are never logged.
    PrivateKey,
    /// `use` is not `sig`, or `key_ops` lacks `verify`: an encryption key. Also an OKP
    /// key on `X25519` or `X448`, which are key-agreement curves (RFC 8037 §3.2).
    NotForSignatures,
    /// The key's own `alg` is not one this library verifies (e.g. `RSA-OAEP`, `ES256K`).
    UnsupportedAlgorithm,
    /// The key's own `alg` does not fit its type or curve (e.g. `ES256` on an RSA key).
    AlgorithmMismatch,
    /// The key material was refused on import: size, exponent, point not on the curve,
    /// ROCA fingerprint. Carries `jose-core`'s reason.
    InvalidKey(jose_core::Error),
    /// `x5c`, `x5t` or `x5t#S256` disagree with the key or cannot be read.
    CertificateMismatch(&'static str),
    /// The `kid` is longer than the configured maximum, so no token could name it.
    KidTooLong,
}

impl SkipReason {
    /// A stable code for this reason, e.g. `ERR_JWK_PRIVATE_KEY`.
    pub fn code(&self) -> &'static str {
        match self {
            SkipReason::Malformed(_) => "ERR_JWK_MALFORMED",
            SkipReason::UnsupportedKeyType => "ERR_JWK_UNSUPPORTED_KTY",
            SkipReason::UnsupportedCurve => "ERR_JWK_UNSUPPORTED_CRV",
            SkipReason::SymmetricKey => "ERR_JWK_SYMMETRIC_KEY",
            SkipReason::PrivateKey => "ERR_JWK_PRIVATE_KEY",
            SkipReason::NotForSignatures => "ERR_JWK_NOT_FOR_SIGNATURES",
            SkipReason::UnsupportedAlgorithm => "ERR_JWK_UNSUPPORTED_ALG",
            SkipReason::AlgorithmMismatch => "ERR_JWK_ALG_MISMATCH",
            SkipReason::InvalidKey(_) => "ERR_JWK_KEY_INVALID",
            SkipReason::CertificateMismatch(_) => "ERR_JWK_X5C_MISMATCH",
            SkipReason::KidTooLong => "ERR_JWK_KID_TOO_LONG",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Malformed(what) => write!(f, "malformed JWK: {what}"),
            SkipReason::UnsupportedKeyType => f.write_str("unsupported key type (kty)"),
            SkipReason::UnsupportedCurve => {
                f.write_str("unsupported curve (P-256, P-384, P-521 and Ed25519 only)")
            }
            SkipReason::SymmetricKey => f.write_str("symmetric (oct) keys are never used"),
            SkipReason::PrivateKey => f.write_str("contains private key material"),
            SkipReason::NotForSignatures => f.write_str("not a signature key (use/key_ops)"),
            SkipReason::UnsupportedAlgorithm => f.write_str("its alg is not supported"),
            SkipReason::AlgorithmMismatch => f.write_str("its alg does not fit its key type"),
            SkipReason::InvalidKey(e) => e.fmt(f),
            SkipReason::CertificateMismatch(what) => write!(f, "certificate check: {what}"),
            SkipReason::KidTooLong => f.write_str("kid is longer than the limit"),
        }
    }
}

/// A key of a set that was not kept, with where it was and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedKey {
    pub(crate) index: usize,
    pub(crate) kid: Option<String>,
    pub(crate) reason: SkipReason,
}

impl SkippedKey {
    /// Its position in the set's `keys` array.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Its `kid`, if it had a string one (at most the configured `kid` length).
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Why it was skipped.
    pub fn reason(&self) -> &SkipReason {
        &self.reason
    }

    /// The stable code of the reason, for logs and metrics.
    pub fn reason_code(&self) -> &'static str {
        self.reason.code()
    }
}
