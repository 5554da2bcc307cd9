//! `Validation` read back and applied on its own, without a signature: what the caller
//! configured is what the checks use. Claims come from `CompactJws::unverified_claims`,
//! so each case costs no signature work.

use jose_core::{Algorithm, CompactJws, Error, Limits, Validation, base64url_encode};

const NOW: u64 = 1_767_225_660;

/// The claims of an unsigned-looking token (never verified; only the claims are read).
fn claims(json: &str) -> jose_core::Claims {
    let token = format!(
        "{}.{}.AQ",
        base64url_encode(br#"{"alg":"RS256"}"#),
        base64url_encode(json.as_bytes())
    );
    let jws = CompactJws::parse(&token, &Limits::default()).unwrap();
    jws.unverified_claims().unwrap().clone()
}

#[test]
fn the_configured_algorithms_and_limits_are_the_ones_reported() {
    let limits = Limits::default().max_token_len(1234).max_candidates(1);
    let v = Validation::builder([Algorithm::ES256, Algorithm::EdDSA])
        .limits(limits.clone())
        .build();
    let algs = v.algorithms();
    assert!(algs.contains(Algorithm::ES256));
    assert!(algs.contains(Algorithm::EdDSA));
    assert!(!algs.contains(Algorithm::RS256));
    assert_eq!(v.limits(), &limits);
    assert_eq!(v.limits().token_len(), 1234);
    assert_eq!(v.check_algorithm(Algorithm::ES256), Ok(()));
    assert_eq!(
        v.check_algorithm(Algorithm::RS256),
        Err(Error::AlgNotAllowed {
            alg: Algorithm::RS256
        })
    );
}

#[test]
fn check_claims_applies_every_rule_at_the_configured_time() {
    let v = Validation::builder([Algorithm::RS256])
        .issuer("https://issuer.example")
        .audience("api")
        .now(NOW)
        .leeway(0)
        .build();
    assert_eq!(v.now(), NOW);
    let good = format!(
        r#"{{"iss":"https://issuer.example","aud":"api","exp":{}}}"#,
        NOW + 1
    );
    assert_eq!(v.check_claims(&claims(&good)), Ok(()));
    // Each rule on its own: a claims object that breaks exactly one of them.
    let expired = format!(r#"{{"iss":"https://issuer.example","aud":"api","exp":{NOW}}}"#);
    assert_eq!(
        v.check_claims(&claims(&expired)),
        Err(Error::Expired { claim: "exp" })
    );
    let other_iss = format!(
        r#"{{"iss":"https://evil.example","aud":"api","exp":{}}}"#,
        NOW + 1
    );
    assert_eq!(
        v.check_claims(&claims(&other_iss)).unwrap_err().code(),
        "ERR_JWT_CLAIM_INVALID"
    );
    let other_aud = format!(
        r#"{{"iss":"https://issuer.example","aud":"web","exp":{}}}"#,
        NOW + 1
    );
    assert_eq!(
        v.check_claims(&claims(&other_aud)).unwrap_err().code(),
        "ERR_JWT_CLAIM_INVALID"
    );
}
