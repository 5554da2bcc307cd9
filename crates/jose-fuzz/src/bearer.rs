//! Fuzz target `bearer_request`: request headers as an attacker sends them, through
//! `jose-axum`'s `JwtAuth::authenticate` (the same path its tower layer takes), with the
//! token also accepted from a cookie and from a custom header.
//!
//! Input layout (past the end, reads are zeros): byte `n`, then `n % 6` headers, each a
//! byte choosing the name (`NAMES[b % 4]`) and a value of `u16` big-endian length; a
//! value that is not a valid header value is left out.
//!
//! Oracle: no panic, and the future is ready at once (the key set is static); a
//! verified request carries one of the PyJWT tokens known to be valid inside one of
//! its header values, and has exactly one `Authorization` header or none; two
//! `Authorization` headers are always `ERR_BEARER_MALFORMED`; a rejection is a 401,
//! 403 or 503 with an `ERR_` code, and its `WWW-Authenticate` challenge is visible
//! ASCII with no run of 24 or more token characters (no token, nor a piece of one, is
//! echoed; a fixed phrase can still contain a header value the fuzzer copied from it,
//! say `arer real`, so values themselves are not searched for).

use std::future::Future;
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use http::{HeaderMap, HeaderName, HeaderValue};
use jose_axum::JwtAuth;
use jose_jwk::JwkSet;

use crate::input::Input;
use crate::jwk;
use crate::keys::INTEROP_JWKS;

const NAMES: [&str; 4] = ["authorization", "cookie", "x-token", "x-other"];

fn auth() -> &'static JwtAuth {
    static AUTH: OnceLock<JwtAuth> = OnceLock::new();
    AUTH.get_or_init(|| {
        let set = JwkSet::from_json(INTEROP_JWKS.as_bytes()).expect("interop JWKS parses");
        JwtAuth::builder(set, jwk::interop_validation())
            .realm("fuzz")
            .cookie("id_token")
            .header(HeaderName::from_static("x-token"))
            .build()
    })
}

/// Fuzz target `bearer_request` (see the module docs for the layout and oracle).
pub fn bearer_request(data: &[u8]) {
    let headers = request_headers(data);
    let values: Vec<&[u8]> = headers.values().map(HeaderValue::as_bytes).collect();
    let authorizations = headers.get_all("authorization").iter().count();
    let outcome = ready(auth().authenticate(&headers));
    match outcome {
        Ok(verified) => {
            assert!(verified.is_some(), "credentials are required");
            assert!(
                authorizations <= 1,
                "verified with two Authorization headers"
            );
            let known = jwk::valid_tokens();
            assert!(
                values.iter().any(|value| known
                    .iter()
                    .any(|token| contains(value, jwk::signing_input(token).as_bytes()))),
                "verified a token that no header carries"
            );
        }
        Err(rejection) => {
            assert!(rejection.code().starts_with("ERR_"), "{}", rejection.code());
            assert!(
                matches!(rejection.status().as_u16(), 401 | 403 | 503),
                "status {}",
                rejection.status()
            );
            if authorizations > 1 {
                assert_eq!(rejection.code(), "ERR_BEARER_MALFORMED");
            }
            if let Some(challenge) = rejection.challenge() {
                assert!(
                    challenge.bytes().all(|b| (0x20..0x7f).contains(&b)),
                    "challenge {challenge:?}"
                );
                assert!(
                    longest_token_run(challenge.as_bytes()) < 24,
                    "the challenge carries something token-like: {challenge:?}"
                );
            }
        }
    }
}

/// The headers an input describes (see the module docs for the layout).
fn request_headers(data: &[u8]) -> HeaderMap {
    let mut input = Input::new(data);
    let mut headers = HeaderMap::new();
    for _ in 0..input.byte() % 6 {
        let name = NAMES[usize::from(input.byte()) % NAMES.len()];
        let len = usize::from(input.u16());
        if let Ok(value) = HeaderValue::from_bytes(input.bytes(len)) {
            headers.append(HeaderName::from_static(name), value);
        }
    }
    headers
}

/// Polls a future that must be ready at once (a static key set never waits).
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("authenticate waited on a static key set"),
    }
}

/// The longest run of token68 characters (and `.`, which joins JWS segments). Our
/// fixed phrases are words and `error` codes (the longest, `insufficient_scope`, is 18);
/// a token, or a piece of one long enough to matter, is a longer run.
fn longest_token_run(text: &[u8]) -> usize {
    let token_char = |b: &u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(b);
    text.split(|b| !token_char(b))
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(u8, &str)]) -> Vec<u8> {
        let mut out = vec![headers.len() as u8];
        for (name, value) in headers {
            out.push(*name);
            out.extend_from_slice(&(value.len() as u16).to_be_bytes());
            out.extend_from_slice(value.as_bytes());
        }
        out
    }

    fn outcome(data: &[u8]) -> Result<(), &'static str> {
        bearer_request(data);
        let headers = request_headers(data);
        assert_eq!(headers.len(), usize::from(data[0]), "every header is valid");
        ready(auth().authenticate(&headers))
            .map(drop)
            .map_err(|r| r.code())
    }

    /// The layout reaches both sides of the oracle: each token source verifies a known
    /// token, and the ambiguous and damaged requests are refused.
    #[test]
    fn the_layout_reaches_every_source_and_refusal() {
        let token = jwk::valid_tokens()[0].as_str();
        let bearer = format!("Bearer {token}");
        let cookie = format!("theme=dark; id_token={token}");
        assert_eq!(outcome(&request(&[(0, &bearer)])), Ok(()));
        assert_eq!(outcome(&request(&[(1, &cookie)])), Ok(()));
        assert_eq!(outcome(&request(&[(2, token)])), Ok(()));
        assert_eq!(
            outcome(&request(&[(0, &bearer), (0, &bearer)])),
            Err("ERR_BEARER_MALFORMED")
        );
        assert_eq!(
            outcome(&request(&[(3, &bearer)])),
            Err("ERR_BEARER_MISSING")
        );
        let damaged = format!("Bearer {}AAAA", &token[..token.len() - 4]);
        assert!(outcome(&request(&[(0, &damaged)])).is_err());
    }
}
