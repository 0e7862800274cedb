import { ProtocolError, WiremqRangeError } from "../errors.js";

export const GREETING_SIZE = 64;

export interface Greeting {
  major: number;
  minor: number;
  mechanism: string;
  asServer: boolean;
}

/** The whole 64-byte greeting, written at once (libzmq reads the signature first, then the rest). */
export function encodeGreeting(mechanism: string, asServer: boolean, minor = 1): Buffer {
  if (mechanism.length > 20) throw new WiremqRangeError("EINVAL", `mechanism name too long: ${mechanism}`);
  const b = Buffer.alloc(GREETING_SIZE);
  b[0] = 0xff;
  // Padding is "not significant" (RFC 23/37), but libzmq sends 00…01 here (a ZMTP/1.0 identity
  // length of routing-id size + 1); send the same so our greeting matches libzmq byte for byte.
  b[8] = 1;
  b[9] = 0x7f;
  b[10] = 3;
  b[11] = minor;
  b.write(mechanism, 12, "ascii");
  b[32] = asServer ? 1 : 0;
  return b;
}

/**
 * Parses a peer's greeting as bytes trickle in. Checks each byte as soon as it arrives so a
 * non-ZMTP peer is refused early instead of after it happens to send 64 bytes.
 */
export class GreetingParser {
  private readonly buf = Buffer.alloc(GREETING_SIZE);
  private have = 0;
  result: Greeting | null = null;

  /** Consumes from `chunk` at `offset`; returns the number of bytes used. Throws ProtocolError. */
  feed(chunk: Uint8Array, offset = 0): number {
    const take = Math.min(GREETING_SIZE - this.have, chunk.length - offset);
    const start = this.have;
    for (let i = 0; i < take; i++) this.buf[start + i] = chunk[offset + i]!;
    this.have += take;
    this.check(start, this.have);
    if (this.have === GREETING_SIZE) {
      const b = this.buf;
      // The name is padded with zeros; bytes after the padding stay part of it, so that
      // "NULL\0JUNK" matches no mechanism, as libzmq compares all 20 bytes.
      let end = 32;
      while (end > 12 && b[end - 1] === 0) end--;
      this.result = {
        major: b[10]!,
        minor: b[11]!,
        mechanism: b.toString("latin1", 12, end),
        asServer: b[32] === 1,
      };
    }
    return take;
  }

  get done(): boolean {
    return this.result !== null;
  }

  private check(from: number, to: number): void {
    const b = this.buf;
    if (from <= 0 && to > 0 && b[0] !== 0xff) {
      throw new ProtocolError("ZMTP_BAD_SIGNATURE", "peer greeting does not start with 0xFF: not a ZMTP peer");
    }
    if (from <= 9 && to > 9 && (b[9]! & 1) !== 1) {
      throw new ProtocolError("ZMTP_BAD_SIGNATURE", "peer greeting signature byte 9 lacks bit 0: not a ZMTP 2+ peer");
    }
    if (from <= 10 && to > 10 && b[10]! < 3) {
      throw new ProtocolError(
        "ZMTP_BAD_VERSION",
        `peer speaks ZMTP major version ${b[10]}; wiremq needs 3 or later`,
      );
    }
  }
}
