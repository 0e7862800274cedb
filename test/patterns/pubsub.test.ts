/**
 * Typed pub/sub: topics, plain prefix subscriptions, content filters sent upstream (through a
 * forwarder too), local predicates, and what happens to filters when subscribers leave.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Proxy, Publisher, XPublisher, XSubscriber } from "../../lib/index.js";
import { json, string, TopicPublisher, TopicSubscriber, type DecodeError, type SubscriptionChange, type TopicMessage, type Topics } from "../../patterns/index.js";
import { tracker, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

interface Price {
  symbol: string;
  price: number;
  venue: { name: string; open: boolean };
}
const topics = { prices: json<Price>(), news: string };
type Msg = TopicMessage<typeof topics>;

const SYMBOLS = ["ACME", "BOLT", "CORE", "DYNE"];
const priceAt = (i: number): Price => ({ symbol: SYMBOLS[i % 4]!, price: 90 + (i % 25), venue: { name: i % 3 === 0 ? "X" : "Y", open: i % 5 !== 0 } });

/** A publisher whose subscription changes can be awaited. */
function watchedPublisher<S extends Topics>(t: S): {
  pub: TopicPublisher<S>;
  until(test: (c: SubscriptionChange) => boolean, what: string): Promise<void>;
} {
  const seen: SubscriptionChange[] = [];
  const waiting: Array<{ test: (c: SubscriptionChange) => boolean; resolve(): void }> = [];
  const pub = track(
    new TopicPublisher(t, {
      onSubscription: (change) => {
        seen.push(change);
        for (const w of waiting.filter((w) => w.test(change))) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve();
        }
      },
    }),
  );
  return {
    pub,
    until: (test, what) =>
      within(
        new Promise<void>((resolve) => (seen.some(test) ? resolve() : waiting.push({ test, resolve }))),
        5000,
        what,
      ),
  };
}

async function take(sub: TopicSubscriber<typeof topics>, n: number): Promise<Msg[]> {
  const got: Msg[] = [];
  while (got.length < n) got.push(await within(sub.receive(), 5000, `message ${got.length + 1} of ${n}`));
  return got;
}

const unique = (name: string): string => `inproc://patterns-pubsub-${name}-${randomBytes(6).toString("hex")}`;

describe("typed pub/sub", () => {
  it("delivers values by topic prefix, decoded and tagged with their topic", async () => {
    const { pub, until } = watchedPublisher(topics);
    await pub.bind("tcp://127.0.0.1:*");
    const sub = track(new TopicSubscriber(topics));
    sub.connect(pub.lastEndpoint!);
    sub.subscribe("pri");
    sub.subscribe("news");
    await until((c) => c.kind === "subscribe" && c.prefix === "news", "news subscription");
    await until((c) => c.kind === "subscribe" && c.prefix === "pri", "prices subscription");
    await pub.publish("prices", priceAt(1));
    await pub.publish("news", "ACME beats estimates");
    const [a, b] = await take(sub, 2);
    expect(a).toEqual({ topic: "prices", value: priceAt(1) });
    expect(b).toEqual({ topic: "news", value: "ACME beats estimates" });
    if (b!.topic === "news") expect(b!.value.toUpperCase()).toBe("ACME BEATS ESTIMATES");
  });

  it("sends only the values that pass a subscriber's filter, and each once", async () => {
    const { pub, until } = watchedPublisher(topics);
    await pub.bind("tcp://127.0.0.1:*");
    const filtered = track(new TopicSubscriber(topics));
    const everything = track(new TopicSubscriber(topics));
    filtered.connect(pub.lastEndpoint!);
    everything.connect(pub.lastEndpoint!);
    // Two filters that overlap: a value passing both still arrives once.
    filtered.subscribe("prices", { where: { and: [{ field: "symbol", in: ["ACME", "CORE"] }, { field: "price", gte: 100 }] } });
    filtered.subscribe("prices", { where: { field: "venue.name", eq: "X" } });
    everything.subscribe("prices");
    await until((c) => c.kind === "subscribe", "plain subscription");
    await until(() => pub.filters === 2, "both filters");
    const values = Array.from({ length: 200 }, (_, i) => priceAt(i));
    for (const v of values) await pub.publish("prices", v);
    const wanted = values.filter((v) => (["ACME", "CORE"].includes(v.symbol) && v.price >= 100) || v.venue.name === "X");
    const fence: Price = { symbol: "ACME", price: 999, venue: { name: "X", open: true } };
    await pub.publish("prices", fence);
    expect((await take(filtered, wanted.length + 1)).map((m) => m.value)).toEqual([...wanted, fence]);
    expect((await take(everything, values.length + 1)).map((m) => m.value)).toEqual([...values, fence]);
    expect(pub.stats.filteredCopies).toBe(wanted.length + 1);
  });

  it("keeps each filtering subscriber's copies to itself", async () => {
    const { pub, until } = watchedPublisher(topics);
    await pub.bind(unique("channels"));
    const acme = track(new TopicSubscriber(topics));
    const bolt = track(new TopicSubscriber(topics));
    for (const s of [acme, bolt]) s.connect(pub.lastEndpoint!);
    acme.subscribe("prices", { where: { field: "symbol", eq: "ACME" } });
    bolt.subscribe("prices", { where: { field: "symbol", eq: "BOLT" } });
    await until(() => pub.filters === 2, "two filters");
    for (let i = 0; i < 8; i++) await pub.publish("prices", priceAt(i));
    expect((await take(acme, 2)).map((m) => (m.value as Price).symbol)).toEqual(["ACME", "ACME"]);
    expect((await take(bolt, 2)).map((m) => (m.value as Price).symbol)).toEqual(["BOLT", "BOLT"]);
    expect(pub.stats.filteredCopies).toBe(4);
  });

  it("applies a local predicate after decoding", async () => {
    const { pub, until } = watchedPublisher(topics);
    await pub.bind(unique("local"));
    const sub = track(new TopicSubscriber(topics));
    sub.connect(pub.lastEndpoint!);
    sub.subscribe("news", { match: (headline) => headline.includes("ACME") });
    await until((c) => c.kind === "subscribe" && c.prefix === "news", "news subscription");
    for (const h of ["BOLT flat", "ACME up", "CORE down", "ACME down"]) await pub.publish("news", h);
    expect((await take(sub, 2)).map((m) => m.value)).toEqual(["ACME up", "ACME down"]);
  });

  it("does not deliver a value twice when a plain subscription and a filter both cover it", async () => {
    const { pub, until } = watchedPublisher(topics);
    await pub.bind(unique("overlap"));
    const sub = track(new TopicSubscriber(topics));
    sub.connect(pub.lastEndpoint!);
    sub.subscribe("prices", { where: { field: "symbol", eq: "ACME" } });
    sub.subscribe("prices");
    await until(() => pub.filters === 1, "filter");
    await until((c) => c.kind === "subscribe", "plain subscription");
    for (let i = 0; i < 4; i++) await pub.publish("prices", priceAt(i));
    await pub.publish("news", "fence");
    sub.subscribe("news");
    const got = await take(sub, 4);
    expect(got.map((m) => (m.value as Price).symbol)).toEqual(SYMBOLS);
  });

  it("withdraws a filter upstream on cancel, and when the subscriber goes away", async () => {
    const { pub, until } = watchedPublisher(topics);
    await pub.bind("tcp://127.0.0.1:*");
    const sub = track(new TopicSubscriber(topics));
    sub.connect(pub.lastEndpoint!);
    const acme = sub.subscribe("prices", { where: { field: "symbol", eq: "ACME" } });
    sub.subscribe("prices", { where: { field: "symbol", eq: "BOLT" } });
    await until(() => pub.filters === 2, "two filters");
    acme.cancel();
    await until((c) => c.kind === "unfilter" && JSON.stringify(c.where).includes("ACME"), "ACME filter withdrawn");
    expect(pub.filters).toBe(1);
    await sub.close();
    await until((c) => c.kind === "unfilter" && JSON.stringify(c.where).includes("BOLT"), "BOLT filter gone with its subscriber");
    expect(pub.filters).toBe(0);
  });

  it("sends filters through an XSUB/XPUB forwarder, and the publisher drops before the first hop", async () => {
    const { pub, until } = watchedPublisher(topics);
    await pub.bind("tcp://127.0.0.1:*");
    const upstream = track(new XSubscriber());
    const downstream = track(new XPublisher());
    upstream.connect(pub.lastEndpoint!);
    await downstream.bind("tcp://127.0.0.1:*");
    const proxy = new Proxy(upstream, downstream);
    const running = proxy.run();
    try {
      const sub = track(new TopicSubscriber(topics));
      sub.connect(downstream.lastEndpoint!);
      sub.subscribe("prices", { where: { field: "price", lt: 92 } });
      await until(() => pub.filters === 1, "filter through the forwarder");
      const values = Array.from({ length: 50 }, (_, i) => priceAt(i));
      for (const v of values) await pub.publish("prices", v);
      const wanted = values.filter((v) => v.price < 92);
      expect((await take(sub, wanted.length)).map((m) => m.value)).toEqual(wanted);
      expect(pub.stats.filteredCopies).toBe(wanted.length);
    } finally {
      proxy.terminate();
      await running;
    }
  });

  it("ignores a malformed filter declaration and goes on", async () => {
    const { pub, until } = watchedPublisher(topics);
    await pub.bind(unique("malformed"));
    const raw = track(new XSubscriber());
    raw.connect(pub.lastEndpoint!);
    await raw.send(Buffer.concat([Buffer.from([1]), Buffer.from('\0wmq-filter:{"v":1,"ch":"zz","topic":"prices"'), Buffer.from("}")]));
    await raw.send(Buffer.concat([Buffer.from([1]), Buffer.from('\0wmq-filter:{"v":1,"ch":"0123456789ab","topic":"prices","where":{"field":"__proto__.x","eq":1}}')]));
    // Well formed, but on a topic this publisher does not have: it could never match.
    await raw.send(Buffer.concat([Buffer.from([1]), Buffer.from('\0wmq-filter:{"v":1,"ch":"0123456789ab","topic":"weather","where":{"field":"t","eq":1}}')]));
    const sub = track(new TopicSubscriber(topics));
    sub.connect(pub.lastEndpoint!);
    sub.subscribe("prices", { where: { field: "symbol", eq: "ACME" } });
    await until(() => pub.filters === 1, "the valid filter");
    expect(pub.rejectedFilters).toBe(3);
    await pub.publish("prices", priceAt(0));
    expect((await take(sub, 1))[0]!.value).toEqual(priceAt(0));
  });

  it("counts a message that does not decode, reports its frames, and delivers the next", async () => {
    const address = unique("garbage");
    const plain = track(new Publisher());
    await plain.bind(address);
    const errors: DecodeError[] = [];
    const sub = track(new TopicSubscriber(topics, { onDecodeError: (e) => errors.push(e) }));
    sub.connect(address);
    sub.subscribe("");
    await plain.send(["prices", "{broken"]);
    await plain.send(["weather", "sunny"]);
    await plain.send(["news", "fine"]);
    expect(await take(sub, 1)).toEqual([{ topic: "news", value: "fine" }]);
    // "weather" is no topic of the map: subscribing to everything subscribes to each topic of
    // the map by name, so the publisher never sends it.
    expect(sub.decodeErrors).toBe(1);
    expect(errors.map((e) => e.frames.map(String))).toEqual([["prices", "{broken"]]);
  });

  it("refuses a filter that is not well formed, at subscribe", () => {
    const sub = track(new TopicSubscriber(topics));
    const bad = { field: "price", between: [1, 2] } as unknown as { field: "price"; eq: number };
    expect(() => sub.subscribe("prices", { where: bad })).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("refuses to publish on a topic it does not have, or once closed", async () => {
    const pub = track(new TopicPublisher(topics));
    await expect(pub.publish("toString" as "news", "x")).rejects.toMatchObject({ code: "EINVAL" });
    await pub.close();
    await expect(pub.publish("news", "x")).rejects.toMatchObject({ code: "EBADF" });
  });

  it("refuses topic names that begin with NUL", () => {
    expect(() => new TopicPublisher({ "\0x": string })).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});
