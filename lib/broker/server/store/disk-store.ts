/**
 * The store on disk:
 *
 *   <dataDir>/broker.lock          pid and sync policy of the broker using the directory
 *   <dataDir>/topics.json          durable subscriptions, replaced atomically
 *   <dataDir>/queues/<dir>/NAME    the queue's name (any UTF-8, so not used as a path)
 *   <dataDir>/queues/<dir>/<first seq>.seg   its segment files
 *
 * A queue's directory is a readable prefix of its name plus a hash of the whole name, so
 * every name maps to one short, portable directory name.
 */
import { createHash } from "node:crypto";
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
import { nodeFileSystem, type StoreFileSystem } from "./file-system.js";
import type { SyncPolicy } from "./sync-policy.js";

export interface DiskStoreOptions {
  sync: SyncPolicy;
  segmentBytes: number;
  /** Segment files kept open at once across all queues (default 256); idle ones are closed. */
  maxOpenSegments?: number;
  /** The file operations; tests inject a fault-injecting layer. */
  fs?: StoreFileSystem;
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
  readonly #fs: StoreFileSystem;
  readonly #issues: RecoveryIssue[] = [];
  #locked = false;
  /** The last run used sync none and did not stop cleanly. */
  #uncleanNone = false;

  constructor(dataDir: string, opts: DiskStoreOptions) {
    this.#dataDir = dataDir;
    this.#queuesDir = join(dataDir, "queues");
    this.#opts = { sync: opts.sync, segmentBytes: opts.segmentBytes, files: new OpenFiles(opts.maxOpenSegments), fs: opts.fs ?? nodeFileSystem };
    this.#fs = this.#opts.fs;
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
    await makeDirectories(this.#fs, this.#queuesDir);
    await this.#lock();
    const queues: RecoveredQueue[] = [];
    for (const entry of await this.#fs.readdirTypes(this.#queuesDir)) {
      if (!entry.isDirectory()) continue;
      const recovered = await this.#recoverQueue(join(this.#queuesDir, entry.name));
      if (recovered !== null) queues.push(recovered);
    }
    return queues;
  }

  async #recoverQueue(dir: string): Promise<RecoveredQueue | null> {
    const entries = await this.#fs.readdir(dir);
    const files = entries
      .map((f) => ({ f, seq: parseSegmentFileName(f) }))
      .filter((x): x is { f: string; seq: number } => x.seq !== null)
      .sort((a, b) => a.seq - b.seq);
    let name: string | null = null;
    try {
      name = (await this.#fs.readFile(join(dir, NAME_FILE))).toString("utf8");
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") throw err;
    }
    const found: FoundSegment[] = [];
    let lastSeq: number | null = null;
    let prevFile = "";
    let prevDamaged = false;
    for (const { f, seq: firstSeq } of files) {
      const path = join(dir, f);
      const scan = await scanSegment(this.#fs, path, firstSeq);
      if (scan.badMagic) {
        this.#issues.push({ file: path, offset: 0, damage: "bad-magic", action: "set-aside", bytes: scan.fileBytes, keptAs: await setAside(this.#fs, path) });
        continue;
      }
      const seqs = scan.records.flatMap((r) => (r.type === RecordType.MESSAGE ? [r.seq] : []));
      // Seqs run on from one segment to the next; a gap is a segment file gone, unless it is
      // explained by damage already moved aside (kept beside the segment before it) or by the
      // segment's GAP record (seqs skipped on purpose: after a crash, refused puts).
      const explained =
        prevDamaged ||
        entries.some((e) => e.startsWith(`${prevFile}.`) && e.endsWith(".damaged")) ||
        scan.records.some((r) => r.type === RecordType.GAP && lastSeq !== null && r.from <= lastSeq + 1);
      if (lastSeq !== null && seqs.length > 0 && seqs[0]! > lastSeq + 1 && firstSeq > lastSeq + 1 && !explained) {
        this.#issues.push({ file: join(dir, segmentFileName(lastSeq + 1)), offset: 0, damage: "missing-segment", action: "reported", seqs: { from: lastSeq + 1, to: firstSeq - 1 } });
      }
      let size = scan.fileBytes;
      if (scan.damaged.length > 0) {
        for (const d of scan.damaged) {
          const atEnd = d.offset + d.length === scan.fileBytes;
          this.#issues.push({ file: path, offset: d.offset, damage: d.damage, action: atEnd ? "cut" : "skipped", bytes: d.length, keptAs: damagedFileName(path, d.offset) });
        }
        size = await moveDamageAside(this.#fs, path, scan.damaged);
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
        await this.#fs.rmTree(dir);
        return null;
      }
      if (name === null) {
        // No segment carries the name: keep the files for a person, out of the queues.
        const keptAs = join(this.#dataDir, "damaged", basename(dir));
        await makeDirectories(this.#fs, join(this.#dataDir, "damaged"));
        await this.#fs.rename(dir, keptAs);
        this.#issues.push({ file: join(dir, NAME_FILE), offset: 0, damage: "missing-name", action: "set-aside", keptAs });
        return null;
      }
      await writeDurably(this.#fs, join(dir, NAME_FILE), name);
      this.#issues.push({ file: join(dir, NAME_FILE), offset: 0, damage: "missing-name", action: "rebuilt" });
    }
    let seqFloor = await this.#checkBounds(dir, found, files.map((x) => x.seq));
    if (this.#uncleanNone) {
      // The seqs of lost confirmed messages are unknown: skip a u32 range past the last one
      // read, so none is given twice.
      const last = found.flatMap((f) => f.scan.records).reduce((m, r) => (r.type === RecordType.MESSAGE && r.seq > m ? r.seq : m), found.at(-1)?.firstSeq ?? 0);
      seqFloor = Math.max(seqFloor, last + 1 + 2 ** 32);
      this.#issues.push({ file: join(dir, NAME_FILE), offset: 0, damage: "unclean-stop", action: "reported" });
    }
    const { log, messages } = await DiskQueueLog.recover(dir, name!, found, this.#opts, seqFloor);
    return { name: name!, log, messages };
  }

  /**
   * Reports an oldest or newest segment file gone (by the bounds the log keeps), and returns
   * the lowest seq new messages may take: the seqs of a lost newest segment are unknown, so
   * a whole u32 range past its first seq is skipped.
   */
  async #checkBounds(dir: string, found: readonly FoundSegment[], onDisk: readonly number[]): Promise<number> {
    const bounds = await readSegmentBounds(this.#fs, dir);
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
    return bounds.nextSeq;
  }

  createQueue(name: string): QueueLog {
    const dir = join(this.#queuesDir, queueDirName(name));
    return DiskQueueLog.empty(dir, name, this.#opts, () => this.#makeQueueDir(dir, name));
  }

  async #makeQueueDir(dir: string, name: string): Promise<void> {
    await makeDirectories(this.#fs, dir);
    await writeDurably(this.#fs, join(dir, NAME_FILE), name);
  }

  async loadTopics(): Promise<TopicSubscriptions> {
    const path = join(this.#dataDir, TOPICS_FILE);
    let text: string;
    try {
      text = (await this.#fs.readFile(path)).toString("utf8");
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
    await writeDurably(this.#fs, join(this.#dataDir, TOPICS_FILE), JSON.stringify(plain, null, 2));
  }

  async close(): Promise<void> {
    if (this.#locked) await this.#fs.unlink(join(this.#dataDir, LOCK_FILE)).catch(() => undefined);
    this.#locked = false;
  }

  /** Refuses a data directory that a live broker process holds. */
  async #lock(): Promise<void> {
    const path = join(this.#dataDir, LOCK_FILE);
    try {
      const [pidText, policy] = (await this.#fs.readFile(path)).toString("utf8").split(" ");
      const pid = Number(pidText);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new WiremqError("EBUSY", `data directory ${this.#dataDir} is in use by process ${pid}`);
      }
      // A lock left behind is a run that did not stop cleanly; under sync none its confirmed
      // writes of the last moments may have died in the page cache (a power cut).
      this.#uncleanNone = policy === "none" || (policy === undefined && this.#opts.sync.mode === "none");
    } catch (err) {
      if ((err as { code?: string }).code !== "ENOENT") throw err;
    }
    await writeDurably(this.#fs, path, `${process.pid} ${formatSyncPolicy(this.#opts.sync)}`);
    this.#locked = true;
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns under /proc (it retries
 * the parent forever), and this way a refusal names the directory and keeps its code
 * (EROFS, EACCES), not a later ENOENT.
 */
async function makeDirectories(fs: StoreFileSystem, path: string, parentMade = false): Promise<void> {
  const parent = dirname(path);
  try {
    await fs.mkdir(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "EEXIST") return;
    if (code === "ENOENT" && !parentMade && parent !== path) {
      await makeDirectories(fs, parent);
      return makeDirectories(fs, path, true);
    }
    throw zmqError(systemCode(err), `cannot create the directory ${path}: ${(err as Error).message}`);
  }
  // A new directory's entry is durable only once its parent is synced.
  await syncDir(fs, parent);
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
