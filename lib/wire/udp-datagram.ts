import { GROUP_MAX_LENGTH } from "./command.js";

/**
 * RADIO/DISH over udp://, as libzmq's udp engine sends it: one datagram per message, a byte
 * giving the group's length, the group, then the body. No greeting, no frames.
 */
export function encodeGroupDatagram(group: Uint8Array, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(1 + group.length + body.length);
  out[0] = group.length;
  out.set(group, 1);
  out.set(body, 1 + group.length);
  return out;
}

/** The group and body of a datagram, or null when its group length overruns it. */
export function decodeGroupDatagram(datagram: Buffer): { group: Buffer; body: Buffer } | null {
  if (datagram.length < 1) return null;
  const n = datagram[0]!;
  if (n > GROUP_MAX_LENGTH || 1 + n > datagram.length) return null;
  return { group: datagram.subarray(1, 1 + n), body: datagram.subarray(1 + n) };
}

/**
 * A DGRAM peer's address as libzmq hands it to the application: "ip:port" text with its
 * C string terminator.
 */
export function encodePeerAddress(ip: string, port: number): Buffer {
  return Buffer.from(`${ip}:${port}\0`, "latin1");
}

/** The "ip:port" a DGRAM message is sent to (a trailing NUL allowed), or null if malformed. */
export function decodePeerAddress(frame: Buffer): { host: string; port: number } | null {
  let text = frame.toString("latin1");
  if (text.endsWith("\0")) text = text.slice(0, -1);
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  if (m === null) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  return { host: m[1] ?? m[2]!, port };
}
