// The registry: every workload `npm run bench` knows, in the order the table prints them.
// Targets are the goals of issue 5 (and issue 4's CURVE line): ratios wiremq/zeromq, or
// limits on wiremq's own figure.
import { brokerWorkload } from "./broker.js";
import { ceilingWorkload } from "./ceiling.js";
import { durableQueuesWorkload, leaderKillWorkload } from "./durable.js";
import { fanThreadsWorkload } from "./fan-threads.js";
import { floodWorkload } from "./event-loop.js";
import { idlePeersWorkload } from "./idle-peers.js";
import { importTimeWorkload } from "./import-time.js";
import { burstWorkload } from "./memory.js";
import { pubSubWorkload } from "./pub-sub.js";
import { pushPullWorkload } from "./push-pull.js";
import { reqRepWorkload } from "./req-rep.js";
import type { Workload } from "./types.js";

const KiB = 1024;
const MiB = 1024 * KiB;

export const workloads: readonly Workload[] = [
  // Issue 20: the main entry loads in ≤ 50 ms.
  importTimeWorkload(),
  pushPullWorkload({ transport: "tcp", size: 16, baseCount: 120_000, targets: [{ metric: "msgsPerSec", ratio: 3 }] }),
  pushPullWorkload({ transport: "tcp", size: 4 * KiB, baseCount: 80_000, targets: [{ metric: "mbPerSec", ratio: 1 }] }),
  // Large messages: issue 20 asks ≥ 1.5× zeromq over tcp and ipc, without GLIBC_TUNABLES.
  pushPullWorkload({ transport: "tcp", size: 64 * KiB, baseCount: 10_000, targets: [{ metric: "mbPerSec", ratio: 1.5 }] }),
  pushPullWorkload({ transport: "tcp", size: MiB, baseCount: 2_000, targets: [{ metric: "mbPerSec", ratio: 1.5 }] }),
  pushPullWorkload({ transport: "ipc", size: 16, baseCount: 100_000, targets: [{ metric: "msgsPerSec", ratio: 3 }] }),
  pushPullWorkload({ transport: "ipc", size: 4 * KiB, baseCount: 60_000 }),
  pushPullWorkload({ transport: "ipc", size: 64 * KiB, baseCount: 10_000, targets: [{ metric: "mbPerSec", ratio: 1.5 }] }),
  pushPullWorkload({ transport: "ipc", size: MiB, baseCount: 2_000, targets: [{ metric: "mbPerSec", ratio: 1.5 }] }),
  // Three times the tcp count: at 120k, wiremq's timed span was under 0.1 s, where JIT tier-up
  // and one young-generation GC moved its figure by up to ±40% between rounds.
  pushPullWorkload({ transport: "inproc", size: 16, baseCount: 360_000, targets: [{ metric: "msgsPerSec", ratio: 10 }] }),
  pushPullWorkload({ transport: "inproc", size: 4 * KiB, baseCount: 100_000 }),
  pushPullWorkload({ transport: "inproc", size: MiB, baseCount: 10_000 }),
  // inproc between worker_threads: the PULL in the child's main thread, the PUSH in a worker.
  pushPullWorkload({ transport: "threads", size: 16, baseCount: 360_000 }),
  pushPullWorkload({ transport: "threads", size: 64 * KiB, baseCount: 20_000 }),
  // Issue 20: the main thread and 4 worker threads over inproc, both ways.
  fanThreadsWorkload({ direction: "out", threads: 4, size: 16, baseCount: 200_000, targets: [{ metric: "msgsPerSec", ratio: 3 }] }),
  fanThreadsWorkload({ direction: "in", threads: 4, size: 16, baseCount: 200_000, targets: [{ metric: "msgsPerSec", ratio: 3 }] }),
  fanThreadsWorkload({ direction: "out", threads: 4, size: 64 * KiB, baseCount: 20_000, targets: [{ metric: "mbPerSec", ratio: 3 }] }),
  fanThreadsWorkload({ direction: "in", threads: 4, size: 64 * KiB, baseCount: 20_000, targets: [{ metric: "mbPerSec", ratio: 3 }] }),
  // The same with payloads in a SharedArrayBuffer, which wiremq passes by reference (no copy).
  // Nothing is copied, so the count is that of the small lines' order: at 20,000 a round lasted
  // about 0.3 s and measured mostly the warm-up (CPU per message 11 µs at 40,000, 4.7 at 200,000).
  fanThreadsWorkload({ direction: "out", threads: 4, size: 64 * KiB, baseCount: 100_000, shared: true, targets: [{ metric: "mbPerSec", ratio: 3 }] }),
  fanThreadsWorkload({ direction: "in", threads: 4, size: 64 * KiB, baseCount: 100_000, shared: true, targets: [{ metric: "mbPerSec", ratio: 3 }] }),
  pubSubWorkload({
    transport: "tcp",
    size: 16,
    subscribers: 4,
    baseCount: 60_000,
    targets: [{ metric: "msgsPerSec", ratio: 2 }],
  }),
  // Issue 20: fan-out to many peers; nothing may be dropped at the default HWM.
  pubSubWorkload({
    transport: "tcp",
    size: 16,
    subscribers: 100,
    baseCount: 4_000,
    targets: [
      { metric: "msgsPerSec", ratio: 3 },
      { metric: "dropPct", limit: 0 },
    ],
  }),
  pushPullWorkload({
    pattern: "dealer-router",
    transport: "tcp",
    size: 16,
    baseCount: 120_000,
    targets: [{ metric: "msgsPerSec", ratio: 3 }],
  }),
  reqRepWorkload({
    transport: "tcp",
    size: 16,
    baseCount: 8_000,
    targets: [
      { metric: "medianUs", ratio: 0.95 },
      { metric: "p99Us", ratio: 1.0 },
    ],
  }),
  // With the sodium-native accelerator (a dev dependency here) when it loads; issue 20's goals.
  // Against the node:net ceiling instead of zeromq (issue 20's goals 2 and 3).
  ceilingWorkload(
    pushPullWorkload({ transport: "tcp", size: 16, baseCount: 360_000, targets: [{ metric: "msgsPerSec", ratio: 0.7 }] }),
    "ceiling/tcp/16B",
    "PUSH→PULL 16B messages over tcp, two processes; rate at the receiver",
  ),
  // Large messages against what Node can do at all (issue 20 goal 1 asks ≥ 1.5× zeromq).
  ceilingWorkload(
    pushPullWorkload({ transport: "tcp", size: 64 * KiB, baseCount: 10_000 }),
    "ceiling/tcp/64KiB",
    "PUSH→PULL 64KiB messages over tcp, two processes; rate at the receiver",
  ),
  ceilingWorkload(
    pushPullWorkload({ transport: "tcp", size: MiB, baseCount: 2_000 }),
    "ceiling/tcp/1MiB",
    "PUSH→PULL 1MiB messages over tcp, two processes; rate at the receiver",
  ),
  ceilingWorkload(
    pushPullWorkload({ transport: "ipc", size: 64 * KiB, baseCount: 10_000 }),
    "ceiling/ipc/64KiB",
    "PUSH→PULL 64KiB messages over ipc, two processes; rate at the receiver",
  ),
  ceilingWorkload(
    pushPullWorkload({ transport: "ipc", size: MiB, baseCount: 2_000 }),
    "ceiling/ipc/1MiB",
    "PUSH→PULL 1MiB messages over ipc, two processes; rate at the receiver",
  ),
  ceilingWorkload(
    reqRepWorkload({ transport: "tcp", size: 16, baseCount: 8_000, targets: [{ metric: "medianUs", ratio: 1.1 }] }),
    "ceiling/tcp/ping-pong-16B",
    "REQ/REP round trip of 16B over tcp, two processes (the ceiling: one write and one read each way)",
  ),
  // ws:// (issue 18 asks ≥ 3× zeromq: a third of its round trip): each library to itself, then
  // libzmq sending to (or requesting from) each library, so the wiremq column is wiremq↔libzmq.
  // Those two have no target: libzmq's own side bounds them (its ws PUSH takes ~7 µs CPU per
  // 16 B message, more than wiremq's PULL; a libzmq REQ to a wiremq REP is ~1.7× zeromq's
  // round trip even over tcp).
  pushPullWorkload({ transport: "ws", size: 16, baseCount: 120_000, targets: [{ metric: "msgsPerSec", ratio: 3 }] }),
  pushPullWorkload({ transport: "ws", size: 16, baseCount: 120_000, peer: "zeromq" }),
  reqRepWorkload({ transport: "ws", size: 16, baseCount: 8_000, targets: [{ metric: "medianUs", ratio: 1 / 3 }] }),
  reqRepWorkload({ transport: "ws", size: 16, baseCount: 8_000, peer: "zeromq" }),
  pushPullWorkload({ curve: true, transport: "tcp", size: 16, baseCount: 60_000, targets: [{ metric: "msgsPerSec", ratio: 3 }] }),
  // CURVE 64 KiB with as many messages as the plain 64 KiB lines. At 3,000 (0.4 s with zeromq
  // on a quiet machine) a round timed only the receiver's first 200 MB, while its heap still
  // grew to the ~32 MB of bodies the garbage collector lets pile up between scavenges (about
  // 8,000 first-touch page faults, ~11 µs each on this VM) and the JIT was still compiling:
  // wiremq's receiver took 120-160 µs CPU per message there, 60-95 µs from about the 3,000th
  // message on. zeromq's receiver stays near 150 µs throughout. The wasm line below times as
  // many, for the same reason.
  pushPullWorkload({ curve: true, transport: "tcp", size: 64 * KiB, baseCount: 10_000, targets: [{ metric: "mbPerSec", ratio: 1 }] }),
  // The wasm cipher (WIREMQ_CURVE_CIPHER=wasm), as without the accelerator; issue 4's goals.
  pushPullWorkload({ curve: true, wasmCipher: true, transport: "tcp", size: 16, baseCount: 60_000, targets: [{ metric: "msgsPerSec", ratio: 0.7 }] }),
  pushPullWorkload({ curve: true, wasmCipher: true, transport: "tcp", size: 64 * KiB, baseCount: 10_000, targets: [{ metric: "mbPerSec", ratio: 0.7 }] }),
  burstWorkload({
    transport: "tcp",
    size: 16,
    hwm: 1000,
    baseCount: 1_000_000,
    targets: [
      { metric: "rssGrowthMB", limit: 50 },
      { metric: "lost", limit: 0 },
    ],
  }),
  idlePeersWorkload({
    transport: "tcp",
    peers: 1000,
    idleMs: 1000,
    targets: [
      { metric: "routerKBPerConn", ratio: 1 },
      { metric: "peerKBPerConn", ratio: 1 },
      // Issue 20: at libzmq's default backlog (100) a burst of connects overflows the accept queue.
      { metric: "acceptSeconds", ratio: 1 },
    ],
  }),
  // Issue 20: 10,000 DEALERs (in two processes: libzmq needs two fds each) on one ROUTER
  // whose backlog takes them (Linux caps it at net.core.somaxconn, 4096 here).
  idlePeersWorkload({
    transport: "tcp",
    peers: 10_000,
    idleMs: 1000,
    dealerProcesses: 2,
    backlog: 4096,
    targets: [
      { metric: "routerKBPerConn", ratio: 0.6 },
      { metric: "acceptSeconds", ratio: 1 },
    ],
  }),
  floodWorkload({
    transport: "tcp",
    size: 16,
    baseCount: 1_000_000,
    targets: [
      { metric: "senderLagMs", limit: 50 },
      { metric: "receiverLagMs", limit: 50 },
    ],
  }),
  brokerWorkload("batch"),
  brokerWorkload("always"),
  brokerWorkload("memory"),
  // Issue 19: both durable-queue backends side by side, and JetStream's takeover.
  durableQueuesWorkload(),
  leaderKillWorkload(),
];
