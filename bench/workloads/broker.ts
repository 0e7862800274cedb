import { measure } from "../broker.js";
import { scaledCount, type Workload } from "./types.js";

/**
 * The optional broker (issue 8): durable put, and put+consume, of 256 B messages with 1000
 * in flight, the broker in a child process. wiremq only: zeromq has no broker, so its column
 * reads "unavailable".
 */
export function brokerWorkload(store: "batch" | "always" | "memory"): Workload {
  return {
    name: `broker/256B/${store === "memory" ? "memory" : `sync-${store}`}`,
    description: `broker PUT confirmations and PUT+consume+ACK of 256B messages, ${store === "memory" ? "in memory" : `sync ${store}`}`,
    requires: [],
    // wiremq/broker, not the main entry (which, like zeromq's, has no Broker).
    prerequisite: (lib) => (lib === "wiremq" ? undefined : `${lib} has no broker`),
    metrics: [
      { key: "putPerSec", unit: "puts/s", better: "higher" },
      { key: "putConsumePerSec", unit: "put+consume/s", better: "higher" },
    ],
    maxRounds: 3,
    async run(_lib, params) {
      const line = await measure(store, scaledCount(20_000, params, 500));
      return { putPerSec: line.putPerSec, putConsumePerSec: line.putConsumePerSec };
    },
  };
}
