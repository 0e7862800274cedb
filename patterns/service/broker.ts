import { Router } from "../../lib/index.js";
import { Deque } from "../internal/deque.js";
import { SerialSender } from "../internal/serial-sender.js";
import { errorFrame, header, Kind, parseCallFrame, parseCapacity, parseHeader } from "../rpc/protocol.js";
import { outOfRange } from "../../lib/public-errors.js";

type RouterOptions = NonNullable<ConstructorParameters<typeof Router>[0]>;

/**
 * Options of a {@link LoadBalancingBroker} (exported from wiremq/patterns as `BrokerOptions`; not
 * the durable broker's options of wiremq/broker): heartbeats, retries of idempotent jobs, the
 * queue limit, each side's ROUTER options, and a hook for workers coming and going.
 */
export interface BrokerOptions {
  /** How often the broker and its workers exchange heartbeats, in ms (default 1000). */
  heartbeatInterval?: number;
  /** Heartbeat intervals of silence after which a worker is dead (default 3). */
  heartbeatLiveness?: number;
  /**
   * Workers a job of an idempotent method is given to before it fails with EWORKERLOST
   * (default 3). A job of any other method is given to one worker only.
   */
  maxAttempts?: number;
  /** Jobs waiting for a worker; past it a request is answered EOVERLOAD at once (default 10,000). */
  maxQueued?: number;
  frontend?: RouterOptions;
  backend?: RouterOptions;
  /** Told when a worker announces itself or is dropped as dead, with the count after it. */
  onWorker?: (event: WorkerEvent) => void;
}

/** A worker that came or went, as `onWorker` of a {@link LoadBalancingBroker} is told. */
export interface WorkerEvent {
  /** Announced itself; dropped for missing heartbeats; left after draining. */
  type: "ready" | "lost" | "left";
  /** The worker's routing id on the back end. */
  id: Buffer;
  workers: number;
}

/** What a {@link LoadBalancingBroker} holds and has done; `workers`, `queued` and `assigned` are now, the rest are counts since it started. */
export interface BrokerStats {
  workers: number;
  /** Jobs waiting for a worker. */
  queued: number;
  /** Jobs a worker is handling. */
  assigned: number;
  /** Jobs of idempotent methods given to another worker after theirs died. */
  retried: number;
  /** Jobs of other methods whose worker died: answered EWORKERLOST, not run again. */
  notRetried: number;
  /** Workers dropped for missing heartbeats. */
  lostWorkers: number;
  /** Requests refused because the queue was full. */
  overloaded: number;
}

interface WorkerState {
  readonly id: Buffer;
  readonly jobs: Set<Job>;
  expiresAt: number;
  dead: boolean;
  /** Asked to leave (a draining worker): gets no new jobs, goes once its jobs are answered. */
  leaving: boolean;
}

interface Job {
  readonly id: number;
  readonly client: Buffer;
  readonly callId: number;
  /** Method name, then request frames: passed to the worker as they came. */
  readonly body: Buffer[];
  attempts: number;
  worker: WorkerState | null;
}

/**
 * The zguide load-balancing broker, with Paranoid Pirate heartbeats. Clients (RpcClient)
 * connect to `frontend`, workers (ServiceWorker) to `backend`. A worker announces READY with
 * how many jobs it takes at once; each job goes to the worker that has been ready longest, so
 * load follows free capacity, not a blind round-robin. Broker and workers exchange heartbeats;
 * a worker silent for `heartbeatLiveness` intervals is dropped and its jobs of idempotent
 * methods go, first in line, to another worker; jobs of other methods are answered EWORKERLOST,
 * as the lost worker may have run them (or still be running them, if only slow). Requests and replies pass through undecoded, so one broker serves any
 * service. The wire format is in rpc/protocol.ts.
 */
export class LoadBalancingBroker implements AsyncDisposable {
  readonly frontend: Router;
  readonly backend: Router;
  readonly #toClients: SerialSender;
  readonly #toWorkers: SerialSender;
  readonly #workers = new Map<string, WorkerState>();
  /** One entry per free job slot, longest-ready first; entries of dead workers are skipped. */
  readonly #ready = new Deque<WorkerState>();
  readonly #queue = new Deque<Job>();
  readonly #jobs = new Map<number, Job>();
  readonly #interval: number;
  readonly #liveness: number;
  readonly #maxAttempts: number;
  readonly #maxQueued: number;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #onWorker: ((event: WorkerEvent) => void) | undefined;
  readonly #loops: Promise<void>;
  readonly #stats = { retried: 0, notRetried: 0, lostWorkers: 0, overloaded: 0 };
  #nextJob = 1;

  constructor(options: BrokerOptions = {}) {
    this.#interval = positive(options.heartbeatInterval ?? 1000, "heartbeatInterval");
    this.#liveness = positive(options.heartbeatLiveness ?? 3, "heartbeatLiveness");
    this.#maxAttempts = positive(options.maxAttempts ?? 3, "maxAttempts");
    this.#maxQueued = positive(options.maxQueued ?? 10_000, "maxQueued");
    this.#onWorker = options.onWorker;
    this.frontend = new Router(options.frontend);
    this.backend = new Router(options.backend);
    this.#toClients = new SerialSender(this.frontend);
    this.#toWorkers = new SerialSender(this.backend);
    this.#heartbeat = setInterval(() => this.#beat(), this.#interval);
    this.#loops = Promise.all([this.#pump(this.frontend, (m) => this.#fromClient(m)), this.#pump(this.backend, (m) => this.#fromWorker(m))]).then(() => {});
    this.#loops.catch(() => {});
  }

  get stats(): BrokerStats {
    let assigned = 0;
    for (const w of this.#workers.values()) assigned += w.jobs.size;
    return { workers: this.#workers.size, queued: this.#queue.length, assigned, ...this.#stats };
  }

  /** Stops the heartbeats, closes both sockets and waits for the loops to end. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    await Promise.all([this.frontend.close(), this.backend.close()]);
    await this.#loops;
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #pump(socket: Router, handle: (message: Buffer[]) => void): Promise<void> {
    while (!socket.closed) {
      let message: Buffer[];
      try {
        message = await socket.receive();
      } catch (err) {
        if (socket.closed) return;
        throw err;
      }
      handle(message);
    }
  }

  // ---- clients -------------------------------------------------------------------------------

  #fromClient(message: Buffer[]): void {
    const head = parseHeader(message[1]);
    if (head === null || head.kind !== Kind.Request) return;
    const client = message[0]!;
    if (message.length < 4) {
      this.#answer(client, head.id, Kind.Error, [errorFrame("EPROTO", "request has no method or no body")]);
      return;
    }
    if (this.#queue.length >= this.#maxQueued) {
      this.#stats.overloaded++;
      this.#answer(client, head.id, Kind.Error, [errorFrame("EOVERLOAD", "broker queue is full")]);
      return;
    }
    const job: Job = { id: this.#allocateJobId(), client, callId: head.id, body: message.slice(2), attempts: 0, worker: null };
    this.#jobs.set(job.id, job);
    this.#queue.push(job);
    this.#dispatch();
  }

  #answer(client: Buffer, callId: number, kind: Kind, frames: Buffer[]): void {
    this.#toClients.send([client, header(kind, callId), ...frames]).catch(() => {});
  }

  // ---- workers -------------------------------------------------------------------------------

  #fromWorker(message: Buffer[]): void {
    const id = message[0]!;
    const head = parseHeader(message[1]);
    if (head === null) return;
    const worker = this.#workers.get(id.toString("latin1"));
    if (head.kind === Kind.Ready) {
      if (worker !== undefined) {
        worker.expiresAt = this.#expiry();
        return;
      }
      this.#register(id, parseCapacity(message[2]) ?? 1);
      return;
    }
    if (worker === undefined) {
      // Dropped as dead, but alive after all: it must announce itself again to get work.
      this.#toWorkers.send([id, header(Kind.Disconnect, 0)]).catch(() => {});
      return;
    }
    worker.expiresAt = this.#expiry();
    if (head.kind === Kind.Reply || head.kind === Kind.Error) this.#completed(worker, head.id, head.kind, message.slice(2));
    else if (head.kind === Kind.Disconnect) this.#leave(worker);
  }

  /**
   * A draining worker takes no more jobs. The confirmation goes after every job already sent
   * to it (one connection keeps order), so once the worker reads it, it knows it has them all.
   */
  #leave(worker: WorkerState): void {
    if (!worker.leaving) {
      worker.leaving = true;
      this.#ready.retain((w) => w !== worker);
    }
    this.#toWorkers.send([worker.id, header(Kind.Disconnect, 0)]).catch(() => {});
    this.#forgetIfDone(worker);
  }

  #forgetIfDone(worker: WorkerState): void {
    if (!worker.leaving || worker.jobs.size > 0) return;
    worker.dead = true;
    this.#workers.delete(worker.id.toString("latin1"));
    this.#report("left", worker.id);
  }

  #register(id: Buffer, capacity: number): void {
    const worker: WorkerState = { id, jobs: new Set(), expiresAt: this.#expiry(), dead: false, leaving: false };
    this.#workers.set(id.toString("latin1"), worker);
    for (let i = 0; i < capacity; i++) this.#ready.push(worker);
    this.#report("ready", id);
    this.#dispatch();
  }

  #report(type: WorkerEvent["type"], id: Buffer): void {
    try {
      this.#onWorker?.({ type, id, workers: this.#workers.size });
    } catch {
      // The application's callback failing must not stop the broker.
    }
  }

  #completed(worker: WorkerState, jobId: number, kind: Kind, frames: Buffer[]): void {
    const job = this.#jobs.get(jobId);
    // Not this worker's job (any more): it was given to another after this one was presumed dead.
    if (job === undefined || job.worker !== worker) return;
    this.#jobs.delete(jobId);
    worker.jobs.delete(job);
    this.#answer(job.client, job.callId, kind, frames);
    if (worker.leaving) this.#forgetIfDone(worker);
    else this.#ready.push(worker);
    this.#dispatch();
  }

  /** Gives waiting jobs to free workers, longest-ready first. */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      const worker = this.#ready.shift();
      if (worker === undefined) return;
      if (worker.dead) continue;
      const job = this.#queue.shift()!;
      job.attempts++;
      job.worker = worker;
      worker.jobs.add(job);
      this.#toWorkers.send([worker.id, header(Kind.Request, job.id), ...job.body]).catch(() => {});
    }
  }

  /** Heartbeats out; workers silent too long are dropped and their jobs given to others. */
  #beat(): void {
    const now = performance.now();
    for (const [key, worker] of this.#workers) {
      if (worker.expiresAt > now) {
        this.#toWorkers.send([worker.id, header(Kind.Heartbeat, 0)]).catch(() => {});
        continue;
      }
      this.#workers.delete(key);
      worker.dead = true;
      this.#stats.lostWorkers++;
      this.#report("lost", worker.id);
      // Retried jobs go first: they have waited longest.
      for (const job of [...worker.jobs].reverse()) this.#retry(job);
    }
    this.#ready.retain((w) => !w.dead);
    this.#dispatch();
  }

  #retry(job: Job): void {
    job.worker = null;
    // The lost worker may have run the job, or still be running it (slow, not dead): only a
    // method its service marks idempotent may run again. Any other is answered, never re-run.
    if (parseCallFrame(job.body[0])?.idempotent !== true) {
      this.#jobs.delete(job.id);
      this.#stats.notRetried++;
      this.#answer(job.client, job.callId, Kind.Error, [
        errorFrame("EWORKERLOST", "the worker running this call was lost; it may have run, and is not run again (its method is not idempotent)"),
      ]);
      return;
    }
    if (job.attempts >= this.#maxAttempts) {
      this.#jobs.delete(job.id);
      this.#answer(job.client, job.callId, Kind.Error, [errorFrame("EWORKERLOST", `workers died on this job ${job.attempts} times`)]);
      return;
    }
    this.#stats.retried++;
    this.#queue.unshift(job);
  }

  #expiry(): number {
    return performance.now() + this.#interval * this.#liveness;
  }

  #allocateJobId(): number {
    for (;;) {
      const id = this.#nextJob;
      this.#nextJob = (this.#nextJob + 1) >>> 0 || 1;
      if (!this.#jobs.has(id)) return id;
    }
  }
}

function positive(value: number, name: string): number {
  if (!(value > 0)) throw outOfRange(name, "must be positive");
  return value;
}
