/**
 * Queues end to end through BrokerClient against a Broker in this process: order, credit,
 * ACK/NACK, redelivery on lease expiry and on a consumer's death, dead letters, topics,
 * durability across a restart, and stats.
 */
import { afterEach, describe, expect, it } from "vitest";
import { pathToFileURL } from "node:url";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { queueDirName } from "../../lib/broker/server/store/disk-store.js";
import { encodeMessage } from "../../lib/broker/server/store/record.js";
import { Broker, BrokerClient, openDurableQueues, type BrokerConsumer, type BrokerOptions, type Delivery } from "../../lib/broker/index.js";
import { within } from "../helpers/sockets.js";
import { Dealer } from "../../lib/index.js";
import { decodeBrokerMessage, encodeClient } from "../../lib/broker/protocol.js";
import { CLIENT_JS, missingBuild, killAll, kill, runScript, tempDir } from "../helpers/broker-process.js";
import { itNeeding } from "../helpers/prerequisite.js";

const brokers: Broker[] = [];
const clients: BrokerClient[] = [];
const dirs: { remove(): void }[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const b of brokers.splice(0)) await b.close();
  await killAll();
  for (const d of dirs.splice(0)) d.remove();
});

async function startBroker(options: Partial<BrokerOptions> = {}): Promise<Broker> {
  const broker = new Broker({ memory: true, bind: "tcp://127.0.0.1:0", ...options } as BrokerOptions);
  brokers.push(broker);
  await broker.start();
  return broker;
}

async function connect(broker: Broker | string, heartbeatInterval?: number): Promise<BrokerClient> {
  const ep = typeof broker === "string" ? broker : broker.endpoints[0]!;
  const client = new BrokerClient({ endpoints: ep, ...(heartbeatInterval !== undefined && { heartbeatInterval }) });
  clients.push(client);
  await within(client.ready(), 5000, "client session");
  return client;
}

async function take(consumer: BrokerConsumer, n: number, ms = 5000): Promise<Delivery[]> {
  const out: Delivery[] = [];
  for (let i = 0; i < n; i++) out.push((await within(consumer.next(), ms, `delivery ${i + 1} of ${n}`))!);
  return out;
}

const text = (ds: Delivery[]): string[] => ds.map((d) => d.body.toString());

/** Resolves once `check` holds; polls the broker's own state, bounded. */
async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("derived names", () => {
  it("a queue or subscription whose derived queue name would not fit is refused where it is made", async () => {
    const broker = await startBroker({ maxDeliveries: 1 });
    const client = await connect(broker);
    await expect(client.put("q".repeat(197), "m")).rejects.toMatchObject({ code: "EINVAL" });
    await expect(client.subscribe("t".repeat(150), "s".repeat(60))).rejects.toMatchObject({ code: "EINVAL" });
    // At the limit: the queue takes a message, dead-letters it, and its .dlq (200 bytes) is consumed.
    const name = "q".repeat(196);
    await client.put(name, "poison");
    const consumer = client.consume(name);
    const first = await within(consumer.next(), 5000, "first delivery");
    expect(await first!.nack({ deadLetter: true })).toBe("dead-lettered");
    const dlq = client.consume(`${name}.dlq`);
    const dead = await within(dlq.next(), 5000, "dead letter");
    expect(dead!.body.toString()).toBe("poison");
    await dead!.ack();
  });
});

describe("message size", () => {
  it("a put or publish over the broker's maxMessageBytes + 64 KiB fails at once with EMSGSIZE, and the link goes on", async () => {
    const broker = await startBroker({ maxMessageBytes: 1024 });
    const client = await connect(broker);
    const big = Buffer.alloc(1024 + 128 * 1024, 1);
    // Before: the broker's socket dropped the link for the oversized frame, the put never settled
    // and the client reconnected in a loop.
    await expect(within(client.put("sized", big), 2000, "oversized put")).rejects.toMatchObject({ code: "EMSGSIZE" });
    await expect(within(client.publish("sized-topic", big), 2000, "oversized publish")).rejects.toMatchObject({ code: "EMSGSIZE" });
    await expect(within(client.put("sized", Buffer.alloc(1025)), 2000, "put one over")).rejects.toMatchObject({ code: "EMSGSIZE" });
    expect((await within(client.put("sized", Buffer.alloc(1024)), 2000, "put at the limit")).seq).toBe(1);
    const stats = await client.stats();
    expect(stats.queues.find((q) => q.name === "sized")?.depth).toBe(1);
  });
});

describe("queues", () => {
  it("delivers in FIFO order to a single consumer and forgets what is acknowledged", async () => {
    const broker = await startBroker();
    const client = await connect(broker);
    for (let i = 0; i < 20; i++) await client.put("jobs", `job-${i}`);
    const consumer = client.consume("jobs", { credit: 5 });
    const got = [];
    for (let i = 0; i < 20; i++) {
      const [d] = await take(consumer, 1);
      got.push(d!.body.toString());
      expect(d!.attempt).toBe(1);
      await d!.ack();
    }
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `job-${i}`));
    expect(broker.stats().queues.find((q) => q.name === "jobs")).toMatchObject({ depth: 0, unacked: 0, consumers: 1 });
  });

  it("sends no more than the credit window of unacknowledged deliveries", async () => {
    const broker = await startBroker();
    const client = await connect(broker);
    for (let i = 0; i < 10; i++) await client.put("q", `m${i}`);
    const consumer = client.consume("q", { credit: 3 });
    const first = await take(consumer, 3);
    await until(() => broker.stats().queues[0]!.unacked === 3, "three leased");
    expect(broker.stats().queues[0]).toMatchObject({ ready: 7, unacked: 3 });
    await first[0]!.ack();
    const [fourth] = await take(consumer, 1);
    expect(fourth!.body.toString()).toBe("m3");
    expect(broker.stats().queues[0]).toMatchObject({ ready: 6, unacked: 3 });
  });

  it("a NACKed message comes back first, with its attempt counted", async () => {
    const broker = await startBroker();
    const client = await connect(broker);
    for (let i = 0; i < 3; i++) await client.put("q", `m${i}`);
    const consumer = client.consume("q", { credit: 1 });
    const [m0] = await take(consumer, 1);
    expect(await m0!.nack()).toBe("requeued");
    const [again] = await take(consumer, 1);
    expect([again!.body.toString(), again!.attempt]).toEqual(["m0", 2]);
    await again!.ack();
    const rest = await take(consumer, 1);
    expect(text(rest)).toEqual(["m1"]);
    await expect(again!.ack()).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("a poison message goes to the dead-letter queue after maxDeliveries NACKs", async () => {
    const broker = await startBroker({ maxDeliveries: 3 });
    const client = await connect(broker);
    await client.put("work", "poison");
    await client.put("work", "fine");
    const consumer = client.consume("work", { credit: 1 });
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      const [d] = await take(consumer, 1);
      expect([d!.body.toString(), d!.attempt]).toEqual(["poison", i + 1]);
      outcomes.push(await d!.nack());
    }
    expect(outcomes).toEqual(["requeued", "requeued", "dead-lettered"]);
    const [next] = await take(consumer, 1);
    expect(next!.body.toString()).toBe("fine");
    await next!.ack();

    const dead = client.consume("work.dlq");
    const [d] = await take(dead, 1);
    expect([d!.body.toString(), d!.attempt]).toEqual(["poison", 1]);
    // A dead letter is never dead-lettered again: NACKs just requeue it.
    let last = d!;
    for (let i = 0; i < 4; i++) {
      expect(await last.nack()).toBe("requeued");
      [last] = (await take(dead, 1)) as [Delivery];
    }
    expect(last.attempt).toBe(5);
    const stats = broker.stats().queues.find((q) => q.name === "work")!;
    expect(stats.totals.deadLettered).toBe(1);
    expect(stats.depth).toBe(0);
  });

  it("NACK with deadLetter moves a message to the dead-letter queue at once", async () => {
    const broker = await startBroker();
    const client = await connect(broker);
    await client.put("q", "bad");
    const [d] = await take(client.consume("q"), 1);
    expect(await d!.nack({ deadLetter: true })).toBe("dead-lettered");
    const [dead] = await take(client.consume("q.dlq"), 1);
    expect(dead!.body.toString()).toBe("bad");
  });

  it("an expired lease returns the message to the queue for another consumer", async () => {
    const broker = await startBroker({ heartbeatInterval: 100 });
    const slow = await connect(broker);
    const fast = await connect(broker);
    await slow.put("q", "m");
    const held = slow.consume("q", { leaseMs: 150 });
    const [first] = await take(held, 1);
    expect(first!.attempt).toBe(1);
    const other = fast.consume("q");
    const [again] = await take(other, 1, 5000);
    expect([again!.body.toString(), again!.attempt]).toEqual(["m", 2]);
    await again!.ack();
    await expect(first!.ack()).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("closing a consumer returns what it had not acknowledged", async () => {
    const broker = await startBroker();
    const client = await connect(broker);
    for (let i = 0; i < 4; i++) await client.put("q", `m${i}`);
    const a = client.consume("q", { credit: 4 });
    await take(a, 2);
    await a.close();
    const b = client.consume("q", { credit: 4 });
    expect(text(await take(b, 4))).toEqual(["m0", "m1", "m2", "m3"]);
  });

  itNeeding(missingBuild(), "a consumer killed mid-stream: its unacknowledged messages go to another consumer at once", async () => {
    // Heartbeats a minute apart: only the closed connection can tell the broker in time.
    const broker = await startBroker({ heartbeatInterval: 60_000 });
    const producer = await connect(broker);
    for (let i = 0; i < 10; i++) await producer.put("q", `m${i}`);
    const script = `
      const { BrokerClient } = await import(${JSON.stringify(pathToFileURL(CLIENT_JS).href)});
      const client = new BrokerClient({ endpoints: ${JSON.stringify(broker.endpoints[0])} });
      let n = 0;
      for await (const d of client.consume("q", { credit: 4 })) {
        // Acknowledges the first two, then holds the rest, as if stuck in its work.
        if (n++ < 2) await d.ack();
        console.log(d.body.toString());
      }`;
    const seen: string[] = [];
    let resolveFour!: () => void;
    const four = new Promise<void>((r) => (resolveFour = r));
    const victim = runScript(script, (line) => {
      seen.push(line);
      if (seen.length === 6) resolveFour();
    });
    await within(four, 10_000, "the victim's deliveries");
    await until(() => broker.stats().queues[0]!.unacked === 4, "four unacknowledged");
    await kill(victim);
    // The victim's connection closed with its process; only the producer's session is left.
    await until(() => broker.stats().sessions === 1, "the victim's session ended", 5000);
    expect(broker.stats().queues[0]).toMatchObject({ ready: 8, unacked: 0 });

    const survivor = await connect(broker, 100);
    const got = await take(survivor.consume("q", { credit: 10 }), 8, 5000);
    // Its four unacknowledged come back (attempt 2) ahead of the four it never got.
    expect(text(got)).toEqual(["m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"]);
    expect(got.map((d) => d.attempt)).toEqual([2, 2, 2, 2, 1, 1, 1, 1]);
  });

  it("a consumer that stays connected but falls silent loses its session after 3 heartbeats", async () => {
    const broker = await startBroker({ heartbeatInterval: 100 });
    const producer = await connect(broker, 100);
    for (let i = 0; i < 3; i++) await producer.put("q", `m${i}`);
    // A bare DEALER speaking the protocol: HELLO and CONSUME, then never a PING.
    const silent = new Dealer({ linger: 0 });
    try {
      silent.connect(broker.endpoints[0]!);
      await silent.send(encodeClient.hello(1));
      expect(decodeBrokerMessage(await within(silent.receive(), 5000, "HELLO reply"))).toMatchObject({ kind: "OK", reqId: 1 });
      await silent.send(encodeClient.consume(2, 1, "q", 3, 60_000));
      await until(() => broker.stats().queues[0]!.unacked === 3, "three delivered to the silent consumer");
      await until(() => broker.stats().sessions === 1, "the silent session ended", 5000);
      expect(broker.stats().queues[0]).toMatchObject({ ready: 3, unacked: 0 });
      const got = await take(producer.consume("q", { credit: 3 }), 3);
      expect(text(got)).toEqual(["m0", "m1", "m2"]);
    } finally {
      await silent.close();
    }
  });
});

describe("client", () => {
  it("put waits for a broker up to sendTimeout, then fails with EAGAIN; close ends a waiting put with EBADF", async () => {
    const client = new BrokerClient({ endpoints: "tcp://127.0.0.1:1", sendTimeout: 150 });
    clients.push(client);
    await expect(client.put("q", "x")).rejects.toMatchObject({ code: "EAGAIN" });
    const forever = new BrokerClient({ endpoints: "tcp://127.0.0.1:1" });
    const waiting = forever.put("q", "x");
    await forever.close();
    await expect(waiting).rejects.toMatchObject({ code: "EBADF" });
    expect(() => forever.consume("q")).toThrow(expect.objectContaining({ code: "EBADF" }));
    await expect(client.put("", "x")).rejects.toMatchObject({ code: "EINVAL" });
  });

  it("acknowledging a delivery after its broker went away fails with ESESSION", async () => {
    const broker = await startBroker();
    const client = await connect(broker);
    await client.put("q", "m");
    const [d] = await take(client.consume("q"), 1);
    await broker.close();
    // Whether the client has noticed yet or not, the answer is the same.
    await expect(d!.ack()).rejects.toMatchObject({ code: "ESESSION" });
    await until(() => !client.connected, "the link going down");
    await expect(d!.nack()).rejects.toMatchObject({ code: "ESESSION" });
  });
});

describe("topics", () => {
  it("every durable subscription gets its own copy, connected or not", async () => {
    const broker = await startBroker();
    const client = await connect(broker);
    expect(await client.publish("prices", "before anyone")).toBe(0);
    const audit = await client.subscribe("prices", "audit");
    const billing = await client.subscribe("prices", "billing");
    expect([audit, billing]).toEqual(["prices@audit", "prices@billing"]);
    expect(await client.publish("prices", "p1")).toBe(2);
    expect(await client.publish("prices", "p2")).toBe(2);
    expect(text(await take(client.consume(audit), 2))).toEqual(["p1", "p2"]);
    expect(text(await take(client.consume(billing), 2))).toEqual(["p1", "p2"]);
    await client.unsubscribe("prices", "billing");
    expect(await client.publish("prices", "p3")).toBe(1);
    expect(broker.stats().topics).toEqual([{ topic: "prices", subscriptions: ["audit"] }]);
  });
});

describe("durability", () => {
  it("confirmed messages and subscriptions survive a restart; acknowledged ones do not come back", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await startBroker({ memory: undefined, dataDir: dir.path, segmentBytes: 4096 });
    const c1 = await connect(first);
    await c1.subscribe("events", "s");
    for (let i = 0; i < 50; i++) await c1.put("q", `m${i}`);
    const consumer = c1.consume("q", { credit: 10 });
    for (const d of await take(consumer, 10)) await d.ack();
    await c1.close();
    await first.close();

    const second = await startBroker({ memory: undefined, dataDir: dir.path, segmentBytes: 4096 });
    expect(second.recovery).toEqual([]);
    const c2 = await connect(second);
    expect(await c2.publish("events", "after restart")).toBe(1);
    const got = await take(c2.consume("q", { credit: 100 }), 40);
    expect(text(got)).toEqual(Array.from({ length: 40 }, (_, i) => `m${i + 10}`));
    const stats = second.stats();
    expect(stats.queues.find((q) => q.name === "q")).toMatchObject({ depth: 40, unacked: 40 });
    expect(stats.store).toMatchObject({ kind: "disk", sync: "always" });
  });
});

describe("recovery report", () => {
  it("a corrupted byte in a segment is reported with file and offset; the messages before and after it are delivered", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const first = await startBroker({ memory: undefined, dataDir: dir.path });
    const c1 = await connect(first);
    for (let i = 0; i < 6; i++) await c1.put("q", `message-${i}`);
    await c1.close();
    await first.close();

    const queueDir = join(dir.path, "queues", queueDirName("q"));
    const segment = join(queueDir, readdirSync(queueDir).find((f) => f.endsWith(".seg"))!);
    const bytes = readFileSync(segment);
    const recordSize = encodeMessage(1, Buffer.from("message-0")).reduce((n, b) => n + b.length, 0);
    const fifth = bytes.length - 2 * recordSize;
    bytes[fifth + recordSize - 1]! ^= 0xff;
    writeFileSync(segment, bytes);

    const second = await startBroker({ memory: undefined, dataDir: dir.path });
    const issue = { file: segment, offset: fifth, damage: "checksum", action: "skipped", bytes: recordSize, keptAs: `${segment}.${fifth}.damaged` };
    expect(second.recovery).toEqual([issue]);
    expect(second.stats().recovery).toEqual([issue]);
    const c2 = await connect(second);
    expect((await c2.stats()).recovery).toEqual([issue]);
    expect(text(await take(c2.consume("q"), 5))).toEqual(["message-0", "message-1", "message-2", "message-3", "message-5"]);
    expect(second.stats().queues[0]!.depth).toBe(5);
  });
});

describe("stats", () => {
  it("reports depth, consumers, totals and rates per queue, over the protocol too", async () => {
    const broker = await startBroker({ brokerId: "b1" });
    const client = await connect(broker);
    for (let i = 0; i < 5; i++) await client.put("a", "x");
    const consumer = client.consume("a", { credit: 2 });
    await take(consumer, 2);
    await until(() => broker.stats().queues[0]!.unacked === 2, "two leased");
    const remote = await client.stats();
    expect(remote.brokerId).toBe("b1");
    expect(remote.sessions).toBe(1);
    expect(remote.consumers).toBe(1);
    expect(remote.queues).toEqual([
      expect.objectContaining({ name: "a", depth: 5, ready: 3, unacked: 2, consumers: 1, totals: expect.objectContaining({ put: 5, delivered: 2 }) }),
    ]);
  });

  it("checks options up front", () => {
    expect(() => new Broker({ bind: "tcp://127.0.0.1:0" })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => new Broker({ memory: true, bind: [] })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    // @ts-expect-error a misspelt sync policy does not compile; from JavaScript it is refused at run time
    expect(() => new Broker({ memory: true, bind: "tcp://127.0.0.1:0", sync: "alwayz" })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => new Broker({ memory: true, bind: "tcp://127.0.0.1:0", maxDeliveries: 0 })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => new BrokerClient({ endpoints: [] })).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("refuses several endpoints (the retired hash-ring cluster) with ENOTSUP naming JetStream", () => {
    const refused = expect.objectContaining({ code: "ENOTSUP", message: expect.stringMatching(/no cluster .*backend: "jetstream"/) });
    const two = ["tcp://127.0.0.1:1", "tcp://127.0.0.1:2"];
    expect(() => new BrokerClient({ endpoints: two })).toThrow(refused);
    expect(() => new BrokerClient(two)).toThrow(refused);
    expect(() => openDurableQueues({ backend: "embedded", endpoints: two })).toThrow(refused);
  });
});
