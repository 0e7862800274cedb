export interface HeartbeatOptions {
  /** Send a PING this often (ms); 0: never. */
  heartbeatInterval: number;
  /** The TTL our PINGs ask the peer to apply to us (ms). */
  heartbeatTimeToLive: number;
  /** Drop the peer when a PING gets no traffic back within this (ms); -1: the interval. */
  heartbeatTimeout: number;
}

/**
 * The ZMTP 3.1 heartbeat of one connection, on one interval timer: sends PINGs, notices a
 * peer that stops answering them, and applies the TTL the peer's own PINGs ask for.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private lastReceived = 0;
  private pingSentAt = 0;
  private peerTtl = 0;

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly sendPing: (ttlDeciseconds: number) => void,
    private readonly expire: (reason: string) => void,
  ) {}

  /** Any bytes from the peer count as a sign of life. */
  received(now: number): void {
    this.lastReceived = now;
  }

  /** The peer sent a PING with this TTL (tenths of a second). */
  peerPing(ttlDeciseconds: number): void {
    this.peerTtl = ttlDeciseconds * 100;
    if (this.peerTtl > 0) this.start();
  }

  peerPong(): void {
    this.pingSentAt = 0;
  }

  start(): void {
    if (this.timer !== null) return;
    const ivl = this.options.heartbeatInterval;
    const period = ivl > 0 ? ivl : Math.max(100, this.peerTtl >>> 1);
    this.timer = setInterval(() => this.tick(), period);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const now = Date.now();
    const o = this.options;
    if (this.peerTtl > 0 && now - this.lastReceived > this.peerTtl) {
      this.expire("peer TTL expired");
      return;
    }
    if (o.heartbeatInterval <= 0) return;
    const timeout = o.heartbeatTimeout >= 0 ? o.heartbeatTimeout : o.heartbeatInterval;
    if (this.pingSentAt > 0 && now - this.pingSentAt > timeout && this.lastReceived < this.pingSentAt) {
      this.expire("heartbeat timed out");
      return;
    }
    if (this.pingSentAt === 0 || this.lastReceived >= this.pingSentAt) {
      this.pingSentAt = now;
      this.sendPing(o.heartbeatTimeToLive / 100);
    }
  }
}
