import { abortReason } from "../internal/closed.js";
import { outOfRange, WiremqError } from "../../lib/public-errors.js";

/** What a publisher knows of who is subscribed, from the subscriptions its XPUB reports. */
export interface AudienceState {
  /** TopicSubscribers that announced themselves (see filter-wire.ts, hello). */
  readonly subscribers: number;
  /** Plain prefixes with at least one subscriber (a zeromq SUB's, or a TopicSubscriber's). */
  readonly prefixes: ReadonlySet<string>;
  /** Content filters declared. */
  readonly filters: number;
}

/** Options of `TopicPublisher.waitForSubscribers`: a time limit and an abort signal. */
export interface WaitForSubscribersOptions {
  /** ms to wait before rejecting with ETIMEDOUT (default 10,000; -1: no limit). */
  timeout?: number;
  signal?: AbortSignal;
}

export const WAIT_FOR_SUBSCRIBERS_TIMEOUT = 10_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Waiter {
  test(state: AudienceState): boolean;
  resolve(state: AudienceState): void;
  reject(err: unknown): void;
}

/**
 * The subscribers and prefixes a publisher has heard of, and the callers waiting for enough of
 * them. A subscriber is counted by its channel, which has one hello at a time (a new one
 * replaces the last), so a count survives its subscriptions changing.
 */
export class Audience {
  readonly #hellos = new Map<string, Set<number>>();
  readonly #prefixes = new Set<string>();
  readonly #waiters = new Set<Waiter>();
  #closed: Error | null = null;

  get subscribers(): number {
    return this.#hellos.size;
  }

  state(filters: number): AudienceState {
    return { subscribers: this.#hellos.size, prefixes: new Set(this.#prefixes), filters };
  }

  /** Records a hello or its cancel; "join" or "leave" when the channel's count changed. */
  hello(subscribe: boolean, channel: string, seq: number, filters: number): "join" | "leave" | null {
    let seqs = this.#hellos.get(channel);
    let change: "join" | "leave" | null = null;
    if (subscribe) {
      if (seqs === undefined) {
        this.#hellos.set(channel, (seqs = new Set()));
        change = "join";
      }
      seqs.add(seq);
    } else if (seqs !== undefined) {
      seqs.delete(seq);
      if (seqs.size === 0) {
        this.#hellos.delete(channel);
        change = "leave";
      }
    }
    // A new hello is also news when the count stays: the subscriber's subscriptions changed.
    this.#check(filters);
    return change;
  }

  prefix(subscribe: boolean, prefix: string, filters: number): void {
    if (subscribe) this.#prefixes.add(prefix);
    else this.#prefixes.delete(prefix);
    this.#check(filters);
  }

  wait(want: number | ((state: AudienceState) => boolean), filters: () => number, options?: WaitForSubscribersOptions): Promise<AudienceState> {
    const test = typeof want === "function" ? want : checkCount(want);
    const timeout = options?.timeout ?? WAIT_FOR_SUBSCRIBERS_TIMEOUT;
    if (typeof timeout !== "number" || !(timeout >= 0 || timeout === -1)) {
      throw outOfRange("timeout", "must be ms ≥ 0, or -1");
    }
    if (this.#closed !== null) return Promise.reject(this.#closed);
    const now = this.state(filters());
    if (test(now)) return Promise.resolve(now);
    const signal = options?.signal;
    if (signal?.aborted === true) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => settle(() => reject(abortReason(signal!)));
      const settle = (action: () => void): void => {
        this.#waiters.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        action();
      };
      const waiter: Waiter = {
        test,
        resolve: (state) => settle(() => resolve(state)),
        reject: (err) => settle(() => reject(err)),
      };
      this.#waiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== -1 && timeout < MAX_TIMER_MS) {
        timer = setTimeout(() => {
          const state = this.state(filters());
          const err = new WiremqError("ETIMEDOUT", `subscribers not ready within ${timeout} ms (${state.subscribers} announced)`);
          waiter.reject(Object.assign(err, { audience: state }));
        }, timeout);
      }
    });
  }

  close(reason: Error): void {
    this.#closed = reason;
    for (const w of [...this.#waiters]) w.reject(reason);
  }

  #check(filters: number): void {
    if (this.#waiters.size === 0) return;
    const state = this.state(filters);
    for (const w of [...this.#waiters]) {
      let ok: boolean;
      try {
        ok = w.test(state);
      } catch (err) {
        w.reject(err);
        continue;
      }
      if (ok) w.resolve(state);
    }
  }
}

function checkCount(n: number): (state: AudienceState) => boolean {
  if (!Number.isInteger(n) || n < 0) throw outOfRange("subscriber count", "must be an integer ≥ 0");
  return (state) => state.subscribers >= n;
}
