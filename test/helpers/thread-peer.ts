/**
 * A worker thread running test/fixtures/inproc-thread-peer.mjs with either library: the test
 * thread creates sockets in it and calls their methods by name, to put one end of an inproc
 * link in another thread.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { LibName } from "./differential.js";

const FIXTURE = new URL("../fixtures/inproc-thread-peer.mjs", import.meta.url);
const WIREMQ_BUILT = new URL("../../dist/lib/index.js", import.meta.url);

/** What a worker imports for each library: wiremq's build, since a worker cannot load TypeScript. */
export function workerLib(lib: LibName): string {
  if (lib === "zeromq") return "zeromq";
  if (!existsSync(fileURLToPath(WIREMQ_BUILT))) throw new Error("dist/lib/index.js is missing: run `npm run build` first");
  return WIREMQ_BUILT.href;
}

export interface RemoteError {
  code: string | undefined;
  message: string;
}

export class ThreadPeer {
  readonly worker: Worker;
  readonly exited: Promise<number>;
  private seq = 0;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private readonly ready: Promise<void>;

  constructor(lib: LibName) {
    this.worker = new Worker(FIXTURE, { workerData: { lib: workerLib(lib) } });
    this.exited = new Promise((resolve) => this.worker.once("exit", resolve));
    this.ready = new Promise((resolve, reject) => {
      this.worker.once("error", reject);
      this.worker.on("message", (m: { ready?: boolean; seq: number; value?: unknown; error?: RemoteError }) => {
        if (m.ready === true) return resolve();
        const p = this.pending.get(m.seq)!;
        this.pending.delete(m.seq);
        if (m.error !== undefined) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
        else p.resolve(m.value);
      });
    });
  }

  /** Runs `op` on the worker's socket `name` and resolves with its result (or rejects with its code). */
  async call<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    await this.ready;
    const seq = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ seq, op, ...args });
    });
  }

  /** Ends the worker with its sockets open ("return": nothing left to run; or process.exit()). */
  async exit(how: "return" | "process.exit"): Promise<number> {
    await this.ready;
    this.worker.postMessage({ seq: 0, op: "exit", how });
    return this.exited;
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }
}
