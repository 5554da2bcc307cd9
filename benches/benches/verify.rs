//! `verify`: full JWT verification of one access token with one key, jose side by side
//! with its peers, in one criterion group (`verify/<implementation>/<case>`).
//!
//! | implementation | what one iteration does |
//! |---|---|
//! | `jose` | `jose_core::verify_jwt` with a prepared `VerifyingKey`: parse, allowlist, signature, claims (`iss`, `aud`, `exp`, `nbf`, `iat`, fixed clock) |
//! | `jose-fresh-key` | the same, but the `VerifyingKey` is built inside the iteration from the JWK members (`from_jwk_rsa` / `from_jwk_ec`), as on a cold cache |
//! | `jose-fresh-key-2-verifications` | ES256 only: a new key verifying twice. jose-core verifies an EC key's first token by 4-bit windows over the point (no per-key table) and builds the key's table of multiples on its second use, so this is import + first verification + table build + table verification: the cold path after a key rotation |
//! | `jose-signature-only` | `VerifyingKey::verify_signature` over the already-split signing input and decoded signature |
//! | `jsonwebtoken-aws-lc` | `jsonwebtoken::decode` (aws-lc-rs backend) into a JSON map, same checks, `DecodingKey` built once |
//! | `jsonwebtoken-rust-crypto` | the same with the RustCrypto backend (in a worker process; see `peers/mod.rs`) |
//! | `*-fresh-key` (jsonwebtoken) | the `DecodingKey` built inside the iteration |
//! | `aws-lc-rs-signature-only` | `ParsedPublicKey::verify_sig`, the key parsed once: the assembly floor |
//!
//! Time is the measuring thread's CPU time (see `cpu/mod.rs`).

mod cpu;
mod peers;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput};
use jose_benches::{Case, Fixture, PublicKey};
use jose_core::VerifyingKey;

use crate::cpu::ThreadCpuTime;
use crate::peers::{AwsLcRaw, JwtPeer, RustCryptoWorker};

/// The cases whose key is also measured "fresh", built inside the iteration.
const FRESH_KEY_CASES: [Case; 2] = [Case::Rs256_2048, Case::Es256];

/// Imports a key from its two base64url JWK members (`n`/`e` or `x`/`y`).
fn key_from_jwk(public: &PublicKey, a: &str, b: &str) -> VerifyingKey {
    let key = match public {
        PublicKey::Rsa { .. } => VerifyingKey::from_jwk_rsa(a, b),
        PublicKey::P256 { .. } => VerifyingKey::from_jwk_ec("P-256", a, b),
    };
    key.expect("the test keys are valid")
}

fn verify(c: &mut Criterion<ThreadCpuTime>) {
    peers::install_aws_lc();
    let mut worker: Option<RustCryptoWorker> = None;
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    for case in Case::ALL {
        let fixture = Fixture::new(case);
        let label = case.label();
        let validation = fixture.validation();
        let jwt = JwtPeer::new(&fixture);
        let aws_lc = AwsLcRaw::new(&fixture);
        let (member_1, member_2) = fixture.public().jwk_members();
        // The fixture must really verify everywhere, or the numbers mean nothing.
        let fresh = key_from_jwk(fixture.public(), &member_1, &member_2);
        jose_core::verify_jwt(fixture.token(), &fresh, &validation).expect("jose verifies");

        group.bench_function(BenchmarkId::new("jose", label), |b| {
            b.iter(|| jose_core::verify_jwt(black_box(fixture.token()), fixture.key(), &validation))
        });
        if FRESH_KEY_CASES.contains(&case) {
            group.bench_function(BenchmarkId::new("jose-fresh-key", label), |b| {
                b.iter(|| {
                    let key =
                        key_from_jwk(fixture.public(), black_box(&member_1), black_box(&member_2));
                    jose_core::verify_jwt(black_box(fixture.token()), &key, &validation)
                })
            });
        }
        if case == Case::Es256 {
            group.bench_function(
                BenchmarkId::new("jose-fresh-key-2-verifications", label),
                |b| {
                    b.iter(|| {
                        let key = key_from_jwk(
                            fixture.public(),
                            black_box(&member_1),
                            black_box(&member_2),
                        );
                        jose_core::verify_jwt(black_box(fixture.token()), &key, &validation)
                            .expect("first");
                        jose_core::verify_jwt(black_box(fixture.token()), &key, &validation)
                    })
                },
            );
        }
        let signing_input = fixture.signing_input();
        let signature = fixture.signature();
        jwt.verify();
        group.bench_function(BenchmarkId::new("jose-signature-only", label), |b| {
            b.iter(|| {
                fixture.key().verify_signature(
                    case.algorithm(),
                    black_box(signing_input),
                    black_box(&signature),
                )
            })
        });

        group.bench_function(BenchmarkId::new("jsonwebtoken-aws-lc", label), |b| {
            b.iter(|| jwt.verify())
        });
        if FRESH_KEY_CASES.contains(&case) {
            group.bench_function(
                BenchmarkId::new("jsonwebtoken-aws-lc-fresh-key", label),
                |b| b.iter(|| jwt.verify_fresh_key()),
            );
        }
        group.bench_function(BenchmarkId::new("jsonwebtoken-rust-crypto", label), |b| {
            let worker = worker.get_or_insert_with(RustCryptoWorker::spawn);
            b.iter_custom(|iters| worker.measure(case, false, iters))
        });
        if FRESH_KEY_CASES.contains(&case) {
            group.bench_function(
                BenchmarkId::new("jsonwebtoken-rust-crypto-fresh-key", label),
                |b| {
                    let worker = worker.get_or_insert_with(RustCryptoWorker::spawn);
                    b.iter_custom(|iters| worker.measure(case, true, iters))
                },
            );
        }

        group.bench_function(BenchmarkId::new("aws-lc-rs-signature-only", label), |b| {
            b.iter(|| aws_lc.verify())
        });
    }
    group.finish();
}

fn main() {
    if peers::serve_if_worker() {
        return;
    }
    let mut criterion = Criterion::default()
        .with_measurement(ThreadCpuTime)
        .configure_from_args();
    verify(&mut criterion);
    criterion.final_summary();
}
