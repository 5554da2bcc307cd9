//! What the layer hands to handlers: the verified token in the request extensions, and the
//! axum extractors that read it, typed ([`Claims`]) or untyped ([`VerifiedToken`]).

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::Extensions;
use http::request::Parts;
use jose_jwk::VerifiedJwt;
use serde::de::DeserializeOwned;

use crate::rejection::AuthRejection;
use crate::scope::{self, RequiredScopes};

/// What `JwtAuth` put into the request: the realm for later challenges, the token if
/// one was presented (absent only when credentials are optional), and whether later
/// refusals of this request are answered in gRPC.
#[derive(Debug, Clone)]
pub(crate) struct AuthContext {
    pub(crate) realm: Arc<str>,
    pub(crate) token: Option<VerifiedToken>,
    pub(crate) grpc: bool,
}

impl AuthContext {
    /// The verified token, or the rejection that fits: 401 without one, 500 without the
    /// layer.
    pub(crate) fn require(extensions: &Extensions) -> Result<&VerifiedToken, AuthRejection> {
        let context = extensions
            .get::<AuthContext>()
            .ok_or_else(AuthRejection::not_configured)?;
        context
            .token
            .as_ref()
            .ok_or_else(|| AuthRejection::missing(Arc::clone(&context.realm)))
    }

    /// The verified token if one was presented; 500 without the layer.
    pub(crate) fn optional(
        extensions: &Extensions,
    ) -> Result<Option<&VerifiedToken>, AuthRejection> {
        let context = extensions
            .get::<AuthContext>()
            .ok_or_else(AuthRejection::not_configured)?;
        Ok(context.token.as_ref())
    }
}

/// The verified token: header, claims, the key that verified it, and its scopes.
///
/// An axum extractor (`Option<VerifiedToken>` on routes where credentials are optional).
/// Dereferences to [`jose_jwk::VerifiedJwt`]. Cheap to clone.
///
/// ```
/// use jose_axum::VerifiedToken;
///
/// async fn handler(token: VerifiedToken) -> String {
///     let subject = token.claims().sub().unwrap_or("?");
///     let kid = token.key().kid().unwrap_or("-");
///     format!("{subject} (key {kid})")
/// }
/// ```
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    jwt: Arc<VerifiedJwt>,
    realm: Arc<str>,
}

impl VerifiedToken {
    pub(crate) fn shared(jwt: Arc<VerifiedJwt>, realm: Arc<str>) -> Self {
        VerifiedToken { jwt, realm }
    }

    /// For tower services other than axum: the token `JwtAuth` verified for this request.
    pub fn from_extensions(extensions: &Extensions) -> Option<&VerifiedToken> {
        extensions
            .get::<AuthContext>()
            .and_then(|c| c.token.as_ref())
    }

    /// The verified JWT.
    pub fn jwt(&self) -> &VerifiedJwt {
        &self.jwt
    }

    /// The token's scopes: the space-separated `scope` claim (RFC 8693 §4.2, RFC 9068),
    /// then the `scp` claim as a string or an array of strings (Okta, Entra ID).
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        scope::granted(self.jwt.claims())
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }

    /// `Ok` if the token grants every scope in `required`, else the 403
    /// `insufficient_scope` rejection naming them: the extractor-based alternative to the
    /// [`RequireScopes`](crate::RequireScopes) layer.
    pub fn require_scopes<I>(&self, required: I) -> Result<(), AuthRejection>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let required: Vec<String> = required
            .into_iter()
            .map(|s| s.as_ref().to_owned())
            .collect();
        RequiredScopes::new(required).check(self)
    }

    pub(crate) fn realm(&self) -> &Arc<str> {
        &self.realm
    }
}

impl Deref for VerifiedToken {
    type Target = VerifiedJwt;

    fn deref(&self) -> &VerifiedJwt {
        &self.jwt
    }
}

impl<S: Send + Sync> FromRequestParts<S> for VerifiedToken {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AuthRejection> {
        AuthContext::require(&parts.extensions).cloned()
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for VerifiedToken {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, AuthRejection> {
        AuthContext::optional(&parts.extensions).map(Option::<&VerifiedToken>::cloned)
    }
}

/// The verified claims, deserialized into your own type.
///
/// Claims that do not fit `T` (a required field missing, a wrong type) are refused with
/// 401 `invalid_token` and the code `ERR_JWT_CLAIMS_TYPE`; the response never names the
/// value. `Option<Claims<T>>` is `None` when credentials are optional and none were sent.
///
/// ```
/// use axum::Json;
/// use jose_axum::Claims;
///
/// #[derive(serde::Deserialize, serde::Serialize)]
/// struct User {
///     sub: String,
///     email: Option<String>,
/// }
///
/// async fn me(Claims(user): Claims<User>) -> Json<User> {
///     Json(user)
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claims<T>(pub T);

impl<T: DeserializeOwned> Claims<T> {
    fn from_token(token: &VerifiedToken) -> Result<Self, AuthRejection> {
        token
            .claims()
            .deserialize::<T>()
            .map(Claims)
            .map_err(|e| AuthRejection::invalid_token(Arc::clone(token.realm()), e.code()))
    }
}

impl<T> Deref for Claims<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Claims<T> {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AuthRejection> {
        Claims::from_token(AuthContext::require(&parts.extensions)?)
    }
}

impl<S: Send + Sync, T: DeserializeOwned> OptionalFromRequestParts<S> for Claims<T> {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, AuthRejection> {
        AuthContext::optional(&parts.extensions)?
            .map(Claims::from_token)
            .transpose()
    }
}
