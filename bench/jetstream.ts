/**
 * Durable queues, both backends, in one run, 256-byte messages, WINDOW puts in flight: the
 * embedded broker (sync batch, a broker process) and JetStream with replicas 1 (one
 * nats-server) and 3 (three on loopback). Per setup: confirmed puts per second and put+consume
 * per second (a producer and a consumer at once, every message acknowledged); for JetStream
 * also the official client alone (`js.publish`, the same window), the figure the wiremq backend
 * is compared with. The two are timed in alternating slices of the same run, so a change in
 * the machine's load falls on both. Last, the longest consumer stall after the stream leader of
 * a 3-node cluster is SIGKILLed (helpers/takeover.ts).
 *   npm run build && node dist/bench/jetstream.js [--count N] [--json]
 * `npm run bench` runs the same as its `durable/...` lines (bench/workloads/durable.ts).
 */
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { JetStreamQueues, type DurableQueues } from "../lib/broker/index.js";
import { measure as measureEmbedded } from "./broker.js";
import { startNats, startNatsCluster, stopAllNats, type NatsServer } from "../test/helpers/nats.js";
import { takeoverTrial } from "../test/helpers/takeover.js";

const SIZE = 256;
const WINDOW = 256;
/** js.publish and the backend's put take turns this many times each. */
const SLICES = 4;

export interface QueuesLine {
  setup: string;
  putPerSec: number;
  putConsumePerSec: number;
  /** JetStream: the official client's js.publish alone, same window, same run. */
  jsPublishPerSec?: number;
}

function windowed(count: number, one: (i: number) => Promise<unknown>): Promise<void> {
  if (count === 0) return Promise.resolve();
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

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await work();
  return (performance.now() - t) / 1000;
}

async function measureJetStream(servers: NatsServer[], replicas: number, count: number): Promise<QueuesLine> {
  const urls = servers.map((s) => s.url);
  const nc = await connect({ servers: urls });
  const producer = new JetStreamQueues({ servers: urls, replicas });
  const consumer = new JetStreamQueues({ servers: urls, replicas });
  const body = Buffer.alloc(SIZE, 0x61);
  try {
    const jsm = await jetstreamManager(nc);
    const official = `official_${replicas}_${Date.now()}`;
    await jsm.streams.add({ name: official, subjects: [`${official}.x`], retention: "workqueue" as never, num_replicas: replicas });
    const js = jetstream(nc);
    const warm = Math.min(2000, count);
    await windowed(warm, () => js.publish(`${official}.x`, body));
    await windowed(warm, () => producer.put("put-only", body));
    await windowed(warm, () => producer.put("warmup", body));
    await consumeAll(consumer, "warmup", warm);

    // Alternating slices, each side first in turn: drift in the machine's load hits both.
    let jsSeconds = 0;
    let putSeconds = 0;
    const slice = Math.ceil(count / SLICES);
    for (let i = 0; i < SLICES; i++) {
      const n = Math.min(slice, count - i * slice);
      const runJs = async (): Promise<void> => void (jsSeconds += await seconds(() => windowed(n, () => js.publish(`${official}.x`, body))));
      const runPut = async (): Promise<void> => void (putSeconds += await seconds(() => windowed(n, () => producer.put("put-only", body))));
      if (i % 2 === 0) {
        await runJs();
        await runPut();
      } else {
        await runPut();
        await runJs();
      }
    }
    const putConsume = await seconds(() => Promise.all([windowed(count, () => producer.put("put-consume", body)), consumeAll(consumer, "put-consume", count)]));
    return {
      setup: `JetStream R${replicas}`,
      putPerSec: Math.round(count / putSeconds),
      putConsumePerSec: Math.round(count / putConsume),
      jsPublishPerSec: Math.round(count / jsSeconds),
    };
  } finally {
    await producer.close();
    await consumer.close();
    await nc.close();
  }
}

/** Both backends' lines, same run: embedded (sync batch), JetStream R1, JetStream R3. */
export async function queuesLines(count: number): Promise<QueuesLine[]> {
  const lines: QueuesLine[] = [];
  const embedded = await measureEmbedded("batch", count);
  lines.push({ setup: "embedded, sync batch", putPerSec: embedded.putPerSec, putConsumePerSec: embedded.putConsumePerSec });
  try {
    lines.push(await measureJetStream([await startNats()], 1, count));
    await stopAllNats();
    lines.push(await measureJetStream(await startNatsCluster(3), 3, count));
    return lines;
  } finally {
    await stopAllNats();
  }
}

/** The stream leader of a 3-node cluster SIGKILLed under load: how long the consumer stalled. */
export async function leaderKill(count: number): Promise<{ consumerStallMs: number; putStallMs: number; leaderlessMs: number; lost: number }> {
  try {
    const trial = await takeoverTrial(await startNatsCluster(3), "leader", count);
    return { consumerStallMs: trial.consumeStallMs, putStallMs: trial.putStallMs, leaderlessMs: trial.leaderlessMs, lost: trial.lost };
  } finally {
    await stopAllNats();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { count: { type: "string" }, json: { type: "boolean" } } });
  const count = Number(values.count ?? 20_000);
  const lines = await queuesLines(count);
  const kill = await leaderKill(Math.min(count, 10_000));
  if (values.json === true) console.log(JSON.stringify({ lines, leaderKill: kill }, null, 2));
  else {
    for (const l of lines) {
      const official = l.jsPublishPerSec === undefined ? "" : `   js.publish alone ${String(l.jsPublishPerSec).padStart(7)}/s   put ÷ js.publish ${(l.putPerSec / l.jsPublishPerSec).toFixed(2)}`;
      console.log(`${l.setup.padEnd(22)} put ${String(l.putPerSec).padStart(7)}/s   put+consume ${String(l.putConsumePerSec).padStart(7)}/s${official}`);
    }
    console.log(`leader of a 3-node cluster SIGKILLed: ${kill.leaderlessMs} ms without a leader, longest consumer stall ${kill.consumerStallMs} ms, puts ${kill.putStallMs} ms, ${kill.lost} lost`);
  }
}
