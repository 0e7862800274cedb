/**
 * The streams and durable consumers behind wiremq queues, made on first use. A work queue is a
 * stream with WorkQueue retention (an acknowledged message is removed) and one durable pull
 * consumer that every client shares; a topic is a stream with Interest retention and one
 * durable consumer per durable subscription, so a message is kept until every subscription
 * acknowledged it. Requests that fail while a leader is being elected are retried.
 */
import type { JetStreamManager, StreamInfo } from "@nats-io/jetstream";
import type { NatsModules } from "./load.js";
import { fromNats, isRetryable } from "./errors.js";
import type { QueuePlace } from "./names.js";

export interface AdminOptions {
  replicas: number;
  storage: "file" | "memory";
  /** How long a put may be retried and still be stored once (ms). */
  duplicateWindowMs: number;
  /** How long admin requests keep retrying while JetStream is unavailable (ms; -1 for ever). */
  retryForMs: number;
}

export class StreamAdmin {
  readonly #jsm: JetStreamManager;
  readonly #nats: NatsModules;
  readonly #options: AdminOptions;
  readonly #streams = new Map<string, Promise<void>>();
  readonly #consumers = new Map<string, Promise<void>>();

  constructor(jsm: JetStreamManager, nats: NatsModules, options: AdminOptions) {
    this.#jsm = jsm;
    this.#nats = nats;
    this.#options = options;
  }

  /** Makes the stream of `place` if it does not exist (once per client). */
  ensureStream(place: Pick<QueuePlace, "stream" | "subject" | "topic">): Promise<void> {
    let made = this.#streams.get(place.stream);
    if (made === undefined) {
      made = this.#retrying(`making stream ${place.stream}`, () => this.#makeStream(place));
      this.#streams.set(place.stream, made);
      made.catch(() => this.#streams.delete(place.stream));
    }
    return made;
  }

  /**
   * Forgets that a stream was made: the next ensureStream() looks again (and makes it if it is
   * gone). For puts that ended with no stream leader, whose stream may have been deleted.
   */
  forgetStream(stream: string): void {
    this.#streams.delete(stream);
  }

  /** Makes the durable consumer of `place` with this lease, or gives an existing one this lease. */
  ensureConsumer(place: QueuePlace, leaseMs: number): Promise<void> {
    const key = `${place.stream}/${place.durable}/${leaseMs}`;
    let made = this.#consumers.get(key);
    if (made === undefined) {
      made = this.ensureStream(place).then(() => this.#retrying(`making consumer ${place.durable} on ${place.stream}`, () => this.#makeConsumer(place, leaseMs)));
      this.#consumers.set(key, made);
      made.catch(() => this.#consumers.delete(key));
    }
    return made;
  }

  async deleteConsumer(stream: string, durable: string): Promise<void> {
    for (const key of this.#consumers.keys()) if (key.startsWith(`${stream}/${durable}/`)) this.#consumers.delete(key);
    await this.#retrying(`deleting consumer ${durable}`, async () => {
      try {
        await this.#jsm.consumers.delete(stream, durable);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    });
  }

  /** Stream info, or null when the stream does not exist. */
  async streamInfo(stream: string): Promise<StreamInfo | null> {
    return this.#retrying(`reading stream ${stream}`, async () => {
      try {
        return await this.#jsm.streams.info(stream);
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });
  }

  async consumerCounts(stream: string, durable: string): Promise<{ pending: number; unacked: number } | null> {
    return this.#retrying(`reading consumer ${durable}`, async () => {
      try {
        const info = await this.#jsm.consumers.info(stream, durable);
        return { pending: info.num_pending, unacked: info.num_ack_pending };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });
  }

  async #makeStream(place: Pick<QueuePlace, "stream" | "subject" | "topic">): Promise<void> {
    const { js } = this.#nats;
    try {
      await this.#jsm.streams.info(place.stream);
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await this.#jsm.streams.add({
        name: place.stream,
        subjects: [place.subject],
        retention: place.topic ? js.RetentionPolicy.Interest : js.RetentionPolicy.Workqueue,
        storage: this.#options.storage === "memory" ? js.StorageType.Memory : js.StorageType.File,
        num_replicas: this.#options.replicas,
        duplicate_window: this.#nats.core.nanos(this.#options.duplicateWindowMs),
      });
    } catch (err) {
      // Another client made it meanwhile.
      if (!isAlreadyInUse(err)) throw err;
    }
  }

  async #makeConsumer(place: QueuePlace, leaseMs: number): Promise<void> {
    const { js, core } = this.#nats;
    const ackWait = core.nanos(leaseMs);
    try {
      const info = await this.#jsm.consumers.info(place.stream, place.durable);
      if (info.config.ack_wait !== ackWait) await this.#jsm.consumers.update(place.stream, place.durable, { ack_wait: ackWait });
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await this.#jsm.consumers.add(place.stream, {
      durable_name: place.durable,
      ack_policy: js.AckPolicy.Explicit,
      ack_wait: ackWait,
      // Unlimited here: the client moves a message past maxDeliveries to the dead-letter
      // queue, which the server's own limit would instead leave stuck in a work queue.
      max_deliver: -1,
      max_ack_pending: -1,
      deliver_policy: js.DeliverPolicy.All,
    });
  }

  async #retrying<T>(doing: string, op: () => Promise<T>): Promise<T> {
    const deadline = this.#options.retryForMs < 0 ? Infinity : Date.now() + this.#options.retryForMs;
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        if (!isRetryable(err) || Date.now() >= deadline) throw fromNats(err, doing);
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** Math.min(attempt, 5))));
      }
    }
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; status?: number; code?: number };
  return e.name === "StreamNotFoundError" || e.name === "ConsumerNotFoundError" || (e.name === "JetStreamApiError" && e.status === 404);
}

function isAlreadyInUse(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  // 10058: stream name already in use (with another configuration: a race with the same one passes).
  return e.code === 10058 || /already in use/.test(e.message ?? "");
}
