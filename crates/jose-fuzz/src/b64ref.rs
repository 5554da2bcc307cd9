//! An independent strict base64url decoder, written from RFC 4648 §5 and RFC 7515 §2 for
//! the differential oracle: table lookup, no padding, URL-safe alphabet only, unused
//! trailing bits zero, and no encoding of length 1 mod 4. It shares no code with
//! `jose-core`'s decoder (also table-driven, but branch-free over whole quanta) or with
//! `base64ct` (the target's other oracle).

/// The 6-bit value of a URL-safe alphabet character.
fn value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes strict unpadded base64url, or `None` on any deviation.
pub(crate) fn decode(input: &[u8]) -> Option<Vec<u8>> {
    if input.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    let mut acc: u32 = 0;
    let mut bits: u32 = 0;
    for &c in input {
        acc = (acc << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // 2 or 4 bits are left over after a partial quantum; canonical encodings zero them.
    (acc == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_canonical_and_rejects_the_rest() {
        assert_eq!(decode(b"").as_deref(), Some(&[][..]));
        assert_eq!(decode(b"AQAB").as_deref(), Some(&[1, 0, 1][..]));
        assert_eq!(decode(b"AQ").as_deref(), Some(&[1][..]));
        assert_eq!(decode(b"AQE").as_deref(), Some(&[1, 1][..]));
        assert_eq!(decode(b"-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        for bad in [
            &b"A"[..],
            b"AR",
            b"AQF",
            b"AQ==",
            b"A+_-",
            b"A/_-",
            b"AQ B",
            b"AQAB\n",
            b"AQAB=",
            b"AQA\xc3\xa9",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }
}
