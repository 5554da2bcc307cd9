//! `x5c` handling with certificates made by pyca/cryptography
//! (`test-vectors/jwk/x5c/generate.py`): match, mismatch, certificate-only keys and
//! `x5t`/`x5t#S256` checks.

mod common;

use common::{NOW, read_json, set_of, sign};
use jose_core::{Algorithm, Validation};
use jose_jwk::{Jwk, JwkSet};

#[test]
fn every_case_has_its_expected_outcome() {
    let cases = read_json("jwk/x5c/cases.json");
    let cases = cases["cases"].as_array().unwrap();
    assert!(cases.len() >= 8);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let expected = case["expected"].as_str().unwrap();
        let outcome = match Jwk::from_json(&serde_json::to_vec(&case["jwk"]).unwrap()) {
            Ok(jwk) => {
                assert!(jwk.has_certificate(), "{name}");
                "kept".to_owned()
            }
            Err(e) => e.code().to_owned(),
        };
        assert_eq!(outcome, expected, "{name}");
    }
}

#[test]
fn an_x5c_only_key_verifies_and_has_the_same_thumbprint_as_its_members() {
    let cases = read_json("jwk/x5c/cases.json");
    let by_name = |n: &str| {
        cases["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == n)
            .unwrap()["jwk"]
            .clone()
    };
    let set =
        JwkSet::from_json(&set_of(vec![by_name("rsa-x5c-only"), by_name("rsa-match")])).unwrap();
    assert_eq!(set.len(), 2);
    assert_eq!(set.keys()[0].thumbprint(), set.keys()[1].thumbprint());
    let token = sign(
        "rsa-2048",
        r#"{"alg":"RS256","kid":"rsa-x5c-only"}"#,
        r#"{"exp":1767229200}"#,
    );
    let validation = Validation::builder([Algorithm::RS256]).now(NOW).build();
    let verified = set.verify_jwt(&token, &validation).unwrap();
    assert_eq!(verified.key().kid(), Some("rsa-x5c-only"));
}

#[test]
fn a_mismatching_key_is_dropped_alone() {
    let cases = read_json("jwk/x5c/cases.json");
    let keys: Vec<_> = cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["jwk"].clone())
        .collect();
    let set = JwkSet::from_json(&set_of(keys)).unwrap();
    assert_eq!(
        set.kids().collect::<Vec<_>>(),
        ["rsa-match", "rsa-x5c-only", "ec-match"]
    );
    assert!(
        set.skipped()
            .iter()
            .all(|s| s.reason_code() == "ERR_JWK_X5C_MISMATCH")
    );
    assert_eq!(set.skipped().len(), 5);
}
