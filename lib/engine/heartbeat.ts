export interface HeartbeatOptions {
  /** Send a PING this often (ms); 0: never. */
  heartbeatInterval: number;
  /** The TTL our PINGs ask the peer to apply to us (ms). */
  heartbeatTimeToLive: number;
  /** Drop the peer when a PING gets no traffic back within this (ms); -1: the interval. */
  heartbeatTimeout: number;
}

/**
 * The ZMTP 3.1 heartbeat of one connection: an interval timer sends PINGs and notices a peer
 * that stops answering them; a one-shot timer applies the TTL the peer's own PINGs ask for.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  /** Bytes came since our last PING (a flag, not a time: a read costs no clock call). */
  private heard = false;
  private pingSentAt = 0;
  /** Armed by a PING with a TTL, as libzmq's: it fires once, and any frame cancels it. */
  private ttlTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: HeartbeatOptions,
    private readonly sendPing: (ttlDeciseconds: number) => void,
    private readonly expire: (reason: string) => void,
  ) {}

  /** Any bytes from the peer count as a sign of life. */
  received(): void {
    this.heard = true;
  }

  /** True while a peer's TTL runs: the next frame must cancel it (see `frame`). */
  get ttlArmed(): boolean {
    return this.ttlTimer !== null;
  }

  /** A frame arrived: the peer's TTL, if one runs, no longer applies. */
  frame(): void {
    if (this.ttlTimer !== null) clearTimeout(this.ttlTimer);
    this.ttlTimer = null;
  }

  /** The peer sent a PING with this TTL (tenths of a second). */
  peerPing(ttlDeciseconds: number): void {
    if (ttlDeciseconds <= 0 || this.ttlTimer !== null) return;
    this.ttlTimer = setTimeout(() => {
      this.ttlTimer = null;
      this.expire("peer TTL expired");
    }, ttlDeciseconds * 100);
    this.ttlTimer.unref?.();
  }

  peerPong(): void {
    this.pingSentAt = 0;
  }

  start(): void {
    if (this.timer !== null || this.options.heartbeatInterval <= 0) return;
    this.timer = setInterval(() => this.tick(), this.options.heartbeatInterval);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.frame();
  }

  private tick(): void {
    const now = Date.now();
    const o = this.options;
    const timeout = o.heartbeatTimeout >= 0 ? o.heartbeatTimeout : o.heartbeatInterval;
    if (this.pingSentAt > 0 && now - this.pingSentAt > timeout && !this.heard) {
      this.expire("heartbeat timed out");
      return;
    }
    if (this.pingSentAt === 0 || this.heard) {
      this.pingSentAt = now;
      this.heard = false;
      this.sendPing(o.heartbeatTimeToLive / 100);
    }
  }
}
