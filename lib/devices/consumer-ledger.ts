/**
 * The buffering device's book of consumers. A consumer asks for each message (REQ, or a
 * DEALER sending an empty delimiter and a body); its next request acknowledges the message it
 * got before. A request whose body is `DONE` only acknowledges: it is answered with an empty
 * message, so a consumer can leave holding nothing. A message is forgotten only when
 * acknowledged; one not acknowledged within `ackTimeout` goes back to the front of the queue,
 * and its consumer is taken for gone.
 */
export const DONE = "DONE";
interface Consumer {
  /** The frames to put before a reply: the routing id and, for REQ, the empty delimiter. */
  envelope: Buffer[];
  outstanding: Buffer[] | null;
  /** Order in which outstanding messages were handed out. */
  seq: number;
  timer: NodeJS.Timeout | null;
}

export interface LedgerHooks {
  /** A message whose consumer went silent: put it back at the front. */
  requeue(msg: Buffer[]): void;
  /** A consumer acknowledged `msg`: it may be forgotten. */
  acknowledged(msg: Buffer[]): void;
}

export class ConsumerLedger {
  readonly #consumers = new Map<string, Consumer>();
  /** Consumers with a request open and nothing sent to them yet, oldest first. */
  readonly #waiting: string[] = [];
  readonly #ackTimeout: number;
  readonly #hooks: LedgerHooks;
  #assigned = 0;
  acknowledged = 0;
  redelivered = 0;

  constructor(ackTimeout: number, hooks: LedgerHooks) {
    this.#ackTimeout = ackTimeout;
    this.#hooks = hooks;
  }

  /** Messages handed out and not acknowledged yet. */
  get outstanding(): number {
    let n = 0;
    for (const c of this.#consumers.values()) if (c.outstanding !== null) n++;
    return n;
  }

  /** Consumers waiting for a message. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * A request from a consumer (as ROUTER gives it: routing id first): acknowledges what it
   * holds and puts it in line for the next message. For a `DONE` request, returns the
   * answer to send at once instead.
   */
  request(msg: Buffer[]): Buffer[] | null {
    const envelope = envelopeOf(msg);
    const key = envelope[0]!.toString("latin1");
    let consumer = this.#consumers.get(key);
    if (consumer === undefined) {
      consumer = { envelope, outstanding: null, seq: 0, timer: null };
      this.#consumers.set(key, consumer);
    } else {
      consumer.envelope = envelope;
    }
    if (consumer.outstanding !== null) {
      this.acknowledged++;
      this.#hooks.acknowledged(consumer.outstanding);
      consumer.outstanding = null;
      clearTimeout(consumer.timer!);
      consumer.timer = null;
    }
    const body = msg.slice(envelope.length);
    if (body.length === 1 && body[0]!.toString("latin1") === DONE) {
      this.#consumers.delete(key);
      const i = this.#waiting.indexOf(key);
      if (i >= 0) this.#waiting.splice(i, 1);
      return [...envelope, Buffer.alloc(0)];
    }
    if (!this.#waiting.includes(key)) this.#waiting.push(key);
    return null;
  }

  /**
   * Hands `msg` to the longest-waiting consumer and starts its acknowledgement clock; returns
   * the frames to send (envelope + message), or null when nobody waits.
   */
  assign(msg: Buffer[]): Buffer[] | null {
    const key = this.#waiting.shift();
    if (key === undefined) return null;
    const consumer = this.#consumers.get(key)!;
    consumer.outstanding = msg;
    consumer.seq = this.#assigned++;
    consumer.timer = setTimeout(() => this.#expire(key), this.#ackTimeout);
    return [...consumer.envelope, ...msg];
  }

  /** A send to this consumer failed at once (it is gone): take its message back now. */
  unreachable(frames: Buffer[]): void {
    this.#expire(frames[0]!.toString("latin1"));
  }

  /** Messages handed out and not acknowledged, oldest first (for a clean shutdown). */
  takeOutstanding(): Buffer[][] {
    const held: Consumer[] = [];
    for (const consumer of this.#consumers.values()) {
      if (consumer.timer !== null) clearTimeout(consumer.timer);
      if (consumer.outstanding !== null) held.push(consumer);
    }
    this.#consumers.clear();
    this.#waiting.length = 0;
    return held.sort((a, b) => a.seq - b.seq).map((c) => c.outstanding!);
  }

  #expire(key: string): void {
    const consumer = this.#consumers.get(key);
    if (consumer === undefined) return;
    this.#consumers.delete(key);
    const i = this.#waiting.indexOf(key);
    if (i >= 0) this.#waiting.splice(i, 1);
    if (consumer.timer !== null) clearTimeout(consumer.timer);
    if (consumer.outstanding !== null) {
      this.redelivered++;
      this.#hooks.requeue(consumer.outstanding);
    }
  }
}

/** Everything up to and including the first empty frame, or the routing id alone. */
function envelopeOf(msg: Buffer[]): Buffer[] {
  for (let i = 1; i < msg.length; i++) if (msg[i]!.length === 0) return msg.slice(0, i + 1);
  return msg.slice(0, 1);
}
