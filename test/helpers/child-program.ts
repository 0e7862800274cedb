/**
 * Runs a small ESM program in a child node process against one library, for what only a
 * process can show: whether and when it exits. The program's text sees the library as `zmq`
 * (zeromq itself, or wiremq's build in dist/). Its stdout lines and stderr are kept.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { LibName } from "./differential.js";

const WIREMQ_BUILD = fileURLToPath(new URL("../../dist/lib/index.js", import.meta.url));

function libraryUrl(lib: LibName): string {
  if (lib === "zeromq") return pathToFileURL(createRequire(import.meta.url).resolve("zeromq")).href;
  if (!existsSync(WIREMQ_BUILD)) throw new Error(`${WIREMQ_BUILD} is missing: run npm run build first`);
  return pathToFileURL(WIREMQ_BUILD).href;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ms from the start of the process. */
  at: number;
}

export class ChildProgram {
  readonly lines: string[] = [];
  stderr = "";
  readonly exited: Promise<Exit>;
  readonly started = Date.now();
  private readonly child: ChildProcess;
  private readonly dir: string;
  private partial = "";
  private readonly lineWaiters: Array<() => void> = [];
  private exit: Exit | null = null;

  /** `nodeArgs` go to node itself (e.g. `--max-old-space-size=64`), `args` to the program. */
  constructor(lib: LibName, body: string, args: readonly string[] = [], nodeArgs: readonly string[] = []) {
    this.dir = mkdtempSync(join(tmpdir(), "wiremq-child-"));
    const file = join(this.dir, "program.mjs");
    writeFileSync(file, `import * as zmq from ${JSON.stringify(libraryUrl(lib))};\n${body}\n`);
    this.child = spawn(process.execPath, [...nodeArgs, file, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (this.partial + chunk).split("\n");
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.lineWaiters.splice(0)) wake();
    });
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.exit = { code, signal, at: Date.now() - this.started };
        rmSync(this.dir, { recursive: true, force: true });
        for (const wake of this.lineWaiters.splice(0)) wake();
        resolve(this.exit);
      });
    });
  }

  /** The first stdout line starting with `prefix`; fails if the program ends or `deadlineMs` passes first. */
  async line(prefix: string, deadlineMs = 10_000): Promise<string> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const found = this.lines.find((l) => l.startsWith(prefix));
      if (found !== undefined) return found;
      if (this.exit !== null) throw new Error(`exited (${this.exit.code ?? this.exit.signal}) without printing "${prefix}"; stdout ${JSON.stringify(this.lines)}, stderr ${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no "${prefix}" within ${deadlineMs} ms; stdout ${JSON.stringify(this.lines)}, stderr ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.lineWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The exit, if the program ends within `ms`; null if it is still running then. */
  async exitWithin(ms: number): Promise<Exit | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the program (SIGKILL) and waits until it is gone. */
  async kill(): Promise<Exit> {
    if (this.exit === null) this.child.kill("SIGKILL");
    return this.exited;
  }
}
