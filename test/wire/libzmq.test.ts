/**
 * Golden vectors captured live from real libzmq (the `zeromq` dev dependency, libzmq 4.3.5):
 * a raw node:net server on an ephemeral port accepts a zeromq socket, answers with wiremq's
 * own greeting/READY, and records exactly what libzmq sends.
 */
import { once } from "node:events";
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import {
  encodeCancel,
  encodePing,
  encodePong,
  encodeReady,
  encodeSubscribe,
  parseCommand,
  parseMetadata,
} from "../../lib/wire/command.js";
import { encodeFrame, encodeMessage, FLAG_COMMAND, FLAG_LONG, FrameDecoder } from "../../lib/wire/frame.js";
import { encodeGreeting, GreetingParser } from "../../lib/wire/greeting.js";

zmq.context.blocky = false;

const b = (s: string): Buffer => Buffer.from(s, "ascii");
const cmdFrame = (body: Buffer): string => encodeFrame(FLAG_COMMAND, body).toString("hex");
const readyFrame = (type: string): Buffer => encodeFrame(FLAG_COMMAND, encodeReady([["Socket-Type", b(type)]]));

// What libzmq 4.3.5 sent in these tests, as literal hex (kept so a change in either side shows).
const LIBZMQ_NULL_GREETING =
  "ff00000000000000017f0301" + "4e554c4c" + "00".repeat(16) + "00" + "00".repeat(31);
const LIBZMQ_PUSH_READY = "041a" + "0552454144590b536f636b65742d54797065" + "00000004" + "50555348";

/** The raw TCP side: buffers what libzmq sends and hands it out by exact byte counts. */
class RawPeer {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private ended: Error | null = null;

  constructor(readonly conn: net.Socket) {
    conn.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    conn.on("error", (e) => {
      this.ended = e;
      this.notify();
    });
    conn.on("close", () => {
      this.ended ??= new Error("connection closed by libzmq");
      this.notify();
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.ended) throw new Error(`wanted ${n} bytes, have ${this.buf.length}: ${this.ended.message}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** One frame, read by its own header (independent of FrameDecoder); returns its raw bytes. */
  async readFrame(): Promise<Buffer> {
    const flags = await this.read(1);
    const long = (flags[0]! & FLAG_LONG) !== 0;
    const size = await this.read(long ? 8 : 1);
    const body = await this.read(long ? Number(size.readBigUInt64BE()) : size[0]!);
    return Buffer.concat([flags, size, body]);
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Listens on 127.0.0.1:0, connects `sock` to it, and returns the accepted raw connection. */
async function accept(sock: zmq.Socket): Promise<RawPeer> {
  const server = net.createServer();
  const conns: net.Socket[] = [];
  let closing = false;
  server.on("connection", (c) => (closing ? c.destroy() : conns.push(c)));
  cleanups.push(async () => {
    closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const c of conns) c.destroy();
    await closed;
  });
  cleanups.push(() => sock.close()); // runs first: stop libzmq before the server goes away
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  const accepted = once(server, "connection");
  sock.connect(`tcp://127.0.0.1:${port}`);
  const [conn] = (await accepted) as [net.Socket];
  return new RawPeer(conn);
}

describe("golden vectors captured from libzmq 4.3.5", { timeout: 10_000 }, () => {
  it("runs against the libzmq version these vectors were captured from", () => {
    expect(zmq.version).toBe("4.3.5");
  });

  it("PUSH: greeting and READY equal wiremq's encoder output byte for byte", async () => {
    const peer = await accept(new zmq.Push());
    peer.conn.write(encodeGreeting("NULL", false));

    const greeting = await peer.read(64);
    expect(greeting.toString("hex")).toBe(encodeGreeting("NULL", false).toString("hex"));
    expect(greeting.toString("hex")).toBe(LIBZMQ_NULL_GREETING);
    const parser = new GreetingParser();
    expect(parser.feed(greeting)).toBe(64);
    expect(parser.result).toEqual({ major: 3, minor: 1, mechanism: "NULL", asServer: false });

    const ready = await peer.readFrame();
    expect(ready.toString("hex")).toBe(readyFrame("PUSH").toString("hex"));
    expect(ready.toString("hex")).toBe(LIBZMQ_PUSH_READY);
    // Exactly one property: PUSH sends no Identity.
    const props = parseMetadata(parseCommand(ready.subarray(2)).data);
    expect([...props.keys()]).toEqual(["socket-type"]);
  });

  it("PUSH accepts wiremq's READY and sends data frames in the encoding wiremq produces", async () => {
    const push = new zmq.Push();
    const peer = await accept(push);
    peer.conn.write(Buffer.concat([encodeGreeting("NULL", false), readyFrame("PULL")]));
    await peer.read(64);
    expect((await peer.readFrame()).toString("hex")).toBe(LIBZMQ_PUSH_READY);

    const messages = [[b("hello")], [b("a"), b("bb"), Buffer.alloc(0)], [Buffer.alloc(300, 7)]];
    for (const m of messages) await push.send(m);
    const expected = Buffer.concat(messages.map((m) => encodeMessage(m)));
    const got = await peer.read(expected.length);
    expect(got.toString("hex")).toBe(expected.toString("hex"));
    // And our decoder reads libzmq's bytes back into the same frames.
    const frames: string[] = [];
    new FrameDecoder().push(got, { onFrame: (flags, body) => frames.push(`${flags}:${body.toString("hex")}`) });
    expect(frames).toEqual(["0:68656c6c6f", "1:61", "1:6262", "0:", `0:${"07".repeat(300)}`]);
  });

  it("DEALER with a routing id: READY carries Identity; greeting padding carries its length + 1", async () => {
    const peer = await accept(new zmq.Dealer({ routingId: "abc" }));
    peer.conn.write(encodeGreeting("NULL", false));
    const greeting = Buffer.from(await peer.read(64));
    expect(greeting[8]).toBe(4); // libzmq puts routing-id size + 1 in the (insignificant) padding
    greeting[8] = 1;
    expect(greeting.toString("hex")).toBe(encodeGreeting("NULL", false).toString("hex"));
    const ready = await peer.readFrame();
    expect(ready.toString("hex")).toBe(
      cmdFrame(encodeReady([["Socket-Type", b("DEALER")], ["Identity", b("abc")]])),
    );
  });

  it("SUB sends SUBSCRIBE and CANCEL commands to a ZMTP 3.1 peer", async () => {
    const sub = new zmq.Subscriber();
    sub.subscribe("topic");
    const peer = await accept(sub);
    peer.conn.write(Buffer.concat([encodeGreeting("NULL", false), readyFrame("PUB")]));
    expect((await peer.read(64)).toString("hex")).toBe(LIBZMQ_NULL_GREETING);
    expect((await peer.readFrame()).toString("hex")).toBe(readyFrame("SUB").toString("hex"));
    expect((await peer.readFrame()).toString("hex")).toBe(cmdFrame(encodeSubscribe(b("topic"))));
    sub.unsubscribe("topic");
    expect((await peer.readFrame()).toString("hex")).toBe(cmdFrame(encodeCancel(b("topic"))));
  });

  it("SUB sends subscriptions as 01/00-prefixed data frames to a ZMTP 3.0 peer", async () => {
    const sub = new zmq.Subscriber();
    sub.subscribe("topic");
    const peer = await accept(sub);
    peer.conn.write(Buffer.concat([encodeGreeting("NULL", false, 0), readyFrame("PUB")]));
    expect((await peer.read(64)).toString("hex")).toBe(LIBZMQ_NULL_GREETING); // libzmq still says 3.1
    expect((await peer.readFrame()).toString("hex")).toBe(readyFrame("SUB").toString("hex"));
    expect((await peer.readFrame()).toString("hex")).toBe("000601746f706963");
    sub.unsubscribe("topic");
    expect((await peer.readFrame()).toString("hex")).toBe("000600746f706963");
  });

  it("PING/PONG: libzmq answers our PING with its context and sends PINGs we encode identically", async () => {
    const push = new zmq.Push({ heartbeatInterval: 20, heartbeatTimeToLive: 2000, heartbeatTimeout: 60_000 });
    const peer = await accept(push);
    peer.conn.write(Buffer.concat([encodeGreeting("NULL", false), readyFrame("PULL")]));
    await peer.read(64);
    expect((await peer.readFrame()).toString("hex")).toBe(LIBZMQ_PUSH_READY);
    // Only now: libzmq (NULL) treats any command other than READY/ERROR that it reads before it
    // has sent its own READY as a handshake protocol error and drops the connection.
    peer.conn.write(encodeFrame(FLAG_COMMAND, encodePing(100, b("ctx1"))));

    const wantPong = cmdFrame(encodePong(b("ctx1")));
    const wantPing = cmdFrame(encodePing(20)); // TTL 2000 ms = 20 deciseconds, no context
    const seen = new Set<string>();
    for (let i = 0; i < 10 && !(seen.has(wantPong) && seen.has(wantPing)); i++) {
      seen.add((await peer.readFrame()).toString("hex"));
    }
    expect(seen).toContain(wantPong);
    expect(seen).toContain(wantPing);
    expect(wantPong).toBe("040904504f4e4763747831");
    expect(wantPing).toBe("04070450494e470014");
  });
});
