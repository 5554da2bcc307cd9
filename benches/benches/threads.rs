//! `threads`: throughput of RS256-2048 verification against one shared `JwkSet`
//! (`Arc`), with 1 and with 2 threads, group `threads/jose-jwkset-RS256-2048/<threads>`.
//!
//! Each sample splits criterion's `iters` verifications evenly over the threads, starts
//! them together behind a barrier, and reports the wall time from the first thread's
//! start to the last thread's end (`iter_custom`). Each thread's own elapsed time would
//! not do: a thread the scheduler starts late is not charged for the wait, and two
//! threads run one after the other on one core would look perfectly parallel.
//! Criterion's "time" is therefore wall time per verification across all threads, and
//! its throughput is verifications per second: perfect scaling halves the time with 2
//! threads. The set is immutable and needs no lock, so any shortfall comes from the
//! machine (other processes on the 2 cores, shared caches, frequency), not from
//! contention in jose.
//!
//! Criterion measures the 1-thread and 2-thread rows one after the other, so on a VM
//! whose speed drifts the two rows can see different machines. Before criterion runs,
//! `--bench` therefore also prints an **interleaved** scaling figure: 41 rounds, each
//! timing the same number of verifications (~20 ms of work) on 1 and on 2 threads (the
//! order alternating), and per round the 1-thread time over the 2-thread time; the median
//! and interquartile range of those ratios, and the fastest 1-thread block over the
//! fastest 2-thread block. Perfect scaling is 2.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use jose_benches::{Alternated, Case, Fixture, alternate, quantile, test_keys_jwks_json};
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
                    (start, Instant::now())
                })
            })
            .collect();
        let spans: Vec<(Instant, Instant)> = workers
            .into_iter()
            .map(|w| w.join().expect("a bench thread"))
            .collect();
        let first_start = spans.iter().map(|s| s.0).min();
        let last_end = spans.iter().map(|s| s.1).max();
        match (first_start, last_end) {
            (Some(start), Some(end)) => end.duration_since(start),
            _ => Duration::ZERO,
        }
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

/// Prints the interleaved scaling figure (see the module docs).
fn interleaved_scaling(set: &Arc<JwkSet>, fixture: &Fixture, rounds: usize, block: Duration) {
    let calibration = run(set, fixture, 1, 20);
    let per_verification = calibration.as_secs_f64() / 20.0;
    let iters = ((block.as_secs_f64() / per_verification) as u64).clamp(2, 1_000_000);
    let Alternated {
        first: one,
        second: two,
        ratios,
    } = alternate(
        rounds,
        || run(set, fixture, 1, iters).as_secs_f64(),
        || run(set, fixture, 2, iters).as_secs_f64(),
    );
    let fastest = quantile(&one, 0.0) / quantile(&two, 0.0);
    assert!(fastest.is_finite() && quantile(&ratios, 0.5).is_finite());
    println!(
        "threads/interleaved RS256-2048: 2 threads ÷ 1 thread throughput, median {:.2}× \
         (interquartile {:.2}–{:.2}), fastest ÷ fastest {:.2}×, {rounds} rounds of {iters} \
         verifications",
        quantile(&ratios, 0.5),
        quantile(&ratios, 0.25),
        quantile(&ratios, 0.75),
        fastest,
    );
}

fn main() {
    let benching = std::env::args().any(|arg| arg == "--bench");
    let fixture = Fixture::new(Case::Rs256_2048);
    let set = Arc::new(JwkSet::from_json(test_keys_jwks_json().as_bytes()).expect("the set"));
    let (rounds, block) = if benching {
        (41, Duration::from_millis(20))
    } else {
        (3, Duration::from_micros(500))
    };
    interleaved_scaling(&set, &fixture, rounds, block);
    let mut criterion = Criterion::default().configure_from_args();
    threads(&mut criterion);
    criterion.final_summary();
}
