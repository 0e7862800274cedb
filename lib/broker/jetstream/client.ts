/**
 * JetStreamQueues: the durable-queue contract (../durable-queues.ts) on NATS JetStream, for
 * queues that must outlive a machine. Each queue is a replicated stream (replicas 1–5); a
 * put is confirmed once the stream's leader and a majority of its replicas hold it; when a
 * server dies another replica takes over, and puts in flight are retried with the same message
 * id, so the stream keeps one copy. The NATS client packages are loaded on first use.
 */
import { randomBytes } from "node:crypto";
import { zmqError } from "../../errors.js";
import { toFrames, type MessageLike } from "../../sockets/message.js";
import { deadLetterQueueOf, isDeadLetterQueue, queueNameProblem, subscriptionProblem, subscriptionQueueOf } from "../model.js";
import type { ConsumeOptions, DurableQueues, PutOptions, PutReceipt, QueueDepth } from "../durable-queues.js";
import type { DeadLetterReason } from "../model.js";
import { loadNats, type NatsConnection, type NatsModules } from "./load.js";
import { StreamAdmin } from "./admin.js";
import { Publisher } from "./publisher.js";
import { DEAD_LETTER_HEADERS, JetStreamConsumer } from "./consumer.js";
import { fromNats } from "./errors.js";
import { placeOf, queueStream, queueSubject, subscriptionConsumer, topicStream, topicSubject } from "./names.js";
import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";

/** Options of {@link JetStreamQueues}; only `servers` is required. */
export interface JetStreamQueuesOptions {
  /** NATS server URL(s): `nats://127.0.0.1:4222`, or every server of the cluster. */
  servers: string | string[];
  /** Copies of each stream, 1–5 (default 1); a cluster needs at least that many servers. */
  replicas?: number;
  /** `file` (default) or `memory` streams. */
  storage?: "file" | "memory";
  /** Lease of a delivery (the consumer's ack wait) when consume() gives none (ms; default 30000). */
  leaseMs?: number;
  /** Failed deliveries before a message goes to `<queue>.dlq` (default 5). */
  maxDeliveries?: number;
  /** How long a put waits for its confirmation before sending it again (ms; default 2000). */
  ackTimeoutMs?: number;
  /**
   * How long put() and publish() (and making a stream or consumer) keep retrying while
   * JetStream is unavailable, before they reject with ETIMEDOUT (ms; default 30 000; -1: for
   * ever). Per call: `put(q, body, { timeout })`.
   */
  putTimeout?: number;
  /** How long one pull waits on the server (ms; default 2000, at least 1000): bounds a consumer's stall after a leader change. */
  pullExpiresMs?: number;
  /** Retried puts within this window are stored once (ms; default 120000). */
  duplicateWindowMs?: number;
  /** Further options for the NATS connection (user, pass, token, tls, name...). */
  connection?: Record<string, unknown>;
}

/** A queue or topic this client has put to: its stream and subject, escaped once. */
interface Target {
  stream: string;
  subject: string;
  topic: boolean;
  /** The stream is known to exist (made or found by this client). */
  made: boolean;
}

interface Connected {
  nats: NatsModules;
  nc: NatsConnection;
  js: JetStreamClient;
  admin: StreamAdmin;
  publisher: Publisher;
}

const DEFAULT_LEASE_MS = 30_000;

/**
 * {@link DurableQueues} on NATS JetStream, for queues that must outlive a machine: each queue
 * is a stream with 1–5 replicas, a put is confirmed once a majority holds it, and puts retried
 * across a leader change are stored once. Needs the optional peers `@nats-io/transport-node`
 * and `@nats-io/jetstream`, loaded on first use.
 *
 * @throws WiremqError `EINVAL` from the constructor for bad options; `EMISSINGPACKAGE` on first
 * use when the NATS packages are not installed; `ETIMEDOUT` from a put JetStream did not
 * confirm within `putTimeout`; `EBADF` once closed.
 *
 * @example
 * ```ts
 * import { JetStreamQueues } from "wiremq/broker";
 * const queues = new JetStreamQueues({ servers: ["nats://n1:4222", "nats://n2:4222", "nats://n3:4222"], replicas: 3 });
 * await queues.put("payments", "charge 42");
 * await queues.close();
 * ```
 */
export class JetStreamQueues implements DurableQueues {
  readonly #options: Required<Omit<JetStreamQueuesOptions, "connection" | "servers">> & { servers: string[]; connection: Record<string, unknown> };
  #connected: Promise<Connected> | null = null;
  /** Set once connected: a put to a known stream goes straight to the publisher. */
  #live: Connected | null = null;
  /** Queues put to lately by name, topics by NUL and name (names hold no control character): checked and escaped once. */
  readonly #targets = new Map<string, Target>();
  readonly #consumers = new Set<JetStreamConsumer>();
  /** Message ids are this client's random prefix and a counter: unique without a lookup. */
  readonly #idPrefix = randomBytes(9).toString("base64url");
  #nextId = 0;
  #closed = false;

  constructor(options: JetStreamQueuesOptions) {
    const servers = typeof options?.servers === "string" ? [options.servers] : [...(options?.servers ?? [])];
    if (servers.length === 0 || servers.some((s) => typeof s !== "string" || s.length === 0)) {
      throw zmqError("EINVAL", "servers must be a NATS server URL or a non-empty list of them");
    }
    const replicas = options.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw zmqError("EINVAL", "replicas must be an integer from 1 to 5");
    const storage = options.storage ?? "file";
    if (storage !== "file" && storage !== "memory") throw zmqError("EINVAL", "storage must be 'file' or 'memory'");
    const positive = (name: string, value: number | undefined, fallback: number, min = 1): number => {
      const v = value ?? fallback;
      if (!Number.isInteger(v) || v < min) throw zmqError("EINVAL", `${name} must be an integer of at least ${min}`);
      return v;
    };
    const putTimeout = checkTimeout("putTimeout", options.putTimeout ?? 30_000);
    this.#options = {
      servers,
      replicas,
      storage,
      leaseMs: positive("leaseMs", options.leaseMs, DEFAULT_LEASE_MS),
      maxDeliveries: positive("maxDeliveries", options.maxDeliveries, 5),
      ackTimeoutMs: positive("ackTimeoutMs", options.ackTimeoutMs, 2000),
      putTimeout,
      pullExpiresMs: positive("pullExpiresMs", options.pullExpiresMs, 2000, 1000),
      duplicateWindowMs: positive("duplicateWindowMs", options.duplicateWindowMs, 120_000, 1000),
      connection: options.connection ?? {},
    };
  }

  /** Connects (loading the NATS packages) and resolves once JetStream answers. */
  async ready(): Promise<void> {
    await this.#connect();
  }

  put(queue: string, body: MessageLike, options?: PutOptions): Promise<PutReceipt> {
    const target = this.#targets.get(queue);
    const c = this.#live;
    // The common case, without an await before the publish: a known queue's stream exists.
    if (target !== undefined && target.made && !target.topic && c !== null && !this.#closed) {
      let data: Buffer;
      let timeout: number;
      try {
        data = toFrames(body)[0]!;
        timeout = options?.timeout === undefined ? this.#options.putTimeout : checkTimeout("timeout", options.timeout);
      } catch (err) {
        return Promise.reject(err);
      }
      return c.publisher.publish(target.subject, data, this.#messageId(), timeout);
    }
    return this.#firstPut(queue, body, options);
  }

  async #firstPut(queue: string, body: MessageLike, options?: PutOptions): Promise<PutReceipt> {
    checkQueue(queue);
    const data = toFrames(body)[0]!;
    const timeout = checkTimeout("timeout", options?.timeout ?? this.#options.putTimeout);
    const c = await this.#connect();
    const target = await this.#made(c, queue, false);
    return c.publisher.publish(target.subject, data, this.#messageId(), timeout);
  }

  /** Stores the message for every durable subscription of the topic; resolves with how many there are. */
  async publish(topic: string, body: MessageLike, options?: PutOptions): Promise<number> {
    checkTopic(topic);
    const data = toFrames(body)[0]!;
    const timeout = checkTimeout("timeout", options?.timeout ?? this.#options.putTimeout);
    const c = await this.#connect();
    const target = await this.#made(c, topic, true);
    await c.publisher.publish(target.subject, data, this.#messageId(), timeout);
    return (await c.admin.streamInfo(target.stream))?.state.consumer_count ?? 0;
  }

  /** The queue's (or topic's) stream, made if need be. */
  async #made(c: Connected, name: string, topic: boolean): Promise<Target> {
    const key = topic ? `\0${name}` : name;
    let target = this.#targets.get(key);
    if (target === undefined) {
      if (this.#targets.size >= 1024) this.#targets.clear();
      target = topic
        ? { stream: topicStream(name), subject: topicSubject(name), topic, made: false }
        : { stream: queueStream(name), subject: queueSubject(name), topic, made: false };
      this.#targets.set(key, target);
    }
    if (!target.made) {
      await c.admin.ensureStream(target);
      target.made = true;
    }
    return target;
  }

  /** A put found no stream leader until its timeout: its stream may be gone; look again next time. */
  #unavailable(subject: string): void {
    for (const target of this.#targets.values()) {
      if (target.subject !== subject) continue;
      target.made = false;
      this.#live?.admin.forgetStream(target.stream);
    }
  }

  async subscribe(topic: string, subscription: string): Promise<string> {
    const problem = typeof topic !== "string" || typeof subscription !== "string" ? "not a string" : subscriptionProblem(topic, subscription);
    if (problem !== null) throw zmqError("EINVAL", `bad name: ${problem}`);
    const queue = subscriptionQueueOf(topic, subscription);
    const c = await this.#connect();
    await c.admin.ensureConsumer(placeOf(queue), this.#options.leaseMs);
    return queue;
  }

  async unsubscribe(topic: string, subscription: string): Promise<void> {
    const problem = typeof topic !== "string" || typeof subscription !== "string" ? "not a string" : subscriptionProblem(topic, subscription);
    if (problem !== null) throw zmqError("EINVAL", `bad name: ${problem}`);
    const c = await this.#connect();
    await c.admin.deleteConsumer(topicStream(topic), subscriptionConsumer(subscription));
  }

  /** Takes messages from a queue; iterate it, and close() (or break) when done. Throws `EBADF` once the client is closed, `EINVAL` for a bad name or credit. */
  consume(queue: string, options?: ConsumeOptions): JetStreamConsumer {
    if (this.#closed) throw zmqError("EBADF", "client is closed");
    const problem = typeof queue !== "string" ? "not a string" : queueNameProblem(queue);
    if (problem !== null) throw zmqError("EINVAL", `bad name: ${problem}`);
    const credit = options?.credit ?? 100;
    const leaseMs = options?.leaseMs ?? 0;
    if (!Number.isInteger(credit) || credit < 1 || credit > 0xffff_ffff) throw zmqError("EINVAL", "credit must be a positive integer");
    if (!Number.isInteger(leaseMs) || leaseMs < 0 || leaseMs > 0xffff_ffff) throw zmqError("EINVAL", "leaseMs must be a non-negative integer");
    const place = placeOf(queue);
    const lease = leaseMs === 0 ? this.#options.leaseMs : leaseMs;
    const dlq = isDeadLetterQueue(queue);
    const consumer = new JetStreamConsumer(queue, credit, {
      open: async () => {
        const c = await this.#connect();
        await c.admin.ensureConsumer(place, lease);
        try {
          return await c.js.consumers.get(place.stream, place.durable);
        } catch (err) {
          throw fromNats(err, `opening consumer of ${queue}`);
        }
      },
      deadLetter: (msg, reason, error) => this.#deadLetter(queue, msg, reason, error),
      maxDeliveries: this.#options.maxDeliveries,
      leaseMs: lease,
      pullExpiresMs: this.#options.pullExpiresMs,
      closed: (c) => this.#consumers.delete(c),
    }, dlq);
    this.#consumers.add(consumer);
    return consumer;
  }

  async queueDepth(queue: string): Promise<QueueDepth> {
    const problem = typeof queue !== "string" ? "not a string" : queueNameProblem(queue);
    if (problem !== null) throw zmqError("EINVAL", `bad name: ${problem}`);
    const c = await this.#connect();
    // Acks are sent without waiting for an answer: a flush makes the server see those sent so far first.
    for (const consumer of this.#consumers) consumer.flushAcks();
    await c.nc.flush();
    const place = placeOf(queue);
    const counts = await c.admin.consumerCounts(place.stream, place.durable);
    if (counts === null) {
      // No consumer yet: a work queue's stream holds what waits.
      const ready = place.topic ? 0 : ((await c.admin.streamInfo(place.stream))?.state.messages ?? 0);
      return { name: queue, depth: ready, ready, unacked: 0 };
    }
    return { name: queue, depth: counts.pending + counts.unacked, ready: counts.pending, unacked: counts.unacked };
  }

  /** Closes the consumers and the NATS connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of [...this.#consumers]) await c.close();
    const connected = this.#connected;
    if (connected === null) return;
    try {
      const c = await connected;
      c.publisher.close();
      // drain: the acks and nacks just sent reach the server before the socket closes.
      await c.nc.drain();
    } catch {
      // It never connected: nothing to close.
    }
  }

  /** `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #messageId(): string {
    return `${this.#idPrefix}-${(this.#nextId++).toString(36)}`;
  }

  async #deadLetter(queue: string, msg: JsMsg, reason: DeadLetterReason, error: string | null): Promise<void> {
    const c = await this.#connect();
    const dlq = deadLetterQueueOf(queue);
    const place = { stream: queueStream(dlq), subject: queueSubject(dlq), topic: false };
    await c.admin.ensureStream(place);
    // The id is the original's place: moving it twice (a crash between put and ack) stores it once.
    const headers: Record<string, string> = {
      [DEAD_LETTER_HEADERS.reason]: reason,
      [DEAD_LETTER_HEADERS.queue]: queue,
      [DEAD_LETTER_HEADERS.seq]: String(msg.seq),
      [DEAD_LETTER_HEADERS.attempts]: String(msg.info.deliveryCount),
      [DEAD_LETTER_HEADERS.at]: new Date().toISOString(),
    };
    if (error !== null) headers[DEAD_LETTER_HEADERS.error] = error;
    await c.publisher.publish(place.subject, msg.data, `dlq-${msg.info.stream}-${msg.seq}`, this.#options.putTimeout, headers);
    msg.ack();
  }

  #connect(): Promise<Connected> {
    if (this.#closed) return Promise.reject(zmqError("EBADF", "client is closed"));
    this.#connected ??= this.#open();
    return this.#connected;
  }

  async #open(): Promise<Connected> {
    const nats = await loadNats();
    let nc: NatsConnection;
    try {
      nc = await nats.core.connect({
        servers: this.#options.servers,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        waitOnFirstConnect: true,
        ...this.#options.connection,
      });
    } catch (err) {
      this.#connected = null;
      throw fromNats(err, `connecting to ${this.#options.servers.join(", ")}`);
    }
    // The full connection type of the client packages; ours declares only what wiremq calls.
    const full = nc as unknown as Parameters<typeof nats.js.jetstream>[0];
    const jsm = await nats.js.jetstreamManager(full, { checkAPI: false });
    const js = nats.js.jetstream(full);
    const admin = new StreamAdmin(jsm, nats, {
      replicas: this.#options.replicas,
      storage: this.#options.storage,
      duplicateWindowMs: this.#options.duplicateWindowMs,
      retryForMs: this.#options.putTimeout,
    });
    const publisher = new Publisher(nc, nats, { ackTimeoutMs: this.#options.ackTimeoutMs }, (subject) => this.#unavailable(subject));
    this.#live = { nats, nc, js, admin, publisher };
    return this.#live;
  }
}

function checkQueue(queue: string): void {
  const problem = typeof queue !== "string" ? "not a string" : queueNameProblem(queue);
  if (problem !== null) throw zmqError("EINVAL", `bad name: ${problem}`);
  if (queue.includes("@") && !isDeadLetterQueue(queue)) throw zmqError("EINVAL", "bad name: '@' names a durable subscription's queue; put() to a topic with publish()");
}

function checkTopic(topic: string): void {
  const problem = typeof topic !== "string" ? "not a string" : subscriptionProblem(topic, "x");
  if (problem !== null) throw zmqError("EINVAL", `bad name: ${problem}`);
}

function checkTimeout(name: string, value: number): number {
  if (!Number.isInteger(value) || value < -1 || value > 0x7fff_ffff) throw zmqError("EINVAL", `${name} must be -1 or a non-negative integer of ms`);
  return value;
}
