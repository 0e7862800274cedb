/**
 * wiremq queue, topic and subscription names as JetStream stream, consumer and subject names.
 * JetStream refuses dots, spaces, `*`, `>`, slashes and control characters in stream and
 * consumer names (and a dot splits a subject into tokens), so each name is escaped: ASCII
 * letters, digits and `-` stay, every other UTF-8 byte becomes `_` and two hex digits. The
 * mapping is reversible, so a stream listed on the server names its queue.
 */
import { zmqError } from "../../errors.js";
import { isDeadLetterQueue } from "../model.js";

const KEEP = /^[A-Za-z0-9-]$/;
/** nats-server 2.9 keeps a stream in a directory of its name: stay under the usual 255. */
const MAX_ESCAPED = 240;

export function escapeName(name: string): string {
  let out = "";
  for (const ch of name) {
    if (KEEP.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, "utf8")) out += `_${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  if (out.length > MAX_ESCAPED) throw zmqError("EINVAL", `bad name: "${name}" is ${out.length} characters once escaped for JetStream (at most ${MAX_ESCAPED})`);
  return out;
}

export function unescapeName(escaped: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    const ch = escaped[i]!;
    if (ch === "_") {
      const hex = escaped.slice(i + 1, i + 3);
      if (!/^[0-9A-F]{2}$/.test(hex)) throw zmqError("EINVAL", `not an escaped name: ${escaped}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (KEEP.test(ch)) {
      bytes.push(ch.charCodeAt(0));
    } else {
      throw zmqError("EINVAL", `not an escaped name: ${escaped}`);
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Where a queue's messages live on JetStream, and the durable consumer that hands them out. */
export interface QueuePlace {
  stream: string;
  subject: string;
  durable: string;
  /** A durable topic subscription (interest retention) rather than a work queue. */
  topic: boolean;
}

/** The durable consumer every client of a work queue shares (competing consumers). */
const QUEUE_CONSUMER = "wiremq";

export function queueStream(queue: string): string {
  return `Q_${escapeName(queue)}`;
}

export function queueSubject(queue: string): string {
  return `wmq.q.${escapeName(queue)}`;
}

export function topicStream(topic: string): string {
  return `T_${escapeName(topic)}`;
}

export function topicSubject(topic: string): string {
  return `wmq.t.${escapeName(topic)}`;
}

export function subscriptionConsumer(subscription: string): string {
  return `S_${escapeName(subscription)}`;
}

/**
 * The place of a name given to consume(): `topic@subscription` is a durable subscription's
 * queue (as on the embedded broker), a dead-letter queue and any other name a work queue.
 */
export function placeOf(queue: string): QueuePlace {
  const at = queue.indexOf("@");
  if (at > 0 && !isDeadLetterQueue(queue)) {
    const topic = queue.slice(0, at);
    return { stream: topicStream(topic), subject: topicSubject(topic), durable: subscriptionConsumer(queue.slice(at + 1)), topic: true };
  }
  return { stream: queueStream(queue), subject: queueSubject(queue), durable: QUEUE_CONSUMER, topic: false };
}

/** The wiremq name a stream holds, or undefined for a stream wiremq did not make. */
export function nameOfStream(stream: string): { kind: "queue" | "topic"; name: string } | undefined {
  const m = /^([QT])_(.+)$/.exec(stream);
  if (m === null) return undefined;
  try {
    return { kind: m[1] === "Q" ? "queue" : "topic", name: unescapeName(m[2]!) };
  } catch {
    return undefined;
  }
}
