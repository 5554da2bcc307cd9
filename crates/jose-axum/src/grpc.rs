//! gRPC: telling a gRPC call from an HTTP request, and the trailers-only form of a
//! refusal.
//!
//! A gRPC client reads the outcome of a call from `grpc-status`, not from the HTTP
//! status: an HTTP 401 page is, to it, a broken transport. So a refused call is answered
//! the way a gRPC server answers a call it fails before any message (the gRPC over
//! HTTP/2 spec's *Trailers-Only* response): HTTP 200, `content-type: application/grpc`,
//! `grpc-status` and `grpc-message` in the headers, and an empty body. Everything here
//! works on `http` types, so no gRPC library is linked.

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue};

/// Which protocol the layers ([`JwtAuth`](crate::JwtAuth) and
/// [`RequireScopes`](crate::RequireScopes) behind it) answer refusals in; set with
/// [`JwtAuthBuilder::protocol`](crate::JwtAuthBuilder::protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Protocol {
    /// Per request: gRPC when its `content-type` is `application/grpc`, optionally
    /// followed by `+subtype` or parameters (`application/grpc+proto`), HTTP otherwise.
    /// One layer then serves an axum API and tonic services side by side.
    #[default]
    Auto,
    /// Always RFC 6750 HTTP answers (401 / 403 / 503), whatever the request says.
    Http,
    /// Always gRPC trailers-only answers, for a layer in front of gRPC services only.
    Grpc,
}

impl Protocol {
    /// Whether a request with these headers gets gRPC answers.
    pub(crate) fn is_grpc(self, headers: &HeaderMap) -> bool {
        match self {
            Protocol::Auto => is_grpc_request(headers),
            Protocol::Http => false,
            Protocol::Grpc => true,
        }
    }
}

/// `content-type: application/grpc`, `application/grpc+<subtype>` or with parameters
/// (`;…`). gRPC-Web (`application/grpc-web…`) is a different wire format: its proxy or
/// tonic-web layer, placed outside `JwtAuth`, turns it into gRPC first.
pub(crate) fn is_grpc_request(headers: &HeaderMap) -> bool {
    const GRPC: &[u8] = b"application/grpc";
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return false;
    };
    let value = value.as_bytes().trim_ascii();
    value
        .get(..GRPC.len())
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case(GRPC))
        && matches!(value.get(GRPC.len()), None | Some(b'+' | b';' | b' '))
}

/// The gRPC status codes a refusal maps to (the gRPC spec's `grpc-status` values).
pub(crate) mod code {
    pub(crate) const PERMISSION_DENIED: i32 = 7;
    pub(crate) const INTERNAL: i32 = 13;
    pub(crate) const UNAVAILABLE: i32 = 14;
    pub(crate) const UNAUTHENTICATED: i32 = 16;
}

/// `grpc-message` is percent-encoded (gRPC over HTTP/2, "Percent-Encoded"): octets
/// outside printable ASCII (0x20–0x7E) and `%` itself become `%XX`; the rest stay.
pub(crate) fn percent_encode(message: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(message.len());
    for &byte in message.as_bytes() {
        if (0x20..=0x7e).contains(&byte) && byte != b'%' {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
    out
}

/// The headers of a trailers-only response with `status` and `message`; `pushback` is
/// the gRPC retry design's `grpc-retry-pushback-ms`, when the server knows how long a
/// client should wait before retrying.
pub(crate) fn trailers_only(
    headers: &mut HeaderMap,
    status: i32,
    message: &str,
    pushback_ms: Option<u64>,
) {
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    headers.insert("grpc-status", HeaderValue::from(status));
    // Percent-encoded, the value is visible ASCII and spaces, always a valid header.
    if let Ok(value) = HeaderValue::try_from(percent_encode(message)) {
        headers.insert("grpc-message", value);
    }
    if let Some(ms) = pushback_ms {
        headers.insert("grpc-retry-pushback-ms", HeaderValue::from(ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_content_type(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn grpc_content_types() {
        for value in [
            "application/grpc",
            "application/grpc+proto",
            "application/grpc+json",
            "application/grpc; charset=utf-8",
            "Application/GRPC",
        ] {
            assert!(is_grpc_request(&with_content_type(value)), "{value}");
        }
        for value in [
            "application/json",
            "application/grpc-web",
            "application/grpc-web+proto",
            "application/grpcx",
            "application/grp",
            "",
        ] {
            assert!(!is_grpc_request(&with_content_type(value)), "{value}");
        }
        assert!(!is_grpc_request(&HeaderMap::new()));
    }

    #[test]
    fn an_explicit_protocol_ignores_the_content_type() {
        let grpc = with_content_type("application/grpc");
        let json = with_content_type("application/json");
        assert!(Protocol::Auto.is_grpc(&grpc));
        assert!(!Protocol::Auto.is_grpc(&json));
        assert!(!Protocol::Http.is_grpc(&grpc));
        assert!(Protocol::Grpc.is_grpc(&json));
        assert!(Protocol::Grpc.is_grpc(&HeaderMap::new()));
    }

    #[test]
    fn percent_encoding_follows_the_grpc_spec() {
        assert_eq!(
            percent_encode("the token has expired"),
            "the token has expired"
        );
        assert_eq!(percent_encode("100% sure"), "100%25 sure");
        assert_eq!(percent_encode("a\tb\nc"), "a%09b%0Ac");
        assert_eq!(percent_encode("José"), "Jos%C3%A9");
        assert_eq!(percent_encode("~\u{7f}"), "~%7F");
    }

    #[test]
    fn trailers_only_headers() {
        let mut headers = HeaderMap::new();
        trailers_only(&mut headers, code::UNAVAILABLE, "down 100%", Some(1500));
        assert_eq!(headers[CONTENT_TYPE], "application/grpc");
        assert_eq!(headers["grpc-status"], "14");
        assert_eq!(headers["grpc-message"], "down 100%25");
        assert_eq!(headers["grpc-retry-pushback-ms"], "1500");
        let mut headers = HeaderMap::new();
        trailers_only(&mut headers, code::UNAUTHENTICATED, "no", None);
        assert!(headers.get("grpc-retry-pushback-ms").is_none());
    }
}
