//! Scopes: reading them from a token (`scope` and `scp`), and [`RequireScopes`], the
//! per-route layer that answers 403 `insufficient_scope` (RFC 6750 §3.1).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use serde_json::Value;
use tower::{Layer, Service};

use crate::extract::{AuthContext, VerifiedToken};
use crate::grpc::is_grpc_request;
use crate::rejection::{AuthRejection, quotable};

/// The scopes a token grants: `scope` split on spaces, then `scp` (split the same way
/// when a string, element by element when an array; other element types are ignored).
/// A malformed claim grants nothing, so it can only lead to a refusal.
pub(crate) fn granted(claims: &jose_core::Claims) -> impl Iterator<Item = &str> {
    from_claims(claims.get("scope"), claims.get("scp"))
}

fn from_claims<'a>(
    scope: Option<&'a Value>,
    scp: Option<&'a Value>,
) -> impl Iterator<Item = &'a str> {
    let words = |v: Option<&'a Value>| {
        v.and_then(Value::as_str)
            .into_iter()
            .flat_map(|s| s.split(' ').filter(|w| !w.is_empty()))
    };
    let array = scp
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    words(scope).chain(words(scp)).chain(array)
}

/// A fixed list of scopes, all required, with its `scope="…"` text prepared once.
#[derive(Debug, Clone)]
pub(crate) struct RequiredScopes {
    scopes: Arc<[String]>,
    display: Arc<str>,
}

impl RequiredScopes {
    pub(crate) fn new(scopes: Vec<String>) -> Self {
        let display = scopes
            .iter()
            .map(|s| quotable(s))
            .collect::<Vec<_>>()
            .join(" ");
        RequiredScopes {
            scopes: scopes.into(),
            display: display.into(),
        }
    }

    pub(crate) fn check(&self, token: &VerifiedToken) -> Result<(), AuthRejection> {
        if self.scopes.iter().all(|s| token.has_scope(s)) {
            Ok(())
        } else {
            Err(AuthRejection::insufficient_scope(
                Arc::clone(token.realm()),
                Arc::clone(&self.display),
            ))
        }
    }

    fn check_request(&self, extensions: &http::Extensions) -> Result<(), AuthRejection> {
        self.check(AuthContext::require(extensions)?)
    }
}

/// A layer that lets a request through only if its verified token grants every one of
/// the scopes; otherwise 403 with `error="insufficient_scope"` and `scope="…"` naming
/// them. Without a token (credentials optional) it answers 401; without the
/// [`JwtAuth`](crate::JwtAuth) layer in front, 500. Where `JwtAuth` answers in gRPC,
/// so does this layer: `PERMISSION_DENIED`, `UNAUTHENTICATED`, `INTERNAL`.
///
/// Put it on one route, inside `JwtAuth`:
///
/// ```
/// use axum::{Router, routing::{get, post}};
/// use jose_axum::RequireScopes;
///
/// # fn app(auth: jose_axum::JwtAuth) -> Router {
/// Router::new()
///     .route("/orders", get(|| async { "[]" }))
///     .route("/orders/new", post(|| async { "ok" })
///         .route_layer(RequireScopes::new(["orders:write"])))
///     .route_layer(auth)
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct RequireScopes {
    required: RequiredScopes,
}

impl RequireScopes {
    /// Requires every one of `scopes`.
    pub fn new<I>(scopes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        RequireScopes {
            required: RequiredScopes::new(scopes.into_iter().map(Into::into).collect()),
        }
    }
}

impl<S> Layer<S> for RequireScopes {
    type Service = RequireScopesService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireScopesService {
            inner,
            required: self.required.clone(),
        }
    }
}

/// The service [`RequireScopes`] wraps around a route.
#[derive(Debug, Clone)]
pub struct RequireScopesService<S> {
    inner: S,
    required: RequiredScopes,
}

impl<S, B, ResBody> Service<Request<B>> for RequireScopesService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    ResBody: Default + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResBody>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        match self.required.check_request(request.extensions()) {
            Ok(()) => Box::pin(self.inner.call(request)),
            Err(rejection) => {
                tracing::debug!(code = rejection.code(), "request refused: scope");
                // The protocol `JwtAuth` chose for this request; without the layer (a
                // wiring bug) the request's own content-type decides.
                let grpc = request
                    .extensions()
                    .get::<AuthContext>()
                    .map_or_else(|| is_grpc_request(request.headers()), |c| c.grpc);
                Box::pin(std::future::ready(Ok(rejection.into_response_for(grpc))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(json: &str) -> Vec<&'static str> {
        let map: &'static serde_json::Map<String, Value> =
            Box::leak(Box::new(serde_json::from_str(json).unwrap()));
        from_claims(map.get("scope"), map.get("scp")).collect()
    }

    #[test]
    fn scope_and_scp_in_every_shape() {
        assert_eq!(scopes(r#"{"scope":"a  b c"}"#), ["a", "b", "c"]);
        assert_eq!(scopes(r#"{"scp":"a b"}"#), ["a", "b"]);
        assert_eq!(scopes(r#"{"scp":["a","b c",1]}"#), ["a", "b c"]);
        assert_eq!(scopes(r#"{"scope":"a","scp":["b"]}"#), ["a", "b"]);
        assert!(scopes(r#"{"scope":["a"],"scp":{"a":1}}"#).is_empty());
        assert!(scopes(r#"{}"#).is_empty());
    }
}
