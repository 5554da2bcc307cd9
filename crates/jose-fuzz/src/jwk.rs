//! The `jose-jwk` targets: one JWK, a whole JWK Set, and end-to-end JWT verification
//! against a fixed set.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jose_core::{Algorithm, Validation, VerifyingKey, base64url_decode, base64url_encode};
use jose_jwk::{Jwk, JwkSet};
use rsa::sha2::{Digest as _, Sha256};
use serde_json::{Map, Value};

use crate::json_names::has_duplicate_names;
use crate::keys::INTEROP_JWKS;

/// The default size limit of a JWK or a JWK Set document (`JwkSetOptions`), restated
/// here so that the oracle does not read it from the code under test.
const MAX_BYTES: usize = 256 * 1024;

/// Members only a private or symmetric key has; a kept key never has them.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Fuzz target `jwk_parse`: arbitrary bytes as one JWK (`Jwk::from_json`).
///
/// Oracle for a kept key: the JSON is at most 256 KiB, an object (as plain `serde_json`
/// reads it) that repeats no member name at any depth, with
/// `kty` `RSA`, `EC` or `OKP` matching the key, no private members, `use` absent or
/// `sig`, `key_ops` absent or containing `verify`, an `alg` (if any) that is supported
/// and fits the key, a `kid` within its limit; `n`/`e` or `x`/`y`, when given, are
/// exactly the key's components; RSA keys are 2048–8192 bits with an odd exponent > 1;
/// EC coordinates are 32, 48 or 66 bytes as `crv` says (P-256, P-384, P-521); an OKP key
/// is Ed25519, without `y`, not of small order; and the thumbprint is the RFC 7638
/// SHA-256 of the required members computed here independently (sorted-key
/// `serde_json`). With `x5c`, the leaf certificate (read here with `x509-cert` and the
/// `rsa` / `p256` crates) holds exactly the kept key, and `x5t` / `x5t#S256`, when
/// present, are its SHA-1 / SHA-256.
pub fn jwk_parse(data: &[u8]) {
    let Ok(jwk) = Jwk::from_json(data) else {
        return;
    };
    let plain: Value = serde_json::from_slice(data).expect("a kept JWK is JSON");
    let Value::Object(plain) = plain else {
        panic!("kept a JWK that is not a JSON object");
    };
    assert_eq!(
        has_duplicate_names(data),
        Some(false),
        "kept duplicate names"
    );
    assert!(data.len() <= MAX_BYTES, "kept a {}-byte JWK", data.len());
    check_kept(&jwk, &plain);
}

/// The rules every kept key satisfies, checked against its JSON members.
fn check_kept(jwk: &Jwk, members: &Map<String, Value>) {
    let key = jwk.key();
    let kty = members.get("kty").and_then(Value::as_str);
    assert_eq!(kty, Some(key.key_type()), "kty differs from the key");
    for private in PRIVATE_MEMBERS {
        assert!(
            !members.contains_key(private),
            "kept a key with {private:?}"
        );
    }
    match members.get("use") {
        None => assert_eq!(jwk.key_use(), None),
        Some(key_use) => {
            assert_eq!(key_use.as_str(), Some("sig"), "kept use {key_use}");
            assert_eq!(jwk.key_use(), Some("sig"));
        }
    }
    if let Some(ops) = members.get("key_ops") {
        let ops = ops.as_array().expect("kept a non-array key_ops");
        assert!(
            ops.iter().any(|op| op.as_str() == Some("verify")),
            "kept key_ops without verify"
        );
    }
    match members.get("alg") {
        None => assert_eq!(jwk.alg(), None),
        Some(alg) => {
            let name = alg.as_str().expect("kept a non-string alg");
            let alg = Algorithm::from_name(name).expect("kept an unsupported alg");
            assert_eq!(jwk.alg(), Some(alg));
            assert!(
                key.check_algorithm(alg).is_ok(),
                "kept {alg} on a misfit key"
            );
            assert!(jwk.fits(alg));
        }
    }
    match members.get("kid") {
        None => assert_eq!(jwk.kid(), None),
        Some(kid) => {
            let kid = kid.as_str().expect("kept a non-string kid");
            assert_eq!(jwk.kid(), Some(kid));
            assert!(kid.len() <= 256, "kept a kid over the limit");
        }
    }

    if let Some((n, e)) = key.rsa_components() {
        let bits = key.rsa_bits().expect("an RSA key has a size");
        assert!((2048..=8192).contains(&bits), "kept a {bits}-bit RSA key");
        assert_eq!(e.last().map(|b| b & 1), Some(1), "kept an even exponent");
        assert!(e != [1], "kept exponent 1");
        assert_eq!(n.first().map(|b| *b != 0), Some(true), "n not minimal");
        if let (Some(jn), Some(je)) = (member_bytes(members, "n"), member_bytes(members, "e")) {
            assert_eq!(strip_zeros(&jn), n, "n differs");
            assert_eq!(strip_zeros(&je), e, "e differs");
        }
    } else if let Some(x) = key.okp_x() {
        assert_eq!(members.get("crv").and_then(Value::as_str), Some("Ed25519"));
        assert!(!members.contains_key("y"), "kept an OKP key with y");
        if let Some(jx) = member_bytes(members, "x") {
            assert_eq!(jx, x, "x differs");
        }
        let theirs = ed25519_dalek::VerifyingKey::from_bytes(x).expect("ed25519-dalek reads x");
        assert!(!theirs.is_weak(), "kept a small-order Ed25519 key");
    } else {
        let (x, y) = key.ec_coordinates().expect("a key is RSA, EC or OKP");
        let crv = members.get("crv").and_then(Value::as_str);
        assert_eq!(crv, key.curve(), "crv differs from the key");
        let len = match crv {
            Some("P-256") => 32,
            Some("P-384") => 48,
            Some("P-521") => 66,
            other => panic!("kept an EC key on {other:?}"),
        };
        assert_eq!((x.len(), y.len()), (len, len), "coordinate lengths");
        if let (Some(jx), Some(jy)) = (member_bytes(members, "x"), member_bytes(members, "y")) {
            assert_eq!(jx, x, "x differs");
            assert_eq!(jy, y, "y differs");
        }
    }
    assert_eq!(jwk.thumbprint(), rfc7638_thumbprint(key), "thumbprint");
    check_x5c(key, members);
}

/// For a kept key with `x5c`: the leaf certificate, read here with `x509-cert` and the
/// `rsa` / `p256` crates, holds exactly the kept key; `x5t` and `x5t#S256`, when present,
/// are the leaf's SHA-1 and SHA-256 digests (RFC 7517 §4.7–4.9).
fn check_x5c(key: &VerifyingKey, members: &Map<String, Value>) {
    use der::{Decode as _, Encode as _};
    use rsa::pkcs8::DecodePublicKey as _;
    use sha1::Sha1;

    let Some(chain) = members.get("x5c") else {
        return;
    };
    let leaf = chain
        .as_array()
        .and_then(|certs| certs.first())
        .and_then(Value::as_str)
        .expect("kept an x5c without a leaf string");
    let der = <base64ct::Base64 as base64ct::Encoding>::decode_vec(leaf)
        .expect("kept an x5c leaf that is not base64");
    let cert = x509_cert::Certificate::from_der(&der).expect("kept an x5c leaf that is not DER");
    let spki = cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .expect("the SPKI encodes");
    if let Some((n, e)) = key.rsa_components() {
        let leaf_key =
            rsa::RsaPublicKey::from_public_key_der(&spki).expect("kept a non-RSA x5c leaf");
        use rsa::traits::PublicKeyParts as _;
        assert_eq!(leaf_key.n().to_bytes_be(), n, "x5c leaf n differs");
        assert_eq!(leaf_key.e().to_bytes_be(), e, "x5c leaf e differs");
    } else if let Some(x) = key.okp_x() {
        use ed25519_dalek::pkcs8::DecodePublicKey as _;
        let leaf_key = ed25519_dalek::VerifyingKey::from_public_key_der(&spki)
            .expect("kept a non-Ed25519 x5c leaf");
        assert_eq!(leaf_key.as_bytes(), x, "x5c leaf key differs");
    } else {
        let (x, y) = key.ec_coordinates().expect("a key is RSA, EC or OKP");
        use p256::elliptic_curve::sec1::ToEncodedPoint as _;
        let point = match key.curve() {
            Some("P-256") => p256::PublicKey::from_public_key_der(&spki)
                .map(|k| k.to_encoded_point(false).as_bytes().to_vec()),
            Some("P-384") => p384::PublicKey::from_public_key_der(&spki)
                .map(|k| k.to_encoded_point(false).as_bytes().to_vec()),
            _ => p521::PublicKey::from_public_key_der(&spki)
                .map(|k| k.to_encoded_point(false).as_bytes().to_vec()),
        }
        .expect("kept an x5c leaf on another curve");
        assert_eq!(point, [&[4u8][..], x, y].concat(), "x5c leaf point differs");
    }
    if let Some(x5t) = member_bytes(members, "x5t") {
        assert_eq!(
            x5t,
            Sha1::digest(&der).to_vec(),
            "x5t is not the leaf's SHA-1"
        );
    }
    if let Some(x5t) = member_bytes(members, "x5t#S256") {
        assert_eq!(
            x5t,
            Sha256::digest(&der).to_vec(),
            "x5t#S256 is not the leaf's SHA-256"
        );
    }
}

/// A base64url member of a kept key: it must be strict base64url.
fn member_bytes(members: &Map<String, Value>, name: &str) -> Option<Vec<u8>> {
    let text = members.get(name)?.as_str().expect("key member is a string");
    Some(base64url_decode(text).expect("key member is strict base64url"))
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// RFC 7638 §3: SHA-256 over the required members, sorted, no whitespace.
fn rfc7638_thumbprint(key: &VerifyingKey) -> String {
    let mut members = BTreeMap::new();
    members.insert("kty", key.key_type().to_owned());
    if let Some((n, e)) = key.rsa_components() {
        members.insert("n", base64url_encode(n));
        members.insert("e", base64url_encode(e));
    } else if let Some(x) = key.okp_x() {
        members.insert("crv", "Ed25519".to_owned());
        members.insert("x", base64url_encode(x));
    } else if let Some((x, y)) = key.ec_coordinates() {
        members.insert("crv", key.curve().unwrap_or("?").to_owned());
        members.insert("x", base64url_encode(x));
        members.insert("y", base64url_encode(y));
    }
    let json = serde_json::to_string(&members).expect("strings serialize");
    base64url_encode(&Sha256::digest(json.as_bytes()))
}

/// Fuzz target `jwks_parse`: arbitrary bytes as a JWK Set (`JwkSet::from_json`),
/// including the skipped-key report.
///
/// Oracle when the set parses: the document is at most 256 KiB, repeats no member name
/// at any depth and is an object whose `keys` array has
/// exactly `keys().len() + skipped().len()` entries (at most 100); skipped indices are
/// distinct, increasing and in range, each with an `ERR_JWK_` code and a `kid` only if
/// the entry has that string `kid`; the kept keys are the other entries in order, each
/// satisfying every rule of [`jwk_parse`] against its own members, with a thumbprint,
/// findable by its `kid`; and parsing each entry alone with `Jwk::from_json` agrees
/// (same thumbprint when kept, an error when skipped). When the set is refused for
/// having no usable key, every entry alone is refused too.
pub fn jwks_parse(data: &[u8]) {
    let parsed = JwkSet::from_json(data);
    let entries = || -> Vec<Value> {
        let plain: Value = serde_json::from_slice(data).expect("a parsed set is JSON");
        match plain.get("keys") {
            Some(Value::Array(entries)) => entries.clone(),
            _ => panic!("a parsed set has no keys array"),
        }
    };
    let set = match parsed {
        Ok(set) => {
            assert_eq!(
                has_duplicate_names(data),
                Some(false),
                "parsed duplicate names"
            );
            assert!(data.len() <= MAX_BYTES, "parsed a {}-byte set", data.len());
            set
        }
        Err(e) => {
            assert!(e.code().starts_with("ERR_"), "code {}", e.code());
            if e.code() == "ERR_JWKS_NO_USABLE_KEYS" {
                for (i, entry) in entries().iter().enumerate() {
                    let alone = serde_json::to_vec(entry).expect("serializes");
                    assert!(
                        Jwk::from_json(&alone).is_err(),
                        "entry {i} is usable alone but the set has no usable key"
                    );
                }
            }
            return;
        }
    };
    let entries = entries();
    assert!(entries.len() <= 100, "kept a set of {} keys", entries.len());
    assert_eq!(
        set.keys().len() + set.skipped().len(),
        entries.len(),
        "kept + skipped != entries"
    );
    assert!(!set.keys().is_empty(), "a parsed set has a usable key");
    let mut skipped = set.skipped().iter().peekable();
    let mut kept = set.keys().iter();
    for (index, entry) in entries.iter().enumerate() {
        let alone = Jwk::from_json(&serde_json::to_vec(entry).expect("serializes"));
        if let Some(skip) = skipped.next_if(|s| s.index() == index) {
            assert!(
                skip.reason_code().starts_with("ERR_JWK_"),
                "code {}",
                skip.reason_code()
            );
            if let Some(kid) = skip.kid() {
                assert_eq!(entry.get("kid").and_then(Value::as_str), Some(kid));
            }
            assert!(
                alone.is_err(),
                "entry {index} skipped in the set, kept alone"
            );
        } else {
            let jwk = kept.next().expect("as many kept keys as unskipped entries");
            let members = entry.as_object().expect("a kept entry is an object");
            check_kept(jwk, members);
            let alone = alone.expect("a key kept in the set is kept alone");
            assert_eq!(alone.thumbprint(), jwk.thumbprint());
            if let Some(kid) = jwk.kid() {
                assert!(
                    set.get(kid).any(|k| k.thumbprint() == jwk.thumbprint()),
                    "kept key not found by its kid"
                );
            }
        }
    }
    assert!(
        skipped.next().is_none(),
        "skipped index out of range or order"
    );
    assert!(kept.next().is_none(), "more kept keys than entries");
}

/// The fixed key set and the tokens known to verify against it.
struct Fixture {
    set: JwkSet,
    validation: Validation,
    /// The PyJWT tokens known to be valid.
    valid: Vec<String>,
}

/// A compact token's signing input (`header.payload`).
pub(crate) fn signing_input(token: &str) -> &str {
    token.rsplit_once('.').map_or(token, |(input, _)| input)
}

const INTEROP_TOKENS: &str = include_str!("../../../test-vectors/interop/pyjwt-tokens.json");

/// What the PyJWT tokens are checked against: every algorithm, the file's issuer,
/// audience, clock and leeway.
pub(crate) fn interop_validation() -> Validation {
    fixture().validation.clone()
}

/// The PyJWT tokens known to be valid.
pub(crate) fn valid_tokens() -> &'static [String] {
    &fixture().valid
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let set = JwkSet::from_json(INTEROP_JWKS.as_bytes()).expect("interop JWKS parses");
        let tokens: Value = serde_json::from_str(INTEROP_TOKENS).expect("token file parses");
        let v = &tokens["validation"];
        let validation = Validation::builder(Algorithm::ALL)
            .issuer(v["iss"].as_str().expect("iss"))
            .audience(v["aud"].as_str().expect("aud"))
            .now(v["now"].as_u64().expect("now"))
            .leeway(v["leeway"].as_u64().expect("leeway"))
            .build();
        let valid = tokens["tokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .filter(|t| t["expected"] == "valid")
            .map(|t| t["token"].as_str().expect("token").to_owned())
            .collect::<Vec<_>>();
        assert!(valid.len() >= 10, "the interop file has its valid tokens");
        Fixture {
            set,
            validation,
            valid,
        }
    })
}

/// Fuzz target `verify_jwt`: arbitrary bytes as a token, verified end to end with
/// `JwkSet::verify_jwt` against the interop key set (RSA 2048/3072/4096 and P-256),
/// every algorithm allowed, issuer and audience required, at a fixed clock.
///
/// Oracle: no panic; a rejection has an `ERR_` code; and an accepted token signs
/// exactly the header and payload of one of the known valid PyJWT tokens (a different
/// signature can only be the ES256 `(r, n−s)` twin), so the verified header and claims
/// are that token's JSON values, and the key that verified it is the one its `kid`
/// names.
pub fn verify_jwt(data: &[u8]) {
    let Ok(token) = core::str::from_utf8(data) else {
        return;
    };
    let fixture = fixture();
    let verified = match fixture.set.verify_jwt(token, &fixture.validation) {
        Ok(verified) => verified,
        Err(e) => {
            assert!(e.code().starts_with("ERR_"), "code {}", e.code());
            return;
        }
    };
    let input = signing_input(token);
    assert!(
        fixture.valid.iter().any(|v| signing_input(v) == input),
        "accepted a token that signs something no valid token signs: {input}"
    );
    let (header_seg, payload_seg) = input.split_once('.').expect("two segments");
    let header: Value =
        serde_json::from_slice(&base64url_decode(header_seg).expect("b64")).expect("header JSON");
    let claims: Value =
        serde_json::from_slice(&base64url_decode(payload_seg).expect("b64")).expect("claims JSON");
    assert_eq!(Some(verified.header().raw()), header.as_object());
    assert_eq!(Some(verified.claims().as_map()), claims.as_object());
    if let Some(kid) = verified.header().kid() {
        assert_eq!(verified.key().kid(), Some(kid), "verified by another kid");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_known_valid_tokens_and_the_high_s_twin_are_accepted() {
        let fixture = fixture();
        let tokens: Value = serde_json::from_str(INTEROP_TOKENS).unwrap();
        let mut accepted = 0;
        for t in tokens["tokens"].as_array().unwrap() {
            let token = t["token"].as_str().unwrap();
            let outcome = fixture.set.verify_jwt(token, &fixture.validation);
            assert_eq!(outcome.is_ok(), t["expected"] == "valid", "{}", t["name"]);
            accepted += usize::from(outcome.is_ok());
            verify_jwt(token.as_bytes());
            if t["name"] == "es256" {
                // (r, n - s) verifies too and must pass the oracle.
                let (input, sig) = token.rsplit_once('.').unwrap();
                let mut sig = base64url_decode(sig).unwrap();
                let s: [u8; 32] = sig[32..].try_into().unwrap();
                sig[32..].copy_from_slice(&crate::es256_diff::negate_mod_order(&s));
                let twin = format!("{input}.{}", base64url_encode(&sig));
                assert!(fixture.set.verify_jwt(&twin, &fixture.validation).is_ok());
                verify_jwt(twin.as_bytes());
            }
        }
        assert_eq!(accepted, fixture.valid.len());
    }

    #[test]
    fn the_interop_set_and_its_keys_pass_their_oracles() {
        jwks_parse(INTEROP_JWKS.as_bytes());
        let set: Value = serde_json::from_str(INTEROP_JWKS).unwrap();
        for key in set["keys"].as_array().unwrap() {
            let bytes = serde_json::to_vec(key).unwrap();
            assert!(Jwk::from_json(&bytes).is_ok());
            jwk_parse(&bytes);
        }
    }

    #[test]
    fn the_thumbprint_oracle_matches_rfc7638() {
        // RFC 7638 §3.1.
        let jwk = Jwk::from_json(
            br#"{"kty":"RSA","e":"AQAB","alg":"RS256","kid":"2011-04-29","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}"#,
        )
        .unwrap();
        assert_eq!(
            rfc7638_thumbprint(jwk.key()),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
