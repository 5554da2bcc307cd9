//! `jose bench` end to end, kept short: RS256-2048 and ES256 only (an RSA-4096 key
//! generation alone can take many seconds in a debug build), 50 ms per measurement.

use std::process::{Command, Output};

use serde_json::Value;

fn jose_bench(extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jose"))
        .args(["bench", "--seconds", "0.05", "--algs", "RS256-2048,ES256"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn table_lists_each_case_with_a_positive_rate() {
    let output = jose_bench(&["--threads", "2"]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("verify/s (1 thread)"), "{stdout}");
    assert!(stdout.contains("verify/s (2 threads)"), "{stdout}");
    for (case, key) in [("RS256-2048", "RSA-2048"), ("ES256", "P-256")] {
        let row = stdout
            .lines()
            .find(|line| line.starts_with(case))
            .unwrap_or_else(|| panic!("no {case} row in\n{stdout}"));
        let columns: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(columns[1], key, "{row}");
        for rate in &columns[2..5] {
            let rate: f64 = rate.parse().unwrap_or_else(|_| panic!("{row}"));
            assert!(rate > 0.0, "{row}");
        }
        assert!(columns[5].ends_with('x'), "{row}");
    }
    assert!(!stdout.contains("RS256-4096"), "--algs filters: {stdout}");
}

#[test]
fn json_reports_rates_for_one_and_all_threads() {
    let output = jose_bench(&["--json", "--threads", "2"]);
    assert!(output.status.success(), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["threads"], 2);
    let results = report["results"].as_array().unwrap();
    let cases: Vec<&str> = results
        .iter()
        .map(|r| r["case"].as_str().unwrap())
        .collect();
    assert_eq!(cases, ["RS256-2048", "ES256"]);
    for result in results {
        for run in ["single_thread", "all_threads"] {
            assert!(
                result[run]["per_second"].as_f64().unwrap() > 0.0,
                "{result}"
            );
            assert!(
                result[run]["verifications"].as_u64().unwrap() > 0,
                "{result}"
            );
        }
        assert_eq!(result["all_threads"]["threads"], 2);
    }
}

#[test]
fn one_thread_skips_the_multi_threaded_run() {
    let output = jose_bench(&["--json", "--threads", "1"]);
    assert!(output.status.success(), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["results"][0]["all_threads"].is_null());
}

#[test]
fn bad_arguments_are_usage_errors() {
    for args in [
        &["bench", "--algs", "HS256"][..],
        &["bench", "--seconds", "0"],
        &["bench", "--seconds", "soon"],
        &["bench", "--threads", "0"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_jose"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

/// The rows for ES384, ES512 and EdDSA: keys of the right curve, tokens that verify.
#[test]
fn curve_rows_verify_with_their_own_keys() {
    let output = Command::new(env!("CARGO_BIN_EXE_jose"))
        .args(["bench", "--seconds", "0.05", "--algs", "ES384,ES512,EdDSA"])
        .args(["--json", "--threads", "1"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows: Vec<(&str, &str, &str)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(
                r["single_thread"]["verifications"].as_u64().unwrap() > 0,
                "{r}"
            );
            (
                r["case"].as_str().unwrap(),
                r["alg"].as_str().unwrap(),
                r["key"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("ES384", "ES384", "P-384"),
            ("ES512", "ES512", "P-521"),
            ("EdDSA", "EdDSA", "Ed25519")
        ]
    );
}
