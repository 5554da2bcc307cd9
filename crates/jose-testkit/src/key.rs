//! Signing keys for every supported algorithm, their public JWKs, and raw signatures.

use std::fmt;
use std::sync::{Arc, OnceLock};

use base64ct::{Base64, Encoding};
use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::DecodePrivateKey as _;
use ring::signature::{self as ring_sig, RsaKeyPair};
use serde_json::{Map, Value, json};

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
}

/// A private test key bound to one algorithm: signs tokens and raw bytes, and gives its
/// public JWK.
///
/// Keys are fixed (embedded PEM files) or derived from a seed number, so every run signs
/// with the same keys; ES256 and RSASSA-PKCS1-v1_5 signatures are deterministic too
/// (PSS salts are random, as the algorithm requires).
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
    /// The default fixed key for `alg`: `rsa-2048.pem` for the RSA algorithms,
    /// `ec-p256.pem` for ES256 (both from `test-vectors/keys/`).
    pub fn new(alg: Alg) -> TestKey {
        match alg {
            Alg::ES256 => {
                let der = pem_to_der(include_str!("../../../test-vectors/keys/ec-p256.pem"));
                let key = p256::ecdsa::SigningKey::from_pkcs8_der(&der)
                    .unwrap_or_else(|e| panic!("the embedded P-256 key: {e}"));
                TestKey {
                    alg,
                    material: Material::P256(key),
                }
            }
            rsa => TestKey::rsa(RsaSize::Bits2048, rsa),
        }
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
    /// two different, stable keys.
    ///
    /// # Panics
    /// For `n = 255`, whose scalar would be zero.
    pub fn es256_seeded(n: u8) -> TestKey {
        let scalar = [n.wrapping_add(1); 32];
        // A scalar of one repeated non-zero byte is far below the group order, and
        // `n + 1` wraps to 0 only for n = 255.
        let key = p256::ecdsa::SigningKey::from_bytes(&scalar.into())
            .unwrap_or_else(|e| panic!("seed {n} gives no P-256 key: {e}"));
        TestKey {
            alg: Alg::ES256,
            material: Material::P256(key),
        }
    }

    /// The same private key, signing with `alg` instead (RS256 to PS512 on one RSA key).
    ///
    /// # Panics
    /// If `alg` needs another kind of key.
    pub fn with_alg(&self, alg: Alg) -> TestKey {
        let fits = match self.material {
            Material::Rsa(_) => alg.is_rsa(),
            Material::P256(_) => alg == Alg::ES256,
        };
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

    /// The public key as a JWK with only its key type and key parameters (RFC 7518 §6):
    /// `kty`, `n` and `e` for RSA; `kty`, `crv`, `x` and `y` for EC.
    pub fn public_jwk(&self) -> Value {
        match &self.material {
            Material::Rsa(pair) => {
                let public: ring_sig::RsaPublicKeyComponents<Vec<u8>> = pair.public().into();
                json!({"kty": "RSA", "n": b64(&public.n), "e": b64(&public.e)})
            }
            Material::P256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                // An uncompressed point always carries both coordinates.
                let (x, y) = (point.x().map(|x| b64(x)), point.y().map(|y| b64(y)));
                json!({"kty": "EC", "crv": "P-256", "x": x, "y": y})
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
