/**
 * Leases a consumer keeps while it works (EXTEND), what a dead-letter entry says about why it
 * is there, and puts that give up when no broker answers.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Broker, BrokerClient, decodeDeadLetter, type BrokerConsumer, type BrokerOptions, type Delivery } from "../../lib/broker/index.js";
import { delay, within } from "../helpers/sockets.js";
import { tmpIpc } from "../helpers/endpoints.js";
import { Router } from "../../lib/index.js";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close();
});

async function setup(options: Partial<BrokerOptions> = {}): Promise<{ broker: Broker; client: BrokerClient }> {
  // A short heartbeat makes the broker look at leases every 50 ms.
  const broker = new Broker({ memory: true, bind: "tcp://127.0.0.1:0", heartbeatInterval: 200, ...options } as BrokerOptions);
  await broker.start();
  open.push(broker);
  const client = new BrokerClient({ endpoints: broker.endpoints, heartbeatInterval: 200 });
  open.push(client);
  await within(client.ready(), 5000, "client session");
  return { broker, client };
}

function next(consumer: BrokerConsumer, what = "delivery"): Promise<Delivery> {
  return within(consumer.next(), 5000, what) as Promise<Delivery>;
}

describe("EXTEND keeps a lease", () => {
  it("a delivery held three times its lease with extend() is acked, and no other consumer gets it meanwhile", async () => {
    const { broker, client } = await setup();
    await client.put("jobs", "long job");
    const worker = client.consume("jobs", { credit: 1, leaseMs: 200 });
    open.push(worker);
    const d = await next(worker);
    expect(d.leaseMs).toBe(200);
    const other = client.consume("jobs", { credit: 1, leaseMs: 200 });
    open.push(other);
    let stolen: Delivery | undefined;
    void other.next().then((x) => (stolen = x));
    for (let i = 0; i < 6; i++) {
      await delay(100);
      expect(await d.extend()).toBe(200);
    }
    expect(stolen).toBeUndefined();
    await d.ack();
    expect(broker.stats().queues.find((q) => q.name === "jobs")).toMatchObject({ depth: 0, unacked: 0, totals: { returned: 0 } });
  });

  it("extend(ms) sets another length for that one lease", async () => {
    const { client } = await setup();
    await client.put("jobs", "x");
    const worker = client.consume("jobs", { credit: 1, leaseMs: 100 });
    open.push(worker);
    const d = await next(worker);
    expect(await d.extend(5000)).toBe(5000);
    await delay(300);
    await d.ack();
  });

  it("once the lease is over, extend() is ENOENT and so is the ack; the message went to another consumer", async () => {
    const { client } = await setup();
    await client.put("jobs", "x");
    const slow = client.consume("jobs", { credit: 1, leaseMs: 100 });
    open.push(slow);
    const d = await next(slow);
    const fast = client.consume("jobs", { credit: 1, leaseMs: 10_000 });
    open.push(fast);
    const again = await next(fast, "redelivery after the lease");
    expect(again.attempt).toBe(2);
    await expect(d.extend()).rejects.toMatchObject({ code: "ENOENT" });
    await expect(d.ack()).rejects.toMatchObject({ code: "ENOENT" });
    await again.ack();
  });

  it("extend() checks its argument", async () => {
    const { client } = await setup();
    await client.put("jobs", "x");
    const worker = client.consume("jobs", { credit: 1 });
    open.push(worker);
    const d = await next(worker);
    await expect(d.extend(-1)).rejects.toMatchObject({ code: "EINVAL" });
    await expect(d.extend(1.5)).rejects.toMatchObject({ code: "EINVAL" });
    // The broker's own lease (30 s by default) when the consumer did not choose one.
    expect(d.leaseMs).toBe(30_000);
    await d.ack();
  });
});

describe("dead-letter entries say why", () => {
  it("NACK with deadLetter: reason nack, with the error text, the source queue, seq and attempts", async () => {
    const { client } = await setup();
    const { seq } = await client.put("jobs", "payload");
    const worker = client.consume("jobs", { credit: 1 });
    open.push(worker);
    const d = await next(worker);
    expect(await d.nack({ deadLetter: true, error: new TypeError("card declined") })).toBe("dead-lettered");
    const dlq = client.consume("jobs.dlq", { credit: 1 });
    open.push(dlq);
    const dead = await next(dlq, "dead letter");
    expect(dead.body.toString()).toBe("payload");
    expect(dead.deadLetter).toMatchObject({ reason: "nack", error: "TypeError: card declined", queue: "jobs", seq, attempts: 1 });
    expect(Number.isNaN(Date.parse(dead.deadLetter!.at))).toBe(false);
    await dead.ack();
  });

  it("after maxDeliveries: reason max-deliveries, with the last NACK's text", async () => {
    const { client } = await setup({ maxDeliveries: 2 });
    await client.put("jobs", "payload");
    const worker = client.consume("jobs", { credit: 1 });
    open.push(worker);
    expect(await (await next(worker)).nack({ error: "first failure" })).toBe("requeued");
    expect(await (await next(worker)).nack({ error: "second failure" })).toBe("dead-lettered");
    const dlq = client.consume("jobs.dlq", { credit: 1 });
    open.push(dlq);
    const dead = await next(dlq, "dead letter");
    expect(dead.deadLetter).toMatchObject({ reason: "max-deliveries", error: "second failure", attempts: 2 });
    await dead.ack();
  });

  it("after leases that expired: reason max-deliveries, the error says the lease expired", async () => {
    const { client } = await setup({ maxDeliveries: 1 });
    await client.put("jobs", "payload");
    const worker = client.consume("jobs", { credit: 1, leaseMs: 50 });
    open.push(worker);
    await next(worker);
    const dlq = client.consume("jobs.dlq", { credit: 1 });
    open.push(dlq);
    const dead = await next(dlq, "dead letter");
    expect(dead.deadLetter).toMatchObject({ reason: "max-deliveries", attempts: 1 });
    expect(dead.deadLetter!.error).toMatch(/lease of 50 ms expired/);
    await dead.ack();
  });

  it("the entry's format: NUL 'WDL' 1, a u32 header length, a JSON header, the original body", () => {
    const entry = Buffer.concat([Buffer.from([0, 0x57, 0x44, 0x4c, 1, 0, 0, 0, 2]), Buffer.from("{}body")]);
    expect(decodeDeadLetter(entry)).toBeNull(); // a header without a reason is not an entry
    const header = Buffer.from(JSON.stringify({ reason: "nack", error: null, queue: "q", seq: 1, attempts: 1, at: "2026-01-01T00:00:00.000Z" }));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(header.length);
    const good = Buffer.concat([Buffer.from([0, 0x57, 0x44, 0x4c, 1]), len, header, Buffer.from("body")]);
    expect(decodeDeadLetter(good)).toEqual({ info: JSON.parse(header.toString()), body: Buffer.from("body") });
    expect(decodeDeadLetter(Buffer.from("plain body"))).toBeNull();
  });
});

describe("a put gives up when no broker answers", () => {
  it("rejects with ETIMEDOUT at its timeout, and at the client's putTimeout", async () => {
    const client = new BrokerClient({ endpoints: tmpIpc(), putTimeout: 150 });
    open.push(client);
    await expect(client.put("jobs", "x", { timeout: 100 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
    await expect(client.put("jobs", "x")).rejects.toMatchObject({ code: "ETIMEDOUT" });
    await expect(client.publish("news", "x")).rejects.toMatchObject({ code: "ETIMEDOUT" });
    expect(() => new BrokerClient({ endpoints: tmpIpc(), putTimeout: -5 })).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("rejects with ETIMEDOUT when a peer takes the connection but never answers", async () => {
    const silent = new Router({ linger: 0 });
    open.push({ close: async () => silent.close() });
    await silent.bind("tcp://127.0.0.1:0");
    const client = new BrokerClient({ endpoints: silent.lastEndpoint!, heartbeatInterval: 200 });
    open.push(client);
    await expect(client.put("jobs", "x", { timeout: 300 })).rejects.toMatchObject({ code: "ETIMEDOUT" });
  });
});
