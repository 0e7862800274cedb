import { randomFillSync } from "node:crypto";
import type { Socket as NetSocket } from "node:net";
import type { WebSocket } from "ws";
import { ProtocolError } from "../errors.js";
import type { ZwsSubprotocol } from "../wire/zws.js";
import { wsFrameHeaderSize, writeWsFrame, writeWsFrameHeader } from "../wire/ws-frame.js";
import type { ZwsChannel, ZwsChannelEvents } from "./zws-channel.js";
import { ChannelInbox } from "./channel-inbox.js";

/**
 * The parts of a `ws` WebSocket its public API does not reach: the socket it writes to (a
 * flush's frames go there as one write, see send) and the receiver's payload limit (fixed at
 * construction in the API; the engine lowers it until the handshake is done). Both are read
 * with a type check, and `ws`'s own API used when a version of `ws` lacks them.
 */
interface WsInternals {
  _socket?: NetSocket;
  _receiver?: { _maxPayload?: number };
}

const SEND_OPTIONS = { binary: true, compress: false } as const;

/** A payload up to this size is copied into its flush's one buffer; a larger one (unmasked) is written where it is. */
const COPY_MAX = 16 * 1024;
/**
 * A flush's frames up to this size are written from one buffer all channels share while each
 * socket takes its write at once (one flush runs at a time; a socket that queues the write keeps
 * the buffer): a fresh one per flush came from Node's pool, a new 8 KiB ArrayBuffer every few.
 */
const SHARED_OUT_BYTES = 2048;
let sharedOut: Buffer | null = null;

/**
 * Mask keys for a client's frames (RFC 6455 §5.3: unpredictable, one per frame), drawn from
 * one pool of random bytes shared by every client channel, refilled when used up.
 */
const MASK_POOL = new Uint8Array(8192);
let maskPos = MASK_POOL.length;
const maskKey = new Uint8Array(4);

function nextMask(): Uint8Array {
  if (maskPos === MASK_POOL.length) {
    randomFillSync(MASK_POOL);
    maskPos = 0;
  }
  maskKey[0] = MASK_POOL[maskPos]!;
  maskKey[1] = MASK_POOL[maskPos + 1]!;
  maskKey[2] = MASK_POOL[maskPos + 2]!;
  maskKey[3] = MASK_POOL[maskPos + 3]!;
  maskPos += 4;
  return maskKey;
}

/** A `ws` WebSocket, open, as the ZWS engine's channel. */
export class NodeZwsChannel implements ZwsChannel {
  /** `ws` sends each message as one frame, and wiremq and libzmq read it whole. */
  readonly sendPayloadLimit = 0;
  private readonly inbox = new ChannelInbox();

  /** What `ws` writes its frames to (the TLS socket for wss); null: send through `ws.send`. */
  private readonly sock: NetSocket | null;

  /** `client`: the dialing side, whose frames are masked (RFC 6455 §5.3). */
  constructor(
    private readonly ws: WebSocket,
    readonly subprotocol: ZwsSubprotocol,
    readonly peerAddress: string,
    private readonly client: boolean,
  ) {
    const sock = (ws as unknown as WsInternals)._socket;
    this.sock = sock !== undefined && typeof sock.write === "function" && typeof sock.cork === "function" ? sock : null;
    const inbox = this.inbox;
    ws.on("message", (data: Buffer, binary: boolean) => inbox.message(data, binary));
    ws.on("pong", () => inbox.events?.pong());
    ws.on("ping", () => inbox.events?.pong());
    ws.on("error", (err: Error & { code?: string }) => {
      inbox.error ??= wsFailure(err);
    });
    ws.on("close", () => inbox.end());
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  attach(events: ZwsChannelEvents): void {
    this.inbox.attach(events);
  }

  /**
   * Frames every payload into one buffer and writes it to the socket once (a payload over
   * COPY_MAX from the server side goes by reference after its header, the writes corked into
   * one writev). In order with what `ws` writes itself (pings, the close frame): both write to
   * the same socket, in the order they are called; `ws` queues nothing of its own when nothing
   * is compressed, and `bufferedAmount` counts these bytes as they sit in the socket.
   */
  send(payloads: readonly Uint8Array[]): void {
    const n = payloads.length;
    if (n === 0 || this.ws.readyState !== 1) return;
    const sock = this.sock;
    if (sock === null) {
      for (let i = 0; i < n - 1; i++) this.ws.send(payloads[i]!, SEND_OPTIONS);
      this.ws.send(payloads[n - 1]!, SEND_OPTIONS, this.written);
      return;
    }
    const masked = this.client;
    let size = 0;
    for (let i = 0; i < n; i++) {
      const len = payloads[i]!.length;
      size += wsFrameHeaderSize(len, masked) + (masked || len <= COPY_MAX ? len : 0);
    }
    const shared = size <= SHARED_OUT_BYTES && sock.writableLength === 0;
    const out = shared ? (sharedOut ??= Buffer.allocUnsafe(SHARED_OUT_BYTES)).subarray(0, size) : Buffer.allocUnsafe(size);
    let pos = 0;
    let chunks: Buffer[] | null = null;
    let start = 0;
    for (let i = 0; i < n; i++) {
      const payload = payloads[i]!;
      if (masked) pos = writeWsFrame(out, pos, payload, nextMask());
      else if (payload.length <= COPY_MAX) pos = writeWsFrame(out, pos, payload, null);
      else {
        pos = writeWsFrameHeader(out, pos, payload.length, null);
        chunks ??= [];
        chunks.push(out.subarray(start, pos), asBuffer(payload));
        start = pos;
      }
    }
    if (chunks === null) sock.write(out, this.written);
    else {
      if (pos > start) chunks.push(out.subarray(start, pos));
      sock.cork();
      const last = chunks.length - 1;
      for (let i = 0; i < last; i++) sock.write(chunks[i]!);
      sock.write(chunks[last]!, this.written);
      sock.uncork();
    }
    // The socket queued the write (the kernel pushed back): the shared buffer is its own now.
    if (shared && sock.writableLength !== 0) sharedOut = null;
  }

  private readonly written = (err?: Error | null): void => {
    if (err === undefined || err === null) this.inbox.events?.writable();
  };

  ping(): void {
    if (this.ws.readyState === 1) this.ws.ping();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  setPayloadLimit(bytes: number): void {
    const receiver = (this.ws as unknown as WsInternals)._receiver;
    if (receiver !== undefined && typeof receiver._maxPayload === "number") receiver._maxPayload = bytes;
  }

  close(): void {
    if (this.ws.readyState === 0 || this.ws.readyState === 1) this.ws.close(1000);
    // A peer that never answers the close frame is cut off after a while.
    setTimeout(() => this.ws.terminate(), CLOSE_WAIT).unref();
  }

  destroy(): void {
    this.ws.terminate();
  }
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** How long a clean close waits for the peer's close frame. */
const CLOSE_WAIT = 2000;

/**
 * A `ws` error as a wiremq one: what breaks WebSocket framing is a protocol error (an oversized
 * message: ZMTP_MESSAGE_TOO_LARGE, refused from its header, never buffered); a network error
 * keeps its code.
 */
export function wsFailure(err: Error & { code?: string }): Error {
  const code = err.code ?? "";
  if (code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") return new ProtocolError("ZMTP_MESSAGE_TOO_LARGE", err.message, { cause: err });
  if (code.startsWith("WS_ERR_")) return new ProtocolError("ZWS_MALFORMED_FRAME", err.message, { cause: err });
  return err;
}
