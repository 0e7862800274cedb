/**
 * The queue bridge with JetStream in the middle: a zeromq (libzmq) PUSH → bridge (PULL) →
 * a replicated stream on a 3-node cluster → bridge (PUSH) → a wiremq PULL, with the stream's
 * leader SIGKILLed while messages flow. Every message the in-bridge confirmed stored reaches
 * the PULL (duplicates allowed: delivery is at-least-once).
 */
import * as zmq from "zeromq";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { JetStreamQueues } from "../../lib/broker/index.js";
import { QueueBridge } from "../../lib/devices/index.js";
import { Pull } from "../../lib/index.js";
import { queueStream } from "../../lib/broker/jetstream/names.js";
import { describeNeeding } from "../helpers/prerequisite.js";
import { missingNatsServer, startNatsCluster, stopAllNats, type NatsServer } from "../helpers/nats.js";
import { streamLeader } from "../helpers/takeover.js";
import { within } from "../helpers/sockets.js";

const MESSAGES = 2000;

describeNeeding(missingNatsServer(), "queue bridge through JetStream", () => {
  let servers: NatsServer[];
  const cleanups: Array<() => Promise<void> | void> = [];
  beforeAll(async () => {
    servers = await startNatsCluster(3);
  }, 60_000);
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(stopAllNats);

  it("zeromq PUSH → bridge → JetStream (leader killed mid-way) → bridge → wiremq PULL: every stored message arrives", async () => {
    const queue = `bridged.${Date.now()}`;
    const options = { servers: servers.map((s) => s.url), replicas: 3, leaseMs: 5000, ackTimeoutMs: 1000, pullExpiresMs: 1000 };
    const inQueues = new JetStreamQueues(options);
    const outQueues = new JetStreamQueues(options);
    cleanups.push(() => inQueues.close(), () => outQueues.close());

    const into = new QueueBridge({ queues: inQueues, queue, socket: "pull", endpoints: "@tcp://127.0.0.1:0" });
    const outOf = new QueueBridge({ queues: outQueues, queue, socket: "push", endpoints: "@tcp://127.0.0.1:0" });
    cleanups.push(() => into.close(), () => outOf.close());
    await into.start();
    await outOf.start();

    const stored = new Set<string>();
    let killing: Promise<void> | null = null;
    into.onMessage = (body) => {
      stored.add(body.toString());
      if (stored.size === MESSAGES / 2 && killing === null) killing = killLeader();
    };
    const killLeader = async (): Promise<void> => {
      const { leader } = await streamLeader(servers, queueStream(queue));
      const victim = servers.find((s) => s.name === leader);
      if (victim === undefined) throw new Error(`no leader for ${queue}`);
      await victim.kill();
      for (;;) {
        const now = await streamLeader(servers, queueStream(queue));
        if (now.leader !== undefined && now.leader !== victim.name) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await victim.restart();
    };

    const push = new zmq.Push();
    cleanups.push(() => push.close());
    push.connect(into.bound[0]!);
    const pull = new Pull();
    cleanups.push(() => pull.close());
    pull.connect(outOf.bound[0]!);

    const received = new Map<string, number>();
    const receiving = (async () => {
      while (received.size < MESSAGES) {
        const [body] = await pull.receive();
        const key = body!.toString();
        received.set(key, (received.get(key) ?? 0) + 1);
      }
    })();
    for (let i = 0; i < MESSAGES; i++) await push.send(`m${i}`);

    await within(receiving, 90_000, "every message through the bridge");
    await killing;
    const lost = [...stored].filter((b) => !received.has(b));
    let duplicated = 0;
    for (const n of received.values()) duplicated += n - 1;
    console.log(`bridge ${JSON.stringify({ messages: MESSAGES, stored: stored.size, received: received.size, lost: lost.length, duplicated, putRetries: into.stats.retries })}`);
    expect(killing).not.toBeNull();
    expect(stored.size).toBe(MESSAGES);
    expect(lost).toEqual([]);
  }, 150_000);
});
