//! A token parsed once with `CompactJws::parse` and verified from the parse: the same
//! verdict as verifying the string, for valid tokens and for every kind of rejection.

mod common;

use common::{public_key, sign_es256, sign_rs256};
use jose_core::{Algorithm, CompactJws, Error, Limits, Validation, VerifyingKey, verify_jwt_with};

fn validation() -> Validation {
    Validation::builder([Algorithm::RS256, Algorithm::ES256])
        .issuer("https://issuer.example")
        .audience("api")
        .now(1_700_000_000)
        .build()
}

/// Verifies `token` through the string entry point and through a parse, with and
/// without reading the unverified claims first, and checks all three agree.
fn verdicts(token: &str, key: &VerifyingKey, validation: &Validation) -> Result<String, String> {
    let show = |r: Result<jose_core::VerifiedJwt, Error>| {
        r.map(|v| format!("{:?}", v.claims()))
            .map_err(|e| e.code().to_owned())
    };
    let keys = |_: &jose_core::Header| Ok::<_, Error>([key]);
    let direct = show(verify_jwt_with(token, validation, keys).map(|(v, _)| v));
    match CompactJws::parse(token, validation.limits()) {
        Err(e) => assert_eq!(direct, Err(e.code().to_owned()), "{token}"),
        Ok(jws) => {
            let parsed = show(jws.verify_jwt_with(validation, keys).map(|(v, _)| v));
            assert_eq!(parsed, direct, "parsed, claims not read: {token}");
            let _ = jws.unverified_claims();
            let read = show(jws.verify_jwt_with(validation, keys).map(|(v, _)| v));
            assert_eq!(read, direct, "parsed, claims read first: {token}");
        }
    }
    direct
}

const HEADER: &str = r#"{"alg":"RS256","kid":"k1"}"#;
const GOOD: &str = r#"{"iss":"https://issuer.example","aud":"api","exp":1700000100,"sub":"alice"}"#;

#[test]
fn valid_and_invalid_tokens_get_the_same_verdict_parsed_or_not() {
    let key = public_key("rsa-2048");
    let v = validation();
    assert!(verdicts(&sign_rs256(HEADER, GOOD), &key, &v).is_ok());
    let cases = [
        // Expired, not yet valid, wrong issuer, wrong audience.
        (
            r#"{"iss":"https://issuer.example","aud":"api","exp":1699999000}"#,
            "ERR_JWT_EXPIRED",
        ),
        (
            r#"{"iss":"https://issuer.example","aud":"api","exp":1700000100,"nbf":1700000500}"#,
            "ERR_JWT_NOT_YET_VALID",
        ),
        (
            r#"{"iss":"https://other.example","aud":"api","exp":1700000100}"#,
            "ERR_JWT_CLAIM_INVALID",
        ),
        (
            r#"{"iss":"https://issuer.example","aud":"web","exp":1700000100}"#,
            "ERR_JWT_CLAIM_INVALID",
        ),
        // Malformed claims: a string exp, duplicate members, not an object.
        (
            r#"{"iss":"https://issuer.example","aud":"api","exp":"soon"}"#,
            "ERR_JWT_CLAIM_MALFORMED",
        ),
        (
            r#"{"iss":"a","iss":"https://issuer.example","aud":"api","exp":1700000100}"#,
            "ERR_JWT_INVALID",
        ),
        ("[1]", "ERR_JWT_INVALID"),
    ];
    for (claims, expected) in cases {
        let token = sign_rs256(HEADER, claims);
        let got = verdicts(&token, &key, &v).unwrap_err();
        assert_eq!(got, expected, "{claims}");
    }
}

#[test]
fn claims_read_before_verification_never_replace_the_signature_check() {
    let key = public_key("rsa-2048");
    let v = validation();
    let token = sign_rs256(HEADER, GOOD);
    // Same header, other claims, the original signature.
    let (head, rest) = token.split_once('.').unwrap();
    let signature = rest.rsplit_once('.').unwrap().1;
    let forged_claims = jose_core::base64url_encode(
        br#"{"iss":"https://issuer.example","aud":"api","exp":1700000100,"sub":"mallory"}"#,
    );
    let forged = format!("{head}.{forged_claims}.{signature}");
    let jws = CompactJws::parse(&forged, v.limits()).unwrap();
    assert_eq!(jws.unverified_claims().unwrap().sub(), Some("mallory"));
    let err = jws
        .verify_jwt_with(&v, |_| Ok::<_, Error>([&key]))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWS_SIGNATURE_INVALID");
    // Malformed claims under a bad signature: the signature is still what fails.
    let bad_claims = jose_core::base64url_encode(br#"{"exp":"soon"}"#);
    let forged = format!("{head}.{bad_claims}.{signature}");
    let jws = CompactJws::parse(&forged, v.limits()).unwrap();
    assert_eq!(
        jws.unverified_claims().unwrap_err().code(),
        "ERR_JWT_CLAIM_MALFORMED"
    );
    let err = jws
        .verify_jwt_with(&v, |_| Ok::<_, Error>([&key]))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWS_SIGNATURE_INVALID");
}

#[test]
fn unverified_claims_are_strict_and_kept() {
    let (token, _) = sign_es256(r#"{"alg":"ES256"}"#, GOOD);
    let jws = CompactJws::parse(&token, &Limits::default()).unwrap();
    let first: *const _ = jws.unverified_claims().unwrap();
    let second: *const _ = jws.unverified_claims().unwrap();
    assert_eq!(first, second, "parsed once and kept");
    assert_eq!(
        jws.unverified_claims().unwrap().iss(),
        Some("https://issuer.example")
    );
    assert_eq!(jws.token(), token);

    let (nested, _) = sign_es256(r#"{"alg":"ES256"}"#, r#"{"a":[[[[[[1]]]]]]}"#);
    let shallow = Limits::default().max_json_depth(3);
    let jws = CompactJws::parse(&nested, &shallow).unwrap();
    assert_eq!(
        jws.unverified_claims().unwrap_err().code(),
        "ERR_JOSE_LIMIT_EXCEEDED"
    );
}

#[test]
fn a_token_parsed_under_looser_limits_is_judged_under_the_validations() {
    let key = public_key("rsa-2048");
    let token = sign_rs256(HEADER, GOOD);
    let jws = CompactJws::parse(&token, &Limits::default()).unwrap();
    let tight = Validation::builder([Algorithm::RS256])
        .issuer("https://issuer.example")
        .audience("api")
        .now(1_700_000_000)
        .limits(Limits::default().max_token_len(100))
        .build();
    let err = jws
        .verify_jwt_with(&tight, |_| Ok::<_, Error>([&key]))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JOSE_LIMIT_EXCEEDED");
}
