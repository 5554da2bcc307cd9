//! One test per security rule (docs/DESIGN.md §4): each builds the attack and asserts the exact
//! rejection. Attack tokens are signed validly wherever possible, so the rejection must
//! come from the rule under test and not from a broken signature.

mod common;

use common::{join, public_key, rs256_signature, sign_es256, sign_rs256};
use jose_core::{
    Algorithm, Error, KeyOptions, Limits, Validation, VerifyingKey, base64url_encode, verify_jws,
    verify_jwt,
};
use sha2::{Digest, Sha256};

const NOW: u64 = 1_767_225_660;
const CLAIMS: &str =
    r#"{"iss":"https://issuer.example","sub":"alice","exp":1767229200,"iat":1767225600}"#;

fn rs256() -> Validation {
    Validation::builder([Algorithm::RS256]).now(NOW).build()
}

fn code(result: Result<impl std::fmt::Debug, Error>) -> &'static str {
    result.unwrap_err().code()
}

fn b64(s: &str) -> String {
    base64url_encode(s.as_bytes())
}

#[test]
fn baseline_token_is_valid() {
    let token = sign_rs256(r#"{"alg":"RS256"}"#, CLAIMS);
    assert!(verify_jwt(&token, &public_key("rsa-2048"), &rs256()).is_ok());
}

mod algorithms {
    use super::*;

    #[test]
    fn alg_none_in_any_case_is_refused() {
        let key = public_key("rsa-2048");
        for alg in ["none", "None", "NONE", "nOnE"] {
            let header = b64(&format!(r#"{{"alg":"{alg}"}}"#));
            for sig in ["", "AAAA"] {
                let token = format!("{header}.{}.{sig}", b64(CLAIMS));
                assert_eq!(
                    code(verify_jwt(&token, &key, &rs256())),
                    "ERR_JOSE_ALG_UNSUPPORTED",
                    "{alg} {sig:?}"
                );
            }
        }
    }

    #[test]
    fn alg_outside_the_allowlist_is_refused() {
        let key = public_key("rsa-2048");
        let token = sign_rs256(r#"{"alg":"RS256"}"#, CLAIMS);
        let es_only = Validation::builder([Algorithm::ES256]).now(NOW).build();
        assert_eq!(
            verify_jwt(&token, &key, &es_only).unwrap_err(),
            Error::AlgNotAllowed {
                alg: Algorithm::RS256
            }
        );
        let nothing = Validation::builder(jose_core::AlgorithmSet::EMPTY)
            .now(NOW)
            .build();
        assert_eq!(
            code(verify_jwt(&token, &key, &nothing)),
            "ERR_JOSE_ALG_NOT_ALLOWED"
        );
    }

    #[test]
    fn hs256_with_the_public_key_as_secret_is_refused() {
        // The classic algorithm-confusion forgery: HMAC the token with the RSA public key
        // (PEM and DER), which the attacker knows.
        let pem = common::read_text("keys/rsa-2048.pub.pem");
        let key = VerifyingKey::from_public_key_pem(&pem).unwrap();
        for secret in [pem.as_bytes().to_vec(), pem.trim().as_bytes().to_vec()] {
            let input = format!("{}.{}", b64(r#"{"alg":"HS256"}"#), b64(CLAIMS));
            let token = format!(
                "{input}.{}",
                base64url_encode(&hmac_sha256(&secret, input.as_bytes()))
            );
            let all = Validation::builder(Algorithm::ALL).now(NOW).build();
            let err = verify_jwt(&token, &key, &all).unwrap_err();
            assert_eq!(err.code(), "ERR_JOSE_ALG_UNSUPPORTED");
            assert!(err.to_string().contains("HMAC"));
        }
    }

    #[test]
    fn alg_must_fit_the_key() {
        // An ES256 token checked against an RSA key, and an RS256 token against an EC key.
        let (es_token, _) = sign_es256(r#"{"alg":"ES256"}"#, CLAIMS);
        let both = Validation::builder([Algorithm::RS256, Algorithm::ES256])
            .now(NOW)
            .build();
        assert_eq!(
            code(verify_jwt(&es_token, &public_key("rsa-2048"), &both)),
            "ERR_JOSE_KEY_MISMATCH"
        );
        let rs_token = sign_rs256(r#"{"alg":"RS256"}"#, CLAIMS);
        assert_eq!(
            code(verify_jwt(&rs_token, &public_key("ec-p256"), &both)),
            "ERR_JOSE_KEY_MISMATCH"
        );
    }

    #[test]
    fn a_pkcs1_signature_does_not_pass_as_pss() {
        let header_ps = b64(r#"{"alg":"PS256"}"#);
        let input = format!("{header_ps}.{}", b64(CLAIMS));
        let token = join(&header_ps, &b64(CLAIMS), &rs256_signature(input.as_bytes()));
        let ps = Validation::builder([Algorithm::PS256]).now(NOW).build();
        assert_eq!(
            code(verify_jwt(&token, &public_key("rsa-2048"), &ps)),
            "ERR_JWS_SIGNATURE_INVALID"
        );
    }

    fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut k = [0u8; 64];
        if key.len() > 64 {
            k[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let inner: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
        let outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
        let ih = Sha256::new()
            .chain_update(&inner)
            .chain_update(message)
            .finalize();
        Sha256::new()
            .chain_update(&outer)
            .chain_update(ih)
            .finalize()
            .to_vec()
    }
}

mod header_rules {
    use super::*;

    #[test]
    fn duplicate_header_members_are_rejected() {
        let key = public_key("rsa-2048");
        for header in [
            r#"{"alg":"RS256","alg":"RS256"}"#,
            r#"{"alg":"RS256","kid":"a","kid":"b"}"#,
            r#"{"alg":"RS256","jwk":{"kty":"RSA","kty":"EC"}}"#,
            r#"{"alg":"RS256","\u0061lg":"RS256"}"#,
        ] {
            let token = sign_rs256(header, CLAIMS);
            let err = verify_jwt(&token, &key, &rs256()).unwrap_err();
            assert_eq!(
                err,
                Error::JwsInvalid {
                    reason: "duplicate member name in header"
                },
                "{header}"
            );
        }
    }

    #[test]
    fn duplicate_claims_are_rejected() {
        let token = sign_rs256(r#"{"alg":"RS256"}"#, r#"{"exp":1767229200,"exp":1}"#);
        assert_eq!(
            code(verify_jwt(&token, &public_key("rsa-2048"), &rs256())),
            "ERR_JWT_INVALID"
        );
    }

    #[test]
    fn unknown_crit_is_rejected() {
        let key = public_key("rsa-2048");
        for header in [
            r#"{"alg":"RS256","crit":["exp"],"exp":1}"#,
            r#"{"alg":"RS256","crit":["http://example.com/ext"],"http://example.com/ext":true}"#,
            r#"{"alg":"RS256","crit":["alg"]}"#,
            r#"{"alg":"RS256","crit":[]}"#,
        ] {
            let token = sign_rs256(header, CLAIMS);
            assert_eq!(
                code(verify_jwt(&token, &key, &rs256())),
                "ERR_JWS_CRIT_UNSUPPORTED",
                "{header}"
            );
        }
    }

    #[test]
    fn b64_false_without_crit_is_rejected() {
        let header = b64(r#"{"alg":"RS256","b64":false}"#);
        let input = format!("{header}.payload");
        let token = join(&header, "payload", &rs256_signature(input.as_bytes()));
        assert_eq!(
            code(verify_jws(&token, &public_key("rsa-2048"), &rs256())),
            "ERR_JWS_INVALID"
        );
    }

    #[test]
    fn b64_false_with_crit_verifies_the_raw_payload() {
        // RFC 7797: the signing input uses the payload as-is.
        let header = b64(r#"{"alg":"RS256","b64":false,"crit":["b64"]}"#);
        let input = format!("{header}.$.02");
        let sig = rs256_signature(input.as_bytes());
        // A '.' in the payload cannot be represented in the compact form.
        assert_eq!(
            code(verify_jws(
                &join(&header, "$.02", &sig),
                &public_key("rsa-2048"),
                &rs256()
            )),
            "ERR_JWS_INVALID"
        );
        let input = format!("{header}.$02");
        let token = join(&header, "$02", &rs256_signature(input.as_bytes()));
        let verified = verify_jws(&token, &public_key("rsa-2048"), &rs256()).unwrap();
        assert_eq!(verified.payload(), b"$02");
        // ...but never as a JWT, even when the raw payload is a valid claims object.
        let claims = r#"{"exp":1767229200}"#;
        let input = format!("{header}.{claims}");
        let token = format!(
            "{input}.{}",
            base64url_encode(&rs256_signature(input.as_bytes()))
        );
        assert!(verify_jws(&token, &public_key("rsa-2048"), &rs256()).is_ok());
        assert_eq!(
            verify_jwt(&token, &public_key("rsa-2048"), &rs256()).unwrap_err(),
            Error::JwtInvalid {
                reason: "a JWT cannot use an unencoded payload (\"b64\": false)"
            }
        );
    }

    #[test]
    fn header_keys_and_urls_are_never_used() {
        // The attacker signs with their own key and offers it (and URLs to it) in the
        // header; verification uses only the caller's key.
        let attacker_header = format!(
            r#"{{"alg":"ES256","jwk":{{"kty":"EC","crv":"P-256","x":"{x}","y":"{y}"}},"jku":"https://evil.example/jwks","x5u":"https://evil.example/cert","x5c":["MIIB"]}}"#,
            x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
        );
        let (token, _) = sign_es256(&attacker_header, CLAIMS);
        let legit = VerifyingKey::from_jwk_ec(
            "P-256",
            "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        )
        .unwrap();
        let es = Validation::builder([Algorithm::ES256]).now(NOW).build();
        // Signed by the test key, not by the key named in the header.
        assert_eq!(
            code(verify_jwt(&token, &legit, &es)),
            "ERR_JWS_SIGNATURE_INVALID"
        );
        // And it verifies only with the key that really signed it.
        assert!(verify_jwt(&token, &public_key("ec-p256"), &es).is_ok());
    }
}

mod encoding {
    use super::*;

    /// Changes the last character so that only unused trailing bits differ.
    fn non_canonical(segment: &str) -> Option<String> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let unused_bits = match segment.len() % 4 {
            2 => 4,
            3 => 2,
            _ => return None,
        };
        let last = segment.as_bytes()[segment.len() - 1];
        let idx = ALPHABET.iter().position(|c| *c == last).unwrap();
        let mut s = segment[..segment.len() - 1].to_owned();
        s.push(ALPHABET[idx ^ 1] as char);
        assert!(unused_bits > 0);
        Some(s)
    }

    #[test]
    fn non_canonical_base64url_in_each_segment_is_rejected() {
        let key = public_key("rsa-2048");
        // Pad header and claims so each segment length leaves unused bits.
        let mut tested = 0;
        for pad in 0..3 {
            let header = format!(r#"{{"alg":"RS256","x":"{}"}}"#, "a".repeat(pad));
            let claims = format!(r#"{{"exp":1767229200,"x":"{}"}}"#, "a".repeat(pad));
            let token = sign_rs256(&header, &claims);
            assert!(verify_jwt(&token, &key, &rs256()).is_ok());
            let parts: Vec<&str> = token.split('.').collect();
            for i in 0..3 {
                let Some(bad) = non_canonical(parts[i]) else {
                    continue;
                };
                let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
                p[i] = bad;
                let err = verify_jwt(&p.join("."), &key, &rs256()).unwrap_err();
                assert_eq!(err.code(), "ERR_JWS_INVALID", "segment {i}: {err}");
                tested |= 1 << i;
            }
        }
        assert_eq!(tested, 0b111, "every segment was tested");
    }

    #[test]
    fn padding_and_other_alphabets_are_rejected() {
        let key = public_key("rsa-2048");
        let token = sign_rs256(r#"{"alg":"RS256"}"#, CLAIMS);
        let parts: Vec<&str> = token.split('.').collect();
        for i in 0..3 {
            for mutate in [
                |s: &str| format!("{s}="),
                |s: &str| format!("{s}=="),
                |s: &str| s.replacen(['-', '_', 'A'], "+", 1),
                |s: &str| format!(" {s}"),
            ] {
                let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
                p[i] = mutate(parts[i]);
                if p[i] == parts[i] {
                    continue;
                }
                assert!(
                    verify_jwt(&p.join("."), &key, &rs256()).is_err(),
                    "segment {i}: {}",
                    p[i]
                );
            }
        }
    }
}

mod limits {
    use super::*;

    #[test]
    fn oversized_token_is_rejected_before_parsing() {
        let big = format!(r#"{{"exp":1767229200,"pad":"{}"}}"#, "x".repeat(20_000));
        let token = sign_rs256(r#"{"alg":"RS256"}"#, &big);
        let err = verify_jwt(&token, &public_key("rsa-2048"), &rs256()).unwrap_err();
        assert_eq!(
            err,
            Error::LimitExceeded {
                limit: "token length",
                max: 16 * 1024
            }
        );
        let roomy = Validation::builder([Algorithm::RS256])
            .now(NOW)
            .limits(Limits::default().max_token_len(64 * 1024))
            .build();
        assert!(verify_jwt(&token, &public_key("rsa-2048"), &roomy).is_ok());
    }

    #[test]
    fn oversized_header_is_rejected() {
        let header = format!(r#"{{"alg":"RS256","pad":"{}"}}"#, "x".repeat(4000));
        let token = sign_rs256(&header, CLAIMS);
        let err = verify_jwt(&token, &public_key("rsa-2048"), &rs256()).unwrap_err();
        assert_eq!(
            err,
            Error::LimitExceeded {
                limit: "header length",
                max: 4096
            }
        );
    }

    #[test]
    fn deep_json_is_rejected() {
        let deep = format!(
            r#"{{"exp":1767229200,"a":{}1{}}}"#,
            "[".repeat(40),
            "]".repeat(40)
        );
        let token = sign_rs256(r#"{"alg":"RS256"}"#, &deep);
        assert_eq!(
            code(verify_jwt(&token, &public_key("rsa-2048"), &rs256())),
            "ERR_JOSE_LIMIT_EXCEEDED"
        );
    }
}

mod ecdsa {
    use super::*;

    /// P-256 group order n.
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];

    fn es256() -> Validation {
        Validation::builder([Algorithm::ES256]).now(NOW).build()
    }

    fn with_signature(token: &str, sig: &[u8]) -> String {
        let input = &token[..token.rfind('.').unwrap()];
        format!("{input}.{}", base64url_encode(sig))
    }

    #[test]
    fn der_encoded_signature_is_rejected() {
        let (token, raw) = sign_es256(r#"{"alg":"ES256"}"#, CLAIMS);
        assert!(verify_jwt(&token, &public_key("ec-p256"), &es256()).is_ok());
        let der = p256::ecdsa::Signature::from_slice(&raw).unwrap().to_der();
        let err = verify_jwt(
            &with_signature(&token, der.as_bytes()),
            &public_key("ec-p256"),
            &es256(),
        )
        .unwrap_err();
        assert_eq!(err, Error::SignatureInvalid);
    }

    #[test]
    fn r_or_s_out_of_range_is_rejected() {
        let (token, raw) = sign_es256(r#"{"alg":"ES256"}"#, CLAIMS);
        let (r, s) = raw.split_at(32);
        let mut n_plus_r = [0u8; 32];
        // r + n overflows 256 bits for most r; use n itself and n + 1 style values instead.
        n_plus_r.copy_from_slice(&N);
        n_plus_r[31] = n_plus_r[31].wrapping_add(1);
        let zero = [0u8; 32];
        let ones = [0xffu8; 32];
        for (bad_r, bad_s) in [
            (&zero[..], s),
            (r, &zero[..]),
            (&N[..], s),
            (r, &N[..]),
            (&n_plus_r[..], s),
            (r, &ones[..]),
        ] {
            let sig = [bad_r, bad_s].concat();
            let err = verify_jwt(
                &with_signature(&token, &sig),
                &public_key("ec-p256"),
                &es256(),
            )
            .unwrap_err();
            assert_eq!(err, Error::SignatureInvalid);
        }
    }

    #[test]
    fn wrong_signature_lengths_are_rejected() {
        let (token, raw) = sign_es256(r#"{"alg":"ES256"}"#, CLAIMS);
        for sig in [
            &raw[..63],
            &[raw.as_slice(), &[0]].concat(),
            &[&[0], raw.as_slice()].concat(),
            &raw[..32],
        ] {
            assert_eq!(
                code(verify_jwt(
                    &with_signature(&token, sig),
                    &public_key("ec-p256"),
                    &es256()
                )),
                "ERR_JWS_SIGNATURE_INVALID"
            );
        }
    }

    #[test]
    fn high_s_is_accepted_by_default() {
        // docs/DESIGN.md §4.7: (r, n - s) is also a valid ECDSA signature; tokens are therefore
        // never unique identifiers.
        let (token, raw) = sign_es256(r#"{"alg":"ES256"}"#, CLAIMS);
        let sig = p256::ecdsa::Signature::from_slice(&raw).unwrap();
        let (r, s) = sig.split_scalars();
        let flipped = p256::ecdsa::Signature::from_scalars(r, -*s).unwrap();
        let alt = with_signature(&token, &flipped.to_bytes());
        assert_ne!(alt, token);
        assert!(verify_jwt(&alt, &public_key("ec-p256"), &es256()).is_ok());
    }

    #[test]
    fn points_off_the_curve_and_bad_coordinates_are_rejected() {
        let (x, y) = {
            let key = public_key("ec-p256");
            let (x, y) = key.p256_coordinates().unwrap();
            (*x, *y)
        };
        let mut y_bad = y;
        y_bad[31] ^= 1;
        assert_eq!(
            code(VerifyingKey::from_p256_coordinates(&x, &y_bad)),
            "ERR_JOSE_KEY_INVALID"
        );
        assert_eq!(
            code(VerifyingKey::from_p256_coordinates(&[0; 32], &[0; 32])),
            "ERR_JOSE_KEY_INVALID"
        );
        assert_eq!(
            code(VerifyingKey::from_p256_coordinates(&x[1..], &y)),
            "ERR_JOSE_KEY_INVALID"
        );
        let padded = [&[0u8][..], &x[..]].concat();
        assert_eq!(
            code(VerifyingKey::from_p256_coordinates(&padded, &y)),
            "ERR_JOSE_KEY_INVALID"
        );
        assert!(VerifyingKey::from_p256_coordinates(&x, &y).is_ok());
        assert_eq!(
            code(VerifyingKey::from_jwk_ec("P-384", "AA", "AA")),
            "ERR_JOSE_KEY_INVALID"
        );
    }
}

mod rsa_keys_and_signatures {
    use super::*;

    /// An odd number with the given bit length (not a real modulus; import checks run
    /// before any arithmetic).
    fn odd_number(bits: usize) -> Vec<u8> {
        let mut n = vec![0xa5u8; bits.div_ceil(8)];
        let top_bit = (bits - 1) % 8;
        n[0] = (0xa5 & ((1u16 << top_bit) - 1) as u8) | (1 << top_bit);
        *n.last_mut().unwrap() |= 1;
        n
    }

    #[test]
    fn signature_one_byte_short_or_long_is_rejected() {
        let key = public_key("rsa-2048");
        let token = sign_rs256(r#"{"alg":"RS256"}"#, CLAIMS);
        let (input, sig_b64) = token.rsplit_once('.').unwrap();
        let sig = jose_core::base64url_decode(sig_b64).unwrap();
        assert_eq!(sig.len(), 256);
        let long = [&[0u8][..], &sig].concat(); // same integer, wrong length
        let short = sig[1..].to_vec();
        for bad in [long, short, [&sig[..], &[0u8]].concat()] {
            let t = format!("{input}.{}", base64url_encode(&bad));
            assert_eq!(
                verify_jwt(&t, &key, &rs256()).unwrap_err(),
                Error::SignatureInvalid
            );
        }
    }

    #[test]
    fn signature_not_below_the_modulus_is_rejected() {
        let key = public_key("rsa-2048");
        let (n, _) = key.rsa_components().unwrap();
        let token = sign_rs256(r#"{"alg":"RS256"}"#, CLAIMS);
        let input = token.rsplit_once('.').unwrap().0;
        for sig in [n.to_vec(), vec![0xff; 256]] {
            let t = format!("{input}.{}", base64url_encode(&sig));
            assert_eq!(
                verify_jwt(&t, &key, &rs256()).unwrap_err(),
                Error::SignatureInvalid
            );
        }
    }

    #[test]
    fn modulus_size_limits() {
        let e = [1, 0, 1];
        let small = VerifyingKey::from_rsa_components(&odd_number(1024), &e).unwrap_err();
        assert_eq!(
            small,
            Error::KeyInvalid {
                reason: "RSA modulus is smaller than the minimum size"
            }
        );
        assert_eq!(
            code(VerifyingKey::from_rsa_components(&odd_number(2047), &e)),
            "ERR_JOSE_KEY_INVALID"
        );
        let huge = VerifyingKey::from_rsa_components(&odd_number(16384), &e).unwrap_err();
        assert_eq!(
            huge,
            Error::KeyInvalid {
                reason: "RSA modulus is larger than the maximum size"
            }
        );
        assert!(VerifyingKey::from_rsa_components(&odd_number(2048), &e).is_ok());
        assert!(VerifyingKey::from_rsa_components(&odd_number(8192), &e).is_ok());
        // The limits are settings.
        assert!(
            KeyOptions::default()
                .min_rsa_bits(1024)
                .rsa_components(&odd_number(1024), &e)
                .is_ok()
        );
        assert!(
            KeyOptions::default()
                .max_rsa_bits(4096)
                .rsa_components(&odd_number(8192), &e)
                .is_err()
        );
    }

    #[test]
    fn exponent_rules() {
        let n = odd_number(2048);
        for (e, reason) in [
            (&[1u8][..], "RSA exponent must be greater than 1"),
            (&[0, 1][..], "RSA exponent must be greater than 1"),
            (&[1, 0, 0][..], "RSA exponent must be odd"),
            (&[2][..], "RSA exponent must be odd"),
            (&[][..], "RSA exponent must be odd"),
            (&[0xff; 9][..], "RSA exponent is too large"),
        ] {
            assert_eq!(
                VerifyingKey::from_rsa_components(&n, e).unwrap_err(),
                Error::KeyInvalid { reason },
                "{e:?}"
            );
        }
        assert!(VerifyingKey::from_rsa_components(&n, &[3]).is_ok());
        // e < n (RFC 8017 §3.1), reachable only with a lowered minimum size: n = 251.
        let tiny = KeyOptions::default().min_rsa_bits(1);
        for e in [&[0xfb][..], &[0xfd][..], &[1, 0, 1][..]] {
            assert_eq!(
                tiny.rsa_components(&[0xfb], e).unwrap_err(),
                Error::KeyInvalid {
                    reason: "RSA exponent must be smaller than the modulus"
                },
                "{e:?}"
            );
        }
        assert!(tiny.rsa_components(&[0xfb], &[0xf9]).is_ok());
        let even_n = {
            let mut n = n.clone();
            *n.last_mut().unwrap() &= 0xfe;
            n
        };
        assert_eq!(
            code(VerifyingKey::from_rsa_components(&even_n, &[1, 0, 1])),
            "ERR_JOSE_KEY_INVALID"
        );
    }

    #[test]
    fn roca_fingerprinted_modulus_is_rejected() {
        use rsa::BigUint;
        // Build n = k*M + (65537^c mod M), the form Infineon's generator leaves in every
        // modulus, with M the product of the fingerprint primes.
        let primes: [u32; 38] = [
            3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
            89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
        ];
        let m = primes
            .iter()
            .fold(BigUint::from(1u32), |acc, p| acc * BigUint::from(*p));
        let residue = BigUint::from(65537u32).modpow(&BigUint::from(1234u32), &m);
        let k = BigUint::from_bytes_be(&odd_number(2048 - m.bits() + 1));
        let mut n = &k * &m + &residue;
        if n.to_bytes_be().last().unwrap() & 1 == 0 {
            n += &m;
        }
        let n = n.to_bytes_be();
        assert!(n.len() * 8 >= 2048);
        let err = VerifyingKey::from_rsa_components(&n, &[1, 0, 1]).unwrap_err();
        assert_eq!(
            err,
            Error::KeyInvalid {
                reason: "RSA modulus has the ROCA fingerprint (CVE-2017-15361)"
            }
        );
        // Real keys, generated by OpenSSL-backed code, pass.
        for name in ["rsa-2048", "rsa-3072", "rsa-4096"] {
            assert!(public_key(name).rsa_bits().is_some());
        }
    }

    #[test]
    fn pem_and_der_imports() {
        let pem = common::read_text("keys/rsa-2048.pub.pem");
        let key = VerifyingKey::from_public_key_pem(&pem).unwrap();
        assert_eq!(key.rsa_bits(), Some(2048));
        assert_eq!(
            code(VerifyingKey::from_public_key_pem(&common::read_text(
                "keys/rsa-2048.pem"
            ))),
            "ERR_JOSE_KEY_INVALID"
        );
        assert_eq!(
            code(VerifyingKey::from_public_key_pem("not pem")),
            "ERR_JOSE_KEY_INVALID"
        );
        assert_eq!(
            code(VerifyingKey::from_public_key_der(&[
                0x30, 0x03, 0x02, 0x01, 0x01
            ])),
            "ERR_JOSE_KEY_INVALID"
        );
        // RFC 3279 §2.3.1: rsaEncryption's parameters are NULL (05 00); an empty OCTET
        // STRING (04 00) in their place is refused.
        let der = {
            use rsa::pkcs8::{DecodePublicKey, EncodePublicKey};
            rsa::RsaPublicKey::from_public_key_pem(&pem)
                .unwrap()
                .to_public_key_der()
                .unwrap()
                .into_vec()
        };
        assert!(VerifyingKey::from_public_key_der(&der).is_ok());
        let null_params = [
            0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
        ];
        let at = der
            .windows(null_params.len())
            .position(|w| w == null_params)
            .unwrap();
        let mut other_params = der.clone();
        other_params[at + 11] = 0x04;
        assert_eq!(
            code(VerifyingKey::from_public_key_der(&other_params)),
            "ERR_JOSE_KEY_INVALID"
        );
        let ec =
            VerifyingKey::from_public_key_pem(&common::read_text("keys/ec-p256.pub.pem")).unwrap();
        assert_eq!((ec.key_type(), ec.curve()), ("EC", Some("P-256")));
        // Debug never prints key material.
        assert_eq!(format!("{key:?}"), "VerifyingKey(RSA 2048 bits)");
    }
}

mod claims {
    use super::*;

    fn verify(claims: &str, validation: &Validation) -> Result<jose_core::VerifiedJwt, Error> {
        verify_jwt(
            &sign_rs256(r#"{"alg":"RS256"}"#, claims),
            &public_key("rsa-2048"),
            validation,
        )
    }

    #[test]
    fn exp_missing_past_or_malformed() {
        let v = rs256();
        assert_eq!(
            verify(r#"{"sub":"a"}"#, &v).unwrap_err(),
            Error::ClaimMissing {
                claim: "exp".into()
            }
        );
        assert_eq!(
            verify(r#"{"exp":1767225000}"#, &v).unwrap_err(),
            Error::Expired { claim: "exp" }
        );
        // Within the 60 s default leeway.
        assert!(verify(&format!(r#"{{"exp":{}}}"#, NOW - 59), &v).is_ok());
        assert_eq!(
            verify(&format!(r#"{{"exp":{}}}"#, NOW - 60), &v)
                .unwrap_err()
                .code(),
            "ERR_JWT_EXPIRED"
        );
        for bad in [
            r#"{"exp":"1767229200"}"#,
            r#"{"exp":null}"#,
            r#"{"exp":-1}"#,
            r#"{"exp":1e20}"#,
        ] {
            assert_eq!(
                verify(bad, &v).unwrap_err(),
                Error::ClaimMalformed { claim: "exp" },
                "{bad}"
            );
        }
        let optional = Validation::builder([Algorithm::RS256])
            .now(NOW)
            .require_exp(false)
            .build();
        assert!(verify(r#"{"sub":"a"}"#, &optional).is_ok());
        // Opting out of exp does not make a malformed exp acceptable.
        assert_eq!(
            verify(r#"{"exp":"soon"}"#, &optional).unwrap_err().code(),
            "ERR_JWT_CLAIM_MALFORMED"
        );
    }

    #[test]
    fn nbf_in_the_future_and_as_a_string() {
        let v = rs256();
        let future = format!(r#"{{"exp":1767229200,"nbf":{}}}"#, NOW + 61);
        assert_eq!(verify(&future, &v).unwrap_err(), Error::NotYetValid);
        let within = format!(r#"{{"exp":1767229200,"nbf":{}}}"#, NOW + 60);
        assert!(verify(&within, &v).is_ok());
        // CVE-2026-25537: a string nbf must not be read as absent.
        let string = format!(r#"{{"exp":1767229200,"nbf":"{}"}}"#, NOW + 3600);
        assert_eq!(
            verify(&string, &v).unwrap_err(),
            Error::ClaimMalformed { claim: "nbf" }
        );
    }

    #[test]
    fn fractional_dates_round_the_way_that_fails_closed() {
        // The clock reads whole seconds: at `NOW` the true time may be anywhere in the
        // second, so `nbf` and `iat` of NOW.5 are still ahead, and `exp` of NOW.5 has
        // possibly passed.
        let strict = Validation::builder([Algorithm::RS256])
            .now(NOW)
            .leeway(0)
            .build();
        let claims = |extra: String| format!(r#"{{"exp":1767229200,{extra}}}"#);
        let before = NOW - 1;
        assert_eq!(
            verify(&claims(format!(r#""nbf":{NOW}.5"#)), &strict).unwrap_err(),
            Error::NotYetValid
        );
        assert!(verify(&claims(format!(r#""nbf":{before}.5"#)), &strict).is_ok());
        assert_eq!(
            verify(&claims(format!(r#""iat":{NOW}.5"#)), &strict)
                .unwrap_err()
                .code(),
            "ERR_JWT_CLAIM_INVALID"
        );
        assert!(verify(&claims(format!(r#""iat":{before}.5"#)), &strict).is_ok());
        assert_eq!(
            verify(&format!(r#"{{"exp":{NOW}.5}}"#), &strict).unwrap_err(),
            Error::Expired { claim: "exp" }
        );
        let after = NOW + 1;
        assert!(verify(&format!(r#"{{"exp":{after}.5}}"#), &strict).is_ok());
        // An iat of (NOW − 31).5 is more than 30 s old in every part of the second.
        let aged = Validation::builder([Algorithm::RS256])
            .now(NOW)
            .leeway(0)
            .max_age(30)
            .build();
        let old = NOW - 31;
        assert_eq!(
            verify(&claims(format!(r#""iat":{old}.5"#)), &aged).unwrap_err(),
            Error::Expired { claim: "iat" }
        );
    }

    #[test]
    fn iat_in_the_future_and_max_age() {
        let v = rs256();
        let future = format!(r#"{{"exp":1767229200,"iat":{}}}"#, NOW + 120);
        assert_eq!(
            verify(&future, &v).unwrap_err(),
            Error::ClaimInvalid {
                claim: "iat",
                reason: "issued in the future"
            }
        );
        let aged = Validation::builder([Algorithm::RS256])
            .now(NOW)
            .leeway(0)
            .max_age(30)
            .build();
        assert_eq!(
            verify(CLAIMS, &aged).unwrap_err(),
            Error::Expired { claim: "iat" }
        );
        assert_eq!(
            verify(r#"{"exp":1767229200}"#, &aged).unwrap_err(),
            Error::ClaimMissing {
                claim: "iat".into()
            }
        );
        let fresh = Validation::builder([Algorithm::RS256])
            .now(NOW)
            .leeway(0)
            .max_age(60)
            .build();
        assert!(verify(CLAIMS, &fresh).is_ok());
    }

    #[test]
    fn audience_rules() {
        let api = Validation::builder([Algorithm::RS256])
            .now(NOW)
            .audience("api")
            .audience("api2")
            .build();
        assert!(verify(r#"{"exp":1767229200,"aud":"api2"}"#, &api).is_ok());
        assert!(verify(r#"{"exp":1767229200,"aud":["x","api"]}"#, &api).is_ok());
        let no_match = verify(r#"{"exp":1767229200,"aud":["x","y"]}"#, &api).unwrap_err();
        assert_eq!(
            no_match,
            Error::ClaimInvalid {
                claim: "aud",
                reason: "no expected audience present"
            }
        );
        assert_eq!(
            verify(r#"{"exp":1767229200,"aud":[]}"#, &api)
                .unwrap_err()
                .code(),
            "ERR_JWT_CLAIM_INVALID"
        );
        assert_eq!(
            verify(r#"{"exp":1767229200}"#, &api).unwrap_err(),
            Error::ClaimMissing {
                claim: "aud".into()
            }
        );
        assert_eq!(
            verify(r#"{"exp":1767229200,"aud":["api",1]}"#, &api)
                .unwrap_err()
                .code(),
            "ERR_JWT_CLAIM_MALFORMED"
        );
        // Case matters: audiences are compared exactly.
        assert!(verify(r#"{"exp":1767229200,"aud":"API"}"#, &api).is_err());
        // A token with an audience is refused until the caller decides about audiences.
        let unset = rs256();
        assert_eq!(
            verify(r#"{"exp":1767229200,"aud":"api"}"#, &unset)
                .unwrap_err()
                .code(),
            "ERR_JWT_CLAIM_INVALID"
        );
        let any = Validation::builder([Algorithm::RS256])
            .now(NOW)
            .accept_any_audience()
            .build();
        assert!(verify(r#"{"exp":1767229200,"aud":"api"}"#, &any).is_ok());
    }

    #[test]
    fn issuer_rules() {
        let v = Validation::builder([Algorithm::RS256])
            .now(NOW)
            .issuer("https://issuer.example")
            .build();
        assert!(verify(CLAIMS, &v).is_ok());
        for bad in [
            r#""https://issuer.example/""#,
            r#""https://ISSUER.example""#,
            r#""https://evil.example""#,
        ] {
            let claims = format!(r#"{{"exp":1767229200,"iss":{bad}}}"#);
            assert_eq!(
                verify(&claims, &v).unwrap_err(),
                Error::ClaimInvalid {
                    claim: "iss",
                    reason: "not the expected issuer"
                }
            );
        }
        assert_eq!(
            verify(r#"{"exp":1767229200}"#, &v).unwrap_err(),
            Error::ClaimMissing {
                claim: "iss".into()
            }
        );
        assert_eq!(
            verify(r#"{"exp":1767229200,"iss":["https://issuer.example"]}"#, &v)
                .unwrap_err()
                .code(),
            "ERR_JWT_CLAIM_MALFORMED"
        );
    }

    #[test]
    fn required_claims_and_typed_deserialization() {
        let v = Validation::builder([Algorithm::RS256])
            .now(NOW)
            .require_claim("jti")
            .build();
        assert_eq!(
            verify(CLAIMS, &v).unwrap_err(),
            Error::ClaimMissing {
                claim: "jti".into()
            }
        );
        let with_jti = r#"{"exp":1767229200,"jti":"t-1","sub":"alice","roles":["admin"]}"#;
        let verified = verify(with_jti, &v).unwrap();

        #[derive(serde::Deserialize)]
        struct Mine<'a> {
            sub: &'a str,
            roles: Vec<String>,
        }
        let mine: Mine<'_> = verified.claims().deserialize().unwrap();
        assert_eq!(
            (mine.sub, mine.roles.as_slice()),
            ("alice", &["admin".to_owned()][..])
        );
        assert_eq!(verified.claims().jti(), Some("t-1"));
    }

    #[test]
    fn signature_is_checked_before_claims() {
        // A forged token with expired claims reports the signature, not the expiry:
        // claims of an unverified token are never evaluated.
        let token = sign_rs256(r#"{"alg":"RS256"}"#, r#"{"exp":1}"#);
        let forged = format!("{}A", &token[..token.len() - 1]);
        let err = verify_jwt(&forged, &public_key("rsa-2048"), &rs256()).unwrap_err();
        assert!(
            matches!(err.code(), "ERR_JWS_SIGNATURE_INVALID" | "ERR_JWS_INVALID"),
            "{err}"
        );
    }
}

mod errors {
    use super::*;

    #[test]
    fn every_code_is_listed_and_stable() {
        let all = [
            (Error::JwsInvalid { reason: "x" }, "ERR_JWS_INVALID"),
            (
                Error::LimitExceeded { limit: "x", max: 1 },
                "ERR_JOSE_LIMIT_EXCEEDED",
            ),
            (
                Error::CritUnsupported { reason: "x" },
                "ERR_JWS_CRIT_UNSUPPORTED",
            ),
            (
                Error::AlgUnsupported { reason: "x" },
                "ERR_JOSE_ALG_UNSUPPORTED",
            ),
            (
                Error::AlgNotAllowed {
                    alg: Algorithm::RS256,
                },
                "ERR_JOSE_ALG_NOT_ALLOWED",
            ),
            (
                Error::KeyMismatch {
                    alg: Algorithm::RS256,
                    key: "x",
                },
                "ERR_JOSE_KEY_MISMATCH",
            ),
            (Error::KeyInvalid { reason: "x" }, "ERR_JOSE_KEY_INVALID"),
            (Error::NoMatchingKey, "ERR_JWKS_NO_MATCHING_KEY"),
            (Error::SignatureInvalid, "ERR_JWS_SIGNATURE_INVALID"),
            (Error::JwtInvalid { reason: "x" }, "ERR_JWT_INVALID"),
            (Error::Expired { claim: "exp" }, "ERR_JWT_EXPIRED"),
            (Error::NotYetValid, "ERR_JWT_NOT_YET_VALID"),
            (
                Error::ClaimMissing { claim: "x".into() },
                "ERR_JWT_CLAIM_MISSING",
            ),
            (
                Error::ClaimMalformed { claim: "x" },
                "ERR_JWT_CLAIM_MALFORMED",
            ),
            (
                Error::ClaimInvalid {
                    claim: "x",
                    reason: "x",
                },
                "ERR_JWT_CLAIM_INVALID",
            ),
            (
                Error::ClaimsType { reason: "x".into() },
                "ERR_JWT_CLAIMS_TYPE",
            ),
        ];
        let mut codes: Vec<&str> = all
            .iter()
            .map(|(e, c)| {
                assert_eq!(e.code(), *c);
                assert!(!e.to_string().is_empty());
                *c
            })
            .collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "codes are unique");
    }

    #[test]
    fn messages_never_echo_the_token() {
        let token = sign_rs256(
            r#"{"alg":"RS256","kid":"SECRETKID"}"#,
            r#"{"exp":1,"sub":"SECRETSUB"}"#,
        );
        let attempts = [
            verify_jwt(&token, &public_key("rsa-2048"), &rs256()).unwrap_err(),
            verify_jwt(&format!("{token}x"), &public_key("rsa-2048"), &rs256()).unwrap_err(),
            verify_jwt(
                &token,
                &public_key("ec-p256"),
                &Validation::builder(Algorithm::ALL).build(),
            )
            .unwrap_err(),
        ];
        let (header, rest) = token.split_once('.').unwrap();
        for err in attempts {
            let text = format!("{err} {err:?}");
            assert!(
                !text.contains("SECRET") && !text.contains(header) && !text.contains(&rest[..20]),
                "{text}"
            );
        }
    }
}
