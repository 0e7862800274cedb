/**
 * Queue, topic and subscription names: what a client may send, and the names the broker
 * derives from them (a queue's dead-letter queue, a durable subscription's queue).
 */

/** Longest name in UTF-8 bytes; derived names must fit too, so user names leave room. */
export const MAX_NAME_BYTES = 200;

// Control characters would make names unprintable in stats and logs; the rest of Unicode
// is fine because names never become file names directly (see store/disk-store.ts).
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

/** Where messages of `queue` go after too many failed deliveries. */
export function deadLetterQueueOf(queue: string): string {
  return `${queue}.dlq`;
}

/** The queue that holds the messages of durable subscription `subscription` to `topic`. */
export function subscriptionQueueOf(topic: string, subscription: string): string {
  return `${topic}@${subscription}`;
}
