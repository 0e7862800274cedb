import { ZmqError } from "../errors.js";
import { MAX_NAME_BYTES } from "./destination.js";

/**
 * The fan-out wire format, between a `Fanout` (DEALER) and a `Relay` (ROUTER). Each is one
 * ZMTP multi-part message; integers are big-endian.
 *
 * DELIVER, sender → relay: one copy of the message per node, however many recipients it has there.
 *   frame 0        header, 24 bytes:
 *                    [0]      version, 1
 *                    [1]      kind, 1 = DELIVER
 *                    [2..17]  message id, 16 random bytes: the relay delivers an id once, so a
 *                             request re-sent after a lost connection is answered, not re-delivered
 *                    [18..21] u32 time to live in ms: the relay gives up on a recipient after it
 *                    [22..23] u16 N, the number of recipients
 *   frames 1..N    recipient names, UTF-8, 1 to 1024 bytes each (a name holding "://" is a
 *                  destination the relay passes on to a further relay)
 *   frames N+1..   the message itself, one or more frames, as the sender gave them
 *
 * REPORT, relay → sender: the outcome for each recipient of one DELIVER.
 *   frame 0        header, 18 bytes: [0] version 1, [1] kind 2 = REPORT, [2..17] message id
 *   frame 1        N status bytes, in the order of the DELIVER's names:
 *                    0 delivered, 1 no such recipient, 2 timed out, 3 failed
 *
 * A message of another version or shape is dropped by the relay and counted as malformed.
 */
export const FANOUT_VERSION = 1;
const KIND_DELIVER = 1;
const KIND_REPORT = 2;
export const ID_BYTES = 16;
const DELIVER_HEADER = 2 + ID_BYTES + 4 + 2;
const REPORT_HEADER = 2 + ID_BYTES;
export const MAX_RECIPIENTS = 0xffff;
export const MAX_TTL_MS = 0xffffffff;

/** Every outcome a fan-out destination can have; also the keys of `FanoutReport.counts`. */
export const RECIPIENT_STATUSES = ["delivered", "no-such-recipient", "timed-out", "failed"] as const;
/**
 * What became of a message at one destination: `"delivered"` to its recipient,
 * `"no-such-recipient"` at its relay, `"timed-out"` (no report from its node by the deadline)
 * or `"failed"` (the recipient could not take it: its handler threw, its socket refused it, or
 * the relay was closing).
 */
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export interface DeliverRequest {
  kind: "deliver";
  id: Buffer;
  ttlMs: number;
  names: string[];
  payload: Buffer[];
}

export interface DeliveryReport {
  kind: "report";
  id: Buffer;
  statuses: RecipientStatus[];
}

export function encodeDeliver(id: Buffer, ttlMs: number, names: readonly string[], payload: readonly Buffer[]): Buffer[] {
  if (id.length !== ID_BYTES) throw new ZmqError("EINVAL", `message id must be ${ID_BYTES} bytes`);
  if (names.length === 0 || names.length > MAX_RECIPIENTS) throw new ZmqError("EINVAL", `a node takes 1 to ${MAX_RECIPIENTS} recipients per message`);
  if (payload.length === 0) throw new ZmqError("EINVAL", "message must have at least one frame");
  const header = Buffer.allocUnsafe(DELIVER_HEADER);
  header[0] = FANOUT_VERSION;
  header[1] = KIND_DELIVER;
  id.copy(header, 2);
  header.writeUInt32BE(Math.max(0, Math.min(MAX_TTL_MS, Math.floor(ttlMs))), 2 + ID_BYTES);
  header.writeUInt16BE(names.length, 2 + ID_BYTES + 4);
  const frames: Buffer[] = [header];
  for (const name of names) frames.push(Buffer.from(name, "utf8"));
  for (const part of payload) frames.push(part);
  return frames;
}

export function encodeReport(id: Buffer, statuses: readonly RecipientStatus[]): Buffer[] {
  const header = Buffer.allocUnsafe(REPORT_HEADER);
  header[0] = FANOUT_VERSION;
  header[1] = KIND_REPORT;
  id.copy(header, 2);
  const codes = Buffer.allocUnsafe(statuses.length);
  statuses.forEach((s, i) => (codes[i] = RECIPIENT_STATUSES.indexOf(s)));
  return [header, codes];
}

/** Reads a DELIVER or REPORT; throws EPROTO, never anything else, for bytes that are neither. */
export function decodeFanout(frames: readonly Buffer[]): DeliverRequest | DeliveryReport {
  const header = frames[0];
  if (header === undefined || header.length < REPORT_HEADER) throw malformed("short header");
  if (header[0] !== FANOUT_VERSION) throw malformed(`version ${header[0]}`);
  const id = Buffer.from(header.subarray(2, 2 + ID_BYTES));
  if (header[1] === KIND_REPORT) {
    if (header.length !== REPORT_HEADER || frames.length !== 2) throw malformed("bad REPORT shape");
    const statuses = [...frames[1]!].map((code) => {
      const status = RECIPIENT_STATUSES[code];
      if (status === undefined) throw malformed(`status ${code}`);
      return status;
    });
    return { kind: "report", id, statuses };
  }
  if (header[1] !== KIND_DELIVER) throw malformed(`kind ${header[1]}`);
  if (header.length !== DELIVER_HEADER) throw malformed("bad DELIVER header");
  const ttlMs = header.readUInt32BE(2 + ID_BYTES);
  const count = header.readUInt16BE(2 + ID_BYTES + 4);
  if (count === 0 || frames.length < 1 + count + 1) throw malformed("fewer frames than recipients plus a message");
  const names: string[] = [];
  for (let i = 1; i <= count; i++) {
    const frame = frames[i]!;
    if (frame.length === 0 || frame.length > MAX_NAME_BYTES) throw malformed("bad recipient name length");
    names.push(frame.toString("utf8"));
  }
  return { kind: "deliver", id, ttlMs, names, payload: frames.slice(1 + count) };
}

function malformed(why: string): ZmqError {
  return new ZmqError("EPROTO", `malformed fan-out message: ${why}`);
}
