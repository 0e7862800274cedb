// inproc between the main thread and 4 worker threads of one process (fan-thread.ts is the
// worker's side). "out": a PUSH here, bound, and a PULL in each worker; "in": a PULL here, bound,
// and a PUSH in each worker. The rate is counted here: for "out" from the first send to the
// last worker's report of its share (each stops at a 1-byte end marker), for "in" as
// receiveCounted does (the warm-up tenth untimed).
import { Worker } from "node:worker_threads";
import { closeAll, libSpecifier } from "../lib-loader.js";
import type { FanThreadArgs, FanThreadReport } from "./fan-thread.js";
import { receiveCounted, type Counter, type ReceiveArgs, type ReceiveResult } from "./push-pull.js";
import { defineRole } from "./role.js";

export interface FanThreadsArgs extends ReceiveArgs {
  direction: "out" | "in";
  threads: number;
  /** The payload lies in a SharedArrayBuffer. */
  shared: boolean;
}

const END = Buffer.from([0]);

export const fanThreads = defineRole<FanThreadsArgs>(async (lib, args, channel) => {
  const total = args.warmup + args.count;
  const counter: Counter = { done: 0, total };
  channel.progress(() => `${args.direction}: ${counter.done}/${total}`);
  const socket = new (lib.socket(args.direction === "out" ? "Push" : "Pull"))();
  const workers: Worker[] = [];
  try {
    await socket.bind(args.bind);
    const reports: Array<Promise<FanThreadReport>> = [];
    const ready: Array<Promise<unknown>> = [];
    for (let i = 0; i < args.threads; i++) {
      const share = Math.floor(total / args.threads) + (i < total % args.threads ? 1 : 0);
      const workerData: FanThreadArgs = { specifier: libSpecifier(lib.name), connect: args.bind, size: args.size, role: args.direction === "out" ? "pull" : "push", total: share, shared: args.shared };
      const worker = new Worker(new URL("./fan-thread.js", import.meta.url), { workerData });
      workers.push(worker);
      const failed = new Promise<never>((_, reject) => worker.once("error", reject));
      const messages = (step: string): Promise<FanThreadReport> =>
        Promise.race([failed, new Promise<FanThreadReport>((resolve) => worker.on("message", (m: FanThreadReport) => m.step === step && resolve(m)))]);
      ready.push(messages("ready"));
      reports.push(messages("done"));
    }
    await Promise.all(ready);
    let result: ReceiveResult;
    if (args.direction === "in") {
      for (const w of workers) w.postMessage("go");
      result = await receiveCounted(socket, args, counter);
      await Promise.all(reports.map((r, i) => (workers[i]!.postMessage("close"), r)));
    } else {
      const payload = args.shared ? Buffer.from(new SharedArrayBuffer(args.size)).fill(0x61) : Buffer.alloc(args.size, 0x61);
      const start = process.hrtime.bigint();
      for (let i = 0; i < total; i++) {
        counter.done = i;
        await socket.send(payload);
      }
      // End markers until every worker has seen one (a full pipe is skipped by the balancer).
      let finished = false;
      const all = Promise.all(reports).then((r) => ((finished = true), r));
      while (!finished) {
        await socket.send(END);
        await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 5))]);
      }
      const got = (await all).reduce((n, r) => n + r.count, 0);
      if (got !== total) throw new Error(`the workers received ${got} of ${total} messages`);
      const elapsedNs = Number(process.hrtime.bigint() - start);
      result = { elapsedNs, count: total };
      for (const w of workers) w.postMessage("close");
    }
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once("exit", resolve))));
    return result;
  } finally {
    counter.phase = "close() pending";
    await Promise.all(workers.map((w) => w.terminate()));
    await closeAll(socket);
  }
});
