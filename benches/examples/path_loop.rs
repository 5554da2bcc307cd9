//! Runs one step of the verification path a fixed number of times, for `perf stat`.
//!
//! Criterion reports times, which this shared VM makes noisy; instruction counts are not.
//! This loop lets `perf stat -e instructions` (or `-e cycles`, alternating two runs)
//! compare jose's path around the signature math with jsonwebtoken's `insecure_decode`
//! on the same fixture token, with nothing else in the process but start-up:
//!
//! ```sh
//! cargo build --release -p jose-benches --example path_loop
//! perf stat -e instructions,cycles target/release/examples/path_loop RS256-2048 jose 400000
//! perf stat -e instructions,cycles target/release/examples/path_loop RS256-2048 insecure-decode 400000
//! ```
//!
//! Arguments: a case label (`RS256-2048`, `RS256-3072`, `RS256-4096`, `PS256-2048`,
//! `ES256`), what to run, and the iteration count. `jose` is
//! `Fixture::verify_without_signature` (the `paired` bench's jose side of "all but
//! signature"); `insecure-decode`
//! is `jsonwebtoken::dangerous::insecure_decode` into a JSON map; `verify` is a whole
//! `jose_core::verify_jwt`. Divide the counts by the iteration count; start-up (fixture
//! signing) is the same for every mode, so measure it once with 0 iterations.

use std::hint::black_box;
use std::process::ExitCode;

use jose_benches::{Case, Fixture};
use serde_json::{Map, Value};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [label, mode, iterations] = args.as_slice() else {
        eprintln!("usage: path_loop <case> <jose|insecure-decode|verify> <iterations>");
        return ExitCode::FAILURE;
    };
    let (Some(case), Ok(iterations)) = (Case::from_label(label), iterations.parse::<u64>()) else {
        eprintln!("unknown case {label:?} or bad iteration count {iterations:?}");
        return ExitCode::FAILURE;
    };
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    let fixture = Fixture::new(case);
    let token = fixture.token();
    let validation = fixture.validation();
    let step: Box<dyn Fn() -> bool> = match mode.as_str() {
        "jose" => Box::new(|| fixture.verify_without_signature(&validation).is_ok()),
        "insecure-decode" => Box::new(|| {
            jsonwebtoken::dangerous::insecure_decode::<Map<String, Value>>(black_box(token)).is_ok()
        }),
        "verify" => {
            Box::new(|| jose_core::verify_jwt(black_box(token), fixture.key(), &validation).is_ok())
        }
        other => {
            eprintln!("unknown mode {other:?}");
            return ExitCode::FAILURE;
        }
    };
    for _ in 0..iterations {
        if !step() {
            eprintln!("{mode} failed on the {label} fixture");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
