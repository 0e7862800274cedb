/** The broker's store: records, segment files, recovery, deletion, sync policies. */
import { afterEach, describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync, writeFileSync, appendFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { crc32, crc32Portable } from "../../lib/broker/server/store/checksum.js";
import { encodeAck, encodeMessage, encodeReturn, parseRecord, RecordType, SEGMENT_MAGIC } from "../../lib/broker/server/store/record.js";
import { DiskStore, queueDirName } from "../../lib/broker/server/store/disk-store.js";
import { MemoryStore } from "../../lib/broker/server/store/memory-store.js";
import { parseSyncPolicy, type SyncPolicy } from "../../lib/broker/server/store/sync-policy.js";
import type { QueueLog } from "../../lib/broker/server/store/store.js";
import type { DiskQueueLog } from "../../lib/broker/server/store/queue-log.js";
import { tempDir } from "../helpers/broker-process.js";

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

function newDir(): string {
  const d = tempDir();
  dirs.push(d);
  return d.path;
}

const ALWAYS: SyncPolicy = { mode: "always", intervalMs: 10 };

function put(log: QueueLog, body: string): Promise<number> {
  return new Promise((resolve, reject) => log.append(Buffer.from(body), (err, seq) => (err ? reject(err) : resolve(seq))));
}

async function openStore(dataDir: string, opts: { sync?: SyncPolicy; segmentBytes?: number } = {}) {
  const store = new DiskStore(dataDir, { sync: opts.sync ?? ALWAYS, segmentBytes: opts.segmentBytes ?? 1 << 20 });
  const queues = await store.open();
  return { store, queues };
}

function segmentsOf(dataDir: string, queue: string): string[] {
  const dir = join(dataDir, "queues", queueDirName(queue));
  return readdirSync(dir).filter((f) => f.endsWith(".seg")).sort().map((f) => join(dir, f));
}

describe("records", () => {
  it("the portable CRC-32 equals the native one", () => {
    const data = Buffer.from("The quick brown fox jumps over the lazy dog");
    expect(crc32Portable(data)).toBe(0x414fa339);
    expect(crc32(data)).toBe(0x414fa339);
    expect(crc32Portable(data.subarray(10), crc32Portable(data.subarray(0, 10)))).toBe(0x414fa339);
  });

  it("round-trips MESSAGE, ACK and RETURN records", () => {
    const [head, body] = encodeMessage(2 ** 40 + 7, Buffer.from("hello"));
    const bytes = Buffer.concat([head, body, encodeAck([1, 2, 2 ** 52]), encodeReturn(9, 3)]);
    let at = 0;
    const records = [];
    while (at < bytes.length) {
      const r = parseRecord(bytes, at);
      if ("damage" in r) throw new Error(r.damage);
      records.push(r.record);
      at += r.size;
    }
    expect(records).toEqual([
      { type: RecordType.MESSAGE, seq: 2 ** 40 + 7, body: Buffer.from("hello") },
      { type: RecordType.ACK, seqs: [1, 2, 2 ** 52] },
      { type: RecordType.RETURN, seq: 9, attempts: 3 },
    ]);
  });

  it("tells a torn record from a damaged one", () => {
    const [head, body] = encodeMessage(1, Buffer.from("payload"));
    const whole = Buffer.concat([head, body]);
    for (let cut = 0; cut < whole.length; cut++) expect(parseRecord(whole.subarray(0, cut), 0)).toEqual({ damage: "truncated" });
    for (let i = 8; i < whole.length; i++) {
      const bad = Buffer.from(whole);
      bad[i]! ^= 0x40;
      expect(parseRecord(bad, 0)).toEqual({ damage: "checksum" });
    }
    const zeroLength = Buffer.alloc(16);
    expect(parseRecord(zeroLength, 0)).toEqual({ damage: "bad-length" });
  });

  it("parses sync policies", () => {
    expect(parseSyncPolicy("always").mode).toBe("always");
    expect(parseSyncPolicy("batch")).toEqual({ mode: "batch", intervalMs: 10 });
    expect(parseSyncPolicy("batch:250")).toEqual({ mode: "batch", intervalMs: 250 });
    expect(() => parseSyncPolicy("sometimes")).toThrow(RangeError);
    expect(() => parseSyncPolicy("batch:0")).toThrow(RangeError);
  });
});

describe("disk store", () => {
  it("keeps confirmed messages across a restart and forgets acknowledged ones", async () => {
    const dataDir = newDir();
    let { store } = await openStore(dataDir);
    const log = store.createQueue("orders/eu ✓");
    const seqs = [];
    for (let i = 0; i < 5; i++) seqs.push(await put(log, `m${i}`));
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    log.ack(2);
    log.returned(4, 2);
    await log.close();
    await store.close();

    const again = await openStore(dataDir);
    store = again.store;
    expect(again.queues).toHaveLength(1);
    const q = again.queues[0]!;
    expect(q.name).toBe("orders/eu ✓");
    expect(q.messages.map((m) => [m.seq, m.body.toString(), m.attempts])).toEqual([
      [1, "m0", 0],
      [3, "m2", 0],
      [4, "m3", 2],
      [5, "m4", 0],
    ]);
    expect(await put(q.log, "m5")).toBe(6);
    await q.log.close();
    await store.close();
  });

  it("cuts a torn tail and keeps every record before it", async () => {
    const dataDir = newDir();
    const { store } = await openStore(dataDir);
    const log = store.createQueue("q");
    for (let i = 0; i < 3; i++) await put(log, `m${i}`);
    await log.close();
    await store.close();
    const [seg] = segmentsOf(dataDir, "q");
    const goodSize = statSync(seg!).size;
    // Half of a fourth record, as a crash in the middle of a write leaves it.
    const [head, body] = encodeMessage(4, Buffer.from("torn message"));
    appendFileSync(seg!, Buffer.concat([head, body]).subarray(0, 12));

    const again = await openStore(dataDir);
    expect(again.store.issues).toEqual([{ file: seg, offset: goodSize, damage: "truncated", action: "cut", bytes: 12, keptAs: `${seg}.${goodSize}.damaged` }]);
    expect(again.queues[0]!.messages.map((m) => m.body.toString())).toEqual(["m0", "m1", "m2"]);
    // Seq 4 may have been in the cut bytes: it is never given to another message.
    expect(await put(again.queues[0]!.log, "m3")).toBe(5);
    await again.queues[0]!.log.close();
    await again.store.close();

    const third = await openStore(dataDir);
    expect(third.store.issues).toEqual([]);
    expect(third.queues[0]!.messages.map((m) => m.body.toString())).toEqual(["m0", "m1", "m2", "m3"]);
    await third.queues[0]!.log.close();
    await third.store.close();
  });

  it("detects a corrupted byte by its checksum, reports file and offset, keeps the records before and after it", async () => {
    const dataDir = newDir();
    const { store } = await openStore(dataDir);
    const log = store.createQueue("q");
    for (let i = 0; i < 4; i++) await put(log, `message-${i}`);
    await log.close();
    await store.close();
    const [seg] = segmentsOf(dataDir, "q");
    const bytes = readFileSync(seg!);
    const recordSize = encodeMessage(1, Buffer.from("message-0")).reduce((n, b) => n + b.length, 0);
    const thirdRecord = bytes.length - 2 * recordSize;
    bytes[thirdRecord + recordSize - 3]! ^= 0x01; // a byte in the third message's body
    writeFileSync(seg!, bytes);

    const again = await openStore(dataDir);
    expect(again.store.issues).toEqual([{ file: seg, offset: thirdRecord, damage: "checksum", action: "skipped", bytes: recordSize, keptAs: `${seg}.${thirdRecord}.damaged` }]);
    expect(again.queues[0]!.messages.map((m) => m.body.toString())).toEqual(["message-0", "message-1", "message-3"]);
    await again.queues[0]!.log.close();
    await again.store.close();
  });

  it("moves the damaged end of an older segment aside and reads the segments after it", async () => {
    const dataDir = newDir();
    const { store } = await openStore(dataDir, { segmentBytes: 200 });
    const log = store.createQueue("q");
    for (let i = 0; i < 20; i++) await put(log, `message-${String(i).padStart(2, "0")}`);
    await log.close();
    await store.close();
    const segs = segmentsOf(dataDir, "q");
    expect(segs.length).toBeGreaterThan(2);
    const first = segs[0]!;
    const size = statSync(first).size;
    truncateSync(first, size - 5);

    const again = await openStore(dataDir, { segmentBytes: 200 });
    expect(again.store.issues).toHaveLength(1);
    expect(again.store.issues[0]).toMatchObject({ file: first, damage: "truncated", action: "cut", bytes: size - 5 - statSync(first).size });
    const bodies = again.queues[0]!.messages.map((m) => m.body.toString());
    expect(bodies[0]).toBe("message-00");
    expect(bodies.at(-1)).toBe("message-19");
    expect(bodies.length).toBe(19); // the last record of the damaged segment is lost, nothing else
    await again.queues[0]!.log.close();
    await again.store.close();
  });

  it("deletes segments from the front once every message in them is acknowledged", async () => {
    const dataDir = newDir();
    const { store } = await openStore(dataDir, { segmentBytes: 300 });
    const log = store.createQueue("q");
    const seqs = [];
    for (let i = 0; i < 40; i++) seqs.push(await put(log, `message-${i}`));
    const before = segmentsOf(dataDir, "q").length;
    expect(before).toBeGreaterThan(3);
    // Acknowledging out of order: a segment goes only when all of it and all before it are done.
    for (const s of seqs.slice(1)) log.ack(s);
    await put(log, "flush");
    await log.close(); // waits for the deletions that follow the flush
    await store.close();
    expect(segmentsOf(dataDir, "q").length).toBe(before);

    const reopened = await openStore(dataDir, { segmentBytes: 300 });
    const log2 = reopened.queues[0]!.log;
    log2.ack(seqs[0]!);
    await put(log2, "flush again");
    await log2.close();
    await reopened.store.close();
    // Left: the segment holding "flush" (not acknowledged) and the tail; all before are gone.
    const left = segmentsOf(dataDir, "q");
    expect(left.length).toBeLessThanOrEqual(2);
    expect(left.length).toBeLessThan(before);
    expect(left[0]).not.toMatch(/0000000000000001\.seg$/);

    const again = await openStore(dataDir, { segmentBytes: 300 });
    expect(again.queues[0]!.messages.map((m) => m.body.toString())).toEqual(["flush", "flush again"]);
    await again.queues[0]!.log.close();
    await again.store.close();
  });

  it("acknowledgements alone never roll over to a new segment (two segments with one name)", async () => {
    const dataDir = newDir();
    const { store } = await openStore(dataDir, { segmentBytes: 40 });
    const log = store.createQueue("q") as DiskQueueLog;
    const seqs = [];
    for (let i = 0; i < 30; i++) seqs.push(await put(log, `m${i}`));
    for (const batch of [seqs.slice(0, 10), seqs.slice(10, 20), seqs.slice(20, 29)]) {
      for (const s of batch) log.ack(s);
      await log.whenWritten();
    }
    expect(await put(log, "last")).toBe(31);
    await log.close();
    await store.close();
    const again = await openStore(dataDir, { segmentBytes: 40 });
    expect(again.store.issues).toEqual([]);
    expect(again.queues[0]!.messages.map((m) => m.body.toString())).toEqual(["m29", "last"]);
    await again.queues[0]!.log.close();
    await again.store.close();
  });

  it.each(["always", "batch:5", "none"])("confirms with sync %s, and every confirmed message is there after reopening", async (policy) => {
    const dataDir = newDir();
    const sync = parseSyncPolicy(policy);
    const { store } = await openStore(dataDir, { sync });
    const log = store.createQueue("q");
    const confirmed = await Promise.all(Array.from({ length: 500 }, (_, i) => put(log, `m${i}`)));
    expect(confirmed).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    await log.close();
    await store.close();
    const again = await openStore(dataDir, { sync });
    expect(again.queues[0]!.messages).toHaveLength(500);
    await again.queues[0]!.log.close();
    await again.store.close();
  });

  it("keeps durable subscriptions", async () => {
    const dataDir = newDir();
    const { store } = await openStore(dataDir);
    await store.saveTopics(new Map([["prices", new Set(["a", "b"])]]));
    await store.close();
    const again = await openStore(dataDir);
    expect(await again.store.loadTopics()).toEqual(new Map([["prices", new Set(["a", "b"])]]));
    await again.store.close();
  });

  it("refuses a data directory held by a live process", async () => {
    const dataDir = newDir();
    writeFileSync(join(dataDir, "broker.lock"), String(process.ppid));
    await expect(openStore(dataDir)).rejects.toMatchObject({ code: "EBUSY" });
  });
});

describe("memory store", () => {
  it("confirms in order and recovers nothing", async () => {
    const store = new MemoryStore();
    expect(await store.open()).toEqual([]);
    const log = store.createQueue();
    expect(await Promise.all([put(log, "a"), put(log, "b")])).toEqual([1, 2]);
    expect(store.describe().kind).toBe("memory");
  });
});
