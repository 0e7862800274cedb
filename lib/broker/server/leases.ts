/**
 * Deliveries in flight: every message handed to a consumer has a lease, known by a tag unique
 * in this broker process. A lease ends with an ACK (the message is done), or comes back
 * (NACK, lease expiry, consumer cancelled or gone): then the message is requeued, or moved to
 * its queue's dead-letter queue once it has been delivered `maxDeliveries` times.
 */
import { encodeBroker } from "../protocol.js";
import { deadLetterQueueOf, encodeDeadLetter, type DeadLetterReason, type QueuedMessage } from "../model.js";
import type { DeadLetterRequest } from "../protocol.js";
import type { ConsumerRecord, Lease, ServedQueue, Session } from "./session.js";

export interface LeaseBookOptions {
  maxDeliveries: number;
  leaseTimeout: number;
  /** The queue of that name, made if new. */
  queueNamed(name: string): ServedQueue;
  /** Sends frames to the client with this routing id. */
  send(identity: Buffer, frames: Buffer[]): void;
}

export type NackOutcome = "requeued" | "dead-lettered";

export class LeaseBook {
  readonly #opts: LeaseBookOptions;
  readonly #leases = new Map<number, Lease>();
  #nextTag = 1;

  constructor(opts: LeaseBookOptions) {
    this.#opts = opts;
  }

  get size(): number {
    return this.#leases.size;
  }

  /** The queues' DeliverFn: leases `message` to `consumer` and sends it. */
  readonly deliver = (queue: ServedQueue, consumer: ConsumerRecord, message: QueuedMessage): void => {
    const tag = this.#nextTag++;
    const leaseMs = this.leaseOf(consumer);
    const lease: Lease = { tag, queue, message, consumer, expiresAt: Date.now() + leaseMs };
    this.#leases.set(tag, lease);
    consumer.leases.set(tag, lease);
    // `attempt` counts from 1: the deliveries that came back before, plus this one.
    this.#opts.send(consumer.session.identity, encodeBroker.deliver(consumer.subId, tag, message.seq, message.attempts + 1, message.body));
  };

  /** How long a consumer's deliveries are leased for (ms). */
  leaseOf(consumer: ConsumerRecord): number {
    return consumer.leaseMs > 0 ? consumer.leaseMs : this.#opts.leaseTimeout;
  }

  /**
   * Moves the end of a lease to `leaseMs` from now (0: the consumer's lease length); the
   * lease length granted, or null when the session holds no such lease.
   */
  extend(session: Session, tag: number, leaseMs: number): number | null {
    const lease = this.#held(session, tag);
    if (lease === null) return null;
    const ms = leaseMs > 0 ? leaseMs : this.leaseOf(lease.consumer);
    lease.expiresAt = Date.now() + ms;
    return ms;
  }

  /** The lease `tag` if `session` holds it. */
  #held(session: Session, tag: number): Lease | null {
    const lease = this.#leases.get(tag);
    return lease !== undefined && lease.consumer.session === session ? lease : null;
  }

  /** Ends a lease with success; false when the session holds no such lease. */
  ack(session: Session, tag: number): boolean {
    const lease = this.#held(session, tag);
    if (lease === null) return false;
    this.#end(lease);
    lease.queue.log.ack(lease.message.seq);
    lease.queue.acks.mark();
    lease.queue.dispatch();
    return true;
  }

  nack(session: Session, tag: number, deadLetter: DeadLetterRequest | null, error: string | null): NackOutcome | null {
    const lease = this.#held(session, tag);
    if (lease === null) return null;
    // A NACK without text still replaces an older reason: that one is no longer the last.
    lease.message.lastError = error ?? undefined;
    return this.giveBack(lease, deadLetter);
  }

  /** Returns every lease of a consumer that is cancelled or whose session ended. */
  releaseConsumer(consumer: ConsumerRecord): void {
    for (const lease of [...consumer.leases.values()]) {
      lease.message.lastError = "returned unacknowledged: its consumer was cancelled or its session ended";
      this.giveBack(lease, null);
    }
  }

  /** Returns the leases past their time; how many. */
  expire(now: number): number {
    let n = 0;
    for (const lease of this.#leases.values()) {
      if (lease.expiresAt > now) continue;
      lease.message.lastError = `lease of ${this.leaseOf(lease.consumer)} ms expired before an ACK`;
      this.giveBack(lease, null);
      n++;
    }
    return n;
  }

  /**
   * A delivery came back: requeue it, or dead-letter it when the consumer asks (`deadLetterNow`)
   * or the message has had its tries.
   */
  giveBack(lease: Lease, deadLetterNow: DeadLetterRequest | null): NackOutcome {
    this.#end(lease);
    const { queue, message } = lease;
    message.attempts++;
    queue.returnedTotal++;
    if (!queue.isDeadLetter && (deadLetterNow !== null || message.attempts >= this.#opts.maxDeliveries)) {
      this.#deadLetter(queue, message, deadLetterNow ?? "max-deliveries");
      lease.consumer.queue.dispatch();
      return "dead-lettered";
    }
    queue.log.returned(message.seq, message.attempts);
    queue.requeue(message);
    return "requeued";
  }

  #end(lease: Lease): void {
    this.#leases.delete(lease.tag);
    lease.consumer.leases.delete(lease.tag);
    lease.queue.unacked--;
  }

  /**
   * Stores the message in the dead-letter queue, and only once that is durable marks it done
   * in its own queue: a crash in between leaves it in both (a duplicate), never in neither.
   */
  #deadLetter(queue: ServedQueue, message: QueuedMessage, reason: DeadLetterReason): void {
    const dlq = this.#opts.queueNamed(deadLetterQueueOf(queue.name));
    const entry = encodeDeadLetter(
      { reason, error: message.lastError ?? null, queue: queue.name, seq: message.seq, attempts: message.attempts, at: new Date().toISOString() },
      message.body,
    );
    queue.moving++;
    dlq.log.append(entry, (err, seq) => {
      queue.moving--;
      if (err !== null) {
        // The dead-letter queue cannot take it; keep it where it is rather than lose it.
        queue.requeue(message);
        return;
      }
      queue.log.ack(message.seq);
      queue.deadLetteredTotal++;
      dlq.puts.mark();
      dlq.push({ seq, body: entry, attempts: 0 });
    });
  }
}
