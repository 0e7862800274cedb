/**
 * Batch buffers are reused once the kernel has taken their bytes, never while a write of
 * them is still queued: over a real tcp connection whose reader is paused, a written buffer
 * comes back from take() only after the queue drained, and a reused one carries the next
 * batch's bytes intact to the peer.
 */
import * as net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { BatchSlabs } from "../../lib/engine/batch-slabs.js";
import { BATCH_BYTES, SMALL_BATCH_BYTES } from "../../lib/engine/outbound-batch.js";

const opened: net.Socket[] = [];
const servers: net.Server[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

/** A connected pair: `writer` dials, `reader` is the accepted end, paused. */
async function pair(): Promise<{ writer: net.Socket; reader: net.Socket }> {
  const server = net.createServer({ pauseOnConnect: true });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const writer = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
  opened.push(writer);
  await new Promise<void>((resolve) => writer.once("connect", resolve));
  const reader = await accepted;
  opened.push(reader);
  return { writer, reader };
}

describe("BatchSlabs", () => {
  it("hands a written buffer out again only once the socket's queue has let go of it", async () => {
    const { writer, reader } = await pair();
    const slabs = new BatchSlabs();
    const written: Buffer[] = [];
    // Enough to fill the kernel's buffers, so later writes stay queued in the socket.
    while (writer.writableLength === 0 || written.length < 2) {
      const slab = slabs.take(writer);
      expect(written).not.toContain(slab);
      slab.fill(written.length & 0xff);
      writer.write(slab);
      slabs.written(slab, slab.length, writer);
      if (writer.writableLength === 0) continue;
      written.push(slab);
      if (written.length > 64) throw new Error("the kernel took 16 MiB without pushing back");
    }
    // Still queued: whatever take() gives now is none of the queued buffers.
    expect(written).not.toContain(slabs.take(writer));
    const drained = new Promise<void>((resolve) => writer.once("drain", resolve));
    let received = 0;
    reader.on("data", (chunk: Buffer) => (received += chunk.length));
    reader.resume();
    await drained;
    expect(writer.writableLength).toBe(0);
    expect(written).toContain(slabs.take(writer));
    expect(received).toBeGreaterThan(0);
  });

  it("a reused buffer carries its new bytes to the peer, and only a batch-sized one is kept", async () => {
    const { writer, reader } = await pair();
    const slabs = new BatchSlabs();
    const got: Buffer[] = [];
    reader.on("data", (chunk: Buffer) => got.push(chunk));
    reader.resume();
    const first = slabs.take(writer);
    expect(first.length).toBe(BATCH_BYTES);
    first.fill(1, 0, 100);
    writer.write(first.subarray(0, 100));
    slabs.written(first, 100, writer);
    await new Promise<void>((resolve) => (writer.writableLength === 0 ? resolve() : writer.once("drain", resolve)));
    slabs.idle(writer);
    const again = slabs.take(writer);
    expect(again).toBe(first);
    again.fill(2, 0, 100);
    writer.write(again.subarray(0, 100));
    slabs.written(Buffer.alloc(10), 100, writer);
    await new Promise<void>((resolve) => writer.end(resolve));
    await new Promise<void>((resolve) => reader.once("end", resolve));
    const all = Buffer.concat(got);
    expect(all.equals(Buffer.concat([Buffer.alloc(100, 1), Buffer.alloc(100, 2)]))).toBe(true);
    expect(slabs.take(writer)).not.toBe(first);
  });

  it("connections share one small buffer while the kernel takes their writes at once, and one a socket keeps queued is left to it", async () => {
    const a = await pair();
    const b = await pair();
    const slabsA = new BatchSlabs();
    const slabsB = new BatchSlabs();
    const small = slabsA.take(a.writer, true);
    expect(small.length).toBe(SMALL_BATCH_BYTES);
    a.writer.write(small.fill(7, 0, 10).subarray(0, 10));
    slabsA.written(small, 10, a.writer);
    expect(a.writer.writableLength).toBe(0);
    // The kernel took those bytes: the next flush, on any connection, writes from the same memory.
    const kept = slabsB.take(b.writer, true);
    expect(kept).toBe(small);
    // b's kernel buffers fill up (its reader is paused), so this batch stays queued in the socket.
    const filler = Buffer.alloc(BATCH_BYTES);
    while (b.writer.writableLength === 0) b.writer.write(filler);
    b.writer.write(kept.fill(9, 0, 64).subarray(0, 64));
    slabsB.written(kept, 64, b.writer);
    // The socket keeps that buffer: the next flush anywhere gets another, and so does one on a
    // socket with bytes still queued.
    const next = slabsA.take(a.writer, true);
    expect(next).not.toBe(kept);
    next.fill(1);
    expect(slabsB.take(b.writer, true)).not.toBe(next);
    const got: Buffer[] = [];
    b.reader.on("data", (chunk: Buffer) => got.push(chunk));
    const ended = new Promise<void>((resolve) => b.reader.once("end", resolve));
    b.reader.resume();
    b.writer.end();
    await ended;
    const all = Buffer.concat(got);
    expect(all.subarray(all.length - 64).equals(Buffer.alloc(64, 9))).toBe(true);
  });
});
