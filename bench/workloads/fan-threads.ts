// inproc between the main thread and 4 worker threads of one process, both directions.
import type { FanThreadsArgs } from "../roles/fan-threads.js";
import type { ReceiveResult } from "../roles/push-pull.js";
import { bindEndpoint, releaseEndpoint } from "./endpoints.js";
import { sizeLabel } from "./push-pull.js";
import { scaledCount, type Target, type Workload } from "./types.js";

export interface FanThreadsSpec {
  direction: "out" | "in";
  threads: number;
  size: number;
  baseCount: number;
  /** Payloads in a SharedArrayBuffer (both libraries), which wiremq passes by reference. */
  shared?: boolean;
  targets?: Target[];
}

export function fanThreadsWorkload(spec: FanThreadsSpec): Workload {
  const shape = spec.direction === "out" ? `main→${spec.threads}` : `${spec.threads}→main`;
  return {
    name: `threads/${shape}/${sizeLabel(spec.size)}${spec.shared === true ? "-shared" : ""}`,
    description:
      spec.direction === "out"
        ? `a PUSH in the main thread to ${spec.threads} PULLs in ${spec.threads} worker threads over inproc, ${sizeLabel(spec.size)}${spec.shared === true ? " in a SharedArrayBuffer" : ""}; rate from the first send to the last arrival`
        : `${spec.threads} PUSHes in ${spec.threads} worker threads to a PULL in the main thread over inproc, ${sizeLabel(spec.size)}${spec.shared === true ? " in a SharedArrayBuffer" : ""}; rate at the PULL`,
    requires: ["Push", "Pull"],
    metrics: [
      { key: "msgsPerSec", unit: "msgs/s", better: "higher" },
      { key: "mbPerSec", unit: "MB/s", better: "higher" },
    ],
    targets: spec.targets,
    async run(lib, params, workers) {
      const count = scaledCount(spec.baseCount, params);
      const warmup = Math.max(1, Math.ceil(count / 10));
      const bind = bindEndpoint("inproc");
      try {
        const args: FanThreadsArgs = { bind, size: spec.size, warmup, count, direction: spec.direction, threads: spec.threads, shared: spec.shared === true };
        const result = await workers.spawn("fan-threads", lib, args).result<ReceiveResult>();
        const msgsPerSec = result.count / (result.elapsedNs / 1e9);
        return { msgsPerSec, mbPerSec: (msgsPerSec * spec.size) / 1e6, seconds: result.elapsedNs / 1e9 };
      } finally {
        releaseEndpoint(bind);
      }
    },
  };
}
