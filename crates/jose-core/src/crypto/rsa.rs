//! RSA public keys and the two RSA signature schemes JOSE uses (RFC 7518 §3.3, §3.5).
//!
//! Verification is written out here rather than delegated: PKCS#1 v1.5 is checked by
//! building the one valid encoding and comparing it whole (RFC 8017 §8.2.2), which leaves
//! no room for the lenient-DigestInfo-parsing forgeries of the past; PSS follows
//! EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with the salt length fixed to the hash length, as
//! RFC 7518 §3.5 requires. Every input here is public (signature, key, message), so
//! nothing needs to be constant time and the comparisons are plain `==`: a constant-time
//! comparison of the whole encoding would add a barrier per octet to every verification
//! and protect nothing.

use super::digest::HashAlg;
use super::montgomery::{MAX_LIMBS, MAX_OCTETS, Modulus};
use crate::algorithm::{Algorithm, Scheme};
use crate::error::{Error, Result};

/// The largest public exponent accepted, in bits. Real keys use 65537; a huge exponent
/// would only make every verification slower (CPU exhaustion from a hostile JWKS).
const MAX_EXPONENT_BITS: usize = 64;

/// A validated RSA public key.
#[derive(Clone)]
pub(crate) struct RsaKey {
    /// `n` with its Montgomery constants, computed once here rather than per signature.
    modulus: Modulus,
    e: u64,
    /// `n` as minimal big-endian bytes (the JWK `n` and the RFC 7638 thumbprint form).
    n_bytes: Vec<u8>,
    /// `e` as minimal big-endian bytes.
    e_bytes: Vec<u8>,
    bits: usize,
}

impl RsaKey {
    /// Imports `n` and `e` (big-endian, leading zero octets ignored) and checks them:
    /// modulus size within `[min_bits, max_bits]`, modulus odd, exponent odd, greater
    /// than 1, smaller than the modulus and at most 64 bits, and no ROCA fingerprint.
    pub(crate) fn new(n: &[u8], e: &[u8], min_bits: usize, max_bits: usize) -> Result<RsaKey> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        let bits = bit_len(n);
        if bits < min_bits {
            return Err(Error::key("RSA modulus is smaller than the minimum size"));
        }
        if bits > max_bits.min(MAX_LIMBS * 64) {
            return Err(Error::key("RSA modulus is larger than the maximum size"));
        }
        if n.last().is_none_or(|b| b & 1 == 0) {
            return Err(Error::key("RSA modulus is even"));
        }
        if e.last().is_none_or(|b| b & 1 == 0) {
            return Err(Error::key("RSA exponent must be odd"));
        }
        if e == [1] {
            return Err(Error::key("RSA exponent must be greater than 1"));
        }
        if bit_len(e) > MAX_EXPONENT_BITS {
            return Err(Error::key("RSA exponent is too large"));
        }
        // RFC 8017 §3.1: e ≤ n − 1. Only reachable below the default minimum size, where
        // a 64-bit exponent can outgrow the modulus. Minimal big-endian: shorter is smaller.
        if (e.len(), e) >= (n.len(), n) {
            return Err(Error::key("RSA exponent must be smaller than the modulus"));
        }
        if has_roca_fingerprint(n) {
            return Err(Error::key(
                "RSA modulus has the ROCA fingerprint (CVE-2017-15361)",
            ));
        }
        let modulus = Modulus::new(n).ok_or(Error::key("RSA modulus is not usable"))?;
        Ok(RsaKey {
            modulus,
            e: e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
            n_bytes: n.to_vec(),
            e_bytes: e.to_vec(),
            bits,
        })
    }

    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    pub(crate) fn modulus(&self) -> &[u8] {
        &self.n_bytes
    }

    pub(crate) fn exponent(&self) -> &[u8] {
        &self.e_bytes
    }

    /// Verifies `signature` over `message` with the RSA scheme of `alg`. Every buffer is
    /// on the stack: a verification allocates nothing.
    pub(crate) fn verify(&self, alg: Algorithm, message: &[u8], signature: &[u8]) -> Result<()> {
        let mut em = [0u8; MAX_OCTETS];
        let em = self
            .public_op(signature, &mut em)
            .ok_or(Error::SignatureInvalid)?;
        let digest = alg.hash().digest(&[message]);
        let ok = match alg.scheme() {
            Scheme::RsaPkcs1v15 => pkcs1v15_matches(em, alg.hash(), digest.as_slice()),
            Scheme::RsaPss => pss_matches(em, self.bits - 1, alg.hash(), digest.as_slice()),
            Scheme::EcdsaP256 | Scheme::EcdsaP384 | Scheme::EcdsaP521 | Scheme::Ed25519 => false,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::SignatureInvalid)
        }
    }

    /// RSAVP1 (RFC 8017 §5.2.2) with the length checks of §8.2.2 step 1: the signature must
    /// be exactly `k` octets and, as an integer, smaller than `n`. Returns `s^e mod n` as
    /// `k` big-endian octets, written to the front of `em`.
    fn public_op<'o>(&self, signature: &[u8], em: &'o mut [u8; MAX_OCTETS]) -> Option<&'o [u8]> {
        self.modulus.pow(signature, self.e, em)
    }
}

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2): `00 01 FF..FF 00 || DigestInfo || H`, compared whole.
fn pkcs1v15_matches(em: &[u8], hash: HashAlg, digest: &[u8]) -> bool {
    let prefix = hash.digest_info_prefix();
    let t_len = prefix.len() + digest.len();
    // At least eight 0xFF octets (§9.2 step 3).
    let Some(ps_len) = em.len().checked_sub(t_len + 3).filter(|len| *len >= 8) else {
        return false;
    };
    // `em` is RSAVP1's output, at most `MAX_OCTETS` long.
    let mut expected = [0u8; MAX_OCTETS];
    let Some(expected) = expected.get_mut(..em.len()) else {
        return false;
    };
    let (head, rest) = expected.split_at_mut(2 + ps_len);
    head[1] = 0x01;
    head[2..].fill(0xff);
    // rest[0] stays 0x00, the separator.
    let (info, hash_out) = rest[1..].split_at_mut(prefix.len());
    info.copy_from_slice(prefix);
    hash_out.copy_from_slice(digest);
    expected == em
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with sLen = hLen and MGF1 over the same hash.
/// `em_bits` is `modBits - 1`; `em` is the `k`-octet output of RSAVP1.
fn pss_matches(em: &[u8], em_bits: usize, hash: HashAlg, m_hash: &[u8]) -> bool {
    let h_len = hash.len();
    let s_len = h_len;
    let em_len = em_bits.div_ceil(8);
    // When modBits - 1 is a multiple of 8, RSAVP1's output has one more octet than EM,
    // and that octet must be zero (§8.1.2 step 2c).
    let Some(extra) = em.len().checked_sub(em_len) else {
        return false;
    };
    let (leading, em) = em.split_at(extra);
    if leading.iter().any(|b| *b != 0) {
        return false;
    }
    // Step 3.
    if em_len < h_len + s_len + 2 {
        return false;
    }
    // Step 4.
    let Some((&last, rest)) = em.split_last() else {
        return false;
    };
    if last != 0xbc {
        return false;
    }
    // Step 5.
    let db_len = em_len - h_len - 1;
    let (masked_db, h) = rest.split_at(db_len);
    // Step 6: the leftmost 8*emLen - emBits bits of maskedDB must be zero.
    let unused_bits = 8 * em_len - em_bits;
    let top_mask = 0xffu8.checked_shr(unused_bits as u32).unwrap_or(0);
    if masked_db.first().is_none_or(|b| b & !top_mask != 0) {
        return false;
    }
    // Steps 7-9. DB is shorter than `em`, so it fits a buffer of `MAX_OCTETS`.
    let mut db = [0u8; MAX_OCTETS];
    let Some(db) = db.get_mut(..db_len) else {
        return false;
    };
    mgf1(hash, h, db);
    for (d, m) in db.iter_mut().zip(masked_db) {
        *d ^= m;
    }
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    // Step 10: DB = PS (zeros) || 0x01 || salt.
    let ps_len = em_len - h_len - s_len - 2;
    let (ps, rest) = db.split_at(ps_len);
    let Some((&one, salt)) = rest.split_first() else {
        return false;
    };
    if ps.iter().any(|b| *b != 0) || one != 0x01 {
        return false;
    }
    // Steps 12-14.
    let h_prime = hash.digest(&[&[0u8; 8], m_hash, salt]);
    h_prime.as_slice() == h
}

/// MGF1 (RFC 8017 §B.2.1), filling `out`.
fn mgf1(hash: HashAlg, seed: &[u8], out: &mut [u8]) {
    for (counter, chunk) in (0u32..).zip(out.chunks_mut(hash.len())) {
        let block = hash.digest(&[seed, &counter.to_be_bytes()]);
        chunk.copy_from_slice(&block.as_slice()[..chunk.len()]);
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

/// Bit length of a minimal big-endian integer.
fn bit_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        None => 0,
        Some(top) => bytes.len() * 8 - top.leading_zeros() as usize,
    }
}

/// The small primes of the ROCA fingerprint (Nemec et al., "The Return of Coppersmith's
/// Attack", CCS 2017). Infineon's generator makes primes `p = k*M + (65537^a mod M)`, so
/// the modulus, reduced modulo each of these primes, always lies in the subgroup
/// generated by 65537. A random modulus passes all 38 tests with negligible probability.
const ROCA_PRIMES: [u32; 38] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/// Whether `n` (big-endian) has the ROCA fingerprint.
fn has_roca_fingerprint(n: &[u8]) -> bool {
    ROCA_PRIMES.iter().all(|&p| {
        let p = u64::from(p);
        let residue = n.iter().fold(0u64, |r, b| (r * 256 + u64::from(*b)) % p);
        in_subgroup_of_65537(residue, p)
    })
}

/// Whether `residue` is a power of 65537 modulo the prime `p`.
fn in_subgroup_of_65537(residue: u64, p: u64) -> bool {
    let g = 65537 % p;
    let mut x = 1u64;
    // The subgroup has at most p - 1 elements; stop when the powers cycle back to 1.
    for _ in 0..p {
        if x == residue {
            return true;
        }
        x = x * g % p;
        if x == 1 {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roca_subgroups_match_the_published_masks() {
        // The first masks of the published detector (roca-detect), bit r set when r is a
        // power of 65537 mod p; recomputed here from the definition.
        let published: [(u64, u128); 5] = [(3, 6), (5, 30), (7, 126), (11, 1026), (13, 5658)];
        for (p, mask) in published {
            let ours = (0..p)
                .filter(|r| in_subgroup_of_65537(*r, p))
                .fold(0u128, |m, r| m | 1 << r);
            assert_eq!(ours, mask, "p = {p}");
        }
    }

    /// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with sLen = hLen, written out from the RFC.
    fn pss_encode(m_hash: &[u8], salt: &[u8], em_bits: usize) -> Vec<u8> {
        let em_len = em_bits.div_ceil(8);
        let h = HashAlg::Sha256.digest(&[&[0u8; 8], m_hash, salt]);
        let h = h.as_slice();
        let mut db = vec![0u8; em_len - h.len() - 1];
        let ps_len = db.len() - salt.len() - 1;
        db[ps_len] = 0x01;
        db[ps_len + 1..].copy_from_slice(salt);
        let mut mask = vec![0u8; db.len()];
        mgf1(HashAlg::Sha256, h, &mut mask);
        for (d, m) in db.iter_mut().zip(&mask) {
            *d ^= m;
        }
        db[0] &= 0xff >> (8 * em_len - em_bits);
        [db.as_slice(), h, &[0xbc]].concat()
    }

    /// With a 2049-bit modulus, emBits = 2048 and RSAVP1 yields one octet more than EM:
    /// that octet must be zero (§8.1.2 step 2c), or a value above 2^2048 would pass.
    #[test]
    fn pss_extra_leading_octet_must_be_zero() {
        let (m_hash, salt) = ([0x11u8; 32], [0x22u8; 32]);
        let em = pss_encode(&m_hash, &salt, 2048);
        assert_eq!(em.len(), 256);
        assert!(pss_matches(&em, 2048, HashAlg::Sha256, &m_hash));
        for leading in [0x00u8, 0x01, 0x80] {
            let output = [&[leading][..], &em].concat();
            let accepted = pss_matches(&output, 2048, HashAlg::Sha256, &m_hash);
            assert_eq!(accepted, leading == 0, "leading octet {leading:#04x}");
        }
        // A 2048-bit modulus (emBits 2047) has no extra octet; its top bit must be clear.
        let em = pss_encode(&m_hash, &salt, 2047);
        assert!(pss_matches(&em, 2047, HashAlg::Sha256, &m_hash));
        let mut high = em.clone();
        high[0] |= 0x80;
        assert!(!pss_matches(&high, 2047, HashAlg::Sha256, &m_hash));
    }

    #[test]
    fn pss_rejects_short_encodings_without_panicking() {
        for len in 0..200 {
            let em = vec![0xbcu8; len];
            assert!(!pss_matches(&em, len * 8, HashAlg::Sha256, &[0; 32]));
            assert!(!pkcs1v15_matches(&em, HashAlg::Sha512, &[0; 64]));
        }
    }
}
