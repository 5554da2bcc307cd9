#!/usr/bin/env bash
# Line coverage of jose-core and jose-jwk by the committed corpora, all targets together.
# `cargo fuzz coverage` builds the instrumented binaries and writes raw profiles; it
# then looks for llvm-profdata in the toolchain's sysroot (rustup's llvm-tools), which
# this machine lacks, so the merge and the report are done here with an LLVM that reads
# rustc's profile format (LLVM 19 reads Rust 1.95's; Debian: apt-get install llvm-19).
# Usage: LLVM_BIN=/usr/lib/llvm-19/bin ./coverage.sh [TARGET…]
set -euo pipefail
cd "$(dirname "$0")"
LLVM_BIN=${LLVM_BIN:-/usr/lib/llvm-19/bin}
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=($(ls corpus))
fi
bin=target/x86_64-unknown-linux-gnu/coverage/x86_64-unknown-linux-gnu/release
objects=()
for t in "${TARGETS[@]}"; do
  # Fails at its own merge step (no sysroot llvm-profdata); the raw profiles are there.
  RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz coverage "$t" > "coverage/$t.log" 2>&1 || true
  ls coverage/"$t"/raw/*.profraw > /dev/null
  objects+=(-object "$bin/$t")
done
"$LLVM_BIN/llvm-profdata" merge -sparse coverage/*/raw -o coverage/all.profdata
"$LLVM_BIN/llvm-cov" report "${objects[@]}" -instr-profile=coverage/all.profdata \
  -ignore-filename-regex='\.cargo/registry|/rustc/|jose-fuzz/|fuzz_targets' \
  | tee coverage/report.txt
