//! `jose jwks`: the keys of a set (kid, kty, alg, use, size or curve, RFC 7638
//! thumbprint) and the keys it skipped, with the reason.

use std::sync::Arc;

use jose_fetch::RemoteJwks;
use jose_jwk::{Jwk, JwkSet, SkippedKey};
use serde_json::{Value, json};

use crate::UsageError;
use crate::cli::JwksArgs;
use crate::keys::{self, Keys};
use crate::output;

/// Lists the set; `false` (exit 1) when it has no usable key, after listing every skipped
/// key with its reason: the case where an operator most needs the list.
pub(crate) async fn run(args: JwksArgs) -> Result<bool, UsageError> {
    let set: Arc<JwkSet> = match (&args.location, &args.issuer) {
        (Some(location), _) if !keys::is_url(location) => match keys::parse_set_file(location)? {
            Ok(set) => Arc::new(set),
            Err(jose_jwk::Error::NoUsableKeys { skipped }) => {
                print(&args, &[], &skipped)?;
                return Ok(false);
            }
            Err(e) => return Err(UsageError(format!("{location}: {e} ({})", e.code()))),
        },
        (Some(location), _) => remote_set(Keys::jwks(location).await?)?,
        (None, Some(issuer)) => remote_set(Keys::issuer(issuer).await?)?,
        (None, None) => {
            return Err(UsageError(
                "a JWK Set PATH|URL or --issuer is required".into(),
            ));
        }
    };
    print(&args, set.keys(), set.skipped())?;
    Ok(true)
}

fn print(args: &JwksArgs, keys: &[Jwk], skipped: &[SkippedKey]) -> Result<(), UsageError> {
    if args.json {
        output::print_line(&to_json(keys, skipped).to_string())
    } else {
        output::print_line(to_table(keys, skipped).trim_end_matches('\n'))
    }
}

fn remote_set(keys: Keys) -> Result<Arc<JwkSet>, UsageError> {
    match keys.remote() {
        Some(remote) => current(remote),
        None => Err(UsageError("not a remote key set".into())),
    }
}

fn current(remote: &RemoteJwks) -> Result<Arc<JwkSet>, UsageError> {
    remote
        .current()
        .ok_or_else(|| UsageError("the key set is not available".into()))
}

/// `2048` for RSA keys, the curve for EC and OKP keys (`P-384`, `Ed25519`): a curve
/// names its size.
fn size(jwk: &Jwk) -> String {
    match (jwk.key().rsa_bits(), jwk.key().curve()) {
        (Some(bits), _) => bits.to_string(),
        (None, Some(curve)) => curve.to_owned(),
        (None, None) => "-".to_owned(),
    }
}

fn to_json(keys: &[Jwk], skipped: &[SkippedKey]) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({
                "kid": k.kid(),
                "kty": k.key().key_type(),
                "alg": k.alg().map(|a| a.name()),
                "use": k.key_use(),
                "bits": k.key().rsa_bits(),
                "crv": k.key().curve(),
                "thumbprint": k.thumbprint(),
            })
        })
        .collect();
    let skipped: Vec<Value> = skipped
        .iter()
        .map(|s| {
            json!({
                "index": s.index(),
                "kid": s.kid(),
                "code": s.reason_code(),
                "reason": s.reason().to_string(),
            })
        })
        .collect();
    json!({ "keys": keys, "skipped": skipped })
}

fn to_table(keys: &[Jwk], skipped: &[SkippedKey]) -> String {
    let mut rows = vec![[
        "KID".to_owned(),
        "KTY".to_owned(),
        "ALG".to_owned(),
        "USE".to_owned(),
        "SIZE".to_owned(),
        "THUMBPRINT (RFC 7638)".to_owned(),
    ]];
    for k in keys {
        rows.push([
            printable(k.kid().unwrap_or("-")),
            k.key().key_type().to_owned(),
            k.alg().map_or("-", |a| a.name()).to_owned(),
            printable(k.key_use().unwrap_or("-")),
            size(k),
            k.thumbprint().to_owned(),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    for s in skipped {
        out.push_str(&format!(
            "skipped key #{} (kid {}): {} — {}\n",
            s.index(),
            printable(s.kid().unwrap_or("-")),
            s.reason_code(),
            s.reason()
        ));
    }
    out
}

/// `kid`s come from the provider; keep control characters off the terminal.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
