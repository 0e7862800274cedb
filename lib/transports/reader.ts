import * as net from "node:net";

/**
 * Takes a connection's incoming bytes and chooses the memory they are read into, so a large
 * frame can be read straight into its own buffer instead of being copied out of 64 KiB chunks
 * (Node's `onread` option, which libuv fills without an intermediate buffer).
 */
export interface StreamReader {
  /** Memory for the next read, or null for a shared scratch buffer whose bytes are then copied. */
  readBuffer(): Buffer | null;
  /**
   * `n` bytes arrived at the start of `buf`: either the buffer `readBuffer()` returned last, or
   * memory of its own the reader may keep views of.
   */
  onRead(buf: Buffer, n: number): void;
}

/**
 * Shared by every connection: reads are synchronous on the event loop and each is copied out
 * before the next one starts, so one buffer serves all, and an idle connection holds no memory.
 */
const SCRATCH = Buffer.allocUnsafe(64 * 1024);

class ReadSlot {
  reader: StreamReader | null = null;
  /** Bytes read before a reader was attached. */
  early: Buffer[] = [];

  readonly buffer = (): Buffer => this.reader?.readBuffer() ?? SCRATCH;

  readonly callback = (n: number, buf: Uint8Array): boolean => {
    let chunk = buf as Buffer;
    if (buf === SCRATCH) {
      chunk = Buffer.allocUnsafe(n);
      SCRATCH.copy(chunk, 0, 0, n);
    }
    if (this.reader === null) this.early.push(chunk);
    else this.reader.onRead(chunk, n);
    // Backpressure pauses the socket itself (socket.pause() stops reads in this mode too).
    return true;
  };
}

const slots = new WeakMap<net.Socket, ReadSlot>();

/** Makes a socket with `make`, passing it an `onread` option steered by `attachReader`. */
export function withReader(make: (onread: net.OnReadOpts) => net.Socket): net.Socket {
  const slot = new ReadSlot();
  const sock = make({ buffer: slot.buffer, callback: slot.callback });
  slots.set(sock, slot);
  return sock;
}

/**
 * Sends a socket's incoming bytes to `reader`. Sockets made without `onread` (should Node's
 * internals ever refuse the adoption in `adoptAccepted`) fall back to 'data' events.
 */
export function attachReader(sock: net.Socket, reader: StreamReader): void {
  const slot = slots.get(sock);
  if (slot === undefined) {
    sock.on("data", (chunk: Buffer) => reader.onRead(chunk, chunk.length));
    return;
  }
  slot.reader = reader;
  const early = slot.early;
  slot.early = [];
  for (const chunk of early) reader.onRead(chunk, chunk.length);
}

interface HandleOwner {
  _handle?: object | null;
}

/**
 * net.Server cannot take `onread`, so an accepted socket (created paused) gives its handle to a
 * new socket that has it; the old socket object is destroyed without the handle, which also
 * takes it off the server's connection count.
 */
export function adoptAccepted(accepted: net.Socket): net.Socket {
  const handle = (accepted as unknown as HandleOwner)._handle;
  if (handle === undefined || handle === null) {
    accepted.resume();
    return accepted;
  }
  (accepted as unknown as HandleOwner)._handle = null;
  accepted.destroy();
  return withReader(
    (onread) => new net.Socket({ handle, readable: true, writable: true, onread } as net.SocketConstructorOpts),
  );
}
