#!/usr/bin/env bash
# Long local run of the broker's crash-and-damage suite (test/broker/crash.test.ts runs one
# seed): TRIALS seeds, each through every sync policy and every damage kind, printing one
# JSON line per trial (confirmed, delivered, lost, duplicated, reported). A failure names its
# seed; rerun with SEED=<it> TRIALS=1 to replay the kill points.
#   bash scripts/crash-soak.sh              # 20 seeds, ~7 trials each
#   SEED=7 TRIALS=200 bash scripts/crash-soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
seed="${SEED:-$RANDOM}"
trials="${TRIALS:-20}"
for ((i = 0; i < trials; i++)); do
  s=$((seed + i))
  echo "crash soak seed $s" >&2
  WIREMQ_CRASH_SEED="$s" npx vitest run test/broker/crash.test.ts -t "crash and damage" --testTimeout 0 \
    | grep -E "crash trial:|FAIL|✓|×" || { echo "crash soak: seed $s failed" >&2; exit 1; }
done
