// One-way throughput: PUSH→PULL (optionally CURVE-encrypted) or DEALER→ROUTER; tcp and ipc
// across two processes, inproc inside one.
import type { ExportName, LibName } from "../lib-loader.js";
import type { ReceiveArgs, ReceiveResult, ReceiverReady, SendArgs, SendResult } from "../roles/push-pull.js";
import { bindEndpoint, releaseEndpoint, type Transport } from "./endpoints.js";
import { scaledCount, type Measurement, type Target, type Workload } from "./types.js";

export interface PushPullSpec {
  transport: Transport;
  size: number;
  /** Messages per measurement, sized for ~1 s with zeromq. */
  baseCount: number;
  targets?: Target[];
  /** DEALER→ROUTER instead of PUSH→PULL (two processes only). */
  pattern?: "push-pull" | "dealer-router";
  /** PULL as CURVE server, PUSH as its client, each with a fresh key pair (two processes only). */
  curve?: boolean;
  /** With `curve`: force wiremq's wasm cipher even when the sodium-native accelerator loads. */
  wasmCipher?: boolean;
  /** The sender's library whatever the column's (zeromq: each library against libzmq). */
  peer?: LibName;
}

export function sizeLabel(size: number): string {
  if (size >= 1 << 20 && size % (1 << 20) === 0) return `${size >> 20}MiB`;
  if (size >= 1 << 10 && size % (1 << 10) === 0) return `${size >> 10}KiB`;
  return `${size}B`;
}

export function pushPullWorkload(spec: PushPullSpec): Workload {
  const inOneProcess = spec.transport === "inproc" || spec.transport === "threads";
  const where = spec.transport === "threads" ? "one process, PUSH in a worker thread" : inOneProcess ? "one process" : "two processes";
  const router = spec.pattern === "dealer-router";
  if ((router || spec.curve) && inOneProcess) throw new Error("dealer-router and curve run over tcp/ipc");
  const family = spec.curve ? (spec.wasmCipher ? "curve-wasm-push-pull" : "curve-push-pull") : router ? "dealer-router" : "push-pull";
  const sockets = router ? "DEALER→ROUTER" : "PUSH→PULL";
  const requires: ExportName[] = router ? ["Dealer", "Router"] : ["Push", "Pull"];
  if (spec.curve) requires.push("curveKeyPair");
  // The large lines too: on a loaded machine their rates follow the share of the cores each
  // library's threads got more than the work each does.
  const cpuFigures = !inOneProcess && (spec.curve === true || spec.size >= 64 * 1024);
  return {
    name: `${family}/${spec.transport}/${sizeLabel(spec.size)}${spec.peer === undefined ? "" : `-from-${spec.peer}`}`,
    description: `${spec.peer === undefined ? "" : `${spec.peer} sender, the column's library receiving: `}${spec.curve ? (spec.wasmCipher ? "CURVE (wiremq: wasm cipher) " : "CURVE (wiremq: sodium-native when installed) ") : ""}${sockets} ${sizeLabel(spec.size)} messages over ${spec.transport}, ${where}; rate at the receiver`,
    requires,
    metrics: [
      { key: "msgsPerSec", unit: "msgs/s", better: "higher" },
      { key: "mbPerSec", unit: "MB/s", better: "higher" },
      // CPU per message on each side tells the work done from the share of a loaded machine's
      // cores each library got (libzmq's I/O threads are more threads to be scheduled).
      ...(cpuFigures
        ? [
            { key: "recvCpuUs", unit: "µs CPU/msg (receiver)", better: "lower" as const },
            { key: "sendCpuUs", unit: "µs CPU/msg (sender)", better: "lower" as const },
          ]
        : []),
    ],
    targets: spec.targets,
    async run(lib, params, workers) {
      const count = scaledCount(spec.baseCount, params);
      const warmup = Math.max(1, Math.ceil(count / 10));
      const bind = bindEndpoint(spec.transport);
      const receiveArgs: ReceiveArgs = { bind, size: spec.size, warmup, count, curve: spec.curve, postWarm: spec.curve };
      if (router) receiveArgs.socket = "Router";
      try {
        let result: ReceiveResult;
        let sent: SendResult | undefined;
        if (inOneProcess) {
          const role = spec.transport === "threads" ? "push-pull-threads" : "push-pull-local";
          result = await workers.spawn(role, lib, receiveArgs).result<ReceiveResult>();
        } else {
          const options = spec.wasmCipher ? { env: { WIREMQ_CURVE_CIPHER: "wasm" } } : undefined;
          const sender = workers.prepare(spec.peer ?? lib, options);
          const receiver = workers.spawn("pull-receive", lib, receiveArgs, options);
          const { endpoint, serverKey } = await receiver.wait<ReceiverReady>("ready");
          // With CURVE the sender's CPU per message is reported: it pauses after the warm-up
          // until the receiver has it (SendArgs.cpuFromWarm).
          const sendArgs: SendArgs = { connect: endpoint, size: spec.size, total: warmup + count, serverKey, warmup, cpuFromWarm: spec.curve };
          if (router) sendArgs.socket = "Dealer";
          sender.start("push-send", sendArgs);
          if (spec.curve) receiver.wait("warm").then(() => sender.post("warm"), () => undefined); // a failure shows in result()
          result = await receiver.result<ReceiveResult>();
          sender.post("close");
          sent = await sender.result<SendResult>();
        }
        const figures = throughput(result, spec.size);
        if (cpuFigures && result.cpuUsPerMsg !== undefined && sent !== undefined) {
          figures["recvCpuUs"] = result.cpuUsPerMsg;
          figures["sendCpuUs"] = sent.cpuUsPerMsg;
        }
        return figures;
      } finally {
        releaseEndpoint(bind);
      }
    },
  };
}

function throughput(result: ReceiveResult, size: number): Measurement {
  const seconds = result.elapsedNs / 1e9;
  const msgsPerSec = result.count / seconds;
  return { msgsPerSec, mbPerSec: (msgsPerSec * size) / 1e6, seconds };
}
