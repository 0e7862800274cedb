// Roles for PUB → N SUB fan-out: a publisher, and N subscribers in one process.
//
// A PUB drops messages for a subscriber whose queue is full, so the subscribers cannot wait for
// a known count. Instead every data message carries its sequence number (uint32 LE in its first
// 4 bytes), and three kinds of message tell themselves apart by size:
//   PROBE (1 byte)  sent every few ms until the parent says "go": a SUB that receives one is
//                   known to be subscribed (no slow-joiner loss inside the timed part);
//   data (`size`)   the measured messages, sequence numbers 0 .. total-1;
//   END (2 bytes)   sent every few ms after the last data message until the parent says
//                   "close": a SUB stops at the first one (on its pipe it follows all data).
import { closeAll, type BenchSubscriber } from "../lib-loader.js";
import { sleep } from "../workloads/types.js";
import { defineRole } from "./role.js";

const PROBE = Buffer.from("p");
const END = Buffer.from("e!");
const SIGNAL_INTERVAL_MS = 5;

export interface PublishArgs {
  bind: string;
  /** Bytes per data message; at least 4 (the sequence number) and more than END's 2. */
  size: number;
  total: number;
}

export interface PublishResult {
  /** Time the publisher spent sending the data messages. */
  sendNs: number;
}

export interface SubscribeArgs {
  connect: string;
  size: number;
  subscribers: number;
  /** Messages with a sequence number below this are warm-up: received but not timed. */
  warmup: number;
  total: number;
}

export interface SubscriberFigures {
  /** Data messages that arrived, warm-up included. */
  all: number;
  /** Data messages at or past `warmup` that arrived. */
  delivered: number;
  /** Arrival of the first and the last of them, ns since the role started. */
  firstNs: number;
  lastNs: number;
}

export interface SubscribeResult {
  subscribers: SubscriberFigures[];
}

export const publishSend = defineRole<PublishArgs>(async (lib, args, channel) => {
  if (args.size < 4 || args.size === PROBE.length || args.size === END.length) {
    throw new Error(`pub-sub needs messages of 4 B or more, got ${args.size}`);
  }
  let phase = "probing";
  let signals = 0;
  let sent = 0;
  channel.progress(() => `${phase}: ${sent}/${args.total} sent, ${signals} probe/end signals`);
  const pub = new (lib.socket("Publisher"))();
  try {
    await pub.bind(args.bind);
    channel.post("ready", { endpoint: pub.lastEndpoint ?? args.bind });

    let go = false;
    void channel.wait("go").then(() => (go = true));
    while (!go) {
      await pub.send(PROBE);
      signals++;
      await sleep(SIGNAL_INTERVAL_MS);
    }

    phase = "sending";
    const t0 = process.hrtime.bigint();
    for (; sent < args.total; sent++) {
      // A fresh buffer each time: a library may hold on to a queued message by reference.
      const msg = Buffer.allocUnsafe(args.size);
      msg.writeUInt32LE(sent, 0);
      await pub.send(msg);
    }
    const result: PublishResult = { sendNs: Number(process.hrtime.bigint() - t0) };

    phase = "ending";
    let close = false;
    void channel.wait("close").then(() => (close = true));
    while (!close) {
      await pub.send(END);
      signals++;
      await sleep(SIGNAL_INTERVAL_MS);
    }
    return result;
  } finally {
    phase = "close() pending";
    await closeAll(pub);
  }
});

export const subscribeReceive = defineRole<SubscribeArgs>(async (lib, args, channel) => {
  const base = process.hrtime.bigint();
  let subscribed = 0;
  let finished = 0;
  let received = 0;
  channel.progress(
    () => `${subscribed}/${args.subscribers} subscribed, ${received} data messages received, ${finished} saw END`,
  );
  const socks: BenchSubscriber[] = [];
  try {
    for (let i = 0; i < args.subscribers; i++) {
      const sub = new (lib.socket("Subscriber"))();
      socks.push(sub);
      sub.subscribe();
      sub.connect(args.connect);
    }

    const receiveAll = async (sub: BenchSubscriber, index: number): Promise<SubscriberFigures> => {
      const figures: SubscriberFigures = { all: 0, delivered: 0, firstNs: -1, lastNs: -1 };
      let isSubscribed = false;
      let previous = -1;
      for (;;) {
        const msg = await sub.receive();
        const frame = msg[0]!;
        if (msg.length !== 1) throw new Error(`subscriber ${index}: expected 1 frame, got ${msg.length}`);
        if (frame.length === PROBE.length) {
          if (!isSubscribed) {
            isSubscribed = true;
            if (++subscribed === args.subscribers) channel.post("subscribed");
          }
          continue;
        }
        if (frame.length === END.length) break;
        if (frame.length !== args.size) throw new Error(`subscriber ${index}: unexpected ${frame.length} B message`);
        const seq = frame.readUInt32LE(0);
        if (seq <= previous) throw new Error(`subscriber ${index}: message ${seq} arrived after ${previous}`);
        previous = seq;
        received++;
        figures.all++;
        if (seq >= args.warmup) {
          const now = Number(process.hrtime.bigint() - base);
          if (figures.delivered === 0) figures.firstNs = now;
          figures.lastNs = now;
          figures.delivered++;
        }
      }
      finished++;
      return figures;
    };

    const result: SubscribeResult = { subscribers: await Promise.all(socks.map(receiveAll)) };
    return result;
  } finally {
    await closeAll(...socks);
  }
});
