import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Publisher, Subscriber, XPublisher, XSubscriber } from "../../lib/index.js";
import { transports } from "../helpers/endpoints.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

/** Publishes `probe` until the subscriber sees it: subscriptions travel asynchronously. */
async function settle(pub: { send(m: string[]): Promise<void> }, sub: { receive(): Promise<Buffer[]> }, topic = "probe"): Promise<void> {
  let got = false;
  const rx = sub.receive().then(() => (got = true));
  // Bounded by time, not by a count of turns: on a loaded machine libzmq's I/O thread may
  // take a while to apply a subscription.
  const deadline = Date.now() + 20_000;
  while (!got) {
    if (Date.now() > deadline) throw new Error(`subscription to ${topic} never took effect`);
    await pub.send([topic, "x"]);
    await new Promise((r) => setTimeout(r, 1));
  }
  await rx;
}

describe.each(transports)("PUB/SUB over %s", (_n, endpoint) => {
  it("delivers to exactly the subscribers whose prefix matches", async () => {
    const pub = track(new Publisher());
    await pub.bind(endpoint());
    const subA = track(new Subscriber());
    const subB = track(new Subscriber());
    subA.subscribe("probe", "weather.");
    subB.subscribe("probe", "sport.");
    subA.connect(pub.lastEndpoint!);
    subB.connect(pub.lastEndpoint!);
    await settle(pub, subA);
    await settle(pub, subB);
    // Drain probes still queued.
    subA.unsubscribe("probe");
    subB.unsubscribe("probe");
    await pub.send(["weather.paris", "sunny"]);
    await pub.send(["sport.rugby", "win"]);
    await pub.send(["news", "none"]);
    await pub.send(["weather.oslo", "snow"]);
    const a1 = await nextNonProbe(subA);
    const a2 = await nextNonProbe(subA);
    const b1 = await nextNonProbe(subB);
    expect([a1, a2]).toEqual(["weather.paris", "weather.oslo"]);
    expect(b1).toBe("sport.rugby");
  });
});

async function nextNonProbe(sub: Subscriber): Promise<string> {
  for (;;) {
    const [t] = await sub.receive();
    if (String(t) !== "probe") return String(t);
  }
}

describe("subscriptions", () => {
  it("unsubscribe stops delivery; subscribe() with no argument takes everything", async () => {
    const pub = track(new Publisher());
    await pub.bind("tcp://127.0.0.1:*");
    const sub = track(new Subscriber());
    sub.subscribe("a");
    sub.connect(pub.lastEndpoint!);
    await settle(pub, sub, "a");
    sub.subscribe();
    sub.unsubscribe("a");
    await settle(pub, sub, "zzz");
    sub.unsubscribe();
    sub.subscribe("only");
    await settle(pub, sub, "only");
    await pub.send(["a", "dropped"]);
    await pub.send(["only", "kept"]);
    for (;;) {
      const msg = await sub.receive();
      expect(String(msg[0])).not.toBe("a");
      if (String(msg[1]) === "kept") break;
    }
  });

  it("XPUB sees subscriptions once (and every one with verbose)", async () => {
    const xpub = track(new XPublisher());
    await xpub.bind("tcp://127.0.0.1:*");
    const s1 = track(new Subscriber());
    const s2 = track(new Subscriber());
    s1.subscribe("t");
    s2.subscribe("t");
    s1.connect(xpub.lastEndpoint!);
    const first = await xpub.receive();
    expect(first[0]).toEqual(Buffer.from("\x01t"));
    s2.connect(xpub.lastEndpoint!);
    s1.unsubscribe("t");
    s2.unsubscribe("t");
    const cancel = await xpub.receive();
    expect(cancel[0]).toEqual(Buffer.from("\x00t"));
  });

  it("subscriptions reach a publisher through an XSUB/XPUB forwarder", async () => {
    const pub = track(new Publisher());
    await pub.bind("tcp://127.0.0.1:*");
    const xsub = track(new XSubscriber());
    xsub.connect(pub.lastEndpoint!);
    const xpub = track(new XPublisher());
    await xpub.bind("inproc://fwd-test");
    const sub = track(new Subscriber());
    sub.subscribe("k");
    sub.connect("inproc://fwd-test");
    const forward = async (from: XPublisher | XSubscriber, to: XPublisher | XSubscriber): Promise<void> => {
      try {
        for await (const m of from) await to.send(m);
      } catch {
        // closed at the end of the test
      }
    };
    void forward(xpub, xsub);
    void forward(xsub, xpub);
    await settle(pub, sub, "k1");
  });

  it("a SUB re-sends its subscriptions after the publisher restarts", async () => {
    const pub1 = track(new Publisher());
    await pub1.bind("tcp://127.0.0.1:*");
    const ep = pub1.lastEndpoint!;
    const sub = track(new Subscriber({ reconnectInterval: 20 }));
    sub.subscribe("r");
    sub.connect(ep);
    await settle(pub1, sub, "r");
    const disconnected = new Promise((r) => sub.events.on("disconnect", r));
    await pub1.close();
    await disconnected;
    const pub2 = track(new Publisher());
    await pub2.bind(ep);
    await settle(pub2, sub, "r");
  });
});

describe("XPUB when a subscriber leaves", () => {
  it("cancels exactly the topics no other subscriber holds, each once", async () => {
    const xpub = track(new XPublisher());
    await xpub.bind("tcp://127.0.0.1:*");
    const a = track(new Subscriber());
    const b = track(new Subscriber());
    a.subscribe("only-a", "shared", "nested", "nested/deeper");
    b.subscribe("shared", "nested/deeper/b");
    a.connect(xpub.lastEndpoint!);
    b.connect(xpub.lastEndpoint!);
    const firsts = new Set<string>();
    while (firsts.size < 5) {
      const [m] = await xpub.receive();
      if (m![0] === 1) firsts.add(m!.subarray(1).toString());
    }
    await a.close();
    const cancelled = new Set<string>();
    while (cancelled.size < 3) {
      const [m] = await xpub.receive();
      expect(m![0]).toBe(0);
      cancelled.add(m!.subarray(1).toString());
    }
    expect([...cancelled].sort()).toEqual(["nested", "nested/deeper", "only-a"]);
    // b still gets what it holds, and nothing of a's is left to match.
    await settle(xpub, b, "shared");
    await b.close();
    const last = new Set<string>();
    while (last.size < 2) last.add((await xpub.receive())[0]!.toString("latin1"));
    expect([...last].sort()).toEqual(["\0nested/deeper/b", "\0shared"]);
  });
});

describe("XPUB when a subscriber with many topics leaves", () => {
  it("cancels its 100 own topics and keeps the one another subscriber holds", async () => {
    // Past 64 topics a pipe's list is dropped and the leaving subscriber is walked out of the trie.
    const xpub = track(new XPublisher());
    await xpub.bind("tcp://127.0.0.1:*");
    const many = track(new Subscriber());
    const other = track(new Subscriber());
    const own = Array.from({ length: 100 }, (_, i) => `own/${i}`);
    many.subscribe(...own, "shared");
    other.subscribe("shared");
    many.connect(xpub.lastEndpoint!);
    other.connect(xpub.lastEndpoint!);
    const firsts = new Set<string>();
    while (firsts.size < 101) firsts.add((await xpub.receive())[0]!.subarray(1).toString());
    await many.close();
    const cancelled: string[] = [];
    while (cancelled.length < 100) {
      const [m] = await xpub.receive();
      expect(m![0]).toBe(0);
      cancelled.push(m!.subarray(1).toString());
    }
    expect(cancelled.sort()).toEqual([...own].sort());
    await settle(xpub, other, "shared");
  });
});

describe("PUB/SUB interop with libzmq", () => {
  it("wiremq PUB → zeromq SUB, both directions of bind", async () => {
    const pub = track(new Publisher());
    await pub.bind("tcp://127.0.0.1:*");
    const sub = track(new zmq.Subscriber());
    sub.subscribe("w");
    sub.connect(pub.lastEndpoint!);
    await settle(pub, sub, "w");
    const zpub = track(new zmq.Publisher());
    await zpub.bind("tcp://127.0.0.1:*");
    const wsub = track(new Subscriber());
    wsub.subscribe("z");
    wsub.connect(zpub.lastEndpoint!);
    await settle(zpub, wsub, "z");
  });

  it("zeromq XPUB receives wiremq SUB subscriptions; wiremq XSUB subscribes to zeromq PUB", async () => {
    const zx = track(new zmq.XPublisher());
    await zx.bind("tcp://127.0.0.1:*");
    const sub = track(new Subscriber());
    sub.subscribe("hello");
    sub.connect(zx.lastEndpoint!);
    const [frame] = await zx.receive();
    expect(frame).toEqual(Buffer.from("\x01hello"));
    const zpub = track(new zmq.Publisher());
    await zpub.bind("tcp://127.0.0.1:*");
    const xsub = track(new XSubscriber());
    xsub.connect(zpub.lastEndpoint!);
    await xsub.send(Buffer.from("\x01q"));
    await settle(zpub, xsub, "q");
  });
});
