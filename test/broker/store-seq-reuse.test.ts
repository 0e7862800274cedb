/**
 * Sequence numbers are never given twice, even when a write failed (EIO, disk full) and the
 * segment written after it is later damaged, or when the process died (no clean close) and
 * the newest segment is then damaged: cut at every offset (record boundaries included, which
 * leave no trace), or a byte flipped there.
 */
import { describe, expect, it } from "vitest";
import { DiskStore } from "../../lib/broker/server/store/disk-store.js";
import type { QueueLog } from "../../lib/broker/server/store/store.js";
import { SEGMENT_MAGIC } from "../../lib/broker/server/store/record.js";
import { PowerCutFs } from "../helpers/power-cut-fs.js";

const DATA = "/data";
const SYNC = { mode: "always" as const, intervalMs: 10 };

const put = (log: QueueLog, body: string): Promise<number> =>
  new Promise((resolve, reject) => log.append(Buffer.from(body), (err, seq) => (err ? reject(err) : resolve(seq))));

/** 10 puts, 3 refused by a failing disk, 7 more once it works: the newest segment's path. */
async function history(fs: PowerCutFs, code: string): Promise<{ confirmed: number[]; tail: string }> {
  fs.makeSyncedDir(DATA);
  const store = new DiskStore(DATA, { sync: SYNC, segmentBytes: 1 << 20, fs });
  await store.open();
  const log = store.createQueue("q");
  const confirmed: number[] = [];
  for (let i = 0; i < 10; i++) confirmed.push(await put(log, "m"));
  fs.failWith = (op, path) => (op === "write" && path.endsWith(".seg") ? code : null);
  const refused = await Promise.allSettled([put(log, "x"), put(log, "x"), put(log, "x")]);
  expect(refused.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
  fs.failWith = null;
  for (let i = 0; i < 7; i++) confirmed.push(await put(log, "m"));
  await log.close();
  await store.close();
  const dir = `${DATA}/queues/${(await fs.readdir(`${DATA}/queues`))[0]!}`;
  const segs = (await fs.readdir(dir)).filter((f) => f.endsWith(".seg")).sort();
  return { confirmed, tail: `${dir}/${segs.at(-1)!}` };
}

/** 25 puts in one segment, then a crash: the disk as it is then, nothing closed first. */
async function crashed(): Promise<{ fs: PowerCutFs; confirmed: number[]; tail: string }> {
  const live = new PowerCutFs();
  live.makeSyncedDir(DATA);
  const store = new DiskStore(DATA, { sync: SYNC, segmentBytes: 1 << 20, fs: live });
  await store.open();
  const log = store.createQueue("q");
  const confirmed: number[] = [];
  for (let i = 0; i < 25; i++) confirmed.push(await put(log, "m"));
  // Under sync always every confirmed put is synced: what a crash (or a power cut) leaves.
  const fs = live.cut();
  await log.close();
  await store.close();
  const dir = `${DATA}/queues/${(await fs.readdir(`${DATA}/queues`))[0]!}`;
  const segs = (await fs.readdir(dir)).filter((f) => f.endsWith(".seg")).sort();
  return { fs, confirmed, tail: `${dir}/${segs.at(-1)!}` };
}

async function damage(fs: PowerCutFs, path: string, bytes: (data: Buffer) => Buffer): Promise<void> {
  const data = bytes(await fs.readFile(path));
  const fh = await fs.open(path, "w");
  await fh.writeFile(data);
  await fh.datasync();
}

async function newSeqsAfterRecovery(fs: PowerCutFs): Promise<number[]> {
  const store = new DiskStore(DATA, { sync: SYNC, segmentBytes: 1 << 20, fs });
  const [q] = await store.open();
  const seqs = [await put(q!.log, "n"), await put(q!.log, "n")];
  await q!.log.close();
  await store.close();
  return seqs;
}

describe("sequence numbers after a failed write, then damage", () => {
  it.each(["EIO", "ENOSPC"])("%s, then the next segment cut or flipped at each offset: no seq given twice", async (code) => {
    const probe = new PowerCutFs();
    const { tail } = await history(probe, code);
    const size = (await probe.readFile(tail)).length;
    const reused: string[] = [];
    for (let at = SEGMENT_MAGIC.length; at < size; at++) {
      for (const kind of ["cut", "flip"] as const) {
        const fs = new PowerCutFs();
        const { confirmed, tail: path } = await history(fs, code);
        await damage(fs, path, (d) => (kind === "cut" ? d.subarray(0, at) : Buffer.from(d).fill(d[at]! ^ 0xff, at, at + 1)));
        const fresh = await newSeqsAfterRecovery(fs);
        const highest = Math.max(...confirmed);
        if (fresh.some((s) => s <= highest)) reused.push(`${kind}@${at}: ${fresh.join(",")} ≤ ${highest}`);
      }
    }
    expect(reused).toEqual([]);
  });
});

describe("sequence numbers after a crash, then damage to the newest segment", () => {
  it("cut or flipped at each offset, record boundaries included: no seq given twice", async () => {
    const probe = await crashed();
    const size = (await probe.fs.readFile(probe.tail)).length;
    const reused: string[] = [];
    for (let at = SEGMENT_MAGIC.length; at < size; at++) {
      for (const kind of ["cut", "flip"] as const) {
        const { fs, confirmed, tail } = await crashed();
        await damage(fs, tail, (d) => (kind === "cut" ? d.subarray(0, at) : Buffer.from(d).fill(d[at]! ^ 0xff, at, at + 1)));
        const fresh = await newSeqsAfterRecovery(fs);
        const highest = Math.max(...confirmed);
        if (fresh.some((s) => s <= highest)) reused.push(`${kind}@${at}: ${fresh.join(",")} ≤ ${highest}`);
      }
    }
    expect(reused).toEqual([]);
  });
});

describe("the seqs a crash skips", () => {
  it("are not taken for a missing segment at the next recoveries", async () => {
    const { fs, confirmed } = await crashed();
    const fresh = await newSeqsAfterRecovery(fs);
    expect(fresh[0]).toBeGreaterThan(Math.max(...confirmed));
    for (let restart = 0; restart < 2; restart++) {
      const store = new DiskStore(DATA, { sync: SYNC, segmentBytes: 1 << 20, fs });
      const [q] = await store.open();
      expect(store.issues).toEqual([]);
      expect(q!.messages.map((m) => m.seq)).toEqual([...confirmed, ...fresh]);
      await q!.log.close();
      await store.close();
    }
  });
});
