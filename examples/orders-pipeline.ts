/**
 * Orders over protobuf in a pipeline: a typed producer hands orders to two workers, each
 * running a pool of handlers. A legacy producer sends one message that is not an Order: the
 * worker that gets it counts a DecodeError and goes on.
 */
import protobufjs from "protobufjs";
import { Push } from "../lib/index.js";
import { Consumer, Producer, protobuf, runWorkers } from "../patterns/index.js";

// The schema is parsed from text here (rather than loaded from a .proto file) so the
// compiled example runs from dist/, where tsc copies no .proto files.
const SCHEMA = `
syntax = "proto3";
package shop;
enum Side { BUY = 0; SELL = 1; }
message Order {
  string id = 1;
  string symbol = 2;
  Side side = 3;
  uint32 quantity = 4;
  double price = 5;
}`;

export interface Order {
  id: string;
  symbol: string;
  side: "BUY" | "SELL";
  quantity: number;
  price: number;
}

export const orderCodec = protobuf<Order>(protobufjs.parse(SCHEMA).root.lookupType("shop.Order"));

export interface PipelineResult {
  processed: number;
  byWorker: Record<string, number>;
  /** Sum of quantity × price over the orders processed. */
  notional: number;
  decodeErrors: number;
}

export async function ordersPipeline(log: (line: string) => void = console.log): Promise<PipelineResult> {
  const orders: Order[] = Array.from({ length: 20 }, (_, i) => ({
    id: `ord-${String(i).padStart(3, "0")}`,
    symbol: ["ACME", "BOLT", "CORE"][i % 3]!,
    side: i % 4 === 0 ? "SELL" : "BUY",
    quantity: 10 + i,
    price: 99.5 + i / 4,
  }));
  const producer = new Producer(orderCodec, { linger: 1000 });
  const legacy = new Push({ linger: 1000 });
  const names = ["worker-a", "worker-b"];
  let garbageDropped!: () => void;
  const dropped = new Promise<void>((resolve) => (garbageDropped = resolve));
  const workers = names.map(
    (name) =>
      new Consumer(orderCodec, {
        onDecodeError: (e) => {
          log(`${name}: dropped a ${e.frames[0]!.length}-byte message that is not an Order (${e.code}) — expected: the legacy producer sends it on purpose`);
          garbageDropped();
        },
      }),
  );
  const byWorker: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  let notional = 0;
  let processed = 0;
  try {
    await producer.bind("tcp://127.0.0.1:*");
    await legacy.bind("tcp://127.0.0.1:*");
    log(`producer at ${producer.lastEndpoint}, legacy producer at ${legacy.lastEndpoint}`);
    const joined = new Promise<void>((resolve) => {
      let n = 0;
      producer.socket.events.on("handshake", () => ++n === workers.length && resolve());
    });
    for (const w of workers) {
      w.connect(producer.lastEndpoint!);
      w.connect(legacy.lastEndpoint!);
    }
    await joined;

    let allDone!: () => void;
    const done = new Promise<void>((resolve) => (allDone = resolve));
    const pools = workers.map((consumer, i) =>
      runWorkers(
        consumer,
        async (order) => {
          // Stands in for real work (a database write, a risk check) that takes a while.
          await new Promise((resolve) => setImmediate(resolve));
          byWorker[names[i]!]!++;
          notional += order.quantity * order.price;
          if (++processed === orders.length) allDone();
        },
        { concurrency: 4 },
      ),
    );
    await legacy.send(Buffer.from("not-protobuf\xff", "latin1"));
    for (const order of orders) await producer.send(order);
    log(`sent ${orders.length} orders`);
    await Promise.all([done, dropped]);
    await Promise.all(pools.map((p) => p.stop()));
    for (const name of names) log(`${name} processed ${byWorker[name]} orders`);
    log(`notional ${notional.toFixed(2)}`);
  } finally {
    await producer.close();
    await legacy.close();
    for (const w of workers) await w.close();
  }
  return { processed, byWorker, notional, decodeErrors: workers.reduce((n, w) => n + w.decodeErrors, 0) };
}

if (import.meta.url === `file://${process.argv[1]}`) await ordersPipeline();
