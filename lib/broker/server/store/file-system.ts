/**
 * The file operations the store makes, behind one small interface so a test can put a
 * fault-injecting layer under it (a power cut, a failing disk). Production uses Node's own
 * `fs/promises`, unchanged.
 */
import { mkdir, open, readdir, readFile, rename, rm, unlink } from "node:fs/promises";

export interface StoreFile {
  writev(buffers: Buffer[], position: number): Promise<{ bytesWritten: number }>;
  writeFile(data: string | Buffer): Promise<void>;
  truncate(length: number): Promise<void>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface DirEntry {
  name: string;
  isDirectory(): boolean;
}

export interface StoreFileSystem {
  /** Flags as Node's: "r", "r+", "w", "wx". */
  open(path: string, flags: string): Promise<StoreFile>;
  readFile(path: string): Promise<Buffer>;
  readdir(path: string): Promise<string[]>;
  readdirTypes(path: string): Promise<DirEntry[]>;
  mkdir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rmTree(path: string): Promise<void>;
}

export const nodeFileSystem: StoreFileSystem = {
  open: (path, flags) => open(path, flags),
  readFile: (path) => readFile(path),
  readdir: (path) => readdir(path),
  readdirTypes: (path) => readdir(path, { withFileTypes: true }),
  mkdir: async (path) => {
    await mkdir(path);
  },
  rename,
  unlink,
  rmTree: (path) => rm(path, { recursive: true, force: true }),
};
