/**
 * inproc between worker_threads: one end in the test thread, the other in a worker, against
 * zeromq (one context per process) and against wiremq, switching only the library. Each
 * scenario asserts the same outcome for both, and the HWM scenario compares their counts.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zeromq from "zeromq";
import * as wiremq from "../../lib/index.js";
import type { LibName, Zmq } from "../helpers/differential.js";
import { ThreadPeer } from "../helpers/thread-peer.js";
import { tracker } from "../helpers/sockets.js";

const LIBS: [LibName, Zmq][] = [
  ["zeromq", zeromq],
  ["wiremq", wiremq as unknown as Zmq],
];

let names = 0;
/** A fresh inproc address per scenario, so no test meets another's binding. */
function address(): string {
  return `inproc://threads-${process.pid}-${++names}-${Math.random().toString(36).slice(2)}`;
}

const open = tracker();
const peers: ThreadPeer[] = [];

function peer(lib: LibName): ThreadPeer {
  const p = new ThreadPeer(lib);
  peers.push(p);
  return p;
}

afterEach(async () => {
  await open.closeAll();
  await Promise.all(peers.splice(0).map((p) => p.terminate()));
});

const text = (msg: Buffer[]): string[] => msg.map((f) => f.toString());

/**
 * A PULL bound in a new worker at a fresh address, and a PUSH here (linger 0) connected to it;
 * `hwm`, when given, is the PULL's receive and the PUSH's send high-water mark.
 */
async function pushToWorkerPull(lib: LibName, zmq: Zmq, hwm?: number): Promise<{ addr: string; w: ThreadPeer; push: InstanceType<Zmq["Push"]> }> {
  const addr = address();
  const w = peer(lib);
  await w.call("open", { name: "pull", type: "pull", ...(hwm === undefined ? {} : { options: { receiveHighWaterMark: hwm } }) });
  await w.call("bind", { name: "pull", address: addr });
  const push = open.track(new zmq.Push({ linger: 0, ...(hwm === undefined ? {} : { sendHighWaterMark: hwm }) }));
  push.connect(addr);
  return { addr, w, push };
}

describe.each(LIBS)("inproc across threads with %s", (lib, zmq) => {
  it("a worker's PUSH reaches a PULL bound in this thread", async () => {
    const addr = address();
    const pull = open.track(new zmq.Pull());
    await pull.bind(addr);
    const w = peer(lib);
    await w.call("open", { name: "push", type: "push" });
    await w.call("connect", { name: "push", address: addr });
    await w.call("send", { name: "push", message: ["job", "1"] });
    await w.call("send", { name: "push", message: ["job", "2"] });
    expect(text(await pull.receive())).toEqual(["job", "1"]);
    expect(text(await pull.receive())).toEqual(["job", "2"]);
    await w.call("close", { name: "push" });
  });

  it("a PUSH in this thread reaches a PULL bound in a worker", async () => {
    const { w, push } = await pushToWorkerPull(lib, zmq);
    const got = w.call("receive", { name: "pull" });
    await push.send(["hello", "worker"]);
    expect(await got).toEqual(["hello", "worker"]);
    await w.call("close", { name: "pull" });
  });

  it("bind after connect: messages sent before a worker binds reach it", async () => {
    const addr = address();
    const push = open.track(new zmq.Push({ linger: 0 }));
    push.connect(addr);
    await push.send("first");
    await push.send("second");
    const w = peer(lib);
    await w.call("open", { name: "pull", type: "pull" });
    await w.call("bind", { name: "pull", address: addr });
    expect(await w.call("receive", { name: "pull" })).toEqual(["first"]);
    expect(await w.call("receive", { name: "pull" })).toEqual(["second"]);
    await w.call("close", { name: "pull" });
  });

  it("bind after connect: a worker connects first, this thread binds later", async () => {
    const addr = address();
    const w = peer(lib);
    await w.call("open", { name: "push", type: "push", options: { linger: 0 } });
    await w.call("connect", { name: "push", address: addr });
    await w.call("send", { name: "push", message: "early" });
    const pull = open.track(new zmq.Pull());
    await pull.bind(addr);
    expect(text(await pull.receive())).toEqual(["early"]);
    await w.call("close", { name: "push" });
  });

  it("ROUTER here and DEALER in a worker route by the DEALER's routing id, both ways", async () => {
    const addr = address();
    const router = open.track(new zmq.Router());
    await router.bind(addr);
    const w = peer(lib);
    await w.call("open", { name: "dealer", type: "dealer", options: { routingId: "w1" } });
    await w.call("connect", { name: "dealer", address: addr });
    await w.call("send", { name: "dealer", message: "hi" });
    expect(text(await router.receive())).toEqual(["w1", "hi"]);
    const reply = w.call("receive", { name: "dealer" });
    await router.send(["w1", "back", "again"]);
    expect(await reply).toEqual(["back", "again"]);
    await w.call("close", { name: "dealer" });
  });

  it("a ROUTER in a worker takes a DEALER from this thread, routing id given on connect", async () => {
    const addr = address();
    const w = peer(lib);
    await w.call("open", { name: "router", type: "router" });
    await w.call("bind", { name: "router", address: addr });
    const dealer = open.track(new zmq.Dealer({ routingId: "main", linger: 0 }));
    dealer.connect(addr);
    await dealer.send(["a", "b"]);
    expect(await w.call("receive", { name: "router" })).toEqual(["main", "a", "b"]);
    await w.call("send", { name: "router", message: ["main", "c"] });
    expect(text(await dealer.receive())).toEqual(["c"]);
    await w.call("close", { name: "router" });
  });

  it("REQ here and REP in a worker alternate request and reply", async () => {
    const addr = address();
    const w = peer(lib);
    await w.call("open", { name: "rep", type: "rep" });
    await w.call("bind", { name: "rep", address: addr });
    const req = open.track(new zmq.Request({ linger: 0 }));
    req.connect(addr);
    for (let i = 0; i < 3; i++) {
      const request = w.call("receive", { name: "rep" });
      await req.send(`ping ${i}`);
      expect(await request).toEqual([`ping ${i}`]);
      await w.call("send", { name: "rep", message: `pong ${i}` });
      expect(text(await req.receive())).toEqual([`pong ${i}`]);
    }
    await w.call("close", { name: "rep" });
  });

  it("a SUB in a worker gets only what matches its subscription from a PUB here", async () => {
    const addr = address();
    const pub = open.track(new zmq.Publisher({ linger: 0 }));
    await pub.bind(addr);
    const w = peer(lib);
    await w.call("open", { name: "sub", type: "sub" });
    await w.call("connect", { name: "sub", address: addr });
    await w.call("subscribe", { name: "sub", topic: "weather" });
    let received = false;
    const first = w.call<string[]>("receive", { name: "sub" }).finally(() => (received = true));
    // The subscription reaches the PUB some time after subscribe() returns in the worker: publish
    // both topics until the worker has one (what it gets must be the subscribed one).
    for (let i = 0; !received && i < 2000; i++) {
      await pub.send(["traffic", String(i)]);
      await pub.send(["weather", String(i)]);
      await new Promise((r) => setImmediate(r));
    }
    expect((await first)[0]).toBe("weather");
    await pub.send(["traffic", "last"]);
    await pub.send(["weather", "last"]);
    // Every traffic message was filtered at the PUB: the next the SUB gets is weather.
    for (;;) {
      const [topic, seq] = await w.call<string[]>("receive", { name: "sub" });
      expect(topic).toBe("weather");
      if (seq === "last") break;
    }
    await w.call("close", { name: "sub" });
  });

  it("a PUB here reaches SUBs in four workers connecting at once (a thread answers only accepts for its own connects)", async () => {
    const addr = address();
    const pub = open.track(new zmq.Publisher({ linger: 0 }));
    await pub.bind(addr);
    const workers = [peer(lib), peer(lib), peer(lib), peer(lib)];
    await Promise.all(workers.map((w) => w.call("open", { name: "sub", type: "sub" })));
    await Promise.all(workers.map((w) => w.call("connect", { name: "sub", address: addr })));
    await Promise.all(workers.map((w) => w.call("subscribe", { name: "sub", topic: "" })));
    let pending = workers.length;
    const received = workers.map((w) => w.call<string[]>("receive", { name: "sub" }).finally(() => pending--));
    for (let i = 0; pending > 0 && i < 2000; i++) {
      await pub.send("news");
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await Promise.all(received)).toEqual([["news"], ["news"], ["news"], ["news"]]);
    await Promise.all(workers.map((w) => w.call("close", { name: "sub" })));
  });

  it("what a worker sends over two sockets arrives in that order: its SUB is subscribed when its 'ready' over a PUSH arrives", async () => {
    const [pubAddr, pullAddr] = [address(), address()];
    const pub = open.track(new zmq.Publisher({ linger: 0 }));
    const pull = open.track(new zmq.Pull());
    await pub.bind(pubAddr);
    await pull.bind(pullAddr);
    const w = peer(lib);
    await w.call("open", { name: "sub", type: "sub" });
    await w.call("open", { name: "push", type: "push" });
    // Connect, subscribe and say "ready" in one turn: no link is up before the last of them.
    await w.call("sequence", {
      steps: [
        { op: "connect", name: "sub", address: pubAddr },
        { op: "connect", name: "push", address: pullAddr },
        { op: "subscribe", name: "sub", topic: "" },
        { op: "send", name: "push", message: "ready" },
      ],
    });
    const got = w.call<string[]>("receive", { name: "sub" });
    expect(text(await pull.receive())).toEqual(["ready"]);
    // Published once: a subscription still on its way would lose it.
    await pub.send("news");
    expect(await got).toEqual(["news"]);
    await w.call("close", { name: "sub" });
    await w.call("close", { name: "push" });
  });

  it("a worker's PUSH that connects, sends and closes at once delivers (linger -1)", async () => {
    const addr = address();
    const pull = open.track(new zmq.Pull());
    await pull.bind(addr);
    const w = peer(lib);
    await w.call("open", { name: "push", type: "push" });
    await w.call("sequence", {
      steps: [
        { op: "connect", name: "push", address: addr },
        { op: "send", name: "push", message: ["last", "words"] },
        { op: "close", name: "push" },
      ],
    });
    expect(text(await pull.receive())).toEqual(["last", "words"]);
  });

  it("a worker's PUSH that sends, closes and ends its thread at once delivers", async () => {
    const addr = address();
    const pull = open.track(new zmq.Pull());
    await pull.bind(addr);
    const w = peer(lib);
    await w.call("open", { name: "push", type: "push" });
    await w.call("sequence", {
      steps: [
        { op: "connect", name: "push", address: addr },
        { op: "send", name: "push", message: "before exit" },
        { op: "close", name: "push" },
      ],
    });
    expect(await w.exit("return")).toBe(0);
    expect(text(await pull.receive())).toEqual(["before exit"]);
  });

  it("100,000 small messages cross to a worker in order, through small HWMs", async () => {
    const { w, push } = await pushToWorkerPull(lib, zmq, 100);
    const count = 100_000;
    const inOrder = w.call("receiveNumbered", { name: "pull", count });
    for (let i = 0; i < count; i++) {
      const buf = Buffer.alloc(16);
      buf.writeUInt32BE(i, 0);
      await push.send(buf);
    }
    expect(await inOrder).toBe(count);
    await w.call("close", { name: "pull" });
  });

  it("large messages cross intact, 64 KiB ones in a stream and a 3 MiB one alone", async () => {
    const { w, push } = await pushToWorkerPull(lib, zmq);
    const count = 500;
    const inOrder = w.call("receiveNumbered", { name: "pull", count });
    for (let i = 0; i < count; i++) {
      const buf = Buffer.alloc(64 * 1024, i & 0xff);
      buf.writeUInt32BE(i, 0);
      await push.send(buf);
    }
    expect(await inOrder).toBe(count);
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff;
    const got = w.call<string[]>("receiveDigest", { name: "pull" });
    await push.send([big, "tail"]);
    const { createHash } = await import("node:crypto");
    expect(await got).toEqual([createHash("sha256").update(big).digest("hex"), createHash("sha256").update("tail").digest("hex")]);
    await w.call("close", { name: "pull" });
  });

  it("the sender's buffers stay its own: sent to a worker, none is detached, and one reused for the next message carries its new bytes", async () => {
    const { w, push } = await pushToWorkerPull(lib, zmq);
    const { createHash } = await import("node:crypto");
    const digest = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
    // An unpooled buffer the size of its whole ArrayBuffer (what a transfer could take), a
    // pooled one, and a view into the middle of a larger ArrayBuffer.
    const whole = Buffer.alloc(256 * 1024, 0x5a);
    const pooled = Buffer.from("a small pooled frame");
    const view = Buffer.from(new ArrayBuffer(64 * 1024), 1024, 32 * 1024).fill(0x33);
    const sent = [whole, pooled, view].map((b) => digest(b));
    const got = w.call<string[]>("receiveDigest", { name: "pull" });
    await push.send([whole, pooled, view]);
    for (const b of [whole, pooled, view]) expect(b.buffer.byteLength).toBeGreaterThan(0);
    expect(await got).toEqual(sent);
    // Sent, then reused by the sender as zeromq allows: the next message carries the new bytes.
    whole.fill(0x11);
    const again = w.call<string[]>("receiveDigest", { name: "pull" });
    await push.send(whole);
    expect(await again).toEqual([digest(whole)]);
    await w.call("close", { name: "pull" });
  });

  it("a worker's PUSH sends numbered messages in order to a PULL here", async () => {
    const addr = address();
    const pull = open.track(new zmq.Pull({ receiveHighWaterMark: 50 }));
    await pull.bind(addr);
    const w = peer(lib);
    await w.call("open", { name: "push", type: "push", options: { sendHighWaterMark: 50 } });
    await w.call("connect", { name: "push", address: addr });
    const count = 20_000;
    const sent = w.call("sendNumbered", { name: "push", count, size: 16 });
    for (let i = 0; i < count; i++) {
      const [frame] = await pull.receive();
      expect(frame!.readUInt32BE(0)).toBe(i);
    }
    await sent;
    await w.call("close", { name: "push" });
  });

  it("binding a name a worker holds fails with EADDRINUSE, and the name is free again once the worker unbinds it by closing", async () => {
    const addr = address();
    const w = peer(lib);
    await w.call("open", { name: "pull", type: "pull" });
    await w.call("bind", { name: "pull", address: addr });
    const push = open.track(new zmq.Push({ linger: 0 }));
    const err = await push.bind(addr).then(
      () => null,
      (e: { code?: unknown; message: string }) => ({ code: e.code, message: e.message }),
    );
    expect(err).toEqual({ code: "EADDRINUSE", message: "Address already in use" });
    await w.call("close", { name: "pull" });
    // The unbind reaches this thread some time after close() resolves there.
    let bound = false;
    for (let i = 0; i < 200 && !bound; i++) {
      bound = await push.bind(addr).then(
        () => true,
        async () => (await new Promise((r) => setTimeout(r, 10)), false),
      );
    }
    expect(bound).toBe(true);
  });

  it("a name a worker bound is free once the worker has exited with its socket open", async () => {
    const addr = address();
    const w = peer(lib);
    await w.call("open", { name: "pull", type: "pull" });
    await w.call("bind", { name: "pull", address: addr });
    expect(await w.exit("return")).toBe(0);
    const push = open.track(new zmq.Push({ linger: 0 }));
    let bound = false;
    for (let i = 0; i < 200 && !bound; i++) {
      bound = await push.bind(addr).then(
        () => true,
        async () => (await new Promise((r) => setTimeout(r, 10)), false),
      );
    }
    expect(bound).toBe(true);
  });

  it("a worker's exit ends its pipe: what it sent arrives, then its PAIR peer here has no one to send to", { timeout: 20_000 }, async () => {
    for (const how of ["return", "process.exit"] as const) {
      const addr = address();
      const pair = open.track(new zmq.Pair({ sendTimeout: 0, linger: 0 }));
      await pair.bind(addr);
      const w = peer(lib);
      await w.call("open", { name: "pair", type: "pair" });
      await w.call("connect", { name: "pair", address: addr });
      for (let i = 0; i < 3; i++) await w.call("send", { name: "pair", message: `m${i}` });
      expect(await w.exit(how)).toBe(0);
      for (let i = 0; i < 3; i++) expect(text(await pair.receive())).toEqual([`m${i}`]);
      // No event tells a socket that an inproc peer left; once the pipe is gone a PAIR cannot
      // send (EAGAIN with sendTimeout 0) where it could before.
      let code: unknown;
      for (let i = 0; i < 500 && code === undefined; i++) {
        try {
          await pair.send("anyone?");
          await new Promise((r) => setTimeout(r, 10));
        } catch (err) {
          code = (err as { code?: unknown }).code;
        }
      }
      expect(code).toBe("EAGAIN");
    }
  });

  it("a worker stopped by worker.terminate() ends its pipes: a PUSH here then sends only to the worker still running", { timeout: 20_000 }, async () => {
    const addr = address();
    const push = open.track(new zmq.Push({ sendTimeout: 0, linger: 0 }));
    await push.bind(addr);
    const [doomed, survivor] = [peer(lib), peer(lib)];
    // A message that went to the other worker shows as EAGAIN.
    for (const w of [doomed, survivor]) {
      await w.call("open", { name: "pull", type: "pull", options: { receiveTimeout: 200 } });
      await w.call("connect", { name: "pull", address: addr });
    }
    // Until both are linked (a connect across threads takes a few turns), probe.
    const reached = new Set<ThreadPeer>();
    // Before the first worker's pipe is attached, a send with no wait fails with EAGAIN; the
    // receives below, which then time out, are the wait before the next probe.
    for (let n = 0; n < 100 && reached.size < 2; n++) {
      await push.send(`probe${n}`).catch((err: { code?: string }) => expect(err.code).toBe("EAGAIN"));
      const got = await Promise.allSettled([doomed, survivor].map((w) => w.call<string[]>("receive", { name: "pull" })));
      got.forEach((r, i) => r.status === "fulfilled" && reached.add(i === 0 ? doomed : survivor));
    }
    expect(reached.size).toBe(2);
    const t0 = Date.now();
    await doomed.terminate();
    // Until this thread sees the dead worker's pipe end, the balancer gives it every other
    // message; once it has, four in a row reach the survivor.
    let inARow = 0;
    let noticedMs = -1;
    for (let n = 0; n < 60 && noticedMs < 0; n++) {
      await push.send(`m${n}`);
      const got = await survivor.call<string[]>("receive", { name: "pull" }).catch((err: { code?: string }) => err.code);
      if (Array.isArray(got)) {
        expect(got).toEqual([`m${n}`]);
        if (++inARow === 4) noticedMs = Date.now() - t0;
      } else {
        expect(got).toBe("EAGAIN");
        inARow = 0;
      }
    }
    expect(noticedMs).toBeGreaterThanOrEqual(0);
    expect(noticedMs).toBeLessThan(5000);
  });
});

describe("large messages in shared memory cross threads by reference", () => {
  it("a frame in a SharedArrayBuffer arrives as a view of the same memory: intact, not copied, and the sender's later writes show", async () => {
    const { w, push } = await pushToWorkerPull("wiremq", wiremq as unknown as Zmq);
    const shared = Buffer.from(new SharedArrayBuffer(128 * 1024), 4096, 64 * 1024).fill(0x21);
    const got = w.call<{ shared: boolean; first: number; length: number }[]>("receiveKept", { name: "pull" });
    await push.send(shared);
    expect(await got).toEqual([{ shared: true, first: 0x21, length: 64 * 1024 }]);
    // As zeromq shares a sent buffer with its receiver: the memory is one, so a write shows.
    shared[0] = 0x42;
    expect(await w.call<number[]>("readKept", {})).toEqual([0x42]);
    // Frame by frame: beside a small frame (copied, as zeromq copies up to 128 bytes) the shared
    // one is still the same memory.
    const mixed = w.call<{ shared: boolean; first: number; length: number }[]>("receiveKept", { name: "pull" });
    await push.send([shared, Buffer.from("x")]);
    expect(await mixed).toEqual([
      { shared: true, first: 0x42, length: 64 * 1024 },
      { shared: false, first: 0x78, length: 1 },
    ]);
    shared[0] = 0x43;
    expect(await w.call<number[]>("readKept", {})).toEqual([0x43, 0x78]);
    await w.call("close", { name: "pull" });
  });

  it("shared and packed messages keep their order through small HWMs", async () => {
    const { w, push } = await pushToWorkerPull("wiremq", wiremq as unknown as Zmq, 5);
    const count = 300;
    const inOrder = w.call("receiveNumbered", { name: "pull", count });
    for (let i = 0; i < count; i++) {
      const buf = i % 3 === 0 ? Buffer.alloc(100) : Buffer.from(new SharedArrayBuffer(32 * 1024));
      buf.writeUInt32BE(i, 0);
      await push.send(buf);
    }
    expect(await inOrder).toBe(count);
    await w.call("close", { name: "pull" });
  });
});

describe("inproc HWM across threads is the sum of both ends, as zeromq", () => {
  /** Sends with sendTimeout 0 to a worker PULL that does not read: how many are taken before EAGAIN. */
  async function queuedBeforeFull(lib: LibName, zmq: Zmq): Promise<{ taken: number; code: unknown; delivered: number; afterRead: boolean }> {
    const addr = address();
    const w = peer(lib);
    await w.call("open", { name: "pull", type: "pull", options: { receiveHighWaterMark: 10 } });
    await w.call("bind", { name: "pull", address: addr });
    const push = open.track(new zmq.Push({ sendHighWaterMark: 10, sendTimeout: 0, linger: 0 }));
    push.connect(addr);
    // Make sure the link is up before counting.
    const first = w.call("receive", { name: "pull" });
    await push.send("warm-up");
    await first;
    let taken = 0;
    let code: unknown;
    for (;;) {
      try {
        await push.send(String(taken));
        taken++;
      } catch (err) {
        code = (err as { code?: unknown }).code;
        break;
      }
      if (taken > 1000) break;
    }
    let delivered = 0;
    for (let i = 0; i < taken; i++) {
      const [n] = await w.call<string[]>("receive", { name: "pull" });
      if (n === String(i)) delivered++;
    }
    // Room again once the worker has read.
    let afterRead = false;
    for (let i = 0; i < 500 && !afterRead; i++) {
      try {
        await push.send("more");
        afterRead = true;
      } catch {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    await w.call("close", { name: "pull" });
    return { taken, code, delivered, afterRead };
  }

  it("a sender blocks at its send HWM plus the receiver's receive HWM (10 + 10), and goes on once the receiver reads", async () => {
    const zeromqResult = await queuedBeforeFull("zeromq", zeromq);
    const wiremqResult = await queuedBeforeFull("wiremq", wiremq as unknown as Zmq);
    expect(zeromqResult.code).toBe("EAGAIN");
    expect(wiremqResult).toEqual(zeromqResult);
  });
});
