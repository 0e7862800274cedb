import { ZmqError } from "../errors.js";
import { Queue } from "../util/queue.js";
import { SpillFile } from "./spill-file.js";
import { messageBytes } from "./traffic-stats.js";

export interface SpillQueueOptions {
  /** Payload bytes held in memory before new messages go to the file. */
  memoryBytes: number;
  /** The overflow file; without one, the queue is full at the memory bound. */
  spillFile?: string;
  /** The most the file may grow to. */
  diskBytes: number;
  /**
   * Every message goes to the file before it is queued, and memory only caches what was read
   * back, so a kill loses nothing taken in (needs `spillFile`).
   */
  writeAhead?: boolean;
}

/**
 * A FIFO of messages bounded in memory and on disk. The oldest messages are in memory; once
 * memory is at its bound, newer ones are appended to the spill file, and while the file holds
 * any, every new message goes there too, so order is kept. When memory runs empty a batch is
 * read back from the file. Each bound may be passed by the one message that found room.
 */
export class SpillQueue {
  readonly #memoryBound: number;
  readonly #diskBound: number;
  readonly #writeAhead: boolean;
  readonly #head = new Queue<Buffer[]>();
  #headBytes = 0;
  #file: SpillFile | null;

  constructor(options: SpillQueueOptions) {
    this.#memoryBound = checkBound("memoryBytes", options.memoryBytes);
    this.#diskBound = checkBound("diskBytes", options.diskBytes);
    this.#writeAhead = options.writeAhead ?? false;
    if (this.#writeAhead && options.spillFile === undefined) throw new ZmqError("EINVAL", "writeAhead needs a spillFile");
    this.#file = options.spillFile === undefined ? null : new SpillFile(options.spillFile);
  }

  /** Whether `close()` saves the queue for the next start. */
  get persistent(): boolean {
    return this.#file !== null;
  }

  get length(): number {
    return this.#head.length + (this.#file?.count ?? 0);
  }

  /** Writes what was appended to the file and not written yet. */
  flush(): void {
    this.#file?.flush();
  }

  /** A consumer acknowledged `msg`: a record of it in the file is marked done. */
  acknowledge(msg: readonly Buffer[]): void {
    this.#file?.acknowledge(msg);
  }

  /** Messages and payload bytes in memory; messages and file size on disk. */
  get usage(): { memoryMessages: number; memoryBytes: number; diskMessages: number; diskBytes: number } {
    return {
      memoryMessages: this.#head.length,
      memoryBytes: this.#headBytes,
      diskMessages: this.#file?.count ?? 0,
      diskBytes: this.#file?.fileBytes ?? 0,
    };
  }

  /** Whether another message would be taken. */
  get hasRoom(): boolean {
    const file = this.#file;
    if (!this.#spilling && this.#memoryHasRoom) return true;
    if (file === null) return false;
    if (file.fileBytes < this.#diskBound) return true;
    // Space already read back can be given back before calling the file full.
    if (file.liveBytes <= file.fileBytes / 2) {
      file.compact();
      return file.fileBytes < this.#diskBound;
    }
    return false;
  }

  /** Adds a message at the end; the caller checked `hasRoom`. */
  push(msg: Buffer[]): void {
    const file = this.#file;
    if (!this.#spilling && this.#memoryHasRoom) {
      this.#head.push(msg);
      this.#headBytes += messageBytes(msg);
      return;
    }
    if (file === null) throw new ZmqError("EAGAIN", "buffer is full");
    file.append(msg);
  }

  /** While the file holds messages, new ones go after them, into the file. */
  get #spilling(): boolean {
    return this.#writeAhead || (this.#file !== null && this.#file.count > 0);
  }

  /** Memory takes a message under its bound, and always one when empty so no message is too big. */
  get #memoryHasRoom(): boolean {
    return this.#headBytes < this.#memoryBound || this.#head.length === 0;
  }

  /** Puts a message back at the front (a delivery that was never acknowledged). */
  unshift(msg: Buffer[]): void {
    this.#head.unshift(msg);
    this.#headBytes += messageBytes(msg);
  }

  /** Takes the oldest message. */
  shift(): Buffer[] | undefined {
    if (this.#head.length === 0 && this.#file !== null && this.#file.count > 0) {
      // Refill half of memory at a time so appends and reads do not alternate per message.
      for (const msg of this.#file.readBatch(Math.max(1, this.#memoryBound >>> 1))) {
        this.#head.push(msg);
        this.#headBytes += messageBytes(msg);
      }
    }
    const msg = this.#head.shift();
    if (msg !== undefined) this.#headBytes -= messageBytes(msg);
    return msg;
  }

  /**
   * Writes `first` and then everything queued to the spill file for the next start, and
   * closes the queue (with write-ahead, the file already holds them all, in arrival order). Returns how many messages were saved; without a file, nothing is saved
   * and the number of messages lost is returned as negative.
   */
  close(first: readonly Buffer[][] = []): number {
    const file = this.#file;
    const memory: Buffer[][] = [...first];
    for (let msg = this.#head.shift(); msg !== undefined; msg = this.#head.shift()) memory.push(msg);
    this.#headBytes = 0;
    if (file === null) return -memory.length;
    let saved: number;
    if (this.#writeAhead) {
      // Everything owed is already in the file, in arrival order; only the acknowledged go.
      saved = file.count + file.inFlight;
      file.compact();
      file.close();
    } else {
      saved = memory.length + file.count;
      file.persist(memory);
    }
    this.#file = null;
    return saved;
  }
}

function checkBound(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new ZmqError("EINVAL", `${name} must be a positive integer number of bytes`);
  }
  return value;
}
