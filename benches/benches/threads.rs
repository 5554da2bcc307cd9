//! `threads`: throughput of RS256-2048 verification against one shared `JwkSet`
//! (`Arc`), with 1 and with 2 threads, group `threads/jose-jwkset-RS256-2048/<threads>`.
//!
//! Each sample splits criterion's `iters` verifications evenly over the threads, starts
//! them together on a [`StartLine`] (not a `std::sync::Barrier`, whose wake-up can put
//! both threads on one CPU: see its docs), and reports the wall time from the first thread's
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
//!
//! A second interleaved line runs the same harness on a control, a multiply loop that
//! shares nothing and touches no memory: what it reaches is what the machine gives two
//! threads at that moment, so jose's figure can be read against it.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use jose_benches::{
    Alternated, Case, Fixture, StartLine, alternate, quantile, test_keys_jwks_json,
};
use jose_jwk::JwkSet;

/// Runs `work(share)` on `threads` threads, `iters` units in all, started together on a
/// [`StartLine`], and returns the wall time from the first thread's start to the last
/// thread's end.
fn run(threads: u64, iters: u64, work: &(dyn Fn(u64) + Sync)) -> Duration {
    let line = StartLine::new(threads as usize);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|i| {
                // The first `iters % threads` threads take one extra unit.
                let share = iters / threads + u64::from(i < iters % threads);
                let line = &line;
                scope.spawn(move || {
                    line.wait();
                    let start = Instant::now();
                    work(share);
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

/// `n` verifications of the fixture's token against the shared set.
fn verify_n(set: &JwkSet, fixture: &Fixture) -> impl Fn(u64) + Sync {
    let token = fixture.token();
    let validation = fixture.validation();
    move |n| {
        for _ in 0..n {
            let verified = set.verify_jwt(black_box(token), &validation);
            assert!(verified.is_ok());
        }
    }
}

/// The control: `n` rounds of four independent 64×64→128-bit multiplies, the operation
/// RSA verification spends its time on, touching no memory and sharing nothing. What
/// this reaches with two threads is about the most the machine gives at that moment:
/// jose falling well short of it would point at jose, both falling short at the machine.
fn multiply_n(n: u64) {
    let mut lanes = black_box([0x9e37_79b9_7f4a_7c15_u64, 3, 5, 7]);
    for i in 0..n {
        let m = black_box(0xd1b5_4a32_d192_ed03_u64) ^ i;
        for lane in &mut lanes {
            let product = u128::from(*lane) * u128::from(m);
            *lane = (product as u64) ^ ((product >> 64) as u64);
        }
    }
    black_box(lanes);
}

fn threads(c: &mut Criterion) {
    let fixture = Fixture::new(Case::Rs256_2048);
    let set = Arc::new(JwkSet::from_json(test_keys_jwks_json().as_bytes()).expect("the set"));
    assert!(
        set.verify_jwt(fixture.token(), &fixture.validation())
            .is_ok()
    );
    let verify = verify_n(&set, &fixture);
    let mut group = c.benchmark_group("threads");
    group.throughput(Throughput::Elements(1));
    for threads in [1, 2] {
        group.bench_function(BenchmarkId::new("jose-jwkset-RS256-2048", threads), |b| {
            b.iter_custom(|iters| run(threads, iters, &verify))
        });
    }
    group.finish();
}

/// Prints the interleaved scaling figure of `work` (see the module docs).
fn interleaved_scaling(label: &str, work: &(dyn Fn(u64) + Sync), rounds: usize, block: Duration) {
    // Units per block from a run of at least 1 ms (a debug build under `cargo test` is
    // far slower than the bench build).
    let mut units = 1_u64;
    let per_unit = loop {
        let elapsed = run(1, units, work);
        if elapsed >= Duration::from_millis(1) || units >= 1 << 40 {
            break elapsed.as_secs_f64() / units as f64;
        }
        units *= 2;
    };
    let iters = ((block.as_secs_f64() / per_unit) as u64).clamp(2, 100_000_000);
    let Alternated {
        first: one,
        second: two,
        ratios,
    } = alternate(
        rounds,
        || run(1, iters, work).as_secs_f64(),
        || run(2, iters, work).as_secs_f64(),
    );
    let fastest = quantile(&one, 0.0) / quantile(&two, 0.0);
    assert!(fastest.is_finite() && quantile(&ratios, 0.5).is_finite());
    println!(
        "threads/interleaved {label}: 2 threads ÷ 1 thread throughput, median {:.2}× \
         (interquartile {:.2}–{:.2}), fastest ÷ fastest {:.2}×, {rounds} rounds of {iters}",
        quantile(&ratios, 0.5),
        quantile(&ratios, 0.25),
        quantile(&ratios, 0.75),
        fastest,
    );
}

fn main() {
    let benching = jose_benches::full_measurement();
    let fixture = Fixture::new(Case::Rs256_2048);
    let set = Arc::new(JwkSet::from_json(test_keys_jwks_json().as_bytes()).expect("the set"));
    let (rounds, block) = if benching {
        (41, Duration::from_millis(20))
    } else {
        (3, Duration::from_micros(500))
    };
    interleaved_scaling("RS256-2048", &verify_n(&set, &fixture), rounds, block);
    interleaved_scaling("control (multiply loop)", &multiply_n, rounds, block);
    let mut criterion = Criterion::default().configure_from_args();
    threads(&mut criterion);
    criterion.final_summary();
}
