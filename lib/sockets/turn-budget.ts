/**
 * How many sends and receives on one socket may complete at once, one after another, before
 * the next is settled on a later turn of the event loop. A loop of `await sock.send()` on a
 * socket with room never leaves the microtask queue, so timers and I/O would starve for as
 * long as it runs. As zeromq does (its `max_sync_operations`, 512, shared by send and
 * receive): past the budget, the operation still happens but its promise settles on the
 * next turn (setImmediate), and the count starts over; it also starts over whenever an
 * operation had to wait, since a wait gives the loop its turn anyway.
 */
export class TurnBudget {
  private used = 0;

  constructor(private readonly limit: number) {}

  /** Counts one operation completed at once; true when it is past the budget and should settle on the next turn. */
  spend(): boolean {
    if (++this.used <= this.limit) return false;
    this.used = 0;
    return true;
  }

  /** An operation waited: the loop had its turn. */
  restart(): void {
    this.used = 0;
  }
}

/** Resolves with `value` on the next turn of the event loop. */
export function nextTurn<T>(value: T): Promise<T> {
  return new Promise((resolve) => setImmediate(resolve, value));
}
