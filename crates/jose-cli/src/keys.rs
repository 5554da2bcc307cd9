//! Where `verify` gets its keys: a JWK Set file, a remote set (URL or issuer discovery,
//! fetched once and cached for the whole run), or a single key.

use std::time::Duration;

use jose_core::{Validation, VerifyingKey};
use jose_fetch::{FetchError, RemoteJwks};
use jose_jwk::{Jwk, JwkSet};

use crate::UsageError;
use crate::output;

/// How long the first fetch of a remote set may take before the run gives up (exit 2).
const FIRST_FETCH_TIMEOUT: Duration = Duration::from_secs(15);

pub(crate) enum Keys {
    Set(JwkSet),
    Remote(RemoteJwks),
    Jwk(Box<Jwk>),
    Pem(VerifyingKey),
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
            Keys::remote(RemoteJwks::builder(location).build()?).await
        } else {
            Ok(Keys::Set(read_set(location)?))
        }
    }

    pub(crate) async fn issuer(issuer: &str) -> Result<Keys, UsageError> {
        Keys::remote(RemoteJwks::from_issuer(issuer).build()?).await
    }

    async fn remote(remote: RemoteJwks) -> Result<Keys, UsageError> {
        remote
            .ready(FIRST_FETCH_TIMEOUT)
            .await
            .map_err(|e| UsageError(format!("cannot load the key set: {e}")))?;
        Ok(Keys::Remote(remote))
    }

    /// One key from a file: a PEM public key, or a JWK.
    pub(crate) fn single(path: &std::path::Path) -> Result<Keys, UsageError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("cannot read {}: {e}", path.display())))?;
        if text.trim_start().starts_with("-----BEGIN") {
            let key = VerifyingKey::from_public_key_pem(&text)
                .map_err(|e| UsageError(format!("{}: {e}", path.display())))?;
            Ok(Keys::Pem(key))
        } else {
            let jwk = Jwk::from_json(text.as_bytes())
                .map_err(|e| UsageError(format!("{}: {e} ({})", path.display(), e.code())))?;
            Ok(Keys::Jwk(Box::new(jwk)))
        }
    }

    /// Verifies one token (a JWT, or a plain JWS when `jws`).
    pub(crate) async fn verify(&self, token: &str, validation: &Validation, jws: bool) -> Outcome {
        match self {
            Keys::Set(set) => from_jwk(if jws {
                set.verify_jws(token, validation).map(jws_json)
            } else {
                set.verify_jwt(token, validation).map(jwt_json)
            }),
            Keys::Remote(remote) => from_fetch(if jws {
                remote.verify_jws(token, validation).await.map(jws_json)
            } else {
                remote.verify(token, validation).await.map(jwt_json)
            }),
            // A key given explicitly is used whatever the token's kid, but a JWK's own
            // alg/kty rules still apply.
            Keys::Jwk(jwk) => {
                let pick = |h: &jose_core::Header| {
                    Ok::<_, jose_core::Error>(jwk.fits(h.alg()).then_some(jwk.key()))
                };
                single(token, validation, jws, pick)
            }
            Keys::Pem(key) => single(token, validation, jws, |_| {
                Ok::<_, jose_core::Error>(Some(key))
            }),
        }
    }
}

fn single<'k>(
    token: &str,
    validation: &Validation,
    jws: bool,
    pick: impl FnOnce(&jose_core::Header) -> Result<Option<&'k VerifyingKey>, jose_core::Error>,
) -> Outcome {
    let result = if jws {
        jose_core::verify_jws_with(token, validation, pick)
            .map(|(v, _)| output::valid_jws(v.header().raw(), v.payload()))
    } else {
        jose_core::verify_jwt_with(token, validation, pick)
            .map(|(v, _)| output::valid_jwt(v.header().raw(), v.claims().as_map()))
    };
    match result {
        Ok(json) => Outcome { json, valid: true },
        Err(e) => Outcome::rejected(e.code(), &e),
    }
}

fn jwt_json(v: jose_jwk::VerifiedJwt) -> String {
    output::valid_jwt(v.header().raw(), v.claims().as_map())
}

fn jws_json(v: jose_jwk::VerifiedJws) -> String {
    output::valid_jws(v.header().raw(), v.payload())
}

fn from_jwk(result: Result<String, jose_jwk::Error>) -> Outcome {
    match result {
        Ok(json) => Outcome { json, valid: true },
        Err(e) => Outcome::rejected(e.code(), &e),
    }
}

fn from_fetch(result: Result<String, FetchError>) -> Outcome {
    match result {
        Ok(json) => Outcome { json, valid: true },
        Err(e) => Outcome::rejected(e.code(), &e),
    }
}

/// Reads a JWK Set file; a set with no usable key is a configuration error.
pub(crate) fn read_set(path: &str) -> Result<JwkSet, UsageError> {
    parse_set_file(path)?.map_err(|e| UsageError(format!("{path}: {e} ({})", e.code())))
}

/// Reads the JWK Set at `path`: an unreadable file is a usage error, and the parse result
/// is the caller's to judge (`jose jwks` still lists a set whose every key was skipped).
pub(crate) fn parse_set_file(path: &str) -> Result<Result<JwkSet, jose_jwk::Error>, UsageError> {
    let bytes = std::fs::read(path).map_err(|e| UsageError(format!("cannot read {path}: {e}")))?;
    Ok(JwkSet::from_json(&bytes))
}
