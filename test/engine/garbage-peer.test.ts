/**
 * Peers that send garbage lose their connection with a monitor event that says why, while a
 * well-behaved libzmq peer on the same socket keeps delivering, and nothing throws.
 */
import type * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull, Push } from "../../lib/index.js";
import { encodeCommand, encodeReady } from "../../lib/wire/command.js";
import { encodeFrame, encodeMessage, FLAG_COMMAND, FLAG_LONG, FLAG_MORE } from "../../lib/wire/frame.js";
import { encodeGreeting } from "../../lib/wire/greeting.js";
import {
  closedPromise, rawConnect, rawServer, recordEvents, tracker, waitAnyEvent, waitEvent, within, type EventLike,
} from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const MAX = 1024;
const GREETING = encodeGreeting("NULL", false);
const ready = (type: string): Buffer => encodeFrame(FLAG_COMMAND, encodeReady([["Socket-Type", Buffer.from(type)]]));
const HANDSHAKE = Buffer.concat([GREETING, ready("PUSH")]);

/** Deterministic pseudo-random bytes (xorshift32), so a failure can be replayed. */
function noise(seed: number, n: number, first?: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  if (first !== undefined) b[0] = first;
  return b;
}

/** A wiremq PULL with maxMessageSize set, and a libzmq PUSH already delivering to it. */
async function victim(handshakeInterval = 30_000): Promise<{ pull: Pull; good: zmq.Push; goodLog: { events: EventLike[]; stop(): void } }> {
  // receiveTimeout only turns a lost message into a prompt failure instead of a hang.
  const pull = track(new Pull({ maxMessageSize: MAX, handshakeInterval, receiveTimeout: 5000 }));
  await pull.bind("tcp://127.0.0.1:*");
  const good = track(new zmq.Push());
  const up = waitEvent(pull, "handshake");
  good.connect(pull.lastEndpoint!);
  await up;
  const goodLog = recordEvents(good, ["disconnect", "handshake:error:protocol"]);
  await good.send(["before", Buffer.alloc(MAX, 1)]);
  const first = await pull.receive();
  expect(first[0]!.toString()).toBe("before");
  expect(first[1]!.length).toBe(MAX);
  return { pull, good, goodLog };
}

/** Connects a raw client, writes `chunks`, and waits for the wiremq socket to drop it. */
async function attack(pull: Pull, chunks: Buffer[]): Promise<{ events: EventLike[]; sock: net.Socket }> {
  const log = recordEvents(pull, ["accept", "handshake", "handshake:error:protocol", "handshake:error:other", "disconnect"]);
  const ended = waitAnyEvent(pull, ["handshake:error:protocol", "disconnect"]);
  const sock = track(await rawConnect(pull.lastEndpoint!));
  sock.resume(); // discard what wiremq sends, so its FIN is seen
  const closed = closedPromise(sock);
  for (const c of chunks) sock.write(c);
  await within(closed, 5000, "the raw connection being closed by wiremq");
  await ended;
  log.stop();
  return { events: log.events, sock };
}

/** The libzmq peer is untouched: it still delivers, and saw no disconnect. */
async function stillDelivering(pull: Pull, good: zmq.Push, goodLog: { events: EventLike[]; stop(): void }): Promise<void> {
  for (let i = 0; i < 3; i++) await good.send(["after", String(i)]);
  for (let i = 0; i < 3; i++) expect((await pull.receive()).map(String)).toEqual(["after", String(i)]);
  goodLog.stop();
  expect(goodLog.events).toEqual([]);
}

const types = (events: EventLike[]): string[] => events.map((e) => e.type);
/**
 * A refused handshake: handshake:error:protocol and never handshake. libzmq follows a failed
 * handshake with a disconnect event (stream_engine_base_t::error), so one may come after it.
 */
function expectRefused(events: EventLike[]): void {
  const t = types(events);
  expect(t.filter((x) => x !== "disconnect")).toEqual(["accept", "handshake:error:protocol"]);
  expect(t.indexOf("disconnect")).not.toBe(1);
}

describe("garbage before or instead of a greeting", () => {
  it.each([
    { title: "random bytes", bytes: noise(1, 4096) },
    { title: "random bytes after a 0xFF first byte", bytes: noise(2, 4096, 0xff) },
    { title: "random bytes after a valid ZMTP 3 signature", bytes: Buffer.concat([GREETING.subarray(0, 11), noise(3, 200)]) },
    { title: "an HTTP request", bytes: Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n") },
    { title: "a greeting of major version 2", bytes: Buffer.from(GREETING).fill(2, 10, 11) },
    { title: "a greeting of major version 1 style (no 0x7F)", bytes: Buffer.from(GREETING).fill(0, 9, 10) },
    { title: "a greeting naming another mechanism", bytes: encodeGreeting("PLAIN", false) },
    { title: "a greeting with a garbage mechanism", bytes: Buffer.from(GREETING).fill(0x41, 12, 32) },
  ])("$title: refused with handshake:error:protocol", async ({ bytes }) => {
    const { pull, good, goodLog } = await victim();
    const { events } = await attack(pull, [bytes]);
    expectRefused(events);
    const err = events.find((e) => e.type === "handshake:error:protocol")!.error;
    expect(err).toBeInstanceOf(Error);
    expect(err!.message.length).toBeGreaterThan(0);
    await stillDelivering(pull, good, goodLog);
  });

  it("a greeting trickled one byte at a time that turns bad at byte 10 is refused", async () => {
    const { pull, good, goodLog } = await victim();
    const bad = Buffer.from(GREETING).fill(1, 10, 11);
    const chunks = Array.from({ length: 12 }, (_, i) => bad.subarray(i, i + 1));
    const { events } = await attack(pull, chunks);
    expectRefused(events);
    await stillDelivering(pull, good, goodLog);
  });
});

describe("garbage during the handshake", () => {
  it.each([
    { title: "a data frame instead of READY", bytes: Buffer.concat([GREETING, encodeFrame(0, Buffer.from("hi"))]) },
    { title: "a READY with truncated metadata", bytes: Buffer.concat([GREETING, encodeFrame(FLAG_COMMAND, encodeReady([["Socket-Type", Buffer.from("PUSH")]]).subarray(0, 15))]) },
  ])("$title: refused with handshake:error:protocol", async ({ bytes }) => {
    const { pull, good, goodLog } = await victim();
    const { events } = await attack(pull, [bytes]);
    expectRefused(events);
    await stillDelivering(pull, good, goodLog);
  });

  // As libzmq 4.3.5: a Socket-Type it cannot talk to gets no handshake event, only a disconnect.
  it.each([
    { title: "a READY whose Socket-Type is PULL", bytes: Buffer.concat([GREETING, ready("PULL")]) },
    { title: "a READY without Socket-Type", bytes: Buffer.concat([GREETING, encodeFrame(FLAG_COMMAND, encodeReady([]))]) },
  ])("$title: dropped without a handshake event", async ({ bytes }) => {
    const { pull, good, goodLog } = await victim();
    const { events } = await attack(pull, [bytes]);
    expect(types(events)).toEqual(["accept", "disconnect"]);
    await stillDelivering(pull, good, goodLog);
  });

  it("a libzmq PULL connecting to a wiremq PULL is dropped without a handshake event", async () => {
    const { pull, good, goodLog } = await victim();
    const log = recordEvents(pull, ["accept", "handshake", "handshake:error:protocol", "handshake:error:other", "disconnect"]);
    const dropped = waitEvent(pull, "disconnect");
    const wrong = track(new zmq.Pull());
    wrong.connect(pull.lastEndpoint!);
    await dropped;
    log.stop();
    expect(types(log.events)).toEqual(["accept", "disconnect"]);
    await stillDelivering(pull, good, goodLog);
  });
});

describe("peers that stall or hang up during the handshake (events as libzmq 4.3.5 emits them)", () => {
  it.each([
    { title: "says nothing", bytes: Buffer.alloc(0) },
    { title: "stops after half a greeting", bytes: GREETING.subarray(0, 20) },
    { title: "stops after the greeting", bytes: GREETING },
  ])("a peer that $title is dropped after handshakeInterval with handshake:error:other", async ({ bytes }) => {
    const { pull, good, goodLog } = await victim(200);
    const t0 = Date.now();
    const { events } = await attack(pull, bytes.length > 0 ? [bytes] : []);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    // libzmq: handshake:error:other (EAGAIN) then disconnect.
    expect(types(events).slice(0, 2)).toEqual(["accept", "handshake:error:other"]);
    await stillDelivering(pull, good, goodLog);
  });

  it("a peer that hangs up mid-greeting yields handshake:error:other and disconnect", async () => {
    const { pull, good, goodLog } = await victim();
    const log = recordEvents(pull, ["accept", "handshake", "handshake:error:protocol", "handshake:error:other", "disconnect"]);
    const gone = waitEvent(pull, "disconnect");
    const sock = await rawConnect(pull.lastEndpoint!);
    sock.resume();
    sock.end(GREETING.subarray(0, 11));
    await gone;
    log.stop();
    // libzmq: handshake:error:other (EPIPE) then disconnect.
    expect(types(log.events)).toEqual(["accept", "handshake:error:other", "disconnect"]);
    await stillDelivering(pull, good, goodLog);
  });
});

describe("garbage after a valid handshake", () => {
  const long = (size: number): Buffer => {
    const h = Buffer.alloc(9);
    h[0] = FLAG_LONG;
    h.writeBigUInt64BE(BigInt(size), 1);
    return h;
  };
  it.each([
    { title: "a frame one byte over maxMessageSize", bytes: [long(MAX + 1), Buffer.alloc(MAX + 1)] },
    { title: "a frame header announcing 2^40 bytes", bytes: [long(2 ** 40)] },
    { title: "a frame header announcing 2^63 bytes", bytes: [Buffer.from([FLAG_LONG, 0x80, 0, 0, 0, 0, 0, 0, 0])] },
    { title: "an oversize frame inside a multi-part message", bytes: [encodeFrame(FLAG_MORE, Buffer.from("ok")), long(MAX * 4)] },
    { title: "a frame with reserved flag bit 3", bytes: [Buffer.from([0x08, 1, 0x78])] },
    { title: "a frame with reserved flag bit 7", bytes: [Buffer.from([0x80, 1, 0x78])] },
    { title: "a command frame with MORE set", bytes: [encodeFrame(FLAG_COMMAND | FLAG_MORE, encodeCommand("PING", Buffer.from([0, 0])))] },
    { title: "an ERROR command", bytes: [encodeFrame(FLAG_COMMAND, encodeCommand("ERROR", Buffer.from("\x03bad")))] },
  ])("$title: disconnected", async ({ bytes }) => {
    const { pull, good, goodLog } = await victim();
    const { events } = await attack(pull, [HANDSHAKE, ...bytes]);
    expect(types(events)).toEqual(["accept", "handshake", "disconnect"]);
    expect(events[2]!.error).toBeInstanceOf(Error); // says why
    await stillDelivering(pull, good, goodLog);
  });

  it("a frame of exactly maxMessageSize is delivered, then one byte more drops the peer", async () => {
    const { pull, good, goodLog } = await victim();
    const up = waitEvent(pull, "handshake");
    const sock = track(await rawConnect(pull.lastEndpoint!));
    sock.resume();
    sock.write(Buffer.concat([HANDSHAKE, encodeMessage([Buffer.from("raw"), Buffer.alloc(MAX, 9)])]));
    await up;
    const got = await pull.receive();
    expect(got[0]!.toString()).toBe("raw");
    expect(got[1]!.equals(Buffer.alloc(MAX, 9))).toBe(true);
    const dropped = waitEvent(pull, "disconnect");
    const closed = closedPromise(sock);
    sock.write(encodeFrame(0, Buffer.alloc(MAX + 1)));
    await dropped;
    await within(closed, 5000, "raw connection close");
    await stillDelivering(pull, good, goodLog);
  });
});

describe("a connecting wiremq socket facing a garbage server", () => {
  it("refuses it with handshake:error:protocol and keeps retrying", async () => {
    let conns = 0;
    const server = track(await rawServer((sock) => {
      conns++;
      sock.write("HTTP/1.1 400 Bad Request\r\n\r\n");
    }));
    const push = track(new Push({ reconnectInterval: 20 }));
    const refusedTwice = waitEvent(push, "handshake:error:protocol", 2);
    push.connect(server.endpoint);
    await refusedTwice;
    expect(conns).toBeGreaterThanOrEqual(2);
  });
});
