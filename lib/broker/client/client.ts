/**
 * BrokerClient: puts, publishes and consumes against one embedded broker, over one link that
 * reconnects by itself. A put in flight when the link drops is sent again once it is back (so
 * a message can be stored twice, never confirmed and lost). One broker is one machine: the
 * embedded broker has no cluster; queues that must outlive a machine go to NATS JetStream,
 * replicated (`openDurableQueues({ backend: "jetstream", ... })`).
 */
import { zmqError } from "../../errors.js";
import { toFrames, type MessageLike } from "../../sockets/message.js";
import { BrokerConsumer, type ConsumeOptions } from "./consumer.js";
import { BrokerLink, type DeliverMessage } from "./link.js";
import { queueNameProblem, subscriptionNameProblem, subscriptionProblem, subscriptionQueueOf } from "../model.js";
import { encodeClient, okU32, okU64 } from "../protocol.js";
import { CLIENT_SOCKET_OWNS, passThroughOptions, withOptionErrors } from "../socket-options.js";
import { Dealer, type DealerOptions } from "../../sockets/dealer.js";
import type { BrokerStats } from "../model.js";
import type { DurableQueues, PutOptions, PutReceipt, QueueDepth } from "../durable-queues.js";

export type { PutOptions, PutReceipt } from "../durable-queues.js";

export { BrokerConsumer, Delivery, type ConsumeOptions, type NackOptions } from "./consumer.js";

/** How long put() and publish() wait for a broker's confirmation unless told otherwise (ms). */
export const DEFAULT_PUT_TIMEOUT = 30_000;

/** Options of a {@link BrokerClient}; only `endpoints` is required. */
export interface BrokerClientOptions {
  /**
   * The broker's endpoint (a list of one is taken too). More than one is refused with ENOTSUP:
   * the embedded broker is one machine; for more, use the JetStream backend.
   */
  endpoints: string | readonly string[];
  /** How long put/publish/subscribe wait for the broker to be up (ms); -1 (default) waits for ever (within a put's `timeout`). */
  sendTimeout?: number;
  /**
   * How long a put() or publish() waits for the broker to confirm, all retries included, before
   * it rejects with ETIMEDOUT (ms; default 30 000; -1: for ever). Per call: `put(q, body, { timeout })`.
   */
  putTimeout?: number;
  /** Heartbeat period (ms) until the broker says its own (default 1000). */
  heartbeatInterval?: number;
  reconnectInterval?: number;
  reconnectMaxInterval?: number;
  /**
   * Options for the DEALER to the broker by their zeromq names: `curveServerKey`,
   * `curvePublicKey` and `curveSecretKey` for a CURVE broker, `plainUsername` and
   * `plainPassword` for a PLAIN one, heartbeats, keepalive... routingId, immediate, linger and
   * the reconnect intervals are the client's own.
   */
  socketOptions?: DealerOptions;
}

/** The one endpoint given, or the error that says why not. */
function brokerEndpoint(endpoints: unknown): string {
  const list = typeof endpoints === "string" ? [endpoints] : Array.isArray(endpoints) ? (endpoints as unknown[]) : [];
  if (list.length === 0 || list.some((e) => typeof e !== "string" || e.length === 0)) {
    throw zmqError("EINVAL", "endpoints must be the broker's endpoint");
  }
  if (new Set(list).size > 1) {
    throw zmqError(
      "ENOTSUP",
      `the embedded broker runs on one machine and has no cluster (${list.length} endpoints given): ` +
        'for queues replicated over several machines use NATS JetStream: openDurableQueues({ backend: "jetstream", servers, replicas: 3 })',
    );
  }
  return list[0] as string;
}

/**
 * The client of the embedded {@link Broker}: `put`, `publish`, durable `subscribe`, and
 * `consume` with acknowledgements, over one connection to one broker (re-made when it drops).
 * It implements {@link DurableQueues}, so code written against that runs on JetStream too,
 * which is the backend for queues replicated over several machines.
 *
 * The constructor takes the options, or just the endpoint.
 *
 * @throws WiremqError `EINVAL` from the constructor for no endpoint, a bad `putTimeout` or a
 * refused socket option; `ENOTSUP` for more than one endpoint; a put rejects with `ETIMEDOUT`
 * past its timeout.
 *
 * @example
 * ```ts
 * import { BrokerClient } from "wiremq/broker";
 * const client = new BrokerClient({ endpoints: "tcp://127.0.0.1:5570", putTimeout: 5000 });
 * const receipt = await client.put("jobs", "resize photo 17");
 * console.log(`stored as #${receipt.seq} on ${receipt.broker}`);
 * await client.close();
 * ```
 */
export class BrokerClient implements DurableQueues {
  readonly #link: BrokerLink;
  readonly #sendTimeout: number;
  readonly #putTimeout: number;
  readonly #consumers = new Map<number, BrokerConsumer>();
  /** Durable subscriptions made through this client, renewed when the link comes up again. */
  readonly #subscriptions = new Map<string, { topic: string; subscription: string }>();
  #upWaiters: (() => void)[] = [];
  /** Encoded names of recent queues and topics: a put should not re-encode its queue name. */
  readonly #nameFrames = new Map<string, Buffer>();
  #nextSubId = 1;
  #closed = false;

  /** `options`, or just the broker's endpoint (a list of one is taken too). */
  constructor(options: BrokerClientOptions | string | readonly string[]) {
    const o: BrokerClientOptions = typeof options === "string" || Array.isArray(options) ? { endpoints: options as readonly string[] } : (options as BrokerClientOptions);
    const endpoint = brokerEndpoint(o?.endpoints);
    this.#sendTimeout = o.sendTimeout ?? -1;
    this.#putTimeout = checkTimeout("putTimeout", o.putTimeout ?? DEFAULT_PUT_TIMEOUT);
    const linkOptions = {
      heartbeatInterval: o.heartbeatInterval ?? 1000,
      reconnectInterval: o.reconnectInterval ?? 100,
      reconnectMaxInterval: o.reconnectMaxInterval ?? 1000,
      socketOptions: passThroughOptions(o.socketOptions, CLIENT_SOCKET_OWNS, "client"),
    };
    // Refused options throw here, before the link starts.
    void withOptionErrors(() => new Dealer(linkOptions.socketOptions)).close();
    this.#link = new BrokerLink(endpoint, linkOptions, {
      up: () => this.#linkUp(),
      down: () => this.#linkDown(),
      deliver: (_l, msg) => this.#deliver(msg),
    });
    this.#link.start();
  }

  /** The broker's endpoint. */
  get endpoint(): string {
    return this.#link.endpoint;
  }

  /** Whether the link to the broker is up now (connected, with a session). */
  get connected(): boolean {
    return this.#link.isUp;
  }

  /** Resolves once connected to the broker with a session. */
  async ready(): Promise<void> {
    while (!this.#closed && !this.#link.isUp) await this.#whenUp();
  }

  /**
   * Stores a message in a queue (made on first use); resolves once the broker has stored it
   * as its sync policy says. A put in flight when the link drops is sent again once it is back,
   * so a message can be stored twice, never confirmed and lost.
   */
  async put(queue: string, body: MessageLike, options?: PutOptions): Promise<PutReceipt> {
    checkName(queue, false);
    const frame = oneFrame(body);
    const name = this.#nameFrame(queue);
    return this.#confirmed(options, frame, async (link) => {
      const args = await link.request((id) => encodeClient.put(id, name, frame));
      return { broker: link.endpoint, seq: okU64(args, 0) };
    });
  }

  /** Stores a copy for each durable subscription of the topic; resolves with how many. */
  async publish(topic: string, body: MessageLike, options?: PutOptions): Promise<number> {
    checkName(topic, true);
    const frame = oneFrame(body);
    const name = this.#nameFrame(topic);
    return this.#confirmed(options, frame, async (link) => okU32(await link.request((id) => encodeClient.publish(id, name, frame)), 0));
  }

  /**
   * Sends a request until the broker confirms it, again after each reconnection, within the
   * timeout (ETIMEDOUT past it).
   */
  #confirmed<R>(options: PutOptions | undefined, body: Buffer, send: (link: BrokerLink) => Promise<R>): Promise<R> {
    const timeout = checkTimeout("timeout", options?.timeout ?? this.#putTimeout);
    const deadline = timeout < 0 ? Infinity : Date.now() + timeout;
    const attempt = async (): Promise<R> => {
      for (;;) {
        const link = this.#link.isUp && !this.#closed ? this.#link : await this.#up(deadline);
        try {
          checkSize(link, body);
          return await send(link);
        } catch (err) {
          if ((err as { code?: string }).code !== "ENOTCONN") throw err;
        }
      }
    };
    if (deadline === Infinity) return attempt();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(zmqError("ETIMEDOUT", `the broker did not confirm within ${timeout} ms (the message may have been stored)`));
      }, timeout);
    });
    const work = attempt();
    // Once timed out, what the attempt does later is nobody's business.
    work.catch(() => {});
    return Promise.race([work, expired]).finally(() => clearTimeout(timer));
  }

  /** Makes a durable subscription (renewed whenever the link comes back); resolves with the name of its queue, to consume() from. */
  async subscribe(topic: string, subscription: string): Promise<string> {
    checkName(topic, true);
    checkName(subscription, true);
    const problem = subscriptionProblem(topic, subscription);
    if (problem !== null) throw zmqError("EINVAL", `bad name: ${problem}`);
    this.#subscriptions.set(`${topic}@${subscription}`, { topic, subscription });
    await this.#whenAnswered((id) => encodeClient.subscribe(id, topic, subscription));
    return subscriptionQueueOf(topic, subscription);
  }

  /** Ends a durable subscription; its queue keeps what it holds. */
  async unsubscribe(topic: string, subscription: string): Promise<void> {
    checkName(topic, true);
    checkName(subscription, true);
    this.#subscriptions.delete(`${topic}@${subscription}`);
    await this.#whenAnswered((id) => encodeClient.unsubscribe(id, topic, subscription));
  }

  /** Takes messages from a queue; iterate it, and close() (or break) when done. */
  consume(queue: string, options?: ConsumeOptions): BrokerConsumer {
    if (this.#closed) throw zmqError("EBADF", "client is closed");
    checkName(queue, false);
    const credit = options?.credit ?? 100;
    const leaseMs = options?.leaseMs ?? 0;
    if (!Number.isInteger(credit) || credit < 1 || credit > 0xffff_ffff) throw zmqError("EINVAL", "credit must be a positive integer");
    if (!Number.isInteger(leaseMs) || leaseMs < 0 || leaseMs > 0xffff_ffff) throw zmqError("EINVAL", "leaseMs must be a non-negative integer");
    const consumer = new BrokerConsumer(queue, this.#nextSubId++, credit, leaseMs, (c) => this.#cancel(c));
    this.#consumers.set(consumer.subId, consumer);
    if (this.#link.isUp) consumer.subscribeOn(this.#link);
    return consumer;
  }

  /** The broker's statistics (ENOTCONN while the link is down). */
  async stats(): Promise<BrokerStats> {
    const args = await this.#link.request((id) => encodeClient.stats(id));
    return JSON.parse(args[0]?.toString() ?? "{}") as BrokerStats;
  }

  /** One queue's figures. */
  async queueDepth(queue: string): Promise<QueueDepth> {
    checkName(queue, false);
    const out: QueueDepth = { name: queue, depth: 0, ready: 0, unacked: 0 };
    await this.#up(Infinity);
    const q = (await this.stats()).queues.find((x) => x.name === queue);
    if (q !== undefined) Object.assign(out, { depth: q.depth, ready: q.ready, unacked: q.unacked });
    return out;
  }

  /** Closes the connection to the broker; open consumers end and their unacknowledged deliveries go back. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of [...this.#consumers.values()]) await c.close();
    await this.#link.close();
    this.#wakeUpWaiters();
  }

  /** `close()`, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #nameFrame(name: string): Buffer {
    let frame = this.#nameFrames.get(name);
    if (frame === undefined) {
      if (this.#nameFrames.size >= 1024) this.#nameFrames.clear();
      frame = Buffer.from(name, "utf8");
      this.#nameFrames.set(name, frame);
    }
    return frame;
  }

  // ---- the link -------------------------------------------------------------------------------

  /** The link once up; waits (per sendTimeout, and until `callDeadline`) while it is down. */
  async #up(callDeadline: number): Promise<BrokerLink> {
    const deadline = this.#sendTimeout < 0 ? Infinity : Date.now() + this.#sendTimeout;
    for (;;) {
      if (this.#closed) throw zmqError("EBADF", "client is closed");
      if (this.#link.isUp) return this.#link;
      const left = Math.min(deadline, callDeadline) - Date.now();
      if (left <= 0) {
        if (callDeadline <= deadline) throw zmqError("ETIMEDOUT", "the broker is not reachable");
        throw zmqError("EAGAIN", "the broker is not reachable");
      }
      await this.#whenUp(left);
    }
  }

  #whenUp(timeoutMs = Infinity): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(timeoutMs) ? setTimeout(done, timeoutMs) : null;
      function done(): void {
        if (timer !== null) clearTimeout(timer);
        resolve();
      }
      this.#upWaiters.push(done);
    });
  }

  #wakeUpWaiters(): void {
    const waiters = this.#upWaiters;
    this.#upWaiters = [];
    for (const w of waiters) w();
  }

  /** Sends a request once the link is up; a link lost meanwhile sends it again when it is back. */
  async #whenAnswered(build: (reqId: number) => Buffer[]): Promise<void> {
    for (;;) {
      const link = await this.#up(Infinity);
      try {
        await link.request(build);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== "ENOTCONN") throw err;
      }
    }
  }

  #linkUp(): void {
    for (const { topic, subscription } of this.#subscriptions.values()) {
      this.#link.request((id) => encodeClient.subscribe(id, topic, subscription)).catch(() => {});
    }
    for (const c of this.#consumers.values()) c.subscribeOn(this.#link);
    this.#wakeUpWaiters();
  }

  #linkDown(): void {
    for (const c of this.#consumers.values()) c.dropFrom(this.#link);
  }

  #deliver(msg: DeliverMessage): void {
    this.#consumers.get(msg.subId)?.deliver(this.#link, msg);
  }

  async #cancel(consumer: BrokerConsumer): Promise<void> {
    this.#consumers.delete(consumer.subId);
    if (this.#link.isUp) await this.#link.request((id) => encodeClient.cancel(id, consumer.subId)).catch(() => {});
  }
}

function checkName(name: string, subscription: boolean): void {
  const problem = typeof name !== "string" ? "not a string" : subscription ? subscriptionNameProblem(name) : queueNameProblem(name);
  if (problem !== null) throw zmqError("EINVAL", `bad name: ${problem}`);
}

function checkTimeout(name: string, ms: number): number {
  if (ms === -1 || (Number.isInteger(ms) && ms >= 0 && ms < 2 ** 31)) return ms;
  throw zmqError("EINVAL", `${name} must be -1 or an integer number of ms below 2^31`);
}

function oneFrame(body: MessageLike): Buffer {
  return toFrames(body)[0]!;
}

/**
 * A body over the broker's limit fails here, before it is sent: past the limit plus its ZMTP
 * slack the broker's socket would drop the connection, and every put on it with it.
 */
function checkSize(link: BrokerLink, body: Buffer): void {
  if (body.length > link.maxMessageBytes) {
    throw zmqError("EMSGSIZE", `message of ${body.length} bytes is over the broker's maxMessageBytes (${link.maxMessageBytes})`);
  }
}
