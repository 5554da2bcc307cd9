//! `threads`: throughput of RS256-2048 verification against one shared `JwkSet` (the
//! threads borrow the same set, as a service's workers share one behind an `Arc`), with
//! 1 and with 2 threads, group `threads/jose-jwkset-RS256-2048/<threads>`.
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
//! `--bench` therefore also prints an **interleaved** scaling figure: 42 rounds, each
//! timing the same number of verifications (~20 ms of work) on 1 and on 2 threads (the
//! order alternating), and per round the 1-thread time over the 2-thread time; the median
//! and interquartile range of those ratios, and the fastest 1-thread block over the
//! fastest 2-thread block. Perfect scaling is 2.
//!
//! A second interleaved line runs the same harness on a control, a multiply loop that
//! shares nothing and touches no memory, in rounds taken turn about with jose's: what it
//! reaches is what the machine gave two threads during the same seconds, so jose's
//! figure can be read against it.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use jose_benches::{Case, Fixture, StartLine, alternate, quantile, test_keys_jwks_json};
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

/// `n` verifications of the fixture's token against the shared set, each asserted to
/// pass (a set that stopped verifying would otherwise time its error path).
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

/// The criterion rows: `verify` (see [`verify_n`]) on 1 and on 2 threads.
fn threads(c: &mut Criterion, verify: &(dyn Fn(u64) + Sync)) {
    let mut group = c.benchmark_group("threads");
    group.throughput(Throughput::Elements(1));
    for threads in [1, 2] {
        group.bench_function(BenchmarkId::new("jose-jwkset-RS256-2048", threads), |b| {
            b.iter_custom(|iters| run(threads, iters, verify))
        });
    }
    group.finish();
}

/// Units of `work` in a block of about `block` on one thread, from a run of at least
/// 1 ms (a debug build under `cargo test` is far slower than the bench build).
fn units_per_block(work: &(dyn Fn(u64) + Sync), block: Duration) -> u64 {
    let mut units = 1_u64;
    let per_unit = loop {
        let elapsed = run(1, units, work);
        if elapsed >= Duration::from_millis(1) || units >= 1 << 40 {
            break elapsed.as_secs_f64() / units as f64;
        }
        units *= 2;
    };
    ((block.as_secs_f64() / per_unit) as u64).clamp(2, 100_000_000)
}

/// Prints the interleaved scaling figures of jose and of the control (see the module
/// docs). The two are measured turn about, two rounds of one (both orders of 1 and 2
/// threads) then two of the other, so a spell of the machine that lasts longer than a
/// few blocks reaches both figures.
fn interleaved_scaling(
    jose: &(dyn Fn(u64) + Sync),
    control: &(dyn Fn(u64) + Sync),
    rounds: usize,
    block: Duration,
) {
    let sides = [
        ("RS256-2048", jose, units_per_block(jose, block)),
        (
            "control (multiply loop)",
            control,
            units_per_block(control, block),
        ),
    ];
    let mut measured: [(Vec<f64>, Vec<f64>, Vec<f64>); 2] = Default::default();
    for _ in 0..rounds.div_ceil(2) {
        for ((_, work, iters), (one, two, ratios)) in sides.iter().zip(&mut measured) {
            let pair = alternate(
                2,
                || run(1, *iters, *work).as_secs_f64(),
                || run(2, *iters, *work).as_secs_f64(),
            );
            one.extend(pair.first);
            two.extend(pair.second);
            ratios.extend(pair.ratios);
        }
    }
    for ((label, _, iters), (one, two, ratios)) in sides.iter().zip(&mut measured) {
        for values in [&mut *one, &mut *two, &mut *ratios] {
            values.sort_by(f64::total_cmp);
        }
        let fastest = quantile(one, 0.0) / quantile(two, 0.0);
        assert!(fastest.is_finite() && quantile(ratios, 0.5).is_finite());
        println!(
            "threads/interleaved {label}: 2 threads ÷ 1 thread throughput, median {:.2}× \
             (interquartile {:.2}–{:.2}), fastest ÷ fastest {:.2}×, {} rounds of {iters}",
            quantile(ratios, 0.5),
            quantile(ratios, 0.25),
            quantile(ratios, 0.75),
            fastest,
            ratios.len(),
        );
    }
}

fn main() {
    let benching = jose_benches::full_measurement();
    let fixture = Fixture::new(Case::Rs256_2048);
    let set = JwkSet::from_json(test_keys_jwks_json().as_bytes()).expect("the set");
    let verify = verify_n(&set, &fixture);
    let (rounds, block) = if benching {
        (42, Duration::from_millis(20))
    } else {
        (4, Duration::from_micros(500))
    };
    interleaved_scaling(&verify, &multiply_n, rounds, block);
    let mut criterion = Criterion::default().configure_from_args();
    threads(&mut criterion, &verify);
    criterion.final_summary();
}
