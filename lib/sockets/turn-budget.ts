/**
 * How many sends or receives may complete synchronously in one event-loop turn. A loop of
 * `await sock.send()` on a socket with room never leaves the microtask queue, so timers and
 * I/O would starve for as long as it runs; past the budget, the operation still happens but its
 * promise settles on the next turn (setImmediate), which gives the loop its turn.
 */
export class TurnBudget {
  private used = 0;
  private resetScheduled = false;

  constructor(private readonly perTurn: number) {}

  /** Counts one operation; true when this turn's budget is spent and the caller should yield. */
  spend(): boolean {
    if (!this.resetScheduled) {
      this.resetScheduled = true;
      setImmediate(this.reset);
    }
    return ++this.used > this.perTurn;
  }

  private readonly reset = (): void => {
    this.used = 0;
    this.resetScheduled = false;
  };
}

/** Resolves with `value` on the next turn of the event loop. */
export function nextTurn<T>(value: T): Promise<T> {
  return new Promise((resolve) => setImmediate(resolve, value));
}
