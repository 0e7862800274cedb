// The ceiling for a pure-JS messaging library on Node: single-frame messages over node:net with
// nothing but framing (a 4-byte length, then the payload), behind the zeromq-shaped API the
// roles use (`await send()`, `await receive()`). Loaded as the library "raw" (lib-loader.ts);
// the `ceiling/*` lines run it in the first column. No handshake, no options, one peer, tcp or ipc.
//
// Push/Pull batch as a fast library would: frames are copied into one buffer and written with
// one write per event-loop turn (or once 64 KiB are waiting); the receiver runs a parser loop
// over each chunk, a frame inside a chunk being a view of it. Request/Reply write each message
// at once: the latency floor is one write and one read per message on each side.
// Large frames (LARGE_BYTES and up) as a fast library would too: the sender writes the body by
// reference after its header and lets up to 4 MiB wait in Node's queue before `send` waits for
// 'drain'; the receiver reads with `onread` (an accepted socket's handle moved to a socket made
// with it, as wiremq does): a body missing 16 KiB or more is read straight into a buffer of its
// size, everything else into a slab that is never reused, so frames are views of it; freed
// bodies stay mapped for the next ones (keepFreedMemory).
import { createServer, connect, Socket, type OnReadOpts, type Server, type SocketConstructorOpts } from "node:net";

const BATCH_BYTES = 64 * 1024;
/** Bodies this big are written by reference, not copied into the batch. */
const LARGE_BYTES = 8 * 1024;
/** Bytes Node may hold unwritten before `send` waits for 'drain' (the kernel stays fed). */
const QUEUE_BYTES = 4 * 1024 * 1024;
/** Messages (or bytes) queued at the receiver before it stops reading (TCP then pushes back). */
const RECEIVE_QUEUE = 1000;
const RECEIVE_QUEUE_BYTES = 8 * 1024 * 1024;
const RESOLVED: Promise<void> = Promise.resolve();
/** A body missing this much is read in place; the read after one takes HEADER_READ at most. */
const DIRECT_READ = 16 * 1024;
const HEADER_READ = 4 * 1024;
const SLAB_BYTES = 256 * 1024;

export const version = `node ${process.version}`;

let kept = false;
/**
 * As wiremq does (lib/engine/body-heap.ts), and any pure-JS library can: one untouched 31 MiB
 * chunk allocated and dropped raises glibc's trim threshold to 62 MiB, so large bodies the
 * collector frees stay mapped for the next ones instead of being faulted in again.
 */
function keepFreedMemory(): void {
  if (kept) return;
  kept = true;
  Buffer.allocUnsafeSlow(31 * 1024 * 1024);
}

type Part = Buffer | string | Uint8Array;

function toBuffer(message: Part | Part[]): Buffer {
  const part = Array.isArray(message) ? message[0]! : message;
  return typeof part === "string" ? Buffer.from(part) : Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.length);
}

class RawSocket {
  lastEndpoint: string | null = null;
  // Accepted for the roles' sake; the ceiling has no high-water marks or linger.
  sendHighWaterMark = 1000;
  receiveHighWaterMark = 1000;
  linger = 0;

  #server: Server | null = null;
  #sock: Socket | null = null;
  #batch = Buffer.allocUnsafe(BATCH_BYTES);
  #batchUsed = 0;
  #flushQueued = false;
  #drain: Promise<void> | null = null;
  #partial: Buffer | null = null;
  /** A large body gathered across chunks, and how much of it has arrived. */
  #body: Buffer | null = null;
  #bodyHave = 0;
  #slab = Buffer.allocUnsafe(SLAB_BYTES);
  #slabPos = 0;
  #issued: Buffer | null = null;
  #largeFrames = false;
  #queue: Buffer[] = [];
  #queueHead = 0;
  #queuedBytes = 0;
  #waiting: ((msg: Buffer[]) => void) | null = null;
  #paused = false;

  constructor(private readonly batched: boolean) {}

  bind(endpoint: string): Promise<void> {
    const server = (this.#server = createServer({ pauseOnConnect: true }, (sock) => this.#attach(this.#adopt(sock))));
    if (endpoint.startsWith("ipc://")) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(endpoint.slice("ipc://".length), () => {
          this.lastEndpoint = endpoint;
          resolve();
        });
      });
    }
    const m = /^tcp:\/\/([^:]+):(\d+|\*)$/.exec(endpoint);
    if (m === null) throw new Error(`raw: only tcp://host:port and ipc:// endpoints, not ${endpoint}`);
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(m[2] === "*" ? 0 : Number(m[2]), m[1], () => {
        const address = server.address();
        this.lastEndpoint = typeof address === "object" && address !== null ? `tcp://${m[1]}:${address.port}` : endpoint;
        resolve();
      });
    });
  }

  connect(endpoint: string): void {
    if (endpoint.startsWith("ipc://")) {
      this.#attach(connect({ path: endpoint.slice("ipc://".length), onread: this.#onread }));
      return;
    }
    const m = /^tcp:\/\/([^:]+):(\d+)$/.exec(endpoint);
    if (m === null) throw new Error(`raw: only tcp://host:port and ipc:// endpoints, not ${endpoint}`);
    this.#attach(connect({ port: Number(m[2]), host: m[1], onread: this.#onread }));
  }

  /** net.Server cannot take `onread`: the accepted socket's handle goes to a socket made with it. */
  #adopt(accepted: Socket): Socket {
    const owner = accepted as unknown as { _handle: object | null };
    const handle = owner._handle;
    owner._handle = null;
    accepted.destroy();
    return new Socket({ handle, readable: true, writable: true, onread: this.#onread } as SocketConstructorOpts);
  }

  readonly #onread: OnReadOpts = {
    buffer: () => {
      const body = this.#body;
      if (body !== null && (body.length - this.#bodyHave >= DIRECT_READ || this.#largeFrames)) {
        this.#issued = null;
        return body.subarray(this.#bodyHave);
      }
      if (SLAB_BYTES - this.#slabPos < DIRECT_READ) {
        this.#slab = Buffer.allocUnsafe(SLAB_BYTES);
        this.#slabPos = 0;
      }
      const end = this.#largeFrames ? this.#slabPos + HEADER_READ : SLAB_BYTES;
      this.#issued = this.#slab.subarray(this.#slabPos, end);
      return this.#issued;
    },
    callback: (n: number, buf: Uint8Array): boolean => {
      if (buf !== this.#issued) {
        // Read in place into the pending body.
        this.#bodyHave += n;
        if (this.#bodyHave === this.#body!.length) {
          const body = this.#body!;
          this.#body = null;
          this.#deliver(body);
          this.#pauseIfFull();
        }
        return true;
      }
      const chunk = this.#slab.subarray(this.#slabPos, this.#slabPos + n);
      this.#slabPos += n;
      this.#largeFrames = false;
      this.#onData(chunk);
      return true;
    },
  };

  #attach(sock: Socket): void {
    sock.setNoDelay(true); // a no-op on ipc
    this.#sock = sock;
    this.#server?.close(); // one peer
    sock.on("error", () => undefined); // the peer closing first is the normal end
    if (this.#batchUsed > 0) this.#flush();
  }

  send(message: Part | Part[]): Promise<void> {
    const body = toBuffer(message);
    if (!this.batched) {
      const frame = Buffer.allocUnsafe(4 + body.length);
      frame.writeUInt32BE(body.length, 0);
      body.copy(frame, 4);
      this.#sock?.write(frame);
      return RESOLVED;
    }
    if (body.length >= LARGE_BYTES) return this.#sendLarge(body);
    if (this.#batchUsed + 4 + body.length > this.#batch.length) {
      this.#flush();
      if (4 + body.length > this.#batch.length) this.#batch = Buffer.allocUnsafe(4 + body.length);
    }
    const batch = this.#batch;
    batch.writeUInt32BE(body.length, this.#batchUsed);
    body.copy(batch, this.#batchUsed + 4);
    this.#batchUsed += 4 + body.length;
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      setImmediate(() => this.#flush());
    }
    return this.#drain ?? RESOLVED;
  }

  #sendLarge(body: Buffer): Promise<void> {
    const sock = this.#sock;
    this.#flush();
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(body.length, 0);
    if (sock === null) {
      // Not connected yet: queue it as a batch of its own, written on connection.
      this.#batch = Buffer.concat([header, body]);
      this.#batchUsed = this.#batch.length;
      return RESOLVED;
    }
    sock.cork();
    sock.write(header);
    sock.write(body);
    sock.uncork();
    if (sock.writableLength >= QUEUE_BYTES) this.#waitDrain(sock);
    return this.#drain ?? RESOLVED;
  }

  #waitDrain(sock: Socket): void {
    if (this.#drain !== null) return;
    this.#drain = new Promise((resolve) =>
      sock.once("drain", () => {
        this.#drain = null;
        resolve();
      }),
    );
  }

  #flush(): void {
    this.#flushQueued = false;
    const sock = this.#sock;
    if (this.#batchUsed === 0 || sock === null) return;
    // The batch goes to the kernel (or node's queue) as is; a fresh one takes the next frames.
    const full = sock.write(this.#batch.subarray(0, this.#batchUsed));
    this.#batch = Buffer.allocUnsafe(BATCH_BYTES);
    this.#batchUsed = 0;
    if (!full) this.#waitDrain(sock);
  }

  #onData(chunk: Buffer): void {
    let data = chunk;
    if (this.#body !== null) {
      const body = this.#body;
      const n = Math.min(body.length - this.#bodyHave, chunk.length);
      chunk.copy(body, this.#bodyHave, 0, n);
      this.#bodyHave += n;
      if (this.#bodyHave < body.length) return;
      this.#body = null;
      this.#deliver(body);
      data = chunk.subarray(n);
    }
    if (this.#partial !== null) {
      data = Buffer.concat([this.#partial, chunk]);
      this.#partial = null;
    }
    let at = 0;
    while (data.length - at >= 4) {
      const size = data.readUInt32BE(at);
      if (data.length - at - 4 < size) break;
      this.#deliver(data.subarray(at + 4, at + 4 + size));
      at += 4 + size;
    }
    if (data.length - at >= 4 && data.readUInt32BE(at) >= LARGE_BYTES) {
      // A large body spans reads: the rest of it is read in place.
      keepFreedMemory();
      const body = (this.#body = Buffer.allocUnsafe(data.readUInt32BE(at)));
      this.#bodyHave = data.copy(body, 0, at + 4);
      this.#largeFrames = true;
      at = data.length;
    }
    if (at < data.length) this.#partial = data.subarray(at);
    this.#pauseIfFull();
  }

  #pauseIfFull(): void {
    if ((this.#queue.length - this.#queueHead >= RECEIVE_QUEUE || this.#queuedBytes >= RECEIVE_QUEUE_BYTES) && !this.#paused) {
      this.#paused = true;
      this.#sock!.pause();
    }
  }

  #deliver(frame: Buffer): void {
    const waiting = this.#waiting;
    if (waiting !== null) {
      this.#waiting = null;
      waiting([frame]);
    } else {
      this.#queue.push(frame);
      this.#queuedBytes += frame.length;
    }
  }

  receive(): Promise<Buffer[]> {
    if (this.#queueHead < this.#queue.length) {
      const frame = this.#queue[this.#queueHead++]!;
      if (this.#queueHead === this.#queue.length) {
        this.#queue = [];
        this.#queueHead = 0;
        this.#queuedBytes = 0;
        if (this.#paused) {
          this.#paused = false;
          this.#sock!.resume();
        }
      }
      return Promise.resolve([frame]);
    }
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  close(): void {
    this.#flush();
    this.#sock?.end();
    this.#server?.close();
  }
}

export class Push extends RawSocket {
  constructor() {
    super(true);
  }
}
export class Pull extends RawSocket {
  constructor() {
    super(true);
  }
}
export class Request extends RawSocket {
  constructor() {
    super(false);
  }
}
export class Reply extends RawSocket {
  constructor() {
    super(false);
  }
}
