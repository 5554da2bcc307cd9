//! `parse`: everything around the signature math, group `parse/<what>/<case>`.
//!
//! jose has no public "verify without the signature" call (on purpose); the
//! `jose-all-but-signature` row uses a `#[doc(hidden)]` bench entry point that returns
//! nothing from the token:
//!
//! | what | one iteration |
//! |---|---|
//! | `jose-compact-parse` | `CompactJws::parse`: three segments, strict base64url checked in all three (the header decoded), the header as strict JSON (duplicates, `crit`, `b64`, `kid` length) |
//! | `jose-parse+claims-json` | the same plus the payload decoded (to the heap, by `payload()`) and parsed as a strict JSON object (what claims validation starts with; `jose_core::json::parse_object`) |
//! | `jose-parse+candidates` | `CompactJws::parse` plus `JwkSet::candidates(header).next()` in the four-key test set: the key selection before any crypto |
//! | `jose-all-but-signature` | everything `JwkSet::verify_jwt` does except the signature math, on its own code path through `internal::bench_verify_jwt_without_signature`: the token split and its header decoded and checked (strict JSON, `crit`, `b64`, allowlist, `typ`), `JwkSet::candidates(header)`, the payload and signature each decoded once into a stack buffer, and claims validation with `Fixture::validation` (issuer, audience, times) — the figure to hold against `jsonwebtoken-insecure-decode` |
//! | `jsonwebtoken-decode-header` | `jsonwebtoken::decode_header` |
//! | `jsonwebtoken-insecure-decode` | `jsonwebtoken::dangerous::insecure_decode` into a JSON map: header and claims, no signature, no validation |
//!
//! The rows differ in what they do, so read them as costs, not as a race: jose's
//! `CompactJws::parse` also checks the payload and signature segments (decoded later,
//! when asked for), while `insecure_decode` parses the claims. The race is
//! `jose-all-but-signature` against `jsonwebtoken-insecure-decode`, where jose does
//! more: it also decodes the signature, picks the key and validates the claims.

mod cpu;
mod peers;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jose_benches::{Case, Fixture, test_keys_jwks_json};
use jose_core::{CompactJws, Limits, internal};
use jose_jwk::JwkSet;
use serde_json::{Map, Value};

use crate::cpu::ThreadCpuTime;

fn parse(c: &mut Criterion<ThreadCpuTime>) {
    peers::install_aws_lc();
    let limits = Limits::default();
    let set = JwkSet::from_json(test_keys_jwks_json().as_bytes()).expect("the test key set");
    let mut group = c.benchmark_group("parse");
    for case in [Case::Rs256_2048, Case::Es256] {
        let fixture = Fixture::new(case);
        let token = fixture.token();
        let label = case.label();
        let jws = CompactJws::parse(token, &limits).expect("the fixture parses");
        assert!(set.candidates(jws.header()).next().is_some());

        group.bench_function(BenchmarkId::new("jose-compact-parse", label), |b| {
            b.iter(|| CompactJws::parse(black_box(token), &limits))
        });
        group.bench_function(BenchmarkId::new("jose-parse+claims-json", label), |b| {
            b.iter(|| {
                let jws = CompactJws::parse(black_box(token), &limits).expect("parses");
                jose_core::json::parse_object(jws.payload(), limits.json_depth())
                    .expect("a JSON object")
            })
        });
        group.bench_function(BenchmarkId::new("jose-parse+candidates", label), |b| {
            b.iter(|| {
                let jws = CompactJws::parse(black_box(token), &limits).expect("parses");
                set.candidates(jws.header()).next().is_some()
            })
        });
        let validation = fixture.validation();
        group.bench_function(BenchmarkId::new("jose-all-but-signature", label), |b| {
            b.iter(|| {
                internal::bench_verify_jwt_without_signature(black_box(token), &validation, |h| {
                    Ok::<_, jose_core::Error>(set.candidates(h))
                })
                .expect("everything but the signature checks out")
            })
        });
        group.bench_function(BenchmarkId::new("jsonwebtoken-decode-header", label), |b| {
            b.iter(|| jsonwebtoken::decode_header(black_box(token)).expect("decodes"))
        });
        group.bench_function(
            BenchmarkId::new("jsonwebtoken-insecure-decode", label),
            |b| {
                b.iter(|| {
                    jsonwebtoken::dangerous::insecure_decode::<Map<String, Value>>(black_box(token))
                        .expect("decodes")
                })
            },
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = parse
}
criterion_main!(benches);
