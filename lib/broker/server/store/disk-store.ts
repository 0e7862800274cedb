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
import { mkdir, readdir, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { WiremqError, zmqError } from "../../../errors.js";
import { systemCode } from "../../../error-codes.js";
import { DiskQueueLog, readSegmentBounds, type DiskLogOptions, type FoundSegment } from "./queue-log.js";
import type { RecoveryIssue } from "../../model.js";
import { RecordType } from "./record.js";
import { damagedFileName, moveDamageAside, parseSegmentFileName, scanSegment, segmentFileName, setAside, syncDir, writeDurably } from "./segment.js";
import { formatSyncPolicy } from "./sync-policy.js";
import type { QueueLog, RecoveredQueue, Store, StoreDescription, TopicSubscriptions } from "./store.js";
import { copyTopics } from "./memory-store.js";
import { OpenFiles } from "./open-files.js";
import type { SyncPolicy } from "./sync-policy.js";

export interface DiskStoreOptions {
  sync: SyncPolicy;
  segmentBytes: number;
  /** Segment files kept open at once across all queues (default 256); idle ones are closed. */
  maxOpenSegments?: number;
}

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

  constructor(dataDir: string, opts: DiskStoreOptions) {
    this.#dataDir = dataDir;
    this.#queuesDir = join(dataDir, "queues");
    this.#opts = { sync: opts.sync, segmentBytes: opts.segmentBytes, files: new OpenFiles(opts.maxOpenSegments) };
  }

  /** Segment files open now (at most `maxOpenSegments`, but for ones in use). */
  get openSegments(): number {
    return this.#opts.files.size;
  }

  get issues(): readonly RecoveryIssue[] {
    return this.#issues;
  }

  describe(): StoreDescription {
    return { kind: "disk", dataDir: this.#dataDir, sync: formatSyncPolicy(this.#opts.sync) };
  }

  async open(): Promise<RecoveredQueue[]> {
    await makeDirectories(this.#queuesDir);
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
    const entries = await readdir(dir);
    const files = entries
      .map((f) => ({ f, seq: parseSegmentFileName(f) }))
      .filter((x): x is { f: string; seq: number } => x.seq !== null)
      .sort((a, b) => a.seq - b.seq);
    let name: string | null = null;
    try {
      name = await readFile(join(dir, NAME_FILE), "utf8");
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") throw err;
    }
    const found: FoundSegment[] = [];
    let lastSeq: number | null = null;
    let prevFile = "";
    let prevDamaged = false;
    for (const { f, seq: firstSeq } of files) {
      const path = join(dir, f);
      const scan = await scanSegment(path, firstSeq);
      if (scan.badMagic) {
        this.#issues.push({ file: path, offset: 0, damage: "bad-magic", action: "set-aside", bytes: scan.fileBytes, keptAs: await setAside(path) });
        continue;
      }
      const seqs = scan.records.flatMap((r) => (r.type === RecordType.MESSAGE ? [r.seq] : []));
      // Seqs run on from one segment to the next; a gap is a segment file gone, unless it is
      // explained by damage already moved aside (kept beside the segment before it).
      const explained = prevDamaged || entries.some((e) => e.startsWith(`${prevFile}.`) && e.endsWith(".damaged"));
      if (lastSeq !== null && seqs.length > 0 && seqs[0]! > lastSeq + 1 && firstSeq > lastSeq + 1 && !explained) {
        this.#issues.push({ file: join(dir, segmentFileName(lastSeq + 1)), offset: 0, damage: "missing-segment", action: "reported", seqs: { from: lastSeq + 1, to: firstSeq - 1 } });
      }
      let size = scan.fileBytes;
      if (scan.damaged.length > 0) {
        for (const d of scan.damaged) {
          const atEnd = d.offset + d.length === scan.fileBytes;
          this.#issues.push({ file: path, offset: d.offset, damage: d.damage, action: atEnd ? "cut" : "skipped", bytes: d.length, keptAs: damagedFileName(path, d.offset) });
        }
        size = await moveDamageAside(path, scan.damaged);
      }
      if (name === null) name = nameRecordOf(scan.records, basename(dir));
      if (seqs.length > 0) lastSeq = seqs[seqs.length - 1]!;
      prevFile = f;
      prevDamaged = scan.damaged.length > 0;
      found.push({ firstSeq, scan, size });
    }
    if (!entries.includes(NAME_FILE)) {
      if (found.length === 0 && entries.every((f) => f.endsWith(".tmp"))) {
        // A crash between mkdir and writing NAME: the directory never held a message.
        await rm(dir, { recursive: true, force: true });
        return null;
      }
      if (name === null) {
        // No segment carries the name: keep the files for a person, out of the queues.
        const keptAs = join(this.#dataDir, "damaged", basename(dir));
        await mkdir(join(this.#dataDir, "damaged"), { recursive: true });
        await rename(dir, keptAs);
        this.#issues.push({ file: join(dir, NAME_FILE), offset: 0, damage: "missing-name", action: "set-aside", keptAs });
        return null;
      }
      await writeDurably(join(dir, NAME_FILE), name);
      this.#issues.push({ file: join(dir, NAME_FILE), offset: 0, damage: "missing-name", action: "rebuilt" });
    }
    const seqFloor = await this.#checkBounds(dir, found, files.map((x) => x.seq));
    const { log, messages } = await DiskQueueLog.recover(dir, name!, found, this.#opts, seqFloor);
    return { name: name!, log, messages };
  }

  /**
   * Reports an oldest or newest segment file gone (by the bounds the log keeps), and returns
   * the lowest seq new messages may take: the seqs of a lost newest segment are unknown, so
   * a whole u32 range past its first seq is skipped.
   */
  async #checkBounds(dir: string, found: readonly FoundSegment[], onDisk: readonly number[]): Promise<number> {
    const bounds = await readSegmentBounds(dir);
    if (bounds === null) return 1;
    const first = found[0]?.firstSeq;
    if (!onDisk.includes(bounds.oldest) && (first === undefined || first > bounds.oldest)) {
      const to = first === undefined ? undefined : first - 1;
      this.#issues.push({ file: join(dir, segmentFileName(bounds.oldest)), offset: 0, damage: "missing-segment", action: "reported", ...(to !== undefined && { seqs: { from: bounds.oldest, to } }) });
    }
    if (!onDisk.includes(bounds.newest) && (found.at(-1)?.firstSeq ?? 0) < bounds.newest) {
      if (bounds.newest !== bounds.oldest) this.#issues.push({ file: join(dir, segmentFileName(bounds.newest)), offset: 0, damage: "missing-segment", action: "reported" });
      return bounds.newest + 2 ** 32;
    }
    return 1;
  }

  createQueue(name: string): QueueLog {
    const dir = join(this.#queuesDir, queueDirName(name));
    return DiskQueueLog.empty(dir, name, this.#opts, () => this.#makeQueueDir(dir, name));
  }

  async #makeQueueDir(dir: string, name: string): Promise<void> {
    await makeDirectories(dir);
    await writeDurably(join(dir, NAME_FILE), name);
    await syncDir(this.#queuesDir);
  }

  async loadTopics(): Promise<TopicSubscriptions> {
    const path = join(this.#dataDir, TOPICS_FILE);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      if ((err as { code?: string }).code === "ENOENT") return new Map();
      throw zmqError(systemCode(err), `cannot read the durable subscriptions ${path}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw zmqError("EINVAL", `${path} (durable subscriptions) is not valid JSON: ${(err as Error).message}; fix or move it aside to start`);
    }
    const shapeOk =
      typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) &&
      Object.values(parsed).every((subs) => Array.isArray(subs) && subs.every((s) => typeof s === "string"));
    if (!shapeOk) throw zmqError("EINVAL", `${path} (durable subscriptions) must be an object of topic → array of subscription names`);
    return new Map(Object.entries(parsed as Record<string, string[]>).map(([topic, subs]) => [topic, new Set(subs)]));
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
        throw new WiremqError("EBUSY", `data directory ${this.#dataDir} is in use by process ${pid}`);
      }
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") throw err;
    }
    await writeDurably(path, String(process.pid));
    this.#locked = true;
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns under /proc (it retries
 * the parent forever), and this way a refusal names the directory and keeps its code
 * (EROFS, EACCES), not a later ENOENT.
 */
async function makeDirectories(path: string, parentMade = false): Promise<void> {
  const parent = dirname(path);
  try {
    await mkdir(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EEXIST") return;
    if (code === "ENOENT" && !parentMade && parent !== path) {
      await makeDirectories(parent);
      return makeDirectories(path, true);
    }
    throw zmqError(systemCode(err), `cannot create the directory ${path}: ${(err as Error).message}`);
  }
}

/** The queue name a segment carries, if it is the name of this directory. */
function nameRecordOf(records: readonly { type: number; name?: string }[], dirName: string): string | null {
  for (const r of records) if (r.type === RecordType.QUEUE && r.name !== undefined && queueDirName(r.name) === dirName) return r.name;
  return null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}
