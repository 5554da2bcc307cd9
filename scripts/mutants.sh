#!/usr/bin/env bash
# Mutation testing of jose's security-relevant code with cargo-mutants.
#
# Usage:
#   scripts/mutants.sh [GROUP] [extra cargo-mutants args...]
#
#   GROUP is one of the file groups below, in the order they matter for security;
#   without one (or with `all`) every group runs, one after the other:
#     core-token   jose-core token/ (compact, header, json, claims, validation, verify,
#                  limits, clock), algorithm.rs, base64url.rs
#     core-key     jose-core crypto/key.rs, crypto/spki.rs
#     jwk          jose-jwk jwk.rs, set.rs, x5c.rs, thumbprint.rs
#     fetch        jose-fetch cache_policy.rs
#     core-crypto  jose-core crypto/rsa.rs, crypto/ec.rs, crypto/ec_wide.rs
#     core-arith   jose-core crypto/montgomery.rs, crypto/ec_table.rs
#
#   GROUP may also be one source file, e.g. crates/jose-core/src/token/verify.rs: a batch
#   of its own, written to its own output directory.
#
#   Everything after GROUP goes to cargo-mutants, e.g.
#     scripts/mutants.sh core-token --shard 1/4          # a quarter of the group
#     scripts/mutants.sh core-token --re 'validation.rs' # only mutants whose name matches
#     scripts/mutants.sh jwk --list                      # list, do not run
#   (`--file` adds to the group's globs; cargo-mutants examines the union.)
#
# Output: $MUTANTS_OUT/GROUP/mutants.out/{caught,missed,timeout,unviable}.txt and
# outcomes.json; MUTANTS_OUT defaults to target/mutants (gitignored). A new run of a
# group replaces that group's previous mutants.out.
#
# Cost: cargo-mutants copies the source tree (without gitignored paths such as target/)
# to a fresh scratch directory per run. The builds go to MUTANTS_TARGET_DIR (default
# target/mutants-build), not the CARGO_TARGET_DIR other cargo processes share: they would
# wait on, and invalidate, each other's builds. A dedicated, persistent directory also
# means a second run reuses the compiled dependencies and rebuilds only jose's crates.
# (With MUTANTS_JOBS > 1 the parallel builds would serialise on that one directory;
# set MUTANTS_TARGET_DIR= (empty) to give each scratch copy its own.)
# Each mutant then rebuilds the mutated crate and runs that crate's unit and integration
# tests; doctests are skipped (`--tests`): they repeat the API examples, and each is a
# separate rustc run.
# MUTANTS_JOBS (default 1) sets `-j`; MUTANTS_NICE (default 10) the niceness.
#
# CI does not run this: a full pass over every group takes hours on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."

groups_all=(core-token core-key jwk fetch core-crypto core-arith)

group_args() {
  case "$1" in
    core-token)
      echo "-p jose-core -f crates/jose-core/src/token/*.rs -f crates/jose-core/src/algorithm.rs -f crates/jose-core/src/base64url.rs" ;;
    core-key)
      echo "-p jose-core -f crates/jose-core/src/crypto/key.rs -f crates/jose-core/src/crypto/spki.rs" ;;
    jwk)
      echo "-p jose-jwk -f crates/jose-jwk/src/jwk.rs -f crates/jose-jwk/src/set.rs -f crates/jose-jwk/src/x5c.rs -f crates/jose-jwk/src/thumbprint.rs" ;;
    fetch)
      echo "-p jose-fetch -f crates/jose-fetch/src/cache_policy.rs" ;;
    core-crypto)
      echo "-p jose-core -f crates/jose-core/src/crypto/rsa.rs -f crates/jose-core/src/crypto/ec.rs -f crates/jose-core/src/crypto/ec_wide.rs" ;;
    core-arith)
      echo "-p jose-core -f crates/jose-core/src/crypto/montgomery.rs -f crates/jose-core/src/crypto/ec_table.rs" ;;
    crates/*/src/*.rs)
      [[ -f $1 ]] || return 1
      local crate=${1#crates/}
      echo "-p ${crate%%/*} -f $1" ;;
    *) return 1 ;;
  esac
}

groups=("${groups_all[@]}")
if [[ $# -gt 0 ]]; then
  if [[ $1 == all ]]; then
    shift
  elif group_args "$1" >/dev/null; then
    groups=("$1")
    shift
  fi
fi

out_root=${MUTANTS_OUT:-target/mutants}
target_dir=${MUTANTS_TARGET_DIR-$PWD/target/mutants-build}
if [[ -n $target_dir ]]; then
  export CARGO_TARGET_DIR=$target_dir
else
  unset CARGO_TARGET_DIR
fi

for g in "${groups[@]}"; do
  # The globs must reach cargo-mutants unexpanded.
  set -f
  # shellcheck disable=SC2207
  args=($(group_args "$g"))
  set +f
  # One output directory per group; a file's is named after its path.
  out="$out_root/${g//\//_}"
  mkdir -p "$out"
  echo "== mutants: $g ($(date -u +%FT%TZ), $(git rev-parse --short HEAD))"
  nice -n "${MUTANTS_NICE:-10}" cargo mutants \
    "${args[@]}" \
    --output "$out" \
    -j "${MUTANTS_JOBS:-1}" \
    --gitignore true \
    --cap-lints true \
    --timeout-multiplier 3 \
    --minimum-test-timeout 60 \
    --build-timeout 900 \
    --cargo-test-arg=--tests \
    "$@" || status=$?
  # cargo-mutants exits 2 when mutants were missed and 3 on timeouts: results, not
  # failures of the script; carry on with the next group.
  case ${status:-0} in
    0 | 2 | 3) ;;
    *) echo "cargo mutants failed for $g (exit ${status})" >&2; exit "$status" ;;
  esac
  status=0
done
