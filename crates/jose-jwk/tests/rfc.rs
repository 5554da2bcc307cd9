//! RFC vectors: RFC 7517 A.1, RFC 7520 §3.1 and §3.3 (with the §4.1, §4.2 and §4.3
//! signatures), RFC 7638 §3.1, RFC 8037 A.1-A.4. The files in `test-vectors/jwk/` are written from the RFC texts.

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

    /// §3.1: the P-521 key is kept, fits only ES512, and verifies the §4.3 example.
    #[test]
    fn s3_1_verifies_4_3() {
        let v = &read_json("jwk/rfc7520-keys.json")["rfc7520_3_1"]["jwk"];
        let jwk = Jwk::from_json(&serde_json::to_vec(v).unwrap()).unwrap();
        assert_eq!(jwk.key().curve(), Some("P-521"));
        assert_eq!(jwk.key().ec_coordinates().unwrap().0.len(), 66);
        let fits: Vec<_> = Algorithm::ALL
            .into_iter()
            .filter(|a| jwk.fits(*a))
            .collect();
        assert_eq!(fits, [Algorithm::ES512]);
        let set = JwkSet::from_json(&common::set_of(vec![v.clone()])).unwrap();
        let jws = read_json("jws/rfc7520.json");
        let es512 = jws["vectors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["alg"] == "ES512")
            .unwrap();
        let verified = set
            .verify_jws(
                es512["token"].as_str().unwrap(),
                &Validation::builder([Algorithm::ES512]).build(),
            )
            .unwrap();
        assert_eq!(
            verified.payload(),
            es512["payload"].as_str().unwrap().as_bytes()
        );
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
            let alg = alg.parse::<Algorithm>().unwrap();
            if alg == Algorithm::ES512 {
                continue; // signed by the §3.1 key, checked above
            }
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

/// RFC 8037 Appendix A: Ed25519 in JOSE.
mod rfc8037 {
    use super::*;

    /// A.1: the private key is never kept in a public set.
    #[test]
    fn a1_private_key_is_refused() {
        let v = &read_json("jws/rfc8037.json")["a1_private_jwk"]["jwk"];
        let err = Jwk::from_json(&serde_json::to_vec(v).unwrap()).unwrap_err();
        assert_eq!(err.code(), "ERR_JWK_PRIVATE_KEY");
        assert!(!err.to_string().contains(v["d"].as_str().unwrap()));
        let set = JwkSet::from_json(&common::set_of(vec![v.clone()])).unwrap_err();
        assert_eq!(set.code(), "ERR_JWKS_NO_USABLE_KEYS");
    }

    /// A.2 and A.3: the public key and its thumbprint.
    #[test]
    fn a2_a3_thumbprint() {
        let f = read_json("jws/rfc8037.json");
        let jwk = Jwk::from_json(&serde_json::to_vec(&f["a2_public_jwk"]["jwk"]).unwrap()).unwrap();
        assert_eq!(jwk.key().key_type(), "OKP");
        let expected = f["a3_thumbprint"]["thumbprint"].as_str().unwrap();
        assert_eq!(jwk.thumbprint(), expected);
        assert_eq!(thumbprint_sha256(jwk.key()), expected);
    }

    /// A.4/A.5: the JWS has no `kid`, so every key fitting "EdDSA" is a candidate; the
    /// other Ed25519 key fails first, the A.2 key verifies, and the EC keys are never tried.
    #[test]
    fn a4_a5_verify_through_a_set() {
        let f = read_json("jws/rfc8037.json");
        let mut keys: Vec<_> = read_json("interop/jwks-curves.json")["keys"]
            .as_array()
            .unwrap()
            .clone();
        keys.push(f["a2_public_jwk"]["jwk"].clone());
        let set = JwkSet::from_json(&common::set_of(keys)).unwrap();
        let token = f["a4_a5_jws"]["token"].as_str().unwrap();
        let verified = set
            .verify_jws(token, &Validation::builder([Algorithm::EdDSA]).build())
            .unwrap();
        assert_eq!(verified.payload(), b"Example of Ed25519 signing");
        assert_eq!(verified.key().kid(), None);
        assert_eq!(
            set.verify_jws(token, &Validation::builder([Algorithm::ES384]).build())
                .unwrap_err()
                .code(),
            "ERR_JOSE_ALG_NOT_ALLOWED"
        );
    }
}
