//! [`JwtAuth`]: the tower layer that finds the bearer token, verifies it with the key
//! source, and either refuses the request (RFC 6750) or passes it on with the verified
//! token in its extensions.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{HeaderMap, HeaderName, Request, Response};
use jose_core::{CompactJws, Validation};
use tower::{Layer, Service};

use crate::bearer::{self, Fallback, Found};
use crate::extract::{AuthContext, VerifiedToken};
use crate::grpc::Protocol;
use crate::rejection::{AuthRejection, quotable};
use jose_jwk::{KeySource, TokenCache, TokenCacheOptions, TokenCacheStats};

/// Bearer-token authentication as a [`tower::Layer`]: the configuration, built once at
/// startup and cheap to clone.
///
/// For every request it wraps, the layer
/// 1. takes the token from `Authorization: Bearer <token>` (then from the cookie or
///    header configured with [`JwtAuthBuilder::cookie`] / [`JwtAuthBuilder::header`]);
/// 2. verifies it with the [`KeySource`] against the [`Validation`];
/// 3. passes the request on with the [`VerifiedToken`] in its extensions, where the
///    [`Claims`](crate::Claims) and [`VerifiedToken`] extractors (or
///    [`VerifiedToken::from_extensions`]) find it; or answers itself:
///
/// | request | answer |
/// |---|---|
/// | no bearer token (or another `Authorization` scheme) | 401, `WWW-Authenticate: Bearer realm="…"` |
/// | two `Authorization` headers, two tokens, characters outside token68 | 401, `error="invalid_request"` |
/// | token refused (signature, unknown `kid`, expired, `iss`, `aud`, …) | 401, `error="invalid_token"`, `error_description` a fixed phrase for the stable code |
/// | keys unavailable (provider down with nothing cached) | 503, `Retry-After` when known |
///
/// A gRPC call (`content-type: application/grpc…`, or every request with
/// [`JwtAuthBuilder::protocol`]) is refused with a gRPC trailers-only response instead:
/// `UNAUTHENTICATED` (16) for the 401 cases, `UNAVAILABLE` (14) for 503, and
/// [`RequireScopes`](crate::RequireScopes) behind the layer answers `PERMISSION_DENIED` (7).
///
/// Routes outside the layer are public: with axum, add them after `route_layer(auth)`.
#[derive(Clone)]
pub struct JwtAuth {
    config: Arc<Config>,
}

struct Config {
    keys: Arc<dyn KeySource>,
    validation: Validation,
    /// Verdicts of tokens seen before, for this validation; `None` when turned off.
    cache: Option<Arc<TokenCache>>,
    realm: Arc<str>,
    fallbacks: Vec<Fallback>,
    optional: bool,
    protocol: Protocol,
}

/// Builds a [`JwtAuth`].
#[must_use]
pub struct JwtAuthBuilder {
    keys: Arc<dyn KeySource>,
    validation: Validation,
    cache: Option<TokenCacheOptions>,
    realm: String,
    fallbacks: Vec<Fallback>,
    optional: bool,
    protocol: Protocol,
}

impl JwtAuth {
    /// Authentication with `keys` and `validation`, realm `"api"`, token from the
    /// `Authorization` header only, credentials required.
    pub fn new(keys: impl KeySource + 'static, validation: Validation) -> Self {
        JwtAuth::builder(keys, validation).build()
    }

    /// Starts a configuration with `keys` and `validation`.
    pub fn builder(keys: impl KeySource + 'static, validation: Validation) -> JwtAuthBuilder {
        JwtAuthBuilder {
            keys: Arc::new(keys),
            validation,
            cache: Some(TokenCacheOptions::default()),
            realm: "api".to_owned(),
            fallbacks: Vec::new(),
            optional: false,
            protocol: Protocol::Auto,
        }
    }

    /// Authenticates one request by its headers, for callers outside tower: `Ok(Some)`
    /// with the verified token, `Ok(None)` when credentials are optional and absent.
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<VerifiedToken>, AuthRejection> {
        let config = &*self.config;
        let realm = || Arc::clone(&config.realm);
        let token = match bearer::find(headers, &config.fallbacks) {
            Found::Token(token) => token,
            Found::Missing if config.optional => return Ok(None),
            Found::Missing => return Err(AuthRejection::missing(realm())),
            Found::Malformed(reason) => return Err(AuthRejection::malformed(realm(), reason)),
        };
        // Parsed once, under the validation's limits: a token that could never verify
        // is the client's fault (401) before any key source is asked, so an outage
        // cannot turn it into a 503, and the source reads the header and claims of this
        // one parse.
        let validation = &config.validation;
        let parsed = CompactJws::parse(token, validation.limits())
            .and_then(|parsed| validation.check_algorithm(parsed.alg()).map(|()| parsed));
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(error) => {
                tracing::debug!(code = error.code(), "bearer token refused");
                return Err(AuthRejection::invalid_token(realm(), error.code()));
            }
        };
        let verified = match &config.cache {
            Some(cache) => {
                let keys = &config.keys;
                cache
                    .verify_async(
                        token,
                        |key| keys.trusts(key),
                        |validation| keys.verify(&parsed, validation),
                    )
                    .await
            }
            None => config.keys.verify(&parsed, validation).await.map(Arc::new),
        };
        match verified {
            Ok(jwt) => Ok(Some(VerifiedToken::shared(jwt, realm()))),
            Err(error) => {
                let rejection = AuthRejection::from_source(realm(), &error);
                if rejection.status().is_server_error() {
                    // The reason is the fetcher's own text (URLs, transport errors),
                    // never the token; operators need it.
                    tracing::warn!(code = error.code(), %error, "bearer token not verified: keys unavailable");
                } else {
                    tracing::debug!(code = error.code(), "bearer token refused");
                }
                Err(rejection)
            }
        }
    }

    /// The verified-token cache's counts (hits, misses, evictions, size), or `None`
    /// when the cache is turned off.
    pub fn token_cache_stats(&self) -> Option<TokenCacheStats> {
        self.config.cache.as_ref().map(|cache| cache.stats())
    }

    async fn context(&self, headers: &HeaderMap, grpc: bool) -> Result<AuthContext, AuthRejection> {
        Ok(AuthContext {
            realm: Arc::clone(&self.config.realm),
            token: self.authenticate(headers).await?,
            grpc,
        })
    }
}

impl fmt::Debug for JwtAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtAuth")
            .field("realm", &self.config.realm)
            .field("fallbacks", &self.config.fallbacks)
            .field("optional", &self.config.optional)
            .field("protocol", &self.config.protocol)
            .finish_non_exhaustive()
    }
}

impl JwtAuthBuilder {
    /// The `realm` of the `WWW-Authenticate` challenge (default `"api"`). Characters that
    /// cannot appear in a quoted-string (`"`, `\`, controls, non-ASCII) are dropped.
    pub fn realm(mut self, realm: impl AsRef<str>) -> Self {
        self.realm = quotable(realm.as_ref());
        self
    }

    /// Also accept the token from the cookie `name` when there is no bearer
    /// `Authorization` header (a browser front end). Sources are tried in the order they
    /// are added, after `Authorization`; a source that is present but ambiguous (the
    /// cookie twice) is refused, not skipped.
    pub fn cookie(mut self, name: impl Into<String>) -> Self {
        self.fallbacks.push(Fallback::Cookie(name.into()));
        self
    }

    /// Also accept the raw token as the whole value of header `name` (for example
    /// `x-access-token`) when there is no bearer `Authorization` header.
    pub fn header(mut self, name: HeaderName) -> Self {
        self.fallbacks.push(Fallback::Header(name));
        self
    }

    /// Let requests without any token through, unauthenticated (express-jwt's
    /// `credentialsRequired: false`): `Option<Claims<T>>` is then `None`, and `Claims<T>`
    /// or [`RequireScopes`](crate::RequireScopes) answer 401. A token that is present
    /// but invalid is still refused. Default: `false`.
    pub fn optional(mut self, optional: bool) -> Self {
        self.optional = optional;
        self
    }

    /// Which protocol refusals are answered in (default [`Protocol::Auto`]: gRPC for a
    /// request whose `content-type` is `application/grpc…`, RFC 6750 HTTP otherwise).
    /// [`RequireScopes`](crate::RequireScopes) behind this layer follows its choice.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// The verified-token cache (on by default: 10 000 tokens, 32 MiB, a verdict reused
    /// for at most 60 s and never past the token's `exp`; see `jose_jwk::TokenCache`).
    /// A repeated token then costs a SHA-256 and a lookup instead of a signature
    /// verification. Pass `None` to verify every request's token. A cache hit is served
    /// only while the key source still trusts the verifying key
    /// (`KeySource::trusts`); sources that cannot tell are verified every time.
    pub fn token_cache(mut self, options: Option<TokenCacheOptions>) -> Self {
        self.cache = options;
        self
    }

    /// Builds the layer. A key source that reports a cache's counts (`RemoteJwks`) is
    /// told about the cache (`KeySource::token_cache_attached`).
    pub fn build(self) -> JwtAuth {
        let cache = self
            .cache
            .map(|options| Arc::new(TokenCache::new(self.validation.clone(), options)));
        if let Some(cache) = &cache {
            self.keys.token_cache_attached(cache);
        }
        JwtAuth {
            config: Arc::new(Config {
                keys: self.keys,
                cache,
                validation: self.validation,
                realm: self.realm.into(),
                fallbacks: self.fallbacks,
                optional: self.optional,
                protocol: self.protocol,
            }),
        }
    }
}

impl fmt::Debug for JwtAuthBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtAuthBuilder")
            .field("realm", &self.realm)
            .field("fallbacks", &self.fallbacks)
            .field("optional", &self.optional)
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for JwtAuth {
    type Service = JwtAuthService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        JwtAuthService {
            inner,
            auth: self.clone(),
        }
    }
}

/// The service [`JwtAuth`] wraps around an inner service.
#[derive(Debug, Clone)]
pub struct JwtAuthService<S> {
    inner: S,
    auth: JwtAuth,
}

impl<S, B, ResBody> Service<Request<B>> for JwtAuthService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    ResBody: Default + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResBody>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The service that was polled ready handles this request; a fresh clone stays
        // behind for the next `poll_ready` (tower's usual pattern).
        let fresh = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, fresh);
        let auth = self.auth.clone();
        let grpc = auth.config.protocol.is_grpc(request.headers());
        Box::pin(async move {
            match auth.context(request.headers(), grpc).await {
                Ok(context) => {
                    request.extensions_mut().insert(context);
                    inner.call(request).await
                }
                Err(rejection) => Ok(rejection.into_response_for(grpc)),
            }
        })
    }
}
