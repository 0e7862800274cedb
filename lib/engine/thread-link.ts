import type { Pipe, PipeDriver } from "./pipe.js";

/** The channel a link posts on (lib/transports/inproc-threads.ts makes it). */
export interface LinkPort {
  post(data: unknown): void;
  onMessage: ((data: unknown) => void) | null;
  close(): void;
}

/** The other end's limits, told at the handshake. */
export interface PeerLimits {
  sendHwm: number;
  receiveHwm: number;
}

/** Most payload bytes packed into one post (a bigger single message still goes whole). */
const MAX_BATCH_BYTES = 256 * 1024;

/** Every link still open in this thread, ended when the thread exits. */
const live = new Set<ThreadLink>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // A worker that ends (returns, process.exit(), an uncaught error) runs 'exit': the peers
  // get what was queued and then see the pipe end, as when the socket closes. A worker stopped
  // by worker.terminate() runs nothing, and its peers are not told (no public API reports it).
  const proc = (globalThis as { process?: { on?(event: string, fn: () => void): unknown } }).process;
  proc?.on?.("exit", () => {
    for (const link of [...live]) link.destroy();
  });
}

/**
 * Serves a pipe whose peer is a socket in another thread: the inproc pipe pair, split across a
 * channel. Outbound messages wait in the pipe's `out` and go over in batches, several messages
 * packed into one ArrayBuffer per post (a post costs microseconds; a 16 B message alone would
 * be all overhead). Packing is the one copy on the way; the receiver's frames are views into
 * the batch it got.
 *
 * High-water marks as libzmq's inproc: a sender may have its send HWM queued here plus the
 * receiver's receive HWM in flight, counted until the receiver reads them. The receiver reports
 * how many it has read (a cumulative count, at most every quarter of its HWM, and whenever it
 * has read all), which lets the sender post more. With either mark 0 nothing is counted.
 *
 * Messages: an ArrayBuffer is a batch, a number is the receiver's read count, "end" ends it.
 */
export class ThreadLink implements PipeDriver {
  private closed = false;
  private flushScheduled = false;
  /** Messages posted to the peer, and how many of them it reported read. */
  private posted = 0;
  private peerRead = 0;
  /** Messages delivered into the pipe from the peer, and the read count last reported. */
  private delivered = 0;
  private reported = 0;
  private readonly batch: Buffer[][] = [];

  constructor(
    private readonly port: LinkPort,
    private readonly pipe: Pipe,
    private readonly peer: PeerLimits,
  ) {
    pipe.driver = this;
    pipe.connected = true;
    port.onMessage = (data) => this.onMessage(data);
    live.add(this);
    hookExit();
  }

  /** Messages the peer may still take: its receive HWM less what is in flight. */
  private get window(): number {
    if (this.pipe.sendHwm <= 0 || this.peer.receiveHwm <= 0) return Infinity;
    return this.peer.receiveHwm - (this.posted - this.peerRead);
  }

  /** Whether the peer counts what is in flight, so this side must report reads. */
  private get reportsReads(): boolean {
    return this.peer.sendHwm > 0 && this.pipe.receiveHwm > 0;
  }

  kick(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    setImmediate(this.flushTick);
  }

  flushNow(): void {
    this.flush(false);
  }

  private readonly flushTick = (): void => {
    this.flushScheduled = false;
    this.flush(false);
  };

  /** Posts queued messages while the peer has room (or all of them, when the pipe ends). */
  private flush(all: boolean): void {
    if (this.closed) return;
    const out = this.pipe.out;
    while (out.length > 0) {
      const room = all ? Infinity : this.window;
      if (room <= 0) break;
      this.post(room);
    }
    if (!all) this.pipe.drained();
  }

  /** Packs up to `room` messages (and about MAX_BATCH_BYTES) into one ArrayBuffer and posts it. */
  private post(room: number): void {
    const out = this.pipe.out;
    const batch = this.batch;
    let bytes = 4;
    while (batch.length < room) {
      const msg = out.peek();
      if (msg === undefined) break;
      let size = 4;
      for (const frame of msg) size += 4 + frame.length;
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      out.shift();
      batch.push(msg);
      bytes += size;
    }
    const buf = new ArrayBuffer(bytes);
    const view = new DataView(buf);
    const u8 = new Uint8Array(buf);
    view.setUint32(0, batch.length, true);
    let at = 4;
    for (const msg of batch) {
      view.setUint32(at, msg.length, true);
      at += 4;
      for (const frame of msg) {
        view.setUint32(at, frame.length, true);
        at += 4;
        u8.set(frame, at);
        at += frame.length;
      }
    }
    this.posted += batch.length;
    batch.length = 0;
    this.port.post(buf);
  }

  private onMessage(data: unknown): void {
    if (this.closed) return;
    if (typeof data === "number") {
      this.peerRead = data;
      if (this.pipe.out.length > 0) this.flush(false);
      return;
    }
    if (data === "end") {
      this.close();
      this.pipe.terminate();
      return;
    }
    if (data instanceof ArrayBuffer) this.unpack(data);
  }

  private unpack(buf: ArrayBuffer): void {
    const view = new DataView(buf);
    const count = view.getUint32(0, true);
    const pipe = this.pipe;
    let at = 4;
    for (let i = 0; i < count; i++) {
      const frames = view.getUint32(at, true);
      at += 4;
      const msg = new Array<Buffer>(frames);
      for (let j = 0; j < frames; j++) {
        const len = view.getUint32(at, true);
        at += 4;
        msg[j] = Buffer.from(buf, at, len);
        at += len;
      }
      pipe.deliver(msg);
    }
    this.delivered += count;
    // Pipe.read calls resumeReading once its queue is at half the HWM or less.
    if (this.reportsReads) pipe.readPaused = true;
  }

  resumeReading(): void {
    if (this.closed) return;
    const left = this.pipe.in.length;
    const read = this.delivered - left;
    const step = Math.max(1, this.pipe.receiveHwm >>> 2);
    if (read > this.reported && (left === 0 || read - this.reported >= step)) {
      this.reported = read;
      this.port.post(read);
    }
    // Keep hearing about reads until the queue is empty, so the last ones are reported too.
    if (left > 0) this.pipe.readPaused = true;
  }

  /** The pipe ended on this side: the peer gets what is queued, then the end. */
  ended(): void {
    if (this.closed) return;
    this.flush(true);
    this.port.post("end");
    this.close();
  }

  destroy(): void {
    this.ended();
  }

  private close(): void {
    this.closed = true;
    live.delete(this);
    this.port.onMessage = null;
    this.port.close();
  }
}
