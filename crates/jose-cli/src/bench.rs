//! `jose bench`: verifications per second per algorithm and key size, like
//! `openssl speed`, on this machine, with nothing to download or configure.
//!
//! At startup it loads its keys (the RSA 2048/3072/4096 test keys of `test-vectors/keys`,
//! compiled in, signed with `ring`; a fresh P-256 key from the OS random number generator,
//! signed with `p256`; fresh P-384, P-521 and Ed25519 keys, signed with `p384`, `p521`
//! and `ed25519-dalek`) and signs one realistic access token per case (RFC 9068 claims:
//! `iss`, `sub`, `aud`, `exp`, `iat`, `nbf`, `jti`, `scope`, `client_id`). Each
//! measurement then runs `jose_core::verify_jwt` in a loop for the requested time: parse,
//! allowlist, signature, and the `iss`/`aud`/`exp`/`nbf`/`iat` checks, with the key built
//! once as a service keeps it. The signing crates only make the tokens; every
//! verification is jose-core's own.
//!
//! Why fixed RSA keys signed with `ring`: verification speed does not depend on which key
//! of a size it is, and `ring` is already linked for the fetcher's TLS. Generating RSA
//! keys would need the `rsa` crate, whose advisory for private-key timing
//! (RUSTSEC-2023-0071) `cargo audit` would then report for every install of the CLI. The
//! keys are public test keys: they sign benchmark tokens and nothing else.

use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jose_core::{Algorithm, Validation, VerifyingKey, base64url_encode, verify_jwt};
use p256::ecdsa::signature::{RandomizedSigner, Signer};
use rand_core::{OsRng, RngCore};
use ring::rand::SystemRandom;
use ring::rsa::PublicKeyComponents;
use ring::signature::{RSA_PKCS1_SHA256, RSA_PSS_SHA256, RsaEncoding, RsaKeyPair};
use serde_json::{Value, json};

use crate::UsageError;
use crate::cli::BenchArgs;
use crate::output;

const ISSUER: &str = "https://login.example.com/";
const AUDIENCE: &str = "https://api.example.com/orders";

/// The key a case needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeySpec {
    Rsa(usize),
    P256,
    P384,
    P521,
    Ed25519,
}

impl KeySpec {
    fn name(self) -> String {
        match self {
            KeySpec::Rsa(bits) => format!("RSA-{bits}"),
            KeySpec::P256 => "P-256".to_owned(),
            KeySpec::P384 => "P-384".to_owned(),
            KeySpec::P521 => "P-521".to_owned(),
            KeySpec::Ed25519 => "Ed25519".to_owned(),
        }
    }
}

/// One measured case: (label, algorithm, key).
const CASES: [(&str, Algorithm, KeySpec); 8] = [
    ("RS256-2048", Algorithm::RS256, KeySpec::Rsa(2048)),
    ("RS256-3072", Algorithm::RS256, KeySpec::Rsa(3072)),
    ("RS256-4096", Algorithm::RS256, KeySpec::Rsa(4096)),
    ("PS256-2048", Algorithm::PS256, KeySpec::Rsa(2048)),
    ("ES256", Algorithm::ES256, KeySpec::P256),
    ("ES384", Algorithm::ES384, KeySpec::P384),
    ("ES512", Algorithm::ES512, KeySpec::P521),
    ("EdDSA", Algorithm::EdDSA, KeySpec::Ed25519),
];

/// The RSA test keys (PKCS#8 PEM) by modulus size.
const RSA_KEYS: [(usize, &str); 3] = [
    (
        2048,
        include_str!("../../../test-vectors/keys/rsa-2048.pem"),
    ),
    (
        3072,
        include_str!("../../../test-vectors/keys/rsa-3072.pem"),
    ),
    (
        4096,
        include_str!("../../../test-vectors/keys/rsa-4096.pem"),
    ),
];

/// A private key to sign the benchmark tokens with.
enum SigningKey {
    Rsa(Box<RsaKeyPair>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

impl SigningKey {
    fn load(spec: KeySpec) -> Result<SigningKey, String> {
        match spec {
            KeySpec::Rsa(bits) => {
                let pem = RSA_KEYS
                    .iter()
                    .find(|(b, _)| *b == bits)
                    .map(|(_, pem)| pem)
                    .ok_or_else(|| format!("no RSA-{bits} key"))?;
                let (_, der) = pem_rfc7468::decode_vec(pem.as_bytes())
                    .map_err(|e| format!("the RSA-{bits} key is not PEM: {e}"))?;
                RsaKeyPair::from_pkcs8(&der)
                    .map(|key| SigningKey::Rsa(Box::new(key)))
                    .map_err(|e| format!("the RSA-{bits} key is refused: {e}"))
            }
            KeySpec::P256 => Ok(SigningKey::P256(p256::ecdsa::SigningKey::random(
                &mut OsRng,
            ))),
            KeySpec::P384 => Ok(SigningKey::P384(p384::ecdsa::SigningKey::random(
                &mut OsRng,
            ))),
            KeySpec::P521 => Ok(SigningKey::P521(p521::ecdsa::SigningKey::random(
                &mut OsRng,
            ))),
            KeySpec::Ed25519 => {
                // An Ed25519 private key is 32 random octets (RFC 8032 §5.1.5).
                let mut seed = [0u8; 32];
                OsRng
                    .try_fill_bytes(&mut seed)
                    .map_err(|e| format!("cannot generate an Ed25519 key: {e}"))?;
                Ok(SigningKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(
                    &seed,
                )))
            }
        }
    }

    fn verifying_key(&self) -> Result<VerifyingKey, String> {
        let key = match self {
            SigningKey::Rsa(key) => {
                let public = PublicKeyComponents::<Vec<u8>>::from(key.public());
                VerifyingKey::from_rsa_components(&public.n, &public.e)
            }
            SigningKey::P256(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                match (point.x(), point.y()) {
                    (Some(x), Some(y)) => VerifyingKey::from_p256_coordinates(x, y),
                    _ => return Err("a P-256 point without coordinates".to_owned()),
                }
            }
            SigningKey::P384(key) => {
                let point = key.verifying_key().to_encoded_point(false);
                match (point.x(), point.y()) {
                    (Some(x), Some(y)) => VerifyingKey::from_p384_coordinates(x, y),
                    _ => return Err("a P-384 point without coordinates".to_owned()),
                }
            }
            SigningKey::P521(key) => {
                let point = p521::ecdsa::VerifyingKey::from(key).to_encoded_point(false);
                match (point.x(), point.y()) {
                    (Some(x), Some(y)) => VerifyingKey::from_p521_coordinates(x, y),
                    _ => return Err("a P-521 point without coordinates".to_owned()),
                }
            }
            SigningKey::Ed25519(key) => {
                VerifyingKey::from_ed25519_bytes(key.verifying_key().as_bytes())
            }
        };
        key.map_err(|e| format!("jose-core refused a benchmark key: {e}"))
    }

    fn sign(&self, alg: Algorithm, message: &[u8]) -> Result<Vec<u8>, String> {
        match (alg, self) {
            (Algorithm::RS256 | Algorithm::PS256, SigningKey::Rsa(key)) => {
                // ring's PSS salt is as long as the hash, as RFC 7518 §3.5 requires.
                let padding: &'static dyn RsaEncoding = if alg == Algorithm::RS256 {
                    &RSA_PKCS1_SHA256
                } else {
                    &RSA_PSS_SHA256
                };
                let mut signature = vec![0u8; key.public().modulus_len()];
                key.sign(padding, &SystemRandom::new(), message, &mut signature)
                    .map_err(|_| format!("cannot sign with the {} key", alg.name()))?;
                Ok(signature)
            }
            (Algorithm::ES256, SigningKey::P256(key)) => {
                let signature: p256::ecdsa::Signature = key.sign(message);
                Ok(signature.to_bytes().to_vec())
            }
            (Algorithm::ES384, SigningKey::P384(key)) => {
                let signature: p384::ecdsa::Signature = key.sign(message);
                Ok(signature.to_bytes().to_vec())
            }
            (Algorithm::ES512, SigningKey::P521(key)) => {
                // p521 0.13 has no RFC 6979 signer, only a randomized one; a randomized
                // signature is as good for a benchmark token.
                let signature: p521::ecdsa::Signature = key.sign_with_rng(&mut OsRng, message);
                Ok(signature.to_bytes().to_vec())
            }
            (Algorithm::EdDSA, SigningKey::Ed25519(key)) => {
                let signature: ed25519_dalek::Signature = key.sign(message);
                Ok(signature.to_bytes().to_vec())
            }
            _ => Err(format!("no signer for {}", alg.name())),
        }
    }
}

/// A signed token ready to be verified in a loop.
struct Prepared {
    label: &'static str,
    alg: Algorithm,
    key_name: String,
    token: String,
    key: VerifyingKey,
    validation: Validation,
}

/// One measurement: how many verifications in how long, on how many threads.
#[derive(Debug, Clone, Copy)]
struct Rate {
    threads: usize,
    verifications: u64,
    seconds: f64,
}

impl Rate {
    fn per_second(self) -> f64 {
        self.verifications as f64 / self.seconds
    }

    fn json(self) -> Value {
        json!({
            "threads": self.threads,
            "verifications": self.verifications,
            "seconds": self.seconds,
            "per_second": self.per_second(),
        })
    }
}

pub(crate) fn run(args: &BenchArgs) -> Result<bool, UsageError> {
    let cases: Vec<_> = CASES
        .iter()
        .filter(|(label, ..)| args.algs.is_empty() || args.algs.iter().any(|a| a == label))
        .copied()
        .collect();
    let threads = match args.threads {
        Some(n) => usize::from(n),
        None => thread::available_parallelism().map_or(1, usize::from),
    };
    let duration = Duration::from_secs_f64(args.seconds);

    let started = Instant::now();
    eprintln!("jose bench: loading keys and signing tokens...");
    let prepared = match prepare(&cases) {
        Ok(prepared) => prepared,
        Err(message) => {
            eprintln!("jose: bench: {message}");
            return Ok(false);
        }
    };
    let setup_seconds = started.elapsed().as_secs_f64();

    let mut results = Vec::new();
    for case in &prepared {
        eprintln!("jose bench: {}...", case.label);
        let measured = measure(case, 1, duration).and_then(|single| {
            let multi = match threads {
                1 => None,
                n => Some(measure(case, n, duration)?),
            };
            Ok((single, multi))
        });
        match measured {
            Ok((single, multi)) => results.push((case, single, multi)),
            Err(message) => {
                eprintln!("jose: bench: {message}");
                return Ok(false);
            }
        }
    }

    if args.json {
        let rows: Vec<Value> = results
            .iter()
            .map(|(case, single, multi)| {
                json!({
                    "case": case.label,
                    "alg": case.alg.name(),
                    "key": case.key_name,
                    "single_thread": single.json(),
                    "all_threads": multi.map(Rate::json),
                })
            })
            .collect();
        let report = json!({
            "operation": "verify_jwt (parse, signature, iss/aud/exp/nbf/iat)",
            "seconds_per_measurement": args.seconds,
            "threads": threads,
            "setup_seconds": setup_seconds,
            "results": rows,
        });
        output::print_line(&report.to_string())?;
    } else {
        let table = table(&results, threads, args.seconds, setup_seconds);
        output::print_line(table.trim_end_matches('\n'))?;
    }
    Ok(true)
}

/// Loads each distinct key once, then signs one token per case and checks that it
/// verifies.
fn prepare(cases: &[(&'static str, Algorithm, KeySpec)]) -> Result<Vec<Prepared>, String> {
    let mut keys: Vec<(KeySpec, SigningKey)> = Vec::new();
    for &(_, _, spec) in cases {
        if !keys.iter().any(|(s, _)| *s == spec) {
            keys.push((spec, SigningKey::load(spec)?));
        }
    }

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| "the system clock is before 1970".to_owned())?
        .as_secs();
    let mut prepared = Vec::new();
    for &(label, alg, spec) in cases {
        let Some((_, signing_key)) = keys.iter().find(|(s, _)| *s == spec) else {
            return Err(format!("no key for {label}"));
        };
        let kid = format!("bench-{}", spec.name().to_ascii_lowercase());
        let token = access_token(signing_key, alg, &kid, now)?;
        let key = signing_key.verifying_key()?;
        // The clock is fixed at the signing time, so a long run never sees the token expire.
        let validation = Validation::builder([alg])
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .now(now)
            .build();
        // Twice, so the key is as a service's long-lived key is before the loop: an EC key
        // builds its table of multiples on its second verification (the first such build
        // also makes the process's table for the generator, far costlier), which would
        // otherwise be charged to the single-thread row.
        for _ in 0..2 {
            verify_jwt(&token, &key, &validation)
                .map_err(|e| format!("the {label} token does not verify: {e}"))?;
        }
        prepared.push(Prepared {
            label,
            alg,
            key_name: spec.name(),
            token,
            key,
            validation,
        });
    }
    Ok(prepared)
}

/// An RFC 9068-style access token, about the size real providers issue.
fn access_token(key: &SigningKey, alg: Algorithm, kid: &str, now: u64) -> Result<String, String> {
    let header = json!({ "alg": alg.name(), "typ": "at+jwt", "kid": kid });
    let claims = json!({
        "iss": ISSUER,
        "sub": "5ba552d67",
        "aud": AUDIENCE,
        "exp": now + 3600,
        "iat": now,
        "nbf": now,
        "jti": "dbe39bf3a3ba4238a513f51d6e1691c4",
        "scope": "openid profile orders:read orders:write",
        "client_id": "s6BhdRkqt3",
    });
    let signing_input = format!(
        "{}.{}",
        base64url_encode(header.to_string().as_bytes()),
        base64url_encode(claims.to_string().as_bytes())
    );
    let signature = key.sign(alg, signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", base64url_encode(&signature)))
}

/// Verifies `case` in a loop on `threads` threads for `duration`; the rate is all
/// verifications over the wall time from the first thread's start to the last thread's
/// end, so a thread that the scheduler starts late cannot make the threads look more
/// parallel than they ran. The threads start as they are spawned (tens of microseconds
/// apart), not behind a `std::sync::Barrier`: the barrier's wake-up lets Linux put the
/// woken thread on the waker's CPU, and on a 2-core VM that at times left two threads of
/// a short run no faster than one (jose-benches' `StartLine` docs have the figures).
fn measure(case: &Prepared, threads: usize, duration: Duration) -> Result<Rate, String> {
    let outcomes: Vec<Result<(u64, Instant, Instant), String>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| verify_for(case, duration)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a bench thread panicked".into()))
            })
            .collect()
    });
    let mut rate = Rate {
        threads,
        verifications: 0,
        seconds: 0.0,
    };
    let (mut first_start, mut last_end) = (None::<Instant>, None::<Instant>);
    for outcome in outcomes {
        let (count, start, end) = outcome?;
        rate.verifications += count;
        first_start = Some(first_start.map_or(start, |s| s.min(start)));
        last_end = Some(last_end.map_or(end, |e| e.max(end)));
    }
    if let (Some(start), Some(end)) = (first_start, last_end) {
        rate.seconds = end.duration_since(start).as_secs_f64();
    }
    Ok(rate)
}

/// Verifies `case` until `duration` has passed: the count, and when the loop started and
/// ended.
fn verify_for(case: &Prepared, duration: Duration) -> Result<(u64, Instant, Instant), String> {
    let start = Instant::now();
    let mut count = 0u64;
    loop {
        verify_jwt(
            std::hint::black_box(&case.token),
            &case.key,
            &case.validation,
        )
        .map_err(|e| format!("{} stopped verifying: {e}", case.label))?;
        count += 1;
        let now = Instant::now();
        if now.duration_since(start) >= duration {
            return Ok((count, start, now));
        }
    }
}

fn table(
    results: &[(&Prepared, Rate, Option<Rate>)],
    threads: usize,
    seconds: f64,
    setup_seconds: f64,
) -> String {
    let multi_header = format!("verify/s ({threads} threads)");
    let mut out = format!(
        "jose bench: verify_jwt (parse, signature, iss/aud/exp/nbf/iat), {seconds} s per measurement\n\
         (keys loaded and tokens signed in {setup_seconds:.2} s, not measured)\n\n"
    );
    out.push_str(&format!(
        "{:<12} {:<9} {:>11} {:>20} {:>22} {:>8}\n",
        "case", "key", "µs/verify", "verify/s (1 thread)", multi_header, "scaling"
    ));
    for (case, single, multi) in results {
        let (multi_rate, scaling) = match multi {
            Some(m) => (
                format!("{:.0}", m.per_second()),
                format!("{:.2}x", m.per_second() / single.per_second()),
            ),
            None => ("-".to_owned(), "-".to_owned()),
        };
        out.push_str(&format!(
            "{:<12} {:<9} {:>11.1} {:>20.0} {:>22} {:>8}\n",
            case.label,
            case.key_name,
            1e6 / single.per_second(),
            single.per_second(),
            multi_rate,
            scaling
        ));
    }
    out
}
