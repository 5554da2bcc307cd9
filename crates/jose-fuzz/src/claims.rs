//! The `claims` target: arbitrary payloads, correctly signed, through JWT validation.

use jose_core::{Algorithm, Validation, VerifiedJwt, verify_jwt};
use serde_json::{Map, Value};

use crate::json_names::has_duplicate_names;
use crate::keys;

/// The fixed clock of the claims and JWT targets (2026-01-01T00:01:00Z).
pub(crate) const NOW: u64 = 1_767_225_660;
/// The issuer the strict profile expects.
pub(crate) const ISSUER: &str = "https://issuer.example";
/// The audience the strict profile expects.
pub(crate) const AUDIENCE: &str = "jose-tests";
/// The largest NumericDate jose-core accepts (9999-12-31T23:59:59Z).
const MAX_NUMERIC_DATE: f64 = 253_402_300_799.0;

/// One validation configuration and what it promises about an accepted token.
struct Profile {
    validation: Validation,
    leeway: u64,
    issuer: Option<&'static str>,
    audience: Audience,
    require_exp: bool,
    max_age: Option<u64>,
    /// The `typ` the profile requires.
    typ: Option<&'static str>,
}

enum Audience {
    /// None configured: a token naming an audience is refused.
    Unset,
    /// This one must be present.
    Exactly(&'static str),
}

fn profiles() -> [Profile; 2] {
    [
        // The usual service configuration: issuer, audience, `exp` required, 60 s leeway.
        Profile {
            validation: Validation::builder([Algorithm::ES256])
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .leeway(60)
                .now(NOW)
                .build(),
            leeway: 60,
            issuer: Some(ISSUER),
            audience: Audience::Exactly(AUDIENCE),
            require_exp: true,
            max_age: None,
            typ: None,
        },
        // `exp` optional, a maximum age instead, no audience configured (so a token that
        // names one is refused), `typ` checked, no leeway.
        Profile {
            validation: Validation::builder([Algorithm::ES256])
                .require_exp(false)
                .max_age(3600)
                .typ("JWT")
                .leeway(0)
                .now(NOW)
                .build(),
            leeway: 0,
            issuer: None,
            audience: Audience::Unset,
            require_exp: false,
            max_age: Some(3600),
            typ: Some("JWT"),
        },
    ]
}

/// Fuzz target `claims`: the input is a JWT payload, signed with the fixed P-256 key
/// (deterministic RFC 6979), verified with `verify_jwt` under two validation profiles
/// at a fixed clock. The header's `typ` is `JWT`, or the payload's member `_typ` when
/// that is a string (so the fuzzer chooses it without a change of input layout).
///
/// Oracle: no panic; a rejection carries a stable `ERR_` code; an accepted payload is a
/// JSON object equal member for member to what plain `serde_json` reads, `exp` is a JSON
/// number greater than `now - leeway` (when required), `nbf`/`iat` are numbers not past
/// `now + leeway` (fractions included), no object repeats a member name,
/// `iss`/`sub`/`jti` are strings, `aud` matches the profile, the maximum age holds, and
/// under the profile that expects `typ` `JWT` the header's `typ` is that media type
/// (RFC 7515 §4.1.9: case-insensitive, `application/` optional).
pub fn claims(data: &[u8]) {
    let ec = keys::ec();
    let typ = header_typ(data);
    let header = serde_json::json!({"alg": "ES256", "typ": typ}).to_string();
    let token = ec.sign_compact(header.as_bytes(), data);
    thread_local! {
        static PROFILES: [Profile; 2] = profiles();
    }
    PROFILES.with(|profiles| {
        for profile in profiles {
            match verify_jwt(&token, &ec.ours, &profile.validation) {
                Ok(verified) => check_accepted(data, &verified, profile),
                Err(e) => assert!(e.code().starts_with("ERR_"), "code {}", e.code()),
            }
        }
    });
}

/// The `typ` the header carries: the payload's `_typ` string member, else `JWT`.
fn header_typ(payload: &[u8]) -> String {
    serde_json::from_slice::<Value>(payload)
        .ok()
        .and_then(|v| v.get("_typ").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| "JWT".to_owned())
}

/// RFC 7515 §4.1.9's comparison, written here independently: lower-case both, drop one
/// leading `application/` from each, compare.
fn same_media_type(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let lower = s.to_ascii_lowercase();
        lower
            .strip_prefix("application/")
            .map(str::to_owned)
            .unwrap_or(lower)
    };
    norm(a) == norm(b)
}

fn check_accepted(payload: &[u8], verified: &VerifiedJwt, profile: &Profile) {
    let plain: Value = serde_json::from_slice(payload).expect("accepted payload is JSON");
    let Value::Object(plain) = plain else {
        panic!("accepted a payload that is not an object");
    };
    assert_eq!(&plain, verified.claims().as_map(), "claims differ");
    assert_eq!(
        has_duplicate_names(payload),
        Some(false),
        "accepted duplicate claim names"
    );
    assert_eq!(verified.header().alg(), Algorithm::ES256);
    if let Some(expected) = profile.typ {
        let typ = header_typ(payload);
        assert!(
            same_media_type(&typ, expected),
            "accepted typ {typ:?} where {expected:?} is required"
        );
    }

    let now = NOW as f64;
    let leeway = profile.leeway as f64;
    match date(&plain, "exp") {
        Some(exp) => assert!(exp > now - leeway, "accepted exp {exp} at {NOW}"),
        None => assert!(!profile.require_exp, "accepted a token without exp"),
    }
    // The clock reads whole seconds, so a fractional nbf or iat is accepted only once
    // its whole second has begun: value <= now + leeway.
    if let Some(nbf) = date(&plain, "nbf") {
        assert!(nbf <= now + leeway, "accepted nbf {nbf} at {NOW}");
    }
    let iat = date(&plain, "iat");
    if let Some(iat) = iat {
        assert!(iat <= now + leeway, "accepted iat {iat} at {NOW}");
    }
    if let Some(max_age) = profile.max_age {
        let iat = iat.expect("max_age accepted a token without iat");
        assert!(
            iat.floor() >= now - max_age as f64 - leeway,
            "accepted iat {iat} older than the maximum age"
        );
    }
    for name in ["iss", "sub", "jti"] {
        if let Some(value) = plain.get(name) {
            assert!(value.is_string(), "accepted a malformed {name}: {value}");
        }
    }
    if let Some(issuer) = profile.issuer {
        assert_eq!(plain.get("iss").and_then(Value::as_str), Some(issuer));
    }
    let audiences: Option<Vec<&str>> = plain.get("aud").map(|aud| match aud {
        Value::String(one) => vec![one.as_str()],
        Value::Array(items) => items
            .iter()
            .map(|item| item.as_str().expect("accepted a non-string audience"))
            .collect(),
        other => panic!("accepted a malformed aud: {other}"),
    });
    match (&profile.audience, audiences) {
        (Audience::Unset, aud) => assert_eq!(aud, None, "accepted an unexpected aud"),
        (Audience::Exactly(expected), aud) => assert!(
            aud.is_some_and(|aud| aud.contains(expected)),
            "accepted a token not for {expected}"
        ),
    }
}

/// A registered date claim of an accepted token: it must be a JSON number in range.
fn date(claims: &Map<String, Value>, name: &str) -> Option<f64> {
    let value = claims.get(name)?;
    let secs = value
        .as_f64()
        .unwrap_or_else(|| panic!("accepted a malformed {name}: {value}"));
    assert!(
        (0.0..=MAX_NUMERIC_DATE).contains(&secs),
        "accepted {name} out of range: {value}"
    );
    Some(secs)
}
