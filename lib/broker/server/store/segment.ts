/**
 * One segment file of a queue's log: scanned once at recovery, then appended to while it is
 * the log's tail. Named by the sequence number of its first message, zero-padded, so the
 * files of a queue sort in log order.
 */
import { dirname, join } from "node:path";
import type { Closable, OpenFiles } from "./open-files.js";
import type { StoreFile, StoreFileSystem } from "./file-system.js";
import { encodeGap, encodeQueueName, parseRecord, RECORD_HEADER, RecordType, SEGMENT_MAGIC, type LogRecord, type RecordDamage } from "./record.js";
import { WiremqError } from "../../../errors.js";

const SUFFIX = ".seg";

export function segmentFileName(firstSeq: number): string {
  return `${String(firstSeq).padStart(16, "0")}${SUFFIX}`;
}

/** The first seq a segment file name stands for, or null for other files. */
export function parseSegmentFileName(name: string): number | null {
  const m = /^(\d{16})\.seg$/.exec(name);
  return m === null ? null : Number(m[1]);
}

/** Bytes of a segment that are not intact records. */
export interface DamagedRange {
  offset: number;
  length: number;
  damage: RecordDamage;
}

export interface ScannedSegment {
  records: LogRecord[];
  /** Bytes from the start of the file up to the end of the last intact record. */
  validBytes: number;
  fileBytes: number;
  /** Oldest first; empty for an intact file. */
  damaged: DamagedRange[];
  badMagic: boolean;
}

/**
 * Reads every intact record of a segment file. After a damaged record it resynchronises:
 * the next offset holding a record whose checksum holds (and, for a message, whose seq
 * follows the last one read) is taken as the next record. A CRC-32 match by chance over
 * random bytes is 1 in 2^32 per offset, and the seq check refuses a record copied inside a
 * message body.
 */
export async function scanSegment(fs: StoreFileSystem, path: string, firstSeq: number): Promise<ScannedSegment> {
  const data = await fs.readFile(path);
  const records: LogRecord[] = [];
  if (data.length < SEGMENT_MAGIC.length) {
    // A crash right after the file was created can leave part of the magic; nothing was
    // ever confirmed from such a file.
    const isPrefix = SEGMENT_MAGIC.subarray(0, data.length).equals(data);
    const damaged: DamagedRange[] = isPrefix && data.length > 0 ? [{ offset: 0, length: data.length, damage: "truncated" }] : [];
    return { records, validBytes: 0, fileBytes: data.length, damaged, badMagic: !isPrefix };
  }
  if (!data.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC)) {
    return { records, validBytes: 0, fileBytes: data.length, damaged: [], badMagic: true };
  }
  const damaged: DamagedRange[] = [];
  let lastSeq = firstSeq - 1;
  let validBytes = SEGMENT_MAGIC.length;
  let at = SEGMENT_MAGIC.length;
  const plausible = (r: LogRecord): boolean => r.type !== RecordType.MESSAGE || r.seq > lastSeq;
  while (at < data.length) {
    const r = parseRecord(data, at);
    if (!("damage" in r) && plausible(r.record)) {
      records.push(r.record);
      if (r.record.type === RecordType.MESSAGE) lastSeq = r.record.seq;
      at += r.size;
      validBytes = at;
      continue;
    }
    const damage = "damage" in r ? r.damage : "bad-type";
    let next = at + 1;
    for (; next + RECORD_HEADER <= data.length; next++) {
      const c = parseRecord(data, next);
      if (!("damage" in c) && plausible(c.record)) break;
    }
    if (next + RECORD_HEADER > data.length) next = data.length;
    damaged.push({ offset: at, length: next - at, damage });
    at = next;
  }
  return { records, validBytes, fileBytes: data.length, damaged, badMagic: false };
}

/** The side file that keeps the damaged bytes found at `offset` of a segment. */
export function damagedFileName(path: string, offset: number): string {
  return `${path}.${offset}.damaged`;
}

/**
 * Moves a segment's damaged ranges out of it: each is written to a side file of its own
 * (kept for a person; the broker never deletes it), then the segment is replaced by its
 * intact records alone, so the damage is found and reported once. Returns the new size.
 */
export async function moveDamageAside(fs: StoreFileSystem, path: string, damaged: readonly DamagedRange[]): Promise<number> {
  const data = await fs.readFile(path);
  const kept: Buffer[] = [];
  let from = 0;
  for (const d of damaged) {
    await writeDurably(fs, damagedFileName(path, d.offset), data.subarray(d.offset, d.offset + d.length));
    kept.push(data.subarray(from, d.offset));
    from = d.offset + d.length;
  }
  kept.push(data.subarray(from));
  const clean = Buffer.concat(kept);
  await writeDurably(fs, path, clean);
  return clean.length;
}

/** Renames a file that is not a readable segment out of the way, keeping it for a person. */
export async function setAside(fs: StoreFileSystem, path: string): Promise<string> {
  const to = `${path}.damaged`;
  await fs.rename(path, to);
  await syncDir(fs, dirname(path));
  return to;
}

/** Writes a file so that after a crash it is either the old one or the whole new one. */
export async function writeDurably(fs: StoreFileSystem, path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await fs.open(tmp, "w");
  try {
    await fh.writeFile(data);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, path);
  // The rename is durable only once the directory holding it is synced.
  await syncDir(fs, dirname(path));
}

export async function syncDir(fs: StoreFileSystem, dir: string): Promise<void> {
  const fh = await fs.open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class Segment implements Closable {
  /** Messages in this segment not yet done (acknowledged or dead-lettered). */
  live = 0;
  #fh: StoreFile | null = null;
  #busy = 0;
  /** Opened for appending at least once: an idle close may reopen it. */
  #writable = false;

  private constructor(
    readonly dir: string,
    readonly firstSeq: number,
    /** Bytes in the file, magic included. */
    public size: number,
    readonly files: OpenFiles,
    readonly fs: StoreFileSystem,
  ) {}

  get path(): string {
    return join(this.dir, segmentFileName(this.firstSeq));
  }

  get busy(): boolean {
    return this.#busy > 0;
  }

  /**
   * A new segment file holding its magic and the queue's name (not yet synced), and with
   * `gapFrom` a GAP record: the seqs from there to `firstSeq` were skipped on purpose, so
   * recovery does not take them for a segment file gone.
   */
  static async create(dir: string, firstSeq: number, queueName: string, files: OpenFiles, fs: StoreFileSystem, gapFrom?: number): Promise<Segment> {
    const seg = new Segment(dir, firstSeq, 0, files, fs);
    seg.#fh = await fs.open(seg.path, "wx");
    seg.#writable = true;
    await seg.write(gapFrom === undefined ? [SEGMENT_MAGIC, encodeQueueName(queueName)] : [SEGMENT_MAGIC, encodeQueueName(queueName), encodeGap(gapFrom)]);
    return seg;
  }

  /** A segment found at recovery; not open until it becomes the tail. */
  static existing(dir: string, firstSeq: number, size: number, files: OpenFiles, fs: StoreFileSystem): Segment {
    return new Segment(dir, firstSeq, size, files, fs);
  }

  /** Opens a recovered segment for appending, cutting it to `validBytes` first. */
  async openForAppend(validBytes: number): Promise<void> {
    this.#writable = true;
    await this.#use(async (fh) => {
      if (validBytes < SEGMENT_MAGIC.length) {
        await fh.truncate(0);
        this.size = 0;
      } else {
        await fh.truncate(validBytes);
        this.size = validBytes;
      }
    });
    if (this.size === 0) await this.write([SEGMENT_MAGIC]);
  }

  /** Runs `op` with the file open (reopened if the cache closed it), counted as busy. */
  async #use<T>(op: (fh: StoreFile) => Promise<T>): Promise<T> {
    this.#busy++;
    try {
      this.#fh ??= await this.fs.open(this.path, "r+");
      await this.files.used(this);
      return await op(this.#fh);
    } finally {
      this.#busy--;
    }
  }

  /** Appends the buffers at the end of the file; loops over partial writes. */
  async write(buffers: Buffer[]): Promise<void> {
    await this.#use(async (fh) => {
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
    });
  }

  async sync(): Promise<void> {
    // A file the cache closed since the write is opened again: fdatasync flushes the file's
    // data whichever descriptor wrote it.
    if (!this.#writable) return;
    await this.#use((fh) => fh.datasync());
  }

  async closeIdle(): Promise<void> {
    const fh = this.#fh;
    this.#fh = null;
    await fh?.close();
  }

  async close(): Promise<void> {
    this.#writable = false;
    this.files.closed(this);
    await this.closeIdle();
  }

  async remove(): Promise<void> {
    await this.close();
    await this.fs.unlink(this.path);
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
