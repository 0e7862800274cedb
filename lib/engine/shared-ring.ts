/**
 * A byte ring in shared memory between the two threads of a link. The writer packs a batch
 * straight into the ring and posts only where it lies; the reader copies it out and frees the
 * bytes. A batch posted by value is copied three times (pack, serialize, deserialize) and the
 * reader's copy is the slow one: with the ring each side copies once.
 *
 * Bytes are counted, not positions: the writer's total written and the reader's total freed
 * (shared, both modulo 2^32) differ by what is in use. A batch never wraps: when it does not fit
 * before the end, the end is skipped and freed with it. A writer that finds no room raises a
 * flag, and the reader that next frees bytes tells it (its link posts "room").
 */
export class RingWriter {
  readonly data: Uint8Array;
  /** [0]: bytes freed by the reader; [1]: 1 while the writer waits for room. */
  readonly control: Int32Array;
  private tail = 0;
  private written = 0;
  /** Bytes the last reserve() takes from the ring: the batch and any skipped end. */
  span = 0;

  constructor(readonly size: number) {
    this.data = new Uint8Array(new SharedArrayBuffer(size));
    this.control = new Int32Array(new SharedArrayBuffer(8));
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

  private tryReserve(bytes: number): number {
    const inUse = (this.written - Atomics.load(this.control, 0)) >>> 0;
    const at = this.tail + bytes <= this.size ? this.tail : 0;
    const span = at === 0 && this.tail !== 0 ? this.size - this.tail + bytes : bytes;
    if (inUse + span > this.size) return -1;
    this.span = span;
    this.written = (this.written + span) >>> 0;
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
  copy.set(data.subarray(at, at + length));
  Atomics.add(control, 0, span);
  if (Atomics.load(control, 1) === 1 && Atomics.compareExchange(control, 1, 1, 0) === 1) wake();
  return copy.buffer as ArrayBuffer;
}

export const sharedMemory = typeof SharedArrayBuffer === "function" && typeof Atomics === "object";
