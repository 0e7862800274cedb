import type { BodySource } from "../wire/frame.js";

/** Room for many reads; a frame inside a read is handed on as a view of it. */
const SLAB_BYTES = 128 * 1024;
/**
 * While frames of 16 KiB and up stream in: several of them fit one slab, each a view of it, so
 * a frame's memory is neither allocated nor copied on its own. A frame still holds its whole
 * slab, so a kept 64 KiB frame keeps at most this much alive.
 */
const LARGE_SLAB_BYTES = 1024 * 1024;
/** Larger bodies are read into buffers of their own (ReadPlan), never into a slab. */
export const SLAB_BODY_MAX = 256 * 1024;
/** A read gets at least this much room; the rest of a slab is left unused. */
const MIN_READ = 16 * 1024;
/** A read this big suggests more is waiting: read the next one into a slab, without a copy. */
const BULK_READ = 8 * 1024;

/**
 * The memory a connection reads into. While data streams in, reads land one after another in a
 * slab that is never reused, so frames can be views of it (no copy, one allocation per slab).
 * A frame the last read began is given the slab memory right after it (`bodyAt`), and the next
 * read lands there: its body ends up whole in the slab. After a small read it offers nothing,
 * so the transport reads into its shared scratch and copies the bytes out: an idle connection
 * holds no read buffer.
 */
export class ReadArena implements BodySource {
  private slab: Buffer | null = null;
  private pos = 0;
  private issued: Buffer | null = null;
  private bulk = false;
  /** Where, in the slab, a body begun by the last read ends; reads continue up to it. */
  private bodyEnd = 0;

  /**
   * Memory for the next read, or null for the transport's scratch. A `limit` asks for a short
   * read, which always gets slab memory; `large` asks for slab memory with room for frames of
   * up to SLAB_BODY_MAX.
   */
  next(limit = 0, large = false): Buffer | null {
    if (this.bodyEnd > this.pos) {
      // The rest of a body begun in the slab goes right after it, and the read may go past it.
      this.issued = this.slab!.subarray(this.pos);
      return this.issued;
    }
    if (!this.bulk && limit === 0 && !large) {
      this.slab = null;
      this.issued = null;
      this.bodyEnd = 0;
      return null;
    }
    let slab = this.slab;
    if (slab === null || slab.length - this.pos < MIN_READ) {
      slab = this.slab = Buffer.allocUnsafe(large ? LARGE_SLAB_BYTES : SLAB_BYTES);
      this.pos = this.bodyEnd = 0;
    }
    this.issued = limit === 0 ? slab.subarray(this.pos) : slab.subarray(this.pos, this.pos + Math.min(limit, MIN_READ));
    return this.issued;
  }

  /** True while a body begun in the slab is still missing bytes: the next read goes there. */
  get bodyPending(): boolean {
    return this.bodyEnd > this.pos;
  }

  bodyAt(chunk: Buffer, at: number, size: number): Buffer | null {
    const slab = this.slab;
    if (slab === null || size > SLAB_BODY_MAX || chunk.buffer !== slab.buffer) return null;
    const start = chunk.byteOffset - slab.byteOffset + at;
    // Only a body whose bytes so far end where the last read did: the next read goes on from there.
    if (start + (chunk.length - at) !== this.pos) return null;
    if (start + size > slab.length) {
      // Too little room left for frames this large: the next read starts a new slab.
      this.pos = slab.length;
      return null;
    }
    this.bodyEnd = start + size;
    return slab.subarray(start, this.bodyEnd);
  }

  /** The `n` bytes just read into `buf`, as memory that stays valid for as long as it is held. */
  take(buf: Buffer, n: number): Buffer {
    let chunk: Buffer;
    if (buf === this.issued) {
      chunk = this.slab!.subarray(this.pos, this.pos + n);
      this.pos += n;
    } else {
      chunk = n === buf.length ? buf : buf.subarray(0, n);
    }
    this.issued = null;
    this.sawRead(n);
    return chunk;
  }

  /** Notes the size of a read that went elsewhere (straight into a frame's body). */
  sawRead(n: number): void {
    this.bulk = n >= BULK_READ;
  }
}
