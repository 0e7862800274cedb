import type { Queue } from "../util/queue.js";
import type { Msg, Pipe, PipeDriver } from "./pipe.js";
import { RingWriter, sharedMemory, takeFromRing } from "./shared-ring.js";
import { flushOutbox, forget, linkUp, noteWrite, scheduleOutbox, type Run } from "./thread-outbox.js";
import { groupCommand, groupCommandOf } from "./group-command.js";
import { isSharedFrame, SHARED_FRAME, SHARED_REF_BYTES, SharedIn, SharedOut } from "./shared-frames.js";

/** The channel a link posts on (lib/transports/inproc-threads.ts makes it). */
export interface LinkPort {
  /** The thread at the other end, when known (links to one thread share the value). */
  readonly peer?: unknown;
  /** Whether `post` moves the ArrayBuffers given in `transfer` instead of copying them. */
  readonly transfers?: boolean;
  post(data: unknown, transfer?: ArrayBuffer[]): void;
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

/** The top bits of a message's frame count mark a DISH's JOIN or LEAVE, which is not data (group-command.ts). */
const JOIN_BIT = 0x80000000;
const LEAVE_BIT = 0x40000000;
const FRAME_COUNT = 0x3fffffff;

function frameWord(msg: Msg): number {
  const command = groupCommandOf(msg);
  if (command === undefined) return msg.length;
  return (msg.length | (command === "JOIN" ? JOIN_BIT : LEAVE_BIT)) >>> 0;
}

/**
 * Shared ring per direction of a link, made at its first batch: four batches of the largest
 * size, so the writer fills some while the reader copies others.
 */
const RING_BYTES = 4 * MAX_BATCH_BYTES;
/** Smallest batch that goes through the ring. */
const RING_MIN_BYTES = 16 * 1024;

/**
 * Messages as bytes: [count] then per message [frames] and per frame [length, bytes], or, for a
 * frame in a SharedArrayBuffer when the link shares them, [SHARED_FRAME, id, offset, length].
 */
function packInto(batch: readonly Msg[], u8: Uint8Array, start: number, shared: SharedOut | null): void {
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  view.setUint32(start, batch.length, true);
  let at = start + 4;
  for (const msg of batch) {
    view.setUint32(at, frameWord(msg), true);
    at += 4;
    for (const frame of msg) {
      if (shared !== null && isSharedFrame(frame)) {
        view.setUint32(at, SHARED_FRAME, true);
        view.setUint32(at + 4, shared.idOf(frame.buffer as SharedArrayBuffer), true);
        view.setUint32(at + 8, frame.byteOffset, true);
        view.setUint32(at + 12, frame.length, true);
        at += SHARED_REF_BYTES;
        continue;
      }
      view.setUint32(at, frame.length, true);
      at += 4;
      u8.set(frame, at);
      at += frame.length;
    }
  }
}

function pack(batch: readonly Msg[], bytes: number, shared: SharedOut | null): ArrayBuffer {
  // Unpooled and not zero-filled: every byte is written by packInto.
  const buf = Buffer.allocUnsafeSlow(bytes);
  packInto(batch, buf, 0, shared);
  return buf.buffer as ArrayBuffer;
}

/** Every message of a queue in one batch, as a link posts them (for a connect a thread leaves behind). */
export function packAll(queue: Queue<Msg>): ArrayBuffer {
  const batch: Msg[] = [];
  let bytes = 4;
  for (let msg = queue.shift(); msg !== undefined; msg = queue.shift()) {
    batch.push(msg);
    bytes += 4;
    for (const frame of msg) bytes += 4 + frame.length;
  }
  // No link to name shared buffers on: every frame is copied.
  return pack(batch, bytes, null);
}

/** libzmq's low-water mark for a pipe of `hwm` messages (pipe_t::compute_lwm). */
function lowWaterMark(hwm: number): number {
  const MAX_WM_DELTA = 1024;
  return hwm > MAX_WM_DELTA * 2 ? hwm - MAX_WM_DELTA : (hwm + 1) >>> 1;
}

/** Every link still open in this thread, ended when the thread exits. */
const live = new Set<ThreadLink>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  // A worker that ends (returns, process.exit(), an uncaught error) runs 'exit': the peers
  // get what was queued and then see the pipe end, as when the socket closes. A worker stopped
  // by worker.terminate() runs nothing: over a MessagePort its peers see the port close and end
  // the pipe (lib/transports/thread-channel.ts); over a BroadcastChannel they are not told.
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
 * High-water marks as libzmq's inproc pipe: a sender may have its send HWM plus the receiver's
 * receive HWM written and not yet read (the pipe's `unread` counts those handed over). The
 * receiver reports how many it has read as libzmq's reader does, in multiples of the low-water
 * mark (half the summed HWM), so a sender blocks at the same count as with zeromq. With either
 * mark 0 nothing is counted.
 *
 * Over a MessagePort each batch is packed into memory of its own and transferred (no copy in
 * posting, none in receiving); over a BroadcastChannel large ones go through the ring. A frame
 * in a SharedArrayBuffer is not copied at all: the batch names its buffer (shared-frames.ts).
 *
 * Messages: an ArrayBuffer is a batch; [offset, length, span] a batch in the shared ring, which
 * { ring, control } (posted first) gives; { shares: [id, buffer, ...] } names shared buffers the
 * next batches refer to, { forget: ids } drops them; "room": the ring has room again; a number
 * is the receiver's read count; "end" ends it.
 */
export class ThreadLink implements PipeDriver {
  private closed = false;
  /** Messages posted to the peer. */
  private posted = 0;
  /** Messages delivered into the pipe from the peer, and the read count last reported. */
  private delivered = 0;
  private reported = 0;
  /** Reads are reported in multiples of this (0: the peer does not count). */
  private lowWaterMark = 0;
  private readonly batch: Msg[] = [];
  /** This side's ring (made at the first batch), and the peer's (from its first ring message). */
  private ring: RingWriter | null = null;
  private peerRing: { ring: Uint8Array; control: Int32Array } | null = null;
  /** The ring was full: flushing waits for the peer's "room". */
  private waitingRoom = false;
  private readonly wakeWriter = (): void => this.port.post("room");
  /** This side's shared buffers, by id (null without shared memory), and the peer's. */
  private readonly shared: SharedOut | null = sharedMemory ? new SharedOut(() => this.forgetSoon()) : null;
  private readonly peerShared = new SharedIn();
  private forgetScheduled = false;
  readonly peerThread: unknown;

  constructor(
    private readonly port: LinkPort,
    private readonly pipe: Pipe,
    private readonly peer: PeerLimits,
  ) {
    pipe.driver = this;
    this.peerThread = port.peer ?? this;
    port.onMessage = (data) => this.onMessage(data);
    // A connector's pipe was logged since its connect; a binder's from now on.
    linkUp(pipe, this, pipe.onWrite === noteWrite ? 0 : pipe.out.length);
    live.add(this);
    hookExit();
  }

  /**
   * Sets the pipe's limits from both ends, once the pipe has this side's own marks: the send
   * limit is this send HWM plus the peer's receive HWM, the reads reported follow the peer's
   * send HWM plus this receive HWM (0 in either sum: unlimited).
   */
  start(): void {
    const pipe = this.pipe;
    pipe.sendHwm = pipe.sendHwm > 0 && this.peer.receiveHwm > 0 ? pipe.sendHwm + this.peer.receiveHwm : 0;
    const inbound = this.peer.sendHwm > 0 && pipe.receiveHwm > 0 ? this.peer.sendHwm + pipe.receiveHwm : 0;
    this.lowWaterMark = inbound > 0 ? lowWaterMark(inbound) : 0;
    scheduleOutbox();
  }

  kick(): void {
    if (!this.closed) scheduleOutbox();
  }

  flushNow(): void {
    flushOutbox();
  }

  /** Posts the next `run.n` queued messages (thread-outbox.ts calls it in the thread's write order). */
  send(run: Run): boolean {
    if (this.closed) {
      run.n = 0;
      return true;
    }
    if (this.waitingRoom) return false;
    while (run.n > 0 && this.pipe.out.length > 0) {
      const sent = this.post(false, run.n);
      if (sent < 0) return false;
      run.n -= sent;
    }
    run.n = 0;
    return true;
  }

  /** Packs up to `limit` messages (and about MAX_BATCH_BYTES) and posts them; how many, -1 when the ring is full. */
  private post(ending: boolean, limit: number): number {
    const out = this.pipe.out;
    const batch = this.batch;
    let bytes = 4;
    while (batch.length < limit) {
      const msg = out.peek();
      if (msg === undefined) break;
      let size = 4;
      for (const frame of msg) size += this.shared !== null && isSharedFrame(frame) ? SHARED_REF_BYTES : 4 + frame.length;
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      out.shift();
      batch.push(msg);
      bytes += size;
    }
    // Small batches go by value: measured, the ring did not beat it for 16 B messages (and it
    // costs 1 MiB per direction). Batches too big for the ring, or no shared memory: by value.
    // Over a MessagePort every batch is packed into memory of its own and moved, not copied.
    const ring = this.port.transfers !== true && bytes >= RING_MIN_BYTES && bytes <= RING_BYTES ? this.sharedRing() : null;
    const at = ring === null ? -1 : ring.reserve(bytes);
    if (ring !== null && at < 0 && !ending) {
      // Back to the front of the queue, in order, until the peer frees room.
      for (let i = batch.length - 1; i >= 0; i--) out.unshift(batch[i]!);
      this.waitingRoom = true;
      batch.length = 0;
      return -1;
    }
    const count = batch.length;
    this.posted += count;
    if (this.pipe.sendHwm > 0) this.pipe.unread += batch.length;
    const shared = this.shared;
    // Packing names the shared buffers: the peer is told of new ones before the batch and of
    // dropped ones after it.
    let packed: ArrayBuffer | null = null;
    if (ring !== null && at >= 0) packInto(batch, ring.data, at, shared);
    else packed = pack(batch, bytes, shared);
    const shares = shared?.takeShares();
    if (shares != null) this.port.post({ shares });
    if (packed === null) this.port.post([at, bytes, ring!.span]);
    else this.port.post(packed, [packed]);
    this.postForgotten();
    batch.length = 0;
    return count;
  }

  private postForgotten(): void {
    const forget = this.shared?.takeForgotten();
    if (forget != null && !this.closed) this.port.post({ forget });
  }

  private sharedRing(): RingWriter | null {
    if (this.ring !== null || !sharedMemory) return this.ring;
    this.ring = new RingWriter(RING_BYTES);
    this.port.post({ ring: this.ring.data, control: this.ring.control });
    return this.ring;
  }

  private onMessage(data: unknown): void {
    if (this.closed) return;
    if (typeof data === "number") {
      this.pipe.unread = this.posted - data;
      this.pipe.drained();
      return;
    }
    if (data === "end") {
      this.close();
      this.pipe.terminate();
      return;
    }
    if (Array.isArray(data)) {
      const peer = this.peerRing!;
      this.unpack(takeFromRing(peer.ring, peer.control, data[0] as number, data[1] as number, data[2] as number, this.wakeWriter));
      return;
    }
    if (data === "room") {
      this.waitingRoom = false;
      flushOutbox();
      return;
    }
    if (data instanceof ArrayBuffer) {
      this.unpack(data);
      return;
    }
    const shared = data as { ring?: Uint8Array; control?: Int32Array; shares?: unknown[]; forget?: number[] };
    if (shared.shares !== undefined) {
      this.peerShared.add(shared.shares);
      return;
    }
    if (shared.forget !== undefined) {
      this.peerShared.forget(shared.forget);
      return;
    }
    if (shared.ring !== undefined && shared.control !== undefined) this.peerRing = { ring: shared.ring, control: shared.control };
  }

  private unpack(buf: ArrayBuffer): void {
    const view = new DataView(buf);
    const count = view.getUint32(0, true);
    const pipe = this.pipe;
    let at = 4;
    for (let i = 0; i < count; i++) {
      const word = view.getUint32(at, true);
      at += 4;
      const frames = word & FRAME_COUNT;
      const msg = new Array<Buffer>(frames);
      for (let j = 0; j < frames; j++) {
        const len = view.getUint32(at, true);
        if (len === SHARED_FRAME) {
          msg[j] = Buffer.from(this.peerShared.get(view.getUint32(at + 4, true)), view.getUint32(at + 8, true), view.getUint32(at + 12, true));
          at += SHARED_REF_BYTES;
          continue;
        }
        at += 4;
        msg[j] = Buffer.from(buf, at, len);
        at += len;
      }
      if (word > FRAME_COUNT) pipe.deliver(groupCommand((word & JOIN_BIT) !== 0 ? "JOIN" : "LEAVE", msg[0]!));
      else pipe.deliver(msg);
    }
    this.delivered += count;
    // Pipe.read calls resumeReading once its queue is at half the receive HWM or less.
    if (this.lowWaterMark > 0) pipe.readPaused = true;
  }

  resumeReading(): void {
    if (this.closed || this.lowWaterMark === 0) return;
    const left = this.pipe.in.length;
    const read = this.delivered - left;
    const report = read - (read % this.lowWaterMark);
    if (report > this.reported) {
      this.reported = report;
      this.port.post(report);
    }
    // Keep hearing about reads until the queue is empty, so the last ones are reported too.
    if (left > 0) this.pipe.readPaused = true;
  }

  /** The pipe ended on this side: the peer gets what is queued, then the end. */
  ended(): void {
    if (this.closed) return;
    // What this thread wrote before goes first; then everything queued here, by value where the
    // ring has no room: nothing waits after this.
    flushOutbox();
    while (this.pipe.out.length > 0) this.post(true, Infinity);
    this.port.post("end");
    this.close();
  }

  destroy(): void {
    this.ended();
  }

  /** Shared buffers the peer holds for this side (its table is as large). */
  get sharedBuffers(): number {
    return this.shared?.size ?? 0;
  }

  /** Shared buffers this side holds for the peer. */
  get peerSharedBuffers(): number {
    return this.peerShared.size;
  }

  /** A shared buffer of this side was collected: the peer drops its id, after what is being posted now. */
  private forgetSoon(): void {
    if (this.forgetScheduled) return;
    this.forgetScheduled = true;
    queueMicrotask(() => {
      this.forgetScheduled = false;
      this.postForgotten();
    });
  }

  private close(): void {
    this.closed = true;
    this.shared?.close();
    this.peerShared.clear();
    live.delete(this);
    forget(this.pipe);
    this.port.onMessage = null;
    this.port.close();
  }
}
