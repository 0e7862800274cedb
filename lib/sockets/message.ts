/** What `send` accepts for one frame, as in the `zeromq` package. */
export type MessageLike = ArrayBufferView | ArrayBuffer | SharedArrayBuffer | string | number | null;

const EMPTY = Buffer.alloc(0);

function toFrame(part: MessageLike): Buffer {
  if (Buffer.isBuffer(part)) return part;
  if (typeof part === "string") return Buffer.from(part, "utf8");
  if (part === null) return EMPTY;
  // zeromq sends a number as its decimal text (String(n)).
  if (typeof part === "number") return Buffer.from(String(part), "latin1");
  if (ArrayBuffer.isView(part)) return Buffer.from(part.buffer, part.byteOffset, part.byteLength);
  if (part instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && part instanceof SharedArrayBuffer)) {
    return Buffer.from(part);
  }
  throw new TypeError("Message must be a string, number, Buffer, ArrayBuffer, typed array, or an array of those");
}

/**
 * Normalizes a message to frames. Buffers are passed by reference, not copied: the caller
 * must not change a buffer after sending it (the same contract as zero-copy sends in libzmq).
 */
export function toFrames(message: MessageLike | MessageLike[]): Buffer[] {
  if (Array.isArray(message)) {
    if (message.length === 0) throw new TypeError("Message must have at least one frame");
    const out = new Array<Buffer>(message.length);
    for (let i = 0; i < message.length; i++) out[i] = toFrame(message[i]!);
    return out;
  }
  return [toFrame(message)];
}
