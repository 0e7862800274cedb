/**
 * One named queue in the broker's memory: the messages stored and not done, in sequence
 * order, and the consumers taking them. New messages wait in `ready` (ascending seq); a
 * delivery that comes back waits in `returned`, also by seq, and goes out first, so a single
 * consumer sees the queue in FIFO order apart from redeliveries.
 */
import { Queue } from "../../util/queue.js";
import type { QueuedMessage, QueueStats } from "../model.js";
import { RateMeter } from "./rate-meter.js";
import type { QueueLog } from "./store/store.js";

/**
 * What the queue asks of a consumer: its credit and its deliveries not yet acknowledged. The
 * queue holds the broker's consumer records without knowing their sessions, so it is generic
 * over them rather than importing session.ts (which refers to queues).
 */
export interface Taker {
  readonly credit: number;
  readonly leases: { readonly size: number };
}

/** Hands `message` to `consumer`: makes the lease and sends DELIVER (the broker does this). */
export type DeliverFn<C extends Taker> = (queue: BrokerQueue<C>, consumer: C, message: QueuedMessage) => void;

export class BrokerQueue<C extends Taker> {
  readonly #ready = new Queue<QueuedMessage>();
  readonly #returned: QueuedMessage[] = [];
  readonly #consumers: C[] = [];
  #next = 0;
  /** Leased to consumers right now. */
  unacked = 0;
  /** On the way to the dead-letter queue (stored there not yet confirmed). */
  moving = 0;
  readonly puts = new RateMeter();
  readonly deliveries = new RateMeter();
  readonly acks = new RateMeter();
  returnedTotal = 0;
  deadLetteredTotal = 0;

  constructor(
    readonly name: string,
    readonly log: QueueLog,
    /** A dead-letter queue never dead-letters its own messages again. */
    readonly isDeadLetter: boolean,
    private readonly deliver: DeliverFn<C>,
  ) {}

  get ready(): number {
    return this.#ready.length + this.#returned.length;
  }

  get consumerCount(): number {
    return this.#consumers.length;
  }

  /** A message now durable (or found at recovery), at the back of the queue. */
  push(message: QueuedMessage): void {
    this.#ready.push(message);
    this.dispatch();
  }

  /** A delivery came back: it goes before every message stored after it. */
  requeue(message: QueuedMessage): void {
    const r = this.#returned;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid]!.seq < message.seq) lo = mid + 1;
      else hi = mid;
    }
    r.splice(lo, 0, message);
    this.dispatch();
  }

  addConsumer(c: C): void {
    this.#consumers.push(c);
    this.dispatch();
  }

  removeConsumer(c: C): void {
    const i = this.#consumers.indexOf(c);
    if (i < 0) return;
    this.#consumers.splice(i, 1);
    if (this.#next > i) this.#next--;
  }

  /** Hands out messages while some consumer has credit left, round-robin over consumers. */
  dispatch(): void {
    const consumers = this.#consumers;
    while (this.ready > 0 && consumers.length > 0) {
      const consumer = this.#nextWithRoom();
      if (consumer === null) return;
      const message = this.#returned.length > 0 ? this.#returned.shift()! : this.#ready.shift()!;
      this.unacked++;
      this.deliveries.mark();
      this.deliver(this, consumer, message);
    }
  }

  #nextWithRoom(): C | null {
    const consumers = this.#consumers;
    for (let i = 0; i < consumers.length; i++) {
      const at = (this.#next + i) % consumers.length;
      const c = consumers[at]!;
      if (c.leases.size < c.credit) {
        // Not reduced modulo the count: a consumer added next is the next one served.
        this.#next = at + 1;
        return c;
      }
    }
    return null;
  }

  stats(): QueueStats {
    const now = Date.now();
    return {
      name: this.name,
      depth: this.ready + this.unacked + this.moving,
      ready: this.ready,
      unacked: this.unacked,
      consumers: this.#consumers.length,
      deadLetter: this.isDeadLetter,
      totals: {
        put: this.puts.total,
        delivered: this.deliveries.total,
        acked: this.acks.total,
        returned: this.returnedTotal,
        deadLettered: this.deadLetteredTotal,
      },
      rates: { put: this.puts.perSecond(now), deliver: this.deliveries.perSecond(now), ack: this.acks.perSecond(now) },
      segments: this.log.segmentCount,
      bytes: this.log.bytes,
      storage: this.log.writeError === null ? "ok" : "failing",
      writeError: this.log.writeError?.message ?? null,
      writeFailures: this.log.writeFailures,
    };
  }
}
