/**
 * A bound on the segment files a store keeps open. Each queue's tail segment is written to
 * often, so it stays open between writes; with many queues that is one descriptor each, and
 * ~1,000 queues would exhaust a default `ulimit -n` of 1024. Past the bound, the file used
 * least recently (and not in the middle of an operation) is closed; it is opened again on
 * its next write.
 */
import { outOfRange } from "../../../errors.js";

export interface Closable {
  /** True while an operation on the open file is under way. */
  readonly busy: boolean;
  /** Closes the file; the next operation reopens it. */
  closeIdle(): Promise<void>;
}

export const DEFAULT_MAX_OPEN_SEGMENTS = 256;

export class OpenFiles {
  /** Insertion order is use order: the first entry is the least recently used. */
  readonly #open = new Set<Closable>();

  constructor(readonly max: number = DEFAULT_MAX_OPEN_SEGMENTS) {
    if (!Number.isInteger(max) || max < 1) throw outOfRange("maxOpenSegments", "must be a positive integer");
  }

  get size(): number {
    return this.#open.size;
  }

  /** Marks `file` as open and just used; closes idle files beyond the bound. */
  async used(file: Closable): Promise<void> {
    this.#open.delete(file);
    this.#open.add(file);
    if (this.#open.size <= this.max) return;
    for (const f of this.#open) {
      if (this.#open.size <= this.max) break;
      if (f === file || f.busy) continue;
      this.#open.delete(f);
      await f.closeIdle();
    }
  }

  closed(file: Closable): void {
    this.#open.delete(file);
  }
}
