import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, writeSync } from "node:fs";
import { ZmqError } from "../errors.js";

/**
 * The buffering device's overflow file: an append-only log of messages read from the front.
 *
 * Layout: an 8-byte header `WMQSPL01`, then records. A record is
 *   u32 BE  body length (the bytes after this field)
 *   u16 BE  frame count
 *   per frame: u32 BE length, then the frame's bytes.
 * Records are read from `readOffset` and appended at `writeOffset`; once every record has been
 * read the file is cut back to its header. A torn record at the end (a crash during a write)
 * is cut off when the file is opened.
 */
const MAGIC = Buffer.from("WMQSPL01", "latin1");
const HEADER = MAGIC.length;
const READ_CHUNK = 256 * 1024;
const MAX_FRAMES = 0xffff;

export class SpillFile {
  readonly path: string;
  #fd: number;
  #readOffset = HEADER;
  #writeOffset = HEADER;
  #count = 0;

  /** Opens (or creates) the file; records already in it come first in the queue. */
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
        writeSync(this.#fd, MAGIC, 0, HEADER, 0);
      } else {
        this.#checkHeader(size);
        this.#scan(size);
      }
    } catch (err) {
      closeSync(this.#fd);
      throw err;
    }
  }

  /** Messages in the file not read yet. */
  get count(): number {
    return this.#count;
  }

  /** Size of the file on disk, which is what the disk bound limits. */
  get fileBytes(): number {
    return this.#writeOffset;
  }

  /** Bytes of records not read yet. */
  get liveBytes(): number {
    return this.#writeOffset - this.#readOffset;
  }

  /** Bytes a message takes as a record. */
  static recordBytes(msg: readonly Buffer[]): number {
    let n = 4 + 2;
    for (const f of msg) n += 4 + f.length;
    return n;
  }

  append(msg: readonly Buffer[]): void {
    if (msg.length > MAX_FRAMES) throw new ZmqError("EMSGSIZE", `a spilled message may have at most ${MAX_FRAMES} frames`);
    const record = encodeRecord(msg);
    writeAll(this.#fd, record, this.#writeOffset);
    this.#writeOffset += record.length;
    this.#count++;
  }

  /** Reads the oldest records, about `maxBytes` of them and at least one; [] when empty. */
  readBatch(maxBytes: number): Buffer[][] {
    const out: Buffer[][] = [];
    let budget = Math.max(maxBytes, 1);
    while (this.#count > 0 && budget > 0) {
      const chunk = this.#read(this.#readOffset, Math.min(this.liveBytes, READ_CHUNK));
      let pos = 0;
      while (budget > 0 && pos + 4 <= chunk.length) {
        const total = 4 + chunk.readUInt32BE(pos);
        if (pos + total > chunk.length) break;
        // Copy out of the chunk so one message kept for long does not pin the whole chunk.
        out.push(decodeRecord(Buffer.from(chunk.subarray(pos, pos + total)), this.path));
        pos += total;
        budget -= total;
        this.#count--;
      }
      this.#readOffset += pos;
      if (pos === 0) {
        // A record larger than one chunk: read it whole.
        const total = 4 + chunk.readUInt32BE(0);
        if (total > this.liveBytes) throw new ZmqError("EPROTO", `spill file ${this.path} holds a damaged record`);
        out.push(decodeRecord(this.#read(this.#readOffset, total), this.path));
        this.#readOffset += total;
        budget -= total;
        this.#count--;
      }
    }
    if (this.#count === 0) this.#reset();
    return out;
  }

  /** Moves the unread records to the start of the file, giving back the space already read. */
  compact(): void {
    if (this.#readOffset === HEADER) return;
    let from = this.#readOffset;
    let to = HEADER;
    while (from < this.#writeOffset) {
      const chunk = this.#read(from, Math.min(READ_CHUNK, this.#writeOffset - from));
      writeAll(this.#fd, chunk, to);
      from += chunk.length;
      to += chunk.length;
    }
    ftruncateSync(this.#fd, to);
    this.#readOffset = HEADER;
    this.#writeOffset = to;
  }

  /**
   * Writes `first` followed by the unread records to a new file, flushes it and puts it in
   * place of this one in one rename, so a crash during the write leaves the old file whole.
   * Closes this file.
   */
  persist(first: readonly (readonly Buffer[])[]): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      let at = 0;
      const put = (bytes: Buffer): void => {
        writeAll(fd, bytes, at);
        at += bytes.length;
      };
      put(MAGIC);
      for (const msg of first) put(encodeRecord(msg));
      let from = this.#readOffset;
      while (from < this.#writeOffset) {
        const chunk = this.#read(from, Math.min(READ_CHUNK, this.#writeOffset - from));
        put(chunk);
        from += chunk.length;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.close();
  }

  close(): void {
    if (this.#fd < 0) return;
    closeSync(this.#fd);
    this.#fd = -1;
  }

  #reset(): void {
    ftruncateSync(this.#fd, HEADER);
    this.#readOffset = this.#writeOffset = HEADER;
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

  #checkHeader(size: number): void {
    const head = size >= HEADER ? this.#read(0, HEADER) : Buffer.alloc(0);
    if (!head.equals(MAGIC)) throw new ZmqError("EPROTO", `${this.path} is not a wiremq spill file`);
  }

  /** Counts the records of an existing file and cuts off a torn last one. */
  #scan(size: number): void {
    let at = HEADER;
    let count = 0;
    while (at + 4 <= size) {
      const total = 4 + this.#read(at, 4).readUInt32BE(0);
      if (at + total > size) break;
      at += total;
      count++;
    }
    if (at !== size) ftruncateSync(this.#fd, at);
    this.#writeOffset = at;
    this.#count = count;
  }
}

function encodeRecord(msg: readonly Buffer[]): Buffer {
  const record = Buffer.allocUnsafe(SpillFile.recordBytes(msg));
  record.writeUInt32BE(record.length - 4, 0);
  record.writeUInt16BE(msg.length, 4);
  let at = 6;
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
  if (record.length < 6) throw bad();
  const frames = record.readUInt16BE(4);
  const out: Buffer[] = [];
  let at = 6;
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
