/**
 * The message ids a relay has seen, so a DELIVER sent again (its sender lost the connection
 * before the REPORT came) is answered from here instead of being delivered twice. Entries
 * live for `windowMs` and there are at most `maxEntries`, oldest dropped first, so memory stays
 * bounded whatever the traffic.
 */
interface Entry {
  at: number;
  /** The REPORT once delivery is done; null while it is in progress. */
  report: Buffer[] | null;
}

export class DeliveryCache {
  readonly #entries = new Map<string, Entry>();
  readonly #windowMs: number;
  readonly #maxEntries: number;

  constructor(windowMs = 10 * 60_000, maxEntries = 100_000) {
    this.#windowMs = windowMs;
    this.#maxEntries = maxEntries;
  }

  /** "new" (now marked in progress), "in-progress", or the REPORT already sent. */
  check(id: string): "new" | "in-progress" | Buffer[] {
    this.#evict();
    const entry = this.#entries.get(id);
    if (entry === undefined) {
      this.#entries.set(id, { at: Date.now(), report: null });
      return "new";
    }
    return entry.report ?? "in-progress";
  }

  done(id: string, report: Buffer[]): void {
    const entry = this.#entries.get(id);
    if (entry !== undefined) entry.report = report;
  }

  get size(): number {
    return this.#entries.size;
  }

  #evict(): void {
    const oldest = Date.now() - this.#windowMs;
    // Map iteration is insertion order, so the oldest entries come first.
    for (const [id, entry] of this.#entries) {
      if (entry.at >= oldest && this.#entries.size < this.#maxEntries) break;
      this.#entries.delete(id);
    }
  }
}
