import { afterEach, describe, expect, it } from "vitest";
import { Broker, BrokerClient } from "../../lib/broker/index.js";
import { DurableConsumer, DurableProducer, json, type DecodeError } from "../../patterns/index.js";

interface Order {
  id: number;
  item: string;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<BrokerClient> {
  const broker = new Broker({ memory: true, bind: "tcp://127.0.0.1:0" });
  await broker.start();
  cleanups.push(() => broker.close());
  const client = new BrokerClient(broker.endpoints);
  cleanups.push(() => client.close());
  await client.ready();
  return client;
}

describe("typed durable producer and consumer", () => {
  it("delivers typed values in order; one that does not decode is dead-lettered and counted", async () => {
    const client = await setup();
    const producer = new DurableProducer(client, "orders", json<Order>());
    await producer.put({ id: 1, item: "tea" });
    await client.put("orders", "{not json");
    await producer.put({ id: 2, item: "cake" });
    // @ts-expect-error a value of the wrong type does not compile
    void (() => producer.put({ id: "three" }));

    const errors: DecodeError[] = [];
    const consumer = new DurableConsumer(client, "orders", json<Order>(), { onDecodeError: (e) => errors.push(e) });
    cleanups.push(() => consumer.close());
    const got: Order[] = [];
    for await (const delivery of consumer) {
      got.push(delivery.value);
      await delivery.ack();
      if (got.length === 2) break;
    }
    expect(got).toEqual([{ id: 1, item: "tea" }, { id: 2, item: "cake" }]);
    expect(consumer.decodeErrors).toBe(1);
    expect(String(errors[0]!.frames[0])).toBe("{not json");
  });
});
