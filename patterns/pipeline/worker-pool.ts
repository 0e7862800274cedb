import { EventEmitter } from "node:events";
import { drainTimedOut, drainTimeout, finishWithin, type CloseOptions } from "../internal/drain.js";

import { outOfRange } from "../../lib/public-errors.js";

/** Where a worker pool takes its values from: a Consumer, or anything that receives the same way. */
export interface ValueSource<T> {
  /** The next value; rejects with the signal's reason when it is aborted. */
  receive(options?: { signal?: AbortSignal }): Promise<T>;
  readonly closed: boolean;
  /**
   * Stops taking new values; receive() then hands out what was already received and rejects,
   * and `closed` turns true (Consumer does). Without it a draining pool just stops receiving.
   */
  stopIntake?(): Promise<void>;
  close?(): Promise<void>;
}

/** Options of a {@link WorkerPool} and of `runWorkers`; `concurrency` is required. */
export interface WorkerPoolOptions<T> {
  /** How many handlers run at once; also the most values taken off the socket and not yet done. */
  concurrency: number;
  /**
   * Told of each handler failure; the pool goes on with the next value. Without it a failure
   * is emitted as an `error` event, and with no `error` listener either it is thrown as an
   * uncaught exception (the process crashes, as a Node stream's unhandled error does).
   */
  onError?: (error: unknown, value: T) => void;
}

interface WorkerPoolEvents<T> {
  error: [error: unknown, value: T];
}

/**
 * Runs a handler over the values of a source, at most `concurrency` at a time. When every
 * slot is busy the pool stops receiving, so messages wait in the socket's queue up to its
 * receive high-water mark and then in TCP: a slow pool pushes back on its producers (which,
 * with PUSH, send to other consumers that have room) instead of buffering without bound.
 */
export class WorkerPool<T> extends EventEmitter<WorkerPoolEvents<T>> implements AsyncDisposable {
  /** Resolves when the pool has stopped (source closed or drained, or `stop()`) and every handler is done. */
  readonly done: Promise<void>;
  readonly #source: ValueSource<T>;
  readonly #handler: (value: T) => unknown;
  readonly #concurrency: number;
  readonly #onError: ((error: unknown, value: T) => void) | undefined;
  readonly #abort = new AbortController();
  #inFlight = 0;
  #processed = 0;
  #failed = 0;
  /** Wakes the receive loop (a slot freed) or stop() (all handlers done). */
  #wake: (() => void) | null = null;
  #closing: Promise<void> | null = null;

  constructor(source: ValueSource<T>, handler: (value: T) => unknown, options: WorkerPoolOptions<T>) {
    super();
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw outOfRange("concurrency", "must be an integer of at least 1");
    }
    this.#source = source;
    this.#handler = handler;
    this.#concurrency = options.concurrency;
    this.#onError = options.onError;
    this.done = this.#run();
  }

  /** Handlers running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Values whose handler finished without throwing. */
  get processed(): number {
    return this.#processed;
  }

  /** Values whose handler threw or rejected. */
  get failed(): number {
    return this.#failed;
  }

  /** Stops taking values (those still in the socket stay there) and waits for running handlers. */
  stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    return this.done;
  }

  /**
   * Stops the pool and closes its source. With `{ drain: true }`: the source stops intake
   * (a Consumer lets go of its endpoints, so producers send elsewhere), the pool handles every
   * value already received, waits for its handlers, then closes the source. Without it:
   * running handlers finish, values still queued in the source are dropped with it.
   */
  close(options?: CloseOptions): Promise<void> {
    const timeout = drainTimeout(options);
    this.#closing ??= this.#close(options?.drain === true, timeout);
    return this.#closing;
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(drain: boolean, timeout: number): Promise<void> {
    let work = this.done;
    // The pool goes on receiving while its source lets go: what is still arriving is handled too.
    if (drain && this.#source.stopIntake !== undefined) work = this.#source.stopIntake().then(() => this.done);
    else this.stop().catch(() => {});
    const finished = await finishWithin(work, timeout);
    if (!finished) this.#abort.abort();
    await this.#source.close?.();
    if (!finished) throw drainTimedOut("worker pool", timeout);
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    try {
      while (!signal.aborted) {
        if (this.#inFlight >= this.#concurrency) {
          await this.#changed();
          continue;
        }
        let value: T;
        try {
          value = await this.#source.receive({ signal });
        } catch (err) {
          if (signal.aborted || this.#source.closed) break;
          throw err;
        }
        this.#start(value);
      }
    } finally {
      while (this.#inFlight > 0) await this.#changed();
    }
  }

  #start(value: T): void {
    this.#inFlight++;
    let result: unknown;
    try {
      result = this.#handler(value);
    } catch (err) {
      this.#finish(value, err, true);
      return;
    }
    Promise.resolve(result).then(
      () => this.#finish(value, undefined, false),
      (err: unknown) => this.#finish(value, err, true),
    );
  }

  #finish(value: T, error: unknown, failed: boolean): void {
    this.#inFlight--;
    if (failed) {
      this.#failed++;
      this.#report(error, value);
    } else {
      this.#processed++;
    }
    this.#wake?.();
  }

  #report(error: unknown, value: T): void {
    if (this.#onError !== undefined) {
      try {
        this.#onError(error, value);
      } catch {
        // A failing error callback must not stop the pool.
      }
      return;
    }
    // On its own tick: with no listener, emit throws, and that must reach the process as an
    // uncaught exception rather than reject a promise of the pool's or stop its loop.
    process.nextTick(() => this.emit("error", error, value));
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = () => {
        this.#wake = null;
        resolve();
      };
    });
  }
}

/** Starts a WorkerPool: `const pool = runWorkers(consumer, handle, { concurrency: 8 })`. */
export function runWorkers<T>(source: ValueSource<T>, handler: (value: T) => unknown, options: WorkerPoolOptions<T>): WorkerPool<T> {
  return new WorkerPool(source, handler, options);
}
