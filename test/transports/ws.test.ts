/**
 * ws:// (ZWS 2.0) between wiremq sockets: endpoints, every socket type, the mechanisms, monitor
 * events, reconnect, heartbeats, maxMessageSize, backpressure and linger.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import * as wq from "../../lib/index.js";
import * as draft from "../../lib/draft.js";
import { createAuthenticator, setZapHandler } from "../../lib/security.js";
import { encodeReady } from "../../lib/wire/command.js";
import { encodeZwsCommand } from "../../lib/wire/zws.js";
import { recordEvents, tracker, waitEvent, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(async () => {
  setZapHandler(null);
  await closeAll();
});

const WS = "ws://127.0.0.1:*";

async function bound<T extends wq.Socket>(s: T, address = WS): Promise<T> {
  track(s);
  await s.bind(address);
  return s;
}

describe("ws endpoints", () => {
  it("binds an ephemeral port and reports the real one with the path in lastEndpoint", async () => {
    const a = await bound(new wq.Pull(), "ws://127.0.0.1:0");
    expect(a.lastEndpoint).toMatch(/^ws:\/\/127\.0\.0\.1:[1-9]\d*\/$/);
    const b = await bound(new wq.Pull(), "ws://127.0.0.1:*/zmq/feed");
    expect(b.lastEndpoint).toMatch(/^ws:\/\/127\.0\.0\.1:[1-9]\d*\/zmq\/feed$/);
    const c = await bound(new wq.Pull(), "ws://*:*");
    expect(c.lastEndpoint).toMatch(/^ws:\/\/0\.0\.0\.0:[1-9]\d*\/$/);
  });

  it("refuses a wildcard port or host on connect, and a port in use on bind", async () => {
    const s = track(new wq.Push());
    expect(() => s.connect("ws://127.0.0.1:*")).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => s.connect("ws://*:5555")).toThrow(expect.objectContaining({ code: "EINVAL" }));
    const a = await bound(new wq.Pull());
    await expect(track(new wq.Pull()).bind(a.lastEndpoint!)).rejects.toMatchObject({ code: "EADDRINUSE" });
  });

  it("unbinds by lastEndpoint and frees the port", async () => {
    const a = await bound(new wq.Pull());
    const ep = a.lastEndpoint!;
    await a.unbind(ep);
    await bound(new wq.Pull(), ep);
  });

  it("refuses ws:// for STREAM, which speaks no ZMTP", async () => {
    const s = track(new wq.Stream());
    await expect(s.bind(WS)).rejects.toMatchObject({ code: "ENOCOMPATPROTO" });
  });
});

/** Binds `a`, connects `b` to it, waits for b's handshake. */
async function pair<A extends wq.Socket, B extends wq.Socket>(a: A, b: B): Promise<[A, B]> {
  await bound(a);
  track(b);
  const handshake = waitEvent(b, "handshake");
  b.connect(a.lastEndpoint!);
  await handshake;
  return [a, b];
}

const text = (m: Buffer[]): string[] => m.map(String);

describe("every socket type over ws", () => {
  it("PUSH → PULL, multi-part, in order", async () => {
    const [pull, push] = await pair(new wq.Pull(), new wq.Push());
    for (let i = 0; i < 100; i++) await push.send([`m${i}`, "x"]);
    for (let i = 0; i < 100; i++) expect(text(await pull.receive())).toEqual([`m${i}`, "x"]);
  });

  it("PUSH to two PULLs alternates", async () => {
    const push = await bound(new wq.Push());
    const pulls = [track(new wq.Pull()), track(new wq.Pull())];
    // Both peers on the PUSH's side, not only on theirs, before anything is sent.
    const both = waitEvent(push, "handshake", 2);
    for (const p of pulls) p.connect(push.lastEndpoint!);
    await both;
    for (let i = 0; i < 10; i++) await push.send(String(i));
    const got: string[][] = [[], []];
    for (const [k, p] of pulls.entries()) for (let i = 0; i < 5; i++) got[k]!.push(String((await p.receive())[0]));
    expect(got.flat().sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    expect(got[0]!.length).toBe(5);
  });

  it("REQ ↔ REP", async () => {
    const [rep, req] = await pair(new wq.Reply(), new wq.Request());
    for (let i = 0; i < 3; i++) {
      await req.send(`q${i}`);
      const [q] = await rep.receive();
      await rep.send(`a:${q}`);
      expect(text(await req.receive())).toEqual([`a:q${i}`]);
    }
  });

  it("DEALER ↔ ROUTER routes by the dealer's routing id", async () => {
    const [router, dealer] = await pair(new wq.Router(), new wq.Dealer({ routingId: "d1" }));
    await dealer.send(["", "hello"]);
    const [id, , body] = await router.receive();
    expect([String(id), String(body)]).toEqual(["d1", "hello"]);
    await router.send(["d1", "", "back"]);
    expect(text(await dealer.receive())).toEqual(["", "back"]);
  });

  it("PUB → SUB by prefix, and XPUB sees the subscription", async () => {
    const xpub = await bound(new wq.XPublisher());
    const sub = track(new wq.Subscriber());
    sub.subscribe("ab");
    sub.connect(xpub.lastEndpoint!);
    expect(text(await xpub.receive())).toEqual(["\u0001ab"]);
    await xpub.send("zz no");
    await xpub.send("abc yes");
    expect(text(await sub.receive())).toEqual(["abc yes"]);
  });

  it("PAIR ↔ PAIR both ways", async () => {
    const [a, b] = await pair(new wq.Pair(), new wq.Pair());
    await a.send("to b");
    await b.send("to a");
    expect(text(await b.receive())).toEqual(["to b"]);
    expect(text(await a.receive())).toEqual(["to a"]);
  });

  it("CLIENT ↔ SERVER and RADIO → DISH (draft)", async () => {
    const server = track(new draft.Server());
    await server.bind(WS);
    const client = track(new draft.Client());
    client.connect(server.lastEndpoint!);
    await client.send("hi");
    const [msg, { routingId }] = await server.receive();
    await server.send(`re:${msg}`, { routingId });
    expect(String((await client.receive())[0])).toBe("re:hi");

    const dish = track(new draft.Dish());
    await dish.bind(WS);
    dish.join("g1");
    const radio = track(new draft.Radio());
    const h = waitEvent(radio, "handshake");
    radio.connect(dish.lastEndpoint!);
    await h;
    // The JOIN travels after the handshake; send until it has reached the radio.
    let done = false;
    const received = dish.receive();
    const sending = (async () => {
      for (let i = 0; i < 200 && !done; i++) {
        await radio.send("other", { group: "g2" });
        await radio.send("yes", { group: "g1" });
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const [body, { group }] = await within(received, 5000, "dish receive");
    done = true;
    await sending;
    expect([String(body), String(group)]).toEqual(["yes", "g1"]);
  });
});

describe("mechanisms over ws", () => {
  it("PLAIN: a known user gets in, with its user id on the messages", async () => {
    setZapHandler(createAuthenticator({ passwords: { admin: "secret" } }));
    const [pull, push] = await pair(new wq.Pull({ plainServer: true }), new wq.Push({ plainUsername: "admin", plainPassword: "secret" }));
    await push.send("plain");
    expect(text(await pull.receive())).toEqual(["plain"]);
  });

  it("PLAIN: a wrong password is refused with handshake:error:auth", async () => {
    setZapHandler(createAuthenticator({ passwords: { admin: "secret" } }));
    const pull = await bound(new wq.Pull({ plainServer: true }));
    const push = track(new wq.Push({ plainUsername: "admin", plainPassword: "wrong" }));
    const refused = waitEvent(pull, "handshake:error:auth");
    push.connect(pull.lastEndpoint!);
    expect((await refused).error).toMatchObject({ status: 400 });
  });

  it("CURVE both ways, and a wrong server key fails the handshake", async () => {
    const server = wq.curveKeyPair();
    const client = wq.curveKeyPair();
    const [rep, req] = await pair(
      new wq.Reply({ curveServer: true, curveSecretKey: server.secretKey }),
      new wq.Request({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey }),
    );
    await req.send("boxed");
    expect(text(await rep.receive())).toEqual(["boxed"]);
    await rep.send("boxed back");
    expect(text(await req.receive())).toEqual(["boxed back"]);

    const wrong = track(new wq.Request({ curveServerKey: wq.curveKeyPair().publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey }));
    const failed = waitEvent(rep, "handshake:error:protocol");
    wrong.connect(rep.lastEndpoint!);
    expect((await failed).error?.code).toBe("ERR_ZMTP_CRYPTOGRAPHIC");
  });

  it("a NULL peer cannot reach a CURVE socket: no subprotocol in common", async () => {
    const rep = await bound(new wq.Reply({ curveServer: true, curveSecretKey: wq.curveKeyPair().secretKey }));
    const req = track(new wq.Request());
    const failed = waitEvent(rep, "handshake:error:protocol");
    const clientSide = waitEvent(req, "handshake:error:protocol");
    req.connect(rep.lastEndpoint!);
    expect((await failed).error?.code).toBe("ERR_WS_UNSPECIFIED");
    expect((await clientSide).error?.code).toBe("ERR_WS_UNSPECIFIED");
  });
});

describe("the browser-safe subprotocol names over ws", () => {
  /** The subprotocol a `ws` client (which, like a browser, takes only HTTP tokens) gets back. */
  async function answered(endpoint: string, offer: string[]): Promise<string | { status: number }> {
    const client = new WebSocket(endpoint, offer);
    try {
      return await new Promise((resolve, reject) => {
        client.once("open", () => resolve(client.protocol));
        client.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode ?? 0 }));
        client.once("error", reject);
      });
    } finally {
      client.terminate();
    }
  }

  it("a listener answers each spelling with the one offered, for its own mechanism only", async () => {
    const curve = await bound(new wq.Router({ curveServer: true, curveSecretKey: wq.curveKeyPair().secretKey }));
    const plain = await bound(new wq.Router({ plainServer: true }));
    const nul = await bound(new wq.Router());
    expect(await answered(curve.lastEndpoint!, ["ZWS2.0+CURVE"])).toBe("ZWS2.0+CURVE");
    expect(await answered(plain.lastEndpoint!, ["ZWS2.0+PLAIN"])).toBe("ZWS2.0+PLAIN");
    expect(await answered(nul.lastEndpoint!, ["ZWS2.0+NULL", "ZWS2.0"])).toBe("ZWS2.0+NULL");
    const refused = waitEvent(plain, "handshake:error:protocol");
    expect(await answered(plain.lastEndpoint!, ["ZWS2.0+CURVE"])).toEqual({ status: 400 });
    expect((await refused).error?.code).toBe("ERR_WS_UNSPECIFIED");
  });
});

describe("ws connections over time", () => {
  it("reports accept, connect, handshake and disconnect as over tcp", async () => {
    const pull = await bound(new wq.Pull());
    const push = track(new wq.Push());
    const server = recordEvents(pull, ["accept", "handshake", "disconnect"]);
    const client = recordEvents(push, ["connect:delay", "connect", "handshake"]);
    const gone = waitEvent(pull, "disconnect");
    const h = waitEvent(pull, "handshake");
    push.connect(pull.lastEndpoint!);
    await h;
    push.close();
    await gone;
    expect(server.events.map((e) => e.type)).toEqual(["accept", "handshake", "disconnect"]);
    expect(client.events.map((e) => e.type)).toEqual(["connect:delay", "connect", "handshake"]);
  });

  it("reconnects after the server goes away and comes back on the same port", async () => {
    const pull1 = await bound(new wq.Pull());
    const ep = pull1.lastEndpoint!;
    const push = track(new wq.Push({ reconnectInterval: 20 }));
    const first = waitEvent(push, "handshake");
    push.connect(ep);
    await first;
    await push.send("before");
    expect(text(await pull1.receive())).toEqual(["before"]);
    const lost = waitEvent(push, "disconnect");
    pull1.close();
    await lost;
    const again = waitEvent(push, "handshake");
    const pull2 = await bound(new wq.Pull(), ep);
    await again;
    await push.send("after");
    expect(text(await pull2.receive())).toEqual(["after"]);
  });

  it("heartbeats: ws pings keep a quiet peer connected, and a peer that stops answering is dropped", async () => {
    const pull = await bound(new wq.Pull({ heartbeatInterval: 30, heartbeatTimeout: 120 }));
    // A good wiremq peer answers the pings (ws pongs by itself): no disconnect while it is quiet.
    const push = track(new wq.Push());
    const h = waitEvent(pull, "handshake");
    push.connect(pull.lastEndpoint!);
    await h;
    const events = recordEvents(pull, ["disconnect"]);
    await new Promise((r) => setTimeout(r, 400));
    expect(events.events).toEqual([]);

    // A hand-made ZWS peer that does the NULL handshake and then never answers a ping.
    const mute = new WebSocket(pull.lastEndpoint!, { headers: { "Sec-WebSocket-Protocol": "ZWS2.0/NULL" }, autoPong: false });
    track({ close: () => mute.terminate() });
    mute.on("upgrade", (res) => delete res.headers["sec-websocket-protocol"]);
    mute.on("error", () => {});
    await new Promise((r) => mute.once("open", r));
    mute.send(encodeZwsCommand("READY", readyData("PUSH")));
    const dropped = await waitEvent(pull, "disconnect", 1, 5000);
    expect(dropped.error?.code).toBe("ZMTP_HEARTBEAT_EXPIRED");
  });

  it("maxMessageSize: a larger message ends the sender's connection; one at the limit passes", async () => {
    const [pull, push] = await pair(new wq.Pull({ maxMessageSize: 1000 }), new wq.Push());
    await push.send(Buffer.alloc(1000, 1));
    expect((await pull.receive())[0]!.length).toBe(1000);
    const gone = waitEvent(pull, "disconnect");
    await push.send(Buffer.alloc(1001, 1));
    expect((await gone).error?.code).toBe("ZMTP_MESSAGE_TOO_LARGE");
  });

  it("a several-MiB message crosses whole", async () => {
    const [pull, push] = await pair(new wq.Pull(), new wq.Push());
    const big = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    await push.send([big, "tail"]);
    const [got, tail] = await pull.receive();
    expect(got!.equals(big)).toBe(true);
    expect(String(tail)).toBe("tail");
  });

  it("a burst of small and large parts, framed into one write per flush, arrives whole and in order both ways", async () => {
    // The binder's frames are unmasked (parts over 16 KiB go by reference after their header),
    // the dialer's masked; a sync burst lands in one flush.
    const [a, b] = await pair(new wq.Pair(), new wq.Pair());
    const sizes = [0, 1, 125, 126, 20_000, 3, 65_535, 65_536, 17, 200_000, 5];
    const parts = sizes.map((n, k) => Buffer.alloc(n, k + 1));
    for (const [from, to] of [[a, b], [b, a]] as const) {
      for (let i = 0; i < 20; i++) await from.send([Buffer.from(`#${i}`), ...parts]);
      for (let i = 0; i < 20; i++) {
        const [head, ...rest] = await to.receive();
        expect(String(head)).toBe(`#${i}`);
        expect(rest.map((p) => p.length)).toEqual(sizes);
        rest.forEach((p, k) => expect(p.equals(parts[k]!)).toBe(true));
      }
    }
  });

  it("backpressure: a PUSH to a PULL that does not read stops at the high-water marks", async () => {
    const [, push] = await pair(new wq.Pull({ receiveHighWaterMark: 10 }), new wq.Push({ sendHighWaterMark: 10, sendTimeout: 200 }));
    const body = Buffer.alloc(64 * 1024);
    let sent = 0;
    let error: unknown = null;
    try {
      for (; sent < 10_000; sent++) await push.send(body);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: "EAGAIN" });
    // HWMs of 10 on each side, the channel's buffered megabyte and the kernel's buffers: far
    // fewer than the 10 000 (625 MiB) an unbounded queue would take.
    expect(sent).toBeLessThan(1000);
  });

  it("close with linger delivers what was queued", async () => {
    const [pull, push] = await pair(new wq.Pull(), new wq.Push({ linger: 5000 }));
    for (let i = 0; i < 500; i++) await push.send(`n${i}`);
    push.close();
    for (let i = 0; i < 500; i++) expect(text(await pull.receive())).toEqual([`n${i}`]);
  });
});

function readyData(socketType: string): Buffer {
  // encodeReady gives the command body; its data follows the name.
  const body = encodeReady([["Socket-Type", Buffer.from(socketType)]]);
  return body.subarray(1 + body[0]!);
}
