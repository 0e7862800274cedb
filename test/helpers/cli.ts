/**
 * Runs the built command line (`node dist/bin/wiremq.js`) in child processes for the CLI
 * tests. The suite's `npm test` builds first; for a lone run, build with `npx tsc -p tsconfig.json`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

export const WIREMQ = fileURLToPath(new URL("../../dist/bin/wiremq.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running command: its output so far, and a way to wait for a line of it. */
export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = "";
  stderr = "";
  readonly #exited: Promise<CliResult>;

  constructor(args: readonly string[], options: { input?: string; prefix?: readonly string[] } = {}) {
    const [command, ...head] = options.prefix ?? [];
    this.child = spawn(command ?? process.execPath, command === undefined ? [WIREMQ, ...args] : [...head, process.execPath, WIREMQ, ...args]);
    this.child.stdout.setEncoding("utf8").on("data", (d: string) => (this.stdout += d));
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => (this.stderr += d));
    if (options.input !== undefined) this.child.stdin.end(options.input);
    this.#exited = once(this.child, "close").then(([code]) => ({ code: code as number | null, stdout: this.stdout, stderr: this.stderr }));
  }

  /** Resolves with the first match of `pattern` in stdout or stderr; rejects if the process exits first. */
  waitFor(pattern: RegExp, stream: "stdout" | "stderr" = "stderr"): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = pattern.exec(this[stream]);
        if (m === null) return false;
        this.child[stream].off("data", onData);
        this.child.off("close", onClose);
        resolve(m);
        return true;
      };
      const onData = (): void => void check();
      const onClose = (): void => {
        if (!check()) reject(new Error(`exited before ${pattern} appeared; stderr: ${this.stderr}`));
      };
      if (check()) return;
      this.child[stream].on("data", onData);
      this.child.on("close", onClose);
    });
  }

  /** The endpoint printed as `<prefix>bound <endpoint>`. */
  async bound(prefix = ""): Promise<string> {
    return (await this.waitFor(new RegExp(`^${prefix}bound (\\S+)$`, "m")))[1]!;
  }

  exited(): Promise<CliResult> {
    return this.#exited;
  }

  stop(signal: NodeJS.Signals = "SIGTERM"): Promise<CliResult> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.#exited;
  }
}

/** Runs a command to its end. */
export function runCli(args: readonly string[], input?: string): Promise<CliResult> {
  return new CliProcess(args, input === undefined ? {} : { input }).exited();
}

/**
 * For a test file: `cli` starts a command and `track` records a socket; after each test the
 * commands are killed and the sockets closed. Call once at the top of the file.
 */
export function cliTracker(): {
  cli(args: readonly string[], input?: string): CliProcess;
  track<T extends { close(): unknown }>(s: T): T;
} {
  const children: CliProcess[] = [];
  const sockets: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop("SIGKILL")));
    for (const s of sockets.splice(0)) await s.close();
  });
  return {
    cli(args, input) {
      const p = new CliProcess(args, input === undefined ? {} : { input });
      children.push(p);
      return p;
    },
    track(s) {
      sockets.push(s);
      return s;
    },
  };
}
