//! OpenID Connect discovery (OpenID Connect Discovery 1.0 §4): find `jwks_uri` in
//! `{issuer}/.well-known/openid-configuration`, and insist the document's `issuer` is
//! exactly the one configured (§4.3) so one provider cannot speak for another.

use reqwest::Url;

use crate::error::FetchError;
use crate::url_policy;

/// The discovery document URL for `issuer`.
pub(crate) fn discovery_url(issuer: &str) -> Result<Url, String> {
    let base = url_policy::parse_endpoint(issuer)?;
    if base.query().is_some() || base.fragment().is_some() {
        return Err("an issuer has no query or fragment".to_owned());
    }
    let trimmed = issuer.trim_end_matches('/');
    Url::parse(&format!("{trimmed}/.well-known/openid-configuration"))
        .map_err(|_| "issuer is not a URL".to_owned())
}

/// How deeply a discovery document may nest (real ones nest two or three levels).
const DOCUMENT_DEPTH: usize = 16;

/// Reads `jwks_uri` from a discovery document, checking `issuer`.
pub(crate) fn jwks_uri(body: &[u8], expected_issuer: &str) -> Result<Url, FetchError> {
    let fail = |reason: &str| FetchError::Discovery {
        reason: reason.to_owned(),
    };
    // Parsed as strictly as a token header: with two `issuer` members, which one counts
    // would depend on the parser.
    let doc = jose_core::json::parse_object(body, DOCUMENT_DEPTH)
        .map_err(|reason| fail(&format!("document is {reason}")))?;
    let issuer = doc
        .get("issuer")
        .and_then(|v| v.as_str())
        .ok_or_else(|| fail("document has no \"issuer\""))?;
    if issuer != expected_issuer {
        return Err(fail(
            "document \"issuer\" does not match the configured issuer",
        ));
    }
    let uri = doc
        .get("jwks_uri")
        .and_then(|v| v.as_str())
        .ok_or_else(|| fail("document has no \"jwks_uri\""))?;
    url_policy::parse_endpoint(uri).map_err(|reason| FetchError::Discovery {
        reason: format!("jwks_uri: {reason}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            discovery_url("https://login.example.com/tenant/")
                .unwrap()
                .as_str(),
            "https://login.example.com/tenant/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://accounts.example.com")
                .unwrap()
                .as_str(),
            "https://accounts.example.com/.well-known/openid-configuration"
        );
        assert!(discovery_url("http://example.com").is_err());
        assert!(discovery_url("http://127.0.0.1:8080").is_ok());
        assert!(discovery_url("https://example.com/?a=b").is_err());
    }

    #[test]
    fn issuer_must_match_exactly() {
        let doc = br#"{"issuer":"https://a.example/","jwks_uri":"https://a.example/jwks"}"#;
        assert!(jwks_uri(doc, "https://a.example/").is_ok());
        for other in [
            "https://a.example",
            "https://A.example/",
            "https://b.example/",
        ] {
            assert_eq!(
                jwks_uri(doc, other).unwrap_err().code(),
                "ERR_JWKS_DISCOVERY",
                "{other}"
            );
        }
        let http = br#"{"issuer":"https://a.example/","jwks_uri":"http://a.example/jwks"}"#;
        assert!(jwks_uri(http, "https://a.example/").is_err());
    }

    #[test]
    fn documents_are_strict_json() {
        let twice = br#"{"issuer":"https://evil.example/","issuer":"https://a.example/","jwks_uri":"https://a.example/jwks"}"#;
        let err = jwks_uri(twice, "https://a.example/").unwrap_err();
        assert!(err.to_string().contains("duplicate member name"), "{err}");
        let nested = br#"{"issuer":"https://a.example/","jwks_uri":"https://a.example/jwks","x":{"k":1,"k":2}}"#;
        assert!(jwks_uri(nested, "https://a.example/").is_err());
        for bad in [&b"[]"[..], b"{", b"{\"issuer\":1}"] {
            assert_eq!(
                jwks_uri(bad, "https://a.example/").unwrap_err().code(),
                "ERR_JWKS_DISCOVERY"
            );
        }
    }
}
