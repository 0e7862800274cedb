import type { Socket as NetSocket } from "node:net";
import type { WebSocket } from "ws";
import { ProtocolError } from "../errors.js";
import type { ZwsSubprotocol } from "../wire/zws.js";
import type { ZwsChannel, ZwsChannelEvents } from "./zws-channel.js";
import { ChannelInbox } from "./channel-inbox.js";

/**
 * The parts of a `ws` WebSocket its public API does not reach: the TCP socket (corked around a
 * batch of sends, so one batch is one write) and the receiver's payload limit (fixed at
 * construction in the API; the engine lowers it until the handshake is done). Both are read
 * with a type check and left alone when a version of `ws` lacks them.
 */
interface WsInternals {
  _socket?: NetSocket;
  _receiver?: { _maxPayload?: number };
}

const SEND_OPTIONS = { binary: true, compress: false } as const;

/** A `ws` WebSocket, open, as the ZWS engine's channel. */
export class NodeZwsChannel implements ZwsChannel {
  /** `ws` sends each message as one frame, and wiremq and libzmq read it whole. */
  readonly sendPayloadLimit = 0;
  private readonly inbox = new ChannelInbox();
  readonly peerAddress: string;

  constructor(
    private readonly ws: WebSocket,
    readonly subprotocol: ZwsSubprotocol,
    raw: NetSocket,
  ) {
    this.peerAddress = raw.remoteAddress ?? "";
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

  send(payloads: readonly Uint8Array[]): void {
    const n = payloads.length;
    if (n === 0 || this.ws.readyState !== 1) return;
    const raw = (this.ws as unknown as WsInternals)._socket;
    raw?.cork();
    for (let i = 0; i < n - 1; i++) this.ws.send(payloads[i]!, SEND_OPTIONS);
    this.ws.send(payloads[n - 1]!, SEND_OPTIONS, this.written);
    raw?.uncork();
  }

  private readonly written = (err?: Error): void => {
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
