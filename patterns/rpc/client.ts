import { randomBytes } from "node:crypto";
import { decodeFrames, DecodeError, encodeValue, type Codec } from "../codec/codec.js";
import { abortReason } from "../internal/closed.js";
import { RemoteError, RpcError } from "./errors.js";
import { retryOptions, type RetryOptions } from "./limits.js";
import { callFrame, header, Kind, parseErrorFrame, parseHeader } from "./protocol.js";
import { ServerLink, type DealerOptions, type LinkHost } from "./server-link.js";
import type { MethodName, ReplyOf, RequestOf, ServiceSpec } from "./service.js";
import { invalidArgument } from "../../lib/public-errors.js";

export type { RetryOptions } from "./limits.js";

/**
 * Options of an {@link RpcClient}; `servers` is required, and the retry limits given here are
 * the defaults of every call.
 */
export interface RpcClientOptions extends RetryOptions {
  /** Server endpoints (or broker front ends); each gets a DEALER of its own. */
  servers: string | readonly string[];
  /** Calls in flight at once (default 10,000); past it `call` fails at once with EAGAIN. */
  maxInFlight?: number;
  /** Options for each DEALER, e.g. ZMTP heartbeats to notice a silent server sooner. */
  socket?: DealerOptions;
  /** Told of each reply that could not be decoded (its call fails with that DecodeError). */
  onDecodeError?: (error: DecodeError) => void;
}

/** Options of one call: its retry limits (over the client's) and an abort signal. */
export interface CallOptions extends RetryOptions {
  signal?: AbortSignal;
}

/** What an {@link RpcClient} has done since it started; `inFlight` is the calls waiting now. */
export interface RpcClientStats {
  calls: number;
  /** Attempts that got no reply in time. */
  timeouts: number;
  /** Attempts of idempotent calls made again after a timeout. */
  retries: number;
  /** Calls sent again because their request provably never ran (unsent, or refused while
   * draining), or, for idempotent methods, because their server's connection was lost. */
  failovers: number;
  /** Calls of methods not marked idempotent failed with ECONNRESET: their server's connection
   * was lost after the request may have reached it. */
  resets: number;
  /** Replies to calls already answered, timed out or abandoned. */
  lateReplies: number;
  decodeErrors: number;
  inFlight: number;
}

interface PendingCall {
  readonly id: number;
  readonly method: string;
  readonly callId: Buffer;
  readonly idempotent: boolean;
  /** The method frame and request frames, as sent on every attempt. */
  readonly body: readonly Buffer[];
  readonly reply: Codec<unknown>;
  readonly deadline: number;
  readonly attemptTimeout: number;
  /** Timeouts that may still be retried (idempotent methods only). */
  attemptsLeft: number;
  /** Sends so far: the attempt number the latest carried. */
  attempt: number;
  link: ServerLink<PendingCall> | null;
  /** Whether the latest send may have reached its server: see #mayHaveReached. */
  sentUp: boolean;
  handshakesAtSend: number;
  sendFailed: boolean;
  /** Servers that got an attempt: told when the caller gives up. */
  readonly tried: Set<ServerLink<PendingCall>>;
  timer: NodeJS.Timeout | null;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  unwatch: (() => void) | null;
}

/**
 * A typed RPC client: `await client.call("method", request, { timeout, signal })`. Calls
 * carry correlation ids, so any number are in flight at once over one connection per server.
 * Each carries a call id, its attempt number and the time left to its deadline to the server.
 *
 * A request is sent again only when that cannot run a side effect twice:
 * - it provably never reached a server: no connection was made on its socket since it was
 *   sent (the socket is then closed with linger 0, dropping it), or the send failed, or the
 *   server refused it unrun (ESHUTDOWN, draining);
 * - or its method is marked `idempotent`: after `attemptTimeout` with no reply, the server is
 *   avoided for a while and the call tried on another (Lazy Pirate), up to `retries` times;
 *   when its connection is lost, at once.
 * A call of another method that may have reached its server waits for that server until its
 * deadline; if the connection is lost it fails with ECONNRESET (it may or may not have run).
 * Servers de-duplicate by call id, so a re-sent call that did reach one is not run twice there.
 * Other calls on the same connection are never re-sent because one of them timed out. No call
 * outlives its `timeout` (ETIMEDOUT); on giving up the client sends CANCEL, which fires the
 * handler's signal. New calls go to the live server with the fewest calls in flight.
 */
export class RpcClient<S extends ServiceSpec> implements AsyncDisposable {
  readonly #service: S;
  readonly #links: ServerLink<PendingCall>[];
  readonly #pending = new Map<number, PendingCall>();
  readonly #methodFrames = new Map<string, Buffer>();
  readonly #defaults: RetryOptions;
  readonly #maxInFlight: number;
  readonly #onDecodeError: ((error: DecodeError) => void) | undefined;
  readonly #stats = { calls: 0, timeouts: 0, retries: 0, failovers: 0, resets: 0, lateReplies: 0, decodeErrors: 0 };
  /** Call ids are this prefix and a counter: unique per client instance, never reused. */
  readonly #callPrefix = randomBytes(9).toString("base64url");
  #callCount = 0;
  #nextId = 1;
  #rotation = 0;
  #closed = false;

  constructor(service: S, options: RpcClientOptions) {
    const servers = typeof options.servers === "string" ? [options.servers] : [...options.servers];
    if (servers.length === 0) throw invalidArgument("servers", "must name at least one server");
    this.#service = service;
    retryOptions(options); // checks them now, as a wrong option is the caller's mistake
    this.#defaults = { timeout: options.timeout, retries: options.retries, attemptTimeout: options.attemptTimeout };
    this.#maxInFlight = options.maxInFlight ?? 10_000;
    this.#onDecodeError = options.onDecodeError;
    const host: LinkHost<PendingCall> = {
      onMessage: (link, message) => this.#onMessage(link, message),
      onDown: (link) => this.#onDown(link),
    };
    this.#links = servers.map((endpoint) => new ServerLink(endpoint, options.socket ?? {}, host));
  }

  get stats(): RpcClientStats {
    return { ...this.#stats, inFlight: this.#pending.size };
  }

  /** Calls a method; resolves with its reply, rejects with a RemoteError, RpcError or DecodeError. */
  call<M extends MethodName<S>>(method: M, request: RequestOf<S, M>, options?: CallOptions): Promise<ReplyOf<S, M>> {
    if (this.#closed) return Promise.reject(new RpcError("EBADF", "RPC client is closed"));
    if (!Object.hasOwn(this.#service, method)) {
      return Promise.reject(new RpcError("ENOMETHOD", `no method ${JSON.stringify(method)} in this service`));
    }
    const spec = this.#service[method]!;
    if (this.#pending.size >= this.#maxInFlight) {
      return Promise.reject(new RpcError("EAGAIN", `${this.#maxInFlight} calls already in flight`));
    }
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    let payload: Buffer[];
    let limits: Required<RetryOptions>;
    try {
      limits = retryOptions(options ?? {}, this.#defaults);
      payload = encodeValue(spec.request, request);
    } catch (err) {
      return Promise.reject(err);
    }
    const id = this.#allocateId();
    this.#stats.calls++;
    return new Promise<ReplyOf<S, M>>((resolve, reject) => {
      const call: PendingCall = {
        id,
        method,
        callId: Buffer.from(`${this.#callPrefix}.${(++this.#callCount).toString(36)}`, "utf8"),
        idempotent: spec.idempotent === true,
        body: [this.#methodFrame(method), ...payload],
        reply: spec.reply,
        deadline: performance.now() + limits.timeout,
        attemptTimeout: limits.attemptTimeout,
        attemptsLeft: limits.retries,
        attempt: 0,
        link: null,
        sentUp: false,
        handshakesAtSend: 0,
        sendFailed: false,
        tried: new Set(),
        timer: null,
        resolve: resolve as (value: unknown) => void,
        reject,
        unwatch: null,
      };
      if (signal !== undefined) {
        const onAbort = (): void => this.#cancel(call, abortReason(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        call.unwatch = () => signal.removeEventListener("abort", onAbort);
      }
      this.#pending.set(id, call);
      this.#send(call, null);
    });
  }

  /** Fails the calls in flight with EBADF and closes every connection. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const call of [...this.#pending.values()]) this.#settle(call, new RpcError("EBADF", "RPC client closed"));
    }
    await Promise.all(this.#links.map((link) => link.close()));
  }

  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- attempts ------------------------------------------------------------------------------

  /** Sends the call's request to the best server, other than `avoid` if there is a choice. */
  #send(call: PendingCall, avoid: ServerLink<PendingCall> | null): void {
    const remaining = call.deadline - performance.now();
    // Node's timers may fire up to a millisecond early by performance.now().
    if (remaining < 1) {
      this.#settle(call, new RpcError("ETIMEDOUT", `${call.method}: no reply in time`));
      return;
    }
    const link = this.#pick(avoid);
    const attempt = ++call.attempt;
    call.link = link;
    call.sentUp = link.state === "up";
    call.handshakesAtSend = link.handshakes;
    call.sendFailed = false;
    call.tried.add(link);
    link.calls.add(call);
    link.send([header(Kind.Request, call.id), callFrame(call.callId, attempt, remaining, call.idempotent), ...call.body], () => this.#sendFailed(call, link, attempt));
    call.timer = setTimeout(() => this.#attemptTimedOut(call), Math.min(call.attemptTimeout, remaining));
  }

  /**
   * Whether the latest send may have reached its server: it went out on a socket that was
   * connected then or has been since. Otherwise it is still queued in that socket, and closing
   * it with linger 0 drops it for certain.
   */
  #mayHaveReached(call: PendingCall): boolean {
    return !call.sendFailed && (call.sentUp || call.link!.handshakes > call.handshakesAtSend);
  }

  #sendFailed(call: PendingCall, link: ServerLink<PendingCall>, attempt: number): void {
    if (this.#pending.get(call.id) !== call || call.link !== link || call.attempt !== attempt) return;
    call.sendFailed = true;
    // Certainly not sent: another server now if there is one, else at the attempt's timeout.
    if (this.#pick(link) === link) return;
    this.#detach(call);
    this.#stats.failovers++;
    this.#send(call, link);
  }

  #attemptTimedOut(call: PendingCall): void {
    call.timer = null;
    const link = call.link!;
    this.#stats.timeouts++;
    const remaining = call.deadline - performance.now();
    if (remaining < 1) {
      this.#settle(call, new RpcError("ETIMEDOUT", `${call.method}: no reply in time`));
      return;
    }
    if (!this.#mayHaveReached(call)) {
      // Never connected: a fresh socket drops the queued request, and the call goes elsewhere.
      this.#abandon(link, call.attemptTimeout);
      return;
    }
    if (!call.idempotent || call.attemptsLeft === 0) {
      // Sending again could run it twice: wait for this server until the deadline.
      call.timer = setTimeout(() => this.#attemptTimedOut(call), remaining);
      return;
    }
    call.attemptsLeft--;
    this.#stats.retries++;
    this.#detach(call);
    link.penalizedUntil = Math.max(link.penalizedUntil, performance.now() + call.attemptTimeout);
    // Lazy Pirate's fresh socket, only when no other call is waiting on this one.
    if (link.calls.size === 0) link.recycle();
    this.#send(call, link);
  }

  /** A server's connection is lost or cannot be made. */
  #onDown(link: ServerLink<PendingCall>): void {
    const elsewhere = this.#links.some((l) => l !== link && l.state !== "down");
    let unsent = 0;
    for (const call of [...link.calls]) {
      if (!this.#mayHaveReached(call)) unsent++;
      else if (call.idempotent) this.#resend(call, link);
      else this.#reset(call);
    }
    // Unsent requests wait in the socket's queue for the connection to come back, unless
    // another server can take them now.
    if (unsent > 0 && elsewhere) this.#abandon(link, 0);
  }

  /**
   * Closes a link's socket (dropping what it still queues), connects a fresh one, and sends
   * its calls again: those whose request may have reached the server only if idempotent.
   */
  #abandon(link: ServerLink<PendingCall>, penalty: number): void {
    link.penalizedUntil = Math.max(link.penalizedUntil, performance.now() + penalty);
    const calls = [...link.calls].map((call) => ({ call, reached: this.#mayHaveReached(call) }));
    for (const { call } of calls) this.#detach(call);
    link.recycle();
    for (const { call, reached } of calls) {
      if (reached && !call.idempotent) this.#reset(call);
      else this.#resend(call, link);
    }
  }

  #resend(call: PendingCall, from: ServerLink<PendingCall>): void {
    this.#detach(call);
    this.#stats.failovers++;
    this.#send(call, from);
  }

  #reset(call: PendingCall): void {
    this.#stats.resets++;
    this.#settle(call, new RpcError("ECONNRESET", `${call.method}: connection to the server lost; the call may or may not have run`));
  }

  /**
   * Fails the call and tells the servers that got it, so their handlers' signals fire. At the
   * deadline there is nothing to tell: the servers' own deadline timers fire then.
   */
  #cancel(call: PendingCall, error: unknown): void {
    if (this.#pending.get(call.id) !== call) return;
    for (const link of call.tried) if (!link.closed) link.send([header(Kind.Cancel, call.id), call.callId]);
    this.#settle(call, error);
  }

  /** The live, trusted server with the fewest calls in flight; round-robin among equals. */
  #pick(avoid: ServerLink<PendingCall> | null): ServerLink<PendingCall> {
    const now = performance.now();
    const n = this.#links.length;
    let best: ServerLink<PendingCall> | null = null;
    let bestScore = Infinity;
    const start = this.#rotation++ % n;
    for (let i = 0; i < n; i++) {
      const link = this.#links[(start + i) % n]!;
      const score = rank(link, avoid, now) * 1e9 + link.calls.size;
      if (score < bestScore) {
        best = link;
        bestScore = score;
      }
    }
    return best!;
  }

  // ---- replies -------------------------------------------------------------------------------

  #onMessage(link: ServerLink<PendingCall>, message: Buffer[]): void {
    const head = parseHeader(message[0]);
    if (head?.kind === Kind.Disconnect) {
      link.draining = true;
      return;
    }
    if (head === null || (head.kind !== Kind.Reply && head.kind !== Kind.Error)) return;
    const call = this.#pending.get(head.id);
    if (call === undefined) {
      this.#stats.lateReplies++;
      return;
    }
    // A reply from an earlier attempt's server answers the call as well as the latest would.
    link.penalizedUntil = 0;
    if (head.kind === Kind.Error) {
      const { code, message: text } = parseErrorFrame(message[1]);
      if (code === "ESHUTDOWN") {
        // Refused unrun by a draining server: another server may take it. An earlier
        // attempt's refusal says nothing of the latest, sent elsewhere.
        link.draining = true;
        if (call.link !== link) return;
        if (this.#pick(link) !== link) {
          this.#resend(call, link);
          return;
        }
      }
      this.#settle(call, new RemoteError(code, text, call.method));
      return;
    }
    let value: unknown;
    try {
      value = decodeFrames(call.reply, message.slice(1), message);
    } catch (err) {
      this.#stats.decodeErrors++;
      this.#onDecodeError?.(err as DecodeError);
      this.#settle(call, err);
      return;
    }
    this.#settle(call, undefined, value);
  }

  #settle(call: PendingCall, error: unknown, value?: unknown): void {
    if (this.#pending.get(call.id) !== call) return;
    this.#pending.delete(call.id);
    this.#detach(call);
    call.unwatch?.();
    if (error === undefined) call.resolve(value);
    else call.reject(error);
  }

  #detach(call: PendingCall): void {
    if (call.timer !== null) clearTimeout(call.timer);
    call.timer = null;
    call.link?.calls.delete(call);
    call.link = null;
  }

  #allocateId(): number {
    // uint32 ids wrap; skip any still in flight.
    for (;;) {
      const id = this.#nextId;
      this.#nextId = (this.#nextId + 1) >>> 0 || 1;
      if (!this.#pending.has(id)) return id;
    }
  }

  #methodFrame(method: string): Buffer {
    let frame = this.#methodFrames.get(method);
    if (frame === undefined) this.#methodFrames.set(method, (frame = Buffer.from(method, "utf8")));
    return frame;
  }
}

/** Lower is better: live before connecting before lost; a recently failed server last of its kind. */
function rank(link: ServerLink<unknown>, avoid: ServerLink<unknown> | null, now: number): number {
  let r = link.state === "up" && !link.draining ? 0 : link.state === "connecting" ? 1 : 4;
  if (link.penalizedUntil > now) r += 2;
  if (link === avoid) r += 8;
  return r;
}
