//! The algorithm table: the single place that knows what each `alg` means.
//!
//! Everything downstream takes an [`Algorithm`] and asks it for its key type, curve and
//! hash, so no other module enumerates algorithms. Names that are recognised but never
//! accepted (`none`, the HMAC family) live here too, so their refusal is explicit.

use core::fmt;

use crate::crypto::HashAlg;
use crate::error::{Error, Result};

/// A JWS signature algorithm this library verifies (RFC 7518 §3).
///
/// `none` and `HS256`/`HS384`/`HS512` are deliberately absent: a verifier that trusts
/// public keys must never accept an unsigned token or treat public key bytes as an HMAC
/// secret (the classic algorithm-confusion attack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256, MGF1 with SHA-256, salt length 32.
    PS256,
    /// RSASSA-PSS with SHA-384, MGF1 with SHA-384, salt length 48.
    PS384,
    /// RSASSA-PSS with SHA-512, MGF1 with SHA-512, salt length 64.
    PS512,
    /// ECDSA on P-256 with SHA-256, signature as 64-byte `r || s`.
    ES256,
    /// ECDSA on P-384 with SHA-384, signature as 96-byte `r || s`.
    ES384,
    /// ECDSA on P-521 with SHA-512, signature as 132-byte `r || s`.
    ES512,
    /// EdDSA (RFC 8037). Only Ed25519 keys are accepted, so this is Ed25519 verified
    /// strictly (see [`VerifyingKey`](crate::VerifyingKey)).
    EdDSA,
    /// Ed25519 under its fully-specified name (RFC 9864). Verified exactly as
    /// [`Algorithm::EdDSA`] with an Ed25519 key; the two are separate entries so that an
    /// allowlist names exactly the `alg` values it accepts.
    Ed25519,
}

/// How the signature is computed, as far as the verifier needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    RsaPkcs1v15,
    RsaPss,
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    Ed25519,
}

/// One row of the table.
struct Entry {
    alg: Algorithm,
    name: &'static str,
    scheme: Scheme,
    hash: HashAlg,
}

const TABLE: [Entry; 11] = [
    Entry {
        alg: Algorithm::RS256,
        name: "RS256",
        scheme: Scheme::RsaPkcs1v15,
        hash: HashAlg::Sha256,
    },
    Entry {
        alg: Algorithm::RS384,
        name: "RS384",
        scheme: Scheme::RsaPkcs1v15,
        hash: HashAlg::Sha384,
    },
    Entry {
        alg: Algorithm::RS512,
        name: "RS512",
        scheme: Scheme::RsaPkcs1v15,
        hash: HashAlg::Sha512,
    },
    Entry {
        alg: Algorithm::PS256,
        name: "PS256",
        scheme: Scheme::RsaPss,
        hash: HashAlg::Sha256,
    },
    Entry {
        alg: Algorithm::PS384,
        name: "PS384",
        scheme: Scheme::RsaPss,
        hash: HashAlg::Sha384,
    },
    Entry {
        alg: Algorithm::PS512,
        name: "PS512",
        scheme: Scheme::RsaPss,
        hash: HashAlg::Sha512,
    },
    Entry {
        alg: Algorithm::ES256,
        name: "ES256",
        scheme: Scheme::EcdsaP256,
        hash: HashAlg::Sha256,
    },
    Entry {
        alg: Algorithm::ES384,
        name: "ES384",
        scheme: Scheme::EcdsaP384,
        hash: HashAlg::Sha384,
    },
    Entry {
        alg: Algorithm::ES512,
        name: "ES512",
        scheme: Scheme::EcdsaP521,
        hash: HashAlg::Sha512,
    },
    // Ed25519 hashes internally (SHA-512 over R, A and the message); the digest here
    // is never computed for it.
    Entry {
        alg: Algorithm::EdDSA,
        name: "EdDSA",
        scheme: Scheme::Ed25519,
        hash: HashAlg::Sha512,
    },
    Entry {
        alg: Algorithm::Ed25519,
        name: "Ed25519",
        scheme: Scheme::Ed25519,
        hash: HashAlg::Sha512,
    },
];

/// Names that are recognised and always refused, with the reason given to the caller.
/// Matched case-insensitively so that `None` or `hs256` get the same clear answer.
const REFUSED: [(&str, &str); 4] = [
    ("none", "\"none\" (unsigned) is never accepted"),
    (
        "HS256",
        "HMAC algorithms are not accepted: keys here are public",
    ),
    (
        "HS384",
        "HMAC algorithms are not accepted: keys here are public",
    ),
    (
        "HS512",
        "HMAC algorithms are not accepted: keys here are public",
    ),
];

impl Algorithm {
    /// Every supported algorithm, in table order.
    pub const ALL: [Algorithm; 11] = [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::EdDSA,
        Algorithm::Ed25519,
    ];

    /// Looks up an `alg` header value (case-sensitive, as RFC 7515 requires).
    ///
    /// `none`, `HS256`, `HS384` and `HS512` fail with [`Error::AlgUnsupported`] and a
    /// reason that says why; other unknown names fail the same way.
    pub fn from_name(name: &str) -> Result<Algorithm> {
        if let Some(entry) = TABLE.iter().find(|e| e.name == name) {
            return Ok(entry.alg);
        }
        let reason = REFUSED
            .iter()
            .find(|(refused, _)| refused.eq_ignore_ascii_case(name))
            .map_or("unknown or unsupported algorithm", |(_, reason)| reason);
        Err(Error::AlgUnsupported { reason })
    }

    /// The registered name, e.g. `"RS256"`.
    pub fn name(self) -> &'static str {
        self.entry().name
    }

    /// The JWK key type this algorithm needs: `"RSA"`, `"EC"` or `"OKP"`.
    pub fn key_type(self) -> &'static str {
        match self.entry().scheme {
            Scheme::RsaPkcs1v15 | Scheme::RsaPss => "RSA",
            Scheme::EcdsaP256 | Scheme::EcdsaP384 | Scheme::EcdsaP521 => "EC",
            Scheme::Ed25519 => "OKP",
        }
    }

    /// The JWK curve this algorithm needs: `"P-256"`, `"P-384"` or `"P-521"` for the
    /// ECDSA algorithms, `"Ed25519"` for EdDSA, `None` for RSA.
    pub fn curve(self) -> Option<&'static str> {
        match self.entry().scheme {
            Scheme::EcdsaP256 => Some("P-256"),
            Scheme::EcdsaP384 => Some("P-384"),
            Scheme::EcdsaP521 => Some("P-521"),
            Scheme::Ed25519 => Some("Ed25519"),
            Scheme::RsaPkcs1v15 | Scheme::RsaPss => None,
        }
    }

    pub(crate) fn scheme(self) -> Scheme {
        self.entry().scheme
    }

    pub(crate) fn hash(self) -> HashAlg {
        self.entry().hash
    }

    fn entry(self) -> &'static Entry {
        // The table is indexed by discriminant; `table_is_in_enum_order` checks it.
        match self {
            Algorithm::RS256 => &TABLE[0],
            Algorithm::RS384 => &TABLE[1],
            Algorithm::RS512 => &TABLE[2],
            Algorithm::PS256 => &TABLE[3],
            Algorithm::PS384 => &TABLE[4],
            Algorithm::PS512 => &TABLE[5],
            Algorithm::ES256 => &TABLE[6],
            Algorithm::ES384 => &TABLE[7],
            Algorithm::ES512 => &TABLE[8],
            Algorithm::EdDSA => &TABLE[9],
            Algorithm::Ed25519 => &TABLE[10],
        }
    }

    const fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for Algorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Algorithm::from_name(s)
    }
}

/// A set of algorithms: the caller's allowlist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AlgorithmSet(u16);

impl AlgorithmSet {
    /// The empty set, which allows nothing.
    pub const EMPTY: AlgorithmSet = AlgorithmSet(0);

    /// Whether `alg` is in the set.
    pub fn contains(self, alg: Algorithm) -> bool {
        self.0 & alg.bit() != 0
    }

    /// Adds `alg`.
    #[must_use]
    pub fn with(self, alg: Algorithm) -> AlgorithmSet {
        AlgorithmSet(self.0 | alg.bit())
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members, in table order.
    pub fn iter(self) -> impl Iterator<Item = Algorithm> {
        Algorithm::ALL
            .into_iter()
            .filter(move |a| self.contains(*a))
    }
}

impl FromIterator<Algorithm> for AlgorithmSet {
    fn from_iter<I: IntoIterator<Item = Algorithm>>(iter: I) -> Self {
        iter.into_iter()
            .fold(AlgorithmSet::EMPTY, AlgorithmSet::with)
    }
}

impl<const N: usize> From<[Algorithm; N]> for AlgorithmSet {
    fn from(algs: [Algorithm; N]) -> Self {
        algs.into_iter().collect()
    }
}

impl From<&[Algorithm]> for AlgorithmSet {
    fn from(algs: &[Algorithm]) -> Self {
        algs.iter().copied().collect()
    }
}

impl From<Algorithm> for AlgorithmSet {
    fn from(alg: Algorithm) -> Self {
        AlgorithmSet::EMPTY.with(alg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_enum_order() {
        for (i, alg) in Algorithm::ALL.iter().enumerate() {
            assert_eq!(TABLE[i].alg, *alg);
            assert_eq!(Algorithm::from_name(alg.name()), Ok(*alg));
        }
    }

    #[test]
    fn names_are_case_sensitive_and_refusals_explain() {
        assert!(Algorithm::from_name("rs256").is_err());
        for name in ["none", "None", "NONE", "nOnE"] {
            let err = Algorithm::from_name(name).unwrap_err();
            assert_eq!(err.code(), "ERR_JOSE_ALG_UNSUPPORTED");
            assert!(err.to_string().contains("never accepted"), "{err}");
        }
        for name in ["HS256", "HS384", "HS512", "hs256"] {
            let err = Algorithm::from_name(name).unwrap_err();
            assert!(err.to_string().contains("HMAC"), "{err}");
        }
        assert!(Algorithm::from_name("ES256K").is_err());
        // ES512 is P-521; neither near-miss name exists.
        assert!(Algorithm::from_name("ES521").is_err());
        assert!(Algorithm::from_name("P-512").is_err());
        assert!(Algorithm::from_name("eddsa").is_err());
        assert!(Algorithm::from_name("Ed448").is_err());
        assert!(Algorithm::from_name("").is_err());
    }

    #[test]
    fn sets() {
        let set = AlgorithmSet::from([Algorithm::RS256, Algorithm::ES256]);
        assert!(set.contains(Algorithm::RS256));
        assert!(!set.contains(Algorithm::PS256));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [Algorithm::RS256, Algorithm::ES256]
        );
        assert!(AlgorithmSet::EMPTY.is_empty());
        let all: AlgorithmSet = Algorithm::ALL.into();
        assert_eq!(all.iter().collect::<Vec<_>>(), Algorithm::ALL);
        let ed = AlgorithmSet::from(Algorithm::Ed25519);
        assert!(!ed.contains(Algorithm::EdDSA));
        assert!(ed.contains(Algorithm::Ed25519));
    }

    #[test]
    fn key_types_and_curves() {
        let rows: Vec<_> = Algorithm::ALL
            .iter()
            .map(|a| (a.name(), a.key_type(), a.curve()))
            .collect();
        assert_eq!(
            rows[6..],
            [
                ("ES256", "EC", Some("P-256")),
                ("ES384", "EC", Some("P-384")),
                ("ES512", "EC", Some("P-521")),
                ("EdDSA", "OKP", Some("Ed25519")),
                ("Ed25519", "OKP", Some("Ed25519")),
            ]
        );
        assert!(
            rows[..6]
                .iter()
                .all(|(_, kty, crv)| *kty == "RSA" && crv.is_none())
        );
    }
}
