/**
 * 26/CURVEZMQ as libzmq 4.3 speaks it (curve_client.cpp, curve_client_tools.hpp,
 * curve_server.cpp, curve_mechanism_base.cpp). Byte layouts of the command bodies:
 *
 *   HELLO    (200)  "\x05HELLO" | 01 00 | 72 × 00 | C' (32) | short nonce (8) | Box[64 × 00](C'→S) (80)
 *   WELCOME  (168)  "\x07WELCOME" | long nonce (16) | Box[S' + cookie](S→C') (144)
 *       cookie (96) = cookie nonce (16) | SecretBox[C' + s'](K) (80)
 *   INITIATE (257+) "\x08INITIATE" | cookie (96) | short nonce (8) | Box[C + vouch + metadata](C'→S')
 *       vouch (96) = long nonce (16) | Box[C' + S](C→S') (80)
 *   READY    (30+)  "\x05READY" | short nonce (8) | Box[metadata](S'→C')
 *   MESSAGE  (33+)  "\x07MESSAGE" | short nonce (8) | Box[flags (1) + frame](sender'→receiver')
 *
 * A box on the wire is the 16-byte tag followed by the ciphertext. Full 24-byte nonces are a
 * prefix plus the field: "CurveZMQHELLO---", "WELCOME-", "COOKIE--", "CurveZMQINITIATE",
 * "VOUCH---", "CurveZMQREADY---", "CurveZMQMESSAGEC" (client→server), "CurveZMQMESSAGES"
 * (server→client). Short nonces are a 64-bit big-endian counter that starts at 1 on each side
 * (client: HELLO 1, INITIATE 2, MESSAGEs from 3; server: READY 1, MESSAGEs from 2); each side
 * refuses a MESSAGE whose nonce is not above the last one it accepted.
 *
 * This file holds what both sides share: the layouts' sizes and names, nonces, the MESSAGE
 * codec and CurveBase; the handshakes are curve-client.ts and curve-server.ts.
 */
import { bytesEqualConstantTime } from "../util/bytes-equal.js";
import { ProtocolError, ZmqError } from "../errors.js";
import { isCommand } from "../wire/command.js";
import { CURVE_FLAG_COMMAND, CURVE_FLAG_MORE } from "../wire/curve-flags.js";
import type { MechanismContext } from "./mechanism.js";
import { commandName } from "./plain.js";
import * as nacl from "./sodium.js";

export const HELLO_SIZE = 200;
export const WELCOME_SIZE = 168;
export const INITIATE_MIN_SIZE = 257;
export const READY_MIN_SIZE = 30;
export const MESSAGE_MIN_SIZE = 33;

export { CURVE_FLAG_COMMAND, CURVE_FLAG_MORE };
const FLAG_MASK = CURVE_FLAG_MORE | CURVE_FLAG_COMMAND;

export const HELLO_NAME = "HELLO";
export const WELCOME_NAME = "WELCOME";
export const INITIATE_NAME = "INITIATE";
const MESSAGE_NAME = "MESSAGE";

export const NAME_HELLO = Buffer.from("\x05HELLO", "latin1");
export const NAME_WELCOME = Buffer.from("\x07WELCOME", "latin1");
export const NAME_INITIATE = Buffer.from("\x08INITIATE", "latin1");
export const NAME_READY = Buffer.from("\x05READY", "latin1");
const NAME_MESSAGE = Buffer.from("\x07MESSAGE", "latin1");

export const ZERO_64 = new Uint8Array(64);

/** A 24-byte nonce with `prefix` (8 or 16 ASCII bytes) in front. */
export function nonceWithPrefix(prefix: string): Buffer {
  const n = Buffer.alloc(nacl.NONCE_BYTES);
  n.write(prefix, 0, "latin1");
  return n;
}

/** Writes a 64-bit big-endian counter (a safe integer) at `offset`. */
export function writeCounter(target: Buffer, offset: number, value: number): void {
  target.writeUInt32BE(Math.floor(value / 0x100000000), offset);
  target.writeUInt32BE(value >>> 0, offset + 4);
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqualConstantTime(a, b);
}

export function view(u: Uint8Array, start = 0, end = u.length): Buffer {
  return Buffer.from(u.buffer, u.byteOffset + start, end - start);
}

/**
 * MESSAGE encoding once the handshake is done: one precomputed key (both directions share it),
 * a nonce counter for our side and the last nonce accepted from the peer.
 */
class MessageCodec {
  private readonly sendNonce: Buffer;
  private readonly recvNonce: Buffer;
  private peerHi: number;
  private peerLo: number;

  constructor(
    private readonly key: Uint8Array,
    sendPrefix: string,
    recvPrefix: string,
    private readonly counter: { next(): number },
    peerNonce: { hi: number; lo: number },
  ) {
    this.sendNonce = nonceWithPrefix(sendPrefix);
    this.recvNonce = nonceWithPrefix(recvPrefix);
    this.peerHi = peerNonce.hi;
    this.peerLo = peerNonce.lo;
  }

  encodeInto(out: Buffer, at: number, flags: number, body: Uint8Array): number {
    writeCounter(this.sendNonce, 16, this.counter.next());
    NAME_MESSAGE.copy(out, at);
    this.sendNonce.copy(out, at + 8, 16, 24);
    nacl.boxAfterInto(out, at + 16, flags & FLAG_MASK, body, this.sendNonce, this.key);
    return at + MESSAGE_MIN_SIZE + body.length;
  }

  decode(body: Buffer): { flags: number; body: Buffer } {
    if (!isCommand(body, MESSAGE_NAME)) {
      throw new ProtocolError("CURVE_UNEXPECTED_COMMAND", `expected a CURVE MESSAGE, got ${commandName(body)}`);
    }
    if (body.length < MESSAGE_MIN_SIZE) {
      throw new ProtocolError("CURVE_MALFORMED_MESSAGE", `CURVE MESSAGE of ${body.length} bytes is shorter than 33`);
    }
    const hi = body.readUInt32BE(8);
    const lo = body.readUInt32BE(12);
    if (hi < this.peerHi || (hi === this.peerHi && lo <= this.peerLo)) {
      throw new ProtocolError("CURVE_BAD_NONCE", "CURVE MESSAGE nonce does not increase (replayed or reordered)");
    }
    body.copy(this.recvNonce, 16, 8, 16);
    const plain = nacl.openAfterInPlace(body.subarray(16), this.recvNonce, this.key);
    if (plain === null) {
      throw new ProtocolError("CURVE_DECRYPT_FAILED", "CURVE MESSAGE box does not open (tampered or forged)");
    }
    this.peerHi = hi;
    this.peerLo = lo;
    // libzmq masks the flags byte with MORE|COMMAND and ignores the other bits.
    return { flags: plain.head & FLAG_MASK, body: plain.body };
  }
}

/** Base for both sides: our short-nonce counter, peer nonce, codec after the handshake. */
export abstract class CurveBase {
  readonly name = "CURVE" as const;
  peerProperties = new Map<string, Buffer>();
  userId = "";
  zapProperties = new Map<string, Buffer>();
  protected codec: MessageCodec | null = null;
  /** crypto_box_beforenm(peer short-term public, our short-term secret), once known. */
  protected key: Uint8Array | null = null;
  protected nonce = 1;
  protected peerHi = 0;
  protected peerLo = 0;
  protected readonly counter = { next: (): number => this.nonce++ };

  constructor(protected readonly ctx: MechanismContext) {}

  prepare(): Promise<void> | null {
    return nacl.sodiumLoaded() ? null : nacl.loadSodium();
  }

  /**
   * Wraps one frame as a MESSAGE command body. `flags` is the byte that goes inside the box:
   * CURVE_FLAG_MORE (0x01) and CURVE_FLAG_COMMAND (0x02, for a ZMTP command such as PING or
   * SUBSCRIBE); other bits are dropped. On the wire the result must travel as a frame with
   * flags 0 (no COMMAND, no MORE), as libzmq sends it: libzmq 4.3.5 ORs the wire frame's
   * flags into the decoded frame, so it drops a MESSAGE sent in a COMMAND frame and joins one
   * sent with MORE to the next message (test/mechanisms/curve-mechanism.test.ts shows both).
   */
  encode(flags: number, body: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(MESSAGE_MIN_SIZE + body.length);
    this.encodeInto(out, 0, flags, body);
    return out;
  }

  encodedSize(length: number): number {
    return MESSAGE_MIN_SIZE + length;
  }

  encodeInto(out: Buffer, at: number, flags: number, body: Uint8Array): number {
    if (!this.codec) throw new ZmqError("EFSM", "CURVE encode before the handshake completed");
    return this.codec.encodeInto(out, at, flags, body);
  }

  /**
   * Unwraps a MESSAGE command body into a frame; `flags` is the byte from inside the box,
   * masked to CURVE_FLAG_MORE | CURVE_FLAG_COMMAND as libzmq does. libzmq sends MESSAGEs as
   * plain data frames (wire flags 0), so accept them whatever the wire COMMAND bit says.
   * Throws ProtocolError: CURVE_UNEXPECTED_COMMAND, CURVE_MALFORMED_MESSAGE, CURVE_BAD_NONCE,
   * CURVE_DECRYPT_FAILED. Any of these must close the connection.
   */
  decode(commandBody: Buffer): { flags: number; body: Buffer } {
    if (!this.codec) throw new ZmqError("EFSM", "CURVE decode before the handshake completed");
    return this.codec.decode(commandBody);
  }

  /** With the accelerator a large MESSAGE opens in place: decode's body is then a view of its input. */
  decodeTakesInput(): boolean {
    return nacl.opensInPlace();
  }

  /** Accepts a handshake short nonce from the peer; false unless it is above the last one. */
  protected acceptPeerNonce(body: Buffer, offset: number, strict: boolean): boolean {
    const hi = body.readUInt32BE(offset);
    const lo = body.readUInt32BE(offset + 4);
    if (strict && (hi < this.peerHi || (hi === this.peerHi && lo <= this.peerLo))) return false;
    this.peerHi = hi;
    this.peerLo = lo;
    return true;
  }

  /** The session key and whatever the handshake still holds, zeroed once the connection ends. */
  dispose(): void {
    nacl.wipe(this.key);
    this.key = null;
    this.codec = null;
    this.wipeSecrets();
  }

  protected abstract wipeSecrets(): void;

  protected startCodec(key: Uint8Array, sendPrefix: string, recvPrefix: string): void {
    this.codec = new MessageCodec(key, sendPrefix, recvPrefix, this.counter, { hi: this.peerHi, lo: this.peerLo });
  }
}
