/**
 * A byte ring in shared memory between the two threads of a link. The writer packs a batch (or
 * copies a large frame) straight into the ring and posts only where it lies; the reader copies
 * it out and frees the bytes. A batch posted by value is copied three times (pack, serialize,
 * deserialize) and the reader's copy is the slow one: with the ring each side copies once.
 *
 * Bytes are counted, not positions: the writer's total written and the reader's total freed
 * (shared, both modulo 2^32) differ by what is in use. A batch never wraps: when it does not fit
 * before the end, the end is skipped and freed with it. A writer that finds no room raises a
 * flag, and the reader that next frees bytes tells it (its link posts "room").
 */
export class RingWriter {
  readonly data: Uint8Array;
  private readonly bytes: Buffer;
  /** [0]: bytes freed by the reader; [1]: 1 while the writer waits for room; [2]: bytes written. */
  readonly control: Int32Array;
  private tail = 0;
  private written = 0;
  /** Bytes the last reserve() takes from the ring: the batch and any skipped end. */
  span = 0;

  constructor(readonly size: number) {
    this.data = new Uint8Array(new SharedArrayBuffer(size));
    this.bytes = Buffer.from(this.data.buffer, 0, size);
    this.control = new Int32Array(new SharedArrayBuffer(12));
  }

  /** Copies `frame` in where it fits now, or returns -1 (raising no flag: the caller does not wait). */
  put(frame: Uint8Array): number {
    const at = this.tryReserve(frame.length);
    if (at >= 0) copyInto(this.bytes, frame, at);
    return at;
  }

  /**
   * Where `bytes` contiguous bytes can be written now, or -1 while the reader holds too many
   * (the reader will then say when it frees some).
   */
  reserve(bytes: number): number {
    const at = this.tryReserve(bytes);
    if (at >= 0) return at;
    // Raise the flag, then look again: the reader frees, then reads the flag, so one of the
    // two sees the other.
    Atomics.store(this.control, 1, 1);
    const again = this.tryReserve(bytes);
    if (again >= 0) Atomics.store(this.control, 1, 0);
    return again;
  }

  /**
   * After put() found no room: raises the flag and returns true while more than half the ring
   * is in use (a FrameRingReader wakes the writer once half is free, not at every frame it
   * frees: woken per frame, the writer posted one frame per batch and paid a wake-up each);
   * false when half is free already.
   */
  waitForRoom(): boolean {
    Atomics.store(this.control, 1, 1);
    if (!halfFree(this.control, this.size)) return true;
    Atomics.store(this.control, 1, 0);
    return false;
  }

  private tryReserve(bytes: number): number {
    const inUse = (this.written - Atomics.load(this.control, 0)) >>> 0;
    const at = this.tail + bytes <= this.size ? this.tail : 0;
    const span = at === 0 && this.tail !== 0 ? this.size - this.tail + bytes : bytes;
    if (inUse + span > this.size) return -1;
    this.span = span;
    this.written = (this.written + span) >>> 0;
    Atomics.store(this.control, 2, this.written);
    this.tail = at + bytes === this.size ? 0 : at + bytes;
    return at;
  }
}

/**
 * Copies a batch out of the ring (into memory of its own) and frees its bytes for the writer;
 * `wake` runs when the writer is waiting for room.
 */
export function takeFromRing(data: Uint8Array, control: Int32Array, at: number, length: number, span: number, wake: () => void): ArrayBuffer {
  const copy = Buffer.allocUnsafeSlow(length);
  copyInto(copy, Buffer.from(data.buffer, data.byteOffset + at, length), 0);
  freeRing(control, span, wake);
  return copy.buffer as ArrayBuffer;
}

/** Whether half the ring or more is free. */
function halfFree(control: Int32Array, size: number): boolean {
  return (Atomics.load(control, 2) - Atomics.load(control, 0)) >>> 0 <= size / 2;
}

/** Frees `span` bytes for the writer, and wakes it when it waits for room. */
function freeRing(control: Int32Array, span: number, wake: () => void): void {
  Atomics.add(control, 0, span);
  if (Atomics.load(control, 1) === 1 && Atomics.compareExchange(control, 1, 1, 0) === 1) wake();
}

/**
 * The reading end of a peer's ring of large frames (thread-link.ts): each frame is copied out
 * into a Buffer of its own, so a frame the program holds never shares memory the writer
 * reuses, and its bytes are freed at once. Frames are taken in the order they were put.
 */
export class FrameRingReader {
  private readonly bytes: Buffer;
  readonly memory: SharedArrayBuffer;

  /** `wake` runs when the writer waits for room and this frees some. */
  constructor(
    data: Uint8Array,
    private readonly control: Int32Array,
    private readonly wake: () => void,
  ) {
    this.bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.memory = data.buffer as SharedArrayBuffer;
  }

  take(at: number, length: number, span: number): Buffer {
    const copy = Buffer.allocUnsafeSlow(length);
    copyInto(copy, this.bytes.subarray(at, at + length), 0);
    const control = this.control;
    Atomics.add(control, 0, span);
    // Either this sees the flag or the writer, raising it, sees what this freed.
    if (Atomics.load(control, 1) === 1 && halfFree(control, this.bytes.length) && Atomics.compareExchange(control, 1, 1, 0) === 1) this.wake();
    return copy;
  }
}

/**
 * Deno's Buffer.fill copies a buffer byte by byte in JavaScript (measured, 64 KiB: 57–63 µs,
 * against 2–10 µs for TypedArray.set): there copyInto uses set.
 */
const fillCopies = typeof (globalThis as { Deno?: unknown }).Deno !== "object";

/**
 * Copies `src` into `dst` at `at` with memcpy. TypedArray.set into or out of shared memory
 * copies word by word with relaxed atomics, and byte by byte when the two offsets are not
 * 8-aligned alike (measured, 64 KiB: 19 µs, against 0.8 µs for this); Buffer.fill with a buffer
 * as long as the range is one memcpy in Node and Bun.
 */
export function copyInto(dst: Buffer, src: Uint8Array, at: number): void {
  if (src.length === 0) return;
  if (fillCopies) dst.fill(src, at, at + src.length);
  else dst.set(src, at);
}

export const sharedMemory = typeof SharedArrayBuffer === "function" && typeof Atomics === "object";
