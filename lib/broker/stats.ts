/** Broker statistics: the shapes `Broker.stats()` and the STATS command return, and rates. */
import type { RecoveryIssue } from "./store/store.js";

/** Events per second over the last few seconds, from one-second buckets. */
export class RateMeter {
  static readonly WINDOW_SECONDS = 5;
  readonly #buckets = new Float64Array(RateMeter.WINDOW_SECONDS + 1);
  #second = 0;
  total = 0;

  mark(n = 1, nowMs = Date.now()): void {
    this.#advance(nowMs);
    this.#buckets[this.#second % this.#buckets.length]! += n;
    this.total += n;
  }

  /** Mean rate over the last WINDOW_SECONDS whole seconds (the current one is partial). */
  perSecond(nowMs = Date.now()): number {
    this.#advance(nowMs);
    let sum = 0;
    for (let i = 1; i <= RateMeter.WINDOW_SECONDS; i++) sum += this.#buckets[(this.#second - i + this.#buckets.length * 2) % this.#buckets.length]!;
    return sum / RateMeter.WINDOW_SECONDS;
  }

  #advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (this.#second === 0) this.#second = second;
    const steps = Math.min(second - this.#second, this.#buckets.length);
    for (let i = 1; i <= steps; i++) this.#buckets[(this.#second + i) % this.#buckets.length] = 0;
    if (second > this.#second) this.#second = second;
  }
}

export interface QueueStats {
  name: string;
  /** Messages stored and not done: ready + unacked (+ being moved to the dead-letter queue). */
  depth: number;
  ready: number;
  unacked: number;
  consumers: number;
  /** A dead-letter queue: its messages are requeued on failure, never dead-lettered again. */
  deadLetter: boolean;
  totals: { put: number; delivered: number; acked: number; returned: number; deadLettered: number };
  /** Per second, over the last five seconds. */
  rates: { put: number; deliver: number; ack: number };
  segments: number;
  bytes: number;
}

export interface BrokerStats {
  brokerId: string;
  endpoints: string[];
  startedAt: string;
  uptimeMs: number;
  store: { kind: "disk" | "memory"; dataDir: string | null; sync: string };
  sessions: number;
  consumers: number;
  queues: QueueStats[];
  topics: { topic: string; subscriptions: string[] }[];
  recovery: RecoveryIssue[];
}
