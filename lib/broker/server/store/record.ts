/**
 * The records of a queue's segment log, as bytes. Pure: no I/O.
 *
 *   u32 BE  n     length of what follows the checksum (type byte + fields)
 *   u32 BE  crc   CRC-32 of those n bytes
 *   u8      type  1 MESSAGE | 2 ACK | 3 RETURN
 *   MESSAGE  u64 seq, body (the rest)
 *   ACK      u32 count, count × u64 seq        (messages done: acknowledged or dead-lettered)
 *   RETURN   u64 seq, u32 attempts             (a delivery came back; attempts so far)
 *   QUEUE    UTF-8 name                        (first record of a segment: rebuilds a lost NAME)
 *   GAP      u64 from                          (after QUEUE: seqs from `from` up to the segment's
 *                                               first seq were skipped, no segment is missing)
 *
 * A segment file starts with the 8-byte magic SEGMENT_MAGIC.
 */
import { crc32 } from "./checksum.js";

export const SEGMENT_MAGIC = Buffer.from("WMQSEG1\n", "latin1");
export const RECORD_HEADER = 8;
/** Bodies up to 1 GiB; a larger length can only be a damaged header. */
export const MAX_RECORD_BYTES = 1 << 30;

export const RecordType = { MESSAGE: 1, ACK: 2, RETURN: 3, QUEUE: 4, GAP: 5 } as const;

/** The smallest record that holds a message: header, type, seq. */
export const MIN_MESSAGE_RECORD = RECORD_HEADER + 9;

export type LogRecord =
  | { type: typeof RecordType.MESSAGE; seq: number; body: Buffer }
  | { type: typeof RecordType.ACK; seqs: number[] }
  | { type: typeof RecordType.RETURN; seq: number; attempts: number }
  | { type: typeof RecordType.QUEUE; name: string }
  | { type: typeof RecordType.GAP; from: number };

function writeU64(b: Buffer, n: number, at: number): void {
  b.writeUInt32BE(Math.floor(n / 0x1_0000_0000), at);
  b.writeUInt32BE(n >>> 0, at + 4);
}

function readU64(b: Buffer, at: number): number {
  return b.readUInt32BE(at) * 0x1_0000_0000 + b.readUInt32BE(at + 4);
}

function seal(record: Buffer): Buffer {
  record.writeUInt32BE(record.length - RECORD_HEADER, 0);
  record.writeUInt32BE(crc32(record.subarray(RECORD_HEADER)), 4);
  return record;
}

/**
 * A MESSAGE record as two buffers: the header (with the checksum over both) and the body,
 * so the body the client sent goes to writev without a copy.
 */
export function encodeMessage(seq: number, body: Buffer): [Buffer, Buffer] {
  const head = Buffer.allocUnsafe(RECORD_HEADER + 9);
  head[RECORD_HEADER] = RecordType.MESSAGE;
  writeU64(head, seq, RECORD_HEADER + 1);
  const fields = head.subarray(RECORD_HEADER);
  head.writeUInt32BE(fields.length + body.length, 0);
  head.writeUInt32BE(crc32(body, crc32(fields)), 4);
  return [head, body];
}

export function encodeAck(seqs: readonly number[]): Buffer {
  const b = Buffer.allocUnsafe(RECORD_HEADER + 5 + 8 * seqs.length);
  b[RECORD_HEADER] = RecordType.ACK;
  b.writeUInt32BE(seqs.length, RECORD_HEADER + 1);
  for (let i = 0; i < seqs.length; i++) writeU64(b, seqs[i]!, RECORD_HEADER + 5 + 8 * i);
  return seal(b);
}

export function encodeReturn(seq: number, attempts: number): Buffer {
  const b = Buffer.allocUnsafe(RECORD_HEADER + 13);
  b[RECORD_HEADER] = RecordType.RETURN;
  writeU64(b, seq, RECORD_HEADER + 1);
  b.writeUInt32BE(attempts, RECORD_HEADER + 9);
  return seal(b);
}

export function encodeQueueName(name: string): Buffer {
  const text = Buffer.from(name, "utf8");
  const b = Buffer.allocUnsafe(RECORD_HEADER + 1 + text.length);
  b[RECORD_HEADER] = RecordType.QUEUE;
  text.copy(b, RECORD_HEADER + 1);
  return seal(b);
}

export function encodeGap(from: number): Buffer {
  const b = Buffer.allocUnsafe(RECORD_HEADER + 9);
  b[RECORD_HEADER] = RecordType.GAP;
  writeU64(b, from, RECORD_HEADER + 1);
  return seal(b);
}

/** Why the bytes at some offset are not a whole, intact record. */
export type RecordDamage = "truncated" | "checksum" | "bad-length" | "bad-type";

export type ParseResult = { record: LogRecord; size: number } | { damage: RecordDamage };

/**
 * Parses the record at `at`. A record cut short by the end of the data is "truncated" (a
 * torn write); one whose bytes do not match its checksum is "checksum". Bodies are copied
 * out, so the caller may drop the file buffer.
 */
export function parseRecord(data: Buffer, at: number): ParseResult {
  if (data.length - at < RECORD_HEADER) return { damage: "truncated" };
  const n = data.readUInt32BE(at);
  if (n < 1 || n > MAX_RECORD_BYTES) return { damage: "bad-length" };
  if (data.length - at - RECORD_HEADER < n) return { damage: "truncated" };
  const fields = data.subarray(at + RECORD_HEADER, at + RECORD_HEADER + n);
  if (crc32(fields) !== data.readUInt32BE(at + 4)) return { damage: "checksum" };
  const size = RECORD_HEADER + n;
  switch (fields[0]) {
    case RecordType.MESSAGE:
      if (n < 9) return { damage: "bad-length" };
      return { record: { type: RecordType.MESSAGE, seq: readU64(fields, 1), body: Buffer.from(fields.subarray(9)) }, size };
    case RecordType.ACK: {
      if (n < 5) return { damage: "bad-length" };
      const count = fields.readUInt32BE(1);
      if (n !== 5 + 8 * count) return { damage: "bad-length" };
      const seqs = new Array<number>(count);
      for (let i = 0; i < count; i++) seqs[i] = readU64(fields, 5 + 8 * i);
      return { record: { type: RecordType.ACK, seqs }, size };
    }
    case RecordType.RETURN:
      if (n !== 13) return { damage: "bad-length" };
      return { record: { type: RecordType.RETURN, seq: readU64(fields, 1), attempts: fields.readUInt32BE(9) }, size };
    case RecordType.QUEUE:
      return { record: { type: RecordType.QUEUE, name: fields.subarray(1).toString("utf8") }, size };
    case RecordType.GAP:
      if (n !== 9) return { damage: "bad-length" };
      return { record: { type: RecordType.GAP, from: readU64(fields, 1) }, size };
    default:
      return { damage: "bad-type" };
  }
}
