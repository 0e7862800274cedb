import type { Answer } from "./dispatch.js";

/** Where one attempt of a call is to be answered. */
export interface ReplyTo {
  readonly client: Buffer;
  readonly id: number;
}

interface Running {
  readonly controller: AbortController;
  /** Attempts that arrived while the first ran: each gets the first's answer. */
  readonly waiters: ReplyTo[];
}

interface Done {
  readonly answer: Answer;
  readonly until: number;
}

/**
 * What a server remembers of calls by call id, so a retry does not run a handler twice: the
 * calls running now (a retry waits for the running one) and, for `window` ms after each
 * finished, its answer (a retry gets it again). At most `capacity` answers are kept; the
 * oldest go first, so the window is shorter under a flood of distinct calls.
 */
export class CallMemory {
  readonly #running = new Map<string, Running>();
  /** In the order calls finished, so the oldest are first to expire. */
  readonly #done = new Map<string, Done>();
  readonly #window: number;
  readonly #capacity: number;

  constructor(window: number, capacity: number) {
    this.#window = window;
    this.#capacity = capacity;
  }

  get running(): number {
    return this.#running.size;
  }

  /** The answer a retry gets from memory, or null. */
  answered(callId: string): Answer | null {
    this.#expire();
    return this.#done.get(callId)?.answer ?? null;
  }

  /** Adds a waiter to the running call of that id; false if none runs. */
  join(callId: string, to: ReplyTo): boolean {
    const running = this.#running.get(callId);
    if (running === undefined) return false;
    running.waiters.push(to);
    return true;
  }

  start(callId: string, controller: AbortController): void {
    this.#running.set(callId, { controller, waiters: [] });
  }

  /** Records the answer and gives the waiters that joined the call. */
  finish(callId: string, answer: Answer): ReplyTo[] {
    const running = this.#running.get(callId);
    this.#running.delete(callId);
    if (this.#window > 0) {
      this.#done.set(callId, { answer, until: performance.now() + this.#window });
      while (this.#done.size > this.#capacity) this.#done.delete(this.#done.keys().next().value!);
    }
    return running?.waiters ?? [];
  }

  cancel(callId: string, reason: Error): void {
    this.#running.get(callId)?.controller.abort(reason);
  }

  abortAll(reason: Error): void {
    for (const running of this.#running.values()) running.controller.abort(reason);
  }

  #expire(): void {
    const now = performance.now();
    for (const [callId, done] of this.#done) {
      if (done.until > now) return;
      this.#done.delete(callId);
    }
  }
}
