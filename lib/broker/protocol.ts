/**
 * The broker protocol's frames (see PROTOCOL.md): pure encoders and decoders, no I/O.
 * A client is a DEALER and the broker a ROUTER, so the broker sees each message with the
 * client's routing id in front; these functions take and give the frames after it.
 */
import { isUtf8 } from "node:buffer";
import { WiremqError } from "../errors.js";
import { queueNameProblem, subscriptionNameProblem, subscriptionProblem } from "./model.js";

export const PROTOCOL_VERSION = 1;

/** Error codes a broker puts in an ERROR reply; stable, documented in PROTOCOL.md. */
export const ErrorCode = {
  /** Frames missing, extra, or of the wrong size. */
  PROTO: "EPROTO",
  /** A command this broker does not know. */
  NOTSUP: "ENOTSUP",
  /** A HELLO with a protocol version this broker does not speak. */
  VERSION: "EPROTONOSUPPORT",
  /** A bad queue, topic or subscription name, or a bad number (credit 0, ...). */
  INVAL: "EINVAL",
  /** A body over the broker's maxMessageBytes. */
  MSGSIZE: "EMSGSIZE",
  /** No such delivery tag (acked, expired, returned) or subscription id. */
  NOENT: "ENOENT",
  /** A subscription id already in use in this session. */
  EXIST: "EEXIST",
  /** The command needs a session: send HELLO first (or again, after the broker restarted). */
  SESSION: "ESESSION",
  /** The store failed to write; the message was not confirmed. */
  IO: "EIO",
  /** The broker is shutting down. */
  TERM: "ETERM",
  /** A bug in the broker; the request had no effect it knows of. */
  INTERNAL: "EINTERNAL",
} as const;
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A request the broker must refuse; `reqId` is 0 when not even that could be read. */
export class ProtocolViolation extends WiremqError<ErrorCodeValue> {
  constructor(
    readonly reqId: number,
    code: ErrorCodeValue,
    message: string,
  ) {
    super(code, message);
    this.name = "ProtocolViolation";
  }
}

export type ClientCommand =
  | { cmd: "HELLO"; reqId: number; version: number }
  | { cmd: "PING" }
  | { cmd: "BYE" }
  | { cmd: "PUT"; reqId: number; queue: string; body: Buffer }
  | { cmd: "PUBLISH"; reqId: number; topic: string; body: Buffer }
  | { cmd: "SUBSCRIBE"; reqId: number; topic: string; subscription: string }
  | { cmd: "UNSUBSCRIBE"; reqId: number; topic: string; subscription: string }
  | { cmd: "CONSUME"; reqId: number; subId: number; queue: string; credit: number; leaseMs: number }
  | { cmd: "CANCEL"; reqId: number; subId: number }
  | { cmd: "ACK"; reqId: number; tag: number }
  | { cmd: "NACK"; reqId: number; tag: number; deadLetter: DeadLetterRequest | null; error: string | null }
  | { cmd: "EXTEND"; reqId: number; tag: number; leaseMs: number }
  | { cmd: "STATS"; reqId: number };

export type BrokerMessage =
  | { kind: "OK"; reqId: number; args: Buffer[] }
  | { kind: "ERROR"; reqId: number; code: string; message: string }
  | { kind: "PONG"; sessionId: Buffer }
  | { kind: "DELIVER"; subId: number; tag: number; seq: number; attempt: number; body: Buffer };

/** Why a client asks for a dead letter in NACK: its handler gave up, or the body did not decode. */
export type DeadLetterRequest = "nack" | "decode-error";

/** Longest error text a NACK may carry (UTF-8 bytes); a client cuts longer text. */
export const MAX_NACK_ERROR_BYTES = 1024;

// ---- numbers ------------------------------------------------------------------------------

export function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** 8 bytes big-endian; values stay below 2^53 so they fit a JS number exactly. */
export function u64(n: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(Math.floor(n / 0x1_0000_0000), 0);
  b.writeUInt32BE(n >>> 0, 4);
  return b;
}

function readU32(frame: Buffer | undefined, what: string, reqId: number): number {
  if (frame === undefined || frame.length !== 4) throw new ProtocolViolation(reqId, ErrorCode.PROTO, `${what} must be 4 bytes`);
  return frame.readUInt32BE(0);
}

function readU64(frame: Buffer | undefined, what: string, reqId: number): number {
  if (frame === undefined || frame.length !== 8) throw new ProtocolViolation(reqId, ErrorCode.PROTO, `${what} must be 8 bytes`);
  const hi = frame.readUInt32BE(0);
  if (hi > 0x1f_ffff) throw new ProtocolViolation(reqId, ErrorCode.INVAL, `${what} above 2^53`);
  return hi * 0x1_0000_0000 + frame.readUInt32BE(4);
}

function readText(frame: Buffer | undefined, what: string, reqId: number): string {
  if (frame === undefined) throw new ProtocolViolation(reqId, ErrorCode.PROTO, `${what} missing`);
  // toString would replace bad sequences with U+FFFD, making two names one.
  if (!isUtf8(frame)) throw new ProtocolViolation(reqId, ErrorCode.INVAL, `${what} is not valid UTF-8`);
  return frame.toString("utf8");
}

function readName(frame: Buffer | undefined, what: string, reqId: number, subscription = false): string {
  const name = readText(frame, what, reqId);
  const problem = subscription ? subscriptionNameProblem(name) : queueNameProblem(name);
  if (problem !== null) throw new ProtocolViolation(reqId, ErrorCode.INVAL, `${what}: ${problem}`);
  return name;
}

function expectFrames(frames: Buffer[], count: number, reqId: number, optional = 0): void {
  if (frames.length < count || frames.length > count + optional) {
    throw new ProtocolViolation(reqId, ErrorCode.PROTO, `${frames[0]!.toString("latin1")} takes ${count} frames, got ${frames.length}`);
  }
}

// ---- client → broker ----------------------------------------------------------------------

/** Decodes one client message; throws ProtocolViolation for anything malformed. */
export function decodeClientCommand(frames: Buffer[]): ClientCommand {
  const head = frames[0];
  if (head === undefined || head.length === 0 || head.length > 16) throw new ProtocolViolation(0, ErrorCode.PROTO, "missing command frame");
  const cmd = head.toString("latin1");
  if (cmd === "PING" || cmd === "BYE") {
    expectFrames(frames, 1, 0);
    return { cmd };
  }
  // Every other command has a request id in frame 1; read it first so errors can name it.
  const reqId = frames[1] !== undefined && frames[1].length === 4 ? frames[1].readUInt32BE(0) : 0;
  if (reqId === 0) throw new ProtocolViolation(0, ErrorCode.PROTO, "request id must be 4 bytes, not 0");
  switch (cmd) {
    case "HELLO":
      expectFrames(frames, 3, reqId);
      return { cmd, reqId, version: readU32(frames[2], "version", reqId) };
    case "PUT":
      expectFrames(frames, 4, reqId);
      return { cmd, reqId, queue: readName(frames[2], "queue", reqId), body: frames[3]! };
    case "PUBLISH":
      expectFrames(frames, 4, reqId);
      return { cmd, reqId, topic: readName(frames[2], "topic", reqId, true), body: frames[3]! };
    case "SUBSCRIBE":
    case "UNSUBSCRIBE": {
      expectFrames(frames, 4, reqId);
      const topic = readName(frames[2], "topic", reqId, true);
      const subscription = readName(frames[3], "subscription", reqId, true);
      // Only a new subscription must fit; an old one with a long name can still be ended.
      const problem = cmd === "SUBSCRIBE" ? subscriptionProblem(topic, subscription) : null;
      if (problem !== null) throw new ProtocolViolation(reqId, ErrorCode.INVAL, problem);
      return { cmd, reqId, topic, subscription };
    }
    case "CONSUME": {
      expectFrames(frames, 6, reqId);
      const subId = readU32(frames[2], "subscription id", reqId);
      const queue = readName(frames[3], "queue", reqId);
      const credit = readU32(frames[4], "credit", reqId);
      if (credit === 0) throw new ProtocolViolation(reqId, ErrorCode.INVAL, "credit must be at least 1");
      return { cmd, reqId, subId, queue, credit, leaseMs: readU32(frames[5], "lease", reqId) };
    }
    case "CANCEL":
      expectFrames(frames, 3, reqId);
      return { cmd, reqId, subId: readU32(frames[2], "subscription id", reqId) };
    case "ACK":
      expectFrames(frames, 3, reqId);
      return { cmd, reqId, tag: readU64(frames[2], "tag", reqId) };
    case "NACK": {
      expectFrames(frames, 3, reqId, 2);
      const flag = frames[3]?.toString("latin1") ?? "";
      const deadLetter: DeadLetterRequest | null = flag === "" ? null : flag === "dead" ? "nack" : flag === "decode" ? "decode-error" : undefinedFlag(reqId);
      const error = frames[4] === undefined || frames[4].length === 0 ? null : readText(frames[4], "error", reqId);
      if (frames[4] !== undefined && frames[4].length > MAX_NACK_ERROR_BYTES) {
        throw new ProtocolViolation(reqId, ErrorCode.INVAL, `NACK error text longer than ${MAX_NACK_ERROR_BYTES} bytes`);
      }
      return { cmd, reqId, tag: readU64(frames[2], "tag", reqId), deadLetter, error };
    }
    case "EXTEND":
      expectFrames(frames, 4, reqId);
      return { cmd, reqId, tag: readU64(frames[2], "tag", reqId), leaseMs: readU32(frames[3], "lease", reqId) };
    case "STATS":
      expectFrames(frames, 2, reqId);
      return { cmd, reqId };
    default:
      throw new ProtocolViolation(reqId, ErrorCode.NOTSUP, `unknown command ${JSON.stringify(cmd)}`);
  }
}

function undefinedFlag(reqId: number): never {
  throw new ProtocolViolation(reqId, ErrorCode.INVAL, "NACK flag must be empty, 'dead' or 'decode'");
}

const CMD = {
  HELLO: Buffer.from("HELLO"),
  PING: Buffer.from("PING"),
  BYE: Buffer.from("BYE"),
  PUT: Buffer.from("PUT"),
  PUBLISH: Buffer.from("PUBLISH"),
  SUBSCRIBE: Buffer.from("SUBSCRIBE"),
  UNSUBSCRIBE: Buffer.from("UNSUBSCRIBE"),
  CONSUME: Buffer.from("CONSUME"),
  CANCEL: Buffer.from("CANCEL"),
  ACK: Buffer.from("ACK"),
  NACK: Buffer.from("NACK"),
  EXTEND: Buffer.from("EXTEND"),
  STATS: Buffer.from("STATS"),
  OK: Buffer.from("OK"),
  ERROR: Buffer.from("ERROR"),
  PONG: Buffer.from("PONG"),
  DELIVER: Buffer.from("DELIVER"),
} as const;
const NACK_FLAG: Record<DeadLetterRequest | "requeue", Buffer> = {
  requeue: Buffer.alloc(0),
  nack: Buffer.from("dead"),
  "decode-error": Buffer.from("decode"),
};

/** The UTF-8 of `s`, at most `max` bytes, never ending inside a character. */
function cutUtf8(s: string, max: number): Buffer {
  const b = Buffer.from(s, "utf8");
  if (b.length <= max) return b;
  let end = max;
  // Back off continuation bytes (10xxxxxx) so the cut falls before a lead byte.
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

function text(t: string | Buffer): Buffer {
  return typeof t === "string" ? Buffer.from(t, "utf8") : t;
}

/** Client-side encoders: frames to hand to a DEALER. */
export const encodeClient = {
  hello: (reqId: number): Buffer[] => [CMD.HELLO, u32(reqId), u32(PROTOCOL_VERSION)],
  ping: (): Buffer[] => [CMD.PING],
  bye: (): Buffer[] => [CMD.BYE],
  put: (reqId: number, queue: string | Buffer, body: Buffer): Buffer[] => [CMD.PUT, u32(reqId), text(queue), body],
  publish: (reqId: number, topic: string | Buffer, body: Buffer): Buffer[] => [CMD.PUBLISH, u32(reqId), text(topic), body],
  subscribe: (reqId: number, topic: string, subscription: string): Buffer[] => [
    CMD.SUBSCRIBE,
    u32(reqId),
    Buffer.from(topic),
    Buffer.from(subscription),
  ],
  unsubscribe: (reqId: number, topic: string, subscription: string): Buffer[] => [
    CMD.UNSUBSCRIBE,
    u32(reqId),
    Buffer.from(topic),
    Buffer.from(subscription),
  ],
  consume: (reqId: number, subId: number, queue: string, credit: number, leaseMs: number): Buffer[] => [
    CMD.CONSUME,
    u32(reqId),
    u32(subId),
    Buffer.from(queue),
    u32(credit),
    u32(leaseMs),
  ],
  cancel: (reqId: number, subId: number): Buffer[] => [CMD.CANCEL, u32(reqId), u32(subId)],
  ack: (reqId: number, tag: number): Buffer[] => [CMD.ACK, u32(reqId), u64(tag)],
  /** `error` is cut to MAX_NACK_ERROR_BYTES (at a character boundary). */
  nack: (reqId: number, tag: number, deadLetter: DeadLetterRequest | null, error?: string): Buffer[] => {
    const frames = [CMD.NACK, u32(reqId), u64(tag)];
    if (deadLetter !== null || error !== undefined) frames.push(NACK_FLAG[deadLetter ?? "requeue"]);
    if (error !== undefined) frames.push(cutUtf8(error, MAX_NACK_ERROR_BYTES));
    return frames;
  },
  /** `leaseMs` 0: the consumer's lease length. */
  extend: (reqId: number, tag: number, leaseMs: number): Buffer[] => [CMD.EXTEND, u32(reqId), u64(tag), u32(leaseMs)],
  stats: (reqId: number): Buffer[] => [CMD.STATS, u32(reqId)],
};

// ---- broker → client ----------------------------------------------------------------------

/** Broker-side encoders: frames to send after the client's routing id. */
export const encodeBroker = {
  ok: (reqId: number, ...args: Buffer[]): Buffer[] => [CMD.OK, u32(reqId), ...args],
  error: (reqId: number, code: string, message: string): Buffer[] => [CMD.ERROR, u32(reqId), Buffer.from(code), Buffer.from(message)],
  pong: (sessionId: Buffer | null): Buffer[] => [CMD.PONG, sessionId ?? Buffer.alloc(0)],
  deliver: (subId: number, tag: number, seq: number, attempt: number, body: Buffer): Buffer[] => [
    CMD.DELIVER,
    u32(subId),
    u64(tag),
    u64(seq),
    u32(attempt),
    body,
  ],
};

/** Decodes a broker message on the client; throws ProtocolViolation when malformed. */
export function decodeBrokerMessage(frames: Buffer[]): BrokerMessage {
  const kind = frames[0]?.toString("latin1");
  switch (kind) {
    case "OK":
      return { kind, reqId: readU32(frames[1], "request id", 0), args: frames.slice(2) };
    case "ERROR":
      if (frames.length !== 4) throw new ProtocolViolation(0, ErrorCode.PROTO, "ERROR takes 4 frames");
      return { kind, reqId: readU32(frames[1], "request id", 0), code: frames[2]!.toString(), message: frames[3]!.toString() };
    case "PONG":
      if (frames.length !== 2) throw new ProtocolViolation(0, ErrorCode.PROTO, "PONG takes 2 frames");
      return { kind, sessionId: frames[1]! };
    case "DELIVER":
      if (frames.length !== 6) throw new ProtocolViolation(0, ErrorCode.PROTO, "DELIVER takes 6 frames");
      return {
        kind,
        subId: readU32(frames[1], "subscription id", 0),
        tag: readU64(frames[2], "tag", 0),
        seq: readU64(frames[3], "seq", 0),
        attempt: readU32(frames[4], "attempt", 0),
        body: frames[5]!,
      };
    default:
      throw new ProtocolViolation(0, ErrorCode.PROTO, `unknown broker message ${JSON.stringify(kind)}`);
  }
}

/** Reads the u32 / u64 argument at `index` of an OK reply. */
export function okU32(args: Buffer[], index: number): number {
  return readU32(args[index], "reply argument", 0);
}
export function okU64(args: Buffer[], index: number): number {
  return readU64(args[index], "reply argument", 0);
}
