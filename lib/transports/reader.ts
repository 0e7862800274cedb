import type * as net from "node:net";
import { nodeNet } from "./node-builtins.js";

/**
 * Takes a connection's incoming bytes and chooses the memory they are read into, so a large
 * frame can be read straight into its own buffer instead of being copied out of 64 KiB chunks
 * (Node's `onread` option, which libuv fills without an intermediate buffer).
 *
 * Two paths, one contract. Where the runtime reads a socket into buffers the caller supplies
 * (`onread` on a libuv stream handle: Node, Deno), `readBuffer()` steers every read. Elsewhere
 * (Bun's accepted sockets, which cannot be re-created with `onread`), or when the portable path
 * is chosen, bytes arrive through 'data' events in the runtime's own chunks and `readBuffer()`
 * is never asked. Either way `pause()`/`resume()` on the socket stop and restart reads.
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
/** Reads of up to this many bytes are copied out of SCRATCH byte by byte. */
const SMALL_COPY = 64;

class ReadSlot {
  reader: StreamReader | null = null;
  /** Bytes read before a reader was attached (rare: made when needed). */
  early: Buffer[] | null = null;
  /** Runs at the first read (onFirstRead). */
  firstRead: (() => void) | null = null;

  readonly buffer = (): Buffer => this.reader?.readBuffer() ?? SCRATCH;

  readonly callback = (n: number, buf: Uint8Array): boolean => {
    let chunk = buf as Buffer;
    if (buf === SCRATCH) {
      chunk = Buffer.allocUnsafe(n);
      // A byte loop for the few bytes of a small read: Buffer#copy makes a view of the source
      // and asks for its ArrayBuffer, which for these sizes costs more than the copy.
      if (n <= SMALL_COPY) for (let i = 0; i < n; i++) chunk[i] = SCRATCH[i]!;
      else SCRATCH.copy(chunk, 0, 0, n);
    }
    if (this.firstRead !== null) {
      const first = this.firstRead;
      this.firstRead = null;
      first();
    }
    if (this.reader === null) (this.early ??= []).push(chunk);
    else this.reader.onRead(chunk, n);
    // Backpressure pauses the socket itself (socket.pause() stops reads in this mode too).
    return true;
  };
}

const slots = new WeakMap<net.Socket, ReadSlot>();
/** onFirstRead's hooks for sockets read through 'data' events. */
const firstReads = new WeakMap<net.Socket, () => void>();

/** When set, every new connection takes the 'data' path (public `net` APIs only). */
let portable = false;

/**
 * Chooses the portable read path ('data' events, no `onread`, no handle adoption) for
 * connections made from now on, or goes back to choosing by what the runtime offers. The fast
 * path is the default wherever it works; this exists so one runtime can exercise both.
 */
export function usePortableReads(on: boolean): void {
  portable = on;
}

/** Makes a socket with `make`, passing it an `onread` option steered by `attachReader`. */
export function withReader(make: (onread: net.OnReadOpts | undefined) => net.Socket): net.Socket {
  if (portable) return make(undefined);
  const slot = new ReadSlot();
  const sock = make({ buffer: slot.buffer, callback: slot.callback });
  slots.set(sock, slot);
  return sock;
}

/**
 * Sends a socket's incoming bytes to `reader`: through the socket's `onread` slot when it was
 * made with one, otherwise through 'data' events (each chunk is the runtime's own memory, so
 * the reader may keep views of it).
 */
export function attachReader(sock: net.Socket, reader: StreamReader): void {
  const slot = slots.get(sock);
  if (slot === undefined) {
    sock.on("data", (chunk: Buffer) => reader.onRead(chunk, chunk.length));
    const first = firstReads.get(sock);
    if (first !== undefined) {
      firstReads.delete(sock);
      sock.once("data", first);
    }
    // An accepted socket starts paused (pauseOnConnect); the listener alone does not resume it.
    sock.resume();
    return;
  }
  slot.reader = reader;
  const early = slot.early;
  slot.early = null;
  if (early !== null) for (const chunk of early) reader.onRead(chunk, chunk.length);
}

/**
 * Runs `fn` once, when `sock` (made by withReader) first reads bytes from its peer: a dialer
 * learns that the listener has taken the connection off its queue (its greeting arrived).
 */
export function onFirstRead(sock: net.Socket, fn: () => void): void {
  const slot = slots.get(sock);
  if (slot !== undefined) slot.firstRead = fn;
  else firstReads.set(sock, fn);
}

/** What an accepted socket's handle must offer for a new socket to read it with `onread`. */
interface UserBufferHandle {
  useUserBuffer(buf: Uint8Array): void;
  readStart(): number;
  readStop(): number;
}

interface HandleOwner {
  _handle?: object | null;
}

/**
 * True when `handle` is a stream handle that `net.Socket`'s `onread` drives (libuv's, in Node
 * and Deno): it reads into a buffer the caller supplies. Bun's accepted sockets carry a handle
 * of another kind, which a new socket given it never reads from.
 */
function readsIntoUserBuffers(handle: object): handle is UserBufferHandle {
  const h = handle as Partial<UserBufferHandle>;
  return typeof h.useUserBuffer === "function" && typeof h.readStart === "function" && typeof h.readStop === "function";
}

/**
 * net.Server cannot take `onread`, so an accepted socket (created paused) gives its handle to a
 * new socket that has it; the old socket object is destroyed without the handle, which also
 * takes it off the server's connection count. Where the handle is not one `onread` drives, the
 * accepted socket is kept as it is and read through 'data' events (see attachReader).
 */
export function adoptAccepted(accepted: net.Socket): net.Socket {
  const handle = (accepted as unknown as HandleOwner)._handle;
  if (portable || handle === undefined || handle === null || !readsIntoUserBuffers(handle)) return accepted;
  (accepted as unknown as HandleOwner)._handle = null;
  accepted.destroy();
  return withReader(
    (onread) => new (nodeNet().Socket)({ handle, readable: true, writable: true, allowHalfOpen: true, onread } as net.SocketConstructorOpts),
  );
}

/**
 * Has a socket made by withReader (or adoptAccepted) emit what it reads as 'data' events, each
 * a chunk of its own copied out of the shared scratch buffer, for a consumer that listens to
 * 'data' (the `ws` package). The stream's own reads allocate 64 KiB per read and shrink it to
 * the bytes read (measured on ws 16 B round trips: malloc and the page faults of fresh memory
 * were a tenth of the CPU); they also pass each chunk through the Readable machinery. A socket
 * without an `onread` slot keeps its own 'data' events and is left alone.
 */
export function readAsData(sock: net.Socket): void {
  if (!slots.has(sock)) return;
  attachReader(sock, {
    readBuffer: () => null,
    onRead: (chunk, n) => {
      sock.emit("data", chunk.length === n ? chunk : chunk.subarray(0, n));
    },
  });
}

interface AcceptingHandle {
  onconnection?: (this: unknown, err: number, client: object | undefined) => void;
}

/**
 * Hands each connection `server` accepts to `onConnection`, in a socket read through `onread`.
 * Node's server makes a socket of its own for each connection, which adoptAccepted then
 * replaces (a second socket around the handle, the first destroyed): two sockets to build and
 * collect per peer, about a tenth of a ROUTER's profile when thousands connect at once. Once listening,
 * the server's handle gives each accepted handle straight to one socket instead. A handle that
 * is not libuv's (Bun), an accept error, and the portable read path go the server's own way.
 */
export function serveAccepted(server: net.Server, onConnection: (sock: net.Socket) => void): void {
  server.on("connection", (sock: net.Socket) => onConnection(adoptAccepted(sock).unref()));
  server.once("listening", () => {
    const handle = (server as unknown as HandleOwner)._handle as AcceptingHandle | null | undefined;
    const nodeAccept = handle?.onconnection;
    if (handle === null || handle === undefined || typeof nodeAccept !== "function") return;
    handle.onconnection = function (this: unknown, err: number, client: object | undefined): void {
      if (portable || err !== 0 || client === undefined || !readsIntoUserBuffers(client)) {
        nodeAccept.call(this, err, client);
        return;
      }
      // As Node's server does for a server made with noDelay.
      (client as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      const sock = withReader(
        (onread) => new (nodeNet().Socket)({ handle: client, readable: true, writable: true, allowHalfOpen: true, onread } as net.SocketConstructorOpts),
      );
      onConnection(sock.unref());
    };
  });
}
