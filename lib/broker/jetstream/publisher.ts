/**
 * Confirmed JetStream puts, pipelined. `js.publish()` makes a request per put (its own reply
 * bookkeeping, a timer and two error objects each), which costs about a core at ~40k/s in the
 * client; here every put is a plain publish whose reply subject is one token under a single
 * wildcard subscription, one promise per put whatever its retries, and one sweep timer finds
 * the puts that waited too long. A put that got no answer, or "no responders" while the
 * stream elects a leader, is sent again with the same `Nats-Msg-Id`, so the stream stores it
 * once (within its duplicate window) however many times it is sent.
 */
import { zmqError, type WiremqError } from "../../errors.js";
import type { PutReceipt } from "../durable-queues.js";
import type { NatsConnection, NatsHeaders, NatsModules, NatsMsg, NatsSubscription } from "./load.js";

export interface PublisherOptions {
  /** How long one attempt waits for the stream's answer before it is sent again (ms). */
  ackTimeoutMs: number;
}

/** One put, from its first send to its answer, whatever the number of attempts. */
interface Put {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly msgId: string;
  readonly extra: Record<string, string> | undefined;
  readonly timeoutMs: number;
  readonly deadline: number;
  resolve(receipt: PutReceipt): void;
  reject(err: Error): void;
  attempts: number;
  sentAt: number;
  /** Why the last attempt failed, for the error past the deadline. */
  last: string;
  /** The last attempt was answered "no responders": no stream leader (an election) or no stream. */
  unavailable: boolean;
  retryTimer: NodeJS.Timeout | null;
}

const RETRY_DELAYS = [25, 50, 100, 200, 400];

/** JetStream's error code for a message over the stream's max_msg_size. */
const JS_MESSAGE_TOO_BIG = 10054;

export class Publisher {
  readonly #nc: NatsConnection;
  readonly #options: PublisherOptions;
  readonly #prefix: string;
  readonly #sub: NatsSubscription;
  readonly #pending = new Map<string, Put>();
  readonly #waiting = new Set<Put>();
  /**
   * One headers object for every plain put: the client encodes it inside publish(), so the
   * next put may set its own id on it. Allocating one per put showed in the profile.
   */
  readonly #headers: NatsHeaders;
  readonly #newHeaders: () => NatsHeaders;
  readonly #sweep: NodeJS.Timeout;
  /** Told when a put ended unavailable (no responders): its stream may be gone, not just leaderless. */
  readonly #onUnavailable: (subject: string) => void;
  #next = 0;
  #closed = false;

  constructor(nc: NatsConnection, nats: NatsModules, options: PublisherOptions, onUnavailable: (subject: string) => void = () => {}) {
    this.#nc = nc;
    this.#options = options;
    this.#onUnavailable = onUnavailable;
    this.#newHeaders = () => nats.core.headers();
    this.#headers = this.#newHeaders();
    this.#prefix = `${nats.core.createInbox()}.`;
    this.#sub = nc.subscribe(`${this.#prefix}*`, { callback: (_err, msg) => this.#answer(msg) });
    // Pending puts are in send order, so the sweep stops at the first one still in time.
    this.#sweep = setInterval(() => this.#expire(), Math.max(50, Math.min(500, options.ackTimeoutMs / 4)));
    this.#sweep.unref();
  }

  /**
   * Resolves once the stream holding `subject` stored the message (or had it already: a
   * retry of one stored). Retries for `timeoutMs` (-1: for ever), then rejects: ETIMEDOUT when
   * the stream did not answer, EUNAVAILABLE when it answered "no responders" (no leader).
   */
  publish(subject: string, data: Uint8Array, msgId: string, timeoutMs: number, extra?: Record<string, string>): Promise<PutReceipt> {
    if (this.#closed) return Promise.reject(closedError());
    return new Promise<PutReceipt>((resolve, reject) => {
      const put: Put = {
        subject,
        data,
        msgId,
        extra,
        timeoutMs,
        deadline: timeoutMs < 0 ? Infinity : Date.now() + timeoutMs,
        resolve,
        reject,
        attempts: 0,
        sentAt: 0,
        last: "",
        unavailable: false,
        retryTimer: null,
      };
      this.#send(put);
    });
  }

  #send(put: Put): void {
    put.attempts++;
    put.sentAt = Date.now();
    const token = (this.#next++).toString(36);
    let headers = this.#headers;
    if (put.extra === undefined) {
      headers.set("Nats-Msg-Id", put.msgId);
    } else {
      headers = this.#newHeaders();
      headers.set("Nats-Msg-Id", put.msgId);
      for (const [k, v] of Object.entries(put.extra)) headers.set(k, v);
    }
    this.#pending.set(token, put);
    try {
      this.#nc.publish(put.subject, put.data, { reply: this.#prefix + token, headers });
    } catch (err) {
      this.#pending.delete(token);
      const name = (err as Error).name;
      const message = (err as Error).message;
      // Over the server's max_payload: no attempt can succeed.
      if (name === "InvalidArgumentError" && /max_payload/.test(message)) {
        put.reject(zmqError("EMSGSIZE", `message of ${put.data.length} bytes is over the NATS server's max_payload`));
        return;
      }
      if (name === "ClosedConnectionError" || name === "DrainingConnectionError") {
        put.reject(closedError());
        return;
      }
      this.#retry(put, `publish failed: ${message}`, false);
    }
  }

  /** Sends the put again after a short pause, or rejects it past its deadline. */
  #retry(put: Put, why: string, unavailable: boolean): void {
    put.last = why;
    put.unavailable = unavailable;
    if (this.#closed) return put.reject(closedError());
    if (Date.now() >= put.deadline) return this.#giveUp(put);
    const pause = RETRY_DELAYS[Math.min(put.attempts - 1, RETRY_DELAYS.length - 1)]!;
    this.#waiting.add(put);
    put.retryTimer = setTimeout(() => {
      put.retryTimer = null;
      this.#waiting.delete(put);
      if (this.#closed) return put.reject(closedError());
      this.#send(put);
    }, Math.min(pause, Math.max(0, put.deadline - Date.now())));
  }

  #giveUp(put: Put): void {
    if (put.unavailable) {
      this.#onUnavailable(put.subject);
      put.reject(zmqError("EUNAVAILABLE", `JetStream had no leader for ${put.subject} for ${put.timeoutMs} ms (${put.last}): no leader yet or a server restarting; retry (the put was not stored)`));
      return;
    }
    put.reject(zmqError("ETIMEDOUT", `put not confirmed within ${put.timeoutMs} ms (last: ${put.last}); it may be stored`));
  }

  #answer(msg: NatsMsg): void {
    const token = msg.subject.slice(this.#prefix.length);
    const put = this.#pending.get(token);
    if (put === undefined) return; // answered after its attempt timed out: the retry gets its own
    this.#pending.delete(token);
    const status = msg.headers?.code ?? 0;
    if (status === 503) return this.#retry(put, "no responders: the stream has no leader now", true);
    if (status !== 0 && msg.data.length === 0) return this.#retry(put, `status ${status}`, false);
    const receipt = parseAck(msg.data);
    if (receipt !== null) return put.resolve(receipt);
    let ack: { error?: { code?: number; err_code?: number; description?: string } };
    try {
      ack = JSON.parse(Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength).toString("utf8")) as typeof ack;
    } catch {
      return put.reject(zmqError("EINTERNAL", "JetStream answered a put with something that is not JSON"));
    }
    const error = ack.error ?? { description: "an answer without stream or seq" };
    if (error.code === 503) return this.#retry(put, error.description ?? "unavailable", true);
    put.reject(ackError(error));
  }

  #expire(): void {
    const limit = Date.now() - this.#options.ackTimeoutMs;
    for (const [token, put] of this.#pending) {
      if (put.sentAt > limit) break;
      this.#pending.delete(token);
      this.#retry(put, `no answer within ${this.#options.ackTimeoutMs} ms`, false);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    this.#sub.unsubscribe();
    for (const put of this.#pending.values()) put.reject(closedError());
    this.#pending.clear();
    for (const put of this.#waiting) {
      if (put.retryTimer !== null) clearTimeout(put.retryTimer);
      put.reject(closedError());
    }
    this.#waiting.clear();
  }
}

function closedError(): WiremqError {
  return zmqError("EBADF", "the JetStream client is closed");
}

/** The stream refused the put: the code says why; retrying the same put would not help. */
function ackError(error: { code?: number; err_code?: number; description?: string }): WiremqError {
  const text = `JetStream refused a put: ${error.description ?? "error"} (${error.err_code ?? error.code ?? "?"})`;
  if (error.err_code === JS_MESSAGE_TOO_BIG || error.code === 413) return zmqError("EMSGSIZE", text);
  return zmqError(error.code === 400 ? "EINVAL" : "EINTERNAL", text);
}

const OPEN = '{"stream":"';

/**
 * A stored put's answer, read without JSON.parse: nats-server writes it by hand as
 * `{"stream":"S", "seq":N}`, with `,"duplicate": true` for a retry already stored (and a
 * `"domain"` where one is set). Null for anything else (an error, another shape), which
 * JSON.parse then reads.
 */
export function parseAck(data: Uint8Array): PutReceipt | null {
  if (data.length > 512) return null;
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("latin1");
  if (!text.startsWith(OPEN) || text.includes('"error"')) return null;
  const end = text.indexOf('"', OPEN.length);
  const at = text.indexOf('"seq":', end);
  if (end < 0 || at < 0) return null;
  let i = at + 6;
  while (text.charCodeAt(i) === 32) i++;
  const first = i;
  let seq = 0;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    seq = seq * 10 + c;
  }
  if (i === first || i - first > 16 || seq > Number.MAX_SAFE_INTEGER) return null;
  const dup = text.indexOf('"duplicate":', i);
  let duplicate = false;
  if (dup >= 0) {
    let j = dup + 12;
    while (text.charCodeAt(j) === 32) j++;
    duplicate = text.startsWith("true", j);
  }
  return { broker: `nats:${text.slice(OPEN.length, end)}`, seq, duplicate };
}
