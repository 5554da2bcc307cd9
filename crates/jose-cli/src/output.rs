//! The JSON shapes printed on stdout, members in the order docs/DESIGN.md §6 writes them
//! (`serde_json` maps sort their keys, so the outer objects are written by hand).

use std::io::Write as _;

use serde_json::{Map, Value};

use crate::UsageError;

/// Writes `text` and a newline to stdout. A failed write (a closed pipe, a full disk) is
/// an error with exit code 2, not a panic as with `println!`.
pub(crate) fn print_line(text: &str) -> Result<(), UsageError> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")
        .and_then(|()| stdout.flush())
        .map_err(|e| UsageError(format!("cannot write to stdout: {e}")))
}

/// `{"valid":false,"error":{"code":…,"message":…}}`
pub(crate) fn rejected(code: &str, message: &str) -> String {
    format!(
        r#"{{"valid":false,"error":{{"code":{},"message":{}}}}}"#,
        Value::from(code),
        Value::from(message)
    )
}

/// `{"verified":false,"error":{"code":…,"message":…}}`: `decode` on a token it cannot
/// read. `decode` never verifies, so its output says `verified`, success or failure;
/// `valid` is `verify`'s verdict alone.
pub(crate) fn undecodable(code: &str, message: &str) -> String {
    format!(
        r#"{{"verified":false,"error":{{"code":{},"message":{}}}}}"#,
        Value::from(code),
        Value::from(message)
    )
}

/// `{"valid":true,"header":{…},"claims":{…}}`
pub(crate) fn valid_jwt(header: &Map<String, Value>, claims: &Map<String, Value>) -> String {
    format!(
        r#"{{"valid":true,"header":{},"claims":{}}}"#,
        object(header),
        object(claims)
    )
}

/// `{"valid":true,"header":{…},"payload_b64":"…"}`
pub(crate) fn valid_jws(header: &Map<String, Value>, payload: &[u8]) -> String {
    format!(
        r#"{{"valid":true,"header":{},"payload_b64":"{}"}}"#,
        object(header),
        jose_core::base64url_encode(payload)
    )
}

/// `{"verified":false,"warning":…,"header":{…},"payload":…}` for `decode`; the payload is
/// shown as JSON when the strict parser `verify` uses reads it as a JSON object (unique
/// member names, bounded nesting), else as `"payload_b64"`, so `decode` never shows
/// claims `verify` would read differently.
pub(crate) fn unverified(header: &Map<String, Value>, payload: &[u8]) -> String {
    let depth = jose_core::Limits::default().json_depth();
    let payload = match jose_core::json::parse_object(payload, depth) {
        Ok(claims) => format!(r#""payload":{}"#, object(&claims)),
        Err(_) => format!(
            r#""payload_b64":"{}""#,
            jose_core::base64url_encode(payload)
        ),
    };
    format!(
        r#"{{"verified":false,"warning":"UNVERIFIED: signature and claims were not checked","header":{},{payload}}}"#,
        object(header)
    )
}

fn object(map: &Map<String, Value>) -> String {
    // Serializing a map of JSON values cannot fail.
    serde_json::to_string(map).unwrap_or_else(|_| "{}".to_owned())
}
