//! The verification entry points: parse, check the header against the caller's policy,
//! try candidate keys under a budget, then validate claims.

use super::claims::Claims;
use super::compact::{CompactJws, Segments, unencoded_jwt};
use super::header::Header;
use super::validation::Validation;
use crate::algorithm::Algorithm;
use crate::crypto::VerifyingKey;
use crate::error::{Error, Result};

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
    verify_jwt_checked(
        token,
        validation,
        candidates,
        VerifyingKey::verify_signature,
    )
}

/// [`verify_jwt_with`] with the signature math supplied by the caller: the key's own in
/// the product, nothing at all in the `parse` bench and the allocation test, which measure
/// everything else on exactly this path.
pub(crate) fn verify_jwt_checked<K, I, E>(
    token: &str,
    validation: &Validation,
    candidates: impl FnOnce(&Header) -> Result<I, E>,
    check: impl Fn(&VerifyingKey, Algorithm, &[u8], &[u8]) -> Result<()>,
) -> Result<(VerifiedJwt, K), E>
where
    I: IntoIterator<Item = K>,
    K: AsRef<VerifyingKey>,
    E: From<Error>,
{
    let claims = |payload: &[u8]| Ok(validation.validate_claims(payload)?);
    let (header, claims, key) = verify_token(
        token,
        validation,
        Payload::Claims,
        candidates,
        check,
        claims,
    )?;
    Ok((VerifiedJwt { header, claims }, key))
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
    let check = VerifyingKey::verify_signature;
    // The payload is copied out only once the signature has verified.
    let copy = |payload: &[u8]| Ok(payload.to_vec());
    let (header, payload, key) = verify_token(
        token,
        validation,
        Payload::AnyBytes,
        candidates,
        check,
        copy,
    )?;
    Ok((VerifiedJws { header, payload }, key))
}

/// What a token's payload must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Payload {
    /// JWT claims, so base64url-encoded: RFC 7797 `"b64": false` is refused.
    Claims,
    /// Any bytes, encoded or not.
    AnyBytes,
}

/// The path both entry points share. Each segment is decoded once, into a stack buffer
/// when it fits: the payload, then the signature, checked in the order
/// [`crate::CompactJws::parse`] checks them and failing with the same errors. Then the
/// payload rule, the header policy and the candidate keys; `finish` sees the payload only
/// once a key has verified the signature.
fn verify_token<K, I, E, T>(
    token: &str,
    validation: &Validation,
    payload_kind: Payload,
    candidates: impl FnOnce(&Header) -> Result<I, E>,
    check: impl Fn(&VerifyingKey, Algorithm, &[u8], &[u8]) -> Result<()>,
    finish: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<(Header, T, K), E>
where
    I: IntoIterator<Item = K>,
    K: AsRef<VerifyingKey>,
    E: From<Error>,
{
    let segments = Segments::split(token, validation.limits())?;
    let (finished, key) = verify_segments(
        &segments,
        validation,
        payload_kind,
        candidates,
        check,
        finish,
    )?;
    Ok((segments.into_header(), finished, key))
}

/// [`verify_token`] on a token already split and its header parsed.
fn verify_segments<K, I, E, T>(
    segments: &Segments<'_>,
    validation: &Validation,
    payload_kind: Payload,
    candidates: impl FnOnce(&Header) -> Result<I, E>,
    check: impl Fn(&VerifyingKey, Algorithm, &[u8], &[u8]) -> Result<()>,
    finish: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<(T, K), E>
where
    I: IntoIterator<Item = K>,
    K: AsRef<VerifyingKey>,
    E: From<Error>,
{
    segments.with_payload(|payload| {
        let key = segments.with_signature(|signature| {
            if payload_kind == Payload::Claims && !segments.header().b64() {
                return Err(unencoded_jwt().into());
            }
            verify_signature_with(segments, signature, validation, candidates, check)
        })?;
        Ok::<_, E>((finish(payload)?, key))
    })
}

/// Verification of a token parsed once with [`CompactJws::parse`].
impl CompactJws<'_> {
    /// [`verify_jwt_with`] on this parsed token: the header is not parsed again, nor the
    /// claims if [`unverified_claims`](CompactJws::unverified_claims) already read them.
    ///
    /// A token parsed under other [`Limits`](crate::Limits) than `validation`'s is
    /// parsed again under `validation`'s, so the result never depends on how it was
    /// parsed first.
    pub fn verify_jwt_with<K, I, E>(
        &self,
        validation: &Validation,
        candidates: impl FnOnce(&Header) -> Result<I, E>,
    ) -> Result<(VerifiedJwt, K), E>
    where
        I: IntoIterator<Item = K>,
        K: AsRef<VerifyingKey>,
        E: From<Error>,
    {
        if self.limits() != validation.limits() {
            return verify_jwt_with(self.token(), validation, candidates);
        }
        let claims = |payload: &[u8]| match self.parsed_claims() {
            Some(Ok(claims)) => {
                validation.check_claims(claims)?;
                Ok(claims.clone())
            }
            Some(Err(e)) => Err(E::from(e.clone())),
            None => Ok(validation.validate_claims(payload)?),
        };
        let (header, claims, key) =
            self.verify_parsed(validation, Payload::Claims, candidates, claims)?;
        Ok((VerifiedJwt { header, claims }, key))
    }

    /// [`verify_jws_with`] on this parsed token, without parsing its header again; see
    /// [`CompactJws::verify_jwt_with`] for tokens parsed under other limits.
    pub fn verify_jws_with<K, I, E>(
        &self,
        validation: &Validation,
        candidates: impl FnOnce(&Header) -> Result<I, E>,
    ) -> Result<(VerifiedJws, K), E>
    where
        I: IntoIterator<Item = K>,
        K: AsRef<VerifyingKey>,
        E: From<Error>,
    {
        if self.limits() != validation.limits() {
            return verify_jws_with(self.token(), validation, candidates);
        }
        let copy = |payload: &[u8]| Ok(payload.to_vec());
        let (header, payload, key) =
            self.verify_parsed(validation, Payload::AnyBytes, candidates, copy)?;
        Ok((VerifiedJws { header, payload }, key))
    }

    /// [`verify_token`] on this token's segments, already split and its header parsed,
    /// under limits the caller has checked are `validation`'s.
    fn verify_parsed<K, I, E, T>(
        &self,
        validation: &Validation,
        payload_kind: Payload,
        candidates: impl FnOnce(&Header) -> Result<I, E>,
        finish: impl FnOnce(&[u8]) -> Result<T, E>,
    ) -> Result<(Header, T, K), E>
    where
        I: IntoIterator<Item = K>,
        K: AsRef<VerifyingKey>,
        E: From<Error>,
    {
        let (finished, key) = verify_segments(
            self.segments(),
            validation,
            payload_kind,
            candidates,
            VerifyingKey::verify_signature,
            finish,
        )?;
        Ok((self.header().clone(), finished, key))
    }
}

/// Checks the header against the caller's policy, then tries the candidate keys in order
/// under the budget of [`Limits::max_candidates`](crate::Limits::max_candidates).
fn verify_signature_with<K, I, E>(
    segments: &Segments<'_>,
    signature: &[u8],
    validation: &Validation,
    candidates: impl FnOnce(&Header) -> Result<I, E>,
    check: impl Fn(&VerifyingKey, Algorithm, &[u8], &[u8]) -> Result<()>,
) -> Result<K, E>
where
    I: IntoIterator<Item = K>,
    K: AsRef<VerifyingKey>,
    E: From<Error>,
{
    let header = segments.header();
    validation.check_header(header)?;
    let alg = header.alg();
    let mut budget = validation.limits().candidates();
    let mut failure: Option<Error> = None;
    for candidate in candidates(header)? {
        let key = candidate.as_ref();
        // A key that cannot take this alg costs no signature work and no budget.
        let outcome = match key.check_algorithm(alg) {
            Err(e) => Err(e),
            Ok(()) if budget == 0 => break,
            Ok(()) => {
                budget -= 1;
                check(key, alg, segments.signing_input(), signature)
            }
        };
        match outcome {
            Ok(()) => return Ok(candidate),
            Err(e) => failure = Some(most_specific(failure, e)),
        }
    }
    Err(failure.unwrap_or(Error::NoMatchingKey).into())
}

fn most_specific(current: Option<Error>, new: Error) -> Error {
    match current {
        Some(current) if current.specificity() >= new.specificity() => current,
        _ => new,
    }
}
