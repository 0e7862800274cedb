/** What a handshake deadline ends when it passes. */
export interface HandshakeTimed {
  handshakeExpired(): void;
}

/** One connection's place in its queue; cancelling empties it, and the queue drops it later. */
export interface HandshakeDeadline {
  readonly at: number;
  owner: HandshakeTimed | null;
}

/**
 * The handshake deadlines of every connection given the same handshakeInterval. They are added
 * in the order they fall due, so one timer, armed for the oldest, serves all of them: a storm of
 * accepted peers costs no timer per connection to arm and to clear (clearing one in the handshake
 * was about a twentieth of a ROUTER's CPU while thousands connected at once).
 */
class DeadlineQueue {
  private entries: HandshakeDeadline[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly ms: number) {}

  add(owner: HandshakeTimed): HandshakeDeadline {
    const entry: HandshakeDeadline = { at: performance.now() + this.ms, owner };
    this.entries.push(entry);
    if (this.timer === null) this.arm(entry.at);
    return entry;
  }

  private arm(at: number): void {
    this.timer = setTimeout(this.fire, Math.max(0, Math.ceil(at - performance.now())));
    // As the per-connection timer it replaces: a handshake in progress does not hold the process.
    this.timer.unref?.();
  }

  private readonly fire = (): void => {
    this.timer = null;
    const now = performance.now();
    const entries = this.entries;
    // A timer may fire a little early by this clock: what is due within a millisecond is due.
    while (this.head < entries.length && entries[this.head]!.at <= now + 1) {
      const owner = entries[this.head]!.owner;
      entries[this.head++] = CANCELLED;
      owner?.handshakeExpired();
    }
    // Cancelled entries at the front need no wake-up of their own.
    while (this.head < entries.length && entries[this.head]!.owner === null) entries[this.head++] = CANCELLED;
    if (this.head === entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > entries.length) {
      this.entries = entries.slice(this.head);
      this.head = 0;
    }
    if (this.timer === null && this.head < this.entries.length) this.arm(this.entries[this.head]!.at);
  };
}

const CANCELLED: HandshakeDeadline = { at: 0, owner: null };
const queues = new Map<number, DeadlineQueue>();

/** Calls `owner.handshakeExpired()` after `ms` unless the returned deadline is cancelled first. */
export function handshakeDeadline(ms: number, owner: HandshakeTimed): HandshakeDeadline {
  let queue = queues.get(ms);
  if (queue === undefined) {
    queue = new DeadlineQueue(ms);
    queues.set(ms, queue);
  }
  return queue.add(owner);
}

/** The handshake finished or the connection ended: the deadline no longer applies. Returns null, for the holder's field. */
export function cancelDeadline(deadline: HandshakeDeadline | null): null {
  if (deadline !== null) deadline.owner = null;
  return null;
}
