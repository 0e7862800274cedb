#!/usr/bin/env bash
# Full-size JetStream takeover trials (test/broker/jetstream-takeover.test.ts runs 10 000
# messages per trial in the suite): RUNS times, 20 000 messages per trial, the stream's leader
# and then a follower SIGKILLed mid-way on a fresh 3-node cluster, one JSON line per trial
# (confirmed, delivered, lost, duplicated, leaderlessMs, putStallMs, consumeStallMs).
#   bash scripts/jetstream-takeover.sh
#   RUNS=5 MESSAGES=50000 bash scripts/jetstream-takeover.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-3}"
for ((i = 0; i < runs; i++)); do
  TAKEOVER_MESSAGES="${MESSAGES:-20000}" npx vitest run test/broker/jetstream-takeover.test.ts --testTimeout 0 \
    | grep -E "takeover \{|FAIL|×" | sed 's/.*takeover /takeover /' || { echo "takeover run $i failed" >&2; exit 1; }
done
