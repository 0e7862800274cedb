#!/usr/bin/env bash
# Long local runs of what the suite runs short: the fast-check properties (wire, handshakes,
# broker and fan-out protocols) and the PLAIN/CURVE listener fuzz, with a fresh seed each time
# unless one is given. A failure prints its seed; rerun with SEED=<it> to replay.
#   bash scripts/soak.sh                      # ~100k runs per property, 2,000 hostile connections
#   SEED=7 RUNS=1000000 CONNECTIONS=20000 bash scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seed="${SEED:-$RANDOM$RANDOM}"
echo "soak seed $seed" >&2
PROPERTY_SEED="$seed" PROPERTY_RUNS="${RUNS:-100000}" npx vitest run test/property --testTimeout 0
FUZZ_SEED="$seed" FUZZ_CONNECTIONS="${CONNECTIONS:-2000}" npx vitest run test/engine/listener-fuzz.test.ts --testTimeout 0
