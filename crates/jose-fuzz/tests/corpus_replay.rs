//! Replays every committed fuzz corpus file through its target on the stable toolchain,
//! so `cargo test` (and CI) re-checks every seed and every past finding, and
//! that none of them costs heap out of proportion to its size.

use std::path::{Path, PathBuf};

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// Heap bytes one corpus file may cost: a fixed allowance (tokio's runtime, the key
/// tables built once per process) plus a multiple of its length.
const ALLOC_BUDGET_FIXED: usize = 4 << 20;
const ALLOC_BUDGET_PER_INPUT_BYTE: usize = 64;

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus")
}

#[test]
fn every_target_has_a_corpus_and_every_file_replays() {
    let root = corpus_root();
    let mut total = 0;
    for (name, target) in jose_fuzz::TARGETS {
        let dir = root.join(name);
        assert!(dir.is_dir(), "missing corpus directory {}", dir.display());
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .filter(|path| path.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "corpus {name} is empty");
        let mut replayed = 0;
        for file in &files {
            let data = std::fs::read(file).expect("corpus file is readable");
            // A panic here names the file through this message's context.
            let region = Region::new(GLOBAL);
            let outcome = std::panic::catch_unwind(|| target(&data));
            let stats = region.change();
            assert!(
                outcome.is_ok(),
                "{name}: {} fails its oracle",
                file.display()
            );
            // What -malloc_limit_mb does for cargo-fuzz runs: heap use sized from the
            // input shows up here. The most any file costs today is ~2.5 MB (a 16 KB key
            // set, or the once-per-process tables on a target's first file).
            let bytes = stats.bytes_allocated + stats.bytes_reallocated.max(0) as usize;
            let budget = ALLOC_BUDGET_FIXED + ALLOC_BUDGET_PER_INPUT_BYTE * data.len();
            assert!(
                bytes <= budget,
                "{name}: {} allocated {bytes} bytes for {} input bytes (budget {budget})",
                file.display(),
                data.len()
            );
            replayed += 1;
        }
        assert!(replayed > 0, "{name}: replayed nothing");
        total += replayed;
    }
    assert!(total >= jose_fuzz::TARGETS.len(), "replayed {total} files");
}

#[test]
fn no_stray_corpus_directories() {
    // A corpus directory without a target would silently never be replayed.
    for entry in std::fs::read_dir(corpus_root()).expect("fuzz/corpus exists") {
        let name = entry.expect("directory entry").file_name();
        let name = name.to_string_lossy();
        assert!(
            jose_fuzz::TARGETS.iter().any(|(target, _)| *target == name),
            "fuzz/corpus/{name} has no target in jose_fuzz::TARGETS"
        );
    }
}
