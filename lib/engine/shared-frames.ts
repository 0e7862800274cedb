import { sharedMemory } from "./shared-ring.js";

/**
 * Frames in a SharedArrayBuffer cross a thread link by reference, carried in the packed batch
 * like a small frame: (buffer id, offset, length). Each SharedArrayBuffer is posted to the peer
 * once per link and named by an id. Posting the buffer with every message instead (a structured
 * clone of its handle per post) cost about 30 µs of CPU per message across both threads
 * (measured: main → 4 workers, 64 KiB, 0.97× zeromq), where a batched small message costs 2.
 *
 * The receiver's table holds the buffers it was given, so both ends must agree when an id is
 * dropped: the sender decides. It forgets an id when its own buffer is collected (a
 * FinalizationRegistry) and, so that the receiver's table stays bounded whatever the sender
 * does, when it holds more than MAX_IDS ids or MAX_BYTES of buffers (the oldest goes; sent
 * again, it is posted again under a new id). The forget is posted after every batch that
 * named the id (ids are never reused), so the receiver never meets an id it dropped.
 */

/** A frame length that marks a reference: [SHARED_FRAME, id, offset, length] instead of [length, bytes]. */
export const SHARED_FRAME = 0xffffffff;
/** Bytes a reference takes in a batch. */
export const SHARED_REF_BYTES = 16;

/** Frames this small are copied: a reference saves nothing, and zeromq copies them too (128 B). */
const MIN_SHARED_FRAME = 129;
const MAX_IDS = 1024;
const MAX_BYTES = 256 * 1024 * 1024;

/** Whether a frame goes by reference (its offsets must fit the batch's 32-bit fields). */
export function isSharedFrame(frame: Uint8Array): boolean {
  return (
    sharedMemory &&
    frame.length >= MIN_SHARED_FRAME &&
    frame.buffer instanceof SharedArrayBuffer &&
    frame.byteOffset + frame.length < SHARED_FRAME
  );
}

interface Held {
  table: WeakRef<SharedOut>;
  id: number;
}

interface Live {
  buffer: WeakRef<SharedArrayBuffer>;
  bytes: number;
  /** Its registration's token too: a dropped id leaves the registry at once, not when its buffer is collected. */
  held: Held;
}

const collected: FinalizationRegistry<Held> | null =
  typeof FinalizationRegistry === "function" ? new FinalizationRegistry<Held>((held) => held.table.deref()?.collected(held.id)) : null;

/** The sending end's ids. */
export class SharedOut {
  private readonly ids = new WeakMap<SharedArrayBuffer, number>();
  /** Ids the peer holds, oldest first, with what they name and its size. */
  private readonly live = new Map<number, Live>();
  private bytes = 0;
  private next = 0;
  /** [id, buffer, ...] for the peer to take before the next batch. */
  private shares: unknown[] = [];
  /** Ids for the peer to drop after the batch being packed. */
  private forgotten: number[] = [];
  private readonly self = new WeakRef(this);

  /** `wake`: an id was forgotten outside a batch (its buffer was collected): post `takeForgotten()` soon. */
  constructor(private readonly wake: () => void) {}

  /** The id of the frame's buffer, which is shared with the peer from the next post on. */
  idOf(buffer: SharedArrayBuffer): number {
    const known = this.ids.get(buffer);
    if (known !== undefined) return known;
    const id = ++this.next;
    this.ids.set(buffer, id);
    const held: Held = { table: this.self, id };
    this.live.set(id, { buffer: new WeakRef(buffer), bytes: buffer.byteLength, held });
    this.bytes += buffer.byteLength;
    this.shares.push(id, buffer);
    collected?.register(buffer, held, held);
    while (this.live.size > MAX_IDS || (this.bytes > MAX_BYTES && this.live.size > 1)) this.drop(this.live.keys().next().value as number);
    return id;
  }

  /** Buffers named since the last call, or null. */
  takeShares(): unknown[] | null {
    if (this.shares.length === 0) return null;
    const s = this.shares;
    this.shares = [];
    return s;
  }

  /** Ids to drop since the last call, or null. */
  takeForgotten(): number[] | null {
    if (this.forgotten.length === 0) return null;
    const f = this.forgotten;
    this.forgotten = [];
    return f;
  }

  /** How many ids the peer holds. */
  get size(): number {
    return this.live.size;
  }

  collected(id: number): void {
    if (!this.live.has(id)) return;
    this.drop(id);
    this.wake();
  }

  /** The link closed: nothing more is posted. */
  close(): void {
    for (const entry of this.live.values()) collected?.unregister(entry.held);
    this.live.clear();
  }

  private drop(id: number): void {
    const entry = this.live.get(id)!;
    this.live.delete(id);
    collected?.unregister(entry.held);
    this.bytes -= entry.bytes;
    const buffer = entry.buffer.deref();
    if (buffer !== undefined) this.ids.delete(buffer);
    this.forgotten.push(id);
  }
}

/** The receiving end's table. */
export class SharedIn {
  private readonly buffers = new Map<number, SharedArrayBuffer>();

  add(shares: readonly unknown[]): void {
    for (let i = 0; i < shares.length; i += 2) this.buffers.set(shares[i] as number, shares[i + 1] as SharedArrayBuffer);
  }

  forget(ids: readonly number[]): void {
    for (const id of ids) this.buffers.delete(id);
  }

  get(id: number): SharedArrayBuffer {
    return this.buffers.get(id)!;
  }

  get size(): number {
    return this.buffers.size;
  }

  /** The link closed: frames already received keep their memory, the table lets go of the rest. */
  clear(): void {
    this.buffers.clear();
  }
}
