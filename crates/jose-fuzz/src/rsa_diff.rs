//! The `rsa_verify_differential` target: RS256/384/512 and PS256/384/512 verification in
//! `jose-core` against the `rsa` crate's own verifiers, on the fixed RSA test keys
//! (2048, 3072 and 4096 bits, whose squarings are unrolled; 2049 bits with e = 3, on
//! the looped squaring; 3070 bits with e = 2³² + 1).

use jose_core::Algorithm;
use rsa::BigUint;
use rsa::sha2::{Sha256, Sha384, Sha512};
use rsa::signature::Verifier as _;
use rsa::traits::PublicKeyParts as _;

use crate::input::Input;
use crate::keys::{self, RsaKeys};

const ALGS: [Algorithm; 6] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
];

/// Fuzz target `rsa_verify_differential`.
///
/// Input: a choice byte (`% 6`: the algorithm; `/ 6 % 5`: the key, 2048, 3072, 4096,
/// 2049 (e = 3) or 3070 (e = 2³² + 1) bits, so choices 0–5 use the 2048-bit key), a mode, a length-prefixed message, then per mode either
/// the raw signature (mode even) or instructions for a crafted signature (mode odd): the
/// fuzzer gets the valid encoded message EM for the message (EMSA-PKCS1-v1_5, or
/// EMSA-PSS with a salt and salt length it picks), may flip bytes of EM, and the harness
/// applies the raw private-key operation to it, so the fuzzer reaches every padding
/// check; it may then also damage or resize the signature.
///
/// Oracle: `jose_core::VerifyingKey::verify_signature` and the `rsa` crate
/// (`pkcs1v15::VerifyingKey` / `pss::VerifyingKey::new`, which in rsa 0.9 fixes the salt
/// length to the hash length, as RFC 7518 does) agree on every input but one kind; and
/// an undamaged, correctly encoded signature (salt length = hash length) verifies.
///
/// The target is slow by design: most inputs cost one RSA private-key operation (up to
/// 4096 bits) to sign the crafted encoding. Build it without sanitizer or comparison
/// tracing (`run_campaign.sh` does).
///
/// The one kind, a known principled difference: for moduli whose bit length is 1 mod 8
/// (the 2049-bit key) EM is one octet shorter than the modulus, and the `rsa` crate
/// drops the octet before it without checking that it is zero, where jose-core (RFC 8017
/// §8.1.2 step 2c: the integer must fit in emBits bits) requires it to be zero. For a
/// PSS signature whose public-key operation leaves that octet non-zero the oracle is
/// that jose-core refuses it, whatever `rsa` says.
pub fn rsa_verify_differential(data: &[u8]) {
    let mut input = Input::new(data);
    let choice = usize::from(input.byte());
    let alg = ALGS[choice % ALGS.len()];
    let keys = keys::rsa(choice / ALGS.len() % keys::RSA_KEYS);
    let mode = input.byte();
    let message = input.len_prefixed();
    let (signature, must_verify) = if mode.is_multiple_of(2) {
        (input.rest().to_vec(), false)
    } else {
        match crafted_signature(keys, alg, message, &mut input) {
            Some(crafted) => crafted,
            None => return,
        }
    };

    let ours = keys.ours.verify_signature(alg, message, &signature);
    if pss_octet_before_em_is_set(keys, alg, &signature) {
        assert!(
            ours.is_err(),
            "{alg}: accepted an encoded message with a non-zero octet before it"
        );
        return;
    }
    let theirs = rsa_crate_verifies(keys, alg, message, &signature);
    if must_verify {
        assert!(
            ours.is_ok(),
            "{alg}: a valid signature was rejected: {ours:?}"
        );
    }
    assert_eq!(
        ours.is_ok(),
        theirs,
        "{alg}: jose-core says {ours:?}, rsa says {theirs}"
    );
    if let Err(e) = ours {
        assert_eq!(e.code(), "ERR_JWS_SIGNATURE_INVALID", "{alg}: {e:?}");
    }
}

/// Whether `alg` is PSS, the modulus is 8·k − 7 bits (EM is `k − 1` octets), and the
/// signature's public-key operation sets the octet before EM: the case the `rsa` crate
/// does not check (see [`rsa_verify_differential`]).
fn pss_octet_before_em_is_set(keys: &RsaKeys, alg: Algorithm, signature: &[u8]) -> bool {
    let n = keys.private.n();
    if !alg.name().starts_with("PS") || n.bits() % 8 != 1 || signature.len() != keys.private.size()
    {
        return false;
    }
    let s = BigUint::from_bytes_be(signature);
    &s < n && s.modpow(keys.private.e(), n).bits() >= n.bits()
}

fn rsa_crate_verifies(keys: &RsaKeys, alg: Algorithm, message: &[u8], signature: &[u8]) -> bool {
    let pkcs1 = || rsa::pkcs1v15::Signature::try_from(signature);
    let pss = || rsa::pss::Signature::try_from(signature);
    match alg {
        Algorithm::RS256 => pkcs1().is_ok_and(|s| keys.rs256.verify(message, &s).is_ok()),
        Algorithm::RS384 => pkcs1().is_ok_and(|s| keys.rs384.verify(message, &s).is_ok()),
        Algorithm::RS512 => pkcs1().is_ok_and(|s| keys.rs512.verify(message, &s).is_ok()),
        Algorithm::PS256 => pss().is_ok_and(|s| keys.ps256.verify(message, &s).is_ok()),
        Algorithm::PS384 => pss().is_ok_and(|s| keys.ps384.verify(message, &s).is_ok()),
        Algorithm::PS512 => pss().is_ok_and(|s| keys.ps512.verify(message, &s).is_ok()),
        other => panic!("not an RSA algorithm: {other}"),
    }
}

/// Flags of a crafted signature.
const FLAG_SALT_LEN: u8 = 1;
const FLAG_MUTATE_EM: u8 = 2;
const FLAG_DROP_FIRST: u8 = 4;
const FLAG_PREPEND_ZERO: u8 = 8;
const FLAG_MUTATE_SIG: u8 = 16;

/// Builds EM for `message` as the fuzzer directs and signs it with the raw private-key
/// operation. Returns the signature and whether it must verify.
fn crafted_signature(
    keys: &RsaKeys,
    alg: Algorithm,
    message: &[u8],
    input: &mut Input<'_>,
) -> Option<(Vec<u8>, bool)> {
    let k = keys.private.size();
    let em_bits = keys.private.n().bits() - 1;
    let flags = input.byte();
    let h_len = hash(alg, &[]).len();
    let m_hash = hash(alg, &[message]);

    let mut must_verify = true;
    let mut em = if alg.name().starts_with("RS") {
        pkcs1v15_encode(alg, &m_hash, k)?
    } else {
        let salt_len = if flags & FLAG_SALT_LEN != 0 {
            usize::from(input.byte())
        } else {
            h_len
        };
        must_verify &= salt_len == h_len;
        let mut salt = input.bytes(salt_len).to_vec();
        salt.resize(salt_len, 0);
        pss_encode(alg, &m_hash, &salt, em_bits)?
    };
    if flags & FLAG_MUTATE_EM != 0 {
        must_verify &= !mutate(&mut em, input);
    }

    let m = BigUint::from_bytes_be(&em);
    if &m >= keys.private.n() {
        return None;
    }
    let s = rsa::hazmat::rsa_decrypt::<NoRng>(None, &keys.private, &m).ok()?;
    let mut signature = left_pad(&s.to_bytes_be(), k);

    if flags & FLAG_MUTATE_SIG != 0 {
        must_verify &= !mutate(&mut signature, input);
    }
    if flags & FLAG_DROP_FIRST != 0 {
        signature.remove(0);
        must_verify = false;
    }
    if flags & FLAG_PREPEND_ZERO != 0 {
        signature.insert(0, 0);
        must_verify = false;
    }
    Some((signature, must_verify))
}

/// XORs fuzzer-chosen bytes into `buf` (pairs of position and mask, up to 8); returns
/// whether anything changed.
fn mutate(buf: &mut [u8], input: &mut Input<'_>) -> bool {
    let count = input.byte() % 9;
    let mut changed = false;
    for _ in 0..count {
        let pos = usize::from(input.u16()) % buf.len();
        let mask = input.byte();
        buf[pos] ^= mask;
        changed |= mask != 0;
    }
    changed
}

fn hash(alg: Algorithm, parts: &[&[u8]]) -> Vec<u8> {
    fn run<D: rsa::sha2::Digest>(parts: &[&[u8]]) -> Vec<u8> {
        let mut d = D::new();
        for p in parts {
            d.update(p);
        }
        d.finalize().to_vec()
    }
    match alg {
        Algorithm::RS256 | Algorithm::PS256 => run::<Sha256>(parts),
        Algorithm::RS384 | Algorithm::PS384 => run::<Sha384>(parts),
        _ => run::<Sha512>(parts),
    }
}

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2) with the DigestInfo prefixes of note 1, written out
/// independently of both implementations under test.
fn pkcs1v15_encode(alg: Algorithm, digest: &[u8], k: usize) -> Option<Vec<u8>> {
    const SHA256: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    const SHA384: [u8; 19] = [
        0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
        0x05, 0x00, 0x04, 0x30,
    ];
    const SHA512: [u8; 19] = [
        0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
        0x05, 0x00, 0x04, 0x40,
    ];
    let prefix = match alg {
        Algorithm::RS256 => &SHA256,
        Algorithm::RS384 => &SHA384,
        _ => &SHA512,
    };
    let t_len = prefix.len() + digest.len();
    let ps_len = k.checked_sub(t_len + 3).filter(|len| *len >= 8)?;
    let mut em = vec![0x00, 0x01];
    em.resize(2 + ps_len, 0xff);
    em.push(0x00);
    em.extend_from_slice(prefix);
    em.extend_from_slice(digest);
    Some(em)
}

/// EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with MGF1 over the same hash, any salt; the result
/// is left-padded to the modulus length.
fn pss_encode(alg: Algorithm, m_hash: &[u8], salt: &[u8], em_bits: usize) -> Option<Vec<u8>> {
    let h_len = m_hash.len();
    let em_len = em_bits.div_ceil(8);
    if em_len < h_len + salt.len() + 2 {
        return None;
    }
    let h = hash(alg, &[&[0u8; 8], m_hash, salt]);
    let db_len = em_len - h_len - 1;
    let mut db = vec![0u8; db_len - salt.len() - 1];
    db.push(0x01);
    db.extend_from_slice(salt);
    let mut counter: u32 = 0;
    let mut mask = Vec::with_capacity(db_len + h_len);
    while mask.len() < db_len {
        mask.extend_from_slice(&hash(alg, &[&h, &counter.to_be_bytes()]));
        counter += 1;
    }
    for (d, m) in db.iter_mut().zip(&mask) {
        *d ^= m;
    }
    db[0] &= 0xff >> (8 * em_len - em_bits);
    let mut em = db;
    em.extend_from_slice(&h);
    em.push(0xbc);
    Some(left_pad(
        &em,
        em_bits.div_ceil(8) + usize::from(em_bits.is_multiple_of(8)),
    ))
}

fn left_pad(bytes: &[u8], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len.saturating_sub(bytes.len())];
    out.extend_from_slice(bytes);
    out
}

/// The raw private-key operation is called without blinding (`None`), so no random
/// numbers are ever drawn; the type only names the generic parameter. (Blinding would
/// not change the result, and determinism keeps fuzz findings reproducible.)
struct NoRng;

impl rsa::rand_core::RngCore for NoRng {
    fn next_u32(&mut self) -> u32 {
        unreachable!("rsa_decrypt is called without an RNG")
    }

    fn next_u64(&mut self) -> u64 {
        unreachable!("rsa_decrypt is called without an RNG")
    }

    fn fill_bytes(&mut self, _dest: &mut [u8]) {
        unreachable!("rsa_decrypt is called without an RNG")
    }

    fn try_fill_bytes(&mut self, _dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        unreachable!("rsa_decrypt is called without an RNG")
    }
}

impl rsa::rand_core::CryptoRng for NoRng {}

#[cfg(test)]
mod tests {
    use rsa::signature::SignatureEncoding as _;
    use rsa::signature::Signer as _;

    use super::*;

    #[test]
    fn crafted_pkcs1v15_equals_the_rsa_crate_signature() {
        let keys = keys::rsa(0);
        let message = b"hello";
        let mut data = vec![0, 1, message.len() as u8];
        data.extend_from_slice(message);
        data.push(0); // no flags
        let mut input = Input::new(&data);
        let (alg, _mode, msg) = (input.byte(), input.byte(), input.len_prefixed());
        assert_eq!((alg, msg), (0, &message[..]));
        let (ours, must_verify) =
            crafted_signature(keys, Algorithm::RS256, message, &mut input).expect("signs");
        let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(keys.private.clone());
        assert_eq!(ours, signer.sign(message).to_vec());
        assert!(must_verify);
    }

    #[test]
    fn crafted_pss_verifies_in_both_and_other_salt_lengths_in_neither() {
        let keys = keys::rsa(0);
        for (alg, h_len) in [
            (Algorithm::PS256, 32),
            (Algorithm::PS384, 48),
            (Algorithm::PS512, 64),
        ] {
            let m_hash = hash(alg, &[b"msg"]);
            for salt_len in [0, 20, h_len, h_len + 1] {
                let em = pss_encode(alg, &m_hash, &vec![7; salt_len], 2047).expect("fits");
                let m = BigUint::from_bytes_be(&em);
                let s = rsa::hazmat::rsa_decrypt::<NoRng>(None, &keys.private, &m).expect("op");
                let sig = left_pad(&s.to_bytes_be(), 256);
                let ours = keys.ours.verify_signature(alg, b"msg", &sig).is_ok();
                assert_eq!(ours, salt_len == h_len, "{alg} salt {salt_len}");
                assert_eq!(rsa_crate_verifies(keys, alg, b"msg", &sig), ours);
            }
        }
    }

    #[test]
    fn every_mode_runs() {
        for alg in 0..6u8 {
            for flags in [0, 1, 2, 3, 4, 8, 16, 31] {
                rsa_verify_differential(&[alg, 1, 3, b'a', b'b', b'c', flags, 2, 0, 5, 1]);
            }
            rsa_verify_differential(&[alg, 0, 1, b'a', 1, 2, 3]);
        }
        // The other keys: a valid signature verifies in both.
        for choice in [6, 9, 12, 17, 18, 21, 26, 29] {
            rsa_verify_differential(&[choice, 1, 2, b'h', b'i', 0]);
        }
    }

    /// On the 2049-bit key, a valid PSS encoded message signed with the octet before it
    /// set to 1 (still below the modulus, whose top octet is 1): the `rsa` crate, which
    /// drops that octet unchecked, accepts it; jose-core refuses it, and the target's
    /// oracle expects exactly that.
    #[test]
    fn pss_octet_before_em_must_be_zero() {
        let keys = keys::rsa(3);
        let n = keys.private.n().to_bytes_be();
        assert_eq!((n.len(), n[0]), (257, 1));
        let alg = Algorithm::PS256;
        let m_hash = hash(alg, &[b"msg"]);
        let sign = |em: &[u8]| {
            let m = BigUint::from_bytes_be(em);
            let s = rsa::hazmat::rsa_decrypt::<NoRng>(None, &keys.private, &m).expect("op");
            left_pad(&s.to_bytes_be(), 257)
        };
        let mut tried = 0;
        for salt in 0..=255u8 {
            let mut em = pss_encode(alg, &m_hash, &[salt; 32], 2048).expect("fits");
            assert_eq!((em.len(), em[0]), (257, 0));
            let valid = sign(&em);
            assert!(keys.ours.verify_signature(alg, b"msg", &valid).is_ok());
            assert!(rsa_crate_verifies(keys, alg, b"msg", &valid));
            assert!(!pss_octet_before_em_is_set(keys, alg, &valid));
            if em[1] >= n[1] {
                continue; // with the octet set, EM would not be below n
            }
            em[0] = 1;
            let sig = sign(&em);
            assert!(pss_octet_before_em_is_set(keys, alg, &sig));
            assert!(keys.ours.verify_signature(alg, b"msg", &sig).is_err());
            assert!(rsa_crate_verifies(keys, alg, b"msg", &sig));
            tried += 1;
            if tried == 4 {
                return;
            }
        }
        panic!("only {tried} salts gave an EM below n");
    }
}
