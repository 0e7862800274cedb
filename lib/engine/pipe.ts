import { Queue } from "../util/queue.js";

/** A message: its frames in order. */
export type Msg = Buffer[];

/** What a pipe tells the socket that owns it. */
export interface PipeOwner {
  /** The pipe's inbound queue went from empty to non-empty. */
  onPipeReadable(pipe: Pipe): void;
  /** The pipe has room again after being full. */
  onPipeWritable(pipe: Pipe): void;
  /** The peer is gone for good; inbound messages may still be waiting to be read. */
  onPipeTerminated(pipe: Pipe): void;
}

/** The connection serving a pipe's outbound side (a StreamEngine). */
export interface PipeDriver {
  /** Outbound messages are waiting: schedule a flush. */
  kick(): void;
  /** Many outbound messages are waiting: write what the connection can take, now. */
  flushNow(): void;
  /** The socket read enough that the connection may read again. */
  resumeReading(): void;
  /** Ends the connection at once (ROUTER handover drops the displaced peer). */
  destroy(): void;
  /** The pipe ended on this side (a link to another thread tells its peer). */
  ended?(): void;
}

/**
 * The channel between a socket and one peer. Outbound messages wait in `out` until the engine
 * takes them (or go straight to the peer's inbound for inproc); inbound messages wait in `in`
 * until the socket reads them. High-water marks are counted in messages, as in libzmq.
 */
export class Pipe {
  readonly in = new Queue<Msg>();
  readonly out = new Queue<Msg>();
  owner: PipeOwner | null = null;
  driver: PipeDriver | null = null;
  /** inproc: the other end; writes land in its inbound queue. */
  peer: Pipe | null = null;
  /** The peer's routing id (from its Identity property, or generated). */
  routingId: Buffer | null = null;
  /** The peer's handshake metadata, keys lower-cased. */
  properties: Map<string, Buffer> = new Map();
  /** The peer is gone; no more writes. */
  terminated = false;
  /** The peer ended its side: what is queued is being written, no new message is taken. */
  ending = false;
  /** The owner waits for room (set when a write found the pipe full). */
  wantWritable = false;
  /** The engine paused its reader because `in` reached the receive HWM. */
  readPaused = false;
  /** Opaque slot for the owning socket's per-pipe state (routing table, subscriptions...). */
  slot: unknown = undefined;
  /** Keep only the newest inbound message (the `conflate` option). */
  conflate = false;
  /** The endpoint this pipe came from (for events and disconnect()). */
  endpoint = "";
  /** Messages a link to another thread handed over that the peer has not reported read. */
  unread = 0;
  /**
   * Set by a socket that answers one message with one (REQ, REP): a write with nothing else
   * queued and nothing waiting to be read goes to the connection at once, as no other message
   * could join it in a batch this turn and waiting for the next turn only adds to the round trip.
   */
  writeThrough = false;
  /** Told of every write, when the pipe leads to another thread (thread-outbox.ts orders them). */
  onWrite: ((pipe: Pipe) => void) | null = null;

  constructor(
    public sendHwm: number,
    public receiveHwm: number,
  ) {}

  /** Room for one more message under the send HWM (0 = unlimited). */
  get hasRoom(): boolean {
    if (this.terminated || this.ending) return false;
    const peer = this.peer;
    if (peer !== null) {
      const theirs = peer.receiveHwm;
      // theirs < 0: the peer end of a connect whose name is not bound yet; until a binder takes
      // it, only our own send HWM counts (libzmq adds the binder's receive HWM when it binds).
      const hwm = this.sendHwm <= 0 || theirs === 0 ? 0 : theirs < 0 ? this.sendHwm : this.sendHwm + theirs;
      return hwm === 0 || peer.in.length < hwm;
    }
    return this.sendHwm <= 0 || this.out.length + this.unread < this.sendHwm;
  }

  /** Queues a message; the caller checked `hasRoom` (or its type drops instead of waiting). */
  write(msg: Msg): void {
    const peer = this.peer;
    if (peer !== null) {
      peer.deliver(msg);
      this.onWrite?.(this);
      return;
    }
    this.out.push(msg);
    this.onWrite?.(this);
    const driver = this.driver;
    if (driver === null) return;
    const n = this.out.length;
    if (n === 1) {
      // While requests wait to be read (a DEALER's to a REP), replies gather in one write.
      if (this.writeThrough && this.in.length === 0) driver.flushNow();
      else driver.kick();
    }
    else if (n >= this.syncFlushAt) {
      // A sender that never yields (await on an already-resolved send) would otherwise fill
      // the queue before the flush scheduled for the next turn runs; write a batch now.
      driver.flushNow();
    }
  }

  /**
   * Queue depth at which a write flushes at once instead of waiting for the next turn. A sender
   * yields the event loop after at most 512 sends (turn-budget.ts), and the flush scheduled for
   * that turn writes them in one go; flushing earlier split each turn's write in two (500 + 12
   * messages at the default HWM). So only a queue that could reach the HWM within a turn is
   * flushed early, at three quarters of it.
   */
  private get syncFlushAt(): number {
    return this.sendHwm > 0 ? Math.max(2, this.sendHwm - (this.sendHwm >>> 2)) : 1024;
  }

  /** An inbound message arrived from the peer. */
  deliver(msg: Msg): void {
    if (this.conflate && this.in.length > 0) {
      // Only the newest message is kept; the reader was already told the pipe is readable.
      this.in.clear();
      this.in.push(msg);
      return;
    }
    this.in.push(msg);
    if (this.in.length === 1 && this.owner !== null) this.owner.onPipeReadable(this);
  }

  /** Inbound is at or over the receive HWM: the engine should stop reading. */
  get inboundFull(): boolean {
    return this.receiveHwm > 0 && this.in.length >= this.receiveHwm;
  }

  read(): Msg | undefined {
    const msg = this.in.shift();
    if (msg === undefined) return undefined;
    const peer = this.peer;
    if (peer !== null) {
      if (peer.wantWritable && peer.hasRoom) {
        peer.wantWritable = false;
        peer.owner?.onPipeWritable(peer);
      }
    } else if (this.readPaused && this.in.length <= this.receiveHwm >>> 1) {
      this.readPaused = false;
      this.driver?.resumeReading();
    }
    return msg;
  }

  /** The engine took messages from `out`; wake a writer waiting for room. */
  drained(): void {
    if (this.wantWritable && this.hasRoom) {
      this.wantWritable = false;
      this.owner?.onPipeWritable(this);
    }
  }

  /** The peer is gone for good. */
  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    const driver = this.driver;
    this.driver = null;
    driver?.ended?.();
    const peer = this.peer;
    this.out.clear();
    this.owner?.onPipeTerminated(this);
    if (peer !== null && !peer.terminated) peer.terminate();
  }
}

/** Two pipes joined back to back, for inproc. */
export function pipePair(aHwm: [number, number], bHwm: [number, number]): [Pipe, Pipe] {
  const a = new Pipe(aHwm[0], aHwm[1]);
  const b = new Pipe(bHwm[0], bHwm[1]);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
