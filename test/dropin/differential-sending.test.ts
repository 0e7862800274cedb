/**
 * What send accepts, as zeromq: every value becomes frames the same way (bytes of buffers and
 * views, nothing for null, String() of the rest), checked by the bytes a third socket
 * receives; what zeromq refuses is refused with its error, at the call. Small buffers are
 * copied when queued, so the caller's buffer can be collected.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { expectSame, plain, settle, type Run, type Zmq } from "../helpers/differential.js";

const MARKER = Buffer.from("marker after the message");

function patterned(length: number): ArrayBuffer {
  const buffer = new ArrayBuffer(length);
  new Uint8Array(buffer).forEach((_, i, bytes) => (bytes[i] = i));
  return buffer;
}

function sharedBytes(): SharedArrayBuffer {
  const shared = new SharedArrayBuffer(3);
  new Uint8Array(shared).set([5, 6, 7]);
  return shared;
}

/** Each value as a message of its own, then all of them as the parts of one message. */
const VALUES: Record<string, () => unknown> = {
  "true": () => true,
  "false": () => false,
  "a plain object": () => ({ a: 1 }),
  "an object with toString": () => ({ toString: () => "custom" }),
  "a date": () => new Date(0),
  "a function": () => function named() {},
  "a bigint": () => 10n,
  "a promise": () => Promise.resolve(1),
  "a number": () => 1.5,
  "minus zero": () => -0,
  "NaN": () => NaN,
  "a string": () => "héllo",
  "null": () => null,
  "an ArrayBuffer": () => patterned(4),
  "a large ArrayBuffer": () => patterned(300),
  "a SharedArrayBuffer": () => sharedBytes(),
  "a Uint8Array with an offset": () => new Uint8Array(patterned(16), 10, 3),
  "a Uint16Array with an offset": () => new Uint16Array(patterned(16), 4, 2),
  "a Float64Array": () => new Float64Array([1]),
  "a Buffer slice": () => Buffer.from(patterned(16)).subarray(3, 9),
  "a large Buffer": () => Buffer.from(patterned(200)),
  "an empty Buffer": () => Buffer.alloc(0),
  "a nested array": () => [1, 2],
  "an array of mixed values": () => [1, "x", null, undefined, true, { toString: () => "ts" }],
};

/**
 * Sends `message` from a PUSH, then a marker, and returns how the send ended and what a PULL
 * received before the marker (null for nothing): no timeout decides that nothing came.
 */
async function sendAndReceive(zmq: Zmq, run: Run, message: () => unknown): Promise<unknown> {
  const pull = run.track(new zmq.Pull({ linger: 0 }));
  const push = run.track(new zmq.Push({ linger: 0 }));
  await pull.bind("tcp://127.0.0.1:*");
  push.connect(pull.lastEndpoint!);
  const sent = await settle(() => push.send(message() as never));
  await push.send(MARKER);
  const first = await pull.receive();
  if (first.length === 1 && first[0]!.equals(MARKER)) return { sent, received: null };
  await pull.receive();
  return { sent, received: plain(first) };
}

describe("message values (differential)", () => {
  for (const [name, value] of Object.entries(VALUES)) {
    it(`sends ${name} as zeromq does`, async () => {
      const seen = await expectSame((zmq, run) => sendAndReceive(zmq, run, value));
      expect(seen).toMatchObject({ resolved: { sent: { resolved: undefined } } });
    });
  }

  it("sends all of them as the parts of one message, byte for byte", async () => {
    const seen = await expectSame((zmq, run) => sendAndReceive(zmq, run, () => Object.values(VALUES).map((v) => v())));
    expect(seen).toMatchObject({ resolved: { sent: { resolved: undefined }, received: expect.any(Array) } });
  });

  it("sends nothing for an empty array", async () => {
    const seen = await expectSame((zmq, run) => sendAndReceive(zmq, run, () => []));
    expect(seen).toEqual({ resolved: { sent: { resolved: undefined }, received: null } });
  });

  const REFUSED: Record<string, () => unknown> = {
    "undefined": () => undefined,
    "a symbol": () => Symbol("s"),
    "a symbol among parts": () => ["a", Symbol("s")],
    "a DataView": () => new DataView(patterned(8), 2, 3),
    "a part whose toString throws": () => [{ toString: () => { throw new RangeError("no text"); } }],
    "the later of two bad parts first": () => [{ toString: () => { throw new Error("first"); } }, { toString: () => { throw new Error("second"); } }],
  };
  for (const [name, value] of Object.entries(REFUSED)) {
    it(`refuses ${name} at the call, with zeromq's error`, async () => {
      const seen = await expectSame((zmq, run) => sendAndReceive(zmq, run, value));
      expect(seen).toMatchObject({ resolved: { sent: { threw: {} }, received: null } });
    });
  }
});

describe("small buffers are copied when queued (differential)", () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;

  for (const size of [16, 128, 129]) {
    it(`a ${size}-byte buffer queued for a peer not yet connected is ${size > 128 ? "held" : "released"}`, async () => {
      const seen = await expectSame(async (zmq, run) => {
        const push = run.track(new zmq.Push({ linger: 0 }));
        // A port nothing listens on: the message waits in the queue.
        push.connect("tcp://127.0.0.1:1");
        let buffer: Buffer | null = Buffer.alloc(size, 7);
        const ref = new WeakRef(buffer);
        await push.send(buffer);
        buffer = null;
        // Let a turn pass so nothing on the stack still refers to it, then collect.
        await new Promise((resolve) => setImmediate(resolve));
        gc();
        return { collected: ref.deref() === undefined };
      });
      expect(seen).toEqual({ resolved: { collected: size <= 128 } });
    });
  }

  it("the receiver of an inproc message does not see the sender's later changes to a small buffer", async () => {
    const seen = await expectSame(async (zmq, run) => {
      const pull = run.track(new zmq.Pull({ linger: 0 }));
      const push = run.track(new zmq.Push({ linger: 0 }));
      await pull.bind(`inproc://copied-${run.lib}`);
      push.connect(`inproc://copied-${run.lib}`);
      const buffer = Buffer.from("before");
      await push.send(buffer);
      buffer.write("after!");
      return plain(await pull.receive());
    });
    expect(seen).toEqual({ resolved: [plain(Buffer.from("before"))] });
  });
});
