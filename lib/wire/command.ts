import { ProtocolError, WiremqRangeError } from "../errors.js";

/** ZMTP command names as they appear on the wire. */
export const READY = "READY";
export const ERROR = "ERROR";
export const PING = "PING";
export const PONG = "PONG";
export const SUBSCRIBE = "SUBSCRIBE";
export const CANCEL = "CANCEL";
/** RADIO/DISH (48/RADIO-DISH): a DISH joins or leaves a group; the data is the group name. */
export const JOIN = "JOIN";
export const LEAVE = "LEAVE";
/** libzmq's ZMQ_GROUP_MAX_LENGTH: the longest group name, in bytes. */
export const GROUP_MAX_LENGTH = 255;

export interface Command {
  name: string;
  data: Buffer;
}

/** Command body: name length, name, data. */
export function encodeCommand(name: string, data: Uint8Array = EMPTY): Buffer {
  const out = Buffer.allocUnsafe(1 + name.length + data.length);
  out[0] = name.length;
  out.write(name, 1, "ascii");
  out.set(data, 1 + name.length);
  return out;
}

export function parseCommand(body: Buffer): Command {
  if (body.length < 1 || body.length < 1 + body[0]!) {
    throw new ProtocolError("ZMTP_MALFORMED_COMMAND", "command frame shorter than its name");
  }
  const n = body[0]!;
  return { name: body.toString("ascii", 1, 1 + n), data: body.subarray(1 + n) };
}

/** True when `body` is the command `name` (compared without decoding a string). */
export function isCommand(body: Uint8Array, name: string): boolean {
  if (body.length < 1 + name.length || body[0] !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (body[1 + i] !== name.charCodeAt(i)) return false;
  return true;
}

const EMPTY = Buffer.alloc(0);

export type Properties = ReadonlyArray<readonly [name: string, value: Uint8Array]>;

/** Metadata: repeated { name length (1), name, value length (4, BE), value }. */
export function encodeMetadata(props: Properties): Buffer {
  let total = 0;
  for (const [name, value] of props) {
    if (name.length < 1 || name.length > 255) throw new WiremqRangeError("EINVAL", `bad property name: ${name}`);
    total += 1 + name.length + 4 + value.length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const [name, value] of props) {
    out[at++] = name.length;
    at += out.write(name, at, "ascii");
    out.writeUInt32BE(value.length, at);
    at += 4;
    out.set(value, at);
    at += value.length;
  }
  return out;
}

/**
 * Parses metadata into a map keyed by lower-cased name (names are case-insensitive). A name
 * given twice with different values is refused: keeping either would let a peer show one
 * Socket-Type to a check and another to the socket (libzmq checks each Socket-Type it is given).
 */
export function parseMetadata(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let at = 0;
  while (at < data.length) {
    const n = data[at++]!;
    if (n === 0 || at + n + 4 > data.length) {
      throw new ProtocolError("ZMTP_MALFORMED_COMMAND", "metadata property truncated");
    }
    const name = data.toString("ascii", at, at + n).toLowerCase();
    at += n;
    const vlen = data.readUInt32BE(at);
    at += 4;
    if (at + vlen > data.length) {
      throw new ProtocolError("ZMTP_MALFORMED_COMMAND", `metadata value of ${name} truncated`);
    }
    const value = data.subarray(at, at + vlen);
    const before = out.get(name);
    if (before !== undefined && !before.equals(value)) {
      throw new ProtocolError("ZMTP_INVALID_METADATA", `metadata property ${name} given twice`);
    }
    out.set(name, value);
    at += vlen;
  }
  return out;
}

export function encodeReady(props: Properties): Buffer {
  return encodeCommand(READY, encodeMetadata(props));
}

export function encodeError(reason: string): Buffer {
  const r = Buffer.from(reason.slice(0, 255), "ascii");
  const data = Buffer.allocUnsafe(1 + r.length);
  data[0] = r.length;
  r.copy(data, 1);
  return encodeCommand(ERROR, data);
}

export function parseError(data: Buffer): string {
  if (data.length < 1 || data.length < 1 + data[0]!) {
    throw new ProtocolError("ZMTP_MALFORMED_COMMAND", "ERROR command truncated");
  }
  return data.toString("ascii", 1, 1 + data[0]!);
}

/** PING: TTL in tenths of a second (2 bytes BE), then up to 16 bytes of context. */
export function encodePing(ttlDeciseconds: number, context: Uint8Array = EMPTY): Buffer {
  if (context.length > 16) throw new WiremqRangeError("EINVAL", "PING context longer than 16 bytes");
  const data = Buffer.allocUnsafe(2 + context.length);
  data.writeUInt16BE(Math.min(0xffff, Math.max(0, Math.round(ttlDeciseconds))), 0);
  data.set(context, 2);
  return encodeCommand(PING, data);
}

export function parsePing(data: Buffer): { ttl: number; context: Buffer } {
  if (data.length < 2 || data.length > 18) {
    throw new ProtocolError("ZMTP_MALFORMED_COMMAND", "PING command has a bad length");
  }
  return { ttl: data.readUInt16BE(0), context: data.subarray(2) };
}

export function encodePong(context: Uint8Array = EMPTY): Buffer {
  return encodeCommand(PONG, context);
}

export function encodeSubscribe(topic: Uint8Array): Buffer {
  return encodeCommand(SUBSCRIBE, topic);
}

export function encodeCancel(topic: Uint8Array): Buffer {
  return encodeCommand(CANCEL, topic);
}

export function encodeJoin(group: Uint8Array): Buffer {
  return encodeCommand(JOIN, group);
}

export function encodeLeave(group: Uint8Array): Buffer {
  return encodeCommand(LEAVE, group);
}
