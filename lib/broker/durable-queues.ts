/**
 * The durable-queue contract both backends keep: the embedded broker (`BrokerClient`, one
 * machine) and NATS JetStream (`JetStreamQueues`, replicated). The typed patterns and the
 * bridge device are written against this, so an application switches backend by configuration
 * (`openDurableQueues`) and nothing else.
 *
 * What both promise: put resolves once the message is stored (what "stored" means is each
 * backend's: the embedded sync policy, or JetStream's replicas); a consumer holds at most
 * `credit` unacknowledged deliveries; nack requeues, and after `maxDeliveries` failed
 * deliveries (nacks or expired leases) the message goes to `<queue>.dlq`; a lease that runs
 * out gives the message to another delivery; delivery is at-least-once, so consumers must
 * tolerate duplicates.
 */
import type { MessageLike } from "../sockets/message.js";
import type { DeadLetterInfo } from "./model.js";

/** Options of one `put` or `publish`. */
export interface PutOptions {
  /**
   * Most ms to wait for a confirmation, retries included (default: the client's `putTimeout`,
   * 30 s; -1: for ever). Past it the put rejects with ETIMEDOUT; the message may still have
   * been stored.
   */
  timeout?: number;
}

/** Options of a delivery's `nack`. */
export interface NackOptions {
  /** Dead-letter now instead of requeueing (default false). */
  deadLetter?: boolean;
  /**
   * Why it failed, kept with the message: a dead-letter entry made later carries the last one.
   * Cut to 1 KiB of UTF-8.
   */
  error?: string | Error;
  /** With `deadLetter`: the body could not be decoded (the entry's reason is `decode-error`, not `nack`). */
  undecodable?: boolean;
}

/** Where a `put` stored its message. */
export interface PutReceipt {
  /** Where it was stored: the embedded broker's endpoint, or `nats:<stream>`. */
  broker: string;
  /** Its sequence number in the queue there. */
  seq: number;
  /** JetStream only: the put was a retry of one already stored (same message id), not stored twice. */
  duplicate?: boolean;
}

/** Options of `consume`. */
export interface ConsumeOptions {
  /** Most unacknowledged deliveries at once (default 100). */
  credit?: number;
  /** How long a delivery may stay unacknowledged before it is taken back (ms; default: the backend's). */
  leaseMs?: number;
}

/** One message handed to a consumer; ack() or nack() it. */
export interface QueueDelivery {
  readonly queue: string;
  readonly body: Buffer;
  /** 1 on the first delivery, then one more for each that came back. */
  readonly attempt: number;
  /** The lease this delivery has (ms); 0 when the backend did not say. */
  readonly leaseMs: number;
  /** From a dead-letter queue: why the message is there (the body is the original one). */
  readonly deadLetter: DeadLetterInfo | undefined;
  /** Done with it: it is removed from the queue. */
  ack(): Promise<void>;
  /** Failed: back to the queue, or to the dead-letter queue after maxDeliveries (or at once with `deadLetter`). */
  nack(options?: NackOptions): Promise<"requeued" | "dead-lettered">;
  /**
   * Still working on it: the lease restarts (for `ms`, where the backend can choose; JetStream
   * restarts its ack wait). Resolves with the lease granted (ms); rejects with ENOENT once the
   * lease is over.
   */
  extend(ms?: number): Promise<number>;
}

/** Deliveries from one queue, as an async iterator; close() (or break) gives back what is not acknowledged. */
export interface QueueConsumer<D extends QueueDelivery = QueueDelivery> extends AsyncIterable<D> {
  readonly queue: string;
  readonly closed: boolean;
  /** The next delivery; undefined once the consumer is closed. */
  next(): Promise<D | undefined>;
  /** Stops consuming; what is not acknowledged goes back to the queue. */
  close(): Promise<void>;
}

/** One queue's figures, the same on both backends. */
export interface QueueDepth {
  name: string;
  /** Stored and not done: ready + unacked. */
  depth: number;
  ready: number;
  unacked: number;
}

/**
 * The durable-queue contract: what `BrokerClient` (embedded broker) and `JetStreamQueues`
 * (NATS JetStream) both implement, and what `openDurableQueues` returns. Write against this to
 * switch backend by configuration. Delivery is at-least-once: consumers must tolerate
 * duplicates.
 *
 * @example
 * ```ts
 * import { openDurableQueues } from "wiremq/broker";
 * const queues = openDurableQueues({ backend: "jetstream", servers: "nats://127.0.0.1:4222", replicas: 3 });
 * await queues.put("emails", JSON.stringify({ to: "a@example.com" }));
 * const consumer = queues.consume("emails", { credit: 10 });
 * const delivery = await consumer.next();
 * if (delivery !== undefined) await delivery.ack();
 * await consumer.close();
 * await queues.close();
 * ```
 */
export interface DurableQueues {
  /** Resolves once the backend can take requests. */
  ready(): Promise<void>;
  /** Stores a message in a queue (made on first use); resolves once stored. */
  put(queue: string, body: MessageLike, options?: PutOptions): Promise<PutReceipt>;
  /** Stores a copy for each durable subscription of the topic. */
  publish(topic: string, body: MessageLike, options?: PutOptions): Promise<number>;
  /** Makes a durable subscription; resolves with the name of its queue, to consume() from. */
  subscribe(topic: string, subscription: string): Promise<string>;
  /** Ends a durable subscription. */
  unsubscribe(topic: string, subscription: string): Promise<void>;
  /** Takes messages from a queue, at most `credit` unacknowledged at once; iterate it, and close() (or break) when done. */
  consume(queue: string, options?: ConsumeOptions): QueueConsumer;
  /** Depth of one queue (zeros for a queue never used). */
  queueDepth(queue: string): Promise<QueueDepth>;
  /** Closes the client and its consumers. */
  close(): Promise<void>;
}
