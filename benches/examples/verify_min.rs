//! The fastest of many short batches of `jose_core::verify_jwt` on one fixture token, for
//! A/B comparisons of two builds on a shared machine.
//!
//! Why the minimum: on the shared 2-core VM this project is measured on, another tenant
//! can slow a run down severely for seconds at a time, which moves medians of whole
//! runs more than the changes being compared. A batch of a few milliseconds either hits
//! such a spell or not, so the fastest of a few hundred batches estimates the
//! uncontended speed, and it is steady from run to run. Alternate the two builds and
//! compare the sorted minima of several runs each:
//!
//! ```sh
//! cargo build --release -p jose-benches --example verify_min
//! cp target/release/examples/verify_min /tmp/verify-min-new   # and likewise the old build
//! for i in 1 2 3 4 5 6; do
//!   /tmp/verify-min-old RS256-4096 300 10; /tmp/verify-min-new RS256-4096 300 10
//! done
//! ```
//!
//! Arguments: a case label (`RS256-2048`, `RS256-3072`, `RS256-4096`, `PS256-2048`,
//! `ES256`), the number of batches and the verifications per batch. Prints the minimum,
//! the 10th percentile and the median time per verification over the batches, in
//! nanoseconds of wall time. Ratios to peers come from the `paired` bench, not from this.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use jose_benches::{Case, Fixture, quantile};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [label, batches, per_batch] = args.as_slice() else {
        eprintln!("usage: verify_min <case> <batches> <verifications per batch>");
        return ExitCode::FAILURE;
    };
    let (Some(case), Ok(batches), Ok(per_batch)) = (
        Case::from_label(label),
        batches.parse::<usize>(),
        per_batch.parse::<u32>(),
    ) else {
        eprintln!("unknown case {label:?} or bad counts {batches:?} {per_batch:?}");
        return ExitCode::FAILURE;
    };
    if batches == 0 || per_batch == 0 {
        eprintln!("both counts must be at least 1");
        return ExitCode::FAILURE;
    }
    let fixture = Fixture::new(case);
    let token = fixture.token();
    let validation = fixture.validation();
    let mut per_verification = Vec::with_capacity(batches);
    for _ in 0..batches {
        let start = Instant::now();
        for _ in 0..per_batch {
            if jose_core::verify_jwt(black_box(token), fixture.key(), &validation).is_err() {
                eprintln!("verification failed on the {label} fixture");
                return ExitCode::FAILURE;
            }
        }
        per_verification.push(start.elapsed().as_nanos() as f64 / f64::from(per_batch));
    }
    per_verification.sort_by(f64::total_cmp);
    let at = |q| quantile(&per_verification, q);
    println!("{:.0} {:.0} {:.0}", at(0.0), at(0.1), at(0.5));
    ExitCode::SUCCESS
}
