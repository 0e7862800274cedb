/**
 * libzmq's reconnect schedule, shared by every dialer (tcp/ipc, ws in Node, the browser's
 * WebSocket): wait reconnectInterval plus up to as much again of jitter; with a
 * reconnectMaxInterval above it, double the wait each failure up to that maximum; -1: never.
 */
export interface ReconnectOptions {
  readonly reconnectInterval: number;
  readonly reconnectMaxInterval: number;
}

export class ReconnectSchedule {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private interval: number;

  /** `options` is read at each use, so a change to the socket's options applies to the next wait. */
  constructor(private readonly options: ReconnectOptions) {
    this.interval = options.reconnectInterval;
  }

  /** A connection came up: the next wait starts from reconnectInterval again. */
  reset(): void {
    this.interval = this.options.reconnectInterval;
  }

  /**
   * Calls `redial` after the next wait and returns that wait; null when reconnecting is off or
   * a redial is already scheduled. The timer does not hold the event loop.
   */
  schedule(redial: () => void): number | null {
    if (this.timer !== null) return null;
    const base = this.options.reconnectInterval;
    if (base < 0) return null;
    const jitter = base > 0 ? Math.floor(Math.random() * base) : 0;
    const max = this.options.reconnectMaxInterval;
    const wait = max > 0 && this.interval >= max ? max : this.interval + jitter;
    if (max > base) this.interval = Math.min(this.interval * 2, max);
    this.timer = setTimeout(() => {
      this.timer = null;
      redial();
    }, wait);
    (this.timer as { unref?: () => void }).unref?.();
    return wait;
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
