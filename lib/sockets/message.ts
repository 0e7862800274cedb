import { WiremqError } from "../errors.js";

/** What `send` accepts for one frame, as in the `zeromq` package. */
export type MessageLike = ArrayBufferView | ArrayBuffer | SharedArrayBuffer | string | number | null;

const EMPTY = Buffer.alloc(0);

/**
 * Frames of up to this many bytes are copied when sent, so a queued message does not hold
 * the caller's buffer (which can then be collected); larger ones go by reference. zeromq
 * draws the line at the same size (its zero-copy threshold, 128 bytes).
 */
const COPY_LIMIT = 128;

function bytesOf(buffer: ArrayBufferLike, offset: number, length: number): Buffer {
  return length > COPY_LIMIT ? Buffer.from(buffer, offset, length) : Buffer.from(new Uint8Array(buffer, offset, length));
}

/**
 * One frame, as zeromq makes it: bytes of a Buffer, typed array or ArrayBuffer; nothing for
 * null; the UTF-8 of a string, and of the value as a string for anything else (numbers, booleans,
 * objects, nested arrays, undefined inside an array, and, as zeromq does, a
 * SharedArrayBuffer). A value that cannot become a string (a symbol, a throwing toString)
 * throws at the call.
 */
/** A copy of a small frame: Buffer.from's generic path cost about half again as much per send. */
function copyOf(part: Buffer): Buffer {
  const n = part.length;
  const copy = Buffer.allocUnsafe(n);
  if (n <= 32) for (let i = 0; i < n; i++) copy[i] = part[i]!;
  else copy.set(part);
  return copy;
}

function toFrame(part: unknown): Buffer {
  if (Buffer.isBuffer(part)) return part.length > COPY_LIMIT ? part : copyOf(part);
  if (typeof part === "string") return Buffer.from(part, "utf8");
  if (part === null) return EMPTY;
  if (ArrayBuffer.isView(part)) {
    // zeromq takes every view as a Buffer through N-API, which refuses a DataView with this.
    if (part instanceof DataView) throw new WiremqError("EINVAL", "Invalid argument");
    return bytesOf(part.buffer, part.byteOffset, part.byteLength);
  }
  if (part instanceof ArrayBuffer) return bytesOf(part, 0, part.byteLength);
  // A template, not String(): String(symbol) gives text, where zeromq's conversion throws.
  return Buffer.from(`${part as string}`, "utf8");
}

/**
 * Normalizes a message to frames (an empty array gives none: nothing is sent). Frames over
 * COPY_LIMIT are passed by reference: the caller must not change such a buffer after sending
 * it (the same contract as zero-copy sends in libzmq and zeromq). Parts are converted last
 * to first, as zeromq does, so the same part's error wins when several are bad.
 */
export function toFrames(message: unknown): Buffer[] {
  if (Array.isArray(message)) {
    const out = new Array<Buffer>(message.length);
    for (let i = message.length - 1; i >= 0; i--) out[i] = toFrame(message[i]);
    return out;
  }
  return [toFrame(message)];
}
