/**
 * Durable queues, both backends, in one run, 256-byte messages: the embedded broker (sync
 * batch, a broker process) and JetStream with replicas 1 (one nats-server) and 3 (three on
 * loopback). Per setup: confirmed puts per second (WINDOW in flight) and put+consume per
 * second (a producer and a consumer at once, every message acknowledged); for JetStream also
 * the official client alone (`js.publish`, the same window), the figure the wiremq backend is
 * compared with. Last, the longest consumer stall after the stream leader of a 3-node cluster
 * is SIGKILLed (helpers/takeover.ts).
 *   npm run build && node dist/bench/jetstream.js [--count N] [--json]
 */
import { parseArgs } from "node:util";
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { JetStreamQueues, type DurableQueues } from "../lib/broker/index.js";
import { measure as measureEmbedded } from "./broker.js";
import { startNats, startNatsCluster, stopAllNats, type NatsServer } from "../test/helpers/nats.js";
import { takeoverTrial } from "../test/helpers/takeover.js";

const SIZE = 256;
const WINDOW = 256;

interface Line {
  setup: string;
  putPerSec: number;
  putConsumePerSec: number;
  /** JetStream: the official client's js.publish alone, same window. */
  jsPublishPerSec?: number;
}

function windowed(count: number, one: (i: number) => Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const more = (): void => {
      while (sent < count && sent - done < WINDOW) {
        one(sent++).then(() => {
          if (++done === count) resolve();
          else more();
        }, reject);
      }
    };
    more();
  });
}

async function consumeAll(q: DurableQueues, queue: string, count: number): Promise<void> {
  let got = 0;
  const consumer = q.consume(queue, { credit: 1000 });
  for (;;) {
    const d = await consumer.next();
    if (d === undefined) return;
    void d.ack();
    if (++got === count) break;
  }
  await consumer.close();
}

async function rate(work: () => Promise<void>, count: number): Promise<number> {
  const t = performance.now();
  await work();
  return Math.round(count / ((performance.now() - t) / 1000));
}

async function officialPublish(servers: NatsServer[], replicas: number, count: number): Promise<number> {
  const nc = await connect({ servers: servers.map((s) => s.url) });
  try {
    const jsm = await (await import("@nats-io/jetstream")).jetstreamManager(nc);
    const name = `official_${replicas}_${Date.now()}`;
    await jsm.streams.add({ name, subjects: [`${name}.x`], retention: "workqueue" as never, num_replicas: replicas });
    const js = jetstream(nc);
    const body = Buffer.alloc(SIZE, 0x61);
    return await rate(() => windowed(count, () => js.publish(`${name}.x`, body)), count);
  } finally {
    await nc.close();
  }
}

async function measureJetStream(servers: NatsServer[], replicas: number, count: number): Promise<Line> {
  const jsPublishPerSec = await officialPublish(servers, replicas, count);
  const options = { servers: servers.map((s) => s.url), replicas };
  const producer = new JetStreamQueues(options);
  const consumer = new JetStreamQueues(options);
  const body = Buffer.alloc(SIZE, 0x61);
  try {
    await windowed(Math.min(2000, count), () => producer.put("warmup", body));
    await consumeAll(consumer, "warmup", Math.min(2000, count));
    const putPerSec = await rate(() => windowed(count, () => producer.put("put-only", body)), count);
    const putConsumePerSec = await rate(
      () => Promise.all([windowed(count, () => producer.put("put-consume", body)), consumeAll(consumer, "put-consume", count)]).then(() => undefined),
      count,
    );
    return { setup: `JetStream R${replicas}`, putPerSec, putConsumePerSec, jsPublishPerSec };
  } finally {
    await producer.close();
    await consumer.close();
  }
}

export async function queuesBench(count: number): Promise<{ lines: Line[]; consumerStallMs: number; leaderlessMs: number }> {
  const lines: Line[] = [];
  const embedded = await measureEmbedded("batch", count);
  lines.push({ setup: "embedded, sync batch", putPerSec: embedded.putPerSec, putConsumePerSec: embedded.putConsumePerSec });
  try {
    lines.push(await measureJetStream([await startNats()], 1, count));
    const cluster = await startNatsCluster(3);
    lines.push(await measureJetStream(cluster, 3, count));
    const trial = await takeoverTrial(cluster, "leader", Math.min(count, 10_000));
    return { lines, consumerStallMs: trial.consumeStallMs, leaderlessMs: trial.leaderlessMs };
  } finally {
    await stopAllNats();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { count: { type: "string" }, json: { type: "boolean" } } });
  const result = await queuesBench(Number(values.count ?? 20_000));
  if (values.json === true) console.log(JSON.stringify(result, null, 2));
  else {
    for (const l of result.lines) {
      const official = l.jsPublishPerSec === undefined ? "" : `   js.publish alone ${String(l.jsPublishPerSec).padStart(7)}/s   put ÷ js.publish ${(l.putPerSec / l.jsPublishPerSec).toFixed(2)}`;
      console.log(`${l.setup.padEnd(22)} put ${String(l.putPerSec).padStart(7)}/s   put+consume ${String(l.putConsumePerSec).padStart(7)}/s${official}`);
    }
    console.log(`leader of a 3-node cluster SIGKILLed: ${result.leaderlessMs} ms without a leader, longest consumer stall ${result.consumerStallMs} ms`);
  }
}
