import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SpillQueue } from "../../lib/devices/spill-queue.js";
import { SpillFile } from "../../lib/devices/spill-file.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wiremq-spill-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const msg = (i: number): Buffer[] => [Buffer.from(`m${i}`), Buffer.alloc(i % 3, i)];
const texts = (q: SpillQueue): string[] => {
  const out: string[] = [];
  for (let m = q.shift(); m !== undefined; m = q.shift()) out.push(m[0]!.toString());
  return out;
};

describe("SpillQueue", () => {
  it("keeps order through memory, the file, and memory again", () => {
    const q = new SpillQueue({ memoryBytes: 20, diskBytes: 1 << 20, spillFile: join(dir, "q") });
    for (let i = 0; i < 50; i++) q.push(msg(i));
    expect(q.usage.diskMessages).toBeGreaterThan(0);
    expect(q.length).toBe(50);
    const first = [q.shift()![0]!.toString(), q.shift()![0]!.toString()];
    // Pushed while the file holds messages: must come after them.
    q.push(msg(50));
    const rest = texts(q);
    expect([...first, ...rest]).toEqual(Array.from({ length: 51 }, (_, i) => `m${i}`));
    expect(q.length).toBe(0);
    // Frames come back byte for byte.
    q.push(msg(4));
    expect(q.shift()).toEqual(msg(4));
    q.close();
  });

  it("has no room past both bounds, and room again once drained", () => {
    const q = new SpillQueue({ memoryBytes: 10, diskBytes: 200, spillFile: join(dir, "q") });
    let pushed = 0;
    while (q.hasRoom && pushed < 1000) q.push([Buffer.alloc(10, pushed++)]);
    expect(pushed).toBeGreaterThan(1);
    expect(pushed).toBeLessThan(30);
    expect(statSync(join(dir, "q")).size).toBeLessThanOrEqual(200 + 20);
    for (let i = 0; i < pushed; i++) expect(q.shift()![0]![0]).toBe(i);
    expect(q.hasRoom).toBe(true);
    q.close();
  });

  it("is bounded by memory alone without a file, but always takes one message", () => {
    const q = new SpillQueue({ memoryBytes: 5, diskBytes: 1 });
    expect(q.hasRoom).toBe(true);
    q.push([Buffer.alloc(100)]);
    expect(q.hasRoom).toBe(false);
    expect(q.close()).toBe(-1);
  });

  it("gives back file space already read when it would otherwise be full", () => {
    const q = new SpillQueue({ memoryBytes: 1, diskBytes: 400, spillFile: join(dir, "q") });
    let next = 0;
    let expected = 0;
    // Far more than fits at once: keep the file busy while reading half of what it holds.
    // Space comes back only for what was acknowledged, not merely read.
    for (let round = 0; round < 20; round++) {
      while (q.hasRoom) q.push([Buffer.from(String(next++).padStart(8, "0"))]);
      for (let i = 0; i < 5; i++) {
        const m = q.shift()!;
        expect(m[0]!.toString()).toBe(String(expected++).padStart(8, "0"));
        q.acknowledge(m);
      }
    }
    expect(next).toBeGreaterThan(100);
    for (let m = q.shift(); m !== undefined; m = q.shift()) expect(m[0]!.toString()).toBe(String(expected++).padStart(8, "0"));
    expect(expected).toBe(next);
    q.close();
  });

  it("saves everything on close, first messages first, and a new queue starts with them", () => {
    const path = join(dir, "q");
    const q = new SpillQueue({ memoryBytes: 16, diskBytes: 1 << 20, spillFile: path });
    for (let i = 2; i < 40; i++) q.push(msg(i));
    expect(q.close([msg(0), msg(1)])).toBe(40);
    expect(existsSync(`${path}.tmp`)).toBe(false);
    const again = new SpillQueue({ memoryBytes: 16, diskBytes: 1 << 20, spillFile: path });
    expect(again.length).toBe(40);
    expect(texts(again)).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`));
    again.close();
  });

  it("with write-ahead, a queue reopened without a close (a kill) holds every message not acknowledged, in order", () => {
    const path = join(dir, "q");
    const q = new SpillQueue({ memoryBytes: 64, diskBytes: 1 << 20, spillFile: path, writeAhead: true });
    for (let i = 0; i < 50; i++) q.push(msg(i));
    // Held in memory only as a read-back cache: the file has all 50.
    for (let i = 0; i < 20; i++) {
      const m = q.shift()!;
      // m3 is handed out and never acknowledged; the rest are.
      if (i !== 3) q.acknowledge(m);
    }
    // The device flushes once per event-loop turn.
    q.flush();
    const again = new SpillQueue({ memoryBytes: 64, diskBytes: 1 << 20, spillFile: path, writeAhead: true });
    expect(texts(again)).toEqual(["m3", ...Array.from({ length: 30 }, (_, i) => `m${i + 20}`)]);
    again.close();
    q.close();
  });

  it("refuses writeAhead without a spill file with EINVAL", () => {
    expect(() => new SpillQueue({ memoryBytes: 1, diskBytes: 1, writeAhead: true })).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });

  it("refuses bad bounds with EINVAL", () => {
    expect(() => new SpillQueue({ memoryBytes: 0, diskBytes: 1 })).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => new SpillQueue({ memoryBytes: 1, diskBytes: Number.NaN })).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});

describe("SpillFile", () => {
  it("refuses a file that is not a spill file with EPROTO, leaving it untouched", () => {
    const path = join(dir, "other");
    writeFileSync(path, "not a spill file at all");
    expect(() => new SpillFile(path)).toThrow(expect.objectContaining({ code: "EPROTO" }));
    expect(readFileSync(path, "utf8")).toBe("not a spill file at all");
  });

  it("cuts off a record torn by a crash and keeps the whole ones", () => {
    const path = join(dir, "torn");
    const f = new SpillFile(path);
    f.append([Buffer.from("one")]);
    f.append([Buffer.from("two"), Buffer.from("parts")]);
    f.close();
    appendFileSync(path, Buffer.from([0, 0, 0, 50, 0, 1]));
    const g = new SpillFile(path);
    expect(g.count).toBe(2);
    expect(g.readBatch(1 << 20).map((m) => m.map(String))).toEqual([["one"], ["two", "parts"]]);
    g.close();
  });

  it("keeps an acknowledgement across a reopen, out of order too, and compacts to what is pending", () => {
    const path = join(dir, "acks");
    const f = new SpillFile(path);
    for (let i = 0; i < 10; i++) f.append([Buffer.from(`r${i}`)]);
    const read = f.readBatch(1 << 20);
    for (const i of [0, 1, 2, 5, 7]) f.acknowledge(read[i]!);
    f.flush();
    // No close: what a kill leaves.
    const g = new SpillFile(path);
    expect(g.count).toBe(5);
    expect(g.readBatch(1 << 20).map((m) => m[0]!.toString())).toEqual(["r3", "r4", "r6", "r8", "r9"]);
    g.close();
    const size = statSync(path).size;
    f.compact();
    expect(statSync(path).size).toBeLessThan(size);
    expect(existsSync(`${path}.tmp`)).toBe(false);
    f.append([Buffer.from("r10")]);
    // Acknowledgements after a compaction land on the moved records.
    f.acknowledge(read[3]!);
    f.close();
    const h = new SpillFile(path);
    expect(h.readBatch(1 << 20).map((m) => m[0]!.toString())).toEqual(["r4", "r6", "r8", "r9", "r10"]);
    h.close();
  });

  it("ignores the new file of a compaction cut short, and replaces it at the next one", () => {
    const path = join(dir, "cut");
    const f = new SpillFile(path);
    for (let i = 0; i < 4; i++) f.append([Buffer.from(`c${i}`)]);
    f.acknowledge(f.readBatch(1)[0]!);
    f.close();
    // A kill during a compaction leaves a partial new file beside the old one.
    writeFileSync(`${path}.tmp`, Buffer.from("WMQSPL02 partial"));
    const g = new SpillFile(path);
    expect(g.count).toBe(3);
    g.compact();
    expect(existsSync(`${path}.tmp`)).toBe(false);
    expect(g.readBatch(1 << 20).map((m) => m[0]!.toString())).toEqual(["c1", "c2", "c3"]);
    g.close();
  });

  it("reads a file saved by the format before write-ahead, every record pending", () => {
    const path = join(dir, "v1");
    // WMQSPL01, then records of u32 length, u16 frame count, frames; the last one torn.
    const record = (frames: string[]): Buffer => {
      const body = Buffer.concat([Buffer.from([frames.length >> 8, frames.length & 255]), ...frames.flatMap((f) => [Buffer.from([0, 0, 0, f.length]), Buffer.from(f)])]);
      return Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    };
    writeFileSync(path, Buffer.concat([Buffer.from("WMQSPL01"), record(["a"]), record(["b", "cd"]), Buffer.from([0, 0, 0, 40, 0])]));
    const f = new SpillFile(path);
    expect(f.count).toBe(2);
    expect(f.readBatch(1 << 20).map((m) => m.map(String))).toEqual([["a"], ["b", "cd"]]);
    f.close();
    expect(readFileSync(path).subarray(0, 8).toString()).toBe("WMQSPL02");
  });

  it("refuses a path it cannot open with EINVAL", () => {
    expect(() => new SpillFile(join(dir, "missing-dir", "f"))).toThrow(expect.objectContaining({ code: "EINVAL" }));
  });
});
