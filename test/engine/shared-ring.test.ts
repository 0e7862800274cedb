/**
 * The shared-memory rings of a thread link, one end each in this thread: frames put by the
 * writer come out of the reader intact and in order across the ring's end, room is counted
 * exactly, and a writer waiting for room is woken once the reader frees some.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { copyInto, FrameRingReader, RingWriter } from "../../lib/engine/shared-ring.js";
import { int, rng } from "../helpers/random.js";

const RING = 64 * 1024;

function ringPair(wake: () => void = () => {}): { writer: RingWriter; reader: FrameRingReader } {
  const writer = new RingWriter(RING);
  return { writer, reader: new FrameRingReader(writer.data, writer.control, wake) };
}

describe("a frame ring", () => {
  it("frames of sizes that straddle the ring's end come out intact and in order, each in memory of its own, and the ring never holds more than its size", () => {
    const r = rng(20);
    const { writer, reader } = ringPair();
    const inRing: Array<{ frame: Buffer; at: number; span: number }> = [];
    let held = 0;
    let wrapped = 0;
    for (let round = 0; round < 400; round++) {
      // Put until full, then take a seeded number of the oldest.
      for (;;) {
        const frame = randomBytes(1 + int(r, 30_000));
        const at = writer.put(frame);
        if (at < 0) break;
        if (at + frame.length > RING) throw new Error("a frame was put across the ring's end");
        if (at === 0 && held > 0) wrapped++;
        inRing.push({ frame, at, span: writer.span });
        held += writer.span;
        expect(held).toBeLessThanOrEqual(RING);
      }
      for (let n = 1 + int(r, inRing.length); n > 0; n--) {
        const { frame, at, span } = inRing.shift()!;
        const got = reader.take(at, frame.length, span);
        expect(got.equals(frame)).toBe(true);
        expect(got.buffer instanceof SharedArrayBuffer).toBe(false);
        expect(got.byteLength).toBe(got.buffer.byteLength);
        held -= span;
      }
    }
    expect(wrapped).toBeGreaterThan(100);
  });

  it("a frame that does not fit is refused until the reader frees room; the writer that waits is woken once, and one that did not wait is not", () => {
    let woken = 0;
    const { writer, reader } = ringPair(() => woken++);
    const a = writer.put(Buffer.alloc(40 * 1024, 1));
    const spanA = writer.span;
    expect(a).toBe(0);
    expect(writer.put(Buffer.alloc(30 * 1024, 2))).toBe(-1);
    // Nothing freed since the refusal: the writer waits.
    expect(writer.waitForRoom()).toBe(true);
    expect(reader.take(a, 40 * 1024, spanA).every((b) => b === 1)).toBe(true);
    expect(woken).toBe(1);
    const b = writer.put(Buffer.alloc(30 * 1024, 2));
    expect(b).toBeGreaterThanOrEqual(0);
    reader.take(b, 30 * 1024, writer.span);
    expect(woken).toBe(1);
  });

  it("a waiting writer is woken once half the ring is free, not at every frame freed before", () => {
    let woken = 0;
    const { writer, reader } = ringPair(() => woken++);
    const frames = [1, 2, 3, 4].map((i) => ({ at: writer.put(Buffer.alloc(15 * 1024, i)), span: writer.span }));
    expect(writer.put(Buffer.alloc(15 * 1024))).toBe(-1);
    expect(writer.waitForRoom()).toBe(true);
    reader.take(frames[0]!.at, 15 * 1024, frames[0]!.span);
    expect(woken).toBe(0);
    reader.take(frames[1]!.at, 15 * 1024, frames[1]!.span);
    expect(woken).toBe(1);
    reader.take(frames[2]!.at, 15 * 1024, frames[2]!.span);
    expect(woken).toBe(1);
  });

  it("a writer refused just before the reader freed room does not wait (the reader saw no flag to wake it by)", () => {
    let woken = 0;
    const { writer, reader } = ringPair(() => woken++);
    const a = writer.put(Buffer.alloc(60 * 1024, 1));
    const spanA = writer.span;
    expect(writer.put(Buffer.alloc(10 * 1024))).toBe(-1);
    reader.take(a, 60 * 1024, spanA);
    expect(writer.waitForRoom()).toBe(false);
    expect(woken).toBe(0);
    expect(writer.put(Buffer.alloc(10 * 1024))).toBeGreaterThanOrEqual(0);
  });
});

describe("copyInto", () => {
  it("copies into and out of shared memory at any offset, and an empty source changes nothing", () => {
    const shared = Buffer.from(new SharedArrayBuffer(256));
    const src = randomBytes(100);
    for (const at of [0, 1, 3, 4, 7, 12, 155]) {
      shared.fill(0);
      copyInto(shared, src, at);
      expect(shared.subarray(at, at + 100).equals(src)).toBe(true);
      expect(shared.subarray(0, at).every((b) => b === 0)).toBe(true);
      const out = Buffer.alloc(100);
      copyInto(out, shared.subarray(at, at + 100), 0);
      expect(out.equals(src)).toBe(true);
    }
    copyInto(shared, Buffer.alloc(0), 256);
  });
});
