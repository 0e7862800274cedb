import { ProtocolError } from "../errors.js";
import { FLAG_MORE } from "../wire/frame.js";
import type { Msg } from "./pipe.js";

/**
 * The most frames one message may have while it is gathered. libzmq has no such bound, but its
 * frames live outside any heap limit; here each costs a V8 object, and a peer that never sends
 * the last frame would grow the heap until the process aborts. Messages of this many frames are
 * far beyond what libzmq applications send.
 */
export const MAX_MESSAGE_FRAMES = 65_536;
/**
 * The most bytes (frame bodies summed) one message may have while it is gathered, whatever
 * `maxMessageSize` (which libzmq applies to each frame, not to a message) allows.
 */
export const MAX_MESSAGE_BYTES = 2 ** 31;

/**
 * Gathers frames into a message by the MORE bit, within the bounds above; a peer that passes
 * them loses the connection (ZMTP_MESSAGE_TOO_LARGE), as one sending an oversize frame does.
 */
export class MessageAssembly {
  private partial: Buffer[] | null = null;
  private bytes = 0;

  constructor(
    private readonly maxFrames = MAX_MESSAGE_FRAMES,
    private readonly maxBytes = MAX_MESSAGE_BYTES,
  ) {}

  /** Adds a frame; returns the message it completes, or null while more frames are to come. */
  push(flags: number, body: Buffer): Msg | null {
    const partial = this.partial;
    if ((flags & FLAG_MORE) === 0) {
      if (partial === null) return [body];
      this.check(partial.length + 1, body.length);
      partial.push(body);
      this.partial = null;
      this.bytes = 0;
      return partial;
    }
    if (partial === null) {
      this.check(1, body.length);
      this.partial = [body];
      this.bytes = body.length;
    } else {
      this.check(partial.length + 1, body.length);
      partial.push(body);
      this.bytes += body.length;
    }
    return null;
  }

  /** Drops a message left incomplete (the connection ended). */
  reset(): void {
    this.partial = null;
    this.bytes = 0;
  }

  private check(frames: number, more: number): void {
    if (frames > this.maxFrames) {
      throw new ProtocolError("ZMTP_MESSAGE_TOO_LARGE", `message of more than ${this.maxFrames} frames`);
    }
    if (this.bytes + more > this.maxBytes) {
      throw new ProtocolError("ZMTP_MESSAGE_TOO_LARGE", `message of more than ${this.maxBytes} bytes`);
    }
  }
}
