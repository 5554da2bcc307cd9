//! Signing keys for every supported algorithm, their public JWKs, and raw signatures.

use std::fmt;
use std::sync::{Arc, OnceLock};

use base64ct::{Base64, Encoding};
// p256, p384, p521 and ed25519-dalek share one `signature` crate, so these two traits
// sign for all of them.
use ed25519_dalek::Signer as _;
use p256::ecdsa::signature::RandomizedSigner as _;
use p256::pkcs8::DecodePrivateKey as _;
use p521::elliptic_curve::rand_core::{CryptoRng, RngCore};
use ring::signature::{self as ring_sig, RsaKeyPair};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha512};

use crate::b64;
use crate::token::TokenBuilder;

/// Declares [`Alg`] from one line per algorithm: its variant (named as in the `alg`
/// header) and the RSA padding ring signs it with, if it is an RSA algorithm.
macro_rules! algorithms {
    ($($(#[$doc:meta])* $alg:ident: $rsa_padding:expr,)*) => {
        /// A JWS signature algorithm the kit can sign with.
        ///
        /// A new curve is one more line in this list and one more [`TestKey`] key family.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Alg {
            $($(#[$doc])* $alg,)*
        }

        impl Alg {
            /// Every algorithm the kit signs with.
            pub const ALL: &'static [Alg] = &[$(Alg::$alg),*];

            /// The `alg` header value (RFC 7518 §3.1).
            pub fn name(self) -> &'static str {
                match self {
                    $(Alg::$alg => stringify!($alg),)*
                }
            }

            fn rsa_padding(self) -> Option<&'static dyn ring_sig::RsaEncoding> {
                match self {
                    $(Alg::$alg => $rsa_padding,)*
                }
            }
        }
    };
}

algorithms! {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256: Some(&ring_sig::RSA_PKCS1_SHA256),
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384: Some(&ring_sig::RSA_PKCS1_SHA384),
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512: Some(&ring_sig::RSA_PKCS1_SHA512),
    /// RSASSA-PSS with SHA-256 (salt as long as the hash).
    PS256: Some(&ring_sig::RSA_PSS_SHA256),
    /// RSASSA-PSS with SHA-384 (salt as long as the hash).
    PS384: Some(&ring_sig::RSA_PSS_SHA384),
    /// RSASSA-PSS with SHA-512 (salt as long as the hash).
    PS512: Some(&ring_sig::RSA_PSS_SHA512),
    /// ECDSA on P-256 with SHA-256, the signature as fixed-size `r || s`.
    ES256: None,
    /// ECDSA on P-384 with SHA-384, the signature as fixed-size `r || s`.
    ES384: None,
    /// ECDSA on P-521 with SHA-512, the signature as fixed-size `r || s` (132 bytes).
    ES512: None,
    /// EdDSA (RFC 8037) with an Ed25519 key.
    EdDSA: None,
    /// Ed25519 under its fully-specified name (RFC 9864): the same signature as
    /// [`Alg::EdDSA`], another `alg` value.
    Ed25519: None,
}

impl Alg {
    /// The algorithm named `name` in a JWS header, if the kit signs with it.
    pub fn from_name(name: &str) -> Option<Alg> {
        Alg::ALL.iter().copied().find(|alg| alg.name() == name)
    }

    /// Whether this algorithm signs with an RSA key.
    pub fn is_rsa(self) -> bool {
        self.rsa_padding().is_some()
    }

    /// The key family this algorithm signs with, and so which algorithms can share a key.
    fn family(self) -> Family {
        match self {
            Alg::ES256 => Family::P256,
            Alg::ES384 => Family::P384,
            Alg::ES512 => Family::P521,
            Alg::EdDSA | Alg::Ed25519 => Family::Ed25519,
            _ => Family::Rsa,
        }
    }
}

/// The kinds of private key, one per [`Material`] arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Rsa,
    P256,
    P384,
    P521,
    Ed25519,
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One of the fixed RSA test keys of `test-vectors/keys/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RsaSize {
    /// `rsa-2048.pem`, the default RSA key.
    Bits2048,
    /// `rsa-3072.pem`.
    Bits3072,
    /// `rsa-4096.pem`.
    Bits4096,
}

impl RsaSize {
    /// The modulus length in bits.
    pub fn bits(self) -> usize {
        match self {
            RsaSize::Bits2048 => 2048,
            RsaSize::Bits3072 => 3072,
            RsaSize::Bits4096 => 4096,
        }
    }

    fn pem(self) -> &'static str {
        match self {
            RsaSize::Bits2048 => include_str!("../../../test-vectors/keys/rsa-2048.pem"),
            RsaSize::Bits3072 => include_str!("../../../test-vectors/keys/rsa-3072.pem"),
            RsaSize::Bits4096 => include_str!("../../../test-vectors/keys/rsa-4096.pem"),
        }
    }

    /// The parsed key pair, parsed once per process: ring checks the key when it loads it,
    /// which is not free for a 4096-bit key.
    fn pair(self) -> Arc<RsaKeyPair> {
        static CACHE: [OnceLock<Arc<RsaKeyPair>>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let slot = match self {
            RsaSize::Bits2048 => &CACHE[0],
            RsaSize::Bits3072 => &CACHE[1],
            RsaSize::Bits4096 => &CACHE[2],
        };
        Arc::clone(slot.get_or_init(|| {
            let der = pem_to_der(self.pem());
            let pair = RsaKeyPair::from_pkcs8(&der)
                .unwrap_or_else(|e| panic!("the embedded RSA-{} key: {e}", self.bits()));
            Arc::new(pair)
        }))
    }
}

/// The private half of the key, one arm per key family.
#[derive(Clone)]
enum Material {
    Rsa(Arc<RsaKeyPair>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

impl Material {
    fn family(&self) -> Family {
        match self {
            Material::Rsa(_) => Family::Rsa,
            Material::P256(_) => Family::P256,
            Material::P384(_) => Family::P384,
            Material::P521(_) => Family::P521,
            Material::Ed25519(_) => Family::Ed25519,
        }
    }
}

/// A private test key bound to one algorithm: signs tokens and raw bytes, and gives its
/// public JWK.
///
/// Keys are fixed (embedded PEM files) or derived from a seed number, so every run signs
/// with the same keys; ECDSA, EdDSA and RSASSA-PKCS1-v1_5 signatures are deterministic
/// too (PSS salts are random, as the algorithm requires).
///
/// ```
/// use jose_testkit::{Alg, TestKey};
/// let key = TestKey::new(Alg::PS384);
/// assert_eq!(key.jwk("k1")["kty"], "RSA");
/// let token = key.token().kid("k1").claims(serde_json::json!({"sub": "alice"})).sign();
/// assert_eq!(token.split('.').count(), 3);
/// ```
#[derive(Clone)]
pub struct TestKey {
    alg: Alg,
    material: Material,
}

impl fmt::Debug for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The private key is never printed; the public JWK identifies the key.
        f.debug_struct("TestKey")
            .field("alg", &self.alg)
            .field("public", &self.public_jwk())
            .finish()
    }
}

impl TestKey {
    /// The default fixed key for `alg`, from `test-vectors/keys/`: `rsa-2048.pem` for the
    /// RSA algorithms, `ec-p256.pem`, `ec-p384.pem` and `ec-p521.pem` for ES256, ES384
    /// and ES512, `ed25519.pem` for EdDSA and Ed25519.
    pub fn new(alg: Alg) -> TestKey {
        let material = match alg.family() {
            Family::Rsa => return TestKey::rsa(RsaSize::Bits2048, alg),
            Family::P256 => {
                let der = pem_to_der(include_str!("../../../test-vectors/keys/ec-p256.pem"));
                Material::P256(
                    p256::ecdsa::SigningKey::from_pkcs8_der(&der)
                        .unwrap_or_else(|e| panic!("the embedded P-256 key: {e}")),
                )
            }
            Family::P384 => {
                let der = pem_to_der(include_str!("../../../test-vectors/keys/ec-p384.pem"));
                Material::P384(
                    p384::ecdsa::SigningKey::from_pkcs8_der(&der)
                        .unwrap_or_else(|e| panic!("the embedded P-384 key: {e}")),
                )
            }
            Family::P521 => {
                let der = pem_to_der(include_str!("../../../test-vectors/keys/ec-p521.pem"));
                let secret = p521::SecretKey::from_pkcs8_der(&der)
                    .unwrap_or_else(|e| panic!("the embedded P-521 key: {e}"));
                Material::P521(
                    p521::ecdsa::SigningKey::from_bytes(&secret.to_bytes())
                        .unwrap_or_else(|e| panic!("the embedded P-521 key: {e}")),
                )
            }
            Family::Ed25519 => {
                let der = pem_to_der(include_str!("../../../test-vectors/keys/ed25519.pem"));
                Material::Ed25519(
                    ed25519_dalek::SigningKey::from_pkcs8_der(&der)
                        .unwrap_or_else(|e| panic!("the embedded Ed25519 key: {e}")),
                )
            }
        };
        TestKey { alg, material }
    }

    /// The fixed RSA key of `size`, signing with `alg`.
    ///
    /// # Panics
    /// If `alg` is not an RSA algorithm.
    pub fn rsa(size: RsaSize, alg: Alg) -> TestKey {
        assert!(alg.is_rsa(), "{alg} does not sign with an RSA key");
        TestKey {
            alg,
            material: Material::Rsa(size.pair()),
        }
    }

    /// RS256 with the RSA-2048 test key.
    pub fn rs256() -> TestKey {
        TestKey::new(Alg::RS256)
    }

    /// ES256 with the fixed `ec-p256.pem` test key.
    pub fn es256() -> TestKey {
        TestKey::new(Alg::ES256)
    }

    /// A deterministic ES256 key for test number `n`: the private scalar is the byte
    /// `n + 1` (wrapping) repeated 32 times, so `es256_seeded(1)` and `es256_seeded(2)` are
    /// two different, stable keys. The same as `TestKey::seeded(Alg::ES256, n)`.
    ///
    /// # Panics
    /// For `n = 255`, whose scalar would be zero, and `n = 254`, whose scalar (all `0xff`)
    /// is not below the group order.
    pub fn es256_seeded(n: u8) -> TestKey {
        let scalar = [n.wrapping_add(1); 32];
        let key = p256::ecdsa::SigningKey::from_bytes(&scalar.into())
            .unwrap_or_else(|e| panic!("seed {n} gives no P-256 key: {e}"));
        TestKey {
            alg: Alg::ES256,
            material: Material::P256(key),
        }
    }

    /// A deterministic key for `alg` and test number `n`: the same `(alg family, n)` gives
    /// the same key in every run, and different numbers give different keys, so a test can
    /// publish `seeded(alg, 1)` and rotate to `seeded(alg, 2)`. EdDSA and Ed25519 share
    /// their keys, as one Ed25519 key signs under both names.
    ///
    /// ES256 keys are those of [`TestKey::es256_seeded`]. For ES384, ES512 and Ed25519 the
    /// private key is taken from SHA-512 of the curve name and `n`, so every `n` works.
    ///
    /// # Panics
    /// For an RSA algorithm (RSA keys are the fixed ones of [`TestKey::rsa`]), and for
    /// ES256 as [`TestKey::es256_seeded`] does.
    pub fn seeded(alg: Alg, n: u8) -> TestKey {
        let seed = |curve: &str| -> [u8; 64] {
            Sha512::new()
                .chain_update(b"jose-testkit seeded key\0")
                .chain_update(curve.as_bytes())
                .chain_update([0, n])
                .finalize()
                .into()
        };
        let material = match alg.family() {
            Family::Rsa => panic!("{alg}: RSA test keys are fixed, see TestKey::rsa"),
            Family::P256 => return TestKey::es256_seeded(n).with_alg(alg),
            Family::P384 => {
                let mut scalar = [0u8; 48];
                scalar.copy_from_slice(&seed("P-384")[..48]);
                // Below 2^383, so below the group order (which starts with 0xff bytes).
                scalar[0] &= 0x7f;
                Material::P384(
                    p384::ecdsa::SigningKey::from_bytes(&scalar.into())
                        .unwrap_or_else(|e| panic!("seed {n} gives no P-384 key: {e}")),
                )
            }
            Family::P521 => {
                // 64 hash bytes after two zero bytes: below 2^512, so below the order.
                let mut scalar = [0u8; 66];
                scalar[2..].copy_from_slice(&seed("P-521"));
                Material::P521(
                    p521::ecdsa::SigningKey::from_slice(&scalar)
                        .unwrap_or_else(|e| panic!("seed {n} gives no P-521 key: {e}")),
                )
            }
            Family::Ed25519 => {
                // Any 32 bytes are an Ed25519 private key (RFC 8032 §5.1.5).
                let mut secret = [0u8; 32];
                secret.copy_from_slice(&seed("Ed25519")[..32]);
                Material::Ed25519(ed25519_dalek::SigningKey::from_bytes(&secret))
            }
        };
        TestKey { alg, material }
    }

    /// The same private key, signing with `alg` instead (RS256 to PS512 on one RSA key,
    /// EdDSA and Ed25519 on one Ed25519 key).
    ///
    /// # Panics
    /// If `alg` needs another kind of key.
    pub fn with_alg(&self, alg: Alg) -> TestKey {
        let fits = self.material.family() == alg.family();
        assert!(fits, "{alg} cannot sign with this {} key", self.alg);
        TestKey {
            alg,
            material: self.material.clone(),
        }
    }

    /// The algorithm this key signs with.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The public key as a JWK with only its key type and key parameters (RFC 7518 §6,
    /// RFC 8037 §2): `kty`, `n` and `e` for RSA; `kty`, `crv`, `x` and `y` for EC (each
    /// coordinate as long as the field: 32, 48 or 66 bytes); `kty: "OKP"`, `crv:
    /// "Ed25519"` and `x` for Ed25519.
    pub fn public_jwk(&self) -> Value {
        match &self.material {
            Material::Rsa(pair) => {
                let public: ring_sig::RsaPublicKeyComponents<Vec<u8>> = pair.public().into();
                json!({"kty": "RSA", "n": b64(&public.n), "e": b64(&public.e)})
            }
            Material::P256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                ec_jwk("P-256", point.x(), point.y())
            }
            Material::P384(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                ec_jwk("P-384", point.x(), point.y())
            }
            Material::P521(key) => {
                // p521 0.13's `SigningKey::verifying_key` is compiled out; `From` is not.
                let point = p521::ecdsa::VerifyingKey::from(key).to_encoded_point(false);
                ec_jwk("P-521", point.x(), point.y())
            }
            Material::Ed25519(key) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(key.verifying_key().as_bytes())})
            }
        }
    }

    /// The public JWK as an identity provider publishes it: [`TestKey::public_jwk`] plus
    /// `kid`, `use: "sig"` and `alg`. Edit the returned value for anything else (a
    /// missing `alg`, another `use`, an `x5c`).
    pub fn jwk(&self, kid: &str) -> Value {
        let mut jwk = self.public_jwk();
        if let Some(members) = jwk.as_object_mut() {
            members.insert("kid".into(), kid.into());
            members.insert("use".into(), "sig".into());
            members.insert("alg".into(), self.alg.name().into());
        }
        jwk
    }

    /// Signs `message` as a JWS signature of [`TestKey::alg`]: the bytes that go,
    /// base64url-encoded, into a compact JWS's third segment. For attack tests that build
    /// their own signing input.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.material {
            Material::Rsa(pair) => {
                let padding = self
                    .alg
                    .rsa_padding()
                    .unwrap_or_else(|| unreachable!("an RSA key always holds an RSA alg"));
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(
                    padding,
                    &ring::rand::SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .unwrap_or_else(|e| panic!("RSA signing failed: {e}"));
                signature
            }
            Material::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(message);
                signature.to_bytes().to_vec()
            }
            Material::P384(key) => {
                let signature: p384::ecdsa::Signature = key.sign(message);
                signature.to_bytes().to_vec()
            }
            Material::P521(key) => {
                let mut nonces = NonceStream::new(&key.to_bytes(), message);
                let signature: p521::ecdsa::Signature = key.sign_with_rng(&mut nonces, message);
                signature.to_bytes().to_vec()
            }
            Material::Ed25519(key) => key.sign(message).to_bytes().to_vec(),
        }
    }

    /// Starts a compact JWS / JWT signed by this key; see [`TokenBuilder`].
    pub fn token(&self) -> TokenBuilder<'_> {
        TokenBuilder::new(self)
    }

    /// The `alg` header member this key writes by default.
    pub(crate) fn default_header(&self) -> Map<String, Value> {
        let mut header = Map::new();
        header.insert("alg".into(), self.alg.name().into());
        header
    }
}

/// An EC public JWK from the coordinates of an uncompressed point, which always has both.
fn ec_jwk<C: AsRef<[u8]>>(crv: &str, x: Option<&C>, y: Option<&C>) -> Value {
    let (x, y) = (x.map(|x| b64(x.as_ref())), y.map(|y| b64(y.as_ref())));
    json!({"kty": "EC", "crv": crv, "x": x, "y": y})
}

/// The "random" bytes p521's randomized signer draws its nonce from: SHA-512 of the
/// private key, the message and a block counter. The nonce is secret (it depends on the
/// private key) and differs for every message, as a nonce must, and the same message
/// signed twice gives the same signature, as RFC 6979 does for the other curves.
struct NonceStream {
    seed: [u8; 64],
    block: [u8; 64],
    used: usize,
    counter: u64,
}

impl NonceStream {
    fn new(private: &[u8], message: &[u8]) -> NonceStream {
        let seed = Sha512::new()
            .chain_update(b"jose-testkit ES512 nonce\0")
            .chain_update(private)
            .chain_update(Sha512::digest(message))
            .finalize()
            .into();
        NonceStream {
            seed,
            block: [0; 64],
            used: 64,
            counter: 0,
        }
    }
}

impl RngCore for NonceStream {
    fn next_u32(&mut self) -> u32 {
        p521::elliptic_curve::rand_core::impls::next_u32_via_fill(self)
    }

    fn next_u64(&mut self) -> u64 {
        p521::elliptic_curve::rand_core::impls::next_u64_via_fill(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for byte in dest {
            if self.used == self.block.len() {
                self.block = Sha512::new()
                    .chain_update(self.seed)
                    .chain_update(self.counter.to_be_bytes())
                    .finalize()
                    .into();
                self.counter += 1;
                self.used = 0;
            }
            *byte = self.block[self.used];
            self.used += 1;
        }
    }

    fn try_fill_bytes(
        &mut self,
        dest: &mut [u8],
    ) -> Result<(), p521::elliptic_curve::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// Unpredictable to anyone without the private key, which is all a nonce needs.
impl CryptoRng for NonceStream {}

/// A JWK Set document, `{"keys": [...]}`, of `keys`.
pub fn jwks(keys: impl IntoIterator<Item = Value>) -> Value {
    json!({ "keys": keys.into_iter().collect::<Vec<_>>() })
}

/// The DER inside a PEM file's one block. The embedded files are ours, so a malformed one
/// is a bug in the kit.
fn pem_to_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .map(str::trim)
        .collect();
    Base64::decode_vec(&body).unwrap_or_else(|e| panic!("an embedded PEM file: {e}"))
}
