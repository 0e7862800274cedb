/**
 * A body read in place arrives intact across any chunking (issue 20): frames of sizes around
 * every threshold of the read path (bodies gathered in a slab, bodies of their own) go through
 * the real pieces — the transport's `onread` slot
 * (withReader/attachReader on a real, unconnected net.Socket), ReadPlan, ReadArena and
 * FrameDecoder — as StreamEngine wires them, with each read cut short at a seeded random
 * length, as the kernel may. Every frame is held until the end, so a later read that
 * overwrote an earlier frame's memory (scratch, slab or body) is caught.
 */
import * as net from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReadPlan } from "../../lib/engine/read-plan.js";
import { encodeFrame, FLAG_MORE, type FrameSink } from "../../lib/wire/frame.js";
import { attachReader, withReader, type StreamReader } from "../../lib/transports/reader.js";
import { rng, int } from "../helpers/random.js";
import { propertyRuns } from "../helpers/property.js";

/**
 * Sizes just around the read path's thresholds (4 KiB header reads, 8 KiB bulk, 16 KiB direct,
 * 128 KiB slabs, 256 KiB bodies in a slab, 1 MiB large slabs).
 */
const frameSize = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 300 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(4095, 4096, 4097, 8191, 8192, 16383, 16384, 16385, 65535, 65536, 131071, 131072, 262143, 262144, 262145, 1 << 20),
  },
  { weight: 2, arbitrary: fc.integer({ min: 1000, max: 70_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 1_100_000 }) },
);

function body(seq: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (seq * 131 + i * 7 + (i >> 8)) & 0xff;
  return b;
}

/** StreamEngine's read steps, with a FrameSink that keeps every frame. */
class Receiver implements StreamReader, FrameSink {
  readonly frames: Buffer[] = [];
  private readonly plan = new ReadPlan();
  private readonly decoder = this.plan.decoder();

  readBuffer(): Buffer | null {
    return this.plan.next(this.decoder, true);
  }

  onRead(buf: Buffer, n: number): void {
    if (this.plan.readInPlace(buf, n)) {
      this.decoder.bodyWritten(n, this);
      return;
    }
    this.decoder.push(this.plan.take(buf, n), this);
    this.plan.sawFrame(this.decoder.bodyMissing);
  }

  onFrame(_flags: number, frame: Buffer): void {
    this.plan.sawFrame(frame.length);
    this.frames.push(frame);
  }
}

/**
 * Feeds `wire` through the socket's onread slot as a runtime would: ask for memory, write at
 * most its length (and at most a seeded random count) into it, report the count.
 */
/** A socket with the reader attached, feeding a Receiver, and the onread slot it was made with. */
function readerSocket(): { sock: net.Socket; receiver: Receiver; onread: net.OnReadOpts } {
  let captured: net.OnReadOpts | undefined;
  const sock = withReader((onread) => {
    captured = onread;
    return new net.Socket({ onread } as net.SocketConstructorOpts);
  });
  const receiver = new Receiver();
  attachReader(sock, receiver);
  return { sock, receiver, onread: captured! };
}

/**
 * Reads `wire` through a reader-attached socket's onread slot, at most `piece` bytes per read,
 * into the memory the reader chooses; returns what arrived and the ArrayBuffers the reads landed in.
 */
function readInPieces(wire: Buffer, piece: number): { receiver: Receiver; targets: Set<ArrayBufferLike> } {
  const { sock, receiver, onread } = readerSocket();
  const getBuffer = onread.buffer as () => Uint8Array;
  const targets = new Set<ArrayBufferLike>();
  for (let at = 0; at < wire.length; ) {
    const buf = getBuffer();
    targets.add(buf.buffer);
    const n = Math.min(buf.length, piece, wire.length - at);
    wire.copy(buf, 0, at, at + n);
    at += n;
    onread.callback(n, buf);
  }
  sock.destroy();
  return { receiver, targets };
}

function feed(onread: net.OnReadOpts, wire: Buffer, seed: number): { reads: number } {
  const r = rng(seed);
  const getBuffer = onread.buffer as () => Uint8Array;
  let at = 0;
  let reads = 0;
  while (at < wire.length) {
    const buf = getBuffer();
    // Short reads of every scale: a few bytes, a segment, or all the buffer takes.
    const pick = int(r, 3);
    const cap = pick === 0 ? 1 + int(r, 64) : pick === 1 ? 1 + int(r, 70_000) : buf.length;
    const n = Math.min(buf.length, cap, wire.length - at);
    wire.copy(buf, 0, at, at + n);
    at += n;
    reads++;
    onread.callback(n, buf);
  }
  return { reads };
}

describe("read in place", () => {
  it("every frame arrives intact and stays intact while held, whatever the read lengths", () => {
    fc.assert(
      fc.property(fc.array(frameSize, { minLength: 1, maxLength: 24 }), fc.integer(), (sizes, seed) => {
        const bodies = sizes.map((size, seq) => body(seq, size));
        const wire = Buffer.concat(bodies.map((b, i) => encodeFrame(i % 3 === 2 ? 0 : FLAG_MORE, b)));
        const { sock, receiver, onread } = readerSocket();
        feed(onread, wire, seed);
        sock.destroy();
        expect(receiver.frames).toHaveLength(bodies.length);
        receiver.frames.forEach((frame, i) => {
          if (!frame.equals(bodies[i]!)) throw new Error(`frame ${i} (${bodies[i]!.length} bytes) arrived altered`);
        });
      }),
      propertyRuns(0.2),
    );
  });

  it("a large body is read straight into its own buffer (the reads land in it, not in a copy)", () => {
    const big = body(1, 1 << 20);
    // Reads of 64 KiB: the first takes the header and the start of the body, the rest go in place.
    const { receiver, targets } = readInPieces(encodeFrame(0, big), 65536);
    expect(receiver.frames).toHaveLength(1);
    expect(receiver.frames[0]!.equals(big)).toBe(true);
    expect(targets.has(receiver.frames[0]!.buffer)).toBe(true);
  });

  it("64 KiB frames streaming in are read into shared slabs, not each into a buffer of its own", () => {
    const bodies = Array.from({ length: 32 }, (_, seq) => body(seq, 65536));
    // Reads of 100,000 bytes, which no frame boundary lines up with.
    const { receiver } = readInPieces(Buffer.concat(bodies.map((b) => encodeFrame(0, b))), 100_000);
    expect(receiver.frames).toHaveLength(bodies.length);
    receiver.frames.forEach((frame, i) => expect(frame.equals(bodies[i]!)).toBe(true));
    // 2 MiB of frames: the first read's copy, a 128 KiB slab, two 1 MiB slabs, and the frames
    // that did not fit the room left in a slab, each in a buffer of its own (before: 32 buffers).
    expect(new Set(receiver.frames.map((f) => f.buffer)).size).toBeLessThanOrEqual(6);
  });
});
