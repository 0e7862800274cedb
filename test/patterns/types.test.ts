/**
 * Type tests: each `@ts-expect-error` line must fail to compile, so `npx tsc -p
 * tsconfig.test.json` fails if a wrong message type is ever accepted. vitest does not type-check;
 * the functions below are compiled, never run.
 */
import protobufjs from "protobufjs";
import { describe, expectTypeOf, it } from "vitest";
import {
  Consumer,
  json,
  Producer,
  protobuf,
  rpc,
  runWorkers,
  ServiceWorker,
  string,
  TopicPublisher,
  TopicSubscriber,
  type Codec,
  type CodecValue,
  type Handlers,
  type TopicMessage,
  type Where,
  where,
} from "../../patterns/index.js";

interface Order {
  id: string;
  quantity: number;
  side: "BUY" | "SELL";
  venue: { name: string; open: boolean };
}
interface Refund {
  orderId: string;
  amount: number;
}
const orders = json<Order>();
const refunds = json<Refund>();
const order: Order = { id: "o", quantity: 1, side: "BUY", venue: { name: "X", open: true } };

/** Static generated class shape, as pbjs writes it. */
declare class Point {
  x: number;
  y: number;
  static encode(message: { x?: number; y?: number }, writer?: protobufjs.Writer): protobufjs.Writer;
  static decode(reader: protobufjs.Reader | Uint8Array, length?: number): Point;
}

export async function pipelineTypes(): Promise<void> {
  const producer = new Producer(orders);
  const consumer = new Consumer(orders);
  await producer.send(order);
  // @ts-expect-error a Refund is not an Order
  await producer.send({ orderId: "o", amount: 1 });
  // @ts-expect-error a field of the wrong type
  await producer.send({ ...order, quantity: "1" });
  // @ts-expect-error side is "BUY" | "SELL"
  await producer.send({ ...order, side: "HOLD" });

  const received = await consumer.receive();
  expectTypeOf(received).toEqualTypeOf<Order>();
  // @ts-expect-error the consumer yields Orders, not Refunds
  const refund: Refund = await consumer.receive();
  for await (const o of consumer) {
    // @ts-expect-error quantity is a number
    o.quantity.toUpperCase();
  }

  const refundsProducer = new Producer(refunds);
  const takesOrderProducer = (p: Producer<Order>): Producer<Order> => p;
  takesOrderProducer(producer);
  // @ts-expect-error a producer of Refunds where one of Orders is wanted
  takesOrderProducer(refundsProducer);
  // @ts-expect-error a codec of strings cannot build a consumer of Orders
  new Consumer<Order>(string);
  void refund;

  await consumer.close({ drain: true, timeout: 5000 });
  // @ts-expect-error drain is a boolean
  await consumer.close({ drain: "yes" });
  const pool = runWorkers(consumer, (o) => o.quantity, { concurrency: 2 });
  pool.on("error", (err, value) => {
    expectTypeOf(value).toEqualTypeOf<Order>();
    void err;
  });
  // @ts-expect-error a pool emits error events, not message events
  pool.on("message", () => {});
  await pool.close({ drain: true });
}

export function codecTypes(): void {
  expectTypeOf<CodecValue<typeof orders>>().toEqualTypeOf<Order>();
  const point = protobuf(Point);
  expectTypeOf(point).toEqualTypeOf<Codec<{ x?: number; y?: number }>>();
  // @ts-expect-error the generated class says x is a number
  point.encode({ x: "1" });
  // Codecs are invariant: one for a wider type is not one for a narrower type, nor the reverse.
  const wide = json<{ id: string }>();
  // @ts-expect-error
  const narrow: Codec<Order> = wide;
  // @ts-expect-error
  const wider: Codec<{ id: string }> = orders;
  void narrow;
  void wider;
}

export async function pubsubTypes(): Promise<void> {
  const topics = { orders, refunds, news: string };
  const pub = new TopicPublisher(topics);
  await pub.publish("orders", order);
  await pub.publish("news", "headline");
  // @ts-expect-error news carries strings
  await pub.publish("news", 42);
  // @ts-expect-error an Order on the refunds topic
  await pub.publish("refunds", order);
  // @ts-expect-error no such topic
  await pub.publish("weather", "sunny");

  const sub = new TopicSubscriber(topics);
  sub.subscribe("ord");
  sub.subscribe("orders", { where: { and: [{ field: "quantity", gte: 10 }, { field: "venue.open", eq: true }] } });
  sub.subscribe("orders", { match: (o) => o.side === "SELL" });
  // @ts-expect-error quantity is a number
  sub.subscribe("orders", { where: { field: "quantity", eq: "10" } });
  // @ts-expect-error no such field
  sub.subscribe("orders", { where: { field: "price", gt: 1 } });
  // @ts-expect-error ranges need numbers or strings, not booleans
  sub.subscribe("orders", { where: { field: "venue.open", gt: true } });
  // @ts-expect-error the local test gets Refunds on the refunds topic
  sub.subscribe("refunds", { match: (r) => r.side === "BUY" });
  // @ts-expect-error filters and tests need a topic of the map, not any prefix
  sub.subscribe("ord", { match: () => true });

  const message = await sub.receive();
  expectTypeOf(message).toEqualTypeOf<TopicMessage<typeof topics>>();
  if (message.topic === "refunds") {
    expectTypeOf(message.value).toEqualTypeOf<Refund>();
    // @ts-expect-error narrowed to a Refund
    message.value.quantity;
  }
  const onlyOpen: Where<Order> = { not: { field: "venue.open", eq: false } };
  // @ts-expect-error a string is not in "BUY" | "SELL"
  const badIn: Where<Order> = { field: "side", in: ["BUY", "HOLD"] };
  void onlyOpen;
  void badIn;

  // A filter kept in a variable: where() checks it where it is written, no `as const`.
  const bigOrders = where<Order>({ field: "quantity", gte: 10 });
  const openVenues = where(orders, { field: "venue.open", eq: true });
  sub.subscribe("orders", { where: { and: [bigOrders, openVenues] } });
  // @ts-expect-error where() checks fields against the codec's type
  where(orders, { field: "price", gte: 10 });
  // @ts-expect-error the codec says quantity is a number
  where(orders, { field: "quantity", eq: "10" });
  // @ts-expect-error a filter for Refunds on the orders topic
  sub.subscribe("orders", { where: where(refunds, { field: "amount", gt: 0 }) });
  const bare = { field: "quantity", gte: 10 };
  // @ts-expect-error a bare literal in a variable widens field to string: this is what where() is for
  sub.subscribe("orders", { where: bare });

  const audience = await pub.waitForSubscribers((a) => a.subscribers >= 2 && a.prefixes.has("orders"), { timeout: 1000 });
  expectTypeOf(audience.subscribers).toEqualTypeOf<number>();
  await pub.waitForSubscribers(2);
  // @ts-expect-error a count is a number
  await pub.waitForSubscribers("2");
  await sub.ready({ timeout: 1000 });
  sub.on("warning", (w) => expectTypeOf(w.code).toEqualTypeOf<string>());
}

export async function rpcTypes(): Promise<void> {
  const shop = rpc.define({
    place: { request: orders, reply: json<{ accepted: boolean }>() },
    refund: { request: refunds, reply: json<number>() },
  });
  rpc.server(shop, { place: (o) => ({ accepted: o.quantity > 0 }), refund: async (r) => r.amount });
  // @ts-expect-error place must reply { accepted: boolean }
  rpc.server(shop, { place: () => ({ accepted: "yes" }), refund: (r) => r.amount });
  // @ts-expect-error every method needs a handler
  rpc.server(shop, { place: () => ({ accepted: true }) });

  const client = rpc.client(shop, { servers: "inproc://types-only-rpc" });
  const placed = await client.call("place", order);
  expectTypeOf(placed).toEqualTypeOf<{ accepted: boolean }>();
  // @ts-expect-error place takes an Order
  await client.call("place", { orderId: "o", amount: 1 });
  // @ts-expect-error no such method
  await client.call("cancel", order);
  // @ts-expect-error refund replies with a number
  const wrong: string = await client.call("refund", { orderId: "o", amount: 2 });

  const handlers: Handlers<typeof shop> = { place: () => ({ accepted: true }), refund: () => 0 };
  new ServiceWorker(shop, handlers, "inproc://types-only-service");
  // @ts-expect-error a worker's handlers are checked like a server's
  new ServiceWorker(shop, { place: (o: Refund) => ({ accepted: o.amount > 0 }), refund: () => 0 }, "inproc://types-only-service");
  void wrong;
}

describe("pattern types", () => {
  it("are checked by tsc (this file is in tsconfig.test.json); the functions are never run", () => {
    expectTypeOf(pipelineTypes).toBeFunction();
    expectTypeOf(pubsubTypes).toBeFunction();
    expectTypeOf(rpcTypes).toBeFunction();
    expectTypeOf(codecTypes).toBeFunction();
  });
});
