//! Compact JWS / JWT construction.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::key::TestKey;
use crate::{b64, unix_now};

/// How long ago [`TokenBuilder::expired`] makes a token expire: far beyond the clock-skew
/// leeway of any verifier (seconds to a few minutes), so every one must refuse it.
const EXPIRED_FOR: u64 = 3600;

/// What goes into the payload segment.
#[derive(Debug, Clone)]
enum Payload {
    /// A JSON object, serialized when signing.
    Claims(Map<String, Value>),
    /// Any bytes (a plain JWS, or a payload that is not an object on purpose).
    Raw(Vec<u8>),
}

/// What goes into the protected header segment.
#[derive(Debug, Clone)]
enum Header {
    Members(Map<String, Value>),
    Raw(Vec<u8>),
}

/// Builds a compact JWS signed by a [`TestKey`]; made by [`TestKey::token`], or by
/// [`MockProvider::token`](crate::MockProvider::token) for a token that provider would
/// issue (`kid`, `iss`, `iat` and `exp` already set).
///
/// From [`TestKey::token`] the header starts as `{"alg": <the key's alg>}` and the
/// payload as `{}`. Every setter replaces what was there; a JSON `null` given to
/// [`TokenBuilder::header`] or [`TokenBuilder::claim`] removes the member instead, so
/// attack tests can drop `alg` or `exp`.
///
/// ```
/// use jose_testkit::TestKey;
/// use serde_json::json;
/// let token = TestKey::es256_seeded(1)
///     .token()
///     .kid("k1")
///     .typ("JWT")
///     .claims(json!({"iss": "https://issuer.example", "sub": "alice"}))
///     .claim("exp", 4_000_000_000u64)
///     .sign();
/// let header = jose_testkit::decode_segment(token.split('.').next().unwrap());
/// assert_eq!(header, json!({"alg": "ES256", "kid": "k1", "typ": "JWT"}));
/// ```
#[derive(Debug, Clone)]
#[must_use = "a token builder does nothing until `sign` is called"]
pub struct TokenBuilder<'k> {
    key: &'k TestKey,
    header: Header,
    payload: Payload,
}

impl<'k> TokenBuilder<'k> {
    pub(crate) fn new(key: &'k TestKey) -> Self {
        TokenBuilder {
            key,
            header: Header::Members(key.default_header()),
            payload: Payload::Claims(Map::new()),
        }
    }

    /// Sets the `kid` header member.
    pub fn kid(self, kid: &str) -> Self {
        self.header("kid", kid)
    }

    /// Sets the `typ` header member (`"JWT"`, `"at+jwt"`, ...).
    pub fn typ(self, typ: &str) -> Self {
        self.header("typ", typ)
    }

    /// Sets header member `name` to `value`, or removes it when `value` is `null`.
    /// Setting `alg` writes a header that claims another algorithm than the one the key
    /// signs with (an algorithm-confusion token).
    ///
    /// After [`TokenBuilder::header_json`], this starts again from the key's default header.
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        if let Header::Raw(_) = self.header {
            self.header = Header::Members(self.key.default_header());
        }
        if let Header::Members(members) = &mut self.header {
            set_or_remove(members, name, value.into());
        }
        self
    }

    /// Uses these exact bytes as the protected header (duplicate members, odd spacing,
    /// invalid JSON: whatever the test needs).
    pub fn header_json(mut self, raw: impl Into<Vec<u8>>) -> Self {
        self.header = Header::Raw(raw.into());
        self
    }

    /// Replaces the claims with the members of `claims`.
    ///
    /// # Panics
    /// If `claims` is not a JSON object; use [`TokenBuilder::payload`] for anything else.
    pub fn claims(mut self, claims: Value) -> Self {
        match claims {
            Value::Object(members) => self.payload = Payload::Claims(members),
            other => panic!("claims must be a JSON object, not {other}"),
        }
        self
    }

    /// Sets claim `name` to `value`, or removes it when `value` is `null`. After
    /// [`TokenBuilder::payload`], this starts again from an empty claim set.
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        if let Payload::Raw(_) = self.payload {
            self.payload = Payload::Claims(Map::new());
        }
        if let Payload::Claims(members) = &mut self.payload {
            set_or_remove(members, name, value.into());
        }
        self
    }

    /// Sets `exp` to `lifetime` from now (whole seconds).
    pub fn expires_in(self, lifetime: Duration) -> Self {
        self.claim("exp", unix_now().saturating_add(lifetime.as_secs()))
    }

    /// Sets `exp` to an hour ago: a token every verifier refuses as expired, whatever its
    /// leeway.
    pub fn expired(self) -> Self {
        self.claim("exp", unix_now().saturating_sub(EXPIRED_FOR))
    }

    /// Merges every member of `extra` over the claims (a `null` member removes that claim).
    ///
    /// # Panics
    /// If `extra` is not a JSON object.
    pub fn merge_claims(mut self, extra: Value) -> Self {
        let Value::Object(extra) = extra else {
            panic!("claims to merge must be a JSON object, not {extra}");
        };
        for (name, value) in extra {
            self = self.claim(&name, value);
        }
        self
    }

    /// Uses these exact bytes as the payload: a plain JWS, or a JWT whose payload is not
    /// a JSON object.
    pub fn payload(mut self, raw: impl Into<Vec<u8>>) -> Self {
        self.payload = Payload::Raw(raw.into());
        self
    }

    /// The header and payload segments joined by a dot: the JWS signing input.
    pub fn signing_input(&self) -> String {
        let header = match &self.header {
            Header::Members(members) => Value::Object(members.clone()).to_string().into_bytes(),
            Header::Raw(raw) => raw.clone(),
        };
        let payload = match &self.payload {
            Payload::Claims(members) => Value::Object(members.clone()).to_string().into_bytes(),
            Payload::Raw(raw) => raw.clone(),
        };
        format!("{}.{}", b64(&header), b64(&payload))
    }

    /// Signs and returns the compact serialization `header.payload.signature`.
    pub fn sign(self) -> String {
        let input = self.signing_input();
        let signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", b64(&signature))
    }
}

fn set_or_remove(members: &mut Map<String, Value>, name: &str, value: Value) {
    if value.is_null() {
        members.remove(name);
    } else {
        members.insert(name.to_owned(), value);
    }
}
