/**
 * Write failures and file descriptors (issue 16, item 14): a queue whose write failed (disk
 * full) takes puts again once the cause is gone, and says so in its state meanwhile; a store
 * with 500 queues runs under `ulimit -n 200` because idle segment files are closed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DiskStore } from "../../lib/broker/server/store/disk-store.js";
import { Broker, BrokerClient } from "../../lib/broker/index.js";
import type { QueueLog } from "../../lib/broker/server/store/store.js";
import type { DiskQueueLog } from "../../lib/broker/server/store/queue-log.js";
import { CLIENT_JS, missingBuild, tempDir } from "../helpers/broker-process.js";
import { itNeeding } from "../helpers/prerequisite.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function put(log: QueueLog, body: Buffer | string): Promise<number> {
  return new Promise((resolve, reject) => log.append(Buffer.from(body), (err, seq) => (err ? reject(err) : resolve(seq))));
}

/** A tmpfs of `bytes` mounted on a fresh directory; throws saying why when it cannot mount. */
function smallDisk(bytes: number): string {
  const dir = mkdtempSync(join(tmpdir(), "wiremq-tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { stdio: "pipe" });
  } catch (err) {
    rmdirSync(dir);
    throw new Error(`this test needs to mount a small tmpfs (root, mount(8)) to fill a disk: ${(err as Error).message}`);
  }
  cleanups.push(() => {
    execFileSync("umount", ["-l", dir]); // lazy: a failed test may leave a file open on it
    rmdirSync(dir);
  });
  return dir;
}

/** Writes a file until the disk is full. */
function fillDisk(path: string): void {
  const fd = openSync(path, "w");
  try {
    const chunk = Buffer.alloc(4096, 1);
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as { code?: string }).code !== "ENOSPC") throw err;
  } finally {
    closeSync(fd);
  }
}

describe("store write failures", () => {
  it("a full disk refuses the put, reports the queue failing, and the next put after space is freed is stored", async () => {
    const disk = smallDisk(512 * 1024);
    const store = new DiskStore(disk, { sync: { mode: "always", intervalMs: 10 }, segmentBytes: 1 << 20 });
    await store.open();
    const log = store.createQueue("q") as DiskQueueLog;
    await put(log, "first");
    fillDisk(join(disk, "filler"));

    const big = Buffer.alloc(64 * 1024, 7);
    await expect(put(log, big)).rejects.toMatchObject({ code: "ENOSPC" });
    expect(log.writeError).toMatchObject({ code: "ENOSPC" });
    expect(log.writeFailures).toBe(1);

    rmSync(join(disk, "filler"));
    await put(log, "after");
    expect(log.writeError).toBeNull();
    await log.close();
    await store.close();

    const again = new DiskStore(disk, { sync: { mode: "always", intervalMs: 10 }, segmentBytes: 1 << 20 });
    const [q] = await again.open();
    const bodies = q!.messages.map((m) => m.body.toString());
    expect(bodies[0]).toBe("first");
    expect(bodies.at(-1)).toBe("after");
    await q!.log.close();
    await again.close();
  });

  it("a broker on a full disk answers EIO, shows the queue failing in stats, and stores again once space is freed", async () => {
    const disk = smallDisk(512 * 1024);
    const broker = new Broker({ dataDir: disk, bind: "tcp://127.0.0.1:0" });
    await broker.start();
    const client = new BrokerClient(broker.endpoints[0]!);
    try {
      await client.put("q", "first");
      fillDisk(join(disk, "filler"));
      await expect(client.put("q", Buffer.alloc(64 * 1024, 7))).rejects.toMatchObject({ code: "EIO" });
      expect(broker.stats().queues[0]).toMatchObject({ name: "q", storage: "failing", writeError: expect.stringContaining("ENOSPC"), writeFailures: 1 });
      rmSync(join(disk, "filler"));
      await client.put("q", "after");
      expect(broker.stats().queues[0]).toMatchObject({ storage: "ok", writeError: null, writeFailures: 1, depth: 2 });
    } finally {
      await client.close();
      await broker.close();
    }
  });

  it("keeps at most maxOpenSegments segment files open across queues", async () => {
    const d = tempDir();
    cleanups.push(() => d.remove());
    const store = new DiskStore(d.path, { sync: { mode: "none", intervalMs: 10 }, segmentBytes: 1 << 20, maxOpenSegments: 8 });
    await store.open();
    const logs = Array.from({ length: 40 }, (_, i) => store.createQueue(`q${i}`));
    for (const [i, log] of logs.entries()) await put(log, `m${i}`);
    expect(store.openSegments).toBeLessThanOrEqual(8);
    // A queue whose file was closed writes again (reopened) and keeps its messages.
    for (const [i, log] of logs.entries()) await put(log, `n${i}`);
    for (const log of logs) await log.close();
    await store.close();
    const again = new DiskStore(d.path, { sync: { mode: "none", intervalMs: 10 }, segmentBytes: 1 << 20 });
    const queues = await again.open();
    expect(queues).toHaveLength(40);
    for (const q of queues) {
      const i = q.name.slice(1);
      expect(q.messages.map((m) => m.body.toString())).toEqual([`m${i}`, `n${i}`]);
      await q.log.close();
    }
    await again.close();
  });

  itNeeding(missingBuild(), "500 queues under ulimit -n 200 (a child process)", async () => {
    const d = tempDir();
    cleanups.push(() => d.remove());
    const storeJs = join(dirname(CLIENT_JS), "server", "store", "disk-store.js");
    const source = `
      import { DiskStore } from ${JSON.stringify(storeJs)};
      const put = (log, b) => new Promise((res, rej) => log.append(Buffer.from(b), (e, s) => (e ? rej(e) : res(s))));
      async function main() {
        const store = new DiskStore(${JSON.stringify(d.path)}, { sync: { mode: "none", intervalMs: 10 }, segmentBytes: 1 << 20, maxOpenSegments: 100 });
        await store.open();
        const logs = [];
        let stored = 0, failed = "";
        for (let i = 0; i < 500; i++) {
          const log = store.createQueue("queue-" + i);
          logs.push(log);
          try { await put(log, "m" + i); stored++; } catch (e) { failed ||= e.code + " " + e.message; }
        }
        console.log(JSON.stringify({ stored, failed, open: store.openSegments }));
        for (const l of logs) await l.close();
        await store.close();
      }
      main().catch((e) => { console.log(JSON.stringify({ crashed: String(e) })); process.exitCode = 1; });
    `;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn("bash", ["-c", `ulimit -n 200 && exec "${process.execPath}" --input-type=module -e "$0"`, source], { stdio: ["ignore", "pipe", "inherit"] });
      let text = "";
      child.stdout.on("data", (b: Buffer) => (text += b.toString()));
      child.once("error", reject);
      child.once("exit", () => resolve(text));
    });
    expect(JSON.parse(out.trim())).toEqual({ stored: 500, failed: "", open: 100 });
  }, 60_000);
});
