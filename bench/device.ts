/**
 * The buffering device's cost of write-ahead: the same device with it on and off, in one run.
 * Two figures each, 256-byte messages over tcp loopback: intake (a producer pushes `count`
 * messages with no consumer, until the device holds them all) and pass-through (a producer
 * and four REQ consumers at once, each request acknowledging the message before it).
 * Standalone: `npm run build && node dist/bench/device.js [--count N] [--json]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Push, Request } from "../lib/index.js";
import { BufferingDevice } from "../lib/devices/index.js";

const SIZE = 256;
const CONSUMERS = 4;

interface DeviceBenchLine {
  name: string;
  intakePerSec: number;
  throughPerSec: number;
}

async function withDevice<T>(writeAhead: boolean, body: (device: BufferingDevice) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "wiremq-bench-device-"));
  // Memory large enough that without write-ahead nothing reaches the file: the two modes differ only in the log.
  const device = new BufferingDevice({ spillFile: join(dir, "bench.spill"), writeAhead, memoryBytes: 256 * 1024 * 1024 });
  try {
    await device.frontEnd.bind("tcp://127.0.0.1:*");
    await device.backEnd.bind("tcp://127.0.0.1:*");
    const running = device.run();
    const result = await body(device);
    device.terminate();
    await running;
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function produce(endpoint: string, count: number): Promise<void> {
  const producer = new Push();
  producer.connect(endpoint);
  const body = Buffer.alloc(SIZE, 0x61);
  for (let i = 0; i < count; i++) await producer.send(body);
  await producer.close();
}

async function held(device: BufferingDevice, count: number): Promise<void> {
  for (;;) {
    const s = device.state;
    if (s.memoryMessages + s.diskMessages + s.outstanding + s.acknowledged >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function consume(endpoint: string, count: { left: number }): Promise<void> {
  const consumer = new Request();
  consumer.connect(endpoint);
  while (count.left > 0) {
    count.left--;
    await consumer.send("ready");
    await consumer.receive();
  }
  await consumer.send("DONE");
  await consumer.receive();
  await consumer.close();
}

export async function measure(writeAhead: boolean, count: number): Promise<DeviceBenchLine> {
  const intakePerSec = await withDevice(writeAhead, async (device) => {
    const t = performance.now();
    await Promise.all([produce(device.frontEnd.lastEndpoint!, count), held(device, count)]);
    return count / ((performance.now() - t) / 1000);
  });
  const throughPerSec = await withDevice(writeAhead, async (device) => {
    const left = { left: count };
    const t = performance.now();
    await Promise.all([
      produce(device.frontEnd.lastEndpoint!, count),
      ...Array.from({ length: CONSUMERS }, () => consume(device.backEnd.lastEndpoint!, left)),
    ]);
    return count / ((performance.now() - t) / 1000);
  });
  return {
    name: `buffering device ${SIZE} B, write-ahead ${writeAhead ? "on" : "off"}`,
    intakePerSec: Math.round(intakePerSec),
    throughPerSec: Math.round(throughPerSec),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { count: { type: "string" }, json: { type: "boolean" } } });
  const count = Number(values.count ?? 50_000);
  const lines = [await measure(true, count), await measure(false, count)];
  if (values.json === true) console.log(JSON.stringify(lines, null, 2));
  else for (const l of lines) console.log(`${l.name.padEnd(40)} intake ${String(l.intakePerSec).padStart(7)} msgs/s   through ${String(l.throughPerSec).padStart(7)} msgs/s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
