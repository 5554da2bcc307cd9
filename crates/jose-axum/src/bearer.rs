//! Finding the token in a request (RFC 6750 §2): the `Authorization: Bearer` header first,
//! then the cookie or custom header the service configured.
//!
//! Nothing here looks at the token beyond its character set; it is handed on as a borrowed
//! `&str` and never copied into an error.

use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, HeaderName};

/// A place other than `Authorization` where a token may arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fallback {
    /// `Cookie: <name>=<token>` (a browser front end holding the token in a cookie).
    Cookie(String),
    /// `<name>: <token>`, the raw token as the whole header value.
    Header(HeaderName),
}

/// What the request carries.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found<'a> {
    /// Exactly one well-formed token.
    Token(&'a str),
    /// No bearer credentials at all (another `Authorization` scheme counts as none).
    Missing,
    /// Bearer credentials that are not exactly one token68; the reason is our own text.
    Malformed(&'static str),
}

/// Looks for the token: `Authorization: Bearer` wins, then each fallback in order.
pub(crate) fn find<'a>(headers: &'a HeaderMap, fallbacks: &[Fallback]) -> Found<'a> {
    match from_authorization(headers) {
        Found::Missing => {}
        found => return found,
    }
    for fallback in fallbacks {
        let found = match fallback {
            Fallback::Cookie(name) => from_cookie(headers, name),
            Fallback::Header(name) => from_header(headers, name),
        };
        if found != Found::Missing {
            return found;
        }
    }
    Found::Missing
}

/// `credentials = "Bearer" 1*SP b64token` (RFC 6750 §2.1), scheme case-insensitive
/// (RFC 9110 §11.1). A second `Authorization` header makes the request ambiguous.
fn from_authorization(headers: &HeaderMap) -> Found<'_> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Found::Missing;
    };
    if values.next().is_some() {
        return Found::Malformed("more than one Authorization header");
    }
    // Read as bytes: another scheme's credentials may hold any octets (`Basic` with
    // UTF-8), and they are still "no bearer credentials". (`trim_ascii` trims only OWS
    // here: a header value holds no other ASCII whitespace.)
    let value = value.as_bytes().trim_ascii();
    let (scheme, rest) =
        value.split_at(value.iter().position(|b| *b == b' ').unwrap_or(value.len()));
    if !scheme.eq_ignore_ascii_case(b"Bearer") {
        // Another scheme (Basic, DPoP, ...) is not a bearer token: RFC 6750 §3.1 treats
        // it like no credentials, answered with a plain challenge.
        return Found::Missing;
    }
    // `1*SP` before the token; a tab there is not a separator.
    let spaces = rest.iter().take_while(|b| **b == b' ').count();
    single_token(&rest[spaces..])
}

/// A custom header carrying the raw token; sent twice, it is ambiguous; an empty value
/// carries no token (a front end that blanks it on logout).
fn from_header<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Found<'a> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Found::Missing;
    };
    if values.next().is_some() {
        return Found::Malformed("the token header appears more than once");
    }
    match value.as_bytes().trim_ascii() {
        b"" => Found::Missing,
        token => single_token(token),
    }
}

/// `Cookie: a=1; <name>=<token>` over any number of `Cookie` headers (HTTP/2 splits
/// them). A cookie name is case-sensitive; the same name twice is ambiguous; an empty
/// value carries no token (a front end that blanks the cookie on logout).
///
/// Pairs are split on the raw bytes: browsers send every cookie in one header, and one
/// unrelated cookie with UTF-8 in it must not hide the token's.
fn from_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Found<'a> {
    let mut found = None;
    for value in headers.get_all(COOKIE) {
        for pair in value.as_bytes().split(|b| *b == b';') {
            let pair = pair.trim_ascii();
            let Some(eq) = pair.iter().position(|b| *b == b'=') else {
                continue;
            };
            let (key, token) = (&pair[..eq], &pair[eq + 1..]);
            if key != name.as_bytes() {
                continue;
            }
            // RFC 6265 §4.1.1: a cookie value may be wrapped in DQUOTEs.
            let token = token
                .strip_prefix(b"\"")
                .and_then(|t| t.strip_suffix(b"\""))
                .unwrap_or(token);
            if token.is_empty() {
                continue;
            }
            if found.is_some() {
                return Found::Malformed("the token cookie appears more than once");
            }
            found = Some(token);
        }
    }
    found.map_or(Found::Missing, single_token)
}

/// Exactly one token68, from any source; the one place header octets become a `&str`.
fn single_token(token: &[u8]) -> Found<'_> {
    if token.is_empty() {
        Found::Malformed("the bearer token is empty")
    } else if token.contains(&b' ') || token.contains(&b'\t') {
        Found::Malformed("more than one bearer token")
    } else {
        match std::str::from_utf8(token) {
            Ok(token) if is_b64token(token) => Found::Token(token),
            _ => Found::Malformed("the bearer token has characters outside token68"),
        }
    }
}

/// `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn auth(value: &str) -> Found<'static> {
        let map = Box::leak(Box::new(headers(&[("authorization", value)])));
        find(map, &[])
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        for v in [
            "Bearer a.b.c",
            "bearer a.b.c",
            "BEARER a.b.c",
            "Bearer   a.b.c ",
        ] {
            assert_eq!(auth(v), Found::Token("a.b.c"), "{v}");
        }
        assert_eq!(
            auth("Bearer mF_9.B5f-4.1JqM"),
            Found::Token("mF_9.B5f-4.1JqM")
        );
        assert_eq!(auth("Bearer abc+/~=="), Found::Token("abc+/~=="));
    }

    #[test]
    fn other_schemes_are_no_credentials() {
        assert_eq!(auth("Basic dXNlcjpwYXNz"), Found::Missing);
        assert_eq!(auth("Bearerx a.b.c"), Found::Missing);
        assert_eq!(auth("DPoP a.b.c"), Found::Missing);
        assert_eq!(find(&HeaderMap::new(), &[]), Found::Missing);
    }

    #[test]
    fn exactly_one_token68() {
        for v in [
            "Bearer",
            "Bearer ",
            "Bearer a.b.c d.e.f",
            "Bearer a.b.c\td",
            "Bearer a,b",
            "Bearer \"a.b.c\"",
            "Bearer ===",
            "Bearer a=b",
        ] {
            assert!(matches!(auth(v), Found::Malformed(_)), "{v}");
        }
    }

    #[test]
    fn two_authorization_headers_are_ambiguous() {
        let map = headers(&[
            ("authorization", "Bearer a.b.c"),
            ("authorization", "Bearer a.b.c"),
        ]);
        assert_eq!(
            find(&map, &[]),
            Found::Malformed("more than one Authorization header")
        );
    }

    #[test]
    fn fallbacks_in_order_after_the_authorization_header() {
        let fallbacks = [
            Fallback::Cookie("at".into()),
            Fallback::Header(HeaderName::from_static("x-access-token")),
        ];
        let map = headers(&[
            ("cookie", "theme=dark; at=c.o.k"),
            ("x-access-token", "h.d.r"),
        ]);
        assert_eq!(find(&map, &fallbacks), Found::Token("c.o.k"));
        let map = headers(&[("cookie", "theme=dark"), ("x-access-token", "h.d.r")]);
        assert_eq!(find(&map, &fallbacks), Found::Token("h.d.r"));
        let map = headers(&[("authorization", "Bearer a.u.t"), ("cookie", "at=c.o.k")]);
        assert_eq!(find(&map, &fallbacks), Found::Token("a.u.t"));
        // A Basic header is not a bearer token, so the cookie is used.
        let map = headers(&[("authorization", "Basic eA=="), ("cookie", "at=\"c.o.k\"")]);
        assert_eq!(find(&map, &fallbacks), Found::Token("c.o.k"));
        // Names are exact.
        let map = headers(&[("cookie", "AT=c.o.k; xat=1")]);
        assert_eq!(find(&map, &fallbacks), Found::Missing);
    }

    #[test]
    fn ambiguous_fallbacks_are_malformed() {
        let cookie = [Fallback::Cookie("at".into())];
        let map = headers(&[("cookie", "at=a"), ("cookie", "at=b")]);
        assert!(matches!(find(&map, &cookie), Found::Malformed(_)));
        let map = headers(&[("cookie", "at=a b")]);
        assert!(matches!(find(&map, &cookie), Found::Malformed(_)));
        let header = [Fallback::Header(HeaderName::from_static("x-token"))];
        let map = headers(&[("x-token", "a"), ("x-token", "b")]);
        assert!(matches!(find(&map, &header), Found::Malformed(_)));
        // A token cookie that is not UTF-8 is not a token68 either.
        let mut map = HeaderMap::new();
        map.append(COOKIE, HeaderValue::from_bytes(b"at=a\xff").unwrap());
        assert!(matches!(find(&map, &cookie), Found::Malformed(_)));
    }

    /// Header values are read as octets, not with `to_str`: a non-ASCII octet elsewhere in
    /// a header must not decide for the whole header.
    #[test]
    fn non_ascii_octets_outside_the_token_do_not_matter() {
        let cookie = [Fallback::Cookie("at".into())];
        // Browsers send every cookie in one header: an unrelated UTF-8 cookie must not
        // hide the token's.
        let mut map = HeaderMap::new();
        map.append(
            COOKIE,
            HeaderValue::from_bytes("name=José; at=c.o.k".as_bytes()).unwrap(),
        );
        assert_eq!(find(&map, &cookie), Found::Token("c.o.k"));
        // Another scheme with UTF-8 credentials is still "no bearer credentials".
        let mut map = HeaderMap::new();
        map.append(
            AUTHORIZATION,
            HeaderValue::from_bytes("Basic josé:pw".as_bytes()).unwrap(),
        );
        assert_eq!(find(&map, &[]), Found::Missing);
        map.append(COOKIE, HeaderValue::from_static("at=c.o.k"));
        assert_eq!(find(&map, &cookie), Found::Token("c.o.k"));
        // A Bearer header with UTF-8 is malformed bearer credentials.
        let mut map = HeaderMap::new();
        map.append(
            AUTHORIZATION,
            HeaderValue::from_bytes("Bearer josé".as_bytes()).unwrap(),
        );
        assert!(matches!(find(&map, &[]), Found::Malformed(_)));
    }

    /// An empty cookie or header value (a front end that blanks it on logout) carries no
    /// token: no credentials, so `optional` routes stay open to it.
    #[test]
    fn empty_fallback_values_are_no_token() {
        let fallbacks = [
            Fallback::Cookie("at".into()),
            Fallback::Header(HeaderName::from_static("x-token")),
        ];
        for cookie in ["at=; theme=dark", "at=\"\"", "theme=dark; at="] {
            let map = headers(&[("cookie", cookie)]);
            assert_eq!(find(&map, &fallbacks), Found::Missing, "{cookie}");
        }
        let map = headers(&[("x-token", "")]);
        assert_eq!(find(&map, &fallbacks), Found::Missing);
        // The blank cookie does not count as a second one either.
        let map = headers(&[("cookie", "at=; at=c.o.k")]);
        assert_eq!(find(&map, &fallbacks), Found::Token("c.o.k"));
    }
}
