//! Attacks on ES384, ES512 and EdDSA, each asserting the specific error code:
//! curve and algorithm mismatched both ways, keys of the wrong family, DER and
//! wrong-length signatures, `r`/`s` out of range, Ed25519 `s >= L`, small-order `A` and
//! `R`. Valid tokens come from `test-vectors/interop/pyjwt-curves-tokens.json` (PyJWT on
//! pyca/cryptography) and RFC 8037.

mod common;

use common::read_json;
use jose_core::{
    Algorithm, Error, Validation, VerifyingKey, base64url_decode, base64url_encode, verify_jws,
    verify_jwt,
};
use serde_json::Value;

fn code<T: std::fmt::Debug>(result: Result<T, Error>) -> &'static str {
    result.unwrap_err().code()
}

fn curve_key(kid: &str) -> VerifyingKey {
    let set = read_json("interop/jwks-curves.json");
    let jwk = set["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap()
        .clone();
    let s = |name: &str| jwk[name].as_str().unwrap().to_owned();
    match s("kty").as_str() {
        "EC" => VerifyingKey::from_jwk_ec(&s("crv"), &s("x"), &s("y")).unwrap(),
        _ => VerifyingKey::from_jwk_okp(&s("crv"), &s("x")).unwrap(),
    }
}

/// A valid PyJWT token by name, with the validation it was made for.
fn token(name: &str) -> (String, Validation) {
    let file = read_json("interop/pyjwt-curves-tokens.json");
    let case = file["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
        .clone();
    let alg = Algorithm::from_name(case["alg"].as_str().unwrap()).unwrap();
    let rules = &file["validation"];
    let validation = Validation::builder([alg])
        .issuer(rules["iss"].as_str().unwrap())
        .audience(rules["aud"].as_str().unwrap())
        .now(rules["now"].as_u64().unwrap())
        .build();
    (case["token"].as_str().unwrap().to_owned(), validation)
}

fn signature_of(token: &str) -> Vec<u8> {
    base64url_decode(token.rsplit('.').next().unwrap()).unwrap()
}

fn with_signature(token: &str, sig: &[u8]) -> String {
    let (input, _) = token.rsplit_once('.').unwrap();
    format!("{input}.{}", base64url_encode(sig))
}

/// Replaces the header, keeping payload and signature: for checks that must refuse the
/// token before any signature math.
fn with_header(token: &str, header_json: &str) -> String {
    let mut parts = token.splitn(2, '.');
    parts.next();
    format!(
        "{}.{}",
        base64url_encode(header_json.as_bytes()),
        parts.next().unwrap()
    )
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn all_keys() -> Vec<(&'static str, VerifyingKey)> {
    vec![
        ("p256", common::public_key("ec-p256")),
        ("p384", curve_key("ec-p384")),
        ("p521", curve_key("ec-p521")),
        ("ed25519", curve_key("ed25519")),
        ("rsa", common::public_key("rsa-2048")),
    ]
}

mod mismatch {
    use super::*;

    /// Every key takes exactly its own algorithms; every other pairing is
    /// `ERR_JOSE_KEY_MISMATCH`, before any signature work.
    #[test]
    fn each_key_fits_only_its_own_algorithms() {
        let own = |name: &str, alg: Algorithm| match name {
            "p256" => alg == Algorithm::ES256,
            "p384" => alg == Algorithm::ES384,
            "p521" => alg == Algorithm::ES512,
            "ed25519" => matches!(alg, Algorithm::EdDSA | Algorithm::Ed25519),
            _ => alg.key_type() == "RSA",
        };
        for (name, key) in all_keys() {
            for alg in Algorithm::ALL {
                let fits = key.check_algorithm(alg);
                if own(name, alg) {
                    assert!(fits.is_ok(), "{name} {alg}");
                } else {
                    assert_eq!(code(fits), "ERR_JOSE_KEY_MISMATCH", "{name} {alg}");
                    // The raw seam refuses too, whatever the signature.
                    assert_eq!(
                        code(key.verify_signature(alg, b"x", &[1; 132])),
                        "ERR_JOSE_KEY_MISMATCH",
                        "{name} {alg}"
                    );
                }
            }
        }
    }

    /// ES384 with a P-256 key, ES256 with a P-384 key, ES512 with a P-384 key, ES384 with
    /// a P-521 key: through `verify_jwt`, with the token's own `alg` allowed.
    #[test]
    fn curve_and_algorithm_mismatch_both_ways() {
        let (es384, _) = token("es384");
        let (es512, _) = token("es512");
        let cases = [
            (
                es384.clone(),
                Algorithm::ES384,
                common::public_key("ec-p256"),
            ),
            (es384.clone(), Algorithm::ES384, curve_key("ec-p521")),
            (es512.clone(), Algorithm::ES512, curve_key("ec-p384")),
            (
                with_header(&es384, r#"{"alg":"ES256"}"#),
                Algorithm::ES256,
                curve_key("ec-p384"),
            ),
            (
                with_header(&es512, r#"{"alg":"ES384"}"#),
                Algorithm::ES384,
                curve_key("ec-p521"),
            ),
        ];
        for (token, alg, key) in cases {
            let validation = Validation::builder([alg]).now(1_767_225_660).build();
            assert_eq!(
                code(verify_jwt(&token, &key, &validation)),
                "ERR_JOSE_KEY_MISMATCH",
                "{alg} with {key:?}"
            );
        }
    }

    /// An OKP key offered for ES*, an EC key offered for EdDSA/Ed25519.
    #[test]
    fn okp_key_for_ecdsa_and_ec_key_for_eddsa() {
        let (eddsa, _) = token("eddsa");
        let (es384, _) = token("es384");
        let ed = curve_key("ed25519");
        for alg in [Algorithm::ES256, Algorithm::ES384, Algorithm::ES512] {
            let forged = with_header(&es384, &format!(r#"{{"alg":"{alg}"}}"#));
            let v = Validation::builder([alg]).now(1_767_225_660).build();
            assert_eq!(code(verify_jwt(&forged, &ed, &v)), "ERR_JOSE_KEY_MISMATCH");
        }
        for key in [common::public_key("ec-p256"), curve_key("ec-p384")] {
            for alg in [Algorithm::EdDSA, Algorithm::Ed25519] {
                let forged = with_header(&eddsa, &format!(r#"{{"alg":"{alg}"}}"#));
                let v = Validation::builder([alg]).now(1_767_225_660).build();
                assert_eq!(code(verify_jwt(&forged, &key, &v)), "ERR_JOSE_KEY_MISMATCH");
            }
        }
    }

    /// Near-miss names: "ES521" and "P-512" are not algorithms, "P-512" is not a curve.
    #[test]
    fn near_miss_names_are_refused() {
        assert_eq!(
            code(Algorithm::from_name("ES521")),
            "ERR_JOSE_ALG_UNSUPPORTED"
        );
        assert_eq!(
            code(Algorithm::from_name("P-512")),
            "ERR_JOSE_ALG_UNSUPPORTED"
        );
        let set = read_json("interop/jwks-curves.json");
        let p521 = &set["keys"][1];
        let (x, y) = (p521["x"].as_str().unwrap(), p521["y"].as_str().unwrap());
        assert!(VerifyingKey::from_jwk_ec("P-521", x, y).is_ok());
        for crv in ["P-512", "ES521", "p-521", "P521", "secp521r1"] {
            assert_eq!(
                code(VerifyingKey::from_jwk_ec(crv, x, y)),
                "ERR_JOSE_KEY_INVALID",
                "{crv}"
            );
        }
        let (es512, _) = token("es512");
        let forged = with_header(&es512, r#"{"alg":"ES521"}"#);
        let v = Validation::builder([Algorithm::ES512]).build();
        assert_eq!(
            code(verify_jws(&forged, &curve_key("ec-p521"), &v)),
            "ERR_JOSE_ALG_UNSUPPORTED"
        );
    }
}

mod ecdsa_signatures {
    use super::*;

    /// DER `SEQUENCE { INTEGER r, INTEGER s }` of a raw `r || s`.
    fn der(raw: &[u8]) -> Vec<u8> {
        fn len(n: usize) -> Vec<u8> {
            if n < 128 {
                vec![n as u8]
            } else {
                vec![0x81, n as u8]
            }
        }
        fn int(bytes: &[u8]) -> Vec<u8> {
            let start = bytes
                .iter()
                .position(|b| *b != 0)
                .unwrap_or(bytes.len() - 1);
            let mut v = bytes[start..].to_vec();
            if v[0] & 0x80 != 0 {
                v.insert(0, 0);
            }
            let mut out = vec![0x02];
            out.extend(len(v.len()));
            out.extend(v);
            out
        }
        let (r, s) = raw.split_at(raw.len() / 2);
        let body = [int(r), int(s)].concat();
        let mut out = vec![0x30];
        out.extend(len(body.len()));
        out.extend(body);
        out
    }

    fn cases() -> [(&'static str, VerifyingKey, usize, Vec<u8>); 2] {
        [
            (
                "es384",
                curve_key("ec-p384"),
                48,
                hex(
                    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
                ),
            ),
            (
                "es512",
                curve_key("ec-p521"),
                66,
                hex(
                    "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
                ),
            ),
        ]
    }

    #[test]
    fn the_genuine_tokens_verify() {
        for (name, key, _, _) in cases() {
            let (token, v) = token(name);
            assert!(verify_jwt(&token, &key, &v).is_ok(), "{name}");
        }
    }

    #[test]
    fn der_encoded_signatures_are_rejected() {
        for (name, key, _, _) in cases() {
            let (token, v) = token(name);
            let der = der(&signature_of(&token));
            assert_eq!(
                code(verify_jwt(&with_signature(&token, &der), &key, &v)),
                "ERR_JWS_SIGNATURE_INVALID",
                "{name}"
            );
        }
    }

    #[test]
    fn wrong_lengths_are_rejected() {
        for (name, key, len, _) in cases() {
            let (token, v) = token(name);
            let sig = signature_of(&token);
            assert_eq!(sig.len(), 2 * len);
            let (r, s) = sig.split_at(len);
            let mut longer = sig.clone();
            longer.push(0);
            // r and s each with one leading zero more.
            let padded = [&[0][..], r, &[0][..], s].concat();
            let other_curve = vec![1u8; if len == 48 { 132 } else { 96 }];
            for bad in [
                &sig[..sig.len() - 1],
                &longer[..],
                &padded[..],
                &other_curve[..],
                &sig[..64],
            ] {
                assert_eq!(
                    code(verify_jwt(&with_signature(&token, bad), &key, &v)),
                    "ERR_JWS_SIGNATURE_INVALID",
                    "{name} {} octets",
                    bad.len()
                );
            }
        }
    }

    /// `r` or `s` of 0, `n`, `n + 1` or all ones: outside `[1, n-1]`.
    #[test]
    fn r_or_s_out_of_range_is_rejected() {
        for (name, key, len, n) in cases() {
            let (token, v) = token(name);
            let sig = signature_of(&token);
            let (r, s) = sig.split_at(len);
            let mut n_plus_1 = n.clone();
            *n_plus_1.last_mut().unwrap() += 1;
            let zero = vec![0u8; len];
            let ones = vec![0xffu8; len];
            for bad in [&zero, &n, &n_plus_1, &ones] {
                for forged in [[bad, s].concat(), [r, bad].concat()] {
                    assert_eq!(
                        code(verify_jwt(&with_signature(&token, &forged), &key, &v)),
                        "ERR_JWS_SIGNATURE_INVALID",
                        "{name}"
                    );
                }
            }
        }
    }

    /// Points off the curve, the identity, and coordinates of the wrong length.
    #[test]
    fn bad_points_and_coordinates_are_rejected_at_import() {
        for (len, crv) in [(48, "P-384"), (66, "P-521")] {
            let import = |x: &[u8], y: &[u8]| match crv {
                "P-384" => VerifyingKey::from_p384_coordinates(x, y),
                _ => VerifyingKey::from_p521_coordinates(x, y),
            };
            let key = curve_key(if len == 48 { "ec-p384" } else { "ec-p521" });
            let (x, y) = key.ec_coordinates().unwrap();
            assert!(import(x, y).is_ok());
            let mut off = y.to_vec();
            off[len - 1] ^= 1;
            let zeros = vec![0u8; len];
            let padded = [&[0u8][..], x].concat();
            for (bx, by) in [
                (x, &off[..]),
                (&zeros[..], &zeros[..]),
                (&x[1..], y),
                (&padded[..], y),
                (x, &y[..32]),
            ] {
                assert_eq!(code(import(bx, by)), "ERR_JOSE_KEY_INVALID", "{crv}");
            }
        }
    }
}

mod ed25519 {
    use super::*;
    use ed25519_dalek::Verifier as _;

    fn attacks() -> Value {
        read_json("attacks/ed25519-small-order.json")
    }

    fn rfc_key() -> VerifyingKey {
        VerifyingKey::from_jwk_okp("Ed25519", attacks()["key_x"].as_str().unwrap()).unwrap()
    }

    fn eddsa() -> Validation {
        Validation::builder([Algorithm::EdDSA]).build()
    }

    /// `s + L` is the same scalar mod L: a non-canonical `s` (RFC 8032 §5.1.7) that a
    /// lax verifier reducing `s` would accept.
    #[test]
    fn s_at_or_above_the_group_order_is_rejected() {
        let f = read_json("jws/rfc8037.json");
        let token = f["a4_a5_jws"]["token"].as_str().unwrap();
        assert!(verify_jws(token, &rfc_key(), &eddsa()).is_ok());
        let sig = signature_of(token);
        let l = base64url_decode(attacks()["group_order_l_le"].as_str().unwrap()).unwrap();
        // s + L, little-endian; it fits in 256 bits because s < L < 2^253.
        let mut s_plus_l = [0u8; 32];
        let mut carry = 0u16;
        for i in 0..32 {
            let t = u16::from(sig[32 + i]) + u16::from(l[i]) + carry;
            s_plus_l[i] = t as u8;
            carry = t >> 8;
        }
        assert_eq!(carry, 0);
        let mut forged = sig[..32].to_vec();
        forged.extend_from_slice(&s_plus_l);
        assert_eq!(
            code(verify_jws(
                &with_signature(token, &forged),
                &rfc_key(),
                &eddsa()
            )),
            "ERR_JWS_SIGNATURE_INVALID"
        );
        // s = L exactly, and all ones.
        for s in [l.clone(), vec![0xff; 32]] {
            let forged = [&sig[..32], &s[..]].concat();
            assert_eq!(
                code(verify_jws(
                    &with_signature(token, &forged),
                    &rfc_key(),
                    &eddsa()
                )),
                "ERR_JWS_SIGNATURE_INVALID"
            );
        }
    }

    /// A signature whose `R` is the identity satisfies the cofactorless equation for the
    /// genuine key (`ed25519-dalek`'s lax `verify` accepts it, shown here); strict
    /// verification refuses it.
    #[test]
    fn small_order_r_is_rejected() {
        let a = attacks();
        let token = a["small_order_r"]["token"].as_str().unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig: [u8; 64] = base64url_decode(sig).unwrap().try_into().unwrap();
        let x: [u8; 32] = rfc_key().okp_x().unwrap().to_owned();
        let lax = ed25519_dalek::VerifyingKey::from_bytes(&x).unwrap();
        assert!(
            lax.verify(
                input.as_bytes(),
                &ed25519_dalek::Signature::from_bytes(&sig)
            )
            .is_ok(),
            "the forgery must be real for the test to mean anything"
        );
        for alg in [Algorithm::EdDSA, Algorithm::Ed25519] {
            assert_eq!(
                code(rfc_key().verify_signature(alg, input.as_bytes(), &sig)),
                "ERR_JWS_SIGNATURE_INVALID"
            );
        }
        assert_eq!(
            code(verify_jws(token, &rfc_key(), &eddsa())),
            "ERR_JWS_SIGNATURE_INVALID"
        );
    }

    /// The identity as a public key "verifies" `R = identity, s = 0` for any message
    /// under a lax verifier; such a key is refused at import, so it never gets that far.
    #[test]
    fn small_order_and_non_canonical_keys_are_refused() {
        let a = attacks();
        let identity = a["identity_key"]["key_x"].as_str().unwrap();
        let token = a["identity_key"]["token"].as_str().unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let sig: [u8; 64] = base64url_decode(sig).unwrap().try_into().unwrap();
        let raw: [u8; 32] = base64url_decode(identity).unwrap().try_into().unwrap();
        let lax = ed25519_dalek::VerifyingKey::from_bytes(&raw).unwrap();
        assert!(
            lax.verify(
                input.as_bytes(),
                &ed25519_dalek::Signature::from_bytes(&sig)
            )
            .is_ok()
        );
        assert_eq!(
            code(VerifyingKey::from_jwk_okp("Ed25519", identity)),
            "ERR_JOSE_KEY_INVALID"
        );
        // The eight small-order points (Bernstein et al.'s list), and the identity and
        // the order-2 point spelled with y >= p.
        let small_order = [
            "0100000000000000000000000000000000000000000000000000000000000000",
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "0000000000000000000000000000000000000000000000000000000000000080",
            "0000000000000000000000000000000000000000000000000000000000000000",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
            "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
            "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
            "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ];
        for point in small_order {
            assert_eq!(
                code(VerifyingKey::from_ed25519_bytes(&hex(point))),
                "ERR_JOSE_KEY_INVALID",
                "{point}"
            );
        }
        for bad in [&[0u8; 31][..], &[0u8; 33][..], &[][..]] {
            assert_eq!(
                code(VerifyingKey::from_ed25519_bytes(bad)),
                "ERR_JOSE_KEY_INVALID"
            );
        }
        for crv in ["Ed448", "X25519", "X448", "ed25519"] {
            assert_eq!(
                code(VerifyingKey::from_jwk_okp(
                    crv,
                    "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
                )),
                "ERR_JOSE_KEY_INVALID",
                "{crv}"
            );
        }
    }

    #[test]
    fn wrong_signature_lengths_are_rejected() {
        let f = read_json("jws/rfc8037.json");
        let token = f["a4_a5_jws"]["token"].as_str().unwrap();
        let sig = signature_of(token);
        let longer = [&sig[..], &[0][..]].concat();
        for bad in [&sig[..63], &longer[..], &sig[..32]] {
            assert_eq!(
                code(verify_jws(
                    &with_signature(token, bad),
                    &rfc_key(),
                    &eddsa()
                )),
                "ERR_JWS_SIGNATURE_INVALID"
            );
        }
    }

    /// SPKI import (RFC 8410) gives the same key as the JWK; parameters must be absent.
    #[test]
    fn spki_import() {
        let pem = common::read_text("keys/ed25519.pub.pem");
        let from_pem = VerifyingKey::from_public_key_pem(&pem).unwrap();
        assert_eq!(from_pem.okp_x(), curve_key("ed25519").okp_x());
        // The SPKI is 30 2a 30 05 06 03 2b 65 70 03 21 00 || key; add NULL parameters.
        let der = pem_rfc7468_decode(&pem);
        assert_eq!(der.len(), 44);
        let mut with_params = vec![
            0x30, 0x2c, 0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x05, 0x00,
        ];
        with_params.extend_from_slice(&der[9..]);
        assert!(VerifyingKey::from_public_key_der(&der).is_ok());
        assert_eq!(
            code(VerifyingKey::from_public_key_der(&with_params)),
            "ERR_JOSE_KEY_INVALID"
        );
    }

    fn pem_rfc7468_decode(pem: &str) -> Vec<u8> {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        use base64ct::Encoding;
        base64ct::Base64::decode_vec(&body).unwrap()
    }
}
