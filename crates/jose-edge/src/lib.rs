//! jose in WebAssembly: `verify(token, jwks_json, options_json) -> result_json`, with the
//! JSON results and error codes of `jose verify` (docs/DESIGN.md §6):
//! `{"valid":true,"header":{…},"claims":{…}}` or
//! `{"valid":false,"error":{"code":"ERR_…","message":"…"}}`.
//!
//! Why a command module and not exported functions: exporting a function from wasm takes
//! `#[unsafe(no_mangle)]`, and passing strings across takes raw pointers; both are
//! `unsafe_code`, which every jose crate forbids. So `src/main.rs` is a wasm32-wasip1
//! program that reads one request `{"token":…,"jwks":{…},"options":{…}}` on stdin and
//! writes the result on stdout; a JavaScript host runs it with `node:wasi` (see
//! `tests/edge.test.mjs` and the README's "At the edge").
//!
//! `options` mirrors `jose verify`'s flags: `alg` (required, a name or a list), `iss`,
//! `aud` (a string or a list), `leeway` and `now` (Unix seconds). Where the target has
//! no clock (wasm32-unknown-unknown), `now` is required: without it every token fails
//! with `ERR_JOSE_CLOCK_UNAVAILABLE`.
#![forbid(unsafe_code)]

use jose_core::json::parse_object;
use jose_core::{Algorithm, Validation};
use jose_jwk::JwkSet;
use serde_json::{Map, Value};

/// The code of a request this module cannot read (not JSON, a missing or mistyped
/// member, an unknown option): the caller's mistake, not the token's.
pub const REQUEST_INVALID: &str = "ERR_EDGE_REQUEST_INVALID";

/// Nesting allowed in a request: the envelope, the JWK Set, a key, `x5c`.
const MAX_DEPTH: usize = 8;

/// Verifies `token` against the JWK Set `jwks_json` under `options_json` and returns the
/// result as `jose verify` prints it.
pub fn verify(token: &str, jwks_json: &str, options_json: &str) -> String {
    let outcome = parse_object(options_json.as_bytes(), MAX_DEPTH)
        .map_err(|e| invalid(&format!("options: {e}")))
        .and_then(|options| validation(&options))
        .and_then(|validation| run(token, jwks_json.as_bytes(), &validation));
    outcome.unwrap_or_else(|error| error)
}

/// [`verify`] for one request `{"token":"…","jwks":{…},"options":{…}}`, the shape the
/// command reads on stdin. `jwks` may also be a string holding the JWK Set's JSON.
pub fn verify_request(request: &[u8]) -> String {
    let outcome = parse_object(request, MAX_DEPTH)
        .map_err(|e| invalid(&format!("request: {e}")))
        .and_then(|request| {
            let token = match request.get("token") {
                Some(Value::String(token)) => token,
                _ => return Err(invalid("request: \"token\" must be a string")),
            };
            // The strict parser refused duplicate members at every depth, so writing the
            // set back out loses nothing jose-jwk would look at.
            let jwks = match request.get("jwks") {
                Some(Value::String(text)) => text.clone(),
                Some(set @ Value::Object(_)) => set.to_string(),
                _ => return Err(invalid("request: \"jwks\" must be an object or a string")),
            };
            let options = match request.get("options") {
                Some(Value::Object(options)) => options.clone(),
                None => Map::new(),
                _ => return Err(invalid("request: \"options\" must be an object")),
            };
            if let Some(name) = request
                .keys()
                .find(|k| !["token", "jwks", "options"].contains(&k.as_str()))
            {
                return Err(invalid(&format!(
                    "request: unknown member {}",
                    Value::from(name.as_str())
                )));
            }
            run(token.trim(), jwks.as_bytes(), &validation(&options)?)
        });
    outcome.unwrap_or_else(|error| error)
}

fn run(token: &str, jwks: &[u8], validation: &Validation) -> Result<String, String> {
    let set = JwkSet::from_json(jwks).map_err(|e| rejected(e.code(), &e.to_string()))?;
    let verified = set
        .verify_jwt(token, validation)
        .map_err(|e| rejected(e.code(), &e.to_string()))?;
    Ok(format!(
        r#"{{"valid":true,"header":{},"claims":{}}}"#,
        Value::Object(verified.header().raw().clone()),
        Value::Object(verified.claims().as_map().clone())
    ))
}

/// The [`Validation`] for `options`; an unknown option is refused, not ignored, so a
/// misspelt `"aud"` cannot quietly turn a check off.
fn validation(options: &Map<String, Value>) -> Result<Validation, String> {
    let mut algorithms = Vec::new();
    for name in strings(options.get("alg"), "alg")? {
        algorithms.push(
            Algorithm::from_name(name.trim())
                .map_err(|e| invalid(&format!("options.alg {}: {e}", Value::from(name))))?,
        );
    }
    if algorithms.is_empty() {
        return Err(invalid("options.alg is required"));
    }
    let mut builder = Validation::builder(algorithms.as_slice());
    for (name, value) in options {
        builder = match (name.as_str(), value) {
            ("alg", _) => builder,
            ("iss", Value::String(iss)) => builder.issuer(iss.clone()),
            ("aud", aud) => {
                for aud in strings(Some(aud), "aud")? {
                    builder = builder.audience(aud);
                }
                builder
            }
            ("leeway", Value::Number(n)) if n.as_u64().is_some() => {
                builder.leeway(n.as_u64().unwrap_or_default())
            }
            ("now", Value::Number(n)) if n.as_u64().is_some() => {
                builder.now(n.as_u64().unwrap_or_default())
            }
            ("iss" | "leeway" | "now", _) => {
                return Err(invalid(&format!("options.{name} has the wrong type")));
            }
            _ => {
                return Err(invalid(&format!(
                    "options: unknown member {}",
                    Value::from(name.as_str())
                )));
            }
        };
    }
    Ok(builder.build())
}

/// A string or a list of strings, as a list; absent is empty.
fn strings(value: Option<&Value>, name: &str) -> Result<Vec<String>, String> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                _ => Err(invalid(&format!("options.{name} must hold strings"))),
            })
            .collect(),
        Some(_) => Err(invalid(&format!(
            "options.{name} must be a string or a list of strings"
        ))),
    }
}

/// `{"valid":false,"error":{"code":…,"message":…}}`
fn rejected(code: &str, message: &str) -> String {
    format!(
        r#"{{"valid":false,"error":{{"code":{},"message":{}}}}}"#,
        Value::from(code),
        Value::from(message)
    )
}

fn invalid(message: &str) -> String {
    rejected(REQUEST_INVALID, message)
}
