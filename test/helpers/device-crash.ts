/**
 * Kills a buffering device (a child process) with SIGKILL at seeded moments while a producer
 * and consumers keep running, restarts it on the same spill file, and accounts for every
 * message. Used short by the suite and long by scripts/device-crash.sh.
 *
 * One producer sends sequence numbers in order over one connection at a time, so the device
 * takes them in order: what it took before kill k is everything up to L_k, the highest number
 * delivered or in the spill file at that kill. A run of numbers never seen that starts at
 * L_k + 1 was still in the transport (socket buffers) when the device died: never taken in,
 * lost by ZeroMQ semantics, reported apart. Any other number missing was taken in and lost.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, statSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setTimeout as delay } from "node:timers/promises";
import { Dealer, Push } from "../../lib/index.js";
import { SpillFile } from "../../lib/devices/spill-file.js";
import { int, rng } from "./random.js";

const DEVICES_BUILD = fileURLToPath(new URL("../../dist/lib/devices/index.js", import.meta.url));

export interface CrashTrialOptions {
  seed: number;
  kills: number;
  dir: string;
  writeAhead: boolean;
  consumers?: number;
  memoryBytes?: number;
  /** Small, so the file fills and is compacted often. */
  diskBytes?: number;
}

export interface CrashReport {
  kills: number;
  /** Kills that found a compaction's new file not yet renamed into place. */
  duringCompaction: number;
  sent: number;
  /** Distinct messages the device took in (delivered, or in its file at some point). */
  accepted: number;
  deliveries: number;
  /** Deliveries of a message already delivered, plus delivered messages still pending at the end. */
  duplicated: number;
  /** Taken in and never delivered nor kept. */
  lost: number;
  /** Sent but never taken in: in the transport when the device died. */
  inTransport: number;
  /** The first lost sequence numbers, and each kill's highest number taken in, to look into a loss. */
  lostSample: number[];
  highestAtKill: number[];
}

const PAD = Buffer.alloc(64, 0x2e);

const PROGRAM = `
const [devicesUrl, spillFile, front, back, writeAhead, memoryBytes, diskBytes] = process.argv.slice(2);
async function main() {
  const { BufferingDevice } = await import(devicesUrl);
  const device = new BufferingDevice({ spillFile, writeAhead: writeAhead === "1", memoryBytes: Number(memoryBytes), diskBytes: Number(diskBytes), ackTimeout: 5000 });
  await device.frontEnd.bind(front);
  await device.backEnd.bind(back);
  process.on("SIGTERM", () => device.terminate());
  const running = device.run();
  console.log("ready");
  await running;
  console.log("saved " + device.saved);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

class DeviceProcess {
  readonly exited: Promise<void>;
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  stderr = "";

  constructor(programFile: string, args: string[]) {
    this.child = spawn(process.execPath, [programFile, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.child.stderr!.setEncoding("utf8").on("data", (c: string) => (this.stderr += c));
    this.exited = new Promise((resolve) => this.child.on("close", () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      let out = "";
      this.child.stdout!.setEncoding("utf8").on("data", (c: string) => {
        out += c;
        if (out.includes("ready\n")) resolve();
      });
      this.exited.then(() => reject(new Error(`device exited before ready: ${this.stderr}`)));
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** The sequence numbers of the messages pending in the spill file, read as a restart would. */
function pendingInFile(path: string): number[] {
  if (!existsSync(path)) return [];
  const file = new SpillFile(path);
  try {
    const out: number[] = [];
    for (let batch = file.readBatch(1 << 20); batch.length > 0; batch = file.readBatch(1 << 20)) {
      for (const msg of batch) out.push(Number(msg[0]!.toString()));
    }
    return out;
  } finally {
    file.close();
  }
}

export async function crashTrial(options: CrashTrialOptions): Promise<CrashReport> {
  if (!existsSync(DEVICES_BUILD)) throw new Error(`${DEVICES_BUILD} is missing: run npm run build first`);
  const r = rng(options.seed);
  const { dir } = options;
  const spill = join(dir, "device.spill");
  const front = `ipc://${join(dir, "front.ipc")}`;
  const back = `ipc://${join(dir, "back.ipc")}`;
  const programFile = join(dir, "device.mjs");
  writeFileSync(programFile, PROGRAM);
  const args = [
    pathToFileURL(DEVICES_BUILD).href,
    spill,
    front,
    back,
    options.writeAhead ? "1" : "0",
    String(options.memoryBytes ?? 16 * 1024),
    String(options.diskBytes ?? 96 * 1024),
  ];

  let device = new DeviceProcess(programFile, args);
  await device.ready;
  let startedAt = Date.now();

  const producer = new Push({ sendHighWaterMark: 200, linger: 0 });
  producer.connect(front);
  let producing = true;
  let sent = 0;
  const producerDone = (async () => {
    while (producing) {
      try {
        await producer.send([String(sent), PAD]);
      } catch {
        return;
      }
      sent++;
    }
  })();

  const deliveries: number[] = [];
  let lastDelivery = Date.now();
  let consuming = true;
  const consumers = Array.from({ length: options.consumers ?? 2 }, () => {
    const c = new Dealer({ receiveTimeout: 300, linger: 0 });
    c.connect(back);
    return c;
  });
  // A request acknowledges the message before it, so a consumer asks again only for a new
  // device (its request died with the old one): asking again while a message is on its way
  // would acknowledge that message unseen. A real consumer learns this from a reconnect.
  let generation = 0;
  const consumerDone = consumers.map(async (c) => {
    let asked = -1;
    while (consuming) {
      try {
        if (asked !== generation) {
          asked = generation;
          await c.send(["", "ready"]);
        }
        const msg = await c.receive();
        deliveries.push(Number(msg[1]!.toString()));
        lastDelivery = Date.now();
        asked = -1;
      } catch {
        // Nothing yet: wait on, or ask the new device.
      }
    }
  });

  const highest: number[] = [];
  const seenInFile = new Set<number>();
  let duringCompaction = 0;
  const tmp = `${spill}.tmp`;
  try {
    for (let k = 0; k < options.kills; k++) {
      if (r() < 0.5) {
        await delay(30 + int(r, 400));
      } else {
        // Aim at a compaction: kill as its new file appears (or give up waiting after 2 s).
        await new Promise<void>((resolve) => {
          const watcher = watch(dir, (_event, name) => {
            if (name === "device.spill.tmp" && existsSync(tmp)) done();
          });
          const timer = setTimeout(done, 2000);
          function done(): void {
            clearTimeout(timer);
            watcher.close();
            resolve();
          }
        });
      }
      device.kill("SIGKILL");
      await device.exited;
      // A new file left by an earlier kill stays until the next compaction replaces it.
      if (existsSync(tmp) && statSync(tmp).mtimeMs >= startedAt) duringCompaction++;
      // What the dead device had already written to the consumers' sockets arrives now.
      await delay(50);
      const pending = pendingInFile(spill);
      for (const n of pending) seenInFile.add(n);
      highest.push(Math.max(maxOf(pending), maxOf(deliveries)));
      startedAt = Date.now();
      device = new DeviceProcess(programFile, args);
      await device.ready;
      generation++;
    }
    // Drain: stop producing, let the consumers empty the device, then stop it cleanly.
    producing = false;
    await producer.close();
    await producerDone;
    lastDelivery = Date.now();
    while (Date.now() - lastDelivery < 1500) await delay(100);
    device.kill("SIGTERM");
    await device.exited;
  } finally {
    consuming = false;
    device.kill("SIGKILL");
    await device.exited;
    if (!producer.closed) await producer.close();
    for (const c of consumers) await c.close();
    await Promise.all(consumerDone);
  }

  const remaining = pendingInFile(spill);
  const delivered = new Set(deliveries);
  const kept = new Set(remaining);
  const accepted = new Set([...delivered, ...kept, ...seenInFile]);
  const lostSample: number[] = [];
  let lost = 0;
  const lose = (n: number): void => {
    lost++;
    if (lostSample.length < 20) lostSample.push(n);
  };
  for (const n of accepted) if (!delivered.has(n) && !kept.has(n)) lose(n);
  let duplicated = deliveries.length - delivered.size;
  for (const n of kept) if (delivered.has(n)) duplicated++;
  // Numbers never taken in: a run right after a kill's highest was in the transport.
  const top = maxOf(accepted);
  const afterKill = new Set(highest.map((h) => h + 1));
  let inTransport = 0;
  let runIsTransport = false;
  for (let n = 0; n <= top; n++) {
    if (accepted.has(n)) {
      runIsTransport = false;
      continue;
    }
    if (afterKill.has(n)) runIsTransport = true;
    if (runIsTransport) inTransport++;
    else lose(n);
  }
  return { kills: options.kills, duringCompaction, sent, accepted: accepted.size, deliveries: deliveries.length, duplicated, lost, inTransport, lostSample, highestAtKill: highest };
}

function maxOf(values: Iterable<number>): number {
  let max = -1;
  for (const v of values) if (v > max) max = v;
  return max;
}
