#!/usr/bin/env bash
# Minimises each named target's corpus after a campaign (default: all that have one):
# the named seed-* files (regenerate with make_seeds.py) are kept as they are, and
# libFuzzer's greedy set-cover merge adds the fewest fuzzer-found inputs that reach
# every edge the seeds do not
# (-use_counters=0: edges, not hit counts, so the corpus stays small enough to commit).
# Uses the binaries of the last run_campaign.sh; run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=($(ls target/campaign/bin))
fi
for t in "${TARGETS[@]}"; do
  new="target/minimize/$t"
  rm -rf "$new" "target/minimize/$t.control" && mkdir -p "$new"
  cp corpus/"$t"/seed-* "$new"/
  nice -n 19 "target/campaign/bin/$t" -set_cover_merge=1 -use_counters=0 \
      -merge_control_file="target/minimize/$t.control" "$new" "corpus/$t" \
      > "target/minimize/$t.log" 2>&1
  rm -rf "corpus/$t" && mv "$new" "corpus/$t"
  echo "$t: $(ls "corpus/$t" | wc -l) files, $(du -sh "corpus/$t" | cut -f1)"
done
