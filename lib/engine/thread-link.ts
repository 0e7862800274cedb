import type { Msg, Pipe, PipeDriver } from "./pipe.js";
import { FrameRingReader, RingWriter, sharedMemory, takeFromRing } from "./shared-ring.js";
import { flushOutbox, forget, linkUp, noteWrite, scheduleOutbox, type Run } from "./thread-outbox.js";
import { keepFreedBodyMemory } from "./body-heap.js";
import { isSharedFrame, SHARED_REF_BYTES, SharedIn, SharedOut } from "./shared-frames.js";
import {
  FRAME_RING_BYTES,
  MAX_BATCH_BYTES,
  pack,
  packInto,
  RING_BATCH_BYTES,
  RING_BYTES,
  isRingFrame,
  RING_MIN_BYTES,
  unpackBatch,
} from "./thread-batch.js";

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
 * posting, none in receiving); over a BroadcastChannel large ones go through the batch ring. A
 * plain frame of 16 KiB to 1 MiB goes through the link's frame ring, over either channel: copied
 * in by the sender, out by the receiver into a Buffer of its own (thread-batch.ts). A full ring
 * makes the link wait for the peer's "room" (other links of the thread go on, thread-outbox.ts).
 * A frame in a SharedArrayBuffer is not copied at all: the batch names its buffer
 * (shared-frames.ts).
 *
 * Messages: an ArrayBuffer is a batch; [offset, length, span] a batch in the batch ring, which
 * { ring, control } (posted first) gives; { frameRing, control } gives the frame ring;
 * { shares: [id, buffer, ...] } names shared buffers the next batches refer to, { forget: ids }
 * drops them; "room": a ring has room again; a number is the receiver's read count; "end" ends
 * it.
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
  /** This side's frame ring (made at the first large plain frame), the peer's, and where the batch being packed put frames in it. */
  private frames: RingWriter | null = null;
  private peerFrames: FrameRingReader | null = null;
  private readonly placed: number[] = [];
  private ringFrames = 0;
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
    while (run.n > 0 && this.pipe.out.length > 0) {
      if (this.waitingRoom) return false;
      const sent = this.post(false, run.n);
      if (sent < 0) return false;
      run.n -= sent;
    }
    run.n = 0;
    return true;
  }

  /** Packs up to `limit` messages (and about MAX_BATCH_BYTES) and posts them; how many, -1 when a ring is full. */
  private post(ending: boolean, limit: number): number {
    const out = this.pipe.out;
    const batch = this.batch;
    let bytes = 4;
    let ringBytes = 0;
    const shared = this.shared;
    while (batch.length < limit) {
      const msg = out.peek();
      if (msg === undefined) break;
      let size = 4;
      let inRing = 0;
      for (const frame of msg) {
        if (shared === null) size += 4 + frame.length;
        else if (isSharedFrame(frame)) size += SHARED_REF_BYTES;
        else if (isRingFrame(frame)) inRing += frame.length;
        else size += 4 + frame.length;
      }
      if (batch.length > 0 && (bytes + size > MAX_BATCH_BYTES || ringBytes + inRing > RING_BATCH_BYTES)) break;
      out.shift();
      batch.push(msg);
      bytes += size;
      ringBytes += inRing;
    }
    bytes = this.place(batch, ending);
    const ringFrames = this.ringFrames;
    this.ringFrames = 0;
    // The first message found the ring full: wait, or try again if the peer freed some since.
    if (batch.length === 0) return this.waitingRoom ? -1 : 0;
    // Small batches go by value: measured, the ring did not beat it for 16 B messages (and it
    // costs 1 MiB per direction). Batches too big for the ring, or no shared memory: by value.
    // Over a MessagePort every batch is packed into memory of its own and moved, not copied.
    // Frames in the frame ring are there already: their batch goes by value, never waiting.
    const ring = this.port.transfers !== true && ringFrames === 0 && bytes >= RING_MIN_BYTES && bytes <= RING_BYTES ? this.sharedRing() : null;
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
    // Packing names the shared buffers: the peer is told of new ones before the batch and of
    // dropped ones after it.
    let packed: ArrayBuffer | null = null;
    if (ring !== null && at >= 0) packInto(batch, ring.data, at, shared, this.placed);
    else packed = pack(batch, bytes, shared, this.placed);
    this.placed.length = 0;
    const shares = shared?.takeShares();
    if (shares != null) this.port.post({ shares });
    if (packed === null) this.port.post([at, bytes, ring!.span]);
    else this.port.post(packed, [packed]);
    this.postForgotten();
    batch.length = 0;
    return count;
  }

  /**
   * Copies the batch's large plain frames into the frame ring, noting where (offset and span, -1
   * for a frame left in the batch), and returns the batch's packed size. When the ring is full,
   * the messages from the one that found it full go back to the front of the queue (that one
   * stays, the rest of its frames in the batch, if part of it is in the ring already), and the
   * link waits for the peer to free room. `ending`: nothing waits, frames left go in the batch.
   */
  private place(batch: Msg[], ending: boolean): number {
    const shared = this.shared;
    let bytes = 4;
    let full = false;
    for (let i = 0; i < batch.length; i++) {
      const msg = batch[i]!;
      const before = bytes;
      let inRing = 0;
      bytes += 4;
      for (const frame of msg) {
        if (shared !== null && isSharedFrame(frame)) {
          bytes += SHARED_REF_BYTES;
          continue;
        }
        if (shared === null || !isRingFrame(frame)) {
          bytes += 4 + frame.length;
          continue;
        }
        const ring = this.frames ?? this.makeFrameRing();
        const at = full ? -1 : ring.put(frame);
        if (at >= 0) {
          this.placed.push(at, ring.span);
          bytes += SHARED_REF_BYTES;
          inRing++;
          continue;
        }
        full = true;
        if (inRing === 0 && !ending) break;
        this.placed.push(-1, 0);
        bytes += 4 + frame.length;
      }
      this.ringFrames += inRing;
      if (full && !ending) {
        const out = this.pipe.out;
        const keep = inRing > 0 ? i + 1 : i;
        if (keep === i) bytes = before;
        for (let j = batch.length - 1; j >= keep; j--) out.unshift(batch[j]!);
        batch.length = keep;
        // Waits unless the peer freed bytes since the ring was found full.
        this.waitingRoom = this.frames!.waitForRoom();
        break;
      }
    }
    return bytes;
  }

  private makeFrameRing(): RingWriter {
    const ring = (this.frames = new RingWriter(FRAME_RING_BYTES));
    this.port.post({ frameRing: ring.data, control: ring.control });
    return ring;
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
    const shared = data as { ring?: Uint8Array; frameRing?: Uint8Array; control?: Int32Array; shares?: unknown[]; forget?: number[] };
    if (shared.shares !== undefined) {
      this.peerShared.add(shared.shares);
      return;
    }
    if (shared.forget !== undefined) {
      this.peerShared.forget(shared.forget);
      return;
    }
    if (shared.frameRing !== undefined) {
      // Each frame is copied out into fresh memory, as a large body read over tcp is (body-heap.ts).
      keepFreedBodyMemory();
      this.peerFrames = new FrameRingReader(shared.frameRing, shared.control!, this.wakeWriter);
    } else if (shared.ring !== undefined && shared.control !== undefined) this.peerRing = { ring: shared.ring, control: shared.control };
  }

  private unpack(buf: ArrayBuffer): void {
    this.delivered += unpackBatch(buf, this.pipe, this.peerShared, this.peerFrames);
    // Pipe.read calls resumeReading once its queue is at half the receive HWM or less.
    if (this.lowWaterMark > 0) this.pipe.readPaused = true;
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

  /** This side's frame ring's memory, while the link has one. */
  get frameRing(): SharedArrayBuffer | null {
    return (this.frames?.data.buffer as SharedArrayBuffer | undefined) ?? null;
  }

  /** The peer's frame ring's memory, while this side holds it. */
  get peerFrameRing(): SharedArrayBuffer | null {
    return this.peerFrames?.memory ?? null;
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
    this.frames = null;
    this.peerFrames = null;
    this.ring = null;
    this.peerRing = null;
    live.delete(this);
    forget(this.pipe);
    this.port.onMessage = null;
    this.port.close();
  }
}
