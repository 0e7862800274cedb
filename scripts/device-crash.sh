#!/usr/bin/env bash
# Long local run of the buffering device's SIGKILL test (the suite runs 5 kills): a child
# device under load killed at seeded moments, half of them aimed at a compaction, restarted on
# the same spill file. Prints the report (kills, kills during compaction, accepted, deliveries,
# duplicated, lost, in transport). A failure prints its seed; rerun with SEED=<it>.
#   bash scripts/device-crash.sh                 # 100 kills
#   SEED=7 KILLS=500 bash scripts/device-crash.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seed="${SEED:-$RANDOM}"
echo "device crash seed $seed" >&2
npm run build >/dev/null
DEVICE_CRASH_SEED="$seed" DEVICE_CRASH_KILLS="${KILLS:-100}" npx vitest run test/devices/buffer-crash.test.ts --testTimeout 0
