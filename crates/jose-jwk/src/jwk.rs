//! One JWK (RFC 7517 §4, RFC 7518 §6): read, checked, and turned into a verifying key
//! once, when the set is loaded.

use std::collections::HashSet;
use std::sync::Arc;

use jose_core::{Algorithm, VerifyingKey, base64url_decode};
use serde_json::{Map, Value};

use crate::error::Error;
use crate::options::JwkSetOptions;
use crate::skip::SkipReason;
use crate::thumbprint::thumbprint_sha256;
use crate::x5c;

/// Members that only a private key has (RFC 7518 §6.2.2, §6.3.2). Their presence in a
/// public set is a provider mistake; the key is dropped rather than trusted.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A usable public signing key from a JWK: validated, converted to a [`VerifyingKey`],
/// with its metadata and RFC 7638 thumbprint.
#[derive(Debug, Clone)]
pub struct Jwk {
    key: VerifyingKey,
    kid: Option<Arc<str>>,
    alg: Option<Algorithm>,
    key_use: Option<String>,
    key_ops: Option<Vec<String>>,
    thumbprint: Arc<str>,
    has_x5c: bool,
}

impl Jwk {
    /// Reads one JWK with the default [`JwkSetOptions`].
    ///
    /// ```
    /// let jwk = jose_jwk::Jwk::from_json(br#"{"kty":"EC","crv":"P-256",
    ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#)?;
    /// assert_eq!(jwk.key().curve(), Some("P-256"));
    /// # Ok::<(), jose_jwk::Error>(())
    /// ```
    pub fn from_json(bytes: &[u8]) -> Result<Jwk, Error> {
        Self::from_json_with(bytes, &JwkSetOptions::default())
    }

    /// Reads one JWK under `options`; a key a set would skip is an error here.
    pub fn from_json_with(bytes: &[u8], options: &JwkSetOptions) -> Result<Jwk, Error> {
        if bytes.len() > options.bytes() {
            return Err(Error::LimitExceeded {
                limit: "JWK size",
                max: options.bytes(),
            });
        }
        let object = jose_core::json::parse_object(bytes, options.json_depth())
            .map_err(|e| Error::JwkInvalid(SkipReason::Malformed(e.reason())))?;
        Jwk::from_object(&object, options).map_err(Error::JwkInvalid)
    }

    /// Validates one JWK object. The order of checks matters: private material and
    /// symmetric keys are refused before anything else is read from them.
    pub(crate) fn from_object(
        jwk: &Map<String, Value>,
        options: &JwkSetOptions,
    ) -> Result<Jwk, SkipReason> {
        let kty = string(jwk, "kty")?.ok_or(SkipReason::Malformed("\"kty\" is missing"))?;
        match kty {
            "RSA" | "EC" | "OKP" => {}
            "oct" => return Err(SkipReason::SymmetricKey),
            _ => return Err(SkipReason::UnsupportedKeyType),
        }
        if PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
            return Err(SkipReason::PrivateKey);
        }
        let kid = string(jwk, "kid")?;
        if kid.is_some_and(|k| k.len() > options.kid_len()) {
            return Err(SkipReason::KidTooLong);
        }
        let key_use = string(jwk, "use")?;
        if key_use.is_some_and(|u| u != "sig") {
            return Err(SkipReason::NotForSignatures);
        }
        let key_ops = key_ops(jwk)?;
        if key_ops
            .as_ref()
            .is_some_and(|ops| !ops.iter().any(|op| op == "verify"))
        {
            return Err(SkipReason::NotForSignatures);
        }
        let alg = match string(jwk, "alg")? {
            None => None,
            Some(name) => {
                Some(Algorithm::from_name(name).map_err(|_| SkipReason::UnsupportedAlgorithm)?)
            }
        };
        let crv = match kty {
            "RSA" => None,
            _ => Some(string(jwk, "crv")?.ok_or(SkipReason::Malformed("\"crv\" is missing"))?),
        };
        match (kty, crv) {
            ("EC", Some("P-256" | "P-384" | "P-521")) | ("OKP", Some("Ed25519")) | ("RSA", _) => {}
            // RFC 8037 §3.2: X25519 and X448 are ECDH-ES keys, never signature keys.
            ("OKP", Some("X25519" | "X448")) => return Err(SkipReason::NotForSignatures),
            // Ed448, "P-512", secp256k1, ...
            _ => return Err(SkipReason::UnsupportedCurve),
        }

        let from_members = key_from_members(jwk, kty, crv, options)?;
        let from_x5c = x5c::leaf_key(jwk, options.import_rules())?;
        let key = match (from_members, from_x5c) {
            (Some(members), Some(cert)) if !x5c::same_key(&members, &cert) => {
                return Err(SkipReason::CertificateMismatch(
                    "x5c leaf key differs from the JWK's own members",
                ));
            }
            (Some(key), _) | (None, Some(key)) => key,
            (None, None) => return Err(SkipReason::Malformed("no key material")),
        };
        if key.key_type() != kty {
            return Err(SkipReason::CertificateMismatch(
                "x5c leaf key is of another type than kty",
            ));
        }
        if key.curve() != crv {
            return Err(SkipReason::CertificateMismatch(
                "x5c leaf key is on another curve than crv",
            ));
        }
        if let Some(alg) = alg {
            key.check_algorithm(alg)
                .map_err(|_| SkipReason::AlgorithmMismatch)?;
        }
        Ok(Jwk {
            thumbprint: thumbprint_sha256(&key).into(),
            has_x5c: jwk.contains_key("x5c"),
            key,
            kid: kid.map(Arc::from),
            alg,
            key_use: key_use.map(str::to_owned),
            key_ops,
        })
    }

    /// The verifying key.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key's own `alg`, if it names one; a token must then use exactly that.
    pub fn alg(&self) -> Option<Algorithm> {
        self.alg
    }

    /// The `use` member (`"sig"` or absent for kept keys).
    pub fn key_use(&self) -> Option<&str> {
        self.key_use.as_deref()
    }

    /// The `key_ops` member (contains `"verify"`, or absent, for kept keys).
    pub fn key_ops(&self) -> Option<&[String]> {
        self.key_ops.as_deref()
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }

    /// Whether the key came with an `x5c` certificate chain (checked against the key).
    pub fn has_certificate(&self) -> bool {
        self.has_x5c
    }

    /// Whether a token signed with `alg` may be verified with this key: the key type and
    /// curve fit the algorithm, and the key's own `alg`, if set, is the same.
    pub fn fits(&self, alg: Algorithm) -> bool {
        self.alg.is_none_or(|own| own == alg) && self.key.check_algorithm(alg).is_ok()
    }

    pub(crate) fn kid_arc(&self) -> Option<&Arc<str>> {
        self.kid.as_ref()
    }

    pub(crate) fn thumbprint_arc(&self) -> &Arc<str> {
        &self.thumbprint
    }
}

impl AsRef<VerifyingKey> for Jwk {
    fn as_ref(&self) -> &VerifyingKey {
        &self.key
    }
}

/// `n`/`e`, `x`/`y` (EC) or `x` (OKP), when present. Half a key is malformed; none at
/// all is left to `x5c`. `crv` has been checked against `kty` already.
fn key_from_members(
    jwk: &Map<String, Value>,
    kty: &str,
    crv: Option<&str>,
    options: &JwkSetOptions,
) -> Result<Option<VerifyingKey>, SkipReason> {
    if kty == "OKP" {
        // RFC 8037 §2: the public key is `x` alone; a `y` belongs to no OKP key.
        if jwk.contains_key("y") {
            return Err(SkipReason::Malformed("an OKP key has no \"y\""));
        }
        return match bytes(jwk, "x")? {
            None => Ok(None),
            Some(x) => VerifyingKey::from_ed25519_bytes(&x)
                .map(Some)
                .map_err(SkipReason::InvalidKey),
        };
    }
    let (a, b) = if kty == "RSA" { ("n", "e") } else { ("x", "y") };
    let (a, b) = match (bytes(jwk, a)?, bytes(jwk, b)?) {
        (None, None) => return Ok(None),
        (Some(a), Some(b)) => (a, b),
        _ => return Err(SkipReason::Malformed("a key member is missing")),
    };
    let key = match crv {
        None => options.import_rules().rsa_components(&a, &b),
        Some(crv) => VerifyingKey::from_ec_coordinates(crv, &a, &b),
    };
    key.map(Some).map_err(SkipReason::InvalidKey)
}

fn string<'a>(
    jwk: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, SkipReason> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(SkipReason::Malformed("a member is not a string")),
    }
}

fn bytes(jwk: &Map<String, Value>, name: &'static str) -> Result<Option<Vec<u8>>, SkipReason> {
    match string(jwk, name)? {
        None => Ok(None),
        Some(s) => base64url_decode(s).map(Some).ok_or(SkipReason::Malformed(
            "a key member is not strict base64url",
        )),
    }
}

/// `key_ops`: an array of unique strings (RFC 7517 §4.3).
fn key_ops(jwk: &Map<String, Value>) -> Result<Option<Vec<String>>, SkipReason> {
    let Some(value) = jwk.get("key_ops") else {
        return Ok(None);
    };
    const MALFORMED: SkipReason =
        SkipReason::Malformed("\"key_ops\" is not an array of unique strings");
    let Value::Array(items) = value else {
        return Err(MALFORMED);
    };
    let mut seen = HashSet::with_capacity(items.len());
    let mut ops = Vec::with_capacity(items.len());
    for item in items {
        let op = item.as_str().ok_or(MALFORMED)?;
        if !seen.insert(op) {
            return Err(MALFORMED);
        }
        ops.push(op.to_owned());
    }
    Ok(Some(ops))
}
