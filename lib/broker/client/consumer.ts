/**
 * What `BrokerClient.consume()` returns: an async iterable of deliveries from one queue on
 * every broker of the client, each with ack() and nack(). The broker sends at most `credit`
 * unacknowledged deliveries per link, so the buffer here is bounded by credit × brokers.
 */
import { Queue } from "../../util/queue.js";
import { zmqError } from "../../errors.js";
import { encodeClient, type ErrorCodeValue } from "../protocol.js";
import type { BrokerLink, DeliverMessage } from "./link.js";

export interface ConsumeOptions {
  /** Most unacknowledged deliveries per broker at once (default 100). */
  credit?: number;
  /** How long a delivery may stay unacknowledged before the broker takes it back (ms; default: the broker's). */
  leaseMs?: number;
}

/** One message handed to this consumer; ack() or nack() it. */
export class Delivery {
  constructor(
    readonly queue: string,
    readonly body: Buffer,
    /** The message's sequence number in its queue on that broker. */
    readonly seq: number,
    /** 1 on the first delivery, then one more for each that came back. */
    readonly attempt: number,
    /** The broker's endpoint. */
    readonly broker: string,
    private readonly link: BrokerLink,
    private readonly epoch: number,
    private readonly tag: number,
  ) {}

  /** Done with it: the broker forgets it. Rejects with ESESSION if the session it came on ended (it will come again). */
  ack(): Promise<void> {
    return this.#request((id) => encodeClient.ack(id, this.tag)).then(() => undefined);
  }

  /**
   * Failed: the message goes back to the queue, or to the queue's dead-letter queue after
   * the broker's maxDeliveries attempts, or at once with `deadLetter: true`.
   */
  nack(options?: { deadLetter?: boolean }): Promise<"requeued" | "dead-lettered"> {
    return this.#request((id) => encodeClient.nack(id, this.tag, options?.deadLetter === true)).then(
      (args) => (args[0]?.toString() === "dead-lettered" ? "dead-lettered" : "requeued"),
    );
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

export class BrokerConsumer implements AsyncIterable<Delivery> {
  readonly #buffer = new Queue<Delivery>();
  #waiter: ((r: IteratorResult<Delivery, undefined>) => void) | null = null;
  #closed = false;
  readonly #onClose: (c: BrokerConsumer) => Promise<void>;

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
    link.request((id) => encodeClient.consume(id, this.subId, this.queue, this.credit, this.leaseMs)).catch(() => {
      // The link went down again; it will subscribe when it is back up.
    });
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
    const d = new Delivery(this.queue, msg.body, msg.seq, msg.attempt, link.endpoint, link, link.epoch, msg.tag);
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

  /** Cancels on every broker: deliveries not yet acknowledged go back to the queue. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const w = this.#waiter;
    this.#waiter = null;
    w?.({ value: undefined, done: true });
    while (this.#buffer.length > 0) this.#buffer.shift();
    await this.#onClose(this);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

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
