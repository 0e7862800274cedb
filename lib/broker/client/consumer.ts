/**
 * What `BrokerClient.consume()` returns: an async iterable of deliveries from one queue, each
 * with ack() and nack(). The broker sends at most `credit` unacknowledged deliveries, so the
 * buffer here holds at most that many.
 */
import { Queue } from "../../util/queue.js";
import { zmqError } from "../../errors.js";
import { decodeDeadLetter, isDeadLetterQueue, type DeadLetterInfo } from "../model.js";
import { encodeClient, okU32, type DeadLetterRequest, type ErrorCodeValue } from "../protocol.js";
import type { BrokerLink, DeliverMessage } from "./link.js";

import type { NackOptions } from "../durable-queues.js";

export type { ConsumeOptions, NackOptions } from "../durable-queues.js";


/** One message handed to this consumer; ack() or nack() it. */
export class Delivery {
  /** From a dead-letter queue: why the message is there (the body is then the original one). */
  readonly deadLetter: DeadLetterInfo | undefined;
  readonly body: Buffer;

  constructor(
    readonly queue: string,
    body: Buffer,
    /** The message's sequence number in its queue on that broker. */
    readonly seq: number,
    /** 1 on the first delivery, then one more for each that came back. */
    readonly attempt: number,
    /** The broker's endpoint. */
    readonly broker: string,
    private readonly link: BrokerLink,
    private readonly epoch: number,
    private readonly tag: number,
    /** The lease the broker gives each delivery (ms), as its CONSUME reply said; 0 when it did not say. */
    readonly leaseMs: number,
  ) {
    const dead = isDeadLetterQueue(queue) ? decodeDeadLetter(body) : null;
    this.deadLetter = dead?.info;
    this.body = dead?.body ?? body;
  }

  /** Done with it: the broker forgets it. Rejects with ESESSION if the session it came on ended (it will come again). */
  ack(): Promise<void> {
    return this.#request((id) => encodeClient.ack(id, this.tag)).then(() => undefined);
  }

  /**
   * Failed: the message goes back to the queue, or to the queue's dead-letter queue after
   * the broker's maxDeliveries attempts, or at once with `deadLetter: true`.
   */
  nack(options?: NackOptions): Promise<"requeued" | "dead-lettered"> {
    const dead: DeadLetterRequest | null = options?.deadLetter === true ? (options.undecodable === true ? "decode-error" : "nack") : null;
    const e = options?.error;
    const error = e === undefined ? undefined : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return this.#request((id) => encodeClient.nack(id, this.tag, dead, error)).then((args) =>
      args[0]?.toString() === "dead-lettered" ? "dead-lettered" : "requeued",
    );
  }

  /**
   * Still working on it: the lease now ends `ms` from when the broker reads this (default: the
   * consumer's lease length again). Resolves with the lease granted (ms); rejects with ENOENT
   * when the lease is already over (the message was returned and may be with another consumer),
   * or ESESSION when the session it came on ended.
   */
  extend(ms = 0): Promise<number> {
    if (!Number.isInteger(ms) || ms < 0 || ms > 0xffff_ffff) return Promise.reject(zmqError("EINVAL", "ms must be a non-negative integer"));
    return this.#request((id) => encodeClient.extend(id, this.tag, ms)).then((args) => okU32(args, 0));
  }

  #request(build: (reqId: number) => Buffer[]): Promise<Buffer[]> {
    if (this.link.epoch !== this.epoch || !this.link.isUp) return Promise.reject(this.#sessionEnded());
    return this.link.request(build).catch((err: { code?: string }) => {
      // The link went down with the request in flight: the session, and the lease, are gone.
      throw err.code === "ENOTCONN" ? this.#sessionEnded() : err;
    });
  }

  #sessionEnded(): Error {
    const code: ErrorCodeValue = "ESESSION";
    return zmqError(code, "the session this delivery came on has ended; it will be delivered again", { address: this.broker });
  }
}

/**
 * Deliveries of one queue from the embedded broker, made by `BrokerClient.consume`: iterate
 * it with `for await`, or call `next()`. It holds at most `credit` unacknowledged deliveries;
 * `close()` (or leaving the loop) gives back those not acknowledged.
 */
export class BrokerConsumer implements AsyncIterable<Delivery> {
  readonly #buffer = new Queue<Delivery>();
  #waiter: ((r: IteratorResult<Delivery, undefined>) => void) | null = null;
  #closed = false;
  readonly #onClose: (c: BrokerConsumer) => Promise<void>;
  /** The lease the broker said it gives this consumer's deliveries, by endpoint. */
  readonly #leases = new Map<string, number>();

  constructor(
    readonly queue: string,
    readonly subId: number,
    readonly credit: number,
    readonly leaseMs: number,
    onClose: (c: BrokerConsumer) => Promise<void>,
  ) {
    this.#onClose = onClose;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Subscribes on a link that has just come up. */
  subscribeOn(link: BrokerLink): void {
    if (this.#closed) return;
    link.request((id) => encodeClient.consume(id, this.subId, this.queue, this.credit, this.leaseMs)).then(
      // Brokers before this field said nothing.
      (args) => (args[0] === undefined ? undefined : this.#leases.set(link.endpoint, okU32(args, 0))),
      () => {
        // The link went down again; it will subscribe when it is back up.
      },
    );
  }

  /** A link went down: what it delivered can no longer be acknowledged, and will come again. */
  dropFrom(link: BrokerLink): void {
    const keep: Delivery[] = [];
    while (this.#buffer.length > 0) {
      const d = this.#buffer.shift()!;
      if (d.broker !== link.endpoint) keep.push(d);
    }
    for (const d of keep) this.#buffer.push(d);
  }

  /** A DELIVER for this consumer arrived. */
  deliver(link: BrokerLink, msg: DeliverMessage): void {
    if (this.#closed) return;
    const leaseMs = this.#leases.get(link.endpoint) ?? this.leaseMs;
    const d = new Delivery(this.queue, msg.body, msg.seq, msg.attempt, link.endpoint, link, link.epoch, msg.tag, leaseMs);
    const w = this.#waiter;
    if (w !== null) {
      this.#waiter = null;
      w({ value: d, done: false });
    } else {
      this.#buffer.push(d);
    }
  }

  /** The next delivery; undefined once the consumer is closed. */
  next(): Promise<Delivery | undefined> {
    const d = this.#buffer.shift();
    if (d !== undefined) return Promise.resolve(d);
    if (this.#closed) return Promise.resolve(undefined);
    if (this.#waiter !== null) return Promise.reject(zmqError("EBUSY", "a receive is already waiting on this consumer"));
    return new Promise((resolve) => {
      this.#waiter = (r) => resolve(r.done === true ? undefined : r.value);
    });
  }

  /** Cancels at the broker: deliveries not yet acknowledged go back to the queue. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const w = this.#waiter;
    this.#waiter = null;
    w?.({ value: undefined, done: true });
    while (this.#buffer.length > 0) this.#buffer.shift();
    await this.#onClose(this);
  }

  /** `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Yields each delivery until the consumer is closed; leaving the loop closes it. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Delivery, undefined, undefined> {
    try {
      for (;;) {
        const d = await this.next();
        if (d === undefined) return undefined;
        yield d;
      }
    } finally {
      // `break` out of for-await lands here: stop taking messages.
      await this.close();
    }
  }
}
