/**
 * What the store says when it cannot work (issue 16, item 17): a corrupt topics.json is named,
 * a data directory that cannot be made fails at once, a read-only disk says EROFS.
 */
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Broker } from "../../lib/broker/index.js";
import { DiskStore } from "../../lib/broker/server/store/disk-store.js";
import type { QueueLog } from "../../lib/broker/server/store/store.js";
import { tempDir } from "../helpers/broker-process.js";
import { within } from "../helpers/sockets.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

const ALWAYS = { mode: "always" as const, intervalMs: 10 };

function put(log: QueueLog, body: string): Promise<number> {
  return new Promise((resolve, reject) => log.append(Buffer.from(body), (err, seq) => (err ? reject(err) : resolve(seq))));
}

describe("store error texts", () => {
  it("a corrupt topics.json stops the broker with an error naming the file and what is wrong", async () => {
    const d = tempDir();
    cleanups.push(() => d.remove());
    const path = join(d.path, "topics.json");
    writeFileSync(path, '{"orders": ["audit"');
    const broker = new Broker({ dataDir: d.path, bind: "tcp://127.0.0.1:0" });
    const err = await broker.start().then(() => null, (e: unknown) => e as Error & { code?: string });
    await broker.close();
    expect(err).toMatchObject({ code: "EINVAL" });
    expect(err!.message).toContain(path);
    expect(err!.message).toContain("not valid JSON");

    writeFileSync(path, '{"orders": "audit"}');
    const store = new DiskStore(d.path, { sync: ALWAYS, segmentBytes: 1 << 20 });
    await store.open();
    await expect(store.loadTopics()).rejects.toMatchObject({ code: "EINVAL", message: expect.stringContaining("array of subscription names") });
    await store.close();
  });

  it("a data directory that cannot be made (/proc/x) fails at once, naming it", async () => {
    const broker = new Broker({ dataDir: "/proc/wiremq-no-such-dir", bind: "tcp://127.0.0.1:0" });
    const err = await within(broker.start().then(() => null, (e: unknown) => e as Error & { code?: string }), 5000, "start on /proc");
    await broker.close();
    expect(err).toMatchObject({ code: "ENOENT", message: expect.stringContaining("/proc/wiremq-no-such-dir") });
  });

  it("a read-only disk refuses a new queue's put with EROFS", async () => {
    const disk = mkdtempSync(join(tmpdir(), "wiremq-tmpfs-"));
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", disk], { stdio: "pipe" });
    } catch (err) {
      rmdirSync(disk);
      throw new Error(`this test needs to mount a tmpfs (root, mount(8)) to make a read-only disk: ${(err as Error).message}`);
    }
    cleanups.push(() => {
      execFileSync("umount", ["-l", disk]); // lazy: a failed test may leave a file open on it
      rmdirSync(disk);
    });
    const store = new DiskStore(disk, { sync: ALWAYS, segmentBytes: 1 << 20 });
    await store.open();
    execFileSync("mount", ["-o", "remount,ro", disk]);
    const log = store.createQueue("new-queue");
    await expect(put(log, "m")).rejects.toMatchObject({ code: "EROFS", message: expect.stringContaining("new-queue") });
    await log.close();
    await store.close().catch(() => {});
  });
});
