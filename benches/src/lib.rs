//! Fixtures shared by the jose benchmarks: realistic access tokens, the test keys that
//! sign them, and JWK Sets of any size (and [`quantile`], the harnesses' statistic).
//!
//! Everything here is built the same way every time, so every bench binary (and the
//! worker process the `verify` bench starts for a second jsonwebtoken backend) measures
//! the very same token bytes:
//!
//! - the keys are the **test keys** in `test-vectors/keys/` (RSA 2048/3072/4096 and
//!   EC P-256), compiled in with `include_str!`;
//! - the token is an RFC 9068-style access token (`typ: at+jwt`, `iss`, `sub`, `aud`,
//!   `exp`, `iat`, `nbf`, `jti`, `scope`, `client_id`), signed with the `rsa` and `p256`
//!   crates; PKCS#1 v1.5 and ECDSA (RFC 6979) signatures are deterministic, and the
//!   PSS salt comes from [`FixedRng`], a fixed byte stream;
//! - [`Fixture::validation`] pins the clock to [`NOW`] and requires [`ISSUER`] and
//!   [`AUDIENCE`], as a resource server would.
//!
//! `exp` lies far in the future ([`EXPIRES`]) because peers such as jsonwebtoken read
//! the system clock and cannot be given a fixed one.
//!
//! ```
//! use jose_benches::{Case, Fixture};
//! let fixture = Fixture::new(Case::Es256);
//! let verified = jose_core::verify_jwt(fixture.token(), fixture.key(), &fixture.validation());
//! assert!(verified.is_ok());
//! ```
#![forbid(unsafe_code)]

use jose_core::{Algorithm, Validation, VerifyingKey, base64url_encode};
use p256::ecdsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
use p256::pkcs8::DecodePrivateKey;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::rand_core::{CryptoRng, RngCore};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};

/// The fixed "now" of every validation: 2026-01-01T00:00:00Z.
pub const NOW: u64 = 1_767_225_600;
/// `exp` of the fixture tokens: 2100-01-01T00:00:00Z, so peers that read the system
/// clock accept them too.
pub const EXPIRES: u64 = 4_102_444_800;
/// The issuer the tokens carry and the validation requires.
pub const ISSUER: &str = "https://login.example.com/";
/// The audience the tokens carry and the validation requires.
pub const AUDIENCE: &str = "https://api.example.com/orders";

/// One measured combination of algorithm and key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// RS256 with the 2048-bit test key.
    Rs256_2048,
    /// RS256 with the 3072-bit test key.
    Rs256_3072,
    /// RS256 with the 4096-bit test key.
    Rs256_4096,
    /// PS256 with the 2048-bit test key.
    Ps256_2048,
    /// ES256 with the P-256 test key.
    Es256,
}

impl Case {
    /// Every case, in the order the reports list them.
    pub const ALL: [Case; 5] = [
        Case::Rs256_2048,
        Case::Rs256_3072,
        Case::Rs256_4096,
        Case::Ps256_2048,
        Case::Es256,
    ];

    /// The label used in bench names and tables, e.g. `"RS256-2048"`.
    pub fn label(self) -> &'static str {
        match self {
            Case::Rs256_2048 => "RS256-2048",
            Case::Rs256_3072 => "RS256-3072",
            Case::Rs256_4096 => "RS256-4096",
            Case::Ps256_2048 => "PS256-2048",
            Case::Es256 => "ES256",
        }
    }

    /// Looks a case up by its [label](Case::label).
    pub fn from_label(label: &str) -> Option<Case> {
        Case::ALL.into_iter().find(|case| case.label() == label)
    }

    /// The JWS algorithm.
    pub fn algorithm(self) -> Algorithm {
        match self {
            Case::Rs256_2048 | Case::Rs256_3072 | Case::Rs256_4096 => Algorithm::RS256,
            Case::Ps256_2048 => Algorithm::PS256,
            Case::Es256 => Algorithm::ES256,
        }
    }

    /// The test key that signs this case's token.
    pub fn test_key(self) -> TestKey {
        match self {
            Case::Rs256_2048 | Case::Ps256_2048 => TestKey::Rsa2048,
            Case::Rs256_3072 => TestKey::Rsa3072,
            Case::Rs256_4096 => TestKey::Rsa4096,
            Case::Es256 => TestKey::P256,
        }
    }
}

/// One of the private test keys in `test-vectors/keys/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKey {
    /// `rsa-2048.pem`.
    Rsa2048,
    /// `rsa-3072.pem`.
    Rsa3072,
    /// `rsa-4096.pem`.
    Rsa4096,
    /// `ec-p256.pem`.
    P256,
}

impl TestKey {
    /// The `kid` the fixtures give this key.
    pub fn kid(self) -> &'static str {
        match self {
            TestKey::Rsa2048 => "rsa-2048",
            TestKey::Rsa3072 => "rsa-3072",
            TestKey::Rsa4096 => "rsa-4096",
            TestKey::P256 => "ec-p256",
        }
    }

    /// The PKCS#8 PEM of the private key (test key only).
    pub fn private_pem(self) -> &'static str {
        match self {
            TestKey::Rsa2048 => include_str!("../../test-vectors/keys/rsa-2048.pem"),
            TestKey::Rsa3072 => include_str!("../../test-vectors/keys/rsa-3072.pem"),
            TestKey::Rsa4096 => include_str!("../../test-vectors/keys/rsa-4096.pem"),
            TestKey::P256 => include_str!("../../test-vectors/keys/ec-p256.pem"),
        }
    }

    fn rsa(self) -> RsaPrivateKey {
        RsaPrivateKey::from_pkcs8_pem(self.private_pem()).expect("an RSA test key")
    }

    fn p256(self) -> p256::ecdsa::SigningKey {
        p256::ecdsa::SigningKey::from_pkcs8_pem(self.private_pem()).expect("a P-256 test key")
    }

    /// The public half.
    pub fn public(self) -> PublicKey {
        match self {
            TestKey::P256 => {
                let point = self.p256().verifying_key().to_encoded_point(false);
                let (Some(x), Some(y)) = (point.x(), point.y()) else {
                    unreachable!("an uncompressed point has both coordinates")
                };
                PublicKey::P256 {
                    x: (*x).into(),
                    y: (*y).into(),
                }
            }
            _ => {
                let public = self.rsa().to_public_key();
                PublicKey::Rsa {
                    n: public.n().to_bytes_be(),
                    e: public.e().to_bytes_be(),
                }
            }
        }
    }
}

/// A public key in the raw forms the verifiers under test take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// Big-endian modulus and exponent.
    Rsa {
        /// The modulus.
        n: Vec<u8>,
        /// The public exponent.
        e: Vec<u8>,
    },
    /// P-256 affine coordinates.
    P256 {
        /// The x coordinate.
        x: [u8; 32],
        /// The y coordinate.
        y: [u8; 32],
    },
}

impl PublicKey {
    /// The two base64url JWK members: (`n`, `e`) for RSA, (`x`, `y`) for EC.
    pub fn jwk_members(&self) -> (String, String) {
        match self {
            PublicKey::Rsa { n, e } => (base64url_encode(n), base64url_encode(e)),
            PublicKey::P256 { x, y } => (base64url_encode(x), base64url_encode(y)),
        }
    }

    /// The key as a JWK object with this `kid`, `use: sig` and `alg`.
    pub fn to_jwk_json(&self, kid: &str, alg: Algorithm) -> String {
        let (a, b) = self.jwk_members();
        let jwk = match self {
            PublicKey::Rsa { .. } => serde_json::json!({
                "kty": "RSA", "use": "sig", "alg": alg.name(), "kid": kid, "n": a, "e": b,
            }),
            PublicKey::P256 { .. } => serde_json::json!({
                "kty": "EC", "use": "sig", "alg": alg.name(), "kid": kid, "crv": "P-256",
                "x": a, "y": b,
            }),
        };
        jwk.to_string()
    }

    /// The bytes aws-lc-rs (and ring) take: DER `RSAPublicKey` (PKCS#1) for RSA, the
    /// uncompressed SEC1 point for P-256.
    pub fn to_ring_bytes(&self) -> Vec<u8> {
        match self {
            PublicKey::Rsa { n, e } => RsaPublicKey::new(
                rsa::BigUint::from_bytes_be(n),
                rsa::BigUint::from_bytes_be(e),
            )
            .and_then(|k| Ok(k.to_pkcs1_der()?.into_vec()))
            .expect("a valid RSA public key"),
            PublicKey::P256 { x, y } => [&[0x04][..], x, y].concat(),
        }
    }

    /// Builds our verifying key from the raw components (what a JWK import does after
    /// base64url decoding).
    pub fn to_verifying_key(&self) -> VerifyingKey {
        match self {
            PublicKey::Rsa { n, e } => VerifyingKey::from_rsa_components(n, e),
            PublicKey::P256 { x, y } => VerifyingKey::from_p256_coordinates(x, y),
        }
        .expect("the test keys are valid")
    }
}

/// The claims of the fixture access token, as JSON (RFC 9068 §2.2).
pub fn access_token_claims() -> String {
    serde_json::json!({
        "iss": ISSUER,
        "sub": "5ba552d67",
        "aud": AUDIENCE,
        "exp": EXPIRES,
        "iat": NOW,
        "nbf": NOW,
        "jti": "dbe39bf3a3ba4238a513f51d6e1691c4",
        "scope": "openid profile orders:read orders:write",
        "client_id": "s6BhdRkqt3",
    })
    .to_string()
}

/// Signs an access token for `case` with its test key.
pub fn sign_access_token(case: Case) -> String {
    TokenSigner::new(case).sign(&access_token_claims())
}

/// Signs tokens for one [`Case`] with its test key, parsed once: the `http` bench signs
/// thousands of distinct tokens.
pub struct TokenSigner {
    case: Case,
    key: SigningKey,
}

enum SigningKey {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
}

impl TokenSigner {
    /// Loads the test key of `case`.
    pub fn new(case: Case) -> TokenSigner {
        let key = match case.test_key() {
            TestKey::P256 => SigningKey::P256(case.test_key().p256()),
            rsa_key => SigningKey::Rsa(Box::new(rsa_key.rsa())),
        };
        TokenSigner { case, key }
    }

    /// A compact JWS of `claims` (a JSON object) with the header `alg`, `typ: at+jwt`
    /// and the test key's `kid`.
    pub fn sign(&self, claims: &str) -> String {
        let case = self.case;
        let header = serde_json::json!({
            "alg": case.algorithm().name(),
            "typ": "at+jwt",
            "kid": case.test_key().kid(),
        })
        .to_string();
        let signing_input = format!(
            "{}.{}",
            base64url_encode(header.as_bytes()),
            base64url_encode(claims.as_bytes())
        );
        let signature: Vec<u8> = match (case.algorithm(), &self.key) {
            (Algorithm::RS256, SigningKey::Rsa(key)) => {
                rsa::pkcs1v15::SigningKey::<Sha256>::new((**key).clone())
                    .sign(signing_input.as_bytes())
                    .to_vec()
            }
            // Salt length = hash length, as RFC 7518 §3.5 requires.
            (Algorithm::PS256, SigningKey::Rsa(key)) => {
                rsa::pss::SigningKey::<Sha256>::new((**key).clone())
                    .sign_with_rng(&mut FixedRng::default(), signing_input.as_bytes())
                    .to_vec()
            }
            (Algorithm::ES256, SigningKey::P256(key)) => {
                let signature: p256::ecdsa::Signature = key.sign(signing_input.as_bytes());
                signature.to_bytes().to_vec()
            }
            (other, _) => unreachable!("no fixture uses {}", other.name()),
        };
        format!("{signing_input}.{}", base64url_encode(&signature))
    }
}

/// A signed token with the key that verifies it.
#[derive(Debug, Clone)]
pub struct Fixture {
    case: Case,
    token: String,
    public: PublicKey,
    key: VerifyingKey,
}

impl Fixture {
    /// Loads the test key of `case` and signs its access token.
    pub fn new(case: Case) -> Fixture {
        let public = case.test_key().public();
        Fixture {
            case,
            token: sign_access_token(case),
            key: public.to_verifying_key(),
            public,
        }
    }

    /// Which case this is.
    pub fn case(&self) -> Case {
        self.case
    }

    /// The compact JWS.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Our verifying key, built once.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The public key in raw form, for the peers.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The bytes the signature covers: `header.payload`.
    pub fn signing_input(&self) -> &[u8] {
        let end = self.token.rfind('.').expect("a compact JWS");
        &self.token.as_bytes()[..end]
    }

    /// The decoded signature.
    pub fn signature(&self) -> Vec<u8> {
        let start = self.token.rfind('.').expect("a compact JWS") + 1;
        jose_core::base64url_decode(&self.token[start..]).expect("base64url")
    }

    /// What a resource server checks: this case's algorithm only, [`ISSUER`],
    /// [`AUDIENCE`], `exp`/`nbf`/`iat` against the fixed clock [`NOW`] (60 s leeway).
    pub fn validation(&self) -> Validation {
        Validation::builder([self.case.algorithm()])
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .now(NOW)
            .build()
    }

    /// Everything [`jose_core::verify_jwt`] does to this token but the signature math,
    /// with this fixture's key as the one candidate: the jose side of the "all but
    /// signature" comparisons (the `paired` bench, the `path_loop` example). Returns
    /// nothing from the token; `Ok` says nothing about whether it is genuine.
    pub fn verify_without_signature(&self, validation: &Validation) -> jose_core::Result<()> {
        jose_core::internal::bench_verify_jwt_without_signature(
            std::hint::black_box(self.token()),
            validation,
            |_| Ok::<_, jose_core::Error>([self.key()]),
        )
    }
}

/// The `kid` of the `index`-th key in [`jwks_json`].
pub fn jwks_kid(index: usize) -> String {
    format!("key-{index:04}")
}

/// A JWK Set document of `keys` RSA-2048 signing keys (`kid` from [`jwks_kid`], `use`
/// `sig`, `alg` RS256), as an identity provider publishes them.
///
/// Every entry carries the 2048-bit test key's public half: importing a key costs the
/// same whichever modulus it has, and generating hundreds of distinct keys would only
/// slow the benches' start.
pub fn jwks_json(keys: usize) -> String {
    let public = TestKey::Rsa2048.public();
    let entries: Vec<String> = (0..keys)
        .map(|i| public.to_jwk_json(&jwks_kid(i), Algorithm::RS256))
        .collect();
    format!("{{\"keys\":[{}]}}", entries.join(","))
}

/// A JWK Set with the public halves of all four test keys, each under its
/// [`TestKey::kid`], with the `alg` the fixtures sign with (RS256 for RSA, ES256).
pub fn test_keys_jwks_json() -> String {
    let entries: Vec<String> = [
        (TestKey::Rsa2048, Algorithm::RS256),
        (TestKey::Rsa3072, Algorithm::RS256),
        (TestKey::Rsa4096, Algorithm::RS256),
        (TestKey::P256, Algorithm::ES256),
    ]
    .into_iter()
    .map(|(key, alg)| key.public().to_jwk_json(key.kid(), alg))
    .collect();
    format!("{{\"keys\":[{}]}}", entries.join(","))
}

/// A deterministic stand-in for a random number generator: SHA-256 in counter mode
/// over a fixed seed. It only makes the PSS salt of the fixture reproducible, so every
/// process signs the same token; it is **not** random and must never sign anything real.
#[derive(Debug, Clone, Default)]
pub struct FixedRng {
    counter: u64,
}

impl RngCore for FixedRng {
    fn next_u32(&mut self) -> u32 {
        rsa::rand_core::impls::next_u32_via_fill(self)
    }

    fn next_u64(&mut self) -> u64 {
        rsa::rand_core::impls::next_u64_via_fill(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(32) {
            let block = Sha256::new()
                .chain_update(b"jose-benches fixed rng")
                .chain_update(self.counter.to_le_bytes())
                .finalize();
            self.counter += 1;
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for FixedRng {}

/// Whether a bench binary with its own harness should take its full measurement, or only
/// run each part briefly to show it works: `cargo bench` passes `--bench`, `cargo test
/// --bench …` (CI) passes nothing, and `cargo bench -- --test` (the bench build, each
/// benchmark run once) adds criterion's `--test`.
pub fn full_measurement() -> bool {
    full_measurement_from(std::env::args())
}

fn full_measurement_from(args: impl IntoIterator<Item = String>) -> bool {
    let (mut bench, mut test) = (false, false);
    for arg in args {
        bench |= arg == "--bench";
        test |= arg == "--test";
    }
    bench && !test
}

/// Lets `threads` threads start together: each [`StartLine::wait`] returns once all of
/// them have called it.
///
/// Why not `std::sync::Barrier`: a thread waiting in a `Barrier` sleeps, and the last
/// arrival's wake-up lets Linux place the woken thread on the waker's CPU, where the two
/// share one core until the load balancer moves one, often longer than a 20 ms block.
/// Then even a loop with no shared data fails to "scale" in blocks of a few milliseconds:
/// a measure of the scheduler, not of the code. Waiting threads here stay runnable (they
/// yield rather than sleep), so each keeps the CPU it was started on; if the scheduler
/// does put two on one CPU, they still run one after the other and the measured span
/// shows it.
pub struct StartLine {
    threads: usize,
    arrived: std::sync::atomic::AtomicUsize,
}

impl StartLine {
    /// A start line for `threads` threads.
    pub fn new(threads: usize) -> Self {
        Self {
            threads,
            arrived: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Returns once `threads` calls have arrived (at once for the last of them).
    pub fn wait(&self) {
        use std::sync::atomic::Ordering;
        self.arrived.fetch_add(1, Ordering::AcqRel);
        while self.arrived.load(Ordering::Acquire) < self.threads {
            std::thread::yield_now();
        }
    }
}

/// What [`alternate`] measured, each list sorted: the first side's times, the second's,
/// and the per-round ratios first ÷ second.
pub struct Alternated {
    /// The first side's times.
    pub first: Vec<f64>,
    /// The second side's times.
    pub second: Vec<f64>,
    /// Each round's first ÷ second.
    pub ratios: Vec<f64>,
}

/// Times two sides in `rounds` rounds, the order alternating (first side first in even
/// rounds), so that a drift slower than a round cancels out of each round's ratio: the
/// interleaving of the `paired` and `threads` harnesses.
pub fn alternate(
    rounds: usize,
    mut first: impl FnMut() -> f64,
    mut second: impl FnMut() -> f64,
) -> Alternated {
    let mut out = Alternated {
        first: Vec::with_capacity(rounds),
        second: Vec::with_capacity(rounds),
        ratios: Vec::with_capacity(rounds),
    };
    for round in 0..rounds {
        let (a, b) = if round % 2 == 0 {
            let a = first();
            (a, second())
        } else {
            let b = second();
            (first(), b)
        };
        out.first.push(a);
        out.second.push(b);
        out.ratios.push(a / b);
    }
    for values in [&mut out.first, &mut out.second, &mut out.ratios] {
        values.sort_by(f64::total_cmp);
    }
    out
}

/// The `q` quantile (0 ≤ q ≤ 1) of non-empty, sorted values, by nearest rank: the
/// harnesses' one way of reading a median, a quartile or the fastest run.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_measurement_only_under_cargo_bench_without_test() {
        let args = |list: &[&str]| list.iter().map(|a| a.to_string()).collect::<Vec<_>>();
        assert!(full_measurement_from(args(&["paired", "--bench"])));
        assert!(!full_measurement_from(args(&["paired"])));
        assert!(!full_measurement_from(args(&[
            "paired", "--bench", "--test"
        ])));
        assert!(!full_measurement_from(args(&[
            "paired", "--test", "--bench"
        ])));
    }

    #[test]
    fn start_line_holds_each_thread_until_the_last_arrives() {
        use std::time::{Duration, Instant};
        let line = StartLine::new(2);
        let (passed, last_arrival) = std::thread::scope(|scope| {
            let early = scope.spawn(|| {
                line.wait();
                Instant::now()
            });
            std::thread::sleep(Duration::from_millis(50));
            let last_arrival = Instant::now();
            line.wait();
            (early.join().expect("the early thread"), last_arrival)
        });
        assert!(
            passed >= last_arrival,
            "the early thread passed before the last arrived"
        );
    }

    #[test]
    fn alternate_swaps_the_order_every_round() {
        let order = std::cell::RefCell::new(Vec::new());
        let result = alternate(
            3,
            || {
                order.borrow_mut().push('a');
                2.0
            },
            || {
                order.borrow_mut().push('b');
                4.0
            },
        );
        assert_eq!(*order.borrow(), ['a', 'b', 'b', 'a', 'a', 'b']);
        assert_eq!(result.ratios, [0.5, 0.5, 0.5]);
        assert_eq!((result.first.len(), result.second.len()), (3, 3));
    }

    #[test]
    fn quantile_reads_by_nearest_rank() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        let at = |q| quantile(&sorted, q);
        assert_eq!(
            [at(0.0), at(0.25), at(0.5), at(0.75), at(1.0)],
            [1.0, 2.0, 3.0, 4.0, 5.0]
        );
        assert_eq!(quantile(&[7.0, 9.0], 0.1), 7.0);
        assert_eq!(quantile(&[7.0], 0.5), 7.0);
    }

    #[test]
    fn every_fixture_verifies() {
        for case in Case::ALL {
            let fixture = Fixture::new(case);
            let verified =
                jose_core::verify_jwt(fixture.token(), fixture.key(), &fixture.validation())
                    .unwrap_or_else(|e| panic!("{}: {e}", case.label()));
            assert_eq!(verified.claims().iss(), Some(ISSUER));
            assert_eq!(verified.header().kid(), Some(case.test_key().kid()));
            fixture
                .key()
                .verify_signature(
                    case.algorithm(),
                    fixture.signing_input(),
                    &fixture.signature(),
                )
                .unwrap();
        }
    }

    #[test]
    fn tokens_are_reproducible() {
        for case in Case::ALL {
            assert_eq!(
                sign_access_token(case),
                sign_access_token(case),
                "{}",
                case.label()
            );
            assert_eq!(Case::from_label(case.label()), Some(case));
        }
    }

    #[test]
    fn jwks_fixture_parses_and_finds_every_kid() {
        let set = jose_jwk::JwkSet::from_json(jwks_json(10).as_bytes()).unwrap();
        assert_eq!(set.len(), 10);
        for i in 0..10 {
            assert_eq!(set.get(&jwks_kid(i)).count(), 1);
        }
    }

    #[test]
    fn test_keys_jwks_verifies_the_rs256_and_es256_fixtures() {
        let set = jose_jwk::JwkSet::from_json(test_keys_jwks_json().as_bytes()).unwrap();
        assert_eq!(set.len(), 4);
        for case in [
            Case::Rs256_2048,
            Case::Rs256_3072,
            Case::Rs256_4096,
            Case::Es256,
        ] {
            let fixture = Fixture::new(case);
            let verified = set
                .verify_jwt(fixture.token(), &fixture.validation())
                .unwrap();
            assert_eq!(verified.key().kid(), Some(case.test_key().kid()));
        }
    }

    #[test]
    fn ring_bytes_have_the_expected_shape() {
        let ec = TestKey::P256.public().to_ring_bytes();
        assert_eq!((ec.len(), ec[0]), (65, 0x04));
        let rsa = TestKey::Rsa2048.public().to_ring_bytes();
        assert_eq!(rsa[0], 0x30, "a DER SEQUENCE");
    }
}
