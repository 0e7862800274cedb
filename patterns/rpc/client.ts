import { decodeFrames, DecodeError, encodeValue, type Codec } from "../codec/codec.js";
import { abortReason } from "../internal/closed.js";
import { RemoteError, RpcError } from "./errors.js";
import { header, Kind, parseErrorFrame, parseHeader } from "./protocol.js";
import { ServerLink, type DealerOptions, type LinkHost } from "./server-link.js";
import type { MethodName, ReplyOf, RequestOf, ServiceSpec } from "./service.js";

export interface RetryOptions {
  /** The most a call may take, retries included, in ms (default 5000). */
  timeout?: number;
  /** Further attempts after one times out (default 2). */
  retries?: number;
  /** How long one attempt waits for its reply (default timeout / (retries + 1)). */
  attemptTimeout?: number;
}

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

export interface CallOptions extends RetryOptions {
  signal?: AbortSignal;
}

export interface RpcClientStats {
  calls: number;
  /** Attempts that got no reply in time. */
  timeouts: number;
  /** Attempts made again after a timeout. */
  retries: number;
  /** Calls moved to another server because theirs was lost or recycled. */
  failovers: number;
  /** Replies to calls already answered, timed out or abandoned. */
  lateReplies: number;
  decodeErrors: number;
  inFlight: number;
}

interface PendingCall {
  readonly id: number;
  readonly method: string;
  /** The request as sent on every attempt (copied per send: a peer may take the array). */
  readonly message: readonly Buffer[];
  readonly reply: Codec<unknown>;
  readonly deadline: number;
  readonly attemptTimeout: number;
  attemptsLeft: number;
  link: ServerLink<PendingCall> | null;
  timer: NodeJS.Timeout | null;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  unwatch: (() => void) | null;
}

/**
 * A typed RPC client: `await client.call("method", request, { timeout, signal })`. Calls
 * carry correlation ids, so any number are in flight at once over one connection per server.
 *
 * Reliability is the Lazy Pirate pattern, over several servers: each attempt waits up to
 * `attemptTimeout`; when it expires the server is presumed dead or stuck, its socket is
 * replaced by a fresh one (so requests queued for it are dropped, not delivered late), it is
 * avoided for a while, and the call is tried again on another server. A server whose
 * connection drops has its calls moved to another server at once. No call outlives its
 * `timeout`: it then fails with ETIMEDOUT. A retried request may run twice, so handlers should
 * be idempotent. New calls go to the live server with the fewest calls in flight.
 */
export class RpcClient<S extends ServiceSpec> implements AsyncDisposable {
  readonly #service: S;
  readonly #links: ServerLink<PendingCall>[];
  readonly #pending = new Map<number, PendingCall>();
  readonly #methodFrames = new Map<string, Buffer>();
  readonly #defaults: RetryOptions;
  readonly #maxInFlight: number;
  readonly #onDecodeError: ((error: DecodeError) => void) | undefined;
  readonly #stats = { calls: 0, timeouts: 0, retries: 0, failovers: 0, lateReplies: 0, decodeErrors: 0 };
  #nextId = 1;
  #rotation = 0;
  #closed = false;

  constructor(service: S, options: RpcClientOptions) {
    const servers = typeof options.servers === "string" ? [options.servers] : [...options.servers];
    if (servers.length === 0) throw Object.assign(new TypeError("an RPC client needs at least one server"), { code: "EINVAL" });
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
        message: [header(Kind.Request, id), this.#methodFrame(method), ...payload],
        reply: spec.reply,
        deadline: performance.now() + limits.timeout,
        attemptTimeout: limits.attemptTimeout,
        attemptsLeft: limits.retries + 1,
        link: null,
        timer: null,
        resolve: resolve as (value: unknown) => void,
        reject,
        unwatch: null,
      };
      if (signal !== undefined) {
        const onAbort = (): void => this.#settle(call, abortReason(signal));
        signal.addEventListener("abort", onAbort, { once: true });
        call.unwatch = () => signal.removeEventListener("abort", onAbort);
      }
      this.#pending.set(id, call);
      call.attemptsLeft--;
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

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- attempts ------------------------------------------------------------------------------

  /** Sends the call's request to the best server, other than `avoid` if there is a choice. */
  #send(call: PendingCall, avoid: ServerLink<PendingCall> | null): void {
    const remaining = call.deadline - performance.now();
    if (remaining <= 0) {
      this.#settle(call, new RpcError("ETIMEDOUT", `${call.method}: no reply in time`));
      return;
    }
    const link = this.#pick(avoid);
    call.link = link;
    link.calls.add(call);
    link.send([...call.message]);
    call.timer = setTimeout(() => this.#attemptTimedOut(call), Math.min(call.attemptTimeout, remaining));
  }

  #attemptTimedOut(call: PendingCall): void {
    call.timer = null;
    const link = call.link!;
    this.#detach(call);
    this.#stats.timeouts++;
    // Lazy Pirate: no reply in time means the server is dead or stuck. A fresh socket drops
    // what was queued for it; its other calls move elsewhere now rather than wait their turn.
    this.#abandon(link, call.attemptTimeout);
    if (call.attemptsLeft === 0 || call.deadline - performance.now() <= 0) {
      this.#settle(call, new RpcError("ETIMEDOUT", `${call.method}: no reply in time`));
      return;
    }
    call.attemptsLeft--;
    this.#stats.retries++;
    this.#send(call, link);
  }

  /** A server's connection is lost or cannot be made: its calls go to another server now. */
  #onDown(link: ServerLink<PendingCall>): void {
    if (link.calls.size === 0 || !this.#links.some((l) => l !== link && l.state !== "down")) return;
    this.#abandon(link, 0);
  }

  /** Recycles a link and moves its calls to other servers, without using up their retries. */
  #abandon(link: ServerLink<PendingCall>, penalty: number): void {
    link.penalizedUntil = Math.max(link.penalizedUntil, performance.now() + penalty);
    link.recycle();
    const moved = [...link.calls];
    for (const call of moved) {
      this.#detach(call);
      this.#stats.failovers++;
      this.#send(call, link);
    }
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
  let r = link.state === "up" ? 0 : link.state === "connecting" ? 1 : 4;
  if (link.penalizedUntil > now) r += 2;
  if (link === avoid) r += 8;
  return r;
}

/**
 * A call's limits: its own, else the client's, else the defaults. An attemptTimeout set on the
 * client is kept unless the call changes its own budget (timeout or retries).
 */
function retryOptions(given: RetryOptions, base: RetryOptions = {}): Required<RetryOptions> {
  const timeout = given.timeout ?? base.timeout ?? 5000;
  const retries = given.retries ?? base.retries ?? 2;
  const inherited = given.timeout === undefined && given.retries === undefined ? base.attemptTimeout : undefined;
  const attemptTimeout = given.attemptTimeout ?? inherited ?? timeout / (retries + 1);
  if (!(timeout > 0) || !(attemptTimeout > 0) || !Number.isInteger(retries) || retries < 0) {
    throw new RpcError("EINVAL", "timeout and attemptTimeout must be positive, retries a non-negative integer");
  }
  return { timeout, retries, attemptTimeout };
}
