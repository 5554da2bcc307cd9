//! `jose verify`: one token, or one per stdin line with one key cache for the whole run.

use std::io::BufRead;

use jose_core::{Algorithm, Validation};
use jose_jwk::{TokenCache, TokenCacheOptions};

use crate::UsageError;
use crate::cli::VerifyArgs;
use crate::keys::Keys;
use crate::output;

/// Returns whether every token was valid.
pub(crate) async fn run(args: VerifyArgs) -> Result<bool, UsageError> {
    let validation = validation(&args)?;
    let keys = if let Some(location) = &args.jwks {
        Keys::jwks(location).await?
    } else if let Some(issuer) = &args.issuer {
        Keys::issuer(issuer).await?
    } else if let Some(path) = &args.key {
        Keys::single(path)?
    } else {
        return Err(UsageError(
            "one of --jwks, --issuer or --key is required".into(),
        ));
    };

    if args.token != "-" {
        let token = args.token.to_string_lossy();
        let outcome = keys.verify(token.trim(), &validation, args.jws, None).await;
        output::print_line(&outcome.json)?;
        return Ok(outcome.valid);
    }
    // A line longer than any acceptable token (plus room for whitespace) is rejected
    // without being held in memory, so a runaway input cannot grow the process.
    let max_line = validation.limits().token_len().saturating_add(1024);
    let mut stdin = std::io::stdin().lock();
    let mut all_valid = true;
    // A batch often repeats tokens (a log of one client's requests): each verdict is
    // reused while every time rule and the key still hold.
    let cache = TokenCache::new(validation.clone(), TokenCacheOptions::default());
    loop {
        let line = read_line(&mut stdin, max_line)
            .map_err(|e| UsageError(format!("cannot read stdin: {e}")))?;
        let json = match line {
            Line::End => break,
            Line::TooLong => {
                all_valid = false;
                output::rejected(
                    "ERR_JOSE_LIMIT_EXCEEDED",
                    &format!("token line exceeds the limit of {max_line} bytes"),
                )
            }
            // A blank line holds no token: no result line, and no failure for a file
            // that ends with an empty line.
            Line::Token(bytes) if bytes.trim_ascii().is_empty() => continue,
            Line::Token(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let outcome = keys
                    .verify(text.trim(), &validation, args.jws, Some(&cache))
                    .await;
                all_valid &= outcome.valid;
                outcome.json
            }
        };
        output::print_line(&json)?;
    }
    Ok(all_valid)
}

enum Line {
    Token(Vec<u8>),
    TooLong,
    End,
}

/// Reads one `\n`-terminated line, keeping at most `max` bytes of it; the rest of a
/// longer line is consumed and dropped.
fn read_line(reader: &mut impl BufRead, max: usize) -> std::io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    let mut read_any = false;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        read_any = true;
        let (chunk, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (&available[..i], i + 1),
            None => (available, available.len()),
        };
        if !too_long && line.len() + chunk.len() <= max {
            line.extend_from_slice(chunk);
        } else {
            too_long = true;
            line = Vec::new();
        }
        let newline = done > chunk.len();
        reader.consume(done);
        if newline {
            break;
        }
    }
    Ok(match (read_any, too_long) {
        (false, _) => Line::End,
        (true, true) => Line::TooLong,
        (true, false) => Line::Token(line),
    })
}

fn validation(args: &VerifyArgs) -> Result<Validation, UsageError> {
    let mut algorithms = Vec::with_capacity(args.alg.len());
    for name in &args.alg {
        let alg = Algorithm::from_name(name.trim()).map_err(|e| {
            let supported: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
            UsageError(format!(
                "--alg {name}: {e}; names are case-sensitive, supported: {}",
                supported.join(", ")
            ))
        })?;
        algorithms.push(alg);
    }
    let mut builder = Validation::builder(algorithms.as_slice());
    // With --issuer, the token must come from that issuer unless --iss says otherwise.
    if let Some(iss) = args.iss.as_ref().or(args.issuer.as_ref()) {
        builder = builder.issuer(iss.clone());
    }
    for aud in &args.aud {
        builder = builder.audience(aud.clone());
    }
    if let Some(leeway) = args.leeway {
        builder = builder.leeway(leeway);
    }
    if let Some(now) = args.now {
        builder = builder.now(now);
    }
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_bounded() {
        let input = format!("abc\n{}\ndef", "x".repeat(100));
        let mut reader = std::io::BufReader::with_capacity(7, input.as_bytes());
        let mut seen = Vec::new();
        loop {
            match read_line(&mut reader, 10).unwrap() {
                Line::End => break,
                Line::TooLong => seen.push("<too long>".to_owned()),
                Line::Token(t) => seen.push(String::from_utf8(t).unwrap()),
            }
        }
        assert_eq!(seen, ["abc", "<too long>", "def"]);
    }
}
