import { abortReason } from "../internal/closed.js";
import { outOfRange, WiremqError } from "../../lib/public-errors.js";

/** Options of `TopicSubscriber.ready`: a time limit and an abort signal. */
export interface ReadyOptions {
  /** ms to wait before rejecting with ETIMEDOUT (default 10,000; -1: no limit). */
  timeout?: number;
  signal?: AbortSignal;
}

export const READY_TIMEOUT = 10_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Waiter {
  seq: number;
  settle(err: Error | null): void;
}

/**
 * A subscriber's side of the hello/ready exchange (filter-wire.ts): the seq of its latest
 * hello, the highest seq a publisher answered, and the callers waiting for an answer.
 */
export class Readiness {
  readonly #waiters = new Set<Waiter>();
  #seq = 0;
  #answered = 0;
  #closed: Error | null = null;

  /** The seq of the latest hello (0: none sent yet). */
  get seq(): number {
    return this.#seq;
  }

  get waiting(): boolean {
    return this.#waiters.size > 0;
  }

  /** The seq for a new hello. */
  next(): number {
    return ++this.#seq;
  }

  answered(seq: number): void {
    if (seq <= this.#answered || seq > this.#seq) return;
    this.#answered = seq;
    for (const w of [...this.#waiters]) if (w.seq <= seq) w.settle(null);
  }

  /** Waits for an answer to the latest hello. */
  wait(options: ReadyOptions | undefined): Promise<void> {
    const timeout = options?.timeout ?? READY_TIMEOUT;
    if (typeof timeout !== "number" || !(timeout >= 0 || timeout === -1)) {
      throw outOfRange("timeout", "must be ms ≥ 0, or -1");
    }
    if (this.#closed !== null) return Promise.reject(this.#closed);
    const seq = this.#seq;
    if (this.#answered >= seq) return Promise.resolve();
    const signal = options?.signal;
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => waiter.settle(abortReason(signal!));
      const waiter: Waiter = {
        seq,
        settle: (err) => {
          this.#waiters.delete(waiter);
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          if (err === null) resolve();
          else reject(err);
        },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== -1 && timeout < MAX_TIMER_MS) {
        timer = setTimeout(() => {
          waiter.settle(new WiremqError("ETIMEDOUT", `no publisher acknowledged this subscriber within ${timeout} ms`));
        }, timeout);
      }
    });
  }

  close(reason: Error): void {
    this.#closed = reason;
    for (const w of [...this.#waiters]) w.settle(reason);
  }
}
