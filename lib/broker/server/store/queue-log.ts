/**
 * The durable log of one queue: an append-only series of segment files holding MESSAGE,
 * ACK and RETURN records. Appends are gathered and written together (one writev per turn,
 * plus one fdatasync per policy), and a put's callback runs only after the sync the policy
 * asks for. Segments are deleted from the front once every message in them is done.
 */
import { join } from "node:path";
import { encodeAck, encodeMessage, encodeReturn, MIN_MESSAGE_RECORD, RecordType } from "./record.js";
import { Segment, segmentFileName, syncDir, writeDurably, type ScannedSegment } from "./segment.js";
import type { SyncPolicy } from "./sync-policy.js";
import type { OpenFiles } from "./open-files.js";
import type { StoreFileSystem } from "./file-system.js";
import type { QueueLog, RecoveredMessage } from "./store.js";
import { WiremqError } from "../../../errors.js";

export type Durable = (err: Error | null, seq: number) => void;

/**
 * Seqs reserved at a time in `SEGMENTS` before any of them is written: a crash can leave the
 * newest segment cut at a record boundary, which leaves no trace, so the floor on disk must
 * already cover every seq written. One durable rewrite (two fsyncs) per this many puts, or
 * none where a segment roll rewrites the file anyway; a crash leaves at most this many seqs
 * unused, of 2^53.
 */
export const SEQ_RESERVE = 2 ** 20;

interface Waiting {
  seq: number;
  done: Durable;
}

export interface DiskLogOptions {
  sync: SyncPolicy;
  segmentBytes: number;
  /** Shared by every queue of a store: the bound on open segment files. */
  files: OpenFiles;
  fs: StoreFileSystem;
}

/** A segment as recovery found it, its damage (if any) already moved aside. */
export interface FoundSegment {
  firstSeq: number;
  scan: ScannedSegment;
  /** Bytes in the file now. */
  size: number;
}

export class DiskQueueLog implements QueueLog {
  readonly #dir: string;
  readonly #name: string;
  readonly #opts: DiskLogOptions;
  /** Oldest first; the last one is the tail that takes appends (opened on first flush). */
  readonly #segments: Segment[] = [];
  #tailOpen = false;
  #tailValidBytes = 0;
  /**
   * The next write goes to a new segment named by this seq: after damage was cut from the
   * tail, or after a failed write left the tail's end unknown. Within a segment, seqs then
   * run without gaps, so the seqs lost in a damaged tail are bounded by its bytes.
   */
  #rollOverAt: number | null = null;
  #nextSeq: number;
  /** The floor for new seqs in `SEGMENTS` now: no seq at or above it has been written. */
  #reserved: number;
  /** The highest seq whose message was written (or recovered); a new segment past it + 1 says so. */
  #lastWritten = 0;
  #writes: Buffer[] = [];
  #writeWaiting: Waiting[] = [];
  #acks: number[] = [];
  /** Batch mode: written, waiting for the periodic sync. */
  #unsynced: Waiting[] = [];
  #syncDue = false;
  #syncTimer: NodeJS.Timeout | null = null;
  #lastSyncAt = -Infinity;
  #flushScheduled = false;
  #flushing: Promise<void> | null = null;
  /** The last write failed; the next append tries again. */
  #failed: Error | null = null;
  #failures = 0;
  #closed = false;
  /** Makes the queue's directory (a new queue makes it on first write); null once made. */
  #makeDir: (() => Promise<void>) | null = null;
  /** Bytes in the segment files. */
  #bytes = 0;

  private constructor(dir: string, name: string, opts: DiskLogOptions, nextSeq: number) {
    this.#dir = dir;
    this.#name = name;
    this.#opts = opts;
    this.#nextSeq = nextSeq;
    this.#reserved = nextSeq;
  }

  /**
   * An empty log in `dir` (a new queue): its first segment is made on the first flush,
   * after `makeDir` made the directory (tried again on each flush until it succeeds).
   */
  static empty(dir: string, name: string, opts: DiskLogOptions, makeDir: () => Promise<void>): DiskQueueLog {
    const log = new DiskQueueLog(dir, name, opts, 1);
    log.#makeDir = makeDir;
    return log;
  }

  /**
   * Rebuilds a log from its scanned segments (oldest first): the messages not done, with
   * their attempts. Segments whose messages are all done, other than the newest, are
   * deleted.
   */
  static async recover(
    dir: string,
    name: string,
    found: FoundSegment[],
    opts: DiskLogOptions,
    seqFloor = 1,
  ): Promise<{ log: DiskQueueLog; messages: RecoveredMessage[] }> {
    const live = new Map<number, RecoveredMessage>();
    let maxSeq = 0;
    for (const f of found) {
      for (const r of f.scan.records) {
        if (r.type === RecordType.MESSAGE) {
          // A message can appear twice only through a retried write; the first copy wins.
          if (!live.has(r.seq)) live.set(r.seq, { seq: r.seq, body: r.body, attempts: 0 });
          if (r.seq > maxSeq) maxSeq = r.seq;
        } else if (r.type === RecordType.ACK) {
          for (const s of r.seqs) live.delete(s);
        } else if (r.type === RecordType.RETURN) {
          const m = live.get(r.seq);
          if (m !== undefined) m.attempts = r.attempts;
        }
      }
    }
    const last = found[found.length - 1];
    let nextSeq = Math.max(maxSeq + 1, last?.firstSeq ?? 1, seqFloor, 1);
    const tailCut = last?.scan.damaged.at(-1);
    let rollOver = false;
    if (last !== undefined && tailCut !== undefined) {
      // Messages in the cut bytes had the seqs right after the last one read (no gaps within
      // a segment), at most one per smallest message record: skip them all, never reuse one.
      if (tailCut.offset + tailCut.length === last.scan.fileBytes) nextSeq += Math.ceil(tailCut.length / MIN_MESSAGE_RECORD);
      rollOver = true;
    }
    // Seqs skipped past the last one read (a floor reserved ahead, or damage cut off): the next
    // write starts a new segment, so that within a segment seqs still run without gaps.
    if (last !== undefined && nextSeq > maxSeq + 1 && nextSeq > last.firstSeq) rollOver = true;
    const log = new DiskQueueLog(dir, name, opts, nextSeq);
    if (rollOver) log.#rollOverAt = nextSeq;
    log.#lastWritten = maxSeq;
    for (const f of found) {
      const seg = Segment.existing(dir, f.firstSeq, f.size, opts.files, opts.fs);
      log.#segments.push(seg);
      log.#bytes += f.size;
    }
    const messages = [...live.values()].sort((a, b) => a.seq - b.seq);
    for (const m of messages) {
      const seg = log.#segmentOf(m.seq);
      if (seg !== null) seg.live++;
    }
    if (last !== undefined) log.#tailValidBytes = last.size;
    await log.#dropDonePrefix();
    return { log, messages };
  }

  get segmentCount(): number {
    return this.#segments.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The error of the last write when it failed (the next append tries again), else null. */
  get writeError(): Error | null {
    return this.#failed;
  }

  /** Writes that failed since the log was opened. */
  get writeFailures(): number {
    return this.#failures;
  }

  append(body: Buffer, done: Durable): number {
    const seq = this.#nextSeq++;
    if (this.#closed) {
      queueMicrotask(() => done(new WiremqError("EBADF", "queue log is closed"), seq));
      return seq;
    }
    if (this.#failed !== null) {
      // The cause (disk full, too many open files, a read-only remount) may be gone: try
      // again, in a new segment, since the old tail's end is unknown.
      this.#failed = null;
      this.#rollOverAt = seq;
    }
    const [head, b] = encodeMessage(seq, body);
    this.#writes.push(head, b);
    this.#writeWaiting.push({ seq, done });
    this.#schedule();
    return seq;
  }

  ack(seq: number): void {
    if (this.#closed) return;
    this.#acks.push(seq);
    const seg = this.#segmentOf(seq);
    if (seg !== null) seg.live--;
    this.#schedule();
  }

  returned(seq: number, attempts: number): void {
    if (this.#closed) return;
    this.#writes.push(encodeReturn(seq, attempts));
    this.#schedule();
  }

  /** Resolves once everything appended, acknowledged or returned so far is written. */
  async whenWritten(): Promise<void> {
    while (this.#failed === null && (this.#flushScheduled || this.#flushing !== null || this.#writes.length > 0 || this.#acks.length > 0)) {
      await (this.#flushing ?? new Promise<void>((r) => setImmediate(r)));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#syncTimer !== null) clearTimeout(this.#syncTimer);
    this.#syncTimer = null;
    // Write what is queued and sync it, whatever the policy: a clean stop loses nothing.
    this.#syncDue = true;
    while (this.#flushing !== null) await this.#flushing;
    this.#startFlush();
    await this.#flushing;
    if (this.#failed === null && this.#segments.length > 0) {
      // Everything is written and synced: the exact floor, so a clean restart skips no seq.
      await this.#writeBounds(this.#nextSeq, true).catch(() => undefined);
    }
    for (const seg of this.#segments) await seg.close();
  }

  // ---- flushing ------------------------------------------------------------------------------

  #schedule(): void {
    if (this.#flushScheduled || this.#flushing !== null) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      if (this.#flushing === null) this.#startFlush();
    });
  }

  #startFlush(): void {
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = null;
      // Work queued between the flush's last check and now found #flushing still set.
      if (!this.#closed && this.#failed === null && this.#hasWork()) this.#schedule();
    });
  }

  #hasWork(): boolean {
    return this.#writes.length > 0 || this.#acks.length > 0 || (this.#syncDue && this.#unsynced.length > 0) || (this.#syncDue && this.#closed);
  }

  async #flush(): Promise<void> {
    let waiting: Waiting[] = [];
    try {
      while (this.#hasWork()) {
        if (this.#acks.length > 0) {
          this.#writes.push(encodeAck(this.#acks));
          this.#acks = [];
        }
        const writes = this.#writes;
        waiting = this.#writeWaiting;
        this.#writes = [];
        this.#writeWaiting = [];
        if (writes.length > 0) {
          const firstSeq = waiting.length > 0 ? waiting[0]!.seq : null;
          const tail = await this.#tailFor(firstSeq);
          if (this.#nextSeq > this.#reserved) await this.#writeBounds(this.#nextSeq + SEQ_RESERVE);
          await tail.write(writes);
          if (waiting.length > 0) this.#lastWritten = waiting[waiting.length - 1]!.seq;
          for (const b of writes) this.#bytes += b.length;
          tail.live += waiting.length;
        }
        const mode = this.#opts.sync.mode;
        if (mode === "always" || this.#syncDue) {
          const synced = this.#unsynced;
          this.#unsynced = [];
          this.#syncDue = false;
          this.#lastSyncAt = performance.now();
          if (this.#segments.length > 0) await this.#segments[this.#segments.length - 1]!.sync();
          settle(synced, null);
          settle(waiting, null);
        } else if (mode === "none") {
          settle(waiting, null);
        } else if (waiting.length > 0) {
          for (const w of waiting) this.#unsynced.push(w);
          this.#armSyncTimer();
        }
        waiting = [];
        await this.#dropDonePrefix();
      }
    } catch (err) {
      // A failed write or sync leaves the tail's end unknown: the puts waiting are refused
      // (maybe stored: at-least-once), and the next append starts a new segment.
      this.#failed = err as Error;
      this.#failures++;
      // The next segment is named by the next seq given, not a refused one: within a segment
      // seqs run without gaps, which is what lets recovery bound the seqs a damaged tail held.
      this.#rollOverAt = this.#nextSeq;
      settle(waiting, this.#failed);
      settle(this.#writeWaiting.splice(0), this.#failed);
      settle(this.#unsynced.splice(0), this.#failed);
      this.#writes = [];
    }
  }

  /**
   * Batch mode syncs at most once per interval, but no later than that: a write after a quiet
   * spell is synced at once, and under load syncs come every interval, each covering all
   * writes since the one before.
   */
  #armSyncTimer(): void {
    if (this.#syncTimer !== null) return;
    const wait = Math.max(0, this.#lastSyncAt + this.#opts.sync.intervalMs - performance.now());
    this.#syncTimer = setTimeout(() => {
      this.#syncTimer = null;
      this.#syncDue = true;
      this.#schedule();
    }, wait);
  }

  /**
   * The tail segment to write into. A batch holding messages (`firstSeq` is its first) rolls
   * over to a new segment, named by that seq, when the tail is full; a batch of only ACK and
   * RETURN records stays in the tail, so two segments never get the same name.
   */
  async #tailFor(firstSeq: number | null): Promise<Segment> {
    let tail = this.#segments[this.#segments.length - 1];
    if (tail !== undefined && !this.#tailOpen && this.#rollOverAt === null) {
      await tail.openForAppend(this.#tailValidBytes);
      this.#tailOpen = true;
    }
    const full = tail !== undefined && tail.size >= this.#opts.segmentBytes && firstSeq !== null;
    if (tail === undefined || full || this.#rollOverAt !== null) {
      if (this.#makeDir !== null) {
        await this.#makeDir();
        this.#makeDir = null;
      }
      if (tail !== undefined && this.#tailOpen) {
        // The old tail's unsynced writes are synced now; their puts are confirmed at the
        // next periodic sync with the rest.
        if (this.#opts.sync.mode !== "none" && this.#rollOverAt === null) await tail.sync();
        await tail.close();
      }
      this.#tailOpen = false;
      const name = this.#rollOverAt ?? firstSeq ?? this.#nextSeq;
      tail = await this.#createSegment(name);
      this.#rollOverAt = null;
      this.#segments.push(tail);
      this.#tailOpen = true;
      this.#bytes += tail.size;
      // The new file's directory entry must be durable too, or a crash could lose the file.
      if (this.#opts.sync.mode !== "none") await syncDir(this.#opts.fs, this.#dir);
      // The roll rewrites SEGMENTS anyway: reserve the next seqs in the same write.
      await this.#writeBounds(this.#nextSeq + SEQ_RESERVE);
    }
    return tail;
  }

  /**
   * A new segment; a file of that name left by a failed attempt held nothing confirmed. Seqs
   * skipped before it (refused puts, a reservation or damage after a crash) are recorded in
   * it, so recovery tells the gap from a deleted segment.
   */
  async #createSegment(firstSeq: number): Promise<Segment> {
    const gapFrom = firstSeq > this.#lastWritten + 1 ? this.#lastWritten + 1 : undefined;
    try {
      return await Segment.create(this.#dir, firstSeq, this.#name, this.#opts.files, this.#opts.fs, gapFrom);
    } catch (err) {
      if ((err as { code?: string }).code !== "EEXIST" || this.#segments.some((s) => s.firstSeq === firstSeq)) throw err;
      await this.#opts.fs.unlink(`${this.#dir}/${segmentFileName(firstSeq)}`);
      return Segment.create(this.#dir, firstSeq, this.#name, this.#opts.files, this.#opts.fs, gapFrom);
    }
  }

  /** Deletes the oldest segments while all their messages are done; never the tail. */
  async #dropDonePrefix(): Promise<void> {
    let n = 0;
    while (n < this.#segments.length - 1 && this.#segments[n]!.live <= 0) n++;
    if (n === 0) return;
    // The bounds first: a crash before the files go leaves done segments, never a false loss.
    await this.#writeBounds(this.#nextSeq, false, this.#segments[n]!.firstSeq);
    for (const seg of this.#segments.splice(0, n)) {
      this.#bytes -= seg.size;
      await seg.remove();
    }
  }

  /**
   * Rewrites `SEGMENTS` with the current oldest (or `oldest`) and newest segment and a floor
   * of at least `floor`, never below the reservation already on disk but when `exact` (a clean
   * close: every seq given is written and synced).
   */
  async #writeBounds(floor: number, exact = false, oldest = this.#segments[0]!.firstSeq): Promise<void> {
    const next = exact ? floor : Math.max(floor, this.#reserved);
    await writeSegmentBounds(this.#opts.fs, this.#dir, oldest, this.#segments[this.#segments.length - 1]!.firstSeq, next);
    this.#reserved = next;
  }

  /** The segment holding message `seq`: the last one whose first seq is not above it. */
  #segmentOf(seq: number): Segment | null {
    const segs = this.#segments;
    let lo = 0;
    let hi = segs.length - 1;
    let found: Segment | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]!.firstSeq <= seq) {
        found = segs[mid]!;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** For tests and stats: the segment file names, oldest first. */
  segmentFiles(): string[] {
    return this.#segments.map((s) => segmentFileName(s.firstSeq));
  }
}

function settle(waiting: Waiting[], err: Error | null): void {
  for (const w of waiting) w.done(err, w.seq);
}

/**
 * `SEGMENTS` holds the first seqs of the oldest and the newest segment file, so recovery can
 * tell a deleted oldest or newest segment from one the log deleted itself (`readSegmentBounds`),
 * and the next seq to give as of its writing (at every roll, deletion and clean close): the
 * end of a segment cut at a record boundary leaves no trace, and this floor keeps its seqs
 * from being given again.
 */
export const SEGMENT_BOUNDS_FILE = "SEGMENTS";

async function writeSegmentBounds(fs: StoreFileSystem, dir: string, oldest: number, newest: number, nextSeq: number): Promise<void> {
  await writeDurably(fs, join(dir, SEGMENT_BOUNDS_FILE), `${oldest} ${newest} ${nextSeq}\n`);
}

export async function readSegmentBounds(fs: StoreFileSystem, dir: string): Promise<{ oldest: number; newest: number; nextSeq: number } | null> {
  try {
    const [oldest, newest, next] = (await fs.readFile(join(dir, SEGMENT_BOUNDS_FILE))).toString("utf8").trim().split(" ").map(Number);
    // A file from before the floor was kept has two fields: no floor.
    const nextSeq = Number.isSafeInteger(next) ? next! : 1;
    return Number.isSafeInteger(oldest) && Number.isSafeInteger(newest) ? { oldest: oldest!, newest: newest!, nextSeq } : null;
  } catch {
    return null;
  }
}
