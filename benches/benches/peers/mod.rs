//! The peers we measure against, set up to do the same work as jose on the same token.
//!
//! # Two jsonwebtoken backends in one build
//!
//! jsonwebtoken 11 has two crypto backends behind the `aws_lc_rs` and `rust_crypto`
//! features. Cargo unifies features, so one build cannot hold two differently-featured
//! copies of the same version (a renamed second dependency entry is the same package).
//! Both features *can* be on at once, but then the backend is a process-wide choice:
//! `CryptoProvider::install_default` succeeds once per process, and `decode` always uses
//! that provider. So:
//!
//! - a bench process installs the aws-lc-rs provider ([`install_aws_lc`]);
//! - for the RustCrypto backend the `verify` bench re-executes its own binary as a
//!   worker ([`RustCryptoWorker`], selected by the `JOSE_BENCH_WORKER` environment
//!   variable) that installs the RustCrypto provider. The parent asks it, over a pipe,
//!   to run `iters` verifications; the worker times exactly that loop with its thread's
//!   CPU time (the clock the parent's criterion uses, see `cpu/mod.rs`) and answers with
//!   the elapsed nanoseconds, which criterion takes through `iter_custom`. The pipe round trip is
//!   outside the timed region, and the parent is blocked (idle) while the worker runs,
//!   so both backends appear in the same criterion group, measured alike.

#![allow(dead_code)] // Each bench binary uses a different part of this module.

use std::hint::black_box;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use cpu_time::ThreadTime;

use jose_benches::{AUDIENCE, Case, Fixture, ISSUER, PublicKey};
use serde_json::{Map, Value};

/// The environment variable that turns a bench binary into the RustCrypto worker.
const WORKER_ENV: &str = "JOSE_BENCH_WORKER";
const WORKER_RUST_CRYPTO: &str = "jsonwebtoken-rust-crypto";

/// Makes jsonwebtoken's aws-lc-rs backend the provider of this process.
pub(crate) fn install_aws_lc() {
    // Err only means a provider is already installed; the worker never calls this.
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
}

fn jwt_algorithm(case: Case) -> jsonwebtoken::Algorithm {
    match case.algorithm() {
        jose_core::Algorithm::RS256 => jsonwebtoken::Algorithm::RS256,
        jose_core::Algorithm::PS256 => jsonwebtoken::Algorithm::PS256,
        jose_core::Algorithm::ES256 => jsonwebtoken::Algorithm::ES256,
        other => unreachable!("no case uses {}", other.name()),
    }
}

/// jsonwebtoken's decoding key from the JWK members (`n`/`e` or `x`/`y`, base64url), as
/// a JWKS-based service builds it.
pub(crate) fn jwt_decoding_key(
    public: &PublicKey,
    (a, b): &(String, String),
) -> jsonwebtoken::DecodingKey {
    match public {
        PublicKey::Rsa { .. } => jsonwebtoken::DecodingKey::from_rsa_components(a, b),
        PublicKey::P256 { .. } => jsonwebtoken::DecodingKey::from_ec_components(a, b),
    }
    .expect("jsonwebtoken accepts the test key")
}

/// jsonwebtoken's validation doing what [`Fixture::validation`] does: one algorithm,
/// `iss`, `aud`, `exp` (required by default) and `nbf`, 60 s leeway. jsonwebtoken reads
/// the system clock; the fixture's `exp` is far enough ahead for that.
pub(crate) fn jwt_validation(case: Case) -> jsonwebtoken::Validation {
    let mut validation = jsonwebtoken::Validation::new(jwt_algorithm(case));
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.validate_nbf = true;
    validation
}

/// One full jsonwebtoken verification: decode, signature, claims into a JSON map (the
/// same shape jose's `Claims` keeps).
pub(crate) fn jwt_decode(
    token: &str,
    key: &jsonwebtoken::DecodingKey,
    validation: &jsonwebtoken::Validation,
) -> Map<String, Value> {
    jsonwebtoken::decode::<Map<String, Value>>(token, key, validation)
        .expect("jsonwebtoken verifies the fixture")
        .claims
}

/// A jsonwebtoken verifier for one case, with its key built once.
pub(crate) struct JwtPeer {
    token: String,
    public: PublicKey,
    /// The JWK members, encoded once as jose's fresh-key rows have them.
    members: (String, String),
    key: jsonwebtoken::DecodingKey,
    validation: jsonwebtoken::Validation,
}

impl JwtPeer {
    pub(crate) fn new(fixture: &Fixture) -> JwtPeer {
        let members = fixture.public().jwk_members();
        JwtPeer {
            token: fixture.token().to_owned(),
            public: fixture.public().clone(),
            key: jwt_decoding_key(fixture.public(), &members),
            members,
            validation: jwt_validation(fixture.case()),
        }
    }

    /// Verifies with the key built once.
    pub(crate) fn verify(&self) -> Map<String, Value> {
        jwt_decode(black_box(&self.token), &self.key, &self.validation)
    }

    /// Builds the key from the JWK members, then verifies.
    pub(crate) fn verify_fresh_key(&self) -> Map<String, Value> {
        let key = jwt_decoding_key(&self.public, black_box(&self.members));
        jwt_decode(black_box(&self.token), &key, &self.validation)
    }
}

/// aws-lc-rs alone: the signature check over the signing input, with the public key
/// parsed once (`ParsedPublicKey`). No base64, no JSON, no claims: the floor.
pub(crate) struct AwsLcRaw {
    key: aws_lc_rs::signature::ParsedPublicKey,
    message: Vec<u8>,
    signature: Vec<u8>,
}

impl AwsLcRaw {
    pub(crate) fn new(fixture: &Fixture) -> AwsLcRaw {
        use aws_lc_rs::signature;
        let algorithm: &'static dyn signature::VerificationAlgorithm = match fixture.case() {
            Case::Rs256_2048 | Case::Rs256_3072 | Case::Rs256_4096 => {
                &signature::RSA_PKCS1_2048_8192_SHA256
            }
            Case::Ps256_2048 => &signature::RSA_PSS_2048_8192_SHA256,
            Case::Es256 => &signature::ECDSA_P256_SHA256_FIXED,
        };
        let key = signature::ParsedPublicKey::new(algorithm, fixture.public().to_ring_bytes())
            .expect("aws-lc-rs accepts the test key");
        let raw = AwsLcRaw {
            key,
            message: fixture.signing_input().to_vec(),
            signature: fixture.signature(),
        };
        raw.verify();
        raw
    }

    pub(crate) fn verify(&self) {
        self.key
            .verify_sig(black_box(&self.message), black_box(&self.signature))
            .expect("aws-lc-rs verifies the fixture");
    }
}

/// The parent's handle on the RustCrypto worker process (see the module docs).
pub(crate) struct RustCryptoWorker {
    child: Child,
    requests: BufWriter<ChildStdin>,
    replies: BufReader<ChildStdout>,
}

impl RustCryptoWorker {
    /// Starts this bench binary again as the worker.
    pub(crate) fn spawn() -> RustCryptoWorker {
        let exe = std::env::current_exe().expect("the bench binary's path");
        let mut child = Command::new(exe)
            .env(WORKER_ENV, WORKER_RUST_CRYPTO)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the RustCrypto worker");
        let requests = BufWriter::new(child.stdin.take().expect("piped stdin"));
        let replies = BufReader::new(child.stdout.take().expect("piped stdout"));
        RustCryptoWorker {
            child,
            requests,
            replies,
        }
    }

    /// Has the worker verify `case`'s token `iters` times and returns the time it took.
    pub(crate) fn measure(&mut self, case: Case, fresh_key: bool, iters: u64) -> Duration {
        let mode = if fresh_key { "fresh" } else { "warm" };
        writeln!(self.requests, "{mode} {} {iters}", case.label()).expect("write to the worker");
        self.requests.flush().expect("write to the worker");
        let mut line = String::new();
        self.replies
            .read_line(&mut line)
            .expect("read from the worker");
        let nanos: u64 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the worker answered {line:?}"));
        Duration::from_nanos(nanos)
    }
}

impl Drop for RustCryptoWorker {
    fn drop(&mut self) {
        // Closing stdin ends the worker's loop; it then exits on its own.
        let _ = self.requests.flush();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// If this process was started as a worker, serves requests until stdin closes and
/// returns `true`; otherwise returns `false` at once.
pub(crate) fn serve_if_worker() -> bool {
    match std::env::var(WORKER_ENV).as_deref() {
        Ok(WORKER_RUST_CRYPTO) => {}
        Ok(other) => panic!("unknown {WORKER_ENV}={other}"),
        Err(_) => return false,
    }
    jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER
        .install_default()
        .expect("a fresh worker process has no provider yet");
    let peers: Vec<JwtPeer> = Case::ALL
        .iter()
        .map(|&case| JwtPeer::new(&Fixture::new(case)))
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("read a request");
        let mut words = line.split_whitespace();
        let (Some(mode), Some(label), Some(iters), None) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            panic!("bad worker request {line:?}");
        };
        let case = Case::from_label(label).expect("a known case");
        let iters: u64 = iters.parse().expect("an iteration count");
        let peer = &peers[Case::ALL.iter().position(|&c| c == case).expect("listed")];
        let start = ThreadTime::now();
        match mode {
            "warm" => (0..iters).for_each(|_| drop(black_box(peer.verify()))),
            "fresh" => (0..iters).for_each(|_| drop(black_box(peer.verify_fresh_key()))),
            _ => panic!("bad worker mode {mode:?}"),
        }
        let elapsed = start.elapsed();
        writeln!(out, "{}", elapsed.as_nanos()).expect("answer the parent");
        out.flush().expect("answer the parent");
    }
    true
}
