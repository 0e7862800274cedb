// Roles for one-way throughput: receiver, sender, and both in one process for inproc. PUSH→PULL
// by default; DEALER→ROUTER, CURVE, and an event-loop lag timer through the arguments.
import { closeAll, type BenchSocket, type ZmqLib } from "../lib-loader.js";
import { LagMonitor } from "./probes.js";
import { defineRole, type Channel } from "./role.js";

export interface ReceiveArgs {
  bind: string;
  size: number;
  warmup: number;
  count: number;
  /** The receiving socket; a ROUTER gets each message as [routing id, payload]. Default Pull. */
  socket?: "Pull" | "Router";
  /** Be a CURVE server with a fresh key pair; the public key goes out with "ready". */
  curve?: boolean;
  /** Run a 1 ms interval timer during the receive loop and report its worst lag. */
  lag?: boolean;
  /** Post "warm" once the warm-up messages are in (the sender's CPU window waits for it). */
  postWarm?: boolean;
}

export interface SendArgs {
  connect: string;
  size: number;
  total: number;
  /** The sending socket. Default Push. */
  socket?: "Push" | "Dealer";
  /** Be a CURVE client of the server with this public key (Z85), with a fresh key pair. */
  serverKey?: string;
  /** Sends before the CPU window of SendResult.cpuUsPerMsg opens. Default 0. */
  warmup?: number;
  /** Run a 1 ms interval timer during the send loop and report its worst lag. */
  lag?: boolean;
  /**
   * After the `warmup` sends, wait for step "warm" (the receiver has them all) before sending
   * on, and count CPU from then to step "close" (it has everything): nothing is queued or in
   * flight at either end, so the window holds the work of exactly the messages after the
   * warm-up. Sends resolve into the queue before the handshake, so without the pause the
   * window held part of CURVE's one-time load, and the queue's level at its ends (sends resume
   * in bursts as it drains) moved the figure by up to a quarter.
   */
  cpuFromWarm?: boolean;
}

/** What the receiver posts once bound. */
export interface ReceiverReady {
  endpoint: string;
  /** The CURVE server's public key, when `curve` was asked for. */
  serverKey?: string;
}

export interface ReceiveResult {
  /** Time from the arrival of the last warm-up message to the arrival of the last message. */
  elapsedNs: number;
  count: number;
  /**
   * CPU time (user + system, every thread of the process: libzmq's I/O threads too) over that
   * window, per message, in µs. Unlike a rate, it barely moves with the machine's load.
   */
  cpuUsPerMsg?: number;
  /** With `lag`: the worst delay of the 1 ms timer during the receive loop. */
  maxLagMs?: number;
}

export interface SendResult {
  /** With `lag`: the worst delay of the 1 ms timer during the send loop. */
  maxLagMs?: number;
  /**
   * CPU time (user + system, every thread) per message sent, in µs, from the resolution of the
   * `warmup`-th send to that of the last (JIT compilation and the handshake stay outside). The
   * library frames (and boxes) messages after send() resolves, but its queue is about as full
   * at both ends of that window, so the work inside it is about that of the messages counted.
   */
  cpuUsPerMsg: number;
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
export async function receiveCounted(
  pull: BenchSocket,
  args: ReceiveArgs,
  counter: Counter,
  lag?: LagMonitor,
  channel?: Channel,
): Promise<ReceiveResult> {
  const total = args.warmup + args.count;
  const frames = args.socket === "Router" ? 2 : 1;
  let start = 0n;
  let cpuStart = process.cpuUsage();
  for (let i = 1; i <= total; i++) {
    counter.done = i - 1;
    const msg = await pull.receive();
    if (i === 1) lag?.start(); // from the first message: the lag during the flood, not before it
    if (msg.length !== frames || msg[frames - 1]!.length !== args.size) {
      const shape = msg.map((f) => f.length).join("+");
      throw new Error(`message ${i}: expected ${frames} frame(s), the last of ${args.size} B; got ${shape} B`);
    }
    if (i === args.warmup) {
      if (args.postWarm) channel?.post("warm");
      start = process.hrtime.bigint();
      cpuStart = process.cpuUsage();
    }
  }
  const elapsedNs = Number(process.hrtime.bigint() - start);
  const cpu = process.cpuUsage(cpuStart);
  counter.done = total;
  return { elapsedNs, count: args.count, cpuUsPerMsg: (cpu.user + cpu.system) / args.count, maxLagMs: lag?.stop().maxLagMs };
}

/** `afterSend(n)` runs once the n-th send (from 1) has resolved; `pause.until()` is awaited after the `pause.after`-th. */
export async function sendCounted(
  push: BenchSocket,
  size: number,
  counter: Counter,
  afterSend?: (n: number) => void,
  pause?: { after: number; until: () => Promise<void> },
): Promise<void> {
  const payload = Buffer.alloc(size, 0x61);
  for (let i = 0; i < counter.total; i++) {
    counter.done = i;
    await push.send(payload);
    afterSend?.(i + 1);
    if (i + 1 === pause?.after) await pause.until();
  }
  counter.done = counter.total;
}

export const pullReceive = defineRole<ReceiveArgs>(async (lib, args, channel) => {
  const received: Counter = { done: 0, total: args.warmup + args.count };
  channel.progress(() => describe(received, "received"));
  let serverKey: string | undefined;
  let options: Record<string, unknown> | undefined;
  if (args.curve) {
    const keys = lib.curveKeyPair();
    serverKey = keys.publicKey;
    options = { curveServer: true, curveSecretKey: keys.secretKey };
  }
  const pull = new (lib.socket(args.socket ?? "Pull"))(options);
  try {
    await pull.bind(args.bind);
    const ready: ReceiverReady = { endpoint: pull.lastEndpoint ?? args.bind, serverKey };
    channel.post("ready", ready);
    return await receiveCounted(pull, args, received, args.lag ? new LagMonitor() : undefined, channel);
  } finally {
    received.phase = "close() pending";
    await closeAll(pull);
  }
});

export const pushSend = defineRole<SendArgs>(async (lib, args, channel) => {
  const sent: Counter = { done: 0, total: args.total };
  channel.progress(() => describe(sent, "sent"));
  const push = new (lib.socket(args.socket ?? "Push"))(curveClientOptions(lib, args.serverKey));
  try {
    push.connect(args.connect);
    const lag = args.lag ? new LagMonitor() : undefined;
    lag?.start();
    const warmup = args.warmup ?? 0;
    let cpuStart = process.cpuUsage();
    let cpu = cpuStart;
    const untilWarm = async (): Promise<void> => {
      sent.phase = "waiting for the warm-up to arrive";
      await channel.wait("warm");
      delete sent.phase;
      cpuStart = process.cpuUsage();
    };
    const afterSend = (n: number): void => {
      if (n === warmup) cpuStart = process.cpuUsage();
      if (n === args.total) cpu = process.cpuUsage(cpuStart);
    };
    if (args.cpuFromWarm) await sendCounted(push, args.size, sent, undefined, { after: warmup, until: untilWarm });
    else await sendCounted(push, args.size, sent, afterSend);
    const maxLagMs = lag?.stop().maxLagMs;
    channel.post("sent");
    // Close only once the receiver has everything: zeromq's linger is 0 with blocky = false.
    sent.phase = "waiting for the receiver";
    await channel.wait("close");
    if (args.cpuFromWarm) cpu = process.cpuUsage(cpuStart);
    const result: SendResult = { cpuUsPerMsg: (cpu.user + cpu.system) / Math.max(1, args.total - warmup) };
    if (maxLagMs !== undefined) result.maxLagMs = maxLagMs;
    return result;
  } finally {
    sent.phase = "close() pending";
    await closeAll(push);
  }
});

/** Options of a CURVE client of `serverKey`, with a fresh key pair; undefined without a key. */
export function curveClientOptions(lib: ZmqLib, serverKey: string | undefined): Record<string, unknown> | undefined {
  if (serverKey === undefined) return undefined;
  const keys = lib.curveKeyPair();
  return { curveServerKey: serverKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey };
}

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
