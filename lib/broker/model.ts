/**
 * What the broker and its client both speak of: queue, topic and subscription names (what a
 * client may send, and the names the broker derives from them), a stored message, and the
 * figures the broker reports. Imports nothing of server/ or client/, so both build on it.
 */

/** Longest name in UTF-8 bytes; derived names must fit too, so user names leave room. */
export const MAX_NAME_BYTES = 200;

// Control characters would make names unprintable in stats and logs; the rest of Unicode
// is fine because names never become file names directly (see server/store/disk-store.ts).
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Null when `name` is a valid queue or topic name, else why not. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return "empty name";
  if (Buffer.byteLength(name, "utf8") > MAX_NAME_BYTES) return `name longer than ${MAX_NAME_BYTES} bytes`;
  if (CONTROL.test(name)) return "control character in name";
  return null;
}

/** Null when `name` can name a topic or a durable subscription (no `@`: it joins the two). */
export function subscriptionNameProblem(name: string): string | null {
  if (name.includes("@")) return "'@' in topic or subscription name";
  return nameProblem(name);
}

const DEAD_LETTER_SUFFIX = ".dlq";

/** Where messages of `queue` go after too many failed deliveries. */
export function deadLetterQueueOf(queue: string): string {
  return `${queue}${DEAD_LETTER_SUFFIX}`;
}

/** True for a dead-letter queue, whose messages are never dead-lettered again. */
export function isDeadLetterQueue(queue: string): boolean {
  return queue.endsWith(DEAD_LETTER_SUFFIX);
}

/** The queue that holds the messages of durable subscription `subscription` to `topic`. */
export function subscriptionQueueOf(topic: string, subscription: string): string {
  return `${topic}@${subscription}`;
}

/**
 * Null when `queue` can hold messages: its name is valid and so is the name of the dead-letter
 * queue it may need later (a name that fits today must not fail on its first dead letter).
 */
export function queueNameProblem(queue: string): string | null {
  const problem = nameProblem(queue);
  if (problem !== null || isDeadLetterQueue(queue)) return problem;
  if (Buffer.byteLength(deadLetterQueueOf(queue), "utf8") > MAX_NAME_BYTES) {
    return `queue name longer than ${MAX_NAME_BYTES - DEAD_LETTER_SUFFIX.length} bytes: its dead-letter queue (name${DEAD_LETTER_SUFFIX}) must fit in ${MAX_NAME_BYTES}`;
  }
  return null;
}

/** Null when `topic` and `subscription` can make a durable subscription, queue included. */
export function subscriptionProblem(topic: string, subscription: string): string | null {
  const problem = subscriptionNameProblem(topic) ?? subscriptionNameProblem(subscription);
  if (problem !== null) return problem;
  const queueProblem = queueNameProblem(subscriptionQueueOf(topic, subscription));
  return queueProblem === null ? null : `subscription queue ${topic}@${subscription}: ${queueProblem}`;
}

/** A message stored in a queue and not yet done. */
export interface QueuedMessage {
  seq: number;
  body: Buffer;
  /** Deliveries of this message that came back without an ACK. */
  attempts: number;
}

/** Something recovery found wrong in a queue's files, and what it did about it. */
export interface RecoveryIssue {
  file: string;
  /** Byte offset of the first byte that could not be read (0 for a missing file). */
  offset: number;
  damage: "truncated" | "checksum" | "bad-length" | "bad-type" | "bad-magic" | "missing-segment" | "missing-name";
  /**
   * cut: a segment's damaged end was moved to `keptAs` and the segment ends before it;
   * skipped: damaged bytes in the middle were moved to `keptAs` and reading went on at the
   *   next intact record;
   * set-aside: a file or directory that cannot be read was renamed to `keptAs`;
   * reported: a segment file is missing; its messages (`seqs`) are lost;
   * rebuilt: a missing `NAME` file was written again from the name its segments carry.
   */
  action: "cut" | "skipped" | "set-aside" | "reported" | "rebuilt";
  /** Damaged bytes (cut or skipped). */
  bytes?: number;
  /** Where the damaged bytes or files were kept; the broker never deletes it. */
  keptAs?: string;
  /** Sequence numbers that can no longer be read, when they are known. */
  seqs?: { from: number; to: number };
}

/** One queue in `Broker.stats()` and the STATS reply. */
export interface QueueStats {
  name: string;
  /** Messages stored and not done: ready + unacked (+ being moved to the dead-letter queue). */
  depth: number;
  ready: number;
  unacked: number;
  consumers: number;
  /** A dead-letter queue: its messages are requeued on failure, never dead-lettered again. */
  deadLetter: boolean;
  totals: { put: number; delivered: number; acked: number; returned: number; deadLettered: number };
  /** Per second, over the last five seconds. */
  rates: { put: number; deliver: number; ack: number };
  segments: number;
  bytes: number;
  /**
   * ok, or failing: the last write to the queue's log failed (`writeError`; puts were refused
   * with EIO, maybe stored) and the next put tries again.
   */
  storage: "ok" | "failing";
  writeError: string | null;
  /** Writes that failed since the broker started. */
  writeFailures: number;
}

/** `Broker.stats()`, and what `BrokerClient.stats()` gives per broker. */
export interface BrokerStats {
  brokerId: string;
  endpoints: string[];
  startedAt: string;
  uptimeMs: number;
  store: { kind: "disk" | "memory"; dataDir: string | null; sync: string };
  sessions: number;
  consumers: number;
  queues: QueueStats[];
  topics: { topic: string; subscriptions: string[] }[];
  recovery: RecoveryIssue[];
}
