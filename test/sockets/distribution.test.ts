/**
 * Routing and flow control: PUSH load-balances, PULL fair-queues, PUSH waits at the HWM
 * (never drops), and the send/receive error contract (EAGAIN, EBUSY, EBADF, abort).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull, Push } from "../../lib/index.js";
import { tmpIpc } from "../helpers/endpoints.js";
import { delay, tracker, waitEvent, within } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const inprocName = (): string => `inproc://dist-${Math.random().toString(36).slice(2)}`;
const seq = (i: number): Buffer => {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(i, 0);
  return b;
};

describe.each([
  { title: "tcp, PUSH binds", endpoint: () => "tcp://127.0.0.1:*", pushBinds: true },
  { title: "tcp, PUSH connects to each PULL", endpoint: () => "tcp://127.0.0.1:*", pushBinds: false },
  { title: "ipc, PUSH binds", endpoint: () => tmpIpc(), pushBinds: true },
  { title: "inproc, PUSH binds", endpoint: inprocName, pushBinds: true },
])("PUSH load-balancing over $title", ({ endpoint, pushBinds }) => {
  it("splits messages evenly over three connected PULLs, each in order", async () => {
    const push = track(new Push());
    const pulls = [track(new Pull()), track(new Pull()), track(new Pull())];
    const all = waitEvent(push, "handshake", 3);
    if (pushBinds) {
      await push.bind(endpoint());
      for (const p of pulls) p.connect(push.lastEndpoint!);
    } else {
      for (const p of pulls) {
        await p.bind(endpoint());
        push.connect(p.lastEndpoint!);
      }
    }
    await all;

    const n = 301;
    for (let i = 0; i < n; i++) await push.send(seq(i));
    const got: number[][] = [[], [], []];
    let total = 0;
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    pulls.forEach(async (pull, k) => {
      while (total < n) {
        let msg: Buffer[];
        try {
          msg = await pull.receive();
        } catch {
          return; // closed in afterEach
        }
        got[k]!.push(msg[0]!.readUInt32BE(0));
        if (++total === n) finish();
      }
    });
    await within(done, 10_000, "receiving all messages");
    const counts = got.map((g) => g.length);
    expect(counts.reduce((a, b) => a + b)).toBe(n);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    for (const g of got) expect(g).toEqual([...g].sort((a, b) => a - b));
    expect(got.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
  });
});

/**
 * Test-only probe: how many messages wait in each of the socket's inbound pipe queues. No
 * public event says "every byte the peers sent has been decoded", and fair-queueing is only
 * defined over what is queued, so the tcp case waits on this before reading.
 */
function queuedInbound(sock: Pull): number[] {
  const pipes = (sock as unknown as { pipes?: Set<{ in: { length: number } }> }).pipes;
  if (pipes === undefined) throw new Error("Socket internals changed: no `pipes` set to probe");
  return [...pipes].map((p) => p.in.length);
}

async function untilQueued(sock: Pull, perPipe: number[]): Promise<void> {
  const want = JSON.stringify(perPipe);
  const deadline = Date.now() + 10_000;
  while (JSON.stringify(queuedInbound(sock).sort()) !== want) {
    if (Date.now() > deadline) throw new Error(`inbound queues ${JSON.stringify(queuedInbound(sock))}, want ${want}`);
    await delay(5);
  }
}

/**
 * What libzmq-style fq guarantees: while every pipe has queued messages, reads rotate over the
 * pipes, so any 3 consecutive messages come from 3 different pushers. With all three pre-filled
 * with the same count K they also run dry in the same round, so this holds for all 3K messages.
 * (Which pusher comes first depends on arrival order and is not asserted.)
 */
function checkInterleaved(from: number[], seqs: number[], k: number): void {
  expect(from.length).toBe(3 * k);
  for (let j = 0; j + 3 <= from.length; j++) {
    const window = new Set(from.slice(j, j + 3));
    if (window.size !== 3) throw new Error(`messages ${j}..${j + 2} come from pushers ${from.slice(j, j + 3)}`);
  }
  for (let p = 0; p < 3; p++) {
    expect(seqs.filter((_, i) => from[i] === p)).toEqual(Array.from({ length: k }, (_, i) => i));
  }
}

describe("PULL fair-queueing", () => {
  it("inproc: three pre-filled PUSH queues are read round-robin", async () => {
    const ep = inprocName();
    const pull = track(new Pull());
    await pull.bind(ep);
    const pushes = [track(new Push()), track(new Push()), track(new Push())];
    for (const p of pushes) p.connect(ep);
    const k = 200;
    // inproc hands each message to the PULL's queue within send, so the queues are filled by
    // the time the sends resolve.
    // Skewed on purpose: pusher 0 sends everything first, then 1, then 2.
    for (let p = 0; p < 3; p++) for (let i = 0; i < k; i++) await pushes[p]!.send([String(p), seq(i)]);
    const from: number[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < 3 * k; i++) {
      const m = await pull.receive();
      from.push(Number(String(m[0])));
      seqs.push(m[1]!.readUInt32BE(0));
    }
    checkInterleaved(from, seqs, k);
  });

  it.each([
    { lib: "wiremq" as const },
    { lib: "zeromq" as const },
  ])("tcp: three pre-filled $lib PUSH connections are read round-robin", async ({ lib }) => {
    const pull = track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    const all = waitEvent(pull, "handshake", 3);
    const pushes = [0, 1, 2].map(() => track(lib === "wiremq" ? new Push() : new zmq.Push()));
    for (const p of pushes) p.connect(pull.lastEndpoint!);
    await all;
    const k = 200; // below the receive HWM, so nothing is held back in the kernel
    // Sender 0 sends all of its messages first, then 1, then 2: arrival is deliberately skewed.
    for (let p = 0; p < 3; p++) for (let i = 0; i < k; i++) await pushes[p]!.send([String(p), seq(i)]);
    await untilQueued(pull, [k, k, k]);
    const from: number[] = [];
    const seqs: number[] = [];
    for (let i = 0; i < 3 * k; i++) {
      const m = await pull.receive();
      from.push(Number(String(m[0])));
      seqs.push(m[1]!.readUInt32BE(0));
    }
    checkInterleaved(from, seqs, k);
  });
});

/** Resolves to "pending" if `p` has not settled by the time `ms` have passed. */
async function settledWithin(p: Promise<unknown>, ms: number): Promise<"settled" | "pending"> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<"pending">((r) => (timer = setTimeout(() => r("pending"), ms)));
  const r = await Promise.race([p.then(() => "settled" as const, () => "settled" as const), t]);
  clearTimeout(timer);
  return r;
}

/** A PUSH→PULL inproc link where the PULL does not read; capacity is sndhwm + rcvhwm (libzmq). */
async function fullInproc(hwm = 10, pushBinds = false): Promise<{ push: Push; pull: Pull; sent: number }> {
  const ep = inprocName();
  const pull = track(new Pull({ receiveHighWaterMark: hwm }));
  const push = track(new Push({ sendHighWaterMark: hwm }));
  if (pushBinds) {
    await push.bind(ep);
    pull.connect(ep);
  } else {
    await pull.bind(ep);
    push.connect(ep);
  }
  let sent = 0;
  while (push.writable && sent < 10_000) await push.send(seq(sent++));
  return { push, pull, sent };
}

describe("HWM: PUSH waits, never drops", () => {
  it.each([
    { title: "PULL binds", pushBinds: false },
    { title: "PUSH binds", pushBinds: true },
  ])("inproc ($title): send waits at sndhwm + rcvhwm (as libzmq: 10 + 10), resumes when the PULL reads, loses nothing", async ({ pushBinds }) => {
    const { push, pull, sent } = await fullInproc(10, pushBinds);
    // libzmq 4.3.5 accepts exactly 20 here in both arrangements (each side's own HWM counts).
    expect(sent).toBe(20);
    let resolved = false;
    const pending = push.send(seq(sent)).then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    expect(push.writable).toBe(false);
    expect((await pull.receive())[0]!.readUInt32BE(0)).toBe(0);
    await within(pending, 5000, "the waiting send");
    for (let i = 1; i <= sent; i++) expect((await pull.receive())[0]!.readUInt32BE(0)).toBe(i);
    await push.send("end");
    expect((await pull.receive()).map(String)).toEqual(["end"]);
  });

  it.each([
    { t: "tcp", endpoint: () => "tcp://127.0.0.1:*" },
    { t: "ipc", endpoint: () => tmpIpc() },
  ])("$t: once kernel buffers fill, send stays pending until the PULL reads; all arrive once, in order", async ({ endpoint }) => {
    // receiveTimeout only turns a lost message into a prompt failure instead of a hang.
    const pull = track(new Pull({ receiveHighWaterMark: 10, receiveTimeout: 5000 }));
    await pull.bind(endpoint());
    const push = track(new Push({ sendHighWaterMark: 10 }));
    const up = waitEvent(pull, "handshake");
    push.connect(pull.lastEndpoint!);
    await up;
    const payload = Buffer.alloc(64 * 1024, 7);
    let stuck: Promise<void> | null = null;
    let sent = 0;
    for (; sent < 2000; ) {
      const wasWritable = push.writable;
      const p = push.send([seq(sent), payload]);
      sent++;
      // A send found the pipe full; it resolves at the next flush unless the peer is full.
      if (!wasWritable && (await settledWithin(p, 500)) === "pending") {
        stuck = p;
        break;
      }
      await p;
    }
    expect(stuck).not.toBeNull();
    expect(push.writable).toBe(false);
    expect(sent).toBeGreaterThan(20);
    for (let i = 0; i < sent; i++) {
      const m = await pull.receive();
      if (m[0]!.readUInt32BE(0) !== i || m[1]!.length !== payload.length) {
        throw new Error(`message ${i}: got seq ${m[0]!.readUInt32BE(0)}, ${m[1]!.length} bytes`);
      }
    }
    await within(stuck!, 5000, "the waiting send");
    await push.send("end");
    expect((await pull.receive()).map(String)).toEqual(["end"]);
  });
});

describe("send/receive errors", () => {
  it("sendTimeout rejects with EAGAIN when full; the timed-out message is not delivered", async () => {
    const { push, pull, sent } = await fullInproc(5);
    push.sendTimeout = 30;
    await expect(push.send("late")).rejects.toMatchObject({ code: "EAGAIN" });
    for (let i = 0; i < sent; i++) expect((await pull.receive())[0]!.readUInt32BE(0)).toBe(i);
    await push.send("next");
    expect((await pull.receive()).map(String)).toEqual(["next"]);
  });

  it("sendTimeout 0 rejects at once with EAGAIN when there is no peer", async () => {
    const push = track(new Push({ sendTimeout: 0 }));
    await expect(push.send("x")).rejects.toMatchObject({ code: "EAGAIN" });
  });

  it("a second concurrent send throws EBUSY at the call; the first still completes", async () => {
    const { push, pull, sent } = await fullInproc(5);
    const first = push.send("first");
    expect(() => push.send("second")).toThrow(expect.objectContaining({ code: "EBUSY" }));
    await pull.receive();
    await within(first, 5000, "the first send");
    const rest: string[] = [];
    for (let i = 1; i <= sent; i++) rest.push(String((await pull.receive())[0]));
    // Everything but "first" is a 4-byte sequence number; "second" was never queued.
    expect(rest.filter((r) => r === "first")).toEqual(["first"]);
    expect(rest.at(-1)).toBe("first");
    expect(rest.includes("second")).toBe(false);
  });

  it("a second concurrent receive throws EBUSY at the call", async () => {
    const pull = track(new Pull());
    const first = pull.receive();
    expect(() => pull.receive()).toThrow(expect.objectContaining({ code: "EBUSY" }));
    await pull.close();
    await expect(first).rejects.toBeDefined();
  });

  it("send, receive, bind and connect after close throw EBADF at the call", async () => {
    const push = new Push();
    const pull = new Pull();
    await push.close();
    await pull.close();
    expect(() => push.send("x")).toThrow(expect.objectContaining({ code: "EBADF" }));
    expect(() => pull.receive()).toThrow(expect.objectContaining({ code: "EBADF" }));
    expect(() => pull.bind("tcp://127.0.0.1:*")).toThrow(expect.objectContaining({ code: "EBADF" }));
    expect(() => push.connect("tcp://127.0.0.1:1")).toThrow(expect.objectContaining({ code: "EBADF" }));
  });

  it("receive with an AbortSignal rejects when aborted; the socket stays usable", async () => {
    const ep = inprocName();
    const pull = track(new Pull());
    await pull.bind(ep);
    const ac = new AbortController();
    const r = pull.receive({ signal: ac.signal });
    ac.abort();
    await expect(r).rejects.toMatchObject({ name: "AbortError" });
    const already = AbortSignal.abort();
    await expect(pull.receive({ signal: already })).rejects.toMatchObject({ name: "AbortError" });
    const push = track(new Push());
    push.connect(ep);
    await push.send("after abort");
    expect((await pull.receive()).map(String)).toEqual(["after abort"]);
  });

  it("a wait that ended leaves nothing behind: its signal or timeout later does not touch the next receive", async () => {
    const ep = inprocName();
    const pull = track(new Pull());
    await pull.bind(ep);
    const push = track(new Push());
    push.connect(ep);
    const ac = new AbortController();
    const first = pull.receive({ signal: ac.signal });
    await push.send("one");
    expect((await first).map(String)).toEqual(["one"]);
    pull.receiveTimeout = 30;
    const second = pull.receive();
    await push.send("two");
    expect((await second).map(String)).toEqual(["two"]);
    pull.receiveTimeout = -1;
    const third = pull.receive();
    ac.abort();
    // Past the second call's 30 ms timeout: nothing may settle the third call but a message.
    const outcome = await Promise.race([third.then(() => "settled", () => "rejected"), delay(80).then(() => "pending")]);
    expect(outcome).toBe("pending");
    await push.send("three");
    expect((await third).map(String)).toEqual(["three"]);
  });

  it("send with an AbortSignal rejects when aborted and the message is not delivered", async () => {
    const { push, pull, sent } = await fullInproc(5);
    const ac = new AbortController();
    const s = push.send("aborted", { signal: ac.signal });
    ac.abort();
    await expect(s).rejects.toMatchObject({ name: "AbortError" });
    for (let i = 0; i < sent; i++) expect((await pull.receive())[0]!.readUInt32BE(0)).toBe(i);
    await push.send("next");
    expect((await pull.receive()).map(String)).toEqual(["next"]);
  });
});
