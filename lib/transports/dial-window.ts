/**
 * How many connections this process has dialing one listener at once. A connection holds its
 * place from the connect until the listener's first bytes arrive (its greeting: the listener
 * has taken the connection off its queue), its handshake is done, or the attempt ends; the
 * connects over the limit wait for a place, in order.
 *
 * Why: a listener's kernel queue holds `backlog` connections it has not accepted yet (libzmq's
 * default is 100). A loop of thousands of connect()s to one address outruns a listener that
 * sets each connection up before it takes the next (Node accepts one connection per event-loop
 * turn): the queue fills, the kernel drops further SYNs, and those peers wait out TCP's
 * retransmission back-off (1 s, then 3 s, 7 s…) long after the listener could have taken them.
 * With at most this many connections waiting on the listener, the connects go out as fast as it
 * takes them and its queue never overflows on this process's account (64 leaves room under
 * libzmq's default backlog). A dialer that is alone, the usual case, never waits.
 */
export const HANDSHAKES_IN_FLIGHT = 64;

interface Window {
  open: number;
  readonly waiting: Set<DialTicket>;
}

const windows = new Map<string, Window>();

/** One connection attempt's place in its listener's window. */
export class DialTicket {
  private state: "new" | "waiting" | "holding" | "done" = "new";

  constructor(
    private readonly key: string,
    private readonly start: () => void,
  ) {}

  /** Starts the attempt now if the listener has room, else when a place frees. */
  enter(): void {
    if (this.state !== "new") return;
    let w = windows.get(this.key);
    if (w === undefined) windows.set(this.key, (w = { open: 0, waiting: new Set() }));
    if (w.open < HANDSHAKES_IN_FLIGHT) {
      w.open++;
      this.state = "holding";
      this.start();
    } else {
      this.state = "waiting";
      w.waiting.add(this);
    }
  }

  /** The listener answered, the handshake is done, or the attempt ended (or will never start): frees the place. */
  release(): void {
    const was = this.state;
    this.state = "done";
    const w = windows.get(this.key);
    if (w === undefined) return;
    if (was === "waiting") w.waiting.delete(this);
    else if (was === "holding") {
      w.open--;
      const next = w.waiting.values().next();
      if (!next.done) {
        w.waiting.delete(next.value);
        w.open++;
        next.value.state = "holding";
        next.value.start();
      }
    }
    if (w.open === 0 && w.waiting.size === 0) windows.delete(this.key);
  }
}

/** Listeners with connections dialing or waiting to (for tests: 0 once every attempt ended). */
export function dialWindowCount(): number {
  return windows.size;
}
