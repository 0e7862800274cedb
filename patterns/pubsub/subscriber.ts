import { EventEmitter } from "node:events";
import { XSubscriber, type ReceiveOptions } from "../../lib/index.js";
import { decodeFrames, DecodeError } from "../codec/codec.js";
import { decodeUtf8 } from "../codec/string.js";
import { closedError } from "../internal/closed.js";
import { channelSubscription, filterDeclaration, helloSubscription, newChannel, parseChannelFrame, parseReady } from "./filter-wire.js";
import { Readiness, type ReadyOptions } from "./readiness.js";
import { checkTopics, type TopicMessage, type TopicName, type Topics, type TopicValue } from "./topics.js";
import { compileWhere, type Where } from "./where.js";
import { invalidArgument, outOfRange, WiremqError } from "../../lib/public-errors.js";

type XSubscriberOptions = NonNullable<ConstructorParameters<typeof XSubscriber>[0]>;

/**
 * Options of a {@link TopicSubscriber}: the XSUB socket's options, a hook for messages that do
 * not decode, and how long to wait for a publisher to acknowledge a content filter.
 */
export type TopicSubscriberOptions = XSubscriberOptions & {
  /** Told of each message that could not be decoded (after it is counted); receiving goes on. */
  onDecodeError?: (error: DecodeError) => void;
  /**
   * ms after a content filter is subscribed and a connection is up within which a publisher
   * must acknowledge it; then a `warning` event (code EFILTERIGNORED) says the upstream
   * ignores filters, as a plain PUB does (default 2,000; -1: never warn).
   */
  filterAckTimeout?: number;
};

/** The default `filterAckTimeout` of a {@link TopicSubscriber}, in ms. */
export const FILTER_ACK_TIMEOUT = 2000;
/** Messages ready() may read ahead while it waits for its answer, kept for receive(). */
const READ_AHEAD_LIMIT = 1000;

interface TopicSubscriberEvents {
  warning: [warning: Error & { code: string }];
}

/**
 * Options of `TopicSubscriber.subscribe`: a content filter sent upstream (`where`) and/or a local test (`match`).
 *
 * @example
 * ```ts
 * import { json, TopicSubscriber } from "wiremq/patterns";
 * const sub = new TopicSubscriber({ prices: json<{ symbol: string; price: number }>() });
 * sub.connect("tcp://127.0.0.1:5556");
 * // Only prices above 100 cross the network; the local test then keeps round ones.
 * sub.subscribe("prices", { where: { field: "price", gt: 100 }, match: (p) => p.price % 10 === 0 });
 * ```
 */
export interface SubscribeOptions<V> {
  /**
   * A content filter sent upstream: the publisher (or a filtering forwarder) sends only the
   * values that pass it, so the others never cross the network.
   */
  where?: Where<V>;
  /** A local test for anything a declarative filter cannot say; runs here on each value. */
  match?: (value: V) => boolean;
}

/** One subscription; `cancel()` withdraws it (upstream too, once nothing else needs it). */
export interface Subscription {
  readonly topic: string;
  /** Withdraws the subscription (upstream too, once nothing else needs it). */
  cancel(): void;
}

/** What one subscribe() call asked for. */
interface Entry {
  /** The upstream prefix for entries without a filter: a topic prefix, or the exact topic. */
  prefix: Buffer;
  /** Set for subscribe(topic, options): only this exact topic, tested by where and match. */
  topic: string | null;
  where: ((value: unknown) => boolean) | null;
  match: ((value: unknown) => boolean) | null;
  /** The filter declaration sent upstream (filtered entries only). */
  declaration: Buffer | null;
}

/**
 * A typed subscriber over XSUB. `subscribe(prefix)` is a plain ZMTP subscription (any PUB will
 * serve it); `subscribe(topic, { where })` sends a content filter upstream to a
 * TopicPublisher, which then sends only matching values; `match` filters locally. Values
 * arrive decoded and tagged with their topic; a message that does not decode is counted,
 * reported to `onDecodeError`, and skipped.
 */
export class TopicSubscriber<S extends Topics> extends EventEmitter<TopicSubscriberEvents> implements AsyncIterable<TopicMessage<S>>, AsyncDisposable {
  /** The XSUB socket, for options and monitor events. */
  readonly socket: XSubscriber;
  /** Names this subscriber's filtered copies upstream (see filter-wire.ts). */
  readonly channel = newChannel();
  readonly #topics: S;
  readonly #onDecodeError: ((error: DecodeError) => void) | undefined;
  readonly #entries = new Set<Entry>();
  /** How many entries need each upstream subscription (keyed by its bytes as latin1). */
  readonly #upstream = new Map<string, number>();
  readonly #readiness = new Readiness();
  readonly #filterAckTimeout: number;
  /** What ready() read while nobody else was receiving, handed out by receive() first. */
  readonly #readAhead: Buffer[][] = [];
  #readers = 0;
  #pump: { done: Promise<void>; abort: AbortController } | null = null;
  #connected = false;
  #checkingFilters = false;
  #decodeErrors = 0;
  #ignored = 0;

  constructor(topics: S, options?: TopicSubscriberOptions) {
    super();
    checkTopics(topics);
    const { onDecodeError, filterAckTimeout, ...socketOptions } = options ?? {};
    this.#filterAckTimeout = filterAckTimeout ?? FILTER_ACK_TIMEOUT;
    if (typeof this.#filterAckTimeout !== "number" || !(this.#filterAckTimeout >= 0 || this.#filterAckTimeout === -1)) {
      throw outOfRange("filterAckTimeout", "must be ms ≥ 0, or -1");
    }
    this.#topics = topics;
    this.#onDecodeError = onDecodeError;
    // XSUB, not SUB: a SUB would drop the filtered copies, whose frame 0 matches none of its
    // own subscriptions; topics are matched here instead.
    this.socket = new XSubscriber(socketOptions);
    this.socket.events.on("handshake", () => {
      this.#connected = true;
      this.#checkFilters();
    });
  }

  /** Messages received but not wanted here (another subscriber's filtered copies, unknown prefixes). */
  get ignored(): number {
    return this.#ignored;
  }

  /** Messages dropped because they could not be decoded. */
  get decodeErrors(): number {
    return this.#decodeErrors;
  }

  get closed(): boolean {
    return this.socket.closed;
  }

  get lastEndpoint(): string | null {
    return this.socket.lastEndpoint;
  }

  /** Binds the XSUB socket; publishers connect to it. */
  bind(address: string): Promise<void> {
    return this.socket.bind(address);
  }

  /** Connects the XSUB socket to a bound publisher or forwarder. */
  connect(address: string): void {
    this.socket.connect(address);
  }

  /** Every topic that begins with `prefix` (all topics without one), as a plain SUB would. */
  subscribe(prefix?: string): Subscription;
  /** Exactly `topic`, filtered upstream by `where` and here by `match`. */
  subscribe<K extends TopicName<S>>(topic: K, options: SubscribeOptions<TopicValue<S, K>>): Subscription;
  subscribe(topic = "", options?: { where?: unknown; match?: (value: never) => boolean }): Subscription {
    if (this.socket.closed) throw closedError("subscriber");
    const where = options?.where === undefined ? null : compileWhere(options.where);
    const entry: Entry = {
      prefix: Buffer.from(topic, "utf8"),
      topic: options === undefined ? null : topic,
      where,
      match: (options?.match as ((value: unknown) => boolean) | undefined) ?? null,
      declaration: where === null ? null : filterDeclaration({ channel: this.channel, topic, where: options!.where }),
    };
    if (entry.topic !== null && !Object.hasOwn(this.#topics, entry.topic)) {
      throw invalidArgument(`topic ${JSON.stringify(topic)}`, "is not one of this subscriber's topics");
    }
    this.#entries.add(entry);
    for (const s of this.#subscriptionsOf(entry)) this.#retain(s);
    this.#announce();
    if (entry.declaration !== null) this.#checkFilters();
    let cancelled = false;
    return {
      topic,
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        this.#entries.delete(entry);
        if (!this.socket.closed) for (const s of this.#subscriptionsOf(entry).reverse()) this.#release(s);
      },
    };
  }

  /** The next message that is subscribed, decodes, and passes its filters. */
  async receive(options?: ReceiveOptions): Promise<TopicMessage<S>> {
    this.#readers++;
    try {
      await this.#stopPump();
      for (;;) {
        const frames = this.#readAhead.shift() ?? (await this.socket.receive(options));
        try {
          const message = this.#accept(frames);
          if (message !== null) return message;
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
          this.#decodeErrors++;
          this.#onDecodeError?.(err);
        }
      }
    } finally {
      this.#readers--;
    }
  }

  /**
   * Resolves once a TopicPublisher (directly, or through forwarders) holds every subscription
   * made so far: it answers the hello sent after them. With several publishers, the first
   * answer does. Rejects with ETIMEDOUT after `timeout` ms (default 10,000; -1: no limit) —
   * also what a plain PUB upstream gives, as it never answers — and with EBADF on close.
   * Messages that arrive meanwhile are kept for receive().
   */
  ready(options?: ReadyOptions): Promise<void> {
    if (this.socket.closed) return Promise.reject(closedError("subscriber"));
    if (this.#readiness.seq === 0) this.#announce();
    const waiting = this.#readiness.wait(options);
    this.#startPump();
    return waiting;
  }

  /** Yields messages until the subscriber is closed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<TopicMessage<S>, undefined, undefined> {
    while (!this.socket.closed) {
      try {
        yield await this.receive();
      } catch (err) {
        if (this.socket.closed) return undefined;
        throw err;
      }
    }
    return undefined;
  }

  /** Closes the socket; `ready()` calls still waiting reject with `EBADF`. */
  close(): Promise<void> {
    this.#readiness.close(closedError("subscriber"));
    return this.socket.close();
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- upstream subscriptions ----------------------------------------------------------------

  /**
   * The channel goes upstream before the filter: a publisher starts sending filtered copies as
   * soon as it reads the filter, and every proxy on the way (an XPUB matches what it forwards)
   * must already hold the channel subscription by then. Each hop forwards in order, so sending
   * the channel first is enough. Cancelled in the reverse order for the same reason.
   */
  #subscriptionsOf(entry: Entry): Buffer[] {
    if (entry.declaration !== null) return [channelSubscription(this.channel), entry.declaration];
    // Everything means every topic of the map, by name: an empty prefix would also match the
    // filtered copies meant for other subscribers (frame 0 begins with NUL), all of them.
    if (entry.prefix.length === 0) return Object.keys(this.#topics).map((name) => Buffer.from(name, "utf8"));
    return [entry.prefix];
  }

  /**
   * Sends a fresh hello after the subscriptions made so far and withdraws the last one, so a
   * publisher's answer to it means they are all in place (see filter-wire.ts).
   */
  #announce(): void {
    if (this.socket.closed) return;
    const previous = this.#readiness.seq;
    if (previous === 0) this.#retain(channelSubscription(this.channel));
    this.#sendSubscription(1, helloSubscription(this.channel, this.#readiness.next()));
    if (previous !== 0) this.#sendSubscription(0, helloSubscription(this.channel, previous));
  }

  /** Warns, once per check, when a filter is subscribed and no publisher answers in time. */
  #checkFilters(): void {
    if (this.#checkingFilters || !this.#connected || this.#filterAckTimeout === -1) return;
    if (![...this.#entries].some((e) => e.declaration !== null)) return;
    this.#checkingFilters = true;
    this.ready({ timeout: this.#filterAckTimeout }).then(
      () => (this.#checkingFilters = false),
      (err: { code?: string }) => {
        this.#checkingFilters = false;
        if (err.code !== "ETIMEDOUT" || this.socket.closed) return;
        const warning = new WiremqError("EFILTERIGNORED", `no publisher acknowledged this subscriber's content filters within ${this.#filterAckTimeout} ms: its upstream may be a plain PUB, which ignores them, so filtered subscriptions receive nothing`);
        this.emit("warning", warning);
      },
    );
  }

  // ---- reading for ready() -------------------------------------------------------------------

  /** Reads for a waiting ready() while no receive() runs, keeping what is not the answer. */
  #startPump(): void {
    if (this.#pump !== null || this.#readers > 0) return;
    const abort = new AbortController();
    const done = (async () => {
      while (this.#readiness.waiting && this.#readers === 0 && !this.socket.closed && this.#readAhead.length < READ_AHEAD_LIMIT) {
        let frames: Buffer[];
        try {
          frames = await this.socket.receive({ signal: abort.signal });
        } catch {
          return;
        }
        if (!this.#answer(frames)) this.#readAhead.push(frames);
      }
    })().finally(() => (this.#pump = null));
    this.#pump = { done, abort };
  }

  async #stopPump(): Promise<void> {
    const pump = this.#pump;
    if (pump === null) return;
    pump.abort.abort();
    await pump.done;
  }

  /** True when the frames are a publisher's answer to a hello (handled here). */
  #answer(frames: Buffer[]): boolean {
    const copy = frames.length === 1 ? parseChannelFrame(frames[0]!) : null;
    if (copy === null || copy.channel !== this.channel) return false;
    const seq = parseReady(copy.topic);
    if (seq === null) return false;
    this.#readiness.answered(seq);
    return true;
  }

  // Counted here and sent once: an XPUB counts a peer's repeated SUBSCRIBEs, but an XSUB sends
  // its CANCEL only for the last, so repeats would leave a subscription behind upstream.
  #retain(subscription: Buffer): void {
    const key = subscription.toString("latin1");
    const n = this.#upstream.get(key) ?? 0;
    this.#upstream.set(key, n + 1);
    if (n === 0) this.#sendSubscription(1, subscription);
  }

  #release(subscription: Buffer): void {
    const key = subscription.toString("latin1");
    const n = this.#upstream.get(key) ?? 0;
    if (n > 1) {
      this.#upstream.set(key, n - 1);
      return;
    }
    this.#upstream.delete(key);
    if (n === 1) this.#sendSubscription(0, subscription);
  }

  #sendSubscription(kind: 0 | 1, topic: Buffer): void {
    const message = Buffer.allocUnsafe(topic.length + 1);
    message[0] = kind;
    topic.copy(message, 1);
    // An XSUB takes a subscription at once (it never waits for room), so this settles now.
    this.socket.send(message).catch(() => {});
  }

  // ---- receiving -----------------------------------------------------------------------------

  /** The message, if this subscriber wants it; null for messages it ignores. */
  #accept(frames: Buffer[]): TopicMessage<S> | null {
    const frame0 = frames[0]!;
    if (frame0.length > 0 && frame0[0] === 0) {
      if (this.#answer(frames)) return null;
      const message = this.#acceptFiltered(frames);
      if (message === null) this.#ignored++;
      return message;
    }
    let prefixed = false;
    let exact = false;
    for (const e of this.#entries) {
      if (e.topic === null) prefixed ||= startsWith(frame0, e.prefix);
      else exact ||= frame0.equals(e.prefix);
    }
    if (!prefixed && !exact) {
      this.#ignored++;
      return null;
    }
    const message = this.#decode(frame0, frames);
    if (prefixed) return message;
    for (const e of this.#entries) {
      if (e.topic === message.topic && passes(e, message.value)) return message;
    }
    return null;
  }

  /** A filtered copy: ours only if it is on our channel and no plain copy comes as well. */
  #acceptFiltered(frames: Buffer[]): TopicMessage<S> | null {
    const copy = parseChannelFrame(frames[0]!);
    if (copy === null || copy.channel !== this.channel) return null;
    for (const e of this.#entries) {
      if (e.declaration === null && startsWith(copy.topic, e.prefix)) return null;
    }
    const message = this.#decode(copy.topic, frames);
    for (const e of this.#entries) {
      if (e.declaration !== null && e.topic === message.topic && passes(e, message.value)) return message;
    }
    return null;
  }

  #decode(topicBytes: Buffer, frames: Buffer[]): TopicMessage<S> {
    let topic: string;
    try {
      topic = decodeUtf8(topicBytes);
    } catch {
      throw new DecodeError("topic", frames, "topic is not UTF-8");
    }
    if (!Object.hasOwn(this.#topics, topic)) throw new DecodeError("topic", frames, `unknown topic ${JSON.stringify(topic)}`);
    const value: unknown = decodeFrames(this.#topics[topic]!, frames.slice(1), frames);
    return { topic, value } as TopicMessage<S>;
  }
}

function passes(entry: Entry, value: unknown): boolean {
  return (entry.where === null || entry.where(value)) && (entry.match === null || entry.match(value));
}

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}
