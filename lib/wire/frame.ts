import { nodeBuiltin } from "../util/builtin.js";
import { ProtocolError } from "../errors.js";
import { ENVELOPE_SLACK } from "./curve-flags.js";

export const FLAG_MORE = 0x01;
export const FLAG_LONG = 0x02;
export const FLAG_COMMAND = 0x04;
const RESERVED = 0xf8;

/**
 * The largest Buffer the runtime can make: Node's, or, without node:buffer (the browser's
 * Buffer is a Uint8Array), 2^31 - 1, below what browsers allow one typed array.
 */
const MAX_BUFFER = nodeBuiltin<typeof import("node:buffer")>("node:buffer")?.constants.MAX_LENGTH ?? 0x7fffffff;

/** Header length for a body of `size` bytes: 2 (short) or 9 (long). */
export function headerSize(size: number): number {
  return size > 255 ? 9 : 2;
}

/** Writes a frame header into `target` at `offset`; returns the offset after it. */
export function writeHeader(target: Uint8Array, offset: number, flags: number, size: number): number {
  if (size > 255) {
    target[offset] = flags | FLAG_LONG;
    // 8-byte big-endian size; sizes above 2^32 are split in two 32-bit halves.
    const hi = Math.floor(size / 0x100000000);
    const lo = size >>> 0;
    target[offset + 1] = hi >>> 24;
    target[offset + 2] = (hi >>> 16) & 0xff;
    target[offset + 3] = (hi >>> 8) & 0xff;
    target[offset + 4] = hi & 0xff;
    target[offset + 5] = lo >>> 24;
    target[offset + 6] = (lo >>> 16) & 0xff;
    target[offset + 7] = (lo >>> 8) & 0xff;
    target[offset + 8] = lo & 0xff;
    return offset + 9;
  }
  target[offset] = flags;
  target[offset + 1] = size;
  return offset + 2;
}

/** One complete frame as a new buffer (header + body copied); for commands and tests. */
export function encodeFrame(flags: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(headerSize(body.length) + body.length);
  const at = writeHeader(out, 0, flags & ~FLAG_LONG, body.length);
  out.set(body, at);
  return out;
}

/** Encodes a multi-part message: MORE on all frames but the last. */
export function encodeMessage(frames: readonly Uint8Array[]): Buffer {
  let total = 0;
  for (const f of frames) total += headerSize(f.length) + f.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    at = writeHeader(out, at, i < frames.length - 1 ? FLAG_MORE : 0, f.length);
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/** Receives decoded frames. `body` may be a view into the chunk it arrived in. */
export interface FrameSink {
  onFrame(flags: number, body: Buffer): void;
}

/**
 * Chooses the memory of a body gathered across chunks: the reader of the connection may hand
 * out the very memory its first bytes were read into (and where the rest will be read), so the
 * body is neither allocated nor copied.
 */
export interface BodySource {
  /** Memory for a body of `size` bytes whose first bytes are `chunk` from `at` on; null: a new buffer. */
  bodyAt(chunk: Buffer, at: number, size: number): Buffer | null;
}

/**
 * Every empty frame decoded (the delimiter of each REQ/REP/ROUTER envelope): it has no bytes to
 * change, and a view per frame was one more object per message made and collected.
 */
const EMPTY_FRAME = Buffer.alloc(0);

/** Larger transient bodies get a buffer of their own, so a connection never holds more. */
const MAX_REUSED_BODY = 1024 * 1024 + 64;

const S_FLAGS = 0;
const S_SIZE = 1;
const S_BODY = 2;

/**
 * Streaming ZMTP frame decoder. A frame that lies wholly inside one chunk is passed on as a
 * `subarray` of it (no copy); a frame split across chunks is gathered into one buffer whose
 * size is checked against `maxMessageSize` before it is allocated.
 */
export class FrameDecoder {
  private state = S_FLAGS;
  private flags = 0;
  private sizeBytes = 0; // bytes of size field still expected
  private size = 0;
  private body: Buffer | null = null;
  private bodyHave = 0;
  /**
   * Set when the sink is done with every frame before onFrame returns (CURVE copies the
   * plaintext out): a body gathered across chunks then reuses one buffer, sparing a fresh
   * allocation (and its page faults) per large frame.
   */
  transientBodies = false;
  private reusable: Buffer | null = null;
  /** Where bodies gathered across chunks live, unless transient; by default each is allocated. */
  bodies: BodySource | null = null;

  /** `boxed`: frames carry an encryption envelope (CURVE), so every frame gets its slack. */
  /**
   * While set (>= 0), a frame declaring more is refused from its header, whatever
   * maxMessageSize allows: the engine sets it until the handshake is done.
   */
  handshakeLimit = -1;

  constructor(
    public maxMessageSize = -1,
    private readonly boxed = false,
  ) {}

  push(chunk: Buffer, sink: FrameSink, offset = 0): void {
    const len = chunk.length;
    let i = offset;
    while (i < len) {
      if (this.state === S_FLAGS) {
        // Fast path: a whole frame inside this chunk.
        const flags = chunk[i]!;
        if ((flags & RESERVED) !== 0) {
          throw new ProtocolError("ZMTP_RESERVED_FLAGS", `frame flags 0x${flags.toString(16)} set reserved bits`);
        }
        if ((flags & FLAG_LONG) === 0) {
          if (i + 1 < len) {
            const size = chunk[i + 1]!;
            this.checkFrame(flags, size);
            const start = i + 2;
            if (start + size <= len) {
              i = start + size;
              sink.onFrame(flags & ~FLAG_LONG, size === 0 ? EMPTY_FRAME : chunk.subarray(start, i));
              continue;
            }
          }
        } else if (i + 9 <= len) {
          const size = this.readLong(chunk, i + 1);
          this.checkFrame(flags, size);
          const start = i + 9;
          if (start + size <= len) {
            i = start + size;
            sink.onFrame(flags & ~FLAG_LONG, chunk.subarray(start, i));
            continue;
          }
        }
        // Slow path: header or body continues in a later chunk.
        this.flags = flags;
        this.size = 0;
        this.sizeBytes = (flags & FLAG_LONG) !== 0 ? 8 : 1;
        this.state = S_SIZE;
        i++;
      } else if (this.state === S_SIZE) {
        while (this.sizeBytes > 0 && i < len) {
          this.size = this.size * 256 + chunk[i++]!;
          this.sizeBytes--;
        }
        if (this.sizeBytes === 0) {
          this.checkFrame(this.flags, this.size);
          if (this.size === 0) {
            this.state = S_FLAGS;
            sink.onFrame(this.flags & ~FLAG_LONG, EMPTY_FRAME);
          } else if (len - i >= this.size) {
            const start = i;
            i += this.size;
            this.state = S_FLAGS;
            sink.onFrame(this.flags & ~FLAG_LONG, chunk.subarray(start, i));
          } else {
            this.body = this.newBody(this.size, chunk, i);
            this.bodyHave = 0;
            this.state = S_BODY;
          }
        }
      } else {
        const body = this.body!;
        const take = Math.min(body.length - this.bodyHave, len - i);
        // A body in the reader's memory already holds these bytes (see BodySource).
        if (chunk.buffer !== body.buffer || chunk.byteOffset + i !== body.byteOffset + this.bodyHave) {
          chunk.copy(body, this.bodyHave, i, i + take);
        }
        this.bodyHave += take;
        i += take;
        if (this.bodyHave === body.length) {
          this.body = null;
          this.state = S_FLAGS;
          sink.onFrame(this.flags & ~FLAG_LONG, body);
        }
      }
    }
  }

  private newBody(size: number, chunk: Buffer, at: number): Buffer {
    if (!this.transientBodies || size > MAX_REUSED_BODY) return this.bodies?.bodyAt(chunk, at, size) ?? Buffer.allocUnsafe(size);
    let buf = this.reusable;
    if (buf === null || buf.length < size) buf = this.reusable = Buffer.allocUnsafe(size);
    return buf.subarray(0, size);
  }

  /** Bytes still missing from a frame body gathered across chunks; 0 when none is. */
  get bodyMissing(): number {
    return this.state === S_BODY ? this.body!.length - this.bodyHave : 0;
  }

  /**
   * Where the missing bytes of that body go. Reading straight into it skips the copy from a
   * chunk; call `bodyWritten` with the count.
   */
  bodyTail(): Buffer {
    return this.body!.subarray(this.bodyHave);
  }

  /** `n` bytes were written at the start of `bodyTail()`; emits the frame once it is whole. */
  bodyWritten(n: number, sink: FrameSink): void {
    const body = this.body!;
    this.bodyHave += n;
    if (this.bodyHave === body.length) {
      this.body = null;
      this.state = S_FLAGS;
      sink.onFrame(this.flags & ~FLAG_LONG, body);
    }
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.state === S_FLAGS;
  }

  private readLong(chunk: Buffer, at: number): number {
    const hi = chunk.readUInt32BE(at);
    if (hi > 0x1fffff) {
      throw new ProtocolError("ZMTP_MESSAGE_TOO_LARGE", "frame size over 2^53 bytes");
    }
    return hi * 0x100000000 + chunk.readUInt32BE(at + 4);
  }

  private checkFrame(flags: number, size: number): void {
    if ((flags & FLAG_COMMAND) !== 0 && (flags & FLAG_MORE) !== 0) {
      throw new ProtocolError("ZMTP_COMMAND_MORE", "command frame has the MORE flag set");
    }
    if (size > Number.MAX_SAFE_INTEGER) {
      throw new ProtocolError("ZMTP_MESSAGE_TOO_LARGE", "frame size over 2^53 bytes");
    }
    if (this.handshakeLimit >= 0 && size > this.handshakeLimit) {
      throw new ProtocolError("ZMTP_MESSAGE_TOO_LARGE", `handshake frame of ${size} bytes exceeds ${this.handshakeLimit}`);
    }
    // With no maxMessageSize a peer could still announce a size no Buffer can hold;
    // refuse it here instead of letting Buffer.allocUnsafe throw a RangeError.
    if (size > MAX_BUFFER) {
      throw new ProtocolError(
        "ZMTP_MESSAGE_TOO_LARGE",
        `frame of ${size} bytes exceeds the largest possible Buffer (${MAX_BUFFER})`,
      );
    }
    const limit = this.boxed || (flags & FLAG_COMMAND) !== 0 ? this.maxMessageSize + ENVELOPE_SLACK : this.maxMessageSize;
    if (this.maxMessageSize >= 0 && size > limit) {
      throw new ProtocolError(
        "ZMTP_MESSAGE_TOO_LARGE",
        `frame of ${size} bytes exceeds maxMessageSize ${this.maxMessageSize}`,
      );
    }
  }
}
