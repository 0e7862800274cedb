// The ceiling for a pure-JS messaging library on Node: single-frame messages over node:net with
// nothing but framing (a 4-byte length, then the payload), behind the zeromq-shaped API the
// roles use (`await send()`, `await receive()`). Loaded as the library "raw" (lib-loader.ts);
// the `ceiling/*` lines run it in the first column. No handshake, no options, one peer, tcp only.
//
// Push/Pull batch as a fast library would: frames are copied into one buffer and written with
// one write per event-loop turn (or once 64 KiB are waiting); the receiver runs a parser loop
// over each chunk, a frame inside a chunk being a view of it. Request/Reply write each message
// at once: the latency floor is one write and one read per message on each side.
import { createServer, connect, type Server, type Socket } from "node:net";

const BATCH_BYTES = 64 * 1024;
/** Messages queued at the receiver before it stops reading (TCP then pushes back). */
const RECEIVE_QUEUE = 1000;
const RESOLVED: Promise<void> = Promise.resolve();

export const version = `node ${process.version}`;

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
  #queue: Buffer[] = [];
  #queueHead = 0;
  #waiting: ((msg: Buffer[]) => void) | null = null;
  #paused = false;

  constructor(private readonly batched: boolean) {}

  bind(endpoint: string): Promise<void> {
    const m = /^tcp:\/\/([^:]+):(\d+|\*)$/.exec(endpoint);
    if (m === null) throw new Error(`raw: only tcp://host:port endpoints, not ${endpoint}`);
    const server = (this.#server = createServer((sock) => this.#attach(sock)));
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
    const m = /^tcp:\/\/([^:]+):(\d+)$/.exec(endpoint);
    if (m === null) throw new Error(`raw: only tcp://host:port endpoints, not ${endpoint}`);
    this.#attach(connect(Number(m[2]), m[1]));
  }

  #attach(sock: Socket): void {
    sock.setNoDelay(true);
    this.#sock = sock;
    this.#server?.close(); // one peer
    sock.on("data", (chunk: Buffer) => this.#onData(chunk));
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

  #flush(): void {
    this.#flushQueued = false;
    const sock = this.#sock;
    if (this.#batchUsed === 0 || sock === null) return;
    // The batch goes to the kernel (or node's queue) as is; a fresh one takes the next frames.
    const full = sock.write(this.#batch.subarray(0, this.#batchUsed));
    this.#batch = Buffer.allocUnsafe(BATCH_BYTES);
    this.#batchUsed = 0;
    if (!full && this.#drain === null) {
      this.#drain = new Promise((resolve) =>
        sock.once("drain", () => {
          this.#drain = null;
          resolve();
        }),
      );
    }
  }

  #onData(chunk: Buffer): void {
    let data = chunk;
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
    if (at < data.length) this.#partial = data.subarray(at);
    if (this.#queue.length - this.#queueHead >= RECEIVE_QUEUE && !this.#paused) {
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
    }
  }

  receive(): Promise<Buffer[]> {
    if (this.#queueHead < this.#queue.length) {
      const frame = this.#queue[this.#queueHead++]!;
      if (this.#queueHead === this.#queue.length) {
        this.#queue = [];
        this.#queueHead = 0;
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
