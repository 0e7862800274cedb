/**
 * What the ZWS engine needs from an open WebSocket, whatever implements it: the `ws` package
 * in Node (ws-channel.ts), the WHATWG WebSocket in a browser. Types only, no `node:` import.
 */
import type { ZwsSubprotocol } from "../wire/zws.js";

/** What a channel tells its engine. */
export interface ZwsChannelEvents {
  /** One whole WebSocket message; `binary` false for a text message (refused by ZWS). */
  message(data: Uint8Array, binary: boolean): void;
  /** A pong (or a ping) arrived: the peer is alive. */
  pong(): void;
  /** Writes were handed to the network: bufferedAmount went down. */
  writable(): void;
  /** The WebSocket ended; `error` says why when it was not a clean close. */
  closed(error: Error | null): void;
}

export interface ZwsChannel {
  /** The subprotocol the upgrade settled on. */
  readonly subprotocol: ZwsSubprotocol;
  /** The peer's address for ZAP ("ip"), as tcp gives it. */
  readonly peerAddress: string;
  /**
   * The largest payload this channel can send so that the peer gets it whole (0: no limit):
   * a page's WebSocket to a peer that may not reassemble fragments (ZWS_PAGE_UNFRAGMENTED_PAYLOAD).
   */
  readonly sendPayloadLimit: number;
  /** Bytes given to send() that the network has not taken yet. */
  readonly bufferedAmount: number;
  /** Starts delivering events (messages that arrived before are held until then). */
  attach(events: ZwsChannelEvents): void;
  /** Sends each payload as one binary message, in order. */
  send(payloads: readonly Uint8Array[]): void;
  /** A WebSocket ping (ZWS heartbeats are ping/pong control frames). */
  ping(): void;
  /** Stops reading from the network until resume() (receive backpressure). */
  pause(): void;
  resume(): void;
  /**
   * The largest message the channel accepts before buffering it (bytes of payload; 0: no
   * limit). The engine lowers it during the handshake and raises it to maxMessageSize after.
   */
  setPayloadLimit(bytes: number): void;
  /** A clean close (close frame), after what was sent is written. */
  close(): void;
  /** Ends the connection now. */
  destroy(): void;
}
