//! Published vectors: RFC 7515 Appendix A, RFC 7520 §4, RFC 8037 Appendix A, and tokens
//! signed by an independent implementation (PyJWT). Each vector file names its source.

mod common;

use common::read_json;
use jose_core::{Algorithm, Validation, VerifyingKey, verify_jws, verify_jwt};
use serde_json::Value;

fn key_from_jwk(jwk: &Value) -> VerifyingKey {
    let s = |name: &str| jwk[name].as_str().unwrap();
    match s("kty") {
        "RSA" => VerifyingKey::from_jwk_rsa(s("n"), s("e")).unwrap(),
        "EC" => VerifyingKey::from_jwk_ec(s("crv"), s("x"), s("y")).unwrap(),
        "OKP" => VerifyingKey::from_jwk_okp(s("crv"), s("x")).unwrap(),
        other => panic!("unexpected kty {other}"),
    }
}

/// Flips one character of the payload segment so the signing input changes.
fn tamper(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let payload = &mut parts[1];
    let c = payload.remove(0);
    payload.insert(0, if c == 'e' { 'f' } else { 'e' });
    parts.join(".")
}

mod rfc7515 {
    use super::*;

    fn run(name: &str) {
        let file = read_json("jws/rfc7515.json");
        let v = file["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap();
        let alg = Algorithm::from_name(v["alg"].as_str().unwrap()).unwrap();
        let key = key_from_jwk(&v["jwk"]);
        let token = v["token"].as_str().unwrap();
        let now = v["jwt"]["now"].as_u64().unwrap();
        let exp = v["jwt"]["expired_at"].as_u64().unwrap();

        let validation = Validation::builder([alg]).issuer("joe").now(now).build();
        let verified = verify_jwt(token, &key, &validation).unwrap();
        assert_eq!(verified.claims().iss(), Some("joe"));
        assert_eq!(verified.claims().exp(), Some(exp));
        assert_eq!(verified.header().alg(), alg);

        let tampered = verify_jwt(&tamper(token), &key, &validation).unwrap_err();
        assert_eq!(tampered.code(), "ERR_JWS_SIGNATURE_INVALID");

        let late = Validation::builder([alg]).now(exp + 60).build();
        assert_eq!(
            verify_jwt(token, &key, &late).unwrap_err().code(),
            "ERR_JWT_EXPIRED"
        );
    }

    #[test]
    fn a2_rs256() {
        run("rfc7515-a2-rs256");
    }

    #[test]
    fn a3_es256() {
        run("rfc7515-a3-es256");
    }
}

mod rfc7520 {
    use super::*;

    fn vector(name: &str) -> Value {
        let file = read_json("jws/rfc7520.json");
        file["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap()
            .clone()
    }

    fn run_valid(name: &str, alg: Algorithm) {
        let v = vector(name);
        let key = key_from_jwk(&v["jwk"]);
        let token = v["token"].as_str().unwrap();
        let validation = Validation::builder([alg]).build();
        let verified = verify_jws(token, &key, &validation).unwrap();
        assert_eq!(
            verified.payload(),
            v["payload"].as_str().unwrap().as_bytes()
        );
        assert_eq!(
            verified.header().kid(),
            Some("bilbo.baggins@hobbiton.example")
        );
        assert!(verify_jws(&tamper(token), &key, &validation).is_err());
        // The payload is text, not a JWT: JWT verification must refuse it.
        assert_eq!(
            verify_jwt(token, &key, &validation).unwrap_err().code(),
            "ERR_JWT_INVALID"
        );
    }

    #[test]
    fn s4_1_rs256() {
        run_valid("rfc7520-4.1", Algorithm::RS256);
    }

    #[test]
    fn s4_2_ps384() {
        run_valid("rfc7520-4.2", Algorithm::PS384);
    }

    #[test]
    fn s4_3_es512() {
        run_valid("rfc7520-4.3", Algorithm::ES512);
        // The P-521 key refuses every other algorithm, ES256 and ES384 included.
        let v = vector("rfc7520-4.3");
        let key = key_from_jwk(&v["jwk"]);
        assert_eq!(key.curve(), Some("P-521"));
        for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::EdDSA] {
            let validation = Validation::builder([alg]).build();
            let token = v["token"].as_str().unwrap();
            // The token says ES512, so with only `alg` allowed it is refused by the
            // allowlist; the key's own refusal is checked directly.
            assert_eq!(
                verify_jws(token, &key, &validation).unwrap_err().code(),
                "ERR_JOSE_ALG_NOT_ALLOWED"
            );
            assert_eq!(
                key.check_algorithm(alg).unwrap_err().code(),
                "ERR_JOSE_KEY_MISMATCH"
            );
        }
    }
}

/// RFC 8037 Appendix A: Ed25519 in JOSE.
mod rfc8037 {
    use super::*;

    fn file() -> Value {
        read_json("jws/rfc8037.json")
    }

    /// A.1/A.2: the public `x` imports; it is the public half of A.1's private key.
    #[test]
    fn a1_a2_keys() {
        let f = file();
        let public = key_from_jwk(&f["a2_public_jwk"]["jwk"]);
        assert_eq!(public.key_type(), "OKP");
        assert_eq!(public.curve(), Some("Ed25519"));
        assert_eq!(
            jose_core::base64url_encode(public.okp_x().unwrap()),
            f["a1_private_jwk"]["jwk"]["x"].as_str().unwrap()
        );
    }

    /// A.4/A.5: the JWS verifies under "EdDSA" and fails when tampered.
    #[test]
    fn a4_a5_jws() {
        let f = file();
        let v = &f["a4_a5_jws"];
        let key = key_from_jwk(&f["a2_public_jwk"]["jwk"]);
        let token = v["token"].as_str().unwrap();
        let validation = Validation::builder([Algorithm::EdDSA]).build();
        let verified = verify_jws(token, &key, &validation).unwrap();
        assert_eq!(
            verified.payload(),
            v["payload"].as_str().unwrap().as_bytes()
        );
        assert_eq!(verified.header().alg(), Algorithm::EdDSA);
        assert_eq!(
            verify_jws(&tamper(token), &key, &validation)
                .unwrap_err()
                .code(),
            "ERR_JWS_SIGNATURE_INVALID"
        );
        // The allowlist names exact `alg` values: "Ed25519" alone does not admit "EdDSA".
        let other_name = Validation::builder([Algorithm::Ed25519]).build();
        assert_eq!(
            verify_jws(token, &key, &other_name).unwrap_err().code(),
            "ERR_JOSE_ALG_NOT_ALLOWED"
        );
    }
}

mod interop_pyjwt {
    use super::*;

    #[test]
    fn tokens_from_an_independent_implementation() {
        let file = read_json("interop/pyjwt-tokens.json");
        let jwks = read_json("interop/jwks.json");
        let rules = &file["validation"];
        let mut checked = 0;
        for case in file["tokens"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let alg = Algorithm::from_name(case["alg"].as_str().unwrap()).unwrap();
            let token = case["token"].as_str().unwrap();
            // The kid in the header chooses the key, as a key set would.
            let header_kid = jose_core::CompactJws::parse(token, &Default::default())
                .unwrap()
                .header()
                .kid()
                .unwrap()
                .to_owned();
            let jwk = jwks["keys"]
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["kid"] == header_kid.as_str())
                .unwrap();
            let key = key_from_jwk(jwk);
            let validation = Validation::builder([alg])
                .issuer(rules["iss"].as_str().unwrap())
                .audience(rules["aud"].as_str().unwrap())
                .leeway(rules["leeway"].as_u64().unwrap())
                .now(rules["now"].as_u64().unwrap())
                .build();
            let result = verify_jwt(token, &key, &validation);
            match case["expected"].as_str().unwrap() {
                "valid" => {
                    let verified = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(verified.claims().sub(), Some("alice"), "{name}");
                    assert!(
                        verify_jwt(&tamper(token), &key, &validation).is_err(),
                        "{name} tampered"
                    );
                }
                code => assert_eq!(result.unwrap_err().code(), code, "{name}"),
            }
            checked += 1;
        }
        assert!(checked >= 14, "ran {checked} interop cases");
    }

    /// ES384, ES512, EdDSA and "Ed25519" tokens from PyJWT / pyca/cryptography, each
    /// with a tampered twin (`interop/generate_curves.py`).
    #[test]
    fn curve_tokens_from_an_independent_implementation() {
        let file = read_json("interop/pyjwt-curves-tokens.json");
        let jwks = read_json("interop/jwks-curves.json");
        let rules = &file["validation"];
        let mut seen = std::collections::BTreeMap::new();
        for case in file["tokens"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let alg = Algorithm::from_name(case["alg"].as_str().unwrap()).unwrap();
            let token = case["token"].as_str().unwrap();
            let jwk = jwks["keys"]
                .as_array()
                .unwrap()
                .iter()
                .find(|k| k["kid"] == case["kid"])
                .unwrap();
            let key = key_from_jwk(jwk);
            // The same key from its SPKI PEM (`keys/`) is the same key.
            let pem = common::public_key(case["kid"].as_str().unwrap());
            assert_eq!(pem.ec_coordinates(), key.ec_coordinates(), "{name}");
            assert_eq!(pem.okp_x(), key.okp_x(), "{name}");
            let validation = Validation::builder([alg])
                .issuer(rules["iss"].as_str().unwrap())
                .audience(rules["aud"].as_str().unwrap())
                .leeway(rules["leeway"].as_u64().unwrap())
                .now(rules["now"].as_u64().unwrap())
                .build();
            let result = verify_jwt(token, &key, &validation);
            let expected = case["expected"].as_str().unwrap();
            match expected {
                "valid" => {
                    let verified = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                    assert_eq!(verified.claims().sub(), Some("alice"), "{name}");
                }
                code => assert_eq!(result.unwrap_err().code(), code, "{name}"),
            }
            *seen.entry((alg.name(), expected)).or_insert(0) += 1;
        }
        for alg in ["ES384", "ES512", "EdDSA", "Ed25519"] {
            assert!(seen.contains_key(&(alg, "valid")), "{alg}: {seen:?}");
            assert!(
                seen.contains_key(&(alg, "ERR_JWS_SIGNATURE_INVALID")),
                "{alg}: {seen:?}"
            );
        }
    }

    #[test]
    fn at_jwt_type_check() {
        let file = read_json("interop/pyjwt-tokens.json");
        let case = file["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "at-jwt")
            .unwrap();
        let plain = file["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "rs256-2048")
            .unwrap();
        let key = common::public_key("rsa-2048");
        let v = Validation::builder([Algorithm::RS256])
            .accept_any_audience()
            .typ("application/AT+JWT")
            .now(file["validation"]["now"].as_u64().unwrap())
            .build();
        assert!(verify_jwt(case["token"].as_str().unwrap(), &key, &v).is_ok());
        // PyJWT writes typ "JWT" by default: not an access token.
        let err = verify_jwt(plain["token"].as_str().unwrap(), &key, &v).unwrap_err();
        assert_eq!(err.code(), "ERR_JWT_CLAIM_INVALID");
    }
}
