//! Properties: parsing and verification never panic on arbitrary input, and no single
//! bit flip of a valid token survives verification.

mod common;

use common::{public_key, sign_es256, sign_rs256};
use jose_core::{Algorithm, CompactJws, Limits, Validation, verify_jwt};
use proptest::prelude::*;

const NOW: u64 = 1_767_225_660;
const CLAIMS: &str =
    r#"{"iss":"https://issuer.example","sub":"alice","exp":1767229200,"iat":1767225600}"#;

fn all_algs() -> Validation {
    Validation::builder(Algorithm::ALL)
        .now(NOW)
        .accept_any_audience()
        .build()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_never_panics_on_arbitrary_strings(s in any::<String>()) {
        let _ = CompactJws::parse(&s, &Limits::default());
    }

    #[test]
    fn parse_never_panics_on_token_shaped_input(
        h in "[A-Za-z0-9_=+/-]{0,60}",
        p in "[A-Za-z0-9_=.-]{0,60}",
        s in "[A-Za-z0-9_=-]{0,90}",
    ) {
        let token = format!("{h}.{p}.{s}");
        let _ = CompactJws::parse(&token, &Limits::default());
        let _ = verify_jwt(&token, &public_key("ec-p256"), &all_algs());
    }

    #[test]
    fn verification_never_panics_on_arbitrary_json(header in json_object(), claims in json_object()) {
        // Valid base64url around arbitrary JSON reaches the header and claims logic.
        let (token, _) = sign_es256(&header, &claims);
        let _ = verify_jwt(&token, &public_key("ec-p256"), &all_algs());
    }
}

/// Small JSON objects mixing registered names and odd values.
fn json_object() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("alg".to_owned()),
        Just("kid".to_owned()),
        Just("crit".to_owned()),
        Just("b64".to_owned()),
        Just("exp".to_owned()),
        Just("nbf".to_owned()),
        Just("iat".to_owned()),
        Just("aud".to_owned()),
        Just("iss".to_owned()),
        Just("typ".to_owned()),
        "[a-z]{1,4}",
    ];
    let value = prop_oneof![
        Just("\"ES256\"".to_owned()),
        Just("\"none\"".to_owned()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("[\"b64\"]".to_owned()),
        Just("-1".to_owned()),
        Just("1e400".to_owned()),
        Just("1767229200".to_owned()),
        Just("1.5".to_owned()),
        Just("[1,\"a\"]".to_owned()),
        Just("{}".to_owned()),
        "\"[a-z]{0,5}\"",
        any::<i64>().prop_map(|n| n.to_string()),
    ];
    proptest::collection::vec((name, value), 0..6).prop_map(|members| {
        let body: Vec<String> = members
            .iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", body.join(","))
    })
}

/// Every single-bit flip of `token` must fail verification (or not even be UTF-8).
fn assert_every_bit_flip_fails(
    token: &str,
    key: &jose_core::VerifyingKey,
    validation: &Validation,
) {
    assert!(
        verify_jwt(token, key, validation).is_ok(),
        "baseline must verify"
    );
    let bytes = token.as_bytes();
    let mut checked = 0;
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut flipped = bytes.to_vec();
            flipped[i] ^= 1 << bit;
            if let Ok(s) = std::str::from_utf8(&flipped) {
                assert!(
                    verify_jwt(s, key, validation).is_err(),
                    "flip of byte {i} bit {bit} verified"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, bytes.len() * 8);
}

#[test]
fn every_single_bit_flip_of_an_es256_token_is_rejected() {
    let (token, _) = sign_es256(r#"{"alg":"ES256","kid":"ec-p256"}"#, CLAIMS);
    assert_every_bit_flip_fails(&token, &public_key("ec-p256"), &all_algs());
}

#[test]
fn every_single_bit_flip_of_an_rs256_token_is_rejected() {
    let token = sign_rs256(r#"{"alg":"RS256","kid":"rsa-2048"}"#, CLAIMS);
    assert_every_bit_flip_fails(&token, &public_key("rsa-2048"), &all_algs());
}
