import { FLAG_COMMAND, FLAG_MORE, writeHeader } from "../wire/frame.js";
import { encodeCommand, CANCEL, SUBSCRIBE } from "../wire/command.js";
import { groupCommandOf } from "./group-command.js";
import type { Mechanism } from "../mechanisms/mechanism.js";
import type { Msg } from "./pipe.js";
import type { Queue } from "../util/queue.js";

/** A batch holds about this much; it is also the size of a batch buffer. */
export const BATCH_BYTES = 256 * 1024;
/** Frames at least this big are written by reference instead of copied into the batch. */
const COPY_LIMIT = 8 * 1024;
/**
 * Large bodies are written by reference, so queuing them costs no copy: while the next message
 * is large, libuv may hold this many bytes unwritten and keeps the kernel fed from them between
 * event-loop turns (measured: tcp 1 MiB and 64 KiB messages 1.2–1.6× faster than waiting for
 * 'drain' after each one, on a loaded 2-core machine).
 */
export const LARGE_QUEUE_BYTES = 4 * 1024 * 1024;

/** A first batch buffer for little to send: from Node's pool (allocUnsafe pools up to 4 KiB). */
export const SMALL_BATCH_BYTES = 2048;

/**
 * True when what waits fits a small batch buffer for sure: commands and at most one message,
 * all small. Larger batches move on to a full one as they fill (OutboundBatch.room).
 */
export function fewBytesQueued(out: Queue<Msg>, commands: Buffer[]): boolean {
  if (out.length > 1 || commands.length > 4) return false;
  let bytes = 0;
  for (const c of commands) bytes += 9 + c.length;
  const msg = out.peek();
  if (msg !== undefined) for (const f of msg) bytes += 9 + f.length;
  return bytes <= SMALL_BATCH_BYTES;
}

/**
 * True for a message whose last frame goes by reference (see LARGE_QUEUE_BYTES). Never when a
 * mechanism boxes the frames (`boxed`, CURVE): each box is written into a batch buffer, and a
 * deep queue of those makes the sender slower, not faster. Its bytes have left the cache by the
 * time the kernel copies them, the buffers in flight are more than the few that stay warm, and
 * libuv writes the queue in pieces as the kernel frees room. Measured with CURVE 64 KiB (a loaded
 * 2-core machine): the sender's CPU per message fell from 142–157 µs to 100–115 µs without it.
 */
export function writtenByReference(msg: Msg | undefined, boxed = false): boolean {
  return !boxed && msg !== undefined && msg.length > 0 && msg[msg.length - 1]!.length >= COPY_LIMIT;
}

/**
 * The frames of one write: headers and small bodies copied into a batch buffer, large bodies by
 * reference between its pieces, and frames a mechanism boxes (CURVE) encoded straight into it.
 */
export class OutboundBatch {
  /** What to write, in order, once `fill` returns. */
  readonly chunks: Buffer[] = [];
  bytes = 0;
  private start = 0;
  private pos = 0;

  constructor(
    /** The batch buffer in use; the last one can serve the next batch if the kernel took it all. */
    public slab: Buffer,
    private readonly mech: Mechanism,
  ) {}

  /**
   * Takes queued commands, then messages until the batch is full. A SUB/XSUB's subscriptions
   * (01/00 frames) go to a 3.1 peer as SUBSCRIBE/CANCEL commands, as libzmq sends them; a
   * DISH's joins and leaves (`groupCommands`) go as JOIN/LEAVE commands.
   */
  fill(commands: Buffer[], out: Queue<Msg>, subscriptionCommands: boolean, groupCommands = false): void {
    const boxed = this.mech.encodeInto !== undefined;
    for (const c of commands) {
      if (boxed) this.appendBoxed(0x02, c);
      else this.append(FLAG_COMMAND, c);
    }
    while (this.bytes < BATCH_BYTES) {
      const msg = out.shift();
      if (msg === undefined) break;
      if (boxed && this.pos > 0 && this.slab.length - this.pos < this.boxedBytes(msg)) {
        // Send what this buffer holds and box the rest into the next (often the same, reused).
        out.unshift(msg);
        break;
      }
      if (subscriptionCommands && msg.length === 1) {
        const f = msg[0]!;
        if (f.length > 0 && f[0]! <= 1) {
          const cmd = encodeCommand(f[0] === 1 ? SUBSCRIBE : CANCEL, f.subarray(1));
          if (boxed) this.appendBoxed(0x02, cmd);
          else this.append(FLAG_COMMAND, cmd);
          continue;
        }
      }
      if (groupCommands) {
        const name = groupCommandOf(msg);
        if (name !== undefined) {
          const cmd = encodeCommand(name, msg[0]!);
          if (boxed) this.appendBoxed(0x02, cmd);
          else this.append(FLAG_COMMAND, cmd);
          continue;
        }
      }
      const last = msg.length - 1;
      for (let i = 0; i <= last; i++) {
        const more = i < last ? FLAG_MORE : 0;
        if (boxed) this.appendBoxed(more, msg[i]!);
        else this.append(more, msg[i]!);
      }
    }
    if (this.pos > this.start) this.chunks.push(this.slab.subarray(this.start, this.pos));
  }

  /** Writes the filled batch to `sock` (corked when it is more than one chunk: one writev); returns the bytes written. */
  writeTo(sock: { write(chunk: Buffer): unknown; cork(): void; uncork(): void }): number {
    const chunks = this.chunks;
    let written = 0;
    if (chunks.length > 1) sock.cork();
    for (const c of chunks) {
      sock.write(c);
      written += c.length;
    }
    if (chunks.length > 1) sock.uncork();
    return written;
  }

  private append(flags: number, body: Buffer): void {
    const n = body.length;
    this.room(9 + (n < COPY_LIMIT ? n : 0));
    const slab = this.slab;
    let pos = writeHeader(slab, this.pos, flags, n);
    if (n <= 32) {
      // A byte loop beats Buffer#copy's call overhead for tiny payloads.
      for (let j = 0; j < n; j++) slab[pos + j] = body[j]!;
      pos += n;
    } else if (n < COPY_LIMIT) {
      body.copy(slab, pos);
      pos += n;
    } else {
      this.chunks.push(slab.subarray(this.start, pos), body);
      this.start = pos;
    }
    this.pos = pos;
    this.bytes += n + 9;
  }

  /** A boxed frame travels as a data frame with wire flags 0; `innerFlags` go in the box. */
  private appendBoxed(innerFlags: number, body: Buffer): void {
    const size = this.mech.encodedSize!(body.length);
    this.room(9 + size);
    const at = writeHeader(this.slab, this.pos, 0, size);
    this.pos = this.mech.encodeInto!(this.slab, at, innerFlags, body);
    this.bytes += 9 + size;
  }

  /** Moves to a new batch buffer when this one has less than `need` bytes left. */
  private room(need: number): void {
    if (this.slab.length - this.pos >= need) return;
    if (this.pos > this.start) this.chunks.push(this.slab.subarray(this.start, this.pos));
    this.slab = Buffer.allocUnsafe(Math.max(BATCH_BYTES, need));
    this.start = this.pos = 0;
  }

  /** Bytes a message takes in the batch once each frame is boxed (headers included). */
  private boxedBytes(msg: Msg): number {
    let n = 0;
    for (const f of msg) n += 9 + this.mech.encodedSize!(f.length);
    return n;
  }
}
