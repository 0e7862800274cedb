/**
 * Issue 22, pub/sub readiness: waitForSubscribers and ready() on the hello/ready exchange,
 * the warning when an upstream ignores content filters, and no filtered copies for a
 * subscriber to everything.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Proxy, Publisher, Subscriber, XPublisher, XSubscriber } from "../../lib/index.js";
import { json, string, TopicPublisher, TopicSubscriber, where } from "../../patterns/index.js";
import { tracker, waitEvent, within } from "../helpers/sockets.js";

const { track, closeAll } = tracker();
afterEach(closeAll);

interface Price {
  symbol: string;
  price: number;
}
const topics = { prices: json<Price>(), news: string };
const unique = (name: string): string => `inproc://patterns-ready-${name}-${randomBytes(6).toString("hex")}`;

describe("readiness", () => {
  it("waitForSubscribers(n) resolves once n subscribers' subscriptions are in place, and the first publish reaches them", async () => {
    const pub = track(new TopicPublisher(topics));
    await pub.bind("tcp://127.0.0.1:*");
    const subs = [track(new TopicSubscriber(topics)), track(new TopicSubscriber(topics)), track(new TopicSubscriber(topics))];
    const waiting = pub.waitForSubscribers(3, { timeout: 5000 });
    for (const [i, sub] of subs.entries()) {
      if (i === 0) sub.subscribe("news");
      else sub.subscribe("prices", { where: { field: "price", gt: 100 } });
      sub.connect(pub.lastEndpoint!);
    }
    const audience = await waiting;
    expect(audience.subscribers).toBe(3);
    expect(audience.filters).toBe(2);
    expect([...audience.prefixes]).toEqual(["news"]);
    // No retry loop: the very first messages reach every subscriber.
    await pub.publish("news", "first");
    await pub.publish("prices", { symbol: "ACME", price: 101 });
    expect(await within(subs[0]!.receive(), 5000, "news")).toEqual({ topic: "news", value: "first" });
    for (const sub of subs.slice(1)) {
      expect(await within(sub.receive(), 5000, "price")).toEqual({ topic: "prices", value: { symbol: "ACME", price: 101 } });
    }
  });

  it("waitForSubscribers(predicate) sees plain prefixes, from a zeromq-style SUB too", async () => {
    const pub = track(new TopicPublisher(topics));
    const address = unique("predicate");
    await pub.bind(address);
    const sub = track(new Subscriber());
    sub.connect(address);
    const waiting = pub.waitForSubscribers((a) => a.prefixes.has("prices"), { timeout: 5000 });
    sub.subscribe("prices");
    await waiting;
    await pub.publish("prices", { symbol: "ACME", price: 1 });
    const [topic] = await within(sub.receive(), 5000, "price");
    expect(topic!.toString()).toBe("prices");
  });

  it("waitForSubscribers counts a subscriber that leaves out again", async () => {
    const pub = track(new TopicPublisher(topics));
    await pub.bind("tcp://127.0.0.1:*");
    const sub = new TopicSubscriber(topics);
    sub.subscribe("news");
    sub.connect(pub.lastEndpoint!);
    await pub.waitForSubscribers(1, { timeout: 5000 });
    await sub.close();
    const left = await pub.waitForSubscribers((a) => a.subscribers === 0, { timeout: 5000 });
    expect(left.subscribers).toBe(0);
  });

  it("waitForSubscribers rejects with ETIMEDOUT, EBADF on close, and EINVAL for a bad count", async () => {
    const pub = track(new TopicPublisher(topics));
    await pub.bind(unique("timeout"));
    await expect(pub.waitForSubscribers(1, { timeout: 20 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
    expect(() => pub.waitForSubscribers(-1)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    const pending = pub.waitForSubscribers(1, { timeout: -1 });
    await pub.close();
    await expect(pending).rejects.toMatchObject({ code: "EBADF" });
  });

  it("subscriber.ready() resolves once the publisher holds its subscriptions, through a forwarder too", async () => {
    const pub = track(new TopicPublisher(topics));
    const upstream = unique("up");
    const downstream = unique("down");
    await pub.bind(upstream);
    const front = track(new XSubscriber());
    const back = track(new XPublisher());
    front.connect(upstream);
    await back.bind(downstream);
    const proxy = new Proxy(front, back);
    const running = proxy.run();
    const sub = track(new TopicSubscriber(topics));
    sub.connect(downstream);
    sub.subscribe("prices", { where: { field: "symbol", eq: "ACME" } });
    await sub.ready({ timeout: 5000 });
    await pub.publish("prices", { symbol: "BOLT", price: 1 });
    await pub.publish("prices", { symbol: "ACME", price: 2 });
    expect(await within(sub.receive(), 5000, "price")).toEqual({ topic: "prices", value: { symbol: "ACME", price: 2 } });
    proxy.terminate();
    await running;
  });

  it("ready() keeps messages that arrive while it waits for receive()", async () => {
    const pub = track(new TopicPublisher(topics));
    const address = unique("keep");
    await pub.bind(address);
    const sub = track(new TopicSubscriber(topics));
    sub.connect(address);
    sub.subscribe("news");
    await sub.ready({ timeout: 5000 });
    await pub.publish("news", "a");
    sub.subscribe("prices");
    await pub.publish("news", "b");
    await sub.ready({ timeout: 5000 });
    expect(await within(sub.receive(), 5000, "a")).toEqual({ topic: "news", value: "a" });
    expect(await within(sub.receive(), 5000, "b")).toEqual({ topic: "news", value: "b" });
  });

  it("ready() rejects with ETIMEDOUT against a plain PUB, which never answers", async () => {
    const plain = track(new Publisher());
    const address = unique("plain");
    await plain.bind(address);
    const sub = track(new TopicSubscriber(topics, { filterAckTimeout: -1 }));
    sub.connect(address);
    sub.subscribe("news");
    await expect(sub.ready({ timeout: 50 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
  });
});

describe("a filtering subscriber whose upstream ignores filters", () => {
  it("emits a warning (EFILTERIGNORED) when a plain PUB is upstream", async () => {
    const plain = track(new Publisher());
    await plain.bind("tcp://127.0.0.1:*");
    const sub = track(new TopicSubscriber(topics, { filterAckTimeout: 100 }));
    const warned = new Promise<Error & { code: string }>((resolve) => sub.once("warning", resolve));
    sub.subscribe("prices", { where: { field: "price", gt: 1 } });
    sub.connect(plain.lastEndpoint!);
    expect((await within(warned, 5000, "warning")).code).toBe("EFILTERIGNORED");
  });

  it("does not warn when a TopicPublisher is upstream", async () => {
    const pub = track(new TopicPublisher(topics));
    await pub.bind("tcp://127.0.0.1:*");
    const sub = track(new TopicSubscriber(topics, { filterAckTimeout: 100 }));
    const warnings: Error[] = [];
    sub.on("warning", (w) => warnings.push(w));
    sub.subscribe("prices", { where: { field: "price", gt: 1 } });
    const joined = waitEvent(sub.socket, "handshake");
    sub.connect(pub.lastEndpoint!);
    await joined;
    await pub.waitForSubscribers(1, { timeout: 5000 });
    // Past the ack timeout: a warning would have come by now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(warnings).toEqual([]);
  });
});

describe("a subscriber to everything", () => {
  it("receives no filtered copies meant for other subscribers", async () => {
    const pub = track(new TopicPublisher(topics));
    const address = unique("all");
    await pub.bind(address);
    const all = track(new TopicSubscriber(topics));
    all.subscribe();
    all.connect(address);
    const filtered = track(new TopicSubscriber(topics));
    filtered.subscribe("prices", { where: where(topics.prices, { field: "price", gte: 0 }) });
    filtered.connect(address);
    await pub.waitForSubscribers(2, { timeout: 5000 });
    for (let i = 0; i < 50; i++) await pub.publish("prices", { symbol: "ACME", price: i });
    await pub.publish("news", "end");
    const got: string[] = [];
    for (;;) {
      const m = await within(all.receive(), 5000, "message");
      if (m.topic === "news") break;
      got.push(m.topic);
    }
    expect(got).toHaveLength(50);
    expect(pub.stats.filteredCopies).toBe(50);
    expect(all.ignored).toBe(0);
  });
});
