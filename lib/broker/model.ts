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
  /** Why its last delivery came back (NACK text, lease expiry); in memory only, lost at a restart. */
  lastError?: string;
}

/** Something recovery found wrong in a queue's files, and what it did about it. */
export interface RecoveryIssue {
  file: string;
  /** Byte offset of the first byte that could not be read (0 for a missing file). */
  offset: number;
  damage: "truncated" | "checksum" | "bad-length" | "bad-type" | "bad-magic" | "missing-segment" | "missing-name" | "unclean-stop";
  /**
   * cut: a segment's damaged end was moved to `keptAs` and the segment ends before it;
   * skipped: damaged bytes in the middle were moved to `keptAs` and reading went on at the
   *   next intact record;
   * set-aside: a file or directory that cannot be read was renamed to `keptAs`;
   * reported: a segment file is missing; its messages (`seqs`) are lost; or (`unclean-stop`) the
   *   last run under sync `none` did not stop cleanly, so the writes of its last moments may
   *   be lost (a power cut); new seqs skip 2^32 so none is given twice;
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

/** `Broker.stats()`, and what `BrokerClient.stats()` gives. */
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

/** Why a message was moved to its queue's dead-letter queue. */
export type DeadLetterReason = "nack" | "max-deliveries" | "decode-error";

/** What a dead-letter entry says about the message it holds (PROTOCOL.md, "Dead letters"). */
export interface DeadLetterInfo {
  reason: DeadLetterReason;
  /** The last error a consumer gave (its NACK text, or why its lease ended); null when none was given. */
  error: string | null;
  /** The queue the message came from, and its sequence number there. */
  queue: string;
  seq: number;
  /** Deliveries of the message before it was dead-lettered. */
  attempts: number;
  /** When it was dead-lettered (ISO 8601). */
  at: string;
}

/** First bytes of a dead-letter entry: a NUL first, so no JSON or text body is mistaken for one. */
const DEAD_LETTER_MAGIC = Buffer.from([0x00, 0x57, 0x44, 0x4c, 0x01]); // NUL "WDL" 1

/** A dead-letter entry: magic, u32 header length, the JSON header, then the original body. */
export function encodeDeadLetter(info: DeadLetterInfo, body: Buffer): Buffer {
  const header = Buffer.from(JSON.stringify(info), "utf8");
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32BE(header.length, 0);
  return Buffer.concat([DEAD_LETTER_MAGIC, length, header, body]);
}

/** The info and original body of a dead-letter entry; null for any other body. */
export function decodeDeadLetter(entry: Buffer): { info: DeadLetterInfo; body: Buffer } | null {
  const start = DEAD_LETTER_MAGIC.length + 4;
  if (entry.length < start || !entry.subarray(0, DEAD_LETTER_MAGIC.length).equals(DEAD_LETTER_MAGIC)) return null;
  const end = start + entry.readUInt32BE(DEAD_LETTER_MAGIC.length);
  if (end > entry.length) return null;
  try {
    const info = JSON.parse(entry.subarray(start, end).toString("utf8")) as DeadLetterInfo;
    if (typeof info !== "object" || info === null || typeof info.reason !== "string") return null;
    return { info, body: entry.subarray(end) };
  } catch {
    return null;
  }
}
