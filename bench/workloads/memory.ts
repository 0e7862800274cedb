// Memory under a burst: a PUSH sends 1M numbered messages at a PULL that is not receiving,
// both with high-water mark 1000. The sender's RSS must stay bounded (the HWM blocks it), and
// once the PULL drains, every message must arrive.
import type { BurstBlocked, BurstReceiveArgs, BurstReceiveResult, BurstSendArgs, BurstSendResult } from "../roles/burst.js";
import { bindEndpoint, releaseEndpoint, type Transport } from "./endpoints.js";
import { sizeLabel } from "./push-pull.js";
import { scaledCount, sleep, type Target, type Workload } from "./types.js";

export interface BurstSpec {
  transport: Transport;
  size: number;
  hwm: number;
  /** Messages in the burst. */
  baseCount: number;
  targets?: Target[];
}

const MB = 1e6;

export function burstWorkload(spec: BurstSpec): Workload {
  if (spec.transport === "inproc") throw new Error("the burst runs across two processes");
  const burst = spec.baseCount >= 1e6 ? `${spec.baseCount / 1e6}M` : `${spec.baseCount / 1e3}k`;
  return {
    name: `memory/${spec.transport}/${sizeLabel(spec.size)}-burst`,
    description:
      `PUSH sends ${burst} × ${sizeLabel(spec.size)} over ${spec.transport} at a stalled PULL, HWM ${spec.hwm} on both; ` +
      `sender RSS growth, then the PULL drains and counts every message`,
    requires: ["Push", "Pull"],
    metrics: [
      { key: "rssGrowthMB", unit: "MB sender RSS growth (worst round)", better: "lower", summary: "max" },
      { key: "lost", unit: "msgs lost (worst round)", better: "lower", summary: "max" },
      { key: "sentAtBlock", unit: "msgs sent before blocking", better: "lower" },
      { key: "pullRssGrowthMB", unit: "MB PULL RSS growth (stalled)", better: "lower" },
    ],
    targets: spec.targets,
    maxRounds: 2, // 1M messages at zeromq's pace take a while; the figures barely vary
    async run(lib, params, workers) {
      const total = scaledCount(spec.baseCount, params, 1000, 0.1);
      const bind = bindEndpoint(spec.transport);
      const execArgv = ["--expose-gc"];
      try {
        const receiveArgs: BurstReceiveArgs = { bind, total, size: spec.size, hwm: spec.hwm, quietMs: 2000 };
        const sender = workers.prepare(lib, { execArgv });
        const receiver = workers.spawn("burst-receive", lib, receiveArgs, { execArgv });
        const { endpoint } = await receiver.wait<{ endpoint: string }>("ready");
        const sendArgs: BurstSendArgs = { connect: endpoint, total, size: spec.size, hwm: spec.hwm, blockedAfterMs: 300 };
        sender.start("burst-send", sendArgs);
        const block = await sender.wait<BurstBlocked>("blocked");
        if (block.blocked) await sleep(300); // hold the stall a little longer: the sender's peak is here
        receiver.post("drain");
        await sender.wait("sent");
        receiver.post("sender-done");
        const received = await receiver.result<BurstReceiveResult>();
        sender.post("close");
        const sent = await sender.result<BurstSendResult>();
        if (received.outOfOrder > 0) throw new Error(`${received.outOfOrder} messages arrived out of order`);
        return {
          rssGrowthMB: Math.max(0, sent.peakRss - sent.baselineRss) / MB,
          lost: received.lost,
          sentAtBlock: sent.sentAtBlock,
          pullRssGrowthMB: Math.max(0, received.stallRssGrowth) / MB,
          blocked: sent.blocked ? 1 : 0,
          seconds: received.drainNs / 1e9,
        };
      } finally {
        releaseEndpoint(bind);
      }
    },
  };
}
