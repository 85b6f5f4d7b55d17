#!/usr/bin/env bash
# Seeds a corpus with the fixture checkpoints under 100 KB and runs the fuzzer for SECONDS.
# Usage: run_fuzz.sh FUZZER CORPUS_DIR SECONDS. $DELTAEDIT_FIXTURES (default ../shared/fixtures
# next to the checkout) supplies the seeds; exits 77 (skipped) when there are none.
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3
here=$(cd "$(dirname "$0")/.." && pwd)
fixtures=${DELTAEDIT_FIXTURES:-$here/../shared/fixtures}
if [ ! -d "$fixtures/checkpoint" ]; then
  echo "fixtures not found at $fixtures: skipping the fuzz run"
  exit 77
fi
mkdir -p "$corpus"
for seed in "$fixtures"/checkpoint/*.pt "$fixtures"/checkpoint/bad/*.pt; do
  [ "$(stat -c %s "$seed")" -lt 100000 ] && cp -f "$seed" "$corpus/seed_$(basename "$seed")"
done
exec "$fuzzer" -max_total_time="$seconds" -max_len=100000 -timeout=10 -rss_limit_mb=4096 \
  -print_final_stats=1 "$corpus"
