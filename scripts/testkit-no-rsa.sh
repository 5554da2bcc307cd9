#!/usr/bin/env bash
# A user who takes jose-testkit as a dev-dependency must not get the `rsa` crate
# (RUSTSEC-2023-0071, private-key timing) in their lockfile: the kit signs RSA with ring.
# This resolves a scratch project that depends on jose-testkit alone, as a user's crate
# would, and fails if `rsa` is anywhere in its normal or dev dependency tree, on any
# target, or in its Cargo.lock. Needs crates.io (or a mirror) to resolve; builds nothing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

mkdir -p "$scratch/src"
cat >"$scratch/Cargo.toml" <<EOF
[package]
name = "testkit-user"
version = "0.0.0"
edition = "2024"
publish = false

[dev-dependencies]
jose-testkit = { path = "$root/crates/jose-testkit" }
tokio = { version = "1", features = ["macros", "rt"] }

# Its own workspace, whatever directory the scratch project lands in.
[workspace]
EOF
echo '//! A user crate whose tests use jose-testkit.' >"$scratch/src/lib.rs"

cd "$scratch"
# cargo tree builds nothing, but keep any cargo output away from the caller's target dir.
export CARGO_TARGET_DIR="$scratch/target"
cargo generate-lockfile --quiet

# `cargo tree -i rsa` fails when no package is called `rsa`: that error is the pass case.
# Any other failure is a failure of this check, not a pass.
if tree="$(cargo tree -e normal,dev --target all -i rsa 2>"$scratch/tree.err")"; then
  if [[ -n "$tree" ]]; then
    echo "rsa is in the dependency tree of a crate that uses jose-testkit:" >&2
    echo "$tree" >&2
    exit 1
  fi
elif ! grep -q 'did not match any packages' "$scratch/tree.err"; then
  echo "cargo tree failed:" >&2
  cat "$scratch/tree.err" >&2
  exit 1
fi

# The lockfile holds every package resolved for any target and feature set.
if grep -qE '^name = "rsa"$' Cargo.lock; then
  echo "rsa is in the Cargo.lock of a crate that uses jose-testkit" >&2
  exit 1
fi

echo "ok: no rsa in the tree or lockfile of a crate depending only on jose-testkit" \
  "($(grep -c '^name = ' Cargo.lock) packages resolved)"
