//! Where `verify` gets its keys: a JWK Set file, a remote set (URL or issuer discovery,
//! fetched once and cached for the whole run), or a single key.

use std::time::Duration;

use jose_core::{CompactJws, Validation, VerifyingKey};
use jose_fetch::RemoteJwks;
use jose_jwk::{Jwk, JwkSet, KeySource, TokenCache};

use crate::UsageError;
use crate::output;

/// How long the first fetch of a remote set may take before the run gives up (exit 2).
const FIRST_FETCH_TIMEOUT: Duration = Duration::from_secs(15);

/// The keys `verify` uses, behind the one key-source trait: a JWK Set (file or remote),
/// or a single key, which is used whatever the token's `kid` (a JWK's own `alg` and key
/// type rules still apply).
pub(crate) struct Keys {
    source: Box<dyn KeySource>,
    /// The remote set, for `jose jwks` to list.
    remote: Option<RemoteJwks>,
}

/// A verification outcome: the JSON line to print and whether the token was valid.
pub(crate) struct Outcome {
    pub(crate) json: String,
    pub(crate) valid: bool,
}

impl Outcome {
    fn rejected(code: &str, message: impl std::fmt::Display) -> Outcome {
        Outcome {
            json: output::rejected(code, &message.to_string()),
            valid: false,
        }
    }
}

pub(crate) fn is_url(location: &str) -> bool {
    location.starts_with("http://") || location.starts_with("https://")
}

impl Keys {
    /// A JWK Set from a file or URL. Remote sets are fetched now, so an unreachable URL
    /// is a configuration error rather than a rejected token.
    pub(crate) async fn jwks(location: &str) -> Result<Keys, UsageError> {
        if is_url(location) {
            Keys::fetched(RemoteJwks::builder(location).build()?).await
        } else {
            Ok(Keys::of(read_set(location)?))
        }
    }

    pub(crate) async fn issuer(issuer: &str) -> Result<Keys, UsageError> {
        Keys::fetched(RemoteJwks::from_issuer(issuer).build()?).await
    }

    async fn fetched(remote: RemoteJwks) -> Result<Keys, UsageError> {
        remote
            .ready(FIRST_FETCH_TIMEOUT)
            .await
            .map_err(|e| UsageError(format!("cannot load the key set: {e}")))?;
        Ok(Keys {
            source: Box::new(remote.clone()),
            remote: Some(remote),
        })
    }

    fn of(source: impl KeySource + 'static) -> Keys {
        Keys {
            source: Box::new(source),
            remote: None,
        }
    }

    /// The remote set these keys come from, if they do.
    pub(crate) fn remote(&self) -> Option<&RemoteJwks> {
        self.remote.as_ref()
    }

    /// One key from a file: a PEM public key, or a JWK.
    pub(crate) fn single(path: &std::path::Path) -> Result<Keys, UsageError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
        if text.trim_start().starts_with("-----BEGIN") {
            let key = VerifyingKey::from_public_key_pem(&text)
                .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
            Ok(Keys::of(key))
        } else {
            let jwk = Jwk::from_json(text.as_bytes())
                .map_err(|e| UsageError(format!("{}: {e} ({})", path.display(), e.code())))?;
            Ok(Keys::of(jwk))
        }
    }

    /// Verifies one token (a JWT, or a plain JWS when `jws`), parsed once under the
    /// validation's limits. With a `cache` (batch mode, JWTs), a token seen before is
    /// answered from it while every rule still holds (`jose_jwk::TokenCache`); the cache
    /// was built with this same validation.
    pub(crate) async fn verify(
        &self,
        token: &str,
        validation: &Validation,
        jws: bool,
        cache: Option<&TokenCache>,
    ) -> Outcome {
        let parsed = match CompactJws::parse(token, validation.limits()) {
            Ok(parsed) => parsed,
            Err(e) => return Outcome::rejected(e.code(), &e),
        };
        let json = if jws {
            self.source
                .verify_jws(&parsed, validation)
                .await
                .map(|v| output::valid_jws(v.header().raw(), v.payload()))
        } else if let Some(cache) = cache {
            let source = &self.source;
            cache
                .verify_async(
                    token,
                    |key| source.trusts(key),
                    |validation| source.verify(&parsed, validation),
                )
                .await
                .map(|v| output::valid_jwt(v.header().raw(), v.claims().as_map()))
        } else {
            self.source
                .verify(&parsed, validation)
                .await
                .map(|v| output::valid_jwt(v.header().raw(), v.claims().as_map()))
        };
        match json {
            Ok(json) => Outcome { json, valid: true },
            Err(e) => Outcome::rejected(e.code(), &e),
        }
    }
}

/// Reads a JWK Set file; a set with no usable key is a configuration error.
pub(crate) fn read_set(path: &str) -> Result<JwkSet, UsageError> {
    parse_set_file(path)?.map_err(|e| {
        let hint = match std::fs::read(path) {
            Ok(bytes) if bytes.trim_ascii_start().starts_with(b"-----BEGIN") => {
                "; this is a PEM file: give a single key with --key"
            }
            _ => "",
        };
        UsageError(format!("{path}: {e} ({}){hint}", e.code()))
    })
}

/// Reads the JWK Set at `path`: an unreadable file is a usage error, and the parse result
/// is the caller's to judge (`jose jwks` still lists a set whose every key was skipped).
pub(crate) fn parse_set_file(path: &str) -> Result<Result<JwkSet, jose_jwk::Error>, UsageError> {
    let bytes = std::fs::read(path).map_err(|e| UsageError(format!("cannot read {path}: {e}")))?;
    Ok(JwkSet::from_json(&bytes))
}
