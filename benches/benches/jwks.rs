//! `jwks`: JWK Set import and `kid` lookup, group `jwks/<what>/<keys in the set>`.
//!
//! | what | one iteration |
//! |---|---|
//! | `from-json` | `JwkSet::from_json` of a document with 10 or 100 RSA-2048 keys: strict JSON, every key validated (size, exponent, ROCA) and converted, RFC 7638 thumbprints, the `kid` index. Throughput is per key. |
//! | `get` | `JwkSet::get(kid).next()` for the last key's `kid`, in a 10- and a 1000-key set |
//! | `get-unknown-kid` | the same for a `kid` that is not in the set (an unknown-`kid` flood) |
//! | `candidates` | `JwkSet::candidates(header).next()`: the `kid` lookup plus the `alg`/`use` fit check |
//!
//! The lookups are a hash-map probe, so their cost should not depend on the set's size.

mod cpu;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jose_benches::{jwks_json, jwks_kid};
use jose_core::{Algorithm, CompactJws, Header, Limits, base64url_encode};
use jose_jwk::{JwkSet, JwkSetOptions};

use crate::cpu::ThreadCpuTime;

/// A set of `keys` keys, with the limits raised for the 1000-key case.
fn set_of(keys: usize) -> JwkSet {
    let options = JwkSetOptions::default()
        .max_keys(keys.max(100))
        .max_bytes(4 * 1024 * 1024);
    let set = JwkSet::from_json_with(jwks_json(keys).as_bytes(), &options).expect("the key set");
    assert_eq!(set.len(), keys);
    set
}

/// A parsed header naming `kid`; the lookup benches need only the header.
fn header_for(kid: &str) -> Header {
    let header = serde_json::json!({ "alg": Algorithm::RS256.name(), "kid": kid }).to_string();
    let token = format!(
        "{}.{}.{}",
        base64url_encode(header.as_bytes()),
        base64url_encode(b"{}"),
        base64url_encode(b"not verified here")
    );
    CompactJws::parse(&token, &Limits::default())
        .expect("a well-formed token")
        .header()
        .clone()
}

fn jwks(c: &mut Criterion<ThreadCpuTime>) {
    let mut group = c.benchmark_group("jwks");
    for keys in [10, 100] {
        let document = jwks_json(keys);
        group.throughput(Throughput::Elements(keys as u64));
        group.bench_function(BenchmarkId::new("from-json", keys), |b| {
            b.iter(|| JwkSet::from_json(black_box(document.as_bytes())).expect("parses"))
        });
    }
    group.throughput(Throughput::Elements(1));
    for keys in [10, 1000] {
        let set = set_of(keys);
        let kid = jwks_kid(keys - 1);
        let header = header_for(&kid);
        let unknown = "key-unknown";
        assert!(set.candidates(&header).next().is_some());
        group.bench_function(BenchmarkId::new("get", keys), |b| {
            b.iter(|| set.get(black_box(&kid)).next().is_some())
        });
        group.bench_function(BenchmarkId::new("get-unknown-kid", keys), |b| {
            b.iter(|| set.get(black_box(unknown)).next().is_some())
        });
        group.bench_function(BenchmarkId::new("candidates", keys), |b| {
            b.iter(|| set.candidates(black_box(&header)).next().is_some())
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpuTime);
    targets = jwks
}
criterion_main!(benches);
