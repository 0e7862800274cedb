/**
 * What the broker needs from a store: a log per queue, the queues found at start with the
 * messages they still hold, and the durable topic subscriptions. Two stores implement it:
 * DiskStore (segment files) and MemoryStore (tests, or a broker that may lose everything).
 */
import type { RecoveryIssue } from "../../model.js";

/** A message recovery found not yet done. */
export interface RecoveredMessage {
  seq: number;
  body: Buffer;
  /** Deliveries that came back (NACK, lease expiry, consumer gone) before the restart. */
  attempts: number;
}

export interface QueueLog {
  /**
   * Stores a message and returns its sequence number at once; `done` runs once the
   * message is as durable as the sync policy asks (or with the error that prevented it).
   */
  append(body: Buffer, done: (err: Error | null, seq: number) => void): number;
  /** The message is done (acknowledged, or moved to a dead-letter queue): never again. */
  ack(seq: number): void;
  /** A delivery came back; the attempt count survives a restart (best effort, not awaited). */
  returned(seq: number, attempts: number): void;
  readonly segmentCount: number;
  readonly bytes: number;
  /** Why the last write failed, while it has not succeeded since (the next append retries). */
  readonly writeError: Error | null;
  readonly writeFailures: number;
  close(): Promise<void>;
}

export interface RecoveredQueue {
  name: string;
  log: QueueLog;
  /** Oldest first. */
  messages: RecoveredMessage[];
}

/** Durable subscriptions: topic → subscription names. */
export type TopicSubscriptions = Map<string, Set<string>>;

export interface StoreDescription {
  kind: "disk" | "memory";
  dataDir: string | null;
  sync: string;
}

export interface Store {
  /** Recovers every queue; call once, before anything else. */
  open(): Promise<RecoveredQueue[]>;
  /** The log of a queue that does not exist yet (created on first use). */
  createQueue(name: string): QueueLog;
  loadTopics(): Promise<TopicSubscriptions>;
  saveTopics(topics: TopicSubscriptions): Promise<void>;
  /** What recovery found damaged, and what it did. */
  readonly issues: readonly RecoveryIssue[];
  describe(): StoreDescription;
  close(): Promise<void>;
}
