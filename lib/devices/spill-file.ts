import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { ZmqError } from "../errors.js";

/**
 * The buffering device's log of messages read from the front, which survives a kill.
 *
 * Layout: a 16-byte header, `WMQSPL02` then a u64 BE "consumed" offset (every record before
 * it is acknowledged), then records. A record is
 *   u32 BE  body length (the bytes after this field)
 *   u8      state: 0 pending, 1 acknowledged
 *   u16 BE  frame count
 *   per frame: u32 BE length, then the frame's bytes.
 * Records are appended at `writeOffset` and read at `readOffset`. A record read out stays in
 * the file, pending, until its consumer acknowledges it: then its state byte is set in place
 * (one byte, so a kill cannot tear it), so a restart neither loses a message handed out nor
 * sends again one acknowledged. The header's offset only saves the scan of an acknowledged
 * prefix; it is written lazily and may lag. A torn record at the end (a kill during an
 * append) is cut off on open.
 */
const MAGIC = Buffer.from("WMQSPL02", "latin1");
const HEADER = 16;
const READ_CHUNK = 256 * 1024;
const MAX_FRAMES = 0xffff;
const PENDING = 0;
const ACKED = 1;
/** The header's consumed offset is rewritten once the acknowledged prefix grew this much. */
const HEADER_LAG = 64 * 1024;
/** Appended records are written at once past this many bytes. */
const FLUSH_BYTES = 256 * 1024;

/** A record handed out of the file and not yet acknowledged. */
interface InFlight {
  at: number;
  end: number;
  acked: boolean;
}

export class SpillFile {
  readonly path: string;
  #fd: number;
  #consumed = HEADER;
  #consumedOnDisk = HEADER;
  #readOffset = HEADER;
  #writeOffset = HEADER;
  /** Appended records not written yet, which go at `#writtenOffset`. */
  #unwritten: Buffer[] = [];
  #writtenOffset = HEADER;
  /** Offsets of records acknowledged whose state byte is not written yet. */
  readonly #acksUnwritten: number[] = [];
  /** Pending records not read yet. */
  #count = 0;
  /** Read out and not acknowledged, in file order; the first one bounds `consumed`. */
  #inFlight: InFlight[] = [];
  #inFlightHead = 0;
  readonly #records = new WeakMap<readonly Buffer[], InFlight>();

  /** Opens (or creates) the file; pending records already in it come first in the queue. */
  constructor(path: string) {
    this.path = path;
    const existed = existsSync(path);
    try {
      this.#fd = openSync(path, existed ? "r+" : "w+");
    } catch (err) {
      throw new ZmqError("EINVAL", `cannot open spill file ${path}: ${(err as Error).message}`, { cause: err });
    }
    try {
      const size = fstatSync(this.#fd).size;
      if (size === 0) {
        writeAll(this.#fd, header(HEADER), 0);
      } else {
        this.#scan(size);
      }
    } catch (err) {
      closeSync(this.#fd);
      throw err;
    }
  }

  /** Pending messages in the file not read yet. */
  get count(): number {
    return this.#count;
  }

  /** Messages read out of the file and not acknowledged yet. */
  get inFlight(): number {
    let n = 0;
    for (const r of this.#inFlight) if (!r.acked) n++;
    return n;
  }

  /** Size of the file on disk, which is what the disk bound limits. */
  get fileBytes(): number {
    return this.#writeOffset;
  }

  /** Bytes from the first record not acknowledged to the end. */
  get liveBytes(): number {
    return this.#writeOffset - this.#consumed;
  }

  /** Bytes a message takes as a record. */
  static recordBytes(msg: readonly Buffer[]): number {
    let n = 4 + 1 + 2;
    for (const f of msg) n += 4 + f.length;
    return n;
  }

  /**
   * Adds a record, written at the next `flush()` (a write per message costs ~10x the intake),
   * which comes at the latest before any record is read back.
   */
  append(msg: readonly Buffer[]): void {
    if (msg.length > MAX_FRAMES) throw new ZmqError("EMSGSIZE", `a spilled message may have at most ${MAX_FRAMES} frames`);
    const record = encodeRecord(msg);
    this.#unwritten.push(record);
    this.#writeOffset += record.length;
    this.#count++;
    if (this.#writeOffset - this.#writtenOffset >= FLUSH_BYTES) this.flush();
  }

  /** Writes the appended records (to the OS: a killed process loses none; not fsynced). */
  flush(): void {
    if (this.#unwritten.length > 0) {
      const bytes = this.#unwritten.length === 1 ? this.#unwritten[0]! : Buffer.concat(this.#unwritten);
      this.#unwritten = [];
      writeAll(this.#fd, bytes, this.#writtenOffset);
      this.#writtenOffset = this.#writeOffset;
    }
    for (const at of this.#acksUnwritten) writeAll(this.#fd, STATE_ACKED, at + 4);
    this.#acksUnwritten.length = 0;
  }

  /** Reads the oldest pending records, about `maxBytes` of them and at least one; [] when none. */
  readBatch(maxBytes: number): Buffer[][] {
    this.flush();
    const out: Buffer[][] = [];
    let budget = Math.max(maxBytes, 1);
    while (this.#count > 0 && budget > 0) {
      const chunk = this.#read(this.#readOffset, Math.min(this.#writeOffset - this.#readOffset, READ_CHUNK));
      let pos = 0;
      while (budget > 0 && this.#count > 0 && pos + 4 <= chunk.length) {
        const total = 4 + chunk.readUInt32BE(pos);
        if (pos + total > chunk.length) break;
        // Copy out of the chunk so one message kept for long does not pin the whole chunk.
        // Acknowledged records (left by a kill) are stepped over and cost no budget.
        if (this.#take(Buffer.from(chunk.subarray(pos, pos + total)), this.#readOffset + pos, out)) budget -= total;
        pos += total;
      }
      if (pos === 0) {
        // A record larger than one chunk: read it whole.
        const total = 4 + chunk.readUInt32BE(0);
        if (this.#readOffset + total > this.#writeOffset) throw new ZmqError("EPROTO", `spill file ${this.path} holds a damaged record`);
        if (this.#take(this.#read(this.#readOffset, total), this.#readOffset, out)) budget -= total;
        pos = total;
      }
      this.#readOffset += pos;
    }
    this.#advance();
    return out;
  }

  /**
   * Marks a message read from this file as acknowledged, on disk at the next flush, so no
   * restart sends it again. A message that did not come from the file (or was acknowledged already) is ignored.
   */
  acknowledge(msg: readonly Buffer[]): void {
    const record = this.#records.get(msg);
    if (record === undefined || record.acked || this.#fd < 0) return;
    this.#records.delete(msg);
    // Written at the next flush, like appends: an acknowledgement not written yet is one a
    // kill may undo, as one still in the socket would be (at most one per consumer).
    this.#acksUnwritten.push(record.at);
    record.acked = true;
    this.#advance();
  }

  /**
   * Gives back the space of acknowledged records: copies the others to a new file, flushes
   * it, and renames it over this one, then flushes the directory. A kill at any point leaves
   * either the old file or the new one, each whole, so nothing is lost or brought back.
   */
  compact(): void {
    this.flush();
    const moved = new Map<number, number>();
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, "w");
    let to = HEADER;
    let newRead = -1;
    try {
      writeAll(fd, header(HEADER), 0);
      this.#forEachRecord(this.#consumed, this.#writeOffset, (record, at) => {
        if (at >= this.#readOffset && newRead < 0) newRead = to;
        if (record[4] === ACKED) return;
        writeAll(fd, record, to);
        moved.set(at, to);
        to += record.length;
      });
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.#replaceWith(fd, tmp);
    this.#inFlight = this.#inFlight.filter((r) => !r.acked);
    this.#inFlightHead = 0;
    for (const r of this.#inFlight) {
      const at = moved.get(r.at)!;
      r.end = at + (r.end - r.at);
      r.at = at;
    }
    this.#readOffset = newRead < 0 ? to : newRead;
    this.#writeOffset = this.#writtenOffset = to;
    this.#consumed = this.#consumedOnDisk = HEADER;
  }

  /**
   * For a clean stop of a queue that kept messages in memory: writes `first` followed by the
   * unread records to a new file and puts it in place of this one (see `compact`); records
   * read out before are dropped, as `first` holds what of them is still owed. Closes this file.
   */
  persist(first: readonly (readonly Buffer[])[]): void {
    this.flush();
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      let at = 0;
      const put = (bytes: Buffer): void => {
        writeAll(fd, bytes, at);
        at += bytes.length;
      };
      put(header(HEADER));
      for (const msg of first) put(encodeRecord(msg));
      this.#forEachRecord(this.#readOffset, this.#writeOffset, (record) => {
        if (record[4] !== ACKED) put(record);
      });
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.#replaceWith(fd, tmp);
    this.close();
  }

  close(): void {
    if (this.#fd < 0) return;
    this.flush();
    closeSync(this.#fd);
    this.#fd = -1;
  }

  #take(record: Buffer, at: number, out: Buffer[][]): boolean {
    if (record[4] === ACKED) return false;
    const msg = decodeRecord(record, this.path);
    const entry = { at, end: at + record.length, acked: false };
    this.#inFlight.push(entry);
    this.#records.set(msg, entry);
    this.#count--;
    out.push(msg);
    return true;
  }

  /** Moves `consumed` past the acknowledged prefix; an empty log is cut back to its header. */
  #advance(): void {
    const list = this.#inFlight;
    while (this.#inFlightHead < list.length && list[this.#inFlightHead]!.acked) this.#inFlightHead++;
    if (this.#inFlightHead === list.length) {
      list.length = 0;
      this.#inFlightHead = 0;
    } else if (this.#inFlightHead > 1024 && this.#inFlightHead * 2 > list.length) {
      // Drop the acknowledged prefix now and then, not per acknowledgement (that would be quadratic).
      list.splice(0, this.#inFlightHead);
      this.#inFlightHead = 0;
    }
    this.#consumed = list.length > 0 ? list[this.#inFlightHead]!.at : this.#readOffset;
    if (this.#count === 0 && list.length === 0 && this.#writeOffset > HEADER) {
      // Every record is acknowledged (a kill before the cut sends again at most those whose
      // acknowledgement was not written), so a kill between these two writes loses nothing.
      this.#acksUnwritten.length = 0;
      ftruncateSync(this.#fd, HEADER);
      writeAll(this.#fd, header(HEADER), 0);
      this.#consumed = this.#consumedOnDisk = this.#readOffset = this.#writeOffset = this.#writtenOffset = HEADER;
      return;
    }
    if (this.#consumed - this.#consumedOnDisk >= HEADER_LAG) {
      writeAll(this.#fd, header(this.#consumed), 0);
      this.#consumedOnDisk = this.#consumed;
    }
  }

  /** Rewrites a file saved by the previous format in this one (all records pending); returns its new size. */
  #upgrade(size: number): number {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, "w");
    let to = HEADER;
    try {
      writeAll(fd, header(HEADER), 0);
      let at = MAGIC_V1.length;
      while (at + 4 <= size) {
        const total = 4 + this.#read(at, 4).readUInt32BE(0);
        // A torn last record is dropped, as it would have been.
        if (at + total > size) break;
        const old = this.#read(at, total);
        const record = Buffer.allocUnsafe(total + 1);
        record.writeUInt32BE(total - 3, 0);
        record[4] = PENDING;
        old.copy(record, 5, 4);
        writeAll(fd, record, to);
        to += record.length;
        at += total;
      }
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    this.#replaceWith(fd, tmp);
    return to;
  }

  #replaceWith(fd: number, tmp: string): void {
    closeSync(fd);
    renameSync(tmp, this.path);
    syncDirectory(dirname(this.path));
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = openSync(this.path, "r+");
  }

  /** Calls `visit` with each whole record from `from` to `to`, and its offset. */
  #forEachRecord(from: number, to: number, visit: (record: Buffer, at: number) => void): void {
    let at = from;
    while (at < to) {
      const chunk = this.#read(at, Math.min(READ_CHUNK, to - at));
      let pos = 0;
      while (pos + 4 <= chunk.length) {
        const total = 4 + chunk.readUInt32BE(pos);
        if (pos + total > chunk.length) break;
        visit(chunk.subarray(pos, pos + total), at + pos);
        pos += total;
      }
      if (pos === 0) {
        const total = 4 + chunk.readUInt32BE(0);
        if (at + total > to) throw new ZmqError("EPROTO", `spill file ${this.path} holds a damaged record`);
        visit(this.#read(at, total), at);
        pos = total;
      }
      at += pos;
    }
  }

  #read(offset: number, length: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.#fd, buf, got, length - got, offset + got);
      if (n === 0) throw new ZmqError("EPROTO", `spill file ${this.path} ends inside a record`);
      got += n;
    }
    return buf;
  }

  /** Checks the header, counts the pending records after `consumed` and cuts off a torn last one. */
  #scan(size: number): void {
    if (size >= MAGIC_V1.length && this.#read(0, MAGIC_V1.length).equals(MAGIC_V1)) size = this.#upgrade(size);
    const head = size >= HEADER ? this.#read(0, HEADER) : Buffer.alloc(0);
    if (head.length < HEADER || !head.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new ZmqError("EPROTO", `${this.path} is not a wiremq spill file`);
    }
    let at = Number(head.readBigUInt64BE(MAGIC.length));
    // Past the end: the log was cut back before the header was rewritten.
    if (at < HEADER || at > size) at = HEADER;
    this.#consumed = this.#consumedOnDisk = this.#readOffset = at;
    let count = 0;
    while (at + 5 <= size) {
      const lead = this.#read(at, 5);
      const total = 4 + lead.readUInt32BE(0);
      if (at + total > size) break;
      if (lead[4] === PENDING) count++;
      at += total;
    }
    if (at !== size) ftruncateSync(this.#fd, at);
    this.#writeOffset = this.#writtenOffset = at;
    this.#count = count;
  }
}

const STATE_ACKED = Buffer.from([ACKED]);
/** The format before write-ahead: an 8-byte header and records without a state byte. */
const MAGIC_V1 = Buffer.from("WMQSPL01", "latin1");

function header(consumed: number): Buffer {
  const h = Buffer.alloc(HEADER);
  MAGIC.copy(h, 0);
  h.writeBigUInt64BE(BigInt(consumed), MAGIC.length);
  return h;
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function encodeRecord(msg: readonly Buffer[]): Buffer {
  const record = Buffer.allocUnsafe(SpillFile.recordBytes(msg));
  record.writeUInt32BE(record.length - 4, 0);
  record[4] = PENDING;
  record.writeUInt16BE(msg.length, 5);
  let at = 7;
  for (const f of msg) {
    record.writeUInt32BE(f.length, at);
    at += 4;
    f.copy(record, at);
    at += f.length;
  }
  return record;
}

/** Splits a record into frames, checking every length against the record (a damaged file must not crash us). */
function decodeRecord(record: Buffer, path: string): Buffer[] {
  const bad = (): ZmqError => new ZmqError("EPROTO", `spill file ${path} holds a damaged record`);
  if (record.length < 7) throw bad();
  const frames = record.readUInt16BE(5);
  const out: Buffer[] = [];
  let at = 7;
  for (let i = 0; i < frames; i++) {
    if (at + 4 > record.length) throw bad();
    const len = record.readUInt32BE(at);
    at += 4;
    if (at + len > record.length) throw bad();
    out.push(record.subarray(at, at + len));
    at += len;
  }
  if (at !== record.length || frames === 0) throw bad();
  return out;
}

function writeAll(fd: number, bytes: Buffer, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}
