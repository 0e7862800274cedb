import { outOfRange } from "../../lib/public-errors.js";
import { drainTimedOut, drainTimeout, finishWithin, type CloseOptions } from "../internal/drain.js";
import { DurableConsumer, type DurableDelivery } from "./durable.js";
import type { DurableQueue } from "./queue.js";
import { keepLease } from "./lease-keeper.js";

/** Options of `runDurableWorkers` and {@link DurableWorkers}; every field is optional. */
export interface DurableWorkersOptions<T> {
  /** Handlers running at once (default 1). Given a DurableQueue, also the consumer's credit. */
  concurrency?: number;
  /**
   * Lease of each delivery (ms; default: the broker's). The lease is extended while the handler
   * runs, so this bounds how soon a crashed worker's job runs elsewhere, not how long a job may take.
   */
  leaseMs?: number;
  /** Told of each handler failure, after the message was nacked with it. Failures never crash: the message is not lost. */
  onError?: (error: unknown, delivery: DurableDelivery<T>) => void;
}

/**
 * Runs a handler over a durable queue: acks each message whose handler resolves, nacks with the
 * error each whose handler throws (the message is requeued, and dead-lettered after the broker's
 * `maxDeliveries` with that error as its last), and keeps each lease while its handler runs.
 * At least once: a message whose worker dies runs again elsewhere after its lease.
 */
export class DurableWorkers<T> implements AsyncDisposable {
  /** Resolves once the workers stopped (closed, or the consumer closed) and every handler is done. */
  readonly done: Promise<void>;
  readonly #consumer: DurableConsumer<T>;
  readonly #handler: (value: T, delivery: DurableDelivery<T>) => unknown;
  readonly #concurrency: number;
  readonly #onError: DurableWorkersOptions<T>["onError"];
  #inFlight = 0;
  #acked = 0;
  #nacked = 0;
  #stopping = false;
  /** The run loop's wait, woken by close(); one at a time, so nothing piles up on a long run. */
  #stopWaiter: (() => void) | null = null;
  #waiters: (() => void)[] = [];
  #closing: Promise<void> | null = null;

  constructor(consumer: DurableConsumer<T>, handler: (value: T, delivery: DurableDelivery<T>) => unknown, concurrency: number, onError: DurableWorkersOptions<T>["onError"]) {
    this.#consumer = consumer;
    this.#handler = handler;
    this.#concurrency = concurrency;
    this.#onError = onError;
    this.done = this.#run();
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Messages whose handler resolved and whose ACK the broker confirmed. */
  get acked(): number {
    return this.#acked;
  }

  /** Messages whose handler failed and were nacked. */
  get nacked(): number {
    return this.#nacked;
  }

  /**
   * Stops. With `{ drain: true }` it takes no new message, lets running handlers finish and
   * settle (ack/nack), then closes the consumer; messages it held but had not started go back
   * to the queue. Without `drain`, the consumer closes at once: running handlers' messages go
   * back to the queue and may run again elsewhere (their ACK then fails). `timeout`: ms to wait
   * for running handlers; without one the drain waits for them however long they take.
   */
  close(options?: CloseOptions): Promise<void> {
    const timeout = drainTimeout(options);
    this.#closing ??= this.#close(options?.drain === true, timeout);
    return this.#closing;
  }

  /** `close({ drain: true })`, for `await using`: running handlers finish first. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close({ drain: true });
  }

  async #close(drain: boolean, timeout: number): Promise<void> {
    this.#stopping = true;
    this.#stopWaiter?.();
    if (!drain) {
      await this.#consumer.close();
      await this.done;
      return;
    }
    const finished = await finishWithin(this.#idle(), timeout);
    await this.#consumer.close();
    await this.done;
    if (!finished) throw drainTimedOut("durable workers", timeout);
  }

  async #idle(): Promise<void> {
    while (this.#inFlight > 0) await this.#changed();
  }

  async #run(): Promise<void> {
    try {
      while (!this.#stopping) {
        if (this.#inFlight >= this.#concurrency) {
          await Promise.race([this.#changed(), this.#untilStop()]);
          continue;
        }
        const delivery = await Promise.race([this.#consumer.next(), this.#untilStop()]);
        if (delivery === undefined) break;
        if (this.#stopping) {
          // Taken just as we stopped: not started, so it goes back with the consumer's close.
          break;
        }
        void this.#work(delivery);
      }
    } finally {
      await this.#idle();
    }
  }

  async #work(delivery: DurableDelivery<T>): Promise<void> {
    this.#inFlight++;
    const stopKeeping = keepLease(delivery);
    try {
      let failure: { error: unknown } | null = null;
      try {
        await this.#handler(delivery.value, delivery);
      } catch (error) {
        failure = { error };
      } finally {
        stopKeeping();
      }
      if (failure === null) {
        await delivery.ack();
        this.#acked++;
      } else {
        await delivery.nack({ error: describe(failure.error) });
        this.#nacked++;
        this.#report(failure.error, delivery);
      }
    } catch {
      // The ACK or NACK failed: the lease is gone (session ended, consumer closed) and the
      // broker gives the message again; nothing here to add.
    } finally {
      this.#inFlight--;
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w();
    }
  }

  #report(error: unknown, delivery: DurableDelivery<T>): void {
    try {
      this.#onError?.(error, delivery);
    } catch {
      // A failing error callback must not stop the workers.
    }
  }

  #untilStop(): Promise<undefined> {
    return new Promise((resolve) => (this.#stopWaiter = () => resolve(undefined)));
  }

  /** Resolves when a handler finishes. */
  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

function describe(error: unknown): string | Error {
  return error instanceof Error ? error : String(error);
}

/**
 * Starts durable workers on a queue: `runDurableWorkers(orders, handle, { concurrency: 4 })`.
 * Given a DurableQueue, it opens its own consumer with a credit of `concurrency`, so no message
 * waits leased in a buffer while handlers are busy. Given a DurableConsumer, it uses that one
 * (and its credit).
 */
export function runDurableWorkers<T>(
  source: DurableQueue<T> | DurableConsumer<T>,
  handler: (value: T, delivery: DurableDelivery<T>) => unknown,
  options: DurableWorkersOptions<T> = {},
): DurableWorkers<T> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw outOfRange("concurrency", "must be an integer of at least 1");
  const consumer =
    source instanceof DurableConsumer
      ? source
      : source.consumer({ credit: concurrency, ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }) });
  return new DurableWorkers(consumer, handler, concurrency, options.onError);
}
