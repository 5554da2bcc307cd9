//! The `key_import` target: public key import from DER, PEM and RSA components, against
//! the `rsa` and `p256` crates' own importers.

use jose_core::VerifyingKey;
use p256::pkcs8::DecodePublicKey as _;
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::traits::PublicKeyParts as _;

use crate::input::Input;

/// The `rsa` crate refuses moduli above this size (`RsaPublicKey::new`), which jose
/// accepts up to 8192 bits; above it only jose's side can be checked.
const RSA_CRATE_MAX_BITS: usize = 4096;
/// The `rsa` crate's largest public exponent (`RsaPublicKey::new`).
const RSA_CRATE_MAX_E: u64 = (1 << 33) - 1;

/// Fuzz target `key_import`.
///
/// Input: a mode, then
/// - mode 0: the rest as a DER SubjectPublicKeyInfo (`from_public_key_der`);
/// - mode 1: the rest as PEM text, `PUBLIC KEY` or `RSA PUBLIC KEY`
///   (`from_public_key_pem`);
/// - mode 2: a 16-bit length, that many octets of `n`, the rest as `e`
///   (`from_rsa_components`).
///
/// Oracle: whatever jose accepts, the `rsa` crate (RSA: SPKI, PKCS#1 or `n`/`e`), the
/// curve's own crate (`p256`, `p384`, `p521` for EC SPKI) or `ed25519-dalek` (Ed25519
/// SPKI, not of small order) accepts too, with the same `n`/`e` or the same point (PEM
/// text is given to them without the surrounding whitespace jose tolerates) —
/// except RSA keys outside the `rsa` crate's own limits (above 4096 bits, or `e` above
/// 2³³ − 1), for which jose's limits are checked instead; an accepted RSA key has 2048 to
/// 8192 bits and re-imports from its exported components; an accepted EC key re-imports
/// from its exported coordinates.
pub fn key_import(data: &[u8]) {
    let mut input = Input::new(data);
    match input.byte() % 3 {
        0 => {
            let der = input.rest();
            if let Ok(ours) = VerifyingKey::from_public_key_der(der) {
                check_rsa_or_ec(
                    &ours,
                    || rsa::RsaPublicKey::from_public_key_der(der).ok(),
                    Some(Spki::Der(der)),
                );
            }
        }
        1 => {
            let Ok(pem) = core::str::from_utf8(input.rest()) else {
                return;
            };
            if let Ok(ours) = VerifyingKey::from_public_key_pem(pem) {
                // jose ignores whitespace around the document (keys pasted into
                // configuration files); the RustCrypto readers do not.
                let pem = pem.trim();
                check_rsa_or_ec(
                    &ours,
                    || {
                        rsa::RsaPublicKey::from_public_key_pem(pem)
                            .or_else(|_| rsa::RsaPublicKey::from_pkcs1_pem(pem))
                            .ok()
                    },
                    Some(Spki::Pem(pem)),
                );
            }
        }
        _ => {
            let n_len = usize::from(input.u16());
            let n = input.bytes(n_len);
            let e = input.rest();
            if let Ok(ours) = VerifyingKey::from_rsa_components(n, e) {
                check_rsa_or_ec(
                    &ours,
                    || {
                        let n = rsa::BigUint::from_bytes_be(n);
                        let e = rsa::BigUint::from_bytes_be(e);
                        rsa::RsaPublicKey::new(n, e).ok()
                    },
                    None,
                );
                let (our_n, our_e) = ours.rsa_components().expect("an RSA key");
                assert_eq!(our_n, strip_zeros(n), "n exported as given");
                assert_eq!(our_e, strip_zeros(e), "e exported as given");
            }
        }
    }
}

fn check_rsa_or_ec(
    ours: &VerifyingKey,
    theirs_rsa: impl FnOnce() -> Option<rsa::RsaPublicKey>,
    theirs_spki: Option<Spki<'_>>,
) {
    if let Some((n, e)) = ours.rsa_components() {
        let bits = ours.rsa_bits().expect("an RSA key has a size");
        assert!((2048..=8192).contains(&bits), "RSA size {bits} accepted");
        assert_eq!(bits, bit_length(n), "reported size is n's size");
        let again = VerifyingKey::from_rsa_components(n, e).expect("exported components re-import");
        assert_eq!(again.rsa_components(), Some((n, e)));
        match theirs_rsa() {
            Some(theirs) => {
                assert_eq!(theirs.n().to_bytes_be(), n, "same modulus as the rsa crate");
                assert_eq!(
                    theirs.e().to_bytes_be(),
                    e,
                    "same exponent as the rsa crate"
                );
            }
            None => {
                // jose caps e at 64 bits, so it fits a u64.
                let e_value = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
                assert!(
                    bits > RSA_CRATE_MAX_BITS || e_value > RSA_CRATE_MAX_E,
                    "jose accepted an RSA key ({bits} bits, e = {e_value}) the rsa crate refuses"
                );
            }
        }
    } else if let Some(x) = ours.okp_x() {
        let again = VerifyingKey::from_ed25519_bytes(x).expect("an Ed25519 key re-imports");
        assert_eq!(again.okp_x(), Some(x));
        let theirs = theirs_spki
            .and_then(|spki| spki.ed25519())
            .expect("jose accepted an Ed25519 key ed25519-dalek refuses");
        assert_eq!(theirs.as_bytes(), x, "same key as ed25519-dalek");
        assert!(!theirs.is_weak(), "jose accepted a small-order Ed25519 key");
    } else {
        let crv = ours.curve().expect("an EC key has a curve");
        let (x, y) = ours.ec_coordinates().expect("a key is RSA, EC or OKP");
        let again = VerifyingKey::from_ec_coordinates(crv, x, y).expect("coordinates re-import");
        assert_eq!(again.ec_coordinates(), Some((x, y)));
        let theirs = theirs_spki
            .and_then(|spki| spki.ec_point(crv))
            .unwrap_or_else(|| panic!("jose accepted a {crv} key its RustCrypto crate refuses"));
        assert_eq!(
            theirs,
            [&[4u8][..], x, y].concat(),
            "same point as the {crv} crate"
        );
    }
}

/// An SPKI as the independent readers get it.
#[derive(Clone, Copy)]
enum Spki<'a> {
    Der(&'a [u8]),
    Pem(&'a str),
}

impl Spki<'_> {
    /// The uncompressed point as the curve's own crate reads it.
    fn ec_point(self, crv: &str) -> Option<Vec<u8>> {
        use p256::pkcs8::DecodePublicKey as D;
        fn read<K: D>(spki: Spki<'_>) -> Option<K> {
            match spki {
                Spki::Der(der) => K::from_public_key_der(der).ok(),
                Spki::Pem(pem) => K::from_public_key_pem(pem).ok(),
            }
        }
        use p256::elliptic_curve::sec1::ToEncodedPoint as _;
        Some(match crv {
            "P-256" => read::<p256::PublicKey>(self)?
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            "P-384" => read::<p384::PublicKey>(self)?
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            "P-521" => read::<p521::PublicKey>(self)?
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            _ => return None,
        })
    }

    fn ed25519(self) -> Option<ed25519_dalek::VerifyingKey> {
        use ed25519_dalek::pkcs8::DecodePublicKey as _;
        match self {
            Spki::Der(der) => ed25519_dalek::VerifyingKey::from_public_key_der(der).ok(),
            Spki::Pem(pem) => ed25519_dalek::VerifyingKey::from_public_key_pem(pem).ok(),
        }
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

fn bit_length(n: &[u8]) -> usize {
    let n = strip_zeros(n);
    n.first()
        .map_or(0, |top| 8 * n.len() - top.leading_zeros() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_key_pem(name: &str) -> String {
        let path = format!(
            "{}/../../test-vectors/keys/{name}.pub.pem",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(path).expect("test key")
    }

    #[test]
    fn the_test_keys_reach_the_comparisons() {
        for name in [
            "rsa-2048", "rsa-4096", "ec-p256", "ec-p384", "ec-p521", "ed25519",
        ] {
            let pem = test_key_pem(name);
            assert!(VerifyingKey::from_public_key_pem(&pem).is_ok(), "{name}");
            key_import(&[b"\x01", pem.as_bytes()].concat());
        }
    }

    #[test]
    fn the_oracle_catches_a_different_key() {
        let ours = VerifyingKey::from_public_key_pem(&test_key_pem("rsa-2048")).unwrap();
        let other = rsa::RsaPublicKey::from_public_key_pem(&test_key_pem("rsa-3072")).unwrap();
        let caught = std::panic::catch_unwind(|| check_rsa_or_ec(&ours, || Some(other), None));
        assert!(caught.is_err(), "a different modulus must fail the oracle");
        let refused = std::panic::catch_unwind(|| check_rsa_or_ec(&ours, || None, None));
        assert!(
            refused.is_err(),
            "a 2048-bit key the rsa crate refuses must fail it"
        );
        // A P-384 key checked against a P-521 SPKI, an Ed25519 key against nothing.
        let p384 = VerifyingKey::from_public_key_pem(&test_key_pem("ec-p384")).unwrap();
        let p521_pem = test_key_pem("ec-p521");
        let caught = std::panic::catch_unwind(|| {
            check_rsa_or_ec(&p384, || None, Some(Spki::Pem(p521_pem.trim())))
        });
        assert!(caught.is_err(), "a different curve must fail the oracle");
        let ed = VerifyingKey::from_public_key_pem(&test_key_pem("ed25519")).unwrap();
        assert!(std::panic::catch_unwind(|| check_rsa_or_ec(&ed, || None, None)).is_err());
    }
}
