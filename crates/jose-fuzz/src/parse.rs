//! The parser targets: compact JWS, the protected header, base64url.

use jose_core::{
    Algorithm, CompactJws, Error, Header, Limits, Validation, VerifyingKey, base64url_decode,
    base64url_encode, verify_jws_with, verify_jwt_with,
};
use serde_json::Value;

use jose_core::json::{JsonError, parse_object};

use crate::b64ref;

/// Fuzz target `compact_parse`: arbitrary bytes as a compact JWS.
///
/// Oracle for every accepted token: it has exactly three segments within the limits;
/// `signing_input` is exactly the token before the last `.`; each base64url segment is
/// the canonical encoding of what was decoded (so no token has two spellings); the
/// header obeys the rules checked by [`header_json`].
///
/// Oracle for every token: the verification entry points, which decode the segments
/// themselves rather than through `CompactJws`, refuse exactly what `CompactJws::parse`
/// refuses, with the same error; what it accepts gets as far as key selection.
pub fn compact_parse(data: &[u8]) {
    let Ok(token) = core::str::from_utf8(data) else {
        return;
    };
    let limits = Limits::default();
    let parsed = CompactJws::parse(token, &limits);
    check_verification_path_agrees(token, parsed.as_ref().map(CompactJws::header));
    let Ok(jws) = parsed else {
        return;
    };
    assert!(token.len() <= limits.token_len(), "token over the limit");
    let segments: Vec<&str> = token.split('.').collect();
    let [header_seg, payload_seg, signature_seg] = segments[..] else {
        panic!("accepted a token with {} segments", segments.len());
    };
    assert!(
        header_seg.len() <= limits.header_len(),
        "header over the limit"
    );

    let last_dot = token.rfind('.').expect("three segments have two dots");
    assert_eq!(jws.signing_input(), &token.as_bytes()[..last_dot]);
    assert_eq!(jws.payload_segment(), payload_seg);

    let header_json = base64url_decode(header_seg).expect("accepted header is base64url");
    assert_eq!(
        base64url_encode(&header_json),
        header_seg,
        "header encoding"
    );
    check_header_against_json(jws.header(), &header_json, &limits);

    if jws.header().b64() {
        assert_eq!(
            base64url_encode(jws.payload()),
            payload_seg,
            "payload encoding"
        );
    } else {
        assert_eq!(jws.payload(), payload_seg.as_bytes(), "unencoded payload");
    }
    assert!(!jws.signature().is_empty(), "accepted an empty signature");
    assert_eq!(
        base64url_encode(jws.signature()),
        signature_seg,
        "signature encoding"
    );
    assert_eq!(jws.alg(), jws.header().alg());
}

/// `verify_jws_with` and `verify_jwt_with`, with every algorithm allowed and no key to
/// offer, against `parsed`: the same parse error, or else no matching key (and for a JWT,
/// first the refusal of an unencoded payload).
fn check_verification_path_agrees(token: &str, parsed: Result<&Header, &Error>) {
    let validation = Validation::builder(Algorithm::ALL).build();
    let no_keys = |_: &Header| Ok::<_, Error>(Vec::<&VerifyingKey>::new());
    let jws = verify_jws_with(token, &validation, no_keys).map(drop);
    let jwt = verify_jwt_with(token, &validation, no_keys).map(drop);
    match parsed {
        Err(e) => {
            assert_eq!(jws.as_ref(), Err(e), "JWS path disagrees with parse");
            assert_eq!(jwt.as_ref(), Err(e), "JWT path disagrees with parse");
        }
        Ok(header) => {
            assert_eq!(
                jws,
                Err(Error::NoMatchingKey),
                "JWS path after a good parse"
            );
            let jwt_error = match header.b64() {
                true => Error::NoMatchingKey,
                false => Error::JwtInvalid {
                    reason: "a JWT cannot use an unencoded payload (\"b64\": false)",
                },
            };
            assert_eq!(jwt, Err(jwt_error), "JWT path after a good parse");
        }
    }
}

/// Fuzz target `header_json`: arbitrary bytes as the JSON of a protected header, inside
/// an otherwise well-formed token.
///
/// Oracle: no panic, and an accepted header is a JSON object (as plain `serde_json`
/// reads it, member for member) whose `alg` is one of [`Algorithm::ALL`] — never
/// `none` or HMAC — with `kid`/`typ`/`cty` strings, `kid` within its limit, `crit`
/// non-empty, naming each extension once and only understood extensions that are
/// present, and `b64` only under `crit`.
///
/// Differential oracle: the header parser, which scans the JSON without building it,
/// refuses exactly the JSON that the strict parse building every value (claims, JWK
/// Sets) refuses, with the matching error.
pub fn header_json(data: &[u8]) {
    let limits = Limits::default();
    let header = base64url_encode(data);
    let token = format!(
        "{header}.{}.{}",
        base64url_encode(b"{}"),
        base64url_encode(b"sig")
    );
    let parsed = CompactJws::parse(&token, &limits);
    if header.len() <= limits.header_len() {
        let strict = parse_object(data, limits.json_depth());
        let expected = strict.err().map(|problem| json_error(problem, &limits));
        let actual = parsed.as_ref().err().filter(|e| is_json_error(e, &limits));
        assert_eq!(
            actual,
            expected.as_ref(),
            "header JSON judged unlike the strict parse"
        );
    }
    if let Ok(jws) = parsed {
        check_header_against_json(jws.header(), data, &limits);
    }
}

/// The header error for JSON the strict parse refuses with `problem`.
fn json_error(problem: JsonError, limits: &Limits) -> Error {
    match problem {
        JsonError::Duplicate => Error::JwsInvalid {
            reason: "duplicate member name in header",
        },
        JsonError::TooDeep => Error::LimitExceeded {
            limit: "header JSON nesting",
            max: limits.json_depth(),
        },
        JsonError::NotObject => Error::JwsInvalid {
            reason: "header is not a JSON object",
        },
        _ => Error::JwsInvalid {
            reason: "header is not valid JSON",
        },
    }
}

/// Whether `error` is one the header parser gives for its JSON rather than its members.
fn is_json_error(error: &Error, limits: &Limits) -> bool {
    [
        JsonError::Duplicate,
        JsonError::TooDeep,
        JsonError::NotObject,
        JsonError::Syntax,
    ]
    .into_iter()
    .any(|problem| json_error(problem, limits) == *error)
}

/// Checks an accepted header against the JSON it was parsed from.
fn check_header_against_json(header: &Header, json: &[u8], limits: &Limits) {
    let plain: Value = serde_json::from_slice(json).expect("an accepted header is JSON");
    let Value::Object(plain) = plain else {
        panic!("accepted a header that is not a JSON object");
    };
    assert_eq!(
        &plain,
        header.raw(),
        "header members differ from plain JSON"
    );
    check_header(header, limits);
}

/// The header rules of docs/DESIGN.md §4.1 and §4.3, checked on the raw members.
pub(crate) fn check_header(header: &Header, limits: &Limits) {
    let raw = header.raw();
    let alg = header.alg();
    assert!(Algorithm::ALL.contains(&alg), "unknown alg {alg:?}");
    assert_eq!(
        raw.get("alg").and_then(Value::as_str),
        Some(alg.name()),
        "alg member"
    );
    for name in ["none", "HS256", "HS384", "HS512"] {
        assert!(
            !alg.name().eq_ignore_ascii_case(name),
            "accepted alg {name}"
        );
    }
    for (name, typed) in [
        ("kid", header.kid()),
        ("typ", header.typ()),
        ("cty", header.cty()),
    ] {
        assert_eq!(
            raw.get(name).map(Value::as_str),
            typed.map(Some),
            "{name} must be a string when present"
        );
    }
    if let Some(kid) = header.kid() {
        assert!(kid.len() <= limits.kid_len(), "kid over the limit");
    }
    let crit: Vec<&str> = match raw.get("crit") {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            assert!(!items.is_empty(), "accepted an empty crit");
            let names: Vec<&str> = items
                .iter()
                .map(|v| v.as_str().expect("accepted a non-string in crit"))
                .collect();
            for (i, name) in names.iter().enumerate() {
                assert_eq!(*name, "b64", "accepted crit with {name:?}");
                assert!(raw.contains_key(*name), "crit names an absent member");
                assert!(!names[..i].contains(name), "crit lists {name} twice");
            }
            names
        }
        Some(other) => panic!("accepted crit {other}"),
    };
    match raw.get("b64") {
        None => assert!(header.b64(), "b64 defaults to true"),
        Some(Value::Bool(b64)) => {
            assert_eq!(header.b64(), *b64);
            assert!(crit.contains(&"b64"), "accepted b64 outside crit");
        }
        Some(other) => panic!("accepted b64 {other}"),
    }
}

/// Fuzz target `base64url`: `jose_core::base64url_decode` against two independent strict
/// decoders.
///
/// Strict means: no padding, only the URL-safe alphabet, canonical trailing bits, and no
/// length ≡ 1 mod 4.
///
/// Oracle: all three accept the same inputs and decode them to the same bytes — our
/// table-driven decoder, the reference written from the RFCs for this target, and
/// `base64ct`'s strict constant-time decoder; an accepted input is the canonical
/// encoding of its bytes (re-encoding reproduces it); and any byte string survives
/// encode-then-decode in every decoder.
pub fn base64url(data: &[u8]) {
    let reference = b64ref::decode(data);
    assert_eq!(base64ct_decode(data), reference, "the two oracles disagree");
    match core::str::from_utf8(data) {
        Ok(text) => {
            let ours = base64url_decode(text);
            assert_eq!(ours, reference, "decoders disagree on {text:?}");
            if let Some(bytes) = &ours {
                assert_eq!(
                    base64url_encode(bytes),
                    text,
                    "accepted a non-canonical form"
                );
            }
        }
        Err(_) => assert_eq!(reference, None, "reference accepted non-UTF-8"),
    }

    let encoded = base64url_encode(data);
    assert_eq!(
        encoded.len(),
        (data.len() * 4).div_ceil(3),
        "unpadded length"
    );
    assert_eq!(base64url_decode(&encoded).as_deref(), Some(data));
    assert_eq!(b64ref::decode(encoded.as_bytes()).as_deref(), Some(data));
    assert_eq!(base64ct_decode(encoded.as_bytes()).as_deref(), Some(data));
}

/// `base64ct`'s strict unpadded base64url decoder, or `None` on any deviation.
fn base64ct_decode(data: &[u8]) -> Option<Vec<u8>> {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let mut out = vec![0u8; data.len()];
    let len = Base64UrlUnpadded::decode(data, &mut out).ok()?.len();
    out.truncate(len);
    Some(out)
}
