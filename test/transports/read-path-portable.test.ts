/**
 * The portable read path ('data' events; no `onread`, no handle adoption), the one Bun's
 * accepted sockets take, driven under Node so the Node suite covers both paths: messages of
 * every size stay intact while held, a 16 MiB body arrives whole, the receive high-water mark
 * still pushes back on the sender over TCP, and the reader is never asked for memory.
 */
import { once } from "node:events";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Pull, Push } from "../../lib/index.js";
import { listen, dial } from "../../lib/transports/stream.js";
import { attachReader, usePortableReads } from "../../lib/transports/reader.js";
import { parseEndpoint } from "../../lib/transports/endpoint.js";
import { networkTransports } from "../helpers/endpoints.js";
import { tracker, within } from "../helpers/sockets.js";

zmq.context.blocky = false;
const { track, closeAll } = tracker();
// This file runs in its own process (vitest's forks pool): the switch stays within it.
beforeAll(() => usePortableReads(true));
afterEach(closeAll);

const SIZES = [0, 1, 16, 255, 256, 8192, 16384, 16385, 65536, 100_000, 1 << 20, 3, 70_000];
const COUNT = 300;
const sizeOf = (seq: number): number => SIZES[(seq * 7) % SIZES.length]!;

function payload(seq: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (seq * 31 + i * 7) & 0xff;
  return b;
}

describe("portable read path", () => {
  it("hands the reader the runtime's own chunks and never asks it for memory", async () => {
    const listener = await listen(parseEndpoint("tcp://127.0.0.1:0", true), (sock) => {
      attachReader(sock, {
        readBuffer: () => {
          asked++;
          return Buffer.allocUnsafe(100);
        },
        onRead: (buf, n) => {
          got.push(Buffer.from(buf.subarray(0, n)));
          if (Buffer.concat(got).length === 200_000) done();
        },
      });
      // The transport's connections are half-open (an engine ends its side): end ours here.
      sock.on("end", () => sock.end());
      track(sock);
    });
    let asked = 0;
    const got: Buffer[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const client = track(dial(parseEndpoint(listener.endpoint, false)));
    await once(client, "connect");
    client.end(payload(1, 200_000));
    await within(all, 5000, "200,000 bytes");
    expect(asked).toBe(0);
    expect(Buffer.concat(got).equals(payload(1, 200_000))).toBe(true);
    await listener.close();
  });

  for (const [transport, endpoint] of networkTransports) {
    for (const sender of ["wiremq", "zeromq"] as const) {
      it(`${transport}: ${sender} PUSH → PULL, ${COUNT} mixed sizes held until the end, then 16 MiB`, async () => {
        const pull = track(new Pull());
        await pull.bind(endpoint());
        const push = track(sender === "wiremq" ? new Push({ linger: 1000 }) : new zmq.Push({ linger: 1000 }));
        push.connect(pull.lastEndpoint!);
        const huge = payload(9, 16 << 20);
        const sending = (async () => {
          for (let seq = 0; seq < COUNT; seq++) await push.send([Buffer.from([seq >> 8, seq & 0xff]), payload(seq, sizeOf(seq))]);
          await push.send([Buffer.from([0xff, 0xff]), huge]);
        })();
        const held: Buffer[][] = [];
        while (held.length <= COUNT) held.push(await within(pull.receive(), 10_000, `message ${held.length}`));
        await sending;
        for (let seq = 0; seq < COUNT; seq++) {
          const [head, body] = held[seq]!;
          expect(head!.readUInt16BE(0)).toBe(seq);
          expect(body!.equals(payload(seq, sizeOf(seq))), `message ${seq}`).toBe(true);
        }
        expect(held[COUNT]![1]!.equals(huge)).toBe(true);
      });
    }
  }

  it("tcp: a PULL that does not read pushes back until the PUSH's sends time out, and loses nothing", async () => {
    const pull = track(new Pull({ receiveHighWaterMark: 8 }));
    await pull.bind("tcp://127.0.0.1:*");
    const push = track(new Push({ sendHighWaterMark: 8, sendTimeout: 200, linger: 0 }));
    push.connect(pull.lastEndpoint!);
    // 2,000 × 64 KiB = 125 MiB: far beyond the kernel's buffers, so only backpressure stops it.
    const LIMIT = 2000;
    let sent = 0;
    let blocked: unknown = null;
    for (; sent < LIMIT; sent++) {
      try {
        await push.send(payload(sent, 65536));
      } catch (err) {
        blocked = err;
        break;
      }
    }
    expect((blocked as { code?: string } | null)?.code).toBe("EAGAIN");
    expect(sent).toBeLessThan(LIMIT);
    for (let seq = 0; seq < sent; seq++) {
      const [body] = await within(pull.receive(), 5000, `message ${seq}`);
      expect(body!.equals(payload(seq, 65536)), `message ${seq}`).toBe(true);
    }
  });
});
