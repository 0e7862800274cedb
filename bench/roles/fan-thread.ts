// Worker-thread entry for fan-threads: a PULL that receives until a 1-byte end marker and
// reports its count, or a PUSH that sends its share on "go"; each closes when told.
import { parentPort, workerData } from "node:worker_threads";
import type { BenchSocket, SocketClass } from "../lib-loader.js";

export interface FanThreadArgs {
  specifier: string;
  connect: string;
  size: number;
  role: "pull" | "push";
  /** PUSH: messages to send. PULL: the expected share (informational: the balancer decides). */
  total: number;
  /** PUSH: the payload lies in a SharedArrayBuffer. */
  shared?: boolean;
}

export interface FanThreadReport {
  step: "ready" | "done";
  count: number;
}

async function run(args: FanThreadArgs): Promise<void> {
  const ns = (await import(args.specifier)) as Record<string, unknown>;
  const exports = (ns["default"] as Record<string, unknown> | undefined) ?? ns;
  const className = args.role === "pull" ? "Pull" : "Push";
  const Socket = (ns[className] ?? exports[className]) as SocketClass<BenchSocket>;
  const socket = new Socket();
  const inbox: string[] = [];
  const waiters: Array<() => void> = [];
  parentPort!.on("message", (m: string) => {
    inbox.push(m);
    for (const w of waiters.splice(0)) w();
  });
  const next = async (step: string): Promise<void> => {
    while (!inbox.includes(step)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  socket.connect(args.connect);
  const post = (report: FanThreadReport): void => parentPort!.postMessage(report);
  let count = 0;
  if (args.role === "pull") {
    post({ step: "ready", count });
    for (;;) {
      const [frame] = await socket.receive();
      if (frame!.length === 1) break;
      if (frame!.length !== args.size) throw new Error(`a ${frame!.length}-byte message, expected ${args.size}`);
      count++;
    }
  } else {
    post({ step: "ready", count });
    await next("go");
    const payload = args.shared === true ? Buffer.from(new SharedArrayBuffer(args.size)).fill(0x61) : Buffer.alloc(args.size, 0x61);
    for (; count < args.total; count++) await socket.send(payload);
  }
  post({ step: "done", count });
  await next("close");
  await socket.close();
  parentPort!.close();
}

if (parentPort !== null && workerData !== null) void run(workerData as FanThreadArgs);
