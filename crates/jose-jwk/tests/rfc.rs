//! RFC vectors: RFC 7517 A.1, RFC 7520 §3.1 and §3.3 (with the §4.1 and §4.2 signatures),
//! RFC 7638 §3.1. The files in `test-vectors/jwk/` are written from the RFC texts.

mod common;

use common::read_json;
use jose_core::{Algorithm, Validation};
use jose_jwk::{Jwk, JwkSet, thumbprint_sha256};

mod rfc7517 {
    use super::*;

    /// A.1: the EC key is `use: enc` and is skipped; the RSA key is kept with its alg.
    #[test]
    fn a1() {
        let v = read_json("jwk/rfc7517-rfc7638.json");
        let set =
            JwkSet::from_json(&serde_json::to_vec(&v["rfc7517_a1"]["jwks"]).unwrap()).unwrap();
        assert_eq!(set.len(), 1);
        let rsa = &set.keys()[0];
        assert_eq!(rsa.kid(), Some("2011-04-29"));
        assert_eq!(rsa.alg(), Some(Algorithm::RS256));
        assert_eq!(rsa.key().rsa_bits(), Some(2048));
        assert_eq!(set.skipped().len(), 1);
        assert_eq!(set.skipped()[0].kid(), Some("1"));
        assert_eq!(set.skipped()[0].index(), 0);
        assert_eq!(set.skipped()[0].reason_code(), "ERR_JWK_NOT_FOR_SIGNATURES");
    }
}

mod rfc7638 {
    use super::*;

    /// §3.1: the thumbprint of the RFC 7517 A.1 RSA key.
    #[test]
    fn s3_1() {
        let v = &read_json("jwk/rfc7517-rfc7638.json")["rfc7638_3_1"];
        let expected = v["sha256_thumbprint"].as_str().unwrap();
        let jwk = Jwk::from_json(&serde_json::to_vec(&v["jwk"]).unwrap()).unwrap();
        assert_eq!(jwk.thumbprint(), expected);
        assert_eq!(thumbprint_sha256(jwk.key()), expected);
    }
}

mod rfc7520 {
    use super::*;

    /// §3.1: a P-521 key, outside our algorithms, is refused as an unsupported curve.
    #[test]
    fn s3_1() {
        let v = &read_json("jwk/rfc7520-keys.json")["rfc7520_3_1"]["jwk"];
        let err = Jwk::from_json(&serde_json::to_vec(v).unwrap()).unwrap_err();
        assert_eq!(err.code(), "ERR_JWK_UNSUPPORTED_CRV");
    }

    /// §3.3: the RSA key, in a set, verifies the §4.1 (RS256) and §4.2 (PS384) examples,
    /// selected by their `kid`.
    #[test]
    fn s3_3_verifies_4_1_and_4_2() {
        let key = &read_json("jwk/rfc7520-keys.json")["rfc7520_3_3"]["jwk"];
        let set = JwkSet::from_json(&common::set_of(vec![key.clone()])).unwrap();
        let jws = read_json("jws/rfc7520.json");
        let mut checked = 0;
        for v in jws["vectors"].as_array().unwrap() {
            let alg = v["alg"].as_str().unwrap();
            let Ok(alg) = alg.parse::<Algorithm>() else {
                continue; // ES512 is outside our algorithms
            };
            let validation = Validation::builder([alg]).build();
            let verified = set
                .verify_jws(v["token"].as_str().unwrap(), &validation)
                .unwrap();
            assert_eq!(
                verified.payload(),
                v["payload"].as_str().unwrap().as_bytes()
            );
            assert_eq!(verified.key().kid(), Some("bilbo.baggins@hobbiton.example"));
            checked += 1;
        }
        assert_eq!(checked, 2);
    }
}
