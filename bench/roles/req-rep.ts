// Roles for REQ/REP round-trip latency: an echoing Reply and a timing Request.
import { closeAll } from "../lib-loader.js";
import { percentileOfSorted } from "../stats.js";
import { defineRole } from "./role.js";

export interface EchoArgs {
  bind: string;
}

export interface RequestArgs {
  connect: string;
  size: number;
  /** Untimed round trips first: at least this many, and for at least `warmupMs`. */
  warmup: number;
  warmupMs: number;
  count: number;
}

/** The requester's last request: the echo answers it and stops. */
const END = Buffer.alloc(0);

export interface LatencyResult {
  medianUs: number;
  p99Us: number;
  meanUs: number;
  seconds: number;
}

export const replyEcho = defineRole<EchoArgs>(async (lib, args, channel) => {
  let answered = 0;
  let phase = "";
  channel.progress(() => `${answered} answered${phase}`);
  const reply = new (lib.socket("Reply"))();
  try {
    await reply.bind(args.bind);
    channel.post("ready", { endpoint: reply.lastEndpoint });
    for (;;) {
      const request = await reply.receive();
      await reply.send(request);
      answered++;
      if (request.length === 1 && request[0]!.length === 0) break;
    }
    // The last reply must reach the requester before close discards it (linger 0 on zeromq).
    phase = ", waiting for the requester";
    await channel.wait("close");
    return {};
  } finally {
    phase = ", close() pending";
    await closeAll(reply);
  }
});

export const requestTimed = defineRole<RequestArgs>(async (lib, args, channel) => {
  let done = 0;
  let phase = "";
  channel.progress(() => `${done} round trips${phase}`);
  const request = new (lib.socket("Request"))();
  try {
    request.connect(args.connect);
    const payload = Buffer.alloc(args.size, 0x61);
    const samples = new Float64Array(args.count);
    // A fixed count alone would give the faster library less warm-up time, and the JIT's
    // optimizing compiles (which share the two cores) would land in its timed part.
    const warmupEnd = performance.now() + args.warmupMs;
    for (; done < args.warmup || performance.now() < warmupEnd; done++) {
      await request.send(payload);
      await request.receive();
    }
    for (let i = 0; i < args.count; i++) {
      const t0 = process.hrtime.bigint();
      await request.send(payload);
      const reply = await request.receive();
      samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
      if (reply.length !== 1 || reply[0]!.length !== args.size) throw new Error(`reply ${i}: wrong shape`);
      done++;
    }
    await request.send(END);
    await request.receive();
    samples.sort();
    let sum = 0;
    for (const s of samples) sum += s;
    const result: LatencyResult = {
      medianUs: percentileOfSorted(samples, 50),
      p99Us: percentileOfSorted(samples, 99),
      meanUs: sum / samples.length,
      seconds: sum / 1e6,
    };
    return result;
  } finally {
    phase = ", close() pending";
    await closeAll(request);
  }
});
