/**
 * A consumer of one queue on JetStream: pulls from the queue's durable pull consumer, at most
 * `credit` unacknowledged messages at a time. The server's pull consumer would refill its
 * buffer as messages are *received*; the credit window of the wiremq contract counts messages
 * not yet *acknowledged*, so the pulls are made here, each for the credit left.
 *
 * Dead letters: the durable consumer redelivers without limit; a delivery whose attempt is
 * past `maxDeliveries` (its earlier leases ran out or were nacked) is moved to `<queue>.dlq`
 * by the client before the application sees it, with the reason in its headers. Moving is a
 * confirmed put to the dead-letter stream, then an ack; a crash between the two leaves a copy
 * in both, never none.
 */
import { Queue } from "../../util/queue.js";
import { zmqError } from "../../errors.js";
import type { NackOptions, QueueConsumer, QueueDelivery } from "../durable-queues.js";
import type { DeadLetterInfo, DeadLetterReason } from "../model.js";
import { isRetryable } from "./errors.js";
import type { JsMsg, Consumer, ConsumerMessages } from "@nats-io/jetstream";

/** What the consumer needs of its client. */
export interface ConsumerHost {
  /** The durable consumer, once its stream and consumer exist. */
  open(): Promise<Consumer>;
  /** Stores `msg` in the dead-letter queue, confirmed, with the reason in its headers, then acks it. */
  deadLetter(msg: JsMsg, reason: DeadLetterReason, error: string | null): Promise<void>;
  /** The consumer's lease (the durable consumer's ack wait), ms. */
  readonly leaseMs: number;
  /** For the dead-letter queue itself nothing is dead-lettered again. */
  readonly maxDeliveries: number;
  /** How long one pull waits on the server (ms): bounds the stall after a leader change. */
  readonly pullExpiresMs: number;
  closed(consumer: JetStreamConsumer): void;
}

/** One message from a JetStream queue ({@link QueueDelivery}): `ack`, `nack` or `extend` it. */
export class JetStreamDelivery implements QueueDelivery {
  #done = false;
  /** When the lease ends by this client's clock (the server's started a little earlier). */
  #leaseEnds: number;
  readonly deadLetter: DeadLetterInfo | undefined;

  constructor(
    readonly queue: string,
    readonly body: Buffer,
    /** The message's sequence number in its stream. */
    readonly seq: number,
    readonly attempt: number,
    readonly leaseMs: number,
    private readonly msg: JsMsg,
    private readonly owner: JetStreamConsumer,
  ) {
    this.#leaseEnds = Date.now() + leaseMs;
    this.deadLetter = owner.deadLetterQueue ? deadLetterInfoOf(msg) : undefined;
  }

  get done(): boolean {
    return this.#done;
  }

  /**
   * Sent without waiting for the server's answer, gathered with the other acks of the turn
   * into one write: an ack lost with a leader change makes the message come again (consumers
   * tolerate duplicates either way).
   */
  ack(): Promise<void> {
    if (this.#settle()) this.owner.queueAck(this.msg);
    return Promise.resolve();
  }

  /**
   * Restarts the lease: JetStream's "working" resets the ack wait to its full length, so the
   * lease granted is always the consumer's (`ms` cannot choose another).
   */
  extend(ms = 0): Promise<number> {
    if (!Number.isInteger(ms) || ms < 0 || ms > 0xffff_ffff) return Promise.reject(zmqError("EINVAL", "ms must be a non-negative integer"));
    if (this.#done || Date.now() > this.#leaseEnds) return Promise.reject(zmqError("ENOENT", "the lease of this delivery is over: it may be with another consumer"));
    this.msg.working();
    this.#leaseEnds = Date.now() + this.leaseMs;
    return Promise.resolve(this.leaseMs);
  }

  async nack(options?: NackOptions): Promise<"requeued" | "dead-lettered"> {
    const asked = options?.deadLetter === true;
    const dead = asked || this.attempt >= this.owner.maxDeliveries;
    if (!this.#settle()) return dead ? "dead-lettered" : "requeued";
    if (dead) {
      const e = options?.error;
      const error = e === undefined ? null : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      const reason: DeadLetterReason = !asked ? "max-deliveries" : options?.undecodable === true ? "decode-error" : "nack";
      await this.owner.deadLetter(this.msg, reason, error === null ? null : Buffer.from(error).subarray(0, 1024).toString());
      return "dead-lettered";
    }
    this.msg.nak();
    return "requeued";
  }

  /** Gives the message back (the consumer is closing). */
  release(): void {
    if (this.#settle()) this.msg.nak();
  }

  #settle(): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.owner.settled(this);
    return true;
  }
}

/**
 * Deliveries of one queue from JetStream, made by `JetStreamQueues.consume`: iterate it with
 * `for await`, or call `next()`. It holds at most `credit` unacknowledged deliveries;
 * `close()` (or leaving the loop) gives back those not acknowledged.
 */
export class JetStreamConsumer implements QueueConsumer<JetStreamDelivery> {
  readonly #host: ConsumerHost;
  readonly #credit: number;
  readonly #buffer = new Queue<JetStreamDelivery>();
  /** Delivered (buffered or handed out) and not yet settled. */
  readonly #unsettled = new Set<JetStreamDelivery>();
  #waiter: ((d: JetStreamDelivery | undefined) => void) | null = null;
  #roomWaiter: { need: number; resolve: () => void } | null = null;
  #fetch: ConsumerMessages | null = null;
  /** Acks of this turn, sent together at its end (see queueAck). */
  #acks: JsMsg[] = [];
  #ackFlush: NodeJS.Immediate | null = null;
  #closed = false;
  #failure: Error | null = null;

  constructor(
    readonly queue: string,
    credit: number,
    host: ConsumerHost,
    readonly deadLetterQueue: boolean,
  ) {
    this.#credit = credit;
    this.#host = host;
    void this.#run();
  }

  get maxDeliveries(): number {
    return this.deadLetterQueue ? Infinity : this.#host.maxDeliveries;
  }

  /** Unacknowledged deliveries now (never above credit). */
  get unacknowledged(): number {
    return this.#unsettled.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** @internal */
  deadLetter(msg: JsMsg, reason: DeadLetterReason, error: string | null): Promise<void> {
    return this.#host.deadLetter(msg, reason, error);
  }

  /**
   * The NATS client writes what was published by the end of a microtask; a consumer that awaits
   * next() between acks runs one microtask per message, so each ack was a write of its own (a
   * third of the consumer's time went to them). Acks wait for the end of the turn instead and
   * go out together.
   */
  queueAck(msg: JsMsg): void {
    this.#acks.push(msg);
    this.#ackFlush ??= setImmediate(() => this.flushAcks());
  }

  /** Sends the acks waiting for the end of the turn now (before a close, or a depth read). */
  flushAcks(): void {
    if (this.#ackFlush !== null) clearImmediate(this.#ackFlush);
    this.#ackFlush = null;
    const acks = this.#acks;
    if (acks.length === 0) return;
    this.#acks = [];
    for (const msg of acks) {
      try {
        msg.ack();
      } catch {
        // The connection is closed: the ack is lost, so the message comes again.
      }
    }
  }

  /** @internal */
  settled(d: JetStreamDelivery): void {
    this.#unsettled.delete(d);
    const w = this.#roomWaiter;
    if (w !== null && this.#room() >= w.need) {
      this.#roomWaiter = null;
      w.resolve();
    }
  }

  #room(): number {
    return this.#credit - this.#unsettled.size;
  }

  async #run(): Promise<void> {
    let consumer: Consumer;
    try {
      consumer = await this.#host.open();
    } catch (err) {
      this.#fail(err as Error);
      return;
    }
    let failures = 0;
    while (!this.#closed) {
      // Pull again once a quarter of the window is free: fewer, larger pulls.
      const threshold = Math.max(1, Math.floor(this.#credit / 4));
      if (this.#room() < threshold) {
        await new Promise<void>((resolve) => {
          this.#roomWaiter = { need: threshold, resolve };
        });
        continue;
      }
      try {
        const fetch = await consumer.fetch({ max_messages: this.#room(), expires: this.#host.pullExpiresMs });
        this.#fetch = fetch;
        for await (const msg of fetch) this.#take(msg);
        failures = 0;
      } catch (err) {
        if (this.#closed) break;
        if (!isRetryable(err) && failures > 20) {
          this.#fail(err as Error);
          return;
        }
        failures++;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * failures)));
      } finally {
        this.#fetch = null;
      }
    }
  }

  #take(msg: JsMsg): void {
    const attempt = msg.info.deliveryCount;
    if (this.#closed) {
      msg.nak();
      return;
    }
    if (attempt > this.maxDeliveries) {
      // Its leases ran out maxDeliveries times: it goes to the dead-letter queue unseen.
      this.#host.deadLetter(msg, "max-deliveries", "lease expired").catch(() => {
        // Not moved (no leader now): the message stays unacknowledged and comes again.
      });
      return;
    }
    const body = Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength);
    const d = new JetStreamDelivery(this.queue, body, msg.seq, attempt, this.#host.leaseMs, msg, this);
    this.#unsettled.add(d);
    const w = this.#waiter;
    if (w !== null) {
      this.#waiter = null;
      w(d);
    } else {
      this.#buffer.push(d);
    }
  }

  #fail(err: Error): void {
    this.#failure = err;
    const w = this.#waiter;
    this.#waiter = null;
    w?.(undefined);
  }

  next(): Promise<JetStreamDelivery | undefined> {
    const d = this.#buffer.shift();
    if (d !== undefined) return Promise.resolve(d);
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.resolve(undefined);
    if (this.#waiter !== null) return Promise.reject(zmqError("EBUSY", "a receive is already waiting on this consumer"));
    return new Promise((resolve, reject) => {
      this.#waiter = (delivery) => (delivery === undefined && this.#failure !== null ? reject(this.#failure) : resolve(delivery));
    });
  }

  /** Stops pulling; every delivery not acknowledged goes back to the queue at once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const w = this.#waiter;
    this.#waiter = null;
    w?.(undefined);
    const r = this.#roomWaiter;
    this.#roomWaiter = null;
    r?.resolve();
    while (this.#buffer.length > 0) this.#buffer.shift();
    this.flushAcks();
    for (const d of [...this.#unsettled]) d.release();
    await this.#fetch?.close().catch(() => undefined);
    this.#host.closed(this);
  }

  /** `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Yields each delivery until the consumer is closed; leaving the loop closes it. */
  async *[Symbol.asyncIterator](): AsyncGenerator<JetStreamDelivery, undefined, undefined> {
    try {
      for (;;) {
        const d = await this.next();
        if (d === undefined) return undefined;
        yield d;
      }
    } finally {
      await this.close();
    }
  }
}

/** Dead-letter headers (set by JetStreamQueues when it moves a message) as the embedded broker's entry info. */
export const DEAD_LETTER_HEADERS = {
  reason: "Wiremq-Dead-Letter-Reason",
  error: "Wiremq-Error",
  queue: "Wiremq-Queue",
  seq: "Wiremq-Seq",
  attempts: "Wiremq-Attempts",
  at: "Wiremq-At",
} as const;

function deadLetterInfoOf(msg: JsMsg): DeadLetterInfo | undefined {
  const h = msg.headers;
  const reason = h?.get(DEAD_LETTER_HEADERS.reason);
  if (h === undefined || reason === undefined || reason === "") return undefined;
  const error = h.get(DEAD_LETTER_HEADERS.error);
  return {
    reason: reason as DeadLetterReason,
    error: error === "" ? null : error,
    queue: h.get(DEAD_LETTER_HEADERS.queue),
    seq: Number(h.get(DEAD_LETTER_HEADERS.seq)),
    attempts: Number(h.get(DEAD_LETTER_HEADERS.attempts)),
    at: h.get(DEAD_LETTER_HEADERS.at),
  };
}
