//! The JWS protected header (RFC 7515 §4): typed access to the parameters we act on, and
//! the raw JSON object for everything else.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::json::{self, JsonError, Scanned};
use super::limits::Limits;
use crate::algorithm::Algorithm;
use crate::error::{Error, Result};

/// A parsed, validated JWS protected header.
///
/// Only `alg`, `kid`, `typ`, `cty`, `crit` and `b64` are interpreted. In particular
/// `jwk`, `jku`, `x5u` and `x5c` are kept in [`Header::raw`] but never used to find or
/// supply a key: keys come only from the caller's trusted source.
#[derive(Clone)]
pub struct Header {
    alg: Algorithm,
    b64: bool,
    kid: Option<Span>,
    typ: Option<Span>,
    cty: Option<Span>,
    /// The decoded header, which [`Header::parse`] accepted as strict JSON, in its first
    /// `json_len` bytes; then any typed value that was spelled with escapes, unescaped.
    /// One heap block holds every string a header owns.
    text: Box<str>,
    json_len: usize,
    /// The header as a JSON object, built from the JSON on the first call to
    /// [`Header::raw`]: verification reads only the typed parameters, and building the
    /// map for every token would cost one heap block per name and per string value.
    raw: OnceLock<Map<String, Value>>,
}

/// Header parameter names registered by RFC 7515 and RFC 7518 (and RFC 7516 for JWE),
/// which `crit` must not list (RFC 7515 §4.1.11).
const REGISTERED: [&str; 19] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc",
    "zip", "epk", "apu", "apv", "iv", "tag", "p2s",
];

/// Extensions we understand and may therefore see in `crit`.
const UNDERSTOOD: [&str; 1] = ["b64"];

/// The parameters [`Header::parse`] reads: every one it interprets, so every understood
/// extension too.
const PARAMETERS: [&str; 6] = ["alg", "kid", "typ", "cty", "crit", "b64"];

impl Header {
    /// Parses a decoded header: strict JSON object, `alg` required and supported, the
    /// typed parameters of the right JSON type, `crit` and `b64` per RFC 7515/7797.
    pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Header> {
        let scanned =
            json::scan_object(bytes, limits.json_depth(), PARAMETERS).map_err(|p| match p {
                JsonError::Duplicate => Error::jws("duplicate member name in header"),
                JsonError::TooDeep => Error::LimitExceeded {
                    limit: "header JSON nesting",
                    max: limits.json_depth(),
                },
                JsonError::NotObject => Error::jws("header is not a JSON object"),
                JsonError::Syntax => Error::jws("header is not valid JSON"),
            })?;
        let found = scanned.each_ref().map(Option::is_some);
        let present = |name: &str| PARAMETERS.iter().zip(found).any(|(p, f)| f && *p == name);
        let [alg, kid, typ, cty, crit, b64] = scanned;

        let alg = match alg {
            Some(Scanned::String(name)) => Algorithm::from_name(&name)?,
            Some(_) => return Err(Error::jws("\"alg\" is not a string")),
            None => return Err(Error::jws("\"alg\" is missing")),
        };
        let kid = optional_string(kid, "\"kid\" is not a string")?;
        if kid.as_ref().is_some_and(|k| k.len() > limits.kid_len()) {
            return Err(Error::LimitExceeded {
                limit: "kid length",
                max: limits.kid_len(),
            });
        }
        let typ = optional_string(typ, "\"typ\" is not a string")?;
        let cty = optional_string(cty, "\"cty\" is not a string")?;

        let crit_lists_b64 = check_crit(crit, present)?;
        let b64 = match b64 {
            None => true,
            Some(Scanned::Bool(b64)) => {
                // RFC 7797 §6: b64 must be understood by every recipient, so it is only
                // valid when listed in crit.
                if !crit_lists_b64 {
                    return Err(Error::jws("\"b64\" present but not listed in \"crit\""));
                }
                b64
            }
            Some(_) => return Err(Error::jws("\"b64\" is not a boolean")),
        };

        // Accepted JSON is UTF-8: serde_json checks strings, and all else must be ASCII.
        let json =
            std::str::from_utf8(bytes).map_err(|_| Error::jws("header is not valid JSON"))?;
        let mut text = Text::new(json);
        let [kid, typ, cty] = [kid, typ, cty].map(|value| value.map(|v| text.span(v)));
        Ok(Header {
            alg,
            b64,
            kid,
            typ,
            cty,
            text: text.finish(),
            json_len: json.len(),
            raw: OnceLock::new(),
        })
    }

    /// The signature algorithm.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The key ID, an opaque case-sensitive string, if present.
    pub fn kid(&self) -> Option<&str> {
        self.string(self.kid)
    }

    /// The media type of the whole token (`typ`), if present.
    pub fn typ(&self) -> Option<&str> {
        self.string(self.typ)
    }

    /// The media type of the payload (`cty`), if present.
    pub fn cty(&self) -> Option<&str> {
        self.string(self.cty)
    }

    /// Whether the payload is base64url-encoded (`true` unless RFC 7797 `"b64": false`).
    pub fn b64(&self) -> bool {
        self.b64
    }

    /// The whole header as JSON, including parameters this library does not interpret.
    pub fn raw(&self) -> &Map<String, Value> {
        self.raw.get_or_init(|| {
            // `parse` accepted these bytes under the same rules and a depth limit, and
            // parsing is deterministic, so this cannot fail; if it ever did, an empty
            // object shows nothing rather than something wrong.
            let json = self.text.get(..self.json_len).unwrap_or_default();
            json::parse_object(json.as_bytes(), usize::MAX).unwrap_or_default()
        })
    }

    fn string(&self, span: Option<Span>) -> Option<&str> {
        span.and_then(|span| self.text.get(span.start..span.end))
    }
}

/// Where a typed parameter's value lies in [`Header::text`].
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

/// Builds [`Header::text`]: the decoded JSON, then the typed values it does not hold
/// verbatim.
struct Text<'de> {
    json: &'de str,
    unescaped: String,
}

impl<'de> Text<'de> {
    fn new(json: &'de str) -> Self {
        Text {
            json,
            unescaped: String::new(),
        }
    }

    /// The span of `value`: where it lies in the JSON if it is a slice of it (a string
    /// without escapes, which the scan borrows), else where it is appended.
    fn span(&mut self, value: Cow<'de, str>) -> Span {
        if let Some(span) = self.span_in_json(&value) {
            return span;
        }
        let start = self.json.len() + self.unescaped.len();
        self.unescaped.push_str(&value);
        Span {
            start,
            end: start + value.len(),
        }
    }

    /// Where `value` lies in the JSON if it is a slice of it, found from its address. A
    /// value whose bytes lie inside the JSON at a character boundary *is* that part of
    /// the JSON, so no comparison is needed; anything else (an unescaped copy) is not
    /// found and is appended.
    fn span_in_json(&self, value: &str) -> Option<Span> {
        let start = (value.as_ptr() as usize).checked_sub(self.json.as_ptr() as usize)?;
        let end = start.checked_add(value.len())?;
        self.json.get(start..end).map(|_| Span { start, end })
    }

    fn finish(self) -> Box<str> {
        if self.unescaped.is_empty() {
            return self.json.into();
        }
        let mut text = String::with_capacity(self.json.len() + self.unescaped.len());
        text.push_str(self.json);
        text.push_str(&self.unescaped);
        text.into_boxed_str()
    }
}

/// Two headers are equal when their JSON objects are: the typed parameters are read from
/// them, and the same object may be spelled with other whitespace, order or escapes.
impl PartialEq for Header {
    fn eq(&self, other: &Header) -> bool {
        self.raw() == other.raw()
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Header")
            .field("alg", &self.alg)
            .field("kid", &self.kid())
            .field("typ", &self.typ())
            .field("cty", &self.cty())
            .field("b64", &self.b64)
            .field("raw", self.raw())
            .finish()
    }
}

/// A parameter that must be a string when present.
fn optional_string<'de>(
    value: Option<Scanned<'de>>,
    wrong: &'static str,
) -> Result<Option<Cow<'de, str>>> {
    match value {
        None => Ok(None),
        Some(Scanned::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::jws(wrong)),
    }
}

/// Validates `crit` (RFC 7515 §4.1.11) and returns whether it lists `b64`.
fn check_crit(crit: Option<Scanned<'_>>, present: impl Fn(&str) -> bool) -> Result<bool> {
    let Some(crit) = crit else {
        return Ok(false);
    };
    let unsupported = |reason| Err(Error::CritUnsupported { reason });
    let Scanned::Array(items) = crit else {
        return unsupported("\"crit\" is not an array");
    };
    if items.is_empty() {
        return unsupported("\"crit\" is empty");
    }
    let mut lists_b64 = false;
    for (i, item) in items.iter().enumerate() {
        let Value::String(name) = item else {
            return unsupported("\"crit\" lists a non-string");
        };
        if items[..i].contains(item) {
            return unsupported("\"crit\" lists a name twice");
        }
        if REGISTERED.contains(&name.as_str()) {
            return unsupported("\"crit\" lists a registered header parameter");
        }
        if !UNDERSTOOD.contains(&name.as_str()) {
            return unsupported("\"crit\" lists an extension this library does not understand");
        }
        if !present(name) {
            return unsupported("\"crit\" lists a parameter that is not in the header");
        }
        lists_b64 |= name == "b64";
    }
    Ok(lists_b64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Header> {
        Header::parse(json.as_bytes(), &Limits::default())
    }

    #[test]
    fn typed_parameters() {
        let h =
            parse(r#"{"alg":"RS256","kid":"k1","typ":"at+jwt","cty":"JWT","x5u":"https://evil"}"#)
                .unwrap();
        assert_eq!(h.alg(), Algorithm::RS256);
        assert_eq!(h.kid(), Some("k1"));
        assert_eq!(h.typ(), Some("at+jwt"));
        assert_eq!(h.cty(), Some("JWT"));
        assert!(h.b64());
        assert!(h.raw().contains_key("x5u"));
    }

    #[test]
    fn alg_rules() {
        assert_eq!(
            parse(r#"{"kid":"a"}"#).unwrap_err().code(),
            "ERR_JWS_INVALID"
        );
        assert_eq!(
            parse(r#"{"alg":256}"#).unwrap_err().code(),
            "ERR_JWS_INVALID"
        );
        for alg in ["none", "None", "HS256", "XX"] {
            let err = parse(&format!(r#"{{"alg":"{alg}"}}"#)).unwrap_err();
            assert_eq!(err.code(), "ERR_JOSE_ALG_UNSUPPORTED", "{alg}");
        }
    }

    #[test]
    fn typed_parameters_must_have_their_type() {
        for bad in [
            r#"{"alg":"RS256","kid":1}"#,
            r#"{"alg":"RS256","typ":null}"#,
            r#"{"alg":"RS256","cty":[]}"#,
        ] {
            assert_eq!(parse(bad).unwrap_err().code(), "ERR_JWS_INVALID", "{bad}");
        }
    }

    #[test]
    fn kid_length_is_capped() {
        let long = "k".repeat(257);
        let err = parse(&format!(r#"{{"alg":"RS256","kid":"{long}"}}"#)).unwrap_err();
        assert_eq!(err.code(), "ERR_JOSE_LIMIT_EXCEEDED");
        assert!(parse(&format!(r#"{{"alg":"RS256","kid":"{}"}}"#, "k".repeat(256))).is_ok());
    }

    #[test]
    fn crit_rules() {
        let bad = [
            r#"{"alg":"RS256","crit":"b64","b64":false}"#,
            r#"{"alg":"RS256","crit":[]}"#,
            r#"{"alg":"RS256","crit":[1]}"#,
            r#"{"alg":"RS256","crit":["exp"],"exp":1}"#,
            r#"{"alg":"RS256","crit":["kid"],"kid":"a"}"#,
            r#"{"alg":"RS256","crit":["b64"]}"#,
            r#"{"alg":"RS256","crit":["b64","b64"],"b64":true}"#,
        ];
        for json in bad {
            assert_eq!(
                parse(json).unwrap_err().code(),
                "ERR_JWS_CRIT_UNSUPPORTED",
                "{json}"
            );
        }
        let ok = parse(r#"{"alg":"RS256","crit":["b64"],"b64":false}"#).unwrap();
        assert!(!ok.b64());
    }

    #[test]
    fn every_understood_extension_is_scanned() {
        // `crit` checks an understood extension's presence in what the scan found.
        for name in UNDERSTOOD {
            assert!(PARAMETERS.contains(&name), "{name}");
        }
    }

    #[test]
    fn b64_needs_crit() {
        for json in [
            r#"{"alg":"RS256","b64":false}"#,
            r#"{"alg":"RS256","b64":true}"#,
        ] {
            assert_eq!(parse(json).unwrap_err().code(), "ERR_JWS_INVALID", "{json}");
        }
        assert_eq!(
            parse(r#"{"alg":"RS256","crit":["b64"],"b64":"no"}"#)
                .unwrap_err()
                .code(),
            "ERR_JWS_INVALID"
        );
    }

    #[test]
    fn duplicates_and_depth() {
        let err = parse(r#"{"alg":"RS256","alg":"none"}"#).unwrap_err();
        assert_eq!(err.code(), "ERR_JWS_INVALID");
        assert!(err.to_string().contains("duplicate"));
        let err = Header::parse(
            br#"{"alg":"RS256","x":[[[]]]}"#,
            &Limits::default().max_json_depth(3),
        )
        .unwrap_err();
        assert_eq!(err.code(), "ERR_JOSE_LIMIT_EXCEEDED");
    }

    #[test]
    fn raw_is_the_whole_object_built_on_demand() {
        let h = parse(r#"{"alg":"ES256","kid":"k\u0031","jwk":{"kty":"EC"},"x5c":["a"]}"#).unwrap();
        // Verification never asks for the map, so a parsed header holds none yet.
        assert!(h.raw.get().is_none());
        assert_eq!(h.kid(), Some("k1"));
        let raw = h.raw();
        assert_eq!(raw.len(), 4);
        assert_eq!(raw["kid"], "k1");
        assert_eq!(raw["jwk"]["kty"], "EC");
        assert!(h.raw.get().is_some());
    }

    #[test]
    fn escaped_and_plain_values_read_back_alike() {
        let h =
            parse(r#"{"alg":"RS256","x":"k1","kid":"k\u0031","typ":"at+jwt","cty":"\u004aWT"}"#)
                .unwrap();
        assert_eq!(
            (h.kid(), h.typ(), h.cty()),
            (Some("k1"), Some("at+jwt"), Some("JWT"))
        );
        assert_eq!(h.raw()["x"], "k1");
        assert_eq!(h.raw().len(), 5);
        let plain = parse(r#"{"alg":"RS256","typ":"JWT"}"#).unwrap();
        assert_eq!(
            (plain.kid(), plain.typ(), plain.cty()),
            (None, Some("JWT"), None)
        );
    }

    #[test]
    fn equal_objects_are_equal_headers_however_spelled() {
        let a = parse(r#"{"alg":"RS256","kid":"k1"}"#).unwrap();
        let b = parse(r#"{ "kid" : "k\u0031", "alg" : "RS256" }"#).unwrap();
        let c = parse(r#"{"alg":"RS256","kid":"k2"}"#).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.clone(), a);
        let shown = format!("{a:?}");
        assert!(shown.contains("RS256") && shown.contains("k1"), "{shown}");
    }
}
