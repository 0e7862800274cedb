import { missingNatsServer } from "../../test/helpers/nats.js";
import type { LibName } from "../lib-loader.js";
import { scaledCount, type Workload } from "./types.js";

/** The backends are wiremq's (its main entry, like zeromq's, has no broker): zeromq's column is unavailable. */
function wiremqWithNats(lib: LibName): string | undefined {
  if (lib !== "wiremq") return `${lib} has no durable queues`;
  const missing = missingNatsServer();
  return missing === undefined ? undefined : `nats-server missing: ${missing}`;
}

/**
 * Durable queues on both backends in one measurement (issue 19): the embedded broker (sync
 * batch) and the NATS JetStream backend with replicas 1 and 3, put and put+consume of 256 B
 * messages, 256 in flight, and the official client's `js.publish` alone, timed in turns with
 * the backend's puts (bench/jetstream.ts). wiremq only (zeromq has no broker). Without
 * nats-server the column reads "unavailable", saying so.
 */
export function durableQueuesWorkload(): Workload {
  return {
    name: "durable/256B",
    description: "durable puts and put+consume of 256B: embedded broker (sync batch), JetStream R1 and R3, and js.publish alone (R1, R3)",
    requires: [],
    prerequisite: wiremqWithNats,
    metrics: [
      { key: "embeddedPut", unit: "embedded sync-batch puts/s", better: "higher" },
      { key: "embeddedPutConsume", unit: "embedded sync-batch put+consume/s", better: "higher" },
      { key: "r1Put", unit: "JetStream R1 puts/s", better: "higher" },
      { key: "r1PutConsume", unit: "JetStream R1 put+consume/s", better: "higher" },
      { key: "r1JsPublish", unit: "js.publish alone R1 puts/s", better: "higher" },
      { key: "r1Ratio", unit: "R1 puts ÷ js.publish (×)", better: "higher" },
      { key: "r3Put", unit: "JetStream R3 puts/s", better: "higher" },
      { key: "r3PutConsume", unit: "JetStream R3 put+consume/s", better: "higher" },
      { key: "r3JsPublish", unit: "js.publish alone R3 puts/s", better: "higher" },
      { key: "r3Ratio", unit: "R3 puts ÷ js.publish (×)", better: "higher" },
    ],
    targets: [
      { metric: "r1Ratio", limit: 1.5 },
      { metric: "r3Ratio", limit: 1.5 },
    ],
    maxRounds: 3,
    timeoutMs: 300_000,
    async run(_lib, params) {
      // Loaded here, not at start-up: it brings in the NATS client packages.
      const { queuesLines } = await import("../jetstream.js");
      const [embedded, r1, r3] = await queuesLines(scaledCount(20_000, params, 500));
      return {
        embeddedPut: embedded!.putPerSec,
        embeddedPutConsume: embedded!.putConsumePerSec,
        r1Put: r1!.putPerSec,
        r1PutConsume: r1!.putConsumePerSec,
        r1JsPublish: r1!.jsPublishPerSec!,
        r1Ratio: r1!.putPerSec / r1!.jsPublishPerSec!,
        r3Put: r3!.putPerSec,
        r3PutConsume: r3!.putConsumePerSec,
        r3JsPublish: r3!.jsPublishPerSec!,
        r3Ratio: r3!.putPerSec / r3!.jsPublishPerSec!,
      };
    },
  };
}

/** The stream leader of a 3-node JetStream cluster SIGKILLed under puts and a consumer: the consumer's longest stall (issue 19: ≤ 10 s). */
export function leaderKillWorkload(): Workload {
  return {
    name: "durable/jetstream-R3-leader-kill",
    description: "3 nats-servers, replicas 3: the stream leader SIGKILLed mid-way under puts and a consumer; stall and loss",
    requires: [],
    prerequisite: wiremqWithNats,
    metrics: [
      { key: "consumerStallMs", unit: "ms longest consumer stall", better: "lower", summary: "max" },
      { key: "putStallMs", unit: "ms longest put stall", better: "lower", summary: "max" },
      { key: "leaderlessMs", unit: "ms without a leader", better: "lower", summary: "max" },
      { key: "lost", unit: "confirmed msgs lost", better: "lower", summary: "max" },
    ],
    targets: [
      { metric: "consumerStallMs", limit: 10_000 },
      { metric: "lost", limit: 0 },
    ],
    maxRounds: 1,
    timeoutMs: 180_000,
    async run(_lib, params) {
      const { leaderKill } = await import("../jetstream.js");
      return leaderKill(scaledCount(10_000, params, 2000));
    },
  };
}
