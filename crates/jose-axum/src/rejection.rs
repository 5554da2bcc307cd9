//! Refusals and their HTTP form (RFC 6750 §3): 401 with a `Bearer` challenge, 403 for
//! missing scopes, 503 when keys cannot be had, 500 when the layer is missing; and their
//! gRPC form (`UNAUTHENTICATED`, `PERMISSION_DENIED`, `UNAVAILABLE`, `INTERNAL`).
//!
//! The response carries only our own fixed text: the realm the service chose, the scopes
//! the route requires, and a phrase chosen by the stable error code. Never the token, a
//! claim value or a key.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::response::IntoResponse;
use http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use http::{HeaderValue, Response, StatusCode};
use jose_jwk::KeySourceError;

use crate::grpc;

/// Why a request was refused, as the layer, [`RequireScopes`](crate::RequireScopes) or an
/// extractor decided.
///
/// It turns into the response RFC 6750 prescribes ([`AuthRejection::into_http_response`]
/// for any tower server, [`IntoResponse`] for axum) and is also put into that response's
/// extensions, so an outer logging layer can read [`AuthRejection::code`].
#[derive(Debug, Clone)]
pub struct AuthRejection {
    kind: Kind,
    realm: Arc<str>,
}

#[derive(Debug, Clone)]
enum Kind {
    /// No bearer credentials.
    Missing,
    /// Bearer credentials that are not exactly one token.
    Malformed(&'static str),
    /// The token was refused; the code is the stable one from jose.
    InvalidToken(&'static str),
    /// Keys could not be obtained.
    Unavailable {
        code: &'static str,
        retry_after: Option<Duration>,
    },
    /// The token lacks scopes the route requires (space-separated, sanitised).
    InsufficientScope(Arc<str>),
    /// An extractor or `RequireScopes` ran without the `JwtAuth` layer in front of it.
    NotConfigured,
}

impl AuthRejection {
    pub(crate) fn missing(realm: Arc<str>) -> Self {
        AuthRejection {
            kind: Kind::Missing,
            realm,
        }
    }

    pub(crate) fn malformed(realm: Arc<str>, reason: &'static str) -> Self {
        AuthRejection {
            kind: Kind::Malformed(reason),
            realm,
        }
    }

    pub(crate) fn invalid_token(realm: Arc<str>, code: &'static str) -> Self {
        AuthRejection {
            kind: Kind::InvalidToken(code),
            realm,
        }
    }

    pub(crate) fn from_source(realm: Arc<str>, error: &KeySourceError) -> Self {
        let kind = if error.is_unavailable() {
            Kind::Unavailable {
                code: error.code(),
                retry_after: error.retry_after(),
            }
        } else {
            Kind::InvalidToken(error.code())
        };
        AuthRejection { kind, realm }
    }

    pub(crate) fn insufficient_scope(realm: Arc<str>, scopes: Arc<str>) -> Self {
        AuthRejection {
            kind: Kind::InsufficientScope(scopes),
            realm,
        }
    }

    pub(crate) fn not_configured() -> Self {
        AuthRejection {
            kind: Kind::NotConfigured,
            realm: Arc::from(""),
        }
    }

    /// The HTTP status: 401, 403, 503, or 500 when the `JwtAuth` layer is missing.
    pub fn status(&self) -> StatusCode {
        match self.kind {
            Kind::Missing | Kind::Malformed(_) | Kind::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            Kind::InsufficientScope(_) => StatusCode::FORBIDDEN,
            Kind::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Kind::NotConfigured => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable code for logs and metrics: the jose code of a refused token
    /// (`ERR_JWT_EXPIRED`, `ERR_JWS_SIGNATURE_INVALID`, ...) or of unavailable keys
    /// (`ERR_JWKS_UNAVAILABLE`, ...), else one of `ERR_BEARER_MISSING`,
    /// `ERR_BEARER_MALFORMED`, `ERR_INSUFFICIENT_SCOPE`, `ERR_AUTH_NOT_CONFIGURED`.
    pub fn code(&self) -> &'static str {
        match &self.kind {
            Kind::Missing => "ERR_BEARER_MISSING",
            Kind::Malformed(_) => "ERR_BEARER_MALFORMED",
            Kind::InvalidToken(code) | Kind::Unavailable { code, .. } => code,
            Kind::InsufficientScope(_) => "ERR_INSUFFICIENT_SCOPE",
            Kind::NotConfigured => "ERR_AUTH_NOT_CONFIGURED",
        }
    }

    /// When keys are unavailable, how long until the fetcher tries again, if known.
    pub fn retry_after(&self) -> Option<Duration> {
        match self.kind {
            Kind::Unavailable { retry_after, .. } => retry_after,
            _ => None,
        }
    }

    /// The `WWW-Authenticate` value, for 401 and 403.
    pub fn challenge(&self) -> Option<String> {
        let realm = &self.realm;
        let (error, description) = match &self.kind {
            Kind::Missing => return Some(format!("Bearer realm=\"{realm}\"")),
            Kind::Malformed(reason) => ("invalid_request", *reason),
            Kind::InvalidToken(code) => ("invalid_token", describe(code)),
            Kind::InsufficientScope(scopes) => {
                return Some(format!(
                    "Bearer realm=\"{realm}\", error=\"insufficient_scope\", \
                     error_description=\"the token lacks a required scope\", scope=\"{scopes}\""
                ));
            }
            Kind::Unavailable { .. } | Kind::NotConfigured => return None,
        };
        Some(format!(
            "Bearer realm=\"{realm}\", error=\"{error}\", error_description=\"{description}\""
        ))
    }

    /// The response, with an empty body of any type that has a `Default` (as every
    /// `http_body` body in common use does): status, `WWW-Authenticate` or `Retry-After`,
    /// and this rejection in the response extensions.
    pub fn into_http_response<B: Default>(self) -> Response<B> {
        let mut response = Response::new(B::default());
        *response.status_mut() = self.status();
        if let Some(challenge) = self.challenge() {
            // Everything in the challenge is our own sanitised ASCII, so this holds; if it
            // ever did not, a bare challenge is still a correct answer.
            let value = HeaderValue::try_from(challenge)
                .unwrap_or_else(|_| HeaderValue::from_static("Bearer"));
            response.headers_mut().insert(WWW_AUTHENTICATE, value);
        }
        if let Some(after) = self.retry_after() {
            // Rounded up; saturating, since a custom key source may say `Duration::MAX`.
            let secs = after
                .as_secs()
                .saturating_add(u64::from(after.subsec_nanos() > 0));
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response.extensions_mut().insert(self);
        response
    }
}

impl AuthRejection {
    /// The gRPC status code: `UNAUTHENTICATED` (16) where HTTP says 401,
    /// `PERMISSION_DENIED` (7) for 403, `UNAVAILABLE` (14) for 503 and `INTERNAL` (13)
    /// for 500. With tonic, `tonic::Code::from(rejection.grpc_status())`.
    pub fn grpc_status(&self) -> i32 {
        match self.kind {
            Kind::Missing | Kind::Malformed(_) | Kind::InvalidToken(_) => {
                grpc::code::UNAUTHENTICATED
            }
            Kind::InsufficientScope(_) => grpc::code::PERMISSION_DENIED,
            Kind::Unavailable { .. } => grpc::code::UNAVAILABLE,
            Kind::NotConfigured => grpc::code::INTERNAL,
        }
    }

    /// The `grpc-message`: a fixed ASCII phrase chosen by the kind of refusal (and for a
    /// refused token by its stable code), never a value from the request. A wiring bug
    /// (layer missing) says only "internal error", as the HTTP 500 says nothing.
    pub fn grpc_message(&self) -> &'static str {
        match &self.kind {
            Kind::Missing => "no bearer token",
            Kind::Malformed(reason) => reason,
            Kind::InvalidToken(code) => describe(code),
            Kind::Unavailable { .. } => "signing keys are unavailable",
            Kind::InsufficientScope(_) => "the token lacks a required scope",
            Kind::NotConfigured => "internal error",
        }
    }

    /// The gRPC answer, a trailers-only response: HTTP 200, `content-type:
    /// application/grpc`, [`grpc_status`](Self::grpc_status), the percent-encoded
    /// [`grpc_message`](Self::grpc_message), `grpc-retry-pushback-ms` when keys are
    /// unavailable and the fetcher knows when it retries, an empty body, and this
    /// rejection in the response extensions.
    pub fn into_grpc_response<B: Default>(self) -> Response<B> {
        let mut response = Response::new(B::default());
        let pushback = self
            .retry_after()
            .map(|after| u64::try_from(after.as_millis()).unwrap_or(u64::MAX));
        grpc::trailers_only(
            response.headers_mut(),
            self.grpc_status(),
            self.grpc_message(),
            pushback,
        );
        response.extensions_mut().insert(self);
        response
    }

    /// The gRPC or the HTTP answer.
    pub(crate) fn into_response_for<B: Default>(self, grpc: bool) -> Response<B> {
        if grpc {
            self.into_grpc_response()
        } else {
            self.into_http_response()
        }
    }
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> axum::response::Response {
        self.into_http_response()
    }
}

impl fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Missing => f.write_str("no bearer token"),
            Kind::Malformed(reason) => f.write_str(reason),
            Kind::InvalidToken(code) => f.write_str(describe(code)),
            Kind::Unavailable { .. } => f.write_str("signing keys are unavailable"),
            Kind::InsufficientScope(_) => f.write_str("the token lacks a required scope"),
            Kind::NotConfigured => f.write_str("the JwtAuth layer is not in front of this route"),
        }
    }
}

impl std::error::Error for AuthRejection {}

/// A fixed phrase per stable code for `error_description`: short, ASCII, no quotes, and
/// nothing that came from the token.
fn describe(code: &str) -> &'static str {
    match code {
        "ERR_JWT_EXPIRED" => "the token has expired",
        "ERR_JWT_NOT_YET_VALID" => "the token is not valid yet",
        "ERR_JWS_SIGNATURE_INVALID" => "the token signature is invalid",
        "ERR_JWKS_NO_MATCHING_KEY" | "ERR_JOSE_KEY_MISMATCH" => "no key can verify the token",
        "ERR_JOSE_ALG_NOT_ALLOWED" | "ERR_JOSE_ALG_UNSUPPORTED" => {
            "the token algorithm is not accepted"
        }
        "ERR_JWS_INVALID"
        | "ERR_JWT_INVALID"
        | "ERR_JOSE_LIMIT_EXCEEDED"
        | "ERR_JWS_CRIT_UNSUPPORTED" => "the token is malformed",
        "ERR_JWT_CLAIM_INVALID"
        | "ERR_JWT_CLAIM_MISSING"
        | "ERR_JWT_CLAIM_MALFORMED"
        | "ERR_JWT_CLAIMS_TYPE"
        | "ERR_JWT_ISSUER_NOT_ALLOWED" => "the token claims are not accepted",
        _ => "the token is not valid",
    }
}

/// Keeps printable ASCII other than `"` and `\`, so a value can sit inside a quoted-string.
pub(crate) fn quotable(s: &str) -> String {
    s.chars()
        .filter(|c| matches!(c, ' '..='~') && *c != '"' && *c != '\\')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn realm() -> Arc<str> {
        Arc::from("api")
    }

    #[test]
    fn challenges() {
        assert_eq!(
            AuthRejection::missing(realm()).challenge().unwrap(),
            r#"Bearer realm="api""#
        );
        assert_eq!(
            AuthRejection::invalid_token(realm(), "ERR_JWT_EXPIRED")
                .challenge()
                .unwrap(),
            r#"Bearer realm="api", error="invalid_token", error_description="the token has expired""#
        );
        assert_eq!(
            AuthRejection::malformed(realm(), "more than one bearer token")
                .challenge()
                .unwrap(),
            r#"Bearer realm="api", error="invalid_request", error_description="more than one bearer token""#
        );
        assert_eq!(
            AuthRejection::insufficient_scope(realm(), Arc::from("a b"))
                .challenge()
                .unwrap(),
            r#"Bearer realm="api", error="insufficient_scope", error_description="the token lacks a required scope", scope="a b""#
        );
    }

    #[test]
    fn responses() {
        let r: Response<String> = AuthRejection::missing(realm()).into_http_response();
        assert_eq!(r.status(), 401);
        assert!(r.headers().get(WWW_AUTHENTICATE).is_some());
        assert_eq!(
            r.extensions().get::<AuthRejection>().unwrap().code(),
            "ERR_BEARER_MISSING"
        );

        let down = KeySourceError::Unavailable {
            code: "ERR_JWKS_UNAVAILABLE",
            message: "keys unavailable: connection refused".into(),
            retry_after: Some(Duration::from_millis(1500)),
        };
        let r: Response<String> = AuthRejection::from_source(realm(), &down).into_http_response();
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()[RETRY_AFTER], "2");
        assert!(r.headers().get(WWW_AUTHENTICATE).is_none());
        assert!(r.body().is_empty());
        // A custom key source may say anything: rounding up must not overflow.
        let forever = KeySourceError::Unavailable {
            code: "ERR_JWKS_UNAVAILABLE",
            message: "down".into(),
            retry_after: Some(Duration::MAX),
        };
        let r: Response<String> =
            AuthRejection::from_source(realm(), &forever).into_http_response();
        assert_eq!(r.headers()[RETRY_AFTER], u64::MAX.to_string().as_str());

        let r: Response<String> = AuthRejection::not_configured().into_http_response();
        assert_eq!(r.status(), 500);
    }

    #[test]
    fn grpc_responses() {
        let r: Response<String> = AuthRejection::missing(realm()).into_grpc_response();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/grpc");
        assert_eq!(r.headers()["grpc-status"], "16");
        assert_eq!(r.headers()["grpc-message"], "no bearer token");
        assert!(r.headers().get(WWW_AUTHENTICATE).is_none());
        assert!(r.body().is_empty());
        assert_eq!(
            r.extensions().get::<AuthRejection>().unwrap().code(),
            "ERR_BEARER_MISSING"
        );

        let expired = AuthRejection::invalid_token(realm(), "ERR_JWT_EXPIRED");
        let r: Response<String> = expired.into_grpc_response();
        assert_eq!(r.headers()["grpc-status"], "16");
        assert_eq!(r.headers()["grpc-message"], "the token has expired");

        let scope = AuthRejection::insufficient_scope(realm(), Arc::from("a b"));
        assert_eq!(scope.grpc_status(), 7);
        let r: Response<String> = scope.into_grpc_response();
        assert_eq!(r.headers()["grpc-status"], "7");
        assert_eq!(
            r.headers()["grpc-message"],
            "the token lacks a required scope"
        );

        let down = KeySourceError::Unavailable {
            code: "ERR_JWKS_UNAVAILABLE",
            message: "keys unavailable: connection refused to https://idp.internal/".into(),
            retry_after: Some(Duration::from_millis(1500)),
        };
        let r: Response<String> = AuthRejection::from_source(realm(), &down).into_grpc_response();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["grpc-status"], "14");
        assert_eq!(r.headers()["grpc-message"], "signing keys are unavailable");
        assert_eq!(r.headers()["grpc-retry-pushback-ms"], "1500");
        assert!(r.headers().get(RETRY_AFTER).is_none());

        let r: Response<String> = AuthRejection::not_configured().into_grpc_response();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["grpc-status"], "13");
        assert_eq!(r.headers()["grpc-message"], "internal error");
    }

    /// Every gRPC message is one of our phrases: printable ASCII without `%`, so it goes
    /// on the wire as it is.
    #[test]
    fn every_grpc_message_needs_no_encoding() {
        for rejection in [
            AuthRejection::missing(realm()),
            AuthRejection::malformed(realm(), "more than one bearer token"),
            AuthRejection::invalid_token(realm(), "ERR_JWS_SIGNATURE_INVALID"),
            AuthRejection::invalid_token(realm(), "ERR_SOMETHING_NEW"),
            AuthRejection::insufficient_scope(realm(), Arc::from("x")),
            AuthRejection::not_configured(),
        ] {
            let message = rejection.grpc_message();
            assert_eq!(grpc::percent_encode(message), message);
        }
    }

    #[test]
    fn every_description_is_quotable() {
        for code in [
            "ERR_JWT_EXPIRED",
            "ERR_JWT_NOT_YET_VALID",
            "ERR_JWS_SIGNATURE_INVALID",
            "ERR_JWKS_NO_MATCHING_KEY",
            "ERR_JOSE_ALG_NOT_ALLOWED",
            "ERR_JWS_INVALID",
            "ERR_JWT_CLAIM_INVALID",
            "ERR_SOMETHING_NEW",
        ] {
            assert_eq!(quotable(describe(code)), describe(code));
        }
    }

    #[test]
    fn quotable_drops_what_cannot_be_quoted() {
        assert_eq!(quotable("a\"b\\c\u{7f}d\ne ü"), "abcde ");
    }
}
