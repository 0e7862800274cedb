// Event-loop responsiveness during a flood: PUSH sends 1M messages to a PULL in another
// process while each process runs a 1 ms interval timer; the worst lag of each timer.
import type { ReceiveArgs, ReceiveResult, ReceiverReady, SendArgs, SendResult } from "../roles/push-pull.js";
import { bindEndpoint, releaseEndpoint, type Transport } from "./endpoints.js";
import { sizeLabel } from "./push-pull.js";
import { scaledCount, type Target, type Workload } from "./types.js";

export interface FloodSpec {
  transport: Transport;
  size: number;
  /** Messages in the flood. */
  baseCount: number;
  targets?: Target[];
}

export function floodWorkload(spec: FloodSpec): Workload {
  if (spec.transport === "inproc") throw new Error("the flood runs across two processes");
  const flood = spec.baseCount >= 1e6 ? `${spec.baseCount / 1e6}M` : `${spec.baseCount / 1e3}k`;
  return {
    name: `event-loop/${spec.transport}/${sizeLabel(spec.size)}-flood`,
    description:
      `PUSH→PULL ${flood} × ${sizeLabel(spec.size)} over ${spec.transport}, two processes, each with a 1 ms ` +
      `setInterval; the worst delay of a tick beyond 1 ms, in the sender and in the receiver`,
    requires: ["Push", "Pull"],
    metrics: [
      { key: "senderLagMs", unit: "ms max lag, sender (worst round)", better: "lower", summary: "max" },
      { key: "receiverLagMs", unit: "ms max lag, receiver (worst round)", better: "lower", summary: "max" },
      { key: "msgsPerSec", unit: "msgs/s during the flood", better: "higher" },
    ],
    targets: spec.targets,
    maxRounds: 2, // 1M messages at zeromq's pace take a while
    async run(lib, params, workers) {
      const count = scaledCount(spec.baseCount, params, 1000, 0.1);
      const warmup = 1; // the timers run throughout; the rate is only a by-product here
      const bind = bindEndpoint(spec.transport);
      try {
        const receiveArgs: ReceiveArgs = { bind, size: spec.size, warmup, count: count - warmup, lag: true };
        const sender = workers.prepare(lib);
        const receiver = workers.spawn("pull-receive", lib, receiveArgs);
        const { endpoint } = await receiver.wait<ReceiverReady>("ready");
        const sendArgs: SendArgs = { connect: endpoint, size: spec.size, total: count, lag: true };
        sender.start("push-send", sendArgs);
        const received = await receiver.result<ReceiveResult>();
        sender.post("close");
        const sent = await sender.result<SendResult>();
        return {
          senderLagMs: sent.maxLagMs ?? Number.NaN,
          receiverLagMs: received.maxLagMs ?? Number.NaN,
          msgsPerSec: received.count / (received.elapsedNs / 1e9),
        };
      } finally {
        releaseEndpoint(bind);
      }
    },
  };
}
