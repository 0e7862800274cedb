/**
 * An in-memory file system for the broker's store that knows what a power cut keeps: a file's
 * bytes only as of its last fdatasync, a directory's entries (a new file, a rename, an unlink,
 * a mkdir) only as of the last fsync of that directory. `cut()` gives the disk after a power
 * cut at that instant: the synced state, plus (optionally) a torn tail of each file's unsynced
 * appends: a prefix of them, its last bytes garbage. Writes can be made to fail (ENOSPC, EIO).
 */
import { basename, dirname, posix } from "node:path";
import type { DirEntry, StoreFile, StoreFileSystem } from "../../lib/broker/server/store/file-system.js";
import { int, randomBytes, type Rng } from "./random.js";

interface FileNode {
  kind: "file";
  data: Buffer;
  synced: Buffer;
}
interface DirNode {
  kind: "dir";
  entries: Map<string, Node>;
  synced: Map<string, Node>;
}
type Node = FileNode | DirNode;

function fsError(code: string, op: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${op} '${path}'`), { code });
}

export interface CutOptions {
  /** Keep a seeded prefix of each file's unsynced appends, its last bytes garbage. */
  tornTails?: Rng;
}

export class PowerCutFs implements StoreFileSystem {
  readonly root: DirNode;
  /** File operations so far (each open, write, sync, rename, …): a cut point is a count. */
  ops = 0;
  /** Called before each operation with its count: a test takes its cut there. */
  onOp: ((n: number) => void) | null = null;
  /** Makes an operation fail with the code returned (null: it succeeds). */
  failWith: ((op: string, path: string) => string | null) | null = null;

  constructor(root?: DirNode) {
    this.root = root ?? { kind: "dir", entries: new Map(), synced: new Map() };
  }

  #step(op: string, path: string): void {
    // Counted apart from the call: `onOp?.(++ops)` would skip the count with no hook.
    const n = ++this.ops;
    this.onOp?.(n);
    const code = this.failWith?.(op, path) ?? null;
    if (code !== null) throw fsError(code, op, path);
  }

  #lookup(path: string): Node | undefined {
    let node: Node = this.root;
    for (const part of posix.normalize(path).split("/").filter((p) => p !== "")) {
      if (node.kind !== "dir") return undefined;
      const next = node.entries.get(part);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  #parent(path: string, op: string): DirNode {
    const p = this.#lookup(dirname(path));
    if (p === undefined) throw fsError("ENOENT", op, path);
    if (p.kind !== "dir") throw fsError("ENOTDIR", op, path);
    return p;
  }

  async open(path: string, flags: string): Promise<StoreFile> {
    this.#step("open", path);
    let node = this.#lookup(path);
    if (flags === "wx" && node !== undefined) throw fsError("EEXIST", "open", path);
    if (node === undefined) {
      if (flags === "r" || flags === "r+") throw fsError("ENOENT", "open", path);
      node = { kind: "file", data: Buffer.alloc(0), synced: Buffer.alloc(0) };
      this.#parent(path, "open").entries.set(basename(path), node);
    } else if (flags === "w" && node.kind === "file") {
      node.data = Buffer.alloc(0);
    }
    return this.#handle(node, path);
  }

  #handle(node: Node, path: string): StoreFile {
    const fs = this;
    const file = (): FileNode => {
      if (node.kind !== "file") throw fsError("EISDIR", "write", path);
      return node;
    };
    const sync = async (): Promise<void> => {
      fs.#step("sync", path);
      if (node.kind === "file") node.synced = Buffer.from(node.data);
      else node.synced = new Map(node.entries);
    };
    return {
      async writev(buffers, position) {
        fs.#step("write", path);
        const f = file();
        const add = Buffer.concat(buffers);
        const end = position + add.length;
        const data = Buffer.alloc(Math.max(f.data.length, end));
        f.data.copy(data);
        add.copy(data, position);
        f.data = data;
        return { bytesWritten: add.length };
      },
      async writeFile(d) {
        fs.#step("write", path);
        file().data = Buffer.from(d);
      },
      async truncate(length) {
        fs.#step("truncate", path);
        const f = file();
        const data = Buffer.alloc(length);
        f.data.copy(data, 0, 0, Math.min(length, f.data.length));
        f.data = data;
      },
      datasync: sync,
      sync,
      async close() {},
    };
  }

  async readFile(path: string): Promise<Buffer> {
    this.#step("read", path);
    const node = this.#lookup(path);
    if (node === undefined) throw fsError("ENOENT", "open", path);
    if (node.kind !== "file") throw fsError("EISDIR", "read", path);
    return Buffer.from(node.data);
  }

  async readdir(path: string): Promise<string[]> {
    return (await this.readdirTypes(path)).map((e) => e.name);
  }

  async readdirTypes(path: string): Promise<DirEntry[]> {
    this.#step("readdir", path);
    const node = this.#lookup(path);
    if (node === undefined) throw fsError("ENOENT", "scandir", path);
    if (node.kind !== "dir") throw fsError("ENOTDIR", "scandir", path);
    return [...node.entries].map(([name, n]) => ({ name, isDirectory: () => n.kind === "dir" }));
  }

  async mkdir(path: string): Promise<void> {
    this.#step("mkdir", path);
    if (this.#lookup(path) !== undefined) throw fsError("EEXIST", "mkdir", path);
    this.#parent(path, "mkdir").entries.set(basename(path), { kind: "dir", entries: new Map(), synced: new Map() });
  }

  async rename(from: string, to: string): Promise<void> {
    this.#step("rename", from);
    const node = this.#lookup(from);
    if (node === undefined) throw fsError("ENOENT", "rename", from);
    this.#parent(to, "rename").entries.set(basename(to), node);
    this.#parent(from, "rename").entries.delete(basename(from));
  }

  async unlink(path: string): Promise<void> {
    this.#step("unlink", path);
    if (this.#lookup(path) === undefined) throw fsError("ENOENT", "unlink", path);
    this.#parent(path, "unlink").entries.delete(basename(path));
  }

  async rmTree(path: string): Promise<void> {
    this.#step("rm", path);
    if (this.#lookup(path) === undefined) return;
    this.#parent(path, "rm").entries.delete(basename(path));
  }

  /** Makes `path` and its parents, all synced: the directory the test starts from. */
  makeSyncedDir(path: string): void {
    let node: DirNode = this.root;
    for (const part of posix.normalize(path).split("/").filter((p) => p !== "")) {
      let next = node.entries.get(part);
      if (next === undefined) {
        next = { kind: "dir", entries: new Map(), synced: new Map() };
        node.entries.set(part, next);
        node.synced.set(part, next);
      }
      if (next.kind !== "dir") throw fsError("ENOTDIR", "mkdir", path);
      node = next;
    }
  }

  /** The disk after a power cut now: what was synced, and torn tails if asked. */
  cut(opts: CutOptions = {}): PowerCutFs {
    const copies = new Map<Node, Node>();
    const copy = (n: Node): Node => {
      const known = copies.get(n);
      if (known !== undefined) return known;
      if (n.kind === "file") {
        let data = Buffer.from(n.synced);
        const r = opts.tornTails;
        const appended = n.data.length > n.synced.length && n.data.subarray(0, n.synced.length).equals(n.synced);
        if (r !== undefined && appended && r() < 0.5) {
          const extra = n.data.subarray(n.synced.length, n.synced.length + int(r, n.data.length - n.synced.length + 1));
          const garbage = Math.min(extra.length, int(r, 16));
          data = Buffer.concat([data, extra.subarray(0, extra.length - garbage), randomBytes(r, garbage)]);
        }
        const c: FileNode = { kind: "file", data, synced: Buffer.from(data) };
        copies.set(n, c);
        return c;
      }
      const c: DirNode = { kind: "dir", entries: new Map(), synced: new Map() };
      copies.set(n, c);
      for (const [name, child] of n.synced) {
        const cc = copy(child);
        c.entries.set(name, cc);
        c.synced.set(name, cc);
      }
      return c;
    };
    const root = copy(this.root) as DirNode;
    // The test's own starting directories were synced by makeSyncedDir; the root stays.
    return new PowerCutFs(root);
  }
}
