/**
 * The filtering forwarder in front of a publisher that knows nothing of filters (libzmq's
 * XPUB, used for its subscription reports): filters run at the forwarder, the upstream sees
 * only plain topic subscriptions, and those are withdrawn when no one needs them.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { FilteringForwarder, json, TopicSubscriber, type DecodeError, type SubscriptionChange } from "../../patterns/index.js";
import { tracker, within } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

interface Price {
  symbol: string;
  price: number;
}
const topics = { prices: json<Price>(), news: json<string>() };

/** A libzmq XPUB upstream, a filtering forwarder, and a way to await what reaches each. */
async function chain() {
  const upstream = track(new zmq.XPublisher({ receiveTimeout: 10_000 }));
  await upstream.bind("tcp://127.0.0.1:*");
  const changes: SubscriptionChange[] = [];
  const waiters: Array<{ test(c: SubscriptionChange): boolean; resolve(): void }> = [];
  const decodeErrors: DecodeError[] = [];
  const forwarder = track(
    new FilteringForwarder(topics, {
      onDecodeError: (e) => decodeErrors.push(e),
      onSubscription: (c) => {
        changes.push(c);
        for (const w of waiters.filter((w) => w.test(c))) w.resolve();
      },
    }),
  );
  forwarder.upstream.connect(upstream.lastEndpoint!);
  await forwarder.downstream.bind("tcp://127.0.0.1:*");
  return {
    upstream,
    forwarder,
    decodeErrors,
    endpoint: forwarder.downstream.lastEndpoint!,
    until: (test: (c: SubscriptionChange) => boolean, what: string) =>
      within(new Promise<void>((resolve) => (changes.some(test) ? resolve() : waiters.push({ test, resolve }))), 5000, what),
    /** The next subscription message the upstream publisher receives, as text. */
    upstreamSubscription: async () => {
      const [frame] = await within(upstream.receive(), 5000, "subscription upstream");
      return `${frame![0]}:${frame!.subarray(1).toString()}`;
    },
  };
}

const prices = Array.from({ length: 60 }, (_, i): Price => ({ symbol: ["ACME", "BOLT", "CORE"][i % 3]!, price: i }));
const send = async (pub: zmq.XPublisher, topic: string, value: unknown): Promise<void> => pub.send([topic, JSON.stringify(value)]);

describe("filtering forwarder", () => {
  it("runs filters for a plain publisher and passes plain subscriptions through", async () => {
    const { upstream, forwarder, endpoint, upstreamSubscription } = await chain();
    const filtered = track(new TopicSubscriber(topics));
    filtered.connect(endpoint);
    filtered.subscribe("prices", { where: { and: [{ field: "symbol", eq: "BOLT" }, { field: "price", gte: 30 }] } });
    // The upstream sees only a plain subscription to the filter's topic.
    expect(await upstreamSubscription()).toBe("1:prices");
    const plain = track(new zmq.Subscriber({ receiveTimeout: 10_000 }));
    plain.connect(endpoint);
    plain.subscribe("news");
    expect(await upstreamSubscription()).toBe("1:news");

    for (const p of prices) await send(upstream, "prices", p);
    await send(upstream, "news", "done");
    const wanted = prices.filter((p) => p.symbol === "BOLT" && p.price >= 30);
    const got: Price[] = [];
    while (got.length < wanted.length) got.push((await within(filtered.receive(), 5000, "filtered price")).value as Price);
    expect(got).toEqual(wanted);
    const [topic, payload] = await plain.receive();
    expect([topic!.toString(), JSON.parse(payload!.toString())]).toEqual(["news", "done"]);
    expect(forwarder.stats.filteredCopies).toBe(wanted.length);
  });

  it("withdraws the upstream subscription once no filter or subscriber needs the topic", async () => {
    const { forwarder, endpoint, until, upstreamSubscription } = await chain();
    const a = track(new TopicSubscriber(topics));
    a.connect(endpoint);
    const filter = a.subscribe("prices", { where: { field: "symbol", eq: "ACME" } });
    expect(await upstreamSubscription()).toBe("1:prices");
    const b = track(new TopicSubscriber(topics));
    b.connect(endpoint);
    const plain = b.subscribe("prices");
    await until((c) => c.kind === "subscribe" && c.prefix === "prices", "plain subscription at the forwarder");
    filter.cancel();
    await until((c) => c.kind === "unfilter", "filter withdrawn");
    expect(forwarder.filters).toBe(0);
    plain.cancel();
    // Only now, with both needs gone, does the cancel go upstream, and only once.
    expect(await upstreamSubscription()).toBe("0:prices");
  });

  it("counts a filtered topic's undecodable message and still forwards it plain", async () => {
    const { upstream, forwarder, decodeErrors, endpoint, until, upstreamSubscription } = await chain();
    const plain = track(new zmq.Subscriber({ receiveTimeout: 10_000 }));
    plain.connect(endpoint);
    plain.subscribe("prices");
    await until((c) => c.kind === "subscribe" && c.prefix === "prices", "plain subscription at the forwarder");
    expect(await upstreamSubscription()).toBe("1:prices");
    const filtered = track(new TopicSubscriber(topics));
    filtered.connect(endpoint);
    filtered.subscribe("prices", { where: { field: "symbol", eq: "ACME" } });
    await until((c) => c.kind === "filter", "filter at the forwarder");

    await upstream.send(["prices", "{broken"]);
    await send(upstream, "prices", { symbol: "ACME", price: 1 });
    // The forwarder handles messages in order, so by the time the valid one arrives the
    // broken one has been counted.
    expect((await within(filtered.receive(), 5000, "valid price")).value).toEqual({ symbol: "ACME", price: 1 });
    expect(decodeErrors.map((e) => e.frames.map(String))).toEqual([["prices", "{broken"]]);
    expect(forwarder.stats).toMatchObject({ decodeErrors: 1, filteredCopies: 1, forwarded: 2 });
    expect((await plain.receive()).map(String)).toEqual(["prices", "{broken"]);
  });
});
