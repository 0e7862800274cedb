/**
 * The typed patterns against libzmq (the `zeromq` package): protobuf messages both ways through
 * a pipeline, plain SUB/PUB sockets on typed topics, and content filters through a libzmq
 * XSUB/XPUB proxy.
 */
import protobufjs from "protobufjs";
import { afterEach, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { Consumer, json, Producer, protobuf, TopicPublisher, TopicSubscriber, type SubscriptionChange } from "../../patterns/index.js";
import { tracker, within } from "../helpers/sockets.js";

zmq.context.blocky = false;

const { track, closeAll } = tracker();
afterEach(closeAll);

const ORDERS_PROTO = `
syntax = "proto3";
package shop;
enum Side { BUY = 0; SELL = 1; }
message Order { string id = 1; string symbol = 2; Side side = 3; uint32 quantity = 4; double price = 5; }`;
interface Order {
  id: string;
  symbol: string;
  side: "BUY" | "SELL";
  quantity: number;
  price: number;
}
const OrderType = protobufjs.parse(ORDERS_PROTO).root.lookupType("shop.Order");
const orders: Order[] = Array.from({ length: 20 }, (_, i) => ({
  id: `o-${i}`,
  symbol: i % 2 ? "ACME" : "BOLT",
  side: i % 3 ? "BUY" : "SELL",
  quantity: i + 1,
  price: 10 + i / 4,
}));

interface Price {
  symbol: string;
  price: number;
}
const topics = { prices: json<Price>(), news: json<string>() };

function awaitableChanges(): { onSubscription(c: SubscriptionChange): void; until(test: (c: SubscriptionChange) => boolean, what: string): Promise<void> } {
  const seen: SubscriptionChange[] = [];
  const waiting: Array<{ test: (c: SubscriptionChange) => boolean; resolve(): void }> = [];
  return {
    onSubscription(c) {
      seen.push(c);
      for (const w of waiting.filter((w) => w.test(c))) w.resolve();
    },
    until: (test, what) => within(new Promise<void>((resolve) => (seen.some(test) ? resolve() : waiting.push({ test, resolve }))), 5000, what),
  };
}

describe("patterns with libzmq peers", () => {
  it("a wiremq typed producer's protobuf orders are decoded by a zeromq PULL with protobufjs", async () => {
    const pull = track(new zmq.Pull({ receiveTimeout: 10_000 }));
    await pull.bind("tcp://127.0.0.1:*");
    const producer = track(new Producer(protobuf<Order>(OrderType)));
    producer.connect(pull.lastEndpoint!);
    for (const o of orders) await producer.send(o);
    const got: Order[] = [];
    for (let i = 0; i < orders.length; i++) {
      const [frame] = await pull.receive();
      got.push(OrderType.toObject(OrderType.decode(frame!), { enums: String }) as Order);
    }
    expect(got).toEqual(orders);
  });

  it("a zeromq PUSH's protobufjs-encoded orders arrive typed at a wiremq consumer", async () => {
    const consumer = track(new Consumer(protobuf<Order>(OrderType)));
    await consumer.bind("tcp://127.0.0.1:*");
    const push = track(new zmq.Push());
    push.connect(consumer.lastEndpoint!);
    for (const o of orders) await push.send(OrderType.encode(OrderType.fromObject(o)).finish());
    // And one that is not an Order: counted, skipped.
    await push.send(Buffer.from([0xff, 0xff, 0xff]));
    await push.send(OrderType.encode(OrderType.fromObject(orders[0]!)).finish());
    const got: Order[] = [];
    for (let i = 0; i <= orders.length; i++) got.push(await within(consumer.receive(), 5000, `order ${i}`));
    expect(got).toEqual([...orders, orders[0]]);
    expect(consumer.decodeErrors).toBe(1);
  });

  it("a plain zeromq SUB subscribes to a typed topic by prefix and gets [topic, payload]", async () => {
    const changes = awaitableChanges();
    const pub = track(new TopicPublisher(topics, { onSubscription: changes.onSubscription }));
    await pub.bind("tcp://127.0.0.1:*");
    const sub = track(new zmq.Subscriber({ receiveTimeout: 10_000 }));
    sub.connect(pub.lastEndpoint!);
    sub.subscribe("pri");
    await changes.until((c) => c.kind === "subscribe" && c.prefix === "pri", "zeromq subscription");
    // A filtering subscriber on the same topic must not change what the plain one sees.
    const filtered = track(new TopicSubscriber(topics));
    filtered.connect(pub.lastEndpoint!);
    filtered.subscribe("prices", { where: { field: "symbol", eq: "ACME" } });
    await changes.until((c) => c.kind === "filter", "filter");
    await pub.publish("news", "ignored by the plain subscriber");
    await pub.publish("prices", { symbol: "ACME", price: 1 });
    await pub.publish("prices", { symbol: "BOLT", price: 2 });
    const seen: Array<[string, Price]> = [];
    for (let i = 0; i < 2; i++) {
      const [topic, payload] = await sub.receive();
      seen.push([topic!.toString(), JSON.parse(payload!.toString()) as Price]);
    }
    expect(seen).toEqual([
      ["prices", { symbol: "ACME", price: 1 }],
      ["prices", { symbol: "BOLT", price: 2 }],
    ]);
    expect((await within(filtered.receive(), 5000, "filtered copy")).value).toEqual({ symbol: "ACME", price: 1 });
  });

  it("a typed subscriber takes plain topic messages from a zeromq XPUB", async () => {
    const pub = track(new zmq.XPublisher({ receiveTimeout: 10_000 }));
    await pub.bind("tcp://127.0.0.1:*");
    const sub = track(new TopicSubscriber(topics));
    sub.connect(pub.lastEndpoint!);
    sub.subscribe("news");
    // The XPUB hands over the subscription as libzmq received it: 0x01 + prefix. The typed
    // subscriber's own channel subscription (0x01 0x00 "wmq-…") may come first: a SUB sends what
    // it holds in its trie's order when the connection comes up.
    let subscription: Buffer;
    do [subscription] = (await pub.receive()) as [Buffer];
    while (subscription.subarray(0, 2).equals(Buffer.from([1, 0])));
    expect(subscription).toEqual(Buffer.from("\x01news", "latin1"));
    await pub.send(["prices", JSON.stringify({ symbol: "X", price: 1 })]);
    await pub.send(["news", JSON.stringify("hello")]);
    expect(await within(sub.receive(), 5000, "news from zeromq")).toEqual({ topic: "news", value: "hello" });
  });

  it("content filters pass through a libzmq XSUB/XPUB proxy to the typed publisher", async () => {
    const changes = awaitableChanges();
    const pub = track(new TopicPublisher(topics, { onSubscription: changes.onSubscription }));
    await pub.bind("tcp://127.0.0.1:*");
    const proxy = new zmq.Proxy(new zmq.XSubscriber(), new zmq.XPublisher());
    proxy.frontEnd.connect(pub.lastEndpoint!);
    await proxy.backEnd.bind("tcp://127.0.0.1:*");
    const running = proxy.run();
    try {
      const sub = track(new TopicSubscriber(topics));
      sub.connect(proxy.backEnd.lastEndpoint!);
      sub.subscribe("prices", { where: { field: "price", gte: 50 } });
      await changes.until((c) => c.kind === "filter", "filter through libzmq");
      for (let i = 0; i < 100; i++) await pub.publish("prices", { symbol: "ACME", price: i });
      const got: number[] = [];
      while (got.length < 50) got.push(((await within(sub.receive(), 5000, "filtered price")).value as Price).price);
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => 50 + i));
      expect(pub.stats.filteredCopies).toBe(50);
    } finally {
      proxy.terminate();
      await running;
    }
  });
});
