/**
 * Crash test of the broker: a stream of confirmed puts to a broker process that is killed
 * with SIGKILL part-way, restarted on the same data directory and port, and the stream
 * finished; then one consumer takes everything. Every message confirmed before the kill must
 * be delivered, in order; with `sync: always` none may be missing. Messages that were in
 * flight at the kill are put again by the client, so some may be stored twice: counted.
 *
 *   node dist/examples/broker-crash.js [count=100000] [sync=always] [killAt=0.4]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { BrokerClient } from "../lib/broker/index.js";

export interface CrashResult {
  sync: string;
  count: number;
  /** Confirmed before the kill. */
  confirmedBeforeKill: number;
  /** Confirmed in all (the stream is finished after the restart). */
  confirmed: number;
  /** Messages stored when the stream ended, duplicates included: what the consumer took. */
  delivered: number;
  /** Confirmed messages never delivered. */
  missing: number;
  /** Confirmed before the kill and never delivered. */
  missingConfirmedBeforeKill: number;
  duplicates: number;
  /** First deliveries out of put order. */
  outOfOrder: number;
  /** Puts confirmed per second over the whole stream, the kill and restart included. */
  putsPerSecond: number;
  /** From the kill to the restarted broker listening again (recovery included). */
  restartMs: number;
  seconds: number;
}

interface BrokerChild {
  child: ChildProcess;
  /** The first endpoint the broker printed, with its real port. */
  endpoint: string;
  exited: Promise<void>;
}

/** `wiremq broker` as its own program; from the sources (vitest) the compiled one in dist/. */
function brokerProgram(): string {
  const here = fileURLToPath(import.meta.url);
  const dist = here.endsWith(".ts") ? join(dirname(here), "..", "dist") : join(dirname(here), "..");
  return join(dist, "bin", "broker", "main.js");
}

/**
 * Starts a broker process and resolves once it prints the endpoint it listens on. A restart
 * on the old port is tried `tries` times: a client redialling that port can briefly hold it
 * as its own source port (a TCP self-connect), and then the bind fails.
 */
async function startBroker(args: string[], onStderr: (line: string) => void, tries = 1): Promise<BrokerChild> {
  for (let attempt = 1; ; attempt++) {
    const child = spawn(process.execPath, [brokerProgram(), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    createInterface({ input: child.stderr! }).on("line", onStderr);
    const endpoint = await Promise.race([
      new Promise<string>((r) => createInterface({ input: child.stdout! }).once("line", (line) => r(line.trim()))),
      exited.then(() => null),
    ]);
    if (endpoint !== null) return { child, endpoint, exited };
    if (attempt >= tries) throw new Error(`the broker exited before listening (${args.join(" ")})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGKILL, and wait for the process to be gone. */
async function kill(broker: BrokerChild): Promise<void> {
  if (broker.child.exitCode === null && broker.child.signalCode === null) broker.child.kill("SIGKILL");
  await broker.exited;
}

export async function brokerCrash(
  options: { count?: number; sync?: string; killAt?: number; window?: number; log?: (line: string) => void } = {},
): Promise<CrashResult> {
  const count = options.count ?? 100_000;
  const sync = options.sync ?? "always";
  const killAt = Math.floor(count * (options.killAt ?? 0.4));
  const windowSize = options.window ?? 1000;
  const log = options.log ?? console.log;
  const dataDir = mkdtempSync(join(tmpdir(), "wiremq-crash-"));
  const started = performance.now();
  const onStderr = (line: string): void => log(`  broker: ${line}`);
  let broker = await startBroker(["--data", dataDir, "--sync", sync, "--bind", "tcp://127.0.0.1:0"], onStderr);
  const endpoint = broker.endpoint;
  const client = new BrokerClient({ endpoints: endpoint, reconnectInterval: 50, reconnectMaxInterval: 200 });
  try {
    await client.ready();
    log(`broker at ${endpoint}, sync ${sync}: putting ${count} messages, SIGKILL after ${killAt} confirmations`);
    const confirmed = new Uint8Array(count);
    let confirmedCount = 0;
    let confirmedBeforeKill = -1;
    let beforeKill = new Uint8Array(0);
    let killedAt = 0;
    let restartMs = 0;
    let restarted: Promise<void> | null = null;
    const body = Buffer.alloc(256);

    // A window of puts in flight; the kill lands while a full window is on the wire.
    await new Promise<void>((done, fail) => {
      let next = 0;
      const putOne = (i: number): void => {
        const b = Buffer.from(body);
        b.writeUInt32BE(i, 0);
        client.put("stream", b).then(() => {
          confirmed[i] = 1;
          confirmedCount++;
          if (confirmedCount === killAt && confirmedBeforeKill < 0) {
            broker.child.kill("SIGKILL");
            confirmedBeforeKill = confirmedCount;
            beforeKill = Uint8Array.from(confirmed);
            killedAt = performance.now();
            restarted = broker.exited.then(async () => {
              broker = await startBroker(["--data", dataDir, "--sync", sync, "--bind", endpoint], onStderr, 11);
              restartMs = Math.round(performance.now() - killedAt);
              log(`killed after ${confirmedBeforeKill} confirmations; recovered and listening again after ${restartMs} ms`);
            });
            restarted.catch(fail);
          }
          if (confirmedCount === count) done();
          else if (next < count) putOne(next++);
        }, fail);
      };
      while (next < Math.min(windowSize, count)) putOne(next++);
    });
    const putSeconds = (performance.now() - started) / 1000;
    await restarted;

    // Everything stored is in the queue now: take exactly that many.
    const stats = await client.stats();
    const stored = stats.queues.find((q) => q.name === "stream")!.depth;
    const seen = new Uint32Array(count);
    let delivered = 0;
    let outOfOrder = 0;
    let lastFirst = -1;
    const consumer = client.consume("stream", { credit: 1000 });
    for await (const d of consumer) {
      const i = d.body.readUInt32BE(0);
      if (seen[i] === 0) {
        if (i < lastFirst) outOfOrder++;
        lastFirst = i;
      }
      seen[i]!++;
      delivered++;
      d.ack().catch(() => {});
      if (delivered === stored) break;
    }
    let missing = 0;
    let missingBeforeKill = 0;
    let unique = 0;
    for (let i = 0; i < count; i++) {
      if (seen[i]! > 0) unique++;
      else if (confirmed[i] === 1) missing++;
      if (seen[i] === 0 && beforeKill[i] === 1) missingBeforeKill++;
    }
    const result: CrashResult = {
      sync,
      count,
      confirmedBeforeKill,
      confirmed: confirmedCount,
      delivered,
      missing,
      missingConfirmedBeforeKill: missingBeforeKill,
      duplicates: delivered - unique,
      outOfOrder,
      putsPerSecond: Math.round(count / putSeconds),
      restartMs,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
    log(JSON.stringify(result));
    return result;
  } finally {
    await client.close();
    await kill(broker);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [count, sync, killAt] = process.argv.slice(2);
  void brokerCrash({
    count: count === undefined ? undefined : Number(count),
    sync,
    killAt: killAt === undefined ? undefined : Number(killAt),
  }).then((r) => {
    process.exitCode = r.missing === 0 && r.outOfOrder === 0 ? 0 : 1;
  });
}
