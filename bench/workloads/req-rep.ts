// REQ/REP round-trip latency across two processes, timed at the requester.
import type { EchoArgs, LatencyResult, RequestArgs } from "../roles/req-rep.js";
import type { LibName } from "../lib-loader.js";
import { bindEndpoint, releaseEndpoint, type Transport } from "./endpoints.js";
import { sizeLabel } from "./push-pull.js";
import { scaledCount, type Target, type Workload } from "./types.js";

/** Untimed round trips for at least this long, so both libraries are timed after JIT warm-up. */
const WARMUP_MS = 1000;

export interface ReqRepSpec {
  transport: Transport;
  size: number;
  /** Round trips per measurement, sized for ~1 s with zeromq. */
  baseCount: number;
  targets?: Target[];
  /** The requester's library whatever the column's (zeromq: each library against libzmq). */
  peer?: LibName;
}

export function reqRepWorkload(spec: ReqRepSpec): Workload {
  return {
    name: `req-rep/${spec.transport}/${sizeLabel(spec.size)}${spec.peer === undefined ? "" : `-from-${spec.peer}`}`,
    description: `${spec.peer === undefined ? "" : `${spec.peer} requester, the column's library replying: `}REQ/REP round trip of ${sizeLabel(spec.size)} over ${spec.transport}, two processes; per-request latency`,
    requires: ["Request", "Reply"],
    metrics: [
      { key: "medianUs", unit: "µs median", better: "lower" },
      { key: "p99Us", unit: "µs p99", better: "lower" },
    ],
    targets: spec.targets,
    async run(lib, params, workers) {
      const count = scaledCount(spec.baseCount, params);
      const warmup = Math.max(1, Math.ceil(count / 10));
      const bind = bindEndpoint(spec.transport);
      try {
        const echoArgs: EchoArgs = { bind };
        const requester = workers.prepare(spec.peer ?? lib);
        const replier = workers.spawn("reply-echo", lib, echoArgs);
        const { endpoint } = await replier.wait<{ endpoint: string }>("ready");
        const requestArgs: RequestArgs = { connect: endpoint, size: spec.size, warmup, warmupMs: params.quick ? 200 : WARMUP_MS, count };
        const result = await requester.start("request-timed", requestArgs).result<LatencyResult>();
        replier.post("close");
        await replier.result();
        return { medianUs: result.medianUs, p99Us: result.p99Us, meanUs: result.meanUs, seconds: result.seconds };
      } finally {
        releaseEndpoint(bind);
      }
    },
  };
}
