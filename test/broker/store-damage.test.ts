/**
 * Damage the store can detect (issue 16, item 13): a flipped byte, a bad record length, a
 * damaged older segment, a deleted segment file, a deleted NAME file. Records after the
 * damage are read again, damaged bytes are kept aside, every loss is reported, and no
 * sequence number is given twice.
 */
import { afterEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeMessage, SEGMENT_MAGIC } from "../../lib/broker/server/store/record.js";
import { DiskStore, queueDirName } from "../../lib/broker/server/store/disk-store.js";
import type { QueueLog } from "../../lib/broker/server/store/store.js";
import { tempDir } from "../helpers/broker-process.js";

const dirs: { remove(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

const COUNT = 200;
const body = (i: number): string => `message-${String(i).padStart(3, "0")}`;
const recordBytes = encodeMessage(1, Buffer.from(body(0))).reduce((n, b) => n + b.length, 0);

function put(log: QueueLog, text: string): Promise<number> {
  return new Promise((resolve, reject) => log.append(Buffer.from(text), (err, seq) => (err ? reject(err) : resolve(seq))));
}

async function openStore(dataDir: string, segmentBytes = 1 << 20) {
  const store = new DiskStore(dataDir, { sync: { mode: "always", intervalMs: 10 }, segmentBytes });
  const queues = await store.open();
  return { store, queues };
}

/** A store with COUNT confirmed messages in queue "q"; returns the queue's directory. */
async function filled(segmentBytes?: number): Promise<{ dataDir: string; qdir: string; segs: () => string[] }> {
  const d = tempDir();
  dirs.push(d);
  const { store } = await openStore(d.path, segmentBytes);
  const log = store.createQueue("q");
  // Ten puts at a time, so a small segmentBytes rolls over between batches.
  for (let i = 0; i < COUNT; i += 10) await Promise.all(Array.from({ length: 10 }, (_, k) => put(log, body(i + k))));
  await log.close();
  await store.close();
  const qdir = join(d.path, "queues", queueDirName("q"));
  const segs = () => readdirSync(qdir).filter((f) => f.endsWith(".seg")).sort().map((f) => join(qdir, f));
  return { dataDir: d.path, qdir, segs };
}

/** Where message `i` (0-based) starts in a single-segment queue: after the magic and the QUEUE record. */
function offsetOf(file: string, i: number): number {
  return readFileSync(file).length - (COUNT - i) * recordBytes;
}

function flip(file: string, at: number, mask = 0x01): void {
  const b = readFileSync(file);
  b[at]! ^= mask;
  writeFileSync(file, b);
}

async function reopen(dataDir: string, segmentBytes?: number) {
  const r = await openStore(dataDir, segmentBytes);
  const q = r.queues.find((x) => x.name === "q")!;
  return { ...r, q, bodies: q.messages.map((m) => m.body.toString()), close: async () => { for (const x of r.queues) await x.log.close(); await r.store.close(); } };
}

describe("store damage", () => {
  it("a flipped byte mid-way in the newest segment loses that message only, keeps its bytes, and reuses no seq", async () => {
    const { dataDir, segs } = await filled();
    const [seg] = segs();
    const at = offsetOf(seg!, 100);
    flip(seg!, at + recordBytes - 2);

    const again = await reopen(dataDir);
    expect(again.store.issues).toEqual([{ file: seg, offset: at, damage: "checksum", action: "skipped", bytes: recordBytes, keptAs: `${seg}.${at}.damaged` }]);
    expect(again.bodies).toHaveLength(COUNT - 1);
    expect(again.bodies).not.toContain(body(100));
    expect(again.bodies.at(-1)).toBe(body(COUNT - 1));
    expect(readFileSync(`${seg}.${at}.damaged`).length).toBe(recordBytes);
    expect(await put(again.q.log, "after")).toBe(COUNT + 1);
    await again.close();

    // The damage was moved out: the next start finds a clean store and the new message.
    const third = await reopen(dataDir);
    expect(third.store.issues).toEqual([]);
    expect(third.bodies).toHaveLength(COUNT);
    expect(third.bodies.at(-1)).toBe("after");
    await third.close();
  });

  it("damage at the end of the newest segment: the seqs it may have held are never given again", async () => {
    const { dataDir, segs } = await filled();
    const [seg] = segs();
    flip(seg!, offsetOf(seg!, COUNT - 1) + 10);

    const again = await reopen(dataDir);
    expect(again.store.issues).toMatchObject([{ file: seg, damage: "checksum", action: "cut", bytes: recordBytes }]);
    expect(again.bodies).toHaveLength(COUNT - 1);
    const seq = await put(again.q.log, "after");
    expect(seq).toBeGreaterThan(COUNT);
    await again.close();
    const third = await reopen(dataDir);
    expect(third.store.issues).toEqual([]);
    expect(third.q.messages.at(-1)).toMatchObject({ seq, body: Buffer.from("after") });
    await third.close();
  });

  it("a bad length in the first record loses that record only", async () => {
    const { dataDir, segs } = await filled();
    const [seg] = segs();
    const at = offsetOf(seg!, 0);
    const b = readFileSync(seg!);
    b.writeUInt32BE(0x7fff_0000, at);
    writeFileSync(seg!, b);

    const again = await reopen(dataDir);
    expect(again.store.issues).toEqual([{ file: seg, offset: at, damage: "bad-length", action: "skipped", bytes: recordBytes, keptAs: `${seg}.${at}.damaged` }]);
    expect(again.bodies).toEqual(Array.from({ length: COUNT - 1 }, (_, i) => body(i + 1)));
    await again.close();
  });

  it("a damaged older segment: the rest is read, and its damaged bytes outlive the segment", async () => {
    const { dataDir, segs } = await filled(1000);
    const files = segs();
    expect(files.length).toBeGreaterThan(3);
    const older = files[1]!;
    const size = readFileSync(older).length;
    flip(older, SEGMENT_MAGIC.length + Math.floor((size - SEGMENT_MAGIC.length) / 2), 0xff);

    const again = await reopen(dataDir, 1000);
    expect(again.store.issues).toHaveLength(1);
    const issue = again.store.issues[0]!;
    expect(issue).toMatchObject({ file: older, action: "skipped" });
    expect(again.bodies.length).toBeGreaterThanOrEqual(COUNT - 2);
    expect(again.bodies.at(-1)).toBe(body(COUNT - 1));
    // Everything done: the old segments go, the damaged bytes stay.
    for (const m of again.q.messages) again.q.log.ack(m.seq);
    await again.close();
    expect(existsSync(older)).toBe(false);
    expect(readFileSync(issue.keptAs!).length).toBe(issue.bytes);
  });

  it("a deleted segment file is reported with the seqs it held", async () => {
    const { dataDir, segs } = await filled(1000);
    const files = segs();
    const gone = files[1]!;
    const firstOfNext = Number(/(\d+)\.seg$/.exec(files[2]!)![1]);
    const firstOfGone = Number(/(\d+)\.seg$/.exec(gone)![1]);
    rmSync(gone);

    const again = await reopen(dataDir, 1000);
    expect(again.store.issues).toEqual([{ file: gone, offset: 0, damage: "missing-segment", action: "reported", seqs: { from: firstOfGone, to: firstOfNext - 1 } }]);
    expect(again.bodies).toHaveLength(COUNT - (firstOfNext - firstOfGone));
    await again.close();
  });

  it("a deleted NAME file is rebuilt from the segments, and puts go on", async () => {
    const { dataDir, qdir } = await filled();
    rmSync(join(qdir, "NAME"));

    const again = await reopen(dataDir);
    expect(again.store.issues).toEqual([{ file: join(qdir, "NAME"), offset: 0, damage: "missing-name", action: "rebuilt" }]);
    expect(again.bodies).toHaveLength(COUNT);
    expect(await put(again.q.log, "after")).toBe(COUNT + 1);
    await again.close();
    expect(readFileSync(join(qdir, "NAME"), "utf8")).toBe("q");
  });
});

describe("store damage at the ends", () => {
  it("a deleted newest segment is reported and its seqs are never given again", async () => {
    const { dataDir, segs } = await filled(1000);
    const files = segs();
    const newest = files.at(-1)!;
    const firstOfNewest = Number(/(\d+)\.seg$/.exec(newest)![1]);
    rmSync(newest);

    const again = await reopen(dataDir, 1000);
    expect(again.store.issues).toEqual([{ file: newest, offset: 0, damage: "missing-segment", action: "reported" }]);
    expect(again.bodies).toHaveLength(firstOfNewest - 1);
    expect(await put(again.q.log, "after")).toBeGreaterThan(COUNT);
    await again.close();
  });

  it("a deleted oldest segment is reported with the seqs it held; one the log deleted is not", async () => {
    const { dataDir, segs } = await filled(1000);
    const files = segs();
    const firstOfSecond = Number(/(\d+)\.seg$/.exec(files[1]!)![1]);
    rmSync(files[0]!);

    const again = await reopen(dataDir, 1000);
    expect(again.store.issues).toEqual([{ file: files[0], offset: 0, damage: "missing-segment", action: "reported", seqs: { from: 1, to: firstOfSecond - 1 } }]);
    // Everything done: the log deletes its segments itself, and the next start reports nothing.
    for (const m of again.q.messages) again.q.log.ack(m.seq);
    await put(again.q.log, "after");
    await again.close();
    const third = await reopen(dataDir, 1000);
    expect(third.store.issues).toEqual([]);
    expect(third.bodies).toEqual(["after"]);
    await third.close();
  });
});

describe("a queue directory with no name anywhere", () => {
  it("is moved to damaged/ and reported, and the store opens", async () => {
    const d = tempDir();
    dirs.push(d);
    const qdir = join(d.path, "queues", queueDirName("old"));
    mkdirSync(qdir, { recursive: true });
    // A segment of the format before QUEUE records: magic, then one message.
    writeFileSync(join(qdir, "0000000000000001.seg"), Buffer.concat([SEGMENT_MAGIC, ...encodeMessage(1, Buffer.from("orphan"))]));

    const { store, queues } = await openStore(d.path);
    expect(queues).toEqual([]);
    const keptAs = join(d.path, "damaged", queueDirName("old"));
    expect(store.issues).toEqual([{ file: join(qdir, "NAME"), offset: 0, damage: "missing-name", action: "set-aside", keptAs }]);
    expect(existsSync(join(keptAs, "0000000000000001.seg"))).toBe(true);
    const log = store.createQueue("old");
    expect(await put(log, "new")).toBe(1);
    await log.close();
    await store.close();
  });
});
