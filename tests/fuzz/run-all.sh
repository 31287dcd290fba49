#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 180), one after another,
# at the lowest priority. Usage: tests/fuzz/run-all.sh [SECONDS] [TARGET...]
set -u
cd "$(dirname "$0")"
secs=${1:-180}
shift || true
targets=${*:-split_builtin roundtrip_pretrained load_tiktoken load_model load_hf custom_pattern train_bytes roundtrip_toy}
bin=${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release
RUSTC_BOOTSTRAP=1 nice -n 19 cargo fuzz build --fuzz-dir . -O || exit 1
for t in $targets; do
  mkdir -p "corpus/$t" "artifacts/$t"
  echo "== $t"
  nice -n 19 "$bin/$t" "corpus/$t" "seeds/$t" -max_total_time="$secs" -timeout=30 \
    -rss_limit_mb=2048 -max_len=4096 -artifact_prefix="artifacts/$t/" -print_final_stats=1 \
    2>&1 | grep -E "^Done|number_of_executed_units|ERROR|SUMMARY|panicked|artifact" 
done
