/** The broker protocol: frames both ways, and an ERROR with a code for every bad request. */
import { afterEach, describe, expect, it } from "vitest";
import { Dealer } from "../../lib/sockets/dealer.js";
import { Broker } from "../../lib/broker/index.js";
import {
  decodeBrokerMessage,
  decodeClientCommand,
  encodeBroker,
  encodeClient,
  ErrorCode,
  ProtocolViolation,
  u32,
  u64,
} from "../../lib/broker/protocol.js";
import { tracker, within } from "../helpers/sockets.js";

const B = (s: string): Buffer => Buffer.from(s);
const open = tracker();
const brokers: Broker[] = [];
afterEach(async () => {
  await open.closeAll();
  for (const b of brokers.splice(0)) await b.close();
});

function violation(frames: Buffer[]): { reqId: number; code: string } {
  try {
    decodeClientCommand(frames);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolViolation);
    const v = err as ProtocolViolation;
    return { reqId: v.reqId, code: v.code };
  }
  throw new Error("decoded without complaint");
}

const BAD_REQUESTS: [string, Buffer[], number, string][] = [
  ["no frames", [], 0, ErrorCode.PROTO],
  ["empty command", [Buffer.alloc(0)], 0, ErrorCode.PROTO],
  ["no request id", [B("PUT")], 0, ErrorCode.PROTO],
  ["request id 0", [B("PUT"), u32(0), B("q"), B("x")], 0, ErrorCode.PROTO],
  ["request id of 3 bytes", [B("PUT"), Buffer.alloc(3), B("q"), B("x")], 0, ErrorCode.PROTO],
  ["PUT without body", [B("PUT"), u32(7), B("q")], 7, ErrorCode.PROTO],
  ["PUT with an extra frame", [B("PUT"), u32(7), B("q"), B("x"), B("y")], 7, ErrorCode.PROTO],
  ["empty queue name", [B("PUT"), u32(7), Buffer.alloc(0), B("x")], 7, ErrorCode.INVAL],
  ["queue name not UTF-8", [B("PUT"), u32(7), Buffer.from([0x61, 0xff]), B("x")], 7, ErrorCode.INVAL],
  ["control character in name", [B("PUT"), u32(7), B("a\u0001"), B("x")], 7, ErrorCode.INVAL],
  ["name too long", [B("PUT"), u32(7), B("n".repeat(201)), B("x")], 7, ErrorCode.INVAL],
  // Names that fit but whose derived queues would not: the dead-letter queue, the subscription's queue.
  ["queue name without room for its .dlq", [B("PUT"), u32(7), B("n".repeat(197)), B("x")], 7, ErrorCode.INVAL],
  ["subscription whose queue name is too long", [B("SUBSCRIBE"), u32(8), B("t".repeat(150)), B("s".repeat(60))], 8, ErrorCode.INVAL],
  ["subscription without room for its queue's .dlq", [B("SUBSCRIBE"), u32(8), B("t".repeat(150)), B("s".repeat(47))], 8, ErrorCode.INVAL],
  ["unknown command", [B("FROB"), u32(7)], 7, ErrorCode.NOTSUP],
  ["credit 0", [B("CONSUME"), u32(7), u32(1), B("q"), u32(0), u32(0)], 7, ErrorCode.INVAL],
  ["subscription id of 2 bytes", [B("CONSUME"), u32(7), Buffer.alloc(2), B("q"), u32(1), u32(0)], 7, ErrorCode.PROTO],
  ["tag of 7 bytes", [B("ACK"), u32(7), Buffer.alloc(7)], 7, ErrorCode.PROTO],
  ["tag above 2^53", [B("ACK"), u32(7), Buffer.alloc(8, 0xff)], 7, ErrorCode.INVAL],
  ["unknown NACK flag", [B("NACK"), u32(7), u64(1), B("maybe")], 7, ErrorCode.INVAL],
  ["NACK error text over 1 KiB", [B("NACK"), u32(7), u64(1), B("dead"), Buffer.alloc(1025, 0x61)], 7, ErrorCode.INVAL],
  ["NACK error text not UTF-8", [B("NACK"), u32(7), u64(1), B(""), Buffer.from([0xff])], 7, ErrorCode.INVAL],
  ["NACK with a sixth frame", [B("NACK"), u32(7), u64(1), B(""), B("e"), B("x")], 7, ErrorCode.PROTO],
  ["EXTEND without its lease", [B("EXTEND"), u32(8), u64(1)], 8, ErrorCode.PROTO],
  ["EXTEND with a short lease frame", [B("EXTEND"), u32(8), u64(1), B("ab")], 8, ErrorCode.PROTO],
  ["'@' in a topic", [B("SUBSCRIBE"), u32(7), B("a@b"), B("s")], 7, ErrorCode.INVAL],
  ["PING with a frame", [B("PING"), B("extra")], 0, ErrorCode.PROTO],
];

describe("protocol codec", () => {
  it.each(BAD_REQUESTS)("refuses %s", (_what, frames, reqId, code) => {
    expect(violation(frames)).toEqual({ reqId, code });
  });

  it("decodes what the client encodes", () => {
    const body = B("payload");
    expect(decodeClientCommand(encodeClient.hello(1))).toEqual({ cmd: "HELLO", reqId: 1, version: 1 });
    expect(decodeClientCommand(encodeClient.put(2, "jobs", body))).toEqual({ cmd: "PUT", reqId: 2, queue: "jobs", body });
    expect(decodeClientCommand(encodeClient.publish(3, "prices", body))).toEqual({ cmd: "PUBLISH", reqId: 3, topic: "prices", body });
    expect(decodeClientCommand(encodeClient.subscribe(4, "prices", "audit"))).toEqual({
      cmd: "SUBSCRIBE",
      reqId: 4,
      topic: "prices",
      subscription: "audit",
    });
    expect(decodeClientCommand(encodeClient.consume(5, 9, "jobs", 10, 500))).toEqual({
      cmd: "CONSUME",
      reqId: 5,
      subId: 9,
      queue: "jobs",
      credit: 10,
      leaseMs: 500,
    });
    expect(decodeClientCommand(encodeClient.cancel(6, 9))).toEqual({ cmd: "CANCEL", reqId: 6, subId: 9 });
    expect(decodeClientCommand(encodeClient.ack(7, 2 ** 50))).toEqual({ cmd: "ACK", reqId: 7, tag: 2 ** 50 });
    expect(decodeClientCommand(encodeClient.nack(8, 3, null))).toEqual({ cmd: "NACK", reqId: 8, tag: 3, deadLetter: null, error: null });
    expect(decodeClientCommand(encodeClient.nack(8, 3, "nack"))).toEqual({ cmd: "NACK", reqId: 8, tag: 3, deadLetter: "nack", error: null });
    expect(decodeClientCommand(encodeClient.nack(8, 3, null, "Error: db down"))).toEqual({ cmd: "NACK", reqId: 8, tag: 3, deadLetter: null, error: "Error: db down" });
    expect(decodeClientCommand(encodeClient.nack(8, 3, "decode-error", "bad json"))).toEqual({
      cmd: "NACK",
      reqId: 8,
      tag: 3,
      deadLetter: "decode-error",
      error: "bad json",
    });
    // Long text is cut to 1 KiB without splitting a character (é is 2 bytes).
    const cut = decodeClientCommand(encodeClient.nack(8, 3, null, "é".repeat(600)));
    expect(cut).toMatchObject({ cmd: "NACK", error: "é".repeat(512) });
    expect(decodeClientCommand(encodeClient.nack(8, 3, null, "a" + "é".repeat(600)))).toMatchObject({ error: "a" + "é".repeat(511) });
    expect(decodeClientCommand(encodeClient.extend(9, 3, 60_000))).toEqual({ cmd: "EXTEND", reqId: 9, tag: 3, leaseMs: 60_000 });
    expect(decodeClientCommand(encodeClient.stats(9))).toEqual({ cmd: "STATS", reqId: 9 });
    expect(decodeClientCommand(encodeClient.ping())).toEqual({ cmd: "PING" });
    expect(decodeClientCommand(encodeClient.bye())).toEqual({ cmd: "BYE" });
  });

  it("decodes what the broker encodes", () => {
    expect(decodeBrokerMessage(encodeBroker.ok(5, u64(12)))).toEqual({ kind: "OK", reqId: 5, args: [u64(12)] });
    expect(decodeBrokerMessage(encodeBroker.error(5, "ENOENT", "gone"))).toEqual({ kind: "ERROR", reqId: 5, code: "ENOENT", message: "gone" });
    expect(decodeBrokerMessage(encodeBroker.deliver(1, 2, 3, 4, B("b")))).toEqual({ kind: "DELIVER", subId: 1, tag: 2, seq: 3, attempt: 4, body: B("b") });
    expect(decodeBrokerMessage(encodeBroker.pong(null))).toEqual({ kind: "PONG", sessionId: Buffer.alloc(0) });
    expect(() => decodeBrokerMessage([B("WHAT")])).toThrow(ProtocolViolation);
  });
});

describe("broker answers bad requests with an error code and goes on", () => {
  async function setup(): Promise<{ dealer: Dealer; ask(frames: Buffer[]): Promise<Buffer[]> }> {
    const broker = new Broker({ memory: true, bind: "tcp://127.0.0.1:0", maxMessageBytes: 16 });
    brokers.push(broker);
    await broker.start();
    const dealer = open.track(new Dealer({ linger: 0 }));
    dealer.connect(broker.endpoints[0]!);
    return {
      dealer,
      async ask(frames) {
        await dealer.send(frames);
        return within(dealer.receive(), 5000, "broker reply");
      },
    };
  }

  function errorOf(reply: Buffer[]): { reqId: number; code: string } {
    const m = decodeBrokerMessage(reply);
    if (m.kind !== "ERROR") throw new Error(`expected ERROR, got ${m.kind}`);
    return { reqId: m.reqId, code: m.code };
  }

  // No frames at all cannot be sent, and a lone empty frame is a DEALER's probe, ignored.
  it.each(BAD_REQUESTS.filter(([, frames]) => frames.length > 0 && frames[0]!.length > 0))("%s", async (_what, frames, reqId, code) => {
    const { ask } = await setup();
    expect(errorOf(await ask(frames))).toEqual({ reqId, code });
    // The broker is still there for the same client.
    const ok = decodeBrokerMessage(await ask(encodeClient.put(99, "q", B("fine"))));
    expect(ok).toMatchObject({ kind: "OK", reqId: 99 });
  });

  it("an empty command frame followed by more", async () => {
    const { ask } = await setup();
    expect(errorOf(await ask([B(""), B("")]))).toEqual({ reqId: 0, code: ErrorCode.PROTO });
  });

  it("needs a session for deliveries, knows its tags and subscription ids, limits sizes and versions", async () => {
    const { ask } = await setup();
    expect(errorOf(await ask(encodeClient.ack(1, 1)))).toEqual({ reqId: 1, code: ErrorCode.SESSION });
    expect(errorOf(await ask([B("HELLO"), u32(2), u32(2)]))).toEqual({ reqId: 2, code: ErrorCode.VERSION });
    expect(decodeBrokerMessage(await ask(encodeClient.hello(3)))).toMatchObject({ kind: "OK", reqId: 3 });
    expect(errorOf(await ask(encodeClient.ack(4, 12345)))).toEqual({ reqId: 4, code: ErrorCode.NOENT });
    expect(errorOf(await ask(encodeClient.cancel(5, 1)))).toEqual({ reqId: 5, code: ErrorCode.NOENT });
    expect(errorOf(await ask(encodeClient.extend(5, 12345, 0)))).toEqual({ reqId: 5, code: ErrorCode.NOENT });
    expect(decodeBrokerMessage(await ask(encodeClient.consume(6, 1, "q", 1, 0)))).toMatchObject({ kind: "OK", reqId: 6 });
    expect(errorOf(await ask(encodeClient.consume(7, 1, "q", 1, 0)))).toEqual({ reqId: 7, code: ErrorCode.EXIST });
    expect(errorOf(await ask(encodeClient.put(8, "q", Buffer.alloc(17))))).toEqual({ reqId: 8, code: ErrorCode.MSGSIZE });
    expect(decodeBrokerMessage(await ask(encodeClient.ping()))).toMatchObject({ kind: "PONG" });
  });
});
