/**
 * BrokerClient: puts, publishes and consumes against one broker or a cluster of them. With
 * several endpoints, each queue (or topic) has an owner by consistent hashing; a put goes to
 * the owner, or to the next live broker round the ring while the owner is down. Consumers
 * and durable subscriptions are opened on every broker, so messages stored anywhere are
 * delivered, including a restarted broker's backlog. Nothing is replicated: a message lives
 * only on the broker that confirmed it.
 */
import { zmqError } from "../../errors.js";
import { toFrames, type MessageLike } from "../../sockets/message.js";
import { BrokerConsumer, type ConsumeOptions } from "./consumer.js";
import { HashRing } from "./hash-ring.js";
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
  /** The broker's endpoint, or every broker of the cluster (all clients must list the same set). */
  endpoints: string | string[];
  /** How long put/publish/subscribe wait for some broker to be up (ms); -1 (default) waits for ever (within a put's `timeout`). */
  sendTimeout?: number;
  /**
   * How long a put() or publish() waits for a broker to confirm, all retries included, before
   * it rejects with ETIMEDOUT (ms; default 30 000; -1: for ever). Per call: `put(q, body, { timeout })`.
   */
  putTimeout?: number;
  /** Heartbeat period (ms) until a broker says its own (default 1000). */
  heartbeatInterval?: number;
  reconnectInterval?: number;
  reconnectMaxInterval?: number;
  /**
   * Options for the DEALER to each broker by their zeromq names: `curveServerKey`,
   * `curvePublicKey` and `curveSecretKey` for a CURVE broker, `plainUsername` and
   * `plainPassword` for a PLAIN one, heartbeats, keepalive... routingId, immediate, linger and
   * the reconnect intervals are the client's own.
   */
  socketOptions?: DealerOptions;
}


/**
 * The client of the embedded {@link Broker}: `put`, `publish`, durable `subscribe`, and
 * `consume` with acknowledgements. It keeps a connection to each listed broker; a queue lives on
 * the broker its name hashes to, and when that broker is down puts go to the next live one. It
 * implements {@link DurableQueues}, so code written against that runs on JetStream too.
 *
 * The constructor takes the options, or just the endpoint(s).
 *
 * @throws WiremqError `EINVAL` from the constructor for no endpoint, a bad `putTimeout` or a
 * refused socket option; a put rejects with `ETIMEDOUT` past its timeout.
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
  readonly #links = new Map<string, BrokerLink>();
  readonly #ring: HashRing;
  readonly #sendTimeout: number;
  readonly #putTimeout: number;
  readonly #consumers = new Map<number, BrokerConsumer>();
  /** Durable subscriptions made through this client, renewed on brokers that come up. */
  readonly #subscriptions = new Map<string, { topic: string; subscription: string }>();
  #upWaiters: (() => void)[] = [];
  /** Encoded names of recent queues and topics: a put should not re-encode its queue name. */
  readonly #nameFrames = new Map<string, Buffer>();
  readonly #preferences = new Map<string, BrokerLink[]>();
  #nextSubId = 1;
  #closed = false;

  constructor(options: BrokerClientOptions | string | string[]) {
    const o: BrokerClientOptions = typeof options === "string" || Array.isArray(options) ? { endpoints: options } : options;
    const endpoints = typeof o.endpoints === "string" ? [o.endpoints] : [...(o.endpoints ?? [])];
    if (endpoints.length === 0 || endpoints.some((e) => typeof e !== "string" || e.length === 0)) {
      throw zmqError("EINVAL", "endpoints must be a broker endpoint or a non-empty list of them");
    }
    this.#sendTimeout = o.sendTimeout ?? -1;
    this.#putTimeout = checkTimeout("putTimeout", o.putTimeout ?? DEFAULT_PUT_TIMEOUT);
    this.#ring = new HashRing(endpoints);
    const linkOptions = {
      heartbeatInterval: o.heartbeatInterval ?? 1000,
      reconnectInterval: o.reconnectInterval ?? 100,
      reconnectMaxInterval: o.reconnectMaxInterval ?? 1000,
      socketOptions: passThroughOptions(o.socketOptions, CLIENT_SOCKET_OWNS, "client"),
    };
    // Refused options throw here, before any link starts.
    void withOptionErrors(() => new Dealer(linkOptions.socketOptions)).close();
    for (const ep of this.#ring.nodes) {
      const link = new BrokerLink(ep, linkOptions, {
        up: (l) => this.#linkUp(l),
        down: (l) => this.#linkDown(l),
        deliver: (l, msg) => this.#deliver(l, msg),
      });
      this.#links.set(ep, link);
      link.start();
    }
  }

  /** The broker endpoints whose link is up now. */
  get liveBrokers(): string[] {
    return [...this.#links.values()].filter((l) => l.isUp).map((l) => l.endpoint);
  }

  /** Resolves once at least `count` brokers (default 1) are connected with a session. */
  async ready(count = 1): Promise<void> {
    while (this.liveBrokers.length < Math.min(count, this.#links.size)) await this.#anyUp();
  }

  /**
   * Stores a message in a queue (made on first use); resolves once the broker has stored it
   * as its sync policy says. A put in flight when its broker goes down is sent again to the
   * next live one, so a message can be stored twice, never confirmed and lost.
   */
  async put(queue: string, body: MessageLike, options?: PutOptions): Promise<PutReceipt> {
    checkName(queue, false);
    const frame = oneFrame(body);
    return this.#confirmed(queue, options, async (link) => {
      const args = await link.request((id) => encodeClient.put(id, this.#nameFrame(queue), frame));
      return { broker: link.endpoint, seq: okU64(args, 0) };
    }, frame);
  }

  /** Stores a copy for each durable subscription of the topic; resolves with how many. */
  async publish(topic: string, body: MessageLike, options?: PutOptions): Promise<number> {
    checkName(topic, true);
    const frame = oneFrame(body);
    return this.#confirmed(topic, options, async (link) => okU32(await link.request((id) => encodeClient.publish(id, this.#nameFrame(topic), frame)), 0), frame);
  }

  /**
   * Sends a request to the name's live owner until one confirms, moving on when its broker goes
   * down, within the timeout (ETIMEDOUT past it).
   */
  #confirmed<R>(name: string, options: PutOptions | undefined, send: (link: BrokerLink) => Promise<R>, body: Buffer): Promise<R> {
    const timeout = checkTimeout("timeout", options?.timeout ?? this.#putTimeout);
    const deadline = timeout < 0 ? Infinity : Date.now() + timeout;
    const attempt = async (): Promise<R> => {
      for (;;) {
        const link = this.#liveOwner(name) ?? (await this.#route(name, deadline));
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
        reject(zmqError("ETIMEDOUT", `no broker confirmed within ${timeout} ms (the message may have been stored)`));
      }, timeout);
    });
    const work = attempt();
    // Once timed out, what the attempt does later is nobody's business.
    work.catch(() => {});
    return Promise.race([work, expired]).finally(() => clearTimeout(timer));
  }

  /**
   * Makes a durable subscription on every broker (those down now get it when they are back);
   * resolves with the name of its queue, to consume() from.
   */
  async subscribe(topic: string, subscription: string): Promise<string> {
    checkName(topic, true);
    checkName(subscription, true);
    const problem = subscriptionProblem(topic, subscription);
    if (problem !== null) throw zmqError("EINVAL", `bad name: ${problem}`);
    this.#subscriptions.set(`${topic}@${subscription}`, { topic, subscription });
    await this.#onEveryLiveBroker((id) => encodeClient.subscribe(id, topic, subscription));
    return subscriptionQueueOf(topic, subscription);
  }

  /** Ends a durable subscription on every live broker; its queue keeps what it holds. */
  async unsubscribe(topic: string, subscription: string): Promise<void> {
    checkName(topic, true);
    checkName(subscription, true);
    this.#subscriptions.delete(`${topic}@${subscription}`);
    await this.#onEveryLiveBroker((id) => encodeClient.unsubscribe(id, topic, subscription));
  }

  /** Takes messages from a queue on every broker; iterate it, and close() (or break) when done. */
  consume(queue: string, options?: ConsumeOptions): BrokerConsumer {
    if (this.#closed) throw zmqError("EBADF", "client is closed");
    checkName(queue, false);
    const credit = options?.credit ?? 100;
    const leaseMs = options?.leaseMs ?? 0;
    if (!Number.isInteger(credit) || credit < 1 || credit > 0xffff_ffff) throw zmqError("EINVAL", "credit must be a positive integer");
    if (!Number.isInteger(leaseMs) || leaseMs < 0 || leaseMs > 0xffff_ffff) throw zmqError("EINVAL", "leaseMs must be a non-negative integer");
    const consumer = new BrokerConsumer(queue, this.#nextSubId++, credit, leaseMs, (c) => this.#cancel(c));
    this.#consumers.set(consumer.subId, consumer);
    for (const link of this.#links.values()) if (link.isUp) consumer.subscribeOn(link);
    return consumer;
  }

  /** Statistics of every live broker. */
  async stats(): Promise<BrokerStats[]> {
    const live = [...this.#links.values()].filter((l) => l.isUp);
    const replies = await Promise.all(live.map((l) => l.request((id) => encodeClient.stats(id))));
    return replies.map((args) => JSON.parse(args[0]?.toString() ?? "{}") as BrokerStats);
  }

  /** One queue's figures, summed over the live brokers. */
  async queueDepth(queue: string): Promise<QueueDepth> {
    checkName(queue, false);
    const out: QueueDepth = { name: queue, depth: 0, ready: 0, unacked: 0 };
    for (const broker of await this.stats()) {
      const q = broker.queues.find((x) => x.name === queue);
      if (q === undefined) continue;
      out.depth += q.depth;
      out.ready += q.ready;
      out.unacked += q.unacked;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of [...this.#consumers.values()]) await c.close();
    await Promise.all([...this.#links.values()].map((l) => l.close()));
    this.#wakeUpWaiters();
  }

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

  // ---- routing --------------------------------------------------------------------------------

  /** The name's brokers in ring order, remembered for the names used lately. */
  #preference(name: string): BrokerLink[] {
    let links = this.#preferences.get(name);
    if (links === undefined) {
      if (this.#preferences.size >= 1024) this.#preferences.clear();
      links = this.#ring.preference(name).map((ep) => this.#links.get(ep)!);
      this.#preferences.set(name, links);
    }
    return links;
  }

  /** The first live broker in the name's ring order, if any. */
  #liveOwner(name: string): BrokerLink | null {
    if (this.#closed) return null;
    for (const link of this.#preference(name)) if (link.isUp) return link;
    return null;
  }

  /**
   * The first live broker in the name's ring order; waits (per sendTimeout, and until `callDeadline`)
   * when none is.
   */
  async #route(name: string, callDeadline = Infinity): Promise<BrokerLink> {
    const deadline = this.#sendTimeout < 0 ? Infinity : Date.now() + this.#sendTimeout;
    for (;;) {
      if (this.#closed) throw zmqError("EBADF", "client is closed");
      const link = this.#liveOwner(name);
      if (link !== null) return link;
      const left = Math.min(deadline, callDeadline) - Date.now();
      if (left <= 0) {
        if (callDeadline <= deadline) throw zmqError("ETIMEDOUT", "no broker is reachable");
        throw zmqError("EAGAIN", "no broker is reachable");
      }
      await this.#anyUp(left);
    }
  }

  #anyUp(timeoutMs = Infinity): Promise<void> {
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

  async #onEveryLiveBroker(build: (reqId: number) => Buffer[]): Promise<void> {
    for (;;) {
      const live = [...this.#links.values()].filter((l) => l.isUp);
      if (live.length === 0) {
        await this.#route("");
        continue;
      }
      const results = await Promise.allSettled(live.map((l) => l.request(build)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed === undefined) return;
      if ((failed.reason as { code?: string }).code !== "ENOTCONN") throw failed.reason;
      // A broker went down meanwhile; it gets the request again when it comes up.
      if (results.some((r) => r.status === "fulfilled")) return;
    }
  }

  #linkUp(link: BrokerLink): void {
    for (const { topic, subscription } of this.#subscriptions.values()) {
      link.request((id) => encodeClient.subscribe(id, topic, subscription)).catch(() => {});
    }
    for (const c of this.#consumers.values()) c.subscribeOn(link);
    this.#wakeUpWaiters();
  }

  #linkDown(link: BrokerLink): void {
    for (const c of this.#consumers.values()) c.dropFrom(link);
  }

  #deliver(link: BrokerLink, msg: DeliverMessage): void {
    this.#consumers.get(msg.subId)?.deliver(link, msg);
  }

  async #cancel(consumer: BrokerConsumer): Promise<void> {
    this.#consumers.delete(consumer.subId);
    await Promise.allSettled(
      [...this.#links.values()].filter((l) => l.isUp).map((l) => l.request((id) => encodeClient.cancel(id, consumer.subId))),
    );
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
