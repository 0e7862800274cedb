/**
 * A cluster of three broker processes and one client: queues spread by consistent hashing;
 * one broker killed with SIGKILL while producers put; confirmations go on from the others;
 * after its restart its backlog is consumed and nothing confirmed is lost.
 */
import { afterEach, describe, expect, it } from "vitest";
import { BrokerClient, type PutReceipt } from "../../lib/broker/index.js";
import { HashRing } from "../../lib/broker/client/hash-ring.js";
import { within } from "../helpers/sockets.js";
import { missingBuild, kill, killAll, startBroker, tempDir, type BrokerProcess } from "../helpers/broker-process.js";
import { describeNeeding } from "../helpers/prerequisite.js";

const clients: BrokerClient[] = [];
const dirs: { remove(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await killAll();
  for (const d of dirs.splice(0)) d.remove();
});

describe("hash ring", () => {
  it("spreads names over nodes, agrees across orders, and moves little when a node goes", () => {
    const nodes = ["tcp://a:1", "tcp://b:1", "tcp://c:1"];
    const ring = new HashRing(nodes);
    const reversed = new HashRing([...nodes].reverse());
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const name = `queue-${i}`;
      const pref = ring.preference(name);
      expect(pref).toHaveLength(3);
      expect(new Set(pref).size).toBe(3);
      expect(reversed.preference(name)).toEqual(pref);
      counts.set(pref[0]!, (counts.get(pref[0]!) ?? 0) + 1);
    }
    for (const n of nodes) expect(counts.get(n)!).toBeGreaterThan(700);
    // Without c, names owned by a or b keep their owner.
    const two = new HashRing(["tcp://a:1", "tcp://b:1"]);
    for (let i = 0; i < 300; i++) {
      const owner = ring.owner(`queue-${i}`)!;
      if (owner !== "tcp://c:1") expect(two.owner(`queue-${i}`)).toBe(owner);
    }
  });
});

describeNeeding(missingBuild(), "cluster of three", () => {
  it("one broker killed: puts keep being confirmed by the others; after its restart its backlog is consumed; nothing confirmed is lost", async () => {
    const data = [tempDir(), tempDir(), tempDir()];
    dirs.push(...data);
    const args = (i: number, bind: string): string[] => ["--data", data[i]!.path, "--sync", "always", "--bind", bind, "--heartbeat", "200"];
    const brokers: BrokerProcess[] = [];
    for (let i = 0; i < 3; i++) brokers.push(await startBroker(args(i, "tcp://127.0.0.1:0")));
    const endpoints = brokers.map((b) => b.endpoint);
    const client = new BrokerClient({ endpoints, reconnectInterval: 50, reconnectMaxInterval: 200 });
    clients.push(client);
    await within(client.ready(3), 10_000, "three sessions");

    const queues = Array.from({ length: 12 }, (_, i) => `orders-${i}`);
    const ring = new HashRing(endpoints);
    const victim = endpoints[1]!;
    const victimQueues = queues.filter((q) => ring.owner(q) === victim);
    expect(victimQueues.length).toBeGreaterThan(0);

    const confirmed = new Map<string, PutReceipt>();
    let n = 0;
    const putRound = async (): Promise<PutReceipt[]> =>
      Promise.all(
        queues.map(async (q) => {
          const body = `${q}:${n++}`;
          const receipt = await client.put(q, body);
          confirmed.set(body, receipt);
          return receipt;
        }),
      );

    // Before: every queue goes to its owner.
    for (let r = 0; r < 20; r++) {
      for (const [i, receipt] of (await putRound()).entries()) expect(receipt.broker).toBe(ring.owner(queues[i]!));
    }
    const backlogOnVictim = [...confirmed.values()].filter((r) => r.broker === victim).length;
    expect(backlogOnVictim).toBeGreaterThan(0);

    // Kill one while a round is in flight; the round still completes, on the others.
    const inFlight = putRound();
    await kill(brokers[1]!);
    await within(inFlight, 10_000, "the round in flight at the kill");
    for (let r = 0; r < 20; r++) {
      const receipts = await within(putRound(), 10_000, "a round with one broker down");
      for (const receipt of receipts) expect(receipt.broker).not.toBe(victim);
    }
    expect(client.liveBrokers.sort()).toEqual([endpoints[0], endpoints[2]].sort());

    // Back on the same port and data directory: its queues go to it again.
    brokers[1] = await startBroker(args(1, victim));
    await within(client.ready(3), 10_000, "the restarted broker's session");
    for (const [i, receipt] of (await putRound()).entries()) expect(receipt.broker).toBe(ring.owner(queues[i]!));

    // Consume every queue from every broker: exactly what they hold.
    const stats = await client.stats();
    expect(stats).toHaveLength(3);
    const held = new Map<string, number>();
    for (const s of stats) for (const q of s.queues) held.set(q.name, (held.get(q.name) ?? 0) + q.depth);
    const delivered = new Map<string, string>();
    for (const q of queues) {
      const want = held.get(q) ?? 0;
      const consumer = client.consume(q, { credit: 200 });
      for (let i = 0; i < want; i++) {
        const d = (await within(consumer.next(), 10_000, `${q}: message ${i + 1} of ${want}`))!;
        delivered.set(d.body.toString(), d.broker);
        await d.ack();
      }
      await consumer.close();
    }
    const missing = [...confirmed.keys()].filter((body) => !delivered.has(body));
    expect(missing).toEqual([]);
    // The victim's backlog from before the kill came from the victim itself.
    const fromVictim = [...delivered.values()].filter((b) => b === victim).length;
    expect(fromVictim).toBeGreaterThanOrEqual(backlogOnVictim);
    console.log(
      `cluster: ${confirmed.size} confirmed, ${delivered.size} delivered, ${missing.length} missing, ${backlogOnVictim} held by the killed broker and consumed after its restart`,
    );
  }, 120_000);
});
