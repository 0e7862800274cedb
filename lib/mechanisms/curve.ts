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
 */
import { timingSafeEqual, randomFillSync } from "node:crypto";
import { ProtocolError, ZmqError } from "../errors.js";
import { encodeMetadata, isCommand, parseMetadata, READY } from "../wire/command.js";
import { curveKeyBytes, type CurveKey } from "./curve-keys.js";
import { errorCommandData, failStep, peerErrorStep, zapRefusedStep } from "./failure.js";
import { askZapStep } from "./zap.js";
import type { Mechanism, MechanismContext, MechanismStep, ZapReply } from "./mechanism.js";
import { commandName } from "./plain.js";
import * as nacl from "./sodium.js";

export const HELLO_SIZE = 200;
export const WELCOME_SIZE = 168;
export const INITIATE_MIN_SIZE = 257;
export const READY_MIN_SIZE = 30;
export const MESSAGE_MIN_SIZE = 33;

/**
 * Flags inside a MESSAGE box, as libzmq's msg_t flags: bit 0 MORE, bit 1 COMMAND (a ZMTP
 * command such as PING or SUBSCRIBE travelling inside the box). These are not ZMTP frame
 * flags: there COMMAND is 0x04 and 0x02 is LONG.
 */
export const CURVE_FLAG_MORE = 0x01;
export const CURVE_FLAG_COMMAND = 0x02;
const FLAG_MASK = CURVE_FLAG_MORE | CURVE_FLAG_COMMAND;

const HELLO_NAME = "HELLO";
const WELCOME_NAME = "WELCOME";
const INITIATE_NAME = "INITIATE";
const MESSAGE_NAME = "MESSAGE";

const NAME_HELLO = Buffer.from("\x05HELLO", "latin1");
const NAME_WELCOME = Buffer.from("\x07WELCOME", "latin1");
const NAME_INITIATE = Buffer.from("\x08INITIATE", "latin1");
const NAME_READY = Buffer.from("\x05READY", "latin1");
const NAME_MESSAGE = Buffer.from("\x07MESSAGE", "latin1");

const ZERO_64 = new Uint8Array(64);

/** A 24-byte nonce with `prefix` (8 or 16 ASCII bytes) in front. */
function nonceWithPrefix(prefix: string): Buffer {
  const n = Buffer.alloc(nacl.NONCE_BYTES);
  n.write(prefix, 0, "latin1");
  return n;
}

/** Writes a 64-bit big-endian counter (a safe integer) at `offset`. */
function writeCounter(target: Buffer, offset: number, value: number): void {
  target.writeUInt32BE(Math.floor(value / 0x100000000), offset);
  target.writeUInt32BE(value >>> 0, offset + 4);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function view(u: Uint8Array, start = 0, end = u.length): Buffer {
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
    const plain = nacl.openAfterSplit(body.subarray(16), this.recvNonce, this.key);
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
abstract class CurveBase {
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

  /** Accepts a handshake short nonce from the peer; false unless it is above the last one. */
  protected acceptPeerNonce(body: Buffer, offset: number, strict: boolean): boolean {
    const hi = body.readUInt32BE(offset);
    const lo = body.readUInt32BE(offset + 4);
    if (strict && (hi < this.peerHi || (hi === this.peerHi && lo <= this.peerLo))) return false;
    this.peerHi = hi;
    this.peerLo = lo;
    return true;
  }

  protected startCodec(key: Uint8Array, sendPrefix: string, recvPrefix: string): void {
    this.codec = new MessageCodec(key, sendPrefix, recvPrefix, this.counter, { hi: this.peerHi, lo: this.peerLo });
  }
}

export interface CurveClientOptions {
  /** The server's long-term public key (S). */
  serverKey: CurveKey;
  /** Our long-term secret key (c). */
  secretKey: CurveKey;
  /** Our long-term public key (C); derived from `secretKey` when omitted. */
  publicKey?: CurveKey;
}

type ClientState = "start" | "expect-welcome" | "expect-ready" | "ready" | "failed";

export class CurveClient extends CurveBase implements Mechanism {
  readonly asServer = false;
  private state: ClientState = "start";
  private readonly serverKey: Buffer;
  private readonly publicKey: Buffer;
  private secretKey: Buffer;
  private readonly cnPublic: Uint8Array;
  private cnSecret: Uint8Array;

  constructor(ctx: MechanismContext, options: CurveClientOptions) {
    super(ctx);
    this.serverKey = curveKeyBytes(options.serverKey, "server key");
    this.secretKey = curveKeyBytes(options.secretKey, "secret key");
    this.publicKey =
      options.publicKey === undefined ? Buffer.from(nacl.publicKeyOf(this.secretKey)) : curveKeyBytes(options.publicKey, "public key");
    const kp = nacl.keyPair();
    this.cnPublic = kp.publicKey;
    this.cnSecret = kp.secretKey;
  }

  start(): MechanismStep {
    if (this.state !== "start") return this.fail("CURVE_UNEXPECTED", "start() called twice");
    const nonce = nonceWithPrefix("CurveZMQHELLO---");
    writeCounter(nonce, 16, this.counter.next());
    const signature = nacl.box(ZERO_64, nonce, this.serverKey, this.cnSecret);
    if (signature === null) return this.fail("CURVE_KEY_EXCHANGE", "CURVE server key is not a usable public key");
    const hello = Buffer.alloc(HELLO_SIZE);
    NAME_HELLO.copy(hello, 0);
    hello[6] = 1;
    hello[7] = 0;
    hello.set(this.cnPublic, 80);
    nonce.copy(hello, 112, 16, 24);
    hello.set(signature, 120);
    this.state = "expect-welcome";
    return { send: [hello] };
  }

  onCommand(body: Buffer): MechanismStep {
    const errorData = errorCommandData(body);
    if (errorData && (this.state === "expect-welcome" || this.state === "expect-ready")) {
      this.state = "failed";
      this.wipeSecrets();
      return peerErrorStep(errorData);
    }
    if (this.state === "expect-welcome" && isCommand(body, WELCOME_NAME)) return this.onWelcome(body);
    if (this.state === "expect-ready" && isCommand(body, READY)) return this.onReady(body);
    return this.fail("ZMTP_UNEXPECTED_COMMAND", `CURVE client did not expect ${commandName(body)} now`);
  }

  onZapReply(_reply: ZapReply): MechanismStep {
    return this.fail("CURVE_UNEXPECTED", "a CURVE client never asks ZAP");
  }

  private onWelcome(body: Buffer): MechanismStep {
    if (body.length !== WELCOME_SIZE) {
      return this.fail("ZMTP_MALFORMED_COMMAND_WELCOME", `CURVE WELCOME is ${body.length} bytes, expected 168`);
    }
    const welcomeNonce = nonceWithPrefix("WELCOME-");
    body.copy(welcomeNonce, 8, 8, 24);
    const plain = nacl.open(body.subarray(24), welcomeNonce, this.serverKey, this.cnSecret);
    if (plain === null || plain.length !== 128) {
      return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE WELCOME box (wrong server key?)");
    }
    const serverShort = plain.subarray(0, 32);
    const cookie = plain.subarray(32, 128);
    const key = nacl.beforenm(serverShort, this.cnSecret);
    if (key === null) return this.fail("CURVE_KEY_EXCHANGE", "CURVE server short-term key is not usable");

    // vouch = Box[C' + S](C → S'), long nonce "VOUCH---" + 16 random bytes.
    const vouchNonce = nonceWithPrefix("VOUCH---");
    randomFillSync(vouchNonce, 8, 16);
    const vouchPlain = Buffer.concat([this.cnPublic, this.serverKey]);
    const vouch = nacl.box(vouchPlain, vouchNonce, serverShort, this.secretKey);
    if (vouch === null) return this.fail("CURVE_KEY_EXCHANGE", "CURVE server short-term key is not usable");

    const metadata = encodeMetadata(this.ctx.properties);
    const initPlain = Buffer.concat([this.publicKey, vouchNonce.subarray(8), vouch, metadata]);
    const initNonce = nonceWithPrefix("CurveZMQINITIATE");
    writeCounter(initNonce, 16, this.counter.next());
    const initBox = nacl.boxAfter(initPlain, initNonce, key);
    nacl.wipe(initPlain);
    const initiate = Buffer.concat([NAME_INITIATE, cookie, initNonce.subarray(16), initBox]);

    this.key = key;
    this.wipeSecrets();
    this.state = "expect-ready";
    return { send: [initiate] };
  }

  private onReady(body: Buffer): MechanismStep {
    if (body.length < READY_MIN_SIZE) {
      return this.fail("ZMTP_MALFORMED_COMMAND_READY", `CURVE READY is ${body.length} bytes, at least 30 expected`);
    }
    const nonce = nonceWithPrefix("CurveZMQREADY---");
    body.copy(nonce, 16, 6, 14);
    const plain = nacl.openAfter(body.subarray(14), nonce, this.key!);
    if (plain === null) return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE READY box");
    try {
      this.peerProperties = parseMetadata(view(plain));
    } catch {
      return this.fail("ZMTP_INVALID_METADATA", "CURVE READY metadata is malformed");
    }
    this.acceptPeerNonce(body, 6, false);
    this.startCodec(this.key!, "CurveZMQMESSAGEC", "CurveZMQMESSAGES");
    this.state = "ready";
    return { send: [], ready: true };
  }

  private wipeSecrets(): void {
    nacl.wipe(this.cnSecret, this.secretKey);
  }

  private fail(code: string, message: string): MechanismStep {
    this.state = "failed";
    this.wipeSecrets();
    return failStep("protocol", code, message);
  }
}

export interface CurveServerOptions {
  /** Our long-term secret key (s). */
  secretKey: CurveKey;
  /** Our long-term public key (S); derived from `secretKey` when omitted. */
  publicKey?: CurveKey;
}

type ServerState = "expect-hello" | "expect-initiate" | "wait-zap" | "ready" | "failed";

export class CurveServer extends CurveBase implements Mechanism {
  readonly asServer = true;
  private state: ServerState = "expect-hello";
  private readonly publicKey: Buffer;
  private secretKey: Buffer;
  private clientShort: Buffer | null = null;
  private cnSecret: Uint8Array | null = null;
  private cookieKey: Buffer | null = null;

  constructor(ctx: MechanismContext, options: CurveServerOptions) {
    super(ctx);
    this.secretKey = curveKeyBytes(options.secretKey, "secret key");
    this.publicKey =
      options.publicKey === undefined ? Buffer.from(nacl.publicKeyOf(this.secretKey)) : curveKeyBytes(options.publicKey, "public key");
  }

  start(): MechanismStep {
    return { send: [] };
  }

  onCommand(body: Buffer): MechanismStep {
    if (body.length <= 1 || body.length <= body[0]!) {
      return this.fail("ZMTP_MALFORMED_COMMAND_UNSPECIFIED", "CURVE handshake command shorter than its name");
    }
    if (this.state === "expect-hello" && isCommand(body, HELLO_NAME)) return this.onHello(body);
    if (this.state === "expect-initiate" && isCommand(body, INITIATE_NAME)) return this.onInitiate(body);
    return this.fail("ZMTP_UNEXPECTED_COMMAND", `CURVE server did not expect ${commandName(body)} now`);
  }

  onZapReply(reply: ZapReply): MechanismStep {
    if (this.state !== "wait-zap") return this.fail("CURVE_UNEXPECTED", "ZAP reply while no ZAP request is pending");
    if (reply.status !== 200) {
      this.state = "failed";
      this.wipeSecrets();
      return zapRefusedStep(reply);
    }
    this.userId = reply.userId;
    this.zapProperties = reply.metadata;
    return this.sendReady();
  }

  private onHello(body: Buffer): MechanismStep {
    if (body.length !== HELLO_SIZE) {
      return this.fail("ZMTP_MALFORMED_COMMAND_HELLO", `CURVE HELLO is ${body.length} bytes, expected 200`);
    }
    if (body[6] !== 1 || body[7] !== 0) {
      return this.fail("ZMTP_MALFORMED_COMMAND_HELLO", `CURVE HELLO has version ${body[6]}.${body[7]}, expected 1.0`);
    }
    for (let i = 8; i < 80; i++) {
      if (body[i] !== 0) return this.fail("ZMTP_MALFORMED_COMMAND_HELLO", "CURVE HELLO padding is not zero");
    }
    const clientShort = Buffer.from(body.subarray(80, 112));
    const nonce = nonceWithPrefix("CurveZMQHELLO---");
    body.copy(nonce, 16, 112, 120);
    const signature = nacl.open(body.subarray(120, 200), nonce, clientShort, this.secretKey);
    if (signature === null || !equal(signature, ZERO_64)) {
      return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE HELLO box (client has the wrong server key?)");
    }
    this.acceptPeerNonce(body, 112, false);
    this.clientShort = clientShort;

    // Our short-term key pair for this connection, and a cookie that carries it: SecretBox[C' + s'](K)
    // under a cookie key made for this connection alone and dropped at INITIATE.
    const short = nacl.keyPair();
    this.cnSecret = short.secretKey;
    this.cookieKey = Buffer.alloc(32);
    randomFillSync(this.cookieKey);
    const cookieNonce = nonceWithPrefix("COOKIE--");
    randomFillSync(cookieNonce, 8, 16);
    const cookiePlain = Buffer.concat([clientShort, short.secretKey]);
    const cookieBox = nacl.secretbox(cookiePlain, cookieNonce, this.cookieKey);
    nacl.wipe(cookiePlain);

    const welcomeNonce = nonceWithPrefix("WELCOME-");
    randomFillSync(welcomeNonce, 8, 16);
    const welcomePlain = Buffer.concat([short.publicKey, cookieNonce.subarray(8), cookieBox]);
    const welcomeBox = nacl.box(welcomePlain, welcomeNonce, clientShort, this.secretKey);
    if (welcomeBox === null) return this.fail("CURVE_KEY_EXCHANGE", "CURVE client short-term key is not usable");
    this.state = "expect-initiate";
    return { send: [Buffer.concat([NAME_WELCOME, welcomeNonce.subarray(8), welcomeBox])] };
  }

  private onInitiate(body: Buffer): MechanismStep {
    if (body.length < INITIATE_MIN_SIZE) {
      return this.fail("ZMTP_MALFORMED_COMMAND_INITIATE", `CURVE INITIATE is ${body.length} bytes, at least 257 expected`);
    }
    const clientShort = this.clientShort!;
    const cnSecret = this.cnSecret!;

    const cookieNonce = nonceWithPrefix("COOKIE--");
    body.copy(cookieNonce, 8, 9, 25);
    const cookie = nacl.secretboxOpen(body.subarray(25, 105), cookieNonce, this.cookieKey!);
    nacl.wipe(this.cookieKey);
    this.cookieKey = null;
    if (cookie === null) return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE INITIATE cookie");
    const cookieOk = equal(cookie.subarray(0, 32), clientShort) && equal(cookie.subarray(32, 64), cnSecret);
    nacl.wipe(cookie);
    if (!cookieOk) return this.fail("CURVE_DECRYPT_FAILED", "CURVE INITIATE cookie is not ours");

    if (!this.acceptPeerNonce(body, 105, true)) {
      return this.fail("CURVE_BAD_NONCE", "CURVE INITIATE short nonce does not follow HELLO's");
    }
    const key = nacl.beforenm(clientShort, cnSecret);
    if (key === null) return this.fail("CURVE_KEY_EXCHANGE", "CURVE client short-term key is not usable");
    this.key = key;
    const initNonce = nonceWithPrefix("CurveZMQINITIATE");
    body.copy(initNonce, 16, 105, 113);
    const plain = nacl.openAfter(body.subarray(113), initNonce, key);
    if (plain === null) return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE INITIATE box");

    const clientKey = Buffer.from(plain.subarray(0, 32));
    const vouchNonce = nonceWithPrefix("VOUCH---");
    vouchNonce.set(plain.subarray(32, 48), 8);
    const vouch = nacl.open(plain.subarray(48, 128), vouchNonce, clientKey, cnSecret);
    if (vouch === null) return this.fail("CURVE_DECRYPT_FAILED", "cannot open the CURVE INITIATE vouch");
    if (!equal(vouch.subarray(0, 32), clientShort) || !equal(vouch.subarray(32, 64), this.publicKey)) {
      return this.fail("CURVE_KEY_EXCHANGE", "CURVE vouch does not name this connection's keys");
    }
    try {
      this.peerProperties = parseMetadata(view(plain, 128));
    } catch {
      return this.fail("ZMTP_INVALID_METADATA", "CURVE INITIATE metadata is malformed");
    }
    this.wipeSecrets();

    // libzmq 4.3 (curve_server_t::process_initiate): ask ZAP when a handler is bound; with none
    // accept every client that holds the server key. With zap_enforce_domain, ZAP is asked only
    // when a domain is set, and then a missing handler refuses the client (EFAULT).
    const enforce = this.ctx.zapEnforceDomain === true;
    if (this.ctx.zapDomain !== "" || !enforce) {
      if (this.ctx.zapEnabled) {
        this.state = "wait-zap";
        return askZapStep(this.ctx, "CURVE", [clientKey]);
      }
      if (enforce) return this.fail("ZAP_NO_HANDLER", "CURVE server has a ZAP domain but no ZAP handler (zapEnforceDomain)", "other");
    }
    return this.sendReady();
  }

  private sendReady(): MechanismStep {
    const key = this.key!;
    const nonce = nonceWithPrefix("CurveZMQREADY---");
    writeCounter(nonce, 16, this.counter.next());
    const boxed = nacl.boxAfter(encodeMetadata(this.ctx.properties), nonce, key);
    const ready = Buffer.concat([NAME_READY, nonce.subarray(16), boxed]);
    this.startCodec(key, "CurveZMQMESSAGES", "CurveZMQMESSAGEC");
    this.state = "ready";
    return { send: [ready], ready: true };
  }

  private wipeSecrets(): void {
    nacl.wipe(this.cnSecret, this.cookieKey, this.secretKey);
    this.cnSecret = null;
    this.cookieKey = null;
  }

  private fail(code: string, message: string, kind: "protocol" | "other" = "protocol"): MechanismStep {
    this.state = "failed";
    this.wipeSecrets();
    return failStep(kind, code, message);
  }
}
