//! The fixed test keys the targets sign and verify with (test keys only, from
//! `test-vectors/keys/`), parsed once per process.

use std::sync::OnceLock;

use jose_core::{VerifyingKey, base64url_encode};
use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use rsa::sha2::{Sha256, Sha384, Sha512};

/// The RSA test keys, private and public PEM: 2048, 3072 and 4096 bits with e = 65537,
/// then 2049 bits with e = 3 (33 limbs: the looped squaring; and PSS's encoded message
/// one octet shorter than the modulus) and 3070 bits with e = 2³² + 1.
const RSA_PEMS: [(&str, &str); 5] = [
    (
        include_str!("../../../test-vectors/keys/rsa-2048.pem"),
        include_str!("../../../test-vectors/keys/rsa-2048.pub.pem"),
    ),
    (
        include_str!("../../../test-vectors/keys/rsa-3072.pem"),
        include_str!("../../../test-vectors/keys/rsa-3072.pub.pem"),
    ),
    (
        include_str!("../../../test-vectors/keys/rsa-4096.pem"),
        include_str!("../../../test-vectors/keys/rsa-4096.pub.pem"),
    ),
    (
        include_str!("../../../test-vectors/keys/rsa-2049-e3.pem"),
        include_str!("../../../test-vectors/keys/rsa-2049-e3.pub.pem"),
    ),
    (
        include_str!("../../../test-vectors/keys/rsa-3070-e2p32.pem"),
        include_str!("../../../test-vectors/keys/rsa-3070-e2p32.pub.pem"),
    ),
];
const EC_PRIVATE_PEM: &str = include_str!("../../../test-vectors/keys/ec-p256.pem");
const EC_PUBLIC_PEM: &str = include_str!("../../../test-vectors/keys/ec-p256.pub.pem");

/// An RSA test key as `jose-core` and as the `rsa` crate see it.
pub(crate) struct RsaKeys {
    pub(crate) ours: VerifyingKey,
    pub(crate) private: rsa::RsaPrivateKey,
    pub(crate) rs256: rsa::pkcs1v15::VerifyingKey<Sha256>,
    pub(crate) rs384: rsa::pkcs1v15::VerifyingKey<Sha384>,
    pub(crate) rs512: rsa::pkcs1v15::VerifyingKey<Sha512>,
    pub(crate) ps256: rsa::pss::VerifyingKey<Sha256>,
    pub(crate) ps384: rsa::pss::VerifyingKey<Sha384>,
    pub(crate) ps512: rsa::pss::VerifyingKey<Sha512>,
}

/// The P-256 test key as `jose-core` and as the `p256` crate see it.
pub(crate) struct EcKeys {
    pub(crate) ours: VerifyingKey,
    pub(crate) signing: p256::ecdsa::SigningKey,
    pub(crate) theirs: p256::ecdsa::VerifyingKey,
}

impl EcKeys {
    /// The compact JWS of `header` and `payload` (any bytes), signed ES256 with this key
    /// (RFC 6979, so the same input always gives the same token).
    pub(crate) fn sign_compact(&self, header: &[u8], payload: &[u8]) -> String {
        let signing_input = format!("{}.{}", base64url_encode(header), base64url_encode(payload));
        let signature: p256::ecdsa::Signature = self.signing.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            base64url_encode(&signature.to_bytes())
        )
    }
}

/// The interop JWK Set: the public halves of every test key (RSA 2048/3072/4096 under
/// `rsa-<bits>`, P-256 under `ec-p256`).
pub(crate) const INTEROP_JWKS: &str = include_str!("../../../test-vectors/interop/jwks.json");

/// The number of RSA test keys.
pub(crate) const RSA_KEYS: usize = RSA_PEMS.len();

/// RSA test key `index` (0: 2048 bits, 1: 3072, 2: 4096, 3: 2049 with e = 3, 4: 3070
/// with e = 2³² + 1).
pub(crate) fn rsa(index: usize) -> &'static RsaKeys {
    static KEYS: [OnceLock<RsaKeys>; RSA_KEYS] = [const { OnceLock::new() }; RSA_KEYS];
    let (private_pem, public_pem) = RSA_PEMS[index];
    KEYS[index].get_or_init(|| {
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(private_pem).expect("test RSA key parses");
        let public = private.to_public_key();
        RsaKeys {
            ours: VerifyingKey::from_public_key_pem(public_pem)
                .expect("jose-core imports the test RSA key"),
            rs256: rsa::pkcs1v15::VerifyingKey::new(public.clone()),
            rs384: rsa::pkcs1v15::VerifyingKey::new(public.clone()),
            rs512: rsa::pkcs1v15::VerifyingKey::new(public.clone()),
            ps256: rsa::pss::VerifyingKey::new(public.clone()),
            ps384: rsa::pss::VerifyingKey::new(public.clone()),
            ps512: rsa::pss::VerifyingKey::new(public),
            private,
        }
    })
}

pub(crate) fn ec() -> &'static EcKeys {
    static KEYS: OnceLock<EcKeys> = OnceLock::new();
    KEYS.get_or_init(|| EcKeys {
        ours: VerifyingKey::from_public_key_pem(EC_PUBLIC_PEM)
            .expect("jose-core imports the test EC key"),
        signing: p256::ecdsa::SigningKey::from_pkcs8_pem(EC_PRIVATE_PEM)
            .expect("test EC key parses"),
        theirs: p256::ecdsa::VerifyingKey::from_public_key_pem(EC_PUBLIC_PEM)
            .expect("p256 imports the test EC key"),
    })
}

#[cfg(test)]
mod tests {
    use rsa::traits::PublicKeyParts as _;

    use super::*;

    #[test]
    fn both_views_are_the_same_key() {
        for (index, bits) in [2048, 3072, 4096, 2049, 3070].into_iter().enumerate() {
            let rsa = rsa(index);
            let (n, e) = rsa.ours.rsa_components().expect("an RSA key");
            assert_eq!(n, rsa.private.n().to_bytes_be());
            assert_eq!(e, rsa.private.e().to_bytes_be());
            assert_eq!(rsa.ours.rsa_bits(), Some(bits));
        }
        let ec = ec();
        let point = ec.theirs.to_encoded_point(false);
        let (x, y) = ec.ours.p256_coordinates().expect("an EC key");
        assert_eq!(point.x().map(|x| x.to_vec()), Some(x.to_vec()));
        assert_eq!(point.y().map(|y| y.to_vec()), Some(y.to_vec()));
        assert_eq!(*ec.signing.verifying_key(), ec.theirs);
    }
}
