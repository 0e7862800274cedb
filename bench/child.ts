// Parent side of a worker process: fork dist/bench/worker.js, hand it a role, exchange steps,
// collect its result, and kill it when the measurement is over or has run out of time.
import { fork, type ChildProcess } from "node:child_process";
import type { LibName } from "./lib-loader.js";
import type { ChildMessage, ParentMessage } from "./protocol.js";
import { StepInbox } from "./steps.js";

const WORKER_PATH = new URL("./worker.js", import.meta.url);
const STDERR_TAIL = 2000;

export class WorkerFailure extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface SpawnOptions {
  /** Node flags for the worker, e.g. ["--expose-gc"] for roles that measure RSS. */
  execArgv?: string[];
  /** Added to the worker's environment (e.g. WIREMQ_CURVE_CIPHER=wasm). */
  env?: Record<string, string>;
}

export class WorkerHandle {
  readonly exited: Promise<void>;
  readonly #lib: LibName;
  #role: string | undefined;
  #child: ChildProcess;
  #inbox = new StepInbox();
  #result: Promise<unknown>;
  #stderr = "";
  #progress: unknown = undefined;

  /**
   * Forks the worker and has it load `lib` right away; `start` gives it its role. Forking the
   * second process of a measurement while the first one binds saves a process start-up.
   */
  constructor(lib: LibName, options: SpawnOptions = {}) {
    this.#lib = lib;
    this.#child = fork(WORKER_PATH, [], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
      execArgv: [...process.execArgv, ...(options.execArgv ?? [])],
      env: options.env === undefined ? process.env : { ...process.env, ...options.env },
    });
    this.#child.stdout?.resume();
    this.#child.stderr?.setEncoding("utf8");
    this.#child.stderr?.on("data", (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL);
    });

    let settle!: { resolve: (v: unknown) => void; reject: (e: Error) => void };
    this.#result = new Promise((resolve, reject) => (settle = { resolve, reject }));
    this.#result.catch(() => undefined); // observed through result(); avoid unhandled rejection

    this.#child.on("message", (msg: ChildMessage) => {
      if (msg.type === "step" && msg.step === "progress") this.#progress = msg.data;
      else if (msg.type === "step") this.#inbox.deliver(msg.step, msg.data);
      else if (msg.type === "result") settle.resolve(msg.value);
      else {
        const err = new WorkerFailure(`${this.role}: ${msg.message}`, msg.code);
        settle.reject(err);
        this.#inbox.fail(err);
      }
    });
    this.exited = new Promise((resolve) => {
      this.#child.once("exit", (code, signal) => {
        const tail = this.#stderr.trim();
        const err = new WorkerFailure(
          `${this.role} worker exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ""}`,
          signal === "SIGKILL" ? "EKILLED" : "EEXIT",
        );
        settle.reject(err); // no effect if a result already arrived
        this.#inbox.fail(err);
        resolve();
      });
    });
    this.#child.once("error", (err) => {
      const failure = new WorkerFailure(`${this.role} worker: ${err.message}`, "ESPAWN");
      settle.reject(failure);
      this.#inbox.fail(failure);
    });
    this.#send({ type: "preload", lib });
  }

  /** Gives the worker its role; once only. */
  start(role: string, args: unknown): this {
    if (this.#role !== undefined) throw new Error(`worker already plays ${this.#role}`);
    this.#role = role;
    this.#send({ type: "job", role, lib: this.#lib, args });
    return this;
  }

  get role(): string {
    return this.#role ?? `${this.#lib} worker (no role yet)`;
  }

  get started(): boolean {
    return this.#role !== undefined;
  }

  post(step: string, data?: unknown): void {
    this.#send({ type: "step", step, data });
  }

  wait<T = unknown>(step: string): Promise<T> {
    return this.#inbox.wait(step) as Promise<T>;
  }

  result<T = unknown>(): Promise<T> {
    return this.#result as Promise<T>;
  }

  /** Asks the worker for its progress; the answer shows up in `progress` shortly after. */
  probe(): void {
    this.post("probe");
  }

  /** The worker's last progress answer; undefined if its role reports none (yet). */
  get progress(): unknown {
    return this.#progress;
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  kill(): void {
    if (this.alive) this.#child.kill("SIGKILL");
  }

  #send(msg: ParentMessage): void {
    if (this.#child.connected) this.#child.send(msg);
  }
}

/** The workers of one measurement; `dispose` makes sure none outlives it. */
export class WorkerGroup {
  #workers: WorkerHandle[] = [];

  spawn(role: string, lib: LibName, args: unknown, options?: SpawnOptions): WorkerHandle {
    return this.prepare(lib, options).start(role, args);
  }

  /** A worker forked and loading `lib` now, to be given its role later with `start`. */
  prepare(lib: LibName, options?: SpawnOptions): WorkerHandle {
    const worker = new WorkerHandle(lib, options);
    this.#workers.push(worker);
    return worker;
  }

  /** Waits briefly for workers to exit on their own, then kills the rest. */
  async dispose(graceMs = 2000): Promise<void> {
    for (const w of this.#workers) if (!w.started) w.kill(); // prepared, never used: nothing to wait for
    const all = Promise.all(this.#workers.map((w) => w.exited));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([all, grace]);
    clearTimeout(timer);
    for (const w of this.#workers) w.kill();
    await all;
  }

  /** Last progress of every worker that reports any, e.g. "pull-receive: 1200/24000 received". */
  progress(): string {
    return this.#workers
      .filter((w) => w.progress !== undefined)
      .map((w) => `${w.role}: ${typeof w.progress === "string" ? w.progress : JSON.stringify(w.progress)}`)
      .join("; ");
  }

  probeAll(): void {
    for (const w of this.#workers) if (w.alive) w.probe();
  }

  killAll(): void {
    for (const w of this.#workers) w.kill();
  }
}
