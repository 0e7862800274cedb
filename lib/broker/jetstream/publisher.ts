/**
 * Confirmed JetStream puts, pipelined. `js.publish()` makes a request per put (its own reply
 * subscription bookkeeping and a timer each), which costs about a core at ~40k/s in the client;
 * here every put is a plain publish whose reply subject is one token under a single wildcard
 * subscription, and one sweep timer finds the puts that waited too long. A put that got no
 * answer, or "no responders" while the stream elects a leader, is sent again with the same
 * `Nats-Msg-Id`, so the stream stores it once (within its duplicate window) however many
 * times it is sent.
 */
import { zmqError } from "../../errors.js";
import type { NatsConnection, NatsHeaders, NatsModules, NatsMsg, NatsSubscription } from "./load.js";

export interface PubAckResult {
  stream: string;
  seq: number;
  duplicate: boolean;
}

interface Pending {
  resolve(ack: PubAckResult): void;
  /** Called with the reason the attempt failed; the put decides whether to retry. */
  retry(why: string): void;
  fail(err: Error): void;
  sentAt: number;
}

export interface PublisherOptions {
  /** How long one attempt waits for the stream's answer before it is sent again (ms). */
  ackTimeoutMs: number;
}

const RETRY_DELAYS = [25, 50, 100, 200, 400];

export class Publisher {
  readonly #nc: NatsConnection;
  readonly #nats: NatsModules;
  readonly #options: PublisherOptions;
  readonly #prefix: string;
  readonly #sub: NatsSubscription;
  readonly #pending = new Map<string, Pending>();
  readonly #sweep: NodeJS.Timeout;
  #next = 0;
  #closed = false;

  constructor(nc: NatsConnection, nats: NatsModules, options: PublisherOptions) {
    this.#nc = nc;
    this.#nats = nats;
    this.#options = options;
    this.#prefix = `${nats.core.createInbox()}.`;
    this.#sub = nc.subscribe(`${this.#prefix}*`, { callback: (_err, msg) => this.#answer(msg) });
    // Pending puts are in send order, so the sweep stops at the first one still in time.
    this.#sweep = setInterval(() => this.#expire(), Math.max(50, Math.min(500, options.ackTimeoutMs / 4)));
    this.#sweep.unref();
  }

  /** Resolves once the stream holding `subject` stored the message (or had it already). */
  /** Retries for `timeoutMs` (-1: for ever), then rejects with ETIMEDOUT. */
  async publish(subject: string, data: Uint8Array, msgId: string, timeoutMs: number, extra?: Record<string, string>): Promise<PubAckResult> {
    const deadline = timeoutMs < 0 ? Infinity : Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (this.#closed) throw zmqError("EBADF", "the JetStream client is closed");
      const outcome = await this.#attempt(subject, data, msgId, extra);
      if (typeof outcome !== "string") return outcome;
      if (Date.now() >= deadline) {
        throw zmqError("ETIMEDOUT", `put not confirmed within ${timeoutMs} ms (last: ${outcome}); it may be stored`);
      }
      await delay(RETRY_DELAYS[Math.min(attempt, RETRY_DELAYS.length - 1)]!);
    }
  }

  /** One send: the acknowledgement, or why it must be sent again. */
  #attempt(subject: string, data: Uint8Array, msgId: string, extra?: Record<string, string>): Promise<PubAckResult | string> {
    return new Promise<PubAckResult | string>((resolve, reject) => {
      const token = (this.#next++).toString(36);
      this.#pending.set(token, { resolve, retry: resolve, fail: reject, sentAt: Date.now() });
      const headers: NatsHeaders = this.#nats.core.headers();
      headers.set("Nats-Msg-Id", msgId);
      if (extra !== undefined) for (const [k, v] of Object.entries(extra)) headers.set(k, v);
      try {
        this.#nc.publish(subject, data, { reply: this.#prefix + token, headers });
      } catch (err) {
        this.#pending.delete(token);
        resolve(`publish failed: ${(err as Error).message}`);
      }
    });
  }

  #answer(msg: NatsMsg): void {
    const token = msg.subject.slice(this.#prefix.length);
    const p = this.#pending.get(token);
    if (p === undefined) return; // answered after its attempt timed out: the retry will get its own
    this.#pending.delete(token);
    const status = msg.headers?.code ?? 0;
    if (status === 503) return p.retry("no responders: the stream has no leader now");
    if (status !== 0 && msg.data.length === 0) return p.retry(`status ${status}`);
    let ack: { stream?: string; seq?: number; duplicate?: boolean; error?: { code?: number; err_code?: number; description?: string } };
    try {
      ack = JSON.parse(Buffer.from(msg.data).toString("utf8")) as typeof ack;
    } catch {
      return p.fail(zmqError("EINTERNAL", "JetStream answered a put with something that is not JSON"));
    }
    if (ack.error !== undefined) {
      if (ack.error.code === 503) return p.retry(ack.error.description ?? "unavailable");
      const code = ack.error.code === 400 ? "EINVAL" : ack.error.code === 413 ? "EMSGSIZE" : "EINTERNAL";
      return p.fail(zmqError(code, `JetStream refused a put: ${ack.error.description ?? "error"} (${ack.error.err_code ?? ack.error.code})`));
    }
    p.resolve({ stream: ack.stream ?? "", seq: ack.seq ?? 0, duplicate: ack.duplicate === true });
  }

  #expire(): void {
    const limit = Date.now() - this.#options.ackTimeoutMs;
    for (const [token, p] of this.#pending) {
      if (p.sentAt > limit) break;
      this.#pending.delete(token);
      p.retry(`no answer within ${this.#options.ackTimeoutMs} ms`);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    this.#sub.unsubscribe();
    for (const p of this.#pending.values()) p.fail(zmqError("EBADF", "the JetStream client is closed"));
    this.#pending.clear();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
