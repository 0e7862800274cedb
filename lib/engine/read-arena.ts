/** Room for many reads; a frame inside a read is handed on as a view of it. */
const SLAB_BYTES = 128 * 1024;
/** A read gets at least this much room; the rest of a slab is left unused. */
const MIN_READ = 16 * 1024;
/** A read this big suggests more is waiting: read the next one into a slab, without a copy. */
const BULK_READ = 8 * 1024;

/**
 * The memory a connection reads into. While data streams in, reads land one after another in a
 * slab that is never reused, so frames can be views of it (no copy, one allocation per slab).
 * After a small read it offers nothing, so the transport reads into its shared scratch and
 * copies the bytes out: an idle connection holds no read buffer.
 */
export class ReadArena {
  private slab: Buffer | null = null;
  private pos = 0;
  private issued: Buffer | null = null;
  private bulk = false;

  /**
   * Memory for the next read, or null for the transport's scratch. A `limit` asks for a short
   * read, which always gets slab memory.
   */
  next(limit = 0): Buffer | null {
    if (!this.bulk && limit === 0) {
      this.slab = null;
      this.issued = null;
      return null;
    }
    let slab = this.slab;
    if (slab === null || slab.length - this.pos < MIN_READ) {
      slab = this.slab = Buffer.allocUnsafe(SLAB_BYTES);
      this.pos = 0;
    }
    this.issued = limit === 0 ? slab.subarray(this.pos) : slab.subarray(this.pos, this.pos + Math.min(limit, MIN_READ));
    return this.issued;
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
