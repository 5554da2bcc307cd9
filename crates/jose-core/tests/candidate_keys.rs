//! Verification against several candidate keys: the signature budget, which key wins,
//! which error is reported when none does, and what the verified result hands back.

mod common;

use common::{public_key, sign_rs256};
use jose_core::{
    Algorithm, CompactJws, Error, Header, Limits, Validation, VerifyingKey, verify_jws,
    verify_jws_with, verify_jwt, verify_jwt_with,
};

const NOW: u64 = 1_767_225_660;
const HEADER: &str = r#"{"alg":"RS256","kid":"k1"}"#;
const CLAIMS: &str = r#"{"sub":"alice","exp":1767229200}"#;

fn validation(max_candidates: usize) -> Validation {
    Validation::builder([Algorithm::RS256])
        .now(NOW)
        .limits(Limits::default().max_candidates(max_candidates))
        .build()
}

/// Verifies the token against the keys named, in order; on success returns the index
/// of the key that verified.
fn verify_with(token: &str, names: &[&str], max_candidates: usize) -> Result<usize, Error> {
    let keys: Vec<(usize, VerifyingKey)> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (i, public_key(name)))
        .collect();
    let keys: Vec<Indexed<'_>> = keys.iter().map(|(i, k)| Indexed(*i, k)).collect();
    verify_jwt_with(token, &validation(max_candidates), |_: &Header| {
        Ok::<_, Error>(keys)
    })
    .map(|(_, key)| key.0)
}

/// A candidate that remembers its position in the list.
struct Indexed<'k>(usize, &'k VerifyingKey);

impl AsRef<VerifyingKey> for Indexed<'_> {
    fn as_ref(&self) -> &VerifyingKey {
        self.1
    }
}

#[test]
fn the_budget_counts_signature_attempts() {
    let token = sign_rs256(HEADER, CLAIMS);
    let wrong_then_right = ["rsa-3072", "rsa-4096", "rsa-3072", "rsa-2048"];
    // Three failed attempts use up the default budget: the right key is never tried.
    assert_eq!(
        verify_with(&token, &wrong_then_right, 3),
        Err(Error::SignatureInvalid)
    );
    assert_eq!(verify_with(&token, &wrong_then_right, 4), Ok(3));
    assert_eq!(verify_with(&token, &["rsa-2048"], 1), Ok(0));
    // No budget at all: no signature is checked, and there is nothing more specific to
    // report than the absence of a usable key.
    assert_eq!(
        verify_with(&token, &["rsa-2048"], 0),
        Err(Error::NoMatchingKey)
    );
    assert_eq!(verify_with(&token, &[], 3), Err(Error::NoMatchingKey));
}

#[test]
fn keys_that_cannot_take_the_alg_cost_no_budget() {
    let token = sign_rs256(HEADER, CLAIMS);
    let names = ["ec-p256", "ed25519", "ec-p384", "ec-p256", "rsa-2048"];
    assert_eq!(verify_with(&token, &names, 1), Ok(4));
}

#[test]
fn the_most_specific_failure_is_reported_whatever_the_order() {
    let token = sign_rs256(HEADER, CLAIMS);
    // A wrong RSA key fails the signature; an EC key cannot take RS256 at all, which
    // says more about what went wrong.
    for names in [["rsa-3072", "ec-p256"], ["ec-p256", "rsa-3072"]] {
        let err = verify_with(&token, &names, 3).unwrap_err();
        assert_eq!(err.code(), "ERR_JOSE_KEY_MISMATCH", "{names:?}");
    }
    // Two failures of the same kind: the first one is kept.
    let err = verify_with(&token, &["ec-p256", "ed25519"], 3).unwrap_err();
    assert_eq!(
        err,
        public_key("ec-p256")
            .check_algorithm(Algorithm::RS256)
            .unwrap_err()
    );
}

#[test]
fn a_verified_jwt_hands_back_its_header_and_claims() {
    let token = sign_rs256(HEADER, CLAIMS);
    let verified = verify_jwt(&token, &public_key("rsa-2048"), &validation(3)).unwrap();
    assert_eq!(verified.header().kid(), Some("k1"));
    assert_eq!(verified.claims().sub(), Some("alice"));
    let (header, claims) = verified.into_parts();
    assert_eq!(header.kid(), Some("k1"));
    assert_eq!(claims.exp(), Some(1_767_229_200));
}

#[test]
fn a_verified_jws_hands_back_its_header_and_payload() {
    let token = sign_rs256(HEADER, "not JSON at all");
    let key = public_key("rsa-2048");
    let verified = verify_jws(&token, &key, &validation(3)).unwrap();
    assert_eq!(verified.header().kid(), Some("k1"));
    assert_eq!(verified.payload(), b"not JSON at all");
    let (header, payload) = verified.into_parts();
    assert_eq!(header.alg(), Algorithm::RS256);
    assert_eq!(payload, b"not JSON at all");
    let (with, key_used) =
        verify_jws_with(&token, &validation(3), |_| Ok::<_, Error>([&key])).unwrap();
    assert_eq!(with.payload(), b"not JSON at all");
    assert!(std::ptr::eq(key_used, &key));
    // The same bytes are no JWT.
    assert_eq!(
        verify_jwt(&token, &key, &validation(3)).unwrap_err().code(),
        "ERR_JWT_INVALID"
    );
}

#[test]
fn a_jws_parsed_under_looser_limits_is_judged_under_the_validations() {
    let key = public_key("rsa-2048");
    let token = sign_rs256(HEADER, "payload");
    let jws = CompactJws::parse(&token, &Limits::default()).unwrap();
    let verified = jws
        .verify_jws_with(&validation(3), |_| Ok::<_, Error>([&key]))
        .unwrap();
    assert_eq!(verified.0.payload(), b"payload");
    let tight = Validation::builder([Algorithm::RS256])
        .now(NOW)
        .limits(Limits::default().max_token_len(100))
        .build();
    let err = jws
        .verify_jws_with(&tight, |_| Ok::<_, Error>([&key]))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JOSE_LIMIT_EXCEEDED");
}
