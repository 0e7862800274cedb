// inproc across worker_threads: the PULL here, the PUSH in a worker thread of this process
// (bench/roles/thread-sender.ts) that loads the same library by itself.
import { Worker } from "node:worker_threads";
import { closeAll, libSpecifier } from "../lib-loader.js";
import { receiveCounted, type Counter, type ReceiveArgs } from "./push-pull.js";
import { defineRole } from "./role.js";
import type { ThreadSenderArgs } from "./thread-sender.js";

export const pushPullThreads = defineRole<ReceiveArgs>(async (lib, args, channel) => {
  const received: Counter = { done: 0, total: args.warmup + args.count };
  channel.progress(() => `${received.done}/${received.total} received`);
  const pull = new (lib.socket("Pull"))();
  let sender: Worker | undefined;
  try {
    await pull.bind(args.bind);
    const workerData: ThreadSenderArgs = { specifier: libSpecifier(lib.name), connect: args.bind, size: args.size, total: args.warmup + args.count };
    sender = new Worker(new URL("./thread-sender.js", import.meta.url), { workerData });
    const failed = new Promise<never>((_, reject) => sender!.once("error", reject));
    const result = await Promise.race([receiveCounted(pull, args, received), failed]);
    // The sender closes only once everything has arrived (zeromq's linger is 0 with blocky false).
    sender.postMessage("close");
    await new Promise((resolve) => sender!.once("exit", resolve));
    return result;
  } finally {
    received.phase = "close() pending";
    await sender?.terminate();
    await closeAll(pull);
  }
});
