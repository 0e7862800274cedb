/**
 * One behaviour suite, two backends: the durable-queue contract (lib/broker/durable-queues.ts)
 * on the embedded broker and on NATS JetStream (a real nats-server). Each test uses queues of
 * its own, so the tests share a server but not state. Leases are short so expiry runs in a
 * second.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Broker, openDurableQueues, type DurableQueues, type DurableQueuesConfig, type QueueConsumer, type QueueDelivery } from "../../lib/broker/index.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { missingNatsServer, startNats, stopAllNats } from "../helpers/nats.js";
import { ChildProgram } from "../helpers/child-program.js";
import { within } from "../helpers/sockets.js";

const MAX_DELIVERIES = 3;
const LEASE_MS = 600;
const BROKER_BUILD = fileURLToPath(new URL("../../dist/lib/broker/index.js", import.meta.url));

interface Backend {
  name: "embedded" | "jetstream";
  missing(): string | undefined;
  /** Starts the server once for the file; returns the config a client needs. */
  start(): Promise<DurableQueuesConfig>;
  stop(): Promise<void>;
}

let broker: Broker | null = null;

const backends: Backend[] = [
  {
    name: "embedded",
    missing: () => undefined,
    async start() {
      broker = new Broker({ memory: true, bind: "tcp://127.0.0.1:0", maxDeliveries: MAX_DELIVERIES, heartbeatInterval: 200 });
      await broker.start();
      return { backend: "embedded", endpoints: broker.endpoints };
    },
    async stop() {
      await broker?.close();
      broker = null;
    },
  },
  {
    name: "jetstream",
    missing: missingNatsServer,
    async start() {
      const server = await startNats();
      return { backend: "jetstream", servers: server.url, maxDeliveries: MAX_DELIVERIES, storage: "memory", pullExpiresMs: 1000 };
    },
    stop: stopAllNats,
  },
];

const unique = (what: string): string => `${what}.${randomBytes(4).toString("hex")}`;

async function take(consumer: QueueConsumer, n: number, what: string): Promise<QueueDelivery[]> {
  const out: QueueDelivery[] = [];
  while (out.length < n) {
    const d = await within(consumer.next(), 10_000, `${what}: delivery ${out.length + 1} of ${n}`);
    if (d === undefined) throw new Error(`${what}: consumer closed`);
    out.push(d);
  }
  return out;
}

for (const backend of backends) {
  describeNeeding(backend.missing(), `durable queues on ${backend.name}`, () => {
    let config: DurableQueuesConfig;
    const open: DurableQueues[] = [];
    const children: ChildProgram[] = [];

    beforeAll(async () => {
      config = await backend.start();
    }, 30_000);
    afterEach(async () => {
      for (const c of children.splice(0)) await c.kill();
      for (const q of open.splice(0)) await q.close();
    });
    afterAll(() => backend.stop());

    async function client(): Promise<DurableQueues> {
      const q = openDurableQueues(config);
      open.push(q);
      await q.ready();
      return q;
    }

    it("one consumer gets a queue's messages in the order they were put", async () => {
      const q = await client();
      const queue = unique("fifo");
      for (let i = 0; i < 40; i++) await q.put(queue, `m${i}`);
      const consumer = q.consume(queue, { credit: 7 });
      const got: string[] = [];
      while (got.length < 40) {
        const [d] = await take(consumer, 1, `fifo ${got.length}`);
        got.push(d!.body.toString());
        await d!.ack();
      }
      expect(got).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`));
      await consumer.close();
      expect(await q.queueDepth(queue)).toMatchObject({ depth: 0, unacked: 0 });
    });

    it("a consumer holds at most its credit unacknowledged; each ack lets one more come", async () => {
      const q = await client();
      const queue = unique("credit");
      for (let i = 0; i < 12; i++) await q.put(queue, `m${i}`);
      const consumer = q.consume(queue, { credit: 4 });
      const first = await take(consumer, 4, "first window");
      // The server side agrees: four out, eight waiting.
      expect(await q.queueDepth(queue)).toEqual({ name: queue, depth: 12, ready: 8, unacked: 4 });
      for (const d of first) await d.ack();
      const second = await take(consumer, 4, "second window");
      expect(second.map((d) => d.body.toString())).toEqual(["m4", "m5", "m6", "m7"]);
      expect(await q.queueDepth(queue)).toEqual({ name: queue, depth: 8, ready: 4, unacked: 4 });
      for (const d of second) await d.ack();
      for (const d of await take(consumer, 4, "third window")) await d.ack();
      await consumer.close();
    });

    it("a nacked message comes again, with its attempt counted", async () => {
      const q = await client();
      const queue = unique("nack");
      await q.put(queue, "retry me");
      const consumer = q.consume(queue, { credit: 1 });
      const [first] = await take(consumer, 1, "first");
      expect(first!.attempt).toBe(1);
      expect(await first!.nack()).toBe("requeued");
      const [again] = await take(consumer, 1, "again");
      expect(again!.body.toString()).toBe("retry me");
      expect(again!.attempt).toBe(2);
      await again!.ack();
      await consumer.close();
    });

    it(`after ${MAX_DELIVERIES} failed deliveries a message goes to the dead-letter queue`, async () => {
      const q = await client();
      const queue = unique("poison");
      await q.put(queue, "poison");
      const consumer = q.consume(queue, { credit: 1 });
      const outcomes: string[] = [];
      for (let i = 1; i <= MAX_DELIVERIES; i++) {
        const [d] = await take(consumer, 1, "poison");
        expect(d!.attempt).toBe(i);
        outcomes.push(await d!.nack({ error: "still broken" }));
      }
      expect(outcomes).toEqual(["requeued", "requeued", "dead-lettered"]);
      expect(await q.queueDepth(queue)).toMatchObject({ depth: 0 });
      await consumer.close();
      const dead = q.consume(`${queue}.dlq`, { credit: 1 });
      const [d] = await take(dead, 1, "dead letter");
      expect(d!.body.toString()).toBe("poison");
      expect(d!.deadLetter).toMatchObject({ reason: "max-deliveries", queue, attempts: MAX_DELIVERIES, error: "still broken" });
      await d!.ack();
      await dead.close();
    });

    it("a delivery whose lease runs out is delivered again", async () => {
      const q = await client();
      const queue = unique("lease");
      await q.put(queue, "slow");
      const consumer = q.consume(queue, { credit: 2, leaseMs: LEASE_MS });
      const [first] = await take(consumer, 1, "first");
      // Not acknowledged: the lease runs out and the message comes again.
      const [again] = await take(consumer, 1, "after the lease");
      expect(again!.body.toString()).toBe("slow");
      expect(again!.attempt).toBe(2);
      expect(first!.attempt).toBe(1);
      await again!.ack();
      await consumer.close();
    });

    it("a consumer process killed with deliveries unacknowledged: they are delivered to another", async () => {
      if (!existsSync(BROKER_BUILD)) throw new Error(`${BROKER_BUILD} is missing: run npm run build first`);
      const q = await client();
      const queue = unique("killed");
      for (let i = 0; i < 5; i++) await q.put(queue, `m${i}`);
      const child = new ChildProgram(
        "wiremq",
        `const { openDurableQueues } = await import(${JSON.stringify(pathToFileURL(BROKER_BUILD).href)});
         const q = openDurableQueues(JSON.parse(process.argv[2]));
         const c = q.consume(process.argv[3], { credit: 5, leaseMs: ${LEASE_MS} });
         for (let n = 0; n < 5; n++) await c.next();
         console.log("holding 5");
         setInterval(() => {}, 1000);`,
        [JSON.stringify(config), queue],
      );
      children.push(child);
      await child.line("holding 5", 15_000);
      expect((await q.queueDepth(queue)).unacked).toBe(5);
      await child.kill();
      const consumer = q.consume(queue, { credit: 5, leaseMs: LEASE_MS });
      const again = await take(consumer, 5, "redelivered");
      expect(again.map((d) => d.body.toString()).sort()).toEqual(["m0", "m1", "m2", "m3", "m4"]);
      for (const d of again) {
        expect(d.attempt).toBe(2);
        await d.ack();
      }
      await consumer.close();
    });

    it("a durable topic subscription keeps what is published while its consumer is away", async () => {
      const q = await client();
      const topic = unique("news");
      const queue = await q.subscribe(topic, "reader");
      expect(await q.publish(topic, "before")).toBe(1);
      let consumer = q.consume(queue, { credit: 10 });
      const [d] = await take(consumer, 1, "while there");
      expect(d!.body.toString()).toBe("before");
      await d!.ack();
      await consumer.close();

      for (const m of ["away 1", "away 2", "away 3"]) await q.publish(topic, m);
      consumer = q.consume(queue, { credit: 10 });
      const back = await take(consumer, 3, "after coming back");
      expect(back.map((x) => x.body.toString())).toEqual(["away 1", "away 2", "away 3"]);
      for (const x of back) await x.ack();
      await consumer.close();
      await q.unsubscribe(topic, "reader");
    });
  });
}
