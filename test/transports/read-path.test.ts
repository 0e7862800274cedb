/**
 * The receive path reads into memory the engine picks (Node's `onread`): a slab whose views
 * become messages, a shared scratch that is copied out, or a large frame's own buffer. These
 * tests check that no message is ever overwritten by a later read, whatever the mix of sizes,
 * that accepted sockets really take this path, and the pieces on their own.
 */
import * as net from "node:net";
import { once } from "node:events";
import diagnostics from "node:diagnostics_channel";
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull, Push, curveKeyPair } from "../../lib/index.js";
import { ReadArena } from "../../lib/engine/read-arena.js";
import { FrameDecoder, encodeFrame, type FrameSink } from "../../lib/wire/frame.js";
import { listen, dial, type Listener } from "../../lib/transports/stream.js";
import { listenSync } from "../../lib/transports/listen-sync.js";
import { attachReader, type StreamReader } from "../../lib/transports/reader.js";
import { parseEndpoint } from "../../lib/transports/endpoint.js";
import { tmpIpc } from "../helpers/endpoints.js";
import { tracker, within } from "../helpers/sockets.js";

zmq.context.blocky = false;
const { track, closeAll } = tracker();
afterEach(closeAll);

/** Sizes that cross every threshold of the read path: tiny, slab-sized, direct-read, huge. */
const SIZES = [0, 1, 16, 255, 256, 4095, 8192, 16383, 16384, 16385, 65536, 100_000, 1 << 20, 3, 70_000, 5];

function payload(seq: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (seq * 31 + i * 7) & 0xff;
  return b;
}

function check(seq: number, frame: Buffer, size: number): void {
  expect(frame.length).toBe(size);
  for (let i = 0; i < size; i += 997) {
    if (frame[i] !== ((seq * 31 + i * 7) & 0xff)) throw new Error(`message ${seq} byte ${i} overwritten`);
  }
  if (size > 0 && frame[size - 1] !== ((seq * 31 + (size - 1) * 7) & 0xff)) throw new Error(`message ${seq} tail overwritten`);
}

const COUNT = 600;
const sizeOf = (seq: number): number => SIZES[(seq * 7) % SIZES.length]!;

/** Sends COUNT numbered messages of mixed sizes, holds every one received, then checks them all. */
async function sendAndHoldAll(
  push: { send(msg: Buffer[]): Promise<void> },
  pull: { receive(): Promise<Buffer[]> },
): Promise<void> {
  const sending = (async () => {
    for (let seq = 0; seq < COUNT; seq++) await push.send([Buffer.from([seq >> 8, seq & 0xff]), payload(seq, sizeOf(seq))]);
  })();
  const held: Buffer[][] = [];
  while (held.length < COUNT) held.push(await within(pull.receive(), 10_000, `message ${held.length}`));
  await sending;
  for (let seq = 0; seq < COUNT; seq++) {
    const [head, body] = held[seq]!;
    expect(head!.readUInt16BE(0)).toBe(seq);
    check(seq, body!, sizeOf(seq));
  }
}

describe("receive path: messages stay intact while held", () => {
  for (const [transport, endpoint] of [["tcp", () => "tcp://127.0.0.1:*"], ["ipc", tmpIpc]] as const) {
    for (const sender of ["wiremq", "zeromq"] as const) {
      for (const binder of ["pull", "push"] as const) {
        it(`${transport}: ${sender} PUSH, ${binder} binds, ${COUNT} mixed sizes held until the end`, async () => {
          const push = track(sender === "wiremq" ? new Push({ linger: 1000 }) : new zmq.Push({ linger: 1000 }));
          const pull = track(new Pull());
          if (binder === "pull") {
            await pull.bind(endpoint());
            push.connect(pull.lastEndpoint!);
          } else {
            await push.bind(endpoint());
            pull.connect(push.lastEndpoint!);
          }
          await sendAndHoldAll(push, pull);
        });
      }
    }
  }
});

describe("receive path over CURVE (frame bodies reused once decrypted)", () => {
  for (const sender of ["wiremq", "zeromq"] as const) {
    it(`${sender} PUSH → wiremq PULL: ${COUNT} mixed sizes held until the end`, async () => {
      const server = curveKeyPair();
      const client = sender === "wiremq" ? curveKeyPair() : zmq.curveKeyPair();
      const pull = track(new Pull({ curveServer: true, curveSecretKey: server.secretKey }));
      await pull.bind("tcp://127.0.0.1:*");
      const options = { linger: 1000, curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey };
      const push = track(sender === "wiremq" ? new Push(options) : new zmq.Push(options));
      push.connect(pull.lastEndpoint!);
      await sendAndHoldAll(push, pull);
    });
  }
});

describe("accepted connections", () => {
  it("read through the engine's reader, and the listener still closes", async () => {
    const ep = parseEndpoint("tcp://127.0.0.1:0", true);
    const got: Buffer[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    let first!: () => void;
    const firstByte = new Promise<void>((r) => (first = r));
    let accepted: net.Socket | null = null;
    let offered = 0;
    const listener = await listen(ep, (sock) => {
      accepted = sock;
      const reader: StreamReader = {
        readBuffer: () => {
          offered++;
          return Buffer.allocUnsafe(1000);
        },
        onRead: (buf, n) => {
          got.push(Buffer.from(buf.subarray(0, n)));
          if (Buffer.concat(got).length === 1) first();
          if (Buffer.concat(got).length === 5001) done();
        },
      };
      attachReader(sock, reader);
    });
    const client = dial(parseEndpoint(listener.endpoint, false));
    await once(client, "connect");
    // The first read lands in the scratch offered before the reader was attached.
    client.write(Buffer.alloc(1, 9));
    await within(firstByte, 5000, "first byte");
    client.end(Buffer.alloc(5000, 9));
    await within(finished, 5000, "5001 bytes");
    // Reads of at most 1000 bytes prove the reader's own buffers were used, not 'data' chunks.
    expect(offered).toBeGreaterThanOrEqual(6);
    expect(got.length).toBeGreaterThanOrEqual(6);
    expect(got.every((b) => b.length <= 1000)).toBe(true);
    expect(Buffer.concat(got).equals(Buffer.alloc(5001, 9))).toBe(true);
    accepted!.destroy();
    client.destroy();
    await within(listener.close(), 5000, "listener close");
  });

  // Node's server once made a socket per connection that adoptAccepted replaced with a second:
  // twice the sockets to build and collect when thousands of peers connect at once.
  it.each(["tcp://127.0.0.1:0", "ipc"])("%s: each accepted connection is one socket, none made by Node's server", async (address) => {
    const nodeMade: unknown[] = [];
    const onSocket = (message: unknown): void => void nodeMade.push(message);
    diagnostics.subscribe("net.server.socket", onSocket);
    const listeners: Listener[] = [];
    const clients: net.Socket[] = [];
    const accepted: net.Socket[] = [];
    let hellos = 0;
    try {
      const bound = address === "ipc" ? [tmpIpc(), tmpIpc()] : [address, address];
      const arrived = new Promise<void>((resolve) => {
        const onConnection = (sock: net.Socket): void => {
          accepted.push(sock);
          const got: Buffer[] = [];
          attachReader(sock, { readBuffer: () => null, onRead: (buf, n) => {
            got.push(Buffer.from(buf.subarray(0, n)));
            if (Buffer.concat(got).toString() === "hello" && ++hellos === 4) resolve();
          } });
        };
        listeners.push(listenSync(parseEndpoint(bound[0]!, true), onConnection));
        void listen(parseEndpoint(bound[1]!, true), onConnection).then((l) => {
          listeners.push(l);
          for (const l of listeners) {
            for (let i = 0; i < 2; i++) {
              const c = dial(parseEndpoint(l.endpoint, false));
              clients.push(c);
              c.once("connect", () => c.write("hello"));
            }
          }
        });
      });
      await within(arrived, 5000, "4 connections");
      expect(accepted).toHaveLength(4);
      expect(nodeMade).toEqual([]);
    } finally {
      diagnostics.unsubscribe("net.server.socket", onSocket);
      for (const c of [...clients, ...accepted]) c.destroy();
      await Promise.all(listeners.map((l) => l.close()));
    }
  });

  it("bytes that arrive before a reader is attached are handed to it first", async () => {
    const ep = parseEndpoint("tcp://127.0.0.1:0", true);
    let sockP!: (s: net.Socket) => void;
    const acceptedP = new Promise<net.Socket>((r) => (sockP = r));
    const listener = await listen(ep, (sock) => sockP(sock));
    const client = dial(parseEndpoint(listener.endpoint, false));
    await once(client, "connect");
    client.write(Buffer.from("early bytes"));
    const sock = await acceptedP;
    // Give the bytes time to be read with no reader attached.
    await new Promise((r) => setTimeout(r, 50));
    const chunks: Buffer[] = [];
    const all = new Promise<void>((resolve) => {
      attachReader(sock, {
        readBuffer: () => null,
        onRead: (buf, n) => {
          chunks.push(Buffer.from(buf.subarray(0, n)));
          if (Buffer.concat(chunks).toString() === "early bytes, late bytes") resolve();
        },
      });
    });
    client.write(Buffer.from(", late bytes"));
    await within(all, 5000, "all bytes in order");
    sock.destroy();
    client.destroy();
    await listener.close();
  });
});

describe("ReadArena", () => {
  it("offers the shared scratch (null) until reads get large, then slab memory", () => {
    const arena = new ReadArena();
    expect(arena.next()).toBeNull();
    const small = Buffer.from("hello");
    expect(arena.take(small, 5)).toBe(small);
    expect(arena.next()).toBeNull();
    arena.take(Buffer.alloc(9000), 9000);
    const slab = arena.next()!;
    expect(slab.length).toBeGreaterThanOrEqual(16 * 1024);
  });

  it("hands out consecutive slab regions that later reads never overwrite", () => {
    const arena = new ReadArena();
    arena.sawRead(64 * 1024);
    const kept: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      const buf = arena.next()!;
      const n = Math.min(buf.length, 10_000);
      buf.fill(i, 0, n);
      kept.push(arena.take(buf, n));
    }
    kept.forEach((chunk, i) => {
      expect(chunk.length).toBe(10_000);
      expect(chunk.every((b) => b === i)).toBe(true);
    });
  });

  it("honours a short-read limit even when reads were small", () => {
    const arena = new ReadArena();
    const buf = arena.next(4096)!;
    expect(buf.length).toBe(4096);
  });
});

describe("FrameDecoder transient bodies", () => {
  function splitFrames(decoder: FrameDecoder, sizes: number[]): Buffer[] {
    const seen: Buffer[] = [];
    const sink: FrameSink = { onFrame: (_f, b) => void seen.push(b) };
    for (const size of sizes) {
      const wire = encodeFrame(0, payload(size, size));
      // Split inside the body, so the body is gathered across chunks.
      decoder.push(wire.subarray(0, 100), sink);
      decoder.push(wire.subarray(100), sink);
    }
    return seen;
  }

  it("are off by default: every gathered body is its own memory", () => {
    const [a, b] = splitFrames(new FrameDecoder(), [30_000, 20_000]);
    expect(a!.buffer === b!.buffer && a!.byteOffset === b!.byteOffset).toBe(false);
    expect(a!.equals(payload(30_000, 30_000))).toBe(true);
  });

  it("reuse one buffer for gathered bodies up to 1 MiB when on, and not beyond", () => {
    const decoder = new FrameDecoder();
    decoder.transientBodies = true;
    const [a, b, big] = splitFrames(decoder, [30_000, 20_000, 2 << 20]);
    expect(b!.buffer).toBe(a!.buffer);
    expect(b!.byteOffset).toBe(a!.byteOffset);
    expect(b!.equals(payload(20_000, 20_000))).toBe(true);
    expect(big!.buffer).not.toBe(a!.buffer);
    expect(big!.equals(payload(2 << 20, 2 << 20))).toBe(true);
  });
});

describe("FrameDecoder direct body reads", () => {
  it("fills a split frame's body in place and emits it whole", () => {
    const body = payload(3, 50_000);
    const wire = encodeFrame(0, body);
    const frames: Buffer[] = [];
    const sink: FrameSink = { onFrame: (_f, b) => void frames.push(b) };
    const dec = new FrameDecoder();
    dec.push(wire.subarray(0, 1000), sink);
    expect(dec.bodyMissing).toBe(wire.length - 1000);
    let at = 1000;
    while (dec.bodyMissing > 0) {
      const tail = dec.bodyTail();
      const n = Math.min(tail.length, 7000);
      wire.copy(tail, 0, at, at + n);
      at += n;
      dec.bodyWritten(n, sink);
    }
    expect(frames).toHaveLength(1);
    expect(frames[0]!.equals(body)).toBe(true);
    expect(dec.idle).toBe(true);
  });
});
