import { XPublisher, XSubscriber } from "../../lib/index.js";
import { decodeFrames, DecodeError } from "../codec/codec.js";
import { decodeUtf8 } from "../codec/string.js";
import { SerialSender } from "../internal/serial-sender.js";
import { FilterTable } from "./filter-table.js";
import { channelFrame, isChannelSubscription, isFilterDeclaration, isHello, parseHello, readyFrame } from "./filter-wire.js";
import type { SubscriptionChange } from "./publisher.js";
import { parseSubscription, readSubscriptions } from "./subscription-feed.js";
import { checkTopics, type Topics } from "./topics.js";

type XSubscriberOptions = NonNullable<ConstructorParameters<typeof XSubscriber>[0]>;
type XPublisherOptions = NonNullable<ConstructorParameters<typeof XPublisher>[0]>;

/** Options of a {@link FilteringForwarder}: each side's socket options and the hooks. */
export interface FilteringForwarderOptions {
  upstream?: Omit<XSubscriberOptions, "receiveTimeout">;
  downstream?: Omit<XPublisherOptions, "verbose" | "verboser" | "manual" | "receiveTimeout">;
  /** Told of each message on a filtered topic that could not be decoded (it is still forwarded plain). */
  onDecodeError?: (error: DecodeError) => void;
  /** Told of each change in what the downstream subscribers want. */
  onSubscription?: (change: SubscriptionChange) => void;
}

/** What a {@link FilteringForwarder} has done since it started. */
export interface FilteringForwarderStats {
  /** Messages passed downstream as they came. */
  forwarded: number;
  /** Filtered copies sent to filtering subscribers. */
  filteredCopies: number;
  decodeErrors: number;
}

/**
 * An XSUB/XPUB forwarder that runs content filters itself, for publishers that know nothing of
 * them (a plain PUB, in any language). Subscribers connect downstream; the forwarder connects
 * (or binds) upstream. Plain subscriptions pass upstream as a forwarder's do. A filter
 * declaration stops here: the forwarder subscribes upstream to the filter's topic, decodes each
 * message on it with the topic's codec, and sends the filtering subscriber only the values that
 * pass, so the rest go no further than this hop. The wire format is in filter-wire.ts.
 */
export class FilteringForwarder<S extends Topics> implements AsyncDisposable {
  readonly upstream: XSubscriber;
  readonly downstream: XPublisher;
  readonly #topics: S;
  readonly #filters: FilterTable;
  readonly #toUpstream: SerialSender;
  readonly #toDownstream: SerialSender;
  /** Subscriptions sent upstream, by topic bytes (latin1), with how many needs each serves. */
  readonly #upstreamTopics = new Map<string, number>();
  readonly #onDecodeError: ((error: DecodeError) => void) | undefined;
  readonly #onSubscription: ((change: SubscriptionChange) => void) | undefined;
  readonly #running: Promise<void>;
  readonly #stats = { forwarded: 0, filteredCopies: 0, decodeErrors: 0 };

  constructor(topics: S, options: FilteringForwarderOptions = {}) {
    checkTopics(topics);
    this.#topics = topics;
    this.#filters = new FilterTable((topic) => Object.hasOwn(topics, topic));
    this.#onDecodeError = options.onDecodeError;
    this.#onSubscription = options.onSubscription;
    this.upstream = new XSubscriber(options.upstream);
    // Not verbose: one SUBSCRIBE per topic's first subscriber, one CANCEL for its last.
    this.downstream = new XPublisher({ ...options.downstream, verbose: false, manual: false });
    this.#toUpstream = new SerialSender(this.upstream);
    this.#toDownstream = new SerialSender(this.downstream);
    this.#running = Promise.all([readSubscriptions(this.downstream, (msg) => this.#fromSubscribers(msg)), this.#forward()]).then(() => {});
    this.#running.catch(() => {});
  }

  get filters(): number {
    return this.#filters.size;
  }

  get rejectedFilters(): number {
    return this.#filters.rejected;
  }

  get stats(): FilteringForwarderStats {
    return { ...this.#stats };
  }

  /** Closes both sockets and waits for the forwarding to stop. */
  async close(): Promise<void> {
    await Promise.all([this.upstream.close(), this.downstream.close()]);
    await this.#running;
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- subscriptions, downstream to upstream -------------------------------------------------

  #fromSubscribers(msg: Buffer[]): void {
    const sub = parseSubscription(msg);
    if (sub === null) {
      // Not a subscription: passed upstream, as a forwarder passes what subscribers send.
      this.#toUpstream.send(msg).catch(() => {});
      return;
    }
    if (isFilterDeclaration(sub.topic)) {
      const declaration = sub.subscribe ? this.#filters.add(sub.topic) : this.#filters.remove(sub.topic);
      if (declaration === null) return;
      // The values a filter tests come from a plain subscription to its topic, made here.
      const topic = Buffer.from(declaration.topic, "utf8");
      if (sub.subscribe) this.#retain(topic);
      else this.#release(topic);
      this.#report({ kind: sub.subscribe ? "filter" : "unfilter", ...declaration });
      return;
    }
    if (isHello(sub.topic)) {
      // Filters are run here, so the answer is this forwarder's to give; it goes no further.
      const hello = parseHello(sub.topic);
      if (hello !== null && sub.subscribe) this.#toDownstream.send([readyFrame(hello.channel, hello.seq)]).catch(() => {});
      return;
    }
    // Filtered copies are made here, so a channel subscription only routes them downstream.
    if (isChannelSubscription(sub.topic)) return;
    if (sub.subscribe) this.#retain(sub.topic);
    else this.#release(sub.topic);
    this.#report({ kind: sub.subscribe ? "subscribe" : "unsubscribe", prefix: sub.topic.toString("utf8") });
  }

  // Counted here so a topic wanted both plainly and by a filter is subscribed once upstream:
  // an XSUB sends every SUBSCRIBE but only the last CANCEL, and an XPUB that counts repeats
  // would keep the topic subscribed after both needs are gone.
  #retain(topic: Buffer): void {
    const key = topic.toString("latin1");
    const n = this.#upstreamTopics.get(key) ?? 0;
    this.#upstreamTopics.set(key, n + 1);
    if (n === 0) this.#sendUpstream(1, topic);
  }

  #release(topic: Buffer): void {
    const key = topic.toString("latin1");
    const n = this.#upstreamTopics.get(key) ?? 0;
    if (n > 1) {
      this.#upstreamTopics.set(key, n - 1);
      return;
    }
    this.#upstreamTopics.delete(key);
    if (n === 1) this.#sendUpstream(0, topic);
  }

  #sendUpstream(kind: 0 | 1, topic: Buffer): void {
    this.#toUpstream.send([Buffer.concat([Buffer.of(kind), topic])]).catch(() => {});
  }

  #report(change: SubscriptionChange): void {
    try {
      this.#onSubscription?.(change);
    } catch {
      // The application's callback failing must not stop the forwarder.
    }
  }

  // ---- messages, upstream to downstream ------------------------------------------------------

  async #forward(): Promise<void> {
    while (!this.upstream.closed) {
      let msg: Buffer[];
      try {
        msg = await this.upstream.receive();
      } catch (err) {
        if (this.upstream.closed) return;
        throw err;
      }
      try {
        await this.#deliver(msg);
      } catch (err) {
        if (this.downstream.closed) return;
        throw err;
      }
    }
  }

  async #deliver(msg: Buffer[]): Promise<void> {
    const frame0 = msg[0]!;
    // Plain subscribers take it by prefix; filtering subscribers hold no plain prefix for it.
    this.#stats.forwarded++;
    await this.#toDownstream.send([...msg]);
    const topic = topicOf(frame0);
    if (topic === null || !this.#filters.has(topic)) return;
    let value: unknown;
    try {
      value = decodeFrames(this.#topics[topic]!, msg.slice(1), msg);
    } catch (err) {
      this.#stats.decodeErrors++;
      this.#onDecodeError?.(err as DecodeError);
      return;
    }
    const channels: string[] = [];
    this.#filters.forEachMatch(topic, value, (channel) => channels.push(channel));
    for (const channel of channels) {
      this.#stats.filteredCopies++;
      await this.#toDownstream.send([channelFrame(channel, frame0), ...msg.slice(1)]);
    }
  }
}

/** The topic a message's frame 0 names, or null for a filtered copy or non-UTF-8 bytes. */
function topicOf(frame0: Buffer): string | null {
  if (frame0.length > 0 && frame0[0] === 0) return null;
  try {
    return decodeUtf8(frame0);
  } catch {
    return null;
  }
}
