import { Router } from "../../lib/index.js";
import type { DecodeError } from "../codec/codec.js";
import { drainTimedOut, drainTimeout, finishWithin } from "../internal/drain.js";
import { SerialSender } from "../internal/serial-sender.js";
import { CallMemory, type ReplyTo } from "./call-memory.js";
import { deadlineTimer, failure, runCall, type Answer } from "./dispatch.js";
import { RpcError } from "./errors.js";
import { header, Kind, parseCallFrame, parseHeader, REQUEST_V1 } from "./protocol.js";
import type { Handlers, ServiceSpec } from "./service.js";
import { invalidArgument, outOfRange } from "../../lib/public-errors.js";

type RouterOptions = NonNullable<ConstructorParameters<typeof Router>[0]>;

/**
 * Options of an {@link RpcServer}: the ROUTER socket's options, plus concurrency, error hooks and
 * how long answers are kept so a retried call is not run twice.
 */
export type RpcServerOptions = RouterOptions & {
  /** Requests handled at once (default 256); past it the server stops reading, so TCP pushes back. */
  concurrency?: number;
  /** Told of each request that could not be decoded (it is answered with EDECODE). */
  onDecodeError?: (error: DecodeError) => void;
  /** Told of each handler failure, with the whole error (the client gets only its code). */
  onHandlerError?: (error: unknown, method: string) => void;
  /**
   * Send the message of any error a handler throws to the client (default false: only an
   * RpcError's message crosses the wire, as error text may hold secrets).
   */
  exposeErrors?: boolean;
  /** How long a call's answer is kept for its retries, in ms (default 60,000; 0: not kept). */
  dedupWindow?: number;
  /** The most answers kept for retries (default 100,000); the oldest go first. */
  dedupCapacity?: number;
};

/** Options of `RpcServer.close` (exported as `RpcServerCloseOptions`): close at once, or drain first. */
export interface CloseOptions {
  /** Stop taking calls, finish the running ones and answer them, then close (default false). */
  drain?: boolean;
  /**
   * The most a drain waits for running calls, in ms (default: no limit, as every drain in
   * wiremq/patterns; a call's own deadline still ends it); then their signals fire, the server
   * closes, and close() rejects with ETIMEDOUT.
   */
  timeout?: number;
}

/** What an {@link RpcServer} has done since it started; `inFlight` is the calls running now. */
export interface RpcServerStats {
  /** Requests answered, successfully or not. */
  calls: number;
  /** Requests whose handler threw. */
  handlerErrors: number;
  /** Requests that could not be decoded. */
  decodeErrors: number;
  /** Messages dropped because they were not requests of this protocol. */
  badMessages: number;
  /** Retries of a call answered without running its handler again. */
  duplicates: number;
  /** Calls refused (ESHUTDOWN, not run) because the server was draining. */
  refused: number;
  inFlight: number;
}

/** Client routing ids remembered to tell them of a drain; the oldest are forgotten first. */
const MAX_CLIENTS = 10_000;

/**
 * An RPC server over ROUTER: each request is handled as it arrives, many at once, and its
 * answer goes back to the client that sent it with the request's correlation id, so one client
 * connection carries many concurrent calls. A retry of a call (same call id) does not run the
 * handler again: it waits for the running call or gets its remembered answer. Each handler gets
 * a signal that fires when the caller cancels or its deadline passes. See protocol.ts for the
 * wire format.
 */
export class RpcServer<S extends ServiceSpec> implements AsyncDisposable {
  /** The ROUTER socket, for options and monitor events. */
  readonly socket: Router;
  readonly #service: S;
  readonly #handlers: Handlers<S>;
  readonly #sender: SerialSender;
  readonly #concurrency: number;
  readonly #hooks: { onDecodeError: (e: DecodeError) => void; onHandlerError: (e: unknown, m: string) => void; exposeErrors: boolean };
  readonly #memory: CallMemory;
  readonly #clients = new Map<string, Buffer>();
  readonly #serving: Promise<void>;
  readonly #stats = { calls: 0, handlerErrors: 0, decodeErrors: 0, badMessages: 0, duplicates: 0, refused: 0 };
  #inFlight = 0;
  #slotFreed: (() => void) | null = null;
  #idle: (() => void) | null = null;
  #lastSend: Promise<void> = Promise.resolve();
  #draining = false;
  #closing: Promise<void> | null = null;

  constructor(service: S, handlers: Handlers<S>, options?: RpcServerOptions) {
    const { concurrency = 256, onDecodeError, onHandlerError, exposeErrors = false, dedupWindow = 60_000, dedupCapacity = 100_000, ...socketOptions } = options ?? {};
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw outOfRange("concurrency", "must be an integer of at least 1");
    }
    if (!(dedupWindow >= 0) || !Number.isInteger(dedupCapacity) || dedupCapacity < 0) {
      throw outOfRange("dedupWindow and dedupCapacity", "must be non-negative");
    }
    for (const method of Object.keys(service)) {
      if (typeof (handlers as Record<string, unknown>)[method] !== "function") {
        throw invalidArgument(`method ${method}`, "has no handler");
      }
    }
    this.#service = service;
    this.#handlers = handlers;
    this.#concurrency = concurrency;
    this.#memory = new CallMemory(dedupWindow, dedupCapacity);
    this.#hooks = {
      onDecodeError: (err) => {
        this.#stats.decodeErrors++;
        onDecodeError?.(err);
      },
      onHandlerError: (err, method) => {
        this.#stats.handlerErrors++;
        onHandlerError?.(err, method);
      },
      exposeErrors,
    };
    this.socket = new Router(socketOptions);
    this.#sender = new SerialSender(this.socket);
    this.#serving = this.#serve();
    // A failure other than closing surfaces from close(); until then it must not go unhandled.
    this.#serving.catch(() => {});
  }

  get lastEndpoint(): string | null {
    return this.socket.lastEndpoint;
  }

  get stats(): RpcServerStats {
    return { ...this.#stats, inFlight: this.#inFlight };
  }

  /** Binds the ROUTER socket; clients connect to it. */
  bind(address: string): Promise<void> {
    return this.socket.bind(address);
  }

  /** Connects the ROUTER socket to a bound peer (a broker's back end, for example). */
  connect(address: string): void {
    this.socket.connect(address);
  }

  /**
   * Without `drain`: stops at once; running handlers' signals fire (ESHUTDOWN) and their calls
   * go unanswered. With `drain`: tells its clients to send no more, refuses new calls with
   * ESHUTDOWN (they did not run, so clients send them elsewhere), lets running calls finish
   * and answers them, then closes.
   */
  close(options: CloseOptions = {}): Promise<void> {
    let timeout: number;
    try {
      timeout = drainTimeout(options);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#closing ??= this.#close(options.drain === true, timeout);
    return this.#closing;
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(drain: boolean, timeout: number): Promise<void> {
    let finished = true;
    if (drain && !this.socket.closed) {
      this.#draining = true;
      for (const client of this.#clients.values()) this.#send([client, header(Kind.Disconnect, 0)]);
      if (this.#inFlight > 0) finished = await finishWithin(new Promise<void>((resolve) => (this.#idle = resolve)), timeout);
      // Answers are queued in order: once the last is with the socket, a linger delivers them.
      await this.#lastSend;
      if (this.socket.linger >= 0 && this.socket.linger < 1000) this.socket.linger = 1000;
    }
    this.#memory.abortAll(new RpcError("ESHUTDOWN", "the server is closing"));
    await this.socket.close();
    this.#slotFreed?.();
    await this.#serving;
    if (!finished) throw drainTimedOut("rpc server", timeout);
  }

  async #serve(): Promise<void> {
    while (!this.socket.closed) {
      if (this.#inFlight >= this.#concurrency) {
        await new Promise<void>((resolve) => (this.#slotFreed = resolve));
        this.#slotFreed = null;
        continue;
      }
      let message: Buffer[];
      try {
        message = await this.socket.receive();
      } catch (err) {
        if (this.socket.closed) return;
        throw err;
      }
      this.#request(message);
    }
  }

  #request(message: Buffer[]): void {
    const head = parseHeader(message[1]);
    const client = message[0]!;
    if (head?.kind === REQUEST_V1) {
      this.#answer({ client, id: head.id }, failure("EPROTO", "a version 1 request: this server speaks RPC protocol version 2"));
      return;
    }
    if (head?.kind === Kind.Cancel) {
      const callId = message[2]?.toString("utf8");
      if (callId !== undefined) this.#memory.cancel(callId, new RpcError("ECANCELED", "the caller gave up"));
      return;
    }
    if (head === null || head.kind !== Kind.Request) {
      this.#stats.badMessages++;
      return;
    }
    const to: ReplyTo = { client, id: head.id };
    const call = parseCallFrame(message[2]);
    if (call === null || message.length < 5) {
      // Malformed, but answered, so the caller is not left waiting.
      this.#answer(to, failure("EPROTO", "request has no CALL frame, method or body"));
      return;
    }
    this.#remember(client);
    const answered = this.#memory.answered(call.callId);
    if (answered !== null) {
      this.#stats.duplicates++;
      this.#answer(to, answered);
      return;
    }
    if (this.#memory.join(call.callId, to)) {
      this.#stats.duplicates++;
      return;
    }
    if (this.#draining) {
      this.#stats.refused++;
      this.#answer(to, failure("ESHUTDOWN", "the server is draining; the call did not run"));
      return;
    }
    this.#inFlight++;
    const controller = new AbortController();
    const timer = deadlineTimer(controller, call.timeLeft);
    this.#memory.start(call.callId, controller);
    const info = { callId: call.callId, attempt: call.attempt, deadline: Date.now() + call.timeLeft, signal: controller.signal };
    void runCall(this.#service, this.#handlers, info, message.slice(3), message, this.#hooks).then((answer) => {
      clearTimeout(timer);
      this.#inFlight--;
      this.#slotFreed?.();
      for (const waiter of [to, ...this.#memory.finish(call.callId, answer)]) this.#answer(waiter, answer);
      if (this.#inFlight === 0) this.#idle?.();
    });
  }

  #remember(client: Buffer): void {
    const key = client.toString("latin1");
    if (this.#clients.has(key)) return;
    this.#clients.set(key, client);
    if (this.#clients.size > MAX_CLIENTS) this.#clients.delete(this.#clients.keys().next().value!);
  }

  #answer(to: ReplyTo, answer: Answer): void {
    this.#stats.calls++;
    this.#send([to.client, header(answer.kind, to.id), ...answer.frames]);
  }

  #send(message: Buffer[]): void {
    if (this.socket.closed) return;
    // A ROUTER drops what it cannot route (the client is gone); nothing to wait for.
    this.#lastSend = this.#sender.send(message).catch(() => {});
  }
}
