/**
 * The takeover trial on a real 3-node JetStream cluster (replicas 3): producers put N messages
 * with confirmation while a consumer acks them; one server (the stream's leader, or a follower)
 * is SIGKILLed in the middle, and restarted once the stream answers again. The client retries
 * unconfirmed puts with their message id. Reports confirmed, delivered, lost, duplicated, how
 * long the stream had no leader, and the longest pauses of puts and of deliveries.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { JetStreamQueues } from "../../lib/broker/index.js";
import { queueStream } from "../../lib/broker/jetstream/names.js";
import type { NatsServer } from "./nats.js";

export interface TakeoverReport {
  victim: "leader" | "follower";
  messages: number;
  confirmed: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** From the kill until the stream reported a leader again (ms; 0 when it never lost it). */
  leaderlessMs: number;
  /** Longest time between two confirmations after the kill (ms). */
  putStallMs: number;
  /** Longest time between two deliveries after the kill (ms). */
  consumeStallMs: number;
  totalMs: number;
}

/** The stream's leader and its other replicas, by server name (undefined leader: none now). */
export async function streamLeader(servers: NatsServer[], stream: string): Promise<{ leader: string | undefined; replicas: string[] }> {
  const nc = await connect({ servers: servers.filter((s) => s.child !== null).map((s) => s.url), timeout: 2000 });
  try {
    const jsm = await jetstreamManager(nc, { checkAPI: false, timeout: 1000 });
    const info = await jsm.streams.info(stream);
    return { leader: info.cluster?.leader, replicas: (info.cluster?.replicas ?? []).map((r) => r.name) };
  } catch {
    return { leader: undefined, replicas: [] };
  } finally {
    await nc.close();
  }
}

export async function takeoverTrial(servers: NatsServer[], victim: "leader" | "follower", messages: number): Promise<TakeoverReport> {
  const started = Date.now();
  const queue = `takeover.${victim}.${started}`;
  const client = new JetStreamQueues({ servers: servers.map((s) => s.url), replicas: 3, leaseMs: 5000, ackTimeoutMs: 1000, pullExpiresMs: 1000, putTimeout: 60_000 });
  const seen = new Map<string, number>();
  const confirmed = new Set<string>();
  let lastPut = 0;
  let lastDelivery = 0;
  let putStallMs = 0;
  let consumeStallMs = 0;
  let killedAt = 0;
  let leaderlessMs = 0;
  try {
    await client.put(queue, "warm-up");
    const consumer = client.consume(queue, { credit: 1000 });
    let allDelivered: () => void = () => {};
    const delivered = new Promise<void>((r) => (allDelivered = r));
    const consuming = (async () => {
      for await (const d of consumer) {
        const body = d.body.toString();
        const now = Date.now();
        if (killedAt > 0 && lastDelivery > 0) consumeStallMs = Math.max(consumeStallMs, now - lastDelivery);
        lastDelivery = now;
        seen.set(body, (seen.get(body) ?? 0) + 1);
        void d.ack();
        if (confirmed.size === messages && [...confirmed].every((b) => seen.has(b))) allDelivered();
      }
    })();

    let next = 0;
    let killing: Promise<void> | null = null;
    const producer = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= messages) return;
        const body = `m${i}`;
        await client.put(queue, body);
        const now = Date.now();
        if (killedAt > 0 && lastPut > 0) putStallMs = Math.max(putStallMs, now - lastPut);
        lastPut = now;
        confirmed.add(body);
        if (confirmed.size === Math.floor(messages / 2) && killing === null) killing = kill();
      }
    };
    const kill = async (): Promise<void> => {
      const stream = queueStream(queue);
      const { leader, replicas } = await streamLeader(servers, stream);
      const name = victim === "leader" ? leader : replicas[0];
      const target = servers.find((s) => s.name === name);
      if (target === undefined) throw new Error(`no ${victim} found for ${stream} (leader ${leader}, replicas ${replicas.join(",")})`);
      killedAt = Date.now();
      await target.kill();
      // A probe, not a sleep: ask the surviving servers until the stream names a live leader.
      for (;;) {
        const now = await streamLeader(servers, stream);
        if (now.leader !== undefined && now.leader !== target.name) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      leaderlessMs = victim === "leader" ? Date.now() - killedAt : 0;
      await target.restart();
    };
    // 256 puts in flight: 32 producers, each with its put awaited before its next.
    await Promise.all(Array.from({ length: 256 }, producer));
    await killing;
    const deadline = setTimeout(() => allDelivered(), 60_000);
    if (confirmed.size === messages && [...confirmed].every((b) => seen.has(b))) allDelivered();
    await delivered;
    clearTimeout(deadline);
    await consumer.close();
    await consuming;
  } finally {
    await client.close();
  }
  seen.delete("warm-up");
  let duplicated = 0;
  for (const n of seen.values()) duplicated += n - 1;
  const lost = [...confirmed].filter((b) => !seen.has(b)).length;
  return {
    victim,
    messages,
    confirmed: confirmed.size,
    delivered: seen.size,
    lost,
    duplicated,
    leaderlessMs,
    putStallMs,
    consumeStallMs,
    totalMs: Date.now() - started,
  };
}
