/**
 * Socket.disconnectAll(): lets go of every endpoint without cutting off what peers already sent.
 * A backlogged PULL (small receive HWM, large messages) leaves its PUSH; every message the PUSH
 * had sent arrives once, in order: over a binding PUSH (its queue for the leaving peer is
 * written before it ends the connection) and over a connecting PUSH (what was in the network
 * arrives; the PUSH keeps the rest for its next connection, as libzmq does).
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull, Push } from "../../lib/index.js";
import { networkTransports } from "../helpers/endpoints.js";
import { tracker, within } from "../helpers/sockets.js";

zmq.context.blocky = false;
const { track, closeAll } = tracker();
afterEach(closeAll);

const COUNT = 600;
/** 4 KiB each: 600 of them fill the kernel buffers and the PUSH's queue behind a PULL that stopped reading. */
const message = (seq: number): Buffer[] => [Buffer.from(String(seq)), Buffer.alloc(4096, seq & 0xff)];

const seqOf = (msg: Buffer[]): number => Number(String(msg[0]));

/** Receives what the socket holds, until it has nothing left (a PULL that let go of its peers). */
async function takeAll(pull: Pull): Promise<number[]> {
  const got: number[] = [];
  while (pull.readable) got.push(seqOf(await pull.receive()));
  return got;
}

/**
 * disconnectAll() while reading: with its queue full the PULL reads no more from the network,
 * so the peers' last bytes (and their end of stream) arrive only as it is read.
 */
async function leaveReading(pull: Pull): Promise<number[]> {
  const left = new AbortController();
  const leaving = within(pull.disconnectAll(), 10_000, "disconnectAll").finally(() => left.abort());
  const got: number[] = [];
  for (;;) {
    try {
      got.push(seqOf(await pull.receive({ signal: left.signal })));
    } catch (err) {
      if (!left.signal.aborted) throw err;
      break;
    }
  }
  await leaving;
  return [...got, ...(await takeAll(pull))];
}

/** Sends COUNT messages, then waits until the PULL's receive HWM holds it back (its queue is full). */
async function backlog(push: { send(m: Buffer[]): Promise<void> }, pull: Pull): Promise<void> {
  for (let seq = 0; seq < COUNT; seq++) await push.send(message(seq));
  while (!pull.readable) await new Promise((r) => setTimeout(r, 5));
}

describe.each(networkTransports)("disconnectAll over %s", (_name, endpoint) => {
  it("from a binding PUSH: all sent arrive, once and in order", async () => {
    const push = track(new Push({ linger: 0 }));
    await push.bind(endpoint());
    const pull = track(new Pull({ receiveHighWaterMark: 10 }));
    pull.connect(push.lastEndpoint!);
    await backlog(push, pull);
    expect(await leaveReading(pull)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(pull.closed).toBe(false);
  });

  it("from a connecting PUSH: what reached the network arrives; the rest goes to the next peer", async () => {
    const first = track(new Pull({ receiveHighWaterMark: 10 }));
    await first.bind(endpoint());
    const address = first.lastEndpoint!;
    const push = track(new Push({ linger: 0, reconnectInterval: 20 }));
    push.connect(address);
    await backlog(push, first);
    const before = await leaveReading(first);
    const next = track(new Pull());
    await next.bind(address);
    const after: number[] = [];
    while (before.length + after.length < COUNT) after.push(seqOf(await within(next.receive(), 10_000, "the rest")));
    expect([...before, ...after]).toEqual(Array.from({ length: COUNT }, (_, i) => i));
  });

  it("from a libzmq PUSH: resolves once libzmq closes, with an in-order prefix of what it sent", async () => {
    const push = track(new zmq.Push({ linger: 0 }));
    await push.bind(endpoint());
    const pull = track(new Pull({ receiveHighWaterMark: 10 }));
    pull.connect(push.lastEndpoint!);
    await backlog(push, pull);
    const got = await leaveReading(pull);
    expect(got.length).toBeGreaterThan(10);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i));
  });
});

describe("disconnectAll", () => {
  it("leaves the socket open: it may bind and receive again", async () => {
    const pull = track(new Pull());
    await pull.bind("tcp://127.0.0.1:*");
    await pull.disconnectAll();
    await pull.bind("tcp://127.0.0.1:*");
    const push = track(new Push({ linger: 0 }));
    push.connect(pull.lastEndpoint!);
    await push.send("again");
    expect(String((await within(pull.receive(), 5000, "a message"))[0])).toBe("again");
  });

  it("throws EBADF on a closed socket", async () => {
    const pull = new Pull();
    pull.close();
    expect(() => pull.disconnectAll()).toThrow(expect.objectContaining({ code: "EBADF" }));
  });
});
