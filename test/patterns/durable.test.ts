import { afterEach, describe, expect, it } from "vitest";
import { Broker, BrokerClient } from "../../lib/broker/index.js";
import { DurableConsumer, DurableProducer, durableQueue, json, runDurableWorkers, string, type DecodeError } from "../../patterns/index.js";
import { delay } from "../helpers/sockets.js";
import { tmpIpc } from "../helpers/endpoints.js";

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

describe("durable workers", () => {
  async function brokerAndClient(options: { maxDeliveries?: number } = {}): Promise<{ broker: Broker; client: BrokerClient }> {
    const broker = new Broker({ memory: true, bind: "tcp://127.0.0.1:0", heartbeatInterval: 200, ...options });
    await broker.start();
    cleanups.push(() => broker.close());
    const client = new BrokerClient({ endpoints: broker.endpoints, heartbeatInterval: 200 });
    cleanups.push(() => client.close());
    await client.ready();
    return { broker, client };
  }

  it("a job four times longer than its lease runs once and is acked: the lease is kept while the handler runs", async () => {
    const { broker, client } = await brokerAndClient();
    const jobs = durableQueue(client, "reports", json<{ id: number }>());
    await jobs.producer().put({ id: 1 });
    const runs: number[] = [];
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    const workers = runDurableWorkers(
      jobs,
      async (job, delivery) => {
        runs.push(delivery.attempt);
        await delay(800);
        void job;
      },
      { concurrency: 2, leaseMs: 200 },
    );
    cleanups.push(() => workers.close());
    // A second pool on the same queue would get the job if its lease ran out.
    const rival = runDurableWorkers(jobs, () => void runs.push(-1), { leaseMs: 200 });
    cleanups.push(() => rival.close());
    const poll = setInterval(() => workers.acked === 1 && finished(), 10);
    await done.finally(() => clearInterval(poll));
    expect(runs).toEqual([1]);
    expect(broker.stats().queues.find((q) => q.name === "reports")).toMatchObject({ depth: 0, totals: { returned: 0, acked: 1 } });
  });

  it("acks on success, nacks with the error on failure; the dead-letter entry carries the last error", async () => {
    const { client } = await brokerAndClient({ maxDeliveries: 2 });
    const jobs = durableQueue(client, "payments", json<{ id: number; fail: boolean }>());
    const producer = jobs.producer();
    await producer.put({ id: 1, fail: false });
    await producer.put({ id: 2, fail: true });
    const seen: string[] = [];
    const errors: unknown[] = [];
    const workers = runDurableWorkers(
      jobs,
      (p, d) => {
        seen.push(`${p.id}#${d.attempt}`);
        if (p.fail) throw new Error(`declined ${p.id} on try ${d.attempt}`);
      },
      { onError: (e) => errors.push(e) },
    );
    cleanups.push(() => workers.close());
    const dlq = jobs.deadLetters().consumer({ credit: 1 });
    cleanups.push(() => dlq.close());
    const dead = (await dlq.next())!;
    expect(dead.value).toEqual({ id: 2, fail: true });
    expect(dead.deadLetter).toMatchObject({ reason: "max-deliveries", error: "Error: declined 2 on try 2", queue: "payments", attempts: 2 });
    await dead.ack();
    expect(seen).toEqual(["1#1", "2#1", "2#2"]);
    expect(errors).toHaveLength(2);
    expect([workers.acked, workers.nacked]).toEqual([1, 2]);
  });

  it("a message that does not decode is dead-lettered with the reason decode-error", async () => {
    const { client } = await brokerAndClient();
    await client.put("orders", "{not json");
    const consumer = new DurableConsumer(client, "orders", json<Order>(), { credit: 1 });
    cleanups.push(() => consumer.close());
    void consumer.next();
    const dlq = new DurableConsumer(client, "orders.dlq", string, { credit: 1 });
    cleanups.push(() => dlq.close());
    const dead = (await dlq.next())!;
    expect(dead.value).toBe("{not json");
    expect(dead.deadLetter).toMatchObject({ reason: "decode-error", queue: "orders", attempts: 1 });
    expect(dead.deadLetter!.error).toEqual(expect.any(String));
    await dead.ack();
  });

  it("close({ drain: true }) lets the running job finish and ack; the next one stays in the queue", async () => {
    const { broker, client } = await brokerAndClient();
    const jobs = durableQueue(client, "drain", json<number>());
    for (let i = 0; i < 3; i++) await jobs.producer().put(i);
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const ran: number[] = [];
    const workers = runDurableWorkers(jobs, async (n) => {
      ran.push(n);
      started();
      await delay(100);
    });
    await running;
    await workers.close({ drain: true });
    expect(ran).toEqual([0]);
    expect(workers.acked).toBe(1);
    const q = broker.stats().queues.find((x) => x.name === "drain")!;
    expect(q).toMatchObject({ depth: 2, unacked: 0 });
  });

  it("checks its options", async () => {
    const { client } = await brokerAndClient();
    const jobs = durableQueue(client, "q", json<number>());
    expect(() => runDurableWorkers(jobs, () => {}, { concurrency: 0 })).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});

describe("durable classes are disposable", () => {
  it("a disposed producer refuses puts (EBADF) after those in flight settle; a disposed consumer is closed", async () => {
    const client = await setup();
    const producer = new DurableProducer(client, "orders", json<Order>());
    const consumer = new DurableConsumer(client, "orders", json<Order>());
    const inFlight = producer.put({ id: 1, item: "tea" });
    await producer[Symbol.asyncDispose]();
    await expect(inFlight).resolves.toMatchObject({ seq: expect.any(Number) });
    await expect(producer.put({ id: 2, item: "cake" })).rejects.toMatchObject({ code: "EBADF" });
    await consumer[Symbol.asyncDispose]();
    expect(consumer.closed).toBe(true);
    expect(await consumer.next()).toBeUndefined();
  });

  it("put() takes a timeout and rejects with ETIMEDOUT when no broker answers", async () => {
    const client = new BrokerClient({ endpoints: tmpIpc() });
    cleanups.push(() => client.close());
    const producer = new DurableProducer(client, "orders", json<Order>());
    await expect(producer.put({ id: 1, item: "tea" }, { timeout: 100 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
  });
});
