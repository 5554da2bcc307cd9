//! Replays every committed fuzz corpus file through its target on the stable toolchain,
//! so `cargo test --workspace` (and CI) re-checks every seed and every past finding.

use std::path::{Path, PathBuf};

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
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(
                outcome.is_ok(),
                "{name}: {} fails its oracle",
                file.display()
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
