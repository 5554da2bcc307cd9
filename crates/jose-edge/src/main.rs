//! The jose-edge command: one request `{"token":…,"jwks":{…},"options":{…}}` on stdin,
//! one `jose verify` result line on stdout; exit status 0 when the token is valid, 1 when
//! it is not. Built for wasm32-wasip1 and run by a JavaScript host through WASI.
#![forbid(unsafe_code)]

use std::io::{Read as _, Write as _};
use std::process::ExitCode;

/// A request larger than this is refused unread: a token and a JWK Set are far smaller.
const MAX_REQUEST: u64 = 1 << 20;

fn main() -> ExitCode {
    let mut request = Vec::new();
    let read = std::io::stdin()
        .lock()
        .take(MAX_REQUEST + 1)
        .read_to_end(&mut request);
    let result = match read {
        Err(e) => format!(
            r#"{{"valid":false,"error":{{"code":"{}","message":{}}}}}"#,
            jose_edge::REQUEST_INVALID,
            serde_json::Value::from(format!("cannot read stdin: {e}"))
        ),
        Ok(_) if request.len() as u64 > MAX_REQUEST => format!(
            r#"{{"valid":false,"error":{{"code":"{}","message":"request exceeds {MAX_REQUEST} bytes"}}}}"#,
            jose_edge::REQUEST_INVALID
        ),
        Ok(_) => jose_edge::verify_request(&request),
    };
    let valid = result.starts_with(r#"{"valid":true"#);
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{result}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
