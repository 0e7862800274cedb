// Where a plain 64 KiB Buffer sent to another thread can live, and what each place costs. The
// caller's buffer is never detached, so the link copies it once; the receiver keeps what it got
// for as long as the program holds it, so that memory is either fresh or proven free by the
// receiver's garbage collector. This measures, in one process:
//   - CPU per 64 KiB copied into reused memory (an ArrayBuffer ring, and a SharedArrayBuffer ring
//     a receiver could read views of), and into fresh memory (a Buffer per message, and a fresh
//     1 MiB SharedArrayBuffer chunk per 16 messages);
//   - how long the frames a worker receives over wiremq's inproc link outlive the program's use
//     of them (each registered in a FinalizationRegistry; the program drops each at once), and
//     the CPU per message end to end: for a payload in a SharedArrayBuffer (views of one shared
//     memory, what a chunk would give) and for a plain payload (since the frame ring: copied into
//     the link's ring and out into a Buffer of its own; before, packed into fresh memory that was
//     transferred).
//   npm run build && node dist/bench/thread-memory.js [--count N]
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { libSpecifier, type BenchSocket, type SocketClass } from "./lib-loader.js";
import { median } from "./stats.js";

const SIZE = 64 * 1024;
const countArg = process.argv.indexOf("--count");
const COUNT = countArg > 0 ? Number(process.argv[countArg + 1]) : 20_000;

/** CPU (every thread of the process) per call of `step`, in µs: the median of 3 runs. */
function cpuPer(step: (i: number) => void, count: number): number {
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < count; i++) step(i);
    const used = process.cpuUsage(start);
    runs.push((used.user + used.system) / count);
  }
  return median(runs);
}

function copies(): void {
  const src = Buffer.alloc(SIZE, 0x61);
  const ring = (memory: ArrayBuffer | SharedArrayBuffer): ((i: number) => void) => {
    const dst = new Uint8Array(memory);
    const slots = dst.length / SIZE;
    return (i) => dst.set(src, (i % slots) * SIZE);
  };
  const line = (what: string, us: number): void => console.log(`${what.padEnd(58)} ${us.toFixed(2).padStart(8)} µs CPU per 64 KiB`);
  line("copy into a reused 4 MiB ArrayBuffer ring", cpuPer(ring(new ArrayBuffer(4 << 20)), COUNT));
  line("copy into a reused 4 MiB SharedArrayBuffer ring", cpuPer(ring(new SharedArrayBuffer(4 << 20)), COUNT));
  const held: Uint8Array[] = [];
  const hold = (b: Uint8Array): void => {
    held.push(b);
    if (held.length > 64) held.shift();
  };
  line("copy into a fresh Buffer (allocUnsafeSlow) per message", cpuPer(() => {
    const b = Buffer.allocUnsafeSlow(SIZE);
    b.set(src);
    hold(b);
  }, COUNT));
  let chunk: Uint8Array = new Uint8Array(0);
  line("copy into a fresh 1 MiB SharedArrayBuffer per 16 messages", cpuPer((i) => {
    if (i % 16 === 0) hold((chunk = new Uint8Array(new SharedArrayBuffer(1 << 20))));
    chunk.set(src, (i % 16) * SIZE);
  }, Math.min(COUNT, 4000)));
}

interface LagArgs {
  specifier: string;
  address: string;
  count: number;
}

interface Lag {
  maxOutstanding: number;
  finalized: number;
  /** CPU of the whole process per message, from the first send to the last receive, in µs. */
  cpuPerMessage?: number;
}

/** The worker: a PULL that registers each received frame, drops it, and reports how far finalization lagged. */
async function receiveAndWatch(args: LagArgs): Promise<Lag> {
  const ns = (await import(args.specifier)) as Record<string, unknown>;
  const Pull = (ns["Pull"] ?? (ns["default"] as Record<string, unknown>)["Pull"]) as SocketClass<BenchSocket>;
  const pull = new Pull();
  pull.connect(args.address);
  parentPort!.postMessage("ready");
  let finalized = 0;
  let maxOutstanding = 0;
  const registry = new FinalizationRegistry<number>(() => finalized++);
  for (let i = 1; i <= args.count; i++) {
    const [frame] = await pull.receive();
    registry.register(frame!, i);
    maxOutstanding = Math.max(maxOutstanding, i - finalized);
  }
  await pull.close();
  return { maxOutstanding, finalized };
}

async function lag(shared: boolean, count: number): Promise<Lag> {
  const ns = (await import(libSpecifier("wiremq"))) as Record<string, unknown>;
  const Push = (ns["Push"] ?? (ns["default"] as Record<string, unknown>)["Push"]) as SocketClass<BenchSocket>;
  const push = new Push();
  const address = `inproc://thread-memory-${process.pid}-${shared ? "shared" : "plain"}`;
  await push.bind(address);
  const worker = new Worker(new URL(import.meta.url), { workerData: { specifier: libSpecifier("wiremq"), address, count } satisfies LagArgs });
  try {
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const result = new Promise<Lag>((resolve, reject) => {
      worker.once("error", reject);
      worker.on("message", (m: Lag | "ready") => (m === "ready" ? ready() : resolve(m)));
    });
    // The worker's load of the library stays out of the figure.
    await Promise.race([started, result]);
    const payload = shared ? Buffer.from(new SharedArrayBuffer(SIZE)).fill(0x61) : Buffer.alloc(SIZE, 0x61);
    const start = process.cpuUsage();
    for (let i = 0; i < count; i++) await push.send(payload);
    const lagged = await result;
    const used = process.cpuUsage(start);
    return { ...lagged, cpuPerMessage: (used.user + used.system) / count };
  } finally {
    await worker.terminate();
    await push.close();
  }
}

async function main(): Promise<void> {
  copies();
  const count = Math.min(COUNT, 10_000);
  for (const shared of [true, false]) {
    const { maxOutstanding, finalized, cpuPerMessage } = await lag(shared, count);
    const kind = shared ? "in a SharedArrayBuffer (by reference)" : "plain (through the frame ring)";
    console.log(
      `${count} messages to a worker, ${kind}: ${cpuPerMessage!.toFixed(1)} µs CPU each; at most ${maxOutstanding} received and not yet finalized (${((maxOutstanding * SIZE) / 2 ** 20).toFixed(0)} MiB), ${finalized} finalized by the last`,
    );
  }
}

if (isMainThread) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
} else {
  void receiveAndWatch(workerData as LagArgs).then((lagged) => parentPort!.postMessage(lagged));
}
