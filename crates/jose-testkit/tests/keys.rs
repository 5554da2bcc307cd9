//! The signer against independent references: the public JWKs match the PyJWT-made
//! `test-vectors/interop/jwks.json` and `jwks-curves.json`, and every signature verifies
//! under the key taken back out of the JWK, with ring's verifiers (RSA, P-256, P-384,
//! Ed25519) or p521's (P-521, which ring does not verify).

use base64ct::{Base64UrlUnpadded, Encoding};
use jose_testkit::{Alg, RsaSize, TestKey, decode_segment};
use ring::signature::{self as sig, RsaPublicKeyComponents, UnparsedPublicKey};
use serde_json::{Value, json};

fn unb64(s: &Value) -> Vec<u8> {
    Base64UrlUnpadded::decode_vec(s.as_str().unwrap()).unwrap()
}

/// ring's verifier for each RSA algorithm.
const RSA_VERIFIERS: [(Alg, &sig::RsaParameters); 6] = [
    (Alg::RS256, &sig::RSA_PKCS1_2048_8192_SHA256),
    (Alg::RS384, &sig::RSA_PKCS1_2048_8192_SHA384),
    (Alg::RS512, &sig::RSA_PKCS1_2048_8192_SHA512),
    (Alg::PS256, &sig::RSA_PSS_2048_8192_SHA256),
    (Alg::PS384, &sig::RSA_PSS_2048_8192_SHA384),
    (Alg::PS512, &sig::RSA_PSS_2048_8192_SHA512),
];

/// The uncompressed SEC1 point of an EC JWK.
fn ec_point(jwk: &Value) -> Vec<u8> {
    let mut point = vec![4];
    point.extend(unb64(&jwk["x"]));
    point.extend(unb64(&jwk["y"]));
    point
}

/// Verifies `signature` over `message` with the public key in `jwk`, for `alg`.
fn verifies(jwk: &Value, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
    let ring_verifies = |algorithm: &'static dyn sig::VerificationAlgorithm, key: Vec<u8>| {
        UnparsedPublicKey::new(algorithm, key)
            .verify(message, signature)
            .is_ok()
    };
    match alg {
        Alg::ES256 => return ring_verifies(&sig::ECDSA_P256_SHA256_FIXED, ec_point(jwk)),
        Alg::ES384 => return ring_verifies(&sig::ECDSA_P384_SHA384_FIXED, ec_point(jwk)),
        Alg::EdDSA | Alg::Ed25519 => return ring_verifies(&sig::ED25519, unb64(&jwk["x"])),
        Alg::ES512 => {
            use p521::ecdsa::signature::Verifier as _;
            let Ok(key) = p521::ecdsa::VerifyingKey::from_sec1_bytes(&ec_point(jwk)) else {
                return false;
            };
            let Ok(signature) = p521::ecdsa::Signature::from_slice(signature) else {
                return false;
            };
            return key.verify(message, &signature).is_ok();
        }
        _ => {}
    }
    let (_, params) = RSA_VERIFIERS.iter().find(|(a, _)| *a == alg).unwrap();
    let (n, e) = (unb64(&jwk["n"]), unb64(&jwk["e"]));
    RsaPublicKeyComponents { n, e }
        .verify(params, message, signature)
        .is_ok()
}

/// The PyJWT-made set, as its keys are written there (`kid` and `use`, no `alg`).
fn interop_set() -> Value {
    serde_json::from_str(include_str!("../../../test-vectors/interop/jwks.json")).unwrap()
}

/// The PyJWT-made set of the P-384, P-521 and Ed25519 test keys.
fn interop_curves_set() -> Value {
    serde_json::from_str(include_str!(
        "../../../test-vectors/interop/jwks-curves.json"
    ))
    .unwrap()
}

/// `key.jwk(kid)` without `alg`, as the interop set writes its keys.
fn as_in_interop_set(key: &TestKey, kid: &str) -> Value {
    let mut jwk = key.jwk(kid);
    jwk.as_object_mut().unwrap().remove("alg");
    jwk
}

#[test]
fn the_fixed_keys_are_the_test_vector_keys() {
    let ours = [
        as_in_interop_set(&TestKey::new(Alg::RS256), "rsa-2048"),
        as_in_interop_set(&TestKey::rsa(RsaSize::Bits3072, Alg::PS256), "rsa-3072"),
        as_in_interop_set(&TestKey::rsa(RsaSize::Bits4096, Alg::RS512), "rsa-4096"),
        as_in_interop_set(&TestKey::es256(), "ec-p256"),
    ];
    assert_eq!(jose_testkit::jwks(ours), interop_set());

    let curves = [
        as_in_interop_set(&TestKey::new(Alg::ES384), "ec-p384"),
        as_in_interop_set(&TestKey::new(Alg::ES512), "ec-p521"),
        as_in_interop_set(&TestKey::new(Alg::EdDSA), "ed25519"),
    ];
    assert_eq!(jose_testkit::jwks(curves), interop_curves_set());
    assert_eq!(
        TestKey::new(Alg::Ed25519).public_jwk(),
        TestKey::new(Alg::EdDSA).public_jwk()
    );
}

#[test]
fn every_algorithm_signs_what_its_jwk_verifies() {
    let sizes = [RsaSize::Bits2048, RsaSize::Bits3072, RsaSize::Bits4096];
    let mut keys: Vec<TestKey> = Alg::ALL.iter().copied().map(TestKey::new).collect();
    keys.extend(sizes.map(|size| TestKey::rsa(size, Alg::PS512)));
    keys.push(TestKey::es256_seeded(7));
    for alg in [Alg::ES384, Alg::ES512, Alg::EdDSA, Alg::Ed25519] {
        keys.push(TestKey::seeded(alg, 7));
    }
    for key in keys {
        let alg = key.alg();
        let jwk = key.jwk("k");
        assert_eq!(jwk["alg"], alg.name());
        let token = key.token().kid("k").claims(json!({"sub": "alice"})).sign();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature = Base64UrlUnpadded::decode_vec(signature).unwrap();
        assert!(verifies(&jwk, alg, input.as_bytes(), &signature), "{alg}");
        // A changed message does not verify: the check above can fail.
        assert!(!verifies(&jwk, alg, b"other", &signature), "{alg}");
        // Raw signing is the same operation.
        assert!(verifies(&jwk, alg, b"raw", &key.sign(b"raw")), "{alg}");
        // Another key's JWK does not verify it.
        let other = if alg.is_rsa() {
            TestKey::rsa(RsaSize::Bits3072, alg)
        } else {
            TestKey::seeded(alg, 200)
        };
        if other.public_jwk() != key.public_jwk() {
            let other = other.jwk("o");
            assert!(
                !verifies(&other, alg, input.as_bytes(), &signature),
                "{alg}"
            );
        }
    }
}

#[test]
fn seeded_keys_are_stable_and_distinct() {
    assert_eq!(
        TestKey::es256_seeded(1).public_jwk(),
        TestKey::es256_seeded(1).public_jwk()
    );
    assert_ne!(
        TestKey::es256_seeded(1).public_jwk(),
        TestKey::es256_seeded(2).public_jwk()
    );
    // ES256 signatures are deterministic (RFC 6979): tokens can be compared.
    let key = TestKey::es256_seeded(1);
    assert_eq!(key.token().sign(), key.token().sign());
    assert_eq!(
        TestKey::seeded(Alg::ES256, 1).public_jwk(),
        key.public_jwk()
    );

    for alg in [Alg::ES384, Alg::ES512, Alg::EdDSA] {
        let one = TestKey::seeded(alg, 1);
        assert_eq!(
            one.public_jwk(),
            TestKey::seeded(alg, 1).public_jwk(),
            "{alg}"
        );
        assert_ne!(
            one.public_jwk(),
            TestKey::seeded(alg, 2).public_jwk(),
            "{alg}"
        );
        assert_ne!(one.public_jwk(), TestKey::new(alg).public_jwk(), "{alg}");
        // Every seed number gives a key, the edge ones included.
        for n in [0, 254, 255] {
            assert_eq!(TestKey::seeded(alg, n).alg(), alg);
        }
        // Deterministic signatures, P-521's included, and one per message.
        assert_eq!(one.token().sign(), one.token().sign(), "{alg}");
        assert_eq!(one.sign(b"m"), one.sign(b"m"), "{alg}");
        assert_ne!(one.sign(b"m"), one.sign(b"n"), "{alg}");
    }
    assert_eq!(
        TestKey::seeded(Alg::Ed25519, 3).public_jwk(),
        TestKey::seeded(Alg::EdDSA, 3).public_jwk()
    );
    assert!(std::panic::catch_unwind(|| TestKey::seeded(Alg::RS256, 1)).is_err());
}

#[test]
fn new_curves_publish_jwks_of_the_right_shape() {
    let sizes = [(Alg::ES384, "P-384", 48), (Alg::ES512, "P-521", 66)];
    for (alg, crv, len) in sizes {
        let jwk = TestKey::seeded(alg, 1).jwk("k");
        assert_eq!(jwk["kty"], "EC");
        assert_eq!(jwk["crv"], crv);
        assert_eq!(unb64(&jwk["x"]).len(), len, "{alg}");
        assert_eq!(unb64(&jwk["y"]).len(), len, "{alg}");
        assert_eq!(TestKey::seeded(alg, 1).sign(b"m").len(), 2 * len, "{alg}");
    }
    for alg in [Alg::EdDSA, Alg::Ed25519] {
        let jwk = TestKey::new(alg).jwk("k");
        assert_eq!(
            jwk,
            json!({"kty": "OKP", "crv": "Ed25519", "x": jwk["x"], "kid": "k", "use": "sig", "alg": alg.name()})
        );
        assert_eq!(unb64(&jwk["x"]).len(), 32);
        assert_eq!(TestKey::new(alg).sign(b"m").len(), 64);
    }
}

#[test]
fn the_builder_writes_headers_claims_and_raw_segments() {
    let key = TestKey::rs256();
    let token = key
        .token()
        .kid("k1")
        .typ("JWT")
        .header("crit", json!(["exp"]))
        .claims(json!({"iss": "i", "exp": 1, "aud": "a"}))
        .claim("sub", "bob")
        .merge_claims(json!({"aud": null, "nbf": 2}))
        .sign();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(
        decode_segment(parts[0]),
        json!({"alg": "RS256", "kid": "k1", "typ": "JWT", "crit": ["exp"]})
    );
    assert_eq!(
        decode_segment(parts[1]),
        json!({"iss": "i", "exp": 1, "sub": "bob", "nbf": 2})
    );

    // A header claiming another algorithm, and one without `alg` at all.
    let confused = key.token().header("alg", "HS256").sign();
    assert_eq!(
        decode_segment(confused.split('.').next().unwrap())["alg"],
        "HS256"
    );
    let no_alg = key.token().header("alg", Value::Null).sign();
    assert_eq!(decode_segment(no_alg.split('.').next().unwrap()), json!({}));

    // Raw bytes go in as they are.
    let raw = key
        .token()
        .header_json(r#"{"alg":"RS256","alg":"none"}"#)
        .payload("not json")
        .sign();
    let parts: Vec<&str> = raw.split('.').collect();
    assert_eq!(
        Base64UrlUnpadded::decode_vec(parts[0]).unwrap(),
        br#"{"alg":"RS256","alg":"none"}"#
    );
    assert_eq!(
        Base64UrlUnpadded::decode_vec(parts[1]).unwrap(),
        b"not json"
    );
    assert_eq!(
        key.token().payload("x").signing_input(),
        format!("{}.eA", jose_testkit::base64url(br#"{"alg":"RS256"}"#))
    );
}

#[test]
fn another_alg_on_the_same_key() {
    let ps = TestKey::rs256().with_alg(Alg::PS256);
    assert_eq!(ps.alg(), Alg::PS256);
    assert_eq!(ps.public_jwk(), TestKey::rs256().public_jwk());
    assert_eq!(Alg::from_name("PS256"), Some(Alg::PS256));
    assert_eq!(Alg::from_name("none"), None);
    let refused = std::panic::catch_unwind(|| TestKey::es256().with_alg(Alg::RS256));
    assert!(refused.is_err());

    // One Ed25519 key signs under both names, with the same signature.
    let eddsa = TestKey::new(Alg::EdDSA);
    let ed25519 = eddsa.with_alg(Alg::Ed25519);
    assert_eq!(ed25519.alg(), Alg::Ed25519);
    assert_eq!(ed25519.sign(b"m"), eddsa.sign(b"m"));
    assert_eq!(Alg::from_name("EdDSA"), Some(Alg::EdDSA));
    assert_eq!(Alg::from_name("Ed25519"), Some(Alg::Ed25519));
    for (from, to) in [
        (Alg::ES384, Alg::ES512),
        (Alg::ES512, Alg::ES256),
        (Alg::EdDSA, Alg::ES384),
    ] {
        let refused = std::panic::catch_unwind(|| TestKey::new(from).with_alg(to));
        assert!(refused.is_err(), "{from} -> {to}");
    }
}
