//! The input limits at their exact bounds, and a parsed token judged under the limits
//! of the validation that verifies it, not the ones it was parsed with.

mod common;

use common::{public_key, sign_rs256};
use jose_core::{Algorithm, CompactJws, Error, Limits, Validation, base64url_encode};

fn token(header_json: &str) -> String {
    format!(
        "{}.{}.AQ",
        base64url_encode(header_json.as_bytes()),
        base64url_encode(b"{}")
    )
}

fn code(token: &str, limits: &Limits) -> Result<(), &'static str> {
    CompactJws::parse(token, limits)
        .map(|_| ())
        .map_err(|e| e.code())
}

#[test]
fn a_token_exactly_at_the_length_limit_is_accepted() {
    let t = token(r#"{"alg":"RS256"}"#);
    let len = t.len();
    assert_eq!(code(&t, &Limits::default().max_token_len(len)), Ok(()));
    assert_eq!(
        code(&t, &Limits::default().max_token_len(len - 1)),
        Err("ERR_JOSE_LIMIT_EXCEEDED")
    );
}

#[test]
fn a_header_exactly_at_the_length_limit_is_accepted() {
    let t = token(r#"{"alg":"RS256"}"#);
    let header_len = t.find('.').unwrap();
    assert_eq!(
        code(&t, &Limits::default().max_header_len(header_len)),
        Ok(())
    );
    assert_eq!(
        code(&t, &Limits::default().max_header_len(header_len - 1)),
        Err("ERR_JOSE_LIMIT_EXCEEDED")
    );
}

#[test]
fn a_token_parsed_under_looser_limits_is_rechecked_under_the_default_ones() {
    // A kid over the default 256 bytes passes a parse that allows 1000, but not a
    // validation with the default limits.
    let header = format!(r#"{{"alg":"RS256","kid":"{}"}}"#, "k".repeat(300));
    let signed = sign_rs256(&header, r#"{"exp":1767229200}"#);
    let loose = Limits::default().max_kid_len(1000);
    let jws = CompactJws::parse(&signed, &loose).unwrap();
    let key = public_key("rsa-2048");
    let validation = Validation::builder([Algorithm::RS256])
        .now(1_767_225_660)
        .build();
    let err = jws
        .verify_jwt_with(&validation, |_| Ok::<_, Error>([&key]))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JOSE_LIMIT_EXCEEDED");
    let err = jws
        .verify_jws_with(&validation, |_| Ok::<_, Error>([&key]))
        .unwrap_err();
    assert_eq!(err.code(), "ERR_JOSE_LIMIT_EXCEEDED");
    // The same validation with the loose limits accepts it.
    let same = Validation::builder([Algorithm::RS256])
        .now(1_767_225_660)
        .limits(loose)
        .build();
    assert!(
        jws.verify_jwt_with(&same, |_| Ok::<_, Error>([&key]))
            .is_ok()
    );
}
