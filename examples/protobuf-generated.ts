/**
 * Types from the schema: shop.Order is generated from examples/proto/shop.proto by pbjs and
 * pbts (`node scripts/gen-proto.mjs examples/proto/shop.proto`), so the codec's TypeScript type
 * is the .proto's, with no interface written by hand. An amount past 2^53 travels as a bigint,
 * exactly; a value that does not fit its field is refused before it is sent.
 */
import { shop } from "./proto/shop.js";
import { Consumer, EncodeError, Producer, protobuf } from "../patterns/index.js";

export interface GeneratedResult {
  received: { id: string; side: shop.Side; quantity: number; amountCents: string }[];
  refused: string[];
}

export async function protobufGenerated(log: (line: string) => void = console.log): Promise<GeneratedResult> {
  const codec = protobuf(shop.Order);
  const endpoint = `inproc://protobuf-generated-${process.pid}`;
  const producer = new Producer(codec, { linger: 1000 });
  const consumer = new Consumer(codec);
  const received: GeneratedResult["received"] = [];
  const refused: string[] = [];
  try {
    await producer.bind(endpoint);
    consumer.connect(endpoint);
    const orders: shop.IOrder[] = [
      { id: "o-1", side: shop.Side.BUY, quantity: 3, amountCents: 1999, price: 19.99, tags: ["retail"] },
      // 2^60 + 7 cents: a number would round it; the codec takes it as a bigint (a Long works too).
      { id: "o-2", side: shop.Side.SELL, quantity: 1, amountCents: (2n ** 60n + 7n) as unknown as number, price: 1e16 },
    ];
    for (const order of orders) await producer.send(order);
    // Each of these would have been coerced by protobufjs alone: -1 into 4294967295, "x" into 0.
    for (const bad of [{ id: "o-3", quantity: -1 }, { id: "o-4", quantity: "x" as unknown as number }, { id: "o-5", amountCents: 2 ** 60 }]) {
      try {
        await producer.send(bad);
      } catch (err) {
        if (!(err instanceof EncodeError)) throw err;
        refused.push(bad.id);
        log(`refused ${bad.id}: ${err.message}`);
      }
    }
    for (let i = 0; i < orders.length; i++) {
      // What decodes is a shop.Order, every field present (proto3 defaults from its prototype).
      const o = (await consumer.receive()) as shop.Order;
      const amount = typeof o.amountCents === "number" ? String(o.amountCents) : o.amountCents.toString();
      received.push({ id: o.id, side: o.side, quantity: o.quantity, amountCents: amount });
      log(`received ${o.id}: ${shop.Side[o.side]} ${o.quantity} for ${amount} cents`);
    }
  } finally {
    await producer.close();
    await consumer.close();
  }
  return { received, refused };
}

if (import.meta.url === `file://${process.argv[1]}`) await protobufGenerated();
