//! `parse`: everything around the signature math, group `parse/<what>/<case>`.
//!
//! jose has no public "verify without the signature" call (on purpose), so the parts
//! are measured one by one:
//!
//! | what | one iteration |
//! |---|---|
//! | `jose-compact-parse` | `CompactJws::parse`: three segments, strict base64url of all three, the header as strict JSON (duplicates, `crit`, `b64`, `kid` length) |
//! | `jose-parse+claims-json` | the same plus the payload parsed as a strict JSON object (what claims validation starts with; uses the `#[doc(hidden)]` `internal::parse_strict_json_object`) |
//! | `jose-parse+candidates` | `CompactJws::parse` plus `JwkSet::candidates(header).next()` in the four-key test set: the key selection before any crypto |
//! | `jsonwebtoken-decode-header` | `jsonwebtoken::decode_header` |
//! | `jsonwebtoken-insecure-decode` | `jsonwebtoken::dangerous::insecure_decode` into a JSON map: header and claims, no signature, no validation |
//!
//! The rows differ in what they do, so read them as costs, not as a race: jose's
//! `CompactJws::parse` also decodes the signature, while `insecure_decode` parses the
//! claims (compare it with `jose-parse+claims-json`).

mod cpu;
mod peers;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use jose_benches::{Case, Fixture, test_keys_jwks_json};
use jose_core::{CompactJws, Limits};
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
                jose_core::internal::parse_strict_json_object(jws.payload(), limits.json_depth())
                    .expect("a JSON object")
            })
        });
        group.bench_function(BenchmarkId::new("jose-parse+candidates", label), |b| {
            b.iter(|| {
                let jws = CompactJws::parse(black_box(token), &limits).expect("parses");
                set.candidates(jws.header()).next().is_some()
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
