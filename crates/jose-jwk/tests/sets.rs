//! Set parsing, skipped-key reports, candidate selection and the attacks of docs/DESIGN.md §4.1-4.2
//! against a key set.

mod common;

use common::{NOW, interop_jwk, read_json, set_of, sign};
use jose_core::{Algorithm, Limits, Validation};
use jose_jwk::{Error, JwkSet, JwkSetOptions};
use serde_json::json;

const CLAIMS: &str = r#"{"iss":"https://issuer.example","exp":1767229200,"sub":"alice"}"#;

fn validation(algs: &[Algorithm]) -> Validation {
    Validation::builder(algs).now(NOW).build()
}

fn interop_set() -> JwkSet {
    JwkSet::from_json(&serde_json::to_vec(&read_json("interop/jwks.json")).unwrap()).unwrap()
}

#[test]
fn a_mixed_set_keeps_only_valid_signing_keys_and_reports_each_skip() {
    let good_rsa = interop_jwk("rsa-2048", &[]);
    let good_ec = interop_jwk("ec-p256", &[]);
    let mut malformed_rsa = interop_jwk("rsa-3072", &[("kid", json!("bad-rsa"))]);
    malformed_rsa["n"] = json!("not base64url!");
    let private = interop_jwk(
        "rsa-4096",
        &[("kid", json!("private")), ("d", json!("AQAB"))],
    );
    let set = JwkSet::from_json(&set_of(vec![
        json!({"kty":"oct","kid":"hmac","k":"c2VjcmV0LWtleS1tYXRlcmlhbA"}),
        good_rsa,
        json!({"kty":"OKP","kid":"ed448","crv":"Ed448","x":"AAAA"}),
        json!({"kty":"XYZ","kid":"unknown"}),
        interop_jwk(
            "ec-p256",
            &[("kid", json!("enc-only")), ("use", json!("enc"))],
        ),
        malformed_rsa,
        private,
        good_ec,
        json!("not an object"),
        interop_jwk(
            "rsa-2048",
            &[("kid", json!("wrap")), ("key_ops", json!(["wrapKey"]))],
        ),
        interop_jwk(
            "rsa-2048",
            &[("kid", json!("oaep")), ("alg", json!("RSA-OAEP"))],
        ),
        interop_jwk(
            "rsa-2048",
            &[("kid", json!("es-on-rsa")), ("alg", json!("ES256"))],
        ),
        interop_jwk(
            "ec-p256",
            &[("kid", json!("p512")), ("crv", json!("P-512"))],
        ),
        interop_jwk("rsa-2048", &[("kid", json!("x".repeat(300)))]),
    ]))
    .unwrap();

    let kept: Vec<_> = set.kids().collect();
    assert_eq!(kept, ["rsa-2048", "ec-p256"]);
    let skipped: Vec<_> = set
        .skipped()
        .iter()
        .map(|s| (s.index(), s.kid(), s.reason_code()))
        .collect();
    assert_eq!(
        skipped,
        [
            (0, Some("hmac"), "ERR_JWK_SYMMETRIC_KEY"),
            (2, Some("ed448"), "ERR_JWK_UNSUPPORTED_CRV"),
            (3, Some("unknown"), "ERR_JWK_UNSUPPORTED_KTY"),
            (4, Some("enc-only"), "ERR_JWK_NOT_FOR_SIGNATURES"),
            (5, Some("bad-rsa"), "ERR_JWK_MALFORMED"),
            (6, Some("private"), "ERR_JWK_PRIVATE_KEY"),
            (8, None, "ERR_JWK_MALFORMED"),
            (9, Some("wrap"), "ERR_JWK_NOT_FOR_SIGNATURES"),
            (10, Some("oaep"), "ERR_JWK_UNSUPPORTED_ALG"),
            (11, Some("es-on-rsa"), "ERR_JWK_ALG_MISMATCH"),
            (12, Some("p512"), "ERR_JWK_UNSUPPORTED_CRV"),
            (13, None, "ERR_JWK_KID_TOO_LONG"),
        ]
    );
    // The good keys still verify.
    let token = sign("rsa-2048", r#"{"alg":"RS256","kid":"rsa-2048"}"#, CLAIMS);
    assert!(
        set.verify_jwt(&token, &validation(&[Algorithm::RS256]))
            .is_ok()
    );
    let token = sign("ec-p256", r#"{"alg":"ES256","kid":"ec-p256"}"#, CLAIMS);
    assert!(
        set.verify_jwt(&token, &validation(&[Algorithm::ES256]))
            .is_ok()
    );
}

#[test]
fn private_material_never_appears_in_reports() {
    let secret = "c2VjcmV0LXByaXZhdGUtZXhwb25lbnQ";
    let set = JwkSet::from_json(&set_of(vec![
        interop_jwk("rsa-2048", &[("kid", json!("leaky")), ("d", json!(secret))]),
        interop_jwk("ec-p256", &[]),
    ]))
    .unwrap();
    let report = format!("{:?} {}", set.skipped(), set.skipped()[0].reason());
    assert!(!report.contains(secret), "{report}");
    assert!(!format!("{set:?}").contains(secret));
}

#[test]
fn invalid_documents_and_limits() {
    let code = |bytes: &[u8], options: &JwkSetOptions| {
        JwkSet::from_json_with(bytes, options).unwrap_err().code()
    };
    let d = JwkSetOptions::default();
    assert_eq!(code(b"not json", &d), "ERR_JWKS_INVALID");
    assert_eq!(code(b"[]", &d), "ERR_JWKS_INVALID");
    assert_eq!(code(br#"{"keys":{}}"#, &d), "ERR_JWKS_INVALID");
    assert_eq!(code(br#"{"keys":[],"keys":[]}"#, &d), "ERR_JWKS_INVALID");
    assert_eq!(code(br#"{"keys":[]}"#, &d), "ERR_JWKS_NO_USABLE_KEYS");
    // The error carries every skipped key with its reason, for reports like `jose jwks`.
    match JwkSet::from_json(br#"{"keys":[{"kty":"oct","k":"AA"},{"kid":"x","kty":"OKP"}]}"#) {
        Err(Error::NoUsableKeys { skipped }) => {
            let seen: Vec<_> = skipped
                .iter()
                .map(|s| (s.index(), s.kid(), s.reason_code()))
                .collect();
            assert_eq!(
                seen,
                [
                    (0, None, "ERR_JWK_SYMMETRIC_KEY"),
                    (1, Some("x"), "ERR_JWK_MALFORMED")
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    let two = set_of(vec![
        interop_jwk("rsa-2048", &[]),
        interop_jwk("ec-p256", &[]),
    ]);
    assert_eq!(
        code(&two, &d.clone().max_keys(1)),
        "ERR_JWKS_LIMIT_EXCEEDED"
    );
    assert_eq!(
        code(&two, &d.clone().max_bytes(100)),
        "ERR_JWKS_LIMIT_EXCEEDED"
    );
    let deep = format!("{{\"keys\":[{}{}]}}", "[".repeat(50), "]".repeat(50));
    assert_eq!(code(deep.as_bytes(), &d), "ERR_JWKS_INVALID");
    // Strict JSON: a duplicate member anywhere makes the whole document invalid.
    let dup = br#"{"keys":[{"kty":"EC","kty":"RSA"}]}"#;
    assert_eq!(code(dup, &d), "ERR_JWKS_INVALID");
}

#[test]
fn a_kid_selects_only_keys_with_exactly_that_kid() {
    let set = interop_set();
    let rs256 = validation(&[Algorithm::RS256]);
    let signed_2048 = |kid: &str| {
        sign(
            "rsa-2048",
            &format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#),
            CLAIMS,
        )
    };

    let verified = set.verify_jwt(&signed_2048("rsa-2048"), &rs256).unwrap();
    assert_eq!(verified.key().kid(), Some("rsa-2048"));
    assert_eq!(verified.key().thumbprint(), set.keys()[0].thumbprint());
    // The right key exists under another kid: it is never tried.
    let err = set
        .verify_jwt(&signed_2048("rsa-3072"), &rs256)
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWS_SIGNATURE_INVALID");
    // Unknown and differently-cased kids have no candidate at all.
    for kid in ["nope", "RSA-2048", "rsa-2048 ", ""] {
        let err = set.verify_jwt(&signed_2048(kid), &rs256).unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY", "kid {kid:?}");
    }
    // kid of an EC key on an RS256 token: the key does not fit the alg.
    let err = set.verify_jwt(&signed_2048("ec-p256"), &rs256).unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
}

#[test]
fn without_a_kid_every_key_fitting_the_alg_is_a_candidate() {
    let set = interop_set();
    let header = jose_core::CompactJws::parse(
        &sign("ec-p256", r#"{"alg":"ES256"}"#, CLAIMS),
        &Limits::default(),
    )
    .unwrap()
    .header()
    .clone();
    let candidates: Vec<_> = set.candidates(&header).filter_map(|k| k.kid()).collect();
    assert_eq!(candidates, ["ec-p256"]);

    // rsa-3072 is the second RSA key: found within the default budget of three.
    let token = sign("rsa-3072", r#"{"alg":"RS256"}"#, CLAIMS);
    let verified = set
        .verify_jwt(&token, &validation(&[Algorithm::RS256]))
        .unwrap();
    assert_eq!(verified.key().kid(), Some("rsa-3072"));
    let token = sign("ec-p256", r#"{"alg":"ES256"}"#, CLAIMS);
    let verified = set
        .verify_jwt(&token, &validation(&[Algorithm::ES256]))
        .unwrap();
    assert_eq!(verified.key().kid(), Some("ec-p256"));
}

#[test]
fn the_candidate_budget_bounds_signature_attempts() {
    // Five non-matching RSA keys (rsa-3072/4096 repeated) ahead of the right one.
    let mut keys: Vec<_> = (0..5)
        .map(|i| {
            interop_jwk(
                if i % 2 == 0 { "rsa-3072" } else { "rsa-4096" },
                &[("kid", json!("same"))],
            )
        })
        .collect();
    keys.push(interop_jwk("rsa-2048", &[("kid", json!("same"))]));
    let set = JwkSet::from_json(&set_of(keys)).unwrap();
    assert_eq!(set.get("same").count(), 6, "duplicate kids are all kept");
    let token = sign("rsa-2048", r#"{"alg":"RS256","kid":"same"}"#, CLAIMS);

    let err = set
        .verify_jwt(&token, &validation(&[Algorithm::RS256]))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWS_SIGNATURE_INVALID");
    let generous = Validation::builder([Algorithm::RS256])
        .now(NOW)
        .limits(Limits::default().max_candidates(6))
        .build();
    assert!(set.verify_jwt(&token, &generous).is_ok());
}

#[test]
fn a_key_alg_must_equal_the_token_alg() {
    let set = JwkSet::from_json(&set_of(vec![interop_jwk(
        "rsa-2048",
        &[("alg", json!("PS256"))],
    )]))
    .unwrap();
    let token = sign("rsa-2048", r#"{"alg":"RS256","kid":"rsa-2048"}"#, CLAIMS);
    let err = set
        .verify_jwt(&token, &validation(&[Algorithm::RS256, Algorithm::PS256]))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
}

#[test]
fn use_sig_and_key_ops_verify_are_accepted_and_malformed_ones_refused() {
    let set = JwkSet::from_json(&set_of(vec![
        interop_jwk("rsa-2048", &[("key_ops", json!(["sign", "verify"]))]),
        interop_jwk("ec-p256", &[("key_ops", json!(["verify", "verify"]))]),
        interop_jwk("rsa-3072", &[("use", json!(7))]),
    ]))
    .unwrap();
    assert_eq!(set.kids().collect::<Vec<_>>(), ["rsa-2048"]);
    let codes: Vec<_> = set.skipped().iter().map(|s| s.reason_code()).collect();
    assert_eq!(codes, ["ERR_JWK_MALFORMED", "ERR_JWK_MALFORMED"]);
}

#[test]
fn the_allowlist_is_checked_before_any_key() {
    let set = interop_set();
    let token = sign("rsa-2048", r#"{"alg":"RS256","kid":"rsa-2048"}"#, CLAIMS);
    let err = set
        .verify_jwt(&token, &validation(&[Algorithm::ES256]))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JOSE_ALG_NOT_ALLOWED");
}

/// docs/DESIGN.md §4.1: a symmetric key is never a candidate, so an HS256 token "signed" with a
/// public key's bytes or with the oct key cannot verify, whatever the allowlist says.
#[test]
fn a_symmetric_key_never_verifies_anything() {
    let set = JwkSet::from_json(&set_of(vec![
        json!({"kty":"oct","kid":"k","k":"c2VjcmV0"}),
        interop_jwk("rsa-2048", &[("kid", json!("k"))]),
    ]))
    .unwrap();
    assert_eq!(set.len(), 1);
    let header = jose_core::base64url_encode(br#"{"alg":"HS256","kid":"k"}"#);
    let payload = jose_core::base64url_encode(CLAIMS.as_bytes());
    let hs = format!(
        "{header}.{payload}.{}",
        jose_core::base64url_encode(&[7u8; 32])
    );
    let err = set
        .verify_jwt(&hs, &validation(&Algorithm::ALL))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JOSE_ALG_UNSUPPORTED");
    // An RS256 token naming the oct key's kid is verified only with the RSA key.
    let token = sign("rsa-3072", r#"{"alg":"RS256","kid":"k"}"#, CLAIMS);
    let err = set
        .verify_jwt(&token, &validation(&Algorithm::ALL))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWS_SIGNATURE_INVALID");
}

/// docs/DESIGN.md §4.2: header `jwk`, `jku`, `x5u` and `x5c` never supply a key. Each token below
/// is validly signed by a key that is *not* in the set and carries that key (or where to
/// find it) in its header.
#[test]
fn header_keys_are_never_used() {
    let set = JwkSet::from_json(&set_of(vec![interop_jwk("rsa-2048", &[])])).unwrap();
    let attacker = interop_jwk("rsa-3072", &[]);
    let x5c = read_json("jwk/x5c/cases.json")["cases"][0]["jwk"]["x5c"].clone();
    let headers = [
        json!({"alg":"RS256","jwk": attacker}),
        json!({"alg":"RS256","kid":"rsa-3072","jwk": attacker}),
        json!({"alg":"RS256","jku":"https://attacker.example/jwks.json"}),
        json!({"alg":"RS256","x5u":"https://attacker.example/cert.pem"}),
        json!({"alg":"RS256","x5c": x5c}),
    ];
    for header in headers {
        let token = sign("rsa-3072", &header.to_string(), CLAIMS);
        let err = set
            .verify_jwt(&token, &validation(&[Algorithm::RS256]))
            .unwrap_err();
        assert!(
            matches!(
                err.code(),
                "ERR_JWS_SIGNATURE_INVALID" | "ERR_JWKS_NO_MATCHING_KEY"
            ),
            "{header}: {err}"
        );
    }
    // The same headers on a token signed by the set's own key verify with that key.
    let token = sign(
        "rsa-2048",
        &json!({"alg":"RS256","jku":"https://a.example"}).to_string(),
        CLAIMS,
    );
    assert!(
        set.verify_jwt(&token, &validation(&[Algorithm::RS256]))
            .is_ok()
    );
}

#[test]
fn claims_are_validated_after_the_key_verifies() {
    let set = interop_set();
    let expired = sign(
        "ec-p256",
        r#"{"alg":"ES256","kid":"ec-p256"}"#,
        r#"{"exp":1000}"#,
    );
    let err = set
        .verify_jwt(&expired, &validation(&[Algorithm::ES256]))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JWT_EXPIRED");
    assert!(err.as_jose().is_some());
}

#[test]
fn kid_lookup_is_exact_for_every_key_of_a_large_set() {
    // 100 keys: 99 copies of one key under distinct kids, and the EC key.
    let mut keys: Vec<_> = (0..99)
        .map(|i| interop_jwk("rsa-2048", &[("kid", json!(format!("k{i}")))]))
        .collect();
    keys.push(interop_jwk("ec-p256", &[]));
    let set = JwkSet::from_json(&set_of(keys)).unwrap();
    assert_eq!(set.len(), 100);
    for i in [0, 42, 98] {
        let kid = format!("k{i}");
        assert_eq!(
            set.get(&kid).map(|k| k.kid()).collect::<Vec<_>>(),
            [Some(kid.as_str())]
        );
    }
    assert_eq!(set.get("k99").count(), 0);
}

/// P-384, P-521 and Ed25519 keys in a set. Each key is a candidate only for its
/// own algorithm; Ed448, X25519/X448, near-miss curve names, half keys and keys on the
/// wrong curve are skipped with their reasons, never accepted and never a panic.
#[test]
fn curve_keys_are_kept_and_fit_only_their_algorithm() {
    let curves = read_json("interop/jwks-curves.json");
    let p384 = curves["keys"][0].clone();
    let p521 = curves["keys"][1].clone();
    let ed = curves["keys"][2].clone();
    let with = |jwk: &serde_json::Value, extra: &[(&str, serde_json::Value)]| {
        let mut jwk = jwk.clone();
        for (name, value) in extra {
            jwk[*name] = value.clone();
        }
        jwk
    };
    let mut p384_short = with(&p384, &[("kid", json!("p384-short"))]);
    p384_short["x"] = interop_jwk("ec-p256", &[])["x"].clone();
    let set = JwkSet::from_json(&set_of(vec![
        p384.clone(),
        p521.clone(),
        ed.clone(),
        interop_jwk("ec-p256", &[]),
        json!({"kty":"OKP","kid":"ed448","crv":"Ed448","x":"AAAA"}),
        json!({"kty":"OKP","kid":"x25519","crv":"X25519","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"}),
        json!({"kty":"OKP","kid":"x448","crv":"X448","x":"AAAA"}),
        with(&ed, &[("kid", json!("ed-with-y")), ("y", json!("AAAA"))]),
        with(&ed, &[("kid", json!("ed-no-crv")), ("crv", serde_json::Value::Null)]),
        with(&p521, &[("kid", json!("es521")), ("crv", json!("ES521"))]),
        with(&p521, &[("kid", json!("p512")), ("crv", json!("P-512"))]),
        p384_short,
        with(&p384, &[("kid", json!("p384-as-p521")), ("crv", json!("P-521"))]),
        with(&p384, &[("kid", json!("es256-on-p384")), ("alg", json!("ES256"))]),
        with(&ed, &[("kid", json!("es256-on-ed")), ("alg", json!("ES256"))]),
        with(&p384, &[("kid", json!("eddsa-on-p384")), ("alg", json!("EdDSA"))]),
        with(&ed, &[("kid", json!("ed-ed25519")), ("alg", json!("Ed25519"))]),
    ]))
    .unwrap();
    assert_eq!(
        set.kids().collect::<Vec<_>>(),
        ["ec-p384", "ec-p521", "ed25519", "ec-p256", "ed-ed25519"]
    );
    let skipped: Vec<_> = set
        .skipped()
        .iter()
        .map(|s| (s.kid(), s.reason_code()))
        .collect();
    assert_eq!(
        skipped,
        [
            (Some("ed448"), "ERR_JWK_UNSUPPORTED_CRV"),
            (Some("x25519"), "ERR_JWK_NOT_FOR_SIGNATURES"),
            (Some("x448"), "ERR_JWK_NOT_FOR_SIGNATURES"),
            (Some("ed-with-y"), "ERR_JWK_MALFORMED"),
            (Some("ed-no-crv"), "ERR_JWK_MALFORMED"),
            (Some("es521"), "ERR_JWK_UNSUPPORTED_CRV"),
            (Some("p512"), "ERR_JWK_UNSUPPORTED_CRV"),
            (Some("p384-short"), "ERR_JWK_KEY_INVALID"),
            (Some("p384-as-p521"), "ERR_JWK_KEY_INVALID"),
            (Some("es256-on-p384"), "ERR_JWK_ALG_MISMATCH"),
            (Some("es256-on-ed"), "ERR_JWK_ALG_MISMATCH"),
            (Some("eddsa-on-p384"), "ERR_JWK_ALG_MISMATCH"),
        ]
    );
    let fitting = |alg| {
        set.keys()
            .iter()
            .filter(|k| k.fits(alg))
            .map(|k| k.kid().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(fitting(Algorithm::ES256), ["ec-p256"]);
    assert_eq!(fitting(Algorithm::ES384), ["ec-p384"]);
    assert_eq!(fitting(Algorithm::ES512), ["ec-p521"]);
    assert_eq!(fitting(Algorithm::EdDSA), ["ed25519"]);
    // A key whose own alg is "Ed25519" takes only that name.
    assert_eq!(fitting(Algorithm::Ed25519), ["ed25519", "ed-ed25519"]);
    for (kid, crv, kty) in [
        ("ec-p384", "P-384", "EC"),
        ("ec-p521", "P-521", "EC"),
        ("ed25519", "Ed25519", "OKP"),
    ] {
        let key = set.keys().iter().find(|k| k.kid() == Some(kid)).unwrap();
        assert_eq!(key.key().curve(), Some(crv));
        assert_eq!(key.key().key_type(), kty);
    }

    // The PyJWT tokens verify through the set, chosen by kid; tampered twins do not.
    let file = read_json("interop/pyjwt-curves-tokens.json");
    let mut verified = 0;
    for case in file["tokens"].as_array().unwrap() {
        let alg: Algorithm = case["alg"].as_str().unwrap().parse().unwrap();
        let token = case["token"].as_str().unwrap();
        let v = Validation::builder([alg])
            .issuer("https://issuer.example")
            .audience("jose-tests")
            .leeway(0)
            .now(NOW)
            .build();
        match case["expected"].as_str().unwrap() {
            "valid" => {
                let ok = set.verify_jwt(token, &v).unwrap();
                assert_eq!(ok.key().kid(), case["kid"].as_str());
                verified += 1;
            }
            code => assert_eq!(set.verify_jwt(token, &v).unwrap_err().code(), code),
        }
    }
    assert_eq!(verified, 4);
}
