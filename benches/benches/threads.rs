//! `threads`: throughput of RS256-2048 verification against one shared `JwkSet`
//! (`Arc`), with 1 and with 2 threads, group `threads/jose-jwkset-RS256-2048/<threads>`.
//!
//! Each sample splits criterion's `iters` verifications evenly over the threads, starts
//! them together behind a barrier, and reports the wall time until the slowest thread
//! is done (`iter_custom`). Criterion's "time" is therefore wall time per verification
//! across all threads, and its throughput is verifications per second: perfect scaling
//! halves the time with 2 threads. The set is immutable and needs no lock, so any
//! shortfall comes from the machine (other processes on the 2 cores, shared caches,
//! frequency), not from contention in jose.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jose_benches::{Case, Fixture, test_keys_jwks_json};
use jose_jwk::JwkSet;

fn run(set: &Arc<JwkSet>, fixture: &Fixture, threads: u64, iters: u64) -> Duration {
    let barrier = Arc::new(Barrier::new(threads as usize));
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|i| {
                // The first `iters % threads` threads take one extra verification.
                let share = iters / threads + u64::from(i < iters % threads);
                let set = Arc::clone(set);
                let barrier = Arc::clone(&barrier);
                let validation = fixture.validation();
                let token = fixture.token();
                scope.spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..share {
                        let verified = set.verify_jwt(std::hint::black_box(token), &validation);
                        assert!(verified.is_ok());
                    }
                    start.elapsed()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a bench thread"))
            .max()
            .unwrap_or_default()
    })
}

fn threads(c: &mut Criterion) {
    let fixture = Fixture::new(Case::Rs256_2048);
    let set = Arc::new(JwkSet::from_json(test_keys_jwks_json().as_bytes()).expect("the set"));
    assert!(
        set.verify_jwt(fixture.token(), &fixture.validation())
            .is_ok()
    );
    let mut group = c.benchmark_group("threads");
    group.throughput(Throughput::Elements(1));
    for threads in [1, 2] {
        group.bench_function(BenchmarkId::new("jose-jwkset-RS256-2048", threads), |b| {
            b.iter_custom(|iters| run(&set, &fixture, threads, iters))
        });
    }
    group.finish();
}

criterion_group!(benches, threads);
criterion_main!(benches);
