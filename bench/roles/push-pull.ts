// Roles for PUSH→PULL throughput: receiver, sender, and both in one process for inproc.
import { closeAll, type BenchSocket } from "../lib-loader.js";
import { defineRole } from "./role.js";

export interface ReceiveArgs {
  bind: string;
  size: number;
  warmup: number;
  count: number;
}

export interface SendArgs {
  connect: string;
  size: number;
  total: number;
}

export interface ReceiveResult {
  /** Time from the arrival of the last warm-up message to the arrival of the last message. */
  elapsedNs: number;
  count: number;
}

/** Messages done so far, read by the stall watchdog through the worker's progress answer. */
export interface Counter {
  done: number;
  total: number;
  /** What the worker is doing besides counting, e.g. "close() pending". */
  phase?: string;
}

function describe(counter: Counter, verb: string): string {
  return `${counter.done}/${counter.total} ${verb}${counter.phase ? `, ${counter.phase}` : ""}`;
}

/**
 * Receives warmup + count messages of `size` bytes; times the last `count` of them so that
 * connection setup and JIT warm-up stay outside the measurement.
 */
export async function receiveCounted(pull: BenchSocket, args: ReceiveArgs, counter: Counter): Promise<ReceiveResult> {
  const total = args.warmup + args.count;
  let start = 0n;
  for (let i = 1; i <= total; i++) {
    counter.done = i - 1;
    const msg = await pull.receive();
    if (msg.length !== 1 || msg[0]!.length !== args.size) {
      throw new Error(`message ${i}: expected 1 frame of ${args.size} B, got ${msg.map((f) => f.length).join("+")} B`);
    }
    if (i === args.warmup) start = process.hrtime.bigint();
  }
  const elapsedNs = Number(process.hrtime.bigint() - start);
  counter.done = total;
  return { elapsedNs, count: args.count };
}

export async function sendCounted(push: BenchSocket, size: number, counter: Counter): Promise<void> {
  const payload = Buffer.alloc(size, 0x61);
  for (let i = 0; i < counter.total; i++) {
    counter.done = i;
    await push.send(payload);
  }
  counter.done = counter.total;
}

export const pullReceive = defineRole<ReceiveArgs>(async (lib, args, channel) => {
  const received: Counter = { done: 0, total: args.warmup + args.count };
  channel.progress(() => describe(received, "received"));
  const pull = new (lib.socket("Pull"))();
  try {
    await pull.bind(args.bind);
    channel.post("ready", { endpoint: pull.lastEndpoint });
    return await receiveCounted(pull, args, received);
  } finally {
    received.phase = "close() pending";
    await closeAll(pull);
  }
});

export const pushSend = defineRole<SendArgs>(async (lib, args, channel) => {
  const sent: Counter = { done: 0, total: args.total };
  channel.progress(() => describe(sent, "sent"));
  const push = new (lib.socket("Push"))();
  try {
    push.connect(args.connect);
    await sendCounted(push, args.size, sent);
    channel.post("sent");
    // Close only once the receiver has everything: zeromq's linger is 0 with blocky = false.
    sent.phase = "waiting for the receiver";
    await channel.wait("close");
    return {};
  } finally {
    sent.phase = "close() pending";
    await closeAll(push);
  }
});

export const pushPullLocal = defineRole<ReceiveArgs>(async (lib, args, channel) => {
  const sent: Counter = { done: 0, total: args.warmup + args.count };
  const received: Counter = { done: 0, total: args.warmup + args.count };
  channel.progress(() => `${sent.done}/${sent.total} sent, ${describe(received, "received")}`);
  const pull = new (lib.socket("Pull"))();
  const push = new (lib.socket("Push"))();
  try {
    await pull.bind(args.bind);
    push.connect(pull.lastEndpoint ?? args.bind);
    const [result] = await Promise.all([receiveCounted(pull, args, received), sendCounted(push, args.size, sent)]);
    return result;
  } finally {
    received.phase = "close() pending";
    await closeAll(push, pull);
  }
});
