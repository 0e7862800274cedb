/**
 * A bridge between ZeroMQ sockets and a durable queue, so a brokerless pipeline can put
 * durability in the middle: PULL or SUB → queue, where each message is confirmed stored before
 * the next is taken from the socket (at most `window` unconfirmed, default 1), and queue → PUSH
 * or PUB, where a message is acknowledged only after the socket accepted it. A put that fails
 * (no leader during an election, a timeout) is retried until it is stored or the bridge
 * closes: nothing taken from the socket is dropped while the bridge runs.
 *
 * The queue side is any durable-queue backend (JetStream or the embedded broker), seen only
 * through the few calls below: devices sit below the broker layer and do not import it.
 */
import { zmqError } from "../errors.js";
import { Pull } from "../sockets/pull.js";
import { Push } from "../sockets/push.js";
import { Publisher } from "../sockets/pub.js";
import { Subscriber } from "../sockets/sub.js";
import { attachEndpoints, parseEndpointSpecs } from "./endpoint-spec.js";

/** What the bridge needs of a durable-queue client (wiremq/broker's DurableQueues has it). */
export interface BridgeQueues {
  /** Stores one message; resolves once it is stored. */
  put(queue: string, body: Buffer): Promise<unknown>;
  /** Starts consuming a queue, holding at most `credit` unacknowledged deliveries. */
  consume(queue: string, options?: { credit?: number }): BridgeConsumer;
}

/** A consumer of a durable queue, as the bridge uses it (a `QueueConsumer` of wiremq/broker has it). */
export interface BridgeConsumer {
  /** The next delivery; undefined once the consumer is closed. */
  next(): Promise<BridgeDelivery | undefined>;
  /** Stops consuming; unacknowledged deliveries go back to the queue. */
  close(): Promise<void>;
}

/** A message from a durable queue, as the bridge uses it (a `QueueDelivery` of wiremq/broker has it). */
export interface BridgeDelivery {
  readonly body: Buffer;
  /** Done with it: the queue forgets it. */
  ack(): Promise<void>;
  /** Not taken: it goes back to the queue. */
  nack(): Promise<unknown>;
}

/** Options of a {@link QueueBridge}: the queue side (`queues`, `queue`) and the socket side. */
export interface QueueBridgeOptions {
  queues: BridgeQueues;
  queue: string;
  /** `pull` or `sub` takes from the socket into the queue; `push` or `pub` sends from the queue. */
  socket: "pull" | "sub" | "push" | "pub";
  /** Where the socket binds (`@addr`, the default) or connects (`>addr`); comma-separated. */
  endpoints: string;
  /** sub: topic prefixes (default: everything). */
  subscribe?: string[];
  /** Into the queue: most puts unconfirmed at once (default 1). Out of it: the consumer's credit (default 100). */
  window?: number;
}

/** What a {@link QueueBridge} has moved since it started; read it from `bridge.stats`. */
export interface QueueBridgeStats {
  /** Taken from the socket and confirmed stored. */
  stored: number;
  /** Sent on the socket and acknowledged. */
  forwarded: number;
  /** Put attempts that failed and were retried. */
  retries: number;
  /** Messages of more than one frame, which a queue message cannot hold: not taken. */
  refused: number;
}

/**
 * Moves messages between a ZeroMQ socket and a durable queue without dropping any: a PULL or
 * SUB socket into the queue (each message confirmed stored before more than `window` are
 * taken), or the queue out to a PUSH or PUB socket (each acknowledged only once the socket
 * took it). A failed put is retried until it is stored or the bridge closes. The command line's
 * `wiremq bridge` is this.
 *
 * @throws WiremqError `EINVAL` from the constructor for a bad `socket`, `queue`, `window` or
 * endpoint; `EBUSY` from a second `start()`.
 *
 * @example
 * ```ts
 * import { openDurableQueues } from "wiremq/broker";
 * import { QueueBridge } from "wiremq/devices";
 * const queues = openDurableQueues({ backend: "embedded", endpoints: "tcp://127.0.0.1:5570" });
 * const bridge = new QueueBridge({ queues, queue: "orders", socket: "pull", endpoints: "@tcp://127.0.0.1:5571" });
 * await bridge.start();   // PUSH sockets may now connect to port 5571; every message lands in "orders"
 * // ...
 * await bridge.close();
 * await queues.close();
 * ```
 */
export class QueueBridge {
  readonly #o: Required<Omit<QueueBridgeOptions, "subscribe">> & { subscribe: string[] };
  readonly #socket: Pull | Subscriber | Push | Publisher;
  readonly stats: QueueBridgeStats = { stored: 0, forwarded: 0, retries: 0, refused: 0 };
  #bound: string[] = [];
  #running: Promise<void> | null = null;
  #consumer: BridgeConsumer | null = null;
  #closed = false;
  /** Told of each message stored (into) or acknowledged (out of), for tests and logs. */
  onMessage: ((body: Buffer) => void) | null = null;

  constructor(options: QueueBridgeOptions) {
    const kinds = ["pull", "sub", "push", "pub"];
    if (!kinds.includes(options?.socket)) throw zmqError("EINVAL", `socket must be one of ${kinds.join(", ")}`);
    if (typeof options.queue !== "string" || options.queue === "") throw zmqError("EINVAL", "queue must be a non-empty string");
    const into = options.socket === "pull" || options.socket === "sub";
    const window = options.window ?? (into ? 1 : 100);
    if (!Number.isInteger(window) || window < 1) throw zmqError("EINVAL", "window must be a positive integer");
    this.#o = { ...options, window, subscribe: options.subscribe ?? [""] };
    this.#socket =
      options.socket === "pull" ? new Pull() : options.socket === "sub" ? new Subscriber() : options.socket === "push" ? new Push() : new Publisher();
    parseEndpointSpecs(options.endpoints, "bind");
  }

  /** The endpoints the socket bound, with real ports (after start()). */
  get bound(): string[] {
    return this.#bound;
  }

  /** Binds or connects the socket and starts moving messages; resolves once attached. */
  async start(): Promise<void> {
    if (this.#running !== null) throw zmqError("EBUSY", "the bridge is already running");
    this.#bound = await attachEndpoints(this.#socket, parseEndpointSpecs(this.#o.endpoints, "bind"));
    if (this.#socket instanceof Subscriber) for (const t of this.#o.subscribe) this.#socket.subscribe(t);
    const run = this.#socket instanceof Pull || this.#socket instanceof Subscriber ? this.#into(this.#socket) : this.#outOf(this.#socket);
    this.#running = run.catch((err: { code?: string }) => {
      if (!this.#closed) throw err;
    });
  }

  /** Resolves when the bridge stops: after close(), or with the error that stopped it. */
  get done(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  async #into(socket: Pull | Subscriber): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (!this.#closed) {
      const frames = await socket.receive();
      if (frames.length !== 1) {
        this.stats.refused++;
        continue;
      }
      const body = frames[0]!;
      const stored = this.#putUntilStored(body).finally(() => inFlight.delete(stored));
      inFlight.add(stored);
      // The next message stays in the socket (and behind it, under the peer's high-water mark) until there is room.
      while (inFlight.size >= this.#o.window) await Promise.race(inFlight);
    }
    await Promise.allSettled([...inFlight]);
  }

  async #putUntilStored(body: Buffer): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#o.queues.put(this.#o.queue, body);
        this.stats.stored++;
        this.onMessage?.(body);
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (this.#closed || code === "EINVAL" || code === "EMSGSIZE" || code === "EBADF") throw err;
        this.stats.retries++;
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  async #outOf(socket: Push | Publisher): Promise<void> {
    const consumer = this.#o.queues.consume(this.#o.queue, { credit: this.#o.window });
    this.#consumer = consumer;
    for (;;) {
      const d = await consumer.next();
      if (d === undefined) return;
      try {
        await socket.send(d.body);
      } catch (err) {
        // The socket is closing: the message goes back to the queue.
        await d.nack().catch(() => undefined);
        throw err;
      }
      await d.ack();
      this.stats.forwarded++;
      this.onMessage?.(d.body);
    }
  }

  /** Stops: puts in flight finish first (their messages were taken from the socket), then the socket closes. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#consumer?.close();
    this.#socket.close();
    await this.#running;
  }
}
