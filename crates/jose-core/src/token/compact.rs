//! Compact JWS serialization (RFC 7515 §7.1): `header.payload.signature`.

use core::fmt;
use std::sync::OnceLock;

use super::claims::Claims;
use super::header::Header;
use super::limits::Limits;
use crate::algorithm::Algorithm;
use crate::base64url;
use crate::error::{Error, Result};

/// A parsed compact JWS whose signature has **not** been verified yet.
///
/// It borrows the token, so [`CompactJws::signing_input`] is exactly the bytes the
/// signature covers (`ASCII(header) || '.' || payload-segment`), never a re-encoding.
///
/// Every segment is checked when the token is parsed, but the payload and signature are
/// decoded only when [`payload`](CompactJws::payload) or
/// [`signature`](CompactJws::signature) is first called.
///
/// Parse a token once and hand the `CompactJws` down: a layer that must route the token
/// before it is verified (which issuer's keys, whether a refetch could help) reads
/// [`header`](CompactJws::header) and [`unverified_claims`](CompactJws::unverified_claims)
/// from it, and [`verify_jwt_with`](CompactJws::verify_jwt_with) then verifies it without
/// parsing the header or the claims again.
#[derive(Clone)]
pub struct CompactJws<'a> {
    segments: Segments<'a>,
    /// The limits the token was parsed under; verification under other limits parses
    /// the token again under those.
    limits: Limits,
    payload: OnceLock<Vec<u8>>,
    signature: OnceLock<Vec<u8>>,
    claims: OnceLock<Result<Claims>>,
}

impl<'a> CompactJws<'a> {
    /// Parses a compact JWS under `limits`.
    ///
    /// Checks, in order: total length; exactly three segments; header segment length;
    /// strict base64url in every segment; the header rules of [`Header`]; a non-empty
    /// signature. With RFC 7797 `"b64": false` the payload segment is taken as-is.
    pub fn parse(token: &'a str, limits: &Limits) -> Result<CompactJws<'a>> {
        let segments = Segments::split(token, limits)?;
        segments.validate()?;
        Ok(CompactJws {
            segments,
            limits: limits.clone(),
            payload: OnceLock::new(),
            signature: OnceLock::new(),
            claims: OnceLock::new(),
        })
    }

    /// The token this was parsed from.
    pub fn token(&self) -> &'a str {
        self.segments.token
    }

    /// The payload read as JWT claims, **not verified**: strict JSON (unique member
    /// names, the nesting limit) with the registered claims typed, parsed on the first
    /// call and kept, so verification does not parse them again.
    ///
    /// Use it only to route a token before verification, never to decide access: anyone
    /// can write any claims into an unsigned token. Fails with the error verification
    /// would report for these claims (a JWT cannot have an unencoded payload either).
    pub fn unverified_claims(&self) -> Result<&Claims> {
        self.claims
            .get_or_init(|| {
                if !self.segments.header.b64() {
                    return Err(unencoded_jwt());
                }
                Claims::parse(self.payload(), self.limits.json_depth(), |_| Ok(()))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    pub(crate) fn segments(&self) -> &Segments<'a> {
        &self.segments
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The claims if [`unverified_claims`](CompactJws::unverified_claims) parsed them.
    pub(crate) fn parsed_claims(&self) -> Option<&Result<Claims>> {
        self.claims.get()
    }

    /// The validated protected header.
    pub fn header(&self) -> &Header {
        &self.segments.header
    }

    /// The algorithm named by the header.
    pub fn alg(&self) -> Algorithm {
        self.segments.header.alg()
    }

    /// The decoded payload (unverified until the signature is checked).
    pub fn payload(&self) -> &[u8] {
        if !self.segments.header.b64() {
            return self.segments.payload_segment();
        }
        self.payload
            .get_or_init(|| decoded_or_empty(self.segments.payload_segment(), "payload"))
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        self.signature
            .get_or_init(|| decoded_or_empty(self.segments.signature_segment(), "signature"))
    }

    /// The exact bytes the signature covers.
    pub fn signing_input(&self) -> &'a [u8] {
        self.segments.signing_input()
    }

    /// The payload segment as it appears in the token.
    pub fn payload_segment(&self) -> &'a str {
        self.segments.payload_str()
    }
}

/// A token split at its dots with its header parsed and checked. The payload and signature
/// segments are not checked yet: [`Segments::with_payload`] and
/// [`Segments::with_signature`] check them as they decode them, and
/// [`Segments::validate`] checks them without decoding. Either way, in the same order and
/// with the same errors.
#[derive(Clone, Debug)]
pub(crate) struct Segments<'a> {
    token: &'a str,
    /// Where the payload segment starts: just after the first `.`.
    payload_start: usize,
    /// Where the signing input ends: at the second `.`.
    signing_input_len: usize,
    header: Header,
}

impl<'a> Segments<'a> {
    /// Checks, in order: total length; exactly three segments; header segment length;
    /// strict base64url in the header; the header rules of [`Header`].
    pub(crate) fn split(token: &'a str, limits: &Limits) -> Result<Segments<'a>> {
        if token.len() > limits.token_len() {
            return Err(Error::LimitExceeded {
                limit: "token length",
                max: limits.token_len(),
            });
        }
        let Some((header_b64, payload_seg, _)) = three_segments(token) else {
            return Err(Error::jws("a compact JWS has exactly three segments"));
        };
        if header_b64.len() > limits.header_len() {
            return Err(Error::LimitExceeded {
                limit: "header length",
                max: limits.header_len(),
            });
        }
        let header = with_decoded(header_b64.as_bytes(), "header", |json| {
            Header::parse(json, limits)
        })?;
        // header + '.' + payload; both lengths are bounded by token.len().
        let payload_start = header_b64.len() + 1;
        Ok(Segments {
            token,
            payload_start,
            signing_input_len: payload_start + payload_seg.len(),
            header,
        })
    }

    pub(crate) fn header(&self) -> &Header {
        &self.header
    }

    pub(crate) fn into_header(self) -> Header {
        self.header
    }

    /// The exact bytes the signature covers.
    pub(crate) fn signing_input(&self) -> &'a [u8] {
        self.token
            .as_bytes()
            .get(..self.signing_input_len)
            .unwrap_or_default()
    }

    fn payload_str(&self) -> &'a str {
        self.token
            .get(self.payload_start..self.signing_input_len)
            .unwrap_or_default()
    }

    fn payload_segment(&self) -> &'a [u8] {
        self.payload_str().as_bytes()
    }

    fn signature_segment(&self) -> &'a [u8] {
        self.token
            .as_bytes()
            .get(self.signing_input_len + 1..)
            .unwrap_or_default()
    }

    /// Checks the payload (unless `"b64": false`) and signature segments without decoding
    /// them; the errors of [`Segments::with_payload`] then [`Segments::with_signature`].
    fn validate(&self) -> Result<()> {
        if self.header.b64() {
            base64url::validate(self.payload_segment(), "payload")?;
        }
        self.check_signature_present()?;
        base64url::validate(self.signature_segment(), "signature")
    }

    /// Runs `f` on the payload: decoded into a stack buffer when it fits, or the segment
    /// itself under `"b64": false`.
    pub(crate) fn with_payload<R, E: From<Error>>(
        &self,
        f: impl FnOnce(&[u8]) -> Result<R, E>,
    ) -> Result<R, E> {
        match self.header.b64() {
            true => with_decoded(self.payload_segment(), "payload", f),
            false => f(self.payload_segment()),
        }
    }

    /// Runs `f` on the decoded signature, which is on the stack for every key size we
    /// support (at most 1 KiB, for RSA-8192); a longer one is decoded to the heap and
    /// fails like any signature of the wrong length.
    pub(crate) fn with_signature<R, E: From<Error>>(
        &self,
        f: impl FnOnce(&[u8]) -> Result<R, E>,
    ) -> Result<R, E> {
        self.check_signature_present()?;
        with_decoded(self.signature_segment(), "signature", f)
    }

    fn check_signature_present(&self) -> Result<()> {
        match self.signature_segment() {
            [] => Err(Error::jws("signature is empty")),
            _ => Ok(()),
        }
    }
}

/// The refusal of RFC 7797 `"b64": false` for a JWT, whose claims are base64url-encoded.
pub(crate) fn unencoded_jwt() -> Error {
    Error::JwtInvalid {
        reason: "a JWT cannot use an unencoded payload (\"b64\": false)",
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

/// Decodes a strict base64url segment and runs `f` on the bytes. Mainstream providers'
/// headers are well under 256 bytes, their claims under 2 KiB and signatures at most
/// 512 bytes, so these are decoded into a stack buffer; larger ones (up to the token
/// limit) into a temporary vector.
fn with_decoded<R, E: From<Error>>(
    segment: &[u8],
    what: &'static str,
    f: impl FnOnce(&[u8]) -> Result<R, E>,
) -> Result<R, E> {
    // A length no string decodes to goes to the smallest buffer and fails there.
    let len = base64url::decoded_len(segment.len()).unwrap_or(0);
    // Three sizes, so that a 64-byte signature does not pay for zeroing kilobytes. Only
    // the one chosen is initialised, and `f` is called (and inlined) once.
    let mut small;
    let mut medium;
    let mut large;
    let heap;
    let bytes = match len {
        0..=256 => {
            small = [0u8; 256];
            base64url::decode_into(segment, &mut small, what)?
        }
        257..=1024 => {
            medium = [0u8; 1024];
            base64url::decode_into(segment, &mut medium, what)?
        }
        1025..=STACK_BUFFER_MAX => {
            large = [0u8; STACK_BUFFER_MAX];
            base64url::decode_into(segment, &mut large, what)?
        }
        _ => {
            heap = base64url::decode(segment, what)?;
            &heap[..]
        }
    };
    f(bytes)
}

/// Decoded segments up to this size are decoded on the stack by [`with_decoded`].
const STACK_BUFFER_MAX: usize = 4 * 1024;

/// The bytes of a segment that [`CompactJws::parse`] validated, so decoding cannot fail;
/// were it ever to, the empty result fails closed (no signature or claims verify).
fn decoded_or_empty(segment: &[u8], what: &'static str) -> Vec<u8> {
    base64url::decode(segment, what).unwrap_or_default()
}

/// Shows the token's parts, decoded, as the fields of a parsed token.
impl fmt::Debug for CompactJws<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompactJws")
            .field("token", &self.segments.token)
            .field("signing_input_len", &self.segments.signing_input_len)
            .field("header", &self.segments.header)
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

    /// The payload and signature as the verification entry points see them: decoded by
    /// `Segments`, with the first error of payload then signature.
    fn decoded(token: &str) -> Result<(Vec<u8>, Vec<u8>)> {
        let segments = Segments::split(token, &Limits::default())?;
        segments.with_payload(|payload| {
            segments.with_signature(|signature| Ok((payload.to_vec(), signature.to_vec())))
        })
    }

    #[test]
    fn every_buffer_size_decodes_like_the_lazy_accessors() {
        // Either side of each stack buffer's size, and beyond them all (the heap).
        let sizes = [
            0, 1, 2, 3, 255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097, 6000,
        ];
        for (i, &len) in sizes.iter().enumerate() {
            let payload: Vec<u8> = (0..len).map(|b| (b * 7 + i) as u8).collect();
            let signature: Vec<u8> = (0..len.max(1)).map(|b| (b * 13 + i) as u8).collect();
            let token = format!(
                "{HEADER}.{}.{}",
                base64url::encode(&payload),
                base64url::encode(&signature)
            );
            let jws = CompactJws::parse(&token, &Limits::default()).unwrap();
            assert_eq!(
                (jws.payload(), jws.signature()),
                (&payload[..], &signature[..])
            );
            assert_eq!(decoded(&token).unwrap(), (payload, signature), "{len}");
        }
    }

    #[test]
    fn decoding_fails_like_parsing_and_in_the_same_order() {
        for (payload, signature) in [
            ("AR", "AQAB"),
            ("e30", "AR"),
            ("AR", ""),
            ("AR", "AR"),
            ("e30", ""),
            ("A", "AQ"),
            ("e30", "A"),
            ("e3=0", "AQAB"),
            ("e30", "AQ+B"),
        ] {
            let token = format!("{HEADER}.{payload}.{signature}");
            let parsed = CompactJws::parse(&token, &Limits::default()).map(drop);
            assert_eq!(parsed, decoded(&token).map(drop), "{token}");
            assert_eq!(parsed.unwrap_err().code(), "ERR_JWS_INVALID");
        }
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
        assert_eq!(decoded(&token).unwrap().0, b"$02 not base64!");
        assert_eq!(
            jws.signing_input(),
            format!("{header}.$02 not base64!").as_bytes()
        );
    }
}
