//! `jose jwks`: the keys of a set (kid, kty, alg, use, size or curve, RFC 7638
//! thumbprint) and the keys it skipped, with the reason.

use std::sync::Arc;

use jose_fetch::RemoteJwks;
use jose_jwk::{Jwk, JwkSet};
use serde_json::{Value, json};

use crate::UsageError;
use crate::cli::JwksArgs;
use crate::keys::{self, Keys};

pub(crate) async fn run(args: JwksArgs) -> Result<bool, UsageError> {
    let set: Arc<JwkSet> = match (&args.location, &args.issuer) {
        (Some(location), _) if !keys::is_url(location) => Arc::new(keys::read_set(location)?),
        (Some(location), _) => remote_set(Keys::jwks(location).await?)?,
        (None, Some(issuer)) => remote_set(Keys::issuer(issuer).await?)?,
        (None, None) => {
            return Err(UsageError(
                "a JWK Set PATH|URL or --issuer is required".into(),
            ));
        }
    };
    if args.json {
        println!("{}", to_json(&set));
    } else {
        print!("{}", to_table(&set));
    }
    Ok(true)
}

fn remote_set(keys: Keys) -> Result<Arc<JwkSet>, UsageError> {
    match keys {
        Keys::Remote(remote) => current(&remote),
        _ => Err(UsageError("not a remote key set".into())),
    }
}

fn current(remote: &RemoteJwks) -> Result<Arc<JwkSet>, UsageError> {
    remote
        .current()
        .ok_or_else(|| UsageError("the key set is not available".into()))
}

/// `2048` for RSA keys, `P-256` for EC keys.
fn size(jwk: &Jwk) -> String {
    match (jwk.key().rsa_bits(), jwk.key().curve()) {
        (Some(bits), _) => bits.to_string(),
        (None, Some(curve)) => curve.to_owned(),
        (None, None) => "-".to_owned(),
    }
}

fn to_json(set: &JwkSet) -> Value {
    let keys: Vec<Value> = set
        .keys()
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
    let skipped: Vec<Value> = set
        .skipped()
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

fn to_table(set: &JwkSet) -> String {
    let mut rows = vec![[
        "KID".to_owned(),
        "KTY".to_owned(),
        "ALG".to_owned(),
        "USE".to_owned(),
        "SIZE".to_owned(),
        "THUMBPRINT (RFC 7638)".to_owned(),
    ]];
    for k in set.keys() {
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
    for s in set.skipped() {
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
