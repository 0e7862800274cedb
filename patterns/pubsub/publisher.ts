import { XPublisher } from "../../lib/index.js";
import { encodeValue } from "../codec/codec.js";
import { closedError } from "../internal/closed.js";
import { SerialSender } from "../internal/serial-sender.js";
import { FilterTable } from "./filter-table.js";
import { channelFrame, isChannelSubscription, isFilterDeclaration, isHello, parseHello, readyFrame } from "./filter-wire.js";
import { Audience, type AudienceState, type WaitForSubscribersOptions } from "./audience.js";
import { parseSubscription, readSubscriptions } from "./subscription-feed.js";
import { checkTopics, type TopicName, type Topics, type TopicValue } from "./topics.js";
import { invalidArgument } from "../../lib/public-errors.js";

/** A change in what the publisher's subscribers want, as its XPUB socket reports it. */
export type SubscriptionChange =
  /** A plain topic prefix got its first subscriber, or lost its last. */
  | { kind: "subscribe" | "unsubscribe"; prefix: string }
  /** A content filter was declared or withdrawn (see filter-wire.ts). */
  | { kind: "filter" | "unfilter"; channel: string; topic: string; where: unknown }
  /** A TopicSubscriber announced itself (its subscriptions so far are in place), or left. */
  | { kind: "join" | "leave"; channel: string; subscribers: number };

type XPublisherOptions = NonNullable<ConstructorParameters<typeof XPublisher>[0]>;

/**
 * Options of a {@link TopicPublisher}: the XPUB socket's options (but those the publisher sets
 * itself), and a hook told of each change in what the subscribers want.
 */
export type TopicPublisherOptions = Omit<XPublisherOptions, "verbose" | "verboser" | "manual" | "receiveTimeout"> & {
  /** Told of each change in what the subscribers want: prefixes, content filters, subscribers joining and leaving. */
  onSubscription?: (change: SubscriptionChange) => void;
};

/**
 * A typed publisher over XPUB. `publish(topic, value)` sends [topic, ...codec frames], so
 * plain SUB sockets subscribed to a topic prefix receive it as from any PUB. It also reads the
 * subscriptions coming upstream: content filters declared by TopicSubscribers are run here,
 * on the value before it is encoded, and only matching values are sent to those subscribers,
 * once each, on their channel (the wire format is in filter-wire.ts).
 */
export class TopicPublisher<S extends Topics> implements AsyncDisposable {
  /** The XPUB socket, for options and monitor events. */
  readonly socket: XPublisher;
  readonly #topics: S;
  readonly #sender: SerialSender;
  readonly #filters: FilterTable;
  readonly #topicFrames = new Map<string, Buffer>();
  readonly #onSubscription: ((change: SubscriptionChange) => void) | undefined;
  readonly #watching: Promise<void>;
  readonly #audience = new Audience();
  #published = 0;
  #filteredCopies = 0;

  constructor(topics: S, options?: TopicPublisherOptions) {
    checkTopics(topics);
    const { onSubscription, ...socketOptions } = options ?? {};
    this.#topics = topics;
    this.#filters = new FilterTable((topic) => Object.hasOwn(topics, topic));
    this.#onSubscription = onSubscription;
    // Not verbose: the XPUB then reports a subscription only for its first subscriber and a
    // cancel only for its last, so the filter table needs no reference counts of its own.
    this.socket = new XPublisher({ ...socketOptions, verbose: false, manual: false });
    this.#sender = new SerialSender(this.socket);
    this.#watching = readSubscriptions(this.socket, (msg) => this.#upstream(msg));
    // A failure other than closing surfaces from close(); until then it must not go unhandled.
    this.#watching.catch(() => {});
  }

  get lastEndpoint(): string | null {
    return this.socket.lastEndpoint;
  }

  /** Content filters now declared by subscribers. */
  get filters(): number {
    return this.#filters.size;
  }

  /** Filter declarations ignored because they were malformed. */
  get rejectedFilters(): number {
    return this.#filters.rejected;
  }

  /** Values published, and the filtered copies sent to filtering subscribers. */
  get stats(): { published: number; filteredCopies: number } {
    return { published: this.#published, filteredCopies: this.#filteredCopies };
  }

  /** Who is subscribed now: TopicSubscribers that announced themselves, plain prefixes, filters. */
  get audience(): AudienceState {
    return this.#audience.state(this.#filters.size);
  }

  /**
   * Resolves once `n` TopicSubscribers have announced themselves (each after its subscriptions
   * were in place here), or once `predicate` holds for the audience; checked now and after each
   * change. Rejects with ETIMEDOUT after `timeout` ms (default 10,000; -1 for no limit), with
   * EBADF if the publisher closes first, and with the signal's reason when aborted.
   */
  waitForSubscribers(want: number | ((audience: AudienceState) => boolean), options?: WaitForSubscribersOptions): Promise<AudienceState> {
    if (this.socket.closed) return Promise.reject(closedError("publisher"));
    return this.#audience.wait(want, () => this.#filters.size, options);
  }

  /** Binds the XPUB socket; subscribers connect to it. */
  bind(address: string): Promise<void> {
    return this.socket.bind(address);
  }

  /** Connects the XPUB socket to a bound subscriber or forwarder. */
  connect(address: string): void {
    this.socket.connect(address);
  }

  /**
   * Publishes a value on a topic: to plain subscribers of a matching prefix, and to each
   * filtering subscriber whose filter on this topic the value passes. As with PUB, a
   * subscriber whose queue is full misses the message (set `noDrop` to wait instead).
   */
  async publish<K extends TopicName<S>>(topic: K, value: TopicValue<S, K>): Promise<void> {
    if (this.socket.closed) throw closedError("publisher");
    if (!Object.hasOwn(this.#topics, topic)) throw invalidArgument(`topic ${JSON.stringify(topic)}`, "is not one of this publisher's topics");
    const codec = this.#topics[topic]!;
    const payload = encodeValue(codec, value);
    const topicFrame = this.#topicFrame(topic);
    this.#published++;
    await this.#sender.send([topicFrame, ...payload]);
    if (!this.#filters.has(topic)) return;
    const channels: string[] = [];
    this.#filters.forEachMatch(topic, value, (channel) => channels.push(channel));
    for (const channel of channels) {
      this.#filteredCopies++;
      await this.#sender.send([channelFrame(channel, topicFrame), ...payload]);
    }
  }

  /** Closes the socket; `waitForSubscribers` calls still waiting reject with `EBADF`. */
  async close(): Promise<void> {
    this.#audience.close(closedError("publisher"));
    await this.socket.close();
    await this.#watching;
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #topicFrame(topic: string): Buffer {
    let frame = this.#topicFrames.get(topic);
    if (frame === undefined) this.#topicFrames.set(topic, (frame = Buffer.from(topic, "utf8")));
    return frame;
  }

  /** One message from a subscriber: a subscription or cancel, or (ignored) anything else. */
  #upstream(msg: Buffer[]): void {
    const sub = parseSubscription(msg);
    if (sub === null) return;
    if (isFilterDeclaration(sub.topic)) {
      const declaration = sub.subscribe ? this.#filters.add(sub.topic) : this.#filters.remove(sub.topic);
      if (declaration !== null) this.#report({ kind: sub.subscribe ? "filter" : "unfilter", ...declaration });
      return;
    }
    if (isHello(sub.topic)) {
      this.#hello(sub.subscribe, sub.topic);
      return;
    }
    // A channel subscription needs nothing here: the XPUB routes the channel's copies by it.
    if (isChannelSubscription(sub.topic)) return;
    const prefix = sub.topic.toString("utf8");
    this.#audience.prefix(sub.subscribe, prefix, this.#filters.size);
    this.#report({ kind: sub.subscribe ? "subscribe" : "unsubscribe", prefix });
  }

  #hello(subscribe: boolean, topic: Buffer): void {
    const hello = parseHello(topic);
    if (hello === null) return;
    if (subscribe) this.#sender.send([readyFrame(hello.channel, hello.seq)]).catch(() => {});
    const change = this.#audience.hello(subscribe, hello.channel, hello.seq, this.#filters.size);
    if (change !== null) this.#report({ kind: change, channel: hello.channel, subscribers: this.#audience.subscribers });
  }

  #report(change: SubscriptionChange): void {
    try {
      this.#onSubscription?.(change);
    } catch {
      // The application's callback failing must not stop the publisher reading subscriptions.
    }
  }
}
