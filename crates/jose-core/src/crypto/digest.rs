//! The hash functions of the algorithm table, computed into a stack buffer, and the
//! PKCS#1 v1.5 `DigestInfo` prefixes.

use sha2::{Digest, Sha256, Sha384, Sha512};

/// The hash functions the table uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HashAlg {
    Sha256,
    Sha384,
    Sha512,
}

/// A digest held on the stack; SHA-512 is the longest we use.
pub(crate) struct DigestBytes {
    bytes: [u8; 64],
    len: usize,
}

impl DigestBytes {
    pub(crate) fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

impl HashAlg {
    /// Output length in bytes.
    pub(crate) const fn len(self) -> usize {
        match self {
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
        }
    }

    /// Hashes the concatenation of `parts`.
    pub(crate) fn digest(self, parts: &[&[u8]]) -> DigestBytes {
        fn run<D: Digest>(parts: &[&[u8]], out: &mut [u8; 64]) -> usize {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            let d = h.finalize();
            let n = d.len();
            if let Some(dst) = out.get_mut(..n) {
                dst.copy_from_slice(&d);
            }
            n
        }
        let mut bytes = [0u8; 64];
        let len = match self {
            HashAlg::Sha256 => run::<Sha256>(parts, &mut bytes),
            HashAlg::Sha384 => run::<Sha384>(parts, &mut bytes),
            HashAlg::Sha512 => run::<Sha512>(parts, &mut bytes),
        };
        DigestBytes { bytes, len }
    }

    /// The DER `DigestInfo` prefix of RFC 8017 §9.2 note 1, which precedes the digest in a
    /// PKCS#1 v1.5 signature. We build the expected encoding and compare it whole, so the
    /// signature's ASN.1 is never parsed.
    pub(crate) const fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            HashAlg::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            HashAlg::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            HashAlg::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_prefixes_announce_the_digest_length() {
        for h in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
            let p = h.digest_info_prefix();
            assert_eq!(p[1] as usize + 2, p.len() + h.len());
            assert_eq!(p[p.len() - 1] as usize, h.len());
            assert_eq!(h.digest(&[b"abc"]).as_slice().len(), h.len());
        }
    }
}
