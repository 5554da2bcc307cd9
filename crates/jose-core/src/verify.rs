//! The verification entry points: parse, check the header against the caller's policy,
//! try candidate keys under a budget, then validate claims.

use crate::claims::Claims;
use crate::compact::{CompactJws, with_stack_buffer};
use crate::error::{Error, Result};
use crate::header::Header;
use crate::key::VerifyingKey;
use crate::validation::Validation;

/// A JWT whose signature verified and whose claims passed validation.
#[derive(Debug, Clone)]
pub struct VerifiedJwt {
    header: Header,
    claims: Claims,
}

impl VerifiedJwt {
    /// The protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The validated claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// Takes the header and claims apart.
    pub fn into_parts(self) -> (Header, Claims) {
        (self.header, self.claims)
    }
}

/// A JWS whose signature verified; its payload is any bytes and no claims were checked.
#[derive(Debug, Clone)]
pub struct VerifiedJws {
    header: Header,
    payload: Vec<u8>,
}

impl VerifiedJws {
    /// The protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The verified payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Takes the header and payload apart.
    pub fn into_parts(self) -> (Header, Vec<u8>) {
        (self.header, self.payload)
    }
}

/// Verifies a JWT with one key: signature, then claims.
///
/// ```
/// # use jose_core::{verify_jwt, Algorithm, Validation, VerifyingKey};
/// # fn f(token: &str, key: &VerifyingKey) -> Result<(), jose_core::Error> {
/// let validation = Validation::builder([Algorithm::RS256])
///     .issuer("https://issuer.example")
///     .audience("my-api")
///     .build();
/// let verified = verify_jwt(token, key, &validation)?;
/// println!("hello {:?}", verified.claims().sub());
/// # Ok(()) }
/// ```
pub fn verify_jwt(token: &str, key: &VerifyingKey, validation: &Validation) -> Result<VerifiedJwt> {
    verify_jwt_with(token, validation, |_| Ok::<_, Error>([key])).map(|(verified, _)| verified)
}

/// Verifies a plain JWS with one key: signature only, payload of any bytes.
///
/// Only the algorithm allowlist, `typ` and the limits of `validation` apply.
pub fn verify_jws(token: &str, key: &VerifyingKey, validation: &Validation) -> Result<VerifiedJws> {
    verify_jws_with(token, validation, |_| Ok::<_, Error>([key])).map(|(verified, _)| verified)
}

/// Verifies a JWT against candidate keys chosen from its header.
///
/// `candidates` sees the parsed header (after the allowlist and `typ` checks) and returns
/// the keys that may verify it, in preference order; key sources (`jose-jwk` sets, the
/// remote fetcher, your own lookup) implement their selection rules there. An empty
/// selection fails with [`Error::NoMatchingKey`] before any signature work. Keys are
/// tried in order, at most [`Limits::max_candidates`](crate::Limits::max_candidates)
/// signature attempts; the first that verifies wins and is returned with the result.
/// When all fail, the most specific error is reported.
pub fn verify_jwt_with<K, I, E>(
    token: &str,
    validation: &Validation,
    candidates: impl FnOnce(&Header) -> Result<I, E>,
) -> Result<(VerifiedJwt, K), E>
where
    I: IntoIterator<Item = K>,
    K: AsRef<VerifyingKey>,
    E: From<Error>,
{
    let jws = CompactJws::parse(token, validation.limits())?;
    if !jws.header().b64() {
        return Err(Error::JwtInvalid {
            reason: "a JWT cannot use an unencoded payload (\"b64\": false)",
        }
        .into());
    }
    let key = verify_signature_with(&jws, validation, candidates)?;
    let claims = validate_jwt_claims(&jws, validation)?;
    let header = jws.into_header();
    Ok((VerifiedJwt { header, claims }, key))
}

/// Validates the claims of a parsed JWT, decoding the payload into a stack buffer when it
/// fits: the claims are returned, the decoded JSON is not, so it need not live on the heap.
pub(crate) fn validate_jwt_claims(jws: &CompactJws<'_>, validation: &Validation) -> Result<Claims> {
    with_stack_buffer(jws.payload_len(), |buf| {
        validation.validate_claims(jws.payload_in(buf))
    })
}

/// Verifies a plain JWS against candidate keys chosen from its header; see
/// [`verify_jwt_with`] for the selection rules.
pub fn verify_jws_with<K, I, E>(
    token: &str,
    validation: &Validation,
    candidates: impl FnOnce(&Header) -> Result<I, E>,
) -> Result<(VerifiedJws, K), E>
where
    I: IntoIterator<Item = K>,
    K: AsRef<VerifyingKey>,
    E: From<Error>,
{
    let jws = CompactJws::parse(token, validation.limits())?;
    let key = verify_signature_with(&jws, validation, candidates)?;
    let (header, payload) = jws.into_parts();
    Ok((VerifiedJws { header, payload }, key))
}

fn verify_signature_with<K, I, E>(
    jws: &CompactJws<'_>,
    validation: &Validation,
    candidates: impl FnOnce(&Header) -> Result<I, E>,
) -> Result<K, E>
where
    I: IntoIterator<Item = K>,
    K: AsRef<VerifyingKey>,
    E: From<Error>,
{
    validation.check_header(jws.header())?;
    let alg = jws.alg();
    // Every signature a supported key can verify (at most 1 KiB, for RSA-8192) is decoded
    // on the stack; a longer one goes to the heap and fails like any wrong-length one.
    with_stack_buffer(jws.signature_len(), |buf| {
        let signature = jws.signature_in(buf);
        let mut budget = validation.limits().candidates();
        let mut failure: Option<Error> = None;
        for candidate in candidates(jws.header())? {
            let key = candidate.as_ref();
            // A key that cannot take this alg costs no signature work and no budget.
            let outcome = match key.check_algorithm(alg) {
                Err(e) => Err(e),
                Ok(()) if budget == 0 => break,
                Ok(()) => {
                    budget -= 1;
                    key.verify_signature(alg, jws.signing_input(), signature)
                }
            };
            match outcome {
                Ok(()) => return Ok(candidate),
                Err(e) => failure = Some(most_specific(failure, e)),
            }
        }
        Err(failure.unwrap_or(Error::NoMatchingKey).into())
    })
}

fn most_specific(current: Option<Error>, new: Error) -> Error {
    match current {
        Some(current) if current.specificity() >= new.specificity() => current,
        _ => new,
    }
}
