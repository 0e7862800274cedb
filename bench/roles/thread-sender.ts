// Worker-thread entry for push-pull-threads: a PUSH that connects to the PULL in the thread that
// started it and sends `total` messages of `size` bytes, then closes when told.
import { parentPort, workerData } from "node:worker_threads";
import type { BenchSocket, SocketClass } from "../lib-loader.js";

export interface ThreadSenderArgs {
  specifier: string;
  connect: string;
  size: number;
  total: number;
}

async function send(args: ThreadSenderArgs): Promise<void> {
  const ns = (await import(args.specifier)) as Record<string, unknown>;
  const Push = (ns["Push"] ?? (ns["default"] as Record<string, unknown>)["Push"]) as SocketClass<BenchSocket>;
  const push = new Push();
  // Listening on the port also keeps this thread alive while a send waits for room.
  const closeAsked = new Promise((resolve) => parentPort!.once("message", resolve));
  push.connect(args.connect);
  const payload = Buffer.alloc(args.size, 0x61);
  for (let i = 0; i < args.total; i++) await push.send(payload);
  await closeAsked;
  await push.close();
  parentPort!.close();
}

if (parentPort !== null && workerData !== null) void send(workerData as ThreadSenderArgs);
