import { FrameDecoder } from "../wire/frame.js";
import { ReadArena, SLAB_BODY_MAX } from "./read-arena.js";
import { keepFreedBodyMemory } from "./body-heap.js";

/**
 * A frame body still missing this much is read straight into its buffer: the copy saved is
 * worth the read that cannot also take the next frame's header.
 */
const DIRECT_READ_MIN = 16 * 1024;
/**
 * While frames too large for a slab stream in, a read after one ends takes only this much: the
 * next header and a little of its body, which is copied; the rest of the body is then read into
 * place.
 */
const HEADER_READ = 4 * 1024;

/**
 * Where a ZMTP connection's next read lands: the rest of a large frame's body, read in place
 * (no copy), or the arena, whose bytes the decoder cuts into frames. Frames of 16 KiB up to
 * SLAB_BODY_MAX are read into large arena slabs, many in a read, each a view of its slab.
 */
export class ReadPlan {
  readonly #arena = new ReadArena();
  /** The frame body view the pending read was given, if it reads straight into one. */
  #direct: Buffer | null = null;
  /** The last read held a frame of DIRECT_READ_MIN or more: expect another. */
  #largeFrames = false;
  /** ...and one of more than SLAB_BODY_MAX (see HEADER_READ). */
  #hugeFrames = false;

  /** A decoder for the connection this plan reads, gathering bodies in the arena's slabs where they fit. */
  decoder(maxMessageSize = -1, boxed = false): FrameDecoder {
    const decoder = new FrameDecoder(maxMessageSize, boxed);
    decoder.bodies = this.#arena;
    return decoder;
  }

  /** Memory for the next read, or null for the transport's scratch; `inPlace` false: never a body. */
  next(decoder: FrameDecoder, inPlace: boolean): Buffer | null {
    this.#direct = null;
    // A body begun in the slab is read on into it, with room for the frames after it.
    if (this.#arena.bodyPending) return this.#arena.next();
    const missing = decoder.bodyMissing;
    // Once a body is being read into place, the rest of it is too.
    if ((missing >= DIRECT_READ_MIN || (missing > 0 && this.#largeFrames)) && inPlace) {
      this.#direct = decoder.bodyTail();
      return this.#direct;
    }
    return this.#hugeFrames ? this.#arena.next(HEADER_READ) : this.#arena.next(0, this.#largeFrames);
  }

  /** True when `buf` is the body handed out by next(): its `n` bytes are already in place. */
  readInPlace(buf: Buffer, n: number): boolean {
    if (buf !== this.#direct) return false;
    this.#direct = null;
    this.#arena.sawRead(n);
    return true;
  }

  /** The `n` bytes read into `buf`, as memory that stays valid for as long as it is held. */
  take(buf: Buffer, n: number): Buffer {
    // sawFrame sets them again if this read holds a large frame.
    this.#largeFrames = this.#hugeFrames = false;
    return this.#arena.take(buf, n);
  }

  /** A frame of `size` bytes arrived, or one still misses that many: large ones are read in place. */
  sawFrame(size: number): void {
    if (size < DIRECT_READ_MIN) return;
    // Such frames are read into 1 MiB slabs or bodies of their own: malloc'd one by one.
    keepFreedBodyMemory();
    this.#largeFrames = true;
    if (size > SLAB_BODY_MAX) this.#hugeFrames = true;
  }
}
