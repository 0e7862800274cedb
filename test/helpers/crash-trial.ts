/**
 * A crash-and-damage trial of the broker's store (issue 16): broker processes on one data
 * directory, each SIGKILLed at a seeded moment during mixed traffic (puts in a window, a
 * consumer acknowledging most deliveries), then one kind of damage done to the files, then a
 * last broker that drains the queue. Reports what was confirmed, delivered, lost (confirmed
 * and never delivered), duplicated (delivered more than once) and reported by recovery.
 * test/broker/crash.test.ts runs a short slice; scripts/crash-soak.sh runs it long.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BrokerClient } from "../../lib/broker/index.js";
import { queueDirName } from "../../lib/broker/server/store/disk-store.js";
import { startBroker, kill, tempDir } from "./broker-process.js";
import { int, rng, type Rng } from "./random.js";

export type DamageKind = "none" | "flip" | "bad-length" | "delete-segment" | "delete-name";

export interface TrialOptions {
  seed: number;
  sync: string;
  damage: DamageKind;
  kills: number;
  /** Confirmations per broker before its kill, at most (a seeded number below it). */
  putsPerPhase: number;
  segmentBytes?: number;
}

export interface TrialResult {
  seed: number;
  sync: string;
  damage: DamageKind;
  kills: number;
  confirmed: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reported: number;
  /** What the damage did: a file and offset, or why nothing could be damaged. */
  damaged: string;
}

const QUEUE = "crash";

export async function crashTrial(o: TrialOptions): Promise<TrialResult> {
  const r = rng(o.seed);
  const data = tempDir("wiremq-crash-trial-");
  const args = ["--data", data.path, "--sync", o.sync, "--bind", "tcp://127.0.0.1:0", "--segment-bytes", String(o.segmentBytes ?? 8192)];
  const confirmed = new Set<number>();
  const deliveries = new Map<number, number>();
  let nextId = 0;
  const body = (id: number): Buffer => {
    const b = Buffer.alloc(64, id & 0xff);
    b.writeUInt32BE(id, 0);
    return b;
  };
  const seen = (b: Buffer): void => {
    const id = b.readUInt32BE(0);
    deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
  };
  try {
    for (let k = 0; k < o.kills; k++) {
      const broker = await startBroker(args);
      const client = new BrokerClient({ endpoints: broker.endpoint, reconnectInterval: 50, reconnectMaxInterval: 200 });
      const killAfter = 1 + int(r, o.putsPerPhase);
      let phaseConfirmed = 0;
      const consuming = (async () => {
        for await (const d of client.consume(QUEUE, { credit: 20 })) {
          seen(d.body);
          if (r() < 0.9) d.ack().catch(() => {});
        }
      })().catch(() => {});
      await new Promise<void>((killed) => {
        let stop = false;
        const putOne = (): void => {
          if (stop) return;
          const id = nextId++;
          client.put(QUEUE, body(id)).then(
            () => {
              confirmed.add(id);
              if (++phaseConfirmed === killAfter && !stop) {
                stop = true;
                void kill(broker).then(killed);
              }
              putOne();
            },
            () => {},
          );
        };
        for (let i = 0; i < 20; i++) putOne();
      });
      await client.close().catch(() => {});
      await consuming;
    }
    const damaged = damage(o.damage, join(data.path, "queues", queueDirName(QUEUE)), r);
    const broker = await startBroker(args);
    const client = new BrokerClient({ endpoints: broker.endpoint });
    try {
      await client.ready();
      const stats = await client.stats();
      const depth = stats.queues.find((q) => q.name === QUEUE)?.depth ?? 0;
      let taken = 0;
      if (depth > 0) {
        for await (const d of client.consume(QUEUE, { credit: 100 })) {
          seen(d.body);
          await d.ack();
          if (++taken === depth) break;
        }
      }
      let lost = 0;
      let duplicated = 0;
      let delivered = 0;
      for (const id of confirmed) if (!deliveries.has(id)) lost++;
      for (const n of deliveries.values()) {
        delivered++;
        duplicated += n - 1;
      }
      return { seed: o.seed, sync: o.sync, damage: o.damage, kills: o.kills, confirmed: confirmed.size, delivered, lost, duplicated, reported: stats!.recovery.length, damaged };
    } finally {
      await client.close();
      await kill(broker);
    }
  } finally {
    data.remove();
  }
}

/** Does one kind of damage to the queue's files; says what it did. */
function damage(kind: DamageKind, dir: string, r: Rng): string {
  if (kind === "none") return "none";
  if (kind === "delete-name") {
    rmSync(join(dir, "NAME"));
    return "NAME deleted";
  }
  const segs = readdirSync(dir).filter((f) => f.endsWith(".seg")).sort();
  if (kind === "delete-segment") {
    if (segs.length < 3) return `only ${segs.length} segment(s): nothing deleted`;
    const f = segs[1 + int(r, segs.length - 2)]!;
    rmSync(join(dir, f));
    return `${f} deleted`;
  }
  const f = segs[int(r, segs.length)]!;
  const bytes = readFileSync(join(dir, f));
  // Past the magic and the QUEUE record: the first record that can hold a message.
  const first = 8 + 8 + bytes.readUInt32BE(8);
  if (bytes.length <= first + 17) return `${f}: no record to damage`;
  if (kind === "bad-length") {
    bytes.writeUInt32BE(0x7fff_0000, first);
    writeFileSync(join(dir, f), bytes);
    return `${f}: bad length at ${first}`;
  }
  const at = first + int(r, bytes.length - first);
  bytes[at]! ^= 0x5a;
  writeFileSync(join(dir, f), bytes);
  return `${f}: byte ${at} flipped`;
}
