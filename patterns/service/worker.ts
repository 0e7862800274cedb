import { Dealer } from "../../lib/index.js";
import type { DecodeError } from "../codec/codec.js";
import { drainTimedOut, drainTimeout, finishWithin, type CloseOptions } from "../internal/drain.js";
import { SerialSender } from "../internal/serial-sender.js";
import { dispatch, type DispatchHooks } from "../rpc/dispatch.js";
import { capacityFrame, header, Kind, parseHeader } from "../rpc/protocol.js";
import type { DealerOptions } from "../rpc/server-link.js";
import type { Handlers, ServiceSpec } from "../rpc/service.js";
import { outOfRange } from "../../lib/public-errors.js";

/** ms a drained worker's socket may take to deliver its last answers once it closes. */
const DRAIN_LINGER = 5000;

/**
 * Options of a {@link ServiceWorker}: how many jobs at once, heartbeats (matching the broker's),
 * the DEALER's options and error hooks.
 */
export interface ServiceWorkerOptions {
  /** Jobs handled at once; announced to the broker in READY (default 1, as in the zguide). */
  capacity?: number;
  /** Must match the broker's (default 1000 ms). */
  heartbeatInterval?: number;
  /** Intervals of silence after which the broker is presumed dead and the worker reconnects (default 3). */
  heartbeatLiveness?: number;
  socket?: DealerOptions;
  /** Told of each job that could not be decoded. */
  onDecodeError?: (error: DecodeError) => void;
  /** Told of each handler failure, with the whole error. */
  onHandlerError?: (error: unknown, method: string) => void;
}

/** What a {@link ServiceWorker} has done since it started; `inFlight` is the jobs running now. */
export interface ServiceWorkerStats {
  /** Jobs answered. */
  jobs: number;
  /** Fresh sockets opened after the broker went silent. */
  reconnects: number;
  decodeErrors: number;
  handlerErrors: number;
  inFlight: number;
}

/**
 * A worker behind a LoadBalancingBroker: connects to its back end, announces READY, runs the
 * handlers for the jobs it is given, and exchanges heartbeats. When the broker is silent for
 * `heartbeatLiveness` intervals the worker takes a fresh socket and announces itself again
 * (the Paranoid Pirate worker); answers to jobs taken on the old socket are dropped, as the
 * broker has given those jobs to others.
 */
export class ServiceWorker<S extends ServiceSpec> implements AsyncDisposable {
  readonly #service: S;
  readonly #handlers: Handlers<S>;
  readonly #broker: string;
  readonly #capacity: number;
  readonly #interval: number;
  readonly #liveness: number;
  readonly #socketOptions: DealerOptions;
  readonly #hooks: DispatchHooks;
  readonly #stats = { jobs: 0, reconnects: 0, decodeErrors: 0, handlerErrors: 0 };
  readonly #heartbeat: NodeJS.Timeout;
  readonly #closing = new Set<Promise<void>>();
  #socket: Dealer;
  #sender: SerialSender;
  #brokerExpiresAt = 0;
  #inFlight = 0;
  #closed = false;
  /** Set while draining: resolved when the broker confirms it sends this worker no more jobs. */
  #released: (() => void) | null = null;
  /** Wakes a drain waiting for the last running job. */
  #idle: (() => void) | null = null;

  constructor(service: S, handlers: Handlers<S>, broker: string, options: ServiceWorkerOptions = {}) {
    this.#service = service;
    this.#handlers = handlers;
    this.#broker = broker;
    this.#capacity = options.capacity ?? 1;
    this.#interval = options.heartbeatInterval ?? 1000;
    this.#liveness = options.heartbeatLiveness ?? 3;
    if (!Number.isInteger(this.#capacity) || this.#capacity < 1 || !(this.#interval > 0) || !(this.#liveness > 0)) {
      throw outOfRange("capacity", "must be an integer ≥ 1; heartbeat options positive");
    }
    this.#socketOptions = options.socket ?? {};
    this.#hooks = {
      onDecodeError: (err) => {
        this.#stats.decodeErrors++;
        options.onDecodeError?.(err);
      },
      onHandlerError: (err, method) => {
        this.#stats.handlerErrors++;
        options.onHandlerError?.(err, method);
      },
    };
    [this.#socket, this.#sender] = this.#open();
    this.#heartbeat = setInterval(() => this.#beat(), this.#interval);
  }

  get stats(): ServiceWorkerStats {
    return { ...this.#stats, inFlight: this.#inFlight };
  }

  /**
   * Without `drain`: stops at once; jobs still running are not answered (the broker gives them
   * to other workers once this one misses its heartbeats). With `{ drain: true }`: tells the
   * broker to send no more jobs, runs and answers every job it was given (those on the way
   * included: the broker's confirmation comes after them), then closes. `timeout` bounds the
   * wait; then it closes anyway and rejects with ETIMEDOUT.
   */
  close(options?: CloseOptions): Promise<void> {
    const timeout = drainTimeout(options);
    if (options?.drain === true && !this.#closed && this.#released === null) return this.#drain(timeout);
    return this.#stop();
  }

  async #drain(timeout: number): Promise<void> {
    const released = new Promise<void>((resolve) => (this.#released = resolve));
    this.#sender.send([header(Kind.Disconnect, 0)]).catch(() => {});
    const finished = await finishWithin(
      released.then(() => this.#whenIdle()),
      timeout,
    );
    // The answers just sent must reach the broker before the socket goes.
    if (finished) this.#socket.linger = DRAIN_LINGER;
    await this.#stop();
    if (!finished) throw drainTimedOut("service worker", timeout);
  }

  #whenIdle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#idle = resolve));
  }

  async #stop(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      clearInterval(this.#heartbeat);
      this.#retire(this.#socket);
    }
    await Promise.all(this.#closing);
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #open(): [Dealer, SerialSender] {
    // linger 0: a socket given up on holds nothing worth delivering.
    const socket = new Dealer({ ...this.#socketOptions, linger: 0 });
    const sender = new SerialSender(socket);
    socket.connect(this.#broker);
    this.#brokerExpiresAt = performance.now() + this.#interval * this.#liveness;
    sender.send([header(Kind.Ready, 0), capacityFrame(this.#capacity)]).catch(() => {});
    void this.#receive(socket, sender);
    return [socket, sender];
  }

  #retire(socket: Dealer): void {
    const closing = socket.close();
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
  }

  async #receive(socket: Dealer, sender: SerialSender): Promise<void> {
    while (!socket.closed) {
      let message: Buffer[];
      try {
        message = await socket.receive();
      } catch {
        return; // closed (retired or the worker closed)
      }
      const head = parseHeader(message[0]);
      if (head === null) continue;
      this.#brokerExpiresAt = performance.now() + this.#interval * this.#liveness;
      if (head.kind === Kind.Request) this.#run(socket, sender, head.id, message);
      else if (head.kind === Kind.Disconnect) this.#disconnected(sender);
    }
  }

  /** From the broker: "announce yourself again", or, while draining, "no more jobs for you". */
  #disconnected(sender: SerialSender): void {
    if (this.#released !== null) {
      this.#released();
      return;
    }
    sender.send([header(Kind.Ready, 0), capacityFrame(this.#capacity)]).catch(() => {});
  }

  #run(socket: Dealer, sender: SerialSender, jobId: number, message: Buffer[]): void {
    this.#inFlight++;
    void dispatch(this.#service, this.#handlers, message.slice(1), message, this.#hooks).then((answer) => {
      this.#inFlight--;
      // Taken on a socket since given up: the broker has already handed the job to another worker.
      if (!socket.closed) {
        this.#stats.jobs++;
        sender.send([header(answer.kind, jobId), ...answer.frames]).catch(() => {});
      }
      if (this.#inFlight === 0) this.#idle?.();
    });
  }

  #beat(): void {
    // A draining worker does not reconnect: a new socket would announce itself and take jobs.
    if (performance.now() > this.#brokerExpiresAt && this.#released === null) {
      this.#stats.reconnects++;
      this.#retire(this.#socket);
      [this.#socket, this.#sender] = this.#open();
      return;
    }
    this.#sender.send([header(Kind.Heartbeat, 0)]).catch(() => {});
  }
}
