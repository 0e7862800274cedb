// Measuring instruments for worker roles: event-loop lag and resident memory.
import { readFileSync } from "node:fs";

/**
 * A 1 ms interval timer; records how late each tick fires. A tick that should fire every
 * millisecond but fires after 40 ms means the event loop was busy (or descheduled) for ~39 ms.
 */
export class LagMonitor {
  #timer: NodeJS.Timeout | undefined;
  #last = 0n;
  #maxNs = 0n;
  #ticks = 0;
  #over10 = 0;

  start(): void {
    this.#last = process.hrtime.bigint();
    this.#timer = setInterval(() => this.#tick(), 1);
  }

  /** Stops the timer; the gap since the last tick counts too, so a timer that never fired shows. */
  stop(): LagFigures {
    if (this.#timer === undefined) throw new Error("LagMonitor.stop() before start()");
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#tick();
    return { maxLagMs: Number(this.#maxNs) / 1e6, ticks: this.#ticks, ticksOver10Ms: this.#over10 };
  }

  #tick(): void {
    const now = process.hrtime.bigint();
    const lag = now - this.#last - 1_000_000n;
    if (lag > this.#maxNs) this.#maxNs = lag;
    if (lag > 10_000_000n) this.#over10++;
    this.#last = now;
    this.#ticks++;
  }
}

export interface LagFigures {
  /** Longest delay of a tick beyond its 1 ms period. */
  maxLagMs: number;
  ticks: number;
  ticksOver10Ms: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** RSS in bytes after a full garbage collection (when the worker runs with --expose-gc). */
export function settledRss(): number {
  gc?.();
  gc?.();
  return process.memoryUsage.rss();
}

export const gcExposed = gc !== undefined;

/** Peak RSS of this process so far, in bytes. */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Samples RSS every `intervalMs` and keeps the highest value; together with `peakRss()` it
 * catches peaks that happen after `start` even when the process peaked higher before.
 */
export class RssSampler {
  #timer: NodeJS.Timeout | undefined;
  #max = 0;
  readonly #intervalMs: number;

  constructor(intervalMs = 5) {
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#max = process.memoryUsage.rss();
    this.#timer = setInterval(() => this.sample(), this.#intervalMs);
  }

  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.#max) this.#max = rss;
    return rss;
  }

  stop(): number {
    clearInterval(this.#timer);
    this.sample();
    return this.#max;
  }
}

/** The soft limit on open file descriptors (Linux: /proc/self/limits); undefined if unknown. */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft === undefined) return undefined;
    return soft === "unlimited" ? Number.POSITIVE_INFINITY : Number(soft);
  } catch {
    return undefined;
  }
}

/** Throws a clear error when the open-file limit cannot hold `needed` descriptors. */
export function checkOpenFiles(needed: number, what: string): void {
  const limit = openFileLimit();
  if (limit !== undefined && limit < needed) {
    throw new Error(`open file limit (ulimit -n) is ${limit}; ${what} needs about ${needed}: raise it and rerun`);
  }
}
