//! Verification results that also say which key of the set verified the token.

use std::sync::Arc;

use jose_core::{Claims, Header, VerifyingKey};

use crate::jwk::Jwk;

/// Which key of the set verified a token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyId {
    kid: Option<Arc<str>>,
    thumbprint: Arc<str>,
}

impl KeyId {
    pub(crate) fn of(jwk: &Jwk) -> KeyId {
        KeyId {
            kid: jwk.kid_arc().cloned(),
            thumbprint: Arc::clone(jwk.thumbprint_arc()),
        }
    }

    /// A bare key: no `kid`, its thumbprint computed now.
    pub(crate) fn of_key(key: &VerifyingKey) -> KeyId {
        KeyId {
            kid: None,
            thumbprint: Arc::from(crate::thumbprint::thumbprint_sha256(key)),
        }
    }

    /// The key's `kid`, if it has one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The key's RFC 7638 SHA-256 thumbprint, base64url.
    pub fn thumbprint(&self) -> &str {
        &self.thumbprint
    }
}

/// A JWT verified against a key set: header, validated claims, and the key used.
#[derive(Debug, Clone)]
pub struct VerifiedJwt {
    inner: jose_core::VerifiedJwt,
    key: KeyId,
}

impl VerifiedJwt {
    pub(crate) fn new(inner: jose_core::VerifiedJwt, jwk: &Jwk) -> Self {
        VerifiedJwt {
            inner,
            key: KeyId::of(jwk),
        }
    }

    pub(crate) fn with_key(inner: jose_core::VerifiedJwt, key: KeyId) -> Self {
        VerifiedJwt { inner, key }
    }

    /// The protected header.
    pub fn header(&self) -> &Header {
        self.inner.header()
    }

    /// The validated claims.
    pub fn claims(&self) -> &Claims {
        self.inner.claims()
    }

    /// The key that verified the signature.
    pub fn key(&self) -> &KeyId {
        &self.key
    }

    /// The `jose-core` result, without the key.
    pub fn into_inner(self) -> jose_core::VerifiedJwt {
        self.inner
    }
}

/// A plain JWS verified against a key set: header, payload bytes, and the key used.
#[derive(Debug, Clone)]
pub struct VerifiedJws {
    inner: jose_core::VerifiedJws,
    key: KeyId,
}

impl VerifiedJws {
    pub(crate) fn new(inner: jose_core::VerifiedJws, jwk: &Jwk) -> Self {
        VerifiedJws {
            inner,
            key: KeyId::of(jwk),
        }
    }

    pub(crate) fn with_key(inner: jose_core::VerifiedJws, key: KeyId) -> Self {
        VerifiedJws { inner, key }
    }

    /// The protected header.
    pub fn header(&self) -> &Header {
        self.inner.header()
    }

    /// The verified payload.
    pub fn payload(&self) -> &[u8] {
        self.inner.payload()
    }

    /// The key that verified the signature.
    pub fn key(&self) -> &KeyId {
        &self.key
    }

    /// The `jose-core` result, without the key.
    pub fn into_inner(self) -> jose_core::VerifiedJws {
        self.inner
    }
}
