import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Dealer, Router, type EventType, type Socket } from "../../lib/index.js";
import { tracker } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const str = (msg: Buffer[]): string[] => msg.map((f) => f.toString());

/** Resolves on the n-th event of a type. */
function nthEvent(socket: Socket, type: EventType, n = 1): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const on = (): void => {
      if (++seen === n) {
        socket.events.off(type, on);
        resolve();
      }
    };
    socket.events.on(type, on);
  });
}

describe("ROUTER routing ids", () => {
  it("generates 5-byte ids starting with 00 and counting up, distinct per peer", async () => {
    const router = track(new Router());
    await router.bind("tcp://127.0.0.1:*");
    const ids: Buffer[] = [];
    for (let i = 0; i < 3; i++) {
      const d = track(new Dealer());
      d.connect(router.lastEndpoint!);
      await d.send(`hello ${i}`);
      const [id, body] = await router.receive();
      expect(body!.toString()).toBe(`hello ${i}`);
      ids.push(id!);
    }
    for (const id of ids) {
      expect(id.length).toBe(5);
      expect(id[0]).toBe(0);
    }
    expect((ids[1]!.readUInt32BE(1) - ids[0]!.readUInt32BE(1)) >>> 0).toBe(1);
    expect((ids[2]!.readUInt32BE(1) - ids[1]!.readUInt32BE(1)) >>> 0).toBe(1);
    // Each id routes back to its own peer.
    await router.send([ids[1]!, "to one"]);
    await router.send([ids[0]!, "to zero"]);
  });

  it("uses the peer's announced routing id and routes replies by it", async () => {
    const router = track(new Router());
    await router.bind("tcp://127.0.0.1:*");
    const a = track(new Dealer({ routingId: "alpha" }));
    const b = track(new Dealer({ routingId: "beta" }));
    a.connect(router.lastEndpoint!);
    b.connect(router.lastEndpoint!);
    await a.send("from a");
    await b.send("from b");
    const got = [str(await router.receive()), str(await router.receive())].sort();
    expect(got).toEqual([
      ["alpha", "from a"],
      ["beta", "from b"],
    ]);
    await router.send(["beta", "for b"]);
    await router.send(["alpha", "for a"]);
    expect(str(await a.receive())).toEqual(["for a"]);
    expect(str(await b.receive())).toEqual(["for b"]);
  });

  it("a ROUTER connecting over inproc learns the binder's routing id", async () => {
    const binder = track(new Router({ routingId: "binder" }));
    await binder.bind("inproc://rr-learn");
    const connector = track(new Router({ routingId: "connector", mandatory: true }));
    connector.connect("inproc://rr-learn");
    await connector.send(["binder", "hi"]);
    expect(str(await binder.receive())).toEqual(["connector", "hi"]);
  });

  it("a routing id given as bytes reaches a libzmq ROUTER byte for byte, as zeromq's does", async () => {
    const router = track(new zmq.Router());
    await router.bind("tcp://127.0.0.1:*");
    // Two ids: a ROUTER ignores a second peer that announces an id already in use.
    const ours = Buffer.from([0xff, 0x00, 0x01, 0x80]);
    const theirs = Buffer.from([0xfe, 0x00, 0x01, 0x80]);
    for (const [dealer, id] of [
      [track(new Dealer({ routingId: ours })), ours],
      [track(new zmq.Dealer({ routingId: theirs as never })), theirs],
    ] as const) {
      dealer.connect(router.lastEndpoint!);
      await dealer.send("hi");
      const [from] = await router.receive();
      expect([...from!]).toEqual([...id]);
    }
    expect(() => new Dealer({ routingId: Buffer.alloc(256) })).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("Router.connect(address, { routingId }) names the peer", async () => {
    const binder = track(new Router({ routingId: "announced" }));
    await binder.bind("tcp://127.0.0.1:*");
    const connector = track(new Router({ routingId: "me" }));
    const ready = nthEvent(connector as Socket, "handshake");
    connector.connect(binder.lastEndpoint!, { routingId: "chosen" });
    await ready;
    connector.mandatory = true;
    await expect(connector.send(["announced", "x"])).rejects.toMatchObject({ code: "EHOSTUNREACH" });
    await connector.send(["chosen", "hi"]);
    expect(str(await binder.receive())).toEqual(["me", "hi"]);
  });

  it("a DEALER's routing id set between connects reaches the next ROUTER (the handshake's READY is reused per socket only while its id stays)", async () => {
    const first = track(new Router());
    await first.bind("tcp://127.0.0.1:*");
    const second = track(new Router());
    await second.bind("tcp://127.0.0.1:*");
    const dealer = track(new Dealer({ routingId: "a" }));
    dealer.connect(first.lastEndpoint!);
    await dealer.send("one");
    expect(str(await first.receive())).toEqual(["a", "one"]);
    dealer.disconnect(first.lastEndpoint!);
    dealer.routingId = "b";
    dealer.connect(second.lastEndpoint!);
    await dealer.send("two");
    expect(str(await second.receive())).toEqual(["b", "two"]);
  });
});

describe("ROUTER unroutable messages", () => {
  it("without mandatory, an unknown id is dropped silently", async () => {
    const router = track(new Router());
    expect(router.mandatory).toBe(false);
    await router.bind("tcp://127.0.0.1:*");
    await router.send(["nobody", "lost"]);
    await router.send(["only an id"]);
    const d = track(new Dealer({ routingId: "d" }));
    d.connect(router.lastEndpoint!);
    await d.send("hi");
    await router.receive();
    await router.send(["nobody", "lost"]);
    await router.send(["d", "found"]);
    expect(str(await d.receive())).toEqual(["found"]);
  });

  it("with mandatory, an unknown id rejects with EHOSTUNREACH", async () => {
    const router = track(new Router({ mandatory: true }));
    expect(router.mandatory).toBe(true);
    await router.bind("tcp://127.0.0.1:*");
    const d = track(new Dealer({ routingId: "d" }));
    d.connect(router.lastEndpoint!);
    await d.send("hi");
    expect(str(await router.receive())).toEqual(["d", "hi"]);
    await expect(router.send(["nobody", "x"])).rejects.toMatchObject({ code: "EHOSTUNREACH", message: "Host unreachable" });
    // The socket goes on.
    await router.send(["d", "still fine"]);
    expect(str(await d.receive())).toEqual(["still fine"]);
  });

  it("mandatory and the peer full: send waits for room, or EAGAIN with sendTimeout 0", async () => {
    const router = track(new Router({ mandatory: true, sendHighWaterMark: 1 }));
    await router.bind("inproc://rr-full");
    const d = track(new Dealer({ routingId: "d", receiveHighWaterMark: 1 }));
    d.connect("inproc://rr-full");
    // inproc holds sendHWM + the peer's receiveHWM: 2 messages, as libzmq.
    await router.send(["d", "m0"]);
    await router.send(["d", "m1"]);
    expect(router.writable).toBe(false);
    router.sendTimeout = 0;
    await expect(router.send(["d", "m2"])).rejects.toMatchObject({ code: "EAGAIN" });
    router.sendTimeout = -1;
    let sent = false;
    const waiting = router.send(["d", "m2"]).then(() => (sent = true));
    await new Promise((r) => setImmediate(r));
    expect(sent).toBe(false);
    expect(str(await d.receive())).toEqual(["m0"]);
    await waiting;
    expect(str(await d.receive())).toEqual(["m1"]);
    expect(str(await d.receive())).toEqual(["m2"]);
  });

  it("without mandatory a full peer loses the message and send resolves", async () => {
    const router = track(new Router({ sendHighWaterMark: 1 }));
    await router.bind("inproc://rr-drop");
    const d = track(new Dealer({ routingId: "d", receiveHighWaterMark: 1, receiveTimeout: 100 }));
    d.connect("inproc://rr-drop");
    for (let i = 0; i < 5; i++) await router.send(["d", `m${i}`]);
    expect(str(await d.receive())).toEqual(["m0"]);
    expect(str(await d.receive())).toEqual(["m1"]);
    await expect(d.receive()).rejects.toMatchObject({ code: "EAGAIN" });
  });

  it("mandatory: a send waiting on a peer that goes away fails with EHOSTUNREACH", async () => {
    const router = track(new Router({ mandatory: true, sendHighWaterMark: 1 }));
    await router.bind("inproc://rr-gone");
    const full = track(new Dealer({ routingId: "full", receiveHighWaterMark: 1 }));
    full.connect("inproc://rr-gone");
    await router.send(["full", "m0"]);
    await router.send(["full", "m1"]);
    const waiting = router.send(["full", "m2"]);
    const other = track(new Dealer({ routingId: "other" }));
    other.connect("inproc://rr-gone");
    // Another peer has room now, so the socket is writable: the send routes again, and
    // "full" is still full: keep waiting until it goes.
    await full.close();
    await expect(waiting).rejects.toMatchObject({ code: "EHOSTUNREACH" });
  });
});

/**
 * Binds `router` (with handover), connects a DEALER as "dup" and then a second one with the
 * same id; resolves once the router has handed the id over and the first has been disconnected.
 */
async function takeOver(router: Router): Promise<{ first: Dealer; second: Dealer }> {
  await router.bind("tcp://127.0.0.1:*");
  const first = track(new Dealer({ routingId: "dup", reconnectInterval: 60_000 }));
  const disconnected = nthEvent(first, "disconnect");
  first.connect(router.lastEndpoint!);
  await first.send("from first");
  expect(str(await router.receive())).toEqual(["dup", "from first"]);
  const second = track(new Dealer({ routingId: "dup" }));
  const routerSawSecond = nthEvent(router, "handshake");
  second.connect(router.lastEndpoint!);
  await routerSawSecond;
  await disconnected;
  return { first, second };
}

describe("ROUTER duplicate routing ids", () => {
  async function twoDealersSameId(handover: boolean) {
    const router = track(new Router({ handover }));
    expect(router.handover).toBe(handover);
    await router.bind("tcp://127.0.0.1:*");
    const first = track(new Dealer({ routingId: "dup", reconnectInterval: 60_000 }));
    first.connect(router.lastEndpoint!);
    await first.send("from first");
    expect(str(await router.receive())).toEqual(["dup", "from first"]);
    const second = track(new Dealer({ routingId: "dup", receiveTimeout: 150 }));
    const routerSawSecond = nthEvent(router, "handshake", 1);
    second.connect(router.lastEndpoint!);
    await routerSawSecond;
    return { router, first, second };
  }

  it("without handover, a second peer with the same id is ignored", async () => {
    const { router, first, second } = await twoDealersSameId(false);
    await router.send(["dup", "to dup"]);
    expect(str(await first.receive())).toEqual(["to dup"]);
    await second.send("ignored");
    await first.send("heard");
    expect(str(await router.receive())).toEqual(["dup", "heard"]);
    await expect(second.receive()).rejects.toMatchObject({ code: "EAGAIN" });
  });

  it("with handover, the new peer takes the id and the old one is disconnected", async () => {
    const router = track(new Router({ handover: true }));
    const { second } = await takeOver(router);
    await router.send(["dup", "to the new dup"]);
    expect(str(await second.receive())).toEqual(["to the new dup"]);
    await second.send("from second");
    expect(str(await router.receive())).toEqual(["dup", "from second"]);
  });

  it("matches libzmq's ROUTER for the same sequence (handover)", async () => {
    // libzmq leaves the old connection open but routes nothing to or from it; wiremq closes
    // it, as the zeromq documentation of `handover` describes.
    const router = track(new zmq.Router({ handover: true }));
    await router.bind("tcp://127.0.0.1:*");
    const first = track(new Dealer({ routingId: "dup", reconnectInterval: 60_000 }));
    first.connect(router.lastEndpoint!);
    await first.send("from first");
    expect(str(await router.receive())).toEqual(["dup", "from first"]);
    const second = track(new Dealer({ routingId: "dup" }));
    second.connect(router.lastEndpoint!);
    await second.send("from second");
    expect(str(await router.receive())).toEqual(["dup", "from second"]);
    await router.send(["dup", "to the new dup"]);
    expect(str(await second.receive())).toEqual(["to the new dup"]);
  });
});

describe("ROUTER disconnectMessage", () => {
  it("announces a peer that leaves as [id, message], after the last message it sent", async () => {
    const router = track(new Router({ disconnectMessage: "gone" }));
    expect(router.disconnectMessage?.toString()).toBe("gone");
    await router.bind("tcp://127.0.0.1:*");
    const dealer = new Dealer({ routingId: "leaver", linger: -1 });
    dealer.connect(router.lastEndpoint!);
    await dealer.send("first");
    await dealer.send("last");
    await dealer.close();
    expect(str(await router.receive())).toEqual(["leaver", "first"]);
    expect(str(await router.receive())).toEqual(["leaver", "last"]);
    expect(str(await router.receive())).toEqual(["leaver", "gone"]);
  });

  it("announces a libzmq DEALER that leaves, and an inproc peer", async () => {
    const router = track(new Router({ disconnectMessage: Buffer.from([0xff]) }));
    await router.bind("tcp://127.0.0.1:*");
    const tcp = router.lastEndpoint!;
    await router.bind("inproc://disconnect-message");
    const remote = new zmq.Dealer({ routingId: "libzmq", linger: 1000 });
    remote.connect(tcp);
    await remote.send("hi");
    expect(str(await router.receive())).toEqual(["libzmq", "hi"]);
    remote.close();
    const [id, body] = await router.receive();
    expect(id!.toString()).toBe("libzmq");
    expect([...body!]).toEqual([0xff]);
    const local = new Dealer({ routingId: "inproc", linger: -1 });
    local.connect("inproc://disconnect-message");
    await local.send("hi");
    expect(str(await router.receive())).toEqual(["inproc", "hi"]);
    await local.close();
    const [id2, body2] = await router.receive();
    expect(id2!.toString()).toBe("inproc");
    expect([...body2!]).toEqual([0xff]);
  });

  it("says nothing for a peer whose id a newcomer took over (handover), or when unset", async () => {
    const router = track(new Router({ handover: true, disconnectMessage: "gone" }));
    const { second } = await takeOver(router);
    // The next thing the router hears is the newcomer, not a "dup" departure.
    await second.send("from second");
    expect(str(await router.receive())).toEqual(["dup", "from second"]);

    router.disconnectMessage = null;
    expect(router.disconnectMessage).toBeNull();
    const quiet = new Dealer({ routingId: "quiet", linger: -1 });
    quiet.connect(router.lastEndpoint!);
    await quiet.send("bye");
    const routerSawQuietLeave = nthEvent(router, "disconnect");
    await quiet.close();
    await routerSawQuietLeave;
    router.disconnectMessage = "gone";
    const loud = new Dealer({ routingId: "loud", linger: -1 });
    loud.connect(router.lastEndpoint!);
    await loud.send("bye");
    await loud.close();
    expect(str(await router.receive())).toEqual(["quiet", "bye"]);
    expect(str(await router.receive())).toEqual(["loud", "bye"]);
    expect(str(await router.receive())).toEqual(["loud", "gone"]);
  });

  it("refuses a value that is not a Buffer, string or null", () => {
    const router = track(new Router());
    expect(() => {
      router.disconnectMessage = 5 as unknown as string;
    }).toThrow(TypeError);
  });
});

describe("DEALER", () => {
  it("sends round-robin to three peers", async () => {
    const dealer = track(new Dealer());
    await dealer.bind("tcp://127.0.0.1:*");
    const joined = nthEvent(dealer, "handshake", 3);
    const peers = [0, 1, 2].map(() => {
      const p = track(new Dealer());
      p.connect(dealer.lastEndpoint!);
      return p;
    });
    await joined;
    for (let i = 0; i < 9; i++) await dealer.send(`m${i}`);
    const perPeer: number[][] = [];
    for (const p of peers) {
      const nums: number[] = [];
      for (let i = 0; i < 3; i++) nums.push(Number((await p.receive())[0]!.toString().slice(1)));
      perPeer.push(nums);
    }
    for (const nums of perPeer) {
      // Each peer got every third message, in order.
      expect(nums[1]! - nums[0]!).toBe(3);
      expect(nums[2]! - nums[1]!).toBe(3);
    }
    expect(perPeer.map((n) => n[0]).sort()).toEqual([0, 1, 2]);
  });

  it("fair-queues what three peers send", async () => {
    const dealer = track(new Dealer());
    await dealer.bind("inproc://dealer-fq");
    const peers = [0, 1, 2].map(() => {
      const p = track(new Dealer());
      p.connect("inproc://dealer-fq");
      return p;
    });
    for (const [i, p] of peers.entries()) for (let n = 0; n < 4; n++) await p.send([`p${i}`, `${n}`]);
    const got: string[] = [];
    for (let i = 0; i < 12; i++) got.push(str(await dealer.receive()).join(":"));
    expect(got.slice(0, 3).map((s) => s.split(":")[0]).sort()).toEqual(["p0", "p1", "p2"]);
    for (let i = 0; i < 3; i++) expect(got.filter((s) => s.startsWith(`p${i}:`))).toEqual([0, 1, 2, 3].map((n) => `p${i}:${n}`));
  });

  it("waits while its peer is full and sends when there is room", async () => {
    const dealer = track(new Dealer({ sendHighWaterMark: 1 }));
    await dealer.bind("inproc://dealer-full");
    const peer = track(new Dealer({ receiveHighWaterMark: 1 }));
    peer.connect("inproc://dealer-full");
    await dealer.send("a");
    await dealer.send("b");
    const third = dealer.send("c");
    expect(str(await peer.receive())).toEqual(["a"]);
    await third;
    expect(str(await peer.receive())).toEqual(["b"]);
    expect(str(await peer.receive())).toEqual(["c"]);
  });

  it("probeRouter sends an empty message to a new ROUTER peer", async () => {
    const router = track(new Router());
    await router.bind("tcp://127.0.0.1:*");
    const dealer = track(new Dealer({ probeRouter: true, routingId: "probe" }));
    expect(dealer.probeRouter).toBe(true);
    dealer.connect(router.lastEndpoint!);
    expect(str(await router.receive())).toEqual(["probe", ""]);
  });
});
