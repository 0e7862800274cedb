// PUB → N SUB fan-out across two processes: the publisher in one, the N subscribers in another.
import type { PublishArgs, SubscribeArgs, SubscribeResult } from "../roles/pub-sub.js";
import { bindEndpoint, releaseEndpoint, type Transport } from "./endpoints.js";
import { sizeLabel } from "./push-pull.js";
import { scaledCount, type Target, type Workload } from "./types.js";

export interface PubSubSpec {
  transport: Transport;
  size: number;
  subscribers: number;
  /** Messages the PUB sends per measurement (each SUB may get them all). */
  baseCount: number;
  targets?: Target[];
}

export function pubSubWorkload(spec: PubSubSpec): Workload {
  if (spec.transport === "inproc") throw new Error("pub-sub runs across two processes");
  return {
    name: `pub-sub/${spec.transport}/${sizeLabel(spec.size)}x${spec.subscribers}`,
    description:
      `PUB → ${spec.subscribers} SUB ${sizeLabel(spec.size)} over ${spec.transport}, PUB in one process, the SUBs in another; ` +
      `messages delivered per second summed over the SUBs, and the share the PUB dropped`,
    requires: ["Publisher", "Subscriber"],
    metrics: [
      { key: "msgsPerSec", unit: "msgs/s (sum)", better: "higher" },
      { key: "dropPct", unit: "% dropped", better: "lower" },
    ],
    targets: spec.targets,
    async run(lib, params, workers) {
      const count = scaledCount(spec.baseCount, params);
      const warmup = Math.max(1, Math.ceil(count / 10));
      const total = warmup + count;
      const bind = bindEndpoint(spec.transport);
      try {
        const pubArgs: PublishArgs = { bind, size: spec.size, total };
        const subs = workers.prepare(lib);
        const pub = workers.spawn("pub-send", lib, pubArgs);
        const { endpoint } = await pub.wait<{ endpoint: string }>("ready");
        const subArgs: SubscribeArgs = { connect: endpoint, size: spec.size, subscribers: spec.subscribers, warmup, total };
        subs.start("sub-receive", subArgs);
        // Every SUB has received a probe, so its subscription reached the PUB: nothing timed is
        // lost to the slow-joiner window.
        await subs.wait("subscribed");
        pub.post("go");
        const result = await subs.result<SubscribeResult>();
        pub.post("close");
        await pub.result();

        let all = 0;
        let delivered = 0;
        let first = Number.POSITIVE_INFINITY;
        let last = 0;
        for (const s of result.subscribers) {
          all += s.all;
          delivered += s.delivered;
          if (s.delivered > 0) {
            first = Math.min(first, s.firstNs);
            last = Math.max(last, s.lastNs);
          }
        }
        const seconds = delivered > 0 ? (last - first) / 1e9 : 0;
        // Fewer than a couple of timed messages per SUB span no meaningful time: count as 0/s.
        const msgsPerSec = delivered >= 2 * spec.subscribers && seconds > 0 ? delivered / seconds : 0;
        return {
          msgsPerSec,
          dropPct: (100 * (spec.subscribers * total - all)) / (spec.subscribers * total),
          delivered,
          minDelivered: Math.min(...result.subscribers.map((s) => s.delivered)),
          seconds,
        };
      } finally {
        releaseEndpoint(bind);
      }
    },
  };
}
