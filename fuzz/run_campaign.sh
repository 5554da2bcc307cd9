#!/usr/bin/env bash
# Runs the fuzz campaign: each named target (default: all) for $SECS seconds (default
# 600), one after another, niced, one libFuzzer process at a time, with the dictionary.
# Parser targets are built with the default sanitizer (ASan) and CMP tracing; the
# crypto differentials, whose time goes into bignum and field arithmetic, without
# either (`-s none --no-trace-compares`), which runs them 5-10x faster.
# Logs and final stats go to target/campaign/<target>/fuzz-0.log.
set -euo pipefail
cd "$(dirname "$0")"
SECS=${SECS:-600}
PARSERS=(compact_parse header_json base64url jwk_parse jwks_parse bearer_request)
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(compact_parse header_json base64url jwk_parse jwks_parse claims verify_jwt rsa_verify_differential es256_verify_differential montgomery_differential ec_table_differential key_import provider_responses bearer_request)
fi
is_parser() { local t; for t in "${PARSERS[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }
# Inputs must reach past each size limit (token 16 KiB, JWK / JWK Set / response body
# 256 KiB), which libFuzzer's default -max_len (4096, or the largest corpus file) does
# not. -malloc_limit_mb reports any single allocation over 64 MB as a finding (it needs
# the sanitizer's malloc hooks, so the `-s none` targets only get -rss_limit_mb).
max_len() {
  case "$1" in
    jwk_parse|jwks_parse|provider_responses) echo 270000 ;;
    *) echo 20000 ;;
  esac
}

bin=target/campaign/bin
mkdir -p "$bin"
for t in "${TARGETS[@]}"; do
  if is_parser "$t"; then
    RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz build "$t"
    cp "target/x86_64-unknown-linux-gnu/release/$t" "$bin/$t"
  else
    RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz build -s none --no-trace-compares --target-dir target/notc "$t"
    cp "target/notc/x86_64-unknown-linux-gnu/release/$t" "$bin/$t"
  fi
done

for t in "${TARGETS[@]}"; do
  dir="target/campaign/$t"
  mkdir -p "$dir" "artifacts/$t" "corpus/$t"
  echo "== $t: start $(date -u +%FT%TZ), corpus $(ls "corpus/$t" | wc -l) files"
  (cd "$dir" && nice -n 19 "../bin/$t" -max_total_time="$SECS" -jobs=1 -workers=1 \
      -max_len="$(max_len "$t")" -malloc_limit_mb=64 -rss_limit_mb=512 \
      -dict=../../../dict/jose.dict -print_final_stats=1 \
      -artifact_prefix="../../../artifacts/$t/" "../../../corpus/$t") || true
  echo "== $t: end $(date -u +%FT%TZ), corpus $(ls "corpus/$t" | wc -l) files"
  grep -E "stat::|panicked|SUMMARY|Test unit written" "$dir/fuzz-0.log" || true
done
