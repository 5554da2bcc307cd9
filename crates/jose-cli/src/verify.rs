//! `jose verify`: one token, or one per stdin line with one key cache for the whole run.

use std::io::BufRead;

use jose_core::{Algorithm, Validation};

use crate::UsageError;
use crate::cli::VerifyArgs;
use crate::keys::Keys;

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
        let outcome = keys.verify(args.token.trim(), &validation, args.jws).await;
        println!("{}", outcome.json);
        return Ok(outcome.valid);
    }
    let mut all_valid = true;
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| UsageError(format!("cannot read stdin: {e}")))?;
        let outcome = keys.verify(line.trim(), &validation, args.jws).await;
        println!("{}", outcome.json);
        all_valid &= outcome.valid;
    }
    Ok(all_valid)
}

fn validation(args: &VerifyArgs) -> Result<Validation, UsageError> {
    let mut algorithms = Vec::with_capacity(args.alg.len());
    for name in &args.alg {
        let alg = Algorithm::from_name(name.trim())
            .map_err(|e| UsageError(format!("--alg {name}: {e}")))?;
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
