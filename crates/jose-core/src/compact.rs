//! Compact JWS serialization (RFC 7515 §7.1): `header.payload.signature`.

use core::fmt;
use std::sync::OnceLock;

use crate::algorithm::Algorithm;
use crate::base64url;
use crate::error::{Error, Result};
use crate::header::Header;
use crate::limits::Limits;

/// Decoded headers and payloads up to this size are parsed from a stack buffer (see
/// [`with_stack_buffer`]): mainstream providers' headers are well under 256 bytes and
/// their claims under 2 KiB. Larger ones are decoded into a temporary vector.
pub(crate) const STACK_BUFFER_MAX: usize = 4 * 1024;

/// A parsed compact JWS whose signature has **not** been verified yet.
///
/// It borrows the token, so [`CompactJws::signing_input`] is exactly the bytes the
/// signature covers (`ASCII(header) || '.' || payload-segment`), never a re-encoding.
///
/// Every segment is checked when the token is parsed, but the payload and signature are
/// decoded only when [`payload`](CompactJws::payload) or
/// [`signature`](CompactJws::signature) is first called: the verification entry points
/// decode them into stack buffers instead, so verifying a token allocates nothing beyond
/// the header and claims it returns.
#[derive(Clone)]
pub struct CompactJws<'a> {
    token: &'a str,
    /// Where the payload segment starts: just after the first `.`.
    payload_start: usize,
    /// Where the signing input ends: at the second `.`.
    signing_input_len: usize,
    header: Header,
    payload: OnceLock<Vec<u8>>,
    signature: OnceLock<Vec<u8>>,
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
        let Some((header_b64, payload_seg, signature_b64)) = three_segments(token) else {
            return Err(Error::jws("a compact JWS has exactly three segments"));
        };
        if header_b64.len() > limits.header_len() {
            return Err(Error::LimitExceeded {
                limit: "header length",
                max: limits.header_len(),
            });
        }

        let header = parse_header(header_b64.as_bytes(), limits)?;
        if header.b64() {
            base64url::validate(payload_seg.as_bytes(), "payload")?;
        }
        if signature_b64.is_empty() {
            return Err(Error::jws("signature is empty"));
        }
        base64url::validate(signature_b64.as_bytes(), "signature")?;

        // header + '.' + payload; both lengths are bounded by token.len().
        let payload_start = header_b64.len() + 1;
        let signing_input_len = payload_start + payload_seg.len();
        Ok(CompactJws {
            token,
            payload_start,
            signing_input_len,
            header,
            payload: OnceLock::new(),
            signature: OnceLock::new(),
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
        if !self.header.b64() {
            return self.payload_segment().as_bytes();
        }
        self.payload.get_or_init(|| {
            decoded_or_empty(base64url::decode(
                self.payload_segment().as_bytes(),
                "payload",
            ))
        })
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        self.signature.get_or_init(|| {
            decoded_or_empty(base64url::decode(self.signature_segment(), "signature"))
        })
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
        self.token
            .get(self.payload_start..self.signing_input_len)
            .unwrap_or_default()
    }

    fn signature_segment(&self) -> &'a [u8] {
        self.token
            .as_bytes()
            .get(self.signing_input_len + 1..)
            .unwrap_or_default()
    }

    /// The length of the decoded payload.
    pub(crate) fn payload_len(&self) -> usize {
        match self.header.b64() {
            true => base64url::decoded_len(self.payload_segment().len()).unwrap_or(0),
            false => self.payload_segment().len(),
        }
    }

    /// The length of the decoded signature.
    pub(crate) fn signature_len(&self) -> usize {
        base64url::decoded_len(self.signature_segment().len()).unwrap_or(0)
    }

    /// The decoded payload, in `buf` when it fits (and was not decoded already); see
    /// [`CompactJws::payload`] otherwise.
    pub(crate) fn payload_in<'s>(&'s self, buf: &'s mut [u8]) -> &'s [u8] {
        match (self.header.b64(), self.payload.get()) {
            (false, _) => self.payload_segment().as_bytes(),
            (true, Some(decoded)) => decoded,
            (true, None) => decode_in(self.payload_segment().as_bytes(), buf, "payload")
                .unwrap_or_else(|| self.payload()),
        }
    }

    /// The decoded signature, in `buf` when it fits (and was not decoded already); see
    /// [`CompactJws::signature`] otherwise.
    pub(crate) fn signature_in<'s>(&'s self, buf: &'s mut [u8]) -> &'s [u8] {
        match self.signature.get() {
            Some(decoded) => decoded,
            None => decode_in(self.signature_segment(), buf, "signature")
                .unwrap_or_else(|| self.signature()),
        }
    }

    /// The header, and the decoded payload as an owned vector.
    pub(crate) fn into_parts(mut self) -> (Header, Vec<u8>) {
        let payload = match self.payload.take() {
            Some(decoded) => decoded,
            None if self.header.b64() => decoded_or_empty(base64url::decode(
                self.payload_segment().as_bytes(),
                "payload",
            )),
            None => self.payload_segment().as_bytes().to_vec(),
        };
        (self.header, payload)
    }

    pub(crate) fn into_header(self) -> Header {
        self.header
    }
}

/// Splits a token at its two dots, or `None` unless it has exactly two. The searches
/// run through `memchr`, several bytes a step, which splitting the token does not.
fn three_segments(token: &str) -> Option<(&str, &str, &str)> {
    let (first, last) = (token.find('.')?, token.rfind('.')?);
    let payload = token.get(first + 1..last)?;
    if payload.contains('.') {
        return None;
    }
    Some((token.get(..first)?, payload, token.get(last + 1..)?))
}

/// Decodes a base64url header segment (into a stack buffer when it fits) and parses it.
fn parse_header(segment: &[u8], limits: &Limits) -> Result<Header> {
    let len = base64url::decoded_len(segment.len()).unwrap_or(0);
    with_stack_buffer(len, |stack| {
        let heap;
        let json = if len <= stack.len() {
            base64url::decode_into(segment, stack, "header")?
        } else {
            heap = base64url::decode(segment, "header")?;
            &heap[..]
        };
        Header::parse(json, limits)
    })
}

/// Runs `f` with a zeroed stack buffer of at least `len` bytes, or an empty one when
/// `len` is over [`STACK_BUFFER_MAX`] (callers then decode to the heap). Buffers come
/// in three sizes so that a 64-byte signature does not pay for zeroing kilobytes.
pub(crate) fn with_stack_buffer<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    match len {
        0..=256 => f(&mut [0u8; 256]),
        257..=1024 => f(&mut [0u8; 1024]),
        1025..=STACK_BUFFER_MAX => f(&mut [0u8; STACK_BUFFER_MAX]),
        _ => f(&mut []),
    }
}

/// Decodes a segment that [`CompactJws::parse`] validated into `buf`, or `None` if it
/// does not fit.
fn decode_in<'b>(segment: &[u8], buf: &'b mut [u8], what: &'static str) -> Option<&'b [u8]> {
    let fits = base64url::decoded_len(segment.len()).is_some_and(|len| len <= buf.len());
    // Cannot fail after validation; an empty result would fail closed anyway.
    fits.then(|| base64url::decode_into(segment, buf, what).unwrap_or_default())
}

/// The bytes of a segment that [`CompactJws::parse`] validated, so decoding cannot fail;
/// were it ever to, the empty result fails closed (no signature or claims verify).
fn decoded_or_empty(decoded: Result<Vec<u8>>) -> Vec<u8> {
    decoded.unwrap_or_default()
}

/// Shows the token's parts, decoded, as the fields of a parsed token.
impl fmt::Debug for CompactJws<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompactJws")
            .field("token", &self.token)
            .field("signing_input_len", &self.signing_input_len)
            .field("header", &self.header)
            .field("payload", &self.payload())
            .field("signature", &self.signature())
            .finish()
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
    fn every_segment_is_checked_at_parse_though_decoded_later() {
        // "AR" decodes like "AQ" but sets an unused bit: refused at parse, for the
        // payload and the signature alike, although neither is decoded there.
        let err = CompactJws::parse(&format!("{HEADER}.AR.AQAB"), &Limits::default()).unwrap_err();
        assert_eq!(err, Error::jws("payload is not strict base64url"));
        for sig in ["AR", "AQ==", "A", "AQ+B", "AQ/B", "AQ B"] {
            let err =
                CompactJws::parse(&format!("{HEADER}.e30.{sig}"), &Limits::default()).unwrap_err();
            assert_eq!(
                err,
                Error::jws("signature is not strict base64url"),
                "{sig:?}"
            );
        }
        let err = CompactJws::parse("AR.e30.AQAB", &Limits::default()).unwrap_err();
        assert_eq!(err, Error::jws("header is not strict base64url"));
    }

    #[test]
    fn stack_buffers_and_lazy_decoding_agree() {
        let payload = base64url::encode(&[7u8; 300]);
        let signature = base64url::encode(&[9u8; 256]);
        let token = format!("{HEADER}.{payload}.{signature}");
        let jws = CompactJws::parse(&token, &Limits::default()).unwrap();
        let mut big = [0u8; 512];
        assert_eq!(jws.payload_in(&mut big), [7u8; 300]);
        assert_eq!(jws.signature_in(&mut big), [9u8; 256]);
        // Too small a buffer: decoded to the heap instead, once.
        let mut small = [0u8; 16];
        assert_eq!(jws.payload_in(&mut small), [7u8; 300]);
        assert_eq!(jws.signature_in(&mut small), [9u8; 256]);
        assert_eq!(jws.payload(), [7u8; 300]);
        assert_eq!(jws.signature(), [9u8; 256]);
        let (header, owned) = jws.clone().into_parts();
        assert_eq!((header.alg(), owned), (Algorithm::RS256, vec![7u8; 300]));
        let fresh = CompactJws::parse(&token, &Limits::default()).unwrap();
        assert_eq!(fresh.into_parts().1, vec![7u8; 300]);
    }

    #[test]
    fn large_headers_decode_beyond_the_stack_buffer() {
        let pad = "x".repeat(STACK_BUFFER_MAX);
        let header = base64url::encode(format!(r#"{{"alg":"ES256","pad":"{pad}"}}"#).as_bytes());
        let limits = Limits::default().max_header_len(4 * STACK_BUFFER_MAX);
        let token = format!("{header}.e30.AQAB");
        let jws = CompactJws::parse(&token, &limits).unwrap();
        assert_eq!(jws.alg(), Algorithm::ES256);
        assert_eq!(jws.header().raw()["pad"], pad.as_str());
    }

    #[test]
    fn unencoded_payload() {
        // {"alg":"RS256","b64":false,"crit":["b64"]}
        let header = base64url::encode(br#"{"alg":"RS256","b64":false,"crit":["b64"]}"#);
        let token = format!("{header}.$02 not base64!.AQAB");
        let jws = CompactJws::parse(&token, &Limits::default()).unwrap();
        assert_eq!(jws.payload(), b"$02 not base64!");
        assert_eq!(jws.payload_in(&mut [0u8; 4]), b"$02 not base64!");
        assert_eq!(jws.clone().into_parts().1, b"$02 not base64!");
        assert_eq!(
            jws.signing_input(),
            format!("{header}.$02 not base64!").as_bytes()
        );
    }
}
