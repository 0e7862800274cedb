/**
 * Power loss, per sync policy: the store runs on a file layer that keeps only what was synced
 * (file data by fdatasync, directory entries by an fsync of the directory), traffic is cut at a
 * seeded random operation, and the store is reopened on the disk as a power cut leaves it,
 * with or without torn tails of the unsynced writes. Seeded and bounded; a failing seed replays.
 */
import { describe, expect, it } from "vitest";
import { DiskStore } from "../../lib/broker/server/store/disk-store.js";
import type { SyncMode } from "../../lib/broker/server/store/sync-policy.js";
import type { QueueLog } from "../../lib/broker/server/store/store.js";
import { PowerCutFs } from "../helpers/power-cut-fs.js";
import { int, randomBytes, rng, type Rng } from "../helpers/random.js";

const DATA = "/data";
const QUEUE = "jobs";
const SEEDS = 24;

interface Traffic {
  bodies: Map<number, Buffer>;
  confirmed: Set<number>;
  /** Acknowledged seq → the last seq appended when the ack was made. */
  ackedAfter: Map<number, number>;
}

interface AtCut {
  confirmed: Set<number>;
  ackedAfter: Map<number, number>;
  disk: PowerCutFs;
}

const newTraffic = (): Traffic => ({ bodies: new Map(), confirmed: new Set(), ackedAfter: new Map() });

const turn = (r: Rng): Promise<void> =>
  new Promise((resolve) => (r() < 0.5 ? setImmediate(resolve) : setTimeout(resolve, int(r, 4))));

/** Puts, acks (segments then deleted: the store's compaction), rolls; returns what it did. */
async function runTraffic(fs: PowerCutFs, mode: SyncMode, seed: number, t: Traffic = newTraffic()): Promise<Traffic> {
  const r = rng(seed);
  const store = new DiskStore(DATA, { sync: { mode, intervalMs: 2 }, segmentBytes: 400, fs });
  await store.open();
  const log = store.createQueue(QUEUE);
  let lastSeq = 0;
  for (let step = 0; step < 150; step++) {
    const x = r();
    if (x < 0.55) {
      const body = randomBytes(r, 1 + int(r, 120));
      lastSeq = log.append(body, (err, seq) => {
        if (err === null) t.confirmed.add(seq);
      });
      t.bodies.set(lastSeq, body);
    } else if (x < 0.8) {
      const open = [...t.confirmed].filter((s) => !t.ackedAfter.has(s));
      if (open.length > 0) {
        const seq = open[int(r, Math.min(open.length, 4))]!;
        t.ackedAfter.set(seq, lastSeq);
        log.ack(seq);
      }
    } else {
      await turn(r);
    }
  }
  await log.close();
  await store.close();
  return t;
}

interface Outcome {
  confirmedAtCut: number;
  lost: number[];
  ackedBack: number[];
  garbage: number[];
  reused: number[];
  /** The reopened store reported a possible loss (an unclean stop under sync none). */
  reported: boolean;
}

async function trial(mode: SyncMode, seed: number, torn: boolean): Promise<Outcome> {
  const dry = new PowerCutFs();
  dry.makeSyncedDir(DATA);
  await runTraffic(dry, mode, seed);
  const cutAt = 1 + int(rng(seed ^ 0x5eed), dry.ops);

  const fs = new PowerCutFs();
  fs.makeSyncedDir(DATA);
  let atCut: AtCut | null = null;
  const traffic = newTraffic();
  fs.onOp = (n) => {
    if (n !== cutAt) return;
    atCut = { confirmed: new Set(traffic.confirmed), ackedAfter: new Map(traffic.ackedAfter), disk: fs.cut(torn ? { tornTails: rng(seed * 7 + 1) } : {}) };
  };
  const done = await runTraffic(fs, mode, seed, traffic);
  const cut: AtCut = atCut ?? { confirmed: new Set(done.confirmed), ackedAfter: new Map(done.ackedAfter), disk: fs.cut() };

  const store = new DiskStore(DATA, { sync: { mode, intervalMs: 2 }, segmentBytes: 400, fs: cut.disk });
  const queues = await store.open();
  const q = queues.find((x) => x.name === QUEUE);
  const recovered = new Map((q?.messages ?? []).map((m) => [m.seq, m.body]));
  const garbage = [...recovered].filter(([seq, body]) => !done.bodies.get(seq)?.equals(body)).map(([seq]) => seq);
  const lost = [...cut.confirmed].filter((s) => !cut.ackedAfter.has(s) && !recovered.has(s));
  // An ack made before the put of a confirmed message was written and synced with it or before.
  const lastConfirmed = Math.max(0, ...cut.confirmed);
  const ackedBack = [...cut.ackedAfter].filter(([seq, after]) => after < lastConfirmed && recovered.has(seq)).map(([seq]) => seq);
  const log: QueueLog = q?.log ?? store.createQueue(QUEUE);
  const highest = Math.max(0, ...cut.confirmed, ...recovered.keys());
  const fresh = await Promise.all(
    [0, 1, 2].map(() => new Promise<number>((resolve, reject) => log.append(Buffer.from("new"), (err, seq) => (err ? reject(err) : resolve(seq))))),
  );
  await log.close();
  await store.close();
  const reported = store.issues.some((i) => i.damage === "unclean-stop");
  return { confirmedAtCut: cut.confirmed.size, lost, ackedBack, garbage, reused: fresh.filter((s) => s <= highest), reported };
}

describe.each(["always", "batch", "none"] as const)("a power cut under sync %s", (mode) => {
  it(`${SEEDS} seeded cuts during puts, acks, segment rolls and deletions`, async () => {
    const totals = { trials: 0, confirmed: 0, lost: 0, ackedBack: 0 };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const o = await trial(mode, seed, seed % 2 === 0);
      totals.trials++;
      totals.confirmed += o.confirmedAtCut;
      totals.lost += o.lost.length;
      totals.ackedBack += o.ackedBack.length;
      expect(o.garbage, `seed ${seed}: recovered bytes that were never put`).toEqual([]);
      expect(o.reused, `seed ${seed}: a sequence number given again`).toEqual([]);
      if (mode === "none" && o.lost.length > 0) expect(o.reported, `seed ${seed}: a loss not reported`).toBe(true);
      if (mode !== "none") {
        expect(o.lost, `seed ${seed}: confirmed messages lost`).toEqual([]);
        expect(o.ackedBack, `seed ${seed}: acked before a confirmed put, yet back`).toEqual([]);
      }
    }
    console.log(`power cut, sync ${mode}: ${JSON.stringify(totals)}`);
  });
});
