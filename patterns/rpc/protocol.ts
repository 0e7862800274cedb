/**
 * The RPC wire format, version 2, spoken over DEALER (clients, workers) and ROUTER (servers,
 * brokers). After any routing-id frame a ROUTER adds, every message begins with a 6-byte
 * header frame:
 *
 *   byte 0     0x57 ("W"): marks the protocol, so stray traffic is told apart and dropped
 *   byte 1     kind: 2 REPLY, 3 ERROR, 4 READY, 5 HEARTBEAT, 6 DISCONNECT, 7 REQUEST, 8 CANCEL
 *   bytes 2-5  correlation id, uint32 big-endian; the reply to a request carries the request's id
 *
 *   REQUEST    header, CALL frame, method name (UTF-8), request codec frames…
 *   REPLY      header, reply codec frames…
 *   ERROR      header, JSON {"code": "...", "message": "..."}
 *   CANCEL     header, call id (UTF-8)         client → server: I gave up on this call
 *   READY      header (id 0), capacity uint32 BE   worker → broker: can take that many jobs
 *   HEARTBEAT  header (id 0)                        worker ↔ broker, each way
 *   DISCONNECT header (id 0)                        broker → worker: unknown to me, announce again;
 *                                                   server → client: draining, send no more calls
 *
 *   CALL frame byte 0     flags: bit 0 set when the method is marked idempotent (a broker
 *                         may give such a job to another worker when its worker is lost);
 *                         other bits 0
 *              bytes 1-2  attempt, uint16 BE (1 for the first send of a call)
 *              bytes 3-6  ms left until the caller gives up, uint32 BE, as the client sent it
 *                         (a relative time, as the two clocks may disagree)
 *              bytes 7-   call id, 1-255 bytes of UTF-8, the same on every attempt and unique
 *                         per client instance: what a server de-duplicates retries by
 *
 * The correlation id lets many calls be in flight on one connection, answered in any order; a
 * broker replaces it with a job id of its own on the way to a worker and passes the CALL frame
 * through. Version 1 had REQUEST as kind 1 without a CALL frame; a version-2 server answers
 * such a request with EPROTO, and a broker drops it.
 */
export const MAGIC = 0x57;

export const Kind = {
  Reply: 2,
  Error: 3,
  Ready: 4,
  Heartbeat: 5,
  Disconnect: 6,
  Request: 7,
  Cancel: 8,
} as const;

/** Kind 1 was version 1's REQUEST: answered with EPROTO so an old client learns why. */
export const REQUEST_V1 = 1;
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
export function parseHeader(frame: Buffer | undefined): { kind: Kind | typeof REQUEST_V1; id: number } | null {
  if (frame === undefined || frame.length !== HEADER_SIZE || frame[0] !== MAGIC) return null;
  const kind = frame[1]!;
  if (kind < REQUEST_V1 || kind > Kind.Cancel) return null;
  return { kind: kind as Kind | typeof REQUEST_V1, id: frame.readUInt32BE(2) };
}

/** What a REQUEST's CALL frame says. */
export interface CallFrame {
  readonly callId: string;
  readonly idempotent: boolean;
  readonly attempt: number;
  /** ms the caller still waited when it sent the request. */
  readonly timeLeft: number;
}

const CALL_FIXED = 7;
const FLAG_IDEMPOTENT = 0x01;
export const MAX_CALL_ID = 255;
export const MAX_ATTEMPT = 0xffff;
export const MAX_TIME_LEFT = 0xffffffff;

export function callFrame(callId: Buffer, attempt: number, timeLeft: number, idempotent = false): Buffer {
  const frame = Buffer.allocUnsafe(CALL_FIXED + callId.length);
  frame[0] = idempotent ? FLAG_IDEMPOTENT : 0;
  frame.writeUInt16BE(Math.min(attempt, MAX_ATTEMPT), 1);
  frame.writeUInt32BE(Math.max(0, Math.min(Math.ceil(timeLeft), MAX_TIME_LEFT)), 3);
  callId.copy(frame, CALL_FIXED);
  return frame;
}

/** The CALL frame's fields, or null when the frame is malformed. */
export function parseCallFrame(frame: Buffer | undefined): CallFrame | null {
  if (frame === undefined || frame.length <= CALL_FIXED || frame.length > CALL_FIXED + MAX_CALL_ID) return null;
  const flags = frame[0]!;
  const attempt = frame.readUInt16BE(1);
  if (attempt === 0 || (flags & ~FLAG_IDEMPOTENT) !== 0) return null;
  let callId: string;
  try {
    callId = new TextDecoder("utf-8", { fatal: true }).decode(frame.subarray(CALL_FIXED));
  } catch {
    return null;
  }
  return { callId, idempotent: (flags & FLAG_IDEMPOTENT) !== 0, attempt, timeLeft: frame.readUInt32BE(3) };
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
