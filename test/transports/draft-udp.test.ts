/**
 * udp:// for the draft types: DGRAM, and RADIO/DISH. The datagram layout is checked against
 * bytes captured from libzmq 4.3.5 (a zeromq 6.8.0 RADIO sending to a node:dgram socket), and
 * both types run against zeromq/draft both ways and against raw node:dgram peers.
 */
import { createSocket, type Socket as DgramSocket } from "node:dgram";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import * as zmqDraft from "zeromq/draft.js";
import { Datagram, Dish, Radio } from "../../lib/draft.js";
import { decodeGroupDatagram, decodePeerAddress, encodeGroupDatagram, encodePeerAddress } from "../../lib/wire/udp-datagram.js";
import { expectSame, settle, type Libs } from "../helpers/differential.js";
import { tracker } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

type Draft = typeof zmqDraft;
const LIBS: Libs<Draft> = { zeromq: zmqDraft, wiremq: { Datagram, Dish, Radio } as unknown as Draft };

/** A raw datagram socket bound to a free loopback port. */
async function rawUdp(): Promise<{ sock: DgramSocket; port: number; received: Array<{ data: Buffer; port: number }> }> {
  const sock = createSocket("udp4");
  track({ close: () => sock.close() });
  const received: Array<{ data: Buffer; port: number }> = [];
  sock.on("message", (data, from) => received.push({ data, port: from.port }));
  sock.bind(0, "127.0.0.1");
  await once(sock, "listening");
  return { sock, port: sock.address().port, received };
}

/** A port free right now (libzmq reports no port for a udp:// bind to port `*`, so its tests need one). */
async function freePort(): Promise<number> {
  const sock = createSocket("udp4");
  sock.bind(0, "127.0.0.1");
  await once(sock, "listening");
  const { port } = sock.address();
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return port;
}

/**
 * Sends until the receiver gets something. libzmq binds a udp:// socket in its I/O thread, after
 * bind() has returned, so a datagram sent at once can find no socket yet and be lost.
 */
async function sendUntilReceived<T>(receiver: { receiveTimeout: number; receive(): Promise<T> }, send: () => Promise<void>): Promise<T> {
  receiver.receiveTimeout = 20;
  for (;;) {
    await send();
    try {
      return await receiver.receive();
    } catch (err) {
      if ((err as { code?: string }).code !== "EAGAIN") throw err;
    }
  }
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

describe("udp datagrams", () => {
  // Captured from a libzmq 4.3.5 RADIO connected to udp://: "hello" to "grp", "two" to "".
  const HELLO_GRP = "0367727068656c6c6f";
  const TWO_EMPTY = "0074776f";

  it("a group datagram is the group's length, the group, then the body", () => {
    expect(encodeGroupDatagram(Buffer.from("grp"), Buffer.from("hello")).toString("hex")).toBe(HELLO_GRP);
    expect(encodeGroupDatagram(Buffer.alloc(0), Buffer.from("two")).toString("hex")).toBe(TWO_EMPTY);
    const decoded = decodeGroupDatagram(Buffer.from(HELLO_GRP, "hex"))!;
    expect([decoded.group.toString(), decoded.body.toString()]).toEqual(["grp", "hello"]);
    expect(decodeGroupDatagram(Buffer.from([5, 0x67]))).toBeNull();
    expect(decodeGroupDatagram(Buffer.alloc(0))).toBeNull();
  });

  it("a DGRAM peer address is \"ip:port\" ended by a NUL", () => {
    expect(encodePeerAddress("127.0.0.1", 5555).toString("latin1")).toBe("127.0.0.1:5555\0");
    expect(decodePeerAddress(Buffer.from("127.0.0.1:5555\0"))).toEqual({ host: "127.0.0.1", port: 5555 });
    expect(decodePeerAddress(Buffer.from("[::1]:80"))).toEqual({ host: "::1", port: 80 });
    expect(decodePeerAddress(Buffer.from("127.0.0.1"))).toBeNull();
    expect(decodePeerAddress(Buffer.from("127.0.0.1:0"))).toBeNull();
  });

  it("a wiremq RADIO sends each message as one datagram of that layout, whatever its group", async () => {
    const raw = await rawUdp();
    const radio = track(new Radio());
    radio.connect(`udp://127.0.0.1:${raw.port}`);
    await radio.send("hello", { group: "grp" });
    await radio.send("two", { group: "" });
    await until(() => raw.received.length === 2);
    expect(raw.received.map((r) => r.data.toString("hex"))).toEqual([HELLO_GRP, TWO_EMPTY]);
  });

  it("a wiremq DISH keeps the datagrams of its groups and drops malformed ones", async () => {
    const dish = track(new Dish());
    await dish.bind("udp://127.0.0.1:0");
    dish.join("g");
    const raw = await rawUdp();
    const [host, port] = dish.lastEndpoint!.split(":");
    expect(host).toBe("127.0.0.1");
    for (const d of [Buffer.from([5, 0x67]), encodeGroupDatagram(Buffer.from("h"), Buffer.from("other")), encodeGroupDatagram(Buffer.from("g"), Buffer.from("ok"))]) {
      raw.sock.send(d, Number(port), "127.0.0.1");
    }
    const [msg, { group }] = await dish.receive();
    expect([msg.toString(), group.toString()]).toEqual(["ok", "g"]);
  });

  it("a wiremq DGRAM gets each datagram with its sender's address and answers to it", async () => {
    const dgram = track(new Datagram());
    await dgram.bind("udp://127.0.0.1:0");
    const raw = await rawUdp();
    raw.sock.send("hi", Number(dgram.lastEndpoint!.split(":")[1]), "127.0.0.1");
    const [address, body] = await dgram.receive();
    expect([address.toString("latin1"), body.toString()]).toEqual([`127.0.0.1:${raw.port}\0`, "hi"]);
    await dgram.send([address, "back"]);
    await until(() => raw.received.length === 1);
    expect(raw.received[0]!.data.toString()).toBe("back");
  });
});

describe("udp against zeromq/draft", () => {
  for (const [sender, receiver] of [["zeromq", "wiremq"], ["wiremq", "zeromq"]] as const) {
    it(`${sender} RADIO → ${receiver} DISH over udp://`, async () => {
      const port = await freePort();
      const dish = track(new LIBS[receiver].Dish());
      await dish.bind(`udp://127.0.0.1:${port}`);
      dish.join("g");
      const radio = track(new LIBS[sender].Radio());
      radio.connect(`udp://127.0.0.1:${port}`);
      const [msg, { group }] = await sendUntilReceived(dish, async () => {
        await radio.send("not mine", { group: "h" });
        await radio.send("mine", { group: "g" });
      });
      expect([msg.toString(), group.toString()]).toEqual(["mine", "g"]);
    });

    it(`${sender} DGRAM ↔ ${receiver} DGRAM over udp://`, async () => {
      const [p1, p2] = [await freePort(), await freePort()];
      const a = track(new LIBS[sender].Datagram());
      const b = track(new LIBS[receiver].Datagram());
      await a.bind(`udp://127.0.0.1:${p1}`);
      await b.bind(`udp://127.0.0.1:${p2}`);
      const [from, body] = await sendUntilReceived(b, () => a.send([`127.0.0.1:${p2}`, "ping"]));
      expect([from.toString("latin1"), body.toString()]).toEqual([`127.0.0.1:${p1}\0`, "ping"]);
      const reply = await sendUntilReceived(a, () => b.send([from, "pong"]));
      expect(reply.map((f) => f.toString("latin1"))).toEqual([`127.0.0.1:${p2}\0`, "pong"]);
    });
  }

  it("udp:// where libzmq does not allow it, DGRAM sends of the wrong shape, and the last endpoint", async () => {
    const seen = await expectSame(async (zmq, run) => {
      // A port of its own per library: libzmq lets go of a closed socket's port a little later.
      const port = await freePort();
      const radio = run.track(new zmq.Radio());
      const dish = run.track(new zmq.Dish());
      const dgram = run.track(new zmq.Datagram({ sendTimeout: 0 }));
      const unbound = await settle(() => dgram.send(["127.0.0.1:9", "x"]));
      const outcomes = {
        radioBind: await settle(() => radio.bind(`udp://127.0.0.1:${port}`)),
        dishConnect: await settle(() => dish.connect(`udp://127.0.0.1:${port}`)),
        dgramConnect: await settle(() => dgram.connect(`udp://127.0.0.1:${port}`)),
        unbound,
        bind: await settle(() => dgram.bind(`udp://127.0.0.1:${port}`)),
        lastEndpoint: dgram.lastEndpoint === `127.0.0.1:${port}`,
        onePart: await settle(() => dgram.send("x" as never)),
        threeParts: await settle(() => dgram.send(["127.0.0.1:9", "a", "b"] as never)),
      };
      return outcomes;
    }, LIBS);
    expect(seen).toMatchObject({
      resolved: { dishConnect: { threw: { code: "ENOCOMPATPROTO" } }, unbound: { rejected: { code: "EAGAIN" } }, lastEndpoint: true, onePart: { rejected: { code: "EINVAL" } } },
    });
  });

  it("udp:// spelled in capitals, or used on a closed socket, fails as zeromq's does", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const port = await freePort();
      const dish = run.track(new zmq.Dish());
      const radio = run.track(new zmq.Radio());
      const dgram = run.track(new zmq.Datagram());
      const capitals = await settle(() => dish.bind(`UDP://127.0.0.1:${port}`));
      dish.close();
      radio.close();
      dgram.close();
      return {
        capitals,
        dishBind: await settle(() => dish.bind(`udp://127.0.0.1:${port}`)),
        radioConnect: await settle(() => radio.connect(`udp://127.0.0.1:${port}`)),
        dgramBind: await settle(() => dgram.bind(`udp://127.0.0.1:${port}`)),
      };
    }, LIBS);
    expect(seen).toMatchObject({ resolved: { dishBind: { threw: { code: "EBADF" } } } });
  });
});
