//! `paired`: jose against each in-process peer, **interleaved**, reporting the ratio.
//!
//! Why a second harness next to criterion's `verify` group: on a shared VM the speed of a
//! core drifts by tens of percent over minutes (another tenant on the host's sibling
//! hyperthread, frequency changes), and criterion measures one benchmark after the other,
//! so two rows of one run can see different machines. Here each round times a block of
//! jose verifications and then a block of the peer's (the order alternating between
//! rounds), both on the calling thread's CPU clock, and takes the ratio of the two
//! blocks; a drift slower than a round (a few milliseconds) cancels out of every ratio.
//! The report is the median ratio over the rounds with its interquartile range, and the
//! median time per verification of each side. A last column divides jose's fastest block
//! by the peer's fastest: when another tenant slows the machine down for seconds at a
//! time, every round's ratio can move (jose's column-scanned RSA suffers more from a busy
//! sibling than aws-lc's assembly), while each side's fastest block still estimates its
//! uncontended speed.
//!
//! | pair | jose side | peer side |
//! |---|---|---|
//! | `vs jsonwebtoken+aws-lc` | `jose_core::verify_jwt` (parse, allowlist, signature, claims) | `jsonwebtoken::decode` (aws-lc-rs backend), same checks |
//! | `vs raw aws-lc-rs` | the same full jose verification | `ParsedPublicKey::verify_sig` alone (no parsing, no claims) |
//! | `fresh key vs raw p256` (ES256 only) | a key imported from its JWK members (`from_jwk_ec`) and its first `verify_signature`, inside the iteration: the cold path after a rotation, signature only | `p256` 0.13 alone: `VerifyingKey::from_sec1_bytes` on the uncompressed point (already decoded) and `verify` (SHA-256 included) |
//! | `fresh key, whole JWT vs raw p256` (ES256 only) | the same import, then a full `verify_jwt` (parse, allowlist, claims) | the same raw `p256` side |
//! | ES384/ES512/EdDSA `vs jsonwebtoken+aws-lc`, `vs raw aws-lc-rs` | as above, on the PyJWT interop tokens (`curve_rows`; jsonwebtoken has no ES512) | as above |
//! | ES384/ES512/EdDSA `fresh key vs raw RustCrypto crate` | import from the JWK members and the key's first `verify_signature` | `p384`/`p521`/`ed25519-dalek` alone: key from the decoded point, `verify` (`verify_strict` for Ed25519) |
//! | `TokenCache hit vs fresh verification` (RS256-2048 only) | `jose_jwk::TokenCache::verify` of a token it already holds: SHA-256 of the token, a lookup, the claims checked again at the current time, the key checked against the set | `JwkSet::verify_jwt` of the same token (what a miss costs) |
//! | `all but signature vs insecure_decode` | `JwkSet::verify_jwt`'s path with the signature math left out (`internal::bench_verify_jwt_without_signature` with the fixture's key as the one candidate, as `verify_jwt` has it; claims validated) | `jsonwebtoken::dangerous::insecure_decode` into a JSON map (header and claims, no checks) |
//!
//! The jsonwebtoken RustCrypto backend cannot share a process with the aws-lc one (the
//! crypto provider is process-global), so it is measured only by the `verify` bench;
//! its ratio to jose is near 10×, far outside the drift this harness is for.
//!
//! `cargo bench -p jose-benches --bench paired` runs 41 rounds of ~20 ms blocks per pair;
//! under `cargo test` (CI) or `cargo bench -- --test`, it runs 3 short rounds as a
//! smoke test ([`jose_benches::full_measurement`]).

mod peers;

use std::hint::black_box;

use cpu_time::ThreadTime;
use jose_benches::{
    Alternated, Case, Fixture, PublicKey, alternate, quantile, test_keys_jwks_json,
};
use jose_jwk::{JwkSet, TokenCache, TokenCacheOptions};
use serde_json::{Map, Value};

use crate::peers::{AwsLcRaw, JwtPeer};

/// CPU time per iteration of `f` over a block of `iters` iterations, in nanoseconds.
fn block(iters: u64, f: &dyn Fn()) -> f64 {
    let start = ThreadTime::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed().as_nanos() as f64 / iters as f64
}

/// One side of a pair: a single verification (or its stand-in), timed in blocks.
type Side<'a> = &'a dyn Fn();

struct Paired {
    jose_ns: f64,
    peer_ns: f64,
    ratio: f64,
    ratio_q1: f64,
    ratio_q3: f64,
    /// jose's fastest block over the peer's fastest.
    fastest_ratio: f64,
}

/// Interleaves blocks of `jose` and `peer` for `rounds` rounds of about `block_ns` each.
fn paired(rounds: usize, block_ns: f64, jose: &dyn Fn(), peer: &dyn Fn()) -> Paired {
    // Calibrate the block sizes on a short warm-up of each side.
    let warm_jose = block(20, jose);
    let warm_peer = block(20, peer);
    let iters = |ns: f64| ((block_ns / ns) as u64).clamp(1, 1_000_000);
    let (jose_iters, peer_iters) = (iters(warm_jose), iters(warm_peer));
    let Alternated {
        first: jose_ns,
        second: peer_ns,
        ratios,
    } = alternate(
        rounds,
        || block(jose_iters, jose),
        || block(peer_iters, peer),
    );
    Paired {
        jose_ns: quantile(&jose_ns, 0.5),
        peer_ns: quantile(&peer_ns, 0.5),
        ratio: quantile(&ratios, 0.5),
        ratio_q1: quantile(&ratios, 0.25),
        ratio_q3: quantile(&ratios, 0.75),
        fastest_ratio: quantile(&jose_ns, 0.0) / quantile(&peer_ns, 0.0),
    }
}

/// The ES256 fixture's key as a fresh key on both sides: jose from the base64url JWK
/// members, `p256` from the SEC1 point.
struct FreshEc<'f> {
    fixture: &'f Fixture,
    members: (String, String),
    sec1: Vec<u8>,
    signature: Vec<u8>,
}

impl<'f> FreshEc<'f> {
    /// `None` for the RSA cases.
    fn new(fixture: &'f Fixture) -> Option<FreshEc<'f>> {
        let public = fixture.public();
        if !matches!(public, PublicKey::P256 { .. }) {
            return None;
        }
        let fresh = FreshEc {
            fixture,
            members: public.jwk_members(),
            sec1: public.to_ring_bytes(),
            signature: fixture.signature(),
        };
        fresh.jose_signature();
        fresh.jose_jwt(&fixture.validation());
        fresh.p256();
        Some(fresh)
    }

    fn import(&self) -> jose_core::VerifyingKey {
        let (x, y) = &self.members;
        jose_core::VerifyingKey::from_jwk_ec("P-256", black_box(x), black_box(y))
            .expect("the test key imports")
    }

    fn jose_signature(&self) {
        self.import()
            .verify_signature(
                jose_core::Algorithm::ES256,
                black_box(self.fixture.signing_input()),
                black_box(&self.signature),
            )
            .expect("jose verifies the fixture's signature");
    }

    fn jose_jwt(&self, validation: &jose_core::Validation) {
        jose_core::verify_jwt(black_box(self.fixture.token()), &self.import(), validation)
            .expect("jose verifies the fixture");
    }

    fn p256(&self) {
        use p256::ecdsa::signature::Verifier;
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(black_box(&self.sec1))
            .expect("p256 accepts the test key");
        let signature = p256::ecdsa::Signature::from_slice(black_box(&self.signature))
            .expect("a 64-octet signature");
        key.verify(black_box(self.fixture.signing_input()), &signature)
            .expect("p256 verifies the fixture's signature");
    }
}

fn main() {
    if peers::serve_if_worker() {
        return;
    }
    let benching = jose_benches::full_measurement();
    let (rounds, block_ns) = if benching { (41, 20e6) } else { (3, 1e5) };
    peers::install_aws_lc();
    println!(
        "| case | pair | jose | peer | jose ÷ peer (median) | interquartile | fastest ÷ fastest |"
    );
    println!("|---|---|---|---|---|---|---|");
    for case in Case::ALL {
        let fixture = Fixture::new(case);
        let validation = fixture.validation();
        let jwt = JwtPeer::new(&fixture);
        let aws_lc = AwsLcRaw::new(&fixture);
        let jose = || {
            jose_core::verify_jwt(black_box(fixture.token()), fixture.key(), &validation)
                .expect("jose verifies the fixture");
        };
        jose();
        let jwt_verify = || {
            black_box(jwt.verify());
        };
        let raw_verify = || aws_lc.verify();
        let jose_without_signature = || {
            fixture
                .verify_without_signature(&validation)
                .expect("everything but the signature checks out");
        };
        let insecure_decode = || {
            jsonwebtoken::dangerous::insecure_decode::<Map<String, Value>>(black_box(
                fixture.token(),
            ))
            .expect("decodes");
        };
        let fresh = FreshEc::new(&fixture);
        let es256 = || fresh.as_ref().expect("pushed for ES256 only");
        let jose_fresh_signature = || es256().jose_signature();
        let jose_fresh_jwt = || es256().jose_jwt(&validation);
        let p256_fresh = || es256().p256();
        let set = JwkSet::from_json(test_keys_jwks_json().as_bytes()).expect("the test keys");
        let cache = TokenCache::new(validation.clone(), TokenCacheOptions::default());
        let set_verify = || {
            black_box(set.verify_jwt(black_box(fixture.token()), &validation))
                .expect("the set verifies the fixture");
        };
        let cache_hit = || {
            let token = black_box(fixture.token());
            black_box(cache.verify(token, |key| set.contains(key), |v| set.verify_jwt(token, v)))
                .expect("the cache verifies the fixture");
        };
        let mut pairs: Vec<(&str, Side<'_>, Side<'_>)> = vec![
            ("vs jsonwebtoken+aws-lc", &jose, &jwt_verify),
            ("vs raw aws-lc-rs", &jose, &raw_verify),
        ];
        if fresh.is_some() {
            pairs.push(("fresh key vs raw p256", &jose_fresh_signature, &p256_fresh));
            pairs.push((
                "fresh key, whole JWT vs raw p256",
                &jose_fresh_jwt,
                &p256_fresh,
            ));
        }
        if case == Case::Rs256_2048 {
            cache_hit();
            assert_eq!(
                cache.stats().entries,
                1,
                "the first call stores the verdict"
            );
            pairs.push((
                "TokenCache hit vs fresh verification",
                &cache_hit,
                &set_verify,
            ));
        }
        pairs.push((
            "all but signature vs insecure_decode",
            &jose_without_signature,
            &insecure_decode,
        ));
        for (name, jose, peer) in pairs {
            let result = paired(rounds, block_ns, jose, peer);
            assert!(result.ratio.is_finite() && result.ratio > 0.0);
            assert!(result.fastest_ratio.is_finite() && result.fastest_ratio > 0.0);
            println!(
                "| {} | {name} | {:.1} µs | {:.1} µs | {:.2}× | {:.2}–{:.2} | {:.2}× |",
                case.label(),
                result.jose_ns / 1e3,
                result.peer_ns / 1e3,
                result.ratio,
                result.ratio_q1,
                result.ratio_q3,
                result.fastest_ratio,
            );
        }
    }
    curve_rows(rounds, block_ns);
}

/// ES384, ES512 and EdDSA, from the PyJWT interop fixtures (`test-vectors/interop/
/// pyjwt-curves-tokens.json`, keys in `jwks-curves.json`): jose with its key kept and
/// warm, against jsonwebtoken+aws-lc (ES384 and EdDSA: jsonwebtoken has no ES512) and
/// raw aws-lc-rs; and a fresh key's first verification (import from the JWK members and
/// `verify_signature`) against the curve's own RustCrypto crate alone (key from the
/// decoded point, `verify` with its hash).
fn curve_rows(rounds: usize, block_ns: f64) {
    use aws_lc_rs::signature;
    use jose_core::{Algorithm, Validation, VerifyingKey, base64url_decode};

    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../test-vectors/interop/");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(format!("{root}{name}")).unwrap()).unwrap()
    };
    let jwks = read("jwks-curves.json");
    let tokens = read("pyjwt-curves-tokens.json");
    let rules = &tokens["validation"];
    for (name, kid) in [
        ("es384", "ec-p384"),
        ("es512", "ec-p521"),
        ("eddsa", "ed25519"),
    ] {
        let case = tokens["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap();
        let jwk = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == kid)
            .unwrap();
        let member = |m: &str| jwk[m].as_str().unwrap_or("").to_owned();
        let (crv, x, y) = (member("crv"), member("x"), member("y"));
        let alg = Algorithm::from_name(case["alg"].as_str().unwrap()).unwrap();
        let token = case["token"].as_str().unwrap().to_owned();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let (input, sig) = (input.as_bytes().to_vec(), base64url_decode(sig).unwrap());
        let import = |crv: &str, x: &str, y: &str| match alg {
            Algorithm::EdDSA => VerifyingKey::from_jwk_okp(crv, x),
            _ => VerifyingKey::from_jwk_ec(crv, x, y),
        };
        let key = import(&crv, &x, &y).unwrap();
        let validation = Validation::builder([alg])
            .issuer(rules["iss"].as_str().unwrap())
            .audience(rules["aud"].as_str().unwrap())
            .now(rules["now"].as_u64().unwrap())
            .build();
        let jose = || {
            jose_core::verify_jwt(black_box(&token), &key, &validation)
                .expect("jose verifies the fixture");
        };
        jose();
        jose();
        let raw_x = base64url_decode(&x).unwrap();
        let point = match alg {
            Algorithm::EdDSA => raw_x.clone(),
            _ => [&[4u8][..], &raw_x, &base64url_decode(&y).unwrap()].concat(),
        };
        let aws_alg: &'static dyn signature::VerificationAlgorithm = match alg {
            Algorithm::ES384 => &signature::ECDSA_P384_SHA384_FIXED,
            Algorithm::ES512 => &signature::ECDSA_P521_SHA512_FIXED,
            _ => &signature::ED25519,
        };
        let aws = signature::ParsedPublicKey::new(aws_alg, point.clone()).unwrap();
        let raw_verify = || {
            aws.verify_sig(black_box(&input), black_box(&sig))
                .expect("aws-lc-rs verifies the fixture");
        };
        raw_verify();
        let jwt = match alg {
            Algorithm::ES384 => Some((
                jsonwebtoken::DecodingKey::from_ec_components(&x, &y).unwrap(),
                jsonwebtoken::Algorithm::ES384,
            )),
            Algorithm::EdDSA => Some((
                jsonwebtoken::DecodingKey::from_ed_components(&x).unwrap(),
                jsonwebtoken::Algorithm::EdDSA,
            )),
            _ => None,
        }
        .map(|(key, jwt_alg)| {
            let mut v = jsonwebtoken::Validation::new(jwt_alg);
            v.set_issuer(&[rules["iss"].as_str().unwrap()]);
            v.set_audience(&[rules["aud"].as_str().unwrap()]);
            v.validate_nbf = true;
            // The fixtures' exp is in the past of the system clock jsonwebtoken reads;
            // jose checks it against the fixtures' `now`, at the same cost.
            v.validate_exp = false;
            (key, v)
        });
        let jwt_verify = || {
            let (key, v) = jwt.as_ref().expect("only for ES384 and EdDSA");
            black_box(
                jsonwebtoken::decode::<Map<String, Value>>(black_box(&token), key, v)
                    .expect("jsonwebtoken verifies the fixture"),
            );
        };
        let jose_fresh = || {
            let key = import(black_box(&crv), black_box(&x), black_box(&y)).unwrap();
            key.verify_signature(alg, black_box(&input), black_box(&sig))
                .expect("a fresh key verifies");
        };
        let crate_fresh = || {
            use p384::ecdsa::signature::Verifier;
            let ok = match alg {
                Algorithm::ES384 => {
                    let k = p384::ecdsa::VerifyingKey::from_sec1_bytes(black_box(&point)).unwrap();
                    let s = p384::ecdsa::Signature::from_slice(black_box(&sig)).unwrap();
                    k.verify(&input, &s).is_ok()
                }
                Algorithm::ES512 => {
                    let k = p521::ecdsa::VerifyingKey::from_sec1_bytes(black_box(&point)).unwrap();
                    let s = p521::ecdsa::Signature::from_slice(black_box(&sig)).unwrap();
                    k.verify(&input, &s).is_ok()
                }
                _ => {
                    let bytes: [u8; 32] = black_box(&point[..]).try_into().unwrap();
                    let k = ed25519_dalek::VerifyingKey::from_bytes(&bytes).unwrap();
                    let s = ed25519_dalek::Signature::from_slice(black_box(&sig)).unwrap();
                    k.verify_strict(&input, &s).is_ok()
                }
            };
            assert!(ok, "the raw crate verifies the fixture");
        };
        let mut pairs: Vec<(&str, Side<'_>, Side<'_>)> = Vec::new();
        if jwt.is_some() {
            pairs.push(("vs jsonwebtoken+aws-lc", &jose, &jwt_verify));
        }
        pairs.push(("vs raw aws-lc-rs", &jose, &raw_verify));
        pairs.push((
            "fresh key vs raw RustCrypto crate",
            &jose_fresh,
            &crate_fresh,
        ));
        for (pair, jose, peer) in pairs {
            let result = paired(rounds, block_ns, jose, peer);
            assert!(result.ratio.is_finite() && result.ratio > 0.0);
            println!(
                "| {} | {pair} | {:.1} µs | {:.1} µs | {:.2}× | {:.2}–{:.2} | {:.2}× |",
                alg.name(),
                result.jose_ns / 1e3,
                result.peer_ns / 1e3,
                result.ratio,
                result.ratio_q1,
                result.ratio_q3,
                result.fastest_ratio,
            );
        }
    }
}
