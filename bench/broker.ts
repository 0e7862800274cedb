/**
 * Broker throughput: 256-byte messages through a broker process, per sync policy and in
 * memory. Two figures each: confirmed puts per second (a window of puts in flight), and
 * put+consume per second (a producer and a consumer at once, every message acknowledged).
 * Standalone for now: `npm run build && node dist/bench/broker.js [--count N] [--json]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawnBroker } from "../test/helpers/broker-process.js";
import { BrokerClient } from "../lib/broker/index.js";

const SIZE = 256;
const WINDOW = 1000;

interface BrokerBenchLine {
  name: string;
  store: string;
  putPerSec: number;
  putConsumePerSec: number;
}

/** Puts `count` messages keeping WINDOW in flight; resolves when all are confirmed. */
function putAll(client: BrokerClient, queue: string, count: number): Promise<void> {
  const body = Buffer.alloc(SIZE, 0x61);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    const more = (): void => {
      while (sent < count && sent - done < WINDOW) {
        sent++;
        client.put(queue, body).then(() => {
          if (++done === count) resolve();
          else more();
        }, reject);
      }
    };
    more();
  });
}

async function consumeAll(client: BrokerClient, queue: string, count: number): Promise<void> {
  let got = 0;
  for await (const d of client.consume(queue, { credit: WINDOW })) {
    d.ack().catch(() => {});
    if (++got === count) break;
  }
}

export async function measure(store: string, count: number): Promise<BrokerBenchLine> {
  const dir = mkdtempSync(join(tmpdir(), "wiremq-bench-"));
  const args = store === "memory" ? ["--memory"] : ["--data", dir, "--sync", store];
  const broker = await spawnBroker([...args, "--bind", "tcp://127.0.0.1:0"]);
  const client = new BrokerClient(broker.endpoint);
  try {
    await client.ready();
    await putAll(client, "warmup", Math.min(2000, count));
    await consumeAll(client, "warmup", Math.min(2000, count));

    let t = performance.now();
    await putAll(client, "put-only", count);
    const putPerSec = count / ((performance.now() - t) / 1000);

    const consumerClient = new BrokerClient(broker.endpoint);
    await consumerClient.ready();
    t = performance.now();
    await Promise.all([putAll(client, "put-consume", count), consumeAll(consumerClient, "put-consume", count)]);
    const putConsumePerSec = count / ((performance.now() - t) / 1000);
    await consumerClient.close();
    return { name: `broker ${SIZE} B, ${store === "memory" ? "in memory" : `sync ${store}`}`, store, putPerSec: Math.round(putPerSec), putConsumePerSec: Math.round(putConsumePerSec) };
  } finally {
    await client.close();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function brokerBench(count: number, stores = ["batch", "always", "none", "memory"]): Promise<BrokerBenchLine[]> {
  const lines: BrokerBenchLine[] = [];
  for (const store of stores) lines.push(await measure(store, count));
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { count: { type: "string" }, json: { type: "boolean" }, store: { type: "string", multiple: true } } });
  const lines = await brokerBench(Number(values.count ?? 50_000), values.store);
  if (values.json === true) console.log(JSON.stringify(lines, null, 2));
  else for (const l of lines) console.log(`${l.name.padEnd(32)} put ${String(l.putPerSec).padStart(7)} msgs/s   put+consume ${String(l.putConsumePerSec).padStart(7)} msgs/s`);
}
