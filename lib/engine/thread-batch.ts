// The bytes a thread link posts (thread-link.ts): batches of messages, and the sizes that decide
// where a batch and its frames travel.
import type { Queue } from "../util/queue.js";
import type { Msg, Pipe } from "./pipe.js";
import { copyInto, type FrameRingReader } from "./shared-ring.js";
import { groupCommand, groupCommandOf } from "./group-command.js";
import { isSharedFrame, SHARED_FRAME, SHARED_REF_BYTES, type SharedIn, type SharedOut } from "./shared-frames.js";

/** Most payload bytes packed into one post (a bigger single message still goes whole). */
export const MAX_BATCH_BYTES = 256 * 1024;

/** The top bits of a message's frame count mark a DISH's JOIN or LEAVE, which is not data (group-command.ts). */
const JOIN_BIT = 0x80000000;
const LEAVE_BIT = 0x40000000;
const FRAME_COUNT = 0x3fffffff;

function frameWord(msg: Msg): number {
  const command = groupCommandOf(msg);
  if (command === undefined) return msg.length;
  return (msg.length | (command === "JOIN" ? JOIN_BIT : LEAVE_BIT)) >>> 0;
}

/**
 * Shared ring per direction of a link, made at its first batch: four batches of the largest
 * size, so the writer fills some while the reader copies others.
 */
export const RING_BYTES = 4 * MAX_BATCH_BYTES;
/** Smallest batch that goes through the ring. */
export const RING_MIN_BYTES = 16 * 1024;

/**
 * Frame ring per direction of a link, made when the first plain frame of RING_FRAME_MIN bytes
 * or more crosses it: such a frame is copied into the ring and the batch says where
 * ([RING_FRAME, offset, length, span]); the receiver copies it out into a Buffer of its own
 * while decoding the batch, and frees its bytes. Packed into fresh memory and transferred
 * instead, a 64 KiB frame cost ~47 µs of CPU end to end, most of it page faults on that fresh
 * memory (bench/thread-memory.ts). The caller's buffer is never detached or kept.
 */
export const FRAME_RING_BYTES = 4 * 1024 * 1024;
const RING_FRAME_MIN = 16 * 1024;
/** Larger frames go in the batch: the ring holds several at once. */
const RING_FRAME_MAX = FRAME_RING_BYTES / 4;
/** Most frame-ring bytes one batch names: a post costs more than a 64 KiB copy, and the ring holds four such batches. */
export const RING_BATCH_BYTES = FRAME_RING_BYTES / 4;
/** A frame length that marks a frame in the ring. */
const RING_FRAME = 0xfffffffe;

/** Whether a plain frame (not one shared by reference) goes through the frame ring. */
export function isRingFrame(frame: Uint8Array): boolean {
  return frame.length >= RING_FRAME_MIN && frame.length <= RING_FRAME_MAX;
}

/**
 * Messages as bytes: [count] then per message [frames] and per frame [length, bytes], or, for a
 * frame in a SharedArrayBuffer when the link shares them, [SHARED_FRAME, id, offset, length],
 * or, for a frame in the frame ring, [RING_FRAME, offset, length, span]. `placed` holds
 * (offset, span) for each ring frame in order, offset -1 for one left in the batch.
 */
export function packInto(batch: readonly Msg[], u8: Uint8Array, start: number, shared: SharedOut | null, placed: readonly number[]): void {
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const bytes = Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
  view.setUint32(start, batch.length, true);
  let at = start + 4;
  let p = 0;
  for (const msg of batch) {
    view.setUint32(at, frameWord(msg), true);
    at += 4;
    for (const frame of msg) {
      if (shared !== null && isSharedFrame(frame)) {
        view.setUint32(at, SHARED_FRAME, true);
        view.setUint32(at + 4, shared.idOf(frame.buffer as SharedArrayBuffer), true);
        view.setUint32(at + 8, frame.byteOffset, true);
        view.setUint32(at + 12, frame.length, true);
        at += SHARED_REF_BYTES;
        continue;
      }
      if (p < placed.length && isRingFrame(frame)) {
        const ringAt = placed[p++]!;
        const span = placed[p++]!;
        if (ringAt >= 0) {
          view.setUint32(at, RING_FRAME, true);
          view.setUint32(at + 4, ringAt, true);
          view.setUint32(at + 8, frame.length, true);
          view.setUint32(at + 12, span, true);
          at += SHARED_REF_BYTES;
          continue;
        }
      }
      view.setUint32(at, frame.length, true);
      at += 4;
      copyInto(bytes, frame, at);
      at += frame.length;
    }
  }
}

export function pack(batch: readonly Msg[], bytes: number, shared: SharedOut | null, placed: readonly number[]): ArrayBuffer {
  // Unpooled and not zero-filled: every byte is written by packInto.
  const buf = Buffer.allocUnsafeSlow(bytes);
  packInto(batch, buf, 0, shared, placed);
  return buf.buffer as ArrayBuffer;
}

/** Every message of a queue in one batch, as a link posts them (for a connect a thread leaves behind). */
export function packAll(queue: Queue<Msg>): ArrayBuffer {
  const batch: Msg[] = [];
  let bytes = 4;
  for (let msg = queue.shift(); msg !== undefined; msg = queue.shift()) {
    batch.push(msg);
    bytes += 4;
    for (const frame of msg) bytes += 4 + frame.length;
  }
  // No link to name shared buffers on: every frame is copied.
  return pack(batch, bytes, null, []);
}

/** Delivers a batch's messages into `pipe`; how many. */
export function unpackBatch(buf: ArrayBuffer, pipe: Pipe, peerShared: SharedIn, peerFrames: FrameRingReader | null): number {
  const view = new DataView(buf);
  const count = view.getUint32(0, true);
  let at = 4;
  for (let i = 0; i < count; i++) {
    const word = view.getUint32(at, true);
    at += 4;
    const frames = word & FRAME_COUNT;
    const msg = new Array<Buffer>(frames);
    for (let j = 0; j < frames; j++) {
      const len = view.getUint32(at, true);
      if (len === RING_FRAME) {
        msg[j] = peerFrames!.take(view.getUint32(at + 4, true), view.getUint32(at + 8, true), view.getUint32(at + 12, true));
        at += SHARED_REF_BYTES;
        continue;
      }
      if (len === SHARED_FRAME) {
        msg[j] = Buffer.from(peerShared.get(view.getUint32(at + 4, true)), view.getUint32(at + 8, true), view.getUint32(at + 12, true));
        at += SHARED_REF_BYTES;
        continue;
      }
      at += 4;
      msg[j] = Buffer.from(buf, at, len);
      at += len;
    }
    if (word > FRAME_COUNT) pipe.deliver(groupCommand((word & JOIN_BIT) !== 0 ? "JOIN" : "LEAVE", msg[0]!));
    else pipe.deliver(msg);
  }
  return count;
}
