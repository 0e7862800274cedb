/**
 * The RPC wire format, spoken over DEALER (clients, workers) and ROUTER (servers, brokers).
 * After any routing-id frame a ROUTER adds, every message begins with a 6-byte header frame:
 *
 *   byte 0     0x57 ("W"): marks the protocol, so stray traffic is told apart and dropped
 *   byte 1     kind: 1 REQUEST, 2 REPLY, 3 ERROR, 4 READY, 5 HEARTBEAT, 6 DISCONNECT
 *   bytes 2-5  call id, uint32 big-endian; the reply to a request carries the request's id
 *
 *   REQUEST    header, method name (UTF-8), request codec frames…
 *   REPLY      header, reply codec frames…
 *   ERROR      header, JSON {"code": "...", "message": "..."}
 *   READY      header (id 0), capacity uint32 BE   worker → broker: can take that many jobs
 *   HEARTBEAT  header (id 0)                        worker ↔ broker, each way
 *   DISCONNECT header (id 0)                        broker → worker: unknown to me, announce again
 *
 * The correlation id lets many calls be in flight on one connection, answered in any order.
 */
export const MAGIC = 0x57;

export const Kind = {
  Request: 1,
  Reply: 2,
  Error: 3,
  Ready: 4,
  Heartbeat: 5,
  Disconnect: 6,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

const HEADER_SIZE = 6;
/** Error payloads larger than this are cut (a handler's message is not a data channel). */
const MAX_ERROR_MESSAGE = 4096;

export function header(kind: Kind, id: number): Buffer {
  const frame = Buffer.allocUnsafe(HEADER_SIZE);
  frame[0] = MAGIC;
  frame[1] = kind;
  frame.writeUInt32BE(id >>> 0, 2);
  return frame;
}

/** The kind and id of a header frame, or null when the frame is not one. */
export function parseHeader(frame: Buffer | undefined): { kind: Kind; id: number } | null {
  if (frame === undefined || frame.length !== HEADER_SIZE || frame[0] !== MAGIC) return null;
  const kind = frame[1]!;
  if (kind < Kind.Request || kind > Kind.Disconnect) return null;
  return { kind: kind as Kind, id: frame.readUInt32BE(2) };
}

export function errorFrame(code: string, message: string): Buffer {
  return Buffer.from(JSON.stringify({ code, message: message.slice(0, MAX_ERROR_MESSAGE) }), "utf8");
}

/** The code and message of an ERROR payload; a malformed one reads as EPROTO. */
export function parseErrorFrame(frame: Buffer | undefined): { code: string; message: string } {
  try {
    const body: unknown = JSON.parse(frame?.toString("utf8") ?? "");
    if (typeof body === "object" && body !== null) {
      const { code, message } = body as Record<string, unknown>;
      if (typeof code === "string" && typeof message === "string") return { code, message };
    }
  } catch {
    // fall through: the peer sent something that is not an error payload
  }
  return { code: "EPROTO", message: "malformed error reply" };
}

export function capacityFrame(capacity: number): Buffer {
  const frame = Buffer.allocUnsafe(4);
  frame.writeUInt32BE(capacity >>> 0, 0);
  return frame;
}

export function parseCapacity(frame: Buffer | undefined): number | null {
  if (frame === undefined || frame.length !== 4) return null;
  const capacity = frame.readUInt32BE(0);
  return capacity > 0 ? capacity : null;
}
