// Roles for the memory burst: a PUSH sends `total` numbered messages as fast as its sends
// resolve, at a PULL that does not receive until told to ("stalled"). Both high-water marks are
// small, so a library that honours them blocks the sender instead of buffering; the PULL then
// drains and checks that every message arrived, in order.
import { closeAll } from "../lib-loader.js";
import { sleep } from "../workloads/types.js";
import { gcExposed, peakRss, RssSampler, settledRss } from "./probes.js";
import { defineRole } from "./role.js";

export interface BurstReceiveArgs {
  bind: string;
  total: number;
  size: number;
  hwm: number;
  /** After the parent's "sender-done", stop draining once nothing arrives for this long. */
  quietMs: number;
}

export interface BurstReceiveResult {
  received: number;
  /** Sequence numbers never seen (gaps), plus any missing at the end. */
  lost: number;
  outOfOrder: number;
  drainNs: number;
  /** RSS growth of the PULL's process while it was stalled. */
  stallRssGrowth: number;
}

export interface BurstSendArgs {
  connect: string;
  total: number;
  size: number;
  hwm: number;
  /** Report "blocked" once no send has resolved for this long. */
  blockedAfterMs: number;
}

/** Posted once: when the sender blocks, or when it finishes without ever blocking. */
export interface BurstBlocked {
  blocked: boolean;
  sentAtBlock: number;
}

export interface BurstSendResult {
  baselineRss: number;
  /** Highest RSS from the start of the burst to its end. */
  peakRss: number;
  sentAtBlock: number;
  blocked: boolean;
  sendNs: number;
}

export const burstReceive = defineRole<BurstReceiveArgs>(async (lib, args, channel) => {
  let received = 0;
  let phase = "stalled";
  channel.progress(() => `${phase}: ${received}/${args.total} received`);
  const pull = new (lib.socket("Pull"))({ receiveHighWaterMark: args.hwm });
  let quiet = false;
  let watch: NodeJS.Timeout | undefined;
  try {
    await pull.bind(args.bind);
    const baseline = settledRss();
    const sampler = new RssSampler(10);
    sampler.start();
    channel.post("ready", { endpoint: pull.lastEndpoint ?? args.bind });
    await channel.wait("drain");
    const stallRssGrowth = sampler.stop() - baseline;

    phase = "draining";
    let senderDone = false;
    void channel.wait("sender-done").then(() => (senderDone = true));
    let seen = -1;
    let lastChange = Date.now();
    watch = setInterval(() => {
      if (received !== seen) {
        seen = received;
        lastChange = Date.now();
      } else if (senderDone && Date.now() - lastChange >= args.quietMs) {
        quiet = true; // the rest is not coming: end the pending receive
        void closeAll(pull);
      }
    }, 50);

    let expected = 0;
    let lost = 0;
    let outOfOrder = 0;
    const t0 = process.hrtime.bigint();
    try {
      while (expected < args.total) {
        const msg = await pull.receive();
        const frame = msg[0]!;
        if (msg.length !== 1 || frame.length !== args.size) {
          throw new Error(`message ${received + 1}: expected 1 frame of ${args.size} B, got ${msg.map((f) => f.length).join("+")} B`);
        }
        received++;
        const seq = frame.readUInt32LE(0);
        if (seq === expected) expected++;
        else if (seq > expected) {
          lost += seq - expected;
          expected = seq + 1;
        } else outOfOrder++;
      }
    } catch (err) {
      if (!quiet) throw err;
    }
    lost += args.total - expected;
    const result: BurstReceiveResult = {
      received,
      lost,
      outOfOrder,
      drainNs: Number(process.hrtime.bigint() - t0),
      stallRssGrowth,
    };
    return result;
  } finally {
    clearInterval(watch);
    phase = "close() pending";
    await closeAll(pull);
  }
});

export const burstSend = defineRole<BurstSendArgs>(async (lib, args, channel) => {
  if (!gcExposed) throw new Error("burst-send needs --expose-gc for a stable RSS baseline");
  let sent = 0;
  let phase = "connecting";
  channel.progress(() => `${phase}: ${sent}/${args.total} sent`);
  const push = new (lib.socket("Push"))({ sendHighWaterMark: args.hwm });
  let detector: NodeJS.Timeout | undefined;
  try {
    push.connect(args.connect);
    await sleep(100); // let the connection come up, so its buffers are in the baseline
    const baselineRss = settledRss();
    const peakBefore = peakRss();
    const sampler = new RssSampler(10);
    sampler.start();

    let reported = false;
    const report = (blocked: boolean): void => {
      if (reported) return;
      reported = true;
      const msg: BurstBlocked = { blocked, sentAtBlock: sent };
      channel.post("blocked", msg);
    };
    let seen = -1;
    let lastChange = Date.now();
    let sentAtBlock = args.total;
    detector = setInterval(() => {
      if (sent !== seen) {
        seen = sent;
        lastChange = Date.now();
      } else if (!reported && Date.now() - lastChange >= args.blockedAfterMs) {
        sentAtBlock = sent;
        phase = "blocked";
        report(true);
      }
    }, 20);

    phase = "sending";
    const t0 = process.hrtime.bigint();
    for (; sent < args.total; sent++) {
      // A fresh buffer each time: a queued message may be held by reference.
      const msg = Buffer.allocUnsafe(args.size);
      msg.writeUInt32LE(sent, 0);
      await push.send(msg);
      if (phase === "blocked") phase = "sending after the stall";
    }
    const sendNs = Number(process.hrtime.bigint() - t0);
    clearInterval(detector);
    const blocked = reported;
    report(false);
    let peak = sampler.stop();
    const peakAfter = peakRss();
    if (peakAfter > peakBefore) peak = Math.max(peak, peakAfter);

    channel.post("sent");
    phase = "waiting for the receiver";
    await channel.wait("close");
    const result: BurstSendResult = { baselineRss, peakRss: peak, sentAtBlock, blocked, sendNs };
    return result;
  } finally {
    clearInterval(detector);
    phase = "close() pending";
    await closeAll(push);
  }
});
