// The registry: every workload `npm run bench` knows, in the order the table prints them.
// Targets are the ratios wiremq/zeromq from issue 5.
import { pushPullWorkload } from "./push-pull.js";
import { reqRepWorkload } from "./req-rep.js";
import type { Workload } from "./types.js";

const KiB = 1024;
const MiB = 1024 * KiB;

export const workloads: readonly Workload[] = [
  pushPullWorkload({ transport: "tcp", size: 16, baseCount: 120_000, targets: [{ metric: "msgsPerSec", ratio: 3 }] }),
  pushPullWorkload({ transport: "tcp", size: 4 * KiB, baseCount: 80_000, targets: [{ metric: "mbPerSec", ratio: 1 }] }),
  pushPullWorkload({ transport: "tcp", size: MiB, baseCount: 2_000, targets: [{ metric: "mbPerSec", ratio: 1 }] }),
  pushPullWorkload({ transport: "ipc", size: 16, baseCount: 100_000, targets: [{ metric: "msgsPerSec", ratio: 3 }] }),
  pushPullWorkload({ transport: "ipc", size: 4 * KiB, baseCount: 60_000 }),
  pushPullWorkload({ transport: "ipc", size: MiB, baseCount: 2_000 }),
  pushPullWorkload({ transport: "inproc", size: 16, baseCount: 120_000, targets: [{ metric: "msgsPerSec", ratio: 10 }] }),
  pushPullWorkload({ transport: "inproc", size: 4 * KiB, baseCount: 100_000 }),
  pushPullWorkload({ transport: "inproc", size: MiB, baseCount: 10_000 }),
  reqRepWorkload({
    transport: "tcp",
    size: 16,
    baseCount: 8_000,
    targets: [
      { metric: "medianUs", ratio: 0.95 },
      { metric: "p99Us", ratio: 1.0 },
    ],
  }),
];
