/**
 * One segment file of a queue's log: scanned once at recovery, then appended to while it is
 * the log's tail. Named by the sequence number of its first message, zero-padded, so the
 * files of a queue sort in log order.
 */
import { open, readFile, rename, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { RecoveryIssue } from "../../model.js";
import { parseRecord, SEGMENT_MAGIC, type LogRecord, type RecordDamage } from "./record.js";

const SUFFIX = ".seg";

export function segmentFileName(firstSeq: number): string {
  return `${String(firstSeq).padStart(16, "0")}${SUFFIX}`;
}

/** The first seq a segment file name stands for, or null for other files. */
export function parseSegmentFileName(name: string): number | null {
  const m = /^(\d{16})\.seg$/.exec(name);
  return m === null ? null : Number(m[1]);
}

export interface ScannedSegment {
  records: LogRecord[];
  /** Bytes from the start of the file up to the end of the last intact record. */
  validBytes: number;
  fileBytes: number;
  damage: RecordDamage | "bad-magic" | null;
}

/** Reads every intact record of a segment file, stopping at the first damaged one. */
export async function scanSegment(path: string): Promise<ScannedSegment> {
  const data = await readFile(path);
  const records: LogRecord[] = [];
  if (data.length < SEGMENT_MAGIC.length) {
    // A crash right after the file was created can leave part of the magic; nothing was
    // ever confirmed from such a file.
    const isPrefix = SEGMENT_MAGIC.subarray(0, data.length).equals(data);
    return { records, validBytes: 0, fileBytes: data.length, damage: isPrefix ? (data.length > 0 ? "truncated" : null) : "bad-magic" };
  }
  if (!data.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) {
    return { records, validBytes: 0, fileBytes: data.length, damage: "bad-magic" };
  }
  let at = SEGMENT_MAGIC.length;
  while (at < data.length) {
    const r = parseRecord(data, at);
    if ("damage" in r) return { records, validBytes: at, fileBytes: data.length, damage: r.damage };
    records.push(r.record);
    at += r.size;
  }
  return { records, validBytes: at, fileBytes: data.length, damage: null };
}

/** Renames a file that is not a readable segment out of the way, keeping it for a person. */
export async function setAside(path: string): Promise<void> {
  await rename(path, `${path}.damaged`);
}

export class Segment {
  /** Messages in this segment not yet done (acknowledged or dead-lettered). */
  live = 0;
  #fh: FileHandle | null = null;

  private constructor(
    readonly dir: string,
    readonly firstSeq: number,
    /** Bytes in the file, magic included. */
    public size: number,
  ) {}

  get path(): string {
    return join(this.dir, segmentFileName(this.firstSeq));
  }

  /** A new, empty segment file with its magic written (not yet synced). */
  static async create(dir: string, firstSeq: number): Promise<Segment> {
    const seg = new Segment(dir, firstSeq, 0);
    seg.#fh = await open(seg.path, "wx");
    await seg.write([SEGMENT_MAGIC]);
    return seg;
  }

  /** A segment found at recovery; not open until it becomes the tail. */
  static existing(dir: string, firstSeq: number, size: number): Segment {
    return new Segment(dir, firstSeq, size);
  }

  /** Opens a recovered segment for appending, cutting it to `validBytes` first. */
  async openForAppend(validBytes: number): Promise<void> {
    this.#fh = await open(this.path, "r+");
    if (validBytes < SEGMENT_MAGIC.length) {
      await this.#fh.truncate(0);
      this.size = 0;
      await this.write([SEGMENT_MAGIC]);
    } else {
      await this.#fh.truncate(validBytes);
      this.size = validBytes;
    }
  }

  /** Appends the buffers at the end of the file; loops over partial writes. */
  async write(buffers: Buffer[]): Promise<void> {
    const fh = this.#fh;
    if (fh === null) throw new Error(`segment ${this.path} is not open for writing`);
    let bufs = buffers;
    while (bufs.length > 0) {
      // writev takes at most IOV_MAX buffers in one call; libuv writes fewer otherwise.
      const chunk = bufs.length > 512 ? bufs.slice(0, 512) : bufs;
      let want = 0;
      for (const b of chunk) want += b.length;
      const { bytesWritten } = await fh.writev(chunk, this.size);
      this.size += bytesWritten;
      if (bytesWritten === want) {
        bufs = chunk === bufs ? [] : bufs.slice(chunk.length);
        continue;
      }
      bufs = [...skipBytes(chunk, bytesWritten), ...bufs.slice(chunk.length)];
    }
  }

  async sync(): Promise<void> {
    await this.#fh?.datasync();
  }

  async close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = null;
    await fh?.close();
  }

  async remove(): Promise<void> {
    await this.close();
    await unlink(this.path);
  }
}

function skipBytes(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let left = n;
  for (const b of buffers) {
    if (left >= b.length) {
      left -= b.length;
      continue;
    }
    out.push(left > 0 ? b.subarray(left) : b);
    left = 0;
  }
  return out;
}
