/**
 * The store on disk:
 *
 *   <dataDir>/broker.lock          pid of the broker using the directory
 *   <dataDir>/topics.json          durable subscriptions, replaced atomically
 *   <dataDir>/queues/<dir>/NAME    the queue's name (any UTF-8, so not used as a path)
 *   <dataDir>/queues/<dir>/<first seq>.seg   its segment files
 *
 * A queue's directory is a readable prefix of its name plus a hash of the whole name, so
 * every name maps to one short, portable directory name.
 */
import { createHash } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DiskQueueLog, syncDir, type DiskLogOptions, type FoundSegment } from "./queue-log.js";
import type { RecoveryIssue } from "../../model.js";
import { parseSegmentFileName, scanSegment, setAside } from "./segment.js";
import { formatSyncPolicy } from "./sync-policy.js";
import type { QueueLog, RecoveredQueue, Store, StoreDescription, TopicSubscriptions } from "./store.js";
import { copyTopics } from "./memory-store.js";

const NAME_FILE = "NAME";
const TOPICS_FILE = "topics.json";
const LOCK_FILE = "broker.lock";

export function queueDirName(name: string): string {
  const readable = name.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^\.+/, "_").slice(0, 40);
  const hash = createHash("sha256").update(name, "utf8").digest("hex").slice(0, 16);
  return `${readable}-${hash}`;
}

export class DiskStore implements Store {
  readonly #dataDir: string;
  readonly #queuesDir: string;
  readonly #opts: DiskLogOptions;
  readonly #issues: RecoveryIssue[] = [];
  #locked = false;

  constructor(dataDir: string, opts: DiskLogOptions) {
    this.#dataDir = dataDir;
    this.#queuesDir = join(dataDir, "queues");
    this.#opts = opts;
  }

  get issues(): readonly RecoveryIssue[] {
    return this.#issues;
  }

  describe(): StoreDescription {
    return { kind: "disk", dataDir: this.#dataDir, sync: formatSyncPolicy(this.#opts.sync) };
  }

  async open(): Promise<RecoveredQueue[]> {
    await mkdir(this.#queuesDir, { recursive: true });
    await this.#lock();
    const queues: RecoveredQueue[] = [];
    for (const entry of await readdir(this.#queuesDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const recovered = await this.#recoverQueue(join(this.#queuesDir, entry.name));
      if (recovered !== null) queues.push(recovered);
    }
    return queues;
  }

  async #recoverQueue(dir: string): Promise<RecoveredQueue | null> {
    let name: string;
    try {
      name = await readFile(join(dir, NAME_FILE), "utf8");
    } catch {
      // A crash between mkdir and writing NAME: the directory never held a message.
      const files = await readdir(dir);
      if (files.length === 0 || files.every((f) => f.endsWith(".tmp"))) await rm(dir, { recursive: true, force: true });
      return null;
    }
    const files = (await readdir(dir))
      .map((f) => ({ f, seq: parseSegmentFileName(f) }))
      .filter((x): x is { f: string; seq: number } => x.seq !== null)
      .sort((a, b) => a.seq - b.seq);
    const found: FoundSegment[] = [];
    for (let i = 0; i < files.length; i++) {
      const path = join(dir, files[i]!.f);
      const scan = await scanSegment(path);
      const isTail = i === files.length - 1;
      if (scan.damage === "bad-magic") {
        this.#issues.push({ file: path, offset: 0, damage: "bad-magic", action: "set-aside" });
        await setAside(path);
        continue;
      }
      if (scan.damage !== null) {
        // Only the newest segment is cut (it takes appends again); an older one is left as
        // it is, its readable records kept, for a person to look at.
        const action = isTail ? "cut" : "ignored";
        this.#issues.push({ file: path, offset: scan.validBytes, damage: scan.damage, action });
      }
      found.push({ firstSeq: files[i]!.seq, scan });
    }
    const { log, messages } = await DiskQueueLog.recover(dir, found, this.#opts);
    return { name, log, messages };
  }

  createQueue(name: string): QueueLog {
    const dir = join(this.#queuesDir, queueDirName(name));
    return DiskQueueLog.empty(dir, this.#opts, this.#makeQueueDir(dir, name));
  }

  async #makeQueueDir(dir: string, name: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await writeDurably(join(dir, NAME_FILE), name);
    await syncDir(this.#queuesDir);
  }

  async loadTopics(): Promise<TopicSubscriptions> {
    let text: string;
    try {
      text = await readFile(join(this.#dataDir, TOPICS_FILE), "utf8");
    } catch {
      return new Map();
    }
    const parsed = JSON.parse(text) as Record<string, string[]>;
    return new Map(Object.entries(parsed).map(([topic, subs]) => [topic, new Set(subs)]));
  }

  async saveTopics(topics: TopicSubscriptions): Promise<void> {
    const plain: Record<string, string[]> = {};
    for (const [topic, subs] of copyTopics(topics)) if (subs.size > 0) plain[topic] = [...subs].sort();
    await writeDurably(join(this.#dataDir, TOPICS_FILE), JSON.stringify(plain, null, 2));
  }

  async close(): Promise<void> {
    if (this.#locked) await rm(join(this.#dataDir, LOCK_FILE), { force: true });
    this.#locked = false;
  }

  /** Refuses a data directory that a live broker process holds. */
  async #lock(): Promise<void> {
    const path = join(this.#dataDir, LOCK_FILE);
    try {
      const pid = Number(await readFile(path, "utf8"));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw Object.assign(new Error(`data directory ${this.#dataDir} is in use by process ${pid}`), { code: "EBUSY" });
      }
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") throw err;
    }
    await writeDurably(path, String(process.pid));
    this.#locked = true;
  }
}

/** Writes a file so that after a crash it is either the old one or the whole new one. */
async function writeDurably(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text);
  const fh = await open(tmp, "r+");
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}
