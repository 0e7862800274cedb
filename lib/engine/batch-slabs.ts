import { BATCH_BYTES, LARGE_QUEUE_BYTES, SMALL_BATCH_BYTES } from "./outbound-batch.js";

/** As many batch buffers as the socket may hold unwritten while large messages stream, and one. */
const MAX_IN_FLIGHT = LARGE_QUEUE_BYTES / BATCH_BYTES + 1;

/** What this needs of a net.Socket: the bytes handed to write() and not yet taken by the kernel. */
interface Writable {
  readonly writableLength: number;
}

/**
 * The small batch buffer every connection borrows while its writes leave at once (see
 * BatchSlabs.take): one flush at a time runs on the event loop, so one buffer serves all, as the
 * read path's scratch does, until a socket keeps it queued.
 */
let sharedSmall: Buffer | null = null;

/**
 * The batch buffers of one connection, reused once the kernel has taken their bytes. A fresh
 * 256 KiB buffer per batch costs page faults and cache misses on every write into it, which for
 * CURVE (every byte boxed into the batch) cost as much as the cipher: boxing 64 KiB into a
 * fresh buffer ran at 0.56× the rate of boxing into a reused one (one loaded 2-core run).
 *
 * A buffer is free again when every byte written before its end has left the socket's queue:
 * Node's `writableLength` drops only once libuv's write request has completed. Bytes written
 * to the socket outside the batches (the greeting, handshake commands) only make that test
 * more cautious. Once nothing is queued, at most one buffer is kept.
 */
export class BatchSlabs {
  /** A buffer whose batch the kernel took at once. */
  #spare: Buffer | null = null;
  /** Written buffers in write order, each with the count of bytes written up to its end. */
  readonly #inFlight: Buffer[] = [];
  readonly #ends: number[] = [];
  /** Bytes of every batch handed to the socket so far. */
  #written = 0;
  /** The last take() lent the shared small buffer. */
  #lentShared = false;

  /**
   * A batch buffer for the next batch; with no buffer free, a small one when `small` asks: the
   * shared one, whose bytes a socket with nothing queued takes at once. A fresh small buffer per
   * flush, from Node's pool, cost a new 8 KiB pool every four flushes, with its ArrayBuffer to
   * make and collect (about a tenth of a REQ/REP round trip's JavaScript, in process).
   */
  take(sock: Writable, small = false): Buffer {
    const spare = this.#spare;
    if (spare !== null) {
      this.#spare = null;
      return spare;
    }
    if (this.#inFlight.length > 0 && this.#written - sock.writableLength >= this.#ends[0]!) {
      this.#ends.shift();
      return this.#inFlight.shift()!;
    }
    if (!small) return Buffer.allocUnsafe(BATCH_BYTES);
    if (sock.writableLength !== 0) return Buffer.allocUnsafe(SMALL_BATCH_BYTES);
    this.#lentShared = true;
    return (sharedSmall ??= Buffer.allocUnsafe(SMALL_BATCH_BYTES));
  }

  /** The batch built in `slab` (its last buffer), `bytes` long in all, was handed to the socket. */
  written(slab: Buffer, bytes: number, sock: Writable): void {
    this.#written += bytes;
    if (this.#lentShared) {
      this.#lentShared = false;
      // The socket queued the write (the kernel pushed back): the buffer is the socket's now.
      if (sock.writableLength !== 0) sharedSmall = null;
    }
    if (slab.length !== BATCH_BYTES) return;
    if (sock.writableLength === 0) this.#spare = slab;
    else if (this.#inFlight.length < MAX_IN_FLIGHT) {
      this.#inFlight.push(slab);
      this.#ends.push(this.#written);
    }
  }

  /** Nothing is left to write: when the kernel has taken everything, keep one buffer at most. */
  idle(sock: Writable): void {
    if (this.#inFlight.length === 0 || sock.writableLength !== 0) return;
    this.#spare ??= this.#inFlight[0]!;
    this.#inFlight.length = 0;
    this.#ends.length = 0;
  }
}
