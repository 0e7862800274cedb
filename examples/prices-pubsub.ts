/**
 * Prices over pub/sub with a content filter: one publisher, three subscribers. One takes every
 * price; one sends a filter upstream, so the publisher sends it only what passes; one filters
 * locally with a predicate the publisher cannot run.
 */
import { json, string, TopicPublisher, TopicSubscriber, type SubscriptionChange } from "../patterns/index.js";

export interface Price {
  symbol: string;
  bid: number;
  ask: number;
}

export const marketTopics = { prices: json<Price>(), close: string };
type Market = typeof marketTopics;

export interface PubSubResult {
  published: number;
  /** Prices each subscriber received. */
  received: { everything: number; filteredUpstream: number; filteredLocally: number };
  /** What the filters should let through, counted at the source. */
  expected: { filteredUpstream: number; filteredLocally: number };
  /** Copies the publisher sent to the filtering subscriber: what crossed its connection. */
  filteredCopies: number;
}

const SYMBOLS = ["ACME", "BOLT", "CORE", "DYNE", "ECHO"];
const priceAt = (i: number): Price => {
  const mid = 100 + ((i * 37) % 41) - 20;
  return { symbol: SYMBOLS[i % SYMBOLS.length]!, bid: mid - 0.05, ask: mid + 0.05 + (i % 7) * 0.01 };
};
const upstreamFilter = { and: [{ field: "symbol", in: ["ACME", "CORE"] }, { field: "bid", gt: 110 }] } as const;
const wideSpread = (p: Price): boolean => p.ask - p.bid > 0.14;

export async function pricesPubSub(log: (line: string) => void = console.log): Promise<PubSubResult> {
  const wanted = new Set(["subscribe:pri", "subscribe:prices", "filter:prices"]);
  let allSubscribed!: () => void;
  const subscribed = new Promise<void>((resolve) => (allSubscribed = resolve));
  const onSubscription = (c: SubscriptionChange): void => {
    const key = c.kind === "filter" ? `filter:${c.topic}` : `${c.kind}:${"prefix" in c ? c.prefix : ""}`;
    if (c.kind === "filter") log(`publisher: filter from channel ${c.channel}: ${JSON.stringify(c.where)}`);
    if (wanted.delete(key) && wanted.size === 0) allSubscribed();
  };
  // noDrop: wait for a slow subscriber rather than drop its prices (PUB's default), so the
  // counts below are exact; the burst of 1000 is more than one send high-water mark.
  const publisher = new TopicPublisher(marketTopics, { onSubscription, noDrop: true });
  const everything = new TopicSubscriber(marketTopics);
  const upstream = new TopicSubscriber(marketTopics);
  const local = new TopicSubscriber(marketTopics);
  const subscribers = [everything, upstream, local];
  const N = 1000;
  try {
    await publisher.bind("tcp://127.0.0.1:*");
    log(`publisher at ${publisher.lastEndpoint}`);
    for (const s of subscribers) s.connect(publisher.lastEndpoint!);
    // Each subscribes to "close" before its own subscription: the publisher sees them in that
    // order, so once it has seen all three of the others, every "close" is in place.
    for (const s of subscribers) s.subscribe("close");
    everything.subscribe("pri");
    upstream.subscribe("prices", { where: upstreamFilter });
    local.subscribe("prices", { match: wideSpread });
    await subscribed;

    const count = async (sub: TopicSubscriber<Market>): Promise<number> => {
      let n = 0;
      for await (const m of sub) {
        if (m.topic === "close") return n;
        n++;
      }
      return n;
    };
    const counting = Promise.all(subscribers.map(count));
    for (let i = 0; i < N; i++) await publisher.publish("prices", priceAt(i));
    await publisher.publish("close", "market closed");
    const [all, filtered, locally] = await counting;

    const prices = Array.from({ length: N }, (_, i) => priceAt(i));
    const expected = {
      filteredUpstream: prices.filter((p) => ["ACME", "CORE"].includes(p.symbol) && p.bid > 110).length,
      filteredLocally: prices.filter(wideSpread).length,
    };
    log(`published ${N} prices`);
    log(`everything: ${all}; upstream filter: ${filtered} (expected ${expected.filteredUpstream}); local predicate: ${locally} (expected ${expected.filteredLocally})`);
    log(`the publisher sent the filtering subscriber ${publisher.stats.filteredCopies} copies instead of ${N}`);
    return {
      published: N,
      received: { everything: all!, filteredUpstream: filtered!, filteredLocally: locally! },
      expected,
      filteredCopies: publisher.stats.filteredCopies,
    };
  } finally {
    for (const s of subscribers) await s.close();
    await publisher.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await pricesPubSub();
