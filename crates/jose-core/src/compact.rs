//! Compact JWS serialization (RFC 7515 §7.1): `header.payload.signature`.

use crate::algorithm::Algorithm;
use crate::base64url;
use crate::error::{Error, Result};
use crate::header::Header;
use crate::limits::Limits;

/// A parsed compact JWS whose signature has **not** been verified yet.
///
/// It borrows the token, so [`CompactJws::signing_input`] is exactly the bytes the
/// signature covers (`ASCII(header) || '.' || payload-segment`), never a re-encoding.
#[derive(Debug, Clone)]
pub struct CompactJws<'a> {
    token: &'a str,
    signing_input_len: usize,
    header: Header,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

impl<'a> CompactJws<'a> {
    /// Parses a compact JWS under `limits`.
    ///
    /// Checks, in order: total length; exactly three segments; header segment length;
    /// strict base64url in every segment; the header rules of [`Header`]; a non-empty
    /// signature. With RFC 7797 `"b64": false` the payload segment is taken as-is.
    pub fn parse(token: &'a str, limits: &Limits) -> Result<CompactJws<'a>> {
        if token.len() > limits.token_len() {
            return Err(Error::LimitExceeded {
                limit: "token length",
                max: limits.token_len(),
            });
        }
        let mut segments = token.split('.');
        let (Some(header_b64), Some(payload_seg), Some(signature_b64), None) = (
            segments.next(),
            segments.next(),
            segments.next(),
            segments.next(),
        ) else {
            return Err(Error::jws("a compact JWS has exactly three segments"));
        };
        if header_b64.len() > limits.header_len() {
            return Err(Error::LimitExceeded {
                limit: "header length",
                max: limits.header_len(),
            });
        }

        let header_json = base64url::decode(header_b64.as_bytes(), "header")?;
        let header = Header::parse(&header_json, limits)?;

        let payload = if header.b64() {
            base64url::decode(payload_seg.as_bytes(), "payload")?
        } else {
            payload_seg.as_bytes().to_vec()
        };

        if signature_b64.is_empty() {
            return Err(Error::jws("signature is empty"));
        }
        let signature = base64url::decode(signature_b64.as_bytes(), "signature")?;

        // header + '.' + payload; both lengths are bounded by token.len().
        let signing_input_len = token.len() - signature_b64.len() - 1;
        Ok(CompactJws {
            token,
            signing_input_len,
            header,
            payload,
            signature,
        })
    }

    /// The validated protected header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The algorithm named by the header.
    pub fn alg(&self) -> Algorithm {
        self.header.alg()
    }

    /// The decoded payload (unverified until the signature is checked).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The exact bytes the signature covers.
    pub fn signing_input(&self) -> &'a [u8] {
        self.token
            .as_bytes()
            .get(..self.signing_input_len)
            .unwrap_or_default()
    }

    /// The payload segment as it appears in the token.
    pub fn payload_segment(&self) -> &'a str {
        let start = self.token.find('.').map_or(0, |i| i + 1);
        self.token
            .get(start..self.signing_input_len)
            .unwrap_or_default()
    }

    pub(crate) fn into_parts(self) -> (Header, Vec<u8>) {
        (self.header, self.payload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "eyJhbGciOiJSUzI1NiJ9"; // {"alg":"RS256"}

    #[test]
    fn splits_and_exposes_signing_input() {
        let token = format!("{HEADER}.eyJhIjoxfQ.AQAB");
        let jws = CompactJws::parse(&token, &Limits::default()).unwrap();
        assert_eq!(
            jws.signing_input(),
            format!("{HEADER}.eyJhIjoxfQ").as_bytes()
        );
        assert_eq!(jws.payload(), br#"{"a":1}"#);
        assert_eq!(jws.payload_segment(), "eyJhIjoxfQ");
        assert_eq!(jws.signature(), [1, 0, 1]);
        assert_eq!(jws.alg(), Algorithm::RS256);
    }

    #[test]
    fn segment_count() {
        for token in ["", "a", "a.b", "a.b.c.d", "a.b.c.d.e", "...."] {
            let err = CompactJws::parse(token, &Limits::default()).unwrap_err();
            assert_eq!(err.code(), "ERR_JWS_INVALID", "{token:?}");
        }
    }

    #[test]
    fn empty_signature_is_rejected() {
        let err = CompactJws::parse(&format!("{HEADER}.e30."), &Limits::default()).unwrap_err();
        assert_eq!(err, Error::jws("signature is empty"));
    }

    #[test]
    fn limits_apply_before_decoding() {
        let limits = Limits::default().max_token_len(10);
        let err = CompactJws::parse(&format!("{HEADER}.e30.AQAB"), &limits).unwrap_err();
        assert_eq!(err.code(), "ERR_JOSE_LIMIT_EXCEEDED");
        let limits = Limits::default().max_header_len(8);
        let err = CompactJws::parse(&format!("{HEADER}.e30.AQAB"), &limits).unwrap_err();
        assert_eq!(
            err,
            Error::LimitExceeded {
                limit: "header length",
                max: 8
            }
        );
    }

    #[test]
    fn unencoded_payload() {
        // {"alg":"RS256","b64":false,"crit":["b64"]}
        let header = base64url::encode(br#"{"alg":"RS256","b64":false,"crit":["b64"]}"#);
        let token = format!("{header}.$02 not base64!.AQAB");
        let jws = CompactJws::parse(&token, &Limits::default()).unwrap();
        assert_eq!(jws.payload(), b"$02 not base64!");
        assert_eq!(
            jws.signing_input(),
            format!("{header}.$02 not base64!").as_bytes()
        );
    }
}
