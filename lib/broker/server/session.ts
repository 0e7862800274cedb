/**
 * A client as the broker knows it: its routing id, its session (started by HELLO, kept by
 * any traffic, ended by BYE, a new HELLO, or silence past the heartbeat timeout) and the
 * consumers it opened. A ROUTER does not say when a peer's connection drops, so silence is
 * how the broker learns that a consumer died, as in the zguide's Majordomo pattern.
 */
import { randomBytes } from "node:crypto";
import type { QueuedMessage } from "../model.js";
import type { BrokerQueue } from "./queue.js";

/** A queue of the broker, taking from it the broker's consumer records. */
export type ServedQueue = BrokerQueue<ConsumerRecord>;

/** A message handed to a consumer and not yet acknowledged. */
export interface Lease {
  tag: number;
  queue: ServedQueue;
  message: QueuedMessage;
  consumer: ConsumerRecord;
  expiresAt: number;
}

/**
 * The broker's record of one CONSUME: a session taking messages from a queue within a credit
 * window (the client's side of it is a `BrokerConsumer`).
 */
export interface ConsumerRecord {
  session: Session;
  subId: number;
  queue: ServedQueue;
  /** Most unacknowledged deliveries at once. */
  credit: number;
  leaseMs: number;
  leases: Map<number, Lease>;
}

export class Session {
  readonly id: Buffer = randomBytes(8);
  readonly consumers = new Map<number, ConsumerRecord>();
  lastSeen: number;

  constructor(
    readonly identity: Buffer,
    now: number,
  ) {
    this.lastSeen = now;
  }
}
